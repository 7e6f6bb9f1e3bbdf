import { useEffect, useRef, useState } from "react";
import type { AddressWarning, MailboxRow } from "../bindings";
import { checkAddresses, mailboxPage } from "../ipc";
import { useCoreAnswer } from "../logic/coreCheck";

/**
 * The core's warnings about addresses at a domain that looks like one of the account's own
 * but is not ("contoso-lab.exmaple"), asked once the person stops typing.
 */
export function useAddressWarnings(addresses: string[]): AddressWarning[] {
  const key = addresses.join("\n");
  return useCoreAnswer(() => (addresses.length ? checkAddresses(addresses) : null), [key], 400) ?? [];
}

/**
 * The warnings, each with a button that puts the suggested address in, and the person's
 * explicit "they are right as typed" when they really mean that outside domain.
 */
export function AddressWarnings(props: {
  warnings: AddressWarning[];
  onUse: (wrong: string, right: string) => void;
  accepted: boolean;
  onAccept: (yes: boolean) => void;
}) {
  if (props.warnings.length === 0) return null;
  return (
    <div className="warning address-warnings" role="alert">
      <ul>
        {props.warnings.map((w) => (
          <li key={w.address}>
            {w.message}{" "}
            {w.suggestion && (
              <button type="button" onClick={() => props.onUse(w.address, w.suggestion!)}>
                Use {w.suggestion}
              </button>
            )}
          </li>
        ))}
      </ul>
      <label className="check">
        <input type="checkbox" checked={props.accepted} onChange={(e) => props.onAccept(e.target.checked)} /> These addresses are right
        as typed
      </label>
    </div>
  );
}

/** Replaces one address in a list typed by the person (one per line or comma-separated). */
export function replaceAddress(text: string, wrong: string, right: string): string {
  return text
    .split(/(\s*[,\n]\s*)/)
    .map((part) => (part.trim().toLowerCase() === wrong.toLowerCase() ? right : part))
    .join("");
}

const PICKER_PAGES = 4; // up to 1,000 mailboxes; more is the local index's work

/**
 * Adds a member by name: type part of a name or address, choose from the domain's mailboxes
 * with ↑/↓ and Enter (or a click).
 */
export interface Person {
  name: string;
  address: string;
  displayName: string;
}

/** The domain's Rackspace Email mailboxes, for pickers (up to 1,000; more is the index's work). */
export async function rackspacePeople(domain: string): Promise<Person[]> {
  const rows: MailboxRow[] = [];
  let next: number | null = 0;
  let firstTotal: number | null = null;
  for (let page = 1; next !== null && page <= PICKER_PAGES; page++) {
    const p = await mailboxPage(domain, next, 250, firstTotal, page);
    firstTotal ??= p.total;
    rows.push(...p.rows);
    next = p.next;
  }
  return rows;
}

export function MemberPicker(props: {
  domain: string;
  onPick: (address: string) => void;
  exclude: string[];
  /** Where the people come from (default: the domain's Rackspace Email mailboxes). */
  load?: (domain: string) => Promise<Person[]>;
  label?: string;
  /** Unique on the page when there are several pickers. */
  id?: string;
}) {
  const id = props.id ?? "member-picker";
  const [all, setAll] = useState<Person[] | null>(null);
  const [text, setText] = useState("");
  const [at, setAt] = useState(0);
  const loading = useRef(false);
  const load = () => {
    if (all || loading.current) return;
    loading.current = true;
    (props.load ?? rackspacePeople)(props.domain).then(setAll, () => setAll([]));
  };
  useEffect(() => setAt(0), [text]);
  const q = text.trim().toLowerCase();
  const taken = new Set(props.exclude.map((e) => e.toLowerCase()));
  const matches = q
    ? (all ?? []).filter((r) => !taken.has(r.address.toLowerCase()) && (r.address.includes(q) || r.displayName.toLowerCase().includes(q))).slice(0, 6)
    : [];
  const pick = (r: Person) => {
    props.onPick(r.address);
    setText("");
  };
  return (
    <div className="picker">
      <label className="field">
        {props.label ?? `Add a person from ${props.domain}`}
        <input
          id={id}
          value={text}
          onFocus={load}
          onChange={(e) => setText(e.target.value)}
          placeholder="Type a name"
          autoComplete="off"
          role="combobox"
          aria-expanded={matches.length > 0}
          aria-controls={`${id}-list`}
          aria-activedescendant={matches[at] ? `${id}-${at}` : undefined}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown" && matches.length) {
              e.preventDefault();
              setAt((i) => Math.min(matches.length - 1, i + 1));
            } else if (e.key === "ArrowUp" && matches.length) {
              e.preventDefault();
              setAt((i) => Math.max(0, i - 1));
            } else if (e.key === "Enter" && matches[at]) {
              e.preventDefault();
              pick(matches[at]);
            }
          }}
        />
      </label>
      {q && all === null && <p className="loading">Reading the mailboxes of {props.domain}…</p>}
      {q && all !== null && matches.length === 0 && <p className="hint">No mailbox of {props.domain} matches “{text.trim()}”.</p>}
      {matches.length > 0 && (
        <ul className="picker-list" id={`${id}-list`} role="listbox" aria-label="Matching people">
          {matches.map((r, i) => (
            <li key={r.address} id={`${id}-${i}`} role="option" aria-selected={i === at} className={i === at ? "active" : ""} onMouseDown={(e) => e.preventDefault()} onClick={() => pick(r)}>
              <strong>{r.displayName || r.name}</strong> <span className="muted">{r.address}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
