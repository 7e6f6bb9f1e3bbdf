//! Identities against the simulator, with the shared in-memory secret store. (The real OS
//! vault is exercised through the CLI's tests, in a private Secret Service session.)

use rackdesk_core::identity::{api_admin_warnings, Identities, IdentityError, NewIdentity, Operator, Role};
use rackdesk_core::vault::{MemoryStore, VaultError};
use rackdesk_core::verify::{AdminCheck, VerifyError};
use rackdesk_core::{ClientConfig, Credentials, RetryPolicy};
use rackdesk_sim::faults::{FaultKind, FaultRule};
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

const UK: &str = "IdentUserKey00000001";
const SK: &str = "IdentSecretKey-abcdefghijklmnopqrstuv";

struct World {
    sim: Simulator,
    store: MemoryStore,
    ids: Identities,
    dir: std::path::PathBuf,
}

async fn world() -> World {
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = DataSet::Demo;
    cfg.minute = Duration::from_millis(500);
    let sim = Simulator::start_local(cfg).await.unwrap();
    let dir = std::env::temp_dir().join(format!("rackdesk-ident-{}", rackdesk_core::sandbox_keys().0));
    let store = MemoryStore::new();
    let ids = Identities::open(&dir, Arc::new(store.clone()));
    World { sim, store, ids, dir }
}

fn base(w: &World) -> ClientConfig {
    let mut c = ClientConfig::new(w.sim.api_url());
    c.scheduler = rackdesk_core::limits::Scheduler::new(rackdesk_core::limits::Limits::with_window(Duration::from_millis(500)));
    c.retry = RetryPolicy { backoff: Duration::from_millis(10), ..RetryPolicy::default() };
    c
}

fn creds(uk: &str, sk: &str) -> Credentials {
    Credentials::new(uk, SecretString::from(sk.to_owned())).unwrap()
}

