//! The journal as a chain of rows, for the team journal ([`crate::team`]): this journal's
//! machine id, its rows as stored (every content value with its type, the hashes), the
//! recipe that checks a row against its hash wherever the row travelled to, and the outbox's
//! cursor.

use super::*;

/// One content value as SQLite stores it, type and all (the hash covers the type).
#[derive(Debug, Clone, PartialEq)]
pub enum ChainValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl ChainValue {
    fn read(v: ValueRef<'_>) -> ChainValue {
        match v {
            ValueRef::Null => ChainValue::Null,
            ValueRef::Integer(i) => ChainValue::Integer(i),
            ValueRef::Real(f) => ChainValue::Real(f),
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => ChainValue::Text(s.to_owned()),
                // Not text that SQLite itself would write: keep the bytes, so the hash still
                // says whether they are the ones that were chained.
                Err(_) => ChainValue::Blob(t.to_vec()),
            },
            ValueRef::Blob(b) => ChainValue::Blob(b.to_vec()),
        }
    }

    fn as_ref(&self) -> ValueRef<'_> {
        match self {
            ChainValue::Null => ValueRef::Null,
            ChainValue::Integer(i) => ValueRef::Integer(*i),
            ChainValue::Real(f) => ValueRef::Real(*f),
            ChainValue::Text(t) => ValueRef::Text(t.as_bytes()),
            ChainValue::Blob(b) => ValueRef::Blob(b),
        }
    }

    /// The value as text, if it is text.
    pub fn text(&self) -> Option<&str> {
        match self {
            ChainValue::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The value as an integer, if it is one.
    pub fn integer(&self) -> Option<i64> {
        match self {
            ChainValue::Integer(i) => Some(*i),
            _ => None,
        }
    }
}

/// One row of the journal exactly as stored: its number, its content values in
/// [`CONTENT_COLUMNS`] order, and its hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainRow {
    pub seq: i64,
    pub values: Vec<ChainValue>,
    pub prev_hash: String,
    pub hash: String,
}

impl ChainRow {
    /// The value of a content column by name (`"action"`, `"at"`, ...).
    pub fn value(&self, column: &str) -> &ChainValue {
        static NULL: ChainValue = ChainValue::Null;
        CONTENT_COLUMNS.iter().position(|c| *c == column).and_then(|i| self.values.get(i)).unwrap_or(&NULL)
    }

    /// Whether the row's content and `prev_hash` still give its `hash`.
    pub fn intact(&self) -> bool {
        self.values.len() == CONTENT_COLUMNS.len() && chain_hash_of(&self.prev_hash, &self.values) == self.hash
    }
}

/// The hash of a row: the journal's own recipe (SHA-256 over a fixed prefix, the previous
/// hash and a typed, length-prefixed encoding of each content value), as lowercase hex.
pub fn chain_hash_of(prev_hash: &str, values: &[ChainValue]) -> String {
    let refs: Vec<ValueRef<'_>> = values.iter().map(ChainValue::as_ref).collect();
    chain_hash(prev_hash.as_bytes(), &refs)
}

/// The outbox's cursor, as this journal remembers it (the team database has the last word:
/// the shipper reads how far it got from there before every batch).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxState {
    /// The team database the cursor is about ("host:port/database"); a cursor kept for
    /// another database counts as nothing shipped.
    pub database: String,
    /// Every row up to this one is known to be in the team database.
    pub shipped_seq: i64,
    pub shipped_at: Option<DateTime<Utc>>,
    /// Since when every attempt to reach the team database has failed (`None`: the last one worked).
    pub unreachable_since: Option<DateTime<Utc>>,
    /// What the last failed attempt said.
    pub last_error: Option<String>,
}

