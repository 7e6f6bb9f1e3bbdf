//! The Exchange calls against a small canned HTTP server that answers as the API reference
//! documents (§6.8, §6.10, §6.11, §13): the exact requests sent (paths, queries, form or
//! JSON bodies), the bounded paging loops, the wait for asynchronous distribution-list
//! changes, and the allow-list and journal around them. Every test runs under a timeout.

use rackdesk_core::client::{Client, ClientConfig, Credentials};
use rackdesk_core::exchange::{
    ContactQuery, ExMailboxChanges, ExMailboxQuery, Expect, ListQuery, NewContact, NewExMailbox, NewList, PermissionLevel, RecipientChange,
    RecipientKind, SettleWait,
};
use rackdesk_core::identity::{Actor, Operator, Role, Session};
use rackdesk_core::journal::{Filter, Journal, Outcome};
use rackdesk_core::names::EmailAddress;
use rackdesk_core::ops::{Ops, OpsError};
use rackdesk_core::{ApiError, ErrorKind};
use secrecy::SecretString;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    /// Path and query, as sent.
    target: String,
    content_type: String,
    body: String,
}

impl Seen {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    fn query(&self) -> Vec<(String, String)> {
        let q = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }
    fn param(&self, name: &str) -> Option<String> {
        self.query().into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

enum Reply {
    Json(u16, String),
    /// Status with an empty body (the classic routes' writes).
    Empty(u16),
    /// Close the connection without answering (the request did arrive).
    Drop,
}

fn ok(body: serde_json::Value) -> Reply {
    Reply::Json(200, body.to_string())
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

struct Server {
    api_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let log = seen.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(answer(sock, handler.clone(), log.clone()));
            }
        });
        Server { api_url: format!("http://{addr}/v1"), seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn writes(&self) -> Vec<Seen> {
        self.seen().into_iter().filter(|s| s.method != "GET").collect()
    }

    fn client(&self) -> Client {
        let mut cfg = ClientConfig::new(self.api_url.clone());
        assert!(cfg.apply_test_minute(Some(200)));
        let creds = Credentials::new("exchangeKey0001", SecretString::from("exchangeSecret0001")).unwrap();
        Client::new(cfg, creds).unwrap()
    }
}

async fn answer(mut sock: TcpStream, handler: Handler, log: Arc<Mutex<Vec<Seen>>>) {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match sock.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let header = |name: &str| {
        head.lines()
            .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned()))
    };
    let length: usize = header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    while data.len() < head_end + length {
        match sock.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    let mut words = head.lines().next().unwrap_or("").split(' ');
    let seen = Seen {
        method: words.next().unwrap_or("").to_owned(),
        target: words.next().unwrap_or("").to_owned(),
        content_type: header("content-type").unwrap_or_default(),
        body: String::from_utf8_lossy(&data[head_end..head_end + length]).to_string(),
    };
    log.lock().unwrap().push(seen.clone());
    let (status, body) = match handler(&seen) {
        Reply::Json(s, b) => (s, b),
        Reply::Empty(s) => (s, String::new()),
        Reply::Drop => return,
    };
    let out = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = sock.write_all(out.as_bytes()).await;
    let _ = sock.shutdown().await;
}

fn not_found(what: &str) -> Reply {
    Reply::Json(404, format!(r#"{{"itemNotFoundFault":{{"message":"{what} not found","resourceType":"{what}","code":404}}}}"#))
}

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f).await.expect("the test took too long (a hang?)")
}

const D: &str = "customers/me/domains/example.com";

fn quick() -> SettleWait {
    SettleWait { interval: Duration::from_millis(20), max_wait: Duration::from_secs(5) }
}

struct World {
    _dir: tempfile::TempDir,
    journal: Arc<Journal>,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let journal = Arc::new(Journal::open(&dir.path().join("journal.sqlite3")).unwrap());
    World { _dir: dir, journal }
}

