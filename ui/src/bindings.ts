// Generated from the Rust command types by `UPDATE_BINDINGS=1 cargo test --test bindings`.
// Do not edit by hand.

/** Every class of failure (the core's error kinds). */
export type ErrorKind = "invalid-input" | "auth-failed" | "forbidden" | "throttled" | "not-found" | "rejected" | "conflict" | "already-exists" | "aliases-deliver-here" | "domain-typo" | "server-fault" | "network" | "timeout" | "proxy-unreachable" | "proxy-auth" | "proxy-refused" | "certificate" | "name-not-found" | "undecodable" | "unconfirmed" | "bad-paging" | "too-large" | "wrong-keys" | "clock-skew" | "offline" | "wrong-account" | "wrong-host" | "vault-unavailable" | "vault-locked" | "vault-entry-missing" | "vault-failure" | "config" | "duplicate" | "no-identity" | "not-allowed" | "passphrase" | "journal" | "job-store" | "no-such-job" | "job-busy" | "job-unfinished" | "file" | "clipboard" | "team-unreachable" | "team-tls" | "team-auth" | "team-not-ready" | "team-database" | "update-unverified" | "update-failed" | "internal";

export type CommandError = { 
/**
 * The class of failure (the core's error kind), e.g. `auth-failed`, `throttled`.
 */
kind: ErrorKind, 
/**
 * One plain sentence: what happened and what to do.
 */
message: string, 
/**
 * The server's own words, when it said something.
 */
detail: string | null, };

export type ClientNotice = { 
/**
 * `rate-limit`, `throttled`, `retrying` or `checking`.
 */
kind: string, 
/**
 * A plain sentence for the status bar.
 */
message: string, 
/**
 * Seconds to wait, when waiting.
 */
waitSecs: number | null, };

export type WhoIsActing = { 
/**
 * The operator's name as recorded in the journal (the OS login, or a name chosen on a shared computer).
 */
operatorName: string, 
/**
 * How people see the operator: "Alice Martin (alice)", or the login alone.
 */
operatorDisplay: string, 
/**
 * The person's full name (set in Rackdesk, else the OS account's), if there is one.
 */
operatorFullName: string | null, 
/**
 * The OS login of this computer's session.
 */
operatorLogin: string, 
/**
 * "super admin" or "help desk".
 */
role: string, identityLabel: string, apiAdmin: string | null, account: string, 
/**
 * The whole sentence: "You (Alice Martin (alice), help desk) — acting through API admin api-rackdesk on account 123456".
 */
sentence: string, };

export type AppStatus = { version: string, 
/**
 * Acting on the built-in sandbox (practice data) rather than a real account.
 */
sandbox: boolean, apiUrl: string, acting: WhoIsActing, identities: Array<IdentityInfo>, 
/**
 * Where keys are kept, as people know it ("macOS Keychain", ...).
 */
vaultName: string, 
/**
 * Why the active identity could not be opened at start, if so.
 */
problem: CommandError | null, 
/**
 * "super admin" or "help desk".
 */
role: string, 
/**
 * What the current role may do (action names of the allow-list, e.g. "mailbox.delete").
 */
allowed: Array<string>, 
/**
 * Whether a super-admin passphrase is set on this computer.
 */
passphraseSet: boolean, 
/**
 * Why the journal cannot be used (then no change is made), if so.
 */
journalProblem: CommandError | null, 
/**
 * Bulk jobs that stopped before their end and can be resumed (from the Bulk page).
 */
unfinishedJobs: number, 
/**
 * The team journal on this computer (off, up to date, waiting, unreachable).
 */
team: TeamStatus, };

export type DomainInfo = { name: string, 
/**
 * Rackspace Email mailboxes.
 */
mailboxes: number, 
/**
 * What the domain has, from its `serviceType`: "rsemail", "exchange" or "both".
 */
service: string | null, 
/**
 * Hosted Exchange mailboxes (0 when the domain has no Exchange).
 */
exMailboxes: number, };

export type MailboxRow = { name: string, address: string, displayName: string, enabled: boolean, sizeMb: number, usedMb: number, 
/**
 * ISO 8601 (UTC), or null when the mailbox was never used.
 */
lastLogin: string | null, created: string | null, };

