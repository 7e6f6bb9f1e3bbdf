//! What the server has ([`Snapshot`], read in as few calls as possible), the checks that need
//! it, and the plan: per row exactly what will change (create / change X from A to B / no
//! change), with counts and an ETA from the published rate limits.

use super::input::CsvInput;
use super::validate::{RowSpec, Validated};
use super::{JobKind, Problem, Severity};
use crate::exchange::{ContactFields, ContactQuery, ExMailbox, ExMailboxQuery, ExMailboxSummary, ExchangeLimits, RecipientKind};
use crate::api::{MailboxField, MailboxQuery, MAX_ALIAS_EXTERNAL, MAX_ALIAS_MEMBERS, MAX_MAILBOX_MB, MAX_PAGE_SIZE};
use crate::limits::Limits;
use crate::models::{Mailbox, MailboxSummary, Service};
use crate::names::EmailAddress;
use crate::spam::{OwnerKind, SpamEntry, SpamList, SpamOwner, SpamTarget};
use crate::{ApiError, Client};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// What the server has in one domain, as far as the job needs it.
#[derive(Debug, Clone, Default)]
pub struct DomainSnap {
    /// The domain's standard mailbox size (MB), when read.
    pub base_size: Option<u64>,
    pub max_mailboxes: Option<u64>,
    /// Every mailbox, by name (lower case), from the Index call.
    pub mailboxes: BTreeMap<String, MailboxSummary>,
    /// Full details of the mailboxes that needed them (forwarding, auto-reply).
    pub details: BTreeMap<String, Mailbox>,
    /// Every alias by name, with its members (lower case) where they were needed and read;
    /// `None` when aliases were not read.
    pub aliases: Option<BTreeMap<String, Vec<String>>>,
    /// Exchange contacts by name (lower case), when read: each with its details where the
    /// file names it.
    pub contacts: Option<BTreeMap<String, ContactSnap>>,
    /// The domain list says it has no Hosted Exchange (Rackspace Email only).
    pub no_exchange: bool,
    /// The domain list says it has no Rackspace Email (Hosted Exchange only).
    pub no_rs: bool,
    /// Every Exchange mailbox, by name (lower case), when the domain has Exchange.
    pub ex_mailboxes: BTreeMap<String, ExMailboxSummary>,
    /// Full details of the Exchange mailboxes that needed them (enabled, forwarding, hidden).
    pub ex_details: BTreeMap<String, ExMailbox>,
    /// The size limit of the domain's Exchange mailboxes, read for create and size changes.
    pub ex_limits: Option<ExchangeLimits>,
    /// How many Exchange mailboxes the domain may have, read for create jobs.
    pub ex_max_mailboxes: Option<u64>,
}

/// An Exchange contact as the plan needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactSnap {
    pub display_name: Option<String>,
    pub external_email: Option<String>,
    /// Read only for the contacts the file names.
    pub details: Option<ContactFields>,
}

/// A spam list job's target as found on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpamSnap {
    /// The domain or mailbox, and the entries of the lists the file's rows touch.
    Found { owner: SpamOwner, lists: BTreeMap<SpamList, Vec<SpamEntry>> },
    /// Not a mailbox of its domain (either service): the reason, for the rows.
    Missing(String),
}

/// What the server has, for the domains a job touches.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every domain of the account; filled in for those the job touches.
    pub domains: BTreeMap<String, DomainSnap>,
    /// Distribution lists' members (lower case) by list address; `None`: no such list.
    pub lists: BTreeMap<String, Option<Vec<String>>>,
    /// Spam list jobs: each target (a domain or a mailbox address) as found, with the lists
    /// its rows touch, each read once.
    pub spam: BTreeMap<String, SpamSnap>,
    /// Read calls made to build it.
    pub reads: u64,
}

fn domain_of(addr: &str) -> Option<String> {
    addr.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase())
}

impl Snapshot {
    /// Reads what the rows need: the account's domains; each touched domain's mailbox list
    /// (one call per 250 mailboxes); the domain's details for create jobs; alias lists for
    /// alias and offboarding jobs (and the members of aliases with more than one); a
    /// mailbox's details only for rows that change forwarding or auto-replies.
    pub async fn load(client: &Client, v: &Validated, progress: &(dyn Fn(&str) + Sync)) -> Result<Snapshot, ApiError> {
        let mut snap = Snapshot::default();
        progress("Reading the account's domains…");
        // Every listing goes through the bounded pager: a server that loops or overruns its
        // total ends in a typed error, not a hang.
        let mut pager = crate::api::Pager::new(0, MAX_PAGE_SIZE);
        while let Some(offset) = pager.offset() {
            let p = client.domains_page(MAX_PAGE_SIZE, offset).await?;
            snap.reads += 1;
            pager.advance(&p)?;
            let last = pager.offset().is_none();
            for d in p.items {
                let (no_exchange, no_rs) = (!d.has(Service::Exchange), !d.has(Service::RackspaceEmail));
                snap.domains.insert(d.name.to_ascii_lowercase(), DomainSnap { no_exchange, no_rs, ..DomainSnap::default() });
            }
            if last {
                break;
            }
        }
        let specs: Vec<&RowSpec> = v.rows.iter().filter_map(|(_, s)| s.as_ref()).collect();
        if v.kind == JobKind::Contacts {
            snap.load_contacts(client, &specs, progress).await?;
            return Ok(snap);
        }
        if v.kind == JobKind::SpamList {
            snap.load_spam(client, &specs, progress).await?;
            return Ok(snap);
        }
        if v.kind == JobKind::ListMembers {
            let lists: BTreeSet<&EmailAddress> = specs.iter().filter_map(|s| if let RowSpec::ListMember { list, .. } = s { Some(list) } else { None }).collect();
            for l in lists {
                if snap.domains.get(&l.domain).is_none_or(|d| d.no_exchange) {
                    continue;
                }
                progress(&format!("Reading the members of {l}…"));
                let members = match client.list_recipients(&l.domain, &l.local, RecipientKind::Members).await {
                    Ok(m) => Some(m.into_iter().map(|m| m.to_ascii_lowercase()).collect()),
                    Err(e) if e.is_not_found() => None,
                    Err(e) => return Err(e),
                };
                snap.reads += 1;
                snap.lists.insert(l.to_string(), members);
            }
            return Ok(snap);
        }
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let mut details: BTreeSet<String> = BTreeSet::new();
        // Exchange mailboxes whose details a row needs (the Index has no enabled, forwarding or
        // hidden): read only where the address turns out to be an Exchange mailbox.
        let mut ex_details: BTreeSet<String> = BTreeSet::new();
        let mut alias_domains: BTreeMap<String, Option<BTreeSet<String>>> = BTreeMap::new(); // None = all aliases' members
        for s in &specs {
            match s {
                RowSpec::Create(c) => {
                    touched.insert(c.addr.domain.clone());
                    touched.extend(c.forward_to.iter().filter_map(|f| domain_of(f)));
                }
                RowSpec::Update(a, u) => {
                    touched.insert(a.domain.clone());
                    if u.forward_to.is_some() || u.keep_copy.is_some() || u.auto_reply.is_some() {
                        details.insert(a.to_string());
                    }
                    if u.forward_to.is_some() || u.keep_copy.is_some() || u.enabled.is_some() {
                        ex_details.insert(a.to_string());
                    }
                    touched.extend(u.forward_to.iter().flatten().filter_map(|f| domain_of(f)));
                }
                RowSpec::ResetPassword { addr, .. } => {
                    touched.insert(addr.domain.clone());
                }
                RowSpec::Delete(addr) => {
                    // Every alias with its members: a deleted mailbox is taken out of them.
                    touched.insert(addr.domain.clone());
                    alias_domains.insert(addr.domain.clone(), None);
                }
                RowSpec::Alias { alias, member, .. } => {
                    touched.insert(alias.domain.clone());
                    if let Some(d) = domain_of(member) {
                        touched.insert(d);
                    }
                    if let Some(set) = alias_domains.entry(alias.domain.clone()).or_insert_with(|| Some(BTreeSet::new())) {
                        set.insert(alias.local.clone());
                    }
                }
                RowSpec::Offboard(o) => {
                    touched.insert(o.addr.domain.clone());
                    details.insert(o.addr.to_string());
                    ex_details.insert(o.addr.to_string());
                    if let Some(d) = o.forward_to.as_deref().and_then(domain_of) {
                        touched.insert(d);
                    }
                    if o.remove_from_aliases {
                        alias_domains.insert(o.addr.domain.clone(), None);
                    }
                }
                RowSpec::AlreadyDone { .. } | RowSpec::Contact(_) | RowSpec::ListMember { .. } | RowSpec::SpamEntry { .. } => {}
            }
        }
        // Alias names (not members) where a forwarding target or a new mailbox's name could be
        // an alias: one call per 250 aliases.
        let mut names_only: BTreeSet<String> = BTreeSet::new();
        for s in &specs {
            match s {
                RowSpec::Create(c) => {
                    names_only.insert(c.addr.domain.clone());
                    names_only.extend(c.forward_to.iter().filter_map(|f| domain_of(f)));
                }
                RowSpec::Update(_, u) => names_only.extend(u.forward_to.iter().flatten().filter_map(|f| domain_of(f))),
                RowSpec::Offboard(o) => names_only.extend(o.forward_to.as_deref().and_then(domain_of)),
                _ => {}
            }
        }
        for d in names_only {
            alias_domains.entry(d).or_insert_with(|| Some(BTreeSet::new()));
        }
        // Exchange limits: for creating, and for size changes (only where the domain has Exchange).
        let needs_domain_details = v.kind == JobKind::Create;
        let ex_sizes: BTreeSet<&str> =
            specs.iter().filter_map(|s| if let RowSpec::Update(a, u) = s { u.size.map(|_| a.domain.as_str()) } else { None }).collect();
        let in_account: Vec<String> = touched.iter().filter(|d| snap.domains.contains_key(*d)).cloned().collect();
        for d in &in_account {
            let listed = snap.domains.get(d).cloned().unwrap_or_default();
            let mut ds = DomainSnap { no_exchange: listed.no_exchange, no_rs: listed.no_rs, ..DomainSnap::default() };
            if !ds.no_rs {
                progress(&format!("Reading the mailboxes of {d}…"));
                let mut q = MailboxQuery { fields: vec![MailboxField::Size, MailboxField::CurrentUsage, MailboxField::Enabled], ..MailboxQuery::default() };
                let mut pager = crate::api::Pager::new(0, q.size);
                while let Some(offset) = pager.offset() {
                    q.offset = offset;
                    let p = client.mailboxes_page(d, &q).await?;
                    snap.reads += 1;
                    pager.advance(&p)?;
                    let last = pager.offset().is_none();
                    for m in p.items {
                        ds.mailboxes.insert(m.name.to_ascii_lowercase(), m);
                    }
                    if last {
                        break;
                    }
                }
            }
            if !ds.no_exchange {
                progress(&format!("Reading the Exchange mailboxes of {d}…"));
                let mut pager = crate::api::Pager::new(0, MAX_PAGE_SIZE);
                while let Some(offset) = pager.offset() {
                    let p = client.ex_mailboxes_page(d, &ExMailboxQuery { offset, ..ExMailboxQuery::default() }).await?;
                    snap.reads += 1;
                    pager.advance(&p)?;
                    let last = pager.offset().is_none();
                    for m in p.items {
                        ds.ex_mailboxes.insert(m.name.to_ascii_lowercase(), m);
                    }
                    if last {
                        break;
                    }
                }
            }
            if needs_domain_details || (!ds.no_exchange && ex_sizes.contains(d.as_str())) {
                let info = client.domain(d).await?;
                snap.reads += 1;
                ds.base_size = info.rs_email_base_mailbox_size.filter(|s| *s > 0);
                ds.max_mailboxes = info.rs_email_max_number_mailboxes.filter(|s| *s > 0);
                if !ds.no_exchange {
                    ds.ex_limits = Some(ExchangeLimits::of_domain(&info));
                    ds.ex_max_mailboxes = info.exchange_max_num_mailboxes.filter(|s| *s > 0);
                }
            }
            if ds.no_rs {
                // An Exchange-only domain has no Rackspace Email aliases to read.
            } else if let Some(wanted) = alias_domains.get(d) {
                progress(&format!("Reading the aliases of {d}…"));
                let mut aliases = BTreeMap::new();
                let mut summaries = Vec::new();
                let mut pager = crate::api::Pager::new(0, MAX_PAGE_SIZE);
                while let Some(offset) = pager.offset() {
                    let p = client.aliases_page(d, MAX_PAGE_SIZE, offset).await?;
                    snap.reads += 1;
                    pager.advance(&p)?;
                    let last = pager.offset().is_none();
                    summaries.extend(p.items);
                    if last {
                        break;
                    }
                }
                for a in summaries {
                    let name = a.name.to_ascii_lowercase();
                    let needed = wanted.as_ref().is_none_or(|w| w.contains(&name));
                    let members = match (&a.single_member_name, a.number_of_members) {
                        (Some(m), _) if a.number_of_members.is_none_or(|n| n <= 1) => vec![m.to_ascii_lowercase()],
                        (_, Some(0)) => vec![],
                        _ if needed => {
                            snap.reads += 1;
                            client.alias(d, &name).await?.members.iter().map(|m| m.to_ascii_lowercase()).collect()
                        }
                        _ => vec![],
                    };
                    aliases.insert(name, members);
                }
                ds.aliases = Some(aliases);
            }
            snap.domains.insert(d.clone(), ds);
        }
        let wanted: Vec<EmailAddress> = details.iter().filter_map(|a| EmailAddress::parse(a).ok()).collect();
        let total = wanted.len();
        for (i, a) in wanted.into_iter().enumerate() {
            let Some(ds) = snap.domains.get_mut(&a.domain) else { continue };
            if !ds.mailboxes.contains_key(&a.local) {
                continue;
            }
            if i % 10 == 0 {
                progress(&format!("Reading mailbox details ({} of {total})…", i + 1));
            }
            match client.mailbox(&a.domain, &a.local).await {
                Ok(m) => {
                    ds.details.insert(a.local.clone(), m);
                }
                Err(e) if e.is_not_found() => {
                    ds.mailboxes.remove(&a.local);
                }
                Err(e) => return Err(e),
            }
            snap.reads += 1;
        }
        let wanted: Vec<EmailAddress> = ex_details
            .iter()
            .filter_map(|a| EmailAddress::parse(a).ok())
            .filter(|a| snap.domains.get(&a.domain).is_some_and(|d| d.ex_mailboxes.contains_key(&a.local)))
            .collect();
        let total = wanted.len();
        for (i, a) in wanted.into_iter().enumerate() {
            if i % 10 == 0 {
                progress(&format!("Reading Exchange mailbox details ({} of {total})…", i + 1));
            }
            let m = client.ex_mailbox(&a.domain, &a.local).await;
            snap.reads += 1;
            let Some(ds) = snap.domains.get_mut(&a.domain) else { continue };
            match m {
                Ok(m) => {
                    ds.ex_details.insert(a.local.clone(), m);
                }
                Err(e) if e.is_not_found() => {
                    ds.ex_mailboxes.remove(&a.local);
                }
                Err(e) => return Err(e),
            }
        }
        Ok(snap)
    }

