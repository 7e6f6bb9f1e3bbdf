import { useState } from "react";
import type { CommandError, TeamInitView, TeamStatus, TeamVerifyView } from "../bindings";
import { asCommandError, copySecret, teamChooseCa, teamConnect, teamDisconnect, teamInit, teamSetHelpDeskView, teamVerify } from "../ipc";
import { Dialog, ErrorNote } from "./common";

/** Settings: for now, the team journal. */
export function Settings({ team, onTeam, onDone }: { team: TeamStatus; onTeam: (t: TeamStatus) => void; onDone: (m: string) => void }) {
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <TeamJournalSettings team={team} onTeam={onTeam} onDone={onDone} />
    </section>
  );
}

/** Where the server's certificate is checked: this computer's trusted certificates, or a CA file. */
function CaChoice({ caPath, setCaPath, id }: { caPath: string | null; setCaPath: (p: string | null) => void; id: string }) {
  const [error, setError] = useState<CommandError | null>(null);
  return (
    <fieldset className="ca-choice">
      <legend>Check the server's certificate against</legend>
      <label>
        <input type="radio" name={`${id}-ca`} checked={caPath === null} onChange={() => setCaPath(null)} /> this computer's trusted certificates
      </label>
      <label>
        <input type="radio" name={`${id}-ca`} checked={caPath !== null} onChange={() => setCaPath(caPath ?? "")} /> a CA file from your database administrator
      </label>
      {caPath !== null && (
        <div className="ca-file">
          <label>
            CA file
            <input id={`${id}-ca-path`} value={caPath} onChange={(e) => setCaPath(e.target.value)} placeholder="/path/to/ca.pem" />
          </label>
          <button type="button" onClick={() => teamChooseCa().then((p) => p && setCaPath(p), (e) => setError(asCommandError(e)))}>
            Choose…
          </button>
        </div>
      )}
      <ErrorNote error={error} />
    </fieldset>
  );
}

