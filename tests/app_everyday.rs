//! Everyday checks through the app's commands (Tauri's real IPC path on the mock runtime)
//! against the in-process sandbox: a name already taken, a domain that looks misspelt,
//! deleting a mailbox that aliases deliver to (one mailbox, and a bulk delete job), the
//! journal in sentences, the operator's full name, column problems in the app's words, and
//! past bulk jobs listed with their results. One test (one process): the job store lives in
//! the data folder this test sets.

mod common;

use common::{app, call};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const DOMAIN: &str = "fabrikam.example";

fn create(a: &common::App, name: &str) {
    call(a, "create_mailbox", json!({"input": {"domain": DOMAIN, "name": name, "displayName": null, "sizeMb": 1024, "password": null}})).unwrap();
}

fn alias(a: &common::App, name: &str, members: &[&str]) {
    call(a, "create_alias", json!({"domain": DOMAIN, "name": name, "members": members})).unwrap();
}

fn members(a: &common::App, name: &str) -> Option<Vec<String>> {
    a.sim.with_store(|s| s.domains[DOMAIN].aliases.get(name).cloned())
}

fn journal(a: &common::App, filter: Value) -> Vec<Value> {
    call(a, "journal_query", json!({ "filter": filter })).unwrap().as_array().unwrap().clone()
}

