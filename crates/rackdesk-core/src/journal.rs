//! The journal: Rackdesk's local, append-only, tamper-evident record of every change.
//!
//! Every change made through Rackdesk (the app, the CLI or a bulk job) is written twice:
//! an *intent* row before the request is sent ([`Journal::begin`]) and an *outcome* row after
//! the answer ([`Journal::finish`]). A crash in between leaves an intent without an outcome;
//! [`Journal::unfinished`] lists those so Rackdesk can settle them on its next start by
//! reading the object back and recording a [`Outcome::Reconciled`] outcome.
//!
//! # Storage
//!
//! One SQLite file (`<data dir>/journal.sqlite3`) in WAL mode with a busy timeout, so the app
//! and the CLI can write at the same time. All rows live in one table, `journal`, numbered
//! `seq` = 1, 2, 3, ... without gaps. Rows are never updated or deleted: triggers refuse both,
//! and outcomes are rows of their own that point at their intent (`intent_id`).
//!
//! # Tamper evidence
//!
//! Each row carries `prev_hash` (the previous row's `hash`, or 64 zeros for the first) and
//! `hash` = SHA-256 over a fixed prefix, `prev_hash` and a canonical, typed encoding of every
//! content column. The `chain_head` table keeps the last row's number and hash, so rows
//! removed from the end are noticed too. [`Journal::verify`] recomputes the chain and says,
//! for each row, whether it was edited, deleted or moved.
//!
//! What this does not do: someone who understands the scheme and can write the file can
//! rebuild the whole chain after an edit. The chain catches edits made with an ordinary
//! database tool; protecting against a determined local administrator needs the head hash
//! kept somewhere they cannot write.
//!
//! # Secrets
//!
//! Passwords and keys are never recorded. Callers put only "changed" for them; the journal
//! also replaces, before storing, the value of any key in `changes` whose name looks like a
//! password, secret, key or token, at any depth ([`redact_changes`]).

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{params_from_iter, Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// A row number in the journal (the intent's, for an entry).
pub type EntryId = i64;

/// The file name of the journal inside the data folder.
pub const FILE_NAME: &str = "journal.sqlite3";

/// How long a writer waits for another process (the app, the CLI) to finish its write.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `PRAGMA application_id` of a Rackdesk journal ("RDJL").
pub const APPLICATION_ID: i32 = 0x5244_4A4C;

/// The schema version this code writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What goes into every row's hash before its content; changes only with the hash recipe.
const HASH_DOMAIN: &[u8] = b"rackdesk-journal/1\n";

/// Migrations: `MIGRATIONS[n]` takes the schema from version `n` to `n + 1`. Never edit one
/// that has shipped; add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the journal, its end marker, and the append-only rule.
    "CREATE TABLE journal (
        seq            INTEGER PRIMARY KEY,
        kind           TEXT NOT NULL,
        intent_id      INTEGER,
        at             TEXT NOT NULL,
        operator       TEXT,
        os_user        TEXT,
        role           TEXT,
        machine        TEXT,
        identity_label TEXT,
        account        TEXT,
        api_admin      TEXT,
        sandbox        INTEGER,
        action         TEXT,
        target         TEXT,
        changes        TEXT,
        correlation_id TEXT,
        status         TEXT,
        error_kind     TEXT,
        error_message  TEXT,
        server_message TEXT,
        detail         TEXT,
        prev_hash      TEXT NOT NULL,
        hash           TEXT NOT NULL
    );
    CREATE TABLE chain_head (
        one  INTEGER PRIMARY KEY CHECK (one = 1),
        seq  INTEGER NOT NULL,
        hash TEXT NOT NULL
    );
    CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'the Rackdesk journal is append-only'); END;
    CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'the Rackdesk journal is append-only'); END;",
    // 2: indexes for the journal view's filters and for joining outcomes to intents.
    "CREATE INDEX journal_outcomes ON journal(intent_id, seq) WHERE intent_id IS NOT NULL;
    CREATE INDEX journal_operator ON journal(operator COLLATE NOCASE) WHERE kind = 'intent';
    CREATE INDEX journal_action ON journal(action) WHERE kind = 'intent';
    CREATE INDEX journal_target ON journal(target COLLATE NOCASE) WHERE kind = 'intent';
    CREATE INDEX journal_at ON journal(at) WHERE kind = 'intent';
    CREATE INDEX journal_correlation ON journal(correlation_id)
        WHERE kind = 'intent' AND correlation_id IS NOT NULL;",
];

/// The hashed content columns, in hashing order. `seq` is not among them (the chain itself
/// fixes each row's place), nor are `prev_hash` (hashed separately) and `hash`.
const CONTENT_COLUMNS: [&str; 20] = [
    "kind",
    "intent_id",
    "at",
    "operator",
    "os_user",
    "role",
    "machine",
    "identity_label",
    "account",
    "api_admin",
    "sandbox",
    "action",
    "target",
    "changes",
    "correlation_id",
    "status",
    "error_kind",
    "error_message",
    "server_message",
    "detail",
];

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/// What is about to be done, by whom, through which API admin. Written before the request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    /// The operator's name (the person using Rackdesk).
    pub operator: String,
    /// The logged-in OS user.
    pub os_user: String,
    /// The operator's role as people read it: "super admin" or "help desk".
    pub role: String,
    /// The computer's name.
    pub machine: String,
    pub identity_label: String,
    pub account: String,
    pub api_admin: Option<String>,
    /// True for the built-in simulator, false for the real service.
    pub sandbox: bool,
    /// e.g. "mailbox.create", "mailbox.set", "mailbox.reset-password", "alias.delete", "role.switch".
    pub action: String,
    /// e.g. "jane@example.com".
    pub target: String,
    /// The fields changed, e.g. `{"enabled": {"old": true, "new": false}}`. Secrets are replaced
    /// by "changed" before storing (see [`redact_changes`]).
    pub changes: serde_json::Value,
    /// Shared by every entry of one bulk job.
    pub correlation_id: Option<String>,
}

impl Intent {
    /// An intent for `actor`, with the OS user and machine name of this computer and no
    /// changes yet (set `changes` and `correlation_id` as needed).
    pub fn for_actor(
        actor: &crate::identity::Actor,
        sandbox: bool,
        action: impl Into<String>,
        target: impl Into<String>,
    ) -> Intent {
        Intent {
            operator: actor.operator.name.clone(),
            os_user: crate::identity::os_user(),
            role: actor.operator.role.label().into(),
            machine: machine_name(),
            identity_label: actor.identity_label.clone(),
            account: actor.account.clone(),
            api_admin: actor.api_admin.clone(),
            sandbox,
            action: action.into(),
            target: target.into(),
            changes: serde_json::Value::Object(Default::default()),
            correlation_id: None,
        }
    }
}

/// The name of this computer, for [`Intent::machine`].
pub fn machine_name() -> String {
    whoami::fallible::hostname()
        .ok()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or_else(whoami::devicename)
}

/// How a change ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status")]
pub enum Outcome {
    Success,
    /// The typed error's kind (e.g. "conflict"), its plain message, and the server's own words.
    Failed { kind: String, message: String, server_message: Option<String> },
    /// A help-desk rule refused it before anything was sent.
    Refused { reason: String },
    /// Could not be determined (e.g. the connection broke after sending).
    Unknown { note: String },
    /// Settled later by reading the object back, e.g. "applied" / "not applied".
    Reconciled { result: String },
}

