/**
 * What the ClickHouse store relies on beyond the shared storage suite: values written into
 * statements (ClickHouse 18.16 has no query parameters) come back exactly and never act as SQL;
 * error codes are read from messages; settings are compare-and-set across servers; a server's
 * cached session aggregates never outlive a write; and an insert whose body is cut off writes nothing.
 */
import http from "node:http";
import { gzipSync } from "node:zlib";
import { traceIdToUuid } from "@agentops/semconv";
import { openStorage, type Storage } from "../src/storage";
import { clickHouseErrorCode, ClickHouseConnection, ClickHouseError } from "../src/storage/clickhouse/connection";
import { identifier, literal, quoteString, raw, sql } from "../src/storage/clickhouse/sql";
import { parseClickHouseUrl } from "../src/storage/url";
import { ATOMIC_SETTING } from "../src/storage/clickhouse/settings";
import { SessionAggregateCache } from "../src/storage/clickhouse/session-cache";
import { firstArrivals, sessionAggregates, type SessionAggregateRow } from "../src/storage/clickhouse/session-sql";
import { TOKEN_SECRET_SETTING } from "../src/auth/project-tokens";
import { CLICKHOUSE_URL, clickHouseDatabases } from "./utils/clickhouse-databases";
import { llmSpan, markerSpan, prng, randomHex } from "./utils/storage-fixtures";

const NASTY = [
  "",
  "plain",
  "it's",
  "back\\slash",
  "\\'",
  "'\\",
  "ends with backslash\\",
  "x' OR '1'='1",
  "'; DROP TABLE spans; --",
  "nul\0inside",
  "line\nbreak\r\ttab",
  "\\0 \\n \\x41 literally",
  "unicode é 漢字 🚀",
  "`backquote` \"double\"",
  "{x:UInt32}",
  "?",
];

