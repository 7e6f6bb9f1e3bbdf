//! The signed API client.
//!
//! Every request goes through [`Client::execute`], one place that composes the layers in
//! order: pacing by the [`Scheduler`], a fresh signature, the HTTP call with a timeout,
//! classification of the answer, and the retry policy. The retry policy follows one rule:
//! a request is repeated only when repeating it cannot do something twice —
//! reads and idempotent edits may be retried; a create or delete that may have reached the
//! server is first checked by reading the object back, and only resent if it did not happen.

use crate::error::{ApiError, Fault, Result, SendPhase, ServerReply};
use crate::limits::{Category, Limits, Scheduler};
use crate::sign::{self, Clock, SystemClock};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The API admin's key pair. The secret key is held as a [`SecretString`]: zeroized on drop
/// and never printed by `Debug`.
#[derive(Clone)]
pub struct Credentials {
    user_key: String,
    secret_key: SecretString,
}

impl Credentials {
    /// Checks the shape of the keys (not whether they are right: only the server knows).
    pub fn new(user_key: impl Into<String>, secret_key: SecretString) -> Result<Self> {
        let user_key = user_key.into().trim().to_owned();
        let secret = secret_key.expose_secret().trim();
        if user_key.is_empty() {
            return Err(ApiError::invalid("user key", "it is empty"));
        }
        if user_key.contains(':') || !user_key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ApiError::invalid("user key", "it may contain only letters, digits and symbols, without spaces or colons"));
        }
        if user_key.len() > 128 {
            return Err(ApiError::invalid("user key", "it is longer than 128 characters"));
        }
        if secret.is_empty() {
            return Err(ApiError::invalid("secret key", "it is empty"));
        }
        if !secret.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ApiError::invalid("secret key", "it may contain only letters, digits and symbols, without spaces"));
        }
        if secret.len() > 256 {
            return Err(ApiError::invalid("secret key", "it is longer than 256 characters"));
        }
        let secret_key = SecretString::from(secret.to_owned());
        Ok(Credentials { user_key, secret_key })
    }

    pub fn user_key(&self) -> &str {
        &self.user_key
    }

    /// The user key with all but its first and last 4 characters hidden.
    pub fn user_key_hint(&self) -> String {
        mask(&self.user_key)
    }

    pub(crate) fn secret(&self) -> &SecretString {
        &self.secret_key
    }
}

/// `eGbq…JV1Pi`-style masking for showing a key without revealing it.
pub fn mask(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "•".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("user_key", &self.user_key_hint())
            .field("secret_key", &"[redacted]")
            .finish()
    }
}

/// How many times and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after a throttled answer (each waits out a whole window first).
    pub throttle_retries: u32,
    /// Attempts after a transient failure (network, timeout, 5xx).
    pub transient_retries: u32,
    /// Wait before the first transient retry; doubled each time.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { throttle_retries: 4, transient_retries: 2, backoff: Duration::from_millis(500) }
    }
}

/// What the client tells its caller while it works (for progress and "waiting" messages).
#[derive(Debug, Clone, PartialEq)]
pub enum ClientEvent {
    /// Holding back to keep to Rackspace's rate limit.
    WaitingForRateLimit { wait: Duration },
    /// The server said the rate limit was exceeded; waiting a window before trying again.
    Throttled { attempt: u32, wait: Duration },
    /// A transient failure; trying again.
    Retrying { attempt: u32, reason: String },
    /// A write may have reached the server before the connection failed: reading back.
    CheckingOutcome { path: String },
}

pub type EventSink = Arc<dyn Fn(&ClientEvent) + Send + Sync>;

/// The most of an answer the client reads: 8 MiB. The largest documented answer, a page of
/// 250 mailboxes with every column, is well under 1 MiB; anything far larger is not an API
/// answer, and reading it all would only use up memory.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The environment variable that shortens the pacing "minute" for tests against the local
/// simulator (milliseconds). See [`ClientConfig::with_test_minute_from_env`].
pub const TEST_MINUTE_ENV: &str = "RACKDESK_MINUTE_MS";

/// Everything a client needs besides the keys.
#[derive(Clone)]
pub struct ClientConfig {
    /// The API root including the version, e.g. `https://api.emailsrvr.com/v1`.
    pub api_url: String,
    /// The customer account: digits, or `me`.
    pub account: String,
    pub user_agent: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    pub scheduler: Arc<Scheduler>,
    pub clock: Arc<dyn Clock>,
    pub events: Option<EventSink>,
    /// The most of an answer's body that is read, in bytes ([`MAX_BODY_BYTES`]; tests lower it).
    pub max_body_bytes: usize,
}

