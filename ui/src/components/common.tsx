import { useEffect, useRef, useState, type ReactNode } from "react";
import { createPortal } from "react-dom";
import type { CommandError } from "../bindings";
import { asCommandError, copySecret } from "../ipc";
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

/** Dialogs open right now (a dialog may open another); the page behind is inert while any is. */
let openDialogs = 0;

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function isTopmost(box: HTMLElement): boolean {
  return box.isConnected && !box.parentElement?.nextElementSibling?.classList.contains("backdrop");
}

/** The field to fill in, else the control marked `data-autofocus`, else the main button. */
function focusFirstUseful(box: HTMLElement) {
  const first =
    box.querySelector<HTMLElement>("[data-autofocus]:not([disabled])") ??
    box.querySelector<HTMLElement>("input:not([disabled]):not([type=radio]):not([type=checkbox]), textarea:not([disabled]), select:not([disabled])") ??
    box.querySelector<HTMLElement>("button.primary:not([disabled]), button.danger:not([disabled])") ??
    box.querySelector<HTMLElement>("button:not([data-close]):not([disabled])");
  (first ?? box).focus();
}

/** Where focus goes when what had it is gone: the open pane's title, else the page's title. */
export function focusHome() {
  const home = document.querySelector<HTMLElement>("[data-focus-home]") ?? document.querySelector<HTMLElement>("main h1");
  home?.focus();
}

/**
 * A modal dialog: named; focus lands on the first useful control (`data-autofocus`, else the
 * first field, else the main button) and stays inside until it closes; the page behind is
 * inert; Esc closes; focus then returns where it was, or to `returnFocus`, or to the page's
 * home when that control is gone.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; returnFocus?: () => HTMLElement | null }) {
  const ref = useRef<HTMLDivElement>(null);
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  const returnFocus = useRef(props.returnFocus);
  returnFocus.current = props.returnFocus;
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const root = document.getElementById("root");
    openDialogs += 1;
    if (root) root.inert = true;
    const box = ref.current!;
    const onKey = (e: KeyboardEvent) => {
      if (!isTopmost(box)) return;
      if (e.key === "Escape") {
        e.preventDefault();
        onClose.current();
      } else if (e.key === "Tab") {
        const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
        if (items.length === 0) return e.preventDefault();
        const i = items.indexOf(document.activeElement as HTMLElement);
        if (e.shiftKey && i <= 0) {
          e.preventDefault();
          items[items.length - 1].focus();
        } else if (!e.shiftKey && (i === -1 || i === items.length - 1)) {
          e.preventDefault();
          items[0].focus();
        }
      }
    };
    // Focus that escapes (a click on the backdrop) comes back.
    const onFocusIn = (e: FocusEvent) => {
      if (isTopmost(box) && !box.contains(e.target as Node)) focusFirstUseful(box);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("focusin", onFocusIn);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("focusin", onFocusIn);
      openDialogs -= 1;
      if (root && openDialogs === 0) root.inert = false;
      // After React has committed what the action changed (a button renamed, a pane closed).
      window.setTimeout(() => {
        const chosen = returnFocus.current?.();
        const target = chosen ?? (before && before.isConnected && !before.closest("[inert]") ? before : null);
        if (target) target.focus();
        else focusHome();
      }, 0);
    };
  }, []);
  // On opening, and whenever an action inside removed or disabled the focused control (the
  // confirm button replaced by the result, a step done), focus goes to the first useful control.
  useEffect(() => {
    const box = ref.current;
    if (box && isTopmost(box) && !box.contains(document.activeElement)) focusFirstUseful(box);
  });
  return createPortal(
    <div className="backdrop">
      <div className={`dialog${props.wide ? " wide" : ""}`} role="dialog" aria-modal="true" aria-labelledby="dialog-title" ref={ref} tabIndex={-1}>
        <header>
          <h2 id="dialog-title">{props.title}</h2>
          <button className="icon" data-close onClick={props.onClose} aria-label="Close">
            ×
          </button>
        </header>
        {props.children}
      </div>
    </div>,
    document.body,
  );
}

/**
 * A password shown exactly once, with a copy button. The clipboard is cleared by Rackdesk
 * itself (the Rust side) after the seconds it says, and when the app quits.
 */
