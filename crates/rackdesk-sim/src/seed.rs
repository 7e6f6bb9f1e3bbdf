//! Deterministic demo data: the same account, people and numbers on every start, so a
//! screenshot, a practice session and a test all see the same world.

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
    let mut rng = Rng::new(0x5EED_0F_DE40);
    let mut s = empty(account, user_key, secret);
    s.customer_name = "Northwind Traders (demo)".into();
    s.reference_number = "NW-0042".into();
    s.domains.clear();
    s.admins.insert("dana.whitfield".into(), admin("Dana", "Whitfield", "super", "dana.whitfield@northwind.example"));
    s.admins.insert("helpdesk.lead".into(), admin("Sam", "Okoro", "standard", "sam.okoro@northwind.example"));
    s.admins.get_mut(API_ADMIN).map(|a| a.email = "it@northwind.example".into());

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
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_the_same_every_time() {
        let a = demo("1", "k", "s");
        let b = demo("1", "k", "s");
        let names = |s: &Store| -> Vec<String> { s.domains["fabrikam.example"].mailboxes.keys().cloned().collect() };
        assert_eq!(names(&a), names(&b));
        assert_eq!(a.domains["northwind.example"].mailboxes.len(), 260);
        let total: usize = a.domains.values().map(|d| d.mailboxes.len()).sum();
        assert_eq!(total, 394);
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
