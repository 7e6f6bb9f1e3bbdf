//! Exchange distribution lists in the v1 model (reference §6.11, §13): JSON or XML bodies
//! only, model names in PascalCase (`CommonName`, `DisplayName`, ...), marker paging
//! (`Marker`, `Limit`, `Sort`, `Order`, `PreviousPage`, `Search`), and asynchronous writes:
//! a write is accepted at once, the list shows a `Status` while the change is carried out,
//! and the change settles a little later, either done or with an `Error`.
//!
//! Choices where the reference leaves things open [U], each stated once here:
//! * A write answers **202 Accepted** with the list in its body (§1.3: writes answer a body;
//!   §13: a v1 client takes 200, 202 and 204 as success). 202 says what happens: accepted,
//!   not yet done.
//! * `Status` is `Creating`, `Updating` or `Deleting` while a change runs, then `Ready`, or
//!   `Error` when the last change failed; `Error` then holds `Action`, `Message`, `Details`,
//!   `Code` and `Uri` (§6.11's model) and is `null` otherwise. A failed create leaves the list
//!   in `Error` (it can be edited or deleted); a failed update leaves the old values; a failed
//!   delete leaves the list.
//! * While a change runs, another write to the same list is refused with 409.
//! * The list Index answers `{"DistributionLists":[...],"Total":N}`; a page shorter than
//!   `Limit` is the last. `Limit` defaults to 50, at most 250 (the classic paging numbers).
//! * Members and allowed senders (`AcceptMessagesOnlyFrom`) are read at `/members` and
//!   `/senders` as `{"Recipients":[...]}`; they change through the list's own update (the
//!   `Members` / `AcceptMessagesOnlyFrom` fields, `{"Recipients":[{"Action":"Add","Value":..}]}`),
//!   a `PUT`/`POST` of `{"Recipients":[...]}` to the sub-resource, or `POST` / `DELETE` of
//!   `/members/{recipient}`. Every such change is asynchronous like an update.
//!   `/emailaddresses` lists the primary address; `/errors` the last failure, if any.
//! * A recipient is a mailbox, contact or distribution list the domain already has (Exchange
//!   lists hold directory objects; an outside person is added as a contact first), named by
//!   local part, by contact name, or by address.

use crate::store::{printable, ApiFault, DomainRec, OpResult, Store};
use chrono::NaiveDateTime;
use rackdesk_core::names;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The message of a change that settles with an error on purpose (fault `async-error`).
pub const ASYNC_FAILURE: &str = "The change could not be completed by Exchange";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientKind {
    Mailbox,
    Contact,
    DistributionList,
}

