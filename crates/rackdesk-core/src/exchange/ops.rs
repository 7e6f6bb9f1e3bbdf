//! Exchange changes through the one gate ([`Ops`]): the role's allow-list, the journal's
//! intent before the request, the outcome after. Bad input is refused before anything is
//! journaled or sent. A distribution-list change is journaled as done only once it has
//! settled on the server ([`Client::settle_list`]).

use super::lists::{Expect, ListChanges, NewList, RecipientChange, RecipientKind, SettleWait};
use super::{ContactChanges, ContactFields, DistributionList, ExMailboxChanges, ExchangeLimits, NewContact, NewExMailbox, PermissionLevel};
use crate::client::Client;
use crate::error::ApiError;
use crate::journal::Entry;
use crate::names::{self, EmailAddress};
use crate::ops::{change, Ops, OpsError};
use crate::policy::Action;
use serde_json::{json, Map, Value};

fn contact_changes(changes: &mut Map<String, Value>, old: Option<&ContactFields>, new: &ContactFields) {
    let before = old.map(|o| serde_json::to_value(o).unwrap_or(Value::Null));
    for (field, value) in new.set_fields() {
        let o = before.as_ref().map(|b| b.get(field).cloned().unwrap_or(Value::Null));
        changes.insert(field.into(), change(o, json!(value)));
    }
}

/// Where a contact is recorded in the journal: `name@domain`, like every other target.
fn contact_target(domain: &str, name: &str) -> Result<(String, String, String), OpsError> {
    let d = names::domain_name(domain)?;
    let n = names::mailbox_name("contact name", name)?;
    Ok((format!("{n}@{d}"), n, d))
}

