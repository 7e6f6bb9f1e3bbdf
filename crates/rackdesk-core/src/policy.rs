//! What each role may do: one allow-list, enforced in the core, so the app, the CLI and bulk
//! jobs all obey it. The app also shows it (About → Roles) and greys out what is not allowed.
//!
//! Honest limits: the Rackspace API has only super-admin keys, so this is a guard rail on
//! this computer, not a security boundary against someone who controls the OS account.

use crate::identity::Role;
use serde::Serialize;

/// Everything Rackdesk can do that a role may or may not be allowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    View,
    CreateMailbox,
    EditDisplayName,
    EditForwarding,
    EditAutoReply,
    EditSize,
    SetEnabled,
    ResetPassword,
    DeleteMailbox,
    CreateAlias,
    EditAliasMembers,
    DeleteAlias,
    ChangeDomain,
    ChangeAdmins,
    ManageKeys,
    SetPassphrase,
    BulkChange,
    Export,
    ViewJournal,
    ExCreateMailbox,
    ExEditMailbox,
    ExSetEnabled,
    ExResetPassword,
    ExDeleteMailbox,
    ExPermissions,
    ExEditContacts,
    ExDeleteContact,
    ExCreateList,
    ExEditList,
    ExListMembers,
    ExDeleteList,
    SpamSafeSenders,
    SpamMailboxLists,
    SpamMailboxSettings,
    SpamDomainLists,
    SpamDomainSettings,
    /// Connect this computer to the team journal, set a team database up, leave team mode,
    /// decide what the help desk sees of the team journal.
    ManageTeamJournal,
    /// See and export the team journal (every computer's entries). Help desk only when a
    /// super admin allows it ([`team_view_allowed`]).
    ViewTeamJournal,
}

impl Action {
    pub const ALL: [Action; 38] = [
        Action::View,
        Action::CreateMailbox,
        Action::EditDisplayName,
        Action::EditForwarding,
        Action::EditAutoReply,
        Action::EditSize,
        Action::SetEnabled,
        Action::ResetPassword,
        Action::DeleteMailbox,
        Action::CreateAlias,
        Action::EditAliasMembers,
        Action::DeleteAlias,
        Action::ChangeDomain,
        Action::ChangeAdmins,
        Action::ManageKeys,
        Action::SetPassphrase,
        Action::BulkChange,
        Action::Export,
        Action::ViewJournal,
        Action::ExCreateMailbox,
        Action::ExEditMailbox,
        Action::ExSetEnabled,
        Action::ExResetPassword,
        Action::ExDeleteMailbox,
        Action::ExPermissions,
        Action::ExEditContacts,
        Action::ExDeleteContact,
        Action::ExCreateList,
        Action::ExEditList,
        Action::ExListMembers,
        Action::ExDeleteList,
        Action::SpamSafeSenders,
        Action::SpamMailboxLists,
        Action::SpamMailboxSettings,
        Action::SpamDomainLists,
        Action::SpamDomainSettings,
        Action::ManageTeamJournal,
        Action::ViewTeamJournal,
    ];

