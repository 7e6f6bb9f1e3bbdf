//! `rackdesk find` and `rackdesk index`: the local index of the account, thin over
//! [`rackdesk_core::index`].

use crate::{client, count, print_record, print_table, storage, Cli, Failure, Format, IndexCmd, Table};
use rackdesk_core::index::{Index, IndexStatus, Opened, RefreshProgress};

/// The account's index, saying on stderr when a damaged one was set aside.
fn open(cli: &Cli) -> Result<(rackdesk_core::Client, Index), Failure> {
    let c = client(cli)?;
    let (ix, opened) = Index::open_for(&c)?;
    if let Opened::Rebuilt { reason } = opened {
        eprintln!("The local index could not be used ({reason}); a new one is made from Rackspace.");
    }
    Ok((c, ix))
}

/// Progress on stderr ([`crate::Progress`]): one updating line with a bar on a terminal, a
/// plain line every few seconds otherwise.
async fn refresh(c: &rackdesk_core::Client, ix: &Index) -> Result<(), Failure> {
    let progress = crate::Progress::stderr();
    let show = |p: &RefreshProgress| {
        let line = format!("{} ({} of {} listings, {} objects)", p.now, p.parts_done, p.parts, p.items);
        progress.update(u64::from(p.parts_done), u64::from(p.parts), &line);
    };
    let r = ix.refresh(c, &show).await;
    progress.clear();
    let r = r?;
    eprintln!(
        "Index up to date: {} from {} reads{}.",
        count(r.items as usize, "object", "objects"),
        r.reads,
        if r.resumed { ", going on from an interrupted refresh" } else { "" }
    );
    Ok(())
}

fn age(s: &IndexStatus) -> String {
    match s.refreshed_at {
        None => "never read from Rackspace".into(),
        Some(t) => {
            let mins = (chrono::Utc::now() - t).num_minutes().max(0);
            match mins {
                0 => "as of less than a minute ago".into(),
                1 => "as of 1 minute ago".into(),
                m if m < 120 => format!("as of {m} minutes ago"),
                m => format!("as of {} hours ago", m / 60),
            }
        }
    }
}

pub(crate) async fn find(cli: &Cli, text: &str, force: bool, limit: usize, format: Format) -> Result<(), Failure> {
    let (c, ix) = open(cli)?;
    let status = ix.status()?;
    if force || status.needs_refresh() {
        refresh(&c, &ix).await?;
    }
    let found = ix.find(text, limit)?;
    let rows = found
        .iter()
        .map(|i| {
            vec![
                i.address(),
                i.display_name.clone().unwrap_or_default(),
                i.kind.label().to_owned(),
                match i.enabled {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
                match (i.used_mb, i.size_mb) {
                    (Some(u), Some(s)) => format!("{} of {}", storage(u), storage(s)),
                    _ => i.addresses.join("; "),
                },
            ]
        })
        .collect();
    let summary = Some(format!("{} ({})", count(found.len(), "match", "matches"), age(&ix.status()?)));
    print_table(format, &Table { header: vec!["address", "name", "kind", "enabled", "storage or addresses"], rows, items: found, summary })?;
    Ok(())
}

pub(crate) async fn index(cli: &Cli, cmd: &IndexCmd, format: Format) -> Result<(), Failure> {
    let (c, ix) = open(cli)?;
    if let IndexCmd::Refresh = cmd {
        refresh(&c, &ix).await?;
    }
    let s = ix.status()?;
    print_record(
        format,
        &[("objects", s.items.to_string()), ("fresh", age(&s)), ("unfinished refresh", if s.unfinished { "yes".into() } else { "no".into() }), ("file", ix.path().display().to_string())],
        &s,
    )?;
    Ok(())
}
