//! One entry of a spam list, checked as a person types it, and the four lists.
//!
//! What the API takes (reference §6.4, §13): an address (`jane@example.com`), a whole domain
//! (`@example.com`), `%` as a wildcard for any text (`@%.example.com`, `news%@lists.example.org`)
//! on the address lists, and one IPv4 address on the IP lists. Rackdesk also reads a bare
//! domain typed by a person (`example.com`) as the whole domain (`@example.com`) and says so.

use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

/// Longest entry (the longest e-mail address, RFC 5321).
pub const MAX_ENTRY_LEN: usize = 254;

/// What an entry stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    /// One address, or addresses like it when it holds `%` (`news%@lists.example.org`).
    Address,
    /// Everyone at a domain: `@example.com`, or `@%.example.com` for its subdomains.
    Domain,
    /// One IPv4 address (the IP lists only).
    Ip,
}

/// One entry of a spam list, normalised (lower case, trimmed). Serialised as its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SpamEntry {
    text: String,
    kind: EntryKind,
}

impl Serialize for SpamEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for SpamEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(SpamEntry::from_server(&s))
    }
}

impl fmt::Display for SpamEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// An entry as typed, checked, with what Rackdesk made of it when it is not exactly what was
/// typed ("example.com was read as @example.com: everyone at that domain").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParsedEntry {
    pub entry: SpamEntry,
    pub note: Option<String>,
}

fn bad(raw: &str, reason: impl Into<String>) -> ApiError {
    let shown: String = raw.trim().chars().take(80).map(|c| if c.is_control() { '?' } else { c }).collect();
    ApiError::invalid(format!("entry \"{shown}\""), reason)
}

/// A domain with `%` wildcards allowed in its labels: two labels or more of letters, digits,
/// hyphens and `%`, the last (the top-level domain) without a wildcard and not all digits.
fn domain_ok(d: &str) -> bool {
    let labels: Vec<&str> = d.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'%')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let tld_ok = labels.last().is_some_and(|t| !t.contains('%') && !t.bytes().all(|b| b.is_ascii_digit()));
    d.len() <= 253 && labels.len() >= 2 && labels.iter().all(label_ok) && tld_ok
}

/// The part before the `@`: what an address may hold (RFC 5321 without quotes), `%` included.
fn local_ok(l: &str) -> bool {
    !l.is_empty()
        && l.len() <= 64
        && !l.starts_with('.')
        && !l.ends_with('.')
        && !l.contains("..")
        && l.chars().all(|c| c.is_ascii_graphic() && !"@\"(),:;<>[\\]".contains(c))
}

/// Looks like an IPv4 address someone meant (digits and dots only).
fn looks_like_ipv4(s: &str) -> bool {
    !s.is_empty() && s.contains('.') && s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'%' || b == b'*')
}

