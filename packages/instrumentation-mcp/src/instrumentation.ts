import { context, SpanKind, type Context } from "@opentelemetry/api";
import {
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
} from "@opentelemetry/instrumentation";
import {
  AgentOpsInstrumentationBase,
  resolveCaptureContent,
  type CallTracing,
  type ClientMethod,
} from "@agentops/instrumentation-core";
import {
  ATTR_AGENTOPS_SPAN_KIND,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_SERVER_NAME,
  ATTR_MCP_SERVER_VERSION,
  ATTR_MCP_SESSION_ID,
  McpMethodValues,
  SpanKindValues,
} from "@agentops/semconv";
import { clientSpanName, methodSpanName, requestAttributes } from "./attributes";
import { McpCall } from "./mcp-call";
import { extractTraceContext, withTraceContext } from "./propagation";
import { hookCommonJsEntries } from "./cjs-hook";
import { findTargets } from "./targets";
import type { MCPInstrumentationConfig } from "./types";
import { isThenable, member, stringField } from "./values";
import { PACKAGE_NAME, PACKAGE_VERSION } from "./version";

const MODULE_NAME = "@modelcontextprotocol/sdk";
const SUPPORTED_VERSIONS = [">=1.32.2 <2"];
/**
 * The files that define `Client` and `Server` (and, through them, `Protocol`): CommonJS and ES
 * module builds since 1.5, the ES-module-only layout before.
 */
const FILES = ["client/index.js", "server/index.js", "server/mcp.js"].flatMap((file) => [`dist/cjs/${file}`, `dist/esm/${file}`, `dist/${file}`]);

/** The `McpServer` methods that set its `Server` up: each patches that server first. */
const MCP_SERVER_METHODS = ["connect", "registerTool", "tool", "registerResource", "resource", "registerPrompt", "prompt"];

type Role = "client" | "protocol" | "mcpServer";

/** The `Client` methods traced, with the MCP method each sends. */
const CLIENT_METHODS: Record<string, string> = {
  callTool: McpMethodValues.TOOLS_CALL,
  listTools: McpMethodValues.TOOLS_LIST,
  listResources: McpMethodValues.RESOURCES_LIST,
  listResourceTemplates: McpMethodValues.RESOURCES_TEMPLATES_LIST,
  readResource: McpMethodValues.RESOURCES_READ,
  listPrompts: McpMethodValues.PROMPTS_LIST,
  getPrompt: McpMethodValues.PROMPTS_GET,
};

/** The requests a handler answers under a SERVER span: the ones clients trace. */
const SERVER_METHODS: ReadonlySet<string> = new Set(Object.values(CLIENT_METHODS));

/**
 * OpenTelemetry instrumentation of the Model Context Protocol TypeScript SDK
 * (`@modelcontextprotocol/sdk` 1.x), on both sides of the protocol:
 * - client: `callTool` is a CLIENT span `execute_tool {tool}` (the GenAI tool-call span, with
 *   the MCP attributes and the server's name); `listTools`, `listResources`,
 *   `listResourceTemplates`, `readResource`, `listPrompts` and `getPrompt` are spans named by
 *   their MCP method. A tool result with `isError: true`, or a request that fails, ends its span
 *   with status ERROR;
 * - every request sent carries the active trace context in `params._meta` (W3C `traceparent`,
 *   `tracestate`, `baggage`), and every request handler runs in the context its request carries,
 *   under a SERVER span for the methods above, so that the server's work joins the caller's trace.
 *
 * @example
 * const instrumentation = new MCPInstrumentation({ captureContent: true });
 * instrumentation.setTracerProvider(provider);
 * instrumentation.enable();
 */
export class MCPInstrumentation extends AgentOpsInstrumentationBase<MCPInstrumentationConfig> {
  /** Every prototype found so far (by hook or by hand), with its role. */
  private readonly known = new Map<object, Role>();
  /** McpServer instances whose server was looked at (see {@link instrumentServerOf}). */
  private readonly mcpServersSeen = new WeakSet<object>();
  // Declared, not initialised: the base constructor calls setConfig() before field initialisers run.
  declare private propagate: boolean;
  declare private clientTracings: Map<string, CallTracing<McpCall>> | undefined;
  declare private cjsHook: { unhook(): void } | undefined;

