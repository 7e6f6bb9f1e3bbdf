import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { benchOn, findKeyOvertaken, findResultsShown, takeFindKey } from "../bench";
import type { FoundRow, IndexInfo } from "../bindings";
import { asCommandError, findAnywhere, indexStatus } from "../ipc";
import { ago } from "../logic/format";

/** How fresh the index is, in words: "as of 4 minutes ago". */
export function indexAge(info: IndexInfo | null): string {
  if (!info) return "";
  if (info.refreshing) {
    const parts = info.parts ? ` (${info.partsDone} of ${info.parts} lists, ${info.read.toLocaleString("en-US")} found so far)` : "";
    return `Reading the account for search${parts}…`;
  }
  if (!info.refreshedAt) return "Search reads the whole account once, then answers at once.";
  return `Searching ${info.items.toLocaleString("en-US")} people and groups, as of ${ago(info.refreshedAt)}`;
}

/**
 * "Find a person": one box in the header over every domain and kind, from the local index.
 * Arrow keys move through the results, Enter opens one, Esc closes the list.
 */
export function FindBox({ onOpen }: { onOpen: (r: FoundRow) => void }) {
  const [text, setText] = useState("");
  const [rows, setRows] = useState<FoundRow[]>([]);
  const [info, setInfo] = useState<IndexInfo | null>(null);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const asked = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  /** Benchmark probe only (off by default): the key press whose results are being shown. */
  const benchKey = useRef<{ t0: number; q: string; rows: number } | null>(null);
  useLayoutEffect(() => {
    const k = benchKey.current;
    benchKey.current = null;
    if (k) findResultsShown(k.t0, k.q, k.rows);
  }, [rows]);

  const search = async (t: string) => {
    const n = ++asked.current;
    const t0 = benchOn ? takeFindKey() : null;
    if (!t.trim()) {
      setRows([]);
      return;
    }
    try {
      const a = await findAnywhere(t, 20);
      if (n !== asked.current) {
        if (t0 !== null) findKeyOvertaken(t0, t);
        return; // a later keystroke wins
      }
      if (t0 !== null) benchKey.current = { t0, q: t, rows: a.rows.length };
      setRows(a.rows);
      setInfo(a.index);
      setActive(0);
      setProblem(a.index.problem ? a.index.problem.message : null);
    } catch (e) {
      if (n === asked.current) setProblem(asCommandError(e).message);
    }
  };

  // While the index is being read, follow its progress and search again when it is done.
  useEffect(() => {
    if (!info?.refreshing) return;
    const t = window.setInterval(() => {
      void indexStatus().then((i) => {
        setInfo(i);
        if (!i.refreshing) void search(input.current?.value ?? "");
      });
    }, 1000);
    return () => window.clearInterval(t);
  }, [info?.refreshing]);

  // "Ctrl+K" or "F3" jumps to the box from anywhere.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.key === "k" && (e.ctrlKey || e.metaKey)) || e.key === "F3") {
        e.preventDefault();
        input.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const choose = (r: FoundRow | undefined) => {
    if (!r) return;
    setOpen(false);
    onOpen(r);
  };
  const shown = open && text.trim() !== "";
  const optionId = (i: number) => `find-option-${i}`;

  return (
    <div className="findbox" role="search">
      <label htmlFor="find" className="sr-only">
        Find a person in every domain
      </label>
      <input
        id="find"
        ref={input}
        type="search"
        role="combobox"
        autoComplete="off"
        placeholder="Find a person…  (Ctrl+K)"
        aria-expanded={shown}
        aria-controls={rows.length ? "find-results" : undefined}
        aria-autocomplete="list"
        aria-activedescendant={shown && rows.length ? optionId(active) : undefined}
        aria-describedby="find-status"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          void search(e.target.value);
        }}
        onFocus={() => setOpen(true)}
        // Closed a moment after focus leaves (a click on a result lands first), unless focus
        // has come back meanwhile (Ctrl+K right after leaving).
        onBlur={() => window.setTimeout(() => document.activeElement !== input.current && setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" && rows.length) {
            e.preventDefault();
            setOpen(true);
            setActive((a) => Math.min(a + 1, rows.length - 1));
          } else if (e.key === "ArrowUp" && rows.length) {
            e.preventDefault();
            setActive((a) => Math.max(a - 1, 0));
          } else if (e.key === "Enter") {
            e.preventDefault();
            choose(rows[active]);
          } else if (e.key === "Escape") {
            if (shown) {
              e.preventDefault();
              e.stopPropagation();
              setOpen(false);
            }
          }
        }}
      />
      <div className={shown ? "find-pop" : "sr-only"}>
        <p id="find-status" className="find-status" role="status">
          {problem ?? (shown ? indexAge(info) : "")}
        </p>
        {shown && rows.length > 0 && (
          <ul id="find-results" role="listbox" aria-label="People and groups found" className="find-results">
            {rows.map((r, i) => (
              <li
                key={`${r.kind}/${r.address}`}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                className={i === active ? "active" : ""}
                data-address={r.address}
                onMouseDown={(e) => {
                  e.preventDefault();
                  choose(r);
                }}
              >
                <span className="dn">{r.displayName || r.address}</span>
                <span className="addr">{r.address}</span>
                <span className="tag">
                  {r.kindLabel}
                  {r.enabled === false ? ", disabled" : ""}
                </span>
              </li>
            ))}
          </ul>
        )}
        {shown && rows.length === 0 && !info?.refreshing && (
          <p className="find-none" id="find-none">
            Nobody matches “{text.trim()}”.
          </p>
        )}
      </div>
    </div>
  );
}
