//! `rackdesk-sim`: a faithful local simulator of the Rackspace Email REST API.
//!
//! It checks every signature as the service does, keeps the published rate limits per user
//! key (counting refused calls too), serves the resources Rackdesk uses with real state,
//! paging and search, answers errors with both a fault body and `x-error-message`, and can
//! inject faults. Hosted Exchange is there too: mailboxes, their delegates and contacts on
//! the classic routes, and distribution lists in the v1 model with asynchronous changes.
//! Spam protection (`spam.rs`): the settings of a domain, a Rackspace Email mailbox and an
//! Exchange mailbox (`.../spam/settings`), and each one's four lists (`blocklist`,
//! `ipblocklist`, `safelist`, `ipsafelist`, also under the old names `blacklist` and
//! `ipblacklist`) with index, add, delete and bulk edit.
//! The desktop app runs it in-process as its sandbox; every test runs against it over a
//! real socket.

pub mod distlists;
pub mod exchange;
pub mod faults;
pub mod seed;
pub mod spam;
pub mod store;
pub mod tls;
pub mod xml;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use faults::{FaultKind, FaultRule};
use spam::{ListName, SpamOwner};
use rackdesk_core::sign;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};
use store::{ApiFault, Fields, IndexQuery, Store};

/// Which data the simulator starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataSet {
    /// A demo company: three Rackspace Email domains with ~400 people, aliases, forwarding and
    /// auto-replies, plus a Hosted Exchange domain (`adatum.example`) and a domain with both
    /// services (`tailspin.example`): Exchange mailboxes, delegates, contacts and lists; spam
    /// settings and safe and blocked senders on those domains and on a few mailboxes.
    Demo,
    /// Only the API admin, one empty Rackspace Email domain, `example.com`, and one empty
    /// Exchange domain, `example.net` (default spam settings, empty spam lists).
    Empty,
    /// A large account for tests and benchmarks: this many mailboxes (at most
    /// [`seed::LARGE_MAX`]) over six domains of both services, with aliases, usage, logins,
    /// Exchange contacts; the same data for the same number on every start.
    Large(u32),
}

impl std::str::FromStr for DataSet {
    type Err = String;
    /// `demo`, `empty` or `large:N`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "demo" => Ok(DataSet::Demo),
            "empty" => Ok(DataSet::Empty),
            other => match other.strip_prefix("large:").map(|n| n.replace(['_', ','], "").parse::<u32>()) {
                Some(Ok(n)) if (1..=seed::LARGE_MAX).contains(&n) => Ok(DataSet::Large(n)),
                Some(_) => Err(format!("large:N needs a number of mailboxes from 1 to {}, not {other:?}", seed::LARGE_MAX)),
                None => Err(format!("unknown data set {other:?}: use demo, empty or large:N (e.g. large:50000)")),
            },
        }
    }
}

/// Requests allowed per window and per user key. Defaults to the published limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimLimits {
    pub reads: usize,
    pub writes: usize,
    pub domain_writes: usize,
}

impl std::fmt::Debug for SimConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret key stays out of Debug output, made up or not.
        f.debug_struct("SimConfig").field("account", &self.account).field("user_key", &self.user_key).field("data", &self.data).field("limits", &self.limits).finish_non_exhaustive()
    }
}

impl Default for SimLimits {
    fn default() -> Self {
        SimLimits { reads: 60, writes: 30, domain_writes: 2 }
    }
}

#[derive(Clone)]
pub struct SimConfig {
    pub account: String,
    pub user_key: String,
    pub secret_key: String,
    pub data: DataSet,
    pub limits: SimLimits,
    /// The length of the API's "minute" (shortened in tests).
    pub minute: Duration,
    /// How far a signature's timestamp may be from the simulator's clock. The service's
    /// tolerance is not documented [U]; 15 minutes is our assumption. `None` accepts any age.
    pub freshness: Option<Duration>,
    /// Seconds the simulator's clock is ahead of (or, if negative, behind) the real one.
    pub clock_offset_secs: i64,
    pub faults: Vec<FaultRule>,
    /// Seed of the random choices of fault rules with a rate below 1.
    pub fault_seed: u64,
    /// How many of the latest requests (and signatures) the simulator remembers for
    /// [`Sim::requests`] and [`Sim::seen_signatures`]; older ones are forgotten.
    pub record_capacity: usize,
    /// How long an asynchronous change (Exchange distribution lists) takes to settle.
    pub async_delay: Duration,
}

impl SimConfig {
    pub fn new(user_key: &str, secret_key: &str) -> Self {
        SimConfig {
            account: seed::DEMO_ACCOUNT.into(),
            user_key: user_key.into(),
            secret_key: secret_key.into(),
            data: DataSet::Empty,
            limits: SimLimits::default(),
            minute: Duration::from_secs(60),
            freshness: Some(Duration::from_secs(15 * 60)),
            clock_offset_secs: 0,
            faults: vec![],
            fault_seed: 7,
            record_capacity: 10_000,
            async_delay: Duration::from_millis(300),
        }
    }
}

/// One request the simulator handled (never the signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    /// 0 when the connection was dropped on purpose.
    pub status: u16,
    pub user_key: Option<String>,
    pub throttled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Category {
    Read,
    Write,
    DomainWrite,
}

#[derive(Debug, Default)]
struct Window {
    reads: VecDeque<Instant>,
    writes: VecDeque<Instant>,
    domain_writes: VecDeque<Instant>,
}