function TeamJournalSettings({ team, onTeam, onDone }: { team: TeamStatus; onTeam: (t: TeamStatus) => void; onDone: (m: string) => void }) {
  const [url, setUrl] = useState("");
  const [caPath, setCaPath] = useState<string | null>(null);
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const [ownerUrl, setOwnerUrl] = useState("");
  const [ownerPassword, setOwnerPassword] = useState("");
  const [pcLogin, setPcLogin] = useState("rackdesk_pc");
  const [made, setMade] = useState<TeamInitView | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [checked, setChecked] = useState<TeamVerifyView | null>(null);

  const connect = async () => {
    setBusy(true);
    setError(null);
    try {
      const t = await teamConnect({ url, caPath, password });
      setPassword("");
      onTeam(t);
      onDone(`Connected to the team journal ${t.database}. This computer's entries are shipped in the background.`);
    } catch (e) {
      setError(asCommandError(e));
    } finally {
      setBusy(false);
    }
  };
  const setUp = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await teamInit({ url: ownerUrl, caPath, password: ownerPassword, pcLogin });
      setOwnerPassword("");
      setMade(r);
      // The computers connect with their own login: offer it in the form above.
      setUrl(ownerUrl.replace(/^(postgres(?:ql)?:\/\/)[^@/]*@/, `$1${r.pcLogin}@`));
      onDone(r.alreadySetUp ? `The team database ${r.database} was already set up; roles and grants checked.` : `Set up the team database ${r.database}.`);
    } catch (e) {
      setError(asCommandError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="team-settings" aria-labelledby="team-settings-title">
      <h2 id="team-settings-title">Team journal</h2>
      <p className="hint">
        Every help-desk computer's journal in one PostgreSQL database your company runs, so anyone allowed can see who changed what on
        any computer. This computer's own journal stays complete; its entries are copied to the team database in the background, each
        exactly once, and nothing waits for the database.
      </p>
      <ErrorNote error={error} />
      {team.connected ? (
        <>
          <p id="team-settings-status" className={`team-state-${team.state}`}>
            <strong>{team.line.replace(/^team journal: /, "").replace(/^./, (c) => c.toUpperCase())}</strong> — {team.database}, signed in as{" "}
            {team.login}
          </p>
          {team.problem && <p className="muted">Last problem: {team.problem}</p>}
          {team.mayManage ? (
            <>
              <label>
                What the help desk sees
                <select
                  id="team-help-desk-view"
                  value={team.helpDeskView}
                  onChange={(e) =>
                    teamSetHelpDeskView(e.target.value as "hidden" | "read-only").then((t) => {
                      onTeam(t);
                      onDone(e.target.value === "read-only" ? "The help desk can now see the team journal, read only." : "The team journal is now hidden from the help desk.");
                    }, (x) => setError(asCommandError(x)))
                  }
                >
                  <option value="hidden">Nothing of the team journal</option>
                  <option value="read-only">The team journal, read only</option>
                </select>
              </label>
              <div className="actions">
                <button onClick={() => teamVerify().then(setChecked, (e) => setError(asCommandError(e)))}>Check the team journal</button>
                <button onClick={() => setLeaving(true)}>Leave the team journal…</button>
              </div>
            </>
          ) : (
            <p className="muted">A super admin manages the team journal on this computer.</p>
          )}
          {checked && (
            <div id="team-verify" role="status">
              <p>
                <strong>{checked.clean ? "The team journal is intact: no entry was edited, deleted or put out of order." : `${checked.problems.length} problems found:`}</strong>
              </p>
              <ul>
                {(checked.clean ? checked.machines : checked.problems).map((l) => (
                  <li key={l}>{l}</li>
                ))}
              </ul>
            </div>
          )}
        </>
      ) : team.mayManage ? (
        <>
          <form
            className="team-connect"
            onSubmit={(e) => {
              e.preventDefault();
              void connect();
            }}
          >
            <h3>Connect this computer</h3>
            <label>
              Database address
              <input id="team-url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="postgres://rackdesk_pc@db.example.com:5432/rackdesk" spellCheck={false} />
            </label>
            <CaChoice caPath={caPath} setCaPath={setCaPath} id="team" />
            <label>
              Password of the computers' login
              <input id="team-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="off" />
            </label>
            <p className="hint">The password is kept in this computer's credential vault, never in a file.</p>
            <div className="actions">
              <button className="primary" type="submit" disabled={busy || !url.trim()}>
                {busy ? "Connecting…" : "Connect"}
              </button>
            </div>
          </form>
          <details className="team-init">
            <summary>Set up a new team database…</summary>
            <p className="hint">
              Once, for the whole team: Rackdesk makes its tables, two roles and a login for the computers, which can only add and read
              entries. Sign in as the database's owner; that password is used for this once and not kept.
            </p>
            <label>
              Owner's address
              <input id="team-owner-url" value={ownerUrl} onChange={(e) => setOwnerUrl(e.target.value)} placeholder="postgres://owner@db.example.com:5432/rackdesk" spellCheck={false} />
            </label>
            <label>
              Owner's password
              <input id="team-owner-password" type="password" value={ownerPassword} onChange={(e) => setOwnerPassword(e.target.value)} autoComplete="off" />
            </label>
            <label>
              Login for the computers
              <input id="team-pc-login" value={pcLogin} onChange={(e) => setPcLogin(e.target.value)} spellCheck={false} />
            </label>
            <div className="actions">
              <button onClick={() => void setUp()} disabled={busy || !ownerUrl.trim()}>
                Set up the database
              </button>
            </div>
            {made && (
              <div id="team-made" role="status">
                <p>
                  The team database {made.database} is ready (owned by {made.owner}).
                </p>
                {made.pcPassword ? (
                  <p>
                    The computers sign in as <strong>{made.pcLogin}</strong> with this password, shown only this once:{" "}
                    <code className="password" id="team-pc-password">
                      {made.pcPassword}
                    </code>{" "}
                    <button onClick={() => copySecret(made.pcPassword ?? "").then(() => onDone("Copied. Rackdesk clears the clipboard in 30 seconds."), (e) => setError(asCommandError(e)))}>
                      Copy
                    </button>{" "}
                    <button onClick={() => setPassword(made.pcPassword ?? "")}>Use it to connect this computer</button>
                  </p>
                ) : (
                  <p>The login {made.pcLogin} existed already; its password was left as it is.</p>
                )}
              </div>
            )}
          </details>
        </>
      ) : (
        <p className="muted">This computer is not connected to a team journal. A super admin connects it here.</p>
      )}
      {leaving && (
        <Dialog title="Leave the team journal?" onClose={() => setLeaving(false)}>
          <p>
            This computer stops sending its entries to {team.database}. Its own journal is kept in full, and the team database keeps what it
            already has. The password is removed from the credential vault.
          </p>
          <div className="actions">
            <button
              className="primary"
              onClick={() =>
                teamDisconnect().then((t) => {
                  setLeaving(false);
                  setChecked(null);
                  onTeam(t);
                  onDone("Left the team journal. This computer's journal is kept.");
                }, (e) => {
                  setLeaving(false);
                  setError(asCommandError(e));
                })
              }
            >
              Leave the team journal
            </button>
            <button onClick={() => setLeaving(false)}>Stay</button>
          </div>
        </Dialog>
      )}
    </div>
  );
}
