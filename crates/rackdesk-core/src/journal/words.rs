//! The journal in plain language: one sentence per entry ("Reset the password of
//! tess@example.com"), a few lines of detail, and the result in words. The stored entry keeps
//! its action code and raw changes (for filters, tests and the CSV export); people read these.

use super::{Entry, Outcome};
use serde_json::Value;

/// A size in MB as people say it: "512 MB", "25 GB", "1.5 GB".
pub fn size_words(mb: u64) -> String {
    if mb < 1024 {
        return format!("{mb} MB");
    }
    let gb = mb as f64 / 1024.0;
    if mb.is_multiple_of(1024) {
        format!("{} GB", mb / 1024)
    } else {
        format!("{:.1} GB", gb)
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        Value::Null => "nothing".into(),
        Value::Array(a) if a.is_empty() => "nobody".into(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn old_new<'a>(e: &'a Entry, field: &str) -> (Option<&'a Value>, Option<&'a Value>) {
    let c = e.changes.get(field);
    (c.and_then(|c| c.get("old")), c.and_then(|c| c.get("new")))
}

fn size_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_u64).map(size_words)
}

/// "a", "a and b", "a, b and c".
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Who joined and who left a list (case does not matter).
fn diff(old: &[String], new: &[String]) -> (Vec<String>, Vec<String>) {
    let has = |l: &[String], x: &String| l.iter().any(|y| y.eq_ignore_ascii_case(x));
    let added = new.iter().filter(|x| !has(old, x)).cloned().collect();
    let removed = old.iter().filter(|x| !has(new, x)).cloned().collect();
    (added, removed)
}

fn forwarding_line(old: Option<&Value>, new: Option<&Value>) -> String {
    let new = list(new);
    let was = old.map(|o| list(Some(o)));
    let now = if new.is_empty() { "Forwarding is off".to_string() } else { format!("Forwards to {}", and_list(&new)) };
    match was {
        Some(w) if w.is_empty() => format!("{now} (before: no forwarding)"),
        Some(w) => format!("{now} (before: {})", and_list(&w)),
        None => now,
    }
}

fn auto_reply_line(old: Option<&Value>, new: Option<&Value>) -> String {
    let on = |v: Option<&Value>| v.and_then(|v| v.get("enabled")).and_then(Value::as_bool).unwrap_or(false);
    let msg = |v: Option<&Value>| v.and_then(|v| v.get("message")).and_then(Value::as_str).unwrap_or("").to_owned();
    if on(new) {
        format!("Auto-reply on: \"{}\"", msg(new))
    } else if old.is_some() && on(old) {
        format!("Auto-reply off (it said: \"{}\")", msg(old))
    } else {
        "Auto-reply off".into()
    }
}

/// One line per changed field of a mailbox, in words.
fn mailbox_lines(e: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    let Some(o) = e.changes.as_object() else { return out };
    for (k, _) in o {
        let (old, new) = old_new(e, k);
        let line = match k.as_str() {
            "displayName" => match old {
                Some(o) => format!("Display name \"{}\" (before: \"{}\")", text(new.unwrap_or(&Value::Null)), text(o)),
                None => format!("Display name \"{}\"", text(new.unwrap_or(&Value::Null))),
            },
            "enabled" => match new.and_then(Value::as_bool) {
                Some(true) => "Enabled".into(),
                _ => "Disabled".into(),
            },
            "size" => match (size_of(old), size_of(new)) {
                (Some(a), Some(b)) => format!("Size {b} (before: {a})"),
                (None, Some(b)) => format!("Size {b}"),
                _ => continue,
            },
            "forwarding" => forwarding_line(old, new),
            "keepCopy" => match new.and_then(Value::as_bool) {
                Some(true) => "Keeps a copy of forwarded mail".into(),
                _ => "Keeps no copy of forwarded mail".into(),
            },
            "autoReply" => auto_reply_line(old, new),
            "password" => "New password (never recorded)".into(),
            _ => continue,
        };
        out.push(line);
    }
    out
}

/// One line per changed field of an Exchange mailbox, contact or list, in words.
fn exchange_lines(e: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    let Some(o) = e.changes.as_object() else { return out };
    let quoted = |v: Option<&Value>| format!("\"{}\"", text(v.unwrap_or(&Value::Null)));
    for (k, _) in o {
        let (old, new) = old_new(e, k);
        let before = |now: String| match old {
            Some(o) if !o.is_null() => format!("{now} (before: {})", if o.is_string() { format!("\"{}\"", text(o)) } else { text(o) }),
            _ => now,
        };
        let line = match k.as_str() {
            "displayName" => before(format!("Display name {}", quoted(new))),
            "description" => before(format!("Description {}", quoted(new))),
            "externalEmail" => before(format!("Outside address {}", text(new.unwrap_or(&Value::Null)))),
            "enabled" => if new.and_then(Value::as_bool) == Some(true) { "Enabled".into() } else { "Disabled".into() },
            "size" => match (size_of(old), size_of(new)) {
                (Some(a), Some(b)) => format!("Size {b} (before: {a})"),
                (None, Some(b)) => format!("Size {b}"),
                _ => continue,
            },
            "forwarding" => {
                let now = new.and_then(Value::as_str).unwrap_or("");
                let now = if now.is_empty() { "Forwarding is off".to_string() } else { format!("Forwards to {now}") };
                match old.and_then(Value::as_str) {
                    Some("") => format!("{now} (before: no forwarding)"),
                    Some(w) => format!("{now} (before: {w})"),
                    None => now,
                }
            }
            "keepCopy" => if new.and_then(Value::as_bool) == Some(true) { "Keeps a copy of forwarded mail".into() } else { "Keeps no copy of forwarded mail".into() },
            "hidden" => if new.and_then(Value::as_bool) == Some(true) { "Hidden from the address book".into() } else { "Shown in the address book".into() },
            "password" => "New password (never recorded)".into(),
            "members" | "senders" => {
                let who = if k == "members" { "Members" } else { "Allowed senders" };
                match (list(e.changes[k].get("added")), list(e.changes[k].get("removed"))) {
                    (a, _) if !a.is_empty() => format!("{who}: {}", and_list(&a)),
                    (_, r) if !r.is_empty() => format!("{who} removed: {}", and_list(&r)),
                    _ => continue,
                }
            }
            field => match crate::exchange::ContactFields::label_of(field) {
                Some(label) => {
                    let mut l = label.to_string();
                    if let Some(c) = l.get_mut(0..1) {
                        c.make_ascii_uppercase();
                    }
                    match new.and_then(Value::as_str) {
                        Some("") => before(format!("{l} cleared")),
                        _ => before(format!("{l} {}", quoted(new))),
                    }
                }
                None => continue,
            },
        };
        out.push(line);
    }
    out
}