impl Outcome {
    /// The status word stored and filtered on: "success", "failed", "refused", "unknown", "reconciled".
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failed { .. } => "failed",
            Outcome::Refused { .. } => "refused",
            Outcome::Unknown { .. } => "unknown",
            Outcome::Reconciled { .. } => "reconciled",
        }
    }

    /// The outcome for a request that ended in `err`: `Unknown` when the change may or may
    /// not have been made, else `Failed` with the error's kind, plain message and the
    /// server's words.
    pub fn from_api_error(err: &crate::ApiError) -> Outcome {
        use crate::error::SendPhase;
        use crate::ApiError;
        match err {
            ApiError::Unconfirmed { .. }
            | ApiError::Network { phase: SendPhase::MaybeSent, .. }
            | ApiError::Timeout { phase: SendPhase::MaybeSent, .. } => Outcome::Unknown { note: err.user_message() },
            _ => Outcome::Failed {
                kind: err.kind().as_str().to_string(),
                message: err.user_message(),
                server_message: err.reply().and_then(|r| r.message()).map(str::to_owned),
            },
        }
    }
}

/// An intent together with its latest outcome.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id: EntryId,
    pub at: DateTime<Utc>,
    /// When the latest outcome was written.
    pub finished_at: Option<DateTime<Utc>>,
    pub operator: String,
    pub os_user: String,
    pub role: String,
    pub machine: String,
    pub identity_label: String,
    pub account: String,
    pub api_admin: Option<String>,
    pub sandbox: bool,
    pub action: String,
    pub target: String,
    pub changes: serde_json::Value,
    pub correlation_id: Option<String>,
    /// `None`: no outcome yet (still in progress, or Rackdesk stopped before it was written).
    pub outcome: Option<Outcome>,
}

impl Entry {
    /// "success", "failed", "refused", "unknown", "reconciled" or "pending".
    pub fn status(&self) -> &'static str {
        self.outcome.as_ref().map_or("pending", Outcome::status)
    }
}

/// Which entries to show. Every field narrows; the default shows everything, newest first.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The operator's name, exactly (ignoring case).
    pub operator: Option<String>,
    /// Part of the target, ignoring case.
    pub target: Option<String>,
    /// The action exactly, e.g. "mailbox.set"; a trailing `*` matches a prefix ("mailbox.*").
    pub action: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries at or before this time.
    pub until: Option<DateTime<Utc>>,
    /// "success" | "failed" | "refused" | "unknown" | "reconciled" | "pending".
    pub outcome: Option<String>,
    pub correlation_id: Option<String>,
    /// At most this many, newest first.
    pub limit: Option<usize>,
}

/// A filter as a person types it (dates as YYYY-MM-DD, UTC; empty fields ignored), for
/// [`Filter::from_text`]: the app's journal page and `rackdesk journal list` read it alike.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JournalFilter"))]
#[serde(rename_all = "camelCase", default)]
pub struct FilterText {
    pub operator: Option<String>,
    pub target: Option<String>,
    pub action: Option<String>,
    /// YYYY-MM-DD (UTC), inclusive.
    pub since: Option<String>,
    pub until: Option<String>,
    pub result: Option<String>,
    /// Entries of one bulk job.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub correlation_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub limit: Option<usize>,
}

/// The results a filter may ask for.
pub const RESULTS: [&str; 6] = ["success", "failed", "refused", "unknown", "reconciled", "pending"];

impl Filter {
    /// The one reading of a typed filter: trims, drops empty fields, reads `since` as the
    /// start and `until` as the end of its day (UTC), and refuses an unknown result word or a
    /// date that is not YYYY-MM-DD.
    pub fn from_text(t: &FilterText) -> Result<Filter, JournalError> {
        let nonempty = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let day = |field: &str, s: &str, end: bool| -> Result<DateTime<Utc>, JournalError> {
            let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| JournalError::InvalidFilter(format!("the {field} date \"{s}\" is not a date; write it as YYYY-MM-DD")))?;
            let t = if end { d.and_hms_opt(23, 59, 59) } else { d.and_hms_opt(0, 0, 0) };
            Ok(t.unwrap_or_default().and_utc())
        };
        let result = nonempty(&t.result).map(|r| r.to_ascii_lowercase());
        if let Some(r) = result.as_deref().filter(|r| !RESULTS.contains(r)) {
            return Err(JournalError::InvalidFilter(format!("\"{r}\" is not a result; use one of: {}", RESULTS.join(", "))));
        }
        let since = nonempty(&t.since).map(|s| day("from", &s, false)).transpose()?;
        let until = nonempty(&t.until).map(|s| day("to", &s, true)).transpose()?;
        if let (Some(a), Some(b)) = (since, until) {
            if a > b {
                return Err(JournalError::InvalidFilter("the \"from\" date is after the \"to\" date".into()));
            }
        }
        Ok(Filter {
            operator: nonempty(&t.operator),
            target: nonempty(&t.target),
            action: nonempty(&t.action),
            since,
            until,
            outcome: result,
            correlation_id: nonempty(&t.correlation_id),
            limit: t.limit,
        })
    }
}

/// The result of [`Journal::verify`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// How many rows (intents and outcomes) were checked.
    pub rows: u64,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// One thing wrong with the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The row (entry number) concerned.
    pub row: i64,
    pub kind: ProblemKind,
    /// A plain sentence naming the entry.
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    Edited,
    Deleted,
    Reordered,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// Not an SQLite database, damaged, or an SQLite database that is not a Rackdesk journal.
    #[error("journal {path} is unreadable: {detail}")]
    Unreadable { path: PathBuf, detail: String },
    /// Written by a newer Rackdesk, with a schema this code does not know.
    #[error("journal {path} has schema version {found}; this Rackdesk knows up to {supported}")]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    /// Another process held the journal longer than the busy timeout.
    #[error("journal {path} is busy: {detail}")]
    Busy { path: PathBuf, detail: String },
    /// The file or its folder cannot be created, opened or written (permissions, disk full...).
    #[error("journal {path}: {detail}")]
    Io { path: PathBuf, detail: String },
    /// No data folder could be found (no home folder and no `RACKDESK_DATA_DIR`).
    #[error("no data folder: {0}")]
    NoDataDir(String),
    /// `finish` named a row that is not an intent in this journal.
    #[error("the journal has no intent {0}")]
    NotFound(EntryId),
    /// A filter value that cannot be right (e.g. an unknown outcome word).
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    /// Writing an export failed.
    #[error("could not write the export: {0}")]
    Export(String),
    /// Any other failure reported by SQLite.
    #[error("journal {path}: {detail}")]
    Failed { path: PathBuf, detail: String },
}

