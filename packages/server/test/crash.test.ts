/**
 * A server killed with SIGKILL during sustained ingest. Several concurrent clients post protobuf
 * batches over real HTTP to an `agentops-server serve` process and remember which batches got a
 * 200; the process is killed mid-stream, restarted on the same database, and:
 * - every batch that got a 200 is stored, whole (none lost);
 * - every batch whose answer was lost is either whole or absent (a transaction, never half);
 * - the clients resend what was not acknowledged, as exporters do, and nothing is counted twice:
 *   each session's rollup equals its recomputation from the stored spans and the totals of
 *   what the clients sent (opening the store directly after the server stopped).
 * Runs on SQLite, on PostgreSQL when AGENTOPS_TEST_PG_URL is set, and on ClickHouse when
 * AGENTOPS_TEST_CLICKHOUSE_URL is set (there a batch is one gzip-compressed insert, written whole
 * or not at all), and on ClickHouse behind the server's spool folder (a batch is one record there,
 * acknowledged once on disk; the restarted server inserts what the killed one left). Figures go to
 * test-artifacts/faults.jsonl for `pnpm test:faults`.
 */
import { randomInt } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import {
  ATTR_AGENTOPS_SESSION_END_STATE,
  ATTR_AGENTOPS_SESSION_TAGS,
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  SpanKindValues,
  traceIdToUuid,
} from "@agentops/semconv";
import { openStorage, type SessionStats } from "../src/index";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { appendFaultFigures } from "./utils/fault-figures";
import { Prng } from "./utils/fuzz-prng";
import { otlpBody, type SpanInput } from "./utils/otlp-bodies";
import { CLICKHOUSE_URL, clickHouseDatabases } from "./utils/clickhouse-databases";
import { PG_URL, pgSchemas } from "./utils/pg-schema";

const SEED = process.env.AGENTOPS_CRASH_SEED
  ? Number(process.env.AGENTOPS_CRASH_SEED)
  : randomInt(2 ** 31);
const CLIENTS = 6;
const SESSIONS_PER_CLIENT = 4;
const SPANS_PER_BATCH = 100;
/** Spans of the previous batch sent again in each batch (exporters redeliver). */
const REDELIVERED_PER_BATCH = 5;
const KILLS = 2;
/** Ingest runs this long (plus up to a second, seeded) before each kill. */
const INGEST_BEFORE_KILL_MS = 2500;
/**
 * How long a client keeps resending a batch the killed server never answered, as an exporter
 * keeps retrying: a restarted server on a loaded machine may answer 503 for a while.
 */
const RESEND_FOR_MS = 40_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Role = "llm" | "tool" | "action" | "error" | "other" | "marker";

interface SentSpan {
  span: SpanInput;
  sessionId: string;
  role: Role;
  promptTokens: number;
  completionTokens: number;
}

interface Batch {
  id: string;
  client: number;
  /** The spans this batch sends for the first time. */
  fresh: SentSpan[];
  /** Everything in the body (fresh spans and redelivered ones). */
  body: Buffer;
  acknowledged: boolean;
  attempts: number;
}

/** One exporter: its own sessions, batches, and which of them got a 200. */
class CrashClient {
  readonly batches: Batch[] = [];
  readonly sessions: Array<{ traceId: string; sessionId: string; rootSpanId: string }>;
  private previous: SentSpan[] = [];

  constructor(
    readonly index: number,
    readonly apiKey: string,
    private readonly prng: Prng,
  ) {
    this.sessions = Array.from({ length: SESSIONS_PER_CLIENT }, () => {
      const traceId = prng.id(16).toString("hex");
      return { traceId, sessionId: traceIdToUuid(traceId), rootSpanId: prng.id(8).toString("hex") };
    });
  }

