/** Plain-language figures for the UI. Pure functions: unit-tested with vitest. */

/** "1 mailbox" / "312 mailboxes". */
export function countLabel(n: number, singular: string, plural = `${singular}es`): string {
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`not a count: ${n}`);
  return `${n.toLocaleString("en-US")} ${n === 1 ? singular : plural}`;
}

/** Storage given in MB by the API, shown as GB with one decimal once it reaches 1 GB. */
export function storageLabel(mb: number): string {
  if (!Number.isFinite(mb) || mb < 0) throw new RangeError(`not a size: ${mb}`);
  if (mb < 1024) return `${Math.round(mb)} MB`;
  const gb = mb / 1024;
  return `${gb.toFixed(gb >= 100 ? 0 : 1)} GB`;
}

/** Share of the mailbox used, 0–100, for the storage bar. */
export function usagePercent(usedMb: number, sizeMb: number): number {
  if (!(sizeMb > 0)) return 0;
  return Math.min(100, Math.max(0, Math.round((usedMb / sizeMb) * 100)));
}

/** "today", "yesterday", "5 days ago", "3 months ago", "never". */
export function lastSeen(iso: string | null, now: Date = new Date()): string {
  if (!iso) return "never";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "unknown";
  const days = Math.floor((now.getTime() - t) / 86_400_000);
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  if (days < 60) return `${days} days ago`;
  if (days < 730) return `${Math.floor(days / 30)} months ago`;
  return `${Math.floor(days / 365)} years ago`;
}

/** How long ago, for "as of …": "less than a minute ago", "4 minutes ago", "2 hours ago", "3 days ago". */
export function ago(iso: string, now: Date = new Date()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return "at an unknown time";
  const mins = Math.max(0, Math.floor((now.getTime() - t) / 60_000));
  if (mins < 1) return "less than a minute ago";
  if (mins < 60) return `${mins} minute${mins === 1 ? "" : "s"} ago`;
  const hours = Math.floor(mins / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? "" : "s"} ago`;
  const days = Math.floor(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/**
 * A moment in the system's own way of writing dates and times, in its time zone ("30 Nov
 * 2026, 08:15" or "Nov 30, 2026, 8:15 AM"). `locale`/`timeZone` are for tests; the app passes
 * neither, so the webview's (the system's) settings apply.
 */
export function when(iso: string, locale?: string, timeZone?: string): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(t);
}
