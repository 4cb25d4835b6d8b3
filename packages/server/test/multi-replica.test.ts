import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { traceIdToUuid } from "@agentops/semconv";
import { type SessionStats } from "../src/index";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { hex, otlpBody, sessionSpans, type SpanInput } from "./utils/otlp-bodies";
import { CLICKHOUSE_URL, clickHouseDatabases } from "./utils/clickhouse-databases";
import { PG_URL, pgSchemas } from "./utils/pg-schema";

function temporaryFolders(): { make(): string; removeAll(): void } {
  const made: string[] = [];
  return {
    make: () => {
      made.push(mkdtempSync(path.join(tmpdir(), "agentops-replica-spool-")));
      return made[made.length - 1]!;
    },
    removeAll: () => {
      for (const folder of made.splice(0)) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * Several `agentops-server serve` processes on one shared database: the spans of one session
 * arrive at two replicas, concurrently, and a third replica that received nothing answers, like
 * the two, the same stats as a single server that received them all. On PostgreSQL, on
 * ClickHouse, and on ClickHouse with writers that spool.
 */
const STORES: Array<{
  label: string;
  variable: string;
  example: string;
  url: string | undefined;
  databases: (url: string) => { fresh(): Promise<string>; dropAll(): Promise<void> };
  /** The writing replicas acknowledge once their spool folder has the batch: others read it a moment later. */
  spool?: boolean;
}> = [
  { label: "PostgreSQL", variable: "AGENTOPS_TEST_PG_URL", example: "postgres://user:password@host:port/database", url: PG_URL, databases: pgSchemas },
  { label: "ClickHouse", variable: "AGENTOPS_TEST_CLICKHOUSE_URL", example: "clickhouse://user:password@host:8123/database", url: CLICKHOUSE_URL, databases: clickHouseDatabases },
  { label: "ClickHouse, writers with spool folders", variable: "AGENTOPS_TEST_CLICKHOUSE_URL", example: "clickhouse://user:password@host:8123/database", url: CLICKHOUSE_URL, databases: clickHouseDatabases, spool: true },
];

for (const store of STORES) {
  if (!store.url) {
    console.warn(`${store.label} multi-replica test NOT RUN: set ${store.variable}=${store.example}`);
    test.skip(`${store.label} multi-replica test NOT RUN (${store.variable} is not set)`, () => undefined);
    continue;
  }
  const storeUrl = store.url;
  describe(`replicas on one ${store.label} database`, () => {
    const schemas = store.databases(storeUrl);
    const running: ServeProcess[] = [];
    const folders = temporaryFolders();
    beforeAll(() => assertBuilt());
    afterAll(async () => {
      await Promise.all(running.splice(0).map((serve) => serve.stop("SIGKILL")));
      await schemas.dropAll();
      folders.removeAll();
    });

    async function project(db: string): Promise<string> {
      const result = await runCli(["projects", "create", "replicated", "--db", db, "--json"]);
      expect(result.code).toBe(0);
      return JSON.parse(result.stdout).api_key;
    }

    async function send(url: string, apiKey: string, spans: SpanInput[], encoding: "json" | "protobuf"): Promise<void> {
      const response = await fetch(`${url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": encoding === "json" ? "application/json" : "application/x-protobuf", "x-agentops-api-key": apiKey },
        body: otlpBody(spans, encoding),
      });
      expect(response.status).toBe(200);
    }

    async function stats(url: string, apiKey: string, sessionId: string): Promise<SessionStats> {
      const response = await fetch(`${url}/v2/sessions/${sessionId}/stats`, { headers: { "x-agentops-api-key": apiKey } });
      expect(response.status).toBe(200);
      return (await response.json()) as SessionStats;
    }

    /** One session: the SDK's spans plus 300 more LLM and tool calls from "other processes". */
    function workload(): { sessionId: string; batches: SpanInput[][] } {
      const session = sessionSpans({ tags: ["replicated"] });
      const extra: SpanInput[] = Array.from({ length: 300 }, (_, index) => ({
        traceId: session.traceId,
        parentSpanId: session.rootSpanId,
        name: index % 3 === 0 ? "execute_tool fetch" : "chat gpt-4o-mini",
        startMs: Date.now() - 30_000 + index,
        attributes:
          index % 3 === 0
            ? { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "fetch" }
            : {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": "openai",
                "gen_ai.request.model": "gpt-4o-mini",
                "gen_ai.usage.input_tokens": 100 + index,
                "gen_ai.usage.output_tokens": 10 + (index % 7),
                "gen_ai.usage.cache_read.input_tokens": index % 5 === 0 ? 50 : 0,
              },
      }));
      // Fixed span ids, so a batch sent twice is the same spans twice.
      const all = [...session.spans, ...extra].map((span) => ({ ...span, spanId: span.spanId ?? hex(8) }));
      const batches: SpanInput[][] = [];
      for (let i = 0; i < all.length; i += 16) batches.push(all.slice(i, i + 16));
      return { sessionId: session.sessionId, batches };
    }

    it("files spans sent to either replica under one session; a third replica reads the same stats as one server", async () => {
      const sharedDb = await schemas.fresh();
      const referenceDb = await schemas.fresh();
      const sharedKey = await project(sharedDb);
      const referenceKey = await project(referenceDb);
      const spool = () => (store.spool ? ["--spool-dir", folders.make()] : []);
      const [first, second, reader, reference] = await Promise.all([
        startServe(["--port", "0", "--db", sharedDb, ...spool()]),
        startServe(["--port", "0", "--db", sharedDb, ...spool()]),
        startServe(["--port", "0", "--db", sharedDb]),
        startServe(["--port", "0", "--db", referenceDb]),
      ]);
      running.push(first, second, reader, reference);

      const { sessionId, batches } = workload();
      // Replicas get alternate batches, all at once; some batches are delivered to both (an
      // exporter retrying against another replica behind a load balancer).
      await Promise.all(
        batches.flatMap((batch, index) => [
          send(index % 2 === 0 ? first.url : second.url, sharedKey, batch, index % 3 === 0 ? "json" : "protobuf"),
          ...(index % 5 === 0 ? [send(index % 2 === 0 ? second.url : first.url, sharedKey, batch, "protobuf")] : []),
        ]),
      );
      for (const batch of batches) await send(reference.url, referenceKey, batch, "protobuf");

      const expected = await stats(reference.url, referenceKey, sessionId);
      expect(expected.llm_calls).toBe(201);
      const strip = ({ project_id: _project, ...rest }: SessionStats) => rest;
      // With spool folders, what one writer acknowledged reaches ClickHouse within its spool's
      // delay: the others' stats are read until they agree (10 s at most).
      const settled = async (url: string, id: string, wanted: (value: SessionStats) => boolean): Promise<SessionStats> => {
        const deadline = Date.now() + (store.spool ? 10_000 : 0);
        for (;;) {
          // A session none of the writers' inserts has reached yet is not found, for now.
          const response = await fetch(`${url}/v2/sessions/${id}/stats`, { headers: { "x-agentops-api-key": sharedKey } });
          const value = response.status === 404 && Date.now() < deadline ? undefined : await stats(url, sharedKey, id);
          if (value !== undefined && (wanted(value) || Date.now() >= deadline)) return value;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const same = (value: SessionStats) => JSON.stringify(strip(value)) === JSON.stringify(strip(expected));
      expect(strip(await settled(first.url, sessionId, same))).toEqual(strip(expected));
      expect(strip(await settled(second.url, sessionId, same))).toEqual(strip(expected));
      expect(strip(await settled(reader.url, sessionId, same))).toEqual(strip(expected));
      // The export a reader gives holds each span once, however often it was delivered.
      const exported = await fetch(`${reader.url}/v2/sessions/${sessionId}/spans`, { headers: { "x-agentops-api-key": sharedKey } });
      expect(exported.status).toBe(200);
      const spanIds = ((await exported.json()) as { spans: Array<{ span_id: string }> }).spans.map((span) => span.span_id);
      expect(spanIds.length).toBe(batches.flat().length);
      expect(new Set(spanIds).size).toBe(spanIds.length);

      // A trace id neither replica has seen becomes a session on whichever gets it.
      const traceId = hex(16);
      await send(second.url, sharedKey, [{ traceId, name: "chat gpt-4o", startMs: Date.now(), attributes: { "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10 } }], "json");
      expect((await settled(reader.url, traceIdToUuid(traceId), (value) => value.prompt_tokens === 10)).prompt_tokens).toBe(10);

      for (const serve of [first, second, reader, reference]) expect(await serve.stop("SIGTERM")).toBe(0);
    });
  });
}
