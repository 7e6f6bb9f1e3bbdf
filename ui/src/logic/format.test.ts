import { describe, expect, it } from "vitest";
import { countLabel, storageLabel, when, ago } from "./format";

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

import { lastSeen, usagePercent } from "./format";

describe("usagePercent", () => {
  it("rounds and clamps", () => {
    expect(usagePercent(512, 1024)).toBe(50);
    expect(usagePercent(2000, 1024)).toBe(100);
    expect(usagePercent(5, 0)).toBe(0);
  });
});

describe("lastSeen", () => {
  const now = new Date("2026-11-26T12:00:00Z");
  it("says never for a mailbox never used", () => expect(lastSeen(null, now)).toBe("never"));
  it("speaks in days, months and years", () => {
    expect(lastSeen("2026-11-26T08:00:00Z", now)).toBe("today");
    expect(lastSeen("2026-11-25T08:00:00Z", now)).toBe("yesterday");
    expect(lastSeen("2026-11-16T08:00:00Z", now)).toBe("10 days ago");
    expect(lastSeen("2026-05-01T08:00:00Z", now)).toBe("6 months ago");
    expect(lastSeen("2023-01-01T08:00:00Z", now)).toBe("3 years ago");
  });
  it("says unknown for garbage", () => expect(lastSeen("soon", now)).toBe("unknown"));
});

describe("when", () => {
  it("writes a moment the system's way, in its time zone", () => {
    expect(when("2026-11-30T07:05:00Z", "de-DE", "Europe/Berlin")).toBe("30.11.2026, 08:05");
    expect(when("2026-11-30T07:05:00Z", "en-GB", "Europe/London")).toBe("30 Nov 2026, 07:05");
    expect(when("2026-11-30T07:05:00Z", "en-US", "America/New_York")).toMatch(/^Nov 30, 2026, 2:05\s?AM$/);
  });
  it("leaves text that is not a date as it is", () => {
    expect(when("not a date")).toBe("not a date");
  });
});

describe("ago", () => {
  const now = new Date("2026-11-30T12:00:00Z");
  it("says how long ago in plain words", () => {
    expect(ago("2026-11-30T11:59:40Z", now)).toBe("less than a minute ago");
    expect(ago("2026-11-30T11:56:00Z", now)).toBe("4 minutes ago");
    expect(ago("2026-11-30T11:59:00Z", now)).toBe("1 minute ago");
    expect(ago("2026-11-30T09:30:00Z", now)).toBe("2 hours ago");
    expect(ago("2026-11-29T10:00:00Z", now)).toBe("yesterday");
    expect(ago("2026-11-26T12:00:00Z", now)).toBe("4 days ago");
    expect(ago("not a date", now)).toBe("at an unknown time");
  });
});
