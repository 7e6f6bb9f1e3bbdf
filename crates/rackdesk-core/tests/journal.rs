//! The journal's behaviour through its public API, plus tampering with the file directly.

use chrono::{Duration as TimeDelta, Utc};
use rackdesk_core::journal::{
    Entry, Filter, Intent, Journal, JournalError, Outcome, ProblemKind, CSV_HEADER, SCHEMA_VERSION,
};
use serde_json::json;
use std::path::{Path, PathBuf};

fn intent(operator: &str, action: &str, target: &str) -> Intent {
    Intent {
        operator: operator.into(),
        os_user: format!("{operator}-os"),
        role: "super-admin".into(),
        machine: "desk-1".into(),
        identity_label: "Main".into(),
        account: "123456".into(),
        api_admin: Some("admin@example.com".into()),
        sandbox: false,
        action: action.into(),
        target: target.into(),
        changes: json!({"enabled": {"old": true, "new": false}}),
        correlation_id: None,
    }
}

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    (dir, path)
}

/// A raw connection to the same file, with the append-only triggers dropped, as someone
/// tampering with a database tool would do.
fn tamper(path: &Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch("DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;").unwrap();
    c
}

fn rows(j: &Journal) -> i64 {
    let c = rusqlite::Connection::open(j.path()).unwrap();
    c.query_row("SELECT count(*) FROM journal", [], |r| r.get(0)).unwrap()
}

#[test]
fn journal_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Journal>();
}

#[test]
fn begin_and_finish_round_trip_every_outcome() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let outcomes = [
        Outcome::Success,
        Outcome::Failed {
            kind: "conflict".into(),
            message: "Rackspace refused the request because it conflicts.".into(),
            server_message: Some("Mailbox already exists".into()),
        },
        Outcome::Failed { kind: "network".into(), message: "No connection.".into(), server_message: None },
        Outcome::Refused { reason: "The help desk may not delete mailboxes.".into() },
        Outcome::Unknown { note: "The connection broke after sending.".into() },
        Outcome::Reconciled { result: "applied".into() },
    ];
    for (n, outcome) in outcomes.iter().enumerate() {
        let mut i = intent("alice", "mailbox.set", &format!("user{n}@example.com"));
        i.sandbox = n % 2 == 0;
        i.api_admin = if n == 2 { None } else { Some("admin@example.com".into()) };
        i.correlation_id = Some(format!("job-{n}"));
        let before = Utc::now();
        let id = j.begin(&i).unwrap();
        let pending = j.entry(id).unwrap().expect("entry exists");
        assert_eq!(pending.outcome, None);
        assert_eq!(pending.status(), "pending");
        assert!(pending.finished_at.is_none());
        j.finish(id, outcome).unwrap();

        let e = j.entry(id).unwrap().unwrap();
        assert_eq!(e.id, id);
        assert_eq!(e.outcome.as_ref(), Some(outcome));
        assert!(e.at >= before - TimeDelta::seconds(1) && e.at <= Utc::now());
        assert!(e.finished_at.unwrap() >= e.at);
        assert_eq!(e.operator, "alice");
        assert_eq!(e.os_user, "alice-os");
        assert_eq!(e.role, "super-admin");
        assert_eq!(e.machine, "desk-1");
        assert_eq!(e.identity_label, "Main");
        assert_eq!(e.account, "123456");
        assert_eq!(e.api_admin, i.api_admin);
        assert_eq!(e.sandbox, i.sandbox);
        assert_eq!(e.action, "mailbox.set");
        assert_eq!(e.target, format!("user{n}@example.com"));
        assert_eq!(e.changes, json!({"enabled": {"old": true, "new": false}}));
        assert_eq!(e.correlation_id, Some(format!("job-{n}")));
    }
    // The same through query, newest first.
    let all = j.query(&Filter::default()).unwrap();
    assert_eq!(all.len(), outcomes.len());
    let got: Vec<_> = all.iter().rev().map(|e| e.outcome.clone().unwrap()).collect();
    assert_eq!(got, outcomes);
    assert!(j.verify().unwrap().problems.is_empty());
}

