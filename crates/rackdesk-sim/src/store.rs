//! The simulator's data: one customer account, its admins (some holding API keys), its
//! domains, Rackspace Email mailboxes and aliases. Operations here take already-parsed input
//! and answer either a JSON value or an [`ApiFault`]; HTTP is in `lib.rs`.

use chrono::{NaiveDateTime, Utc};
use rackdesk_core::models::format_service_date;
use rackdesk_core::names::{self, EmailAddress};
use rackdesk_core::password;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use std::collections::{BTreeMap, HashMap};

/// An error answer: status, fault root name, message (also sent as `x-error-message`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFault {
    pub status: u16,
    pub kind: &'static str,
    pub message: String,
    pub resource_type: Option<&'static str>,
}

impl ApiFault {
    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiFault { status: 400, kind: "badRequestFault", message: message.into(), resource_type: None }
    }
    pub fn validation(message: impl Into<String>) -> Self {
        ApiFault { status: 400, kind: "validationFault", message: message.into(), resource_type: None }
    }
    pub fn not_found(resource: &'static str, message: impl Into<String>) -> Self {
        ApiFault { status: 404, kind: "itemNotFoundFault", message: message.into(), resource_type: Some(resource) }
    }
    /// Conflicts. The exact status and text of "already exists" are not documented [U]; the
    /// reference lists 409 under `appsFault`, which is what we answer.
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiFault { status: 409, kind: "appsFault", message: message.into(), resource_type: None }
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiFault { status: 403, kind: "unauthorizedFault", message: message.into(), resource_type: None }
    }
    /// A business key calling a reseller operation (§6.0). The reference says only that such
    /// calls are refused with a 403 [U for the exact answer, §12 item 14]; we answer the same
    /// `unauthorizedFault` as the other 403s, with a message that says why.
    pub fn reseller_only() -> Self {
        ApiFault::unauthorized("This operation is available to resellers only")
    }
    pub fn missing(field: &str) -> Self {
        ApiFault::bad_request(format!("Missing required field: {field}"))
    }
}

pub type OpResult = Result<Value, ApiFault>;

/// Form or JSON fields of a write, as strings.
pub type Fields = BTreeMap<String, String>;

#[derive(Debug, Clone)]
pub struct AdminRec {
    pub first_name: String,
    pub last_name: String,
    pub admin_type: String,
    pub email: String,
    pub enabled: bool,
    pub locked: bool,
    pub two_factor_enabled: bool,
}

#[derive(Debug, Clone)]
pub struct MailboxRec {
    pub display_name: String,
    pub size: u64,
    pub current_usage: u64,
    pub enabled: bool,
    pub created: NaiveDateTime,
    pub last_login: Option<NaiveDateTime>,
    pub vacation_message: String,
    pub enable_vacation_message: bool,
    pub forwards: Vec<String>,
    pub save_forwarded_email: bool,
    pub visible_in_directory: bool,
    pub visible_in_gal: bool,
    pub first_name: String,
    pub last_name: String,
    /// The other contact fields that were set ([`CONTACT_FIELDS`]).
    pub contact: BTreeMap<String, String>,
    /// SHA-1 of the password: the simulator never needs the password itself back.
    pub password_hash: String,
    /// Spam settings and lists (§6.6).
    pub spam: crate::spam::RsMailboxSpam,
}

#[derive(Debug, Clone)]
pub struct DomainRec {
    pub service_type: String,
    pub base_mailbox_size: u64,
    pub max_mailboxes: u64,
    pub aliases_domains: Vec<String>,
    pub mailboxes: BTreeMap<String, MailboxRec>,
    pub aliases: BTreeMap<String, Vec<String>>,
    /// Standard size of a new Exchange mailbox (MB); 0 on a domain without Exchange.
    pub exchange_base_mailbox_size: u64,
    /// `exchangeMaxNumMailboxes` (§6.3); 0 on a domain without Exchange.
    pub exchange_max_mailboxes: u64,
    pub ex_mailboxes: BTreeMap<String, crate::exchange::ExMailboxRec>,
    pub contacts: BTreeMap<String, crate::exchange::ContactRec>,
    pub dist_lists: BTreeMap<String, crate::distlists::DistListRec>,
    /// The domain's spam settings and lists (§6.4).
    pub spam: crate::spam::DomainSpam,
}

