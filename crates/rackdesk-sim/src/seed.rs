//! Deterministic demo data: the same account, people and numbers on every start, so a
//! screenshot, a practice session and a test all see the same world.

use crate::distlists::{DistListRec, Recipient, RecipientKind};
use crate::exchange::{sam_account_name, ContactRec, ExMailboxRec};
use crate::spam::{DomainQuarantine, FilterLevel, RsEmailSpam, SpamHandling, SpamLists};
use crate::store::{hash_password, AdminRec, DomainRec, KeyRec, MailboxRec, Store};
use chrono::{Duration, NaiveDateTime};
use std::collections::{BTreeMap, HashMap};

/// SplitMix64: small, fast, deterministic. Not for secrets.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Aisha", "Ben", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Keiko", "Liam", "Maya",
    "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Samir", "Tess", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe",
    "Amara", "Bruno", "Chloe", "Diego", "Emeka", "Freya", "Gustav", "Hana", "Ivan", "Julia", "Kofi", "Lena",
    "Mateo", "Nora", "Oscar", "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Viktor", "Willa",
];
const LAST: &[&str] = &[
    "Adeyemi", "Bauer", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen", "Ibrahim", "Jensen",
    "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi", "Schmidt", "Tanaka",
    "Urban", "Varga", "Weber", "Xu", "Yamamoto", "Zielinski", "Alvarez", "Brennan", "Chen", "Dalton", "Evans",
    "Ferreira", "Gallagher", "Horvat", "Ivanova", "Jovanovic", "Kim", "Lindqvist", "Mensah", "Novak", "O'Neill",
];

/// The account number of the demo account when none is given.
pub const DEMO_ACCOUNT: &str = "123456";
/// The API admin the given keys belong to.
pub const API_ADMIN: &str = "api-rackdesk";

fn base_time() -> NaiveDateTime {
    // A fixed "today" keeps the data identical on every start.
    chrono::NaiveDate::from_ymd_opt(2026, 11, 20).and_then(|d| d.and_hms_opt(9, 30, 0)).unwrap_or_default()
}

fn person_mailbox(rng: &mut Rng, first: &str, last: &str) -> MailboxRec {
    let size = *rng.pick(&[2_048u64, 10_240, 10_240, 25_600, 25_600, 25_600]);
    let usage = (size as f64 * rng.unit().powf(1.6) * 0.97) as u64;
    let created = base_time() - Duration::days(30 + rng.below(6 * 365) as i64) - Duration::minutes(rng.below(1440) as i64);
    let enabled = rng.unit() > 0.07;
    let last_login = if rng.unit() < 0.05 {
        None
    } else {
        let days = if enabled { rng.below(45) } else { 60 + rng.below(400) };
        Some(base_time() - Duration::days(days as i64) - Duration::minutes(rng.below(1440) as i64))
    };
    MailboxRec {
        display_name: format!("{first} {last}"),
        size,
        current_usage: usage,
        enabled,
        created,
        last_login,
        vacation_message: String::new(),
        enable_vacation_message: false,
        forwards: vec![],
        save_forwarded_email: false,
        visible_in_directory: true,
        visible_in_gal: true,
        first_name: first.to_owned(),
        last_name: last.to_owned(),
        contact: BTreeMap::new(),
        password_hash: hash_password(&format!("demo-{}", rng.next_u64())),
        spam: Default::default(),
    }
}

fn local_part(first: &str, last: &str) -> String {
    format!("{}.{}", first, last).to_ascii_lowercase().replace('\'', "")
}

/// Adds `n` people to a domain, with unique `first.last` names.
pub fn add_people(rng: &mut Rng, domain: &mut DomainRec, n: usize) {
    let mut added = 0;
    let mut attempt = 0u64;
    while added < n {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        let mut name = local_part(first, last);
        if domain.mailboxes.contains_key(&name) {
            attempt += 1;
            name = format!("{name}{}", 2 + attempt % 97);
            if domain.mailboxes.contains_key(&name) {
                continue;
            }
        }
        let rec = person_mailbox(rng, first, last);
        domain.mailboxes.insert(name, rec);
        added += 1;
    }
}

/// A domain with nothing in it.
pub fn empty_domain(max_mailboxes: u64) -> DomainRec {
    DomainRec {
        service_type: "rsemail".into(),
        base_mailbox_size: 25_600,
        max_mailboxes,
        aliases_domains: vec![],
        mailboxes: BTreeMap::new(),
        aliases: BTreeMap::new(),
        exchange_base_mailbox_size: 0,
        exchange_max_mailboxes: 0,
        ex_mailboxes: BTreeMap::new(),
        contacts: BTreeMap::new(),
        dist_lists: BTreeMap::new(),
        spam: Default::default(),
    }
}

