//! Where the API keys live: a small port, [`SecretStore`], with two adapters — the operating
//! system's credential vault ([`OsVault`]: Windows Credential Manager, macOS Keychain, the
//! Linux Secret Service) and a shared in-memory store for unit tests ([`MemoryStore`]).
//!
//! There is no third adapter and no fallback: if the OS vault cannot be used, Rackdesk says so
//! and stops. A key is never written to a file.

use secrecy::{ExposeSecret, SecretString};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The service name of every entry Rackdesk keeps in the vault.
pub const SERVICE: &str = "Rackdesk";

/// Vault entries hold one secret each, far below Windows' 2,560-byte limit.
pub const MAX_SECRET_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// No vault to talk to (no D-Bus session, no Secret Service, unsupported platform).
    #[error("the credential vault is not available: {detail}")]
    Unavailable { detail: String },
    /// The vault is there but locked, or the person declined to unlock it.
    #[error("the credential vault is locked: {detail}")]
    Locked { detail: String },
    /// No such entry (normal when checking that something was removed).
    #[error("no vault entry {entry}")]
    Missing { entry: String },
    /// The secret is too long or not text.
    #[error("the secret cannot be stored: {detail}")]
    Invalid { detail: String },
    /// Anything else the platform reported.
    #[error("the credential vault failed: {detail}")]
    Platform { detail: String },
}

impl VaultError {
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            VaultError::Unavailable { .. } => K::VaultUnavailable,
            VaultError::Locked { .. } => K::VaultLocked,
            VaultError::Missing { .. } => K::VaultEntryMissing,
            VaultError::Invalid { .. } | VaultError::Platform { .. } => K::VaultFailure,
        }
    }

    /// One plain sentence: what happened and what to do.
    pub fn user_message(&self) -> String {
        match self {
            VaultError::Unavailable { .. } => format!(
                "Rackdesk cannot reach this computer's credential vault ({}), so it will not store or use API keys. \
                 {}",
                vault_name(),
                vault_hint()
            ),
            VaultError::Locked { .. } => format!(
                "This computer's credential vault ({}) is locked or access was refused. Unlock it (usually by logging in \
                 to the desktop or accepting the unlock prompt), then try again.",
                vault_name()
            ),
            VaultError::Missing { .. } => "The API keys of this identity are no longer in the credential vault. \
                 Add the identity again, or rotate its keys."
                .into(),
            VaultError::Invalid { .. } => "The key could not be stored: it is too long or not plain text.".into(),
            VaultError::Platform { .. } => format!(
                "This computer's credential vault ({}) reported an error. Nothing was stored; try again, and \
                 restart the computer if it keeps happening.",
                vault_name()
            ),
        }
    }

    /// The platform's own words (never a secret: we never put one in an error).
    pub fn detail(&self) -> Option<String> {
        match self {
            VaultError::Unavailable { detail }
            | VaultError::Locked { detail }
            | VaultError::Invalid { detail }
            | VaultError::Platform { detail } => Some(detail.clone()),
            VaultError::Missing { .. } => None,
        }
    }
}

/// The vault's name as people know it on this platform.
pub fn vault_name() -> &'static str {
    if cfg!(target_os = "windows") {
        "Windows Credential Manager"
    } else if cfg!(target_os = "macos") {
        "macOS Keychain"
    } else {
        "the Secret Service: GNOME Keyring or KWallet"
    }
}

fn vault_hint() -> &'static str {
    if cfg!(target_os = "linux") {
        "Run Rackdesk inside a desktop session with GNOME Keyring or KWallet running (over SSH, a desktop session's keyring is not reachable)."
    } else {
        "Make sure you are logged in to the desktop as yourself."
    }
}

/// The port every part of Rackdesk uses to keep secrets.
pub trait SecretStore: Send + Sync {
    fn put(&self, entry: &str, secret: &SecretString) -> Result<(), VaultError>;
    fn get(&self, entry: &str) -> Result<SecretString, VaultError>;
    /// Removes an entry; `Missing` if there was none.
    fn delete(&self, entry: &str) -> Result<(), VaultError>;
    /// "Windows Credential Manager", "macOS Keychain", ... for "stored in ..." messages.
    fn name(&self) -> &'static str;
}

fn check_secret(secret: &SecretString) -> Result<(), VaultError> {
    if secret.expose_secret().len() > MAX_SECRET_BYTES {
        return Err(VaultError::Invalid { detail: format!("longer than {MAX_SECRET_BYTES} bytes") });
    }
    Ok(())
}

