//! CSV exports for reporting and as the starting point of bulk updates.
//!
//! Every cell goes through [`crate::csv_safe::write_record`]: a display name such as
//! `=HYPERLINK(..)` is written as `'=HYPERLINK(..)`, which a spreadsheet shows as text and
//! our bulk import reads back as `=HYPERLINK(..)`.

use crate::csv_safe::write_record;
use crate::models::{parse_service_date, MailboxSummary};
use std::io::Write;

/// The columns of a mailbox export, in order.
pub const MAILBOX_COLUMNS: [&str; 8] =
    ["email", "displayName", "enabled", "sizeMB", "usedMB", "usedPercent", "lastLogin", "created"];

fn iso(s: Option<&str>) -> String {
    s.and_then(parse_service_date)
        .map(|t| t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Writes mailboxes of `domain` as CSV (UTF-8, comma, a header row). Returns the row count.
pub fn mailboxes_csv<W: Write>(domain: &str, rows: &[MailboxSummary], out: W) -> std::io::Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    write_record(&mut w, MAILBOX_COLUMNS)?;
    for m in rows {
        let size = m.size.unwrap_or(0);
        let used = m.current_usage.unwrap_or(0);
        let pct = if size > 0 { format!("{:.0}", used as f64 * 100.0 / size as f64) } else { String::new() };
        write_record(
            &mut w,
            [
                format!("{}@{domain}", m.name),
                m.display_name.clone().unwrap_or_default(),
                m.enabled.map(|e| e.to_string()).unwrap_or_default(),
                m.size.map(|s| s.to_string()).unwrap_or_default(),
                m.current_usage.map(|s| s.to_string()).unwrap_or_default(),
                pct,
                iso(m.last_login.as_deref()),
                iso(m.created_date.as_deref()),
            ],
        )?;
    }
    w.flush()?;
    Ok(rows.len())
}

/// The columns of a full mailbox export ([`full_mailboxes_csv`]): the update job's columns
/// (email, displayName, enabled, sizeMB, forwardTo, keepCopy, autoReply) plus read-only ones
/// the update job reads for information (usedMB, usedPercent, lastLogin, created, aliases).
pub const FULL_MAILBOX_COLUMNS: [&str; 12] = [
    "email", "displayName", "enabled", "sizeMB", "usedMB", "usedPercent", "lastLogin", "created", "forwardTo", "keepCopy", "autoReply", "aliases",
];

/// One mailbox with its details and the aliases that deliver to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MailboxExport {
    pub email: String,
    pub display_name: String,
    pub enabled: bool,
    pub size_mb: u64,
    pub used_mb: u64,
    pub last_login: Option<String>,
    pub created: Option<String>,
    pub forward_to: Vec<String>,
    pub keep_copy: bool,
    /// The auto-reply message when the auto-reply is on.
    pub auto_reply: Option<String>,
    pub aliases: Vec<String>,
}

