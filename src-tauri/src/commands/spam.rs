//! Spam protection: a domain's *Spam protection* page and a mailbox's spam settings. Thin
//! over [`rackdesk_core::spam`]: the core reads, checks, explains and changes; these commands
//! shape its answers for the page.

use super::mailboxes::ExportResult;
use super::{CmdResult, CommandError};
use crate::state::AppState;
use rackdesk_core::policy::{self, Action};
use rackdesk_core::spam::{
    action_for_list, action_for_settings, explain, show_owner, Decider, FilterLevel, ListSide, OwnerKind, Sender, SpamChanges, SpamEntry, SpamHandling, SpamList,
    SpamOwner, SpamPicture, SpamTarget, SpamView,
};
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpamLineView {
    pub key: String,
    pub label: String,
    pub value: String,
    pub explanation: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpamEntryView {
    pub entry: String,
    /// "every address at partner.example", "the server 203.0.113.9".
    pub describe: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpamListView {
    /// "safe", "block", "ip-safe" or "ip-block".
    pub list: String,
    /// "safe senders", "blocked IP addresses".
    pub label: String,
    pub explanation: String,
    pub entries: Vec<SpamEntryView>,
    /// The person's role may change this list; else why not, in words.
    pub refusal: Option<String>,
}

/// One choice of a setting, with what it means.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpamChoice {
    pub value: String,
    pub label: String,
    pub explanation: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpamPageView {
    /// The domain or the mailbox address.
    pub target: String,
    /// "the domain example.com", "the Exchange mailbox jane@example.com".
    pub title: String,
    /// "domain", "rs-mailbox" or "ex-mailbox".
    pub owner_kind: String,
    pub lines: Vec<SpamLineView>,
    pub lists: Vec<SpamListView>,
    /// The filter level now and its choices.
    pub filter_level: String,
    pub filter_levels: Vec<SpamChoice>,
    /// Where spam goes (Rackspace Email: a domain or a Rackspace Email mailbox), and its choices.
    pub handling: Option<String>,
    pub handlings: Vec<SpamChoice>,
    pub forward_to: Option<String>,
    /// The person's role may change the settings; else why not.
    pub settings_refusal: Option<String>,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpamChangeAnswer {
    pub view: SpamPageView,
    /// What was done, in sentences.
    pub sentences: Vec<String>,
}

/// An entry as typed, as the core reads it.
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpamEntryCheck {
    pub entry: String,
    pub describe: String,
    /// "example.com was read as @example.com".
    pub note: Option<String>,
    /// The list it goes to for the side asked ("safe senders" or "allowed IP addresses", …).
    pub list: String,
    pub list_label: String,
}

#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SpamVerdictView {
    /// "blocked", "safe-listed", "not-checked", "not-accepted" or "content-checked".
    pub result: String,
    pub summary: String,
    /// What decided, in words.
    pub decided_by: String,
    pub spam_goes: Option<String>,
    pub notes: Vec<String>,
    pub suggestions: Vec<String>,
}

fn list_name(l: SpamList) -> &'static str {
    match l {
        SpamList::Safe => "safe",
        SpamList::Block => "block",
        SpamList::IpSafe => "ip-safe",
        SpamList::IpBlock => "ip-block",
    }
}

fn kind_name(k: OwnerKind) -> &'static str {
    match k {
        OwnerKind::Domain => "domain",
        OwnerKind::RsMailbox => "rs-mailbox",
        OwnerKind::ExMailbox => "ex-mailbox",
    }
}

fn level_word(f: FilterLevel) -> &'static str {
    match f {
        FilterLevel::On => "On",
        FilterLevel::Off => "Off",
        FilterLevel::Exclusive => "Exclusive",
    }
}

fn refusal(state: &AppState, a: Action) -> Option<String> {
    policy::check(state.actor().operator.role, a).err().map(|r| r.message())
}

fn page(state: &AppState, v: SpamView) -> SpamPageView {
    let kind = v.owner.kind;
    let lists = SpamList::ALL
        .into_iter()
        .map(|l| SpamListView {
            list: list_name(l).into(),
            label: l.label().into(),
            explanation: l.explain().into(),
            entries: v.lists.get(l).iter().map(|e| SpamEntryView { entry: e.as_str().into(), describe: e.describe() }).collect(),
            refusal: refusal(state, action_for_list(kind, l)),
        })
        .collect();
    let rs = v.settings.rs_email().cloned();
    let handlings = if rs.is_some() {
        SpamHandling::ALL.iter().map(|h| SpamChoice { value: h.api().into(), label: h.word().into(), explanation: h.explain().into() }).collect()
    } else {
        vec![]
    };
    SpamPageView {
        target: v.owner.target(),
        title: v.owner.describe(),
        owner_kind: kind_name(kind).into(),
        lines: v.lines.into_iter().map(|l| SpamLineView { key: l.key.into(), label: l.label.into(), value: l.value, explanation: l.explanation }).collect(),
        lists,
        filter_level: v.settings.filter_level().api().into(),
        filter_levels: FilterLevel::ALL.iter().map(|f| SpamChoice { value: f.api().into(), label: level_word(*f).into(), explanation: f.explain().into() }).collect(),
        handling: rs.as_ref().map(|r| r.handling.api().into()),
        handlings,
        forward_to: rs.and_then(|r| r.forward_to).filter(|a| !a.is_empty()),
        settings_refusal: refusal(state, action_for_settings(kind)),
    }
}

async fn owner_of(state: &AppState, target: &str) -> CmdResult<SpamOwner> {
    let t = SpamTarget::parse(target)?;
    Ok(rackdesk_core::spam::resolve(&state.client(), &t).await?)
}

