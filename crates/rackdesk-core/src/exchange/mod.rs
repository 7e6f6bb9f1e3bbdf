//! Hosted Exchange: mailboxes (reference §6.8), their permissions (§13), contacts (§6.10,
//! §13) and distribution lists in the v1 model (§6.11, §13).
//!
//! The same rules as the Rackspace Email calls in [`crate::api`]: every name that goes into
//! a URL is validated and percent-encoded, every value is checked before anything is sent,
//! listings are bounded, and the changing calls are reachable only through [`crate::ops::Ops`]
//! (the role's allow-list and the journal). Two differences from Rackspace Email:
//!
//! * booleans are sent as `True` / `False`, as Rackspace's own client does (§13);
//! * distribution lists take JSON bodies only (never a form), page by marker instead of
//!   offset, and change asynchronously: [`lists`] waits for a change to settle and reports
//!   the final outcome.
//!
//! Where the reference marks something unconfirmed [U], the choice made is the safe one and
//! is said beside the code.

pub mod contacts;
pub mod export;
pub mod lists;
pub mod mailboxes;
mod ops;
pub mod permissions;

pub use contacts::{Contact, ContactChanges, ContactQuery, ContactSummary, NewContact};
pub use lists::{
    DistributionList, Expect, ListChanges, ListError, ListQuery, ListSort, MarkerPager, NewList, RecipientChange, RecipientKind, SettleWait,
};
pub(crate) use ops::reconcile_entry;
pub use mailboxes::{ExMailbox, ExMailboxChanges, ExMailboxQuery, ExMailboxSummary, ExchangeLimits, NewExMailbox, MAX_EX_MAILBOX_MB};
pub use permissions::{MailboxPermission, PermissionLevel};

use crate::api::plain_text;
use crate::client::Form;
use crate::error::{ApiError, Result};
use serde::{Deserialize, Serialize};

/// Longest display name of an Exchange object we send [U]: Exchange itself allows 256; we
/// keep to the 128 the rest of Rackdesk uses.
pub const MAX_DISPLAY_NAME: usize = 128;

/// The person-details of an Exchange mailbox or contact: flat form fields with the names of
/// reference §13 (camelCase; `customID` as written there). Show returns them nested under
/// `contactInfo` for a mailbox. In changes, `Some("")` clears a field; `None` leaves it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mobile_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pager_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(rename = "customID", default, skip_serializing_if = "Option::is_none")]
    pub custom_id: Option<String>,
}

/// What a field may hold.
#[derive(Clone, Copy)]
enum FieldKind {
    /// One line of text up to this many characters.
    Line(usize),
    /// A telephone number: digits and `+ - ( ) . / x` and spaces, up to 32 [U].
    Phone,
    /// Several lines up to this many characters.
    Text(usize),
}

impl ContactFields {
    /// Each field: wire name, what people call it, what it may hold, its value. The lengths
    /// are not published [U]: conservative values Exchange itself also accepts.
    fn each(&self) -> [(&'static str, &'static str, FieldKind, &Option<String>); 17] {
        use FieldKind::*;
        [
            ("firstName", "first name", Line(64), &self.first_name),
            ("lastName", "last name", Line(64), &self.last_name),
            ("jobTitle", "job title", Line(64), &self.job_title),
            ("company", "company", Line(64), &self.company),
            ("department", "department", Line(64), &self.department),
            ("businessNumber", "business phone", Phone, &self.business_number),
            ("homeNumber", "home phone", Phone, &self.home_number),
            ("mobileNumber", "mobile phone", Phone, &self.mobile_number),
            ("faxNumber", "fax number", Phone, &self.fax_number),
            ("pagerNumber", "pager number", Phone, &self.pager_number),
            ("addressLine1", "street address", Line(128), &self.address_line1),
            ("city", "city", Line(64), &self.city),
            ("state", "state or province", Line(64), &self.state),
            ("zip", "postal code", Line(16), &self.zip),
            ("country", "country", Line(64), &self.country),
            ("notes", "notes", Text(1024), &self.notes),
            ("customID", "custom ID", Line(64), &self.custom_id),
        ]
    }