    /// Each touched Exchange domain's contacts (one call per 250), and the details of those
    /// the file names (one call each).
    async fn load_contacts(&mut self, client: &Client, specs: &[&RowSpec], progress: &(dyn Fn(&str) + Sync)) -> Result<(), ApiError> {
        let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for s in specs {
            if let RowSpec::Contact(c) = s {
                wanted.entry(c.domain.clone()).or_default().insert(c.name.clone());
            }
        }
        for (d, names) in wanted {
            let Some(ds) = self.domains.get_mut(&d).filter(|ds| !ds.no_exchange) else { continue };
            progress(&format!("Reading the contacts of {d}…"));
            let mut pager = crate::api::Pager::new(0, MAX_PAGE_SIZE);
            let mut all = BTreeMap::new();
            while let Some(offset) = pager.offset() {
                let p = client.contacts_page(&d, &ContactQuery { offset, ..ContactQuery::default() }).await?;
                self.reads += 1;
                pager.advance(&p)?;
                let last = pager.offset().is_none();
                for c in p.items {
                    all.insert(c.name.to_ascii_lowercase(), ContactSnap { display_name: c.display_name, external_email: c.external_email, details: None });
                }
                if last {
                    break;
                }
            }
            let present: Vec<String> = names.into_iter().filter(|n| all.contains_key(n)).collect();
            let total = present.len();
            for (i, n) in present.into_iter().enumerate() {
                if i % 10 == 0 {
                    progress(&format!("Reading contact details of {d} ({} of {total})…", i + 1));
                }
                match client.contact(&d, &n).await {
                    Ok(c) => {
                        let e = all.entry(n).or_default();
                        e.details = Some(c.details().clone());
                        e.display_name = c.display_name.clone().or(e.display_name.take());
                        e.external_email = c.external_email.clone().or(e.external_email.take());
                    }
                    Err(e) if e.is_not_found() => {
                        all.remove(&n);
                    }
                    Err(e) => return Err(e),
                }
                self.reads += 1;
            }
            ds.contacts = Some(all);
        }
        Ok(())
    }

