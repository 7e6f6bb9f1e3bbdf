//! Spam changes through the one gate ([`Ops`]): the role's allow-list, the journal's intent
//! before the request and its outcome after. Bad input is refused before anything is read,
//! journaled or sent; a refused role is journaled as refused before anything is read.
//!
//! Which permission a change needs ([`action_for_list`], [`action_for_settings`]): the help
//! desk may add and remove the safe senders of a mailbox; blocking, the IP lists, settings and
//! everything for a whole domain are for super admins.

use super::entry::{self, ListSide, SpamEntry, SpamList};
use super::settings::{diff, flat, SettingLine, SpamChanges, SpamSettings};
use super::{resolve, OwnerKind, SpamOwner, SpamTarget};
use crate::client::Client;
use crate::error::ApiError;
use crate::journal::Entry;
use crate::ops::{Ops, OpsError};
use crate::policy::Action;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The permission a change of `list` of an owner of `kind` needs.
pub fn action_for_list(kind: OwnerKind, list: SpamList) -> Action {
    match (kind, list) {
        (OwnerKind::Domain, _) => Action::SpamDomainLists,
        (_, SpamList::Safe) => Action::SpamSafeSenders,
        _ => Action::SpamMailboxLists,
    }
}

/// The permission a settings change of an owner of `kind` needs.
pub fn action_for_settings(kind: OwnerKind) -> Action {
    match kind {
        OwnerKind::Domain => Action::SpamDomainSettings,
        _ => Action::SpamMailboxSettings,
    }
}

/// A target's kind as far as permissions go, known before anything is read (a mailbox of
/// either service needs the same permissions).
fn kind_of(target: &SpamTarget) -> OwnerKind {
    if target.is_domain() {
        OwnerKind::Domain
    } else {
        OwnerKind::RsMailbox
    }
}

/// What a settings change did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsChange {
    pub owner: SpamOwner,
    pub before: SpamSettings,
    pub after: SpamSettings,
    /// False when the settings were already so: nothing was sent (or journaled).
    pub changed: bool,
    pub applied_to_all_mailboxes: bool,
    /// The settings now, in words.
    pub lines: Vec<SettingLine>,
}

/// What a list change did: what was added and removed, and what was already so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListChange {
    pub owner: SpamOwner,
    pub list: SpamList,
    pub added: Vec<SpamEntry>,
    pub removed: Vec<SpamEntry>,
    /// Asked to add, but already on the list.
    pub already_there: Vec<SpamEntry>,
    /// Asked to remove, but not on the list.
    pub not_there: Vec<SpamEntry>,
}

fn and_list(items: &[SpamEntry]) -> String {
    let v: Vec<&str> = items.iter().map(SpamEntry::as_str).collect();
    match v.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn owner_words(o: &SpamOwner) -> String {
    match o.kind {
        OwnerKind::Domain => format!("the domain {}", o.domain),
        _ => o.target(),
    }
}

impl ListChange {
    pub fn changed(&self) -> bool {
        !self.added.is_empty() || !self.removed.is_empty()
    }

    /// What happened, in sentences: "Added @partner.example to the safe senders of
    /// jane@example.com." and what was already so.
    pub fn sentences(&self) -> Vec<String> {
        let of = format!("the {} of {}", self.list.label(), owner_words(&self.owner));
        let mut out = Vec::new();
        if !self.added.is_empty() {
            out.push(format!("Added {} to {of}.", and_list(&self.added)));
        }
        if !self.removed.is_empty() {
            out.push(format!("Removed {} from {of}.", and_list(&self.removed)));
        }
        if !self.already_there.is_empty() {
            let be = if self.already_there.len() == 1 { "was" } else { "were" };
            out.push(format!("{} {be} already on {of}; nothing to add.", and_list(&self.already_there)));
        }
        if !self.not_there.is_empty() {
            let be = if self.not_there.len() == 1 { "was" } else { "were" };
            out.push(format!("{} {be} not on {of}; nothing to remove.", and_list(&self.not_there)));
        }
        out
    }
}

/// What a person asks with `allow`, `block`, `unallow`, `unblock`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SenderVerb {
    /// Add to the safe senders (an IP address to the allowed IP addresses).
    Allow,
    /// Add to the blocked senders (an IP address to the blocked IP addresses).
    Block,
    /// Take off the safe senders.
    Unallow,
    /// Take off the blocked senders.
    Unblock,
}

