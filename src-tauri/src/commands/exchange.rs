//! Hosted Exchange commands: mailboxes and their delegates, contacts, distribution lists.
//! Each one checks its input, calls the core (changes through `Ops`: the allow-list and the
//! journal) and maps the answer to a view type. A distribution-list change returns only once
//! Exchange has finished it (the core waits); a change Exchange fails is an error carrying
//! the server's own words.

use super::mailboxes::{ExportResult, PasswordResult};
use super::{CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::api::Search;
use rackdesk_core::exchange::{
    ContactChanges, ContactQuery, DistributionList, ExMailbox, ExMailboxChanges, ExMailboxQuery, ExMailboxSummary, ListQuery, NewContact,
    NewExMailbox, NewList, PermissionLevel, RecipientChange, RecipientKind, SettleWait,
};
use rackdesk_core::names::EmailAddress;
use rackdesk_core::Client;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

// ---- view types ----

/// One row of the Exchange mailbox list.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExMailboxRow {
    pub name: String,
    pub address: String,
    pub display_name: String,
    /// From the mailbox itself in the detail. The Exchange list (Index) does not offer this
    /// column (only size and usage), so list rows say `true` unless the server said otherwise.
    pub enabled: bool,
    #[ts(type = "number")]
    pub size_mb: u64,
    #[ts(type = "number")]
    pub used_mb: u64,
    /// From the mailbox itself in the detail; the list does not offer it, so rows say `false`.
    pub hidden: bool,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExMailboxPage {
    pub offset: u32,
    pub total: u32,
    pub rows: Vec<ExMailboxRow>,
    /// The offset of the next page, or `null` when the list is complete (the core's bounded pager).
    pub next: Option<u32>,
}

/// Someone who may use a mailbox.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DelegateRow {
    /// The delegate's full address.
    pub delegate: String,
    pub display_name: String,
    /// What the delegate may do, in words ("Full access and send as").
    pub permission: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExMailboxDetail {
    pub row: ExMailboxRow,
    /// The one address mail is forwarded to, or `null` when forwarding is off.
    pub forwarding: Option<String>,
    pub keep_copy: bool,
    /// Every address of the mailbox.
    pub addresses: Vec<String>,
    pub delegates: Vec<DelegateRow>,
    pub job_title: Option<String>,
    pub department: Option<String>,
    pub business_number: Option<String>,
    pub mobile_number: Option<String>,
}

/// A new Exchange mailbox as the page sends it (not `Debug`-derived: it may hold a password).
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewExMailboxInput {
    pub domain: String,
    pub name: String,
    pub display_name: String,
    /// `null`: the domain's standard size.
    #[ts(type = "number | null")]
    pub size_mb: Option<u64>,
    /// `null`: generate one and show it once.
    pub password: Option<String>,
}

impl std::fmt::Debug for NewExMailboxInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewExMailboxInput")
            .field("domain", &self.domain)
            .field("name", &self.name)
            .field("display_name", &self.display_name)
            .field("size_mb", &self.size_mb)
            .finish_non_exhaustive()
    }
}

