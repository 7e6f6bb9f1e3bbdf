import { describe, expect, it } from "vitest";
import { addressList, addressProblem, nameProblem } from "./validate";

describe("nameProblem", () => {
  it("accepts ordinary names", () => {
    for (const n of ["jane.doe", "o'brien", "team-2", "J_Smith"]) expect(nameProblem(n)).toBeNull();
  });
  it("explains each refusal", () => {
    expect(nameProblem("")).toMatch(/Enter/);
    expect(nameProblem("jane doe")).toMatch(/spaces/);
    expect(nameProblem("jane+x")).toMatch(/"\+" is not allowed/);
    expect(nameProblem("a..b")).toMatch(/two dots/);
    expect(nameProblem(".a")).toMatch(/start and end/);
    expect(nameProblem("x".repeat(65))).toMatch(/64/);
  });
});

describe("addresses", () => {
  it("splits lists typed any way", () =>
    expect(addressList("a@x.com, b@x.com;c@x.com\nd@x.com")).toEqual(["a@x.com", "b@x.com", "c@x.com", "d@x.com"]));
  it("checks each address", () => {
    expect(addressProblem("a@x.com")).toBeNull();
    expect(addressProblem("a@")).toMatch(/not an e-mail/);
    expect(addressProblem("a@x")).toMatch(/invalid domain/);
  });
});

import { accountProblem, cleanKey, secretKeyProblem, userKeyProblem } from "./validate";

describe("keys as typed or pasted", () => {
  it("removes spaces and line breaks from a paste", () => expect(cleanKey("  eGbq9/2hcZ\nsRlr1JV1Pi \n")).toBe("eGbq9/2hcZsRlr1JV1Pi"));
  it("accepts the documented shapes", () => {
    expect(userKeyProblem("eGbq9/2hcZsRlr1JV1Pi")).toBeNull();
    expect(secretKeyProblem("QHOvchm/40czXhJ1OxfxK7jDHr3t", "eGbq9/2hcZsRlr1JV1Pi")).toBeNull();
  });
  it("says what is wrong", () => {
    expect(userKeyProblem("")).toMatch(/Paste/);
    expect(userKeyProblem("abc:def1234")).toMatch(/colon/);
    expect(userKeyProblem("short")).toMatch(/cut off/);
    expect(secretKeyProblem("tooShort")).toMatch(/cut off/);
    expect(secretKeyProblem("eGbq9/2hcZsRlr1JV1Pi", "eGbq9/2hcZsRlr1JV1Pi")).toMatch(/user key again/);
    expect(secretKeyProblem("é".repeat(20))).toMatch(/letters, digits/);
  });
  it("checks the account number", () => {
    expect(accountProblem("123456")).toBeNull();
    expect(accountProblem("")).toMatch(/Enter/);
    expect(accountProblem("12a")).toMatch(/only digits/);
  });
});