/// "ana@example.com" from a permission entry.
fn delegate_of(e: &Entry) -> String {
    e.changes.get("delegate").and_then(Value::as_str).unwrap_or("someone").to_owned()
}

/// What a permission lets a delegate do, in words.
fn permission_words(v: Option<&Value>) -> String {
    match v.and_then(Value::as_str) {
        Some(p) => match crate::exchange::PermissionLevel::parse(p) {
            Ok(l) => l.label().to_owned(),
            Err(_) => format!("\"{p}\""),
        },
        None => "nothing".into(),
    }
}

fn exchange_summary(e: &Entry) -> Option<String> {
    let t = e.target.as_str();
    let changed = |field: &str| e.changes.get(field);
    Some(match e.action.as_str() {
        "exchange.mailbox.create" => match size_of(old_new(e, "size").1) {
            Some(s) => format!("Created the Exchange mailbox {t} ({s})"),
            None => format!("Created the Exchange mailbox {t}"),
        },
        "exchange.mailbox.enable" => format!("Enabled the Exchange mailbox {t}"),
        "exchange.mailbox.disable" => format!("Disabled the Exchange mailbox {t}"),
        "exchange.mailbox.reset-password" => format!("Reset the password of the Exchange mailbox {t}"),
        "exchange.mailbox.change" => format!("Changed the Exchange mailbox {t}"),
        "exchange.mailbox.delete" => format!("Deleted the Exchange mailbox {t}"),
        "exchange.permission.grant" => {
            format!("Let {} use {t} ({})", delegate_of(e), permission_words(old_new(e, "permission").1))
        }
        "exchange.permission.change" => match old_new(e, "permission") {
            (Some(o), n) if !o.is_null() => format!(
                "Changed what {} may do with {t} from {} to {}",
                delegate_of(e),
                permission_words(Some(o)),
                permission_words(n)
            ),
            (_, n) => format!("Changed what {} may do with {t} to {}", delegate_of(e), permission_words(n)),
        },
        "exchange.permission.revoke" => format!("Took away {}'s use of {t}", delegate_of(e)),
        "exchange.contact.create" => match (old_new(e, "displayName").1, old_new(e, "externalEmail").1) {
            (Some(n), Some(a)) => format!("Created the contact {t}: \"{}\", {}", text(n), text(a)),
            _ => format!("Created the contact {t}"),
        },
        "exchange.contact.change" => format!("Changed the contact {t}"),
        "exchange.contact.delete" => format!("Deleted the contact {t}"),
        "exchange.list.create" => format!("Created the distribution list {t}"),
        "exchange.list.change" => format!("Changed the distribution list {t}"),
        "exchange.list.delete" => format!("Deleted the distribution list {t}"),
        "exchange.list.members" | "exchange.list.senders" => {
            let senders = e.action.ends_with("senders");
            let c = changed(if senders { "senders" } else { "members" });
            let added = list(c.and_then(|c| c.get("added")));
            let removed = list(c.and_then(|c| c.get("removed")));
            match (senders, added.is_empty()) {
                (false, false) => format!("Added {} to the distribution list {t}", and_list(&added)),
                (false, true) => format!("Removed {} from the distribution list {t}", and_list(&removed)),
                (true, false) => format!("Allowed {} to send to the distribution list {t}", and_list(&added)),
                (true, true) => format!("Took {} off the allowed senders of the distribution list {t}", and_list(&removed)),
            }
        }
        _ => return None,
    })
}

fn exchange_details(e: &Entry) -> Vec<String> {
    let d = e.changes.get("deleted");
    let s = |k: &str| d.and_then(|d| d.get(k)).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned);
    let n = |k: &str| d.and_then(|d| d.get(k)).and_then(Value::as_u64);
    match e.action.as_str() {
        "exchange.mailbox.create" => exchange_lines(e).into_iter().filter(|l| !l.starts_with("Size ")).collect(),
        "exchange.mailbox.delete" => {
            let mut v = Vec::new();
            if let Some(name) = s("displayName") {
                v.push(format!("Display name \"{name}\""));
            }
            match (n("usedMB"), n("sizeMB")) {
                (Some(u), Some(z)) => v.push(format!("It held {} of mail (size {})", size_words(u), size_words(z))),
                (None, Some(z)) => v.push(format!("Its size was {}", size_words(z))),
                _ => {}
            }
            v
        }
        "exchange.contact.delete" => match (s("displayName"), s("externalEmail")) {
            (Some(a), Some(b)) => vec![format!("It was \"{a}\", {b}")],
            (Some(a), None) => vec![format!("It was \"{a}\"")],
            _ => vec![],
        },
        "exchange.list.delete" => {
            let mut v = Vec::new();
            if let Some(name) = s("displayName") {
                v.push(format!("Display name \"{name}\""));
            }
            if let Some(m) = n("memberCount") {
                v.push(if m == 1 { "It had 1 member".into() } else { format!("It had {m} members") });
            }
            v
        }
        "exchange.contact.create" => exchange_lines(e).into_iter().filter(|l| !l.starts_with("Display name") && !l.starts_with("Outside address")).collect(),
        "exchange.mailbox.enable" | "exchange.mailbox.disable" | "exchange.mailbox.reset-password" | "exchange.list.members" | "exchange.list.senders" => vec![],
        a if a.starts_with("exchange.permission.") => vec![],
        _ => exchange_lines(e),
    }
}

