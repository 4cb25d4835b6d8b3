/**
 * Every attribute name the agentops SDK, the instrumentations and the server emit or read, in
 * one place. The GenAI names follow the OpenTelemetry GenAI semantic conventions, which are still
 * "development" status upstream, so this package keeps its own copy of them.
 *
 * The span model (see README.md for the full table):
 * - A session is a root span with `agentops.span.kind = "session"`. Its trace id, written as a
 *   UUID, is the session id. Totals and the end state are written on it just before it ends.
 * - Because a root span is exported only when it ends, a running session announces itself with
 *   zero-length marker spans, children of the root: `session.start` (id, tags, host environment
 *   in the resource) right after it starts, and `session.update` after each change of tags or video.
 * - Events (LLM calls, tools, actions, errors) are child spans of the session span.
 */

// ---------------------------------------------------------------------------------------------
// agentops.* — the session model
// ---------------------------------------------------------------------------------------------

/** The role of a span in the session model; one of {@link SpanKindValues}. */
export const ATTR_AGENTOPS_SPAN_KIND = "agentops.span.kind";
/** The session id (UUID form of the trace id), on session and marker spans. */
export const ATTR_AGENTOPS_SESSION_ID = "agentops.session.id";
/** The session's tags (string[]): on the root span at end and on every marker span. */
export const ATTR_AGENTOPS_SESSION_TAGS = "agentops.session.tags";
/** `Success` | `Failure` | `Indeterminate`, on the root span. */
export const ATTR_AGENTOPS_SESSION_END_STATE = "agentops.session.end_state";
/** Free text explaining the end state, on the root span. */
export const ATTR_AGENTOPS_SESSION_END_STATE_REASON = "agentops.session.end_state_reason";
/** URL of a recording of the session. */
export const ATTR_AGENTOPS_SESSION_VIDEO = "agentops.session.video";
/** Start of the session (epoch ms), on marker spans, so a server can learn it before the root ends. */
export const ATTR_AGENTOPS_SESSION_START_TIME = "agentops.session.start_time_ms";
/** True on spans written by a process that joined a session it did not start. */
export const ATTR_AGENTOPS_SESSION_INHERITED = "agentops.session.inherited";

/** Totals written on the root span when the session ends (numbers; cost in USD). */
export const ATTR_AGENTOPS_SESSION_LLM_CALLS = "agentops.session.llm_calls";
export const ATTR_AGENTOPS_SESSION_TOOL_CALLS = "agentops.session.tool_calls";
export const ATTR_AGENTOPS_SESSION_ACTIONS = "agentops.session.actions";
export const ATTR_AGENTOPS_SESSION_ERRORS = "agentops.session.errors";
export const ATTR_AGENTOPS_SESSION_PROMPT_TOKENS = "agentops.session.prompt_tokens";
export const ATTR_AGENTOPS_SESSION_COMPLETION_TOKENS = "agentops.session.completion_tokens";
export const ATTR_AGENTOPS_SESSION_CACHED_TOKENS = "agentops.session.cached_tokens";
export const ATTR_AGENTOPS_SESSION_REASONING_TOKENS = "agentops.session.reasoning_tokens";
export const ATTR_AGENTOPS_SESSION_TOTAL_TOKENS = "agentops.session.total_tokens";
export const ATTR_AGENTOPS_SESSION_COST = "agentops.session.cost";

/** The event's own id (a UUID), on every event span. */
export const ATTR_AGENTOPS_EVENT_ID = "agentops.event.id";
/** JSON of the event's params / returns, and free-text logs. */
export const ATTR_AGENTOPS_EVENT_PARAMS = "agentops.event.params";
export const ATTR_AGENTOPS_EVENT_RETURNS = "agentops.event.returns";
export const ATTR_AGENTOPS_EVENT_LOGS = "agentops.event.logs";
/** Action events: the action type and an optional screenshot (URL or data URI). */
export const ATTR_AGENTOPS_ACTION_TYPE = "agentops.action.type";
export const ATTR_AGENTOPS_ACTION_SCREENSHOT = "agentops.action.screenshot";
/** Cost in USD given explicitly for an LLM call; wins over the price table. */
export const ATTR_AGENTOPS_LLM_COST = "agentops.llm.cost";
/** Error events. */
export const ATTR_AGENTOPS_ERROR_CODE = "agentops.error.code";
export const ATTR_AGENTOPS_ERROR_DETAILS = "agentops.error.details";
export const ATTR_AGENTOPS_ERROR_TRIGGER_EVENT_ID = "agentops.error.trigger_event_id";