fn ops(s: &Server, w: &World, role: Role) -> Ops {
    let actor = Actor {
        operator: Operator::new(if role == Role::HelpDesk { "sam" } else { "dana" }, role),
        identity_label: "Lab".into(),
        account: "123456".into(),
        api_admin: Some("api-rackdesk".into()),
    };
    Ops::new(Session { actor, client: s.client() }, w.journal.clone(), false)
}

fn addr(a: &str) -> EmailAddress {
    EmailAddress::parse(a).unwrap()
}

fn entries(w: &World) -> Vec<rackdesk_core::journal::Entry> {
    w.journal.query(&Filter::default()).unwrap()
}

// ---- Exchange mailboxes ----

#[tokio::test]
async fn exchange_mailboxes_are_listed_page_by_page_under_their_own_key() {
    within(async {
        let s = Server::start(|r| {
            assert_eq!(r.path(), format!("/v1/{D}/ex/mailboxes"));
            let offset: u32 = r.param("offset").unwrap().parse().unwrap();
            let items: Vec<_> = (offset..(offset + 2).min(3)).map(|i| serde_json::json!({"name": format!("m{i}"), "size": 2048})).collect();
            ok(serde_json::json!({"offset": offset, "size": 2, "total": 3, "mailboxes": items}))
        })
        .await;
        let all = s.client().ex_mailboxes("example.com", ExMailboxQuery { size: 2, ..Default::default() }).await.unwrap();
        assert_eq!(all.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["m0", "m1", "m2"]);
        let seen = s.seen();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].param("offset").as_deref(), Some("2"));
        assert_eq!(seen[0].param("fields").as_deref(), Some("size,currentUsage"));
    })
    .await;
}

