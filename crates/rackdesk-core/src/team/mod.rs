//! The team journal: every help-desk computer's journal in one shared PostgreSQL database,
//! append-only, every entry exactly once.
//!
//! * [`settings`]: team mode on this computer (`team.json`: the address, how the server's
//!   certificate is checked, what the help desk sees); the password or the client
//!   certificate's key only in the credential vault.
//! * [`tls`]: TLS with full verification (rustls; this computer's trusted certificates or a CA
//!   file the admin chose).
//! * [`schema`]: the team database's schema (versioned migrations), roles and grants, and
//!   `team init`.
//! * [`ship`]: the outbox — the local journal's rows shipped in the background, exactly once
//!   and in order per computer, through crashes, sleep, network loss and database restarts.
//! * [`verify`]: every computer's hash chain checked on the team side.
//! * [`view`]: the team view's queries, CSV export, and live updates (LISTEN/NOTIFY).
//!
//! [`Team`] holds the use cases (connect, set up, leave, status, verify, list, export, ship),
//! each behind the role's allow-list and journaled like every other change, so the app and
//! the CLI do the same thing.
//!
//! What it protects against, and what not: see the README's "The team journal".

pub mod db;
pub mod rows;
pub mod schema;
pub mod settings;
pub mod ship;
pub mod tls;
pub mod verify;
pub mod view;

pub use schema::{InitReport, DEFAULT_PC_LOGIN};
pub use settings::{Address, Secrets, TeamSettings, Trust};
pub use ship::{Link, ShipOptions, ShipReport, ShipState, Shipper};
pub use verify::{MachineSummary, TeamProblem, TeamProblemKind, TeamVerifyReport};
pub use view::{TeamEntry, TeamFilter, TeamFilterText, TeamWatch};

use crate::identity::{Actor, Identities, Operator};
use crate::journal::{EntryId, Intent, Journal, JournalError, Outcome};
use crate::policy::{self, Action, HelpDeskView};
use crate::vault::{SecretStore, VaultError};
use chrono::{DateTime, Utc};
use db::Db;
use secrecy::SecretString;
use serde::Serialize;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    #[error("team mode is not set up on this computer")]
    NotConnected,
    #[error("invalid team database address: {reason}")]
    InvalidAddress { reason: String },
    #[error("invalid login name {name}")]
    InvalidLogin { name: String },
    #[error("CA file {file}: {detail}")]
    CaFile { file: String, detail: String },
    #[error("client certificate: {detail}")]
    ClientCertificate { detail: String },
    #[error("TLS: {detail}")]
    Tls { detail: String },
    #[error("unreachable: {detail}")]
    Unreachable { detail: String },
    #[error("login refused: {detail}")]
    Auth { detail: String },
    #[error("no such database: {detail}")]
    NoSuchDatabase { detail: String },
    #[error("the team database is not set up")]
    NotSetUp,
    #[error("team database schema {found}, this Rackdesk knows up to {supported}")]
    TooNew { found: i32, supported: i32 },
    #[error("permission denied: {detail}")]
    PermissionDenied { detail: String },
    #[error("conflict: {detail}")]
    Conflict { detail: String },
    #[error("database: {detail}")]
    Database { detail: String },
    #[error("no password or client certificate was given")]
    NoSecret,
    #[error("export: {detail}")]
    Export { detail: String },
    #[error("settings {path}: {detail}")]
    Config { path: PathBuf, detail: String },
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    NotAllowed(#[from] policy::Refusal),
    #[error(transparent)]
    Identity(Box<crate::identity::IdentityError>),
}

impl From<crate::identity::IdentityError> for TeamError {
    fn from(e: crate::identity::IdentityError) -> Self {
        TeamError::Identity(Box::new(e))
    }
}