#[test]
fn the_latest_outcome_counts() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let id = j.begin(&intent("alice", "mailbox.create", "new@example.com")).unwrap();
    j.finish(id, &Outcome::Unknown { note: "timed out".into() }).unwrap();
    j.finish(id, &Outcome::Reconciled { result: "applied".into() }).unwrap();
    let e = j.entry(id).unwrap().unwrap();
    assert_eq!(e.outcome, Some(Outcome::Reconciled { result: "applied".into() }));
    assert_eq!(rows(&j), 3, "append-only: one intent and two outcome rows");
}

#[test]
fn finish_of_a_missing_or_non_intent_row_is_refused() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let id = j.begin(&intent("alice", "mailbox.set", "a@example.com")).unwrap();
    j.finish(id, &Outcome::Success).unwrap();
    let err = j.finish(999, &Outcome::Success).unwrap_err();
    assert!(matches!(err, JournalError::NotFound(999)), "{err:?}");
    assert_eq!(err.kind(), rackdesk_core::ErrorKind::NotFound);
    // Row id + 1 is the outcome row, not an intent.
    assert!(matches!(j.finish(id + 1, &Outcome::Success), Err(JournalError::NotFound(_))));
    assert!(j.entry(id + 1).unwrap().is_none());
}

#[test]
fn refused_writes_intent_and_outcome_together() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let mut i = intent("bob", "mailbox.delete", "ceo@example.com");
    i.role = "help-desk".into();
    let id = j.refused(&i, "The help desk may not delete mailboxes.").unwrap();
    let e = j.entry(id).unwrap().unwrap();
    assert_eq!(e.outcome, Some(Outcome::Refused { reason: "The help desk may not delete mailboxes.".into() }));
    assert_eq!(e.role, "help-desk");
    assert!(j.unfinished().unwrap().is_empty());
    assert_eq!(rows(&j), 2);
    assert!(j.verify().unwrap().problems.is_empty());
}

#[test]
fn secrets_in_changes_are_stored_as_changed() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let mut i = intent("alice", "mailbox.reset-password", "jane@example.com");
    i.changes = json!({
        "password": {"old": "OldSecret-1", "new": "NewSecret-2"},
        "Password": "NewSecret-3",
        "settings": {"apiKey": "UserKey-4", "nested": [{"SECRET_KEY": "Secret-5", "size": 2048}]},
        "fields": [{"field": "password", "new": "NewSecret-6"}, {"field": "size", "new": 100}],
        "enabled": {"old": true, "new": false}
    });
    let id = j.begin(&i).unwrap();
    j.finish(id, &Outcome::Success).unwrap();
    let e = j.entry(id).unwrap().unwrap();
    assert_eq!(
        e.changes,
        json!({
            "password": "changed",
            "Password": "changed",
            "settings": {"apiKey": "changed", "nested": [{"SECRET_KEY": "changed", "size": 2048}]},
            "fields": [{"field": "password", "new": "changed"}, {"field": "size", "new": 100}],
            "enabled": {"old": true, "new": false}
        })
    );
    drop(j);
    // Nowhere in the files, either (database and write-ahead log).
    for suffix in ["", "-wal"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        if let Ok(bytes) = std::fs::read(&p) {
            let text = String::from_utf8_lossy(&bytes);
            for secret in ["OldSecret-1", "NewSecret-2", "NewSecret-3", "UserKey-4", "Secret-5", "NewSecret-6"] {
                assert!(!text.contains(secret), "{secret} found in {}", Path::new(&p).display());
            }
        }
    }
}

#[test]
fn unfinished_lists_begun_but_not_finished_intents_oldest_first() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let a = j.begin(&intent("alice", "mailbox.set", "a@example.com")).unwrap();
    let b = j.begin(&intent("alice", "mailbox.set", "b@example.com")).unwrap();
    let c = j.begin(&intent("alice", "mailbox.set", "c@example.com")).unwrap();
    j.finish(b, &Outcome::Success).unwrap();
    let d = j.begin(&intent("alice", "alias.delete", "d@example.com")).unwrap();
    j.finish(d, &Outcome::Unknown { note: "connection dropped".into() }).unwrap();

    // A "crash": the process ends between begin and finish. Reopen.
    drop(j);
    let j = Journal::open(&path).unwrap();
    let ids: Vec<_> = j.unfinished().unwrap().iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![a, c]);
    assert!(j.unfinished().unwrap().iter().all(|e| e.outcome.is_none()));

    // Unsettled also includes the unknown outcome; and only what began before the cut-off.
    let ids: Vec<_> = j.unsettled(Utc::now()).unwrap().iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![a, c, d]);
    assert!(j.unsettled(Utc::now() - TimeDelta::hours(1)).unwrap().is_empty());

    // Reconciling settles them.
    j.finish(a, &Outcome::Reconciled { result: "applied".into() }).unwrap();
    j.finish(c, &Outcome::Reconciled { result: "not applied".into() }).unwrap();
    j.finish(d, &Outcome::Reconciled { result: "applied".into() }).unwrap();
    assert!(j.unfinished().unwrap().is_empty());
    assert!(j.unsettled(Utc::now()).unwrap().is_empty());
    assert!(j.verify().unwrap().problems.is_empty());
}

