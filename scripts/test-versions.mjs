// The version matrix (`pnpm test:versions`): each instrumentation's tests against the newest
// release of every client major its peer range declares, on every supported Node.js, and the SDK's
// LLM tests and the instrumentation tests with the workspace's own clients on the Node.js majors
// the main test run does not use. Each cell is a jest process of its own, two at a time. Ends with
// the table and one line `N passed, N failed` over all cells.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { clientPrefix, nodeBinary } from "./versions/cache.mjs";
import { runCell } from "./versions/cell.mjs";
import { CLIENTS, NODE_VERSIONS, WORKSPACE_SUITES, checkCoverage, workspaceVersion } from "./versions/plan.mjs";
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

/** Installs (or finds cached) everything; a failed install becomes that row's or column's note. */
async function prepare() {
  const nodes = new Map();
  for (const version of NODE_VERSIONS) {
    nodes.set(version, await nodeBinary(ROOT, version).catch((error) => error));
  }
  const prefixes = new Map();
  await pool(
    CLIENTS.flatMap((entry) =>
      entry.versions.map((version) => async () => {
        const key = `${entry.client}@${version}`;
        prefixes.set(key, await clientPrefix(ROOT, entry.client, version).catch((error) => error));
      }),
    ),
    PARALLEL,
  );
  return { nodes, prefixes };
}

function plan({ nodes, prefixes }) {
  const rows = [];
  const cells = [];
  const add = (row, nodeVersion, cell) => {
    const node = nodes.get(nodeVersion);
    if (node instanceof Error) {
      row.cells[nodeVersion] = { passed: 0, failed: 1, skipped: 0, failures: [`no Node.js ${nodeVersion}: ${node.message}`] };
      return;
    }
    cells.push({ ...cell, id: idOf(row.package, row.client, nodeVersion), node, row, nodeVersion });
  };
  for (const entry of CLIENTS) {
    for (const version of entry.versions) {
      const row = { package: shortName(entry.package), client: `${entry.client}@${version}`, cells: {} };
      rows.push(row);
      const prefix = prefixes.get(`${entry.client}@${version}`);
      for (const nodeVersion of NODE_VERSIONS) {
        if (prefix instanceof Error) {
          row.cells[nodeVersion] = { passed: 0, failed: 1, skipped: 0, failures: [`install failed: ${prefix.message}`] };
        } else {
          // the API from where the package resolves it: one copy per process, as in an application,
          // so the client's own tracing sees the tracer provider the tests register
          const clients = { [entry.client]: prefix, "@opentelemetry/api": path.join(ROOT, entry.package) };
          add(row, nodeVersion, { tests: [`${entry.package}/test`], clients });
        }
      }
    }
  }
  const mainNode = NODE_VERSIONS[0];
  for (const suite of WORKSPACE_SUITES) {
    const clients = CLIENTS.filter((entry) => entry.package === suite.package).map(
      (entry) => `${entry.client}@${workspaceVersion(ROOT, entry.package, entry.client)}`,
    );
    const row = {
      package: shortName(suite.package),
      client: `workspace${clients.length ? ` ${clients.join(", ")}` : ""}${suite.package === "packages/agentops" ? " (llm.test.ts)" : ""}`,
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
  say(`installing Node.js ${NODE_VERSIONS.join(", ")} and the client versions (cached in .cache/)`);
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
