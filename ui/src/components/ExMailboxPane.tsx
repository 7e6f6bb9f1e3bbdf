import { useEffect, useRef, useState } from "react";
import type { ExMailboxDetail, ExMailboxRow, PasswordResult } from "../bindings";
import {
  asCommandError,
  checkSize,
  deleteExMailbox,
  exMailboxDetail,
  exMailboxPage,
  grantExDelegate,
  resetExMailboxPassword,
  revokeExDelegate,
  setExMailboxEnabled,
  updateExMailbox,
} from "../ipc";
import { useCoreCheck } from "../logic/coreCheck";
import { addressProblem } from "../logic/validate";
import { AddressWarnings, MemberPicker, useAddressWarnings } from "./addresses";
import { Refusal, useCan } from "./can";
import { closeOnEscape, Dialog, ErrorNote, PaneHeader, PasswordOnce, StorageBar, TypedDelete, useAction, useFocusNext } from "./common";
import { History } from "./Journal";
import { SpamButton } from "./Spam";

type Confirm = "disable" | "reset" | "delete" | null;

/** An Exchange mailbox: its facts, delegates, and what a person may do with it. */
export function ExMailboxPane(props: {
  domain: string;
  name: string;
  onClose: () => void;
  onChanged: (row: ExMailboxRow, message: string) => void;
  onDeleted: (message: string) => void;
}) {
  const { domain, name } = props;
  const [d, setD] = useState<ExMailboxDetail | null>(null);
  const { busy, error, setError, run: act } = useAction();
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [password, setPassword] = useState<PasswordResult | null>(null);
  const [editing, setEditing] = useState(false);
  const [historyKey, setHistoryKey] = useState(0);
  const can = useCan();
  const address = `${name}@${domain}`;
  const firstAction = useRef<HTMLButtonElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const focusNext = useFocusNext();

  useEffect(() => {
    exMailboxDetail(domain, name).then(
      (m) => {
        setD(m);
        focusNext(() => firstAction.current);
      },
      (e) => setError(asCommandError(e)),
    );
  }, [domain, name]);

  const run = async <T,>(action: () => Promise<T>, after: (v: T) => void) => {
    await act(async () => after(await action()));
    setHistoryKey((k) => k + 1);
  };
  const changed = (nd: ExMailboxDetail, message: string) => {
    setD(nd);
    props.onChanged(nd.row, message);
  };
  const canDelegates = can("exchange.permission");

  return (
    <aside className="pane" aria-labelledby="pane-title" onKeyDown={(e) => closeOnEscape(e, props.onClose)}>
      <PaneHeader id="pane-title" title={address} onClose={props.onClose} />
      <p className="muted">Hosted Exchange mailbox</p>
      <ErrorNote error={error} />
      {!d && !error && <p className="loading">Loading…</p>}
      {d && !editing && (
        <>
          <dl className="facts">
            <dt>Display name</dt>
            <dd>{d.row.displayName || "—"}</dd>
            <dt>Status</dt>
            <dd id="pane-status">{d.row.enabled ? "Enabled" : "Disabled: cannot send, receive or sign in"}</dd>
            <dt>Storage</dt>
            <dd>
              <StorageBar usedMb={d.row.usedMb} sizeMb={d.row.sizeMb} />
            </dd>
            <dt>Address book</dt>
            <dd>{d.row.hidden ? "Hidden" : "Shown"}</dd>
            <dt>Forwarding</dt>
            <dd>{d.forwarding ? `${d.forwarding}${d.keepCopy ? " (keeps a copy)" : ""}` : "Off"}</dd>
            <dt>Addresses</dt>
            <dd>{d.addresses.join(", ") || address}</dd>
            {d.jobTitle && (
              <>
                <dt>Job title</dt>
                <dd>{d.jobTitle}</dd>
              </>
            )}
          </dl>
          <div className="actions">
            <button ref={firstAction} onClick={() => setConfirm("reset")} disabled={busy}>
              Reset password…
            </button>
            <button
              ref={editButton}
              onClick={() => {
                setEditing(true);
                focusNext(() => document.getElementById("edit-display-name"));
              }}
              disabled={busy || !can("exchange.mailbox.change")}
              aria-describedby="ex-edit-refusal"
            >
              Edit
            </button>
            <button id="pane-toggle" onClick={() => (d.row.enabled ? setConfirm("disable") : void run(() => setExMailboxEnabled(domain, name, true), (nd) => changed(nd, `Enabled ${address}.`)))} disabled={busy}>
              {d.row.enabled ? "Disable…" : `Enable ${address}`}
            </button>
            <button className="danger" onClick={() => setConfirm("delete")} disabled={busy || !can("exchange.mailbox.delete")} aria-describedby="ex-delete-refusal">
              Delete…
            </button>
            <Refusal id="ex-edit-refusal" allowed={can("exchange.mailbox.change")} reason="Help desk cannot edit Exchange mailboxes; a super admin can." />
            <Refusal id="ex-delete-refusal" allowed={can("exchange.mailbox.delete")} reason="Help desk cannot delete mailboxes; a super admin can." />
          </div>
          <Delegates
            detail={d}
            domain={domain}
            allowed={canDelegates}
            busy={busy}
            onGrant={(who) => run(() => grantExDelegate(domain, name, who), (nd) => changed(nd, `Gave ${who} access to ${address}.`))}
            onRevoke={(who) => run(() => revokeExDelegate(domain, name, who), (nd) => changed(nd, `Took away the access of ${who} to ${address}.`))}
          />
          <SpamButton address={address} />
          <History key={historyKey} target={address} />
        </>
      )}
      {d && editing && (
        <ExEditForm
          detail={d}
          busy={busy}
          onCancel={() => {
            setEditing(false);
            focusNext(() => editButton.current);
          }}
          onSave={(update) =>
            run(
              () => updateExMailbox(domain, name, update),
              (nd) => {
                setEditing(false);
                focusNext(() => editButton.current);
                changed(nd, `Saved the changes to ${address}.`);
              },
            )
          }
        />
      )}
      {confirm === "disable" && (
        <Dialog title={`Disable ${address}?`} onClose={() => setConfirm(null)}>
          <p>While disabled, the mailbox cannot receive mail and the person cannot sign in. Its mail is kept; you can enable it again at any time.</p>
          <ErrorNote error={error} />
          <div className="actions">
            <button className="primary" disabled={busy} onClick={() => void run(() => setExMailboxEnabled(domain, name, false), (nd) => { setConfirm(null); changed(nd, `Disabled ${address}.`); })}>
              Disable {address}
            </button>
            <button onClick={() => setConfirm(null)}>Cancel</button>
          </div>
        </Dialog>
      )}
      {confirm === "reset" && (
        <Dialog title={`Reset the password of ${address}?`} onClose={() => { setConfirm(null); setPassword(null); }}>
          {!password ? (
            <>
              <p>Rackdesk will set a new, generated password. The old one stops working at once, on every device of this person.</p>
              <ErrorNote error={error} />
              <div className="actions">
                <button className="primary" disabled={busy} onClick={() => void run(() => resetExMailboxPassword(domain, name), (p) => { setPassword(p); props.onChanged(d!.row, `Reset the password of ${address}.`); })}>
                  Reset the password of {address}
                </button>
                <button onClick={() => setConfirm(null)}>Cancel</button>
              </div>
            </>
          ) : (
            <>
              <PasswordOnce address={password.address} password={password.password} />
              <div className="actions">
                <button className="primary" onClick={() => { setConfirm(null); setPassword(null); }}>Done</button>
              </div>
            </>
          )}
        </Dialog>
      )}
      {confirm === "delete" && (
        <TypedDelete
          title={`Delete ${address}?`}
          confirmText={address}
          what={address}
          busy={busy}
          error={error}
          onCancel={() => setConfirm(null)}
          onDelete={(typed) => void run(() => deleteExMailbox(domain, name, typed), () => props.onDeleted(`Deleted ${address}.`))}
        >
          <p>
            Deleting removes the Exchange mailbox <strong>and all of its mail</strong>, and takes it out of its distribution lists. Rackdesk
            cannot undo it.
          </p>
        </TypedDelete>
      )}
    </aside>
  );
}