const CRASH_ENV: &str = "RACKDESK_JOURNAL_TEST_CRASH";

/// Runs only as the child process of `a_crash_between_request_and_outcome_is_found_on_restart`:
/// writes an intent, then dies the hard way before the outcome.
#[test]
fn child_crasher() {
    if let Some(path) = std::env::var_os(CRASH_ENV) {
        let j = Journal::open(Path::new(&path)).unwrap();
        let done = j.begin(&intent("alice", "mailbox.set", "done@example.com")).unwrap();
        j.finish(done, &Outcome::Success).unwrap();
        j.begin(&intent("alice", "mailbox.delete", "crash@example.com")).unwrap();
        std::process::abort();
    }
}

#[test]
fn a_crash_between_request_and_outcome_is_found_on_restart() {
    let (_d, path) = temp();
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_crasher", "--test-threads", "1", "--quiet"])
        .env(CRASH_ENV, &path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "the child should have aborted");
    let j = Journal::open(&path).unwrap();
    let open = j.unfinished().unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].target, "crash@example.com");
    assert_eq!(open[0].action, "mailbox.delete");
    // Reconcile by reading the object back (here: it is gone, so the delete was applied).
    j.finish(open[0].id, &Outcome::Reconciled { result: "applied".into() }).unwrap();
    assert!(j.unfinished().unwrap().is_empty());
    assert!(j.verify().unwrap().problems.is_empty());
}

/// Builds a small journal: returns the ids in order.
fn sample(j: &Journal) -> Vec<i64> {
    let mut ids = Vec::new();
    type Step = (&'static str, &'static str, &'static str, Option<Outcome>, Option<&'static str>);
    let plan: [Step; 8] = [
        ("alice", "mailbox.create", "Jane@Example.com", Some(Outcome::Success), None),
        ("alice", "mailbox.set", "jane@example.com", Some(Outcome::Success), None),
        ("bob", "mailbox.set", "john@example.com", Some(Outcome::Failed { kind: "rejected".into(), message: "no".into(), server_message: None }), None),
        ("bob", "alias.delete", "sales@example.com", Some(Outcome::Refused { reason: "help desk".into() }), None),
        ("carol", "mailbox.set", "a@other.org", Some(Outcome::Success), Some("bulk-1")),
        ("carol", "mailbox.set", "b@other.org", Some(Outcome::Unknown { note: "timeout".into() }), Some("bulk-1")),
        ("carol", "mailbox.set", "c@other.org", None, Some("bulk-1")),
        ("Alice", "mailbox.reset-password", "jane@example.com", Some(Outcome::Reconciled { result: "applied".into() }), None),
    ];
    for (op, action, target, outcome, corr) in plan {
        let mut i = intent(op, action, target);
        i.correlation_id = corr.map(str::to_owned);
        let id = j.begin(&i).unwrap();
        if let Some(o) = outcome {
            j.finish(id, &o).unwrap();
        }
        ids.push(id);
    }
    ids
}

fn ids(entries: &[Entry]) -> Vec<i64> {
    entries.iter().map(|e| e.id).collect()
}

