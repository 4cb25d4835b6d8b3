// What the version matrix runs: the Node.js versions, the client versions per instrumentation,
// and the check that the pinned client versions cover every major of each declared peer range.
import { readFileSync } from "node:fs";
import path from "node:path";
import { majorsOf, satisfies } from "./range.mjs";

/** Node.js versions the project supports, one pinned release per major. */
export const NODE_VERSIONS = ["20.20.2", "22.23.5", "24.22.3"];

/**
 * The newest release of each major of each client that an instrumentation declares (peer range in
 * its package.json), and the lowest release of the range, so its floor stays tested. Pinned, so a
 * run is reproducible and its installs are cached; refresh with `npm view <client>@<major> version`.
 */
export const CLIENTS = [
  {
    package: "packages/instrumentation-openai",
    client: "openai",
    // 4.87.0: the first with the Responses API (client.responses), which the tests call
    versions: ["4.87.0", "4.104.0", "5.23.2", "6.49.0", "7.60.0"],
  },
  {
    package: "packages/instrumentation-anthropic",
    client: "@anthropic-ai/sdk",
    // 0.50.1: the oldest that passes (0.41.0, the release before it on the registry, exports no
    // APIPromise, puts no request id on its errors, and its stream errors carry no class name)
    versions: ["0.50.1", "0.137.0", "1.16.0"],
  },
];

/**
 * The tests that check that `--import agentops/register` (the ES module hook) and `init()` trace
 * each client: run in every client cell beside the instrumentation's own tests.
 */
export const REGISTER_TESTS = ["packages/agentops/test/llm.test.ts"];

/**
 * Frameworks the SDK traces through their own telemetry or an integration package: one entry per
 * framework version, each a row. `install`: [name, version] pairs installed side by side in one
 * folder of the cache (the framework and what it is used with); `imports`: names the tests import
 * an installed package by (aliases in the workspace, so one test can load several majors);
 * `tests`: the test files or folders, with `names` a jest test name pattern when the files hold
 * tests of other versions too. A framework the package declares a peer range for must be inside
 * it. Adding a framework is adding an entry.
 */
export const FRAMEWORKS = [
  {
    package: "packages/agentops",
    framework: "ai",
    install: [["ai", "5.0.277"], ["@ai-sdk/openai", "2.0.130"]],
    imports: { "ai-v5": "ai", "@ai-sdk/openai-v2": "@ai-sdk/openai" },
    tests: ["packages/agentops/test/vercel-ai.test.ts"],
    names: "^ai 5 ",
  },
  {
    package: "packages/agentops",
    framework: "ai",
    install: [["ai", "6.0.333"], ["@ai-sdk/openai", "3.0.141"]],
    imports: { "ai-v6": "ai", "@ai-sdk/openai-v3": "@ai-sdk/openai" },
    tests: ["packages/agentops/test/vercel-ai.test.ts"],
    names: "^ai 6 ",
  },
  {
    // ai 7 emits its spans through an integration of @ai-sdk/otel (GenAI or legacy attributes)
    package: "packages/agentops",
    framework: "ai",
    install: [["ai", "7.0.173"], ["@ai-sdk/openai", "4.0.118"], ["@ai-sdk/otel", "1.0.173"]],
    imports: { "ai-v7": "ai", "@ai-sdk/openai-v4": "@ai-sdk/openai" },
    tests: ["packages/agentops/test/vercel-ai.test.ts"],
    names: "^ai 7,",
  },
  // the newest release of the declared range (older 1.x releases fail some tests: see the README)
  ...["1.32.2"].map((version) => ({
    package: "packages/instrumentation-mcp",
    framework: "@modelcontextprotocol/sdk",
    install: [["@modelcontextprotocol/sdk", version]],
    tests: ["packages/instrumentation-mcp/test"],
  })),
  // The lowest release of the declared range and the newest, each with the @langchain/openai and
  // @langchain/langgraph of its time (the range starts at 1.0.1: every LangGraph.js 1 release
  // requires @langchain/core ^1.0.1). `openai` is installed beside them, at a release
  // @langchain/openai's own range accepts (6.5.0: the newest when @langchain/openai 1.0.0 came out;
  // 1.6.0 requires ^7.10.0), so the cell has one copy of it, redirected like the rest: the copy
  // @langchain/openai calls is the one the tests' instrumentation patches (the tests import
  // `openai` too). For 1.0.1, @langchain/langgraph-checkpoint is pinned to 1.0.0: LangGraph 1.0.0
  // accepts ^1.0.0, and npm would pick the newest, which requires @langchain/core ^1.1.48 (it
  // imports @langchain/core/utils/uuid, which 1.0.1 does not export).
  ...[
    [["@langchain/core", "1.0.1"], ["@langchain/openai", "1.0.0"], ["@langchain/langgraph", "1.0.0"], ["@langchain/langgraph-checkpoint", "1.0.0"], ["openai", "6.5.0"]],
    [["@langchain/core", "1.4.0"], ["@langchain/openai", "1.6.0"], ["@langchain/langgraph", "1.7.3"], ["openai", "7.60.0"]],
  ].map((install) => ({
    package: "packages/integration-langchain",
    framework: "@langchain/core",
    install,
    tests: ["packages/integration-langchain/test"],
  })),
  // the lowest release of the declared range and the newest
  ...["0.4.0", "0.20.0"].map((version) => ({
    package: "packages/integration-openai-agents",
    framework: "@openai/agents",
    install: [["@openai/agents", version]],
    tests: ["packages/integration-openai-agents/test"],
  })),
];

