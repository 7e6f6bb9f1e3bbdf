//! The desktop's own services, used from Rust only: the save dialog, notifications, and
//! showing a folder in the file manager.
//! The page is granted none of these plugins' commands.

use crate::commands::{CmdResult, CommandError};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tauri::{Manager, Runtime};

/// Work longer than this gets an OS notification when it finishes.
pub const NOTIFY_AFTER: Duration = Duration::from_secs(3);

/// Asks where to save, with the system's dialog. `None` if the person cancelled.
pub async fn choose_save_path<R: Runtime>(app: &tauri::AppHandle<R>, suggested: &str, kind: &str, extensions: &[&str]) -> CmdResult<Option<PathBuf>> {
    let Some(dialog) = app.try_state::<tauri_plugin_dialog::Dialog<R>>() else {
        return Err(CommandError::new(rackdesk_core::ErrorKind::File, "Saving files is not available here."));
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.file().add_filter(kind, extensions).set_file_name(suggested).save_file(move |p| {
        let _ = tx.send(p);
    });
    let chosen = rx.await.ok().flatten();
    Ok(chosen.and_then(|p| p.into_path().ok()))
}

/// Asks which file to open, with the system's dialog. `None` if the person cancelled.
pub async fn choose_open_path<R: Runtime>(app: &tauri::AppHandle<R>, kind: &str, extensions: &[&str]) -> CmdResult<Option<PathBuf>> {
    let Some(dialog) = app.try_state::<tauri_plugin_dialog::Dialog<R>>() else {
        return Err(CommandError::new(rackdesk_core::ErrorKind::File, "Opening files is not available here."));
    };
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.file().add_filter(kind, extensions).pick_file(move |p| {
        let _ = tx.send(p);
    });
    let chosen = rx.await.ok().flatten();
    Ok(chosen.and_then(|p| p.into_path().ok()))
}

/// Shows an OS notification if the work took long enough that the person may have looked away.
/// Failing to notify (no notification service) is not an error.
pub fn notify_if_slow<R: Runtime>(app: &tauri::AppHandle<R>, started: Instant, title: &str, body: &str) {
    if started.elapsed() < NOTIFY_AFTER {
        return;
    }
    if let Some(n) = app.try_state::<tauri_plugin_notification::Notification<R>>() {
        let _ = n.builder().title(title).body(body).show();
    }
}

/// Shows `dir` in the system's file manager (xdg-open, open, explorer). The opener is not
/// waited for beyond its start; an error means none could be started.
pub fn open_folder(dir: &std::path::Path) -> std::io::Result<()> {
    let program = if cfg!(target_os = "windows") {
        "explorer"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut child = std::process::Command::new(program)
        .arg(dir)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // Reaped in the background, so no zombie is left behind.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(())
}
