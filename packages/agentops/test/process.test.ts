/**
 * Exit and signal behaviour, and sessions across processes, in real child processes exporting
 * to a local OTLP receiver. Runs the built package (`pnpm build` first).
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { OtlpReceiver } from "./utils/otlp-receiver";

const FIXTURE = path.join(__dirname, "fixtures", "child.cjs");

interface Child {
  process: ChildProcessWithoutNullStreams;
  messages: any[];
  stderr: () => string;
  next(predicate: (message: any) => boolean): Promise<any>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(mode: string, receiver: OtlpReceiver, env: Record<string, string> = {}): Child {
  // Through sh, so that the exit status is what a shell sees (128 + signal for a death by signal).
  const child = spawn("/bin/sh", ["-c", `"${process.execPath}" "${FIXTURE}" ${mode}; exit $?`], {
    env: {
      ...process.env,
      AGENTOPS_API_KEY: "ak_test_key",
      AGENTOPS_API_ENDPOINT: receiver.url,
      AGENTOPS_MAX_WAIT_TIME: "2000",
      AGENTOPS_INSTRUMENT_LLM_CALLS: "false",
      AGENTOPS_LOG_LEVEL: "error",
      ...env,
    },
  });
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  let buffer = "";
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdout.on("data", (chunk) => {
    buffer += chunk;
    let index;
    while ((index = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      try {
        messages.push(JSON.parse(line));
      } catch {
        continue;
      }
      for (const wake of waiters.splice(0)) wake();
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    messages,
    stderr: () => stderr,
    exit,
    async next(predicate) {
      const deadline = Date.now() + 45_000;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`child said ${JSON.stringify(messages)}; stderr: ${stderr}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 200);
          waiters.push(() => (clearTimeout(timer), resolve()));
        });
      }
    },
  };
}

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await new OtlpReceiver().start();
});
afterEach(async () => {
  await receiver.stop();
});

function rootOf(sessionId: string) {
  const traceId = sessionId.replace(/-/g, "");
  return receiver.ofKind("session").find((span) => span.traceId === traceId);
}

describe("a process that ends without ending its session", () => {
  it("natural exit: the session arrives as Indeterminate and the exit code is kept", async () => {
    const child = start("exit", receiver);
    const { session } = await child.next((m) => m.session);
    child.process.stdin.end();
    const { code } = await child.exit;
    expect(code).toBe(3);
    const root = rootOf(session);
    expect(root?.attributes["agentops.session.end_state"]).toBe("Indeterminate");
    expect(receiver.ofKind("action")).toHaveLength(1);
    expect(receiver.requests.every((request) => request.apiKey === "ak_test_key")).toBe(true);
  });

  it("explicit process.exit(): the session is sent synchronously as Indeterminate and the code is kept", async () => {
    const child = start("process-exit", receiver);
    const { session } = await child.next((m) => m.session);
    const { code } = await child.exit;
    expect(code).toBe(4);
    const root = rootOf(session);
    expect(root?.attributes["agentops.session.end_state"]).toBe("Indeterminate");
    expect(root?.attributes["agentops.session.end_state_reason"]).toBe("process.exit(4)");
    expect(receiver.ofKind("action")).toHaveLength(1);
  });

  it("explicit process.exit(): the exit-time sender gets the API key on stdin, never in argv or environment", async () => {
    const key = "ak_secret_9f3c1d7e5b";
    // A slow server keeps the short-lived sender process alive while /proc is sampled.
    receiver.script({ status: 200, delayMs: 1500 }, { status: 200, delayMs: 1500 });
    const child = start("process-exit", receiver, { AGENTOPS_API_KEY: key, AGENTOPS_MAX_WAIT_TIME: "5000" });
    const holders = new Set<number>();
    const senders = new Set<number>();
    const sendersHolding = new Set<number>();
    const read = (pid: string, file: string): string | undefined => {
      try {
        return fs.readFileSync(`/proc/${pid}/${file}`, "latin1");
      } catch {
        return undefined; // the process ended meanwhile
      }
    };
    const sample = () => {
      for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const cmdline = read(entry, "cmdline");
        if (cmdline === undefined) continue;
        // Between its fork and its exec a new process is a copy of the app, environment
        // included; once its command line is the sender's, what it holds is the sender's own.
        const isSender = cmdline.includes("process.stdin");
        if (isSender) senders.add(Number(entry));
        if (cmdline.includes(key) || read(entry, "environ")?.includes(key)) {
          (isSender ? sendersHolding : holders).add(Number(entry));
        }
      }
    };
    const sampler = setInterval(sample, 5);
    let pid: number;
    try {
      ({ pid } = await child.next((m) => m.session));
      const { code } = await child.exit;
      expect(code).toBe(4);
    } finally {
      clearInterval(sampler);
    }
    // The sampler saw the sender, which never held the key; only the app itself (and the shell
    // that started it, and the sender's pid before its exec) held it.
    expect(senders.size).toBeGreaterThan(0);
    expect([...sendersHolding]).toEqual([]);
    expect([...holders].filter((holder) => holder !== pid && holder !== child.process.pid && !senders.has(holder))).toEqual([]);
    expect(receiver.ofKind("action")).toHaveLength(1);
    expect(receiver.requests.every((request) => request.apiKey === key)).toBe(true);
  });

  it("SIGINT: Indeterminate with the signal as reason, then exit status 130", async () => {
    const child = start("sigint", receiver);
    const { session, pid } = await child.next((m) => m.session);
    process.kill(pid, "SIGINT");
    const { code } = await child.exit;
    expect(code).toBe(130);
    const root = rootOf(session);
    expect(root?.attributes["agentops.session.end_state"]).toBe("Indeterminate");
    expect(root?.attributes["agentops.session.end_state_reason"]).toBe("SIGINT");
  });

  it("SIGTERM: Indeterminate, then exit status 143", async () => {
    const child = start("sigterm", receiver);
    const { session, pid } = await child.next((m) => m.session);
    process.kill(pid, "SIGTERM");
    const { code } = await child.exit;
    expect(code).toBe(143);
    expect(rootOf(session)?.attributes["agentops.session.end_state_reason"]).toBe("SIGTERM");
  });

  it("SIGINT with the app's own handler: the session ends and the app's handler decides the exit", async () => {
    const child = start("sigint-handled", receiver);
    const { session, pid } = await child.next((m) => m.session);
    process.kill(pid, "SIGINT");
    await child.next((m) => m.appHandler);
    const { code } = await child.exit;
    expect(code).toBe(7);
    expect(rootOf(session)?.attributes["agentops.session.end_state"]).toBe("Indeterminate");
  });

  it("uncaught exception: Failure with the error as reason, the error printed, exit 1", async () => {
    const child = start("uncaught", receiver);
    const { session } = await child.next((m) => m.session);
    const { code } = await child.exit;
    expect(code).toBe(1);
    expect(child.stderr()).toContain("boom from the app");
    const root = rootOf(session);
    expect(root?.attributes["agentops.session.end_state"]).toBe("Failure");
    expect(root?.attributes["agentops.session.end_state_reason"]).toBe("Error: boom from the app");
    expect(receiver.ofKind("error")[0]?.attributes["exception.message"]).toBe("boom from the app");
  });

  it("unhandled rejection: Failure, exit 1", async () => {
    const child = start("rejection", receiver);
    const { session } = await child.next((m) => m.session);
    const { code } = await child.exit;
    expect(code).toBe(1);
    expect(child.stderr()).toContain("rejected in the app");
    expect(rootOf(session)?.attributes["agentops.session.end_state"]).toBe("Failure");
  });
});

describe("sessions across processes", () => {
  it("a child started with session.childEnv() contributes spans to the same trace, and never ends it", async () => {
    const child = start("parent", receiver);
    const { session } = await child.next((m) => m.session);
    const { childSaid } = await child.next((m) => m.childSaid !== undefined);
    expect(JSON.parse(childSaid)).toEqual({ joined: session, inherited: true });
    await child.next((m) => m.cost !== undefined);
    expect((await child.exit).code).toBe(0);
    const traceId = session.replace(/-/g, "");
    const [tool] = receiver.ofKind("tool");
    expect(tool?.traceId).toBe(traceId);
    const root = rootOf(session)!;
    // Joined with a traceparent: the child's spans are children of the parent's session span.
    expect(tool?.parentSpanId).toBe(root.spanId);
    expect(tool?.resource["process.pid"]).not.toBe(root.resource["process.pid"]);
    expect(receiver.ofKind("session")).toHaveLength(1);
    expect(root.attributes["agentops.session.end_state"]).toBe("Success");
  });

  it("a running session's start and tag change arrive before its end", async () => {
    const child = start("live", receiver, { AGENTOPS_MAX_WAIT_TIME: "300" });
    const { session } = await child.next((m) => m.session);
    const traceId = session.replace(/-/g, "");
    const [started] = await receiver.waitFor((spans) => spans.some((s) => s.attributes["agentops.span.kind"] === "session.start"), 10_000);
    expect(started).toBeDefined();
    const startSpan = receiver.ofKind("session.start")[0]!;
    expect(startSpan.traceId).toBe(traceId);
    expect(startSpan.attributes["agentops.session.tags"]).toEqual(["child-test"]);
    expect(startSpan.resource["process.pid"]).toBeDefined();
    expect(receiver.ofKind("session")).toHaveLength(0);
    child.process.stdin.write("go\n");
    await child.next((m) => m.tagged);
    await receiver.waitFor((spans) => spans.some((s) => s.attributes["agentops.span.kind"] === "session.update"), 10_000);
    expect(receiver.ofKind("session.update")[0]!.attributes["agentops.session.tags"]).toEqual(["child-test", "added-later"]);
    expect(receiver.ofKind("session")).toHaveLength(0);
    child.process.stdin.write("end\n");
    await child.next((m) => m.ended);
    await child.exit;
    expect(rootOf(session)?.attributes["agentops.session.end_state"]).toBe("Success");
  });
});
