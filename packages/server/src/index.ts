export { createServer, DEFAULT_BODY_LIMIT_BYTES } from "./server";
export {
  openStorage,
  DEFAULT_DATABASE_URL,
  describeStorage,
  MAX_SCORES_PER_SESSION,
  parseStorageUrl,
  ScoreIdConflictError,
  ScoreLimitError,
  StorageQueryError,
  StorageUrlError,
} from "./storage/index";
export type { OpenStorageOptions, StorageLocation } from "./storage/index";
export { normalizeSpan } from "./ingest/normalize";
export {
  API_KEY_PREFIX,
  ApiKeyVerifier,
  generateApiKey,
  hashApiKeySecret,
  parseApiKey,
  verifyApiKeySecret,
} from "./auth/keys";
export type { ApiKeyVerifierOptions, GeneratedApiKey, KeyStore, ParsedApiKey } from "./auth/keys";
export { Authenticator, credentialOf } from "./auth/authenticate";
export {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  ProjectTokens,
  TOKEN_SECRET_SETTING,
  resolveTokenOptions,
} from "./auth/project-tokens";
export type {
  IssuedToken,
  ResolvedTokenOptions,
  SecretStore,
  TokenInfo,
  TokenOptions,
} from "./auth/project-tokens";
export { signJwt, verifyJwt } from "./auth/jwt";
export type { JwtClaims, JwtRejection } from "./auth/jwt";
export type { CredentialSource, CredentialVerifier, Principal } from "./auth/authenticate";
export { decodeTraceRequest, encodingOfContentType, OtlpDecodeError } from "./otlp/decode";
export type { DecodeResult, OtlpEncoding } from "./otlp/decode";
export type { IngestQueueOptions } from "./ingest/ingest-queue";
export type { RateLimitOptions } from "./ingest/rate-limiter";
export type { ServerOptions } from "./types";
export type {
  ErrorResponse,
  ExportedActionEvent,
  ExportedErrorEvent,
  ExportedEventBase,
  ExportedLlmEvent,
  ExportedToolEvent,
  ProjectResponse,
  ScoreRequest,
  ScoreResponse,
  SessionExport,
  SessionScoresResponse,
  SessionSpansResponse,
  SpanResponse,
  TokenResponse,
  TokenVerifyResponse,
  UsageResponse,
} from "@agentops/span-model";
export type {
  AddScoreResult,
  DecodedSpan,
  EndState,
  EventKind,
  IngestResult,
  ListSessionsPage,
  ListSessionsQuery,
  NewScore,
  NormalizedSpan,
  Project,
  ScoreSource,
  SessionInfo,
  SessionScore,
  SessionSort,
  SessionStats,
  SpoolHealth,
  Storage,
  StorageHealth,
  StorageLogger,
  StoredSpan,
  UsageQuery,
  UsageRow,
} from "./storage/types";
export { BUILTIN_RULES, compileRules, luhn, makeRule, RedactionRuleError } from "./redaction/rules";
export type { BuiltinRule, Redaction, RedactionRule, RuleInput } from "./redaction/rules";
export { addRule, readRules, removeRule } from "./redaction/project-rules";
export { RedactingIngest, redactSpan } from "./redaction/redactor";
export {
  AlertRuleError,
  checkWebhookUrl,
  makeAlertRule,
  matchCondition,
  parseCondition,
  publicRule,
} from "./alerts/rules";
export type { AlertCondition, AlertRule, AlertRuleInput, PublicAlertRule } from "./alerts/rules";
export { addAlertRule, readAlertRules, readDeliveries, removeAlertRule } from "./alerts/project-alerts";
export type { AlertDelivery, DeliveryAttempt } from "./alerts/project-alerts";
export { AlertEvaluator, AlertingIngest, ALERT_RULES_CACHE_MS } from "./alerts/evaluator";
export type { AlertOptions } from "./alerts/evaluator";
export type { AlertPayload } from "./alerts/deliverer";
export { signBody, SIGNATURE_HEADER, DELIVERY_HEADER, TIMESTAMP_HEADER } from "./alerts/webhook";
