// Adds up test runs: each argument is the saved output of one run, which ends with the line
// `N passed, N failed[, N skipped]` (a package manager may print after it, so the last such line
// counts). Prints one line of the same form; a run without such a line counts as one failure.
import { readFileSync } from "node:fs";

const COUNTS = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/;
const total = { passed: 0, failed: 0, skipped: 0 };
for (const file of process.argv.slice(2)) {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // no output at all: counted below as a failed run
  }
  const line = text.split("\n").map((l) => l.trim()).filter((l) => COUNTS.test(l)).pop();
  if (line === undefined) {
    total.failed += 1;
    continue;
  }
  const [, passed, failed, skipped = "0"] = COUNTS.exec(line);
  total.passed += Number(passed);
  total.failed += Number(failed);
  total.skipped += Number(skipped);
}
const skipped = total.skipped ? `, ${total.skipped} skipped` : "";
console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
process.exitCode = total.failed > 0 ? 1 : 0;
