//! The command line's manners, run as a user or a script would: failures as JSON under
//! `--output json`, tables aligned with wide characters, plain progress off a terminal,
//! completions and manual pages from the CLI's own definition, and diagnostics.

use rackdesk_sim::{DataSet, SimConfig, Simulator};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const USER_KEY: &str = "PolishTestUserKey001";
const SECRET: &str = "PolishTestSecretKey-Do-Not-Print-001";

async fn sim(data: DataSet) -> Simulator {
    let mut cfg = SimConfig::new(USER_KEY, SECRET);
    cfg.data = data;
    cfg.minute = Duration::from_millis(1000);
    Simulator::start_local(cfg).await.expect("simulator starts")
}

struct Dir(PathBuf);
impl Dir {
    fn new(what: &str) -> Dir {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let p = std::env::temp_dir().join(format!("rd-polish-{what}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        Dir(p)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `rackdesk ARGS` with the simulator's keys (when given), settings in `dir`, stdin closed.
fn rackdesk(dir: &Dir, api_url: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
    for v in ["RACKDESK_API_URL", "RACKDESK_LOG", "RACKDESK_LOG_DIR", "NO_COLOR", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env_remove(v);
    }
    cmd.env("RACKDESK_CONFIG_DIR", &dir.0).env("RACKDESK_DATA_DIR", &dir.0).env("RACKDESK_MINUTE_MS", "1000");
    if let Some(url) = api_url {
        cmd.args(["--api-url", url]).env("RACKDESK_USER_KEY", USER_KEY).env("RACKDESK_SECRET_KEY", SECRET);
    }
    cmd.args(args).stdin(Stdio::null()).output().expect("rackdesk runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_err(o: &Output) -> serde_json::Value {
    let e = stderr(o);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr: {e}");
    serde_json::from_str(lines[0]).unwrap_or_else(|err| panic!("{err}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_json_objects_on_stderr_under_output_json() {
    let s = sim(DataSet::Empty).await;
    let d = Dir::new("json");
    // Refused by the core before anything is sent.
    let o = rackdesk(&d, Some(s.api_url()), &["--output", "json", "mailbox", "show", "not an address"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    let j = json_err(&o);
    assert_eq!((j["kind"].as_str(), j["exitCode"].as_i64()), (Some("invalid-input"), Some(2)), "{j}");
    assert!(j["message"].as_str().unwrap().contains("Nothing was sent"), "{j}");
    assert!(j.get("detail").is_some(), "detail is always there (null when none): {j}");
    // Answered by the server: its words are the detail.
    let o = rackdesk(&d, Some(s.api_url()), &["--output", "json", "mailbox", "show", "nobody@example.com"]);
    let j = json_err(&o);
    assert_eq!((j["kind"].as_str(), j["exitCode"].as_i64()), (Some("not-found"), Some(2)), "{j}");
    assert!(j["detail"].is_string(), "{j}");
    // Arguments clap cannot read, with --output=json given either way.
    for args in [&["--output", "json", "mailbox", "show"][..], &["--output=json", "domains", "list", "--bogus"][..]] {
        let o = rackdesk(&d, Some(s.api_url()), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let j = json_err(&o);
        assert_eq!((j["kind"].as_str(), j["exitCode"].as_i64()), (Some("invalid-input"), Some(2)), "{j}");
    }
    // Without --output json: the sentence people read, and --help is still help.
    let o = rackdesk(&d, Some(s.api_url()), &["mailbox", "show", "nobody@example.com"]);
    assert!(stderr(&o).starts_with("rackdesk: Rackspace could not find that"), "{}", stderr(&o));
    let o = rackdesk(&d, None, &["--output", "json", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Usage: rackdesk"), "{}", stdout(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_stay_aligned_with_wide_characters() {
    let s = sim(DataSet::Empty).await;
    let d = Dir::new("wide");
    for (addr, name) in [("yui@example.com", "山田 結衣"), ("ann@example.com", "Ann 🎉"), ("bo@example.com", "Bo")] {
        let o = rackdesk(&d, Some(s.api_url()), &["mailbox", "create", addr, "--display-name", name, "--generate-password"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = rackdesk(&d, Some(s.api_url()), &["mailboxes", "list", "example.com"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    // "display name" (12 columns) is the widest in its column: "山田 結衣" takes 9 columns on a
    // terminal (each CJK character two), "Ann 🎉" 6 (the emoji two), "Bo" 2; two spaces follow.
    let line = |who: &str| out.lines().find(|l| l.starts_with(who)).unwrap_or_else(|| panic!("{who}: {out}")).to_owned();
    assert!(line("yui@").contains(&format!("山田 結衣{}yes", " ".repeat(12 - 9 + 2))), "{out}");
    assert!(line("ann@").contains(&format!("Ann 🎉{}yes", " ".repeat(12 - 6 + 2))), "{out}");
    assert!(line("bo@").contains(&format!("Bo{}yes", " ".repeat(12 - 2 + 2))), "{out}");
    assert!(out.starts_with("address          display name  enabled"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_off_a_terminal_is_plain_lines() {
    let s = sim(DataSet::Demo).await;
    let d = Dir::new("progress");
    // 260 mailboxes: two pages; stderr is a pipe here, not a terminal.
    let o = rackdesk(&d, Some(s.api_url()), &["mailboxes", "list", "northwind.example"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("Loaded 250 of 260 mailboxes…\n"), "{e:?}");
    assert!(!e.contains('\x1b') && !e.contains('\r'), "no escape codes off a terminal: {e:?}");
}

#[test]
fn completions_and_manual_pages_come_from_the_definition() {
    let d = Dir::new("gen");
    for (shell, marker) in [("bash", "complete -F"), ("zsh", "#compdef rackdesk"), ("fish", "complete -c rackdesk")] {
        let o = rackdesk(&d, None, &["completions", shell]);
        assert_eq!(o.status.code(), Some(0), "{shell}: {}", stderr(&o));
        let text = stdout(&o);
        assert!(text.contains(marker), "{shell}: {text}");
        for sub in ["mailbox", "ex-mailbox", "bulk", "diagnostics", "reset-password"] {
            assert!(text.contains(sub), "{shell} completes {sub}");
        }
    }
    let o = rackdesk(&d, None, &["man"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.contains(".TH rackdesk 1") && page.contains("diagnostics"), "{page}");
    let out = d.0.join("man");
    let o = rackdesk(&d, None, &["man", "--out-dir", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for f in ["rackdesk.1", "rackdesk-mailbox.1", "rackdesk-mailbox-reset-password.1", "rackdesk-diagnostics.1"] {
        let text = std::fs::read_to_string(out.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(text.contains(".TH "), "{f}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostics_as_json_for_scripts() {
    let s = sim(DataSet::Empty).await;
    let d = Dir::new("diag");
    let o = rackdesk(&d, Some(s.api_url()), &["--output", "json", "diagnostics"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)));
    assert_eq!(j["program"], "rackdesk command line");
    assert_eq!(j["version"], rackdesk_core::VERSION);
    assert_eq!(j["apiRoot"], s.api_url());
    assert_eq!(j["proxy"], "none (this computer is always reached directly)");
    assert!(j["connection"]["status"].is_u64(), "{j}");
    assert_eq!(j["connection"]["clockOffsetSecs"], 0, "{j}");
    assert!(j["logFile"].as_str().unwrap().ends_with("rackdesk-cli.log"), "{j}");
    assert!(j["acting"].as_str().unwrap().starts_with("keys from the environment"), "{j}");
    assert!(!stdout(&o).contains(USER_KEY) && !stdout(&o).contains(SECRET));
}