    /// The name recorded in the journal.
    pub fn name(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::CreateMailbox => "mailbox.create",
            Action::EditDisplayName => "mailbox.display-name",
            Action::EditForwarding => "mailbox.forwarding",
            Action::EditAutoReply => "mailbox.auto-reply",
            Action::EditSize => "mailbox.size",
            Action::SetEnabled => "mailbox.enable-disable",
            Action::ResetPassword => "mailbox.reset-password",
            Action::DeleteMailbox => "mailbox.delete",
            Action::CreateAlias => "alias.create",
            Action::EditAliasMembers => "alias.members",
            Action::DeleteAlias => "alias.delete",
            Action::ChangeDomain => "domain.change",
            Action::ChangeAdmins => "admin.change",
            Action::ManageKeys => "keys.manage",
            Action::SetPassphrase => "passphrase.set",
            Action::BulkChange => "bulk.change",
            Action::Export => "export",
            Action::ViewJournal => "journal.view",
            Action::ExCreateMailbox => "exchange.mailbox.create",
            Action::ExEditMailbox => "exchange.mailbox.change",
            Action::ExSetEnabled => "exchange.mailbox.enable-disable",
            Action::ExResetPassword => "exchange.mailbox.reset-password",
            Action::ExDeleteMailbox => "exchange.mailbox.delete",
            Action::ExPermissions => "exchange.permission",
            Action::ExEditContacts => "exchange.contact",
            Action::ExDeleteContact => "exchange.contact.delete",
            Action::ExCreateList => "exchange.list.create",
            Action::ExEditList => "exchange.list.change",
            Action::ExListMembers => "exchange.list.members",
            Action::ExDeleteList => "exchange.list.delete",
            Action::SpamSafeSenders => "spam.mailbox.safe-senders",
            Action::SpamMailboxLists => "spam.mailbox.lists",
            Action::SpamMailboxSettings => "spam.mailbox.settings",
            Action::SpamDomainLists => "spam.domain.lists",
            Action::SpamDomainSettings => "spam.domain.settings",
            Action::ManageTeamJournal => "team.manage",
            Action::ViewTeamJournal => "team.view",
        }
    }

    /// What it is, in the words people use.
    pub fn label(self) -> &'static str {
        match self {
            Action::View => "See domains, mailboxes, aliases, contacts, lists and spam protection",
            Action::CreateMailbox => "Create mailboxes",
            Action::EditDisplayName => "Change display names",
            Action::EditForwarding => "Change forwarding",
            Action::EditAutoReply => "Change auto-replies",
            Action::EditSize => "Change mailbox sizes",
            Action::SetEnabled => "Enable and disable mailboxes",
            Action::ResetPassword => "Reset passwords",
            Action::DeleteMailbox => "Delete mailboxes",
            Action::CreateAlias => "Create aliases",
            Action::EditAliasMembers => "Add and remove alias members",
            Action::DeleteAlias => "Delete aliases",
            Action::ChangeDomain => "Change domains",
            Action::ChangeAdmins => "Change admin logins",
            Action::ManageKeys => "Connect accounts, rotate or remove API keys",
            Action::SetPassphrase => "Set the super-admin passphrase",
            Action::BulkChange => "Run bulk changes from CSV",
            Action::Export => "Export lists to CSV",
            Action::ViewJournal => "See and export the journal",
            Action::ExCreateMailbox => "Create Exchange mailboxes",
            Action::ExEditMailbox => "Change Exchange mailboxes (display name, size, forwarding, hiding, contact details)",
            Action::ExSetEnabled => "Enable and disable Exchange mailboxes",
            Action::ExResetPassword => "Reset Exchange passwords",
            Action::ExDeleteMailbox => "Delete Exchange mailboxes",
            Action::ExPermissions => "Grant, change and take away Exchange mailbox permissions",
            Action::ExEditContacts => "Create and change Exchange contacts",
            Action::ExDeleteContact => "Delete Exchange contacts",
            Action::ExCreateList => "Create distribution lists",
            Action::ExEditList => "Change distribution lists' names, descriptions and visibility",
            Action::ExListMembers => "Add and remove distribution list members and allowed senders",
            Action::ExDeleteList => "Delete distribution lists",
            Action::SpamSafeSenders => "Add and remove a mailbox's safe senders",
            Action::SpamMailboxLists => "Add and remove a mailbox's blocked senders and its allowed or blocked IP addresses",
            Action::SpamMailboxSettings => "Change a mailbox's spam settings (filter level, what happens to spam, quarantine)",
            Action::SpamDomainLists => "Add and remove a domain's safe and blocked senders and IP addresses (for everyone in the domain)",
            Action::SpamDomainSettings => "Change a domain's spam settings, and apply them to every mailbox",
            Action::ManageTeamJournal => "Connect this computer to the team journal, set up its database, leave it",
            Action::ViewTeamJournal => "See and export the team journal (help desk: only if a super admin allows it)",
        }
    }
}

