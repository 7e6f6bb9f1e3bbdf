//! Exchange distribution lists in the v1 model (reference §6.11, §13).
//!
//! Three things differ from every other resource:
//! * bodies are JSON only, with the model's PascalCase names; a form is never sent here;
//! * listings page by marker (`Marker` = the common name of the last list seen, `Limit`,
//!   `Sort`, `Order`), not by offset, so the loop has its own bounds ([`MarkerPager`]);
//! * changes are asynchronous: the object carries `Status` and the `Error` of its last
//!   operation, so after a change [`Client::settle_list`] reads it back, paced and bounded,
//!   until it has settled — and reports an error in the server's own words, or "not settled
//!   yet", never a "done" it has not seen.
//!
//! Unconfirmed [U] and chosen here (each on the safe side):
//! * the v1 list key: `DistributionLists` as seen on `/v2`; any spelling of it, or a bare
//!   array, is read; anything else is an unreadable answer;
//! * create is `POST .../distributionlists/{cn}` (the object URL, as every other resource)
//!   with `CommonName` also in the body; member and allowed-sender changes are a `PUT` of the
//!   list with `Members` / `AcceptMessagesOnlyFrom` as `{"Recipients":[{"Action":"Add"|
//!   "Remove","Value":address}]}` — the Action pattern the model documents for
//!   `EmailAddresses`. A wrong guess fails with the server's refusal, never silently;
//! * success is any 2xx (200, 202 and 204 are all seen);
//! * `Status` values are not documented: only words that plainly mean finished count as
//!   settled, words that mean failure are failures, and anything else is waited on.

use crate::api::{gated, plain_text};
use crate::client::{Client, Outcome, Safety};
use crate::error::{ApiError, Fault, Result, ServerReply};
use crate::names::{self, path_segment, EmailAddress};
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

/// Largest page asked for [U]: the classic routes' 250.
pub const MAX_LIST_LIMIT: u32 = 250;
/// The most pages one listing reads: 100,000 lists at 250 a page. No total is reported with
/// marker paging, so this is what stops a server that never says "no more".
pub const MAX_LIST_PAGES: u32 = 400;
/// Addresses in one member or sender change [U]; larger changes are split by the caller.
pub const MAX_RECIPIENTS_PER_CHANGE: usize = 100;
/// Longest description we send [U].
pub const MAX_DESCRIPTION: usize = 1024;

/// The `Error` of a list's last asynchronous operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListError {
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default, deserialize_with = "text_or_number")]
    pub code: Option<String>,
    #[serde(default)]
    pub uri: Option<String>,
}

impl ListError {
    /// True when it says nothing (some servers send an empty object for "no error").
    pub fn is_empty(&self) -> bool {
        [&self.message, &self.details, &self.code].iter().all(|v| v.as_deref().is_none_or(|s| s.trim().is_empty()))
    }

    fn into_api_error(self) -> ApiError {
        let code = self.code.as_deref().and_then(|c| c.trim().parse::<u16>().ok());
        ApiError::AsyncFailed {
            action: self.action.clone().filter(|a| !a.trim().is_empty()),
            reply: ServerReply {
                status: code.unwrap_or(200),
                error_message: None,
                fault: Some(Fault { kind: "Error".into(), message: self.message, details: self.details, code, resource_type: None }),
                server_date: None,
            },
        }
    }
}

fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// A distribution list (the v1 model's names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DistributionList {
    pub common_name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    /// Read-only.
    #[serde(default)]
    pub alias: Option<String>,
    #[serde(default)]
    pub is_hidden_from_address_list: Option<bool>,
    /// The state of its asynchronous work.
    #[serde(default, deserialize_with = "text_or_number")]
    pub status: Option<String>,
    #[serde(default)]
    pub error: Option<ListError>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub member_count: Option<u64>,
    #[serde(default)]
    pub primary_smtp_address: Option<String>,
}

/// Order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListSort {
    #[default]
    CommonName,
    DisplayName,
}

