//! The team journal's shipping, measured against a real PostgreSQL server (the test's, see
//! `tests/pg`: TLS with a test CA, started in a temporary folder).
//!
//! Three computers — three journals, each with its own shipper, in this process — and:
//! 1. **Throughput**: each journal holds a backlog (as after a day offline); the three
//!    shippers start at once; entries shipped per second until all are in.
//! 2. **Lag**: the three write at a steady pace while shipping runs; for every row, the time
//!    from its local append to its arrival being visible to a listener on the team database
//!    (LISTEN/NOTIFY, then read), as p50 and p95.
//!
//! `cargo bench -p rackdesk-cli --bench team_shipping` (RACKDESK_BENCH_BACKLOG and
//! RACKDESK_BENCH_SECONDS change the sizes). Timings only print; nothing here asserts one.

#[path = "../tests/pg/mod.rs"]
mod pg;

use rackdesk_core::identity::Identities;
use rackdesk_core::journal::{Intent, Journal};
use rackdesk_core::team::{ConnectRequest, InitRequest, ShipOptions, Team, TrustChoice};
use rackdesk_core::vault::MemoryStore;
use secrecy::SecretString;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn intent(n: u64) -> Intent {
    Intent {
        operator: "bench".into(),
        os_user: "bench".into(),
        role: "help desk".into(),
        machine: "bench-pc".into(),
        identity_label: "Bench".into(),
        account: "123456".into(),
        api_admin: Some("api-rackdesk".into()),
        sandbox: true,
        action: "mailbox.reset-password".into(),
        target: format!("user{n}@example.com"),
        changes: serde_json::json!({"password": "changed"}),
        correlation_id: None,
    }
}

