//! Prepares the large account of tests/bench/webview.sh, then serves it until stdin closes:
//!
//! 1. a simulator with `--mailboxes N` (default 50,000) on a loopback port;
//! 2. an identity for it ("test server"), added through the core as the app's wizard does, its
//!    keys in the OS vault (run inside a D-Bus session with an unlocked keyring) and the settings
//!    in the usual folders (follow the XDG variables / RACKDESK_CONFIG_DIR);
//! 3. that identity's local index (the file the app opens for it), filled by the core's own
//!    refresh. The simulator's rate-limit "minute" is one second and the refresh's client keeps
//!    to that, so filling takes seconds; the app's own client keeps to the published limits.
//!
//! Prints `READY <api url> <items>` when done, errors to stderr (exit 1).

use rackdesk_core::identity::{Identities, NewIdentity};
use rackdesk_core::index::Index;
use rackdesk_core::limits::{Limits, Scheduler};
use rackdesk_core::{Client, ClientConfig, Credentials};
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::{Duration, Instant};

const UK: &str = "BenchUserKey00000001";
const SK: &str = "BenchSecretKey-0123456789abcdefghij";

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn prepare() -> Result<(Simulator, u64), Box<dyn std::error::Error>> {
    let n = arg("--mailboxes", 50_000) as u32;
    let window = Duration::from_secs(1);
    let limits = Limits::with_window(window);
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = DataSet::Large(n);
    cfg.minute = window;
    cfg.limits = SimLimits { reads: limits.reads as usize, writes: limits.writes as usize, ..SimLimits::default() };
    let t = Instant::now();
    let sim = Simulator::start(cfg, std::net::SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    eprintln!("simulator with {n} mailboxes at {} ({:.1} s)", sim.api_url(), t.elapsed().as_secs_f64());

    let ids = Identities::open(&rackdesk_core::identity::config_dir()?, Arc::new(rackdesk_core::vault::OsVault));
    let new = NewIdentity {
        label: format!("Large account ({n})"),
        account: sim.account().to_owned(),
        api_url: sim.api_url().to_owned(),
        api_admin: Some(rackdesk_sim::seed::API_ADMIN.into()),
        credentials: Credentials::new(UK, SecretString::from(SK))?,
        test_server: true,
    };
    let (ident, _) = ids.add(new, &ClientConfig::new(sim.api_url())).await?;

    let t = Instant::now();
    let (ix, _) = Index::open(&Index::default_path(&format!("identity-{}", ident.id))?)?;
    let mut ccfg = ClientConfig::new(sim.api_url());
    ccfg.account = ident.account.clone();
    ccfg.scheduler = Scheduler::new(limits);
    let client = Client::new(ccfg, Credentials::new(UK, SecretString::from(SK))?)?;
    let report = ix.refresh(&client, &|_| {}).await?;
    eprintln!("index of {} filled: {} items from {} reads ({:.1} s)", ident.label, report.items, report.reads, t.elapsed().as_secs_f64());
    Ok((sim, ix.status()?.items))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    match prepare().await {
        Ok((sim, items)) => {
            println!("READY {} {items}", sim.api_url());
            // Serve until whoever started us closes our stdin (or ends us).
            let _ = tokio::task::spawn_blocking(|| {
                use std::io::Read;
                let mut buf = [0u8; 64];
                while matches!(std::io::stdin().read(&mut buf), Ok(n) if n > 0) {}
            })
            .await;
            drop(sim);
        }
        Err(e) => {
            eprintln!("could not prepare the large account: {e}");
            std::process::exit(1);
        }
    }
}
