import { Refusal } from "./can";
import { useEffect, useState } from "react";
import type { AppStatus, CommandError, RoleRow } from "../bindings";
import { asCommandError, roles, setOperatorName, setPassphrase, switchRole } from "../ipc";
import { Dialog, ErrorNote } from "./common";

/** Who may do what, the honest limits of help-desk mode, and switching roles. */
export function Roles(props: { status: AppStatus; onStatus: (s: AppStatus) => void; onDone: (m: string) => void }) {
  const [table, setTable] = useState<RoleRow[]>([]);
  const [error, setError] = useState<CommandError | null>(null);
  const [settingPass, setSettingPass] = useState(false);
  useEffect(() => {
    roles().then(setTable, (e) => setError(asCommandError(e)));
  }, []);
  const superAdmin = props.status.role === "super admin";
  return (
    <section aria-labelledby="roles-title">
      <h1 id="roles-title">Roles</h1>
      <p>
        You are working as <strong id="operator-display">{props.status.acting.operatorDisplay}</strong>, in the <strong id="current-role">{props.status.role}</strong> role.
      </p>
      <YourName status={props.status} onStatus={props.onStatus} onDone={props.onDone} />
      <p className="hint">
        Help-desk mode keeps everyday work safe on a shared computer: the rules are enforced inside Rackdesk, not only hidden on
        screen. It is a guard rail on this computer, not a security boundary: Rackspace's API has only super-admin keys, so someone
        who controls this computer's user account could get around it.
      </p>
      <ErrorNote error={error} />
      <div className="actions">
        {superAdmin ? (
          <>
            <button
              disabled={!props.status.passphraseSet}
              aria-describedby="help-desk-refusal"
              onClick={() =>
                switchRole("help-desk", null).then((s) => {
                  props.onStatus(s);
                  props.onDone("Switched to the help-desk role.");
                }, (e) => setError(asCommandError(e)))
              }
            >
              Switch to help desk
            </button>
            <button onClick={() => setSettingPass(true)}>{props.status.passphraseSet ? "Change the super-admin passphrase…" : "Set the super-admin passphrase…"}</button>
            <Refusal id="help-desk-refusal" allowed={props.status.passphraseSet} reason="Set the super-admin passphrase first, so that a super admin can switch back." />
          </>
        ) : (
          <UnlockButton onStatus={props.onStatus} onDone={props.onDone} passphraseSet={props.status.passphraseSet} />
        )}
      </div>
      <table className="roles" aria-label="What each role may do">
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Super admin</th>
            <th scope="col">Help desk</th>
          </tr>
        </thead>
        <tbody>
          {table.map((r) => (
            <tr key={r.action}>
              <td>{r.label}</td>
              <td>{r.superAdmin ? "Yes" : "No"}</td>
              <td>{r.helpDesk ? "Yes" : "No"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {settingPass && <PassphraseDialog replacing={props.status.passphraseSet} onClose={() => setSettingPass(false)} onDone={(s) => { setSettingPass(false); props.onStatus(s); props.onDone("The super-admin passphrase is set."); }} />}
    </section>
  );
}

function UnlockButton(props: { passphraseSet: boolean; onStatus: (s: AppStatus) => void; onDone: (m: string) => void }) {
  const [open, setOpen] = useState(false);
  const [pass, setPass] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  if (!props.passphraseSet) return <p className="muted">No super-admin passphrase is set on this computer, so the super-admin role cannot be unlocked here.</p>;
  return (
    <>
      <button onClick={() => setOpen(true)}>Switch to super admin…</button>
      {open && (
        <Dialog title="Switch to super admin" onClose={() => setOpen(false)}>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              switchRole("super-admin", pass).then((s) => {
                setOpen(false);
                props.onStatus(s);
                props.onDone("Switched to the super-admin role.");
              }, (err) => setError(asCommandError(err)));
            }}
          >
            <label className="field">
              Super-admin passphrase
              <input type="password" value={pass} onChange={(e) => setPass(e.target.value)} autoComplete="off" />
            </label>
            <ErrorNote error={error} />
            <div className="actions">
              <button className="primary" type="submit" disabled={!pass}>
                Switch to super admin
              </button>
              <button type="button" onClick={() => setOpen(false)}>
                Cancel
              </button>
            </div>
          </form>
        </Dialog>
      )}
    </>
  );
}

function PassphraseDialog(props: { replacing: boolean; onClose: () => void; onDone: (s: AppStatus) => void }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [again, setAgain] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  const problem = next.length > 0 && next.length < 10 ? "At least 10 characters." : again && again !== next ? "The two do not match." : null;
  return (
    <Dialog title="Super-admin passphrase" onClose={props.onClose}>
      <p className="hint">Needed to leave help-desk mode on this computer. Rackdesk keeps only a slow salted hash of it.</p>
      {props.replacing && (
        <label className="field">
          Current passphrase
          <input type="password" value={current} onChange={(e) => setCurrent(e.target.value)} autoComplete="off" />
        </label>
      )}
      <label className="field">
        New passphrase
        <input type="password" value={next} onChange={(e) => setNext(e.target.value)} autoComplete="new-password" />
      </label>
      <label className="field">
        The same again
        <input type="password" value={again} onChange={(e) => setAgain(e.target.value)} autoComplete="new-password" />
        {problem && <span className="problem">{problem}</span>}
      </label>
      <ErrorNote error={error} />
      <div className="actions">
        <button className="primary" disabled={!!problem || !next || next !== again} onClick={() => setPassphrase(next, props.replacing ? current : null).then(props.onDone, (e) => setError(asCommandError(e)))}>
          Save the passphrase
        </button>
        <button onClick={props.onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}

/** The person's name as Rackdesk shows it (header, journal), beside the computer's login. */
function YourName(props: { status: AppStatus; onStatus: (s: AppStatus) => void; onDone: (m: string) => void }) {
  const a = props.status.acting;
  const [name, setName] = useState(a.operatorFullName ?? "");
  const [error, setError] = useState<CommandError | null>(null);
  const changed = name.trim() !== (a.operatorFullName ?? "");
  return (
    <form
      className="your-name"
      onSubmit={(e) => {
        e.preventDefault();
        if (!changed) return;
        setOperatorName(name.trim()).then(
          (s) => {
            setError(null);
            props.onStatus(s);
            props.onDone(name.trim() ? `Rackdesk now shows you as ${s.acting.operatorDisplay}.` : `Rackdesk now shows you by your login, ${s.acting.operatorLogin}.`);
          },
          (e) => setError(asCommandError(e)),
        );
      }}
    >
      <label className="field">
        Your name, as Rackdesk shows it (your login on this computer: {a.operatorLogin})
        <input id="operator-full-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} autoComplete="name" />
      </label>
      <ErrorNote error={error} />
      <button type="submit" disabled={!changed}>
        Save the name
      </button>
    </form>
  );
}
