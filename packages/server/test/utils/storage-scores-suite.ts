import { randomUUID } from "node:crypto";
import { traceIdToUuid } from "@agentops/semconv";
import {
  MAX_SCORES_PER_SESSION,
  openStorage,
  ScoreIdConflictError,
  ScoreLimitError,
  StorageQueryError,
  UnknownProjectError,
} from "../../src/storage";
import type { ListSessionsQuery, NewScore, Storage } from "../../src/storage/types";
import { actionSpan, randomHex, rootSpan } from "./storage-fixtures";
import type { StorageTarget } from "./storage-suite";

const T0 = Date.UTC(2026, 1, 3, 9, 0, 0);

/** A score as the route hands it to a store; `createdMs` grows so that times are distinct. */
let clock = T0;
function score(name: string, value: number, extra: Partial<NewScore> = {}): NewScore {
  return { id: randomUUID(), name, value, comment: null, source: "api", createdMs: ++clock, ...extra };
}

/** One finished session (a root span and an action) starting at `startMs`. */
function sessionSpans(traceId: string, startMs: number) {
  const root = randomHex(8);
  return [
    rootSpan({ traceId, spanId: root, startMs, endMs: startMs + 1_000, endState: "Success" }),
    actionSpan({ traceId, parentSpanId: root, startMs: startMs + 10 }),
  ];
}

/**
 * Scores, run against each engine with real databases: what `addScore` and `sessionScores`
 * keep, the `scores` of stats and of the list, and the list's score filter and sorts.
 */
