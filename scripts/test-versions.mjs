// The version matrix (`pnpm test:versions`): each instrumentation's tests (and the SDK's register
// and LLM tests) against the lowest and the newest release of every client major its peer range
// declares, each framework's tests against each framework version, on every supported Node.js;
// and the instrumentations, the server and the dashboard with the workspace's own packages on the
// Node.js majors the main test run does not use, with the native modules built for them. Each
// cell is a jest process of its own, two at a time. Ends with the table and one line
// `N passed, N failed` over all cells.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { clientPrefix, nativePrefix, nodeBinary, packagesPrefix } from "./versions/cache.mjs";
import { runCell } from "./versions/cell.mjs";
import {
  CLIENTS,
  FRAMEWORKS,
  NATIVE,
  NODE_VERSIONS,
  REGISTER_TESTS,
  WORKSPACE_SUITES,
  checkCoverage,
  frameworkVersion,
  workspaceVersion,
} from "./versions/plan.mjs";
import { renderTable } from "./versions/table.mjs";

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
const PARALLEL = 2;
const say = (text) => console.log(`== ${text}`);

/** Runs the jobs, at most `limit` at a time, in order of start. */
async function pool(jobs, limit) {
  const results = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

const shortName = (dir) => path.basename(dir);
const idOf = (...parts) => parts.join("_").replace(/[^\w.@+-]+/g, "-");

/** Installs (or finds cached) everything; a failed install becomes that row's or cell's note. */
async function prepare() {
  const nodes = new Map();
  for (const version of NODE_VERSIONS) {
    nodes.set(version, await nodeBinary(ROOT, version).catch((error) => error));
  }
  const jobs = [];
  const prefixes = new Map();
  for (const entry of CLIENTS) {
    for (const version of entry.versions) {
      const key = `${entry.client}@${version}`;
      jobs.push(async () => prefixes.set(key, await clientPrefix(ROOT, entry.client, version).catch((error) => error)));
    }
  }
  for (const entry of FRAMEWORKS) {
    const key = frameworkKey(entry);
    jobs.push(async () => prefixes.set(key, await packagesPrefix(ROOT, key, entry.install).catch((error) => error)));
  }
  // native modules for every Node.js but the one the workspace installed them for
  const natives = new Map();
  for (const nodeVersion of NODE_VERSIONS.filter((version) => `v${version}` !== process.version)) {
    const node = nodes.get(nodeVersion);
    for (const native of NATIVE) {
      const module = { ...native, version: workspaceVersion(ROOT, native.package, native.name) };
      const build = node instanceof Error ? async () => node : () => nativePrefix(ROOT, module, nodeVersion, node);
      jobs.push(async () => natives.set(`${native.name}@${nodeVersion}`, await build().catch((error) => error)));
    }
  }
  await pool(jobs, PARALLEL);
  return { nodes, prefixes, natives };
}

const frameworkKey = (entry) => entry.install.map(([name, version]) => `${name}@${version}`).join("+");

function plan({ nodes, prefixes, natives }) {
  const rows = [];
  const cells = [];
  const fail = (row, nodeVersion, failure) => (row.cells[nodeVersion] = { passed: 0, failed: 1, skipped: 0, failures: [failure] });
  /** A cell of `row` on one Node.js; `clients` are redirected, and so are the native modules built for that Node.js. */
  const add = (row, nodeVersion, cell) => {
    const node = nodes.get(nodeVersion);
    if (node instanceof Error) return fail(row, nodeVersion, `no Node.js ${nodeVersion}: ${node.message}`);
    const clients = { ...cell.clients };
    for (const native of NATIVE) {
      const prefix = natives.get(`${native.name}@${nodeVersion}`);
      if (prefix instanceof Error) return fail(row, nodeVersion, `no ${native.name} for Node.js ${nodeVersion}: ${prefix.message}`);
      if (prefix !== undefined) clients[native.name] = prefix;
    }
    cells.push({ ...cell, clients, id: idOf(row.package, row.client, nodeVersion), node, row, nodeVersion });
  };
  const addRow = (row, prefix, clientsOf, tests, names) => {
    rows.push(row);
    for (const nodeVersion of NODE_VERSIONS) {
      if (prefix instanceof Error) fail(row, nodeVersion, `install failed: ${prefix.message}`);
      else add(row, nodeVersion, { tests, names, clients: clientsOf(prefix) });
    }
  };
  for (const entry of CLIENTS) {
    for (const version of entry.versions) {
      const row = { package: shortName(entry.package), client: `${entry.client}@${version}`, cells: {} };
      // the API from where the package resolves it: one copy per process, as in an application,
      // so the client's own tracing sees the tracer provider the tests register
      const clientsOf = (prefix) => ({ [entry.client]: prefix, "@opentelemetry/api": path.join(ROOT, entry.package) });
      addRow(row, prefixes.get(`${entry.client}@${version}`), clientsOf, [`${entry.package}/test`, ...REGISTER_TESTS]);
    }
  }
  for (const entry of FRAMEWORKS) {
    const row = { package: shortName(entry.package), client: `${entry.framework}@${frameworkVersion(entry)}`, cells: {} };
    const others = entry.install.filter(([name]) => name !== entry.framework).map(([name, version]) => `${name}@${version}`);
    if (others.length) row.client += ` (${others.join(", ")})`;
    const clientsOf = (prefix) => ({
      ...Object.fromEntries(entry.install.map(([name]) => [name, prefix])),
      ...Object.fromEntries(Object.entries(entry.imports ?? {}).map(([alias, name]) => [alias, { folder: prefix, as: name }])),
      "@opentelemetry/api": path.join(ROOT, entry.package),
    });
    addRow(row, prefixes.get(frameworkKey(entry)), clientsOf, entry.tests, entry.names);
  }
  const mainNode = NODE_VERSIONS[0];
  for (const suite of WORKSPACE_SUITES) {
    const clients = CLIENTS.filter((entry) => entry.package === suite.package).map(
      (entry) => `${entry.client}@${workspaceVersion(ROOT, entry.package, entry.client)}`,
    );
    const natives = NATIVE.filter((native) => native.package === suite.package).map(
      (native) => `${native.name}@${workspaceVersion(ROOT, native.package, native.name)}`,
    );
    const row = {
      package: shortName(suite.package),
      client: `workspace${[...clients, ...natives].length ? ` ${[...clients, ...natives].join(", ")}` : ""}`,
      cells: { [mainNode]: "in the main test run" },
    };
    rows.push(row);
    for (const nodeVersion of NODE_VERSIONS.slice(1)) add(row, nodeVersion, { tests: suite.tests });
  }
  return { rows, cells };
}

async function main() {
  const started = Date.now();
  checkCoverage(ROOT);
  say(`installing Node.js ${NODE_VERSIONS.join(", ")}, the client and framework versions, building native modules (cached in .cache/)`);
  const prepared = await prepare();
  const installSeconds = (Date.now() - started) / 1000;
  const planned = plan(prepared);
  const { rows } = planned;
  // `pnpm test:versions <text>` runs only the cells whose id contains the text; the others show so
  const only = process.argv[2];
  const cells = only ? planned.cells.filter((cell) => cell.id.includes(only)) : planned.cells;
  for (const cell of planned.cells) if (!cells.includes(cell)) cell.row.cells[cell.nodeVersion] = `not selected`;
  say(`running ${cells.length} cells, ${PARALLEL} at a time`);
  await pool(
    cells.map((cell) => async () => {
      const result = await runCell(ROOT, cell);
      cell.row.cells[cell.nodeVersion] = result;
      const status = result.failed ? "FAILED" : "ok";
      console.log(`${status.padEnd(6)} ${cell.row.package} ${cell.row.client} on Node ${cell.nodeVersion}: ${result.passed} passed, ${result.failed} failed (${result.seconds.toFixed(0)} s)`);
      for (const failure of result.failures.slice(0, 10)) console.log(`         ${failure}`);
      if (result.failed) console.log(`         log: ${path.relative(ROOT, result.log)}`);
    }),
    PARALLEL,
  );
  const results = rows.flatMap((row) => Object.values(row.cells).filter((cell) => typeof cell === "object"));
  for (const row of rows) {
    for (const [nodeVersion, cell] of Object.entries(row.cells)) {
      if (typeof cell === "object" && !cells.some((c) => c.row === row && c.nodeVersion === nodeVersion)) {
        console.log(`FAILED ${row.package} ${row.client} on Node ${nodeVersion}: ${cell.failures.join("; ")}`);
      }
    }
  }
  const total = (key) => results.reduce((sum, result) => sum + result[key], 0);
  console.log(`\nVersion matrix (tests passed/failed per cell)\n${renderTable(rows, NODE_VERSIONS)}`);
  const seconds = (Date.now() - started) / 1000;
  console.log(`\nwall time ${seconds.toFixed(0)} s (installs ${installSeconds.toFixed(0)} s)`);
  const skipped = total("skipped");
  console.log(`${total("passed")} passed, ${total("failed")} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exitCode = total("failed") > 0 ? 1 : 0;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  console.log("0 passed, 1 failed");
  process.exitCode = 1;
});
