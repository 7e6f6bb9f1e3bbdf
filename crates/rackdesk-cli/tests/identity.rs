//! `rackdesk identity ...` and `rackdesk operator ...` end to end, through the REAL Linux
//! Secret Service: each test starts its own D-Bus session bus and GNOME Keyring in a temporary
//! folder (see `support`), runs the `rackdesk` binary in that session against the in-process
//! simulator, and looks into the vault with `secret-tool`. Keys reach the CLI on stdin only,
//! never in the environment.

mod support;

use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;
use support::{code, files_under, stderr, stdout, TempDir, Vault};

const USER_KEY: &str = "VaultTestUserKey0001";
const SECRET: &str = "VaultTestSecretKey-Do-Not-Print-0001";
const NEW_USER_KEY: &str = "VaultTestUserKey0002";
const NEW_SECRET: &str = "VaultTestSecretKey-Do-Not-Print-0002";

async fn sim() -> Simulator {
    let mut cfg = SimConfig::new(USER_KEY, SECRET);
    cfg.data = DataSet::Demo;
    cfg.minute = Duration::from_millis(1000);
    Simulator::start_local(cfg).await.expect("simulator starts")
}

/// The keys as the CLI reads them when stdin is not a terminal: one per line.
fn keys(user_key: &str, secret: &str) -> String {
    format!("{user_key}\n{secret}\n")
}

fn add_args<'a>(api_url: &'a str, api_admin: &'a str) -> Vec<&'a str> {
    vec!["--api-url", api_url, "identity", "add", "--name", "Northwind", "--account", "123456", "--api-admin", api_admin, "--test-server"]
}

/// The identities listed in config.json (none when there is no file).
fn configured_identities(config_dir: &Path) -> Vec<serde_json::Value> {
    match std::fs::read(config_dir.join("config.json")) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
        Err(e) => panic!("config.json: {e}"),
        Ok(b) => {
            let v: serde_json::Value = serde_json::from_slice(&b).expect("config.json is JSON");
            v["identities"].as_array().cloned().unwrap_or_default()
        }
    }
}