/// An empty Hosted Exchange domain (`serviceType` `exchange`) with room for `max` mailboxes
/// of 100 GB each.
pub fn empty_exchange_domain(max: u64) -> DomainRec {
    DomainRec {
        service_type: "exchange".into(),
        base_mailbox_size: 0,
        max_mailboxes: 0,
        exchange_base_mailbox_size: crate::exchange::MAX_EX_MAILBOX_MB,
        exchange_max_mailboxes: max,
        ..empty_domain(0)
    }
}

fn admin(first: &str, last: &str, t: &str, email: &str) -> AdminRec {
    AdminRec {
        first_name: first.into(),
        last_name: last.into(),
        admin_type: t.into(),
        email: email.into(),
        enabled: true,
        locked: false,
        two_factor_enabled: false,
    }
}

/// The account with its API admin holding the given keys and nothing else but one empty
/// domain, `example.com`.
pub fn empty(account: &str, user_key: &str, secret: &str) -> Store {
    let mut admins = BTreeMap::new();
    admins.insert(API_ADMIN.to_owned(), admin("Rackdesk", "API", "super", "it@example.com"));
    let mut keys = HashMap::new();
    keys.insert(user_key.to_owned(), KeyRec { secret: secret.to_owned(), admin_id: API_ADMIN.to_owned() });
    let mut domains = BTreeMap::new();
    domains.insert("example.com".to_owned(), empty_domain(100_000));
    domains.insert("example.net".to_owned(), empty_exchange_domain(1_000));
    Store {
        account_number: account.to_owned(),
        customer_name: "Example Company".into(),
        reference_number: String::new(),
        admins,
        domains,
        keys,
    }
}

/// The demo account: three domains, a few hundred people, aliases, forwarding and
/// auto-replies, a human super admin, the API admin and a help-desk admin.
pub fn demo(account: &str, user_key: &str, secret: &str) -> Store {
    let mut rng = Rng::new(0x005E_ED0F_DE40);
    let mut s = empty(account, user_key, secret);
    s.customer_name = "Northwind Traders (demo)".into();
    s.reference_number = "NW-0042".into();
    s.domains.clear();
    s.admins.insert("dana.whitfield".into(), admin("Dana", "Whitfield", "super", "dana.whitfield@northwind.example"));
    s.admins.insert("helpdesk.lead".into(), admin("Sam", "Okoro", "standard", "sam.okoro@northwind.example"));
    if let Some(a) = s.admins.get_mut(API_ADMIN) {
        a.email = "it@northwind.example".into();
    }

    for (name, people, max) in [("northwind.example", 260usize, 400u64), ("fabrikam.example", 110, 150), ("contoso-lab.example", 24, 50)] {
        let mut d = empty_domain(max);
        if name == "northwind.example" {
            d.aliases_domains = vec!["northwind-traders.example".into()];
        }
        add_people(&mut rng, &mut d, people);
        let names: Vec<String> = d.mailboxes.keys().cloned().collect();
        // Some forwarding and auto-replies, as in any real company.
        for n in names.iter() {
            let r = rng.unit();
            if let Some(m) = d.mailboxes.get_mut(n) {
                if r < 0.06 {
                    m.forwards = vec![format!("{}@{}", rng.pick(&names), name)];
                    m.save_forwarded_email = rng.unit() < 0.5;
                } else if r < 0.10 {
                    m.enable_vacation_message = true;
                    m.vacation_message = "I am out of the office until Monday. For urgent matters please write to support.".into();
                }
            }
        }
        for alias in ["info", "sales", "support", "billing", "hr", "office", "team-leads", "it"] {
            let k = 1 + rng.below(6) as usize;
            let mut members: Vec<String> = (0..k).map(|_| format!("{}@{}", rng.pick(&names), name)).collect();
            members.sort();
            members.dedup();
            d.aliases.insert(alias.into(), members);
        }
        s.domains.insert(name.into(), d);
    }
    exchange_demo(&mut s);
    spam_demo(&mut s);
    s
}

// ---- Hosted Exchange demo data ----
//
// Made with a random stream of its own, after the Rackspace Email domains, so those stay
// exactly as they were.

