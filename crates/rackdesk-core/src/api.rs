//! The resources of this release, as typed calls on [`Client`]: customer `me`, admins,
//! domains, Rackspace Email mailboxes and aliases. Every name that goes into a URL is
//! validated and percent-encoded first; every write body is checked against the limits we
//! know before anything is sent.

use crate::client::{Client, Form};
use crate::error::{ApiError, Result};
use crate::limits::Category;
use crate::models::*;
use crate::names::{self, path_segment, EmailAddress};
use crate::password;
use futures::Stream;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

/// Largest page the API serves.
pub const MAX_PAGE_SIZE: u32 = 250;
/// Largest Rackspace Email mailbox, in MB. Not published [U]: 25 GB is the largest plan we
/// know of, so we refuse more rather than let the server decide.
pub const MAX_MAILBOX_MB: u64 = 25_600;
/// Limits on free text we send [U]; conservative values the control panel also keeps to.
pub const MAX_DISPLAY_NAME: usize = 128;
pub const MAX_VACATION_MESSAGE: usize = 4_000;
/// Forwarding addresses per mailbox [U].
pub const MAX_FORWARDS: usize = 15;
/// Alias members (reference §6.7): up to 50 in all, of which up to 4 outside the domain.
pub const MAX_ALIAS_MEMBERS: usize = 50;
pub const MAX_ALIAS_EXTERNAL: usize = 4;

/// Text search of an Index call. The API takes one or the other, not both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search {
    StartsWith(String),
    Contains(String),
}

/// Extra columns for the mailbox Index (`fields=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxField {
    Size,
    CurrentUsage,
    Enabled,
    CreatedDate,
    LastLogin,
}

impl MailboxField {
    pub const ALL: [MailboxField; 5] = [
        MailboxField::Size,
        MailboxField::CurrentUsage,
        MailboxField::Enabled,
        MailboxField::CreatedDate,
        MailboxField::LastLogin,
    ];
    fn as_str(self) -> &'static str {
        match self {
            MailboxField::Size => "size",
            MailboxField::CurrentUsage => "currentUsage",
            MailboxField::Enabled => "enabled",
            MailboxField::CreatedDate => "createdDate",
            MailboxField::LastLogin => "lastLogin",
        }
    }
}

/// What to list and which page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxQuery {
    pub search: Option<Search>,
    pub enabled: Option<bool>,
    pub fields: Vec<MailboxField>,
    pub size: u32,
    pub offset: u32,
}

impl Default for MailboxQuery {
    fn default() -> Self {
        MailboxQuery { search: None, enabled: None, fields: MailboxField::ALL.to_vec(), size: MAX_PAGE_SIZE, offset: 0 }
    }
}

impl MailboxQuery {
    /// The exact query string sent (tested without a network).
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        let mut q = paging(self.size, self.offset)?;
        match &self.search {
            Some(Search::StartsWith(s)) => q.push(("startswith".into(), search_text(s)?)),
            Some(Search::Contains(s)) => q.push(("contains".into(), search_text(s)?)),
            None => {}
        }
        if let Some(e) = self.enabled {
            q.push(("enabled".into(), e.to_string()));
        }
        if !self.fields.is_empty() {
            let f: Vec<&str> = self.fields.iter().map(|f| f.as_str()).collect();
            q.push(("fields".into(), f.join(",")));
        }
        Ok(q)
    }
}

pub(crate) fn paging(size: u32, offset: u32) -> Result<Vec<(String, String)>> {
    if size == 0 || size > MAX_PAGE_SIZE {
        return Err(ApiError::invalid("page size", format!("it must be between 1 and {MAX_PAGE_SIZE}")));
    }
    Ok(vec![("size".into(), size.to_string()), ("offset".into(), offset.to_string())])
}

/// One page of a listing just received, with what the loop knew before it: everything
/// [`next_offset`] decides from. Plain numbers, so any value can be fed in (e.g. by a fuzzer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageStep {
    /// The offset this page was asked for.
    pub asked_offset: u32,
    /// The page size asked for (1 to 250 in practice; 0 is read as 1).
    pub page_size: u32,
    /// The offset the answer says the page starts at.
    pub echoed_offset: u32,
    /// How many items the page holds.
    pub items: usize,
    /// The total this page reports.
    pub total: u32,
    /// The total the first page of this listing reported.
    pub first_total: u32,
    /// Pages received so far, this one included (1 for the first page).
    pub pages: u32,
}