export type MailboxPage = { offset: number, total: number, rows: Array<MailboxRow>, 
/**
 * The offset of the next page, or `null` when the list is complete: decided by the
 * core's bounded pager (a server that loops or overruns its total ends in `bad-paging`).
 */
next: number | null, };

export type MailboxDetail = { row: MailboxRow, forwarding: Array<string>, keepCopy: boolean, autoReplyEnabled: boolean, autoReplyMessage: string, 
/**
 * Addresses of the aliases that deliver to this mailbox.
 */
aliases: Array<string>, };

export type NewMailboxInput = { domain: string, name: string, displayName: string | null, sizeMb: number | null, 
/**
 * `null`: generate one and show it once.
 */
password: string | null, };

export type AutoReply = { enabled: boolean, message: string, };

export type MailboxUpdate = { displayName: string | null, sizeMb: number | null, 
/**
 * An empty list stops forwarding.
 */
forwardTo: Array<string> | null, keepCopy: boolean | null, autoReply: AutoReply | null, };

export type PasswordResult = { address: string, password: string, };

export type DeleteImpact = { 
/**
 * Addresses of the aliases that deliver to the mailbox.
 */
aliases: Array<string>, 
/**
 * Those that would be left with no address, and so are deleted too.
 */
emptied: Array<string>, };

export type AddressWarning = { address: string, 
/**
 * One plain sentence.
 */
message: string, 
/**
 * The address with the domain it probably meant.
 */
suggestion: string | null, };

export type NameCheck = { message: string, 
/**
 * `"mailbox"` or `"alias"` when the name is taken.
 */
existing: "mailbox" | "alias" | null, };

export type ExportResult = { path: string, rows: number, };

export type AliasRow = { name: string, address: string, members: number, 
/**
 * The one address it delivers to, when it has exactly one.
 */
singleMember: string | null, };

export type AliasDetail = { name: string, address: string, members: Array<string>, };

export type KeysInput = { label: string, account: string, 
/**
 * Leave empty for Rackspace's API; a sandbox or test server otherwise.
 */
apiUrl: string | null, apiAdmin: string | null, userKey: string, secretKey: string, 
/**
 * The person said the address is a test server, not Rackspace (required for any other
 * address than Rackspace's).
 */
testServer: boolean, };

export type VerifyReport = { accountNumber: string, accountName: string, domains: Array<string>, 
/**
 * The named API admin exists and is an enabled super admin.
 */
apiAdminOk: boolean, warnings: Array<string>, 
/**
 * Server clock minus ours, when more than a minute.
 */
clockSkewSecs: number | null, };

export type IdentityInfo = { label: string, account: string, apiUrl: string, apiAdmin: string | null, userKeyHint: string, keyAgeDays: number, rotateSoon: boolean, lastVerified: string | null, active: boolean, 
/**
 * Stored for a test server (a simulator), not Rackspace.
 */
testServer: boolean, };

export type JournalEntry = { id: number, 
/**
 * ISO 8601, UTC.
 */
at: string, operator: string, role: string, machine: string, 
/**
 * "API admin api-rackdesk on account 123456" or the identity's name.
 */
through: string, sandbox: boolean, 
/**
 * The action's code (for filters and tests; people read `summary`).
 */
action: string, 
/**
 * What was done, as a sentence: "Reset the password of tess@example.com".
 */
summary: string, 
/**
 * A few lines of detail in plain words.
 */
details: Array<string>, target: string, 
/**
 * The fields changed, as "field: old → new" lines.
 */
changes: Array<string>, 
/**
 * "success", "failed", "refused", "unknown", "reconciled" or "pending".
 */
result: string, 
/**
 * The result in words, with the server's message for failures.
 */
resultText: string, };

export type JournalFilter = { operator: string | null, target: string | null, action: string | null, 
/**
 * YYYY-MM-DD (UTC), inclusive.
 */
since: string | null, until: string | null, result: string | null, 
/**
 * Entries of one bulk job.
 */
correlationId?: string, limit: number | null, };

export type RoleRow = { action: string, label: string, superAdmin: boolean, helpDesk: boolean, };

export type BulkKindInfo = { name: string, label: string, columns: Array<string>, };

export type ColumnMap = { theirs: string, ours: string | null, };

export type BulkRowView = { row: number, target: string, text: string, ok: boolean, };

