//! Hosted Exchange on the classic routes: mailboxes (`/ex/mailboxes`), their permissions
//! (delegates) and contacts (`/ex/contacts`). Form or JSON bodies, classic `size`/`offset`
//! paging, the same fault shapes as Rackspace Email (reference §6.8, §6.10, §13).
//! Distribution lists follow the v1 model and live in `distlists.rs`.

use crate::store::{
    check_known_fields, check_password, check_text, date, envelope, hash_password, parse_bool, printable, ApiFault,
    DomainRec, Fields, IndexQuery, OpResult, Store,
};
use chrono::NaiveDateTime;
use rackdesk_core::names::{self, EmailAddress};
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;

/// Exchange contact-information fields: sent flat, shown under `contactInfo` for a mailbox
/// (§6.8 Show example, §13 Add/Edit names) and flat for a contact (§6.10).
pub const EX_CONTACT_FIELDS: &[&str] = &[
    "firstName", "lastName", "jobTitle", "company", "department", "businessNumber", "homeNumber", "mobileNumber",
    "faxNumber", "pagerNumber", "addressLine1", "city", "state", "zip", "country", "notes", "customID",
];

/// Exchange mailbox Add/Edit fields besides [`EX_CONTACT_FIELDS`] (§6.8, §13).
const EX_MAILBOX_FIELDS: &[&str] = &[
    "displayName", "password", "size", "isHidden", "isPublicFolderAdmin", "enabled", "emailForwardingAddress",
    "saveForwardedEmail", "visibleInRackspaceEmailCompanyDirectory",
];

/// Fields Show returns but nobody sets: refused with a message that says so, rather than
/// "unknown", for clients that send a whole Show back.
const EX_MAILBOX_READ_ONLY: &[&str] = &[
    "name", "currentUsage", "lastLogin", "createdDate", "samAccountName", "emailAddressList",
    "hasBlackBerryMobileService", "hasActiveSyncMobileService",
];

/// Contact Add/Edit fields besides [`EX_CONTACT_FIELDS`] (§6.10). `businessnumber` is the
/// spelling of the 2009 table; it is taken as `businessNumber`.
const CONTACT_OWN_FIELDS: &[&str] = &["displayName", "externalEmail", "isHidden", "businessnumber"];

/// Largest Exchange mailbox, in MB. Not documented [U]: Hosted Exchange is sold with 100 GB
/// mailboxes, so 100 GB is the ceiling here.
pub const MAX_EX_MAILBOX_MB: u64 = 102_400;

/// Permission values. Only `both` is confirmed (§13); `fullaccess` is hinted by one client
/// [U] and is accepted too. Anything else is refused by name.
pub const PERMISSIONS: &[&str] = &["both", "fullaccess"];

#[derive(Debug, Clone)]
pub struct ExMailboxRec {
    pub display_name: String,
    pub size: u64,
    pub current_usage: u64,
    pub enabled: bool,
    pub is_hidden: bool,
    pub is_public_folder_admin: bool,
    pub created: NaiveDateTime,
    pub last_login: Option<NaiveDateTime>,
    /// One address, or empty for no forwarding (§6.8, §13).
    pub forwarding: String,
    pub save_forwarded_email: bool,
    /// Further addresses besides `name@domain`; shown in `emailAddressList` with `replyTo: false`.
    pub extra_addresses: Vec<String>,
    pub visible_in_directory: bool,
    pub has_blackberry: bool,
    pub has_activesync: bool,
    pub sam_account_name: String,
    /// [`EX_CONTACT_FIELDS`] that were set.
    pub contact: BTreeMap<String, String>,
    /// Delegates (local parts of mailboxes of the same domain) and their permission.
    pub permissions: BTreeMap<String, String>,
    pub password_hash: String,
    /// Spam settings and lists (§6.9).
    pub spam: crate::spam::ExMailboxSpam,
}

