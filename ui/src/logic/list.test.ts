import { describe, expect, it } from "vitest";
import type { MailboxRow } from "../bindings";
import { visibleRows, windowOf } from "./list";

const row = (name: string, display: string, enabled: boolean, used: number, last: string | null): MailboxRow => ({
  name,
  address: `${name}@x.example`,
  displayName: display,
  enabled,
  sizeMb: 1000,
  usedMb: used,
  lastLogin: last,
  created: null,
});

const rows = [
  row("carla.rossi", "Carla Rossi", true, 900, "2026-11-20T10:00:00Z"),
  row("ben.xu", "Ben Xu", false, 100, null),
  row("aisha.kim", "Aisha Kim", true, 500, "2026-10-01T10:00:00Z"),
];

describe("visibleRows", () => {
  it("searches name and display name, case-insensitively", () => {
    expect(visibleRows(rows, "ROSSI", "all", { key: "address", ascending: true }).map((r) => r.name)).toEqual(["carla.rossi"]);
    expect(visibleRows(rows, "kim", "all", { key: "address", ascending: true }).map((r) => r.name)).toEqual(["aisha.kim"]);
  });
  it("filters enabled and disabled", () => {
    expect(visibleRows(rows, "", "disabled", { key: "address", ascending: true }).map((r) => r.name)).toEqual(["ben.xu"]);
    expect(visibleRows(rows, "", "enabled", { key: "address", ascending: true })).toHaveLength(2);
  });
  it("sorts by usage and last login both ways", () => {
    expect(visibleRows(rows, "", "all", { key: "usage", ascending: false }).map((r) => r.name)).toEqual(["carla.rossi", "aisha.kim", "ben.xu"]);
    expect(visibleRows(rows, "", "all", { key: "lastLogin", ascending: true }).map((r) => r.name)).toEqual(["ben.xu", "aisha.kim", "carla.rossi"]);
  });
  it("does not change the input", () => {
    const copy = [...rows];
    visibleRows(rows, "", "all", { key: "usage", ascending: true });
    expect(rows).toEqual(copy);
  });
});

describe("windowOf", () => {
  it("renders only what is on screen plus overscan", () => {
    expect(windowOf(0, 400, 40, 10_000)).toEqual({ first: 0, last: 18 });
    expect(windowOf(40_000, 400, 40, 10_000)).toEqual({ first: 992, last: 1018 });
    expect(windowOf(399_600, 400, 40, 10_000)).toEqual({ first: 9982, last: 10_000 });
  });
});
