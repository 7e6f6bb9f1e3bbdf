//! Spam protection end to end in Rust: the core's reads and its changes through `Ops` (the
//! allow-list, the journal, the checks before sending) against the simulator over a real
//! socket, for a domain, a Rackspace Email mailbox and an Exchange mailbox. The simulator was
//! written from the API reference separately; this is where the two meet.

use rackdesk_core::identity::{Actor, Operator, Role, Session};
use rackdesk_core::journal::{words, Filter, Journal, Outcome};
use rackdesk_core::ops::{Ops, OpsError};
use rackdesk_core::spam::{
    self, DomainQuarantine, FilterLevel, OwnerKind, Sender, SenderVerb, SpamChanges, SpamEntry, SpamHandling, SpamList, SpamSettings, SpamTarget, VerdictResult,
};
use rackdesk_core::{Client, ClientConfig, Credentials, ErrorKind, RetryPolicy};
use rackdesk_sim::faults::{FaultKind, FaultRule};
use rackdesk_sim::spam as sim_spam;
use rackdesk_sim::{DataSet, SimConfig, SimLimits, Simulator};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

const UK: &str = "SpamSimUserKey000001";
const SK: &str = "SpamSimSecretKey-abcdefghijklmnop";
const NW: &str = "northwind.example";
const ADATUM: &str = "adatum.example";
const TAILSPIN: &str = "tailspin.example";

