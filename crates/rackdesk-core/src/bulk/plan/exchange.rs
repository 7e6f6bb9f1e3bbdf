//! The plan's rows for Hosted Exchange mailboxes: which service a new mailbox is for, and
//! what creating, changing and offboarding an Exchange mailbox does. Exchange differs from
//! Rackspace Email in ways a file written for one may not fit: it forwards to one address
//! only, it needs a display name, its size limit is the domain's, and the API sets no
//! automatic reply for it. Each difference is a plain problem on the row.

use super::{list, quoted, storage, yn, Change, Op, PasswordSource, Planner, Service};
use crate::bulk::validate::{CreateSpec, OffboardSpec, UpdateSpec};
use crate::exchange::{ContactFields, ExchangeLimits};
use crate::names::EmailAddress;
use std::collections::{BTreeMap, BTreeSet};

const NO_AUTO_REPLY: &str = "Rackspace's API cannot set an Exchange mailbox's automatic reply; it is set in Outlook or Outlook on the web.";

fn ch(field: &str, from: Option<String>, to: String) -> Change {
    Change {
        field: field.into(),
        from,
        to,
    }
}

impl Planner<'_> {
    /// Which kind of mailbox a create row makes: the row's `service` cell, else the one the
    /// domain has. A domain with both needs the cell: guessing could give someone the wrong
    /// kind of mailbox, which cannot be changed afterwards.
    pub(super) fn create_service(&mut self, c: &CreateSpec) -> Option<Service> {
        let d = self.snap.domains.get(&c.addr.domain)?;
        let (rs, ex) = (!d.no_rs, !d.no_exchange);
        let domain = &c.addr.domain;
        match c.service {
            Some(Service::RackspaceEmail) if !rs => {
                self.error("service", format!("{domain} has no Rackspace Email, only Hosted Exchange: write exchange, or leave the cell empty."));
                None
            }
            Some(Service::Exchange) if !ex => {
                self.error("service", format!("{domain} has no Hosted Exchange, only Rackspace Email: write rackspace, or leave the cell empty."));
                None
            }
            Some(s) => Some(s),
            None if rs && ex => {
                self.error("service", format!("{domain} has both Rackspace Email and Hosted Exchange: write rackspace or exchange in the service column to say which kind of mailbox to create."));
                None
            }
            None if ex => Some(Service::Exchange),
            None => Some(Service::RackspaceEmail),
        }
    }

    /// Exchange forwards to one address: more is an error that says so.
    fn one_forward(&mut self, targets: &[String]) -> Option<Option<String>> {
        match targets {
            [] => Some(None),
            [one] => Some(Some(one.clone())),
            many => {
                self.error("forwardTo", format!("Hosted Exchange forwards to one address only, and {} were given ({}). Write one address.", many.len(), many.join("; ")));
                None
            }
        }
    }

    pub(super) fn ex_create(
        &mut self,
        c: &CreateSpec,
        created: &BTreeSet<String>,
        new_per_domain: &mut BTreeMap<String, u64>,
        changes: &mut Vec<Change>,
    ) -> Option<Op> {
        let a = &c.addr;
        let ds = self
            .snap
            .domains
            .get(&a.domain)
            .cloned()
            .unwrap_or_default();
        let errors_before = self.problems.iter().filter(|x| x.is_error()).count();
        let joined = [c.first_name.as_deref(), c.last_name.as_deref()]
            .into_iter()
            .flatten()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let display_name = c
            .display_name
            .clone()
            .filter(|d| !d.trim().is_empty())
            .or((!joined.is_empty()).then_some(joined));
        if display_name.is_none() {
            self.error("displayName", "An Exchange mailbox needs a display name: fill displayName (or firstName and lastName).");
        }
        let forward_to = self.one_forward(&c.forward_to).flatten();
        if let Some(f) = &forward_to {
            self.target_ok("forwardTo", f, created);
        }
        if c.auto_reply.is_some() {
            self.error(
                "autoReply",
                format!("{NO_AUTO_REPLY} Leave the cell empty."),
            );
        }
        let limits = ds.ex_limits.unwrap_or(ExchangeLimits::UNKNOWN);
        let size = match (c.size, limits.base_mailbox_mb) {
            (Some(s), _) => match limits.check_size(s) {
                Ok(()) => Some(s),
                Err(e) => {
                    self.error(
                        "sizeMB",
                        format!("{}.", capital(&crate::bulk::reason_of(&e))),
                    );
                    None
                }
            },
            (None, Some(b)) => Some(b.min(limits.max_mailbox_mb)),
            (None, None) => {
                self.error(
                    "sizeMB",
                    format!(
                        "{} reports no standard size for Exchange mailboxes: write a size in MB.",
                        a.domain
                    ),
                );
                None
            }
        };
        changes.push(ch("mailbox", None, format!("on {}", Service::Exchange.label())));
        if let Some(s) = size {
            changes.push(ch(
                "size",
                None,
                format!(
                    "{}{}",
                    storage(s),
                    if c.size.is_none() {
                        " (the domain's standard size)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if let Some(d) = &display_name {
            changes.push(ch("displayName", None, quoted(d)));
        }
        if let Some(e) = c.enabled {
            changes.push(ch("enabled", None, yn(e)));
        }
        if let Some(f) = &forward_to {
            changes.push(ch("forwardTo", None, f.clone()));
        }
        changes.push(ch(
            "password",
            None,
            if c.password_given {
                "from the file".into()
            } else {
                "generated (shown once at the end)".into()
            },
        ));
        if self.problems.iter().filter(|x| x.is_error()).count() > errors_before {
            return None;
        }
        // Counted only for rows that would create a mailbox.
        let n = new_per_domain
            .entry(format!("exchange:{}", a.domain))
            .or_default();
        *n += 1;
        if let Some(max) = ds.ex_max_mailboxes {
            let have = ds.ex_mailboxes.len() as u64;
            if have + *n > max {
                *n -= 1;
                self.error("email", format!("{} can have at most {max} Exchange mailboxes; it has {have}, and this row would add number {}.", a.domain, have + *n + 1));
                return None;
            }
        }
        Some(Op::ExCreate {
            address: a.to_string(),
            size: size?,
            display_name: display_name?,
            enabled: c.enabled,
            forward_to,
            keep_copy: c.keep_copy,
            contact: ContactFields {
                first_name: c.first_name.clone(),
                last_name: c.last_name.clone(),
                ..ContactFields::default()
            },
            password: if c.password_given {
                PasswordSource::FromFile
            } else {
                PasswordSource::Generate
            },
        })
    }

    pub(super) fn ex_update(
        &mut self,
        a: &EmailAddress,
        u: &UpdateSpec,
        changes: &mut Vec<Change>,
    ) -> Option<Op> {
        let snap = self.snap;
        let cur = snap.ex_mailbox(a);
        let det = snap.ex_details(a);
        let errors_before = self.problems.iter().filter(|x| x.is_error()).count();
        let mut display_name = None;
        if let Some(d) = &u.display_name {
            let old = det
                .and_then(|m| m.display_name.clone())
                .or(cur.and_then(|m| m.display_name.clone()))
                .unwrap_or_default();
            if old.trim() != d.trim() {
                changes.push(ch("displayName", Some(quoted(&old)), quoted(d)));
                display_name = Some(d.clone());
            }
        }
        let mut size = None;
        if let Some(s) = u.size {
            let limits = snap
                .domains
                .get(&a.domain)
                .and_then(|d| d.ex_limits)
                .unwrap_or(ExchangeLimits::UNKNOWN);
            let old = det.and_then(|m| m.size).or(cur.and_then(|m| m.size));
            if let Err(e) = limits.check_size(s) {
                self.error(
                    "sizeMB",
                    format!("{}.", capital(&crate::bulk::reason_of(&e))),
                );
            } else if old != Some(s) {
                changes.push(ch(
                    "sizeMB",
                    Some(
                        old.map(|o| o.to_string())
                            .unwrap_or_else(|| "(unknown)".into()),
                    ),
                    s.to_string(),
                ));
                size = Some(s);
                if let Some(used) = cur.and_then(|m| m.current_usage).filter(|used| *used > s) {
                    self.warning("sizeMB", format!("{s} MB is less than the {used} MB already in use; new mail may be refused until the person deletes some."));
                }
            }
        }
        let mut enabled = None;
        if let Some(e) = u.enabled {
            let old = det.and_then(|m| m.enabled);
            if old != Some(e) {
                changes.push(ch("enabled", old.map(yn), yn(e)));
                enabled = Some(e);
            }
        }
        let mut forward_to = None;
        if let Some(f) = &u.forward_to {
            if let Some(new) = self.one_forward(f) {
                if let Some(t) = &new {
                    self.target_ok("forwardTo", t, &BTreeSet::new());
                }
                let old = det.and_then(|m| m.forwarding()).unwrap_or("").to_owned();
                let new = new.unwrap_or_default();
                if !old.eq_ignore_ascii_case(&new) {
                    changes.push(ch(
                        "forwardTo",
                        Some(list(
                            &[old]
                                .into_iter()
                                .filter(|o| !o.is_empty())
                                .collect::<Vec<_>>(),
                        )),
                        if new.is_empty() {
                            "(none)".into()
                        } else {
                            new.clone()
                        },
                    ));
                    forward_to = Some(new);
                }
            }
        }
        let mut keep_copy = None;
        if let Some(k) = u.keep_copy {
            let old = det.and_then(|m| m.save_forwarded_email);
            if old != Some(k) {
                changes.push(ch("keepCopy", old.map(yn), yn(k)));
                keep_copy = Some(k);
            }
        }
        if u.auto_reply.is_some() {
            self.error(
                "autoReply",
                format!("{a} is an Exchange mailbox. {NO_AUTO_REPLY} Leave the cell empty."),
            );
        }
        if self.problems.iter().filter(|x| x.is_error()).count() > errors_before {
            return None;
        }
        Some(if changes.is_empty() {
            Op::Nothing {
                reason: "no change: the values are already in place".into(),
            }
        } else {
            Op::ExUpdate {
                address: a.to_string(),
                display_name,
                size,
                enabled,
                forward_to,
                keep_copy,
            }
        })
    }

    pub(super) fn ex_offboard(&mut self, o: &OffboardSpec, changes: &mut Vec<Change>) -> Op {
        let det = self.snap.ex_details(&o.addr);
        changes.push(ch(
            "password",
            None,
            "reset to a random one (shown once at the end)".into(),
        ));
        let was_enabled = det.and_then(|m| m.enabled).unwrap_or(true);
        let enabled = (!o.keep_enabled && was_enabled).then_some(false);
        if enabled.is_some() {
            changes.push(ch("enabled", Some("yes".into()), "no".into()));
        }
        let old = det.and_then(|m| m.forwarding()).unwrap_or("").to_owned();
        let forward_to = o
            .forward_to
            .clone()
            .filter(|f| !f.eq_ignore_ascii_case(&old));
        if let Some(f) = &forward_to {
            self.target_ok("forwardTo", f, &BTreeSet::new());
            changes.push(ch(
                "forwardTo",
                Some(if old.is_empty() {
                    "(none)".into()
                } else {
                    old.clone()
                }),
                f.clone(),
            ));
        }
        let hide = (o.hide && det.and_then(|m| m.is_hidden) != Some(true)).then_some(true);
        if hide.is_some() {
            changes.push(ch(
                "hidden from the address book",
                Some("no".into()),
                "yes".into(),
            ));
        }
        if o.auto_reply.is_some() {
            self.warning("autoReply", format!("{} is an Exchange mailbox. {NO_AUTO_REPLY} No automatic reply is turned on for it.", o.addr));
        }
        if o.remove_from_aliases {
            self.warning(
                "removeFromAliases",
                format!("{} is an Exchange mailbox, which has distribution lists rather than aliases; its lists are not changed here (use a distribution list membership job).", o.addr),
            );
        }
        Op::ExOffboard {
            address: o.addr.to_string(),
            enabled,
            forward_to,
            hide,
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{plan, DomainSnap, Plan, Snapshot};
    use super::*;
    use crate::bulk::input::read;
    use crate::bulk::validate::validate;
    use crate::bulk::JobKind;
    use crate::exchange::{ExMailbox, ExMailboxSummary};
    use crate::limits::Limits;
    use serde_json::json;

    fn ex_summary(name: &str, size: u64, used: u64) -> ExMailboxSummary {
        ExMailboxSummary {
            name: name.into(),
            display_name: Some(name.to_uppercase()),
            size: Some(size),
            current_usage: Some(used),
            enabled: None,
        }
    }

    /// ex.example: Exchange only, room for 3 mailboxes (2 used), 10 GB at most, 2 GB standard.
    /// mixed.example: both services, one mailbox of each.
    fn snap() -> Snapshot {
        let mut ex = DomainSnap {
            no_rs: true,
            ex_limits: Some(ExchangeLimits {
                max_mailbox_mb: 10240,
                base_mailbox_mb: Some(2048),
            }),
            ex_max_mailboxes: Some(3),
            ..Default::default()
        };
        ex.ex_mailboxes
            .insert("ana".into(), ex_summary("ana", 2048, 3000));
        ex.ex_mailboxes
            .insert("bo".into(), ex_summary("bo", 2048, 10));
        let ana: ExMailbox = serde_json::from_value(json!({
            "name": "ana", "displayName": "Ana Ruiz", "size": 2048, "enabled": true, "isHidden": false,
            "emailForwardingAddress": "x@out.example", "saveForwardedEmail": false, "emailAddressList": []
        }))
        .unwrap();
        ex.ex_details.insert("ana".into(), ana);
        let mut mixed = DomainSnap {
            base_size: Some(1024),
            ex_limits: Some(ExchangeLimits {
                max_mailbox_mb: 51200,
                base_mailbox_mb: Some(4096),
            }),
            ..Default::default()
        };
        mixed.mailboxes.insert(
            "rs1".into(),
            serde_json::from_value(
                json!({"name": "rs1", "size": 1024, "currentUsage": 1, "enabled": true}),
            )
            .unwrap(),
        );
        mixed
            .ex_mailboxes
            .insert("ex1".into(), ex_summary("ex1", 4096, 1));
        mixed
            .ex_mailboxes
            .insert("ex2".into(), ex_summary("ex2", 4096, 1));
        let mut s = Snapshot::default();
        s.domains.insert("ex.example".into(), ex);
        s.domains.insert("mixed.example".into(), mixed);
        s
    }

    fn plan_of(kind: JobKind, csv: &str) -> Plan {
        let i = read(csv.as_bytes(), kind, &[]);
        assert!(!i.has_errors(), "{:?}", i.problems);
        plan(&i, &validate(&i), &snap(), Limits::PUBLISHED)
    }

    fn has(p: &Plan, row: usize, col: &str, text: &str) -> bool {
        p.problems.iter().any(|x| {
            x.row == Some(row) && x.column.as_deref() == Some(col) && x.message.contains(text)
        })
    }

    #[test]
    fn create_rows_choose_the_service_and_follow_exchange_rules() {
        let p = plan_of(
            JobKind::Create,
            "email,displayName,firstName,lastName,sizeMB,forwardTo,autoReply,service\n\
             cy@ex.example,,Cy,Lee,,,,\n\
             dee@ex.example,Dee,,,20000,,,\n\
             eve@ex.example,Eve,,,,a@out.example;b@out.example,,\n\
             fay@ex.example,,,,,,,\n\
             gus@ex.example,Gus,,,,,Away,\n\
             new@mixed.example,New,,,,,,\n\
             new2@mixed.example,New,,,,,,exchange\n\
             new3@mixed.example,New,,,30000,,,rackspace\n\
             new4@ex.example,New,,,,,,rackspace\n\
             ex1@mixed.example,X,,,,,,exchange\n\
             hal@ex.example,Hal,,,,,,\n",
        );
        match &p.rows[0].op {
            Some(Op::ExCreate {
                size: 2048,
                display_name,
                contact,
                password: PasswordSource::Generate,
                ..
            }) => {
                assert_eq!(display_name, "Cy Lee", "made from first and last name");
                assert_eq!(contact.first_name.as_deref(), Some("Cy"));
            }
            other => panic!("{other:?} {:?}", p.problems),
        }
        assert!(
            p.rows[0].text.contains("create: mailbox on Hosted Exchange")
                && p.rows[0]
                    .text
                    .contains("2.0 GB (the domain's standard size)"),
            "{}",
            p.rows[0].text
        );
        assert!(
            has(&p, 3, "sizeMB", "between 1 and 10240 MB"),
            "{:?}",
            p.problems
        );
        assert!(
            has(
                &p,
                4,
                "forwardTo",
                "forwards to one address only, and 2 were given"
            ),
            "{:?}",
            p.problems
        );
        assert!(
            has(&p, 5, "displayName", "needs a display name"),
            "{:?}",
            p.problems
        );
        assert!(
            has(
                &p,
                6,
                "autoReply",
                "cannot set an Exchange mailbox's automatic reply"
            ),
            "{:?}",
            p.problems
        );
        assert!(
            has(
                &p,
                7,
                "service",
                "has both Rackspace Email and Hosted Exchange"
            ),
            "{:?}",
            p.problems
        );
        assert!(
            matches!(&p.rows[6].op, Some(Op::ExCreate { size: 4096, .. })),
            "{:?}",
            p.problems
        );
        assert!(
            has(
                &p,
                9,
                "sizeMB",
                "more than a Rackspace Email mailbox can have"
            ),
            "{:?}",
            p.problems
        );
        assert!(
            has(&p, 10, "service", "has no Rackspace Email"),
            "{:?}",
            p.problems
        );
        assert!(has(&p, 11, "email", "already exists"), "{:?}", p.problems);
        // ex.example has room for 3: cy is the third, hal would be a fourth.
        assert!(
            has(&p, 12, "email", "at most 3 Exchange mailboxes"),
            "{:?}",
            p.problems
        );
        assert_eq!(p.counts.creates, 2, "{:?}", p.rows);
    }

    #[test]
    fn update_reset_delete_and_offboard_find_the_exchange_mailbox() {
        let p = plan_of(
            JobKind::Update,
            "email,displayName,sizeMB,enabled,forwardTo,autoReply\n\
             ana@ex.example,Ana R.,,no,none,\n\
             bo@ex.example,,20000,,a@out.example;b@out.example,\n\
             ex2@mixed.example,,,,,Away\n\
             ex1@mixed.example,,8192,,,\n\
             rs1@mixed.example,,30000,,,\n",
        );
        assert_eq!(
            p.rows[0].op,
            Some(Op::ExUpdate {
                address: "ana@ex.example".into(),
                display_name: Some("Ana R.".into()),
                size: None,
                enabled: Some(false),
                forward_to: Some(String::new()),
                keep_copy: None
            })
        );
        assert!(
            p.rows[0]
                .text
                .contains("change forwardTo from x@out.example to (none)"),
            "{}",
            p.rows[0].text
        );
        assert!(
            has(&p, 3, "sizeMB", "between 1 and 10240"),
            "{:?}",
            p.problems
        );
        assert!(
            has(&p, 3, "forwardTo", "one address only"),
            "{:?}",
            p.problems
        );
        assert!(
            has(&p, 4, "autoReply", "is an Exchange mailbox"),
            "{:?}",
            p.problems
        );
        assert!(
            matches!(
                &p.rows[3].op,
                Some(Op::ExUpdate {
                    size: Some(8192),
                    ..
                })
            ),
            "{:?}",
            p.problems
        );
        assert!(
            has(&p, 6, "sizeMB", "more than a Rackspace Email mailbox"),
            "{:?}",
            p.problems
        );
        assert_eq!((p.counts.changes, p.counts.with_errors), (2, 3));

        let p = plan_of(
            JobKind::ResetPassword,
            "email\nbo@ex.example\nrs1@mixed.example\nnobody@ex.example\n",
        );
        assert_eq!(
            p.rows[0].op,
            Some(Op::ExResetPassword {
                address: "bo@ex.example".into(),
                password: PasswordSource::Generate
            })
        );
        assert!(matches!(p.rows[1].op, Some(Op::ResetPassword { .. })));
        assert!(has(&p, 4, "email", "does not exist"), "{:?}", p.problems);

        let p = plan_of(JobKind::Delete, "email\nbo@ex.example\n");
        assert_eq!(
            p.rows[0].op,
            Some(Op::ExDelete {
                address: "bo@ex.example".into()
            })
        );
        assert_eq!(p.counts.deletes, 1);

        let p = plan_of(
            JobKind::Offboard,
            "email,forwardTo,keepEnabled,autoReply,removeFromAliases,hideFromAddressBook\n\
             ana@ex.example,bo@ex.example,,Gone,yes,yes\n\
             bo@ex.example,a@out.example;b@out.example,,,,\n\
             rs1@mixed.example,,,,,yes\n",
        );
        assert_eq!(
            p.rows[0].op,
            Some(Op::ExOffboard {
                address: "ana@ex.example".into(),
                enabled: Some(false),
                forward_to: Some("bo@ex.example".into()),
                hide: Some(true)
            })
        );
        assert!(
            has(&p, 2, "autoReply", "No automatic reply is turned on"),
            "{:?}",
            p.problems
        );
        assert!(
            has(
                &p,
                2,
                "removeFromAliases",
                "distribution list membership job"
            ),
            "{:?}",
            p.problems
        );
        assert!(has(&p, 3, "forwardTo", "one colleague"), "{:?}", p.problems);
        assert!(
            has(
                &p,
                4,
                "hideFromAddressBook",
                "only Exchange mailboxes can be hidden"
            ),
            "{:?}",
            p.problems
        );
        assert!(p.rows[0]
            .op
            .as_ref()
            .is_some_and(|o| o.password() == Some(PasswordSource::Generate)));
    }
}
