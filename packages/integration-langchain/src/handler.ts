import { type Attributes, type Context, context, SpanKind, SpanStatusCode, trace, type Tracer, type TracerProvider } from "@opentelemetry/api";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { resolveCaptureContent, resolveParentContext } from "@agentops/instrumentation-core";
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_LANGCHAIN_CLIENT_CALLS,
  ATTR_LANGCHAIN_GRAPH_NODE,
  ATTR_LANGCHAIN_PARENT_RUN_ID,
  ATTR_LANGCHAIN_RUN_ID,
  ATTR_LANGCHAIN_RUN_TYPE,
  GenAiOperationValues,
  LangChainRunTypeValues as RunTypes,
} from "@agentops/semconv";
import {
  chainStartAttributes,
  chatInput,
  modelEndAttributes,
  modelStartAttributes,
  retrieverEndAttributes,
  returnsAttributes,
  retrieverStartAttributes,
  runName,
  textInput,
  toolEndAttributes,
  toolStartAttributes,
} from "./attributes";
import { type RunTable, runTable } from "./runs";
import { isRecord, text } from "./values";
import { INTEGRATION_NAME, INTEGRATION_VERSION } from "./version";

/** Options of {@link AgentOpsCallbackHandler}. */
export interface AgentOpsCallbackHandlerOptions {
  /**
   * The provider whose tracer records the spans. Default: the global one, which `agentops.init()`
   * registers (or yours, with an `AgentOpsSpanProcessor` in it).
   */
  tracerProvider?: TracerProvider;
  /**
   * Record model prompts and completions, and chains' inputs and outputs. Default: `true` when
   * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is `"true"`, else `false`. Tool inputs and
   * outputs and retriever queries and documents are always recorded (as agentops tool and action
   * events record theirs; the SDK's `mask` option applies to them).
   */
  captureContent?: boolean;
}

/** Tags LangGraph puts on its own machinery (`__start__`, channel writes): left untraced. */
const HIDDEN_TAG = "langsmith:hidden";
/** LangGraph's tag on the run of a node at a step of the graph. */
const GRAPH_STEP_TAG = /^graph:step:\d+$/;
/** Errors LangGraph throws to steer a graph (an interrupt, a command to the parent graph): not failures. */
const CONTROL_FLOW_ERRORS = new Set(["GraphInterrupt", "NodeInterrupt", "ParentCommand", "GraphBubbleUp"]);

/** How a run's span starts. */
interface RunStart {
  runId: string;
  parentRunId: string | undefined;
  runType: string;
  name: string;
  attributes: Attributes;
  isModelRun?: boolean;
}

/**
 * A LangChain callback handler that turns LangChain.js and LangGraph.js runs into OpenTelemetry
 * spans, so that they show up in the agentops session they run in: chains and graph nodes as
 * actions (the outermost one as the agent run), model calls as LLM calls, tools as tools,
 * retrievers as actions, nested as LangChain nested them. Never throws into LangChain.
 *
 * @example
 * await graph.invoke(input, { callbacks: [new AgentOpsCallbackHandler()] });
 */
export class AgentOpsCallbackHandler extends BaseCallbackHandler {
  override name = "agentops_callback_handler";
  private readonly tracerProvider: TracerProvider | undefined;
  private readonly captureContent: boolean;
  private readonly table: RunTable;

  constructor(options: AgentOpsCallbackHandlerOptions = {}) {
    super();
    // LangChain's `copy()` calls the constructor with the handler itself: the copy keeps its settings.
    const given: unknown = options;
    const source = given instanceof AgentOpsCallbackHandler ? given : undefined;
    this.tracerProvider = source ? source.tracerProvider : options.tracerProvider;
    this.captureContent = source ? source.captureContent : resolveCaptureContent(options.captureContent);
    this.table = runTable();
    // Start callbacks run before the call they announce, in its async context: a model run's span
    // exists when its client call starts (see RunTable), and runs nest under the right session.
    this.awaitHandlers = true;
  }

