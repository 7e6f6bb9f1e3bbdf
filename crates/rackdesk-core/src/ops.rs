//! Every change made for a person goes through here, in this order: the role's allow-list
//! ([`crate::policy`]), the journal's intent entry, the API call, the journal's outcome entry.
//! If the journal cannot be written, nothing is changed: Rackdesk does not make changes it
//! cannot record. Reads do not go through here (only the client).

use crate::addresses::{AddressWarning, DeleteImpact, Existing};
use crate::api::{MailboxChanges, NewMailbox};
use crate::error::ApiError;
use crate::identity::{Role, Session};
use crate::journal::{EntryId, Intent, Journal, JournalError, Outcome};
use crate::names::EmailAddress;
use crate::policy::{self, Action, Refusal};
use serde_json::{json, Map, Value};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Api(#[from] ApiError),
    /// A mailbox or alias of that name exists already (`existing`: which, when known).
    #[error("{address} already exists")]
    AlreadyExists { address: String, existing: Option<Existing> },
    /// Aliases deliver to the mailbox to delete, and the person did not ask to take it out of them.
    #[error("aliases deliver to {address}")]
    AliasesDeliverHere { address: String, impact: DeleteImpact },
    /// Addresses whose domain looks like a misspelling of one of the account's domains.
    #[error("possibly misspelt domains")]
    DomainTypo { warnings: Vec<AddressWarning> },
}

impl OpsError {
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            OpsError::Refused(_) => crate::ErrorKind::NotAllowed,
            OpsError::Journal(e) => e.kind(),
            OpsError::Api(e) => e.kind(),
            OpsError::AlreadyExists { .. } => crate::ErrorKind::AlreadyExists,
            OpsError::AliasesDeliverHere { .. } => crate::ErrorKind::AliasesDeliverHere,
            OpsError::DomainTypo { .. } => crate::ErrorKind::DomainTypo,
        }
    }
    pub fn user_message(&self) -> String {
        match self {
            OpsError::Refused(r) => r.message(),
            OpsError::Journal(e) => format!("{} Nothing was changed: Rackdesk makes no change it cannot record.", e.user_message()),
            OpsError::Api(e) => e.user_message(),
            OpsError::AlreadyExists { address, existing } => format!("{} Nothing was changed.", crate::addresses::taken_sentence(address, *existing)),
            OpsError::AliasesDeliverHere { address, impact } => format!(
                "{address} was not deleted: {} {} still deliver{} to it. Delete it again choosing to take it out of {} \
                 ({}), or change {} first.",
                if impact.aliases.len() == 1 { "the alias" } else { "the aliases" },
                impact.aliases.join(", "),
                if impact.aliases.len() == 1 { "s" } else { "" },
                if impact.aliases.len() == 1 { "that alias" } else { "those aliases" },
                if impact.emptied.is_empty() {
                    "each keeps its other addresses".to_string()
                } else {
                    format!("{} would be left with no address and would be deleted", impact.emptied.join(", "))
                },
                if impact.aliases.len() == 1 { "it" } else { "them" },
            ),
            OpsError::DomainTypo { warnings } => {
                let lines: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
                format!("Nothing was changed: {} Correct the address, or confirm that it is meant.", lines.join(" "))
            }
        }
    }
    pub fn detail(&self) -> Option<String> {
        match self {
            OpsError::Refused(_) | OpsError::AlreadyExists { .. } | OpsError::AliasesDeliverHere { .. } | OpsError::DomainTypo { .. } => None,
            OpsError::Journal(e) => e.detail(),
            OpsError::Api(e) => e.detail(),
        }
    }
}

/// Changes for a person, journaled and checked against their role.
#[derive(Clone)]
pub struct Ops {
    pub session: Session,
    pub journal: Arc<Journal>,
    /// Changes to the built-in sandbox are journaled too, marked as such.
    pub sandbox: bool,
    /// Groups the entries of one bulk job.
    pub correlation_id: Option<String>,
    /// The account's local index, told of each change that succeeds.
    pub index: Option<Arc<crate::index::Index>>,
}

/// The one rule for how a request's result is journaled (see [`Outcome::from_api_error`]:
/// a change whose answer was lost is "unknown", never "failed").
fn outcome_of<T>(r: &Result<T, ApiError>) -> Outcome {
    match r {
        Ok(_) => Outcome::Success,
        Err(e) => Outcome::from_api_error(e),
    }
}