struct World {
    sim: Simulator,
    dir: std::path::PathBuf,
    journal: Arc<Journal>,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn world(data: DataSet) -> World {
    let mut cfg = SimConfig::new(UK, SK);
    cfg.data = data;
    cfg.minute = Duration::from_millis(500);
    cfg.limits = SimLimits { reads: 100_000, writes: 100_000, domain_writes: 1000 };
    let sim = Simulator::start_local(cfg).await.unwrap();
    let dir = std::env::temp_dir().join(format!("rackdesk-spamsim-{}", rackdesk_core::sandbox_keys().0));
    std::fs::create_dir_all(&dir).unwrap();
    let journal = Arc::new(Journal::open(&dir.join("journal.sqlite3")).unwrap());
    World { sim, dir, journal }
}

fn client(w: &World) -> Client {
    let mut c = ClientConfig::new(w.sim.api_url());
    c.scheduler = rackdesk_core::limits::Scheduler::new(rackdesk_core::limits::Limits::with_window(Duration::from_millis(500)));
    c.retry = RetryPolicy { backoff: Duration::from_millis(10), ..RetryPolicy::default() };
    Client::new(c, Credentials::new(UK, SecretString::from(SK)).unwrap()).unwrap()
}

fn ops(w: &World, role: Role) -> Ops {
    let actor = Actor {
        operator: Operator::new(if role == Role::HelpDesk { "sam" } else { "dana" }, role),
        identity_label: "Lab".into(),
        account: "123456".into(),
        api_admin: Some("api-rackdesk".into()),
    };
    Ops::new(Session { actor, client: client(w) }, w.journal.clone(), true)
}

fn target(s: &str) -> SpamTarget {
    SpamTarget::parse(s).unwrap()
}

fn entry(s: &str) -> SpamEntry {
    SpamEntry::parse(s).unwrap().entry
}

fn writes(w: &World) -> usize {
    w.sim.sim().requests().iter().filter(|r| r.method != "GET").count()
}

/// The n-th person (`first.last`) of a domain's Rackspace Email or Exchange mailboxes.
fn rs_person(w: &World, domain: &str, n: usize) -> String {
    w.sim.sim().with_store(|s| format!("{}@{domain}", s.domains[domain].mailboxes.keys().filter(|k| k.contains('.')).nth(n).unwrap()))
}

fn ex_person(w: &World, domain: &str, n: usize) -> String {
    w.sim.sim().with_store(|s| format!("{}@{domain}", s.domains[domain].ex_mailboxes.keys().filter(|k| k.contains('.')).nth(n).unwrap()))
}

fn sim_domain<R>(w: &World, d: &str, f: impl FnOnce(&sim_spam::DomainSpam) -> R) -> R {
    w.sim.sim().with_store(|s| f(&s.domains[d].spam))
}

fn sim_rs<R>(w: &World, addr: &str, f: impl FnOnce(&sim_spam::RsMailboxSpam) -> R) -> R {
    let (l, d) = addr.split_once('@').unwrap();
    w.sim.sim().with_store(|s| f(&s.domains[d].mailboxes[l].spam))
}

fn sim_ex<R>(w: &World, addr: &str, f: impl FnOnce(&sim_spam::ExMailboxSpam) -> R) -> R {
    let (l, d) = addr.split_once('@').unwrap();
    w.sim.sim().with_store(|s| f(&s.domains[d].ex_mailboxes[l].spam))
}

fn sorted(set: &std::collections::BTreeSet<String>) -> Vec<String> {
    set.iter().cloned().collect()
}

fn journal_lines(w: &World, t: &str) -> Vec<String> {
    let f = Filter { target: Some(t.into()), ..Filter::default() };
    w.journal.query(&f).unwrap().iter().map(|e| format!("{} | {} | {}", words::summary(e), words::details(e).join("; "), words::result_words(e.outcome.as_ref()))).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_resolve_to_the_domain_or_the_service_that_holds_the_mailbox() {
    let w = world(DataSet::Demo).await;
    let c = client(&w);
    let d = spam::resolve(&c, &target(TAILSPIN)).await.unwrap();
    assert_eq!((d.kind, d.services.len()), (OwnerKind::Domain, 2));
    // A domain with both services: the address decides which.
    let rs = rs_person(&w, TAILSPIN, 0);
    let ex = ex_person(&w, TAILSPIN, 0);
    assert_eq!(spam::resolve(&c, &target(&rs)).await.unwrap().kind, OwnerKind::RsMailbox);
    assert_eq!(spam::resolve(&c, &target(&ex)).await.unwrap().kind, OwnerKind::ExMailbox);
    assert_eq!(spam::resolve(&c, &target(&ex_person(&w, ADATUM, 0))).await.unwrap().kind, OwnerKind::ExMailbox);
    // Nobody there, and no such domain: "not found", in words.
    let e = spam::resolve(&c, &target(&format!("nobody.here@{TAILSPIN}"))).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.user_message(), "Rackspace could not find that mailbox. Check the spelling.");
    assert_eq!(e.detail().as_deref(), Some("Mailbox not found"));
    let e = spam::resolve(&c, &target("nowhere.example")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.detail().as_deref(), Some("nowhere.example not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demos_settings_and_lists_are_read_for_every_kind_of_owner() {
    let w = world(DataSet::Demo).await;
    let c = client(&w);
    let v = spam::show(&c, &target(NW)).await.unwrap();
    let SpamSettings::Domain(d) = &v.settings else { panic!("{v:?}") };
    assert_eq!((d.filter_level, d.rs_email.folder_cleaner, d.rs_email.folder_age_limit), (FilterLevel::On, true, 30));
    assert!(v.lists.safe.contains(&entry("@woodgrovebank.example")));
    assert!(v.lists.block.contains(&SpamEntry::from_server("@%.bulk-offers.example")));
    assert_eq!(v.lists.ip_block, [entry("203.0.113.45")]);
    assert_eq!(v.lines[0].value, "on");
    let v = spam::show(&c, &target(TAILSPIN)).await.unwrap();
    assert_eq!(v.settings.rs_email().unwrap().handling, SpamHandling::ToAddress);
    let v = spam::show(&c, &target(ADATUM)).await.unwrap();
    let SpamSettings::Domain(d) = &v.settings else { panic!() };
    assert_eq!((d.domain_quarantine, d.quarantine_owner.as_deref()), (DomainQuarantine::On, Some("reception@adatum.example")));
    let v = spam::show(&c, &target(&rs_person(&w, NW, 0))).await.unwrap();
    assert_eq!(v.settings.filter_level(), FilterLevel::Exclusive);
    assert!(v.lists.safe.contains(&entry("@margiestravel.example")));
    let v = spam::show(&c, &target(&ex_person(&w, ADATUM, 1))).await.unwrap();
    assert_eq!(v.settings, SpamSettings::ExMailbox(spam::ExMailboxSpamSettings { filter_level: FilterLevel::On, send_to_domain_quarantine: true, quarantine_owner: Some("reception@adatum.example".into()) }));
    assert_eq!(v.lists.block, [entry("deals@alpineskihouse.example")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_settings_are_changed_whole_journaled_and_applied_to_every_mailbox() {
    let w = world(DataSet::Demo).await;
    let o = ops(&w, Role::SuperAdmin);
    // Forward spam for review: the folder cleaner goes with the folder.
    let ch = SpamChanges { filter_level: Some(FilterLevel::Exclusive), handling: Some(SpamHandling::ToAddress), forward_to: Some("Review@Northwind.example".into()), ..Default::default() };
    let r = o.set_spam_settings(&target(NW), &ch).await.unwrap();
    assert!(r.changed);
    sim_domain(&w, NW, |s| {
        assert_eq!(s.filter_level, sim_spam::FilterLevel::Exclusive);
        assert_eq!(s.rs_email, sim_spam::RsEmailSpam { handling: sim_spam::SpamHandling::ToAddress, forwarding_address: "review@northwind.example".into(), ..Default::default() });
    });
    // The same again changes nothing and sends nothing.
    let before = writes(&w);
    let again = o.set_spam_settings(&target(NW), &SpamChanges { filter_level: Some(FilterLevel::Exclusive), ..Default::default() }).await.unwrap();
    assert!(!again.changed);
    assert_eq!(writes(&w), before);
    // Back to the folder with a cleaner; the Exchange side of a domain with both services.
    let ch = SpamChanges {
        handling: Some(SpamHandling::ToFolder),
        folder_cleaner: Some(true),
        folder_age_limit: Some(14),
        folder_count_limit: Some(2000),
        ..Default::default()
    };
    o.set_spam_settings(&target(NW), &ch).await.unwrap();
    sim_domain(&w, NW, |s| assert_eq!((s.rs_email.has_folder_cleaner, s.rs_email.folder_age_limit, s.rs_email.folder_num_limit, s.filter_level), (true, 14, 2000, sim_spam::FilterLevel::Exclusive)));
    let ch = SpamChanges {
        domain_quarantine: Some(DomainQuarantine::NonUser),
        quarantine_owner: Some(Some("it@tailspin.example".into())),
        default_quarantine_owner: Some(Some("Helpdesk@Tailspin.example".into())),
        ..Default::default()
    };
    o.set_spam_settings(&target(TAILSPIN), &ch).await.unwrap();
    sim_domain(&w, TAILSPIN, |s| {
        assert_eq!(s.forward_to_domain_quarantine, sim_spam::DomainQuarantine::NonUser);
        assert_eq!((s.quarantine_owner.as_str(), s.default_quarantine_owner.as_deref()), ("it@tailspin.example", Some("helpdesk@tailspin.example")));
        assert_eq!(s.rs_email.handling, sim_spam::SpamHandling::ToAddress, "the handling was sent as it was");
    });
    o.set_spam_settings(&target(TAILSPIN), &SpamChanges { quarantine_owner: Some(None), default_quarantine_owner: Some(None), ..Default::default() }).await.unwrap();
    sim_domain(&w, TAILSPIN, |s| assert_eq!((s.quarantine_owner.as_str(), s.default_quarantine_owner.clone()), ("", None)));
    // Applied to every mailbox: their own settings are replaced.
    let rs = rs_person(&w, TAILSPIN, 1);
    let ex = ex_person(&w, TAILSPIN, 0);
    let r = o.set_spam_settings(&target(TAILSPIN), &SpamChanges { filter_level: Some(FilterLevel::Exclusive), apply_to_all_mailboxes: true, ..Default::default() }).await.unwrap();
    assert!(r.applied_to_all_mailboxes);
    assert_eq!(sim_rs(&w, &rs, |s| s.filter_level), sim_spam::FilterLevel::Exclusive);
    assert_eq!(sim_ex(&w, &ex, |s| s.filter_level), sim_spam::FilterLevel::Exclusive);
    // The journal in words.
    let j = journal_lines(&w, NW);
    assert!(j.iter().any(|l| l.starts_with("Changed the spam settings of the domain northwind.example | Spam filter exclusive (only safe senders get through) (before: on); Spam is forwarded to another address (before: moved to the Spam folder)")), "{j:#?}");
    assert!(j.iter().all(|l| l.ends_with("| Done")), "{j:#?}");
    assert!(journal_lines(&w, TAILSPIN).iter().any(|l| l.starts_with("Changed the spam settings of the domain tailspin.example and applied them to every mailbox")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_settings_are_refused_in_words_before_anything_is_sent() {
    let w = world(DataSet::Demo).await;
    let o = ops(&w, Role::SuperAdmin);
    let rs = rs_person(&w, NW, 5);
    let ex = ex_person(&w, ADATUM, 6);
    let before = writes(&w);
    let cases: Vec<(String, SpamChanges, &str)> = vec![
        (NW.into(), SpamChanges::default(), "no change was asked for"),
        (rs.clone(), SpamChanges { handling: Some(SpamHandling::Delete), folder_cleaner: Some(true), ..Default::default() }, "only when spam goes to the Spam folder"),
        (rs.clone(), SpamChanges { handling: Some(SpamHandling::ToAddress), ..Default::default() }, "say which address spam is forwarded to"),
        (rs.clone(), SpamChanges { handling: Some(SpamHandling::ToAddress), forward_to: Some("not-an-address".into()), ..Default::default() }, "not an e-mail address"),
        (rs.clone(), SpamChanges { forward_to: Some("x@y.example".into()), ..Default::default() }, "only when spam is forwarded"),
        (rs.clone(), SpamChanges { folder_age_limit: Some(-5), ..Default::default() }, "cannot be negative"),
        (rs.clone(), SpamChanges { quarantine_owner: Some(Some("x@y.example".into())), ..Default::default() }, "quarantines are Hosted Exchange settings"),
        (ex.clone(), SpamChanges { handling: Some(SpamHandling::Delete), ..Default::default() }, "an Exchange mailbox has no Spam folder"),
        (ex.clone(), SpamChanges { filter_level: Some(FilterLevel::Off), send_to_domain_quarantine: Some(true), ..Default::default() }, "with the spam filter off"),
        (ex.clone(), SpamChanges { quarantine_owner: Some(Some("reception".into())), ..Default::default() }, "quarantine owner"),
        (ADATUM.into(), SpamChanges { send_to_domain_quarantine: Some(true), ..Default::default() }, "on, off or nonuser"),
        (rs.clone(), SpamChanges { apply_to_all_mailboxes: true, ..Default::default() }, "setting of a domain"),
    ];
    for (t, ch, want) in cases {
        let e = o.set_spam_settings(&target(&t), &ch).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{t} {ch:?}: {e:?}");
        assert!(e.user_message().contains(want) && e.user_message().ends_with("Nothing was sent to Rackspace."), "{t}: {}", e.user_message());
    }
    assert_eq!(writes(&w), before, "no refused change reached the simulator");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailbox_settings_of_both_services() {
    let w = world(DataSet::Demo).await;
    let o = ops(&w, Role::SuperAdmin);
    let rs = rs_person(&w, NW, 5);
    o.set_spam_settings(&target(&rs), &SpamChanges { filter_level: Some(FilterLevel::Exclusive), folder_cleaner: Some(true), folder_count_limit: Some(250), ..Default::default() }).await.unwrap();
    sim_rs(&w, &rs, |s| {
        assert_eq!(s.filter_level, sim_spam::FilterLevel::Exclusive);
        assert_eq!((s.rs_email.has_folder_cleaner, s.rs_email.folder_num_limit), (true, 250));
    });
    o.set_spam_settings(&target(&rs), &SpamChanges { handling: Some(SpamHandling::LabelSubject), ..Default::default() }).await.unwrap();
    sim_rs(&w, &rs, |s| assert_eq!((s.rs_email.handling, s.rs_email.has_folder_cleaner, s.filter_level), (sim_spam::SpamHandling::LabelSubject, false, sim_spam::FilterLevel::Exclusive)));
    // Exchange: the lower-case fields; off turns the domain quarantine off.
    let ex = ex_person(&w, ADATUM, 6);
    let ch = SpamChanges { filter_level: Some(FilterLevel::Exclusive), send_to_domain_quarantine: Some(true), quarantine_owner: Some(Some("Reception@adatum.example".into())), ..Default::default() };
    let r = o.set_spam_settings(&target(&ex), &ch).await.unwrap();
    assert_eq!(r.owner.kind, OwnerKind::ExMailbox);
    sim_ex(&w, &ex, |s| assert_eq!((s.filter_level, s.send_to_domain_quarantine, s.quarantine_owner.as_str()), (sim_spam::FilterLevel::Exclusive, true, "reception@adatum.example")));
    let r = o.set_spam_settings(&target(&ex), &SpamChanges { filter_level: Some(FilterLevel::Off), ..Default::default() }).await.unwrap();
    assert_eq!(r.lines[1].value, "the mailbox's own quarantine");
    sim_ex(&w, &ex, |s| assert_eq!((s.filter_level, s.send_to_domain_quarantine, s.quarantine_owner.as_str()), (sim_spam::FilterLevel::Off, false, "reception@adatum.example")));
    o.set_spam_settings(&target(&ex), &SpamChanges { quarantine_owner: Some(None), ..Default::default() }).await.unwrap();
    sim_ex(&w, &ex, |s| assert_eq!(s.quarantine_owner, ""));
    let j = journal_lines(&w, &ex);
    assert!(j.iter().any(|l| l.starts_with("Changed the spam settings of") && l.contains("Spam held in the domain's quarantine")), "{j:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_are_added_and_removed_for_a_domain_and_both_kinds_of_mailbox() {
    let w = world(DataSet::Demo).await;
    let o = ops(&w, Role::SuperAdmin);
    let rs = rs_person(&w, NW, 7);
    let ex = ex_person(&w, ADATUM, 7);
    for t in ["fabrikam.example".to_string(), rs.clone(), ex.clone()] {
        let lists = |w: &World| -> Vec<Vec<String>> {
            let pick = |l: &sim_spam::SpamLists| vec![sorted(&l.safelist), sorted(&l.blocklist), sorted(&l.ipsafelist), sorted(&l.ipblocklist)];
            match t.split_once('@') {
                None => sim_domain(w, &t, |s| pick(&s.lists)),
                Some((_, d)) if d == ADATUM => sim_ex(w, &t, |s| pick(&s.lists)),
                Some(_) => sim_rs(w, &t, |s| pick(&s.lists)),
            }
        };
        w.sim.sim().clear_requests();
        // Allow: an address and a bare domain (read as @domain) go to the safe senders, an IP
        // address to the allowed IP addresses; each list is one request.
        let r = o.spam_senders(&target(&t), SenderVerb::Allow, &["Partner@Fourthcoffee.example".into(), "litwareinc.example".into(), "198.51.100.1".into()]).await.unwrap();
        assert_eq!(r.notes, ["litwareinc.example was read as @litwareinc.example: everyone at that domain"]);
        assert_eq!(lists(&w)[0], ["@litwareinc.example", "partner@fourthcoffee.example"], "{t}");
        assert_eq!(lists(&w)[2], ["198.51.100.1"]);
        // Two entries of one list: one list edit (PUT); one entry alone: an add (POST).
        let methods: Vec<String> = w.sim.sim().requests().iter().filter(|r| r.method != "GET").map(|r| format!("{} {}", r.method, r.path.rsplit("/spam/").next().unwrap())).collect();
        assert_eq!(methods, ["PUT safelist", "POST ipsafelist/198.51.100.1"], "{t}");
        // Block: a wildcard travels in a list edit's body; a plain address as a POST.
        o.spam_senders(&target(&t), SenderVerb::Block, &["@%.bulk-offers.example".into()]).await.unwrap();
        o.spam_senders(&target(&t), SenderVerb::Block, &["spam@bulk.example".into(), "203.0.113.7".into()]).await.unwrap();
        assert_eq!(lists(&w)[1], ["@%.bulk-offers.example", "spam@bulk.example"]);
        assert_eq!(lists(&w)[3], ["203.0.113.7"]);
        // Adding what is there, and removing what is not, sends nothing and says so.
        let before = writes(&w);
        let r = o.spam_senders(&target(&t), SenderVerb::Allow, &["partner@fourthcoffee.example".into()]).await.unwrap();
        assert_eq!(r.sentences(), [format!("partner@fourthcoffee.example was already on the safe senders of {}; nothing to add.", if t.contains('@') { t.clone() } else { format!("the domain {t}") })]);
        let r = o.spam_senders(&target(&t), SenderVerb::Unblock, &["nobody@x.example".into()]).await.unwrap();
        assert!(r.sentences()[0].contains("was not on the blocked senders"), "{:?}", r.sentences());
        assert_eq!(writes(&w), before);
        // Remove: one with a wildcard (a list edit), others one by one.
        o.spam_senders(&target(&t), SenderVerb::Unblock, &["@%.bulk-offers.example".into(), "203.0.113.7".into()]).await.unwrap();
        o.spam_senders(&target(&t), SenderVerb::Unallow, &["@litwareinc.example".into()]).await.unwrap();
        assert_eq!(lists(&w), [vec!["partner@fourthcoffee.example".to_string()], vec!["spam@bulk.example".to_string()], vec!["198.51.100.1".to_string()], vec![]], "{t}");
        // A bulk edit of one list: add and remove at once, in one request.
        let owner = spam::resolve(&o.session.client, &target(&t)).await.unwrap();
        let r = o.change_spam_list(&owner, SpamList::Safe, &[entry("a@x.example"), entry("@y.example")], &[entry("partner@fourthcoffee.example")]).await.unwrap();
        assert_eq!((r.added.len(), r.removed.len()), (2, 1));
        assert_eq!(lists(&w)[0], ["@y.example", "a@x.example"]);
        // What the client reads is what the simulator has.
        assert_eq!(o.session.client.spam_list(&owner, SpamList::Safe).await.unwrap(), [entry("@y.example"), entry("a@x.example")]);
        let j = journal_lines(&w, &t);
        assert!(j.iter().any(|l| l.contains("Added partner@fourthcoffee.example and @litwareinc.example to the safe senders of")), "{j:#?}");
        assert!(j.iter().any(|l| l.contains("Removed @%.bulk-offers.example from the blocked senders of")), "{j:#?}");
        assert!(j.iter().any(|l| l.contains("Added 203.0.113.7 to the blocked IP addresses of")), "{j:#?}");
        assert!(j.iter().any(|l| l.contains("Changed the safe senders of") && l.contains("added a@x.example and @y.example; removed partner@fourthcoffee.example")), "{j:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_entries_are_refused_together_before_anything_is_sent() {
    let w = world(DataSet::Demo).await;
    let o = ops(&w, Role::SuperAdmin);
    let before = writes(&w);
    let e = o.spam_senders(&target(NW), SenderVerb::Block, &["*@spam.example".into(), "10.0.0.0/8".into(), "ok@x.example".into()]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let m = e.user_message();
    assert!(m.contains("2 entries cannot be used") && m.contains("the wildcard is %") && m.contains("CIDR"), "{m}");
    let e = o.spam_senders(&target(NW), SenderVerb::Allow, &["@%.com".into()]).await.unwrap_err();
    assert!(e.user_message().contains("every domain ending in .com"), "{}", e.user_message());
    let owner = spam::resolve(&o.session.client, &target(NW)).await.unwrap();
    let e = o.change_spam_list(&owner, SpamList::IpSafe, &[entry("a@b.example")], &[]).await.unwrap_err();
    assert!(e.user_message().contains("IPv4 addresses only"), "{}", e.user_message());
    let e = o.change_spam_list(&owner, SpamList::Safe, &[entry("a@b.example")], &[entry("a@b.example")]).await.unwrap_err();
    assert!(e.user_message().contains("both added and removed"), "{}", e.user_message());
    // Entries an edge built from text it received (deserialised) are checked again by Ops.
    let from_page: Vec<SpamEntry> = serde_json::from_str(r#"["@%.com", "a@b.example,c@d.example"]"#).unwrap();
    let e = o.change_spam_list(&owner, SpamList::Block, &from_page[..1], &[]).await.unwrap_err();
    assert!(e.user_message().contains("every domain ending in .com"), "{}", e.user_message());
    let e = o.change_spam_list(&owner, SpamList::Block, &[], &from_page[1..]).await.unwrap_err();
    assert!(e.user_message().contains("cannot be sent"), "{}", e.user_message());
    assert_eq!(writes(&w), before);
    let bare: Vec<SpamEntry> = serde_json::from_str(r#"["Partner.Example"]"#).unwrap();
    let r = o.change_spam_list(&owner, SpamList::Safe, &bare, &[]).await.unwrap();
    assert_eq!(r.added, [entry("@partner.example")], "normalised as a person's typing would be");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_desk_may_only_change_a_mailboxs_safe_senders() {
    let w = world(DataSet::Demo).await;
    let desk = ops(&w, Role::HelpDesk);
    let rs = rs_person(&w, NW, 9);
    let ex = ex_person(&w, ADATUM, 9);
    for t in [&rs, &ex] {
        desk.spam_senders(&target(t), SenderVerb::Allow, &["orders@partner.example".into()]).await.unwrap();
        desk.spam_senders(&target(t), SenderVerb::Unallow, &["orders@partner.example".into()]).await.unwrap();
    }
    let before = writes(&w);
    let refusals: Vec<(OpsError, &str)> = vec![
        (desk.spam_senders(&target(&rs), SenderVerb::Block, &["x@y.example".into()]).await.unwrap_err(), "blocked senders"),
        (desk.spam_senders(&target(&rs), SenderVerb::Allow, &["192.0.2.1".into()]).await.unwrap_err(), "IP addresses"),
        (desk.spam_senders(&target(NW), SenderVerb::Allow, &["x@y.example".into()]).await.unwrap_err(), "a domain's safe and blocked senders"),
        (desk.set_spam_settings(&target(&ex), &SpamChanges { filter_level: Some(FilterLevel::Exclusive), ..Default::default() }).await.unwrap_err(), "a mailbox's spam settings"),
        (desk.set_spam_settings(&target(NW), &SpamChanges { filter_level: Some(FilterLevel::Off), ..Default::default() }).await.unwrap_err(), "a domain's spam settings"),
    ];
    for (e, what) in &refusals {
        assert!(matches!(e, OpsError::Refused(_)), "{e:?}");
        assert_eq!(e.kind(), ErrorKind::NotAllowed);
        assert!(e.user_message().starts_with("As help desk you cannot do this here:") && e.user_message().contains(what), "{}", e.user_message());
    }
    assert_eq!(writes(&w), before, "refused changes never reach Rackspace");
    let refused = w.journal.query(&Filter { outcome: Some("refused".into()), ..Filter::default() }).unwrap();
    assert_eq!(refused.len(), 5, "every refusal is journaled");
    assert!(refused.iter().all(|e| e.operator == "sam" && e.action.starts_with("spam.")));
    let done = journal_lines(&w, &rs);
    assert!(done.iter().any(|l| l.starts_with(&format!("Added orders@partner.example to the safe senders of {rs}"))), "{done:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_refusals_and_failures_reach_the_person_in_words() {
    let w = world(DataSet::Empty).await;
    let o = ops(&w, Role::SuperAdmin);
    let c = &o.session.client;
    let owner = spam::resolve(c, &target("example.com")).await.unwrap();
    // A full list (the simulator's limit of 1000 entries): Rackspace's words kept as details.
    w.sim.sim().with_store(|s| {
        let set = &mut s.domains.get_mut("example.com").unwrap().spam.lists.ipblocklist;
        for i in 0..1000u32 {
            set.insert(format!("10.0.{}.{}", i / 256, i % 256));
        }
    });
    let e = o.spam_senders(&target("example.com"), SenderVerb::Block, &["192.0.2.200".into()]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Rejected);
    assert_eq!(e.user_message(), "Rackspace refused the request because something in it is not valid; see the details.");
    assert_eq!(e.detail().as_deref(), Some("The ipblocklist can hold at most 1000 entries"));
    let failed = w.journal.query(&Filter::default()).unwrap().into_iter().find(|x| x.action == "spam.domain.lists").unwrap();
    assert!(words::result_words(failed.outcome.as_ref()).contains("Rackspace said: The ipblocklist can hold at most 1000 entries"));
    // Someone else removed an entry between Rackdesk's read and its request: Rackspace's 404,
    // in words, with its message as details.
    let e = c.remove_spam_entry(&owner, SpamList::Safe, &entry("gone@partner.example")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.user_message(), "Rackspace could not find that spam list entry. Check the spelling.");
    assert_eq!(e.detail().as_deref(), Some("gone@partner.example is not on the safelist"));
    let e = c.edit_spam_list(&owner, SpamList::Block, &[], &[entry("@gone.example")]).await.unwrap_err();
    assert_eq!(e.detail().as_deref(), Some("Not on the blocklist: @gone.example"));
    // Rackspace having a bad moment: retried and reported as its problem, not the person's.
    w.sim.sim().add_fault(FaultRule::new(FaultKind::Status(503)).on_path("/spam/settings").times(10));
    let e = spam::show(c, &target("example.com")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ServerFault);
    assert!(e.user_message().contains("Rackspace had a problem on its side"), "{}", e.user_message());
    w.sim.sim().clear_faults();
    // A dropped answer to an add that did arrive: read back, not sent twice.
    w.sim.sim().add_fault(FaultRule::new(FaultKind::Drop).on_path("/spam/safelist/").on_method("POST").times(1).after_apply());
    w.sim.sim().clear_requests();
    o.spam_senders(&target("example.com"), SenderVerb::Allow, &["boss@partner.example".into()]).await.unwrap();
    let posts: Vec<u16> = w.sim.sim().requests().iter().filter(|r| r.method == "POST").map(|r| r.status).collect();
    assert_eq!(posts, [0], "one POST, whose answer was dropped");
    assert!(sim_domain(&w, "example.com", |s| s.lists.safelist.contains("boss@partner.example")));
    // A dropped bulk edit that did not arrive is sent again once the list shows it missing.
    w.sim.sim().add_fault(FaultRule::new(FaultKind::Drop).on_path("/spam/safelist").on_method("PUT").times(1));
    w.sim.sim().clear_requests();
    o.change_spam_list(&owner, SpamList::Safe, &[entry("@a.example"), entry("@b.example")], &[]).await.unwrap();
    let puts: Vec<u16> = w.sim.sim().requests().iter().filter(|r| r.method == "PUT").map(|r| r.status).collect();
    assert_eq!(puts, [0, 200], "sent again after the read-back showed it missing");
    assert!(sim_domain(&w, "example.com", |s| s.lists.safelist.contains("@a.example") && s.lists.safelist.contains("@b.example")));
    let last = w.journal.query(&Filter::default()).unwrap().into_iter().next().unwrap();
    assert_eq!(last.outcome, Some(Outcome::Success));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn why_explains_the_demos_mail_from_the_domains_and_mailboxs_lists() {
    let w = world(DataSet::Demo).await;
    let c = client(&w);
    let exclusive = rs_person(&w, NW, 0);
    // Safe at the mailbox: delivered even though the mailbox is exclusive.
    let v = spam::why(&c, &target(&exclusive), &Sender::parse("anna@margiestravel.example").unwrap()).await.unwrap();
    assert_eq!(v.result, VerdictResult::SafeListed, "{}", v.summary);
    assert!(v.summary.contains(&format!("@margiestravel.example on the safe senders of {exclusive}")), "{}", v.summary);
    // Safe at the domain counts for the mailbox too.
    let v = spam::why(&c, &target(&exclusive), &Sender::parse("pay@woodgrovebank.example").unwrap()).await.unwrap();
    assert_eq!(v.result, VerdictResult::SafeListed, "{}", v.summary);
    // Anyone else: not accepted, because the mailbox is exclusive.
    let v = spam::why(&c, &target(&exclusive), &Sender::parse("someone@else.example").unwrap()).await.unwrap();
    assert_eq!(v.result, VerdictResult::NotAccepted);
    // A domain-wide wildcard block.
    let v = spam::why(&c, &target(&rs_person(&w, NW, 3)), &Sender::parse("deals@mail.bulk-offers.example").unwrap()).await.unwrap();
    assert_eq!(v.result, VerdictResult::Blocked);
    assert!(v.summary.contains("@%.bulk-offers.example on the blocked senders of the domain northwind.example"), "{}", v.summary);
    // An ordinary sender to an ordinary mailbox: by content, to the Spam folder with the cleaner.
    let v = spam::why(&c, &target(&rs_person(&w, NW, 3)), &Sender::parse("hello@partner.example").unwrap()).await.unwrap();
    assert_eq!(v.result, VerdictResult::ContentChecked);
    assert_eq!(v.spam_goes.as_deref(), Some("it is moved to the mailbox's Spam folder"), "the mailbox's own handling, not the domain's");
    // Exchange: a blocked IP of the domain, and where spam is held.
    let ex = ex_person(&w, ADATUM, 1);
    let v = spam::why(&c, &target(&ex), &Sender::parse("x@y.example").unwrap().with_ip("192.0.2.66").unwrap()).await.unwrap();
    assert_eq!(v.result, VerdictResult::Blocked);
    let v = spam::why(&c, &target(&ex), &Sender::parse("x@y.example").unwrap()).await.unwrap();
    assert_eq!(v.spam_goes.as_deref(), Some("it is held in the domain's quarantine; reception@adatum.example gets its notices"));
    // The domain itself, with both services.
    let v = spam::why(&c, &target(TAILSPIN), &Sender::parse("x@y.example").unwrap()).await.unwrap();
    assert!(v.spam_goes.as_deref().unwrap_or("").starts_with("for a Rackspace Email mailbox it is sent to "), "{:?}", v.spam_goes);
    // A mailbox whose filter is off.
    let off = ex_person(&w, TAILSPIN, 0);
    let v = spam::why(&c, &target(&off), &Sender::parse("x@y.example").unwrap()).await.unwrap();
    assert_eq!(v.result, VerdictResult::NotChecked, "{}", v.summary);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spam_entries_left_open_by_a_crash_are_settled_by_reading_back() {
    let w = world(DataSet::Demo).await;
    let o = ops(&w, Role::SuperAdmin);
    let c = &o.session.client;
    let rs = rs_person(&w, NW, 11);
    let owner = spam::resolve(c, &target(&rs)).await.unwrap();
    // Two intents written, then "a crash": one request arrived, the other did not.
    let intent = |action: &str, changes: serde_json::Value| rackdesk_core::ops::intent_for(&o.session.actor, true, None, action, &rs, changes);
    let arrived = w.journal.begin(&intent("spam.mailbox.safe-senders", serde_json::json!({"owner": "rs-mailbox", "list": "safelist", "added": ["boss@partner.example"], "removed": []}))).unwrap();
    c.add_spam_entry(&owner, SpamList::Safe, &entry("boss@partner.example")).await.unwrap();
    let lost = w.journal.begin(&intent("spam.mailbox.lists", serde_json::json!({"owner": "rs-mailbox", "list": "blocklist", "added": ["x@y.example"], "removed": []}))).unwrap();
    let settings = w.journal.begin(&intent("spam.mailbox.settings", serde_json::json!({"owner": "rs-mailbox", "filterLevel": {"old": "on", "new": "exclusive"}}))).unwrap();
    let now = spam::SpamChanges { filter_level: Some(FilterLevel::Exclusive), ..Default::default() }.apply(&c.spam_settings(&owner).await.unwrap()).unwrap();
    c.edit_spam_settings(&owner, &now, false).await.unwrap();
    let settled = o.reconcile_before(chrono::Utc::now() + chrono::Duration::seconds(1)).await.unwrap();
    let find = |id| settled.iter().find(|(i, _)| *i == id).map(|(_, r)| r.clone()).unwrap_or_default();
    assert_eq!(find(arrived), "applied: the entries are in place");
    assert_eq!(find(lost), "not applied: the entries are not in place");
    assert_eq!(find(settings), "applied: the new settings are in place");
}

/// What the client sends, byte for byte: every setting on each edit (§13), each resource's
/// own field names. A canned server captures the body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_setting_is_sent_on_each_edit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let bodies = Arc::new(std::sync::Mutex::new(Vec::<(String, String)>::new()));
    let log = bodies.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 4096];
                let end = loop {
                    if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&data[..end]).to_string();
                let len: usize = head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0))).unwrap_or(0);
                while data.len() < end + len {
                    match sock.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => data.extend_from_slice(&buf[..n]),
                    }
                }
                let line = head.lines().next().unwrap_or("").to_owned();
                log.lock().unwrap().push((line.clone(), String::from_utf8_lossy(&data[end..end + len]).to_string()));
                let body = if line.starts_with("GET") && line.contains("/ex/mailboxes/kim/spam/settings") {
                    r#"{"filterLevel":"on","sendToDomainQuarantine":false,"quarantineOwner":""}"#
                } else if line.starts_with("GET") && line.contains("/spam/settings") {
                    r#"{"filterLevel":"on","rsEmailSettings":{"spamHandling":"toAddress","hasFolderCleaner":false,"spamFolderAgeLimit":0,"spamFolderNumLimit":0,"spamForwardingAddress":"review@example.com"},"exchangeSettings":{"forwardToDomainQuarantine":"on","quarantineOwner":"it@example.com","defaultQuarantineOwner":null}}"#
                } else if line.starts_with("GET") && line.contains("/domains/example.com ") {
                    r#"{"name":"example.com","serviceType":"both"}"#
                } else if line.starts_with("GET") && line.contains("/rs/mailboxes/kim ") {
                    return answer(&mut sock, 404, r#"{"itemNotFoundFault":{"message":"Mailbox not found","code":404}}"#).await;
                } else if line.starts_with("GET") {
                    r#"{"name":"kim"}"#
                } else {
                    ""
                };
                answer(&mut sock, 200, body).await;
            });
        }
    });
    async fn answer(sock: &mut tokio::net::TcpStream, status: u16, body: &str) {
        let out = format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        let _ = sock.write_all(out.as_bytes()).await;
    }
    let mut cfg = ClientConfig::new(format!("http://{addr}/v1"));
    assert!(cfg.apply_test_minute(Some(200)));
    let client = Client::new(cfg, Credentials::new(UK, SecretString::from(SK)).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("rackdesk-spamcanned-{}", rackdesk_core::sandbox_keys().0));
    let journal = Arc::new(Journal::open(&dir.join("journal.sqlite3")).unwrap());
    let actor = Actor { operator: Operator::new("dana", Role::SuperAdmin), identity_label: "Lab".into(), account: "me".into(), api_admin: None };
    let o = Ops::new(Session { actor, client }, journal, true);
    // Only the filter level changes; everything else goes too, as it was.
    o.set_spam_settings(&target("example.com"), &SpamChanges { filter_level: Some(FilterLevel::Exclusive), ..Default::default() }).await.unwrap();
    o.set_spam_settings(&target("kim@example.com"), &SpamChanges { send_to_domain_quarantine: Some(true), ..Default::default() }).await.unwrap();
    let puts: Vec<(String, String)> = bodies.lock().unwrap().iter().filter(|(l, _)| l.starts_with("PUT")).cloned().collect();
    assert_eq!(puts.len(), 2, "{puts:?}");
    assert!(puts[0].0.starts_with("PUT /v1/customers/me/domains/example.com/spam/settings "), "{}", puts[0].0);
    assert_eq!(
        puts[0].1,
        "filterLevel=exclusive&overrideUserSettings=false&rsEmail.spamHandling=toAddress&rsEmail.hasFolderCleaner=false&rsEmail.spamFolderAgeLimit=0\
         &rsEmail.spamFolderNumLimit=0&rsEmail.spamForwardingAddress=review%40example.com&exchange.forwardToDomainQuarantine=on\
         &exchange.quarantineOwner=it%40example.com&exchange.removeQuarantineOwner=false&exchange.removeDefaultQuarantineOwner=true"
    );
    assert!(puts[1].0.starts_with("PUT /v1/customers/me/domains/example.com/ex/mailboxes/kim/spam/settings "), "{}", puts[1].0);
    assert_eq!(puts[1].1, "filterlevel=on&sendtodomainquarantine=True&removeQuarantineOwner=True");
    let _ = std::fs::remove_dir_all(&dir);
}
