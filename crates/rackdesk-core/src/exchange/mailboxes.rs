//! Exchange mailboxes (`.../ex/mailboxes`, reference §6.8 and §13).

use super::{display_name, ContactFields};
use crate::api::{check_password, gated, paging, search_text, Pager, Search, MAX_PAGE_SIZE};
use crate::client::{Client, Form};
use crate::error::{ApiError, Result};
use crate::limits::Category;
use crate::models::{Domain, Page};
use crate::names::{self, path_segment, EmailAddress};
use reqwest::Method;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// Largest Exchange mailbox we send, in MB, when the domain does not say less: 100 GB, the
/// largest Hosted Exchange mailbox Rackspace sells. Not published in the API [U]: the safe
/// side is to refuse more rather than let the server decide.
pub const MAX_EX_MAILBOX_MB: u64 = 102_400;

/// The size limit that applies to one domain's Exchange mailboxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExchangeLimits {
    /// The largest size a mailbox may be given, MB.
    pub max_mailbox_mb: u64,
    /// The domain's standard size of a new mailbox, MB, when it says.
    pub base_mailbox_mb: Option<u64>,
}

impl ExchangeLimits {
    /// What we know without asking the domain.
    pub const UNKNOWN: ExchangeLimits = ExchangeLimits { max_mailbox_mb: MAX_EX_MAILBOX_MB, base_mailbox_mb: None };

    /// From the domain's Show (§6.3): one mailbox can never be larger than all the Exchange
    /// storage the domain has (`exchangeTotalStorage`), nor than [`MAX_EX_MAILBOX_MB`].
    pub fn of_domain(d: &Domain) -> ExchangeLimits {
        let max = match d.exchange_total_storage {
            Some(t) if t > 0 => t.min(MAX_EX_MAILBOX_MB),
            _ => MAX_EX_MAILBOX_MB,
        };
        ExchangeLimits { max_mailbox_mb: max, base_mailbox_mb: d.exchange_base_mailbox_size.filter(|b| *b > 0) }
    }

    pub fn check_size(&self, size: u64) -> Result<()> {
        if size == 0 || size > self.max_mailbox_mb {
            return Err(ApiError::invalid(
                "mailbox size",
                format!(
                    "it must be between 1 and {} MB ({}) for this domain's Exchange mailboxes; {size} MB was asked",
                    self.max_mailbox_mb,
                    crate::journal::words::size_words(self.max_mailbox_mb)
                ),
            ));
        }
        Ok(())
    }
}

/// An Exchange mailbox as Index lists it (`name`, `displayName`, and `fields=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExMailboxSummary {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub current_usage: Option<u64>,
    #[serde(default)]
    pub enabled: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ExMailboxList {
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub size: u32,
    #[serde(default)]
    pub total: u32,
    /// The Exchange Index key is `mailboxes` (not `rsMailboxes`), §5.3.
    pub mailboxes: Vec<ExMailboxSummary>,
}

/// One of a mailbox's addresses (`emailAddressList`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExAddress {
    pub address: String,
    #[serde(default)]
    pub reply_to: Option<bool>,
}

/// An Exchange mailbox as Show returns it (§6.8, the v1 example).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExMailbox {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub current_usage: Option<u64>,
    #[serde(default)]
    pub is_hidden: Option<bool>,
    #[serde(default)]
    pub is_public_folder_admin: Option<bool>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub last_login: Option<String>,
    #[serde(default)]
    pub contact_info: Option<ContactFields>,
    /// One address, not a list; empty when forwarding is off.
    #[serde(default)]
    pub email_forwarding_address: Option<String>,
    #[serde(default)]
    pub save_forwarded_email: Option<bool>,
    #[serde(default)]
    pub email_address_list: Vec<ExAddress>,
    #[serde(default)]
    pub has_black_berry_mobile_service: Option<bool>,
    #[serde(default)]
    pub has_active_sync_mobile_service: Option<bool>,
    #[serde(default)]
    pub sam_account_name: Option<String>,
    #[serde(default)]
    pub visible_in_rackspace_email_company_directory: Option<bool>,
}

impl ExMailbox {
    /// The forwarding address, `None` when forwarding is off.
    pub fn forwarding(&self) -> Option<&str> {
        self.email_forwarding_address.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// What to list and which page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExMailboxQuery {
    pub search: Option<Search>,
    pub enabled: Option<bool>,
    pub size: u32,
    pub offset: u32,
}

impl Default for ExMailboxQuery {
    fn default() -> Self {
        ExMailboxQuery { search: None, enabled: None, size: MAX_PAGE_SIZE, offset: 0 }
    }
}

impl ExMailboxQuery {
    /// The exact query string sent. `fields=size,currentUsage` (the Exchange Index's extra
    /// columns, §5.2) is always asked for.
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
        q.push(("fields".into(), "size,currentUsage".into()));
        Ok(q)
    }
}