/// Where a paged listing goes after the page described by `step`: `Ok(Some(offset))` for
/// the next page, `Ok(None)` when the listing is complete, or [`ApiError::BadPaging`] when
/// the server broke the paging rules of reference §5.1 — so that no server answer can make
/// a listing loop or run on for ever. Pure and total: it never panics, whatever the input.
///
/// The rules, in order:
/// * the page must start at the offset asked for (a server that answers the same offset
///   again would otherwise be read for ever);
/// * the total may move while we read (others add or remove objects), but by no more than
///   one page or a tenth of the first total, whichever is larger;
/// * an empty page ends the listing only at or past the total; before it, it is an error;
/// * the next offset is `asked_offset + items`, computed without overflow, so it always
///   moves strictly forward; at or past the total the listing is complete;
/// * at most `ceil(total / page_size) + 1` pages are read (the larger of the first and
///   current total): one spare page for objects added while reading, no more.
pub fn next_offset(step: &PageStep) -> Result<Option<u32>> {
    let PageStep { asked_offset, page_size, echoed_offset, items, total, first_total, pages } = *step;
    let bad = |reason: String| Err(ApiError::BadPaging { offset: asked_offset, page: pages, total, reason });
    let size = u64::from(page_size.max(1));
    if echoed_offset != asked_offset {
        return bad(format!("offset {asked_offset} was asked for, but the page says it starts at {echoed_offset}"));
    }
    let slack = size.max(u64::from(first_total) / 10);
    if u64::from(total.abs_diff(first_total)) > slack {
        return bad(format!("the total went from {first_total} to {total} while reading"));
    }
    if items == 0 {
        if asked_offset >= total {
            return Ok(None);
        }
        return bad(format!("an empty page came before the reported total of {total}"));
    }
    let next = match u32::try_from(items).ok().and_then(|n| asked_offset.checked_add(n)) {
        Some(n) => n,
        None => return bad(format!("a page of {items} items would take the offset past the largest number")),
    };
    if next >= total {
        return Ok(None);
    }
    let most = u64::from(first_total.max(total)).div_ceil(size) + 1;
    if u64::from(pages) >= most {
        return bad(format!("{pages} pages were read and the list is still not complete; a total of {total} allows at most {most}"));
    }
    Ok(Some(next))
}

/// Follows a paged listing page by page with [`next_offset`]: every paging loop keeps one.
///
/// ```
/// # use rackdesk_core::api::Pager;
/// # use rackdesk_core::models::Page;
/// let mut pager = Pager::new(0, 250);
/// assert_eq!(pager.offset(), Some(0));
/// let page = Page { offset: 0, size: 250, total: 300, items: vec![(); 250] };
/// pager.advance(&page).unwrap();
/// assert_eq!(pager.offset(), Some(250));
/// let page = Page { offset: 250, size: 250, total: 300, items: vec![(); 50] };
/// pager.advance(&page).unwrap();
/// assert_eq!(pager.offset(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pager {
    next: Option<u32>,
    page_size: u32,
    first_total: Option<u32>,
    pages: u32,
}

impl Pager {
    /// A listing read `page_size` items at a time, from `start`.
    pub fn new(start: u32, page_size: u32) -> Self {
        Pager { next: Some(start), page_size, first_total: None, pages: 0 }
    }

    /// The offset to ask for next; `None` once the listing is complete.
    pub fn offset(&self) -> Option<u32> {
        self.next
    }

    /// Takes in the page just read (asked for at [`Pager::offset`]). After an error the
    /// pager is finished: the caller stops.
    pub fn advance<T>(&mut self, page: &Page<T>) -> Result<()> {
        let Some(asked_offset) = self.next.take() else {
            return Ok(());
        };
        self.pages = self.pages.saturating_add(1);
        let first_total = *self.first_total.get_or_insert(page.total);
        self.next = next_offset(&PageStep {
            asked_offset,
            page_size: self.page_size,
            echoed_offset: page.offset,
            items: page.items.len(),
            total: page.total,
            first_total,
            pages: self.pages,
        })?;
        Ok(())
    }
}

pub(crate) fn search_text(s: &str) -> Result<String> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ApiError::invalid("search", "it is empty"));
    }
    if t.len() > 100 || t.chars().any(char::is_control) {
        return Err(ApiError::invalid("search", "use up to 100 ordinary characters"));
    }
    Ok(t.to_owned())
}

