//! Applying a job: rows one by one in file order, each change through [`Ops`] (the role's
//! allow-list and the journal, with the job id as correlation id), paced by the client's
//! scheduler at the published limits — no sleeps of our own except to wait out throttling.
//!
//! The rule that makes resuming safe: a row is marked `in-flight` in the job store (a
//! committed transaction) before its request is sent, and `done` or `failed` after. A row
//! found `in-flight` when a job is resumed may or may not have reached Rackspace, so it is
//! first checked on the server (create: does it exist; delete: is it gone; update: are the
//! planned values in place; alias or list: membership; contact: read back; spam entry: the
//! list read back) and only sent again if it did not happen.
//! Password resets cannot be read back; sending one again is harmless (the password that
//! counts is the one shown, which is the last one set).

use super::plan::{eta, Op, PasswordSource};
use super::store::{JobInfo, JobRow, JobState, JobStore, RowState, SecretState};
use super::BulkError;
use crate::api::{MailboxChanges, NewMailbox, Vacation};
use crate::exchange::{ContactChanges, ExMailboxChanges, Expect, NewContact, NewExMailbox, RecipientChange, RecipientKind, SettleWait};
use crate::names::EmailAddress;
use crate::ops::{Ops, OpsError};
use crate::{password, policy, ApiError, ErrorKind};
use secrecy::SecretString;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Pause, resume, stop and cancel a running job from another task or thread. Checked between
/// rows: a row already sent finishes first.
#[derive(Debug, Default)]
pub struct JobControl {
    paused: AtomicBool,
    stop: AtomicBool,
    cancel: AtomicBool,
    wake: tokio::sync::Notify,
}

impl JobControl {
    pub fn new() -> Arc<JobControl> {
        Arc::new(JobControl::default())
    }
    /// Hold before the next row until [`JobControl::resume`].
    pub fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
    }
    pub fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
        self.wake.notify_waiters();
    }
    /// Leave the job after the current row, to be resumed later (e.g. the app is closing).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }
    /// End the job after the current row; the rows not done are marked cancelled.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        self.wake.notify_waiters();
    }
    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst) || self.cancel.load(Ordering::SeqCst)
    }
}

/// Where the job is, after each row.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub job_id: String,
    pub done: usize,
    pub failed: usize,
    /// Rows with nothing to do.
    pub skipped: usize,
    pub total: usize,
    /// Seconds left, from the published limits and the pace so far.
    pub eta_secs: u64,
    pub paused: bool,
}

/// What a running job tells its caller.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase", tag = "event")]
pub enum JobEvent {
    Progress(Progress),
    /// A row finished (done or failed), with its plain result.
    Row { row: usize, target: String, state: RowState, message: String },
    /// Something worth saying ("checking row 14 on the server after the interruption").
    Note { message: String },
}

pub type EventSink = Arc<dyn Fn(&JobEvent) + Send + Sync>;

/// Takes each generated password the moment its row is done. Returns true when the password
/// is safely in the person's hands (e.g. written and flushed to the file they chose); else
/// the runner keeps it in memory for the report.
pub trait PasswordSink: Send + Sync {
    fn deliver(&self, row: usize, address: &str, password: &SecretString) -> bool;
}

/// A password Rackdesk generated and set; shown once, never stored.
pub struct GeneratedPassword {
    pub row: usize,
    pub seq: usize,
    pub address: String,
    pub password: SecretString,
}

impl std::fmt::Debug for GeneratedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedPassword").field("row", &self.row).field("address", &self.address).finish_non_exhaustive()
    }
}

/// The end of a run.
#[derive(Debug)]
pub struct RunReport {
    pub job: JobInfo,
    /// Generated passwords not yet handed over: show them once, then call
    /// [`JobStore::set_secret`] with [`SecretState::Delivered`].
    pub passwords: Vec<GeneratedPassword>,
    /// Mailboxes whose generated password was lost because an earlier run stopped before
    /// showing it (their passwords must be reset).
    pub lost_passwords: Vec<String>,
    /// Why the run ended before the job was done, if it did.
    pub stopped: Option<String>,
}

/// Applies one job.
pub struct Runner {
    pub ops: Ops,
    pub store: Arc<JobStore>,
    pub control: Arc<JobControl>,
    pub events: Option<EventSink>,
    /// Passwords from the file's password column, by spreadsheet row (read again on resume).
    pub file_passwords: HashMap<usize, SecretString>,
    /// Why `file_passwords` may be missing (the file moved or changed), for the row's message.
    pub file_note: Option<String>,
    pub sink: Option<Arc<dyn PasswordSink>>,
}

/// How a step ended.
enum StepEnd {
    /// Applied; a generated password, if the step set one.
    Applied(Option<SecretString>),
    /// Nothing needed sending (already so on the server).
    AlreadySo(String),
}

