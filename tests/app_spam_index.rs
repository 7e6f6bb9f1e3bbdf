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
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let st = call(&a, "index_status", json!({})).unwrap();
        if !st["refreshing"].as_bool().unwrap() && !st["refreshedAt"].is_null() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the index was never filled: {st}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let ans = call(&a, "find_anywhere", json!({"text": name, "limit": 20})).unwrap();
    assert!(ans["rows"].as_array().unwrap().iter().any(|r| r["address"] == format!("{first}@{RS}") && r["kind"] == "mailbox"), "{ans}");
    let rows = call(&a, "indexed_mailboxes", json!({"domain": RS, "service": "rs"})).unwrap();
    let n = a.sim.with_store(|s| s.domains[RS].mailboxes.len());
    assert_eq!(rows["rows"].as_array().unwrap().len(), n);
    // A change through the app is in the index at once.
    call(&a, "set_mailbox_enabled", json!({"domain": RS, "name": first, "enabled": false})).unwrap();
    let rows = call(&a, "indexed_mailboxes", json!({"domain": RS, "service": "rs"})).unwrap();
    let row = rows["rows"].as_array().unwrap().iter().find(|r| r["name"] == first.as_str()).unwrap().clone();
    assert_eq!(row["enabled"], false, "{row}");
}
