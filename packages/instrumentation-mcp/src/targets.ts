import { member } from "./values";

/** The prototypes of `@modelcontextprotocol/sdk` that the instrumentation patches. */
export interface Targets {
  /** `Client.prototype`: its request methods (`callTool`, `listTools`, …) become spans. */
  clients: Set<object>;
  /**
   * `Protocol.prototype`, which `Client` and `Server` extend: `request` (every request sent)
   * carries the trace context, `setRequestHandler` (every handler registered) runs in it.
   */
  protocols: Set<object>;
  /**
   * `McpServer.prototype` (`server/mcp.js`), which keeps its `Server` in a field: its methods
   * patch that server's prototypes on first use, for applications that never load the `Server`
   * module themselves.
   */
  mcpServers: Set<object>;
}

function owns(prototype: object, ...names: string[]): boolean {
  return names.every((name) => Object.hasOwn(prototype, name) && typeof member(prototype, name) === "function");
}

/** Walks a prototype chain, keeping the Client and Protocol prototypes on it. */
function collect(prototype: unknown, found: Targets): void {
  let current = prototype;
  for (let depth = 0; depth < 8 && typeof current === "object" && current !== null; depth++) {
    if (current === Object.prototype) return;
    if (owns(current, "callTool")) found.clients.add(current);
    if (owns(current, "request", "setRequestHandler")) found.protocols.add(current);
    else if (owns(current, "connect") && (owns(current, "registerTool") || owns(current, "tool"))) found.mcpServers.add(current);
    current = Object.getPrototypeOf(current);
  }
}

/**
 * The prototypes reachable from `target`: a module of the SDK (`client/index.js` exports `Client`,
 * `server/index.js` `Server`, `server/mcp.js` `McpServer`), one of those classes, or an instance
 * (a `Client`, a `Server`, or an `McpServer`, whose `server` is the `Server`).
 */
export function findTargets(target: unknown): Targets {
  const found: Targets = { clients: new Set(), protocols: new Set(), mcpServers: new Set() };
  const visit = (candidate: unknown) => {
    if (typeof candidate === "function") collect(member(candidate, "prototype"), found);
    else if (typeof candidate === "object" && candidate !== null) collect(Object.getPrototypeOf(candidate), found);
  };
  const visitAll = (candidate: unknown) => {
    visit(candidate);
    for (const key of ["Client", "Server", "Protocol", "McpServer", "server"]) visit(member(candidate, key));
  };
  visitAll(target);
  visitAll(member(target, "default"));
  return found;
}
