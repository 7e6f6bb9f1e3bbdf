// Reads the app's sandbox (the in-process simulator) over HTTP with signed requests, so the
// end-to-end tests can see each change in the simulator's state, not only on screen.
import { createHash } from "node:crypto";

export const SANDBOX = {
  listen: "127.0.0.1:18808",
  userKey: "E2eSandboxUserKey001",
  secretKey: "E2eSandboxSecret-not-real-0001",
};

function signature(userAgent) {
  const ts = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const hash = createHash("sha1").update(SANDBOX.userKey + userAgent + ts + SANDBOX.secretKey, "utf8").digest("base64");
  return `${SANDBOX.userKey}:${ts}:${hash}`;
}

/** GET a path below /v1/customers/me; answers {status, body}. */
export async function sandboxGet(path) {
  const ua = "rackdesk-e2e";
  const res = await fetch(`http://${SANDBOX.listen}/v1/customers/me/${path}`, {
    headers: { "User-Agent": ua, Accept: "application/json", "X-Api-Signature": signature(ua) },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