#[tokio::test]
async fn creating_an_exchange_mailbox_sends_a_form_with_capitalised_booleans_and_is_journaled() {
    within(async {
        let s = Server::start(|r| match (r.method.as_str(), r.path()) {
            ("GET", p) if p == format!("/v1/{D}") => {
                ok(serde_json::json!({"name": "example.com", "exchangeBaseMailboxSize": 2048, "exchangeTotalStorage": 10240}))
            }
            ("GET", _) => not_found("Mailbox"),
            ("POST", _) => Reply::Empty(200),
            _ => Reply::Empty(500),
        })
        .await;
        let w = world();
        let o = ops(&s, &w, Role::SuperAdmin);
        let mut new = NewExMailbox::new("Ana Lima", SecretString::from("Blue-Harbor7"), 4096);
        new.is_hidden = Some(true);
        new.enabled = Some(false);
        o.create_ex_mailbox(&addr("ana.lima@example.com"), &new).await.unwrap();
        let writes = s.writes();
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0].path(), format!("/v1/{D}/ex/mailboxes/ana.lima"));
        assert!(writes[0].content_type.starts_with("application/x-www-form-urlencoded"));
        let form: Vec<(String, String)> = url::form_urlencoded::parse(writes[0].body.as_bytes()).into_owned().collect();
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("displayName"), Some("Ana Lima"));
        assert_eq!(get("size"), Some("4096"));
        assert_eq!(get("isHidden"), Some("True"));
        assert_eq!(get("enabled"), Some("False"));
        let e = &entries(&w)[0];
        assert_eq!(e.action, "exchange.mailbox.create");
        assert_eq!(e.outcome, Some(Outcome::Success));
        assert!(!e.changes.to_string().contains("Blue-Harbor7"), "the password is never journaled");

        // Larger than the domain's Exchange storage: refused before sending, nothing journaled.
        let big = NewExMailbox::new("Bo", SecretString::from("Blue-Harbor7"), 20_480);
        let err = o.create_ex_mailbox(&addr("bo@example.com"), &big).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.user_message().contains("10 GB"), "{}", err.user_message());
        assert_eq!(s.writes().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn help_desk_resets_an_exchange_password_but_may_not_change_its_size() {
    within(async {
        let s = Server::start(|r| match r.method.as_str() {
            "GET" => ok(serde_json::json!({"name": "ana", "size": 2048, "enabled": true})),
            _ => Reply::Empty(200),
        })
        .await;
        let w = world();
        let o = ops(&s, &w, Role::HelpDesk);
        let reset = ExMailboxChanges { password: Some(SecretString::from("Green-Field42")), ..Default::default() };
        o.edit_ex_mailbox(&addr("ana@example.com"), &reset).await.unwrap();
        let bigger = ExMailboxChanges { size: Some(4096), ..Default::default() };
        let err = o.edit_ex_mailbox(&addr("ana@example.com"), &bigger).await.unwrap_err();
        assert!(matches!(err, OpsError::Refused(_)), "{err:?}");
        assert_eq!(s.writes().len(), 1, "the refused change was not sent");
        let all = entries(&w);
        assert_eq!(all[0].action, "exchange.mailbox.change");
        assert!(matches!(all[0].outcome, Some(Outcome::Refused { .. })), "{:?}", all[0].outcome);
        assert_eq!(all[1].action, "exchange.mailbox.reset-password");
        assert_eq!(all[1].outcome, Some(Outcome::Success));
    })
    .await;
}

// ---- permissions ----

#[tokio::test]
async fn permissions_use_the_delegates_local_part_and_the_permission_field() {
    within(async {
        let s = Server::start(|r| match r.method.as_str() {
            "GET" => ok(serde_json::json!({"permissions": [{"mailboxName": "bo", "permission": "both"}]})),
            _ => Reply::Empty(200),
        })
        .await;
        let w = world();
        let o = ops(&s, &w, Role::SuperAdmin);
        let c = s.client();
        let p = c.ex_permissions("example.com", "ana").await.unwrap();
        assert_eq!((p[0].delegate.as_str(), p[0].permission.as_str()), ("bo", "both"));
        o.grant_ex_permission(&addr("ana@example.com"), "Cy@example.com", PermissionLevel::Both).await.unwrap();
        o.revoke_ex_permission(&addr("ana@example.com"), "bo").await.unwrap();
        let writes = s.writes();
        assert_eq!((writes[0].method.as_str(), writes[0].path()), ("POST", format!("/v1/{D}/ex/mailboxes/ana/permissions/cy").as_str()));
        assert_eq!(writes[0].body, "permission=both");
        assert_eq!((writes[1].method.as_str(), writes[1].path()), ("DELETE", format!("/v1/{D}/ex/mailboxes/ana/permissions/bo").as_str()));
        assert_eq!(writes[1].body, "");
        let all = entries(&w);
        assert_eq!(all[0].action, "exchange.permission.revoke");
        assert_eq!(all[0].changes["permission"]["old"], "both");

        // Help desk may not touch permissions; the refusal is journaled and nothing is sent.
        let hd = ops(&s, &w, Role::HelpDesk);
        let err = hd.grant_ex_permission(&addr("ana@example.com"), "dee", PermissionLevel::Both).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotAllowed);
        assert_eq!(s.writes().len(), 2);
        assert!(matches!(entries(&w)[0].outcome, Some(Outcome::Refused { .. })));
        // Another domain's delegate is refused before anything.
        let err = o.grant_ex_permission(&addr("ana@example.com"), "x@other.org", PermissionLevel::Both).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    })
    .await;
}

#[tokio::test]
async fn a_grant_whose_answer_is_lost_is_never_sent_twice() {
    within(async {
        let s = Server::start(|r| match r.method.as_str() {
            "POST" => Reply::Drop,
            _ => ok(serde_json::json!({"permissions": []})),
        })
        .await;
        let w = world();
        let err = ops(&s, &w, Role::SuperAdmin).grant_ex_permission(&addr("ana@example.com"), "bo", PermissionLevel::Both).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unconfirmed, "{err:?}");
        assert_eq!(s.writes().len(), 1, "sent once, never blindly repeated");
        assert!(matches!(entries(&w)[0].outcome, Some(Outcome::Unknown { .. })));
    })
    .await;
}

// ---- contacts ----

