//! What a command runs with: the client settings, the identity and its keys, who acts, and
//! the journal. Keys of a stored identity are only ever sent to the API address stored with it.

use crate::{exit, Cli, Failure};
use rackdesk_core::{Client, ClientConfig, ClientEvent, Credentials};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;

/// The client settings every command starts from: address, account, pacing, progress.
pub(crate) fn base_config(cli: &Cli) -> ClientConfig {
    config_at(cli, cli.api_url.as_deref().unwrap_or(rackdesk_core::DEFAULT_API_URL))
}

/// The client settings for the API root `url`.
fn config_at(cli: &Cli, url: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(url);
    cfg.account = cli.account.clone().unwrap_or_else(|| "me".into());
    // A shortened "minute" for a fast local simulator (tests); ignored for any other host.
    cfg = cfg.with_test_minute_from_env();
    cfg.events = Some(Arc::new(|ev: &ClientEvent| eprintln!("{}…", rackdesk_core::rules::notice(ev).message)));
    cfg
}

/// Identities in the platform's config folder, keys in the OS credential vault.
pub(crate) fn identities() -> Result<rackdesk_core::identity::Identities, Failure> {
    let dir = rackdesk_core::identity::config_dir()?;
    Ok(rackdesk_core::identity::Identities::open(&dir, Arc::new(rackdesk_core::vault::OsVault)))
}

/// The keys from the environment, if the environment names any.
fn env_credentials() -> Result<Option<Credentials>, Failure> {
    let user_key = std::env::var("RACKDESK_USER_KEY").unwrap_or_default();
    let secret = SecretString::from(std::env::var("RACKDESK_SECRET_KEY").unwrap_or_default());
    match (user_key.trim().is_empty(), secret.expose_secret().trim().is_empty()) {
        (true, true) => Ok(None),
        (false, false) => Ok(Some(Credentials::new(user_key, secret)?)),
        _ => Err(Failure { kind: rackdesk_core::ErrorKind::NoIdentity,
            message: "No API keys were given: set both RACKDESK_USER_KEY and RACKDESK_SECRET_KEY, or neither (and use an identity)."
                .into(),
            detail: None,
            code: exit::AUTH,
        }),
    }
}

/// The session (client + who acts) for a command: keys from the environment when set, else
/// from the identity in the credential vault (`--identity`, or the active one), signed only
/// for that identity's own API address (`--api-url` must name the same one).
pub(crate) fn session(cli: &Cli) -> Result<rackdesk_core::identity::Session, Failure> {
    use rackdesk_core::identity::{current_operator, Actor, Session};
    if let Some(creds) = env_credentials()? {
        let client = Client::new(base_config(cli), creds)?;
        let actor = Actor {
            operator: current_operator(),
            identity_label: "keys from the environment".into(),
            account: client.account().to_owned(),
            api_admin: None,
        };
        return Ok(Session { actor, client });
    }
    let ids = identities()?;
    let ident = ids.find(cli.identity.as_deref())?;
    let mut base = config_at(cli, &ident.api_url);
    let (mut session, ident) = ids.session_at(Some(&ident.id), &base, cli.api_url.as_deref())?;
    if let Some(account) = &cli.account {
        // Acting on another account (resellers): same keys, same host.
        base.api_url = ident.api_url.clone();
        base.account = account.clone();
        session.client = Client::new(base, session.client.credentials().clone())?;
        session.actor.account = account.clone();
    }
    Ok(session)
}

/// What `rackdesk diagnostics` reports on, without reading any key: the API root this command
/// would use, and through what (keys from the environment, or the identity), in words.
pub(crate) fn diagnostics_target(cli: &Cli, ids: Option<&rackdesk_core::identity::Identities>) -> (String, String) {
    let given = || cli.api_url.clone().unwrap_or_else(|| rackdesk_core::DEFAULT_API_URL.to_owned());
    let env_keys = ["RACKDESK_USER_KEY", "RACKDESK_SECRET_KEY"].iter().all(|v| std::env::var(v).is_ok_and(|x| !x.trim().is_empty()));
    if env_keys {
        return (given(), "keys from the environment (RACKDESK_USER_KEY, RACKDESK_SECRET_KEY)".into());
    }
    let Some(ids) = ids else {
        return (given(), "no identity (no settings folder)".into());
    };
    match ids.find(cli.identity.as_deref()) {
        Ok(i) => (i.api_url.clone(), rackdesk_core::diagnostics::identity_words(&i)),
        Err(e) => (given(), format!("no identity ({})", Failure::from(e).message)),
    }
}

/// The client for a command (see [`session`]).
pub(crate) fn client(cli: &Cli) -> Result<Client, Failure> {
    Ok(session(cli)?.client)
}

/// The journal, opened once per process (the team journal's shipper wakes on its appends);
/// without it, nothing is changed.
pub(crate) fn journal() -> Result<Arc<rackdesk_core::journal::Journal>, Failure> {
    static JOURNAL: std::sync::OnceLock<Arc<rackdesk_core::journal::Journal>> = std::sync::OnceLock::new();
    if let Some(j) = JOURNAL.get() {
        return Ok(j.clone());
    }
    let j = rackdesk_core::journal::Journal::open_default().map_err(|e| Failure::from(rackdesk_core::ops::OpsError::Journal(e)))?;
    Ok(JOURNAL.get_or_init(|| Arc::new(j)).clone())
}

/// In team mode, ships this process's journal entries (and any left waiting) in the background
/// while the command runs. Problems are the shipper's to report (`team status`); a command
/// never fails or waits because of the team database.
pub(crate) fn start_shipper() -> Option<rackdesk_core::team::Shipper> {
    // Team mode off (the common case): touch nothing, not even the journal.
    let dir = rackdesk_core::identity::config_dir().ok()?;
    rackdesk_core::team::settings::load(&dir).ok().flatten()?;
    let ids = identities().ok()?;
    let journal = journal().ok()?;
    let team = rackdesk_core::team::Team::new(&ids, &journal);
    team.start_shipper(journal.clone(), rackdesk_core::team::ShipOptions::default()).ok().flatten()
}

/// Changes go through the journal and the role's allow-list. Entries left open by a crash
/// are settled first, by reading their objects back.
pub(crate) async fn ops(cli: &Cli) -> Result<rackdesk_core::ops::Ops, Failure> {
    let session = session(cli)?;
    let journal = journal()?;
    let sandbox = rackdesk_core::hosts::is_loopback_url(&session.client.config().api_url);
    let index = rackdesk_core::index::Index::existing_for(&session.client).map(Arc::new);
    let mut ops = rackdesk_core::ops::Ops::new(session, journal, sandbox);
    ops.index = index;
    for (id, result) in ops.reconcile().await? {
        eprintln!("Journal entry {id} was left open by an interrupted run; checked with Rackspace: {result}.");
    }
    Ok(ops)
}
