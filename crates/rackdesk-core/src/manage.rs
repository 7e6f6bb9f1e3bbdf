//! Identity and role changes as use cases: add, verify, rotate, remove and switch identities,
//! set the super-admin passphrase, switch role, set the operator. Each passes the same gate
//! as a mailbox change ([`crate::ops`]): the role's allow-list first (a refusal is journaled),
//! then the journal's intent — written before any state is changed — then the change, then
//! its outcome. The app and the CLI both call these, so both journal the same actor.
//!
//! Who is recorded: the operator, and the identity the change is about (its name, account
//! and API admin), marked as sandbox when its API address is on this computer. Changes that
//! concern this computer rather than an account (role, passphrase, operator) are recorded
//! against "this computer".

use crate::identity::{Actor, Identities, Identity, IdentityError, NewIdentity, Operator, Role};
use crate::journal::{EntryId, Intent, Journal, Outcome};
use crate::policy::{self, Action};
use crate::verify::Verified;
use crate::{ClientConfig, Credentials};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde_json::{json, Value};

/// The identity target of a change, as the journal records it.
struct Subject {
    actor: Actor,
    sandbox: bool,
    target: String,
}

/// Identity and role changes for the person at this computer, journaled.
pub struct Manage<'a> {
    pub ids: &'a Identities,
    pub journal: &'a Journal,
}

fn old_new(old: impl Into<Value>, new: impl Into<Value>) -> Value {
    json!({"old": old.into(), "new": new.into()})
}

impl<'a> Manage<'a> {
    pub fn new(ids: &'a Identities, journal: &'a Journal) -> Self {
        Manage { ids, journal }
    }

    fn operator(&self) -> Result<Operator, IdentityError> {
        self.ids.operator()
    }

    fn about_identity(&self, label: &str, account: &str, api_admin: Option<&str>, api_url: &str) -> Result<Subject, IdentityError> {
        Ok(Subject {
            actor: Actor { operator: self.operator()?, identity_label: label.to_owned(), account: account.to_owned(), api_admin: api_admin.map(str::to_owned) },
            sandbox: crate::hosts::is_loopback_url(api_url),
            target: label.to_owned(),
        })
    }

    fn about(&self, ident: &Identity) -> Result<Subject, IdentityError> {
        self.about_identity(&ident.label, &ident.account, ident.api_admin.as_deref(), &ident.api_url)
    }

    fn about_this_computer(&self) -> Result<Subject, IdentityError> {
        let operator = self.operator()?;
        let target = operator.name.clone();
        Ok(Subject {
            actor: Actor { operator, identity_label: "this computer".into(), account: String::new(), api_admin: None },
            sandbox: false,
            target,
        })
    }

    fn intent(s: &Subject, action: &str, changes: Value) -> Intent {
        Intent { changes, ..Intent::for_actor(&s.actor, s.sandbox, action, &s.target) }
    }

    /// The allow-list: a refusal is journaled, then returned.
    fn permit(&self, s: &Subject, action: Action, name: &str, changes: &Value) -> Result<(), IdentityError> {
        if let Err(r) = policy::check(s.actor.operator.role, action) {
            self.journal.refused(&Self::intent(s, name, changes.clone()), &r.message())?;
            return Err(r.into());
        }
        Ok(())
    }

    fn begin(&self, s: &Subject, name: &str, changes: Value) -> Result<EntryId, IdentityError> {
        Ok(self.journal.begin(&Self::intent(s, name, changes))?)
    }

    /// Records how it ended: success, refused (a wrong passphrase), or failed.
    fn finish<T>(&self, id: EntryId, result: &Result<T, IdentityError>) {
        let outcome = match result {
            Ok(_) => Outcome::Success,
            Err(e @ (IdentityError::Passphrase(_) | IdentityError::NotAllowed(_))) => Outcome::Refused { reason: e.user_message() },
            Err(e) => Outcome::Failed { kind: e.kind().as_str().into(), message: e.user_message(), server_message: e.detail() },
        };
        if let Err(e) = self.journal.finish(id, &outcome) {
            tracing::warn!("journal outcome of entry {id} not written: {e}");
        }
    }

    /// Whether the role may add, rotate or remove keys, asked before the person types any
    /// (a refusal is journaled as `action` on the identity `label`).
    pub fn may_manage_keys(&self, action: &str, label: &str) -> Result<(), IdentityError> {
        let s = match self.ids.find(Some(label)) {
            Ok(ident) => self.about(&ident)?,
            Err(_) => self.about_identity(label.trim(), "", None, "")?,
        };
        self.permit(&s, Action::ManageKeys, action, &json!({}))
    }

    /// Checks the keys with a real signed call, stores them in the vault, and the identity in
    /// the settings. Super admins only.
    pub async fn add(&self, new: NewIdentity, base: &ClientConfig) -> Result<(Identity, Verified), IdentityError> {
        let s = self.about_identity(new.label.trim(), new.account.trim(), new.api_admin.as_deref(), &new.api_url)?;
        let changes = json!({
            "account": {"new": new.account.trim()},
            "apiAddress": {"new": crate::hosts::normalize_root(&new.api_url)},
            "apiAdmin": {"new": new.api_admin},
            "testServer": {"new": new.test_server},
            "keys": "stored",
        });
        self.permit(&s, Action::ManageKeys, "keys.add", &changes)?;
        let id = self.begin(&s, "keys.add", changes)?;
        let r = self.ids.add(new, base).await;
        self.finish(id, &r);
        r
    }