impl Window {
    /// Drops the times that have left the window.
    fn prune(&mut self, now: Instant, minute: Duration) {
        for q in [&mut self.reads, &mut self.writes, &mut self.domain_writes] {
            while q.front().is_some_and(|t| now.duration_since(*t) >= minute) {
                q.pop_front();
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.reads.is_empty() && self.writes.is_empty() && self.domain_writes.is_empty()
    }

    fn len(&self) -> usize {
        self.reads.len() + self.writes.len() + self.domain_writes.len()
    }
}

/// How much the simulator is holding in its per-request records (tests of their bounds).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSizes {
    /// Entries of the request log.
    pub requests: usize,
    /// Signatures kept for the leak tests.
    pub signatures: usize,
    /// User keys with a rate-limit history.
    pub rate_keys: usize,
    /// Call times held in all rate-limit histories together.
    pub rate_times: usize,
}

/// Longest path kept in a log entry, and longest signature kept (a real one is about 64
/// characters): a request's size must not decide how much the simulator holds.
const MAX_LOGGED_PATH: usize = 1024;
const MAX_KEPT_SIGNATURE: usize = 256;

fn clipped(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// The simulator's shared state.
pub struct Sim {
    account: String,
    minute: Duration,
    freshness: Option<Duration>,
    limits: Mutex<SimLimits>,
    clock_offset: Mutex<i64>,
    store: Mutex<Store>,
    windows: Mutex<HashMap<String, Window>>,
    faults: Mutex<(Vec<FaultRule>, seed::Rng)>,
    /// The latest requests, at most `record_capacity` of them.
    log: Mutex<VecDeque<LoggedRequest>>,
    /// The latest `X-Api-Signature` values received (at most `record_capacity`), in order:
    /// only so tests can check that no signature leaks into output or files. Kept in memory,
    /// never logged or printed.
    signatures: Mutex<VecDeque<String>>,
    record_capacity: usize,
    async_delay: Mutex<Duration>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

struct Reply {
    status: StatusCode,
    body: Body,
    content_type: Option<&'static str>,
    error_message: Option<String>,
    user_key: Option<String>,
    throttled: bool,
}

impl Sim {
    pub fn new(cfg: SimConfig) -> Arc<Sim> {
        let store = match cfg.data {
            DataSet::Demo => seed::demo(&cfg.account, &cfg.user_key, &cfg.secret_key),
            DataSet::Empty => seed::empty(&cfg.account, &cfg.user_key, &cfg.secret_key),
            DataSet::Large(n) => seed::large(&cfg.account, &cfg.user_key, &cfg.secret_key, n),
        };
        Arc::new(Sim {
            account: cfg.account,
            minute: cfg.minute,
            freshness: cfg.freshness,
            limits: Mutex::new(cfg.limits),
            clock_offset: Mutex::new(cfg.clock_offset_secs),
            store: Mutex::new(store),
            windows: Mutex::new(HashMap::new()),
            faults: Mutex::new((cfg.faults, seed::Rng::new(cfg.fault_seed))),
            log: Mutex::new(VecDeque::new()),
            signatures: Mutex::new(VecDeque::new()),
            record_capacity: cfg.record_capacity.max(1),
            async_delay: Mutex::new(cfg.async_delay),
        })
    }

    /// Reads or changes the data directly (tests, and the sandbox's "reset").
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(&mut lock(&self.store))
    }

    /// The requests handled so far, oldest first (the latest `record_capacity` of them).
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).iter().cloned().collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.log).clear();
    }

    /// Every `X-Api-Signature` header value received so far (tests only: to prove that no
    /// signature leaks into output or files). Never logged or printed by the simulator.
    pub fn seen_signatures(&self) -> Vec<String> {
        lock(&self.signatures).iter().cloned().collect()
    }

    /// The sizes of the per-request records, to check that they stay bounded.
    #[doc(hidden)]
    pub fn record_sizes(&self) -> RecordSizes {
        let w = lock(&self.windows);
        RecordSizes {
            requests: lock(&self.log).len(),
            signatures: lock(&self.signatures).len(),
            rate_keys: w.len(),
            rate_times: w.values().map(Window::len).sum(),
        }
    }

    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.faults).0.push(rule);
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).0.clear();
    }

    pub fn set_clock_offset(&self, secs: i64) {
        *lock(&self.clock_offset) = secs;
    }

    /// Changes how long asynchronous changes take to settle (changes already accepted keep
    /// their time).
    pub fn set_async_delay(&self, d: Duration) {
        *lock(&self.async_delay) = d;
    }

    pub fn set_limits(&self, limits: SimLimits) {
        *lock(&self.limits) = limits;
    }

    /// Registers another key pair, for the given admin login.
    pub fn add_key(&self, user_key: &str, secret: &str, admin_id: &str) {
        lock(&self.store)
            .keys
            .insert(user_key.into(), store::KeyRec { secret: secret.into(), admin_id: admin_id.into() });
    }

    /// Forgets a key pair (as when keys are regenerated in the control panel).
    pub fn revoke_key(&self, user_key: &str) {
        lock(&self.store).keys.remove(user_key);
    }

    fn now(&self) -> SystemTime {
        let off = *lock(&self.clock_offset);
        if off >= 0 {
            SystemTime::now() + Duration::from_secs(off as u64)
        } else {
            SystemTime::now() - Duration::from_secs(off.unsigned_abs())
        }
    }

    fn pick_fault(&self, method: &str, path: &str) -> Option<FaultRule> {
        let mut g = lock(&self.faults);
        let (rules, rng) = &mut *g;
        for r in rules.iter_mut() {
            if r.skip > 0 && r.applies_to(method, path) {
                r.skip -= 1;
                continue;
            }
            if r.applies_to(method, path) && (r.rate >= 1.0 || rng.unit() < r.rate) {
                if let Some(n) = r.remaining.as_mut() {
                    *n -= 1;
                }
                return Some(r.clone());
            }
        }
        None
    }

    fn record(&self, method: &str, path: &str, status: u16, user_key: Option<String>, throttled: bool) {
        tracing::info!(target: "rackdesk_sim", "{method} {path} -> {status}");
        let mut log = lock(&self.log);
        if log.len() >= self.record_capacity {
            log.pop_front();
        }
        log.push_back(LoggedRequest { method: method.into(), path: clipped(path, MAX_LOGGED_PATH), status, user_key, throttled });
    }

    /// Checks the `X-Api-Signature` exactly as the service does. Returns the user key.
    fn authenticate(&self, headers: &HeaderMap) -> Result<(String, String), ApiFault> {
        let fail = || ApiFault::unauthorized("Authentication failed.");
        let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).filter(|s| !s.is_empty()).ok_or_else(fail)?;
        let sig = headers.get("x-api-signature").and_then(|v| v.to_str().ok()).ok_or_else(fail)?;
        {
            // Bounded, like the request log: the sandbox may run for a long time.
            let mut seen = lock(&self.signatures);
            if seen.len() >= self.record_capacity {
                seen.pop_front();
            }
            seen.push_back(clipped(sig, MAX_KEPT_SIGNATURE));
        }
        let (user_key, ts, hash) = sign::split_header(sig).ok_or_else(fail)?;
        let when = sign::parse_timestamp(ts).ok_or_else(fail)?;
        if let Some(window) = self.freshness {
            let now: chrono::DateTime<chrono::Utc> = self.now().into();
            let skew = (now - when).num_seconds().unsigned_abs();
            if skew > window.as_secs() {
                return Err(fail());
            }
        }
        let store = lock(&self.store);
        let key = store.keys.get(user_key).ok_or_else(fail)?;
        // Only super administrators have API access.
        let admin = store.admins.get(&key.admin_id).ok_or_else(fail)?;
        if !admin.enabled || !admin.admin_type.eq_ignore_ascii_case("super") {
            return Err(fail());
        }
        if sign::signature_hash(user_key, ua, ts, &key.secret) != hash.trim() {
            return Err(fail());
        }
        Ok((user_key.to_owned(), key.admin_id.clone()))
    }

    /// Counts the call and says whether it is over the limit. Refused calls count too.
    ///
    /// The history stays bounded: times older than the window are dropped, each list keeps
    /// at most `limit + 1` times (the newest ones, which are all the answer depends on: the
    /// call is over the limit when more than `limit` calls fell inside the window), and keys
    /// with nothing left inside the window are forgotten.
    fn over_limit(&self, user_key: &str, cat: Category) -> bool {
        let limits = *lock(&self.limits);
        let mut w = lock(&self.windows);
        let now = Instant::now();
        let minute = self.minute;
        w.retain(|k, win| {
            win.prune(now, minute);
            k == user_key || !win.is_empty()
        });
        let win = w.entry(user_key.to_owned()).or_default();
        let push = |q: &mut VecDeque<Instant>, limit: usize| {
            q.push_back(now);
            while q.len() > limit.saturating_add(1) {
                q.pop_front();
            }
            q.len() > limit
        };
        match cat {
            Category::Read => push(&mut win.reads, limits.reads),
            Category::Write => push(&mut win.writes, limits.writes),
            Category::DomainWrite => {
                let over_writes = push(&mut win.writes, limits.writes);
                let over_domain = push(&mut win.domain_writes, limits.domain_writes);
                over_writes || over_domain
            }
        }
    }

    fn details(&self) -> String {
        let t: chrono::DateTime<chrono::Utc> = self.now().into();
        rackdesk_core::models::format_service_date(t.naive_utc())
    }

    fn fault_reply(&self, f: ApiFault, xml: bool) -> Reply {
        let details = self.details();
        let (body, ct) = if xml {
            (xml::fault(f.kind, f.status, &f.message, &details), "text/xml; charset=utf-8")
        } else {
            let mut inner = serde_json::json!({"message": f.message, "details": details, "code": f.status});
            if let Some(rt) = f.resource_type {
                inner["resourceType"] = Value::String(rt.into());
            }
            (serde_json::json!({ f.kind: inner }).to_string(), "application/json; charset=utf-8")
        };
        Reply {
            status: StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: Body::from(body),
            content_type: Some(ct),
            error_message: Some(f.message),
            user_key: None,
            throttled: false,
        }
    }

    fn process(&self, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes, async_fail: bool) -> Reply {
        let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
        let wants_xml = !accept.contains("json") && accept.contains("xml");
        let (user_key, caller) = match self.authenticate(headers) {
            Ok(k) => k,
            Err(f) => return self.fault_reply(f, wants_xml),
        };
        let path = uri.path();
        let segs: Vec<String> = path
            .trim_start_matches('/')
            .split('/')
            .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
            .collect();
        let cat = if *method == Method::GET {
            Category::Read
        } else if is_domain_object(&segs) {
            Category::DomainWrite
        } else {
            Category::Write
        };
        if self.over_limit(&user_key, cat) {
            let mut r = self.fault_reply(ApiFault::unauthorized("Exceeded request limits"), wants_xml);
            r.user_key = Some(user_key);
            r.throttled = true;
            return r;
        }
        let mut reply = self.dispatch(method, &segs, uri, headers, body, &accept, &caller, async_fail);
        reply.user_key = Some(user_key);
        reply
    }

    #[allow(clippy::too_many_arguments)]
    fn dispatch(
        &self, method: &Method, segs: &[String], uri: &Uri, headers: &HeaderMap, body: &Bytes, accept: &str, caller: &str, async_fail: bool,
    ) -> Reply {
        let wants_xml = !accept.contains("json") && accept.contains("xml");
        if *method == Method::GET && !accept.contains("json") && !accept.contains("xml") {
            return self.fault_reply(ApiFault { status: 406, kind: "appsFault", message: "Invalid format".into(), resource_type: None }, false);
        }
        if let Err(f) = self.reseller_check(method, segs) {
            return self.fault_reply(f, wants_xml);
        }
        let query: HashMap<String, String> = uri
            .query()
            .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default().into_iter().collect())
            .unwrap_or_default();
        let route = Route::parse(segs);
        let writes = *method == Method::POST || *method == Method::PUT;
        let result = if route.is_distribution_list() {
            // The v1 model: a JSON or XML body, read as a tree. Reads take none.
            let tree = if *method == Method::GET {
                Value::Object(serde_json::Map::new())
            } else {
                match parse_structured_body(headers, body) {
                    Ok(t) => t,
                    Err(f) => return self.fault_reply(f, wants_xml),
                }
            };
            let ctx = distlists::AsyncCtx {
                now: Instant::now(),
                delay: *lock(&self.async_delay),
                fail: async_fail,
                uri: clipped(uri.path(), MAX_LOGGED_PATH),
                details: self.details(),
            };
            self.run_distribution_list(method, route, &query, &tree, &ctx)
        } else {
            let fields = if writes {
                match parse_body(headers, body) {
                    Ok(f) => f,
                    Err(f) => return self.fault_reply(f, wants_xml),
                }
            } else {
                Fields::new()
            };
            self.run(method, route, &query, &fields, caller).map(|(root, v)| (StatusCode::OK, root, v))
        };
        match result {
            Ok((status, "", Value::Null)) => {
                Reply { status, body: Body::empty(), content_type: None, error_message: None, user_key: None, throttled: false }
            }
            Ok((status, root, v)) => {
                let (body, ct) = if wants_xml {
                    (xml::document(root, &v), "text/xml; charset=utf-8")
                } else {
                    (v.to_string(), "application/json; charset=utf-8")
                };
                Reply { status, body: Body::from(body), content_type: Some(ct), error_message: None, user_key: None, throttled: false }
            }
            Err(f) => self.fault_reply(f, wants_xml),
        }
    }

    /// The v1 distribution-list routes (`distlists.rs`). Reads answer 200; accepted writes
    /// answer 202 with the list, whose `Status` shows the change running.
    fn run_distribution_list(
        &self, method: &Method, route: Route, q: &HashMap<String, String>, body: &Value, ctx: &distlists::AsyncCtx,
    ) -> Result<(StatusCode, &'static str, Value), ApiFault> {
        use distlists::Sub;
        let mut s = lock(&self.store);
        let now = ctx.now;
        let read = |root: &'static str, r: Result<Value, ApiFault>| r.map(|v| (StatusCode::OK, root, v));
        let accepted = |r: Result<Value, ApiFault>| r.map(|v| (StatusCode::ACCEPTED, "DistributionList", v));
        let sub = |w: &str| if w == "members" { Sub::Members } else { Sub::Senders };
        match (method.as_str(), route) {
            ("GET", Route::DistLists(a, d)) => read("DistributionListList", s.dl_index(&a, &d, q, now)),
            ("POST", Route::DistLists(a, d)) => accepted(s.dl_create(&a, &d, None, body, ctx)),
            ("GET", Route::DistList(a, d, n)) => read("DistributionList", s.dl_show(&a, &d, &n, now)),
            ("POST", Route::DistList(a, d, n)) => accepted(s.dl_create(&a, &d, Some(&n), body, ctx)),
            ("PUT", Route::DistList(a, d, n)) => accepted(s.dl_update(&a, &d, &n, body, ctx)),
            ("DELETE", Route::DistList(a, d, n)) => accepted(s.dl_delete(&a, &d, &n, ctx)),
            ("GET", Route::DistListSub(a, d, n, w)) if w == "emailaddresses" => read("EmailAddressList", s.dl_addresses(&a, &d, &n, now)),
            ("GET", Route::DistListSub(a, d, n, w)) if w == "errors" => read("ErrorList", s.dl_errors(&a, &d, &n, now)),
            ("GET", Route::DistListSub(a, d, n, w)) => read("RecipientList", s.dl_recipients(&a, &d, &n, sub(&w), now)),
            ("POST" | "PUT", Route::DistListSub(a, d, n, w)) if w == "members" || w == "senders" => {
                accepted(s.dl_change_recipients(&a, &d, &n, sub(&w), body, None, ctx))
            }
            ("POST", Route::DistListSubItem(a, d, n, w, v)) => {
                accepted(s.dl_change_recipients(&a, &d, &n, sub(&w), body, Some((&v, true)), ctx))
            }
            ("DELETE", Route::DistListSubItem(a, d, n, w, v)) => {
                accepted(s.dl_change_recipients(&a, &d, &n, sub(&w), body, Some((&v, false)), ctx))
            }
            (m, _) => Err(ApiFault { status: 405, kind: "appsFault", message: format!("{m} is not allowed here"), resource_type: None }),
        }
    }

    /// The simulator's account is a business account, so customer calls that only resellers
    /// may make are refused with 403 (§6.0, §6.1): the customer Index and Add (`/customers`),
    /// Edit and Delete of the account itself, and anything under another account. Only `me`
    /// and the account's own number are this account; `all` is allowed for the domain Index
    /// (§1.2). Another account is refused whether or not it exists [U: §12 item 14 leaves 403
    /// against 404 open; 403 is the documented answer for forbidden calls and tells nothing
    /// about other customers].
    fn reseller_check(&self, method: &Method, segs: &[String]) -> Result<(), ApiFault> {
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        match s.as_slice() {
            ["v1", "customers"] => Err(ApiFault::reseller_only()),
            ["v1", "customers", "all", "domains"] if *method == Method::GET => Ok(()),
            ["v1", "customers", a, rest @ ..] => {
                let other_account = *a != "me" && *a != self.account;
                let customer_write = rest.is_empty() && *method != Method::GET;
                if other_account || customer_write {
                    Err(ApiFault::reseller_only())
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Runs a route. Answers the XML root name with the data (empty root for writes).
    fn run(&self, method: &Method, route: Route, q: &HashMap<String, String>, f: &Fields, caller: &str) -> Result<(&'static str, Value), ApiFault> {
        let mut s = lock(&self.store);
        let m = method.as_str();
        let w = |r: Result<Value, ApiFault>| r.map(|v| ("", v));
        match (m, route) {
            ("GET", Route::Customer(a)) => Ok(("customer", s.customer_show(&a)?)),
            ("GET", Route::Admins(a)) => Ok(("adminList", s.admin_index(&a, &IndexQuery::parse(q)?)?)),
            ("GET", Route::Admin(a, id)) => Ok(("admin", s.admin_show(&a, &id)?)),
            ("POST", Route::Admin(a, id)) => w(s.admin_add(&a, &id, f)),
            ("PUT", Route::Admin(a, id)) => w(s.admin_edit(&a, &id, f)),
            ("DELETE", Route::Admin(a, id)) => w(s.admin_delete(&a, &id, caller)),
            ("GET", Route::Domains(a)) => Ok(("domainList", s.domain_index(&a, &IndexQuery::parse(q)?)?)),
            ("GET", Route::Domain(a, d)) => Ok(("domain", s.domain_show(&a, &d)?)),
            // Domain add/edit/delete are for resellers only; this account is a business account.
            // The exact answer is not documented [U].
            ("POST" | "PUT" | "DELETE", Route::Domain(..)) => Err(ApiFault::reseller_only()),
            ("GET", Route::Mailboxes(a, d)) => Ok(("rsMailboxList", s.mailbox_index(&a, &d, &IndexQuery::parse(q)?)?)),
            ("GET", Route::Mailbox(a, d, n)) => Ok(("rsMailbox", s.mailbox_show(&a, &d, &n)?)),
            ("POST", Route::Mailbox(a, d, n)) => w(s.mailbox_add(&a, &d, &n, f)),
            ("PUT", Route::Mailbox(a, d, n)) => w(s.mailbox_edit(&a, &d, &n, f)),
            ("DELETE", Route::Mailbox(a, d, n)) => w(s.mailbox_delete(&a, &d, &n)),
            ("GET", Route::Aliases(a, d)) => Ok(("aliasList", s.alias_index(&a, &d, &IndexQuery::parse(q)?)?)),
            ("GET", Route::Alias(a, d, n)) => Ok(("alias", s.alias_show(&a, &d, &n)?)),
            ("POST", Route::Alias(a, d, n)) => w(s.alias_add(&a, &d, &n, f)),
            ("PUT", Route::Alias(a, d, n)) => w(s.alias_edit(&a, &d, &n, f)),
            ("DELETE", Route::Alias(a, d, n)) => w(s.alias_delete(&a, &d, &n)),
            ("GET", Route::ExMailboxes(a, d)) => Ok(("mailboxList", s.ex_mailbox_index(&a, &d, &IndexQuery::parse(q)?)?)),
            ("GET", Route::ExMailbox(a, d, n)) => Ok(("mailbox", s.ex_mailbox_show(&a, &d, &n)?)),
            ("POST", Route::ExMailbox(a, d, n)) => w(s.ex_mailbox_add(&a, &d, &n, f)),
            ("PUT", Route::ExMailbox(a, d, n)) => w(s.ex_mailbox_edit(&a, &d, &n, f)),
            ("DELETE", Route::ExMailbox(a, d, n)) => w(s.ex_mailbox_delete(&a, &d, &n)),
            ("GET", Route::Permissions(a, d, n)) => {
                Ok(("permissionList", s.ex_permission_index(&a, &d, &n, &IndexQuery::parse(q)?)?))
            }
            ("POST", Route::Permission(a, d, n, who)) => w(s.ex_permission_set(&a, &d, &n, &who, f, true)),
            ("PUT", Route::Permission(a, d, n, who)) => w(s.ex_permission_set(&a, &d, &n, &who, f, false)),
            ("DELETE", Route::Permission(a, d, n, who)) => w(s.ex_permission_delete(&a, &d, &n, &who)),
            ("POST", Route::ExAddress(a, d, n, addr)) => w(s.ex_address_add(&a, &d, &n, &addr, f)),
            ("DELETE", Route::ExAddress(a, d, n, addr)) => w(s.ex_address_delete(&a, &d, &n, &addr)),
            ("GET", Route::Contacts(a, d)) => Ok(("contactList", s.contact_index(&a, &d, &IndexQuery::parse(q)?)?)),
            ("GET", Route::Contact(a, d, n)) => Ok(("contact", s.contact_show(&a, &d, &n)?)),
            ("POST", Route::Contact(a, d, n)) => w(s.contact_add(&a, &d, &n, f)),
            ("PUT", Route::Contact(a, d, n)) => w(s.contact_edit(&a, &d, &n, f)),
            ("DELETE", Route::Contact(a, d, n)) => w(s.contact_delete(&a, &d, &n)),
            ("GET", Route::SpamSettings(a, d, o)) => Ok((spam::settings_root(&o), s.spam_settings_show(&a, &d, &o)?)),
            ("PUT", Route::SpamSettings(a, d, o)) => w(s.spam_settings_edit(&a, &d, &o, f)),
            ("GET", Route::SpamList(a, d, o, l)) => Ok((l.name, s.spam_list_index(&a, &d, &o, l)?)),
            ("PUT", Route::SpamList(a, d, o, l)) => w(s.spam_list_edit(&a, &d, &o, l, f)),
            ("POST", Route::SpamEntry(a, d, o, l, e)) => w(s.spam_list_add(&a, &d, &o, l, &e, f)),
            ("DELETE", Route::SpamEntry(a, d, o, l, e)) => w(s.spam_list_delete(&a, &d, &o, l, &e)),
            (_, Route::SpamUnknownList(name)) => Err(spam::unknown_list(&name)),
            (_, Route::Unknown) => Err(ApiFault::not_found("Resource", "The simulator does not know this resource")),
            (m, _) => Err(ApiFault { status: 405, kind: "appsFault", message: format!("{m} is not allowed here"), resource_type: None }),
        }
    }
}

/// POST/PUT/DELETE on a domain object itself (the 2-per-minute limit).
fn is_domain_object(segs: &[String]) -> bool {
    match segs {
        [v, c, _, d, _] if v == "v1" && c == "customers" && d == "domains" => true,
        [v, d, _] if v == "v1" && d == "domains" => true,
        _ => false,
    }
}

enum Route {
    Customer(String),
    Admins(String),
    Admin(String, String),
    Domains(String),
    Domain(String, String),
    Mailboxes(String, String),
    Mailbox(String, String, String),
    Aliases(String, String),
    Alias(String, String, String),
    ExMailboxes(String, String),
    ExMailbox(String, String, String),
    Permissions(String, String, String),
    Permission(String, String, String, String),
    /// An alternate address of an Exchange mailbox.
    ExAddress(String, String, String, String),
    Contacts(String, String),
    Contact(String, String, String),
    DistLists(String, String),
    DistList(String, String, String),
    /// `members`, `senders` or `emailaddresses` of a list.
    DistListSub(String, String, String, String),
    /// One member or sender: `.../members/{recipient}`.
    DistListSubItem(String, String, String, String, String),
    /// `.../spam/settings` of a domain or a mailbox.
    SpamSettings(String, String, SpamOwner),
    /// `.../spam/{list}`: index and bulk edit.
    SpamList(String, String, SpamOwner, ListName),
    /// `.../spam/{list}/{entry}`: add and delete one entry.
    SpamEntry(String, String, SpamOwner, ListName, String),
    /// `.../spam/{name}` where the name is no list.
    SpamUnknownList(String),
    Unknown,
}

impl Route {
    fn parse(segs: &[String]) -> Route {
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        let (acct, rest): (String, &[&str]) = match s.as_slice() {
            ["v1", "customers", a] => return Route::Customer(a.to_string()),
            ["v1", "customers", a, rest @ ..] => (a.to_string(), rest),
            ["v1", rest @ ..] if matches!(rest.first(), Some(&"domains") | Some(&"admins")) => ("me".into(), rest),
            _ => return Route::Unknown,
        };
        let a = acct;
        if let Some(r) = Route::parse_spam(&a, rest) {
            return r;
        }
        match rest {
            ["admins"] => Route::Admins(a),
            ["admins", id] => Route::Admin(a, id.to_string()),
            ["domains"] => Route::Domains(a),
            ["domains", d] => Route::Domain(a, d.to_string()),
            ["domains", d, "rs", "mailboxes"] => Route::Mailboxes(a, d.to_string()),
            ["domains", d, "rs", "mailboxes", m] => Route::Mailbox(a, d.to_string(), m.to_string()),
            ["domains", d, "rs", "aliases"] => Route::Aliases(a, d.to_string()),
            ["domains", d, "rs", "aliases", n] => Route::Alias(a, d.to_string(), n.to_string()),
            ["domains", d, "ex", "mailboxes"] => Route::ExMailboxes(a, d.to_string()),
            ["domains", d, "ex", "mailboxes", m] => Route::ExMailbox(a, d.to_string(), m.to_string()),
            ["domains", d, "ex", "mailboxes", m, "permissions"] => Route::Permissions(a, d.to_string(), m.to_string()),
            ["domains", d, "ex", "mailboxes", m, "permissions", who] => {
                Route::Permission(a, d.to_string(), m.to_string(), who.to_string())
            }
            ["domains", d, "ex", "mailboxes", m, "emailaddresses", addr] => {
                Route::ExAddress(a, d.to_string(), m.to_string(), addr.to_string())
            }
            ["domains", d, "ex", "contacts"] => Route::Contacts(a, d.to_string()),
            ["domains", d, "ex", "contacts", c] => Route::Contact(a, d.to_string(), c.to_string()),
            ["domains", d, "ex", "distributionlists"] => Route::DistLists(a, d.to_string()),
            ["domains", d, "ex", "distributionlists", n] => Route::DistList(a, d.to_string(), n.to_string()),
            ["domains", d, "ex", "distributionlists", n, w] if is_list_part(w) => {
                Route::DistListSub(a, d.to_string(), n.to_string(), w.to_ascii_lowercase())
            }
            ["domains", d, "ex", "distributionlists", n, w, v] if w.eq_ignore_ascii_case("members") || w.eq_ignore_ascii_case("senders") => {
                Route::DistListSubItem(a, d.to_string(), n.to_string(), w.to_ascii_lowercase(), v.to_string())
            }
            _ => Route::Unknown,
        }
    }

    /// The spam routes of a domain, a Rackspace Email mailbox and an Exchange mailbox (§6.4,
    /// §6.6, §6.9, §13): `settings`, or a list and optionally one entry of it.
    fn parse_spam(a: &str, rest: &[&str]) -> Option<Route> {
        let (d, owner, tail) = match rest {
            ["domains", d, "spam", tail @ ..] => (d, SpamOwner::Domain, tail),
            ["domains", d, "rs", "mailboxes", m, "spam", tail @ ..] => (d, SpamOwner::Rs(m.to_string()), tail),
            ["domains", d, "ex", "mailboxes", m, "spam", tail @ ..] => (d, SpamOwner::Ex(m.to_string()), tail),
            _ => return None,
        };
        let (a, d) = (a.to_owned(), d.to_string());
        let is_settings = |s: &str| s.eq_ignore_ascii_case("settings");
        Some(match tail {
            [s] if is_settings(s) => Route::SpamSettings(a, d, owner),
            [l] | [l, _] if is_settings(l) => Route::Unknown,
            [l] => match ListName::parse(l) {
                Some(list) => Route::SpamList(a, d, owner, list),
                None => Route::SpamUnknownList(l.to_string()),
            },
            [l, e] => match ListName::parse(l) {
                Some(list) => Route::SpamEntry(a, d, owner, list, e.to_string()),
                None => Route::SpamUnknownList(l.to_string()),
            },
            _ => Route::Unknown,
        })
    }

    fn is_distribution_list(&self) -> bool {
        matches!(self, Route::DistLists(..) | Route::DistList(..) | Route::DistListSub(..) | Route::DistListSubItem(..))
    }
}

fn is_list_part(w: &str) -> bool {
    ["members", "senders", "emailaddresses", "errors"].iter().any(|p| w.eq_ignore_ascii_case(p))
}

/// Reads the body of a v1 distribution-list write: JSON or XML only (§1.5, §6.11: "the v0
/// method of submitting data via form URL-encoded variables is NOT supported in v1").
///
/// The service's answer to a form body is not documented [U]. We answer 400
/// `badRequestFault`, the fault of every other body the service cannot take (§4.1, §4.3),
/// with a message that names the formats it wants. A body with no `Content-Type` is judged by
/// its first character. No body at all reads as an empty object.
fn parse_structured_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ApiFault> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let text = std::str::from_utf8(body).map_err(|_| ApiFault::bad_request("The request body could not be read"))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Ok(Value::Object(serde_json::Map::new()));
    }
    let is_json = ct.contains("json") || (ct.is_empty() && trimmed.starts_with('{'));
    let is_xml = ct.contains("xml") || (ct.is_empty() && trimmed.starts_with('<'));
    if is_json {
        let v: Value = serde_json::from_str(trimmed).map_err(|_| ApiFault::bad_request("The request body could not be read"))?;
        if !v.is_object() {
            return Err(ApiFault::bad_request("The request body could not be read"));
        }
        Ok(v)
    } else if is_xml {
        xml::parse(trimmed).map_err(|_| ApiFault::bad_request("The request body could not be read"))
    } else {
        Err(ApiFault::bad_request(
            "Form-encoded bodies are not supported here: send JSON (application/json) or XML (text/xml)",
        ))
    }
}

/// Reads a form-urlencoded or JSON body into flat string fields.
fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<Fields, ApiFault> {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let unreadable = || ApiFault::bad_request("The request body could not be read");
    if body.is_empty() {
        return Ok(Fields::new());
    }
    if ct.contains("json") {
        let v: serde_json::Map<String, Value> = serde_json::from_slice(body).map_err(|_| unreadable())?;
        let mut out = Fields::new();
        for (k, v) in v {
            let s = match v {
                Value::String(s) => s,
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Null => String::new(),
                Value::Array(items) => items.iter().map(|i| i.as_str().map(str::to_owned).unwrap_or_else(|| i.to_string())).collect::<Vec<_>>().join(","),
                Value::Object(_) => return Err(unreadable()),
            };
            out.insert(k, s);
        }
        Ok(out)
    } else {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| unreadable())?;
        Ok(pairs.into_iter().collect())
    }
}