impl SpamEntry {
    /// Checks an entry typed by a person and normalises it. A bare domain (`example.com`) is
    /// read as the whole domain (`@example.com`) and the note says so. Errors say what to
    /// write instead; nothing is sent.
    pub fn parse(raw: &str) -> Result<ParsedEntry, ApiError> {
        let v = raw.trim();
        if v.is_empty() {
            return Err(ApiError::invalid("entry", "it is empty; write an address, @domain or an IP address"));
        }
        if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad(v, "it contains spaces; write one address, @domain or IP address per entry"));
        }
        if v.len() > MAX_ENTRY_LEN {
            return Err(bad(v, format!("it is longer than {MAX_ENTRY_LEN} characters")));
        }
        if !v.is_ascii() {
            return Err(bad(v, "it has letters outside plain ASCII; write an internationalised domain in its xn-- form"));
        }
        let lower = v.to_ascii_lowercase();
        if v.contains('*') {
            return Err(bad(v, "the wildcard is %, as in @%.example.com"));
        }
        if v.contains('/') && !v.contains('@') {
            return Err(bad(v, "ranges (CIDR) are not accepted; add each IPv4 address"));
        }
        if !v.contains('@') {
            if let Ok(ip) = v.parse::<IpAddr>() {
                return match ip {
                    IpAddr::V4(ip) => Ok(ParsedEntry { entry: SpamEntry { text: ip.to_string(), kind: EntryKind::Ip }, note: None }),
                    // [U] The reference names no IPv6 entries; the simulator refuses them, so
                    // Rackdesk never lets a person believe one is on a list.
                    IpAddr::V6(_) => Err(bad(v, "IPv6 addresses are not accepted; use an IPv4 address like 192.0.2.10")),
                };
            }
            if looks_like_ipv4(&lower) && lower.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
                return Err(bad(v, "it is not a valid IPv4 address; write four numbers from 0 to 255, like 192.0.2.10"));
            }
            if looks_like_ipv4(&lower) {
                return Err(bad(v, "IP entries take no wildcard; add each IPv4 address"));
            }
            if domain_ok(&lower) {
                let entry = SpamEntry { text: format!("@{lower}"), kind: EntryKind::Domain };
                let note = format!("{v} was read as @{lower}: everyone at that domain");
                return Ok(ParsedEntry { entry, note: Some(note) });
            }
            return Err(bad(v, "write a full address like jane@example.com, a whole domain like @example.com, or an IPv4 address"));
        }
        let (local, domain) = lower.rsplit_once('@').unwrap_or(("", ""));
        if local.contains('@') {
            return Err(bad(v, "it has more than one @"));
        }
        if !domain_ok(domain) {
            let why = if domain.contains('.') {
                "the part after the @ is not a domain (letters, digits and hyphens between dots; % for any text, not in the last part)"
            } else {
                "the part after the @ needs a dot, like example.com"
            };
            return Err(bad(v, why));
        }
        if local.is_empty() {
            return Ok(ParsedEntry { entry: SpamEntry { text: lower, kind: EntryKind::Domain }, note: None });
        }
        if !local_ok(local) {
            return Err(bad(v, "the part before the @ is not a valid address (no spaces, quotes, brackets, commas, or dots at either end)"));
        }
        Ok(ParsedEntry { entry: SpamEntry { text: lower, kind: EntryKind::Address }, note: None })
    }

    /// [`SpamEntry::parse`] for an entry about to be **added**: a wildcard so wide that it
    /// matches a whole top-level domain (`@%.com`, `%@%.org`) is refused. The API's own rule
    /// is not documented [U]; one entry that lets every `.com` sender past the filter (or
    /// blocks all of them) is never what a person meant, so the safe side is to ask.
    pub fn parse_new(raw: &str) -> Result<ParsedEntry, ApiError> {
        let p = Self::parse(raw)?;
        if let Some(domain) = p.entry.domain_pattern() {
            let labels: Vec<&str> = domain.split('.').collect();
            let specific = labels[..labels.len().saturating_sub(1)].iter().any(|l| l.bytes().any(|b| b.is_ascii_alphanumeric()));
            if !specific {
                return Err(bad(raw, format!(
                    "it would match every domain ending in .{}; name the domain, like @%.example.{}",
                    labels.last().copied().unwrap_or(""),
                    labels.last().copied().unwrap_or("com")
                )));
            }
        }
        Ok(p)
    }

    /// Refuses an entry that cannot travel in a request: empty, or with a comma (the list
    /// edit's separator), a space or a control character. Entries from [`SpamEntry::parse`]
    /// always pass; this guards ones built from other text (e.g. deserialised).
    pub fn check_sendable(&self) -> Result<(), ApiError> {
        if self.text.is_empty() || self.text.len() > MAX_ENTRY_LEN || self.text.chars().any(|c| c == ',' || c.is_whitespace() || c.is_control()) {
            return Err(bad(&self.text, "it cannot be sent: write one address, @domain or IP address, without commas or spaces"));
        }
        Ok(())
    }

    /// An entry as the server lists it: never refused (a list may hold entries written by
    /// other tools); its kind is read from its shape.
    pub fn from_server(raw: &str) -> SpamEntry {
        let text = raw.trim().to_ascii_lowercase();
        let kind = if text.parse::<Ipv4Addr>().is_ok() {
            EntryKind::Ip
        } else if text.starts_with('@') || !text.contains('@') {
            EntryKind::Domain
        } else {
            EntryKind::Address
        };
        SpamEntry { text, kind }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    pub fn has_wildcard(&self) -> bool {
        self.text.contains('%')
    }

    /// The domain part when the entry names one (addresses and whole domains).
    fn domain_pattern(&self) -> Option<&str> {
        match self.kind {
            EntryKind::Ip => None,
            _ => Some(self.text.rsplit_once('@').map(|(_, d)| d).unwrap_or(&self.text)),
        }
    }

    /// Whether the entry goes into a URL path as it is: only letters, digits and `. - _ + '`
    /// around the `@`. Others (a wildcard `%`, or a character such as `/` or `?` that a
    /// server might read as part of the URL) are sent in the body of a list edit instead.
    pub(crate) fn path_safe(&self) -> bool {
        self.text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+' | b'\'' | b'@'))
    }

    /// What the entry stands for, in words: "jane@example.com", "everyone at example.com",
    /// "everyone at any domain ending in .example.com", "the IP address 192.0.2.10".
    pub fn describe(&self) -> String {
        match self.kind {
            EntryKind::Ip => format!("the IP address {}", self.text),
            EntryKind::Domain => {
                let d = self.domain_pattern().unwrap_or("");
                match d.strip_prefix("%.") {
                    Some(rest) if !rest.contains('%') => format!("everyone at any domain ending in .{rest}"),
                    _ if d.contains('%') => format!("everyone at domains like {d} (% stands for any text)"),
                    _ => format!("everyone at {d}"),
                }
            }
            EntryKind::Address if self.has_wildcard() => format!("addresses like {} (% stands for any text)", self.text),
            EntryKind::Address => self.text.clone(),
        }
    }

    /// Whether mail from `sender` matches this entry. Case does not matter; `%` stands for
    /// any text, also none. A whole domain (`@example.com`) matches that domain only, not its
    /// subdomains: those are what `@%.example.com` is for ([U]; the reference shows the wildcard
    /// for subdomains, which would be needless if `@example.com` covered them). An IP entry
    /// matches only when the sender's IP address is known.
    pub fn matches(&self, sender: &Sender) -> bool {
        match self.kind {
            EntryKind::Ip => sender.ip.is_some_and(|ip| ip.to_string() == self.text),
            EntryKind::Domain => {
                let pat = self.domain_pattern().unwrap_or("");
                sender.address.as_ref().is_some_and(|(_, d)| like(pat, d))
            }
            EntryKind::Address => {
                let Some((lp, dp)) = self.text.rsplit_once('@') else { return false };
                sender.address.as_ref().is_some_and(|(l, d)| like(lp, l) && like(dp, d))
            }
        }
    }
}

