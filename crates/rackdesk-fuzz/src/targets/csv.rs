//! `csv`: bytes → `input::read` → `validate::validate` → `plan::plan`, with no server: the
//! [`Snapshot`] is made up from the rows themselves (which domains, mailboxes and aliases
//! exist is chosen by the input's second byte), so planning sees both existing and missing
//! things.
//!
//! Input layout: byte 0 picks the job kind and the `--map` arguments, byte 1 the made-up
//! server, the rest is the file.

use crate::Target;
use rackdesk_core::bulk::input::{self, CsvInput};
use rackdesk_core::bulk::plan::{self, DomainSnap, Snapshot};
use rackdesk_core::bulk::validate::{self, RowSpec};
use rackdesk_core::bulk::JobKind;
use rackdesk_core::limits::Limits;
use rackdesk_core::models::{Mailbox, MailboxSummary};
use rackdesk_core::names::EmailAddress;
use std::collections::BTreeMap;

pub const TARGET: Target = Target {
    name: "csv",
    about: "bulk CSV: read, validate and plan (no server), every job kind, with --map arguments",
    run,
    seeds,
    dictionary: DICTIONARY,
};

const DICTIONARY: &[&[u8]] = &[
    b"email", b"displayName", b"firstName", b"lastName", b"password", b"sizeMB", b"enabled", b"forwardTo", b"keepCopy",
    b"autoReply", b"alias", b"member", b"action", b"keepEnabled", b"removeFromAliases", b"E-mail Address", b"result",
    b"message", b"sourceRow", b"usedMB", b"aliases", b"Department", b"yes", b"no", b"none", b"add", b"remove", b"done",
    b"failed", b"no change", b"@example.com", b"@other.example", b"jane.doe", b"\"\"", b"\r\n", b"\xef\xbb\xbf", b"'=",
    b"'-", b"=HYPERLINK(\"x\")", b"25600", b"25601", b"0", b"-1", b"18446744073709551616", b"Str0ng!Pass", b";;;",
    b",,,", b"..", b"sales@example.com", b"\xc3\xa9", b"\xff\xfe",
];

/// The `--map` arguments to try: none, then a few realistic ones (some wrong on purpose).
fn maps(sel: u8) -> Vec<(String, Option<String>)> {
    let m = |t: &str, o: Option<&str>| (t.to_owned(), o.map(str::to_owned));
    match sel % 4 {
        0 => vec![],
        1 => vec![m("E-mail Address", Some("email"))],
        2 => vec![m("Department", None), m("notes", None)],
        _ => vec![m("name", Some("displayName")), m("Work address", Some("email")), m("x", Some("colour"))],
    }
}

fn kind_of(b: u8) -> JobKind {
    JobKind::ALL[(b & 7) as usize % JobKind::ALL.len()]
}

pub fn seeds() -> Vec<Vec<u8>> {
    let mut files: Vec<(u8, String)> = Vec::new();
    for (i, k) in JobKind::ALL.iter().enumerate() {
        files.push((i as u8, k.template()));
    }
    let more: &[(JobKind, u8, &str)] = &[
        (JobKind::Create, 0, "\u{feff}E-mail Address;Display Name;Password;sizeMB\r\n\"jane@example.com\";\"Doe; Jane \"\"JD\"\"\";  Pa ss-Word9 ;2048\r\n;;;\r\nsam@example.com;\"Sam\nLee\";;\r\n"),
        (JobKind::Create, 0, "email,displayName,forwardTo,keepCopy,autoReply\nnew1@example.com,New One,new2@example.com,yes,Away\nnew2@example.com,New Two,,,\nnew1@example.com,Dup,,,\n"),
        (JobKind::Update, 0, "email,displayName,enabled,sizeMB,usedMB,usedPercent,lastLogin,created,forwardTo,keepCopy,autoReply,aliases\njane@example.com,'=HYPERLINK(\"x\"),yes,2048,10,0,2024-01-01T00:00:00Z,,boss@example.com; x@other.example,no,'-back soon,sales@example.com\n"),
        (JobKind::Update, 0, "result,message,sourceRow,email,displayName,sizeMB,enabled,forwardTo,keepCopy,autoReply\nfailed,Rejected,2,a@example.com,A,4096,no,none,,none\ndone,,3,b@example.com,B,,,,,\n"),
        (JobKind::Update, 1, "E-mail Address,name\na@example.com,\"A, B\nb@example.com,B\n"),
        (JobKind::Aliases, 0, "alias,member,action\nsales@example.com,jane@example.com,add\nsales@example.com,jane@example.com,remove\nteam@example.com,someone@outside.example,add\n"),
        (JobKind::Delete, 2, "email\tDepartment\tnotes\nold@example.com\tSales\tgone\n"),
        (JobKind::Offboard, 0, "email,forwardTo,keepEnabled,autoReply,removeFromAliases\njane@example.com,boss@example.com,yes,Jane has left.,yes\nsam@example.com,,,,\n"),
        (JobKind::ResetPassword, 0, "email,password\njane@example.com,Str0ng!Passw0rd\nsam@example.com,short\n"),
        (JobKind::Create, 3, "Work address,name,x\njane@example.com,Jane,1\n"),
    ];
    for (k, map, text) in more {
        let i = JobKind::ALL.iter().position(|x| x == k).unwrap_or(0) as u8;
        files.push((i | (map << 3), (*text).to_owned()));
    }
    let mut out = Vec::new();
    for (sel, text) in files {
        for world in [0u8, 0xff, 0x55] {
            let mut v = vec![sel, world];
            v.extend_from_slice(text.as_bytes());
            out.push(v);
        }
    }
    out
}

