#!/usr/bin/env node
// `pnpm demo`: builds the workspace, starts `agentops-server serve` on a fresh SQLite database and
// the mock LLM provider, runs the demo agent (agent.mjs, which starts a worker process of its own),
// prints what the SDK and the server say about the session, then serves the dashboard until Ctrl-C.
//
//   node examples/demo/run.mjs [--once | --serve] [--skip-build] [--port N] [--data-dir DIR]
//
// --once, or a stdout that is not a terminal: exit 0 after printing instead of serving.
// --serve: keep serving even when stdout is not a terminal (until SIGINT / SIGTERM).
import { fork, spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..", "..");
const PREFERRED_PORT = 4318;

const { values: options } = parseArgs({
  options: {
    once: { type: "boolean", default: false },
    serve: { type: "boolean", default: false },
    "skip-build": { type: "boolean", default: false },
    port: { type: "string" },
    "data-dir": { type: "string" },
  },
});
const once = options.once || (!process.stdout.isTTY && !options.serve);

const heading = (text) => console.log(`\n── ${text} ${"─".repeat(Math.max(0, 76 - text.length))}`);
const seconds = (startedAt) => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;

/** `pnpm build`, with one line per package as it starts and ends; the full log only on failure. */
async function build() {
  heading("building the workspace (pnpm build)");
  // Under `pnpm demo`, npm_execpath is the running pnpm; run directly, use the pinned one.
  const execPath = process.env.npm_execpath ?? "";
  const [command, args] = /pnpm\.c?js$/.test(execPath)
    ? [process.execPath, [execPath, "run", "build"]]
    : ["npx", ["-y", "pnpm@10.20.0", "run", "build"]];
  const started = performance.now();
  const begun = new Map();
  let log = "";
  const child = spawn(command, args, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, FORCE_COLOR: "0" },
  });
  const onLine = (line) => {
    log += line + "\n";
    const start = /^(\S+) build\$ /.exec(line);
    const done = /^(\S+) build: Done$/.exec(line);
    if (start && !begun.has(start[1])) {
      begun.set(start[1], performance.now());
      console.log(`  building ${start[1]} …`);
    } else if (done) {
      console.log(`  ✓ ${done[1]} (${seconds(begun.get(done[1]) ?? started)})`);
    }
  };
  let pending = "";
  const onData = (chunk) => {
    const lines = (pending + chunk).split("\n");
    pending = lines.pop();
    lines.forEach(onLine);
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const code = await new Promise((resolveCode) => child.on("close", resolveCode));
  if (pending) onLine(pending);
  if (code !== 0) {
    process.stderr.write(log);
    throw new Error(`pnpm build failed (exit ${code})`);
  }
  console.log(`  built in ${seconds(started)}`);
}

function portIsFree(port) {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once("error", () => resolvePort(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolvePort(true)));
  });
}

/** The environment of the agent: ours, without agentops settings of the shell that would redirect it. */
function agentEnv(extra) {
  const env = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith("AGENTOPS_") && name !== "TRACEPARENT") env[name] = value;
  }
  return { ...env, ...extra };
}

