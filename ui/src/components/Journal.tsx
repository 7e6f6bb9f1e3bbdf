import { useCallback, useEffect, useRef, useState } from "react";
import type { CommandError, JournalEntry, JournalFilter, TeamJournalEntry, TeamJournalFilter, TeamStatus } from "../bindings";
import { asCommandError, journalExport, journalQuery, onTeamEntries, teamExport, teamFollow, teamQuery, teamUnfollow } from "../ipc";
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


/** The Journal page: this computer's journal, and — for those allowed — every computer's. */
export function Journal({ onDone, me, team }: { onDone: (m: string) => void; me?: { name: string; display: string }; team?: TeamStatus | null }) {
  const [which, setWhich] = useState<"local" | "team">("local");
  const teamAllowed = !!team?.connected && team.mayView;
  const showing = teamAllowed ? which : "local";
  return (
    <>
      {teamAllowed && (
        <div className="chips journal-scope" role="radiogroup" aria-label="Whose journal">
          <button role="radio" aria-checked={showing === "local"} className="chip" onClick={() => setWhich("local")}>
            This computer
          </button>
          <button role="radio" aria-checked={showing === "team"} className="chip" id="journal-team-tab" onClick={() => setWhich("team")}>
            Every computer (team journal)
          </button>
        </div>
      )}
      {showing === "team" ? <TeamJournal onDone={onDone} /> : <LocalJournal onDone={onDone} me={me} />}
    </>
  );
}

/** This computer's journal: who changed what, through which API admin, with what result. */
function LocalJournal({ onDone, me }: { onDone: (m: string) => void; me?: { name: string; display: string } }) {
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

const NO_TEAM_FILTER: TeamJournalFilter = { machine: "", operator: "", identity: "", action: "", target: "", since: "", until: "", result: "", limit: 500 };

/** Newest first by the time the change was made; the same entry (computer and number) once. */
function merged(rows: TeamJournalEntry[], arrived: TeamJournalEntry[]): TeamJournalEntry[] {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  for (const r of arrived) byKey.set(r.key, r);
  return [...byKey.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.key < b.key ? 1 : -1)).slice(0, 500);
}

/** The team journal: every computer's entries, with live updates as they arrive. */
export function TeamJournal({ onDone }: { onDone: (m: string) => void }) {
  const [filter, setFilter] = useState<TeamJournalFilter>(NO_TEAM_FILTER);
  const [rows, setRows] = useState<TeamJournalEntry[] | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [live, setLive] = useState<string>("Connecting…");
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const load = useCallback(async (f: TeamJournalFilter) => {
    try {
      const r = await teamQuery(f);
      if (filterRef.current !== f) return;
      setRows(r);
      setError(null);
      await teamFollow(f);
      setLive("Live: new entries appear as they arrive.");
    } catch (e) {
      setError(asCommandError(e));
      setLive("Not live: the team database could not be reached.");
    }
  }, []);
  useEffect(() => {
    const t = window.setTimeout(() => void load(filter), 250);
    return () => window.clearTimeout(t);
  }, [filter, load]);
  useEffect(() => {
    const unlisten = onTeamEntries((l) => {
      if (l.problem) setLive(`Not live for now: ${l.problem}`);
      if (l.reload) {
        void load(filterRef.current);
        return;
      }
      if (l.entries.length) {
        setRows((cur) => merged(cur ?? [], l.entries));
        setFresh((cur) => new Set([...cur, ...l.entries.map((e) => e.key)]));
      }
    });
    return () => {
      void unlisten.then((f) => f());
      void teamUnfollow().catch(() => undefined);
    };
  }, [load]);
  const set = (k: keyof TeamJournalFilter) => (e: { target: { value: string } }) => setFilter((f) => ({ ...f, [k]: e.target.value }));

  return (
    <section aria-labelledby="team-journal-title">
      <div className="toolbar">
        <h1 id="team-journal-title">Team journal</h1>
        <button
          onClick={() =>
            teamExport(filter).then((r) => r && onDone(`Exported ${countLabel(r.rows, "entry", "entries")} from every computer to ${r.path}.`), (e) => setError(asCommandError(e)))
          }
        >
          Export CSV…
        </button>
      </div>
      <p className="hint">Every computer's changes, from the team database. Nobody can change them here.</p>
      <p className="hint" id="team-live" role="status">
        {live}
      </p>
      <div className="filters journal-filters">
        <label>
          Computer
          <input id="team-filter-machine" value={filter.machine ?? ""} onChange={set("machine")} />
        </label>
        <label>
          Operator
          <input value={filter.operator ?? ""} onChange={set("operator")} />
        </label>
        <label>
          Identity
          <input value={filter.identity ?? ""} onChange={set("identity")} placeholder="name, API admin or account" />
        </label>
        <label>
          Action
          <input value={filter.action ?? ""} onChange={set("action")} placeholder="e.g. reset, delete, alias" />
        </label>
        <label>
          Mailbox or alias
          <input id="team-filter-target" value={filter.target ?? ""} onChange={set("target")} />
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
      {rows && <p className="count" id="team-journal-count">{countLabel(rows.length, "entry", "entries")}</p>}
      {rows && rows.length > 0 && (
        <table className="journal" aria-label="Team journal entries" id="team-journal-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who, on which computer</th>
              <th scope="col">Through</th>
              <th scope="col">What</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.key} className={`result-${e.result}${fresh.has(e.key) ? " fresh" : ""}`} data-action={e.action} data-machine={e.machineId}>
                <td data-label="When">{when(e.at)}</td>
                <td data-label="Who">
                  {e.operator} <span className="muted">({e.role})</span> <span className="muted machine">on {e.machine}</span>
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