/// The help-desk allow-list. Everything not here is for super admins only.
pub const HELP_DESK: &[Action] = &[
    Action::View,
    Action::EditDisplayName,
    Action::EditForwarding,
    Action::EditAutoReply,
    Action::SetEnabled,
    Action::ResetPassword,
    Action::CreateAlias,
    Action::EditAliasMembers,
    Action::Export,
    Action::ViewJournal,
    // Hosted Exchange: the daily work of a help desk. Viewing is `View`. Creating and
    // deleting mailboxes or lists, permissions, and the other mailbox changes (size,
    // forwarding, details) stay with super admins.
    Action::ExSetEnabled,
    Action::ExResetPassword,
    Action::ExEditContacts,
    Action::ExListMembers,
    // Spam protection: seeing every setting and list is `View`. The help desk may add and
    // remove safe senders of one mailbox ("mail from our customer goes to spam"); blocking,
    // the IP lists, settings and anything for a whole domain stay with super admins (issue
    // 12; where it is silent, the safe side).
    Action::SpamSafeSenders,
];

/// What the help desk sees of the team journal: a super admin decides, per computer
/// (`rackdesk team help-desk-view`, the app's *Settings → Team journal*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HelpDeskView {
    /// Not at all (the default).
    #[default]
    Hidden,
    /// Every computer's entries, to read, filter and export; nothing to change.
    ReadOnly,
}

impl HelpDeskView {
    pub fn parse(s: &str) -> Option<HelpDeskView> {
        match s.trim().to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
            "hidden" | "none" | "no" | "off" => Some(HelpDeskView::Hidden),
            "read-only" | "readonly" | "yes" | "on" => Some(HelpDeskView::ReadOnly),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            HelpDeskView::Hidden => "hidden",
            HelpDeskView::ReadOnly => "read-only",
        }
    }
    /// In words: "the help desk does not see the team journal" / "... sees it, read only".
    pub fn words(self) -> &'static str {
        match self {
            HelpDeskView::Hidden => "the help desk does not see the team journal",
            HelpDeskView::ReadOnly => "the help desk sees the team journal, read only",
        }
    }
}

/// Whether `role` may see the team journal, given what the super admin chose for the help desk.
pub fn team_view_allowed(role: Role, help_desk: HelpDeskView) -> bool {
    allowed(role, Action::ViewTeamJournal) || (role == Role::HelpDesk && help_desk == HelpDeskView::ReadOnly)
}

/// [`team_view_allowed`], as a refusal that says why.
pub fn check_team_view(role: Role, help_desk: HelpDeskView) -> Result<(), Refusal> {
    if team_view_allowed(role, help_desk) {
        Ok(())
    } else {
        Err(Refusal { action: Action::ViewTeamJournal, role })
    }
}

pub fn allowed(role: Role, action: Action) -> bool {
    match role {
        Role::SuperAdmin => true,
        Role::HelpDesk => HELP_DESK.contains(&action),
    }
}

/// Why an action was refused. Never holds anything secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{}", self.message())]
pub struct Refusal {
    pub action: Action,
    pub role: Role,
}

impl Refusal {
    pub fn message(&self) -> String {
        format!(
            "As {} you cannot do this here: {}. Ask a super admin, or switch to the super-admin role with its passphrase.",
            self.role.label(),
            lower_first(self.action.label())
        )
    }
}

impl crate::error::Explain for Refusal {
    fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::NotAllowed
    }
    fn user_message(&self) -> String {
        self.message()
    }
    fn detail(&self) -> Option<String> {
        None
    }
}

/// "Reset Exchange passwords" → "reset Exchange passwords": only the first letter, so names
/// (Exchange, CSV, API) keep their capitals in the middle of a sentence.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

pub fn check(role: Role, action: Action) -> Result<(), Refusal> {
    if allowed(role, action) {
        Ok(())
    } else {
        Err(Refusal { action, role })
    }
}

