import * as nodeModule from "node:module";
import { pathToFileURL } from "node:url";
import { logger } from "./logger";

const REGISTERED = Symbol.for("agentops.esm-hook-registered");

/**
 * The modules the instrumentations hook (by their bare names: LLM clients and the MCP SDK). The loader wraps only these:
 * wrapping every module breaks modules that keep state between their own files (openai 4's
 * `_shims` registry throws "you must `import 'openai/shims/node'`" when wrapped) and costs every
 * import of the application.
 */
export const HOOKED_MODULES = [
  "openai",
  "@anthropic-ai/sdk",
  // The MCP SDK has no main entry: applications import its subpaths, matched as written.
  "@modelcontextprotocol/sdk/client/index.js",
  "@modelcontextprotocol/sdk/client",
  "@modelcontextprotocol/sdk/server/index.js",
  "@modelcontextprotocol/sdk/server",
  "@modelcontextprotocol/sdk/server/mcp.js",
];

/**
 * Registers the loader hook (import-in-the-middle, through @opentelemetry/instrumentation) that
 * lets the instrumentations patch ES modules imported from now on, once per process. A module
 * imported before this cannot be patched: hence `node --import agentops/register`.
 */
export function registerEsmHook(): void {
  const holder = globalThis as { [REGISTERED]?: boolean };
  if (holder[REGISTERED]) return;
  holder[REGISTERED] = true;
  const register = (
    nodeModule as { register?: (specifier: string, parentURL: string | URL, options?: { data: unknown }) => void }
  ).register;
  if (typeof register !== "function") {
    logger.info("This Node.js has no module.register(); only require()d LLM clients are traced.");
    return;
  }
  try {
    const resolve = nodeModule.createRequire(__filename).resolve;
    register(pathToFileURL(resolve("@opentelemetry/instrumentation/hook.mjs")).href, pathToFileURL(__filename), {
      data: { include: HOOKED_MODULES },
    });
  } catch (error) {
    logger.warn("Could not register the ES module hook; import()ed LLM clients are not traced.", error);
  }
}