/** Who may open this mailbox (full access and send as), with grant and remove. */
function Delegates(props: { detail: ExMailboxDetail; domain: string; allowed: boolean; busy: boolean; onGrant: (who: string) => void; onRevoke: (who: string) => void }) {
  const d = props.detail;
  return (
    <div className="delegates">
      <h3>People with access</h3>
      {d.delegates.length === 0 ? (
        <p className="muted" id="delegates-none">
          Only {d.row.displayName || d.row.address} opens this mailbox.
        </p>
      ) : (
        <ul id="delegates">
          {d.delegates.map((g) => (
            <li key={g.delegate}>
              <strong>{g.displayName || g.delegate}</strong> <span className="muted">{g.delegate} — {g.permission}</span>{" "}
              <button disabled={!props.allowed || props.busy} onClick={() => props.onRevoke(g.delegate)} aria-label={`Remove the access of ${g.delegate}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.allowed ? (
        <MemberPicker
          domain={props.domain}
          label={`Give someone of ${props.domain} access`}
          load={exchangePeople}
          exclude={[d.row.address, ...d.delegates.map((g) => g.delegate)]}
          onPick={(a) => props.onGrant(a)}
        />
      ) : (
        <Refusal id="delegates-refusal" allowed={false} reason="Help desk cannot change who has access to a mailbox; a super admin can." />
      )}
    </div>
  );
}

/** The domain's Exchange mailboxes, for pickers (up to 1,000). */
export async function exchangePeople(domain: string) {
  const rows: { name: string; address: string; displayName: string }[] = [];
  let next: number | null = 0;
  let firstTotal: number | null = null;
  for (let page = 1; next !== null && page <= 4; page++) {
    const p = await exMailboxPage(domain, next, 250, firstTotal, page);
    firstTotal ??= p.total;
    rows.push(...p.rows);
    next = p.next;
  }
  return rows;
}

function ExEditForm(props: { detail: ExMailboxDetail; busy: boolean; onCancel: () => void; onSave: (u: import("../bindings").ExMailboxUpdate) => void }) {
  const d = props.detail;
  const [displayName, setDisplayName] = useState(d.row.displayName);
  const [size, setSize] = useState(String(d.row.sizeMb));
  const [forward, setForward] = useState(d.forwarding ?? "");
  const [keepCopy, setKeepCopy] = useState(d.keepCopy);
  const [hidden, setHidden] = useState(d.row.hidden);
  const fwd = forward.trim();
  const fwdProblem = fwd ? addressProblem(fwd) : null;
  const sProblem = useCoreCheck(() => checkSize(size), [size]);
  const warnings = useAddressWarnings(fwd ? [fwd] : []);
  const [accepted, setAccepted] = useState(false);
  const held = warnings.length > 0 && !accepted;
  const changed =
    displayName !== d.row.displayName || (size.trim() !== "" && Number(size) !== d.row.sizeMb) || fwd !== (d.forwarding ?? "") || keepCopy !== d.keepCopy || hidden !== d.row.hidden;
  const ok = !fwdProblem && !sProblem && displayName.trim().length > 0;
  return (
    <form
      className="edit"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ok || !changed || held) return;
        props.onSave({
          displayName: displayName !== d.row.displayName ? displayName : null,
          sizeMb: size.trim() !== "" && Number(size) !== d.row.sizeMb ? Number(size) : null,
          forwardTo: fwd !== (d.forwarding ?? "") ? fwd : null,
          keepCopy: keepCopy !== d.keepCopy ? keepCopy : null,
          hidden: hidden !== d.row.hidden ? hidden : null,
        });
      }}
    >
      <label className="field">
        Display name
        <input id="edit-display-name" value={displayName} maxLength={128} onChange={(e) => setDisplayName(e.target.value)} />
      </label>
      <label className="field">
        Size (MB)
        <input value={size} inputMode="numeric" onChange={(e) => setSize(e.target.value)} aria-invalid={!!sProblem} />
        {sProblem && <span className="problem">{sProblem}</span>}
      </label>
      <label className="field">
        Forward mail to (Exchange forwards to one address; empty for no forwarding)
        <input id="edit-forward" value={forward} onChange={(e) => setForward(e.target.value)} aria-invalid={!!fwdProblem} />
        {fwdProblem && <span className="problem">{fwdProblem}</span>}
      </label>
      <AddressWarnings warnings={warnings} accepted={accepted} onAccept={setAccepted} onUse={(_, r) => setForward(r)} />
      <label className="check">
        <input type="checkbox" checked={keepCopy} onChange={(e) => setKeepCopy(e.target.checked)} /> Keep a copy of forwarded mail in this mailbox
      </label>
      <label className="check">
        <input type="checkbox" checked={hidden} onChange={(e) => setHidden(e.target.checked)} /> Hide from the address book
      </label>
      <div className="actions">
        <button id="edit-save" className="primary" type="submit" disabled={!ok || !changed || held || props.busy}>
          {!changed ? "Nothing to save yet" : !ok ? "Fix the marked fields to save" : held ? "Check the address marked above" : "Save changes"}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