impl TeamError {
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            TeamError::NotConnected | TeamError::NotSetUp | TeamError::TooNew { .. } => K::TeamNotReady,
            TeamError::InvalidAddress { .. } | TeamError::InvalidLogin { .. } | TeamError::NoSecret => K::InvalidInput,
            TeamError::CaFile { .. } | TeamError::ClientCertificate { .. } | TeamError::Export { .. } => K::File,
            TeamError::Tls { .. } => K::TeamTls,
            TeamError::Unreachable { .. } => K::TeamUnreachable,
            TeamError::Auth { .. } => K::TeamAuth,
            TeamError::NoSuchDatabase { .. } | TeamError::PermissionDenied { .. } | TeamError::Conflict { .. } | TeamError::Database { .. } => {
                K::TeamDatabase
            }
            TeamError::Config { .. } => K::Config,
            TeamError::Vault(v) => v.kind(),
            TeamError::Journal(j) => j.kind(),
            TeamError::NotAllowed(_) => K::NotAllowed,
            TeamError::Identity(e) => e.kind(),
        }
    }

    pub fn user_message(&self) -> String {
        match self {
            TeamError::NotConnected => "This computer is not connected to a team journal. A super admin connects it with \
                 `rackdesk team connect` or in Settings → Team journal."
                .into(),
            TeamError::InvalidAddress { reason } => format!("The team database's address is not usable: {reason}."),
            TeamError::InvalidLogin { name } => format!(
                "\"{name}\" cannot be used as a login name here: use lower-case letters, digits and _ (at most 63, not starting with pg_)."
            ),
            TeamError::CaFile { file, .. } => {
                format!("The CA file {file} could not be used: it must hold the certificate (PEM) that signed the database server's certificate.")
            }
            TeamError::ClientCertificate { .. } => "The client certificate or its key could not be used: give the certificate (PEM) and its \
                 private key (PEM, unencrypted; an elliptic-curve key fits in every credential vault)."
                .into(),
            TeamError::Tls { .. } => "The team database's certificate could not be trusted (or names another server), so Rackdesk did not \
                 connect. Check the address, or choose the CA file that signed the server's certificate."
                .into(),
            TeamError::Unreachable { .. } => "The team database cannot be reached right now (no network, the server is stopped, or it \
                 did not answer). Nothing is lost: this computer's journal keeps every entry and ships it when the database is back."
                .into(),
            TeamError::Auth { .. } => "The team database refused the login: check the login name and its password (or certificate), \
                 and that the server lets this login connect over TLS."
                .into(),
            TeamError::NoSuchDatabase { .. } => "The team database server has no database of that name. Check the address.".into(),
            TeamError::NotSetUp => "The team database is not set up yet. A super admin sets it up once with `rackdesk team init` \
                 (or in Settings → Team journal), signing in as the database's owner."
                .into(),
            TeamError::TooNew { found, supported } => format!(
                "The team database was set up by a newer Rackdesk (schema {found}; this one knows up to {supported}). Update Rackdesk on this computer."
            ),
            TeamError::PermissionDenied { .. } => "The team database did not allow that to this login. Setting the database up needs its \
                 owner (a login allowed to create roles); the computers' login can only add and read entries."
                .into(),
            TeamError::Conflict { detail } => format!(
                "Shipping stopped: {detail}. This computer's journal was replaced, restored from a backup or edited since it \
                 shipped. Nothing was sent; run `rackdesk journal verify` and `rackdesk team verify`, and keep both for investigation."
            ),
            TeamError::Database { .. } => "The team database reported an error; the details say what.".into(),
            TeamError::NoSecret => "No password (or client certificate) was given for the team database.".into(),
            TeamError::Export { .. } => "The export file could not be written. Choose a folder you can write to.".into(),
            TeamError::Config { path, .. } => format!(
                "Rackdesk could not read or write its team settings {}. Check that the folder is writable; if the file is damaged, \
                 move it away and connect again.",
                path.display()
            ),
            TeamError::Vault(v) => match v {
                VaultError::Missing { .. } => "The team database's password is no longer in the credential vault. Connect again.".into(),
                other => other.user_message(),
            },
            TeamError::Journal(e) => format!("{} Nothing was changed: Rackdesk makes no change it cannot record.", e.user_message()),
            TeamError::NotAllowed(r) => r.message(),
            TeamError::Identity(e) => e.user_message(),
        }
    }

    pub fn detail(&self) -> Option<String> {
        match self {
            TeamError::CaFile { detail, .. }
            | TeamError::ClientCertificate { detail }
            | TeamError::Tls { detail }
            | TeamError::Unreachable { detail }
            | TeamError::Auth { detail }
            | TeamError::NoSuchDatabase { detail }
            | TeamError::PermissionDenied { detail }
            | TeamError::Database { detail }
            | TeamError::Export { detail }
            | TeamError::Config { detail, .. } => Some(detail.clone()),
            TeamError::Vault(v) => v.detail(),
            TeamError::Journal(j) => j.detail(),
            TeamError::Identity(e) => e.detail(),
            _ => None,
        }
    }

    /// A failure the next attempt may not have (network, server, vault locked for now).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, TeamError::Unreachable { .. })
    }
}

