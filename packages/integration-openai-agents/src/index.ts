/**
 * OpenAI Agents SDK runs traced as agentops sessions: register the processor once.
 *
 * @example
 * import { addTraceProcessor } from "@openai/agents";
 * import { agentopsTraceProcessor } from "@agentops/openai-agents";
 * addTraceProcessor(agentopsTraceProcessor());
 */
export { AgentOpsTraceProcessor, agentopsTraceProcessor } from "./processor";
export type { AgentOpsTraceProcessorOptions } from "./processor";
export { INTEGRATION_NAME, INTEGRATION_VERSION } from "./version";