/** Values of {@link ATTR_AGENTOPS_SPAN_KIND}. */
export const SpanKindValues = {
  SESSION: "session",
  SESSION_START: "session.start",
  SESSION_UPDATE: "session.update",
  LLM: "llm",
  TOOL: "tool",
  ACTION: "action",
  ERROR: "error",
  /**
   * The server side of an MCP request whose client propagated its trace in `params._meta`: the
   * client's span already counts the call, so this one is only shown, never counted.
   */
  MCP_SERVER: "mcp.server",
} as const;
export type SpanKindValue = (typeof SpanKindValues)[keyof typeof SpanKindValues];

/** The three end states of a session. */
export const EndStateValues = {
  SUCCESS: "Success",
  FAILURE: "Failure",
  INDETERMINATE: "Indeterminate",
} as const;
export type EndStateValue = (typeof EndStateValues)[keyof typeof EndStateValues];

// ---------------------------------------------------------------------------------------------
// Host environment — resource attributes
// ---------------------------------------------------------------------------------------------

export const ATTR_OS_TYPE = "os.type";
export const ATTR_OS_DESCRIPTION = "os.description";
export const ATTR_OS_VERSION = "os.version";
export const ATTR_HOST_NAME = "host.name";
export const ATTR_HOST_ARCH = "host.arch";
export const ATTR_PROCESS_PID = "process.pid";
export const ATTR_PROCESS_COMMAND_LINE = "process.command_line";
export const ATTR_PROCESS_WORKING_DIRECTORY = "process.working_directory";
export const ATTR_PROCESS_RUNTIME_NAME = "process.runtime.name";
export const ATTR_PROCESS_RUNTIME_VERSION = "process.runtime.version";
export const ATTR_SERVICE_NAME = "service.name";
export const ATTR_AGENTOPS_SDK_VERSION = "agentops.sdk.version";
export const ATTR_AGENTOPS_HOST_CPU_COUNT = "agentops.host.cpu.count";
export const ATTR_AGENTOPS_HOST_CPU_MODEL = "agentops.host.cpu.model";
export const ATTR_AGENTOPS_HOST_MEMORY_TOTAL = "agentops.host.memory.total_bytes";
export const ATTR_AGENTOPS_HOST_MEMORY_FREE = "agentops.host.memory.free_bytes";
export const ATTR_AGENTOPS_HOST_DISK_TOTAL = "agentops.host.disk.total_bytes";
export const ATTR_AGENTOPS_HOST_DISK_FREE = "agentops.host.disk.free_bytes";
/** The application's direct dependencies, as `name@version` strings. */
export const ATTR_AGENTOPS_HOST_DEPENDENCIES = "agentops.host.dependencies";

// ---------------------------------------------------------------------------------------------
// GenAI semantic conventions (current names)
// ---------------------------------------------------------------------------------------------

export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
/** Legacy name of the provider, still emitted beside {@link ATTR_GEN_AI_PROVIDER_NAME}. */
export const ATTR_GEN_AI_SYSTEM = "gen_ai.system";
export const ATTR_GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id";
export const ATTR_GEN_AI_OUTPUT_TYPE = "gen_ai.output.type";

export const ATTR_GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature";
export const ATTR_GEN_AI_REQUEST_TOP_P = "gen_ai.request.top_p";
export const ATTR_GEN_AI_REQUEST_TOP_K = "gen_ai.request.top_k";
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens";
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = "gen_ai.request.frequency_penalty";
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = "gen_ai.request.presence_penalty";
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = "gen_ai.request.stop_sequences";
export const ATTR_GEN_AI_REQUEST_SEED = "gen_ai.request.seed";
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = "gen_ai.request.choice.count";
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = "gen_ai.request.encoding_formats";
export const ATTR_GEN_AI_REQUEST_STREAM = "gen_ai.request.stream";

export const ATTR_GEN_AI_RESPONSE_ID = "gen_ai.response.id";
export const ATTR_GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";

/** Input tokens, cached ones included (OpenAI's convention; Anthropic's counts are normalised to it). */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
/** Output tokens, reasoning tokens included. */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens";
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation.input_tokens";
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens";

export const ATTR_GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages";
export const ATTR_GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages";
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions";
export const ATTR_GEN_AI_TOOL_DEFINITIONS = "gen_ai.tool.definitions";