  constructor(config: MCPInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  override setConfig(config: MCPInstrumentationConfig = {}): void {
    super.setConfig({ ...config, captureContent: resolveCaptureContent(config.captureContent) });
    this.propagate = config.propagateContext !== false;
  }

  protected init() {
    const files = FILES.map(
      (file) =>
        new InstrumentationNodeModuleFile(
          `${MODULE_NAME}/${file}`,
          SUPPORTED_VERSIONS,
          (moduleExports: unknown) => {
            this.patchTarget(moduleExports, "module");
            return moduleExports;
          },
          (moduleExports: unknown) => this.unpatchTarget(moduleExports),
        ),
    );
    return [new InstrumentationNodeModuleDefinition(MODULE_NAME, SUPPORTED_VERSIONS, undefined, undefined, files)];
  }

  override enable(): void {
    super.enable();
    if (this.cjsHook === undefined) {
      try {
        this.cjsHook = hookCommonJsEntries((moduleExports) => this.patchTarget(moduleExports, "module"));
      } catch (error) {
        this.failures.error("hook", "could not hook require(); a CommonJS MCP SDK is traced only through manuallyInstrument", error);
      }
    }
    // `known` is undefined while the base constructor enables the instrumentation.
    this.known?.forEach((role, prototype) => this.patch(prototype, role));
  }

  override disable(): void {
    super.disable();
    this.known?.forEach((_role, prototype) => this.unpatchPrototype(prototype));
  }

  /**
   * Patches an SDK the module hooks cannot see (bundled, or loaded before the instrumentation):
   * pass the `Client` or `Server` class, an instance of either, an `McpServer`, or the module.
   * Patching is per prototype and idempotent, so it never doubles spans with the hooks.
   *
   * @example
   * import { Client } from "@modelcontextprotocol/sdk/client/index.js";
   * instrumentation.manuallyInstrument(Client);
   */
  manuallyInstrument(target: unknown): void {
    this.patchTarget(target, "manual");
  }

  private patchTarget(target: unknown, how: "module" | "manual"): void {
    let found: ReturnType<typeof findTargets>;
    try {
      found = findTargets(target);
    } catch (error) {
      this.failures.error("find", "could not find the MCP Client or Protocol classes", error);
      return;
    }
    if (how === "manual" && found.clients.size + found.protocols.size + found.mcpServers.size === 0) {
      this.failures.warn("manuallyInstrument: nothing to patch; pass Client, Server, an instance of either, or an McpServer");
      return;
    }
    const add = (prototype: object, role: Role) => {
      this.known.set(prototype, role);
      if (this.isEnabled()) this.patch(prototype, role);
    };
    found.clients.forEach((prototype) => add(prototype, "client"));
    found.protocols.forEach((prototype) => add(prototype, "protocol"));
    found.mcpServers.forEach((prototype) => add(prototype, "mcpServer"));
  }

  private unpatchTarget(target: unknown): void {
    try {
      const found = findTargets(target);
      found.clients.forEach((prototype) => this.unpatchPrototype(prototype));
      found.protocols.forEach((prototype) => this.unpatchPrototype(prototype));
      found.mcpServers.forEach((prototype) => this.unpatchPrototype(prototype));
    } catch (error) {
      this.failures.error("unpatch", "could not restore the MCP classes", error);
    }
  }

  private patch(prototype: object, role: Role): void {
    if (role === "mcpServer") {
      const methods: Record<string, (original: ClientMethod) => ClientMethod> = {};
      for (const name of MCP_SERVER_METHODS) methods[name] = (original) => this.wrapMcpServerMethod(original);
      this.patchPrototype(prototype, methods);
      return;
    }
    if (role === "client") {
      const methods: Record<string, (original: ClientMethod) => ClientMethod> = {};
      for (const [name, method] of Object.entries(CLIENT_METHODS)) {
        methods[name] = (original) => this.wrapClientMethod(original, method);
      }
      this.patchPrototype(prototype, methods);
      return;
    }
    this.patchPrototype(prototype, {
      request: (original) => this.wrapRequest(original),
      setRequestHandler: (original) => this.wrapSetRequestHandler(original),
    });
  }

  /** An `McpServer` method: patches the instance's `Server` (once), then does what it does. */
  private wrapMcpServerMethod(original: ClientMethod): ClientMethod {
    const instrument = (mcpServer: unknown) => this.instrumentServerOf(mcpServer);
    return function mcpServerMethod(this: unknown, ...args: unknown[]) {
      instrument(this);
      return Reflect.apply(original, this, args);
    };
  }

  /** Patches the prototypes of an `McpServer`'s `server`, before it registers its handlers. */
  private instrumentServerOf(mcpServer: unknown): void {
    if (typeof mcpServer !== "object" || mcpServer === null || this.mcpServersSeen.has(mcpServer)) return;
    try {
      this.mcpServersSeen.add(mcpServer);
      this.patchTarget(member(mcpServer, "server"), "module");
    } catch (error) {
      this.failures.error("find", "could not find an McpServer's server; its handlers are not traced", error);
    }
  }

  // -----------------------------------------------------------------------------------------
  // Client side
  // -----------------------------------------------------------------------------------------

  private wrapClientMethod(original: ClientMethod, method: string): ClientMethod {
    const trace = (self: unknown, args: unknown[]) => this.traceCall(original, self, args, this.clientTracing(method));
    return function traced(this: unknown, ...args: unknown[]) {
      return trace(this, args);
    };
  }

  /** How one client method is traced; one object per method, built once. */
  private clientTracing(method: string): CallTracing<McpCall> {
    const tracings = (this.clientTracings ??= new Map<string, CallTracing<McpCall>>());
    let tracing = tracings.get(method);
    if (tracing === undefined) {
      tracing = {
        start: (parent, client, args) => this.startClientCall(parent, client, method, args[0]),
        observe: (call, result) => this.observe(call, result),
        fail: (call, error) => call.fail(error),
      };
      tracings.set(method, tracing);
    }
    return tracing;
  }

  private startClientCall(parent: Context, client: unknown, method: string, params: unknown): McpCall {
    const attributes = requestAttributes(method, params, this.captureContent);
    const server = callMethod(client, "getServerVersion");
    const name = stringField(server, "name");
    if (name !== undefined) attributes[ATTR_MCP_SERVER_NAME] = name;
    const version = stringField(server, "version");
    if (version !== undefined) attributes[ATTR_MCP_SERVER_VERSION] = version;
    const session = stringField(member(client, "transport"), "sessionId");
    if (session !== undefined) attributes[ATTR_MCP_SESSION_ID] = session;
    const span = this.tracer.startSpan(clientSpanName(method, params), { kind: SpanKind.CLIENT, attributes }, parent);
    return new McpCall(span, method, this.captureContent, this.failures);
  }

  /** Ends the call's span when the SDK's promise settles; the caller gets that same promise. */
  private observe(call: McpCall, result: unknown): unknown {
    if (isThenable(result)) {
      result.then(
        (value) => call.succeed(value),
        (error) => call.fail(error),
      );
    } else {
      call.succeed(result);
    }
    return result;
  }

  /** `Protocol.request`: the request goes out with the active trace context in `params._meta`. */
  private wrapRequest(original: ClientMethod): ClientMethod {
    const inject = (request: unknown): unknown => {
      if (!this.isEnabled() || !this.propagate) return request;
      try {
        return withTraceContext(request, context.active());
      } catch (error) {
        this.failures.error("inject", "could not add the trace context to a request; it is sent without", error);
        return request;
      }
    };
    return function request(this: unknown, ...args: unknown[]) {
      if (args.length > 0) args[0] = inject(args[0]);
      return Reflect.apply(original, this, args);
    };
  }

  // -----------------------------------------------------------------------------------------
  // Server side (and a client answering a server's requests)
  // -----------------------------------------------------------------------------------------

  /** `Protocol.setRequestHandler`: every handler registered from now on is wrapped. */
  private wrapSetRequestHandler(original: ClientMethod): ClientMethod {
    const wrap = (handler: unknown, protocol: unknown): unknown =>
      typeof handler === "function" ? this.wrapHandler(handler as ClientMethod, protocol) : handler;
    return function setRequestHandler(this: unknown, ...args: unknown[]) {
      if (args.length > 1) args[1] = wrap(args[1], this);
      return Reflect.apply(original, this, args);
    };
  }

  private wrapHandler(handler: ClientMethod, protocol: unknown): ClientMethod {
    const handle = (self: unknown, args: unknown[]) => this.handle(handler, self, args, protocol);
    return function tracedHandler(this: unknown, ...args: unknown[]) {
      return handle(this, args);
    };
  }

  /**
   * Runs a request handler in the context its request carries (when it carries one), under a
   * SERVER span for the traced methods. Passes the call through while disabled.
   */
  private handle(handler: ClientMethod, self: unknown, args: unknown[], protocol: unknown): unknown {
    if (!this.isEnabled()) return Reflect.apply(handler, self, args);
    const [request, extra] = args;
    let remote: ReturnType<typeof extractTraceContext>;
    try {
      remote = this.propagate ? extractTraceContext(member(extra, "_meta") ?? member(member(request, "params"), "_meta")) : undefined;
    } catch (error) {
      this.failures.error("extract", "could not read a request's trace context; its handler runs without", error);
    }
    if (remote !== undefined) this.runHook("onRemoteParent", this.getConfig().onRemoteParent, remote.caller);
    const method = stringField(request, "method");
    const run = () =>
      method !== undefined && SERVER_METHODS.has(method)
        ? this.traceCall(handler, self, args, this.serverTracing(handler, method, remote !== undefined, protocol))
        : Reflect.apply(handler, self, args);
    return remote === undefined ? run() : context.with(remote.context, run);
  }

  private serverTracing(handler: ClientMethod, method: string, propagated: boolean, protocol: unknown): CallTracing<McpCall> {
    return {
      start: (parent, _self, args) => {
        const [request, extra] = args;
        const attributes = requestAttributes(method, member(request, "params"), this.captureContent);
        // The client's span (in the same trace) counts the call; this one only shows the server's side.
        if (propagated) attributes[ATTR_AGENTOPS_SPAN_KIND] = SpanKindValues.MCP_SERVER;
        // The name a Server announces (kept in a private field of the SDK's Server).
        const name = stringField(member(protocol, "_serverInfo"), "name");
        if (name !== undefined) attributes[ATTR_MCP_SERVER_NAME] = name;
        const session = stringField(extra, "sessionId");
        if (session !== undefined) attributes[ATTR_MCP_SESSION_ID] = session;
        const id = member(extra, "requestId");
        if (typeof id === "string" || typeof id === "number") attributes[ATTR_JSONRPC_REQUEST_ID] = String(id);
        const span = this.tracer.startSpan(methodSpanName(method, member(request, "params")), { kind: SpanKind.SERVER, attributes }, parent);
        return new McpCall(span, method, this.captureContent, this.failures);
      },
      // A handler is never refused: `refuseCall` is about the calls an application makes.
      refuse: (_error, self, args) => Reflect.apply(handler, self, args),
      observe: (call, result) => this.observe(call, result),
      fail: (call, error) => call.fail(error),
    };
  }
}

/** `target[name]()` when it is a method; undefined when it is not or it throws. */
function callMethod(target: unknown, name: string): unknown {
  const method = member(target, name);
  if (typeof method !== "function") return undefined;
  try {
    return Reflect.apply(method, target, []);
  } catch {
    return undefined;
  }
}
