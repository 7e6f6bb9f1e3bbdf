//! Hosted Exchange in the simulator against the API reference (§6.8, §6.10, §6.11, §13),
//! seen from outside: raw signed HTTP over a real socket, not Rackdesk's client.
//!
//! Exchange mailboxes, their delegates and contacts on the classic routes; distribution
//! lists in the v1 model (JSON/XML bodies only, marker paging, asynchronous changes).

use base64::Engine;
use rackdesk_sim::faults::{FaultKind, FaultRule};
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use std::time::{Duration, Instant};

const USER_KEY: &str = "SimExchangeUserKey01";
const SECRET: &str = "made-up-secret-for-the-exchange-tests-01";
const UA: &str = "exchange-fidelity-test/1.0";
const PASSWORD: &str = "Lantern-Orchid-83q";
const JSON: &str = "application/json";
const XML: &str = "text/xml";
const FORM: &str = "application/x-www-form-urlencoded";

const ADATUM: &str = "/customers/me/domains/adatum.example";
const TAILSPIN: &str = "/domains/tailspin.example";

fn signature_hash(user_key: &str, ua: &str, ts: &str, secret: &str) -> String {
    let digest = Sha1::digest(format!("{user_key}{ua}{ts}{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest)
}

#[derive(Debug)]
struct Answer {
    status: u16,
    error_message: Option<String>,
    content_type: String,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    fn ok(&self) -> Value {
        assert_eq!(self.status, 200, "{:?} {}", self.error_message, self.body);
        self.json()
    }

    fn assert_empty_ok(&self) {
        assert_eq!(self.status, 200, "{:?} {}", self.error_message, self.body);
        assert!(self.body.is_empty(), "{}", self.body);
    }

    /// A JSON fault: status, root name, message in body and header, code, details.
    fn assert_fault(&self, status: u16, kind: &str, message: &str) {
        assert_eq!(self.status, status, "status; body: {}", self.body);
        assert_eq!(self.error_message.as_deref(), Some(message), "x-error-message; body: {}", self.body);
        assert!(self.content_type.starts_with("application/json"), "{}", self.content_type);
        let v = self.json();
        let inner = &v[kind];
        assert!(inner.is_object(), "fault root {kind} expected: {}", self.body);
        assert_eq!(inner["message"], message, "{}", self.body);
        assert_eq!(inner["code"], status, "{}", self.body);
        assert!(inner["details"].as_str().is_some_and(|d| !d.is_empty()), "{}", self.body);
    }
}

struct Api {
    root: String,
    http: reqwest::Client,
}

impl Api {
    /// One signed call; `body` is `(content type, text)`.
    async fn send(&self, method: &str, path: &str, accept: &str, body: Option<(&str, &str)>) -> Answer {
        let ts = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
        let sig = format!("{USER_KEY}:{ts}:{}", signature_hash(USER_KEY, UA, &ts, SECRET));
        let mut req = self
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), format!("{}{path}", self.root))
            .header("User-Agent", UA)
            .header("X-Api-Signature", sig)
            .header("Accept", accept);
        if let Some((ct, b)) = body {
            req = req.header("Content-Type", ct).body(b.to_owned());
        }
        let resp = req.send().await.expect("the simulator answers");
        let status = resp.status().as_u16();
        let error_message = resp.headers().get("x-error-message").map(|v| v.to_str().unwrap().to_owned());
        let content_type = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        Answer { status, error_message, content_type, body: resp.text().await.unwrap() }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send("GET", path, JSON, None).await
    }

    /// A classic write with a form body (or none).
    async fn form(&self, method: &str, path: &str, body: &str) -> Answer {
        let b = (!body.is_empty()).then_some((FORM, body));
        self.send(method, path, JSON, b).await
    }

    /// A v1 write with a JSON body (or none).
    async fn v1(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        let text = body.map(|b| b.to_string());
        self.send(method, path, JSON, text.as_deref().map(|t| (JSON, t))).await
    }
}

fn config(data: DataSet) -> SimConfig {
    let mut cfg = SimConfig::new(USER_KEY, SECRET);
    cfg.data = data;
    cfg.limits = SimLimits { reads: 5000, writes: 5000, domain_writes: 1000 };
    cfg.async_delay = Duration::from_millis(150);
    cfg
}

async fn start(cfg: SimConfig) -> (Simulator, Api) {
    let sim = Simulator::start_local(cfg).await.expect("start");
    let api = Api { root: sim.api_url().to_owned(), http: reqwest::Client::new() };
    (sim, api)
}

async fn demo() -> (Simulator, Api) {
    start(config(DataSet::Demo)).await
}