impl RecipientKind {
    fn word(self) -> &'static str {
        match self {
            RecipientKind::Mailbox => "Mailbox",
            RecipientKind::Contact => "Contact",
            RecipientKind::DistributionList => "DistributionList",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub kind: RecipientKind,
    /// Local part (mailbox, list) or contact name.
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DlState {
    pub display_name: String,
    pub description: String,
    pub hidden: bool,
    pub members: Vec<Recipient>,
    pub senders: Vec<Recipient>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DlAction {
    Create,
    Update,
    Delete,
}

impl DlAction {
    fn word(self) -> &'static str {
        match self {
            DlAction::Create => "Create",
            DlAction::Update => "Update",
            DlAction::Delete => "Delete",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pending {
    pub action: DlAction,
    pub settles_at: Instant,
    /// Settles with an error instead of being carried out.
    pub fails: bool,
    /// The new values of an update, applied when it settles.
    pub change: Option<DlState>,
    /// Request path and time, for `Error.Uri` / `Error.Details`.
    pub uri: String,
    pub details: String,
}

#[derive(Debug, Clone)]
pub struct DlError {
    pub action: DlAction,
    pub message: String,
    pub details: String,
    pub code: u16,
    pub uri: String,
}

#[derive(Debug, Clone)]
pub struct DistListRec {
    pub state: DlState,
    pub created: NaiveDateTime,
    pub pending: Option<Pending>,
    pub error: Option<DlError>,
}

impl DistListRec {
    /// A list that is ready (demo data).
    pub fn ready(display_name: &str, description: &str, members: Vec<Recipient>, senders: Vec<Recipient>) -> Self {
        DistListRec {
            state: DlState { display_name: display_name.into(), description: description.into(), hidden: false, members, senders },
            created: Store::now(),
            pending: None,
            error: None,
        }
    }

    /// Removes a deleted recipient from the members, senders and a pending change.
    pub fn forget(&mut self, kind: RecipientKind, name: &str) {
        let keep = |r: &Recipient| !(r.kind == kind && r.name == name);
        self.state.members.retain(keep);
        self.state.senders.retain(keep);
        if let Some(c) = self.pending.as_mut().and_then(|p| p.change.as_mut()) {
            c.members.retain(keep);
            c.senders.retain(keep);
        }
    }

    pub fn status(&self) -> &'static str {
        match (&self.pending, &self.error) {
            (Some(p), _) => match p.action {
                DlAction::Create => "Creating",
                DlAction::Update => "Updating",
                DlAction::Delete => "Deleting",
            },
            (None, Some(_)) => "Error",
            (None, None) => "Ready",
        }
    }
}

/// What an asynchronous write needs from the request: when, how long it takes, whether it
/// is to fail, and the request's path and time for the `Error` record.
#[derive(Debug, Clone)]
pub struct AsyncCtx {
    pub now: Instant,
    pub delay: Duration,
    pub fail: bool,
    pub uri: String,
    pub details: String,
}

impl AsyncCtx {
    fn pending(&self, action: DlAction, change: Option<DlState>) -> Pending {
        Pending {
            action,
            settles_at: self.now + self.delay,
            fails: self.fail,
            change,
            uri: self.uri.clone(),
            details: self.details.clone(),
        }
    }
}

/// Which recipient list of a distribution list a sub-resource is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sub {
    Members,
    Senders,
}

/// Settles every change of the domain whose time has come.
pub fn settle(d: &mut DomainRec, now: Instant) {
    let due: Vec<String> =
        d.dist_lists.iter().filter(|(_, l)| l.pending.as_ref().is_some_and(|p| p.settles_at <= now)).map(|(n, _)| n.clone()).collect();
    for name in due {
        let Some(l) = d.dist_lists.get_mut(&name) else { continue };
        let Some(p) = l.pending.take() else { continue };
        if p.fails {
            l.error = Some(DlError { action: p.action, message: ASYNC_FAILURE.into(), details: p.details, code: 500, uri: p.uri });
            continue;
        }
        l.error = None;
        match p.action {
            DlAction::Create => {}
            DlAction::Update => {
                if let Some(c) = p.change {
                    l.state = c;
                }
            }
            DlAction::Delete => {
                d.dist_lists.remove(&name);
                for other in d.dist_lists.values_mut() {
                    other.forget(RecipientKind::DistributionList, &name);
                }
            }
        }
    }
}

fn not_found() -> ApiFault {
    ApiFault::not_found("DistributionList", "Distribution list not found")
}

fn recipient_json(d: &DomainRec, dname: &str, r: &Recipient) -> Value {
    let (shown, address) = match r.kind {
        RecipientKind::Mailbox => {
            (d.ex_mailboxes.get(&r.name).map(|m| m.display_name.clone()).unwrap_or_default(), format!("{}@{dname}", r.name))
        }
        RecipientKind::DistributionList => (
            d.dist_lists.get(&r.name).map(|l| l.state.display_name.clone()).unwrap_or_default(),
            format!("{}@{dname}", r.name),
        ),
        RecipientKind::Contact => d
            .contacts
            .get(&r.name)
            .map(|c| (c.display_name.clone(), c.external_email.clone()))
            .unwrap_or_default(),
    };
    json!({"Type": r.kind.word(), "Value": r.name, "DisplayName": shown, "PrimarySmtpAddress": address})
}

fn recipients_json(d: &DomainRec, dname: &str, list: &[Recipient]) -> Value {
    json!({"Recipients": list.iter().map(|r| recipient_json(d, dname, r)).collect::<Vec<_>>()})
}

fn list_json(d: &DomainRec, dname: &str, name: &str, l: &DistListRec, full: bool) -> Value {
    let mut o = Map::new();
    o.insert("CommonName".into(), json!(name));
    o.insert("DisplayName".into(), json!(l.state.display_name));
    o.insert("PrimarySmtpAddress".into(), json!(format!("{name}@{dname}")));
    o.insert("MemberCount".into(), json!(l.state.members.len()));
    o.insert("IsHiddenFromAddressList".into(), json!(l.state.hidden));
    o.insert("Status".into(), json!(l.status()));
    if full {
        o.insert("Alias".into(), json!(name));
        o.insert("Description".into(), json!(l.state.description));
        o.insert("EmailAddresses".into(), addresses_json(dname, name)["EmailAddresses"].clone());
        o.insert("Members".into(), recipients_json(d, dname, &l.state.members));
        o.insert("AcceptMessagesOnlyFrom".into(), recipients_json(d, dname, &l.state.senders));
        o.insert("Error".into(), l.error.as_ref().map(error_json).unwrap_or(Value::Null));
    }
    Value::Object(o)
}

fn error_json(e: &DlError) -> Value {
    json!({"Action": e.action.word(), "Message": e.message, "Details": e.details, "Code": e.code, "Uri": e.uri})
}

/// The list's addresses: its primary address (alternate addresses are not kept).
fn addresses_json(dname: &str, name: &str) -> Value {
    json!({"EmailAddresses": [{"AddressPrimary": true, "AddressProtocol": "smtp", "Value": format!("{name}@{dname}")}]})
}

/// Marker paging parameters (§6.11). Names are matched without regard to case.
struct MarkerQuery {
    search: Option<String>,
    marker: Option<String>,
    limit: usize,
    by_display_name: bool,
    descending: bool,
    previous: bool,
}

impl MarkerQuery {
    fn parse(q: &HashMap<String, String>) -> Result<Self, ApiFault> {
        let get = |k: &str| q.iter().find(|(n, _)| n.eq_ignore_ascii_case(k)).map(|(_, v)| v.trim().to_owned());
        if get("ExportTo").is_some() {
            return Err(ApiFault::bad_request("ExportTo is not supported by the simulator"));
        }
        let limit = match get("Limit") {
            None => 50,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=250).contains(&n) => n,
                _ => return Err(ApiFault::bad_request("Invalid value for Limit: must be between 1 and 250")),
            },
        };
        let by_display_name = match get("Sort").map(|s| s.to_ascii_lowercase()) {
            None => false,
            Some(s) if s == "cn" => false,
            Some(s) if s == "displayname" => true,
            Some(_) => return Err(ApiFault::bad_request("Invalid value for Sort: use CN or DisplayName")),
        };
        let descending = match get("Order").map(|s| s.to_ascii_lowercase()) {
            None => false,
            Some(s) if s == "asc" => false,
            Some(s) if s == "desc" => true,
            Some(_) => return Err(ApiFault::bad_request("Invalid value for Order: use asc or desc")),
        };
        let previous = match get("PreviousPage").map(|s| s.to_ascii_lowercase()) {
            None => false,
            Some(s) if s == "true" => true,
            Some(s) if s == "false" => false,
            Some(_) => return Err(ApiFault::bad_request("Invalid value for PreviousPage: use true or false")),
        };
        Ok(MarkerQuery {
            search: get("Search").filter(|s| !s.is_empty()),
            marker: get("Marker").filter(|s| !s.is_empty()).map(|s| s.to_ascii_lowercase()),
            limit,
            by_display_name,
            descending,
            previous,
        })
    }
}

/// One body field as a boolean: JSON `true`/`false`, or the strings `true`/`false` in any
/// case (XML text; Rackspace's own client writes `True`/`False`, §13).
fn body_bool(name: &str, v: &Value) -> Result<bool, ApiFault> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(ApiFault::bad_request(format!("Invalid value for {name}: use true or false"))),
    }
}