impl DomainRec {
    /// Whether a local part is already an address of the domain: a mailbox of either
    /// service, a Rackspace Email alias or an Exchange distribution list.
    pub fn address_taken(&self, local: &str) -> bool {
        self.mailboxes.contains_key(local)
            || self.aliases.contains_key(local)
            || self.ex_mailboxes.contains_key(local)
            || self.dist_lists.contains_key(local)
            || self.ex_mailboxes.values().any(|m| {
                m.extra_addresses.iter().any(|a| {
                    a.split_once('@').is_some_and(|(l, dom)| l == local && !self.aliases_domains.iter().any(|x| x == dom))
                })
            })
    }
}

/// A registered API key pair and the admin it belongs to.
#[derive(Debug, Clone)]
pub struct KeyRec {
    pub secret: String,
    pub admin_id: String,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub account_number: String,
    pub customer_name: String,
    pub reference_number: String,
    pub admins: BTreeMap<String, AdminRec>,
    pub domains: BTreeMap<String, DomainRec>,
    pub keys: HashMap<String, KeyRec>,
}

pub fn hash_password(pw: &str) -> String {
    let d = Sha1::digest(pw.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

const MAX_MAILBOX_MB: u64 = 25_600;

/// Contact fields of a Rackspace Email mailbox, sent flat and shown under `contactInfo`
/// (§6.5), other than `firstName` and `lastName`, which have their own places.
pub const CONTACT_FIELDS: &[&str] = &[
    "generationQualifier", "initials", "organizationUnit", "businessStreet", "businessCity", "businessState",
    "businessPostalCode", "businessCountry", "homeStreet", "homeCity", "homeState", "homePostalCode", "homeCountry",
    "businessNumber", "homeNumber", "mobileNumber", "faxNumber", "homeFaxNumber", "pagerNumber", "notes", "title",
    "userID", "organizationalStatus", "employeeType", "customID",
];

/// Mailbox fields taken by both Add and Edit (§6.5), besides [`CONTACT_FIELDS`].
const MAILBOX_FIELDS: &[&str] = &[
    "password", "size", "displayName", "enabled", "enableVacationMessage", "vacationMessage",
    "emailForwardingAddresses", "saveForwardedEmail", "visibleInExchangeGAL",
    "visibleInRackspaceEmailCompanyDirectory", "firstName", "lastName",
];

/// Admin Add/Edit fields (§6.2, §13).
const ADMIN_FIELDS: &[&str] =
    &["type", "password", "firstName", "lastName", "email", "enabled", "securityQuestion", "securityAnswer"];

const ALIAS_FIELDS: &[&str] = &["aliasEmails"];

/// Refuses a write that carries a field the operation does not take, naming the field.
///
/// What the service does with an unknown field is an open question (§13, "Still open: the
/// real answer to unknown fields") [U]. The safe reading is to refuse it: the reference says
/// the set of accepted form fields only grows with a release (§1.1, "new form fields
/// accepted"), and a misspelt field that were silently dropped would leave a client thinking
/// a change was made when it was not (§6.5 records exactly such a client bug,
/// `enableForwardingAddresses`). The answer is a `badRequestFault` 400, the style of the other
/// refused request bodies (§4.3, §4.4), with the field's name in the message and in
/// `x-error-message`.
pub(crate) fn check_known_fields(f: &Fields, groups: &[&[&str]]) -> Result<(), ApiFault> {
    match f.keys().find(|k| !groups.iter().any(|g| g.contains(&k.as_str()))) {
        None => Ok(()),
        Some(k) => Err(ApiFault::bad_request(format!("Unknown field: {}", printable(k)))),
    }
}

/// A name from the request, made safe to quote in a message and a header: at most 64
/// characters, anything but printable ASCII shown as `?`.
pub(crate) fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(64).map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect();
    if s.chars().count() > 64 {
        out.push_str("...");
    }
    out
}
const MAX_FORWARDS: usize = 15;

pub(crate) fn parse_bool(fields: &Fields, name: &str) -> Result<Option<bool>, ApiFault> {
    match fields.get(name).map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(None),
        Some(v) if v == "true" => Ok(Some(true)),
        Some(v) if v == "false" => Ok(Some(false)),
        Some(_) => Err(ApiFault::bad_request(format!("Invalid value for {name}: use true or false"))),
    }
}

