//! The `rackdesk` binary against a simulator, for the CLI's end-to-end tests: one set of made-up
//! keys and a settings folder per test file and simulator, out of the real home folder; every
//! run checked for the secret key in its output.

#![allow(dead_code)]

use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

/// The keys a test file's simulators accept, and the name its settings folders carry.
pub struct Harness {
    pub user_key: &'static str,
    pub secret: &'static str,
    /// e.g. "bulk": folders are `rackdesk-bulk-test-<pid>-<port>` in the temporary folder.
    pub tag: &'static str,
}

impl Harness {
    /// A simulator on a local port with this data, a rate-limit "minute" of `minute_ms` and
    /// these limits.
    pub async fn sim_with(&self, data: DataSet, minute_ms: u64, limits: SimLimits) -> Simulator {
        let mut cfg = SimConfig::new(self.user_key, self.secret);
        cfg.data = data;
        cfg.minute = Duration::from_millis(minute_ms);
        cfg.limits = limits;
        Simulator::start_local(cfg).await.expect("simulator starts")
    }

    /// Settings, journal, index and job store of one simulator's tests.
    pub fn state_dir(&self, sim: &Simulator) -> PathBuf {
        let d = std::env::temp_dir().join(format!("rackdesk-{}-test-{}-{}", self.tag, std::process::id(), sim.addr().port()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// `rackdesk ARGS` against `sim`, its client's "minute" at `minute_ms`; stdin, stdout and
    /// stderr piped.
    pub fn command(&self, sim: &Simulator, minute_ms: u64, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
        cmd.env("RACKDESK_CONFIG_DIR", self.state_dir(sim))
            .env("RACKDESK_DATA_DIR", self.state_dir(sim))
            .args(["--api-url", sim.api_url()])
            .args(args)
            .env("RACKDESK_USER_KEY", self.user_key)
            .env("RACKDESK_SECRET_KEY", self.secret)
            .env("RACKDESK_MINUTE_MS", minute_ms.to_string())
            .env_remove("RACKDESK_API_URL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs `rackdesk ARGS` to the end (nothing on its stdin); the secret key must not be in
    /// what it printed.
    pub fn run(&self, sim: &Simulator, minute_ms: u64, args: &[&str]) -> Output {
        let mut child = self.command(sim, minute_ms, args).spawn().expect("rackdesk runs");
        drop(child.stdin.take());
        let out = child.wait_with_output().expect("rackdesk finishes");
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!all.contains(self.secret), "the secret key appeared in the output of {args:?}");
        out
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
pub fn both(o: &Output) -> String {
    format!("{}\n{}", stdout(o), stderr(o))
}
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}
