import { useEffect, useRef, useState } from "react";
import type { CommandError, DeleteImpact, MailboxDetail, MailboxRow, PasswordResult } from "../bindings";
import { asCommandError, deleteMailbox, mailboxDeleteImpact, mailboxDetail, resetMailboxPassword, setMailboxEnabled, updateMailbox } from "../ipc";
import { countLabel, lastSeen } from "../logic/format";
import { addressList, addressProblem } from "../logic/validate";
import { useCoreCheck } from "../logic/coreCheck";
import { checkSize } from "../ipc";
import { Refusal, useCan } from "./can";
import { closeOnEscape, Dialog, ErrorNote, PaneHeader, PasswordOnce, StorageBar, useAction, useFocusNext } from "./common";
import { History } from "./Journal";
import { SpamButton } from "./Spam";
import { AddressWarnings, replaceAddress, useAddressWarnings } from "./addresses";

type Confirm = "disable" | "reset" | "delete" | null;

export function MailboxPane(props: {
  domain: string;
  name: string;
  onClose: () => void;
  onChanged: (row: MailboxRow, message: string) => void;
  onDeleted: (message: string) => void;
}) {
  const { domain, name } = props;
  const [d, setD] = useState<MailboxDetail | null>(null);
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
    mailboxDetail(domain, name).then(
      (m) => {
        setD(m);
        // Opening a mailbox is for acting on it: focus goes to its first action.
        focusNext(() => firstAction.current);
      },
      (e) => setError(asCommandError(e)),
    );
  }, [domain, name]);

  const run = async <T,>(action: () => Promise<T>, after: (v: T) => void) => {
    await act(async () => after(await action()));
    setHistoryKey((k) => k + 1);
  };

  const setEnabled = (enabled: boolean) =>
    run(
      () => setMailboxEnabled(domain, name, enabled),
      (nd) => {
        setD(nd);
        setConfirm(null);
        props.onChanged(nd.row, `${enabled ? "Enabled" : "Disabled"} ${address}.`);
      },
    );

  return (
    <aside className="pane" aria-labelledby="pane-title" onKeyDown={(e) => closeOnEscape(e, props.onClose)}>
      <PaneHeader id="pane-title" title={address} onClose={props.onClose} />
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
            <dt>Last login</dt>
            <dd>{lastSeen(d.row.lastLogin)}</dd>
            <dt>Forwarding</dt>
            <dd>{d.forwarding.length ? `${d.forwarding.join(", ")}${d.keepCopy ? " (keeps a copy)" : ""}` : "Off"}</dd>
            <dt>Auto-reply</dt>
            <dd>{d.autoReplyEnabled ? `On: “${d.autoReplyMessage}”` : "Off"}</dd>
            <dt>Aliases</dt>
            <dd id="pane-aliases">{d.aliases.length ? d.aliases.join(", ") : "None deliver here"}</dd>
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
              disabled={busy}
            >
              Edit
            </button>
            {/* One button whose words change, so focus stays on it after the change. */}
            <button id="pane-toggle" onClick={() => (d.row.enabled ? setConfirm("disable") : void setEnabled(true))} disabled={busy}>
              {d.row.enabled ? "Disable…" : `Enable ${address}`}
            </button>
            <button className="danger" onClick={() => setConfirm("delete")} disabled={busy || !can("mailbox.delete")} aria-describedby="delete-refusal">
              Delete…
            </button>
            <Refusal id="delete-refusal" allowed={can("mailbox.delete")} reason="Help desk cannot delete mailboxes; a super admin can." />
          </div>
          <SpamButton address={address} />
          <History key={historyKey} target={address} />
        </>
      )}
      {d && editing && (
        <EditForm
          detail={d}
          busy={busy}
          canResize={can("mailbox.size")}
          onCancel={() => {
            setEditing(false);
            focusNext(() => editButton.current);
          }}
          onSave={(update) =>
            run(
              () => updateMailbox(domain, name, update),
              (nd) => {
                setD(nd);
                setEditing(false);
                focusNext(() => editButton.current);
                props.onChanged(nd.row, `Saved the changes to ${address}.`);
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
            <button className="primary" onClick={() => void setEnabled(false)} disabled={busy}>
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
                <button className="primary" disabled={busy} onClick={() => void run(() => resetMailboxPassword(domain, name), (p) => {
                  setPassword(p);
                  props.onChanged(d!.row, `Reset the password of ${address}.`);
                })}>
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
        <DeleteDialog
          domain={domain}
          name={name}
          address={address}
          busy={busy}
          error={error}
          onCancel={() => setConfirm(null)}
          onDelete={(typed, fromAliases) =>
            run(
              () => deleteMailbox(domain, name, typed, fromAliases),
              () => props.onDeleted(fromAliases ? `Deleted ${address} and took it out of ${d?.aliases.join(", ")}.` : `Deleted ${address}.`),
            )
          }
        />
      )}
    </aside>
  );
}

function DeleteDialog(props: {
  domain: string;
  name: string;
  address: string;
  busy: boolean;
  error: CommandError | null;
  onCancel: () => void;
  onDelete: (typed: string, removeFromAliases: boolean) => void;
}) {
  const [typed, setTyped] = useState("");
  const [impact, setImpact] = useState<DeleteImpact | null>(null);
  const [impactError, setImpactError] = useState<CommandError | null>(null);
  const [takeOut, setTakeOut] = useState(true);
  useEffect(() => {
    mailboxDeleteImpact(props.domain, props.name).then(setImpact, (e) => setImpactError(asCommandError(e)));
  }, [props.domain, props.name]);
  const matches = typed.trim().toLowerCase() === props.address.toLowerCase();
  const aliases = impact?.aliases ?? [];
  const blockedByAliases = aliases.length > 0 && !takeOut;
  const label =
    aliases.length === 0
      ? `Delete ${props.address}`
      : `Delete ${props.address} and update ${countLabel(aliases.length, "alias")}`;
  return (
    <Dialog title={`Delete ${props.address}?`} onClose={props.onCancel}>
      <p>
        Deleting removes the mailbox <strong>and all of its mail</strong>. Rackspace may be able to recover it for a short time
        through its support; Rackdesk cannot undo it.
      </p>
      {!impact && !impactError && <p className="loading">Looking for aliases that deliver to it…</p>}
      <ErrorNote error={impactError} />
      {aliases.length > 0 && (
        <div className="warning" id="delete-aliases">
          <p>
            {aliases.length === 1 ? "This alias delivers" : "These aliases deliver"} to {props.address}: {aliases.join(", ")}.
          </p>
          <label className="check">
            <input type="checkbox" checked={takeOut} onChange={(e) => setTakeOut(e.target.checked)} /> Take {props.address} out of{" "}
            {aliases.length === 1 ? "it" : "them"} first
          </label>
          {impact!.emptied.length > 0 && (
            <p id="delete-emptied">
              {impact!.emptied.join(", ")} {impact!.emptied.length === 1 ? "would be left with no address, so it is deleted too" : "would be left with no address, so they are deleted too"}.
            </p>
          )}
          {!takeOut && (
            <p className="refusal">
              Rackdesk does not leave aliases pointing at a mailbox that no longer exists. Keep this box ticked, or change the aliases
              first.
            </p>
          )}
        </div>
      )}
      <label className="field">
        Type the address to confirm
        <input id="confirm-address" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
      </label>
      <ErrorNote error={props.error} />
      <div className="actions">
        <button className="danger" disabled={!matches || props.busy || !impact || blockedByAliases} onClick={() => props.onDelete(typed, takeOut && aliases.length > 0)}>
          {props.busy ? `Deleting ${props.address}…` : label}
        </button>
        <button onClick={props.onCancel}>Cancel</button>
      </div>
    </Dialog>
  );
}

function EditForm(props: {
  detail: MailboxDetail;
  busy: boolean;
  canResize: boolean;
  onCancel: () => void;
  onSave: (u: import("../bindings").MailboxUpdate) => void;
}) {
  const d = props.detail;
  const [displayName, setDisplayName] = useState(d.row.displayName);
  const [size, setSize] = useState(String(d.row.sizeMb));
  const [forwarding, setForwarding] = useState(d.forwarding.join(", "));
  const [keepCopy, setKeepCopy] = useState(d.keepCopy);
  const [autoOn, setAutoOn] = useState(d.autoReplyEnabled);
  const [autoMsg, setAutoMsg] = useState(d.autoReplyMessage);
  const forwards = addressList(forwarding);
  const fwdProblem = forwards.map(addressProblem).find((p) => p) ?? null;
  const warnings = useAddressWarnings(forwards);
  const [accepted, setAccepted] = useState(false);
  const held = warnings.length > 0 && !accepted;
  const sProblem = useCoreCheck(() => checkSize(size), [size]);
  const autoProblem = autoOn && autoMsg.trim() === "" ? "Write the message to send." : null;
  const ok = !fwdProblem && !sProblem && !autoProblem && displayName.length <= 128;
  const changed =
    displayName !== d.row.displayName ||
    (size.trim() !== "" && Number(size) !== d.row.sizeMb) ||
    forwards.join(",") !== d.forwarding.join(",") ||
    keepCopy !== d.keepCopy ||
    autoOn !== d.autoReplyEnabled ||
    autoMsg !== d.autoReplyMessage;
  return (
    <form
      className="edit"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ok || !changed || held) return;
        props.onSave({
          displayName: displayName !== d.row.displayName ? displayName : null,
          sizeMb: size.trim() !== "" && Number(size) !== d.row.sizeMb ? Number(size) : null,
          forwardTo: forwards.join(",") !== d.forwarding.join(",") ? forwards : null,
          keepCopy: keepCopy !== d.keepCopy ? keepCopy : null,
          autoReply: autoOn !== d.autoReplyEnabled || autoMsg !== d.autoReplyMessage ? { enabled: autoOn, message: autoMsg } : null,
        });
      }}
    >
      <label className="field">
        Display name
        <input id="edit-display-name" value={displayName} maxLength={128} onChange={(e) => setDisplayName(e.target.value)} />
      </label>
      <label className="field">
        Size (MB)
        <input value={size} inputMode="numeric" onChange={(e) => setSize(e.target.value)} aria-invalid={!!sProblem} disabled={!props.canResize} aria-describedby="size-refusal" />
        {sProblem && <span className="problem">{sProblem}</span>}
        <Refusal id="size-refusal" allowed={props.canResize} reason="Help desk cannot change the size; a super admin can." />
      </label>
      <label className="field">
        Forward mail to (addresses, separated by commas; empty for no forwarding)
        <textarea rows={2} value={forwarding} onChange={(e) => setForwarding(e.target.value)} aria-invalid={!!fwdProblem} />
        {fwdProblem && <span className="problem">{fwdProblem}</span>}
      </label>
      <AddressWarnings warnings={warnings} accepted={accepted} onAccept={setAccepted} onUse={(w, r) => setForwarding((t) => replaceAddress(t, w, r))} />
      <label className="check">
        <input type="checkbox" checked={keepCopy} onChange={(e) => setKeepCopy(e.target.checked)} /> Keep a copy of forwarded mail in this mailbox
      </label>
      <label className="check">
        <input type="checkbox" checked={autoOn} onChange={(e) => setAutoOn(e.target.checked)} /> Send an auto-reply
      </label>
      {autoOn && (
        <label className="field">
          Auto-reply message
          <textarea rows={3} value={autoMsg} maxLength={4000} onChange={(e) => setAutoMsg(e.target.value)} aria-invalid={!!autoProblem} />
          {autoProblem && <span className="problem">{autoProblem}</span>}
        </label>
      )}
      <div className="actions">
        <button id="edit-save" className="primary" type="submit" disabled={!ok || !changed || held || props.busy}>
          {!changed ? "Nothing to save yet" : !ok ? "Fix the marked fields to save" : held ? "Check the addresses marked above" : "Save changes"}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