/// SQL-`LIKE`-style matching: `%` is any text (also none), everything else itself, without
/// regard to ASCII case. Iterative, so no input can make it recurse deeply.
pub fn like(pattern: &str, text: &str) -> bool {
    let p: Vec<u8> = pattern.bytes().map(|b| b.to_ascii_lowercase()).collect();
    let t: Vec<u8> = text.bytes().map(|b| b.to_ascii_lowercase()).collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'%' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'%' {
        pi += 1;
    }
    pi == p.len()
}

/// A sender a person asks about: an address, and the sending server's IP address if known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sender {
    /// (local part, domain), lower case.
    pub address: Option<(String, String)>,
    pub ip: Option<Ipv4Addr>,
}

impl Sender {
    /// `jane@example.com`, or an IPv4 address alone.
    pub fn parse(raw: &str) -> Result<Sender, ApiError> {
        let v = raw.trim();
        if let Ok(ip) = v.parse::<Ipv4Addr>() {
            return Ok(Sender { address: None, ip: Some(ip) });
        }
        if !v.contains('@') {
            return Err(ApiError::invalid(
                "sender",
                format!("\"{v}\" is not an address; type the sender's full address, like jane@example.com (or the IP address of their server)"),
            ));
        }
        let a = crate::names::EmailAddress::parse_external("sender", v)?;
        Ok(Sender { address: Some((a.local.to_ascii_lowercase(), a.domain)), ip: None })
    }