/// What to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Searches common name and display name (§5.2).
    pub search: Option<String>,
    pub limit: u32,
    pub sort: ListSort,
    pub descending: bool,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery { search: None, limit: MAX_LIST_LIMIT, sort: ListSort::CommonName, descending: false }
    }
}

impl ListQuery {
    /// The exact query string of one page (`marker`: the last common name of the page before).
    pub fn to_query(&self, marker: Option<&str>) -> Result<Vec<(String, String)>> {
        if self.limit == 0 || self.limit > MAX_LIST_LIMIT {
            return Err(ApiError::invalid("page size", format!("it must be between 1 and {MAX_LIST_LIMIT}")));
        }
        let mut q = Vec::new();
        if let Some(s) = &self.search {
            q.push(("Search".into(), crate::api::search_text(s)?));
        }
        if let Some(m) = marker {
            q.push(("Marker".into(), m.to_owned()));
        }
        q.push(("Limit".into(), self.limit.to_string()));
        q.push(("Sort".into(), match self.sort { ListSort::CommonName => "CN", ListSort::DisplayName => "DisplayName" }.into()));
        q.push(("Order".into(), if self.descending { "desc" } else { "asc" }.into()));
        Ok(q)
    }
}

/// Follows a marker-paged listing with bounds: it ends at the first empty page (a short page
/// is not taken as the last, since the server may serve fewer than asked [U]); a marker that
/// comes back a second time (a server that ignores `Marker` and repeats a page) or more than
/// [`MAX_LIST_PAGES`] pages end it with [`ApiError::BadPaging`] instead of a loop.
#[derive(Debug, Clone, Default)]
pub struct MarkerPager {
    marker: Option<String>,
    finished: bool,
    pages: u32,
    items: u32,
    used: HashSet<String>,
}

impl MarkerPager {
    pub fn new() -> Self {
        MarkerPager::default()
    }

    /// `None` when the listing is complete; else the marker of the next page (`Some(None)`
    /// for the first).
    pub fn next(&self) -> Option<Option<&str>> {
        (!self.finished).then_some(self.marker.as_deref())
    }

    /// Takes in the common names of the page just read. After an error the pager is finished.
    pub fn advance(&mut self, names: &[&str]) -> Result<()> {
        if self.finished {
            return Ok(());
        }
        self.pages = self.pages.saturating_add(1);
        self.items = self.items.saturating_add(u32::try_from(names.len()).unwrap_or(u32::MAX));
        let Some(last) = names.last() else {
            self.finished = true;
            return Ok(());
        };
        let bad = |s: &mut Self, reason: String| {
            s.finished = true;
            Err(ApiError::BadPaging { offset: s.items, page: s.pages, total: 0, reason })
        };
        let key = last.to_ascii_lowercase();
        if !self.used.insert(key) {
            return bad(self, format!("the marker \"{last}\" came back a second time, so the list was not moving forward"));
        }
        if self.pages >= MAX_LIST_PAGES {
            return bad(self, format!("{} pages were read and the list had not ended", self.pages));
        }
        self.marker = Some((*last).to_owned());
        Ok(())
    }
}

/// Members (who receives the list's mail) or allowed senders (who may send to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecipientKind {
    Members,
    Senders,
}

impl RecipientKind {
    fn model_key(self) -> &'static str {
        match self {
            RecipientKind::Members => "Members",
            RecipientKind::Senders => "AcceptMessagesOnlyFrom",
        }
    }
    fn path(self) -> &'static str {
        match self {
            RecipientKind::Members => "members",
            RecipientKind::Senders => "senders",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            RecipientKind::Members => "members",
            RecipientKind::Senders => "allowed senders",
        }
    }
}

/// Adding or removing recipients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecipientChange {
    Add,
    Remove,
}

impl RecipientChange {
    fn action(self) -> &'static str {
        match self {
            RecipientChange::Add => "Add",
            RecipientChange::Remove => "Remove",
        }
    }
}

