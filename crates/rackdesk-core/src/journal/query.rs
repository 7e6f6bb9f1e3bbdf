//! Reading the journal: filters (as typed and as used), the queries behind the app's journal
//! page and `rackdesk journal list`, and the CSV export.

use super::*;

/// Which entries to show. Every field narrows; the default shows everything, newest first.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// The operator's name, exactly (ignoring case).
    pub operator: Option<String>,
    /// Part of the target, ignoring case.
    pub target: Option<String>,
    /// The action exactly, e.g. "mailbox.set"; a trailing `*` matches a prefix ("mailbox.*");
    /// plain words match the actions they name ("reset": `mailbox.reset-password`).
    pub action: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries at or before this time.
    pub until: Option<DateTime<Utc>>,
    /// "success" | "failed" | "refused" | "unknown" | "reconciled" | "pending".
    pub outcome: Option<String>,
    pub correlation_id: Option<String>,
    /// At most this many, newest first.
    pub limit: Option<usize>,
}

/// A filter as a person types it (dates as YYYY-MM-DD, UTC; empty fields ignored), for
/// [`Filter::from_text`]: the app's journal page and `rackdesk journal list` read it alike.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "JournalFilter"))]
#[serde(rename_all = "camelCase", default)]
pub struct FilterText {
    pub operator: Option<String>,
    pub target: Option<String>,
    pub action: Option<String>,
    /// YYYY-MM-DD (UTC), inclusive.
    pub since: Option<String>,
    pub until: Option<String>,
    pub result: Option<String>,
    /// Entries of one bulk job.
    #[cfg_attr(feature = "ts", ts(optional))]
    pub correlation_id: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub limit: Option<usize>,
}

/// The results a filter may ask for.
pub const RESULTS: [&str; 6] = ["success", "failed", "refused", "unknown", "reconciled", "pending"];

impl Filter {
    /// The one reading of a typed filter: trims, drops empty fields, reads `since` as the
    /// start and `until` as the end of its day (UTC), and refuses an unknown result word or a
    /// date that is not YYYY-MM-DD.
    pub fn from_text(t: &FilterText) -> Result<Filter, JournalError> {
        let nonempty = |o: &Option<String>| o.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let day = |field: &str, s: &str, end: bool| -> Result<DateTime<Utc>, JournalError> {
            let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|_| JournalError::InvalidFilter(format!("the {field} date \"{s}\" is not a date; write it as YYYY-MM-DD")))?;
            let t = if end { d.and_hms_opt(23, 59, 59) } else { d.and_hms_opt(0, 0, 0) };
            Ok(t.unwrap_or_default().and_utc())
        };
        let result = nonempty(&t.result).map(|r| r.to_ascii_lowercase());
        if let Some(r) = result.as_deref().filter(|r| !RESULTS.contains(r)) {
            return Err(JournalError::InvalidFilter(format!("\"{r}\" is not a result; use one of: {}", RESULTS.join(", "))));
        }
        let since = nonempty(&t.since).map(|s| day("from", &s, false)).transpose()?;
        let until = nonempty(&t.until).map(|s| day("to", &s, true)).transpose()?;
        if let (Some(a), Some(b)) = (since, until) {
            if a > b {
                return Err(JournalError::InvalidFilter("the \"from\" date is after the \"to\" date".into()));
            }
        }
        Ok(Filter {
            operator: nonempty(&t.operator),
            target: nonempty(&t.target),
            action: nonempty(&t.action),
            since,
            until,
            outcome: result,
            correlation_id: nonempty(&t.correlation_id),
            limit: t.limit,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(super) enum Order {
    NewestFirst,
    OldestFirst,
}

/// Joins each intent `i` with its latest outcome `o` (if any), through `journal_outcomes`.
macro_rules! outcome_join {
    () => {
        "LEFT JOIN journal o ON o.seq = (
            SELECT x.seq FROM journal x WHERE x.intent_id = i.seq ORDER BY x.seq DESC LIMIT 1)"
    };
}
pub(super) const OUTCOME_JOIN: &str = outcome_join!();

pub(super) const SELECT_ENTRY: &str = concat!(
    "SELECT i.seq, i.at, i.operator, i.os_user, i.role, i.machine, i.identity_label, i.account,
    i.api_admin, i.sandbox, i.action, i.target, i.changes, i.correlation_id,
    o.seq, o.at, o.status, o.error_kind, o.error_message, o.server_message, o.detail
    FROM journal i ",
    outcome_join!()
);

pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The WHERE clause (always on intents) and its parameters.
pub(super) fn where_clause(f: &Filter, exact_target: Option<&str>) -> Result<(String, Vec<SqlValue>), JournalError> {
    let mut sql = String::from("WHERE i.kind = 'intent'");
    let mut params = Vec::new();
    let some = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(op) = some(&f.operator) {
        sql.push_str(" AND i.operator = ? COLLATE NOCASE");
        params.push(SqlValue::Text(op));
    }
    if let Some(t) = exact_target {
        sql.push_str(" AND i.target = ? COLLATE NOCASE");
        params.push(SqlValue::Text(t.trim().to_owned()));
    }
    if let Some(t) = some(&f.target) {
        sql.push_str(" AND i.target LIKE ? ESCAPE '\\'");
        params.push(SqlValue::Text(format!("%{}%", escape_like(&t))));
    }
    if let Some(a) = some(&f.action) {
        // Plain words ("reset") name the actions they mean; codes are matched as typed.
        let by_words = super::words::actions_for_words(&a);
        match a.strip_suffix('*') {
            _ if by_words.is_some() => {
                let list = by_words.unwrap_or_default();
                sql.push_str(&format!(" AND i.action IN ({})", vec!["?"; list.len()].join(",")));
                params.extend(list.into_iter().map(|x| SqlValue::Text(x.to_owned())));
            }
            Some(prefix) => {
                sql.push_str(" AND i.action LIKE ? ESCAPE '\\'");
                params.push(SqlValue::Text(format!("{}%", escape_like(prefix))));
            }
            None => {
                sql.push_str(" AND i.action = ?");
                params.push(SqlValue::Text(a));
            }
        }
    }
    // With a limit, walking newest-first and stopping at the limit (a full scan at worst) beats
    // the time index, which must sort everything in a wide range before the limit applies;
    // `+` keeps the planner off the index. Without a limit the index is the better way in.
    let at = if f.limit.is_some() { "+i.at" } else { "i.at" };
    if let Some(since) = f.since {
        sql.push_str(&format!(" AND {at} >= ?"));
        params.push(SqlValue::Text(rfc3339(since)));
    }
    if let Some(until) = f.until {
        sql.push_str(&format!(" AND {at} <= ?"));
        params.push(SqlValue::Text(rfc3339(until)));
    }
    if let Some(o) = some(&f.outcome) {
        match o.to_ascii_lowercase().as_str() {
            "pending" => sql.push_str(" AND o.seq IS NULL"),
            s @ ("success" | "failed" | "refused" | "unknown" | "reconciled") => {
                sql.push_str(" AND o.status = ?");
                params.push(SqlValue::Text(s.to_owned()));
            }
            other => {
                return Err(JournalError::InvalidFilter(format!(
                    "\"{other}\" is not a result; use success, failed, refused, unknown, reconciled or pending"
                )))
            }
        }
    }
    if let Some(c) = some(&f.correlation_id) {
        sql.push_str(" AND i.correlation_id = ?");
        params.push(SqlValue::Text(c));
    }
    Ok((sql, params))
}

/// A column as text whatever its stored type (a tampered row must still display).
pub(super) fn text_at(row: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(opt_text_at(row, i)?.unwrap_or_default())
}

pub(super) fn opt_text_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match row.get_ref(i)? {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    })
}