impl Ops {
    /// Creates an Exchange mailbox. The size must fit the domain's Exchange storage (read
    /// from the domain); a name already used by an Exchange mailbox is refused before sending.
    pub async fn create_ex_mailbox(&self, addr: &EmailAddress, new: &NewExMailbox) -> Result<(), OpsError> {
        new.to_form(&addr.local, &addr.domain, &ExchangeLimits::UNKNOWN)?;
        let target = addr.to_string();
        let mut changes = Map::new();
        changes.insert("size".into(), change(None, json!(new.size)));
        changes.insert("displayName".into(), change(None, json!(new.display_name.trim())));
        if let Some(f) = new.forward_to.as_deref().filter(|f| !f.trim().is_empty()) {
            changes.insert("forwarding".into(), change(None, json!(f.trim())));
        }
        if let Some(h) = new.is_hidden {
            changes.insert("hidden".into(), change(None, json!(h)));
        }
        contact_changes(&mut changes, None, &new.contact);
        changes.insert("password".into(), json!("changed"));
        let changes = Value::Object(changes);
        let name = "exchange.mailbox.create";
        self.permit(&[Action::ExCreateMailbox], name, &target, &changes)?;
        let c = &self.session.client;
        let limits = c.exchange_limits(&addr.domain).await?;
        new.to_form(&addr.local, &addr.domain, &limits)?;
        match c.ex_mailbox(&addr.domain, &addr.local).await {
            Ok(_) => return Err(OpsError::AlreadyExists { address: target, existing: None }),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
        let r = self.journaled(name, &target, changes, c.create_ex_mailbox(&addr.domain, &addr.local, new, &limits)).await;
        match r {
            Err(OpsError::Api(ApiError::Conflict(_))) => Err(OpsError::AlreadyExists { address: target, existing: None }),
            other => other,
        }
    }

    /// Changes an Exchange mailbox; each kind of change needs its own permission (enabling
    /// and passwords are help-desk work, the rest is for super admins). Reads the mailbox
    /// first so the journal has the old values.
    pub async fn edit_ex_mailbox(&self, addr: &EmailAddress, ch: &ExMailboxChanges) -> Result<(), OpsError> {
        ch.to_form(&addr.local, &addr.domain, &ExchangeLimits::UNKNOWN)?;
        let mut actions = Vec::new();
        if ch.enabled.is_some() {
            actions.push(Action::ExSetEnabled);
        }
        if ch.password.is_some() {
            actions.push(Action::ExResetPassword);
        }
        let other = ch.display_name.is_some()
            || ch.size.is_some()
            || ch.forward_to.is_some()
            || ch.save_forwarded_email.is_some()
            || ch.is_hidden.is_some()
            || !ch.contact.is_empty();
        if other {
            actions.push(Action::ExEditMailbox);
        }
        let name = match (actions.as_slice(), ch.enabled) {
            ([Action::ExSetEnabled], Some(true)) => "exchange.mailbox.enable",
            ([Action::ExSetEnabled], Some(false)) => "exchange.mailbox.disable",
            ([Action::ExResetPassword], _) => "exchange.mailbox.reset-password",
            _ => "exchange.mailbox.change",
        };
        let target = addr.to_string();
        let c = &self.session.client;
        let old = c.ex_mailbox(&addr.domain, &addr.local).await.ok();
        let mut changes = Map::new();
        if let Some(v) = &ch.display_name {
            changes.insert("displayName".into(), change(old.as_ref().map(|m| json!(m.display_name)), json!(v.trim())));
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
            changes.insert("forwarding".into(), change(old.as_ref().map(|m| json!(m.forwarding().unwrap_or(""))), json!(v.trim())));
        }
        if let Some(v) = ch.save_forwarded_email {
            changes.insert("keepCopy".into(), change(old.as_ref().map(|m| json!(m.save_forwarded_email)), json!(v)));
        }
        if let Some(v) = ch.is_hidden {
            changes.insert("hidden".into(), change(old.as_ref().map(|m| json!(m.is_hidden)), json!(v)));
        }
        contact_changes(&mut changes, old.as_ref().and_then(|m| m.contact_info.as_ref()), &ch.contact);
        let changes = Value::Object(changes);
        self.permit(&actions, name, &target, &changes)?;
        let limits = if ch.size.is_some() { c.exchange_limits(&addr.domain).await? } else { ExchangeLimits::UNKNOWN };
        ch.to_form(&addr.local, &addr.domain, &limits)?;
        self.journaled(name, &target, changes, c.edit_ex_mailbox(&addr.domain, &addr.local, ch, &limits)).await
    }

    /// Deletes an Exchange mailbox and its mail.
    pub async fn delete_ex_mailbox(&self, addr: &EmailAddress) -> Result<(), OpsError> {
        let target = addr.to_string();
        let name = "exchange.mailbox.delete";
        self.permit(&[Action::ExDeleteMailbox], name, &target, &json!({}))?;
        let c = &self.session.client;
        let changes = match c.ex_mailbox(&addr.domain, &addr.local).await {
            Ok(m) => json!({"deleted": {"displayName": m.display_name, "sizeMB": m.size, "usedMB": m.current_usage}}),
            Err(_) => json!({}),
        };
        self.journaled(name, &target, changes, c.delete_ex_mailbox(&addr.domain, &addr.local)).await
    }

    fn permission_changes(addr: &EmailAddress, delegate: &str, old: Option<String>, new: Option<PermissionLevel>) -> Result<Value, OpsError> {
        let who = super::permissions::delegate_name(&addr.domain, delegate)?;
        let mut m = Map::new();
        m.insert("delegate".into(), json!(format!("{who}@{}", addr.domain)));
        let new = new.map(|l| json!(l.as_str())).unwrap_or(Value::Null);
        m.insert("permission".into(), change(old.map(Value::from), new));
        Ok(Value::Object(m))
    }

    async fn current_permission(&self, addr: &EmailAddress, delegate: &str) -> Option<String> {
        let who = super::permissions::delegate_name(&addr.domain, delegate).ok()?;
        let list = self.session.client.ex_permissions(&addr.domain, &addr.local).await.ok()?;
        list.into_iter()
            .find(|p| p.delegate.eq_ignore_ascii_case(&who) || p.delegate.eq_ignore_ascii_case(&format!("{who}@{}", addr.domain)))
            .map(|p| p.permission)
    }

    /// Lets `delegate` (a mailbox of the same domain) use the mailbox `addr`.
    pub async fn grant_ex_permission(&self, addr: &EmailAddress, delegate: &str, level: PermissionLevel) -> Result<(), OpsError> {
        let changes = Self::permission_changes(addr, delegate, None, Some(level))?;
        let name = "exchange.permission.grant";
        self.permit(&[Action::ExPermissions], name, &addr.to_string(), &changes)?;
        let c = &self.session.client;
        self.journaled(name, &addr.to_string(), changes, c.grant_ex_permission(&addr.domain, &addr.local, delegate, level)).await
    }

    /// Changes what `delegate` may do with the mailbox `addr`.
    pub async fn change_ex_permission(&self, addr: &EmailAddress, delegate: &str, level: PermissionLevel) -> Result<(), OpsError> {
        Self::permission_changes(addr, delegate, None, Some(level))?;
        let old = self.current_permission(addr, delegate).await;
        let changes = Self::permission_changes(addr, delegate, old, Some(level))?;
        let name = "exchange.permission.change";
        self.permit(&[Action::ExPermissions], name, &addr.to_string(), &changes)?;
        let c = &self.session.client;
        self.journaled(name, &addr.to_string(), changes, c.change_ex_permission(&addr.domain, &addr.local, delegate, level)).await
    }

    /// Takes away whatever `delegate` may do with the mailbox `addr`.
    pub async fn revoke_ex_permission(&self, addr: &EmailAddress, delegate: &str) -> Result<(), OpsError> {
        Self::permission_changes(addr, delegate, None, None)?;
        let old = self.current_permission(addr, delegate).await;
        let changes = Self::permission_changes(addr, delegate, old, None)?;
        let name = "exchange.permission.revoke";
        self.permit(&[Action::ExPermissions], name, &addr.to_string(), &changes)?;
        let c = &self.session.client;
        self.journaled(name, &addr.to_string(), changes, c.revoke_ex_permission(&addr.domain, &addr.local, delegate)).await
    }

    /// Creates a contact (`name` is its short name in the domain).
    pub async fn create_contact(&self, domain: &str, name: &str, new: &NewContact) -> Result<(), OpsError> {
        new.to_form()?;
        let (target, n, d) = contact_target(domain, name)?;
        let mut changes = Map::new();
        changes.insert("displayName".into(), change(None, json!(new.display_name.trim())));
        changes.insert("externalEmail".into(), change(None, json!(new.external_email.trim())));
        if let Some(h) = new.is_hidden {
            changes.insert("hidden".into(), change(None, json!(h)));
        }
        contact_changes(&mut changes, None, &new.fields);
        let changes = Value::Object(changes);
        let action = "exchange.contact.create";
        self.permit(&[Action::ExEditContacts], action, &target, &changes)?;
        let c = &self.session.client;
        match c.contact(&d, &n).await {
            Ok(_) => return Err(OpsError::AlreadyExists { address: target, existing: None }),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
        let r = self.journaled(action, &target, changes, c.create_contact(&d, &n, new)).await;
        match r {
            Err(OpsError::Api(ApiError::Conflict(_))) => Err(OpsError::AlreadyExists { address: target, existing: None }),
            other => other,
        }
    }

    pub async fn edit_contact(&self, domain: &str, name: &str, ch: &ContactChanges) -> Result<(), OpsError> {
        ch.to_form()?;
        let (target, n, d) = contact_target(domain, name)?;
        let c = &self.session.client;
        let old = c.contact(&d, &n).await.ok();
        let mut changes = Map::new();
        if let Some(v) = &ch.display_name {
            changes.insert("displayName".into(), change(old.as_ref().map(|o| json!(o.display_name)), json!(v.trim())));
        }
        if let Some(v) = &ch.external_email {
            changes.insert("externalEmail".into(), change(old.as_ref().map(|o| json!(o.external_email)), json!(v.trim())));
        }
        if let Some(v) = ch.is_hidden {
            changes.insert("hidden".into(), change(old.as_ref().map(|o| json!(o.is_hidden)), json!(v)));
        }
        contact_changes(&mut changes, old.as_ref().map(|o| o.details()), &ch.fields);
        let changes = Value::Object(changes);
        let action = "exchange.contact.change";
        self.permit(&[Action::ExEditContacts], action, &target, &changes)?;
        self.journaled(action, &target, changes, c.edit_contact(&d, &n, ch)).await
    }

    pub async fn delete_contact(&self, domain: &str, name: &str) -> Result<(), OpsError> {
        let (target, n, d) = contact_target(domain, name)?;
        let action = "exchange.contact.delete";
        self.permit(&[Action::ExDeleteContact], action, &target, &json!({}))?;
        let c = &self.session.client;
        let changes = match c.contact(&d, &n).await {
            Ok(o) => json!({"deleted": {"displayName": o.display_name, "externalEmail": o.external_email}}),
            Err(_) => json!({}),
        };
        self.journaled(action, &target, changes, c.delete_contact(&d, &n)).await
    }

    /// Creates a distribution list and waits for it to settle (see [`Client::settle_list`]).
    pub async fn create_list(&self, addr: &EmailAddress, new: &NewList, wait: SettleWait) -> Result<DistributionList, OpsError> {
        new.to_json(&addr.local)?;
        let target = addr.to_string();
        let mut changes = Map::new();
        changes.insert("displayName".into(), change(None, json!(new.display_name.trim())));
        if let Some(d) = &new.description {
            changes.insert("description".into(), change(None, json!(d.trim())));
        }
        if let Some(h) = new.hidden {
            changes.insert("hidden".into(), change(None, json!(h)));
        }
        if !new.members.is_empty() {
            changes.insert("members".into(), json!({"added": new.members}));
        }
        if !new.senders.is_empty() {
            changes.insert("senders".into(), json!({"added": new.senders}));
        }
        let changes = Value::Object(changes);
        let action = "exchange.list.create";
        self.permit(&[Action::ExCreateList], action, &target, &changes)?;
        let c = &self.session.client;
        match c.list(&addr.domain, &addr.local).await {
            Ok(_) => return Err(OpsError::AlreadyExists { address: target, existing: None }),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
        let call = async {
            c.create_list(&addr.domain, &addr.local, new).await?;
            settled(c.settle_list(&addr.domain, &addr.local, &Expect::Present, None, wait).await)
        };
        match self.journaled(action, &target, changes, call).await {
            Err(OpsError::Api(ApiError::Conflict(_))) => Err(OpsError::AlreadyExists { address: target, existing: None }),
            other => other,
        }
    }

    /// Changes a list's display name, description or visibility, and waits for it to settle.
    pub async fn edit_list(&self, addr: &EmailAddress, ch: &ListChanges, wait: SettleWait) -> Result<DistributionList, OpsError> {
        ch.to_json()?;
        names::mailbox_name("list name", &addr.local)?;
        let target = addr.to_string();
        let c = &self.session.client;
        let old = c.list(&addr.domain, &addr.local).await.ok();
        let mut changes = Map::new();
        if let Some(v) = &ch.display_name {
            changes.insert("displayName".into(), change(old.as_ref().map(|l| json!(l.display_name)), json!(v.trim())));
        }
        if let Some(v) = &ch.description {
            changes.insert("description".into(), change(old.as_ref().map(|l| json!(l.description)), json!(v.trim())));
        }
        if let Some(v) = ch.hidden {
            changes.insert("hidden".into(), change(old.as_ref().map(|l| json!(l.is_hidden_from_address_list)), json!(v)));
        }
        let changes = Value::Object(changes);
        let action = "exchange.list.change";
        self.permit(&[Action::ExEditList], action, &target, &changes)?;
        let before = old.and_then(|l| l.error);
        let call = async {
            c.edit_list(&addr.domain, &addr.local, ch).await?;
            settled(c.settle_list(&addr.domain, &addr.local, &ch.expected(), before.as_ref(), wait).await)
        };
        self.journaled(action, &target, changes, call).await
    }

    /// Adds or removes members or allowed senders of a list, and waits for it to settle.
    pub async fn change_list_recipients(
        &self,
        addr: &EmailAddress,
        kind: RecipientKind,
        how: RecipientChange,
        addresses: &[String],
        wait: SettleWait,
    ) -> Result<DistributionList, OpsError> {
        let list = super::lists::recipients(kind.label(), addresses)?;
        names::mailbox_name("list name", &addr.local)?;
        let target = addr.to_string();
        let key = match how {
            RecipientChange::Add => "added",
            RecipientChange::Remove => "removed",
        };
        let (field, action) = match kind {
            RecipientKind::Members => ("members", "exchange.list.members"),
            RecipientKind::Senders => ("senders", "exchange.list.senders"),
        };
        let changes = json!({ field: { key: list } });
        self.permit(&[Action::ExListMembers], action, &target, &changes)?;
        let c = &self.session.client;
        let before = c.list(&addr.domain, &addr.local).await.ok().and_then(|l| l.error);
        let expect = Expect::Recipients { kind, change: how, addresses: list.clone() };
        let call = async {
            c.change_list_recipients(&addr.domain, &addr.local, kind, how, &list).await?;
            settled(c.settle_list(&addr.domain, &addr.local, &expect, before.as_ref(), wait).await)
        };
        self.journaled(action, &target, changes, call).await
    }

    /// Deletes a list (its members' mailboxes are not touched) and waits until it is gone.
    pub async fn delete_list(&self, addr: &EmailAddress, wait: SettleWait) -> Result<(), OpsError> {
        names::mailbox_name("list name", &addr.local)?;
        let target = addr.to_string();
        let action = "exchange.list.delete";
        self.permit(&[Action::ExDeleteList], action, &target, &json!({}))?;
        let c = &self.session.client;
        let old = c.list(&addr.domain, &addr.local).await.ok();
        let changes = match &old {
            Some(l) => json!({"deleted": {"displayName": l.display_name, "memberCount": l.member_count}}),
            None => json!({}),
        };
        let before = old.and_then(|l| l.error);
        let call = async {
            // A delete whose answer was lost may still have arrived: waiting for the list to go
            // tells; if it does not go, the outcome stays unknown (the first error).
            let lost = match c.delete_list(&addr.domain, &addr.local).await {
                Ok(()) => None,
                Err(e @ ApiError::Unconfirmed { .. }) => Some(e),
                Err(e) => return Err(e),
            };
            match (c.settle_list(&addr.domain, &addr.local, &Expect::Gone, before.as_ref(), wait).await, lost) {
                (Ok(_), _) => Ok(()),
                (Err(ApiError::NotSettled { .. }), Some(lost)) => Err(lost),
                (Err(e), _) => Err(e),
            }
        };
        self.journaled(action, &target, changes, call).await
    }
}

/// A settle that expected the list to be there has it.
fn settled(r: Result<Option<DistributionList>, ApiError>) -> Result<DistributionList, ApiError> {
    r.and_then(|l| l.ok_or_else(|| ApiError::NotSettled { waited: std::time::Duration::ZERO, last_status: Some("gone".into()) }))
}

/// Settles an Exchange journal entry left open by a crash, by reading the object back:
/// `Some(result)` when that decides it (or when nothing can: a password or field change is
/// recorded as not decided, to be checked by a person), `None` to leave it for a later start
/// because a read failed. Creates and deletes are decided by whether the object exists,
/// permissions by the mailbox's permission list, member and sender changes by the list's.
pub(crate) async fn reconcile_entry(c: &Client, e: &Entry) -> Option<String> {
    let addr = EmailAddress::parse(&e.target).ok()?;
    let action = e.action.strip_prefix("exchange.")?;
    let verdict = |applied: bool| Some(if applied { "applied" } else { "not applied" }.to_owned());
    match action {
        "permission.grant" | "permission.change" | "permission.revoke" => {
            let delegate = e.changes.get("delegate")?.as_str()?;
            let local = delegate.split('@').next()?.to_ascii_lowercase();
            let perms = c.ex_permissions(&addr.domain, &addr.local).await.ok()?;
            let found = perms.iter().find(|p| p.delegate.split('@').next().is_some_and(|d| d.eq_ignore_ascii_case(&local)));
            let want = e.changes.get("permission").and_then(|p| p.get("new")).and_then(|n| n.as_str());
            match (action, found) {
                ("permission.revoke", f) => verdict(f.is_none()),
                (_, Some(p)) => verdict(want.is_none_or(|w| p.permission.eq_ignore_ascii_case(w))),
                (_, None) => verdict(false),
            }
        }
        "list.members" | "list.senders" => {
            let (kind, field) = if action == "list.members" { (RecipientKind::Members, "members") } else { (RecipientKind::Senders, "senders") };
            let now = c.list_recipients(&addr.domain, &addr.local, kind).await.ok()?;
            let listed = |a: &str| now.iter().any(|n| n.eq_ignore_ascii_case(a) || n.eq_ignore_ascii_case(a.split('@').next().unwrap_or(a)));
            let of = |k: &str| -> Vec<String> {
                e.changes[field][k].as_array().map(|v| v.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
            };
            verdict(of("added").iter().all(|a| listed(a)) && !of("removed").iter().any(|a| listed(a)))
        }
        _ => {
            let Some((kind, verb)) = action.rsplit_once('.') else { return None };
            if verb != "create" && verb != "delete" {
                return Some("not decided: this change cannot be read back as a whole; check the object".into());
            }
            let exists = match kind {
                "mailbox" => c.ex_mailbox(&addr.domain, &addr.local).await.map(|_| ()),
                "contact" => c.contact(&addr.domain, &addr.local).await.map(|_| ()),
                "list" => c.list(&addr.domain, &addr.local).await.map(|_| ()),
                _ => return None,
            };
            let present = match exists {
                Ok(()) => true,
                Err(err) if err.is_not_found() => false,
                Err(_) => return None,
            };
            Some(match (verb, present) {
                ("create", true) => "applied: it exists",
                ("create", false) => "not applied: it does not exist",
                (_, true) => "not applied: it still exists",
                (_, false) => "applied: it is gone",
            }
            .into())
        }
    }
}
