//! Journal benchmark: the cost of appending an entry (intent + outcome, each its own durable
//! transaction), and the time to open, filter, export and verify a 100,000-entry journal.
//!
//! `cargo bench -p rackdesk-core --bench journal`. Prints figures; asserts nothing.
//! `JOURNAL_BENCH_ENTRIES` changes the journal size (default 100000).

use chrono::{Duration as TimeDelta, Utc};
use rackdesk_core::journal::{Filter, Intent, Journal, Outcome};
use serde_json::json;
use std::time::{Duration, Instant};

const APPEND_SAMPLE: usize = 20_000;
const MAILBOXES: usize = 5_000;
const OPERATORS: [&str; 8] = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
const ACTIONS: [&str; 6] =
    ["mailbox.set", "mailbox.set", "mailbox.create", "mailbox.reset-password", "alias.set", "mailbox.delete"];

fn target(n: usize) -> String {
    let m = (n.wrapping_mul(7919)) % MAILBOXES;
    format!("user{m}@domain{}.example.com", m % 40)
}

fn intent(n: usize) -> Intent {
    Intent {
        operator: OPERATORS[n % OPERATORS.len()].into(),
        os_user: OPERATORS[n % OPERATORS.len()].into(),
        role: if matches!(n % 3, 0) { "help-desk" } else { "super-admin" }.into(),
        machine: format!("desk-{}", n % 5),
        identity_label: "Main account".into(),
        account: "1234567".into(),
        api_admin: Some("api-admin@example.com".into()),
        sandbox: false,
        action: ACTIONS[n % ACTIONS.len()].into(),
        target: target(n),
        changes: json!({"enabled": {"old": true, "new": false}, "size": {"old": 10240, "new": 25600}}),
        correlation_id: if n % 10 < 3 { Some(format!("bulk-{}", n / 1000)) } else { None },
    }
}

fn outcome(n: usize) -> Option<Outcome> {
    Some(match n % 100 {
        0..=89 => Outcome::Success,
        90..=94 => Outcome::Failed {
            kind: "rejected".into(),
            message: "Rackspace refused the request because something in it is not valid; see the details.".into(),
            server_message: Some("Size must be between 1 and 102400".into()),
        },
        95..=96 => Outcome::Refused { reason: "The help desk may not delete mailboxes.".into() },
        97 => Outcome::Unknown { note: "The connection broke while the change was being sent.".into() },
        98 => Outcome::Reconciled { result: "applied".into() },
        _ => return None, // pending
    })
}

fn append(j: &Journal, n: usize) {
    let id = j.begin(&intent(n)).unwrap();
    if let Some(o) = outcome(n) {
        j.finish(id, &o).unwrap();
    }
}

/// Runs `f` several times; returns (min, median) and the last result.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        last = Some(f());
        times.push(t.elapsed());
    }
    times.sort();
    (times[0], times[runs / 2], last.unwrap())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn report(name: &str, runs: usize, f: impl FnMut() -> usize) {
    let (min, median, n) = time(runs, f);
    println!("  {name:<58} {:>10} median {:>10} min  ({n} results)", ms(median), ms(min));
}

