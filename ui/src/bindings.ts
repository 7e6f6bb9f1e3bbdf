// Generated from the Rust command types by `UPDATE_BINDINGS=1 cargo test --test bindings`.
// Do not edit by hand.

export type CommandError = { 
/**
 * A stable name for the class of failure, e.g. `auth-failed`, `throttled`.
 */
kind: string, 
/**
 * One plain sentence: what happened and what to do.
 */
message: string, 
/**
 * The server's own words, when it said something.
 */
detail: string | null, };

export type DomainCount = { name: string, mailboxes: number, };

export type AppStatus = { version: string, sandbox: boolean, apiUrl: string, domains: Array<DomainCount>, };

/** The commands the page may call, with their argument and result types. */
export interface Commands {
  app_status: { args: Record<string, never>; result: AppStatus };
}
