//! Bulk jobs through the app's commands (Tauri's real IPC path on the mock runtime) against
//! the in-process sandbox: a job interrupted mid-row is listed, a second job on the same file
//! is refused, the job is resumed from the app with every row applied exactly once, and new
//! passwords count as delivered only once the page says they were seen. One test (one
//! process): the job store lives in the data folder this test sets.

mod common;

use common::{app, call};
use rackdesk_app::state::AppState;
use rackdesk_core::api::NewMailbox;
use rackdesk_core::bulk::jobs::{self, JobFile};
use rackdesk_core::bulk::run::JobEvent;
use rackdesk_core::bulk::store::{JobState, JobStore, RowState};
use rackdesk_core::bulk::JobKind;
use rackdesk_core::names::EmailAddress;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tauri::Manager;

const DOMAIN: &str = "fabrikam.example";
const N: usize = 10;

fn job_view(a: &common::App, id: &str) -> Value {
    let list = call(a, "bulk_jobs", json!({})).unwrap();
    list.as_array().unwrap().iter().find(|j| j["jobId"] == id).cloned().unwrap_or_else(|| panic!("job {id} is listed: {list}"))
}

#[test]
fn an_interrupted_job_is_listed_refuses_a_second_job_and_resumes_from_the_app_exactly_once() {
    let data = std::env::temp_dir().join(format!("rackdesk-app-bulk-{}", std::process::id()));
    std::fs::create_dir_all(&data).unwrap();
    std::env::set_var("RACKDESK_DATA_DIR", &data);
    let a = app();
    let csv: String = std::iter::once("email,displayName".to_owned())
        .chain((0..N).map(|i| format!("resume{i}@{DOMAIN},Resume {i}")))
        .collect::<Vec<_>>()
        .join("\n");

    // A job started earlier, through the same core use cases the app calls: three rows done,
    // then the fourth row's mailbox created just before Rackdesk died (its row in flight).
    let state = a.app.state::<AppState>();
    let ops = state.ops().unwrap();
    let store = Arc::new(JobStore::open_default().unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let id = rt.block_on(async {
        let file = JobFile { path: jobs::app_file_path("new-people.csv"), bytes: csv.clone().into_bytes() };
        let planned = jobs::plan(&ops.session.client, &store, JobKind::Create, file, vec![], &|_: &str| {}).await.unwrap();
        let job = jobs::start(&ops, &store, &planned).unwrap();
        let rows_done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = rows_done.clone();
        let events: rackdesk_core::bulk::run::EventSink = Arc::new(move |ev: &JobEvent| {
            if let JobEvent::Row { .. } = ev {
                if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1 == 3 {
                    jobs::running().unwrap().1.stop();
                }
            }
        });
        let mut run_ops = ops.clone();
        run_ops.correlation_id = Some(job.id.clone());
        jobs::run(run_ops, store.clone(), &job.id, jobs::RunOptions { events: Some(events), ..Default::default() }).await.unwrap();
        let fourth = store.rows(&job.id).unwrap().into_iter().find(|r| r.state.is_open()).unwrap();
        store.row_in_flight(&job.id, fourth.seq, 0).unwrap();
        let addr = EmailAddress::parse(&fourth.target).unwrap();
        ops.create_mailbox(&addr, &NewMailbox::new(rackdesk_core::password::generate(None, None), 1024)).await.unwrap();
        store.set_state(&job.id, JobState::Running, None).unwrap(); // as the dead process left it
        job.id
    });
    assert_eq!(store.rows(&id).unwrap().iter().filter(|r| r.state == RowState::Done).count(), 3);

    // The app lists it as interrupted and resumable.
    let v = job_view(&a, &id);
    assert_eq!((v["state"].as_str(), v["resumable"].as_bool(), v["open"].as_u64()), (Some("interrupted"), Some(true), Some((N - 3) as u64)), "{v}");
    assert_eq!(v["file"], "new-people.csv");
    assert_eq!(call(&a, "app_status", json!({})).unwrap()["unfinishedJobs"], 1, "the app says so when it opens");

    // A second job on the same file is refused while this one is unfinished: already when
    // the file is chosen again, naming the job (not as rows that "already exist").
    let e = call(&a, "bulk_plan", json!({"kind": "create", "fileName": "new-people.csv", "text": csv, "maps": []})).unwrap_err();
    assert_eq!(e["kind"], "job-unfinished", "{e}");
    assert!(e["message"].as_str().unwrap().contains(&id) && e["message"].as_str().unwrap().contains("Resume"), "{e}");
    assert!(store.list(10).unwrap().len() == 1, "no second job was recorded");

    // Resumed from the app, to the end.
    assert_eq!(call(&a, "bulk_resume", json!({"jobId": id})).unwrap(), json!(id));
    let e = call(&a, "bulk_resume", json!({"jobId": id})).unwrap_err();
    assert!(["job-busy", "invalid-input"].contains(&e["kind"].as_str().unwrap()), "one job at a time: {e}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let v = loop {
        let v = job_view(&a, &id);
        if v["state"] == "done" {
            break v;
        }
        assert!(Instant::now() < deadline, "the job did not finish: {v}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!((v["done"].as_u64(), v["failed"].as_u64(), v["resumable"].as_bool()), (Some(N as u64), Some(0), Some(false)), "{v}");

    assert_eq!(call(&a, "app_status", json!({})).unwrap()["unfinishedJobs"], 0);

    // Every mailbox exists, each created by exactly one accepted request.
    for i in 0..N {
        let name = format!("resume{i}");
        assert!(a.sim.with_store(|s| s.domains[DOMAIN].mailboxes.contains_key(&name)), "{name} exists");
        let posts = a.sim.requests().iter().filter(|r| r.method == "POST" && r.path.ends_with(&format!("/rs/mailboxes/{name}"))).map(|r| r.status).collect::<Vec<_>>();
        assert_eq!(posts, vec![200], "{name}: one create, never a duplicate");
    }
    let rows = store.rows(&id).unwrap();
    assert!(rows.iter().any(|r| r.result.as_deref().is_some_and(|x| x.contains("confirmed on the server after an interruption"))), "the in-flight row was checked, not resent");

    // Passwords of the first run were never shown (reported); the resumed run's count as
    // delivered only once the page says the person saw them.
    let before = job_view(&a, &id)["undelivered"].as_array().unwrap().len();
    assert_eq!(before, N, "shown to nobody yet: {}", job_view(&a, &id));
    call(&a, "bulk_passwords_seen", json!({"jobId": id})).unwrap();
    let after: Vec<String> = serde_json::from_value(job_view(&a, &id)["undelivered"].clone()).unwrap();
    assert_eq!(after.len(), 4, "the three rows of the first run and the row in flight stay undelivered: {after:?}");

    // An oversized file is refused on the page with the limit named, before any server read.
    let big: String = std::iter::once("email".to_owned()).chain((0..20_001).map(|i| format!("x{i}@{DOMAIN}"))).collect::<Vec<_>>().join("\n");
    let before_reads = a.sim.requests().len();
    let plan = call(&a, "bulk_plan", json!({"kind": "delete", "fileName": "big.csv", "text": big, "maps": []})).unwrap();
    assert_eq!(plan["canStart"], false);
    assert!(plan["problems"][0].as_str().unwrap().contains("Rackdesk takes at most 20,000"), "{plan}");
    assert_eq!(a.sim.requests().len(), before_reads, "nothing was read from the server");
    let _ = std::fs::remove_dir_all(&data);
}