#[derive(Debug, Clone)]
pub struct ContactRec {
    pub display_name: String,
    pub external_email: String,
    pub is_hidden: bool,
    /// [`EX_CONTACT_FIELDS`] that were set.
    pub fields: BTreeMap<String, String>,
}

/// The legacy logon name: up to 14 characters of the name, `_`, five hex digits (the shape
/// of the reference's example, `apiexmailbox90_53B5B`). Derived from the address, so the same
/// mailbox always gets the same one.
pub fn sam_account_name(name: &str, domain: &str) -> String {
    let d = Sha1::digest(format!("{name}@{domain}").as_bytes());
    let hex: String = d.iter().take(3).map(|b| format!("{b:02X}")).collect();
    let head: String = name.chars().filter(|c| *c != '.').take(14).collect();
    format!("{head}_{}", &hex[..5])
}

/// Exchange mailbox size: a whole number of MB between 1 and [`MAX_EX_MAILBOX_MB`].
fn parse_ex_size(f: &Fields) -> Result<Option<u64>, ApiFault> {
    match f.get("size") {
        None => Ok(None),
        Some(s) => match s.trim().parse::<u64>() {
            Ok(n) if (1..=MAX_EX_MAILBOX_MB).contains(&n) => Ok(Some(n)),
            _ => Err(ApiFault::validation(format!(
                "Invalid value for size: a mailbox size is a number of MB between 1 and {MAX_EX_MAILBOX_MB}"
            ))),
        },
    }
}

/// The contact fields given, checked for length (`notes` may be longer).
fn parse_ex_contact(f: &Fields) -> Result<BTreeMap<String, String>, ApiFault> {
    let mut out = BTreeMap::new();
    for name in EX_CONTACT_FIELDS {
        let max = if *name == "notes" { 1024 } else { 128 };
        if let Some(v) = check_text(f, name, max)? {
            out.insert((*name).to_owned(), v);
        }
    }
    if !f.contains_key("businessNumber") {
        if let Some(v) = check_text(f, "businessnumber", 128)? {
            out.insert("businessNumber".into(), v);
        }
    }
    Ok(out)
}

fn refuse_read_only(f: &Fields, read_only: &[&str]) -> Result<(), ApiFault> {
    match f.keys().find(|k| read_only.contains(&k.as_str())) {
        Some(k) => Err(ApiFault::bad_request(format!("Field {} is read-only", printable(k)))),
        None => Ok(()),
    }
}

fn mailbox_not_found() -> ApiFault {
    ApiFault::not_found("Mailbox", "Mailbox not found")
}

fn contact_not_found() -> ApiFault {
    // The message is the documented one (§4.5, §6.10).
    ApiFault::not_found("Contact", "Contact not found")
}

/// A domain that sells no Exchange (`serviceType` `rsemail`, no Exchange mailboxes allowed).
fn has_exchange(d: &DomainRec) -> bool {
    d.service_type != "rsemail" || d.exchange_max_mailboxes > 0
}

impl Store {
    /// Whether an address is a recipient Exchange knows: a mailbox (any of its addresses) or
    /// a distribution list of one of the account's domains, or a contact's outside address.
    pub(crate) fn exchange_recipient_exists(&self, addr: &str) -> bool {
        let addr = addr.to_ascii_lowercase();
        self.domains.iter().any(|(dn, d)| {
            d.ex_mailboxes.iter().any(|(n, m)| format!("{n}@{dn}") == addr || m.extra_addresses.contains(&addr))
                || d.dist_lists.keys().any(|n| format!("{n}@{dn}") == addr)
                || d.contacts.values().any(|c| c.external_email == addr)
        })
    }

