import type {
  EndState,
  EventKind,
  ListSessionsPage,
  ScoreSource,
  SessionInfo,
  SessionScore,
  SessionStats,
  UsageQuery,
  UsageRow,
} from "@agentops/span-model";

export type { EndState, EventKind, ListSessionsPage, ScoreSource, SessionInfo, SessionScore, SessionStats, UsageQuery, UsageRow };

/**
 * The storage interface. Routes talk only to this; each store (SQLite, PostgreSQL, ClickHouse)
 * implements it in full. It stays at the level of "ingest a batch", "stats of a session", "export
 * a session", "list sessions", so that a columnar store answers the same questions by aggregating
 * on read (ClickHouse does) while the row stores read rollups kept at ingest.
 */

/**
 * One span after decoding (protobuf or JSON) and normalisation. Everything a store needs is
 * here, already derived: no store re-reads attributes to classify or price a span.
 */
export interface NormalizedSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  parentSpanId: string | null;
  /** The session this span belongs to: the trace id as a UUID. */
  sessionId: string;
  name: string;
  kind: EventKind;
  /** Epoch nanoseconds as a decimal string (exact), and the same in ms as a number (for SQL). */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  startMs: number;
  endMs: number;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string | null;
  /** Span attributes, as plain JSON values (AnyValue decoded). */
  attributes: Record<string, unknown>;
  /** Resource attributes of the span's process (the host environment). */
  resource: Record<string, unknown>;
  /** Span events (e.g. exceptions), decoded. */
  events: Array<{ name: string; timeUnixNano: string; attributes: Record<string, unknown> }>;

  // Derived at ingest. Zero / null where they do not apply.
  model: string | null;
  provider: string | null;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** USD; the client's explicit cost when it sent one, else the shared price table's. */
  cost: number;
  /** Whether the span counts as an error of the session (an error event, or a failed LLM/tool call). */
  isError: boolean;

  // Session metadata carried by session and marker spans (null when the span says nothing).
  tags: string[] | null;
  endState: EndState | null;
  endStateReason: string | null;
  video: string | null;
}

/**
 * A span as the OTLP decoders (protobuf and JSON) hand it over, before classification. The
 * normaliser (`normalizeSpan`) turns it into a {@link NormalizedSpan}.
 */
export type DecodedSpan = Pick<
  NormalizedSpan,
  | "traceId"
  | "spanId"
  | "parentSpanId"
  | "name"
  | "startTimeUnixNano"
  | "endTimeUnixNano"
  | "statusCode"
  | "statusMessage"
  | "attributes"
  | "resource"
  | "events"
> & {
  /** OTLP span kind (0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  spanKind: number;
  /** Instrumentation scope name, when sent. */
  scope: string | null;
};

/** One stored span, as the export and the dashboard read it. */
export interface StoredSpan extends NormalizedSpan {
  projectId: string;
}

export interface ListSessionsQuery {
  /** 1..200, default 50. */
  limit: number;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  tag?: string;
  /** "running" selects sessions with no end state yet. */
  endState?: EndState | "running";
  /** ISO timestamps bounding the session start: `from` inclusive, `to` exclusive. */
  from?: string;
  to?: string;
  /** Only sessions with a score of this name (their latest value of it counts below). */
  scoreName?: string;
  /** Inclusive bounds of that latest value; they need `scoreName`. */
  minScore?: number;
  maxScore?: number;
  /** Newest start first (default), or by that latest value; the score orders need `scoreName`. */
  sort?: SessionSort;
}

/** Orders of the session list. Ties of a score are broken by session id, in the same direction. */
export type SessionSort = "start_desc" | "score_desc" | "score_asc";

/** A score as a store receives it: validated, trimmed, and with its id and time decided. */
export interface NewScore {
  /** A UUID, lowercase with dashes. */
  id: string;
  name: string;
  value: number;
  comment: string | null;
  source: ScoreSource;
  createdMs: number;
}

/** What {@link Storage.addScore} did. */
export interface AddScoreResult {
  score: SessionScore;
  /** False when a score with this id was stored before (for this session): the stored one is returned. */
  created: boolean;
}

export interface IngestResult {
  /** Spans stored (or already present: redelivery is not an error). */
  accepted: number;
}

export interface Project {
  id: string;
  name: string;
  createdAt: string;
}

/** A store. Every method is scoped by project: no query crosses projects. */
export interface Storage {
  /**
   * How the server's ingest queue should merge requests for this store, when the store wants
   * something other than the queue's defaults (explicit server options still win). ClickHouse
   * asks for fewer, larger inserts: its cost per insert is mostly fixed.
   */
  readonly ingestBatching?: { maxBatchSpans: number; concurrency: number };