    /// Adds the IP address of the server the mail came from.
    pub fn with_ip(mut self, ip: &str) -> Result<Sender, ApiError> {
        let ip = ip.trim().parse::<Ipv4Addr>().map_err(|_| ApiError::invalid("IP address", format!("\"{}\" is not an IPv4 address like 192.0.2.10", ip.trim())))?;
        self.ip = Some(ip);
        Ok(self)
    }

    /// How to name the sender in a sentence.
    pub fn name(&self) -> String {
        match (&self.address, self.ip) {
            (Some((l, d)), Some(ip)) => format!("{l}@{d} (from {ip})"),
            (Some((l, d)), None) => format!("{l}@{d}"),
            (None, Some(ip)) => format!("the server {ip}"),
            (None, None) => "this sender".into(),
        }
    }
}

/// Allow or block: the side of a list, whatever the entry (an IP address goes to the IP list
/// of that side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ListSide {
    Safe,
    Block,
}

impl ListSide {
    /// `safe`/`allow`/`safelist`… and `block`/`blocked`/`blocklist`/`blacklist`… in any case.
    pub fn parse(s: &str) -> Option<ListSide> {
        match s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "safe" | "safelist" | "allow" | "allowed" | "allowlist" | "whitelist" | "safesenders" | "ipsafe" | "ipsafelist" | "ipallow" => Some(ListSide::Safe),
            "block" | "blocked" | "blocklist" | "blacklist" | "blockedsenders" | "deny" | "ipblock" | "ipblocklist" | "ipblacklist" => Some(ListSide::Block),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ListSide::Safe => "safe",
            ListSide::Block => "block",
        }
    }
}

/// The four spam lists, by their current names (reference §13: `blacklist` became
/// `blocklist` and `ipblacklist` became `ipblocklist` in October 2020; `safelist` and
/// `ipsafelist` kept theirs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpamList {
    Safe,
    Block,
    IpSafe,
    IpBlock,
}

impl SpamList {
    pub const ALL: [SpamList; 4] = [SpamList::Safe, SpamList::Block, SpamList::IpSafe, SpamList::IpBlock];

