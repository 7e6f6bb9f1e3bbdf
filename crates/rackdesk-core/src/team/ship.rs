//! The outbox: every row of this computer's journal (intents and outcomes) shipped to the team
//! database exactly once and in order, in the background.
//!
//! * **The local journal is the outbox.** Nothing is copied aside: the rows after the cursor
//!   are the ones waiting, and a change never waits for the team database.
//! * **The team database has the last word on the cursor.** Each batch runs in one
//!   transaction that first takes a lock for this machine (so the app and the CLI on the same
//!   computer take turns), reads this machine's last row there, checks that it is the row this
//!   journal has under that number, and inserts the rows after it. A crash, a lost
//!   connection or a restarted database at any point leaves either the whole batch or none of
//!   it; the next attempt starts from what is there. The primary key (machine, seq) and a
//!   trigger that takes rows only after the machine's last one make a second copy or a
//!   reordering impossible even for a client that got it wrong.
//! * **Bounded back-off.** After a failure the next attempt waits 0.5 s, then twice as long
//!   each time up to 30 s (with a little jitter, so fifty computers do not knock at once).
//!   A hung connection is given up after 30 s.
//! * After shipping, the computer reports how far its own journal goes
//!   (`rackdesk.report_machine`), which lets `team verify` tell "not shipped yet" from
//!   "deleted" and name computers that stopped shipping.

use super::db::{classify, Db, CONNECT_TIMEOUT};
use super::rows::{insert_sql, Batch};
use super::settings::{Secrets, TeamSettings};
use super::TeamError;
use crate::journal::{Journal, GENESIS_HASH};
use crate::vault::SecretStore;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Notify};

/// How the shipper paces itself.
#[derive(Debug, Clone)]
pub struct ShipOptions {
    /// Rows per transaction.
    pub batch: usize,
    /// How often the local journal is looked at when nothing is known to be waiting (appends by
    /// this process wake the shipper at once; other processes' are seen at the next look).
    pub idle_poll: Duration,
    /// Report how far the journal goes at least this often, even when nothing changed.
    pub heartbeat: Duration,
    pub first_retry: Duration,
    pub max_retry: Duration,
    /// A batch, a report or a connection that takes longer is given up (and retried).
    pub io_timeout: Duration,
}

impl Default for ShipOptions {
    fn default() -> Self {
        ShipOptions {
            batch: 500,
            idle_poll: Duration::from_millis(500),
            heartbeat: Duration::from_secs(300),
            first_retry: Duration::from_millis(500),
            max_retry: Duration::from_secs(30),
            io_timeout: Duration::from_secs(30),
        }
    }
}

impl ShipOptions {
    /// The wait before attempt `failures + 1`: doubling from `first_retry` up to `max_retry`,
    /// with up to 20% jitter either way.
    pub fn retry_delay(&self, failures: u32) -> Duration {
        let base = self.first_retry.saturating_mul(1u32 << failures.saturating_sub(1).min(16)).min(self.max_retry);
        let jitter = rand::Rng::random_range(&mut rand::rng(), 0.8..1.2);
        base.mul_f64(jitter).min(self.max_retry)
    }
}

/// Where the link to the team database stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum Link {
    /// Not tried yet.
    Starting,
    /// The last attempt worked.
    Connected,
    /// Every attempt since `since` failed; the next one in `retry_in_secs`.
    #[serde(rename_all = "camelCase")]
    Unreachable { since: DateTime<Utc>, error: String, retry_in_secs: u64 },
    /// Shipping stopped for good, for a reason a person must look at (e.g. the team database
    /// holds other rows for this computer than its journal has).
    Stopped { reason: String },
}

/// The shipper's state, as the status line shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipState {
    pub database: String,
    pub machine_id: String,
    /// The local journal's last row.
    pub head: i64,
    /// Every row up to this one is in the team database.
    pub shipped: i64,
    pub last_shipped_at: Option<DateTime<Utc>>,
    pub link: Link,
    /// Attempts so far (connects and batches), for waiting on "the next attempt".
    pub attempts: u64,
}

impl ShipState {
    pub fn waiting(&self) -> i64 {
        (self.head - self.shipped).max(0)
    }
}

/// What one run of [`ship_now`] did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShipReport {
    pub database: String,
    pub shipped_now: i64,
    pub shipped: i64,
    pub head: i64,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, crate::journal::JournalError> + Send + 'static) -> Result<T, TeamError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| TeamError::Database { detail: format!("internal: {e}") })?.map_err(TeamError::Journal)
}

