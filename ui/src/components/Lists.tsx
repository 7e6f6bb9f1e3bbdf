import { useCallback, useEffect, useState } from "react";
import { AsOf, RefreshButton, useIndexedList } from "./indexed";
import type { DListDetail, DListRow } from "../bindings";
import { asCommandError, exportExchange, changeDlistRecipients, createDlist, deleteDlist, dlistDetail, indexedDlists, listContacts, listDlists } from "../ipc";
import { countLabel } from "../logic/format";
import { nameProblem } from "../logic/validate";
import { MemberPicker, type Person } from "./addresses";
import { Refusal, useCan } from "./can";
import { closeOnEscape, Dialog, ErrorNote, PaneHeader, TypedDelete, useAction } from "./common";
import { exchangePeople } from "./ExMailboxPane";
import { History } from "./Journal";

/** What a list change costs in time: Exchange applies it in the background. */
const WAITING = "Exchange is applying the change (this can take a minute or two)…";

/** The domain's Exchange mailboxes and its contacts, for member pickers. */
async function listCandidates(domain: string): Promise<Person[]> {
  const [people, contacts] = await Promise.all([exchangePeople(domain), listContacts(domain, null)]);
  return [...people, ...contacts.map((c) => ({ name: c.name, address: c.email, displayName: `${c.displayName} (contact)` }))];
}