struct Computer {
    ids: Identities,
    journal: Arc<Journal>,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let backlog = env_or("RACKDESK_BENCH_BACKLOG", 5000);
    let seconds = env_or("RACKDESK_BENCH_SECONDS", 10);
    let rate = env_or("RACKDESK_BENCH_RATE", 50); // changes a second per computer (2 rows each)
    let pg = pg::Pg::start();
    let root = std::env::temp_dir().join(format!("rd-bench-team-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);

    let mut pcs = Vec::new();
    for i in 0..3 {
        let dir: PathBuf = root.join(format!("pc{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let ids = Identities::open(&dir, Arc::new(MemoryStore::new()));
        let journal = Arc::new(Journal::open(&dir.join("journal.sqlite3")).unwrap());
        pcs.push(Computer { ids, journal });
    }
    let ca = TrustChoice::CaFile(pg.ca_file.clone());
    let report = Team::new(&pcs[0].ids, &pcs[0].journal)
        .init(InitRequest {
            url: pg.url(pg::ADMIN),
            trust: ca.clone(),
            password: Some(SecretString::from(pg::ADMIN_PASSWORD)),
            client_cert: None,
            pc_login: "rackdesk_pc".into(),
        })
        .await
        .expect("team init");
    let password = report.pc_password.expect("a new login");

    // 1. Throughput: a backlog on each computer, then three shippers at once.
    eprintln!("Writing a backlog of {backlog} rows on each of 3 computers…");
    for pc in &pcs {
        for n in 0..backlog / 2 {
            pc.journal.refused(&intent(n), "bench").unwrap();
        }
    }
    for pc in &pcs {
        Team::new(&pc.ids, &pc.journal)
            .connect(ConnectRequest { url: pg.url("rackdesk_pc"), trust: ca.clone(), password: Some(password.clone()), client_cert: None })
            .await
            .expect("team connect");
    }
    let heads: Vec<i64> = pcs.iter().map(|p| p.journal.head().unwrap().0).collect();
    let total: i64 = heads.iter().sum();
    let admin = pg.admin().await;
    let started = Instant::now();
    let shippers: Vec<_> = pcs
        .iter()
        .map(|pc| Team::new(&pc.ids, &pc.journal).start_shipper(pc.journal.clone(), ShipOptions::default()).unwrap().expect("team mode on"))
        .collect();
    loop {
        let n: i64 = admin.query_one("SELECT count(*) FROM rackdesk.entries", &[]).await.unwrap().get(0);
        if n >= total {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let took = started.elapsed();
    println!(
        "throughput: {total} entries from 3 computers shipped in {:.2} s: {:.0} entries/s (batches of {}, TLS, one transaction per batch)",
        took.as_secs_f64(),
        total as f64 / took.as_secs_f64(),
        ShipOptions::default().batch
    );

    // 2. Lag: steady writing on all three while a listener notes when each row is visible.
    let appended: Arc<Mutex<HashMap<(String, i64), Instant>>> = Arc::default();
    let visible: Arc<Mutex<HashMap<(String, i64), Instant>>> = Arc::default();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let listen_client = {
        let (client, mut conn) = {
            let mut c = tokio_postgres::Config::new();
            c.host_path(pg.socket_dir()).port(pg.port).user(pg::ADMIN).dbname(pg::DATABASE);
            c.connect(tokio_postgres::NoTls).await.unwrap()
        };
        tokio::spawn(async move {
            while let Some(m) = futures_poll(&mut conn).await {
                if let tokio_postgres::AsyncMessage::Notification(n) = m {
                    let _ = tx.send((Instant::now(), n.payload().to_owned()));
                }
            }
        });
        client.batch_execute("LISTEN rackdesk_team_journal").await.unwrap();
        client
    };
    let mut seen: HashMap<String, i64> = HashMap::new();
    for pc in &pcs {
        let id = pc.journal.machine_id().unwrap();
        let max: i64 = admin.query_one("SELECT coalesce(max(seq), 0) FROM rackdesk.entries WHERE machine_id = $1", &[&id]).await.unwrap().get(0);
        seen.insert(id, max);
    }
    let stop_at = Instant::now() + Duration::from_secs(seconds);
    let mut writers = Vec::new();
    for pc in &pcs {
        let (j, appended) = (pc.journal.clone(), appended.clone());
        let id = j.machine_id().unwrap();
        writers.push(tokio::task::spawn_blocking(move || {
            let every = Duration::from_secs_f64(1.0 / rate as f64);
            let mut next = Instant::now();
            let mut n = 0u64;
            while Instant::now() < stop_at {
                let i = j.begin(&intent(n)).unwrap();
                appended.lock().unwrap().insert((id.clone(), i), Instant::now());
                j.finish(i, &rackdesk_core::journal::Outcome::Success).unwrap();
                appended.lock().unwrap().insert((id.clone(), i + 1), Instant::now());
                n += 1;
                next += every;
                if let Some(wait) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
            }
        }));
    }
    let expected = || appended.lock().unwrap().len();
    let deadline = stop_at + Duration::from_secs(30);
    loop {
        let timeout = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await;
        let at = match timeout {
            Ok(Some((at, _))) => at,
            _ => Instant::now(),
        };
        for (id, last) in seen.iter_mut() {
            let rows = listen_client.query("SELECT seq FROM rackdesk.entries WHERE machine_id = $1 AND seq > $2", &[&*id, &*last]).await.unwrap();
            let mut v = visible.lock().unwrap();
            for r in rows {
                let seq: i64 = r.get(0);
                v.entry((id.clone(), seq)).or_insert(at);
                *last = (*last).max(seq);
            }
        }
        let done = writers.iter().all(|w| w.is_finished());
        if (done && visible.lock().unwrap().len() >= expected()) || Instant::now() > deadline {
            break;
        }
    }
    let appended = appended.lock().unwrap();
    let visible = visible.lock().unwrap();
    let mut lags: Vec<Duration> = appended.iter().filter_map(|(k, a)| visible.get(k).map(|v| v.saturating_duration_since(*a))).collect();
    lags.sort();
    println!(
        "lag from local append to team visibility, 3 computers writing {} entries/s each for {seconds} s ({} entries): p50 {}, p95 {}, max {}",
        rate * 2,
        lags.len(),
        ms(percentile(&lags, 0.50)),
        ms(percentile(&lags, 0.95)),
        ms(lags.last().copied().unwrap_or_default())
    );
    if lags.len() < appended.len() {
        println!("({} entries were not visible within 30 s after writing stopped)", appended.len() - lags.len());
    }
    drop(shippers);
    let _ = std::fs::remove_dir_all(&root);
}

async fn futures_poll<S, T>(conn: &mut tokio_postgres::Connection<S, T>) -> Option<tokio_postgres::AsyncMessage>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    std::future::poll_fn(|cx| conn.poll_message(cx)).await.and_then(Result::ok)
}
