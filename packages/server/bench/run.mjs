// `pnpm --filter @agentops/server bench`: the storage bench, then the HTTP ingest bench, each in a
// process of its own, against the built package. BENCH_ONLY=storage|ingest runs one of them; the
// other BENCH_* variables are passed through (see each file's header).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(here, "..", "dist", "index.js"))) {
  console.error("build the package first: pnpm --filter @agentops/server build");
  process.exit(1);
}
const only = process.env.BENCH_ONLY;
let failed = false;
for (const name of ["storage", "ingest"]) {
  if (only && only !== name) continue;
  const file = join(here, `${name}.mjs`);
  if (!existsSync(file)) continue;
  console.log(`# ${name} bench`);
  const result = spawnSync(process.execPath, ["--expose-gc", file], { stdio: "inherit", timeout: 10 * 60_000 });
  if (result.status !== 0) {
    console.error(`${name} bench failed (${result.status ?? result.signal})`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