/// A forwarding address: exactly one (Exchange forwards to a single address), valid, and not
/// the mailbox itself. One client notes that Rackspace takes only addresses inside Exchange
/// [U]: we do not guess which those are; the server's refusal reaches the person in its own
/// words.
pub(crate) fn forwarding_address(mailbox: &str, domain: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.contains([',', ';']) || v.split_whitespace().count() > 1 {
        return Err(ApiError::invalid("forwarding address", "an Exchange mailbox forwards to one address only"));
    }
    let a = EmailAddress::parse_external("forwarding address", v)?;
    if a.domain == domain && a.local.eq_ignore_ascii_case(mailbox) {
        return Err(ApiError::invalid("forwarding address", "a mailbox cannot forward to itself"));
    }
    Ok(a.to_string())
}

/// A new Exchange mailbox. `displayName`, `password` and `size` are required (§13).
#[derive(Debug, Clone)]
pub struct NewExMailbox {
    pub display_name: String,
    pub password: SecretString,
    pub size: u64,
    pub is_hidden: Option<bool>,
    pub enabled: Option<bool>,
    pub forward_to: Option<String>,
    pub save_forwarded_email: Option<bool>,
    pub contact: ContactFields,
}

impl NewExMailbox {
    pub fn new(display_name: impl Into<String>, password: SecretString, size: u64) -> Self {
        NewExMailbox {
            display_name: display_name.into(),
            password,
            size,
            is_hidden: None,
            enabled: None,
            forward_to: None,
            save_forwarded_email: None,
            contact: ContactFields::default(),
        }
    }

    /// Validates everything and builds the form. Errors name the field.
    pub fn to_form(&self, mailbox: &str, domain: &str, limits: &ExchangeLimits) -> Result<Form> {
        let name = display_name(&self.display_name)?;
        check_password(&self.password, mailbox, domain)?;
        limits.check_size(self.size)?;
        let mut f = Form::new();
        f.text("displayName", name).secret("password", &self.password).text("size", self.size.to_string());
        if let Some(h) = self.is_hidden {
            f.flag_capitalised("isHidden", h);
        }
        if let Some(e) = self.enabled {
            f.flag_capitalised("enabled", e);
        }
        if let Some(a) = self.forward_to.as_deref().filter(|a| !a.trim().is_empty()) {
            f.text("emailForwardingAddress", forwarding_address(mailbox, domain, a)?);
        }
        if let Some(s) = self.save_forwarded_email {
            f.flag_capitalised("saveForwardedEmail", s);
        }
        self.contact.add_to(&mut f)?;
        Ok(f)
    }
}

/// Changes to an Exchange mailbox: only what is set is sent.
#[derive(Debug, Clone, Default)]
pub struct ExMailboxChanges {
    pub display_name: Option<String>,
    pub size: Option<u64>,
    /// `Some("")` turns forwarding off (the API's own convention, §13).
    pub forward_to: Option<String>,
    pub save_forwarded_email: Option<bool>,
    pub is_hidden: Option<bool>,
    pub enabled: Option<bool>,
    pub password: Option<SecretString>,
    pub contact: ContactFields,
}

impl ExMailboxChanges {
    pub fn to_form(&self, mailbox: &str, domain: &str, limits: &ExchangeLimits) -> Result<Form> {
        let mut f = Form::new();
        if let Some(d) = &self.display_name {
            f.text("displayName", display_name(d)?);
        }
        if let Some(s) = self.size {
            limits.check_size(s)?;
            f.text("size", s.to_string());
        }
        if let Some(a) = &self.forward_to {
            let value = if a.trim().is_empty() { String::new() } else { forwarding_address(mailbox, domain, a)? };
            f.text("emailForwardingAddress", value);
        }
        if let Some(s) = self.save_forwarded_email {
            f.flag_capitalised("saveForwardedEmail", s);
        }
        if let Some(h) = self.is_hidden {
            f.flag_capitalised("isHidden", h);
        }
        if let Some(e) = self.enabled {
            f.flag_capitalised("enabled", e);
        }
        if let Some(p) = &self.password {
            check_password(p, mailbox, domain)?;
            f.secret("password", p);
        }
        self.contact.add_to(&mut f)?;
        if f.is_empty() {
            return Err(ApiError::invalid("request", "no change was asked for"));
        }
        Ok(f)
    }
}

impl Client {
    pub(crate) fn ex_mailbox_path(&self, domain: &str, mailbox: &str) -> Result<(String, String, String)> {
        let (dp, d) = self.domain_path(domain)?;
        let m = names::mailbox_name("mailbox name", mailbox)?;
        Ok((format!("{dp}/ex/mailboxes/{}", path_segment("mailbox name", &m)?), m, d))
    }

