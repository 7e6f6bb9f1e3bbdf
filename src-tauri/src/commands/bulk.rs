//! Bulk jobs in the app: the same engine as `rackdesk bulk` (plan, then apply through the
//! journal and the role's allow-list, durable, resumable). The page reads the CSV the person
//! chose (a standard file input: the page has no file-system permission) and sends its text;
//! files are written only where the person chooses in the system's save dialog.

use super::mailboxes::{ExportResult, PasswordResult};
use super::{CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::bulk::jobs;
use rackdesk_core::bulk::plan::eta_text;
use rackdesk_core::bulk::run::JobEvent;
use rackdesk_core::bulk::store::JobStore;
use rackdesk_core::bulk::JobKind;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use tauri::{Emitter, Manager};
use ts_rs::TS;

/// What the Bulk page holds between planning and applying, and the generated passwords of
/// finished runs until the person has seen or saved them. Memory only.
#[derive(Default)]
pub struct BulkState {
    pending: Mutex<Option<jobs::Planned>>,
    passwords: Mutex<Vec<Held>>,
}

/// A generated password held for the page, by job and row.
struct Held {
    job_id: String,
    seq: usize,
    address: String,
    password: SecretString,
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

/// A recorded job, for the Bulk page's list of jobs.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct BulkJobView {
    pub job_id: String,
    pub kind: String,
    /// The file's name as the person chose it.
    pub file: String,
    /// "planned", "running", "interrupted", "paused", "done" or "cancelled".
    pub state: String,
    pub message: Option<String>,
    pub done: u32,
    pub failed: u32,
    pub skipped: u32,
    pub open: u32,
    pub total: u32,
    /// When it was started (planned and begun), ISO 8601, UTC.
    pub created: String,
    /// When it finished (done or cancelled), ISO 8601, UTC; `null` while unfinished.
    pub finished: Option<String>,
    /// Its per-row results are kept, so "Save the results…" can write them.
    pub results_saveable: bool,
    /// Unfinished and not being run now: it can be resumed (or cancelled).
    pub resumable: bool,
    /// Running in this app now.
    pub running: bool,
    /// Mailboxes whose generated password was set but never shown: reset them.
    pub undelivered: Vec<String>,
}


/// A column problem's fix, said with this edge's control: the "Columns in the file" list.
pub fn columns_fix(f: &rackdesk_core::bulk::ColumnFix) -> String {
    use rackdesk_core::bulk::ColumnFix as F;
    match f {
        F::NameOrLeaveOut { theirs } => format!("Under \"Columns in the file\", choose which column \"{theirs}\" is, or leave it out."),
        F::LeaveOut { theirs } => format!("Under \"Columns in the file\", leave \"{theirs}\" out."),
        F::Choose { ours } => format!("If one of the file's columns holds it, choose {ours} for it under \"Columns in the file\"."),
        F::ChangeMatching { theirs } => format!("Under \"Columns in the file\", change what \"{theirs}\" is matched to."),
    }
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

/// A file the person chose with the system's dialog.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChosenFile {
    /// Where it is, to read it again ("Check again").
    pub path: String,
    /// Its name, for the page.
    pub name: String,
}

/// Asks for a CSV file with the system's dialog (`null`: the person cancelled).
#[tauri::command]
pub async fn bulk_choose_file<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> CmdResult<Option<ChosenFile>> {
    let chosen = crate::desktop::choose_open_path(&app, "CSV file", &["csv", "txt"]).await?;
    Ok(chosen.map(|p| ChosenFile { name: p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), path: p.display().to_string() }))
}

/// Reads the file at `path` as it is on disk now, checks it, reads what the server has, and
/// plans (the core's use cases). Nothing is changed.
#[tauri::command]
pub async fn bulk_plan_file(state: tauri::State<'_, AppState>, bulk: tauri::State<'_, BulkState>, kind: String, path: String, maps: Vec<ColumnMap>) -> CmdResult<BulkPlanView> {
    let file = jobs::JobFile::read(std::path::Path::new(&path))?;
    plan_view(&state, &bulk, &kind, file, maps).await
}

/// Checks a CSV the page read itself (a file dropped or chosen in the page), and plans.
/// Nothing is changed.
#[tauri::command]
pub async fn bulk_plan(
    state: tauri::State<'_, AppState>,
    bulk: tauri::State<'_, BulkState>,
    kind: String,
    file_name: String,
    text: String,
    maps: Vec<ColumnMap>,
) -> CmdResult<BulkPlanView> {
    let file = jobs::JobFile { path: jobs::app_file_path(&file_name), bytes: text.into_bytes() };
    plan_view(&state, &bulk, &kind, file, maps).await
}

