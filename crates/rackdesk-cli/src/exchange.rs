//! Hosted Exchange on the command line: `ex-mailboxes`, `ex-mailbox`, `contacts`, `contact`,
//! `lists`, `list`. Each subcommand parses, calls one core function ([`rackdesk_core::exchange`]
//! for reads, [`rackdesk_core::ops::Ops`] for changes) and prints.

use crate::{address, client, count, domains_confirmed, ops, password_for, print_record, print_table, show_generated, storage, user_error, Cli, Format, Outcome, PasswordSource, Table};
use clap::{Args, Subcommand};
use rackdesk_core::api::Search;
use rackdesk_core::exchange::{
    ContactChanges, ContactFields, ContactQuery, ExMailboxChanges, ExMailboxQuery, ListChanges, ListQuery, NewContact, NewExMailbox, NewList,
    PermissionLevel, RecipientChange, RecipientKind, SettleWait,
};
use std::io::IsTerminal;

#[derive(Subcommand)]
pub(crate) enum ExMailboxesCmd {
    /// List every Exchange mailbox of DOMAIN (all pages).
    List {
        domain: String,
        /// Only mailboxes whose name or display name contains TEXT.
        #[arg(long, conflicts_with = "starts_with")]
        search: Option<String>,
        /// Only mailboxes whose name or display name starts with TEXT.
        #[arg(long)]
        starts_with: Option<String>,
        /// Only enabled (true) or disabled (false) mailboxes.
        #[arg(long)]
        enabled: Option<bool>,
    },
}

/// A person's details (Exchange mailboxes and contacts). An empty value clears the field.
#[derive(Args, Default)]
pub(crate) struct DetailArgs {
    #[arg(long)]
    first_name: Option<String>,
    #[arg(long)]
    last_name: Option<String>,
    #[arg(long)]
    job_title: Option<String>,
    #[arg(long)]
    company: Option<String>,
    #[arg(long)]
    department: Option<String>,
    #[arg(long)]
    business_phone: Option<String>,
    #[arg(long)]
    home_phone: Option<String>,
    #[arg(long)]
    mobile_phone: Option<String>,
    #[arg(long)]
    fax: Option<String>,
    #[arg(long)]
    pager: Option<String>,
    /// Street address.
    #[arg(long)]
    street: Option<String>,
    #[arg(long)]
    city: Option<String>,
    /// State or province.
    #[arg(long)]
    state: Option<String>,
    #[arg(long)]
    postal_code: Option<String>,
    #[arg(long)]
    country: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    #[arg(long)]
    custom_id: Option<String>,
}

impl DetailArgs {
    fn fields(&self) -> ContactFields {
        ContactFields {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            job_title: self.job_title.clone(),
            company: self.company.clone(),
            department: self.department.clone(),
            business_number: self.business_phone.clone(),
            home_number: self.home_phone.clone(),
            mobile_number: self.mobile_phone.clone(),
            fax_number: self.fax.clone(),
            pager_number: self.pager.clone(),
            address_line1: self.street.clone(),
            city: self.city.clone(),
            state: self.state.clone(),
            zip: self.postal_code.clone(),
            country: self.country.clone(),
            notes: self.notes.clone(),
            custom_id: self.custom_id.clone(),
        }
    }
}