    /// The size limit of the domain's Exchange mailboxes, read from the domain.
    pub async fn exchange_limits(&self, domain: &str) -> Result<ExchangeLimits> {
        Ok(ExchangeLimits::of_domain(&self.domain(domain).await?))
    }

    /// The size of a new Exchange mailbox: the one asked for, checked against the domain's
    /// limit; else the domain's standard size. A domain that reports no standard size needs
    /// a size given (we do not guess one).
    pub async fn new_ex_mailbox_size(&self, domain: &str, asked: Option<u64>) -> Result<u64> {
        let limits = self.exchange_limits(domain).await?;
        match (asked, limits.base_mailbox_mb) {
            (Some(s), _) => limits.check_size(s).map(|_| s),
            (None, Some(b)) => Ok(b.min(limits.max_mailbox_mb)),
            (None, None) => Err(ApiError::invalid("mailbox size", "the domain reports no standard Exchange mailbox size; give one in MB")),
        }
    }

    pub async fn ex_mailboxes_page(&self, domain: &str, query: &ExMailboxQuery) -> Result<Page<ExMailboxSummary>> {
        let (dp, _) = self.domain_path(domain)?;
        let l: ExMailboxList = self.get_json(format!("{dp}/ex/mailboxes"), query.to_query()?).await?;
        Ok(Page { offset: l.offset, size: l.size, total: l.total, items: l.mailboxes })
    }

    /// Every Exchange mailbox of a domain matching the query, page by bounded page.
    pub async fn ex_mailboxes(&self, domain: &str, query: ExMailboxQuery) -> Result<Vec<ExMailboxSummary>> {
        let mut pager = Pager::new(query.offset, query.size);
        let mut out = Vec::new();
        while let Some(offset) = pager.offset() {
            let page = self.ex_mailboxes_page(domain, &ExMailboxQuery { offset, ..query.clone() }).await?;
            pager.advance(&page)?;
            out.extend(page.items);
        }
        Ok(out)
    }

    pub async fn ex_mailbox(&self, domain: &str, mailbox: &str) -> Result<ExMailbox> {
        let (path, _, _) = self.ex_mailbox_path(domain, mailbox)?;
        self.get_json(path, vec![]).await
    }

    gated! {
        fn create_ex_mailbox(&self, domain: &str, mailbox: &str, new: &NewExMailbox, limits: &ExchangeLimits) -> Result<()> {
            let (path, m, d) = self.ex_mailbox_path(domain, mailbox)?;
            let form = new.to_form(&m, &d, limits)?;
            self.write(Method::POST, path, Some(form), Category::Write).await
        }
    }

    gated! {
        fn edit_ex_mailbox(&self, domain: &str, mailbox: &str, changes: &ExMailboxChanges, limits: &ExchangeLimits) -> Result<()> {
            let (path, m, d) = self.ex_mailbox_path(domain, mailbox)?;
            let form = changes.to_form(&m, &d, limits)?;
            self.write(Method::PUT, path, Some(form), Category::Write).await
        }
    }

