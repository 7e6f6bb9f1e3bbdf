//! Spam protection on the command line: `rackdesk spam show|set|lists|allow|block|unallow|unblock|why`.
//! Each subcommand parses, calls one core function ([`rackdesk_core::spam`] for reads,
//! [`rackdesk_core::ops::Ops`] for changes) and prints. The words (what each setting means,
//! what an entry stands for, why mail lands in spam) are the core's.

use crate::{client, ops, print_record, print_table, user_error, Cli, Failure, Format, Outcome, Table};
use clap::Subcommand;
use rackdesk_core::spam::{self, DomainQuarantine, FilterLevel, Sender, SenderVerb, SpamChanges, SpamHandling, SpamList, SpamTarget};
use serde::Serialize;

const TARGET_HELP: &str = "A domain (example.com: its own settings and lists, for everyone in it) or a mailbox address (jane@example.com, Rackspace Email or Exchange)";

#[derive(Subcommand)]
pub(crate) enum SpamCmd {
    /// Show the spam settings, in plain words, and the safe and blocked senders of a domain or a mailbox.
    Show {
        #[arg(help = TARGET_HELP)]
        target: String,
    },
    /// Change spam settings. Only the options given change; Rackdesk reads the rest and sends every setting, as Rackspace needs.
    #[command(after_help = "Filter levels: on (spam is handled as set), off (nothing is checked), exclusive (only mail from senders on the safe list gets through).\n\
Handling (Rackspace Email): folder (to the Spam folder, with an optional cleaner), delete, label ([SPAM] in the subject), forward (to --forward-to).\n\
Exchange mailboxes hold spam in a quarantine: their own, or the domain's (--use-domain-quarantine true).")]
    Set {
        #[arg(help = TARGET_HELP)]
        target: String,
        /// on, off or exclusive.
        #[arg(long, value_name = "LEVEL")]
        filter_level: Option<String>,
        /// What Rackspace Email does with spam: folder, delete, label or forward.
        #[arg(long, value_name = "HOW")]
        handling: Option<String>,
        /// Where spam goes with --handling forward.
        #[arg(long, value_name = "ADDRESS")]
        forward_to: Option<String>,
        /// Empty the Spam folder automatically: on or off (with --handling folder).
        #[arg(long, value_name = "ON|OFF")]
        folder_cleaner: Option<String>,
        /// The cleaner deletes spam older than this many days (0: no limit).
        #[arg(long, value_name = "DAYS", allow_negative_numbers = true)]
        cleaner_days: Option<i64>,
        /// The cleaner keeps at most this many messages (0: no limit).
        #[arg(long, value_name = "MESSAGES", allow_negative_numbers = true)]
        cleaner_messages: Option<i64>,
        /// A domain's Exchange quarantine: on (one for the whole domain), off (each mailbox its own) or nonuser.
        #[arg(long, value_name = "ON|OFF|NONUSER")]
        domain_quarantine: Option<String>,
        /// An Exchange mailbox: hold its spam in the domain's quarantine (true) or its own (false).
        #[arg(long, value_name = "true|false")]
        use_domain_quarantine: Option<bool>,
        /// Who receives the quarantine's notices (a domain, an Exchange mailbox).
        #[arg(long, value_name = "ADDRESS", conflicts_with = "no_quarantine_owner")]
        quarantine_owner: Option<String>,
        /// Remove the quarantine owner.
        #[arg(long)]
        no_quarantine_owner: bool,
        /// A domain: who receives the notices of Exchange mailboxes with no owner of their own.
        #[arg(long, value_name = "ADDRESS", conflicts_with = "no_default_quarantine_owner")]
        default_quarantine_owner: Option<String>,
        /// Remove the default quarantine owner.
        #[arg(long)]
        no_default_quarantine_owner: bool,
        /// A domain: give every mailbox of the domain its filter level and handling, replacing their own (needs --yes).
        #[arg(long)]
        apply_to_all_mailboxes: bool,
        /// Confirm --apply-to-all-mailboxes.
        #[arg(long)]
        yes: bool,
    },
    /// List the safe senders, blocked senders and allowed or blocked IP addresses of a domain or a mailbox.
    Lists {
        #[arg(help = TARGET_HELP)]
        target: String,
        /// Only this list: safe, block, ip-safe or ip-block.
        #[arg(long)]
        list: Option<String>,
        /// Only entries containing TEXT.
        #[arg(long)]
        search: Option<String>,
    },
    /// Add safe senders: an address (jane@partner.example), a whole domain (@partner.example, or partner.example), % for any text (@%.partner.example); an IP address goes to the allowed IP addresses.
    Allow {
        #[arg(help = TARGET_HELP)]
        target: String,
        #[arg(required = true, value_name = "ENTRY")]
        entries: Vec<String>,
    },
    /// Add blocked senders (as for allow; an IP address goes to the blocked IP addresses).
    Block {
        #[arg(help = TARGET_HELP)]
        target: String,
        #[arg(required = true, value_name = "ENTRY")]
        entries: Vec<String>,
    },
    /// Take entries off the safe senders (or the allowed IP addresses).
    Unallow {
        #[arg(help = TARGET_HELP)]
        target: String,
        #[arg(required = true, value_name = "ENTRY")]
        entries: Vec<String>,
    },
    /// Take entries off the blocked senders (or the blocked IP addresses).
    Unblock {
        #[arg(help = TARGET_HELP)]
        target: String,
        #[arg(required = true, value_name = "ENTRY")]
        entries: Vec<String>,
    },
    /// Why did mail from SENDER land in spam (or not arrive)? Explains what the domain's and the mailbox's settings and lists do with it.
    Why {
        #[arg(help = TARGET_HELP)]
        target: String,
        /// The sender's address (or the IP address of the server that sent it).
        sender: String,
        /// The IP address of the server the mail came from, to include the IP lists.
        #[arg(long)]
        ip: Option<String>,
    },
}