#[test]
fn query_filters() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let id = sample(&j);
    let q = |f: Filter| ids(&j.query(&f).unwrap());

    // Everything, newest first.
    assert_eq!(q(Filter::default()), id.iter().rev().copied().collect::<Vec<_>>());
    // Operator: exact, ignoring case.
    assert_eq!(q(Filter { operator: Some("alice".into()), ..Default::default() }), vec![id[7], id[1], id[0]]);
    assert_eq!(q(Filter { operator: Some("ali".into()), ..Default::default() }), Vec::<i64>::new());
    // Target: substring, ignoring case.
    assert_eq!(q(Filter { target: Some("JANE@".into()), ..Default::default() }), vec![id[7], id[1], id[0]]);
    assert_eq!(q(Filter { target: Some("other.org".into()), ..Default::default() }), vec![id[6], id[5], id[4]]);
    // LIKE wildcards in the search are literal.
    assert_eq!(q(Filter { target: Some("%".into()), ..Default::default() }), Vec::<i64>::new());
    assert_eq!(q(Filter { target: Some("_".into()), ..Default::default() }), Vec::<i64>::new());
    // Action: exact, or a prefix with '*'.
    assert_eq!(q(Filter { action: Some("alias.delete".into()), ..Default::default() }), vec![id[3]]);
    assert_eq!(q(Filter { action: Some("mailbox.*".into()), ..Default::default() }).len(), 7);
    // Outcome, including pending.
    let by = |o: &str| q(Filter { outcome: Some(o.into()), ..Default::default() });
    assert_eq!(by("success"), vec![id[4], id[1], id[0]]);
    assert_eq!(by("failed"), vec![id[2]]);
    assert_eq!(by("refused"), vec![id[3]]);
    assert_eq!(by("unknown"), vec![id[5]]);
    assert_eq!(by("reconciled"), vec![id[7]]);
    assert_eq!(by("pending"), vec![id[6]]);
    let err = j.query(&Filter { outcome: Some("maybe".into()), ..Default::default() }).unwrap_err();
    assert_eq!(err.kind(), rackdesk_core::ErrorKind::InvalidInput);
    assert!(err.user_message().contains("maybe"));
    // Correlation id.
    assert_eq!(q(Filter { correlation_id: Some("bulk-1".into()), ..Default::default() }), vec![id[6], id[5], id[4]]);
    // Combined.
    assert_eq!(
        q(Filter { operator: Some("carol".into()), outcome: Some("success".into()), ..Default::default() }),
        vec![id[4]]
    );
    // Limit: the newest ones.
    assert_eq!(q(Filter { limit: Some(3), ..Default::default() }), vec![id[7], id[6], id[5]]);
    assert_eq!(q(Filter { limit: Some(0), ..Default::default() }), Vec::<i64>::new());
    assert_eq!(j.count(&Filter { operator: Some("carol".into()), ..Default::default() }).unwrap(), 3);
    assert_eq!(j.count(&Filter::default()).unwrap(), 8);

    // Per-mailbox history: exact target, ignoring case.
    assert_eq!(ids(&j.history("jane@example.com", None).unwrap()), vec![id[7], id[1], id[0]]);
    assert_eq!(ids(&j.history("jane@example.com", Some(1)).unwrap()), vec![id[7]]);
    assert!(j.history("jane", None).unwrap().is_empty());
}

#[test]
fn query_by_date_range() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let t0 = Utc::now();
    let early = j.begin(&intent("alice", "mailbox.set", "a@example.com")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let t1 = Utc::now();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let late = j.begin(&intent("alice", "mailbox.set", "b@example.com")).unwrap();
    let t2 = Utc::now();
    let q = |since, until| ids(&j.query(&Filter { since, until, ..Default::default() }).unwrap());
    assert_eq!(q(Some(t0), Some(t2)), vec![late, early]);
    assert_eq!(q(Some(t1), None), vec![late]);
    assert_eq!(q(None, Some(t1)), vec![early]);
    assert_eq!(q(Some(t2 + TimeDelta::seconds(1)), None), Vec::<i64>::new());
    assert_eq!(q(None, Some(t0 - TimeDelta::seconds(1))), Vec::<i64>::new());
}

