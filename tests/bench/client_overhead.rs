//! Benchmark (not a test): prints figures, asserts nothing about time.
//!
//! 1. Signing cost alone.
//! 2. Sign + send overhead per request against the local simulator (limits lifted).
//! 3. Achieved write rate against the published limit under a fast "minute", and the number
//!    of throttled answers (the target: at least 95% of 30 writes per window, zero throttled).
//!
//! Run: `cargo bench --bench client_overhead` (optionally `-- --window-ms 1000 --windows 10`).

use rackdesk_core::api::MailboxChanges;
use rackdesk_core::limits::{Limits, Scheduler};
use rackdesk_core::{Client, ClientConfig, Credentials, RetryPolicy};
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use secrecy::SecretString;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const UK: &str = "BenchUserKey00000001";
const SK: &str = "BenchSecretKey-0123456789abcdefghij";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn client(url: &str, limits: Limits) -> Client {
    let mut cfg = ClientConfig::new(url);
    cfg.scheduler = Scheduler::new(limits);
    cfg.retry = RetryPolicy { backoff: Duration::from_millis(20), ..RetryPolicy::default() };
    Client::new(cfg, Credentials::new(UK, SecretString::from(SK)).expect("keys")).expect("client")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // 1. Signing alone.
    let n = 200_000;
    let t = Instant::now();
    let mut sink = 0usize;
    for i in 0..n {
        let ts = format!("2024013123{:04}", i % 6000);
        sink += rackdesk_core::sign::signature_header(UK, "Rackdesk/0.1.0", &ts, SK).len();
    }
    let per = t.elapsed() / n;
    println!("signing: {:.2} µs per signature ({n} signatures, checksum {sink})", per.as_nanos() as f64 / 1000.0);

    // 2. Sign + send overhead, limits lifted on both sides.
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = DataSet::Demo;
    cfg.limits = SimLimits { reads: usize::MAX / 2, writes: usize::MAX / 2, domain_writes: usize::MAX / 2 };
    let sim = Simulator::start_local(cfg).await.expect("simulator");
    let fast = client(sim.api_url(), Limits { reads: u32::MAX, writes: u32::MAX, domain_writes: u32::MAX, window: Duration::from_secs(60) });
    let name = sim.sim().with_store(|s| s.domains["northwind.example"].mailboxes.keys().next().cloned()).expect("a mailbox");
    for _ in 0..50 {
        fast.mailbox("northwind.example", &name).await.expect("warm-up");
    }
    let reqs = arg("--requests", 2000) as usize;
    let mut times = Vec::with_capacity(reqs);
    let start = Instant::now();
    for _ in 0..reqs {
        let t = Instant::now();
        fast.mailbox("northwind.example", &name).await.expect("show");
        times.push(t.elapsed());
    }
    let total = start.elapsed();
    times.sort();
    println!(
        "sign+send (GET mailbox, loopback simulator, sequential): mean {:.0} µs, p50 {:.0} µs, p99 {:.0} µs over {reqs} requests ({:.0} requests/s)",
        (total / reqs as u32).as_micros(),
        percentile(&times, 0.5).as_micros(),
        percentile(&times, 0.99).as_micros(),
        reqs as f64 / total.as_secs_f64()
    );
    drop(sim);

    // 3. Write rate at the published limit (30 writes per window) under a fast "minute".
    let window = Duration::from_millis(arg("--window-ms", 1000));
    let windows = arg("--windows", 10) as usize;
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = DataSet::Demo;
    cfg.minute = window;
    let sim = Simulator::start_local(cfg).await.expect("simulator");
    let c = client(sim.api_url(), Limits::with_window(window));
    let names: Vec<String> = sim.sim().with_store(|s| s.domains["northwind.example"].mailboxes.keys().take(40).cloned().collect());
    let total_writes = 30 * windows;
    let finishes = Arc::new(Mutex::new(Vec::with_capacity(total_writes)));
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (c, names, finishes, next) = (c.clone(), names.clone(), finishes.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= total_writes {
                    return;
                }
                let ch = MailboxChanges { display_name: Some(format!("Bench {i}")), ..Default::default() };
                c.edit_mailbox("northwind.example", &names[i % names.len()], &ch).await.expect("edit");
                finishes.lock().unwrap().push(Instant::now());
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let elapsed = t0.elapsed();
    let log = sim.sim().requests();
    let throttled = log.iter().filter(|r| r.throttled).count();
    let writes_logged = log.iter().filter(|r| r.method == "PUT").count();
    let mut finished: Vec<Instant> = finishes.lock().unwrap().clone();
    finished.sort();
    // Steady state: leave out the first window's burst, which any limit allows at once.
    let steady_n = total_writes - 30;
    let steady_t = finished[total_writes - 1].duration_since(finished[29]);
    let per_window = steady_n as f64 / (steady_t.as_secs_f64() / window.as_secs_f64());
    println!(
        "write rate: {total_writes} writes in {:.2} s with a {} ms \"minute\": steady state {:.2} writes per window = {:.1}% of the published 30; server saw {writes_logged} writes, {throttled} throttled",
        elapsed.as_secs_f64(),
        window.as_millis(),
        per_window,
        per_window / 30.0 * 100.0
    );
}
