//! The local index and `rackdesk find`, end to end: the `rackdesk` binary against the
//! simulator over a real socket, with a large account.

use rackdesk_sim::{DataSet, SimLimits, Simulator};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const USER_KEY: &str = "FindTestUserKey0001";
const SECRET: &str = "FindTestSecretKey-Do-Not-Print-0001";
const MINUTE_MS: u64 = 300;

#[path = "support/harness.rs"]
mod harness;
use harness::{both, Harness};

const CLI: Harness = Harness { user_key: USER_KEY, secret: SECRET, tag: "find" };

async fn sim(data: DataSet, limits: SimLimits) -> Simulator {
    CLI.sim_with(data, MINUTE_MS, limits).await
}

fn state_dir(sim: &Simulator) -> PathBuf {
    CLI.state_dir(sim)
}

/// With the client's rate-limit "minute" at `minute_ms`.
fn command_at(sim: &Simulator, minute_ms: u64, args: &[&str]) -> Command {
    CLI.command(sim, minute_ms, args)
}

fn rackdesk(sim: &Simulator, args: &[&str]) -> Output {
    CLI.run(sim, MINUTE_MS, args)
}
fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", both(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", both(o)))
}
fn gets(sim: &Simulator) -> usize {
    sim.sim().requests().iter().filter(|r| r.method == "GET" && r.status == 200).count()
}

