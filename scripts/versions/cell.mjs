// Runs one cell of the matrix, one set of tests on one Node.js with one client version, in a
// jest process of its own, and reads its counts from jest's JSON report.
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const CELL_TIMEOUT_MS = 10 * 60_000;
const HERE = path.dirname(new URL(import.meta.url).pathname);

/**
 * @param cell {id, node: binary path, tests: paths, names: jest test name pattern | undefined,
 *   clients: {name: folder | {folder, as}} | undefined}
 * @returns {passed, failed, skipped, seconds, failures: string[], log}
 */
export async function runCell(root, cell) {
  const runs = path.join(root, ".cache", "runs");
  mkdirSync(runs, { recursive: true });
  const report = path.join(runs, `${cell.id}.json`);
  const log = path.join(runs, `${cell.id}.log`);
  rmSync(report, { force: true });
  const env = {
    ...process.env,
    // child processes the tests start by name run the same Node.js
    PATH: `${path.dirname(cell.node)}${path.delimiter}${process.env.PATH ?? ""}`,
  };
  if (cell.clients && Object.keys(cell.clients).length > 0) {
    env.AGENTOPS_TEST_CLIENTS = JSON.stringify(cell.clients);
    const preload = `--import=${pathToFileURL(path.join(HERE, "redirect.mjs")).href}`;
    env.NODE_OPTIONS = [process.env.NODE_OPTIONS, preload].filter(Boolean).join(" ");
  }
  const args = [
    path.join(root, "node_modules", "jest", "bin", "jest.js"),
    "--config",
    path.join(HERE, "jest.config.cjs"),
    // two cells run side by side on two cores: one test file at a time in each
    "--runInBand",
    "--json",
    "--outputFile",
    report,
    ...(cell.names ? ["--testNamePattern", cell.names] : []),
    ...cell.tests,
  ];
  const started = Date.now();
  const code = await new Promise((resolve) => {
    const out = createWriteStream(log);
    const child = spawn(cell.node, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    const timer = setTimeout(() => {
      out.write(`\nkilled after ${CELL_TIMEOUT_MS / 1000} s\n`);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, CELL_TIMEOUT_MS);
    child.on("error", (error) => out.write(`\n${String(error)}\n`));
    child.on("close", (exit) => {
      clearTimeout(timer);
      out.end(() => resolve(exit));
    });
  });
  const seconds = (Date.now() - started) / 1000;
  const counts = countsOf(report, code);
  // the tests a name pattern leaves out (other versions' tests in the same file) are not skips
  if (cell.names) counts.skipped = 0;
  return { ...counts, seconds, log };
}

/** Counts from the JSON report; a run that left no report counts as one failure. */
function countsOf(report, code) {
  if (!existsSync(report)) {
    return { passed: 0, failed: 1, skipped: 0, failures: [`jest exited with ${code} and no report`] };
  }
  const r = JSON.parse(readFileSync(report, "utf8"));
  const failures = [];
  for (const suite of r.testResults) {
    if (suite.status === "failed" && suite.assertionResults.every((a) => a.status !== "failed")) {
      failures.push(`${path.basename(suite.name)}: ${(suite.message || "suite failed").split("\n").find(Boolean)}`);
    }
    for (const a of suite.assertionResults) if (a.status === "failed") failures.push(`${path.basename(suite.name)}: ${a.fullName}`);
  }
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  // a run that fails without a failing test (exit code only) still counts once
  const unexplained = code !== 0 && failed === 0 ? 1 : 0;
  if (unexplained) failures.push(`jest exited with ${code}`);
  return {
    passed: r.numPassedTests,
    failed: failed + unexplained,
    skipped: r.numPendingTests + r.numTodoTests,
    failures,
  };
}
