//! Identities (the API admins whose keys sign requests) and the operator (the person using
//! Rackdesk now).
//!
//! An identity's non-secret facts live in a JSON config file in the platform's config folder;
//! its user key and secret key live only in the credential vault, one entry each, named
//! `<identity id>/<key generation>/user-key` and `.../secret-key`. Rotation writes the new pair
//! under the next generation, switches the config file over (an atomic rename), and only then
//! deletes the old pair: a crash at any point leaves one complete, working pair.

mod operator;

pub use operator::{current_operator, display_name, gecos_name, os_full_name, os_user, passphrase_backoff, Operator, PassphraseProblem, Role, MIN_PASSPHRASE};

use crate::client::mask;
use crate::verify::{self, AdminCheck, Verified, VerifyError};
use crate::vault::{SecretStore, VaultError};
use crate::{ApiError, Client, ClientConfig, Credentials};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An API admin's identity: everything but the keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub id: String,
    pub label: String,
    pub account: String,
    pub api_url: String,
    /// The admin login the keys belong to, as the person told us.
    pub api_admin: Option<String>,
    /// The user key with most of it hidden (e.g. `AbCd…QrSt`).
    pub user_key_hint: String,
    pub keys_stored_at: DateTime<Utc>,
    pub last_verified_at: Option<DateTime<Utc>>,
    pub key_generation: u32,
    /// The API address is not Rackspace's: the person said, when storing the keys, that it is
    /// a test server (a simulator). Shown wherever the identity is.
    #[serde(default)]
    pub test_server: bool,
}

impl Identity {
    fn entry(&self, generation: u32, which: &str) -> String {
        format!("{}/{generation}/{which}", self.id)
    }
    pub fn user_key_entry(&self) -> String {
        self.entry(self.key_generation, "user-key")
    }
    pub fn secret_key_entry(&self) -> String {
        self.entry(self.key_generation, "secret-key")
    }
    /// Whole days since the keys were stored.
    pub fn key_age_days(&self, now: DateTime<Utc>) -> i64 {
        (now - self.keys_stored_at).num_days()
    }
}

/// The config file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    pub version: u32,
    pub active: Option<String>,
    #[serde(default)]
    pub identities: Vec<Identity>,
    #[serde(default)]
    pub operator: Option<Operator>,
    /// Remind to rotate keys older than this many days.
    #[serde(default = "default_reminder")]
    pub key_reminder_days: u32,
    /// The super-admin passphrase as a slow salted hash (argon2id, PHC string); never the passphrase.
    #[serde(default)]
    pub super_admin_passphrase: Option<String>,
    /// Wrong passphrases in a row, and until when no attempt is accepted.
    #[serde(default)]
    pub passphrase_failures: u32,
    #[serde(default)]
    pub passphrase_locked_until: Option<DateTime<Utc>>,
}

fn default_reminder() -> u32 {
    90
}

impl Default for Config {
    fn default() -> Self {
        Config {
            version: 1,
            active: None,
            identities: vec![],
            operator: None,
            key_reminder_days: default_reminder(),
            super_admin_passphrase: None,
            passphrase_failures: 0,
            passphrase_locked_until: None,
        }
    }
}

