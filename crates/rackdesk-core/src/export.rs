//! CSV exports for reporting and as the starting point of bulk updates.

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
    w.write_record(MAILBOX_COLUMNS)?;
    for m in rows {
        let size = m.size.unwrap_or(0);
        let used = m.current_usage.unwrap_or(0);
        let pct = if size > 0 { format!("{:.0}", used as f64 * 100.0 / size as f64) } else { String::new() };
        w.write_record([
            format!("{}@{domain}", m.name),
            m.display_name.clone().unwrap_or_default(),
            m.enabled.map(|e| e.to_string()).unwrap_or_default(),
            m.size.map(|s| s.to_string()).unwrap_or_default(),
            m.current_usage.map(|s| s.to_string()).unwrap_or_default(),
            pct,
            iso(m.last_login.as_deref()),
            iso(m.created_date.as_deref()),
        ])?;
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
}
