//! Team mode's settings on this computer: the database's address (never with a password), how
//! its certificate is checked, and what the help desk sees. The password (or the client
//! certificate's key) is kept only in the credential vault, like the API keys.

use super::TeamError;
use crate::policy::HelpDeskView;
use crate::vault::{SecretStore, VaultError};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The settings file inside the config folder.
pub const FILE_NAME: &str = "team.json";

/// How the team database's certificate is checked. Always fully: the chain up to a trusted
/// root, and the server's name (or address) in the certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Trust {
    /// This computer's trusted certificates (the operating system's store).
    System,
    /// Only the CA certificates of a file the admin chose; its text is kept here (it is
    /// public), so the setting does not depend on the file staying where it was.
    CaFile { file: String, pem: String },
}

impl Trust {
    /// "this computer's trusted certificates" / "the CA file ca.pem".
    pub fn words(&self) -> String {
        match self {
            Trust::System => "this computer's trusted certificates".into(),
            Trust::CaFile { file, .. } => {
                let name = Path::new(file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.clone());
                format!("the CA file {name}")
            }
        }
    }

    /// Reads a CA file the person chose; refuses one without a certificate in it.
    pub fn from_ca_file(path: &Path) -> Result<Trust, TeamError> {
        let pem = std::fs::read_to_string(path).map_err(|e| TeamError::CaFile { file: path.display().to_string(), detail: e.to_string() })?;
        let trust = Trust::CaFile { file: path.display().to_string(), pem };
        super::tls::roots(&trust)?;
        Ok(trust)
    }
}

/// A team database address, parsed and checked: a TCP host, a login, no password in it.
#[derive(Clone)]
pub struct Address {
    pub(crate) config: tokio_postgres::Config,
    /// As the person wrote it (trimmed).
    pub url: String,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub login: String,
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Address").field("url", &self.url).finish_non_exhaustive()
    }
}

/// An address as it may be shown or journaled: any password in it replaced by `***`.
pub fn redacted(url: &str) -> String {
    let url = url.trim();
    if let Ok(mut u) = url::Url::parse(url) {
        if u.password().is_some() {
            let _ = u.set_password(Some("***"));
        }
        return u.to_string();
    }
    // The key=value form, or something unreadable: hide a password=… value, and anything
    // between "://" and "@" after a colon.
    let mut out: Vec<String> = Vec::new();
    for part in url.split_whitespace() {
        if part.to_ascii_lowercase().starts_with("password=") {
            out.push("password=***".into());
        } else {
            out.push(part.to_owned());
        }
    }
    let joined = out.join(" ");
    match (joined.find("://"), joined.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = &joined[s + 3..at];
            match user.split_once(':') {
                Some((u, _)) => format!("{}{u}:***{}", &joined[..s + 3], &joined[at..]),
                None => joined,
            }
        }
        _ => joined,
    }
}

impl Address {
    /// Parses `postgres://login@host:port/database` (or the `key=value` form). Refuses a
    /// password in the address (it would end up in the settings file and the shell's
    /// history), a Unix socket (TLS is needed), and `sslmode=disable`.
    pub fn parse(url: &str) -> Result<Address, TeamError> {
        let url = url.trim();
        let bad = |reason: &str| TeamError::InvalidAddress { reason: reason.to_owned() };
        if url.is_empty() {
            return Err(bad("no address was given; write it as postgres://LOGIN@HOST:PORT/DATABASE"));
        }
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| TeamError::InvalidAddress {
                reason: format!("\"{}\" is not a PostgreSQL address ({e}); write it as postgres://LOGIN@HOST:PORT/DATABASE", redacted(url)),
            })?;
        if config.get_password().is_some() {
            return Err(bad(
                "the address holds a password; leave it out (it would be kept in a settings file and your shell's history) and \
                 give the password when asked, or with --password-stdin",
            ));
        }
        if config.get_ssl_mode() == tokio_postgres::config::SslMode::Disable {
            return Err(bad("the address turns TLS off (sslmode=disable); Rackdesk talks to the team database over TLS only"));
        }
        let host = match config.get_hosts() {
            [tokio_postgres::config::Host::Tcp(h)] => h.clone(),
            [] => return Err(bad("the address names no server; write it as postgres://LOGIN@HOST:PORT/DATABASE")),
            [_] => return Err(bad("a Unix socket cannot carry TLS; give the server's name or address")),
            _ => return Err(bad("give one server, not several")),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let login = config.get_user().map(str::to_owned).filter(|u| !u.is_empty()).ok_or_else(|| bad("the address names no login; write it as postgres://LOGIN@HOST/DATABASE"))?;
        let database = config.get_dbname().map(str::to_owned).unwrap_or_else(|| login.clone());
        Ok(Address { config, url: url.to_owned(), host, port, database, login })
    }