/// Checks recipient addresses: 1 to [`MAX_RECIPIENTS_PER_CHANGE`], each valid, duplicates
/// dropped (ignoring case).
pub fn recipients(field: &str, addresses: &[String]) -> Result<Vec<String>> {
    if addresses.is_empty() {
        return Err(ApiError::invalid(field, "give at least one address"));
    }
    if addresses.len() > MAX_RECIPIENTS_PER_CHANGE {
        return Err(ApiError::invalid(field, format!("at most {MAX_RECIPIENTS_PER_CHANGE} addresses at a time")));
    }
    let mut out: Vec<String> = Vec::new();
    for a in addresses {
        let s = EmailAddress::parse_external(field, a)?.to_string();
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&s)) {
            out.push(s);
        }
    }
    Ok(out)
}

fn recipient_entries(change: RecipientChange, addresses: &[String]) -> Value {
    let list: Vec<Value> = addresses.iter().map(|a| json!({"Action": change.action(), "Value": a})).collect();
    json!({ "Recipients": list })
}

/// The JSON body of a member or sender change.
pub fn recipients_body(kind: RecipientKind, change: RecipientChange, addresses: &[String]) -> Result<Value> {
    let list = recipients(kind.label(), addresses)?;
    let mut body = serde_json::Map::new();
    body.insert(kind.model_key().into(), recipient_entries(change, &list));
    Ok(Value::Object(body))
}

fn description(value: &str) -> Result<String> {
    let v = value.trim();
    plain_text("description", v, MAX_DESCRIPTION)?;
    Ok(v.to_owned())
}

/// A new distribution list. `CommonName` and `DisplayName` are required on create.
#[derive(Debug, Clone, Default)]
pub struct NewList {
    pub display_name: String,
    pub description: Option<String>,
    pub hidden: Option<bool>,
    pub members: Vec<String>,
    pub senders: Vec<String>,
}

impl NewList {
    /// The JSON body; `common_name` is the list's name (validated).
    pub fn to_json(&self, common_name: &str) -> Result<Value> {
        let cn = names::mailbox_name("list name", common_name)?;
        let mut b = serde_json::Map::new();
        b.insert("CommonName".into(), json!(cn));
        b.insert("DisplayName".into(), json!(super::display_name(&self.display_name)?));
        if let Some(d) = &self.description {
            b.insert("Description".into(), json!(description(d)?));
        }
        if let Some(h) = self.hidden {
            b.insert("IsHiddenFromAddressList".into(), json!(h));
        }
        if !self.members.is_empty() {
            b.insert("Members".into(), recipient_entries(RecipientChange::Add, &recipients("members", &self.members)?));
        }
        if !self.senders.is_empty() {
            b.insert("AcceptMessagesOnlyFrom".into(), recipient_entries(RecipientChange::Add, &recipients("allowed senders", &self.senders)?));
        }
        Ok(Value::Object(b))
    }
}

/// Changes to a list's own fields (members and senders change with [`recipients_body`]).
#[derive(Debug, Clone, Default)]
pub struct ListChanges {
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub hidden: Option<bool>,
}

impl ListChanges {
    /// What the list shows once the change has been made.
    pub fn expected(&self) -> Expect {
        Expect::Edited {
            display_name: self.display_name.as_ref().map(|d| d.trim().to_owned()),
            description: self.description.as_ref().map(|d| d.trim().to_owned()),
            hidden: self.hidden,
        }
    }

    pub fn to_json(&self) -> Result<Value> {
        let mut b = serde_json::Map::new();
        if let Some(d) = &self.display_name {
            b.insert("DisplayName".into(), json!(super::display_name(d)?));
        }
        if let Some(d) = &self.description {
            b.insert("Description".into(), json!(description(d)?));
        }
        if let Some(h) = self.hidden {
            b.insert("IsHiddenFromAddressList".into(), json!(h));
        }
        if b.is_empty() {
            return Err(ApiError::invalid("request", "no change was asked for"));
        }
        Ok(Value::Object(b))
    }
}

/// How long and how often to read a list back after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettleWait {
    /// Between two reads.
    pub interval: Duration,
    /// Waiting stops after this long, with [`ApiError::NotSettled`].
    pub max_wait: Duration,
}

