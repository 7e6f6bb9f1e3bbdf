// The screen is in the page: report it at the next frame, as Rackdesk's probe does
// (ui/src/bench.ts), through the same event.
requestAnimationFrame(() => {
  window.__TAURI_INTERNALS__.invoke("plugin:event|emit", {
    event: "rackdesk-bench",
    payload: { probe: "screen-shown", pageMs: Math.round(performance.now() * 10) / 10 },
  });
});