export function describeScoresSuite(label: string, getTarget: () => StorageTarget): void {
  describe(`${label} storage: scores`, () => {
    const opened: Storage[] = [];

    async function freshStore(): Promise<{ storage: Storage; projectId: string; otherProjectId: string }> {
      const storage = await openStorage(await getTarget().freshUrl());
      opened.push(storage);
      const project = await storage.createProject("scores", randomHex(8), "hash");
      const other = await storage.createProject("other", randomHex(8), "hash");
      return { storage, projectId: project.id, otherProjectId: other.id };
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((storage) => storage.close()));
    });

    test("keeps every score, and stats show the latest of each name", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      await storage.ingest(projectId, sessionSpans(traceId, T0));

      const first = await storage.addScore(projectId, sessionId, score("quality", 0.4, { comment: "first pass" }));
      expect(first.created).toBe(true);
      await storage.addScore(projectId, sessionId, score("helpful", 1, { source: "sdk" }));
      const last = await storage.addScore(
        projectId,
        sessionId,
        score("quality", 0.9, { comment: "línea 2\nwith a newline", source: "dashboard" }),
      );
      expect(last.score).toEqual({
        id: last.score.id,
        name: "quality",
        value: 0.9,
        comment: "línea 2\nwith a newline",
        source: "dashboard",
        created_at: new Date(clock).toISOString(),
      });

      const stats = await storage.sessionStats(projectId, sessionId);
      expect(stats?.scores).toEqual({ helpful: 1, quality: 0.9 });
      expect(Object.keys(stats!.scores)).toEqual(["helpful", "quality"]);
      expect(await storage.recomputeStats(projectId, sessionId)).toEqual(stats);

      const all = await storage.sessionScores(projectId, sessionId);
      expect(all.map((s) => [s.name, s.value, s.comment, s.source])).toEqual([
        ["quality", 0.4, "first pass", "api"],
        ["helpful", 1, null, "sdk"],
        ["quality", 0.9, "línea 2\nwith a newline", "dashboard"],
      ]);
      expect(all[0]).toEqual(first.score);
      expect(all[2]).toEqual(last.score);
    });

    test("keeps values exactly, names such as __proto__ included", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      await storage.ingest(projectId, sessionSpans(traceId, T0));
      const values: Record<string, number> = {
        max: Number.MAX_VALUE,
        tiny: Number.MIN_VALUE,
        negative: -123456.789012345,
        third: 1 / 3,
        zero: 0,
      };
      for (const [name, value] of Object.entries(values)) await storage.addScore(projectId, sessionId, score(name, value));
      await storage.addScore(projectId, sessionId, score("__proto__", 7));
      await storage.addScore(projectId, sessionId, score("ünïcødé 🙂", 2));

      const stats = await storage.sessionStats(projectId, sessionId);
      expect(Object.getPrototypeOf(stats!.scores)).toBe(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(stats!.scores, "__proto__")).toBe(true);
      expect(JSON.parse(JSON.stringify(stats!.scores))).toEqual(
        JSON.parse(JSON.stringify({ ...values, "ünïcødé 🙂": 2, ["__proto__"]: 7 })),
      );
      for (const [name, value] of Object.entries(values)) expect(stats!.scores[name]).toBe(value);
    });

    test("accepts a score before the session's spans, and shows it once they arrive", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      await storage.addScore(projectId, sessionId, score("early", 0.5));
      expect(await storage.sessionStats(projectId, sessionId)).toBeUndefined();
      expect((await storage.listSessions(projectId, { limit: 10 })).sessions).toEqual([]);
      expect(await storage.sessionScores(projectId, sessionId)).toHaveLength(1);

      await storage.ingest(projectId, sessionSpans(traceId, T0));
      expect((await storage.sessionStats(projectId, sessionId))?.scores).toEqual({ early: 0.5 });
      expect((await storage.listSessions(projectId, { limit: 10 })).sessions[0]?.scores).toEqual({ early: 0.5 });
    });

    test("stores a score id once; the id of another session's score is refused", async () => {
      const { storage, projectId } = await freshStore();
      const sessionId = traceIdToUuid(randomHex(16));
      const original = score("quality", 0.7, { comment: "kept" });
      const stored = await storage.addScore(projectId, sessionId, original);
      const replay = await storage.addScore(projectId, sessionId, { ...original, value: 0.1, comment: "ignored", createdMs: clock + 1000 });
      expect(replay).toEqual({ score: stored.score, created: false });
      expect(await storage.sessionScores(projectId, sessionId)).toEqual([stored.score]);

      const elsewhere = traceIdToUuid(randomHex(16));
      await expect(storage.addScore(projectId, elsewhere, original)).rejects.toBeInstanceOf(ScoreIdConflictError);
      expect(await storage.sessionScores(projectId, elsewhere)).toEqual([]);
    });

    test("scores are the project's own: another project's scores of the same id are never shown", async () => {
      const { storage, projectId, otherProjectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      await storage.ingest(projectId, sessionSpans(traceId, T0));
      await storage.addScore(projectId, sessionId, score("quality", 1));
      // The same score id in the other project is a different score.
      const shared = score("quality", 0, { comment: "other project" });
      await storage.addScore(otherProjectId, sessionId, shared);
      await storage.addScore(projectId, traceIdToUuid(randomHex(16)), { ...shared, comment: "this project" });

      expect((await storage.sessionStats(projectId, sessionId))?.scores).toEqual({ quality: 1 });
      expect(await storage.sessionScores(projectId, sessionId)).toHaveLength(1);
      expect(await storage.sessionStats(otherProjectId, sessionId)).toBeUndefined();
      expect((await storage.listSessions(projectId, { limit: 10, scoreName: "quality", maxScore: 0.5 })).sessions).toEqual([]);
      await expect(storage.addScore("no-such-project", sessionId, score("x", 1))).rejects.toBeInstanceOf(UnknownProjectError);
      expect(await storage.sessionScores("no-such-project", sessionId)).toEqual([]);
    });

    test(`refuses a session's score past ${MAX_SCORES_PER_SESSION}, and still answers a replay`, async () => {
      const { storage, projectId } = await freshStore();
      const sessionId = traceIdToUuid(randomHex(16));
      let lastScore: NewScore | undefined;
      for (let i = 0; i < MAX_SCORES_PER_SESSION; i++) {
        lastScore = score(`s${i % 10}`, i);
        await storage.addScore(projectId, sessionId, lastScore);
      }
      await expect(storage.addScore(projectId, sessionId, score("one-more", 1))).rejects.toBeInstanceOf(ScoreLimitError);
      expect((await storage.addScore(projectId, sessionId, lastScore!)).created).toBe(false);
      const all = await storage.sessionScores(projectId, sessionId);
      expect(all).toHaveLength(MAX_SCORES_PER_SESSION);
      expect(all.map((s) => s.value)).toEqual([...Array(MAX_SCORES_PER_SESSION).keys()]);
      // Other sessions are not limited by it.
      expect((await storage.addScore(projectId, traceIdToUuid(randomHex(16)), score("one-more", 1))).created).toBe(true);
      // A thousand sequential scores: ClickHouse takes tens of ms for each on a busy machine.
    }, 240_000);

    test("concurrent scores of one name agree on the latest", async () => {
      const { storage, projectId } = await freshStore();
      const traceId = randomHex(16);
      const sessionId = traceIdToUuid(traceId);
      await storage.ingest(projectId, sessionSpans(traceId, T0));
      await Promise.all(Array.from({ length: 24 }, (_, i) => storage.addScore(projectId, sessionId, score(i % 2 ? "a" : "b", i))));
      const stats = await storage.sessionStats(projectId, sessionId);
      const recomputed = await storage.recomputeStats(projectId, sessionId);
      expect(stats?.scores).toEqual(recomputed?.scores);
      // The latest of a name is the one stored last, which the history lists last.
      const all = await storage.sessionScores(projectId, sessionId);
      expect(stats?.scores).toEqual({
        a: all.filter((s) => s.name === "a").pop()!.value,
        b: all.filter((s) => s.name === "b").pop()!.value,
      });
    });

    describe("the list", () => {
      // Seven sessions, one a minute; `quality` (latest) per session, some without.
      const specs: Array<{ quality?: number; earlier?: number; speed?: number }> = [
        { quality: 0.5, earlier: 0.99, speed: 3 },
        { quality: 0.9 },
        {},
        { quality: 0.5, speed: 1 },
        { quality: -2 },
        { speed: 2 },
        { quality: 0.95, earlier: 0 },
      ];
      async function seeded() {
        const store = await freshStore();
        const ids: string[] = [];
        for (const [i, spec] of specs.entries()) {
          const traceId = randomHex(16);
          const sessionId = traceIdToUuid(traceId);
          ids.push(sessionId);
          await store.storage.ingest(store.projectId, sessionSpans(traceId, T0 + i * 60_000));
          if (spec.earlier !== undefined) await store.storage.addScore(store.projectId, sessionId, score("quality", spec.earlier));
          if (spec.speed !== undefined) await store.storage.addScore(store.projectId, sessionId, score("speed", spec.speed));
          if (spec.quality !== undefined) await store.storage.addScore(store.projectId, sessionId, score("quality", spec.quality));
        }
        return { ...store, ids };
      }
      async function listAll(storage: Storage, projectId: string, query: Omit<ListSessionsQuery, "limit">, limit = 2) {
        const seen: Array<{ id: string; scores: Record<string, number> }> = [];
        let cursor: string | undefined;
        for (let page = 0; page < 20; page++) {
          const result = await storage.listSessions(projectId, { ...query, limit, ...(cursor ? { cursor } : {}) });
          seen.push(...result.sessions.map((s) => ({ id: s.session_id, scores: s.scores })));
          if (!result.next_cursor) return seen;
          cursor = result.next_cursor;
        }
        throw new Error("the list did not end");
      }

      test("gives each session its latest scores", async () => {
        const { storage, projectId, ids } = await seeded();
        const listed = await listAll(storage, projectId, {});
        expect(listed.map((s) => s.id)).toEqual([...ids].reverse());
        expect(listed.find((s) => s.id === ids[0])?.scores).toEqual({ quality: 0.5, speed: 3 });
        expect(listed.find((s) => s.id === ids[2])?.scores).toEqual({});
        expect(listed.find((s) => s.id === ids[6])?.scores).toEqual({ quality: 0.95 });
      });

      test("filters by a score's latest value, inclusive bounds, newest first", async () => {
        const { storage, projectId, ids } = await seeded();
        const idsOf = async (query: Omit<ListSessionsQuery, "limit">) => (await listAll(storage, projectId, query)).map((s) => s.id);
        expect(await idsOf({ scoreName: "quality" })).toEqual([ids[6], ids[4], ids[3], ids[1], ids[0]]);
        // Session 0's earlier 0.99 and session 6's earlier 0 do not count: only the latest.
        expect(await idsOf({ scoreName: "quality", minScore: 0.9 })).toEqual([ids[6], ids[1]]);
        expect(await idsOf({ scoreName: "quality", maxScore: 0.5 })).toEqual([ids[4], ids[3], ids[0]]);
        expect(await idsOf({ scoreName: "quality", minScore: 0.5, maxScore: 0.5 })).toEqual([ids[3], ids[0]]);
        expect(await idsOf({ scoreName: " speed " })).toEqual([ids[5], ids[3], ids[0]]);
        expect(await idsOf({ scoreName: "absent" })).toEqual([]);
      });

      test("sorts by a score both ways, ties by session id, paged by cursor", async () => {
        const { storage, projectId, ids } = await seeded();
        const desc = await listAll(storage, projectId, { scoreName: "quality", sort: "score_desc" });
        const tie = [ids[0]!, ids[3]!].sort().reverse();
        expect(desc.map((s) => s.id)).toEqual([ids[6], ids[1], ...tie, ids[4]]);
        const asc = await listAll(storage, projectId, { scoreName: "quality", sort: "score_asc" }, 1);
        expect(asc.map((s) => s.id)).toEqual([...desc.map((s) => s.id)].reverse());
        const bounded = await listAll(storage, projectId, { scoreName: "quality", sort: "score_asc", minScore: 0 });
        expect(bounded.map((s) => s.id)).toEqual([...tie.reverse(), ids[1], ids[6]]);
        // Re-scoring a session moves it.
        await storage.addScore(projectId, ids[4]!, score("quality", 10));
        expect((await storage.listSessions(projectId, { limit: 1, scoreName: "quality", sort: "score_desc" })).sessions[0]?.session_id).toBe(ids[4]);
      });

      test("refuses score queries that do not hold together", async () => {
        const { storage, projectId } = await seeded();
        const bad: ListSessionsQuery[] = [
          { limit: 5, minScore: 1 },
          { limit: 5, sort: "score_desc" },
          { limit: 5, scoreName: "quality", minScore: Number.NaN },
          { limit: 5, scoreName: "quality", sort: "sideways" as ListSessionsQuery["sort"] },
        ];
        for (const query of bad) await expect(storage.listSessions(projectId, query)).rejects.toBeInstanceOf(StorageQueryError);
        // A cursor of one order is not a cursor of the other.
        const byStart = await storage.listSessions(projectId, { limit: 1 });
        const byScore = await storage.listSessions(projectId, { limit: 1, scoreName: "quality", sort: "score_desc" });
        await expect(
          storage.listSessions(projectId, { limit: 1, scoreName: "quality", sort: "score_desc", cursor: byStart.next_cursor! }),
        ).rejects.toBeInstanceOf(StorageQueryError);
        await expect(storage.listSessions(projectId, { limit: 1, cursor: byScore.next_cursor! })).rejects.toBeInstanceOf(StorageQueryError);
        // NUL in a name filter is no error: it matches nothing.
        expect((await storage.listSessions(projectId, { limit: 5, scoreName: "qual\u0000ity" })).sessions).toEqual([]);
      });
    });
  });
}
