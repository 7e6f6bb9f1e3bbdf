//! Every change goes through the journal and the role's allow-list: tested against the
//! simulator over real sockets with a real SQLite journal file.

use rackdesk_core::api::{MailboxChanges, NewMailbox};
use rackdesk_core::identity::{Actor, Operator, Role, Session};
use rackdesk_core::journal::{Filter, Intent, Journal, Outcome};
use rackdesk_core::names::EmailAddress;
use rackdesk_core::ops::{Ops, OpsError};
use rackdesk_core::{Client, ClientConfig, Credentials, RetryPolicy};
use rackdesk_sim::{DataSet, SimConfig, Simulator};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

const UK: &str = "OpsUserKey0000000001";
const SK: &str = "OpsSecretKey-abcdefghijklmnop";

struct World {
    sim: Simulator,
    dir: std::path::PathBuf,
    journal: Arc<Journal>,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn world() -> World {
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = DataSet::Demo;
    cfg.minute = Duration::from_millis(500);
    let sim = Simulator::start_local(cfg).await.unwrap();
    let dir = std::env::temp_dir().join(format!("rackdesk-ops-{}", rackdesk_core::sandbox_keys().0));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = Arc::new(Journal::open(&dir.join("journal.sqlite3")).unwrap());
    World { sim, dir, journal }
}

fn ops(w: &World, role: Role) -> Ops {
    let mut c = ClientConfig::new(w.sim.api_url());
    c.scheduler = rackdesk_core::limits::Scheduler::new(rackdesk_core::limits::Limits::with_window(Duration::from_millis(500)));
    c.retry = RetryPolicy { backoff: Duration::from_millis(10), ..RetryPolicy::default() };
    let client = Client::new(c, Credentials::new(UK, SecretString::from(SK)).unwrap()).unwrap();
    let actor = Actor {
        operator: Operator::new(if role == Role::HelpDesk { "sam" } else { "dana" }, role),
        identity_label: "Northwind".into(),
        account: "123456".into(),
        api_admin: Some("api-rackdesk".into()),
    };
    Ops::new(Session { actor, client }, w.journal.clone(), true)
}

fn addr(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

fn writes(w: &World) -> usize {
    w.sim.sim().requests().iter().filter(|r| r.method != "GET").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_writes_intent_and_outcome_with_both_identities() {
    let w = world().await;
    let o = ops(&w, Role::SuperAdmin);
    let a = addr("new.hire@fabrikam.example");
    let mut n = NewMailbox::new(SecretString::from("Blue-Harbor7x"), 2048);
    n.display_name = Some("New Hire".into());
    o.create_mailbox(&a, &n).await.unwrap();
    o.edit_mailbox(&a, &MailboxChanges { enabled: Some(false), ..Default::default() }).await.unwrap();
    o.edit_mailbox(&a, &MailboxChanges { password: Some(SecretString::from("Green-Valley9q")), ..Default::default() }).await.unwrap();
    o.create_alias(&addr("crew@fabrikam.example"), &["new.hire@fabrikam.example".into()]).await.unwrap();
    o.set_alias_members(&addr("crew@fabrikam.example"), &["new.hire@fabrikam.example".into(), "x@example.org".into()]).await.unwrap();
    o.delete_alias(&addr("crew@fabrikam.example")).await.unwrap();
    o.delete_mailbox(&a, false).await.unwrap();
    // A failing change is journaled with the server's words.
    let e = o.delete_mailbox(&addr("nobody.here@fabrikam.example"), false).await.unwrap_err();
    assert!(matches!(e, OpsError::Api(_)));

    let all = w.journal.query(&Filter::default()).unwrap();
    let actions: Vec<&str> = all.iter().rev().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, [
        "mailbox.create", "mailbox.disable", "mailbox.reset-password", "alias.create", "alias.members", "alias.delete",
        "mailbox.delete", "mailbox.delete"
    ]);
    for e in &all {
        assert_eq!(e.operator, "dana");
        assert_eq!(e.api_admin.as_deref(), Some("api-rackdesk"));
        assert_eq!(e.account, "123456");
        assert!(e.sandbox);
        assert!(e.outcome.is_some(), "{} has its outcome", e.action);
    }
    assert_eq!(all[0].outcome, Some(Outcome::Failed {
        kind: "not-found".into(),
        message: "Rackspace could not find that mailbox. Check the spelling.".into(),
        server_message: Some("Mailbox not found".into()),
    }));
    let disable = all.iter().find(|e| e.action == "mailbox.disable").unwrap();
    assert_eq!(disable.changes["enabled"], serde_json::json!({"old": true, "new": false}));
    let members = all.iter().find(|e| e.action == "alias.members").unwrap();
    assert_eq!(members.changes["members"]["old"], serde_json::json!(["new.hire@fabrikam.example"]));
    // Passwords are never recorded.
    let text = std::fs::read(w.journal.path()).unwrap();
    let text = String::from_utf8_lossy(&text);
    assert!(!text.contains("Blue-Harbor7x") && !text.contains("Green-Valley9q"));
    let reset = all.iter().find(|e| e.action == "mailbox.reset-password").unwrap();
    assert_eq!(reset.changes["password"], "changed");
    assert!(w.journal.verify().unwrap().problems.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_desk_may_do_daily_work_and_is_refused_the_rest_in_the_core() {
    let w = world().await;
    let o = ops(&w, Role::HelpDesk);
    let target = w.sim.sim().with_store(|s| s.domains["northwind.example"].mailboxes.keys().next().cloned().unwrap());
    let a = addr(&format!("{target}@northwind.example"));
    // Allowed: reset password, disable, forwarding, auto-reply, display name, alias members.
    o.edit_mailbox(&a, &MailboxChanges { password: Some(SecretString::from("Green-Valley9q")), ..Default::default() }).await.unwrap();
    o.edit_mailbox(&a, &MailboxChanges { enabled: Some(false), display_name: Some("X".into()), ..Default::default() }).await.unwrap();
    o.create_alias(&addr("desk@northwind.example"), &[a.to_string()]).await.unwrap();
    let before = writes(&w);
    // Refused, each before any request, each journaled as refused.
    let refused: Vec<(&str, Result<(), OpsError>)> = vec![
        ("mailbox.delete", o.delete_mailbox(&a, false).await.map(|_| ())),
        ("alias.delete", o.delete_alias(&addr("desk@northwind.example")).await),
        ("mailbox.create", o.create_mailbox(&addr("x1@northwind.example"), &NewMailbox::new(SecretString::from("Blue-Harbor7x"), 100)).await),
        ("mailbox.size", o.edit_mailbox(&a, &MailboxChanges { size: Some(100), ..Default::default() }).await),
        ("admin.create", o.create_admin("api-x", &rackdesk_core::api::NewAdmin {
            admin_type: "super".into(), password: SecretString::from("Blue-Harbor7x"), first_name: "A".into(), last_name: "B".into(), email: "a@example.com".into(),
        }).await),
    ];
    for (action, r) in refused {
        let e = r.unwrap_err();
        assert!(matches!(e, OpsError::Refused(_)), "{action}: {e:?}");
        assert!(e.user_message().starts_with("As help desk you cannot do this here"), "{}", e.user_message());
        let rows = w.journal.query(&Filter { action: Some(action.into()), outcome: Some("refused".into()), ..Default::default() }).unwrap();
        assert_eq!(rows.len(), 1, "{action} journaled as refused");
        assert_eq!(rows[0].operator, "sam");
        assert_eq!(rows[0].role, "help desk");
    }
    assert_eq!(writes(&w), before, "nothing refused reached Rackspace");
    // A mixed change is refused whole if any part is not allowed.
    let e = o.edit_mailbox(&a, &MailboxChanges { enabled: Some(true), size: Some(100), ..Default::default() }).await.unwrap_err();
    assert!(matches!(e, OpsError::Refused(_)));
    assert_eq!(writes(&w), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_request_and_outcome_is_reconciled_on_the_next_start() {
    let w = world().await;
    let o = ops(&w, Role::SuperAdmin);
    let intent = |action: &str, target: &str, changes: serde_json::Value| -> Intent {
        rackdesk_core::ops::intent_for(&o.session.actor, true, None, action, target, changes)
    };
    // Crash after the request: the intent is written, the change happens, no outcome.
    let made = w.journal.begin(&intent("mailbox.create", "made.it@fabrikam.example", serde_json::json!({}))).unwrap();
    o.session.client.create_mailbox("fabrikam.example", "made.it", &NewMailbox::new(SecretString::from("Blue-Harbor7x"), 100)).await.unwrap();
    // Crash before the request: intent only, nothing happened.
    let lost = w.journal.begin(&intent("mailbox.create", "never.made@fabrikam.example", serde_json::json!({}))).unwrap();
    // Crash during a disable that did happen.
    let target = w.sim.sim().with_store(|s| s.domains["northwind.example"].mailboxes.keys().next().cloned().unwrap());
    let addr_s = format!("{target}@northwind.example");
    let dis = w.journal.begin(&intent("mailbox.disable", &addr_s, serde_json::json!({"enabled": {"old": true, "new": false}}))).unwrap();
    o.session.client.edit_mailbox("northwind.example", &target, &MailboxChanges { enabled: Some(false), ..Default::default() }).await.unwrap();
    assert_eq!(w.journal.unfinished().unwrap().len(), 3);

    // "Next start": a new journal handle on the same file.
    let j2 = Arc::new(Journal::open(w.journal.path()).unwrap());
    let o2 = Ops::new(o.session.clone(), j2.clone(), true);
    // Entries this young may belong to another running Rackdesk: the normal start leaves them.
    assert!(o2.reconcile().await.unwrap().is_empty());
    let settled = o2.reconcile_before(chrono::Utc::now() + chrono::Duration::seconds(1)).await.unwrap();
    assert_eq!(settled.len(), 3, "{settled:?}");
    let result = |id| settled.iter().find(|(i, _)| *i == id).map(|(_, r)| r.clone()).unwrap();
    assert!(result(made).starts_with("applied"), "{}", result(made));
    assert!(result(lost).starts_with("not applied"), "{}", result(lost));
    assert!(result(dis).starts_with("applied"), "{}", result(dis));
    assert!(j2.unfinished().unwrap().is_empty());
    assert!(matches!(j2.entry(made).unwrap().unwrap().outcome, Some(Outcome::Reconciled { .. })));
}

#[test]
fn a_damaged_journal_is_refused_with_a_plain_message() {
    let dir = std::env::temp_dir().join(format!("rackdesk-ops-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("journal.sqlite3");
    std::fs::write(&bad, b"this is not a database, it is a file of text that someone put here").unwrap();
    let e = Journal::open(&bad).map(|_| ()).unwrap_err();
    let err = OpsError::Journal(e);
    assert!(err.user_message().contains("Nothing was changed"), "{}", err.user_message());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_name_is_refused_before_sending_and_a_deleted_mailbox_leaves_its_aliases() {
    let w = world().await;
    let o = ops(&w, Role::SuperAdmin);
    let other = w.sim.sim().with_store(|s| s.domains["fabrikam.example"].mailboxes.keys().next().cloned().unwrap());
    let other = format!("{other}@fabrikam.example");
    let a = addr("leaver@fabrikam.example");
    let pw = || NewMailbox::new(SecretString::from("Blue-Harbor7x"), 2048);
    o.create_mailbox(&a, &pw()).await.unwrap();
    o.create_alias(&addr("crew@fabrikam.example"), &[a.to_string(), other.clone()]).await.unwrap();
    o.create_alias(&addr("solo@fabrikam.example"), &[a.to_string()]).await.unwrap();

    // Already exists: said before anything is sent, naming what holds the name.
    let before = writes(&w);
    let e = o.create_mailbox(&a, &pw()).await.unwrap_err();
    assert_eq!(e.kind(), rackdesk_core::ErrorKind::AlreadyExists);
    assert_eq!(e.user_message(), "leaver@fabrikam.example is already a mailbox. Open it, or choose another name. Nothing was changed.");
    let e = o.create_mailbox(&addr("crew@fabrikam.example"), &pw()).await.unwrap_err();
    assert!(matches!(e, OpsError::AlreadyExists { existing: Some(rackdesk_core::addresses::Existing::Alias), .. }), "{e:?}");
    let e = o.create_alias(&a, std::slice::from_ref(&other)).await.unwrap_err();
    assert!(e.user_message().contains("is already a mailbox"), "{}", e.user_message());
    assert_eq!(writes(&w), before, "nothing was sent");

    // Refused while aliases deliver to it, naming them.
    let impact = rackdesk_core::addresses::mailbox_delete_impact(&o.session.client, &a).await.unwrap();
    assert_eq!(impact.aliases, ["crew@fabrikam.example", "solo@fabrikam.example"]);
    assert_eq!(impact.emptied, ["solo@fabrikam.example"]);
    let e = o.delete_mailbox(&a, false).await.unwrap_err();
    assert_eq!(e.kind(), rackdesk_core::ErrorKind::AliasesDeliverHere);
    let m = e.user_message();
    assert!(m.contains("crew@fabrikam.example, solo@fabrikam.example") && m.contains("solo@fabrikam.example would be left with no address"), "{m}");
    assert_eq!(writes(&w), before, "nothing was sent");

    // With the option: taken out of crew, solo deleted, then the mailbox.
    let done = o.delete_mailbox(&a, true).await.unwrap();
    assert_eq!(done, impact);
    w.sim.sim().with_store(|s| {
        let d = &s.domains["fabrikam.example"];
        assert_eq!(d.aliases["crew"], vec![other.clone()]);
        assert!(!d.aliases.contains_key("solo"));
        assert!(!d.mailboxes.contains_key("leaver"));
    });
    let all = w.journal.query(&Filter::default()).unwrap();
    let last: Vec<(&str, &str)> = all.iter().take(3).rev().map(|e| (e.action.as_str(), e.target.as_str())).collect();
    assert_eq!(last, [("alias.members", "crew@fabrikam.example"), ("alias.delete", "solo@fabrikam.example"), ("mailbox.delete", "leaver@fabrikam.example")]);
    assert!(all.iter().take(3).all(|e| e.outcome == Some(Outcome::Success)));
}
