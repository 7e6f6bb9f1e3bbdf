//! The signed client against the simulator, in-process over a real TCP socket.
//!
//! Each test starts its own simulator on 127.0.0.1:0 and gives its client its own
//! [`Scheduler`] (never the global one), with the client's rate window equal to the
//! simulator's "minute", so the real pacing rules run, only faster.

use futures::{StreamExt, TryStreamExt};
use rackdesk_core::api::{
    AdminChanges, MailboxChanges, MailboxField, MailboxQuery, NewAdmin, NewMailbox, Search, Vacation,
};
use rackdesk_core::client::{ClientConfig, ClientEvent, Credentials, RetryPolicy};
use rackdesk_core::error::{ApiError, SendPhase};
use rackdesk_core::limits::{Limits, Scheduler};
use rackdesk_core::sign::{self, Clock};
use rackdesk_core::Client;
use rackdesk_sim::faults::{FaultKind, FaultRule};
use rackdesk_sim::store::hash_password;
use rackdesk_sim::{DataSet, LoggedRequest, SimConfig, SimLimits, Simulator};
use secrecy::SecretString;
use std::collections::{BTreeSet, HashSet};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const USER_KEY: &str = "AbCdEfGhIjKlMnOpQrSt";
const SECRET_KEY: &str = "0123456789abcdefghijABCDEFGHIJklmnopqrst";
/// The one domain of `DataSet::Empty`.
const DOMAIN: &str = "example.com";
/// A short "minute" for tests that do not exercise the limits (they stay far below them).
const MINUTE: Duration = Duration::from_millis(2000);

// ---------------------------------------------------------------- helpers

fn sim_config(data: DataSet, minute: Duration) -> SimConfig {
    let mut c = SimConfig::new(USER_KEY, SECRET_KEY);
    c.data = data;
    c.minute = minute;
    c
}

async fn start(cfg: SimConfig) -> Simulator {
    Simulator::start_local(cfg).await.expect("the simulator starts")
}

/// A client configuration with its own scheduler and a fast retry policy.
fn client_config(api_url: &str, window: Duration) -> ClientConfig {
    let mut c = ClientConfig::new(api_url);
    c.scheduler = Scheduler::new(Limits::with_window(window));
    c.retry = RetryPolicy { throttle_retries: 4, transient_retries: 2, backoff: Duration::from_millis(20) };
    c.timeout = Duration::from_secs(10);
    c.connect_timeout = Duration::from_secs(5);
    c
}

fn client_with(cfg: ClientConfig, user_key: &str, secret: &str) -> Client {
    let creds = Credentials::new(user_key, SecretString::from(secret.to_owned())).expect("well-formed keys");
    Client::new(cfg, creds).expect("a valid client configuration")
}

fn client(sim: &Simulator, window: Duration) -> Client {
    client_with(client_config(sim.api_url(), window), USER_KEY, SECRET_KEY)
}