async fn handle(State(sim): State<Arc<Sim>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().to_owned();
    let fault = sim.pick_fault(method.as_str(), &path);
    // An `async-error` rule changes how the accepted change settles, not the answer.
    let async_fail = fault.as_ref().is_some_and(|f| f.kind == FaultKind::AsyncError);
    let fault = fault.filter(|f| f.kind != FaultKind::AsyncError);
    if let Some(f) = fault.as_ref().filter(|f| !f.after_apply) {
        if let FaultKind::Delay(d) = f.kind {
            tokio::time::sleep(d).await;
        } else {
            return injected(&sim, f, &method, &path);
        }
    }
    let reply = sim.process(&method, &uri, &headers, &body, async_fail);
    if let Some(f) = fault.as_ref().filter(|f| f.after_apply) {
        if let FaultKind::Delay(d) = f.kind {
            tokio::time::sleep(d).await;
        } else {
            return injected(&sim, f, &method, &path);
        }
    }
    sim.record(method.as_str(), &path, reply.status.as_u16(), reply.user_key.clone(), reply.throttled);
    let mut resp = Response::builder().status(reply.status);
    if let Some(ct) = reply.content_type {
        resp = resp.header(header::CONTENT_TYPE, ct);
    }
    if let Some(m) = reply.error_message.as_deref() {
        // A header carries printable ASCII only; a message quoting the request (a domain or
        // field name in another script) still gets a header, with `?` for what it cannot carry.
        let safe: String = m.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
        if let Ok(v) = HeaderValue::from_str(&safe) {
            resp = resp.header("x-error-message", v);
        }
    }
    resp = resp.header(header::DATE, httpdate::fmt_http_date(sim.now()));
    resp.body(reply.body).unwrap_or_else(|_| Response::new(Body::empty()))
}