const EX_FIRST: &[&str] = &[
    "Adaeze", "Björn", "Catalina", "Dev", "Eitan", "Fatima", "Giulia", "Hamid", "Ingrid", "Jae-won", "Kalani",
    "Lucía", "Mehmet", "Naledi", "Orla", "Pieter", "Radhika", "Siobhan", "Thabo", "Ulla", "Valentina", "Wiremu",
    "Yara", "Zdeněk", "Anouk", "Callum", "Dilnoza", "Esteban", "Ho-seong", "Ilse", "Kwame", "Mirela",
];
const EX_LAST: &[&str] = &[
    "Abara", "Bergström", "Chaudhry", "Delacroix", "Esposito", "Fonseca", "Grünewald", "Halvorsen", "Iyer",
    "Jankowski", "Kealoha", "Lindgren", "Mbeki", "Nørgaard", "Ó Briain", "Papadopoulos", "Rahman", "Sørensen",
    "Takahashi", "Uchenna", "van Dijk", "Wiśniewski", "Yilmaz", "Zubiri", "MacLeod", "Castellanos",
];
const JOBS: &[(&str, &str)] = &[
    ("Sales", "Account Executive"), ("Sales", "Sales Manager"), ("Marketing", "Content Lead"),
    ("Engineering", "Software Engineer"), ("Engineering", "QA Analyst"), ("Finance", "Accountant"),
    ("Human Resources", "HR Partner"), ("Operations", "Office Manager"), ("Support", "Support Specialist"),
    ("Legal", "Counsel"), ("Design", "Product Designer"), ("IT", "Systems Administrator"),
];
/// Outside companies the demo's contacts work for (all under the reserved `.example`).
const PARTNERS: &[(&str, &str)] = &[
    ("Fourth Coffee", "fourthcoffee.example"), ("Wingtip Toys", "wingtiptoys.example"),
    ("Litware", "litwareinc.example"), ("Proseware", "proseware.example"),
    ("Woodgrove Bank", "woodgrovebank.example"), ("Lucerne Publishing", "lucernepublishing.example"),
    ("Margie's Travel", "margiestravel.example"), ("Alpine Ski House", "alpineskihouse.example"),
    ("Trey Research", "treyresearch.example"), ("Graphic Design Institute", "graphicdesigninstitute.example"),
];

/// An ASCII local part for a name in any script: `björn.nørgaard` → `bjorn.norgaard`.
fn ascii_local(first: &str, last: &str) -> String {
    let fold = |c: char| -> String {
        match c {
            'á' | 'à' | 'â' | 'ä' | 'å' | 'ã' => "a".into(),
            'é' | 'è' | 'ê' | 'ë' | 'ě' => "e".into(),
            'í' | 'ì' | 'î' | 'ï' => "i".into(),
            'ó' | 'ò' | 'ô' | 'ö' | 'ø' | 'õ' => "o".into(),
            'ú' | 'ù' | 'û' | 'ü' => "u".into(),
            'ñ' | 'ń' => "n".into(),
            'ś' | 'š' => "s".into(),
            'ç' | 'č' => "c".into(),
            'ž' | 'ź' => "z".into(),
            'ř' => "r".into(),
            'ß' => "ss".into(),
            c if c.is_ascii_alphanumeric() => c.to_string(),
            _ => String::new(),
        }
    };
    let part = |s: &str| s.to_lowercase().chars().map(fold).collect::<String>();
    format!("{}.{}", part(first), part(last))
}

fn ex_person(rng: &mut Rng, name: &str, domain: &str, first: &str, last: &str) -> ExMailboxRec {
    let size = crate::exchange::MAX_EX_MAILBOX_MB;
    let usage = (size as f64 * rng.unit().powf(2.2) * 0.6) as u64;
    let created = base_time() - Duration::days(20 + rng.below(5 * 365) as i64) - Duration::minutes(rng.below(1440) as i64);
    let enabled = rng.unit() > 0.05;
    let last_login = if enabled { Some(base_time() - Duration::days(rng.below(30) as i64) - Duration::minutes(rng.below(1440) as i64)) } else { None };
    let (dept, job) = *rng.pick(JOBS);
    let mut contact = BTreeMap::new();
    contact.insert("firstName".to_owned(), first.to_owned());
    contact.insert("lastName".to_owned(), last.to_owned());
    contact.insert("department".to_owned(), dept.to_owned());
    contact.insert("jobTitle".to_owned(), job.to_owned());
    contact.insert("businessNumber".to_owned(), format!("+1 555 01{:02}", rng.below(100)));
    if rng.unit() < 0.4 {
        contact.insert("mobileNumber".to_owned(), format!("+1 555 02{:02}", rng.below(100)));
    }
    ExMailboxRec {
        display_name: format!("{first} {last}"),
        size,
        current_usage: usage,
        enabled,
        is_hidden: false,
        is_public_folder_admin: false,
        created,
        last_login,
        forwarding: String::new(),
        save_forwarded_email: false,
        extra_addresses: vec![],
        visible_in_directory: true,
        has_blackberry: false,
        has_activesync: rng.unit() < 0.45,
        sam_account_name: sam_account_name(name, domain),
        contact,
        permissions: BTreeMap::new(),
        password_hash: hash_password(&format!("demo-{}", rng.next_u64())),
        spam: Default::default(),
    }
}

