//! Spam protection and the local index through Tauri's real IPC path on the mock runtime,
//! against the in-app sandbox's demo data.

mod common;

use common::{app, call, App};
use serde_json::{json, Value};

const RS: &str = "fabrikam.example";
const EX: &str = "adatum.example";

fn first_mailbox(a: &App, domain: &str, exchange: bool) -> String {
    a.sim.with_store(|s| if exchange { s.domains[domain].ex_mailboxes.keys().next().cloned() } else { s.domains[domain].mailboxes.keys().next().cloned() }.unwrap())
}

fn become_help_desk(a: &App) {
    call(a, "set_passphrase", json!({"newPassphrase": "desk passphrase 42", "current": null})).unwrap();
    let st = call(a, "switch_role", json!({"role": "help-desk", "passphrase": null})).unwrap();
    assert_eq!(st["role"], "help desk");
}

fn list<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["lists"].as_array().unwrap().iter().find(|l| l["list"] == name).unwrap()
}

#[test]
fn a_domain_and_its_mailboxes_spam_protection_is_read_changed_and_explained() {
    let a = app();
    let v = call(&a, "spam_view", json!({"target": RS})).unwrap();
    assert_eq!((v["ownerKind"].as_str(), v["title"].as_str()), (Some("domain"), Some(format!("the domain {RS}").as_str())));
    assert!(v["lines"].as_array().unwrap().iter().any(|l| l["key"] == "filterLevel"), "{v}");
    assert_eq!(v["lists"].as_array().unwrap().len(), 4);
    assert!(v["settingsRefusal"].is_null());

    // Block a whole domain for the domain: typed as a bare domain, read as @domain.
    let c = call(&a, "spam_check_entry", json!({"text": "Spam-King.example", "side": "block"})).unwrap();
    assert_eq!((c["entry"].as_str(), c["list"].as_str()), (Some("@spam-king.example"), Some("block")), "{c}");
    assert!(c["note"].as_str().unwrap().contains("@spam-king.example"));
    let ip = call(&a, "spam_check_entry", json!({"text": "203.0.113.9", "side": "block"})).unwrap();
    assert_eq!(ip["list"], "ip-block", "an IP address goes to the IP list");
    let bad = call(&a, "spam_check_entry", json!({"text": "not an entry", "side": "safe"})).unwrap_err();
    assert_eq!(bad["kind"], "invalid-input", "{bad}");
    let r = call(&a, "spam_change_list", json!({"target": RS, "list": "block", "add": ["@spam-king.example"], "remove": []})).unwrap();
    assert_eq!(r["sentences"][0], format!("Added @spam-king.example to the blocked senders of the domain {RS}."));
    assert_eq!((r["list"].as_str(), r["added"][0]["entry"].as_str()), (Some("block"), Some("@spam-king.example")), "{r}");
    let v = call(&a, "spam_view", json!({"target": RS})).unwrap();
    assert!(list(&v, "block")["entries"].as_array().unwrap().iter().any(|e| e["entry"] == "@spam-king.example"));
    assert!(a.sim.with_store(|s| s.domains[RS].spam.lists.blocklist.contains("@spam-king.example")));
    let why = call(&a, "spam_why", json!({"target": RS, "sender": "offers@spam-king.example"})).unwrap();
    assert_eq!(why["result"], "blocked", "{why}");
    assert!(why["decidedBy"].as_str().unwrap().contains("@spam-king.example"), "{why}");

    // A mailbox set to exclusive, and a safe sender for it.
    let m = first_mailbox(&a, RS, false);
    let addr = format!("{m}@{RS}");
    let r = call(&a, "spam_set", json!({"target": addr, "filterLevel": "exclusive", "handling": "toFolder", "forwardTo": null})).unwrap();
    assert_eq!(r["filterLevel"], "exclusive", "{r}");
    assert!(r["lines"].as_array().unwrap().iter().any(|l| l["key"] == "filterLevel" && l["value"].as_str().unwrap().contains("exclusive")), "{r}");
    assert!(a.sim.with_store(|s| s.domains[RS].mailboxes[&m].spam.filter_level == rackdesk_sim::spam::FilterLevel::Exclusive));
    let r = call(&a, "spam_change_list", json!({"target": addr, "list": "safe", "add": ["boss@partner.example"], "remove": []})).unwrap();
    assert!(r["sentences"][0].as_str().unwrap().starts_with("Added boss@partner.example"));
    assert!(a.sim.with_store(|s| s.domains[RS].mailboxes[&m].spam.lists.safelist.contains("boss@partner.example")));
    let why = call(&a, "spam_why", json!({"target": addr, "sender": "someone@elsewhere.example"})).unwrap();
    assert_eq!(why["result"], "not-accepted", "exclusive: only safe senders get through: {why}");
    // An Exchange mailbox has no Rackspace Email handling to choose.
    let ex = format!("{}@{EX}", first_mailbox(&a, EX, true));
    let v = call(&a, "spam_view", json!({"target": ex})).unwrap();
    assert_eq!(v["ownerKind"], "ex-mailbox");
    assert!(v["handlings"].as_array().unwrap().is_empty() && v["handling"].is_null(), "{v}");
    // Removing.
    let r = call(&a, "spam_change_list", json!({"target": RS, "list": "block", "add": [], "remove": ["@spam-king.example"]})).unwrap();
    assert!(r["sentences"][0].as_str().unwrap().starts_with("Removed @spam-king.example"));
    assert!(!a.sim.with_store(|s| s.domains[RS].spam.lists.blocklist.contains("@spam-king.example")));
}