export type BulkPlanView = { kind: string, 
/**
 * Columns of the file Rackdesk does not know: the person says what they are.
 */
unknownColumns: Array<string>, rows: Array<BulkRowView>, 
/**
 * "Row 4, column email: ..." sentences; errors first.
 */
problems: Array<string>, errors: number, warnings: number, creates: number, changes: number, deletes: number, noChange: number, 
/**
 * How long it will take at Rackspace's published limits.
 */
eta: string, canStart: boolean, };

export type BulkProgressView = { jobId: string, done: number, failed: number, skipped: number, total: number, eta: string, paused: boolean, 
/**
 * The latest row result or note, in words.
 */
message: string | null, };

export type BulkFinishedView = { jobId: string, state: string, done: number, failed: number, skipped: number, 
/**
 * Generated passwords, shown once.
 */
passwords: Array<PasswordResult>, lostPasswords: Array<string>, stopped: string | null, };

export type BulkJobView = { jobId: string, kind: string, 
/**
 * The file's name as the person chose it.
 */
file: string, 
/**
 * "planned", "running", "interrupted", "paused", "done" or "cancelled".
 */
state: string, message: string | null, done: number, failed: number, skipped: number, open: number, total: number, 
/**
 * When it was started (planned and begun), ISO 8601, UTC.
 */
created: string, 
/**
 * When it finished (done or cancelled), ISO 8601, UTC; `null` while unfinished.
 */
finished: string | null, 
/**
 * Its per-row results are kept, so "Save the results…" can write them.
 */
resultsSaveable: boolean, 
/**
 * Unfinished and not being run now: it can be resumed (or cancelled).
 */
resumable: boolean, 
/**
 * Running in this app now.
 */
running: boolean, 
/**
 * Mailboxes whose generated password was set but never shown: reset them.
 */
undelivered: Array<string>, };

export type ChosenFile = { 
/**
 * Where it is, to read it again ("Check again").
 */
path: string, 
/**
 * Its name, for the page.
 */
name: string, };

export type ExMailboxRow = { name: string, address: string, displayName: string, 
/**
 * From the mailbox itself in the detail. The Exchange list (Index) does not offer this
 * column (only size and usage), so list rows say `true` unless the server said otherwise.
 */
enabled: boolean, sizeMb: number, usedMb: number, 
/**
 * From the mailbox itself in the detail; the list does not offer it, so rows say `false`.
 */
hidden: boolean, };

export type ExMailboxPage = { offset: number, total: number, rows: Array<ExMailboxRow>, 
/**
 * The offset of the next page, or `null` when the list is complete (the core's bounded pager).
 */
next: number | null, };

export type DelegateRow = { 
/**
 * The delegate's full address.
 */
delegate: string, displayName: string, 
/**
 * What the delegate may do, in words ("Full access and send as").
 */
permission: string, };

export type ExMailboxDetail = { row: ExMailboxRow, 
/**
 * The one address mail is forwarded to, or `null` when forwarding is off.
 */
forwarding: string | null, keepCopy: boolean, 
/**
 * Every address of the mailbox.
 */
addresses: Array<string>, delegates: Array<DelegateRow>, jobTitle: string | null, department: string | null, businessNumber: string | null, mobileNumber: string | null, };

export type NewExMailboxInput = { domain: string, name: string, displayName: string, 
/**
 * `null`: the domain's standard size.
 */
sizeMb: number | null, 
/**
 * `null`: generate one and show it once.
 */
password: string | null, };

export type ExMailboxUpdate = { displayName: string | null, sizeMb: number | null, 
/**
 * One address; `""` turns forwarding off.
 */
forwardTo: string | null, keepCopy: boolean | null, hidden: boolean | null, };

export type ContactRow = { name: string, displayName: string, email: string, };

export type ContactDetail = { name: string, displayName: string, email: string, hidden: boolean, company: string | null, jobTitle: string | null, businessNumber: string | null, };

export type ContactInput = { 
/**
 * The contact's short name in the domain (like a mailbox name).
 */
name: string, displayName: string, 
/**
 * The outside address.
 */
email: string, };

export type ContactUpdate = { displayName: string | null, email: string | null, };

export type DListRow = { name: string, address: string, displayName: string, members: number, 
/**
 * "Ready", "Being changed", or "Failed: " and the server's words.
 */
status: string, };