  /** The next batch: fresh spans across this client's sessions, a root span now and then, and a few redelivered ones. */
  nextBatch(): Batch {
    const prng = this.prng;
    const fresh: SentSpan[] = [];
    const now = Date.now();
    for (let i = 0; i < SPANS_PER_BATCH; i++) {
      const session = prng.pick(this.sessions);
      const role = prng.pick<Role>(["llm", "llm", "tool", "action", "error", "other", "marker"]);
      const promptTokens = role === "llm" ? prng.int(2000) : 0;
      const completionTokens = role === "llm" ? prng.int(1000) : 0;
      const attributes: Record<string, unknown> = {};
      if (role === "llm") {
        Object.assign(attributes, {
          [ATTR_GEN_AI_OPERATION_NAME]: "chat",
          [ATTR_GEN_AI_PROVIDER_NAME]: "openai",
          [ATTR_GEN_AI_REQUEST_MODEL]: "gpt-4o",
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: promptTokens,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: completionTokens,
        });
      } else if (role === "tool") {
        Object.assign(attributes, {
          [ATTR_GEN_AI_OPERATION_NAME]: "execute_tool",
          [ATTR_GEN_AI_TOOL_NAME]: "search",
        });
      } else if (role === "action" || role === "error") {
        attributes[ATTR_AGENTOPS_SPAN_KIND] =
          role === "action" ? SpanKindValues.ACTION : SpanKindValues.ERROR;
      } else if (role === "marker") {
        attributes[ATTR_AGENTOPS_SPAN_KIND] = SpanKindValues.SESSION_UPDATE;
        attributes[ATTR_AGENTOPS_SESSION_TAGS] = [
          `client-${this.index}`,
          `batch-${this.batches.length}`,
        ];
      }
      const startMs = now - 60_000 + prng.int(60_000);
      fresh.push({
        span: {
          traceId: session.traceId,
          spanId: prng.id(8).toString("hex"),
          parentSpanId: session.rootSpanId,
          name: role,
          startMs,
          endMs: startMs + prng.int(2000),
          attributes,
          ...(role === "error" ? { status: { code: 2, message: "boom" } } : {}),
        },
        sessionId: session.sessionId,
        role,
        promptTokens,
        completionTokens,
      });
    }
    // Every tenth batch ends one of the sessions (a later root span wins).
    if (this.batches.length % 10 === 9) {
      const session = prng.pick(this.sessions);
      fresh.push({
        span: {
          traceId: session.traceId,
          spanId: prng.id(8).toString("hex"),
          name: "agent.session",
          startMs: now - 120_000,
          endMs: now,
          attributes: {
            [ATTR_AGENTOPS_SPAN_KIND]: SpanKindValues.SESSION,
            [ATTR_AGENTOPS_SESSION_END_STATE]: prng.pick(["Success", "Failure"]),
            [ATTR_AGENTOPS_SESSION_TAGS]: [`client-${this.index}`, "ended"],
          },
        },
        sessionId: session.sessionId,
        role: "other",
        promptTokens: 0,
        completionTokens: 0,
      });
    }
    const redelivered = this.previous.slice(0, REDELIVERED_PER_BATCH);
    this.previous = fresh;
    const batch: Batch = {
      id: `${this.index}:${this.batches.length}`,
      client: this.index,
      fresh,
      body: otlpBody(
        [...redelivered, ...fresh].map((sent) => sent.span),
        "protobuf",
      ),
      acknowledged: false,
      attempts: 0,
    };
    this.batches.push(batch);
    return batch;
  }

