/** What a span means in the session model, decided by {@link classifySpan}. */
export type EventKind =
  | "session" // the session's root span
  | "marker" // session.start / session.update: metadata, not an event
  | "llm"
  | "tool"
  | "action"
  | "error"
  | "other"; // any other span of the trace (kept for the waterfall, not counted)

/** How a session ended. */
export type EndState = "Success" | "Failure" | "Indeterminate";