export type DListDetail = { name: string, address: string, displayName: string, description: string, hidden: boolean, status: string, 
/**
 * Who receives the list's mail.
 */
members: Array<string>, 
/**
 * Who may send to it (empty: anyone).
 */
senders: Array<string>, };

export type FoundRow = { 
/**
 * "mailbox", "alias", "ex-mailbox", "contact" or "list".
 */
kind: string, 
/**
 * In words: "Exchange mailbox".
 */
kindLabel: string, domain: string, name: string, address: string, displayName: string | null, 
/**
 * A contact's outside address, an alias's members.
 */
addresses: Array<string>, enabled: boolean | null, };

export type IndexInfo = { items: number, 
/**
 * When the last whole refresh finished (ISO 8601), or null: never.
 */
refreshedAt: string | null, 
/**
 * A refresh is running now.
 */
refreshing: boolean, 
/**
 * Listings read and to read, objects read, what is being read.
 */
partsDone: number, parts: number, read: number, now: string, 
/**
 * The last refresh failed: why, in words.
 */
problem: CommandError | null, };

export type FindAnswer = { rows: Array<FoundRow>, index: IndexInfo, };

export type Indexed<T> = { rows: Array<T>, 
/**
 * How many the domain has in all (more than `rows` when only the first were asked for).
 */
total: number, 
/**
 * When the index was last refreshed (ISO 8601).
 */
asOf: string, };

export type SpamLineView = { key: string, label: string, value: string, explanation: string, };

export type SpamEntryView = { entry: string, 
/**
 * "every address at partner.example", "the server 203.0.113.9".
 */
describe: string, };

export type SpamListView = { 
/**
 * "safe", "block", "ip-safe" or "ip-block".
 */
list: string, 
/**
 * "safe senders", "blocked IP addresses".
 */
label: string, explanation: string, entries: Array<SpamEntryView>, 
/**
 * The person's role may change this list; else why not, in words.
 */
refusal: string | null, };

export type SpamChoice = { value: string, label: string, explanation: string, };

export type SpamPageView = { 
/**
 * The domain or the mailbox address.
 */
target: string, 
/**
 * "the domain example.com", "the Exchange mailbox jane@example.com".
 */
title: string, 
/**
 * "domain", "rs-mailbox" or "ex-mailbox".
 */
ownerKind: string, lines: Array<SpamLineView>, lists: Array<SpamListView>, 
/**
 * The filter level now and its choices.
 */
filterLevel: string, filterLevels: Array<SpamChoice>, 
/**
 * Where spam goes (Rackspace Email: a domain or a Rackspace Email mailbox), and its choices.
 */
handling: string | null, handlings: Array<SpamChoice>, forwardTo: string | null, 
/**
 * The person's role may change the settings; else why not.
 */
settingsRefusal: string | null, };

export type SpamListChanged = { 
/**
 * What was done, in sentences.
 */
sentences: Array<string>, 
/**
 * The list changed ("safe", "block", "ip-safe", "ip-block").
 */
list: string, added: Array<SpamEntryView>, removed: Array<string>, };

export type SpamSettingsChanged = { sentences: Array<string>, lines: Array<SpamLineView>, filterLevel: string, handling: string | null, forwardTo: string | null, };

export type SpamEntryCheck = { entry: string, describe: string, 
/**
 * "example.com was read as @example.com".
 */
note: string | null, 
/**
 * The list it goes to for the side asked ("safe senders" or "allowed IP addresses", …).
 */
list: string, listLabel: string, };

export type SpamVerdictView = { 
/**
 * "blocked", "safe-listed", "not-checked", "not-accepted" or "content-checked".
 */
result: string, summary: string, 
/**
 * What decided, in words.
 */
decidedBy: string, spamGoes: string | null, notes: Array<string>, suggestions: Array<string>, };

export type DiagnosticsReport = { 
/**
 * The report as plain lines, ready to paste.
 */
text: string, 
/**
 * The app's log file, or why there is none.
 */
logFile: string | null, };

export type LogFolder = { path: string, 
/**
 * False when no file manager could be started: then the page shows the path.
 */
opened: boolean, };