/// What one batch did.
pub(crate) struct Batched {
    /// This machine's last row in the team database before the batch.
    pub before: i64,
    /// ... and after it.
    pub shipped: i64,
    /// More rows are waiting.
    pub more: bool,
}

/// One batch: under this machine's lock, the team database's last row for it, checked against
/// the local journal, then up to `batch` rows after it.
pub(crate) async fn ship_batch(db: &mut Db, journal: &Arc<Journal>, machine_id: &str, batch: usize) -> Result<Batched, TeamError> {
    let tx = db.client.transaction().await.map_err(classify)?;
    tx.execute("SELECT pg_advisory_xact_lock(7302, hashtext($1))", &[&machine_id]).await.map_err(classify)?;
    let last = tx
        .query_opt("SELECT seq, hash FROM rackdesk.entries WHERE machine_id = $1 ORDER BY seq DESC LIMIT 1", &[&machine_id])
        .await
        .map_err(classify)?;
    let (team_seq, team_hash): (i64, String) = last.map(|r| (r.get(0), r.get(1))).unwrap_or((0, GENESIS_HASH.to_owned()));
    let j = journal.clone();
    let from = (team_seq - 1).max(0);
    let mut rows = blocking(move || j.rows_after(from, batch + 1)).await?;
    if team_seq > 0 {
        match rows.first() {
            Some(r) if r.seq == team_seq && r.hash == team_hash => {
                rows.remove(0);
            }
            Some(r) if r.seq == team_seq => {
                return Err(TeamError::Conflict {
                    detail: format!(
                        "the team database's entry {team_seq} of this computer is not the one this computer's journal has under \
                         that number (fingerprints {} and {})",
                        &team_hash[..team_hash.len().min(12)],
                        &r.hash[..r.hash.len().min(12)]
                    ),
                })
            }
            _ => {
                return Err(TeamError::Conflict {
                    detail: format!("the team database holds {team_seq} entries of this computer, more than its journal has"),
                })
            }
        }
    }
    rows.truncate(batch);
    let more = rows.len() == batch;
    let Some(last) = rows.last().map(|r| r.seq) else {
        tx.commit().await.map_err(classify)?;
        return Ok(Batched { before: team_seq, shipped: team_seq, more: false });
    };
    let b = Batch::new(machine_id, &rows);
    tx.execute(&insert_sql(), &b.params()).await.map_err(classify)?;
    tx.commit().await.map_err(classify)?;
    Ok(Batched { before: team_seq, shipped: last, more })
}

/// Tells the team database how far this computer's journal goes.
pub(crate) async fn report(db: &Db, machine_id: &str, head: (i64, String)) -> Result<(), TeamError> {
    db.client
        .execute("SELECT rackdesk.report_machine($1, $2, $3, $4)", &[&machine_id, &crate::journal::machine_name(), &head.0, &head.1])
        .await
        .map_err(classify)?;
    Ok(())
}

/// Connects for shipping: the secrets from the vault, then TLS, then the schema version.
pub(crate) async fn connect(settings: &TeamSettings, store: &dyn SecretStore, timeout: Duration) -> Result<Db, TeamError> {
    let secrets = Secrets::load(settings, store)?;
    let db = Db::connect(&settings.address()?, &settings.trust, settings.client_cert_pem.as_deref(), &secrets, timeout).await?;
    super::schema::require_ready(&db).await?;
    Ok(db)
}

/// Ships everything waiting now, then reports, and returns. For `rackdesk team ship` and
/// tests; errors are returned, not retried.
pub async fn ship_now(journal: Arc<Journal>, settings: &TeamSettings, store: &dyn SecretStore, opts: &ShipOptions) -> Result<ShipReport, TeamError> {
    let database = settings.database_label();
    let j = journal.clone();
    let machine_id = blocking(move || j.machine_id()).await?;
    let result = async {
        let mut db = connect(settings, store, CONNECT_TIMEOUT).await?;
        let mut first: Option<i64> = None;
        loop {
            let b = tokio::time::timeout(opts.io_timeout, ship_batch(&mut db, &journal, &machine_id, opts.batch))
                .await
                .map_err(|_| TeamError::Unreachable { detail: "the team database stopped answering".into() })??;
            let before = *first.get_or_insert(b.before);
            let (j, d, shipped) = (journal.clone(), database.clone(), b.shipped);
            blocking(move || j.set_shipped(&d, shipped)).await?;
            if !b.more {
                let j = journal.clone();
                let head = blocking(move || j.head()).await?;
                report(&db, &machine_id, head.clone()).await?;
                return Ok::<_, TeamError>(ShipReport { database: database.clone(), shipped_now: b.shipped - before, shipped: b.shipped, head: head.0 });
            }
        }
    }
    .await;
    match result {
        Ok(r) => Ok(r),
        Err(e) => {
            if e.is_unreachable() {
                let (j, d, m) = (journal.clone(), database.clone(), e.user_message());
                let _ = blocking(move || j.set_unreachable(&d, &m)).await;
            }
            Err(e)
        }
    }
}

