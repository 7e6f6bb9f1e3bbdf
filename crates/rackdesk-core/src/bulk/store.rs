//! The durable record of bulk jobs: `jobs.sqlite3` in the same data folder as the journal
//! ([`crate::journal::data_dir`]). Per job: what it is, the file it came from (path and
//! SHA-256), the plan's summary; per row: the planned operation, its state (`pending`,
//! `in-flight`, `done`, `failed`, `skipped`, `cancelled`), the steps done and the result.
//!
//! Every state change is its own committed transaction (WAL, `synchronous=FULL`): a row is
//! `in-flight` on disk before its request is sent, so after a crash Rackdesk knows which rows
//! to check on the server before sending anything again.
//!
//! Passwords are never stored. A row that sets a generated password records only whether the
//! password reached the person (`secret`: `pending`, `delivered`, or `lost` when Rackdesk
//! stopped before showing it).
//!
//! A running job holds an OS lock (an exclusive SQLite lock on a small file of its own in
//! `bulk-locks/`): the lock ends with the process however it ends, so a job whose runner
//! died can be resumed at once, and two runners can never work on one job.

use super::plan::{Op, Plan};
use super::{BulkError, JobKind};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub const FILE_NAME: &str = "jobs.sqlite3";
/// "RDBJ" in the SQLite header: tells our file from others.
const APPLICATION_ID: i32 = 0x5244_424A;
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS jobs (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    file_path      TEXT NOT NULL,
    file_sha256    TEXT NOT NULL,
    mapping        TEXT NOT NULL,
    account        TEXT NOT NULL,
    identity_label TEXT NOT NULL,
    api_url        TEXT NOT NULL,
    operator       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    finished_at    TEXT,
    state          TEXT NOT NULL,
    message        TEXT,
    summary        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS job_rows (
    job_id     TEXT NOT NULL REFERENCES jobs(id),
    seq        INTEGER NOT NULL,
    row        INTEGER NOT NULL,
    target     TEXT NOT NULL,
    op         TEXT,
    text       TEXT NOT NULL,
    cells      TEXT NOT NULL,
    state      TEXT NOT NULL,
    step       INTEGER NOT NULL DEFAULT 0,
    result     TEXT,
    error_kind TEXT,
    detail     TEXT,
    secret     TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
CREATE INDEX IF NOT EXISTS job_rows_state ON job_rows(job_id, state);
";

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobState {
    /// Recorded, not started.
    Planned,
    /// Being applied (or its runner died: then [`JobInfo::interrupted`] is true).
    Running,
    /// Stopped before the end (by the person, or because Rackspace stopped answering).
    Paused,
    Done,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Planned => "planned",
            JobState::Running => "running",
            JobState::Paused => "paused",
            JobState::Done => "done",
            JobState::Cancelled => "cancelled",
        }
    }
    fn parse(s: &str) -> JobState {
        match s {
            "planned" => JobState::Planned,
            "running" => JobState::Running,
            "paused" => JobState::Paused,
            "done" => JobState::Done,
            _ => JobState::Cancelled,
        }
    }
    /// Done or cancelled: nothing more will happen.
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Cancelled)
    }
}

/// Where a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowState {
    Pending,
    /// Its request may have been sent: checked on the server before anything is sent again.
    InFlight,
    Done,
    Failed,
    /// Nothing to send ("no change").
    Skipped,
    /// The job was cancelled before this row.
    Cancelled,
}

impl RowState {
    pub fn as_str(self) -> &'static str {
        match self {
            RowState::Pending => "pending",
            RowState::InFlight => "in-flight",
            RowState::Done => "done",
            RowState::Failed => "failed",
            RowState::Skipped => "skipped",
            RowState::Cancelled => "cancelled",
        }
    }
    fn parse(s: &str) -> RowState {
        match s {
            "pending" => RowState::Pending,
            "in-flight" => RowState::InFlight,
            "done" => RowState::Done,
            "failed" => RowState::Failed,
            "skipped" => RowState::Skipped,
            _ => RowState::Cancelled,
        }
    }
    pub fn is_open(self) -> bool {
        matches!(self, RowState::Pending | RowState::InFlight)
    }
}

