import { useCallback, useEffect, useRef, useState } from "react";
import type { AppStatus, ClientNotice, CommandError, DomainInfo, FoundRow, TeamStatus, UpdateCheck } from "../bindings";
import { appStatus, asCommandError, listDomains, onClientNotice, onTeamStatus, actThroughIdentity, actThroughSandbox, setZoom } from "../ipc";
import { Aliases } from "./Aliases";
import { Bulk } from "./Bulk";
import { Dialog, ErrorNote } from "./common";
import { FindBox } from "./FindBox";
import { HelpMenu } from "./Help";
import { mark } from "../bench";
import { takeEarly } from "../startup";
import { UpdateBanner, UpdateDialog, useUpdateAtStart } from "./Updates";
import { ConnectWizard } from "./Connect";
import { Allowed, Refusal } from "./can";
import { Identities } from "./Identities";
import { Journal } from "./Journal";
import { Contacts } from "./Contacts";
import { Lists } from "./Lists";
import { Mailboxes, type Service } from "./Mailboxes";
import { Roles } from "./Roles";
import { Spam } from "./Spam";

import { Settings } from "./Settings";

type Page = "mailboxes" | "aliases" | "contacts" | "lists" | "spam" | "bulk" | "journal" | "accounts" | "roles" | "settings";
const WELCOMED = "rackdesk.welcomed";
const ZOOM = "rackdesk.zoom";

