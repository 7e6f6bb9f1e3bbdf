//! What the app is acting through right now: the built-in sandbox, or an identity (an API
//! admin whose keys are in the credential vault). Commands ask the state for the client and
//! for who is acting; switching is one call.

use crate::commands::CommandError;
use crate::sandbox::Sandbox;
use rackdesk_core::client::EventSink;
use rackdesk_core::identity::{Actor, Identities, Identity, IdentityError, Session};
use rackdesk_core::{Client, ClientConfig};
use std::sync::RwLock;

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
}

impl AppState {
    /// Opens the active identity if there is one (its keys read from the vault), else the sandbox.
    pub fn new(sandbox: Sandbox, identities: Option<Identities>, events: Option<EventSink>) -> AppState {
        let state = AppState { sandbox, identities, mode: RwLock::new(Mode::Sandbox), events, startup_problem: RwLock::new(None) };
        if let Some(ids) = &state.identities {
            match ids.find(None) {
                Ok(ident) => {
                    if let Err(e) = state.switch_to(&ident.label) {
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
        self.identities.as_ref().ok_or_else(|| CommandError {
            kind: "config".into(),
            message: "Rackdesk could not find a folder for its settings (no home folder), so only the sandbox can be used.".into(),
            detail: None,
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

    pub fn actor(&self) -> Actor {
        match &*self.mode() {
            Mode::Sandbox => self.sandbox.session.actor.clone(),
            Mode::Account { session, .. } => session.actor.clone(),
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
    }

    /// Acts through this identity from now on (and remembers it as the active one).
    pub fn switch_to(&self, label: &str) -> Result<(), CommandError> {
        let ids = self.identities()?;
        let identity = ids.use_identity(label)?;
        let (session, identity) = ids.session(Some(&identity.id), &self.base_config())?;
        *self.mode.write().unwrap_or_else(|p| p.into_inner()) = Mode::Account { session, identity };
        *self.startup_problem.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }
}
