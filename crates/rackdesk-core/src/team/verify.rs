//! `team verify`: every machine's hash chain checked on the team side, the same way
//! `journal verify` checks one computer's: each row against its own fingerprint, each row's
//! link to the one before, no gaps, and the end against what the database recorded it held.
//! Then the computers: one that has written more than it shipped and has not been in touch
//! for a while has stopped shipping. And, when run on a computer, that computer's rows are
//! compared with its own journal.

use super::db::{classify, Db};
use super::rows::{from_row, select_columns};
use super::TeamError;
use crate::journal::{analyse, Head, Journal, Link, ProblemKind, Tail};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// What is wrong, per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TeamProblemKind {
    /// A row's content no longer matches its fingerprint, or it was rewritten with a new one.
    Edited,
    /// Rows are missing: a gap, or the end is shorter than the database once held.
    Deleted,
    /// A row is not where it was written.
    Reordered,
    /// The computer has not been in touch for a while (and may have entries it has not shipped).
    StoppedShipping,
    /// The team database's copy of a row differs from this computer's own journal.
    DiffersFromThisComputer,
}

impl From<ProblemKind> for TeamProblemKind {
    fn from(k: ProblemKind) -> Self {
        match k {
            ProblemKind::Edited => TeamProblemKind::Edited,
            ProblemKind::Deleted => TeamProblemKind::Deleted,
            ProblemKind::Reordered => TeamProblemKind::Reordered,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamProblem {
    pub machine_id: String,
    /// The computer's name.
    pub machine: String,
    /// The row concerned (0 when it is about the computer as a whole).
    pub row: i64,
    pub kind: TeamProblemKind,
    /// A plain sentence naming the computer and the row.
    pub message: String,
}

/// One computer, as the team database knows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MachineSummary {
    pub machine_id: String,
    pub machine: String,
    /// Rows (intents and outcomes) held.
    pub rows: i64,
    /// The last row's number.
    pub last_seq: i64,
    pub last_entry_at: Option<DateTime<Utc>>,
    /// When it last reported how far its journal goes.
    pub last_seen: Option<DateTime<Utc>>,
    /// Rows it had written but not shipped when it last reported.
    pub waiting: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamVerifyReport {
    pub database: String,
    pub rows: i64,
    pub machines: Vec<MachineSummary>,
    pub problems: Vec<TeamProblem>,
}

impl TeamVerifyReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The computers' reports.
struct Reported {
    name: Option<String>,
    last_seen: DateTime<Utc>,
    head_seq: i64,
    head_hash: Option<String>,
    confirmed_seq: i64,
    confirmed_hash: Option<String>,
}

fn short(id: &str) -> &str {
    &id[..id.len().min(8)]
}

/// Checks every machine's chain. `quiet`: how long a computer may be out of touch before it
/// counts as having stopped shipping. `local`: this computer's journal,
/// to compare its rows with.
pub(crate) async fn verify(db: &Db, database: &str, quiet: Duration, local: Option<&Journal>) -> Result<TeamVerifyReport, TeamError> {
    let now = Utc::now();
    let mut reported: HashMap<String, Reported> = HashMap::new();
    for r in db
        .client
        .query("SELECT machine_id, name, last_seen, head_seq, head_hash, confirmed_seq, confirmed_hash FROM rackdesk.machines", &[])
        .await
        .map_err(classify)?
    {
        reported.insert(
            r.get(0),
            Reported { name: r.get(1), last_seen: r.get(2), head_seq: r.get(3), head_hash: r.get(4), confirmed_seq: r.get(5), confirmed_hash: r.get(6) },
        );
    }
    let ids: Vec<String> = db
        .client
        .query("SELECT DISTINCT machine_id FROM rackdesk.entries ORDER BY machine_id", &[])
        .await
        .map_err(classify)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let local_id = match local {
        Some(j) => Some(j.machine_id()?),
        None => None,
    };

    let mut problems = Vec::new();
    let mut machines = Vec::new();
    let mut total = 0i64;
    let sql = format!("SELECT {}, machine FROM rackdesk.entries WHERE machine_id = $1 ORDER BY seq", select_columns(""));
    let stmt = db.client.prepare(&sql).await.map_err(classify)?;
    let name_at = 3 + crate::journal::CONTENT_COLUMNS.len() + 1;
    for id in ids.iter().chain(reported.keys().filter(|k| !ids.contains(k))) {
        let mut links = Vec::new();
        // This computer's rows: number, stored hash, hash recomputed from the content here.
        let mut hashes: Vec<(i64, String, String)> = Vec::new();
        let mut name: Option<String> = None;
        let mut last_at: Option<DateTime<Utc>> = None;
        let rows = db.client.query_raw(&stmt, [id]).await.map_err(classify)?;
        futures::pin_mut!(rows);
        while let Some(row) = rows.try_next().await.map_err(classify)? {
            let r = from_row(&row, 0).map_err(classify)?;
            if let Some(n) = row.try_get::<_, Option<String>>(name_at).map_err(classify)?.filter(|n| !n.is_empty()) {
                name = Some(n);
            }
            let at = r.value("at").text().unwrap_or("").to_owned();
            if let Ok(t) = DateTime::parse_from_rfc3339(&at) {
                last_at = Some(t.with_timezone(&Utc));
            }
            let when = DateTime::parse_from_rfc3339(&at).map(|t| t.with_timezone(&Utc).format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or(at);
            let about = if r.value("kind").text() == Some("outcome") {
                format!("the result of entry {}, written {when}", r.value("intent_id").integer().map(|n| n.to_string()).unwrap_or_default())
            } else {
                format!("{} on {}, {when}", r.value("action").text().unwrap_or(""), r.value("target").text().unwrap_or(""))
            };
            links.push(Link::new(r.seq, &r.prev_hash, &r.hash, r.intact(), about));
            if local_id.as_deref() == Some(id.as_str()) {
                hashes.push((r.seq, r.hash.clone(), crate::journal::chain_hash_of(&r.prev_hash, &r.values)));
            }
        }
        let rep = reported.get(id);
        let name = name.or_else(|| rep.and_then(|r| r.name.clone())).unwrap_or_else(|| "an unnamed computer".into());
        let who = format!("Computer {name} (machine {})", short(id));
        let head = rep.filter(|r| r.confirmed_seq > 0).map(|r| Head { seq: r.confirmed_seq, hash: r.confirmed_hash.clone().unwrap_or_default() });
        for p in analyse(&links, head.as_ref(), Tail::ReachedAtLeast) {
            problems.push(TeamProblem { machine_id: id.clone(), machine: name.clone(), row: p.row, kind: p.kind.into(), message: format!("{who}: {}", p.message) });
        }
        let last_seq = links.last().map(|l| l.seq()).unwrap_or(0);
        if let Some(r) = rep {
            // What the computer said its last row is, against the copy here.
            if r.head_seq > 0 && r.head_seq <= last_seq {
                if let (Some(l), Some(h)) = (links.iter().find(|l| l.seq() == r.head_seq), r.head_hash.as_deref()) {
                    if !l.hash_is(h) && l.is_intact() {
                        problems.push(TeamProblem {
                            machine_id: id.clone(),
                            machine: name.clone(),
                            row: r.head_seq,
                            kind: TeamProblemKind::Edited,
                            message: format!(
                                "{who}: entry {} is not the one the computer reported as its entry {} (it was rewritten here, with a new fingerprint).",
                                r.head_seq, r.head_seq
                            ),
                        });
                    }
                }
            }
            let quiet_for = now.signed_duration_since(r.last_seen).to_std().unwrap_or_default();
            if quiet_for >= quiet {
                let waiting = r.head_seq - last_seq;
                problems.push(TeamProblem {
                    machine_id: id.clone(),
                    machine: name.clone(),
                    row: 0,
                    kind: TeamProblemKind::StoppedShipping,
                    message: format!(
                        "{who} has stopped shipping: it was last in touch {}{}.",
                        r.last_seen.format("%Y-%m-%d %H:%M UTC"),
                        if waiting > 0 {
                            format!(", with {waiting} entries written that are not here")
                        } else {
                            format!(" (its last entry here is {last_seq}); it may have left team mode, be switched off, or be unable to reach the database")
                        }
                    ),
                });
            }
        }
        if let Some(j) = local.filter(|_| local_id.as_deref() == Some(id.as_str())) {
            let mut mine: HashMap<i64, String> = HashMap::new();
            let mut after = 0;
            loop {
                let chunk = j.rows_after(after, 5000)?;
                let Some(last) = chunk.last().map(|r| r.seq) else { break };
                mine.extend(chunk.into_iter().map(|r| (r.seq, r.hash)));
                after = last;
            }
            for (seq, stored, recomputed) in &hashes {
                match mine.get(seq) {
                    Some(h) if h == stored && h == recomputed => {}
                    other => problems.push(TeamProblem {
                        machine_id: id.clone(),
                        machine: name.clone(),
                        row: *seq,
                        kind: TeamProblemKind::DiffersFromThisComputer,
                        message: if other.is_some() {
                            format!("{who}: entry {seq} in the team database differs from this computer's own journal.")
                        } else {
                            format!("{who}: entry {seq} is in the team database but not in this computer's own journal.")
                        },
                    }),
                }
            }
        }
        total += links.len() as i64;
        machines.push(MachineSummary {
            machine_id: id.clone(),
            machine: name,
            rows: links.len() as i64,
            last_seq,
            last_entry_at: last_at,
            last_seen: rep.map(|r| r.last_seen),
            waiting: rep.map(|r| (r.head_seq - last_seq).max(0)),
        });
    }
    problems.sort_by(|a, b| (a.machine.as_str(), &a.machine_id, a.row).cmp(&(b.machine.as_str(), &b.machine_id, b.row)));
    Ok(TeamVerifyReport { database: database.to_owned(), rows: total, machines, problems })
}
