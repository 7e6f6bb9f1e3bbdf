//! What the app is acting through right now: the built-in sandbox, or an identity (an API
//! admin whose keys are in the credential vault). Commands ask the state for the client and
//! for who is acting; switching is one call.

use crate::commands::CommandError;
use crate::sandbox::Sandbox;
use rackdesk_core::client::EventSink;
use rackdesk_core::identity::{Actor, Identities, Identity, IdentityError, Operator, Session};
use rackdesk_core::journal::Journal;
use rackdesk_core::ops::Ops;
use rackdesk_core::{Client, ClientConfig};
use std::sync::{Arc, Mutex, RwLock};

pub enum Mode {
    Sandbox,
    Account { session: Session, identity: Identity },
}

pub struct AppState {
    pub sandbox: Sandbox,
    /// `None` when no config folder could be found (then only the sandbox works).
    pub identities: Option<Identities>,
    mode: RwLock<Mode>,
    events: Option<EventSink>,
    /// Why the app could not open the active identity at start, if it could not.
    pub startup_problem: RwLock<Option<CommandError>>,
    /// The audit journal; without it, Rackdesk makes no changes.
    pub journal: Result<Arc<Journal>, rackdesk_core::journal::JournalError>,
    /// Which aliases deliver where, per domain of the account in use (forgotten on a switch).
    pub alias_book: rackdesk_core::alias_book::AliasBook,
    /// The account's domain names for the live address checks (kept a few minutes, per account).
    pub domains: rackdesk_core::addresses::DomainCache,
    /// The local index of each account used in this run (the sandbox's is new on every start).
    indexes: std::sync::Mutex<std::collections::HashMap<String, Arc<rackdesk_core::index::Index>>>,
    /// The background refresh of an index: its key and where it is.
    pub index_refresh: std::sync::Mutex<Option<(String, rackdesk_core::index::RefreshProgress)>>,
    /// The sandbox's index: a file of this run only (the sandbox starts from its demo data
    /// every time, so does its index).
    sandbox_index: std::path::PathBuf,
    /// The team journal: its shipper (while team mode is on) and the team view's live updates.
    team: TeamRuntime,
}

