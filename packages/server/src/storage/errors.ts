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