async fn plan_view(state: &AppState, bulk: &BulkState, kind: &str, file: jobs::JobFile, maps: Vec<ColumnMap>) -> CmdResult<BulkPlanView> {
    let k = self::kind(kind)?;
    let mapping: Vec<(String, Option<String>)> = maps.into_iter().map(|m| (m.theirs, m.ours)).collect();
    let client = state.client();
    let planned = jobs::plan(&client, &*store()?, k, file, mapping, &|_: &str| {}).await?;
    let c = planned.plan.as_ref().map(|p| p.counts.clone()).unwrap_or_default();
    let view = BulkPlanView {
        kind: k.name().into(),
        unknown_columns: planned.unknown_columns(),
        rows: planned
            .plan
            .iter()
            .flat_map(|p| &p.rows)
            .map(|r| BulkRowView { row: r.row as u32, target: r.target.clone(), text: r.text.clone(), ok: r.op.is_some() })
            .collect(),
        problems: planned.problems(&columns_fix),
        errors: planned.errors() as u32,
        warnings: c.warnings as u32,
        creates: c.creates as u32,
        changes: c.changes as u32,
        deletes: c.deletes as u32,
        no_change: c.no_change as u32,
        eta: planned.plan.as_ref().map(|p| eta_text(p.eta_secs)).unwrap_or_default(),
        can_start: planned.can_start(),
    };
    *lock(&bulk.pending) = Some(planned);
    Ok(view)
}

/// Starts the planned job in the background (refused while a job from the same file is
/// unfinished, or another job runs); progress arrives as `bulk-progress` events and the end
/// as `bulk-finished`. Returns the job's id.
#[tauri::command]
pub async fn bulk_apply<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: tauri::State<'_, AppState>, bulk: tauri::State<'_, BulkState>) -> CmdResult<String> {
    let planned = lock(&bulk.pending).take().ok_or_else(|| CommandError::invalid("Choose a file and check its plan first."))?;
    let mut ops = state.ops()?;
    let store = store()?;
    let job = match jobs::start(&ops, &store, &planned) {
        Ok(j) => j,
        Err(e) => {
            // Keep the plan: the person may fix the cause (e.g. cancel the unfinished job).
            *lock(&bulk.pending) = Some(planned);
            return Err(e.into());
        }
    };
    ops.correlation_id = Some(job.id.clone());
    spawn_run(app, ops, store, &job.id, Some(planned.file.bytes))?;
    Ok(job.id)
}

/// Resumes an interrupted or paused job (e.g. after the app was closed mid-job): rows that
/// may have been sent are checked on the server first, none is applied twice.
#[tauri::command]
pub async fn bulk_resume<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: tauri::State<'_, AppState>, job_id: String) -> CmdResult<String> {
    let ops = state.ops()?;
    let store = store()?;
    let job = jobs::to_resume(&store, Some(&job_id))?;
    spawn_run(app, ops, store, &job.id, None)?;
    Ok(job.id)
}