/// What became of a generated password (never the password).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretState {
    /// Generated and set; held in memory until shown.
    Pending,
    /// Shown, or written to the file the person chose.
    Delivered,
    /// Rackdesk stopped before showing it: the mailbox's password must be reset.
    Lost,
}

impl SecretState {
    fn as_str(self) -> &'static str {
        match self {
            SecretState::Pending => "pending",
            SecretState::Delivered => "delivered",
            SecretState::Lost => "lost",
        }
    }
    fn parse(s: &str) -> Option<SecretState> {
        match s {
            "pending" => Some(SecretState::Pending),
            "delivered" => Some(SecretState::Delivered),
            "lost" => Some(SecretState::Lost),
            _ => None,
        }
    }
}

/// What the plan said, kept with the job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobSummary {
    pub counts: super::plan::Counts,
    pub reads: u64,
    pub writes: u64,
    pub eta_secs: u64,
    pub warnings: Vec<String>,
    /// The file's headers, in order, and our column for each (for the results file).
    pub columns: Vec<String>,
}

/// A new job's facts.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    /// The file's full path, as the person gave it (made absolute).
    pub file_path: String,
    pub file_sha256: String,
    pub mapping: Vec<(String, Option<String>)>,
    pub account: String,
    pub identity_label: String,
    pub api_url: String,
    pub operator: String,
}

/// Rows per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowCounts {
    pub total: usize,
    pub pending: usize,
    pub in_flight: usize,
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    pub cancelled: usize,
    pub passwords_lost: usize,
}

impl RowCounts {
    /// Rows that still have work.
    pub fn open(&self) -> usize {
        self.pending + self.in_flight
    }
    /// Rows finished one way or another.
    pub fn finished(&self) -> usize {
        self.done + self.failed + self.skipped + self.cancelled
    }
}

/// A job as recorded.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobInfo {
    pub id: String,
    pub kind: JobKind,
    pub file_path: String,
    pub file_sha256: String,
    pub mapping: Vec<(String, Option<String>)>,
    pub account: String,
    pub identity_label: String,
    pub api_url: String,
    pub operator: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub state: JobState,
    pub message: Option<String>,
    pub summary: JobSummary,
    pub counts: RowCounts,
    /// Recorded as running, but no Rackdesk is running it: it was interrupted.
    pub interrupted: bool,
}

impl JobInfo {
    /// Unfinished and not being run by any Rackdesk now (interrupted by a crash or a closed
    /// app, or paused): it can be resumed or cancelled.
    pub fn is_resumable(&self) -> bool {
        !self.state.is_finished() && (self.state != JobState::Running || self.interrupted)
    }

    /// "running", "interrupted", "paused", ... for people.
    pub fn state_text(&self) -> &'static str {
        if self.interrupted {
            "interrupted"
        } else {
            self.state.as_str()
        }
    }
}

/// One row of a job.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRow {
    pub seq: usize,
    /// Spreadsheet row number in the file (the header is row 1).
    pub row: usize,
    pub target: String,
    pub op: Option<Op>,
    /// The plan's line for this row.
    pub text: String,
    pub cells: std::collections::BTreeMap<String, String>,
    pub state: RowState,
    /// Steps done (multi-step rows: offboarding).
    pub step: usize,
    pub result: Option<String>,
    pub error_kind: Option<String>,
    pub detail: Option<String>,
    pub secret: Option<SecretState>,
    pub attempts: u32,
}

/// Holds a job for one runner; released when dropped (or when the process ends).
pub struct JobLock {
    _conn: Connection,
}

impl std::fmt::Debug for JobLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JobLock")
    }
}

