// An MCP server over stdio, started by the agent as a child process. It calls agentops.init()
// with the endpoint and key its client passed on, and no session of its own: the requests of a
// traced client carry that client's session, and the spans of this process join it there.
// Stdout is the protocol: nothing else may be written to it.
import * as agentops from "agentops";

agentops.init({ autoStartSession: false });
// Loaded after init(), so that they are traced.
const { McpServer } = await import("@modelcontextprotocol/sdk/server/mcp.js");
const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
const { default: OpenAI } = await import("openai");
const { z } = await import("zod");

const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });
const server = new McpServer({ name: "weather", version: "1.0.0" });

server.registerTool(
  "get_weather",
  { description: "The forecast for a city", inputSchema: { city: z.string() } },
  async ({ city }) => ({ content: [{ type: "text", text: `${city}: sunny, 21 °C` }] }),
);

// A tool that asks a model itself: its LLM call is made in this process and counted in the
// agent's session, with its cost.
server.registerTool(
  "packing_list",
  { description: "What to pack for a trip", inputSchema: { city: z.string() } },
  async ({ city }) => {
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: `A short packing list for ${city} in the sun.` }],
    });
    return { content: [{ type: "text", text: completion.choices[0].message.content ?? "" }] };
  },
);

server.registerResource("cities", "weather://cities", { description: "The cities with a forecast" }, async (uri) => ({
  contents: [{ uri: uri.href, text: "Oslo, Bergen, Tromsø" }],
}));

await server.connect(new StdioServerTransport());