    /// "host:port/database": how the journal and the status name the team database.
    pub fn label(&self) -> String {
        format!("{}:{}/{}", self.host, self.port, self.database)
    }
}

/// Team mode on this computer (`team.json` in the config folder).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamSettings {
    pub version: u32,
    /// The address, without a password.
    pub url: String,
    pub trust: Trust,
    /// The client certificate (chain, PEM) when the database checks one; its key is in the vault.
    #[serde(default)]
    pub client_cert_pem: Option<String>,
    /// Whether a password is kept in the vault.
    pub has_password: bool,
    /// The prefix of this connection's vault entries (a new one for every connect).
    pub vault_id: String,
    pub connected_at: DateTime<Utc>,
    #[serde(default)]
    pub help_desk_view: HelpDeskView,
}

impl TeamSettings {
    pub fn address(&self) -> Result<Address, TeamError> {
        Address::parse(&self.url)
    }
    /// "host:port/database".
    pub fn database_label(&self) -> String {
        self.address().map(|a| a.label()).unwrap_or_else(|_| self.url.clone())
    }
    pub fn login(&self) -> String {
        self.address().map(|a| a.login).unwrap_or_default()
    }
    pub(crate) fn password_entry(&self) -> String {
        format!("team-journal/{}/password", self.vault_id)
    }
    pub(crate) fn client_key_entry(&self) -> String {
        format!("team-journal/{}/client-key", self.vault_id)
    }
}

