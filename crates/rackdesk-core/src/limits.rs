//! Client-side pacing at the published rate limits, per API user key.
//!
//! Published limits (reference §3.1): 60 GET per minute, 30 PUT/POST/DELETE per minute, and
//! 2 writes per minute on a domain itself; calls rejected for exceeding the limit still count.
//! Whether the domain limit is in addition to the general write limit is not stated [U]: we
//! count a domain write against both (the safe side).
//!
//! Each request holds a [`Permit`] while it is in flight. The slot it used is freed one window
//! after the request *finished* (not started), so that however long the request travelled,
//! the server can never see more than the limit within any window it measures. This costs a
//! few milliseconds per window and is what lets normal use never trip the throttle.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::Instant;

tokio::task_local! {
    static BACKGROUND: bool;
}

/// Read slots a background read leaves free in every window, so that what the person asks
/// for never waits behind background work (see [`in_background`]).
pub const FOREGROUND_RESERVE: u32 = 2;

/// Runs `f` as background work: its reads take a slot only when no request of the person is
/// waiting and [`FOREGROUND_RESERVE`] slots stay free, so the person's own reads go first and
/// wait at most for a request already in flight.
pub async fn in_background<F: std::future::Future>(f: F) -> F::Output {
    BACKGROUND.scope(true, f).await
}

fn is_background() -> bool {
    BACKGROUND.try_with(|b| *b).unwrap_or(false)
}

/// Which counter a request is paced by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    Read,
    Write,
    /// POST/PUT/DELETE on a domain object itself (also counted as a write).
    DomainWrite,
}

/// The limits to keep to, and the length of the window they are counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub reads: u32,
    pub writes: u32,
    pub domain_writes: u32,
    /// The API counts per minute; tests shorten this to run the real rules fast.
    pub window: Duration,
}

impl Limits {
    /// The limits Rackspace publishes.
    pub const PUBLISHED: Limits = Limits { reads: 60, writes: 30, domain_writes: 2, window: Duration::from_secs(60) };

    /// The published counts over a shorter "minute".
    pub fn with_window(window: Duration) -> Limits {
        Limits { window, ..Limits::PUBLISHED }
    }

    /// Extra time added to each window: 1% of it, to absorb timer and clock granularity.
    fn margin(&self) -> Duration {
        self.window / 100
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::PUBLISHED
    }
}

#[derive(Debug, Default)]
struct Counter {
    /// Finish times of requests still counted; `None` while the request is in flight.
    slots: VecDeque<(u64, Option<Instant>)>,
}

impl Counter {
    fn prune(&mut self, now: Instant, keep_for: Duration) {
        self.slots.retain(|(_, done)| match done {
            None => true,
            Some(t) => now.saturating_duration_since(*t) < keep_for,
        });
    }

    /// How long until a slot frees up: `None` if one is free now; `Some(None)` if we must
    /// wait for an in-flight request to finish first.
    fn wait(&self, limit: u32, now: Instant, keep_for: Duration) -> Option<Option<Duration>> {
        if (self.slots.len() as u32) < limit {
            return None;
        }
        let earliest = self.slots.iter().filter_map(|(_, d)| *d).min();
        Some(earliest.map(|t| (t + keep_for).saturating_duration_since(now)))
    }
}

#[derive(Debug, Default)]
struct KeyState {
    reads: Counter,
    writes: Counter,
    domain_writes: Counter,
    /// After the server said "Exceeded request limits": nothing goes out before this.
    blocked_until: Option<Instant>,
    /// Requests of the person (not background work) waiting for a slot now.
    person_waiting: u32,
}

#[derive(Debug)]
struct Inner {
    keys: HashMap<String, KeyState>,
    next_id: u64,
}

/// The scheduler. One per process is enough ([`Scheduler::global`]): it keeps a separate
/// account per user key, because the limits are per user key.
#[derive(Debug)]
pub struct Scheduler {
    limits: Limits,
    inner: Mutex<Inner>,
    notify: Notify,
}

