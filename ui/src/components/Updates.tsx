import { useEffect, useState } from "react";
import type { CommandError, UpdateCheck } from "../bindings";
import { asCommandError, checkForUpdate, installUpdate, onUpdateProgress, restartApp } from "../ipc";
import { Dialog, ErrorNote } from "./common";

type Step =
  | { at: "checking" }
  | { at: "found"; check: UpdateCheck }
  | { at: "installing"; check: UpdateCheck; received: number; total: number | null }
  | { at: "installed"; version: string }
  | { at: "failed"; check: UpdateCheck | null; error: CommandError };

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);

/**
 * Looks for a newer Rackdesk once at start, quietly: only a found update shows (as a banner);
 * a failure there is left for *Help → Check for updates*, which says what happened.
 */
export function useUpdateAtStart(): [UpdateCheck | null, () => void] {
  const [found, setFound] = useState<UpdateCheck | null>(null);
  useEffect(() => {
    let live = true;
    checkForUpdate()
      .then((c) => live && c.status === "available" && setFound(c))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return [found, () => setFound(null)];
}

/** The banner for an update found at start. */
export function UpdateBanner({ check, onOpen, onDismiss }: { check: UpdateCheck; onOpen: () => void; onDismiss: () => void }) {
  return (
    <div className="banner update-banner" id="update-banner" role="status">
      Rackdesk {check.version} is available (you have {check.currentVersion}).{" "}
      <button onClick={onOpen}>What's new…</button> <button onClick={onDismiss}>Not now</button>
    </div>
  );
}

/**
 * Checks for an update (unless `initial` already holds what a check found), shows what is new,
 * and installs it only when the person says so. The download's signature is checked by the
 * Rust side; an update that fails the check is refused and named.
 */
export function UpdateDialog({ initial, onClose }: { initial: UpdateCheck | null; onClose: () => void }) {
  const [step, setStep] = useState<Step>(initial ? { at: "found", check: initial } : { at: "checking" });
  const check = async () => {
    setStep({ at: "checking" });
    try {
      setStep({ at: "found", check: await checkForUpdate() });
    } catch (e) {
      setStep({ at: "failed", check: null, error: asCommandError(e) });
    }
  };
  useEffect(() => {
    if (!initial) void check();
    // Only on opening.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    const off = onUpdateProgress((p) =>
      setStep((s) => (s.at === "installing" ? { ...s, received: Number(p.received), total: p.total == null ? null : Number(p.total) } : s)),
    );
    return () => void off.then((f) => f());
  }, []);
  const install = async (c: UpdateCheck) => {
    setStep({ at: "installing", check: c, received: 0, total: null });
    try {
      const done = await installUpdate(c.version ?? "");
      setStep({ at: "installed", version: done.version });
    } catch (e) {
      setStep({ at: "failed", check: c, error: asCommandError(e) });
    }
  };
  const busy = step.at === "checking" || step.at === "installing";
  return (
    <Dialog title="Updates" onClose={busy ? () => undefined : onClose}>
      <div id="update-dialog" aria-live="polite">
        {step.at === "checking" && <p className="progress-note">Looking for a newer version of Rackdesk…</p>}
        {step.at === "found" && step.check.status === "latest" && (
          <p id="update-latest">You have the latest version of Rackdesk, {step.check.currentVersion}.</p>
        )}
        {step.at === "found" && step.check.status === "off" && (
          <p id="update-off">
            You have Rackdesk {step.check.currentVersion}. {step.check.reason}
          </p>
        )}
        {step.at === "found" && step.check.status === "available" && (
          <>
            <p id="update-available">
              <strong>Rackdesk {step.check.version}</strong> is available. You have {step.check.currentVersion}.
              {step.check.published && <> Published {new Date(step.check.published).toLocaleDateString()}.</>}
            </p>
            <h3>What's new</h3>
            <pre className="update-notes" id="update-notes">{step.check.notes ?? "The publisher did not describe this version."}</pre>
            <p>
              Installing downloads the new version{step.check.source ? ` from ${step.check.source}` : ""}, checks that it is signed with
              Rackdesk's key, and replaces this version. Your accounts, settings and journal stay as they are. On Linux the system may ask
              for an administrator's password.
            </p>
          </>
        )}
        {step.at === "installing" && (
          <>
            <p className="progress-note">
              Downloading and checking Rackdesk {step.check.version}… Please keep Rackdesk open.
            </p>
            <div className="progress" role="progressbar" aria-label="Download" aria-valuemin={0} aria-valuemax={step.total ?? undefined} aria-valuenow={step.received}>
              <div className="fill" style={{ width: step.total ? `${Math.min(100, (100 * step.received) / step.total)}%` : "0%" }} />
              <span>{step.total ? `${mb(step.received)} of ${mb(step.total)} MB` : `${mb(step.received)} MB`}</span>
            </div>
          </>
        )}
        {step.at === "installed" && (
          <p id="update-installed">
            Rackdesk {step.version} is installed. Restart Rackdesk to use it; until then this window keeps working as before.
          </p>
        )}
        {step.at === "failed" && (
          <div id="update-failed">
            <ErrorNote error={step.error} />
            {step.check && <p>Nothing was changed: Rackdesk {step.check.currentVersion} is still installed and keeps working.</p>}
          </div>
        )}
      </div>
      <div className="actions">
        {step.at === "found" && step.check.status === "available" && (
          <button className="primary" onClick={() => void install(step.check)}>
            Install Rackdesk {step.check.version}
          </button>
        )}
        {step.at === "installed" && (
          <button className="primary" onClick={() => void restartApp()}>
            Restart now
          </button>
        )}
        {step.at === "failed" && <button onClick={() => void check()}>Check again</button>}
        <button disabled={busy} onClick={onClose}>
          {step.at === "found" && step.check.status === "available" ? "Not now" : step.at === "installed" ? "Later" : "Close"}
        </button>
      </div>
    </Dialog>
  );
}
