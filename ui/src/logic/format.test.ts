import { describe, expect, it } from "vitest";
import { countLabel, storageLabel } from "./format";

describe("countLabel", () => {
  it("uses the singular for one", () => expect(countLabel(1, "mailbox")).toBe("1 mailbox"));
  it("uses the plural and groups thousands", () =>
    expect(countLabel(12000, "mailbox")).toBe("12,000 mailboxes"));
  it("takes an explicit plural", () => expect(countLabel(3, "domain", "domains")).toBe("3 domains"));
  it("refuses a negative count", () => expect(() => countLabel(-1, "mailbox")).toThrow(RangeError));
});

describe("storageLabel", () => {
  it("keeps small sizes in MB", () => expect(storageLabel(512)).toBe("512 MB"));
  it("shows GB with one decimal", () => expect(storageLabel(3277)).toBe("3.2 GB"));
  it("drops decimals for large sizes", () => expect(storageLabel(25600 * 4)).toBe("100 GB"));
  it("refuses garbage", () => expect(() => storageLabel(Number.NaN)).toThrow(RangeError));
});
