//! The local index: every domain's mailboxes, aliases, Exchange mailboxes, contacts and
//! distribution lists of one account, in an SQLite file beside the journal, so that lists and
//! "find a person" answer at once instead of spending the 60-reads-a-minute budget.
//!
//! * **What is in it**: kind, domain, name, display name, the addresses an object answers to
//!   (an alias's members), enabled, size and usage, last login. No secret, no password, no
//!   mail.
//! * **Refresh** ([`Index::refresh`]): the account's domains, then per domain and kind the
//!   listing in pages of 250 (the floor of ⌈n/250⌉ reads per domain and kind; distribution
//!   lists by their own marker paging), as background work of the scheduler
//!   ([`crate::limits::in_background`]): the person's own reads go first. Each page is
//!   written in one transaction with the place reached, so a refresh stopped by a crash or a
//!   kill resumes where it was; objects the server no longer has are dropped when the whole
//!   refresh has finished.
//! * **Changes made through Rackdesk** update it at once ([`Index::note_change`], called by
//!   [`crate::ops::Ops`] after each successful change, from the app, the CLI and bulk jobs).
//! * **Damage**: a file that is not a readable index of this version is set aside (renamed
//!   `.damaged`) and a new one made; the next refresh fills it ([`Opened::Rebuilt`]).

use crate::api::{MailboxField, MailboxQuery, Pager, MAX_PAGE_SIZE};
use crate::exchange::{ContactQuery, ExMailboxQuery, ListQuery};
use crate::models::Service;
use crate::Client;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Bumped whenever the tables change: an index of another version is rebuilt.
pub const SCHEMA_VERSION: i64 = 2;

/// What an index entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A Rackspace Email mailbox.
    Mailbox,
    Alias,
    ExMailbox,
    Contact,
    List,
}

impl Kind {
    pub const ALL: [Kind; 5] = [Kind::Mailbox, Kind::Alias, Kind::ExMailbox, Kind::Contact, Kind::List];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Mailbox => "mailbox",
            Kind::Alias => "alias",
            Kind::ExMailbox => "ex-mailbox",
            Kind::Contact => "contact",
            Kind::List => "list",
        }
    }
    fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    /// In plain words, for lists of results.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Mailbox => "Rackspace Email mailbox",
            Kind::Alias => "alias",
            Kind::ExMailbox => "Exchange mailbox",
            Kind::Contact => "Exchange contact",
            Kind::List => "distribution list",
        }
    }
    fn service(self) -> Service {
        match self {
            Kind::Mailbox | Kind::Alias => Service::RackspaceEmail,
            _ => Service::Exchange,
        }
    }
}

/// One object of the account as the index holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub kind: Kind,
    pub domain: String,
    /// The name in the domain (lower case); the address is `name@domain` (a contact's own
    /// address is in `addresses`).
    pub name: String,
    pub display_name: Option<String>,
    /// Other addresses: an alias's members, a contact's outside address.
    pub addresses: Vec<String>,
    pub enabled: Option<bool>,
    pub size_mb: Option<u64>,
    pub used_mb: Option<u64>,
    pub last_login: Option<String>,
    /// How many members an alias or a distribution list has.
    pub members: Option<u64>,
}

impl Item {
    pub fn address(&self) -> String {
        format!("{}@{}", self.name, self.domain)
    }
    /// Everything a search looks in, lower case.
    fn search_text(&self) -> String {
        let mut t = format!("{}@{} {}", self.name, self.domain, self.display_name.as_deref().unwrap_or(""));
        for a in &self.addresses {
            t.push(' ');
            t.push_str(a);
        }
        t.to_lowercase()
    }
}

/// How the file was found when opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// An index of this version.
    Existing,
    /// No file yet: a new, empty index.
    New,
    /// The file was damaged or of another version: set aside, and a new one made.
    Rebuilt { reason: String },
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index file {path}: {detail}")]
    Store { path: PathBuf, detail: String },
    #[error(transparent)]
    Api(#[from] crate::ApiError),
}

impl IndexError {
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            IndexError::Store { .. } => crate::ErrorKind::JobStore,
            IndexError::Api(e) => e.kind(),
        }
    }
    pub fn user_message(&self) -> String {
        match self {
            IndexError::Store { path, .. } => format!(
                "Rackdesk could not use its local index ({}). Lists are read from Rackspace instead. Check that the disk is not full and the folder is writable.",
                path.display()
            ),
            IndexError::Api(e) => e.user_message(),
        }
    }
    pub fn detail(&self) -> Option<String> {
        match self {
            IndexError::Store { detail, .. } => Some(detail.clone()),
            IndexError::Api(e) => e.detail(),
        }
    }
}

