//! The team view: every computer's entries (each intent with its latest outcome), filtered
//! like the local journal plus by computer and identity, exported to CSV, and followed live
//! (LISTEN/NOTIFY): a notification after every insert names the computers; the rows after
//! what was already seen of each are read and handed over.

use super::db::{classify, Db};
use super::TeamError;
use crate::journal::{csv_record, escape_like, Entry, Filter, FilterText, JournalError, Outcome, CSV_HEADER};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tokio_postgres::types::ToSql;

/// A team filter as a person types it: the local journal's, plus the computer and the identity.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "TeamJournalFilter"))]
#[serde(rename_all = "camelCase", default)]
pub struct TeamFilterText {
    /// The computer's name (ignoring case) or the start of its machine id.
    pub machine: Option<String>,
    pub operator: Option<String>,
    /// Part of the identity's name, its API admin, or the account number.
    pub identity: Option<String>,
    pub action: Option<String>,
    pub target: Option<String>,
    /// YYYY-MM-DD (UTC), inclusive.
    pub since: Option<String>,
    pub until: Option<String>,
    pub result: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub limit: Option<usize>,
}

/// A team filter, read.
#[derive(Debug, Clone, Default)]
pub struct TeamFilter {
    pub base: Filter,
    pub machine: Option<String>,
    pub identity: Option<String>,
}

impl TeamFilter {
    /// The one reading of a typed team filter (the local journal's rules for the shared fields).
    pub fn from_text(t: &TeamFilterText) -> Result<TeamFilter, JournalError> {
        let base = Filter::from_text(&FilterText {
            operator: t.operator.clone(),
            target: t.target.clone(),
            action: t.action.clone(),
            since: t.since.clone(),
            until: t.until.clone(),
            result: t.result.clone(),
            correlation_id: None,
            limit: t.limit,
        })?;
        let nonempty = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(TeamFilter { base, machine: nonempty(&t.machine), identity: nonempty(&t.identity) })
    }
}

/// One entry of the team journal: a computer's entry, with the computer's machine id.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamEntry {
    pub machine_id: String,
    /// `id` is the entry's number on its computer.
    #[serde(flatten)]
    pub entry: Entry,
}

impl TeamEntry {
    /// The key the entry keeps while its outcome changes: "machine id/number".
    pub fn key(&self) -> String {
        format!("{}/{}", self.machine_id, self.entry.id)
    }
}

const SELECT: &str = "SELECT i.machine_id, i.seq, i.at, i.operator, i.os_user, i.role, i.machine, i.identity_label, i.account,
    i.api_admin, i.sandbox, i.action, i.target, i.changes, i.correlation_id,
    o.seq, o.at, o.status, o.error_kind, o.error_message, o.server_message, o.detail
    FROM rackdesk.entries i
    LEFT JOIN LATERAL (
        SELECT x.seq, x.at, x.status, x.error_kind, x.error_message, x.server_message, x.detail
        FROM rackdesk.entries x
        WHERE x.machine_id = i.machine_id AND x.intent_id = i.seq AND x.kind = 'outcome'
        ORDER BY x.seq DESC LIMIT 1) o ON true";

type Params = Vec<Box<dyn ToSql + Sync + Send>>;