#[test]
fn the_help_desk_may_add_a_mailboxs_safe_senders_and_is_refused_the_rest() {
    let a = app();
    become_help_desk(&a);
    let m = first_mailbox(&a, RS, false);
    let addr = format!("{m}@{RS}");
    let v = call(&a, "spam_view", json!({"target": addr})).unwrap();
    assert!(list(&v, "safe")["refusal"].is_null(), "{v}");
    assert!(list(&v, "block")["refusal"].as_str().unwrap().starts_with("As help desk you cannot"), "{v}");
    assert!(v["settingsRefusal"].as_str().is_some());
    call(&a, "spam_change_list", json!({"target": addr, "list": "safe", "add": ["@supplier.example"], "remove": []})).unwrap();
    for (target, list, what) in [(addr.as_str(), "block", "a mailbox's blocked senders"), (RS, "safe", "the domain's safe senders")] {
        let e = call(&a, "spam_change_list", json!({"target": target, "list": list, "add": ["@x.example"], "remove": []})).unwrap_err();
        assert_eq!(e["kind"], "not-allowed", "{what}: {e}");
    }
    let e = call(&a, "spam_set", json!({"target": RS, "filterLevel": "off", "handling": null, "forwardTo": null})).unwrap_err();
    assert_eq!(e["kind"], "not-allowed", "{e}");
    assert!(a.sim.with_store(|s| s.domains[RS].spam.filter_level == rackdesk_sim::spam::FilterLevel::On), "nothing reached the server");
}

/// Waits until the index refresh a search started has finished.
fn wait_for_index(a: &App) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let st = call(a, "index_status", json!({})).unwrap();
        if !st["refreshing"].as_bool().unwrap() && !st["refreshedAt"].is_null() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the index was never filled: {st}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// The rows of a list command, keyed by name, with only the fields named.
fn by_name(v: &Value, fields: &[&str]) -> std::collections::BTreeMap<String, Vec<Value>> {
    let rows = v.get("rows").unwrap_or(v);
    rows.as_array().unwrap().iter().map(|r| (r["name"].as_str().unwrap().to_string(), fields.iter().map(|f| r[*f].clone()).collect())).collect()
}

