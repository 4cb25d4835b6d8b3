export { AnthropicInstrumentation } from "./instrumentation";
export type {
  AnthropicInstrumentationConfig,
  AnthropicOperation,
  AnthropicRequestHook,
  AnthropicRequestInfo,
  AnthropicResponseHook,
  AnthropicResponseInfo,
} from "./types";
