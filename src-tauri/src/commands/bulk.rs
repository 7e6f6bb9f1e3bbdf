//! Bulk jobs in the app: the same engine as `rackdesk bulk` (plan, then apply through the
//! journal and the role's allow-list, durable, resumable). The page reads the CSV the person
//! chose (a standard file input: the page has no file-system permission) and sends its text;
//! files are written only where the person chooses in the system's save dialog.

use super::mailboxes::{ExportResult, PasswordResult};
use super::{CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::bulk::plan::{self, eta_text, Plan, Snapshot};
use rackdesk_core::bulk::run::{JobControl, JobEvent, Runner};
use rackdesk_core::bulk::store::{JobStore, NewJob, SecretState};
use rackdesk_core::bulk::{input, validate, BulkError, JobKind};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use tauri::{Emitter, Manager};
use ts_rs::TS;

impl From<BulkError> for CommandError {
    fn from(e: BulkError) -> Self {
        CommandError { kind: "bulk".into(), message: e.user_message(), detail: e.detail() }
    }
}

/// What the Bulk page holds between planning and applying, and the passwords of the last run
/// until the person has saved or dismissed them. Memory only.
#[derive(Default)]
pub struct BulkState {
    pending: Mutex<Option<Pending>>,
    control: Mutex<Option<Arc<JobControl>>>,
    passwords: Mutex<Vec<(String, SecretString)>>,
}

struct Pending {
    kind: JobKind,
    name: String,
    bytes: Vec<u8>,
    plan: Plan,
    mapping: Vec<(String, Option<String>)>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkKindInfo {
    pub name: String,
    pub label: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkRowView {
    pub row: u32,
    pub target: String,
    pub text: String,
    pub ok: bool,
}

/// How one of the file's columns is to be read: as one of ours, or left out (`ours: null`).
#[derive(Debug, Clone, serde::Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ColumnMap {
    pub theirs: String,
    pub ours: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkPlanView {
    pub kind: String,
    /// Columns of the file Rackdesk does not know: the person says what they are.
    pub unknown_columns: Vec<String>,
    pub rows: Vec<BulkRowView>,
    /// "Row 4, column email: ..." sentences; errors first.
    pub problems: Vec<String>,
    pub errors: u32,
    pub warnings: u32,
    pub creates: u32,
    pub changes: u32,
    pub deletes: u32,
    pub no_change: u32,
    /// How long it will take at Rackspace's published limits.
    pub eta: String,
    pub can_start: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkProgressView {
    pub job_id: String,
    pub done: u32,
    pub failed: u32,
    pub skipped: u32,
    pub total: u32,
    pub eta: String,
    pub paused: bool,
    /// The latest row result or note, in words.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkFinishedView {
    pub job_id: String,
    pub state: String,
    pub done: u32,
    pub failed: u32,
    pub skipped: u32,
    /// Generated passwords, shown once.
    pub passwords: Vec<PasswordResult>,
    pub lost_passwords: Vec<String>,
    pub stopped: Option<String>,
}

fn kind(name: &str) -> CmdResult<JobKind> {
    JobKind::parse(name).ok_or_else(|| CommandError::invalid(format!("\"{name}\" is not a kind of bulk job.")))
}

fn store() -> CmdResult<Arc<JobStore>> {
    Ok(Arc::new(JobStore::open_default()?))
}

/// The kinds of job and their columns.
#[tauri::command]
pub fn bulk_kinds() -> Vec<BulkKindInfo> {
    JobKind::ALL
        .iter()
        .map(|k| BulkKindInfo { name: k.name().into(), label: k.label().into(), columns: k.columns().iter().map(|c| c.name.to_owned()).collect() })
        .collect()
}

/// Reads and checks the CSV, reads what the server has, and plans. Nothing is changed.
#[tauri::command]
pub async fn bulk_plan(
    state: tauri::State<'_, AppState>,
    bulk: tauri::State<'_, BulkState>,
    kind: String,
    file_name: String,
    text: String,
    maps: Vec<ColumnMap>,
) -> CmdResult<BulkPlanView> {
    let k = self::kind(&kind)?;
    let bytes = text.into_bytes();
    let mapping: Vec<(String, Option<String>)> = maps.into_iter().map(|m| (m.theirs, m.ours)).collect();
    let input = input::read(&bytes, k, &mapping);
    let unknown_columns: Vec<String> = input
        .headers
        .iter()
        .zip(&input.uses)
        .filter(|(_, u)| matches!(u, input::ColumnUse::Unknown))
        .map(|(h, _)| h.clone())
        .collect();
    let client = state.client();
    let (p, problems) = if input.problems.iter().any(|p| p.is_error() && p.row.is_none()) {
        // File-level problems: the rows cannot be trusted, so no server reads.
        (None, input.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>())
    } else {
        let v = validate::validate(&input);
        let snap = Snapshot::load(&client, &v, &|_: &str| {}).await?;
        let p = plan::plan(&input, &v, &snap, client.config().scheduler.limits());
        let problems = p.problems.iter().map(|x| x.to_string()).collect();
        (Some(p), problems)
    };
    let view = match &p {
        None => BulkPlanView {
            kind: k.name().into(),
            unknown_columns,
            rows: vec![],
            errors: problems.len() as u32,
            problems,
            warnings: 0,
            creates: 0,
            changes: 0,
            deletes: 0,
            no_change: 0,
            eta: String::new(),
            can_start: false,
        },
        Some(p) => BulkPlanView {
            kind: k.name().into(),
            unknown_columns,
            rows: p.rows.iter().map(|r| BulkRowView { row: r.row as u32, target: r.target.clone(), text: r.text.clone(), ok: r.op.is_some() }).collect(),
            problems,
            errors: p.counts.errors as u32,
            warnings: p.counts.warnings as u32,
            creates: p.counts.creates as u32,
            changes: p.counts.changes as u32,
            deletes: p.counts.deletes as u32,
            no_change: p.counts.no_change as u32,
            eta: eta_text(p.eta_secs),
            can_start: !p.has_errors() && p.changing_rows() > 0,
        },
    };
    *lock(&bulk.pending) = p.map(|plan| Pending { kind: k, name: file_name, bytes, plan, mapping });
    Ok(view)
}

/// Starts the planned job in the background; progress arrives as `bulk-progress` events and
/// the end as `bulk-finished`. Returns the job's id.
#[tauri::command]
pub async fn bulk_apply<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: tauri::State<'_, AppState>, bulk: tauri::State<'_, BulkState>) -> CmdResult<String> {
    let pending = lock(&bulk.pending).take().ok_or_else(|| CommandError::invalid("Choose a file and check its plan first."))?;
    let mut ops = state.ops()?;
    let path = format!("(imported in the app) {}", pending.name);
    Runner::permitted(&ops, pending.kind, &path)?;
    if pending.plan.has_errors() {
        return Err(CommandError::invalid("The file still has problems to fix; nothing was changed."));
    }
    let store = store()?;
    let new = NewJob {
        kind: pending.kind,
        file_path: path,
        file_sha256: input::sha256_hex(&pending.bytes),
        mapping: pending.mapping.clone(),
        account: ops.session.actor.account.clone(),
        identity_label: ops.session.actor.identity_label.clone(),
        api_url: ops.session.client.config().api_url.clone(),
        operator: ops.session.actor.operator.name.clone(),
    };
    let columns = pending.kind.columns().iter().map(|c| c.name.to_owned()).collect();
    let job = store.create(&new, &pending.plan, columns)?;
    ops.correlation_id = Some(job.id.clone());
    let mut runner = Runner::new(ops, store.clone());
    runner.file_passwords = input::read(&pending.bytes, pending.kind, &pending.mapping).rows.into_iter().filter_map(|r| r.password.map(|p| (r.row, p))).collect();
    drop(pending);
    let control = JobControl::new();
    runner.control = control.clone();
    *lock(&bulk.control) = Some(control);
    let last = Arc::new(Mutex::new(None::<String>));
    let (handle, last2) = (app.clone(), last.clone());
    runner.events = Some(Arc::new(move |ev: &JobEvent| match ev {
        JobEvent::Progress(p) => {
            taskbar_progress(&handle, Some((p.done + p.failed + p.skipped, p.total, p.paused)));
            let _ = handle.emit(
                "bulk-progress",
                BulkProgressView {
                    job_id: p.job_id.clone(),
                    done: p.done as u32,
                    failed: p.failed as u32,
                    skipped: p.skipped as u32,
                    total: p.total as u32,
                    eta: eta_text(p.eta_secs),
                    paused: p.paused,
                    message: lock(&last2).clone(),
                },
            );
        }
        JobEvent::Row { row, target, message, .. } => *lock(&last2) = Some(format!("Row {row} ({target}): {message}")),
        JobEvent::Note { message } => *lock(&last2) = Some(message.clone()),
    }));
    let id = job.id.clone();
    let started = std::time::Instant::now();
    tauri::async_runtime::spawn(async move {
        let report = runner.run(&id).await;
        let finished = match report {
            Ok(r) => {
                let seqs: Vec<usize> = r.passwords.iter().map(|p| p.seq).collect();
                let _ = store.set_secret(&id, &seqs, SecretState::Delivered);
                let passwords: Vec<PasswordResult> =
                    r.passwords.iter().map(|p| PasswordResult { address: p.address.clone(), password: p.password.expose_secret().to_owned() }).collect();
                if let Some(b) = app.try_state::<BulkState>() {
                    *lock(&b.passwords) = r.passwords.into_iter().map(|p| (p.address, p.password)).collect();
                    *lock(&b.control) = None;
                }
                BulkFinishedView {
                    job_id: id.clone(),
                    state: r.job.state.as_str().into(),
                    done: r.job.counts.done as u32,
                    failed: r.job.counts.failed as u32,
                    skipped: r.job.counts.skipped as u32,
                    passwords,
                    lost_passwords: r.lost_passwords,
                    stopped: r.stopped,
                }
            }
            Err(e) => BulkFinishedView {
                job_id: id.clone(),
                state: "failed".into(),
                done: 0,
                failed: 0,
                skipped: 0,
                passwords: vec![],
                lost_passwords: vec![],
                stopped: Some(e.user_message()),
            },
        };
        taskbar_progress(&app, None);
        crate::desktop::notify_if_slow(&app, started, "Bulk job finished", &format!("{} rows done, {} failed.", finished.done, finished.failed));
        let _ = app.emit("bulk-finished", finished);
    });
    Ok(job.id)
}

/// The job's progress on the taskbar (Windows) or dock (macOS) icon, where the desktop shows it.
fn taskbar_progress<R: tauri::Runtime>(app: &tauri::AppHandle<R>, state: Option<(usize, usize, bool)>) {
    use tauri::window::{ProgressBarState, ProgressBarStatus};
    let Some(w) = app.get_webview_window("main") else { return };
    let bar = match state {
        Some((done, total, paused)) => ProgressBarState {
            status: Some(if paused { ProgressBarStatus::Paused } else { ProgressBarStatus::Normal }),
            progress: Some(if total == 0 { 0 } else { (done * 100 / total) as u64 }),
        },
        None => ProgressBarState { status: Some(ProgressBarStatus::None), progress: None },
    };
    let _ = w.set_progress_bar(bar);
}

/// Pause, resume or cancel the running job (it stops between rows).
#[tauri::command]
pub fn bulk_control(bulk: tauri::State<'_, BulkState>, action: String) -> CmdResult<()> {
    let c = lock(&bulk.control).clone().ok_or_else(|| CommandError::invalid("No bulk job is running."))?;
    match action.as_str() {
        "pause" => c.pause(),
        "resume" => c.resume(),
        "cancel" => c.cancel(),
        other => return Err(CommandError::invalid(format!("\"{other}\" is not pause, resume or cancel."))),
    }
    Ok(())
}

async fn save_to<R: tauri::Runtime>(app: &tauri::AppHandle<R>, name: &str, write: impl FnOnce(std::fs::File) -> std::io::Result<usize>) -> CmdResult<Option<ExportResult>> {
    let Some(path) = crate::desktop::choose_save_path(app, name, "CSV", &["csv"]).await? else { return Ok(None) };
    let failed = |e: std::io::Error| CommandError {
        kind: "file".into(),
        message: format!("Rackdesk could not write {}. Choose a folder you can write to.", path.display()),
        detail: Some(e.to_string()),
    };
    let file = std::fs::File::create(&path).map_err(failed)?;
    let rows = write(file).map_err(failed)?;
    Ok(Some(ExportResult { path: path.display().to_string(), rows: rows as u32 }))
}

/// Saves a job's per-row results (failures first) where the person chooses.
#[tauri::command]
pub async fn bulk_save_results<R: tauri::Runtime>(app: tauri::AppHandle<R>, job_id: String) -> CmdResult<Option<ExportResult>> {
    let store = store()?;
    let job = store.job(&job_id)?;
    let rows = store.rows(&job_id)?;
    save_to(&app, &format!("rackdesk-results-{job_id}.csv"), |f| rackdesk_core::bulk::results::write_csv(&job, &rows, std::io::BufWriter::new(f))).await
}

/// Saves a job kind's template where the person chooses.
#[tauri::command]
pub async fn bulk_save_template<R: tauri::Runtime>(app: tauri::AppHandle<R>, kind: String) -> CmdResult<Option<ExportResult>> {
    let k = self::kind(&kind)?;
    let text = k.template();
    save_to(&app, &format!("rackdesk-{}-template.csv", k.name()), |mut f| {
        use std::io::Write;
        f.write_all(text.as_bytes())?;
        Ok(text.lines().count().saturating_sub(1))
    })
    .await
}

/// Saves the last run's generated passwords to a file the person chooses, then forgets them.
#[tauri::command]
pub async fn bulk_save_passwords<R: tauri::Runtime>(app: tauri::AppHandle<R>, bulk: tauri::State<'_, BulkState>) -> CmdResult<Option<ExportResult>> {
    let list: Vec<(String, String)> = lock(&bulk.passwords).iter().map(|(a, p)| (a.clone(), p.expose_secret().to_owned())).collect();
    if list.is_empty() {
        return Err(CommandError::invalid("There are no new passwords to save."));
    }
    let r = save_to(&app, "new-passwords.csv", |f| {
        let mut w = csv::Writer::from_writer(f);
        w.write_record(["email", "password"])?;
        for (a, p) in &list {
            w.write_record([a, p])?;
        }
        w.flush()?;
        Ok(list.len())
    })
    .await?;
    if r.is_some() {
        lock(&bulk.passwords).clear();
    }
    Ok(r)
}

/// Forgets the last run's passwords (after the person has seen them).
#[tauri::command]
pub fn bulk_forget_passwords(bulk: tauri::State<'_, BulkState>) {
    lock(&bulk.passwords).clear();
}
