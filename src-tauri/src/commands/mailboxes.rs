//! Mailbox commands.

use super::{CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::api::{MailboxChanges, MailboxQuery, NewMailbox, Vacation};
use rackdesk_core::models::{parse_service_date, Mailbox, MailboxSummary};
use rackdesk_core::names::EmailAddress;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One row of the mailbox list.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailboxRow {
    pub name: String,
    pub address: String,
    pub display_name: String,
    pub enabled: bool,
    #[ts(type = "number")]
    pub size_mb: u64,
    #[ts(type = "number")]
    pub used_mb: u64,
    /// ISO 8601 (UTC), or null when the mailbox was never used.
    pub last_login: Option<String>,
    pub created: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailboxPage {
    pub offset: u32,
    pub total: u32,
    pub rows: Vec<MailboxRow>,
    /// The offset of the next page, or `null` when the list is complete: decided by the
    /// core's bounded pager (a server that loops or overruns its total ends in `bad-paging`).
    pub next: Option<u32>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailboxDetail {
    pub row: MailboxRow,
    pub forwarding: Vec<String>,
    pub keep_copy: bool,
    pub auto_reply_enabled: bool,
    pub auto_reply_message: String,
    /// Addresses of the aliases that deliver to this mailbox.
    pub aliases: Vec<String>,
}

/// A new mailbox as the page sends it (not `Debug`-derived: it may hold a password).
#[derive(Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NewMailboxInput {
    pub domain: String,
    pub name: String,
    pub display_name: Option<String>,
    #[ts(type = "number | null")]
    pub size_mb: Option<u64>,
    /// `null`: generate one and show it once.
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AutoReply {
    pub enabled: bool,
    pub message: String,
}

#[derive(Debug, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MailboxUpdate {
    pub display_name: Option<String>,
    #[ts(type = "number | null")]
    pub size_mb: Option<u64>,
    /// An empty list stops forwarding.
    pub forward_to: Option<Vec<String>>,
    pub keep_copy: Option<bool>,
    pub auto_reply: Option<AutoReply>,
}

impl std::fmt::Debug for NewMailboxInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMailboxInput").field("domain", &self.domain).field("name", &self.name).field("size_mb", &self.size_mb).finish_non_exhaustive()
    }
}

/// A password shown once, never kept (never in `Debug` output either).
#[derive(Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PasswordResult {
    pub address: String,
    pub password: String,
}

impl std::fmt::Debug for PasswordResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordResult").field("address", &self.address).finish_non_exhaustive()
    }
}