/// `n` Exchange people with unique names that no other address of the domain uses.
fn add_ex_people(rng: &mut Rng, d: &mut DomainRec, dname: &str, n: usize) {
    let mut added = 0;
    while added < n {
        let first = *rng.pick(EX_FIRST);
        let last = *rng.pick(EX_LAST);
        let name = ascii_local(first, last);
        if d.address_taken(&name) {
            continue;
        }
        let rec = ex_person(rng, &name, dname, first, last);
        d.ex_mailboxes.insert(name, rec);
        added += 1;
    }
}

/// A shared mailbox (nobody's own): hidden from nobody, used through delegates.
fn shared_mailbox(rng: &mut Rng, name: &str, domain: &str, shown: &str) -> ExMailboxRec {
    let mut m = ex_person(rng, name, domain, "", "");
    m.display_name = shown.into();
    m.contact.retain(|k, _| k == "businessNumber");
    m.last_login = None;
    m
}

fn add_contacts(rng: &mut Rng, d: &mut DomainRec, n: usize) {
    let mut added = 0;
    while added < n {
        let first = *rng.pick(EX_FIRST);
        let last = *rng.pick(EX_LAST);
        let (company, host) = *rng.pick(PARTNERS);
        let local = ascii_local(first, last);
        let name = format!("{}-{}", local.replace('.', "-"), host.split('.').next().unwrap_or("partner"));
        let address = format!("{local}@{host}");
        if d.contacts.contains_key(&name) || d.contacts.values().any(|c| c.external_email == address) {
            continue;
        }
        let mut fields = BTreeMap::new();
        fields.insert("firstName".to_owned(), first.to_owned());
        fields.insert("lastName".to_owned(), last.to_owned());
        fields.insert("company".to_owned(), company.to_owned());
        if rng.unit() < 0.5 {
            fields.insert("businessNumber".to_owned(), format!("+44 20 7946 0{:03}", rng.below(1000)));
        }
        d.contacts.insert(
            name,
            ContactRec { display_name: format!("{first} {last} ({company})"), external_email: address, is_hidden: false, fields },
        );
        added += 1;
    }
}

fn mailbox(name: &str) -> Recipient {
    Recipient { kind: RecipientKind::Mailbox, name: name.into() }
}

/// Lists of a domain: `(common name, display name, description)`; members are drawn from the
/// domain's people, and a few contacts join the partner-facing lists.
fn add_lists(rng: &mut Rng, d: &mut DomainRec, lists: &[(&str, &str, &str)]) {
    let people: Vec<String> = d.ex_mailboxes.iter().filter(|(_, m)| !m.contact.get("firstName").is_none_or(String::is_empty)).map(|(n, _)| n.clone()).collect();
    let contacts: Vec<String> = d.contacts.keys().cloned().collect();
    for (cn, shown, about) in lists {
        let k = 2 + rng.below(7) as usize;
        let mut members: Vec<Recipient> = Vec::new();
        for _ in 0..k {
            let who: &String = rng.pick(&people);
            let r = mailbox(who);
            if !members.contains(&r) {
                members.push(r);
            }
        }
        if (cn.contains("partner") || cn.contains("events")) && !contacts.is_empty() {
            for _ in 0..2 {
                let r = Recipient { kind: RecipientKind::Contact, name: rng.pick(&contacts).clone() };
                if !members.contains(&r) {
                    members.push(r);
                }
            }
        }
        d.dist_lists.insert((*cn).into(), DistListRec::ready(shown, about, members, vec![]));
    }
}

