/**
 * Live checks for forms, in the same words as the core. The core checks everything again
 * before anything is sent; these only spare the person a round trip.
 */

/** Why a mailbox or alias name is refused, or null. */
export function nameProblem(name: string): string | null {
  const v = name.trim().toLowerCase();
  if (v === "") return "Enter the part before the @.";
  if (/\s/.test(v)) return "A name may not contain spaces.";
  if (v.length > 64) return "A name may have at most 64 characters.";
  const bad = [...v].find((c) => !/[a-z0-9._'-]/.test(c));
  if (bad) return `"${bad}" is not allowed; use letters, digits, dots, hyphens, underscores or apostrophes.`;
  if (v.includes("..")) return "A name may not contain two dots in a row.";
  if (!/^[a-z0-9]/.test(v) || !/[a-z0-9]$/.test(v)) return "A name must start and end with a letter or digit.";
  return null;
}

/** Splits a list of addresses typed with commas, semicolons, spaces or new lines. */
export function addressList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Why an address is refused, or null. */
export function addressProblem(addr: string): string | null {
  const at = addr.lastIndexOf("@");
  if (at <= 0 || at === addr.length - 1) return `"${addr}" is not an e-mail address.`;
  const domain = addr.slice(at + 1);
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(domain)) return `"${addr}" has an invalid domain.`;
  return null;
}

/** Keys as pasted: surrounding spaces and line breaks from the control panel page removed. */
export function cleanKey(text: string): string {
  return text.replace(/\s+/g, "");
}

/** Why a user key cannot be right, or null. (Rackspace's are 20 characters.) */
export function userKeyProblem(key: string): string | null {
  if (key === "") return "Paste the user key.";
  if (key.includes(":")) return "A user key has no colon; check that only the user key was copied.";
  if (!/^[\x21-\x7e]+$/.test(key)) return "A user key has only letters, digits and symbols.";
  if (key.length < 8) return "This is too short for a user key; it was probably cut off.";
  if (key.length > 128) return "This is too long for a user key.";
  return null;
}

/** Why a secret key cannot be right, or null. (Rackspace's are about 28–40 characters.) */
export function secretKeyProblem(key: string, userKey?: string): string | null {
  if (key === "") return "Paste the secret key.";
  if (!/^[\x21-\x7e]+$/.test(key)) return "A secret key has only letters, digits and symbols.";
  if (key.length < 16) return "This is too short for a secret key; it was probably cut off.";
  if (key.length > 256) return "This is too long for a secret key.";
  if (userKey && key === userKey) return "This is the user key again; paste the secret key.";
  return null;
}

/** Why an account number cannot be right, or null. */
export function accountProblem(text: string): string | null {
  const v = text.trim();
  if (v === "") return "Enter the account number (shown at the top of the control panel).";
  if (!/^\d{1,20}$/.test(v)) return "An account number has only digits.";
  return null;
}
