/**
 * The ClickHouse store behind a write-ahead spool folder: a server reads its own writes at once,
 * other servers within the spool's delay; what a dead process left in the folder (whole records;
 * a record cut off by the crash was never acknowledged) is inserted by the next one; one process
 * owns a folder; a spool that ClickHouse cannot drain refuses batches instead of growing. The
 * process-level version (SIGKILL during ingest) is in crash.test.ts.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { traceIdToUuid } from "@agentops/semconv";
import { createServer } from "../src/server";
import { openStorage, type Storage } from "../src/storage";
import { ClickHouseConnection } from "../src/storage/clickhouse/connection";
import { identifier, sql } from "../src/storage/clickhouse/sql";
import { parseClickHouseUrl } from "../src/storage/url";
import type { RowBinaryWriter } from "../src/storage/clickhouse/row-binary";
import { InsertSpool, SpoolFullError } from "../src/storage/clickhouse/spool";
import { captureLogger } from "./utils/capture-logger";
import { CLICKHOUSE_URL, clickHouseDatabases } from "./utils/clickhouse-databases";
import { llmSpan, randomHex } from "./utils/storage-fixtures";

const T0 = Date.UTC(2026, 0, 1);
const batch = (traceId: string, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => llmSpan({ traceId, startMs: T0 + from + i, input: 10 }));

/** A spool file's record: a 4-byte length, then the body. */
const record = (text: string) => {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(Buffer.byteLength(text));
  return Buffer.concat([length, Buffer.from(text)]);
};

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the spool on its own", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "agentops-spool-"));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it("inserts the whole records a dead process left, skips a cut-off last one, and deletes the files", async () => {
    // What a process that died left: a segment of two records (a 4-byte length, then the body)
    // and a record whose write the crash cut off (its length says more than follows).
    const torn = Buffer.alloc(6);
    torn.writeUInt32LE(100);
    writeFileSync(path.join(folder, "000000000000001-000000001.spool"), Buffer.concat([record("one"), record("two"), torn]));
    writeFileSync(path.join(folder, "000000000000002-000000000.spool"), record("three"));
    writeFileSync(path.join(folder, "lock"), "999999999"); // a pid no process has

    const replayed: string[] = [];
    const second = await InsertSpool.open(folder, async (bodies) => {
      replayed.push(...bodies.map((body) => body.toString()));
    });
    await second.drain();
    expect(replayed).toEqual(["one", "two", "three"]);
    expect(readdirSync(folder).filter((name) => name.endsWith(".spool"))).toEqual([]);
    await second.close();
    expect(readdirSync(folder)).toEqual([]);
  });

  it("belongs to one process at a time", async () => {
    const spool = await InsertSpool.open(folder, async () => undefined);
    await expect(InsertSpool.open(folder, async () => undefined)).rejects.toThrow(/already open in this process/);
    // Another live process holds it (this one's parent stands in for it).
    await spool.close();
    writeFileSync(path.join(folder, "lock"), String(process.ppid));
    await expect(InsertSpool.open(folder, async () => undefined)).rejects.toThrow(/in use by process/);
  });

  it("keeps retrying an insert ClickHouse refuses, keeps the file meanwhile, and refuses batches past its limit", async () => {
    let failing = true;
    const inserted: string[] = [];
    const errors: unknown[] = [];
    const spool = await InsertSpool.open(
      folder,
      async (bodies) => {
        if (failing) throw new Error("ClickHouse is down");
        inserted.push(...bodies.map((body) => body.toString()));
      },
      { maxSpans: 2, maxPendingSpans: 4, onError: (error) => errors.push(error) },
    );
    await spool.append(Buffer.from("a"), 2); // a full segment: its insert starts and fails
    await spool.append(Buffer.from("b"), 2);
    await expect(spool.append(Buffer.from("c"), 1)).rejects.toBeInstanceOf(SpoolFullError);
    const deadline = Date.now() + 5000;
    while (errors.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(readdirSync(folder).filter((name) => name.endsWith(".spool")).length).toBe(2);
    failing = false;
    await spool.drain();
    expect(inserted).toEqual(["a", "b"]);
    await spool.append(Buffer.from("c"), 1); // room again
    await spool.close();
    expect(inserted).toEqual(["a", "b", "c"]);
  });

  it("reports what waits and for how long, since when inserts fail, and their recovery", async () => {
    let clock = 1_000_000_000;
    let failing = true;
    const attempts: number[] = [];
    const recoveries: [number, number][] = [];
    // A file an earlier process left 5 s ago (its name starts with the time it was made).
    writeFileSync(path.join(folder, `${String(clock - 5000).padStart(15, "0")}-000000007.spool`), record("left"));
    const spool = await InsertSpool.open(
      folder,
      async () => {
        if (failing) throw new Error("ClickHouse is down");
      },
      {
        maxDelayMs: 60_000,
        now: () => clock,
        onError: (_error, failedAttempts) => attempts.push(failedAttempts),
        onRecovered: (failedAttempts, failedForMs) => recoveries.push([failedAttempts, failedForMs]),
      },
    );
    await until(() => attempts.length >= 2, "two failed attempts");
    clock += 300;
    await spool.append(Buffer.from("a"), 3);
    const failingHealth = spool.health();
    expect(failingHealth).toMatchObject({ pendingSpans: 3, files: 2, oldestPendingMs: 5300, failingSinceMs: 1_000_000_000 });
    expect(failingHealth.failedAttempts).toBeGreaterThanOrEqual(2);
    expect(attempts.slice(0, 2)).toEqual([1, 2]); // counted in a row, from the first of the run

    failing = false;
    clock += 700;
    await spool.drain();
    expect(recoveries).toHaveLength(1);
    expect(recoveries[0]![0]).toBeGreaterThanOrEqual(2);
    expect(recoveries[0]![1]).toBe(1000);
    expect(spool.health()).toEqual({ pendingSpans: 0, files: 0, oldestPendingMs: 0, failingSinceMs: null, failedAttempts: 0 });
    await spool.close();
  });

  it("writes encoded bodies in place, copies one that outgrows its room, and appends nothing when encoding throws", async () => {
    const inserted: string[] = [];
    const spool = await InsertSpool.open(folder, async (bodies) => {
      inserted.push(...bodies.map((body) => body.toString()));
    }, { maxDelayMs: 60_000 });
    const text = (value: string) => (writer: RowBinaryWriter) => {
      for (const char of value) writer.uint8(char.charCodeAt(0));
    };
    await spool.appendEncoded(text("in place"), 1, 64);
    await spool.appendEncoded(text("x".repeat(5000)), 1, 16); // outgrows the 16 bytes asked for
    await expect(
      spool.appendEncoded(() => {
        throw new TypeError("not a safe integer");
      }, 1, 64),
    ).rejects.toThrow("not a safe integer");
    await spool.append(Buffer.from("copied"), 1);
    // Expected to be larger than a block of the spool's memory: encoded aside, then copied.
    await spool.appendEncoded(text("large batch"), 1, 8 * 1024 * 1024);
    await expect(
      spool.appendEncoded(() => {
        throw new TypeError("not a safe integer");
      }, 1, 8 * 1024 * 1024),
    ).rejects.toThrow("not a safe integer");
    expect(spool.health().pendingSpans).toBe(4);
    // The file holds exactly the four records, as a crash would leave them.
    const [file] = readdirSync(folder).filter((name) => name.endsWith(".spool"));
    const bytes = readFileSync(path.join(folder, file!));
    const records: string[] = [];
    for (let at = 0; at < bytes.length; ) {
      const length = bytes.readUInt32LE(at);
      records.push(bytes.subarray(at + 4, at + 4 + length).toString());
      at += 4 + length;
    }
    expect(records).toEqual(["in place", "x".repeat(5000), "copied", "large batch"]);
    await spool.close();
    expect(inserted).toEqual(records);
  });

  it("refuses appends once closed and leaves what ClickHouse refused at close for the next process", async () => {
    const spool = await InsertSpool.open(folder, async () => {
      throw new Error("ClickHouse is down");
    }, { maxDelayMs: 60_000 });
    await spool.append(Buffer.from("kept"), 1);
    await spool.close();
    await expect(spool.append(Buffer.from("late"), 1)).rejects.toThrow(/closed/);
    const files = readdirSync(folder).filter((name) => name.endsWith(".spool"));
    expect(files.length).toBe(1);
    const replayed: string[] = [];
    const next = await InsertSpool.open(folder, async (bodies) => {
      replayed.push(...bodies.map((body) => body.toString()));
    });
    await next.close();
    expect(replayed).toEqual(["kept"]);
  });

  it("starts an insert once minSpans wait and an insert slot is free, and sends what gathered meanwhile as soon as one frees", async () => {
    const inserts: string[][] = [];
    const finishers: (() => void)[] = [];
    const spool = await InsertSpool.open(
      folder,
      (bodies) => {
        inserts.push(bodies.map((body) => body.toString()));
        return new Promise<void>((resolve) => finishers.push(resolve));
      },
      { minSpans: 2, maxSpans: 100, maxDelayMs: 60_000, concurrency: 2 },
    );
    const insertCount = async (count: number, waitMs = 5000) => {
      const deadline = Date.now() + waitMs;
      while (inserts.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      return inserts.length;
    };
    const append = (...texts: string[]) => Promise.all(texts.map((text) => spool.append(Buffer.from(text), 1)));
    await append("a");
    expect(await insertCount(1, 100)).toBe(0); // one span: it waits for company (up to maxDelayMs)
    await append("b");
    expect(await insertCount(1)).toBe(1); // two, and ClickHouse is idle: they go
    await append("c", "d");
    expect(await insertCount(2)).toBe(2); // a second insert beside the first
    await append("e", "f", "g");
    expect(await insertCount(3, 100)).toBe(2); // both slots taken: the next ones gather
    finishers[0]!();
    expect(await insertCount(3)).toBe(3); // and go as soon as one ends, as one insert
    expect(inserts).toEqual([["a", "b"], ["c", "d"], ["e", "f", "g"]]);
    for (const finish of finishers) finish();
    await spool.close();
    expect(readdirSync(folder).filter((name) => name.endsWith(".spool"))).toEqual([]);
  });

  it("starts a new file after a failed write, so a record the failure cut off cannot hide the ones after it", async () => {
    // A write that stops part way (a full disk): only the record's length reaches the file.
    const probe = await open(path.join(folder, "probe"), "w");
    const handlePrototype = Object.getPrototypeOf(probe) as { writev: (buffers: Buffer[]) => Promise<unknown> };
    await probe.close();
    rmSync(path.join(folder, "probe"));
    const writev = handlePrototype.writev;
    let fail = false;
    const spy = jest.spyOn(handlePrototype, "writev").mockImplementation(async function (this: unknown, buffers: Buffer[]) {
      if (!fail) return writev.call(this, buffers);
      fail = false;
      await writev.call(this, [buffers[0]!.subarray(0, 4)]);
      throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
    });
    const spool = await InsertSpool.open(folder, async () => {
      throw new Error("ClickHouse is down");
    }, { maxDelayMs: 60_000 });
    try {
      await spool.append(Buffer.from("first"), 1);
      fail = true;
      await expect(spool.append(Buffer.from("refused"), 1)).rejects.toThrow(/no space/);
      await spool.append(Buffer.from("after"), 1);
      await spool.close(); // ClickHouse refuses: the files stay, as after a crash
    } finally {
      spy.mockRestore();
    }
    const replayed: string[] = [];
    const next = await InsertSpool.open(folder, async (bodies) => {
      replayed.push(...bodies.map((body) => body.toString()));
    });
    await next.close();
    expect(replayed).toEqual(["first", "after"]);
  });
});

