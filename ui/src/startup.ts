/**
 * The first screen's data, asked for as the script starts, before React's first render: the
 * round trips to the Rust side then overlap that render instead of following it.
 */
import type { AppStatus, DomainInfo } from "./bindings";
import { appStatus, listDomains } from "./ipc";

let early: { status: Promise<AppStatus>; domains: Promise<DomainInfo[]> } | null = null;

export function askEarly() {
  early = { status: appStatus(), domains: listDomains() };
  // Their errors are shown by whoever takes them.
  early.status.catch(() => undefined);
  early.domains.catch(() => undefined);
}

/** The answers asked for at start, once; null afterwards. */
export function takeEarly() {
  const e = early;
  early = null;
  return e;
}