crate::error::explain_by_methods!(IndexError);

/// Where a refresh is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshProgress {
    /// Listings (one per domain and kind) finished, and in all.
    pub parts_done: u32,
    pub parts: u32,
    /// Objects read so far in this refresh.
    pub items: u64,
    /// What is being read now, in words.
    pub now: String,
}

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshReport {
    pub reads: u64,
    pub items: u64,
    /// It went on from where an interrupted refresh stopped.
    pub resumed: bool,
    pub finished_at: DateTime<Utc>,
}

/// How fresh the index is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexStatus {
    pub items: u64,
    /// When the last whole refresh finished; `None`: never.
    pub refreshed_at: Option<DateTime<Utc>>,
    /// A refresh was started and has not finished (it resumes on the next refresh).
    pub unfinished: bool,
}

impl IndexStatus {
    /// Whether a search should first read the account: never filled, or a refresh was left
    /// unfinished. The one rule for the app and the CLI.
    pub fn needs_refresh(&self) -> bool {
        self.refreshed_at.is_none() || self.unfinished
    }
}

/// The index of one account.
pub struct Index {
    path: PathBuf,
    conn: Mutex<Connection>,
    /// The search texts, for [`Index::find`].
    cache: Mutex<Option<SearchCache>>,
    /// Changes written by this process (each makes the search texts be read again).
    changes: std::sync::atomic::AtomicU64,
}