/// The open job store. `Send + Sync`; other processes open their own.
pub struct JobStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for JobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobStore").field("path", &self.path).finish_non_exhaustive()
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn time(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

impl JobStore {
    /// `<data dir>/jobs.sqlite3`.
    pub fn default_path() -> Result<PathBuf, BulkError> {
        Ok(crate::journal::data_dir()?.join(FILE_NAME))
    }

    pub fn open_default() -> Result<JobStore, BulkError> {
        JobStore::open(&JobStore::default_path()?)
    }

    pub fn open(path: &Path) -> Result<JobStore, BulkError> {
        let e = |e: rusqlite::Error| BulkError::Store { path: path.to_path_buf(), detail: e.to_string() };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|x| BulkError::Store { path: path.to_path_buf(), detail: x.to_string() })?;
        }
        let conn = Connection::open(path).map_err(e)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(e)?;
        let app: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0)).map_err(e)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(e)?;
        if app != 0 && app != APPLICATION_ID {
            return Err(BulkError::Store { path: path.to_path_buf(), detail: "this file belongs to another program".into() });
        }
        if version > SCHEMA_VERSION {
            return Err(BulkError::Store { path: path.to_path_buf(), detail: format!("made by a newer Rackdesk (schema {version}); update Rackdesk") });
        }
        let _: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(e)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(e)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(e)?;
        if version < SCHEMA_VERSION {
            conn.execute_batch(&format!("BEGIN IMMEDIATE; {SCHEMA} PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"))
                .map_err(e)?;
        }
        Ok(JobStore { conn: Mutex::new(conn), path: path.to_path_buf() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock_conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn err(&self, e: impl std::fmt::Display) -> BulkError {
        BulkError::Store { path: self.path.clone(), detail: e.to_string() }
    }

    fn exec(&self, sql: &str, p: impl rusqlite::Params) -> Result<usize, BulkError> {
        self.lock_conn().execute(sql, p).map_err(|e| self.err(e))
    }

    /// Records a job and its rows (state `planned`). Rows without changes are `skipped`.
    pub fn create(&self, new: &NewJob, plan: &Plan, columns: Vec<String>) -> Result<JobInfo, BulkError> {
        use rand::Rng;
        let id = format!("{}-{:04x}", Utc::now().format("%Y%m%d-%H%M%S"), rand::rng().random::<u16>());
        let summary = JobSummary {
            counts: plan.counts.clone(),
            reads: plan.reads,
            writes: plan.writes,
            eta_secs: plan.eta_secs,
            warnings: plan.problems.iter().filter(|p| !p.is_error()).map(|p| p.to_string()).collect(),
            columns,
        };
        let t = now();
        {
            let mut c = self.lock_conn();
            // IMMEDIATE: no other Rackdesk can record a job between the check and the insert.
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(|e| self.err(e))?;
            // One unfinished job per file (same path or same content): the rule that keeps
            // a file from being applied twice at once.
            let open: Option<String> = tx
                .query_row(
                    "SELECT id FROM jobs WHERE (file_path = ?1 OR file_sha256 = ?2) AND state NOT IN ('done', 'cancelled') ORDER BY created_at DESC LIMIT 1",
                    params![new.file_path, new.file_sha256],
                    |r| r.get(0),
                )
                .optional()
                .map_err(|e| self.err(e))?;
            if let Some(open) = open {
                drop(tx);
                drop(c);
                let j = self.job(&open)?;
                return Err(BulkError::Unfinished { id: j.id.clone(), finished: j.counts.finished(), total: j.counts.total, state: j.state_text().to_owned() });
            }
            tx.execute(
                "INSERT INTO jobs (id, kind, file_path, file_sha256, mapping, account, identity_label, api_url, operator, created_at, updated_at, state, summary)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, 'planned', ?11)",
                params![
                    id,
                    new.kind.name(),
                    new.file_path,
                    new.file_sha256,
                    serde_json::to_string(&new.mapping).unwrap_or_default(),
                    new.account,
                    new.identity_label,
                    new.api_url,
                    new.operator,
                    t,
                    serde_json::to_string(&summary).unwrap_or_default()
                ],
            )
            .map_err(|e| self.err(e))?;
            {
                let mut ins = tx
                    .prepare("INSERT INTO job_rows (job_id, seq, row, target, op, text, cells, state, result, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
                    .map_err(|e| self.err(e))?;
                for (seq, r) in plan.rows.iter().enumerate() {
                    let (state, result) = match &r.op {
                        Some(op) if op.steps() > 0 => (RowState::Pending, None),
                        Some(Op::Nothing { reason }) => (RowState::Skipped, Some(reason.clone())),
                        _ => (RowState::Skipped, Some("not applied: the row had errors".to_string())),
                    };
                    ins.execute(params![
                        id,
                        seq as i64,
                        r.row as i64,
                        r.target,
                        r.op.as_ref().map(|o| serde_json::to_string(o).unwrap_or_default()),
                        r.text,
                        serde_json::to_string(&r.cells).unwrap_or_default(),
                        state.as_str(),
                        result,
                        t
                    ])
                    .map_err(|e| self.err(e))?;
                }
            }
            tx.commit().map_err(|e| self.err(e))?;
        }
        self.job(&id)
    }

    fn counts(&self, id: &str) -> Result<RowCounts, BulkError> {
        let c = self.lock_conn();
        let mut st = c.prepare("SELECT state, COUNT(*), SUM(secret = 'lost') FROM job_rows WHERE job_id = ?1 GROUP BY state").map_err(|e| self.err(e))?;
        let mut out = RowCounts::default();
        let rows = st
            .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as usize, r.get::<_, Option<i64>>(2)?.unwrap_or(0) as usize)))
            .map_err(|e| self.err(e))?;
        for r in rows {
            let (s, n, lost) = r.map_err(|e| self.err(e))?;
            out.total += n;
            out.passwords_lost += lost;
            match RowState::parse(&s) {
                RowState::Pending => out.pending += n,
                RowState::InFlight => out.in_flight += n,
                RowState::Done => out.done += n,
                RowState::Failed => out.failed += n,
                RowState::Skipped => out.skipped += n,
                RowState::Cancelled => out.cancelled += n,
            }
        }
        Ok(out)
    }

    fn info_from(&self, r: &rusqlite::Row<'_>) -> rusqlite::Result<JobInfo> {
        let kind: String = r.get("kind")?;
        let mapping: String = r.get("mapping")?;
        let summary: String = r.get("summary")?;
        Ok(JobInfo {
            id: r.get("id")?,
            kind: JobKind::parse(&kind).unwrap_or(JobKind::Update),
            file_path: r.get("file_path")?,
            file_sha256: r.get("file_sha256")?,
            mapping: serde_json::from_str(&mapping).unwrap_or_default(),
            account: r.get("account")?,
            identity_label: r.get("identity_label")?,
            api_url: r.get("api_url")?,
            operator: r.get("operator")?,
            created_at: time(&r.get::<_, String>("created_at")?),
            updated_at: time(&r.get::<_, String>("updated_at")?),
            finished_at: r.get::<_, Option<String>>("finished_at")?.as_deref().map(time),
            state: JobState::parse(&r.get::<_, String>("state")?),
            message: r.get("message")?,
            summary: serde_json::from_str(&summary).unwrap_or_default(),
            counts: RowCounts::default(),
            interrupted: false,
        })
    }

    fn complete(&self, mut j: JobInfo) -> Result<JobInfo, BulkError> {
        j.counts = self.counts(&j.id)?;
        j.interrupted = j.state == JobState::Running && !self.is_locked(&j.id)?;
        Ok(j)
    }

    /// One job, with its row counts.
    pub fn job(&self, id: &str) -> Result<JobInfo, BulkError> {
        let j = {
            let c = self.lock_conn();
            c.query_row("SELECT * FROM jobs WHERE id = ?1", [id], |r| self.info_from(r)).optional().map_err(|e| self.err(e))?
        };
        match j {
            Some(j) => self.complete(j),
            None => Err(BulkError::NoSuchJob(id.to_owned())),
        }
    }

    /// Jobs, newest first.
    pub fn list(&self, limit: usize) -> Result<Vec<JobInfo>, BulkError> {
        let jobs: Vec<JobInfo> = {
            let c = self.lock_conn();
            let mut st = c.prepare("SELECT * FROM jobs ORDER BY created_at DESC, id DESC LIMIT ?1").map_err(|e| self.err(e))?;
            let rows = st.query_map([limit as i64], |r| self.info_from(r)).map_err(|e| self.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| self.err(e))?
        };
        jobs.into_iter().map(|j| self.complete(j)).collect()
    }

    /// Jobs not done or cancelled, newest first.
    pub fn unfinished(&self) -> Result<Vec<JobInfo>, BulkError> {
        Ok(self.list(10_000)?.into_iter().filter(|j| !j.state.is_finished()).collect())
    }

    /// The unfinished job made from this file (same path, or same content), if any.
    pub fn unfinished_for_file(&self, path: &str, sha256: &str) -> Result<Option<JobInfo>, BulkError> {
        Ok(self.unfinished()?.into_iter().find(|j| j.file_path == path || j.file_sha256 == sha256))
    }

    /// Every row of a job, in file order.
    pub fn rows(&self, id: &str) -> Result<Vec<JobRow>, BulkError> {
        let c = self.lock_conn();
        let mut st = c.prepare("SELECT * FROM job_rows WHERE job_id = ?1 ORDER BY seq").map_err(|e| self.err(e))?;
        let rows = st
            .query_map([id], |r| {
                let op: Option<String> = r.get("op")?;
                let cells: String = r.get("cells")?;
                Ok(JobRow {
                    seq: r.get::<_, i64>("seq")? as usize,
                    row: r.get::<_, i64>("row")? as usize,
                    target: r.get("target")?,
                    op: op.and_then(|o| serde_json::from_str(&o).ok()),
                    text: r.get("text")?,
                    cells: serde_json::from_str(&cells).unwrap_or_default(),
                    state: RowState::parse(&r.get::<_, String>("state")?),
                    step: r.get::<_, i64>("step")? as usize,
                    result: r.get("result")?,
                    error_kind: r.get("error_kind")?,
                    detail: r.get("detail")?,
                    secret: r.get::<_, Option<String>>("secret")?.as_deref().and_then(SecretState::parse),
                    attempts: r.get::<_, i64>("attempts")? as u32,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    pub fn set_state(&self, id: &str, state: JobState, message: Option<&str>) -> Result<(), BulkError> {
        let t = now();
        let finished = state.is_finished().then(|| t.clone());
        self.exec("UPDATE jobs SET state = ?2, message = ?3, updated_at = ?4, finished_at = COALESCE(?5, finished_at) WHERE id = ?1", params![id, state.as_str(), message, t, finished])?;
        Ok(())
    }

    /// Before sending a row's request (step `step`): durably `in-flight`.
    pub fn row_in_flight(&self, id: &str, seq: usize, step: usize) -> Result<(), BulkError> {
        self.exec(
            "UPDATE job_rows SET state = 'in-flight', step = ?3, attempts = attempts + 1, updated_at = ?4 WHERE job_id = ?1 AND seq = ?2",
            params![id, seq as i64, step as i64, now()],
        )?;
        Ok(())
    }

    /// A step of a multi-step row is done; the row goes back to `pending` for the next.
    pub fn row_step_done(&self, id: &str, seq: usize, steps_done: usize) -> Result<(), BulkError> {
        self.exec("UPDATE job_rows SET state = 'pending', step = ?3, updated_at = ?4 WHERE job_id = ?1 AND seq = ?2", params![id, seq as i64, steps_done as i64, now()])?;
        Ok(())
    }

    pub fn row_done(&self, id: &str, seq: usize, steps_done: usize, result: &str, secret: Option<SecretState>) -> Result<(), BulkError> {
        self.exec(
            "UPDATE job_rows SET state = 'done', step = ?3, result = ?4, error_kind = NULL, detail = NULL, secret = COALESCE(?5, secret), updated_at = ?6 WHERE job_id = ?1 AND seq = ?2",
            params![id, seq as i64, steps_done as i64, result, secret.map(SecretState::as_str), now()],
        )?;
        Ok(())
    }

    pub fn row_failed(&self, id: &str, seq: usize, kind: &str, message: &str, detail: Option<&str>) -> Result<(), BulkError> {
        self.exec(
            "UPDATE job_rows SET state = 'failed', result = ?3, error_kind = ?4, detail = ?5, updated_at = ?6 WHERE job_id = ?1 AND seq = ?2",
            params![id, seq as i64, message, kind, detail, now()],
        )?;
        Ok(())
    }

    /// A row goes back to `pending` (nothing was sent, e.g. the journal could not be written).
    pub fn row_pending(&self, id: &str, seq: usize) -> Result<(), BulkError> {
        self.exec("UPDATE job_rows SET state = 'pending', updated_at = ?3 WHERE job_id = ?1 AND seq = ?2", params![id, seq as i64, now()])?;
        Ok(())
    }

    /// Every open row becomes `cancelled`.
    pub fn cancel_open_rows(&self, id: &str) -> Result<usize, BulkError> {
        self.exec(
            "UPDATE job_rows SET state = 'cancelled', result = 'not done: the job was cancelled', updated_at = ?2 WHERE job_id = ?1 AND state IN ('pending', 'in-flight')",
            params![id, now()],
        )
    }

    pub fn set_secret(&self, id: &str, seqs: &[usize], state: SecretState) -> Result<(), BulkError> {
        let mut c = self.lock_conn();
        let tx = c.transaction().map_err(|e| self.err(e))?;
        for s in seqs {
            tx.execute("UPDATE job_rows SET secret = ?3 WHERE job_id = ?1 AND seq = ?2", params![id, *s as i64, state.as_str()]).map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// Addresses of rows whose generated password was never handed over (pending or lost).
    pub fn undelivered_secrets(&self, id: &str) -> Result<Vec<String>, BulkError> {
        let c = self.lock_conn();
        let mut st = c.prepare("SELECT target FROM job_rows WHERE job_id = ?1 AND secret IN ('pending', 'lost') ORDER BY seq").map_err(|e| self.err(e))?;
        let rows = st.query_map([id], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Passwords generated by a runner that stopped before handing them over become `lost`.
    /// Returns the addresses.
    pub fn lose_pending_secrets(&self, id: &str) -> Result<Vec<String>, BulkError> {
        let lost: Vec<String> = self.rows(id)?.into_iter().filter(|r| r.secret == Some(SecretState::Pending)).map(|r| r.target).collect();
        self.exec("UPDATE job_rows SET secret = 'lost' WHERE job_id = ?1 AND secret = 'pending'", [id])?;
        Ok(lost)
    }

    fn lock_path(&self, id: &str) -> PathBuf {
        self.path.parent().unwrap_or(Path::new(".")).join("bulk-locks").join(format!("{id}.lock"))
    }

    /// Takes the job for this process, or says it is taken ([`BulkError::Busy`]).
    pub fn lock(&self, id: &str) -> Result<JobLock, BulkError> {
        let p = self.lock_path(id);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|e| self.err(e))?;
        }
        let conn = Connection::open(&p).map_err(|e| self.err(e))?;
        // A moment's patience: someone may be looking (see `is_locked`).
        conn.busy_timeout(Duration::from_secs(2)).map_err(|e| self.err(e))?;
        let _: String = conn.query_row("PRAGMA locking_mode = EXCLUSIVE", [], |r| r.get(0)).map_err(|e| self.err(e))?;
        // In exclusive locking mode the lock taken by this write is kept until the
        // connection closes: when the JobLock is dropped or the process ends.
        match conn.execute_batch("BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS held (x); COMMIT;") {
            Ok(()) => Ok(JobLock { _conn: conn }),
            Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)) => {
                Err(BulkError::Busy(id.to_owned()))
            }
            Err(e) => Err(self.err(e)),
        }
    }

    /// Whether a runner holds the job now. Only looks (a read), never takes the lock.
    pub fn is_locked(&self, id: &str) -> Result<bool, BulkError> {
        let p = self.lock_path(id);
        if !p.exists() {
            return Ok(false);
        }
        let conn = Connection::open(&p).map_err(|e| self.err(e))?;
        conn.busy_timeout(Duration::ZERO).map_err(|e| self.err(e))?;
        match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
            Ok(_) => Ok(false),
            Err(e) if matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)) => Ok(true),
            Err(e) => Err(self.err(e)),
        }
    }

    /// Rows per state of one job (no lock check; cheap enough to poll).
    pub fn row_counts(&self, id: &str) -> Result<RowCounts, BulkError> {
        self.counts(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::plan::{Counts, PlannedRow};

    fn plan() -> Plan {
        let op = |a: &str| Some(Op::Delete { address: a.into(), leave_aliases: vec![] });
        Plan {
            kind: JobKind::Delete,
            rows: vec![
                PlannedRow { row: 2, target: "a@example.com".into(), op: op("a@example.com"), changes: vec![], text: "delete".into(), cells: Default::default() },
                PlannedRow { row: 3, target: "b@example.com".into(), op: Some(Op::Nothing { reason: "no change".into() }), changes: vec![], text: "no change".into(), cells: Default::default() },
                PlannedRow { row: 4, target: "c@example.com".into(), op: op("c@example.com"), changes: vec![], text: "delete".into(), cells: Default::default() },
            ],
            problems: vec![],
            notes: vec![],
            counts: Counts::default(),
            reads: 2,
            writes: 2,
            eta_secs: 1,
            checked_with_reads: 1,
        }
    }

    fn new_job() -> NewJob {
        NewJob {
            kind: JobKind::Delete,
            file_path: "/tmp/x.csv".into(),
            file_sha256: "abc".into(),
            mapping: vec![],
            account: "1".into(),
            identity_label: "x".into(),
            api_url: "http://127.0.0.1:1/v1".into(),
            operator: "me".into(),
        }
    }

    #[test]
    fn jobs_and_rows_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let s = JobStore::open(&path).unwrap();
        let j = s.create(&new_job(), &plan(), vec!["email".into()]).unwrap();
        assert_eq!(j.state, JobState::Planned);
        assert_eq!((j.counts.total, j.counts.pending, j.counts.skipped), (3, 2, 1));
        s.set_state(&j.id, JobState::Running, None).unwrap();
        s.row_in_flight(&j.id, 0, 0).unwrap();
        drop(s);
        let s = JobStore::open(&path).unwrap();
        let j = s.job(&j.id).unwrap();
        assert!(j.interrupted, "running, but nobody holds it");
        assert_eq!(j.state_text(), "interrupted");
        let rows = s.rows(&j.id).unwrap();
        assert_eq!(rows[0].state, RowState::InFlight);
        assert_eq!(rows[0].attempts, 1);
        assert_eq!(rows[0].op, Some(Op::Delete { address: "a@example.com".into(), leave_aliases: vec![] }));
        s.row_done(&j.id, 0, 1, "deleted", Some(SecretState::Pending)).unwrap();
        assert_eq!(s.lose_pending_secrets(&j.id).unwrap(), vec!["a@example.com".to_string()]);
        assert_eq!(s.job(&j.id).unwrap().counts.passwords_lost, 1);
        assert_eq!(s.unfinished_for_file("/tmp/other.csv", "abc").unwrap().map(|x| x.id), Some(j.id.clone()));
        assert_eq!(s.cancel_open_rows(&j.id).unwrap(), 1);
        s.set_state(&j.id, JobState::Cancelled, None).unwrap();
        assert!(s.unfinished().unwrap().is_empty());
        assert!(matches!(s.job("nope"), Err(BulkError::NoSuchJob(_))));
    }

    #[test]
    fn one_runner_per_job() {
        let dir = tempfile::tempdir().unwrap();
        let s = JobStore::open(&dir.path().join(FILE_NAME)).unwrap();
        let l = s.lock("j1").unwrap();
        assert!(matches!(s.lock("j1"), Err(BulkError::Busy(_))));
        assert!(s.is_locked("j1").unwrap());
        assert!(s.lock("j2").is_ok());
        drop(l);
        assert!(!s.is_locked("j1").unwrap());
        let _again = s.lock("j1").unwrap();
    }

    #[test]
    fn refuses_other_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j.sqlite3");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch("PRAGMA application_id = 42; CREATE TABLE t(x);").unwrap();
        }
        assert!(matches!(JobStore::open(&p), Err(BulkError::Store { .. })));
    }
}