#[test]
fn aliases_contacts_and_lists_open_from_the_index_as_rackspace_lists_them_and_follow_changes() {
    let a = app();
    for (cmd, domain) in [("indexed_aliases", RS), ("indexed_contacts", EX), ("indexed_dlists", EX)] {
        assert!(call(&a, cmd, json!({"domain": domain})).unwrap().is_null(), "{cmd}: no index yet");
    }
    call(&a, "refresh_index", json!({})).unwrap();
    wait_for_index(&a);
    let aliases = call(&a, "indexed_aliases", json!({"domain": RS})).unwrap();
    assert!(aliases["asOf"].as_str().unwrap().len() >= 20, "{aliases}");
    let fields = ["address", "members", "singleMember"];
    assert_eq!(by_name(&aliases, &fields), by_name(&call(&a, "list_aliases", json!({"domain": RS})).unwrap(), &fields));
    assert!(!by_name(&aliases, &fields).is_empty(), "the demo domain has aliases");
    let fields = ["displayName", "email"];
    let contacts = call(&a, "indexed_contacts", json!({"domain": EX})).unwrap();
    assert_eq!(by_name(&contacts, &fields), by_name(&call(&a, "list_contacts", json!({"domain": EX, "search": null})).unwrap(), &fields));
    assert!(!by_name(&contacts, &fields).is_empty(), "the demo domain has contacts");
    let fields = ["address", "displayName", "members"];
    let lists = call(&a, "indexed_dlists", json!({"domain": EX})).unwrap();
    assert_eq!(by_name(&lists, &fields), by_name(&call(&a, "list_dlists", json!({"domain": EX})).unwrap(), &fields));
    let (list, count) = by_name(&lists, &fields).into_iter().next().map(|(n, v)| (n, v[2].as_u64().unwrap())).expect("the demo domain has lists");

    // Changes through the app are in the index at once.
    let (m1, m2) = a.sim.with_store(|s| {
        let mut names = s.domains[RS].mailboxes.keys();
        (names.next().cloned().unwrap(), names.next().cloned().unwrap())
    });
    let members = vec![format!("{m1}@{RS}"), format!("{m2}@{RS}")];
    call(&a, "create_alias", json!({"domain": RS, "name": "index-check", "members": members})).unwrap();
    let aliases = by_name(&call(&a, "indexed_aliases", json!({"domain": RS})).unwrap(), &["members", "singleMember"]);
    assert_eq!(aliases["index-check"], vec![json!(2), Value::Null], "{aliases:?}");
    call(&a, "delete_alias", json!({"domain": RS, "name": "index-check", "confirmAddress": format!("index-check@{RS}")})).unwrap();
    assert!(!by_name(&call(&a, "indexed_aliases", json!({"domain": RS})).unwrap(), &[]).contains_key("index-check"));
    let detail = call(&a, "dlist_detail", json!({"domain": EX, "name": list})).unwrap();
    let newcomer = a
        .sim
        .with_store(|s| s.domains[EX].ex_mailboxes.keys().map(|n| format!("{n}@{EX}")).find(|addr| !detail["members"].to_string().contains(addr.as_str())))
        .expect("an Exchange mailbox that is not on the list");
    call(&a, "change_dlist_recipients", json!({"domain": EX, "name": list, "kind": "members", "action": "add", "addresses": [newcomer]})).unwrap();
    let lists = by_name(&call(&a, "indexed_dlists", json!({"domain": EX})).unwrap(), &["members"]);
    assert_eq!(lists[&list], vec![json!(count + 1)], "{lists:?}");
    let server = by_name(&call(&a, "list_dlists", json!({"domain": EX})).unwrap(), &["members"]);
    assert_eq!(lists[&list], server[&list], "the index counts the list's members as Rackspace does");
}

