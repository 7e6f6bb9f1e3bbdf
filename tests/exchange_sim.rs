//! Hosted Exchange, end to end in Rust: the core's operations (journal, allow-list,
//! validation, the wait for an asynchronous list change) against the simulator over real
//! sockets. The core was written from the API reference, the simulator too, separately; this
//! is where the two meet.

use rackdesk_core::exchange::{
    ContactChanges, ContactQuery, ExMailboxQuery, ListQuery, ExMailboxChanges, ListChanges, NewContact, NewExMailbox, NewList, PermissionLevel, RecipientChange, RecipientKind, SettleWait,
};
use rackdesk_core::identity::{Actor, Operator, Role, Session};
use rackdesk_core::journal::{Filter, Journal};
use rackdesk_core::names::EmailAddress;
use rackdesk_core::ops::{Ops, OpsError};
use rackdesk_core::{Client, ClientConfig, Credentials, RetryPolicy};
use rackdesk_sim::faults::{FaultKind, FaultRule};
use rackdesk_sim::{DataSet, SimConfig, Simulator};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

const UK: &str = "ExSimUserKey00000001";
const SK: &str = "ExSimSecretKey-abcdefghijklmnop";
/// The demo's Exchange-only domain.
const EX: &str = "adatum.example";

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
    cfg.async_delay = Duration::from_millis(150);
    let sim = Simulator::start_local(cfg).await.unwrap();
    let dir = std::env::temp_dir().join(format!("rackdesk-exsim-{}", rackdesk_core::sandbox_keys().0));
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
        identity_label: "Adatum".into(),
        account: "123456".into(),
        api_admin: Some("api-rackdesk".into()),
    };
    Ops::new(Session { actor, client }, w.journal.clone(), true)
}

