// Reads the app's sandbox (the in-process simulator) over HTTP with signed requests, so the
// end-to-end tests can see each change in the simulator's state, not only on screen.
import { createHash } from "node:crypto";

export const SANDBOX = {
  listen: "127.0.0.1:18808",
  userKey: "E2eSandboxUserKey001",
  secretKey: "E2eSandboxSecret-not-real-0001",
};

function signature(userKey, secretKey, userAgent) {
  const ts = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const hash = createHash("sha1").update(userKey + userAgent + ts + secretKey, "utf8").digest("base64");
  return `${userKey}:${ts}:${hash}`;
}

/** A signed GET of a path below `apiUrl`/customers/me on any simulator (e.g. an external
 * `rackdesk-sim`); answers {status, body}. */
export async function signedGet(apiUrl, userKey, secretKey, path) {
  const ua = "rackdesk-e2e";
  // The test's reads share the account's budget with the app's: when the simulator says the
  // limit is reached, wait and ask again, as a well-behaved client does.
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`${apiUrl.replace(/\/$/, "")}/customers/me/${path}`, {
      headers: { "User-Agent": ua, Accept: "application/json", "X-Api-Signature": signature(userKey, secretKey, ua) },
    });
    const text = await res.text();
    const throttled = res.status === 403 && /exceeded request limits/i.test(res.headers.get("x-error-message") ?? text);
    if (throttled && attempt < 20) {
      await new Promise((r) => setTimeout(r, 5000));
      continue;
    }
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
}

/** GET a path below /v1/customers/me of the app's sandbox; answers {status, body}. */
export async function sandboxGet(path) {
  return signedGet(`http://${SANDBOX.listen}/v1`, SANDBOX.userKey, SANDBOX.secretKey, path);
}