pub(crate) fn plain_text(field: &str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        return Err(ApiError::invalid(field, format!("it is longer than {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(ApiError::invalid(field, "it contains control characters"));
    }
    Ok(())
}

fn check_size(size: u64) -> Result<()> {
    if size == 0 || size > MAX_MAILBOX_MB {
        return Err(ApiError::invalid(
            "mailbox size",
            format!("it must be between 1 and {MAX_MAILBOX_MB} MB (25 GB); {size} MB was asked"),
        ));
    }
    Ok(())
}

fn forwarding_list(list: &[String]) -> Result<String> {
    if list.len() > MAX_FORWARDS {
        return Err(ApiError::invalid("forwarding", format!("at most {MAX_FORWARDS} addresses are allowed")));
    }
    let mut out = Vec::with_capacity(list.len());
    for a in list {
        out.push(EmailAddress::parse_external("forwarding address", a)?.to_string());
    }
    Ok(out.join(","))
}

pub(crate) fn check_password(pw: &SecretString, mailbox: &str, domain: &str) -> Result<()> {
    password::check(pw.expose_secret(), Some(mailbox), Some(domain))
        .map_err(|p| ApiError::invalid("password", p.to_string()))
}

/// Auto-reply settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vacation {
    pub enabled: bool,
    pub message: String,
}

/// A new Rackspace Email mailbox.
#[derive(Debug, Clone)]
pub struct NewMailbox {
    pub password: SecretString,
    /// MB.
    pub size: u64,
    pub display_name: Option<String>,
    pub enabled: Option<bool>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub forward_to: Vec<String>,
    pub save_forwarded_email: Option<bool>,
    pub vacation: Option<Vacation>,
}

impl NewMailbox {
    pub fn new(password: SecretString, size: u64) -> Self {
        NewMailbox {
            password,
            size,
            display_name: None,
            enabled: None,
            first_name: None,
            last_name: None,
            forward_to: vec![],
            save_forwarded_email: None,
            vacation: None,
        }
    }

    /// Validates everything and builds the form. Errors name the field.
    pub fn to_form(&self, mailbox: &str, domain: &str) -> Result<Form> {
        check_password(&self.password, mailbox, domain)?;
        check_size(self.size)?;
        let mut f = Form::new();
        f.secret("password", &self.password).text("size", self.size.to_string());
        if let Some(d) = &self.display_name {
            plain_text("display name", d, MAX_DISPLAY_NAME)?;
            f.text("displayName", d.trim());
        }
        if let Some(e) = self.enabled {
            f.flag("enabled", e);
        }
        if let Some(n) = &self.first_name {
            plain_text("first name", n, 64)?;
            f.text("firstName", n.trim());
        }
        if let Some(n) = &self.last_name {
            plain_text("last name", n, 64)?;
            f.text("lastName", n.trim());
        }
        if !self.forward_to.is_empty() {
            f.text("emailForwardingAddresses", forwarding_list(&self.forward_to)?);
        }
        if let Some(s) = self.save_forwarded_email {
            f.flag("saveForwardedEmail", s);
        }
        if let Some(v) = &self.vacation {
            plain_text("auto-reply message", &v.message, MAX_VACATION_MESSAGE)?;
            f.flag("enableVacationMessage", v.enabled).text("vacationMessage", v.message.clone());
        }
        Ok(f)
    }
}

/// Changes to a mailbox: only the fields set are sent.
#[derive(Debug, Clone, Default)]
pub struct MailboxChanges {
    pub display_name: Option<String>,
    pub enabled: Option<bool>,
    pub password: Option<SecretString>,
    pub size: Option<u64>,
    /// `Some(vec![])` stops forwarding.
    pub forward_to: Option<Vec<String>>,
    pub save_forwarded_email: Option<bool>,
    pub vacation: Option<Vacation>,
}

impl MailboxChanges {
    pub fn to_form(&self, mailbox: &str, domain: &str) -> Result<Form> {
        let mut f = Form::new();
        if let Some(d) = &self.display_name {
            plain_text("display name", d, MAX_DISPLAY_NAME)?;
            f.text("displayName", d.trim());
        }
        if let Some(e) = self.enabled {
            f.flag("enabled", e);
        }
        if let Some(p) = &self.password {
            check_password(p, mailbox, domain)?;
            f.secret("password", p);
        }
        if let Some(s) = self.size {
            check_size(s)?;
            f.text("size", s.to_string());
        }
        if let Some(list) = &self.forward_to {
            f.text("emailForwardingAddresses", forwarding_list(list)?);
        }
        if let Some(s) = self.save_forwarded_email {
            f.flag("saveForwardedEmail", s);
        }
        if let Some(v) = &self.vacation {
            plain_text("auto-reply message", &v.message, MAX_VACATION_MESSAGE)?;
            if v.enabled && v.message.trim().is_empty() {
                return Err(ApiError::invalid("auto-reply message", "it is empty; write the message to send"));
            }
            f.flag("enableVacationMessage", v.enabled).text("vacationMessage", v.message.clone());
        }
        if f.is_empty() {
            return Err(ApiError::invalid("request", "no change was asked for"));
        }
        Ok(f)
    }
}

/// A new administrator login.
#[derive(Debug, Clone)]
pub struct NewAdmin {
    /// `super` for a super administrator (the only kind that can use the API).
    pub admin_type: String,
    pub password: SecretString,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// Changes to an administrator login.
#[derive(Debug, Clone, Default)]
pub struct AdminChanges {
    pub enabled: Option<bool>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub password: Option<SecretString>,
}

/// Checks alias members and joins them as the API takes them: one comma-separated string.
pub fn alias_members(domain: &str, members: &[String]) -> Result<String> {
    if members.is_empty() {
        return Err(ApiError::invalid("alias members", "an alias needs at least one address"));
    }
    if members.len() > MAX_ALIAS_MEMBERS {
        return Err(ApiError::invalid("alias members", format!("an alias can have at most {MAX_ALIAS_MEMBERS} addresses")));
    }
    let mut out: Vec<String> = Vec::new();
    let mut external = 0;
    for m in members {
        let mut a = EmailAddress::parse_external("alias member", m)?;
        if a.domain != domain {
            external += 1;
        } else {
            // Addresses in the account are mailbox names: case does not matter.
            a = EmailAddress::parse_as("alias member", m)?;
        }
        let s = a.to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if external > MAX_ALIAS_EXTERNAL {
        return Err(ApiError::invalid(
            "alias members",
            format!("at most {MAX_ALIAS_EXTERNAL} addresses may be outside {domain}; {external} were given"),
        ));
    }
    Ok(out.join(","))
}

/// The client's changing calls (create, edit, delete) are reachable only from inside the
/// core, i.e. through its gate ([`crate::ops::Ops`]: the role's allow-list and the journal),
/// so no command of the app or the CLI can skip either. The feature `raw-writes` opens them
/// to the client's own tests and benchmarks only (as a dev-dependency feature).
macro_rules! gated {
    ($(#[$m:meta])* fn $name:ident $($rest:tt)*) => {
        #[cfg(feature = "raw-writes")]
        #[doc(hidden)]
        $(#[$m])* pub async fn $name $($rest)*
        #[cfg(not(feature = "raw-writes"))]
        $(#[$m])* pub(crate) async fn $name $($rest)*
    };
}
pub(crate) use gated;

impl Client {
    fn customer_path(&self) -> String {
        format!("customers/{}", self.account())
    }

    pub(crate) fn domain_path(&self, domain: &str) -> Result<(String, String)> {
        let d = names::domain_name(domain)?;
        Ok((format!("{}/domains/{}", self.customer_path(), path_segment("domain", &d)?), d))
    }

    fn mailbox_path(&self, domain: &str, mailbox: &str) -> Result<(String, String, String)> {
        let (dp, d) = self.domain_path(domain)?;
        let m = names::mailbox_name("mailbox name", mailbox)?;
        Ok((format!("{dp}/rs/mailboxes/{}", path_segment("mailbox name", &m)?), m, d))
    }

    fn alias_path(&self, domain: &str, alias: &str) -> Result<(String, String)> {
        let (dp, d) = self.domain_path(domain)?;
        let a = names::mailbox_name("alias name", alias)?;
        Ok((format!("{dp}/rs/aliases/{}", path_segment("alias name", &a)?), d))
    }

    fn admin_path(&self, admin_id: &str) -> Result<String> {
        let id = names::admin_id(admin_id)?;
        Ok(format!("{}/admins/{}", self.customer_path(), path_segment("admin login", &id)?))
    }

    /// The account that owns the keys (`GET /customers/me`).
    pub async fn customer(&self) -> Result<Customer> {
        self.get_json(self.customer_path(), vec![]).await
    }

    // ---- admins ----

    pub async fn admins_page(&self, size: u32, offset: u32) -> Result<Page<Admin>> {
        let l: AdminList = self.get_json(format!("{}/admins", self.customer_path()), paging(size, offset)?).await?;
        Ok(Page { offset: l.offset, size: l.size, total: l.total.max(count(&l.admins)), items: l.admins })
    }

    /// Every administrator login of the account.
    pub async fn admins(&self) -> Result<Vec<Admin>> {
        collect_all(|off| self.admins_page(MAX_PAGE_SIZE, off)).await
    }

    pub async fn admin(&self, admin_id: &str) -> Result<Admin> {
        self.get_json(self.admin_path(admin_id)?, vec![]).await
    }

    gated! {
        fn create_admin(&self, admin_id: &str, new: &NewAdmin) -> Result<()> {
            let path = self.admin_path(admin_id)?;
            let t = new.admin_type.trim();
            if t.is_empty() || !t.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(ApiError::invalid("admin type", "use a type such as \"super\""));
            }
            password::check(new.password.expose_secret(), Some(admin_id), None)
                .map_err(|p| ApiError::invalid("password", p.to_string()))?;
            plain_text("first name", &new.first_name, 64)?;
            plain_text("last name", &new.last_name, 64)?;
            let email = EmailAddress::parse_external("admin e-mail", &new.email)?.to_string();
            let mut f = Form::new();
            f.text("type", t)
                .secret("password", &new.password)
                .text("firstName", new.first_name.trim())
                .text("lastName", new.last_name.trim())
                .text("email", email);
            self.write(Method::POST, path, Some(f), Category::Write).await
        }
    }

    gated! {
        // No use case changes or deletes admins yet; the client's tests call it directly.
        #[allow(dead_code)]
        fn edit_admin(&self, admin_id: &str, changes: &AdminChanges) -> Result<()> {
            let path = self.admin_path(admin_id)?;
            let mut f = Form::new();
            if let Some(e) = changes.enabled {
                f.flag("enabled", e);
            }
            if let Some(n) = &changes.first_name {
                plain_text("first name", n, 64)?;
                f.text("firstName", n.trim());
            }
            if let Some(n) = &changes.last_name {
                plain_text("last name", n, 64)?;
                f.text("lastName", n.trim());
            }
            if let Some(e) = &changes.email {
                f.text("email", EmailAddress::parse_external("admin e-mail", e)?.to_string());
            }
            if let Some(p) = &changes.password {
                password::check(p.expose_secret(), Some(admin_id), None).map_err(|p| ApiError::invalid("password", p.to_string()))?;
                f.secret("password", p);
            }
            if f.is_empty() {
                return Err(ApiError::invalid("request", "no change was asked for"));
            }
            self.write(Method::PUT, path, Some(f), Category::Write).await
        }
    }

    gated! {
        // No use case changes or deletes admins yet; the client's tests call it directly.
        #[allow(dead_code)]
        fn delete_admin(&self, admin_id: &str) -> Result<()> {
            let path = self.admin_path(admin_id)?;
            self.write(Method::DELETE, path, None, Category::Write).await
        }
    }

    // ---- domains ----

    pub async fn domains_page(&self, size: u32, offset: u32) -> Result<Page<Domain>> {
        let l: DomainList = self.get_json(format!("{}/domains", self.customer_path()), paging(size, offset)?).await?;
        Ok(Page { offset: l.offset, size: l.size, total: l.total.max(count(&l.domains)), items: l.domains })
    }

    /// Every domain of the account.
    pub async fn domains(&self) -> Result<Vec<Domain>> {
        collect_all(|off| self.domains_page(MAX_PAGE_SIZE, off)).await
    }

    pub async fn domain(&self, domain: &str) -> Result<Domain> {
        let (path, _) = self.domain_path(domain)?;
        self.get_json(path, vec![]).await
    }

    // ---- Rackspace Email mailboxes ----

    pub async fn mailboxes_page(&self, domain: &str, query: &MailboxQuery) -> Result<Page<MailboxSummary>> {
        let (dp, _) = self.domain_path(domain)?;
        let l: MailboxList = self.get_json(format!("{dp}/rs/mailboxes"), query.to_query()?).await?;
        Ok(Page { offset: l.offset, size: l.size, total: l.total, items: l.rs_mailboxes })
    }

    /// Every page of a mailbox listing, one after the other, for progress as they arrive.
    pub fn mailbox_pages<'a>(
        &'a self,
        domain: &'a str,
        query: MailboxQuery,
    ) -> impl Stream<Item = Result<Page<MailboxSummary>>> + 'a {
        let pager = Pager::new(query.offset, query.size);
        futures::stream::try_unfold((pager, query), move |(mut pager, q)| async move {
            let Some(offset) = pager.offset() else { return Ok(None) };
            let q = MailboxQuery { offset, ..q };
            let page = self.mailboxes_page(domain, &q).await?;
            pager.advance(&page)?;
            Ok(Some((page, (pager, q))))
        })
    }

    /// Every mailbox of a domain matching the query.
    pub async fn mailboxes(&self, domain: &str, query: MailboxQuery) -> Result<Vec<MailboxSummary>> {
        use futures::TryStreamExt;
        let pages: Vec<Page<MailboxSummary>> = self.mailbox_pages(domain, query).try_collect().await?;
        Ok(pages.into_iter().flat_map(|p| p.items).collect())
    }

    pub async fn mailbox(&self, domain: &str, mailbox: &str) -> Result<Mailbox> {
        let (path, _, _) = self.mailbox_path(domain, mailbox)?;
        self.get_json(path, vec![]).await
    }

    gated! {
        fn create_mailbox(&self, domain: &str, mailbox: &str, new: &NewMailbox) -> Result<()> {
            let (path, m, d) = self.mailbox_path(domain, mailbox)?;
            let form = new.to_form(&m, &d)?;
            self.write(Method::POST, path, Some(form), Category::Write).await
        }
    }

    gated! {
        fn edit_mailbox(&self, domain: &str, mailbox: &str, changes: &MailboxChanges) -> Result<()> {
            let (path, m, d) = self.mailbox_path(domain, mailbox)?;
            let form = changes.to_form(&m, &d)?;
            self.write(Method::PUT, path, Some(form), Category::Write).await
        }
    }

    gated! {
        fn delete_mailbox(&self, domain: &str, mailbox: &str) -> Result<()> {
            let (path, _, _) = self.mailbox_path(domain, mailbox)?;
            self.write(Method::DELETE, path, None, Category::Write).await
        }
    }

    // ---- aliases ----

    pub async fn aliases_page(&self, domain: &str, size: u32, offset: u32) -> Result<Page<AliasSummary>> {
        let (dp, _) = self.domain_path(domain)?;
        let l: AliasList = self.get_json(format!("{dp}/rs/aliases"), paging(size, offset)?).await?;
        // The documented example has no paging envelope [U]: a bare list is one whole page.
        let n = count(&l.aliases);
        Ok(Page {
            offset: l.offset.unwrap_or(offset),
            size: l.size.unwrap_or(n),
            total: l.total.unwrap_or(offset.saturating_add(n)),
            items: l.aliases,
        })
    }

    pub async fn aliases(&self, domain: &str) -> Result<Vec<AliasSummary>> {
        collect_all(|off| self.aliases_page(domain, MAX_PAGE_SIZE, off)).await
    }

    pub async fn alias(&self, domain: &str, alias: &str) -> Result<Alias> {
        let (path, _) = self.alias_path(domain, alias)?;
        self.get_json(path, vec![]).await
    }

    gated! {
        fn create_alias(&self, domain: &str, alias: &str, members: &[String]) -> Result<()> {
            let (path, d) = self.alias_path(domain, alias)?;
            let mut f = Form::new();
            f.text("aliasEmails", alias_members(&d, members)?);
            self.write(Method::POST, path, Some(f), Category::Write).await
        }
    }

    gated! {
        /// Replaces the members of an alias.
        fn set_alias_members(&self, domain: &str, alias: &str, members: &[String]) -> Result<()> {
            let (path, d) = self.alias_path(domain, alias)?;
            let mut f = Form::new();
            f.text("aliasEmails", alias_members(&d, members)?);
            self.write(Method::PUT, path, Some(f), Category::Write).await
        }
    }

    gated! {
        fn delete_alias(&self, domain: &str, alias: &str) -> Result<()> {
            let (path, _) = self.alias_path(domain, alias)?;
            self.write(Method::DELETE, path, None, Category::Write).await
        }
    }
}

/// The length of a page's items as the envelope counts them (saturating, never wrapping).
pub(crate) fn count<T>(items: &[T]) -> u32 {
    u32::try_from(items.len()).unwrap_or(u32::MAX)
}

/// Fetches pages of [`MAX_PAGE_SIZE`] until the last, given a function from offset to page.
pub(crate) async fn collect_all<T, F, Fut>(mut page_at: F) -> Result<Vec<T>>
where
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<Page<T>>>,
{
    let mut out = Vec::new();
    let mut pager = Pager::new(0, MAX_PAGE_SIZE);
    while let Some(offset) = pager.offset() {
        let p = page_at(offset).await?;
        pager.advance(&p)?;
        out.extend(p.items);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailbox_query_builds_the_documented_parameters() {
        let q = MailboxQuery {
            search: Some(Search::StartsWith("jo".into())),
            enabled: Some(false),
            fields: vec![MailboxField::Size, MailboxField::LastLogin],
            size: 100,
            offset: 200,
        };
        let got = q.to_query().unwrap();
        let want: Vec<(String, String)> = [
            ("size", "100"),
            ("offset", "200"),
            ("startswith", "jo"),
            ("enabled", "false"),
            ("fields", "size,lastLogin"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn page_size_is_limited_to_250() {
        let q = MailboxQuery { size: 251, ..Default::default() };
        assert!(matches!(q.to_query(), Err(ApiError::InvalidInput { .. })));
        let q = MailboxQuery { size: 0, ..Default::default() };
        assert!(q.to_query().is_err());
    }

    #[test]
    fn new_mailbox_form_is_checked_and_flat() {
        let mut n = NewMailbox::new(SecretString::from("Blue-Harbor7"), 2048);
        n.display_name = Some("Jane Doe".into());
        n.forward_to = vec!["a@example.com".into(), "B@Other.org".into()];
        n.vacation = Some(Vacation { enabled: true, message: "Away".into() });
        let f = n.to_form("jane", "example.com").unwrap();
        assert_eq!(
            f.field_names(),
            vec!["password", "size", "displayName", "emailForwardingAddresses", "enableVacationMessage", "vacationMessage"]
        );
        let mut big = NewMailbox::new(SecretString::from("Blue-Harbor7"), MAX_MAILBOX_MB + 1);
        let e = big.to_form("jane", "example.com").unwrap_err();
        assert!(e.user_message().contains("25600"), "{}", e.user_message());
        big.size = 100;
        big.password = SecretString::from("short");
        assert!(big.to_form("jane", "example.com").unwrap_err().user_message().contains("password"));
    }

    #[test]
    fn changes_need_something_to_change() {
        let e = MailboxChanges::default().to_form("jane", "example.com").unwrap_err();
        assert!(matches!(e, ApiError::InvalidInput { .. }));
        let c = MailboxChanges { forward_to: Some(vec![]), ..Default::default() };
        assert_eq!(c.to_form("jane", "example.com").unwrap().field_names(), vec!["emailForwardingAddresses"]);
    }

    fn step(asked_offset: u32, items: usize, total: u32, pages: u32) -> PageStep {
        PageStep { asked_offset, page_size: 250, echoed_offset: asked_offset, items, total, first_total: total, pages }
    }

    fn bad_paging(r: Result<Option<u32>>) -> String {
        match r {
            Err(e @ ApiError::BadPaging { .. }) => {
                assert_eq!(e.kind().as_str(), "bad-paging");
                assert!(e.user_message().contains("did not page as it should"), "{}", e.user_message());
                e.detail().unwrap()
            }
            other => panic!("expected BadPaging, got {other:?}"),
        }
    }

    #[test]
    fn next_offset_follows_a_well_behaved_listing() {
        assert_eq!(next_offset(&step(0, 250, 600, 1)).unwrap(), Some(250));
        assert_eq!(next_offset(&step(250, 250, 600, 2)).unwrap(), Some(500));
        assert_eq!(next_offset(&step(500, 100, 600, 3)).unwrap(), None);
        // An empty listing, and a listing that is exactly one page.
        assert_eq!(next_offset(&step(0, 0, 0, 1)).unwrap(), None);
        assert_eq!(next_offset(&step(0, 250, 250, 1)).unwrap(), None);
        // Objects removed while reading: an empty page at or past the new total ends it.
        let s = PageStep { total: 480, ..step(500, 0, 600, 3) };
        assert_eq!(next_offset(&s).unwrap(), None);
        // A few objects added while reading are fine (one spare page).
        let s = PageStep { total: 620, ..step(250, 250, 600, 2) };
        assert_eq!(next_offset(&s).unwrap(), Some(500));
        let s = PageStep { total: 840, ..step(500, 250, 600, 3) };
        assert_eq!(next_offset(&s).unwrap(), Some(750));
        let s = PageStep { total: 840, ..step(750, 90, 600, 4) };
        assert_eq!(next_offset(&s).unwrap(), None);
        // A listing that starts part-way.
        assert_eq!(next_offset(&step(100, 250, 600, 1)).unwrap(), Some(350));
    }

    #[test]
    fn next_offset_refuses_a_page_at_another_offset() {
        let s = PageStep { echoed_offset: 0, ..step(250, 250, 1000, 2) };
        assert!(bad_paging(next_offset(&s)).contains("offset 250 was asked for"));
    }

    #[test]
    fn next_offset_refuses_an_empty_page_before_the_total() {
        assert!(bad_paging(next_offset(&step(250, 0, 1000, 2))).contains("empty page"));
        assert!(bad_paging(next_offset(&step(0, 0, 5, 1))).contains("empty page"));
    }

    #[test]
    fn next_offset_refuses_more_pages_than_the_total_allows() {
        // 1000 items of 250 a page: 4 pages, plus one spare. A server sending 1 item a page
        // is stopped at the fifth page instead of being read 1000 times.
        let mut pages = 0;
        let mut offset = Some(0);
        let mut last = Ok(None);
        while let Some(o) = offset {
            pages += 1;
            last = next_offset(&step(o, 1, 1000, pages));
            match &last {
                Ok(n) => offset = *n,
                Err(_) => break,
            }
        }
        assert_eq!(pages, 5);
        assert!(bad_paging(last).contains("at most 5"));
    }

    #[test]
    fn next_offset_refuses_a_total_that_jumps() {
        let s = PageStep { total: 5000, ..step(250, 250, 1000, 2) };
        assert!(bad_paging(next_offset(&s)).contains("from 1000 to 5000"));
        let s = PageStep { total: 0, ..step(250, 250, 100_000, 2) };
        assert!(bad_paging(next_offset(&s)).contains("from 100000 to 0"));
    }

    #[test]
    fn next_offset_refuses_an_offset_that_would_overflow() {
        let s = step(u32::MAX - 10, 250, u32::MAX, 1);
        assert!(bad_paging(next_offset(&s)).contains("largest number"));
        let s = PageStep { items: usize::MAX, ..step(0, 0, u32::MAX, 1) };
        assert!(bad_paging(next_offset(&s)).contains("largest number"));
    }

    #[test]
    fn next_offset_never_panics_and_always_moves_forward() {
        let n32 = [0, 1, 2, 249, 250, 251, 1000, u32::MAX / 2, u32::MAX - 1, u32::MAX];
        let nsz = [0usize, 1, 250, 251, u32::MAX as usize, usize::MAX];
        let mut cases = 0u64;
        for &asked_offset in &n32 {
            for &page_size in &[0, 1, 250, u32::MAX] {
                for &echo in &[asked_offset, 0, u32::MAX] {
                    for &items in &nsz {
                        for &total in &n32 {
                            for &first_total in &[total, 0, 1000, u32::MAX] {
                                for &pages in &[0, 1, 5, u32::MAX] {
                                    let s = PageStep { asked_offset, page_size, echoed_offset: echo, items, total, first_total, pages };
                                    cases += 1;
                                    match next_offset(&s) {
                                        Ok(Some(next)) => {
                                            assert!(next > asked_offset && next < total, "{s:?} -> {next}");
                                        }
                                        Ok(None) | Err(ApiError::BadPaging { .. }) => {}
                                        Err(e) => panic!("{s:?}: unexpected {e:?}"),
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(cases > 100_000);
    }

    #[test]
    fn a_pager_stops_a_listing_that_never_ends() {
        // Each page says the list is a page longer than read so far.
        let mut pager = Pager::new(0, 250);
        let mut err = None;
        for _ in 0..100 {
            let Some(o) = pager.offset() else { break };
            let page = Page { offset: o, size: 250, total: o + 500, items: vec![0u8; 250] };
            if let Err(e) = pager.advance(&page) {
                err = Some(e);
                break;
            }
        }
        assert!(matches!(err, Some(ApiError::BadPaging { .. })), "{err:?}");
        assert_eq!(pager.offset(), None, "a pager is finished after an error");
    }

    #[test]
    fn alias_members_follow_the_documented_limits() {
        let d = "example.com";
        assert_eq!(alias_members(d, &["A@example.com".into(), "b@example.com".into()]).unwrap(), "a@example.com,b@example.com");
        assert!(alias_members(d, &[]).is_err());
        let ext: Vec<String> = (0..5).map(|i| format!("p{i}@other.org")).collect();
        assert!(alias_members(d, &ext).unwrap_err().user_message().contains("at most 4"));
        let many: Vec<String> = (0..51).map(|i| format!("p{i}@example.com")).collect();
        assert!(alias_members(d, &many).is_err());
    }
}
