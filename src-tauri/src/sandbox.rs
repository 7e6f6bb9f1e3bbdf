//! The built-in sandbox: the simulator running in this process on a loopback port, with the
//! demo company's data and throwaway keys, and a client connected to it.

use rackdesk_core::{Client, ClientConfig, Credentials};
use rackdesk_sim::{DataSet, SimConfig, Simulator};

pub struct Sandbox {
    pub simulator: Simulator,
    pub client: Client,
}

impl Sandbox {
    pub async fn start() -> Result<Sandbox, Box<dyn std::error::Error>> {
        let (user_key, secret) = rackdesk_core::sandbox_keys();
        let mut cfg = SimConfig::new(&user_key, secrecy::ExposeSecret::expose_secret(&secret));
        cfg.data = DataSet::Demo;
        let simulator = Simulator::start_local(cfg).await?;
        let creds = Credentials::new(user_key, secret)?;
        let client = Client::new(ClientConfig::new(simulator.api_url()), creds)?;
        Ok(Sandbox { simulator, client })
    }
}
