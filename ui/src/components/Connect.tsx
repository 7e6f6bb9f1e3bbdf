import { useState } from "react";
import type { AppStatus, KeysInput, VerifyReport } from "../bindings";
import { connectAccount, verifyKeys } from "../ipc";
import { accountProblem, cleanKey, secretKeyProblem, userKeyProblem } from "../logic/validate";
import { Dialog, ErrorNote, useAction } from "./common";

/** A key field: masked, paste-friendly (spaces and line breaks dropped), checked as you type. */
function KeyField(props: { id: string; label: string; value: string; onChange: (v: string) => void; problem: string | null; show: boolean }) {
  return (
    <label className="field">
      {props.label}
      <input
        id={props.id}
        type="password"
        value={props.value}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => props.onChange(cleanKey(e.target.value))}
        aria-invalid={props.show && !!props.problem}
      />
      {props.show && props.problem && <span className="problem">{props.problem}</span>}
    </label>
  );
}

export function ConnectWizard(props: { vaultName: string; onClose: () => void; onConnected: (s: AppStatus) => void }) {
  const [step, setStep] = useState(1);
  const [label, setLabel] = useState("My company");
  const [account, setAccount] = useState("");
  const [apiAdmin, setApiAdmin] = useState("api-rackdesk");
  const [userKey, setUserKey] = useState("");
  const [secretKey, setSecretKey] = useState("");
  const [apiUrl, setApiUrl] = useState("");
  const [testServer, setTestServer] = useState(false);
  const [touched, setTouched] = useState(false);
  const { busy, error, run: act } = useAction();
  const [report, setReport] = useState<VerifyReport | null>(null);

  const problems = {
    account: accountProblem(account),
    userKey: userKeyProblem(userKey),
    secretKey: secretKeyProblem(secretKey, userKey),
    label: label.trim() ? null : "Give this connection a name.",
  };
  const ready = Object.values(problems).every((p) => !p);
  const input = (): KeysInput => ({
    label: label.trim(),
    account: account.trim(),
    apiUrl: apiUrl.trim() || null,
    testServer,
    apiAdmin: apiAdmin.trim() || null,
    userKey,
    secretKey,
  });
  return (
    <Dialog title="Connect your Rackspace account" onClose={props.onClose} wide>
      <ol className="steps" aria-label="Steps">
        {["A login for Rackdesk", "Its API keys", "Give them to Rackdesk"].map((s, i) => (
          <li key={s} aria-current={step === i + 1 ? "step" : undefined}>
            {s}
          </li>
        ))}
      </ol>
      {step === 1 && (
        <section>
          <h3>Step 1: a separate admin login, only for Rackdesk</h3>
          <p>
            Rackspace records changes under the login whose keys made them. With a login used only by Rackdesk, the control
            panel shows which changes came from Rackdesk and which from people; Rackdesk itself records which of your staff
            asked for each one.
          </p>
          <p>In the Cloud Office Control Panel, signed in as a super admin:</p>
          <ol>
            <li>
              Open <strong>Admins &amp; Contacts</strong> and add an administrator, for example <strong>api-rackdesk</strong>.
            </li>
            <li>
              Make it a <strong>super admin</strong>: only super admins can use the API.
            </li>
            <li>Give it a strong password and keep that password yourself. Rackdesk never asks for it.</li>
          </ol>
          <div className="actions">
            <button className="primary" onClick={() => setStep(2)}>
              I have the login — next
            </button>
            <button onClick={props.onClose}>Cancel</button>
          </div>
        </section>
      )}
      {step === 2 && (
        <section>
          <h3>Step 2: generate that login's API keys</h3>
          <ol>
            <li>Sign out, and sign in to the control panel as the new login.</li>
            <li>
              Click the account name at the top, then <strong>My Profile</strong> → <strong>Generate API Keys</strong>.
            </li>
            <li>Keep the page open: you will copy the user key and the secret key from it.</li>
          </ol>
          <p className="warning" role="note">
            Generating new keys stops the login's old keys at once: anything still using them stops working. That is why the
            keys should belong to a login used by Rackdesk alone.
          </p>
          <p>
            The keys open the whole account, like a master password. Rackdesk keeps them only in {props.vaultName} on this
            computer — never in a file — and never shows the secret key again.
          </p>
          <div className="actions">
            <button className="primary" onClick={() => setStep(3)}>
              I have the keys — next
            </button>
            <button onClick={() => setStep(1)}>Back</button>
          </div>
        </section>
      )}
      {step === 3 && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setTouched(true);
            if (!ready) return;
            void act(async () => setReport(await verifyKeys(input())));
          }}
        >
          <h3>Step 3: give the keys to Rackdesk</h3>
          <label className="field">
            Name for this connection
            <input id="connect-label" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={64} />
            {touched && problems.label && <span className="problem">{problems.label}</span>}
          </label>
          <label className="field">
            Account number
            <input id="connect-account" value={account} inputMode="numeric" onChange={(e) => { setAccount(e.target.value); setReport(null); }} aria-invalid={touched && !!problems.account} />
            {touched && problems.account && <span className="problem">{problems.account}</span>}
          </label>
          <label className="field">
            The login the keys belong to
            <input id="connect-admin" value={apiAdmin} onChange={(e) => setApiAdmin(e.target.value)} spellCheck={false} />
          </label>
          <KeyField id="connect-user-key" label="User key" value={userKey} onChange={(v) => { setUserKey(v); setReport(null); }} problem={problems.userKey} show={touched || userKey !== ""} />
          <KeyField id="connect-secret-key" label="Secret key" value={secretKey} onChange={(v) => { setSecretKey(v); setReport(null); }} problem={problems.secretKey} show={touched || secretKey !== ""} />
          <details>
            <summary>Advanced</summary>
            <label className="field">
              API address (leave empty for Rackspace; for a test server only)
              <input id="connect-api-url" value={apiUrl} onChange={(e) => setApiUrl(e.target.value)} placeholder="https://api.emailsrvr.com/v1" spellCheck={false} />
            </label>
            <label className="check">
              <input id="connect-test-server" type="checkbox" checked={testServer} onChange={(e) => setTestServer(e.target.checked)} /> This is a test server, not
              Rackspace (the keys are then used only with this address, and the connection is marked “test server” everywhere)
            </label>
          </details>
          <ErrorNote error={error} />
          {report && (
            <div className="verified" role="status" id="connect-report">
              <p>
                <strong>The keys work.</strong> Account {report.accountNumber} ({report.accountName}), {report.domains.length}{" "}
                {report.domains.length === 1 ? "domain" : "domains"}
                {report.domains.length ? `: ${report.domains.join(", ")}` : ""}.
              </p>
              {report.warnings.map((w) => (
                <p key={w} className="warning">
                  {w}
                </p>
              ))}
            </div>
          )}
          <div className="actions">
            {!report ? (
              <button className="primary" type="submit" disabled={busy}>
                {busy ? "Checking with Rackspace…" : "Check the keys"}
              </button>
            ) : (
              <button
                className="primary"
                type="button"
                disabled={busy}
                onClick={() => void act(async () => props.onConnected(await connectAccount(input())))}
              >
                {busy ? "Storing…" : `Store the keys in ${props.vaultName} and connect`}
              </button>
            )}
            <button type="button" onClick={() => setStep(2)}>
              Back
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
