//! `rackdesk-sim`: run the simulator on a port. Prints its API root as the first line.

use clap::Parser;
use rackdesk_sim::faults::FaultRule;
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;


/// A local simulator of the Rackspace Email REST API, for practice and tests.
///
/// The keys given here are the only ones it accepts; they belong to its API admin
/// "api-rackdesk". Nothing here is real: use made-up keys.
#[derive(Parser)]
#[command(name = "rackdesk-sim", version)]
struct Args {
    /// Address to listen on; port 0 picks a free port. Only a loopback address (127.0.0.1,
    /// ::1) unless --allow-remote is given.
    #[arg(long, default_value = "127.0.0.1:8808")]
    listen: SocketAddr,
    /// Allow --listen on an address other computers can reach. The simulator has no real
    /// security: anyone who can reach it and knows the made-up keys can use it.
    #[arg(long)]
    allow_remote: bool,
    /// The user key the simulator accepts.
    #[arg(long)]
    user_key: String,
    /// The secret key the simulator accepts (made up: this is a simulator).
    #[arg(long, env = "RACKDESK_SIM_SECRET_KEY", hide_env_values = true)]
    secret_key: String,
    /// The customer account number.
    #[arg(long, default_value = rackdesk_sim::seed::DEMO_ACCOUNT)]
    account: String,
    /// The data to start with: `demo` (a company of about 400 people on Rackspace Email and
    /// Hosted Exchange), `empty` (one empty domain of each service) or `large:N` (N mailboxes,
    /// up to 100000, over six domains of both services — for tests and benchmarks).
    #[arg(long, default_value = "demo")]
    data: DataSet,
    /// Length of the rate limits' "minute", in milliseconds (shorten it to test fast).
    #[arg(long, default_value_t = 60_000)]
    minute_ms: u64,
    /// Reads allowed per minute and per key.
    #[arg(long, default_value_t = 60)]
    reads_per_minute: usize,
    /// Writes allowed per minute and per key.
    #[arg(long, default_value_t = 30)]
    writes_per_minute: usize,
    /// How many seconds a signature's timestamp may be off; 0 accepts any.
    #[arg(long, default_value_t = 900)]
    freshness_secs: u64,
    /// Pretend the simulator's clock is this many seconds ahead (negative: behind).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    clock_offset_secs: i64,
    /// How long an asynchronous change (Exchange distribution lists) takes to settle, in
    /// milliseconds; until then the list's Status says the change is running.
    #[arg(long, default_value_t = 300)]
    async_delay_ms: u64,
    /// Inject a fault: KIND[:ARG][,path=TEXT][,method=M][,rate=R][,count=N][,skip=N][,after]
    /// with KIND one of delay:MS, status:CODE, truncated, not-json, drop, or async-error
    /// (an accepted distribution-list change settles with an Error). Repeatable.
    #[arg(long = "fault", value_parser = |s: &str| s.parse::<FaultRule>())]
    faults: Vec<FaultRule>,
    /// Serve over HTTPS with this certificate chain (PEM, server certificate first); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<std::path::PathBuf>,
    /// The private key of --tls-cert (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<std::path::PathBuf>,
    /// The host name printed in the API root with --tls-cert: a name the certificate is made out for.
    #[arg(long, default_value = "localhost")]
    tls_name: String,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_env("RACKDESK_SIM_LOG").unwrap_or_else(|_| "rackdesk_sim=info".into()))
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let a = Args::parse();
    if rackdesk_core::names::account(&a.account).is_err() || a.account == "me" {
        eprintln!("rackdesk-sim: the account must be digits, like 123456");
        std::process::exit(2);
    }
    if !a.listen.ip().is_loopback() && !a.allow_remote {
        eprintln!(
            "rackdesk-sim: --listen {} is not a loopback address; the simulator listens only on this computer \
             (e.g. 127.0.0.1:8808) unless --allow-remote is given",
            a.listen
        );
        std::process::exit(2);
    }
    if a.minute_ms == 0 {
        eprintln!("rackdesk-sim: --minute-ms must be at least 1");
        std::process::exit(2);
    }
    let mut cfg = SimConfig::new(&a.user_key, &a.secret_key);
    cfg.account = a.account;
    cfg.data = a.data;
    cfg.minute = Duration::from_millis(a.minute_ms);
    cfg.limits = SimLimits { reads: a.reads_per_minute, writes: a.writes_per_minute, ..SimLimits::default() };
    cfg.freshness = (a.freshness_secs > 0).then(|| Duration::from_secs(a.freshness_secs));
    cfg.clock_offset_secs = a.clock_offset_secs;
    cfg.faults = a.faults;
    cfg.async_delay = Duration::from_millis(a.async_delay_ms);
    let started = match (&a.tls_cert, &a.tls_key) {
        (Some(cert), Some(key)) => match rackdesk_sim::tls::acceptor_from_pem_files(cert, key) {
            Ok(acceptor) => Simulator::start_tls(cfg, a.listen, acceptor, &a.tls_name).await,
            Err(e) => {
                eprintln!("rackdesk-sim: the certificate or key cannot be used: {e}");
                std::process::exit(2);
            }
        },
        _ => Simulator::start(cfg, a.listen).await,
    };
    let sim = match started {
        Ok(s) => s,
        Err(e) => {
            eprintln!("rackdesk-sim: could not listen on {}: {e}", a.listen);
            std::process::exit(1);
        }
    };
    println!("{}", sim.api_url());
    let _ = std::io::stdout().flush();
    tracing::info!(target: "rackdesk_sim", "serving account {} at {}", sim.account(), sim.api_url());
    let _ = tokio::signal::ctrl_c().await;
}