fn body_text(name: &str, v: &Value, max: usize) -> Result<String, ApiFault> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => n.to_string(),
        _ => return Err(ApiFault::bad_request(format!("Invalid value for {name}: text expected"))),
    };
    if s.chars().count() > max {
        return Err(ApiFault::validation(format!("Invalid value for {name}: longer than {max} characters")));
    }
    Ok(s)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Add,
    Remove,
}

/// `{"Recipients":[...]}` (or the bare array): each item `{"Action":"Add"|"Remove","Value":..}`
/// or a plain string (an add).
fn recipient_actions(field: &str, v: &Value) -> Result<Vec<(Change, String)>, ApiFault> {
    let items = match v {
        Value::Object(o) => {
            if let Some(k) = o.keys().find(|k| *k != "Recipients") {
                return Err(ApiFault::bad_request(format!("Unknown field: {field}.{}", printable(k))));
            }
            match o.get("Recipients") {
                Some(Value::Array(a)) => a.clone(),
                Some(Value::Null) | None => vec![],
                Some(other) => vec![other.clone()],
            }
        }
        Value::Array(a) => a.clone(),
        Value::Null => vec![],
        _ => return Err(ApiFault::bad_request(format!("Invalid value for {field}: a list of recipients expected"))),
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::String(s) => out.push((Change::Add, s)),
            Value::Object(o) => {
                if let Some(k) = o.keys().find(|k| !matches!(k.as_str(), "Action" | "Value")) {
                    return Err(ApiFault::bad_request(format!("Unknown field: {field}.Recipients.{}", printable(k))));
                }
                let value = match o.get("Value") {
                    Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
                    _ => return Err(ApiFault::missing(&format!("{field}.Recipients.Value"))),
                };
                let action = match o.get("Action").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
                    None | Some("add") => Change::Add,
                    Some("remove") => Change::Remove,
                    Some(other) => {
                        return Err(ApiFault::bad_request(format!(
                            "Invalid value for {field}.Recipients.Action: {} (use Add or Remove)",
                            printable(other)
                        )))
                    }
                };
                out.push((action, value));
            }
            _ => return Err(ApiFault::bad_request(format!("Invalid value for {field}: a list of recipients expected"))),
        }
    }
    Ok(out)
}