/// Every address a row mentions: its target, alias members, forwarding targets.
fn addresses(spec: &RowSpec) -> Vec<String> {
    let mut v = vec![spec.target()];
    match spec {
        RowSpec::Create(c) => v.extend(c.forward_to.iter().cloned()),
        RowSpec::Update(_, u) => v.extend(u.forward_to.iter().flatten().cloned()),
        RowSpec::Alias { member, .. } => v.push(member.clone()),
        RowSpec::Offboard(o) => v.extend(o.forward_to.iter().cloned()),
        _ => {}
    }
    v
}

/// A server made up from the rows: bit 0 of `world` decides whether the rows' domains
/// exist, and a hash of each name with the other bits whether that mailbox or alias does.
fn snapshot(v: &validate::Validated, world: u8) -> Snapshot {
    let mut snap = Snapshot::default();
    if world & 1 == 0 {
        return snap;
    }
    let exists = |name: &str, salt: u8| (crate::fingerprint((name, salt)) as u8 ^ world) & 2 != 0;
    for (_, spec) in &v.rows {
        let Some(spec) = spec else { continue };
        for a in addresses(spec) {
            let Ok(a) = EmailAddress::parse_external("address", &a) else { continue };
            let d: &mut DomainSnap = snap.domains.entry(a.domain.clone()).or_default();
            if world & 4 != 0 {
                d.base_size = Some(2048);
                d.max_mailboxes = Some(if world & 8 != 0 { 1 } else { 1000 });
            }
            let local = a.local.to_ascii_lowercase();
            if exists(&local, 1) {
                d.mailboxes.insert(
                    local.clone(),
                    MailboxSummary {
                        name: local.clone(),
                        display_name: Some("Someone".into()),
                        size: Some(2048),
                        current_usage: Some(10),
                        enabled: Some(world & 16 != 0),
                        created_date: None,
                        last_login: None,
                    },
                );
                if world & 32 != 0 {
                    let details = serde_json::json!({
                        "name": local, "displayName": "Someone", "size": 2048, "enabled": true,
                        "vacationMessage": "Away", "enableVacationMessage": world & 64 != 0,
                        "emailForwardingAddressList": ["boss@example.com"], "saveForwardedEmail": true,
                    });
                    if let Ok(m) = serde_json::from_value::<Mailbox>(details) {
                        d.details.insert(local.clone(), m);
                    }
                }
            } else if world & 128 != 0 {
                let aliases = d.aliases.get_or_insert_with(BTreeMap::new);
                if exists(&local, 2) {
                    aliases.insert(local.clone(), vec!["jane@example.com".into(), local.clone() + "@" + &a.domain]);
                }
            }
        }
    }
    snap
}

fn check_read(i: &CsvInput) {
    let mut last = 1;
    for r in &i.rows {
        assert!(r.row > last, "row numbers must grow from 2: {} after {last}", r.row);
        last = r.row;
        assert!(!r.cells.contains_key("password"), "a password in the cells of row {}", r.row);
    }
    assert!(!i.rows.is_empty() || i.has_errors(), "no rows and no error");
    assert!(i.rows.len() <= input::MAX_ROWS);
    assert!(i.headers.len() <= input::MAX_COLUMNS);
}

pub fn run(data: &[u8]) -> u64 {
    let (sel, world, file) = match data {
        [a, b, rest @ ..] => (*a, *b, rest),
        [a] => (*a, 0, &[][..]),
        [] => (0, 0, &[][..]),
    };
    let kind = kind_of(sel);
    let i = input::read(file, kind, &maps(sel >> 3));
    check_read(&i);
    let v = validate::validate(&i);
    for (row, _) in &v.rows {
        assert!(i.rows.iter().any(|r| r.row == *row), "validate invented row {row}");
    }
    let snap = snapshot(&v, world);
    let p = plan::plan(&i, &v, &snap, Limits::default());
    let _ = (p.has_errors(), p.warnings(), p.changing_rows());
    let mut shapes: Vec<String> = i.problems.iter().chain(&v.problems).map(|p| super::shape(&p.message)).collect();
    shapes.sort();
    shapes.dedup();
    crate::fingerprint((kind.name(), i.delimiter, i.has_errors(), p.has_errors(), p.changing_rows().min(3), shapes))
}