if (!CLICKHOUSE_URL) {
  console.warn("ClickHouse spool checks NOT RUN: set AGENTOPS_TEST_CLICKHOUSE_URL=clickhouse://user:password@host:8123/database");
  test.skip("ClickHouse spool checks NOT RUN (AGENTOPS_TEST_CLICKHOUSE_URL is not set)", () => undefined);
} else {
  const url = CLICKHOUSE_URL;
  describe("the ClickHouse store with a spool folder", () => {
    const databases = clickHouseDatabases(url);
    const opened: Storage[] = [];
    let folder: string;
    beforeEach(() => {
      folder = mkdtempSync(path.join(tmpdir(), "agentops-spool-store-"));
    });
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((storage) => storage.close()));
      rmSync(folder, { recursive: true, force: true });
    });
    afterAll(() => databases.dropAll());

    it("reads its own writes at once, and another server reads them once the spool inserted them", async () => {
      const target = await databases.fresh();
      const spooled = await openStorage(target, { spoolDir: folder });
      const other = await openStorage(target);
      opened.push(spooled, other);
      const project = await spooled.createProject("p", randomHex(8), "hash");
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      await spooled.ingest(project.id, batch(traceId, 0, 40));
      await spooled.ingest(project.id, batch(traceId, 40, 10));
      expect(readdirSync(folder).some((name) => name.endsWith(".spool"))).toBe(true);
      expect(await spooled.sessionStats(project.id, sessionId)).toMatchObject({ llm_calls: 50, prompt_tokens: 500 });
      expect(readdirSync(folder).filter((name) => name.endsWith(".spool"))).toEqual([]);
      expect(await other.sessionStats(project.id, sessionId)).toMatchObject({ llm_calls: 50 });

      // Without a read on the spooling server, its writes reach ClickHouse within the delay.
      await spooled.ingest(project.id, batch(traceId, 50, 5));
      const deadline = Date.now() + 10_000;
      let seen = 0;
      while (seen !== 55 && Date.now() < deadline) {
        seen = (await other.sessionStats(project.id, sessionId))?.llm_calls ?? 0;
        if (seen !== 55) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(seen).toBe(55);
    });

    it("inserts at open what a closed server could not, and counts a batch in the spool and in ClickHouse once", async () => {
      const target = await databases.fresh();
      const first = await openStorage(target, { spoolDir: folder });
      const project = await first.createProject("p", randomHex(8), "hash");
      const traceId = randomHex(16);
      const spans = batch(traceId, 0, 20);
      await first.ingest(project.id, spans);
      // The same batch straight into ClickHouse too (a redelivery through another server).
      const direct = await openStorage(target);
      opened.push(direct);
      await direct.ingest(project.id, spans);
      // Leave the spool file as a killed process would: copy it aside before the close inserts it.
      const [file] = readdirSync(folder).filter((name) => name.endsWith(".spool"));
      const saved = readFileSync(path.join(folder, file!));
      await first.close();
      writeFileSync(path.join(folder, file!), saved);
      const second = await openStorage(target, { spoolDir: folder });
      opened.push(second);
      expect(await second.sessionStats(project.id, traceIdToUuid(traceId))).toMatchObject({ llm_calls: 20, prompt_tokens: 200 });
      expect(readdirSync(folder).filter((name) => name.endsWith(".spool"))).toEqual([]);
    });

    it("shows on /healthz and in the log a ClickHouse that refuses the spool's inserts, and its recovery", async () => {
      const target = await databases.fresh();
      const storage = await openStorage(target, { spoolDir: folder });
      opened.push(storage);
      const lines: unknown[][] = [];
      const app = createServer({ storage, dashboardDir: false, alerts: false, logger: captureLogger(lines) });
      const base = await app.listen({ port: 0, host: "127.0.0.1" });
      const admin = new ClickHouseConnection(parseClickHouseUrl(target), { maxConnections: 1 });
      const spansTable = sql`${identifier(new URL(target).pathname.slice(1))}.spans`;
      const health = async () => (await (await fetch(`${base}/healthz`)).json()) as Record<string, any>;
      try {
        expect(await health()).toEqual({
          status: "ok",
          spool: { pending_spans: 0, files: 0, oldest_pending_ms: 0, failing_since: null, failed_attempts: 0 },
        });
        const project = await storage.createProject("p", randomHex(8), "hash");
        const traceId = randomHex(16);
        // Inserts fail while the table is away; the batch is acknowledged (it is on disk).
        await admin.command(sql`DETACH TABLE ${spansTable}`);
        await storage.ingest(project.id, batch(traceId, 0, 30));
        let seen = await health();
        const deadline = Date.now() + 10_000;
        while (seen.spool.failed_attempts < 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          seen = await health();
        }
        expect(seen.status).toBe("ok"); // still taking traffic: the spool holds the batches
        expect(seen.spool).toMatchObject({ pending_spans: 30, files: 1 });
        expect(seen.spool.failed_attempts).toBeGreaterThanOrEqual(2);
        expect(Date.parse(seen.spool.failing_since)).toBeLessThanOrEqual(Date.now());
        expect(seen.spool.oldest_pending_ms).toBeGreaterThanOrEqual(1000); // the spool's delay, then the failures
        // One warning for the run of failures, not one per attempt.
        const warnings = lines.filter(([, message]) => message === "spooled spans could not be inserted yet; retrying");
        expect(warnings).toHaveLength(1);
        expect(warnings[0]![0]).toMatchObject({
          spool: { pending_spans: 30, files: 1, failed_attempts: 1 },
          err: expect.stringMatching(/doesn't exist/),
        });

        await admin.command(sql`ATTACH TABLE ${spansTable}`);
        await until(() => lines.some(([, message]) => message === "spooled spans are being inserted again"), "the recovery");
        const [recovered] = lines.filter(([, message]) => message === "spooled spans are being inserted again");
        expect((recovered![0] as Record<string, number>).failed_attempts).toBeGreaterThanOrEqual(2);
        expect((recovered![0] as Record<string, number>).failed_for_ms).toBeGreaterThan(0);
        expect((await health()).spool).toEqual({ pending_spans: 0, files: 0, oldest_pending_ms: 0, failing_since: null, failed_attempts: 0 });
        expect(await storage.sessionStats(project.id, traceIdToUuid(traceId))).toMatchObject({ llm_calls: 30, prompt_tokens: 300 });
      } finally {
        await app.close();
        await admin.close();
      }
    });
  });
}
