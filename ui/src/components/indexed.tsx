import { useCallback, useEffect, useState } from "react";
import type { CommandError } from "../bindings";
import { asCommandError } from "../ipc";
import { ago } from "../logic/format";

/**
 * A domain's list that opens from the local index at once (no read of Rackspace's budget),
 * marked with the index's age, and is read from Rackspace when there is no index yet or when
 * the person asks (`load(true)`, the Refresh button). Changes made through Rackdesk update the
 * index, so `load()` after a change shows them.
 */
export function useIndexedList<T>(fromIndex: () => Promise<{ rows: T[]; asOf: string } | null>, fromServer: () => Promise<T[]>) {
  const [rows, setRows] = useState<T[] | null>(null);
  const [asOf, setAsOf] = useState<string | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [loading, setLoading] = useState(false);
  const load = useCallback(
    async (server = false) => {
      setError(null);
      if (!server) {
        try {
          const ix = await fromIndex();
          if (ix) {
            setRows(ix.rows);
            setAsOf(ix.asOf);
            return;
          }
        } catch {
          // No usable index: read from Rackspace below.
        }
      }
      setLoading(true);
      try {
        setRows(await fromServer());
        setAsOf(null);
      } catch (e) {
        setError(asCommandError(e));
      } finally {
        setLoading(false);
      }
    },
    // The fetchers change with the domain; the page passes them fresh each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [fromIndex, fromServer],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return { rows, asOf, error, setError, loading, load };
}

/** "— as of 4 minutes ago" after a list's count, when it came from the index. */
export function AsOf({ asOf }: { asOf: string | null }) {
  return asOf ? <span className="as-of"> — as of {ago(asOf)}</span> : null;
}

/** Reads the list again from Rackspace. */
export function RefreshButton({ loading, onClick }: { loading: boolean; onClick: () => void }) {
  return (
    <button onClick={onClick} disabled={loading} aria-describedby="refresh-cost">
      {loading ? "Refreshing…" : "Refresh"}
      <span id="refresh-cost" className="sr-only">
        Reads the list again from Rackspace
      </span>
    </button>
  );
}
