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
    let csv: String = std::iter::once("email,displayName".to_owned())
        .chain((0..rows).map(|i| format!("person{i}@example.com,Person {i}")))
        .collect::<Vec<_>>()
        .join("\n");
    setup_job(JobKind::Create, &csv, DataSet::Empty).await
}

async fn setup_job(kind: JobKind, csv: &str, data: DataSet) -> (Simulator, Runner, String, Arc<JobStore>, std::path::PathBuf) {
    setup_job_for(kind, csv, data, None).await
}

/// A job planned against the simulator; `api_url` is the API root it is recorded (and run)
/// for, when not the simulator's.
async fn setup_job_for(kind: JobKind, csv: &str, data: DataSet, api_url: Option<&str>) -> (Simulator, Runner, String, Arc<JobStore>, std::path::PathBuf) {
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = data;
    cfg.minute = Duration::from_millis(300);
    let sim = Simulator::start_local(cfg).await.unwrap();
    let mut c = ClientConfig::new(sim.api_url());
    c.scheduler = rackdesk_core::limits::Scheduler::new(rackdesk_core::limits::Limits::with_window(Duration::from_millis(300)));
    c.retry = RetryPolicy { backoff: Duration::from_millis(10), ..RetryPolicy::default() };
    let client = Client::new(c, Credentials::new(UK, SecretString::from(SK)).unwrap()).unwrap();
    let actor = Actor { operator: Operator::new("dana", Role::SuperAdmin), identity_label: "t".into(), account: "123456".into(), api_admin: None };
    let dir = std::env::temp_dir().join(format!("rackdesk-bulkctl-{}", rackdesk_core::sandbox_keys().0));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = Arc::new(Journal::open(&dir.join("journal.sqlite3")).unwrap());
    let mut ops = Ops::new(Session { actor, client }, journal, true);
    let bytes = csv.as_bytes().to_vec();
    let inp = input::read(&bytes, kind, &[]);
    let v = validate::validate(&inp);
    let snap = Snapshot::load(&ops.session.client, &v, &|_: &str| {}).await.unwrap();
    let p = plan::plan(&inp, &v, &snap, ops.session.client.config().scheduler.limits());
    assert!(!p.has_errors(), "{:?}", p.problems);
    let store = Arc::new(JobStore::open(&dir.join("jobs.sqlite3")).unwrap());
    let new = NewJob {
        kind,
        file_path: "(test)".into(),
        file_sha256: input::sha256_hex(&bytes),
        mapping: vec![],
        account: "123456".into(),
        identity_label: "t".into(),
        api_url: api_url.unwrap_or(sim.api_url()).into(),
        operator: "dana".into(),
    };
    let job = store.create(&new, &p, kind.columns().iter().map(|c| c.name.to_owned()).collect()).unwrap();
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

/// A person of the (deterministic) demo company.
fn demo_person() -> String {
    rackdesk_sim::seed::demo("1", "k", "s").domains["northwind.example"].mailboxes.keys().next().cloned().unwrap()
}

/// Simulates a crash while the job's only row was being sent: the row is recorded as in flight.
fn crash_mid_row(store: &JobStore, id: &str) {
    let seq = store.rows(id).unwrap()[0].seq;
    store.row_in_flight(id, seq, 0).unwrap();
}

fn writes_to(sim: &Simulator, path_part: &str) -> Vec<(String, u16)> {
    sim.sim().requests().into_iter().filter(|r| r.method != "GET" && r.path.contains(path_part)).map(|r| (r.method, r.status)).collect()
}

async fn resume(runner: Runner, id: &str, store: &JobStore) -> rackdesk_core::bulk::store::JobInfo {
    let report = tokio::time::timeout(Duration::from_secs(30), runner.run(id)).await.unwrap().unwrap();
    store.job(&report.job.id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_sent_before_a_crash_is_checked_not_resent() {
    let target = demo_person();
    let (sim, runner, id, store, dir) = setup_job(JobKind::Update, &format!("email,enabled\n{target}@northwind.example,no\n"), DataSet::Demo).await;
    crash_mid_row(&store, &id);
    // The request had reached Rackspace: the mailbox is already disabled.
    sim.sim().with_store(|s| s.domains.get_mut("northwind.example").unwrap().mailboxes.get_mut(&target).unwrap().enabled = false);
    sim.sim().clear_requests();
    let job = resume(runner, &id, &store).await;
    assert_eq!(job.counts.done, 1);
    assert!(writes_to(&sim, &target).is_empty(), "the change was checked on the server, not sent again");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_lost_in_a_crash_is_sent_once() {
    let target = demo_person();
    let (sim, runner, id, store, dir) = setup_job(JobKind::Update, &format!("email,enabled\n{target}@northwind.example,no\n"), DataSet::Demo).await;
    crash_mid_row(&store, &id);
    sim.sim().clear_requests();
    let job = resume(runner, &id, &store).await;
    assert_eq!(job.counts.done, 1);
    assert_eq!(writes_to(&sim, &target), vec![("PUT".to_owned(), 200)]);
    assert!(sim.sim().with_store(|s| !s.domains["northwind.example"].mailboxes[&target].enabled));
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_done_before_a_crash_is_not_sent_again() {
    let target = demo_person();
    let (sim, runner, id, store, dir) = setup_job(JobKind::Delete, &format!("email\n{target}@northwind.example\n"), DataSet::Demo).await;
    assert_eq!(store.rows(&id).unwrap().len(), 1, "one row to delete");
    crash_mid_row(&store, &id);
    sim.sim().with_store(|s| s.domains.get_mut("northwind.example").unwrap().mailboxes.remove(&target));
    sim.sim().clear_requests();
    let job = resume(runner, &id, &store).await;
    assert_eq!(job.counts.done, 1);
    assert!(writes_to(&sim, &target).is_empty(), "already gone: no second DELETE");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alias_member_added_before_a_crash_is_not_added_twice() {
    // A person not yet in the alias.
    let demo = rackdesk_sim::seed::demo("1", "k", "s");
    let d = &demo.domains["northwind.example"];
    let member = d.mailboxes.keys().map(|n| format!("{n}@northwind.example")).find(|a| !d.aliases["info"].contains(a)).unwrap();
    let (sim, runner, id, store, dir) =
        setup_job(JobKind::Aliases, &format!("alias,member,action\ninfo@northwind.example,{member},add\n"), DataSet::Demo).await;
    crash_mid_row(&store, &id);
    sim.sim().with_store(|s| s.domains.get_mut("northwind.example").unwrap().aliases.get_mut("info").unwrap().push(member.clone()));
    sim.sim().clear_requests();
    let job = resume(runner, &id, &store).await;
    assert_eq!(job.counts.done, 1);
    assert!(writes_to(&sim, "/rs/aliases/info").is_empty(), "the member is there: nothing sent");
    let n = sim.sim().with_store(|s| s.domains["northwind.example"].aliases["info"].iter().filter(|m| **m == member).count());
    assert_eq!(n, 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_cannot_reach_rackspace_pauses_instead_of_failing_every_row() {
    // A job for an API root whose name cannot be found: the way is blocked on this computer's
    // network, as with a proxy that is down or a certificate that is not trusted.
    let blocked = "https://rackdesk-test.invalid/v1";
    let csv = "email,displayName\nann@example.com,Ann\nbob@example.com,Bob\ncat@example.com,Cat\n";
    let (sim, mut runner, id, store, dir) = setup_job_for(JobKind::Create, csv, DataSet::Empty, Some(blocked)).await;
    let mut c = ClientConfig::new(blocked);
    c.retry = RetryPolicy { backoff: Duration::from_millis(10), ..RetryPolicy::default() };
    runner.ops.session.client = Client::new(c, Credentials::new(UK, SecretString::from(SK)).unwrap()).unwrap();
    let report = tokio::time::timeout(Duration::from_secs(60), runner.run(&id)).await.unwrap().unwrap();
    let stopped = report.stopped.expect("the job was paused");
    assert!(stopped.starts_with("Rackdesk could not find the server rackdesk-test.invalid"), "{stopped}");
    assert!(stopped.ends_with("The job was paused; resume it once the connection works."), "{stopped}");
    let job = store.job(&id).unwrap();
    assert_eq!(job.state, JobState::Paused);
    assert_eq!((job.counts.failed, job.counts.done, job.counts.pending), (0, 0, 3), "no row is marked failed: {:?}", job.counts);
    assert_eq!(created(&sim), 0);
    let _ = std::fs::remove_dir_all(dir);
}
