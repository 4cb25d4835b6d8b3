import { randomUUID } from "node:crypto";
import { logger, logOnce } from "./logger";
import { callServer } from "./server-api";

/** Longest score name, in characters (UTF-16 code units), once trimmed; the server's limit too. */
export const MAX_SCORE_NAME_LENGTH = 200;
/** Longest score comment, in characters (UTF-16 code units); the server's limit too. */
export const MAX_SCORE_COMMENT_LENGTH = 2000;
/** Tries per score: the first, and retries after a network error, a timeout, a 408, 429 or 5xx. */
export const SCORE_ATTEMPTS = 4;
/** Wait before the first retry; each next one waits twice as long (250, 500, 1000 ms). */
const FIRST_RETRY_MS = 250;
/** Bytes of an error answer kept for the log line. */
const MAX_ERROR_BODY = 4096;

/** A score's value: a finite number, or a boolean (sent as 1 or 0). */
export type ScoreValue = number | boolean;

/** Options of `session.score()`. */
export interface ScoreOptions {
  /** Why the score is what it is (at most 2,000 characters). */
  comment?: string;
}

/** What a score needs of its session. */
export interface ScoredSession {
  readonly id: string;
  readonly config: {
    readonly endpoint: string;
    readonly apiKey: string | undefined;
    readonly exporter: unknown;
    /** Each attempt waits this long for an answer. */
    readonly maxWaitTime: number;
  };
}

/** The request body, as the server's `POST /v2/sessions/:id/scores` reads it. */
export interface ScoreBody {
  /** Chosen here, so that a retried request is stored once. */
  id: string;
  name: string;
  value: number;
  comment?: string;
  source: "sdk";
}

// C0 and C1 controls and DEL: the server refuses them in a name.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The body to send, or why the score is refused (the same rules as the server's). */
export function scoreBody(name: unknown, value: unknown, options: unknown): ScoreBody | string {
  if (typeof name !== "string" || name.trim() === "") return "the name must be a non-empty string";
  const trimmed = name.trim();
  if (trimmed.length > MAX_SCORE_NAME_LENGTH) return `the name must be at most ${MAX_SCORE_NAME_LENGTH} characters`;
  if (CONTROL.test(trimmed)) return "the name must not contain control characters";
  let number: number;
  if (typeof value === "boolean") number = value ? 1 : 0;
  else if (typeof value === "number" && Number.isFinite(value)) number = value;
  else return `the value must be a finite number or a boolean, not ${typeof value === "number" ? String(value) : typeof value}`;
  if (options !== undefined && (options === null || typeof options !== "object")) return "the options must be an object { comment }";
  const comment = (options as ScoreOptions | undefined)?.comment;
  if (comment !== undefined && typeof comment !== "string") return "the comment must be a string";
  if (comment !== undefined && comment.length > MAX_SCORE_COMMENT_LENGTH) return `the comment must be at most ${MAX_SCORE_COMMENT_LENGTH} characters`;
  const body: ScoreBody = { id: randomUUID(), name: trimmed, value: number, source: "sdk" };
  if (comment) body.comment = comment;
  return body;
}

/** Scores being sent, with their session's id: `flush()` and `endSession()` wait for them. */
const pending = new Map<Promise<boolean>, string>();

/**
 * Records a score of `session` on the server: validated here, then sent in the background. The
 * promise resolves true once the server stored it, false when it was refused or could not be
 * sent; it never rejects, and nothing is thrown.
 */
export function recordScore(session: ScoredSession, name: unknown, value: unknown, options?: unknown): Promise<boolean> {
  try {
    const body = scoreBody(name, value, options);
    if (typeof body === "string") {
      logger.warn(`session.score(${JSON.stringify(String(name)).slice(0, 80)}): ${body}; the score is not recorded.`);
      return Promise.resolve(false);
    }
    const { apiKey, endpoint, exporter, maxWaitTime } = session.config;
    if (!apiKey || exporter !== undefined) {
      logOnce(
        "warn",
        "score-no-server",
        "session.score(): scores are sent to the agentops server, which needs an API key (and no custom exporter); scores are not recorded.",
      );
      return Promise.resolve(false);
    }
    const sent = sendScore({ endpoint, apiKey, sessionId: session.id }, body, Math.max(1, maxWaitTime));
    pending.set(sent, session.id);
    void sent.then(() => pending.delete(sent));
    return sent;
  } catch (error) {
    logOnce("error", "score-failed", "agentops could not record a score; it is skipped.", error);
    return Promise.resolve(false);
  }
}

/**
 * Waits until the scores being sent (of one session, or all) have settled, at most `timeoutMs`;
 * resolves true when they all did in time. Never rejects.
 */
export async function scoresSettled(timeoutMs: number, sessionId?: string): Promise<boolean> {
  const waiting = [...pending].filter(([, id]) => sessionId === undefined || id === sessionId).map(([sent]) => sent);
  if (waiting.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    timer.unref();
  });
  try {
    return await Promise.race([Promise.all(waiting).then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where to send. */
interface ScoreTarget {
  endpoint: string;
  apiKey: string;
  sessionId: string;
}

type Attempt = { kind: "stored" } | { kind: "refused"; status: number; message: string } | { kind: "retry"; reason: string };

async function sendScore(target: ScoreTarget, body: ScoreBody, attemptTimeoutMs: number): Promise<boolean> {
  const payload = JSON.stringify(body);
  for (let attempt = 1; ; attempt++) {
    const outcome = await postOnce(target, payload, attemptTimeoutMs);
    if (outcome.kind === "stored") return true;
    if (outcome.kind === "refused") {
      logger.warn(`The server refused the score "${body.name}" of session ${target.sessionId} (${outcome.status}): ${outcome.message}`);
      return false;
    }
    if (attempt >= SCORE_ATTEMPTS) {
      logger.warn(`The score "${body.name}" of session ${target.sessionId} could not be sent after ${attempt} attempts (${outcome.reason}).`);
      return false;
    }
    // A ref'd timer: a score still being retried keeps the process alive, as its request would.
    await new Promise((resolve) => setTimeout(resolve, FIRST_RETRY_MS * 2 ** (attempt - 1)));
  }
}

/** One POST; never rejects. */
async function postOnce(target: ScoreTarget, payload: string, timeoutMs: number): Promise<Attempt> {
  const answer = await callServer({
    endpoint: target.endpoint,
    apiKey: target.apiKey,
    method: "POST",
    path: `/v2/sessions/${target.sessionId}/scores`,
    payload,
    timeoutMs,
    maxBody: MAX_ERROR_BODY,
  });
  if ("error" in answer) return { kind: "retry", reason: answer.error };
  const { status, body } = answer;
  if (status === 200 || status === 201) return { kind: "stored" };
  if (status === 408 || status === 429 || status >= 500) return { kind: "retry", reason: `HTTP ${status}` };
  return { kind: "refused", status, message: errorMessage(body) };
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === "string") return body.message;
  } catch {
    // Not the server's JSON error: the text itself.
  }
  return text.slice(0, 200) || "no message";
}