describe("ClickHouse SQL literals", () => {
  it("quote and escape strings", () => {
    expect(quoteString("")).toBe("''");
    expect(quoteString("it's")).toBe("'it\\'s'");
    expect(quoteString("a\\b")).toBe("'a\\\\b'");
    expect(quoteString("\\'")).toBe("'\\\\\\''");
    expect(quoteString("a\0b\nc")).toBe("'a\\0b\\nc'");
    // No quote in the output is left unescaped, whatever the input.
    for (const value of NASTY) expect(quoteString(value).slice(1, -1)).not.toMatch(/(^|[^\\])(\\\\)*'/);
  });

  it("write only safe integers, bigints, booleans, null, strings and arrays of them", () => {
    expect(sql`SELECT ${1}, ${-2n}, ${true}, ${null}, ${"a"}, ${["x", 3]}`.text).toBe("SELECT 1, -2, 1, NULL, 'a', ['x', 3]");
    expect(() => literal(1.5)).toThrow(TypeError);
    expect(() => literal(Number.NaN)).toThrow(TypeError);
    expect(() => literal(2 ** 53)).toThrow(TypeError);
    expect(sql`${raw("now()")}`.text).toBe("now()");
  });

  it("accept only plain identifiers as names", () => {
    expect(identifier("agentops_1", "spans").text).toBe("`agentops_1`.`spans`");
    for (const bad of ["a-b", "a`b", "a.b", "1a", "", "a b", "a;b"]) expect(() => identifier(bad)).toThrow(TypeError);
  });

  it("read error codes from both message forms", () => {
    expect(clickHouseErrorCode("Code: 60, e.displayText() = DB::Exception: Table x doesn't exist.")).toBe(60);
    expect(clickHouseErrorCode("Code: 57. DB::Exception: Table x already exists. (TABLE_ALREADY_EXISTS)")).toBe(57);
    expect(clickHouseErrorCode("socket hang up")).toBeUndefined();
  });
});

if (!CLICKHOUSE_URL) {
  console.warn("ClickHouse store checks NOT RUN: set AGENTOPS_TEST_CLICKHOUSE_URL=clickhouse://user:password@host:8123/database");
  test.skip("ClickHouse store checks NOT RUN (AGENTOPS_TEST_CLICKHOUSE_URL is not set)", () => undefined);
} else {
  const url = CLICKHOUSE_URL;
  describe("the ClickHouse store on a real server", () => {
    const databases = clickHouseDatabases(url);
    const connection = new ClickHouseConnection(parseClickHouseUrl(url));
    const opened: Storage[] = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((storage) => storage.close()));
    });
    afterAll(async () => {
      await connection.close();
      await databases.dropAll();
    });

    async function open(target: string): Promise<Storage> {
      const storage = await openStorage(target);
      opened.push(storage);
      return storage;
    }

    it("reads back every quoted string exactly, hand-picked and random", async () => {
      const random = prng(2026);
      const randomStrings = Array.from({ length: 200 }, () =>
        Array.from({ length: Math.floor(random() * 12) }, () => {
          // Any code point but lone surrogates, weighted towards ASCII punctuation and controls.
          const pick = random();
          const code = pick < 0.6 ? Math.floor(random() * 128) : pick < 0.9 ? 0x80 + Math.floor(random() * 0xd700) : 0x10000 + Math.floor(random() * 0xfffff);
          return String.fromCodePoint(code);
        }).join(""),
      );
      const values = [...NASTY, ...randomStrings];
      const rows = await connection.rows<{ v: string[] }>(sql`SELECT ${values} AS v`);
      expect(rows[0]!.v).toEqual(values);
      for (const value of NASTY) {
        const [row] = await connection.rows<{ v: string; n: string }>(sql`SELECT ${value} AS v, length(${value}) AS n`);
        expect(row).toEqual({ v: value, n: String(Buffer.byteLength(value)) });
      }
    });

    it("treats hostile filter values as values", async () => {
      const storage = await open(await databases.fresh());
      const project = await storage.createProject("p", randomHex(8), "hash");
      const traceId = randomHex(16);
      const tags = ["it's", "a\\b", "x' OR '1'='1", "'; DROP TABLE spans; --"];
      await storage.ingest(project.id, [markerSpan({ traceId, startMs: Date.UTC(2026, 0, 1), tags })]);
      for (const tag of tags) {
        const page = await storage.listSessions(project.id, { limit: 10, tag });
        expect(page.sessions.map((session) => session.tags)).toEqual([tags]);
        expect((await storage.usage(project.id, { tag })).length).toBe(0); // a marker is no LLM call
      }
      for (const tag of ["x' OR '1'='1' OR '", "\\", "' OR 1 = 1 --"]) {
        expect((await storage.listSessions(project.id, { limit: 10, tag })).sessions).toEqual([]);
      }
      for (const projectId of ["' OR 1=1 OR '' = '", `${project.id}' OR '1'='1`, "\\"]) {
        expect(await storage.sessionStats(projectId, traceIdToUuid(traceId))).toBeUndefined();
        expect((await storage.listSessions(projectId, { limit: 10 })).sessions).toEqual([]);
        expect(await storage.getProject(projectId)).toBeUndefined();
        expect(await storage.findKey(projectId)).toBeUndefined();
      }
      expect((await storage.listSessions(project.id, { limit: 10 })).sessions).toHaveLength(1);
    });

    it("gives every server the one value of a setting set at once by several", async () => {
      const target = await databases.fresh();
      const stores = await Promise.all([1, 2, 3, 4].map(() => open(target)));
      const values = await Promise.all(stores.map((store, index) => store.setSettingIfAbsent("token.secret", `value-${index}`)));
      expect(new Set(values).size).toBe(1);
      expect(values[0]).toMatch(/^value-[0-3]$/);
      for (const store of stores) expect(await store.getSetting("token.secret")).toBe(values[0]);
      expect(await stores[0]!.getSetting("another")).toBeUndefined();
    });

    it("gives every server the one token signing secret, set atomically, kept apart from other settings", async () => {
      expect(ATOMIC_SETTING).toBe(TOKEN_SECRET_SETTING);
      const target = await databases.fresh();
      const stores = await Promise.all([1, 2, 3].map(() => open(target)));
      const values = await Promise.all(stores.map((store, index) => store.setSettingIfAbsent(TOKEN_SECRET_SETTING, `secret-${index}`)));
      expect(new Set(values).size).toBe(1);
      for (const store of stores) expect(await store.getSetting(TOKEN_SECRET_SETTING)).toBe(values[0]);
      await expect(stores[0]!.putSetting(TOKEN_SECRET_SETTING, "other")).rejects.toThrow(/set once/);
    });

    it("keeps a thousand settings in one table, the last put of a name winning", async () => {
      const target = await databases.fresh();
      const storage = await open(target);
      const names = Array.from({ length: 1000 }, (_, i) => `alert-fired:rule:${i}`);
      // Claims of distinct names in parallel batches, as alert markers are written.
      for (let i = 0; i < names.length; i += 100) {
        const batch = names.slice(i, i + 100);
        const stored = await Promise.all(batch.map((name) => storage.setSettingIfAbsent(name, `v-${name}`)));
        expect(stored).toEqual(batch.map((name) => `v-${name}`));
      }
      expect(await storage.setSettingIfAbsent(names[7]!, "later")).toBe(`v-${names[7]}`);
      for (let i = 0; i < 5; i++) await storage.putSetting("rules", `[${i}]`);
      expect(await storage.getSetting("rules")).toBe("[4]");
      // A put replaces a claimed value too.
      await storage.putSetting(names[0]!, "replaced");
      expect(await storage.getSetting(names[0]!)).toBe("replaced");
      const { database } = parseClickHouseUrl(target);
      const tables = await connection.rows<{ n: string }>(
        sql`SELECT count() AS n FROM system.tables WHERE database = ${database}`,
      );
      expect(Number(tables[0]!.n)).toBeLessThan(10);
      await connection.command(sql`OPTIMIZE TABLE ${identifier(database, "settings")} FINAL`);
      expect(await storage.getSetting("rules")).toBe("[4]");
      expect(await storage.getSetting(names[0]!)).toBe("replaced");
      expect(await storage.getSetting(names[999]!)).toBe(`v-${names[999]}`);
    });

    it("answers a session's stats from a server's last aggregates only while no server wrote to the session", async () => {
      const target = await databases.fresh();
      const [writer, reader] = [await open(target), await open(target)];
      const project = await writer.createProject("p", randomHex(8), "hash");
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const t0 = Date.UTC(2026, 0, 1);
      const batch = (from: number, count: number) =>
        Array.from({ length: count }, (_, i) => llmSpan({ traceId, startMs: t0 + from + i, input: 10, cost: 0.001 }));
      expect(await reader.sessionStats(project.id, sessionId)).toBeUndefined();
      const first = batch(0, 30);
      await writer.ingest(project.id, first);
      expect(await reader.sessionStats(project.id, sessionId)).toMatchObject({ llm_calls: 30, prompt_tokens: 300 });
      await writer.ingest(project.id, batch(30, 5));
      expect(await reader.sessionStats(project.id, sessionId)).toMatchObject({ llm_calls: 35, prompt_tokens: 350 });
      // A redelivery is a write too: read afresh, and still counted once.
      await writer.ingest(project.id, first);
      expect(await reader.sessionStats(project.id, sessionId)).toMatchObject({ llm_calls: 35, prompt_tokens: 350 });
      expect(await reader.sessionInfo(project.id, sessionId)).toMatchObject({ id: sessionId, project_id: project.id });

      // A hit costs the check of the session's writes, not the aggregation: the aggregating
      // statement runs once for any number of reads without a write in between.
      const { database } = parseClickHouseUrl(target);
      const cache = new SessionAggregateCache(connection, identifier(database, "session_writes"));
      let aggregations = 0;
      const aggregate = async () => {
        aggregations += 1;
        const [row] = await connection.rows<SessionAggregateRow>(
          sessionAggregates(firstArrivals(identifier(database, "spans"), project.id, traceId)),
        );
        return row;
      };
      for (let i = 0; i < 5; i++) expect((await cache.read(project.id, traceId, aggregate))?.s_llm_calls).toBe("35");
      expect(aggregations).toBe(1);
      await writer.ingest(project.id, batch(35, 1));
      expect((await cache.read(project.id, traceId, aggregate))?.s_llm_calls).toBe("36");
      expect(aggregations).toBe(2);
    });

    it("counts a redelivered span once before and after ClickHouse merges its rows", async () => {
      const target = await databases.fresh();
      const storage = await open(target);
      const project = await storage.createProject("p", randomHex(8), "hash");
      const spans = parseClickHouseUrl(target);
      const table = identifier(spans.database, "spans");
      // Merges would collapse the duplicates at any moment: hold them, so both read paths run.
      await connection.command(sql`SYSTEM STOP MERGES ${table}`);
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const batch = Array.from({ length: 50 }, (_, i) => llmSpan({ traceId, startMs: Date.UTC(2026, 0, 1) + i, input: 10, cost: 0.001 }));
      await storage.ingest(project.id, batch);
      const once = await storage.sessionStats(project.id, sessionId);
      await storage.ingest(project.id, batch.slice(0, 20));
      await storage.ingest(project.id, batch);
      const rows = async () => (await connection.rows<{ n: string; u: string }>(sql`SELECT count() AS n, uniqExact(span_id) AS u FROM ${table}`))[0]!;
      expect(await rows()).toEqual({ n: "120", u: "50" });
      const redelivered = await storage.sessionStats(project.id, sessionId);
      expect(redelivered).toEqual(once);
      expect(redelivered).toMatchObject({ llm_calls: 50, prompt_tokens: 500, cost: "0.050000" });
      expect(await storage.recomputeStats(project.id, sessionId)).toEqual(once);
      await connection.command(sql`SYSTEM START MERGES ${table}`);
      await connection.command(sql`OPTIMIZE TABLE ${table} FINAL`);
      expect(await rows()).toEqual({ n: "50", u: "50" });
      expect(await storage.sessionStats(project.id, sessionId)).toEqual(once);
    });

    it("lists sessions and sums usage exactly while a redelivered span is stored twice, and after the merge", async () => {
      const target = await databases.fresh();
      const storage = await open(target);
      const project = await storage.createProject("p", randomHex(8), "hash");
      const table = identifier(parseClickHouseUrl(target).database, "spans");
      await connection.command(sql`SYSTEM STOP MERGES ${table}`);
      const day = Date.UTC(2026, 0, 1);
      const traces = Array.from({ length: 3 }, () => randomHex(16));
      const batches = traces.map((traceId, t) => [
        markerSpan({ traceId, startMs: day + t * 1000, tags: [`t${t}`] }),
        ...Array.from({ length: 10 }, (_, i) => llmSpan({ traceId, startMs: day + t * 1000 + i + 1, input: 10, cost: 0.001 })),
      ]);
      for (const batch of batches) await storage.ingest(project.id, batch);
      const list = () => storage.listSessions(project.id, { limit: 2 }, day + 60_000);
      const all = async () => [...(await list()).sessions, ...(await storage.listSessions(project.id, { limit: 2, cursor: (await list()).next_cursor! }, day + 60_000)).sessions];
      const usage = () => storage.usage(project.id, {});
      const before = { list: await all(), usage: await usage(), tagged: await storage.usage(project.id, { tag: "t1" }) };
      expect(before.list.map((stats) => stats.llm_calls)).toEqual([10, 10, 10]);
      expect(before.usage).toMatchObject([{ llm_calls: 30, prompt_tokens: 300 }]);

      // The second session's spans again, one of them re-sent with another start time (a day
      // later): the first arrival is the span, wherever the copy would fall.
      const copy = { ...batches[1]![3]!, startTimeUnixNano: String(BigInt(day + 86_400_000) * 1_000_000n), startMs: day + 86_400_000 };
      await storage.ingest(project.id, batches[1]!.slice(0, 5));
      await storage.ingest(project.id, [copy]);
      const stored = (await connection.rows<{ n: string }>(sql`SELECT count() AS n FROM ${table}`))[0]!.n;
      expect(stored).toBe("39");
      const during = { list: await all(), usage: await usage(), tagged: await storage.usage(project.id, { tag: "t1" }) };
      expect(during).toEqual(before);

      await connection.command(sql`SYSTEM START MERGES ${table}`);
      await connection.command(sql`OPTIMIZE TABLE ${table} FINAL`);
      expect((await connection.rows<{ n: string }>(sql`SELECT count() AS n FROM ${table}`))[0]!.n).toBe("33");
      expect({ list: await all(), usage: await usage(), tagged: await storage.usage(project.id, { tag: "t1" }) }).toEqual(before);
    });

    it("stores every column through RowBinary exactly: long and multi-byte strings, nulls, 64-bit nanoseconds", async () => {
      const storage = await open(await databases.fresh());
      const project = await storage.createProject("p", randomHex(8), "hash");
      const traceId = randomHex(16);
      const texts = ["", "a".repeat(42), "é".repeat(42), "x".repeat(127), "y".repeat(128), "漢".repeat(5_000), "🚀 mixed é 漢 \\ ' \" \n", ...NASTY];
      const spans = texts.map((text, i) =>
        llmSpan({
          traceId,
          // Past 2^53 ns and with odd nanoseconds, so the 64-bit columns must be exact.
          startMs: Date.UTC(2030, 0, 1) + i,
          startNanos: 123_457 + i,
          name: text,
          statusCode: i % 3,
          statusMessage: i % 2 === 0 ? null : text,
          attributes: { note: text, nested: { list: [text, i, true, null] } },
          events: i % 2 === 0 ? [] : [{ name: text, timeUnixNano: "1893456000000000001", attributes: { a: text } }],
          input: 2 ** 40 + i,
          // Exact in binary; one above 2^53 picodollars.
          cost: i === 1 ? 20_000.5 : (i + 1) / 1024,
          model: i % 4 === 0 ? undefined : `model ${text}`,
        }),
      );
      spans.push(markerSpan({ traceId, startMs: Date.UTC(2030, 0, 1), tags: texts.slice(0, 6), video: texts[5], endState: "Success" }));
      await storage.ingest(project.id, spans);
      const read = [];
      for await (const page of storage.sessionSpans(project.id, traceIdToUuid(traceId))) read.push(...page);
      const bySpan = new Map(read.map((span) => [span.spanId, span]));
      expect(read).toHaveLength(spans.length);
      for (const span of spans) expect(bySpan.get(span.spanId)).toEqual({ ...span, projectId: project.id });
    });

    it("streams a session's spans in one query and lets go of it when the reader stops early", async () => {
      const target = await databases.fresh();
      const storage = await open(target);
      const project = await storage.createProject("p", randomHex(8), "hash");
      const traceId = randomHex(16);
      const start = Date.UTC(2026, 0, 1);
      await storage.ingest(project.id, Array.from({ length: 3_000 }, (_, i) => markerSpan({ traceId, startMs: start + i })));
      // More early exits than the store has connections: an unclosed response would leave the next read waiting forever.
      for (let i = 0; i < 15; i++) {
        for await (const page of storage.sessionSpans(project.id, traceIdToUuid(traceId), 100)) {
          expect(page).toHaveLength(100);
          break;
        }
      }
      let count = 0;
      let previous = "";
      for await (const page of storage.sessionSpans(project.id, traceIdToUuid(traceId), 1_000)) {
        for (const span of page) {
          expect(span.startTimeUnixNano.padStart(20, "0") >= previous).toBe(true);
          previous = span.startTimeUnixNano.padStart(20, "0");
          count++;
        }
      }
      expect(count).toBe(3_000);
    });

    it("reports ClickHouse errors with their code", async () => {
      const error = await connection.rows(sql`SELECT 1 FROM ${identifier("no_such_db", "no_such_table")}`).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ClickHouseError);
      expect((error as ClickHouseError).code).toBe(81);
    });

    it("writes nothing from a gzip insert body cut off before its end, and everything from a whole one", async () => {
      const target = parseClickHouseUrl(await databases.fresh());
      const name = identifier(target.database, "cut");
      await connection.command(sql`CREATE DATABASE IF NOT EXISTS ${identifier(target.database)}`);
      await connection.command(sql`CREATE TABLE ${name} (n UInt64) ENGINE = MergeTree ORDER BY n`);
      const rows = Array.from({ length: 20_000 }, (_, n) => JSON.stringify({ n })).join("\n") + "\n";
      const body = gzipSync(rows, { level: 1 });
      const count = async () => Number((await connection.rows<{ c: string }>(sql`SELECT count() AS c FROM ${name}`))[0]!.c);
      for (const cut of [Math.floor(body.length / 2), body.length - 4, body.length - 1]) {
        await postInsert(target, name.text, body.subarray(0, cut), false);
        expect({ cut, rows: await count() }).toEqual({ cut, rows: 0 });
      }
      await postInsert(target, name.text, body, true);
      expect(await count()).toBe(20_000);
    });
  });
}

/** POSTs an insert body over raw HTTP; unless `complete`, closes the connection after writing it, as a killed process would. */
function postInsert(target: ReturnType<typeof parseClickHouseUrl>, table: string, body: Buffer, complete: boolean): Promise<void> {
  const endpoint = new URL(target.endpoint);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: endpoint.hostname,
      port: endpoint.port,
      method: "POST",
      path: `/?query=${encodeURIComponent(`INSERT INTO ${table} FORMAT JSONEachRow`)}`,
      headers: {
        authorization: `Basic ${Buffer.from(`${target.username}:${target.password}`).toString("base64")}`,
        "content-encoding": "gzip",
      },
    });
    // Destroying the request below makes it fail: expected, and settled by the timer there.
    request.on("error", (error) => (complete ? reject(error) : undefined));
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => (response.statusCode === 200 ? resolve() : reject(new Error(`insert answered ${response.statusCode}`))));
    });
    if (complete) {
      request.end(body);
      return;
    }
    request.write(body, () => {
      // Let ClickHouse read what was sent, then drop the connection mid-body; give it time to act.
      setTimeout(() => {
        request.destroy();
        setTimeout(resolve, 500);
      }, 200);
    });
  });
}