impl Journal {
    /// This journal's machine id: 32 hex digits made once with the file (never changed), the
    /// key under which the team database keeps its rows.
    pub fn machine_id(&self) -> Result<String, JournalError> {
        let conn = self.lock();
        conn.query_row("SELECT value FROM journal_meta WHERE key = 'machine_id'", [], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))
    }

    /// The last row's number and hash (0 and the genesis hash for an empty journal).
    pub fn head(&self) -> Result<(i64, String), JournalError> {
        let conn = self.lock();
        let h = current_head(&conn).map_err(|e| self.err(e))?;
        Ok((h.seq, h.hash))
    }

    /// Up to `limit` rows after row `after`, in order, exactly as stored.
    pub fn rows_after(&self, after: i64, limit: usize) -> Result<Vec<ChainRow>, JournalError> {
        let conn = self.lock();
        let sql = format!("SELECT seq, prev_hash, hash, {} FROM journal WHERE seq > ?1 ORDER BY seq LIMIT ?2", CONTENT_COLUMNS.join(", "));
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(rusqlite::params![after, limit], |r| {
                Ok(ChainRow {
                    seq: r.get(0)?,
                    prev_hash: text_at(r, 1)?,
                    hash: text_at(r, 2)?,
                    values: (0..CONTENT_COLUMNS.len()).map(|i| r.get_ref(3 + i).map(ChainValue::read)).collect::<rusqlite::Result<_>>()?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| self.err(e))
    }

    /// The outbox's cursor for `database`; nothing shipped when the cursor is about another
    /// database or there is none.
    pub fn outbox(&self, database: &str) -> Result<OutboxState, JournalError> {
        let conn = self.lock();
        let state = conn
            .query_row(
                "SELECT database, shipped_seq, shipped_at, unreachable_since, last_error FROM team_outbox WHERE one = 1",
                [],
                |r| {
                    Ok(OutboxState {
                        database: text_at(r, 0)?,
                        shipped_seq: r.get(1)?,
                        shipped_at: time_at(r, 2)?,
                        unreachable_since: time_at(r, 3)?,
                        last_error: opt_text_at(r, 4)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(match state {
            Some(s) if s.database == database => s,
            _ => OutboxState { database: database.to_owned(), ..OutboxState::default() },
        })
    }

    /// Records that every row up to `seq` is in the team database `database` (read back from
    /// there), and that it was reachable just now.
    pub fn set_shipped(&self, database: &str, seq: i64) -> Result<(), JournalError> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO team_outbox (one, database, shipped_seq, shipped_at, unreachable_since, last_error)
             VALUES (1, ?1, ?2, ?3, NULL, NULL)
             ON CONFLICT(one) DO UPDATE SET database = excluded.database, shipped_seq = excluded.shipped_seq,
                shipped_at = excluded.shipped_at, unreachable_since = NULL, last_error = NULL",
            rusqlite::params![database, seq, rfc3339(Utc::now())],
        )
        .map(|_| ())
        .map_err(|e| self.err(e))
    }

    /// Records a failed attempt to reach `database`: the first one since it was last reached
    /// sets "unreachable since"; each keeps its words. Returns the "since".
    pub fn set_unreachable(&self, database: &str, error: &str) -> Result<DateTime<Utc>, JournalError> {
        let now = Utc::now();
        let conn = self.lock();
        conn.execute(
            "INSERT INTO team_outbox (one, database, shipped_seq, shipped_at, unreachable_since, last_error)
             VALUES (1, ?1, 0, NULL, ?2, ?3)
             ON CONFLICT(one) DO UPDATE SET
                shipped_seq = CASE WHEN database = excluded.database THEN shipped_seq ELSE 0 END,
                shipped_at = CASE WHEN database = excluded.database THEN shipped_at ELSE NULL END,
                unreachable_since = CASE WHEN database = excluded.database AND unreachable_since IS NOT NULL
                                         THEN unreachable_since ELSE excluded.unreachable_since END,
                database = excluded.database,
                last_error = excluded.last_error",
            rusqlite::params![database, rfc3339(now), error],
        )
        .map_err(|e| self.err(e))?;
        let since: Option<String> = conn
            .query_row("SELECT unreachable_since FROM team_outbox WHERE one = 1", [], |r| r.get(0))
            .map_err(|e| self.err(e))?;
        Ok(since.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.with_timezone(&Utc)).unwrap_or(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(n: usize) -> Intent {
        Intent {
            operator: "alice".into(),
            os_user: "alice".into(),
            role: "super admin".into(),
            machine: "desk".into(),
            identity_label: "Main".into(),
            account: "1".into(),
            api_admin: None,
            sandbox: true,
            action: "mailbox.set".into(),
            target: format!("u{n}@example.com"),
            changes: serde_json::json!({}),
            correlation_id: None,
        }
    }

    #[test]
    fn rows_travel_with_everything_their_hash_needs() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
        let id = j.begin(&intent(1)).unwrap();
        j.finish(id, &Outcome::Success).unwrap();
        j.begin(&intent(2)).unwrap();
        let rows = j.rows_after(0, 10).unwrap();
        assert_eq!(rows.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert!(rows.iter().all(ChainRow::intact));
        assert_eq!(rows[0].prev_hash, GENESIS_HASH);
        assert_eq!(rows[1].prev_hash, rows[0].hash);
        assert_eq!(rows[1].value("intent_id").integer(), Some(1));
        assert_eq!(rows[0].value("target").text(), Some("u1@example.com"));
        assert_eq!(j.head().unwrap(), (3, rows[2].hash.clone()));
        assert_eq!(j.rows_after(1, 1).unwrap().len(), 1);
        let mut edited = rows[0].clone();
        edited.values[3] = ChainValue::Text("mallory".into());
        assert!(!edited.intact());
    }

    #[test]
    fn the_machine_id_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        let id = Journal::open(&path).unwrap().machine_id().unwrap();
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(Journal::open(&path).unwrap().machine_id().unwrap(), id);
        let other = Journal::open(&dir.path().join("other.sqlite3")).unwrap().machine_id().unwrap();
        assert_ne!(other, id);
        let c = Connection::open(&path).unwrap();
        assert!(c.execute("UPDATE journal_meta SET value = 'x'", []).is_err());
        assert!(c.execute("DELETE FROM journal_meta", []).is_err());
    }

    #[test]
    fn the_outbox_cursor_belongs_to_one_database() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
        assert_eq!(j.outbox("db1").unwrap().shipped_seq, 0);
        let since = j.set_unreachable("db1", "connection refused").unwrap();
        let again = j.set_unreachable("db1", "timed out").unwrap();
        assert_eq!(since, again, "unreachable since the first failure");
        let s = j.outbox("db1").unwrap();
        assert_eq!((s.unreachable_since, s.last_error.as_deref()), (Some(since), Some("timed out")));
        j.set_shipped("db1", 7).unwrap();
        let s = j.outbox("db1").unwrap();
        assert_eq!((s.shipped_seq, s.unreachable_since, s.last_error), (7, None, None));
        assert_eq!(j.outbox("db2").unwrap().shipped_seq, 0, "another database starts from nothing");
        j.set_unreachable("db2", "refused").unwrap();
        assert_eq!(j.outbox("db2").unwrap().shipped_seq, 0);
    }
}