export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
export const ATTR_GEN_AI_TOOL_TYPE = "gen_ai.tool.type";
export const ATTR_GEN_AI_TOOL_DESCRIPTION = "gen_ai.tool.description";
/** A tool call's arguments and result as JSON (opt-in content of the conventions). */
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments";
export const ATTR_GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result";
/** The prompt or prompt template a request names (MCP `prompts/get`). */
export const ATTR_GEN_AI_PROMPT_NAME = "gen_ai.prompt.name";
/** Requested size of the embedding vectors. */
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = "gen_ai.embeddings.dimension.count";
/** OpenAI-specific names of the GenAI conventions. */
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = "openai.request.service_tier";
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = "openai.response.service_tier";
export const ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT = "openai.response.system_fingerprint";

export const ATTR_SERVER_ADDRESS = "server.address";
export const ATTR_SERVER_PORT = "server.port";
export const ATTR_ERROR_TYPE = "error.type";
export const ATTR_EXCEPTION_TYPE = "exception.type";
export const ATTR_EXCEPTION_MESSAGE = "exception.message";
export const ATTR_EXCEPTION_STACKTRACE = "exception.stacktrace";

// ---------------------------------------------------------------------------------------------
// Model Context Protocol (the GenAI conventions' MCP spans)
// ---------------------------------------------------------------------------------------------

/** The JSON-RPC method of an MCP request: `tools/call`, `resources/read`, … */
export const ATTR_MCP_METHOD_NAME = "mcp.method.name";
export const ATTR_MCP_SESSION_ID = "mcp.session.id";
export const ATTR_MCP_PROTOCOL_VERSION = "mcp.protocol.version";
/** The resource a `resources/read` (or subscribe) names. */
export const ATTR_MCP_RESOURCE_URI = "mcp.resource.uri";
/**
 * The name and version the MCP server announced at initialisation (`serverInfo`). Not (yet) in
 * the conventions: they name the server by address only, which a stdio server does not have.
 */
export const ATTR_MCP_SERVER_NAME = "mcp.server.name";
export const ATTR_MCP_SERVER_VERSION = "mcp.server.version";
export const ATTR_JSONRPC_REQUEST_ID = "jsonrpc.request.id";
/** A JSON-RPC error code the peer answered with, as a string. */
export const ATTR_RPC_RESPONSE_STATUS_CODE = "rpc.response.status_code";

/** Values of {@link ATTR_MCP_METHOD_NAME} that agentops reads. */
export const McpMethodValues = {
  TOOLS_CALL: "tools/call",
  TOOLS_LIST: "tools/list",
  RESOURCES_LIST: "resources/list",
  RESOURCES_TEMPLATES_LIST: "resources/templates/list",
  RESOURCES_READ: "resources/read",
  PROMPTS_LIST: "prompts/list",
  PROMPTS_GET: "prompts/get",
} as const;

/** Values of {@link ATTR_GEN_AI_OPERATION_NAME}. */
export const GenAiOperationValues = {
  CHAT: "chat",
  TEXT_COMPLETION: "text_completion",
  EMBEDDINGS: "embeddings",
  GENERATE_CONTENT: "generate_content",
  EXECUTE_TOOL: "execute_tool",
  INVOKE_AGENT: "invoke_agent",
  CREATE_AGENT: "create_agent",
} as const;

/** Values of {@link ATTR_GEN_AI_PROVIDER_NAME}. */
export const GenAiProviderValues = {
  OPENAI: "openai",
  ANTHROPIC: "anthropic",
} as const;

/** The switch that upstream GenAI instrumentations use for content capture. */
export const ENV_CAPTURE_MESSAGE_CONTENT = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

// ---------------------------------------------------------------------------------------------
// Names written by other tools, read by the server
// ---------------------------------------------------------------------------------------------

