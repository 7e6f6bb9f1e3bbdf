import { useCallback, useEffect, useState } from "react";
import { AsOf, RefreshButton, useIndexedList } from "./indexed";
import type { AliasDetail, AliasRow } from "../bindings";
import { aliasDetail, asCommandError, checkNewAddress, createAlias, deleteAlias, indexedAliases, listAliases, setAliasMembers } from "../ipc";
import { useCoreAnswer } from "../logic/coreCheck";
import { AddressWarnings, MemberPicker, replaceAddress, useAddressWarnings } from "./addresses";
import { countLabel } from "../logic/format";
import { addressList, addressProblem, nameProblem } from "../logic/validate";
import { Refusal, useCan } from "./can";
import { closeOnEscape, Dialog, ErrorNote, PaneHeader, TypedDelete, useAction } from "./common";

export function Aliases({ domain, onDone }: { domain: string; onDone: (msg: string) => void }) {
  const { rows, asOf, error, loading, load } = useIndexedList<AliasRow>(
    useCallback(() => indexedAliases(domain), [domain]),
    useCallback(() => listAliases(domain), [domain]),
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);


  return (
    <section className="aliases" aria-labelledby="aliases-title">
      <div className="list-side">
        <div className="toolbar">
          <h1 id="aliases-title">Aliases</h1>
          <button className="primary" onClick={() => setCreating(true)}>
            New alias
          </button>
          <RefreshButton loading={loading} onClick={() => void load(true)} />
          <span className="count" id="aliases-count">
            {rows ? countLabel(rows.length, "alias") : ""}
            <AsOf asOf={asOf} />
          </span>
        </div>
        <p className="hint">An alias is an address that delivers to one or more mailboxes (and up to 4 outside addresses).</p>
        <ErrorNote error={error} />
        {!rows && !error && <p className="loading">Loading…</p>}
        {rows && rows.length === 0 && <p className="empty">This domain has no aliases yet.</p>}
        {rows && rows.length > 0 && (
          <ul className="simple-list" aria-label="Aliases">
            {rows.map((a) => (
              <li key={a.name}>
                <button className={selected === a.name ? "selected" : ""} aria-current={selected === a.name} onClick={() => setSelected(a.name)} data-alias={a.address}>
                  <span className="addr">{a.address}</span>
                  <span className="dn">{a.singleMember ? `→ ${a.singleMember}` : countLabel(a.members, "address", "addresses")}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {selected && (
        <AliasPane
          key={selected}
          domain={domain}
          name={selected}
          onClose={() => setSelected(null)}
          onChanged={(msg) => {
            onDone(msg);
            load();
          }}
          onDeleted={(msg) => {
            setSelected(null);
            onDone(msg);
            load();
          }}
        />
      )}
      {creating && (
        <NewAliasDialog
          domain={domain}
          onClose={() => setCreating(false)}
          onCreated={(a) => {
            setCreating(false);
            onDone(`Created the alias ${a.address}.`);
            load();
            setSelected(a.name);
          }}
          onOpen={(n) => {
            setCreating(false);
            setSelected(n);
          }}
        />
      )}
    </section>
  );
}

function membersProblem(list: string[]): string | null {
  if (list.length === 0) return "Add at least one address.";
  return list.map(addressProblem).find((p) => p) ?? null;
}

function AliasPane(props: { domain: string; name: string; onClose: () => void; onChanged: (m: string) => void; onDeleted: (m: string) => void }) {
  const { domain, name } = props;
  const [d, setD] = useState<AliasDetail | null>(null);
  const [text, setText] = useState("");
  const { busy, error, setError, run } = useAction();
  const [deleting, setDeleting] = useState(false);
  const can = useCan();
  const address = `${name}@${domain}`;
  useEffect(() => {
    aliasDetail(domain, name).then((a) => {
      setD(a);
      setText(a.members.join("\n"));
    }, (e) => setError(asCommandError(e)));
  }, [domain, name]);
  const members = addressList(text);
  const problem = membersProblem(members);
  const warnings = useAddressWarnings(members);
  const [accepted, setAccepted] = useState(false);
  const held = warnings.length > 0 && !accepted;
  const addMember = (a: string) => setText((t) => (t.trim() ? `${t.trimEnd()}\n${a}` : a));
  return (
    <aside className="pane" aria-labelledby="alias-pane-title" onKeyDown={(e) => closeOnEscape(e, props.onClose)}>
      <PaneHeader id="alias-pane-title" title={address} onClose={props.onClose} />
      <ErrorNote error={error} />
      {d && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (problem || held) return;
            void run(async () => {
              const nd = await setAliasMembers(domain, name, members);
              setD(nd);
              setText(nd.members.join("\n"));
              props.onChanged(`Saved the members of ${address}.`);
            });
          }}
        >
          <label className="field">
            Delivers to (one address per line)
            <textarea id="alias-members" rows={6} value={text} onChange={(e) => setText(e.target.value)} aria-invalid={!!problem} />
            {problem && <span className="problem">{problem}</span>}
          </label>
          <AddressWarnings warnings={warnings} accepted={accepted} onAccept={setAccepted} onUse={(w, r) => setText((t) => replaceAddress(t, w, r))} />
          <MemberPicker domain={domain} onPick={addMember} exclude={members} />
          <div className="actions">
            <button className="primary" type="submit" disabled={busy || !!problem || held}>
              {held ? "Check the addresses marked above" : "Save members"}
            </button>
            <button type="button" className="danger" onClick={() => setDeleting(true)} disabled={!can("alias.delete")} aria-describedby="alias-delete-refusal">
              Delete…
            </button>
            <Refusal id="alias-delete-refusal" allowed={can("alias.delete")} reason="Help desk cannot delete aliases; a super admin can." />
          </div>
        </form>
      )}
      {deleting && (
        <TypedDelete
          title={`Delete the alias ${address}?`}
          confirmText={address}
          what={address}
          busy={busy}
          error={error}
          onCancel={() => setDeleting(false)}
          onDelete={(typed) =>
            void run(async () => {
              await deleteAlias(domain, name, typed);
              props.onDeleted(`Deleted the alias ${address}.`);
            })
          }
        >
          <p>Mail sent to {address} will no longer be delivered. The mailboxes it delivers to are not touched.</p>
        </TypedDelete>
      )}
    </aside>
  );
}

function NewAliasDialog(props: { domain: string; onClose: () => void; onCreated: (a: AliasDetail) => void; onOpen: (name: string) => void }) {
  const { domain } = props;
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [touched, setTouched] = useState(false);
  const { busy, error, run } = useAction();
  const members = addressList(text);
  const local = name.trim().toLowerCase();
  const nameCheck = useCoreAnswer(() => (local ? checkNewAddress(domain, local) : null), [domain, local], 400);
  const nProblem = nameProblem(name) ?? nameCheck?.message ?? null;
  const mProblem = membersProblem(members);
  const warnings = useAddressWarnings(members);
  const [accepted, setAccepted] = useState(false);
  const held = warnings.length > 0 && !accepted;
  const existingAlias = nameCheck?.existing === "alias" || (error?.kind === "already-exists" && /alias/.test(error.message));
  return (
    <Dialog title={`New alias in ${domain}`} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (nProblem || mProblem || held) return;
          void run(async () => props.onCreated(await createAlias(domain, local, members)));
        }}
      >
        <label className="field">
          Alias address
          <span className="with-suffix">
            <input id="alias-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} aria-describedby="alias-name-check" />
            <span>@{domain}</span>
          </span>
          <span id="alias-name-check" className={nProblem && (touched || nameCheck) ? "problem" : "hint"}>
            {nProblem && (touched || nameCheck) ? nProblem : ""}
          </span>
          {existingAlias && (
            <button type="button" onClick={() => props.onOpen(local)}>
              Open {local}@{domain}
            </button>
          )}
        </label>
        <label className="field">
          Delivers to (one address per line)
          <textarea id="alias-new-members" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
          {touched && mProblem && <span className="problem">{mProblem}</span>}
        </label>
        <AddressWarnings warnings={warnings} accepted={accepted} onAccept={setAccepted} onUse={(w, r) => setText((t) => replaceAddress(t, w, r))} />
        <MemberPicker domain={domain} onPick={(a) => setText((t) => (t.trim() ? `${t.trimEnd()}\n${a}` : a))} exclude={members} />
        <ErrorNote error={error} />
        <div className="actions">
          <button className="primary" type="submit" disabled={busy || held}>
            {busy ? "Creating…" : held ? "Check the addresses marked above" : local ? `Create ${local}@${domain}` : "Create alias"}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
