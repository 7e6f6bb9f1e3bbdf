//! CSV exports of Hosted Exchange objects, in the columns the bulk jobs read back: contacts as
//! a contact import, list members one per row as a list-members job. Every cell goes through
//! [`crate::csv_safe::write_record`] (formula-looking text is neutralised and reads back as it
//! was).

use super::{ContactQuery, ContactSummary, ExMailboxQuery, ExMailboxSummary, ListQuery, RecipientKind};
use crate::csv_safe::write_record;
use crate::{ApiError, Client};
use std::io::Write;

pub const EX_MAILBOX_COLUMNS: [&str; 5] = ["email", "displayName", "sizeMB", "usedMB", "usedPercent"];
pub const CONTACT_COLUMNS: [&str; 4] = ["domain", "name", "displayName", "email"];
pub const LIST_COLUMNS: [&str; 4] = ["list", "displayName", "member", "kind"];

/// One distribution list with its members and allowed senders, as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListExport {
    pub address: String,
    pub display_name: String,
    pub members: Vec<String>,
    pub senders: Vec<String>,
}

/// Every Exchange mailbox of `domain` (all pages).
pub async fn collect_ex_mailboxes(client: &Client, domain: &str) -> Result<Vec<ExMailboxSummary>, ApiError> {
    client.ex_mailboxes(domain, ExMailboxQuery::default()).await
}

/// Every contact of `domain` (all pages).
pub async fn collect_contacts(client: &Client, domain: &str) -> Result<Vec<ContactSummary>, ApiError> {
    client.contacts(domain, ContactQuery::default()).await
}

/// Every list of `domain` with its members and senders (one read per list and kind).
pub async fn collect_lists(client: &Client, domain: &str) -> Result<Vec<ListExport>, ApiError> {
    let mut out = Vec::new();
    for l in client.lists(domain, ListQuery::default()).await? {
        let members = client.list_recipients(domain, &l.common_name, RecipientKind::Members).await?;
        let senders = client.list_recipients(domain, &l.common_name, RecipientKind::Senders).await?;
        out.push(ListExport {
            address: l.primary_smtp_address.clone().unwrap_or_else(|| format!("{}@{domain}", l.common_name)),
            display_name: l.display_name.clone().unwrap_or_default(),
            members,
            senders,
        });
    }
    Ok(out)
}

/// Exchange mailboxes as CSV. Returns the row count.
pub fn ex_mailboxes_csv<W: Write>(domain: &str, rows: &[ExMailboxSummary], out: W) -> std::io::Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    write_record(&mut w, EX_MAILBOX_COLUMNS)?;
    for m in rows {
        let pct = match (m.size, m.current_usage) {
            (Some(s), Some(u)) if s > 0 => format!("{:.0}", u as f64 * 100.0 / s as f64),
            _ => String::new(),
        };
        write_record(
            &mut w,
            [
                format!("{}@{domain}", m.name),
                m.display_name.clone().unwrap_or_default(),
                m.size.map(|s| s.to_string()).unwrap_or_default(),
                m.current_usage.map(|s| s.to_string()).unwrap_or_default(),
                pct,
            ],
        )?;
    }
    w.flush()?;
    Ok(rows.len())
}

/// Contacts as CSV, in the columns of a contact import. Returns the row count.
pub fn contacts_csv<W: Write>(domain: &str, rows: &[ContactSummary], out: W) -> std::io::Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    write_record(&mut w, CONTACT_COLUMNS)?;
    for c in rows {
        write_record(&mut w, [domain.to_owned(), c.name.clone(), c.display_name.clone().unwrap_or_default(), c.external_email.clone().unwrap_or_default()])?;
    }
    w.flush()?;
    Ok(rows.len())
}

/// Lists as CSV: one row per member (kind `member`) and per allowed sender (kind `sender`); a
/// list with neither still gets one row, with an empty member. Returns the row count.
pub fn lists_csv<W: Write>(lists: &[ListExport], out: W) -> std::io::Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    write_record(&mut w, LIST_COLUMNS)?;
    let mut n = 0;
    for l in lists {
        let rows: Vec<(&str, &str)> =
            l.members.iter().map(|m| (m.as_str(), "member")).chain(l.senders.iter().map(|s| (s.as_str(), "sender"))).collect();
        if rows.is_empty() {
            write_record(&mut w, [l.address.as_str(), l.display_name.as_str(), "", ""])?;
            n += 1;
        }
        for (who, kind) in rows {
            write_record(&mut w, [l.address.as_str(), l.display_name.as_str(), who, kind])?;
            n += 1;
        }
    }
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes).records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
    }

    #[test]
    fn lists_are_one_row_per_member_and_sender_and_formulas_read_back() {
        let lists = vec![
            ListExport { address: "sales@x.example".into(), display_name: "=Sales".into(), members: vec!["a@x.example".into(), "b@y.example".into()], senders: vec!["boss@x.example".into()] },
            ListExport { address: "empty@x.example".into(), display_name: "Empty".into(), members: vec![], senders: vec![] },
        ];
        let mut out = Vec::new();
        assert_eq!(lists_csv(&lists, &mut out).unwrap(), 4);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with("list,displayName,member,kind\n"), "{text}");
        assert!(text.contains("'=Sales"), "a formula-looking name is neutralised: {text}");
        let rows = read(&out);
        assert_eq!(rows[0], vec!["sales@x.example", "'=Sales", "a@x.example", "member"]);
        assert_eq!(rows[2][2..], ["boss@x.example".to_owned(), "sender".to_owned()]);
        assert_eq!(rows[3], vec!["empty@x.example", "Empty", "", ""]);
    }

    #[test]
    fn contacts_and_mailboxes_have_their_columns() {
        let mut out = Vec::new();
        let c = ContactSummary { name: "ines".into(), display_name: Some("Ines F".into()), external_email: Some("ines@proseware.example".into()) };
        assert_eq!(contacts_csv("adatum.example", &[c], &mut out).unwrap(), 1);
        assert_eq!(String::from_utf8(out).unwrap(), "domain,name,displayName,email\nadatum.example,ines,Ines F,ines@proseware.example\n");
        let mut out = Vec::new();
        let m = ExMailboxSummary { name: "kim".into(), display_name: Some("Kim".into()), size: Some(2048), current_usage: Some(512), enabled: None };
        ex_mailboxes_csv("adatum.example", &[m], &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "email,displayName,sizeMB,usedMB,usedPercent\nkim@adatum.example,Kim,2048,512,25\n");
    }
}