function runAgent(env) {
  return new Promise((resolveRun, reject) => {
    const agent = fork(join(here, "agent.mjs"), [], {
      env,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result;
    agent.on("message", (message) => (result = message));
    agent.on("error", reject);
    agent.on("exit", (code, signal) => {
      if (code === 0 && result) resolveRun(result);
      else reject(new Error(`the demo agent exited with ${code ?? signal}`));
    });
  });
}

const SUMMED = [
  ["llm_calls", "llmCalls"],
  ["tool_calls", "toolCalls"],
  ["actions", "actions"],
  ["errors", "errors"],
  ["prompt_tokens", "promptTokens"],
  ["completion_tokens", "completionTokens"],
  ["total_tokens", "totalTokens"],
];

/** The events of the exported session in time order, one line each, with the process that recorded each. */
function timeline(exported, spans, processes) {
  const start = Date.parse(exported.session.start_timestamp);
  const pidOf = new Map(spans.map((span) => [span.span_id, span.resource?.["process.pid"]]));
  const rows = [
    ...exported.llms.map((e) => [
      e,
      "llm",
      `${e.provider} ${e.model}  ${e.prompt_tokens}+${e.completion_tokens} tokens  $${e.cost.toFixed(6)}`,
    ]),
    ...exported.tools.map((e) => [e, "tool", `${e.name}(${JSON.stringify(e.params)})`]),
    ...exported.actions.map((e) => [e, "action", e.action_type]),
    ...exported.errors.map((e) => [
      e,
      "error",
      `${e.error_type ?? "Error"}: ${e.exception?.message ?? e.details ?? ""}`,
    ]),
  ].sort((a, b) => Date.parse(a[0].init_timestamp) - Date.parse(b[0].init_timestamp));
  return rows.map(([event, kind, text]) => {
    const pid = pidOf.get(event.span_id);
    const who = `${processes[pid] ?? "?"} ${pid ?? ""}`;
    return `  +${String(Date.parse(event.init_timestamp) - start).padStart(5)} ms  ${who.padEnd(13)} ${kind.padEnd(6)}  ${text}`;
  });
}

async function main() {
  const started = performance.now();
  if (!options["skip-build"]) await build();
  // Loaded after the build: it imports the built server, dashboard and mock provider packages.
  const { startServer, startMockProvider } = await import("example-shared");

  heading("starting the backend");
  const dataDir = resolve(options["data-dir"] ?? join(root, ".agentops", "demo"));
  mkdirSync(dataDir, { recursive: true });
  for (const file of ["agentops.db", "agentops.db-wal", "agentops.db-shm", "server.log"])
    rmSync(join(dataDir, file), { force: true });
  const port =
    options.port !== undefined
      ? Number(options.port)
      : (await portIsFree(PREFERRED_PORT))
        ? PREFERRED_PORT
        : 0;
  const server = await startServer({ dataDir, port, projectName: "demo" });
  const provider = await startMockProvider({ streamDelayMs: 25 });
  const stop = async () => {
    await provider.close();
    await server.stop();
  };
  const near = relative(process.cwd(), dataDir);
  const where = near.startsWith("..") ? dataDir : near || ".";
  console.log(
    `  agentops-server  ${server.url}  (SQLite ${join(where, "agentops.db")}, log ${join(where, "server.log")})`,
  );
  console.log(`  project "demo"   key ${server.apiKey}`);
  console.log(`  mock provider    ${provider.url}  (OpenAI and Anthropic APIs)`);

  try {
    heading("running the agent (examples/demo/agent.mjs)");
    const result = await runAgent(
      agentEnv({
        AGENTOPS_API_KEY: server.apiKey,
        AGENTOPS_API_ENDPOINT: server.url,
        MOCK_PROVIDER_URL: provider.url,
        OTEL_SERVICE_NAME: "travel-agent",
      }),
    );

    heading("the SDK: session.getAnalytics() in the agent");
    console.log(JSON.stringify(result.analytics, null, 2));
    heading("the SDK: session.getAnalytics() in the worker process");
    console.log(JSON.stringify(result.workerAnalytics, null, 2));
    heading('the SDK: await session.endSession("Success")');
    console.log(JSON.stringify(result.cost));

    const id = result.sessionId;
    heading(`the server: GET /v2/sessions/${id}/stats`);
    const stats = await server.get(`/v2/sessions/${id}/stats`);
    console.log(JSON.stringify(stats, null, 2));

    heading("the server's stats against the SDK's analytics (agent + worker)");
    let agree = stats.cost === result.cost;
    for (const [field, key] of SUMMED) {
      const sum = result.analytics[key] + result.workerAnalytics[key];
      agree &&= stats[field] === sum;
      const mark = stats[field] === sum ? "=" : "≠";
      console.log(
        `  ${field.padEnd(18)} ${String(stats[field]).padStart(6)} ${mark} ${result.analytics[key]} + ${result.workerAnalytics[key]}`,
      );
    }
    console.log(
      `  ${"cost".padEnd(18)} ${stats.cost} ${stats.cost === result.cost ? "=" : "≠"} endSession's ${result.cost}`,
    );
    console.log(
      agree
        ? "  ✓ the server counted every event of both processes"
        : "  ✗ the server and the SDK disagree",
    );

    heading("the server: the session's events (GET /v2/sessions/:id/export and /spans)");
    const exported = await server.get(`/v2/sessions/${id}/export`);
    const { spans } = await server.get(`/v2/sessions/${id}/spans`);
    for (const line of timeline(exported, spans, {
      [result.pid]: "agent",
      [result.workerPid]: "worker",
    }))
      console.log(line);

    heading("the dashboard");
    console.log(`  ${server.url}/#/sessions/${id}`);
    console.log(`  API key: ${server.apiKey}   (paste it on the sign-in page)`);
    if (!agree) process.exitCode = 1;
    if (!once) {
      console.log("\n  Run an example against this server and provider, for instance:");
      console.log(
        `  AGENTOPS_API_ENDPOINT=${server.url} AGENTOPS_API_KEY=${server.apiKey} MOCK_PROVIDER_URL=${provider.url} pnpm --filter example-quickstart start`,
      );
    }
    console.log(`\n  demo done in ${seconds(started)}`);
  } catch (error) {
    await stop();
    throw error;
  }

  if (once) {
    await stop();
    console.log("  --once: the server and the mock provider are stopped.");
    return;
  }
  console.log("  Serving until Ctrl-C.");
  await new Promise((resolveSignal) => {
    process.once("SIGINT", resolveSignal);
    process.once("SIGTERM", resolveSignal);
  });
  console.log("\n  stopping");
  await stop();
}

main().catch((error) => {
  console.error(`demo failed: ${error?.stack ?? error}`);
  process.exit(1);
});
