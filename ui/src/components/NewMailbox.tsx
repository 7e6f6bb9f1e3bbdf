import { useEffect, useState } from "react";
import type { PasswordResult } from "../bindings";
import { checkNewAddress, checkPassword, checkSize, createExMailbox, createMailbox, passwordRule } from "../ipc";
import { useCoreAnswer, useCoreCheck } from "../logic/coreCheck";
import { nameProblem } from "../logic/validate";
import { Dialog, ErrorNote, PasswordOnce, useAction } from "./common";

export function NewMailboxDialog(props: { domain: string; service?: "rs" | "ex"; onClose: () => void; onCreated: (message: string) => void; onOpen: (name: string) => void }) {
  const { domain } = props;
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [size, setSize] = useState("");
  const [generate, setGenerate] = useState(true);
  const [password, setPassword] = useState("");
  const [touched, setTouched] = useState(false);
  const { busy, error, run } = useAction();
  const [created, setCreated] = useState<{ name: string; address: string; password: PasswordResult | null } | null>(null);

  const local = name.trim().toLowerCase();
  // Checked as the person types: the syntax at once, whether it is taken once they pause.
  const nameCheck = useCoreAnswer(() => (local && !nameProblem(name) ? checkNewAddress(domain, local) : null), [domain, local], 400);
  const nProblem = nameProblem(name) ?? nameCheck?.message ?? null;
  const showName = !!nProblem && (touched || !!nameCheck || local.length > 0);
  const sProblem = useCoreCheck(() => checkSize(size), [size]);
  const typed = useCoreCheck(() => checkPassword(password, name.trim().toLowerCase(), domain), [password, name, domain]);
  const pProblem = generate ? null : typed;
  const [rule, setRule] = useState("");
  useEffect(() => void passwordRule().then((r) => setRule(`Passwords need ${r}.`), () => setRule("")), []);
  const ok = !nProblem && !sProblem && !pProblem;

  const submit = async () => {
    setTouched(true);
    if (!ok) return;
    await run(async () => {
      const local = name.trim().toLowerCase();
      const sizeMb = size.trim() ? Number(size) : null;
      const pw = generate ? null : password;
      const result =
        props.service === "ex"
          ? await createExMailbox({ domain, name: local, displayName: displayName.trim() || local, sizeMb, password: pw })
          : await createMailbox({ domain, name: local, displayName: displayName.trim() || null, sizeMb, password: pw });
      setCreated({ name: local, address: `${local}@${domain}`, password: result });
      props.onCreated(`Created ${local}@${domain}.`);
    });
  };

  if (created) {
    return (
      <Dialog title={`Created ${created.address}`} onClose={() => props.onOpen(created.name)}>
        {created.password ? <PasswordOnce address={created.password.address} password={created.password.password} /> : <p>The mailbox is ready with the password you chose.</p>}
        <div className="actions">
          {/* Done opens the new mailbox: the next thing is usually to look at it or set it up. */}
          <button className="primary" onClick={() => props.onOpen(created.name)}>
            Done
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={`New ${props.service === "ex" ? "Exchange " : ""}mailbox in ${domain}`} onClose={props.onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label className="field">
          Address
          <span className="with-suffix">
            <input id="new-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" spellCheck={false} aria-invalid={showName} aria-describedby="new-name-rule" />
            <span>@{domain}</span>
          </span>
          <span id="new-name-rule" className={showName ? "problem" : "hint"} aria-live="polite">
            {showName ? nProblem : local && nameCheck === null && !nameProblem(name) ? `Checking whether ${local}@${domain} is free…` : "Letters, digits, dots, hyphens, underscores or apostrophes."}
          </span>
          {(nameCheck?.existing === "mailbox" || (error?.kind === "already-exists" && /mailbox/.test(error.message))) && (
            <button type="button" onClick={() => props.onOpen(local)}>
              Open {local}@{domain}
            </button>
          )}
        </label>
        <label className="field">
          Display name
          <input id="new-display-name" value={displayName} maxLength={128} onChange={(e) => setDisplayName(e.target.value)} />
        </label>
        <label className="field">
          Size in MB (empty: the domain's standard size)
          <input id="new-size" value={size} inputMode="numeric" onChange={(e) => setSize(e.target.value)} aria-invalid={!!sProblem} />
          {sProblem && <span className="problem">{sProblem}</span>}
        </label>
        <fieldset>
          <legend>Password</legend>
          <label className="check">
            <input type="radio" name="pw" checked={generate} onChange={() => setGenerate(true)} /> Generate a strong password (shown once)
          </label>
          <label className="check">
            <input type="radio" name="pw" checked={!generate} onChange={() => setGenerate(false)} /> Let me type one
          </label>
          {!generate && (
            <label className="field">
              Password
              <input id="new-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-invalid={!!(password && pProblem)} />
              <span className={password && pProblem ? "problem" : "hint"}>{password && pProblem ? pProblem : rule}</span>
            </label>
          )}
        </fieldset>
        <ErrorNote error={error} />
        <div className="actions">
          <button className="primary" type="submit" disabled={busy || (touched && !ok)}>
            {busy ? "Creating…" : `Create ${name.trim() ? `${name.trim().toLowerCase()}@${domain}` : "mailbox"}`}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
