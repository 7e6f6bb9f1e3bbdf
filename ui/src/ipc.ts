/**
 * The one module that talks to the Rust side. Everything else calls these typed functions;
 * the types come from `bindings.ts`, generated from the Rust command types.
 */
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { CommandError, Commands, Events, MailboxUpdate, NewMailboxInput } from "./bindings";

async function call<K extends keyof Commands>(cmd: K, args: Commands[K]["args"]): Promise<Commands[K]["result"]> {
  return invoke<Commands[K]["result"]>(cmd, args as Record<string, unknown>);
}

export const appStatus = () => call("app_status", {});
export const listDomains = () => call("list_domains", {});
export const checkPassword = (password: string, mailbox: string, domain: string) =>
  call("check_password", { password, mailbox, domain });
export const checkSize = (size: string) => call("check_size", { size });
export const passwordRule = () => call("password_rule", {});
export const mailboxPage = (domain: string, offset: number, size: number, firstTotal: number | null, pageNumber: number) =>
  call("mailbox_page", { domain, offset, size, firstTotal, pageNumber });
export const mailboxDetail = (domain: string, name: string) => call("mailbox_detail", { domain, name });
export const createMailbox = (input: NewMailboxInput) => call("create_mailbox", { input });
export const updateMailbox = (domain: string, name: string, update: MailboxUpdate) =>
  call("update_mailbox", { domain, name, update });
export const setMailboxEnabled = (domain: string, name: string, enabled: boolean) =>
  call("set_mailbox_enabled", { domain, name, enabled });
export const resetMailboxPassword = (domain: string, name: string) => call("reset_mailbox_password", { domain, name });
export const deleteMailbox = (domain: string, name: string, confirmAddress: string, removeFromAliases: boolean) =>
  call("delete_mailbox", { domain, name, confirmAddress, removeFromAliases });
export const mailboxDeleteImpact = (domain: string, name: string) => call("mailbox_delete_impact", { domain, name });
export const checkAddresses = (addresses: string[]) => call("check_addresses", { addresses });
export const checkNewAddress = (domain: string, name: string) => call("check_new_address", { domain, name });
export const setOperatorName = (fullName: string) => call("set_operator_name", { fullName });
export const listAliases = (domain: string) => call("list_aliases", { domain });
export const aliasDetail = (domain: string, name: string) => call("alias_detail", { domain, name });
export const createAlias = (domain: string, name: string, members: string[]) => call("create_alias", { domain, name, members });
export const setAliasMembers = (domain: string, name: string, members: string[]) =>
  call("set_alias_members", { domain, name, members });
export const deleteAlias = (domain: string, name: string, confirmAddress: string) =>
  call("delete_alias", { domain, name, confirmAddress });

/** Hears what the client is doing while the page waits (rate-limit waits, retries). */
export function onClientNotice(handler: (n: Events["client-event"]) => void): Promise<UnlistenFn> {
  return listen<Events["client-event"]>("client-event", (e) => handler(e.payload));
}

/** Turns whatever a command rejected with into our error shape. */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "message" in e && "kind" in e) return e as CommandError;
  return { kind: "internal", message: `Something unexpected went wrong: ${String(e)}`, detail: null };
}

export const verifyKeys = (input: import("./bindings").KeysInput) => call("verify_keys", { input });
export const connectAccount = (input: import("./bindings").KeysInput) => call("connect_account", { input });
export const actThroughSandbox = () => call("use_sandbox", {});
export const actThroughIdentity = (label: string) => call("use_identity", { label });
export const rotateKeys = (label: string, userKey: string, secretKey: string) => call("rotate_keys", { label, userKey, secretKey });
export const removeIdentity = (label: string, confirmLabel: string) => call("remove_identity", { label, confirmLabel });
export const exportMailboxes = (domain: string) => call("export_mailboxes", { domain });
export const journalQuery = (filter: import("./bindings").JournalFilter) => call("journal_query", { filter });
export const journalExport = (filter: import("./bindings").JournalFilter) => call("journal_export", { filter });
export const roles = () => call("roles", {});
export const switchRole = (role: "super-admin" | "help-desk", passphrase: string | null) => call("switch_role", { role, passphrase });
export const setPassphrase = (newPassphrase: string, current: string | null) => call("set_passphrase", { newPassphrase, current });
export const bulkKinds = () => call("bulk_kinds", {});
export const bulkPlan = (kind: string, fileName: string, text: string, maps: import("./bindings").ColumnMap[] = []) =>
  call("bulk_plan", { kind, fileName, text, maps });
