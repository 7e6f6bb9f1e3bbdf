//! `signature`: any string → the `X-Api-Signature` header and timestamp parsing, both in the
//! core (`sign::split_header`, `sign::parse_timestamp`, the timestamp formatting round trip)
//! and in the simulator, which is private there and so is reached through its public axum
//! router (`tower::ServiceExt::oneshot`, no socket).
//!
//! Input layout: byte 0 picks the mode, the rest is the text:
//! 0. a header value for `split_header` and a timestamp for `parse_timestamp` (core only);
//! 1. a timestamp, correctly signed, sent to the simulator: accepted exactly when it is one;
//! 2. a whole header value sent to the simulator: accepted exactly when it is right;
//! 3. eight bytes of seconds since 1970 → `timestamp` → `parse_timestamp` round trip;
//! 4. a User-Agent, correctly signed: accepted exactly when it is a usable header.

use crate::Target;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode};
use rackdesk_core::sign;
use rackdesk_sim::{Sim, SimConfig, SimLimits};
use std::cell::RefCell;
use std::sync::Arc;
use tower::ServiceExt;

pub const TARGET: Target = Target {
    name: "signature",
    about: "X-Api-Signature and timestamps: core parsing, formatting round trip, the simulator's check",
    run,
    seeds,
    dictionary: DICTIONARY,
};

const USER_KEY: &str = "fuzzUserKey0123456789";
const SECRET: &str = "fuzzSecretKeyAbcdefghijklmnopqrstuv";
const UA: &str = "Rackdesk/0.1.0";

const DICTIONARY: &[&[u8]] = &[
    b":", b"::", b"=", b"+", b"/", b" ", b"\t", b"20010308143725", b"99991231235959", b"00000000000000", b"20240229120000",
    b"20230229120000", b"20241301000000", b"20240101246060", b"fuzzUserKey0123456789", b"\xd9\xa0", b"\xef\xbc\x91",
    b"46VIwd66mOFGG8IkbgnLlXnfnkU=",
];

pub fn seeds() -> Vec<Vec<u8>> {
    let ts = "20240615103000";
    let good = sign::signature_header(USER_KEY, UA, ts, SECRET);
    let mut out: Vec<Vec<u8>> = vec![];
    let mut add = |mode: u8, s: &[u8]| {
        let mut v = vec![mode];
        v.extend_from_slice(s);
        out.push(v);
    };
    add(0, good.as_bytes());
    add(0, b"eGbq9/2hcZsRlr1JV1Pi:20010308143725:46VIwd66mOFGG8IkbgnLlXnfnkU=");
    add(0, b"  key:20010308143725:hash \n");
    add(0, b"key::hash");
    add(1, ts.as_bytes());
    add(1, b"20240229235959");
    add(1, b"2024061510300");
    add(2, good.as_bytes());
    add(2, format!("{USER_KEY}:{ts}:wrong=").as_bytes());
    add(3, &1_718_447_400i64.to_be_bytes());
    add(3, &(-62_167_219_200i64).to_be_bytes());
    add(4, UA.as_bytes());
    add(4, b"Mozilla/5.0 (X11; Linux x86_64)");
    out
}

struct World {
    rt: tokio::runtime::Runtime,
    sim: Arc<Sim>,
    router: axum::Router,
    calls: u32,
}

thread_local! {
    static WORLD: RefCell<Option<World>> = const { RefCell::new(None) };
}

fn world() -> World {
    let cfg = SimConfig { freshness: None, ..SimConfig::new(USER_KEY, SECRET) };
    let sim = Sim::new(cfg);
    // Never throttle: every request is judged on its signature alone.
    sim.set_limits(SimLimits { reads: usize::MAX, writes: usize::MAX, domain_writes: usize::MAX });
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a tokio runtime");
    World { rt, router: rackdesk_sim::router(sim.clone()), sim, calls: 0 }
}

