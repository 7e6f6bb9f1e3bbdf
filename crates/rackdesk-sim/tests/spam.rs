//! Spam protection in the simulator against the API reference (§6.4, §6.6, §6.9, §13), seen
//! from outside: raw signed HTTP over a real socket, not Rackdesk's client.
//!
//! Settings of a domain, a Rackspace Email mailbox and an Exchange mailbox (show, edit, each
//! refused combination), and the four lists of each (index, add, delete, bulk edit), under
//! their current and their old names.

use base64::Engine;
use rackdesk_sim::faults::{FaultKind, FaultRule};
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

const USER_KEY: &str = "SimSpamUserKey000001";
const SECRET: &str = "made-up-secret-for-the-spam-tests-01";
const UA: &str = "spam-fidelity-test/1.0";
const PASSWORD: &str = "Lantern-Orchid-83q";
const JSON: &str = "application/json";
const XML: &str = "text/xml";
const FORM: &str = "application/x-www-form-urlencoded";

const NORTHWIND: &str = "/customers/me/domains/northwind.example";
const ADATUM: &str = "/domains/adatum.example";
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
        self.send_as(USER_KEY, SECRET, method, path, accept, body).await
    }

    async fn send_as(&self, key: &str, secret: &str, method: &str, path: &str, accept: &str, body: Option<(&str, &str)>) -> Answer {
        let ts = chrono::Utc::now().format("%Y%m%d%H%M%S").to_string();
        let sig = format!("{key}:{ts}:{}", signature_hash(key, UA, &ts, secret));
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

    /// A write with a form body (or none, as an entry add or delete is sent).
    async fn form(&self, method: &str, path: &str, body: &str) -> Answer {
        let b = (!body.is_empty()).then_some((FORM, body));
        self.send(method, path, JSON, b).await
    }

    /// A list's entries, from its index.
    async fn entries(&self, path: &str) -> Vec<String> {
        let v = self.get(path).await.ok();
        assert_eq!(keys(&v), ["addresses"], "{v}");
        v["addresses"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_owned()).collect()
    }
}