/// The whole list, for the roles page: (action, super admin may, help desk may).
pub fn table() -> Vec<(Action, bool, bool)> {
    Action::ALL.iter().map(|a| (*a, true, allowed(Role::HelpDesk, *a))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_desk_may_do_the_daily_work() {
        for a in [Action::View, Action::ResetPassword, Action::SetEnabled, Action::EditForwarding, Action::EditAutoReply, Action::EditDisplayName, Action::CreateAlias, Action::EditAliasMembers, Action::Export] {
            assert!(allowed(Role::HelpDesk, a), "{a:?}");
        }
    }

    #[test]
    fn help_desk_may_not_do_the_dangerous_things() {
        for a in [Action::DeleteMailbox, Action::DeleteAlias, Action::ChangeDomain, Action::ChangeAdmins, Action::ManageKeys, Action::SetPassphrase, Action::BulkChange, Action::CreateMailbox, Action::EditSize] {
            let r = check(Role::HelpDesk, a).unwrap_err();
            assert!(r.message().starts_with("As help desk you cannot do this here"), "{}", r.message());
        }
    }

    #[test]
    fn help_desk_exchange_work_is_the_daily_kind_only() {
        for a in [Action::ExSetEnabled, Action::ExResetPassword, Action::ExEditContacts, Action::ExListMembers] {
            assert!(allowed(Role::HelpDesk, a), "{a:?}");
        }
        for a in [
            Action::ExCreateMailbox,
            Action::ExDeleteMailbox,
            Action::ExEditMailbox,
            Action::ExPermissions,
            Action::ExDeleteContact,
            Action::ExCreateList,
            Action::ExEditList,
            Action::ExDeleteList,
        ] {
            assert!(!allowed(Role::HelpDesk, a), "{a:?}");
        }
        let r = check(Role::HelpDesk, Action::ExDeleteList).unwrap_err();
        assert!(r.message().contains("cannot do this here: delete distribution lists."), "{}", r.message());
        let r = check(Role::HelpDesk, Action::ExCreateMailbox).unwrap_err();
        assert!(r.message().contains("create Exchange mailboxes"), "{}", r.message());
        let names: std::collections::BTreeSet<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        assert_eq!(names.len(), Action::ALL.len(), "every action has its own journal name");
    }

    #[test]
    fn help_desk_may_only_add_and_remove_a_mailboxs_safe_senders() {
        assert!(allowed(Role::HelpDesk, Action::SpamSafeSenders));
        for a in [Action::SpamMailboxLists, Action::SpamMailboxSettings, Action::SpamDomainLists, Action::SpamDomainSettings] {
            assert!(!allowed(Role::HelpDesk, a), "{a:?}");
        }
        let r = check(Role::HelpDesk, Action::SpamDomainLists).unwrap_err();
        assert!(r.message().contains("cannot do this here: add and remove a domain's safe and blocked senders"), "{}", r.message());
        let r = check(Role::HelpDesk, Action::SpamMailboxLists).unwrap_err();
        assert!(r.message().contains("a mailbox's blocked senders and its allowed or blocked IP addresses."), "{}", r.message());
        for a in Action::ALL.iter().filter(|a| a.name().starts_with("spam.")) {
            assert!(!a.label().contains("spam.") && a.label().len() < 100, "{a:?} reads well on the Roles page");
        }
    }

    #[test]
    fn the_team_journal_is_managed_by_super_admins_and_seen_by_the_help_desk_only_when_allowed() {
        assert!(!allowed(Role::HelpDesk, Action::ManageTeamJournal));
        assert!(!team_view_allowed(Role::HelpDesk, HelpDeskView::Hidden));
        assert!(team_view_allowed(Role::HelpDesk, HelpDeskView::ReadOnly));
        assert!(team_view_allowed(Role::SuperAdmin, HelpDeskView::Hidden));
        let r = check_team_view(Role::HelpDesk, HelpDeskView::Hidden).unwrap_err();
        assert!(r.message().contains("see and export the team journal"), "{}", r.message());
        assert_eq!(HelpDeskView::parse("Read only"), Some(HelpDeskView::ReadOnly));
        assert_eq!(HelpDeskView::parse("hidden"), Some(HelpDeskView::Hidden));
        assert_eq!(HelpDeskView::default(), HelpDeskView::Hidden);
    }

    #[test]
    fn super_admins_may_do_everything() {
        assert!(Action::ALL.iter().all(|a| allowed(Role::SuperAdmin, *a)));
        assert_eq!(table().len(), Action::ALL.len());
    }
}