/// Changes to an Exchange mailbox; `null` leaves a field as it is.
#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExMailboxUpdate {
    pub display_name: Option<String>,
    #[ts(type = "number | null")]
    pub size_mb: Option<u64>,
    /// One address; `""` turns forwarding off.
    pub forward_to: Option<String>,
    pub keep_copy: Option<bool>,
    pub hidden: Option<bool>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactRow {
    pub name: String,
    pub display_name: String,
    pub email: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactDetail {
    pub name: String,
    pub display_name: String,
    pub email: String,
    pub hidden: bool,
    pub company: Option<String>,
    pub job_title: Option<String>,
    pub business_number: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactInput {
    /// The contact's short name in the domain (like a mailbox name).
    pub name: String,
    pub display_name: String,
    /// The outside address.
    pub email: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContactUpdate {
    pub display_name: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DListRow {
    pub name: String,
    pub address: String,
    pub display_name: String,
    pub members: u32,
    /// "Ready", "Being changed", or "Failed: " and the server's words.
    pub status: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DListDetail {
    pub name: String,
    pub address: String,
    pub display_name: String,
    pub description: String,
    pub hidden: bool,
    pub status: String,
    /// Who receives the list's mail.
    pub members: Vec<String>,
    /// Who may send to it (empty: anyone).
    pub senders: Vec<String>,
}

// ---- helpers ----

fn address(domain: &str, name: &str) -> CmdResult<EmailAddress> {
    Ok(EmailAddress::parse(&format!("{}@{}", name.trim(), domain.trim()))?)
}

fn list_address(domain: &str, name: &str) -> CmdResult<EmailAddress> {
    Ok(EmailAddress::parse_as("list", &format!("{}@{}", name.trim(), domain.trim()))?)
}

/// The typed confirmation must be the object's address (or name), ignoring case and spaces around.
fn confirmed(typed: &str, expected: &str, what: &str) -> CmdResult<()> {
    if typed.trim().eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(CommandError::invalid(format!("To delete {what}, type {expected} exactly to confirm.")))
    }
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn summary_row(domain: &str, m: &ExMailboxSummary) -> ExMailboxRow {
    ExMailboxRow {
        name: m.name.clone(),
        address: format!("{}@{domain}", m.name),
        display_name: m.display_name.clone().unwrap_or_default(),
        // Not a column of the Exchange Index (it offers size and usage only): unless a server
        // sends it anyway, a listed mailbox is shown enabled; the detail reads the mailbox.
        enabled: m.enabled.unwrap_or(true),
        size_mb: m.size.unwrap_or(0),
        used_mb: m.current_usage.unwrap_or(0),
        // Not in the Index either: shown as visible in the list, read in the detail.
        hidden: false,
    }
}

fn mailbox_row(domain: &str, m: &ExMailbox) -> ExMailboxRow {
    ExMailboxRow {
        name: m.name.clone(),
        address: format!("{}@{domain}", m.name),
        display_name: m.display_name.clone().unwrap_or_default(),
        enabled: m.enabled.unwrap_or(true),
        size_mb: m.size.unwrap_or(0),
        used_mb: m.current_usage.unwrap_or(0),
        hidden: m.is_hidden.unwrap_or(false),
    }
}

/// A permission value in words.
fn permission_words(value: &str) -> String {
    let v: String = value.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    match v.as_str() {
        "both" => "Full access and send as".into(),
        "fullaccess" => "Full access".into(),
        "sendas" => "Send as".into(),
        _ => value.trim().to_owned(),
    }
}

/// Delegates shown with their display names: each delegate's mailbox is read (few per
/// mailbox); when it cannot be read, its address stands for the name.
const MAX_DELEGATE_NAMES: usize = 20;

async fn ex_detail(c: &Client, domain: &str, name: &str) -> CmdResult<ExMailboxDetail> {
    let m = c.ex_mailbox(domain, name).await?;
    let perms = c.ex_permissions(domain, &m.name).await?;
    let mut delegates = Vec::new();
    for (i, p) in perms.iter().enumerate() {
        let local = p.delegate.split('@').next().unwrap_or(&p.delegate).trim().to_owned();
        let full = if p.delegate.contains('@') { p.delegate.trim().to_owned() } else { format!("{local}@{domain}") };
        let shown = if i < MAX_DELEGATE_NAMES {
            c.ex_mailbox(domain, &local).await.ok().and_then(|d| d.display_name).filter(|d| !d.trim().is_empty())
        } else {
            None
        };
        delegates.push(DelegateRow { display_name: shown.unwrap_or_else(|| full.clone()), delegate: full, permission: permission_words(&p.permission) });
    }
    let info = m.contact_info.clone().unwrap_or_default();
    Ok(ExMailboxDetail {
        row: mailbox_row(domain, &m),
        forwarding: m.forwarding().map(str::to_owned),
        keep_copy: m.save_forwarded_email.unwrap_or(false),
        addresses: m.email_address_list.iter().map(|a| a.address.clone()).collect(),
        delegates,
        job_title: text(&info.job_title),
        department: text(&info.department),
        business_number: text(&info.business_number),
        mobile_number: text(&info.mobile_number),
    })
}

/// How long to wait for a list change: quick reads on the sandbox (it settles in well under
/// a second), the core's paced default on a real account.
fn settle_wait(state: &AppState) -> SettleWait {
    if state.is_sandbox() {
        SettleWait { interval: Duration::from_millis(500), max_wait: Duration::from_secs(120) }
    } else {
        SettleWait::default()
    }
}

fn list_row(domain: &str, l: &DistributionList) -> DListRow {
    DListRow {
        name: l.common_name.clone(),
        address: text(&l.primary_smtp_address).unwrap_or_else(|| format!("{}@{domain}", l.common_name)),
        display_name: l.display_name.clone().unwrap_or_default(),
        members: l.member_count.map(|n| u32::try_from(n).unwrap_or(u32::MAX)).unwrap_or(0),
        status: l.state_words(),
    }
}

async fn list_detail(c: &Client, domain: &str, name: &str) -> CmdResult<DListDetail> {
    let l = c.list(domain, name).await?;
    let members = c.list_recipients(domain, &l.common_name, RecipientKind::Members).await?;
    let senders = c.list_recipients(domain, &l.common_name, RecipientKind::Senders).await?;
    let row = list_row(domain, &l);
    Ok(DListDetail {
        name: row.name,
        address: row.address,
        display_name: row.display_name,
        description: l.description.clone().unwrap_or_default(),
        hidden: l.is_hidden_from_address_list.unwrap_or(false),
        status: row.status,
        members,
        senders,
    })
}

async fn contact_view(c: &Client, domain: &str, name: &str) -> CmdResult<ContactDetail> {
    let x = c.contact(domain, name).await?;
    let d = x.details();
    Ok(ContactDetail {
        name: x.name.clone().unwrap_or_else(|| name.trim().to_ascii_lowercase()),
        display_name: x.display_name.clone().unwrap_or_default(),
        email: x.external_email.clone().unwrap_or_default(),
        hidden: x.is_hidden.unwrap_or(false),
        company: text(&d.company),
        job_title: text(&d.job_title),
        business_number: text(&d.business_number),
    })
}

// ---- mailboxes ----

/// One page of a domain's Exchange mailboxes, walked with `next` like `mailbox_page`.
#[tauri::command]
pub async fn ex_mailbox_page(
    state: tauri::State<'_, AppState>,
    domain: String,
    offset: u32,
    size: u32,
    first_total: Option<u32>,
    page_number: u32,
) -> CmdResult<ExMailboxPage> {
    let q = ExMailboxQuery { offset, size, ..ExMailboxQuery::default() };
    let p = state.client().ex_mailboxes_page(&domain, &q).await?;
    let next = rackdesk_core::api::next_offset(&rackdesk_core::api::PageStep {
        asked_offset: offset,
        page_size: size,
        echoed_offset: p.offset,
        items: p.items.len(),
        total: p.total,
        first_total: first_total.unwrap_or(p.total),
        pages: page_number.max(1),
    })?;
    Ok(ExMailboxPage { offset: p.offset, total: p.total, rows: p.items.iter().map(|m| summary_row(&domain, m)).collect(), next })
}

/// Everything about one Exchange mailbox, with who may use it.
#[tauri::command]
pub async fn ex_mailbox_detail(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<ExMailboxDetail> {
    let a = address(&domain, &name)?;
    ex_detail(&state.client(), &a.domain, &a.local).await
}

/// Creates an Exchange mailbox; answers the generated password (once) when none was given.
#[tauri::command]
pub async fn create_ex_mailbox(state: tauri::State<'_, AppState>, input: NewExMailboxInput) -> CmdResult<Option<PasswordResult>> {
    let addr = address(&input.domain, &input.name)?;
    let generated = input.password.is_none();
    let password = match input.password {
        Some(p) => SecretString::from(p),
        None => rackdesk_core::password::generate(Some(&addr.local), Some(&addr.domain)),
    };
    let mut new = NewExMailbox::new(input.display_name, password.clone(), input.size_mb.unwrap_or(1));
    // Every value checked before any call; the domain's own limit is checked next.
    new.to_form(&addr.local, &addr.domain, &rackdesk_core::exchange::ExchangeLimits::UNKNOWN)?;
    let ops = state.ops()?;
    new.size = ops.session.client.new_ex_mailbox_size(&addr.domain, input.size_mb).await?;
    ops.create_ex_mailbox(&addr, &new).await?;
    Ok(generated.then(|| PasswordResult { address: addr.to_string(), password: password.expose_secret().to_owned() }))
}

#[tauri::command]
pub async fn update_ex_mailbox(state: tauri::State<'_, AppState>, domain: String, name: String, update: ExMailboxUpdate) -> CmdResult<ExMailboxDetail> {
    let addr = address(&domain, &name)?;
    let changes = ExMailboxChanges {
        display_name: update.display_name,
        size: update.size_mb,
        forward_to: update.forward_to,
        save_forwarded_email: update.keep_copy,
        is_hidden: update.hidden,
        ..Default::default()
    };
    state.ops()?.edit_ex_mailbox(&addr, &changes).await?;
    ex_detail(&state.client(), &addr.domain, &addr.local).await
}

#[tauri::command]
pub async fn set_ex_mailbox_enabled(state: tauri::State<'_, AppState>, domain: String, name: String, enabled: bool) -> CmdResult<ExMailboxDetail> {
    let addr = address(&domain, &name)?;
    let changes = ExMailboxChanges { enabled: Some(enabled), ..Default::default() };
    state.ops()?.edit_ex_mailbox(&addr, &changes).await?;
    ex_detail(&state.client(), &addr.domain, &addr.local).await
}

/// Sets a new generated password and answers it, to be shown once.
#[tauri::command]
pub async fn reset_ex_mailbox_password(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<PasswordResult> {
    let addr = address(&domain, &name)?;
    let password = rackdesk_core::password::generate(Some(&addr.local), Some(&addr.domain));
    let changes = ExMailboxChanges { password: Some(password.clone()), ..Default::default() };
    state.ops()?.edit_ex_mailbox(&addr, &changes).await?;
    Ok(PasswordResult { address: addr.to_string(), password: password.expose_secret().to_owned() })
}

/// Deletes an Exchange mailbox and its mail. The page sends back the address the person typed.
#[tauri::command]
pub async fn delete_ex_mailbox(state: tauri::State<'_, AppState>, domain: String, name: String, confirm_address: String) -> CmdResult<()> {
    let addr = address(&domain, &name)?;
    confirmed(&confirm_address, &addr.to_string(), &format!("the Exchange mailbox {addr}"))?;
    state.ops()?.delete_ex_mailbox(&addr).await?;
    Ok(())
}

/// Lets another mailbox of the domain open this one and send as it (the one level the core
/// sends: full access and send as together).
#[tauri::command]
pub async fn grant_ex_delegate(state: tauri::State<'_, AppState>, domain: String, name: String, delegate: String) -> CmdResult<ExMailboxDetail> {
    let addr = address(&domain, &name)?;
    state.ops()?.grant_ex_permission(&addr, &delegate, PermissionLevel::Both).await?;
    ex_detail(&state.client(), &addr.domain, &addr.local).await
}

#[tauri::command]
pub async fn revoke_ex_delegate(state: tauri::State<'_, AppState>, domain: String, name: String, delegate: String) -> CmdResult<ExMailboxDetail> {
    let addr = address(&domain, &name)?;
    state.ops()?.revoke_ex_permission(&addr, &delegate).await?;
    ex_detail(&state.client(), &addr.domain, &addr.local).await
}

// ---- contacts ----

/// Every contact of a domain (bounded paging), optionally those whose name or address
/// contains `search`.
#[tauri::command]
pub async fn list_contacts(state: tauri::State<'_, AppState>, domain: String, search: Option<String>) -> CmdResult<Vec<ContactRow>> {
    let q = ContactQuery { search: text(&search).map(Search::Contains), ..ContactQuery::default() };
    let list = state.client().contacts(&domain, q).await?;
    Ok(list
        .into_iter()
        .map(|c| ContactRow { display_name: c.display_name.unwrap_or_default(), email: c.external_email.unwrap_or_default(), name: c.name })
        .collect())
}

#[tauri::command]
pub async fn contact_detail(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<ContactDetail> {
    contact_view(&state.client(), &domain, &name).await
}

#[tauri::command]
pub async fn create_contact(state: tauri::State<'_, AppState>, domain: String, input: ContactInput) -> CmdResult<ContactDetail> {
    let new = NewContact { display_name: input.display_name, external_email: input.email, ..Default::default() };
    state.ops()?.create_contact(&domain, &input.name, &new).await?;
    contact_view(&state.client(), &domain, &input.name).await
}

#[tauri::command]
pub async fn update_contact(state: tauri::State<'_, AppState>, domain: String, name: String, update: ContactUpdate) -> CmdResult<ContactDetail> {
    let changes = ContactChanges { display_name: update.display_name, external_email: update.email, ..Default::default() };
    state.ops()?.edit_contact(&domain, &name, &changes).await?;
    contact_view(&state.client(), &domain, &name).await
}

/// Deletes a contact. The page sends back the contact's name as the person typed it.
#[tauri::command]
pub async fn delete_contact(state: tauri::State<'_, AppState>, domain: String, name: String, confirm_name: String) -> CmdResult<()> {
    let n = rackdesk_core::names::mailbox_name("contact name", &name)?;
    confirmed(&confirm_name, &n, &format!("the contact {n}"))?;
    state.ops()?.delete_contact(&domain, &n).await?;
    Ok(())
}

// ---- distribution lists ----

/// Every distribution list of a domain (bounded marker paging).
#[tauri::command]
pub async fn list_dlists(state: tauri::State<'_, AppState>, domain: String) -> CmdResult<Vec<DListRow>> {
    let lists = state.client().lists(&domain, ListQuery::default()).await?;
    Ok(lists.iter().map(|l| list_row(&domain, l)).collect())
}

/// A list with its members and allowed senders.
#[tauri::command]
pub async fn dlist_detail(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<DListDetail> {
    list_detail(&state.client(), &domain, &name).await
}

/// Creates a list and returns once Exchange has made it.
#[tauri::command]
pub async fn create_dlist(state: tauri::State<'_, AppState>, domain: String, name: String, display_name: String, members: Vec<String>) -> CmdResult<DListDetail> {
    let addr = list_address(&domain, &name)?;
    let new = NewList { display_name, members, ..Default::default() };
    state.ops()?.create_list(&addr, &new, settle_wait(&state)).await?;
    list_detail(&state.client(), &addr.domain, &addr.local).await
}

/// Adds or removes members (`kind` "members") or allowed senders ("senders"); returns once
/// Exchange has finished the change.
#[tauri::command]
pub async fn change_dlist_recipients(
    state: tauri::State<'_, AppState>,
    domain: String,
    name: String,
    kind: String,
    action: String,
    addresses: Vec<String>,
) -> CmdResult<DListDetail> {
    let addr = list_address(&domain, &name)?;
    let kind = match kind.trim().to_ascii_lowercase().as_str() {
        "members" => RecipientKind::Members,
        "senders" => RecipientKind::Senders,
        other => return Err(CommandError::invalid(format!("\"{other}\" is not a kind of recipient: use \"members\" or \"senders\"."))),
    };
    let how = match action.trim().to_ascii_lowercase().as_str() {
        "add" => RecipientChange::Add,
        "remove" => RecipientChange::Remove,
        other => return Err(CommandError::invalid(format!("\"{other}\" is not a change of recipients: use \"add\" or \"remove\"."))),
    };
    state.ops()?.change_list_recipients(&addr, kind, how, &addresses, settle_wait(&state)).await?;
    list_detail(&state.client(), &addr.domain, &addr.local).await
}

/// Deletes a list (its members are not touched) and returns once it is gone. The page sends
/// back the list's address as the person typed it.
#[tauri::command]
pub async fn delete_dlist(state: tauri::State<'_, AppState>, domain: String, name: String, confirm_address: String) -> CmdResult<()> {
    let addr = list_address(&domain, &name)?;
    confirmed(&confirm_address, &addr.to_string(), &format!("the distribution list {addr}"))?;
    state.ops()?.delete_list(&addr, settle_wait(&state)).await?;
    Ok(())
}

/// Exports a domain's Exchange mailboxes, contacts or distribution lists (with their members,
/// one per row) to a CSV file the person chooses in the system's save dialog; `null` when the
/// dialog was cancelled. `what`: "mailboxes", "contacts" or "lists".
#[tauri::command]
pub async fn export_exchange<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: tauri::State<'_, AppState>, domain: String, what: String) -> CmdResult<Option<ExportResult>> {
    use rackdesk_core::exchange::export as ex;
    let domain = rackdesk_core::names::domain_name(&domain)?;
    if !["mailboxes", "contacts", "lists"].contains(&what.as_str()) {
        return Err(CommandError::invalid(format!("Rackdesk cannot export \"{what}\": choose mailboxes, contacts or lists.")));
    }
    let suggested = format!("exchange-{what}-{domain}-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    let Some(path) = crate::desktop::choose_save_path(&app, &suggested, "CSV", &["csv"]).await? else {
        return Ok(None);
    };
    let started = std::time::Instant::now();
    let c = state.client();
    let failed = |e: std::io::Error| {
        CommandError::new(rackdesk_core::ErrorKind::File, format!("Rackdesk could not write {}. Choose a folder you can write to.", path.display())).with_detail(e)
    };
    // Read everything first: a file is written only once the whole export is in hand.
    let n = match what.as_str() {
        "mailboxes" => {
            let rows = ex::collect_ex_mailboxes(&c, &domain).await?;
            let file = std::fs::File::create(&path).map_err(failed)?;
            ex::ex_mailboxes_csv(&domain, &rows, std::io::BufWriter::new(file)).map_err(failed)?
        }
        "contacts" => {
            let rows = ex::collect_contacts(&c, &domain).await?;
            let file = std::fs::File::create(&path).map_err(failed)?;
            ex::contacts_csv(&domain, &rows, std::io::BufWriter::new(file)).map_err(failed)?
        }
        _ => {
            let lists = ex::collect_lists(&c, &domain).await?;
            let file = std::fs::File::create(&path).map_err(failed)?;
            ex::lists_csv(&lists, std::io::BufWriter::new(file)).map_err(failed)?
        }
    };
    crate::desktop::notify_if_slow(&app, started, "Export finished", &format!("{n} rows of {domain} written to {}", path.display()));
    Ok(Some(ExportResult { path: path.display().to_string(), rows: n as u32 }))
}

/// The short name a new contact gets from its display name (the core's rule, the same one a
/// contact import uses for an empty `name`), for the form to propose as the person types.
#[tauri::command]
pub fn suggest_contact_name(display_name: String) -> String {
    rackdesk_core::bulk::validate::contact_name_from(&display_name)
}