pub(crate) fn change(old: Option<Value>, new: Value) -> Value {
    match old {
        Some(o) => json!({"old": o, "new": new}),
        None => json!({"new": new}),
    }
}

impl Ops {
    pub fn new(session: Session, journal: Arc<Journal>, sandbox: bool) -> Ops {
        Ops { session, journal, sandbox, correlation_id: None, index: None }
    }

    pub fn role(&self) -> Role {
        self.session.actor.operator.role
    }

    fn intent(&self, action: &str, target: &str, changes: Value) -> Intent {
        intent_for(&self.session.actor, self.sandbox, self.correlation_id.clone(), action, target, changes)
    }

    /// Refuses (and journals the refusal) unless the role may do every one of `actions`.
    pub(crate) fn permit(&self, actions: &[Action], name: &str, target: &str, changes: &Value) -> Result<(), OpsError> {
        for a in actions {
            if let Err(r) = policy::check(self.role(), *a) {
                self.journal.refused(&self.intent(name, target, changes.clone()), &r.message())?;
                return Err(r.into());
            }
        }
        Ok(())
    }

    /// Intent, call, outcome. A failure to write the outcome leaves the entry open; it is
    /// settled on the next start by reading the object back ([`Ops::reconcile`]).
    pub(crate) async fn journaled<T>(&self, name: &str, target: &str, changes: Value, call: impl std::future::Future<Output = Result<T, ApiError>>) -> Result<T, OpsError> {
        let noted = self.index.as_ref().map(|_| changes.clone());
        let id: EntryId = self.journal.begin(&self.intent(name, target, changes))?;
        let result = call.await;
        if let Err(e) = self.journal.finish(id, &outcome_of(&result)) {
            tracing::warn!("journal outcome of entry {id} not written: {e}");
        }
        if let (Ok(_), Some(ix), Some(changes)) = (&result, &self.index, noted) {
            ix.note_change(name, target, &changes);
        }
        Ok(result?)
    }

    pub async fn create_mailbox(&self, addr: &EmailAddress, new: &NewMailbox) -> Result<(), OpsError> {
        new.to_form(&addr.local, &addr.domain)?; // refuse bad input before journaling anything
        let changes = Self::create_changes(new);
        let target = addr.to_string();
        self.permit(&[Action::CreateMailbox], Action::CreateMailbox.name(), &target, &changes)?;
        self.refuse_taken(addr).await?;
        self.create_mailbox_planned(addr, new, changes).await
    }

    /// Refuses, before anything is journaled or sent, a name a mailbox or alias already has.
    async fn refuse_taken(&self, addr: &EmailAddress) -> Result<(), OpsError> {
        match crate::addresses::existing(&self.session.client, addr).await? {
            Some(x) => Err(OpsError::AlreadyExists { address: addr.to_string(), existing: Some(x) }),
            None => Ok(()),
        }
    }

    /// The server's own "already in use" refusal (409) as [`OpsError::AlreadyExists`],
    /// saying which holds the name when that can be read.
    async fn taken_by_server<T>(&self, addr: &EmailAddress, r: Result<T, OpsError>) -> Result<T, OpsError> {
        match r {
            Err(OpsError::Api(ApiError::Conflict(_))) => {
                let existing = crate::addresses::existing(&self.session.client, addr).await.ok().flatten();
                Err(OpsError::AlreadyExists { address: addr.to_string(), existing })
            }
            other => other,
        }
    }

    /// Creates a mailbox whose name a bulk plan already found free (no second check).
    pub(crate) async fn create_mailbox_planned(&self, addr: &EmailAddress, new: &NewMailbox, changes: Value) -> Result<(), OpsError> {
        new.to_form(&addr.local, &addr.domain)?;
        let target = addr.to_string();
        self.permit(&[Action::CreateMailbox], Action::CreateMailbox.name(), &target, &changes)?;
        let r = self.journaled(Action::CreateMailbox.name(), &target, changes, self.session.client.create_mailbox(&addr.domain, &addr.local, new)).await;
        self.taken_by_server(addr, r).await
    }

    /// The journal's record of a new mailbox (never the password).
    pub(crate) fn create_changes(new: &NewMailbox) -> Value {
        let mut changes = Map::new();
        changes.insert("size".into(), change(None, json!(new.size)));
        if let Some(d) = &new.display_name {
            changes.insert("displayName".into(), change(None, json!(d)));
        }
        if !new.forward_to.is_empty() {
            changes.insert("forwarding".into(), change(None, json!(new.forward_to)));
        }
        changes.insert("password".into(), json!("changed"));
        Value::Object(changes)
    }

