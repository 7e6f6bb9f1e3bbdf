//! Pause, resume and cancel of a running bulk job (what the app's buttons do), against the
//! simulator over real sockets, with a real job store and journal.

use rackdesk_core::bulk::plan::{self, Snapshot};
use rackdesk_core::bulk::run::{JobControl, Runner};
use rackdesk_core::bulk::store::{JobState, JobStore, NewJob};
use rackdesk_core::bulk::{input, validate, JobKind};
use rackdesk_core::identity::{Actor, Operator, Role, Session};
use rackdesk_core::journal::Journal;
use rackdesk_core::ops::Ops;
use rackdesk_core::{Client, ClientConfig, Credentials, RetryPolicy};
use rackdesk_sim::{DataSet, SimConfig, Simulator};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

const UK: &str = "BulkCtlUserKey000001";
const SK: &str = "BulkCtlSecretKey-abcdefghijkl";

async fn setup(rows: usize) -> (Simulator, Runner, String, Arc<JobStore>, std::path::PathBuf) {
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = DataSet::Empty;
    cfg.minute = Duration::from_millis(300);
    let sim = Simulator::start_local(cfg).await.unwrap();
    let mut c = ClientConfig::new(sim.api_url());
    c.scheduler = rackdesk_core::limits::Scheduler::new(rackdesk_core::limits::Limits::with_window(Duration::from_millis(300)));
    c.retry = RetryPolicy { backoff: Duration::from_millis(10), ..RetryPolicy::default() };
    let client = Client::new(c, Credentials::new(UK, SecretString::from(SK)).unwrap()).unwrap();
    let actor = Actor { operator: Operator { name: "dana".into(), role: Role::SuperAdmin }, identity_label: "t".into(), account: "123456".into(), api_admin: None };
    let dir = std::env::temp_dir().join(format!("rackdesk-bulkctl-{}", rackdesk_core::sandbox_keys().0));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = Arc::new(Journal::open(&dir.join("journal.sqlite3")).unwrap());
    let mut ops = Ops::new(Session { actor, client }, journal, true);
    let csv: String = std::iter::once("email,displayName".to_owned())
        .chain((0..rows).map(|i| format!("person{i}@example.com,Person {i}")))
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = csv.into_bytes();
    let inp = input::read(&bytes, JobKind::Create, &[]);
    let v = validate::validate(&inp);
    let snap = Snapshot::load(&ops.session.client, &v, &|_: &str| {}).await.unwrap();
    let p = plan::plan(&inp, &v, &snap, ops.session.client.config().scheduler.limits());
    assert!(!p.has_errors(), "{:?}", p.problems);
    let store = Arc::new(JobStore::open(&dir.join("jobs.sqlite3")).unwrap());
    let new = NewJob {
        kind: JobKind::Create,
        file_path: "(test)".into(),
        file_sha256: input::sha256_hex(&bytes),
        mapping: vec![],
        account: "123456".into(),
        identity_label: "t".into(),
        api_url: sim.api_url().into(),
        operator: "dana".into(),
    };
    let job = store.create(&new, &p, JobKind::Create.columns().iter().map(|c| c.name.to_owned()).collect()).unwrap();
    ops.correlation_id = Some(job.id.clone());
    let runner = Runner::new(ops, store.clone());
    (sim, runner, job.id, store, dir)
}

fn created(sim: &Simulator) -> usize {
    sim.sim().with_store(|s| s.domains["example.com"].mailboxes.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_job_sends_nothing_until_resumed() {
    let (sim, mut runner, id, store, dir) = setup(6).await;
    let control = JobControl::new();
    control.pause();
    runner.control = control.clone();
    let task = tokio::spawn(async move { runner.run(&id).await });
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(created(&sim), 0, "nothing is sent while paused");
    control.resume();
    let report = tokio::time::timeout(Duration::from_secs(30), task).await.unwrap().unwrap().unwrap();
    assert_eq!(report.job.counts.done, 6);
    assert_eq!(created(&sim), 6);
    assert_eq!(report.passwords.len(), 6, "each generated password is handed back once");
    assert_eq!(store.job(&report.job.id).unwrap().state, JobState::Done);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_job_stops_between_rows_and_applies_nothing_more() {
    let (sim, mut runner, id, store, dir) = setup(40).await;
    let control = JobControl::new();
    runner.control = control.clone();
    let task = tokio::spawn(async move { runner.run(&id).await });
    // Let a few rows through (30 writes per 300 ms window), then cancel.
    while created(&sim) < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    control.cancel();
    let report = tokio::time::timeout(Duration::from_secs(30), task).await.unwrap().unwrap().unwrap();
    let after = created(&sim);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(created(&sim), after, "nothing more is sent after the cancel");
    assert!(after < 40, "the job stopped early ({after} created)");
    let job = store.job(&report.job.id).unwrap();
    assert_eq!(job.counts.done, after, "every created mailbox is recorded as done");
    assert_eq!(job.state, JobState::Cancelled);
    let _ = std::fs::remove_dir_all(dir);
}