export type UpdateCheck = { 
/**
 * `available`, `latest`, or `off` (this copy does not update itself; `reason` says why).
 */
status: string, 
/**
 * The version running now.
 */
currentVersion: string, 
/**
 * The newer version, when there is one.
 */
version: string | null, 
/**
 * What is new in it, as the publisher wrote it.
 */
notes: string | null, 
/**
 * When it was published (RFC 3339), when the manifest says.
 */
published: string | null, 
/**
 * Why this copy does not update itself, in plain words (status `off`).
 */
reason: string | null, 
/**
 * The server updates come from (host name only).
 */
source: string | null, };

export type UpdateInstalled = { version: string, };

export type UpdateProgress = { received: bigint, total: bigint | null, };

export type TeamStatus = { 
/**
 * Team mode is on.
 */
connected: boolean, 
/**
 * "host:port/database".
 */
database: string | null, login: string | null, 
/**
 * "up-to-date", "waiting", "unreachable", "stopped", "off".
 */
state: string, waiting: number, 
/**
 * ISO 8601, UTC.
 */
unreachableSince: string | null, lastShippedAt: string | null, 
/**
 * The last failure's words.
 */
problem: string | null, 
/**
 * "team journal: up to date" / "team journal: 12 entries waiting" / "team journal: unreachable since …".
 */
line: string, 
/**
 * "hidden" or "read-only".
 */
helpDeskView: string, 
/**
 * The person at this computer may see the team view.
 */
mayView: boolean, 
/**
 * ... and connect, set up, leave, decide what the help desk sees.
 */
mayManage: boolean, };

export type TeamJournalFilter = { 
/**
 * The computer's name (ignoring case) or the start of its machine id.
 */
machine: string | null, operator: string | null, 
/**
 * Part of the identity's name, its API admin, or the account number.
 */
identity: string | null, action: string | null, target: string | null, 
/**
 * YYYY-MM-DD (UTC), inclusive.
 */
since: string | null, until: string | null, result: string | null, limit: number | null, };

export type TeamJournalEntry = { 
/**
 * "machine id/number": stays the same when the entry's outcome arrives.
 */
key: string, machineId: string, id: number, 
/**
 * ISO 8601, UTC.
 */
at: string, operator: string, role: string, machine: string, 
/**
 * "API admin api-rackdesk on account 123456" or the identity's name.
 */
through: string, sandbox: boolean, 
/**
 * The action's code (for filters and tests; people read `summary`).
 */
action: string, 
/**
 * What was done, as a sentence: "Reset the password of tess@example.com".
 */
summary: string, 
/**
 * A few lines of detail in plain words.
 */
details: Array<string>, target: string, 
/**
 * The fields changed, as "field: old → new" lines.
 */
changes: Array<string>, 
/**
 * "success", "failed", "refused", "unknown", "reconciled" or "pending".
 */
result: string, 
/**
 * The result in words, with the server's message for failures.
 */
resultText: string, };

export type TeamLive = { entries: Array<TeamJournalEntry>, reload: boolean, 
/**
 * While the live connection is down: why, in words.
 */
problem: string | null, };

export type TeamConnectInput = { 
/**
 * postgres://LOGIN@HOST:PORT/DATABASE
 */
url: string, 
/**
 * A CA file; empty or null: this computer's trusted certificates.
 */
caPath: string | null, password: string, };

export type TeamInitInput = { 
/**
 * The owner's login: postgres://OWNER@HOST:PORT/DATABASE
 */
url: string, caPath: string | null, 
/**
 * Used for this once, never stored.
 */
password: string, 
/**
 * The login the computers sign in with (empty: rackdesk_pc).
 */
pcLogin: string, };

export type TeamInitView = { database: string, owner: string, schemaVersion: number, alreadySetUp: boolean, pcLogin: string, pcPassword: string | null, };

export type TeamVerifyView = { clean: boolean, 
/**
 * "pc-7 (machine 1a2b3c4d): 2,004 entries, last in touch …".
 */
machines: Array<string>, 
/**
 * Each problem as a sentence naming the computer and the entry.
 */
problems: Array<string>, };

/** The events the app sends to the page, with their payloads. */
export interface Events {
  "client-event": ClientNotice;
  "bulk-progress": BulkProgressView;
  "bulk-finished": BulkFinishedView;
  "team-status": TeamStatus;
  "team-entries": TeamLive;
  "update-progress": UpdateProgress;
}

