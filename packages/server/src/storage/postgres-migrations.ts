import type { Migration } from "./migration";

/**
 * The PostgreSQL schema, as numbered migrations applied in order (never edit a released one: add
 * the next). The same tables as SQLite's, with native types: trace ids are `uuid` (the session id
 * itself), keys compared for "greatest wins" use the bytewise "C" collation, and attributes stay
 * JSON text — jsonb would make the server parse every span's attributes on the hot path for
 * queries that no route makes. Session tags are jsonb, for the list's tag filter.
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE projects (
  pk integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  name text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE api_keys (
  lookup text PRIMARY KEY,
  project_pk integer NOT NULL REFERENCES projects (pk),
  key_hash text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE settings (
  name text PRIMARY KEY,
  value text NOT NULL
);

CREATE TABLE resources (
  project_pk integer NOT NULL,
  id text COLLATE "C" NOT NULL,
  attributes text NOT NULL,
  PRIMARY KEY (project_pk, id)
);

CREATE TABLE spans (
  project_pk integer NOT NULL,
  trace_id uuid NOT NULL,
  span_id text COLLATE "C" NOT NULL,
  parent_span_id text,
  name text NOT NULL,
  kind text NOT NULL,
  start_ns bigint NOT NULL,
  end_ns bigint NOT NULL,
  status_code smallint NOT NULL,
  status_message text,
  attributes text NOT NULL,
  events text,
  resource_id text NOT NULL,
  model text,
  provider text,
  prompt_tokens bigint NOT NULL,
  completion_tokens bigint NOT NULL,
  cached_tokens bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  cost_pico bigint NOT NULL,
  is_error boolean NOT NULL,
  tags text,
  end_state text,
  end_state_reason text,
  video text,
  received_ms bigint NOT NULL,
  PRIMARY KEY (project_pk, trace_id, span_id)
);

-- The export reads a session's spans in start order, a page at a time.
CREATE INDEX spans_by_start ON spans (project_pk, trace_id, start_ns, span_id);

CREATE TABLE sessions (
  project_pk integer NOT NULL,
  trace_id uuid NOT NULL,
  start_ms bigint NOT NULL,
  end_ms bigint NOT NULL,
  last_seen_ms bigint NOT NULL,
  spans bigint NOT NULL,
  llm_calls bigint NOT NULL,
  tool_calls bigint NOT NULL,
  actions bigint NOT NULL,
  errors bigint NOT NULL,
  prompt_tokens bigint NOT NULL,
  completion_tokens bigint NOT NULL,
  cached_tokens bigint NOT NULL,
  reasoning_tokens bigint NOT NULL,
  cost_pico bigint NOT NULL,
  end_state text,
  end_state_reason text,
  end_state_key text COLLATE "C",
  tags jsonb,
  tags_key text COLLATE "C",
  video text,
  video_key text COLLATE "C",
  host_resource_id text,
  host_key text COLLATE "C",
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
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  project_pk integer NOT NULL,
  id uuid NOT NULL,
  trace_id uuid NOT NULL,
  name text COLLATE "C" NOT NULL,
  value double precision NOT NULL,
  comment text,
  source text NOT NULL,
  created_ms bigint NOT NULL,
  UNIQUE (project_pk, id)
);

CREATE INDEX scores_by_session ON scores (project_pk, trace_id, seq);

-- The latest score of each (session, name), kept with each insert ("greater seq wins", so
-- concurrent writers agree): what stats and the list show, and what the list filters and sorts by.
CREATE TABLE latest_scores (
  project_pk integer NOT NULL,
  trace_id uuid NOT NULL,
  name text COLLATE "C" NOT NULL,
  value double precision NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (project_pk, trace_id, name)
);

CREATE INDEX latest_scores_by_value ON latest_scores (project_pk, name, value, trace_id);
`,
  },
];