/// The fewest reads a whole index can take: the domain list, then per domain and kind one
/// read per 250 objects (at least one), distribution lists per 200.
fn floor_reads(sim: &Simulator) -> usize {
    sim.sim().with_store(|s| {
        let mut n = s.domains.len().div_ceil(250).max(1);
        for d in s.domains.values() {
            let rs = d.service_type != "exchange";
            let ex = d.service_type != "rsemail" || d.exchange_max_mailboxes > 0;
            if rs {
                n += d.mailboxes.len().div_ceil(250).max(1) + d.aliases.len().div_ceil(250).max(1);
            }
            if ex {
                n += d.ex_mailboxes.len().div_ceil(250).max(1) + d.contacts.len().div_ceil(250).max(1) + d.dist_lists.len().div_ceil(200).max(1);
            }
        }
        n
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn find_reads_the_index_once_in_the_fewest_reads_and_changes_keep_it_current() {
    let s = sim(DataSet::Large(3_000), SimLimits { reads: 100_000, writes: 100_000, domain_writes: 100 }).await;
    let (someone, domain, total): (String, String, usize) = s.sim().with_store(|st| {
        let d = &st.domains["initech.example"];
        let (name, m) = d.mailboxes.iter().nth(17).unwrap();
        (m.display_name.clone(), "initech.example".into(), st.domains.values().map(|d| d.mailboxes.len() + d.ex_mailboxes.len() + d.aliases.len() + d.contacts.len() + d.dist_lists.len()).sum::<usize>() + 0 * name.len())
    });
    // The first search reads the whole account, in the fewest reads.
    let before = gets(&s);
    let o = rackdesk(&s, &["--output", "json", "find", &someone]);
    let found = json(&o);
    let reads = gets(&s) - before;
    assert_eq!(reads, floor_reads(&s), "one read per page of 250, per domain and kind");
    assert!(found.as_array().unwrap().iter().any(|f| f["displayName"] == someone.as_str() && f["domain"] == domain.as_str()), "{found}");
    let o = rackdesk(&s, &["--output", "json", "index", "status"]);
    assert_eq!(json(&o)["items"].as_u64().unwrap() as usize, total);

    // Later searches read nothing from Rackspace; words in any order and case narrow it.
    let before = gets(&s);
    let words: Vec<&str> = someone.split(' ').collect();
    let q = format!("{} {}", words[1].to_uppercase(), &words[0][..3]);
    let o = rackdesk(&s, &["--output", "json", "find", &q]);
    assert!(json(&o).as_array().unwrap().iter().all(|f| f["displayName"].as_str().unwrap_or("").to_lowercase().contains(&words[1].to_lowercase())));
    assert_eq!(gets(&s), before, "searching reads only the index");

    // A change made with the CLI is in the index at once.
    let o = rackdesk(&s, &["mailbox", "create", "zelda.quartermain@initech.example", "--display-name", "Zelda Quartermain", "--generate-password"]);
    assert!(o.status.success(), "{}", both(&o));
    let before = gets(&s);
    let o = rackdesk(&s, &["--output", "json", "find", "quartermain"]);
    let f = json(&o);
    assert_eq!(f.as_array().unwrap().len(), 1, "{f}");
    assert_eq!(f[0]["name"], "zelda.quartermain");
    assert_eq!(gets(&s), before);
    let o = rackdesk(&s, &["mailbox", "set", "zelda.quartermain@initech.example", "--display-name", "Zelda Q. Marsh"]);
    assert!(o.status.success(), "{}", both(&o));
    assert_eq!(json(&rackdesk(&s, &["--output", "json", "find", "zelda marsh"]))[0]["displayName"], "Zelda Q. Marsh");
    // A bulk job's changes too.
    let file = state_dir(&s).join("people.csv");
    std::fs::write(&file, "email,displayName\nyannick.bulkmann@hooli.example,Yannick Bulkmann\n").unwrap();
    let o = rackdesk(&s, &["bulk", "apply", file.to_str().unwrap(), "--job", "create", "--yes"]);
    assert!(o.status.success(), "{}", both(&o));
    assert_eq!(json(&rackdesk(&s, &["--output", "json", "find", "bulkmann"])).as_array().unwrap().len(), 1);
    let o = rackdesk(&s, &["mailbox", "delete", "zelda.quartermain@initech.example", "--yes"]);
    assert!(o.status.success(), "{}", both(&o));
    assert_eq!(json(&rackdesk(&s, &["--output", "json", "find", "quartermain"])).as_array().unwrap().len(), 0, "a deleted mailbox leaves the index");

    // Changes made elsewhere (not through Rackdesk) arrive with the next refresh.
    s.sim().with_store(|st| {
        st.domains.get_mut("globex.example").unwrap().mailboxes.clear();
    });
    let o = rackdesk(&s, &["--output", "json", "find", "--refresh", "globex"]);
    assert!(json(&o).as_array().unwrap().iter().all(|f| f["kind"] != "mailbox"), "mailboxes gone from the server are gone from the index");
    let _ = std::fs::remove_dir_all(state_dir(&s));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_killed_midway_resumes_and_a_damaged_index_is_rebuilt() {
    // The client's pacing (60 reads a one-second "minute") makes the refresh take a few
    // seconds, long enough to be killed midway.
    let s = sim(DataSet::Large(20_000), SimLimits { reads: 100_000, writes: 100_000, domain_writes: 100 }).await;
    let floor = floor_reads(&s);
    let index_dir = state_dir(&s).join("index");
    let mut child = command_at(&s, 1000, &["index", "refresh"]).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    // Kill it (SIGKILL) once some pages are in, well before the end.
    while gets(&s) < floor / 2 {
        assert!(Instant::now() < deadline, "the refresh did not start");
        assert!(child.try_wait().unwrap().is_none(), "the refresh ended before it could be killed");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let first = gets(&s);
    let o = rackdesk(&s, &["--output", "json", "index", "status"]);
    assert_eq!(json(&o)["unfinished"], true);
    let o = rackdesk(&s, &["index", "refresh"]);
    assert!(o.status.success(), "{}", both(&o));
    assert!(both(&o).contains("going on from an interrupted refresh"), "{}", both(&o));
    let total_reads = gets(&s);
    // Resuming re-reads the domain list and at most the page that was being read.
    let _ = first;
    assert!(total_reads <= floor + 2, "{total_reads} reads for a floor of {floor}: the domain list again and at most the page in flight");
    let o = rackdesk(&s, &["--output", "json", "index", "status"]);
    let st = json(&o);
    let want: usize = s.sim().with_store(|st| st.domains.values().map(|d| d.mailboxes.len() + d.ex_mailboxes.len() + d.aliases.len() + d.contacts.len() + d.dist_lists.len()).sum());
    assert_eq!((st["items"].as_u64().unwrap() as usize, &st["unfinished"]), (want, &serde_json::Value::Bool(false)));

    // A damaged file is set aside and the index made again from Rackspace.
    let files: BTreeMap<String, PathBuf> = std::fs::read_dir(&index_dir).unwrap().flatten().map(|e| (e.file_name().to_string_lossy().into_owned(), e.path())).collect();
    let file = files.iter().find(|(n, _)| n.ends_with(".sqlite3")).map(|(_, p)| p.clone()).expect("an index file");
    for ext in ["sqlite3-wal", "sqlite3-shm"] {
        let _ = std::fs::remove_file(file.with_extension(ext));
    }
    std::fs::write(&file, b"this is not an index, it was damaged by a disk error").unwrap();
    let name = s.sim().with_store(|st| st.domains["umbrella.example"].mailboxes.values().next().unwrap().display_name.clone());
    let o = rackdesk(&s, &["--output", "json", "find", &name]);
    assert!(both(&o).contains("could not be used"), "{}", both(&o));
    assert!(!json(&o).as_array().unwrap().is_empty());
    assert!(file.with_extension("sqlite3.damaged").exists(), "the damaged file is kept aside");
    let _ = std::fs::remove_dir_all(state_dir(&s));
}