/** Distribution lists: one address that reaches many people, inside or outside. */
export function Lists({ domain, onDone }: { domain: string; onDone: (msg: string) => void }) {
  const { rows, asOf, error, setError, loading, load } = useIndexedList<DListRow>(
    useCallback(() => indexedDlists(domain), [domain]),
    useCallback(() => listDlists(domain), [domain]),
  );
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const can = useCan();
  return (
    <section className="aliases" aria-labelledby="lists-title">
      <div className="list-side">
        <div className="toolbar">
          <h1 id="lists-title">Distribution lists</h1>
          <button className="primary" onClick={() => setCreating(true)} disabled={!can("exchange.list.create")} aria-describedby="new-list-refusal">
            New list
          </button>
          <button
            onClick={() =>
              exportExchange(domain, "lists").then(
                (r) => r && onDone(`Exported ${countLabel(r.rows, "row", "rows")} to ${r.path}.`),
                (e) => setError(asCommandError(e)),
              )
            }
          >
            Export CSV…
          </button>
          <RefreshButton loading={loading} onClick={() => void load(true)} />
          <span className="count" id="lists-count">
            {rows ? countLabel(rows.length, "list", "lists") : ""}
            <AsOf asOf={asOf} />
          </span>
        </div>
        <Refusal id="new-list-refusal" allowed={can("exchange.list.create")} reason="Help desk cannot create lists; a super admin can." />
        <ErrorNote error={error} />
        {!rows && !error && <p className="loading">Loading…</p>}
        {rows && rows.length === 0 && <p className="empty">This domain has no distribution lists yet.</p>}
        {rows && rows.length > 0 && (
          <ul className="simple-list" aria-label="Distribution lists">
            {rows.map((l) => (
              <li key={l.name}>
                <button className={selected === l.name ? "selected" : ""} aria-current={selected === l.name} onClick={() => setSelected(l.name)} data-list={l.address}>
                  <span className="addr">
                    {l.displayName} <span className="muted">{l.address}</span>
                  </span>
                  <span className="dn">
                    {countLabel(l.members, "member", "members")}
                    {l.status && l.status !== "Ready" ? ` — ${l.status}` : ""}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {selected && (
        <ListPane
          key={selected}
          domain={domain}
          name={selected}
          onClose={() => setSelected(null)}
          onChanged={(m) => {
            onDone(m);
            load();
          }}
          onDeleted={(m) => {
            setSelected(null);
            onDone(m);
            load();
          }}
        />
      )}
      {creating && (
        <NewListDialog
          domain={domain}
          onClose={() => setCreating(false)}
          onCreated={(l) => {
            setCreating(false);
            onDone(`Created the list ${l.address}.`);
            load();
            setSelected(l.name);
          }}
        />
      )}
    </section>
  );
}

function ListPane(props: { domain: string; name: string; onClose: () => void; onChanged: (m: string) => void; onDeleted: (m: string) => void }) {
  const { domain, name } = props;
  const [d, setD] = useState<DListDetail | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [historyKey, setHistoryKey] = useState(0);
  const { busy, error, setError, run } = useAction();
  const can = useCan();
  const address = `${name}@${domain}`;
  useEffect(() => {
    dlistDetail(domain, name).then(setD, (e) => setError(asCommandError(e)));
  }, [domain, name]);
  const change = (kind: "members" | "senders", action: "add" | "remove", who: string) =>
    void run(async () => {
      const nd = await changeDlistRecipients(domain, name, kind, action, [who]);
      setD(nd);
      setHistoryKey((k) => k + 1);
      const what = kind === "members" ? "members" : "allowed senders";
      props.onChanged(action === "add" ? `Added ${who} to the ${what} of ${address}.` : `Removed ${who} from the ${what} of ${address}.`);
    });
  const canMembers = can("exchange.list.members");
  return (
    <aside className="pane" aria-labelledby="list-pane-title" onKeyDown={(e) => closeOnEscape(e, props.onClose)}>
      <PaneHeader id="list-pane-title" title={address} onClose={props.onClose} />
      <ErrorNote error={error} />
      {busy && (
        <p className="progress-note" role="status" id="list-waiting">
          {WAITING}
        </p>
      )}
      {d && (
        <>
          <dl className="facts">
            <dt>Display name</dt>
            <dd>{d.displayName}</dd>
            <dt>State</dt>
            <dd id="list-status">{d.status}</dd>
            <dt>Address book</dt>
            <dd>{d.hidden ? "Hidden" : "Shown"}</dd>
            {d.description && (
              <>
                <dt>Description</dt>
                <dd>{d.description}</dd>
              </>
            )}
          </dl>
          <Recipients
            title="Members"
            id="list-members"
            empty="Nobody yet."
            items={d.members}
            domain={domain}
            allowed={canMembers}
            busy={busy}
            onAdd={(a) => change("members", "add", a)}
            onRemove={(a) => change("members", "remove", a)}
          />
          <Recipients
            title="Who may send to it"
            id="list-senders"
            empty="Anyone."
            items={d.senders}
            domain={domain}
            allowed={canMembers}
            busy={busy}
            onAdd={(a) => change("senders", "add", a)}
            onRemove={(a) => change("senders", "remove", a)}
          />
          <Refusal id="list-members-refusal" allowed={canMembers} />
          <div className="actions">
            <button className="danger" onClick={() => setDeleting(true)} disabled={busy || !can("exchange.list.delete")} aria-describedby="list-delete-refusal">
              Delete…
            </button>
            <Refusal id="list-delete-refusal" allowed={can("exchange.list.delete")} reason="Help desk cannot delete lists; a super admin can." />
          </div>
          <History key={historyKey} target={address} />
        </>
      )}
      {deleting && (
        <TypedDelete
          title={`Delete the list ${address}?`}
          confirmText={address}
          what={address}
          busy={busy}
          busyLabel="Exchange is deleting it…"
          error={error}
          onCancel={() => setDeleting(false)}
          onDelete={(typed) => void run(async () => { await deleteDlist(domain, name, typed); props.onDeleted(`Deleted the list ${address}.`); })}
        >
          <p>Mail sent to {address} will no longer be delivered. Its members and their mailboxes are not touched.</p>
        </TypedDelete>
      )}
    </aside>
  );
}

function Recipients(props: { title: string; id: string; empty: string; items: string[]; domain: string; allowed: boolean; busy: boolean; onAdd: (a: string) => void; onRemove: (a: string) => void }) {
  return (
    <div className="recipients">
      <h3>{props.title}</h3>
      {props.items.length === 0 ? (
        <p className="muted">{props.empty}</p>
      ) : (
        <ul id={props.id}>
          {props.items.map((a) => (
            <li key={a}>
              {a}{" "}
              <button disabled={!props.allowed || props.busy} onClick={() => props.onRemove(a)} aria-label={`Remove ${a} from ${props.title.toLowerCase()}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {props.allowed && <MemberPicker id={`${props.id}-picker`} domain={props.domain} load={listCandidates} label={`Add to ${props.title.toLowerCase()}`} exclude={props.items} onPick={props.onAdd} />}
    </div>
  );
}

function NewListDialog(props: { domain: string; onClose: () => void; onCreated: (l: DListDetail) => void }) {
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [members, setMembers] = useState<string[]>([]);
  const [touched, setTouched] = useState(false);
  const { busy, error, run } = useAction();
  const local = name.trim().toLowerCase();
  const nProblem = nameProblem(name);
  const dProblem = displayName.trim() ? null : "Write the name people will see.";
  return (
    <Dialog title={`New distribution list in ${props.domain}`} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (nProblem || dProblem) return;
          void run(async () => props.onCreated(await createDlist(props.domain, local, displayName.trim(), members)));
        }}
      >
        <label className="field">
          List address
          <span className="with-suffix">
            <input id="new-list-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} />
            <span>@{props.domain}</span>
          </span>
          {touched && nProblem && <span className="problem">{nProblem}</span>}
        </label>
        <label className="field">
          Name people will see
          <input id="new-list-display-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          {touched && dProblem && <span className="problem">{dProblem}</span>}
        </label>
        <p className="muted" id="new-list-members">
          {members.length ? `Members: ${members.join(", ")}` : "No members yet (you can add them now or later)."}
        </p>
        <MemberPicker domain={props.domain} load={listCandidates} label="Add a member" exclude={members} onPick={(a) => setMembers((m) => [...m, a])} />
        <ErrorNote error={error} />
        {busy && <p role="status">{WAITING}</p>}
        <div className="actions">
          <button className="primary" type="submit" disabled={busy}>
            {busy ? "Waiting for Exchange…" : local ? `Create ${local}@${props.domain}` : "Create the list"}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