impl Default for SettleWait {
    /// How long Rackspace takes is not documented [U]: up to two minutes, a read every three
    /// seconds (two for a member change: the list and its members), at most 40 reads a
    /// minute, inside the 60 allowed; the client's scheduler paces them in any case.
    fn default() -> Self {
        SettleWait { interval: Duration::from_secs(3), max_wait: Duration::from_secs(120) }
    }
}

/// What "settled" means for the change just made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// The list exists and its work is finished (create, edit).
    Present,
    /// The list is gone (delete).
    Gone,
    /// Its work is finished and it shows the new values (an edit). Without this check a read
    /// made before the server has even started the change would pass for "done".
    Edited { display_name: Option<String>, description: Option<String>, hidden: Option<bool> },
    /// Its work is finished and, where the server lists addresses, they show the change.
    Recipients { kind: RecipientKind, change: RecipientChange, addresses: Vec<String> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusClass {
    Settled,
    Pending,
    Failed,
}

/// Reads a `Status` word. No status means no work in progress; only plain "finished" words
/// count as settled; unknown words are waited on (never taken for "done").
fn status_class(status: Option<&str>) -> StatusClass {
    let s: String = status.unwrap_or("").chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    match s.as_str() {
        "" | "ready" | "complete" | "completed" | "succeeded" | "success" | "successful" | "active" | "enabled" | "idle" | "done" | "ok"
        | "normal" | "available" | "none" => StatusClass::Settled,
        "failed" | "failure" | "error" | "errored" => StatusClass::Failed,
        _ => StatusClass::Pending,
    }
}

impl DistributionList {
    /// The list's state in words, for people: "Ready", "Being changed", or "Failed: " and the
    /// server's words. Read as [`Client::settle_list`] reads it: only plain "finished" words are
    /// ready, failure words fail, anything else is still being changed; an error left by the
    /// last change on a list that is otherwise finished counts as failed.
    pub fn state_words(&self) -> String {
        let class = status_class(self.status.as_deref());
        let error = self.error.as_ref().filter(|e| !e.is_empty());
        if class == StatusClass::Failed || (class == StatusClass::Settled && error.is_some()) {
            let words = error
                .and_then(|e| [&e.message, &e.details].into_iter().flatten().map(|t| t.trim()).find(|t| !t.is_empty()).map(str::to_owned))
                .unwrap_or_else(|| "Exchange could not complete the last change.".into());
            return format!("Failed: {words}");
        }
        if class == StatusClass::Settled { "Ready".into() } else { "Being changed".into() }
    }
}

/// Reads a recipients answer: `{"Recipients":[...]}` (any case), or a bare array; each item
/// a string or an object naming the address in one of the usual fields.
fn recipients_of(v: &Value) -> Option<Vec<String>> {
    let arr = match v {
        Value::Array(a) => a,
        Value::Object(o) => o.iter().find(|(k, _)| k.eq_ignore_ascii_case("recipients") || k.eq_ignore_ascii_case("members"))?.1.as_array()?,
        _ => return None,
    };
    let mut out = Vec::new();
    for item in arr {
        let s = match item {
            Value::String(s) => s.clone(),
            Value::Object(o) => ["PrimarySmtpAddress", "EmailAddress", "Address", "Value", "CommonName", "Name"]
                .iter()
                .find_map(|k| o.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).and_then(|(_, v)| v.as_str()).map(str::to_owned))?,
            _ => return None,
        };
        out.push(s);
    }
    Some(out)
}

/// Reads a listing answer: the list key in any spelling, or a bare array.
fn lists_of(status: u16, v: Value) -> Result<Vec<DistributionList>> {
    let arr = match v {
        Value::Array(a) => Value::Array(a),
        Value::Object(mut o) => {
            let key = o.keys().find(|k| k.eq_ignore_ascii_case("distributionlists")).cloned();
            match key.and_then(|k| o.remove(&k)) {
                Some(a) => a,
                None => {
                    return Err(ApiError::Undecodable { status, path: "(root)".into(), message: "no DistributionLists in the answer".into() })
                }
            }
        }
        _ => return Err(ApiError::Undecodable { status, path: "(root)".into(), message: "not a list of distribution lists".into() }),
    };
    let bytes = serde_json::to_vec(&arr).unwrap_or_default();
    crate::client::decode(status, &bytes).map_err(|e| match e {
        ApiError::Undecodable { status, path, message } => ApiError::Undecodable { status, path: format!("DistributionLists{path}"), message },
        other => other,
    })
}