struct Shared {
    state: watch::Sender<ShipState>,
    /// New rows may be waiting (a local append).
    wake: Notify,
    /// Try now, even while waiting out a back-off.
    retry_now: Notify,
    stop: watch::Sender<bool>,
}

/// The background shipper of one process. Dropping it stops it.
pub struct Shipper {
    shared: Arc<Shared>,
    journal: Arc<Journal>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Shipper {
    fn drop(&mut self) {
        let _ = self.shared.stop.send(true);
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

impl std::fmt::Debug for Shipper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shipper").field("state", &*self.shared.state.borrow()).finish()
    }
}

impl Shipper {
    /// Starts shipping `journal` to the team database of `settings`, in the background (on the
    /// current tokio runtime).
    pub fn start(journal: Arc<Journal>, settings: TeamSettings, store: Arc<dyn SecretStore>, opts: ShipOptions) -> Shipper {
        let database = settings.database_label();
        let outbox = journal.outbox(&database).unwrap_or_default();
        let head = journal.head().map(|h| h.0).unwrap_or(0);
        let initial = ShipState {
            database: database.clone(),
            machine_id: journal.machine_id().unwrap_or_default(),
            head,
            shipped: outbox.shipped_seq.min(head),
            last_shipped_at: outbox.shipped_at,
            link: match outbox.unreachable_since {
                Some(since) => Link::Unreachable { since, error: outbox.last_error.unwrap_or_default(), retry_in_secs: 0 },
                None => Link::Starting,
            },
            attempts: 0,
        };
        let (state, _) = watch::channel(initial);
        let (stop, _) = watch::channel(false);
        let shared = Arc::new(Shared { state, wake: Notify::new(), retry_now: Notify::new(), stop });
        let wake = Arc::downgrade(&shared);
        journal.on_append(Box::new(move || {
            if let Some(s) = wake.upgrade() {
                s.wake.notify_one();
            }
        }));
        let task = tokio::spawn(run(shared.clone(), journal.clone(), settings, store, opts));
        Shipper { shared, journal, task: Some(task) }
    }

    /// The state now.
    pub fn state(&self) -> ShipState {
        self.shared.state.borrow().clone()
    }

    /// Every change of the state (for a status line).
    pub fn subscribe(&self) -> watch::Receiver<ShipState> {
        self.shared.state.subscribe()
    }

    /// Rows may be waiting: look now.
    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }

    /// Waits until every row written before this call is shipped, the next attempt fails, or
    /// `timeout` passes; returns the state then. Asks for an attempt at once (cutting short a
    /// back-off).
    pub async fn drain(&self, timeout: Duration) -> ShipState {
        let mut rx = self.shared.state.subscribe();
        let target = self.journal.head().map(|h| h.0).unwrap_or_else(|_| rx.borrow().head);
        let attempts_before = rx.borrow().attempts;
        self.shared.retry_now.notify_one();
        self.shared.wake.notify_one();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            {
                let s = rx.borrow_and_update();
                if s.shipped >= target {
                    return s.clone();
                }
                if s.attempts > attempts_before && matches!(s.link, Link::Unreachable { .. } | Link::Stopped { .. }) {
                    return s.clone();
                }
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return rx.borrow().clone(),
            }
        }
    }

    /// At the end of a short-lived process (the CLI): while the team database is reachable,
    /// gives shipping up to `grace` to finish what is waiting; then stops.
    pub async fn finish(self, grace: Duration) -> ShipState {
        let s = self.state();
        if s.waiting() > 0 && !matches!(s.link, Link::Unreachable { .. } | Link::Stopped { .. }) {
            return self.drain(grace).await;
        }
        s
    }
}

