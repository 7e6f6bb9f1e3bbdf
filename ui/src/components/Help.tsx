import { useEffect, useRef, useState } from "react";
import { asCommandError, diagnostics, openLogFolder } from "../ipc";

/**
 * Help for support tickets: copy a redacted diagnostics report (no keys, no passwords), or open
 * the folder with the log files; and *Check for updates*. A small menu in the header, usable by keyboard (Esc closes it).
 */
export function HelpMenu({ onDone, onCheckUpdates }: { onDone: (msg: string) => void; onCheckUpdates: () => void }) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<string | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (open) first.current?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return (
    <div
      className="help-menu"
      onKeyDown={(e) => {
        if (e.key === "Escape" && open) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <button ref={button} id="help-button" aria-haspopup="menu" aria-expanded={open} aria-controls="help-items" onClick={() => setOpen((o) => !o)}>
        Help
      </button>
      {open && (
        <div id="help-items" role="menu" aria-label="Help" className="help-items">
          <button
            ref={first}
            role="menuitem"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                const d = await diagnostics();
                setReport(d.text);
                try {
                  await navigator.clipboard.writeText(d.text);
                  onDone("Copied the diagnostics (no keys or passwords in them): paste them into your support ticket.");
                } catch {
                  onDone("The diagnostics are shown below the menu: select and copy them into your support ticket.");
                }
              } catch (e) {
                onDone(asCommandError(e).message);
              } finally {
                setBusy(false);
                setOpen(false);
              }
            }}
          >
            {busy ? "Gathering diagnostics…" : "Copy diagnostics"}
          </button>
          <button
            role="menuitem"
            onClick={async () => {
              try {
                const f = await openLogFolder();
                onDone(f.opened ? `Opened the log folder, ${f.path}.` : `The log files are in ${f.path}.`);
              } catch (e) {
                onDone(asCommandError(e).message);
              }
              setOpen(false);
            }}
          >
            Open the log folder
          </button>
          <button
            role="menuitem"
            id="help-check-updates"
            onClick={() => {
              setOpen(false);
              onCheckUpdates();
            }}
          >
            Check for updates…
          </button>
        </div>
      )}
      {report && !open && (
        <details className="help-report">
          <summary>Diagnostics</summary>
          <pre id="diagnostics-text">{report}</pre>
        </details>
      )}
    </div>
  );
}
