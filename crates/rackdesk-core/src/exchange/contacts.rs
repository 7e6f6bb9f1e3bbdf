//! Exchange contacts (`.../ex/contacts`, reference §6.10 and §13): people outside the company
//! shown in the address book. Index key `contacts`, classic `size`/`offset` paging; add needs
//! `displayName` and `externalEmail`. The other field names are not confirmed [U]: we use the
//! Exchange mailbox names of §13 (camelCase), the reference's best analogue.

use super::{display_name, ContactFields};
use crate::api::{gated, paging, search_text, Pager, Search, MAX_PAGE_SIZE};
use crate::client::{Client, Form};
use crate::error::{ApiError, Result};
use crate::limits::Category;
use crate::models::Page;
use crate::names::{self, path_segment, EmailAddress};
use reqwest::Method;
use serde::{Deserialize, Serialize};

/// A contact as Index lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactSummary {
    pub name: String,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub external_email: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ContactList {
    #[serde(default)]
    pub offset: u32,
    #[serde(default)]
    pub size: u32,
    #[serde(default)]
    pub total: u32,
    pub contacts: Vec<ContactSummary>,
}

/// A contact as Show returns it. The Show body is not documented [U]: the person-details are
/// read both flat (as the form sends them) and nested under `contactInfo` (as a mailbox's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub external_email: Option<String>,
    #[serde(default)]
    pub is_hidden: Option<bool>,
    #[serde(flatten)]
    pub fields: ContactFields,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_info: Option<ContactFields>,
}

impl Contact {
    /// The details, wherever the server put them.
    pub fn details(&self) -> &ContactFields {
        match &self.contact_info {
            Some(c) if self.fields.is_empty() => c,
            _ => &self.fields,
        }
    }
}

/// What to list and which page. Search covers display name and external address (§5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactQuery {
    pub search: Option<Search>,
    pub size: u32,
    pub offset: u32,
}

impl Default for ContactQuery {
    fn default() -> Self {
        ContactQuery { search: None, size: MAX_PAGE_SIZE, offset: 0 }
    }
}

impl ContactQuery {
    pub fn to_query(&self) -> Result<Vec<(String, String)>> {
        let mut q = paging(self.size, self.offset)?;
        match &self.search {
            Some(Search::StartsWith(s)) => q.push(("startswith".into(), search_text(s)?)),
            Some(Search::Contains(s)) => q.push(("contains".into(), search_text(s)?)),
            None => {}
        }
        Ok(q)
    }
}

fn external_email(value: &str) -> Result<String> {
    Ok(EmailAddress::parse_external("external address", value)?.to_string())
}

/// A new contact: a display name and the outside address are required.
#[derive(Debug, Clone, Default)]
pub struct NewContact {
    pub display_name: String,
    pub external_email: String,
    pub is_hidden: Option<bool>,
    pub fields: ContactFields,
}

impl NewContact {
    pub fn to_form(&self) -> Result<Form> {
        let mut f = Form::new();
        f.text("displayName", display_name(&self.display_name)?).text("externalEmail", external_email(&self.external_email)?);
        if let Some(h) = self.is_hidden {
            f.flag_capitalised("isHidden", h);
        }
        self.fields.add_to(&mut f)?;
        Ok(f)
    }
}

/// Changes to a contact: only what is set is sent.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    pub display_name: Option<String>,
    pub external_email: Option<String>,
    pub is_hidden: Option<bool>,
    pub fields: ContactFields,
}

impl ContactChanges {
    pub fn to_form(&self) -> Result<Form> {
        let mut f = Form::new();
        if let Some(d) = &self.display_name {
            f.text("displayName", display_name(d)?);
        }
        if let Some(e) = &self.external_email {
            f.text("externalEmail", external_email(e)?);
        }
        if let Some(h) = self.is_hidden {
            f.flag_capitalised("isHidden", h);
        }
        self.fields.add_to(&mut f)?;
        if f.is_empty() {
            return Err(ApiError::invalid("request", "no change was asked for"));
        }
        Ok(f)
    }
}