/// Every object's search text in address order, as of a version of the file.
struct SearchCache {
    data_version: i64,
    local: u64,
    ids: Vec<i64>,
    texts: Vec<String>,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("path", &self.path).finish()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    kind TEXT NOT NULL, domain TEXT NOT NULL, name TEXT NOT NULL,
    display_name TEXT, addresses TEXT NOT NULL DEFAULT '[]', enabled INTEGER, size_mb INTEGER,
    used_mb INTEGER, last_login TEXT, members INTEGER, search TEXT NOT NULL, generation INTEGER NOT NULL,
    PRIMARY KEY (kind, domain, name)
);
CREATE INDEX IF NOT EXISTS items_domain ON items (domain, kind, name);
CREATE TABLE IF NOT EXISTS parts (
    domain TEXT NOT NULL, kind TEXT NOT NULL, generation INTEGER NOT NULL,
    next_offset INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (domain, kind)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

fn store_err(path: &Path, e: impl std::fmt::Display) -> IndexError {
    IndexError::Store { path: path.to_owned(), detail: e.to_string() }
}

impl Index {
    /// The index file of an account: `index/<account key>.sqlite3` in Rackdesk's data folder
    /// (beside the journal). `key` names the account and its API root, e.g. an identity id.
    pub fn default_path(key: &str) -> Result<PathBuf, IndexError> {
        let dir = crate::journal::Journal::default_path()
            .map_err(|e| store_err(Path::new("index"), e))?
            .parent()
            .map(|p| p.join("index"))
            .unwrap_or_else(|| PathBuf::from("index"));
        let safe: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
        Ok(dir.join(format!("{safe}.sqlite3")))
    }

    /// Opens (or makes) the index at `path`. A file that is damaged or of another version is
    /// set aside and replaced by a new, empty index.
    pub fn open(path: &Path) -> Result<(Index, Opened), IndexError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| store_err(path, e))?;
        }
        let existed = path.exists();
        match Self::try_open(path) {
            Ok(ix) => Ok((ix, if existed { Opened::Existing } else { Opened::New })),
            Err(reason) if existed => {
                let aside = path.with_extension("sqlite3.damaged");
                let _ = std::fs::remove_file(&aside);
                std::fs::rename(path, &aside).map_err(|e| store_err(path, e))?;
                for ext in ["sqlite3-wal", "sqlite3-shm"] {
                    let _ = std::fs::remove_file(path.with_extension(ext));
                }
                tracing::warn!("index {} set aside and rebuilt: {reason}", path.display());
                let ix = Self::try_open(path).map_err(|e| store_err(path, e))?;
                Ok((ix, Opened::Rebuilt { reason }))
            }
            Err(reason) => Err(store_err(path, reason)),
        }
    }

    fn try_open(path: &Path) -> Result<Index, String> {
        let conn = Connection::open(path).map_err(|e| e.to_string())?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| e.to_string())?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| format!("not a readable index: {e}"))?;
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).map_err(|e| format!("not a readable index: {e}"))?;
        if tables > 0 && version != SCHEMA_VERSION {
            return Err(format!("an index of version {version}, not {SCHEMA_VERSION}"));
        }
        if tables > 0 {
            let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(|e| format!("damaged: {e}"))?;
            if check != "ok" {
                return Err(format!("damaged: {check}"));
            }
        }
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;").map_err(|e| e.to_string())?;
        conn.execute_batch(SCHEMA).map_err(|e| e.to_string())?;
        conn.execute_batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}")).map_err(|e| e.to_string())?;
        Ok(Index { path: path.to_owned(), conn: Mutex::new(conn), cache: Mutex::new(None), changes: Default::default() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn path_for(client: &Client) -> Result<PathBuf, IndexError> {
        let cfg = client.config();
        let host = reqwest::Url::parse(&cfg.api_url)
            .ok()
            .and_then(|u| u.host_str().map(|h| format!("{h}-{}", u.port_or_known_default().unwrap_or(0))))
            .unwrap_or_default();
        Index::default_path(&format!("{}-{host}", cfg.account))
    }

    /// The index of the account `client` acts on (its account and API host name the file).
    pub fn open_for(client: &Client) -> Result<(Index, Opened), IndexError> {
        Index::open(&Index::path_for(client)?)
    }

    /// The account's index if one was made already (changes keep it current); `None` when
    /// there is none or it cannot be used now.
    pub fn existing_for(client: &Client) -> Option<Index> {
        let path = Index::path_for(client).ok()?;
        if !path.exists() {
            return None;
        }
        Index::open(&path).ok().map(|(ix, _)| ix)
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()
    }
    fn set_meta(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
        conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value]).map(|_| ())
    }

    pub fn status(&self) -> Result<IndexStatus, IndexError> {
        let c = self.conn();
        let err = |e| store_err(&self.path, e);
        let items: i64 = c.query_row("SELECT count(*) FROM items", [], |r| r.get(0)).map_err(err)?;
        let refreshed_at = Self::meta(&c, "refreshed_at").map_err(err)?.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc));
        let unfinished = Self::meta(&c, "refreshing").map_err(err)?.is_some();
        Ok(IndexStatus { items: items as u64, refreshed_at, unfinished })
    }

    fn row_item(r: &rusqlite::Row<'_>) -> rusqlite::Result<Item> {
        let kind: String = r.get(0)?;
        let addresses: String = r.get(4)?;
        Ok(Item {
            kind: Kind::parse(&kind).unwrap_or(Kind::Mailbox),
            domain: r.get(1)?,
            name: r.get(2)?,
            display_name: r.get(3)?,
            addresses: serde_json::from_str(&addresses).unwrap_or_default(),
            enabled: r.get::<_, Option<i64>>(5)?.map(|e| e != 0),
            size_mb: r.get::<_, Option<i64>>(6)?.map(|v| v as u64),
            used_mb: r.get::<_, Option<i64>>(7)?.map(|v| v as u64),
            last_login: r.get(8)?,
            members: r.get::<_, Option<i64>>(9)?.map(|v| v as u64),
        })
    }

    const COLUMNS: &'static str = "kind, domain, name, display_name, addresses, enabled, size_mb, used_mb, last_login, members";

    /// Everything of one kind in a domain, by name.
    pub fn list(&self, domain: &str, kind: Kind) -> Result<Vec<Item>, IndexError> {
        self.list_first(domain, kind, usize::MAX)
    }

    /// The first `limit` of one kind in a domain, by name (a list's first screen, at once).
    pub fn list_first(&self, domain: &str, kind: Kind, limit: usize) -> Result<Vec<Item>, IndexError> {
        let c = self.conn();
        let mut st = c
            .prepare_cached(&format!("SELECT {} FROM items WHERE domain = ?1 AND kind = ?2 ORDER BY name LIMIT ?3", Self::COLUMNS))
            .map_err(|e| store_err(&self.path, e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = st.query_map(params![domain.to_ascii_lowercase(), kind.as_str(), limit], Self::row_item).map_err(|e| store_err(&self.path, e))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(|e| store_err(&self.path, e))
    }

    /// How many of one kind a domain has.
    pub fn count(&self, domain: &str, kind: Kind) -> Result<u64, IndexError> {
        let c = self.conn();
        c.query_row("SELECT count(*) FROM items WHERE domain = ?1 AND kind = ?2", params![domain.to_ascii_lowercase(), kind.as_str()], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(|e| store_err(&self.path, e))
    }

    /// "Find a person": every object whose address, name, display name or other addresses
    /// contain each word of `text` (any case), across all domains and kinds; addresses that
    /// start with the first word first, then names with a word that starts with it, then the
    /// rest, each by address. At most `limit`.
    ///
    /// Searched in memory: the search texts are kept in a list sorted by address, read again
    /// only after a change (by this process, or by another one: SQLite's `data_version`).
    pub fn find(&self, text: &str, limit: usize) -> Result<Vec<Item>, IndexError> {
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).filter(|w| !w.is_empty()).take(6).collect();
        if words.is_empty() || limit == 0 {
            return Ok(vec![]);
        }
        let err = |e: rusqlite::Error| store_err(&self.path, e);
        let c = self.conn();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        self.fresh_cache(&c, &mut cache)?;
        let Some(k) = cache.as_ref() else { return Ok(vec![]) };
        let first = words[0].as_str();
        let spaced = format!(" {first}");
        // (rank, position in address order) of every match.
        let mut hits: Vec<(u8, u32)> = Vec::new();
        for (i, t) in k.texts.iter().enumerate() {
            if words.iter().all(|w| t.contains(w.as_str())) {
                let rank = if t.starts_with(first) {
                    0
                } else if t.contains(&spaced) {
                    1
                } else {
                    2
                };
                hits.push((rank, i as u32));
            }
        }
        let n = limit.min(hits.len());
        if n < hits.len() {
            hits.select_nth_unstable(n);
            hits.truncate(n);
        }
        hits.sort_unstable();
        let wanted: Vec<i64> = hits.iter().map(|(_, i)| k.ids[*i as usize]).collect();
        drop(cache);
        let mut st = c.prepare_cached(&format!("SELECT {} FROM items WHERE rowid = ?1", Self::COLUMNS)).map_err(err)?;
        let mut out = Vec::with_capacity(wanted.len());
        for id in wanted {
            if let Some(it) = st.query_row([id], Self::row_item).optional().map_err(err)? {
                out.push(it);
            }
        }
        Ok(out)
    }

    /// Reads the search texts again if the index changed since they were read.
    fn fresh_cache(&self, c: &Connection, cache: &mut Option<SearchCache>) -> Result<(), IndexError> {
        let err = |e: rusqlite::Error| store_err(&self.path, e);
        let version: i64 = c.query_row("PRAGMA data_version", [], |r| r.get(0)).map_err(err)?;
        let local = self.changes.load(std::sync::atomic::Ordering::SeqCst);
        if cache.as_ref().is_none_or(|k| k.data_version != version || k.local != local) {
            let mut st = c.prepare_cached("SELECT rowid, search FROM items ORDER BY search").map_err(err)?;
            let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))).map_err(err)?;
            let (mut ids, mut texts) = (Vec::new(), Vec::new());
            for r in rows {
                let (id, t) = r.map_err(err)?;
                ids.push(id);
                texts.push(t);
            }
            *cache = Some(SearchCache { data_version: version, local, ids, texts });
        }
        Ok(())
    }

    /// Reads the search texts ahead of the first search, so its first keystroke does not wait
    /// for them (about 50 ms for 50,000 objects).
    pub fn warm(&self) -> Result<(), IndexError> {
        let c = self.conn();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        self.fresh_cache(&c, &mut cache)
    }

    fn upsert(tx: &rusqlite::Transaction<'_>, it: &Item, generation: i64) -> rusqlite::Result<()> {
        tx.prepare_cached(
            "INSERT INTO items (kind, domain, name, display_name, addresses, enabled, size_mb, used_mb, last_login, members, search, generation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT(kind, domain, name) DO UPDATE SET display_name = excluded.display_name, addresses = excluded.addresses,
               enabled = excluded.enabled, size_mb = excluded.size_mb, used_mb = excluded.used_mb, last_login = excluded.last_login,
               members = excluded.members, search = excluded.search, generation = excluded.generation",
        )?
        .execute(params![
            it.kind.as_str(),
            it.domain,
            it.name,
            it.display_name,
            serde_json::to_string(&it.addresses).unwrap_or_else(|_| "[]".into()),
            it.enabled.map(i64::from),
            it.size_mb.map(|v| v as i64),
            it.used_mb.map(|v| v as i64),
            it.last_login,
            it.members.map(|v| v as i64),
            it.search_text(),
            generation
        ])
        .map(|_| ())
    }

    /// Brings the index up to date with the server, as background work. Resumes an
    /// interrupted refresh. `progress` is told after every page.
    pub async fn refresh(&self, client: &Client, progress: &(dyn Fn(&RefreshProgress) + Sync)) -> Result<RefreshReport, IndexError> {
        crate::limits::in_background(self.refresh_now(client, progress)).await
    }

    async fn refresh_now(&self, client: &Client, progress: &(dyn Fn(&RefreshProgress) + Sync)) -> Result<RefreshReport, IndexError> {
        let err = |e: rusqlite::Error| store_err(&self.path, e);
        // The generation of this refresh: the unfinished one, or a new one.
        let (generation, resumed) = {
            let c = self.conn();
            match Self::meta(&c, "refreshing").map_err(err)? {
                Some(g) => (g.parse::<i64>().unwrap_or(1), true),
                None => {
                    let g = Self::meta(&c, "generation").map_err(err)?.and_then(|g| g.parse::<i64>().ok()).unwrap_or(0) + 1;
                    c.execute("DELETE FROM parts", []).map_err(err)?;
                    Self::set_meta(&c, "refreshing", &g.to_string()).map_err(err)?;
                    (g, false)
                }
            }
        };
        let mut reads = 0u64;
        let mut items = 0u64;
        let mut p = RefreshProgress { parts_done: 0, parts: 0, items: 0, now: "Reading the account's domains…".into() };
        progress(&p);
        let domains = {
            let mut out = Vec::new();
            let mut pager = Pager::new(0, MAX_PAGE_SIZE);
            while let Some(offset) = pager.offset() {
                let page = client.domains_page(MAX_PAGE_SIZE, offset).await?;
                reads += 1;
                pager.advance(&page)?;
                let last = pager.offset().is_none();
                out.extend(page.items);
                if last {
                    break;
                }
            }
            out
        };
        // The listings to read: one per domain and kind the domain has.
        let mut parts: Vec<(String, Kind)> = Vec::new();
        for d in &domains {
            for k in Kind::ALL {
                if d.has(k.service()) {
                    parts.push((d.name.to_ascii_lowercase(), k));
                }
            }
        }
        {
            let c = self.conn();
            for (d, k) in &parts {
                c.execute("INSERT OR IGNORE INTO parts (domain, kind, generation) VALUES (?1, ?2, ?3)", params![d, k.as_str(), generation]).map_err(err)?;
            }
        }
        p.parts = parts.len() as u32;
        for (domain, kind) in &parts {
            let (mut offset, done): (i64, bool) = {
                let c = self.conn();
                c.query_row("SELECT next_offset, done FROM parts WHERE domain = ?1 AND kind = ?2", params![domain, kind.as_str()], |r| {
                    Ok((r.get(0)?, r.get::<_, i64>(1)? != 0))
                })
                .map_err(err)?
            };
            if done {
                p.parts_done += 1;
                continue;
            }
            p.now = format!("Reading the {} of {domain}…", plural(*kind));
            progress(&p);
            loop {
                let (page, last) = self.read_page(client, domain, *kind, offset as u32).await?;
                reads += page.reads;
                let n = page.items.len() as i64;
                {
                    let mut c = self.conn();
                    let tx = c.transaction().map_err(err)?;
                    for it in &page.items {
                        Self::upsert(&tx, it, generation).map_err(err)?;
                    }
                    tx.execute(
                        "UPDATE parts SET next_offset = ?3, done = ?4 WHERE domain = ?1 AND kind = ?2",
                        params![domain, kind.as_str(), offset + n, i64::from(last)],
                    )
                    .map_err(err)?;
                    tx.commit().map_err(err)?;
                }
                self.changes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                items += n as u64;
                p.items = items;
                progress(&p);
                offset += n;
                if last {
                    break;
                }
            }
            p.parts_done += 1;
        }
        // Everything the server has is in: drop what it no longer has.
        let finished_at = Utc::now();
        {
            let mut c = self.conn();
            let tx = c.transaction().map_err(err)?;
            tx.execute("DELETE FROM items WHERE generation < ?1", [generation]).map_err(err)?;
            tx.execute("DELETE FROM parts", []).map_err(err)?;
            tx.execute("DELETE FROM meta WHERE key = 'refreshing'", []).map_err(err)?;
            Self::set_meta(&tx, "generation", &generation.to_string()).map_err(err)?;
            Self::set_meta(&tx, "refreshed_at", &finished_at.to_rfc3339()).map_err(err)?;
            tx.commit().map_err(err)?;
        }
        self.changes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        p.now = "Up to date.".into();
        progress(&p);
        Ok(RefreshReport { reads, items, resumed, finished_at })
    }

    /// One page of a listing from `offset` (distribution lists: all of the domain's at once,
    /// by their marker paging). Returns the page and whether it was the last.
    async fn read_page(&self, client: &Client, domain: &str, kind: Kind, offset: u32) -> Result<(ReadPage, bool), IndexError> {
        let d = domain.to_owned();
        let item = |name: &str| Item {
            kind,
            domain: d.clone(),
            name: name.to_ascii_lowercase(),
            display_name: None,
            addresses: vec![],
            enabled: None,
            size_mb: None,
            used_mb: None,
            last_login: None,
            members: None,
        };
        let last_of = |offset: u32, n: usize, total: u32| n == 0 || offset as u64 + n as u64 >= total as u64;
        Ok(match kind {
            Kind::Mailbox => {
                let q = MailboxQuery {
                    fields: vec![MailboxField::Size, MailboxField::CurrentUsage, MailboxField::Enabled, MailboxField::LastLogin],
                    offset,
                    ..MailboxQuery::default()
                };
                let page = client.mailboxes_page(domain, &q).await?;
                let last = last_of(offset, page.items.len(), page.total);
                let items = page
                    .items
                    .into_iter()
                    .map(|m| Item { display_name: m.display_name, enabled: m.enabled, size_mb: m.size, used_mb: m.current_usage, last_login: m.last_login, ..item(&m.name) })
                    .collect();
                (ReadPage { items, reads: 1 }, last)
            }
            Kind::Alias => {
                let page = client.aliases_page(domain, MAX_PAGE_SIZE, offset).await?;
                let last = last_of(offset, page.items.len(), page.total);
                let items = page.items.into_iter().map(|a| Item { addresses: a.single_member_name.into_iter().collect(), members: a.number_of_members.map(u64::from), ..item(&a.name) }).collect();
                (ReadPage { items, reads: 1 }, last)
            }
            Kind::ExMailbox => {
                let page = client.ex_mailboxes_page(domain, &ExMailboxQuery { offset, ..ExMailboxQuery::default() }).await?;
                let last = last_of(offset, page.items.len(), page.total);
                let items = page
                    .items
                    .into_iter()
                    .map(|m| Item { display_name: m.display_name, enabled: m.enabled, size_mb: m.size, used_mb: m.current_usage, ..item(&m.name) })
                    .collect();
                (ReadPage { items, reads: 1 }, last)
            }
            Kind::Contact => {
                let page = client.contacts_page(domain, &ContactQuery { offset, ..ContactQuery::default() }).await?;
                let last = last_of(offset, page.items.len(), page.total);
                let items = page
                    .items
                    .into_iter()
                    .map(|c| Item { display_name: c.display_name, addresses: c.external_email.into_iter().map(|e| e.to_ascii_lowercase()).collect(), ..item(&c.name) })
                    .collect();
                (ReadPage { items, reads: 1 }, last)
            }
            Kind::List => {
                let lists = client.lists(domain, ListQuery::default()).await?;
                let reads = (lists.len() as u64).div_ceil(200).max(1);
                let items = lists.into_iter().map(|l| Item { display_name: l.display_name.clone(), members: l.member_count, ..item(&l.common_name) }).collect();
                (ReadPage { items, reads }, true)
            }
        })
    }

    /// Applies a change Rackdesk just made (a journal action, its target and its changes) so
    /// lists and searches show it before the next refresh. Unknown actions are left to the
    /// next refresh.
    pub fn note_change(&self, action: &str, target: &str, changes: &Value) {
        if let Err(e) = self.apply_change(action, target, changes) {
            tracing::warn!("index not updated after {action} on {target}: {e}");
        }
    }

    fn apply_change(&self, action: &str, target: &str, changes: &Value) -> Result<(), IndexError> {
        let Some((name, domain)) = target.rsplit_once('@') else { return Ok(()) };
        let (name, domain) = (name.to_ascii_lowercase(), domain.to_ascii_lowercase());
        let kind = match action.split('.').collect::<Vec<_>>().as_slice() {
            ["mailbox", ..] => Kind::Mailbox,
            ["alias", ..] => Kind::Alias,
            ["exchange", "mailbox", ..] => Kind::ExMailbox,
            ["exchange", "contact", ..] => Kind::Contact,
            ["exchange", "list", ..] => Kind::List,
            _ => return Ok(()),
        };
        let err = |e: rusqlite::Error| store_err(&self.path, e);
        let new = |field: &str| changes.get(field).and_then(|c| c.get("new").or(Some(c)));
        let text = |field: &str| new(field).and_then(Value::as_str).map(str::to_owned);
        let number = |field: &str| new(field).and_then(Value::as_u64);
        let flag = |field: &str| new(field).and_then(Value::as_bool);
        let mut c = self.conn();
        if action.ends_with(".delete") {
            c.execute("DELETE FROM items WHERE kind = ?1 AND domain = ?2 AND name = ?3", params![kind.as_str(), domain, name]).map_err(err)?;
            self.changes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            return Ok(());
        }
        let existing: Option<Item> = c
            .query_row(&format!("SELECT {} FROM items WHERE kind = ?1 AND domain = ?2 AND name = ?3", Self::COLUMNS), params![kind.as_str(), domain, name], Self::row_item)
            .optional()
            .map_err(err)?;
        let created = action.ends_with(".create");
        if existing.is_none() && !created {
            return Ok(()); // not indexed yet: the next refresh brings it
        }
        let mut it = existing.unwrap_or(Item {
            kind,
            domain: domain.clone(),
            name: name.clone(),
            display_name: None,
            addresses: vec![],
            enabled: created.then_some(true),
            size_mb: None,
            used_mb: created.then_some(0),
            last_login: None,
            members: None,
        });
        if let Some(d) = text("displayName") {
            it.display_name = Some(d);
        }
        if let Some(s) = number("size").or_else(|| number("sizeMB")) {
            it.size_mb = Some(s);
        }
        if let Some(e) = flag("enabled") {
            it.enabled = Some(e);
        }
        if let Some(e) = text("externalEmail").or_else(|| text("email")).filter(|_| kind == Kind::Contact) {
            it.addresses = vec![e.to_ascii_lowercase()];
        }
        if kind == Kind::Alias {
            if let Some(members) = new("members").and_then(Value::as_array) {
                it.addresses = members.iter().filter_map(Value::as_str).map(str::to_ascii_lowercase).collect();
                it.members = Some(it.addresses.len() as u64);
            }
        }
        if kind == Kind::List {
            match new("members") {
                // A new list with its first members.
                Some(Value::Array(members)) => it.members = Some(members.len() as u64),
                // Members added and removed: {"added": [...], "removed": [...]}.
                Some(Value::Object(delta)) if action == "exchange.list.members" => {
                    let count = |k: &str| delta.get(k).and_then(Value::as_array).map_or(0, |a| a.len() as u64);
                    it.members = it.members.map(|n| (n + count("added")).saturating_sub(count("removed")));
                }
                _ => {}
            }
        }
        match action {
            "mailbox.disable" | "exchange.mailbox.disable" => it.enabled = Some(false),
            "mailbox.enable" | "exchange.mailbox.enable" => it.enabled = Some(true),
            _ => {}
        }
        let generation: i64 = Self::meta(&c, "generation").map_err(err)?.and_then(|g| g.parse().ok()).unwrap_or(0);
        // Kept through an unfinished refresh: the refresh's own generation, when there is one.
        let generation = Self::meta(&c, "refreshing").map_err(err)?.and_then(|g| g.parse().ok()).unwrap_or(generation);
        let tx = c.transaction().map_err(err)?;
        Self::upsert(&tx, &it, generation).map_err(err)?;
        tx.commit().map_err(err)?;
        self.changes.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

struct ReadPage {
    items: Vec<Item>,
    reads: u64,
}

fn plural(k: Kind) -> &'static str {
    match k {
        Kind::Mailbox => "Rackspace Email mailboxes",
        Kind::Alias => "aliases",
        Kind::ExMailbox => "Exchange mailboxes",
        Kind::Contact => "contacts",
        Kind::List => "distribution lists",
    }
}