/** The commands the page may call, with their argument and result types. */
export interface Commands {
  app_status: { args: Record<string, never>; result: AppStatus };
  list_domains: { args: Record<string, never>; result: Array<DomainInfo> };
  check_password: { args: { password: string; mailbox: string; domain: string }; result: string | null };
  check_size: { args: { size: string }; result: string | null };
  password_rule: { args: Record<string, never>; result: string };
  mailbox_page: { args: { domain: string; offset: number; size: number; firstTotal: number | null; pageNumber: number }; result: MailboxPage };
  mailbox_detail: { args: { domain: string; name: string }; result: MailboxDetail };
  create_mailbox: { args: { input: NewMailboxInput }; result: PasswordResult | null };
  update_mailbox: { args: { domain: string; name: string; update: MailboxUpdate }; result: MailboxDetail };
  set_mailbox_enabled: { args: { domain: string; name: string; enabled: boolean }; result: MailboxDetail };
  reset_mailbox_password: { args: { domain: string; name: string }; result: PasswordResult };
  mailbox_delete_impact: { args: { domain: string; name: string }; result: DeleteImpact };
  delete_mailbox: { args: { domain: string; name: string; confirmAddress: string; removeFromAliases: boolean }; result: null };
  check_addresses: { args: { addresses: Array<string> }; result: Array<AddressWarning> };
  check_new_address: { args: { domain: string; name: string }; result: NameCheck | null };
  export_mailboxes: { args: { domain: string }; result: ExportResult | null };
  list_aliases: { args: { domain: string }; result: Array<AliasRow> };
  alias_detail: { args: { domain: string; name: string }; result: AliasDetail };
  create_alias: { args: { domain: string; name: string; members: Array<string> }; result: AliasDetail };
  set_alias_members: { args: { domain: string; name: string; members: Array<string> }; result: AliasDetail };
  delete_alias: { args: { domain: string; name: string; confirmAddress: string }; result: null };
  verify_keys: { args: { input: KeysInput }; result: VerifyReport };
  connect_account: { args: { input: KeysInput }; result: AppStatus };
  use_sandbox: { args: Record<string, never>; result: AppStatus };
  use_identity: { args: { label: string }; result: AppStatus };
  rotate_keys: { args: { label: string; userKey: string; secretKey: string }; result: AppStatus };
  remove_identity: { args: { label: string; confirmLabel: string }; result: AppStatus };
  journal_query: { args: { filter: JournalFilter }; result: Array<JournalEntry> };
  journal_export: { args: { filter: JournalFilter }; result: ExportResult | null };
  roles: { args: Record<string, never>; result: Array<RoleRow> };
  switch_role: { args: { role: string; passphrase: string | null }; result: AppStatus };
  set_passphrase: { args: { newPassphrase: string; current: string | null }; result: AppStatus };
  set_operator_name: { args: { fullName: string }; result: AppStatus };
  bulk_kinds: { args: Record<string, never>; result: Array<BulkKindInfo> };
  bulk_plan: { args: { kind: string; fileName: string; text: string; maps: Array<ColumnMap> }; result: BulkPlanView };
  bulk_choose_file: { args: Record<string, never>; result: ChosenFile | null };
  bulk_plan_file: { args: { kind: string; path: string; maps: Array<ColumnMap> }; result: BulkPlanView };
  bulk_apply: { args: Record<string, never>; result: string };
  bulk_resume: { args: { jobId: string }; result: string };
  bulk_jobs: { args: Record<string, never>; result: Array<BulkJobView> };
  bulk_control: { args: { action: string }; result: null };
  bulk_cancel: { args: { jobId: string }; result: string };
  bulk_save_results: { args: { jobId: string }; result: ExportResult | null };
  bulk_save_template: { args: { kind: string }; result: ExportResult | null };
  bulk_save_passwords: { args: { jobId: string }; result: ExportResult | null };
  bulk_passwords_seen: { args: { jobId: string }; result: null };
  ex_mailbox_page: { args: { domain: string; offset: number; size: number; firstTotal: number | null; pageNumber: number }; result: ExMailboxPage };
  ex_mailbox_detail: { args: { domain: string; name: string }; result: ExMailboxDetail };
  create_ex_mailbox: { args: { input: NewExMailboxInput }; result: PasswordResult | null };
  update_ex_mailbox: { args: { domain: string; name: string; update: ExMailboxUpdate }; result: ExMailboxDetail };
  set_ex_mailbox_enabled: { args: { domain: string; name: string; enabled: boolean }; result: ExMailboxDetail };
  reset_ex_mailbox_password: { args: { domain: string; name: string }; result: PasswordResult };
  delete_ex_mailbox: { args: { domain: string; name: string; confirmAddress: string }; result: null };
  grant_ex_delegate: { args: { domain: string; name: string; delegate: string }; result: ExMailboxDetail };
  revoke_ex_delegate: { args: { domain: string; name: string; delegate: string }; result: ExMailboxDetail };
  list_contacts: { args: { domain: string; search: string | null }; result: Array<ContactRow> };
  contact_detail: { args: { domain: string; name: string }; result: ContactDetail };
  create_contact: { args: { domain: string; input: ContactInput }; result: ContactDetail };
  update_contact: { args: { domain: string; name: string; update: ContactUpdate }; result: ContactDetail };
  delete_contact: { args: { domain: string; name: string; confirmName: string }; result: null };
  list_dlists: { args: { domain: string }; result: Array<DListRow> };
  dlist_detail: { args: { domain: string; name: string }; result: DListDetail };
  create_dlist: { args: { domain: string; name: string; displayName: string; members: Array<string> }; result: DListDetail };
  change_dlist_recipients: { args: { domain: string; name: string; kind: string; action: string; addresses: Array<string> }; result: DListDetail };
  delete_dlist: { args: { domain: string; name: string; confirmAddress: string }; result: null };
  export_exchange: { args: { domain: string; what: string }; result: ExportResult | null };
  suggest_contact_name: { args: { displayName: string }; result: string };
  team_status: { args: Record<string, never>; result: TeamStatus };
  team_connect: { args: { input: TeamConnectInput }; result: TeamStatus };
  team_init: { args: { input: TeamInitInput }; result: TeamInitView };
  team_choose_ca: { args: Record<string, never>; result: string | null };
  team_disconnect: { args: Record<string, never>; result: TeamStatus };
  team_set_help_desk_view: { args: { view: string }; result: TeamStatus };
  team_query: { args: { filter: TeamJournalFilter }; result: Array<TeamJournalEntry> };
  team_export: { args: { filter: TeamJournalFilter }; result: ExportResult | null };
  team_verify: { args: Record<string, never>; result: TeamVerifyView };
  team_follow: { args: { filter: TeamJournalFilter }; result: null };
  team_unfollow: { args: Record<string, never>; result: null };
  copy_secret: { args: { text: string }; result: number };
  set_zoom: { args: { percent: number; steps: number }; result: number };
  index_status: { args: Record<string, never>; result: IndexInfo };
  refresh_index: { args: Record<string, never>; result: IndexInfo };
  find_anywhere: { args: { text: string; limit: number }; result: FindAnswer };
  indexed_mailboxes: { args: { domain: string; service: string; first: number | null }; result: Indexed<MailboxRow> | null };
  indexed_aliases: { args: { domain: string }; result: Indexed<AliasRow> | null };
  indexed_contacts: { args: { domain: string }; result: Indexed<ContactRow> | null };
  indexed_dlists: { args: { domain: string }; result: Indexed<DListRow> | null };
  spam_view: { args: { target: string }; result: SpamPageView };
  spam_check_entry: { args: { text: string; side: string }; result: SpamEntryCheck };
  spam_change_list: { args: { target: string; list: string; add: Array<string>; remove: Array<string> }; result: SpamListChanged };
  spam_set: { args: { target: string; filterLevel: string; handling: string | null; forwardTo: string | null }; result: SpamSettingsChanged };
  spam_why: { args: { target: string; sender: string }; result: SpamVerdictView };
  export_spam: { args: { domain: string }; result: ExportResult | null };
  diagnostics: { args: Record<string, never>; result: DiagnosticsReport };
  open_log_folder: { args: Record<string, never>; result: LogFolder };
  check_for_update: { args: Record<string, never>; result: UpdateCheck };
  install_update: { args: { version: string }; result: UpdateInstalled };
  restart_app: { args: Record<string, never>; result: null };
}