impl Scheduler {
    pub fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Scheduler {
            limits,
            inner: Mutex::new(Inner { keys: HashMap::new(), next_id: 0 }),
            notify: Notify::new(),
        })
    }

    /// The process-wide scheduler at the published limits.
    pub fn global() -> Arc<Self> {
        static GLOBAL: OnceLock<Arc<Scheduler>> = OnceLock::new();
        GLOBAL.get_or_init(|| Scheduler::new(Limits::PUBLISHED)).clone()
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the counters inconsistent in a way
        // that matters (worst case a slot is freed early), so recover from poisoning.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until a request of this category may go out for this key, then takes a slot.
    /// `on_wait` is told how long we expect to wait (for "waiting for the rate limit (n s)").
    pub async fn acquire(self: &Arc<Self>, user_key: &str, category: Category, on_wait: &(dyn Fn(Duration) + Sync)) -> Permit {
        let keep_for = self.limits.window + self.limits.margin();
        let background = category == Category::Read && is_background();
        // While set, this request of the person is counted as waiting (undone on drop, also
        // when the caller gives up on the request).
        let mut waiting: Option<PersonWaiting> = None;
        loop {
            let notified = self.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let wait = {
                let mut inner = self.lock();
                let now = Instant::now();
                let id = inner.next_id;
                let st = inner.keys.entry(user_key.to_owned()).or_default();
                st.reads.prune(now, keep_for);
                st.writes.prune(now, keep_for);
                st.domain_writes.prune(now, keep_for);
                let blocked = st.blocked_until.filter(|t| *t > now).map(|t| Some(t - now));
                let l = self.limits;
                // Background reads leave the reserve free and let the person's waiting reads go first.
                let reads_limit = if background && l.reads > FOREGROUND_RESERVE * 2 { l.reads - FOREGROUND_RESERVE } else { l.reads };
                let person_first = (background && st.person_waiting > 0).then_some(None);
                let wait = blocked.or(person_first).or_else(|| match category {
                    Category::Read => st.reads.wait(reads_limit, now, keep_for),
                    Category::Write => st.writes.wait(l.writes, now, keep_for),
                    Category::DomainWrite => match (
                        st.writes.wait(l.writes, now, keep_for),
                        st.domain_writes.wait(l.domain_writes, now, keep_for),
                    ) {
                        (None, None) => None,
                        (Some(a), None) | (None, Some(a)) => Some(a),
                        (Some(a), Some(b)) => Some(a.zip(b).map(|(a, b)| a.max(b)).or(a).or(b)),
                    },
                });
                match wait {
                    None => {
                        match category {
                            Category::Read => st.reads.slots.push_back((id, None)),
                            Category::Write => st.writes.slots.push_back((id, None)),
                            Category::DomainWrite => {
                                st.writes.slots.push_back((id, None));
                                st.domain_writes.slots.push_back((id, None));
                            }
                        }
                        inner.next_id += 1;
                        return Permit { scheduler: self.clone(), user_key: user_key.to_owned(), id, done: false };
                    }
                    Some(w) => {
                        if !background && waiting.is_none() {
                            st.person_waiting += 1;
                            waiting = Some(PersonWaiting { scheduler: self.clone(), user_key: user_key.to_owned() });
                        }
                        w
                    }
                }
            };
            match wait {
                Some(d) => {
                    on_wait(d);
                    tokio::select! {
                        _ = tokio::time::sleep(d) => {}
                        _ = notified => {}
                    }
                }
                // Every slot is held by a request in flight: wait for one to finish.
                None => notified.await,
            }
        }
    }

    /// The server answered "Exceeded request limits": hold every request of this key for a
    /// whole window, since throttled calls count too and hammering prolongs the throttle.
    pub fn note_throttled(&self, user_key: &str) {
        let mut inner = self.lock();
        let until = Instant::now() + self.limits.window + self.limits.margin();
        let st = inner.keys.entry(user_key.to_owned()).or_default();
        st.blocked_until = Some(st.blocked_until.map_or(until, |t| t.max(until)));
    }

    fn finish(&self, user_key: &str, id: u64) {
        let mut inner = self.lock();
        let now = Instant::now();
        if let Some(st) = inner.keys.get_mut(user_key) {
            for c in [&mut st.reads, &mut st.writes, &mut st.domain_writes] {
                for slot in c.slots.iter_mut().filter(|(i, _)| *i == id) {
                    slot.1 = Some(now);
                }
            }
        }
        drop(inner);
        self.notify.notify_waiters();
    }
}

/// A request of the person counted as waiting for a slot; uncounted when dropped.
struct PersonWaiting {
    scheduler: Arc<Scheduler>,
    user_key: String,
}

impl Drop for PersonWaiting {
    fn drop(&mut self) {
        let mut inner = self.scheduler.lock();
        if let Some(st) = inner.keys.get_mut(&self.user_key) {
            st.person_waiting = st.person_waiting.saturating_sub(1);
        }
        drop(inner);
        self.scheduler.notify.notify_waiters();
    }
}

/// A slot in the rate window, held while a request is in flight. Dropping it records the
/// moment the request finished.
#[derive(Debug)]
pub struct Permit {
    scheduler: Arc<Scheduler>,
    user_key: String,
    id: u64,
    done: bool,
}