/// Whose spam protection an entry is about: "jane@example.com" or "the domain example.com".
fn spam_owner(t: &str) -> String {
    if t.contains('@') {
        t.to_owned()
    } else {
        format!("the domain {t}")
    }
}

fn spam_list_label(e: &Entry) -> &'static str {
    e.changes.get("list").and_then(Value::as_str).and_then(crate::spam::SpamList::parse).map(|l| l.label()).unwrap_or("spam lists")
}

fn filter_words(v: Option<&Value>) -> String {
    match v.and_then(Value::as_str).and_then(crate::spam::FilterLevel::parse) {
        Some(crate::spam::FilterLevel::On) => "on".into(),
        Some(crate::spam::FilterLevel::Off) => "off".into(),
        Some(crate::spam::FilterLevel::Exclusive) => "exclusive (only safe senders get through)".into(),
        None => text(v.unwrap_or(&Value::Null)),
    }
}

fn handling_words(v: Option<&Value>) -> String {
    use crate::spam::SpamHandling as H;
    match v.and_then(Value::as_str).and_then(H::parse) {
        Some(H::ToFolder) => "moved to the Spam folder".into(),
        Some(H::Delete) => "deleted".into(),
        Some(H::LabelSubject) => "delivered with a spam label in the subject".into(),
        Some(H::ToAddress) => "forwarded to another address".into(),
        None => text(v.unwrap_or(&Value::Null)),
    }
}

fn limit_words(v: Option<&Value>, unit: &str) -> String {
    match v.and_then(Value::as_u64) {
        Some(0) | None => "none".into(),
        Some(1) => format!("1 {unit}"),
        Some(n) => format!("{n} {unit}s"),
    }
}

fn spam_summary(e: &Entry) -> Option<String> {
    let who = spam_owner(&e.target);
    Some(match e.action.as_str() {
        "spam.domain.settings" if e.changes.get("applyToAllMailboxes").and_then(Value::as_bool) == Some(true) => {
            format!("Changed the spam settings of {who} and applied them to every mailbox")
        }
        "spam.domain.settings" | "spam.mailbox.settings" => format!("Changed the spam settings of {who}"),
        "spam.domain.lists" | "spam.mailbox.lists" | "spam.mailbox.safe-senders" => {
            let label = spam_list_label(e);
            let added = list(e.changes.get("added"));
            let removed = list(e.changes.get("removed"));
            match (added.is_empty(), removed.is_empty()) {
                (false, true) => format!("Added {} to the {label} of {who}", and_list(&added)),
                (true, false) => format!("Removed {} from the {label} of {who}", and_list(&removed)),
                (false, false) => format!("Changed the {label} of {who}: added {}; removed {}", and_list(&added), and_list(&removed)),
                (true, true) => format!("Changed the {label} of {who}"),
            }
        }
        _ => return None,
    })
}

/// One line per spam setting that changed, in words.
fn spam_details(e: &Entry) -> Vec<String> {
    let mut out = Vec::new();
    let Some(o) = e.changes.as_object() else { return out };
    let before = |old: Option<&Value>, words: &dyn Fn(Option<&Value>) -> String| match old {
        Some(_) => format!(" (before: {})", words(old)),
        None => String::new(),
    };
    let who = |v: Option<&Value>| match v {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => "nobody".to_string(),
    };
    for k in o.keys() {
        let (old, new) = old_new(e, k);
        let line = match k.as_str() {
            "filterLevel" => format!("Spam filter {}{}", filter_words(new), before(old, &filter_words)),
            "handling" => format!("Spam is {}{}", handling_words(new), before(old, &handling_words)),
            "folderCleaner" => if new.and_then(Value::as_bool) == Some(true) { "Spam folder cleaner on".into() } else { "Spam folder cleaner off".into() },
            "folderAgeLimit" => format!("Spam folder age limit {}{}", limit_words(new, "day"), before(old, &|v| limit_words(v, "day"))),
            "folderCountLimit" => format!("Spam folder size limit {}{}", limit_words(new, "message"), before(old, &|v| limit_words(v, "message"))),
            "forwardTo" => format!("Spam forwarded to {}{}", who(new), before(old, &who)),
            "domainQuarantine" => format!("Exchange domain quarantine {}{}", text(new.unwrap_or(&Value::Null)), before(old, &|v| text(v.unwrap_or(&Value::Null)))),
            "sendToDomainQuarantine" => if new.and_then(Value::as_bool) == Some(true) { "Spam held in the domain's quarantine".into() } else { "Spam held in the mailbox's own quarantine".into() },
            "quarantineOwner" => format!("Quarantine owner {}{}", who(new), before(old, &who)),
            "defaultQuarantineOwner" => format!("Default quarantine owner {}{}", who(new), before(old, &who)),
            "applyToAllMailboxes" => "Applied to every mailbox of the domain (their own settings replaced)".into(),
            _ => continue,
        };
        out.push(line);
    }
    out
}

fn bulk_kind_label(action: &str) -> Option<&'static str> {
    action.strip_prefix("bulk.").and_then(crate::bulk::JobKind::parse).map(|k| k.label())
}