/// Records every event the client reports.
fn recording_events(cfg: &mut ClientConfig) -> Arc<Mutex<Vec<ClientEvent>>> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    cfg.events = Some(Arc::new(move |e: &ClientEvent| sink.lock().unwrap().push(e.clone())));
    events
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn new_mailbox(password: &str) -> NewMailbox {
    let mut n = NewMailbox::new(secret(password), 2048);
    n.display_name = Some("Jane Doe".into());
    n.first_name = Some("Jane".into());
    n.last_name = Some("Doe".into());
    n
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn expect_invalid<T: Debug>(what: &str, r: Result<T, ApiError>) {
    match r {
        Err(ApiError::InvalidInput { .. }) => {}
        other => panic!("{what}: expected InvalidInput, got {other:?}"),
    }
}

fn expect_not_found<T: Debug>(what: &str, r: Result<T, ApiError>) {
    match r {
        Err(ApiError::NotFound(reply)) => assert_eq!(reply.status, 404, "{what}"),
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

fn requests_to(sim: &Simulator, method: &str, path_suffix: &str) -> Vec<LoggedRequest> {
    sim.sim().requests().into_iter().filter(|r| r.method == method && r.path.ends_with(path_suffix)).collect()
}

fn statuses(reqs: &[LoggedRequest]) -> Vec<u16> {
    reqs.iter().map(|r| r.status).collect()
}

/// One raw signed GET, bypassing the client: `header_ua` is what the `User-Agent` header
/// says (or no header at all), `signed_ua` what went into the signature.
async fn raw_get(url: &str, header_ua: Option<&str>, signed_ua: &str, accept: &str) -> reqwest::Response {
    let ts = sign::timestamp(sign::SystemClock.now_utc());
    let sig = sign::signature_header(USER_KEY, signed_ua, &ts, SECRET_KEY);
    // reqwest sends no User-Agent of its own unless told to.
    let http = reqwest::Client::new();
    let mut rb = http.get(url).header("X-Api-Signature", sig).header("Accept", accept);
    if let Some(ua) = header_ua {
        rb = rb.header("User-Agent", ua);
    }
    rb.send().await.expect("the simulator answers")
}

// ---------------------------------------------------------------- 1. every operation

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_admins_and_domains_are_read() {
    let sim = start(sim_config(DataSet::Demo, MINUTE)).await;
    let c = client(&sim, MINUTE);

    let me = c.customer().await.unwrap();
    assert_eq!(me.name, "Northwind Traders (demo)");
    assert_eq!(me.account_number, rackdesk_sim::seed::DEMO_ACCOUNT);
    assert_eq!(me.reference_number.as_deref(), Some("NW-0042"));

    let admins = c.admins().await.unwrap();
    let ids: Vec<&str> = admins.iter().map(|a| a.admin_id.as_str()).collect();
    assert_eq!(ids, vec![rackdesk_sim::seed::API_ADMIN, "dana.whitfield", "helpdesk.lead"]);
    let dana = c.admin("dana.whitfield").await.unwrap();
    assert!(dana.is_super(), "{dana:?}");
    assert_eq!(dana.first_name.as_deref(), Some("Dana"));
    assert_eq!(dana.email.as_deref(), Some("dana.whitfield@northwind.example"));
    assert_eq!(dana.enabled, Some(true));
    let help = c.admin("helpdesk.lead").await.unwrap();
    assert!(!help.is_super(), "{help:?}");
    expect_not_found("unknown admin", c.admin("nobody.here").await);

    let domains = c.domains().await.unwrap();
    let names: Vec<&str> = domains.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, vec!["adatum.example", "contoso-lab.example", "fabrikam.example", "northwind.example", "tailspin.example"]);
    let service = |n: &str| domains.iter().find(|d| d.name == n).and_then(|d| d.service_type.clone());
    assert_eq!(service("adatum.example").as_deref(), Some("exchange"));
    assert_eq!(service("tailspin.example").as_deref(), Some("both"));
    assert_eq!(service("northwind.example").as_deref(), Some("rsemail"));

    // Domain names are case-insensitive: the client lower-cases before sending.
    let nw = c.domain("Northwind.Example").await.unwrap();
    assert_eq!(nw.name, "northwind.example");
    assert_eq!(nw.rs_email_max_number_mailboxes, Some(400));
    assert_eq!(nw.aliases, Some(vec!["northwind-traders.example".to_string()]));
    let used: u64 = sim.sim().with_store(|s| s.domains["northwind.example"].mailboxes.values().map(|m| m.current_usage).sum());
    assert_eq!(nw.rs_email_used_storage, Some(used));
    expect_not_found("unknown domain", c.domain("nowhere.example").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailboxes_are_listed_searched_filtered_and_shown() {
    let sim = start(sim_config(DataSet::Demo, MINUTE)).await;
    let c = client(&sim, MINUTE);
    let d = "northwind.example";

    // What the simulator holds, to compare with.
    struct Rec {
        name: String,
        display: String,
        enabled: bool,
        size: u64,
    }
    let recs: Vec<Rec> = sim.sim().with_store(|s| {
        s.domains[d]
            .mailboxes
            .iter()
            .map(|(n, m)| Rec { name: n.clone(), display: m.display_name.clone(), enabled: m.enabled, size: m.size })
            .collect()
    });
    assert_eq!(recs.len(), 260);
    let all_names: Vec<String> = recs.iter().map(|r| r.name.clone()).collect();

    // Everything, over two pages of 250.
    let all = c.mailboxes(d, MailboxQuery::default()).await.unwrap();
    assert_eq!(all.iter().map(|m| m.name.clone()).collect::<Vec<_>>(), all_names);
    for (m, r) in all.iter().zip(&recs) {
        assert_eq!(m.display_name.as_deref(), Some(r.display.as_str()), "{}", r.name);
        assert_eq!(m.size, Some(r.size), "{}", r.name);
        assert_eq!(m.enabled, Some(r.enabled), "{}", r.name);
        assert!(m.created_date.is_some(), "{}", r.name);
    }

    // One page: the envelope is echoed, and only the asked-for fields come back.
    let q = MailboxQuery { fields: vec![], size: 10, offset: 5, ..Default::default() };
    let p = c.mailboxes_page(d, &q).await.unwrap();
    assert_eq!((p.offset, p.size, p.total, p.items.len()), (5, 10, 260, 10));
    assert_eq!(p.items[0].name, all_names[5]);
    assert!(!p.is_last());
    assert!(p.items.iter().all(|m| m.display_name.is_some() && m.size.is_none() && m.enabled.is_none()));
    let q = MailboxQuery { fields: vec![MailboxField::Size, MailboxField::LastLogin], size: 10, offset: 0, ..Default::default() };
    let p = c.mailboxes_page(d, &q).await.unwrap();
    assert!(p.items.iter().all(|m| m.size.is_some() && m.current_usage.is_none() && m.enabled.is_none()));
    let p = c.mailboxes_page(d, &MailboxQuery { offset: 250, ..Default::default() }).await.unwrap();
    assert_eq!(p.items.len(), 10);
    assert!(p.is_last());

    // Search: mailbox name or display name, case-insensitive (reference §5.2).
    let want: Vec<String> = recs
        .iter()
        .filter(|r| r.name.starts_with("ma") || r.display.to_lowercase().starts_with("ma"))
        .map(|r| r.name.clone())
        .collect();
    assert!(!want.is_empty() && want.len() < 260);
    let got = c.mailboxes(d, MailboxQuery { search: Some(Search::StartsWith("Ma".into())), ..Default::default() }).await.unwrap();
    assert_eq!(got.iter().map(|m| m.name.clone()).collect::<Vec<_>>(), want);

    let want: Vec<String> = recs
        .iter()
        .filter(|r| r.name.contains("sen") || r.display.to_lowercase().contains("sen"))
        .map(|r| r.name.clone())
        .collect();
    assert!(!want.is_empty() && want.len() < 260);
    let got = c.mailboxes(d, MailboxQuery { search: Some(Search::Contains("sen".into())), ..Default::default() }).await.unwrap();
    assert_eq!(got.iter().map(|m| m.name.clone()).collect::<Vec<_>>(), want);

    // The enabled filter.
    let disabled: Vec<String> = recs.iter().filter(|r| !r.enabled).map(|r| r.name.clone()).collect();
    assert!(!disabled.is_empty());
    let got = c
        .mailboxes(d, MailboxQuery { enabled: Some(false), fields: vec![MailboxField::Enabled], ..Default::default() })
        .await
        .unwrap();
    assert_eq!(got.iter().map(|m| m.name.clone()).collect::<Vec<_>>(), disabled);
    assert!(got.iter().all(|m| m.enabled == Some(false)));
    let got = c.mailboxes(d, MailboxQuery { enabled: Some(true), ..Default::default() }).await.unwrap();
    assert_eq!(got.len(), 260 - disabled.len());

    // Show: one that forwards, one with an auto-reply.
    let (fwd_name, fwd) = sim.sim().with_store(|s| {
        let (n, m) = s.domains[d].mailboxes.iter().find(|(_, m)| !m.forwards.is_empty()).expect("a forwarding mailbox");
        (n.clone(), m.clone())
    });
    let m = c.mailbox(d, &fwd_name).await.unwrap();
    assert_eq!(m.name, fwd_name);
    assert_eq!(m.display_name.as_deref(), Some(fwd.display_name.as_str()));
    assert_eq!((m.size, m.current_usage, m.enabled), (fwd.size, Some(fwd.current_usage), fwd.enabled));
    assert_eq!(m.email_forwarding_address_list, fwd.forwards);
    assert_eq!(m.save_forwarded_email, fwd.save_forwarded_email);
    assert_eq!(m.contact_info.and_then(|ci| ci.first_name), Some(fwd.first_name.clone()));

    let (vac_name, vac) = sim.sim().with_store(|s| {
        let (n, m) = s.domains[d].mailboxes.iter().find(|(_, m)| m.enable_vacation_message).expect("an auto-reply");
        (n.clone(), m.clone())
    });
    let m = c.mailbox(d, &vac_name.to_uppercase()).await.unwrap();
    assert_eq!(m.name, vac_name);
    assert!(m.enable_vacation_message);
    assert_eq!(m.vacation_message.as_deref(), Some(vac.vacation_message.as_str()));

    match c.mailbox(d, "no.such.person").await {
        Err(e @ ApiError::NotFound(_)) => assert!(e.user_message().contains("mailbox"), "{}", e.user_message()),
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_are_listed_and_shown() {
    let sim = start(sim_config(DataSet::Demo, MINUTE)).await;
    let c = client(&sim, MINUTE);
    let d = "fabrikam.example";
    let want = sim.sim().with_store(|s| s.domains[d].aliases.clone());
    let list = c.aliases(d).await.unwrap();
    assert_eq!(list.iter().map(|a| a.name.clone()).collect::<Vec<_>>(), want.keys().cloned().collect::<Vec<_>>());
    for a in &list {
        let members = &want[&a.name];
        assert_eq!(a.number_of_members, Some(members.len() as u32), "{}", a.name);
        if members.len() == 1 {
            assert_eq!(a.single_member_name.as_deref(), Some(members[0].as_str()));
        }
    }
    let sales = c.alias(d, "Sales").await.unwrap();
    assert_eq!(sales.name, "sales");
    assert_eq!(&sales.members, &want["sales"]);
    expect_not_found("unknown alias", c.alias(d, "no-such-alias").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_are_created_edited_and_deleted() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    let new = NewAdmin {
        admin_type: "super".into(),
        password: secret("Blue-Harbor7x"),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
    };
    c.create_admin("ada.l", &new).await.unwrap();
    sim.sim().with_store(|s| {
        let a = s.admins.get("ada.l").expect("the new admin is in the simulator");
        assert_eq!((a.first_name.as_str(), a.last_name.as_str()), ("Ada", "Lovelace"));
        assert_eq!(a.admin_type, "super");
        assert_eq!(a.email, "ada@example.com");
        assert!(a.enabled);
    });
    let a = c.admin("ada.l").await.unwrap();
    assert!(a.is_super());
    assert_eq!(a.last_name.as_deref(), Some("Lovelace"));
    let ids: Vec<String> = c.admins().await.unwrap().into_iter().map(|a| a.admin_id).collect();
    assert_eq!(ids, strings(&["ada.l", rackdesk_sim::seed::API_ADMIN]));

    // Creating it twice is a conflict, not a silent success.
    match c.create_admin("ada.l", &new).await {
        Err(ApiError::Conflict(r)) => assert_eq!(r.status, 409),
        other => panic!("expected Conflict, got {other:?}"),
    }

    let changes = AdminChanges {
        enabled: Some(false),
        last_name: Some("King".into()),
        email: Some("ada.king@example.com".into()),
        ..Default::default()
    };
    c.edit_admin("ada.l", &changes).await.unwrap();
    sim.sim().with_store(|s| {
        let a = &s.admins["ada.l"];
        assert!(!a.enabled);
        assert_eq!(a.last_name, "King");
        assert_eq!(a.email, "ada.king@example.com");
        assert_eq!(a.first_name, "Ada", "fields not sent are left alone");
    });
    let a = c.admin("ada.l").await.unwrap();
    assert_eq!((a.enabled, a.last_name.as_deref()), (Some(false), Some("King")));

    c.delete_admin("ada.l").await.unwrap();
    assert!(sim.sim().with_store(|s| !s.admins.contains_key("ada.l")));
    expect_not_found("deleted admin", c.admin("ada.l").await);
    expect_not_found("deleting twice", c.delete_admin("ada.l").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailbox_is_created_shown_edited_and_deleted() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);

    // Names are lower-cased by the client.
    c.create_mailbox(DOMAIN, "Jane.Doe", &new_mailbox("Blue-Harbor7")).await.unwrap();
    let m = c.mailbox(DOMAIN, "jane.doe").await.unwrap();
    assert_eq!(m.name, "jane.doe");
    assert_eq!(m.display_name.as_deref(), Some("Jane Doe"));
    assert_eq!((m.size, m.enabled), (2048, true));
    assert!(m.email_forwarding_address_list.is_empty());
    assert!(!m.enable_vacation_message);
    assert_eq!(m.contact_info.as_ref().and_then(|ci| ci.last_name.as_deref()), Some("Doe"));
    sim.sim().with_store(|s| {
        let mb = &s.domains[DOMAIN].mailboxes["jane.doe"];
        assert_eq!(mb.password_hash, hash_password("Blue-Harbor7"));
    });
    match c.create_mailbox(DOMAIN, "jane.doe", &new_mailbox("Blue-Harbor7")).await {
        Err(ApiError::Conflict(_)) => {}
        other => panic!("expected Conflict, got {other:?}"),
    }

    // Display name.
    let ch = MailboxChanges { display_name: Some("Jane Q. Doe".into()), ..Default::default() };
    c.edit_mailbox(DOMAIN, "jane.doe", &ch).await.unwrap();
    assert_eq!(c.mailbox(DOMAIN, "jane.doe").await.unwrap().display_name.as_deref(), Some("Jane Q. Doe"));

    // Disable.
    c.edit_mailbox(DOMAIN, "jane.doe", &MailboxChanges { enabled: Some(false), ..Default::default() }).await.unwrap();
    let m = c.mailbox(DOMAIN, "jane.doe").await.unwrap();
    assert!(!m.enabled);
    assert_eq!(m.display_name.as_deref(), Some("Jane Q. Doe"), "an edit leaves other fields alone");
    let disabled = c.mailboxes(DOMAIN, MailboxQuery { enabled: Some(false), ..Default::default() }).await.unwrap();
    assert_eq!(disabled.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["jane.doe"]);

    // Password.
    c.edit_mailbox(DOMAIN, "jane.doe", &MailboxChanges { password: Some(secret("Green-Valley8")), ..Default::default() })
        .await
        .unwrap();
    let hash = sim.sim().with_store(|s| s.domains[DOMAIN].mailboxes["jane.doe"].password_hash.clone());
    assert_eq!(hash, hash_password("Green-Valley8"));

    // Forwarding on, then off with an empty list.
    let ch = MailboxChanges {
        forward_to: Some(strings(&["jane@other.org", "jdoe@elsewhere.net"])),
        save_forwarded_email: Some(true),
        ..Default::default()
    };
    c.edit_mailbox(DOMAIN, "jane.doe", &ch).await.unwrap();
    let m = c.mailbox(DOMAIN, "jane.doe").await.unwrap();
    assert_eq!(m.email_forwarding_address_list, strings(&["jane@other.org", "jdoe@elsewhere.net"]));
    assert!(m.save_forwarded_email);
    c.edit_mailbox(DOMAIN, "jane.doe", &MailboxChanges { forward_to: Some(vec![]), ..Default::default() }).await.unwrap();
    let m = c.mailbox(DOMAIN, "jane.doe").await.unwrap();
    assert!(m.email_forwarding_address_list.is_empty(), "{:?}", m.email_forwarding_address_list);
    assert!(sim.sim().with_store(|s| s.domains[DOMAIN].mailboxes["jane.doe"].forwards.is_empty()));

    // Auto-reply.
    let vac = Vacation { enabled: true, message: "Away until Monday.".into() };
    c.edit_mailbox(DOMAIN, "jane.doe", &MailboxChanges { vacation: Some(vac), ..Default::default() }).await.unwrap();
    let m = c.mailbox(DOMAIN, "jane.doe").await.unwrap();
    assert!(m.enable_vacation_message);
    assert_eq!(m.vacation_message.as_deref(), Some("Away until Monday."));

    // Delete.
    c.delete_mailbox(DOMAIN, "jane.doe").await.unwrap();
    expect_not_found("show after delete", c.mailbox(DOMAIN, "jane.doe").await);
    assert!(sim.sim().with_store(|s| s.domains[DOMAIN].mailboxes.is_empty()));
    expect_not_found("delete twice", c.delete_mailbox(DOMAIN, "jane.doe").await);
    expect_not_found("edit after delete", c.edit_mailbox(DOMAIN, "jane.doe", &MailboxChanges { enabled: Some(true), ..Default::default() }).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alias_is_created_changed_and_deleted() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    c.create_mailbox(DOMAIN, "sam", &NewMailbox::new(secret("Blue-Harbor7"), 1024)).await.unwrap();
    c.create_mailbox(DOMAIN, "kim", &NewMailbox::new(secret("Blue-Harbor7"), 1024)).await.unwrap();

    c.create_alias(DOMAIN, "Team", &strings(&["Sam@Example.com", "partner@other.org"])).await.unwrap();
    let a = c.alias(DOMAIN, "team").await.unwrap();
    assert_eq!(a.name, "team");
    assert_eq!(a.members, strings(&["sam@example.com", "partner@other.org"]));
    let stored = sim.sim().with_store(|s| s.domains[DOMAIN].aliases.get("team").cloned());
    assert_eq!(stored, Some(strings(&["sam@example.com", "partner@other.org"])));
    let list = c.aliases(DOMAIN).await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!((list[0].name.as_str(), list[0].number_of_members), ("team", Some(2)));

    c.set_alias_members(DOMAIN, "team", &strings(&["kim@example.com"])).await.unwrap();
    let a = c.alias(DOMAIN, "team").await.unwrap();
    assert_eq!(a.members, strings(&["kim@example.com"]));
    let list = c.aliases(DOMAIN).await.unwrap();
    assert_eq!(list[0].single_member_name.as_deref(), Some("kim@example.com"));

    // A member in the domain that does not exist is refused by the server.
    match c.set_alias_members(DOMAIN, "team", &strings(&["ghost@example.com"])).await {
        Err(e @ ApiError::Rejected(_)) => assert!(e.detail().unwrap_or_default().contains("ghost@example.com"), "{e:?}"),
        other => panic!("expected Rejected, got {other:?}"),
    }
    assert_eq!(c.alias(DOMAIN, "team").await.unwrap().members, strings(&["kim@example.com"]));

    c.delete_alias(DOMAIN, "team").await.unwrap();
    expect_not_found("alias after delete", c.alias(DOMAIN, "team").await);
    assert!(c.aliases(DOMAIN).await.unwrap().is_empty());
    assert!(sim.sim().with_store(|s| s.domains[DOMAIN].aliases.is_empty()));
}

// ---------------------------------------------------------------- 2. refusals

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_keys_are_refused_and_not_retried() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;

    let wrong_secret = client_with(client_config(sim.api_url(), MINUTE), USER_KEY, "not-the-right-secret-key");
    match wrong_secret.customer().await {
        Err(e @ ApiError::AuthFailed(_)) => {
            assert_eq!(e.detail().as_deref(), Some("Authentication failed."));
            assert_eq!(e.status(), Some(403));
        }
        other => panic!("expected AuthFailed, got {other:?}"),
    }
    let unknown_key = client_with(client_config(sim.api_url(), MINUTE), "ZyXwVuTsRqPoNmLkJiHg", SECRET_KEY);
    match unknown_key.customer().await {
        Err(e @ ApiError::AuthFailed(_)) => assert_eq!(e.detail().as_deref(), Some("Authentication failed.")),
        other => panic!("expected AuthFailed, got {other:?}"),
    }
    // An authentication failure is final: one request each, no retries.
    assert_eq!(statuses(&sim.sim().requests()), vec![403, 403]);
    // The right keys work on the same simulator.
    client(&sim, MINUTE).customer().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_agent_sent_must_be_the_one_signed() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let url = format!("{}/customers/me", sim.api_url());
    let ua = rackdesk_core::user_agent();

    // The same raw signing works when the header matches (so the refusals below are about the UA).
    let ok = raw_get(&url, Some(&ua), &ua, "application/json").await;
    assert_eq!(ok.status(), 200);

    let mismatched = raw_get(&url, Some("SomethingElse/9.9"), &ua, "application/json").await;
    assert_eq!(mismatched.status(), 403);
    assert_eq!(mismatched.headers().get("x-error-message").and_then(|v| v.to_str().ok()), Some("Authentication failed."));

    let missing = raw_get(&url, None, &ua, "application/json").await;
    assert_eq!(missing.status(), 403);
    assert_eq!(missing.headers().get("x-error-message").and_then(|v| v.to_str().ok()), Some("Authentication failed."));
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["unauthorizedFault"]["message"], "Authentication failed.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_timestamp_is_refused_unless_freshness_is_off() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let mut cfg = client_config(sim.api_url(), MINUTE);
    cfg.clock = Arc::new(sign::OffsetClock(-3600));
    let c = client_with(cfg.clone(), USER_KEY, SECRET_KEY);
    match c.customer().await {
        Err(e @ ApiError::AuthFailed(_)) => assert_eq!(e.detail().as_deref(), Some("Authentication failed.")),
        other => panic!("expected AuthFailed, got {other:?}"),
    }

    let mut lax = sim_config(DataSet::Empty, MINUTE);
    lax.freshness = None;
    let sim2 = start(lax).await;
    cfg.api_url = sim2.api_url().to_owned();
    cfg.scheduler = Scheduler::new(Limits::with_window(MINUTE));
    let c = client_with(cfg, USER_KEY, SECRET_KEY);
    assert_eq!(c.customer().await.unwrap().name, "Example Company");
}

// ---------------------------------------------------------------- 3. rate limits

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_75_writes_is_paced_without_a_single_throttle() {
    let minute = Duration::from_millis(1000);
    let sim = start(sim_config(DataSet::Empty, minute)).await;
    let mut cfg = client_config(sim.api_url(), minute);
    let events = recording_events(&mut cfg);
    let c = client_with(cfg, USER_KEY, SECRET_KEY);
    let names: Vec<String> = (0..25).map(|i| format!("user{i:02}")).collect();

    // Ten at a time, in three phases: 25 creates, 25 edits, 25 deletes.
    let created: Vec<_> = futures::stream::iter(names.iter())
        .map(|n| {
            let c = c.clone();
            async move { c.create_mailbox(DOMAIN, n, &NewMailbox::new(secret("Blue-Harbor7"), 1024)).await }
        })
        .buffer_unordered(10)
        .collect()
        .await;
    assert!(created.iter().all(|r| r.is_ok()), "{created:?}");
    let edited: Vec<_> = futures::stream::iter(names.iter())
        .map(|n| {
            let c = c.clone();
            async move { c.edit_mailbox(DOMAIN, n, &MailboxChanges { size: Some(2048), ..Default::default() }).await }
        })
        .buffer_unordered(10)
        .collect()
        .await;
    assert!(edited.iter().all(|r| r.is_ok()), "{edited:?}");
    let deleted: Vec<_> = futures::stream::iter(names.iter())
        .map(|n| {
            let c = c.clone();
            async move { c.delete_mailbox(DOMAIN, n).await }
        })
        .buffer_unordered(10)
        .collect()
        .await;
    assert!(deleted.iter().all(|r| r.is_ok()), "{deleted:?}");

    let log = sim.sim().requests();
    assert_eq!(log.len(), 75, "{log:?}");
    let throttled = log.iter().filter(|r| r.throttled).count();
    assert_eq!(throttled, 0, "throttled requests: {:?}", log.iter().filter(|r| r.throttled).collect::<Vec<_>>());
    assert!(log.iter().all(|r| r.status == 200), "{log:?}");
    for m in ["POST", "PUT", "DELETE"] {
        assert_eq!(log.iter().filter(|r| r.method == m).count(), 25, "{m}");
    }
    assert!(sim.sim().with_store(|s| s.domains[DOMAIN].mailboxes.is_empty()));
    // 75 writes do not fit in one window of 30: the client held some back itself.
    assert!(events.lock().unwrap().iter().any(|e| matches!(e, ClientEvent::WaitingForRateLimit { .. })));
    assert!(!events.lock().unwrap().iter().any(|e| matches!(e, ClientEvent::Throttled { .. })));
}

/// The control for the test above: the simulator does count writes, so a client that
/// paces to a shorter window than the server's is refused on the 31st write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_paced_to_a_shorter_window_than_the_server_is_throttled() {
    let sim = start(sim_config(DataSet::Empty, Duration::from_secs(60))).await;
    let mut cfg = client_config(sim.api_url(), Duration::from_millis(50));
    cfg.retry.throttle_retries = 0;
    let c = client_with(cfg, USER_KEY, SECRET_KEY);
    for i in 0..30 {
        c.create_mailbox(DOMAIN, &format!("user{i:02}"), &NewMailbox::new(secret("Blue-Harbor7"), 1024)).await.unwrap();
    }
    match c.create_mailbox(DOMAIN, "user30", &NewMailbox::new(secret("Blue-Harbor7"), 1024)).await {
        Err(ApiError::Throttled { attempts: 1, .. }) => {}
        other => panic!("expected Throttled, got {other:?}"),
    }
    let log = sim.sim().requests();
    assert_eq!(log.iter().filter(|r| r.throttled).count(), 1);
    assert!(sim.sim().with_store(|s| !s.domains[DOMAIN].mailboxes.contains_key("user30")), "a throttled call is not carried out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stricter_server_throttles_and_the_client_waits_and_completes() {
    let minute = Duration::from_millis(1000);
    let mut cfg = sim_config(DataSet::Empty, minute);
    cfg.limits = SimLimits { reads: 5, ..SimLimits::default() };
    let sim = start(cfg).await;
    let mut ccfg = client_config(sim.api_url(), minute);
    let events = recording_events(&mut ccfg);
    let c = client_with(ccfg, USER_KEY, SECRET_KEY);

    for i in 0..12 {
        let me = c.customer().await.unwrap_or_else(|e| panic!("read {i}: {e:?}"));
        assert_eq!(me.name, "Example Company");
    }
    let log = sim.sim().requests();
    let throttled = log.iter().filter(|r| r.throttled).count();
    assert!(throttled >= 1, "the stricter server never throttled: {log:?}");
    assert!(log.iter().filter(|r| r.throttled).all(|r| r.status == 403));
    assert_eq!(log.iter().filter(|r| r.status == 200).count(), 12);
    assert_eq!(log.len(), 12 + throttled, "every throttled call was resent once: {log:?}");
    let seen = events.lock().unwrap().iter().filter(|e| matches!(e, ClientEvent::Throttled { .. })).count();
    assert_eq!(seen, throttled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_throttle_retries_the_client_reports_throttled() {
    // A long minute: the sixth read certainly falls in the same window as the first five.
    let minute = Duration::from_secs(60);
    let mut cfg = sim_config(DataSet::Empty, minute);
    cfg.limits = SimLimits { reads: 5, ..SimLimits::default() };
    let sim = start(cfg).await;
    let mut ccfg = client_config(sim.api_url(), minute);
    ccfg.retry.throttle_retries = 0;
    let c = client_with(ccfg, USER_KEY, SECRET_KEY);
    for _ in 0..5 {
        c.customer().await.unwrap();
    }
    match c.customer().await {
        Err(e @ ApiError::Throttled { .. }) => {
            let ApiError::Throttled { attempts, reply } = &e else { unreachable!() };
            assert_eq!(*attempts, 1);
            assert_eq!(reply.status, 403);
            assert_eq!(e.detail().as_deref(), Some("Exceeded request limits"));
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
    let log = sim.sim().requests();
    assert_eq!(log.len(), 6);
    assert!(log[5].throttled && !log[4].throttled);
}

// ---------------------------------------------------------------- 4. faults

const LIST: &str = "/rs/mailboxes";

fn list_page() -> MailboxQuery {
    MailboxQuery { size: 10, ..Default::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persistent_503_is_a_server_fault_after_the_retries() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    // transient_retries = 2: three attempts in all, each answered 503.
    sim.sim().add_fault(FaultRule::new(FaultKind::Status(503)).on_path(LIST).on_method("GET").times(3));
    match c.mailboxes_page(DOMAIN, &list_page()).await {
        Err(e @ ApiError::ServerFault(_)) => assert_eq!(e.status(), Some(503)),
        other => panic!("expected ServerFault, got {other:?}"),
    }
    assert_eq!(statuses(&sim.sim().requests()), vec![503, 503, 503]);
    // The rule is used up: the next call goes through.
    assert_eq!(c.mailboxes_page(DOMAIN, &list_page()).await.unwrap().total, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_503_is_retried_and_the_read_succeeds() {
    let sim = start(sim_config(DataSet::Demo, MINUTE)).await;
    let mut cfg = client_config(sim.api_url(), MINUTE);
    let events = recording_events(&mut cfg);
    let c = client_with(cfg, USER_KEY, SECRET_KEY);
    sim.sim().add_fault(FaultRule::new(FaultKind::Status(503)).on_path(LIST).on_method("GET").times(1));
    let p = c.mailboxes_page("northwind.example", &list_page()).await.unwrap();
    assert_eq!((p.total, p.items.len()), (260, 10));
    assert_eq!(statuses(&sim.sim().requests()), vec![503, 200]);
    assert!(events.lock().unwrap().iter().any(|e| matches!(e, ClientEvent::Retrying { attempt: 1, .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_is_not_json_is_undecodable() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    sim.sim().add_fault(FaultRule::new(FaultKind::NotJson).on_path(LIST).on_method("GET"));
    match c.mailboxes_page(DOMAIN, &list_page()).await {
        Err(ApiError::Undecodable { status, message, .. }) => {
            assert_eq!(status, 200);
            assert!(message.contains("not valid JSON"), "{message}");
        }
        other => panic!("expected Undecodable, got {other:?}"),
    }
    assert_eq!(sim.sim().requests().len(), 1, "an unreadable 200 is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_body_is_a_network_failure_that_may_have_been_sent() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    sim.sim().add_fault(FaultRule::new(FaultKind::Truncated).on_path(LIST).on_method("GET"));
    match c.mailboxes_page(DOMAIN, &list_page()).await {
        Err(ApiError::Network { phase, .. }) => assert_eq!(phase, SendPhase::MaybeSent),
        other => panic!("expected Network, got {other:?}"),
    }
    assert_eq!(sim.sim().requests().len(), 3, "a read is retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_is_a_network_failure_that_may_have_been_sent() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    sim.sim().add_fault(FaultRule::new(FaultKind::Drop).on_path(LIST).on_method("GET").rate(1.0));
    match c.mailboxes_page(DOMAIN, &list_page()).await {
        Err(ApiError::Network { phase, .. }) => assert_eq!(phase, SendPhase::MaybeSent),
        other => panic!("expected Network, got {other:?}"),
    }
    assert_eq!(statuses(&sim.sim().requests()), vec![0, 0, 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_times_out() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let mut cfg = client_config(sim.api_url(), MINUTE);
    cfg.timeout = Duration::from_millis(300);
    let c = client_with(cfg, USER_KEY, SECRET_KEY);
    sim.sim().add_fault(FaultRule::new(FaultKind::Delay(Duration::from_millis(1500))).on_path(LIST).on_method("GET"));
    match c.mailboxes_page(DOMAIN, &list_page()).await {
        Err(ApiError::Timeout { phase, after, .. }) => {
            assert_eq!(phase, SendPhase::MaybeSent);
            assert_eq!(after, Duration::from_millis(300));
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_was_not_sent() {
    // A socket that is bound but not listening: the port stays ours for the whole test
    // (no other test can take it), and every connection to it is refused.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = socket.local_addr().unwrap().port();
    let mut cfg = client_config(&format!("http://127.0.0.1:{port}/v1"), MINUTE);
    let events = recording_events(&mut cfg);
    let c = client_with(cfg, USER_KEY, SECRET_KEY);
    match c.customer().await {
        Err(ApiError::Network { phase, .. }) => assert_eq!(phase, SendPhase::NotSent),
        other => panic!("expected Network, got {other:?}"),
    }
    // A write that certainly did not leave is not "unconfirmed": nothing to check.
    match c.create_mailbox(DOMAIN, "jane.doe", &new_mailbox("Blue-Harbor7")).await {
        Err(ApiError::Network { phase, .. }) => assert_eq!(phase, SendPhase::NotSent),
        other => panic!("expected Network, got {other:?}"),
    }
    assert!(!events.lock().unwrap().iter().any(|e| matches!(e, ClientEvent::CheckingOutcome { .. })));
    drop(socket);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_whose_answer_is_lost_is_confirmed_not_resent() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let mut cfg = client_config(sim.api_url(), MINUTE);
    let events = recording_events(&mut cfg);
    let c = client_with(cfg, USER_KEY, SECRET_KEY);
    sim.sim().add_fault(FaultRule::new(FaultKind::Drop).on_path("/rs/mailboxes/jane.doe").on_method("POST").after_apply().times(1));

    c.create_mailbox(DOMAIN, "jane.doe", &new_mailbox("Blue-Harbor7")).await.unwrap();

    let (count, hash) = sim.sim().with_store(|s| {
        let d = &s.domains[DOMAIN];
        (d.mailboxes.len(), d.mailboxes.get("jane.doe").map(|m| m.password_hash.clone()))
    });
    assert_eq!(count, 1);
    assert_eq!(hash, Some(hash_password("Blue-Harbor7")));
    let posts = requests_to(&sim, "POST", "/rs/mailboxes/jane.doe");
    assert_eq!(statuses(&posts), vec![0], "exactly one POST, carried out, its answer dropped");
    let gets = requests_to(&sim, "GET", "/rs/mailboxes/jane.doe");
    assert_eq!(statuses(&gets), vec![200], "one read-back found it");
    assert!(events.lock().unwrap().iter().any(|e| matches!(e, ClientEvent::CheckingOutcome { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_whose_answer_is_lost_is_confirmed_not_resent() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    c.create_mailbox(DOMAIN, "jane.doe", &new_mailbox("Blue-Harbor7")).await.unwrap();
    sim.sim().clear_requests();
    sim.sim().add_fault(FaultRule::new(FaultKind::Drop).on_path("/rs/mailboxes/jane.doe").on_method("DELETE").after_apply().times(1));

    c.delete_mailbox(DOMAIN, "jane.doe").await.unwrap();

    assert!(sim.sim().with_store(|s| s.domains[DOMAIN].mailboxes.is_empty()));
    assert_eq!(statuses(&requests_to(&sim, "DELETE", "/rs/mailboxes/jane.doe")), vec![0], "no second DELETE");
    assert_eq!(statuses(&requests_to(&sim, "GET", "/rs/mailboxes/jane.doe")), vec![404], "one read-back found it gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_dropped_before_it_happened_is_resent_once() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    sim.sim().add_fault(FaultRule::new(FaultKind::Drop).on_path("/rs/mailboxes/jane.doe").on_method("POST").times(1));

    c.create_mailbox(DOMAIN, "jane.doe", &new_mailbox("Blue-Harbor7")).await.unwrap();

    let names: Vec<String> = sim.sim().with_store(|s| s.domains[DOMAIN].mailboxes.keys().cloned().collect());
    assert_eq!(names, strings(&["jane.doe"]));
    assert_eq!(statuses(&requests_to(&sim, "POST", "/rs/mailboxes/jane.doe")), vec![0, 200]);
    assert_eq!(statuses(&requests_to(&sim, "GET", "/rs/mailboxes/jane.doe")), vec![404]);
    // In order: the lost POST, the read-back, the resend.
    let order: Vec<(String, u16)> = sim.sim().requests().into_iter().map(|r| (r.method, r.status)).collect();
    assert_eq!(order, vec![("POST".into(), 0), ("GET".into(), 404), ("POST".into(), 200)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_that_cannot_be_checked_is_unconfirmed_and_not_resent() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    sim.sim().add_fault(FaultRule::new(FaultKind::Drop).on_path("/rs/mailboxes/jane.doe").on_method("POST").after_apply().times(1));
    sim.sim().add_fault(FaultRule::new(FaultKind::Drop).on_path("/rs/mailboxes/jane.doe").on_method("GET"));

    match c.create_mailbox(DOMAIN, "jane.doe", &new_mailbox("Blue-Harbor7")).await {
        Err(ApiError::Unconfirmed { .. }) => {}
        other => panic!("expected Unconfirmed, got {other:?}"),
    }
    assert_eq!(statuses(&requests_to(&sim, "POST", "/rs/mailboxes/jane.doe")), vec![0], "never resent blindly");
    assert!(sim.sim().with_store(|s| s.domains[DOMAIN].mailboxes.contains_key("jane.doe")));
}

// ---------------------------------------------------------------- 5. paging

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_mailboxes_are_listed_completely() {
    let minute = Duration::from_millis(1000);
    let sim = start(sim_config(DataSet::Empty, minute)).await;
    sim.sim().with_store(|s| {
        let d = s.domains.get_mut(DOMAIN).unwrap();
        rackdesk_sim::seed::add_people(&mut rackdesk_sim::seed::Rng::new(1), d, 10_000);
    });
    let want: BTreeSet<String> = sim.sim().with_store(|s| s.domains[DOMAIN].mailboxes.keys().cloned().collect());
    assert_eq!(want.len(), 10_000);
    let c = client(&sim, minute);

    let all = c.mailboxes(DOMAIN, MailboxQuery::default()).await.unwrap();
    assert_eq!(all.len(), 10_000);
    let unique: HashSet<&str> = all.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(unique.len(), 10_000, "no mailbox listed twice");
    assert!(all.iter().all(|m| want.contains(&m.name)));

    // Page by page, as the UI shows progress.
    let pages: Vec<_> = c
        .mailbox_pages(DOMAIN, MailboxQuery { fields: vec![MailboxField::Enabled], ..Default::default() })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 40);
    for (i, p) in pages.iter().enumerate() {
        assert_eq!((p.offset, p.total, p.items.len()), (i as u32 * 250, 10_000, 250), "page {i}");
    }
    let streamed: BTreeSet<String> = pages.into_iter().flat_map(|p| p.items).map(|m| m.name).collect();
    assert_eq!(streamed, want);

    // 80 GETs with a limit of 60 per minute: paced, never throttled.
    let log = sim.sim().requests();
    assert_eq!(log.len(), 80);
    assert!(log.iter().all(|r| r.method == "GET" && r.status == 200 && !r.throttled), "{:?}", log.iter().find(|r| r.throttled));
}

// ---------------------------------------------------------------- 6. bad input

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_could_change_the_url_are_refused_before_sending() {
    let sim = start(sim_config(DataSet::Empty, MINUTE)).await;
    let c = client(&sim, MINUTE);
    let bad_names =
        ["a/b", "..", "a..b", "../admins", "a?b", "a#b", "a b", "a\tb", "a\u{7}b", "a\nb", "a\u{0}b", "a%2fb", "a\\b", ""];
    let new = new_mailbox("Blue-Harbor7");
    let change = MailboxChanges { enabled: Some(false), ..Default::default() };
    let members = strings(&["someone@other.org"]);
    for n in bad_names {
        expect_invalid(&format!("mailbox {n:?}"), c.mailbox(DOMAIN, n).await);
        expect_invalid(&format!("create mailbox {n:?}"), c.create_mailbox(DOMAIN, n, &new).await);
        expect_invalid(&format!("edit mailbox {n:?}"), c.edit_mailbox(DOMAIN, n, &change).await);
        expect_invalid(&format!("delete mailbox {n:?}"), c.delete_mailbox(DOMAIN, n).await);
        expect_invalid(&format!("alias {n:?}"), c.alias(DOMAIN, n).await);
        expect_invalid(&format!("create alias {n:?}"), c.create_alias(DOMAIN, n, &members).await);
        expect_invalid(&format!("set alias {n:?}"), c.set_alias_members(DOMAIN, n, &members).await);
        expect_invalid(&format!("delete alias {n:?}"), c.delete_alias(DOMAIN, n).await);
        expect_invalid(&format!("admin {n:?}"), c.admin(n).await);
        expect_invalid(&format!("delete admin {n:?}"), c.delete_admin(n).await);
    }
    let bad_domains = [
        "exa/mple.com",
        "..",
        "example.com/..",
        "../example.com",
        "ex?ample.com",
        "example.com?x=1",
        "ex#ample.com",
        "exa mple.com",
        "exa\u{1}mple.com",
        "example.com\n/x",
        "example",
        "",
    ];
    for d in bad_domains {
        expect_invalid(&format!("domain {d:?}"), c.domain(d).await);
        expect_invalid(&format!("list {d:?}"), c.mailboxes_page(d, &MailboxQuery::default()).await);
        expect_invalid(&format!("show in {d:?}"), c.mailbox(d, "jane.doe").await);
        expect_invalid(&format!("create in {d:?}"), c.create_mailbox(d, "jane.doe", &new).await);
        expect_invalid(&format!("aliases {d:?}"), c.aliases(d).await);
    }
    // Bad values in queries and bodies.
    let q = MailboxQuery { search: Some(Search::Contains("a\u{1}b".into())), ..Default::default() };
    expect_invalid("search with a control character", c.mailboxes_page(DOMAIN, &q).await);
    expect_invalid("page of 251", c.mailboxes_page(DOMAIN, &MailboxQuery { size: 251, ..Default::default() }).await);
    let fwd = MailboxChanges { forward_to: Some(strings(&["a b@other.org"])), ..Default::default() };
    expect_invalid("forwarding with a space", c.edit_mailbox(DOMAIN, "jane.doe", &fwd).await);
    let name = MailboxChanges { display_name: Some("Jane\u{0}Doe".into()), ..Default::default() };
    expect_invalid("display name with NUL", c.edit_mailbox(DOMAIN, "jane.doe", &name).await);
    expect_invalid("weak password", c.create_mailbox(DOMAIN, "jane.doe", &new_mailbox("short")).await);

    assert!(sim.sim().requests().is_empty(), "nothing reached the server: {:?}", sim.sim().requests());
}

// ---------------------------------------------------------------- 7. XML

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xml_is_served_when_asked_for() {
    let sim = start(sim_config(DataSet::Demo, MINUTE)).await;
    let url = format!("{}/customers/me/domains/northwind.example/rs/mailboxes?size=3", sim.api_url());
    let ua = rackdesk_core::user_agent();
    let resp = raw_get(&url, Some(&ua), &ua, "text/xml").await;
    assert_eq!(resp.status(), 200);
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(ct.starts_with("text/xml"), "{ct}");
    let body = resp.text().await.unwrap();
    assert!(body.contains("<rsMailboxList"), "{body}");
    assert!(body.contains(r#"xmlns="urn:xml:rsMailboxList""#), "{body}");
    assert!(body.contains("<total>260</total>"), "{body}");
    assert_eq!(body.matches("<rsMailbox>").count(), 3, "{body}");
}

#[tokio::test]
async fn the_alias_book_reads_a_domain_once_a_minute_and_again_once_forgotten() {
    use rackdesk_core::alias_book::AliasBook;
    let sim = start(sim_config(DataSet::Demo, MINUTE)).await;
    let c = client(&sim, MINUTE);
    let book = AliasBook::default();
    let domain = "contoso-lab.example";
    let reads = |sim: &Simulator| sim.sim().requests().iter().filter(|r| r.method == "GET" && r.path.contains("/rs/aliases")).count();

    let first = book.members(&c, domain).await.unwrap();
    let after_first = reads(&sim);
    assert!(after_first >= 1, "the first call reads the aliases");
    assert!(!first.is_empty(), "the demo domain has aliases");
    let again = book.members(&c, domain).await.unwrap();
    assert_eq!(reads(&sim), after_first, "a second call within the minute reads nothing");
    assert_eq!(first, again);

    book.forget(domain);
    book.members(&c, domain).await.unwrap();
    assert_eq!(reads(&sim), 2 * after_first, "a forgotten domain is read again");
    book.forget_all();
    book.members(&c, "CONTOSO-LAB.example").await.unwrap();
    assert_eq!(reads(&sim), 3 * after_first, "forget_all forgets every domain; names match in any case");
}
