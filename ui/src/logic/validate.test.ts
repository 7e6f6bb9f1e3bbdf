import { describe, expect, it } from "vitest";
import { addressList, addressProblem, nameProblem, passwordProblem, sizeProblem } from "./validate";

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

describe("passwordProblem (same rules as the core)", () => {
  it("accepts a good password", () => expect(passwordProblem("Blue-Harbor7", "jane", "example.com")).toBeNull());
  it.each([
    ["", /Enter/],
    ["Ab1!", /shorter than 8/],
    ["abcdefgh", /only 1 of the 4/],
    [" Abcdef1!", /space/],
    ["MyPassword1", /password/],
    ["Winter123x", /three digits/],
    ["Winter777x", /three digits/],
    ["Jane.Doe-42x", /mailbox name/],
    ["Example-42x", /domain name/],
  ])("refuses %j", (pw, why) => expect(passwordProblem(pw, "jane.doe", "example.com")).toMatch(why));
});

describe("sizeProblem", () => {
  it("allows empty (the domain's default) and whole MB up to 25 GB", () => {
    expect(sizeProblem("")).toBeNull();
    expect(sizeProblem("2048")).toBeNull();
    expect(sizeProblem("25600")).toBeNull();
  });
  it("refuses the rest", () => {
    expect(sizeProblem("25601")).toMatch(/25 GB/);
    expect(sizeProblem("1.5")).toMatch(/whole number/);
    expect(sizeProblem("-3")).toMatch(/whole number/);
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