fn where_clause(f: &TeamFilter, params: &mut Params) -> String {
    let mut sql = String::from("WHERE i.kind = 'intent'");
    let p = |params: &mut Params, v: Box<dyn ToSql + Sync + Send>| {
        params.push(v);
        format!("${}", params.len())
    };
    if let Some(m) = &f.machine {
        let a = p(params, Box::new(m.clone()));
        let b = p(params, Box::new(format!("{}%", escape_like(&m.to_ascii_lowercase()))));
        sql.push_str(&format!(" AND (lower(i.machine) = lower({a}) OR i.machine_id LIKE {b})"));
    }
    if let Some(o) = &f.base.operator {
        let a = p(params, Box::new(o.clone()));
        sql.push_str(&format!(" AND lower(i.operator) = lower({a})"));
    }
    if let Some(id) = &f.identity {
        let a = p(params, Box::new(format!("%{}%", escape_like(id))));
        let b = p(params, Box::new(id.clone()));
        sql.push_str(&format!(" AND (i.identity_label ILIKE {a} OR i.api_admin ILIKE {a} OR i.account = {b})"));
    }
    if let Some(t) = &f.base.target {
        let a = p(params, Box::new(format!("%{}%", escape_like(t))));
        sql.push_str(&format!(" AND i.target ILIKE {a}"));
    }
    if let Some(a) = &f.base.action {
        match (crate::journal::words::actions_for_words(a), a.strip_suffix('*')) {
            (Some(list), _) => {
                let x = p(params, Box::new(list.into_iter().map(str::to_owned).collect::<Vec<String>>()));
                sql.push_str(&format!(" AND i.action = ANY({x})"));
            }
            (None, Some(prefix)) => {
                let x = p(params, Box::new(format!("{}%", escape_like(prefix))));
                sql.push_str(&format!(" AND i.action LIKE {x}"));
            }
            (None, None) => {
                let x = p(params, Box::new(a.clone()));
                sql.push_str(&format!(" AND i.action = {x}"));
            }
        }
    }
    if let Some(s) = f.base.since {
        let x = p(params, Box::new(s));
        sql.push_str(&format!(" AND i.at_time >= {x}"));
    }
    if let Some(u) = f.base.until {
        let x = p(params, Box::new(u));
        sql.push_str(&format!(" AND i.at_time <= {x}"));
    }
    match f.base.outcome.as_deref() {
        Some("pending") => sql.push_str(" AND o.seq IS NULL"),
        Some(s) => {
            let x = p(params, Box::new(s.to_owned()));
            sql.push_str(&format!(" AND o.status = {x}"));
        }
        None => {}
    }
    if let Some(c) = &f.base.correlation_id {
        let x = p(params, Box::new(c.clone()));
        sql.push_str(&format!(" AND i.correlation_id = {x}"));
    }
    sql
}

fn time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.with_timezone(&Utc))
}

fn entry_from(row: &tokio_postgres::Row) -> Result<TeamEntry, tokio_postgres::Error> {
    let t = |i: usize| -> Result<String, tokio_postgres::Error> { Ok(row.try_get::<_, Option<String>>(i)?.unwrap_or_default()) };
    let changes = row
        .try_get::<_, Option<String>>(13)?
        .map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
        .unwrap_or(serde_json::Value::Null);
    let outcome = match row.try_get::<_, Option<i64>>(15)? {
        None => None,
        Some(_) => Some(Outcome::from_parts(&t(17)?, t(18)?, t(19)?, row.try_get(20)?, t(21)?)),
    };
    Ok(TeamEntry {
        machine_id: row.try_get(0)?,
        entry: Entry {
            id: row.try_get(1)?,
            at: time(row.try_get(2)?).unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
            finished_at: time(row.try_get(16)?),
            operator: t(3)?,
            os_user: t(4)?,
            role: t(5)?,
            machine: t(6)?,
            identity_label: t(7)?,
            account: t(8)?,
            api_admin: row.try_get(9)?,
            sandbox: row.try_get::<_, Option<i64>>(10)?.unwrap_or(0) != 0,
            action: t(11)?,
            target: t(12)?,
            changes,
            correlation_id: row.try_get(14)?,
            outcome,
        },
    })
}

fn refs(params: &Params) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

/// Entries matching `f`, newest first (by the time they were made).
pub(crate) async fn query(db: &Db, f: &TeamFilter) -> Result<Vec<TeamEntry>, TeamError> {
    let mut params: Params = Vec::new();
    let mut sql = format!("{SELECT} {} ORDER BY i.at_time DESC NULLS LAST, i.machine_id, i.seq DESC", where_clause(f, &mut params));
    if let Some(limit) = f.base.limit {
        params.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" LIMIT ${}", params.len()));
    }
    let rows = db.client.query(&sql, &refs(&params)).await.map_err(classify)?;
    rows.iter().map(entry_from).collect::<Result<_, _>>().map_err(classify)
}

/// The team export's columns: the computer's machine id, then the local journal's.
pub fn csv_header() -> Vec<&'static str> {
    std::iter::once("machine id").chain(CSV_HEADER).collect()
}