/// The answer of an injected fault.
fn injected(sim: &Sim, f: &FaultRule, method: &Method, path: &str) -> Response {
    match f.kind {
        FaultKind::Drop => {
            sim.record(method.as_str(), path, 0, None, false);
            // Unwinding the connection's task closes the socket without an answer.
            // `resume_unwind` does not run the panic hook, so nothing is printed.
            std::panic::resume_unwind(Box::new("rackdesk-sim: connection dropped on purpose"));
        }
        FaultKind::Status(code) => {
            sim.record(method.as_str(), path, code, None, false);
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let msg = if code >= 500 { "The service is temporarily unavailable" } else { "Injected fault" };
            let body = serde_json::json!({"appsFault": {"message": msg, "details": sim.details(), "code": code}});
            Response::builder()
                .status(status)
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .header("x-error-message", msg)
                .body(Body::from(body.to_string()))
                .unwrap_or_else(|_| Response::new(Body::empty()))
        }
        FaultKind::NotJson => {
            sim.record(method.as_str(), path, 200, None, false);
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "text/html")
                .body(Body::from("<html><body><h1>Maintenance</h1></body></html>"))
                .unwrap_or_else(|_| Response::new(Body::empty()))
        }
        FaultKind::Truncated => {
            sim.record(method.as_str(), path, 200, None, false);
            let full = br#"{"offset":0,"size":50,"total":1,"rsMailboxes":[{"name":"cut.off","displayName":"Cut Off"}]}"#;
            let half = Bytes::copy_from_slice(&full[..full.len() / 2]);
            let stream = futures::stream::iter(vec![
                Ok::<Bytes, std::io::Error>(half),
                Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "truncated on purpose")),
            ]);
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "application/json; charset=utf-8")
                .header(header::CONTENT_LENGTH, full.len())
                .body(Body::from_stream(stream))
                .unwrap_or_else(|_| Response::new(Body::empty()))
        }
        FaultKind::Delay(_) | FaultKind::AsyncError => Response::new(Body::empty()),
    }
}

