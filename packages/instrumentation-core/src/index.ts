export { AgentOpsInstrumentationBase, captureContentFromEnvironment } from "./base";
export type { AgentOpsInstrumentationConfig, ClientMethod } from "./base";