fn target(s: &str) -> Result<SpamTarget, Failure> {
    Ok(SpamTarget::parse(s)?)
}

fn on_off(flag: &str, v: &str) -> Result<bool, Failure> {
    match v.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err(user_error(format!("--{flag} takes on or off, not \"{v}\". Nothing was sent to Rackspace."))),
    }
}

fn changes(cmd: &SpamCmd) -> Result<SpamChanges, Failure> {
    let SpamCmd::Set {
        filter_level,
        handling,
        forward_to,
        folder_cleaner,
        cleaner_days,
        cleaner_messages,
        domain_quarantine,
        use_domain_quarantine,
        quarantine_owner,
        no_quarantine_owner,
        default_quarantine_owner,
        no_default_quarantine_owner,
        apply_to_all_mailboxes,
        ..
    } = cmd
    else {
        return Ok(SpamChanges::default());
    };
    let filter_level = filter_level
        .as_deref()
        .map(|v| {
            FilterLevel::parse(v).ok_or_else(|| {
                let all: Vec<&str> = FilterLevel::ALL.iter().map(|l| l.explain()).collect();
                user_error(format!("--filter-level takes on, off or exclusive, not \"{v}\" ({}). Nothing was sent to Rackspace.", all.join("; ")))
            })
        })
        .transpose()?;
    let handling = handling
        .as_deref()
        .map(|v| SpamHandling::parse(v).ok_or_else(|| user_error(format!("--handling takes folder, delete, label or forward, not \"{v}\". Nothing was sent to Rackspace."))))
        .transpose()?;
    let domain_quarantine = domain_quarantine
        .as_deref()
        .map(|v| DomainQuarantine::parse(v).ok_or_else(|| user_error(format!("--domain-quarantine takes on, off or nonuser, not \"{v}\". Nothing was sent to Rackspace."))))
        .transpose()?;
    Ok(SpamChanges {
        filter_level,
        handling,
        forward_to: forward_to.clone(),
        folder_cleaner: folder_cleaner.as_deref().map(|v| on_off("folder-cleaner", v)).transpose()?,
        folder_age_limit: *cleaner_days,
        folder_count_limit: *cleaner_messages,
        domain_quarantine,
        send_to_domain_quarantine: *use_domain_quarantine,
        quarantine_owner: if *no_quarantine_owner { Some(None) } else { quarantine_owner.clone().map(Some) },
        default_quarantine_owner: if *no_default_quarantine_owner { Some(None) } else { default_quarantine_owner.clone().map(Some) },
        apply_to_all_mailboxes: *apply_to_all_mailboxes,
    })
}

/// One entry of a listing, as printed.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EntryRow {
    list: SpamList,
    entry: String,
    means: String,
}

fn describe_owner(o: &spam::SpamOwner) -> String {
    match o.kind {
        spam::OwnerKind::Domain => format!("the domain {} (for everyone in it)", o.domain),
        spam::OwnerKind::RsMailbox => format!("the mailbox {} (Rackspace Email)", o.target()),
        spam::OwnerKind::ExMailbox => format!("the mailbox {} (Hosted Exchange)", o.target()),
    }
}

fn print_lines(lines: &[spam::SettingLine]) {
    let width = lines.iter().map(|l| l.label.chars().count()).max().unwrap_or(0) + 1;
    for l in lines {
        println!("  {:<width$} {} — {}", format!("{}:", l.label), l.value, l.explanation);
    }
}

fn sentences(format: Format, json: &impl Serialize, lines: &[String]) -> Outcome {
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(json).unwrap_or_default()),
        _ => {
            for l in lines {
                println!("{l}");
            }
        }
    }
    Ok(())
}