impl ClientConfig {
    pub fn new(api_url: impl Into<String>) -> Self {
        ClientConfig {
            api_url: api_url.into(),
            account: "me".into(),
            user_agent: crate::user_agent(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            scheduler: Scheduler::global(),
            clock: Arc::new(SystemClock),
            events: None,
            max_body_bytes: MAX_BODY_BYTES,
        }
    }

    /// Shortens the pacing "minute" to `minute_ms` milliseconds, for tests against the local
    /// simulator (which shortens its own minute the same way): the scheduler counts the
    /// published limits over that window, and the retry backoff becomes a twentieth of it
    /// (at least 10 ms). `None` or 0 leaves the configuration as it is.
    ///
    /// Applied only when [`ClientConfig::api_url`] is this computer (see [`is_loopback_url`]):
    /// against Rackspace a short minute would break its rate limits, so it is then ignored
    /// with a warning. Returns whether it was applied. Set the final `api_url` first.
    pub fn apply_test_minute(&mut self, minute_ms: Option<u64>) -> bool {
        let Some(ms) = minute_ms.filter(|ms| *ms > 0) else {
            return false;
        };
        if !is_loopback_url(self.api_url.trim()) {
            tracing::warn!(
                minute_ms = ms,
                "{TEST_MINUTE_ENV} is ignored: it applies only to an API address on this computer"
            );
            return false;
        }
        self.scheduler = Scheduler::new(Limits::with_window(Duration::from_millis(ms)));
        self.retry.backoff = Duration::from_millis((ms / 20).max(10));
        true
    }

    /// [`ClientConfig::apply_test_minute`] with the value of `RACKDESK_MINUTE_MS`, when it is
    /// a positive whole number of milliseconds (anything else is ignored).
    pub fn with_test_minute_from_env(mut self) -> Self {
        let ms = std::env::var(TEST_MINUTE_ENV).ok().and_then(|v| v.trim().parse::<u64>().ok());
        self.apply_test_minute(ms);
        self
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("api_url", &self.api_url)
            .field("account", &self.account)
            .field("user_agent", &self.user_agent)
            .field("timeout", &self.timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

/// How a write may be repeated.
#[derive(Debug, Clone)]
pub(crate) enum Safety {
    /// GET: always safe to repeat.
    Read,
    /// PUT: setting fields to values twice has the same effect as once.
    Idempotent,
    /// POST (create) or DELETE: before repeating, read `probe` back and decide.
    Checked { probe: String, done_when: Outcome },
    /// A change that cannot be read back to decide (e.g. granting a permission, adding a
    /// member to a distribution list): repeated only when it certainly did not leave this
    /// computer; when it may have reached the server the caller hears "outcome unknown".
    Once,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The create happened if the object now exists.
    Exists,
    /// The delete happened if the object is now gone.
    Gone,
}

/// A form body. Values that are secrets stay secret until the moment of encoding.
#[derive(Default)]
pub struct Form {
    fields: Vec<(&'static str, FormValue)>,
}

enum FormValue {
    Plain(String),
    Secret(SecretString),
}

impl Form {
    pub fn new() -> Self {
        Form::default()
    }
    pub fn text(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        self.fields.push((name, FormValue::Plain(value.into())));
        self
    }
    pub fn flag(&mut self, name: &'static str, value: bool) -> &mut Self {
        self.text(name, if value { "true" } else { "false" })
    }
    /// A boolean as `True` / `False`: how Rackspace's own client sends Exchange fields
    /// (reference §13); a faithful server accepts both spellings, the real one is known to
    /// accept this one.
    pub fn flag_capitalised(&mut self, name: &'static str, value: bool) -> &mut Self {
        self.text(name, if value { "True" } else { "False" })
    }
    pub fn secret(&mut self, name: &'static str, value: &SecretString) -> &mut Self {
        self.fields.push((name, FormValue::Secret(value.clone())));
        self
    }
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }
    /// The names of the fields (never the values): for logs and the journal.
    pub fn field_names(&self) -> Vec<&'static str> {
        self.fields.iter().map(|(n, _)| *n).collect()
    }
    /// A plain field's value (never a secret's), for the core's own tests.
    #[cfg(test)]
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.fields.iter().find_map(|(n, v)| match v {
            FormValue::Plain(p) if *n == name => Some(p.as_str()),
            _ => None,
        })
    }
    fn encode(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (n, v) in &self.fields {
            match v {
                FormValue::Plain(p) => s.append_pair(n, p),
                FormValue::Secret(p) => s.append_pair(n, p.expose_secret()),
            };
        }
        s.finish()
    }
}

impl fmt::Debug for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.field_names()).finish()
    }
}

/// What a write carries: a form (the classic routes) or JSON (the v1 Exchange
/// distribution-list routes, which take no form bodies at all, reference §1.5 and §6.11).
pub(crate) enum Body {
    Form(Form),
    Json(Vec<u8>),
}

pub(crate) struct Request {
    pub method: Method,
    /// Path below the API root, segments already validated and encoded.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub form: Option<Body>,
    pub category: Category,
    pub safety: Safety,
}

/// A successful answer.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: bytes::Bytes,
}

/// The signed client. Cheap to clone; clones share the connection pool and the scheduler.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    cfg: ClientConfig,
    creds: Credentials,
    last_server_date: Arc<Mutex<Option<String>>>,
    /// The proxy requests go through (decided once, as reqwest decides it: see [`crate::net`]).
    proxy: Option<crate::net::ProxyInUse>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("cfg", &self.cfg).field("creds", &self.creds).finish()
    }
}