fn all_output(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_lifecycle_through_the_os_vault() {
    let s = sim().await;
    let v = Vault::start();

    let o = v.rackdesk(&add_args(s.api_url(), "api-rackdesk"), &keys(USER_KEY, SECRET));
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stdout(&o).contains("The keys work: account 123456"), "{}", stdout(&o));
    assert!(stdout(&o).contains("Stored the keys of \"Northwind\""), "{}", stdout(&o));
    let entries = v.rackdesk_entries();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries.iter().any(|e| e.ends_with("/1/user-key")), "{entries:?}");
    assert!(entries.iter().any(|e| e.ends_with("/1/secret-key")), "{entries:?}");
    let ids = configured_identities(&v.config_dir());
    assert_eq!(ids.len(), 1);
    assert_eq!(ids[0]["label"], "Northwind");
    assert_eq!(ids[0]["keyGeneration"], 1);

    let o = v.rackdesk(&["identity", "verify"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stdout(&o).contains("The keys work"), "{}", stdout(&o));

    // Another process, with no keys in its environment: the keys come from the vault.
    let o = v.rackdesk(&["mailboxes", "list", "northwind.example"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stdout(&o).trim_end().ends_with("260 mailboxes"), "{}", stdout(&o));
    assert!(
        s.sim().requests().iter().filter(|r| r.path.contains("/mailboxes")).all(|r| r.user_key.as_deref() == Some(USER_KEY)),
        "signed with the stored key"
    );

    // Rotate: new keys generated in the control panel.
    s.sim().add_key(NEW_USER_KEY, NEW_SECRET, "api-rackdesk");
    let o = v.rackdesk(&["identity", "rotate"], &keys(NEW_USER_KEY, NEW_SECRET));
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stdout(&o).contains("The new keys of \"Northwind\" replace the old ones"), "{}", stdout(&o));
    let entries = v.rackdesk_entries();
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(entries.iter().all(|e| e.contains("/2/")), "only the new generation is left: {entries:?}");
    assert!(entries.iter().any(|e| e.ends_with("/2/user-key")) && entries.iter().any(|e| e.ends_with("/2/secret-key")));

    // The old keys stop working at Rackspace; Rackdesk uses the new ones.
    s.sim().revoke_key(USER_KEY);
    s.sim().clear_requests();
    let o = v.rackdesk(&["domains", "list"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stdout(&o).contains("northwind.example"), "{}", stdout(&o));
    assert!(s.sim().requests().iter().all(|r| r.user_key.as_deref() == Some(NEW_USER_KEY)));

    // The keys are only ever signed for the stored address: another server (here a second
    // simulator that would accept them and records every request) never sees a request.
    let other = sim().await;
    other.sim().add_key(NEW_USER_KEY, NEW_SECRET, "api-rackdesk");
    let o = v.rackdesk(&["--api-url", other.api_url(), "domains", "list"], "");
    assert_eq!(code(&o), 2, "{}", all_output(&o));
    assert!(stderr(&o).contains("only ever used with") && stderr(&o).contains(other.api_url()), "{}", stderr(&o));
    let mut via_env = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
    v.env(&mut via_env).env("RACKDESK_API_URL", other.api_url()).args(["mailboxes", "list", "northwind.example"]);
    let o = support::run_with_stdin(via_env, "");
    assert_eq!(code(&o), 2, "{}", all_output(&o));
    assert!(other.sim().requests().is_empty(), "no request reached the other server: {:?}", other.sim().requests());
    // The same address written another way is the same server.
    let same = format!("{}/", s.api_url());
    let o = v.rackdesk(&["--api-url", &same, "domains", "list"], "");
    assert_eq!(code(&o), 0, "{same}: {}", all_output(&o));

    // Switching identity, setting the passphrase and switching role are journaled too.
    let o = v.rackdesk(&["identity", "use", "Northwind"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    let o = v.rackdesk(&["operator", "passphrase"], "a long desk passphrase\n");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    let o = v.rackdesk(&["operator", "switch", "help-desk"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    let o = v.rackdesk(&["identity", "rotate"], &keys(NEW_USER_KEY, NEW_SECRET));
    assert_eq!(code(&o), 7, "the help desk may not rotate keys: {}", all_output(&o));
    let o = v.rackdesk(&["operator", "switch", "super-admin"], "wrong passphrase here\n");
    assert_eq!(code(&o), 7, "{}", all_output(&o));
    let o = v.rackdesk(&["operator", "switch", "super-admin"], "a long desk passphrase\n");
    assert_eq!(code(&o), 0, "{}", all_output(&o));

    // Removing needs --yes.
    let o = v.rackdesk(&["identity", "remove", "Northwind"], "");
    assert_eq!(code(&o), 2, "{}", all_output(&o));
    assert!(stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(v.rackdesk_entries().len(), 2, "nothing was removed");
    assert_eq!(configured_identities(&v.config_dir()).len(), 1);

    let o = v.rackdesk(&["identity", "remove", "Northwind", "--yes"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stdout(&o).contains("Removed \"Northwind\""), "{}", stdout(&o));
    assert_eq!(v.rackdesk_entries(), Vec::<String>::new(), "no Rackdesk item is left in the vault");
    assert!(configured_identities(&v.config_dir()).is_empty());
    let o = v.rackdesk(&["identity", "list"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stdout(&o).contains("No identities yet"), "{}", stdout(&o));

    // Every identity and role change left its entry, recorded by the core (the app's IPC
    // test checks the same entries): the identity's facts, sandbox because the address is
    // on this computer; the computer's own changes against "this computer".
    let o = v.rackdesk(&["journal", "list", "--limit", "100", "--output", "json"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout(&o)).expect("journal JSON");
    let got: Vec<(String, String)> = entries
        .iter()
        .rev()
        .map(|e| (e["action"].as_str().unwrap().to_owned(), e["outcome"]["status"].as_str().unwrap_or("pending").to_owned()))
        .collect();
    let want = [
        ("keys.add", "success"),
        ("keys.verify", "success"),
        ("keys.rotate", "success"),
        ("identity.use", "success"),
        ("passphrase.set", "success"),
        ("role.switch", "success"),
        ("keys.rotate", "refused"),
        ("role.switch", "refused"),
        ("role.switch", "success"),
        ("keys.remove", "success"),
    ];
    assert_eq!(got, want.map(|(a, r)| (a.to_owned(), r.to_owned())), "{entries:#?}");
    for e in &entries {
        if e["action"].as_str().unwrap().starts_with("keys.") || e["action"] == "identity.use" {
            assert_eq!((&e["identityLabel"], &e["apiAdmin"], &e["account"], &e["sandbox"]), (&serde_json::json!("Northwind"), &serde_json::json!("api-rackdesk"), &serde_json::json!("123456"), &serde_json::json!(true)), "{e}");
        } else {
            assert_eq!(e["identityLabel"], "this computer", "{e}");
        }
    }
}

/// Fails if any needle is in any output or in any file Rackdesk could have written.
fn assert_nothing_leaks(v: &Vault, transcript: &[String], needles: &[(&str, String)]) {
    for (what, n) in needles {
        assert!(!n.is_empty());
        for (i, out) in transcript.iter().enumerate() {
            assert!(!out.contains(n.as_str()), "{what} appeared in the output of run {i}");
        }
    }
    // Every file under the temporary HOME (config folder, XDG folders), except the keyring's
    // own encrypted vault.
    let files = files_under(v.home(), &[v.keyring_dir()]);
    assert!(files.iter().any(|f| f.starts_with(v.config_dir())), "the config folder was scanned: {files:?}");
    // The CLI's log file (in XDG_STATE_HOME, the platform's log folder on Linux) is scanned
    // too, and it does log every request.
    let log = v.home().join("state").join("rackdesk").join("logs").join("rackdesk-cli.log");
    assert!(files.contains(&log), "the log file was scanned: {files:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("INFO rackdesk_core::client: request method=GET path=customers/123456/domains status=200"), "{text}");
    for f in &files {
        let body = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for (what, n) in needles {
            assert!(
                !body.windows(n.len()).any(|w| w == n.as_bytes()),
                "{what} appeared in the file {}",
                f.display()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_and_signatures_never_leak() {
    let s = sim().await;
    let v = Vault::start();
    s.sim().add_key(NEW_USER_KEY, NEW_SECRET, "api-rackdesk");
    let mut transcript: Vec<String> = Vec::new();
    fn run_in(v: &Vault, t: &mut Vec<String>, args: &[&str], stdin: &str, expect: i32) -> Output {
        let o = v.rackdesk(args, stdin);
        assert_eq!(code(&o), expect, "{args:?}: {}", all_output(&o));
        t.push(all_output(&o));
        o
    }
    macro_rules! run {
        ($args:expr, $stdin:expr, $expect:expr) => {
            run_in(&v, &mut transcript, $args, $stdin, $expect)
        };
    }

    // A wrong secret first: error paths must not leak either.
    run!(&add_args(s.api_url(), "api-rackdesk"), &keys(USER_KEY, "WrongSecret-Do-Not-Print-9999"), 3);
    run!(&add_args(s.api_url(), "api-rackdesk"), &keys(USER_KEY, SECRET), 0);
    run!(&["identity", "verify"], "", 0);
    let list = run!(&["identity", "list"], "", 0);
    let show = run!(&["identity", "show", "Northwind"], "", 0);
    let show_json = run!(&["--output", "json", "identity", "show"], "", 0);
    run!(&["mailboxes", "list", "northwind.example"], "", 0);
    // With the most verbose logging on, too.
    {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
        v.env(&mut cmd).env("RACKDESK_LOG", "trace").args(["domains", "list"]);
        let o = support::run_with_stdin(cmd, "");
        assert_eq!(code(&o), 0, "{}", all_output(&o));
        transcript.push(all_output(&o));
    }
    run!(&["identity", "rotate"], &keys(NEW_USER_KEY, NEW_SECRET), 0);
    let list_after = run!(&["identity", "list"], "", 0);
    let show_after = run!(&["identity", "show"], "", 0);
    run!(&["aliases", "list", "northwind.example"], "", 0);

    // The user key is shown masked only.
    let hint = rackdesk_core::client::mask(USER_KEY);
    for o in [&list, &show, &show_json] {
        assert!(!all_output(o).contains(USER_KEY), "the full user key was shown: {}", all_output(o));
        assert!(stdout(o).contains(&hint), "the masked user key {hint} is shown: {}", stdout(o));
    }
    for o in [&list_after, &show_after] {
        assert!(!all_output(o).contains(NEW_USER_KEY), "the full user key was shown: {}", all_output(o));
        assert!(stdout(o).contains(&rackdesk_core::client::mask(NEW_USER_KEY)), "{}", stdout(o));
    }

    let sigs = s.sim().seen_signatures();
    assert!(sigs.len() > 10, "the simulator saw the signatures: {}", sigs.len());
    let mut needles: Vec<(&str, String)> = vec![
        ("the secret key", SECRET.to_owned()),
        ("the new secret key", NEW_SECRET.to_owned()),
        ("the wrong secret key", "WrongSecret-Do-Not-Print-9999".to_owned()),
    ];
    for sig in &sigs {
        needles.push(("an X-Api-Signature", sig.clone()));
        let hash = sig.rsplit(':').next().expect("hash").trim();
        assert!(hash.len() >= 20, "a signature has a hash: {sig}");
        needles.push(("the hash of an X-Api-Signature", hash.to_owned()));
    }
    // While the identity exists (config.json holds it) ...
    assert_nothing_leaks(&v, &transcript, &needles);
    let cfg = std::fs::read_to_string(v.config_dir().join("config.json")).expect("config.json");
    assert!(!cfg.contains(NEW_USER_KEY), "config.json holds only the masked user key");

    // ... and after it is gone.
    run!(&["identity", "remove", "Northwind", "--yes"], "", 0);
    assert_eq!(v.rackdesk_entries(), Vec::<String>::new());
    assert_nothing_leaks(&v, &transcript, &needles);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_session_bus_no_key_is_stored_or_sent() {
    let s = sim().await;
    let tmp = TempDir::new("nobus");
    let config = tmp.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::create_dir_all(tmp.path().join("run")).unwrap();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rackdesk"));
    // No bus: no DBUS_SESSION_BUS_ADDRESS, no DISPLAY to autolaunch one, an empty runtime folder.
    support::isolate(&mut cmd, tmp.path())
        .env("RACKDESK_CONFIG_DIR", &config)
        .env("RACKDESK_MINUTE_MS", "1000")
        .args(add_args(s.api_url(), "api-rackdesk"));
    let o = support::run_with_stdin(cmd, &keys(USER_KEY, SECRET));
    assert_eq!(code(&o), 6, "{}", all_output(&o));
    assert!(stderr(&o).contains("will not store or use API keys"), "{}", stderr(&o));
    assert!(!all_output(&o).contains(SECRET));
    let written: Vec<_> = std::fs::read_dir(&config).unwrap().flatten().map(|e| e.path()).collect();
    assert!(written.is_empty(), "nothing is written: {written:?}");
    assert!(s.sim().requests().is_empty(), "the keys were not even sent: {:?}", s.sim().requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_verification_failure_has_its_message_and_stores_nothing() {
    let s = sim().await;
    let v = Vault::start();
    let nothing_stored = |case: &str| {
        assert_eq!(v.rackdesk_entries(), Vec::<String>::new(), "{case}: no vault item");
        assert!(configured_identities(&v.config_dir()).is_empty(), "{case}: no identity in config.json");
    };

    // Wrong secret key.
    let o = v.rackdesk(&add_args(s.api_url(), "api-rackdesk"), &keys(USER_KEY, "NotTheSecret"));
    assert_eq!(code(&o), 3, "{}", all_output(&o));
    assert!(stderr(&o).contains("refused these keys"), "{}", stderr(&o));
    nothing_stored("wrong secret");

    // This computer's clock two hours behind Rackspace's.
    s.sim().set_clock_offset(2 * 3600);
    let o = v.rackdesk(&add_args(s.api_url(), "api-rackdesk"), &keys(USER_KEY, SECRET));
    assert_eq!(code(&o), 3, "{}", all_output(&o));
    assert!(stderr(&o).contains("clock is about 2 hours behind"), "{}", stderr(&o));
    nothing_stored("clock");
    s.sim().set_clock_offset(0);

    // The rate limit used up (by another program with the same keys).
    s.sim().set_limits(SimLimits { reads: 0, ..Default::default() });
    let o = v.rackdesk(&add_args(s.api_url(), "api-rackdesk"), &keys(USER_KEY, SECRET));
    assert_eq!(code(&o), 4, "{}", all_output(&o));
    assert!(stderr(&o).contains("rate limit"), "{}", stderr(&o));
    nothing_stored("throttled");
    s.sim().set_limits(SimLimits::default());

    // Nobody listening.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = format!("http://127.0.0.1:{port}/v1");
    let o = v.rackdesk(&add_args(&down, "api-rackdesk"), &keys(USER_KEY, SECRET));
    assert_eq!(code(&o), 5, "{}", all_output(&o));
    assert!(stderr(&o).contains("could not reach Rackspace"), "{}", stderr(&o));
    nothing_stored("server down");

    // Keys that work, but not for this account.
    let o = v.rackdesk(
        &["--api-url", s.api_url(), "identity", "add", "--name", "Northwind", "--account", "999999", "--api-admin", "api-rackdesk", "--test-server"],
        &keys(USER_KEY, SECRET),
    );
    assert_eq!(code(&o), 2, "{}", all_output(&o));
    assert!(stderr(&o).contains("not for account 999999"), "{}", stderr(&o));
    nothing_stored("wrong account");

    // The control: the same vault and keys do get stored when all is well.
    let o = v.rackdesk(&add_args(s.api_url(), "api-rackdesk"), &keys(USER_KEY, SECRET));
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert_eq!(v.rackdesk_entries().len(), 2);
    assert_eq!(configured_identities(&v.config_dir()).len(), 1);
}

#[test]
fn the_operator_is_set_and_shown() {
    let v = Vault::start();
    let o = v.rackdesk(&["operator", "set", "--name", "alice", "--role", "help-desk"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    let o = v.rackdesk(&["operator", "show"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stdout(&o).contains("alice"), "{}", stdout(&o));
    assert!(stdout(&o).contains("help desk"), "{}", stdout(&o));
    let o = v.rackdesk(&["--output", "json", "operator", "show"], "");
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(j["name"], "alice");
    assert_eq!(j["role"], "help-desk");

    let o = v.rackdesk(&["operator", "set", "--name", "bob", "--role", "janitor"], "");
    assert_eq!(code(&o), 2, "{}", all_output(&o));
    assert!(stderr(&o).contains("super-admin or help-desk"), "{}", stderr(&o));
    let o = v.rackdesk(&["operator", "show"], "");
    assert!(stdout(&o).contains("alice") && !stdout(&o).contains("bob"), "unchanged: {}", stdout(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_login_as_api_admin_is_warned_about() {
    let s = sim().await;
    let v = Vault::start();
    let o = v.rackdesk(&["operator", "set", "--name", "dana.whitfield", "--role", "super-admin"], "");
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    let o = v.rackdesk(&add_args(s.api_url(), "dana.whitfield"), &keys(USER_KEY, SECRET));
    assert_eq!(code(&o), 0, "{}", all_output(&o));
    assert!(stderr(&o).contains("looks like your own login"), "{}", stderr(&o));
    assert_eq!(v.rackdesk_entries().len(), 2, "warned, but stored");
}