/// Finds the recipient a value names: a local part or contact name, or an address.
fn resolve(d: &DomainRec, dname: &str, own: &str, value: &str) -> Result<Recipient, ApiFault> {
    let v = value.trim().to_ascii_lowercase();
    let local = match v.split_once('@') {
        Some((l, dom)) if dom == dname => Some(l.to_owned()),
        Some(_) => None,
        None => Some(v.clone()),
    };
    let found = if let Some(l) = local.as_deref() {
        if d.ex_mailboxes.contains_key(l) {
            Some(Recipient { kind: RecipientKind::Mailbox, name: l.to_owned() })
        } else if d.dist_lists.contains_key(l) && l != own {
            Some(Recipient { kind: RecipientKind::DistributionList, name: l.to_owned() })
        } else if d.contacts.contains_key(l) && !v.contains('@') {
            Some(Recipient { kind: RecipientKind::Contact, name: l.to_owned() })
        } else {
            None
        }
    } else {
        None
    };
    // Otherwise an address of another kind: a mailbox's alternate address, a contact's
    // outside address.
    let found = found
        .or_else(|| {
            d.ex_mailboxes
                .iter()
                .find(|(_, m)| m.extra_addresses.contains(&v))
                .map(|(n, _)| Recipient { kind: RecipientKind::Mailbox, name: n.clone() })
        })
        .or_else(|| {
            d.contacts.iter().find(|(_, c)| c.external_email == v).map(|(n, _)| Recipient { kind: RecipientKind::Contact, name: n.clone() })
        });
    if local.as_deref() == Some(own) {
        return Err(ApiFault::validation("A distribution list cannot contain itself"));
    }
    found.ok_or_else(|| {
        ApiFault::validation(format!(
            "The recipient {} is not a mailbox, contact or distribution list of {dname}",
            printable(value)
        ))
    })
}