impl Client {
    pub fn new(cfg: ClientConfig, creds: Credentials) -> Result<Self> {
        let url = url::Url::parse(cfg.api_url.trim())
            .map_err(|e| ApiError::invalid("API address", format!("\"{}\" is not a web address ({e})", cfg.api_url)))?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(ApiError::invalid("API address", "it must start with https://"));
        }
        if url.scheme() == "http" && !is_loopback(&url) {
            return Err(ApiError::invalid(
                "API address",
                "plain http is allowed only for the local sandbox; use https://",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(ApiError::invalid("API address", "it may not contain ? or #"));
        }
        let mut cfg = cfg;
        cfg.api_url = url.as_str().trim_end_matches('/').to_owned();
        cfg.account = crate::names::account(&cfg.account)?;
        let (http, proxy) = http_client(&cfg, &url)?;
        match &proxy {
            Some(p) => tracing::info!(api = %cfg.api_url, proxy = %p, "client ready"),
            None => tracing::info!(api = %cfg.api_url, proxy = "none", "client ready"),
        }
        Ok(Client { http, cfg, creds, last_server_date: Arc::new(Mutex::new(None)), proxy })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    /// The proxy this client's requests go through, if any.
    pub fn proxy(&self) -> Option<&crate::net::ProxyInUse> {
        self.proxy.as_ref()
    }

    pub fn credentials(&self) -> &Credentials {
        &self.creds
    }

    /// The account path segment (`me` or digits).
    pub fn account(&self) -> &str {
        &self.cfg.account
    }

    /// The `Date` header of the last answer from the server (RFC 1123), for clock checks.
    pub fn last_server_date(&self) -> Option<String> {
        self.last_server_date.lock().ok().and_then(|g| g.clone())
    }

    fn emit(&self, ev: ClientEvent) {
        tracing::debug!(event = ?ev, "client");
        if let Some(sink) = &self.cfg.events {
            sink(&ev);
        }
    }

    /// Runs a request through pacing, signing, sending, classification and retries; a
    /// failure that is final is logged (at warn: diagnostics shows the last ones).
    pub(crate) async fn execute(&self, req: &Request) -> Result<Answer> {
        let result = self.execute_with_retries(req).await;
        if let Err(e) = &result {
            log_failure(req, e);
        }
        result
    }

    async fn execute_with_retries(&self, req: &Request) -> Result<Answer> {
        let mut throttled = 0u32;
        let mut transient = 0u32;
        loop {
            let result = self.send_once(req).await;
            let err = match result {
                Ok(answer) => return Ok(answer),
                Err(e) => e,
            };
            match &err {
                ApiError::Throttled { reply, .. } => {
                    throttled += 1;
                    if throttled > self.cfg.retry.throttle_retries {
                        return Err(ApiError::Throttled { attempts: throttled, reply: reply.clone() });
                    }
                    // Throttled calls are refused, not carried out: resending is safe.
                    self.cfg.scheduler.note_throttled(self.creds.user_key());
                    self.emit(ClientEvent::Throttled { attempt: throttled, wait: self.cfg.scheduler.limits().window });
                    continue;
                }
                e if is_transient(e) => {
                    transient += 1;
                    if transient > self.cfg.retry.transient_retries {
                        return Err(err);
                    }
                    if let (Safety::Once, true) = (&req.safety, may_have_happened(e)) {
                        return Err(ApiError::Unconfirmed { cause: Box::new(err) });
                    }
                    if let (Safety::Checked { probe, done_when }, true) = (&req.safety, may_have_happened(e)) {
                        self.emit(ClientEvent::CheckingOutcome { path: probe.clone() });
                        match self.probe(probe).await {
                            Ok(exists) if exists == (*done_when == Outcome::Exists) => {
                                return Ok(Answer { status: StatusCode::OK, body: bytes::Bytes::new() })
                            }
                            Ok(_) => {} // It did not happen: resending is safe.
                            Err(_) => return Err(ApiError::Unconfirmed { cause: Box::new(err) }),
                        }
                    }
                    let wait = self.cfg.retry.backoff * 2u32.pow(transient - 1);
                    self.emit(ClientEvent::Retrying { attempt: transient, reason: err.to_string() });
                    tokio::time::sleep(wait).await;
                    continue;
                }
                _ => return Err(err),
            }
        }
    }

    /// Reads `path` back: `Ok(true)` if it exists, `Ok(false)` if the server says 404.
    async fn probe(&self, path: &str) -> Result<bool> {
        let req = Request {
            method: Method::GET,
            path: path.to_owned(),
            query: vec![],
            form: None,
            category: Category::Read,
            safety: Safety::Read,
        };
        for attempt in 0..=self.cfg.retry.transient_retries {
            match self.send_once(&req).await {
                // A 2xx says it exists; an answer too long to read is still a 2xx.
                Ok(_) | Err(ApiError::TooLarge { .. }) => return Ok(true),
                Err(e) if e.is_not_found() => return Ok(false),
                Err(ApiError::Throttled { .. }) => {
                    self.cfg.scheduler.note_throttled(self.creds.user_key());
                }
                Err(e) if is_transient(&e) && attempt < self.cfg.retry.transient_retries => {
                    tokio::time::sleep(self.cfg.retry.backoff * 2u32.pow(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(ApiError::Unconfirmed {
            cause: Box::new(ApiError::Network { phase: SendPhase::MaybeSent, message: "read-back failed".into() }),
        })
    }

    /// One attempt: wait for a slot, sign afresh, send, classify.
    async fn send_once(&self, req: &Request) -> Result<Answer> {
        let permit = self
            .cfg
            .scheduler
            .acquire(self.creds.user_key(), req.category, &|wait| {
                if wait >= Duration::from_millis(250) {
                    self.emit(ClientEvent::WaitingForRateLimit { wait });
                }
            })
            .await;
        let started = std::time::Instant::now();
        let result = match self.signed_request(req) {
            Ok(request) => {
                tracing::debug!(method = %req.method, path = %req.path, "sending");
                self.exchange(request).await
            }
            Err(e) => Err(e),
        };
        permit.finish();
        // One line per request: method, path below the API root (names of domains and
        // mailboxes, never a query, body, key or signature), status and time taken.
        let ms = started.elapsed().as_millis() as u64;
        match &result {
            Ok(a) => tracing::info!(method = %req.method, path = %req.path, status = a.status.as_u16(), ms, "request"),
            Err(e) => match e.status() {
                Some(status) => tracing::info!(method = %req.method, path = %req.path, status, ms, kind = %e.kind(), "request"),
                None => tracing::info!(method = %req.method, path = %req.path, ms, kind = %e.kind(), "request not answered"),
            },
        }
        result
    }

    /// Builds the request with a fresh signature. The signature header is flagged sensitive,
    /// so it never shows in `Debug` output of the request or its headers.
    fn signed_request(&self, req: &Request) -> Result<reqwest::Request> {
        let url = format!("{}/{}", self.cfg.api_url, req.path);
        let ts = sign::timestamp(self.cfg.clock.now_utc());
        let mut signature = HeaderValue::from_str(&sign::signature_header(
            self.creds.user_key(),
            &self.cfg.user_agent,
            &ts,
            self.creds.secret().expose_secret(),
        ))
        // Keys are checked to be printable ASCII, so this cannot happen; never show the value.
        .map_err(|_| ApiError::invalid("API keys", "they contain characters that cannot be sent"))?;
        signature.set_sensitive(true);
        let mut rb = self
            .http
            .request(req.method.clone(), &url)
            .header(USER_AGENT, &self.cfg.user_agent)
            .header(ACCEPT, "application/json")
            .header("X-Api-Signature", signature);
        if !req.query.is_empty() {
            rb = rb.query(&req.query);
        }
        if let Some(Body::Form(form)) = &req.form {
            rb = rb.header(CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8").body(form.encode());
        } else if let Some(Body::Json(json)) = &req.form {
            rb = rb.header(CONTENT_TYPE, "application/json; charset=utf-8").body(json.clone());
        } else if req.method == Method::POST || req.method == Method::PUT {
            rb = rb.header(CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8").body("");
        }
        rb.build().map_err(|e| ApiError::Network { phase: SendPhase::NotSent, message: e.to_string() })
    }

    /// Sends a built request and classifies the answer, reading at most
    /// [`ClientConfig::max_body_bytes`] of its body.
    ///
    /// A longer 2xx answer is [`ApiError::TooLarge`]: the server answered, so this is an answer
    /// we could not read (like [`ApiError::Undecodable`]), never a "maybe sent" failure that a
    /// retry or read-back would act on. A longer error answer is classified from its status
    /// and `x-error-message` header alone, so throttling, 404 and 5xx keep their meaning.
    async fn exchange(&self, request: reqwest::Request) -> Result<Answer> {
        let mut resp = match self.http.execute(request).await {
            Ok(r) => r,
            Err(e) => return Err(self.network_error(&e)),
        };
        let status = resp.status();
        let headers = std::mem::take(resp.headers_mut());
        if let Some(d) = headers.get(reqwest::header::DATE).and_then(|v| v.to_str().ok()) {
            if let Ok(mut g) = self.last_server_date.lock() {
                *g = Some(d.to_owned());
            }
        }
        let limit = self.cfg.max_body_bytes;
        match read_capped(&mut resp, limit).await {
            Err(e) => Err(self.network_error(&e)),
            Ok(Some(body)) if status.is_success() => Ok(Answer { status, body }),
            Ok(Some(body)) => Err(classify(status, &headers, &body)),
            Ok(None) => {
                tracing::warn!(status = status.as_u16(), limit, "answer longer than the limit; not read");
                if status.is_success() {
                    Err(ApiError::TooLarge { limit: limit as u64, status: status.as_u16() })
                } else {
                    Err(classify(status, &headers, b""))
                }
            }
        }
    }

    fn network_error(&self, e: &reqwest::Error) -> ApiError {
        network_error(e, &self.cfg, self.proxy.as_ref())
    }

    /// GET and decode JSON, naming the JSON path of any mismatch.
    pub(crate) async fn get_json<T: DeserializeOwned>(&self, path: String, query: Vec<(String, String)>) -> Result<T> {
        let req = Request { method: Method::GET, path, query, form: None, category: Category::Read, safety: Safety::Read };
        let answer = self.execute(&req).await?;
        decode(answer.status.as_u16(), &answer.body)
    }

    /// A write; the answer body, if any, is ignored (classic routes answer with a status only).
    pub(crate) async fn write(&self, method: Method, path: String, form: Option<Form>, category: Category) -> Result<()> {
        let safety = match method {
            Method::PUT => Safety::Idempotent,
            Method::POST => Safety::Checked { probe: path.clone(), done_when: Outcome::Exists },
            Method::DELETE => Safety::Checked { probe: path.clone(), done_when: Outcome::Gone },
            _ => Safety::Read,
        };
        let req = Request { method, path, query: vec![], form: form.map(Body::Form), category, safety };
        match self.execute(&req).await {
            // The server answered 2xx: the change was made. A write's answer body is never
            // read, so an over-long one changes nothing about that.
            Ok(_) | Err(ApiError::TooLarge { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

impl Client {
    /// A write with a form body that cannot be safely repeated once it may have reached the
    /// server ([`Safety::Once`]); any 2xx is success.
    pub(crate) async fn write_once(&self, method: Method, path: String, form: Option<Form>) -> Result<()> {
        let req = Request { method, path, query: vec![], form: form.map(Body::Form), category: Category::Write, safety: Safety::Once };
        match self.execute(&req).await {
            Ok(_) | Err(ApiError::TooLarge { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A write with a JSON body (or none), for the v1 Exchange routes that take no forms.
    /// Any 2xx is success (the exact codes are not confirmed, reference §13). `safety`
    /// decides what happens when it may have reached the server and the answer was lost.
    pub(crate) async fn write_json(&self, method: Method, path: String, body: Option<&serde_json::Value>, safety: Safety) -> Result<()> {
        let body = match body {
            Some(v) => Some(Body::Json(serde_json::to_vec(v).map_err(|e| ApiError::invalid("request", e.to_string()))?)),
            None => None,
        };
        let req = Request { method, path, query: vec![], form: body, category: Category::Write, safety };
        match self.execute(&req).await {
            Ok(_) | Err(ApiError::TooLarge { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// True only for an `http`/`https` address whose host, as parsed, is this computer: a loopback
/// IP (127.0.0.0/8 or `::1`) or exactly `localhost`. Decided from the parsed host, never from
/// the text, so `http://127.0.0.1.evil.com`, `http://127.0.0.1@evil.com` or
/// `https://api.emailsrvr.com/v1?x=://127.` are not loopback. (An IPv4-mapped IPv6 address
/// such as `[::ffff:127.0.0.1]` is not accepted either: the safe side.)
pub fn is_loopback_url(url: &str) -> bool {
    match url::Url::parse(url) {
        Ok(u) => matches!(u.scheme(), "http" | "https") && is_loopback(&u),
        Err(_) => false,
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Reads a body to its end if it is at most `limit` bytes; `Ok(None)` as soon as it is known
/// to be longer — from `Content-Length` before reading anything, or while reading chunk by
/// chunk. Memory used is bounded by `limit` whatever the server sends.
async fn read_capped(resp: &mut reqwest::Response, limit: usize) -> std::result::Result<Option<bytes::Bytes>, reqwest::Error> {
    let announced = resp.content_length();
    if announced.is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let start = announced.map_or(8 * 1024, |n| n as usize).min(limit).min(1024 * 1024);
    let mut buf = bytes::BytesMut::with_capacity(start);
    while let Some(chunk) = resp.chunk().await? {
        if chunk.len() > limit - buf.len() {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(Some(buf.freeze()))
}

/// The HTTP client for `cfg` (whose `api_url` is `url`), and the proxy it goes through: the
/// one construction every connection to the API uses (the signed client, and the unsigned
/// reachability check of diagnostics).
pub(crate) fn http_client(cfg: &ClientConfig, url: &url::Url) -> Result<(reqwest::Client, Option<crate::net::ProxyInUse>)> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(cfg.connect_timeout)
        .timeout(cfg.timeout)
        // Never follow redirects: the signature and body must only go where configured.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(cfg.user_agent.clone());
    if url.scheme() == "https" {
        // Certificates checked against this computer's trust store (crate::net). A plain
        // http client (this computer only) never makes a TLS connection.
        builder = builder.use_preconfigured_tls(crate::net::tls_config());
    }
    // Proxies come from the environment (and the system's settings on Windows and macOS);
    // this computer is always reached directly.
    let proxy = crate::net::proxy_for(url.as_str());
    if is_loopback(url) {
        builder = builder.no_proxy();
    }
    let http = builder.build().map_err(|e| ApiError::Network { phase: SendPhase::NotSent, message: crate::net::chain_text(&e) })?;
    Ok((http, proxy))
}

/// A failed send as a typed error: a timeout, one of the company-network failures
/// ([`crate::net::classify`]), or a general network failure, with the phase it failed in.
pub(crate) fn network_error(e: &reqwest::Error, cfg: &ClientConfig, proxy: Option<&crate::net::ProxyInUse>) -> ApiError {
    // A failed connect means nothing left this computer; anything later may have.
    let phase = if e.is_connect() { SendPhase::NotSent } else { SendPhase::MaybeSent };
    if e.is_timeout() {
        let after = if e.is_connect() { cfg.connect_timeout } else { cfg.timeout };
        return ApiError::Timeout { phase, after, via_proxy: proxy.cloned() };
    }
    // A refused certificate, a proxy that cannot be reached, wants a password or refuses,
    // a name not found: all before the connection was made.
    if e.is_connect() {
        let host = url::Url::parse(&cfg.api_url).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        if let Some(classified) = crate::net::classify(e, &host, proxy) {
            return classified;
        }
    }
    // reqwest puts the URL in its messages; the URL holds no secret.
    ApiError::Network { phase, message: crate::net::chain_text(e) }
}

/// The log target of failed requests: in the log file (diagnostics shows the last ones), not
/// on the CLI's stderr, where the CLI prints the failure itself.
pub const FAILURE_TARGET: &str = "rackdesk_core::failure";

/// A request that failed for good, in the log: its kind, the plain sentence and the details
/// (the server's words or the connection's error; never a key, signature or body).
fn log_failure(req: &Request, err: &ApiError) {
    // A missing object is an everyday answer (checks, read-backs), not a failure to report.
    if err.is_not_found() {
        return;
    }
    tracing::warn!(
        target: FAILURE_TARGET,
        method = %req.method,
        path = %req.path,
        kind = %err.kind(),
        detail = err.detail().as_deref().unwrap_or(""),
        "{}",
        err.user_message()
    );
}

/// Failures worth another attempt (if the request's safety allows it).
fn is_transient(e: &ApiError) -> bool {
    match e {
        ApiError::Network { .. } | ApiError::Timeout { .. } => true,
        ApiError::ServerFault(r) => matches!(r.status, 500 | 502 | 503 | 504),
        _ => false,
    }
}

/// Whether a failed request could have changed something on the server.
fn may_have_happened(e: &ApiError) -> bool {
    match e {
        ApiError::Network { phase, .. } | ApiError::Timeout { phase, .. } => *phase == SendPhase::MaybeSent,
        // A 5xx may come after the work was done (or half done).
        ApiError::ServerFault(_) => true,
        _ => false,
    }
}

pub(crate) fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if body.is_empty() {
            "the answer was empty".to_owned()
        } else if inner.is_syntax() || inner.is_eof() {
            format!("not valid JSON ({inner})")
        } else {
            inner.to_string()
        };
        ApiError::Undecodable { status, path: if path == "." || path.is_empty() { "(root)".into() } else { path }, message }
    })?;
    // Anything after the JSON value (e.g. an HTML error page glued on) is not an answer we know.
    de.end().map_err(|e| ApiError::Undecodable { status, path: "(root)".into(), message: format!("more text after the JSON answer ({e})") })?;
    Ok(value)
}

/// Turns an error answer into a typed error, keeping everything the server said.
pub(crate) fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ApiError {
    let reply = ServerReply {
        status: status.as_u16(),
        error_message: headers
            .get("x-error-message")
            .and_then(|v| v.to_str().ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        fault: parse_fault(body),
        server_date: headers.get(reqwest::header::DATE).and_then(|v| v.to_str().ok()).map(str::to_owned),
    };
    let text = reply.message().unwrap_or("").to_ascii_lowercase();
    match status.as_u16() {
        403 if text.contains("exceeded request limits") => ApiError::Throttled { attempts: 1, reply },
        403 if text.contains("authentication failed") || text.is_empty() => ApiError::AuthFailed(reply),
        401 => ApiError::AuthFailed(reply),
        403 => ApiError::Forbidden(reply),
        404 => ApiError::NotFound(reply),
        409 => ApiError::Conflict(reply),
        400 | 406 | 413 | 417 | 422 => ApiError::Rejected(reply),
        _ => ApiError::ServerFault(reply),
    }
}

/// Reads `{"<kind>Fault": {"message":..,"details":..,"code":..}}`; `None` for anything else.
fn parse_fault(body: &[u8]) -> Option<Fault> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object()?;
    let (kind, inner) = obj.iter().find(|(k, _)| k.ends_with("Fault") || k.ends_with("fault"))?;
    let s = |k: &str| inner.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    Some(Fault {
        kind: kind.clone(),
        message: s("message"),
        details: s("details"),
        code: inner.get("code").and_then(|c| c.as_u64()).and_then(|c| u16::try_from(c).ok()),
        resource_type: s("resourceType"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn hdrs(msg: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(m) = msg {
            h.insert("x-error-message", HeaderValue::from_str(m).unwrap());
        }
        h
    }

    #[test]
    fn classifies_the_documented_answers() {
        let auth = br#"{"unauthorizedFault":{"message":"Authentication failed.","details":"4/11/2014 3:06:57 PM","code":403}}"#;
        let e = classify(StatusCode::FORBIDDEN, &hdrs(None), auth);
        assert!(matches!(e, ApiError::AuthFailed(_)), "{e:?}");
        assert_eq!(e.detail().as_deref(), Some("Authentication failed."));

        let thr = br#"{"unauthorizedFault":{"message":"Exceeded request limits","code":403}}"#;
        assert!(matches!(classify(StatusCode::FORBIDDEN, &hdrs(None), thr), ApiError::Throttled { .. }));
        // Header only, empty body (the 2009 style).
        assert!(matches!(
            classify(StatusCode::FORBIDDEN, &hdrs(Some("Exceeded request limits")), b""),
            ApiError::Throttled { .. }
        ));

        let nf = br#"{"itemNotFoundFault":{"message":"Mailbox not found","resourceType":"Mailbox","code":404}}"#;
        let e = classify(StatusCode::NOT_FOUND, &hdrs(None), nf);
        assert!(e.user_message().contains("mailbox"), "{}", e.user_message());

        let bad = br#"{"badRequestFault":{"message":"Missing required field: password","code":400}}"#;
        let e = classify(StatusCode::BAD_REQUEST, &hdrs(Some("Missing required field: password")), bad);
        assert!(matches!(e, ApiError::Rejected(_)));
        assert_eq!(e.detail().as_deref(), Some("Missing required field: password"));

        let e = classify(StatusCode::SERVICE_UNAVAILABLE, &hdrs(None), b"<html>oops</html>");
        assert!(matches!(e, ApiError::ServerFault(ServerReply { status: 503, fault: None, .. })));

        let e = classify(StatusCode::FORBIDDEN, &hdrs(Some("Reseller only")), b"");
        assert!(matches!(e, ApiError::Forbidden(_)));
    }

    #[test]
    fn text_after_the_json_answer_is_refused() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct A {
            name: String,
        }
        assert!(decode::<A>(200, br#"{"name":"team"}"#).is_ok());
        assert!(decode::<A>(200, b"{\"name\":\"team\"}  \n").is_ok());
        match decode::<A>(200, br#"{"name":"team"}</html>"#).unwrap_err() {
            ApiError::Undecodable { path, message, .. } => assert!(path == "(root)" && message.contains("more text after"), "{message}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_errors_name_the_json_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            items: Vec<U>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct U {
            size: u64,
        }
        let e = decode::<T>(200, br#"{"items":[{"size":1},{"size":"big"}]}"#).unwrap_err();
        match e {
            ApiError::Undecodable { path, .. } => assert_eq!(path, "items[1].size"),
            other => panic!("{other:?}"),
        }
        let e = decode::<T>(200, b"<html>").unwrap_err();
        assert!(matches!(&e, ApiError::Undecodable { message, .. } if message.contains("not valid JSON")), "{e:?}");
    }

    #[test]
    fn credentials_never_show_the_secret() {
        let c = Credentials::new("AbCdEfGhIjKlMnOpQrSt", SecretString::from("0123456789abcdefghijABCDEFGH")).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("0123456789"), "{dbg}");
        assert!(!dbg.contains("AbCdEfGhIjKlMnOpQrSt"), "{dbg}");
        assert!(dbg.contains("AbCd…QrSt"), "{dbg}");
    }

    #[test]
    fn malformed_keys_are_refused_before_sending() {
        assert!(Credentials::new("", SecretString::from("x")).is_err());
        assert!(Credentials::new("ab:cd", SecretString::from("x")).is_err());
        assert!(Credentials::new("abcd", SecretString::from("")).is_err());
        assert!(Credentials::new("abcd", SecretString::from("has space")).is_err());
        // Surrounding whitespace from a paste is trimmed.
        let c = Credentials::new(" abcd\n", SecretString::from(" secret\n")).unwrap();
        assert_eq!(c.user_key(), "abcd");
        assert_eq!(c.secret().expose_secret(), "secret");
    }

    #[test]
    fn the_api_address_must_be_https_unless_local() {
        let creds = Credentials::new("k", SecretString::from("s")).unwrap();
        let mk = |u: &str| Client::new(ClientConfig::new(u), creds.clone());
        assert!(mk("https://api.emailsrvr.com/v1").is_ok());
        assert!(mk("http://127.0.0.1:8808/v1/").is_ok());
        assert!(mk("http://localhost:1/v1").is_ok());
        assert!(mk("http://api.emailsrvr.com/v1").is_err());
        assert!(mk("ftp://x/v1").is_err());
        assert!(mk("not a url").is_err());
    }

    #[test]
    fn loopback_is_decided_from_the_parsed_host() {
        for yes in [
            "http://127.0.0.1:8808/v1",
            "http://127.0.0.1",
            "https://127.0.0.1/v1",
            "http://127.1.2.3:9/v1",
            "http://[::1]:8808/v1",
            "http://localhost:8808/v1",
            "http://LOCALHOST/v1",
            "http://user:pw@127.0.0.1/v1",
        ] {
            assert!(is_loopback_url(yes), "{yes} is this computer");
        }
        for no in [
            // Look-alike hosts.
            "http://127.0.0.1.evil.com/v1",
            "http://localhost.evil.com/v1",
            "http://evil-localhost/v1",
            "http://localhost./v1",
            "http://127.0.0.1.nip.io/v1",
            // The loopback text somewhere other than the host.
            "https://api.emailsrvr.com/v1?x=://127.",
            "https://api.emailsrvr.com/v1?u=http://127.0.0.1",
            "https://api.emailsrvr.com/127.0.0.1/v1",
            "https://api.emailsrvr.com/v1#localhost",
            "http://127.0.0.1@evil.com/v1",
            "http://localhost:8808@evil.com/v1",
            "http://localhost%40evil.com/v1",
            // Other addresses of this or nearby machines, and the real service.
            "http://0.0.0.0:8808/v1",
            "http://10.0.0.1/v1",
            "http://128.0.0.1/v1",
            "http://[::ffff:127.0.0.1]/v1",
            "http://[::2]/v1",
            "https://api.emailsrvr.com/v1",
            // Not http(s), or not an address at all.
            "ftp://127.0.0.1/v1",
            "file:///127.0.0.1",
            "127.0.0.1:8808/v1",
            "localhost:8808",
            "",
            "not a url",
        ] {
            assert!(!is_loopback_url(no), "{no} is not this computer");
        }
    }

    #[test]
    fn the_test_minute_applies_only_to_loopback() {
        let mut cfg = ClientConfig::new("http://127.0.0.1:8808/v1");
        assert!(cfg.apply_test_minute(Some(1000)));
        assert_eq!(cfg.scheduler.limits(), Limits::with_window(Duration::from_millis(1000)));
        assert_eq!(cfg.retry.backoff, Duration::from_millis(50));
        // A very short minute still waits at least 10 ms between retries.
        let mut cfg = ClientConfig::new("http://localhost:1/v1");
        assert!(cfg.apply_test_minute(Some(60)));
        assert_eq!(cfg.scheduler.limits().window, Duration::from_millis(60));
        assert_eq!(cfg.retry.backoff, Duration::from_millis(10));

        for url in ["https://api.emailsrvr.com/v1", "http://127.0.0.1.evil.com/v1", "http://127.0.0.1@evil.com/v1"] {
            let mut cfg = ClientConfig::new(url);
            assert!(!cfg.apply_test_minute(Some(1000)), "{url}");
            assert_eq!(cfg.scheduler.limits(), Limits::PUBLISHED, "{url}");
            assert_eq!(cfg.retry, RetryPolicy::default(), "{url}");
        }
        // Nothing, or zero, changes nothing.
        let mut cfg = ClientConfig::new("http://127.0.0.1:8808/v1");
        assert!(!cfg.apply_test_minute(None));
        assert!(!cfg.apply_test_minute(Some(0)));
        assert_eq!(cfg.scheduler.limits(), Limits::PUBLISHED);
    }

    #[test]
    fn the_test_minute_is_read_from_the_environment() {
        // The only test of this crate that touches this variable.
        std::env::set_var(TEST_MINUTE_ENV, "400");
        let local = ClientConfig::new("http://127.0.0.1:8808/v1").with_test_minute_from_env();
        let remote = ClientConfig::new("https://api.emailsrvr.com/v1").with_test_minute_from_env();
        std::env::set_var(TEST_MINUTE_ENV, "soon");
        let garbage = ClientConfig::new("http://127.0.0.1:8808/v1").with_test_minute_from_env();
        std::env::remove_var(TEST_MINUTE_ENV);
        let unset = ClientConfig::new("http://127.0.0.1:8808/v1").with_test_minute_from_env();
        assert_eq!(local.scheduler.limits().window, Duration::from_millis(400));
        assert_eq!(local.retry.backoff, Duration::from_millis(20));
        assert_eq!(remote.scheduler.limits(), Limits::PUBLISHED);
        assert_eq!(garbage.scheduler.limits(), Limits::PUBLISHED);
        assert_eq!(unset.scheduler.limits(), Limits::PUBLISHED);
    }

    #[test]
    fn the_signature_is_sensitive_and_never_in_debug_output() {
        let creds = Credentials::new("AbCdEfGhIjKlMnOpQrSt", SecretString::from("0123456789abcdefghijABCDEFGH")).unwrap();
        let client = Client::new(ClientConfig::new("https://api.emailsrvr.com/v1"), creds).unwrap();
        let req = Request {
            method: Method::GET,
            path: "customers/me".into(),
            query: vec![],
            form: None,
            category: Category::Read,
            safety: Safety::Read,
        };
        let built = client.signed_request(&req).unwrap();
        let sig = built.headers().get("x-api-signature").expect("signed");
        assert!(sig.is_sensitive());
        let value = sig.to_str().unwrap().to_owned();
        assert!(value.starts_with("AbCdEfGhIjKlMnOpQrSt:"), "the header is still sent as signed");
        let hash = value.rsplit(':').next().unwrap();
        assert_eq!(hash.len(), 28);
        for dbg in [format!("{built:?}"), format!("{:?}", built.headers()), format!("{sig:?}")] {
            assert!(!dbg.contains(hash), "{dbg}");
            assert!(!dbg.contains(&value), "{dbg}");
        }
        assert!(format!("{:?}", built.headers()).contains("Sensitive"));
    }

    #[test]
    fn form_debug_shows_names_only() {
        let mut f = Form::new();
        f.text("size", "2048").secret("password", &SecretString::from("Hunter2!x".to_owned()));
        assert_eq!(format!("{f:?}"), r#"["size", "password"]"#);
        assert_eq!(f.encode(), "size=2048&password=Hunter2%21x");
    }
}