    /// `emailForwardingAddress`: empty turns forwarding off; otherwise one address that
    /// Exchange already knows (§13: "only takes addresses inside Exchange"). An outside
    /// address needs a contact first. The exact wording of the refusal is ours [U].
    fn parse_ex_forwarding(&self, f: &Fields, own: &str) -> Result<Option<String>, ApiFault> {
        let Some(raw) = f.get("emailForwardingAddress") else { return Ok(None) };
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Some(String::new()));
        }
        let addr = EmailAddress::parse_external("forwarding address", raw)
            .map_err(|_| ApiFault::validation(format!("Invalid value for emailForwardingAddress: {}", printable(raw))))?
            .to_string();
        if addr == own {
            return Err(ApiFault::validation("A mailbox cannot forward to itself"));
        }
        if !self.exchange_recipient_exists(&addr) {
            return Err(ApiFault::validation(format!(
                "Invalid value for emailForwardingAddress: {addr} is not a mailbox, contact or distribution list in Hosted Exchange"
            )));
        }
        Ok(Some(addr))
    }

    // ---- Exchange mailboxes ----

    fn ex_mailbox_item(name: &str, m: &ExMailboxRec, fields: &[String]) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), json!(name));
        o.insert("displayName".into(), json!(m.display_name));
        for f in fields {
            let v = match f.as_str() {
                "size" => json!(m.size),
                "currentUsage" => json!(m.current_usage),
                "hasBlackBerryMobileService" => json!(m.has_blackberry),
                "hasActiveSyncMobileService" => json!(m.has_activesync),
                "enabled" => json!(m.enabled),
                _ => continue,
            };
            o.insert(f.clone(), v);
        }
        Value::Object(o)
    }

    /// Index: searched over name, display name and custom ID (§5.2); `enabled` filter and
    /// `fields` columns (§5.2); envelope key `mailboxes` (§5.3).
    pub fn ex_mailbox_index(&self, acct: &str, domain: &str, q: &IndexQuery) -> OpResult {
        let d = self.domain(acct, domain)?;
        let all = d
            .ex_mailboxes
            .iter()
            .filter(|(n, m)| {
                let custom = m.contact.get("customID").map(String::as_str).unwrap_or("");
                q.enabled.is_none_or(|e| m.enabled == e) && q.matches(&[n, &m.display_name, custom])
            })
            .map(|(n, m)| Self::ex_mailbox_item(n, m, &q.fields))
            .collect();
        Ok(envelope(q, "mailboxes", all))
    }

    pub fn ex_mailbox_show(&self, acct: &str, domain: &str, name: &str) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        let m = d.ex_mailboxes.get(&name).ok_or_else(mailbox_not_found)?;
        let mut contact = Map::new();
        for k in EX_CONTACT_FIELDS {
            contact.insert((*k).into(), json!(m.contact.get(*k).cloned().unwrap_or_default()));
        }
        let mut addresses = vec![json!({"address": format!("{name}@{dname}"), "replyTo": true})];
        addresses.extend(m.extra_addresses.iter().map(|a| json!({"address": a, "replyTo": false})));
        Ok(json!({
            "name": name, "displayName": m.display_name, "size": m.size, "currentUsage": m.current_usage,
            "isHidden": m.is_hidden, "isPublicFolderAdmin": m.is_public_folder_admin, "enabled": m.enabled,
            "createdDate": date(m.created), "lastLogin": m.last_login.map(date).unwrap_or(Value::Null),
            "contactInfo": contact,
            "emailForwardingAddress": m.forwarding, "saveForwardedEmail": m.save_forwarded_email,
            "emailAddressList": addresses,
            "hasBlackBerryMobileService": m.has_blackberry, "hasActiveSyncMobileService": m.has_activesync,
            "samAccountName": m.sam_account_name,
            "visibleInRackspaceEmailCompanyDirectory": m.visible_in_directory
        }))
    }

    /// Add: `displayName`, `password` and `size` are required (§13). The domain's
    /// `exchangeMaxNumMailboxes` (§6.3) is enforced with the same refusal as the Rackspace
    /// Email limit.
    pub fn ex_mailbox_add(&mut self, acct: &str, domain: &str, name: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        let name = names::mailbox_name("mailbox name", name)
            .map_err(|e| ApiFault::validation(format!("Invalid mailbox name: {}", e.user_message())))?;
        if !has_exchange(d) {
            return Err(ApiFault::validation(format!("{dname} has no Hosted Exchange service")));
        }
        if d.address_taken(&name) {
            return Err(ApiFault::conflict(format!("The address {name}@{dname} is already in use")));
        }
        refuse_read_only(f, EX_MAILBOX_READ_ONLY)?;
        check_known_fields(f, &[EX_MAILBOX_FIELDS, EX_CONTACT_FIELDS, &["businessnumber"]])?;
        let display = check_text(f, "displayName", 256)?.ok_or_else(|| ApiFault::missing("displayName"))?;
        if display.trim().is_empty() {
            return Err(ApiFault::bad_request("Required field displayName cannot be empty"));
        }
        let pw = f.get("password").ok_or_else(|| ApiFault::missing("password"))?;
        let size = parse_ex_size(f)?.ok_or_else(|| ApiFault::missing("size"))?;
        check_password(pw, &name, &dname)?;
        let rec = ExMailboxRec {
            display_name: display,
            size,
            current_usage: 0,
            enabled: parse_bool(f, "enabled")?.unwrap_or(true),
            is_hidden: parse_bool(f, "isHidden")?.unwrap_or(false),
            is_public_folder_admin: parse_bool(f, "isPublicFolderAdmin")?.unwrap_or(false),
            created: Self::now(),
            last_login: None,
            forwarding: self.parse_ex_forwarding(f, &format!("{name}@{dname}"))?.unwrap_or_default(),
            save_forwarded_email: parse_bool(f, "saveForwardedEmail")?.unwrap_or(false),
            extra_addresses: vec![],
            visible_in_directory: parse_bool(f, "visibleInRackspaceEmailCompanyDirectory")?.unwrap_or(true),
            has_blackberry: false,
            has_activesync: false,
            sam_account_name: sam_account_name(&name, &dname),
            contact: parse_ex_contact(f)?,
            permissions: BTreeMap::new(),
            password_hash: hash_password(pw),
            spam: Default::default(),
        };
        let d = self.domain(acct, domain)?;
        if d.ex_mailboxes.len() as u64 >= d.exchange_max_mailboxes {
            return Err(ApiFault::validation("The domain has reached its maximum number of mailboxes"));
        }
        self.domain_mut(acct, domain)?.ex_mailboxes.insert(name, rec);
        Ok(Value::Null)
    }

    /// Edit: every field is optional; all are checked before anything changes.
    pub fn ex_mailbox_edit(&mut self, acct: &str, domain: &str, name: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        if !self.domain(acct, domain)?.ex_mailboxes.contains_key(&name) {
            return Err(mailbox_not_found());
        }
        refuse_read_only(f, EX_MAILBOX_READ_ONLY)?;
        check_known_fields(f, &[EX_MAILBOX_FIELDS, EX_CONTACT_FIELDS, &["businessnumber"]])?;
        let display = check_text(f, "displayName", 256)?;
        if display.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(ApiFault::bad_request("Required field displayName cannot be empty"));
        }
        let size = parse_ex_size(f)?;
        let enabled = parse_bool(f, "enabled")?;
        let hidden = parse_bool(f, "isHidden")?;
        let pf_admin = parse_bool(f, "isPublicFolderAdmin")?;
        let save = parse_bool(f, "saveForwardedEmail")?;
        let dir = parse_bool(f, "visibleInRackspaceEmailCompanyDirectory")?;
        let forwarding = self.parse_ex_forwarding(f, &format!("{name}@{dname}"))?;
        let contact = parse_ex_contact(f)?;
        if let Some(pw) = f.get("password") {
            check_password(pw, &name, &dname)?;
        }
        let m = self.domain_mut(acct, domain)?.ex_mailboxes.get_mut(&name).ok_or_else(mailbox_not_found)?;
        if let Some(s) = size {
            if s < m.current_usage {
                return Err(ApiFault::validation("Invalid value for size: smaller than the mail already stored"));
            }
            m.size = s;
        }
        if let Some(v) = display {
            m.display_name = v;
        }
        if let Some(v) = enabled {
            m.enabled = v;
        }
        if let Some(v) = hidden {
            m.is_hidden = v;
        }
        if let Some(v) = pf_admin {
            m.is_public_folder_admin = v;
        }
        if let Some(v) = save {
            m.save_forwarded_email = v;
        }
        if let Some(v) = dir {
            m.visible_in_directory = v;
        }
        if let Some(v) = forwarding {
            m.forwarding = v;
        }
        m.contact.extend(contact);
        if let Some(pw) = f.get("password") {
            m.password_hash = hash_password(pw);
        }
        Ok(Value::Null)
    }

    /// Delete: the mailbox goes, and with it the permissions it held or gave and its places
    /// in distribution lists (as Exchange removes a deleted recipient everywhere).
    pub fn ex_mailbox_delete(&mut self, acct: &str, domain: &str, name: &str) -> OpResult {
        let name = name.to_ascii_lowercase();
        let d = self.domain_mut(acct, domain)?;
        d.ex_mailboxes.remove(&name).ok_or_else(mailbox_not_found)?;
        for m in d.ex_mailboxes.values_mut() {
            m.permissions.remove(&name);
        }
        for l in d.dist_lists.values_mut() {
            l.forget(crate::distlists::RecipientKind::Mailbox, &name);
        }
        Ok(Value::Null)
    }

    // ---- alternate addresses ----

    /// Adds an alternate address (`POST .../ex/mailboxes/{m}/emailaddresses/{address}`,
    /// no body; §6.8, §13). It must be on the domain or one of its domain aliases, and free
    /// [U: the service's rules and wording are not documented].
    pub fn ex_address_add(&mut self, acct: &str, domain: &str, name: &str, address: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        if !d.ex_mailboxes.contains_key(&name) {
            return Err(mailbox_not_found());
        }
        check_known_fields(f, &[])?;
        let addr = EmailAddress::parse_external("address", address.trim())
            .map_err(|_| ApiFault::validation(format!("Invalid email address: {}", printable(address))))?;
        if addr.domain != dname && !d.aliases_domains.contains(&addr.domain) {
            return Err(ApiFault::validation(format!("The address {addr} is not on {dname} or one of its domain aliases")));
        }
        let text = addr.to_string();
        let on_primary = addr.domain == dname;
        let used_as_extra = d.ex_mailboxes.values().any(|m| m.extra_addresses.contains(&text));
        if used_as_extra || (on_primary && d.address_taken(&addr.local)) || (!on_primary && addr.local == name) {
            return Err(ApiFault::conflict(format!("The address {text} is already in use")));
        }
        let m = self.domain_mut(acct, domain)?.ex_mailboxes.get_mut(&name).ok_or_else(mailbox_not_found)?;
        m.extra_addresses.push(text);
        Ok(Value::Null)
    }

    /// Removes an alternate address; the primary address `name@domain` stays.
    pub fn ex_address_delete(&mut self, acct: &str, domain: &str, name: &str, address: &str) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let address = address.trim().to_ascii_lowercase();
        let m = self.domain_mut(acct, domain)?.ex_mailboxes.get_mut(&name).ok_or_else(mailbox_not_found)?;
        if address == format!("{name}@{dname}") {
            return Err(ApiFault::validation("The primary address of a mailbox cannot be removed"));
        }
        let before = m.extra_addresses.len();
        m.extra_addresses.retain(|a| *a != address);
        if m.extra_addresses.len() == before {
            return Err(ApiFault::not_found("EmailAddress", "Email address not found"));
        }
        Ok(Value::Null)
    }

    // ---- permissions (delegates) ----

    /// Index: JSON key `permissions` (§13); each item names the delegate by local part.
    /// The item's field names are not documented [U]: `delegate`, `displayName`, `permission`.
    pub fn ex_permission_index(&self, acct: &str, domain: &str, name: &str, q: &IndexQuery) -> OpResult {
        let d = self.domain(acct, domain)?;
        let m = d.ex_mailboxes.get(&name.to_ascii_lowercase()).ok_or_else(mailbox_not_found)?;
        let all = m
            .permissions
            .iter()
            .map(|(who, p)| {
                let shown = d.ex_mailboxes.get(who).map(|x| x.display_name.clone()).unwrap_or_default();
                json!({"delegate": who, "displayName": shown, "permission": p})
            })
            .collect();
        Ok(envelope(q, "permissions", all))
    }

    fn parse_permission(f: &Fields) -> Result<String, ApiFault> {
        check_known_fields(f, &[&["permission"]])?;
        let p = f.get("permission").ok_or_else(|| ApiFault::missing("permission"))?.trim().to_ascii_lowercase();
        if !PERMISSIONS.contains(&p.as_str()) {
            return Err(ApiFault::validation(format!(
                "Invalid value for permission: {} (use {})",
                printable(&p),
                PERMISSIONS.join(" or ")
            )));
        }
        Ok(p)
    }

    /// Grant (`POST`, `create == true`) or change (`PUT`) a delegate's permission.
    pub fn ex_permission_set(&mut self, acct: &str, domain: &str, name: &str, delegate: &str, f: &Fields, create: bool) -> OpResult {
        let name = name.to_ascii_lowercase();
        let delegate = delegate.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        let m = d.ex_mailboxes.get(&name).ok_or_else(mailbox_not_found)?;
        if !d.ex_mailboxes.contains_key(&delegate) {
            return Err(ApiFault::not_found("Mailbox", format!("Delegate mailbox {} not found", printable(&delegate))));
        }
        if delegate == name {
            return Err(ApiFault::validation("A mailbox cannot be its own delegate"));
        }
        let has = m.permissions.contains_key(&delegate);
        if create && has {
            return Err(ApiFault::conflict(format!("{delegate} already has a permission on {name}")));
        }
        if !create && !has {
            return Err(ApiFault::not_found("Permission", "Permission not found"));
        }
        let p = Self::parse_permission(f)?;
        let m = self.domain_mut(acct, domain)?.ex_mailboxes.get_mut(&name).ok_or_else(mailbox_not_found)?;
        m.permissions.insert(delegate, p);
        Ok(Value::Null)
    }

    pub fn ex_permission_delete(&mut self, acct: &str, domain: &str, name: &str, delegate: &str) -> OpResult {
        let d = self.domain_mut(acct, domain)?;
        let m = d.ex_mailboxes.get_mut(&name.to_ascii_lowercase()).ok_or_else(mailbox_not_found)?;
        m.permissions
            .remove(&delegate.to_ascii_lowercase())
            .map(|_| Value::Null)
            .ok_or_else(|| ApiFault::not_found("Permission", "Permission not found"))
    }

    // ---- contacts ----

    /// Index: searched over display name and outside address (§5.2); key `contacts` (§5.3).
    pub fn contact_index(&self, acct: &str, domain: &str, q: &IndexQuery) -> OpResult {
        let d = self.domain(acct, domain)?;
        let all = d
            .contacts
            .iter()
            .filter(|(_, c)| q.matches(&[&c.display_name, &c.external_email]))
            .map(|(n, c)| json!({"name": n, "displayName": c.display_name, "externalEmail": c.external_email}))
            .collect();
        Ok(envelope(q, "contacts", all))
    }

    /// Show: flat fields, the names Add/Edit take [U: the Show shape is not documented].
    pub fn contact_show(&self, acct: &str, domain: &str, name: &str) -> OpResult {
        let d = self.domain(acct, domain)?;
        let name = name.to_ascii_lowercase();
        let c = d.contacts.get(&name).ok_or_else(contact_not_found)?;
        let mut o = Map::new();
        o.insert("name".into(), json!(name));
        o.insert("displayName".into(), json!(c.display_name));
        o.insert("externalEmail".into(), json!(c.external_email));
        o.insert("isHidden".into(), json!(c.is_hidden));
        for k in EX_CONTACT_FIELDS {
            o.insert((*k).into(), json!(c.fields.get(*k).cloned().unwrap_or_default()));
        }
        Ok(Value::Object(o))
    }

    /// An outside address: valid, not on this domain (that would be a mailbox), and not
    /// already another contact's [U: the service's rule for duplicates is not documented].
    fn contact_address(d: &DomainRec, dname: &str, raw: &str, except: Option<&str>) -> Result<String, ApiFault> {
        let addr = EmailAddress::parse_external("external address", raw.trim())
            .map_err(|_| ApiFault::validation(format!("Invalid value for externalEmail: {}", printable(raw))))?;
        if addr.domain == dname {
            return Err(ApiFault::validation(format!(
                "Invalid value for externalEmail: {addr} is on {dname}; a contact is for an outside address"
            )));
        }
        let addr = addr.to_string();
        if let Some((other, _)) = d.contacts.iter().find(|(n, c)| c.external_email == addr && Some(n.as_str()) != except) {
            return Err(ApiFault::conflict(format!("The contact {other} already has the address {addr}")));
        }
        Ok(addr)
    }

    pub fn contact_add(&mut self, acct: &str, domain: &str, name: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        let name = names::mailbox_name("contact name", name)
            .map_err(|e| ApiFault::validation(format!("Invalid contact name: {}", e.user_message())))?;
        if d.contacts.contains_key(&name) {
            return Err(ApiFault::conflict(format!("The contact {name} already exists")));
        }
        if !has_exchange(d) {
            return Err(ApiFault::validation(format!("{dname} has no Hosted Exchange service")));
        }
        check_known_fields(f, &[CONTACT_OWN_FIELDS, EX_CONTACT_FIELDS])?;
        let display = check_text(f, "displayName", 256)?.ok_or_else(|| ApiFault::missing("displayName"))?;
        if display.trim().is_empty() {
            return Err(ApiFault::bad_request("Required field displayName cannot be empty"));
        }
        let raw = f.get("externalEmail").ok_or_else(|| ApiFault::missing("externalEmail"))?;
        let external = Self::contact_address(d, &dname, raw, None)?;
        let rec = ContactRec {
            display_name: display,
            external_email: external,
            is_hidden: parse_bool(f, "isHidden")?.unwrap_or(false),
            fields: parse_ex_contact(f)?,
        };
        self.domain_mut(acct, domain)?.contacts.insert(name, rec);
        Ok(Value::Null)
    }

    pub fn contact_edit(&mut self, acct: &str, domain: &str, name: &str, f: &Fields) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.domain(acct, domain)?;
        if !d.contacts.contains_key(&name) {
            return Err(contact_not_found());
        }
        check_known_fields(f, &[CONTACT_OWN_FIELDS, EX_CONTACT_FIELDS])?;
        let display = check_text(f, "displayName", 256)?;
        if display.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(ApiFault::bad_request("Required field displayName cannot be empty"));
        }
        let external = match f.get("externalEmail") {
            Some(raw) => Some(Self::contact_address(d, &dname, raw, Some(&name))?),
            None => None,
        };
        let hidden = parse_bool(f, "isHidden")?;
        let fields = parse_ex_contact(f)?;
        let c = self.domain_mut(acct, domain)?.contacts.get_mut(&name).ok_or_else(contact_not_found)?;
        if let Some(v) = display {
            c.display_name = v;
        }
        if let Some(v) = external {
            c.external_email = v;
        }
        if let Some(v) = hidden {
            c.is_hidden = v;
        }
        c.fields.extend(fields);
        Ok(Value::Null)
    }

    pub fn contact_delete(&mut self, acct: &str, domain: &str, name: &str) -> OpResult {
        let name = name.to_ascii_lowercase();
        let d = self.domain_mut(acct, domain)?;
        d.contacts.remove(&name).ok_or_else(contact_not_found)?;
        for l in d.dist_lists.values_mut() {
            l.forget(crate::distlists::RecipientKind::Contact, &name);
        }
        Ok(Value::Null)
    }
}