async fn run(shared: Arc<Shared>, journal: Arc<Journal>, settings: TeamSettings, store: Arc<dyn SecretStore>, opts: ShipOptions) {
    let database = settings.database_label();
    let machine_id = shared.state.borrow().machine_id.clone();
    let mut stop = shared.stop.subscribe();
    let mut db: Option<Db> = None;
    let mut failures: u32 = 0;
    let mut reported: Option<(i64, Instant)> = None;
    loop {
        if *stop.borrow() {
            return;
        }
        let j = journal.clone();
        let head = match blocking(move || j.head()).await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!("team journal: the local journal cannot be read: {}", e.user_message());
                (shared.state.borrow().head, String::new())
            }
        };
        shared.state.send_modify(|s| s.head = head.0);

        // Nothing new since the last batch, and no report due: no need to ask the database.
        let report_due = match reported {
            None => true,
            Some((seq, at)) => seq != head.0 || at.elapsed() >= opts.heartbeat,
        };
        if db.is_some() && head.0 <= shared.state.borrow().shipped && !report_due {
            tokio::select! {
                _ = shared.wake.notified() => {}
                _ = shared.retry_now.notified() => {}
                _ = tokio::time::sleep(opts.idle_poll) => {}
                _ = stop.changed() => return,
            }
            continue;
        }

        let attempt = async {
            if db.is_none() {
                db = Some(connect(&settings, store.as_ref(), CONNECT_TIMEOUT.min(opts.io_timeout)).await?);
            }
            let conn = db.as_mut().expect("connected");
            let Batched { shipped, more, .. } = tokio::time::timeout(opts.io_timeout, ship_batch(conn, &journal, &machine_id, opts.batch))
                .await
                .map_err(|_| TeamError::Unreachable { detail: "the team database stopped answering".into() })??;
            if !more && report_due && shipped >= head.0 {
                tokio::time::timeout(opts.io_timeout, report(conn, &machine_id, head.clone()))
                    .await
                    .map_err(|_| TeamError::Unreachable { detail: "the team database stopped answering".into() })??;
                reported = Some((head.0, Instant::now()));
            }
            Ok::<_, TeamError>((shipped, more))
        }
        .await;

        match attempt {
            Ok((shipped, more)) => {
                failures = 0;
                let was_shipped = shared.state.borrow().shipped;
                if shipped != was_shipped || !matches!(shared.state.borrow().link, Link::Connected) {
                    let (j, d) = (journal.clone(), database.clone());
                    if let Err(e) = blocking(move || j.set_shipped(&d, shipped)).await {
                        tracing::warn!("team journal: the outbox cursor was not saved: {}", e.user_message());
                    }
                }
                shared.state.send_modify(|s| {
                    s.shipped = shipped;
                    s.head = s.head.max(shipped);
                    if shipped != was_shipped {
                        s.last_shipped_at = Some(Utc::now());
                    }
                    s.link = Link::Connected;
                    s.attempts += 1;
                });
                if more {
                    continue;
                }
                tokio::select! {
                    _ = shared.wake.notified() => {}
                    _ = shared.retry_now.notified() => {}
                    _ = tokio::time::sleep(opts.idle_poll) => {}
                    _ = stop.changed() => return,
                }
            }
            Err(e) => {
                db = None;
                if let TeamError::Conflict { .. } = e {
                    let reason = e.user_message();
                    tracing::error!("team journal: shipping stopped: {reason}");
                    shared.state.send_modify(|s| {
                        s.link = Link::Stopped { reason };
                        s.attempts += 1;
                    });
                    return;
                }
                failures = failures.saturating_add(1);
                let delay = opts.retry_delay(failures);
                let message = e.user_message();
                let (j, d, m) = (journal.clone(), database.clone(), message.clone());
                let since = blocking(move || j.set_unreachable(&d, &m)).await.unwrap_or_else(|_| Utc::now());
                tracing::info!("team journal: attempt failed ({message}); next in {delay:?}");
                shared.state.send_modify(|s| {
                    s.link = Link::Unreachable { since, error: message.clone(), retry_in_secs: delay.as_secs() };
                    s.attempts += 1;
                });
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shared.retry_now.notified() => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_a_bound() {
        let o = ShipOptions::default();
        let d1 = o.retry_delay(1);
        assert!(d1 >= Duration::from_millis(400) && d1 <= Duration::from_millis(600), "{d1:?}");
        let d4 = o.retry_delay(4);
        assert!(d4 >= Duration::from_millis(3200) && d4 <= Duration::from_millis(4800), "{d4:?}");
        for n in [10, 20, 1000, u32::MAX] {
            assert!(o.retry_delay(n) <= o.max_retry, "{n}");
            assert!(o.retry_delay(n) >= o.max_retry.mul_f64(0.8), "{n}");
        }
    }
}
