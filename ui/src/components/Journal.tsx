import { useCallback, useEffect, useState } from "react";
import type { CommandError, JournalEntry, JournalFilter } from "../bindings";
import { asCommandError, journalExport, journalQuery } from "../ipc";
import { countLabel, when } from "../logic/format";
import { ErrorNote } from "./common";

/** The result filter: the journal's codes, in words. */
const RESULTS: [string, string][] = [
  ["", "Any"],
  ["success", "Done"],
  ["failed", "Failed"],
  ["refused", "Refused"],
  ["unknown", "Outcome unknown"],
  ["reconciled", "Checked on the server later"],
  ["pending", "Waiting for an answer"],
];


/** The journal: who changed what, through which API admin, with what result. */
export function Journal({ onDone, me }: { onDone: (m: string) => void; me?: { name: string; display: string } }) {
  const [filter, setFilter] = useState<JournalFilter>({ operator: "", target: "", action: "", since: "", until: "", result: "", limit: 500 });
  const [rows, setRows] = useState<JournalEntry[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const load = useCallback(() => {
    journalQuery(filter).then(
      (r) => {
        setRows(r);
        setError(null);
      },
      (e) => setError(asCommandError(e)),
    );
  }, [filter]);
  useEffect(() => {
    const t = window.setTimeout(load, 200);
    return () => window.clearTimeout(t);
  }, [load]);
  const set = (k: keyof JournalFilter) => (e: { target: { value: string } }) => setFilter((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section aria-labelledby="journal-title">
      <div className="toolbar">
        <h1 id="journal-title">Journal</h1>
        <button
          onClick={() =>
            journalExport(filter).then((r) => r && onDone(`Exported ${countLabel(r.rows, "entry", "entries")} to ${r.path}.`), (e) => setError(asCommandError(e)))
          }
        >
          Export CSV…
        </button>
      </div>
      <p className="hint">
        Every change made through Rackdesk on this computer: who asked for it, through which API admin, and what happened.
        Rackspace's own log shows only the API admin.
      </p>
      <div className="filters journal-filters">
        <label>
          Mailbox or alias
          <input id="journal-target" value={filter.target ?? ""} onChange={set("target")} />
        </label>
        <label>
          Operator
          <input value={filter.operator ?? ""} onChange={set("operator")} />
        </label>
        <label>
          Action
          <input value={filter.action ?? ""} onChange={set("action")} placeholder="e.g. reset, delete, alias" />
        </label>
        <label>
          From
          <input type="date" value={filter.since ?? ""} onChange={set("since")} />
        </label>
        <label>
          To
          <input type="date" value={filter.until ?? ""} onChange={set("until")} />
        </label>
        <label>
          Result
          <select value={filter.result ?? ""} onChange={set("result")}>
            {RESULTS.map(([code, words]) => (
              <option key={code} value={code}>
                {words}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorNote error={error} />
      {rows && <p className="count" id="journal-count">{countLabel(rows.length, "entry", "entries")}</p>}
      {rows && rows.length > 0 && (
        <table className="journal" aria-label="Journal entries">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Through</th>
              <th scope="col">What</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.id} className={`result-${e.result}`} data-action={e.action}>
                <td data-label="When">{when(e.at)}</td>
                <td data-label="Who">
                  {me && e.operator === me.name ? me.display : e.operator} <span className="muted">({e.role})</span>
                </td>
                <td data-label="Through">
                  {e.through}
                  {e.sandbox && <span className="tag">sandbox</span>}
                </td>
                <td data-label="What">
                  {e.summary}
                  {e.details.length > 0 && (
                    <ul className="muted details">
                      {e.details.map((d) => (
                        <li key={d}>{d}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td data-label="Result">
                  <strong>{e.resultText}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The last entries about one mailbox or alias, for its details pane. */
export function History({ target }: { target: string }) {
  const [rows, setRows] = useState<JournalEntry[] | null>(null);
  useEffect(() => {
    journalQuery({ target, limit: 20, operator: null, action: null, since: null, until: null, result: null }).then(setRows, () => setRows([]));
  }, [target]);
  if (!rows) return null;
  return (
    <div className="history">
      <h3>History on this computer</h3>
      {rows.length === 0 ? (
        <p className="muted">No changes made through Rackdesk yet.</p>
      ) : (
        <ul id="pane-history">
          {rows.map((e) => (
            <li key={e.id}>
              {when(e.at)} — {e.operator} ({e.role}): {e.summary} — {e.resultText}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