#[test]
fn find_reads_the_account_once_then_lists_come_from_the_index() {
    let a = app();
    assert!(call(&a, "indexed_mailboxes", json!({"domain": RS, "service": "rs"})).unwrap().is_null(), "no index yet");
    let (first, name) = a.sim.with_store(|s| {
        let (n, m) = s.domains[RS].mailboxes.iter().next().unwrap();
        (n.clone(), m.display_name.clone())
    });
    let ans = call(&a, "find_anywhere", json!({"text": name, "limit": 20})).unwrap();
    assert_eq!(ans["index"]["refreshing"], true, "the first search starts reading the account: {ans}");
    wait_for_index(&a);
    let ans = call(&a, "find_anywhere", json!({"text": name, "limit": 20})).unwrap();
    assert!(ans["rows"].as_array().unwrap().iter().any(|r| r["address"] == format!("{first}@{RS}") && r["kind"] == "mailbox"), "{ans}");
    let rows = call(&a, "indexed_mailboxes", json!({"domain": RS, "service": "rs"})).unwrap();
    let n = a.sim.with_store(|s| s.domains[RS].mailboxes.len());
    assert_eq!(rows["rows"].as_array().unwrap().len(), n);
    assert_eq!(rows["total"], n);
    // The first screen alone: the first rows by name, and how many there are in all.
    let head = call(&a, "indexed_mailboxes", json!({"domain": RS, "service": "rs", "first": 5})).unwrap();
    assert_eq!(head["total"], n);
    assert_eq!(head["rows"].as_array().unwrap()[..], rows["rows"].as_array().unwrap()[..5]);
    // A change through the app is in the index at once.
    call(&a, "set_mailbox_enabled", json!({"domain": RS, "name": first, "enabled": false})).unwrap();
    let rows = call(&a, "indexed_mailboxes", json!({"domain": RS, "service": "rs"})).unwrap();
    let row = rows["rows"].as_array().unwrap().iter().find(|r| r["name"] == first.as_str()).unwrap().clone();
    assert_eq!(row["enabled"], false, "{row}");
}

#[test]
fn the_sandbox_index_is_deleted_when_the_app_quits_and_made_afresh_if_needed_again() {
    use tauri::Manager;
    let a = app();
    call(&a, "refresh_index", json!({})).unwrap();
    wait_for_index(&a);
    let state = a.app.state::<rackdesk_app::state::AppState>();
    let path = state.sandbox_index_path().to_path_buf();
    assert!(path.exists(), "the sandbox's index is a file while the app runs: {}", path.display());
    assert!(path.starts_with(std::env::temp_dir()), "{}", path.display());
    // What the app does on quitting.
    state.remove_sandbox_index();
    for ext in ["sqlite3", "sqlite3-wal", "sqlite3-shm"] {
        assert!(!path.with_extension(ext).exists(), "{ext} left behind");
    }
    let st = call(&a, "index_status", json!({})).unwrap();
    assert!(st["refreshedAt"].is_null(), "a new, empty index: {st}");
    state.remove_sandbox_index();
}

#[test]
fn sandbox_indexes_left_by_runs_that_ended_are_swept_and_others_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mine = format!("rackdesk-sandbox-index-{}-0.sqlite3", std::process::id());
    // A process id above the kernel's limit (4,194,304) never runs.
    let gone = ["rackdesk-sandbox-index-4999999-0.sqlite3", "rackdesk-sandbox-index-4999999-0.sqlite3-wal"];
    let other = "rackdesk-journal.sqlite3";
    for f in gone.iter().copied().chain([mine.as_str(), other]) {
        std::fs::write(dir.path().join(f), b"x").unwrap();
    }
    assert_eq!(rackdesk_app::state::AppState::sweep_sandbox_indexes(dir.path()), 2);
    for f in gone {
        assert!(!dir.path().join(f).exists(), "{f} swept");
    }
    assert!(dir.path().join(&mine).exists(), "this run's index is kept");
    assert!(dir.path().join(other).exists(), "other files are not touched");
}
