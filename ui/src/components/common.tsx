import { useEffect, useRef, useState, type ReactNode } from "react";
import type { CommandError } from "../bindings";
import { asCommandError } from "../ipc";
import { storageLabel, usagePercent } from "../logic/format";

/** Our sentence, then the server's own words as "Details". */
export function ErrorNote({ error }: { error: CommandError | null }) {
  if (!error) return null;
  return (
    <div className="error-note" role="alert">
      <p>{error.message}</p>
      {error.detail && <p className="detail">Details: {error.detail}</p>}
    </div>
  );
}

/** Storage as a bar with the figures; colour is only the second signal. */
export function StorageBar({ usedMb, sizeMb }: { usedMb: number; sizeMb: number }) {
  const pct = usagePercent(usedMb, sizeMb);
  const level = pct >= 90 ? "full" : pct >= 75 ? "high" : "ok";
  return (
    <div className="storage" title={`${pct}% used`}>
      <div className="bar" role="img" aria-label={`${pct}% of the mailbox used`}>
        <div className={`fill ${level}`} style={{ width: `${pct}%` }} />
      </div>
      <span className="figures">
        {storageLabel(usedMb)} of {storageLabel(sizeMb)}
      </span>
    </div>
  );
}

/** A modal dialog: named, focus moves in and comes back, Esc closes. */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>("input, textarea, select, button:not([data-close])");
    first?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") props.onClose();
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      before?.focus();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <div className="backdrop">
      <div className={`dialog${props.wide ? " wide" : ""}`} role="dialog" aria-modal="true" aria-labelledby="dialog-title" ref={ref}>
        <header>
          <h2 id="dialog-title">{props.title}</h2>
          <button className="icon" data-close onClick={props.onClose} aria-label="Close">
            ×
          </button>
        </header>
        {props.children}
      </div>
    </div>
  );
}

const CLIPBOARD_CLEAR_SECONDS = 30;

/** A password shown exactly once, with a copy button; the clipboard is cleared after 30 s. */
export function PasswordOnce({ address, password }: { address: string; password: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(password);
      setCopied(true);
      window.setTimeout(() => {
        void navigator.clipboard.writeText("").catch(() => undefined);
        setCopied(false);
      }, CLIPBOARD_CLEAR_SECONDS * 1000);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div className="password-once">
      <p>
        New password for <strong>{address}</strong>:
      </p>
      <p>
        <code className="password" data-testid="new-password">
          {password}
        </code>{" "}
        <button onClick={copy}>Copy</button>
      </p>
      <p className="hint" role="status">
        {copied
          ? `Copied. The clipboard will be cleared in ${CLIPBOARD_CLEAR_SECONDS} seconds.`
          : "It is shown only this once and Rackdesk does not keep it. Give it to the person by a safe route."}
      </p>
    </div>
  );
}

/** Runs one command at a time for a form or pane: `busy` while it runs, `error` if it failed. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError | null>(null);
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(asCommandError(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** The title row of a details pane, with its close button. */
export function PaneHeader(props: { id: string; title: string; onClose: () => void }) {
  return (
    <header>
      <h2 id={props.id}>{props.title}</h2>
      <button className="icon" onClick={props.onClose} aria-label="Close details">
        ×
      </button>
    </header>
  );
}