fn parse_size(fields: &Fields) -> Result<Option<u64>, ApiFault> {
    match fields.get("size") {
        None => Ok(None),
        Some(s) => match s.trim().parse::<u64>() {
            Ok(n) if (1..=MAX_MAILBOX_MB).contains(&n) => Ok(Some(n)),
            _ => Err(ApiFault::validation(format!(
                "Invalid value for size: a mailbox size is a number of MB between 1 and {MAX_MAILBOX_MB}"
            ))),
        },
    }
}

fn parse_forwards(fields: &Fields) -> Result<Option<Vec<String>>, ApiFault> {
    let Some(raw) = fields.get("emailForwardingAddresses") else { return Ok(None) };
    let mut out = Vec::new();
    for a in raw.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let addr = EmailAddress::parse_external("forwarding address", a)
            .map_err(|_| ApiFault::validation(format!("Invalid forwarding address: {a}")))?;
        out.push(addr.to_string());
    }
    if out.len() > MAX_FORWARDS {
        return Err(ApiFault::validation(format!("A mailbox can forward to at most {MAX_FORWARDS} addresses")));
    }
    Ok(Some(out))
}

pub(crate) fn check_text(fields: &Fields, name: &str, max: usize) -> Result<Option<String>, ApiFault> {
    match fields.get(name) {
        None => Ok(None),
        Some(v) if v.chars().count() > max => {
            Err(ApiFault::validation(format!("Invalid value for {name}: longer than {max} characters")))
        }
        Some(v) => Ok(Some(v.clone())),
    }
}

/// The contact fields given in a write, checked for length.
fn parse_contact(fields: &Fields) -> Result<BTreeMap<String, String>, ApiFault> {
    let mut out = BTreeMap::new();
    for name in CONTACT_FIELDS {
        let max = if *name == "notes" { 1024 } else { 128 };
        if let Some(v) = check_text(fields, name, max)? {
            out.insert((*name).to_owned(), v);
        }
    }
    Ok(out)
}

pub(crate) fn check_password(pw: &str, mailbox: &str, domain: &str) -> Result<(), ApiFault> {
    password::check(pw, Some(mailbox), Some(domain)).map_err(|p| {
        ApiFault::validation(format!("The password does not meet the password policy: {p}."))
    })
}

/// Items of an Index call, for paging.
pub struct IndexQuery {
    pub size: usize,
    pub offset: usize,
    pub startswith: Option<String>,
    pub contains: Option<String>,
    pub enabled: Option<bool>,
    pub fields: Vec<String>,
}

impl IndexQuery {
    pub fn parse(q: &HashMap<String, String>) -> Result<Self, ApiFault> {
        let size = match q.get("size") {
            None => 50,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=250).contains(&n) => n,
                // Behaviour above 250 is not documented [U]: refusing is the safe reading.
                _ => return Err(ApiFault::bad_request("Invalid value for size: must be between 1 and 250")),
            },
        };
        let offset = match q.get("offset") {
            None => 0,
            Some(s) => s.parse::<usize>().map_err(|_| ApiFault::bad_request("Invalid value for offset"))?,
        };
        let startswith = q.get("startswith").cloned();
        let contains = q.get("contains").cloned();
        if startswith.is_some() && contains.is_some() {
            return Err(ApiFault::bad_request("Only one of startswith and contains may be used"));
        }
        let enabled = match q.get("enabled").map(|s| s.to_ascii_lowercase()) {
            None => None,
            Some(v) if v == "true" => Some(true),
            Some(v) if v == "false" => Some(false),
            Some(_) => return Err(ApiFault::bad_request("Invalid value for enabled: use true or false")),
        };
        let fields = q
            .get("fields")
            .map(|f| f.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        Ok(IndexQuery { size, offset, startswith, contains, enabled, fields })
    }

    /// The search rule: `startswith=0-9` means "starts with a digit".
    pub(crate) fn matches(&self, texts: &[&str]) -> bool {
        if let Some(p) = &self.startswith {
            if p == "0-9" {
                return texts.iter().any(|t| t.chars().next().is_some_and(|c| c.is_ascii_digit()));
            }
            let p = p.to_lowercase();
            return texts.iter().any(|t| t.to_lowercase().starts_with(&p));
        }
        if let Some(p) = &self.contains {
            let p = p.to_lowercase();
            return texts.iter().any(|t| t.to_lowercase().contains(&p));
        }
        true
    }
}