impl Client {
    fn lists_path(&self, domain: &str) -> Result<String> {
        let (dp, _) = self.domain_path(domain)?;
        Ok(format!("{dp}/ex/distributionlists"))
    }

    fn list_path(&self, domain: &str, list: &str) -> Result<String> {
        let cn = names::mailbox_name("list name", list)?;
        Ok(format!("{}/{}", self.lists_path(domain)?, path_segment("list name", &cn)?))
    }

    /// One page of lists, after `marker`.
    pub async fn lists_page(&self, domain: &str, query: &ListQuery, marker: Option<&str>) -> Result<Vec<DistributionList>> {
        let v: Value = self.get_json(self.lists_path(domain)?, query.to_query(marker)?).await?;
        lists_of(200, v)
    }

    /// Every list of a domain matching the query, by bounded marker paging.
    pub async fn lists(&self, domain: &str, query: ListQuery) -> Result<Vec<DistributionList>> {
        let mut pager = MarkerPager::new();
        let mut out: Vec<DistributionList> = Vec::new();
        while let Some(marker) = pager.next() {
            let marker = marker.map(str::to_owned);
            let page = self.lists_page(domain, &query, marker.as_deref()).await?;
            let names: Vec<&str> = page.iter().map(|l| l.common_name.as_str()).collect();
            pager.advance(&names)?;
            out.extend(page);
        }
        Ok(out)
    }

    pub async fn list(&self, domain: &str, list: &str) -> Result<DistributionList> {
        self.get_json(self.list_path(domain, list)?, vec![]).await
    }

    /// The members or allowed senders of a list (`.../{cn}/members`, `.../{cn}/senders`).
    pub async fn list_recipients(&self, domain: &str, list: &str, kind: RecipientKind) -> Result<Vec<String>> {
        let v: Value = self.get_json(format!("{}/{}", self.list_path(domain, list)?, kind.path()), vec![]).await?;
        recipients_of(&v).ok_or_else(|| ApiError::Undecodable { status: 200, path: "Recipients".into(), message: "no list of addresses in the answer".into() })
    }

    gated! {
        /// Creates a list (JSON body). Only sends; [`Client::settle_list`] says how it ended.
        fn create_list(&self, domain: &str, list: &str, new: &NewList) -> Result<()> {
            let path = self.list_path(domain, list)?;
            let body = new.to_json(list)?;
            let safety = Safety::Checked { probe: path.clone(), done_when: Outcome::Exists };
            self.write_json(Method::POST, path, Some(&body), safety).await
        }
    }

    gated! {
        fn edit_list(&self, domain: &str, list: &str, changes: &ListChanges) -> Result<()> {
            let path = self.list_path(domain, list)?;
            let body = changes.to_json()?;
            self.write_json(Method::PUT, path, Some(&body), Safety::Idempotent).await
        }
    }

    gated! {
        /// Adds or removes members or allowed senders. Not resent once it may have arrived
        /// (a second "Add" could be refused as a duplicate, hiding the first's success).
        fn change_list_recipients(&self, domain: &str, list: &str, kind: RecipientKind, change: RecipientChange, addresses: &[String]) -> Result<()> {
            let path = self.list_path(domain, list)?;
            let body = recipients_body(kind, change, addresses)?;
            self.write_json(Method::PUT, path, Some(&body), Safety::Once).await
        }
    }