impl SenderVerb {
    pub fn side(self) -> ListSide {
        match self {
            SenderVerb::Allow | SenderVerb::Unallow => ListSide::Safe,
            SenderVerb::Block | SenderVerb::Unblock => ListSide::Block,
        }
    }

    pub fn adds(self) -> bool {
        matches!(self, SenderVerb::Allow | SenderVerb::Block)
    }
}

/// The entries of an `allow`/`block`/`unallow`/`unblock`, checked, each on the list its kind
/// belongs to (IP addresses on the IP list of the same side), with what Rackdesk made of
/// them ("example.com was read as @example.com").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SenderPlan {
    pub verb: SenderVerb,
    pub lists: BTreeMap<SpamList, Vec<SpamEntry>>,
    pub notes: Vec<String>,
}

/// Checks every entry; all the bad ones are named together. Entries to add are held to
/// [`SpamEntry::parse_new`] (no wildcard that matches a whole top-level domain).
pub fn sender_plan(verb: SenderVerb, raw: &[String]) -> Result<SenderPlan, ApiError> {
    let mut lists: BTreeMap<SpamList, Vec<SpamEntry>> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    let mut first: Option<ApiError> = None;
    let items: Vec<&str> = raw.iter().flat_map(|r| r.split(',')).map(str::trim).filter(|s| !s.is_empty()).collect();
    if items.is_empty() {
        return Err(ApiError::invalid("entry", "none was given; write an address, @domain or an IP address"));
    }
    for item in items {
        let parsed = if verb.adds() { SpamEntry::parse_new(item) } else { SpamEntry::parse(item) };
        match parsed {
            Ok(p) => {
                let list = SpamList::for_entry(verb.side(), p.entry.kind());
                let v = lists.entry(list).or_default();
                if !entry::contains(v, &p.entry) {
                    v.push(p.entry);
                }
                notes.extend(p.note);
            }
            Err(e) => {
                bad.push(match &e {
                    ApiError::InvalidInput { field, reason } => format!("{field}: {reason}"),
                    other => other.user_message(),
                });
                first.get_or_insert(e);
            }
        }
    }
    match (bad.len(), first) {
        (0, _) | (_, None) => Ok(SenderPlan { verb, lists, notes }),
        (1, Some(e)) => Err(e),
        (n, Some(_)) => Err(ApiError::invalid("list of entries", format!("{n} entries cannot be used — {}", bad.join("; ")))),
    }
}

/// What `allow`/`block`/`unallow`/`unblock` did, list by list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendersChange {
    pub owner: SpamOwner,
    pub changes: Vec<ListChange>,
    /// What Rackdesk made of the entries as typed.
    pub notes: Vec<String>,
}

impl SendersChange {
    pub fn sentences(&self) -> Vec<String> {
        let mut out: Vec<String> = self.notes.iter().map(|n| format!("Note: {n}.")).collect();
        out.extend(self.changes.iter().flat_map(ListChange::sentences));
        out
    }
}

impl Ops {
    /// Changes the spam settings of a domain or a mailbox: reads what is there, applies the
    /// person's changes, checks the result, and sends **every** setting (§13). Nothing is sent
    /// when the settings are already so (unless they are to be applied to every mailbox).
    pub async fn set_spam_settings(&self, target: &SpamTarget, ch: &SpamChanges) -> Result<SettingsChange, OpsError> {
        if target.is_domain() {
            ch.check_for(OwnerKind::Domain)?;
        } else if ch.is_empty() || ch.apply_to_all_mailboxes {
            ch.check_for(OwnerKind::RsMailbox)?;
        }
        let action = action_for_settings(kind_of(target));
        self.permit(&[action], action.name(), &target.to_string(), &json!({"requested": ch}))?;
        let owner = resolve(&self.session.client, target).await?;
        self.set_spam_settings_of(&owner, ch).await
    }

    /// [`Ops::set_spam_settings`] for an owner already found.
    pub async fn set_spam_settings_of(&self, owner: &SpamOwner, ch: &SpamChanges) -> Result<SettingsChange, OpsError> {
        ch.check_for(owner.kind)?;
        let action = action_for_settings(owner.kind);
        let target = owner.target();
        self.permit(&[action], action.name(), &target, &json!({"requested": ch}))?;
        let c = &self.session.client;
        let before = c.spam_settings(owner).await?;
        let after = ch.apply(&before)?;
        let all = ch.apply_to_all_mailboxes;
        let done = |changed: bool| SettingsChange {
            owner: owner.clone(),
            before: before.clone(),
            after: after.clone(),
            changed,
            applied_to_all_mailboxes: all && changed,
            lines: after.lines_for(&owner.services),
        };
        if after == before && !all {
            return Ok(done(false));
        }
        let mut changes = diff(&before, &after);
        changes.insert("owner".into(), json!(owner.kind));
        if all {
            changes.insert("applyToAllMailboxes".into(), json!(true));
        }
        self.journaled(action.name(), &target, Value::Object(changes), c.edit_spam_settings(owner, &after, all)).await?;
        Ok(done(true))
    }

