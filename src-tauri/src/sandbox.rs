//! The built-in sandbox: the simulator running in this process on a loopback port, with the
//! demo company's data and throwaway keys, and a session (client + who acts) connected to it.

use rackdesk_core::identity::{Actor, Operator, Session};
use rackdesk_core::{Client, ClientConfig, Credentials};
use rackdesk_sim::{DataSet, SimConfig, Simulator};

pub struct Sandbox {
    pub simulator: Simulator,
    pub session: Session,
}

impl Sandbox {
    pub async fn start() -> Result<Sandbox, Box<dyn std::error::Error>> {
        Sandbox::start_with_events(None).await
    }

    /// Starts the sandbox; `events` hears the client's waits and retries (for the page).
    pub async fn start_with_events(events: Option<rackdesk_core::client::EventSink>) -> Result<Sandbox, Box<dyn std::error::Error>> {
        // Made-up keys, new on every start. Tests (and anyone who wants to look at the
        // sandbox from outside, e.g. with `rackdesk --api-url`) may fix the keys and the port.
        let (user_key, secret) = match (std::env::var("RACKDESK_SANDBOX_USER_KEY"), std::env::var("RACKDESK_SANDBOX_SECRET_KEY")) {
            (Ok(u), Ok(s)) if !u.is_empty() && !s.is_empty() => (u, secrecy::SecretString::from(s)),
            _ => rackdesk_core::sandbox_keys(),
        };
        let mut cfg = SimConfig::new(&user_key, secrecy::ExposeSecret::expose_secret(&secret));
        // The demo company, or another data set (e.g. `large:50000` to try a large account).
        cfg.data = match std::env::var("RACKDESK_SANDBOX_DATA") {
            Ok(d) if !d.trim().is_empty() => d.parse::<DataSet>().map_err(|e| format!("RACKDESK_SANDBOX_DATA: {e}"))?,
            _ => DataSet::Demo,
        };
        let listen: std::net::SocketAddr = match std::env::var("RACKDESK_SANDBOX_LISTEN") {
            Ok(a) => a.parse().map_err(|_| format!("RACKDESK_SANDBOX_LISTEN must be an address like 127.0.0.1:8808, not {a:?}"))?,
            Err(_) => std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        if !listen.ip().is_loopback() {
            return Err("the sandbox listens only on this computer (127.0.0.1)".into());
        }
        let simulator = Simulator::start(cfg, listen).await?;
        let creds = Credentials::new(user_key, secret)?;
        let mut ccfg = ClientConfig::new(simulator.api_url());
        ccfg.events = events;
        let client = Client::new(ccfg, creds)?;
        let operator: Operator = rackdesk_core::identity::current_operator();
        let actor = Actor {
            operator,
            identity_label: "Sandbox".into(),
            account: simulator.account().to_owned(),
            api_admin: Some(rackdesk_sim::seed::API_ADMIN.into()),
        };
        Ok(Sandbox { simulator, session: Session { actor, client } })
    }

    pub fn client(&self) -> &Client {
        &self.session.client
    }
}