fn apply_actions(d: &DomainRec, dname: &str, own: &str, list: &mut Vec<Recipient>, actions: &[(Change, String)], what: &str) -> Result<(), ApiFault> {
    for (change, value) in actions {
        let r = resolve(d, dname, own, value)?;
        match change {
            Change::Add => {
                if !list.contains(&r) {
                    list.push(r);
                }
            }
            Change::Remove => {
                let before = list.len();
                list.retain(|x| *x != r);
                if list.len() == before {
                    return Err(ApiFault::validation(format!("{} is not {what} of {own}", printable(value))));
                }
            }
        }
    }
    Ok(())
}

/// Fields a create or update takes; read-only ones are refused by name.
const DL_FIELDS: &[&str] =
    &["CommonName", "DisplayName", "Description", "IsHiddenFromAddressList", "Members", "AcceptMessagesOnlyFrom", "EmailAddresses"];
const DL_READ_ONLY: &[&str] = &["Alias", "Status", "Error", "MemberCount", "PrimarySmtpAddress"];

fn body_object(body: &Value) -> Result<&Map<String, Value>, ApiFault> {
    let o = body.as_object().ok_or_else(|| ApiFault::bad_request("The request body could not be read"))?;
    for k in o.keys() {
        if DL_READ_ONLY.contains(&k.as_str()) {
            return Err(ApiFault::bad_request(format!("Field {} is read-only", printable(k))));
        }
        if !DL_FIELDS.contains(&k.as_str()) {
            return Err(ApiFault::bad_request(format!("Unknown field: {}", printable(k))));
        }
    }
    if o.contains_key("EmailAddresses") {
        return Err(ApiFault::bad_request("Changing EmailAddresses is not supported by the simulator"));
    }
    Ok(o)
}

/// Applies the optional fields of a body to a state.
fn apply_body(d: &DomainRec, dname: &str, own: &str, o: &Map<String, Value>, st: &mut DlState) -> Result<(), ApiFault> {
    if let Some(v) = o.get("DisplayName") {
        let s = body_text("DisplayName", v, 256)?;
        if s.trim().is_empty() {
            return Err(ApiFault::bad_request("Required field DisplayName cannot be empty"));
        }
        st.display_name = s;
    }
    if let Some(v) = o.get("Description") {
        st.description = body_text("Description", v, 1024)?;
    }
    if let Some(v) = o.get("IsHiddenFromAddressList") {
        st.hidden = body_bool("IsHiddenFromAddressList", v)?;
    }
    if let Some(v) = o.get("Members") {
        apply_actions(d, dname, own, &mut st.members, &recipient_actions("Members", v)?, "a member")?;
    }
    if let Some(v) = o.get("AcceptMessagesOnlyFrom") {
        apply_actions(d, dname, own, &mut st.senders, &recipient_actions("AcceptMessagesOnlyFrom", v)?, "an allowed sender")?;
    }
    Ok(())
}

impl Store {
    fn dl_domain_mut(&mut self, acct: &str, domain: &str, now: Instant) -> Result<&mut DomainRec, ApiFault> {
        let d = self.domain_mut(acct, domain)?;
        settle(d, now);
        Ok(d)
    }