    /// Checks the stored keys again with a real signed call.
    pub async fn verify(&self, label: Option<&str>, base: &ClientConfig) -> Result<(Identity, Verified), IdentityError> {
        let ident = self.ids.find(label)?;
        let s = self.about(&ident)?;
        self.permit(&s, Action::View, "keys.verify", &json!({}))?;
        let id = self.begin(&s, "keys.verify", json!({}))?;
        let r = self.ids.verify(Some(&ident.id), base).await;
        self.finish(id, &r);
        r
    }

    /// Replaces an identity's keys; the new pair is checked before it replaces the old one.
    pub async fn rotate(&self, label: Option<&str>, new: Credentials, base: &ClientConfig) -> Result<(Identity, Verified), IdentityError> {
        self.may_manage_keys("keys.rotate", label.unwrap_or("active identity"))?;
        let ident = self.ids.find(label)?;
        let s = self.about(&ident)?;
        let changes = json!({"userKey": old_new(ident.user_key_hint.clone(), crate::client::mask(new.user_key())), "keys": "replaced"});
        let id = self.begin(&s, "keys.rotate", changes)?;
        let r = self.ids.rotate(Some(&ident.id), new, base).await;
        self.finish(id, &r);
        r
    }

    /// Deletes an identity's keys from the vault and forgets it. `confirm` must be its name,
    /// as the person typed it.
    pub fn remove(&self, label: &str, confirm: &str) -> Result<Identity, IdentityError> {
        self.may_manage_keys("keys.remove", label)?;
        let ident = self.ids.find(Some(label))?;
        let s = self.about(&ident)?;
        let changes = json!({"keys": "deleted"});
        if !confirm.trim().eq_ignore_ascii_case(ident.label.trim()) {
            return Err(IdentityError::Invalid {
                field: "confirmation".into(),
                reason: format!("to remove \"{}\", type its name exactly", ident.label),
            });
        }
        let id = self.begin(&s, "keys.remove", changes)?;
        let r = self.ids.remove(&ident.id);
        self.finish(id, &r);
        r
    }

    /// Makes an identity the active one (Rackdesk acts through it from now on).
    pub fn use_identity(&self, label: &str) -> Result<Identity, IdentityError> {
        let ident = self.ids.find(Some(label))?;
        let before = self.ids.find(None).ok().map(|i| i.label);
        let s = self.about(&ident)?;
        let changes = json!({"active": old_new(before, ident.label.clone())});
        self.permit(&s, Action::View, "identity.use", &changes)?;
        let id = self.begin(&s, "identity.use", changes)?;
        let r = self.ids.use_identity(&ident.id);
        self.finish(id, &r);
        r
    }

    /// Sets or replaces the super-admin passphrase (super admins only; replacing needs the
    /// current one).
    pub fn set_passphrase(&self, new: &SecretString, current: Option<&SecretString>) -> Result<(), IdentityError> {
        let s = self.about_this_computer()?;
        let changes = json!({"passphrase": "changed"});
        self.permit(&s, Action::SetPassphrase, "passphrase.set", &changes)?;
        let id = self.begin(&s, "passphrase.set", changes)?;
        let r = self.ids.set_passphrase(new, current);
        self.finish(id, &r);
        r
    }

    /// Switches role: to help desk always, to super admin with the passphrase. The journal
    /// entry is written before the settings change; a wrong passphrase is recorded as refused.
    pub fn switch_role(&self, to: Role, passphrase: Option<&SecretString>, now: DateTime<Utc>) -> Result<Operator, IdentityError> {
        let s = self.about_this_computer()?;
        let from = s.actor.operator.role;
        let id = self.begin(&s, "role.switch", json!({"role": old_new(from.label(), to.label())}))?;
        let r = self.ids.switch_role(to, passphrase, now);
        self.finish(id, &r);
        r
    }

    /// Sets the operator's name and role (lowering the role needs nothing; raising it goes
    /// through [`Manage::switch_role`]).
    pub fn set_operator(&self, name: &str, role: Role) -> Result<Operator, IdentityError> {
        let s = self.about_this_computer()?;
        let changes = json!({"operator": old_new(s.actor.operator.name.clone(), name.trim()), "role": old_new(s.actor.operator.role.label(), role.label())});
        let id = self.begin(&s, "operator.set", changes)?;
        let r = self.ids.set_operator(name, role);
        self.finish(id, &r);
        r
    }

    /// Sets the full name shown for the operator (an empty one goes back to the OS account's),
    /// journaled against this computer.
    pub fn set_operator_name(&self, full_name: &str) -> Result<Operator, IdentityError> {
        let s = self.about_this_computer()?;
        let old = s.actor.operator.full_name.clone();
        let new = full_name.trim();
        let changes = json!({"fullName": old_new(old, (!new.is_empty()).then(|| new.to_owned()))});
        let id = self.begin(&s, "operator.full-name", changes)?;
        let r = self.ids.set_full_name(full_name);
        self.finish(id, &r);
        r
    }
}