    /// Changes a mailbox; every kind of change needs its own permission. Reads the mailbox
    /// first so the journal has the old values.
    pub async fn edit_mailbox(&self, addr: &EmailAddress, ch: &MailboxChanges) -> Result<(), OpsError> {
        ch.to_form(&addr.local, &addr.domain)?;
        let mut actions = Vec::new();
        if ch.display_name.is_some() {
            actions.push(Action::EditDisplayName);
        }
        if ch.enabled.is_some() {
            actions.push(Action::SetEnabled);
        }
        if ch.password.is_some() {
            actions.push(Action::ResetPassword);
        }
        if ch.size.is_some() {
            actions.push(Action::EditSize);
        }
        if ch.forward_to.is_some() || ch.save_forwarded_email.is_some() {
            actions.push(Action::EditForwarding);
        }
        if ch.vacation.is_some() {
            actions.push(Action::EditAutoReply);
        }
        let name = match (actions.as_slice(), ch.enabled) {
            ([Action::SetEnabled], Some(true)) => "mailbox.enable",
            ([Action::SetEnabled], Some(false)) => "mailbox.disable",
            ([one], _) => one.name(),
            _ => "mailbox.change",
        };
        let target = addr.to_string();
        let old = self.session.client.mailbox(&addr.domain, &addr.local).await.ok();
        let mut changes = Map::new();
        if let Some(v) = &ch.display_name {
            changes.insert("displayName".into(), change(old.as_ref().map(|m| json!(m.display_name)), json!(v)));
        }
        if let Some(v) = ch.enabled {
            changes.insert("enabled".into(), change(old.as_ref().map(|m| json!(m.enabled)), json!(v)));
        }
        if ch.password.is_some() {
            changes.insert("password".into(), json!("changed"));
        }
        if let Some(v) = ch.size {
            changes.insert("size".into(), change(old.as_ref().map(|m| json!(m.size)), json!(v)));
        }
        if let Some(v) = &ch.forward_to {
            changes.insert("forwarding".into(), change(old.as_ref().map(|m| json!(m.email_forwarding_address_list)), json!(v)));
        }
        if let Some(v) = ch.save_forwarded_email {
            changes.insert("keepCopy".into(), change(old.as_ref().map(|m| json!(m.save_forwarded_email)), json!(v)));
        }
        if let Some(v) = &ch.vacation {
            let before = old.as_ref().map(|m| json!({"enabled": m.enable_vacation_message, "message": m.vacation_message}));
            changes.insert("autoReply".into(), change(before, json!({"enabled": v.enabled, "message": v.message})));
        }
        let changes = Value::Object(changes);
        self.permit(&actions, name, &target, &changes)?;
        self.journaled(name, &target, changes, self.session.client.edit_mailbox(&addr.domain, &addr.local, ch)).await
    }

    /// Deletes a mailbox. Aliases that deliver to it are refused ([`OpsError::AliasesDeliverHere`])
    /// unless `remove_from_aliases`: then it is first taken out of each (journaled as a member
    /// change), an alias it would leave empty is deleted, and then the mailbox; nothing is left
    /// pointing at a mailbox that no longer exists. Answers what was done to the aliases.
    pub async fn delete_mailbox(&self, addr: &EmailAddress, remove_from_aliases: bool) -> Result<DeleteImpact, OpsError> {
        let target = addr.to_string();
        self.permit(&[Action::DeleteMailbox], Action::DeleteMailbox.name(), &target, &json!({}))?;
        let aliases = crate::rules::alias_members(&self.session.client, &addr.domain).await?;
        let impact = DeleteImpact::of(&aliases, &target);
        if !impact.aliases.is_empty() {
            if !remove_from_aliases {
                return Err(OpsError::AliasesDeliverHere { address: target, impact });
            }
            let mut needed = vec![Action::EditAliasMembers];
            if !impact.emptied.is_empty() {
                needed.push(Action::DeleteAlias);
            }
            self.permit(&needed, Action::DeleteMailbox.name(), &target, &json!({"aliases": impact.aliases}))?;
            for (alias, members) in aliases.iter().filter(|(a, _)| impact.aliases.contains(a)) {
                let a = EmailAddress::parse(alias)?;
                if impact.emptied.contains(alias) {
                    self.delete_alias(&a).await?;
                } else {
                    self.set_alias_members(&a, &DeleteImpact::members_left(members, &target)).await?;
                }
            }
        }
        self.delete_mailbox_only(addr).await?;
        Ok(impact)
    }