export const bulkApply = () => call("bulk_apply", {});
export const bulkControl = (action: "pause" | "resume" | "cancel") => call("bulk_control", { action });
export const bulkSaveResults = (jobId: string) => call("bulk_save_results", { jobId });
export const bulkSaveTemplate = (kind: string) => call("bulk_save_template", { kind });
export const bulkSavePasswords = (jobId: string) => call("bulk_save_passwords", { jobId });
export const bulkPasswordsSeen = (jobId: string) => call("bulk_passwords_seen", { jobId });
export const bulkJobs = () => call("bulk_jobs", {});
export const bulkResume = (jobId: string) => call("bulk_resume", { jobId });
export const bulkCancel = (jobId: string) => call("bulk_cancel", { jobId });
export function onBulkProgress(handler: (p: Events["bulk-progress"]) => void): Promise<UnlistenFn> {
  return listen<Events["bulk-progress"]>("bulk-progress", (e) => handler(e.payload));
}
export function onBulkFinished(handler: (p: Events["bulk-finished"]) => void): Promise<UnlistenFn> {
  return listen<Events["bulk-finished"]>("bulk-finished", (e) => handler(e.payload));
}
export const copySecret = (text: string) => call("copy_secret", { text });
export const setZoom = (percent: number, steps: number) => call("set_zoom", { percent, steps });
export const bulkChooseFile = () => call("bulk_choose_file", {});
export const bulkPlanFile = (kind: string, path: string, maps: import("./bindings").ColumnMap[] = []) => call("bulk_plan_file", { kind, path, maps });

// Hosted Exchange.
export const exMailboxPage = (domain: string, offset: number, size: number, firstTotal: number | null, pageNumber: number) =>
  call("ex_mailbox_page", { domain, offset, size, firstTotal, pageNumber });
export const exMailboxDetail = (domain: string, name: string) => call("ex_mailbox_detail", { domain, name });
export const createExMailbox = (input: import("./bindings").NewExMailboxInput) => call("create_ex_mailbox", { input });
export const updateExMailbox = (domain: string, name: string, update: import("./bindings").ExMailboxUpdate) =>
  call("update_ex_mailbox", { domain, name, update });
export const setExMailboxEnabled = (domain: string, name: string, enabled: boolean) =>
  call("set_ex_mailbox_enabled", { domain, name, enabled });
export const resetExMailboxPassword = (domain: string, name: string) => call("reset_ex_mailbox_password", { domain, name });
export const deleteExMailbox = (domain: string, name: string, confirmAddress: string) =>
  call("delete_ex_mailbox", { domain, name, confirmAddress });
export const grantExDelegate = (domain: string, name: string, delegate: string) => call("grant_ex_delegate", { domain, name, delegate });
export const revokeExDelegate = (domain: string, name: string, delegate: string) => call("revoke_ex_delegate", { domain, name, delegate });
export const listContacts = (domain: string, search: string | null = null) => call("list_contacts", { domain, search });
export const contactDetail = (domain: string, name: string) => call("contact_detail", { domain, name });
export const createContact = (domain: string, input: import("./bindings").ContactInput) => call("create_contact", { domain, input });
export const updateContact = (domain: string, name: string, update: import("./bindings").ContactUpdate) =>
  call("update_contact", { domain, name, update });
export const deleteContact = (domain: string, name: string, confirmName: string) => call("delete_contact", { domain, name, confirmName });
export const listDlists = (domain: string) => call("list_dlists", { domain });
export const dlistDetail = (domain: string, name: string) => call("dlist_detail", { domain, name });
export const createDlist = (domain: string, name: string, displayName: string, members: string[] = []) =>
  call("create_dlist", { domain, name, displayName, members });
