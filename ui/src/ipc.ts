/**
 * The one module that talks to the Rust side. Everything else calls these typed functions;
 * the types come from `bindings.ts`, generated from the Rust command types.
 */
import { invoke } from "@tauri-apps/api/core";
import type { Commands, CommandError } from "./bindings";

async function call<K extends keyof Commands>(cmd: K, args: Commands[K]["args"]): Promise<Commands[K]["result"]> {
  return invoke<Commands[K]["result"]>(cmd, args);
}

export const appStatus = () => call("app_status", {});
export const listDomains = () => call("list_domains", {});

/** Turns whatever a command rejected with into our error shape. */
export function asCommandError(e: unknown): CommandError {
  if (e && typeof e === "object" && "message" in e && "kind" in e) return e as CommandError;
  return { kind: "unexpected", message: `Something unexpected went wrong: ${String(e)}`, detail: null };
}
