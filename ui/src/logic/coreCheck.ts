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

/**
 * The core's answer about the latest value, asked `delayMs` after the person stops typing
 * (for checks that read from Rackspace and so spend its read budget). `ask` returns `null`
 * when there is nothing to ask yet.
 */
export function useCoreAnswer<T>(ask: () => Promise<T> | null, deps: unknown[], delayMs = 0): T | null {
  const [answer, setAnswer] = useState<T | null>(null);
  useEffect(() => {
    let current = true;
    const t = window.setTimeout(() => {
      const p = ask();
      if (!p) return setAnswer(null);
      p.then(
        (a) => current && setAnswer(a),
        () => current && setAnswer(null),
      );
    }, delayMs);
    return () => {
      current = false;
      window.clearTimeout(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return answer;
}