export const changeDlistRecipients = (
  domain: string,
  name: string,
  kind: "members" | "senders",
  action: "add" | "remove",
  addresses: string[],
) => call("change_dlist_recipients", { domain, name, kind, action, addresses });
export const deleteDlist = (domain: string, name: string, confirmAddress: string) => call("delete_dlist", { domain, name, confirmAddress });
export const exportExchange = (domain: string, what: "mailboxes" | "contacts" | "lists") => call("export_exchange", { domain, what });
export const suggestContactName = (displayName: string) => call("suggest_contact_name", { displayName });
export const indexStatus = () => call("index_status", {});
export const refreshIndex = () => call("refresh_index", {});
export const findAnywhere = (text: string, limit: number) => call("find_anywhere", { text, limit });
export const indexedMailboxes = (domain: string, service: string, first: number | null = null) =>
  call("indexed_mailboxes", { domain, service, first });
export const spamView = (target: string) => call("spam_view", { target });
export const spamCheckEntry = (text: string, side: string) => call("spam_check_entry", { text, side });
export const spamChangeList = (target: string, list: string, add: string[], remove: string[]) =>
  call("spam_change_list", { target, list, add, remove });
export const spamSet = (target: string, filterLevel: string, handling: string | null, forwardTo: string | null) =>
  call("spam_set", { target, filterLevel, handling, forwardTo });
export const spamWhy = (target: string, sender: string) => call("spam_why", { target, sender });
export const exportSpam = (domain: string) => call("export_spam", { domain });

/** Diagnostics for a support ticket (plain text to paste; nothing secret in it). */
export const diagnostics = () => call("diagnostics", {});
/** Shows the folder of the log files in the file manager; `opened` is false when none could be started. */
export const openLogFolder = () => call("open_log_folder", {});

// The team journal.
export const teamStatus = () => call("team_status", {});
export const teamConnect = (input: import("./bindings").TeamConnectInput) => call("team_connect", { input });
export const teamInit = (input: import("./bindings").TeamInitInput) => call("team_init", { input });
export const teamChooseCa = () => call("team_choose_ca", {});
export const teamDisconnect = () => call("team_disconnect", {});
export const teamSetHelpDeskView = (view: "hidden" | "read-only") => call("team_set_help_desk_view", { view });
export const teamQuery = (filter: import("./bindings").TeamJournalFilter) => call("team_query", { filter });
export const teamExport = (filter: import("./bindings").TeamJournalFilter) => call("team_export", { filter });
export const teamVerify = () => call("team_verify", {});
export const teamFollow = (filter: import("./bindings").TeamJournalFilter) => call("team_follow", { filter });
export const teamUnfollow = () => call("team_unfollow", {});
/** Hears the team journal's status (up to date, waiting, unreachable) as it changes. */
export function onTeamStatus(handler: (s: Events["team-status"]) => void): Promise<UnlistenFn> {
  return listen<Events["team-status"]>("team-status", (e) => handler(e.payload));
}
/** Hears new and changed entries of the team view while it is followed. */
export function onTeamEntries(handler: (l: Events["team-entries"]) => void): Promise<UnlistenFn> {
  return listen<Events["team-entries"]>("team-entries", (e) => handler(e.payload));
}

/** Updates of Rackdesk itself: look for one, install the one found (after asking), restart. */
export const checkForUpdate = () => call("check_for_update", {});
export const installUpdate = (version: string) => call("install_update", { version });
export const restartApp = () => call("restart_app", {});
export function onUpdateProgress(handler: (p: Events["update-progress"]) => void): Promise<UnlistenFn> {
  return listen<Events["update-progress"]>("update-progress", (e) => handler(e.payload));
}

/** A domain's aliases, contacts and distribution lists from the local index (null: never filled). */
export const indexedAliases = (domain: string) => call("indexed_aliases", { domain });
export const indexedContacts = (domain: string) => call("indexed_contacts", { domain });
export const indexedDlists = (domain: string) => call("indexed_dlists", { domain });