/// What signs this computer in to the team database, read from the vault when needed.
#[derive(Default)]
pub struct Secrets {
    pub password: Option<SecretString>,
    /// The client certificate's private key (PEM).
    pub client_key: Option<SecretString>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("client_key", &self.client_key.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

impl Secrets {
    /// The secrets of `settings`, from the vault. Fails closed: a vault that cannot be used is
    /// an error, never a reason to try without.
    pub fn load(settings: &TeamSettings, store: &dyn SecretStore) -> Result<Secrets, TeamError> {
        let password = if settings.has_password { Some(store.get(&settings.password_entry())?) } else { None };
        let client_key = if settings.client_cert_pem.is_some() { Some(store.get(&settings.client_key_entry())?) } else { None };
        Ok(Secrets { password, client_key })
    }

    /// Stores them under `settings`' entries; on failure nothing of them is left behind.
    pub(crate) fn store(&self, settings: &TeamSettings, store: &dyn SecretStore) -> Result<(), TeamError> {
        if let Some(p) = &self.password {
            store.put(&settings.password_entry(), p)?;
        }
        if let Some(k) = &self.client_key {
            if let Err(e) = store.put(&settings.client_key_entry(), k) {
                forget(settings, store);
                return Err(e.into());
            }
        }
        Ok(())
    }
}

/// Deletes `settings`' vault entries (what is already gone is fine).
pub(crate) fn forget(settings: &TeamSettings, store: &dyn SecretStore) -> Vec<VaultError> {
    let mut errors = Vec::new();
    for entry in [settings.password_entry(), settings.client_key_entry()] {
        match store.delete(&entry) {
            Ok(()) | Err(VaultError::Missing { .. }) => {}
            Err(e) => errors.push(e),
        }
    }
    errors
}

/// `team.json` in `config_dir`.
pub fn path_in(config_dir: &Path) -> PathBuf {
    config_dir.join(FILE_NAME)
}

/// The settings, or `None` when team mode is off on this computer.
pub fn load(config_dir: &Path) -> Result<Option<TeamSettings>, TeamError> {
    let path = path_in(config_dir);
    match std::fs::read(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(TeamError::Config { path, detail: e.to_string() }),
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| TeamError::Config { path, detail: format!("not a valid settings file: {e}") }),
    }
}

/// Writes the settings atomically (a temporary file beside it, then a rename).
pub(crate) fn save(config_dir: &Path, s: &TeamSettings) -> Result<(), TeamError> {
    let path = path_in(config_dir);
    let err = |e: std::io::Error| TeamError::Config { path: path.clone(), detail: e.to_string() };
    std::fs::create_dir_all(config_dir).map_err(err)?;
    let tmp = path.with_extension("json.tmp");
    let body = serde_json::to_vec_pretty(s).map_err(|e| TeamError::Config { path: path.clone(), detail: e.to_string() })?;
    std::fs::write(&tmp, body).map_err(err)?;
    std::fs::rename(&tmp, &path).map_err(err)
}

pub(crate) fn remove(config_dir: &Path) -> Result<(), TeamError> {
    let path = path_in(config_dir);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(TeamError::Config { path, detail: e.to_string() }),
    }
}

pub(crate) fn new_vault_id() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    format!("t{}", Alphanumeric.sample_string(&mut rand::rng(), 10).to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_checked_before_anything_is_stored() {
        let a = Address::parse(" postgres://rackdesk_pc@db.example.com:6432/journal ").unwrap();
        assert_eq!((a.host.as_str(), a.port, a.database.as_str(), a.login.as_str()), ("db.example.com", 6432, "journal", "rackdesk_pc"));
        assert_eq!(a.label(), "db.example.com:6432/journal");
        let a = Address::parse("postgresql://pc@10.0.0.5/rackdesk").unwrap();
        assert_eq!(a.port, 5432);
        let a = Address::parse("host=db.example.com user=pc dbname=rd").unwrap();
        assert_eq!(a.label(), "db.example.com:5432/rd");
        for (url, says) in [
            ("postgres://pc:secret@db/rd", "holds a password"),
            ("postgres://pc@db/rd?sslmode=disable", "TLS off"),
            ("host=/run/postgresql user=pc", "Unix socket"),
            ("postgres://db/rd", "no login"),
            ("", "no address"),
            ("http://x y", "not a PostgreSQL address"),
            ("postgres://pc:secret@db/rd?nonsense=1", "not a PostgreSQL address"),
        ] {
            let e = Address::parse(url).unwrap_err();
            assert!(e.user_message().contains(says), "{url}: {}", e.user_message());
            assert!(!format!("{e:?} {}", e.user_message()).contains("secret"), "the password is never repeated");
        }
    }

    #[test]
    fn passwords_are_taken_out_of_addresses_before_they_are_shown() {
        assert_eq!(redacted("postgres://pc:secret@db:5432/rd"), "postgres://pc:***@db:5432/rd");
        assert_eq!(redacted("host=db user=pc password=secret"), "host=db user=pc password=***");
        assert_eq!(redacted("postgres://pc@db/rd"), "postgres://pc@db/rd");
        assert!(!redacted("pg://pc:se cret@db").contains("se cret"));
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let s = Secrets { password: Some(SecretString::from("hunter2-xyz")), client_key: None };
        assert!(!format!("{s:?}").contains("hunter2"));
    }
}