/** Legacy GenAI usage names (still emitted by many instrumentations, AgentOps' among them). */
export const ATTR_LEGACY_GEN_AI_USAGE_PROMPT_TOKENS = "gen_ai.usage.prompt_tokens";
export const ATTR_LEGACY_GEN_AI_USAGE_COMPLETION_TOKENS = "gen_ai.usage.completion_tokens";
export const ATTR_LEGACY_GEN_AI_USAGE_TOTAL_TOKENS = "gen_ai.usage.total_tokens";
export const ATTR_LEGACY_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read_input_tokens";
export const ATTR_LEGACY_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = "gen_ai.usage.cache_creation_input_tokens";
export const ATTR_LEGACY_GEN_AI_USAGE_REASONING_TOKENS = "gen_ai.usage.reasoning_tokens";
export const ATTR_LEGACY_GEN_AI_USAGE_TOTAL_COST = "gen_ai.usage.total_cost";
export const ATTR_LEGACY_GEN_AI_PROMPT = "gen_ai.prompt";
export const ATTR_LEGACY_GEN_AI_COMPLETION = "gen_ai.completion";
/** AgentOps' own SDKs: tags on the session span. */
export const ATTR_AGENTOPS_TAGS = "agentops.tags";
/** AgentOps' Python SDK 0.4.0–0.4.x `start_session(tags=…)`: tags under this bare name on the session span. */
export const ATTR_AGENTOPS_LEGACY_TAGS = "tags";
/**
 * AgentOps' Python SDK 0.4 legacy `end_session(end_state=…, end_state_reason=…)`: the end state
 * and its reason on the session span.
 */
export const ATTR_AGENTOPS_STATUS_END_STATE = "agentops.status.end_state";
export const ATTR_AGENTOPS_STATUS_END_STATE_REASON = "agentops.status.end_state_reason";
/**
 * AgentOps' npm SDK 0.1 re-emits OpenAI Agents SDK spans with these names: every span carries
 * its original span id; tool calls carry `function.name` (and `function.input` / `function.output`).
 */
export const ATTR_OPENAI_AGENTS_SPAN_ID = "openai_agents.span_id";
export const ATTR_FUNCTION_NAME = "function.name";
export const ATTR_FUNCTION_INPUT = "function.input";
export const ATTR_FUNCTION_OUTPUT = "function.output";

/**
 * OpenAI Agents SDK spans as `@agentops/openai-agents` writes them: the span ids above plus the
 * span's type, which decides its meaning in the span model (see `@agentops/span-model`).
 */
export const ATTR_OPENAI_AGENTS_SPAN_TYPE = "openai_agents.span_type";
export const ATTR_OPENAI_AGENTS_TRACE_ID = "openai_agents.trace_id";
export const ATTR_OPENAI_AGENTS_PARENT_ID = "openai_agents.parent_id";
export const ATTR_OPENAI_AGENTS_TRACE_NAME = "openai_agents.trace_name";
/**
 * On a model span (`generation`, `response`): how many client spans an instrumentation started
 * under it. When there is one, the client span is the LLM call that counts, not this one.
 */
export const ATTR_OPENAI_AGENTS_CLIENT_CALLS = "openai_agents.client_calls";
/** GenAI conventions: the agent an `invoke_agent` span runs. */
export const ATTR_GEN_AI_AGENT_NAME = "gen_ai.agent.name";
export const ATTR_OPENAI_AGENTS_AGENT_TOOLS = "openai_agents.agent.tools";
export const ATTR_OPENAI_AGENTS_AGENT_HANDOFFS = "openai_agents.agent.handoffs";
export const ATTR_OPENAI_AGENTS_AGENT_OUTPUT_TYPE = "openai_agents.agent.output_type";
export const ATTR_OPENAI_AGENTS_HANDOFF_FROM = "openai_agents.handoff.from_agent";
export const ATTR_OPENAI_AGENTS_HANDOFF_TO = "openai_agents.handoff.to_agent";
export const ATTR_OPENAI_AGENTS_GUARDRAIL_NAME = "openai_agents.guardrail.name";
export const ATTR_OPENAI_AGENTS_GUARDRAIL_TRIGGERED = "openai_agents.guardrail.triggered";
export const ATTR_OPENAI_AGENTS_MCP_SERVER = "openai_agents.mcp.server";
export const ATTR_OPENAI_AGENTS_MCP_TOOLS = "openai_agents.mcp.tools";
export const ATTR_OPENAI_AGENTS_CUSTOM_NAME = "openai_agents.custom.name";
export const ATTR_OPENAI_AGENTS_CUSTOM_DATA = "openai_agents.custom.data";
/** Values of {@link ATTR_OPENAI_AGENTS_SPAN_TYPE}: the Agents SDK's span data types. */
export const OpenAIAgentsSpanTypeValues = {
  AGENT: "agent",
  TASK: "task",
  TURN: "turn",
  FUNCTION: "function",
  GENERATION: "generation",
  RESPONSE: "response",
  HANDOFF: "handoff",
  CUSTOM: "custom",
  GUARDRAIL: "guardrail",
  TRANSCRIPTION: "transcription",
  SPEECH: "speech",
  SPEECH_GROUP: "speech_group",
  MCP_TOOLS: "mcp_tools",
} as const;