/**
 * Native modules, built from source for each Node.js the main run does not use, at the version
 * the workspace installed for `package`; `check` loads the binary.
 */
export const NATIVE = [
  { package: "packages/server", name: "better-sqlite3", check: "new (require('better-sqlite3'))(':memory:').close()" },
];

/**
 * Suites run with the workspace's own packages on the Node.js majors the main run does not use
 * (with the native modules built for them): the instrumentations with the workspace's clients, the
 * server (SQLite storage, OTLP ingest, the REST routes) and the dashboard (served by the server, in
 * Chromium).
 */
export const WORKSPACE_SUITES = [
  { package: "packages/instrumentation-openai", tests: ["packages/instrumentation-openai/test"] },
  { package: "packages/instrumentation-anthropic", tests: ["packages/instrumentation-anthropic/test"] },
  {
    package: "packages/server",
    tests: ["storage.sqlite", "otlp-route", "rest-routes", "ingest-queue"].map((name) => `packages/server/test/${name}.test.ts`),
  },
  {
    package: "packages/dashboard",
    tests: ["dashboard.browser", "format", "genai"].map((name) => `packages/dashboard/test/${name}.test.ts`),
  },
];

function readJson(file) {
  return JSON.parse(readFileSync(file, "utf8"));
}

/**
 * The declared range of a client: the package.json peer range, which must equal the range the
 * instrumentation hooks (SUPPORTED_VERSIONS in src/instrumentation.ts), so the two cannot drift.
 */
export function declaredRange(root, entry) {
  const manifest = readJson(path.join(root, entry.package, "package.json"));
  const range = manifest.peerDependencies?.[entry.client];
  if (typeof range !== "string") throw new Error(`${entry.package}: no peer range for ${entry.client}`);
  const source = readFileSync(path.join(root, entry.package, "src", "instrumentation.ts"), "utf8");
  const hooked = /SUPPORTED_VERSIONS = \[([^\]]*)\]/.exec(source)?.[1];
  const hookedRange = hooked === undefined ? undefined : JSON.parse(`[${hooked}]`).join(" || ");
  if (hookedRange !== range) {
    throw new Error(`${entry.package}: peer range "${range}" differs from SUPPORTED_VERSIONS "${hookedRange}"`);
  }
  return range;
}

/** Fails when a pinned version is outside the declared range or a declared major has no pin. */
export function checkCoverage(root) {
  const problems = [];
  for (const entry of CLIENTS) {
    const range = declaredRange(root, entry);
    for (const version of entry.versions) {
      if (!satisfies(version, range)) problems.push(`${entry.client}@${version} is outside "${range}"`);
    }
    const pinned = new Set(entry.versions.map((version) => Number(version.split(".")[0])));
    for (const major of majorsOf(range)) {
      if (!pinned.has(major)) problems.push(`${entry.client} major ${major} (in "${range}") has no pinned version`);
    }
  }
  for (const entry of FRAMEWORKS) {
    const range = readJson(path.join(root, entry.package, "package.json")).peerDependencies?.[entry.framework];
    const version = frameworkVersion(entry);
    if (range !== undefined && !satisfies(version, range)) problems.push(`${entry.framework}@${version} is outside "${range}"`);
  }
  if (problems.length > 0) throw new Error(`version matrix out of date:\n  ${problems.join("\n  ")}`);
}

/** The version of the framework a framework entry installs. */
export function frameworkVersion(entry) {
  return entry.install.find(([name]) => name === entry.framework)[1];
}

/** The workspace's own version of a client, as installed for the package's tests. */
export function workspaceVersion(root, packageDir, client) {
  return readJson(path.join(root, packageDir, "node_modules", client, "package.json")).version;
}