#[tokio::test]
async fn contacts_are_searched_and_paged() {
    within(async {
        let s = Server::start(|r| {
            assert_eq!(r.path(), format!("/v1/{D}/ex/contacts"));
            assert_eq!(r.param("contains").as_deref(), Some("vendor"));
            let offset: u32 = r.param("offset").unwrap().parse().unwrap();
            let items: Vec<_> = (offset..(offset + 2).min(3))
                .map(|i| serde_json::json!({"name": format!("c{i}"), "displayName": format!("Vendor {i}"), "externalEmail": format!("c{i}@vendor.org")}))
                .collect();
            ok(serde_json::json!({"offset": offset, "size": 2, "total": 3, "contacts": items}))
        })
        .await;
        let q = ContactQuery { search: Some(rackdesk_core::api::Search::Contains("vendor".into())), size: 2, offset: 0 };
        let all = s.client().contacts("example.com", q).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[2].external_email.as_deref(), Some("c2@vendor.org"));
    })
    .await;
}

#[tokio::test]
async fn help_desk_edits_contacts_but_may_not_delete_them() {
    within(async {
        let s = Server::start(|r| match r.method.as_str() {
            "GET" if r.path().ends_with("/pat") => ok(serde_json::json!({"name": "pat", "displayName": "Pat", "externalEmail": "pat@vendor.org"})),
            "GET" => not_found("Contact"),
            _ => Reply::Empty(200),
        })
        .await;
        let w = world();
        let o = ops(&s, &w, Role::HelpDesk);
        let new = NewContact { display_name: "Lee Supplier".into(), external_email: "lee@supplier.org".into(), is_hidden: Some(false), ..Default::default() };
        o.create_contact("example.com", "lee", &new).await.unwrap();
        let writes = s.writes();
        assert_eq!(writes[0].path(), format!("/v1/{D}/ex/contacts/lee"));
        assert!(writes[0].body.contains("externalEmail=lee%40supplier.org") && writes[0].body.contains("isHidden=False"), "{}", writes[0].body);
        let err = o.delete_contact("example.com", "pat").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotAllowed);
        assert_eq!(s.writes().len(), 1);
        // A name that exists is refused before sending.
        let err = ops(&s, &w, Role::SuperAdmin).create_contact("example.com", "pat", &new).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        let bad = NewContact { display_name: "X".into(), external_email: "nobody".into(), ..Default::default() };
        assert_eq!(o.create_contact("example.com", "x", &bad).await.unwrap_err().kind(), ErrorKind::InvalidInput);
    })
    .await;
}

// ---- distribution lists ----

fn dl(cn: &str, status: &str) -> serde_json::Value {
    serde_json::json!({"CommonName": cn, "DisplayName": cn.to_uppercase(), "Status": status, "MemberCount": 1, "IsHiddenFromAddressList": true})
}

#[tokio::test]
async fn lists_follow_markers_over_several_pages() {
    within(async {
        let s = Server::start(|r| {
            assert_eq!(r.path(), format!("/v1/{D}/ex/distributionlists"));
            assert_eq!(r.param("Limit").as_deref(), Some("2"));
            assert_eq!(r.param("Sort").as_deref(), Some("CN"));
            assert!(r.param("size").is_none() && r.param("offset").is_none(), "no offset paging here");
            let page = match r.param("Marker").as_deref() {
                None => vec![dl("a", "Ready"), dl("b", "Ready")],
                Some("b") => vec![dl("c", "Ready"), dl("d", "Ready")],
                Some("d") => vec![dl("e", "Ready")],
                Some("e") => vec![],
                Some(other) => panic!("unexpected marker {other}"),
            };
            ok(serde_json::json!({ "DistributionLists": page }))
        })
        .await;
        let all = s.client().lists("example.com", ListQuery { limit: 2, ..Default::default() }).await.unwrap();
        assert_eq!(all.iter().map(|l| l.common_name.as_str()).collect::<Vec<_>>(), ["a", "b", "c", "d", "e"]);
        assert_eq!(s.seen().len(), 4);
    })
    .await;
}

