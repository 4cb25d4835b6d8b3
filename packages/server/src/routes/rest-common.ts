import type { FastifyInstance } from "fastify";
import type { ErrorResponse } from "@agentops/span-model";
import type { Authenticator } from "../auth/authenticate";
import { HttpError } from "../http-error";

/** How a route family maps its own errors to a status and code; `undefined` for errors it does not know. */
export type ErrorMapping = (error: Error) => { status: number; code: string } | undefined;

/**
 * The `/v2` routes' error bodies (`{ error, message }`) and key check, shared by every route
 * family: an {@link HttpError} as it says, the family's own errors through `mapping`, fastify's
 * request errors (malformed JSON, unsupported media type, body too large) as 4xx, anything else
 * a logged 500 that tells the client nothing more.
 */
export function useRestConventions(app: FastifyInstance, authenticator: Authenticator, mapping: ErrorMapping): void {
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    let status = 500;
    let code = "internal_error";
    let message = "internal error";
    const mapped = error instanceof HttpError ? undefined : mapping(error);
    if (error instanceof HttpError) {
      status = error.statusCode;
      code = error.code;
      message = error.message;
    } else if (mapped !== undefined) {
      ({ status, code } = mapped);
      message = error.message;
    } else if (typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 500) {
      status = error.statusCode;
      code = status === 413 ? "payload_too_large" : status === 415 ? "unsupported_media_type" : "bad_request";
      message = error.message;
    } else {
      request.log.error({ err: error }, "request failed");
    }
    const body: ErrorResponse = { error: code, message };
    return reply.code(status).send(body);
  });

  app.addHook("onRequest", async (request) => {
    const principal = await authenticator.authenticate(request.headers);
    if (!principal) throw new HttpError(401, "unauthorized", "missing or unknown API key");
    request.projectId = principal.projectId;
  });
}