#[test]
fn csv_export_parses_back() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let id = sample(&j);
    let mut buf = Vec::new();
    let n = j.export_csv(&Filter::default(), &mut buf).unwrap();
    assert_eq!(n, 8);

    let mut r = csv::Reader::from_reader(buf.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, CSV_HEADER);
    assert_eq!(
        header,
        [
            "id", "time", "finished", "operator", "os user", "role", "machine", "identity", "account",
            "api admin", "sandbox", "action", "target", "changes", "result", "error kind", "error message",
            "server message", "correlation id", "summary"
        ]
    );
    let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 8);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for rec in &records {
        assert_eq!(rec.len(), 20);
        assert!(rec[col("summary")].starts_with("Disabled ") || rec[col("summary")].starts_with("Enabled ") || !rec[col("summary")].is_empty());
        chrono::DateTime::parse_from_rfc3339(&rec[col("time")]).unwrap();
        assert!(rec[col("time")].ends_with('Z'), "UTC");
        let changes: serde_json::Value = serde_json::from_str(&rec[col("changes")]).unwrap();
        assert_eq!(changes, json!({"enabled": {"old": true, "new": false}}));
    }
    // Newest first: the first record is the last entry.
    let first = &records[0];
    assert_eq!(first[col("id")].parse::<i64>().unwrap(), id[7]);
    assert_eq!(&first[col("result")], "reconciled: applied");
    let failed = records.iter().find(|r| &r[col("result")] == "failed").unwrap();
    assert_eq!(&failed[col("error kind")], "rejected");
    assert_eq!(&failed[col("error message")], "no");
    assert_eq!(&failed[col("operator")], "bob");
    assert_eq!(&failed[col("os user")], "bob-os");
    assert_eq!(&failed[col("sandbox")], "no");
    assert_eq!(&failed[col("api admin")], "admin@example.com");
    let pending = records.iter().find(|r| &r[col("result")] == "pending").unwrap();
    assert_eq!(&pending[col("finished")], "");
    assert_eq!(&pending[col("correlation id")], "bulk-1");

    // A filter applies to the export too.
    let mut buf = Vec::new();
    let n = j.export_csv(&Filter { correlation_id: Some("bulk-1".into()), ..Default::default() }, &mut buf).unwrap();
    assert_eq!(n, 3);
    assert_eq!(csv::Reader::from_reader(buf.as_slice()).records().count(), 3);
}

#[test]
fn verify_a_clean_journal() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let empty = j.verify().unwrap();
    assert_eq!(empty.rows, 0);
    assert!(empty.problems.is_empty());
    sample(&j);
    j.refused(&intent("bob", "mailbox.delete", "x@example.com"), "no").unwrap();
    let report = j.verify().unwrap();
    assert_eq!(report.rows, 17);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn the_database_refuses_updates_and_deletes() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    sample(&j);
    let c = rusqlite::Connection::open(&path).unwrap();
    let e = c.execute("UPDATE journal SET target = 'x' WHERE seq = 1", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let e = c.execute("DELETE FROM journal WHERE seq = 1", []).unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
}

#[test]
fn verify_detects_an_edited_row() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let id = sample(&j);
    // Change who did it, leaving the hash as it was.
    tamper(&path).execute("UPDATE journal SET operator = 'mallory' WHERE seq = ?1", [id[2]]).unwrap();
    let report = j.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let p = &report.problems[0];
    assert_eq!(p.kind, ProblemKind::Edited);
    assert_eq!(p.row, id[2]);
    assert!(p.message.starts_with(&format!("Entry {} (mailbox.set on john@example.com", id[2])), "{}", p.message);
    assert!(p.message.contains("changed after it was written"), "{}", p.message);
}

#[test]
fn verify_detects_an_edited_outcome() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let id = j.begin(&intent("alice", "mailbox.delete", "a@example.com")).unwrap();
    j.finish(id, &Outcome::Failed { kind: "forbidden".into(), message: "no".into(), server_message: None }).unwrap();
    j.begin(&intent("alice", "mailbox.set", "b@example.com")).unwrap();
    tamper(&path).execute("UPDATE journal SET status = 'success' WHERE intent_id = ?1", [id]).unwrap();
    let report = j.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].kind, ProblemKind::Edited);
    assert_eq!(report.problems[0].row, id + 1);
    assert!(report.problems[0].message.contains(&format!("the result of entry {id}")), "{}", report.problems[0].message);
}

#[test]
fn verify_detects_an_edited_hash_or_link() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    sample(&j);
    let c = tamper(&path);
    c.execute("UPDATE journal SET hash = ?1 WHERE seq = 3", [&"ab".repeat(32)]).unwrap();
    c.execute("UPDATE journal SET prev_hash = ?1 WHERE seq = 7", [&"cd".repeat(32)]).unwrap();
    let report = j.verify().unwrap();
    let edited: Vec<_> = report.problems.iter().map(|p| (p.row, p.kind)).collect();
    assert_eq!(edited, vec![(3, ProblemKind::Edited), (7, ProblemKind::Edited)], "{:?}", report.problems);
}

