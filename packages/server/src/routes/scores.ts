import type { FastifyInstance } from "fastify";
import type { ScoreResponse, SessionScoresResponse } from "@agentops/span-model";
import { HttpError } from "../http-error";
import { isJsonContentType, parseScoreBody, SCORE_BODY_LIMIT_BYTES } from "../rest/score-body";
import type { Storage } from "../storage/types";

/** What the scores route needs; registered inside the REST routes, so it shares their auth and errors. */
export interface ScoreRoutesOptions {
  storage: Storage;
  now: () => number;
  /** The `:id` parameter as a session id; a 400 when it is not a UUID. */
  sessionIdParam: (request: { params: unknown }) => string;
}

/**
 * `GET /v2/sessions/:id/scores`: the project's scores of the session, oldest first; `[]` rather
 * than a 404 when there are none, since scores may come before the session's spans.
 *
 * `POST /v2/sessions/:id/scores`: stores a score of the session and answers it, 201 (or 200 when
 * its `id` was stored before). A session whose spans have not arrived yet is accepted: scores are
 * kept under (project, session id) and show once the session does, so a score sent while the
 * session's spans are still queued is not lost. Another project's session id is never read, so
 * this answers alike whether or not some other project has that session.
 */
export function scoreRoutes(app: FastifyInstance, options: ScoreRoutesOptions): void {
  const { storage, now, sessionIdParam } = options;
  app.get("/v2/sessions/:id/scores", async (request): Promise<SessionScoresResponse> => {
    const sessionId = sessionIdParam(request);
    return { session_id: sessionId, scores: await storage.sessionScores(request.projectId, sessionId) };
  });
  app.post("/v2/sessions/:id/scores", { bodyLimit: SCORE_BODY_LIMIT_BYTES }, async (request, reply) => {
    const sessionId = sessionIdParam(request);
    if (!isJsonContentType(request.headers["content-type"])) {
      throw new HttpError(415, "unsupported_media_type", "send the score as Content-Type: application/json");
    }
    const score = parseScoreBody(request.body, now());
    const result = await storage.addScore(request.projectId, sessionId, score);
    const body: ScoreResponse = { session_id: sessionId, ...result.score };
    return reply.code(result.created ? 201 : 200).send(body);
  });
}
