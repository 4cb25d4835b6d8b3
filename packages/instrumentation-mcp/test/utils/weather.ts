import { trace } from "@opentelemetry/api";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

/** What a handler of the weather server saw: the `_meta` it was sent and the span it ran in. */
export interface Seen {
  tool: string;
  meta: Record<string, unknown> | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
}

/** An MCP server named `weather` with a tool, a failing tool, a resource and a prompt. */
export function weatherServer(seen: Seen[]): McpServer {
  const server = new McpServer({ name: "weather", version: "1.2.3" });
  const remember = (tool: string, meta: Record<string, unknown> | undefined) => {
    const span = trace.getActiveSpan()?.spanContext();
    seen.push({ tool, meta, traceId: span?.traceId, spanId: span?.spanId });
  };
  server.registerTool(
    "get_weather",
    { description: "The weather in a city", inputSchema: { city: z.string() } },
    async ({ city }, extra) => {
      remember("get_weather", extra._meta);
      return { content: [{ type: "text", text: `Sunny in ${city}` }] };
    },
  );
  server.registerTool("flaky", { description: "Always fails" }, async (extra) => {
    remember("flaky", extra._meta);
    throw new Error("the weather station is down");
  });
  server.registerResource("forecast", "weather://oslo", { description: "Oslo's forecast" }, async (uri) => ({
    contents: [{ uri: uri.href, text: "Rain, then sun" }],
  }));
  server.registerPrompt("plan", { description: "Plan a trip", argsSchema: { city: z.string() } }, ({ city }) => ({
    messages: [{ role: "user", content: { type: "text", text: `Plan a trip to ${city}` } }],
  }));
  return server;
}

/** A client connected to a fresh weather server over the SDK's in-memory transport. */
export async function connectWeather(seen: Seen[]): Promise<{ client: Client; server: McpServer; close(): Promise<void> }> {
  const server = weatherServer(seen);
  const client = new Client({ name: "agent", version: "0.0.1" });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  await client.connect(clientTransport);
  return {
    client,
    server,
    async close() {
      await client.close();
      await server.close();
    },
  };
}
