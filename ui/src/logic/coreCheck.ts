/**
 * Live form checks asked of the core (the same rules and words the core applies before
 * sending), so the page never restates a rule. The answer for the latest value wins.
 */
import { useEffect, useState } from "react";

export function useCoreCheck(check: () => Promise<string | null>, deps: unknown[]): string | null {
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    check().then(
      (p) => current && setProblem(p),
      () => current && setProblem(null),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return problem;
}
