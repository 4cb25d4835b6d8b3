export { OpenAIInstrumentation, captureContentFromEnvironment } from "./instrumentation";
export { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from "./version";
export type {
  OpenAIInstrumentationConfig,
  OpenAIMethod,
  OpenAIRequestHook,
  OpenAIRequestInfo,
  OpenAIResponseHook,
  OpenAIResponseInfo,
} from "./types";
