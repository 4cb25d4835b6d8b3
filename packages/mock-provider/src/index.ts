export { startMockProvider } from "./server";
export { openaiRoutes } from "./openai";
export { anthropicRoutes } from "./anthropic";
export type {
  HandlerContext,
  MockProvider,
  MockProviderOptions,
  MockUsage,
  RecordedRequest,
  RouteHandler,
  ScriptedResponse,
} from "./types";