impl JournalError {
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind as K;
        match self {
            JournalError::NotFound(_) => K::NotFound,
            JournalError::InvalidFilter(_) => K::InvalidInput,
            JournalError::Export(_) => K::File,
            _ => K::Journal,
        }
    }

    /// True when Rackdesk must not make changes, because it could not record them.
    pub fn blocks_changes(&self) -> bool {
        !matches!(self, JournalError::NotFound(_) | JournalError::InvalidFilter(_) | JournalError::Export(_))
    }

    pub fn user_message(&self) -> String {
        const REFUSE: &str = "Rackdesk will not make changes it cannot record.";
        match self {
            JournalError::Unreadable { path, .. } => format!(
                "Rackdesk's journal {} cannot be read: it is damaged, or it is not a Rackdesk journal. {REFUSE} \
                 Move the file somewhere safe (keep it: it is the record of past changes) and start Rackdesk \
                 again to begin a new journal.",
                path.display()
            ),
            JournalError::TooNew { path, found, supported } => format!(
                "Rackdesk's journal {} was written by a newer version of Rackdesk (journal version {found}; this \
                 version knows up to {supported}). Update Rackdesk. {REFUSE}",
                path.display()
            ),
            JournalError::Busy { path, .. } => format!(
                "Another copy of Rackdesk (the app or the CLI) kept the journal {} busy for more than {} seconds. \
                 Wait a moment and try again.",
                path.display(),
                BUSY_TIMEOUT.as_secs()
            ),
            JournalError::Io { path, .. } => format!(
                "Rackdesk cannot write its journal {}. Check that the folder exists and is writable and that the \
                 disk is not full. {REFUSE}",
                path.display()
            ),
            JournalError::NoDataDir(_) => format!(
                "Rackdesk could not find a folder for its journal (no home folder was found). Set \
                 RACKDESK_DATA_DIR to a writable folder. {REFUSE}"
            ),
            JournalError::NotFound(id) => format!("The journal has no entry {id}."),
            JournalError::InvalidFilter(reason) => format!("The journal filter is not valid: {reason}."),
            JournalError::Export(_) => "Rackdesk could not write the export file. Check that the folder is writable and the disk is not full.".into(),
            JournalError::Failed { path, .. } => format!(
                "Rackdesk's journal {} reported an error; see the details. {REFUSE}",
                path.display()
            ),
        }
    }

    pub fn detail(&self) -> Option<String> {
        match self {
            JournalError::Unreadable { detail, .. }
            | JournalError::Busy { detail, .. }
            | JournalError::Io { detail, .. }
            | JournalError::Failed { detail, .. } => Some(detail.clone()),
            JournalError::NoDataDir(d) | JournalError::Export(d) => Some(d.clone()),
            JournalError::TooNew { found, supported, .. } => {
                Some(format!("PRAGMA user_version is {found}; supported up to {supported}"))
            }
            JournalError::NotFound(_) | JournalError::InvalidFilter(_) => None,
        }
    }

    fn sqlite(path: &Path, e: rusqlite::Error) -> JournalError {
        let path = path.to_path_buf();
        let detail = e.to_string();
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => JournalError::Busy { path, detail },
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => JournalError::Unreadable { path, detail },
            Some(
                ErrorCode::CannotOpen
                | ErrorCode::PermissionDenied
                | ErrorCode::ReadOnly
                | ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::NoLargeFileSupport,
            ) => JournalError::Io { path, detail },
            _ => JournalError::Failed { path, detail },
        }
    }
}

