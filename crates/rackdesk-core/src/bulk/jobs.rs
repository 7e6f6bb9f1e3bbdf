//! Bulk jobs as use cases, the same for the app and the CLI: plan a job from a file's bytes,
//! start it (refused while a job from the same file is unfinished), resume it, cancel it, and
//! hand over the passwords it generated. At most one job runs in a process at a time.
//!
//! The edges only read the file (the CLI from its path, the app from the page), show the
//! plan and the progress, and say when the person has seen or saved the new passwords: a
//! password is marked delivered only then; one never shown is reported as not delivered.

use super::input::{self, CsvInput};
use super::plan::{self, Plan, Snapshot};
use super::run::{EventSink, JobControl, PasswordSink, RunReport, Runner};
use super::store::{JobInfo, JobState, JobStore, NewJob, SecretState};
use super::{validate, BulkError, JobKind};
use crate::ops::Ops;
use crate::Client;
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The file of a job: where it came from (a path, or the app's name for it), and its bytes.
#[derive(Clone)]
pub struct JobFile {
    /// An absolute path (CLI) or "(imported in the app) NAME".
    pub path: String,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for JobFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The bytes may hold passwords: never in Debug output.
        f.debug_struct("JobFile").field("path", &self.path).field("bytes", &self.bytes.len()).finish()
    }
}

/// The path under which the app records a file the person chose in the page.
pub fn app_file_path(name: &str) -> String {
    format!("(imported in the app) {name}")
}

/// A checked file: its reading, and the plan when the rows could be trusted.
pub struct Planned {
    pub kind: JobKind,
    pub file: JobFile,
    pub mapping: Vec<(String, Option<String>)>,
    pub input: CsvInput,
    /// `None` when the file itself has problems (encoding, columns, limits): nothing was read
    /// from the server.
    pub plan: Option<Plan>,
}

impl Planned {
    /// The file's columns Rackdesk does not know: the person must say what they are.
    pub fn unknown_columns(&self) -> Vec<String> {
        self.input.headers.iter().zip(&self.input.uses).filter(|(_, u)| matches!(u, input::ColumnUse::Unknown)).map(|(h, _)| h.clone()).collect()
    }
    /// Every problem as a sentence: the file's, or the plan's (errors first), each with its
    /// fix in the edge's words (`phrase`).
    pub fn problems(&self, phrase: &dyn Fn(&super::ColumnFix) -> String) -> Vec<String> {
        match &self.plan {
            Some(p) => p.problems.iter().map(|x| x.text_with(phrase)).collect(),
            None => self.input.problems.iter().map(|x| x.text_with(phrase)).collect(),
        }
    }
    pub fn errors(&self) -> usize {
        match &self.plan {
            Some(p) => p.counts.errors,
            None => self.input.problems.iter().filter(|x| x.is_error()).count(),
        }
    }
    /// Whether [`start`] would accept it.
    pub fn can_start(&self) -> bool {
        self.plan.as_ref().is_some_and(|p| !p.has_errors() && p.changing_rows() > 0)
    }

    /// The plan, when the file could be planned at all; else why not.
    pub fn planned(&self) -> Result<&Plan, BulkError> {
        self.plan.as_ref().ok_or_else(|| {
            BulkError::Invalid(format!("The file cannot be used as it is: {} to fix first. Nothing was changed.", problems_text(self.errors())))
        })
    }
}

