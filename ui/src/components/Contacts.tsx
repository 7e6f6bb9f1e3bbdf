import { useCallback, useEffect, useState } from "react";
import { AsOf, RefreshButton, useIndexedList } from "./indexed";
import type { ContactDetail, ContactRow } from "../bindings";
import { asCommandError, exportExchange, suggestContactName, contactDetail, createContact, deleteContact, indexedContacts, listContacts, updateContact } from "../ipc";
import { useCoreAnswer } from "../logic/coreCheck";
import { countLabel } from "../logic/format";
import { addressProblem, nameProblem } from "../logic/validate";
import { Refusal, useCan } from "./can";
import { closeOnEscape, Dialog, ErrorNote, PaneHeader, TypedDelete, useAction } from "./common";
import { History } from "./Journal";

/** Contacts: people outside the company, shown in the Exchange address book. */
export function Contacts({ domain, onDone }: { domain: string; onDone: (msg: string) => void }) {
  const { rows, asOf, error, setError, loading, load } = useIndexedList<ContactRow>(
    useCallback(() => indexedContacts(domain), [domain]),
    useCallback(() => listContacts(domain, null), [domain]),
  );
  const [search, setSearch] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const can = useCan();
  const q = search.trim().toLowerCase();
  const shown = (rows ?? []).filter((c) => !q || c.displayName.toLowerCase().includes(q) || c.email.toLowerCase().includes(q));

  return (
    <section className="aliases" aria-labelledby="contacts-title">
      <div className="list-side">
        <div className="toolbar">
          <h1 id="contacts-title">Contacts</h1>
          <button className="primary" onClick={() => setCreating(true)} disabled={!can("exchange.contact")}>
            New contact
          </button>
          <button
            onClick={() =>
              exportExchange(domain, "contacts").then(
                (r) => r && onDone(`Exported ${countLabel(r.rows, "contact", "contacts")} to ${r.path}.`),
                (e) => setError(asCommandError(e)),
              )
            }
          >
            Export CSV…
          </button>
          <RefreshButton loading={loading} onClick={() => void load(true)} />
          <span className="count" id="contacts-count">
            {rows ? countLabel(shown.length, "contact", "contacts") : ""}
            <AsOf asOf={asOf} />
          </span>
        </div>
        <p className="hint">People outside {domain} who appear in the company's Exchange address book, and can be put on distribution lists.</p>
        <label className="search">
          <span className="sr-only">Search contacts</span>
          <input id="contact-search" type="search" placeholder="Search by name or address" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <ErrorNote error={error} />
        {!rows && !error && <p className="loading">Loading…</p>}
        {rows && shown.length === 0 && <p className="empty">{rows.length === 0 ? "This domain has no contacts yet." : "No contact matches."}</p>}
        {shown.length > 0 && (
          <ul className="simple-list" aria-label="Contacts">
            {shown.map((c) => (
              <li key={c.name}>
                <button className={selected === c.name ? "selected" : ""} aria-current={selected === c.name} onClick={() => setSelected(c.name)} data-contact={c.name}>
                  <span className="addr">{c.displayName}</span>
                  <span className="dn">{c.email}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      {selected && (
        <ContactPane
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
        <NewContactDialog
          domain={domain}
          onClose={() => setCreating(false)}
          onCreated={(c) => {
            setCreating(false);
            onDone(`Added the contact ${c.displayName} (${c.email}).`);
            load();
            setSelected(c.name);
          }}
        />
      )}
    </section>
  );
}

function ContactPane(props: { domain: string; name: string; onClose: () => void; onChanged: (m: string) => void; onDeleted: (m: string) => void }) {
  const { domain, name } = props;
  const [d, setD] = useState<ContactDetail | null>(null);
  const [displayName, setDisplayName] = useState("");
  const [email, setEmail] = useState("");
  const [deleting, setDeleting] = useState(false);
  const { busy, error, setError, run } = useAction();
  const can = useCan();
  useEffect(() => {
    contactDetail(domain, name).then((c) => {
      setD(c);
      setDisplayName(c.displayName);
      setEmail(c.email);
    }, (e) => setError(asCommandError(e)));
  }, [domain, name]);
  const problem = addressProblem(email.trim());
  const changed = !!d && (displayName !== d.displayName || email.trim() !== d.email);
  return (
    <aside className="pane" aria-labelledby="contact-pane-title" onKeyDown={(e) => closeOnEscape(e, props.onClose)}>
      <PaneHeader id="contact-pane-title" title={d ? d.displayName : name} onClose={props.onClose} />
      <ErrorNote error={error} />
      {d && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!changed || problem) return;
            void run(async () => {
              const nd = await updateContact(domain, name, { displayName: displayName !== d.displayName ? displayName : null, email: email.trim() !== d.email ? email.trim() : null });
              setD(nd);
              props.onChanged(`Saved the contact ${nd.displayName}.`);
            });
          }}
        >
          <label className="field">
            Display name
            <input id="contact-display-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          </label>
          <label className="field">
            Outside address
            <input id="contact-email" value={email} onChange={(e) => setEmail(e.target.value)} aria-invalid={!!problem} />
            {problem && <span className="problem">{problem}</span>}
          </label>
          {(d.company || d.jobTitle) && (
            <p className="muted">
              {[d.jobTitle, d.company].filter(Boolean).join(", ")}
            </p>
          )}
          <div className="actions">
            <button className="primary" type="submit" disabled={busy || !changed || !!problem || !can("exchange.contact")}>
              {changed ? "Save changes" : "Nothing to save yet"}
            </button>
            <button type="button" className="danger" onClick={() => setDeleting(true)} disabled={!can("exchange.contact.delete")} aria-describedby="contact-delete-refusal">
              Delete…
            </button>
            <Refusal id="contact-delete-refusal" allowed={can("exchange.contact.delete")} reason="Help desk cannot delete contacts; a super admin can." />
          </div>
          <History target={`${name}@${domain}`} />
        </form>
      )}
      {deleting && d && (
        <TypedDelete
          title={`Delete the contact ${d.displayName}?`}
          confirmText={name}
          what={d.displayName}
          busy={busy}
          error={error}
          onCancel={() => setDeleting(false)}
          onDelete={(typed) => void run(async () => { await deleteContact(domain, name, typed); props.onDeleted(`Deleted the contact ${d.displayName}.`); })}
        >
          <p>{d.displayName} ({d.email}) leaves the address book and the distribution lists it is on. Mail already sent is not touched.</p>
        </TypedDelete>
      )}
    </aside>
  );
}

function NewContactDialog(props: { domain: string; onClose: () => void; onCreated: (c: ContactDetail) => void }) {
  const [displayName, setDisplayName] = useState("");
  const [email, setEmail] = useState("");
  const [touched, setTouched] = useState(false);
  const { busy, error, run } = useAction();
  // The short name in the domain: from the display name, as the person types (editable).
  const [name, setName] = useState("");
  // The core's rule (the one a contact import uses), asked as the person types.
  const suggested = useCoreAnswer(() => (displayName.trim() ? suggestContactName(displayName) : null), [displayName]) ?? "";
  const shortName = name || suggested;
  const eProblem = addressProblem(email.trim());
  const nProblem = shortName ? nameProblem(shortName) : "Give the contact a name.";
  const dProblem = displayName.trim() ? null : "Write the name people will see.";
  return (
    <Dialog title={`New contact in ${props.domain}`} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (eProblem || nProblem || dProblem) return;
          void run(async () => props.onCreated(await createContact(props.domain, { name: shortName, displayName: displayName.trim(), email: email.trim() })));
        }}
      >
        <label className="field">
          Name people will see
          <input id="new-contact-display-name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          {touched && dProblem && <span className="problem">{dProblem}</span>}
        </label>
        <label className="field">
          Their e-mail address (outside {props.domain})
          <input id="new-contact-email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="off" spellCheck={false} />
          {touched && eProblem && <span className="problem">{eProblem}</span>}
        </label>
        <label className="field">
          Short name in {props.domain}
          <input id="new-contact-name" value={shortName} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} />
          {touched && nProblem && <span className="problem">{nProblem}</span>}
        </label>
        <ErrorNote error={error} />
        <div className="actions">
          <button className="primary" type="submit" disabled={busy}>
            {busy ? "Adding…" : "Add the contact"}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