/**
 * LangChain.js / LangGraph.js runs as `@agentops/langchain` writes them: the run's type decides
 * its meaning in the span model (see `@agentops/span-model`, `classifyLangChainSpan`).
 */
export const ATTR_LANGCHAIN_RUN_TYPE = "langchain.run_type";
export const ATTR_LANGCHAIN_RUN_ID = "langchain.run_id";
/** Absent on the outermost run of a LangChain call (a graph, a chain invoked by the application). */
export const ATTR_LANGCHAIN_PARENT_RUN_ID = "langchain.parent_run_id";
/** The LangGraph node a run belongs to (LangGraph's `langgraph_node` metadata). */
export const ATTR_LANGCHAIN_GRAPH_NODE = "langchain.langgraph_node";
/**
 * On a model run (`llm`, `chat_model`): how many client spans an instrumentation started under
 * it. When there is one, the client span is the LLM call that counts, not this one.
 */
export const ATTR_LANGCHAIN_CLIENT_CALLS = "langchain.client_calls";
/** Values of {@link ATTR_LANGCHAIN_RUN_TYPE}: the kinds of run LangChain's callbacks report. */
export const LangChainRunTypeValues = {
  CHAIN: "chain",
  LLM: "llm",
  CHAT_MODEL: "chat_model",
  TOOL: "tool",
  RETRIEVER: "retriever",
} as const;

/** OpenLLMetry (Traceloop) request type: `chat`, `completion`, `embedding`, `rerank`. */
export const ATTR_LLM_REQUEST_TYPE = "llm.request.type";

/** OpenInference (Phoenix) names. */
export const ATTR_OPENINFERENCE_SPAN_KIND = "openinference.span.kind";
export const ATTR_OPENINFERENCE_LLM_MODEL_NAME = "llm.model_name";
export const ATTR_OPENINFERENCE_LLM_PROVIDER = "llm.provider";
export const ATTR_OPENINFERENCE_LLM_SYSTEM = "llm.system";
export const ATTR_OPENINFERENCE_TOKEN_COUNT_PROMPT = "llm.token_count.prompt";
export const ATTR_OPENINFERENCE_TOKEN_COUNT_COMPLETION = "llm.token_count.completion";
export const ATTR_OPENINFERENCE_TOKEN_COUNT_TOTAL = "llm.token_count.total";
export const ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_READ = "llm.token_count.prompt_details.cache_read";
export const ATTR_OPENINFERENCE_TOKEN_COUNT_CACHE_WRITE = "llm.token_count.prompt_details.cache_write";
export const ATTR_OPENINFERENCE_TOKEN_COUNT_REASONING = "llm.token_count.completion_details.reasoning";
/** OpenInference's indexed messages: `llm.input_messages.<n>.message.role`, `….message.content`. */
export const ATTR_OPENINFERENCE_INPUT_MESSAGES = "llm.input_messages";
export const ATTR_OPENINFERENCE_OUTPUT_MESSAGES = "llm.output_messages";

// ---------------------------------------------------------------------------------------------
// Helpers shared by the SDK and the server
// ---------------------------------------------------------------------------------------------

/** `0123456789abcdef0123456789abcdef` → `01234567-89ab-cdef-0123-456789abcdef`. */
export function traceIdToUuid(traceId: string): string {
  return (
    traceId.slice(0, 8) +
    "-" +
    traceId.slice(8, 12) +
    "-" +
    traceId.slice(12, 16) +
    "-" +
    traceId.slice(16, 20) +
    "-" +
    traceId.slice(20, 32)
  );
}

const UUID_PATTERN = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

/**
 * A session id (UUID, with or without dashes, any case) → the 32 lowercase hex digits of its
 * trace id; `undefined` when it is not a UUID or is all zeros (an invalid trace id).
 */
export function uuidToTraceId(id: string): string | undefined {
  if (typeof id !== "string" || !UUID_PATTERN.test(id)) return undefined;
  const hex = id.replace(/-/g, "").toLowerCase();
  return /^0+$/.test(hex) ? undefined : hex;
}
