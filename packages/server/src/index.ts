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
  Storage,
  StoredSpan,
  UsageQuery,
  UsageRow,
} from "./storage/types";