/// Reads and checks the file, reads what the server has, and plans. Changes nothing. A file
/// whose job is unfinished is refused first (its done rows would otherwise show as errors
/// such as "already exists"): resume or cancel that job.
pub async fn plan(
    client: &Client,
    store: &JobStore,
    kind: JobKind,
    file: JobFile,
    mapping: Vec<(String, Option<String>)>,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Planned, BulkError> {
    check_no_unfinished(store, &file.path, &file.bytes)?;
    let input = input::read(&file.bytes, kind, &mapping);
    let plan = if input.problems.iter().any(|p| p.is_error() && p.row.is_none()) {
        None
    } else {
        let v = validate::validate(&input);
        let snap = Snapshot::load(client, &v, progress).await?;
        Some(plan::plan(&input, &v, &snap, client.config().scheduler.limits()))
    };
    Ok(Planned { kind, file, mapping, input, plan })
}

/// Records a planned job, checked against the role (a refusal is journaled). Refused, in the
/// same store transaction, while a job from the same file is unfinished
/// ([`BulkError::Unfinished`]): resume or cancel that one first.
pub fn start(ops: &Ops, store: &JobStore, planned: &Planned) -> Result<JobInfo, BulkError> {
    Runner::permitted(ops, planned.kind, &planned.file.path)?;
    // First the unfinished job (its rows make the file's plan look wrong: "already exists").
    check_no_unfinished(store, &planned.file.path, &planned.file.bytes)?;
    let p = planned.planned()?;
    if p.has_errors() {
        return Err(BulkError::Invalid(format!("{} must be fixed before this job can start. Nothing was changed.", problems_text(p.counts.errors))));
    }
    if p.changing_rows() == 0 {
        return Err(BulkError::Invalid("Nothing to change: every row is already as the file says.".into()));
    }
    let new = NewJob {
        kind: planned.kind,
        file_path: planned.file.path.clone(),
        file_sha256: input::sha256_hex(&planned.file.bytes),
        mapping: planned.mapping.clone(),
        account: ops.session.actor.account.clone(),
        identity_label: ops.session.actor.identity_label.clone(),
        api_url: ops.session.client.config().api_url.clone(),
        operator: ops.session.actor.operator.name.clone(),
    };
    let columns = planned.kind.columns().iter().map(|c| c.name.to_owned()).collect();
    store.create(&new, p, columns)
}

fn problems_text(n: usize) -> String {
    if n == 1 { "1 problem".into() } else { format!("{n} problems") }
}

/// Refuses when a job from this file (same path or same content) is unfinished — the check
/// an edge can make before planning; [`start`] makes it again as it records the job.
pub fn check_no_unfinished(store: &JobStore, path: &str, bytes: &[u8]) -> Result<(), BulkError> {
    match store.unfinished_for_file(path, &input::sha256_hex(bytes))? {
        Some(j) => Err(BulkError::Unfinished { id: j.id.clone(), finished: j.counts.finished(), total: j.counts.total, state: j.state_text().to_owned() }),
        None => Ok(()),
    }
}

/// How many jobs the lists of jobs show (the newest).
pub const LISTED_JOBS: usize = 50;

/// A job as the lists of jobs show it: running, unfinished or finished.
#[derive(Debug, Clone)]
pub struct Listed {
    pub info: JobInfo,
    /// Run by this process now.
    pub running: bool,
    /// Unfinished and run by nobody now: it can be resumed (or cancelled).
    pub resumable: bool,
    /// Its per-row results are in the job store, so a results file can be written.
    pub results_saveable: bool,
    /// Mailboxes whose generated password was set but never shown: they must be reset.
    pub undelivered: Vec<String>,
}

/// The newest [`LISTED_JOBS`] jobs, finished ones too, newest first: for the Bulk page's list
/// of past jobs and `rackdesk bulk status`.
pub fn list(store: &JobStore) -> Result<Vec<Listed>, BulkError> {
    let running = running().map(|(id, _)| id);
    store
        .list(LISTED_JOBS)?
        .into_iter()
        .map(|j| {
            let here = running.as_deref() == Some(j.id.as_str());
            Ok(Listed {
                undelivered: undelivered(store, &j.id)?,
                resumable: j.is_resumable() && !here,
                running: here,
                results_saveable: j.counts.total > 0,
                info: j,
            })
        })
        .collect()
}

/// Jobs that can be resumed ([`JobInfo::is_resumable`]), newest first.
pub fn resumable(store: &JobStore) -> Result<Vec<JobInfo>, BulkError> {
    Ok(store.unfinished()?.into_iter().filter(JobInfo::is_resumable).collect())
}

/// The job to resume: the one named, or the newest resumable one. Refused when it is finished
/// or another Rackdesk runs it now.
pub fn to_resume(store: &JobStore, id: Option<&str>) -> Result<JobInfo, BulkError> {
    let j = match id {
        Some(id) => store.job(id)?,
        None => resumable(store)?.into_iter().next().ok_or_else(|| BulkError::Invalid("There is no unfinished bulk job to resume.".into()))?,
    };
    if j.state.is_finished() {
        return Err(BulkError::Invalid(format!("Job {} is already {}; there is nothing to resume.", j.id, j.state.as_str())));
    }
    if !j.is_resumable() {
        return Err(BulkError::Busy(j.id.clone()));
    }
    Ok(j)
}

/// The job this process is running, with its controls.
struct Active {
    id: String,
    control: Arc<JobControl>,
}

static ACTIVE: Mutex<Option<Active>> = Mutex::new(None);

fn active() -> std::sync::MutexGuard<'static, Option<Active>> {
    ACTIVE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The controls (pause, resume, stop, cancel) of the job this process runs now, if any.
pub fn running() -> Option<(String, Arc<JobControl>)> {
    active().as_ref().map(|a| (a.id.clone(), a.control.clone()))
}

/// Releases the process's one-job slot when a run ends, however it ends.
struct Slot;
impl Drop for Slot {
    fn drop(&mut self) {
        *active() = None;
    }
}

/// How a run hands over what it makes.
#[derive(Default)]
pub struct RunOptions {
    pub events: Option<EventSink>,
    /// Takes each generated password as its row is done (e.g. the file the person chose).
    pub sink: Option<Arc<dyn PasswordSink>>,
    /// The job's file as it is now, when the edge can read it (passwords from the file are
    /// taken from it only if it is unchanged since the job was planned).
    pub file: Option<Vec<u8>>,
}

/// Reserves this process's one job slot for `id` (refusing when another job runs here) and
/// returns its controls, before the run starts (so a caller can hand them out at once).
pub fn reserve(id: &str) -> Result<Arc<JobControl>, BulkError> {
    let mut a = active();
    if let Some(other) = a.as_ref() {
        return Err(BulkError::Invalid(format!(
            "Bulk job {} is running in this Rackdesk now; one job runs at a time. Wait for it, or pause or cancel it first.",
            other.id
        )));
    }
    let control = JobControl::new();
    *a = Some(Active { id: id.to_owned(), control: control.clone() });
    Ok(control)
}

/// Runs (or resumes) job `id` to its end or until it is stopped, in the slot taken with
/// [`reserve`] (taken here if it was not). Passwords from the job's file are used when the
/// file is given and unchanged.
pub async fn run(ops: Ops, store: Arc<JobStore>, id: &str, opts: RunOptions) -> Result<RunReport, BulkError> {
    let control = match running() {
        Some((running_id, c)) if running_id == id => c,
        _ => reserve(id)?,
    };
    let _slot = Slot;
    let job = store.job(id)?;
    let mut runner = Runner::new(ops, store.clone());
    runner.control = control;
    runner.events = opts.events;
    runner.sink = opts.sink;
    let needs_file = store.rows(id)?.iter().any(|r| r.state.is_open() && r.op.as_ref().and_then(|o| o.password()) == Some(plan::PasswordSource::FromFile));
    if needs_file {
        let (passwords, note) = file_passwords(&job, opts.file.as_deref());
        runner.file_passwords = passwords;
        runner.file_note = note;
    }
    runner.run(id).await
}

/// Passwords of the file's password column, by spreadsheet row, if the file is the one the
/// job was planned from; else why they are missing (for the rows' messages).
fn file_passwords(job: &JobInfo, bytes: Option<&[u8]>) -> (HashMap<usize, SecretString>, Option<String>) {
    match bytes {
        Some(b) if input::sha256_hex(b) == job.file_sha256 => {
            let i = input::read(b, job.kind, &job.mapping);
            (i.rows.into_iter().filter_map(|r| r.password.map(|p| (r.row, p))).collect(), None)
        }
        Some(_) => (
            HashMap::new(),
            Some(format!("it was in {}, which has changed since the job was planned. Rackdesk does not keep passwords; put this row in a new job", job.file_path)),
        ),
        None => (
            HashMap::new(),
            Some(format!("it was in {}, which Rackdesk cannot read now. Rackdesk does not keep passwords; put this row in a new job", job.file_path)),
        ),
    }
}

/// Cancels an unfinished job: the rows not done stay undone. A job running in this process
/// is told to cancel after its current row; otherwise it is cancelled at once (refused while
/// another Rackdesk runs it). Returns a sentence saying what happened.
pub fn cancel(store: &JobStore, id: &str) -> Result<String, BulkError> {
    let j = store.job(id)?;
    if j.state.is_finished() {
        return Err(BulkError::Invalid(format!("Job {} is already {}; there is nothing to cancel.", j.id, j.state.as_str())));
    }
    if let Some((running_id, control)) = running() {
        if running_id == j.id {
            control.cancel();
            return Ok(format!("Job {} will stop after the row it is sending; the rows not done will stay undone.", j.id));
        }
    }
    let _lock = store.lock(&j.id)?;
    let n = store.cancel_open_rows(&j.id)?;
    store.set_state(&j.id, JobState::Cancelled, Some(&format!("Cancelled; {n} rows were not done.")))?;
    Ok(format!("Cancelled job {}; {} not done.", j.id, if n == 1 { "1 row was".to_string() } else { format!("{n} rows were") }))
}

/// The person has seen (or saved) these generated passwords: only now are they marked
/// delivered. Passwords never marked so are reported as not delivered when the job is next
/// looked at or resumed.
pub fn passwords_delivered(store: &JobStore, id: &str, seqs: &[usize]) -> Result<(), BulkError> {
    if seqs.is_empty() {
        return Ok(());
    }
    store.set_secret(id, seqs, SecretState::Delivered)
}

/// Addresses whose generated password was set but never shown (the edge stopped before the
/// person saw it): those mailboxes need a new password.
pub fn undelivered(store: &JobStore, id: &str) -> Result<Vec<String>, BulkError> {
    store.undelivered_secrets(id)
}
