/**
 * The span model of agentops: what a span means in a session, read the same way by the SDK (its
 * session analytics), the server (its stats and export) and the dashboard (its chat view), and
 * the REST shapes they exchange.
 */
export { classifySpan } from "./classify";
export { classifyOpenAIAgentsSpan } from "./openai-agents";
export { classifyLangChainSpan } from "./langchain";
export { emptySpanMeaning, interpretSpan } from "./interpret";
export type { SpanMeaning } from "./interpret";
export { hasTokenUsage, readExplicitCost, readLlmUsage } from "./usage";
export type { LlmUsage } from "./usage";
export { parseEndState, parseTags, readSessionMetadata } from "./session-metadata";
export type { SessionMetadata } from "./session-metadata";
export { firstCount, firstString, readCount, readNumber, readString } from "./attribute-values";
export { addPicoUsd, MAX_SESSION_COST_PICO, MAX_SPAN_COST_USD, toPicoUsd } from "./cost";
export { isContentAttribute } from "./content";
export { parseJson, parseJsonText, readConversation, readRawMessages } from "./messages";
export type { ChatMessage, ChatPart, Conversation } from "./messages";
export { countsAsAction } from "./kinds";
export { describeSpan, FRAMEWORK_NAMES } from "./describe";
export type { SpanDescription, SpanRole } from "./describe";
export type { EndState, EventKind } from "./kinds";
export { readToolCall } from "./tool-call";
export type { ToolCall } from "./tool-call";
export type {
  AlertCondition,
  AlertDelivery,
  DeliveryAttempt,
  ErrorResponse,
  ExportedActionEvent,
  ExportedErrorEvent,
  ExportedEventBase,
  ExportedFrameworkFields,
  ExportedLlmEvent,
  ExportedToolEvent,
  ListSessionsPage,
  ProjectResponse,
  PublicAlertRule,
  ScoreRequest,
  ScoreResponse,
  ScoreSource,
  SessionExport,
  SessionInfo,
  SessionScore,
  SessionScoresResponse,
  SessionSpansResponse,
  SessionStats,
  SpanResponse,
  TokenResponse,
  TokenVerifyResponse,
  UsageQuery,
  UsageResponse,
  UsageRow,
} from "./rest-types";
