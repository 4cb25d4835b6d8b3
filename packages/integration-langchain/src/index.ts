/**
 * LangChain.js and LangGraph.js runs traced as agentops sessions: pass the handler as a callback,
 * or register it once for every run.
 *
 * @example
 * import { AgentOpsCallbackHandler } from "@agentops/langchain";
 * await chain.invoke(input, { callbacks: [new AgentOpsCallbackHandler()] });
 */
export { AgentOpsCallbackHandler } from "./handler";
export { registerAgentOpsCallbackHandler } from "./register";
export type { AgentOpsCallbackHandlerOptions } from "./handler";
export { INTEGRATION_NAME, INTEGRATION_VERSION } from "./version";
