/**
 * The benchmark probe (tests/bench/webview.sh, issue #14). Off unless the app was started with
 * RACKDESK_BENCH=1: then the Rust side (src-tauri/src/bench.rs) sets `__RACKDESK_BENCH__`
 * before this code runs and prints every report sent here. Off, every function is a no-op.
 */
import { emit } from "@tauri-apps/api/event";

export const benchOn = (window as unknown as { __RACKDESK_BENCH__?: boolean }).__RACKDESK_BENCH__ === true;

function report(probe: string, data: Record<string, unknown>) {
  if (!benchOn) return;
  emit("rackdesk-bench", { probe, pageMs: Math.round(performance.now() * 10) / 10, ...data }).catch(() => undefined);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/** Notes a start-up step in the page's clock (reported with the first list). */
export function mark(name: string) {
  if (benchOn) performance.mark(name);
}

/** When the last key was pressed in the "Find a person" box (the event's own time stamp). */
let lastFindKey: number | null = null;
if (benchOn) {
  document.addEventListener(
    "keydown",
    (e) => {
      if ((e.target as HTMLElement | null)?.id !== "find") return;
      // WebKit's time stamps share performance.now()'s origin; fall back if one does not.
      lastFindKey = e.timeStamp > 0 && e.timeStamp <= performance.now() + 1 ? e.timeStamp : performance.now();
    },
    true,
  );
}

/** The key press that led to this search, once (null when none, or the probe is off). */
export function takeFindKey(): number | null {
  const t = lastFindKey;
  lastFindKey = null;
  return t;
}

/** The results of a search typed at `t0` are in the page (called right after React's
 * commit): reports the time to the commit and to the start of the next frame. */
export function findResultsShown(t0: number, q: string, rows: number) {
  const commit = performance.now();
  requestAnimationFrame(() => report("find-key", { q, rows, commitMs: round(commit - t0), frameMs: round(performance.now() - t0) }));
}

/** A keystroke whose results were never shown: a later one overtook it. */
export function findKeyOvertaken(t0: number, q: string) {
  report("find-key", { q, overtaken: true, ms: round(performance.now() - t0) });
}

let listReported = false;
/** The first mailbox list has rows in the page (reported once, at the next frame). */
export function listShown(rows: number, total: number | null, fromIndex: boolean, loading: boolean) {
  if (!benchOn || listReported || rows === 0) return;
  if (!document.querySelector("#mailbox-list [role=option]")) return;
  listReported = true;
  requestAnimationFrame(() => {
    const list = document.getElementById("mailbox-list");
    const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming | undefined;
    report("list-interactive", {
      rows, total, fromIndex, loading,
      focusable: list?.tabIndex === 0,
      options: list?.querySelectorAll("[role=option]").length ?? 0,
      // The page's own start: its script loaded and run (DOMContentLoaded), in its clock.
      domReadyMs: nav ? Math.round(nav.domContentLoadedEventEnd) : null,
      // The page's clock origin (ms since the Unix epoch), to place it against the Rust marks.
      timeOriginMs: Math.round(performance.timeOrigin),
      marks: Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)])),
    });
  });
}
