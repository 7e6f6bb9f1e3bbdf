//! Copying a password for the person, and taking it back: the clipboard is cleared after
//! [`CLEAR_AFTER`], and when the app quits — but only while it still holds what Rackdesk put
//! there (something the person copied since is left alone).
//!
//! The clock and the clearing live here, on the Rust side, so the promise holds whatever the
//! page does (a dialog closed, another screen opened, the window hidden).

use secrecy::{ExposeSecret, SecretString};
use std::sync::Mutex;
use std::time::Duration;

/// How long a copied password stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(30);

/// The system clipboard, as far as Rackdesk uses it.
pub trait Board: Send {
    fn text(&mut self) -> Option<String>;
    fn set_text(&mut self, text: &str) -> Result<(), String>;
    /// Gives the clipboard up (it then holds nothing).
    fn clear(&mut self) -> Result<(), String>;
}

/// Why copying failed, in words for the person.
#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    #[error("The clipboard of this computer cannot be reached, so nothing was copied. Select the password and copy it by hand, or write it down for the person.")]
    Unavailable(String),
}

impl rackdesk_core::Explain for ClipboardError {
    fn kind(&self) -> rackdesk_core::ErrorKind {
        rackdesk_core::ErrorKind::Clipboard
    }
    fn user_message(&self) -> String {
        self.to_string()
    }
    fn detail(&self) -> Option<String> {
        match self {
            ClipboardError::Unavailable(d) => Some(d.clone()),
        }
    }
}

struct Held {
    /// Which copy this is: a later copy replaces an earlier one's timer.
    generation: u64,
    text: SecretString,
}

/// The clipboard with what Rackdesk last put on it.
pub struct SecretClipboard {
    board: Mutex<Option<Box<dyn Board>>>,
    held: Mutex<Option<Held>>,
    opener: fn() -> Result<Box<dyn Board>, String>,
}

impl SecretClipboard {
    /// The system clipboard, opened on first use.
    pub fn system() -> SecretClipboard {
        SecretClipboard::with_opener(system_board)
    }

    pub fn with_opener(opener: fn() -> Result<Box<dyn Board>, String>) -> SecretClipboard {
        SecretClipboard { board: Mutex::new(None), held: Mutex::new(None), opener }
    }

    /// Puts `text` on the clipboard; returns the copy's generation, for [`Self::clear_if_still`].
    pub fn copy(&self, text: SecretString) -> Result<u64, ClipboardError> {
        let mut board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        if board.is_none() {
            *board = Some((self.opener)().map_err(ClipboardError::Unavailable)?);
        }
        let b = board.as_mut().expect("opened above");
        b.set_text(text.expose_secret()).map_err(ClipboardError::Unavailable)?;
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let generation = held.as_ref().map_or(1, |h| h.generation + 1);
        *held = Some(Held { generation, text });
        Ok(generation)
    }

    /// Clears the clipboard if it still holds copy `generation` (any copy, for `None`).
    /// Returns whether it was cleared.
    pub fn clear_if_still(&self, generation: Option<u64>) -> bool {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let Some(h) = held.as_ref() else { return false };
        if generation.is_some_and(|g| g != h.generation) {
            return false; // a later copy has its own timer
        }
        let mut board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        let cleared = match board.as_mut() {
            Some(b) => b.text().as_deref() == Some(h.text.expose_secret()) && b.clear().is_ok(),
            None => false,
        };
        *held = None;
        cleared
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
fn system_board() -> Result<Box<dyn Board>, String> {
    struct System(arboard::Clipboard);
    impl Board for System {
        fn text(&mut self) -> Option<String> {
            self.0.get_text().ok()
        }
        fn set_text(&mut self, text: &str) -> Result<(), String> {
            self.0.set_text(text).map_err(|e| e.to_string())
        }
        fn clear(&mut self) -> Result<(), String> {
            self.0.clear().map_err(|e| e.to_string())
        }
    }
    arboard::Clipboard::new().map(|c| Box::new(System(c)) as Box<dyn Board>).map_err(|e| e.to_string())
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
fn system_board() -> Result<Box<dyn Board>, String> {
    Err("no clipboard on this platform".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex as M, OnceLock};

    /// A clipboard in memory, shared with the test so it can "copy" too.
    fn shared() -> &'static Arc<M<Option<String>>> {
        static S: OnceLock<Arc<M<Option<String>>>> = OnceLock::new();
        S.get_or_init(|| Arc::new(M::new(None)))
    }
    struct Memory;
    impl Board for Memory {
        fn text(&mut self) -> Option<String> {
            shared().lock().unwrap().clone()
        }
        fn set_text(&mut self, text: &str) -> Result<(), String> {
            *shared().lock().unwrap() = Some(text.into());
            Ok(())
        }
        fn clear(&mut self) -> Result<(), String> {
            *shared().lock().unwrap() = None;
            Ok(())
        }
    }
    fn memory() -> Result<Box<dyn Board>, String> {
        Ok(Box::new(Memory))
    }
    fn broken() -> Result<Box<dyn Board>, String> {
        Err("no display".into())
    }

    // One test for the shared in-memory board, so the cases do not race each other.
    #[test]
    fn clears_only_what_it_put_there_and_only_its_latest_copy() {
        let c = SecretClipboard::with_opener(memory);
        let g1 = c.copy(SecretString::from("first-secret")).unwrap();
        assert_eq!(shared().lock().unwrap().as_deref(), Some("first-secret"));
        let g2 = c.copy(SecretString::from("second-secret")).unwrap();
        assert!(!c.clear_if_still(Some(g1)), "an older copy's timer leaves the newer copy");
        assert_eq!(shared().lock().unwrap().as_deref(), Some("second-secret"));
        assert!(c.clear_if_still(Some(g2)));
        assert_eq!(shared().lock().unwrap().as_deref(), None);

        c.copy(SecretString::from("third-secret")).unwrap();
        *shared().lock().unwrap() = Some("something the person copied".into());
        assert!(!c.clear_if_still(None), "the person's own copy is not ours to clear");
        assert_eq!(shared().lock().unwrap().as_deref(), Some("something the person copied"));
        assert!(!c.clear_if_still(None), "nothing is held any more");
    }

    #[test]
    fn an_unreachable_clipboard_says_so_plainly() {
        let c = SecretClipboard::with_opener(broken);
        let e = c.copy(SecretString::from("x")).unwrap_err();
        assert!(e.to_string().contains("nothing was copied"), "{e}");
        assert_eq!(rackdesk_core::Explain::detail(&e).as_deref(), Some("no display"));
    }
}
