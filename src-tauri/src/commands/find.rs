//! The local index: "find a person" across every domain, lists read at once from the index,
//! and its background refresh. Thin over [`rackdesk_core::index`].

use super::aliases::AliasRow;
use super::exchange::{ContactRow, DListRow};
use super::mailboxes::MailboxRow;
use super::{CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::index::{Item, Kind, RefreshProgress};
use serde::Serialize;
use ts_rs::TS;

/// One object found.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FoundRow {
    /// "mailbox", "alias", "ex-mailbox", "contact" or "list".
    pub kind: String,
    /// In words: "Exchange mailbox".
    pub kind_label: String,
    pub domain: String,
    pub name: String,
    pub address: String,
    pub display_name: Option<String>,
    /// A contact's outside address, an alias's members.
    pub addresses: Vec<String>,
    pub enabled: Option<bool>,
}

/// How fresh the index is, and its refresh now.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct IndexInfo {
    #[ts(type = "number")]
    pub items: u64,
    /// When the last whole refresh finished (ISO 8601), or null: never.
    pub refreshed_at: Option<String>,
    /// A refresh is running now.
    pub refreshing: bool,
    /// Listings read and to read, objects read, what is being read.
    pub parts_done: u32,
    pub parts: u32,
    #[ts(type = "number")]
    pub read: u64,
    pub now: String,
    /// The last refresh failed: why, in words.
    pub problem: Option<CommandError>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FindAnswer {
    pub rows: Vec<FoundRow>,
    pub index: IndexInfo,
}

fn found(i: Item) -> FoundRow {
    FoundRow {
        kind: i.kind.as_str().into(),
        kind_label: i.kind.label().into(),
        address: i.address(),
        domain: i.domain,
        name: i.name,
        display_name: i.display_name,
        addresses: i.addresses,
        enabled: i.enabled,
    }
}

fn info(state: &AppState) -> CmdResult<IndexInfo> {
    let ix = state.index()?;
    let st = ix.status()?;
    let key = state.index_key();
    let running = state.index_refresh.lock().unwrap_or_else(|p| p.into_inner()).clone().filter(|(k, _)| *k == key).map(|(_, p)| p);
    let problem = LAST_PROBLEM.lock().unwrap_or_else(|p| p.into_inner()).clone().filter(|(k, _)| *k == key).map(|(_, e)| e);
    let p = running.clone().unwrap_or(RefreshProgress { parts_done: 0, parts: 0, items: 0, now: String::new() });
    Ok(IndexInfo {
        items: st.items,
        refreshed_at: st.refreshed_at.map(|t| t.to_rfc3339()),
        refreshing: running.is_some(),
        parts_done: p.parts_done,
        parts: p.parts,
        read: p.items,
        now: p.now,
        problem,
    })
}

static LAST_PROBLEM: std::sync::Mutex<Option<(String, CommandError)>> = std::sync::Mutex::new(None);

/// Starts the background refresh of the account in use, unless one is running.
fn start_refresh<R: tauri::Runtime>(state: &AppState, app: tauri::AppHandle<R>) -> CmdResult<()> {
    let key = state.index_key();
    {
        let mut r = state.index_refresh.lock().unwrap_or_else(|p| p.into_inner());
        if r.is_some() {
            return Ok(());
        }
        *r = Some((key.clone(), RefreshProgress { parts_done: 0, parts: 0, items: 0, now: "Starting…".into() }));
    }
    let ix = state.index()?;
    let client = state.client();
    tauri::async_runtime::spawn(async move {
        use tauri::Manager;
        let state = app.state::<AppState>();
        let progress = |p: &RefreshProgress| {
            *state.index_refresh.lock().unwrap_or_else(|x| x.into_inner()) = Some((key.clone(), p.clone()));
        };
        let r = ix.refresh(&client, &progress).await;
        *LAST_PROBLEM.lock().unwrap_or_else(|x| x.into_inner()) = r.err().map(|e| (key.clone(), CommandError::from(e)));
        *state.index_refresh.lock().unwrap_or_else(|x| x.into_inner()) = None;
    });
    Ok(())
}

/// Where the index of the account in use stands.
#[tauri::command]
pub async fn index_status(state: tauri::State<'_, AppState>) -> CmdResult<IndexInfo> {
    info(&state)
}

