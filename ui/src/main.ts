import { invoke } from "@tauri-apps/api/core";
import { countLabel } from "./format";

interface AppStatus {
  version: string;
  sandbox: boolean;
  apiUrl: string;
  domains: { name: string; mailboxes: number }[];
}

async function start(): Promise<void> {
  const status = document.getElementById("status")!;
  try {
    const info = await invoke<AppStatus>("app_status");
    document.getElementById("sandbox-banner")!.hidden = !info.sandbox;
    status.textContent = `Rackdesk ${info.version} — ${countLabel(info.domains.length, "domain", "domains")}`;
    const list = document.getElementById("domains")!;
    for (const d of info.domains) {
      const li = document.createElement("li");
      li.textContent = `${d.name}: ${countLabel(d.mailboxes, "mailbox")}`;
      list.appendChild(li);
    }
  } catch (e) {
    status.textContent = `Rackdesk could not start: ${String((e as { message?: string }).message ?? e)}`;
  }
}

void start();