    /// Deletes the mailbox itself (a bulk row whose aliases were taken care of in its earlier steps).
    pub(crate) async fn delete_mailbox_only(&self, addr: &EmailAddress) -> Result<(), OpsError> {
        let target = addr.to_string();
        self.permit(&[Action::DeleteMailbox], Action::DeleteMailbox.name(), &target, &json!({}))?;
        // Record what was lost.
        let changes = match self.session.client.mailbox(&addr.domain, &addr.local).await {
            Ok(m) => json!({"deleted": {"displayName": m.display_name, "sizeMB": m.size, "usedMB": m.current_usage}}),
            Err(_) => json!({}),
        };
        self.journaled(Action::DeleteMailbox.name(), &target, changes, self.session.client.delete_mailbox(&addr.domain, &addr.local)).await
    }

    /// Creates an alias; a name a mailbox or alias already has is refused before anything is sent.
    pub async fn create_alias(&self, addr: &EmailAddress, members: &[String]) -> Result<(), OpsError> {
        crate::api::alias_members(&addr.domain, members)?;
        let target = addr.to_string();
        let changes = json!({"members": change(None, json!(members))});
        self.permit(&[Action::CreateAlias], Action::CreateAlias.name(), &target, &changes)?;
        self.refuse_taken(addr).await?;
        self.create_alias_planned(addr, members).await
    }

    /// Creates an alias whose name a bulk step already found free (no second check).
    pub(crate) async fn create_alias_planned(&self, addr: &EmailAddress, members: &[String]) -> Result<(), OpsError> {
        crate::api::alias_members(&addr.domain, members)?;
        let target = addr.to_string();
        let changes = json!({"members": change(None, json!(members))});
        self.permit(&[Action::CreateAlias], Action::CreateAlias.name(), &target, &changes)?;
        let r = self.journaled(Action::CreateAlias.name(), &target, changes, self.session.client.create_alias(&addr.domain, &addr.local, members)).await;
        self.taken_by_server(addr, r).await
    }

    pub async fn set_alias_members(&self, addr: &EmailAddress, members: &[String]) -> Result<(), OpsError> {
        crate::api::alias_members(&addr.domain, members)?;
        let target = addr.to_string();
        let old = self.session.client.alias(&addr.domain, &addr.local).await.ok().map(|a| json!(a.members));
        let changes = json!({"members": change(old, json!(members))});
        self.permit(&[Action::EditAliasMembers], Action::EditAliasMembers.name(), &target, &changes)?;
        self.journaled(Action::EditAliasMembers.name(), &target, changes, self.session.client.set_alias_members(&addr.domain, &addr.local, members))
            .await
    }

    pub async fn delete_alias(&self, addr: &EmailAddress) -> Result<(), OpsError> {
        let target = addr.to_string();
        self.permit(&[Action::DeleteAlias], Action::DeleteAlias.name(), &target, &json!({}))?;
        let changes = match self.session.client.alias(&addr.domain, &addr.local).await {
            Ok(a) => json!({"deleted": {"members": a.members}}),
            Err(_) => json!({}),
        };
        self.journaled(Action::DeleteAlias.name(), &target, changes, self.session.client.delete_alias(&addr.domain, &addr.local)).await
    }

    pub async fn create_admin(&self, login: &str, new: &crate::api::NewAdmin) -> Result<(), OpsError> {
        let changes = json!({"type": change(None, json!(new.admin_type)), "email": change(None, json!(new.email)), "password": "changed"});
        self.permit(&[Action::ChangeAdmins], "admin.create", login, &changes)?;
        self.journaled("admin.create", login, changes, self.session.client.create_admin(login, new)).await
    }

    /// Settles entries left open by a crash between request and outcome (or whose outcome was
    /// unknown), for this account: reads each object back and records what is found. Entries
    /// younger than two minutes are left alone: another running Rackdesk may still be waiting
    /// for their answer. Returns (entry, result) pairs.
    pub async fn reconcile(&self) -> Result<Vec<(EntryId, String)>, OpsError> {
        self.reconcile_before(chrono::Utc::now() - chrono::Duration::minutes(2)).await
    }