/// The folder for Rackdesk's config: `RACKDESK_CONFIG_DIR` if set, else the platform's
/// (`~/.config/rackdesk` on Linux, `%APPDATA%\Rackdesk` on Windows,
/// `~/Library/Application Support/com.Rackdesk.Rackdesk` on macOS).
pub fn config_dir() -> Result<PathBuf, IdentityError> {
    if let Some(d) = std::env::var_os("RACKDESK_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("com", "Rackdesk", "Rackdesk")
        .map(|p| p.config_dir().to_path_buf())
        .ok_or_else(|| IdentityError::Config { path: PathBuf::new(), detail: "no home folder was found".into() })
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Verify(#[from] VerifyError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("config file {path}: {detail}")]
    Config { path: PathBuf, detail: String },
    #[error("invalid {field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("no identity {0}")]
    NotFound(String),
    #[error("identity {0} exists")]
    Duplicate(String),
    #[error("no identity")]
    NoIdentity,
    #[error("role switch refused")]
    Passphrase(PassphraseProblem),
    #[error(transparent)]
    NotAllowed(#[from] crate::policy::Refusal),
    /// The keys of an identity are only ever signed for the API address stored with it.
    #[error("identity {label} is bound to {stored}, not {asked}")]
    WrongHost { label: String, stored: String, asked: String },
    /// Identity and role changes are journaled first; without a journal, none is made.
    #[error(transparent)]
    Journal(#[from] crate::journal::JournalError),
}

impl IdentityError {
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            IdentityError::Vault(v) => v.kind(),
            IdentityError::Verify(v) => v.kind(),
            IdentityError::Api(e) => e.kind(),
            IdentityError::Config { .. } => K::Config,
            IdentityError::Invalid { .. } => K::InvalidInput,
            IdentityError::NotFound(_) => K::NotFound,
            IdentityError::Duplicate(_) => K::Duplicate,
            IdentityError::NoIdentity => K::NoIdentity,
            IdentityError::Passphrase(_) => K::Passphrase,
            IdentityError::NotAllowed(_) => K::NotAllowed,
            IdentityError::WrongHost { .. } => K::WrongHost,
            IdentityError::Journal(e) => e.kind(),
        }
    }

    pub fn user_message(&self) -> String {
        match self {
            IdentityError::Vault(v) => v.user_message(),
            IdentityError::Verify(v) => v.user_message(),
            IdentityError::Api(e) => e.user_message(),
            IdentityError::Config { path, .. } => format!(
                "Rackdesk could not read or write its settings file {}. Check that the folder is writable; if the file \
                 is damaged, move it away and set up the identities again.",
                path.display()
            ),
            IdentityError::Invalid { field, reason } => format!("The {field} is not valid: {reason}."),
            IdentityError::NotFound(l) => format!("There is no identity called \"{l}\". `rackdesk identity list` shows them."),
            IdentityError::Duplicate(l) => format!("An identity called \"{l}\" already exists. Choose another name, or rotate its keys."),
            IdentityError::NoIdentity => "No API admin identity is set up yet. Add one with `rackdesk identity add`, or try the sandbox.".into(),
            IdentityError::NotAllowed(r) => r.message(),
            IdentityError::WrongHost { label, stored, asked } => format!(
                "The keys of \"{label}\" are only ever used with {stored}, the address they were stored for; Rackdesk will \
                 not send them to {asked}. Leave out the other address, or add an identity for that server."
            ),
            IdentityError::Journal(e) => format!("{} Nothing was changed: Rackdesk makes no change it cannot record.", e.user_message()),
            IdentityError::Passphrase(p) => match p {
                PassphraseProblem::NotSet => "No super-admin passphrase has been set on this computer, so the super-admin role cannot be \
                     unlocked here. A super admin sets one first (`rackdesk operator passphrase`)."
                    .into(),
                PassphraseProblem::Wrong { wait_secs: 0 } => "That is not the super-admin passphrase.".into(),
                PassphraseProblem::Wrong { wait_secs } => {
                    format!("That is not the super-admin passphrase. Wait {wait_secs} seconds before trying again.")
                }
                PassphraseProblem::Locked { wait_secs } => {
                    format!("Too many wrong passphrases. Try again in {wait_secs} seconds.")
                }
                PassphraseProblem::TooWeak => format!("Use a passphrase of at least {MIN_PASSPHRASE} characters."),
                PassphraseProblem::Missing => "Switching to the super-admin role needs the super-admin passphrase.".into(),
            },
        }
    }

    pub fn detail(&self) -> Option<String> {
        match self {
            IdentityError::Vault(v) => v.detail(),
            IdentityError::Verify(v) => v.detail(),
            IdentityError::Api(e) => e.detail(),
            IdentityError::Config { detail, .. } => Some(detail.clone()),
            IdentityError::Journal(e) => e.detail(),
            _ => None,
        }
    }
}

/// Who is acting, and through which API admin: carried with every call made for a person,
/// so changes can be journaled with both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    pub operator: Operator,
    pub identity_label: String,
    pub account: String,
    pub api_admin: Option<String>,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "You ({}, {}) — acting through ", self.operator.display_name(), self.operator.role.label())?;
        match &self.api_admin {
            Some(a) => write!(f, "API admin {a}")?,
            None => write!(f, "the keys of \"{}\"", self.identity_label)?,
        }
        write!(f, " on account {}", self.account)
    }
}