fn names(v: &Value, key: &str, field: &str) -> Vec<String> {
    v[key].as_array().unwrap_or_else(|| panic!("{key} in {v}")).iter().map(|i| i[field].as_str().unwrap().to_owned()).collect()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// Polls a list until its Status is no longer a running change; answers the last Show.
async fn settled(api: &Api, path: &str) -> Value {
    let t0 = Instant::now();
    loop {
        let a = api.get(path).await;
        let v = a.json();
        let st = v["Status"].as_str().unwrap_or("").to_owned();
        if a.status != 200 || st == "Ready" || st == "Error" {
            return if a.status == 200 { v } else { json!({"status": a.status}) };
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "never settled: {v}");
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
}

// ---- domains ----

#[tokio::test]
async fn the_demo_has_an_exchange_domain_and_a_mixed_one() {
    let (_sim, api) = demo().await;
    let list = api.get("/customers/me/domains").await.ok();
    let kinds: Vec<(String, String)> = list["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["name"].as_str().unwrap().to_owned(), d["serviceType"].as_str().unwrap().to_owned()))
        .collect();
    assert!(kinds.contains(&("adatum.example".into(), "exchange".into())), "{kinds:?}");
    assert!(kinds.contains(&("tailspin.example".into(), "both".into())), "{kinds:?}");
    assert!(kinds.contains(&("contoso-lab.example".into(), "rsemail".into())), "{kinds:?}");
    // The Rackspace Email demo is unchanged.
    assert_eq!(api.get("/domains/contoso-lab.example/rs/mailboxes").await.ok()["total"], 24);
    assert_eq!(api.get("/domains/contoso-lab.example/rs/aliases").await.ok()["total"], 8);

    let adatum = api.get(ADATUM).await.ok();
    assert_eq!(adatum["serviceType"], "exchange");
    assert_eq!(adatum["exchangeMaxNumMailboxes"], 60);
    assert_eq!(adatum["exchangeBaseMailboxSize"], 102_400);
    assert!(adatum["exchangeUsedStorage"].as_u64().unwrap() > 0);
    assert_eq!(adatum["rsEmailMaxNumberMailboxes"], 0);
    // An Exchange-only domain has no Rackspace Email mailboxes, and takes none.
    assert_eq!(api.get(&format!("{ADATUM}/rs/mailboxes")).await.ok()["total"], 0);
    api.form("POST", &format!("{ADATUM}/rs/mailboxes/new.person"), &format!("password={PASSWORD}&size=2048"))
        .await
        .assert_fault(400, "validationFault", "adatum.example has no Rackspace Email service");
    // A Rackspace Email domain lists no Exchange mailboxes and takes none.
    assert_eq!(api.get("/domains/fabrikam.example/ex/mailboxes").await.ok()["total"], 0);
    api.form("POST", "/domains/fabrikam.example/ex/mailboxes/new.person", &format!("displayName=New&password={PASSWORD}&size=2048"))
        .await
        .assert_fault(400, "validationFault", "fabrikam.example has no Hosted Exchange service");

    let tailspin = api.get(TAILSPIN).await.ok();
    assert_eq!((tailspin["rsEmailMaxNumberMailboxes"].as_u64(), tailspin["exchangeMaxNumMailboxes"].as_u64()), (Some(25), Some(20)));
    assert_eq!(api.get(&format!("{TAILSPIN}/rs/mailboxes")).await.ok()["total"], 12);
    assert_eq!(api.get(&format!("{TAILSPIN}/ex/mailboxes")).await.ok()["total"], 14);
}

#[tokio::test]
async fn the_empty_data_has_an_empty_exchange_domain() {
    let (_sim, api) = start(config(DataSet::Empty)).await;
    let list = api.get("/domains").await.ok();
    assert_eq!(names(&list, "domains", "name"), ["example.com", "example.net"]);
    assert_eq!(list["domains"][1]["serviceType"], "exchange");
    let ex = api.get("/domains/example.net/ex/mailboxes").await.ok();
    assert_eq!((ex["total"].as_u64(), ex["offset"].as_u64(), ex["size"].as_u64()), (Some(0), Some(0), Some(50)));
    assert_eq!(api.get("/domains/example.net/ex/contacts").await.ok()["total"], 0);
    assert_eq!(api.get("/domains/example.net/ex/distributionlists").await.ok()["DistributionLists"], json!([]));
}

// ---- Exchange mailboxes ----

#[tokio::test]
async fn exchange_mailboxes_are_listed_paged_and_searched() {
    let (_sim, api) = demo().await;
    let base = format!("{ADATUM}/ex/mailboxes");
    let first = api.get(&format!("{base}?size=20")).await.ok();
    assert_eq!((first["total"].as_u64(), first["size"].as_u64(), first["offset"].as_u64()), (Some(36), Some(20), Some(0)));
    assert_eq!(first["mailboxes"].as_array().unwrap().len(), 20);
    assert_eq!(keys(&first["mailboxes"][0]), ["displayName", "name"]);
    let second = api.get(&format!("{base}?size=20&offset=20")).await.ok();
    assert_eq!(second["mailboxes"].as_array().unwrap().len(), 16);
    let mut all = names(&first, "mailboxes", "name");
    all.extend(names(&second, "mailboxes", "name"));
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(all, sorted, "one page after the other, no name twice");
    assert!(all.contains(&"reception".to_owned()));

    // Search by name and display name; both at once is refused.
    let found = api.get(&format!("{base}?contains=reception")).await.ok();
    assert_eq!(names(&found, "mailboxes", "name"), ["reception"]);
    let found = api.get(&format!("{base}?startswith=Accounts")).await.ok();
    assert_eq!(names(&found, "mailboxes", "displayName"), ["Accounts Payable"]);
    api.get(&format!("{base}?startswith=a&contains=b")).await.assert_fault(400, "badRequestFault", "Only one of startswith and contains may be used");
    api.get(&format!("{base}?size=251")).await.assert_fault(400, "badRequestFault", "Invalid value for size: must be between 1 and 250");

    // Extra columns and the enabled filter.
    let wide = api.get(&format!("{base}?size=1&fields=size,currentUsage,hasActiveSyncMobileService,hasBlackBerryMobileService")).await.ok();
    let item = &wide["mailboxes"][0];
    assert_eq!(item["size"], 102_400);
    assert!(item["currentUsage"].is_u64() && item["hasActiveSyncMobileService"].is_boolean() && item["hasBlackBerryMobileService"] == false);
    let on = api.get(&format!("{base}?enabled=true")).await.ok()["total"].as_u64().unwrap();
    let off = api.get(&format!("{base}?enabled=false")).await.ok()["total"].as_u64().unwrap();
    assert_eq!(on + off, 36);

    // XML: mailboxList / mailboxes / mailbox.
    let x = api.send("GET", &format!("{base}?size=2"), XML, None).await;
    assert_eq!(x.status, 200);
    assert!(x.body.contains("<mailboxList ") && x.body.contains("xmlns=\"urn:xml:mailboxList\""), "{}", x.body);
    assert!(x.body.contains("<total>36</total><mailboxes><mailbox><name>"), "{}", x.body);
}

#[tokio::test]
async fn an_exchange_mailbox_is_added_shown_edited_and_deleted() {
    let (sim, api) = demo().await;
    let path = format!("{ADATUM}/ex/mailboxes/lena.park");
    // Booleans as Rackspace's own client sends them (True/False) on add.
    let add = format!(
        "displayName=Lena%20Park&password={PASSWORD}&size=51200&isHidden=True&isPublicFolderAdmin=False&enabled=True\
         &visibleInRackspaceEmailCompanyDirectory=False&firstName=Lena&lastName=Park&jobTitle=Buyer&company=Adatum\
         &department=Purchasing&businessNumber=555-0101&addressLine1=1%20Main%20St&city=Springfield&state=OR&zip=97477\
         &country=USA&notes=New%20hire&customID=E-1042&emailForwardingAddress=reception%40adatum.example&saveForwardedEmail=True"
    );
    api.form("POST", &path, &add).await.assert_empty_ok();
    let m = api.get(&path).await.ok();
    assert_eq!(m["name"], "lena.park");
    assert_eq!(m["displayName"], "Lena Park");
    assert_eq!((m["size"].as_u64(), m["currentUsage"].as_u64()), (Some(51200), Some(0)));
    assert_eq!((m["isHidden"].as_bool(), m["isPublicFolderAdmin"].as_bool(), m["enabled"].as_bool()), (Some(true), Some(false), Some(true)));
    assert_eq!(m["visibleInRackspaceEmailCompanyDirectory"], false);
    assert_eq!(m["emailForwardingAddress"], "reception@adatum.example");
    assert_eq!(m["saveForwardedEmail"], true);
    assert_eq!(m["emailAddressList"], json!([{"address": "lena.park@adatum.example", "replyTo": true}]));
    let sam = m["samAccountName"].as_str().unwrap();
    assert!(sam.starts_with("lenapark_") && sam.len() == 14, "{sam}");
    let c = &m["contactInfo"];
    for (k, v) in [("firstName", "Lena"), ("jobTitle", "Buyer"), ("company", "Adatum"), ("department", "Purchasing"), ("addressLine1", "1 Main St"), ("city", "Springfield"), ("state", "OR"), ("zip", "97477"), ("country", "USA"), ("businessNumber", "555-0101"), ("notes", "New hire"), ("customID", "E-1042"), ("mobileNumber", "")] {
        assert_eq!(c[k], v, "{k}: {c}");
    }
    assert!(m["lastLogin"].is_null() && m["hasBlackBerryMobileService"] == false && m["hasActiveSyncMobileService"] == false);
    assert!(sim.sim().with_store(|s| s.domains["adatum.example"].ex_mailboxes["lena.park"].password_hash == rackdesk_sim::store::hash_password(PASSWORD)));
    // Searchable by custom ID.
    assert_eq!(names(&api.get(&format!("{ADATUM}/ex/mailboxes?contains=E-1042")).await.ok(), "mailboxes", "name"), ["lena.park"]);

    // Edit with lower-case booleans, and forwarding turned off with an empty string.
    api.form("PUT", &path, "isHidden=false&enabled=false&emailForwardingAddress=&jobTitle=Head%20Buyer&size=102400").await.assert_empty_ok();
    let m = api.get(&path).await.ok();
    assert_eq!((m["isHidden"].as_bool(), m["enabled"].as_bool()), (Some(false), Some(false)));
    assert_eq!(m["emailForwardingAddress"], "");
    assert_eq!(m["contactInfo"]["jobTitle"], "Head Buyer");
    assert_eq!(m["contactInfo"]["company"], "Adatum", "fields not sent are kept");
    assert_eq!(m["size"], 102_400);
    // JSON bodies are read too, with native booleans.
    api.send("PUT", &path, JSON, Some((JSON, r#"{"enabled":true,"displayName":"Lena J. Park"}"#))).await.assert_empty_ok();
    let m = api.get(&path).await.ok();
    assert_eq!((m["enabled"].as_bool(), m["displayName"].as_str()), (Some(true), Some("Lena J. Park")));
    // XML show: root `mailbox`, the address list item by item.
    let x = api.send("GET", &path, XML, None).await;
    assert!(x.body.contains("<emailAddressList><emailAddress><address>lena.park@adatum.example</address><replyTo>true</replyTo></emailAddress></emailAddressList>"), "{}", x.body);

    // Alternate addresses: on the domain or its domain alias, free, and never the primary.
    let addr = |a: &str| format!("{path}/emailaddresses/{a}");
    api.form("POST", &addr("lena%40adatum-corp.example"), "").await.assert_empty_ok();
    api.form("POST", &addr("buyers.desk%40adatum.example"), "").await.assert_empty_ok();
    let m = api.get(&path).await.ok();
    assert_eq!(m["emailAddressList"], json!([
        {"address": "lena.park@adatum.example", "replyTo": true},
        {"address": "lena@adatum-corp.example", "replyTo": false},
        {"address": "buyers.desk@adatum.example", "replyTo": false}
    ]));
    api.form("POST", &addr("lena%40adatum-corp.example"), "").await.assert_fault(409, "appsFault", "The address lena@adatum-corp.example is already in use");
    api.form("POST", &addr("sales%40adatum.example"), "").await.assert_fault(409, "appsFault", "The address sales@adatum.example is already in use");
    api.form("POST", &addr("lena%40elsewhere.example"), "")
        .await
        .assert_fault(400, "validationFault", "The address lena@elsewhere.example is not on adatum.example or one of its domain aliases");
    // The new address now holds its name: no mailbox may take it.
    api.form("POST", &format!("{ADATUM}/ex/mailboxes/buyers.desk"), &format!("displayName=B&password={PASSWORD}&size=1024"))
        .await
        .assert_fault(409, "appsFault", "The address buyers.desk@adatum.example is already in use");
    api.send("DELETE", &addr("lena.park%40adatum.example"), JSON, None).await.assert_fault(400, "validationFault", "The primary address of a mailbox cannot be removed");
    api.send("DELETE", &addr("buyers.desk%40adatum.example"), JSON, None).await.assert_empty_ok();
    api.send("DELETE", &addr("buyers.desk%40adatum.example"), JSON, None).await.assert_fault(404, "itemNotFoundFault", "Email address not found");
    assert_eq!(api.get(&path).await.ok()["emailAddressList"].as_array().unwrap().len(), 2);
    // A list finds the mailbox by its alternate address too.
    let a = api.v1("POST", &format!("{ADATUM}/ex/distributionlists/buyers"), Some(json!({"DisplayName": "Buyers", "Members": {"Recipients": [{"Action": "Add", "Value": "lena@adatum-corp.example"}]}}))).await;
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.json()["Members"]["Recipients"][0]["Value"], "lena.park");

    api.send("DELETE", &path, JSON, None).await.assert_empty_ok();
    api.get(&path).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    api.send("DELETE", &path, JSON, None).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    assert_eq!(api.get(&path).await.json()["itemNotFoundFault"]["resourceType"], "Mailbox");
}

#[tokio::test]
async fn exchange_mailbox_errors_are_the_documented_ones() {
    let (sim, api) = demo().await;
    let path = format!("{ADATUM}/ex/mailboxes/omar.haddad");
    let full = format!("displayName=Omar%20Haddad&password={PASSWORD}&size=2048");
    // Required fields, one by one.
    api.form("POST", &path, &format!("password={PASSWORD}&size=2048")).await.assert_fault(400, "badRequestFault", "Missing required field: displayName");
    api.form("POST", &path, "displayName=Omar&size=2048").await.assert_fault(400, "badRequestFault", "Missing required field: password");
    api.form("POST", &path, &format!("displayName=Omar&password={PASSWORD}")).await.assert_fault(400, "badRequestFault", "Missing required field: size");
    // Invalid values.
    api.form("POST", &path, &format!("{full}&isHidden=yes")).await.assert_fault(400, "badRequestFault", "Invalid value for isHidden: use true or false");
    api.form("POST", &path, &format!("displayName=Omar&password={PASSWORD}&size=0"))
        .await
        .assert_fault(400, "validationFault", "Invalid value for size: a mailbox size is a number of MB between 1 and 102400");
    let weak = api.form("POST", &path, "displayName=Omar&password=abc&size=2048").await;
    assert_eq!((weak.status, weak.json()["validationFault"]["code"].as_u64()), (400, Some(400)), "{}", weak.body);
    let bad = api.form("POST", &format!("{ADATUM}/ex/mailboxes/bad%20name"), &full).await;
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert!(bad.json()["validationFault"]["message"].as_str().unwrap().starts_with("Invalid mailbox name: "), "{}", bad.body);
    // Unknown fields by name (the Rackspace Email spelling is not Exchange's), read-only fields.
    api.form("POST", &path, &format!("{full}&emailForwardingAddresses=x%40adatum.example"))
        .await
        .assert_fault(400, "badRequestFault", "Unknown field: emailForwardingAddresses");
    api.form("POST", &path, &format!("{full}&samAccountName=omar_1")).await.assert_fault(400, "badRequestFault", "Field samAccountName is read-only");
    // Forwarding only to what Exchange knows.
    api.form("POST", &path, &format!("{full}&emailForwardingAddress=someone%40elsewhere.example"))
        .await
        .assert_fault(400, "validationFault", "Invalid value for emailForwardingAddress: someone@elsewhere.example is not a mailbox, contact or distribution list in Hosted Exchange");
    assert_eq!(api.get(&path).await.status, 404, "nothing was created by the refused adds");
    // A contact's outside address is a valid target.
    let contact = sim.sim().with_store(|s| s.domains["adatum.example"].contacts.values().next().unwrap().external_email.clone());
    api.form("POST", &path, &format!("{full}&emailForwardingAddress={}", contact.replace('@', "%40"))).await.assert_empty_ok();
    api.form("PUT", &path, "emailForwardingAddress=omar.haddad%40adatum.example").await.assert_fault(400, "validationFault", "A mailbox cannot forward to itself");
    // Taken addresses: an Exchange mailbox, a distribution list.
    api.form("POST", &path, &full).await.assert_fault(409, "appsFault", "The address omar.haddad@adatum.example is already in use");
    api.form("POST", &format!("{ADATUM}/ex/mailboxes/sales"), &full).await.assert_fault(409, "appsFault", "The address sales@adatum.example is already in use");
    // On a mixed domain a Rackspace Email mailbox holds its name for both services.
    let rs = sim.sim().with_store(|s| s.domains["tailspin.example"].mailboxes.keys().next().unwrap().clone());
    api.form("POST", &format!("{TAILSPIN}/ex/mailboxes/{rs}"), &full).await.assert_fault(409, "appsFault", &format!("The address {rs}@tailspin.example is already in use"));
    let ex = sim.sim().with_store(|s| s.domains["tailspin.example"].ex_mailboxes.keys().next().unwrap().clone());
    api.form("POST", &format!("{TAILSPIN}/rs/mailboxes/{ex}"), &format!("password={PASSWORD}&size=2048"))
        .await
        .assert_fault(409, "appsFault", &format!("The address {ex}@tailspin.example is already in use"));
    // Not found: mailbox, domain; another account is a reseller matter.
    api.form("PUT", &format!("{ADATUM}/ex/mailboxes/nobody.here"), "enabled=false").await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    api.get("/domains/nowhere.example/ex/mailboxes").await.assert_fault(404, "itemNotFoundFault", "nowhere.example not found");
    api.get("/customers/999999/domains/adatum.example/ex/mailboxes")
        .await
        .assert_fault(403, "unauthorizedFault", "This operation is available to resellers only");
    api.form("POST", "/customers/999999/domains/adatum.example/ex/contacts/x", "displayName=X&externalEmail=x%40y.example")
        .await
        .assert_fault(403, "unauthorizedFault", "This operation is available to resellers only");
    // Edits are checked whole before anything changes.
    api.form("PUT", &path, "displayName=Changed&enabled=maybe").await.assert_fault(400, "badRequestFault", "Invalid value for enabled: use true or false");
    assert_eq!(api.get(&path).await.ok()["displayName"], "Omar Haddad");
    api.form("PUT", &path, "displayName=").await.assert_fault(400, "badRequestFault", "Required field displayName cannot be empty");
}

#[tokio::test]
async fn the_domains_exchange_mailbox_limit_is_enforced() {
    let (sim, api) = demo().await;
    let (count, max) = sim.sim().with_store(|s| {
        let d = s.domains.get_mut("tailspin.example").unwrap();
        (d.ex_mailboxes.len(), d.exchange_max_mailboxes)
    });
    assert_eq!((count, max), (14, 20));
    for i in 0..6 {
        api.form("POST", &format!("{TAILSPIN}/ex/mailboxes/temp{i}"), &format!("displayName=Temp%20{i}&password={PASSWORD}&size=1024"))
            .await
            .assert_empty_ok();
    }
    api.form("POST", &format!("{TAILSPIN}/ex/mailboxes/one.more"), &format!("displayName=One%20More&password={PASSWORD}&size=1024"))
        .await
        .assert_fault(400, "validationFault", "The domain has reached its maximum number of mailboxes");
    // The Rackspace Email side of the same domain has its own limit.
    api.form("POST", &format!("{TAILSPIN}/rs/mailboxes/one.more"), &format!("password={PASSWORD}&size=1024")).await.assert_empty_ok();
    // Deleting one makes room again.
    api.send("DELETE", &format!("{TAILSPIN}/ex/mailboxes/temp0"), JSON, None).await.assert_empty_ok();
    api.form("POST", &format!("{TAILSPIN}/ex/mailboxes/one.more2"), &format!("displayName=One%20More&password={PASSWORD}&size=1024")).await.assert_empty_ok();
    assert_eq!(api.get(TAILSPIN).await.ok()["exchangeMaxNumMailboxes"], 20);
}

// ---- permissions ----

#[tokio::test]
async fn delegates_are_granted_changed_listed_and_removed() {
    let (sim, api) = demo().await;
    let shown = api.get(&format!("{ADATUM}/ex/mailboxes/reception/permissions")).await.ok();
    assert_eq!(shown["total"], 2);
    let perms: Vec<String> = shown["permissions"].as_array().unwrap().iter().map(|p| p["permission"].as_str().unwrap().to_owned()).collect();
    assert!(perms.contains(&"both".to_owned()) && perms.contains(&"fullaccess".to_owned()), "{shown}");
    assert!(shown["permissions"][0]["delegate"].as_str().unwrap().contains('.'));

    let (owner, delegate) = sim.sim().with_store(|s| {
        let keys: Vec<String> = s.domains["adatum.example"].ex_mailboxes.keys().filter(|k| k.contains('.')).cloned().collect();
        (keys[10].clone(), keys[11].clone())
    });
    let base = format!("{ADATUM}/ex/mailboxes/{owner}/permissions");
    assert_eq!(api.get(&base).await.ok()["permissions"], json!([]));
    api.form("POST", &format!("{base}/{delegate}"), "permission=both").await.assert_empty_ok();
    let list = api.get(&base).await.ok();
    assert_eq!(list["permissions"][0]["delegate"], delegate.as_str());
    assert_eq!(list["permissions"][0]["permission"], "both");
    assert!(!list["permissions"][0]["displayName"].as_str().unwrap().is_empty());
    let x = api.send("GET", &base, XML, None).await;
    assert!(x.body.contains("<permissions><permission><delegate>"), "{}", x.body);

    api.form("POST", &format!("{base}/{delegate}"), "permission=both").await.assert_fault(409, "appsFault", &format!("{delegate} already has a permission on {owner}"));
    api.form("PUT", &format!("{base}/{delegate}"), "permission=FullAccess").await.assert_empty_ok();
    assert_eq!(api.get(&base).await.ok()["permissions"][0]["permission"], "fullaccess");

    api.form("PUT", &format!("{base}/{delegate}"), "permission=sendas").await.assert_fault(400, "validationFault", "Invalid value for permission: sendas (use both or fullaccess)");
    api.form("PUT", &format!("{base}/{delegate}"), "").await.assert_fault(400, "badRequestFault", "Missing required field: permission");
    api.form("PUT", &format!("{base}/{delegate}"), "permission=both&level=high").await.assert_fault(400, "badRequestFault", "Unknown field: level");
    api.form("POST", &format!("{base}/nobody.here"), "permission=both").await.assert_fault(404, "itemNotFoundFault", "Delegate mailbox nobody.here not found");
    api.form("POST", &format!("{base}/{owner}"), "permission=both").await.assert_fault(400, "validationFault", "A mailbox cannot be its own delegate");
    api.form("POST", &format!("{ADATUM}/ex/mailboxes/nobody.here/permissions/{delegate}"), "permission=both").await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    let other = sim.sim().with_store(|s| s.domains["adatum.example"].ex_mailboxes.keys().find(|k| k.contains('.')).unwrap().clone());
    api.form("PUT", &format!("{base}/{other}"), "permission=both").await.assert_fault(404, "itemNotFoundFault", "Permission not found");

    api.send("DELETE", &format!("{base}/{delegate}"), JSON, None).await.assert_empty_ok();
    assert_eq!(api.get(&base).await.ok()["total"], 0);
    api.send("DELETE", &format!("{base}/{delegate}"), JSON, None).await.assert_fault(404, "itemNotFoundFault", "Permission not found");

    // Deleting a delegate's mailbox takes its permissions with it.
    api.form("POST", &format!("{base}/{delegate}"), "permission=both").await.assert_empty_ok();
    api.send("DELETE", &format!("{ADATUM}/ex/mailboxes/{delegate}"), JSON, None).await.assert_empty_ok();
    assert_eq!(api.get(&base).await.ok()["total"], 0);
}

// ---- contacts ----

#[tokio::test]
async fn contacts_are_listed_searched_added_edited_and_deleted() {
    let (sim, api) = demo().await;
    let base = format!("{ADATUM}/ex/contacts");
    let page = api.get(&format!("{base}?size=10")).await.ok();
    assert_eq!((page["total"].as_u64(), page["contacts"].as_array().unwrap().len()), (Some(18), 10));
    assert_eq!(keys(&page["contacts"][0]), ["displayName", "externalEmail", "name"]);
    let rest = api.get(&format!("{base}?size=10&offset=10")).await.ok();
    assert_eq!(rest["contacts"].as_array().unwrap().len(), 8);
    let x = api.send("GET", &format!("{base}?size=1"), XML, None).await;
    assert!(x.body.contains("xmlns=\"urn:xml:contactList\"") && x.body.contains("<contacts><contact><name>"), "{}", x.body);

    let path = format!("{base}/ines-moreau-fabrikam");
    api.form("POST", &path, "displayName=In%C3%A8s%20Moreau%20(Fabrikam)&externalEmail=ines.moreau%40fabrikam-partners.example&isHidden=TRUE&company=Fabrikam&jobTitle=Buyer&businessnumber=555-0199")
        .await
        .assert_empty_ok();
    let c = api.get(&path).await.ok();
    assert_eq!(c["displayName"], "Inès Moreau (Fabrikam)");
    assert_eq!(c["externalEmail"], "ines.moreau@fabrikam-partners.example");
    assert_eq!(c["isHidden"], true);
    assert_eq!((c["company"].as_str(), c["jobTitle"].as_str(), c["businessNumber"].as_str()), (Some("Fabrikam"), Some("Buyer"), Some("555-0199")));
    // Search by display name and by outside address, startswith or contains.
    assert_eq!(names(&api.get(&format!("{base}?startswith=in%C3%A8s")).await.ok(), "contacts", "name"), ["ines-moreau-fabrikam"]);
    assert_eq!(names(&api.get(&format!("{base}?contains=fabrikam-partners")).await.ok(), "contacts", "name"), ["ines-moreau-fabrikam"]);
    assert_eq!(api.get(&format!("{base}?contains=zzz-no-such")).await.ok()["total"], 0);
    let by_company = api.get(&format!("{base}?contains=fourthcoffee")).await.ok();
    assert!(by_company["contacts"].as_array().unwrap().iter().all(|c| c["externalEmail"].as_str().unwrap().ends_with("@fourthcoffee.example")));

    api.form("PUT", &path, "isHidden=False&externalEmail=ines%40fabrikam-partners.example&displayName=In%C3%A8s%20M.").await.assert_empty_ok();
    let c = api.get(&path).await.ok();
    assert_eq!((c["isHidden"].as_bool(), c["externalEmail"].as_str(), c["company"].as_str()), (Some(false), Some("ines@fabrikam-partners.example"), Some("Fabrikam")));

    // Errors.
    api.form("POST", &format!("{base}/x1"), "externalEmail=x1%40y.example").await.assert_fault(400, "badRequestFault", "Missing required field: displayName");
    api.form("POST", &format!("{base}/x1"), "displayName=X").await.assert_fault(400, "badRequestFault", "Missing required field: externalEmail");
    api.form("POST", &format!("{base}/x1"), "displayName=X&externalEmail=not-an-address").await.assert_fault(400, "validationFault", "Invalid value for externalEmail: not-an-address");
    api.form("POST", &format!("{base}/x1"), "displayName=X&externalEmail=someone%40adatum.example")
        .await
        .assert_fault(400, "validationFault", "Invalid value for externalEmail: someone@adatum.example is on adatum.example; a contact is for an outside address");
    api.form("POST", &format!("{base}/x1"), "displayName=X&externalEmail=ines%40fabrikam-partners.example")
        .await
        .assert_fault(409, "appsFault", "The contact ines-moreau-fabrikam already has the address ines@fabrikam-partners.example");
    api.form("POST", &path, "displayName=X&externalEmail=x2%40y.example").await.assert_fault(409, "appsFault", "The contact ines-moreau-fabrikam already exists");
    api.form("POST", &format!("{base}/x1"), "displayName=X&externalEmail=x1%40y.example&email=x").await.assert_fault(400, "badRequestFault", "Unknown field: email");
    api.form("PUT", &path, "isHidden=perhaps").await.assert_fault(400, "badRequestFault", "Invalid value for isHidden: use true or false");
    api.get(&format!("{base}/nobody")).await.assert_fault(404, "itemNotFoundFault", "Contact not found");
    api.form("PUT", &format!("{base}/nobody"), "displayName=X").await.assert_fault(404, "itemNotFoundFault", "Contact not found");
    api.get("/domains/abc.example/ex/contacts").await.assert_fault(404, "itemNotFoundFault", "abc.example not found");

    api.send("DELETE", &path, JSON, None).await.assert_empty_ok();
    api.send("DELETE", &path, JSON, None).await.assert_fault(404, "itemNotFoundFault", "Contact not found");
    assert!(sim.sim().with_store(|s| !s.domains["adatum.example"].contacts.contains_key("ines-moreau-fabrikam")));
}

// ---- distribution lists (v1) ----

#[tokio::test]
async fn a_form_body_is_refused_on_distribution_lists() {
    let (sim, api) = demo().await;
    let base = format!("{ADATUM}/ex/distributionlists");
    let msg = "Form-encoded bodies are not supported here: send JSON (application/json) or XML (text/xml)";
    api.form("POST", &base, "CommonName=quiz&DisplayName=Quiz").await.assert_fault(400, "badRequestFault", msg);
    api.form("POST", &format!("{base}/quiz"), "DisplayName=Quiz").await.assert_fault(400, "badRequestFault", msg);
    api.form("PUT", &format!("{base}/sales"), "DisplayName=Renamed").await.assert_fault(400, "badRequestFault", msg);
    api.form("PUT", &format!("{base}/sales/members"), "Value=reception").await.assert_fault(400, "badRequestFault", msg);
    assert!(sim.sim().with_store(|s| !s.domains["adatum.example"].dist_lists.contains_key("quiz")));
    assert_eq!(api.get(&format!("{base}/sales")).await.ok()["DisplayName"], "Sales Team");
    // A body that is not what it says it is.
    api.send("POST", &base, JSON, Some((JSON, "{not json"))).await.assert_fault(400, "badRequestFault", "The request body could not be read");
    api.send("POST", &base, JSON, Some((XML, "<DistributionList><CommonName>x</DistributionList>"))).await.assert_fault(400, "badRequestFault", "The request body could not be read");
}

#[tokio::test]
async fn distribution_lists_page_by_marker() {
    let (_sim, api) = demo().await;
    let base = format!("{ADATUM}/ex/distributionlists");
    let all = api.get(&base).await.ok();
    assert_eq!(all["Total"], 14);
    let every = names(&all, "DistributionLists", "CommonName");
    let mut sorted = every.clone();
    sorted.sort();
    assert_eq!(every, sorted, "by common name, ascending, by default");
    let item = all["DistributionLists"][0].as_object().unwrap();
    for k in ["CommonName", "DisplayName", "PrimarySmtpAddress", "MemberCount", "IsHiddenFromAddressList", "Status"] {
        assert!(item.contains_key(k), "{k}: {item:?}");
    }
    assert_eq!(all["DistributionLists"][0]["Status"], "Ready");

    // Walk with Limit=5: 5, 5, 4, then an empty page.
    let mut walked = Vec::new();
    let mut marker = String::new();
    let mut sizes = Vec::new();
    loop {
        let q = if marker.is_empty() { format!("{base}?Limit=5") } else { format!("{base}?Limit=5&Marker={marker}") };
        let page = api.get(&q).await.ok();
        let got = names(&page, "DistributionLists", "CommonName");
        sizes.push(got.len());
        if got.is_empty() {
            break;
        }
        marker = got.last().unwrap().clone();
        walked.extend(got);
    }
    assert_eq!(sizes, [5, 5, 4, 0]);
    assert_eq!(walked, every);

    // The page before a marker.
    let prev = api.get(&format!("{base}?Limit=5&Marker={}&PreviousPage=true", every[10])).await.ok();
    assert_eq!(names(&prev, "DistributionLists", "CommonName"), every[5..10]);
    // A marker deleted in the meantime still places the page when sorting by name.
    let after_gap = api.get(&format!("{base}?Limit=2&Marker=f-gone")).await.ok();
    let expect: Vec<String> = every.iter().filter(|n| n.as_str() > "f-gone").take(2).cloned().collect();
    assert_eq!(names(&after_gap, "DistributionLists", "CommonName"), expect);

    // By display name, descending, in pages of 4.
    let mut by_name: Vec<(String, String)> = all["DistributionLists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["DisplayName"].as_str().unwrap().to_lowercase(), l["CommonName"].as_str().unwrap().to_owned()))
        .collect();
    by_name.sort();
    by_name.reverse();
    let first = api.get(&format!("{base}?Limit=4&Sort=DisplayName&Order=desc")).await.ok();
    let first_names = names(&first, "DistributionLists", "CommonName");
    assert_eq!(first_names, by_name[..4].iter().map(|p| p.1.clone()).collect::<Vec<_>>());
    let next = api.get(&format!("{base}?limit=4&sort=displayname&order=DESC&marker={}", first_names[3])).await.ok();
    assert_eq!(names(&next, "DistributionLists", "CommonName"), by_name[4..8].iter().map(|p| p.1.clone()).collect::<Vec<_>>());
    api.get(&format!("{base}?Sort=DisplayName&Marker=f-gone")).await.assert_fault(400, "badRequestFault", "Invalid value for Marker: no distribution list f-gone");

    // Search over common and display names.
    let found = api.get(&format!("{base}?Search=team")).await.ok();
    assert_eq!(names(&found, "DistributionLists", "CommonName"), ["leadership", "sales"]);
    assert_eq!(found["Total"], 2);

    for (q, msg) in [
        ("Limit=0", "Invalid value for Limit: must be between 1 and 250"),
        ("Limit=251", "Invalid value for Limit: must be between 1 and 250"),
        ("Sort=Size", "Invalid value for Sort: use CN or DisplayName"),
        ("Order=up", "Invalid value for Order: use asc or desc"),
        ("PreviousPage=maybe", "Invalid value for PreviousPage: use true or false"),
        ("ExportTo=a%40b.example", "ExportTo is not supported by the simulator"),
    ] {
        api.get(&format!("{base}?{q}")).await.assert_fault(400, "badRequestFault", msg);
    }
    // XML list.
    let x = api.send("GET", &format!("{base}?Limit=2"), XML, None).await;
    assert!(x.body.contains("<DistributionLists><DistributionList><CommonName>"), "{}", x.body);
}

#[tokio::test]
async fn a_distribution_list_is_created_asynchronously_and_settles_late() {
    let mut cfg = config(DataSet::Demo);
    // Long enough that the reads right after a write still see it running, even on a busy machine.
    cfg.async_delay = Duration::from_millis(800);
    let (sim, api) = start(cfg).await;
    let base = format!("{ADATUM}/ex/distributionlists");
    let (m1, m2) = sim.sim().with_store(|s| {
        let k: Vec<String> = s.domains["adatum.example"].ex_mailboxes.keys().filter(|k| k.contains('.')).cloned().collect();
        (k[0].clone(), k[1].clone())
    });
    let contact = sim.sim().with_store(|s| s.domains["adatum.example"].contacts.values().next().unwrap().external_email.clone());
    let body = json!({
        "CommonName": "book-club", "DisplayName": "Book Club", "Description": "Monthly reads",
        "IsHiddenFromAddressList": false,
        "Members": {"Recipients": [{"Action": "Add", "Value": m1}, {"Action": "Add", "Value": format!("{m2}@adatum.example")}, {"Value": contact}]},
        "AcceptMessagesOnlyFrom": {"Recipients": [{"Action": "Add", "Value": "leadership"}]}
    });
    let t0 = Instant::now();
    let a = api.v1("POST", &base, Some(body)).await;
    assert_eq!(a.status, 202, "{:?} {}", a.error_message, a.body);
    let v = a.json();
    assert_eq!((v["CommonName"].as_str(), v["Status"].as_str()), (Some("book-club"), Some("Creating")));
    assert_eq!(v["Error"], Value::Null);
    // Readable at once, still running.
    let path = format!("{base}/book-club");
    assert_eq!(api.get(&path).await.ok()["Status"], "Creating");
    assert!(names(&api.get(&base).await.ok(), "DistributionLists", "CommonName").contains(&"book-club".to_owned()));
    // A second change while the first runs is refused.
    api.v1("PUT", &path, Some(json!({"DisplayName": "Readers"})))
        .await
        .assert_fault(409, "appsFault", "The distribution list book-club is still busy with an earlier change; try again when its Status is Ready or Error");
    let done = settled(&api, &path).await;
    assert!(t0.elapsed() >= Duration::from_millis(800), "settled too early");
    assert_eq!(done["Status"], "Ready");
    assert_eq!(done["PrimarySmtpAddress"], "book-club@adatum.example");
    assert_eq!(done["Alias"], "book-club");
    assert_eq!(done["Description"], "Monthly reads");
    assert_eq!(done["MemberCount"], 3);
    assert_eq!(done["EmailAddresses"], json!([{"AddressPrimary": true, "AddressProtocol": "smtp", "Value": "book-club@adatum.example"}]));
    let members = api.get(&format!("{path}/members")).await.ok();
    let types: Vec<&str> = members["Recipients"].as_array().unwrap().iter().map(|r| r["Type"].as_str().unwrap()).collect();
    assert_eq!(types, ["Mailbox", "Mailbox", "Contact"]);
    assert_eq!(members["Recipients"][2]["PrimarySmtpAddress"], contact.as_str());
    let senders = api.get(&format!("{path}/senders")).await.ok();
    assert_eq!(senders["Recipients"][0]["Type"], "DistributionList");
    assert_eq!(senders["Recipients"][0]["Value"], "leadership");
    assert_eq!(api.get(&format!("{path}/emailaddresses")).await.ok()["EmailAddresses"][0]["Value"], "book-club@adatum.example");

    // An update keeps the old values until it settles.
    let a = api.v1("PUT", &path, Some(json!({"DisplayName": "Readers' Circle", "IsHiddenFromAddressList": "True", "Members": {"Recipients": [{"Action": "Remove", "Value": m1}]}}))).await;
    assert_eq!((a.status, a.json()["Status"].as_str()), (202, Some("Updating")), "{}", a.body);
    let during = api.get(&path).await.ok();
    assert_eq!((during["DisplayName"].as_str(), during["MemberCount"].as_u64()), (Some("Book Club"), Some(3)));
    let done = settled(&api, &path).await;
    assert_eq!((done["DisplayName"].as_str(), done["MemberCount"].as_u64(), done["IsHiddenFromAddressList"].as_bool()), (Some("Readers' Circle"), Some(2), Some(true)));

    // Members one at a time, through the sub-resource.
    assert_eq!(api.v1("POST", &format!("{path}/members/{m1}"), None).await.status, 202);
    assert_eq!(settled(&api, &path).await["MemberCount"], 3);
    assert_eq!(api.v1("DELETE", &format!("{path}/members/{m2}"), None).await.status, 202);
    assert_eq!(settled(&api, &path).await["MemberCount"], 2);
    // And as a list of actions.
    let a = api.v1("PUT", &format!("{path}/senders"), Some(json!({"Recipients": [{"Action": "Remove", "Value": "leadership"}, {"Action": "Add", "Value": m2}]}))).await;
    assert_eq!(a.status, 202, "{}", a.body);
    settled(&api, &path).await;
    assert_eq!(names(&api.get(&format!("{path}/senders")).await.ok(), "Recipients", "Value"), std::slice::from_ref(&m2));

    // Delete: Deleting, then gone.
    let a = api.v1("DELETE", &path, None).await;
    assert_eq!((a.status, a.json()["Status"].as_str()), (202, Some("Deleting")));
    assert_eq!(api.get(&path).await.ok()["Status"], "Deleting");
    let t0 = Instant::now();
    while api.get(&path).await.status == 200 {
        assert!(t0.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    api.get(&path).await.assert_fault(404, "itemNotFoundFault", "Distribution list not found");
    // The request log has the accepted writes.
    let log = sim.sim().requests();
    assert!(log.iter().any(|r| r.method == "POST" && r.path.ends_with("/ex/distributionlists") && r.status == 202), "{log:?}");
}

#[tokio::test]
async fn a_distribution_list_is_created_from_an_xml_body() {
    let (_sim, api) = demo().await;
    let base = format!("{ADATUM}/ex/distributionlists");
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><DistributionList><DisplayName>Garden &amp; Grounds</DisplayName>\
                <IsHiddenFromAddressList>True</IsHiddenFromAddressList><Members><Recipients><Recipient><Action>Add</Action>\
                <Value>reception</Value></Recipient></Recipients></Members></DistributionList>";
    let a = api.send("POST", &format!("{base}/garden"), XML, Some((XML, body))).await;
    assert_eq!(a.status, 202, "{:?} {}", a.error_message, a.body);
    assert!(a.content_type.starts_with("text/xml"));
    assert!(a.body.contains("<CommonName>garden</CommonName>") && a.body.contains("<Status>Creating</Status>"), "{}", a.body);
    let done = settled(&api, &format!("{base}/garden")).await;
    assert_eq!((done["DisplayName"].as_str(), done["IsHiddenFromAddressList"].as_bool()), (Some("Garden & Grounds"), Some(true)));
    assert_eq!(done["Members"]["Recipients"][0]["Value"], "reception");
    // And false in XML, on an update.
    let a = api.send("PUT", &format!("{base}/garden"), XML, Some((XML, "<DistributionList><IsHiddenFromAddressList>false</IsHiddenFromAddressList></DistributionList>"))).await;
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(settled(&api, &format!("{base}/garden")).await["IsHiddenFromAddressList"], false);
    // XML members list.
    let x = api.send("GET", &format!("{base}/garden/members"), XML, None).await;
    assert!(x.body.contains("<Recipients><Recipient><Type>Mailbox</Type><Value>reception</Value>"), "{}", x.body);
}

#[tokio::test]
async fn a_change_can_settle_with_an_error() {
    let (sim, api) = demo().await;
    let base = format!("{ADATUM}/ex/distributionlists");
    // The next accepted create fails when it settles.
    sim.sim().add_fault(FaultRule::new(FaultKind::AsyncError).on_method("POST").times(1));
    let a = api.v1("POST", &base, Some(json!({"CommonName": "doomed", "DisplayName": "Doomed"}))).await;
    assert_eq!((a.status, a.json()["Status"].as_str()), (202, Some("Creating")), "the write itself is accepted");
    let done = settled(&api, &format!("{base}/doomed")).await;
    assert_eq!(done["Status"], "Error");
    let e = &done["Error"];
    assert_eq!(e["Action"], "Create");
    assert_eq!(e["Message"], "The change could not be completed by Exchange");
    assert_eq!(e["Code"], 500);
    assert!(e["Uri"].as_str().unwrap().ends_with("/ex/distributionlists"), "{e}");
    assert!(!e["Details"].as_str().unwrap().is_empty());
    let errors = api.get(&format!("{base}/doomed/errors")).await.ok();
    assert_eq!(errors["Errors"], json!([e]));
    // A list in Error takes a new change, which clears the error when it works.
    api.v1("PUT", &format!("{base}/doomed"), Some(json!({"Description": "second try"}))).await;
    let again = settled(&api, &format!("{base}/doomed")).await;
    assert_eq!((again["Status"].as_str(), again["Error"].clone()), (Some("Ready"), Value::Null));
    assert_eq!(api.get(&format!("{base}/doomed/errors")).await.ok()["Errors"], json!([]));

    // A failed update leaves the old values; a failed delete leaves the list.
    sim.sim().add_fault(FaultRule::new(FaultKind::AsyncError).on_method("PUT").times(1));
    api.v1("PUT", &format!("{base}/sales"), Some(json!({"DisplayName": "Never Applied"}))).await;
    let failed = settled(&api, &format!("{base}/sales")).await;
    assert_eq!((failed["Status"].as_str(), failed["DisplayName"].as_str(), failed["Error"]["Action"].as_str()), (Some("Error"), Some("Sales Team"), Some("Update")));
    sim.sim().add_fault(FaultRule::new(FaultKind::AsyncError).on_method("DELETE").on_path("/marketing").times(1));
    api.v1("DELETE", &format!("{base}/marketing"), None).await;
    let kept = settled(&api, &format!("{base}/marketing")).await;
    assert_eq!((kept["Status"].as_str(), kept["Error"]["Action"].as_str()), (Some("Error"), Some("Delete")));
    // The rule was used up: the next delete works.
    api.v1("DELETE", &format!("{base}/marketing"), None).await;
    assert_eq!(settled(&api, &format!("{base}/marketing")).await, json!({"status": 404}));
}

#[tokio::test]
async fn distribution_list_errors_are_refused_up_front() {
    let (_sim, api) = demo().await;
    let base = format!("{ADATUM}/ex/distributionlists");
    let post = |b: Value| api.v1("POST", &base, Some(b));
    post(json!({"DisplayName": "No Name"})).await.assert_fault(400, "badRequestFault", "Missing required field: CommonName");
    post(json!({"CommonName": "nodisplay"})).await.assert_fault(400, "badRequestFault", "Missing required field: DisplayName");
    post(json!({"CommonName": "sales", "DisplayName": "Again"})).await.assert_fault(409, "appsFault", "The address sales@adatum.example is already in use");
    post(json!({"CommonName": "reception", "DisplayName": "Taken"})).await.assert_fault(409, "appsFault", "The address reception@adatum.example is already in use");
    post(json!({"CommonName": "x1", "DisplayName": "X", "Owner": "me"})).await.assert_fault(400, "badRequestFault", "Unknown field: Owner");
    post(json!({"CommonName": "x1", "DisplayName": "X", "Status": "Ready"})).await.assert_fault(400, "badRequestFault", "Field Status is read-only");
    post(json!({"CommonName": "x1", "DisplayName": "X", "IsHiddenFromAddressList": "sometimes"})).await.assert_fault(400, "badRequestFault", "Invalid value for IsHiddenFromAddressList: use true or false");
    post(json!({"CommonName": "x1", "DisplayName": "X", "Members": {"Recipients": [{"Action": "Add", "Value": "nobody.here"}]}}))
        .await
        .assert_fault(400, "validationFault", "The recipient nobody.here is not a mailbox, contact or distribution list of adatum.example");
    post(json!({"CommonName": "x1", "DisplayName": "X", "Members": {"Recipients": [{"Action": "Add", "Value": "stranger@elsewhere.example"}]}}))
        .await
        .assert_fault(400, "validationFault", "The recipient stranger@elsewhere.example is not a mailbox, contact or distribution list of adatum.example");
    post(json!({"CommonName": "x1", "DisplayName": "X", "Members": {"Recipients": [{"Action": "Swap", "Value": "reception"}]}}))
        .await
        .assert_fault(400, "badRequestFault", "Invalid value for Members.Recipients.Action: swap (use Add or Remove)");
    api.v1("POST", &format!("{base}/x2"), Some(json!({"CommonName": "x3", "DisplayName": "X"})))
        .await
        .assert_fault(400, "badRequestFault", "CommonName in the body does not match the name in the address");
    api.v1("PUT", &format!("{base}/sales"), Some(json!({"Members": {"Recipients": [{"Action": "Add", "Value": "sales"}]}})))
        .await
        .assert_fault(400, "validationFault", "A distribution list cannot contain itself");
    api.v1("PUT", &format!("{base}/sales"), Some(json!({"CommonName": "deals"})))
        .await
        .assert_fault(400, "badRequestFault", "Renaming a distribution list is not supported by the simulator");
    api.v1("DELETE", &format!("{base}/sales/members/reception"), None).await.assert_fault(400, "validationFault", "reception is not a member of sales");
    api.v1("PUT", &format!("{base}/sales/members"), Some(json!({}))).await.assert_fault(400, "badRequestFault", "Missing required field: Recipients");
    for path in [format!("{base}/nope"), format!("{base}/nope/members"), format!("{base}/nope/senders"), format!("{base}/nope/emailaddresses")] {
        api.get(&path).await.assert_fault(404, "itemNotFoundFault", "Distribution list not found");
    }
    api.v1("PUT", &format!("{base}/nope"), Some(json!({"DisplayName": "X"}))).await.assert_fault(404, "itemNotFoundFault", "Distribution list not found");
    api.v1("DELETE", &format!("{base}/nope"), None).await.assert_fault(404, "itemNotFoundFault", "Distribution list not found");
    api.get("/domains/nowhere.example/ex/distributionlists").await.assert_fault(404, "itemNotFoundFault", "nowhere.example not found");
    api.get("/customers/999999/domains/adatum.example/ex/distributionlists")
        .await
        .assert_fault(403, "unauthorizedFault", "This operation is available to resellers only");
    // Nothing of it was made.
    assert_eq!(api.get(&base).await.ok()["Total"], 14);
}

#[tokio::test]
async fn deleting_a_mailbox_or_contact_takes_it_out_of_lists() {
    let (sim, api) = demo().await;
    let (list, member) = sim.sim().with_store(|s| {
        let d = &s.domains["adatum.example"];
        let (n, l) = d.dist_lists.iter().find(|(_, l)| l.state.members.iter().any(|r| r.kind == rackdesk_sim::distlists::RecipientKind::Mailbox)).unwrap();
        (n.clone(), l.state.members.iter().find(|r| r.kind == rackdesk_sim::distlists::RecipientKind::Mailbox).unwrap().name.clone())
    });
    let before = api.get(&format!("{ADATUM}/ex/distributionlists/{list}")).await.ok()["MemberCount"].as_u64().unwrap();
    api.send("DELETE", &format!("{ADATUM}/ex/mailboxes/{member}"), JSON, None).await.assert_empty_ok();
    let after = api.get(&format!("{ADATUM}/ex/distributionlists/{list}")).await.ok();
    assert_eq!(after["MemberCount"].as_u64().unwrap(), before - 1);
    let partners = api.get(&format!("{ADATUM}/ex/distributionlists/partners/members")).await.ok();
    let contact = partners["Recipients"].as_array().unwrap().iter().find(|r| r["Type"] == "Contact").expect("a contact in partners")["Value"].as_str().unwrap().to_owned();
    api.send("DELETE", &format!("{ADATUM}/ex/contacts/{contact}"), JSON, None).await.assert_empty_ok();
    let partners = api.get(&format!("{ADATUM}/ex/distributionlists/partners/members")).await.ok();
    assert!(partners["Recipients"].as_array().unwrap().iter().all(|r| r["Value"] != contact.as_str()));
}

#[tokio::test]
async fn exchange_writes_count_against_the_write_limit_and_faults_apply() {
    let mut cfg = config(DataSet::Demo);
    cfg.limits = SimLimits { reads: 100, writes: 2, domain_writes: 2 };
    let (sim, api) = start(cfg).await;
    let base = format!("{ADATUM}/ex/distributionlists");
    assert_eq!(api.v1("POST", &base, Some(json!({"CommonName": "a1", "DisplayName": "A1"}))).await.status, 202);
    api.form("PUT", &format!("{ADATUM}/ex/contacts/nobody"), "displayName=X").await.assert_fault(404, "itemNotFoundFault", "Contact not found");
    api.v1("POST", &base, Some(json!({"CommonName": "a2", "DisplayName": "A2"}))).await.assert_fault(403, "unauthorizedFault", "Exceeded request limits");
    assert!(sim.sim().requests().iter().any(|r| r.throttled && r.path.ends_with("/ex/distributionlists")));
    // Ordinary faults reach the Exchange routes too.
    sim.sim().add_fault(FaultRule::new(FaultKind::Status(503)).on_path("/ex/contacts").times(1));
    assert_eq!(api.get(&format!("{ADATUM}/ex/contacts")).await.status, 503);
    assert_eq!(api.get(&format!("{ADATUM}/ex/contacts")).await.status, 200);
}

// ---- the binary ----

#[tokio::test]
async fn the_binary_takes_an_async_delay_and_an_async_error_rule() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rackdesk-sim"))
        .args(["--user-key", USER_KEY, "--data", "empty", "--listen", "127.0.0.1:0", "--async-delay-ms", "1500"])
        .args(["--fault", "async-error,path=/failing,count=1"])
        .env("RACKDESK_SIM_SECRET_KEY", SECRET)
        .env("RACKDESK_SIM_LOG", "off")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run rackdesk-sim");
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut l = String::new();
        std::io::BufReader::new(stdout).read_line(&mut l).map(|_| l)
    });
    let root = match tokio::time::timeout(Duration::from_secs(20), line).await {
        Ok(Ok(Ok(l))) => l.trim().to_owned(),
        other => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("no API root printed: {other:?}");
        }
    };
    let api = Api { root, http: reqwest::Client::new() };
    let base = "/domains/example.net/ex/distributionlists";
    let ok = api.v1("POST", base, Some(json!({"CommonName": "works", "DisplayName": "Works"}))).await;
    let bad = api.v1("POST", &format!("{base}/failing"), Some(json!({"DisplayName": "Fails"}))).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let early = api.get(&format!("{base}/works")).await;
    let t0 = Instant::now();
    let works = settled(&api, &format!("{base}/works")).await;
    let waited = t0.elapsed();
    let failing = settled(&api, &format!("{base}/failing")).await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!((ok.status, bad.status), (202, 202), "{} {}", ok.body, bad.body);
    assert_eq!(early.json()["Status"], "Creating", "still running after 200 ms of 1500");
    assert!(waited >= Duration::from_millis(500), "{waited:?}");
    assert_eq!(works["Status"], "Ready");
    assert_eq!((failing["Status"].as_str(), failing["Error"]["Action"].as_str()), (Some("Error"), Some("Create")));
}
