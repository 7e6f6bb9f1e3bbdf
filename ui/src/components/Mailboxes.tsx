import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { CommandError } from "../bindings";
import { listShown, mark } from "../bench";
import { asCommandError, exMailboxPage, exportExchange, exportMailboxes, indexedMailboxes, mailboxPage } from "../ipc";
import { ago, countLabel, lastSeen } from "../logic/format";
import { visibleRows, windowOf, type ListRow, type Sort, type SortKey, type StatusFilter } from "../logic/list";
import { ExMailboxPane } from "./ExMailboxPane";
import { Refusal, useCan } from "./can";
import { ErrorNote, StorageBar, useFocusNext } from "./common";
import { MailboxPane } from "./MailboxPane";
import { NewMailboxDialog } from "./NewMailbox";

/** Rows asked for before the rest of a list from the index: more than a tall screen shows. */
const FIRST_SCREEN = 100;
const ROW_HEIGHT = 44;
const PAGE = 250;

/** Which mailboxes: Rackspace Email, or Hosted Exchange. */
export type Service = "rs" | "ex";

type Row = ListRow & { hidden?: boolean };

export function Mailboxes({
  domain,
  service = "rs",
  open: openAtStart,
  onDone,
}: {
  domain: string;
  service?: Service;
  /** A mailbox to show at once (found with "Find a person"): searched for and opened. */
  open?: string;
  onDone: (msg: string) => void;
}) {
  const [rows, setRows] = useState<Row[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<CommandError | null>(null);
  const [search, setSearch] = useState(openAtStart ?? "");
  /** The list came from the local index, as of this time (ISO 8601); null: read from Rackspace. */
  const [asOf, setAsOf] = useState<string | null>(null);
  const [status, setStatus] = useState<StatusFilter>("all");
  const [sort, setSort] = useState<Sort>({ key: "address", ascending: true });
  /** The row the keyboard is on (highlighted), and the mailbox whose details are open. */
  const [active, setActive] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | null>(openAtStart ?? null);
  const [creating, setCreating] = useState(false);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);
  const listRef = useRef<HTMLDivElement>(null);
  const can = useCan();
  const createAction = service === "ex" ? "exchange.mailbox.create" : "mailbox.create";
  const searchRef = useRef<HTMLInputElement>(null);
  const focusNext = useFocusNext();

  /**
   * Loads every page in the background; the list is usable from the first page on. The core
   * says where the next page starts; the walk stops when this list is closed (another domain
   * or account), so it does not go on spending Rackspace's read budget.
   */
  const load = useCallback(async (stillWanted: () => boolean = () => true, fromServer = false) => {
    setLoading(true);
    setError(null);
    // The local index answers at once, without spending Rackspace's read budget.
    if (!fromServer) {
      try {
        // The first screenful first, then the rest: a domain of 20,000 mailboxes shows at once.
        mark("index-asked");
        const first = await indexedMailboxes(domain, service, FIRST_SCREEN);
        mark("index-answered");
        if (!stillWanted()) return;
        if (first) {
          setRows(first.rows);
          setTotal(first.total);
          setAsOf(first.asOf);
          if (first.total > first.rows.length) {
            const all = await indexedMailboxes(domain, service);
            if (!stillWanted()) return;
            if (all) {
              setRows(all.rows);
              setTotal(all.total);
              setAsOf(all.asOf);
            }
          }
          setLoading(false);
          return;
        }
      } catch {
        // No usable index: read from Rackspace below.
      }
    }
    setAsOf(null);
    const all: Row[] = [];
    const page_: (d: string, o: number, sz: number, ft: number | null, n: number) => Promise<{ total: number; rows: Row[]; next: number | null }> =
      service === "ex" ? exMailboxPage : mailboxPage;
    try {
      let next: number | null = 0;
      let firstTotal: number | null = null;
      for (let page = 1; next !== null && stillWanted(); page++) {
        const p = await page_(domain, next, PAGE, firstTotal, page);
        mark(`page-${page}`);
        if (!stillWanted()) return;
        firstTotal ??= p.total;
        all.push(...p.rows);
        setRows([...all]);
        setTotal(p.total);
        next = p.next;
      }
    } catch (e) {
      if (stillWanted()) setError(asCommandError(e));
    } finally {
      if (stillWanted()) setLoading(false);
    }
  }, [domain, service]);

  useEffect(() => {
    let wanted = true;
    void load(() => wanted);
    return () => {
      wanted = false;
    };
  }, [load]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === "/" && !["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    const el = listRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const shown = useMemo(() => visibleRows(rows, search, status, sort), [rows, search, status, sort]);
  // Benchmark probe only (off by default): the first list with rows in the page.
  useEffect(() => listShown(rows.length, total, asOf !== null, loading), [rows, total, asOf, loading]);
  const { first, last } = windowOf(scrollTop, viewport, ROW_HEIGHT, shown.length);

  const sortBy = (key: SortKey) => setSort((s) => ({ key, ascending: s.key === key ? !s.ascending : true }));
  const sortMark = (key: SortKey) => (sort.key === key ? (sort.ascending ? " ▲" : " ▼") : "");
  const sortWords = (key: SortKey) => (sort.key === key ? (sort.ascending ? "sorted A to Z" : "sorted Z to A") : "not sorted by this");

  const moveSelection = (delta: number) => {
    if (shown.length === 0) return;
    const at = shown.findIndex((r) => r.name === active);
    const next = at === -1 ? 0 : Math.min(shown.length - 1, Math.max(0, at + delta));
    setActive(shown[next].name);
    const el = listRef.current;
    if (el) {
      const top = next * ROW_HEIGHT;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    }
  };

  const replaceRow = (r: Row) => setRows((all) => all.map((x) => (x.name === r.name ? r : x)));
  const open = (name: string) => {
    setActive(name);
    // Already open: the details take the focus again (a new pane focuses itself when loaded).
    if (name === selected) focusNext(() => document.querySelector<HTMLElement>(".pane .actions button"));
    setSelected(name);
  };
  /** Back to the list, on the row that was open (or the search box when the list is empty). */
  const backToList = () => {
    setSelected(null);
    focusNext(() => (shown.length ? listRef.current : searchRef.current));
  };

  return (
    <section className="mailboxes" data-service={service} aria-labelledby="mailboxes-title">
      <div className="list-side">
        <div className="toolbar">
          <h1 id="mailboxes-title">{service === "ex" ? "Exchange mailboxes" : "Mailboxes"}</h1>
          <button className="primary" onClick={() => setCreating(true)} disabled={!can(createAction)} aria-describedby="new-mailbox-refusal">
            New mailbox
          </button>
          <Refusal id="new-mailbox-refusal" allowed={can(createAction)} />
          <button onClick={() => void load(() => true, true)} disabled={loading} title="Read this list from Rackspace again">
            Refresh
          </button>
          <button
            onClick={() =>
              (service === "ex" ? exportExchange(domain, "mailboxes") : exportMailboxes(domain)).then(
                (r) => r && onDone(`Exported ${countLabel(r.rows, "mailbox")} to ${r.path}.`),
                (e) => setError(asCommandError(e)),
              )
            }
          >
            Export CSV…
          </button>
        </div>
        <div className="filters">
          <label className="search">
            <span className="sr-only">Search mailboxes</span>
            <input
              id="mailbox-search"
              ref={searchRef}
              type="search"
              placeholder="Search by name or display name  ( / )"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              aria-controls="mailbox-list"
              aria-describedby="search-keys"
              onKeyDown={(e) => {
                // ↓ goes into the results; Enter opens the only (or first) match.
                if (e.key === "ArrowDown" && shown.length) {
                  e.preventDefault();
                  setActive(shown[0].name);
                  listRef.current?.focus();
                } else if (e.key === "Enter" && shown.length) {
                  e.preventDefault();
                  open(shown[0].name);
                }
              }}
            />
            <span id="search-keys" className="sr-only">
              Press the down arrow to move into the results, Enter to open one.
            </span>
          </label>
          {service === "rs" && <div className="chips" role="radiogroup" aria-label="Show">
            {(["all", "enabled", "disabled"] as StatusFilter[]).map((s) => (
              <button key={s} role="radio" aria-checked={status === s} className="chip" onClick={() => setStatus(s)}>
                {s === "all" ? "All" : s === "enabled" ? "Enabled" : "Disabled"}
              </button>
            ))}
          </div>}
          <span className="count" id="mailbox-count" aria-live="polite">
            {countLabel(shown.length, "mailbox")}
            {search || status !== "all" ? ` of ${rows.length}` : ""}
            {asOf && <span className="as-of"> — as of {ago(asOf)}</span>}
          </span>
        </div>
        {loading && total !== null && rows.length < total && (
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={rows.length}>
            <div className="fill" style={{ width: `${Math.round((rows.length / total) * 100)}%` }} />
            <span>
              Loading {rows.length.toLocaleString("en-US")} of {total.toLocaleString("en-US")} mailboxes…
            </span>
          </div>
        )}
        <ErrorNote error={error} />
        {/* Sort buttons above the list (a listbox of options has no column headers). */}
        <div className="grid-head" role="group" aria-label="Sort the list by">
          <button aria-pressed={sort.key === "address"} aria-description={sortWords("address")} onClick={() => sortBy("address")}>
            Address{sortMark("address")}
          </button>
          <button aria-pressed={sort.key === "displayName"} aria-description={sortWords("displayName")} onClick={() => sortBy("displayName")}>
            Display name{sortMark("displayName")}
          </button>
          <button aria-pressed={sort.key === "usage"} aria-description={sortWords("usage")} onClick={() => sortBy("usage")}>
            Storage{sortMark("usage")}
          </button>
          {service === "rs" && (
            <button aria-pressed={sort.key === "lastLogin"} aria-description={sortWords("lastLogin")} onClick={() => sortBy("lastLogin")}>
              Last login{sortMark("lastLogin")}
            </button>
          )}
        </div>
        <div
          className="grid"
          ref={listRef}
          id="mailbox-list"
          role="listbox"
          aria-label="Mailboxes"
          aria-activedescendant={active && shown.some((r) => r.name === active) ? `mbx-${active}` : undefined}
          tabIndex={0}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          onFocus={() => {
            if (!active && shown.length) setActive(shown[0].name);
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown") {
              e.preventDefault();
              moveSelection(1);
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              if (shown[0]?.name === active) searchRef.current?.focus();
              else moveSelection(-1);
            } else if (e.key === "Home" || e.key === "End") {
              e.preventDefault();
              moveSelection(e.key === "Home" ? -shown.length : shown.length);
            } else if ((e.key === "Enter" || e.key === " ") && active) {
              e.preventDefault();
              open(active);
            }
          }}
        >
          {loading && rows.length === 0 &&
            Array.from({ length: 8 }, (_, i) => <div key={i} className="row skeleton" style={{ top: i * ROW_HEIGHT }} />)}
          {!loading && shown.length === 0 && !error && (
            <p className="empty">{rows.length === 0 ? "This domain has no mailboxes yet." : "No mailbox matches."}</p>
          )}
          <div style={{ height: shown.length * ROW_HEIGHT, position: "relative" }}>
            {shown.slice(first, last).map((r, i) => (
              <div
                key={r.name}
                id={`mbx-${r.name}`}
                role="option"
                aria-selected={active === r.name}
                aria-setsize={shown.length}
                aria-posinset={first + i + 1}
                className={`row${selected === r.name ? " selected" : ""}${active === r.name ? " active" : ""}${r.enabled ? "" : " disabled"}`}
                style={{ top: (first + i) * ROW_HEIGHT, height: ROW_HEIGHT }}
                data-address={r.address}
                onClick={() => open(r.name)}
              >
                <span className="addr">
                  {r.address}
                  {!r.enabled && <span className="tag">Disabled</span>}
                </span>
                <span className="dn">{r.displayName}</span>
                <StorageBar usedMb={r.usedMb} sizeMb={r.sizeMb} />
                {/* Exchange's mailbox index has no sign-in or state columns: those are in the details. */}
                {service === "rs" && <span className="seen">{lastSeen(r.lastLogin ?? null)}</span>}
              </div>
            ))}
          </div>
        </div>
      </div>
      {selected && service === "ex" && (
        <ExMailboxPane
          key={selected}
          domain={domain}
          name={selected}
          onClose={backToList}
          onChanged={(r, msg) => {
            replaceRow(r);
            onDone(msg);
          }}
          onDeleted={(msg) => {
            setRows((all) => all.filter((x) => x.name !== selected));
            setTotal((t) => (t === null ? t : t - 1));
            setActive(null);
            backToList();
            onDone(msg);
          }}
        />
      )}
      {selected && service === "rs" && (
        <MailboxPane
          key={selected}
          domain={domain}
          name={selected}
          onClose={backToList}
          onChanged={(r, msg) => {
            replaceRow(r);
            onDone(msg);
          }}
          onDeleted={(msg) => {
            setRows((all) => all.filter((x) => x.name !== selected));
            setTotal((t) => (t === null ? t : t - 1));
            setActive(null);
            backToList();
            onDone(msg);
          }}
        />
      )}
      {creating && (
        <NewMailboxDialog
          domain={domain}
          service={service}
          onClose={() => setCreating(false)}
          onCreated={(msg) => {
            onDone(msg);
            void load();
          }}
          onOpen={(name) => {
            setCreating(false);
            setSearch("");
            open(name);
          }}
        />
      )}
    </section>
  );
}