#[test]
fn verify_detects_a_deleted_row() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    let id = sample(&j);
    let deleted = id[3]; // the intent of "alias.delete"
    tamper(&path).execute("DELETE FROM journal WHERE seq = ?1", [deleted]).unwrap();
    let report = j.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let p = &report.problems[0];
    assert_eq!(p.kind, ProblemKind::Deleted);
    assert_eq!(p.row, deleted);
    assert_eq!(
        p.message,
        format!("Entry {deleted} was deleted (the journal goes from entry {} to entry {}).", deleted - 1, deleted + 1)
    );
}

#[test]
fn verify_detects_deleted_first_and_last_rows() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    sample(&j);
    let total = rows(&j);
    let c = tamper(&path);
    c.execute("DELETE FROM journal WHERE seq = 1", []).unwrap();
    c.execute("DELETE FROM journal WHERE seq >= ?1", [total - 1]).unwrap();
    let report = j.verify().unwrap();
    let deleted: Vec<_> =
        report.problems.iter().filter(|p| p.kind == ProblemKind::Deleted).map(|p| p.row).collect();
    assert_eq!(deleted, vec![1, total - 1, total], "{:?}", report.problems);
    assert_eq!(report.problems.len(), 3);
    // Appending after a deleted tail keeps the gap visible.
    j.begin(&intent("alice", "mailbox.set", "z@example.com")).unwrap();
    let report = j.verify().unwrap();
    let deleted: Vec<_> =
        report.problems.iter().filter(|p| p.kind == ProblemKind::Deleted).map(|p| p.row).collect();
    assert_eq!(deleted, vec![1, total - 1, total], "{:?}", report.problems);
}

#[test]
fn verify_detects_reordered_rows() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    sample(&j);
    // Swap rows 4 and 5 by renumbering them.
    let c = tamper(&path);
    c.execute_batch(
        "UPDATE journal SET seq = -4 WHERE seq = 4;
         UPDATE journal SET seq = 4 WHERE seq = 5;
         UPDATE journal SET seq = 5 WHERE seq = -4;",
    )
    .unwrap();
    let report = j.verify().unwrap();
    let reordered: Vec<_> =
        report.problems.iter().filter(|p| p.kind == ProblemKind::Reordered).map(|p| p.row).collect();
    assert!(reordered.contains(&4) && reordered.contains(&5), "{:?}", report.problems);
    assert!(report.problems.iter().all(|p| p.kind == ProblemKind::Reordered), "{:?}", report.problems);
    assert!(report.problems.iter().any(|p| p.message.contains("out of order")));
}

#[test]
fn verify_detects_a_deleted_end_marker() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    sample(&j);
    tamper(&path).execute("DELETE FROM chain_head", []).unwrap();
    let report = j.verify().unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert_eq!(report.problems[0].kind, ProblemKind::Deleted);
    assert!(report.problems[0].message.contains("end marker"));
}

#[test]
fn verify_detects_a_row_added_outside_rackdesk() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    sample(&j);
    let last = rows(&j);
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute(
        "INSERT INTO journal (seq, kind, at, operator, action, target, prev_hash, hash)
         SELECT seq + 1, 'intent', at, 'mallory', 'mailbox.set', 'x@example.com', hash, hash FROM journal
         WHERE seq = ?1",
        [last],
    )
    .unwrap();
    let report = j.verify().unwrap();
    assert!(!report.problems.is_empty());
    assert!(report.problems.iter().all(|p| p.row == last + 1 && p.kind == ProblemKind::Edited), "{:?}", report.problems);
    // Rackdesk's next entry does not reuse its number.
    let next = j.begin(&intent("alice", "mailbox.set", "a@example.com")).unwrap();
    assert_eq!(next, last + 2);
}

#[test]
fn a_writer_held_up_too_long_gets_busy_and_readers_carry_on() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    sample(&j);
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Reading is not blocked by another writer (WAL).
    assert_eq!(j.query(&Filter::default()).unwrap().len(), 8);
    assert!(j.verify().unwrap().problems.is_empty());
    let started = std::time::Instant::now();
    let err = j.begin(&intent("alice", "mailbox.set", "a@example.com")).unwrap_err();
    assert!(started.elapsed() >= std::time::Duration::from_secs(4), "waited {:?}", started.elapsed());
    assert!(matches!(err, JournalError::Busy { .. }), "{err:?}");
    assert!(matches!(err, JournalError::Busy { .. }), "{err:?}");
    assert_eq!(err.kind(), rackdesk_core::ErrorKind::Journal);
    assert!(err.user_message().contains("busy"), "{}", err.user_message());
    other.execute_batch("ROLLBACK").unwrap();
    j.begin(&intent("alice", "mailbox.set", "a@example.com")).unwrap();
    assert!(j.verify().unwrap().problems.is_empty());
}

