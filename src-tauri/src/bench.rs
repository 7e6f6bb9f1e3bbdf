//! The benchmark probe (`tests/bench/webview.sh`, issue #14). Off unless the app is started
//! with `RACKDESK_BENCH=1`; then a script injected before the page's own code sets
//! `window.__RACKDESK_BENCH__`, the page reports its milestones (first interactive list, "find
//! a person" keystroke latencies; `ui/src/bench.ts`) as `rackdesk-bench` events, and this
//! prints each one to stdout as one line:
//!
//! `RACKDESK_BENCH {"sinceLaunchMs":…,"sinceMainMs":…,"page":{…}}`
//!
//! - `sinceLaunchMs`: wall-clock time since `RACKDESK_BENCH_T0_NS` (nanoseconds since the Unix
//!   epoch, taken by the launching script just before it executes the app), so it includes
//!   the exec and the dynamic linking; null when that variable is not set.
//! - `sinceMainMs`: since the first line of `run()` (the first thing `main` does).
//!
//! Both are taken when the report reaches the Rust side, i.e. including its trip over IPC.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tauri::{plugin::TauriPlugin, Listener, Runtime};

static START: OnceLock<Instant> = OnceLock::new();

/// Notes the time the program started; called first thing in `run()`.
pub fn mark_start() {
    START.get_or_init(Instant::now);
}

/// Whether the probe is on (`RACKDESK_BENCH` set, not empty or `0`).
pub fn enabled() -> bool {
    std::env::var("RACKDESK_BENCH").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The probe as a plugin: the page is told it is on, and its reports are printed.
pub fn plugin<R: Runtime>() -> TauriPlugin<R> {
    tauri::plugin::Builder::new("rackdesk-bench")
        .js_init_script("window.__RACKDESK_BENCH__ = true;")
        .setup(|app, _| {
            app.listen_any("rackdesk-bench", |e| {
                let since_main = START.get().map(|s| s.elapsed().as_secs_f64() * 1000.0);
                let since_launch = std::env::var("RACKDESK_BENCH_T0_NS").ok().and_then(|v| v.trim().parse::<u128>().ok()).and_then(|t0| {
                    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_nanos();
                    Some(now.checked_sub(t0)? as f64 / 1e6)
                });
                let num = |v: Option<f64>| v.map_or("null".to_string(), |v| format!("{v:.1}"));
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "RACKDESK_BENCH {{\"sinceLaunchMs\":{},\"sinceMainMs\":{},\"page\":{}}}", num(since_launch), num(since_main), e.payload());
                let _ = out.flush();
            });
            Ok(())
        })
        .build()
}

/// Prints a milestone of the Rust side (`RACKDESK_BENCH_MARK {"mark":…,"sinceMainMs":…}`) when
/// the probe is on: where start-up time goes before the page runs.
pub fn mark(name: &str) {
    if !enabled() {
        return;
    }
    let since_main = START.get().map_or(0.0, |s| s.elapsed().as_secs_f64() * 1000.0);
    let epoch_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "RACKDESK_BENCH_MARK {{\"mark\":\"{name}\",\"sinceMainMs\":{since_main:.1},\"epochMs\":{epoch_ms:.1}}}");
    let _ = out.flush();
}