fn iso(s: Option<&str>) -> Option<String> {
    s.and_then(parse_service_date).map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn row(domain: &str, m: &MailboxSummary) -> MailboxRow {
    MailboxRow {
        name: m.name.clone(),
        address: format!("{}@{domain}", m.name),
        display_name: m.display_name.clone().unwrap_or_default(),
        enabled: m.enabled.unwrap_or(true),
        size_mb: m.size.unwrap_or(0),
        used_mb: m.current_usage.unwrap_or(0),
        last_login: iso(m.last_login.as_deref()),
        created: iso(m.created_date.as_deref()),
    }
}

fn address(domain: &str, name: &str) -> CmdResult<EmailAddress> {
    Ok(EmailAddress::parse(&format!("{name}@{domain}"))?)
}

/// One page of a domain's mailboxes (the page walks the pages with `next`, showing
/// progress, and stops when it is closed). `first_total` and `page_number` (from 1) are what
/// the earlier pages of this walk said, for the pager's checks.
#[tauri::command]
pub async fn mailbox_page(
    state: tauri::State<'_, AppState>,
    domain: String,
    offset: u32,
    size: u32,
    first_total: Option<u32>,
    page_number: u32,
) -> CmdResult<MailboxPage> {
    let q = MailboxQuery { offset, size, ..MailboxQuery::default() };
    let p = state.client().mailboxes_page(&domain, &q).await?;
    let next = rackdesk_core::api::next_offset(&rackdesk_core::api::PageStep {
        asked_offset: offset,
        page_size: size,
        echoed_offset: p.offset,
        items: p.items.len(),
        total: p.total,
        first_total: first_total.unwrap_or(p.total),
        pages: page_number.max(1),
    })?;
    Ok(MailboxPage { offset: p.offset, total: p.total, rows: p.items.iter().map(|m| row(&domain, m)).collect(), next })
}

async fn detail(state: &AppState, domain: &str, name: &str) -> CmdResult<MailboxDetail> {
    let c = state.client();
    let m: Mailbox = c.mailbox(domain, name).await?;
    let addr = format!("{}@{domain}", m.name);
    let aliases = rackdesk_core::rules::aliases_delivering_to(&state.alias_book.members(&c, domain).await?, &addr);
    let summary = MailboxSummary {
        name: m.name.clone(),
        display_name: m.display_name.clone(),
        size: Some(m.size),
        current_usage: m.current_usage,
        enabled: Some(m.enabled),
        created_date: m.created_date.clone(),
        last_login: m.last_login.clone(),
    };
    Ok(MailboxDetail {
        row: row(domain, &summary),
        forwarding: m.email_forwarding_address_list.clone(),
        keep_copy: m.save_forwarded_email,
        auto_reply_enabled: m.enable_vacation_message,
        auto_reply_message: m.vacation_message.clone().unwrap_or_default(),
        aliases,
    })
}

/// Everything about one mailbox, with the aliases that deliver to it.
#[tauri::command]
pub async fn mailbox_detail(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<MailboxDetail> {
    detail(&state, &domain, &name).await
}

/// Creates a mailbox; answers the generated password (once) when none was given.
#[tauri::command]
pub async fn create_mailbox(state: tauri::State<'_, AppState>, input: NewMailboxInput) -> CmdResult<Option<PasswordResult>> {
    let addr = address(&input.domain, &input.name)?;
    let generated = input.password.is_none();
    let password = match input.password {
        Some(p) => SecretString::from(p),
        None => rackdesk_core::password::generate(Some(&addr.local), Some(&addr.domain)),
    };
    let mut new = NewMailbox::new(password.clone(), input.size_mb.unwrap_or(1));
    new.display_name = input.display_name.filter(|d| !d.trim().is_empty());
    new.to_form(&addr.local, &addr.domain)?; // every value checked before any call
    let ops = state.ops()?;
    new.size = rackdesk_core::rules::new_mailbox_size(&ops.session.client, &addr.domain, input.size_mb).await?;
    ops.create_mailbox(&addr, &new).await?;
    Ok(generated.then(|| PasswordResult { address: addr.to_string(), password: password.expose_secret().to_owned() }))
}

#[tauri::command]
pub async fn update_mailbox(state: tauri::State<'_, AppState>, domain: String, name: String, update: MailboxUpdate) -> CmdResult<MailboxDetail> {
    let addr = address(&domain, &name)?;
    let changes = MailboxChanges {
        display_name: update.display_name,
        size: update.size_mb,
        forward_to: update.forward_to,
        save_forwarded_email: update.keep_copy,
        vacation: update.auto_reply.map(|a| Vacation { enabled: a.enabled, message: a.message }),
        ..Default::default()
    };
    state.ops()?.edit_mailbox(&addr, &changes).await?;
    detail(&state, &addr.domain, &addr.local).await
}

#[tauri::command]
pub async fn set_mailbox_enabled(state: tauri::State<'_, AppState>, domain: String, name: String, enabled: bool) -> CmdResult<MailboxDetail> {
    let addr = address(&domain, &name)?;
    let changes = MailboxChanges { enabled: Some(enabled), ..Default::default() };
    state.ops()?.edit_mailbox(&addr, &changes).await?;
    detail(&state, &addr.domain, &addr.local).await
}

/// Sets a new generated password and answers it, to be shown once.
#[tauri::command]
pub async fn reset_mailbox_password(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<PasswordResult> {
    let addr = address(&domain, &name)?;
    let password = rackdesk_core::password::generate(Some(&addr.local), Some(&addr.domain));
    let changes = MailboxChanges { password: Some(password.clone()), ..Default::default() };
    state.ops()?.edit_mailbox(&addr, &changes).await?;
    Ok(PasswordResult { address: addr.to_string(), password: password.expose_secret().to_owned() })
}

/// What deleting a mailbox does to the aliases of its domain.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeleteImpact {
    /// Addresses of the aliases that deliver to the mailbox.
    pub aliases: Vec<String>,
    /// Those that would be left with no address, and so are deleted too.
    pub emptied: Vec<String>,
}

/// The aliases a deletion would change (the core's rule), for the confirmation. Read from the
/// alias book (at most a minute old) to spare the read budget; the deletion itself reads the
/// aliases afresh before changing anything.
#[tauri::command]
pub async fn mailbox_delete_impact(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<DeleteImpact> {
    let addr = address(&domain, &name)?;
    let aliases = state.alias_book.members(&state.client(), &addr.domain).await?;
    let i = rackdesk_core::addresses::DeleteImpact::of(&aliases, &addr.to_string());
    Ok(DeleteImpact { aliases: i.aliases, emptied: i.emptied })
}

/// Deletes a mailbox. The page must send back the address the person typed to confirm. When
/// aliases deliver to it, `remove_from_aliases` must be true (it is then taken out of them,
/// and an alias left empty is deleted); otherwise it is refused with `aliases-deliver-here`.
#[tauri::command]
pub async fn delete_mailbox(
    state: tauri::State<'_, AppState>,
    domain: String,
    name: String,
    confirm_address: String,
    remove_from_aliases: bool,
) -> CmdResult<()> {
    let addr = address(&domain, &name)?;
    if !confirm_address.trim().eq_ignore_ascii_case(&addr.to_string()) {
        return Err(CommandError::invalid(format!("To delete {addr}, type its address exactly to confirm.")));
    }
    let deleted = state.ops()?.delete_mailbox(&addr, remove_from_aliases).await;
    state.alias_book.forget(&addr.domain);
    deleted?;
    Ok(())
}

/// An address to look at again (a domain that looks misspelt).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AddressWarning {
    pub address: String,
    /// One plain sentence.
    pub message: String,
    /// The address with the domain it probably meant.
    pub suggestion: Option<String>,
}

/// Warnings for alias members or forwarding addresses whose domain looks like a misspelling
/// of one of the account's domains (the account's domain list is kept for a few minutes).
#[tauri::command]
pub async fn check_addresses(state: tauri::State<'_, AppState>, addresses: Vec<String>) -> CmdResult<Vec<AddressWarning>> {
    let domains = state.domains.get(&state.client()).await?;
    Ok(rackdesk_core::addresses::address_warnings(&addresses, &domains)
        .into_iter()
        .map(|w| AddressWarning { address: w.address, message: w.message, suggestion: w.suggestion })
        .collect())
}

/// Why a new mailbox or alias name cannot be used.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NameCheck {
    pub message: String,
    /// `"mailbox"` or `"alias"` when the name is taken.
    #[ts(type = "\"mailbox\" | \"alias\" | null")]
    pub existing: Option<String>,
}

/// For a new mailbox or alias: the name's problem (the core's name rules first, then whether a
/// mailbox or alias has it), or `null` when it is free.
#[tauri::command]
pub async fn check_new_address(state: tauri::State<'_, AppState>, domain: String, name: String) -> CmdResult<Option<NameCheck>> {
    let c = rackdesk_core::addresses::check_new_address(&state.client(), &domain, &name).await?;
    Ok(c.map(|c| NameCheck { message: c.message, existing: c.existing.map(|x| x.as_str().to_owned()) }))
}

/// Where an export went.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ExportResult {
    pub path: String,
    pub rows: u32,
}

