/** The mailbox list's state: search, filter, sort, and which rows are on screen. */

/** What the list needs of a row: Rackspace Email and Exchange mailboxes both have it. */
export interface ListRow {
  name: string;
  address: string;
  displayName: string;
  enabled: boolean;
  sizeMb: number;
  usedMb: number;
  lastLogin?: string | null;
}

export type StatusFilter = "all" | "enabled" | "disabled";
export type SortKey = "address" | "displayName" | "usage" | "lastLogin";
export interface Sort {
  key: SortKey;
  ascending: boolean;
}

function sortValue(r: ListRow, key: SortKey): string | number {
  switch (key) {
    case "address":
      return r.address;
    case "displayName":
      return r.displayName.toLowerCase();
    case "usage":
      return r.sizeMb > 0 ? r.usedMb / r.sizeMb : 0;
    case "lastLogin":
      return r.lastLogin ? Date.parse(r.lastLogin) : 0;
  }
}

/** Rows matching the search (name or display name) and filter, in the chosen order. */
export function visibleRows<T extends ListRow>(rows: T[], search: string, status: StatusFilter, sort: Sort): T[] {
  const q = search.trim().toLowerCase();
  const out = rows.filter(
    (r) =>
      (status === "all" || (status === "enabled") === r.enabled) &&
      (q === "" || r.address.toLowerCase().includes(q) || r.displayName.toLowerCase().includes(q)),
  );
  out.sort((a, b) => {
    const x = sortValue(a, sort.key);
    const y = sortValue(b, sort.key);
    const c = x < y ? -1 : x > y ? 1 : a.address.localeCompare(b.address);
    return sort.ascending ? c : -c;
  });
  return out;
}

/** Which rows to render for a scroll position: a window plus some rows either side. */
export function windowOf(scrollTop: number, viewport: number, rowHeight: number, count: number, overscan = 8) {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  return { first, last };
}