/// The folder for Rackdesk's data (the journal): `RACKDESK_DATA_DIR` if set and not empty,
/// else the platform's (`~/.local/share/rackdesk` on Linux, `%APPDATA%\Rackdesk\Rackdesk\data`
/// on Windows, `~/Library/Application Support/com.Rackdesk.Rackdesk` on macOS).
pub fn data_dir() -> Result<PathBuf, JournalError> {
    if let Some(d) = std::env::var_os("RACKDESK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    directories::ProjectDirs::from("com", "Rackdesk", "Rackdesk")
        .map(|p| p.data_dir().to_path_buf())
        .ok_or_else(|| JournalError::NoDataDir("no home folder was found".into()))
}

/// Replaces, at any depth, the value of every object key that names a secret (password,
/// passwd, passphrase, secret, key, token, credential; any case) with `"changed"`. Also
/// redacts `old`/`new`/`value` in objects like `{"field": "password", "new": ...}`.
pub fn redact_changes(changes: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    fn secret_name(k: &str) -> bool {
        let k = k.to_ascii_lowercase();
        ["password", "passwd", "passphrase", "pwd", "secret", "key", "token", "credential"]
            .iter()
            .any(|s| k.contains(s))
    }
    match changes {
        Value::Object(map) => {
            let names_secret = ["field", "name", "attribute"]
                .iter()
                .any(|f| map.get(*f).and_then(Value::as_str).is_some_and(secret_name));
            Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let hide = secret_name(k)
                            || (names_secret && matches!(k.as_str(), "old" | "new" | "value" | "from" | "to"));
                        (k.clone(), if hide { Value::String("changed".into()) } else { redact_changes(v) })
                    })
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(redact_changes).collect()),
        other => other.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// The journal
// ---------------------------------------------------------------------------------------------

/// An open journal. One connection, shared by the threads of a process; other processes open
/// their own. `Send + Sync`.
pub struct Journal {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The hash chain's last link.
struct Head {
    seq: i64,
    hash: String,
}

/// Where the row's content values go, in [`CONTENT_COLUMNS`] order.
type Content = [SqlValue; 20];

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn opt_text(s: Option<&str>) -> SqlValue {
    s.map_or(SqlValue::Null, |s| SqlValue::Text(s.to_owned()))
}

impl Journal {
    /// `<data dir>/journal.sqlite3`; see [`data_dir`].
    pub fn default_path() -> Result<PathBuf, JournalError> {
        Ok(data_dir()?.join(FILE_NAME))
    }

    /// Opens the journal at [`Journal::default_path`].
    pub fn open_default() -> Result<Journal, JournalError> {
        Journal::open(&Journal::default_path()?)
    }

    /// Opens or creates the journal at `path`: WAL, a busy timeout of [`BUSY_TIMEOUT`], foreign
    /// keys on, then the versioned migrations. Refuses a file that is not an SQLite database,
    /// is damaged, belongs to another program, or has a newer schema than this code knows.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let err = |e| JournalError::sqlite(path, e);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| JournalError::Io {
                path: path.to_path_buf(),
                detail: format!("could not create the folder {}: {e}", parent.display()),
            })?;
        }
        if path.is_dir() {
            return Err(JournalError::Io { path: path.to_path_buf(), detail: "this is a folder, not a file".into() });
        }
        let mut conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;

        // The first read of the file: "file is not a database" shows here.
        let version = user_version(&conn).map_err(err)?;
        check_identity(&conn, path, version)?;

        set_wal(&conn).map_err(err)?;
        // FULL: each commit reaches the disk before the request it records is sent.
        conn.pragma_update(None, "synchronous", "FULL").map_err(err)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(err)?;
        conn.pragma_update(None, "cache_size", -16_000).map_err(err)?;

        migrate(&mut conn, path, SCHEMA_VERSION)?;

        // Catch damage in the table itself now rather than halfway through a change.
        conn.query_row("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", [], |_| Ok(()))
            .optional()
            .map_err(err)?;
        Ok(Journal { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn err(&self, e: rusqlite::Error) -> JournalError {
        JournalError::sqlite(&self.path, e)
    }

    /// Appends the intent row, before the request is sent. Returns its id.
    pub fn begin(&self, intent: &Intent) -> Result<EntryId, JournalError> {
        let content = intent_content(intent, Utc::now());
        let mut conn = self.lock();
        append(&mut conn, &content, None).map_err(|e| self.append_err(e))
    }

    /// Appends an outcome row for intent `id`, after the request. An intent may get more than
    /// one outcome (e.g. `Unknown`, then `Reconciled`); the latest counts.
    pub fn finish(&self, id: EntryId, outcome: &Outcome) -> Result<(), JournalError> {
        let content = outcome_content(id, outcome, Utc::now());
        let mut conn = self.lock();
        append(&mut conn, &content, Some(id)).map(|_| ()).map_err(|e| self.append_err(e))
    }

    /// For something refused before any request: the intent and a `Refused` outcome, written
    /// together.
    pub fn refused(&self, intent: &Intent, reason: &str) -> Result<EntryId, JournalError> {
        let now = Utc::now();
        let intent_row = intent_content(intent, now);
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
        let id = append_in(&tx, &intent_row).map_err(|e| self.err(e))?;
        let outcome_row = outcome_content(id, &Outcome::Refused { reason: reason.to_owned() }, now);
        append_in(&tx, &outcome_row).map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))?;
        Ok(id)
    }

    fn append_err(&self, e: AppendError) -> JournalError {
        match e {
            AppendError::NoIntent(id) => JournalError::NotFound(id),
            AppendError::Sql(e) => self.err(e),
        }
    }

    /// Intents that have no outcome yet, oldest first: a crash between request and outcome,
    /// or a change still being made by another copy of Rackdesk right now (compare `at`).
    pub fn unfinished(&self) -> Result<Vec<Entry>, JournalError> {
        let filter = Filter { outcome: Some("pending".into()), ..Filter::default() };
        self.select(&filter, None, Order::OldestFirst)
    }

    /// Intents whose outcome is not settled (none yet, or `Unknown`) and that began before
    /// `before`, oldest first: what to reconcile at start.
    pub fn unsettled(&self, before: DateTime<Utc>) -> Result<Vec<Entry>, JournalError> {
        let mut out = Vec::new();
        for outcome in ["pending", "unknown"] {
            let filter = Filter { outcome: Some(outcome.into()), until: Some(before), ..Filter::default() };
            out.extend(self.select(&filter, None, Order::OldestFirst)?);
        }
        out.sort_by_key(|e| e.id);
        Ok(out)
    }

    /// Entries (each intent with its latest outcome) matching `filter`, newest first.
    pub fn query(&self, filter: &Filter) -> Result<Vec<Entry>, JournalError> {
        self.select(filter, None, Order::NewestFirst)
    }

    /// One mailbox's (or alias's, or domain's) history: entries whose target is exactly
    /// `target` (ignoring case), newest first.
    pub fn history(&self, target: &str, limit: Option<usize>) -> Result<Vec<Entry>, JournalError> {
        let filter = Filter { limit, ..Filter::default() };
        self.select(&filter, Some(target), Order::NewestFirst)
    }

    /// One entry by its id, if it is an intent in this journal.
    pub fn entry(&self, id: EntryId) -> Result<Option<Entry>, JournalError> {
        let conn = self.lock();
        let sql = format!("{SELECT_ENTRY} WHERE i.kind = 'intent' AND i.seq = ?1");
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        stmt.query_row([id], entry_from_row).optional().map_err(|e| self.err(e))
    }

    /// How many entries match `filter` (its limit ignored).
    pub fn count(&self, filter: &Filter) -> Result<u64, JournalError> {
        let (where_sql, params) = where_clause(filter, None)?;
        let sql = format!("SELECT count(*) FROM journal i {OUTCOME_JOIN} {where_sql}");
        let conn = self.lock();
        let n: i64 = conn.query_row(&sql, params_from_iter(params), |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok(n.max(0) as u64)
    }

    fn select(&self, filter: &Filter, exact_target: Option<&str>, order: Order) -> Result<Vec<Entry>, JournalError> {
        let mut out = Vec::new();
        self.for_each(filter, exact_target, order, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    fn for_each(
        &self,
        filter: &Filter,
        exact_target: Option<&str>,
        order: Order,
        mut each: impl FnMut(Entry) -> Result<(), JournalError>,
    ) -> Result<(), JournalError> {
        let (where_sql, mut params) = where_clause(filter, exact_target)?;
        let mut sql = format!(
            "{SELECT_ENTRY} {where_sql} ORDER BY i.seq {}",
            match order {
                Order::NewestFirst => "DESC",
                Order::OldestFirst => "ASC",
            }
        );
        if let Some(limit) = filter.limit {
            sql.push_str(" LIMIT ?");
            params.push(SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params_from_iter(params)).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            each(entry_from_row(row).map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }

    /// Writes the matching entries as CSV, oldest last (newest first, like the view), with a
    /// header row. Returns the number of entries written.
    pub fn export_csv<W: std::io::Write>(&self, filter: &Filter, out: W) -> Result<usize, JournalError> {
        let mut w = csv::Writer::from_writer(out);
        let csv_err = |e: csv::Error| JournalError::Export(e.to_string());
        // Cells a spreadsheet would run as formulas get a leading ' (crate::csv_safe).
        crate::csv_safe::write_record(&mut w, CSV_HEADER).map_err(csv_err)?;
        let mut n = 0usize;
        self.for_each(filter, None, Order::NewestFirst, |e| {
            crate::csv_safe::write_record(&mut w, csv_record(&e)).map_err(csv_err)?;
            n += 1;
            Ok(())
        })?;
        w.flush().map_err(|e| JournalError::Export(e.to_string()))?;
        Ok(n)
    }

    /// Recomputes the hash chain over every row and reports each edited, deleted or moved row.
    pub fn verify(&self) -> Result<VerifyReport, JournalError> {
        let mut conn = self.lock();
        // One read transaction: a consistent snapshot even while others append.
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let head: Option<Head> = tx
            .query_row("SELECT seq, hash FROM chain_head WHERE one = 1", [], |r| {
                Ok(Head { seq: r.get(0)?, hash: text_at(r, 1)? })
            })
            .optional()
            .map_err(|e| self.err(e))?;
        let sql = format!("SELECT seq, prev_hash, hash, {} FROM journal ORDER BY seq", CONTENT_COLUMNS.join(", "));
        let mut stmt = tx.prepare(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut links = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            links.push(Link::read(row).map_err(|e| self.err(e))?);
        }
        drop(rows);
        drop(stmt);
        tx.finish().map_err(|e| self.err(e))?;
        drop(conn);
        Ok(VerifyReport { rows: links.len() as u64, problems: analyse(&links, head.as_ref()) })
    }
}

// ---------------------------------------------------------------------------------------------
// Opening and migrating
// ---------------------------------------------------------------------------------------------

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Refuses a newer schema and a database that belongs to another program.
fn check_identity(conn: &Connection, path: &Path, version: i64) -> Result<(), JournalError> {
    let err = |e| JournalError::sqlite(path, e);
    if version > SCHEMA_VERSION {
        return Err(JournalError::TooNew { path: path.to_path_buf(), found: version, supported: SCHEMA_VERSION });
    }
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).map_err(err)?;
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(JournalError::Unreadable {
            path: path.to_path_buf(),
            detail: format!("the file is an SQLite database of another program (application id {app_id:#x})"),
        });
    }
    if version < 0 {
        return Err(JournalError::Unreadable {
            path: path.to_path_buf(),
            detail: format!("unexpected schema version {version}"),
        });
    }
    Ok(())
}

/// Switches to WAL (kept in the file once set). Two processes opening a new file at once may
/// race for it; the loser retries briefly.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let mut tries = 0;
    loop {
        let mode: rusqlite::Result<String> = conn.pragma_query_value(None, "journal_mode", |r| r.get(0));
        let result = match mode {
            Ok(m) if m.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(_) => conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)).map(|_| ()),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => return Ok(()),
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy) && tries < 50 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Brings the schema to version `to` in one transaction, one migration at a time.
fn migrate(conn: &mut Connection, path: &Path, to: i64) -> Result<(), JournalError> {
    let err = |e| JournalError::sqlite(path, e);
    if user_version(conn).map_err(err)? >= to {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(err)?;
    // Again under the write lock: another process may have migrated meanwhile.
    let from = user_version(&tx).map_err(err)?;
    check_identity(&tx, path, from)?;
    if from == 0 {
        let foreign: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'", [], |r| r.get(0))
            .map_err(err)?;
        if foreign > 0 {
            return Err(JournalError::Unreadable {
                path: path.to_path_buf(),
                detail: "the file is an SQLite database, but not a Rackdesk journal".into(),
            });
        }
    }
    for (n, step) in MIGRATIONS.iter().enumerate().take(to as usize).skip(from as usize) {
        tx.execute_batch(step).map_err(|e| JournalError::Failed {
            path: path.to_path_buf(),
            detail: format!("migration to version {} failed: {e}", n + 1),
        })?;
    }
    if from < to {
        tx.pragma_update(None, "user_version", to).map_err(err)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID).map_err(err)?;
    }
    tx.commit().map_err(err)
}

// ---------------------------------------------------------------------------------------------
// Appending
// ---------------------------------------------------------------------------------------------

enum AppendError {
    NoIntent(EntryId),
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for AppendError {
    fn from(e: rusqlite::Error) -> Self {
        AppendError::Sql(e)
    }
}

fn intent_content(i: &Intent, at: DateTime<Utc>) -> Content {
    [
        SqlValue::Text("intent".into()),
        SqlValue::Null,
        SqlValue::Text(rfc3339(at)),
        SqlValue::Text(i.operator.clone()),
        SqlValue::Text(i.os_user.clone()),
        SqlValue::Text(i.role.clone()),
        SqlValue::Text(i.machine.clone()),
        SqlValue::Text(i.identity_label.clone()),
        SqlValue::Text(i.account.clone()),
        opt_text(i.api_admin.as_deref()),
        SqlValue::Integer(i64::from(i.sandbox)),
        SqlValue::Text(i.action.clone()),
        SqlValue::Text(i.target.clone()),
        SqlValue::Text(redact_changes(&i.changes).to_string()),
        opt_text(i.correlation_id.as_deref()),
        SqlValue::Null,
        SqlValue::Null,
        SqlValue::Null,
        SqlValue::Null,
        SqlValue::Null,
    ]
}

fn outcome_content(id: EntryId, o: &Outcome, at: DateTime<Utc>) -> Content {
    let (error_kind, error_message, server_message, detail) = match o {
        Outcome::Success => (None, None, None, None),
        Outcome::Failed { kind, message, server_message } => {
            (Some(kind.as_str()), Some(message.as_str()), server_message.as_deref(), None)
        }
        Outcome::Refused { reason } => (None, None, None, Some(reason.as_str())),
        Outcome::Unknown { note } => (None, None, None, Some(note.as_str())),
        Outcome::Reconciled { result } => (None, None, None, Some(result.as_str())),
    };
    let mut c: Content = std::array::from_fn(|_| SqlValue::Null);
    c[0] = SqlValue::Text("outcome".into());
    c[1] = SqlValue::Integer(id);
    c[2] = SqlValue::Text(rfc3339(at));
    c[15] = SqlValue::Text(o.status().into());
    c[16] = opt_text(error_kind);
    c[17] = opt_text(error_message);
    c[18] = opt_text(server_message);
    c[19] = opt_text(detail);
    c
}

/// Appends one row in its own `BEGIN IMMEDIATE` transaction: concurrent writers (threads or
/// processes) queue on the write lock, so the chain stays a line.
fn append(conn: &mut Connection, content: &Content, outcome_of: Option<EntryId>) -> Result<EntryId, AppendError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(id) = outcome_of {
        let is_intent = tx
            .prepare_cached("SELECT 1 FROM journal WHERE seq = ?1 AND kind = 'intent'")?
            .exists([id])?;
        if !is_intent {
            return Err(AppendError::NoIntent(id));
        }
    }
    let seq = append_in(&tx, content)?;
    tx.commit()?;
    Ok(seq)
}

/// Appends one row inside an open write transaction and moves the head.
fn append_in(tx: &rusqlite::Transaction<'_>, content: &Content) -> rusqlite::Result<EntryId> {
    let head = current_head(tx)?;
    let seq = head.seq + 1;
    let refs: Vec<ValueRef<'_>> = content.iter().map(ValueRef::from).collect();
    let hash = chain_hash(head.hash.as_bytes(), &refs);
    let mut insert = tx.prepare_cached(
        "INSERT INTO journal (seq, kind, intent_id, at, operator, os_user, role, machine, identity_label, account,
            api_admin, sandbox, action, target, changes, correlation_id, status, error_kind, error_message,
            server_message, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
    )?;
    let params = std::iter::once(SqlValue::Integer(seq))
        .chain(content.iter().cloned())
        .chain([SqlValue::Text(head.hash), SqlValue::Text(hash.clone())]);
    insert.execute(params_from_iter(params))?;
    tx.prepare_cached(
        "INSERT INTO chain_head (one, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT(one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )?
    .execute(rusqlite::params![seq, hash])?;
    Ok(seq)
}

/// The last link: the end marker, unless rows were added past it (then the last row), so a
/// new row never reuses a number and a gap left by a deleted tail stays visible.
fn current_head(conn: &Connection) -> rusqlite::Result<Head> {
    let marker = conn
        .prepare_cached("SELECT seq, hash FROM chain_head WHERE one = 1")?
        .query_row([], |r| Ok(Head { seq: r.get(0)?, hash: text_at(r, 1)? }))
        .optional()?;
    let last = conn
        .prepare_cached("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok(Head { seq: r.get(0)?, hash: text_at(r, 1)? }))
        .optional()?;
    Ok(match (marker, last) {
        (Some(m), Some(l)) if l.seq > m.seq => l,
        (Some(m), _) => m,
        (None, Some(l)) => l,
        (None, None) => Head { seq: 0, hash: GENESIS_HASH.into() },
    })
}

/// SHA-256 over the domain prefix, the previous hash and a typed, length-prefixed encoding of
/// each content value, as lowercase hex.
fn chain_hash(prev_hash: &[u8], content: &[ValueRef<'_>]) -> String {
    let mut h = Sha256::new();
    h.update(HASH_DOMAIN);
    h.update((prev_hash.len() as u64).to_be_bytes());
    h.update(prev_hash);
    for v in content {
        match v {
            ValueRef::Null => h.update(b"n"),
            ValueRef::Integer(i) => {
                h.update(b"i");
                h.update(i.to_be_bytes());
            }
            ValueRef::Real(f) => {
                h.update(b"r");
                h.update(f.to_bits().to_be_bytes());
            }
            ValueRef::Text(t) => {
                h.update(b"t");
                h.update((t.len() as u64).to_be_bytes());
                h.update(t);
            }
            ValueRef::Blob(b) => {
                h.update(b"b");
                h.update((b.len() as u64).to_be_bytes());
                h.update(b);
            }
        }
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Order {
    NewestFirst,
    OldestFirst,
}

/// Joins each intent `i` with its latest outcome `o` (if any), through `journal_outcomes`.
macro_rules! outcome_join {
    () => {
        "LEFT JOIN journal o ON o.seq = (
            SELECT x.seq FROM journal x WHERE x.intent_id = i.seq ORDER BY x.seq DESC LIMIT 1)"
    };
}
const OUTCOME_JOIN: &str = outcome_join!();

const SELECT_ENTRY: &str = concat!(
    "SELECT i.seq, i.at, i.operator, i.os_user, i.role, i.machine, i.identity_label, i.account,
    i.api_admin, i.sandbox, i.action, i.target, i.changes, i.correlation_id,
    o.seq, o.at, o.status, o.error_kind, o.error_message, o.server_message, o.detail
    FROM journal i ",
    outcome_join!()
);

fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The WHERE clause (always on intents) and its parameters.
fn where_clause(f: &Filter, exact_target: Option<&str>) -> Result<(String, Vec<SqlValue>), JournalError> {
    let mut sql = String::from("WHERE i.kind = 'intent'");
    let mut params = Vec::new();
    let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(op) = some(&f.operator) {
        sql.push_str(" AND i.operator = ? COLLATE NOCASE");
        params.push(SqlValue::Text(op));
    }
    if let Some(t) = exact_target {
        sql.push_str(" AND i.target = ? COLLATE NOCASE");
        params.push(SqlValue::Text(t.trim().to_owned()));
    }
    if let Some(t) = some(&f.target) {
        sql.push_str(" AND i.target LIKE ? ESCAPE '\\'");
        params.push(SqlValue::Text(format!("%{}%", escape_like(&t))));
    }
    if let Some(a) = some(&f.action) {
        match a.strip_suffix('*') {
            Some(prefix) => {
                sql.push_str(" AND i.action LIKE ? ESCAPE '\\'");
                params.push(SqlValue::Text(format!("{}%", escape_like(prefix))));
            }
            None => {
                sql.push_str(" AND i.action = ?");
                params.push(SqlValue::Text(a));
            }
        }
    }
    // With a limit, walking newest-first and stopping at the limit (a full scan at worst) beats
    // the time index, which must sort everything in a wide range before the limit applies;
    // `+` keeps the planner off the index. Without a limit the index is the better way in.
    let at = if f.limit.is_some() { "+i.at" } else { "i.at" };
    if let Some(since) = f.since {
        sql.push_str(&format!(" AND {at} >= ?"));
        params.push(SqlValue::Text(rfc3339(since)));
    }
    if let Some(until) = f.until {
        sql.push_str(&format!(" AND {at} <= ?"));
        params.push(SqlValue::Text(rfc3339(until)));
    }
    if let Some(o) = some(&f.outcome) {
        match o.to_ascii_lowercase().as_str() {
            "pending" => sql.push_str(" AND o.seq IS NULL"),
            s @ ("success" | "failed" | "refused" | "unknown" | "reconciled") => {
                sql.push_str(" AND o.status = ?");
                params.push(SqlValue::Text(s.to_owned()));
            }
            other => {
                return Err(JournalError::InvalidFilter(format!(
                    "\"{other}\" is not a result; use success, failed, refused, unknown, reconciled or pending"
                )))
            }
        }
    }
    if let Some(c) = some(&f.correlation_id) {
        sql.push_str(" AND i.correlation_id = ?");
        params.push(SqlValue::Text(c));
    }
    Ok((sql, params))
}

/// A column as text whatever its stored type (a tampered row must still display).
fn text_at(row: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(opt_text_at(row, i)?.unwrap_or_default())
}

fn opt_text_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    })
}

fn time_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(opt_text_at(row, i)?.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.with_timezone(&Utc)))
}

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let changes = opt_text_at(row, 12)?
        .map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
        .unwrap_or(serde_json::Value::Null);
    let sandbox = match row.get_ref(9)? {
        ValueRef::Integer(n) => n != 0,
        ValueRef::Null => false,
        _ => text_at(row, 9)? != "0",
    };
    let outcome = match row.get_ref(14)? {
        ValueRef::Null => None,
        _ => {
            let status = text_at(row, 16)?;
            let detail = text_at(row, 20)?;
            Some(match status.as_str() {
                "success" => Outcome::Success,
                "failed" => Outcome::Failed {
                    kind: text_at(row, 17)?,
                    message: text_at(row, 18)?,
                    server_message: opt_text_at(row, 19)?,
                },
                "refused" => Outcome::Refused { reason: detail },
                "unknown" => Outcome::Unknown { note: detail },
                "reconciled" => Outcome::Reconciled { result: detail },
                other => Outcome::Unknown { note: format!("unrecognised result \"{other}\" in the journal") },
            })
        }
    };
    Ok(Entry {
        id: row.get(0)?,
        // Unparseable only if the row was tampered with; `verify` names it.
        at: time_at(row, 1)?.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        finished_at: time_at(row, 15)?,
        operator: text_at(row, 2)?,
        os_user: text_at(row, 3)?,
        role: text_at(row, 4)?,
        machine: text_at(row, 5)?,
        identity_label: text_at(row, 6)?,
        account: text_at(row, 7)?,
        api_admin: opt_text_at(row, 8)?,
        sandbox,
        action: text_at(row, 10)?,
        target: text_at(row, 11)?,
        changes,
        correlation_id: opt_text_at(row, 13)?,
        outcome,
    })
}

