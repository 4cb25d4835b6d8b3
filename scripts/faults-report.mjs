// Prints the figures the reliability suites wrote to test-artifacts/faults.jsonl as one table.
import { existsSync, readFileSync } from "node:fs";

const file = new URL("../test-artifacts/faults.jsonl", import.meta.url);
if (!existsSync(file)) process.exit(0);
const rows = readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
if (rows.length === 0) process.exit(0);
console.log("\nReliability figures");
for (const row of rows) {
  const { suite, ...figures } = row;
  console.log(`  ${suite}`);
  for (const [key, value] of Object.entries(figures)) {
    console.log(`    ${key.padEnd(22)} ${typeof value === "object" ? JSON.stringify(value) : value}`);
  }
}