pub(super) fn time_at(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(opt_text_at(row, i)?.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.with_timezone(&Utc)))
}

pub(super) fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let changes = opt_text_at(row, 12)?
        .map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s)))
        .unwrap_or(serde_json::Value::Null);
    let sandbox = match row.get_ref(9)? {
        ValueRef::Integer(n) => n != 0,
        ValueRef::Null => false,
        _ => text_at(row, 9)? != "0",
    };
    let outcome = match row.get_ref(14)? {
        ValueRef::Null => None,
        _ => Some(Outcome::from_parts(
            &text_at(row, 16)?,
            text_at(row, 17)?,
            text_at(row, 18)?,
            opt_text_at(row, 19)?,
            text_at(row, 20)?,
        )),
    };
    Ok(Entry {
        id: row.get(0)?,
        // Unparseable only if the row was tampered with; `verify` names it.
        at: time_at(row, 1)?.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        finished_at: time_at(row, 15)?,
        operator: text_at(row, 2)?,
        os_user: text_at(row, 3)?,
        role: text_at(row, 4)?,
        machine: text_at(row, 5)?,
        identity_label: text_at(row, 6)?,
        account: text_at(row, 7)?,
        api_admin: opt_text_at(row, 8)?,
        sandbox,
        action: text_at(row, 10)?,
        target: text_at(row, 11)?,
        changes,
        correlation_id: opt_text_at(row, 13)?,
        outcome,
    })
}

/// The CSV export's columns: the codes and raw changes, then the entry in words.
pub const CSV_HEADER: [&str; 20] = [
    "id",
    "time",
    "finished",
    "operator",
    "os user",
    "role",
    "machine",
    "identity",
    "account",
    "api admin",
    "sandbox",
    "action",
    "target",
    "changes",
    "result",
    "error kind",
    "error message",
    "server message",
    "correlation id",
    "summary",
];

