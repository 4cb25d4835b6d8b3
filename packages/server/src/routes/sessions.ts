import { Readable } from "node:stream";
import { traceIdToUuid, uuidToTraceId } from "@agentops/semconv";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Authenticator } from "../auth/authenticate";
import { HttpError } from "../http-error";
import { ScoreIdConflictError, ScoreLimitError, StorageQueryError } from "../storage/errors";
import { scoreListParams } from "../rest/score-body";
import { EXPORT_SECTIONS, exportedEvent, spanResponse } from "../rest/session-events";
import { useRestConventions } from "./rest-common";
import { scoreRoutes } from "./scores";
import type { EndState, ListSessionsQuery, Storage, UsageQuery } from "../storage/types";
import type { ProjectResponse, UsageResponse } from "@agentops/span-model";

/** What the REST routes need from the server. */
export interface SessionRoutesOptions {
  storage: Storage;
  authenticator: Authenticator;
  now: () => number;
}

/** Spans read from the store per page while streaming. */
const PAGE_SIZE = 500;
const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 50;
const END_STATES = new Set(["Success", "Failure", "Indeterminate", "running"]);

/**
 * The REST API under `/v2`: session stats, export, spans and list, scores, usage per day and
 * model, and the key's project. Every
 * route needs `X-Agentops-Api-Key` (or `Authorization: Bearer`); a session of another project
 * and a missing one get the same 404.
 */
export async function sessionRoutes(
  app: FastifyInstance,
  options: SessionRoutesOptions,
): Promise<void> {
  const { storage, authenticator, now } = options;

  useRestConventions(app, authenticator, (error) => {
    if (error instanceof StorageQueryError) return { status: 400, code: "bad_request" };
    if (error instanceof ScoreLimitError) return { status: 409, code: "too_many_scores" };
    if (error instanceof ScoreIdConflictError) return { status: 409, code: "conflict" };
    return undefined;
  });

  app.get("/v2/project", async (request): Promise<ProjectResponse> => {
    const project = await storage.getProject(request.projectId);
    return { project_id: request.projectId, name: project?.name ?? null };
  });

  app.get("/v2/sessions", async (request) => {
    return storage.listSessions(
      request.projectId,
      listQuery(request.query as Record<string, unknown>),
      now(),
    );
  });

  app.get("/v2/usage", async (request): Promise<UsageResponse> => {
    const usage = await storage.usage(
      request.projectId,
      usageQuery(request.query as Record<string, unknown>),
    );
    return { usage };
  });

  app.get("/v2/sessions/:id/stats", async (request) => {
    const sessionId = sessionIdParam(request);
    const stats = await storage.sessionStats(request.projectId, sessionId, now());
    if (!stats) throw sessionNotFound();
    return stats;
  });

  app.get("/v2/sessions/:id/export", async (request, reply) => {
    const sessionId = sessionIdParam(request);
    const at = now();
    const [session, stats] = await Promise.all([
      storage.sessionInfo(request.projectId, sessionId, at),
      storage.sessionStats(request.projectId, sessionId, at),
    ]);
    if (!session || !stats) throw sessionNotFound();
    return sendStream(
      reply,
      request,
      exportChunks(storage, request.projectId, sessionId, session, stats),
    );
  });

  app.get("/v2/sessions/:id/spans", async (request, reply) => {
    const sessionId = sessionIdParam(request);
    const session = await storage.sessionInfo(request.projectId, sessionId, now());
    if (!session) throw sessionNotFound();
    return sendStream(reply, request, spanChunks(storage, request.projectId, sessionId));
  });

  scoreRoutes(app, {
    storage,
    now,
    sessionIdParam,
  });
}

/**
 * The export, written section by section: the store is read once per event list, a page at a
 * time, so memory stays flat however long the session is.
 */
async function* exportChunks(
  storage: Storage,
  projectId: string,
  sessionId: string,
  session: unknown,
  stats: unknown,
): AsyncGenerator<string> {
  yield `{"session":${JSON.stringify(session)},"stats":${JSON.stringify(stats)}`;
  for (const section of EXPORT_SECTIONS) {
    yield `,"${section}":[`;
    let first = true;
    for await (const page of storage.sessionSpans(projectId, sessionId, PAGE_SIZE)) {
      let chunk = "";
      for (const span of page) {
        const event = exportedEvent(span, section);
        if (event === undefined) continue;
        chunk += (first ? "" : ",") + JSON.stringify(event);
        first = false;
      }
      if (chunk !== "") yield chunk;
    }
    yield "]";
  }
  // At most MAX_SCORES_PER_SESSION, so one read.
  yield `,"scores":${JSON.stringify(await storage.sessionScores(projectId, sessionId))}}`;
}