pub(crate) fn envelope(q: &IndexQuery, key: &str, all: Vec<Value>) -> Value {
    let total = all.len();
    let items: Vec<Value> = all.into_iter().skip(q.offset).take(q.size).collect();
    json!({ "offset": q.offset, "size": q.size, "total": total, key: items })
}

pub(crate) fn date(t: NaiveDateTime) -> Value {
    Value::String(format_service_date(t))
}

impl Store {
    pub fn now() -> NaiveDateTime {
        Utc::now().naive_utc()
    }

    fn check_account(&self, acct: &str) -> Result<(), ApiFault> {
        if acct == "me" || acct == self.account_number {
            Ok(())
        } else {
            Err(ApiFault::not_found("Customer", "Customer Not Found"))
        }
    }

    pub(crate) fn domain(&self, acct: &str, d: &str) -> Result<&DomainRec, ApiFault> {
        self.check_account(acct)?;
        self.domains.get(&d.to_ascii_lowercase()).ok_or_else(|| ApiFault::not_found("Domain", format!("{d} not found")))
    }

    pub(crate) fn domain_mut(&mut self, acct: &str, d: &str) -> Result<&mut DomainRec, ApiFault> {
        self.check_account(acct)?;
        self.domains
            .get_mut(&d.to_ascii_lowercase())
            .ok_or_else(|| ApiFault::not_found("Domain", format!("{d} not found")))
    }

    // ---- customer ----

    pub fn customer_show(&self, acct: &str) -> OpResult {
        self.check_account(acct)?;
        Ok(json!({"name": self.customer_name, "accountNumber": self.account_number, "referenceNumber": self.reference_number}))
    }

    // ---- admins ----

    fn admin_json(id: &str, a: &AdminRec) -> Value {
        json!({"adminId": id, "firstName": a.first_name, "lastName": a.last_name, "type": a.admin_type,
               "email": a.email, "enabled": a.enabled, "locked": a.locked, "twoFactorEnabled": a.two_factor_enabled})
    }

    pub fn admin_index(&self, acct: &str, q: &IndexQuery) -> OpResult {
        self.check_account(acct)?;
        let all = self.admins.iter().map(|(id, a)| Self::admin_json(id, a)).collect();
        Ok(envelope(q, "admins", all))
    }

    pub fn admin_show(&self, acct: &str, id: &str) -> OpResult {
        self.check_account(acct)?;
        let a = self.admins.get(id).ok_or_else(|| ApiFault::not_found("Admin", "Admin not found"))?;
        Ok(Self::admin_json(id, a))
    }

    pub fn admin_add(&mut self, acct: &str, id: &str, f: &Fields) -> OpResult {
        self.check_account(acct)?;
        names::admin_id(id).map_err(|_| ApiFault::validation("Invalid admin id"))?;
        if self.admins.contains_key(id) {
            return Err(ApiFault::conflict(format!("Admin {id} already exists")));
        }
        // The security question and answer are taken but not kept: Show never returns them.
        check_known_fields(f, &[ADMIN_FIELDS])?;
        let t = f.get("type").ok_or_else(|| ApiFault::missing("type"))?;
        let pw = f.get("password").ok_or_else(|| ApiFault::missing("password"))?;
        password::check(pw, Some(id), None)
            .map_err(|p| ApiFault::validation(format!("The password does not meet the password policy: {p}.")))?;
        let rec = AdminRec {
            first_name: check_text(f, "firstName", 64)?.unwrap_or_default(),
            last_name: check_text(f, "lastName", 64)?.unwrap_or_default(),
            admin_type: t.clone(),
            email: check_text(f, "email", 254)?.unwrap_or_default(),
            enabled: parse_bool(f, "enabled")?.unwrap_or(true),
            locked: false,
            two_factor_enabled: false,
        };
        self.admins.insert(id.to_owned(), rec);
        Ok(Value::Null)
    }