/// The Exchange side of the demo: `adatum.example` (Exchange only) and `tailspin.example`
/// (both services).
fn exchange_demo(s: &mut Store) {
    let mut rng = Rng::new(0xE7C4_A11E_D020_2026);

    // adatum.example: Hosted Exchange only.
    let dn = "adatum.example";
    let mut d = empty_exchange_domain(60);
    d.aliases_domains = vec!["adatum-corp.example".into()];
    add_ex_people(&mut rng, &mut d, dn, 34);
    d.ex_mailboxes.insert("reception".into(), shared_mailbox(&mut rng, "reception", dn, "Adatum Reception"));
    d.ex_mailboxes.insert("accounts-payable".into(), shared_mailbox(&mut rng, "accounts-payable", dn, "Accounts Payable"));
    add_contacts(&mut rng, &mut d, 18);
    let people: Vec<String> = d.ex_mailboxes.keys().filter(|n| n.contains('.')).cloned().collect();
    // Some people have a second address on the alias domain, forwarding, or are hidden.
    for (i, n) in people.iter().enumerate() {
        if let Some(m) = d.ex_mailboxes.get_mut(n) {
            if i % 7 == 0 {
                m.extra_addresses.push(format!("{n}@adatum-corp.example"));
            }
            if i % 11 == 3 {
                m.forwarding = format!("{}@{dn}", people[(i + 1) % people.len()]);
                m.save_forwarded_email = true;
            }
            if i % 13 == 5 {
                m.is_hidden = true;
            }
        }
    }
    // Delegates: two people work the shared boxes; an assistant manages an executive's mail.
    for (owner, who, what) in [
        ("reception", 0usize, "fullaccess"), ("reception", 1, "both"), ("accounts-payable", 2, "both"), ("accounts-payable", 3, "fullaccess"),
    ] {
        let w = people[who].clone();
        d.ex_mailboxes.get_mut(owner).map(|m| m.permissions.insert(w, what.into()));
    }
    let (exec, assistant) = (people[4].clone(), people[5].clone());
    d.ex_mailboxes.get_mut(&exec).map(|m| m.permissions.insert(assistant, "both".into()));
    add_lists(
        &mut rng,
        &mut d,
        &[
            ("all-staff", "All Staff", "Everyone at Adatum"),
            ("sales", "Sales Team", "Quotes, leads and the weekly pipeline"),
            ("marketing", "Marketing", ""),
            ("engineering", "Engineering", "Product engineering and QA"),
            ("finance", "Finance", "Invoices, budgets and payroll questions"),
            ("hr", "People & Culture", ""),
            ("it-ops", "IT Operations", "Outages and access requests"),
            ("leadership", "Leadership Team", ""),
            ("support", "Customer Support", "Escalations from the help desk"),
            ("partners", "Partner Updates", "News for our resellers and suppliers"),
            ("events", "Events & Trade Shows", ""),
            ("newsletter", "Monthly Newsletter", "Editorial team"),
            ("design", "Design Guild", ""),
            ("legal", "Legal", "Contracts and compliance"),
        ],
    );
    // Allowed senders: only leadership and the communications people may write to everyone.
    let leaders: Vec<Recipient> = vec![Recipient { kind: RecipientKind::DistributionList, name: "leadership".into() }, mailbox(&people[6])];
    if let Some(l) = d.dist_lists.get_mut("all-staff") {
        l.state.members = people.iter().map(|p| mailbox(p)).collect();
        l.state.senders = leaders;
    }
    if let Some(l) = d.dist_lists.get_mut("newsletter") {
        l.state.senders = vec![mailbox(&people[7]), mailbox(&people[8])];
    }
    if let Some(l) = d.dist_lists.get_mut("partners") {
        l.state.hidden = true;
    }
    s.domains.insert(dn.into(), d);

    // tailspin.example: both services; the office staff on Exchange, the warehouse on
    // Rackspace Email.
    let dn = "tailspin.example";
    let mut d = empty_exchange_domain(20);
    d.service_type = "both".into();
    d.base_mailbox_size = 25_600;
    d.max_mailboxes = 25;
    add_people(&mut rng, &mut d, 12);
    add_ex_people(&mut rng, &mut d, dn, 14);
    add_contacts(&mut rng, &mut d, 6);
    let people: Vec<String> = d.ex_mailboxes.keys().cloned().collect();
    d.ex_mailboxes.get_mut(&people[0]).map(|m| m.permissions.insert(people[1].clone(), "fullaccess".into()));
    for alias in ["orders", "warehouse"] {
        let names: Vec<String> = d.mailboxes.keys().cloned().collect();
        let members = vec![format!("{}@{dn}", names[alias.len() % names.len()]), format!("{}@{dn}", names[0])];
        d.aliases.insert(alias.into(), members);
    }
    add_lists(
        &mut rng,
        &mut d,
        &[("office", "Tailspin Office", ""), ("buyers", "Buyers", "Purchasing and suppliers"), ("partners", "Toy Partners", "")],
    );
    s.domains.insert(dn.into(), d);
}

// ---- spam protection demo data ----
//
// No random numbers: the mailboxes are picked by their place in name order, so the other demo
// data stays exactly as it was.

fn lists(block: &[&str], ipblock: &[&str], safe: &[&str], ipsafe: &[&str]) -> SpamLists {
    let set = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
    SpamLists { blocklist: set(block), ipblocklist: set(ipblock), safelist: set(safe), ipsafelist: set(ipsafe) }
}

fn nth_key<V>(m: &BTreeMap<String, V>, n: usize) -> Option<String> {
    m.keys().filter(|k| k.contains('.')).nth(n).cloned()
}