crate::error::explain_by_methods!(TeamError);

/// Team mode's status on this computer, for the status line.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TeamStatus {
    /// Team mode is on.
    pub connected: bool,
    /// "host:port/database".
    pub database: Option<String>,
    pub login: Option<String>,
    /// "up-to-date", "waiting", "unreachable", "stopped", "off".
    pub state: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub waiting: i64,
    /// ISO 8601, UTC.
    pub unreachable_since: Option<String>,
    pub last_shipped_at: Option<String>,
    /// The last failure's words.
    pub problem: Option<String>,
    /// "team journal: up to date" / "team journal: 12 entries waiting" / "team journal: unreachable since …".
    pub line: String,
    /// "hidden" or "read-only".
    pub help_desk_view: String,
    /// The person at this computer may see the team view.
    pub may_view: bool,
    /// ... and connect, set up, leave, decide what the help desk sees.
    pub may_manage: bool,
}

fn when(t: DateTime<Utc>) -> String {
    let now = Utc::now();
    if now.signed_duration_since(t) < chrono::Duration::hours(20) {
        t.format("%H:%M UTC").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M UTC").to_string()
    }
}

fn entries(n: i64) -> String {
    if n == 1 { "1 entry".into() } else { format!("{n} entries") }
}

impl TeamStatus {
    /// The status of team mode from a shipper's state (or the journal's own record of it).
    pub fn from_state(settings: &TeamSettings, s: &ShipState, role: crate::identity::Role) -> TeamStatus {
        let waiting = s.waiting();
        let (state, line, since, problem) = match &s.link {
            Link::Stopped { reason } => ("stopped", "team journal: shipping stopped (see Settings → Team journal)".to_string(), None, Some(reason.clone())),
            Link::Unreachable { since, error, .. } => (
                "unreachable",
                format!("team journal: unreachable since {}{}", when(*since), if waiting > 0 { format!(" ({} waiting)", entries(waiting)) } else { String::new() }),
                Some(since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                Some(error.clone()),
            ),
            _ if waiting == 0 => ("up-to-date", "team journal: up to date".to_string(), None, None),
            _ => ("waiting", format!("team journal: {} waiting", entries(waiting)), None, None),
        };
        TeamStatus {
            connected: true,
            database: Some(settings.database_label()),
            login: Some(settings.login()),
            state: state.into(),
            waiting,
            unreachable_since: since,
            last_shipped_at: s.last_shipped_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            problem,
            line,
            help_desk_view: settings.help_desk_view.as_str().into(),
            may_view: policy::team_view_allowed(role, settings.help_desk_view),
            may_manage: policy::allowed(role, Action::ManageTeamJournal),
        }
    }

    /// Team mode is off.
    pub fn off(role: crate::identity::Role) -> TeamStatus {
        TeamStatus {
            connected: false,
            database: None,
            login: None,
            state: "off".into(),
            waiting: 0,
            unreachable_since: None,
            last_shipped_at: None,
            problem: None,
            line: "team journal: off".into(),
            help_desk_view: HelpDeskView::Hidden.as_str().into(),
            may_view: false,
            may_manage: policy::allowed(role, Action::ManageTeamJournal),
        }
    }
}

/// How to check the server's certificate, as the person chose it.
#[derive(Debug, Clone)]
pub enum TrustChoice {
    /// This computer's trusted certificates.
    System,
    /// A CA file (read now; its text is kept in the settings).
    CaFile(PathBuf),
}

impl TrustChoice {
    fn read(&self) -> Result<Trust, TeamError> {
        match self {
            TrustChoice::System => Ok(Trust::System),
            TrustChoice::CaFile(p) => Trust::from_ca_file(p),
        }
    }
}

/// What `team connect` needs.
pub struct ConnectRequest {
    pub url: String,
    pub trust: TrustChoice,
    pub password: Option<SecretString>,
    /// A client certificate file (PEM) and its key file (PEM); read now, the key kept in the vault.
    pub client_cert: Option<(PathBuf, PathBuf)>,
}

/// What `team init` needs: the owner's login in `url`, its password (used for this once,
/// never stored), and the name of the computers' login.
pub struct InitRequest {
    pub url: String,
    pub trust: TrustChoice,
    pub password: Option<SecretString>,
    pub client_cert: Option<(PathBuf, PathBuf)>,
    pub pc_login: String,
}

/// What `team connect` did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Connected {
    pub database: String,
    pub login: String,
    pub trust: String,
    /// Rows of this computer's journal that will be shipped now.
    pub waiting: i64,
    /// Things to fix, none blocking (e.g. a login that could change rows).
    pub warnings: Vec<String>,
}

