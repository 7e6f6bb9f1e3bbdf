//! Benchmark (not a test): prints figures, asserts nothing about time.
//!
//! The local index against a large simulated account (`--mailboxes N`, default 50,000):
//! 1. the full first refresh: reads made against the floor (⌈n/250⌉ per domain and kind), and
//!    wall time against what the published read limit allows (over a shortened "minute");
//! 2. a person's read while the refresh runs: how long it waited;
//! 3. "find a person": time per search over the whole index (p50, p95, max) for typed prefixes;
//! 4. the index file's size.
//!
//! Run: `cargo bench --bench index` (optionally `-- --mailboxes 100000 --window-ms 1000`).

use rackdesk_core::index::Index;
use rackdesk_core::limits::{Limits, Scheduler};
use rackdesk_core::{Client, ClientConfig, Credentials};
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use secrecy::SecretString;
use std::time::{Duration, Instant};

const UK: &str = "BenchUserKey00000001";
const SK: &str = "BenchSecretKey-0123456789abcdefghij";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = arg("--mailboxes", 50_000) as u32;
    let window = Duration::from_millis(arg("--window-ms", 1000));
    let limits = Limits::with_window(window);
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = DataSet::Large(n);
    cfg.minute = window;
    cfg.limits = SimLimits { reads: limits.reads as usize, writes: limits.writes as usize, ..SimLimits::default() };
    let t = Instant::now();
    let sim = Simulator::start_local(cfg).await.expect("simulator");
    println!("simulator with {n} mailboxes started in {:.2} s", t.elapsed().as_secs_f64());
    let floor: u64 = sim.sim().with_store(|s| {
        let mut f = s.domains.len().div_ceil(250).max(1) as u64;
        for d in s.domains.values() {
            if d.service_type != "exchange" {
                f += (d.mailboxes.len().div_ceil(250).max(1) + d.aliases.len().div_ceil(250).max(1)) as u64;
            }
            if d.service_type != "rsemail" {
                f += (d.ex_mailboxes.len().div_ceil(250).max(1) + d.contacts.len().div_ceil(250).max(1) + d.dist_lists.len().div_ceil(200).max(1)) as u64;
            }
        }
        f
    });
    let mut ccfg = ClientConfig::new(sim.api_url());
    ccfg.scheduler = Scheduler::new(limits);
    let client = Client::new(ccfg, Credentials::new(UK, SecretString::from(SK)).expect("keys")).expect("client");
    let dir = tempfile::tempdir().expect("temp dir");
    let (ix, _) = Index::open(&dir.path().join("bench.sqlite3")).expect("index");

    // 1 and 2: the full refresh, with a person's read in the middle of it.
    let before = sim.sim().requests().iter().filter(|r| r.method == "GET").count();
    let t = Instant::now();
    let person = {
        let client = client.clone();
        tokio::spawn(async move {
            tokio::time::sleep(window * 2 + window / 3).await;
            let asked = Instant::now();
            let _ = client.domains_page(10, 0).await;
            asked.elapsed()
        })
    };
    let report = ix.refresh(&client, &|_| {}).await.expect("refresh");
    let took = t.elapsed();
    let waited = person.await.expect("person's read");
    let reads = sim.sim().requests().iter().filter(|r| r.method == "GET").count() - before;
    let throttled = sim.sim().requests().iter().filter(|r| r.status == 403).count();
    // What the published limit allows: `reads` requests at `limits.reads` per window.
    let allowed = window.as_secs_f64() * ((reads as f64 - 1.0) / limits.reads as f64).floor();
    println!(
        "first index: {} objects, {} reads by the refresh (floor ⌈n/250⌉ per domain and kind: {floor}), {reads} reads seen by the server (incl. the person's 1), {throttled} throttled",
        report.items, report.reads
    );
    println!(
        "  wall time {:.2} s over a {} ms \"minute\"; the published limit allows it in {:.2} s: {:.1}% of the ideal ({:.1} minutes at the real limit)",
        took.as_secs_f64(),
        window.as_millis(),
        allowed,
        if allowed > 0.0 { took.as_secs_f64() / allowed * 100.0 } else { 0.0 },
        took.as_secs_f64() / window.as_secs_f64()
    );
    println!("a person's read during the refresh waited {:.1} ms", waited.as_secs_f64() * 1000.0);
    // At the real one-minute window the time is the windows waited plus the work on the pages
    // of the last window (reading, parsing and writing a page, measured here).
    let per_read = took.as_secs_f64() / reads.max(1) as f64;
    let usable = (limits.reads - rackdesk_core::limits::FOREGROUND_RESERVE) as f64;
    let windows = ((reads as f64 - 1.0) / usable).floor();
    let last = reads as f64 - windows * usable;
    let projected = windows * 60.0 + last * per_read.min(took.as_secs_f64());
    let ideal = 60.0 * ((reads as f64 - 1.0) / limits.reads as f64).floor();
    println!(
        "  at the published limit (60 reads a minute): about {projected:.0} s, against {ideal:.0} s the limit allows ({:.1}%); {:.1} ms of work per page read",
        if ideal > 0.0 { projected / ideal * 100.0 } else { 100.0 },
        per_read * 1000.0
    );

    // 3: searching.
    let names: Vec<String> = sim.sim().with_store(|s| s.domains.values().flat_map(|d| d.mailboxes.values().map(|m| m.display_name.clone())).take(2000).collect());
    let mut times = Vec::new();
    let mut found = 0usize;
    for (i, name) in names.iter().enumerate() {
        // What a person has typed after 1 to 8 keystrokes.
        let typed: String = name.chars().take(1 + i % 8).collect();
        let t = Instant::now();
        found += ix.find(&typed, 20).expect("find").len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "find over {} entries: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms per keystroke ({} searches, {found} results)",
        report.items,
        percentile(&times, 0.5).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        times.len()
    );
    let size: u64 = std::fs::read_dir(dir.path()).expect("dir").flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum();
    println!("index files: {:.1} MB for {} objects", size as f64 / 1_048_576.0, report.items);
}
