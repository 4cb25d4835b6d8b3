/**
 * Export to a real OTLP/HTTP receiver: retries with Retry-After, an outage, a burst.
 */
import * as agentops from "agentops";
import { ActionEvent } from "agentops";
import { freePort, OtlpReceiver } from "./utils/otlp-receiver";

afterEach(async () => {
  await agentops.shutdown();
});

function init(url: string, options: agentops.AgentOpsOptions = {}) {
  return agentops.init({ apiKey: "ak_export", endpoint: url, instrumentLlmCalls: false, logLevel: "none", ...options })!;
}

describe("export", () => {
  it("retries a batch answered 503, after the Retry-After the server asked for", async () => {
    const receiver = await new OtlpReceiver().start();
    try {
      receiver.script({ status: 503, headers: { "retry-after": "1" } });
      const session = init(receiver.url, { maxWaitTime: 10_000 });
      session.record(new ActionEvent({ actionType: "after-retry" }));
      expect(await agentops.flush()).toBe(true);
      expect(receiver.requests[0]!.status).toBe(503);
      expect(receiver.requests[1]!.status).toBe(200);
      const waited = receiver.requests[1]!.at - receiver.requests[0]!.at;
      expect(waited).toBeGreaterThanOrEqual(950);
      expect(receiver.ofKind("action")).toHaveLength(1);
      expect(agentops.getClient()!.exportStats()).toMatchObject({ retries: 1, droppedBufferFull: 0, droppedRejected: 0, queued: 0 });
    } finally {
      await agentops.shutdown();
      await receiver.stop();
    }
  });

  it("drops a batch the server refuses for good (400) instead of retrying it forever", async () => {
    const receiver = await new OtlpReceiver().start();
    try {
      receiver.script({ status: 400 });
      const session = init(receiver.url);
      session.record(new ActionEvent({ actionType: "refused" }));
      await agentops.flush();
      expect(agentops.getClient()!.exportStats().droppedRejected).toBeGreaterThan(0);
      session.record(new ActionEvent({ actionType: "accepted" }));
      await agentops.flush();
      expect(receiver.ofKind("action").map((span) => span.attributes["agentops.action.type"])).toEqual(["accepted"]);
    } finally {
      await agentops.shutdown();
      await receiver.stop();
    }
  });

  it("a 100,000-event burst in a synchronous loop loses nothing", async () => {
    const receiver = await new OtlpReceiver().start();
    try {
      const session = init(receiver.url, { maxWaitTime: 30_000 });
      for (let i = 0; i < 100_000; i++) session.record(new ActionEvent({ actionType: "burst", params: i }));
      expect(agentops.getClient()!.exportStats().droppedBufferFull).toBe(0);
      expect(await agentops.flush()).toBe(true);
      expect(receiver.ofKind("action")).toHaveLength(100_000);
      expect(agentops.getClient()!.exportStats()).toMatchObject({ droppedBufferFull: 0, droppedRejected: 0, queued: 0 });
      expect(session.getAnalytics().actions).toBe(100_000);
    } finally {
      await agentops.shutdown();
      await receiver.stop();
    }
  }, 120_000);

  it("beyond maxBufferSize, drops are counted and the app goes on", async () => {
    const port = await freePort(); // nothing listens: everything stays queued
    const session = init(`http://127.0.0.1:${port}`, { maxBufferSize: 1000, maxQueueSize: 100, maxWaitTime: 200 });
    for (let i = 0; i < 1500; i++) session.record(new ActionEvent({ actionType: "over" }));
    const stats = agentops.getClient()!.exportStats();
    expect(stats.droppedBufferFull).toBe(1500 + 1 - 1000); // 1 session.start marker + 1500 events, 1000 kept
    expect(stats.queued).toBe(1000);
  });

  it("receiver down for 60 s: the app is unaffected, memory is bounded, everything is delivered when it returns", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const session = init(url, { maxWaitTime: 1000, maxBufferSize: 131_072 });
    const downMs = 60_000;
    const perTick = 50;
    const started = Date.now();
    let recorded = 0;
    const perEventMs: number[] = [];
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    // The app keeps working: 50 events every 100 ms for 60 s (about 30,000 events) while nothing listens.
    while (Date.now() - started < downMs) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < perTick; i++) session.record(new ActionEvent({ actionType: "during-outage", params: { i: recorded + i } }));
      const tickMs = Number(process.hrtime.bigint() - t0) / 1e6;
      perEventMs.push(tickMs / perTick);
      recorded += perTick;
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stats = agentops.getClient()!.exportStats();
    expect(stats.exported).toBe(0);
    expect(stats.retries).toBeGreaterThan(5);
    expect(stats.droppedBufferFull).toBe(0);
    expect(stats.queued).toBe(recorded + 1);
    // Generous bounds (the figures are for benchmarks): recording never waits on the network, the
    // event loop kept turning, and the queue's memory stays proportional to what it holds.
    perEventMs.sort((a, b) => a - b);
    expect(perEventMs[Math.floor(perEventMs.length / 2)]).toBeLessThan(0.5);
    expect(perEventMs.length).toBeGreaterThan(300);
    expect(heapPeak - heapBefore).toBeLessThan(400 * 1024 * 1024);

    const receiver = await new OtlpReceiver().start(port);
    try {
      await receiver.waitFor((spans) => spans.length >= recorded + 1, 60_000);
      // The receiver has the last batch; let the SDK see its answer too.
      expect(await agentops.flush()).toBe(true);
      expect(receiver.ofKind("action")).toHaveLength(recorded);
      const seen = new Set(receiver.ofKind("action").map((span) => span.attributes["agentops.event.params"]));
      expect(seen.size).toBe(recorded);
      expect(agentops.getClient()!.exportStats()).toMatchObject({ droppedBufferFull: 0, droppedRejected: 0, queued: 0 });
    } finally {
      await agentops.shutdown();
      await receiver.stop();
    }
  }, 180_000);
});