/// The team journal's use cases for the person at this computer.
pub struct Team<'a> {
    pub ids: &'a Identities,
    pub journal: &'a Journal,
    store: Arc<dyn SecretStore>,
    config_dir: PathBuf,
}

/// Who the journal records for a team change: the operator, on "this computer".
fn actor(operator: Operator) -> Actor {
    Actor { operator, identity_label: "this computer".into(), account: String::new(), api_admin: None }
}

fn read_secrets(password: Option<SecretString>, client_cert: &Option<(PathBuf, PathBuf)>) -> Result<(Secrets, Option<String>), TeamError> {
    let (cert, key) = match client_cert {
        None => (None, None),
        Some((c, k)) => {
            let cert = std::fs::read_to_string(c).map_err(|e| TeamError::ClientCertificate { detail: format!("{}: {e}", c.display()) })?;
            let key = SecretString::from(std::fs::read_to_string(k).map_err(|e| TeamError::ClientCertificate { detail: format!("{}: {e}", k.display()) })?);
            tls::client_auth(&cert, &key)?;
            (Some(cert), Some(key))
        }
    };
    if password.is_none() && cert.is_none() {
        return Err(TeamError::NoSecret);
    }
    Ok((Secrets { password, client_key: key }, cert))
}

impl<'a> Team<'a> {
    pub fn new(ids: &'a Identities, journal: &'a Journal) -> Team<'a> {
        let config_dir = ids.config_path().parent().map(|p| p.to_path_buf()).unwrap_or_default();
        Team { ids, journal, store: ids.store(), config_dir }
    }

    /// The settings, if team mode is on.
    pub fn settings(&self) -> Result<Option<TeamSettings>, TeamError> {
        settings::load(&self.config_dir)
    }

    fn require_settings(&self) -> Result<TeamSettings, TeamError> {
        self.settings()?.ok_or(TeamError::NotConnected)
    }

    pub fn store(&self) -> Arc<dyn SecretStore> {
        self.store.clone()
    }

    fn intent(&self, action: &str, target: &str, changes: serde_json::Value) -> Result<Intent, TeamError> {
        Ok(Intent { changes, ..Intent::for_actor(&actor(self.ids.operator()?), false, action, target) })
    }

    /// The allow-list: a refusal is journaled, then returned.
    fn permit(&self, action: Action, name: &str, target: &str, changes: &serde_json::Value) -> Result<(), TeamError> {
        let role = self.ids.operator()?.role;
        if let Err(r) = policy::check(role, action) {
            self.journal.refused(&self.intent(name, target, changes.clone())?, &r.message())?;
            return Err(r.into());
        }
        Ok(())
    }

    /// Whether the person at this computer may see the team view; a refusal is journaled.
    fn permit_view(&self, settings: &TeamSettings) -> Result<(), TeamError> {
        let role = self.ids.operator()?.role;
        if let Err(r) = policy::check_team_view(role, settings.help_desk_view) {
            self.journal.refused(&self.intent("team.view", &settings.database_label(), json!({}))?, &r.message())?;
            return Err(r.into());
        }
        Ok(())
    }

    fn finish<T>(&self, id: EntryId, r: &Result<T, TeamError>) {
        let outcome = match r {
            Ok(_) => Outcome::Success,
            Err(TeamError::NotAllowed(r)) => Outcome::Refused { reason: r.message() },
            Err(e) => Outcome::Failed { kind: e.kind().as_str().into(), message: e.user_message(), server_message: e.detail() },
        };
        if let Err(e) = self.journal.finish(id, &outcome) {
            tracing::warn!("journal outcome of entry {id} not written: {e}");
        }
    }

    /// Connects this computer to a team database: the address and TLS checked, the login
    /// tried, the database checked to be set up, then the password (or the client
    /// certificate's key) stored in the vault and the settings written. From then on every
    /// entry of this computer's journal — those written before too — is shipped. Super
    /// admins only; journaled.
    pub async fn connect(&self, req: ConnectRequest) -> Result<Connected, TeamError> {
        let address = Address::parse(&req.url);
        let target = address.as_ref().map(|a| a.label()).unwrap_or_else(|_| settings::redacted(&req.url));
        let login = address.as_ref().map(|a| a.login.clone()).unwrap_or_default();
        let trust_words = match &req.trust {
            TrustChoice::System => Trust::System.words(),
            TrustChoice::CaFile(p) => Trust::CaFile { file: p.display().to_string(), pem: String::new() }.words(),
        };
        let changes = json!({
            "login": {"new": login},
            "trust": {"new": trust_words},
            "clientCertificate": {"new": req.client_cert.is_some()},
            "password": if req.password.is_some() { "stored" } else { "none" },
        });
        self.permit(Action::ManageTeamJournal, "team.connect", &target, &changes)?;
        let id = self.journal.begin(&self.intent("team.connect", &target, changes)?)?;
        let r = self.connect_inner(req).await;
        self.finish(id, &r);
        r
    }

    async fn connect_inner(&self, req: ConnectRequest) -> Result<Connected, TeamError> {
        let address = Address::parse(&req.url)?;
        let trust = req.trust.read()?;
        let (secrets, client_cert_pem) = read_secrets(req.password, &req.client_cert)?;
        // Fail closed before anything else: no vault, no team mode.
        match self.store.get("rackdesk-vault-check") {
            Ok(_) | Err(VaultError::Missing { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        let db = Db::connect(&address, &trust, client_cert_pem.as_deref(), &secrets, db::CONNECT_TIMEOUT).await?;
        schema::require_ready(&db).await?;
        let warnings = schema::privilege_warnings(&db).await?;
        drop(db);
        let previous = self.settings()?;
        let new = TeamSettings {
            version: 1,
            url: address.url.clone(),
            trust: trust.clone(),
            client_cert_pem,
            has_password: secrets.password.is_some(),
            vault_id: settings::new_vault_id(),
            connected_at: Utc::now(),
            help_desk_view: previous.as_ref().map(|p| p.help_desk_view).unwrap_or_default(),
        };
        secrets.store(&new, self.store.as_ref())?;
        if let Err(e) = settings::save(&self.config_dir, &new) {
            settings::forget(&new, self.store.as_ref());
            return Err(e);
        }
        if let Some(old) = previous {
            for e in settings::forget(&old, self.store.as_ref()) {
                tracing::warn!("the previous team database's vault entry was not removed: {e}");
            }
        }
        let shipped = self.journal.outbox(&address.label())?.shipped_seq;
        let waiting = self.journal.head()?.0 - shipped;
        Ok(Connected { database: address.label(), login: address.login, trust: trust.words(), waiting, warnings })
    }

    /// Sets a team database up (or brings it up to date): schema, roles, grants, and the
    /// computers' login with a new password shown once. Signs in with the owner's login given
    /// here; its password is used for this once and never stored. Super admins only; journaled.
    pub async fn init(&self, req: InitRequest) -> Result<InitReport, TeamError> {
        let address = Address::parse(&req.url);
        let target = address.as_ref().map(|a| a.label()).unwrap_or_else(|_| settings::redacted(&req.url));
        let changes = json!({
            "owner": {"new": address.as_ref().map(|a| a.login.clone()).unwrap_or_default()},
            "pcLogin": {"new": req.pc_login.trim()},
        });
        self.permit(Action::ManageTeamJournal, "team.init", &target, &changes)?;
        let id = self.journal.begin(&self.intent("team.init", &target, changes)?)?;
        let r = async {
            let address = address?;
            let trust = req.trust.read()?;
            let (secrets, cert) = read_secrets(req.password, &req.client_cert)?;
            let mut db = Db::connect(&address, &trust, cert.as_deref(), &secrets, db::CONNECT_TIMEOUT).await?;
            schema::init(&mut db, &address.label(), &req.pc_login).await
        }
        .await;
        self.finish(id, &r);
        r
    }

    /// Leaves team mode: shipping stops, the vault entries and the settings are removed, this
    /// computer's journal is kept whole (and the team database keeps what it has). Super
    /// admins only; journaled.
    pub fn disconnect(&self) -> Result<TeamSettings, TeamError> {
        let s = self.require_settings()?;
        let target = s.database_label();
        let changes = json!({"password": if s.has_password { "deleted" } else { "none" }});
        self.permit(Action::ManageTeamJournal, "team.disconnect", &target, &changes)?;
        let id = self.journal.begin(&self.intent("team.disconnect", &target, changes)?)?;
        let r = (|| {
            match self.store.get("rackdesk-vault-check") {
                Ok(_) | Err(VaultError::Missing { .. }) => {}
                Err(e) => return Err(TeamError::from(e)),
            }
            settings::remove(&self.config_dir)?;
            if let Some(e) = settings::forget(&s, self.store.as_ref()).into_iter().next() {
                return Err(e.into());
            }
            Ok(s.clone())
        })();
        self.finish(id, &r);
        r
    }

    /// Decides what the help desk sees of the team journal on this computer. Super admins
    /// only; journaled.
    pub fn set_help_desk_view(&self, view: HelpDeskView) -> Result<TeamSettings, TeamError> {
        let mut s = self.require_settings()?;
        let target = s.database_label();
        let changes = json!({"helpDeskView": {"old": s.help_desk_view.as_str(), "new": view.as_str()}});
        self.permit(Action::ManageTeamJournal, "team.help-desk-view", &target, &changes)?;
        let id = self.journal.begin(&self.intent("team.help-desk-view", &target, changes)?)?;
        s.help_desk_view = view;
        let r = settings::save(&self.config_dir, &s).map(|_| s);
        self.finish(id, &r);
        r
    }

    /// Team mode's status: from the journal's outbox, checked against the team database when
    /// it answers within `timeout` (else "unreachable").
    pub async fn status(&self, timeout: Duration) -> Result<TeamStatus, TeamError> {
        let role = self.ids.operator()?.role;
        let Some(s) = self.settings()? else { return Ok(TeamStatus::off(role)) };
        let database = s.database_label();
        let head = self.journal.head()?.0;
        let outbox = self.journal.outbox(&database)?;
        let mut state = ShipState {
            database: database.clone(),
            machine_id: self.journal.machine_id()?,
            head,
            shipped: outbox.shipped_seq.min(head),
            last_shipped_at: outbox.shipped_at,
            link: Link::Starting,
            attempts: 0,
        };
        let checked = async {
            let db = ship::connect(&s, self.store.as_ref(), timeout).await?;
            let r = db
                .client
                .query_one("SELECT coalesce(max(seq), 0) FROM rackdesk.entries WHERE machine_id = $1", &[&state.machine_id])
                .await
                .map_err(db::classify)?;
            Ok::<i64, TeamError>(r.get(0))
        };
        match tokio::time::timeout(timeout, checked).await {
            Ok(Ok(there)) => {
                state.shipped = there.min(head);
                state.link = Link::Connected;
            }
            Ok(Err(e)) if !e.is_unreachable() && !matches!(e, TeamError::Vault(_)) => return Err(e),
            Ok(Err(e)) => {
                let since = outbox.unreachable_since.unwrap_or_else(Utc::now);
                state.link = Link::Unreachable { since, error: e.user_message(), retry_in_secs: 0 };
            }
            Err(_) => {
                let since = outbox.unreachable_since.unwrap_or_else(Utc::now);
                state.link = Link::Unreachable { since, error: "the team database did not answer in time".into(), retry_in_secs: 0 };
            }
        }
        Ok(TeamStatus::from_state(&s, &state, role))
    }

    /// Ships everything waiting now and waits for it (`rackdesk team ship`).
    pub async fn ship(&self, journal: Arc<Journal>) -> Result<ShipReport, TeamError> {
        let s = self.require_settings()?;
        ship::ship_now(journal, &s, self.store.as_ref(), &ShipOptions::default()).await
    }

    /// Starts the background shipper for `journal`, if team mode is on.
    pub fn start_shipper(&self, journal: Arc<Journal>, opts: ShipOptions) -> Result<Option<Shipper>, TeamError> {
        Ok(self.settings()?.map(|s| Shipper::start(journal, s, self.store.clone(), opts)))
    }

    async fn viewer(&self) -> Result<(TeamSettings, Db), TeamError> {
        let s = self.require_settings()?;
        self.permit_view(&s)?;
        let db = ship::connect(&s, self.store.as_ref(), db::CONNECT_TIMEOUT).await?;
        Ok((s, db))
    }

    /// Checks every computer's chain on the team side (and this computer's rows against its
    /// own journal). `quiet`: how long a computer may be out of touch before it counts as
    /// having stopped shipping.
    pub async fn verify(&self, quiet: Duration) -> Result<TeamVerifyReport, TeamError> {
        let (s, db) = self.viewer().await?;
        verify::verify(&db, &s.database_label(), quiet, Some(self.journal)).await
    }

    /// The team view: entries of every computer matching the filter, newest first.
    pub async fn list(&self, filter: &TeamFilter) -> Result<Vec<TeamEntry>, TeamError> {
        let (_, db) = self.viewer().await?;
        view::query(&db, filter).await
    }

    /// Writes the entries matching the filter as CSV. Returns how many.
    pub async fn export<W: std::io::Write>(&self, filter: &TeamFilter, out: W) -> Result<usize, TeamError> {
        let (_, db) = self.viewer().await?;
        view::export(&db, filter, out).await
    }

    /// Follows the team journal (see [`TeamWatch`]).
    pub async fn watch(&self, filter: TeamFilter) -> Result<TeamWatch, TeamError> {
        let (_, db) = self.viewer().await?;
        TeamWatch::open(db, filter).await
    }
}
