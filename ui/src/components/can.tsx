import { createContext, useContext } from "react";

/** What the current role may do: action names from the core's allow-list. */
export const Allowed = createContext<Set<string> | null>(null);

/** `can("mailbox.delete")`; true until the status has arrived (the backend checks anyway). */
export function useCan(): (action: string) => boolean {
  const allowed = useContext(Allowed);
  return (action) => allowed === null || allowed.has(action);
}


/** Why a control is unavailable, as visible text beside it (not only a tooltip). */
export function Refusal({ id, allowed, reason }: { id: string; allowed: boolean; reason?: string }) {
  if (allowed) return null;
  return (
    <span className="refusal" id={id}>
      {reason ?? "Help desk cannot do this; a super admin can."}
    </span>
  );
}
