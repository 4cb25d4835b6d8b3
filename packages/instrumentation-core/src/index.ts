export { AgentOpsInstrumentationBase } from "./base";
export { captureContentFromEnvironment, resolveCaptureContent } from "./config";
export { OnceLogger } from "./once-logger";
export type {
  AgentOpsInstrumentationConfig,
  CallTracing,
  ClientMethod,
  TracedCallState,
} from "./types";
export { addParentContextProvider, resolveParentContext } from "./parent-context";
export type { ParentContextProvider } from "./parent-context";
