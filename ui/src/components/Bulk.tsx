import { useEffect, useRef, useState } from "react";
import type { BulkFinishedView, ChosenFile, BulkJobView, BulkKindInfo, BulkPlanView, BulkProgressView } from "../bindings";
import {
  bulkApply,
  bulkCancel,
  bulkControl,
  bulkJobs,
  bulkKinds,
  bulkPasswordsSeen,
  bulkResume,
  bulkChooseFile,
  bulkPlanFile,
  bulkSavePasswords,
  bulkSaveResults,
  bulkSaveTemplate,
  asCommandError,
  copySecret,
  onBulkFinished,
  onBulkProgress,
} from "../ipc";
import { countLabel, when } from "../logic/format";
import { Refusal, useCan } from "./can";
import { Dialog, ErrorNote, useAction, useFocusNext } from "./common";

/** Bulk changes from a CSV file: choose, check the plan, apply with progress, keep the results. */
export function Bulk({ onDone, onResultsWaiting }: { onDone: (m: string) => void; onResultsWaiting?: (waiting: boolean) => void }) {
  const [kinds, setKinds] = useState<BulkKindInfo[]>([]);
  const [kind, setKind] = useState("create");
  const [plan, setPlan] = useState<BulkPlanView | null>(null);
  const [fileName, setFileName] = useState("");
  /** Where the chosen file is: it is read from there again by "Check again". */
  const [filePath, setFilePath] = useState<string | null>(null);
  /** Passwords the person copied one by one (saving them all also counts). */
  const [copied, setCopied] = useState<Set<string>>(new Set());
  const [confirmDismiss, setConfirmDismiss] = useState(false);
  const [cancelling, setCancelling] = useState<BulkJobView | null>(null);
  const focusNext = useFocusNext();
  /** The person's answers for columns Rackdesk did not know: ours, or "-" to leave it out. */
  const [maps, setMaps] = useState<Record<string, string>>({});
  const [jobId, setJobId] = useState<string | null>(null);
  const [progress, setProgress] = useState<BulkProgressView | null>(null);
  const [finished, setFinished] = useState<BulkFinishedView | null>(null);
  /** Jobs recorded on this computer: unfinished ones can be resumed or cancelled. */
  const [jobs, setJobs] = useState<BulkJobView[]>([]);
  const refreshJobs = () => void bulkJobs().then(setJobs, () => setJobs([]));
  const { busy, error, setError, run } = useAction();
  const can = useCan();
  const allowed = can("bulk.change");

  useEffect(() => {
    void bulkKinds().then(setKinds);
    refreshJobs();
    const a = onBulkProgress(setProgress);
    const b = onBulkFinished((f) => {
      setFinished(f);
      refreshJobs();
      onDone(`Bulk job ${f.jobId}: ${f.done} done, ${f.failed} failed.`);
    });
    return () => {
      void a.then((f) => f());
      void b.then((f) => f());
    };
  }, [onDone]);

  useEffect(() => onResultsWaiting?.(!!finished), [finished, onResultsWaiting]);

  /** Reads the file as it is on disk now, and plans it. */
  const check = (path: string, answers: Record<string, string> = maps) =>
    run(async () => {
      setPlan(null);
      setPlan(await bulkPlanFile(kind, path, mapList(answers)));
    });

  /** The system's file dialog, then the plan (the page is not "checking" while the dialog is open). */
  const choose = async () => {
    let f: ChosenFile | null;
    setError(null);
    try {
      f = await bulkChooseFile();
    } catch (e) {
      setError(asCommandError(e));
      return;
    }
    // A job started (resumed) while the dialog was open keeps the page.
    if (!f || jobRunning.current) return;
    // The same file again (after fixing it): the answers about its columns still hold.
    const same = f.path === filePath;
    if (!same) setMaps({});
    setFilePath(f.path);
    setFileName(f.name);
    setJobId(null);
    setProgress(null);
    await check(f.path, same ? maps : {});
  };

  const dismiss = () => {
    setConfirmDismiss(false);
    setFinished(null);
    setJobId(null);
    setProgress(null);
    setPlan(null);
    setCopied(new Set());
    focusNext(() => document.getElementById("bulk-choose"));
  };
  const unsavedPasswords = finished ? finished.passwords.filter((p) => !copied.has(p.address)) : [];

  const current = kinds.find((k) => k.name === kind);
  const running = jobId !== null && !finished;
  const jobRunning = useRef(false);
  jobRunning.current = running;
  const pct = progress && progress.total > 0 ? Math.round(((progress.done + progress.failed + progress.skipped) / progress.total) * 100) : 0;

  return (
    <section aria-labelledby="bulk-title">
      <div className="toolbar">
        <h1 id="bulk-title">Bulk changes</h1>
      </div>
      <p className="hint">
        Many mailboxes at once from a CSV file (UTF-8; commas or semicolons). Rackdesk checks every row and shows exactly what will
        change before anything is sent, keeps to Rackspace's rate limits, and can resume after an interruption without doing any row
        twice.
      </p>
      {!allowed && <p className="warning">Bulk changes are for super admins; in help-desk mode you can look but not apply.</p>}
      <div className="filters">
        <label className="field">
          Kind of job
          <select id="bulk-kind" value={kind} disabled={running} onChange={(e) => { setKind(e.target.value); setPlan(null); setFilePath(null); setFileName(""); }}>
            {kinds.map((k) => (
              <option key={k.name} value={k.name}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => void run(async () => { const r = await bulkSaveTemplate(kind); if (r) onDone(`Saved the template to ${r.path}.`); })}>Save template…</button>
      </div>
      {current && <p className="muted">Columns: {current.columns.join(", ")}</p>}
      {jobs.some((j) => j.resumable) && !running && (
        <div className="unfinished" id="bulk-unfinished" role="region" aria-labelledby="bulk-unfinished-title">
          <h2 id="bulk-unfinished-title">Unfinished jobs</h2>
          <p className="hint">These jobs stopped before their end (the app was closed, or they were paused). Resuming first checks on the server any row that may have been sent, so no row is applied twice.</p>
          <ul>
            {jobs.filter((j) => j.resumable).map((j) => (
              <li key={j.jobId} className="unfinished-job">
                <span>
                  <strong>{j.kind}</strong> from <span title={j.file}>{baseName(j.file)}</span> — {j.state}: {j.done + j.failed + j.skipped} of {j.total} rows finished, {countLabel(j.open, "row", "rows")} to do.
                  {j.undelivered.length > 0 && ` New passwords never shown for: ${j.undelivered.join(", ")} (reset them).`}
                </span>{" "}
                <button
                  className="primary"
                  disabled={!allowed || busy}
                  onClick={() => void run(async () => { setFinished(null); setProgress(null); setPlan(null); setJobId(await bulkResume(j.jobId)); })}
                >
                  Resume job {j.jobId}
                </button>{" "}
                <button
                  className="danger"
                  disabled={!allowed || busy}
                  onClick={() => setCancelling(j)}
                >
                  Cancel job {j.jobId}
                </button>
              </li>
            ))}
          </ul>
          <Refusal id="bulk-resume-refusal" allowed={allowed} reason="Help desk cannot resume or cancel bulk jobs; a super admin can." />
        </div>
      )}
      {cancelling && (
        <Dialog title={`Cancel job ${cancelling.jobId}?`} onClose={() => setCancelling(null)}>
          <p>
            The {countLabel(cancelling.open, "row", "rows")} of {baseName(cancelling.file)} not done yet will stay undone. The rows already done stay
            done.
          </p>
          <ErrorNote error={error} />
          <div className="actions">
            <button
              className="danger"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  onDone(await bulkCancel(cancelling.jobId));
                  setCancelling(null);
                  refreshJobs();
                })
              }
            >
              Cancel job {cancelling.jobId}
            </button>
            <button onClick={() => setCancelling(null)}>Keep it</button>
          </div>
        </Dialog>
      )}
      <div className="actions file-choice">
        <button id="bulk-choose" className={plan ? "" : "primary"} disabled={running || !!finished || busy} aria-describedby="bulk-file-refusal" onClick={() => void choose()}>
          {fileName ? "Choose another CSV file…" : "Choose a CSV file…"}
        </button>
        {plan && !jobId && filePath && (
          <button id="bulk-check-again" disabled={busy} onClick={() => void check(filePath)}>
            Check {fileName} again
          </button>
        )}
      </div>
      {finished && (
        <p className="refusal" id="bulk-file-refusal">
          The results of job {finished.jobId} are below. Dismiss them to start another job.
        </p>
      )}
      {busy && !plan && <p className="loading">Checking the file with Rackspace…</p>}
      {!(plan && !jobId) && <ErrorNote error={error} />}
      {plan && !jobId && (
        <div className="plan" id="bulk-plan">
          <h2>Plan for {fileName}</h2>
          <p id="bulk-summary">
            {countLabel(plan.rows.length, "row", "rows")}: {plan.creates} to create, {plan.changes} to change, {plan.deletes} to delete,{" "}
            {plan.noChange} without changes. {plan.errors > 0 ? `${countLabel(plan.errors, "problem", "problems")} to fix first.` : ""}
            {plan.eta && ` Time needed at Rackspace's rate limits: ${plan.eta}.`}
          </p>
          {(plan.unknownColumns.length > 0 || Object.keys(maps).length > 0) && (
            <fieldset className="column-maps">
              <legend>Columns in the file</legend>
              <p className="hint">Rackdesk does not know these columns. Say what each one is, or leave it out.</p>
              {[...new Set([...Object.keys(maps), ...plan.unknownColumns])].map((col) => (
                <label key={col} className="field">
                  “{col}” is
                  <select
                    value={maps[col] ?? ""}
                    onChange={(e) => {
                      const next = { ...maps, [col]: e.target.value };
                      setMaps(next);
                      if (filePath) void check(filePath, next);
                    }}
                  >
                    <option value="">— choose —</option>
                    {(current?.columns ?? []).map((c) => (
                      <option key={c} value={c}>
                        {c}
                      </option>
                    ))}
                    <option value="-">leave it out</option>
                  </select>
                </label>
              ))}
            </fieldset>
          )}
          {plan.problems.length > 0 && (
            <ul className="problems">
              {plan.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
          <table className="journal plan-rows">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Address</th>
                <th scope="col">What will happen</th>
              </tr>
            </thead>
            <tbody>
              {plan.rows.map((r) => (
                <tr key={r.row} className={r.ok ? "" : "result-failed"}>
                  <td>{r.row}</td>
                  <td>{r.target}</td>
                  <td>{r.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {/* Beside the button, so a refusal after "Apply" is seen where the person clicked. */}
          <ErrorNote error={error} />
          <div className="actions">
            <button
              id="bulk-apply"
              className="primary"
              disabled={!plan.canStart || !allowed || busy}
              aria-describedby="bulk-apply-refusal"
              onClick={() => void run(async () => setJobId(await bulkApply()))}
            >
              {applyLabel(plan)}
            </button>
            <Refusal id="bulk-apply-refusal" allowed={allowed} reason="Help desk cannot apply bulk changes; a super admin can." />
          </div>
        </div>
      )}
      {jobId && (
        <div className="job" id="bulk-job">
          <h2>Job {jobId}</h2>
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={finished ? 100 : pct}>
            <div className="fill" style={{ width: `${finished ? 100 : pct}%` }} />
            <span id="bulk-progress-text">
              {finished
                ? `Finished: ${finished.done} done, ${finished.failed} failed, ${finished.skipped} without changes.`
                : progress
                  ? `${progress.done + progress.failed + progress.skipped} of ${progress.total} rows${progress.paused ? " (paused)" : ""} — ${progress.eta} left`
                  : "Starting…"}
            </span>
          </div>
          {progress?.message && !finished && <p className="muted">{progress.message}</p>}
          {running && (
            <div className="actions">
              {progress?.paused ? <button onClick={() => void bulkControl("resume")}>Resume</button> : <button onClick={() => void bulkControl("pause")}>Pause</button>}
              <button className="danger" onClick={() => void bulkControl("cancel")}>Cancel the remaining rows</button>
            </div>
          )}
          {finished && (
            <>
              {finished.stopped && <p className="warning">{finished.stopped}</p>}
              {finished.passwords.length > 0 && (
                <div className="password-once">
                  <h3>New passwords — shown only this once</h3>
                  <table className="journal" id="bulk-passwords">
                    <tbody>
                      {finished.passwords.map((p) => (
                        <tr key={p.address}>
                          <td>{p.address}</td>
                          <td>
                            <code className="password">{p.password}</code>
                          </td>
                          <td>
                            <button
                              aria-label={`Copy the password of ${p.address}`}
                              onClick={() =>
                                void run(async () => {
                                  const secs = await copySecret(p.password);
                                  setCopied((c) => new Set(c).add(p.address));
                                  onDone(`Copied the password of ${p.address}. Rackdesk clears the clipboard in ${secs} seconds.`);
                                })
                              }
                            >
                              {copied.has(p.address) ? "Copied" : "Copy"}
                            </button>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <p className="warning">
                    Rackdesk does not keep these. Give each to its person by a safe route. A file with them holds passwords: keep it safe and delete it after use.
                  </p>
                  <div className="actions">
                    <button onClick={() => void run(async () => { const r = await bulkSavePasswords(finished.jobId); if (r) { onDone(`Saved ${r.rows} passwords to ${r.path}.`); setFinished({ ...finished, passwords: [] }); } })}>Save the passwords to a file…</button>
                    <button onClick={() => void run(async () => { await bulkPasswordsSeen(finished.jobId); setFinished({ ...finished, passwords: [] }); })}>I have them — forget them</button>
                  </div>
                </div>
              )}
              {finished.lostPasswords.length > 0 && <p className="warning">Reset the passwords of: {finished.lostPasswords.join(", ")}.</p>}
              <div className="actions">
                <button id="bulk-save-results" onClick={() => void run(async () => { const r = await bulkSaveResults(finished.jobId); if (r) onDone(`Saved the results of ${r.rows} rows to ${r.path}.`); })}>
                  Save the results…
                </button>
                <button id="bulk-dismiss" onClick={() => (unsavedPasswords.length ? setConfirmDismiss(true) : dismiss())}>
                  Dismiss the results
                </button>
              </div>
              {confirmDismiss && (
                <Dialog title="Forget the new passwords?" onClose={() => setConfirmDismiss(false)}>
                  <p>
                    The new passwords of {countLabel(unsavedPasswords.length, "mailbox", "mailboxes")} were neither saved nor copied:{" "}
                    {unsavedPasswords.map((p) => p.address).join(", ")}. Once dismissed, nobody can see them again; you would have to reset
                    those passwords.
                  </p>
                  <div className="actions">
                    <button className="primary" data-autofocus onClick={() => setConfirmDismiss(false)}>
                      Keep the results
                    </button>
                    <button
                      className="danger"
                      onClick={() =>
                        void run(async () => {
                          await bulkPasswordsSeen(finished.jobId);
                          dismiss();
                        })
                      }
                    >
                      Dismiss and forget {countLabel(unsavedPasswords.length, "password", "passwords")}
                    </button>
                  </div>
                </Dialog>
              )}
            </>
          )}
        </div>
      )}
      <PastJobs
        jobs={jobs.filter((j) => !j.resumable && !j.running && j.jobId !== jobId)}
        onSave={(id) => void run(async () => { const r = await bulkSaveResults(id); if (r) onDone(`Saved the results of ${r.rows} rows to ${r.path}.`); })}
      />
    </section>
  );
}

/** A file's name without its folder (jobs record the full path). */
function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** The person's answers about columns, as the core takes them. */
function mapList(answers: Record<string, string>) {
  return Object.entries(answers)
    .filter(([, v]) => v !== "")
    .map(([theirs, v]) => ({ theirs, ours: v === "-" ? null : v }));
}

/** Past jobs on this computer, newest first, each with its results file. */
function PastJobs({ jobs, onSave }: { jobs: BulkJobView[]; onSave: (jobId: string) => void }) {
  if (jobs.length === 0) return null;
  return (
    <section className="past-jobs" aria-labelledby="past-jobs-title">
      <h2 id="past-jobs-title">Past jobs on this computer</h2>
      <table className="journal" id="bulk-past-jobs">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Job</th>
            <th scope="col">Outcome</th>
            <th scope="col">Results</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((j) => (
            <tr key={j.jobId} data-job={j.jobId}>
              <td data-label="When">
                {when(j.created)}
                {j.finished && <div className="muted">finished {when(j.finished)}</div>}
              </td>
              <td data-label="Job">
                {j.kind} from <span title={j.file}>{baseName(j.file)}</span>
              </td>
              <td data-label="Outcome">
                {j.state}: {j.done} done, {j.failed} failed, {j.skipped} without changes{j.open ? `, ${j.open} not done` : ""}
              </td>
              <td data-label="Results">
                {j.resultsSaveable ? (
                  <button onClick={() => onSave(j.jobId)} aria-label={`Save the results of job ${j.jobId}`}>
                    Save the results…
                  </button>
                ) : (
                  "No rows to report"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The apply button says what it will do now, or what stands in the way. */
function applyLabel(plan: BulkPlanView): string {
  if (plan.errors > 0) return `Fix ${countLabel(plan.errors, "problem", "problems")} to continue`;
  const total = plan.creates + plan.changes + plan.deletes;
  if (total === 0) return "Nothing to change";
  // Mailbox and contact jobs say what they create; other kinds count their changes.
  const noun: [string, string] | null = plan.kind === "contacts" ? ["contact", "contacts"] : plan.kind === "list-members" || plan.kind === "spam-list" ? null : ["mailbox", "mailboxes"];
  if (!noun) return `Make ${countLabel(total, "change", "changes")}`;
  const parts = [
    plan.creates && `create ${countLabel(plan.creates, noun[0], noun[1])}`,
    plan.changes && `change ${plan.changes}`,
    plan.deletes && `delete ${plan.deletes}`,
  ].filter(Boolean);
  const text = parts.join(", ");
  return text[0].toUpperCase() + text.slice(1);
}
