import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { IngestQueue } from "../src/ingest/ingest-queue";
import { normalizeSpan, openStorage, type NormalizedSpan, type Storage } from "../src/index";
import { decodeTraceRequest } from "../src/otlp/decode";
import { otlpBody, sessionSpans } from "./utils/otlp-bodies";
import { createTestProject } from "./utils/server-harness";

function spansOf(session = sessionSpans()): NormalizedSpan[] {
  return decodeTraceRequest(otlpBody(session.spans, "json"), "json").spans.map((span) => {
    const normalized = normalizeSpan(span);
    if ("error" in normalized) throw new Error(normalized.error);
    return normalized;
  });
}

describe("IngestQueue over the SQLite store", () => {
  let folder: string;
  let storage: Storage;
  let projectId: string;
  beforeEach(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "agentops-queue-"));
    storage = await openStorage(`sqlite:${path.join(folder, "queue.db")}`);
    projectId = (await createTestProject(storage, "queue")).id;
  });
  afterEach(async () => {
    await storage.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it("merges requests that arrive together into one transaction, and settles each once committed", async () => {
    const ingest = jest.spyOn(storage, "ingest");
    const queue = new IngestQueue(storage);
    const sessions = [sessionSpans(), sessionSpans(), sessionSpans()];
    const done = sessions.map((session) => queue.enqueue(projectId, spansOf(session))!);
    expect(queue.size).toBe(15);
    await Promise.all(done);
    expect(ingest).toHaveBeenCalledTimes(1);
    expect(ingest.mock.calls[0]![1]).toHaveLength(15);
    expect(queue.size).toBe(0);
    for (const session of sessions) {
      expect((await storage.sessionStats(projectId, session.sessionId))!.llm_calls).toBe(1);
    }
  });

  it("refuses work past maxQueuedSpans, but always takes a batch when empty", async () => {
    const queue = new IngestQueue(storage, { maxQueuedSpans: 6 });
    const first = queue.enqueue(projectId, spansOf());
    expect(first).toBeDefined();
    expect(queue.enqueue(projectId, spansOf())).toBeUndefined();
    await first;
    const big = spansOf().concat(spansOf());
    const accepted = queue.enqueue(projectId, big);
    expect(accepted).toBeDefined();
    expect(queue.full).toBe(true);
    await accepted;
    expect(queue.full).toBe(false);
  });

  it("keeps separate projects in separate transactions", async () => {
    const other = (await createTestProject(storage, "other")).id;
    const ingest = jest.spyOn(storage, "ingest");
    const queue = new IngestQueue(storage, { concurrency: 1 });
    await Promise.all([queue.enqueue(projectId, spansOf())!, queue.enqueue(other, spansOf())!, queue.enqueue(projectId, spansOf())!]);
    expect(ingest.mock.calls.map(([project, spans]) => [project, spans.length])).toEqual([
      [projectId, 10],
      [other, 5],
    ]);
  });

  it("rejects the requests whose spans could not be stored", async () => {
    const queue = new IngestQueue(storage);
    await storage.close();
    await expect(queue.enqueue(projectId, spansOf())).rejects.toThrow();
    expect(queue.size).toBe(0);
    storage = await openStorage(`sqlite:${path.join(folder, "queue.db")}`);
  });
});
