//! Exchange mailbox permissions (reference §6.8, §13): index
//! `GET .../ex/mailboxes/{m}/permissions` (key `permissions`), grant `POST`, change `PUT`,
//! revoke `DELETE .../permissions/{delegate}`, where `{delegate}` is the delegate mailbox's
//! local part and the form field is `permission`.

use crate::api::gated;
use crate::client::{Client, Form};
use crate::error::{ApiError, Result};
use crate::limits::Category;
use crate::names::{self, path_segment, EmailAddress};
use reqwest::Method;
use serde::{Deserialize, Deserializer, Serialize};

/// A permission value we send. Only `both` is confirmed (a Rackspace API-team sample,
/// §13); `fullaccess` is only hinted by one client and no "send as" value was found [U].
/// The safe rule: offer what is confirmed, refuse the rest before sending, naming why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PermissionLevel {
    /// Full access and send-as together (the value Rackspace's own sample uses).
    Both,
}

impl PermissionLevel {
    pub const ALL: [PermissionLevel; 1] = [PermissionLevel::Both];

    pub fn as_str(self) -> &'static str {
        match self {
            PermissionLevel::Both => "both",
        }
    }

    /// What it lets the delegate do, in words.
    pub fn label(self) -> &'static str {
        match self {
            PermissionLevel::Both => "open the mailbox and send as it",
        }
    }

    pub fn parse(value: &str) -> Result<PermissionLevel> {
        let v = value.trim().to_ascii_lowercase();
        match v.as_str() {
            "both" => Ok(PermissionLevel::Both),
            "fullaccess" | "full-access" | "sendas" | "send-as" => Err(ApiError::invalid(
                "permission",
                format!("\"{v}\" is not confirmed in Rackspace's documentation, so Rackdesk does not send it; use \"both\""),
            )),
            _ => Err(ApiError::invalid("permission", format!("\"{v}\" is not a permission Rackdesk knows; use \"both\""))),
        }
    }
}

/// One delegate's permission on a mailbox, as the Index lists it. The item's field names are
/// not documented [U]: the delegate is read from the first of `delegate`, `mailboxName`,
/// `name`, `emailAddress`, `user`; the permission from `permission`, `permissionType`,
/// `type`. An item with neither a delegate nor a permission is refused as unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailboxPermission {
    pub delegate: String,
    pub permission: String,
}

impl<'de> Deserialize<'de> for MailboxPermission {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let m = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let pick = |keys: &[&str]| keys.iter().find_map(|k| m.get(*k).and_then(|v| v.as_str()).map(str::to_owned));
        let delegate = pick(&["delegate", "mailboxName", "name", "emailAddress", "user"])
            .ok_or_else(|| serde::de::Error::custom("a permission without the delegate's name"))?;
        let permission = pick(&["permission", "permissionType", "type"])
            .ok_or_else(|| serde::de::Error::custom("a permission without its value"))?;
        Ok(MailboxPermission { delegate, permission })
    }
}

#[derive(Debug, Deserialize)]
struct PermissionList {
    permissions: Vec<MailboxPermission>,
}

/// The delegate as the path takes it: the local part of a mailbox of the same domain. A full
/// address of another domain is refused (the API names delegates by local part only).
pub fn delegate_name(domain: &str, delegate: &str) -> Result<String> {
    let d = delegate.trim();
    if d.contains('@') {
        let a = EmailAddress::parse_as("delegate", d)?;
        if a.domain != domain {
            return Err(ApiError::invalid("delegate", format!("it must be a mailbox of {domain}; {} is in another domain", a)));
        }
        return Ok(a.local);
    }
    names::mailbox_name("delegate", d)
}

impl Client {
    fn permission_path(&self, domain: &str, mailbox: &str, delegate: &str) -> Result<(String, String)> {
        let (mp, m, d) = self.ex_mailbox_path(domain, mailbox)?;
        let who = delegate_name(&d, delegate)?;
        if who == m {
            return Err(ApiError::invalid("delegate", "a mailbox cannot be given permissions on itself"));
        }
        Ok((format!("{mp}/permissions/{}", path_segment("delegate", &who)?), who))
    }

    /// Who may use an Exchange mailbox, and how.
    pub async fn ex_permissions(&self, domain: &str, mailbox: &str) -> Result<Vec<MailboxPermission>> {
        let (mp, _, _) = self.ex_mailbox_path(domain, mailbox)?;
        let l: PermissionList = self.get_json(format!("{mp}/permissions"), vec![]).await?;
        Ok(l.permissions)
    }

    gated! {
        /// Grants a delegate a permission. A grant cannot be read back by a documented path,
        /// so it is never resent once it may have reached the server (outcome unknown instead).
        fn grant_ex_permission(&self, domain: &str, mailbox: &str, delegate: &str, level: PermissionLevel) -> Result<()> {
            let (path, _) = self.permission_path(domain, mailbox, delegate)?;
            let mut f = Form::new();
            f.text("permission", level.as_str());
            self.write_once(Method::POST, path, Some(f)).await
        }
    }

    gated! {
        /// Changes a delegate's permission (setting a value twice is the same as once).
        fn change_ex_permission(&self, domain: &str, mailbox: &str, delegate: &str, level: PermissionLevel) -> Result<()> {
            let (path, _) = self.permission_path(domain, mailbox, delegate)?;
            let mut f = Form::new();
            f.text("permission", level.as_str());
            self.write(Method::PUT, path, Some(f), Category::Write).await
        }
    }

    gated! {
        /// Takes a delegate's permission away (no body).
        fn revoke_ex_permission(&self, domain: &str, mailbox: &str, delegate: &str) -> Result<()> {
            let (path, _) = self.permission_path(domain, mailbox, delegate)?;
            self.write_once(Method::DELETE, path, None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_confirmed_value_is_offered() {
        assert_eq!(PermissionLevel::parse(" Both ").unwrap(), PermissionLevel::Both);
        let e = PermissionLevel::parse("fullaccess").unwrap_err();
        assert!(e.user_message().contains("not confirmed"), "{}", e.user_message());
        assert!(PermissionLevel::parse("sendas").is_err());
        assert!(PermissionLevel::parse("owner").unwrap_err().user_message().contains("use \"both\""));
    }

    #[test]
    fn delegates_are_local_parts_of_the_same_domain() {
        assert_eq!(delegate_name("example.com", "Ana.Lima").unwrap(), "ana.lima");
        assert_eq!(delegate_name("example.com", "ana.lima@Example.com").unwrap(), "ana.lima");
        assert!(delegate_name("example.com", "ana@other.org").unwrap_err().user_message().contains("another domain"));
        assert!(delegate_name("example.com", "ana/../x").is_err());
    }

    #[test]
    fn permissions_are_read_whatever_the_item_names() {
        let l: PermissionList =
            serde_json::from_str(r#"{"permissions":[{"mailboxName":"ana","permission":"both"},{"delegate":"bo","permissionType":"fullaccess"}]}"#).unwrap();
        assert_eq!(l.permissions[0], MailboxPermission { delegate: "ana".into(), permission: "both".into() });
        assert_eq!(l.permissions[1].permission, "fullaccess");
        assert!(serde_json::from_str::<PermissionList>(r#"{"permissions":[{"x":1}]}"#).is_err());
    }
}
