import { useEffect, useState } from "react";
import type { CommandError, SpamEntryCheck, SpamPageView, SpamVerdictView } from "../bindings";
import { asCommandError, exportSpam, spamChangeList, spamCheckEntry, spamSet, spamView, spamWhy } from "../ipc";
import { Dialog, ErrorNote } from "./common";

/**
 * The spam protection of a domain or of one mailbox: the settings in words (and their form
 * for those who may change them), the safe and blocked lists with search, add and remove, and
 * "why did this land in spam?". Everything is read and decided by the core.
 */
export function SpamPanel({ target, onDone, headingLevel = 2 }: { target: string; onDone: (msg: string) => void; headingLevel?: 2 | 3 }) {
  const [view, setView] = useState<SpamPageView | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState("");
  const H = headingLevel === 2 ? "h2" : "h3";

  useEffect(() => {
    let wanted = true;
    setView(null);
    spamView(target).then(
      (v) => wanted && setView(v),
      (e) => wanted && setError(asCommandError(e)),
    );
    return () => {
      wanted = false;
    };
  }, [target]);

  const run = async (what: () => Promise<{ view: SpamPageView; sentences: string[] }>) => {
    setBusy(true);
    setError(null);
    try {
      const a = await what();
      setView(a.view);
      onDone(a.sentences.join(" "));
      return true;
    } catch (e) {
      setError(asCommandError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (!view) {
    return error ? <ErrorNote error={error} /> : <p className="loading">Reading the spam settings of {target}…</p>;
  }
  const f = filter.trim().toLowerCase();
  return (
    <div className="spam" id="spam-panel">
      <ErrorNote error={error} />
      <section aria-labelledby="spam-settings-title">
        <H id="spam-settings-title">Settings of {view.title}</H>
        <dl className="spam-lines">
          {view.lines.map((l) => (
            <div key={l.key}>
              <dt>{l.label}</dt>
              <dd>
                <strong>{l.value}</strong>
                <span className="explain">{l.explanation}</span>
              </dd>
            </div>
          ))}
        </dl>
        {view.settingsRefusal ? (
          <p className="refusal" id="spam-settings-refusal">
            {view.settingsRefusal}
          </p>
        ) : (
          <SettingsForm view={view} busy={busy} onSave={(level, handling, forwardTo) => run(() => spamSet(view.target, level, handling, forwardTo))} />
        )}
      </section>
      <section aria-labelledby="spam-lists-title">
        <H id="spam-lists-title">Safe and blocked senders</H>
        <div className="spam-add">
          <AddEntry side="safe" view={view} busy={busy} onAdd={(list, entry) => run(() => spamChangeList(view.target, list, [entry], []))} />
          <AddEntry side="block" view={view} busy={busy} onAdd={(list, entry) => run(() => spamChangeList(view.target, list, [entry], []))} />
        </div>
        <label className="search">
          <span className="sr-only">Search the lists</span>
          <input id="spam-search" type="search" placeholder="Search the lists" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <div className="spam-lists">
          {view.lists.map((l) => {
            const shown = l.entries.filter((e) => !f || e.entry.includes(f) || e.describe.toLowerCase().includes(f));
            return (
              <div key={l.list} className="spam-list" id={`spam-list-${l.list}`}>
                <h4>
                  {l.label[0].toUpperCase() + l.label.slice(1)} ({l.entries.length})
                </h4>
                <p className="explain">{l.explanation}</p>
                {shown.length === 0 ? (
                  <p className="empty">{l.entries.length ? "None matches the search." : "None."}</p>
                ) : (
                  <ul>
                    {shown.map((e) => (
                      <li key={e.entry} data-entry={e.entry}>
                        <span>
                          <code>{e.entry}</code> <span className="explain">{e.describe}</span>
                        </span>
                        <button
                          disabled={busy || !!l.refusal}
                          aria-label={`Remove ${e.entry} from the ${l.label}`}
                          title={l.refusal ?? undefined}
                          onClick={() => void run(() => spamChangeList(view.target, l.list, [], [e.entry]))}
                        >
                          Remove
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
                {l.refusal && <p className="refusal">{l.refusal}</p>}
              </div>
            );
          })}
        </div>
      </section>
      <Why target={view.target} headingLevel={headingLevel} />
      {view.ownerKind === "domain" && (
        <p>
          <button
            onClick={() =>
              exportSpam(view.target).then(
                (r) => r && onDone(`Exported ${r.rows} entries to ${r.path}.`),
                (e) => setError(asCommandError(e)),
              )
            }
          >
            Export every list of {view.target} and its mailboxes…
          </button>
        </p>
      )}
    </div>
  );
}

function SettingsForm({ view, busy, onSave }: { view: SpamPageView; busy: boolean; onSave: (level: string, handling: string | null, forwardTo: string | null) => Promise<boolean> }) {
  const [level, setLevel] = useState(view.filterLevel);
  const [handling, setHandling] = useState(view.handling ?? "");
  const [forwardTo, setForwardTo] = useState(view.forwardTo ?? "");
  const changed = level !== view.filterLevel || (view.handling !== null && handling !== view.handling) || (handling === "toAddress" && forwardTo !== (view.forwardTo ?? ""));
  return (
    <form
      className="spam-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave(level, view.handling === null ? null : handling, handling === "toAddress" ? forwardTo : null);
      }}
    >
      <fieldset>
        <legend>Spam filter</legend>
        {view.filterLevels.map((c) => (
          <label key={c.value} className="choice">
            <input type="radio" name="spam-level" value={c.value} checked={level === c.value} onChange={() => setLevel(c.value)} />
            <span>
              <strong>{c.label}</strong> <span className="explain">{c.explanation}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {view.handlings.length > 0 && (
        <label className="field">
          Where spam goes
          <select id="spam-handling" value={handling} onChange={(e) => setHandling(e.target.value)}>
            {view.handlings.map((h) => (
              <option key={h.value} value={h.value}>
                {h.label}
              </option>
            ))}
          </select>
          <span className="explain">{view.handlings.find((h) => h.value === handling)?.explanation}</span>
        </label>
      )}
      {handling === "toAddress" && (
        <label className="field">
          Forward spam to
          <input id="spam-forward-to" type="email" value={forwardTo} onChange={(e) => setForwardTo(e.target.value)} placeholder="someone@example.com" />
        </label>
      )}
      <button type="submit" className="primary" disabled={busy || !changed}>
        {changed ? "Save spam settings" : "Nothing to save yet"}
      </button>
    </form>
  );
}

/** One "add" form: the entry checked by the core as it is typed. */
function AddEntry({ side, view, busy, onAdd }: { side: "safe" | "block"; view: SpamPageView; busy: boolean; onAdd: (list: string, entry: string) => Promise<boolean> }) {
  const [text, setText] = useState("");
  const [check, setCheck] = useState<SpamEntryCheck | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    if (!text.trim()) {
      setCheck(null);
      setProblem(null);
      return;
    }
    const t = window.setTimeout(() => {
      spamCheckEntry(text, side).then(
        (c) => {
          if (!current) return;
          setCheck(c);
          setProblem(null);
        },
        (e) => {
          if (!current) return;
          setCheck(null);
          setProblem(asCommandError(e).message);
        },
      );
    }, 120);
    return () => {
      current = false;
      window.clearTimeout(t);
    };
  }, [text, side]);
  const list = view.lists.find((l) => l.list === (check?.list ?? (side === "safe" ? "safe" : "block")));
  const refusal = list?.refusal ?? null;
  const id = `spam-add-${side}`;
  const label = side === "safe" ? "Allow a sender (safe list)" : "Block a sender";
  return (
    <form
      className="spam-add-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (check) void onAdd(check.list, check.entry).then((ok) => ok && setText(""));
      }}
    >
      <label htmlFor={id}>{label}</label>
      <input id={id} value={text} onChange={(e) => setText(e.target.value)} placeholder="name@example.com, @example.com or 203.0.113.9" aria-describedby={`${id}-check`} />
      <p id={`${id}-check`} className={problem ? "field-error" : "explain"} aria-live="polite">
        {problem ?? (check ? `${check.describe}${check.note ? ` (${check.note})` : ""} — goes on the ${check.listLabel}.` : "")}
      </p>
      <button type="submit" disabled={busy || !check || !!refusal}>
        {check ? `Add to the ${check.listLabel}` : side === "safe" ? "Add to the safe senders" : "Add to the blocked senders"}
      </button>
      {refusal && (
        <p className="refusal" id={`${id}-refusal`}>
          {refusal}
        </p>
      )}
    </form>
  );
}

function Why({ target, headingLevel }: { target: string; headingLevel: 2 | 3 }) {
  const [sender, setSender] = useState("");
  const [verdict, setVerdict] = useState<SpamVerdictView | null>(null);
  const [error, setError] = useState<CommandError | null>(null);
  const [busy, setBusy] = useState(false);
  const H = headingLevel === 2 ? "h2" : "h3";
  return (
    <section aria-labelledby="spam-why-title">
      <H id="spam-why-title">Why did this land in spam?</H>
      <form
        className="spam-why"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          spamWhy(target, sender)
            .then(setVerdict, (err) => {
              setVerdict(null);
              setError(asCommandError(err));
            })
            .finally(() => setBusy(false));
        }}
      >
        <label htmlFor="spam-why-sender">The sender's address (or their server's IP address)</label>
        <input id="spam-why-sender" value={sender} onChange={(e) => setSender(e.target.value)} placeholder="orders@supplier.example" />
        <button type="submit" disabled={busy || !sender.trim()}>
          {busy ? "Looking…" : "Explain"}
        </button>
      </form>
      <ErrorNote error={error} />
      {verdict && (
        <div className={`verdict verdict-${verdict.result}`} id="spam-verdict" role="status">
          <p>
            <strong>{verdict.summary}</strong>
          </p>
          <p className="explain">Decided by {verdict.decidedBy}.</p>
          {verdict.spamGoes && <p>{verdict.spamGoes}</p>}
          {verdict.notes.map((n) => (
            <p key={n} className="explain">
              {n}
            </p>
          ))}
          {verdict.suggestions.length > 0 && (
            <ul>
              {verdict.suggestions.map((s) => (
                <li key={s}>{s}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

/** The *Spam protection* page of a domain. */
export function Spam({ domain, onDone }: { domain: string; onDone: (msg: string) => void }) {
  return (
    <div className="page">
      <h1>Spam protection</h1>
      <SpamPanel target={domain} onDone={onDone} />
    </div>
  );
}

/** A mailbox's spam protection, from its details: a button and the panel in a dialog. */
export function SpamButton({ address }: { address: string }) {
  const [open, setOpen] = useState(false);
  const [said, setSaid] = useState("");
  return (
    <section className="pane-spam" aria-label="Spam protection">
      <button id="pane-spam" onClick={() => setOpen(true)}>
        Spam protection…
      </button>
      {open && (
        <Dialog title={`Spam protection of ${address}`} wide onClose={() => { setOpen(false); setSaid(""); }} returnFocus={() => document.getElementById("pane-spam")}>
          <p className="spam-said" role="status">
            {said}
          </p>
          <SpamPanel target={address} onDone={setSaid} headingLevel={3} />
        </Dialog>
      )}
    </section>
  );
}