/// Sends GET /v1/customers/me with these headers; `None` when a header cannot be built.
fn send(user_agent: &[u8], signature: &[u8]) -> Option<StatusCode> {
    let ua = HeaderValue::from_bytes(user_agent).ok()?;
    let sig = HeaderValue::from_bytes(signature).ok()?;
    let req = Request::builder()
        .method("GET")
        .uri("/v1/customers/me")
        .header("accept", "application/json")
        .header("user-agent", ua)
        .header("x-api-signature", sig)
        .body(Body::empty())
        .ok()?;
    WORLD.with(|w| {
        let mut w = w.borrow_mut();
        let w = w.get_or_insert_with(world);
        w.calls += 1;
        if w.calls % 4096 == 0 {
            // The simulator logs every request; keep the log small.
            w.sim.clear_requests();
        }
        let resp = w.rt.block_on(w.router.clone().oneshot(req)).unwrap_or_else(|e| match e {});
        Some(resp.status())
    })
}

fn accepted(status: StatusCode) -> bool {
    // 403 is the only answer to a bad signature; anything else means it was accepted.
    status != StatusCode::FORBIDDEN
}

/// Visible ASCII, space and tab: what `HeaderValue::to_str` accepts.
fn plain_header(s: &[u8]) -> bool {
    s.iter().all(|b| *b == b'\t' || (0x20..0x7f).contains(b))
}

fn core_checks(s: &str) -> u64 {
    let split = sign::split_header(s);
    if let Some((k, ts, h)) = split {
        assert!(!k.is_empty() && !ts.is_empty() && !h.is_empty());
        assert!(!ts.contains(':') && !h.contains(':'), "split at the wrong colon: {s:?}");
        assert_eq!(format!("{k}:{ts}:{h}"), s.trim(), "the parts do not make up the header");
    }
    let ts = sign::parse_timestamp(s);
    if let Some(t) = ts {
        assert_eq!(sign::timestamp(t), s, "a parsed timestamp does not format back the same");
    }
    crate::fingerprint((split.is_some(), ts.is_some()))
}

pub fn run(data: &[u8]) -> u64 {
    let (mode, rest) = match data {
        [m, rest @ ..] => (m % 5, rest),
        [] => (0, &[][..]),
    };
    let text = String::from_utf8_lossy(rest);
    let s = text.as_ref();
    match mode {
        0 => core_checks(s),
        1 => {
            let header = sign::signature_header(USER_KEY, UA, s, SECRET);
            let Some(status) = send(UA.as_bytes(), header.as_bytes()) else { return 10 };
            let valid = sign::parse_timestamp(s).is_some();
            assert_eq!(accepted(status), valid, "timestamp {s:?}: answered {status}");
            crate::fingerprint((1, valid))
        }
        2 => {
            let Some(status) = send(UA.as_bytes(), rest) else { return 20 };
            let right = plain_header(rest)
                && sign::split_header(s).is_some_and(|(k, ts, h)| {
                    k == USER_KEY && sign::parse_timestamp(ts).is_some() && h.trim() == sign::signature_hash(k, UA, ts, SECRET)
                });
            assert_eq!(accepted(status), right, "header {s:?}: answered {status}");
            crate::fingerprint((2, right, core_checks(s)))
        }
        3 => {
            let mut b = [0u8; 8];
            let n = rest.len().min(8);
            b[..n].copy_from_slice(&rest[..n]);
            let secs = i64::from_be_bytes(b) % 400_000_000_000;
            let Some(t) = chrono::DateTime::from_timestamp(secs, 0) else { return 30 };
            let ts = sign::timestamp(t);
            let in_range = (0..=9999).contains(&chrono::Datelike::year(&t));
            if in_range {
                assert_eq!(ts.len(), 14, "{t} formats as {ts:?}");
                assert_eq!(sign::parse_timestamp(&ts), Some(t), "{t} does not round-trip through {ts:?}");
            } else {
                assert_eq!(sign::parse_timestamp(&ts), None, "{t} outside 0..=9999 parsed back from {ts:?}");
            }
            crate::fingerprint((3, in_range))
        }
        _ => {
            let ts = "20240615103000";
            let header = sign::signature_header(USER_KEY, s, ts, SECRET);
            let Some(status) = send(rest, header.as_bytes()) else { return 40 };
            let usable = !rest.is_empty() && plain_header(rest) && text.as_bytes() == rest;
            assert_eq!(accepted(status), usable, "user agent {s:?}: answered {status}");
            crate::fingerprint((4, usable))
        }
    }
}
