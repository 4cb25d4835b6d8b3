import type { SessionSpan } from "./types";

/** The page → the spans worker. */
export interface SpansWorkerRequest {
  url: string;
  headers: Record<string, string>;
}

/** The spans worker → the page. */
export type SpansWorkerReply =
  | { type: "spans"; spans: SessionSpan[] }
  | { type: "done" }
  | { type: "error"; status: number; message: string };