fn new_identity(w: &World, label: &str, sk: &str) -> NewIdentity {
    NewIdentity {
        label: label.into(),
        account: w.sim.account().into(),
        api_url: w.sim.api_url().into(),
        api_admin: Some("api-rackdesk".into()),
        credentials: creds(UK, sk),
        // The simulator on this computer is not Rackspace: stored only as a test server.
        test_server: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_use_rotate_remove() {
    let w = world().await;
    let (ident, verified) = w.ids.add(new_identity(&w, "Northwind", SK), &base(&w)).await.expect("added");
    assert_eq!(verified.customer.account_number, "123456");
    assert_eq!(verified.domains.len(), 5);
    assert_eq!(verified.api_admin, AdminCheck::Found { is_super: true, enabled: true });
    assert!(verified.clock_skew_secs.unwrap().abs() <= 2);
    assert_eq!(w.store.entries(), vec![format!("{}/1/secret-key", ident.id), format!("{}/1/user-key", ident.id)]);
    assert_eq!(ident.user_key_hint, "Iden…0001");
    let cfg_text = std::fs::read_to_string(w.ids.config_path()).unwrap();
    assert!(!cfg_text.contains(SK) && !cfg_text.contains(UK), "no key in the config file");

    // The active identity gives a working session that says who acts.
    w.ids.set_operator("alice", Role::SuperAdmin).unwrap();
    let (session, _) = w.ids.session(None, &base(&w)).unwrap();
    assert_eq!(
        session.actor.to_string(),
        format!("You (alice ({}), super admin) — acting through API admin api-rackdesk on account 123456", rackdesk_core::identity::os_user())
    );
    assert_eq!(session.client.domains().await.unwrap().len(), 5);

    // Rotation: wrong new keys change nothing; right ones replace the pair.
    let err = w.ids.rotate(Some("northwind"), creds("NewUserKey0000000002", "wrong"), &base(&w)).await.unwrap_err();
    assert!(matches!(err, IdentityError::Verify(VerifyError::WrongKeys(_))), "{err:?}");
    assert_eq!(w.store.entries().len(), 2);
    assert_eq!(w.ids.find(None).unwrap().key_generation, 1);
    w.sim.sim().add_key("NewUserKey0000000002", "NewSecretKey-0123456789", "api-rackdesk");
    let (rotated, _) = w.ids.rotate(Some("northwind"), creds("NewUserKey0000000002", "NewSecretKey-0123456789"), &base(&w)).await.unwrap();
    assert_eq!(rotated.key_generation, 2);
    assert_eq!(w.store.entries(), vec![format!("{}/2/secret-key", ident.id), format!("{}/2/user-key", ident.id)]);
    let c = w.ids.credentials(&rotated).unwrap();
    assert_eq!(c.user_key(), "NewUserKey0000000002");
    w.sim.sim().revoke_key(UK); // the control panel kills the old pair
    let (session, _) = w.ids.session(None, &base(&w)).unwrap();
    assert!(session.client.customer().await.is_ok());

    // Key management is for super admins only (help-desk mode).
    w.ids.set_operator("sam", Role::HelpDesk).unwrap();
    let e = w.ids.remove("Northwind").unwrap_err();
    assert!(matches!(e, IdentityError::NotAllowed(_)), "{e:?}");
    assert_eq!(w.store.entries().len(), 2, "nothing was removed");
    let cfg_path = w.ids.config_path().to_owned();
    let mut cfg: serde_json::Value = serde_json::from_slice(&std::fs::read(&cfg_path).unwrap()).unwrap();
    cfg["operator"]["role"] = serde_json::json!("super-admin"); // as a super admin would, with the passphrase
    std::fs::write(&cfg_path, serde_json::to_vec(&cfg).unwrap()).unwrap();

    // Removal deletes the keys and the metadata.
    let removed = w.ids.remove("Northwind").unwrap();
    assert_eq!(removed.id, ident.id);
    assert!(w.store.entries().is_empty());
    assert!(w.ids.list().unwrap().0.is_empty());
    assert!(matches!(w.ids.find(None), Err(IdentityError::NoIdentity)));
    let _ = std::fs::remove_dir_all(&w.dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_verification_failure_is_told_apart_and_stores_nothing() {
    let w = world().await;
    let b = base(&w);

    let e = w.ids.add(new_identity(&w, "a", "WrongSecret"), &b).await.unwrap_err();
    assert!(matches!(e, IdentityError::Verify(VerifyError::WrongKeys(_))), "{e:?}");
    assert!(e.user_message().contains("refused these keys"));
    assert_eq!(e.detail().as_deref(), Some("Authentication failed."));

    w.sim.sim().set_clock_offset(3 * 3600);
    let e = w.ids.add(new_identity(&w, "a", SK), &b).await.unwrap_err();
    match &e {
        IdentityError::Verify(VerifyError::ClockSkew { seconds, .. }) => assert!((*seconds - 3 * 3600).abs() <= 2, "{seconds}"),
        other => panic!("{other:?}"),
    }
    assert!(e.user_message().contains("about 3 hours behind"), "{}", e.user_message());
    w.sim.sim().set_clock_offset(0);

    w.sim.sim().set_limits(SimLimits { reads: 0, ..SimLimits::default() });
    let e = w.ids.add(new_identity(&w, "a", SK), &b).await.unwrap_err();
    assert!(matches!(e, IdentityError::Verify(VerifyError::Throttled(_))), "{e:?}");
    assert!(e.user_message().contains("rate limit"));
    w.sim.sim().set_limits(SimLimits::default());
    tokio::time::sleep(Duration::from_millis(600)).await; // let the throttled calls leave the window

    w.sim.sim().add_fault(FaultRule::new(FaultKind::Status(503)));
    let e = w.ids.add(new_identity(&w, "a", SK), &b).await.unwrap_err();
    assert!(matches!(e, IdentityError::Verify(VerifyError::ServerFault(_))), "{e:?}");
    assert!(e.user_message().contains("HTTP 503"), "{}", e.user_message());
    w.sim.sim().clear_faults();

    let mut wrong_account = new_identity(&w, "a", SK);
    wrong_account.account = "999999".into();
    let e = w.ids.add(wrong_account, &b).await.unwrap_err();
    assert!(matches!(e, IdentityError::Verify(VerifyError::WrongAccount { .. })), "{e:?}");

    let port = { std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port() };
    let mut offline = new_identity(&w, "a", SK);
    offline.api_url = format!("http://127.0.0.1:{port}/v1");
    let e = w.ids.add(offline, &b).await.unwrap_err();
    assert!(matches!(e, IdentityError::Verify(VerifyError::Offline(_))), "{e:?}");
    assert!(e.user_message().contains("could not reach Rackspace"));

    assert!(w.store.entries().is_empty(), "nothing was stored");
    assert!(!w.ids.config_path().exists(), "no settings file was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unavailable_vault_fails_closed_before_any_call() {
    let w = world().await;
    w.store.fail_with(|| VaultError::Unavailable { detail: "no D-Bus session".into() });
    let e = w.ids.add(new_identity(&w, "a", SK), &base(&w)).await.unwrap_err();
    assert_eq!(e.kind(), rackdesk_core::ErrorKind::VaultUnavailable);
    assert!(e.user_message().contains("will not store or use API keys"), "{}", e.user_message());
    assert!(w.sim.sim().requests().is_empty(), "the keys were not even sent for verification");
    assert!(!w.ids.config_path().exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_are_unique_and_checked() {
    let w = world().await;
    w.ids.add(new_identity(&w, "Main", SK), &base(&w)).await.unwrap();
    let e = w.ids.add(new_identity(&w, "main", SK), &base(&w)).await.unwrap_err();
    assert!(matches!(e, IdentityError::Duplicate(_)));
    let e = w.ids.add(new_identity(&w, " ", SK), &base(&w)).await.unwrap_err();
    assert!(matches!(e, IdentityError::Invalid { .. }));
    assert!(matches!(w.ids.use_identity("nope"), Err(IdentityError::NotFound(_))));
    let _ = std::fs::remove_dir_all(&w.dir);
}

#[test]
fn a_persons_login_as_api_admin_is_warned_about() {
    let op = Operator::new("alice", Role::SuperAdmin);
    let found = AdminCheck::Found { is_super: true, enabled: true };
    assert!(api_admin_warnings(Some("api-rackdesk"), &op, &found, "1").is_empty());
    let w = api_admin_warnings(Some("Alice"), &op, &found, "1");
    assert!(w[0].contains("looks like your own login"), "{w:?}");
    let w = api_admin_warnings(Some("bob.smith"), &op, &found, "1");
    assert!(w[0].contains("does not look like a login made only for Rackdesk"), "{w:?}");
    let w = api_admin_warnings(Some("api-x"), &op, &AdminCheck::Found { is_super: false, enabled: true }, "1");
    assert!(w[0].contains("not a super admin"), "{w:?}");
    let w = api_admin_warnings(Some("api-x"), &op, &AdminCheck::NotFound, "1");
    assert!(w[0].contains("No admin login"), "{w:?}");
    assert!(api_admin_warnings(None, &op, &AdminCheck::NotNamed, "1")[0].contains("--api-admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_super_admin_role_is_behind_a_passphrase_with_back_off() {
    use rackdesk_core::identity::PassphraseProblem;
    let w = world().await;
    let pw = |s: &str| SecretString::from(s.to_owned());
    let now = chrono::Utc::now();

    assert!(matches!(w.ids.set_passphrase(&pw("short"), None), Err(IdentityError::Passphrase(PassphraseProblem::TooWeak))));
    w.ids.set_passphrase(&pw("correct horse battery"), None).unwrap();
    let cfg = std::fs::read_to_string(w.ids.config_path()).unwrap();
    assert!(!cfg.contains("correct horse"), "only a hash is stored");
    assert!(cfg.contains("$argon2id$"), "{cfg}");

    w.ids.set_operator("sam", Role::HelpDesk).unwrap();
    // The help desk cannot simply declare itself super admin.
    assert!(matches!(w.ids.set_operator("sam", Role::SuperAdmin), Err(IdentityError::Passphrase(PassphraseProblem::Missing))));
    assert!(matches!(w.ids.set_passphrase(&pw("another passphrase"), None), Err(IdentityError::Invalid { .. })));

    // Two wrong tries are free; from the third the wait doubles.
    let wrong = pw("wrong passphrase");
    for expect_wait in [0, 0, 2, 4] {
        let e = w.ids.switch_role(Role::SuperAdmin, Some(&wrong), now).unwrap_err();
        match e {
            IdentityError::Passphrase(PassphraseProblem::Wrong { wait_secs }) => assert_eq!(wait_secs, expect_wait),
            IdentityError::Passphrase(PassphraseProblem::Locked { .. }) if expect_wait > 0 => {}
            other => panic!("{other:?}"),
        }
        if expect_wait == 2 {
            // While locked, even the right passphrase is not tried.
            let e = w.ids.switch_role(Role::SuperAdmin, Some(&pw("correct horse battery")), now).unwrap_err();
            assert!(matches!(e, IdentityError::Passphrase(PassphraseProblem::Locked { .. })), "{e:?}");
            assert!(e.user_message().contains("Try again in"), "{}", e.user_message());
            break;
        }
    }
    let later = now + chrono::Duration::seconds(10);
    let op = w.ids.switch_role(Role::SuperAdmin, Some(&pw("correct horse battery")), later).unwrap();
    assert_eq!(op.role, Role::SuperAdmin);
    // Back to help desk needs nothing.
    assert_eq!(w.ids.switch_role(Role::HelpDesk, None, later).unwrap().role, Role::HelpDesk);
    let _ = std::fs::remove_dir_all(&w.dir);
}