    /// [`Ops::reconcile`] for entries begun before `cutoff`.
    pub async fn reconcile_before(&self, cutoff: chrono::DateTime<chrono::Utc>) -> Result<Vec<(EntryId, String)>, OpsError> {
        let mut settled = Vec::new();
        for e in self.journal.unsettled(cutoff)? {
            if e.account != self.session.actor.account || e.identity_label != self.session.actor.identity_label {
                continue;
            }
            // Spam changes are settled by reading the list or the settings back (crate::spam).
            if e.action.starts_with("spam.") {
                if let Some(result) = crate::spam::reconcile_entry(&self.session.client, &e).await {
                    self.journal.finish(e.id, &Outcome::Reconciled { result: result.clone() })?;
                    settled.push((e.id, result));
                }
                continue;
            }
            // Exchange changes are settled by their own reading back (crate::exchange).
            if e.action.starts_with("exchange.") {
                if let Some(result) = crate::exchange::reconcile_entry(&self.session.client, &e).await {
                    self.journal.finish(e.id, &Outcome::Reconciled { result: result.clone() })?;
                    settled.push((e.id, result));
                }
                continue;
            }
            let Ok(addr) = EmailAddress::parse(&e.target) else { continue };
            let c = &self.session.client;
            let (is_alias, exists) = if e.action.starts_with("alias.") {
                (true, c.alias(&addr.domain, &addr.local).await.map(Some))
            } else {
                (false, c.mailbox(&addr.domain, &addr.local).await.map(|_| None))
            };
            let present = match &exists {
                Ok(_) => true,
                Err(err) if err.is_not_found() => false,
                Err(_) => continue, // cannot tell now; try on a later start
            };
            let result = match e.action.as_str() {
                "mailbox.create" | "alias.create" => if present { "applied: it exists" } else { "not applied: it does not exist" },
                "mailbox.delete" | "alias.delete" => if present { "not applied: it still exists" } else { "applied: it is gone" },
                "alias.members" if is_alias => {
                    let want: Vec<String> = e.changes["members"]["new"].as_array().map(|v| v.iter().filter_map(|x| x.as_str().map(str::to_lowercase)).collect()).unwrap_or_default();
                    match exists {
                        Ok(Some(a)) if a.members.iter().map(|m| m.to_lowercase()).collect::<Vec<_>>() == want => "applied: the members match",
                        _ => "not applied: the members differ",
                    }
                }
                _ if e.changes.get("password").is_some() => {
                    self.journal.finish(e.id, &Outcome::Unknown { note: "a password change cannot be read back".into() })?;
                    settled.push((e.id, "unknown: a password change cannot be read back".into()));
                    continue;
                }
                _ => match c.mailbox(&addr.domain, &addr.local).await {
                    Ok(m) => {
                        let now = json!({"displayName": m.display_name, "enabled": m.enabled, "size": m.size, "forwarding": m.email_forwarding_address_list});
                        let all_match = e.changes.as_object().map(|o| o.iter().all(|(k, v)| v.get("new").is_none_or(|n| now.get(k).is_none_or(|cur| cur == n)))).unwrap_or(false);
                        if all_match { "applied: the new values are in place" } else { "not applied: the old values are in place" }
                    }
                    Err(_) => continue,
                },
            };
            self.journal.finish(e.id, &Outcome::Reconciled { result: result.into() })?;
            settled.push((e.id, result.to_owned()));
        }
        Ok(settled)
    }
}

/// The journal's record of who acts, through which identity, doing what.
pub fn intent_for(a: &crate::identity::Actor, sandbox: bool, correlation_id: Option<String>, action: &str, target: &str, changes: Value) -> Intent {
    Intent { changes, correlation_id, ..Intent::for_actor(a, sandbox, action, target) }
}

/// Journals a role switch (successful or refused) for the operator on this computer.
pub fn journal_role_switch(journal: &Journal, actor: &crate::identity::Actor, sandbox: bool, from: Role, to: Role, refused: Option<&str>) -> Result<(), JournalError> {
    let intent = intent_for(actor, sandbox, None, "role.switch", &actor.operator.name, json!({"role": change(Some(json!(from.label())), json!(to.label()))}));
    match refused {
        Some(reason) => journal.refused(&intent, reason).map(|_| ()),
        None => {
            let id = journal.begin(&intent)?;
            journal.finish(id, &Outcome::Success)
        }
    }
}

crate::error::explain_by_methods!(OpsError);