    pub fn admin_edit(&mut self, acct: &str, id: &str, f: &Fields) -> OpResult {
        self.check_account(acct)?;
        if !self.admins.contains_key(id) {
            return Err(ApiFault::not_found("Admin", "Admin not found"));
        }
        check_known_fields(f, &[ADMIN_FIELDS])?;
        let enabled = parse_bool(f, "enabled")?;
        if let Some(pw) = f.get("password") {
            password::check(pw, Some(id), None)
                .map_err(|p| ApiFault::validation(format!("The password does not meet the password policy: {p}.")))?;
        }
        let first = check_text(f, "firstName", 64)?;
        let last = check_text(f, "lastName", 64)?;
        let email = check_text(f, "email", 254)?;
        let a = self.admins.get_mut(id).ok_or_else(|| ApiFault::not_found("Admin", "Admin not found"))?;
        if let Some(e) = enabled {
            a.enabled = e;
        }
        if let Some(v) = first {
            a.first_name = v;
        }
        if let Some(v) = last {
            a.last_name = v;
        }
        if let Some(v) = email {
            a.email = v;
        }
        if let Some(t) = f.get("type") {
            a.admin_type = t.clone();
        }
        Ok(Value::Null)
    }

    /// Deleting the admin whose keys made the call is refused [U: the service's behaviour is
    /// not documented; removing the caller's own login would be a trap].
    pub fn admin_delete(&mut self, acct: &str, id: &str, caller: &str) -> OpResult {
        self.check_account(acct)?;
        if !self.admins.contains_key(id) {
            return Err(ApiFault::not_found("Admin", "Admin not found"));
        }
        if id == caller {
            return Err(ApiFault::bad_request("An administrator cannot delete its own login"));
        }
        self.admins.remove(id);
        self.keys.retain(|_, k| k.admin_id != id);
        Ok(Value::Null)
    }

    // ---- domains ----

    fn domain_summary(&self, name: &str, d: &DomainRec) -> Value {
        json!({"name": name, "accountNumber": self.account_number, "serviceType": d.service_type})
    }

    pub fn domain_index(&self, acct: &str, q: &IndexQuery) -> OpResult {
        if acct != "all" {
            self.check_account(acct)?;
        }
        let all = self
            .domains
            .iter()
            .filter(|(n, _)| q.matches(&[n]))
            .map(|(n, d)| self.domain_summary(n, d))
            .collect();
        Ok(envelope(q, "domains", all))
    }

    pub fn domain_show(&self, acct: &str, name: &str) -> OpResult {
        let d = self.domain(acct, name)?;
        let used: u64 = d.mailboxes.values().map(|m| m.current_usage).sum();
        let ex_used: u64 = d.ex_mailboxes.values().map(|m| m.current_usage).sum();
        Ok(json!({
            "name": name.to_ascii_lowercase(), "accountNumber": self.account_number, "serviceType": d.service_type,
            "rsEmailBaseMailboxSize": d.base_mailbox_size, "rsEmailMaxNumberMailboxes": d.max_mailboxes,
            "rsEmailUsedStorage": used, "rsEmailExtraStorage": 0,
            "exchangeBaseMailboxSize": d.exchange_base_mailbox_size, "exchangeMaxNumMailboxes": d.exchange_max_mailboxes,
            "exchangeUsedStorage": ex_used,
            "exchangeTotalStorage": d.exchange_base_mailbox_size * d.exchange_max_mailboxes, "exchangeExtraStorage": 0,
            "aliases": d.aliases_domains, "archivingServiceEnabled": false, "publicFoldersEnabled": false,
            "blackBerryMobileServiceEnabled": false, "blackBerryLicenses": null,
            "activeSyncMobileServiceEnabled": false, "activeSyncLicenses": 0
        }))
    }

