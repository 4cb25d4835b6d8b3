import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

export const PACKAGE_DIR = path.resolve(__dirname, "../..");
export const DIST_DIR = path.join(PACKAGE_DIR, "dist");

/** Newest modification time under a folder (source files). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds the dashboard unless `dist` is newer than every source file, so the browser tests
 * always run the current sources (a build takes a few seconds).
 */
export function ensureDashboardBuilt(): string {
  const index = path.join(DIST_DIR, "index.html");
  const sources = Math.max(
    newestMtime(path.join(PACKAGE_DIR, "src")),
    statSync(path.join(PACKAGE_DIR, "index.html")).mtimeMs,
    statSync(path.join(PACKAGE_DIR, "vite.config.mjs")).mtimeMs,
  );
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    execFileSync(process.execPath, [path.join(PACKAGE_DIR, "node_modules", "vite", "bin", "vite.js"), "build", "--logLevel", "warn"], {
      cwd: PACKAGE_DIR,
      stdio: "inherit",
    });
  }
  return DIST_DIR;
}