pub(crate) fn csv_record(e: &Entry) -> [String; 20] {
    // "result" is the status word; reason / note / reconciliation result go with it.
    let (result, kind, message, server) = match &e.outcome {
        None => ("pending".to_string(), String::new(), String::new(), String::new()),
        Some(Outcome::Success) => ("success".into(), String::new(), String::new(), String::new()),
        Some(Outcome::Failed { kind, message, server_message }) => {
            ("failed".into(), kind.clone(), message.clone(), server_message.clone().unwrap_or_default())
        }
        Some(Outcome::Refused { reason }) => ("refused".into(), String::new(), reason.clone(), String::new()),
        Some(Outcome::Unknown { note }) => ("unknown".into(), String::new(), note.clone(), String::new()),
        Some(Outcome::Reconciled { result }) => (format!("reconciled: {result}"), String::new(), String::new(), String::new()),
    };
    [
        e.id.to_string(),
        rfc3339(e.at),
        e.finished_at.map(rfc3339).unwrap_or_default(),
        e.operator.clone(),
        e.os_user.clone(),
        e.role.clone(),
        e.machine.clone(),
        e.identity_label.clone(),
        e.account.clone(),
        e.api_admin.clone().unwrap_or_default(),
        if e.sandbox { "yes" } else { "no" }.into(),
        e.action.clone(),
        e.target.clone(),
        e.changes.to_string(),
        result,
        kind,
        message,
        server,
        e.correlation_id.clone().unwrap_or_default(),
        super::words::summary(e),
    ]
}


impl Journal {
    /// Entries (each intent with its latest outcome) matching `filter`, newest first.
    pub fn query(&self, filter: &Filter) -> Result<Vec<Entry>, JournalError> {
        self.select(filter, None, Order::NewestFirst)
    }

    /// One mailbox's (or alias's, or domain's) history: entries whose target is exactly
    /// `target` (ignoring case), newest first.
    pub fn history(&self, target: &str, limit: Option<usize>) -> Result<Vec<Entry>, JournalError> {
        let filter = Filter { limit, ..Filter::default() };
        self.select(&filter, Some(target), Order::NewestFirst)
    }

    /// One entry by its id, if it is an intent in this journal.
    pub fn entry(&self, id: EntryId) -> Result<Option<Entry>, JournalError> {
        let conn = self.lock();
        let sql = format!("{SELECT_ENTRY} WHERE i.kind = 'intent' AND i.seq = ?1");
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        stmt.query_row([id], entry_from_row).optional().map_err(|e| self.err(e))
    }

    /// How many entries match `filter` (its limit ignored).
    pub fn count(&self, filter: &Filter) -> Result<u64, JournalError> {
        let (where_sql, params) = where_clause(filter, None)?;
        let sql = format!("SELECT count(*) FROM journal i {OUTCOME_JOIN} {where_sql}");
        let conn = self.lock();
        let n: i64 = conn.query_row(&sql, params_from_iter(params), |r| r.get(0)).map_err(|e| self.err(e))?;
        Ok(n.max(0) as u64)
    }

    pub(super) fn select(&self, filter: &Filter, exact_target: Option<&str>, order: Order) -> Result<Vec<Entry>, JournalError> {
        let mut out = Vec::new();
        self.for_each(filter, exact_target, order, |e| {
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    fn for_each(
        &self,
        filter: &Filter,
        exact_target: Option<&str>,
        order: Order,
        mut each: impl FnMut(Entry) -> Result<(), JournalError>,
    ) -> Result<(), JournalError> {
        let (where_sql, mut params) = where_clause(filter, exact_target)?;
        let mut sql = format!(
            "{SELECT_ENTRY} {where_sql} ORDER BY i.seq {}",
            match order {
                Order::NewestFirst => "DESC",
                Order::OldestFirst => "ASC",
            }
        );
        if let Some(limit) = filter.limit {
            sql.push_str(" LIMIT ?");
            params.push(SqlValue::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params_from_iter(params)).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            each(entry_from_row(row).map_err(|e| self.err(e))?)?;
        }
        Ok(())
    }

    /// Writes the matching entries as CSV, oldest last (newest first, like the view), with a
    /// header row. Returns the number of entries written.
    pub fn export_csv<W: std::io::Write>(&self, filter: &Filter, out: W) -> Result<usize, JournalError> {
        let mut w = csv::Writer::from_writer(out);
        let csv_err = |e: csv::Error| JournalError::Export(e.to_string());
        // Cells a spreadsheet would run as formulas get a leading ' (crate::csv_safe).
        crate::csv_safe::write_record(&mut w, CSV_HEADER).map_err(csv_err)?;
        let mut n = 0usize;
        self.for_each(filter, None, Order::NewestFirst, |e| {
            crate::csv_safe::write_record(&mut w, csv_record(&e)).map_err(csv_err)?;
            n += 1;
            Ok(())
        })?;
        w.flush().map_err(|e| JournalError::Export(e.to_string()))?;
        Ok(n)
    }
}