#[tokio::test]
async fn a_server_that_repeats_a_marker_stops_with_bad_paging() {
    within(async {
        // It ignores Marker and answers the first page for ever.
        let s = Server::start(|_| ok(serde_json::json!({ "DistributionLists": [dl("a", "Ready"), dl("b", "Ready")] }))).await;
        let err = s.client().lists("example.com", ListQuery::default()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadPaging, "{err:?}");
        assert!(err.detail().unwrap().contains("\"b\" came back"), "{:?}", err.detail());
        assert_eq!(s.seen().len(), 2);
    })
    .await;
}

/// A list server whose Status moves through `states` on each read after a write.
fn async_list_server(states: Vec<serde_json::Value>) -> impl Fn(&Seen) -> Reply + Send + Sync + 'static {
    let reads = Arc::new(Mutex::new(0usize));
    let written = Arc::new(Mutex::new(false));
    move |r: &Seen| {
        if r.method != "GET" {
            *written.lock().unwrap() = true;
            return Reply::Empty(202);
        }
        if r.path().ends_with("/members") {
            return ok(serde_json::json!({"Recipients": []}));
        }
        if !*written.lock().unwrap() {
            return not_found("DistributionList");
        }
        let mut n = reads.lock().unwrap();
        let i = (*n).min(states.len() - 1);
        *n += 1;
        match &states[i] {
            serde_json::Value::Null => not_found("DistributionList"),
            v => ok(v.clone()),
        }
    }
}

#[tokio::test]
async fn creating_a_list_sends_json_and_waits_until_it_settles() {
    within(async {
        let states = vec![serde_json::Value::Null, dl("sales", "Pending"), dl("sales", "InProgress"), dl("sales", "Ready")];
        let s = Server::start(async_list_server(states)).await;
        let w = world();
        let new = NewList { display_name: "Sales".into(), members: vec!["ana@example.com".into()], ..Default::default() };
        let list = ops(&s, &w, Role::SuperAdmin).create_list(&addr("sales@example.com"), &new, quick()).await.unwrap();
        assert_eq!(list.status.as_deref(), Some("Ready"));
        let writes = s.writes();
        assert_eq!(writes.len(), 1);
        assert_eq!((writes[0].method.as_str(), writes[0].path()), ("POST", format!("/v1/{D}/ex/distributionlists/sales").as_str()));
        assert!(writes[0].content_type.starts_with("application/json"), "{}", writes[0].content_type);
        let body: serde_json::Value = serde_json::from_str(&writes[0].body).unwrap();
        assert_eq!(body["CommonName"], "sales");
        assert_eq!(body["Members"]["Recipients"][0], serde_json::json!({"Action": "Add", "Value": "ana@example.com"}));
        // One read before (is the name free?), then 404, Pending, InProgress, Ready.
        let reads = s.seen().iter().filter(|r| r.method == "GET").count();
        assert_eq!(reads, 5);
        let e = &entries(&w)[0];
        assert_eq!((e.action.as_str(), e.outcome.clone()), ("exchange.list.create", Some(Outcome::Success)));
    })
    .await;
}

