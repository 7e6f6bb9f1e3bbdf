//! The `rackdesk` binary, run as a user would, against the simulator over a real socket.

use rackdesk_sim::faults::{FaultKind, FaultRule};
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const USER_KEY: &str = "CliTestUserKey0001";
const SECRET: &str = "CliTestSecretKey-Do-Not-Print-0001";

async fn sim(data: DataSet) -> Simulator {
    let mut cfg = SimConfig::new(USER_KEY, SECRET);
    cfg.data = data;
    cfg.minute = Duration::from_millis(1000);
    Simulator::start_local(cfg).await.expect("simulator starts")
}

/// Runs `rackdesk ARGS` with the simulator's keys in the environment and `stdin` piped in.
fn rackdesk(sim: &Simulator, args: &[&str], stdin: Option<&str>) -> Output {
    rackdesk_with(sim, args, stdin, SECRET)
}

/// Settings and journal of one simulator's tests, kept out of the real home folder.
fn state_dir(sim: &Simulator) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("rackdesk-cli-test-{}-{}", std::process::id(), sim.addr().port()))
}

fn rackdesk_with(sim: &Simulator, args: &[&str], stdin: Option<&str>, secret: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
    cmd.env("RACKDESK_CONFIG_DIR", state_dir(sim)).env("RACKDESK_DATA_DIR", state_dir(sim));
    cmd.args(["--api-url", sim.api_url()])
        .args(args)
        .env("RACKDESK_USER_KEY", USER_KEY)
        .env("RACKDESK_SECRET_KEY", secret)
        .env("RACKDESK_MINUTE_MS", "1000")
        .env_remove("RACKDESK_API_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("rackdesk runs");
    {
        let mut i = child.stdin.take().expect("stdin");
        if let Some(s) = stdin {
            i.write_all(s.as_bytes()).expect("write stdin");
        }
    }
    let out = child.wait_with_output().expect("rackdesk finishes");
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!all.contains(SECRET), "the secret key appeared in the output of {args:?}");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn writes(sim: &Simulator) -> usize {
    sim.sim().requests().iter().filter(|r| r.method != "GET").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailbox_from_creation_to_deletion() {
    let s = sim(DataSet::Empty).await;
    let st = |f: &dyn Fn(&rackdesk_sim::store::Store) -> bool| s.sim().with_store(|x| f(x));

    let o = rackdesk(&s, &["--output", "json", "mailbox", "create", "jane.doe@example.com", "--display-name", "Jane Doe", "--size", "2048", "--generate-password"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let pw = v["password"].as_str().expect("password shown once").to_owned();
    assert!(rackdesk_core::password::check(&pw, Some("jane.doe"), Some("example.com")).is_ok());
    assert!(st(&|x| x.domains["example.com"].mailboxes.get("jane.doe").is_some_and(|m| m.size == 2048
        && m.display_name == "Jane Doe"
        && m.password_hash == rackdesk_sim::store::hash_password(&pw))));

    let o = rackdesk(&s, &["--output", "json", "mailbox", "show", "Jane.Doe@Example.com"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["displayName"], "Jane Doe");
    assert_eq!(v["enabled"], true);

    let o = rackdesk(&s, &["mailbox", "set", "jane.doe@example.com", "--enabled", "false", "--forward-to", "boss@example.org,jd@gmail.com", "--vacation-message", "Back Monday"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(st(&|x| {
        let m = &x.domains["example.com"].mailboxes["jane.doe"];
        !m.enabled && m.forwards == vec!["boss@example.org", "jd@gmail.com"] && m.enable_vacation_message && m.vacation_message == "Back Monday"
    }));
    let o = rackdesk(&s, &["mailbox", "set", "jane.doe@example.com", "--no-forwarding", "--no-vacation"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(st(&|x| {
        let m = &x.domains["example.com"].mailboxes["jane.doe"];
        m.forwards.is_empty() && !m.enable_vacation_message
    }));

    let o = rackdesk(&s, &["mailbox", "reset-password", "jane.doe@example.com", "--password-stdin"], Some("Harbor-Lights-42\n"));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("Harbor-Lights-42"), "a typed password is never echoed");
    assert!(st(&|x| x.domains["example.com"].mailboxes["jane.doe"].password_hash == rackdesk_sim::store::hash_password("Harbor-Lights-42")));

    let o = rackdesk(&s, &["alias", "create", "team@example.com", "--to", "jane.doe@example.com,partner@example.org"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rackdesk(&s, &["--output", "csv", "aliases", "list", "example.com"], None);
    assert_eq!(stdout(&o).lines().next(), Some("alias,members,delivers to"));
    assert!(stdout(&o).contains("team@example.com,2,"), "{}", stdout(&o));
    let o = rackdesk(&s, &["alias", "show", "team@example.com"], None);
    assert!(stdout(&o).contains("jane.doe@example.com, partner@example.org"), "{}", stdout(&o));
    let o = rackdesk(&s, &["alias", "delete", "team@example.com", "--yes"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(st(&|x| x.domains["example.com"].aliases.is_empty()));

    let o = rackdesk(&s, &["mailbox", "delete", "jane.doe@example.com", "--yes"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(st(&|x| x.domains["example.com"].mailboxes.is_empty()));
    let o = rackdesk(&s, &["mailbox", "show", "jane.doe@example.com"], None);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("could not find that mailbox"), "{}", stderr(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let s = sim(DataSet::Demo).await;
    let before = s.sim().with_store(|x| x.domains.values().map(|d| d.mailboxes.len() + d.aliases.len()).sum::<usize>());
    let long_name = "x".repeat(200);
    let cases: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (vec!["mailbox", "create", "jane.example.com", "--generate-password"], None, "no @"),
        (vec!["mailbox", "create", "ja ne@northwind.example", "--generate-password"], None, "spaces"),
        (vec!["mailbox", "create", "../x@northwind.example", "--generate-password"], None, "not valid"),
        (vec!["mailbox", "create", "new.one@unknown-domain.example", "--generate-password"], None, "could not find that domain"),
        (vec!["mailbox", "create", "new.one@northwind.example", "--size", "999999", "--generate-password"], None, "between 1 and 25600"),
        (vec!["mailbox", "create", "new.one@northwind.example", "--password-stdin"], Some(""), "No password arrived"),
        (vec!["mailbox", "create", "new.one@northwind.example", "--password-stdin"], Some("short\n"), "shorter than 8"),
        (vec!["mailbox", "set", "aisha.adeyemi@northwind.example", "--display-name", &long_name], None, "longer than 128"),
        (vec!["mailbox", "set", "aisha.adeyemi@northwind.example"], None, "no change was asked for"),
        (vec!["mailbox", "set", "aisha.adeyemi@northwind.example", "--forward-to", "not-an-address"], None, "not an e-mail address"),
        (vec!["mailbox", "delete", "aisha.adeyemi@northwind.example"], None, "--yes"),
        (vec!["alias", "create", "x@northwind.example", "--to", "a@o1.example,b@o2.example,c@o3.example,d@o4.example,e@o5.example"], None, "at most 4"),
        (vec!["mailboxes", "list", "not a domain"], None, "not valid"),
    ];
    for (args, stdin, expect) in cases {
        let o = rackdesk(&s, &args, stdin);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{args:?}: expected {expect:?} in {}", stderr(&o));
        assert_eq!(stderr(&o).lines().filter(|l| l.starts_with("rackdesk:")).count(), 1, "one sentence: {}", stderr(&o));
    }
    assert_eq!(writes(&s), 0, "no change was sent");
    let after = s.sim().with_store(|x| x.domains.values().map(|d| d.mailboxes.len() + d.aliases.len()).sum::<usize>());
    assert_eq!(before, after);
    // A name already taken is said before anything is sent, naming what holds it.
    let o = rackdesk(&s, &["mailbox", "create", "hr@northwind.example", "--generate-password"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("hr@northwind.example is already an alias. Open it, or choose another name."), "{}", stderr(&o));
    assert_eq!(writes(&s), 0, "no change was sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_failures_apart() {
    let s = sim(DataSet::Demo).await;
    let o = rackdesk_with(&s, &["domains", "list"], None, "WrongSecretKey");
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stderr(&o).contains("did not accept the API keys"), "{}", stderr(&o));
    assert!(stderr(&o).contains("Details: Authentication failed."), "{}", stderr(&o));

    let o = rackdesk_with(&s, &["domains", "list"], None, "");
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("No API keys were given"), "{}", stderr(&o));

    s.sim().add_fault(FaultRule::new(FaultKind::Status(503)).on_path("/domains"));
    let o = rackdesk(&s, &["domains", "list"], None);
    assert_eq!(code(&o), 5, "{}", stderr(&o));
    assert!(stderr(&o).contains("problem on its side (HTTP 503)"), "{}", stderr(&o));
    s.sim().clear_faults();

    s.sim().set_limits(SimLimits { reads: 0, ..SimLimits::default() });
    let o = rackdesk(&s, &["domains", "list"], None);
    assert_eq!(code(&o), 4, "{}", stderr(&o));
    assert!(stderr(&o).contains("rate limit was still exceeded"), "{}", stderr(&o));
    s.sim().set_limits(SimLimits::default());

    // Nobody listening: a network failure, and nothing was sent.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_rackdesk"))
        .args(["--api-url", &format!("http://127.0.0.1:{port}/v1"), "domains", "list"])
        .env("RACKDESK_USER_KEY", USER_KEY)
        .env("RACKDESK_SECRET_KEY", SECRET)
        .env("RACKDESK_MINUTE_MS", "1000")
        .output()
        .unwrap();
    assert_eq!(code(&out), 5);
    assert!(stderr(&out).contains("could not reach Rackspace"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_in_every_format() {
    let s = sim(DataSet::Demo).await;
    let o = rackdesk(&s, &["mailboxes", "list", "northwind.example"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).trim_end().ends_with("260 mailboxes"), "{}", stdout(&o));
    let o = rackdesk(&s, &["--output", "json", "mailboxes", "list", "northwind.example", "--enabled", "false"], None);
    let v: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).expect("json");
    let disabled = s.sim().with_store(|x| x.domains["northwind.example"].mailboxes.values().filter(|m| !m.enabled).count());
    assert_eq!(v.len(), disabled);
    assert!(v.iter().all(|m| m["enabled"] == false));
    let o = rackdesk(&s, &["--output", "csv", "admins", "list"], None);
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().any(|r| &r[0] == "helpdesk.lead" && r[4].starts_with("no")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_key_rotation_reminder_is_configurable() {
    let dir = std::env::temp_dir().join(format!("rackdesk-cli-reminder-{}", std::process::id()));
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rackdesk"))
            .args(args)
            .env("RACKDESK_CONFIG_DIR", &dir)
            .env_remove("RACKDESK_USER_KEY")
            .env_remove("RACKDESK_SECRET_KEY")
            .output()
            .unwrap()
    };
    let o = run(&["identity", "reminder", "0"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("1 to 3650 days"), "{}", stderr(&o));
    let o = run(&["identity", "reminder", "30"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let cfg: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(cfg["keyReminderDays"], 30);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_desk_is_refused_in_the_core_and_everything_is_journaled() {
    let s = sim(DataSet::Demo).await;
    let target = s.sim().with_store(|x| x.domains["northwind.example"].mailboxes.keys().next().cloned().unwrap());
    let addr = format!("{target}@northwind.example");
    assert_eq!(code(&rackdesk(&s, &["operator", "set", "--name", "sam", "--role", "help-desk"], None)), 0);
    let before = writes(&s);
    let o = rackdesk(&s, &["mailbox", "delete", &addr, "--yes"], None);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    assert!(stderr(&o).contains("As help desk you cannot do this here: delete mailboxes"), "{}", stderr(&o));
    let o = rackdesk(&s, &["mailbox", "create", "x1@northwind.example", "--generate-password"], None);
    assert_eq!(code(&o), 7, "{}", stderr(&o));
    assert_eq!(writes(&s), before, "refused changes never reach Rackspace");
    // The daily work is allowed.
    let o = rackdesk(&s, &["mailbox", "reset-password", &addr, "--generate-password"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The help desk cannot promote itself without the passphrase.
    let o = rackdesk(&s, &["operator", "switch", "super-admin"], Some("guess\n"));
    assert_eq!(code(&o), 7, "{}", stderr(&o));

    let o = rackdesk(&s, &["--output", "json", "journal", "list"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).unwrap();
    let find = |action: &str| entries.iter().find(|e| e["action"] == action).cloned().unwrap_or_else(|| panic!("{action} in {entries:?}"));
    let reset = find("mailbox.reset-password");
    assert_eq!(reset["operator"], "sam");
    assert_eq!(reset["role"], "help desk");
    assert_eq!(reset["target"], addr);
    assert_eq!(reset["outcome"]["status"], "success");
    assert_eq!(reset["changes"]["password"], "changed");
    assert_eq!(find("mailbox.delete")["outcome"]["status"], "refused");
    assert_eq!(find("mailbox.create")["outcome"]["status"], "refused");
    assert_eq!(find("role.switch")["outcome"]["status"], "refused");

    let o = rackdesk(&s, &["journal", "list", "--result", "refused"], None);
    assert!(stdout(&o).contains("3 entries"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Refused: "), "{}", stdout(&o));
    // The listing speaks in sentences, and plain words find the action.
    let o = rackdesk(&s, &["journal", "list", "--action", "reset"], None);
    assert!(stdout(&o).contains(&format!("Reset the password of {addr}")) && stdout(&o).contains("Done"), "{}", stdout(&o));
    assert!(stdout(&o).contains("1 entry") && !stdout(&o).contains("mailbox.reset-password"), "{}", stdout(&o));
    let out = state_dir(&s).join("journal.csv");
    let o = rackdesk(&s, &["journal", "export", "--out", out.to_str().unwrap(), "--target", &target], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(csv::Reader::from_path(&out).unwrap().records().count(), 2);
    let o = rackdesk(&s, &["journal", "verify"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("intact"), "{}", stdout(&o));
    let o = rackdesk(&s, &["journal", "list", "--since", "yesterday"], None);
    assert_eq!(code(&o), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_journal_means_no_change() {
    let s = sim(DataSet::Demo).await;
    std::fs::create_dir_all(state_dir(&s)).unwrap();
    std::fs::write(state_dir(&s).join("journal.sqlite3"), vec![b'x'; 4096]).unwrap();
    let o = rackdesk(&s, &["mailbox", "set", "aisha.adeyemi@northwind.example", "--display-name", "A"], None);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stderr(&o).contains("Nothing was changed"), "{}", stderr(&o));
    assert_eq!(writes(&s), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_and_the_cli_writing_at_once_lose_nothing() {
    let s = sim(DataSet::Demo).await;
    std::fs::create_dir_all(state_dir(&s)).unwrap();
    let names: Vec<String> = s.sim().with_store(|x| x.domains["fabrikam.example"].mailboxes.keys().take(12).cloned().collect());
    // Two CLI processes and this process (standing in for the app) write to one journal.
    let dir = state_dir(&s);
    let url = s.api_url().to_owned();
    let mut children = Vec::new();
    for half in [0usize, 1] {
        let names = names.clone();
        let (dir, url) = (dir.clone(), url.clone());
        children.push(std::thread::spawn(move || {
            for n in names.iter().skip(half).step_by(2) {
                let o = Command::new(env!("CARGO_BIN_EXE_rackdesk"))
                    .args(["--api-url", &url, "mailbox", "set", &format!("{n}@fabrikam.example"), "--display-name", "Busy"])
                    .env("RACKDESK_CONFIG_DIR", &dir)
                    .env("RACKDESK_DATA_DIR", &dir)
                    .env("RACKDESK_USER_KEY", USER_KEY)
                    .env("RACKDESK_SECRET_KEY", SECRET)
                    .env("RACKDESK_MINUTE_MS", "1000")
                    .output()
                    .unwrap();
                assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            }
        }));
    }
    let journal = rackdesk_core::journal::Journal::open(&dir.join("journal.sqlite3")).unwrap();
    let actor = rackdesk_core::identity::Actor {
        operator: rackdesk_core::identity::Operator::new("app", rackdesk_core::identity::Role::SuperAdmin),
        identity_label: "x".into(),
        account: "123456".into(),
        api_admin: None,
    };
    for i in 0..40 {
        let intent = rackdesk_core::ops::intent_for(&actor, true, None, "mailbox.display-name", &format!("app{i}@fabrikam.example"), serde_json::json!({}));
        let id = journal.begin(&intent).unwrap();
        journal.finish(id, &rackdesk_core::journal::Outcome::Success).unwrap();
    }
    for c in children {
        c.join().unwrap();
    }
    let all = journal.query(&rackdesk_core::journal::Filter::default()).unwrap();
    assert_eq!(all.len(), 40 + names.len(), "every entry from every writer is there");
    assert!(all.iter().all(|e| e.outcome.is_some()));
    assert!(journal.verify().unwrap().problems.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taken_names_misspelt_domains_and_aliases_of_a_deleted_mailbox() {
    let s = sim(DataSet::Empty).await;
    let st = |f: &dyn Fn(&rackdesk_sim::store::Store) -> bool| s.sim().with_store(|x| f(x));
    for name in ["leaver", "stayer"] {
        let o = rackdesk(&s, &["mailbox", "create", &format!("{name}@example.com"), "--size", "1024", "--generate-password"], None);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    let o = rackdesk(&s, &["alias", "create", "crew@example.com", "--to", "leaver@example.com,stayer@example.com"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rackdesk(&s, &["alias", "create", "solo@example.com", "--to", "leaver@example.com"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // A name already taken: said plainly, before anything is sent.
    let before = writes(&s);
    let o = rackdesk(&s, &["mailbox", "create", "crew@example.com", "--generate-password"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("crew@example.com is already an alias. Open it, or choose another name."), "{}", stderr(&o));
    let o = rackdesk(&s, &["alias", "create", "stayer@example.com", "--to", "leaver@example.com"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("stayer@example.com is already a mailbox"), "{}", stderr(&o));

    // A domain that looks misspelt is refused unless accepted; an outside one is fine.
    let o = rackdesk(&s, &["alias", "set", "crew@example.com", "--to", "leaver@example.com,stayer@exmaple.com"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("stayer@exmaple.com: exmaple.com is not one of this account's domains — did you mean example.com?"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--accept-unknown-domain"), "{}", stderr(&o));
    let o = rackdesk(&s, &["mailbox", "set", "stayer@example.com", "--forward-to", "me@exampel.com"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert_eq!(writes(&s), before, "nothing was sent");
    let o = rackdesk(&s, &["mailbox", "set", "stayer@example.com", "--forward-to", "me@exampel.com", "--accept-unknown-domain"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean example.com?"), "the warning is still shown: {}", stderr(&o));
    let o = rackdesk(&s, &["mailbox", "set", "stayer@example.com", "--forward-to", "friend@gmail.com"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    // Deleting a mailbox that aliases deliver to: refused, naming them and the option.
    let o = rackdesk(&s, &["mailbox", "delete", "leaver@example.com", "--yes"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("crew@example.com, solo@example.com") && e.contains("--remove-from-aliases"), "{e}");
    assert!(st(&|x| x.domains["example.com"].mailboxes.contains_key("leaver")));
    let o = rackdesk(&s, &["mailbox", "delete", "leaver@example.com", "--yes", "--remove-from-aliases"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        "Deleted leaver@example.com. leaver@example.com is taken out of crew@example.com; solo@example.com is deleted, as it would have no other address."
    );
    assert!(st(&|x| {
        let d = &x.domains["example.com"];
        !d.mailboxes.contains_key("leaver") && !d.aliases.contains_key("solo") && d.aliases["crew"] == vec!["stayer@example.com".to_string()]
    }));
    let o = rackdesk(&s, &["journal", "list", "--limit", "3"], None);
    assert!(stdout(&o).contains("Removed leaver@example.com from crew@example.com"), "{}", stdout(&o));

    // The operator's full name, shown with the login beside it and journaled.
    let o = rackdesk(&s, &["operator", "name", "Alice Martin"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rackdesk(&s, &["--output", "json", "operator", "show"], None);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["fullName"], "Alice Martin");
    let o = rackdesk(&s, &["operator", "show"], None);
    assert!(stdout(&o).contains(&format!("Alice Martin ({})", rackdesk_core::identity::os_user())), "{}", stdout(&o));
    let o = rackdesk(&s, &["journal", "list", "--action", "operator"], None);
    assert!(stdout(&o).contains("to \"Alice Martin\""), "{}", stdout(&o));
    let _ = std::fs::remove_dir_all(state_dir(&s));
}

/// Hosted Exchange from the command line against the simulator: a mailbox, a contact and a
/// distribution list holding both, each change awaited until Exchange has made it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exchange_mailbox_contact_and_list_against_the_simulator() {
    let s = sim(DataSet::Demo).await;
    let o = rackdesk(&s, &["ex-mailboxes", "list", "adatum.example", "--output", "csv"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("reception"), "the demo's shared mailbox is listed: {}", stdout(&o));

    let o = rackdesk(&s, &["ex-mailbox", "create", "ops.desk@adatum.example", "--display-name", "Ops Desk", "--generate-password"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rackdesk(&s, &["contact", "create", "adatum.example", "lena-voss", "--display-name", "Lena Voss", "--email", "lena.voss@proseware.example"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rackdesk(&s, &["list", "create", "project-x@adatum.example", "--display-name", "Project X", "--members", "ops.desk@adatum.example"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rackdesk(&s, &["list", "add-member", "project-x@adatum.example", "lena.voss@proseware.example"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rackdesk(&s, &["list", "show", "project-x@adatum.example"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let shown = stdout(&o).to_lowercase();
    assert!(shown.contains("ops.desk@adatum.example") && shown.contains("lena.voss@proseware.example"), "{shown}");
    // No form body ever reached a distribution list.
    assert!(s.sim().requests().iter().filter(|r| r.path.contains("/ex/distributionlists")).all(|r| r.status != 400));

    // Exports: lists one row per member, contacts in the columns of a contact import.
    let dir = state_dir(&s);
    std::fs::create_dir_all(&dir).unwrap();
    let lists_csv = dir.join("lists.csv");
    let o = rackdesk(&s, &["export", "lists", "--domain", "adatum.example", "--out", lists_csv.to_str().unwrap()], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = std::fs::read_to_string(&lists_csv).unwrap().to_lowercase();
    assert!(text.starts_with("list,displayname,member,kind\n"), "{text}");
    assert!(text.contains("project-x@adatum.example,project x,ops.desk@adatum.example,member"), "{text}");
    assert!(text.contains("project-x@adatum.example,project x,lena.voss@proseware.example,member"), "{text}");
    let contacts_csv = dir.join("contacts.csv");
    let o = rackdesk(&s, &["export", "contacts", "--domain", "adatum.example", "--out", contacts_csv.to_str().unwrap()], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(std::fs::read_to_string(&contacts_csv).unwrap().contains("adatum.example,lena-voss,Lena Voss,lena.voss@proseware.example"));

    // A misspelt own domain is refused with the suggestion; a second list of that name too.
    let o = rackdesk(&s, &["list", "add-member", "project-x@adatum.example", "nobody@adatum.exmaple"], None);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("did you mean adatum.example?"), "{}", stderr(&o));
    let o = rackdesk(&s, &["list", "delete", "project-x@adatum.example"], None);
    assert_eq!(code(&o), 2, "a delete needs --yes: {}", stderr(&o));
    let o = rackdesk(&s, &["list", "delete", "project-x@adatum.example", "--yes"], None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = rackdesk(&s, &["list", "show", "project-x@adatum.example"], None);
    assert_ne!(code(&o), 0, "the list is gone");
}