export function PasswordOnce({ address, password, onCopied }: { address: string; password: string; onCopied?: () => void }) {
  const [clearIn, setClearIn] = useState<number | null>(null);
  const [copyError, setCopyError] = useState<CommandError | null>(null);
  const [cleared, setCleared] = useState(false);
  useEffect(() => {
    if (clearIn === null) return;
    const t = window.setTimeout(() => {
      setClearIn(null);
      setCleared(true);
    }, clearIn * 1000);
    return () => window.clearTimeout(t);
  }, [clearIn]);
  const copy = async () => {
    try {
      setCopyError(null);
      setCleared(false);
      setClearIn(await copySecret(password));
      onCopied?.();
    } catch (e) {
      setCopyError(asCommandError(e));
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
        <button onClick={copy} data-autofocus aria-describedby="copy-state">
          Copy
        </button>
      </p>
      <ErrorNote error={copyError} />
      <p className="hint" role="status" id="copy-state">
        {clearIn !== null
          ? `Copied. Rackdesk clears the clipboard in ${clearIn} seconds, or when it closes.`
          : cleared
            ? "Rackdesk cleared the clipboard. Copy again if you still need it."
            : "It is shown only this once and Rackdesk does not keep it. Give it to the person by a safe route."}
      </p>
    </div>
  );
}

/**
 * Moves focus after React has drawn the next state: `focusNext(() => ref.current)` from an
 * event handler or a command's answer (the element may not exist until then).
 */
export function useFocusNext() {
  const want = useRef<(() => HTMLElement | null | undefined) | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const get = want.current;
    want.current = null;
    get?.()?.focus();
  }, [tick]);
  return (get: () => HTMLElement | null | undefined) => {
    want.current = get;
    setTick((t) => t + 1);
  };
}

/**
 * A deletion confirmed by typing the name: the button names what goes, and stays disabled
 * until the typed text matches (any letter case).
 */
export function TypedDelete(props: {
  title: string;
  confirmText: string;
  what: string;
  children?: ReactNode;
  busy: boolean;
  busyLabel?: string;
  error: CommandError | null;
  onCancel: () => void;
  onDelete: (typed: string) => void;
}) {
  const [typed, setTyped] = useState("");
  const matches = typed.trim().toLowerCase() === props.confirmText.toLowerCase();
  return (
    <Dialog title={props.title} onClose={props.onCancel}>
      {props.children}
      <label className="field">
        Type {props.confirmText} to confirm
        <input id="confirm-typed" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
      </label>
      <ErrorNote error={props.error} />
      <div className="actions">
        <button className="danger" disabled={!matches || props.busy} onClick={() => props.onDelete(typed)}>
          {props.busy ? (props.busyLabel ?? "Deleting…") : `Delete ${props.what}`}
        </button>
        <button onClick={props.onCancel}>Cancel</button>
      </div>
    </Dialog>
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

/** Esc in a details pane closes it (not when the key was meant for a dialog opened from it). */
export function closeOnEscape(e: React.KeyboardEvent, close: () => void) {
  if (e.key === "Escape" && !(e.target as Element).closest("[role=dialog]")) {
    e.preventDefault();
    close();
  }
}

/** The title row of a details pane, with its close button. */
export function PaneHeader(props: { id: string; title: string; onClose: () => void }) {
  return (
    <header>
      <h2 id={props.id} tabIndex={-1} data-focus-home>
        {props.title}
      </h2>
      <button className="icon" onClick={props.onClose} aria-label="Close details">
        ×
      </button>
    </header>
  );
}