fn addr(s: &str) -> Result<EmailAddress, ApiError> {
    EmailAddress::parse(s)
}

fn transient(e: &ApiError) -> bool {
    matches!(e.kind(), ErrorKind::Network | ErrorKind::Timeout | ErrorKind::ServerFault | ErrorKind::Undecodable) || unreachable(e)
}

/// The way to Rackspace is blocked on this computer's network (a proxy that is down, wants a
/// password or refuses; a certificate that is not trusted; a name not found): every row
/// would fail the same way, and nothing was sent.
fn unreachable(e: &ApiError) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ProxyUnreachable | ErrorKind::ProxyAuth | ErrorKind::ProxyRefused | ErrorKind::Certificate | ErrorKind::NameNotFound
    )
}

impl Runner {
    pub fn new(ops: Ops, store: Arc<JobStore>) -> Runner {
        Runner { ops, store, control: JobControl::new(), events: None, file_passwords: HashMap::new(), file_note: None, sink: None }
    }

    fn emit(&self, ev: JobEvent) {
        if let Some(s) = &self.events {
            s(&ev);
        }
    }

    /// Checks that the role may run this job at all; a refusal is journaled.
    pub fn permitted(ops: &Ops, kind: super::JobKind, target: &str) -> Result<(), BulkError> {
        for a in kind.actions() {
            if let Err(r) = policy::check(ops.role(), a) {
                let intent = crate::ops::intent_for(&ops.session.actor, ops.sandbox, ops.correlation_id.clone(), &format!("bulk.{}", kind.name()), target, serde_json::json!({}));
                ops.journal.refused(&intent, &r.message())?;
                return Err(r.into());
            }
        }
        Ok(())
    }

