import { createContext, useContext } from "react";

/** What the current role may do: action names from the core's allow-list. */
export const Allowed = createContext<Set<string> | null>(null);

/** `can("mailbox.delete")`; true until the status has arrived (the backend checks anyway). */
export function useCan(): (action: string) => boolean {
  const allowed = useContext(Allowed);
  return (action) => allowed === null || allowed.has(action);
}

/** The tooltip of a control the role may not use. */
export function notAllowedTitle(can: boolean): string | undefined {
  return can ? undefined : "Not available in help-desk mode. A super admin can do this.";
}