    /// Adds and removes entries of one list of a domain or a mailbox. The list is read first:
    /// entries already so are left out (and reported), and nothing is sent when nothing is
    /// left. One entry goes as a single add or delete; several as one list edit.
    ///
    /// Entries are checked again here, whoever made them (an edge may build one from text
    /// it received): an entry to add as [`SpamEntry::parse_new`] takes it (normalised; no
    /// wildcard as wide as a top-level domain), one to remove as something that can be sent.
    pub async fn change_spam_list(&self, owner: &SpamOwner, list: SpamList, add: &[SpamEntry], remove: &[SpamEntry]) -> Result<ListChange, OpsError> {
        let add: Vec<SpamEntry> = add.iter().map(|e| SpamEntry::parse_new(e.as_str()).map(|p| p.entry)).collect::<Result<_, _>>()?;
        for e in remove {
            e.check_sendable()?;
        }
        let (add, remove) = (add.as_slice(), remove);
        for e in add.iter().chain(remove) {
            list.check(e)?;
        }
        if add.is_empty() && remove.is_empty() {
            return Err(ApiError::invalid("request", "no change was asked for").into());
        }
        if let Some(both) = add.iter().find(|e| entry::contains(remove, e)) {
            return Err(ApiError::invalid(format!("entry \"{both}\""), "it is both added and removed").into());
        }
        let action = action_for_list(owner.kind, list);
        let target = owner.target();
        let requested = json!({"owner": owner.kind, "list": list.api_name(), "added": add, "removed": remove});
        self.permit(&[action], action.name(), &target, &requested)?;
        let c = &self.session.client;
        let now = c.spam_list(owner, list).await?;
        let mut out = ListChange { owner: owner.clone(), list, added: vec![], removed: vec![], already_there: vec![], not_there: vec![] };
        for e in add {
            let bucket = if entry::contains(&now, e) { &mut out.already_there } else { &mut out.added };
            if !entry::contains(bucket, e) {
                bucket.push(e.clone());
            }
        }
        for e in remove {
            let bucket = if entry::contains(&now, e) { &mut out.removed } else { &mut out.not_there };
            if !entry::contains(bucket, e) {
                bucket.push(e.clone());
            }
        }
        if !out.changed() {
            return Ok(out);
        }
        let changes = json!({"owner": owner.kind, "list": list.api_name(), "added": out.added, "removed": out.removed});
        let call = async {
            match (out.added.as_slice(), out.removed.as_slice()) {
                ([one], []) => c.add_spam_entry(owner, list, one).await,
                ([], [one]) => c.remove_spam_entry(owner, list, one).await,
                (a, r) => c.edit_spam_list(owner, list, a, r).await,
            }
        };
        self.journaled(action.name(), &target, changes, call).await?;
        Ok(out)
    }

    /// `allow`, `block`, `unallow` or `unblock` entries for a domain or a mailbox: each entry
    /// checked (all the bad ones named together), put on the list its kind belongs to, every
    /// needed permission checked before anything is read, then one change per list.
    pub async fn spam_senders(&self, target: &SpamTarget, verb: SenderVerb, entries: &[String]) -> Result<SendersChange, OpsError> {
        let plan = sender_plan(verb, entries)?;
        let kind = kind_of(target);
        for (list, es) in &plan.lists {
            let action = action_for_list(kind, *list);
            let key = if verb.adds() { "added" } else { "removed" };
            self.permit(&[action], action.name(), &target.to_string(), &json!({"list": list.api_name(), key: es}))?;
        }
        let owner = resolve(&self.session.client, target).await?;
        let mut changes = Vec::new();
        for (list, es) in &plan.lists {
            let (add, remove): (&[SpamEntry], &[SpamEntry]) = if verb.adds() { (es, &[]) } else { (&[], es) };
            changes.push(self.change_spam_list(&owner, *list, add, remove).await?);
        }
        Ok(SendersChange { owner, changes, notes: plan.notes })
    }
}