/// Spam settings and a few entries: a domain-wide folder cleaner, safe partners and a blocked
/// bulk sender on `northwind.example`; a domain quarantine on `adatum.example`; forwarding of
/// spam to a mailbox on `tailspin.example`; and a couple of mailboxes of each service with
/// their own settings (one set to `exclusive`).
fn spam_demo(s: &mut Store) {
    if let Some(d) = s.domains.get_mut("northwind.example") {
        d.spam.rs_email = RsEmailSpam { has_folder_cleaner: true, folder_age_limit: 30, ..RsEmailSpam::default() };
        d.spam.lists = lists(
            &["@%.bulk-offers.example", "@cheap-meds.example"],
            &["203.0.113.45"],
            &["@woodgrovebank.example", "invoices@litwareinc.example", "newsletter@proseware.example"],
            &["198.51.100.7"],
        );
        if let Some(m) = nth_key(&d.mailboxes, 0).and_then(|n| d.mailboxes.get_mut(&n)) {
            m.spam.filter_level = FilterLevel::Exclusive;
            m.spam.lists = lists(&[], &[], &["@margiestravel.example", "ceo@fourthcoffee.example"], &[]);
        }
        if let Some(m) = nth_key(&d.mailboxes, 1).and_then(|n| d.mailboxes.get_mut(&n)) {
            m.spam.rs_email = RsEmailSpam { handling: SpamHandling::LabelSubject, ..RsEmailSpam::default() };
            m.spam.lists = lists(&["promo@wingtiptoys.example"], &[], &[], &[]);
        }
    }
    if let Some(d) = s.domains.get_mut("adatum.example") {
        d.spam.forward_to_domain_quarantine = DomainQuarantine::On;
        d.spam.quarantine_owner = "reception@adatum.example".into();
        d.spam.lists = lists(&["@%.spam-relay.example"], &["192.0.2.66"], &["@treyresearch.example"], &[]);
        if let Some(m) = nth_key(&d.ex_mailboxes, 0).and_then(|n| d.ex_mailboxes.get_mut(&n)) {
            m.spam.filter_level = FilterLevel::Exclusive;
            m.spam.lists = lists(&[], &[], &["@fourthcoffee.example", "orders@wingtiptoys.example"], &["198.51.100.20"]);
        }
        if let Some(m) = nth_key(&d.ex_mailboxes, 1).and_then(|n| d.ex_mailboxes.get_mut(&n)) {
            m.spam.send_to_domain_quarantine = true;
            m.spam.quarantine_owner = "reception@adatum.example".into();
            m.spam.lists = lists(&["deals@alpineskihouse.example"], &[], &[], &[]);
        }
    }
    if let Some(d) = s.domains.get_mut("tailspin.example") {
        if let Some(first) = nth_key(&d.mailboxes, 0) {
            let to = format!("{first}@tailspin.example");
            d.spam.rs_email = RsEmailSpam { handling: SpamHandling::ToAddress, forwarding_address: to, ..RsEmailSpam::default() };
        }
        d.spam.lists = lists(&["@%.toy-knockoffs.example"], &[], &["@lucernepublishing.example"], &[]);
        if let Some(m) = nth_key(&d.mailboxes, 1).and_then(|n| d.mailboxes.get_mut(&n)) {
            m.spam.rs_email = RsEmailSpam { has_folder_cleaner: true, folder_num_limit: 500, ..RsEmailSpam::default() };
            m.spam.lists = lists(&[], &["203.0.113.99"], &["@graphicdesigninstitute.example"], &[]);
        }
        if let Some(m) = nth_key(&d.ex_mailboxes, 0).and_then(|n| d.ex_mailboxes.get_mut(&n)) {
            m.spam.filter_level = FilterLevel::Off;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_large_account_has_every_mailbox_once_over_both_services() {
        let s = large("1", "k", "s", 20_000);
        let rs: usize = s.domains.values().map(|d| d.mailboxes.len()).sum();
        let ex: usize = s.domains.values().map(|d| d.ex_mailboxes.len()).sum();
        assert_eq!(rs + ex, 20_000);
        assert_eq!(s.domains.len(), 6);
        assert!(ex >= 3_000 && rs >= 15_000, "{rs} {ex}");
        let both = &s.domains["wayne.example"];
        assert!(!both.mailboxes.is_empty() && !both.ex_mailboxes.is_empty());
        for d in s.domains.values() {
            assert!(d.mailboxes.keys().all(|m| !d.ex_mailboxes.contains_key(m)), "a name is one mailbox");
        }
        assert!(s.domains["globex.example"].aliases.len() >= 50);
        assert!(!s.domains["stark.example"].contacts.is_empty());
        // The same number gives the same account.
        let again = large("1", "k", "s", 20_000);
        assert_eq!(again.domains["initech.example"].mailboxes.keys().take(50).collect::<Vec<_>>(), s.domains["initech.example"].mailboxes.keys().take(50).collect::<Vec<_>>());
        assert_eq!("large:100000".parse::<crate::DataSet>(), Ok(crate::DataSet::Large(100_000)));
        assert!("large:0".parse::<crate::DataSet>().is_err() && "large:200000".parse::<crate::DataSet>().is_err() && "huge".parse::<crate::DataSet>().is_err());
    }

    use super::*;

    #[test]
    fn demo_data_is_the_same_every_time() {
        let a = demo("1", "k", "s");
        let b = demo("1", "k", "s");
        let names = |s: &Store| -> Vec<String> { s.domains["fabrikam.example"].mailboxes.keys().cloned().collect() };
        assert_eq!(names(&a), names(&b));
        assert_eq!(a.domains["northwind.example"].mailboxes.len(), 260);
        let total: usize = ["northwind.example", "fabrikam.example", "contoso-lab.example"].iter().map(|d| a.domains[*d].mailboxes.len()).sum();
        assert_eq!(total, 394);
        assert_eq!(a.domains["contoso-lab.example"].mailboxes.len(), 24);
        assert_eq!(a.domains["contoso-lab.example"].aliases.len(), 8);
        let ex = |s: &Store| -> Vec<String> { s.domains["adatum.example"].ex_mailboxes.keys().cloned().collect() };
        assert_eq!(ex(&a), ex(&b));
    }

    #[test]
    fn the_exchange_demo_has_both_kinds_of_domain() {
        let s = demo("1", "k", "s");
        let adatum = &s.domains["adatum.example"];
        assert_eq!(adatum.service_type, "exchange");
        assert_eq!((adatum.ex_mailboxes.len(), adatum.contacts.len(), adatum.dist_lists.len()), (36, 18, 14));
        assert!(adatum.mailboxes.is_empty() && adatum.aliases.is_empty());
        let tailspin = &s.domains["tailspin.example"];
        assert_eq!(tailspin.service_type, "both");
        assert_eq!((tailspin.mailboxes.len(), tailspin.ex_mailboxes.len(), tailspin.contacts.len(), tailspin.dist_lists.len()), (12, 14, 6, 3));
        // No address is used twice, and every member and delegate exists.
        for d in [adatum, tailspin] {
            for n in d.ex_mailboxes.keys() {
                assert!(!d.mailboxes.contains_key(n) && !d.aliases.contains_key(n) && !d.dist_lists.contains_key(n), "{n}");
                assert!(rackdesk_core::names::mailbox_name("m", n).is_ok(), "{n}");
            }
            for m in d.ex_mailboxes.values() {
                assert!(m.permissions.keys().all(|w| d.ex_mailboxes.contains_key(w)));
                assert!(m.current_usage <= m.size);
            }
            for l in d.dist_lists.values() {
                assert!(!l.state.members.is_empty());
                for r in l.state.members.iter().chain(&l.state.senders) {
                    let known = match r.kind {
                        RecipientKind::Mailbox => d.ex_mailboxes.contains_key(&r.name),
                        RecipientKind::Contact => d.contacts.contains_key(&r.name),
                        RecipientKind::DistributionList => d.dist_lists.contains_key(&r.name),
                    };
                    assert!(known, "{r:?}");
                }
            }
        }
        assert_eq!(empty("1", "k", "s").domains["example.net"].service_type, "exchange");
    }

    #[test]
    fn the_demo_has_spam_settings_and_valid_entries_and_the_empty_data_has_none() {
        use crate::spam::{normalize_entry, ListName};
        let s = demo("1", "k", "s");
        let check = |l: &SpamLists| {
            for (name, set) in [("blocklist", &l.blocklist), ("ipblocklist", &l.ipblocklist), ("safelist", &l.safelist), ("ipsafelist", &l.ipsafelist)] {
                for e in set {
                    assert_eq!(normalize_entry(ListName::parse(name).unwrap(), e).as_deref(), Ok(e.as_str()), "{name}");
                }
            }
        };
        let mut entries = 0;
        let mut own_settings = (0, 0);
        for d in s.domains.values() {
            check(&d.spam.lists);
            entries += d.spam.lists.safelist.len();
            for m in d.mailboxes.values() {
                check(&m.spam.lists);
                own_settings.0 += usize::from(m.spam != Default::default());
            }
            for m in d.ex_mailboxes.values() {
                check(&m.spam.lists);
                own_settings.1 += usize::from(m.spam != Default::default());
            }
        }
        assert!(entries >= 5);
        assert_eq!(own_settings, (3, 3));
        assert_eq!(s.domains["northwind.example"].spam.filter_level, FilterLevel::On);
        let e = empty("1", "k", "s");
        for d in e.domains.values() {
            assert_eq!(d.spam, Default::default());
        }
    }

    #[test]
    fn demo_mailboxes_are_plausible() {
        let s = demo("1", "k", "s");
        for d in s.domains.values() {
            for (n, m) in &d.mailboxes {
                assert!(m.current_usage <= m.size, "{n}");
                assert!(rackdesk_core::names::mailbox_name("m", n).is_ok(), "{n}");
            }
            for members in d.aliases.values() {
                assert!(!members.is_empty());
            }
        }
    }
}

// ---- A large account (`large:N`) ----

/// The most mailboxes `large:N` makes.
pub const LARGE_MAX: u32 = 100_000;

/// A name not yet used in `taken`: `first.last`, else `first.x.last` with a middle initial,
/// else `first.last` with a number (always found).
fn unused_name(rng: &mut Rng, taken: &mut std::collections::HashSet<String>, first: &str, last: &str) -> String {
    let base = ascii_local(first, last);
    if taken.insert(base.clone()) {
        return base;
    }
    let (f, l) = base.split_once('.').unwrap_or((base.as_str(), ""));
    for _ in 0..3 {
        let initial = (b'a' + rng.below(26) as u8) as char;
        let n = format!("{f}.{initial}.{l}");
        if taken.insert(n.clone()) {
            return n;
        }
    }
    let mut k = 2 + rng.below(50);
    loop {
        let n = format!("{base}{k}");
        if taken.insert(n.clone()) {
            return n;
        }
        k += 1 + rng.below(7);
    }
}

/// `n` mailboxes over six domains: four of Rackspace Email (about 40, 25, 10 and 5 of every
/// hundred), one of Hosted Exchange (15) and one with both (5, shared between the services);
/// aliases on the Rackspace Email domains (one per hundred mailboxes), contacts on the
/// Exchange ones. Names mix the demo's two name lists; usage and logins as in the demo.
pub fn large(account: &str, user_key: &str, secret: &str, n: u32) -> Store {
    let n = n.min(LARGE_MAX) as usize;
    let mut rng = Rng::new(0x1A26_E000 ^ n as u64);
    let mut s = empty(account, user_key, secret);
    s.customer_name = format!("Large test account ({n} mailboxes)");
    s.domains.clear();
    let shares: [(&str, &str, f64); 6] = [
        ("globex.example", "rsemail", 0.40),
        ("initech.example", "rsemail", 0.25),
        ("umbrella.example", "rsemail", 0.10),
        ("hooli.example", "rsemail", 0.05),
        ("stark.example", "exchange", 0.15),
        ("wayne.example", "both", 0.05),
    ];
    let mut left = n;
    let firsts: Vec<&str> = FIRST.iter().chain(EX_FIRST.iter()).copied().collect();
    let lasts: Vec<&str> = LAST.iter().chain(EX_LAST.iter()).copied().collect();
    for (i, (name, service, share)) in shares.iter().enumerate() {
        let count = if i == shares.len() - 1 { left } else { ((n as f64 * share).round() as usize).min(left) };
        left -= count;
        let mut d = match *service {
            "exchange" => empty_exchange_domain(count as u64 + 100),
            _ => empty_domain(count as u64 + 100),
        };
        if *service == "both" {
            d.service_type = "both".into();
            d.exchange_base_mailbox_size = crate::exchange::MAX_EX_MAILBOX_MB;
            d.exchange_max_mailboxes = count as u64 + 100;
        }
        let mut taken = std::collections::HashSet::new();
        let ex_count = match *service {
            "exchange" => count,
            "both" => count / 2,
            _ => 0,
        };
        for k in 0..count {
            let first = *rng.pick(&firsts);
            let last = *rng.pick(&lasts);
            let local = unused_name(&mut rng, &mut taken, first, last);
            if k < ex_count {
                let rec = ex_person(&mut rng, &local, name, first, last);
                d.ex_mailboxes.insert(local, rec);
            } else {
                let rec = person_mailbox(&mut rng, first, last);
                d.mailboxes.insert(local, rec);
            }
        }
        if !d.mailboxes.is_empty() {
            let names: Vec<String> = d.mailboxes.keys().cloned().collect();
            for a in 0..(names.len() / 100).max(1) {
                let alias = format!("group-{a:04}");
                if taken.contains(&alias) {
                    continue;
                }
                let k = 1 + rng.below(8) as usize;
                let mut members: Vec<String> = (0..k).map(|_| format!("{}@{name}", rng.pick(&names))).collect();
                members.sort();
                members.dedup();
                d.aliases.insert(alias, members);
            }
        }
        if ex_count > 0 {
            add_contacts(&mut rng, &mut d, (ex_count / 50).clamp(1, 500));
        }
        s.domains.insert((*name).into(), d);
    }
    s
}
