//! A bare Tauri app for tests/bench/webview.sh: one window showing one static page, which
//! reports when it is shown; the report is printed the same way as Rackdesk's benchmark probe
//! (src-tauri/src/bench.rs), so the two are measured alike.

use std::sync::OnceLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tauri::Listener;

static START: OnceLock<Instant> = OnceLock::new();

fn main() {
    START.get_or_init(Instant::now);
    tauri::Builder::default()
        .setup(|app| {
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
        .run(tauri::generate_context!())
        .expect("the bare app could not start");
}
