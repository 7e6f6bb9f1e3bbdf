//! Typed models of the API's resources. Field names follow the reference exactly (camelCase
//! on the wire); optional where the service may leave them out.

use serde::{Deserialize, Deserializer, Serialize};

/// One page of an Index call: the service echoes `offset`, `size` and `total`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Page<T> {
    pub offset: u32,
    pub size: u32,
    pub total: u32,
    pub items: Vec<T>,
}

impl<T> Page<T> {
    /// True when no page follows this one.
    pub fn is_last(&self) -> bool {
        self.items.is_empty() || self.offset as u64 + self.items.len() as u64 >= self.total as u64
    }
}

/// `GET /customers/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub name: String,
    pub account_number: String,
    #[serde(default)]
    pub reference_number: Option<String>,
}

/// An administrator login (`/customers/{acct}/admins`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Admin {
    pub admin_id: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    /// `super` for super administrators; other values exist in the control panel [U].
    #[serde(rename = "type", default)]
    pub admin_type: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub locked: Option<bool>,
    #[serde(default)]
    pub two_factor_enabled: Option<bool>,
}

impl Admin {
    pub fn is_super(&self) -> bool {
        self.admin_type.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("super"))
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AdminList {
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub size: u32,
    #[serde(default)]
    pub total: u32,
    pub admins: Vec<Admin>,
}

/// A domain, as Index and Show return it (Index fills fewer fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Domain {
    pub name: String,
    #[serde(default)]
    pub account_number: Option<String>,
    /// `rsemail`, `exchange` or `both`.
    #[serde(default)]
    pub service_type: Option<String>,
    #[serde(default)]
    pub rs_email_base_mailbox_size: Option<u64>,
    #[serde(default)]
    pub rs_email_max_number_mailboxes: Option<u64>,
    #[serde(default)]
    pub rs_email_used_storage: Option<u64>,
    #[serde(default)]
    pub rs_email_extra_storage: Option<u64>,
    #[serde(default)]
    pub exchange_max_num_mailboxes: Option<u64>,
    #[serde(default)]
    pub exchange_used_storage: Option<u64>,
    /// Standard size of a new Exchange mailbox, MB.
    #[serde(default)]
    pub exchange_base_mailbox_size: Option<u64>,
    /// All the storage the domain's Exchange mailboxes may share, MB.
    #[serde(default)]
    pub exchange_total_storage: Option<u64>,
    #[serde(default)]
    pub exchange_extra_storage: Option<u64>,
    #[serde(default)]
    pub aliases: Option<Vec<String>>,
}

/// The two mail services a domain can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Service {
    RackspaceEmail,
    Exchange,
}

impl Service {
    /// "Rackspace Email" or "Hosted Exchange".
    pub fn label(self) -> &'static str {
        match self {
            Service::RackspaceEmail => "Rackspace Email",
            Service::Exchange => "Hosted Exchange",
        }
    }

    /// A service as people write it in a file or on the command line: `rackspace`,
    /// `rackspace email`, `rs`, `rsemail`, `email`; `exchange`, `hosted exchange`, `ex`.
    pub fn parse(s: &str) -> Option<Service> {
        let k: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        match k.as_str() {
            "rackspace" | "rackspaceemail" | "rs" | "rsemail" | "email" => Some(Service::RackspaceEmail),
            "exchange" | "hostedexchange" | "ex" | "msexchange" => Some(Service::Exchange),
            _ => None,
        }
    }
}

impl Domain {
    /// Whether the domain has Rackspace Email and whether it has Hosted Exchange, from its
    /// `serviceType` (`rsemail`, `exchange`, `both`). An `rsemail` domain that reports room
    /// for Exchange mailboxes counts as having Exchange too; a domain that does not say has
    /// Rackspace Email (what every domain had before Exchange was sold).
    pub fn has(&self, service: Service) -> bool {
        let t = self.service_type.as_deref().map(|t| t.trim().to_ascii_lowercase()).unwrap_or_default();
        match service {
            Service::RackspaceEmail => t != "exchange",
            Service::Exchange => t == "exchange" || t == "both" || self.exchange_max_num_mailboxes.unwrap_or(0) > 0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct DomainList {
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub size: u32,
    #[serde(default)]
    pub total: u32,
    pub domains: Vec<Domain>,
}

/// A Rackspace Email mailbox as listed by Index (`name`, `displayName`, plus `fields=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailboxSummary {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub current_usage: Option<u64>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub last_login: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MailboxList {
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub size: u32,
    #[serde(default)]
    pub total: u32,
    pub rs_mailboxes: Vec<MailboxSummary>,
}

/// Contact details of a Rackspace Email mailbox (a subset; all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactInfo {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub organization_unit: Option<String>,
    #[serde(default)]
    pub business_number: Option<String>,
    #[serde(default)]
    pub mobile_number: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default, rename = "customID")]
    pub custom_id: Option<String>,
}

/// A Rackspace Email mailbox as Show returns it. Sizes in MB; dates as the service writes
/// them (`2/12/2009 1:00:00 AM`, see [`parse_service_date`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mailbox {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    pub size: u64,
    #[serde(default)]
    pub current_usage: Option<u64>,
    pub enabled: bool,
    #[serde(default)]
    pub created_date: Option<String>,
    #[serde(default)]
    pub last_login: Option<String>,
    #[serde(default)]
    pub vacation_message: Option<String>,
    #[serde(default)]
    pub enable_vacation_message: bool,
    #[serde(default, deserialize_with = "address_list")]
    pub email_forwarding_address_list: Vec<String>,
    #[serde(default)]
    pub save_forwarded_email: bool,
    #[serde(default)]
    pub visible_in_rackspace_email_company_directory: Option<bool>,
    #[serde(default, rename = "visibleInExchangeGAL")]
    pub visible_in_exchange_gal: Option<bool>,
    #[serde(default)]
    pub contact_info: Option<ContactInfo>,
}