    /// Each spam target of the file, found once (a domain of the account; a mailbox of either
    /// service: one or two reads), and each list its rows touch, read once.
    async fn load_spam(&mut self, client: &Client, specs: &[&RowSpec], progress: &(dyn Fn(&str) + Sync)) -> Result<(), ApiError> {
        let mut wanted: BTreeMap<SpamTarget, BTreeSet<SpamList>> = BTreeMap::new();
        for s in specs {
            if let RowSpec::SpamEntry { target, list, .. } = s {
                wanted.entry(target.clone()).or_default().insert(*list);
            }
        }
        for (target, lists) in wanted {
            let Some(ds) = self.domains.get(target.domain()) else { continue };
            let services: Vec<Service> = [(Service::RackspaceEmail, !ds.no_rs), (Service::Exchange, !ds.no_exchange)].into_iter().filter(|(_, has)| *has).map(|(s, _)| s).collect();
            if !target.is_domain() {
                progress(&format!("Finding the mailbox {target}…"));
            }
            let owner = match crate::spam::resolve_in(client, &target, services.clone()).await {
                Ok(o) => {
                    self.reads += match o.kind {
                        OwnerKind::Domain => 0,
                        OwnerKind::RsMailbox => 1,
                        OwnerKind::ExMailbox => services.len() as u64,
                    };
                    o
                }
                Err(e) if e.is_not_found() => {
                    self.reads += services.len() as u64;
                    let which = match (services.contains(&Service::RackspaceEmail), services.contains(&Service::Exchange)) {
                        (true, true) => "neither a Rackspace Email nor an Exchange mailbox",
                        (false, true) => "not an Exchange mailbox",
                        _ => "not a mailbox",
                    };
                    self.spam.insert(target.to_string(), SpamSnap::Missing(format!("{target} is {which} of {}. Check the spelling against the list of mailboxes (an alias has no spam settings of its own).", target.domain())));
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut read = BTreeMap::new();
            for l in lists {
                progress(&format!("Reading the {} of {}…", l.label(), owner.target()));
                read.insert(l, client.spam_list(&owner, l).await?);
                self.reads += 1;
            }
            self.spam.insert(target.to_string(), SpamSnap::Found { owner, lists: read });
        }
        Ok(())
    }

    fn mailbox(&self, a: &EmailAddress) -> Option<&MailboxSummary> {
        self.domains.get(&a.domain)?.mailboxes.get(&a.local)
    }
    pub(super) fn ex_mailbox(&self, a: &EmailAddress) -> Option<&ExMailboxSummary> {
        self.domains.get(&a.domain)?.ex_mailboxes.get(&a.local)
    }
    pub(super) fn ex_details(&self, a: &EmailAddress) -> Option<&ExMailbox> {
        self.domains.get(&a.domain)?.ex_details.get(&a.local)
    }
    fn details(&self, a: &EmailAddress) -> Option<&Mailbox> {
        self.domains.get(&a.domain)?.details.get(&a.local)
    }
    /// What deleting (or offboarding) the mailbox does to the aliases read for its domain.
    fn delete_impact(&self, a: &EmailAddress) -> crate::addresses::DeleteImpact {
        let list: Vec<(String, Vec<String>)> = self
            .domains
            .get(&a.domain)
            .and_then(|d| d.aliases.as_ref())
            .map(|al| al.iter().map(|(name, members)| (format!("{name}@{}", a.domain), members.clone())).collect())
            .unwrap_or_default();
        crate::addresses::DeleteImpact::of(&list, &a.to_string())
    }

    fn is_alias(&self, a: &EmailAddress) -> bool {
        self.domains.get(&a.domain).and_then(|d| d.aliases.as_ref()).is_some_and(|al| al.contains_key(&a.local))
    }
}

/// Where a row's password comes from. The password itself is never in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PasswordSource {
    /// Generated when the row is applied; shown once.
    Generate,
    /// The row's password cell, read from the file again when the row is applied.
    FromFile,
}

/// What a row does when applied. Stored in the job record (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "op")]
pub enum Op {
    /// Nothing to send.
    Nothing { reason: String },
    #[serde(rename_all = "camelCase")]
    Create {
        address: String,
        size: u64,
        display_name: Option<String>,
        first_name: Option<String>,
        last_name: Option<String>,
        enabled: Option<bool>,
        forward_to: Vec<String>,
        keep_copy: Option<bool>,
        auto_reply: Option<String>,
        password: PasswordSource,
    },
    /// Only the fields that change are set.
    #[serde(rename_all = "camelCase")]
    Update {
        address: String,
        display_name: Option<String>,
        size: Option<u64>,
        enabled: Option<bool>,
        forward_to: Option<Vec<String>>,
        keep_copy: Option<bool>,
        /// `Some(None)`: turn the auto-reply off.
        auto_reply: Option<Option<String>>,
    },
    #[serde(rename_all = "camelCase")]
    ResetPassword { address: String, password: PasswordSource },
    /// `creates`: the alias does not exist yet and is created with this member.
    #[serde(rename_all = "camelCase")]
    AliasAdd { alias: String, member: String, creates: bool },
    /// `deletes`: the member is the alias's last, so the alias is deleted.
    #[serde(rename_all = "camelCase")]
    AliasRemove { alias: String, member: String, deletes: bool },
    /// One step per alias that delivers to the mailbox (taken out of it; an alias left with no
    /// address is deleted), then the mailbox's deletion.
    #[serde(rename_all = "camelCase")]
    Delete {
        address: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        leave_aliases: Vec<String>,
    },
    /// Step 1: one change of the mailbox (new random password, and enabled, forwarding,
    /// auto-reply where they change); then one step per alias to leave.
    #[serde(rename_all = "camelCase")]
    Offboard { address: String, enabled: Option<bool>, forward_to: Option<String>, auto_reply: Option<String>, leave_aliases: Vec<String> },
    /// A new Exchange contact `name` in `domain`.
    #[serde(rename_all = "camelCase")]
    ContactCreate { domain: String, name: String, email: String, display_name: String, fields: ContactFields },
    /// Only what differs from the contact on the server is set.
    #[serde(rename_all = "camelCase")]
    ContactEdit { domain: String, name: String, email: Option<String>, display_name: Option<String>, fields: ContactFields },
    /// One member added to (`add`) or removed from a distribution list; waits for it to settle.
    #[serde(rename_all = "camelCase")]
    ListMember { list: String, member: String, add: bool },
    /// One entry added to (`add`) or removed from a spam list of a domain or a mailbox.
    #[serde(rename_all = "camelCase")]
    SpamEntry { owner: SpamOwner, list: SpamList, entry: String, add: bool },
    /// A new Hosted Exchange mailbox (Exchange forwards to one address, and has no auto-reply
    /// in the API).
    #[serde(rename_all = "camelCase")]
    ExCreate {
        address: String,
        size: u64,
        display_name: String,
        enabled: Option<bool>,
        forward_to: Option<String>,
        keep_copy: Option<bool>,
        contact: ContactFields,
        password: PasswordSource,
    },
    /// Only the fields that change are set; a `forwardTo` of "" stops forwarding.
    #[serde(rename_all = "camelCase")]
    ExUpdate { address: String, display_name: Option<String>, size: Option<u64>, enabled: Option<bool>, forward_to: Option<String>, keep_copy: Option<bool> },
    #[serde(rename_all = "camelCase")]
    ExResetPassword { address: String, password: PasswordSource },
    /// One change of the Exchange mailbox: a new random password, and enabled, forwarding and
    /// hidden from the address book where they change.
    #[serde(rename_all = "camelCase")]
    ExOffboard { address: String, enabled: Option<bool>, forward_to: Option<String>, hide: Option<bool> },
    /// An Exchange mailbox deleted with all its mail.
    #[serde(rename_all = "camelCase")]
    ExDelete { address: String },
}

/// The contact fields a bulk contacts job sets, for comparing and sending.
fn contact_field_values(f: &ContactFields) -> [(&'static str, &Option<String>); 6] {
    [
        ("firstName", &f.first_name),
        ("lastName", &f.last_name),
        ("company", &f.company),
        ("jobTitle", &f.job_title),
        ("businessNumber", &f.business_number),
        ("mobileNumber", &f.mobile_number),
    ]
}

/// The fields of `want` that `have` does not already hold (an empty cell leaves a field as it is).
pub(crate) fn contact_field_changes(have: Option<&ContactFields>, want: &ContactFields) -> (ContactFields, Vec<(&'static str, String, String)>) {
    let empty = ContactFields::default();
    let have = have.unwrap_or(&empty);
    let mut out = ContactFields::default();
    let mut said = Vec::new();
    let olds = contact_field_values(have);
    for (i, (name, v)) in contact_field_values(want).into_iter().enumerate() {
        let Some(v) = v.as_ref().map(|v| v.trim().to_owned()) else { continue };
        let old = olds[i].1.as_deref().unwrap_or("").trim().to_owned();
        if old != v {
            said.push((name, old, v.clone()));
            match name {
                "firstName" => out.first_name = Some(v),
                "lastName" => out.last_name = Some(v),
                "company" => out.company = Some(v),
                "jobTitle" => out.job_title = Some(v),
                "businessNumber" => out.business_number = Some(v),
                _ => out.mobile_number = Some(v),
            }
        }
    }
    (out, said)
}

impl Op {
    /// (reads, writes) when applied, as Rackdesk sends them (Ops reads a mailbox before
    /// changing it, for the journal's "old" values).
    pub fn cost(&self) -> (u64, u64) {
        match self {
            Op::Nothing { .. } => (0, 0),
            Op::Create { .. } => (0, 1),
            Op::Update { .. } | Op::ResetPassword { .. } => (1, 1),
            Op::Delete { leave_aliases, .. } => (1 + 2 * leave_aliases.len() as u64, 1 + leave_aliases.len() as u64),
            Op::AliasAdd { creates: true, .. } => (1, 1),
            Op::AliasAdd { .. } | Op::AliasRemove { .. } => (2, 1),
            Op::Offboard { leave_aliases, .. } => (1 + 2 * leave_aliases.len() as u64, 1 + leave_aliases.len() as u64),
            // Ops reads the contact first: for "already exists", and the journal's old values.
            Op::ContactCreate { .. } | Op::ContactEdit { .. } => (1, 1),
            // The members read first, the list before the change, and the reads while it settles.
            Op::ListMember { .. } => (4, 1),
            // Ops reads the list first (what is already there, for the journal).
            Op::SpamEntry { .. } => (1, 1),
            // The domain's limits, then "already there?".
            Op::ExCreate { .. } => (2, 1),
            // The mailbox first (the journal's old values), and the limits for a new size.
            Op::ExUpdate { size, .. } => (1 + u64::from(size.is_some()), 1),
            Op::ExResetPassword { .. } | Op::ExOffboard { .. } | Op::ExDelete { .. } => (1, 1),
        }
    }

    /// How many steps (requests that change something) the row has.
    pub fn steps(&self) -> usize {
        match self {
            Op::Nothing { .. } => 0,
            Op::Offboard { leave_aliases, .. } | Op::Delete { leave_aliases, .. } => 1 + leave_aliases.len(),
            _ => 1,
        }
    }

    /// Where the row's password comes from, when it sets one.
    pub fn password(&self) -> Option<PasswordSource> {
        match self {
            Op::Create { password, .. } | Op::ResetPassword { password, .. } | Op::ExCreate { password, .. } | Op::ExResetPassword { password, .. } => Some(*password),
            Op::Offboard { .. } | Op::ExOffboard { .. } => Some(PasswordSource::Generate),
            _ => None,
        }
    }

    /// The verb for counting: create, change, delete, no change.
    pub fn verb(&self) -> &'static str {
        match self {
            Op::Nothing { .. } => "no change",
            Op::Create { .. } | Op::AliasAdd { creates: true, .. } | Op::ContactCreate { .. } | Op::ExCreate { .. } => "create",
            Op::Delete { .. } | Op::AliasRemove { deletes: true, .. } | Op::ExDelete { .. } => "delete",
            _ => "change",
        }
    }
}

/// The plan's line for the aliases a deleted or offboarded mailbox leaves.
fn aliases_change(impact: &crate::addresses::DeleteImpact) -> Option<Change> {
    let updated = impact.updated();
    let mut parts = Vec::new();
    if !updated.is_empty() {
        parts.push(format!("taken out of {}", updated.join(", ")));
    }
    if !impact.emptied.is_empty() {
        parts.push(format!("{} deleted (no other address)", impact.emptied.join(", ")));
    }
    (!parts.is_empty()).then(|| Change { field: "aliases".into(), from: None, to: parts.join("; ") })
}

/// One field's change, for the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    pub field: String,
    pub from: Option<String>,
    pub to: String,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.from {
            Some(from) => write!(f, "change {} from {from} to {}", self.field, self.to),
            None => write!(f, "{} {}", self.field, self.to),
        }
    }
}