/// The sentence a person reads for a journal entry: what was done (or tried), to what.
pub fn summary(e: &Entry) -> String {
    if let Some(s) = exchange_summary(e) {
        return s;
    }
    if let Some(s) = spam_summary(e) {
        return s;
    }
    let t = e.target.as_str();
    let (old, new) = old_new(e, "members");
    match e.action.as_str() {
        "mailbox.create" => match size_of(old_new(e, "size").1) {
            Some(s) => format!("Created the mailbox {t} ({s})"),
            None => format!("Created the mailbox {t}"),
        },
        "mailbox.reset-password" => format!("Reset the password of {t}"),
        "mailbox.enable" => format!("Enabled {t}"),
        "mailbox.disable" => format!("Disabled {t}"),
        "mailbox.enable-disable" => match old_new(e, "enabled").1.and_then(Value::as_bool) {
            Some(true) => format!("Enabled {t}"),
            Some(false) => format!("Disabled {t}"),
            None => format!("Enabled or disabled {t}"),
        },
        "mailbox.size" => {
            let (o, n) = old_new(e, "size");
            match (size_of(o), size_of(n)) {
                (Some(a), Some(b)) => format!("Changed the size of {t} from {a} to {b}"),
                (None, Some(b)) => format!("Changed the size of {t} to {b}"),
                _ => format!("Changed the size of {t}"),
            }
        }
        "mailbox.display-name" => match old_new(e, "displayName") {
            (Some(o), Some(n)) => format!("Renamed {t} from \"{}\" to \"{}\"", text(o), text(n)),
            (None, Some(n)) => format!("Set the display name of {t} to \"{}\"", text(n)),
            _ => format!("Changed the display name of {t}"),
        },
        "mailbox.forwarding" => match old_new(e, "forwarding").1.map(|v| list(Some(v))) {
            Some(n) if n.is_empty() => format!("Stopped forwarding the mail of {t}"),
            Some(n) => format!("Forwarded the mail of {t} to {}", and_list(&n)),
            None => format!("Changed the forwarding of {t}"),
        },
        "mailbox.auto-reply" => {
            let on = old_new(e, "autoReply").1.and_then(|v| v.get("enabled")).and_then(Value::as_bool);
            match on {
                Some(true) => format!("Turned on the auto-reply of {t}"),
                Some(false) => format!("Turned off the auto-reply of {t}"),
                None => format!("Changed the auto-reply of {t}"),
            }
        }
        "mailbox.change" => format!("Changed {t}"),
        "mailbox.delete" => format!("Deleted the mailbox {t}"),
        "alias.create" => format!("Created the alias {t}, delivering to {}", and_list(&list(new))),
        "alias.members" => {
            let (added, removed) = diff(&list(old), &list(new));
            match (added.as_slice(), removed.as_slice()) {
                ([], []) if old.is_none() => format!("Set who {t} delivers to: {}", and_list(&list(new))),
                ([], []) => format!("Left the members of {t} as they were"),
                (a, []) => format!("Added {} to {t}", and_list(a)),
                ([], r) => format!("Removed {} from {t}", and_list(r)),
                (a, r) => format!("Added {} to {t} and removed {}", and_list(a), and_list(r)),
            }
        }
        "alias.delete" => format!("Deleted the alias {t}"),
        "admin.create" => format!("Created the admin login {t}"),
        "role.switch" => match old_new(e, "role") {
            (Some(o), Some(n)) => format!("Switched {t} from {} to {}", text(o), text(n)),
            (_, Some(n)) => format!("Switched {t} to {}", text(n)),
            _ => format!("Switched the role of {t}"),
        },
        "operator.set" => match old_new(e, "operator").1 {
            Some(n) => format!("Set the operator on this computer to {}", text(n)),
            None => "Set the operator on this computer".into(),
        },
        "operator.full-name" => match old_new(e, "fullName").1 {
            Some(Value::String(n)) if !n.is_empty() => format!("Set the full name of {t} to \"{n}\""),
            _ => format!("Cleared the full name of {t}"),
        },
        "passphrase.set" => "Set the super-admin passphrase".into(),
        "keys.add" => format!("Connected the account \"{t}\" (its API keys stored in the vault)"),
        "keys.verify" => format!("Checked the API keys of \"{t}\""),
        "keys.rotate" => format!("Replaced the API keys of \"{t}\""),
        "keys.remove" => format!("Removed \"{t}\" and its API keys"),
        "identity.use" => format!("Switched to acting through \"{t}\""),
        "team.connect" => format!("Connected this computer to the team journal {t}"),
        "team.init" => format!("Set up the team journal database {t}"),
        "team.disconnect" => format!("Left the team journal {t} (this computer's journal is kept)"),
        "team.help-desk-view" => match old_new(e, "helpDeskView").1.and_then(Value::as_str) {
            Some("read-only") => "Let the help desk see the team journal, read only".into(),
            Some(_) => "Hid the team journal from the help desk".into(),
            None => "Changed what the help desk sees of the team journal".into(),
        },
        a => match bulk_kind_label(a) {
            Some(label) => format!("Started a bulk job to {label} ({t})"),
            None => format!("Changed {t}"),
        },
    }
}

