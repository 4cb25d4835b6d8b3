/**
 * `node --import agentops/register app.mjs` or `node --require agentops/register app.js`:
 * registers the ES module loader hook before the app's modules load, so the LLM instrumentations
 * can patch `import`ed clients, then calls `init()` from the environment (AGENTOPS_API_KEY,
 * AGENTOPS_API_ENDPOINT, …).
 */
import { registerEsmHook } from "./esm-hook";
import { init } from "./index";

registerEsmHook();
init();
