/**
 * `node --import agentops/register app.mjs` or `node --require agentops/register app.js`:
 * registers the ESM loader hook that lets the LLM instrumentations patch `import`ed clients,
 * then calls `init()` from the environment (AGENTOPS_API_KEY, AGENTOPS_API_ENDPOINT, …).
 */
import * as nodeModule from "node:module";
import { pathToFileURL } from "node:url";
import { init } from "./index";
import { logger } from "./logger";

function registerEsmHook(): void {
  const register = (nodeModule as { register?: (specifier: string, parentURL: string | URL) => void }).register;
  if (typeof register !== "function") {
    logger.warn("This Node.js has no module.register(); only require()d LLM clients are traced.");
    return;
  }
  try {
    const resolve = nodeModule.createRequire(__filename).resolve;
    register(pathToFileURL(resolve("@opentelemetry/instrumentation/hook.mjs")).href, pathToFileURL(__filename));
  } catch (error) {
    logger.warn("Could not register the ESM hook; import()ed LLM clients are not traced.", error);
  }
}

registerEsmHook();
init();