/// Reads every mailbox of `domain` with its details (one call per 250 mailboxes, one per
/// mailbox for forwarding and auto-reply) and the aliases (one call per 250 aliases, one per
/// alias with more than one member). `progress(done, total)` after each mailbox.
pub async fn collect_mailboxes(
    client: &crate::Client,
    domain: &str,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> crate::Result<Vec<MailboxExport>> {
    use crate::api::{MailboxField, MailboxQuery};
    let domain = crate::names::domain_name(domain)?;
    let list = client
        .mailboxes(&domain, MailboxQuery { fields: MailboxField::ALL.to_vec(), ..MailboxQuery::default() })
        .await?;
    let member_of = crate::rules::aliases_by_member(&crate::rules::alias_members(client, &domain).await?);
    let mut out = Vec::with_capacity(list.len());
    for (i, s) in list.iter().enumerate() {
        let email = format!("{}@{domain}", s.name);
        let m = client.mailbox(&domain, &s.name).await?;
        out.push(MailboxExport {
            aliases: member_of.get(&email.to_lowercase()).cloned().unwrap_or_default(),
            email,
            display_name: m.display_name.clone().unwrap_or_default(),
            enabled: m.enabled,
            size_mb: m.size,
            used_mb: m.current_usage.or(s.current_usage).unwrap_or(0),
            last_login: m.last_login.clone(),
            created: m.created_date.clone(),
            forward_to: m.email_forwarding_address_list.clone(),
            keep_copy: m.save_forwarded_email,
            auto_reply: m.enable_vacation_message.then(|| m.vacation_message.clone().unwrap_or_default()),
        });
        progress(i + 1, list.len());
    }
    Ok(out)
}

/// Writes full mailbox rows as CSV (UTF-8, comma, a header row): the starting point of an
/// update job. Lists inside a cell are separated by "; ".
pub fn full_mailboxes_csv<W: Write>(rows: &[MailboxExport], out: W) -> std::io::Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    write_record(&mut w, FULL_MAILBOX_COLUMNS)?;
    for m in rows {
        let pct = if m.size_mb > 0 { format!("{:.0}", m.used_mb as f64 * 100.0 / m.size_mb as f64) } else { String::new() };
        write_record(
            &mut w,
            [
                m.email.clone(),
                m.display_name.clone(),
                if m.enabled { "yes" } else { "no" }.to_owned(),
                m.size_mb.to_string(),
                m.used_mb.to_string(),
                pct,
                iso(m.last_login.as_deref()),
                iso(m.created.as_deref()),
                m.forward_to.join("; "),
                if m.keep_copy { "yes" } else { "no" }.to_owned(),
                m.auto_reply.clone().unwrap_or_default(),
                m.aliases.join("; "),
            ],
        )?;
    }
    w.flush()?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailboxes_become_csv_with_a_header() {
        let rows = vec![
            MailboxSummary {
                name: "jane.doe".into(),
                display_name: Some("Doe, Jane".into()),
                size: Some(2048),
                current_usage: Some(512),
                enabled: Some(true),
                created_date: Some("4/10/2006 7:47:34 PM".into()),
                last_login: None,
            },
            MailboxSummary { name: "x".into(), display_name: None, size: None, current_usage: None, enabled: None, created_date: None, last_login: None },
        ];
        let mut buf = Vec::new();
        assert_eq!(mailboxes_csv("example.com", &rows, &mut buf).unwrap(), 2);
        let text = String::from_utf8(buf).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("email,displayName,enabled,sizeMB,usedMB,usedPercent,lastLogin,created"));
        assert_eq!(lines.next(), Some("jane.doe@example.com,\"Doe, Jane\",true,2048,512,25,,2006-04-10T19:47:34Z"));
        assert_eq!(lines.next(), Some("x@example.com,,,,,,,"));
    }

    #[test]
    fn formula_cells_survive_an_export_and_an_update_import() {
        use crate::bulk::{input, validate, JobKind};
        let names = ["=HYPERLINK(\"x\")", "+1", "-x", "@SUM", "\tTabbed", "Plain, Name"];
        let rows: Vec<MailboxExport> = names
            .iter()
            .enumerate()
            .map(|(i, n)| MailboxExport {
                email: format!("user{i}@example.com"),
                display_name: n.to_string(),
                enabled: true,
                size_mb: 2048,
                used_mb: 0,
                last_login: None,
                created: None,
                forward_to: vec![],
                keep_copy: false,
                auto_reply: (i == 0).then(|| "-back Monday".to_owned()),
                aliases: vec![],
            })
            .collect();
        let mut buf = Vec::new();
        full_mailboxes_csv(&rows, &mut buf).unwrap();
        let text = String::from_utf8(buf.clone()).unwrap();
        for bad in ["\n=", ",=", ",+", ",-", ",@", ",\t", ",\"="] {
            assert!(!text.contains(bad), "{bad:?} in {text}");
        }
        assert!(text.contains(",\"'=HYPERLINK(\"\"x\"\")\",") && text.contains(",'+1,") && text.contains(",'-back Monday,"), "{text}");

        let i = input::read(&buf, JobKind::Update, &[]);
        assert!(!i.has_errors(), "{:?}", i.problems);
        assert_eq!(i.rows.len(), names.len());
        for (r, n) in i.rows.iter().zip(names) {
            // The import trims cells, as it always has: the tab goes, the name stays.
            assert_eq!(r.get("displayName"), Some(n.trim()), "row {}", r.row);
        }
        assert_eq!(i.rows[0].get("autoReply"), Some("-back Monday"));
        let v = validate::validate(&i);
        assert!(v.problems.iter().all(|p| !p.is_error()), "{:?}", v.problems);
    }
}