  /** Posts a batch once; true when it got a 200. */
  async post(url: string, batch: Batch): Promise<boolean> {
    batch.attempts++;
    try {
      const response = await fetch(`${url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf", "x-agentops-api-key": this.apiKey },
        body: batch.body,
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) batch.acknowledged = true;
      return response.status === 200;
    } catch {
      return false;
    }
  }
}

/** Span ids stored per session, read through `GET /v2/sessions/:id/spans`. */
async function storedSpanIds(
  url: string,
  clients: CrashClient[],
): Promise<Map<string, Set<string>>> {
  const stored = new Map<string, Set<string>>();
  for (const client of clients) {
    for (const session of client.sessions) {
      const response = await fetch(`${url}/v2/sessions/${session.sessionId}/spans`, {
        headers: { "x-agentops-api-key": client.apiKey },
      });
      const ids = new Set<string>();
      if (response.status === 200) {
        for (const span of ((await response.json()) as { spans: Array<{ span_id: string }> }).spans)
          ids.add(span.span_id);
      } else {
        expect(response.status).toBe(404); // no span of it stored yet
        await response.arrayBuffer();
      }
      stored.set(session.sessionId, ids);
    }
  }
  return stored;
}

/**
 * {@link storedSpanIds} once two reads a moment apart agree. The killed server's last insert may
 * still be committing in the database (its whole body had been sent), and a read of session after
 * session that such a commit overtakes would show that insert in some sessions and not yet in
 * others: a batch half there that is in fact whole.
 */
async function settledStoredSpanIds(
  url: string,
  clients: CrashClient[],
): Promise<Map<string, Set<string>>> {
  let stored = await storedSpanIds(url, clients);
  for (let attempt = 0; attempt < 20; attempt++) {
    await pause(250);
    const again = await storedSpanIds(url, clients);
    if ([...again].every(([session, ids]) => ids.size === stored.get(session)?.size)) return again;
    stored = again;
  }
  return stored;
}

/** How many of these spans are stored. */
function storedCount(spans: SentSpan[], stored: Map<string, Set<string>>): number {
  return spans.filter((sent) => stored.get(sent.sessionId)?.has(sent.span.spanId!)).length;
}

/** The spans only this batch ever carried (its first few are redelivered by the next batch). */
function ownSpans(batch: Batch): SentSpan[] {
  return batch.fresh.slice(REDELIVERED_PER_BATCH);
}

interface StoreFigures {
  batchesSent: number;
  attempts: number;
  acknowledged: number;
  present: number;
  lost: number;
  kills: number;
  unansweredAtKill: number;
  unansweredButCommitted: number;
  halfCommitted: number;
  resentAfterRestart: number;
  spoolFilesAtKill?: number;
  spansSent: number;
  spansStored: number;
  sessionsChecked: number;
  rollupMismatches: number;
  durationS: number;
}

const figures: Record<string, unknown> = { seed: SEED };

afterAll(() => {
  appendFaultFigures("server-crash", figures);
});

const STORES: Array<[string, boolean]> = [
  ["sqlite", true],
  ["postgres", Boolean(PG_URL)],
  ["clickhouse", Boolean(CLICKHOUSE_URL)],
  // Batches acknowledged once in the server's spool folder, which the restarted server inserts.
  ["clickhouse+spool", Boolean(CLICKHOUSE_URL)],
];

/** Per-store seeds, so that each store replays its own workload. */
const STORE_SEEDS: Record<string, number> = {
  sqlite: 0,
  postgres: 0x5bd1e995,
  clickhouse: 0x27d4eb2f,
  "clickhouse+spool": 0x165667b1,
};

describe(`a server killed with SIGKILL during sustained ingest (seed ${SEED})`, () => {
  beforeAll(() => {
    assertBuilt();
    console.log(`crash seed ${SEED} (replay with AGENTOPS_CRASH_SEED=${SEED})`);
  });

  for (const [store, available] of STORES) {
    (available ? it : it.skip)(
      `${store}: loses no acknowledged batch, commits each batch whole or not at all, and keeps every rollup exact after restarts`,
      async () => {
        const started = Date.now();
        const prng = new Prng(SEED ^ STORE_SEEDS[store]!);
        const folder = mkdtempSync(path.join(tmpdir(), "agentops-crash-"));
        const schemas =
          store === "postgres" ? pgSchemas(PG_URL!) : store.startsWith("clickhouse") ? clickHouseDatabases(CLICKHOUSE_URL!) : undefined;
        let server: ServeProcess | undefined;
        try {
          const db = schemas ? await schemas.fresh() : `sqlite:${path.join(folder, "agentops.db")}`;
          const projects: Array<{ project_id: string; api_key: string }> = [];
          for (const name of ["crash-a", "crash-b"]) {
            const created = await runCli(["projects", "create", name, "--db", db, "--json"]);
            expect(created.code).toBe(0);
            projects.push(JSON.parse(created.stdout));
          }
          const clients = Array.from(
            { length: CLIENTS },
            (_, i) => new CrashClient(i, projects[i % 2]!.api_key, prng),
          );
          const spool = store.endsWith("+spool") ? ["--spool-dir", path.join(folder, "spool")] : [];
          const serve = () => startServe(["--port", "0", "--db", db, "--no-dashboard", ...spool]);
          server = await serve();

          let unansweredAtKill = 0;
          let unansweredButCommitted = 0;
          let halfCommitted = 0;
          let resentAfterRestart = 0;
          /** Spool files the killed server left (inserted by the next one). */
          let spoolFilesAtKill = 0;
          const lostAfterKill: string[] = [];

          for (let kill = 1; kill <= KILLS; kill++) {
            // Sustained ingest from every client, until the kill.
            let running = true;
            const url = server.url;
            const loops = clients.map(async (client) => {
              while (running) {
                const batch = client.nextBatch();
                if (!(await client.post(url, batch))) await pause(10);
              }
            });
            await pause(INGEST_BEFORE_KILL_MS + prng.int(1000));
            server.child.kill("SIGKILL");
            expect(await server.exited).toBeNull(); // killed by the signal, no exit code
            if (spool.length > 0) spoolFilesAtKill += readdirSync(spool[1]!).filter((name) => name.endsWith(".spool")).length;
            running = false;
            await Promise.all(loops);

            server = await serve();
            const stored = await settledStoredSpanIds(server.url, clients);
            for (const client of clients) {
              for (const batch of client.batches) {
                if (batch.acknowledged) {
                  const count = storedCount(batch.fresh, stored);
                  if (count !== batch.fresh.length)
                    lostAfterKill.push(
                      `${batch.id}: ${count} of ${batch.fresh.length} spans after kill ${kill}`,
                    );
                } else {
                  unansweredAtKill++;
                  const own = ownSpans(batch);
                  const count = storedCount(own, stored);
                  if (count === own.length) unansweredButCommitted++;
                  else if (count !== 0) halfCommitted++;
                }
              }
            }
            // The exporters resend what was not acknowledged.
            await Promise.all(
              clients.map(async (client) => {
                const deadline = Date.now() + RESEND_FOR_MS;
                for (const batch of client.batches.filter((item) => !item.acknowledged)) {
                  resentAfterRestart++;
                  while (!(await client.post(server!.url, batch)) && Date.now() < deadline)
                    await pause(100);
                }
              }),
            );
          }

          const stored = await storedSpanIds(server.url, clients);
          const batches = clients.flatMap((client) => client.batches);
          const acknowledged = batches.filter((batch) => batch.acknowledged);
          const present = acknowledged.filter(
            (batch) => storedCount(batch.fresh, stored) === batch.fresh.length,
          );
          expect(await server.stop("SIGTERM")).toBe(0);
          server = undefined;

          // The rollups, read with the store opened directly, against their recomputation and
          // against what the clients sent (every span once, however often it was delivered).
          const storage = await openStorage(db);
          const readAt = Date.now();
          let sessionsChecked = 0;
          const mismatches: string[] = [];
          try {
            for (const client of clients) {
              const projectId = projects[client.index % 2]!.project_id;
              for (const session of client.sessions) {
                const sent = batches
                  .flatMap((batch) => batch.fresh)
                  .filter((item) => item.sessionId === session.sessionId);
                const rollup = await storage.sessionStats(projectId, session.sessionId, readAt);
                const recomputed = await storage.recomputeStats(
                  projectId,
                  session.sessionId,
                  readAt,
                );
                sessionsChecked++;
                if (!rollup || JSON.stringify(rollup) !== JSON.stringify(recomputed)) {
                  mismatches.push(
                    `${session.sessionId}: rollup ${JSON.stringify(rollup)} != recomputed ${JSON.stringify(recomputed)}`,
                  );
                  continue;
                }
                const expected: Partial<SessionStats> = {
                  llm_calls: sent.filter((item) => item.role === "llm").length,
                  tool_calls: sent.filter((item) => item.role === "tool").length,
                  actions: sent.filter((item) => item.role === "action").length,
                  errors: sent.filter((item) => item.role === "error").length,
                  prompt_tokens: sent.reduce((sum, item) => sum + item.promptTokens, 0),
                  completion_tokens: sent.reduce((sum, item) => sum + item.completionTokens, 0),
                };
                const actual = Object.fromEntries(
                  Object.keys(expected).map((key) => [key, rollup[key as keyof SessionStats]]),
                );
                if (JSON.stringify(actual) !== JSON.stringify(expected)) {
                  mismatches.push(
                    `${session.sessionId}: ${JSON.stringify(actual)}, sent ${JSON.stringify(expected)}`,
                  );
                }
              }
              // No session of this project that the clients did not send (e.g. a rollup without spans).
              const listed = await storage.listSessions(projectId, { limit: 200 }, readAt);
              const own = new Set(
                clients
                  .filter((item) => item.index % 2 === client.index % 2)
                  .flatMap((item) => item.sessions.map((session) => session.sessionId)),
              );
              for (const row of listed.sessions)
                if (!own.has(row.session_id))
                  mismatches.push(`unexpected session ${row.session_id}`);
            }
          } finally {
            await storage.close();
          }
          let integrity = "ok";
          if (store === "sqlite") {
            const file = new Database(path.join(folder, "agentops.db"), { readonly: true });
            integrity = String(file.pragma("integrity_check", { simple: true }));
            file.close();
          }

          const spansSent = batches.reduce((sum, batch) => sum + batch.fresh.length, 0);
          const spansStored = [...stored.values()].reduce((sum, ids) => sum + ids.size, 0);
          const result: StoreFigures = {
            batchesSent: batches.length,
            attempts: batches.reduce((sum, batch) => sum + batch.attempts, 0),
            acknowledged: acknowledged.length,
            present: present.length,
            lost: acknowledged.length - present.length + lostAfterKill.length,
            kills: KILLS,
            unansweredAtKill,
            unansweredButCommitted,
            halfCommitted,
            resentAfterRestart,
            ...(spool.length > 0 ? { spoolFilesAtKill } : {}),
            spansSent,
            spansStored,
            sessionsChecked,
            rollupMismatches: mismatches.length,
            durationS: Math.round((Date.now() - started) / 1000),
          };
          figures[store] = result;
          console.log(store, JSON.stringify(result, null, 2));

          expect(lostAfterKill).toEqual([]);
          expect(result.lost).toBe(0);
          expect(halfCommitted).toBe(0);
          expect(acknowledged.length).toBe(batches.length); // every batch acknowledged in the end
          expect(present.length).toBe(batches.length);
          expect(spansStored).toBe(spansSent);
          expect(unansweredAtKill).toBeGreaterThan(0); // the kills did land mid-stream
          if (spool.length > 0) expect(spoolFilesAtKill).toBeGreaterThan(0); // and left spooled batches
          expect(mismatches).toEqual([]);
          expect(sessionsChecked).toBe(CLIENTS * SESSIONS_PER_CLIENT);
          expect(integrity).toBe("ok");
          expect(batches.length).toBeGreaterThan(KILLS * CLIENTS * 2);
        } finally {
          await server?.stop("SIGKILL");
          await schemas?.dropAll();
          rmSync(folder, { recursive: true, force: true });
        }
      },
      180_000,
    );
  }
});
