import type { EndState } from "../api/types";

/** The end state as a colored badge; a session without one is running. */
export function EndStateBadge({ state }: { state: EndState | null | undefined }) {
  const label = state ?? "Running";
  const tone = state ? state.toLowerCase() : "running";
  return (
    <span class={`badge ${tone}`} data-end-state={state ?? "running"}>
      {label}
    </span>
  );
}
