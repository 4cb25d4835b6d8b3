import { randomUUID } from "node:crypto";
import { traceIdToUuid, uuidToTraceId } from "@agentops/semconv";
import { HttpError } from "../http-error";
import { storableText } from "../storage/storable-text";
import type { NewScore, ScoreSource, SessionSort } from "../storage/types";

export const MAX_SCORE_NAME_LENGTH = 200;
export const MAX_SCORE_COMMENT_LENGTH = 2000;
/** A score body is a few hundred bytes; a 2,000-character comment escaped as `\uXXXX` pairs fits. */
export const SCORE_BODY_LIMIT_BYTES = 64 * 1024;

const SOURCES = new Set<ScoreSource>(["sdk", "api", "dashboard"]);
const SORTS = new Set<SessionSort>(["start_desc", "score_desc", "score_asc"]);
// C0 and C1 controls and DEL: a name is a label, a newline or NUL in it is a mistake.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

function badRequest(message: string): HttpError {
  return new HttpError(400, "bad_request", message);
}

/**
 * `POST /v2/sessions/:id/scores` body → the score to store: `name` trimmed (1..200 characters, no
 * control characters), `value` a finite number or a boolean (true → 1, false → 0), `comment` up to
 * 2,000 characters (empty → null), `source` `sdk` | `api` | `dashboard` (default `api`), `id` an
 * optional UUID. Other fields are ignored. Anything else is a 400 that says what is wrong.
 */
export function parseScoreBody(body: unknown, nowMs: number): NewScore {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest('the body must be a JSON object { "name": "…", "value": 0.9, "comment": "…" }');
  }
  const fields = body as Record<string, unknown>;
  const name = typeof fields.name === "string" ? fields.name.trim() : undefined;
  if (name === undefined || name === "") throw badRequest("name must be a non-empty string");
  if (name.length > MAX_SCORE_NAME_LENGTH) {
    throw badRequest(`name must be at most ${MAX_SCORE_NAME_LENGTH} characters`);
  }
  if (CONTROL.test(name)) throw badRequest("name must not contain control characters");

  const raw = fields.value;
  let value: number;
  if (typeof raw === "boolean") value = raw ? 1 : 0;
  else if (typeof raw === "number" && Number.isFinite(raw)) value = raw;
  else throw badRequest("value must be a finite number or a boolean");

  const comment = fields.comment;
  if (comment !== undefined && comment !== null && typeof comment !== "string") {
    throw badRequest("comment must be a string");
  }
  if (typeof comment === "string" && comment.length > MAX_SCORE_COMMENT_LENGTH) {
    throw badRequest(`comment must be at most ${MAX_SCORE_COMMENT_LENGTH} characters`);
  }

  const source = fields.source ?? "api";
  if (typeof source !== "string" || !SOURCES.has(source as ScoreSource)) {
    throw badRequest("source must be sdk, api or dashboard");
  }

  let id: string;
  if (fields.id === undefined || fields.id === null) id = randomUUID();
  else {
    const traceId = typeof fields.id === "string" ? uuidToTraceId(fields.id) : undefined;
    if (traceId === undefined) throw badRequest("id must be a UUID");
    id = traceIdToUuid(traceId);
  }

  return {
    id,
    name: storableText(name),
    value: Object.is(value, -0) ? 0 : value,
    comment: typeof comment === "string" && comment !== "" ? storableText(comment) : null,
    source: source as ScoreSource,
    createdMs: nowMs,
  };
}

/** Whether a request's Content-Type is JSON (the only type the scores route reads). */
export function isJsonContentType(contentType: string | undefined): boolean {
  return typeof contentType === "string" && /^application\/json\s*(;|$)/i.test(contentType.trim());
}

/**
 * The list's score parameters: `score_name`, `min_score`, `max_score` (numbers) and `sort`
 * (`start_desc`, `score_desc`, `score_asc`). How they combine is checked by the store's query
 * resolution (a 400 too).
 */
export function scoreListParams(
  read: (name: string) => string | undefined,
): { scoreName?: string; minScore?: number; maxScore?: number; sort?: SessionSort } {
  const result: { scoreName?: string; minScore?: number; maxScore?: number; sort?: SessionSort } = {};
  const name = read("score_name");
  if (name !== undefined && name.trim() !== "") {
    if (name.length > MAX_SCORE_NAME_LENGTH) throw badRequest("score_name is too long");
    result.scoreName = name;
  }
  for (const [param, key] of [
    ["min_score", "minScore"],
    ["max_score", "maxScore"],
  ] as const) {
    const text = read(param);
    if (text === undefined || text === "") continue;
    const number = Number(text);
    if (!NUMBER.test(text.trim()) || !Number.isFinite(number)) {
      throw badRequest(`${param} must be a finite number`);
    }
    result[key] = number;
  }
  const sort = read("sort");
  if (sort !== undefined && sort !== "") {
    if (!SORTS.has(sort as SessionSort)) {
      throw badRequest("sort must be start_desc, score_desc or score_asc");
    }
    result.sort = sort as SessionSort;
  }
  return result;
}