    gated! {
        /// Deletes a list. Deleting is asynchronous, so reading back right after a lost answer
        /// would still find the list and resend; instead it is never resent once it may have
        /// arrived, and the caller's wait for the list to go ([`Client::settle_list`]) decides.
        fn delete_list(&self, domain: &str, list: &str) -> Result<()> {
            let path = self.list_path(domain, list)?;
            self.write_json(Method::DELETE, path, None, Safety::Once).await
        }
    }

    /// Waits for a list's asynchronous work to settle after a change, reading it back every
    /// `wait.interval` for at most `wait.max_wait`:
    /// * `Ok(Some(list))` once it has settled as expected (`Ok(None)` for a delete: gone) —
    ///   for an edit, once it shows the new values; for members, once its member list shows
    ///   the change where the server lists addresses (where it does not, a settled status is
    ///   all there is to go by [U]);
    /// * [`ApiError::AsyncFailed`] when it settles with an error: a new `Error` (one that
    ///   differs from `error_before`, the one the list carried before the change — an old
    ///   error is not this change's) or a failure status, with the server's words;
    /// * [`ApiError::NotSettled`] when waiting ran out (the change may still happen);
    /// * [`ApiError::Unconfirmed`] when the list could not be read back at all.
    pub async fn settle_list(
        &self,
        domain: &str,
        list: &str,
        expect: &Expect,
        error_before: Option<&ListError>,
        wait: SettleWait,
    ) -> Result<Option<DistributionList>> {
        let started = tokio::time::Instant::now();
        let mut last_status: Option<String>;
        loop {
            match self.list(domain, list).await {
                Err(e) if e.is_not_found() => {
                    if *expect == Expect::Gone {
                        return Ok(None);
                    }
                    last_status = Some("not visible yet".into());
                }
                Err(e) => return Err(ApiError::Unconfirmed { cause: Box::new(e) }),
                Ok(l) => {
                    if let Some(err) = l.error.clone().filter(|e| !e.is_empty()) {
                        if error_before != Some(&err) {
                            return Err(err.into_api_error());
                        }
                    }
                    last_status = l.status.clone();
                    match status_class(l.status.as_deref()) {
                        StatusClass::Failed => {
                            let err = ListError {
                                message: Some(format!("Rackspace reported the status \"{}\" without a message", l.status.as_deref().unwrap_or(""))),
                                ..ListError::default()
                            };
                            return Err(err.into_api_error());
                        }
                        StatusClass::Pending => {}
                        StatusClass::Settled => match expect {
                            Expect::Present => return Ok(Some(l)),
                            Expect::Edited { display_name, description, hidden } => {
                                let same = |want: &Option<String>, have: &Option<String>| {
                                    want.as_deref().is_none_or(|w| have.as_deref().map(str::trim) == Some(w.trim()))
                                };
                                if same(display_name, &l.display_name)
                                    && same(description, &l.description)
                                    && hidden.is_none_or(|h| l.is_hidden_from_address_list == Some(h))
                                {
                                    return Ok(Some(l));
                                }
                                last_status = Some("the new values are not shown yet".into());
                            }
                            Expect::Gone => last_status = Some("still listed".into()),
                            Expect::Recipients { kind, change, addresses } => {
                                match self.list_recipients(domain, list, *kind).await {
                                    // Where the members can be read, they decide: an address
                                    // counts as listed when the entry is the address, or its
                                    // local part for an address of the list's own domain.
                                    Ok(now) => {
                                        let d = names::domain_name(domain).unwrap_or_default();
                                        let has = |a: &String| {
                                            let local = a.rsplit_once('@').filter(|(_, ad)| ad.eq_ignore_ascii_case(&d)).map(|(l, _)| l);
                                            now.iter().any(|n| n.eq_ignore_ascii_case(a) || (!n.contains('@') && local.is_some_and(|l| n.eq_ignore_ascii_case(l))))
                                        };
                                        let done = match change {
                                            RecipientChange::Add => addresses.iter().all(has),
                                            RecipientChange::Remove => !addresses.iter().any(has),
                                        };
                                        if done {
                                            return Ok(Some(l));
                                        }
                                        last_status = Some(format!("the {} do not show the change yet", kind.label()));
                                    }
                                    // Where they cannot be read (the read path is confirmed,
                                    // its answer's shape is not [U]), the settled status is
                                    // all there is to go by.
                                    Err(_) => return Ok(Some(l)),
                                }
                            }
                        },
                    }
                }
            }
            let waited = started.elapsed();
            if waited + wait.interval > wait.max_wait {
                return Err(ApiError::NotSettled { waited, last_status });
            }
            tokio::time::sleep(wait.interval).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_reads_pascal_case_with_status_and_error() {
        let l: DistributionList = serde_json::from_str(
            r#"{"CommonName":"sales","DisplayName":"Sales","Alias":"sales","IsHiddenFromAddressList":false,"Status":"Pending",
            "Error":{"Action":"Update","Message":"Recipient not found","Details":"x@y","Code":400,"Uri":"/x"},
            "Description":"Team","MemberCount":3,"PrimarySmtpAddress":"sales@example.com"}"#,
        )
        .unwrap();
        assert_eq!(l.status.as_deref(), Some("Pending"));
        let e = l.error.unwrap();
        assert_eq!(e.code.as_deref(), Some("400"));
        match e.into_api_error() {
            err @ ApiError::AsyncFailed { .. } => {
                assert_eq!(err.kind().as_str(), "rejected");
                assert_eq!(err.detail().as_deref(), Some("Update: Recipient not found (x@y)"));
            }
            other => panic!("{other:?}"),
        }
        assert!(ListError { code: Some(" ".into()), ..Default::default() }.is_empty());
    }

    #[test]
    fn status_words_never_read_as_done_unless_they_say_so() {
        for s in [None, Some(""), Some("Ready"), Some("Completed"), Some("succeeded")] {
            assert_eq!(status_class(s), StatusClass::Settled, "{s:?}");
        }
        for s in ["Pending", "InProgress", "Queued", "Provisioning", "SomethingNew"] {
            assert_eq!(status_class(Some(s)), StatusClass::Pending, "{s}");
        }
        assert_eq!(status_class(Some("Failed")), StatusClass::Failed);
    }

    #[test]
    fn a_lists_state_reads_in_words() {
        let list = |status: &str, message: Option<&str>| DistributionList {
            common_name: "sales".into(),
            display_name: None,
            alias: None,
            is_hidden_from_address_list: None,
            status: Some(status.into()),
            error: message.map(|m| ListError { message: Some(m.into()), ..Default::default() }),
            description: None,
            member_count: None,
            primary_smtp_address: None,
        };
        assert_eq!(list("Ready", None).state_words(), "Ready");
        assert_eq!(list("Updating", None).state_words(), "Being changed");
        assert_eq!(list("Error", Some(" Mailbox quota ")).state_words(), "Failed: Mailbox quota");
        assert_eq!(list("Ready", Some("Left from the last change")).state_words(), "Failed: Left from the last change");
        assert_eq!(list("Failed", None).state_words(), "Failed: Exchange could not complete the last change.");
    }

    #[test]
    fn bodies_are_json_with_the_model_names() {
        let n = NewList {
            display_name: "Sales".into(),
            description: Some("Sales team".into()),
            hidden: Some(false),
            members: vec!["Ana@Example.com".into(), "ana@example.com".into()],
            senders: vec![],
        };
        assert_eq!(
            n.to_json("Sales").unwrap(),
            json!({"CommonName":"sales","DisplayName":"Sales","Description":"Sales team","IsHiddenFromAddressList":false,
                   "Members":{"Recipients":[{"Action":"Add","Value":"Ana@example.com"}]}})
        );
        assert_eq!(
            recipients_body(RecipientKind::Senders, RecipientChange::Remove, &["boss@example.com".into()]).unwrap(),
            json!({"AcceptMessagesOnlyFrom":{"Recipients":[{"Action":"Remove","Value":"boss@example.com"}]}})
        );
        assert!(NewList { display_name: "".into(), ..Default::default() }.to_json("sales").is_err());
        assert!(NewList { display_name: "S".into(), ..Default::default() }.to_json("sa les").is_err());
        assert!(recipients_body(RecipientKind::Members, RecipientChange::Add, &[]).is_err());
        assert!(recipients_body(RecipientKind::Members, RecipientChange::Add, &["not an address".into()]).is_err());
        let many: Vec<String> = (0..101).map(|i| format!("p{i}@example.com")).collect();
        assert!(recipients_body(RecipientKind::Members, RecipientChange::Add, &many).is_err());
        assert!(ListChanges::default().to_json().is_err());
        assert_eq!(ListChanges { hidden: Some(true), ..Default::default() }.to_json().unwrap(), json!({"IsHiddenFromAddressList": true}));
    }

    #[test]
    fn the_listing_query_uses_marker_parameters() {
        let q = ListQuery { search: Some("sal".into()), limit: 2, sort: ListSort::DisplayName, descending: true };
        let got = q.to_query(Some("sales")).unwrap();
        let want: Vec<(String, String)> = [("Search", "sal"), ("Marker", "sales"), ("Limit", "2"), ("Sort", "DisplayName"), ("Order", "desc")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
        assert!(ListQuery { limit: 0, ..Default::default() }.to_query(None).is_err());
        assert!(ListQuery { limit: 251, ..Default::default() }.to_query(None).is_err());
    }

    #[test]
    fn the_marker_pager_ends_on_an_empty_page() {
        let mut p = MarkerPager::new();
        assert_eq!(p.next(), Some(None));
        p.advance(&["a", "b"]).unwrap();
        assert_eq!(p.next(), Some(Some("b")));
        p.advance(&["c"]).unwrap();
        assert_eq!(p.next(), Some(Some("c")));
        p.advance(&[]).unwrap();
        assert_eq!(p.next(), None);
    }

    #[test]
    fn the_marker_pager_stops_a_repeated_marker() {
        let mut p = MarkerPager::new();
        p.advance(&["a", "b"]).unwrap();
        let e = p.advance(&["a", "B"]).unwrap_err();
        assert_eq!(e.kind().as_str(), "bad-paging");
        assert!(e.detail().unwrap().contains("second time"), "{:?}", e.detail());
        assert_eq!(p.next(), None, "finished after an error");
    }

    #[test]
    fn the_marker_pager_stops_a_listing_that_never_ends() {
        let mut p = MarkerPager::new();
        let mut n = 0u32;
        let err = loop {
            n += 1;
            let name = format!("l{n}");
            if let Err(e) = p.advance(&[name.as_str()]) {
                break e;
            }
            assert!(n < 1000, "no bound");
        };
        assert_eq!(n, MAX_LIST_PAGES);
        assert!(matches!(err, ApiError::BadPaging { .. }));
    }

    #[test]
    fn listings_and_recipients_are_read_in_any_known_shape() {
        let one = json!([{"CommonName":"a"}]);
        assert_eq!(lists_of(200, one).unwrap()[0].common_name, "a");
        assert_eq!(lists_of(200, json!({"DistributionLists":[{"CommonName":"b"}]})).unwrap()[0].common_name, "b");
        assert_eq!(lists_of(200, json!({"distributionlists":[]})).unwrap().len(), 0);
        let e = lists_of(200, json!({"lists":[]})).unwrap_err();
        assert_eq!(e.kind().as_str(), "undecodable");
        let e = lists_of(200, json!({"DistributionLists":[{"DisplayName":"no cn"}]})).unwrap_err();
        assert!(matches!(&e, ApiError::Undecodable { path, .. } if path.starts_with("DistributionLists")), "{e:?}");

        assert_eq!(recipients_of(&json!({"Recipients":["a@x.com"]})).unwrap(), vec!["a@x.com"]);
        assert_eq!(recipients_of(&json!({"Recipients":[{"PrimarySmtpAddress":"b@x.com","DisplayName":"B"}]})).unwrap(), vec!["b@x.com"]);
        assert_eq!(recipients_of(&json!([{"Value":"c@x.com"}])).unwrap(), vec!["c@x.com"]);
        assert!(recipients_of(&json!({"Other":1})).is_none());
    }
}
