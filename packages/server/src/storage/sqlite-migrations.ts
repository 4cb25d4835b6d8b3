import type { Migration } from "./migration";

/**
 * The SQLite schema, as numbered migrations applied in order (never edit a released one: add the
 * next). Conventions shared with the PostgreSQL schema:
 * - `project_pk` scopes every table; ids are lowercase hex (trace id 32, span id 16 digits);
 * - times are epoch nanoseconds (spans) or milliseconds (rollups), costs integer picodollars;
 * - JSON is kept as text: stored and returned as sent, never queried by SQL except session tags.
 */

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE projects (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
  lookup TEXT PRIMARY KEY,
  project_pk INTEGER NOT NULL REFERENCES projects (pk),
  key_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE resources (
  project_pk INTEGER NOT NULL,
  id TEXT NOT NULL,
  attributes TEXT NOT NULL,
  PRIMARY KEY (project_pk, id)
);

CREATE TABLE spans (
  project_pk INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  status_message TEXT,
  attributes TEXT NOT NULL,
  events TEXT,
  resource_id TEXT NOT NULL,
  model TEXT,
  provider TEXT,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_pico INTEGER NOT NULL,
  is_error INTEGER NOT NULL,
  tags TEXT,
  end_state TEXT,
  end_state_reason TEXT,
  video TEXT,
  received_ms INTEGER NOT NULL,
  PRIMARY KEY (project_pk, trace_id, span_id)
);

-- The export reads a session's spans in start order, a page at a time.
CREATE INDEX spans_by_start ON spans (project_pk, trace_id, start_ns, span_id);

CREATE TABLE sessions (
  project_pk INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  spans INTEGER NOT NULL,
  llm_calls INTEGER NOT NULL,
  tool_calls INTEGER NOT NULL,
  actions INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cached_tokens INTEGER NOT NULL,
  reasoning_tokens INTEGER NOT NULL,
  cost_pico INTEGER NOT NULL,
  end_state TEXT,
  end_state_reason TEXT,
  end_state_key TEXT,
  tags TEXT,
  tags_key TEXT,
  video TEXT,
  video_key TEXT,
  host_resource_id TEXT,
  host_key TEXT,
  PRIMARY KEY (project_pk, trace_id)
);

-- The session list: newest first, keyset-paged on (start, trace id).
CREATE INDEX sessions_by_start ON sessions (project_pk, start_ms DESC, trace_id DESC);
`,
  },
  {
    version: 2,
    name: "scores",
    sql: `
-- Every score ever recorded. seq is the order of storage: the latest score of a name is the one
-- with the greatest seq. id is the client's (so a retried request is stored once) or the server's.
CREATE TABLE scores (
  seq INTEGER PRIMARY KEY,
  project_pk INTEGER NOT NULL,
  id TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  comment TEXT,
  source TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  UNIQUE (project_pk, id)
);

CREATE INDEX scores_by_session ON scores (project_pk, trace_id, seq);

-- The latest score of each (session, name), kept with each insert: what stats and the list show,
-- and what the list filters and sorts by.
CREATE TABLE latest_scores (
  project_pk INTEGER NOT NULL,
  trace_id TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (project_pk, trace_id, name)
);

CREATE INDEX latest_scores_by_value ON latest_scores (project_pk, name, value, trace_id);
`,
  },
];
