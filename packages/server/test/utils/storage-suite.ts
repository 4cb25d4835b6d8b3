import { formatCost } from "@agentops/pricing";
import { traceIdToUuid } from "@agentops/semconv";
import {
  openStorage,
  StorageQueryError,
  UnknownProjectError,
  type OpenStorageOptions,
} from "../../src/storage";
import type { NormalizedSpan, SessionStats, Storage, StoredSpan } from "../../src/storage/types";
import {
  actionSpan,
  errorSpan,
  expectedStats,
  llmSpan,
  markerSpan,
  otherSpan,
  prng,
  processResource,
  randomHex,
  rootSpan,
  shuffle,
  toolSpan,
  type ExpectedStats,
} from "./storage-fixtures";

/** How the shared suite reaches a database engine. */
export interface StorageTarget {
  /** The URL of a new, empty database (or schema), for one test. */
  freshUrl(): Promise<string>;
}

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/**
 * The behaviour every store must have, run against each engine with real databases. A test
 * opens its own fresh database, so tests never see each other's data.
 */
export function describeStorageSuite(label: string, getTarget: () => StorageTarget): void {
  describe(`${label} storage`, () => {
    const opened: Storage[] = [];

    async function open(url: string, options?: OpenStorageOptions): Promise<Storage> {
      const storage = await openStorage(url, options);
      opened.push(storage);
      return storage;
    }

    async function freshStore(
      options?: OpenStorageOptions,
    ): Promise<{ storage: Storage; url: string; projectId: string }> {
      const url = await getTarget().freshUrl();
      const storage = await open(url, options);
      const project = await storage.createProject("test", randomHex(8), "hash");
      return { storage, url, projectId: project.id };
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((storage) => storage.close()));
    });

    async function allSpans(
      storage: Storage,
      projectId: string,
      sessionId: string,
      batchSize?: number,
    ) {
      const pages: StoredSpan[][] = [];
      for await (const page of storage.sessionSpans(projectId, sessionId, batchSize))
        pages.push(page);
      return pages;
    }

    function expectStats(
      stats: SessionStats | undefined,
      expected: ExpectedStats,
      ended = true,
    ): void {
      expect(stats).toBeDefined();
      expect(stats).toMatchObject({
        llm_calls: expected.llm_calls,
        tool_calls: expected.tool_calls,
        actions: expected.actions,
        errors: expected.errors,
        events: expected.events,
        prompt_tokens: expected.prompt_tokens,
        completion_tokens: expected.completion_tokens,
        cached_tokens: expected.cached_tokens,
        reasoning_tokens: expected.reasoning_tokens,
        total_tokens: expected.total_tokens,
        start_timestamp: expected.start_timestamp,
        end_state: expected.end_state,
        end_state_reason: expected.end_state_reason,
        tags: expected.tags,
      });
      expect(Math.abs(Number(stats!.cost) - expected.cost)).toBeLessThan(1.5e-6);
      if (ended) expect(stats!.end_timestamp).toBe(new Date(expected.endMs).toISOString());
    }

    /** A typical single-process session: root, start marker, 3 LLM calls, 2 tools, 6 actions, 1 error. */
    function typicalSession(
      traceId: string,
      resource = processResource("app", 1),
    ): NormalizedSpan[] {
      const root = randomHex(8);
      const child = { traceId, parentSpanId: root, resource };
      const spans = [
        rootSpan({
          traceId,
          spanId: root,
          startMs: T0,
          endMs: T0 + 5_000,
          endState: "Success",
          tags: ["a", "b"],
          resource,
        }),
        markerSpan({ ...child, startMs: T0 + 1, tags: ["a"] }),
      ];
      for (let i = 0; i < 3; i++) spans.push(llmSpan({ ...child, startMs: T0 + 100 + i * 100 }));
      for (let i = 0; i < 2; i++) spans.push(toolSpan({ ...child, startMs: T0 + 1_000 + i * 100 }));
      for (let i = 0; i < 6; i++)
        spans.push(actionSpan({ ...child, startMs: T0 + 2_000 + i * 100 }));
      spans.push(errorSpan({ ...child, startMs: T0 + 3_000 }));
      return spans;
    }

    test("ingest stores a session and its stats match the contract", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const result = await storage.ingest(projectId, typicalSession(traceId));
      expect(result).toEqual({ accepted: 14 });

      const stats = await storage.sessionStats(projectId, sessionId);
      expect(stats).toEqual({
        session_id: sessionId,
        project_id: projectId,
        start_timestamp: new Date(T0).toISOString(),
        end_timestamp: new Date(T0 + 5_000).toISOString(),
        duration_ms: 5_000,
        end_state: "Success",
        end_state_reason: null,
        tags: ["a", "b"],
        events: 12,
        llm_calls: 3,
        tool_calls: 2,
        actions: 6,
        errors: 1,
        prompt_tokens: 3_000,
        completion_tokens: 1_500,
        cached_tokens: 0,
        reasoning_tokens: 0,
        total_tokens: 4_500,
        cost: "0.022500",
        scores: {},
      });
      expect(await storage.recomputeStats(projectId, sessionId)).toEqual(stats);
      // A session id is accepted in any case and without dashes.
      expect(await storage.sessionStats(projectId, traceId.toUpperCase())).toEqual(stats);
      expect(await storage.sessionStats(projectId, traceIdToUuid(randomHex(16)))).toBeUndefined();
      expect(await storage.sessionStats(projectId, "not-a-session")).toBeUndefined();
    });

    test("a redelivered span changes nothing", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const spans = typicalSession(traceId);
      await storage.ingest(projectId, spans);
      const first = await storage.sessionStats(projectId, sessionId);

      await storage.ingest(projectId, spans);
      await storage.ingest(projectId, [spans[3]!, spans[3]!, spans[0]!]);
      expect(await storage.sessionStats(projectId, sessionId)).toEqual(first);

      // A batch mixing old and new spans counts only the new ones, even when a span repeats within it.
      const extra = llmSpan({
        traceId,
        parentSpanId: spans[0]!.spanId,
        startMs: T0 + 4_000,
        cost: 0.5,
      });
      await storage.ingest(projectId, [spans[2]!, extra, extra, spans[5]!]);
      const after = await storage.sessionStats(projectId, sessionId);
      expect(after).toMatchObject({
        llm_calls: 4,
        events: 13,
        prompt_tokens: 4_000,
        cost: "0.522500",
      });
      expect(await storage.recomputeStats(projectId, sessionId)).toEqual(after);
      const stored = (await allSpans(storage, projectId, sessionId)).flat();
      expect(stored).toHaveLength(15);
      expect(new Set(stored.map((span) => span.spanId)).size).toBe(15);

      // A span id is unique within its trace only: the same id in two sessions of one batch is
      // two spans, and a repeat of either is still left out (the first of duplicates kept).
      const otherTrace = randomHex(16);
      const sharedId = randomHex(8);
      const here = llmSpan({ traceId, spanId: sharedId, startMs: T0 + 6_000, cost: 0.25 });
      const there = llmSpan({ traceId: otherTrace, spanId: sharedId, startMs: T0 + 6_000, cost: 0.125 });
      const hereAgain = llmSpan({ traceId, spanId: sharedId, startMs: T0 + 6_000, cost: 9 });
      await storage.ingest(projectId, [here, there, hereAgain]);
      expect(await storage.sessionStats(projectId, sessionId)).toMatchObject({ llm_calls: 5, events: 14, cost: "0.772500" });
      expect(await storage.sessionStats(projectId, traceIdToUuid(otherTrace))).toMatchObject({ llm_calls: 1, cost: "0.125000" });
    });

    test("rollups equal recomputation and independent expectations after a randomized workload", async () => {
      const { storage, url, projectId } = await freshStore();
      const random = prng(20260115);
      const processes = [
        processResource("planner", 101),
        processResource("worker", 202),
        processResource("worker", 303),
      ];
      const sessions = new Map<string, NormalizedSpan[]>();
      const all: NormalizedSpan[] = [];
      for (let s = 0; s < 6; s++) {
        const traceId = randomHex(16, random);
        const start = T0 + s * 10 * MINUTE;
        const rootId = randomHex(8, random);
        const owner = processes[s % processes.length]!;
        const spans: NormalizedSpan[] = [];
        const hasRoot = s !== 5; // one session's root never arrives
        if (hasRoot) {
          const states = ["Success", "Fail", "StatusCode.ERROR", "Indeterminate", "SUCCESS"];
          spans.push(
            rootSpan({
              traceId,
              spanId: rootId,
              startMs: start,
              endMs: start + 9 * MINUTE,
              endState: states[s % states.length],
              reason: s % 2 ? `reason ${s}` : undefined,
              tags: [`final-${s}`, "all"],
              resource: owner,
            }),
          );
        }
        spans.push(
          markerSpan({
            traceId,
            parentSpanId: rootId,
            startMs: start + 1,
            tags: [`start-${s}`],
            resource: owner,
          }),
        );
        spans.push(
          markerSpan({
            traceId,
            parentSpanId: rootId,
            update: true,
            startMs: start + 2 * MINUTE,
            tags: [`update-${s}`],
            resource: owner,
          }),
        );
        const events = 80 + Math.floor(random() * 80);
        for (let e = 0; e < events; e++) {
          const resource = processes[Math.floor(random() * processes.length)]!;
          const at = start + 1_000 + Math.floor(random() * 8 * MINUTE);
          const parent = resource === owner ? rootId : null; // joined processes send roots of the trace
          const common = {
            traceId,
            parentSpanId: parent,
            startMs: at,
            endMs: at + Math.floor(random() * 3_000),
            resource,
          };
          const pick = random();
          if (pick < 0.35) {
            spans.push(
              llmSpan({
                ...common,
                input: Math.floor(random() * 5_000),
                output: Math.floor(random() * 2_000),
                cached: Math.floor(random() * 500),
                reasoning: Math.floor(random() * 300),
                statusCode: random() < 0.1 ? 2 : 0,
                cost: random() < 0.3 ? Math.round(random() * 1e6) / 1e7 : undefined,
                model: random() < 0.5 ? "gpt-4o" : "gpt-4o-mini",
              }),
            );
          } else if (pick < 0.55)
            spans.push(toolSpan({ ...common, statusCode: random() < 0.1 ? 2 : 0 }));
          else if (pick < 0.8) spans.push(actionSpan(common));
          else if (pick < 0.9) spans.push(errorSpan(common));
          else spans.push(otherSpan(common));
        }
        sessions.set(traceId, spans);
        all.push(...spans);
      }

      // Out-of-order batches with ~25% redelivered spans, from two stores sharing the database.
      const second = await open(url);
      const deliveries = shuffle([...all, ...all.filter(() => random() < 0.25)], random);
      const batches: NormalizedSpan[][] = [];
      for (let i = 0; i < deliveries.length; ) {
        const size = 1 + Math.floor(random() * 120);
        batches.push(deliveries.slice(i, i + size));
        i += size;
      }
      await Promise.all(
        batches.map((batch, i) => (i % 2 ? second : storage).ingest(projectId, batch)),
      );

      // The same workload, in reverse and in other batches, into another project: same rollups.
      const other = await storage.createProject("mirror", randomHex(8), "hash");
      const reversed = [...all].reverse();
      for (let i = 0; i < reversed.length; i += 500)
        await storage.ingest(other.id, reversed.slice(i, i + 500));

      for (const [traceId, spans] of sessions) {
        const sessionId = traceIdToUuid(traceId);
        const readAt = Date.now();
        const stats = await storage.sessionStats(projectId, sessionId, readAt);
        const expected = expectedStats(spans);
        expectStats(stats, expected, expected.end_state !== null);
        expect(await storage.recomputeStats(projectId, sessionId, readAt)).toEqual(stats);
        const mirrored = await storage.sessionStats(other.id, sessionId, readAt);
        expect({ ...mirrored, project_id: projectId }).toEqual(stats);
        const stored = (await allSpans(storage, projectId, sessionId, 37)).flat();
        expect(stored).toHaveLength(new Set(spans.map((span) => span.spanId)).size);
      }
    });

    test("a session's spans from several processes, late and out of order, land in one session", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const parent = processResource("parent", 10);
      const child = processResource("child", 20);
      const rootId = randomHex(8);
      // The child process joined with the id only: its spans are roots of the same trace.
      const childSpans = [
        llmSpan({ traceId, startMs: T0 + 2_000, resource: child, cost: 0.25 }),
        toolSpan({ traceId, startMs: T0 + 2_500, resource: child }),
      ];
      const parentSpans = [
        markerSpan({
          traceId,
          parentSpanId: rootId,
          startMs: T0 + 1,
          tags: ["x"],
          resource: parent,
        }),
        actionSpan({ traceId, parentSpanId: rootId, startMs: T0 + 100, resource: parent }),
      ];
      const root = rootSpan({
        traceId,
        spanId: rootId,
        startMs: T0,
        endMs: T0 + 3_000,
        endState: "Success",
        resource: parent,
      });
      const late = actionSpan({
        traceId,
        parentSpanId: rootId,
        startMs: T0 + 2_900,
        endMs: T0 + 4_000,
        resource: parent,
      });

      await storage.ingest(projectId, childSpans);
      const early = await storage.sessionInfo(projectId, sessionId);
      expect(early?.host_env).toEqual(child);
      expect(early?.end_state).toBeNull();

      await storage.ingest(projectId, parentSpans);
      expect((await storage.sessionInfo(projectId, sessionId))?.host_env).toEqual(parent);
      await storage.ingest(projectId, [root]);
      await storage.ingest(projectId, [late]);

      const stats = await storage.sessionStats(projectId, sessionId);
      expect(stats).toMatchObject({
        llm_calls: 1,
        tool_calls: 1,
        actions: 2,
        events: 4,
        cost: "0.250000",
        end_state: "Success",
        start_timestamp: new Date(T0).toISOString(),
        end_timestamp: new Date(T0 + 4_000).toISOString(),
        duration_ms: 4_000,
        tags: ["x"],
      });
      expect(await storage.recomputeStats(projectId, sessionId)).toEqual(stats);
      const info = await storage.sessionInfo(projectId, sessionId);
      expect(info).toEqual({
        id: sessionId,
        project_id: projectId,
        start_timestamp: stats!.start_timestamp,
        end_timestamp: stats!.end_timestamp,
        end_state: "Success",
        end_state_reason: null,
        tags: ["x"],
        host_env: parent,
        video: null,
      });
    });

    test("a session whose root never arrives runs, then times out as Indeterminate", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const rootId = randomHex(8);
      await storage.ingest(projectId, [
        markerSpan({
          traceId,
          parentSpanId: rootId,
          startMs: T0,
          tags: ["nightly"],
          video: "https://v/1",
        }),
        llmSpan({ traceId, parentSpanId: rootId, startMs: T0 + 10, endMs: T0 + 510 }),
      ]);
      const now = Date.now();
      const running = await storage.sessionStats(projectId, sessionId, now);
      expect(running).toMatchObject({
        end_state: null,
        end_state_reason: null,
        end_timestamp: null,
        duration_ms: 510,
        tags: ["nightly"],
      });
      expect((await storage.sessionInfo(projectId, sessionId, now))?.video).toBe("https://v/1");

      const later = now + 30 * MINUTE + 1_000;
      const timedOut = await storage.sessionStats(projectId, sessionId, later);
      expect(timedOut).toMatchObject({
        end_state: "Indeterminate",
        end_state_reason: "timed out",
        end_timestamp: new Date(T0 + 510).toISOString(),
      });
      expect(await storage.recomputeStats(projectId, sessionId, later)).toEqual(timedOut);
      expect(await storage.sessionInfo(projectId, sessionId, later)).toMatchObject({
        end_state: "Indeterminate",
        end_state_reason: "timed out",
      });
      const listed = await storage.listSessions(projectId, { limit: 10 }, later);
      expect(listed.sessions).toEqual([timedOut]);

      // The root arriving late ends it for real.
      await storage.ingest(projectId, [
        rootSpan({
          traceId,
          spanId: rootId,
          startMs: T0 - 5,
          endMs: T0 + 600,
          endState: "Fail",
          reason: "boom",
        }),
      ]);
      expect(await storage.sessionStats(projectId, sessionId, later)).toMatchObject({
        end_state: "Failure",
        end_state_reason: "boom",
        start_timestamp: new Date(T0 - 5).toISOString(),
      });
    });

    test("the session timeout is configurable", async () => {
      const { storage, projectId } = await freshStore({ sessionTimeoutMs: 1_000 });
      const traceId = randomHex(16);
      await storage.ingest(projectId, [actionSpan({ traceId, startMs: T0 })]);
      const now = Date.now();
      expect(
        (await storage.sessionStats(projectId, traceIdToUuid(traceId), now))?.end_state,
      ).toBeNull();
      expect(
        (await storage.sessionStats(projectId, traceIdToUuid(traceId), now + 5_000))?.end_state,
      ).toBe("Indeterminate");
    });

    test("the root's end state wins over markers; tags and video follow the latest change in any order", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const rootId = randomHex(8);
      const spans = [
        markerSpan({ traceId, parentSpanId: rootId, startMs: T0 + 1, tags: ["a"] }),
        markerSpan({
          traceId,
          parentSpanId: rootId,
          update: true,
          startMs: T0 + 50,
          tags: ["a", "b"],
          video: "v1",
        }),
        markerSpan({ traceId, parentSpanId: rootId, update: true, startMs: T0 + 90, video: "v2" }),
        rootSpan({
          traceId,
          spanId: rootId,
          startMs: T0,
          endMs: T0 + 100,
          endState: "Success",
          reason: "done",
          tags: ["a", "b", "c"],
        }),
        // A marker claiming another end state after the root ended does not override it.
        markerSpan({
          traceId,
          parentSpanId: rootId,
          update: true,
          startMs: T0 + 200,
          endState: "Failure",
        }),
      ];
      for (const span of [...spans].reverse()) await storage.ingest(projectId, [span]);
      const stats = await storage.sessionStats(projectId, sessionId);
      expect(stats).toMatchObject({
        end_state: "Success",
        end_state_reason: "done",
        tags: ["a", "b", "c"],
      });
      expect((await storage.sessionInfo(projectId, sessionId))?.video).toBe("v2");
      expect(await storage.recomputeStats(projectId, sessionId)).toEqual(stats);

      // Without the root, the latest marker's tags win whatever the arrival order.
      const other = randomHex(16);
      const markers = [
        markerSpan({ traceId: other, parentSpanId: rootId, startMs: T0 + 1, tags: ["one"] }),
        markerSpan({
          traceId: other,
          parentSpanId: rootId,
          update: true,
          startMs: T0 + 5,
          tags: ["one", "two"],
        }),
        markerSpan({
          traceId: other,
          parentSpanId: rootId,
          update: true,
          startMs: T0 + 9,
          tags: [],
        }),
      ];
      await storage.ingest(projectId, [markers[2]!]);
      await storage.ingest(projectId, [markers[0]!, markers[1]!]);
      expect((await storage.sessionStats(projectId, traceIdToUuid(other)))?.tags).toEqual([]);
    });

    test("a project never sees another project's session", async () => {
      const { storage, projectId } = await freshStore();
      const other = await storage.createProject("other", randomHex(8), "hash");
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      await storage.ingest(projectId, typicalSession(traceId));

      expect(await storage.sessionStats(other.id, sessionId)).toBeUndefined();
      expect(await storage.recomputeStats(other.id, sessionId)).toBeUndefined();
      expect(await storage.sessionInfo(other.id, sessionId)).toBeUndefined();
      expect(await allSpans(storage, other.id, sessionId)).toEqual([]);
      expect(await storage.listSessions(other.id, { limit: 200 })).toEqual({
        sessions: [],
        next_cursor: null,
      });
      for (const unknown of ["no-such-project", traceIdToUuid(randomHex(16))]) {
        expect(await storage.sessionStats(unknown, sessionId)).toBeUndefined();
        expect(await storage.listSessions(unknown, { limit: 10 })).toEqual({
          sessions: [],
          next_cursor: null,
        });
      }
      await expect(
        storage.ingest("no-such-project", typicalSession(traceId)),
      ).rejects.toBeInstanceOf(UnknownProjectError);

      // The same trace id sent by another project is a different session.
      await storage.ingest(other.id, [actionSpan({ traceId, startMs: T0 + 7 })]);
      expect(await storage.sessionStats(other.id, sessionId)).toMatchObject({
        actions: 1,
        events: 1,
        end_state: null,
      });
      expect(await storage.sessionStats(projectId, sessionId)).toMatchObject({
        actions: 6,
        events: 12,
      });
      expect((await allSpans(storage, other.id, sessionId)).flat()).toHaveLength(1);
    });

    test("listSessions pages newest first and filters by tag, end state and time", async () => {
      const { storage, projectId } = await freshStore();
      const states = ["Success", "Failure", "Indeterminate", null] as const;
      const created: Array<{
        sessionId: string;
        startMs: number;
        state: string | null;
        tags: string[];
      }> = [];
      const spans: NormalizedSpan[] = [];
      for (let i = 0; i < 25; i++) {
        const traceId = randomHex(16);
        // Groups of three share a start time, so paging must order ties by id.
        const startMs = T0 + Math.floor(i / 3) * MINUTE;
        const state = states[i % 4]!;
        const tags = i % 2 ? ["odd", `n${i}`] : ["even", `n${i}`];
        created.push({ sessionId: traceIdToUuid(traceId), startMs, state, tags });
        spans.push(
          state === null
            ? markerSpan({ traceId, startMs, tags })
            : rootSpan({ traceId, startMs, endMs: startMs + 1_000, endState: state, tags }),
        );
      }
      await storage.ingest(projectId, shuffle(spans, prng(7)));
      const now = Date.now();
      const newestFirst = [...created].sort(
        (a, b) => b.startMs - a.startMs || (a.sessionId < b.sessionId ? 1 : -1),
      );

      const seen: SessionStats[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await storage.listSessions(projectId, { limit: 7, cursor }, now);
        seen.push(...page.sessions);
        if (!page.next_cursor) break;
        cursor = page.next_cursor;
      }
      expect(seen.map((s) => s.session_id)).toEqual(newestFirst.map((s) => s.sessionId));
      expect(seen[0]).toEqual(await storage.sessionStats(projectId, seen[0]!.session_id, now));

      const ids = async (query: Parameters<Storage["listSessions"]>[1], at = now) =>
        (await storage.listSessions(projectId, query, at)).sessions.map((s) => s.session_id);
      expect(await ids({ limit: 200, tag: "odd" })).toEqual(
        newestFirst.filter((s) => s.tags.includes("odd")).map((s) => s.sessionId),
      );
      expect(await ids({ limit: 200, tag: "n4" })).toEqual([created[4]!.sessionId]);
      expect(await ids({ limit: 200, tag: "od" })).toEqual([]);
      for (const state of ["Success", "Failure", "Indeterminate"] as const) {
        expect(await ids({ limit: 200, endState: state })).toEqual(
          newestFirst.filter((s) => s.state === state).map((s) => s.sessionId),
        );
      }
      const running = newestFirst.filter((s) => s.state === null).map((s) => s.sessionId);
      expect(await ids({ limit: 200, endState: "running" })).toEqual(running);
      // Once the running ones time out they are Indeterminate, and none runs.
      const later = now + 31 * MINUTE;
      expect(await ids({ limit: 200, endState: "running" }, later)).toEqual([]);
      expect(await ids({ limit: 200, endState: "Indeterminate" }, later)).toEqual(
        newestFirst
          .filter((s) => s.state === "Indeterminate" || s.state === null)
          .map((s) => s.sessionId),
      );
      const from = new Date(T0 + 2 * MINUTE).toISOString();
      const to = new Date(T0 + 5 * MINUTE).toISOString();
      expect(await ids({ limit: 200, from, to })).toEqual(
        newestFirst
          .filter((s) => s.startMs >= T0 + 2 * MINUTE && s.startMs < T0 + 5 * MINUTE)
          .map((s) => s.sessionId),
      );
      expect(await ids({ limit: 200, from, to, tag: "even", endState: "Success" })).toEqual(
        newestFirst
          .filter(
            (s) =>
              s.startMs >= T0 + 2 * MINUTE &&
              s.startMs < T0 + 5 * MINUTE &&
              s.tags.includes("even") &&
              s.state === "Success",
          )
          .map((s) => s.sessionId),
      );
      const one = await storage.listSessions(projectId, { limit: 0 }, now);
      expect(one.sessions).toHaveLength(1);
      expect((await storage.listSessions(projectId, { limit: 500 }, now)).sessions).toHaveLength(
        25,
      );
      await expect(
        storage.listSessions(projectId, { limit: 5, cursor: "garbage" }),
      ).rejects.toBeInstanceOf(StorageQueryError);
      await expect(
        storage.listSessions(projectId, { limit: 5, from: "yesterday" }),
      ).rejects.toBeInstanceOf(StorageQueryError);
    });

    test("usage sums LLM calls per UTC day and model, equal to the sessions' totals, per project and range", async () => {
      const { storage, projectId } = await freshStore();
      const other = await storage.createProject("other", randomHex(8), "hash");
      const random = prng(11);
      const models = ["gpt-4o", "claude-sonnet-4", "o3-mini"];
      const DAY = 24 * 60 * MINUTE;
      // Sessions over four UTC days, some starting just before midnight so their calls straddle it.
      const workload = async (project: string, sessions: number) => {
        const expected = new Map<string, { calls: number; prompt: number; completion: number; cached: number; reasoning: number; pico: number }>();
        const ids: string[] = [];
        const spans: NormalizedSpan[] = [];
        for (let s = 0; s < sessions; s++) {
          const traceId = randomHex(16, random);
          ids.push(traceIdToUuid(traceId));
          const start = T0 + Math.floor(random() * 4) * DAY + (s % 3 === 0 ? 12 * 60 * MINUTE - 30_000 : 0);
          const root = randomHex(8, random);
          spans.push(rootSpan({ traceId, spanId: root, startMs: start, endMs: start + 60_000, endState: "Success", tags: s % 2 ? ["odd"] : ["even"] }));
          for (let c = 0; c < 1 + Math.floor(random() * 5); c++) {
            const startMs = start + c * 10_000;
            const model = models[Math.floor(random() * models.length)]!;
            const call = {
              input: 1 + Math.floor(random() * 5000),
              output: Math.floor(random() * 2000),
              cached: Math.floor(random() * 100),
              reasoning: Math.floor(random() * 50),
              cost: Math.floor(random() * 100_000) / 1e6,
            };
            spans.push(llmSpan({ traceId, parentSpanId: root, startMs, model, ...call }));
            const key = `${new Date(startMs).toISOString().slice(0, 10)} ${model}`;
            const entry = expected.get(key) ?? { calls: 0, prompt: 0, completion: 0, cached: 0, reasoning: 0, pico: 0 };
            entry.calls++;
            entry.prompt += call.input;
            entry.completion += call.output;
            entry.cached += call.cached;
            entry.reasoning += call.reasoning;
            entry.pico += Math.round(call.cost * 1e12);
            expected.set(key, entry);
          }
          spans.push(toolSpan({ traceId, parentSpanId: root, startMs: start + 1_000 }));
          spans.push(actionSpan({ traceId, parentSpanId: root, startMs: start + 2_000 }));
        }
        await storage.ingest(project, shuffle(spans, random));
        return { expected, ids };
      };
      const mine = await workload(projectId, 24);
      const theirs = await workload(other.id, 9);

      const rows = await storage.usage(projectId, {});
      const keys = rows.map((row) => `${row.day} ${row.model}`);
      expect(keys).toEqual([...mine.expected.keys()].sort());
      for (const row of rows) {
        const entry = mine.expected.get(`${row.day} ${row.model}`)!;
        expect(row).toEqual({
          day: row.day,
          model: row.model,
          llm_calls: entry.calls,
          prompt_tokens: entry.prompt,
          completion_tokens: entry.completion,
          cached_tokens: entry.cached,
          reasoning_tokens: entry.reasoning,
          cost: formatCost(entry.pico / 1e12),
        });
      }

      // The sums over every row equal the sums of the sessions' stats.
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      const stats = await Promise.all(mine.ids.map((id) => storage.sessionStats(projectId, id)));
      for (const field of ["llm_calls", "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens"] as const) {
        expect({ field, total: sum(rows.map((row) => row[field])) }).toEqual({
          field,
          total: sum(stats.map((session) => session![field])),
        });
      }
      expect(sum(rows.map((row) => Math.round(Number(row.cost) * 1e6)))).toBe(
        sum(stats.map((session) => Math.round(Number(session!.cost) * 1e6))),
      );

      // Project isolation.
      const otherRows = await storage.usage(other.id, {});
      expect(otherRows.map((row) => `${row.day} ${row.model}`)).toEqual([...theirs.expected.keys()].sort());
      expect(sum(otherRows.map((row) => row.llm_calls))).toBe(
        sum([...theirs.expected.values()].map((entry) => entry.calls)),
      );
      expect(await storage.usage("no-such-project", {})).toEqual([]);

      // `from` inclusive, `to` exclusive, on the calls' start.
      const day2 = new Date(T0 + DAY).toISOString().slice(0, 10);
      const ranged = await storage.usage(projectId, {
        from: `${day2}T00:00:00.000Z`,
        to: new Date(Date.parse(`${day2}T00:00:00.000Z`) + DAY).toISOString(),
      });
      expect(ranged).toEqual(rows.filter((row) => row.day === day2));
      const first = rows[0]!;
      expect(await storage.usage(projectId, { to: `${first.day}T00:00:00.000Z` })).toEqual([]);
      const exact = T0 + 2 * DAY + 7; // no other call starts at this ms
      const exactIso = new Date(exact).toISOString();
      await storage.ingest(projectId, [llmSpan({ traceId: randomHex(16), startMs: exact, model: "edge", cost: 0.001 })]);
      expect((await storage.usage(projectId, { from: exactIso, to: new Date(exact + 1).toISOString() })).map((row) => row.model)).toEqual(["edge"]);
      expect(await storage.usage(projectId, { from: new Date(exact - 1).toISOString(), to: exactIso })).toEqual([]);
      expect(await storage.usage(projectId, { from: "1000-01-01T00:00:00Z", to: "+200000-01-01T00:00:00Z" })).toHaveLength(rows.length + 1);

      // Tag filter: the calls of sessions with the tag.
      const even = await storage.usage(projectId, { tag: "even" });
      const odd = await storage.usage(projectId, { tag: "odd" });
      expect(sum([...even, ...odd].map((row) => row.llm_calls))).toBe(sum(rows.map((row) => row.llm_calls)));
      expect(await storage.usage(projectId, { tag: "none" })).toEqual([]);

      await expect(storage.usage(projectId, { from: "yesterday" })).rejects.toBeInstanceOf(StorageQueryError);
      await expect(storage.usage(projectId, { to: "2026-13-45" })).rejects.toBeInstanceOf(StorageQueryError);
    });

    test("sessionSpans pages through a session in start order and round-trips every field", async () => {
      const { storage, projectId } = await freshStore();
      const random = prng(42);
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const resources = [processResource("a", 1), processResource("b", 2)];
      const spans: NormalizedSpan[] = [];
      for (let i = 0; i < 2_345; i++) {
        // Many spans share a millisecond and some a nanosecond: order is by exact start, then span id.
        const startMs = T0 + Math.floor(random() * 500);
        const spec = {
          traceId,
          startMs,
          startNanos: Math.floor(random() * 3) * 1_000,
          resource: resources[i % 2]!,
          attributes: { index: i, nested: { list: [1, "two", null] } },
          events:
            i % 10
              ? []
              : [
                  {
                    name: "exception",
                    timeUnixNano: `${BigInt(startMs) * 1_000_000n}`,
                    attributes: { "exception.message": "x" },
                  },
                ],
        };
        spans.push(i % 3 ? llmSpan({ ...spec, cost: 0.001 * (i % 7) }) : actionSpan(spec));
      }
      for (let i = 0; i < spans.length; i += 400)
        await storage.ingest(projectId, spans.slice(i, i + 400));

      const pages = await allSpans(storage, projectId, sessionId, 1_000);
      expect(pages.map((page) => page.length)).toEqual([1_000, 1_000, 345]);
      const stored = pages.flat();
      const key = (span: { startTimeUnixNano: string; spanId: string }) =>
        [BigInt(span.startTimeUnixNano), span.spanId] as const;
      const expectedOrder = [...spans].sort((a, b) => {
        const [sa, ia] = key(a);
        const [sb, ib] = key(b);
        return sa < sb ? -1 : sa > sb ? 1 : ia < ib ? -1 : ia > ib ? 1 : 0;
      });
      expect(stored.map((span) => span.spanId)).toEqual(expectedOrder.map((span) => span.spanId));
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      for (const span of stored) {
        const original = byId.get(span.spanId)!;
        expect(span).toEqual({ ...original, projectId, cost: span.cost });
        expect(Math.abs(span.cost - original.cost)).toBeLessThan(1e-12);
      }
      expect(await allSpans(storage, projectId, traceIdToUuid(randomHex(16)))).toEqual([]);
    });

    test("migrations are idempotent and survive reopening", async () => {
      const { storage, url, projectId } = await freshStore();
      const traceId = randomHex(16);
      await storage.ingest(projectId, typicalSession(traceId));
      await storage.migrate();
      const reopened = await open(url);
      await reopened.migrate();
      expect(await reopened.sessionStats(projectId, traceIdToUuid(traceId))).toEqual(
        await storage.sessionStats(projectId, traceIdToUuid(traceId)),
      );
    });

    test("several stores opening one fresh database at once all migrate it", async () => {
      const url = await getTarget().freshUrl();
      const stores = await Promise.all([open(url), open(url), open(url)]);
      const project = await stores[0]!.createProject("p", randomHex(8), "hash");
      const traceId = randomHex(16);
      await stores[2]!.ingest(project.id, [actionSpan({ traceId, startMs: T0 })]);
      expect((await stores[1]!.sessionStats(project.id, traceIdToUuid(traceId)))?.actions).toBe(1);
    });

    test("two stores ingesting the same session at once stay exact", async () => {
      const { storage, url, projectId } = await freshStore();
      const second = await open(url);
      const random = prng(99);
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      const rootId = randomHex(8);
      const spans: NormalizedSpan[] = [
        rootSpan({
          traceId,
          spanId: rootId,
          startMs: T0,
          endMs: T0 + MINUTE,
          endState: "Success",
          tags: ["t"],
        }),
      ];
      for (let i = 0; i < 3_000; i++) {
        const common = {
          traceId,
          parentSpanId: rootId,
          startMs: T0 + Math.floor(random() * MINUTE),
        };
        spans.push(
          i % 2
            ? llmSpan({ ...common, input: 1 + (i % 100), output: i % 50, cost: 0.000123 })
            : toolSpan(common),
        );
      }
      // Each store delivers every span, in its own order and batches: every span is sent twice, concurrently.
      const batchesOf = (list: NormalizedSpan[], size: number) => {
        const batches: NormalizedSpan[][] = [];
        for (let i = 0; i < list.length; i += size) batches.push(list.slice(i, i + size));
        return batches;
      };
      const a = batchesOf(shuffle(spans, random), 200);
      const b = batchesOf(shuffle(spans, random), 150);
      await Promise.all([
        (async () => {
          for (const batch of a) await storage.ingest(projectId, batch);
        })(),
        (async () => {
          for (const batch of b) await second.ingest(projectId, batch);
        })(),
        ...a.slice(0, 5).map((batch) => second.ingest(projectId, batch)),
      ]);
      const stats = await storage.sessionStats(projectId, sessionId);
      expect(stats).toMatchObject({
        llm_calls: 1_500,
        tool_calls: 1_500,
        events: 3_000,
        cost: formatCost(1_500 * 0.000123),
        end_state: "Success",
        tags: ["t"],
      });
      expectStats(stats, expectedStats(spans));
      expect(await second.recomputeStats(projectId, sessionId)).toEqual(stats);
    });

    test("projects, keys and settings", async () => {
      const url = await getTarget().freshUrl();
      const storage = await open(url);
      const project = await storage.createProject("My project", "lookup-1", "salt:hash");
      expect(project).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: "My project",
        createdAt: expect.any(String),
      });
      expect(Number.isNaN(Date.parse(project.createdAt))).toBe(false);
      const second = await storage.createProject("Other", "lookup-2", "salt:hash2");
      expect(second.id).not.toBe(project.id);
      expect(await storage.findKey("lookup-1")).toEqual({
        projectId: project.id,
        keyHash: "salt:hash",
      });
      expect(await storage.findKey("lookup-2")).toEqual({
        projectId: second.id,
        keyHash: "salt:hash2",
      });
      expect(await storage.findKey("lookup-3")).toBeUndefined();
      expect(await storage.getProject(second.id)).toEqual({ id: second.id, name: "Other", createdAt: expect.any(String) });
      expect(Date.parse((await storage.getProject(project.id))!.createdAt)).toBe(Date.parse(project.createdAt));
      expect(await storage.getProject("00000000-0000-4000-8000-000000000000")).toBeUndefined();
      // Not `rejects.toThrow()`: better-sqlite3's native side builds its errors with the error class
      // of the first test file that loaded it, so in a later file they are not `instanceof Error`.
      await expect(storage.createProject("dup", "lookup-1", "x")).rejects.toHaveProperty(
        "message",
        expect.stringMatching(/unique|constraint|duplicate/i),
      );

      expect(await storage.getSetting("secret")).toBeUndefined();
      expect(await storage.setSettingIfAbsent("secret", "first")).toBe("first");
      expect(await storage.setSettingIfAbsent("secret", "second")).toBe("first");
      await storage.putSetting("rules", "[1]");
      await storage.putSetting("rules", "[2]");
      expect(await storage.getSetting("rules")).toBe("[2]");
      const reopened = await open(url);
      expect(await reopened.getSetting("secret")).toBe("first");
      expect(await reopened.findKey("lookup-2")).toEqual({
        projectId: second.id,
        keyHash: "salt:hash2",
      });
    });
  });
}