/// A client together with who it acts for.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub client: Client,
}

/// What the person gives to add an identity.
pub struct NewIdentity {
    pub label: String,
    pub account: String,
    pub api_url: String,
    pub api_admin: Option<String>,
    pub credentials: Credentials,
    /// The person said the API address is a test server, not Rackspace. Required for any
    /// address other than Rackspace's own.
    pub test_server: bool,
}

/// Refuses to store keys for an address that is not Rackspace's unless the person said it is a
/// test server. Returns whether it is one.
pub fn check_api_root(url: &str, test_server: bool) -> Result<bool, IdentityError> {
    if crate::hosts::is_rackspace_url(url) {
        return Ok(false);
    }
    if url::Url::parse(url.trim()).map(|u| !matches!(u.scheme(), "http" | "https")).unwrap_or(true) {
        return Err(IdentityError::Invalid { field: "API address".into(), reason: format!("\"{url}\" is not a web address (https://...)") });
    }
    if !test_server {
        return Err(IdentityError::Invalid {
            field: "API address".into(),
            reason: format!(
                "{url} is not Rackspace's API ({}). Keys are stored for another address only when you say it is a test server \
                 (the \"This is a test server\" choice, or --test-server)",
                crate::DEFAULT_API_URL
            ),
        });
    }
    Ok(true)
}

/// Warnings about the API admin login: things a person should fix, none blocking.
pub fn api_admin_warnings(login: Option<&str>, operator: &Operator, check: &AdminCheck, account: &str) -> Vec<String> {
    let mut w = Vec::new();
    let Some(login) = login else {
        w.push(
            "You did not say which admin login these keys belong to. Rackspace recommends a separate admin login used \
             only by Rackdesk; name it with --api-admin so Rackdesk can check it."
                .into(),
        );
        return w;
    };
    let l = login.to_ascii_lowercase();
    let op = operator.name.to_ascii_lowercase();
    if l == op || l == os_user().to_ascii_lowercase() || (!op.is_empty() && l.split(['.', '_', '-']).any(|p| p == op)) {
        w.push(format!(
            "The API admin login \"{login}\" looks like your own login. Keys generated under a person's login make their \
             changes and Rackdesk's impossible to tell apart in the control panel's log: create a separate admin login \
             for Rackdesk (`rackdesk admins create-api-admin`), generate its keys, and stop using these."
        ));
    } else if !["api", "rackdesk", "app", "integration", "service", "svc", "bot", "automation"].iter().any(|k| l.contains(k)) {
        w.push(format!(
            "\"{login}\" does not look like a login made only for Rackdesk. If it is a person's login, create a \
             separate one for Rackdesk, so that people's changes and Rackdesk's can be told apart."
        ));
    }
    match check {
        AdminCheck::NotFound => w.push(format!("No admin login \"{login}\" exists in account {account}. Check the spelling.")),
        AdminCheck::Found { is_super: false, .. } => {
            w.push(format!("\"{login}\" is not a super admin; only super admins can use the API."))
        }
        AdminCheck::Found { enabled: false, .. } => w.push(format!("The admin login \"{login}\" is disabled.")),
        AdminCheck::Unknown { reason } => w.push(format!("Rackdesk could not check the admin login \"{login}\": {reason}")),
        _ => {}
    }
    w
}