impl Permit {
    pub fn finish(mut self) {
        self.done = true;
        self.scheduler.finish(&self.user_key, self.id);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done {
            self.scheduler.finish(&self.user_key, self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_wait(_: Duration) {}

    #[tokio::test(start_paused = true)]
    async fn lets_the_limit_through_then_waits_a_window() {
        let s = Scheduler::new(Limits::PUBLISHED);
        let start = Instant::now();
        for _ in 0..30 {
            s.acquire("k", Category::Write, &no_wait).await.finish();
        }
        assert_eq!(Instant::now(), start, "the first 30 writes go out at once");
        s.acquire("k", Category::Write, &no_wait).await.finish();
        let waited = Instant::now() - start;
        assert!(waited >= Duration::from_secs(60), "31st write waited {waited:?}");
        assert!(waited <= Duration::from_millis(61_000), "31st write waited {waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn background_reads_leave_room_for_the_person_and_let_them_go_first() {
        let s = Scheduler::new(Limits::PUBLISHED);
        let start = Instant::now();
        // Background work takes every slot but the reserve, then waits for the next window.
        for _ in 0..(60 - FOREGROUND_RESERVE) {
            in_background(s.acquire("k", Category::Read, &no_wait)).await.finish();
        }
        assert_eq!(Instant::now(), start);
        // The person's reads find the reserve free at once.
        for _ in 0..FOREGROUND_RESERVE {
            s.acquire("k", Category::Read, &no_wait).await.finish();
        }
        assert_eq!(Instant::now(), start, "the person did not wait for background work");
        // Now the window is full: a person's read and a background read both wait; when a
        // slot frees, the person's goes first.
        let order = Arc::new(Mutex::new(Vec::new()));
        let bg = {
            let (s, order) = (s.clone(), order.clone());
            tokio::spawn(async move {
                in_background(s.acquire("k", Category::Read, &no_wait)).await.finish();
                order.lock().unwrap().push("background");
            })
        };
        tokio::task::yield_now().await;
        let person = {
            let (s, order) = (s.clone(), order.clone());
            tokio::spawn(async move {
                s.acquire("k", Category::Read, &no_wait).await.finish();
                order.lock().unwrap().push("person");
            })
        };
        person.await.unwrap();
        bg.await.unwrap();
        assert_eq!(order.lock().unwrap().first().copied(), Some("person"), "{:?}", order.lock().unwrap());
    }

    #[tokio::test(start_paused = true)]
    async fn a_person_who_gives_up_waiting_does_not_hold_background_work_back() {
        let s = Scheduler::new(Limits::PUBLISHED);
        for _ in 0..60 {
            s.acquire("k", Category::Read, &no_wait).await.finish();
        }
        // A person's read starts waiting, then is abandoned (e.g. the page was left).
        let gave_up = tokio::time::timeout(Duration::from_secs(1), s.acquire("k", Category::Read, &no_wait)).await;
        assert!(gave_up.is_err());
        let start = Instant::now();
        in_background(s.acquire("k", Category::Read, &no_wait)).await.finish();
        assert!(Instant::now() - start <= Duration::from_secs(61), "background work went on once the window passed");
    }

    #[tokio::test(start_paused = true)]
    async fn keys_and_categories_are_counted_apart() {
        let s = Scheduler::new(Limits::PUBLISHED);
        let start = Instant::now();
        for _ in 0..30 {
            s.acquire("a", Category::Write, &no_wait).await.finish();
        }
        for _ in 0..60 {
            s.acquire("a", Category::Read, &no_wait).await.finish();
        }
        for _ in 0..30 {
            s.acquire("b", Category::Write, &no_wait).await.finish();
        }
        assert_eq!(Instant::now(), start);
    }

    #[tokio::test(start_paused = true)]
    async fn domain_writes_count_against_both_limits() {
        let s = Scheduler::new(Limits::PUBLISHED);
        let start = Instant::now();
        s.acquire("k", Category::DomainWrite, &no_wait).await.finish();
        s.acquire("k", Category::DomainWrite, &no_wait).await.finish();
        assert_eq!(Instant::now(), start);
        let waits = std::sync::Mutex::new(Vec::new());
        s.acquire("k", Category::DomainWrite, &|d| waits.lock().unwrap().push(d)).await.finish();
        assert!(Instant::now() - start >= Duration::from_secs(60));
        assert!(!waits.lock().unwrap().is_empty(), "the wait was announced");
        // 28 more general writes fit in the same window as the 2 earlier domain writes...
        let s = Scheduler::new(Limits::PUBLISHED);
        let start = Instant::now();
        s.acquire("k", Category::DomainWrite, &no_wait).await.finish();
        s.acquire("k", Category::DomainWrite, &no_wait).await.finish();
        for _ in 0..28 {
            s.acquire("k", Category::Write, &no_wait).await.finish();
        }
        assert_eq!(Instant::now(), start);
        // ...but not a 29th.
        s.acquire("k", Category::Write, &no_wait).await.finish();
        assert!(Instant::now() - start >= Duration::from_secs(60));
    }

    #[tokio::test(start_paused = true)]
    async fn a_slot_is_freed_a_window_after_the_request_finished() {
        let s = Scheduler::new(Limits::with_window(Duration::from_secs(10)));
        let start = Instant::now();
        let mut held = Vec::new();
        for _ in 0..30 {
            held.push(s.acquire("k", Category::Write, &no_wait).await);
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        drop(held); // all 30 finish at t=5s
        s.acquire("k", Category::Write, &no_wait).await.finish();
        let waited = Instant::now() - start;
        assert!(waited >= Duration::from_secs(15), "waited {waited:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_blocks_every_category_for_a_window() {
        let s = Scheduler::new(Limits::PUBLISHED);
        let start = Instant::now();
        s.note_throttled("k");
        s.acquire("k", Category::Read, &no_wait).await.finish();
        assert!(Instant::now() - start >= Duration::from_secs(60));
        // Other keys are not affected.
        let t = Instant::now();
        s.acquire("other", Category::Read, &no_wait).await.finish();
        assert_eq!(Instant::now(), t);
    }
}
