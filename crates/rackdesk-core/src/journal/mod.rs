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
//! # Where things are
//!
//! This module holds the types, opening and migrating, and appending to the chain;
//! [`query`] reads (filters, queries, CSV export) and [`verify`] checks the chain.
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

mod chain;
mod query;
mod verify;
pub mod words;

pub use chain::{chain_hash_of, ChainRow, ChainValue, OutboxState};
pub use query::{Filter, FilterText, CSV_HEADER, RESULTS};
pub(crate) use query::{csv_record, escape_like};
pub(crate) use verify::{analyse, Link, Tail};
pub use verify::{Problem, ProblemKind, VerifyReport};
use query::*;
#[cfg(test)]
use verify::*;

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
    // 3: the team journal (crate::team). The journal's own machine id, made once with the
    // file and never changed (the team database keys every shipped row by it and `seq`), and
    // the outbox's cursor: how far this journal is known to be shipped, and since when the team
    // database has been unreachable. The outbox itself is the journal: every row after the
    // cursor is waiting.
    "CREATE TABLE journal_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO journal_meta (key, value) VALUES ('machine_id', lower(hex(randomblob(16))));
    CREATE TRIGGER journal_meta_no_update BEFORE UPDATE ON journal_meta
        BEGIN SELECT RAISE(ABORT, 'the journal''s machine id never changes'); END;
    CREATE TRIGGER journal_meta_no_delete BEFORE DELETE ON journal_meta
        BEGIN SELECT RAISE(ABORT, 'the journal''s machine id never changes'); END;
    CREATE TABLE team_outbox (
        one               INTEGER PRIMARY KEY CHECK (one = 1),
        database          TEXT NOT NULL,
        shipped_seq       INTEGER NOT NULL,
        shipped_at        TEXT,
        unreachable_since TEXT,
        last_error        TEXT
    );",
];

/// The hashed content columns, in hashing order. `seq` is not among them (the chain itself
/// fixes each row's place), nor are `prev_hash` (hashed separately) and `hash`.
pub const CONTENT_COLUMNS: [&str; 20] = [
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

    /// An outcome from its stored columns: the status word, the error's kind, message and the
    /// server's words, and the detail (a refusal's reason, an unknown outcome's note, a
    /// reconciliation's result). Used by the local journal and the team journal alike.
    pub fn from_parts(status: &str, error_kind: String, error_message: String, server_message: Option<String>, detail: String) -> Outcome {
        match status {
            "success" => Outcome::Success,
            "failed" => Outcome::Failed { kind: error_kind, message: error_message, server_message },
            "refused" => Outcome::Refused { reason: detail },
            "unknown" => Outcome::Unknown { note: detail },
            "reconciled" => Outcome::Reconciled { result: detail },
            other => Outcome::Unknown { note: format!("unrecognised result \"{other}\" in the journal") },
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
            | ApiError::NotSettled { .. }
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
    /// Called after every row this process appends (the team journal's shipper wakes up).
    on_append: Mutex<Vec<Box<dyn Fn() + Send + Sync>>>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("path", &self.path).finish_non_exhaustive()
    }
}

/// The hash chain's last link.
pub(crate) struct Head {
    pub(crate) seq: i64,
    pub(crate) hash: String,
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
        Ok(Journal { conn: Mutex::new(conn), path: path.to_path_buf(), on_append: Mutex::new(Vec::new()) })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Calls `f` after every row this process appends from now on.
    pub fn on_append(&self, f: Box<dyn Fn() + Send + Sync>) {
        self.on_append.lock().unwrap_or_else(|p| p.into_inner()).push(f);
    }

    fn appended(&self) {
        for f in self.on_append.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            f();
        }
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
        let id = append(&mut conn, &content, None).map_err(|e| self.append_err(e))?;
        drop(conn);
        self.appended();
        Ok(id)
    }

    /// Appends an outcome row for intent `id`, after the request. An intent may get more than
    /// one outcome (e.g. `Unknown`, then `Reconciled`); the latest counts.
    pub fn finish(&self, id: EntryId, outcome: &Outcome) -> Result<(), JournalError> {
        let content = outcome_content(id, outcome, Utc::now());
        let mut conn = self.lock();
        append(&mut conn, &content, Some(id)).map_err(|e| self.append_err(e))?;
        drop(conn);
        self.appended();
        Ok(())
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
        drop(conn);
        self.appended();
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
        let problems = analyse(&links, Some(&head), Tail::Marker);
        assert_eq!(problems.len(), MAX_NAMED_GAP as usize + 1);
        assert!(problems.iter().all(|p| p.kind == ProblemKind::Deleted));
        assert!(problems.last().unwrap().message.contains("Entries 21 to 100"), "{:?}", problems.last());
    }
}

crate::error::explain_by_methods!(JournalError);
