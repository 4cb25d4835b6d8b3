/**
 * A query a store cannot answer because its input is malformed (a cursor that is not one of
 * ours, an unreadable `from` / `to`). The HTTP layer answers it with 400; any other error from a
 * store is a server fault.
 */
export class StorageQueryError extends Error {
  override readonly name = "StorageQueryError";
}

/** A project id that no project has: ingest refuses it rather than storing orphan spans. */
export class UnknownProjectError extends Error {
  override readonly name = "UnknownProjectError";
  constructor(projectId: string) {
    super(`unknown project ${JSON.stringify(projectId)}`);
  }
}

/** A session that already has the most scores a session may have (`MAX_SCORES_PER_SESSION`). */
export class ScoreLimitError extends Error {
  override readonly name = "ScoreLimitError";
  constructor(readonly limit: number) {
    super(`the session already has ${limit} scores, the most a session may have`);
  }
}

/** A score id sent again for another session: ids are unique in a project. */
export class ScoreIdConflictError extends Error {
  override readonly name = "ScoreIdConflictError";
  constructor(id: string) {
    super(`score ${id} belongs to another session`);
  }
}