/// The CSV export's columns.
pub const CSV_HEADER: [&str; 19] = [
    "id",
    "time",
    "finished",
    "operator",
    "os user",
    "role",
    "machine",
    "identity",
    "account",
    "api admin",
    "sandbox",
    "action",
    "target",
    "changes",
    "result",
    "error kind",
    "error message",
    "server message",
    "correlation id",
];

fn csv_record(e: &Entry) -> [String; 19] {
    // "result" is the status word; reason / note / reconciliation result go with it.
    let (result, kind, message, server) = match &e.outcome {
        None => ("pending".to_string(), String::new(), String::new(), String::new()),
        Some(Outcome::Success) => ("success".into(), String::new(), String::new(), String::new()),
        Some(Outcome::Failed { kind, message, server_message }) => {
            ("failed".into(), kind.clone(), message.clone(), server_message.clone().unwrap_or_default())
        }
        Some(Outcome::Refused { reason }) => ("refused".into(), String::new(), reason.clone(), String::new()),
        Some(Outcome::Unknown { note }) => ("unknown".into(), String::new(), note.clone(), String::new()),
        Some(Outcome::Reconciled { result }) => (format!("reconciled: {result}"), String::new(), String::new(), String::new()),
    };
    [
        e.id.to_string(),
        rfc3339(e.at),
        e.finished_at.map(rfc3339).unwrap_or_default(),
        e.operator.clone(),
        e.os_user.clone(),
        e.role.clone(),
        e.machine.clone(),
        e.identity_label.clone(),
        e.account.clone(),
        e.api_admin.clone().unwrap_or_default(),
        if e.sandbox { "yes" } else { "no" }.into(),
        e.action.clone(),
        e.target.clone(),
        e.changes.to_string(),
        result,
        kind,
        message,
        server,
        e.correlation_id.clone().unwrap_or_default(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Verifying
// ---------------------------------------------------------------------------------------------

/// One row as `verify` sees it.
struct Link {
    seq: i64,
    prev: Option<[u8; 32]>,
    hash: Option<[u8; 32]>,
    /// The stored hash matches the recomputed one.
    intact: bool,
    /// e.g. "mailbox.set on jane@example.com at 2026-01-02 10:00 UTC", or "result of entry 7".
    about: String,
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let b = s.as_bytes();
    if b.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in b.chunks(2).enumerate() {
        out[i] = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(out)
}

impl Link {
    /// Reads `seq, prev_hash, hash, <content columns>`.
    fn read(row: &Row<'_>) -> rusqlite::Result<Link> {
        let seq: i64 = row.get(0)?;
        let prev = text_at(row, 1)?;
        let hash = text_at(row, 2)?;
        let content: Vec<ValueRef<'_>> =
            (0..CONTENT_COLUMNS.len()).map(|i| row.get_ref(3 + i)).collect::<rusqlite::Result<_>>()?;
        let intact = row.get_ref(1)?.as_str().is_ok()
            && row.get_ref(2)?.as_str().is_ok()
            && chain_hash(prev.as_bytes(), &content) == hash;
        let col = |name: &str| -> rusqlite::Result<String> {
            let i = CONTENT_COLUMNS.iter().position(|c| *c == name).expect("known column");
            text_at(row, 3 + i)
        };
        let at = col("at")?;
        let when = DateTime::parse_from_rfc3339(&at)
            .map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or(at);
        let about = if col("kind")? == "outcome" {
            format!("the result of entry {}, written {when}", col("intent_id")?)
        } else {
            format!("{} on {}, {when}", col("action")?, col("target")?)
        };
        Ok(Link { seq, prev: unhex(&prev), hash: unhex(&hash), intact, about })
    }

    fn name(&self) -> String {
        format!("Entry {} ({})", self.seq, self.about)
    }
}

/// How many deleted rows of one gap are named one by one before the rest are summed up.
const MAX_NAMED_GAP: i64 = 20;

fn deleted(problems: &mut Vec<Problem>, from: i64, to: i64, context: &str) {
    for row in from..=to.min(from + MAX_NAMED_GAP - 1) {
        problems.push(Problem { row, kind: ProblemKind::Deleted, message: format!("Entry {row} was deleted {context}.") });
    }
    if to >= from + MAX_NAMED_GAP {
        let first = from + MAX_NAMED_GAP;
        problems.push(Problem {
            row: first,
            kind: ProblemKind::Deleted,
            message: format!("Entries {first} to {to} were deleted as well ({} more).", to - first + 1),
        });
    }
}

fn analyse(links: &[Link], head: Option<&Head>) -> Vec<Problem> {
    let genesis = unhex(GENESIS_HASH);
    let by_hash: HashMap<[u8; 32], usize> =
        links.iter().enumerate().filter_map(|(i, l)| l.hash.map(|h| (h, i))).collect();
    let mut problems: Vec<Problem> = Vec::new();
    let mut reported: HashSet<(i64, ProblemKind)> = HashSet::new();
    let mut push = |problems: &mut Vec<Problem>, p: Problem| {
        if reported.insert((p.row, p.kind)) {
            problems.push(p);
        }
    };

    for (i, link) in links.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| &links[j]);
        let expected_seq = before.map_or(1, |b| b.seq + 1);
        let expected_prev = before.map_or(genesis, |b| b.hash);
        let gap = link.seq > expected_seq;
        let linked = link.prev.is_some() && link.prev == expected_prev;
        let gap_context = match before {
            Some(b) => format!("(the journal goes from entry {} to entry {})", b.seq, link.seq),
            None => format!("(the journal now starts at entry {})", link.seq),
        };

        if !link.intact {
            push(
                &mut problems,
                Problem {
                    row: link.seq,
                    kind: ProblemKind::Edited,
                    message: format!(
                        "{} was changed after it was written: its content no longer matches its fingerprint.",
                        link.name()
                    ),
                },
            );
            if gap {
                deleted(&mut problems, expected_seq, link.seq - 1, &gap_context);
            }
            continue;
        }
        if linked {
            if gap {
                push(
                    &mut problems,
                    Problem {
                        row: link.seq,
                        kind: ProblemKind::Reordered,
                        message: format!(
                            "{} was renumbered: it was written right after entry {}, but entries {} to {} are \
                             missing in between.",
                            link.name(),
                            before.map_or(0, |b| b.seq),
                            expected_seq,
                            link.seq - 1
                        ),
                    },
                );
            }
            continue;
        }
        // The link to the previous row is broken, and this row itself is intact.
        let written_after = link.prev.and_then(|p| {
            if Some(p) == genesis {
                Some(None)
            } else {
                by_hash.get(&p).map(|&j| Some(&links[j]))
            }
        });
        match written_after {
            Some(original) => {
                let was = match original {
                    Some(o) => format!("right after what is now entry {}", o.seq),
                    None => "as the very first entry".to_string(),
                };
                let now = match before {
                    Some(b) => format!("now follows entry {}", b.seq),
                    None => "now comes first".to_string(),
                };
                push(
                    &mut problems,
                    Problem {
                        row: link.seq,
                        kind: ProblemKind::Reordered,
                        message: format!("{} is out of order: it was written {was}, but {now}.", link.name()),
                    },
                );
                if gap {
                    deleted(&mut problems, expected_seq, link.seq - 1, &gap_context);
                }
            }
            None if gap => deleted(&mut problems, expected_seq, link.seq - 1, &gap_context),
            None => match before {
                // The previous row looks intact but its hash is not the one this row was
                // chained to: it was rewritten with a recomputed hash (or a row after it was
                // deleted and the rest renumbered).
                Some(b) if b.intact => push(
                    &mut problems,
                    Problem {
                        row: b.seq,
                        kind: ProblemKind::Edited,
                        message: format!(
                            "{} was rewritten and its fingerprint recomputed, so entry {} no longer links to it \
                             (or an entry after it was deleted and the rest renumbered).",
                            b.name(),
                            link.seq
                        ),
                    },
                ),
                Some(_) => {} // already reported as edited
                None => push(
                    &mut problems,
                    Problem {
                        row: link.seq,
                        kind: ProblemKind::Edited,
                        message: format!(
                            "{} was rewritten: it no longer links to the start of the journal (or the entries \
                             before it were deleted and the rest renumbered).",
                            link.name()
                        ),
                    },
                ),
            },
        }
    }

    // The end: rows removed from the tail leave no successor to notice; the marker does.
    let last = links.last();
    match (head, last) {
        (Some(h), Some(l)) if h.seq > l.seq => deleted(
            &mut problems,
            l.seq + 1,
            h.seq,
            &format!("from the end of the journal (the last entry written was {}; the journal now ends at {})", h.seq, l.seq),
        ),
        (Some(h), None) if h.seq > 0 => deleted(
            &mut problems,
            1,
            h.seq,
            &format!("(the journal is empty, but {} entries were written)", h.seq),
        ),
        (Some(h), Some(l)) if h.seq == l.seq => {
            if l.intact && unhex(&h.hash) != l.hash {
                push(
                    &mut problems,
                    Problem {
                        row: l.seq,
                        kind: ProblemKind::Edited,
                        message: format!(
                            "{} was rewritten and its fingerprint recomputed: it no longer matches the fingerprint \
                             recorded for the last entry.",
                            l.name()
                        ),
                    },
                );
            }
        }
        (Some(h), Some(l)) => push(
            &mut problems,
            Problem {
                row: h.seq + 1,
                kind: ProblemKind::Edited,
                message: format!(
                    "Entries {} to {} were added to the journal outside Rackdesk (the last entry Rackdesk wrote is {}).",
                    h.seq + 1,
                    l.seq,
                    h.seq
                ),
            },
        ),
        (None, Some(l)) => push(
            &mut problems,
            Problem {
                row: l.seq,
                kind: ProblemKind::Deleted,
                message: format!(
                    "The journal's end marker was removed, so entries after entry {} may have been deleted.",
                    l.seq
                ),
            },
        ),
        (_, None) => {}
    }
    problems.sort_by_key(|p| p.row);
    problems
}


#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn intent(target: &str) -> Intent {
        Intent {
            operator: "alice".into(),
            os_user: "alice".into(),
            role: "super-admin".into(),
            machine: "desk".into(),
            identity_label: "Main".into(),
            account: "1".into(),
            api_admin: None,
            sandbox: true,
            action: "mailbox.set".into(),
            target: target.into(),
            changes: json!({"size": {"old": 1024, "new": 2048}}),
            correlation_id: None,
        }
    }

    #[test]
    fn the_hash_covers_types_values_and_the_previous_hash() {
        let one_int = [ValueRef::Integer(1)];
        let one_text = [ValueRef::Text(b"1")];
        assert_ne!(chain_hash(GENESIS_HASH.as_bytes(), &one_int), chain_hash(GENESIS_HASH.as_bytes(), &one_text));
        assert_ne!(chain_hash(GENESIS_HASH.as_bytes(), &one_int), chain_hash(b"other", &one_int));
        // Length prefixes: ("ab", "c") is not ("a", "bc").
        let a = [ValueRef::Text(b"ab"), ValueRef::Text(b"c")];
        let b = [ValueRef::Text(b"a"), ValueRef::Text(b"bc")];
        assert_ne!(chain_hash(b"", &a), chain_hash(b"", &b));
        assert_eq!(chain_hash(b"", &a), chain_hash(b"", &a));
        assert_eq!(chain_hash(b"", &a).len(), 64);
        assert_eq!(unhex(&chain_hash(b"", &a)).map(|h| hex(&h)), Some(chain_hash(b"", &a)));
        assert_eq!(unhex("xyz"), None);
    }

    #[test]
    fn redaction_reaches_every_depth_and_leaves_the_rest() {
        let v = json!([{"a": {"b": {"userKey": 1, "token": "t", "size": 5}}}, "password", {"passwd": null}]);
        assert_eq!(redact_changes(&v), json!([{"a": {"b": {"userKey": "changed", "token": "changed", "size": 5}}}, "password", {"passwd": "changed"}]));
        let plain = json!({"enabled": {"old": true, "new": false}, "name": "Jane"});
        assert_eq!(redact_changes(&plain), plain);
    }

    /// A journal written at schema version 1 (before the indexes) is brought to the current
    /// version with its rows and chain intact.
    #[test]
    fn migration_from_version_1_keeps_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        {
            let mut c = Connection::open(&path).unwrap();
            migrate(&mut c, &path, 1).unwrap();
            assert_eq!(user_version(&c).unwrap(), 1);
            let idx: i64 = c
                .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'journal_%'", [], |r| r.get(0))
                .unwrap();
            assert_eq!(idx, 0);
            for n in 0..3 {
                let id = append(&mut c, &intent_content(&intent(&format!("u{n}@example.com")), Utc::now()), None).ok().unwrap();
                append(&mut c, &outcome_content(id, &Outcome::Success, Utc::now()), Some(id)).ok().unwrap();
            }
        }
        let j = Journal::open(&path).unwrap();
        let c = Connection::open(&path).unwrap();
        assert_eq!(user_version(&c).unwrap(), SCHEMA_VERSION);
        let idx: i64 = c
            .query_row("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'journal_%'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(idx, 6);
        let app_id: i32 = c.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap();
        assert_eq!(app_id, APPLICATION_ID);
        assert_eq!(j.query(&Filter::default()).unwrap().len(), 3);
        assert!(j.verify().unwrap().problems.is_empty());
        j.begin(&intent("new@example.com")).unwrap();
        assert!(j.verify().unwrap().problems.is_empty());
    }

    #[test]
    fn every_migration_applies_in_order_from_zero() {
        for to in 1..=SCHEMA_VERSION {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("j.sqlite3");
            let mut c = Connection::open(&path).unwrap();
            migrate(&mut c, &path, to).unwrap();
            assert_eq!(user_version(&c).unwrap(), to);
            // Idempotent.
            migrate(&mut c, &path, to).unwrap();
            assert_eq!(user_version(&c).unwrap(), to);
        }
    }

    /// Someone edits a row *and* recomputes its hash so the row checks out on its own: the
    /// next row no longer links to it, and that names the edited row. At the end of the
    /// journal the end marker does the same.
    #[test]
    fn a_row_rewritten_with_a_recomputed_hash_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        let j = Journal::open(&path).unwrap();
        for n in 0..4 {
            j.begin(&intent(&format!("u{n}@example.com"))).unwrap();
        }
        let c = Connection::open(&path).unwrap();
        c.execute_batch("DROP TRIGGER journal_no_update;").unwrap();
        let rewrite = |seq: i64| {
            c.execute("UPDATE journal SET operator = 'mallory' WHERE seq = ?1", [seq]).unwrap();
            let sql = format!("SELECT prev_hash, {} FROM journal WHERE seq = ?1", CONTENT_COLUMNS.join(", "));
            let hash = c
                .query_row(&sql, [seq], |r| {
                    let prev = text_at(r, 0)?;
                    let content: Vec<ValueRef<'_>> = (0..CONTENT_COLUMNS.len()).map(|i| r.get_ref(1 + i).unwrap()).collect();
                    Ok(chain_hash(prev.as_bytes(), &content))
                })
                .unwrap();
            c.execute("UPDATE journal SET hash = ?1 WHERE seq = ?2", rusqlite::params![hash, seq]).unwrap();
        };
        rewrite(2);
        let report = j.verify().unwrap();
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert_eq!((report.problems[0].row, report.problems[0].kind), (2, ProblemKind::Edited));
        assert!(report.problems[0].message.contains("fingerprint recomputed"), "{}", report.problems[0].message);

        rewrite(4);
        let report = j.verify().unwrap();
        let got: Vec<_> = report.problems.iter().map(|p| (p.row, p.kind)).collect();
        assert_eq!(got, vec![(2, ProblemKind::Edited), (4, ProblemKind::Edited)], "{:?}", report.problems);
    }

    #[test]
    fn a_large_deletion_is_summed_up() {
        let links: Vec<Link> = Vec::new();
        let head = Head { seq: 100, hash: GENESIS_HASH.into() };
        let problems = analyse(&links, Some(&head));
        assert_eq!(problems.len(), MAX_NAMED_GAP as usize + 1);
        assert!(problems.iter().all(|p| p.kind == ProblemKind::Deleted));
        assert!(problems.last().unwrap().message.contains("Entries 21 to 100"), "{:?}", problems.last());
    }
}

crate::error::explain_by_methods!(JournalError);