/// A few lines of detail in words (never codes, JSON or bare numbers of MB).
pub fn details(e: &Entry) -> Vec<String> {
    let (old, new) = old_new(e, "members");
    let mut out = match e.action.as_str() {
        a if a.starts_with("exchange.") => exchange_details(e),
        "spam.domain.settings" | "spam.mailbox.settings" => spam_details(e),
        "mailbox.create" => mailbox_lines(e).into_iter().filter(|l| !l.starts_with("Size ")).collect(),
        "mailbox.delete" => {
            let d = e.changes.get("deleted");
            let mut v = Vec::new();
            if let Some(n) = d.and_then(|d| d.get("displayName")).and_then(Value::as_str).filter(|n| !n.is_empty()) {
                v.push(format!("Display name \"{n}\""));
            }
            match (d.and_then(|d| d.get("usedMB")).and_then(Value::as_u64), d.and_then(|d| d.get("sizeMB")).and_then(Value::as_u64)) {
                (Some(u), Some(s)) => v.push(format!("It held {} of mail (size {})", size_words(u), size_words(s))),
                (None, Some(s)) => v.push(format!("Its size was {}", size_words(s))),
                _ => {}
            }
            v
        }
        "alias.members" if old.is_some() => {
            let now = list(new);
            vec![if now.is_empty() { "Now delivers to nobody".into() } else { format!("Now delivers to {}", and_list(&now)) }]
        }
        "alias.delete" => {
            let m = list(e.changes.get("deleted").and_then(|d| d.get("members")));
            if m.is_empty() { vec![] } else { vec![format!("It delivered to {}", and_list(&m))] }
        }
        "mailbox.size" | "mailbox.enable" | "mailbox.disable" | "mailbox.reset-password" | "alias.create" => vec![],
        a if a.starts_with("mailbox.") => mailbox_lines(e),
        "keys.add" => {
            let mut v = Vec::new();
            if let Some(a) = old_new(e, "account").1 {
                v.push(format!("Account {}", text(a)));
            }
            if let Some(a) = old_new(e, "apiAdmin").1.filter(|a| !a.is_null()) {
                v.push(format!("API admin {}", text(a)));
            }
            if let Some(a) = old_new(e, "apiAddress").1 {
                v.push(format!("API address {}", text(a)));
            }
            v
        }
        "keys.rotate" => match old_new(e, "userKey") {
            (Some(o), Some(n)) => vec![format!("User key {} (before: {})", text(n), text(o))],
            _ => vec![],
        },
        "team.connect" => {
            let mut v = Vec::new();
            if let Some(l) = old_new(e, "login").1.and_then(Value::as_str) {
                v.push(format!("As the database login {l}"));
            }
            if let Some(t) = old_new(e, "trust").1.and_then(Value::as_str) {
                v.push(format!("Server certificate checked against {t}"));
            }
            v
        }
        "team.init" => match old_new(e, "pcLogin").1.and_then(Value::as_str) {
            Some(l) => vec![format!("Login for the computers: {l}")],
            None => vec![],
        },
        "operator.set" => match old_new(e, "role").1 {
            Some(r) => vec![format!("Role: {}", text(r))],
            None => vec![],
        },
        _ => vec![],
    };
    if let Some(c) = &e.correlation_id {
        out.push(format!("Part of bulk job {c}"));
    }
    out
}

/// The result in words: "Done", "Failed: …", "Refused: …".
pub fn result_words(o: Option<&Outcome>) -> String {
    match o {
        None => "Not finished: Rackdesk stopped before the answer arrived; it is checked on the next start".into(),
        Some(Outcome::Success) => "Done".into(),
        Some(Outcome::Failed { message, server_message, .. }) => match server_message {
            Some(s) => format!("Failed: {message} (Rackspace said: {s})"),
            None => format!("Failed: {message}"),
        },
        Some(Outcome::Refused { reason }) => format!("Refused: {reason}"),
        Some(Outcome::Unknown { note }) => format!("Outcome unknown: {note}"),
        Some(Outcome::Reconciled { result }) => format!("Checked later: {result}"),
    }
}

