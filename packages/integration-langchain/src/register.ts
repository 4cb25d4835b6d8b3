import { registerConfigureHook, setContextVariable } from "@langchain/core/context";
import { AgentOpsCallbackHandler, type AgentOpsCallbackHandlerOptions } from "./handler";

/** The LangChain context variable the registered handler is kept in. */
const CONTEXT_VARIABLE = "agentops_callback_handler";

/**
 * Adds an {@link AgentOpsCallbackHandler} to every LangChain run from here on, without passing
 * `callbacks`, through LangChain's configure hooks. Those live in LangChain's async context: call
 * this once at the start of the program (top-level code), before the runs, so that everything
 * started from there sees it. Runs that are also given a handler are traced once. Returns the
 * handler; never throws (without LangChain's async context, runs are simply not traced this way).
 *
 * @example
 * agentops.init();
 * registerAgentOpsCallbackHandler();
 * await graph.invoke(input); // traced
 */
export function registerAgentOpsCallbackHandler(options: AgentOpsCallbackHandlerOptions = {}): AgentOpsCallbackHandler {
  const handler = new AgentOpsCallbackHandler(options);
  try {
    registerConfigureHook({ contextVar: CONTEXT_VARIABLE, inheritable: true });
    setContextVariable(CONTEXT_VARIABLE, handler);
  } catch {
    // no async context to keep it in: pass the handler as a callback instead
  }
  return handler;
}