/// Runs a job in the background, in this process's one job slot.
fn spawn_run<R: tauri::Runtime>(app: tauri::AppHandle<R>, ops: rackdesk_core::ops::Ops, store: Arc<JobStore>, id: &str, file: Option<Vec<u8>>) -> CmdResult<()> {
    jobs::reserve(id)?;
    let last = Arc::new(Mutex::new(None::<String>));
    let (handle, last2) = (app.clone(), last.clone());
    let events: rackdesk_core::bulk::run::EventSink = Arc::new(move |ev: &JobEvent| match ev {
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
    });
    let id = id.to_owned();
    let started = std::time::Instant::now();
    tauri::async_runtime::spawn(async move {
        let report = jobs::run(ops, store, &id, jobs::RunOptions { events: Some(events), sink: None, file }).await;
        let finished = match report {
            Ok(r) => {
                // Shown by the page next; marked delivered only when the person has seen or
                // saved them (`bulk_passwords_seen`, `bulk_save_passwords`).
                let passwords: Vec<PasswordResult> =
                    r.passwords.iter().map(|p| PasswordResult { address: p.address.clone(), password: p.password.expose_secret().to_owned() }).collect();
                if let Some(b) = app.try_state::<BulkState>() {
                    lock(&b.passwords).extend(r.passwords.into_iter().map(|p| Held { job_id: id.clone(), seq: p.seq, address: p.address, password: p.password }));
                }
                BulkFinishedView {
                    job_id: id.clone(),
                    state: r.job.state_text().into(),
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
        // A job may have changed aliases (offboarding removes people from them).
        if let Some(state) = app.try_state::<AppState>() {
            state.alias_book.forget_all();
        }
        crate::desktop::notify_if_slow(&app, started, "Bulk job finished", &format!("{} rows done, {} failed.", finished.done, finished.failed));
        let _ = app.emit("bulk-finished", finished);
    });
    Ok(())
}

/// The newest jobs (the core's `jobs::list`: the last 50, finished ones too), newest first:
/// unfinished ones can be resumed or cancelled; each one's results can be saved.
#[tauri::command]
pub fn bulk_jobs() -> CmdResult<Vec<BulkJobView>> {
    let store = store()?;
    Ok(jobs::list(&store)?
        .into_iter()
        .map(|l| {
            let j = l.info;
            BulkJobView {
                undelivered: l.undelivered,
                resumable: l.resumable,
                running: l.running,
                results_saveable: l.results_saveable,
                state: j.state_text().into(),
                job_id: j.id,
                kind: j.kind.label().into(),
                file: j.file_path.strip_prefix("(imported in the app) ").unwrap_or(&j.file_path).to_owned(),
                message: j.message,
                done: j.counts.done as u32,
                failed: j.counts.failed as u32,
                skipped: j.counts.skipped as u32,
                open: j.counts.open() as u32,
                total: j.counts.total as u32,
                created: j.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                finished: j.finished_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            }
        })
        .collect())
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
pub fn bulk_control(action: String) -> CmdResult<()> {
    let (id, c) = jobs::running().ok_or_else(|| CommandError::invalid("No bulk job is running."))?;
    match action.as_str() {
        "pause" => c.pause(),
        "resume" => c.resume(),
        "cancel" => {
            jobs::cancel(&*store()?, &id)?;
        }
        other => return Err(CommandError::invalid(format!("\"{other}\" is not pause, resume or cancel."))),
    }
    Ok(())
}

/// Cancels an unfinished job that is not running (the rows not done stay undone).
#[tauri::command]
pub fn bulk_cancel(job_id: String) -> CmdResult<String> {
    Ok(jobs::cancel(&*store()?, &job_id)?)
}

/// Writes a file where the person chooses in the save dialog; `private` for passwords.
async fn save_to<R: tauri::Runtime>(app: &tauri::AppHandle<R>, name: &str, private: bool, write: impl FnOnce(std::fs::File) -> std::io::Result<usize>) -> CmdResult<Option<ExportResult>> {
    let Some(path) = crate::desktop::choose_save_path(app, name, "CSV", &["csv"]).await? else { return Ok(None) };
    let failed = |e: std::io::Error| {
        let message = if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!("{} already exists, and Rackdesk never writes passwords into an existing file. Choose a new name.", path.display())
        } else {
            format!("Rackdesk could not write {}. Choose a folder you can write to.", path.display())
        };
        CommandError::new(rackdesk_core::ErrorKind::File, message).with_detail(e)
    };
    let file = if private { rackdesk_core::csv_safe::create_private_new(&path) } else { std::fs::File::create(&path) }.map_err(failed)?;
    let rows = write(file).map_err(failed)?;
    Ok(Some(ExportResult { path: path.display().to_string(), rows: rows as u32 }))
}

/// Saves a job's per-row results (failures first) where the person chooses.
#[tauri::command]
pub async fn bulk_save_results<R: tauri::Runtime>(app: tauri::AppHandle<R>, job_id: String) -> CmdResult<Option<ExportResult>> {
    let store = store()?;
    let job = store.job(&job_id)?;
    let rows = store.rows(&job_id)?;
    save_to(&app, &format!("rackdesk-results-{job_id}.csv"), false, |f| rackdesk_core::bulk::results::write_csv(&job, &rows, std::io::BufWriter::new(f))).await
}

/// Saves a job kind's template where the person chooses.
#[tauri::command]
pub async fn bulk_save_template<R: tauri::Runtime>(app: tauri::AppHandle<R>, kind: String) -> CmdResult<Option<ExportResult>> {
    let k = self::kind(&kind)?;
    let text = k.template();
    save_to(&app, &format!("rackdesk-{}-template.csv", k.name()), false, |mut f| {
        use std::io::Write;
        f.write_all(text.as_bytes())?;
        Ok(text.lines().count().saturating_sub(1))
    })
    .await
}

/// Saves a job's generated passwords to a new file the person chooses (owner-only), marks
/// them delivered, and forgets them.
#[tauri::command]
pub async fn bulk_save_passwords<R: tauri::Runtime>(app: tauri::AppHandle<R>, bulk: tauri::State<'_, BulkState>, job_id: String) -> CmdResult<Option<ExportResult>> {
    let list: Vec<(String, String)> =
        lock(&bulk.passwords).iter().filter(|h| h.job_id == job_id).map(|h| (h.address.clone(), h.password.expose_secret().to_owned())).collect();
    if list.is_empty() {
        return Err(CommandError::invalid("There are no new passwords to save."));
    }
    let r = save_to(&app, "new-passwords.csv", true, |f| {
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
        passwords_seen(&bulk, &job_id)?;
    }
    Ok(r)
}

/// The person has seen a job's new passwords (or copied them): they are marked delivered and
/// forgotten.
#[tauri::command]
pub fn bulk_passwords_seen(bulk: tauri::State<'_, BulkState>, job_id: String) -> CmdResult<()> {
    passwords_seen(&bulk, &job_id)
}

fn passwords_seen(bulk: &BulkState, job_id: &str) -> CmdResult<()> {
    let seqs: Vec<usize> = lock(&bulk.passwords).iter().filter(|h| h.job_id == job_id).map(|h| h.seq).collect();
    jobs::passwords_delivered(&*store()?, job_id, &seqs)?;
    lock(&bulk.passwords).retain(|h| h.job_id != job_id);
    Ok(())
}
