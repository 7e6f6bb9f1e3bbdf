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