/// An alias as listed by Index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AliasSummary {
    pub name: String,
    #[serde(default)]
    pub number_of_members: Option<u32>,
    #[serde(default)]
    pub single_member_name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct AliasList {
    #[serde(default)]
    pub offset: Option<u32>,
    #[serde(default)]
    pub size: Option<u32>,
    #[serde(default)]
    pub total: Option<u32>,
    pub aliases: Vec<AliasSummary>,
}

/// An alias as Show returns it: its name and the addresses it delivers to.
///
/// The exact JSON is not documented [U]: clients see `emailAddressList` as
/// `{"emailAddress": [..]}` (or a single string), and a one-member alias may instead carry
/// `singleMemberName`. We accept all of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alias {
    pub name: String,
    pub members: Vec<String>,
}

impl<'de> Deserialize<'de> for Alias {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Raw {
            name: String,
            #[serde(default, deserialize_with = "address_list")]
            email_address_list: Vec<String>,
            #[serde(default)]
            single_member_name: Option<String>,
        }
        let raw = Raw::deserialize(d)?;
        let mut members = raw.email_address_list;
        if members.is_empty() {
            members.extend(raw.single_member_name);
        }
        Ok(Alias { name: raw.name, members })
    }
}

/// Reads a list of addresses in any of the shapes the service uses: `["a","b"]`,
/// `{"emailAddress": ["a","b"]}`, `{"emailAddress": "a"}`, `"a"`, or null.
fn address_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<String>),
        One(String),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Shape {
        List(Vec<String>),
        Wrapped {
            #[serde(rename = "emailAddress")]
            email_address: Option<OneOrMany>,
        },
        One(String),
    }
    let v: Option<Shape> = Option::deserialize(d)?;
    Ok(match v {
        None => vec![],
        Some(Shape::List(l)) => l,
        Some(Shape::One(s)) => vec![s],
        Some(Shape::Wrapped { email_address: None }) => vec![],
        Some(Shape::Wrapped { email_address: Some(OneOrMany::Many(l)) }) => l,
        Some(Shape::Wrapped { email_address: Some(OneOrMany::One(s)) }) => vec![s],
    }
    .into_iter()
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty())
    .collect())
}

/// Parses the service's US-style dates (`4/10/2006 7:47:34 PM`, `2\/12\/2006 1:00:00 AM`).
/// The service does not say which time zone they are in [U]; callers treat them as UTC.
pub fn parse_service_date(s: &str) -> Option<chrono::NaiveDateTime> {
    chrono::NaiveDateTime::parse_from_str(s.trim(), "%m/%d/%Y %I:%M:%S %p").ok()
}

/// Formats a time the way the service writes it.
pub fn format_service_date(t: chrono::NaiveDateTime) -> String {
    t.format("%-m/%-d/%Y %-I:%M:%S %p").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_accepts_every_member_shape() {
        let cases = [
            (r#"{"name":"sales","emailAddressList":{"emailAddress":["a@x.com","b@x.com"]}}"#, vec!["a@x.com", "b@x.com"]),
            (r#"{"name":"sales","emailAddressList":{"emailAddress":"a@x.com"}}"#, vec!["a@x.com"]),
            (r#"{"name":"sales","emailAddressList":["a@x.com"]}"#, vec!["a@x.com"]),
            (r#"{"name":"sales","singleMemberName":"a@x.com"}"#, vec!["a@x.com"]),
            (r#"{"name":"sales","emailAddressList":null}"#, vec![]),
        ];
        for (json, want) in cases {
            let a: Alias = serde_json::from_str(json).unwrap();
            assert_eq!(a.members, want, "{json}");
        }
    }

    #[test]
    fn mailbox_show_reads_the_reference_example() {
        let json = r#"{"name":"john.smith","displayName":"John Smith","size":2048,"currentUsage":1024,
            "enabled":true,"createdDate":"4\/10\/2006 7:47:34 PM","lastLogin":"2\/12\/2009 1:00:00 AM",
            "vacationMessage":"Away","enableVacationMessage":true,
            "emailForwardingAddressList":["a@example.com"],"saveForwardedEmail":false,
            "visibleInRackspaceEmailCompanyDirectory":true,"visibleInExchangeGAL":false,
            "contactInfo":{"firstName":"John","lastName":"Smith","customID":"7"}}"#;
        let m: Mailbox = serde_json::from_str(json).unwrap();
        assert_eq!(m.email_forwarding_address_list, vec!["a@example.com"]);
        assert_eq!(m.visible_in_exchange_gal, Some(false));
        assert_eq!(m.contact_info.unwrap().custom_id.as_deref(), Some("7"));
        let d = parse_service_date(m.created_date.as_deref().unwrap()).unwrap();
        assert_eq!(format_service_date(d), "4/10/2006 7:47:34 PM");
    }

    #[test]
    fn page_knows_when_it_is_the_last() {
        let p = Page { offset: 0, size: 250, total: 500, items: vec![1; 250] };
        assert!(!p.is_last());
        let p = Page { offset: 250, size: 250, total: 500, items: vec![1; 250] };
        assert!(p.is_last());
        let p: Page<u8> = Page { offset: 0, size: 250, total: 9, items: vec![] };
        assert!(p.is_last());
    }
}