/// Writes entries matching `f` as CSV (newest first), cells a spreadsheet would run as
/// formulas made harmless ([`crate::csv_safe`]). Returns how many were written.
pub(crate) async fn export<W: std::io::Write>(db: &Db, f: &TeamFilter, out: W) -> Result<usize, TeamError> {
    let mut f = f.clone();
    f.base.limit = None;
    let entries = query(db, &f).await?;
    let mut w = csv::Writer::from_writer(out);
    let err = |e: csv::Error| TeamError::Export { detail: e.to_string() };
    crate::csv_safe::write_record(&mut w, csv_header()).map_err(err)?;
    for e in &entries {
        let rec = csv_record(&e.entry);
        crate::csv_safe::write_record(&mut w, std::iter::once(e.machine_id.clone()).chain(rec)).map_err(err)?;
    }
    w.flush().map_err(|e| TeamError::Export { detail: e.to_string() })?;
    Ok(entries.len())
}

/// Follows the team journal: every new or changed entry (a new intent, or one whose outcome
/// arrived) that matches the filter.
pub struct TeamWatch {
    db: Db,
    filter: TeamFilter,
    /// Per computer, the last row already seen.
    seen: HashMap<String, i64>,
}

impl std::fmt::Debug for TeamWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamWatch").field("machines", &self.seen.len()).finish()
    }
}

impl TeamWatch {
    /// Starts listening first, then notes how far each computer's rows go, so nothing that
    /// arrives in between is missed.
    pub(crate) async fn open(db: Db, filter: TeamFilter) -> Result<TeamWatch, TeamError> {
        db.client.batch_execute(&format!("LISTEN {}", super::schema::CHANNEL)).await.map_err(classify)?;
        let seen = db
            .client
            .query("SELECT machine_id, max(seq) FROM rackdesk.entries GROUP BY machine_id", &[])
            .await
            .map_err(classify)?
            .iter()
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1)))
            .collect();
        Ok(TeamWatch { db, filter, seen })
    }

    /// Waits for the next notification, then returns the entries it brought (possibly none
    /// that match the filter). An error means the connection is gone: open a new watch.
    pub async fn next(&mut self) -> Result<Vec<TeamEntry>, TeamError> {
        let n = self.db.notifications.recv().await.ok_or(TeamError::Unreachable { detail: "the connection to the team database ended".into() })?;
        let mut machines: Vec<String> = n.payload().split(',').filter(|m| !m.is_empty()).map(str::to_owned).collect();
        // Notifications that arrived meanwhile are covered by the same read.
        while let Ok(more) = self.db.notifications.try_recv() {
            machines.extend(more.payload().split(',').filter(|m| !m.is_empty()).map(str::to_owned));
        }
        machines.sort();
        machines.dedup();
        let mut out = Vec::new();
        for m in machines {
            let after = self.seen.get(&m).copied().unwrap_or(0);
            let rows = self
                .db
                .client
                .query(
                    "SELECT CASE WHEN kind = 'outcome' THEN intent_id ELSE seq END, seq FROM rackdesk.entries WHERE machine_id = $1 AND seq > $2",
                    &[&m, &after],
                )
                .await
                .map_err(classify)?;
            let Some(max) = rows.iter().map(|r| r.get::<_, i64>(1)).max() else { continue };
            let mut intents: Vec<i64> = rows.iter().filter_map(|r| r.get::<_, Option<i64>>(0)).collect();
            intents.sort_unstable();
            intents.dedup();
            let mut params: Params = Vec::new();
            let mut sql = format!("{SELECT} {}", where_clause(&self.filter, &mut params));
            params.push(Box::new(m.clone()));
            sql.push_str(&format!(" AND i.machine_id = ${}", params.len()));
            params.push(Box::new(intents));
            sql.push_str(&format!(" AND i.seq = ANY(${}) ORDER BY i.seq", params.len()));
            let found = self.db.client.query(&sql, &refs(&params)).await.map_err(classify)?;
            for r in &found {
                out.push(entry_from(r).map_err(classify)?);
            }
            self.seen.insert(m, max);
        }
        Ok(out)
    }
}