impl Client {
    fn contact_path(&self, domain: &str, contact: &str) -> Result<String> {
        let (dp, _) = self.domain_path(domain)?;
        let c = names::mailbox_name("contact name", contact)?;
        Ok(format!("{dp}/ex/contacts/{}", path_segment("contact name", &c)?))
    }

    pub async fn contacts_page(&self, domain: &str, query: &ContactQuery) -> Result<Page<ContactSummary>> {
        let (dp, _) = self.domain_path(domain)?;
        let l: ContactList = self.get_json(format!("{dp}/ex/contacts"), query.to_query()?).await?;
        Ok(Page { offset: l.offset, size: l.size, total: l.total, items: l.contacts })
    }

    /// Every contact of a domain matching the query, page by bounded page.
    pub async fn contacts(&self, domain: &str, query: ContactQuery) -> Result<Vec<ContactSummary>> {
        let mut pager = Pager::new(query.offset, query.size);
        let mut out = Vec::new();
        while let Some(offset) = pager.offset() {
            let page = self.contacts_page(domain, &ContactQuery { offset, ..query.clone() }).await?;
            pager.advance(&page)?;
            out.extend(page.items);
        }
        Ok(out)
    }

    pub async fn contact(&self, domain: &str, contact: &str) -> Result<Contact> {
        self.get_json(self.contact_path(domain, contact)?, vec![]).await
    }

    gated! {
        fn create_contact(&self, domain: &str, contact: &str, new: &NewContact) -> Result<()> {
            let path = self.contact_path(domain, contact)?;
            self.write(Method::POST, path, Some(new.to_form()?), Category::Write).await
        }
    }

    gated! {
        fn edit_contact(&self, domain: &str, contact: &str, changes: &ContactChanges) -> Result<()> {
            let path = self.contact_path(domain, contact)?;
            self.write(Method::PUT, path, Some(changes.to_form()?), Category::Write).await
        }
    }

    gated! {
        fn delete_contact(&self, domain: &str, contact: &str) -> Result<()> {
            let path = self.contact_path(domain, contact)?;
            self.write(Method::DELETE, path, None, Category::Write).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_contact_needs_a_name_and_a_valid_outside_address() {
        let n = NewContact { display_name: "Pat Vendor".into(), external_email: "pat@vendor.org".into(), is_hidden: Some(false), ..Default::default() };
        assert_eq!(n.to_form().unwrap().field_names(), vec!["displayName", "externalEmail", "isHidden"]);
        let n = NewContact { display_name: "Pat".into(), external_email: "pat at vendor".into(), ..Default::default() };
        assert!(n.to_form().unwrap_err().user_message().contains("external address"));
        let n = NewContact { display_name: " ".into(), external_email: "pat@vendor.org".into(), ..Default::default() };
        assert!(n.to_form().unwrap_err().user_message().contains("display name"));
        assert!(ContactChanges::default().to_form().is_err());
    }

    #[test]
    fn show_reads_details_flat_or_nested() {
        let flat: Contact = serde_json::from_str(r#"{"name":"pat","displayName":"Pat","externalEmail":"pat@vendor.org","company":"Vendor"}"#).unwrap();
        assert_eq!(flat.details().company.as_deref(), Some("Vendor"));
        let nested: Contact = serde_json::from_str(r#"{"displayName":"Pat","contactInfo":{"company":"Vendor"}}"#).unwrap();
        assert_eq!(nested.details().company.as_deref(), Some("Vendor"));
    }

    #[test]
    fn the_query_pages_and_searches() {
        let q = ContactQuery { search: Some(Search::StartsWith("pa".into())), size: 50, offset: 50 };
        assert_eq!(q.to_query().unwrap(), vec![("size".into(), "50".into()), ("offset".into(), "50".into()), ("startswith".into(), "pa".into())]);
        assert!(ContactQuery { search: Some(Search::Contains(" ".into())), ..Default::default() }.to_query().is_err());
    }
}