/// Reads every listing again in the background (pages of 250, after the person's own reads).
#[tauri::command]
pub fn refresh_index<R: tauri::Runtime>(state: tauri::State<'_, AppState>, app: tauri::AppHandle<R>) -> CmdResult<IndexInfo> {
    start_refresh(&state, app)?;
    info(&state)
}

/// "Find a person": every domain and kind, from the index. An index never filled is read
/// from Rackspace in the background first (the answer says so).
#[tauri::command]
pub async fn find_anywhere<R: tauri::Runtime>(state: tauri::State<'_, AppState>, app: tauri::AppHandle<R>, text: String, limit: u32) -> CmdResult<FindAnswer> {
    let ix = state.index()?;
    if ix.status()?.needs_refresh() {
        start_refresh(&state, app)?;
    }
    let rows = ix.find(&text, limit.clamp(1, 200) as usize)?.into_iter().map(found).collect();
    Ok(FindAnswer { rows, index: info(&state)? })
}

/// A domain's Rackspace Email ("rs") or Exchange ("ex") mailboxes from the index, at once
/// (the first `first` of them by name when given: the list's first screen before the rest);
/// null when the index has never been filled.
#[tauri::command]
pub async fn indexed_mailboxes(state: tauri::State<'_, AppState>, domain: String, service: String, first: Option<u32>) -> CmdResult<Option<Indexed<MailboxRow>>> {
    let kind = if service == "ex" { Kind::ExMailbox } else { Kind::Mailbox };
    indexed(&state, &domain, kind, first, |i| MailboxRow {
        address: i.address(),
        name: i.name,
        display_name: i.display_name.unwrap_or_default(),
        enabled: i.enabled.unwrap_or(true),
        size_mb: i.size_mb.unwrap_or(0),
        used_mb: i.used_mb.unwrap_or(0),
        last_login: i.last_login,
        created: None,
    })
}

/// Rows of a domain's list (mailboxes, aliases, contacts, distribution lists) from the index.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Indexed<T: TS> {
    pub rows: Vec<T>,
    /// How many the domain has in all (more than `rows` when only the first were asked for).
    pub total: u32,
    /// When the index was last refreshed (ISO 8601).
    pub as_of: String,
}

/// One kind of a domain's objects from the index (all, or the first `first` by name), or
/// `None` when it has never been filled.
fn indexed<T: TS>(state: &AppState, domain: &str, kind: Kind, first: Option<u32>, row: impl Fn(Item) -> T) -> CmdResult<Option<Indexed<T>>> {
    let ix = state.index()?;
    let Some(as_of) = ix.status()?.refreshed_at else { return Ok(None) };
    let items = match first {
        Some(n) => ix.list_first(domain, kind, n as usize)?,
        None => ix.list(domain, kind)?,
    };
    let total = match first {
        Some(_) => ix.count(domain, kind)?,
        None => items.len() as u64,
    };
    Ok(Some(Indexed { rows: items.into_iter().map(row).collect(), total: u32::try_from(total).unwrap_or(u32::MAX), as_of: as_of.to_rfc3339() }))
}

/// A domain's aliases from the index, at once (null: never filled).
#[tauri::command]
pub async fn indexed_aliases(state: tauri::State<'_, AppState>, domain: String) -> CmdResult<Option<Indexed<AliasRow>>> {
    indexed(&state, &domain, Kind::Alias, None, |i| AliasRow {
        address: i.address(),
        members: i.members.map_or(i.addresses.len() as u32, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        single_member: (i.addresses.len() == 1).then(|| i.addresses[0].clone()),
        name: i.name,
    })
}

/// A domain's Exchange contacts from the index, at once (null: never filled).
#[tauri::command]
pub async fn indexed_contacts(state: tauri::State<'_, AppState>, domain: String) -> CmdResult<Option<Indexed<ContactRow>>> {
    indexed(&state, &domain, Kind::Contact, None, |i| ContactRow {
        display_name: i.display_name.unwrap_or_default(),
        email: i.addresses.into_iter().next().unwrap_or_default(),
        name: i.name,
    })
}

/// A domain's distribution lists from the index, at once (null: never filled). Their state
/// (being changed, failed) is not kept in the index: `status` is empty.
#[tauri::command]
pub async fn indexed_dlists(state: tauri::State<'_, AppState>, domain: String) -> CmdResult<Option<Indexed<DListRow>>> {
    indexed(&state, &domain, Kind::List, None, |i| DListRow {
        address: i.address(),
        display_name: i.display_name.unwrap_or_default(),
        members: i.members.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        status: String::new(),
        name: i.name,
    })
}