#[tokio::test]
async fn a_change_that_settles_with_an_error_is_an_error_in_the_servers_words() {
    within(async {
        let failed = serde_json::json!({"CommonName": "sales", "Status": "Ready",
            "Error": {"Action": "AddMember", "Message": "The recipient bo@example.com was not found", "Details": "11/30/2026 8:00:00 AM", "Code": 400}});
        let s = Server::start(async_list_server(vec![dl("sales", "Pending"), failed])).await;
        let w = world();
        // Help desk may change members.
        let err = ops(&s, &w, Role::HelpDesk)
            .change_list_recipients(&addr("sales@example.com"), RecipientKind::Members, RecipientChange::Add, &["bo@example.com".into()], quick())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Rejected, "{err:?}");
        assert!(err.detail().unwrap().contains("The recipient bo@example.com was not found"), "{:?}", err.detail());
        assert!(err.user_message().contains("accepted the change but then could not carry it out"));
        let writes = s.writes();
        assert_eq!(writes.len(), 1);
        assert_eq!(writes[0].method, "PUT");
        assert!(writes[0].content_type.starts_with("application/json"));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&writes[0].body).unwrap(),
            serde_json::json!({"Members": {"Recipients": [{"Action": "Add", "Value": "bo@example.com"}]}})
        );
        match &entries(&w)[0].outcome {
            Some(Outcome::Failed { kind, server_message, .. }) => {
                assert_eq!(kind, "rejected");
                assert_eq!(server_message.as_deref(), Some("The recipient bo@example.com was not found"));
            }
            other => panic!("{other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn an_old_error_on_the_list_is_not_taken_for_this_changes_error() {
    within(async {
        let old_error = serde_json::json!({"Action": "Update", "Message": "old trouble", "Details": "last week"});
        let reads = Arc::new(Mutex::new(0usize));
        let s = Server::start(move |r| {
            if r.method != "GET" {
                return Reply::Empty(204);
            }
            let mut n = reads.lock().unwrap();
            *n += 1;
            let status = if *n <= 2 { "Pending" } else { "Ready" };
            // The new display name shows only once the work is done.
            let name = if *n <= 3 { "Sales" } else { "Sales team" };
            ok(serde_json::json!({"CommonName": "sales", "DisplayName": name, "Status": status, "Error": old_error}))
        })
        .await;
        let w = world();
        let ch = rackdesk_core::exchange::ListChanges { display_name: Some("Sales team".into()), ..Default::default() };
        let l = ops(&s, &w, Role::SuperAdmin).edit_list(&addr("sales@example.com"), &ch, quick()).await.unwrap();
        assert_eq!((l.status.as_deref(), l.display_name.as_deref()), (Some("Ready"), Some("Sales team")));
        // A "Ready" read that does not show the new name yet was not taken for done.
        assert_eq!(s.seen().iter().filter(|r| r.method == "GET").count(), 4);
    })
    .await;
}

#[tokio::test]
async fn a_change_that_does_not_settle_in_time_is_never_reported_done() {
    within(async {
        let s = Server::start(async_list_server(vec![dl("sales", "Pending")])).await;
        let w = world();
        let wait = SettleWait { interval: Duration::from_millis(20), max_wait: Duration::from_millis(200) };
        let err = ops(&s, &w, Role::SuperAdmin).create_list(&addr("sales@example.com"), &NewList { display_name: "Sales".into(), ..Default::default() }, wait)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unconfirmed, "{err:?}");
        assert!(err.user_message().contains("had not finished"), "{}", err.user_message());
        assert!(err.user_message().contains("\"Pending\""), "{}", err.user_message());
        assert!(matches!(entries(&w)[0].outcome, Some(Outcome::Unknown { .. })));
        // An unknown status word is waited on, not taken for "done".
        let s = Server::start(|_| ok(dl("sales", "Mystery"))).await;
        match s.client().settle_list("example.com", "sales", &Expect::Present, None, wait).await {
            Err(ApiError::NotSettled { last_status, .. }) => assert_eq!(last_status.as_deref(), Some("Mystery")),
            other => panic!("{other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn deleting_a_list_waits_until_it_is_gone_and_help_desk_may_not() {
    within(async {
        let deleted = Arc::new(Mutex::new(0usize));
        let d2 = deleted.clone();
        let s = Server::start(move |r| {
            let mut n = d2.lock().unwrap();
            match r.method.as_str() {
                "DELETE" => {
                    *n = 1;
                    Reply::Empty(202)
                }
                _ if *n == 0 => ok(dl("sales", "Ready")),
                _ if *n < 3 => {
                    *n += 1;
                    ok(dl("sales", "Deleting"))
                }
                _ => not_found("DistributionList"),
            }
        })
        .await;
        let w = world();
        let err = ops(&s, &w, Role::HelpDesk).delete_list(&addr("sales@example.com"), quick()).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotAllowed);
        assert!(s.writes().is_empty());
        let refused = &entries(&w)[0];
        assert_eq!(refused.action, "exchange.list.delete");
        assert!(matches!(refused.outcome, Some(Outcome::Refused { .. })));

        ops(&s, &w, Role::SuperAdmin).delete_list(&addr("sales@example.com"), quick()).await.unwrap();
        let writes = s.writes();
        assert_eq!(writes.len(), 1);
        assert_eq!((writes[0].method.as_str(), writes[0].body.as_str()), ("DELETE", ""));
        assert!(!writes[0].content_type.contains("form"), "no form body goes to a distribution list");
        assert_eq!(entries(&w)[0].outcome, Some(Outcome::Success));
    })
    .await;
}

#[tokio::test]
async fn no_form_body_is_ever_sent_to_distribution_lists() {
    within(async {
        let s = Server::start(async_list_server(vec![dl("sales", "Ready")])).await;
        let w = world();
        let o = ops(&s, &w, Role::SuperAdmin);
        let a = addr("sales@example.com");
        o.create_list(&a, &NewList { display_name: "Sales".into(), ..Default::default() }, quick()).await.unwrap();
        let ch = rackdesk_core::exchange::ListChanges { hidden: Some(true), ..Default::default() };
        o.edit_list(&a, &ch, quick()).await.unwrap();
        o.change_list_recipients(&a, RecipientKind::Senders, RecipientChange::Add, &["boss@example.com".into()], quick()).await.unwrap();
        o.change_list_recipients(&a, RecipientKind::Members, RecipientChange::Remove, &["ana@example.com".into()], quick()).await.unwrap();
        let writes = s.writes();
        assert_eq!(writes.len(), 4);
        for w in &writes {
            assert!(w.path().contains("/ex/distributionlists/"));
            assert!(w.content_type.starts_with("application/json"), "{w:?}");
            assert!(serde_json::from_str::<serde_json::Value>(&w.body).is_ok(), "{w:?}");
        }
        let senders: serde_json::Value = serde_json::from_str(&writes[2].body).unwrap();
        assert_eq!(senders["AcceptMessagesOnlyFrom"]["Recipients"][0]["Value"], "boss@example.com");
        let sentences: Vec<String> = entries(&w).iter().map(rackdesk_core::journal::words::summary).collect();
        assert_eq!(sentences[0], "Removed ana@example.com from the distribution list sales@example.com");
        assert_eq!(sentences[1], "Allowed boss@example.com to send to the distribution list sales@example.com");
    })
    .await;
}

#[tokio::test]
async fn entries_left_open_by_a_crash_are_settled_by_reading_back() {
    within(async {
        let s = Server::start(|r| {
            if r.path().ends_with("/ex/distributionlists/sales") {
                ok(dl("sales", "Ready"))
            } else if r.path().ends_with("/ex/distributionlists/sales/members") {
                ok(serde_json::json!({"Recipients": [{"PrimarySmtpAddress": "ana@example.com"}]}))
            } else if r.path().ends_with("/ex/mailboxes/ana/permissions") {
                ok(serde_json::json!({"permissions": [{"mailboxName": "bo", "permission": "both"}]}))
            } else {
                not_found("Mailbox")
            }
        })
        .await;
        let w = world();
        let o = ops(&s, &w, Role::SuperAdmin);
        let open = |action: &str, target: &str| {
            let intent = rackdesk_core::ops::intent_for(&o.session.actor, false, None, action, target, serde_json::json!({}));
            w.journal.begin(&intent).unwrap()
        };
        let created = open("exchange.list.create", "sales@example.com");
        let deleted = open("exchange.mailbox.delete", "gone@example.com");
        let open_with = |action: &str, target: &str, changes: serde_json::Value| {
            let intent = rackdesk_core::ops::intent_for(&o.session.actor, false, None, action, target, changes);
            w.journal.begin(&intent).unwrap()
        };
        let granted = open_with("exchange.permission.grant", "ana@example.com", serde_json::json!({"delegate": "bo@example.com", "permission": {"new": "both"}}));
        let revoked = open_with("exchange.permission.revoke", "ana@example.com", serde_json::json!({"delegate": "bo@example.com", "permission": {"old": "both", "new": null}}));
        let added = open_with("exchange.list.members", "sales@example.com", serde_json::json!({"members": {"added": ["ana@example.com"]}}));
        let unreadable = open_with("exchange.permission.grant", "cy@example.com", serde_json::json!({"delegate": "dee@example.com", "permission": {"new": "both"}}));
        let renamed = open("exchange.mailbox.change", "ana@example.com");
        let settled = o.reconcile_before(chrono::Utc::now() + chrono::Duration::minutes(1)).await.unwrap();
        let result = |id| settled.iter().find(|(e, _)| *e == id).map(|(_, r)| r.as_str());
        assert_eq!(result(created), Some("applied: it exists"));
        assert_eq!(result(deleted), Some("applied: it is gone"));
        assert_eq!(result(granted), Some("applied"));
        assert_eq!(result(revoked), Some("not applied"));
        assert_eq!(result(added), Some("applied"));
        assert_eq!(result(unreadable), None, "a read that fails leaves the entry for a later start");
        assert!(result(renamed).unwrap().starts_with("not decided"));
    })
    .await;
}

#[tokio::test]
async fn a_delete_whose_answer_is_lost_is_confirmed_by_waiting_not_by_resending() {
    within(async {
        let gone = Arc::new(Mutex::new(false));
        let g = gone.clone();
        let s = Server::start(move |r| {
            let mut gone = g.lock().unwrap();
            match r.method.as_str() {
                "DELETE" => {
                    *gone = true;
                    Reply::Drop
                }
                _ if *gone => not_found("DistributionList"),
                _ => ok(dl("sales", "Ready")),
            }
        })
        .await;
        let w = world();
        ops(&s, &w, Role::SuperAdmin).delete_list(&addr("sales@example.com"), quick()).await.unwrap();
        assert_eq!(s.writes().len(), 1, "the delete was sent once");
        assert_eq!(entries(&w)[0].outcome, Some(Outcome::Success));

        // If the list never goes, the outcome stays unknown.
        let s = Server::start(|r| if r.method == "DELETE" { Reply::Drop } else { ok(dl("sales", "Ready")) }).await;
        let wait = SettleWait { interval: Duration::from_millis(20), max_wait: Duration::from_millis(150) };
        let err = ops(&s, &w, Role::SuperAdmin).delete_list(&addr("sales@example.com"), wait).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unconfirmed, "{err:?}");
        assert_eq!(s.writes().len(), 1);
        assert!(matches!(entries(&w)[0].outcome, Some(Outcome::Unknown { .. })));
    })
    .await;
}

#[tokio::test]
async fn a_member_change_is_done_only_once_the_members_show_it() {
    within(async {
        // The list says "Ready" at once, but the member appears only on the third read of the
        // members (by its name in the domain, not its address).
        let reads = Arc::new(Mutex::new(0usize));
        let s = Server::start(move |r| {
            if r.method != "GET" {
                return Reply::Empty(204);
            }
            if r.path().ends_with("/members") {
                let mut n = reads.lock().unwrap();
                *n += 1;
                let names = if *n >= 3 { vec!["zed", "ana"] } else { vec!["zed"] };
                let list: Vec<_> = names.iter().map(|x| serde_json::json!({"CommonName": x})).collect();
                return ok(serde_json::json!({ "Recipients": list }));
            }
            ok(dl("sales", "Ready"))
        })
        .await;
        let w = world();
        ops(&s, &w, Role::HelpDesk)
            .change_list_recipients(&addr("sales@example.com"), RecipientKind::Members, RecipientChange::Add, &["ana@example.com".into()], quick())
            .await
            .unwrap();
        let member_reads = s.seen().iter().filter(|r| r.path().ends_with("/members")).count();
        assert_eq!(member_reads, 3, "the first two 'Ready' reads were not taken for done");
        assert_eq!(entries(&w)[0].outcome, Some(Outcome::Success));
    })
    .await;
}