    /// The name in the API's paths.
    pub fn api_name(self) -> &'static str {
        match self {
            SpamList::Safe => "safelist",
            SpamList::Block => "blocklist",
            SpamList::IpSafe => "ipsafelist",
            SpamList::IpBlock => "ipblocklist",
        }
    }

    /// What people call it: "safe senders", "blocked senders", "allowed IP addresses",
    /// "blocked IP addresses".
    pub fn label(self) -> &'static str {
        match self {
            SpamList::Safe => "safe senders",
            SpamList::Block => "blocked senders",
            SpamList::IpSafe => "allowed IP addresses",
            SpamList::IpBlock => "blocked IP addresses",
        }
    }

    /// What being on it does, in a sentence.
    pub fn explain(self) -> &'static str {
        match self {
            SpamList::Safe => "Mail from these addresses and domains is never treated as spam, and gets through even when the filter is exclusive.",
            SpamList::Block => "Mail from these addresses and domains is blocked: it is not delivered.",
            SpamList::IpSafe => "Mail sent from these servers (IP addresses) is never treated as spam.",
            SpamList::IpBlock => "Mail sent from these servers (IP addresses) is blocked: it is not delivered.",
        }
    }

    /// Its name in the API, and the older names that reach it (`blacklist`), in any case.
    pub fn parse(s: &str) -> Option<SpamList> {
        match s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "").as_str() {
            "safelist" | "safe" | "safesenders" | "allow" | "allowed" => Some(SpamList::Safe),
            "blocklist" | "blacklist" | "block" | "blocked" | "blockedsenders" => Some(SpamList::Block),
            "ipsafelist" | "ipsafe" | "ipallow" | "allowedips" => Some(SpamList::IpSafe),
            "ipblocklist" | "ipblacklist" | "ipblock" | "blockedips" => Some(SpamList::IpBlock),
            _ => None,
        }
    }

    pub fn is_ip(self) -> bool {
        matches!(self, SpamList::IpSafe | SpamList::IpBlock)
    }

    pub fn side(self) -> ListSide {
        match self {
            SpamList::Safe | SpamList::IpSafe => ListSide::Safe,
            SpamList::Block | SpamList::IpBlock => ListSide::Block,
        }
    }

    /// The list of `side` that takes entries of `kind`: an IP address goes to the IP list.
    pub fn for_entry(side: ListSide, kind: EntryKind) -> SpamList {
        match (side, kind == EntryKind::Ip) {
            (ListSide::Safe, false) => SpamList::Safe,
            (ListSide::Block, false) => SpamList::Block,
            (ListSide::Safe, true) => SpamList::IpSafe,
            (ListSide::Block, true) => SpamList::IpBlock,
        }
    }

    /// Refuses an entry this list cannot hold (an address on an IP list, or the reverse).
    pub fn check(self, e: &SpamEntry) -> Result<(), ApiError> {
        match (self.is_ip(), e.kind() == EntryKind::Ip) {
            (true, false) => Err(bad(e.as_str(), format!("the {} take IPv4 addresses only; put addresses and domains on the {}", self.label(), SpamList::for_entry(self.side(), e.kind()).label()))),
            (false, true) => Err(bad(e.as_str(), format!("the {} take addresses and domains; an IP address goes on the {}", self.label(), SpamList::for_entry(self.side(), e.kind()).label()))),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for SpamList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The four lists of one owner (a domain or a mailbox), as the server has them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpamLists {
    pub safe: Vec<SpamEntry>,
    pub block: Vec<SpamEntry>,
    pub ip_safe: Vec<SpamEntry>,
    pub ip_block: Vec<SpamEntry>,
}

impl SpamLists {
    pub fn get(&self, list: SpamList) -> &[SpamEntry] {
        match list {
            SpamList::Safe => &self.safe,
            SpamList::Block => &self.block,
            SpamList::IpSafe => &self.ip_safe,
            SpamList::IpBlock => &self.ip_block,
        }
    }

    pub fn get_mut(&mut self, list: SpamList) -> &mut Vec<SpamEntry> {
        match list {
            SpamList::Safe => &mut self.safe,
            SpamList::Block => &mut self.block,
            SpamList::IpSafe => &mut self.ip_safe,
            SpamList::IpBlock => &mut self.ip_block,
        }
    }

    /// Every entry of every list.
    pub fn iter(&self) -> impl Iterator<Item = (SpamList, &SpamEntry)> {
        SpamList::ALL.into_iter().flat_map(move |l| self.get(l).iter().map(move |e| (l, e)))
    }

    pub fn len(&self) -> usize {
        SpamList::ALL.iter().map(|l| self.get(*l).len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries whose text contains `text` (any case), for a search box.
    pub fn search(&self, text: &str) -> Vec<(SpamList, SpamEntry)> {
        let t = text.trim().to_ascii_lowercase();
        self.iter().filter(|(_, e)| t.is_empty() || e.as_str().contains(&t)).map(|(l, e)| (l, e.clone())).collect()
    }
}

/// Whether `entry` is on `list` (entries are compared as stored: lower case).
pub(crate) fn contains(list: &[SpamEntry], entry: &SpamEntry) -> bool {
    list.iter().any(|e| e.as_str() == entry.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> SpamEntry {
        SpamEntry::parse(s).unwrap_or_else(|e| panic!("{s}: {}", e.user_message())).entry
    }

    fn err(s: &str) -> String {
        SpamEntry::parse(s).map(|x| x.entry.to_string()).unwrap_err().user_message()
    }

    #[test]
    fn addresses_domains_wildcards_and_ips_are_read_and_normalised() {
        for (raw, text, kind) in [
            (" Jane@Example.COM ", "jane@example.com", EntryKind::Address),
            ("@example.com", "@example.com", EntryKind::Domain),
            ("@%.Example.com", "@%.example.com", EntryKind::Domain),
            ("news%@lists.example.org", "news%@lists.example.org", EntryKind::Address),
            ("%@example.com", "%@example.com", EntryKind::Address),
            ("o'brien+news@example.ie", "o'brien+news@example.ie", EntryKind::Address),
            ("192.0.2.10", "192.0.2.10", EntryKind::Ip),
            (" 203.0.113.5 ", "203.0.113.5", EntryKind::Ip),
        ] {
            let e = p(raw);
            assert_eq!((e.as_str(), e.kind()), (text, kind), "{raw}");
        }
    }

    #[test]
    fn a_bare_domain_is_read_as_the_whole_domain_and_says_so() {
        let x = SpamEntry::parse("Example.com").unwrap();
        assert_eq!(x.entry.as_str(), "@example.com");
        assert_eq!(x.entry.kind(), EntryKind::Domain);
        assert_eq!(x.note.as_deref(), Some("Example.com was read as @example.com: everyone at that domain"));
        assert!(SpamEntry::parse("@example.com").unwrap().note.is_none());
    }

    #[test]
    fn bad_entries_get_a_clear_reason() {
        assert!(err("").contains("empty"));
        assert!(err("jane doe@example.com").contains("spaces"));
        assert!(err("*@example.com").contains("the wildcard is %"));
        assert!(err("10.0.0.0/8").contains("CIDR"));
        assert!(err("2001:db8::1").contains("IPv6"));
        assert!(err("203.0.113").contains("not a valid IPv4 address"));
        assert!(err("203.0.113.256").contains("not a valid IPv4 address"));
        assert!(err("01.2.3.4").contains("not a valid IPv4 address"));
        assert!(err("203.0.113.%").contains("no wildcard"));
        assert!(err("jane").contains("full address"));
        assert!(err("jane@example").contains("needs a dot"));
        assert!(err("a@@example.com").contains("more than one @"));
        assert!(err("@example.%").contains("not a domain"));
        assert!(err("@-x.example.com").contains("not a domain"));
        assert!(err(".jane@example.com").contains("before the @"));
        assert!(err("ja\"ne@example.com").contains("before the @"));
        assert!(err("zoë@example.com").contains("ASCII"));
        assert!(err(&format!("{}@example.com", "a".repeat(250))).contains("longer than 254"));
        // Every message names the entry and ends with the usual "nothing was sent".
        let m = err("jane");
        assert!(m.starts_with("The entry \"jane\" is not valid: ") && m.ends_with("Nothing was sent to Rackspace."), "{m}");
    }

    #[test]
    fn new_entries_that_match_a_whole_top_level_domain_are_refused() {
        for raw in ["@%.com", "%@%.org", "@%.%.net", "%-%.co"] {
            assert!(SpamEntry::parse_new(raw).is_err(), "{raw}");
        }
        let e = SpamEntry::parse_new("@%.com").unwrap_err().user_message();
        assert!(e.contains("every domain ending in .com"), "{e}");
        for raw in ["@%.example.com", "@x%.com", "news%@example.org"] {
            assert!(SpamEntry::parse_new(raw).is_ok(), "{raw}");
        }
    }

    #[test]
    fn like_treats_percent_as_any_text() {
        assert!(like("%.example.com", "mail.example.com"));
        assert!(like("%.example.com", "a.b.example.com"));
        assert!(!like("%.example.com", "example.com"));
        assert!(like("news%", "news"));
        assert!(like("news%", "Newsletter"));
        assert!(like("%", ""));
        assert!(like("a%b%c", "aXXbYYc"));
        assert!(!like("a%b%c", "aXXbYY"));
        assert!(!like("example.com", "example.co"));
        // No pathological slowness on long input (the matcher never backtracks recursively).
        assert!(!like(&"%a".repeat(50), &"b".repeat(5000)));
        assert!(like(&"%a".repeat(50), &"a".repeat(5000)));
    }

    #[test]
    fn entries_match_senders_by_the_documented_rules() {
        let s = |a: &str| Sender::parse(a).unwrap();
        assert!(p("jane@example.com").matches(&s("JANE@Example.com")));
        assert!(!p("jane@example.com").matches(&s("jane@mail.example.com")));
        assert!(p("@example.com").matches(&s("anyone@example.com")));
        assert!(!p("@example.com").matches(&s("anyone@mail.example.com")), "a whole domain is not its subdomains");
        assert!(p("@%.example.com").matches(&s("anyone@mail.example.com")));
        assert!(!p("@%.example.com").matches(&s("anyone@example.com")));
        assert!(p("news%@lists.example.org").matches(&s("news-weekly@lists.example.org")));
        assert!(!p("news%@lists.example.org").matches(&s("info@lists.example.org")));
        assert!(p("%@example.com").matches(&s("x@example.com")));
        let ip = Sender::parse("x@y.example").unwrap().with_ip("192.0.2.10").unwrap();
        assert!(p("192.0.2.10").matches(&ip));
        assert!(!p("192.0.2.10").matches(&s("x@y.example")), "no IP known: no IP entry matches");
        assert!(Sender::parse("192.0.2.1").unwrap().address.is_none());
        assert!(Sender::parse("example.com").unwrap_err().user_message().contains("full address"));
        assert!(Sender::parse("x@y.example").unwrap().with_ip("nope").is_err());
    }

    #[test]
    fn lists_are_chosen_from_the_side_and_the_entry() {
        assert_eq!(SpamList::for_entry(ListSide::Safe, p("192.0.2.1").kind()), SpamList::IpSafe);
        assert_eq!(SpamList::for_entry(ListSide::Block, p("@x.example").kind()), SpamList::Block);
        assert_eq!(SpamList::parse("blacklist"), Some(SpamList::Block));
        assert_eq!(SpamList::parse("IPBlackList"), Some(SpamList::IpBlock));
        assert_eq!(SpamList::parse("allowlist"), None, "there is no allowlist (§13)");
        assert_eq!(ListSide::parse("Allow"), Some(ListSide::Safe));
        assert_eq!(ListSide::parse("blocked senders"), Some(ListSide::Block));
        assert!(SpamList::IpSafe.check(&p("a@b.example")).unwrap_err().user_message().contains("IPv4 addresses only"));
        assert!(SpamList::Block.check(&p("192.0.2.1")).unwrap_err().user_message().contains("blocked IP addresses"));
        assert_eq!(SpamList::ALL.map(|l| l.api_name()), ["safelist", "blocklist", "ipsafelist", "ipblocklist"]);
    }

    #[test]
    fn entries_say_what_they_stand_for_and_how_they_travel() {
        assert_eq!(p("@%.example.com").describe(), "everyone at any domain ending in .example.com");
        assert_eq!(p("@example.com").describe(), "everyone at example.com");
        assert_eq!(p("192.0.2.1").describe(), "the IP address 192.0.2.1");
        assert!(p("news%@x.example").describe().contains("% stands for any text"));
        assert!(p("jane@example.com").path_safe());
        assert!(!p("@%.example.com").path_safe());
        assert!(!p("a/b@example.com").path_safe());
        assert_eq!(SpamEntry::from_server("@%.COM").as_str(), "@%.com");
        assert_eq!(SpamEntry::from_server("192.0.2.1").kind(), EntryKind::Ip);
        assert!(SpamEntry::from_server("a@b.example,c@d.example").check_sendable().is_err());
        assert!(p("@%.example.com").check_sendable().is_ok());
        let json = serde_json::to_string(&p("@example.com")).unwrap();
        assert_eq!(json, "\"@example.com\"");
    }
}
