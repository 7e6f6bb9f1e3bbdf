//! Every spam list of a domain — the domain's own and each mailbox's, both services — as CSV
//! in the columns of the `spam-list` bulk job (`target`, `list`, `entry`), so an export can be
//! edited and imported again. `list` is `safe` or `block`; an IP address on it goes back to the
//! IP list of that side, as on import. Every cell goes through
//! [`crate::csv_safe::write_record`]: an entry such as `@example.com` starts with a character a
//! spreadsheet reads as a formula, so it is written `'@example.com` and read back as it was.

use super::entry::{SpamEntry, SpamList, SpamLists};
use super::{OwnerKind, SpamOwner};
use crate::api::MailboxQuery;
use crate::csv_safe::write_record;
use crate::exchange::ExMailboxQuery;
use crate::models::Service;
use crate::names::EmailAddress;
use crate::{ApiError, Client};
use serde::Serialize;
use std::io::Write;

/// The columns, in order (the `spam-list` job's, without its optional `action`).
pub const SPAM_COLUMNS: [&str; 3] = ["target", "list", "entry"];

/// One owner's lists, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnerLists {
    pub owner: SpamOwner,
    pub lists: SpamLists,
}

/// Reads the four lists of `domain` and of every mailbox of it (four reads each, plus one per
/// 250 mailboxes for the mailbox lists). `progress(done, total)` after each owner.
pub async fn collect(client: &Client, domain: &str, progress: &(dyn Fn(usize, usize) + Sync)) -> Result<Vec<OwnerLists>, ApiError> {
    let owner = super::resolve(client, &super::SpamTarget::parse(domain)?).await?;
    let mut owners = vec![owner.clone()];
    if owner.has(Service::RackspaceEmail) {
        let q = MailboxQuery { fields: vec![], ..MailboxQuery::default() };
        for m in client.mailboxes(&owner.domain, q).await? {
            let a = EmailAddress { local: m.name.to_ascii_lowercase(), domain: owner.domain.clone() };
            owners.push(SpamOwner::mailbox(OwnerKind::RsMailbox, &a, owner.services.clone()));
        }
    }
    if owner.has(Service::Exchange) {
        for m in client.ex_mailboxes(&owner.domain, ExMailboxQuery::default()).await? {
            let a = EmailAddress { local: m.name.to_ascii_lowercase(), domain: owner.domain.clone() };
            owners.push(SpamOwner::mailbox(OwnerKind::ExMailbox, &a, owner.services.clone()));
        }
    }
    let total = owners.len();
    let mut out = Vec::with_capacity(total);
    for (i, o) in owners.into_iter().enumerate() {
        let lists = client.spam_lists(&o).await?;
        out.push(OwnerLists { owner: o, lists });
        progress(i + 1, total);
    }
    Ok(out)
}

/// Writes the lists as CSV, one row per entry (owners without entries have no rows). Returns
/// the row count.
pub fn spam_csv<W: Write>(owners: &[OwnerLists], out: W) -> std::io::Result<usize> {
    let mut w = csv::Writer::from_writer(out);
    write_record(&mut w, SPAM_COLUMNS)?;
    let mut n = 0;
    for o in owners {
        let target = o.owner.target();
        for list in SpamList::ALL {
            for e in o.lists.get(list) {
                write_record(&mut w, [target.as_str(), list.side().as_str(), SpamEntry::as_str(e)])?;
                n += 1;
            }
        }
    }
    w.flush()?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_entry_in_the_import_columns() {
        let e = |s: &str| SpamEntry::from_server(s);
        let a = EmailAddress::parse("jane@example.com").unwrap();
        let owners = vec![
            OwnerLists {
                owner: SpamOwner::domain("example.com", vec![Service::RackspaceEmail]),
                lists: SpamLists { safe: vec![e("@partner.example")], block: vec![e("=cmd@x.example")], ip_safe: vec![], ip_block: vec![e("192.0.2.1")] },
            },
            OwnerLists { owner: SpamOwner::mailbox(OwnerKind::RsMailbox, &a, vec![]), lists: SpamLists { safe: vec![e("boss@partner.example")], ..Default::default() } },
        ];
        let mut out = Vec::new();
        assert_eq!(spam_csv(&owners, &mut out).unwrap(), 4);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "target,list,entry\nexample.com,safe,'@partner.example\nexample.com,block,'=cmd@x.example\nexample.com,block,192.0.2.1\njane@example.com,safe,boss@partner.example\n"
        );
    }
}