/// Called whenever the team journal's status may have changed (the app emits `team-status`).
pub type TeamSink = Arc<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct TeamRuntime {
    shipper: Mutex<Option<rackdesk_core::team::Shipper>>,
    status_task: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    follow: Mutex<Option<tauri::async_runtime::JoinHandle<()>>>,
    sink: Mutex<Option<TeamSink>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The sandbox's index file name.
const SANDBOX_INDEX: &str = "sandbox";

impl AppState {
    /// Opens the active identity if there is one (its keys read from the vault), else the sandbox.
    pub fn new(sandbox: Sandbox, identities: Option<Identities>, events: Option<EventSink>, journal: Result<Journal, rackdesk_core::journal::JournalError>) -> AppState {
        let state = AppState {
            sandbox,
            identities,
            mode: RwLock::new(Mode::Sandbox),
            events,
            startup_problem: RwLock::new(None),
            journal: journal.map(Arc::new),
            alias_book: Default::default(),
            domains: rackdesk_core::addresses::DomainCache::new(),
            indexes: Default::default(),
            index_refresh: Default::default(),
            sandbox_index: {
                // Left by runs that ended without deleting theirs.
                std::thread::spawn(|| AppState::sweep_sandbox_indexes(&std::env::temp_dir()));
                static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
                let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::env::temp_dir().join(format!("rackdesk-sandbox-index-{}-{n}.sqlite3", std::process::id()))
            },
            team: TeamRuntime::default(),
        };
        if let Some(ids) = &state.identities {
            match ids.find(None) {
                Ok(ident) => {
                    if let Err(e) = state.open_identity(&ident.label) {
                        *state.startup_problem.write().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    }
                }
                Err(IdentityError::NoIdentity) => {}
                Err(e) => *state.startup_problem.write().unwrap_or_else(|p| p.into_inner()) = Some(e.into()),
            }
        }
        state
    }

    /// The client settings for real accounts: published limits, the page hears waits.
    pub fn base_config(&self) -> ClientConfig {
        let mut cfg = ClientConfig::new(rackdesk_core::DEFAULT_API_URL);
        cfg.events = self.events.clone();
        cfg
    }

    pub fn identities(&self) -> Result<&Identities, CommandError> {
        self.identities.as_ref().ok_or_else(|| {
            CommandError::new(
                rackdesk_core::ErrorKind::Config,
                "Rackdesk could not find a folder for its settings (no home folder), so only the sandbox can be used.",
            )
        })
    }

    fn mode(&self) -> std::sync::RwLockReadGuard<'_, Mode> {
        self.mode.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The client of the current mode (cheap: clients share their connection pool).
    pub fn client(&self) -> Client {
        match &*self.mode() {
            Mode::Sandbox => self.sandbox.client().clone(),
            Mode::Account { session, .. } => session.client.clone(),
        }
    }

    /// The operator as set now (roles can change while the app runs).
    pub fn operator(&self) -> Operator {
        self.identities.as_ref().and_then(|i| i.operator().ok()).unwrap_or_else(Operator::from_os)
    }

    pub fn session(&self) -> Session {
        let mut s = match &*self.mode() {
            Mode::Sandbox => self.sandbox.session.clone(),
            Mode::Account { session, .. } => session.clone(),
        };
        s.actor.operator = self.operator();
        s
    }

    pub fn actor(&self) -> Actor {
        self.session().actor
    }

    /// Changes go through here: the role's allow-list and the journal (and the local index,
    /// which each change updates). Without a journal, nothing is changed.
    pub fn ops(&self) -> Result<Ops, CommandError> {
        let mut ops = Ops::new(self.session(), self.journal()?, self.is_sandbox());
        ops.index = self.index_if_made();
        Ok(ops)
    }

    /// Which index the account in use has: the sandbox's, or the identity's.
    pub fn index_key(&self) -> String {
        match &*self.mode() {
            Mode::Sandbox => SANDBOX_INDEX.into(),
            Mode::Account { identity, .. } => format!("identity-{}", identity.id),
        }
    }

    /// The account's index when there is one already (open, or a file from an earlier run):
    /// changes keep it current, but a change alone does not make one.
    pub fn index_if_made(&self) -> Option<Arc<rackdesk_core::index::Index>> {
        let key = self.index_key();
        if let Some(ix) = self.indexes.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Some(ix.clone());
        }
        let on_disk = key != SANDBOX_INDEX && rackdesk_core::index::Index::default_path(&key).is_ok_and(|p| p.exists());
        if on_disk {
            self.index().ok()
        } else {
            None
        }
    }

    /// The local index of the account in use, opened on first use.
    /// Deletes sandbox index files that an earlier run left in `dir` (one that was killed, or
    /// crashed, before it could delete its own): those of a process that is no longer running
    /// (Linux, through /proc), else those untouched for a day. Returns how many files went.
    pub fn sweep_sandbox_indexes(dir: &std::path::Path) -> usize {
        let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
        let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(24 * 3600);
        let mut removed = 0;
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix("rackdesk-sandbox-index-") else { continue };
            let pid: Option<u32> = rest.split('-').next().and_then(|p| p.parse().ok());
            if pid == Some(std::process::id()) {
                continue;
            }
            let stale = if cfg!(target_os = "linux") && std::path::Path::new("/proc/self").exists() {
                pid.is_none_or(|p| !std::path::Path::new(&format!("/proc/{p}")).exists())
            } else {
                e.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < day_ago)
            };
            if stale && std::fs::remove_file(e.path()).is_ok() {
                removed += 1;
            }
        }
        removed
    }

    /// The sandbox's index file: in the temporary folder, one per run (the sandbox's data are
    /// made afresh on every start).
    pub fn sandbox_index_path(&self) -> &std::path::Path {
        &self.sandbox_index
    }

    /// Closes the sandbox's index and deletes its files; called when the app quits. A search
    /// still running keeps its own handle: its file goes when it ends (or with the temporary
    /// folder).
    pub fn remove_sandbox_index(&self) {
        self.indexes.lock().unwrap_or_else(|p| p.into_inner()).remove(SANDBOX_INDEX);
        for ext in ["sqlite3", "sqlite3-wal", "sqlite3-shm"] {
            let _ = std::fs::remove_file(self.sandbox_index.with_extension(ext));
        }
    }

    pub fn index(&self) -> Result<Arc<rackdesk_core::index::Index>, CommandError> {
        let key = self.index_key();
        let mut all = self.indexes.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(ix) = all.get(&key) {
            return Ok(ix.clone());
        }
        let path = if key == SANDBOX_INDEX { self.sandbox_index.clone() } else { rackdesk_core::index::Index::default_path(&key).map_err(CommandError::from)? };
        let (ix, opened) = rackdesk_core::index::Index::open(&path).map_err(CommandError::from)?;
        if let rackdesk_core::index::Opened::Rebuilt { reason } = opened {
            tracing::warn!("index {key} rebuilt: {reason}");
        }
        let ix = Arc::new(ix);
        all.insert(key, ix.clone());
        // The first "find a person" keystroke should not wait for the search texts.
        let warm = ix.clone();
        std::thread::spawn(move || {
            if let Err(e) = warm.warm() {
                tracing::warn!("index not read ahead: {}", e.user_message());
            }
        });
        Ok(ix)
    }

    /// The journal; without it, no change is made ("Nothing was changed" says why).
    pub fn journal(&self) -> Result<Arc<Journal>, CommandError> {
        match &self.journal {
            Ok(j) => Ok(j.clone()),
            Err(e) => {
                let mut err = CommandError::from(e);
                err.message = format!("{} Nothing was changed: Rackdesk makes no change it cannot record.", err.message);
                Err(err)
            }
        }
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(&*self.mode(), Mode::Sandbox)
    }

    pub fn active_identity(&self) -> Option<Identity> {
        match &*self.mode() {
            Mode::Sandbox => None,
            Mode::Account { identity, .. } => Some(identity.clone()),
        }
    }

    pub fn use_sandbox(&self) {
        *self.mode.write().unwrap_or_else(|p| p.into_inner()) = Mode::Sandbox;
        self.alias_book.forget_all();
    }

    /// Acts through this identity from now on (the settings' active identity is changed, and
    /// journaled, by the core's `Manage::use_identity`; this only opens it).
    pub fn open_identity(&self, label: &str) -> Result<(), CommandError> {
        let ids = self.identities()?;
        let (session, identity) = ids.session(Some(label), &self.base_config())?;
        *self.mode.write().unwrap_or_else(|p| p.into_inner()) = Mode::Account { session, identity };
        self.alias_book.forget_all();
        *self.startup_problem.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    /// Who hears that the team journal's status changed.
    pub fn set_team_sink(&self, sink: TeamSink) {
        *locked(&self.team.sink) = Some(sink);
    }

    /// (Re)starts shipping this computer's journal to the team database, if team mode is on.
    /// Must run on the async runtime.
    pub fn restart_team(&self) {
        self.stop_team();
        let (Ok(ids), Ok(journal)) = (self.identities(), self.journal()) else { return };
        let started = rackdesk_core::team::Team::new(ids, &journal).start_shipper(journal.clone(), rackdesk_core::team::ShipOptions::default());
        let shipper = match started {
            Ok(Some(s)) => s,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!("team journal: {}", rackdesk_core::Explain::user_message(&e));
                return;
            }
        };
        if let Some(sink) = locked(&self.team.sink).clone() {
            let mut rx = shipper.subscribe();
            let task = tauri::async_runtime::spawn(async move {
                sink();
                while rx.changed().await.is_ok() {
                    sink();
                }
            });
            *locked(&self.team.status_task) = Some(task);
        }
        *locked(&self.team.shipper) = Some(shipper);
    }

    /// Stops shipping (leaving team mode) and the team view's live updates.
    pub fn stop_team(&self) {
        locked(&self.team.shipper).take();
        if let Some(t) = locked(&self.team.status_task).take() {
            t.abort();
        }
        self.set_team_follow(None);
        if let Some(sink) = locked(&self.team.sink).clone() {
            sink();
        }
    }

    /// Replaces the team view's live updates (`None`: stops them).
    pub fn set_team_follow(&self, task: Option<tauri::async_runtime::JoinHandle<()>>) {
        if let Some(old) = std::mem::replace(&mut *locked(&self.team.follow), task) {
            old.abort();
        }
    }

    /// Team mode's status now: the shipper's, else off.
    pub fn team_status(&self) -> rackdesk_core::team::TeamStatus {
        let role = self.operator().role;
        let settings = self.identities().ok().map(|ids| ids.config_path().parent().map(|p| p.to_path_buf()).unwrap_or_default());
        let settings = settings.and_then(|dir| rackdesk_core::team::settings::load(&dir).ok().flatten());
        match (settings, locked(&self.team.shipper).as_ref()) {
            (Some(s), Some(shipper)) => rackdesk_core::team::TeamStatus::from_state(&s, &shipper.state(), role),
            _ => rackdesk_core::team::TeamStatus::off(role),
        }
    }
}
