import { appStatus, asCommandError, listDomains } from "./ipc";
import { countLabel } from "./format";

async function start(): Promise<void> {
  const status = document.getElementById("status")!;
  try {
    const info = await appStatus();
    const domains = await listDomains();
    document.getElementById("sandbox-banner")!.hidden = !info.sandbox;
    status.textContent = `Rackdesk ${info.version} — ${countLabel(domains.length, "domain", "domains")}`;
    const list = document.getElementById("domains")!;
    for (const d of domains) {
      const li = document.createElement("li");
      li.textContent = `${d.name}: ${countLabel(d.mailboxes, "mailbox")}`;
      list.appendChild(li);
    }
  } catch (e) {
    const err = asCommandError(e);
    status.textContent = err.detail ? `${err.message} (Details: ${err.detail})` : err.message;
  }
}

void start();