#[test]
fn everyday_checks_speak_plainly_and_leave_nothing_pointing_at_a_deleted_mailbox() {
    let data = std::env::temp_dir().join(format!("rackdesk-app-everyday-{}", std::process::id()));
    std::fs::create_dir_all(&data).unwrap();
    std::env::set_var("RACKDESK_DATA_DIR", &data);
    let a = app();
    create(&a, "leaver");
    create(&a, "stayer");
    alias(&a, "crew", &["leaver@fabrikam.example", "stayer@fabrikam.example"]);
    alias(&a, "solo", &["leaver@fabrikam.example"]);

    // A new name: the name rules first, then what holds it, else free.
    let c = call(&a, "check_new_address", json!({"domain": DOMAIN, "name": "bad name!"})).unwrap();
    assert!(c["message"].as_str().unwrap().starts_with("This name cannot be used:"), "{c}");
    assert_eq!(c["existing"], Value::Null);
    let c = call(&a, "check_new_address", json!({"domain": DOMAIN, "name": "Leaver"})).unwrap();
    assert_eq!((c["existing"].as_str(), c["message"].as_str()), (Some("mailbox"), Some("leaver@fabrikam.example is already a mailbox. Open it, or choose another name.")));
    let c = call(&a, "check_new_address", json!({"domain": DOMAIN, "name": "crew"})).unwrap();
    assert_eq!(c["existing"], "alias");
    assert_eq!(call(&a, "check_new_address", json!({"domain": DOMAIN, "name": "brand.new"})).unwrap(), Value::Null);
    // Creating it anyway: the typed error, said before anything is sent.
    let posts = a.sim.requests().iter().filter(|r| r.method == "POST").count();
    let e = call(&a, "create_mailbox", json!({"input": {"domain": DOMAIN, "name": "crew", "displayName": null, "sizeMb": 1024, "password": null}})).unwrap_err();
    assert_eq!(e["kind"], "already-exists", "{e}");
    assert!(e["message"].as_str().unwrap().contains("crew@fabrikam.example is already an alias"), "{e}");
    let e = call(&a, "create_alias", json!({"domain": DOMAIN, "name": "stayer", "members": ["leaver@fabrikam.example"]})).unwrap_err();
    assert_eq!(e["kind"], "already-exists", "{e}");
    assert_eq!(a.sim.requests().iter().filter(|r| r.method == "POST").count(), posts, "nothing was sent");

    // A domain that looks misspelt is warned about; an outside one is not.
    let w = call(&a, "check_addresses", json!({"addresses": ["x@fabrikam.exmaple", "friend@gmail.com", "y@fabrikam.example"]})).unwrap();
    assert_eq!(w.as_array().unwrap().len(), 1, "{w}");
    assert_eq!(w[0]["address"], "x@fabrikam.exmaple");
    assert_eq!(w[0]["suggestion"], "x@fabrikam.example");
    assert!(w[0]["message"].as_str().unwrap().contains("did you mean fabrikam.example?"), "{w}");
    assert_eq!(call(&a, "check_addresses", json!({"addresses": []})).unwrap(), json!([]));

    // Deleting a mailbox that aliases deliver to: the impact, a refusal naming them, then the clean-up.
    let i = call(&a, "mailbox_delete_impact", json!({"domain": DOMAIN, "name": "leaver"})).unwrap();
    assert_eq!(i, json!({"aliases": ["crew@fabrikam.example", "solo@fabrikam.example"], "emptied": ["solo@fabrikam.example"]}));
    let del = |remove: bool| call(&a, "delete_mailbox", json!({"domain": DOMAIN, "name": "leaver", "confirmAddress": "leaver@fabrikam.example", "removeFromAliases": remove}));
    let e = del(false).unwrap_err();
    assert_eq!(e["kind"], "aliases-deliver-here", "{e}");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("crew@fabrikam.example, solo@fabrikam.example") && !m.contains("--"), "{m}");
    assert!(a.sim.with_store(|s| s.domains[DOMAIN].mailboxes.contains_key("leaver")), "not deleted");
    del(true).unwrap();
    assert_eq!(members(&a, "crew"), Some(vec!["stayer@fabrikam.example".to_string()]));
    assert_eq!(members(&a, "solo"), None);
    assert!(!a.sim.with_store(|s| s.domains[DOMAIN].mailboxes.contains_key("leaver")));

    // The journal in sentences (the action code kept for filters).
    let entries = journal(&a, json!({"target": "fabrikam.example"}));
    let said: Vec<&str> = entries.iter().take(3).map(|e| e["summary"].as_str().unwrap()).collect();
    assert_eq!(said, [
        "Deleted the mailbox leaver@fabrikam.example",
        "Deleted the alias solo@fabrikam.example",
        "Removed leaver@fabrikam.example from crew@fabrikam.example",
    ]);
    assert_eq!(entries[2]["action"], "alias.members");
    assert_eq!(entries[2]["details"], json!(["Now delivers to stayer@fabrikam.example"]));
    assert_eq!(entries[2]["resultText"], "Done");
    let made = entries.iter().find(|e| e["target"] == "stayer@fabrikam.example").unwrap();
    assert_eq!(made["summary"], "Created the mailbox stayer@fabrikam.example (1 GB)");
    for e in &entries {
        let s = e["summary"].as_str().unwrap();
        assert!(!s.contains(e["action"].as_str().unwrap()) && !s.contains('[') && !s.contains('`'), "{s}");
    }
    call(&a, "reset_mailbox_password", json!({"domain": DOMAIN, "name": "stayer"})).unwrap();
    let resets = journal(&a, json!({"action": "reset"}));
    assert_eq!(resets.len(), 1, "plain words find the action: {resets:?}");
    assert_eq!(resets[0]["summary"], "Reset the password of stayer@fabrikam.example");

    // Who acted: the full name, with the login beside it, and no backticks.
    let st = call(&a, "set_operator_name", json!({"fullName": "Alice Martin"})).unwrap();
    let login = rackdesk_core::identity::os_user();
    assert_eq!(st["acting"]["operatorDisplay"], format!("Alice Martin ({login})"));
    assert_eq!(st["acting"]["operatorLogin"], login);
    assert_eq!(st["acting"]["operatorFullName"], "Alice Martin");
    let sentence = st["acting"]["sentence"].as_str().unwrap();
    assert!(sentence.starts_with(&format!("You (Alice Martin ({login}), super admin) — acting through API admin ")) && !sentence.contains('`'), "{sentence}");
    let named = journal(&a, json!({"action": "operator.full-name"}));
    assert_eq!(named[0]["summary"].as_str().unwrap(), format!("Set the full name of {} to \"Alice Martin\"", named[0]["target"].as_str().unwrap()));
    let e = call(&a, "set_operator_name", json!({"fullName": "x".repeat(101)})).unwrap_err();
    assert_eq!(e["kind"], "invalid-input", "{e}");

    // A column the job does not know: the fix in the app's words, never a command-line flag.
    let plan = call(&a, "bulk_plan", json!({"kind": "delete", "fileName": "gone.csv", "text": "email,Department\nstayer@fabrikam.example,Sales\n", "maps": []})).unwrap();
    let problems: Vec<&str> = plan["problems"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(problems.iter().any(|p| p.contains("\"Department\" is not a column of a delete job") && p.contains("Under \"Columns in the file\"")), "{problems:?}");
    assert!(problems.iter().all(|p| !p.contains("--map")), "{problems:?}");

    // A bulk delete takes each mailbox out of its aliases too, and says so in the plan. (A
    // second sandbox: its own keys, so the reads above do not count against its rate limit.)
    let b = app();
    create(&b, "bulk.one");
    create(&b, "stayer");
    alias(&b, "pair", &["bulk.one@fabrikam.example", "stayer@fabrikam.example"]);
    alias(&b, "only", &["bulk.one@fabrikam.example"]);
    let plan = call(&b, "bulk_plan", json!({"kind": "delete", "fileName": "leavers.csv", "text": "email\nbulk.one@fabrikam.example\n", "maps": []})).unwrap();
    assert_eq!(plan["canStart"], true, "{plan}");
    let text = plan["rows"][0]["text"].as_str().unwrap();
    assert!(text.contains("taken out of pair@fabrikam.example") && text.contains("only@fabrikam.example deleted"), "{text}");
    let id = call(&b, "bulk_apply", json!({})).unwrap().as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let v = loop {
        let list = call(&b, "bulk_jobs", json!({})).unwrap();
        let v = list.as_array().unwrap().iter().find(|j| j["jobId"] == id.as_str()).cloned().unwrap();
        if v["state"] == "done" {
            break v;
        }
        assert!(Instant::now() < deadline, "the job did not finish: {v}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(members(&b, "pair"), Some(vec!["stayer@fabrikam.example".to_string()]));
    assert_eq!(members(&b, "only"), None);
    assert!(!b.sim.with_store(|s| s.domains[DOMAIN].mailboxes.contains_key("bulk.one")));

    // Past jobs: finished ones are listed, with when they finished and their results saveable.
    assert_eq!((v["done"].as_u64(), v["failed"].as_u64(), v["resumable"].as_bool()), (Some(1), Some(0), Some(false)), "{v}");
    assert!(v["finished"].as_str().is_some_and(|f| f >= v["created"].as_str().unwrap()), "{v}");
    assert_eq!(v["resultsSaveable"], true, "{v}");
    assert_eq!(v["file"], "leavers.csv");

    // The server's own "already in use" answer reads as already-exists too: a name free when
    // the job was planned, taken before it ran.
    let plan = call(&b, "bulk_plan", json!({"kind": "create", "fileName": "late.csv", "text": "email\nlate.comer@fabrikam.example\n", "maps": []})).unwrap();
    assert_eq!(plan["canStart"], true, "{plan}");
    create(&b, "late.comer");
    let id = call(&b, "bulk_apply", json!({})).unwrap().as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    while call(&b, "bulk_jobs", json!({})).unwrap().as_array().unwrap().iter().find(|j| j["jobId"] == id.as_str()).unwrap()["state"] != "done" {
        assert!(Instant::now() < deadline, "the job did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
    let rows = rackdesk_core::bulk::store::JobStore::open_default().unwrap().rows(&id).unwrap();
    assert_eq!(rows[0].error_kind.as_deref(), Some("already-exists"), "{rows:?}");
    assert!(rows[0].result.as_deref().unwrap_or("").contains("late.comer@fabrikam.example is already a mailbox"), "{rows:?}");
    let jobs = call(&b, "bulk_jobs", json!({})).unwrap();
    assert_eq!(jobs[0]["jobId"], id.as_str(), "newest first: {jobs}");
    let _ = std::fs::remove_dir_all(&data);
}
