import { useState } from "react";
import type { AppStatus, CommandError, IdentityInfo } from "../bindings";
import { actThroughIdentity, asCommandError, removeIdentity, rotateKeys } from "../ipc";
import { cleanKey, secretKeyProblem, userKeyProblem } from "../logic/validate";
import { Refusal, useCan } from "./can";
import { Dialog, ErrorNote } from "./common";

export function Identities(props: { status: AppStatus; onStatus: (s: AppStatus) => void; onConnect: () => void; onDone: (m: string) => void }) {
  const [rotating, setRotating] = useState<IdentityInfo | null>(null);
  const [removing, setRemoving] = useState<IdentityInfo | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const list = props.status.identities;
  const can = useCan();
  const keys = can("keys.manage");
  return (
    <section aria-labelledby="identities-title">
      <div className="toolbar">
        <h1 id="identities-title">Accounts and keys</h1>
        <button className="primary" onClick={props.onConnect} disabled={!keys} aria-describedby="keys-refusal">
          Connect an account…
        </button>
      </div>
      <Refusal id="keys-refusal" allowed={keys} reason="Help desk cannot connect accounts or change keys; a super admin can." />
      <p className="hint">Keys are kept in {props.status.vaultName}. Rackdesk shows only the start and end of a user key, and never a secret key.</p>
      <ErrorNote error={error} />
      {list.length === 0 && <p className="empty">No account is connected yet. Until then, Rackdesk works on the sandbox.</p>}
      <ul className="cards">
        {list.map((i) => (
          <li key={i.label} className="card">
            <h2>
              {i.label} {i.active && <span className="tag">in use</span>}
            </h2>
            <dl className="facts">
              <dt>Account</dt>
              <dd>{i.account}</dd>
              <dt>API admin</dt>
              <dd>{i.apiAdmin ?? "not named"}</dd>
              <dt>User key</dt>
              <dd>{i.userKeyHint}</dd>
              <dt>Keys</dt>
              <dd>
                {i.keyAgeDays === 1 ? "1 day" : `${i.keyAgeDays} days`} old{i.rotateSoon ? " — time to rotate them" : ""}
              </dd>
            </dl>
            <div className="actions">
              {!i.active && (
                <button
                  onClick={() =>
                    actThroughIdentity(i.label).then((s) => {
                      props.onStatus(s);
                      props.onDone(`Now acting through ${i.label}.`);
                    }, (e) => setError(asCommandError(e)))
                  }
                >
                  Use {i.label}
                </button>
              )}
              <button onClick={() => setRotating(i)} disabled={!keys} aria-describedby="keys-refusal">
                Rotate keys…
              </button>
              <button className="danger" onClick={() => setRemoving(i)} disabled={!keys} aria-describedby="keys-refusal">
                Remove…
              </button>
            </div>
          </li>
        ))}
      </ul>
      {rotating && <RotateDialog identity={rotating} onClose={() => setRotating(null)} onDone={(s) => { setRotating(null); props.onStatus(s); props.onDone(`New keys stored for ${rotating.label}.`); }} />}
      {removing && <RemoveDialog identity={removing} vaultName={props.status.vaultName} onClose={() => setRemoving(null)} onDone={(s) => { setRemoving(null); props.onStatus(s); props.onDone(`Removed ${removing.label} and its keys.`); }} />}
    </section>
  );
}

function RotateDialog(props: { identity: IdentityInfo; onClose: () => void; onDone: (s: AppStatus) => void }) {
  const [userKey, setUserKey] = useState("");
  const [secretKey, setSecretKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const p1 = userKeyProblem(userKey);
  const p2 = secretKeyProblem(secretKey, userKey);
  return (
    <Dialog title={`Rotate the keys of ${props.identity.label}`} onClose={props.onClose}>
      <p className="warning" role="note">
        Generate the new keys in the control panel first (signed in as {props.identity.apiAdmin ?? "the API admin"}: My Profile →
        Generate API Keys). That stops the old keys at once. Rackdesk keeps the old keys until the new ones are checked.
      </p>
      <label className="field">
        New user key
        <input type="password" value={userKey} onChange={(e) => setUserKey(cleanKey(e.target.value))} autoComplete="off" />
        {userKey && p1 && <span className="problem">{p1}</span>}
      </label>
      <label className="field">
        New secret key
        <input type="password" value={secretKey} onChange={(e) => setSecretKey(cleanKey(e.target.value))} autoComplete="off" />
        {secretKey && p2 && <span className="problem">{p2}</span>}
      </label>
      <ErrorNote error={error} />
      <div className="actions">
        <button
          className="primary"
          disabled={busy || !!p1 || !!p2}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              props.onDone(await rotateKeys(props.identity.label, userKey, secretKey));
            } catch (e) {
              setError(asCommandError(e));
            } finally {
              setBusy(false);
            }
          }}
        >
          {busy ? "Checking…" : "Check and replace the keys"}
        </button>
        <button onClick={props.onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}

function RemoveDialog(props: { identity: IdentityInfo; vaultName: string; onClose: () => void; onDone: (s: AppStatus) => void }) {
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<CommandError | null>(null);
  return (
    <Dialog title={`Remove ${props.identity.label}?`} onClose={props.onClose}>
      <p>
        Rackdesk deletes this connection's keys from {props.vaultName} and forgets it. The keys stay valid at Rackspace until you
        generate new ones in the control panel.
      </p>
      <label className="field">
        Type the name to confirm
        <input value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
      </label>
      <ErrorNote error={error} />
      <div className="actions">
        <button className="danger" disabled={typed.trim() !== props.identity.label} onClick={() => removeIdentity(props.identity.label, typed).then(props.onDone, (e) => setError(asCommandError(e)))}>
          Remove {props.identity.label}
        </button>
        <button onClick={props.onClose}>Cancel</button>
      </div>
    </Dialog>
  );
}