/// The spam protection of a domain or a mailbox: settings in words, the four lists, and what
/// the person's role may change.
#[tauri::command]
pub async fn spam_view(state: tauri::State<'_, AppState>, target: String) -> CmdResult<SpamPageView> {
    let owner = owner_of(&state, &target).await?;
    let v = show_owner(&state.client(), owner).await?;
    Ok(page(&state, v))
}

/// Reads an entry as it is typed (no request): what it covers and which list it goes to for
/// `side` ("safe" or "block"); a clear error when it cannot be an entry.
#[tauri::command]
pub fn spam_check_entry(text: String, side: String) -> CmdResult<SpamEntryCheck> {
    let side = ListSide::parse(&side).ok_or_else(|| CommandError::invalid("Say safe or block."))?;
    let p = SpamEntry::parse_new(&text)?;
    let list = SpamList::for_entry(side, p.entry.kind());
    Ok(SpamEntryCheck { describe: p.entry.describe(), entry: p.entry.as_str().into(), note: p.note, list: list_name(list).into(), list_label: list.label().into() })
}

/// Adds entries to one list of a domain or mailbox and removes others, through the journal.
#[tauri::command]
pub async fn spam_change_list(state: tauri::State<'_, AppState>, target: String, list: String, add: Vec<String>, remove: Vec<String>) -> CmdResult<SpamChangeAnswer> {
    let list = SpamList::parse(&list).ok_or_else(|| CommandError::invalid("Say which list: safe, block, ip-safe or ip-block."))?;
    let parse = |v: &[String]| -> CmdResult<Vec<SpamEntry>> { v.iter().map(|e| Ok(SpamEntry::parse_new(e)?.entry)).collect() };
    let (add, remove) = (parse(&add)?, parse(&remove)?);
    let owner = owner_of(&state, &target).await?;
    let change = state.ops()?.change_spam_list(&owner, list, &add, &remove).await?;
    let sentences = change.sentences();
    let v = show_owner(&state.client(), owner).await?;
    Ok(SpamChangeAnswer { view: page(&state, v), sentences })
}

/// Changes the filter level and, for Rackspace Email, where spam goes. Every setting is sent
/// (the core reads the rest first).
#[tauri::command]
pub async fn spam_set(
    state: tauri::State<'_, AppState>,
    target: String,
    filter_level: String,
    handling: Option<String>,
    forward_to: Option<String>,
) -> CmdResult<SpamChangeAnswer> {
    let level = FilterLevel::parse(&filter_level).ok_or_else(|| CommandError::invalid("Choose on, off or exclusive."))?;
    let handling = match handling.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) => Some(SpamHandling::parse(h).ok_or_else(|| CommandError::invalid("Choose where spam goes."))?),
        None => None,
    };
    let ch = SpamChanges {
        filter_level: Some(level),
        handling,
        forward_to: forward_to.map(|f| f.trim().to_owned()).filter(|f| !f.is_empty() && handling == Some(SpamHandling::ToAddress)),
        ..SpamChanges::default()
    };
    let owner = owner_of(&state, &target).await?;
    let r = state.ops()?.set_spam_settings_of(&owner, &ch).await?;
    let sentences = if r.changed { vec![format!("Saved the spam settings of {}.", owner.describe())] } else { vec!["The settings were already so; nothing was sent.".into()] };
    let v = show_owner(&state.client(), owner).await?;
    Ok(SpamChangeAnswer { view: page(&state, v), sentences })
}

fn decider_words(d: &Decider) -> String {
    match d {
        Decider::List { owner, list, entry, .. } => format!("{} on the {} of {owner}", entry.as_str(), list.label()),
        Decider::FilterLevel { owner, level } => format!("the filter level of {owner} ({})", level.api()),
    }
}

/// "Why did this land in spam?": what the domain's and the mailbox's settings and lists do
/// with mail from `sender`, naming what decided.
#[tauri::command]
pub async fn spam_why(state: tauri::State<'_, AppState>, target: String, sender: String) -> CmdResult<SpamVerdictView> {
    let sender = Sender::parse(&sender)?;
    let owner = owner_of(&state, &target).await?;
    let picture = SpamPicture::read(&state.client(), owner).await?;
    let v = explain(&picture, &sender);
    let result = serde_json::to_value(v.result).ok().and_then(|r| r.as_str().map(str::to_owned)).unwrap_or_default();
    Ok(SpamVerdictView { result, decided_by: decider_words(&v.decided_by), summary: v.summary, spam_goes: v.spam_goes, notes: v.notes, suggestions: v.suggestions })
}

/// Every list of a domain and of its mailboxes to a CSV file (the columns of a `spam-list`
/// bulk job), where the person chooses.
#[tauri::command]
pub async fn export_spam<R: tauri::Runtime>(app: tauri::AppHandle<R>, state: tauri::State<'_, AppState>, domain: String) -> CmdResult<Option<ExportResult>> {
    let domain = rackdesk_core::names::domain_name(&domain)?;
    let suggested = format!("spam-lists-{domain}-{}.csv", chrono::Utc::now().format("%Y-%m-%d"));
    let Some(path) = crate::desktop::choose_save_path(&app, &suggested, "CSV", &["csv"]).await? else {
        return Ok(None);
    };
    let owners = rackdesk_core::spam::export::collect(&state.client(), &domain, &|_, _| {}).await?;
    let failed = |e: std::io::Error| {
        CommandError::new(rackdesk_core::ErrorKind::File, format!("Rackdesk could not write {}. Choose a folder you can write to.", path.display())).with_detail(e)
    };
    let file = std::fs::File::create(&path).map_err(failed)?;
    let n = rackdesk_core::spam::export::spam_csv(&owners, std::io::BufWriter::new(file)).map_err(failed)?;
    Ok(Some(ExportResult { path: path.display().to_string(), rows: n as u32 }))
}