    // ---- mailboxes ----

    fn mailbox_item(name: &str, m: &MailboxRec, fields: &[String]) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), json!(name));
        o.insert("displayName".into(), json!(m.display_name));
        for f in fields {
            let v = match f.as_str() {
                "size" => json!(m.size),
                "currentUsage" => json!(m.current_usage),
                "enabled" => json!(m.enabled),
                "createdDate" => date(m.created),
                "lastLogin" => m.last_login.map(date).unwrap_or(Value::Null),
                _ => continue,
            };
            o.insert(f.clone(), v);
        }
        Value::Object(o)
    }

    pub fn mailbox_index(&self, acct: &str, domain: &str, q: &IndexQuery) -> OpResult {
        let d = self.domain(acct, domain)?;
        let all = d
            .mailboxes
            .iter()
            .filter(|(n, m)| q.enabled.is_none_or(|e| m.enabled == e) && q.matches(&[n, &m.display_name]))
            .map(|(n, m)| Self::mailbox_item(n, m, &q.fields))
            .collect();
        Ok(envelope(q, "rsMailboxes", all))
    }

    fn contact_info(m: &MailboxRec) -> Value {
        let mut o = Map::new();
        o.insert("firstName".into(), json!(m.first_name));
        o.insert("lastName".into(), json!(m.last_name));
        for (k, v) in &m.contact {
            o.insert(k.clone(), json!(v));
        }
        Value::Object(o)
    }

    pub fn mailbox_show(&self, acct: &str, domain: &str, name: &str) -> OpResult {
        let d = self.domain(acct, domain)?;
        let m = d
            .mailboxes
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| ApiFault::not_found("Mailbox", "Mailbox not found"))?;
        Ok(json!({
            "name": name.to_ascii_lowercase(), "displayName": m.display_name, "size": m.size, "currentUsage": m.current_usage,
            "enabled": m.enabled, "createdDate": date(m.created),
            "lastLogin": m.last_login.map(date).unwrap_or(Value::Null),
            "vacationMessage": m.vacation_message, "enableVacationMessage": m.enable_vacation_message,
            "emailForwardingAddressList": m.forwards, "saveForwardedEmail": m.save_forwarded_email,
            "visibleInRackspaceEmailCompanyDirectory": m.visible_in_directory, "visibleInExchangeGAL": m.visible_in_gal,
            "contactInfo": Self::contact_info(m)
        }))
    }

    pub fn mailbox_add(&mut self, acct: &str, domain: &str, name: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        let name = names::mailbox_name("mailbox name", name)
            .map_err(|e| ApiFault::validation(format!("Invalid mailbox name: {}", e.user_message())))?;
        if d.address_taken(&name) {
            return Err(ApiFault::conflict(format!("The address {name}@{dname} is already in use")));
        }
        // `recoverDeleted` is the documented way to bring back a recently deleted mailbox (§6.5).
        check_known_fields(f, &[MAILBOX_FIELDS, CONTACT_FIELDS, &["recoverDeleted"]])?;
        if parse_bool(f, "recoverDeleted")? == Some(true) {
            // The simulator keeps no deleted mailboxes, so there is never one to recover; saying
            // so is safer than creating a new, empty mailbox under the old name.
            return Err(ApiFault::not_found("Mailbox", format!("There is no recently deleted mailbox {name}@{dname} to recover")));
        }
        let pw = f.get("password").ok_or_else(|| ApiFault::missing("password"))?;
        // Without `size`, the mailbox gets the domain's standard size, `rsEmailBaseMailboxSize`
        // (§6.3 "default size for new RS mailboxes", §6.5, §13). A domain whose standard size
        // is 0 has none to give [U], so there `size` stays required.
        let size = match parse_size(f)? {
            Some(n) => n,
            None if d.base_mailbox_size > 0 => d.base_mailbox_size,
            None => return Err(ApiFault::missing("size")),
        };
        check_password(pw, &name, &dname)?;
        // An Exchange-only domain has no Rackspace Email mailboxes at all. The service's
        // wording is not documented [U]; the limit message would mislead, so say why.
        if d.service_type == "exchange" {
            return Err(ApiFault::validation(format!("{dname} has no Rackspace Email service")));
        }
        if d.mailboxes.len() as u64 >= d.max_mailboxes {
            return Err(ApiFault::validation("The domain has reached its maximum number of mailboxes"));
        }
        let rec = MailboxRec {
            display_name: check_text(f, "displayName", 128)?.unwrap_or_default(),
            size,
            current_usage: 0,
            enabled: parse_bool(f, "enabled")?.unwrap_or(true),
            created: Self::now(),
            last_login: None,
            vacation_message: check_text(f, "vacationMessage", 4000)?.unwrap_or_default(),
            enable_vacation_message: parse_bool(f, "enableVacationMessage")?.unwrap_or(false),
            forwards: parse_forwards(f)?.unwrap_or_default(),
            save_forwarded_email: parse_bool(f, "saveForwardedEmail")?.unwrap_or(false),
            visible_in_directory: parse_bool(f, "visibleInRackspaceEmailCompanyDirectory")?.unwrap_or(true),
            visible_in_gal: parse_bool(f, "visibleInExchangeGAL")?.unwrap_or(true),
            first_name: check_text(f, "firstName", 64)?.unwrap_or_default(),
            last_name: check_text(f, "lastName", 64)?.unwrap_or_default(),
            contact: parse_contact(f)?,
            password_hash: hash_password(pw),
            spam: Default::default(),
        };
        self.domain_mut(acct, domain)?.mailboxes.insert(name, rec);
        Ok(Value::Null)
    }

    pub fn mailbox_edit(&mut self, acct: &str, domain: &str, name: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        if !self.domain(acct, domain)?.mailboxes.contains_key(&name) {
            return Err(ApiFault::not_found("Mailbox", "Mailbox not found"));
        }
        // Validate everything before changing anything. `name` (a rename) is a field some
        // clients send [C, U]; the simulator does not rename, so it takes only the current name.
        check_known_fields(f, &[MAILBOX_FIELDS, CONTACT_FIELDS, &["name"]])?;
        if f.get("name").is_some_and(|n| !n.trim().eq_ignore_ascii_case(&name)) {
            return Err(ApiFault::bad_request("Renaming a mailbox is not supported by the simulator"));
        }
        let size = parse_size(f)?;
        let enabled = parse_bool(f, "enabled")?;
        let forwards = parse_forwards(f)?;
        let save = parse_bool(f, "saveForwardedEmail")?;
        let vac_on = parse_bool(f, "enableVacationMessage")?;
        let vac = check_text(f, "vacationMessage", 4000)?;
        let display = check_text(f, "displayName", 128)?;
        let first = check_text(f, "firstName", 64)?;
        let last = check_text(f, "lastName", 64)?;
        let dir = parse_bool(f, "visibleInRackspaceEmailCompanyDirectory")?;
        let gal = parse_bool(f, "visibleInExchangeGAL")?;
        let contact = parse_contact(f)?;
        if let Some(pw) = f.get("password") {
            check_password(pw, &name, &dname)?;
        }
        let m = self
            .domain_mut(acct, domain)?
            .mailboxes
            .get_mut(&name)
            .ok_or_else(|| ApiFault::not_found("Mailbox", "Mailbox not found"))?;
        if let Some(s) = size {
            if s < m.current_usage {
                return Err(ApiFault::validation("Invalid value for size: smaller than the mail already stored"));
            }
            m.size = s;
        }
        if let Some(v) = enabled {
            m.enabled = v;
        }
        if let Some(v) = forwards {
            m.forwards = v;
        }
        if let Some(v) = save {
            m.save_forwarded_email = v;
        }
        if let Some(v) = vac_on {
            m.enable_vacation_message = v;
        }
        if let Some(v) = vac {
            m.vacation_message = v;
        }
        if let Some(v) = display {
            m.display_name = v;
        }
        if let Some(v) = first {
            m.first_name = v;
        }
        if let Some(v) = last {
            m.last_name = v;
        }
        if let Some(v) = dir {
            m.visible_in_directory = v;
        }
        if let Some(v) = gal {
            m.visible_in_gal = v;
        }
        m.contact.extend(contact);
        if let Some(pw) = f.get("password") {
            m.password_hash = hash_password(pw);
        }
        Ok(Value::Null)
    }

    pub fn mailbox_delete(&mut self, acct: &str, domain: &str, name: &str) -> OpResult {
        let d = self.domain_mut(acct, domain)?;
        d.mailboxes
            .remove(&name.to_ascii_lowercase())
            .map(|_| Value::Null)
            .ok_or_else(|| ApiFault::not_found("Mailbox", "Mailbox not found"))
    }

    // ---- aliases ----

    pub fn alias_index(&self, acct: &str, domain: &str, q: &IndexQuery) -> OpResult {
        let d = self.domain(acct, domain)?;
        let all = d
            .aliases
            .iter()
            .filter(|(n, _)| q.matches(&[n]))
            .map(|(n, members)| {
                let mut o = json!({"name": n, "numberOfMembers": members.len()});
                if members.len() == 1 {
                    o["singleMemberName"] = json!(members[0]);
                }
                o
            })
            .collect();
        Ok(envelope(q, "aliases", all))
    }

    pub fn alias_show(&self, acct: &str, domain: &str, name: &str) -> OpResult {
        let d = self.domain(acct, domain)?;
        let members = d
            .aliases
            .get(&name.to_ascii_lowercase())
            .ok_or_else(|| ApiFault::not_found("Alias", "Alias not found"))?;
        Ok(json!({"name": name.to_ascii_lowercase(), "emailAddressList": {"emailAddress": members}}))
    }

    fn alias_members(&self, domain: &str, d: &DomainRec, f: &Fields) -> Result<Vec<String>, ApiFault> {
        check_known_fields(f, &[ALIAS_FIELDS])?;
        let raw = f.get("aliasEmails").ok_or_else(|| ApiFault::missing("aliasEmails"))?;
        let list: Vec<String> =
            raw.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect();
        if list.is_empty() {
            return Err(ApiFault::bad_request("An alias must point to a valid email address."));
        }
        let mut missing = Vec::new();
        let mut external = 0;
        let mut out: Vec<String> = Vec::new();
        for a in &list {
            let Ok(addr) = EmailAddress::parse_external("alias member", a) else {
                missing.push(a.clone());
                continue;
            };
            if addr.domain == domain {
                if !d.mailboxes.contains_key(&addr.local) {
                    missing.push(a.clone());
                }
            } else {
                external += 1;
            }
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
        if !missing.is_empty() {
            return Err(ApiFault::bad_request(format!(
                "An alias must point to a valid email address. The following email addresses do not exist: {}",
                missing.join(", ")
            )));
        }
        if external > 4 {
            return Err(ApiFault::bad_request("Max number of non-local email recipients reached."));
        }
        if out.len() > 50 {
            return Err(ApiFault::bad_request("An alias may have at most 50 email addresses."));
        }
        Ok(out)
    }

    pub fn alias_add(&mut self, acct: &str, domain: &str, name: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        let name = names::mailbox_name("alias name", name)
            .map_err(|e| ApiFault::validation(format!("Invalid alias name: {}", e.user_message())))?;
        if d.address_taken(&name) {
            return Err(ApiFault::conflict(format!("The address {name}@{dname} is already in use")));
        }
        let members = self.alias_members(&dname, d, f)?;
        self.domain_mut(acct, domain)?.aliases.insert(name, members);
        Ok(Value::Null)
    }

    pub fn alias_edit(&mut self, acct: &str, domain: &str, name: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        if !d.aliases.contains_key(&name) {
            return Err(ApiFault::not_found("Alias", "Alias not found"));
        }
        let members = self.alias_members(&dname, d, f)?;
        self.domain_mut(acct, domain)?.aliases.insert(name, members);
        Ok(Value::Null)
    }

    pub fn alias_delete(&mut self, acct: &str, domain: &str, name: &str) -> OpResult {
        let d = self.domain_mut(acct, domain)?;
        d.aliases
            .remove(&name.to_ascii_lowercase())
            .map(|_| Value::Null)
            .ok_or_else(|| ApiFault::not_found("Alias", "Alias not found"))
    }
}