/** Ctrl+= / Ctrl+- / Ctrl+0 zoom the whole app; the level is kept for the next start. */
function useZoomKeys(announce: (m: string) => void) {
  useEffect(() => {
    const saved = Number(localStorage.getItem(ZOOM) ?? "100");
    let level = Number.isFinite(saved) && saved > 0 ? saved : 100;
    if (level !== 100) setZoom(level, 0).then((l) => (level = l), () => undefined);
    const apply = (from: number, steps: number) =>
      setZoom(from, steps).then((l) => {
        level = l;
        localStorage.setItem(ZOOM, String(l));
        announce(`Zoom ${l}%.`);
      }, (e) => announce(asCommandError(e).message));
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      if (e.key === "=" || e.key === "+") {
        e.preventDefault();
        void apply(level, 1);
      } else if (e.key === "-" || e.key === "_") {
        e.preventDefault();
        void apply(level, -1);
      } else if (e.key === "0") {
        e.preventDefault();
        void apply(100, 0);
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [announce]);
}

export function App() {
  const [status, setStatus] = useState<AppStatus | null>(null);
  const [domains, setDomains] = useState<DomainInfo[] | null>(null);
  const [domain, setDomain] = useState<string>("");
  const [page, setPage] = useState<Page>("mailboxes");
  const [error, setError] = useState<CommandError | null>(null);
  const [notice, setNotice] = useState<ClientNotice | null>(null);
  const [toast, setToast] = useState<string | null>(null);
  const [connecting, setConnecting] = useState(false);
  const [welcome, setWelcome] = useState(false);
  const [bulkWaiting, setBulkWaiting] = useState(false);
  const [mailboxService, setMailboxService] = useState<Service>("rs");
  /** A mailbox found with "Find a person", opened on the Mailboxes page. */
  const [opening, setOpening] = useState<{ domain: string; name: string; service: Service; n: number } | null>(null);
  const openFound = (r: FoundRow) => {
    setDomain(r.domain);
    if (r.kind === "mailbox" || r.kind === "ex-mailbox") {
      const svc: Service = r.kind === "ex-mailbox" ? "ex" : "rs";
      setMailboxService(svc);
      setOpening((o) => ({ domain: r.domain, name: r.name, service: svc, n: (o?.n ?? 0) + 1 }));
      setPage("mailboxes");
    } else {
      setPage(r.kind === "alias" ? "aliases" : r.kind === "contact" ? "contacts" : "lists");
      setToast(`${r.kindLabel} ${r.address}: shown in its domain's list.`);
    }
  };

  /** Only the answer to the latest request counts: a slow answer for the account acted
   * through before (a retry against a server that is gone) must not overwrite the new one. */
  const domainsRequest = useRef(0);
  /** At start the domains are asked for beside the status, not after it: the first screen
   * waits for one round trip instead of two. Used by the first load only. */
  const firstDomains = useRef<Promise<DomainInfo[]> | null>(null);
  const loadDomains = useCallback(async () => {
    const mine = ++domainsRequest.current;
    setDomains(null);
    setError(null);
    const early = firstDomains.current;
    firstDomains.current = null;
    try {
      const d = await (early ?? listDomains());
      mark("domains");
      if (mine !== domainsRequest.current) return;
      setDomains(d);
      // Keep the domain chosen; else open on the first one with mailboxes to show.
      setDomain((cur) => (d.some((x) => x.name === cur) ? cur : (d.find((x) => x.mailboxes > 0) ?? d[0])?.name ?? ""));
    } catch (e) {
      if (mine === domainsRequest.current) setError(asCommandError(e));
    }
  }, []);

  /** The domains are read again only when the account acted through changes (a role switch
   * or a name change does not spend Rackspace's read budget on them). */
  const actingKey = useRef<string | null>(null);
  const applyStatus = useCallback(
    (s: AppStatus) => {
      setStatus(s);
      const key = `${s.sandbox}/${s.acting.identityLabel}/${s.acting.account}`;
      if (key !== actingKey.current) {
        actingKey.current = key;
        void loadDomains();
      }
    },
    [loadDomains],
  );

  // Unfinished bulk jobs may have been resumed or cancelled meanwhile: look again on each page
  // (the first page's status is the one asked for at start).
  const firstPage = useRef(true);
  useEffect(() => {
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    if (page !== "bulk") appStatus().then(setStatus, () => {});
  }, [page]);

  useEffect(() => {
    const early = takeEarly();
    if (actingKey.current === null) {
      firstDomains.current = early?.domains ?? listDomains();
      firstDomains.current.catch(() => undefined); // its error is shown by loadDomains
    }
    (early?.status ?? appStatus()).then(
      (s) => {
        mark("status");
        applyStatus(s);
        if (s.sandbox && s.identities.length === 0 && !localStorage.getItem(WELCOMED)) setWelcome(true);
      },
      (e) => setError(asCommandError(e)),
    );
    const unlisten = onClientNotice((n) => {
      setNotice(n);
      window.setTimeout(() => setNotice((cur) => (cur === n ? null : cur)), (n.waitSecs ?? 3) * 1000);
    });
    const unlistenTeam = onTeamStatus((t) => setStatus((s) => (s ? { ...s, team: t } : s)));
    return () => {
      void unlisten.then((f) => f());
      void unlistenTeam.then((f) => f());
    };
  }, [applyStatus]);
  const setTeam = useCallback((t: TeamStatus) => setStatus((s) => (s ? { ...s, team: t } : s)), []);

  // The last confirmation stays in the status bar until the next one: it is never missed.

  /** A switch to a real account waits for the person's yes; back to the sandbox does not. */
  const [pendingSwitch, setPendingSwitch] = useState<string | null>(null);
  const switchTo = async (value: string) => {
    try {
      const s = value === "" ? await actThroughSandbox() : await actThroughIdentity(value);
      applyStatus(s);
      setToast(s.sandbox ? "Now in the sandbox: practice data, nothing real changes." : `Now acting on the real account ${s.acting.account} through ${s.acting.identityLabel}. Changes are real.`);
    } catch (e) {
      setError(asCommandError(e));
    }
  };
  const chooseIdentity = (value: string) => {
    if (value === "") void switchTo(value);
    else setPendingSwitch(value);
  };
  const announce = useCallback((m: string) => setToast(m), []);
  // An update found at start shows as a banner; Help → Check for updates opens the dialog.
  const [updateAtStart, dismissUpdate] = useUpdateAtStart();
  const [updateDialog, setUpdateDialog] = useState<UpdateCheck | "check" | null>(null);
  useZoomKeys(announce);

  const closeWelcome = () => {
    localStorage.setItem(WELCOMED, "1");
    setWelcome(false);
  };
  const active = status?.identities.find((i) => i.active);
  const allowed = status ? new Set(status.allowed) : null;
  const canKeys = !allowed || allowed.has("keys.manage");
  const current = domains?.find((x) => x.name === domain);
  const hasExchange = current?.service === "exchange" || current?.service === "both";
  const hasRackspace = current?.service !== "exchange";
  const domainPage = page === "mailboxes" || page === "aliases" || page === "contacts" || page === "lists" || page === "spam";
  // Which mailboxes the Mailboxes page shows: the domain's only service, or the person's choice.
  const service: Service = !hasRackspace ? "ex" : !hasExchange ? "rs" : mailboxService;

  return (
    <Allowed.Provider value={allowed}>
    <div className="app">
      {status?.sandbox && (
        <div className="banner" id="sandbox-banner" role="note">
          Sandbox — practice data, nothing real changes
        </div>
      )}
      {updateAtStart && !updateDialog && (
        <UpdateBanner check={updateAtStart} onOpen={() => setUpdateDialog(updateAtStart)} onDismiss={dismissUpdate} />
      )}
      {updateDialog && (
        <UpdateDialog
          initial={updateDialog === "check" ? null : updateDialog}
          onClose={() => {
            setUpdateDialog(null);
            dismissUpdate();
          }}
        />
      )}
      <header className="topbar">
        <span className="product">Rackdesk</span>
        <span className="acting" id="acting" aria-label="Who is acting">
          {status ? status.acting.sentence : "Starting…"}
        </span>
        {status && <FindBox key={status.acting.sentence} onOpen={openFound} />}
        <HelpMenu onDone={setToast} onCheckUpdates={() => setUpdateDialog("check")} />
        {status && (
          <label className="switcher">
            Acting through
            <select id="identity-switch" value={active?.label ?? ""} onChange={(e) => chooseIdentity(e.target.value)}>
              <option value="">Sandbox (practice)</option>
              {status.identities.map((i) => (
                <option key={i.label} value={i.label}>
                  {i.label} — account {i.account}
                </option>
              ))}
            </select>
          </label>
        )}
        <span className="with-refusal">
          <button onClick={() => setConnecting(true)} disabled={!canKeys} aria-describedby={canKeys ? undefined : "connect-refusal"}>
            Connect an account…
          </button>
          <Refusal id="connect-refusal" allowed={canKeys} />
        </span>
      </header>
      {status?.problem && (
        <div className="problem-banner">
          <ErrorNote error={status.problem} />
        </div>
      )}
      {status?.journalProblem && (
        <div className="problem-banner">
          <ErrorNote error={{ ...status.journalProblem, message: `${status.journalProblem.message} Until it is fixed, Rackdesk makes no changes.` }} />
        </div>
      )}
      {!!status?.unfinishedJobs && page !== "bulk" && (
        <div className="problem-banner" id="unfinished-banner" role="status">
          <p>
            {status.unfinishedJobs === 1 ? "A bulk job stopped before its end" : `${status.unfinishedJobs} bulk jobs stopped before their end`} (the app
            was closed, or the job was paused). Nothing was done twice; you can resume or cancel it.{" "}
            <button onClick={() => setPage("bulk")}>Open Bulk changes</button>
          </p>
        </div>
      )}
      <div className="body">
        <nav className="sidenav" aria-label="Sections">
          <button aria-current={page === "mailboxes" ? "page" : undefined} onClick={() => setPage("mailboxes")}>
            Mailboxes
          </button>
          {hasRackspace && (
            <button aria-current={page === "aliases" ? "page" : undefined} onClick={() => setPage("aliases")}>
              Aliases
            </button>
          )}
          {hasExchange && (
            <>
              <button aria-current={page === "contacts" ? "page" : undefined} onClick={() => setPage("contacts")}>
                Contacts
              </button>
              <button aria-current={page === "lists" ? "page" : undefined} onClick={() => setPage("lists")}>
                Distribution lists
              </button>
            </>
          )}
          <button aria-current={page === "spam" ? "page" : undefined} onClick={() => setPage("spam")}>
            Spam protection
          </button>
          <button aria-current={page === "bulk" ? "page" : undefined} onClick={() => setPage("bulk")}>
            Bulk changes{bulkWaiting && page !== "bulk" ? <span className="badge"> — results waiting</span> : null}
          </button>
          <button aria-current={page === "journal" ? "page" : undefined} onClick={() => setPage("journal")}>
            Journal
          </button>
          <button aria-current={page === "accounts" ? "page" : undefined} onClick={() => setPage("accounts")}>
            Accounts and keys
          </button>
          <button aria-current={page === "roles" ? "page" : undefined} onClick={() => setPage("roles")}>
            Roles
          </button>
          <button aria-current={page === "settings" ? "page" : undefined} onClick={() => setPage("settings")}>
            Settings
          </button>
          {domainPage && (
            <label className="domain-picker">
              Domain
              <select id="domain" value={domain} onChange={(e) => setDomain(e.target.value)} disabled={!domains}>
                {(domains ?? []).map((d) => (
                  <option key={d.name} value={d.name}>
                    {d.name} ({d.mailboxes + d.exMailboxes}
                    {d.service === "exchange" ? ", Exchange" : d.service === "both" ? ", both" : ""})
                  </option>
                ))}
              </select>
            </label>
          )}
        </nav>
        <main className="work">
          <ErrorNote error={error} />
          {domains && domains.length === 0 && domainPage && <p className="empty">This account has no domains.</p>}
          {domain && page === "mailboxes" && hasRackspace && hasExchange && (
            <div className="chips service-choice" role="radiogroup" aria-label="Which mailboxes">
              <button role="radio" aria-checked={service === "rs"} className="chip" onClick={() => setMailboxService("rs")}>
                Rackspace Email ({current?.mailboxes})
              </button>
              <button role="radio" aria-checked={service === "ex"} className="chip" onClick={() => setMailboxService("ex")}>
                Exchange ({current?.exMailboxes})
              </button>
            </div>
          )}
          {domain && page === "mailboxes" && (
            <Mailboxes
              key={`${status?.acting.sentence}/${domain}/${service}/${opening?.domain === domain && opening.service === service ? opening.n : ""}`}
              domain={domain}
              service={service}
              open={opening?.domain === domain && opening.service === service ? opening.name : undefined}
              onDone={setToast}
            />
          )}
          {domain && page === "aliases" && hasRackspace && <Aliases key={`${status?.acting.sentence}/${domain}`} domain={domain} onDone={setToast} />}
          {domain && page === "contacts" && hasExchange && <Contacts key={`${status?.acting.sentence}/${domain}`} domain={domain} onDone={setToast} />}
          {domain && page === "lists" && hasExchange && <Lists key={`${status?.acting.sentence}/${domain}`} domain={domain} onDone={setToast} />}
          {domain && page === "spam" && <Spam key={`${status?.acting.sentence}/${domain}`} domain={domain} onDone={setToast} />}
          {status && page === "accounts" && (
            <Identities status={status} onStatus={applyStatus} onConnect={() => setConnecting(true)} onDone={setToast} />
          )}
          {page === "journal" && (
            <Journal onDone={setToast} team={status?.team} me={status ? { name: status.acting.operatorName, display: status.acting.operatorDisplay } : undefined} />
          )}
          {status && page === "settings" && <Settings team={status.team} onTeam={setTeam} onDone={setToast} />}
          {/* Kept while other pages are open: a finished job's results and one-time passwords
              stay until the person dismisses them. */}
          <div hidden={page !== "bulk"}>
            <Bulk onDone={setToast} onResultsWaiting={setBulkWaiting} />
          </div>
          {status && page === "roles" && <Roles status={status} onStatus={applyStatus} onDone={setToast} />}
        </main>
      </div>
      <footer className="statusbar" role="status" aria-live="polite">
        {status?.team.connected && (
          <span id="team-line" className={`team-line team-state-${status.team.state}`}>
            {status.team.line}
          </span>
        )}
        <span id="status-message">{notice ? notice.message : toast ?? ""}</span>
      </footer>
      {welcome && (
        <Dialog title="Welcome to Rackdesk" onClose={closeWelcome}>
          <p>Rackdesk looks after your company's Rackspace mailboxes. How would you like to start?</p>
          <div className="choices">
            <button className="choice" onClick={closeWelcome}>
              <strong>Try it in the sandbox</strong>
              <span>A practice company with a few hundred mailboxes. Nothing real changes.</span>
            </button>
            <button
              className="choice"
              onClick={() => {
                closeWelcome();
                setConnecting(true);
              }}
            >
              <strong>Connect your Rackspace account</strong>
              <span>Step by step: a login just for Rackdesk, its API keys, kept in {status?.vaultName}.</span>
            </button>
          </div>
        </Dialog>
      )}
      {pendingSwitch && status && (() => {
        const target = status.identities.find((i) => i.label === pendingSwitch);
        return (
          <Dialog title={`Act on the real account ${target?.account ?? ""}?`} onClose={() => setPendingSwitch(null)} returnFocus={() => document.getElementById("identity-switch")}>
            <p>
              Rackdesk will act through the API admin <strong>{pendingSwitch}</strong> on account <strong>{target?.account}</strong>. From then
              on, every change is made on that real account{status.sandbox ? ", no longer in the practice sandbox" : ""}.
            </p>
            <div className="actions">
              <button
                className="primary"
                onClick={() => {
                  setPendingSwitch(null);
                  void switchTo(pendingSwitch);
                }}
              >
                Switch to account {target?.account}
              </button>
              <button onClick={() => setPendingSwitch(null)}>{status.sandbox ? "Stay in the sandbox" : "Cancel"}</button>
            </div>
          </Dialog>
        );
      })()}
      {connecting && status && (
        <ConnectWizard
          vaultName={status.vaultName}
          onClose={() => setConnecting(false)}
          onConnected={(s) => {
            setConnecting(false);
            applyStatus(s);
            setPage("mailboxes");
            setToast(`Connected to account ${s.acting.account}. The keys are in ${s.vaultName}.`);
          }}
        />
      )}
    </div>
    </Allowed.Provider>
  );
}