/// The owner a spam journal entry is about (`owner` in its changes, the target's shape).
fn owner_of(e: &Entry) -> Option<SpamOwner> {
    let kind: OwnerKind = serde_json::from_value(e.changes.get("owner")?.clone()).ok()?;
    let (mailbox, domain) = match e.target.rsplit_once('@') {
        Some((m, d)) => (Some(m.to_owned()), d.to_owned()),
        None => (None, e.target.clone()),
    };
    Some(SpamOwner { kind, domain, mailbox, services: vec![] })
}

/// Settles a spam journal entry left open by a crash by reading the object back: a list
/// change by the list (every added entry there, every removed one gone), a settings change by
/// the settings (every new value in place). `None` when a read fails: left for a later start.
pub(crate) async fn reconcile_entry(c: &Client, e: &Entry) -> Option<String> {
    let owner = owner_of(e)?;
    let verdict = |applied: bool, what: &str| Some(if applied { format!("applied: {what} in place") } else { format!("not applied: {what} not in place") });
    if e.action.ends_with(".settings") {
        let now: serde_json::Map<String, Value> = flat(&c.spam_settings(&owner).await.ok()?).into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let all = e.changes.as_object()?.iter().filter(|(_, v)| v.get("new").is_some()).all(|(k, v)| now.get(k) == v.get("new"));
        return verdict(all, "the new settings are");
    }
    let list = SpamList::parse(e.changes.get("list")?.as_str()?)?;
    let now = c.spam_list(&owner, list).await.ok()?;
    let of = |k: &str| -> Vec<SpamEntry> { e.changes.get(k).and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(SpamEntry::from_server).collect()).unwrap_or_default() };
    let applied = of("added").iter().all(|x| entry::contains(&now, x)) && !of("removed").iter().any(|x| entry::contains(&now, x));
    verdict(applied, "the entries are")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_follow_the_owner_and_the_list() {
        assert_eq!(action_for_list(OwnerKind::RsMailbox, SpamList::Safe), Action::SpamSafeSenders);
        assert_eq!(action_for_list(OwnerKind::ExMailbox, SpamList::Safe), Action::SpamSafeSenders);
        assert_eq!(action_for_list(OwnerKind::ExMailbox, SpamList::IpSafe), Action::SpamMailboxLists);
        assert_eq!(action_for_list(OwnerKind::RsMailbox, SpamList::Block), Action::SpamMailboxLists);
        assert_eq!(action_for_list(OwnerKind::Domain, SpamList::Safe), Action::SpamDomainLists);
        assert_eq!(action_for_settings(OwnerKind::ExMailbox), Action::SpamMailboxSettings);
        assert_eq!(action_for_settings(OwnerKind::Domain), Action::SpamDomainSettings);
    }

    #[test]
    fn entries_go_to_the_list_their_kind_belongs_to() {
        let p = sender_plan(SenderVerb::Block, &["spam@bulk.example, 203.0.113.9".into(), "Bulk.example".into(), "spam@bulk.example".into()]).unwrap();
        assert_eq!(p.lists[&SpamList::Block].iter().map(SpamEntry::as_str).collect::<Vec<_>>(), ["spam@bulk.example", "@bulk.example"]);
        assert_eq!(p.lists[&SpamList::IpBlock][0].as_str(), "203.0.113.9");
        assert_eq!(p.notes, ["Bulk.example was read as @bulk.example: everyone at that domain"]);
        let e = sender_plan(SenderVerb::Allow, &["jane".into(), "@%.com".into(), "ok@x.example".into()]).unwrap_err().user_message();
        assert!(e.starts_with("The list of entries is not valid: 2 entries cannot be used — entry \"jane\": "), "{e}");
        assert!(e.contains("entry \"@%.com\": it would match every domain ending in .com"), "{e}");
        // Removing takes what could be on a list, wide or not.
        assert!(sender_plan(SenderVerb::Unallow, &["@%.com".into()]).is_ok());
        assert!(sender_plan(SenderVerb::Allow, &[" , ".into()]).is_err());
    }

    #[test]
    fn list_changes_read_as_sentences() {
        let owner = SpamOwner::domain("example.com", vec![]);
        let e = |s: &str| SpamEntry::from_server(s);
        let c = ListChange { owner, list: SpamList::Block, added: vec![e("@a.example"), e("b@c.example")], removed: vec![], already_there: vec![e("@d.example")], not_there: vec![] };
        assert_eq!(
            c.sentences(),
            [
                "Added @a.example and b@c.example to the blocked senders of the domain example.com.",
                "@d.example was already on the blocked senders of the domain example.com; nothing to add.",
            ]
        );
    }
}