    gated! {
        fn delete_ex_mailbox(&self, domain: &str, mailbox: &str) -> Result<()> {
            let (path, _, _) = self.ex_mailbox_path(domain, mailbox)?;
            self.write(Method::DELETE, path, None, Category::Write).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    fn pw() -> SecretString {
        SecretString::from("Blue-Harbor7")
    }

    #[test]
    fn show_reads_the_reference_example() {
        let m: ExMailbox = serde_json::from_str(
            r#"{"name":"apiexmailbox90","displayName":"API Test","size":2048,"currentUsage":0,"isHidden":false,
            "isPublicFolderAdmin":true,"enabled":true,"lastLogin":"2\/12\/2006 1:00:00 AM",
            "contactInfo":{"firstName":"API","lastName":"Test","jobTitle":"Dev","company":"My Company","department":"R&D",
              "businessNumber":"111-1111","homeNumber":"222-2222","mobileNumber":"333-3333","faxNumber":"444-4444",
              "pagerNumber":"1234","addressLine1":"123 Main Street","city":"Blacksburg","state":"VA","zip":"24060",
              "country":"USA","notes":"My Notes","customID":"0123456789"},
            "emailForwardingAddress":"apiexmailbox8@apidomain24.com","saveForwardedEmail":false,
            "emailAddressList":[{"address":"apiexmailbox90@apidomain92.com","replyTo":true}],
            "hasBlackBerryMobileService":false,"hasActiveSyncMobileService":false,
            "samAccountName":"apiexmailbox90_53B5B","visibleInRackspaceEmailCompanyDirectory":false}"#,
        )
        .unwrap();
        assert_eq!(m.forwarding(), Some("apiexmailbox8@apidomain24.com"));
        assert_eq!(m.contact_info.as_ref().unwrap().custom_id.as_deref(), Some("0123456789"));
        assert_eq!(m.email_address_list[0].reply_to, Some(true));
        assert_eq!(m.sam_account_name.as_deref(), Some("apiexmailbox90_53B5B"));
        let off: ExMailbox = serde_json::from_str(r#"{"name":"x","emailForwardingAddress":""}"#).unwrap();
        assert_eq!(off.forwarding(), None);
    }

    #[test]
    fn index_reads_the_mailboxes_key() {
        let l: ExMailboxList = serde_json::from_str(
            r#"{"offset":0,"size":50,"total":3,"mailboxes":[{"name":"apiexmailbox55","displayName":"API Test"}]}"#,
        )
        .unwrap();
        assert_eq!(l.mailboxes[0].name, "apiexmailbox55");
        // The Rackspace Email key is not taken for the Exchange one.
        assert!(serde_json::from_str::<ExMailboxList>(r#"{"rsMailboxes":[]}"#).is_err());
    }

    #[test]
    fn new_mailbox_sends_the_required_fields_and_capitalised_booleans() {
        let mut n = NewExMailbox::new("Jane Doe", pw(), 2048);
        n.is_hidden = Some(true);
        n.enabled = Some(false);
        n.forward_to = Some("Boss@Example.com".into());
        n.contact.first_name = Some("Jane".into());
        let f = n.to_form("jane", "example.com", &ExchangeLimits::UNKNOWN).unwrap();
        assert_eq!(f.field_names(), vec!["displayName", "password", "size", "isHidden", "enabled", "emailForwardingAddress", "firstName"]);
        let body = format!("{:?}", f);
        assert!(!body.contains("Blue-Harbor7"));
        let mut g = Form::new();
        g.flag_capitalised("isHidden", true).flag_capitalised("enabled", false);
        assert_eq!(g.field_names(), vec!["isHidden", "enabled"]);
    }

    #[test]
    fn sizes_keep_within_the_domains_exchange_storage() {
        let d: Domain = serde_json::from_str(
            r#"{"name":"example.com","exchangeBaseMailboxSize":2048,"exchangeTotalStorage":10240,"exchangeUsedStorage":1}"#,
        )
        .unwrap();
        let l = ExchangeLimits::of_domain(&d);
        assert_eq!(l, ExchangeLimits { max_mailbox_mb: 10240, base_mailbox_mb: Some(2048) });
        assert!(l.check_size(10240).is_ok());
        let e = l.check_size(10241).unwrap_err();
        assert!(e.user_message().contains("10 GB"), "{}", e.user_message());
        assert!(l.check_size(0).is_err());
        assert!(ExchangeLimits::UNKNOWN.check_size(MAX_EX_MAILBOX_MB + 1).is_err());
        let big = NewExMailbox::new("Jane", pw(), 20_000);
        assert!(big.to_form("jane", "example.com", &l).is_err());
    }

    #[test]
    fn forwarding_is_one_address_never_itself() {
        assert_eq!(forwarding_address("jane", "example.com", " Boss@Example.com ").unwrap(), "Boss@example.com");
        for bad in ["a@example.com,b@example.com", "a@example.com b@example.com", "not-an-address", "jane@example.com", "JANE@example.com"] {
            assert!(forwarding_address("jane", "example.com", bad).is_err(), "{bad}");
        }
        let c = ExMailboxChanges { forward_to: Some(String::new()), ..Default::default() };
        assert_eq!(c.to_form("jane", "example.com", &ExchangeLimits::UNKNOWN).unwrap().field_names(), vec!["emailForwardingAddress"]);
    }

    #[test]
    fn bad_input_is_refused_with_the_field_named() {
        let n = NewExMailbox::new("", pw(), 100);
        assert!(n.to_form("jane", "example.com", &ExchangeLimits::UNKNOWN).unwrap_err().user_message().contains("display name"));
        let n = NewExMailbox::new("Jane", SecretString::from("short"), 100);
        assert!(n.to_form("jane", "example.com", &ExchangeLimits::UNKNOWN).unwrap_err().user_message().contains("password"));
        let e = ExMailboxChanges::default().to_form("jane", "example.com", &ExchangeLimits::UNKNOWN).unwrap_err();
        assert!(e.user_message().contains("no change"));
    }

    #[test]
    fn the_query_asks_for_sizes_and_keeps_paging_bounds() {
        let q = ExMailboxQuery { search: Some(Search::Contains("ana".into())), enabled: Some(true), size: 100, offset: 200 };
        let got: Vec<(String, String)> = q.to_query().unwrap();
        let want: Vec<(String, String)> = [("size", "100"), ("offset", "200"), ("contains", "ana"), ("enabled", "true"), ("fields", "size,currentUsage")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(got, want);
        assert!(ExMailboxQuery { size: 251, ..Default::default() }.to_query().is_err());
    }
}