/// Plain words a person may type to find entries, mapped to the action codes they mean
/// ("reset" finds `mailbox.reset-password`). `None` when the words name no action.
pub fn actions_for_words(words: &str) -> Option<Vec<&'static str>> {
    const WORDS: &[(&str, &[&str])] = &[
        ("reset", &["mailbox.reset-password", "exchange.mailbox.reset-password"]),
        ("password", &["mailbox.reset-password", "exchange.mailbox.reset-password"]),
        ("create", &["mailbox.create", "alias.create", "admin.create", "exchange.mailbox.create", "exchange.contact.create", "exchange.list.create"]),
        ("delete", &["mailbox.delete", "alias.delete", "exchange.mailbox.delete", "exchange.contact.delete", "exchange.list.delete"]),
        ("disable", &["mailbox.disable", "mailbox.enable-disable", "exchange.mailbox.disable"]),
        ("enable", &["mailbox.enable", "mailbox.enable-disable", "exchange.mailbox.enable"]),
        ("exchange", &[
            "exchange.mailbox.create", "exchange.mailbox.change", "exchange.mailbox.enable", "exchange.mailbox.disable",
            "exchange.mailbox.reset-password", "exchange.mailbox.delete",
        ]),
        ("permission", &["exchange.permission.grant", "exchange.permission.change", "exchange.permission.revoke"]),
        ("delegate", &["exchange.permission.grant", "exchange.permission.change", "exchange.permission.revoke"]),
        ("contact", &["exchange.contact.create", "exchange.contact.change", "exchange.contact.delete"]),
        ("distribution list", &["exchange.list.create", "exchange.list.change", "exchange.list.members", "exchange.list.senders", "exchange.list.delete"]),
        ("list", &["exchange.list.create", "exchange.list.change", "exchange.list.members", "exchange.list.senders", "exchange.list.delete"]),
        ("sender", &["exchange.list.senders"]),
        ("size", &["mailbox.size"]),
        ("forward", &["mailbox.forwarding"]),
        ("auto-reply", &["mailbox.auto-reply"]),
        ("autoreply", &["mailbox.auto-reply"]),
        ("vacation", &["mailbox.auto-reply"]),
        ("rename", &["mailbox.display-name"]),
        ("display name", &["mailbox.display-name"]),
        ("alias", &["alias.create", "alias.members", "alias.delete"]),
        ("member", &["alias.members", "exchange.list.members"]),
        ("role", &["role.switch"]),
        ("keys", &["keys.add", "keys.verify", "keys.rotate", "keys.remove"]),
        ("rotate", &["keys.rotate"]),
        ("passphrase", &["passphrase.set"]),
        ("operator", &["operator.set", "operator.full-name"]),
        ("spam", &["spam.domain.lists", "spam.domain.settings", "spam.mailbox.lists", "spam.mailbox.safe-senders", "spam.mailbox.settings"]),
        ("safe sender", &["spam.domain.lists", "spam.mailbox.safe-senders"]),
        ("safelist", &["spam.domain.lists", "spam.mailbox.safe-senders"]),
        ("block", &["spam.domain.lists", "spam.mailbox.lists"]),
        ("quarantine", &["spam.domain.settings", "spam.mailbox.settings"]),
        ("team", &["team.connect", "team.init", "team.disconnect", "team.help-desk-view"]),
    ];
    let w = words.trim().to_lowercase();
    if w.is_empty() || w.contains('.') {
        return None;
    }
    let found: Vec<&'static str> = WORDS.iter().filter(|(k, _)| k.starts_with(&w) || w.starts_with(k)).flat_map(|(_, a)| a.iter().copied()).collect();
    (!found.is_empty()).then(|| {
        let mut f = found;
        f.sort_unstable();
        f.dedup();
        f
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(action: &str, target: &str, changes: Value) -> Entry {
        Entry {
            id: 1,
            at: chrono::Utc::now(),
            finished_at: None,
            operator: "alice".into(),
            os_user: "alice".into(),
            role: "super admin".into(),
            machine: "pc".into(),
            identity_label: "Lab".into(),
            account: "123456".into(),
            api_admin: Some("api-rackdesk".into()),
            sandbox: false,
            action: action.into(),
            target: target.into(),
            changes,
            correlation_id: None,
            outcome: Some(Outcome::Success),
        }
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_words(25600), "25 GB");
        assert_eq!(size_words(512), "512 MB");
        assert_eq!(size_words(1536), "1.5 GB");
    }

    #[test]
    fn mailbox_entries_read_as_sentences() {
        let e = entry("mailbox.create", "x@example.com", json!({"size": {"new": 25600}, "displayName": {"new": "X Y"}, "password": "changed"}));
        assert_eq!(summary(&e), "Created the mailbox x@example.com (25 GB)");
        assert_eq!(details(&e), ["Display name \"X Y\"", "New password (never recorded)"]);
        let e = entry("mailbox.reset-password", "tess.quispe@example.com", json!({"password": "changed"}));
        assert_eq!(summary(&e), "Reset the password of tess.quispe@example.com");
        assert!(details(&e).is_empty());
        let e = entry("mailbox.size", "x@example.com", json!({"size": {"old": 10240, "new": 25600}}));
        assert_eq!(summary(&e), "Changed the size of x@example.com from 10 GB to 25 GB");
        let e = entry("mailbox.disable", "x@example.com", json!({"enabled": {"old": true, "new": false}}));
        assert_eq!(summary(&e), "Disabled x@example.com");
        let e = entry("mailbox.forwarding", "x@example.com", json!({"forwarding": {"old": [], "new": ["a@b.org"]}}));
        assert_eq!(summary(&e), "Forwarded the mail of x@example.com to a@b.org");
        assert_eq!(details(&e), ["Forwards to a@b.org (before: no forwarding)"]);
        let e = entry("mailbox.change", "x@example.com", json!({"size": {"old": 512, "new": 1024}, "enabled": {"old": true, "new": false}}));
        assert_eq!(summary(&e), "Changed x@example.com");
        assert_eq!(details(&e), ["Size 1 GB (before: 512 MB)", "Disabled"]);
        let e = entry("mailbox.delete", "x@example.com", json!({"deleted": {"displayName": "X", "sizeMB": 2048, "usedMB": 300}}));
        assert_eq!(summary(&e), "Deleted the mailbox x@example.com");
        assert_eq!(details(&e), ["Display name \"X\"", "It held 300 MB of mail (size 2 GB)"]);
    }

    #[test]
    fn alias_members_read_as_who_was_added_or_removed() {
        let e = entry("alias.members", "sales@example.com", json!({"members": {"old": ["a@example.com"], "new": ["a@example.com", "amara.quispe@example.com"]}}));
        assert_eq!(summary(&e), "Added amara.quispe@example.com to sales@example.com");
        assert_eq!(details(&e), ["Now delivers to a@example.com and amara.quispe@example.com"]);
        let e = entry("alias.members", "sales@example.com", json!({"members": {"old": ["a@example.com", "b@example.com"], "new": ["b@example.com"]}}));
        assert_eq!(summary(&e), "Removed a@example.com from sales@example.com");
        let e = entry("alias.members", "sales@example.com", json!({"members": {"old": ["a@example.com"], "new": ["b@example.com"]}}));
        assert_eq!(summary(&e), "Added b@example.com to sales@example.com and removed a@example.com");
        let e = entry("alias.delete", "sales@example.com", json!({"deleted": {"members": ["a@example.com"]}}));
        assert_eq!((summary(&e), details(&e)), ("Deleted the alias sales@example.com".into(), vec!["It delivered to a@example.com".to_string()]));
    }

    #[test]
    fn no_codes_json_or_bare_megabytes_reach_a_person() {
        let samples = [
            entry("role.switch", "alice", json!({"role": {"old": "super admin", "new": "help desk"}})),
            entry("keys.rotate", "Lab", json!({"userKey": {"old": "ABCD…", "new": "EFGH…"}, "keys": "replaced"})),
            entry("bulk.delete", "job-1", json!({})),
            entry("mailbox.auto-reply", "x@example.com", json!({"autoReply": {"old": {"enabled": false, "message": null}, "new": {"enabled": true, "message": "Away"}}})),
            entry("something.new", "x@example.com", json!({"size": {"new": 25600}})),
            entry("team.connect", "db.example.com:5432/rackdesk", json!({"login": {"new": "rackdesk_pc"}, "trust": {"new": "the CA file ca.pem"}, "password": "stored"})),
            entry("team.help-desk-view", "db.example.com:5432/rackdesk", json!({"helpDeskView": {"old": "hidden", "new": "read-only"}})),
        ];
        assert_eq!(summary(&samples[5]), "Connected this computer to the team journal db.example.com:5432/rackdesk");
        assert_eq!(details(&samples[5]), ["As the database login rackdesk_pc", "Server certificate checked against the CA file ca.pem"]);
        assert_eq!(summary(&samples[6]), "Let the help desk see the team journal, read only");
        assert_eq!(actions_for_words("team"), Some(vec!["team.connect", "team.disconnect", "team.help-desk-view", "team.init"]));
        assert_eq!(summary(&samples[0]), "Switched alice from super admin to help desk");
        assert_eq!(summary(&samples[1]), "Replaced the API keys of \"Lab\"");
        assert_eq!(summary(&samples[2]), "Started a bulk job to delete mailboxes (job-1)");
        assert_eq!(summary(&samples[3]), "Turned on the auto-reply of x@example.com");
        for e in &samples {
            let all = format!("{} {}", summary(e), details(e).join(" "));
            assert!(!all.contains(&e.action) && !all.contains('{') && !all.contains('[') && !all.contains("25600"), "{all}");
        }
    }

    #[test]
    fn exchange_entries_read_as_sentences() {
        let e = entry(
            "exchange.mailbox.create",
            "ana@example.com",
            json!({"size": {"new": 51200}, "displayName": {"new": "Ana Lima"}, "forwarding": {"new": "boss@example.com"}, "jobTitle": {"new": "Buyer"}, "password": "changed"}),
        );
        assert_eq!(summary(&e), "Created the Exchange mailbox ana@example.com (50 GB)");
        assert_eq!(details(&e), ["Display name \"Ana Lima\"", "Forwards to boss@example.com", "Job title \"Buyer\"", "New password (never recorded)"]);
        let e = entry("exchange.mailbox.change", "ana@example.com", json!({"size": {"old": 2048, "new": 10240}, "forwarding": {"old": "boss@example.com", "new": ""}, "hidden": {"old": false, "new": true}}));
        assert_eq!(summary(&e), "Changed the Exchange mailbox ana@example.com");
        assert_eq!(details(&e), ["Size 10 GB (before: 2 GB)", "Forwarding is off (before: boss@example.com)", "Hidden from the address book"]);
        let e = entry("exchange.mailbox.reset-password", "ana@example.com", json!({"password": "changed"}));
        assert_eq!(summary(&e), "Reset the password of the Exchange mailbox ana@example.com");
        let e = entry("exchange.mailbox.disable", "ana@example.com", json!({"enabled": {"old": true, "new": false}}));
        assert_eq!(summary(&e), "Disabled the Exchange mailbox ana@example.com");
        let e = entry("exchange.mailbox.delete", "ana@example.com", json!({"deleted": {"displayName": "Ana", "sizeMB": 51200, "usedMB": 1536}}));
        assert_eq!(details(&e), ["Display name \"Ana\"", "It held 1.5 GB of mail (size 50 GB)"]);

        let e = entry("exchange.permission.grant", "ana@example.com", json!({"delegate": "bo@example.com", "permission": {"new": "both"}}));
        assert_eq!(summary(&e), "Let bo@example.com use ana@example.com (open the mailbox and send as it)");
        let e = entry("exchange.permission.revoke", "ana@example.com", json!({"delegate": "bo@example.com", "permission": {"old": "both", "new": null}}));
        assert_eq!(summary(&e), "Took away bo@example.com's use of ana@example.com");

        let e = entry("exchange.contact.create", "pat@example.com", json!({"displayName": {"new": "Pat Vendor"}, "externalEmail": {"new": "pat@vendor.org"}, "company": {"new": "Vendor"}}));
        assert_eq!(summary(&e), "Created the contact pat@example.com: \"Pat Vendor\", pat@vendor.org");
        assert_eq!(details(&e), ["Company \"Vendor\""]);
        let e = entry("exchange.contact.change", "pat@example.com", json!({"mobileNumber": {"old": "1", "new": ""}}));
        assert_eq!(details(&e), ["Mobile phone cleared (before: \"1\")"]);

        let e = entry("exchange.list.members", "sales@example.com", json!({"members": {"added": ["ana@example.com", "bo@example.com"]}}));
        assert_eq!(summary(&e), "Added ana@example.com and bo@example.com to the distribution list sales@example.com");
        let e = entry("exchange.list.members", "sales@example.com", json!({"members": {"removed": ["bo@example.com"]}}));
        assert_eq!(summary(&e), "Removed bo@example.com from the distribution list sales@example.com");
        let e = entry("exchange.list.senders", "sales@example.com", json!({"senders": {"added": ["boss@example.com"]}}));
        assert_eq!(summary(&e), "Allowed boss@example.com to send to the distribution list sales@example.com");
        let e = entry("exchange.list.create", "sales@example.com", json!({"displayName": {"new": "Sales"}, "members": {"added": ["ana@example.com"]}}));
        assert_eq!((summary(&e), details(&e)), ("Created the distribution list sales@example.com".into(), vec!["Display name \"Sales\"".to_string(), "Members: ana@example.com".to_string()]));
        let e = entry("exchange.list.delete", "sales@example.com", json!({"deleted": {"displayName": "Sales", "memberCount": 3}}));
        assert_eq!(details(&e), ["Display name \"Sales\"", "It had 3 members"]);
        // Every Exchange action reads without codes, JSON or bare megabytes.
        let samples = [
            ("exchange.mailbox.create", json!({"size": {"new": 2048}, "displayName": {"new": "A"}, "password": "changed"})),
            ("exchange.mailbox.change", json!({"size": {"old": 2048, "new": 4096}, "customID": {"new": "7"}})),
            ("exchange.mailbox.enable", json!({"enabled": {"old": false, "new": true}})),
            ("exchange.mailbox.disable", json!({"enabled": {"old": true, "new": false}})),
            ("exchange.mailbox.reset-password", json!({"password": "changed"})),
            ("exchange.mailbox.delete", json!({"deleted": {"sizeMB": 2048}})),
            ("exchange.permission.grant", json!({"delegate": "b@example.com", "permission": {"new": "both"}})),
            ("exchange.permission.change", json!({"delegate": "b@example.com", "permission": {"old": "fullaccess", "new": "both"}})),
            ("exchange.permission.revoke", json!({"delegate": "b@example.com", "permission": {"old": "both", "new": null}})),
            ("exchange.contact.create", json!({"displayName": {"new": "P"}, "externalEmail": {"new": "p@v.org"}})),
            ("exchange.contact.change", json!({"businessNumber": {"old": "1", "new": "2"}})),
            ("exchange.contact.delete", json!({"deleted": {"displayName": "P", "externalEmail": "p@v.org"}})),
            ("exchange.list.create", json!({"displayName": {"new": "S"}, "senders": {"added": ["x@example.com"]}})),
            ("exchange.list.change", json!({"description": {"old": null, "new": "Team"}, "hidden": {"old": false, "new": true}})),
            ("exchange.list.members", json!({"members": {"removed": ["x@example.com"]}})),
            ("exchange.list.senders", json!({"senders": {"removed": ["x@example.com"]}})),
            ("exchange.list.delete", json!({"deleted": {"memberCount": 1}})),
        ];
        for (action, changes) in samples {
            let e = entry(action, "x@example.com", changes);
            let all = format!("{} {}", summary(&e), details(&e).join(" "));
            assert!(!all.starts_with("Changed x@example.com"), "{action} has its own sentence: {all}");
            assert!(!all.contains(&e.action) && !all.contains('{') && !all.contains('[') && !all.contains("2048"), "{all}");
        }
    }

    #[test]
    fn spam_entries_read_as_sentences() {
        let e = entry("spam.mailbox.safe-senders", "jane@example.com", json!({"owner": "rs-mailbox", "list": "safelist", "added": ["@partner.example", "boss@x.example"], "removed": []}));
        assert_eq!(summary(&e), "Added @partner.example and boss@x.example to the safe senders of jane@example.com");
        let e = entry("spam.domain.lists", "example.com", json!({"owner": "domain", "list": "ipblocklist", "added": [], "removed": ["192.0.2.1"]}));
        assert_eq!(summary(&e), "Removed 192.0.2.1 from the blocked IP addresses of the domain example.com");
        let e = entry("spam.mailbox.lists", "kim@example.net", json!({"owner": "ex-mailbox", "list": "blocklist", "added": ["a@b.example"], "removed": ["c@d.example"]}));
        assert_eq!(summary(&e), "Changed the blocked senders of kim@example.net: added a@b.example; removed c@d.example");
        let e = entry(
            "spam.domain.settings",
            "example.com",
            json!({"owner": "domain", "filterLevel": {"old": "on", "new": "exclusive"}, "handling": {"old": "toFolder", "new": "toAddress"},
                   "folderCleaner": {"old": true, "new": false}, "folderAgeLimit": {"old": 30, "new": 0}, "forwardTo": {"old": null, "new": "review@example.com"},
                   "quarantineOwner": {"old": "it@example.com", "new": null}, "applyToAllMailboxes": true}),
        );
        assert_eq!(summary(&e), "Changed the spam settings of the domain example.com and applied them to every mailbox");
        assert_eq!(
            details(&e),
            [
                "Spam filter exclusive (only safe senders get through) (before: on)",
                "Spam is forwarded to another address (before: moved to the Spam folder)",
                "Spam folder cleaner off",
                "Spam folder age limit none (before: 30 days)",
                "Spam forwarded to review@example.com (before: nobody)",
                "Quarantine owner nobody (before: it@example.com)",
                "Applied to every mailbox of the domain (their own settings replaced)",
            ]
        );
        let e = entry("spam.mailbox.settings", "kim@example.net", json!({"owner": "ex-mailbox", "sendToDomainQuarantine": {"old": false, "new": true}}));
        assert_eq!((summary(&e), details(&e)), ("Changed the spam settings of kim@example.net".into(), vec!["Spam held in the domain's quarantine".to_string()]));
        // Every spam action has its own sentence, without codes or JSON.
        for a in crate::policy::Action::ALL.iter().filter(|a| a.name().starts_with("spam.")) {
            let e = entry(a.name(), "x@example.com", json!({"owner": "rs-mailbox", "list": "blocklist", "added": ["a@b.example"], "filterLevel": {"old": "on", "new": "off"}}));
            let all = format!("{} {}", summary(&e), details(&e).join(" "));
            assert!(!all.starts_with("Changed x@example.com"), "{} has its own sentence: {all}", a.name());
            assert!(!all.contains(a.name()) && !all.contains('{') && !all.contains('['), "{all}");
        }
        assert_eq!(actions_for_words("spam").map(|v| v.len()), Some(5));
        assert_eq!(actions_for_words("quarantine"), Some(vec!["spam.domain.settings", "spam.mailbox.settings"]));
    }

    #[test]
    fn results_read_in_words() {
        assert_eq!(result_words(Some(&Outcome::Success)), "Done");
        let f = Outcome::Failed { kind: "not-found".into(), message: "Rackspace could not find that mailbox.".into(), server_message: Some("Mailbox not found".into()) };
        assert_eq!(result_words(Some(&f)), "Failed: Rackspace could not find that mailbox. (Rackspace said: Mailbox not found)");
        assert_eq!(result_words(Some(&Outcome::Refused { reason: "Help desk may not.".into() })), "Refused: Help desk may not.");
    }

    #[test]
    fn plain_words_find_actions() {
        assert_eq!(actions_for_words("reset"), Some(vec!["exchange.mailbox.reset-password", "mailbox.reset-password"]));
        assert_eq!(
            actions_for_words("Delete"),
            Some(vec!["alias.delete", "exchange.contact.delete", "exchange.list.delete", "exchange.mailbox.delete", "mailbox.delete"])
        );
        assert_eq!(actions_for_words("sender"), Some(vec!["exchange.list.senders"]));
        assert_eq!(actions_for_words("mailbox.delete"), None, "codes are left to the exact filter");
        assert_eq!(actions_for_words("xyzzy"), None);
    }
}