    /// Runs (or resumes) job `id` to its end, or until stopped, paused for good, or cancelled.
    pub async fn run(mut self, id: &str) -> Result<RunReport, BulkError> {
        let job = self.store.job(id)?;
        Runner::permitted(&self.ops, job.kind, id)?;
        if job.state.is_finished() {
            return Err(BulkError::Invalid(format!("Job {id} is already {}; there is nothing to resume.", job.state.as_str())));
        }
        let here = (&self.ops.session.actor.account, self.ops.session.client.config().api_url.trim_end_matches('/'));
        if (&job.account, job.api_url.trim_end_matches('/')) != here {
            return Err(BulkError::Invalid(format!(
                "Job {id} was planned for account {} at {}, but Rackdesk is now connected to account {} at {}. Act through the identity the job was planned with to resume it.",
                job.account, job.api_url, here.0, here.1
            )));
        }
        let _lock = self.store.lock(id)?;
        self.ops.correlation_id = Some(id.to_owned());
        let lost_before = self.store.lose_pending_secrets(id)?;
        self.store.set_state(id, JobState::Running, None)?;
        let rows = self.store.rows(id)?;
        let limits = self.ops.session.client.config().scheduler.limits();
        let started = Instant::now();
        let mut passwords: Vec<GeneratedPassword> = Vec::new();
        let mut lost = lost_before;
        let mut stopped: Option<String> = None;
        let mut consecutive_transient = 0u32;
        let mut done_this_run = 0usize;
        let mut counts = self.store.job(id)?.counts;
        let total = counts.total;
        // Remaining cost, for the ETA.
        let remaining = |rows: &[JobRow], from: usize| -> (u64, u64) {
            rows[from..].iter().filter(|r| r.state.is_open()).filter_map(|r| r.op.as_ref()).map(Op::cost).fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1))
        };
        let progress = |this: &Runner, counts: &super::store::RowCounts, from: usize, done_this_run: usize, paused: bool| {
            let (r, w) = remaining(&rows, from);
            let mut secs = eta(r, w, limits).as_secs();
            let open = counts.open() as u64;
            if done_this_run >= 5 {
                let per = started.elapsed().as_secs_f64() / done_this_run as f64;
                secs = secs.max((per * open as f64).round() as u64);
            }
            this.emit(JobEvent::Progress(Progress { job_id: id.to_owned(), done: counts.done, failed: counts.failed, skipped: counts.skipped, total, eta_secs: secs, paused }));
        };
        progress(&self, &counts, 0, 0, false);

        for (i, row) in rows.iter().enumerate() {
            if !row.state.is_open() {
                continue;
            }
            // Between rows: pause, stop, cancel.
            while self.control.is_paused() && !self.control.stopping() {
                progress(&self, &counts, i, done_this_run, true);
                let notified = self.control.wake.notified();
                tokio::select! {
                    _ = notified => {}
                    _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                }
            }
            if self.control.cancel.load(Ordering::SeqCst) {
                let n = self.store.cancel_open_rows(id)?;
                self.store.set_state(id, JobState::Cancelled, Some(&format!("Cancelled; {n} rows were not done.")))?;
                stopped = Some(format!("The job was cancelled; {n} rows were not done."));
                break;
            }
            if self.control.stop.load(Ordering::SeqCst) {
                stopped = Some("The job was stopped; resume it to do the rest.".into());
                self.store.set_state(id, JobState::Paused, Some("Stopped by the person running it."))?;
                break;
            }
            let Some(op) = row.op.clone() else {
                self.store.row_failed(id, row.seq, "invalid-input", "not applied: the row had errors", None)?;
                continue;
            };
            let was_in_flight = row.state == RowState::InFlight;
            match self.apply_row(id, row, &op, was_in_flight).await {
                Ok((result, pw, secret_lost)) => {
                    consecutive_transient = 0;
                    let secret = match (pw, secret_lost) {
                        (Some(p), _) => {
                            let delivered = self.sink.as_ref().is_some_and(|s| s.deliver(row.row, &row.target, &p));
                            if !delivered {
                                passwords.push(GeneratedPassword { row: row.row, seq: row.seq, address: row.target.clone(), password: p });
                            }
                            Some(if delivered { SecretState::Delivered } else { SecretState::Pending })
                        }
                        (None, true) => {
                            lost.push(row.target.clone());
                            Some(SecretState::Lost)
                        }
                        (None, false) => None,
                    };
                    self.store.row_done(id, row.seq, op.steps(), &result, secret)?;
                    counts.done += 1;
                    self.emit(JobEvent::Row { row: row.row, target: row.target.clone(), state: RowState::Done, message: result });
                }
                Err(RowError::Fatal(e)) => {
                    self.store.set_state(id, JobState::Paused, Some(&e.user_message()))?;
                    return Err(e);
                }
                Err(RowError::Stop { message }) => {
                    self.store.row_pending(id, row.seq)?;
                    self.store.set_state(id, JobState::Paused, Some(&message))?;
                    stopped = Some(message);
                    break;
                }
                Err(RowError::Failed { kind, message, detail, transient: t }) => {
                    self.store.row_failed(id, row.seq, &kind, &message, detail.as_deref())?;
                    counts.failed += 1;
                    self.emit(JobEvent::Row { row: row.row, target: row.target.clone(), state: RowState::Failed, message: message.clone() });
                    if t {
                        consecutive_transient += 1;
                        if consecutive_transient >= 5 {
                            let m = "Rackspace failed five rows in a row, so the job was paused to avoid failing the rest. Resume it when Rackspace answers again.".to_string();
                            self.store.set_state(id, JobState::Paused, Some(&m))?;
                            stopped = Some(m);
                            break;
                        }
                    } else {
                        consecutive_transient = 0;
                    }
                }
            }
            counts.pending = counts.pending.saturating_sub(usize::from(!was_in_flight));
            counts.in_flight = counts.in_flight.saturating_sub(usize::from(was_in_flight));
            done_this_run += 1;
            progress(&self, &counts, i + 1, done_this_run, false);
        }
        let mut job = self.store.job(id)?;
        if job.state == JobState::Running {
            if job.counts.open() == 0 {
                let m = format!("{} done, {} failed, {} without changes.", job.counts.done, job.counts.failed, job.counts.skipped);
                self.store.set_state(id, JobState::Done, Some(&m))?;
            } else {
                self.store.set_state(id, JobState::Paused, None)?;
            }
            job = self.store.job(id)?;
        }
        job.interrupted = false;
        Ok(RunReport { job, passwords, lost_passwords: lost, stopped })
    }

    /// The journal's intents of this row left open when Rackdesk stopped mid-row are settled
    /// with what the check on the server found, at once (not only at the next start).
    fn settle_open_intents(&self, job_id: &str, row: &JobRow, result: &str) {
        let open = match self.ops.journal.unsettled(chrono::Utc::now()) {
            Ok(open) => open,
            Err(e) => return tracing::warn!("journal: open entries of row {} not read: {e}", row.row),
        };
        for e in open.iter().filter(|e| e.correlation_id.as_deref() == Some(job_id) && e.target.eq_ignore_ascii_case(&row.target)) {
            if let Err(err) = self.ops.journal.finish(e.id, &crate::journal::Outcome::Reconciled { result: result.into() }) {
                tracing::warn!("journal entry {} not settled: {err}", e.id);
            }
        }
    }

    /// Applies the row's remaining steps. Returns the result text, a generated password, and
    /// whether a generated password was lost (set by an earlier, interrupted run).
    async fn apply_row(&self, id: &str, row: &JobRow, op: &Op, was_in_flight: bool) -> Result<(String, Option<SecretString>, bool), RowError> {
        let mut step = row.step;
        let mut password: Option<SecretString> = None;
        let mut lost = false;
        let mut notes: Vec<String> = Vec::new();
        let mut check_first = was_in_flight;
        while step < op.steps() {
            if check_first {
                check_first = false;
                self.emit(JobEvent::Note { message: format!("Row {}: Rackdesk stopped while sending it; checking {} on the server first.", row.row, row.target) });
                match self.verify(op, step).await {
                    Ok(true) => {
                        notes.push("confirmed on the server after an interruption".into());
                        self.settle_open_intents(id, row, "applied: confirmed on the server when the job was resumed");
                        if step == 0 && op.password() == Some(PasswordSource::Generate) {
                            lost = true;
                        }
                        step += 1;
                        if step < op.steps() {
                            self.store.row_step_done(id, row.seq, step).map_err(RowError::Fatal)?;
                        }
                        continue;
                    }
                    Ok(false) => {
                        notes.push("sent again after an interruption".into());
                        self.settle_open_intents(id, row, "not applied: it was not on the server when the job was resumed, so it was sent again");
                    }
                    Err(e) => return Err(RowError::from_api(&e, Some("Rackdesk stopped while sending this row and cannot check it now"))),
                }
            }
            // The step's password is chosen once, before the first send: a change that reached
            // the server but whose answer was lost still hands over the password it set.
            let step_password = match (step, op.password()) {
                (0, Some(src)) => match addr(&row.target).map_err(OpsError::from).and_then(|a| self.row_password(row.row, &a, src)) {
                    Ok(p) => Some(p),
                    Err(OpsError::Api(e)) => return Err(RowError::from_api(&e, None)),
                    Err(e) => return Err(RowError::Failed { kind: e.kind().as_str().into(), message: e.user_message(), detail: None, transient: false }),
                },
                _ => None,
            };
            let pw = step_password.as_ref().map(|(p, _)| p);
            let handed_over = step_password.as_ref().filter(|(_, generated)| *generated).map(|(p, _)| p.clone());
            self.store.row_in_flight(id, row.seq, step).map_err(RowError::Fatal)?;
            let mut throttled_rounds = 0;
            let mut unconfirmed_rounds = 0;
            let end = loop {
                match self.apply_step(op, step, pw).await {
                    Ok(end) => break end,
                    Err(OpsError::Journal(e)) => {
                        // Nothing was sent: the intent could not be written.
                        let _ = self.store.row_pending(id, row.seq);
                        return Err(RowError::Fatal(e.into()));
                    }
                    Err(OpsError::Refused(r)) => return Err(RowError::Failed { kind: "not-allowed".into(), message: r.message(), detail: None, transient: false }),
                    Err(OpsError::Api(ApiError::Throttled { .. })) if throttled_rounds < 20 => {
                        // Throttled calls are refused, not carried out: wait a window, send again.
                        throttled_rounds += 1;
                        let c = &self.ops.session.client;
                        c.config().scheduler.note_throttled(c.credentials().user_key());
                        self.emit(JobEvent::Note { message: format!("Rackspace asked Rackdesk to slow down; waiting before row {}.", row.row) });
                        continue;
                    }
                    Err(OpsError::Api(ApiError::Unconfirmed { cause })) if unconfirmed_rounds < 2 => {
                        unconfirmed_rounds += 1;
                        match self.verify(op, step).await {
                            Ok(true) => break StepEnd::Applied(handed_over.clone()),
                            Ok(false) => continue,
                            Err(_) => return Err(RowError::from_api(&ApiError::Unconfirmed { cause }, None)),
                        }
                    }
                    Err(OpsError::Api(e @ (ApiError::AuthFailed(_) | ApiError::Forbidden(_)))) if step == 0 => {
                        return Err(RowError::Stop { message: format!("{} The job was paused; nothing more was sent.", e.user_message()) });
                    }
                    Err(OpsError::Api(e)) if step == 0 && unreachable(&e) => {
                        return Err(RowError::Stop { message: format!("{} The job was paused; resume it once the connection works.", e.user_message()) });
                    }
                    Err(OpsError::Api(e)) => return Err(RowError::from_api(&e, None)),
                    Err(e @ (OpsError::AlreadyExists { .. } | OpsError::AliasesDeliverHere { .. } | OpsError::DomainTypo { .. })) => {
                        return Err(RowError::Failed { kind: e.kind().as_str().into(), message: e.user_message(), detail: None, transient: false })
                    }
                }
            };
            match end {
                StepEnd::Applied(p) => {
                    if p.is_some() {
                        password = p;
                        lost = false;
                    }
                }
                StepEnd::AlreadySo(note) => notes.push(note),
            }
            step += 1;
            if step < op.steps() {
                self.store.row_step_done(id, row.seq, step).map_err(RowError::Fatal)?;
            }
        }
        let mut result = row.text.clone();
        if !notes.is_empty() {
            result = format!("{result} ({})", notes.join("; "));
        }
        if lost {
            result.push_str(". The generated password was never shown: reset it");
        }
        Ok((result, password, lost))
    }

    fn file_password(&self, row: usize) -> Result<SecretString, OpsError> {
        self.file_passwords.get(&row).cloned().ok_or_else(|| {
            OpsError::Api(ApiError::invalid(
                "password",
                self.file_note.clone().unwrap_or_else(|| "it was in the file, which Rackdesk cannot read now or which has changed since the job was planned. Rackdesk does not keep passwords; put this row in a new job".into()),
            ))
        })
    }

    /// The row's password: generated for the mailbox (`true`), or the one in the file.
    fn row_password(&self, row: usize, a: &EmailAddress, src: PasswordSource) -> Result<(SecretString, bool), OpsError> {
        match src {
            PasswordSource::Generate => Ok((password::generate(Some(&a.local), Some(&a.domain)), true)),
            PasswordSource::FromFile => Ok((self.file_password(row)?, false)),
        }
    }

    /// Sends step `step` of `op`. `pw` is the step's password where it sets one (chosen by
    /// [`Self::apply_row`]); a generated one is handed back to be shown once.
    async fn apply_step(&self, op: &Op, step: usize, pw: Option<&SecretString>) -> Result<StepEnd, OpsError> {
        let need_pw = || pw.cloned().ok_or_else(|| OpsError::Api(ApiError::invalid("password", "no password was chosen for this change")));
        let generated = |p: SecretString| if op.password() == Some(PasswordSource::Generate) { Some(p) } else { None };
        let c = &self.ops.session.client;
        match op {
            Op::Nothing { reason } => Ok(StepEnd::AlreadySo(reason.clone())),
            Op::Create { address, size, display_name, first_name, last_name, enabled, forward_to, keep_copy, auto_reply, .. } => {
                let a = addr(address)?;
                let pw = need_pw()?;
                let mut new = NewMailbox::new(pw.clone(), *size);
                new.display_name = display_name.clone();
                new.first_name = first_name.clone();
                new.last_name = last_name.clone();
                new.enabled = *enabled;
                new.forward_to = forward_to.clone();
                new.save_forwarded_email = *keep_copy;
                new.vacation = auto_reply.as_ref().map(|m| Vacation { enabled: true, message: m.clone() });
                self.ops.create_mailbox_planned(&a, &new, Ops::create_changes(&new)).await?;
                Ok(StepEnd::Applied(generated(pw)))
            }
            Op::Update { address, display_name, size, enabled, forward_to, keep_copy, auto_reply } => {
                let a = addr(address)?;
                let ch = MailboxChanges {
                    display_name: display_name.clone(),
                    enabled: *enabled,
                    password: None,
                    size: *size,
                    forward_to: forward_to.clone(),
                    save_forwarded_email: *keep_copy,
                    vacation: auto_reply.as_ref().map(|r| match r {
                        Some(m) => Vacation { enabled: true, message: m.clone() },
                        None => Vacation { enabled: false, message: String::new() },
                    }),
                };
                self.ops.edit_mailbox(&a, &ch).await?;
                Ok(StepEnd::Applied(None))
            }
            Op::ResetPassword { address, .. } => {
                let a = addr(address)?;
                let pw = need_pw()?;
                self.ops.edit_mailbox(&a, &MailboxChanges { password: Some(pw.clone()), ..Default::default() }).await?;
                Ok(StepEnd::Applied(generated(pw)))
            }
            Op::ExCreate { address, size, display_name, enabled, forward_to, keep_copy, contact, .. } => {
                let a = addr(address)?;
                let pw = need_pw()?;
                let mut new = NewExMailbox::new(display_name.clone(), pw.clone(), *size);
                new.enabled = *enabled;
                new.forward_to = forward_to.clone();
                new.save_forwarded_email = *keep_copy;
                new.contact = contact.clone();
                self.ops.create_ex_mailbox(&a, &new).await?;
                Ok(StepEnd::Applied(generated(pw)))
            }
            Op::ExUpdate { address, display_name, size, enabled, forward_to, keep_copy } => {
                let a = addr(address)?;
                let ch = ExMailboxChanges {
                    display_name: display_name.clone(),
                    size: *size,
                    enabled: *enabled,
                    forward_to: forward_to.clone(),
                    save_forwarded_email: *keep_copy,
                    ..Default::default()
                };
                self.ops.edit_ex_mailbox(&a, &ch).await?;
                Ok(StepEnd::Applied(None))
            }
            Op::ExResetPassword { address, .. } => {
                let a = addr(address)?;
                let pw = need_pw()?;
                self.ops.edit_ex_mailbox(&a, &ExMailboxChanges { password: Some(pw.clone()), ..Default::default() }).await?;
                Ok(StepEnd::Applied(generated(pw)))
            }
            Op::ExOffboard { address, enabled, forward_to, hide } => {
                let a = addr(address)?;
                let pw = need_pw()?;
                let ch = ExMailboxChanges { password: Some(pw.clone()), enabled: *enabled, forward_to: forward_to.clone(), is_hidden: *hide, ..Default::default() };
                self.ops.edit_ex_mailbox(&a, &ch).await?;
                Ok(StepEnd::Applied(Some(pw)))
            }
            Op::ExDelete { address } => {
                let a = addr(address)?;
                match self.ops.delete_ex_mailbox(&a).await {
                    Err(OpsError::Api(e)) if e.is_not_found() => Ok(StepEnd::AlreadySo("it was already gone".into())),
                    r => r.map(|_| StepEnd::Applied(None)),
                }
            }
            Op::Delete { address, leave_aliases } => {
                if let Some(alias) = leave_aliases.get(step) {
                    return self.leave_alias(alias, &address.to_ascii_lowercase()).await;
                }
                let a = addr(address)?;
                match self.ops.delete_mailbox_only(&a).await {
                    Err(OpsError::Api(e)) if e.is_not_found() => Ok(StepEnd::AlreadySo("it was already gone".into())),
                    r => r.map(|_| StepEnd::Applied(None)),
                }
            }
            Op::AliasAdd { alias, member, .. } => {
                let a = addr(alias)?;
                match c.alias(&a.domain, &a.local).await {
                    Ok(al) => {
                        let mut members: Vec<String> = al.members.iter().map(|m| m.to_ascii_lowercase()).collect();
                        if members.contains(member) {
                            return Ok(StepEnd::AlreadySo(format!("{member} was already a member")));
                        }
                        members.push(member.clone());
                        self.ops.set_alias_members(&a, &members).await?;
                    }
                    Err(e) if e.is_not_found() => self.ops.create_alias_planned(&a, std::slice::from_ref(member)).await?,
                    Err(e) => return Err(e.into()),
                }
                Ok(StepEnd::Applied(None))
            }
            Op::AliasRemove { alias, member, .. } => self.leave_alias(alias, member).await,
            Op::ContactCreate { domain, name, email, display_name, fields } => {
                let new = NewContact { display_name: display_name.clone(), external_email: email.clone(), is_hidden: None, fields: fields.clone() };
                self.ops.create_contact(domain, name, &new).await?;
                Ok(StepEnd::Applied(None))
            }
            Op::ContactEdit { domain, name, email, display_name, fields } => {
                let ch = ContactChanges { display_name: display_name.clone(), external_email: email.clone(), is_hidden: None, fields: fields.clone() };
                self.ops.edit_contact(domain, name, &ch).await?;
                Ok(StepEnd::Applied(None))
            }
            Op::ListMember { list, member, add } => {
                let a = addr(list)?;
                // Already so (someone else did it since the plan): nothing to send.
                match c.list_recipients(&a.domain, &a.local, RecipientKind::Members).await {
                    Ok(m) if m.iter().any(|x| x.eq_ignore_ascii_case(member)) == *add => {
                        return Ok(StepEnd::AlreadySo(format!("{member} {} a member", if *add { "was already" } else { "was not" })));
                    }
                    Ok(_) => {}
                    Err(e) => return Err(e.into()),
                }
                let how = if *add { RecipientChange::Add } else { RecipientChange::Remove };
                self.ops.change_list_recipients(&a, RecipientKind::Members, how, std::slice::from_ref(member), self.settle_wait()).await?;
                Ok(StepEnd::Applied(None))
            }
            Op::SpamEntry { owner, list, entry, add } => {
                // Ops reads the list first: an entry already so (someone else did it since the
                // plan) is not sent.
                let e = [crate::spam::SpamEntry::from_server(entry)];
                let (a, r): (&[crate::spam::SpamEntry], &[crate::spam::SpamEntry]) = if *add { (&e, &[]) } else { (&[], &e) };
                let done = self.ops.change_spam_list(owner, *list, a, r).await?;
                if done.changed() {
                    Ok(StepEnd::Applied(None))
                } else {
                    Ok(StepEnd::AlreadySo(format!("{entry} {} on the {}", if *add { "was already" } else { "was not" }, list.label())))
                }
            }
            Op::Offboard { address, enabled, forward_to, auto_reply, leave_aliases } => {
                if step == 0 {
                    let a = addr(address)?;
                    let pw = need_pw()?;
                    let ch = MailboxChanges {
                        password: Some(pw.clone()),
                        enabled: *enabled,
                        forward_to: forward_to.as_ref().map(|f| vec![f.clone()]),
                        vacation: auto_reply.as_ref().map(|m| Vacation { enabled: true, message: m.clone() }),
                        ..Default::default()
                    };
                    self.ops.edit_mailbox(&a, &ch).await?;
                    Ok(StepEnd::Applied(Some(pw)))
                } else {
                    let alias = leave_aliases.get(step - 1).cloned().unwrap_or_default();
                    self.leave_alias(&alias, address).await
                }
            }
        }
    }

    /// How long to wait for a list change to settle: the core's paced default, or quick reads
    /// when Rackdesk talks to the sandbox or a server on this computer (which settle at once).
    fn settle_wait(&self) -> SettleWait {
        let url = &self.ops.session.client.config().api_url;
        let local = reqwest::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_owned)).is_some_and(|h| {
            h == "localhost" || h.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
        });
        if self.ops.sandbox || local {
            SettleWait { interval: Duration::from_millis(200), max_wait: Duration::from_secs(120) }
        } else {
            SettleWait::default()
        }
    }

    /// Whether the contact holds every value the step sets (`None` when it does not exist).
    async fn contact_has(&self, domain: &str, name: &str, email: Option<&str>, display_name: Option<&str>, fields: &crate::exchange::ContactFields) -> Result<Option<bool>, ApiError> {
        let c = match self.ops.session.client.contact(domain, name).await {
            Ok(c) => c,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let (missing, _) = super::plan::contact_field_changes(Some(c.details()), fields);
        Ok(Some(
            email.is_none_or(|e| c.external_email.as_deref().is_some_and(|x| x.trim().eq_ignore_ascii_case(e)))
                && display_name.is_none_or(|d| c.display_name.as_deref().map(str::trim) == Some(d.trim()))
                && missing == crate::exchange::ContactFields::default(),
        ))
    }

    /// Takes `member` out of `alias`, reading its members first. The alias is deleted when the
    /// member was its last (an alias cannot be left with no address).
    async fn leave_alias(&self, alias: &str, member: &str) -> Result<StepEnd, OpsError> {
        let a = addr(alias)?;
        let al = match self.ops.session.client.alias(&a.domain, &a.local).await {
            Ok(al) => al,
            Err(e) if e.is_not_found() => return Ok(StepEnd::AlreadySo(format!("{alias} no longer exists"))),
            Err(e) => return Err(e.into()),
        };
        let members: Vec<String> = al.members.iter().map(|m| m.to_ascii_lowercase()).collect();
        if !members.iter().any(|m| m == member) {
            return Ok(StepEnd::AlreadySo(format!("{member} was not a member of {alias}")));
        }
        let rest: Vec<String> = members.into_iter().filter(|m| m != member).collect();
        if rest.is_empty() {
            self.ops.delete_alias(&a).await?;
        } else {
            self.ops.set_alias_members(&a, &rest).await?;
        }
        Ok(StepEnd::Applied(None))
    }

    /// Whether step `step` of `op` is in effect on the server now.
    async fn verify(&self, op: &Op, step: usize) -> Result<bool, ApiError> {
        let c = &self.ops.session.client;
        let exists = |r: Result<(), ApiError>| match r {
            Ok(()) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        };
        let member_of = |alias: &str, member: &str| {
            let alias = alias.to_owned();
            let member = member.to_owned();
            async move {
                let a = addr(&alias)?;
                match c.alias(&a.domain, &a.local).await {
                    Ok(al) => Ok(Some(al.members.iter().any(|m| m.eq_ignore_ascii_case(&member)))),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            }
        };
        match op {
            Op::Nothing { .. } => Ok(true),
            Op::Create { address, .. } => {
                let a = addr(address)?;
                exists(c.mailbox(&a.domain, &a.local).await.map(|_| ()))
            }
            Op::Delete { address, leave_aliases } => {
                if let Some(alias) = leave_aliases.get(step) {
                    return Ok(member_of(alias, address).await? != Some(true));
                }
                let a = addr(address)?;
                exists(c.mailbox(&a.domain, &a.local).await.map(|_| ())).map(|e| !e)
            }
            // A password cannot be read back; setting it again is harmless.
            Op::ResetPassword { .. } | Op::ExResetPassword { .. } => Ok(false),
            Op::ExCreate { address, .. } => {
                let a = addr(address)?;
                exists(c.ex_mailbox(&a.domain, &a.local).await.map(|_| ()))
            }
            Op::ExDelete { address } => {
                let a = addr(address)?;
                exists(c.ex_mailbox(&a.domain, &a.local).await.map(|_| ())).map(|e| !e)
            }
            Op::ExUpdate { address, display_name, size, enabled, forward_to, keep_copy } => {
                let a = addr(address)?;
                let m = c.ex_mailbox(&a.domain, &a.local).await?;
                Ok(display_name.as_ref().is_none_or(|d| m.display_name.as_deref().unwrap_or("").trim() == d.trim())
                    && size.is_none_or(|s| m.size == Some(s))
                    && enabled.is_none_or(|e| m.enabled == Some(e))
                    && forward_to.as_ref().is_none_or(|f| m.forwarding().unwrap_or("").eq_ignore_ascii_case(f.trim()))
                    && keep_copy.is_none_or(|k| m.save_forwarded_email == Some(k)))
            }
            Op::ExOffboard { address, enabled, forward_to, hide } => {
                // Only the fields that changed prove the request arrived; with none, send again.
                if enabled.is_none() && forward_to.is_none() && hide.is_none() {
                    return Ok(false);
                }
                let a = addr(address)?;
                let m = c.ex_mailbox(&a.domain, &a.local).await?;
                Ok(enabled.is_none_or(|e| m.enabled == Some(e))
                    && forward_to.as_ref().is_none_or(|f| m.forwarding().unwrap_or("").eq_ignore_ascii_case(f))
                    && hide.is_none_or(|h| m.is_hidden == Some(h)))
            }
            Op::Update { address, display_name, size, enabled, forward_to, keep_copy, auto_reply } => {
                let a = addr(address)?;
                let m = c.mailbox(&a.domain, &a.local).await?;
                let set = |v: &[String]| v.iter().map(|s| s.to_ascii_lowercase()).collect::<BTreeSet<_>>();
                Ok(display_name.as_ref().is_none_or(|d| m.display_name.as_deref().unwrap_or("") == d.trim())
                    && size.is_none_or(|s| m.size == s)
                    && enabled.is_none_or(|e| m.enabled == e)
                    && forward_to.as_ref().is_none_or(|f| set(f) == set(&m.email_forwarding_address_list))
                    && keep_copy.is_none_or(|k| m.save_forwarded_email == k)
                    && auto_reply.as_ref().is_none_or(|r| match r {
                        None => !m.enable_vacation_message,
                        Some(msg) => m.enable_vacation_message && m.vacation_message.as_deref() == Some(msg.as_str()),
                    }))
            }
            Op::AliasAdd { alias, member, .. } => Ok(member_of(alias, member).await? == Some(true)),
            // The contact exists (whoever made it holds the name; a second create would be refused).
            Op::ContactCreate { domain, name, .. } => Ok(self.contact_has(domain, name, None, None, &Default::default()).await?.is_some()),
            Op::ListMember { list, member, add } => {
                let a = addr(list)?;
                // A change that arrived may still be settling: wait until the list's work is
                // finished (an error it carries already is not this change's), then read.
                let before = c.list(&a.domain, &a.local).await?.error;
                c.settle_list(&a.domain, &a.local, &Expect::Present, before.as_ref(), self.settle_wait()).await?;
                let m = c.list_recipients(&a.domain, &a.local, RecipientKind::Members).await?;
                Ok(m.iter().any(|x| x.eq_ignore_ascii_case(member)) == *add)
            }
            Op::ContactEdit { domain, name, email, display_name, fields } => {
                Ok(self.contact_has(domain, name, email.as_deref(), display_name.as_deref(), fields).await? == Some(true))
            }
            Op::AliasRemove { alias, member, .. } => Ok(member_of(alias, member).await? != Some(true)),
            Op::SpamEntry { owner, list, entry, add } => {
                let now = c.spam_list(owner, *list).await?;
                Ok(now.iter().any(|e| e.as_str() == entry.as_str()) == *add)
            }
            Op::Offboard { address, enabled, forward_to, auto_reply, leave_aliases } => {
                if step == 0 {
                    // Only the fields that changed prove the request arrived; with none, send again.
                    if enabled.is_none() && forward_to.is_none() && auto_reply.is_none() {
                        return Ok(false);
                    }
                    let a = addr(address)?;
                    let m = c.mailbox(&a.domain, &a.local).await?;
                    Ok(enabled.is_none_or(|e| m.enabled == e)
                        && forward_to.as_ref().is_none_or(|f| m.email_forwarding_address_list.iter().any(|x| x.eq_ignore_ascii_case(f)) && m.email_forwarding_address_list.len() == 1)
                        && auto_reply.as_ref().is_none_or(|r| m.enable_vacation_message && m.vacation_message.as_deref() == Some(r.as_str())))
                } else {
                    let alias = leave_aliases.get(step - 1).cloned().unwrap_or_default();
                    Ok(member_of(&alias, address).await? != Some(true))
                }
            }
        }
    }
}

/// How a row failed.
enum RowError {
    /// This row failed; the job goes on.
    Failed { kind: String, message: String, detail: Option<String>, transient: bool },
    /// The job cannot go on now (e.g. the keys were refused); this row is left pending.
    Stop { message: String },
    /// The job store or journal failed: stop everything.
    Fatal(BulkError),
}

impl RowError {
    fn from_api(e: &ApiError, prefix: Option<&str>) -> RowError {
        let message = match prefix {
            Some(p) => format!("{p}: {}", e.user_message()),
            None => e.user_message(),
        };
        RowError::Failed { kind: e.kind().as_str().into(), message, detail: e.detail(), transient: transient(e) }
    }
}
