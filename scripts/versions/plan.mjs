// What the version matrix runs: the Node.js versions, the client versions per instrumentation,
// and the check that the pinned client versions cover every major of each declared peer range.
import { readFileSync } from "node:fs";
import path from "node:path";
import { majorsOf, satisfies } from "./range.mjs";

/** Node.js versions the project supports, one pinned release per major. */
export const NODE_VERSIONS = ["20.20.2", "22.23.5", "24.22.3"];

/**
 * The newest release of each major of each client that an instrumentation declares (peer range in
 * its package.json). Pinned, so a run is reproducible and its installs are cached; refresh with
 * `npm view <client>@<major> version`.
 */
export const CLIENTS = [
  {
    package: "packages/instrumentation-openai",
    client: "openai",
    versions: ["4.104.0", "5.23.2", "6.49.0", "7.60.0"],
  },
  {
    package: "packages/instrumentation-anthropic",
    client: "@anthropic-ai/sdk",
    versions: ["0.137.0", "1.16.0"],
  },
];

/** Suites run with the workspace's own client versions on the Node.js majors the main run does not use. */
export const WORKSPACE_SUITES = [
  { package: "packages/agentops", tests: ["packages/agentops/test/llm.test.ts"] },
  { package: "packages/instrumentation-openai", tests: ["packages/instrumentation-openai/test"] },
  { package: "packages/instrumentation-anthropic", tests: ["packages/instrumentation-anthropic/test"] },
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
  if (problems.length > 0) throw new Error(`version matrix out of date:\n  ${problems.join("\n  ")}`);
}

/** The workspace's own version of a client, as installed for the package's tests. */
export function workspaceVersion(root, packageDir, client) {
  return readJson(path.join(root, packageDir, "node_modules", client, "package.json")).version;
}