fn main() {
    let total: usize = std::env::var("JOURNAL_BENCH_ENTRIES").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    println!("Rackdesk journal benchmark ({total} entries, file {})", path.display());

    // Append cost: begin + finish, each a durable BEGIN IMMEDIATE transaction (synchronous=FULL).
    let j = Journal::open(&path).unwrap();
    let sample = APPEND_SAMPLE.min(total);
    let t = Instant::now();
    for n in 0..sample {
        append(&j, n);
    }
    let el = t.elapsed();
    println!(
        "append: {sample} entries in {:.2} s = {:.1} µs per entry (intent + outcome, 2 durable commits; {:.1} µs per row)",
        el.as_secs_f64(),
        el.as_secs_f64() * 1e6 / sample as f64,
        el.as_secs_f64() * 1e6 / (sample as f64 * 1.99)
    );
    let t = Instant::now();
    let mut marks = [Utc::now(), Utc::now()];
    for n in sample..total {
        if n == total / 4 {
            marks[0] = Utc::now();
        }
        append(&j, n);
        if n == total / 4 + 1000 {
            marks[1] = Utc::now();
        }
    }
    if total > sample {
        println!(
            "fill:   {} more entries in {:.2} s = {:.1} µs per entry",
            total - sample,
            t.elapsed().as_secs_f64(),
            t.elapsed().as_secs_f64() * 1e6 / (total - sample) as f64
        );
    }
    drop(j);

    let size = |suffix: &str| std::fs::metadata(format!("{}{suffix}", path.display())).map(|m| m.len()).unwrap_or(0);
    println!(
        "file:   {:.1} MB database + {:.1} MB write-ahead log ({:.0} bytes per entry)",
        size("") as f64 / 1e6,
        size("-wal") as f64 / 1e6,
        (size("") + size("-wal")) as f64 / total as f64
    );

    // Open (the first open after the last writer closed; the file is in the OS cache).
    let (min, median, j) = time(5, || Journal::open(&path).unwrap());
    println!("open:   {} median, {} min", ms(median), ms(min));

    let probe = target(4242);
    let needle = probe.split('@').next().unwrap().to_string() + "@";
    println!("filters on {total} entries (each run 7 times; target < 100 ms):");
    let q = |f: Filter| j.query(&f).unwrap().len();
    report(&format!("target contains \"{needle}\", limit 200"), 7, || {
        q(Filter { target: Some(needle.clone()), limit: Some(200), ..Default::default() })
    });
    report("target contains \"nobody\" (no match: full scan), limit 200", 7, || {
        q(Filter { target: Some("nobody".into()), limit: Some(200), ..Default::default() })
    });
    report("outcome = failed, limit 200", 7, || {
        q(Filter { outcome: Some("failed".into()), limit: Some(200), ..Default::default() })
    });
    report("outcome = unknown, limit 200", 7, || {
        q(Filter { outcome: Some("unknown".into()), limit: Some(200), ..Default::default() })
    });
    report("outcome = pending, no limit", 7, || q(Filter { outcome: Some("pending".into()), ..Default::default() }));
    report("operator = carol, limit 200", 7, || {
        q(Filter { operator: Some("carol".into()), limit: Some(200), ..Default::default() })
    });
    report("action = mailbox.delete + outcome = refused, limit 200", 7, || {
        q(Filter {
            action: Some("mailbox.delete".into()),
            outcome: Some("refused".into()),
            limit: Some(200),
            ..Default::default()
        })
    });
    let now = Utc::now();
    report("since 1 hour ago, until now, limit 200", 7, || {
        q(Filter { since: Some(now - TimeDelta::hours(1)), until: Some(now), limit: Some(200), ..Default::default() })
    });
    report("an old 1,000-entry time range, limit 200", 7, || {
        q(Filter { since: Some(marks[0]), until: Some(marks[1]), limit: Some(200), ..Default::default() })
    });
    report("an old 1,000-entry time range, no limit", 7, || {
        q(Filter { since: Some(marks[0]), until: Some(marks[1]), ..Default::default() })
    });
    report("correlation id = bulk-42", 7, || q(Filter { correlation_id: Some("bulk-42".into()), ..Default::default() }));
    report("no filter, limit 200 (the journal view's first page)", 7, || {
        q(Filter { limit: Some(200), ..Default::default() })
    });
    report(&format!("history of {probe} (exact target)"), 7, || j.history(&probe, None).unwrap().len());
    report("count, outcome = failed", 7, || {
        j.count(&Filter { outcome: Some("failed".into()), ..Default::default() }).unwrap() as usize
    });
    report("unfinished()", 3, || j.unfinished().unwrap().len());
    println!("whole journal:");
    report("export CSV, everything", 3, || j.export_csv(&Filter::default(), std::io::sink()).unwrap());
    report("query, everything", 3, || q(Filter::default()));
    let (min, median, r) = time(3, || j.verify().unwrap());
    println!(
        "  {:<58} {:>10} median {:>10} min  ({} rows, {} problems)",
        "verify",
        ms(median),
        ms(min),
        r.rows,
        r.problems.len()
    );
}