  /**
   * The arguments in the order LangChain's callback manager passes them (and its own tracers read
   * them): the parent run id fourth, the run type and name after the metadata. The declared type
   * of `BaseCallbackHandler` lists them in another order.
   */
  override handleChainStart(
    chain: unknown,
    inputs: unknown,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Record<string, unknown>,
    _runType?: string,
    name?: string,
  ): void {
    this.guard(() => {
      if (Array.isArray(tags) && tags.includes(HIDDEN_TAG)) {
        this.table.hidden.set(runId, { parentRunId, rootRunId: this.table.rootOf(runId, parentRunId) });
        return;
      }
      const chainName = runName(chain, name, "chain");
      const isRoot = parentRunId === undefined;
      const isGraphStep = Array.isArray(tags) && tags.some((tag) => GRAPH_STEP_TAG.test(tag));
      this.start({
        runId,
        parentRunId,
        runType: RunTypes.CHAIN,
        name: isRoot ? `${GenAiOperationValues.INVOKE_AGENT} ${chainName}` : chainName,
        attributes: {
          ...chainStartAttributes(chainName, isRoot, isGraphStep, inputs, this.captureContent),
          ...(isRecord(metadata) && text(metadata.langgraph_node) ? { [ATTR_LANGCHAIN_GRAPH_NODE]: metadata.langgraph_node as string } : {}),
        },
      });
    });
  }

  override handleChainEnd(outputs: unknown, runId: string): void {
    this.guard(() => {
      this.end(runId, this.captureContent ? returnsAttributes(outputs) : {});
    });
  }

  override handleChainError(error: unknown, runId: string): void {
    this.guard(() => {
      if (isRecord(error) && CONTROL_FLOW_ERRORS.has(String(error.name))) this.end(runId, {});
      else this.fail(runId, error, {});
    });
  }

  override handleChatModelStart(
    llm: unknown,
    messages: unknown,
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    name?: string,
  ): void {
    this.guard(() => {
      const attributes = modelStartAttributes(GenAiOperationValues.CHAT, extraParams, metadata, this.captureContent ? chatInput(messages) : undefined);
      this.startModel(runId, parentRunId, RunTypes.CHAT_MODEL, runName(llm, name, "chat_model"), attributes);
    });
  }

  override handleLLMStart(
    llm: unknown,
    prompts: unknown,
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
    name?: string,
  ): void {
    this.guard(() => {
      const attributes = modelStartAttributes(GenAiOperationValues.TEXT_COMPLETION, extraParams, metadata, this.captureContent ? textInput(prompts) : undefined);
      this.startModel(runId, parentRunId, RunTypes.LLM, runName(llm, name, "llm"), attributes);
    });
  }

  override handleLLMEnd(output: unknown, runId: string): void {
    this.guard(() => {
      const run = this.table.runs.get(runId);
      this.end(runId, { ...modelEndAttributes(output, this.captureContent), [ATTR_LANGCHAIN_CLIENT_CALLS]: run?.clientCalls ?? 0 });
    });
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.guard(() => {
      const run = this.table.runs.get(runId);
      this.fail(runId, error, { [ATTR_LANGCHAIN_CLIENT_CALLS]: run?.clientCalls ?? 0 });
    });
  }

  override handleToolStart(
    tool: unknown,
    input: unknown,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    name?: string,
    toolCallId?: string,
  ): void {
    this.guard(() => {
      const toolName = runName(tool, name, "tool");
      this.start({
        runId,
        parentRunId,
        runType: RunTypes.TOOL,
        name: `${GenAiOperationValues.EXECUTE_TOOL} ${toolName}`,
        attributes: toolStartAttributes(toolName, input, toolCallId),
      });
    });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.guard(() => {
      this.end(runId, toolEndAttributes(output));
    });
  }

  override handleToolError(error: unknown, runId: string): void {
    this.guard(() => {
      this.fail(runId, error, {});
    });
  }

