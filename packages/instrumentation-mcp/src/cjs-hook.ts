import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Hook } from "require-in-the-middle";

/**
 * The SDK's entry points, as applications `require` them. OpenTelemetry's module hooks cannot
 * see the SDK's CommonJS files: they tell a package's main file from its internal files by
 * resolving the package's main entry, which `@modelcontextprotocol/sdk` does not have (only
 * subpaths are exported), so every `require` of it is skipped. A hook on the entry points by
 * the name they are required by does not resolve that entry. ES modules go through the loader
 * hook, which has no such step.
 */
const ENTRY_POINTS = [
  "@modelcontextprotocol/sdk/client/index.js",
  "@modelcontextprotocol/sdk/client",
  "@modelcontextprotocol/sdk/server/index.js",
  "@modelcontextprotocol/sdk/server",
  "@modelcontextprotocol/sdk/server/mcp.js",
];

/** Versions this instrumentation supports, per its peer range `>=1.32.2 <2`. */
function supported(packageDir: string | undefined): boolean {
  if (packageDir === undefined) return false;
  try {
    const version: unknown = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8")).version;
    return typeof version === "string" && atLeast(version, [1, 32, 2]) && /^1\./.test(version);
  } catch {
    return false;
  }
}

/**
 * Calls `onEntry` with the exports of each SDK entry point `require`d from now on (of a supported
 * version), then hands them on unchanged. Returns the hook, to be removed with `unhook()`.
 */
export function hookCommonJsEntries(onEntry: (moduleExports: unknown) => void): Hook {
  return new Hook(ENTRY_POINTS, { internals: true }, (moduleExports, _name, packageDir) => {
    if (supported(packageDir)) onEntry(moduleExports);
    return moduleExports;
  });
}

/** Whether a `major.minor.patch` version is at least `floor`. */
function atLeast(version: string, floor: [number, number, number]): boolean {
  const parts = version.split(/[.+-]/, 3).map(Number);
  for (let i = 0; i < 3; i++) {
    const part = parts[i] ?? 0;
    if (part !== floor[i]) return part > floor[i]!;
  }
  return true;
}
