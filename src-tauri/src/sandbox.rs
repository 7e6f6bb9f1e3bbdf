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
        let (user_key, secret) = rackdesk_core::sandbox_keys();
        let mut cfg = SimConfig::new(&user_key, secrecy::ExposeSecret::expose_secret(&secret));
        cfg.data = DataSet::Demo;
        let simulator = Simulator::start_local(cfg).await?;
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