  /** Creates or upgrades the schema (versioned migrations). Idempotent. */
  migrate(): Promise<void>;

  /**
   * Stores a batch atomically, idempotent by (project, trace id, span id); stores with
   * per-session rollups update them in the same transaction. When it resolves, the batch is
   * durable. Rejects with `UnknownProjectError` for a project id that no project has.
   */
  ingest(projectId: string, spans: NormalizedSpan[]): Promise<IngestResult>;

  /** Stats from the rollup (ClickHouse: from the spans); `undefined` when the project has no such session. */
  sessionStats(projectId: string, sessionId: string, now?: number): Promise<SessionStats | undefined>;

  /** Stats recomputed from the stored spans by another route (for checks that the first is exact). */
  recomputeStats(projectId: string, sessionId: string, now?: number): Promise<SessionStats | undefined>;

  sessionInfo(projectId: string, sessionId: string, now?: number): Promise<SessionInfo | undefined>;

  /** The session's spans ordered by start time, read in pages so memory stays flat. */
  sessionSpans(projectId: string, sessionId: string, batchSize?: number): AsyncIterable<StoredSpan[]>;

  /** Newest first; a malformed cursor, `from` or `to` rejects with `StorageQueryError` (a 400). */
  listSessions(projectId: string, query: ListSessionsQuery, now?: number): Promise<ListSessionsPage>;

  /**
   * The project's LLM calls summed per UTC day of their start and model, ordered by day then
   * model (a call without a model first). A malformed `from` or `to` rejects with
   * `StorageQueryError` (a 400).
   */
  usage(projectId: string, query: UsageQuery): Promise<UsageRow[]>;

  /**
   * Stores a score of a session, whether or not the session's spans have arrived (scores of a
   * session id are the project's own: no other project's data is read). Idempotent by
   * (project, score id). Stats and the list show the latest score of each name.
   * Rejects with `UnknownProjectError`, `ScoreLimitError` when the session has
   * `MAX_SCORES_PER_SESSION` scores, and `ScoreIdConflictError` when the id belongs to a
   * score of another session.
   */
  addScore(projectId: string, sessionId: string, score: NewScore): Promise<AddScoreResult>;

  /** Every score of the session, oldest first; `[]` when it has none. */
  sessionScores(projectId: string, sessionId: string): Promise<SessionScore[]>;

  /** Projects and keys: `keyHash` is the salted hash; the plain key is never stored. */
  createProject(name: string, keyLookup: string, keyHash: string): Promise<Project>;
  /** Finds the project whose key has this lookup id (a non-secret prefix); the caller verifies the hash. */
  findKey(keyLookup: string): Promise<{ projectId: string; keyHash: string } | undefined>;
  /** The project with this id, or undefined. */
  getProject(projectId: string): Promise<Project | undefined>;

  /** Key/value settings kept in the database (e.g. a token signing secret). */
  getSetting(name: string): Promise<string | undefined>;
  setSettingIfAbsent(name: string, value: string): Promise<string>;
  /** Sets a setting, replacing its value. */
  putSetting(name: string, value: string): Promise<void>;

  /**
   * What the store does in the background that an operator should see on `/healthz` (a
   * ClickHouse store's write-ahead spool); undefined when it has nothing of the kind. Cheap: no I/O.
   */
  health?(): StorageHealth | undefined;

  /**
   * Where the store reports background events (spooled inserts that fail, and recover). The
   * server passes its own logger; until then, or without one, they go to `process.emitWarning`.
   */
  setLogger?(logger: StorageLogger): void;

  close(): Promise<void>;
}

/** Background state of a store, for `/healthz`. */
export interface StorageHealth {
  /** The write-ahead spool in front of ClickHouse, when the server has one (`--spool-dir`). */
  spool?: SpoolHealth;
}

/** What a spool holds that ClickHouse has not taken yet, and whether its inserts succeed. */
export interface SpoolHealth {
  /**
   * Spans taken by this process and not yet inserted (the files an earlier process left count
   * in `files` only: their spans are not counted when they are read back).
   */
  pendingSpans: number;
  /** Spool files waiting for their insert or in it, plus the one being filled. */
  files: number;
  /** How long the oldest of those spans has waited, in ms (0 when none waits). */
  oldestPendingMs: number;
  /** When the current run of failed inserts began (ms since the epoch), or null while inserts succeed. */
  failingSinceMs: number | null;
  /** Failed insert attempts in the current run of failures. */
  failedAttempts: number;
}

/** The part of a pino-style logger a store writes to (fastify's `app.log` is one). */
export interface StorageLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}