#[test]
fn a_new_file_or_an_empty_one_is_migrated() {
    let (_d, path) = temp();
    // An empty file: a valid, empty SQLite database at version 0.
    std::fs::write(&path, b"").unwrap();
    let j = Journal::open(&path).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = c.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    let mode: String = c.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    j.begin(&intent("alice", "mailbox.set", "a@example.com")).unwrap();
    drop(j);
    // Opening again is a no-op migration and keeps the data.
    let j = Journal::open(&path).unwrap();
    assert_eq!(j.query(&Filter::default()).unwrap().len(), 1);
    assert!(j.verify().unwrap().problems.is_empty());

    // A folder that does not exist yet is created.
    let (_d2, dir) = temp();
    let nested = dir.join("a/b/journal.sqlite3");
    Journal::open(&nested).unwrap();
    assert!(nested.exists());
}

#[test]
fn a_newer_schema_is_refused() {
    let (_d, path) = temp();
    Journal::open(&path).unwrap();
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
    drop(c);
    let err = Journal::open(&path).unwrap_err();
    assert!(
        matches!(err, JournalError::TooNew { found, supported, .. } if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{err:?}"
    );
    assert!(matches!(err, JournalError::TooNew { .. }), "{err:?}");
    assert_eq!(err.kind(), rackdesk_core::ErrorKind::Journal);
    let m = err.user_message();
    assert!(m.contains("newer version of Rackdesk") && m.contains("will not make changes"), "{m}");
    assert!(m.contains(&path.display().to_string()));
}

#[test]
fn garbage_is_unreadable_with_a_plain_message() {
    let (_d, path) = temp();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let err = Journal::open(&path).unwrap_err();
    assert!(matches!(err, JournalError::Unreadable { .. }), "{err:?}");
    assert!(matches!(err, JournalError::Unreadable { .. }), "{err:?}");
    assert_eq!(err.kind(), rackdesk_core::ErrorKind::Journal);
    assert!(err.blocks_changes());
    let m = err.user_message();
    assert!(m.contains("cannot be read") && m.contains("will not make changes it cannot record"), "{m}");
    assert!(m.contains(&path.display().to_string()));
    assert!(err.detail().unwrap().contains("not a database"), "{:?}", err.detail());
    // The file is left as it was.
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn another_programs_database_is_refused() {
    let (_d, path) = temp();
    let c = rusqlite::Connection::open(&path).unwrap();
    c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('x');")
        .unwrap();
    drop(c);
    let err = Journal::open(&path).unwrap_err();
    assert!(matches!(err, JournalError::Unreadable { .. }), "{err:?}");
    assert!(err.detail().unwrap().contains("not a Rackdesk journal"));
}

#[test]
fn a_damaged_journal_is_unreadable() {
    let (_d, path) = temp();
    let j = Journal::open(&path).unwrap();
    for n in 0..300 {
        let id = j.begin(&intent("alice", "mailbox.set", &format!("u{n}@example.com"))).unwrap();
        j.finish(id, &Outcome::Success).unwrap();
    }
    drop(j);
    // Fold the write-ahead log into the file, then overwrite pages in its middle.
    let c = rusqlite::Connection::open(&path).unwrap();
    c.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(c);
    let mut bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() > 16 * 4096);
    let end = bytes.len() - 4096;
    for b in &mut bytes[4096..end] {
        *b = 0xA5;
    }
    std::fs::write(&path, &bytes).unwrap();
    let err = match Journal::open(&path) {
        Err(e) => e,
        Ok(j) => j.query(&Filter::default()).and_then(|_| j.verify()).map(|_| ()).unwrap_err(),
    };
    assert!(matches!(err, JournalError::Unreadable { .. }), "{err:?}");
}

#[test]
fn default_path_follows_rackdesk_data_dir() {
    let (_d, dir) = temp();
    // SAFETY (edition 2021: safe): only this test touches RACKDESK_DATA_DIR.
    std::env::set_var("RACKDESK_DATA_DIR", &dir);
    assert_eq!(Journal::default_path().unwrap(), dir.join("journal.sqlite3"));
    std::env::set_var("RACKDESK_DATA_DIR", "");
    let p = Journal::default_path().unwrap();
    assert!(p.ends_with("journal.sqlite3") && p != dir.join("journal.sqlite3"), "{}", p.display());
    std::env::remove_var("RACKDESK_DATA_DIR");
}

#[test]
fn outcome_from_api_errors() {
    use rackdesk_core::error::{Fault, SendPhase, ServerReply};
    use rackdesk_core::ApiError;
    let reply = ServerReply {
        status: 409,
        error_message: None,
        fault: Some(Fault { kind: "conflictFault".into(), message: Some("Mailbox exists".into()), ..Default::default() }),
        server_date: None,
    };
    match Outcome::from_api_error(&ApiError::Conflict(reply)) {
        Outcome::Failed { kind, server_message, .. } => {
            assert_eq!(kind, "conflict");
            assert_eq!(server_message.as_deref(), Some("Mailbox exists"));
        }
        other => panic!("{other:?}"),
    }
    let maybe = ApiError::Network { phase: SendPhase::MaybeSent, message: "reset".into() };
    assert!(matches!(Outcome::from_api_error(&maybe), Outcome::Unknown { .. }));
    let not_sent = ApiError::Network { phase: SendPhase::NotSent, message: "refused".into() };
    assert!(matches!(Outcome::from_api_error(&not_sent), Outcome::Failed { .. }));
}

#[test]
fn outcome_serializes_with_a_status_tag() {
    let v = serde_json::to_value(Outcome::Refused { reason: "r".into() }).unwrap();
    assert_eq!(v, json!({"status": "refused", "reason": "r"}));
    assert_eq!(serde_json::to_value(Outcome::Success).unwrap(), json!({"status": "success"}));
}

// --- Concurrency: several connections (threads) and another process -------------------------

const PER_WRITER: usize = 500;
const CHILD_ENV: &str = "RACKDESK_JOURNAL_TEST_CHILD";

fn write_many(path: &Path, who: &str, n: usize) {
    let j = Journal::open(path).unwrap();
    for k in 0..n {
        let mut i = intent(who, "mailbox.set", &format!("{who}-{k}@example.com"));
        i.correlation_id = Some(who.to_owned());
        let id = j.begin(&i).unwrap();
        j.finish(id, &Outcome::Success).unwrap();
    }
}

/// Runs only as the child process of `concurrent_writers_lose_nothing`.
#[test]
fn child_writer() {
    if let Some(path) = std::env::var_os(CHILD_ENV) {
        write_many(Path::new(&path), "child", PER_WRITER);
    }
}

#[test]
fn concurrent_writers_lose_nothing() {
    let (_d, path) = temp();
    Journal::open(&path).unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_writer", "--test-threads", "1", "--quiet"])
        .env(CHILD_ENV, &path)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let threads: Vec<_> = ["app", "cli"]
        .into_iter()
        .map(|who| {
            let path = path.clone();
            std::thread::spawn(move || write_many(&path, who, PER_WRITER))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let status = child.wait_with_output().unwrap().status;
    assert!(status.success(), "child process failed: {status}");

    let j = Journal::open(&path).unwrap();
    for who in ["app", "cli", "child"] {
        let f = Filter { correlation_id: Some(who.into()), ..Default::default() };
        assert_eq!(j.count(&f).unwrap(), PER_WRITER as u64, "{who}");
        let e = j.query(&f).unwrap();
        assert!(e.iter().all(|e| e.outcome == Some(Outcome::Success)));
    }
    assert_eq!(j.count(&Filter::default()).unwrap(), 3 * PER_WRITER as u64);
    assert!(j.unfinished().unwrap().is_empty());
    let report = j.verify().unwrap();
    assert_eq!(report.rows, 6 * PER_WRITER as u64);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}

#[test]
fn one_journal_shared_by_threads() {
    let (_d, path) = temp();
    let j = std::sync::Arc::new(Journal::open(&path).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let j = j.clone();
            std::thread::spawn(move || {
                for k in 0..50 {
                    let id = j.begin(&intent(&format!("t{t}"), "mailbox.set", &format!("{t}-{k}@example.com"))).unwrap();
                    j.finish(id, &Outcome::Success).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(j.count(&Filter::default()).unwrap(), 200);
    assert!(j.verify().unwrap().problems.is_empty());
}
