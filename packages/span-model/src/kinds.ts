/** What a span means in the session model, decided by {@link classifySpan}. */
export type EventKind =
  | "session" // the session's root span
  | "marker" // session.start / session.update: metadata, not an event
  | "llm"
  | "tool"
  | "action"
  // An agent run (`invoke_agent`, `create_agent`, the Vercel AI SDK's `ai.generateText`): groups
  // its model and tool calls. Counted among the actions (the REST stats have no field of its own);
  // it never carries tokens or cost, so its calls are counted once.
  | "agent"
  | "error"
  | "other"; // any other span of the trace (kept for the waterfall, not counted)

/** How a session ended. */
export type EndState = "Success" | "Failure" | "Indeterminate";

/** Whether a kind counts among a session's actions (the stats' `actions`): actions and agent runs. */
export function countsAsAction(kind: EventKind): boolean {
  return kind === "action" || kind === "agent";
}