/// Writes the export file (the command below asks where, with the system's save dialog).
pub fn write_mailbox_export(path: &std::path::Path, domain: &str, rows: &[MailboxSummary]) -> CmdResult<usize> {
    let failed = |e: std::io::Error| {
        CommandError::new(rackdesk_core::ErrorKind::File, format!("Rackdesk could not write {}. Choose a folder you can write to.", path.display())).with_detail(e)
    };
    let file = std::fs::File::create(path).map_err(failed)?;
    rackdesk_core::export::mailboxes_csv(domain, rows, std::io::BufWriter::new(file)).map_err(failed)
}

/// Exports every mailbox of a domain to a CSV file the person chooses in the system's save
/// dialog. `null` when the dialog was cancelled. The page never names a path itself.
#[tauri::command]
pub async fn export_mailboxes<R: tauri::Runtime>(
    app: tauri::AppHandle<R>,
    state: tauri::State<'_, AppState>,
    domain: String,
) -> CmdResult<Option<ExportResult>> {
    let domain = rackdesk_core::names::domain_name(&domain)?;
    let name = format!("mailboxes-{domain}-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    let Some(path) = crate::desktop::choose_save_path(&app, &name, "CSV", &["csv"]).await? else {
        return Ok(None);
    };
    let started = std::time::Instant::now();
    let rows = state.client().mailboxes(&domain, MailboxQuery::default()).await?;
    let n = write_mailbox_export(&path, &domain, &rows)?;
    crate::desktop::notify_if_slow(&app, started, "Export finished", &format!("{n} mailboxes of {domain} written to {}", path.display()));
    Ok(Some(ExportResult { path: path.display().to_string(), rows: n as u32 }))
}