/// One row of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedRow {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    pub target: String,
    /// `None`: the row has errors and will not be applied.
    pub op: Option<Op>,
    pub changes: Vec<Change>,
    /// One plain line: "create (2.0 GB; password generated)", "change enabled from yes to no", "no change".
    pub text: String,
    /// The row's cells by our column name (never the password), for the results file.
    pub cells: BTreeMap<String, String>,
}

/// Counts for the plan's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    pub rows: usize,
    pub creates: usize,
    pub changes: usize,
    pub deletes: usize,
    pub no_change: usize,
    pub with_errors: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// A whole plan.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub kind: JobKind,
    pub rows: Vec<PlannedRow>,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    pub counts: Counts,
    /// Requests the job will send: reads and writes.
    pub reads: u64,
    pub writes: u64,
    /// From the published limits; see [`eta`].
    pub eta_secs: u64,
    /// Read calls made to check the file.
    pub checked_with_reads: u64,
}

impl Plan {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }
    pub fn warnings(&self) -> usize {
        self.problems.iter().filter(|p| p.severity == Severity::Warning).count()
    }
    /// Rows that will send something.
    pub fn changing_rows(&self) -> usize {
        self.rows.iter().filter(|r| r.op.as_ref().is_some_and(|o| o.steps() > 0)).count()
    }
}

/// How long `reads` and `writes` take at `limits`: each kind goes out in bursts of its limit
/// per window (the scheduler frees a slot one window after its request finished), plus a
/// typical round trip per request (0.3 s at the real service, scaled with a shortened window).
pub fn eta(reads: u64, writes: u64, limits: Limits) -> Duration {
    let window = limits.window.as_secs_f64();
    let latency = 0.3 * (window / 60.0).min(1.0);
    let run = |n: u64, per: u32| -> f64 {
        if n == 0 {
            return 0.0;
        }
        let per = u64::from(per.max(1));
        let cycles = (n - 1) / per;
        cycles as f64 * (window + latency) + ((n - 1) % per + 1) as f64 * latency
    };
    let secs = run(writes, limits.writes).max(run(reads, limits.reads)) + latency * reads.min(writes) as f64;
    Duration::from_secs_f64(secs.ceil())
}

/// "about 17 minutes", "less than a minute", "about 2 hours 5 minutes".
pub fn eta_text(secs: u64) -> String {
    match secs {
        0..=59 => "less than a minute".into(),
        60..=5399 => {
            let m = (secs + 30) / 60;
            format!("about {m} minute{}", if m == 1 { "" } else { "s" })
        }
        _ => {
            let m = (secs + 30) / 60;
            format!("about {} hours {} minutes", m / 60, m % 60)
        }
    }
}

mod exchange;

/// A size above what a Rackspace Email mailbox can have (the file's check allowed Exchange's).
fn rs_size_error(mb: u64) -> String {
    format!("{mb} MB is more than a Rackspace Email mailbox can have: write a size between 1 and {MAX_MAILBOX_MB} MB (25 GB).")
}

/// "jane@example.com" or "the domain example.com".
fn spam_owner_words(o: &SpamOwner) -> String {
    match o.kind {
        OwnerKind::Domain => format!("the domain {}", o.domain),
        _ => o.target(),
    }
}

fn yn(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}
fn quoted(s: &str) -> String {
    if s.is_empty() {
        "(empty)".into()
    } else {
        format!("\"{s}\"")
    }
}
fn list(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".into()
    } else {
        v.join("; ")
    }
}
fn storage(mb: u64) -> String {
    if mb < 1024 {
        format!("{mb} MB")
    } else {
        format!("{:.1} GB", mb as f64 / 1024.0)
    }
}
fn same_set(a: &[String], b: &[String]) -> bool {
    let n = |v: &[String]| v.iter().map(|s| s.to_ascii_lowercase()).collect::<BTreeSet<_>>();
    n(a) == n(b)
}

struct Planner<'a> {
    snap: &'a Snapshot,
    problems: Vec<Problem>,
    row: usize,
}

impl Planner<'_> {
    fn error(&mut self, col: &str, m: impl Into<String>) {
        self.problems.push(Problem::error(Some(self.row), Some(col), m));
    }
    fn warning(&mut self, col: &str, m: impl Into<String>) {
        self.problems.push(Problem::warning(Some(self.row), Some(col), m));
    }

    /// The domain is one of the account's.
    fn domain_ok(&mut self, col: &str, a: &EmailAddress) -> bool {
        if self.snap.domains.contains_key(&a.domain) {
            return true;
        }
        let all: Vec<&str> = self.snap.domains.keys().map(String::as_str).collect();
        self.error(col, format!("{} is not a domain of this account, so {a} cannot be used. The account's domains: {}.", a.domain, if all.is_empty() { "none".into() } else { all.join(", ") }));
        false
    }

    /// Which service's mailbox `a` is, or an error on the row when it is neither.
    fn locate(&mut self, col: &str, a: &EmailAddress) -> Option<Service> {
        if !self.domain_ok(col, a) {
            return None;
        }
        if self.snap.mailbox(a).is_some() {
            return Some(Service::RackspaceEmail);
        }
        if self.snap.ex_mailbox(a).is_some() {
            return Some(Service::Exchange);
        }
        if self.snap.is_alias(a) {
            self.error(col, format!("{a} is an alias, not a mailbox."));
        } else {
            self.error(col, format!("{a} does not exist in this account. Check the spelling against the list of mailboxes."));
        }
        None
    }

    /// A forwarding target inside the account must exist (or be created by this file).
    fn target_ok(&mut self, col: &str, target: &str, created: &BTreeSet<String>) {
        let Ok(a) = EmailAddress::parse(target) else { return };
        let Some(d) = self.snap.domains.get(&a.domain) else { return }; // outside the account
        let known = d.mailboxes.contains_key(&a.local)
            || d.ex_mailboxes.contains_key(&a.local)
            || d.aliases.as_ref().is_some_and(|al| al.contains_key(&a.local))
            || created.contains(target);
        // Aliases are only known when read; a name that is not a mailbox may still be one.
        if !known && d.aliases.is_none() {
            self.warning(col, format!("{target} is not a mailbox of this account; check that it is an alias, or mail to it will bounce."));
        } else if !known {
            self.error(col, format!("{target} does not exist in this account; mail forwarded to it would bounce."));
        }
    }
}