async function* spanChunks(
  storage: Storage,
  projectId: string,
  sessionId: string,
): AsyncGenerator<string> {
  yield `{"session_id":${JSON.stringify(sessionId)},"spans":[`;
  let first = true;
  for await (const page of storage.sessionSpans(projectId, sessionId, PAGE_SIZE)) {
    let chunk = "";
    for (const span of page) {
      chunk += (first ? "" : ",") + JSON.stringify(spanResponse(span));
      first = false;
    }
    if (chunk !== "") yield chunk;
  }
  yield "]}";
}

function sendStream(
  reply: FastifyReply,
  request: FastifyRequest,
  chunks: AsyncGenerator<string>,
): FastifyReply {
  const stream = Readable.from(chunks, { objectMode: false });
  stream.on("error", (error) => {
    // Headers are gone already: the client sees a cut connection, never half a document as whole.
    request.log.error({ err: error }, "streamed response failed");
  });
  return reply.type("application/json; charset=utf-8").send(stream);
}

function sessionNotFound(): HttpError {
  return new HttpError(404, "not_found", "session not found");
}

function sessionIdParam(request: Pick<FastifyRequest, "params">): string {
  const id = (request.params as { id?: string }).id ?? "";
  const traceId = uuidToTraceId(id);
  if (!traceId) throw new HttpError(400, "bad_request", "the session id must be a UUID");
  return traceIdToUuid(traceId);
}

function listQuery(query: Record<string, unknown>): ListSessionsQuery {
  const result: ListSessionsQuery = { limit: DEFAULT_LIMIT };
  const limit = single(query, "limit");
  if (limit !== undefined) {
    const number = Number(limit);
    if (!/^\d+$/.test(limit) || number < 1 || number > MAX_LIMIT) {
      throw new HttpError(400, "bad_request", `limit must be an integer from 1 to ${MAX_LIMIT}`);
    }
    result.limit = number;
  }
  const cursor = single(query, "cursor");
  if (cursor !== undefined && cursor !== "") {
    if (cursor.length > 1024) throw new HttpError(400, "bad_request", "cursor is not valid");
    result.cursor = cursor;
  }
  const tag = single(query, "tag");
  if (tag !== undefined && tag !== "") {
    if (tag.length > 1024) throw new HttpError(400, "bad_request", "tag is too long");
    result.tag = tag;
  }
  const endState = single(query, "end_state");
  if (endState !== undefined && endState !== "") {
    const value = endState === "Fail" ? "Failure" : endState;
    if (!END_STATES.has(value)) {
      throw new HttpError(
        400,
        "bad_request",
        "end_state must be Success, Failure, Indeterminate or running",
      );
    }
    result.endState = value as EndState | "running";
  }
  Object.assign(result, timeRange(query), scoreListParams((name) => single(query, name)));
  return result;
}

function usageQuery(query: Record<string, unknown>): UsageQuery {
  const result: UsageQuery = timeRange(query);
  const tag = single(query, "tag");
  if (tag !== undefined && tag !== "") {
    if (tag.length > 1024) throw new HttpError(400, "bad_request", "tag is too long");
    result.tag = tag;
  }
  return result;
}

/** `from` and `to` as ISO timestamps; an unreadable one is a 400. */
function timeRange(query: Record<string, unknown>): { from?: string; to?: string } {
  const result: { from?: string; to?: string } = {};
  for (const name of ["from", "to"] as const) {
    const value = single(query, name);
    if (value === undefined || value === "") continue;
    const time = Date.parse(value);
    if (Number.isNaN(time))
      throw new HttpError(400, "bad_request", `${name} must be an ISO 8601 timestamp`);
    result[name] = new Date(time).toISOString();
  }
  return result;
}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    throw new HttpError(400, "bad_request", `${name} must be given once`);
  return value;
}
