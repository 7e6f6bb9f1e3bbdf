import { useEffect, useState } from "react";
import type { AppStatus, ClientNotice, CommandError, DomainInfo } from "../bindings";
import { appStatus, asCommandError, listDomains, onClientNotice } from "../ipc";
import { Aliases } from "./Aliases";
import { ErrorNote } from "./common";
import { Mailboxes } from "./Mailboxes";

type Page = "mailboxes" | "aliases";

export function App() {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [domains, setDomains] = useState<DomainInfo[] | null>(null);
  const [domain, setDomain] = useState<string>("");
  const [page, setPage] = useState<Page>("mailboxes");
  const [error, setError] = useState<CommandError | null>(null);
  const [notice, setNotice] = useState<ClientNotice | null>(null);
  const [toast, setToast] = useState<string | null>(null);

  useEffect(() => {
    (async () => {
      try {
        setStatus(await appStatus());
        const d = await listDomains();
        setDomains(d);
        setDomain((cur) => cur || d[0]?.name || "");
      } catch (e) {
        setError(asCommandError(e));
      }
    })();
    const unlisten = onClientNotice((n) => {
      setNotice(n);
      window.setTimeout(() => setNotice((cur) => (cur === n ? null : cur)), (n.waitSecs ?? 3) * 1000);
    });
    return () => {
      void unlisten.then((f) => f());
    };
  }, []);

  useEffect(() => {
    if (!toast) return;
    const t = window.setTimeout(() => setToast(null), 6000);
    return () => window.clearTimeout(t);
  }, [toast]);

  return (
    <div className="app">
      {status?.sandbox && (
        <div className="banner" id="sandbox-banner" role="note">
          Sandbox — practice data, nothing real changes
        </div>
      )}
      <header className="topbar">
        <span className="product">Rackdesk</span>
        <span className="acting" id="acting" aria-label="Who is acting">
          {status ? status.acting.sentence : "Starting…"}
        </span>
      </header>
      <div className="body">
        <nav className="sidenav" aria-label="Sections">
          <button aria-current={page === "mailboxes" ? "page" : undefined} onClick={() => setPage("mailboxes")}>
            Mailboxes
          </button>
          <button aria-current={page === "aliases" ? "page" : undefined} onClick={() => setPage("aliases")}>
            Aliases
          </button>
          <label className="domain-picker">
            Domain
            <select id="domain" value={domain} onChange={(e) => setDomain(e.target.value)} disabled={!domains}>
              {(domains ?? []).map((d) => (
                <option key={d.name} value={d.name}>
                  {d.name} ({d.mailboxes})
                </option>
              ))}
            </select>
          </label>
        </nav>
        <main className="work">
          <ErrorNote error={error} />
          {domain && page === "mailboxes" && <Mailboxes key={domain} domain={domain} onDone={setToast} />}
          {domain && page === "aliases" && <Aliases key={domain} domain={domain} onDone={setToast} />}
        </main>
      </div>
      <footer className="statusbar" role="status" aria-live="polite">
        {notice ? notice.message : toast ?? ""}
      </footer>
    </div>
  );
}