fn addr(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

/// Quick polls for the simulator's short settle delay.
fn quick() -> SettleWait {
    SettleWait { interval: Duration::from_millis(100), max_wait: Duration::from_secs(10) }
}

fn journal_text(w: &World, target: &str) -> String {
    let f = Filter { target: Some(target.into()), ..Filter::default() };
    w.journal.query(&f).unwrap().iter().map(|e| format!("{} {:?}", e.action, e.outcome)).collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exchange_mailbox_is_created_changed_delegated_and_deleted() {
    let w = world().await;
    let o = ops(&w, Role::SuperAdmin);
    let c = o.session.client.clone();
    let a = addr(&format!("nadia.rahman@{EX}"));
    let mut n = NewExMailbox::new("Nadia Rahman", SecretString::from("Blue-Harbor7x!"), 2048);
    n.contact.job_title = Some("Buyer".into());
    o.create_ex_mailbox(&a, &n).await.unwrap();
    let m = c.ex_mailbox(EX, "nadia.rahman").await.unwrap();
    assert_eq!(m.display_name.as_deref(), Some("Nadia Rahman"));
    assert_eq!(m.size, Some(2048));

    // Display name, hidden, forwarding to an existing address of the domain, disable.
    let target = c.ex_mailboxes(EX, ExMailboxQuery::default()).await.unwrap().into_iter().find(|x| x.name != "nadia.rahman").unwrap();
    let ch = ExMailboxChanges {
        display_name: Some("Nadia R. Rahman".into()),
        is_hidden: Some(true),
        forward_to: Some(format!("{}@{EX}", target.name)),
        enabled: Some(false),
        ..Default::default()
    };
    o.edit_ex_mailbox(&a, &ch).await.unwrap();
    let m = c.ex_mailbox(EX, "nadia.rahman").await.unwrap();
    assert_eq!(m.display_name.as_deref(), Some("Nadia R. Rahman"));
    assert_eq!(m.is_hidden, Some(true));
    assert_eq!(m.enabled, Some(false));
    assert_eq!(m.forwarding().map(|s| s.to_lowercase()), Some(format!("{}@{EX}", target.name)));

    // A password reset, by the help desk (allowed), and a delegate (super admin only).
    let desk = ops(&w, Role::HelpDesk);
    desk.edit_ex_mailbox(&a, &ExMailboxChanges { password: Some(SecretString::from("Green-Valley9q!")), ..Default::default() })
        .await
        .unwrap();
    let refused = desk.grant_ex_permission(&a, &target.name, PermissionLevel::Both).await.unwrap_err();
    assert!(matches!(refused, OpsError::Refused(_)), "{refused:?}");
    o.grant_ex_permission(&a, &target.name, PermissionLevel::Both).await.unwrap();
    let perms = c.ex_permissions(EX, "nadia.rahman").await.unwrap();
    assert_eq!(perms.len(), 1, "{perms:?}");
    o.revoke_ex_permission(&a, &target.name).await.unwrap();
    assert!(c.ex_permissions(EX, "nadia.rahman").await.unwrap().is_empty());

    // A second mailbox of the same name is refused; then the mailbox is deleted.
    let dup = o.create_ex_mailbox(&a, &n).await.unwrap_err();
    assert_eq!(rackdesk_core::Explain::kind(&dup), rackdesk_core::ErrorKind::AlreadyExists, "{dup:?}");
    let desk_delete = desk.delete_ex_mailbox(&a).await.unwrap_err();
    assert!(matches!(desk_delete, OpsError::Refused(_)));
    o.delete_ex_mailbox(&a).await.unwrap();
    assert!(c.ex_mailbox(EX, "nadia.rahman").await.unwrap_err().is_not_found());

    let j = journal_text(&w, &a.to_string());
    for action in ["create", "delete"] {
        assert!(j.contains(action), "journal has the {action}: {j}");
    }
    assert!(j.contains("Refused"), "the help desk's refusals are journaled: {j}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_are_created_found_changed_and_deleted() {
    let w = world().await;
    let o = ops(&w, Role::SuperAdmin);
    let c = o.session.client.clone();
    let new = NewContact { display_name: "Ines Ferreira (Proseware)".into(), external_email: "ines.ferreira@proseware.example".into(), ..Default::default() };
    o.create_contact(EX, "ines-ferreira", &new).await.unwrap();
    let found = c.contacts(EX, ContactQuery::default()).await.unwrap();
    assert!(found.iter().any(|x| x.name == "ines-ferreira"), "listed");
    let shown = c.contact(EX, "ines-ferreira").await.unwrap();
    assert_eq!(shown.external_email.as_deref(), Some("ines.ferreira@proseware.example"));

    // The help desk edits contacts, but may not delete them.
    let desk = ops(&w, Role::HelpDesk);
    desk.edit_contact(EX, "ines-ferreira", &ContactChanges { display_name: Some("Ines Ferreira".into()), ..Default::default() }).await.unwrap();
    assert_eq!(c.contact(EX, "ines-ferreira").await.unwrap().display_name.as_deref(), Some("Ines Ferreira"));
    assert!(matches!(desk.delete_contact(EX, "ines-ferreira").await.unwrap_err(), OpsError::Refused(_)));

    // An outside address is required, and checked before sending.
    let bad = NewContact { display_name: "Nobody".into(), external_email: "not an address".into(), ..Default::default() };
    let e = o.create_contact(EX, "nobody", &bad).await.unwrap_err();
    assert_eq!(rackdesk_core::Explain::kind(&e), rackdesk_core::ErrorKind::InvalidInput, "{e:?}");

    o.delete_contact(EX, "ines-ferreira").await.unwrap();
    assert!(c.contact(EX, "ines-ferreira").await.unwrap_err().is_not_found());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_distribution_list_is_built_and_every_change_waits_for_exchange() {
    let w = world().await;
    let o = ops(&w, Role::SuperAdmin);
    let c = o.session.client.clone();
    let mailbox = c.ex_mailboxes(EX, ExMailboxQuery::default()).await.unwrap().into_iter().next().unwrap();
    let contact = c.contacts(EX, ContactQuery::default()).await.unwrap().into_iter().next().unwrap();
    let mailbox_addr = format!("{}@{EX}", mailbox.name);
    let contact_addr = c.contact(EX, &contact.name).await.unwrap().external_email.unwrap();
    let a = addr(&format!("project-atlas@{EX}"));

    let new = NewList { display_name: "Project Atlas".into(), members: vec![mailbox_addr.clone()], ..Default::default() };
    let created = o.create_list(&a, &new, quick()).await.unwrap();
    assert_eq!(created.common_name, "project-atlas");

    // Members: add the contact; allowed senders: the mailbox. Each returns once settled.
    o.change_list_recipients(&a, RecipientKind::Members, RecipientChange::Add, &[contact_addr.clone()], quick()).await.unwrap();
    let members = c.list_recipients(EX, "project-atlas", RecipientKind::Members).await.unwrap();
    assert_eq!(members.len(), 2, "{members:?}");
    o.change_list_recipients(&a, RecipientKind::Senders, RecipientChange::Add, &[mailbox_addr.clone()], quick()).await.unwrap();
    assert_eq!(c.list_recipients(EX, "project-atlas", RecipientKind::Senders).await.unwrap().len(), 1);

    // The help desk may change members, not the list itself.
    let desk = ops(&w, Role::HelpDesk);
    desk.change_list_recipients(&a, RecipientKind::Members, RecipientChange::Remove, &[contact_addr], quick()).await.unwrap();
    assert_eq!(c.list_recipients(EX, "project-atlas", RecipientKind::Members).await.unwrap().len(), 1);
    let refused = desk.edit_list(&a, &ListChanges { display_name: Some("Atlas".into()), ..Default::default() }, quick()).await.unwrap_err();
    assert!(matches!(refused, OpsError::Refused(_)));

    o.edit_list(&a, &ListChanges { display_name: Some("Project Atlas (2027)".into()), ..Default::default() }, quick()).await.unwrap();
    assert_eq!(c.list(EX, "project-atlas").await.unwrap().display_name.as_deref(), Some("Project Atlas (2027)"));

    // A change that Exchange fails after accepting it is an error in its words, never "done".
    w.sim.sim().add_fault(FaultRule { method: Some("DELETE".into()), remaining: Some(1), ..FaultRule::new(FaultKind::AsyncError) });
    let failed = o.delete_list(&a, quick()).await.unwrap_err();
    let f = rackdesk_core::Explain::failure(&failed);
    assert_eq!(f.kind, rackdesk_core::ErrorKind::Rejected, "{f:?}");
    assert!(f.detail.unwrap_or_default().contains("could not be completed"), "the server's words are kept");
    assert!(c.list(EX, "project-atlas").await.is_ok(), "the list is still there");
    o.delete_list(&a, quick()).await.unwrap();
    assert!(c.list(EX, "project-atlas").await.unwrap_err().is_not_found());

    // Every list read went through the JSON model: no form body was ever sent to a list.
    let lists_paged = c.lists(EX, ListQuery::default()).await.unwrap();
    assert!(lists_paged.len() >= 14, "all the demo's lists, over marker pages: {}", lists_paged.len());
}