/// Identities and the operator, over a config file and a secret store.
pub struct Identities {
    path: PathBuf,
    store: Arc<dyn SecretStore>,
}

fn check_label(label: &str) -> Result<String, IdentityError> {
    let l = label.trim();
    if l.is_empty() || l.chars().count() > 64 || l.chars().any(char::is_control) {
        return Err(IdentityError::Invalid { field: "identity name".into(), reason: "use 1 to 64 ordinary characters".into() });
    }
    Ok(l.to_owned())
}

fn new_id() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    format!("i{}", Alphanumeric.sample_string(&mut rand::rng(), 10).to_ascii_lowercase())
}

impl Identities {
    /// Identities in `<config dir>/config.json`, keys in `store`.
    pub fn open(dir: &Path, store: Arc<dyn SecretStore>) -> Self {
        Identities { path: dir.join("config.json"), store }
    }

    /// The secret store the keys are kept in (the team journal keeps its password there too).
    pub fn store(&self) -> Arc<dyn SecretStore> {
        self.store.clone()
    }

    pub fn store_name(&self) -> &'static str {
        self.store.name()
    }

    pub fn config_path(&self) -> &Path {
        &self.path
    }

    pub fn load(&self) -> Result<Config, IdentityError> {
        match std::fs::read(&self.path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(IdentityError::Config { path: self.path.clone(), detail: e.to_string() }),
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| IdentityError::Config { path: self.path.clone(), detail: format!("not a valid settings file: {e}") }),
        }
    }

    /// Writes the config atomically: a temporary file beside it, then a rename.
    fn save(&self, cfg: &Config) -> Result<(), IdentityError> {
        let err = |e: std::io::Error| IdentityError::Config { path: self.path.clone(), detail: e.to_string() };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let tmp = self.path.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(cfg).map_err(|e| IdentityError::Config { path: self.path.clone(), detail: e.to_string() })?;
        std::fs::write(&tmp, body).map_err(err)?;
        std::fs::rename(&tmp, &self.path).map_err(err)
    }

    pub fn list(&self) -> Result<(Vec<Identity>, Option<String>), IdentityError> {
        let c = self.load()?;
        Ok((c.identities, c.active))
    }

    /// The identity with this label (or id); the active one when `None`.
    pub fn find(&self, label: Option<&str>) -> Result<Identity, IdentityError> {
        let c = self.load()?;
        let found = match label {
            Some(l) => c.identities.iter().find(|i| i.label.eq_ignore_ascii_case(l.trim()) || i.id == l),
            None => c.active.as_ref().and_then(|a| c.identities.iter().find(|i| &i.id == a)),
        };
        match (found, label) {
            (Some(i), _) => Ok(i.clone()),
            (None, Some(l)) => Err(IdentityError::NotFound(l.to_owned())),
            (None, None) => Err(IdentityError::NoIdentity),
        }
    }

    /// Fails unless the vault can be used: a read of an entry that does not exist.
    pub fn check_vault(&self) -> Result<(), IdentityError> {
        match self.store.get("rackdesk-vault-check") {
            Ok(_) | Err(VaultError::Missing { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn put_pair(&self, ident: &Identity, creds: &Credentials) -> Result<(), IdentityError> {
        self.store.put(&ident.user_key_entry(), &SecretString::from(creds.user_key().to_owned()))?;
        if let Err(e) = self.store.put(&ident.secret_key_entry(), creds.secret()) {
            let _ = self.store.delete(&ident.user_key_entry());
            return Err(e.into());
        }
        Ok(())
    }

    fn delete_generation(&self, ident: &Identity, generation: u32) {
        for which in ["user-key", "secret-key"] {
            let _ = self.store.delete(&ident.entry(generation, which));
        }
    }

    /// Verifies the keys with a real signed call, then stores them, then the metadata.
    /// Nothing is stored unless the keys work. The first identity becomes the active one.
    pub async fn add(&self, new: NewIdentity, base: &ClientConfig) -> Result<(Identity, Verified), IdentityError> {
        self.require(crate::policy::Action::ManageKeys)?;
        let label = check_label(&new.label)?;
        let account = crate::names::account(&new.account).map_err(IdentityError::Api)?;
        if let Some(a) = &new.api_admin {
            crate::names::admin_id(a)?;
        }
        let test_server = check_api_root(&new.api_url, new.test_server)?;
        let mut cfg = self.load()?;
        if cfg.identities.iter().any(|i| i.label.eq_ignore_ascii_case(&label)) {
            return Err(IdentityError::Duplicate(label));
        }
        self.check_vault()?;
        let mut vcfg = base.clone();
        vcfg.api_url = new.api_url.clone();
        vcfg.account = account.clone();
        let verified = verify::verify(&vcfg, new.credentials.clone(), new.api_admin.as_deref()).await?;
        let now = Utc::now();
        let ident = Identity {
            id: new_id(),
            label,
            account: if account == "me" { verified.customer.account_number.clone() } else { account },
            api_url: crate::hosts::normalize_root(&new.api_url),
            api_admin: new.api_admin.map(|a| a.trim().to_owned()),
            user_key_hint: mask(new.credentials.user_key()),
            keys_stored_at: now,
            last_verified_at: Some(now),
            key_generation: 1,
            test_server,
        };
        self.put_pair(&ident, &new.credentials)?;
        cfg.identities.push(ident.clone());
        if cfg.active.is_none() {
            cfg.active = Some(ident.id.clone());
        }
        if let Err(e) = self.save(&cfg) {
            self.delete_generation(&ident, ident.key_generation);
            return Err(e);
        }
        Ok((ident, verified))
    }

    /// The identity's keys, from the vault.
    pub fn credentials(&self, ident: &Identity) -> Result<Credentials, IdentityError> {
        let user_key = self.store.get(&ident.user_key_entry())?;
        let secret = self.store.get(&ident.secret_key_entry())?;
        Ok(Credentials::new(user_key.expose_secret().to_owned(), secret)?)
    }

    /// A client for an identity, with who acts through it. Its keys are signed only for the
    /// API root stored with it: `asked_root` (an address the person gave, e.g. `--api-url`)
    /// must be that root, or the session is refused.
    pub fn session_at(&self, label: Option<&str>, base: &ClientConfig, asked_root: Option<&str>) -> Result<(Session, Identity), IdentityError> {
        let ident = self.find(label)?;
        if let Some(asked) = asked_root.filter(|a| !crate::hosts::same_root(a, &ident.api_url)) {
            return Err(IdentityError::WrongHost { label: ident.label.clone(), stored: ident.api_url.clone(), asked: asked.trim().to_owned() });
        }
        self.session(Some(&ident.id), base)
    }

    /// A client for an identity, with who acts through it (always at its own API root).
    pub fn session(&self, label: Option<&str>, base: &ClientConfig) -> Result<(Session, Identity), IdentityError> {
        let ident = self.find(label)?;
        let creds = self.credentials(&ident)?;
        let mut cfg = base.clone();
        cfg.api_url = ident.api_url.clone();
        cfg.account = ident.account.clone();
        let client = Client::new(cfg, creds)?;
        let actor = Actor {
            operator: self.operator()?,
            identity_label: ident.label.clone(),
            account: ident.account.clone(),
            api_admin: ident.api_admin.clone(),
        };
        Ok((Session { actor, client }, ident))
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Identity)) -> Result<Identity, IdentityError> {
        let mut cfg = self.load()?;
        let i = cfg.identities.iter_mut().find(|i| i.id == id).ok_or_else(|| IdentityError::NotFound(id.to_owned()))?;
        f(i);
        let out = i.clone();
        self.save(&cfg)?;
        Ok(out)
    }

    /// Checks the stored keys again with a real signed call.
    pub async fn verify(&self, label: Option<&str>, base: &ClientConfig) -> Result<(Identity, Verified), IdentityError> {
        let ident = self.find(label)?;
        let creds = self.credentials(&ident)?;
        let mut cfg = base.clone();
        cfg.api_url = ident.api_url.clone();
        cfg.account = ident.account.clone();
        let verified = verify::verify(&cfg, creds, ident.api_admin.as_deref()).await?;
        let ident = self.update(&ident.id, |i| i.last_verified_at = Some(Utc::now()))?;
        Ok((ident, verified))
    }

    /// Replaces the keys: the new pair is verified first; the old pair stays until the new
    /// one is proven and stored.
    pub async fn rotate(&self, label: Option<&str>, new: Credentials, base: &ClientConfig) -> Result<(Identity, Verified), IdentityError> {
        self.require(crate::policy::Action::ManageKeys)?;
        let ident = self.find(label)?;
        self.check_vault()?;
        let mut cfg = base.clone();
        cfg.api_url = ident.api_url.clone();
        cfg.account = ident.account.clone();
        let verified = verify::verify(&cfg, new.clone(), ident.api_admin.as_deref()).await?;
        let old_generation = ident.key_generation;
        let mut next = ident.clone();
        next.key_generation = old_generation + 1;
        self.put_pair(&next, &new)?;
        let now = Utc::now();
        let hint = mask(new.user_key());
        let updated = match self.update(&ident.id, |i| {
            i.key_generation = old_generation + 1;
            i.keys_stored_at = now;
            i.last_verified_at = Some(now);
            i.user_key_hint = hint;
        }) {
            Ok(u) => u,
            Err(e) => {
                self.delete_generation(&next, next.key_generation);
                return Err(e);
            }
        };
        self.delete_generation(&ident, old_generation);
        Ok((updated, verified))
    }

    /// Deletes the keys from the vault and the identity from the config, then checks that
    /// both are gone. Returns the removed identity.
    pub fn remove(&self, label: &str) -> Result<Identity, IdentityError> {
        self.require(crate::policy::Action::ManageKeys)?;
        let ident = self.find(Some(label))?;
        self.check_vault()?;
        for entry in [ident.user_key_entry(), ident.secret_key_entry()] {
            match self.store.delete(&entry) {
                Ok(()) | Err(VaultError::Missing { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut cfg = self.load()?;
        cfg.identities.retain(|i| i.id != ident.id);
        if cfg.active.as_deref() == Some(&ident.id) {
            cfg.active = cfg.identities.first().map(|i| i.id.clone());
        }
        self.save(&cfg)?;
        // Confirm: both vault entries and the metadata are gone.
        for entry in [ident.user_key_entry(), ident.secret_key_entry()] {
            match self.store.get(&entry) {
                Err(VaultError::Missing { .. }) => {}
                Ok(_) => return Err(VaultError::Platform { detail: format!("entry {entry} is still in the vault after deletion") }.into()),
                Err(e) => return Err(e.into()),
            }
        }
        if self.load()?.identities.iter().any(|i| i.id == ident.id) {
            return Err(IdentityError::Config { path: self.path.clone(), detail: "the identity is still listed after removal".into() });
        }
        Ok(ident)
    }

    /// Makes an identity the active one.
    pub fn use_identity(&self, label: &str) -> Result<Identity, IdentityError> {
        let ident = self.find(Some(label))?;
        let mut cfg = self.load()?;
        cfg.active = Some(ident.id.clone());
        self.save(&cfg)?;
        Ok(ident)
    }

    pub fn key_reminder_days(&self) -> Result<u32, IdentityError> {
        Ok(self.load()?.key_reminder_days)
    }

    pub fn set_key_reminder_days(&self, days: u32) -> Result<(), IdentityError> {
        if days == 0 || days > 3650 {
            return Err(IdentityError::Invalid { field: "reminder".into(), reason: "use 1 to 3650 days".into() });
        }
        let mut cfg = self.load()?;
        cfg.key_reminder_days = days;
        self.save(&cfg)
    }
}

crate::error::explain_by_methods!(IdentityError);