    pub fn dl_index(&mut self, acct: &str, domain: &str, q: &HashMap<String, String>, now: Instant) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let mq = MarkerQuery::parse(q)?;
        let d = self.dl_domain_mut(acct, domain, now)?;
        let needle = mq.search.as_deref().map(str::to_lowercase);
        let mut all: Vec<(&String, &DistListRec)> = d
            .dist_lists
            .iter()
            .filter(|(n, l)| needle.as_deref().is_none_or(|s| n.contains(s) || l.state.display_name.to_lowercase().contains(s)))
            .collect();
        let key = |(n, l): &(&String, &DistListRec)| {
            if mq.by_display_name {
                (l.state.display_name.to_lowercase(), (*n).clone())
            } else {
                ((*n).clone(), String::new())
            }
        };
        all.sort_by_key(key);
        if mq.descending {
            all.reverse();
        }
        let total = all.len();
        // Where the marker stands: just after it for the next page, just before it for the
        // previous one. A marker that is no longer there (deleted meanwhile) still places the
        // page when sorting by name; by display name it cannot be placed.
        let (before, after) = match &mq.marker {
            None => (0, 0),
            Some(m) => match all.iter().position(|(n, _)| *n == m) {
                Some(p) => (p, p + 1),
                None if !mq.by_display_name => {
                    let p = all.iter().filter(|(n, _)| if mq.descending { n.as_str() > m.as_str() } else { n.as_str() < m.as_str() }).count();
                    (p, p)
                }
                None => return Err(ApiFault::bad_request(format!("Invalid value for Marker: no distribution list {}", printable(m)))),
            },
        };
        let page: Vec<Value> = if mq.previous && mq.marker.is_some() {
            all[before.saturating_sub(mq.limit)..before].iter().map(|(n, l)| list_json(d, &dname, n, l, false)).collect()
        } else {
            all.iter().skip(after).take(mq.limit).map(|(n, l)| list_json(d, &dname, n, l, false)).collect()
        };
        Ok(json!({"DistributionLists": page, "Total": total}))
    }

    pub fn dl_show(&mut self, acct: &str, domain: &str, name: &str, now: Instant) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.dl_domain_mut(acct, domain, now)?;
        let l = d.dist_lists.get(&name).ok_or_else(not_found)?;
        Ok(list_json(d, &dname, &name, l, true))
    }

    pub fn dl_recipients(&mut self, acct: &str, domain: &str, name: &str, sub: Sub, now: Instant) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let d = self.dl_domain_mut(acct, domain, now)?;
        let l = d.dist_lists.get(&name.to_ascii_lowercase()).ok_or_else(not_found)?;
        let list = match sub {
            Sub::Members => &l.state.members,
            Sub::Senders => &l.state.senders,
        };
        Ok(recipients_json(d, &dname, list))
    }

    pub fn dl_addresses(&mut self, acct: &str, domain: &str, name: &str, now: Instant) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.dl_domain_mut(acct, domain, now)?;
        d.dist_lists.get(&name).ok_or_else(not_found)?;
        Ok(addresses_json(&dname, &name))
    }

    /// The error of the last change, if it failed: `{"Errors":[..]}` (a v1 client reads
    /// `/errors`, §6.11; the simulator keeps only the last one).
    pub fn dl_errors(&mut self, acct: &str, domain: &str, name: &str, now: Instant) -> OpResult {
        let d = self.dl_domain_mut(acct, domain, now)?;
        let l = d.dist_lists.get(&name.to_ascii_lowercase()).ok_or_else(not_found)?;
        Ok(json!({"Errors": l.error.iter().map(error_json).collect::<Vec<_>>()}))
    }

    /// Create: `POST .../distributionlists` with `CommonName` in the body, or
    /// `POST .../distributionlists/{name}` (a `CommonName` in the body must then agree).
    pub fn dl_create(&mut self, acct: &str, domain: &str, path_name: Option<&str>, body: &Value, ctx: &AsyncCtx) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let o = body_object(body)?;
        let from_body = match o.get("CommonName") {
            Some(v) => Some(body_text("CommonName", v, 64)?),
            None => None,
        };
        let raw = match (path_name, from_body.as_deref()) {
            (Some(p), Some(b)) if !p.eq_ignore_ascii_case(b.trim()) => {
                return Err(ApiFault::bad_request("CommonName in the body does not match the name in the address"))
            }
            (Some(p), _) => p.to_owned(),
            (None, Some(b)) => b.to_owned(),
            (None, None) => return Err(ApiFault::missing("CommonName")),
        };
        let name = names::mailbox_name("list name", raw.trim())
            .map_err(|e| ApiFault::validation(format!("Invalid value for CommonName: {}", e.user_message())))?;
        let d = self.dl_domain_mut(acct, domain, ctx.now)?;
        if d.service_type == "rsemail" && d.exchange_max_mailboxes == 0 {
            return Err(ApiFault::validation(format!("{dname} has no Hosted Exchange service")));
        }
        if d.address_taken(&name) {
            return Err(ApiFault::conflict(format!("The address {name}@{dname} is already in use")));
        }
        if !o.contains_key("DisplayName") {
            return Err(ApiFault::missing("DisplayName"));
        }
        let mut st = DlState { display_name: String::new(), description: String::new(), hidden: false, members: vec![], senders: vec![] };
        apply_body(d, &dname, &name, o, &mut st)?;
        let rec = DistListRec { state: st, created: Store::now(), pending: Some(ctx.pending(DlAction::Create, None)), error: None };
        d.dist_lists.insert(name.clone(), rec);
        let l = &d.dist_lists[&name];
        Ok(list_json(d, &dname, &name, l, true))
    }

    /// The list, ready for a new change: it exists and no change of it is running.
    fn dl_for_change<'a>(d: &'a DomainRec, name: &str) -> Result<&'a DistListRec, ApiFault> {
        let l = d.dist_lists.get(name).ok_or_else(not_found)?;
        if l.pending.is_some() {
            return Err(ApiFault::conflict(format!(
                "The distribution list {name} is still busy with an earlier change; try again when its Status is Ready or Error"
            )));
        }
        Ok(l)
    }

    fn dl_start_update(d: &mut DomainRec, dname: &str, name: &str, st: DlState, ctx: &AsyncCtx) -> OpResult {
        let l = d.dist_lists.get_mut(name).ok_or_else(not_found)?;
        l.pending = Some(ctx.pending(DlAction::Update, Some(st)));
        let l = &d.dist_lists[name];
        Ok(list_json(d, dname, name, l, true))
    }

    /// Update: any of the fields; members and senders by `Action`.
    pub fn dl_update(&mut self, acct: &str, domain: &str, name: &str, body: &Value, ctx: &AsyncCtx) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.dl_domain_mut(acct, domain, ctx.now)?;
        let l = Self::dl_for_change(d, &name)?;
        let o = body_object(body)?;
        if let Some(v) = o.get("CommonName") {
            if !body_text("CommonName", v, 64)?.trim().eq_ignore_ascii_case(&name) {
                return Err(ApiFault::bad_request("Renaming a distribution list is not supported by the simulator"));
            }
        }
        let mut st = l.state.clone();
        apply_body(d, &dname, &name, o, &mut st)?;
        Self::dl_start_update(d, &dname, &name, st, ctx)
    }

    /// A change of members or senders through the sub-resource: a body of recipients
    /// (`value == None`), or one recipient named in the address (`POST` adds, `DELETE` removes).
    #[allow(clippy::too_many_arguments)]
    pub fn dl_change_recipients(
        &mut self, acct: &str, domain: &str, name: &str, sub: Sub, body: &Value, value: Option<(&str, bool)>, ctx: &AsyncCtx,
    ) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.dl_domain_mut(acct, domain, ctx.now)?;
        let l = Self::dl_for_change(d, &name)?;
        let field = match sub {
            Sub::Members => "Members",
            Sub::Senders => "AcceptMessagesOnlyFrom",
        };
        let actions = match value {
            Some((v, add)) => vec![(if add { Change::Add } else { Change::Remove }, v.to_owned())],
            None => {
                if body.as_object().is_some_and(|o| o.is_empty()) {
                    return Err(ApiFault::missing("Recipients"));
                }
                recipient_actions(field, body)?
            }
        };
        let mut st = l.state.clone();
        let (list, what) = match sub {
            Sub::Members => (&mut st.members, "a member"),
            Sub::Senders => (&mut st.senders, "an allowed sender"),
        };
        apply_actions(d, &dname, &name, list, &actions, what)?;
        Self::dl_start_update(d, &dname, &name, st, ctx)
    }

    pub fn dl_delete(&mut self, acct: &str, domain: &str, name: &str, ctx: &AsyncCtx) -> OpResult {
        let dname = domain.to_ascii_lowercase();
        let name = name.to_ascii_lowercase();
        let d = self.dl_domain_mut(acct, domain, ctx.now)?;
        Self::dl_for_change(d, &name)?;
        let l = d.dist_lists.get_mut(&name).ok_or_else(not_found)?;
        l.pending = Some(ctx.pending(DlAction::Delete, None));
        let l = &d.dist_lists[&name];
        Ok(list_json(d, &dname, &name, l, true))
    }
}