pub(crate) async fn spam(cli: &Cli, cmd: &SpamCmd, format: Format) -> Outcome {
    match cmd {
        SpamCmd::Show { target: t } => {
            let t = target(t)?;
            let v = spam::show(&client(cli)?, &t).await?;
            match format {
                Format::Table => {
                    println!("Spam protection of {}", describe_owner(&v.owner));
                    print_lines(&v.lines);
                    for list in SpamList::ALL {
                        let e = v.lists.get(list);
                        let shown: Vec<&str> = e.iter().map(|x| x.as_str()).collect();
                        println!("  {} ({}): {}", capital(list.label()), e.len(), if shown.is_empty() { "none".to_string() } else { shown.join(", ") });
                    }
                }
                _ => {
                    let mut fields: Vec<(&str, String)> = vec![("Owner", v.owner.target())];
                    fields.extend(v.lines.iter().map(|l| (l.label, l.value.clone())));
                    let lists: Vec<(SpamList, String)> =
                        SpamList::ALL.iter().map(|l| (*l, v.lists.get(*l).iter().map(|e| e.as_str()).collect::<Vec<_>>().join("; "))).collect();
                    fields.extend(lists.iter().map(|(l, s)| (l.label(), s.clone())));
                    print_record(format, &fields, &v)?;
                }
            }
        }
        SpamCmd::Set { target: t, apply_to_all_mailboxes, yes, .. } => {
            let t = target(t)?;
            let ch = changes(cmd)?;
            if *apply_to_all_mailboxes && !yes {
                return Err(user_error(format!(
                    "--apply-to-all-mailboxes gives every mailbox of {} the domain's spam filter and handling, replacing their own settings. Run the command again with --yes to confirm.",
                    t.domain()
                )));
            }
            let r = ops(cli).await?.set_spam_settings(&t, &ch).await?;
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default()),
                _ => {
                    let who = describe_owner(&r.owner);
                    if !r.changed {
                        println!("Nothing to change: the spam settings of {who} are already so.");
                    } else if r.applied_to_all_mailboxes {
                        println!("Changed the spam settings of {who} and applied them to every mailbox of the domain:");
                    } else {
                        println!("Changed the spam settings of {who}:");
                    }
                    print_lines(&r.lines);
                }
            }
        }
        SpamCmd::Lists { target: t, list, search } => {
            let t = target(t)?;
            let only = match list.as_deref() {
                None => None,
                Some(l) => Some(SpamList::parse(l).ok_or_else(|| user_error(format!("--list takes safe, block, ip-safe or ip-block, not \"{l}\".")))?),
            };
            let c = client(cli)?;
            let owner = spam::resolve(&c, &t).await?;
            let lists = match only {
                Some(l) => {
                    let mut all = spam::SpamLists::default();
                    *all.get_mut(l) = c.spam_list(&owner, l).await?;
                    all
                }
                None => c.spam_lists(&owner).await?,
            };
            let items: Vec<EntryRow> = lists
                .search(search.as_deref().unwrap_or(""))
                .into_iter()
                .filter(|(l, _)| only.is_none_or(|o| o == *l))
                .map(|(l, e)| EntryRow { list: l, entry: e.as_str().to_owned(), means: e.describe() })
                .collect();
            let rows = items.iter().map(|r| vec![r.list.label().to_owned(), r.entry.clone(), r.means.clone()]).collect();
            let summary = Some(format!("{} on the lists of {}", crate::count(items.len(), "entry", "entries"), describe_owner(&owner)));
            print_table(format, &Table { header: vec!["list", "entry", "means"], rows, items, summary })?;
        }
        SpamCmd::Allow { target: t, entries } | SpamCmd::Block { target: t, entries } | SpamCmd::Unallow { target: t, entries } | SpamCmd::Unblock { target: t, entries } => {
            let verb = match cmd {
                SpamCmd::Allow { .. } => SenderVerb::Allow,
                SpamCmd::Block { .. } => SenderVerb::Block,
                SpamCmd::Unallow { .. } => SenderVerb::Unallow,
                _ => SenderVerb::Unblock,
            };
            let t = target(t)?;
            let r = ops(cli).await?.spam_senders(&t, verb, entries).await?;
            sentences(format, &r, &r.sentences())?;
        }
        SpamCmd::Why { target: t, sender, ip } => {
            let t = target(t)?;
            let mut s = Sender::parse(sender)?;
            if let Some(ip) = ip {
                s = s.with_ip(ip)?;
            }
            let v = spam::why(&client(cli)?, &t, &s).await?;
            // Where spam goes is in the summary (or a note) already; JSON has it on its own.
            let mut lines = vec![v.summary.clone()];
            lines.extend(v.notes.iter().map(|n| format!("Note: {n}")));
            lines.extend(v.suggestions.iter().cloned());
            sentences(format, &v, &lines)?;
        }
    }
    Ok(())
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