    /// What people call a field, from its wire name (`businessNumber` → "business phone").
    pub fn label_of(wire: &str) -> Option<&'static str> {
        ContactFields::default().each().iter().find(|(n, ..)| *n == wire).map(|(_, l, ..)| *l)
    }

    pub fn is_empty(&self) -> bool {
        self.each().iter().all(|(_, _, _, v)| v.is_none())
    }

    /// The wire names of the fields that are set (for the journal; values are not secret).
    pub fn set_fields(&self) -> Vec<(&'static str, String)> {
        self.each().iter().filter_map(|(n, _, _, v)| v.as_ref().map(|v| (*n, v.trim().to_owned()))).collect()
    }

    /// Checks every set field and adds it to the form. Errors name the field in words.
    pub(crate) fn add_to(&self, f: &mut Form) -> Result<()> {
        for (name, label, kind, value) in self.each() {
            let Some(v) = value else { continue };
            let v = v.trim();
            match kind {
                FieldKind::Line(max) => {
                    plain_text(label, v, max)?;
                    if v.contains(['\n', '\r', '\t']) {
                        return Err(ApiError::invalid(label, "it must be one line"));
                    }
                }
                FieldKind::Text(max) => plain_text(label, v, max)?,
                FieldKind::Phone => {
                    if v.chars().count() > 32 || !v.chars().all(|c| c.is_ascii_digit() || " +-().x/".contains(c)) {
                        return Err(ApiError::invalid(label, "use digits, spaces and + - ( ) . / x, up to 32 characters"));
                    }
                }
            }
            f.text(name, v);
        }
        Ok(())
    }
}

/// Checks a display name (required where given: never empty).
pub(crate) fn display_name(value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ApiError::invalid("display name", "it is empty"));
    }
    plain_text("display name", v, MAX_DISPLAY_NAME)?;
    if v.contains(['\n', '\r', '\t']) {
        return Err(ApiError::invalid("display name", "it must be one line"));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_fields_use_the_reference_names_and_are_checked() {
        let c = ContactFields {
            first_name: Some(" Ana ".into()),
            business_number: Some("+1 (540) 555-0100".into()),
            address_line1: Some("1 Main St".into()),
            custom_id: Some("E-42".into()),
            ..Default::default()
        };
        let mut f = Form::new();
        c.add_to(&mut f).unwrap();
        assert_eq!(f.field_names(), vec!["firstName", "businessNumber", "addressLine1", "customID"]);
        assert_eq!(c.set_fields()[0], ("firstName", "Ana".to_string()));

        let bad = ContactFields { mobile_number: Some("call me".into()), ..Default::default() };
        let e = bad.add_to(&mut Form::new()).unwrap_err();
        assert!(e.user_message().contains("mobile phone"), "{}", e.user_message());
        let bad = ContactFields { city: Some("x".repeat(65)), ..Default::default() };
        assert!(bad.add_to(&mut Form::new()).unwrap_err().user_message().contains("longer than 64"));
        let bad = ContactFields { company: Some("Two\nLines".into()), ..Default::default() };
        assert!(bad.add_to(&mut Form::new()).unwrap_err().user_message().contains("one line"));
        // Notes may have several lines.
        let ok = ContactFields { notes: Some("a\nb".into()), ..Default::default() };
        assert!(ok.add_to(&mut Form::new()).is_ok());
    }

    #[test]
    fn contact_fields_read_the_show_example() {
        let v: ContactFields = serde_json::from_str(
            r#"{"firstName":"API","lastName":"Test","jobTitle":"Dev","company":"My Company","department":"R&D",
            "businessNumber":"111-1111","homeNumber":"222-2222","mobileNumber":"333-3333","faxNumber":"444-4444",
            "pagerNumber":"1234","addressLine1":"123 Main Street","city":"Blacksburg","state":"VA","zip":"24060",
            "country":"USA","notes":"My Notes","customID":"0123456789"}"#,
        )
        .unwrap();
        assert_eq!(v.custom_id.as_deref(), Some("0123456789"));
        assert_eq!(v.address_line1.as_deref(), Some("123 Main Street"));
        assert_eq!(v.set_fields().len(), 17);
    }

    #[test]
    fn display_names_are_one_line_and_not_empty() {
        assert_eq!(display_name("  Jane Doe ").unwrap(), "Jane Doe");
        assert!(display_name("   ").unwrap_err().user_message().contains("empty"));
        assert!(display_name(&"x".repeat(129)).is_err());
        assert!(display_name("a\nb").is_err());
    }
}