/// The axum router: one handler for everything, so unknown paths get a clear fault too.
pub fn router(sim: Arc<Sim>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(sim)
}

/// A running simulator on a real socket. Stops when dropped.
pub struct Simulator {
    sim: Arc<Sim>,
    addr: SocketAddr,
    api_url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Simulator {
    /// Binds `listen` (use port 0 for a free one) and serves in the background of the
    /// current tokio runtime.
    pub async fn start(cfg: SimConfig, listen: SocketAddr) -> std::io::Result<Simulator> {
        let sim = Sim::new(cfg);
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(sim.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Simulator { sim, addr, api_url: format!("http://{addr}/v1"), shutdown: Some(tx) })
    }

    /// Binds `listen` and serves over HTTPS with `acceptor`'s certificate. `host` is the name
    /// the API root is given (the name the certificate is made out for).
    pub async fn start_tls(cfg: SimConfig, listen: SocketAddr, acceptor: tokio_rustls::TlsAcceptor, host: &str) -> std::io::Result<Simulator> {
        let sim = Sim::new(cfg);
        let tcp = tokio::net::TcpListener::bind(listen).await?;
        let addr = tcp.local_addr()?;
        let listener = tls::TlsListener::new(tcp, acceptor)?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(sim.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_owned() };
        Ok(Simulator { sim, addr, api_url: format!("https://{host}:{}/v1", addr.port()), shutdown: Some(tx) })
    }

    /// Starts on a free loopback port.
    pub async fn start_local(cfg: SimConfig) -> std::io::Result<Simulator> {
        Simulator::start(cfg, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// The API root, e.g. `http://127.0.0.1:8808/v1`.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn sim(&self) -> &Arc<Sim> {
        &self.sim
    }

    pub fn account(&self) -> &str {
        &self.sim.account
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