/// The operating system's credential vault, through the `keyring` crate.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsVault;

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod os {
    use super::*;

    pub(super) fn translate(e: keyring::Error, entry: &str) -> VaultError {
        match e {
            keyring::Error::NoEntry => VaultError::Missing { entry: entry.to_owned() },
            keyring::Error::NoStorageAccess(inner) => {
                let detail = inner.to_string();
                // Secret Service: a daemon that was never unlocked has no default collection.
                if detail.contains("no result found") || detail.contains("dismissed") || detail.to_lowercase().contains("locked") {
                    VaultError::Locked { detail }
                } else {
                    VaultError::Unavailable { detail }
                }
            }
            keyring::Error::PlatformFailure(inner) => {
                let detail = inner.to_string();
                let low = detail.to_lowercase();
                if low.contains("dbus") || low.contains("d-bus") || low.contains("autolaunch") || low.contains("secret service")
                    || low.contains("org.freedesktop.secrets") || low.contains("serviceunknown")
                {
                    VaultError::Unavailable { detail }
                } else {
                    VaultError::Platform { detail }
                }
            }
            keyring::Error::TooLong(what, max) => VaultError::Invalid { detail: format!("{what} is longer than {max}") },
            keyring::Error::BadEncoding(_) => VaultError::Invalid { detail: "the stored value is not text".into() },
            keyring::Error::Invalid(what, why) => VaultError::Invalid { detail: format!("{what}: {why}") },
            other => VaultError::Platform { detail: other.to_string() },
        }
    }

    pub(super) fn entry(name: &str) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(SERVICE, name).map_err(|e| translate(e, name))
    }
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
impl SecretStore for OsVault {
    fn put(&self, entry: &str, secret: &SecretString) -> Result<(), VaultError> {
        check_secret(secret)?;
        os::entry(entry)?.set_password(secret.expose_secret()).map_err(|e| os::translate(e, entry))
    }
    fn get(&self, entry: &str) -> Result<SecretString, VaultError> {
        os::entry(entry)?.get_password().map(SecretString::from).map_err(|e| os::translate(e, entry))
    }
    fn delete(&self, entry: &str) -> Result<(), VaultError> {
        os::entry(entry)?.delete_credential().map_err(|e| os::translate(e, entry))
    }
    fn name(&self) -> &'static str {
        vault_name()
    }
}

/// Platforms without a supported vault: every call fails closed.
#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
impl SecretStore for OsVault {
    fn put(&self, _: &str, _: &SecretString) -> Result<(), VaultError> {
        Err(VaultError::Unavailable { detail: "no supported credential vault on this platform".into() })
    }
    fn get(&self, _: &str) -> Result<SecretString, VaultError> {
        Err(VaultError::Unavailable { detail: "no supported credential vault on this platform".into() })
    }
    fn delete(&self, _: &str) -> Result<(), VaultError> {
        Err(VaultError::Unavailable { detail: "no supported credential vault on this platform".into() })
    }
    fn name(&self) -> &'static str {
        "no credential vault"
    }
}

/// An in-memory store shared by its clones: what one clone saves, another loads. For unit
/// tests only; it can be told to fail like a locked or missing vault.
#[derive(Clone, Default)]
pub struct MemoryStore {
    inner: Arc<Mutex<(HashMap<String, SecretString>, Option<fn() -> VaultError>)>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        MemoryStore::default()
    }
    /// From now on every call fails with the given error.
    pub fn fail_with(&self, make: fn() -> VaultError) {
        self.lock().1 = Some(make);
    }
    pub fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = self.lock().0.keys().cloned().collect();
        v.sort();
        v
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<String, SecretString>, Option<fn() -> VaultError>)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn put(&self, entry: &str, secret: &SecretString) -> Result<(), VaultError> {
        check_secret(secret)?;
        let mut g = self.lock();
        if let Some(f) = g.1 {
            return Err(f());
        }
        g.0.insert(entry.to_owned(), secret.clone());
        Ok(())
    }
    fn get(&self, entry: &str) -> Result<SecretString, VaultError> {
        let g = self.lock();
        if let Some(f) = g.1 {
            return Err(f());
        }
        g.0.get(entry).cloned().ok_or_else(|| VaultError::Missing { entry: entry.to_owned() })
    }
    fn delete(&self, entry: &str) -> Result<(), VaultError> {
        let mut g = self.lock();
        if let Some(f) = g.1 {
            return Err(f());
        }
        g.0.remove(entry).map(|_| ()).ok_or_else(|| VaultError::Missing { entry: entry.to_owned() })
    }
    fn name(&self) -> &'static str {
        "a test store in memory"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_of_the_memory_store_share_entries() {
        let a = MemoryStore::new();
        let b = a.clone();
        a.put("x/secret-key", &SecretString::from("s3cret")).unwrap();
        assert_eq!(b.get("x/secret-key").unwrap().expose_secret(), "s3cret");
        b.delete("x/secret-key").unwrap();
        assert!(matches!(a.get("x/secret-key"), Err(VaultError::Missing { .. })));
        assert!(matches!(a.delete("x/secret-key"), Err(VaultError::Missing { .. })));
    }

    #[test]
    fn over_long_secrets_are_refused() {
        let s = MemoryStore::new();
        let e = s.put("x", &SecretString::from("a".repeat(MAX_SECRET_BYTES + 1))).unwrap_err();
        assert!(matches!(e, VaultError::Invalid { .. }));
    }

    #[test]
    fn messages_say_what_to_do_and_never_hold_a_secret() {
        let e = VaultError::Unavailable { detail: "Unable to autolaunch a dbus-daemon".into() };
        assert!(e.user_message().contains("will not store or use API keys"));
        let e = VaultError::Locked { detail: "no result found".into() };
        assert!(e.user_message().contains("Unlock it"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_errors_are_translated_as_documented() {
        let e = os::translate(keyring::Error::NoStorageAccess("no result found".into()), "e");
        assert!(matches!(e, VaultError::Locked { .. }));
        let e = os::translate(keyring::Error::NoStorageAccess("unlock prompt was dismissed".into()), "e");
        assert!(matches!(e, VaultError::Locked { .. }));
        let e = os::translate(
            keyring::Error::PlatformFailure("D-Bus error: Unable to autolaunch a dbus-daemon without a $DISPLAY for X11".into()),
            "e",
        );
        assert!(matches!(e, VaultError::Unavailable { .. }));
        assert!(matches!(os::translate(keyring::Error::NoEntry, "e"), VaultError::Missing { .. }));
    }
}

crate::error::explain_by_methods!(VaultError);