fn config(data: DataSet) -> SimConfig {
    let mut cfg = SimConfig::new(USER_KEY, SECRET);
    cfg.data = data;
    cfg.limits = SimLimits { reads: 5000, writes: 5000, domain_writes: 1000 };
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

async fn empty() -> (Simulator, Api) {
    start(config(DataSet::Empty)).await
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap_or_else(|| panic!("an object: {v}")).keys().cloned().collect();
    k.sort();
    k
}

/// `%` for `@` in a form value or path segment.
fn enc(s: &str) -> String {
    s.replace('%', "%25").replace('@', "%40").replace(',', "%2C")
}

/// The n-th person (a `first.last` name) of a domain, by name order.
fn rs_person(sim: &Simulator, domain: &str, n: usize) -> String {
    sim.sim().with_store(|s| s.domains[domain].mailboxes.keys().filter(|k| k.contains('.')).nth(n).unwrap().clone())
}

fn ex_person(sim: &Simulator, domain: &str, n: usize) -> String {
    sim.sim().with_store(|s| s.domains[domain].ex_mailboxes.keys().filter(|k| k.contains('.')).nth(n).unwrap().clone())
}

const LISTS: [&str; 6] = ["blocklist", "ipblocklist", "safelist", "ipsafelist", "blacklist", "ipblacklist"];

fn default_domain_settings() -> Value {
    json!({
        "filterLevel": "on",
        "rsEmailSettings": {"spamHandling": "toFolder", "hasFolderCleaner": false, "spamFolderAgeLimit": 0, "spamFolderNumLimit": 0, "spamForwardingAddress": ""},
        "exchangeSettings": {"forwardToDomainQuarantine": "off", "quarantineOwner": "", "defaultQuarantineOwner": null}
    })
}

fn default_rs_settings() -> Value {
    json!({"filterLevel": "on", "rsEmailSettings": {"hasFolderCleaner": false, "spamFolderAgeLimit": 0, "spamFolderNumLimit": 0, "spamForwardingAddress": "", "spamHandling": "toFolder"}})
}

// ---- show ----

#[tokio::test]
async fn the_empty_data_shows_default_settings_and_empty_lists() {
    let (_sim, api) = empty().await;
    for domain in ["/domains/example.com", "/customers/me/domains/example.net", "/customers/123456/domains/example.com"] {
        assert_eq!(api.get(&format!("{domain}/spam/settings")).await.ok(), default_domain_settings(), "{domain}");
        for l in LISTS {
            assert_eq!(api.get(&format!("{domain}/spam/{l}")).await.ok(), json!({"addresses": []}), "{domain} {l}");
        }
    }
    // A new mailbox of either service starts with the defaults and empty lists.
    api.form("POST", "/domains/example.com/rs/mailboxes/jane.doe", &format!("password={PASSWORD}&size=2048")).await.assert_empty_ok();
    api.form("POST", "/domains/example.net/ex/mailboxes/omar.haddad", &format!("displayName=Omar&password={PASSWORD}&size=2048")).await.assert_empty_ok();
    let rs = "/domains/example.com/rs/mailboxes/jane.doe/spam";
    let ex = "/domains/example.net/ex/mailboxes/omar.haddad/spam";
    assert_eq!(api.get(&format!("{rs}/settings")).await.ok(), default_rs_settings());
    assert_eq!(api.get(&format!("{ex}/settings")).await.ok(), json!({"filterLevel": "on", "sendToDomainQuarantine": false, "quarantineOwner": ""}));
    for l in LISTS {
        assert_eq!(api.entries(&format!("{rs}/{l}")).await, Vec::<String>::new());
        assert_eq!(api.entries(&format!("{ex}/{l}")).await, Vec::<String>::new());
    }
}

#[tokio::test]
async fn the_demo_has_spam_settings_and_entries() {
    let (sim, api) = demo().await;
    let nw = api.get(&format!("{NORTHWIND}/spam/settings")).await.ok();
    assert_eq!(keys(&nw), ["exchangeSettings", "filterLevel", "rsEmailSettings"]);
    assert_eq!(keys(&nw["rsEmailSettings"]), ["hasFolderCleaner", "spamFolderAgeLimit", "spamFolderNumLimit", "spamForwardingAddress", "spamHandling"]);
    assert_eq!(keys(&nw["exchangeSettings"]), ["defaultQuarantineOwner", "forwardToDomainQuarantine", "quarantineOwner"]);
    assert_eq!((nw["rsEmailSettings"]["hasFolderCleaner"].as_bool(), nw["rsEmailSettings"]["spamFolderAgeLimit"].as_u64()), (Some(true), Some(30)));
    let safe = api.entries(&format!("{NORTHWIND}/spam/safelist")).await;
    assert!(safe.len() >= 3 && safe.contains(&"@woodgrovebank.example".to_owned()), "{safe:?}");
    assert!(api.entries(&format!("{NORTHWIND}/spam/blocklist")).await.contains(&"@%.bulk-offers.example".to_owned()));
    assert_eq!(api.entries(&format!("{NORTHWIND}/spam/ipblocklist")).await, ["203.0.113.45"]);

    let adatum = api.get(&format!("{ADATUM}/spam/settings")).await.ok();
    assert_eq!(adatum["exchangeSettings"]["forwardToDomainQuarantine"], "on");
    assert_eq!(adatum["exchangeSettings"]["quarantineOwner"], "reception@adatum.example");
    let tailspin = api.get(&format!("{TAILSPIN}/spam/settings")).await.ok();
    assert_eq!(tailspin["rsEmailSettings"]["spamHandling"], "toAddress");
    assert!(tailspin["rsEmailSettings"]["spamForwardingAddress"].as_str().unwrap().ends_with("@tailspin.example"));

    // A couple of mailboxes of each service have their own settings and entries.
    let rs = rs_person(&sim, "northwind.example", 0);
    let s = api.get(&format!("{NORTHWIND}/rs/mailboxes/{rs}/spam/settings")).await.ok();
    assert_eq!(s["filterLevel"], "exclusive");
    assert!(!api.entries(&format!("{NORTHWIND}/rs/mailboxes/{rs}/spam/safelist")).await.is_empty());
    let rs1 = rs_person(&sim, "northwind.example", 1);
    assert_eq!(api.get(&format!("{NORTHWIND}/rs/mailboxes/{rs1}/spam/settings")).await.ok()["rsEmailSettings"]["spamHandling"], "labelSubject");
    let ex = ex_person(&sim, "adatum.example", 0);
    assert_eq!(api.get(&format!("{ADATUM}/ex/mailboxes/{ex}/spam/settings")).await.ok()["filterLevel"], "exclusive");
    assert_eq!(api.entries(&format!("{ADATUM}/ex/mailboxes/{ex}/spam/ipsafelist")).await, ["198.51.100.20"]);
    let ex1 = ex_person(&sim, "adatum.example", 1);
    assert_eq!(
        api.get(&format!("{ADATUM}/ex/mailboxes/{ex1}/spam/settings")).await.ok(),
        json!({"filterLevel": "on", "sendToDomainQuarantine": true, "quarantineOwner": "reception@adatum.example"})
    );
}

// ---- domain settings ----

#[tokio::test]
async fn domain_settings_are_edited_and_unsent_fields_are_kept() {
    let (_sim, api) = empty().await;
    let path = "/domains/example.com/spam/settings";
    // Everything at once, as a client written against the real service sends it (§13).
    api.form(
        "PUT",
        path,
        "filterLevel=exclusive&overrideUserSettings=False&rsEmail.spamHandling=toFolder&rsEmail.hasFolderCleaner=True\
         &rsEmail.spamFolderAgeLimit=14&rsEmail.spamFolderNumLimit=2000&rsEmail.spamForwardingAddress=\
         &exchange.forwardToDomainQuarantine=nonuser&exchange.quarantineOwner=it%40example.com\
         &exchange.removeQuarantineOwner=false&exchange.defaultQuarantineOwner=Helpdesk%40Example.com\
         &exchange.removeDefaultQuarantineOwner=false",
    )
    .await
    .assert_empty_ok();
    let want = json!({
        "filterLevel": "exclusive",
        "rsEmailSettings": {"spamHandling": "toFolder", "hasFolderCleaner": true, "spamFolderAgeLimit": 14, "spamFolderNumLimit": 2000, "spamForwardingAddress": ""},
        "exchangeSettings": {"forwardToDomainQuarantine": "nonuser", "quarantineOwner": "it@example.com", "defaultQuarantineOwner": "helpdesk@example.com"}
    });
    assert_eq!(api.get(path).await.ok(), want);
    // Only the required field: nothing else changes.
    api.form("PUT", path, "filterLevel=ON").await.assert_empty_ok();
    let mut now = want.clone();
    now["filterLevel"] = json!("on");
    assert_eq!(api.get(path).await.ok(), now);
    // Forward spam to an address: the folder settings go with the folder.
    api.form("PUT", path, "filterLevel=on&rsEmail.spamHandling=toAddress&rsEmail.spamForwardingAddress=spam-review%40example.com").await.assert_empty_ok();
    let rs = api.get(path).await.ok()["rsEmailSettings"].clone();
    assert_eq!(rs, json!({"spamHandling": "toAddress", "hasFolderCleaner": false, "spamFolderAgeLimit": 0, "spamFolderNumLimit": 0, "spamForwardingAddress": "spam-review@example.com"}));
    // A later edit that keeps toAddress needs not repeat the address; neutral folder values are fine.
    api.form("PUT", path, "filterLevel=on&rsEmail.hasFolderCleaner=false&rsEmail.spamFolderAgeLimit=0").await.assert_empty_ok();
    assert_eq!(api.get(path).await.ok()["rsEmailSettings"]["spamForwardingAddress"], "spam-review@example.com");
    // Delete and label: no address, no folder.
    for h in ["delete", "labelSubject"] {
        api.form("PUT", path, &format!("filterLevel=off&rsEmail.spamHandling={h}")).await.assert_empty_ok();
        let s = api.get(path).await.ok();
        assert_eq!((s["filterLevel"].as_str(), s["rsEmailSettings"]["spamHandling"].as_str()), (Some("off"), Some(h)));
        assert_eq!(s["rsEmailSettings"]["spamForwardingAddress"], "");
    }
    // Removing the quarantine owners.
    api.form("PUT", path, "filterLevel=on&exchange.removeQuarantineOwner=TRUE&exchange.removeDefaultQuarantineOwner=true").await.assert_empty_ok();
    let ex = api.get(path).await.ok()["exchangeSettings"].clone();
    assert_eq!(ex, json!({"forwardToDomainQuarantine": "nonuser", "quarantineOwner": "", "defaultQuarantineOwner": null}));
    // A JSON body is taken too (§1.5), with the same dotted names.
    let body = json!({"filterLevel": "exclusive", "exchange.forwardToDomainQuarantine": "on"}).to_string();
    api.send("PUT", path, JSON, Some((JSON, &body))).await.assert_empty_ok();
    let s = api.get(path).await.ok();
    assert_eq!((s["filterLevel"].as_str(), s["exchangeSettings"]["forwardToDomainQuarantine"].as_str()), (Some("exclusive"), Some("on")));
}

#[tokio::test]
async fn invalid_domain_settings_are_refused_and_change_nothing() {
    let (_sim, api) = empty().await;
    let path = "/domains/example.com/spam/settings";
    api.form("PUT", path, "filterLevel=on&rsEmail.hasFolderCleaner=true&rsEmail.spamFolderAgeLimit=7").await.assert_empty_ok();
    let before = api.get(path).await.ok();
    let cases: &[(&str, &str, &str)] = &[
        ("rsEmail.spamHandling=delete", "badRequestFault", "Missing required field: filterLevel"),
        ("", "badRequestFault", "Missing required field: filterLevel"),
        ("filterLevel=high", "badRequestFault", "Invalid value for filterLevel: high (use on, off or exclusive)"),
        ("filterLevel=on&rsEmail.spamHandling=toTrash", "badRequestFault", "Invalid value for rsEmail.spamHandling: toTrash (use toFolder, delete, labelSubject or toAddress)"),
        (
            "filterLevel=on&rsEmail.spamForwardingAddress=spam%40example.com",
            "validationFault",
            "rsEmail.spamForwardingAddress is valid only when rsEmail.spamHandling is toAddress (it is toFolder)",
        ),
        (
            "filterLevel=on&rsEmail.spamHandling=delete&rsEmail.spamFolderAgeLimit=30",
            "validationFault",
            "rsEmail.spamFolderAgeLimit is valid only when rsEmail.spamHandling is toFolder (it is delete)",
        ),
        (
            "filterLevel=on&rsEmail.spamHandling=labelSubject&rsEmail.spamFolderNumLimit=10",
            "validationFault",
            "rsEmail.spamFolderNumLimit is valid only when rsEmail.spamHandling is toFolder (it is labelSubject)",
        ),
        (
            "filterLevel=on&rsEmail.spamHandling=toAddress&rsEmail.spamForwardingAddress=a%40b.com&rsEmail.hasFolderCleaner=true",
            "validationFault",
            "rsEmail.hasFolderCleaner is valid only when rsEmail.spamHandling is toFolder (it is toAddress)",
        ),
        ("filterLevel=on&rsEmail.spamFolderAgeLimit=-1", "validationFault", "Invalid value for rsEmail.spamFolderAgeLimit: it cannot be negative"),
        ("filterLevel=on&rsEmail.spamFolderNumLimit=-20", "validationFault", "Invalid value for rsEmail.spamFolderNumLimit: it cannot be negative"),
        ("filterLevel=on&rsEmail.spamFolderNumLimit=lots", "badRequestFault", "Invalid value for rsEmail.spamFolderNumLimit: lots (use a whole number, 0 for no limit)"),
        ("filterLevel=on&rsEmail.spamFolderAgeLimit=99999999999", "validationFault", "Invalid value for rsEmail.spamFolderAgeLimit: it is too large"),
        ("filterLevel=on&rsEmail.spamHandling=toAddress", "badRequestFault", "Missing required field: rsEmail.spamForwardingAddress"),
        (
            "filterLevel=on&rsEmail.spamHandling=toAddress&rsEmail.spamForwardingAddress=not-an-address",
            "validationFault",
            "Invalid value for rsEmail.spamForwardingAddress: not-an-address is not an e-mail address",
        ),
        ("filterLevel=on&rsEmail.hasFolderCleaner=yes", "badRequestFault", "Invalid value for rsEmail.hasFolderCleaner: use true or false"),
        ("filterLevel=on&overrideUserSettings=1", "badRequestFault", "Invalid value for overrideUserSettings: use true or false"),
        ("filterLevel=on&exchange.forwardToDomainQuarantine=maybe", "badRequestFault", "Invalid value for exchange.forwardToDomainQuarantine: maybe (use on, off or nonuser)"),
        ("filterLevel=on&exchange.quarantineOwner=nobody", "validationFault", "Invalid value for exchange.quarantineOwner: nobody is not an e-mail address"),
        (
            "filterLevel=on&exchange.quarantineOwner=it%40example.com&exchange.removeQuarantineOwner=true",
            "validationFault",
            "exchange.quarantineOwner and exchange.removeQuarantineOwner=true cannot be sent together",
        ),
        (
            "filterLevel=on&exchange.defaultQuarantineOwner=it%40example.com&exchange.removeDefaultQuarantineOwner=True",
            "validationFault",
            "exchange.defaultQuarantineOwner and exchange.removeDefaultQuarantineOwner=true cannot be sent together",
        ),
        ("filterLevel=on&exchange.removeQuarantineOwner=sure", "badRequestFault", "Invalid value for exchange.removeQuarantineOwner: use true or false"),
        // Another resource's spelling, and the Exchange mailbox's lower-case one, are not the domain's.
        ("filterLevel=on&spamHandling=delete", "badRequestFault", "Unknown field: spamHandling"),
        ("filterlevel=on", "badRequestFault", "Unknown field: filterlevel"),
    ];
    for (body, kind, message) in cases {
        api.form("PUT", path, body).await.assert_fault(400, kind, message);
    }
    assert_eq!(api.get(path).await.ok(), before, "no refused edit changed anything");
    // Unknown domain; another account is a reseller matter.
    api.get("/domains/nowhere.example/spam/settings").await.assert_fault(404, "itemNotFoundFault", "nowhere.example not found");
    api.form("PUT", "/domains/nowhere.example/spam/settings", "filterLevel=on").await.assert_fault(404, "itemNotFoundFault", "nowhere.example not found");
    api.get("/customers/999999/domains/example.com/spam/settings")
        .await
        .assert_fault(403, "unauthorizedFault", "This operation is available to resellers only");
    // Settings are shown and edited, not added or deleted.
    assert_eq!(api.form("POST", path, "filterLevel=on").await.status, 405);
    assert_eq!(api.send("DELETE", path, JSON, None).await.status, 405);
}

#[tokio::test]
async fn override_user_settings_applies_the_domain_settings_to_every_mailbox() {
    let (sim, api) = demo().await;
    let rs = rs_person(&sim, "tailspin.example", 3);
    let ex = ex_person(&sim, "tailspin.example", 3);
    let rs_path = format!("{TAILSPIN}/rs/mailboxes/{rs}/spam/settings");
    let ex_path = format!("{TAILSPIN}/ex/mailboxes/{ex}/spam/settings");
    api.form("PUT", &ex_path, "filterlevel=on&sendtodomainquarantine=true").await.assert_empty_ok();
    api.form("POST", &format!("{TAILSPIN}/rs/mailboxes/{rs}/spam/safelist/a%40b.example"), "").await.assert_empty_ok();
    // Without the flag the mailboxes keep their own settings.
    api.form("PUT", &format!("{TAILSPIN}/spam/settings"), "filterLevel=exclusive&rsEmail.spamHandling=delete").await.assert_empty_ok();
    assert_eq!(api.get(&rs_path).await.ok(), default_rs_settings());
    api.form("PUT", &format!("{TAILSPIN}/spam/settings"), "filterLevel=off&rsEmail.spamHandling=labelSubject&overrideUserSettings=true").await.assert_empty_ok();
    let s = api.get(&rs_path).await.ok();
    assert_eq!((s["filterLevel"].as_str(), s["rsEmailSettings"]["spamHandling"].as_str()), (Some("off"), Some("labelSubject")));
    assert_eq!(api.get(&ex_path).await.ok(), json!({"filterLevel": "off", "sendToDomainQuarantine": false, "quarantineOwner": ""}));
    // The lists stay the mailbox's own, and the flag is not shown.
    assert_eq!(api.entries(&format!("{TAILSPIN}/rs/mailboxes/{rs}/spam/safelist")).await, ["a@b.example"]);
    assert!(api.get(&format!("{TAILSPIN}/spam/settings")).await.ok().get("overrideUserSettings").is_none());
}

// ---- Rackspace Email mailbox settings ----

#[tokio::test]
async fn rackspace_email_mailbox_settings_are_shown_edited_and_checked() {
    let (sim, api) = demo().await;
    let who = rs_person(&sim, "northwind.example", 5);
    let path = format!("{NORTHWIND}/rs/mailboxes/{who}/spam/settings");
    assert_eq!(api.get(&path).await.ok(), default_rs_settings());
    api.form("PUT", &path, "filterLevel=Exclusive&rsEmail.spamHandling=toFolder&rsEmail.hasFolderCleaner=true&rsEmail.spamFolderNumLimit=250").await.assert_empty_ok();
    let s = api.get(&path).await.ok();
    assert_eq!(s, json!({"filterLevel": "exclusive", "rsEmailSettings": {"hasFolderCleaner": true, "spamFolderAgeLimit": 0, "spamFolderNumLimit": 250, "spamForwardingAddress": "", "spamHandling": "toFolder"}}));
    // The mailbox name in any case.
    assert_eq!(api.get(&path.replace(&who, &who.to_uppercase())).await.ok(), s);
    // Same refusals as the domain's rsEmail fields; the domain's exchange fields are unknown here.
    api.form("PUT", &path, "rsEmail.spamHandling=delete").await.assert_fault(400, "badRequestFault", "Missing required field: filterLevel");
    api.form("PUT", &path, "filterLevel=on&rsEmail.spamHandling=delete&rsEmail.hasFolderCleaner=true")
        .await
        .assert_fault(400, "validationFault", "rsEmail.hasFolderCleaner is valid only when rsEmail.spamHandling is toFolder (it is delete)");
    api.form("PUT", &path, "filterLevel=on&rsEmail.spamForwardingAddress=x%40y.example")
        .await
        .assert_fault(400, "validationFault", "rsEmail.spamForwardingAddress is valid only when rsEmail.spamHandling is toAddress (it is toFolder)");
    api.form("PUT", &path, "filterLevel=on&exchange.quarantineOwner=x%40y.example").await.assert_fault(400, "badRequestFault", "Unknown field: exchange.quarantineOwner");
    api.form("PUT", &path, "filterLevel=on&overrideUserSettings=true").await.assert_fault(400, "badRequestFault", "Unknown field: overrideUserSettings");
    assert_eq!(api.get(&path).await.ok(), s, "refused edits changed nothing");
    api.form("PUT", &path, "filterLevel=on&rsEmail.spamHandling=toAddress&rsEmail.spamForwardingAddress=boss%40northwind.example").await.assert_empty_ok();
    assert_eq!(api.get(&path).await.ok()["rsEmailSettings"]["spamFolderNumLimit"], 0);
    // Unknown mailbox and domain; an Exchange mailbox is not a Rackspace Email one.
    let nobody = format!("{NORTHWIND}/rs/mailboxes/nobody.here/spam/settings");
    api.get(&nobody).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    assert_eq!(api.get(&nobody).await.json()["itemNotFoundFault"]["resourceType"], "Mailbox");
    api.form("PUT", &nobody, "filterLevel=on").await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    api.get(&format!("/domains/nowhere.example/rs/mailboxes/{who}/spam/settings")).await.assert_fault(404, "itemNotFoundFault", "nowhere.example not found");
    let ex = ex_person(&sim, "tailspin.example", 0);
    api.get(&format!("{TAILSPIN}/rs/mailboxes/{ex}/spam/settings")).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    // A deleted and re-created mailbox starts again from the defaults.
    api.send("DELETE", &format!("{NORTHWIND}/rs/mailboxes/{who}"), JSON, None).await.assert_empty_ok();
    api.get(&path).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    api.form("POST", &format!("{NORTHWIND}/rs/mailboxes/{who}"), &format!("password={PASSWORD}&size=2048")).await.assert_empty_ok();
    assert_eq!(api.get(&path).await.ok(), default_rs_settings());
}

// ---- Exchange mailbox settings ----

#[tokio::test]
async fn exchange_mailbox_settings_take_the_lower_case_field_names() {
    let (sim, api) = demo().await;
    let who = ex_person(&sim, "adatum.example", 6);
    let path = format!("{ADATUM}/ex/mailboxes/{who}/spam/settings");
    assert_eq!(api.get(&path).await.ok(), json!({"filterLevel": "on", "sendToDomainQuarantine": false, "quarantineOwner": ""}));
    api.form("PUT", &path, "filterlevel=exclusive&sendtodomainquarantine=True&quarantineowner=Reception%40adatum.example").await.assert_empty_ok();
    assert_eq!(api.get(&path).await.ok(), json!({"filterLevel": "exclusive", "sendToDomainQuarantine": true, "quarantineOwner": "reception@adatum.example"}));
    // Unsent fields are kept.
    api.form("PUT", &path, "filterlevel=on").await.assert_empty_ok();
    assert_eq!(api.get(&path).await.ok(), json!({"filterLevel": "on", "sendToDomainQuarantine": true, "quarantineOwner": "reception@adatum.example"}));
    // The camel-case names of the other resources are refused by name.
    api.form("PUT", &path, "filterLevel=on").await.assert_fault(400, "badRequestFault", "Unknown field: filterLevel");
    api.form("PUT", &path, "filterlevel=on&sendToDomainQuarantine=true").await.assert_fault(400, "badRequestFault", "Unknown field: sendToDomainQuarantine");
    api.form("PUT", &path, "sendtodomainquarantine=false").await.assert_fault(400, "badRequestFault", "Missing required field: filterlevel");
    api.form("PUT", &path, "filterlevel=strict").await.assert_fault(400, "badRequestFault", "Invalid value for filterlevel: strict (use on, off or exclusive)");
    api.form("PUT", &path, "filterlevel=on&sendtodomainquarantine=often").await.assert_fault(400, "badRequestFault", "Invalid value for sendtodomainquarantine: use true or false");
    api.form("PUT", &path, "filterlevel=on&quarantineowner=reception").await.assert_fault(400, "validationFault", "Invalid value for quarantineowner: reception is not an e-mail address");
    api.form("PUT", &path, "filterlevel=on&quarantineowner=a%40adatum.example&removeQuarantineOwner=true")
        .await
        .assert_fault(400, "validationFault", "quarantineowner and removeQuarantineOwner=true cannot be sent together");
    // `off` and the domain quarantine do not go together.
    api.form("PUT", &path, "filterlevel=off&sendtodomainquarantine=true")
        .await
        .assert_fault(400, "validationFault", "sendtodomainquarantine cannot be true when filterlevel is off");
    assert_eq!(api.get(&path).await.ok()["sendToDomainQuarantine"], true, "refused edits changed nothing");
    // `off` forces the domain quarantine off.
    api.form("PUT", &path, "filterlevel=off").await.assert_empty_ok();
    assert_eq!(api.get(&path).await.ok(), json!({"filterLevel": "off", "sendToDomainQuarantine": false, "quarantineOwner": "reception@adatum.example"}));
    api.form("PUT", &path, "filterlevel=off&sendtodomainquarantine=false&removeQuarantineOwner=True").await.assert_empty_ok();
    assert_eq!(api.get(&path).await.ok(), json!({"filterLevel": "off", "sendToDomainQuarantine": false, "quarantineOwner": ""}));
    // Unknown mailbox; a Rackspace Email mailbox is not an Exchange one.
    api.get(&format!("{ADATUM}/ex/mailboxes/nobody.here/spam/settings")).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    api.form("PUT", &format!("{ADATUM}/ex/mailboxes/nobody.here/spam/settings"), "filterlevel=on").await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    let rs = rs_person(&sim, "tailspin.example", 0);
    api.get(&format!("{TAILSPIN}/ex/mailboxes/{rs}/spam/settings")).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
}

// ---- lists ----

#[tokio::test]
async fn entries_are_added_listed_and_deleted_for_a_domain_and_both_kinds_of_mailbox() {
    let (sim, api) = demo().await;
    let owners = [
        "/domains/fabrikam.example/spam".to_owned(),
        format!("{NORTHWIND}/rs/mailboxes/{}/spam", rs_person(&sim, "northwind.example", 7)),
        format!("{ADATUM}/ex/mailboxes/{}/spam", ex_person(&sim, "adatum.example", 7)),
    ];
    for base in &owners {
        for (list, entries) in [
            ("safelist", ["Partner@Fourthcoffee.example", "@litwareinc.example", "@%.proseware.example"]),
            ("blocklist", ["spam@bulk.example", "@cheap-deals.example", "offers%@%.example.org"]),
            ("ipsafelist", ["198.51.100.1", "198.51.100.2", "198.51.100.3"]),
            ("ipblocklist", ["203.0.113.1", "203.0.113.2", "203.0.113.3"]),
        ] {
            let path = format!("{base}/{list}");
            assert_eq!(api.entries(&path).await, Vec::<String>::new(), "{path}");
            for e in entries {
                api.form("POST", &format!("{path}/{}", enc(e)), "").await.assert_empty_ok();
            }
            let mut want: Vec<String> = entries.iter().map(|e| e.to_ascii_lowercase()).collect();
            want.sort();
            assert_eq!(api.entries(&path).await, want, "{path}");
            // Adding one that is there (in any case) is a success that changes nothing.
            api.form("POST", &format!("{path}/{}", enc(&entries[0].to_ascii_uppercase())), "").await.assert_empty_ok();
            assert_eq!(api.entries(&path).await.len(), 3);
            // Deleting compares without regard to case; a missing one is 404.
            api.send("DELETE", &format!("{path}/{}", enc(&entries[1].to_ascii_uppercase())), JSON, None).await.assert_empty_ok();
            assert_eq!(api.entries(&path).await.len(), 2);
            let gone = entries[1].to_ascii_lowercase();
            api.send("DELETE", &format!("{path}/{}", enc(&gone)), JSON, None)
                .await
                .assert_fault(404, "itemNotFoundFault", &format!("{gone} is not on the {list}"));
        }
        // The four lists are separate.
        assert!(!api.entries(&format!("{base}/safelist")).await.iter().any(|e| e.contains("bulk")));
    }
    // The domain's lists and a mailbox's lists are separate too.
    assert!(api.entries(&format!("{NORTHWIND}/spam/safelist")).await.iter().all(|e| !e.contains("fourthcoffee")));
    // An add takes no body fields.
    api.form("POST", &format!("{}/safelist/x%40y.example", owners[0]), "note=hi").await.assert_fault(400, "badRequestFault", "Unknown field: note");
    // Unknown mailbox or domain.
    for p in [
        format!("{NORTHWIND}/rs/mailboxes/nobody.here/spam/safelist"),
        format!("{ADATUM}/ex/mailboxes/nobody.here/spam/blocklist"),
    ] {
        api.get(&p).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
        api.form("POST", &format!("{p}/a%40b.example"), "").await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
        api.send("DELETE", &format!("{p}/a%40b.example"), JSON, None).await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
        api.form("PUT", &p, "addList=a%40b.example").await.assert_fault(404, "itemNotFoundFault", "Mailbox not found");
    }
    api.get("/domains/nowhere.example/spam/blocklist").await.assert_fault(404, "itemNotFoundFault", "nowhere.example not found");
}

#[tokio::test]
async fn the_old_list_names_are_the_same_lists() {
    let (sim, api) = demo().await;
    let ex = format!("{ADATUM}/ex/mailboxes/{}/spam", ex_person(&sim, "adatum.example", 8));
    let rs = format!("{NORTHWIND}/rs/mailboxes/{}/spam", rs_person(&sim, "northwind.example", 8));
    for base in ["/domains/contoso-lab.example/spam", ex.as_str(), rs.as_str()] {
        api.form("POST", &format!("{base}/blacklist/old%40name.example"), "").await.assert_empty_ok();
        api.form("POST", &format!("{base}/blocklist/new%40name.example"), "").await.assert_empty_ok();
        assert_eq!(api.entries(&format!("{base}/blocklist")).await, ["new@name.example", "old@name.example"]);
        assert_eq!(api.entries(&format!("{base}/blacklist")).await, ["new@name.example", "old@name.example"]);
        api.send("DELETE", &format!("{base}/blacklist/new%40name.example"), JSON, None).await.assert_empty_ok();
        assert_eq!(api.entries(&format!("{base}/blocklist")).await, ["old@name.example"]);
        api.form("POST", &format!("{base}/ipblacklist/192.0.2.7"), "").await.assert_empty_ok();
        api.form("PUT", &format!("{base}/ipblocklist"), "addList=192.0.2.8").await.assert_empty_ok();
        assert_eq!(api.entries(&format!("{base}/ipblacklist")).await, ["192.0.2.7", "192.0.2.8"]);
        // The list names in any case.
        assert_eq!(api.entries(&format!("{base}/IPBlockList")).await, ["192.0.2.7", "192.0.2.8"]);
    }
    // The demo's domain entries read the same under both names.
    assert_eq!(api.entries(&format!("{NORTHWIND}/spam/blacklist")).await, api.entries(&format!("{NORTHWIND}/spam/blocklist")).await);
    // `safelist` and `ipsafelist` kept their names; there is no allowlist (§13).
    for bad in ["allowlist", "ipallowlist", "whitelist"] {
        api.get(&format!("{NORTHWIND}/spam/{bad}")).await.assert_fault(
            404,
            "itemNotFoundFault",
            &format!("Unknown spam list: {bad} (the lists are blocklist, ipblocklist, safelist and ipsafelist)"),
        );
    }
}

#[tokio::test]
async fn a_bulk_edit_adds_and_removes_many_entries() {
    let (_sim, api) = empty().await;
    let path = "/domains/example.com/spam/safelist";
    api.form("PUT", path, &format!("addList={}", enc("a@partner.example, @%.trusted.example,B@Partner.example,,a@partner.example"))).await.assert_empty_ok();
    assert_eq!(api.entries(path).await, ["@%.trusted.example", "a@partner.example", "b@partner.example"]);
    api.form("PUT", path, &format!("addList={}&removeList={}", enc("c@partner.example"), enc("A@partner.example,@%.trusted.example"))).await.assert_empty_ok();
    assert_eq!(api.entries(path).await, ["b@partner.example", "c@partner.example"]);
    // Either may be empty; one must be there.
    api.form("PUT", path, &format!("addList=&removeList={}", enc("b@partner.example"))).await.assert_empty_ok();
    assert_eq!(api.entries(path).await, ["c@partner.example"]);
    api.form("PUT", path, "").await.assert_fault(400, "badRequestFault", "Missing required field: addList or removeList");
    api.form("PUT", path, "add=x%40y.example").await.assert_fault(400, "badRequestFault", "Unknown field: add");
    // Refused whole, nothing changed: an invalid entry, several, one in both fields, removing a missing one.
    api.form("PUT", path, &format!("addList={}", enc("d@partner.example,not an address")))
        .await
        .assert_fault(400, "validationFault", "Invalid entry for the safelist: not an address (use a full address like jane@example.com or a whole domain like @example.com)");
    api.form("PUT", path, &format!("addList={}", enc("d@partner.example,partner.example,10.0.0.1")))
        .await
        .assert_fault(400, "validationFault", "Invalid entries for the safelist: partner.example, 10.0.0.1 (address lists take jane@example.com or @example.com, IP lists take IPv4 addresses)");
    api.form("PUT", path, &format!("addList={}&removeList={}", enc("d@partner.example"), enc("D@partner.example")))
        .await
        .assert_fault(400, "validationFault", "d@partner.example is in both addList and removeList");
    api.form("PUT", path, &format!("addList={}&removeList={}", enc("d@partner.example"), enc("c@partner.example,zz@partner.example")))
        .await
        .assert_fault(404, "itemNotFoundFault", "Not on the safelist: zz@partner.example");
    assert_eq!(api.entries(path).await, ["c@partner.example"]);
    // IP lists in bulk.
    let ip = "/domains/example.com/spam/ipblocklist";
    api.form("PUT", ip, "addList=192.0.2.1,192.0.2.2,%20192.0.2.3").await.assert_empty_ok();
    api.form("PUT", ip, "removeList=192.0.2.2").await.assert_empty_ok();
    assert_eq!(api.entries(ip).await, ["192.0.2.1", "192.0.2.3"]);
    api.form("PUT", ip, "addList=192.0.2.0%2F24").await.assert_fault(400, "validationFault", "Invalid entry for the ipblocklist: 192.0.2.0/24 (ranges (CIDR) are not accepted; add each IPv4 address)");
}

#[tokio::test]
async fn invalid_entries_are_refused_with_a_clear_message() {
    let (_sim, api) = empty().await;
    let base = "/domains/example.net/spam";
    let address_hint = "use a full address like jane@example.com or a whole domain like @example.com; % matches any text";
    let cases: &[(&str, &str, String)] = &[
        ("blocklist", "example.org", "Invalid entry for the blocklist: example.org (write a whole domain with an @ in front, like @example.com)".into()),
        ("blocklist", "*@example.org", "Invalid entry for the blocklist: *@example.org (the wildcard is %, as in @%.example.com)".into()),
        ("blocklist", "@example", format!("Invalid entry for the blocklist: @example ({address_hint})")),
        ("blocklist", "@%.%", format!("Invalid entry for the blocklist: @%.% ({address_hint})")),
        ("safelist", "jane@@example.org", format!("Invalid entry for the safelist: jane@@example.org ({address_hint})")),
        ("safelist", "203.0.113.5", "Invalid entry for the safelist: 203.0.113.5 (that is an IP address; it belongs on the ipblocklist or ipsafelist)".into()),
        ("blacklist", "nobody", "Invalid entry for the blacklist: nobody (use a full address like jane@example.com or a whole domain like @example.com)".into()),
        ("ipblocklist", "203.0.113", "Invalid entry for the ipblocklist: 203.0.113 (use an IPv4 address like 192.0.2.10)".into()),
        ("ipblocklist", "203.0.113.256", "Invalid entry for the ipblocklist: 203.0.113.256 (use an IPv4 address like 192.0.2.10)".into()),
        ("ipblocklist", "203.0.113.%", "Invalid entry for the ipblocklist: 203.0.113.% (use an IPv4 address like 192.0.2.10)".into()),
        ("ipsafelist", "2001:db8::1", "Invalid entry for the ipsafelist: 2001:db8::1 (IPv6 addresses are not accepted; use an IPv4 address)".into()),
        ("ipsafelist", "a@example.org", "Invalid entry for the ipsafelist: a@example.org (that is an e-mail address; it belongs on the blocklist or safelist)".into()),
        ("ipblacklist", "10.0.0.0/8", "Invalid entry for the ipblacklist: 10.0.0.0/8 (ranges (CIDR) are not accepted; add each IPv4 address)".into()),
    ];
    for (list, entry, message) in cases {
        api.form("POST", &format!("{base}/{list}/{}", enc(entry).replace('/', "%2F")), "").await.assert_fault(400, "validationFault", message);
        // Delete checks the same way: an entry that could never be on the list is invalid, not missing.
        api.send("DELETE", &format!("{base}/{list}/{}", enc(entry).replace('/', "%2F")), JSON, None).await.assert_fault(400, "validationFault", message);
    }
    for l in LISTS {
        assert_eq!(api.entries(&format!("{base}/{l}")).await, Vec::<String>::new());
    }
}

#[tokio::test]
async fn a_list_holds_at_most_a_thousand_entries() {
    let (sim, api) = empty().await;
    sim.sim().with_store(|s| {
        let set = &mut s.domains.get_mut("example.com").unwrap().spam.lists.ipblocklist;
        for i in 0..999u32 {
            set.insert(format!("10.0.{}.{}", i / 256, i % 256));
        }
    });
    let path = "/domains/example.com/spam/ipblocklist";
    api.form("POST", &format!("{path}/192.0.2.1"), "").await.assert_empty_ok();
    api.form("POST", &format!("{path}/192.0.2.2"), "").await.assert_fault(400, "validationFault", "The ipblocklist can hold at most 1000 entries");
    // Adding one that is there still succeeds; a bulk edit that stays within the limit too.
    api.form("POST", &format!("{path}/192.0.2.1"), "").await.assert_empty_ok();
    api.form("PUT", path, "addList=192.0.2.3&removeList=192.0.2.1").await.assert_empty_ok();
    api.form("PUT", path, "addList=192.0.2.4,192.0.2.5&removeList=192.0.2.3").await.assert_fault(400, "validationFault", "The ipblocklist can hold at most 1000 entries");
    assert_eq!(api.entries(path).await.len(), 1000);
}

// ---- XML ----

#[tokio::test]
async fn settings_and_lists_are_shown_in_xml() {
    let (sim, api) = demo().await;
    let rs = rs_person(&sim, "northwind.example", 0);
    let x = api.send("GET", &format!("{NORTHWIND}/rs/mailboxes/{rs}/spam/settings"), XML, None).await;
    assert_eq!(x.status, 200, "{}", x.body);
    assert!(x.content_type.starts_with("text/xml"), "{}", x.content_type);
    assert!(x.body.contains("<rsMailboxSpamSetting ") && x.body.contains("xmlns=\"urn:xml:RSMailboxSpamSetting\""), "{}", x.body);
    assert!(x.body.contains("<filterLevel>exclusive</filterLevel>"), "{}", x.body);
    assert!(x.body.contains("<rsEmailSettings>") && x.body.contains("<spamHandling>toFolder</spamHandling>"), "{}", x.body);
    assert!(x.body.ends_with("</rsMailboxSpamSetting>"), "{}", x.body);

    let ex = ex_person(&sim, "adatum.example", 1);
    let x = api.send("GET", &format!("{ADATUM}/ex/mailboxes/{ex}/spam/settings"), XML, None).await;
    assert!(x.body.contains("<MailboxSpamSettings ") && x.body.contains("xmlns=\"urn:xml:MailboxSpamSettings\""), "{}", x.body);
    assert!(x.body.contains("<sendToDomainQuarantine>true</sendToDomainQuarantine><quarantineOwner>reception@adatum.example</quarantineOwner>"), "{}", x.body);

    let x = api.send("GET", &format!("{ADATUM}/spam/settings"), XML, None).await;
    assert!(x.body.contains("<domainSpamSetting "), "{}", x.body);
    assert!(x.body.contains("<exchangeSettings>") && x.body.contains("<forwardToDomainQuarantine>on</forwardToDomainQuarantine>"), "{}", x.body);

    // A list: the root is the list's name as asked, each entry an <address>.
    let x = api.send("GET", &format!("{NORTHWIND}/spam/blocklist"), XML, None).await;
    assert!(x.body.contains("<blocklist ") && x.body.contains("xmlns=\"urn:xml:blocklist\""), "{}", x.body);
    assert!(x.body.contains("<addresses><address>@%.bulk-offers.example</address><address>@cheap-meds.example</address></addresses></blocklist>"), "{}", x.body);
    let x = api.send("GET", &format!("{NORTHWIND}/spam/blacklist"), XML, None).await;
    assert!(x.body.contains("<blacklist ") && x.body.contains("<address>@cheap-meds.example</address>"), "{}", x.body);
    let x = api.send("GET", &format!("{NORTHWIND}/spam/ipsafelist"), XML, None).await;
    assert!(x.body.contains("<addresses><address>198.51.100.7</address></addresses></ipsafelist>"), "{}", x.body);

    // Faults in XML too.
    let x = api.send("GET", &format!("{NORTHWIND}/rs/mailboxes/nobody.here/spam/settings"), XML, None).await;
    assert_eq!(x.status, 404);
    assert!(x.body.contains("<itemNotFoundFault code=\"404\"><message>Mailbox not found</message>"), "{}", x.body);
    assert_eq!(x.error_message.as_deref(), Some("Mailbox not found"));
}

// ---- the same gate as every other call ----

#[tokio::test]
async fn spam_calls_are_signed_counted_and_faulted_like_the_others() {
    let mut cfg = config(DataSet::Demo);
    cfg.limits = SimLimits { reads: 3, writes: 2, domain_writes: 2 };
    let (sim, api) = start(cfg).await;
    // A wrong secret is refused before anything is read or changed.
    let bad = api.send_as(USER_KEY, "not-the-secret", "GET", &format!("{NORTHWIND}/spam/settings"), JSON, None).await;
    bad.assert_fault(403, "unauthorizedFault", "Authentication failed.");
    let bad = api.send_as(USER_KEY, "not-the-secret", "POST", &format!("{NORTHWIND}/spam/blocklist/x%40y.example"), JSON, None).await;
    bad.assert_fault(403, "unauthorizedFault", "Authentication failed.");
    assert!(!sim.sim().with_store(|s| s.domains["northwind.example"].spam.lists.blocklist.contains("x@y.example")));
    // Reads and writes are counted as reads and writes (not domain writes).
    for _ in 0..3 {
        api.get(&format!("{NORTHWIND}/spam/safelist")).await.ok();
    }
    api.get(&format!("{NORTHWIND}/spam/settings")).await.assert_fault(403, "unauthorizedFault", "Exceeded request limits");
    api.form("PUT", &format!("{NORTHWIND}/spam/settings"), "filterLevel=on").await.assert_empty_ok();
    api.form("POST", &format!("{NORTHWIND}/spam/blocklist/x%40y.example"), "").await.assert_empty_ok();
    api.form("PUT", &format!("{NORTHWIND}/spam/blocklist"), "addList=z%40y.example").await.assert_fault(403, "unauthorizedFault", "Exceeded request limits");
    assert!(sim.sim().requests().iter().any(|r| r.throttled && r.path.ends_with("/spam/blocklist")));
    // Injected faults reach the spam routes.
    sim.sim().set_limits(SimLimits { reads: 1000, writes: 1000, domain_writes: 1000 });
    sim.sim().add_fault(FaultRule::new(FaultKind::Status(503)).on_path("/spam/settings").times(1));
    assert_eq!(api.get(&format!("{ADATUM}/spam/settings")).await.status, 503);
    assert_eq!(api.get(&format!("{ADATUM}/spam/settings")).await.status, 200);
}