#[derive(Subcommand)]
pub(crate) enum ExMailboxCmd {
    /// Show one Exchange mailbox: storage, forwarding, addresses, details.
    Show { address: String },
    /// Create an Exchange mailbox.
    Create {
        address: String,
        #[arg(long)]
        display_name: String,
        /// Size in MB (default: the domain's standard Exchange mailbox size).
        #[arg(long)]
        size: Option<u64>,
        /// Hide it from the address book.
        #[arg(long)]
        hidden: Option<bool>,
        #[command(flatten)]
        password: PasswordSource,
        #[command(flatten)]
        details: DetailArgs,
    },
    /// Change an Exchange mailbox. Only the options given are changed.
    Set {
        address: String,
        #[arg(long)]
        enabled: Option<bool>,
        #[arg(long)]
        display_name: Option<String>,
        /// Size in MB.
        #[arg(long)]
        size: Option<u64>,
        /// Forward mail to this one address.
        #[arg(long, conflicts_with = "no_forwarding")]
        forward_to: Option<String>,
        /// Stop forwarding.
        #[arg(long)]
        no_forwarding: bool,
        /// Use the forwarding address even if its domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
        /// Keep a copy of forwarded mail in the mailbox.
        #[arg(long)]
        keep_copy: Option<bool>,
        /// Hide it from (true) or show it in (false) the address book.
        #[arg(long)]
        hidden: Option<bool>,
        #[command(flatten)]
        details: DetailArgs,
    },
    /// Give an Exchange mailbox a new password.
    ResetPassword {
        address: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Delete an Exchange mailbox and all its mail.
    Delete {
        address: String,
        /// Confirm the deletion.
        #[arg(long)]
        yes: bool,
    },
    /// Who else may use the mailbox, and how.
    Permissions { address: String },
    /// Let another mailbox of the same domain use this one.
    Grant {
        address: String,
        /// The delegate: a mailbox of the same domain (name or full address).
        #[arg(long)]
        to: String,
        /// What the delegate may do; only "both" (open the mailbox and send as it) is confirmed by Rackspace.
        #[arg(long, default_value = "both")]
        permission: String,
    },
    /// Change what a delegate may do with the mailbox.
    SetPermission {
        address: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        permission: String,
    },
    /// Take a delegate's use of the mailbox away.
    Revoke {
        address: String,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum ContactsCmd {
    /// List every contact of DOMAIN (all pages).
    List {
        domain: String,
        /// Only contacts whose display name or outside address contains TEXT.
        #[arg(long, conflicts_with = "starts_with")]
        search: Option<String>,
        /// Only contacts whose display name or outside address starts with TEXT.
        #[arg(long)]
        starts_with: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum ContactCmd {
    /// Show one contact of DOMAIN.
    Show { domain: String, name: String },
    /// Create a contact (someone outside, shown in the address book).
    Create {
        domain: String,
        /// The contact's short name in the domain.
        name: String,
        #[arg(long)]
        display_name: String,
        /// The outside address mail to the contact goes to.
        #[arg(long)]
        email: String,
        /// Hide it from the address book.
        #[arg(long)]
        hidden: Option<bool>,
        #[command(flatten)]
        details: DetailArgs,
    },
    /// Change a contact. Only the options given are changed.
    Set {
        domain: String,
        name: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        hidden: Option<bool>,
        #[command(flatten)]
        details: DetailArgs,
    },
    /// Delete a contact.
    Delete {
        domain: String,
        name: String,
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum ListsCmd {
    /// List every distribution list of DOMAIN.
    List {
        domain: String,
        /// Only lists whose name or display name contains TEXT.
        #[arg(long)]
        search: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum ListCmd {
    /// Show a distribution list, its members and allowed senders.
    Show { address: String },
    /// Create a distribution list.
    Create {
        address: String,
        #[arg(long)]
        display_name: String,
        #[arg(long)]
        description: Option<String>,
        /// Hide it from the address book.
        #[arg(long)]
        hidden: Option<bool>,
        /// Members (comma-separated).
        #[arg(long, value_delimiter = ',')]
        members: Vec<String>,
        /// Only these may send to it (comma-separated); without it, anyone may.
        #[arg(long, value_delimiter = ',')]
        senders: Vec<String>,
        /// Use addresses even if their domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
    },
    /// Change a list's display name, description or visibility.
    Set {
        address: String,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        hidden: Option<bool>,
    },
    /// Add members.
    AddMember {
        address: String,
        #[arg(required = true)]
        members: Vec<String>,
        /// Use addresses even if their domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
    },
    /// Remove members.
    RemoveMember {
        address: String,
        #[arg(required = true)]
        members: Vec<String>,
        /// Use addresses even if their domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
    },
    /// Allow these addresses to send to the list.
    AllowSender {
        address: String,
        #[arg(required = true)]
        senders: Vec<String>,
        /// Use addresses even if their domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
    },
    /// Take addresses off the list's allowed senders.
    DisallowSender {
        address: String,
        #[arg(required = true)]
        senders: Vec<String>,
        /// Use addresses even if their domain looks like a misspelling of one of the account's.
        #[arg(long)]
        accept_unknown_domain: bool,
    },
    /// Delete a distribution list (its members' mailboxes are not touched).
    Delete {
        address: String,
        #[arg(long)]
        yes: bool,
    },
}

fn yes_no(b: Option<bool>) -> String {
    match b {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

fn search(contains: &Option<String>, starts: &Option<String>) -> Option<Search> {
    match (contains, starts) {
        (Some(s), _) => Some(Search::Contains(s.clone())),
        (None, Some(s)) => Some(Search::StartsWith(s.clone())),
        _ => None,
    }
}

fn done(format: Format, json: serde_json::Value, sentence: String) {
    match format {
        Format::Json => println!("{json}"),
        _ => println!("{sentence}"),
    }
}

/// Distribution-list changes finish asynchronously: say so while waiting.
fn waiting(format: Format) -> SettleWait {
    if format == Format::Table && std::io::stderr().is_terminal() {
        eprintln!("Waiting for Rackspace to finish the change (up to two minutes)…");
    }
    SettleWait::default()
}

fn detail_rows(d: &ContactFields) -> Vec<(&'static str, String)> {
    d.set_fields()
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (ContactFields::label_of(k).unwrap_or(k), v))
        .collect()
}

pub(crate) async fn ex_mailboxes(cli: &Cli, cmd: &ExMailboxesCmd, format: Format) -> Outcome {
    let ExMailboxesCmd::List { domain, search: s, starts_with, enabled } = cmd;
    let domain = rackdesk_core::names::domain_name(domain)?;
    let query = ExMailboxQuery { search: search(s, starts_with), enabled: *enabled, ..Default::default() };
    let items = client(cli)?.ex_mailboxes(&domain, query).await?;
    let rows = items
        .iter()
        .map(|m| {
            vec![
                format!("{}@{domain}", m.name),
                m.display_name.clone().unwrap_or_default(),
                yes_no(m.enabled),
                match (m.current_usage, m.size) {
                    (Some(u), Some(s)) => format!("{} of {}", storage(u), storage(s)),
                    (None, Some(s)) => storage(s),
                    _ => String::new(),
                },
            ]
        })
        .collect();
    let summary = Some(count(items.len(), "Exchange mailbox", "Exchange mailboxes"));
    print_table(format, &Table { header: vec!["address", "display name", "enabled", "storage"], rows, items, summary })?;
    Ok(())
}

pub(crate) async fn ex_mailbox(cli: &Cli, cmd: &ExMailboxCmd, format: Format) -> Outcome {
    match cmd {
        ExMailboxCmd::Show { address: a } => {
            let addr = address(a)?;
            let m = client(cli)?.ex_mailbox(&addr.domain, &addr.local).await?;
            let mut fields = vec![
                ("Address", addr.to_string()),
                ("Display name", m.display_name.clone().unwrap_or_default()),
                ("Enabled", yes_no(m.enabled)),
                ("Hidden", yes_no(m.is_hidden)),
                (
                    "Storage",
                    match m.size {
                        Some(s) => format!("{} of {}", storage(m.current_usage.unwrap_or(0)), storage(s)),
                        None => String::new(),
                    },
                ),
                ("Last login", m.last_login.clone().unwrap_or_else(|| "never".into())),
                ("Forwarding", m.forwarding().map(str::to_owned).unwrap_or_else(|| "off".into())),
                ("Keep a copy", yes_no(m.save_forwarded_email)),
                ("Addresses", m.email_address_list.iter().map(|a| a.address.clone()).collect::<Vec<_>>().join(", ")),
            ];
            if let Some(d) = &m.contact_info {
                fields.extend(detail_rows(d));
            }
            print_record(format, &fields, &m)?;
        }
        ExMailboxCmd::Create { address: a, display_name, size, hidden, password, details } => {
            let addr = address(a)?;
            let (pw, generated) = password_for(password, &addr)?;
            let mut new = NewExMailbox::new(display_name.clone(), pw.clone(), size.unwrap_or(1));
            new.is_hidden = *hidden;
            new.contact = details.fields();
            new.to_form(&addr.local, &addr.domain, &rackdesk_core::exchange::ExchangeLimits::UNKNOWN)?;
            let ops = ops(cli).await?;
            new.size = ops.session.client.new_ex_mailbox_size(&addr.domain, *size).await?;
            ops.create_ex_mailbox(&addr, &new).await?;
            if format == Format::Table {
                println!("Created the Exchange mailbox {addr} ({}).", storage(new.size));
            }
            if generated {
                show_generated(format, &addr, &pw)?;
            } else if format == Format::Json {
                println!("{}", serde_json::json!({"address": addr.to_string(), "created": true}));
            }
        }
        ExMailboxCmd::Set { address: a, enabled, display_name, size, forward_to, no_forwarding, accept_unknown_domain, keep_copy, hidden, details } => {
            let addr = address(a)?;
            let changes = ExMailboxChanges {
                display_name: display_name.clone(),
                size: *size,
                forward_to: if *no_forwarding { Some(String::new()) } else { forward_to.clone() },
                save_forwarded_email: *keep_copy,
                is_hidden: *hidden,
                enabled: *enabled,
                password: None,
                contact: details.fields(),
            };
            changes.to_form(&addr.local, &addr.domain, &rackdesk_core::exchange::ExchangeLimits::UNKNOWN)?;
            let ops = ops(cli).await?;
            if let Some(f) = changes.forward_to.as_ref().filter(|f| !f.trim().is_empty()) {
                domains_confirmed(&ops, std::slice::from_ref(f), *accept_unknown_domain).await?;
            }
            ops.edit_ex_mailbox(&addr, &changes).await?;
            done(format, serde_json::json!({"address": addr.to_string(), "changed": true}), format!("Changed {addr}."));
        }
        ExMailboxCmd::ResetPassword { address: a, password } => {
            let addr = address(a)?;
            let (pw, generated) = password_for(password, &addr)?;
            let changes = ExMailboxChanges { password: Some(pw.clone()), ..Default::default() };
            ops(cli).await?.edit_ex_mailbox(&addr, &changes).await?;
            if generated {
                show_generated(format, &addr, &pw)?;
            } else {
                done(format, serde_json::json!({"address": addr.to_string(), "passwordChanged": true}), format!("The password of {addr} was changed."));
            }
        }
        ExMailboxCmd::Delete { address: a, yes } => {
            let addr = address(a)?;
            if !yes {
                return Err(user_error(format!(
                    "Deleting {addr} removes the Exchange mailbox and all of its mail. Run the command again with --yes to confirm."
                )));
            }
            ops(cli).await?.delete_ex_mailbox(&addr).await?;
            done(format, serde_json::json!({"address": addr.to_string(), "deleted": true}), format!("Deleted {addr}."));
        }
        ExMailboxCmd::Permissions { address: a } => {
            let addr = address(a)?;
            let items = client(cli)?.ex_permissions(&addr.domain, &addr.local).await?;
            let rows = items.iter().map(|p| vec![p.delegate.clone(), p.permission.clone()]).collect();
            let summary = Some(count(items.len(), "delegate", "delegates"));
            print_table(format, &Table { header: vec!["delegate", "permission"], rows, items, summary })?;
        }
        ExMailboxCmd::Grant { address: a, to, permission } | ExMailboxCmd::SetPermission { address: a, to, permission } => {
            let addr = address(a)?;
            let level = PermissionLevel::parse(permission)?;
            let ops = ops(cli).await?;
            if matches!(cmd, ExMailboxCmd::Grant { .. }) {
                ops.grant_ex_permission(&addr, to, level).await?;
            } else {
                ops.change_ex_permission(&addr, to, level).await?;
            }
            done(
                format,
                serde_json::json!({"address": addr.to_string(), "delegate": to, "permission": level.as_str()}),
                format!("{to} may now use {addr}: {}.", level.label()),
            );
        }
        ExMailboxCmd::Revoke { address: a, to } => {
            let addr = address(a)?;
            ops(cli).await?.revoke_ex_permission(&addr, to).await?;
            done(format, serde_json::json!({"address": addr.to_string(), "delegate": to, "permission": null}), format!("{to} may no longer use {addr}."));
        }
    }
    Ok(())
}

pub(crate) async fn contacts(cli: &Cli, cmd: &ContactsCmd, format: Format) -> Outcome {
    let ContactsCmd::List { domain, search: s, starts_with } = cmd;
    let domain = rackdesk_core::names::domain_name(domain)?;
    let items = client(cli)?.contacts(&domain, ContactQuery { search: search(s, starts_with), ..Default::default() }).await?;
    let rows = items
        .iter()
        .map(|c| vec![c.name.clone(), c.display_name.clone().unwrap_or_default(), c.external_email.clone().unwrap_or_default()])
        .collect();
    let summary = Some(count(items.len(), "contact", "contacts"));
    print_table(format, &Table { header: vec!["name", "display name", "outside address"], rows, items, summary })?;
    Ok(())
}

pub(crate) async fn contact(cli: &Cli, cmd: &ContactCmd, format: Format) -> Outcome {
    match cmd {
        ContactCmd::Show { domain, name } => {
            let c = client(cli)?.contact(domain, name).await?;
            let mut fields = vec![
                ("Name", c.name.clone().unwrap_or_else(|| name.clone())),
                ("Display name", c.display_name.clone().unwrap_or_default()),
                ("Outside address", c.external_email.clone().unwrap_or_default()),
                ("Hidden", yes_no(c.is_hidden)),
            ];
            fields.extend(detail_rows(c.details()));
            print_record(format, &fields, &c)?;
        }
        ContactCmd::Create { domain, name, display_name, email, hidden, details } => {
            let new = NewContact { display_name: display_name.clone(), external_email: email.clone(), is_hidden: *hidden, fields: details.fields() };
            ops(cli).await?.create_contact(domain, name, &new).await?;
            done(format, serde_json::json!({"contact": name, "domain": domain, "created": true}), format!("Created the contact {name} in {domain}."));
        }
        ContactCmd::Set { domain, name, display_name, email, hidden, details } => {
            let ch = ContactChanges { display_name: display_name.clone(), external_email: email.clone(), is_hidden: *hidden, fields: details.fields() };
            ops(cli).await?.edit_contact(domain, name, &ch).await?;
            done(format, serde_json::json!({"contact": name, "domain": domain, "changed": true}), format!("Changed the contact {name} in {domain}."));
        }
        ContactCmd::Delete { domain, name, yes } => {
            if !yes {
                return Err(user_error(format!(
                    "Deleting the contact {name} takes it out of {domain}'s address book. Run the command again with --yes to confirm."
                )));
            }
            ops(cli).await?.delete_contact(domain, name).await?;
            done(format, serde_json::json!({"contact": name, "domain": domain, "deleted": true}), format!("Deleted the contact {name} in {domain}."));
        }
    }
    Ok(())
}

pub(crate) async fn lists(cli: &Cli, cmd: &ListsCmd, format: Format) -> Outcome {
    let ListsCmd::List { domain, search } = cmd;
    let domain = rackdesk_core::names::domain_name(domain)?;
    let items = client(cli)?.lists(&domain, ListQuery { search: search.clone(), ..Default::default() }).await?;
    let rows = items
        .iter()
        .map(|l| {
            vec![
                l.primary_smtp_address.clone().unwrap_or_else(|| format!("{}@{domain}", l.common_name)),
                l.display_name.clone().unwrap_or_default(),
                l.member_count.map(|n| n.to_string()).unwrap_or_default(),
                l.state_words(),
            ]
        })
        .collect();
    let summary = Some(count(items.len(), "distribution list", "distribution lists"));
    print_table(format, &Table { header: vec!["list", "display name", "members", "status"], rows, items, summary })?;
    Ok(())
}

pub(crate) async fn list(cli: &Cli, cmd: &ListCmd, format: Format) -> Outcome {
    match cmd {
        ListCmd::Show { address: a } => {
            let addr = address(a)?;
            let c = client(cli)?;
            let l = c.list(&addr.domain, &addr.local).await?;
            // The member and sender reads are separate calls whose answer shape is not
            // confirmed; a failure there still shows the list itself.
            let members = c.list_recipients(&addr.domain, &addr.local, RecipientKind::Members).await;
            let senders = c.list_recipients(&addr.domain, &addr.local, RecipientKind::Senders).await;
            let words = |r: &Result<Vec<String>, rackdesk_core::ApiError>, empty: &str| match r {
                Ok(v) if v.is_empty() => empty.to_owned(),
                Ok(v) => v.join(", "),
                Err(e) => format!("could not be read ({})", e.user_message()),
            };
            let mut fields = vec![
                ("List", l.primary_smtp_address.clone().unwrap_or_else(|| addr.to_string())),
                ("Display name", l.display_name.clone().unwrap_or_default()),
                ("Description", l.description.clone().unwrap_or_default()),
                ("Hidden", yes_no(l.is_hidden_from_address_list)),
                ("Members", words(&members, "none")),
                ("Allowed senders", words(&senders, "anyone")),
                ("Status", l.state_words()),
            ];
            if let Some(e) = l.error.as_ref().filter(|e| !e.is_empty()) {
                fields.push(("Last error", e.message.clone().unwrap_or_default()));
            }
            print_record(format, &fields, &l)?;
        }
        ListCmd::Create { address: a, display_name, description, hidden, members, senders, accept_unknown_domain } => {
            let addr = address(a)?;
            let new = NewList {
                display_name: display_name.clone(),
                description: description.clone(),
                hidden: *hidden,
                members: members.clone(),
                senders: senders.clone(),
            };
            new.to_json(&addr.local)?;
            let ops = ops(cli).await?;
            let everyone: Vec<String> = members.iter().chain(senders.iter()).cloned().collect();
            if !everyone.is_empty() {
                domains_confirmed(&ops, &everyone, *accept_unknown_domain).await?;
            }
            ops.create_list(&addr, &new, waiting(format)).await?;
            done(format, serde_json::json!({"list": addr.to_string(), "created": true}), format!("Created the distribution list {addr}."));
        }
        ListCmd::Set { address: a, display_name, description, hidden } => {
            let addr = address(a)?;
            let ch = ListChanges { display_name: display_name.clone(), description: description.clone(), hidden: *hidden };
            ch.to_json()?;
            let ops = ops(cli).await?;
            ops.edit_list(&addr, &ch, waiting(format)).await?;
            done(format, serde_json::json!({"list": addr.to_string(), "changed": true}), format!("Changed the distribution list {addr}."));
        }
        ListCmd::AddMember { address: a, members: who, accept_unknown_domain: accept }
        | ListCmd::RemoveMember { address: a, members: who, accept_unknown_domain: accept }
        | ListCmd::AllowSender { address: a, senders: who, accept_unknown_domain: accept }
        | ListCmd::DisallowSender { address: a, senders: who, accept_unknown_domain: accept } => {
            let addr = address(a)?;
            let (kind, how) = match cmd {
                ListCmd::AddMember { .. } => (RecipientKind::Members, RecipientChange::Add),
                ListCmd::RemoveMember { .. } => (RecipientKind::Members, RecipientChange::Remove),
                ListCmd::AllowSender { .. } => (RecipientKind::Senders, RecipientChange::Add),
                _ => (RecipientKind::Senders, RecipientChange::Remove),
            };
            rackdesk_core::exchange::lists::recipients(kind.label(), who)?;
            let ops = ops(cli).await?;
            // Taking an address off needs no typo check: a misspelt one is simply not there.
            if how == RecipientChange::Add {
                domains_confirmed(&ops, who, *accept).await?;
            }
            ops.change_list_recipients(&addr, kind, how, who, waiting(format)).await?;
            let sentence = match (kind, how) {
                (RecipientKind::Members, RecipientChange::Add) => format!("Added {} to {addr}.", who.join(", ")),
                (RecipientKind::Members, RecipientChange::Remove) => format!("Removed {} from {addr}.", who.join(", ")),
                (RecipientKind::Senders, RecipientChange::Add) => format!("{} may now send to {addr}.", who.join(", ")),
                (RecipientKind::Senders, RecipientChange::Remove) => format!("Took {} off the allowed senders of {addr}.", who.join(", ")),
            };
            done(format, serde_json::json!({"list": addr.to_string(), "kind": kind, "change": how, "addresses": who}), sentence);
        }
        ListCmd::Delete { address: a, yes } => {
            let addr = address(a)?;
            if !yes {
                return Err(user_error(format!(
                    "Deleting the distribution list {addr} stops mail to it from being delivered. Run the command again with --yes to confirm."
                )));
            }
            let ops = ops(cli).await?;
            ops.delete_list(&addr, waiting(format)).await?;
            done(format, serde_json::json!({"list": addr.to_string(), "deleted": true}), format!("Deleted the distribution list {addr}."));
        }
    }
    Ok(())
}
