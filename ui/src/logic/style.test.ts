import { describe, expect, it } from "vitest";

// A stray or missing brace makes the browser drop the rules after it without a word (the
// toolbar once lost its layout that way): every block the style sheet opens, it closes.
// The file is read from disk (Vitest hands CSS imports to tests empty).
const nodeFs = "node:fs";

describe("style.css", () => {
  it("closes every block it opens, in order", async () => {
    const fs = (await import(/* @vite-ignore */ nodeFs)) as { readFileSync: (u: URL, e: string) => string };
    const css = fs.readFileSync(new URL("../style.css", import.meta.url), "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
    expect(css.length).toBeGreaterThan(1000);
    let depth = 0;
    for (const [i, ch] of [...css].entries()) {
      if (ch === "{") depth++;
      if (ch === "}") depth--;
      expect(depth, `a "}" without its "{" near character ${i}`).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
  });
});