  override handleRetrieverStart(
    retriever: unknown,
    query: unknown,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    name?: string,
  ): void {
    this.guard(() => {
      const retrieverName = runName(retriever, name, "retriever");
      this.start({
        runId,
        parentRunId,
        runType: RunTypes.RETRIEVER,
        name: `retrieve ${retrieverName}`,
        attributes: retrieverStartAttributes(retrieverName, query),
      });
    });
  }

  override handleRetrieverEnd(documents: unknown, runId: string): void {
    this.guard(() => {
      this.end(runId, retrieverEndAttributes(documents));
    });
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    this.guard(() => {
      this.fail(runId, error, {});
    });
  }

  private startModel(runId: string, parentRunId: string | undefined, runType: string, name: string, attributes: Attributes): void {
    const operation = String(attributes[ATTR_GEN_AI_OPERATION_NAME]);
    const model = attributes[ATTR_GEN_AI_REQUEST_MODEL];
    this.start({ runId, parentRunId, runType, name: typeof model === "string" ? `${operation} ${model}` : `${operation} ${name}`, attributes, isModelRun: true });
  }

  /** Starts a run's span under its parent run's (or, outermost, under the active context as agentops refines it). */
  private start(run: RunStart): void {
    if (typeof run.runId !== "string" || this.table.runs.has(run.runId)) return; // another handler has it
    const parentRunId = typeof run.parentRunId === "string" ? run.parentRunId : undefined;
    const parentRun = this.table.traced(parentRunId);
    // The active context as the registered providers refine it (with agentops: the session's, for
    // a run outside session.run), which is also what a client call made for this run will see.
    this.table.resolving = true;
    let outer: Context;
    try {
      outer = resolveParentContext(context.active());
    } finally {
      this.table.resolving = false;
    }
    const parent = parentRun?.context ?? outer;
    const span = this.tracer().startSpan(
      run.name,
      {
        kind: run.isModelRun ? SpanKind.CLIENT : SpanKind.INTERNAL,
        attributes: {
          [ATTR_LANGCHAIN_RUN_TYPE]: run.runType,
          [ATTR_LANGCHAIN_RUN_ID]: run.runId,
          ...(parentRunId !== undefined ? { [ATTR_LANGCHAIN_PARENT_RUN_ID]: parentRunId } : {}),
          ...run.attributes,
        },
      },
      parent,
    );
    this.table.runs.set(run.runId, {
      span,
      context: trace.setSpan(parent, span),
      rootRunId: this.table.rootOf(run.runId, parentRunId),
      outerSpanId: trace.getSpan(outer)?.spanContext().spanId,
      clientCalls: 0,
      isModelRun: run.isModelRun === true,
    });
  }

  private end(runId: string, attributes: Attributes): void {
    const run = this.table.finish(runId);
    if (run === undefined) return;
    run.span.setAttributes(attributes);
    run.span.end();
  }

  /** Ends a run that failed: status ERROR with the error's message, and an `exception` event. */
  private fail(runId: string, error: unknown, attributes: Attributes): void {
    const run = this.table.finish(runId);
    if (run === undefined) return;
    const failure = isRecord(error) ? error : {};
    const message = text(failure.message) ?? (typeof error === "string" ? error : "error");
    run.span.setAttributes(attributes);
    run.span.recordException({ name: text(failure.name) ?? "Error", message, ...(text(failure.stack) ? { stack: failure.stack as string } : {}) });
    run.span.setStatus({ code: SpanStatusCode.ERROR, message });
    run.span.end();
  }

  /** Looked up each time: the global provider may change (agentops.init() after this handler). */
  private tracer(): Tracer {
    return (this.tracerProvider ?? trace.getTracerProvider()).getTracer(INTEGRATION_NAME, INTEGRATION_VERSION);
  }

  /** Tracing must never break a LangChain run: a failure here costs a span, nothing more. */
  private guard(step: () => void): void {
    try {
      step();
    } catch {
      // dropped: the run goes on untraced for this span
    }
  }
}