/// Completes the checks with what the server has and says what each row will do.
pub fn plan(input: &CsvInput, v: &Validated, snap: &Snapshot, limits: Limits) -> Plan {
    let mut p = Planner { snap, problems: v.problems.clone(), row: 0 };
    let kind = v.kind;
    let cells_of: BTreeMap<usize, BTreeMap<String, String>> =
        input.rows.iter().map(|r| (r.row, r.cells.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())).collect();
    // The file's own creations (forwarding targets may point at them).
    let created: BTreeSet<String> = v
        .rows
        .iter()
        .filter_map(|(_, s)| match s {
            Some(RowSpec::Create(c)) => Some(c.addr.to_string()),
            _ => None,
        })
        .collect();
    let mut new_per_domain: BTreeMap<String, u64> = BTreeMap::new();
    // Alias members as the file goes along (rows apply in order).
    let mut alias_state: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    // Distribution list members, likewise.
    let mut list_state: BTreeMap<String, Option<Vec<String>>> = BTreeMap::new();
    // Spam lists' entries by target and list, likewise.
    let mut spam_state: BTreeMap<(String, SpamList), Vec<SpamEntry>> = BTreeMap::new();
    let mut rows = Vec::new();
    for (row, spec) in &v.rows {
        p.row = *row;
        let errors_before = p.problems.iter().filter(|x| x.is_error() && x.row == Some(*row)).count();
        let mut changes: Vec<Change> = Vec::new();
        let ch = |field: &str, from: Option<String>, to: String| Change { field: field.into(), from, to };
        let op: Option<Op> = match spec {
            None => None,
            Some(RowSpec::AlreadyDone { result, .. }) => Some(Op::Nothing { reason: format!("skipped: {result} in an earlier job") }),
            Some(RowSpec::Create(c)) => 'create: {
                let mut ok = p.domain_ok("email", &c.addr);
                if ok && (p.snap.mailbox(&c.addr).is_some() || p.snap.ex_mailbox(&c.addr).is_some()) {
                    p.error("email", format!("{} already exists.", c.addr));
                    ok = false;
                } else if ok && p.snap.is_alias(&c.addr) {
                    p.error("email", format!("{} is already an alias.", c.addr));
                    ok = false;
                }
                let service = if ok { p.create_service(c) } else { None };
                ok &= service.is_some();
                if service == Some(Service::Exchange) {
                    break 'create p.ex_create(c, &created, &mut new_per_domain, &mut changes);
                }
                let ds = snap.domains.get(&c.addr.domain);
                if ok && c.size.is_some_and(|s| s > MAX_MAILBOX_MB) {
                    p.error("sizeMB", rs_size_error(c.size.unwrap_or_default()));
                    ok = false;
                }
                if ok && ds.is_some_and(|d| !d.no_exchange) {
                    changes.push(ch("mailbox", None, format!("on {}", Service::RackspaceEmail.label())));
                }
                if ok {
                    let n = new_per_domain.entry(c.addr.domain.clone()).or_default();
                    *n += 1;
                    if let Some(max) = ds.and_then(|d| d.max_mailboxes) {
                        let have = ds.map(|d| d.mailboxes.len() as u64).unwrap_or(0);
                        if have + *n > max {
                            p.error("email", format!("{} can have at most {max} mailboxes; it has {have}, and this row would add number {}.", c.addr.domain, have + *n));
                            ok = false;
                        }
                    }
                }
                for f in &c.forward_to {
                    p.target_ok("forwardTo", f, &created);
                }
                let size = c.size.unwrap_or_else(|| crate::rules::standard_size(ds.and_then(|d| d.base_size)));
                let password = if c.password_given { PasswordSource::FromFile } else { PasswordSource::Generate };
                changes.push(ch("size", None, format!("{}{}", storage(size), if c.size.is_none() { " (the domain's standard size)" } else { "" })));
                if let Some(d) = &c.display_name {
                    changes.push(ch("displayName", None, quoted(d)));
                }
                if let Some(e) = c.enabled {
                    changes.push(ch("enabled", None, yn(e)));
                }
                if !c.forward_to.is_empty() {
                    changes.push(ch("forwardTo", None, list(&c.forward_to)));
                }
                if c.auto_reply.is_some() {
                    changes.push(ch("autoReply", None, "on".into()));
                }
                changes.push(ch("password", None, if c.password_given { "from the file".into() } else { "generated (shown once at the end)".into() }));
                ok.then(|| Op::Create {
                    address: c.addr.to_string(),
                    size,
                    display_name: c.display_name.clone(),
                    first_name: c.first_name.clone(),
                    last_name: c.last_name.clone(),
                    enabled: c.enabled,
                    forward_to: c.forward_to.clone(),
                    keep_copy: c.keep_copy,
                    auto_reply: c.auto_reply.clone(),
                    password,
                })
            }
            Some(RowSpec::Update(a, u)) => {
                let service = p.locate("email", a);
                if service == Some(Service::Exchange) {
                    p.ex_update(a, u, &mut changes)
                } else if service.is_some() {
                    let cur = snap.mailbox(a).cloned();
                    let det = snap.details(a).cloned();
                    let cur = cur.as_ref();
                    let mut op = Op::Update { address: a.to_string(), display_name: None, size: None, enabled: None, forward_to: None, keep_copy: None, auto_reply: None };
                    if let Op::Update { display_name, size, enabled, forward_to, keep_copy, auto_reply, .. } = &mut op {
                        if let Some(d) = &u.display_name {
                            let old = cur.and_then(|m| m.display_name.clone()).unwrap_or_default();
                            if old != *d {
                                changes.push(ch("displayName", Some(quoted(&old)), quoted(d)));
                                *display_name = Some(d.clone());
                            }
                        }
                        if let Some(s) = u.size.filter(|s| *s > MAX_MAILBOX_MB) {
                            p.error("sizeMB", rs_size_error(s));
                        } else if let Some(s) = u.size {
                            let old = cur.and_then(|m| m.size);
                            if old != Some(s) {
                                changes.push(ch("sizeMB", old.map(|o| o.to_string()).or(Some("(unknown)".into())), s.to_string()));
                                *size = Some(s);
                                if let Some(used) = cur.and_then(|m| m.current_usage).filter(|used| *used > s) {
                                    p.warning("sizeMB", format!("{s} MB is less than the {used} MB already in use; new mail may be refused until the person deletes some."));
                                }
                            }
                        }
                        if let Some(e) = u.enabled {
                            let old = cur.and_then(|m| m.enabled);
                            if old != Some(e) {
                                changes.push(ch("enabled", old.map(yn), yn(e)));
                                *enabled = Some(e);
                            }
                        }
                        if let Some(f) = &u.forward_to {
                            for t in f {
                                p.target_ok("forwardTo", t, &BTreeSet::new());
                            }
                            let old = det.as_ref().map(|m| m.email_forwarding_address_list.clone()).unwrap_or_default();
                            if !same_set(&old, f) {
                                changes.push(ch("forwardTo", Some(list(&old)), list(f)));
                                *forward_to = Some(f.clone());
                            }
                        }
                        if let Some(k) = u.keep_copy {
                            let old = det.as_ref().map(|m| m.save_forwarded_email);
                            if old != Some(k) {
                                changes.push(ch("keepCopy", old.map(yn), yn(k)));
                                *keep_copy = Some(k);
                            }
                        }
                        if let Some(r) = &u.auto_reply {
                            let on = det.as_ref().is_some_and(|m| m.enable_vacation_message);
                            let msg = det.as_ref().and_then(|m| m.vacation_message.clone()).unwrap_or_default();
                            match r {
                                None if on => {
                                    changes.push(ch("autoReply", Some("on".into()), "off".into()));
                                    *auto_reply = Some(None);
                                }
                                Some(m) if !on || msg != *m => {
                                    changes.push(ch("autoReply", Some(if on { quoted(&msg) } else { "off".into() }), quoted(m)));
                                    *auto_reply = Some(Some(m.clone()));
                                }
                                _ => {}
                            }
                        }
                    }
                    Some(if changes.is_empty() { Op::Nothing { reason: "no change: the values are already in place".into() } } else { op })
                } else {
                    None
                }
            }
            Some(RowSpec::ResetPassword { addr, password_given }) => p.locate("email", addr).map(|service| {
                changes.push(ch("password", None, if *password_given { "reset to the one in the file".into() } else { "reset to a generated one (shown once at the end)".into() }));
                let (address, password) = (addr.to_string(), if *password_given { PasswordSource::FromFile } else { PasswordSource::Generate });
                match service {
                    Service::RackspaceEmail => Op::ResetPassword { address, password },
                    Service::Exchange => Op::ExResetPassword { address, password },
                }
            }),
            Some(RowSpec::Delete(a)) => {
                if !p.domain_ok("email", a) {
                    None
                } else if let Some(m) = snap.ex_mailbox(a) {
                    changes.push(ch("mailbox", None, format!("Exchange mailbox deleted with all its mail ({} in use)", storage(m.current_usage.unwrap_or(0)))));
                    Some(Op::ExDelete { address: a.to_string() })
                } else if let Some(m) = snap.mailbox(a) {
                    let impact = snap.delete_impact(a);
                    if let Some(c) = aliases_change(&impact) {
                        changes.push(c);
                    }
                    changes.push(ch("mailbox", None, format!("deleted with all its mail ({} in use)", storage(m.current_usage.unwrap_or(0)))));
                    Some(Op::Delete { address: a.to_string(), leave_aliases: impact.aliases })
                } else if snap.is_alias(a) {
                    p.error("email", format!("{a} is an alias, not a mailbox; this job deletes mailboxes only (delete the alias on its own)."));
                    None
                } else {
                    p.warning("email", format!("{a} does not exist, so there is nothing to delete."));
                    Some(Op::Nothing { reason: "no change: it does not exist".into() })
                }
            }
            Some(RowSpec::Alias { alias, member, add }) => {
                let mut ok = p.domain_ok("alias", alias);
                if ok && snap.mailbox(alias).is_some() {
                    p.error("alias", format!("{alias} is a mailbox, not an alias."));
                    ok = false;
                }
                let member_addr = EmailAddress::parse_external("member", member).ok();
                let internal = member_addr.as_ref().is_some_and(|m| m.domain == alias.domain);
                if ok && *add && internal {
                    let local = member_addr.as_ref().map(|m| m.local.clone()).unwrap_or_default();
                    if !snap.domains.get(&alias.domain).is_some_and(|d| d.mailboxes.contains_key(&local)) {
                        p.error("member", format!("{member} has no mailbox; an alias can deliver only to existing mailboxes of {} or to outside addresses.", alias.domain));
                        ok = false;
                    }
                }
                let key = alias.to_string();
                let state = alias_state.entry(key.clone()).or_insert_with(|| {
                    snap.domains.get(&alias.domain).and_then(|d| d.aliases.as_ref()).and_then(|al| al.get(&alias.local).cloned())
                });
                if !ok {
                    None
                } else if *add {
                    match state {
                        Some(members) if members.contains(member) => Some(Op::Nothing { reason: format!("no change: {member} is already a member") }),
                        Some(members) => {
                            let before = members.len();
                            members.push(member.clone());
                            let external = members.iter().filter(|m| domain_of(m).as_deref() != Some(alias.domain.as_str())).count();
                            if external > MAX_ALIAS_EXTERNAL {
                                p.error("member", format!("{alias} would have {external} members outside {}; at most {MAX_ALIAS_EXTERNAL} are allowed.", alias.domain));
                                members.pop();
                                None
                            } else if members.len() > MAX_ALIAS_MEMBERS {
                                p.error("member", format!("{alias} would have {} members; at most {MAX_ALIAS_MEMBERS} are allowed.", members.len()));
                                members.pop();
                                None
                            } else {
                                changes.push(ch("members", Some(before.to_string()), format!("{} (adds {member})", members.len())));
                                Some(Op::AliasAdd { alias: key.clone(), member: member.clone(), creates: false })
                            }
                        }
                        None => {
                            *state = Some(vec![member.clone()]);
                            changes.push(ch("alias", None, format!("created, delivering to {member}")));
                            Some(Op::AliasAdd { alias: key.clone(), member: member.clone(), creates: true })
                        }
                    }
                } else {
                    match state {
                        None => {
                            p.error("alias", format!("{alias} does not exist, so nobody can be removed from it."));
                            None
                        }
                        Some(members) if !members.contains(member) => Some(Op::Nothing { reason: format!("no change: {member} is not a member") }),
                        Some(members) if members.len() == 1 => {
                            p.warning("member", format!("{member} is the last member of {alias}, so the alias will be deleted (an alias needs at least one address)."));
                            *state = None;
                            changes.push(ch("alias", None, format!("deleted ({member} was its last member)")));
                            Some(Op::AliasRemove { alias: key.clone(), member: member.clone(), deletes: true })
                        }
                        Some(members) => {
                            let before = members.len();
                            members.retain(|m| m != member);
                            changes.push(ch("members", Some(before.to_string()), format!("{} (removes {member})", members.len())));
                            Some(Op::AliasRemove { alias: key.clone(), member: member.clone(), deletes: false })
                        }
                    }
                }
            }
            Some(RowSpec::Offboard(o)) => {
                let service = p.locate("email", &o.addr);
                if service == Some(Service::Exchange) {
                    Some(p.ex_offboard(o, &mut changes))
                } else if service.is_some() {
                    if o.hide {
                        p.warning("hideFromAddressBook", format!("{} is a Rackspace Email mailbox; only Exchange mailboxes can be hidden from the address book, so this cell is not applied.", o.addr));
                    }
                    if let Some(f) = &o.forward_to {
                        p.target_ok("forwardTo", f, &BTreeSet::new());
                    }
                    let cur = snap.mailbox(&o.addr);
                    let det = snap.details(&o.addr);
                    changes.push(ch("password", None, "reset to a random one (shown once at the end)".into()));
                    let was_enabled = det.map(|m| m.enabled).or(cur.and_then(|m| m.enabled)).unwrap_or(true);
                    let enabled = (!o.keep_enabled && was_enabled).then_some(false);
                    if enabled.is_some() {
                        changes.push(ch("enabled", Some("yes".into()), "no".into()));
                    }
                    let old_fwd = det.map(|m| m.email_forwarding_address_list.clone()).unwrap_or_default();
                    let forward_to = o.forward_to.clone().filter(|f| !same_set(&old_fwd, std::slice::from_ref(f)));
                    if let Some(f) = &forward_to {
                        changes.push(ch("forwardTo", Some(list(&old_fwd)), f.clone()));
                    }
                    let on = det.is_some_and(|m| m.enable_vacation_message);
                    let msg = det.and_then(|m| m.vacation_message.clone()).unwrap_or_default();
                    let auto_reply = o.auto_reply.clone().filter(|m| !on || msg != *m);
                    if let Some(m) = &auto_reply {
                        changes.push(ch("autoReply", Some(if on { quoted(&msg) } else { "off".into() }), quoted(m)));
                    }
                    let mut leave = Vec::new();
                    if o.remove_from_aliases {
                        // The same rule as deleting a mailbox: an alias left with no address is deleted.
                        let impact = snap.delete_impact(&o.addr);
                        if let Some(c) = aliases_change(&impact) {
                            changes.push(c);
                        }
                        leave = impact.aliases;
                    }
                    Some(Op::Offboard { address: o.addr.to_string(), enabled, forward_to, auto_reply, leave_aliases: leave })
                } else {
                    None
                }
            }
            Some(RowSpec::Contact(c)) => {
                let ds = snap.domains.get(&c.domain);
                match ds.map(|d| d.contacts.as_ref()) {
                    None => {
                        let all: Vec<&str> = snap.domains.keys().map(String::as_str).collect();
                        p.error("domain", format!("{} is not a domain of this account. The account's domains: {}.", c.domain, if all.is_empty() { "none".into() } else { all.join(", ") }));
                        None
                    }
                    Some(None) => {
                        p.error("domain", format!("{} has no Hosted Exchange, so it has no Exchange address book for contacts.", c.domain));
                        None
                    }
                    Some(Some(contacts)) => {
                        let email_lc = c.email.to_ascii_lowercase();
                        let other = contacts.iter().find(|(n, x)| **n != c.name && x.external_email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&email_lc)));
                        if let Some((other, _)) = other {
                            p.error("email", format!("{} is already in the address book of {} as the contact {other}; write that name in the name column to change it.", c.email, c.domain));
                            None
                        } else if let Some(cur) = contacts.get(&c.name) {
                            let old_dn = cur.display_name.clone().unwrap_or_default();
                            let display_name = (old_dn.trim() != c.display_name).then(|| c.display_name.clone());
                            if display_name.is_some() {
                                changes.push(ch("displayName", Some(quoted(&old_dn)), quoted(&c.display_name)));
                            }
                            let old_email = cur.external_email.clone().unwrap_or_default();
                            let email = (!old_email.trim().eq_ignore_ascii_case(&c.email)).then(|| c.email.clone());
                            if email.is_some() {
                                changes.push(ch("email", Some(old_email.clone()), c.email.clone()));
                            }
                            let (fields, said) = contact_field_changes(cur.details.as_ref(), &c.fields);
                            for (f, old, new) in said {
                                changes.push(ch(f, Some(quoted(&old)), quoted(&new)));
                            }
                            if changes.is_empty() {
                                Some(Op::Nothing { reason: "no change: the contact already has these values".into() })
                            } else {
                                Some(Op::ContactEdit { domain: c.domain.clone(), name: c.name.clone(), email, display_name, fields })
                            }
                        } else {
                            changes.push(ch("contact", None, format!("{} <{}>{}", quoted(&c.display_name), c.email, if c.name_derived { format!(" named {} (from the display name)", c.name) } else { String::new() })));
                            let (fields, said) = contact_field_changes(None, &c.fields);
                            for (f, _, new) in said {
                                changes.push(ch(f, None, quoted(&new)));
                            }
                            Some(Op::ContactCreate { domain: c.domain.clone(), name: c.name.clone(), email: c.email.clone(), display_name: c.display_name.clone(), fields })
                        }
                    }
                }
            }
            Some(RowSpec::ListMember { list, member, add }) => {
                let key = list.to_string();
                if !p.domain_ok("list", list) {
                    None
                } else if snap.domains.get(&list.domain).is_some_and(|d| d.no_exchange) {
                    p.error("list", format!("{} has no Hosted Exchange, so it has no distribution lists (for its aliases, use an aliases job).", list.domain));
                    None
                } else {
                    let state = list_state.entry(key.clone()).or_insert_with(|| snap.lists.get(&key).cloned().flatten());
                    match state {
                        None => {
                            p.error("list", format!("{list} is not a distribution list of {}. Check the spelling against the domain's lists.", list.domain));
                            None
                        }
                        Some(members) => {
                            let present = members.iter().any(|m| m == member);
                            if *add && present {
                                Some(Op::Nothing { reason: format!("no change: {member} is already a member") })
                            } else if !*add && !present {
                                Some(Op::Nothing { reason: format!("no change: {member} is not a member") })
                            } else {
                                let before = members.len();
                                if *add {
                                    members.push(member.clone());
                                } else {
                                    members.retain(|m| m != member);
                                }
                                let what = if *add { "adds" } else { "removes" };
                                changes.push(ch("members", Some(before.to_string()), format!("{} ({what} {member})", members.len())));
                                Some(Op::ListMember { list: key.clone(), member: member.clone(), add: *add })
                            }
                        }
                    }
                }
            }
            Some(RowSpec::SpamEntry { target, list, entry, add }) => {
                let key = target.to_string();
                if !snap.domains.contains_key(target.domain()) {
                    let all: Vec<&str> = snap.domains.keys().map(String::as_str).collect();
                    p.error("target", format!("{} is not a domain of this account. The account's domains: {}.", target.domain(), if all.is_empty() { "none".into() } else { all.join(", ") }));
                    None
                } else {
                    match snap.spam.get(&key) {
                        None => None,
                        Some(SpamSnap::Missing(why)) => {
                            p.error("target", why.clone());
                            None
                        }
                        Some(SpamSnap::Found { owner, lists }) => {
                            let state = spam_state.entry((key.clone(), *list)).or_insert_with(|| lists.get(list).cloned().unwrap_or_default());
                            let present = state.iter().any(|e| e.as_str() == entry.as_str());
                            let of = format!("the {} of {}", list.label(), spam_owner_words(owner));
                            if *add && present {
                                Some(Op::Nothing { reason: format!("no change: {entry} is already on {of}") })
                            } else if !*add && !present {
                                Some(Op::Nothing { reason: format!("no change: {entry} is not on {of}") })
                            } else {
                                let before = state.len();
                                if *add {
                                    state.push(entry.clone());
                                } else {
                                    state.retain(|e| e.as_str() != entry.as_str());
                                }
                                let what = if *add { "adds" } else { "removes" };
                                changes.push(ch(list.label(), Some(before.to_string()), format!("{} ({what} {entry})", state.len())));
                                Some(Op::SpamEntry { owner: owner.clone(), list: *list, entry: entry.to_string(), add: *add })
                            }
                        }
                    }
                }
            }
        };
        let row_has_error = p.problems.iter().filter(|x| x.is_error() && x.row == Some(*row)).count() > errors_before || spec.is_none();
        let op = if row_has_error { None } else { op };
        let text = match &op {
            None => "not applied: the row has errors".into(),
            Some(Op::Nothing { reason }) => reason.clone(),
            Some(Op::Create { .. } | Op::ContactCreate { .. } | Op::ExCreate { .. }) => format!("create: {}", changes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("; ")),
            Some(Op::SpamEntry { owner, list, entry, add }) => {
                let of = format!("the {} of {}", list.label(), spam_owner_words(owner));
                if *add { format!("add {entry} to {of}") } else { format!("remove {entry} from {of}") }
            }
            Some(Op::ExDelete { address }) => {
                let used = EmailAddress::parse(address).ok().and_then(|a| snap.ex_mailbox(&a).and_then(|m| m.current_usage)).unwrap_or(0);
                format!("delete the Exchange mailbox and all its mail ({} in use)", storage(used))
            }
            Some(Op::Delete { address, leave_aliases }) => {
                let used = EmailAddress::parse(address).ok().and_then(|a| snap.mailbox(&a).and_then(|m| m.current_usage)).unwrap_or(0);
                let aliases = if leave_aliases.is_empty() {
                    String::new()
                } else {
                    changes.iter().find(|c| c.field == "aliases").map(|c| format!("; {}", c.to)).unwrap_or_default()
                };
                format!("delete the mailbox and all its mail ({} in use){aliases}", storage(used))
            }
            Some(_) => changes.iter().map(|c| c.to_string()).collect::<Vec<_>>().join("; "),
        };
        let target = spec.as_ref().map(|s| s.target()).unwrap_or_else(|| {
            let c = cells_of.get(row);
            let col = match kind {
                JobKind::Aliases => "alias",
                JobKind::ListMembers => "list",
                JobKind::SpamList => "target",
                _ => "email",
            };
            c.and_then(|c| c.get(col).cloned()).unwrap_or_default()
        });
        rows.push(PlannedRow { row: *row, target, op, changes, text, cells: cells_of.get(row).cloned().unwrap_or_default() });
    }
    p.problems.sort_by_key(|x| (x.row.unwrap_or(0), x.severity));
    let mut problems = input.problems.clone();
    problems.extend(p.problems);
    let mut counts = Counts { rows: rows.len(), ..Counts::default() };
    let (mut reads, mut writes) = (0, 0);
    for r in &rows {
        match &r.op {
            None => counts.with_errors += 1,
            Some(op) => {
                let (rd, wr) = op.cost();
                reads += rd;
                writes += wr;
                match op.verb() {
                    "create" => counts.creates += 1,
                    "delete" => counts.deletes += 1,
                    "no change" => counts.no_change += 1,
                    _ => counts.changes += 1,
                }
            }
        }
    }
    counts.errors = problems.iter().filter(|x| x.is_error()).count();
    counts.warnings = problems.len() - counts.errors;
    Plan {
        kind,
        rows,
        problems,
        notes: input.notes.clone(),
        counts,
        reads,
        writes,
        eta_secs: eta(reads, writes, limits).as_secs(),
        checked_with_reads: snap.reads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::input::read;
    use crate::bulk::validate::validate;
    use crate::models::Mailbox;

    fn summary(name: &str, size: u64, used: u64, enabled: bool) -> MailboxSummary {
        MailboxSummary { name: name.into(), display_name: Some(format!("{name} name")), size: Some(size), current_usage: Some(used), enabled: Some(enabled), created_date: None, last_login: None }
    }

    fn details(name: &str, fwd: &[&str], vac: Option<&str>) -> Mailbox {
        Mailbox {
            name: name.into(),
            display_name: Some(format!("{name} name")),
            size: 2048,
            current_usage: Some(100),
            enabled: true,
            created_date: None,
            last_login: None,
            vacation_message: vac.map(str::to_owned),
            enable_vacation_message: vac.is_some(),
            email_forwarding_address_list: fwd.iter().map(|s| s.to_string()).collect(),
            save_forwarded_email: false,
            visible_in_rackspace_email_company_directory: None,
            visible_in_exchange_gal: None,
            contact_info: None,
        }
    }

    fn snap() -> Snapshot {
        let mut d = DomainSnap { base_size: Some(1024), max_mailboxes: Some(4), no_exchange: true, ..Default::default() };
        for (n, used, en) in [("jane", 100, true), ("sam", 3000, true), ("old", 0, false)] {
            d.mailboxes.insert(n.into(), summary(n, 2048, used, en));
        }
        d.details.insert("jane".into(), details("jane", &["x@other.org"], None));
        d.details.insert("sam".into(), details("sam", &[], Some("Away")));
        let mut al = BTreeMap::new();
        al.insert("sales".to_string(), vec!["jane@example.com".to_string(), "sam@example.com".to_string()]);
        al.insert("solo".to_string(), vec!["jane@example.com".to_string()]);
        d.aliases = Some(al);
        let mut s = Snapshot::default();
        s.domains.insert("example.com".into(), d);
        s.domains.insert("other.example".into(), DomainSnap::default());
        s
    }

    fn plan_of(kind: JobKind, csv: &str) -> Plan {
        let i = read(csv.as_bytes(), kind, &[]);
        assert!(!i.has_errors(), "{:?}", i.problems);
        plan(&i, &validate(&i), &snap(), Limits::PUBLISHED)
    }

    fn has(p: &Plan, row: usize, text: &str) -> bool {
        p.problems.iter().any(|x| x.row == Some(row) && x.message.contains(text))
    }

    #[test]
    fn create_plan_checks_the_server() {
        let p = plan_of(JobKind::Create, "email,sizeMB,forwardTo\nnew@example.com,,\njane@example.com,,\nx@nowhere.example,,\nsales@example.com,,\ntwo@example.com,,ghost@example.com\nthree@example.com,,new@example.com\n");
        assert!(matches!(&p.rows[0].op, Some(Op::Create { size: 1024, password: PasswordSource::Generate, .. })), "{:?}", p.rows[0]);
        assert!(p.rows[0].text.starts_with("create: size 1.0 GB (the domain's standard size)"), "{}", p.rows[0].text);
        assert!(has(&p, 3, "already exists"));
        assert!(has(&p, 4, "not a domain of this account"));
        assert!(has(&p, 5, "already an alias"));
        assert!(has(&p, 6, "ghost@example.com does not exist"));
        assert!(!has(&p, 7, "does not exist"), "a forwarding target created by the file is fine");
        // The domain holds at most 4: three exist, so the second new mailbox is one too many.
        assert!(has(&p, 7, "at most 4 mailboxes"), "{:?}", p.problems);
        assert!(p.has_errors());
        assert_eq!(p.counts.creates, 1);
    }

    #[test]
    fn update_plan_says_from_what_to_what() {
        let p = plan_of(JobKind::Update, "email,displayName,sizeMB,enabled,forwardTo,autoReply\njane@example.com,Jane D,2048,no,x@other.org,\nsam@example.com,,1024,,,none\nold@example.com,old name,,no,,\nghost@example.com,,,,,\n");
        assert_eq!(p.rows[0].text, "change displayName from \"jane name\" to \"Jane D\"; change enabled from yes to no");
        assert!(matches!(&p.rows[0].op, Some(Op::Update { size: None, forward_to: None, enabled: Some(false), .. })));
        assert!(p.rows[1].text.contains("change sizeMB from 2048 to 1024"), "{}", p.rows[1].text);
        assert!(p.rows[1].text.contains("change autoReply from on to off"), "{}", p.rows[1].text);
        assert!(has(&p, 3, "less than the 3000 MB"));
        assert_eq!(p.rows[2].text, "no change: the values are already in place");
        assert!(has(&p, 5, "does not exist in this account"));
        assert_eq!((p.counts.changes, p.counts.no_change, p.counts.with_errors), (2, 1, 1));
        assert_eq!((p.reads, p.writes), (2, 2));
    }

    #[test]
    fn alias_plan_follows_the_file_in_order() {
        let p = plan_of(JobKind::Aliases, "alias,member,action\nsales@example.com,old@example.com,add\nsales@example.com,jane@example.com,add\nnew@example.com,jane@example.com,add\nnew@example.com,jane@example.com,remove\nsolo@example.com,jane@example.com,remove\nsales@example.com,ghost@example.com,add\njane@example.com,sam@example.com,add\ngone@example.com,sam@example.com,remove\n");
        assert!(matches!(&p.rows[0].op, Some(Op::AliasAdd { creates: false, .. })));
        assert!(p.rows[1].text.contains("already a member"));
        assert!(matches!(&p.rows[2].op, Some(Op::AliasAdd { creates: true, .. })));
        assert!(matches!(&p.rows[3].op, Some(Op::AliasRemove { deletes: true, .. })), "{:?}", p.rows[3]);
        assert!(matches!(&p.rows[4].op, Some(Op::AliasRemove { deletes: true, .. })));
        assert!(has(&p, 7, "has no mailbox"));
        assert!(has(&p, 8, "is a mailbox, not an alias"));
        assert!(has(&p, 9, "does not exist"));
    }

    #[test]
    fn offboard_and_delete_plans() {
        let p = plan_of(JobKind::Offboard, "email,forwardTo,autoReply,removeFromAliases\njane@example.com,sam@example.com,Gone,yes\n");
        match &p.rows[0].op {
            Some(Op::Offboard { enabled: Some(false), forward_to: Some(f), auto_reply: Some(_), leave_aliases, .. }) => {
                assert_eq!(f, "sam@example.com");
                assert_eq!(leave_aliases, &vec!["sales@example.com".to_string(), "solo@example.com".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        assert!(p.rows[0].text.contains("aliases taken out of sales@example.com; solo@example.com deleted (no other address)"), "{}", p.rows[0].text);
        assert_eq!(p.rows[0].op.as_ref().unwrap().steps(), 3);
        let p = plan_of(JobKind::Delete, "email\nsam@example.com\nghost@example.com\nsales@example.com\njane@example.com\n");
        assert_eq!(p.rows[0].text, "delete the mailbox and all its mail (2.9 GB in use); taken out of sales@example.com");
        assert_eq!(p.rows[0].op, Some(Op::Delete { address: "sam@example.com".into(), leave_aliases: vec!["sales@example.com".into()] }));
        assert_eq!(p.rows[3].text, "delete the mailbox and all its mail (100 MB in use); taken out of sales@example.com; solo@example.com deleted (no other address)");
        assert_eq!(p.rows[3].op.as_ref().unwrap().steps(), 3);
        assert!(matches!(p.rows[1].op, Some(Op::Nothing { .. })));
        assert!(has(&p, 4, "is an alias"));
    }

    #[test]
    fn eta_follows_the_published_limits() {
        assert_eq!(eta(0, 0, Limits::PUBLISHED), Duration::ZERO);
        // 30 writes go out in one burst; 500 take 16 more windows.
        assert!(eta(0, 30, Limits::PUBLISHED) < Duration::from_secs(15));
        let e = eta(0, 500, Limits::PUBLISHED).as_secs();
        assert!((16 * 60..18 * 60).contains(&e), "{e}");
        // Reads are paced apart: 500 updates (500 reads + 500 writes) are bound by the writes.
        let e2 = eta(500, 500, Limits::PUBLISHED).as_secs();
        assert!(e2 >= e && e2 < 20 * 60, "{e2}");
        assert_eq!(eta_text(30), "less than a minute");
        assert_eq!(eta_text(17 * 60), "about 17 minutes");
        assert_eq!(eta_text(125 * 60), "about 2 hours 5 minutes");
    }

    #[test]
    fn contacts_plan_creates_changes_or_leaves_alone() {
        let mut s = snap();
        let mut contacts = BTreeMap::new();
        let same = ContactFields { first_name: Some("Pat".into()), company: Some("Supplier".into()), ..ContactFields::default() };
        contacts.insert("pat".to_string(), ContactSnap { display_name: Some("Pat Kim".into()), external_email: Some("pat@supplier.example".into()), details: Some(same) });
        contacts.insert("lee".to_string(), ContactSnap { display_name: Some("Lee Ray".into()), external_email: Some("lee@partner.example".into()), details: Some(ContactFields::default()) });
        contacts.insert("old".to_string(), ContactSnap { display_name: Some("Old".into()), external_email: Some("old@x.example".into()), details: None });
        s.domains.insert("example.net".into(), DomainSnap { contacts: Some(contacts), ..Default::default() });
        // A Rackspace Email domain: its contacts are never read.
        s.domains.get_mut("other.example").unwrap().no_exchange = true;
        let csv = "domain,email,displayName,name,firstName,company,jobTitle\n\
                   example.net,pat@supplier.example,Pat Kim,pat,Pat,,\n\
                   example.net,lee@partner.example,Lee Ray,lee,,,Buyer\n\
                   example.net,new@outside.example,Nia Ode,,,,\n\
                   example.net,Old@X.example,Old Twin,old-twin,,,\n\
                   nowhere.example,x@outside.example,X Y,,,,\n\
                   other.example,y@outside.example,Y Z,,,,\n";
        let i = read(csv.as_bytes(), JobKind::Contacts, &[]);
        assert!(!i.has_errors(), "{:?}", i.problems);
        let p = plan(&i, &validate(&i), &s, Limits::PUBLISHED);
        assert_eq!(p.rows[0].text, "no change: the contact already has these values", "an empty cell leaves a field as it is");
        assert_eq!(p.rows[1].text, "change jobTitle from (empty) to \"Buyer\"");
        assert_eq!(
            p.rows[1].op,
            Some(Op::ContactEdit { domain: "example.net".into(), name: "lee".into(), email: None, display_name: None, fields: ContactFields { job_title: Some("Buyer".into()), ..ContactFields::default() } })
        );
        assert!(matches!(&p.rows[2].op, Some(Op::ContactCreate { name, .. }) if name == "nia-ode"), "{:?}", p.rows[2]);
        assert!(p.rows[2].text.starts_with("create: contact \"Nia Ode\" <new@outside.example> named nia-ode (from the display name)"), "{}", p.rows[2].text);
        assert_eq!(p.rows[2].target, "nia-ode@example.net");
        assert!(has(&p, 5, "already in the address book of example.net as the contact old;"), "{:?}", p.problems);
        assert!(has(&p, 6, "not a domain of this account"), "{:?}", p.problems);
        assert!(has(&p, 7, "other.example has no Hosted Exchange"), "{:?}", p.problems);
        assert_eq!((p.counts.creates, p.counts.changes, p.counts.no_change, p.counts.with_errors), (1, 1, 1, 3));
        assert_eq!((p.reads, p.writes), (2, 2));
        // A display name that differs is a change too.
        let i = read(b"domain,email,displayName,name\nexample.net,PAT@supplier.example,Pat K.,pat\n", JobKind::Contacts, &[]);
        let p = plan(&i, &validate(&i), &s, Limits::PUBLISHED);
        assert_eq!(p.rows[0].text, "change displayName from \"Pat Kim\" to \"Pat K.\"", "the address is compared without case");
    }

    #[test]
    fn spam_list_plan_says_add_already_there_or_not_there_in_file_order() {
        let mut s = snap();
        let e = |x: &str| SpamEntry::from_server(x);
        let dom = SpamOwner::domain("example.com", vec![Service::RackspaceEmail]);
        let jane = SpamOwner::mailbox(OwnerKind::RsMailbox, &EmailAddress::parse("jane@example.com").unwrap(), vec![Service::RackspaceEmail]);
        s.spam.insert("example.com".into(), SpamSnap::Found { owner: dom, lists: [(SpamList::Block, vec![e("@bulk.example"), e("@old.example")]), (SpamList::IpBlock, vec![])].into_iter().collect() });
        s.spam.insert("jane@example.com".into(), SpamSnap::Found { owner: jane.clone(), lists: [(SpamList::Safe, vec![])].into_iter().collect() });
        s.spam.insert("nobody@example.com".into(), SpamSnap::Missing("nobody@example.com is not a mailbox of example.com.".into()));
        let csv = "target,list,entry,action\n\
                   example.com,block,@bulk.example,\n\
                   example.com,block,192.0.2.9,\n\
                   jane@example.com,safe,boss@partner.example,\n\
                   jane@example.com,safe,gone@partner.example,remove\n\
                   example.com,block,@old.example,remove\n\
                   nobody@example.com,safe,a@b.example,\n\
                   someone@nowhere.example,safe,a@b.example,\n";
        let i = read(csv.as_bytes(), JobKind::SpamList, &[]);
        assert!(!i.has_errors(), "{:?}", i.problems);
        let p = plan(&i, &validate(&i), &s, Limits::PUBLISHED);
        let texts: Vec<&str> = p.rows.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "no change: @bulk.example is already on the blocked senders of the domain example.com",
                "add 192.0.2.9 to the blocked IP addresses of the domain example.com",
                "add boss@partner.example to the safe senders of jane@example.com",
                "no change: gone@partner.example is not on the safe senders of jane@example.com",
                "remove @old.example from the blocked senders of the domain example.com",
                "not applied: the row has errors",
                "not applied: the row has errors",
            ],
            "{:?}",
            p.problems
        );
        assert_eq!(p.rows[2].op, Some(Op::SpamEntry { owner: jane, list: SpamList::Safe, entry: "boss@partner.example".into(), add: true }));
        assert!(has(&p, 7, "not a mailbox of example.com"), "{:?}", p.problems);
        assert!(has(&p, 8, "nowhere.example is not a domain of this account"), "{:?}", p.problems);
        assert_eq!((p.counts.changes, p.counts.no_change, p.counts.with_errors), (3, 2, 2));
        assert_eq!((p.reads, p.writes), (3, 3));
    }

    #[test]
    fn list_members_plan_reads_each_list_once_and_follows_the_file() {
        let mut s = snap();
        s.lists.insert("team@example.com".into(), Some(vec!["jane@example.com".into()]));
        s.lists.insert("gone@example.com".into(), None);
        s.domains.get_mut("example.com").unwrap().no_exchange = false;
        s.domains.get_mut("other.example").unwrap().no_exchange = true;
        let csv = "list,member,action\n\
                   team@example.com,Jane@example.com,add\n\
                   team@example.com,sam@example.com,\n\
                   team@example.com,pat@outside.example,remove\n\
                   team@example.com,old@example.com,add\n\
                   gone@example.com,sam@example.com,add\n\
                   team@nowhere.example,sam@example.com,add\n\
                   team@other.example,sam@example.com,add\n";
        let i = read(csv.as_bytes(), JobKind::ListMembers, &[]);
        assert!(!i.has_errors(), "{:?}", i.problems);
        let p = plan(&i, &validate(&i), &s, Limits::PUBLISHED);
        assert_eq!(p.rows[0].text, "no change: jane@example.com is already a member", "{:?}", p.problems);
        assert_eq!(p.rows[1].op, Some(Op::ListMember { list: "team@example.com".into(), member: "sam@example.com".into(), add: true }), "an empty action adds");
        assert_eq!(p.rows[1].text, "change members from 1 to 2 (adds sam@example.com)");
        assert_eq!(p.rows[2].text, "no change: pat@outside.example is not a member");
        assert_eq!(p.rows[3].text, "change members from 2 to 3 (adds old@example.com)", "the file's rows count in order");
        assert!(has(&p, 6, "not a distribution list of example.com"), "{:?}", p.problems);
        assert!(has(&p, 7, "not a domain of this account"), "{:?}", p.problems);
        assert!(has(&p, 8, "other.example has no Hosted Exchange"), "{:?}", p.problems);
        assert_eq!((p.counts.changes, p.counts.no_change, p.counts.with_errors), (2, 2, 3));
    }
}
