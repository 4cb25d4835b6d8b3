// An agent whose tools live in an MCP server: the model (the mock provider) picks the tools, the
// agent calls them over MCP in a child process that it starts over stdio. The agent's LLM calls,
// its MCP requests and the server's own work (here, an LLM call a tool makes) are one session.
import { fileURLToPath } from "node:url";
import * as agentops from "agentops";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones

const session = agentops.init({ tags: ["mcp"] }); // reads AGENTOPS_API_KEY and AGENTOPS_API_ENDPOINT
// Loaded after init(), so that the MCP client and the openai client are traced.
const { Client } = await import("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport, getDefaultEnvironment } = await import("@modelcontextprotocol/sdk/client/stdio.js");
const { default: OpenAI } = await import("openai");

// A stdio server sees only the environment it is given: pass on where its spans go.
const transport = new StdioClientTransport({
  command: process.execPath,
  args: [fileURLToPath(new URL("./weather-server.mjs", import.meta.url))],
  env: {
    ...getDefaultEnvironment(),
    AGENTOPS_API_ENDPOINT: process.env.AGENTOPS_API_ENDPOINT,
    AGENTOPS_API_KEY: process.env.AGENTOPS_API_KEY,
    MOCK_PROVIDER_URL: process.env.MOCK_PROVIDER_URL,
  },
});
const mcp = new Client({ name: "trip-planner", version: "1.0.0" });
await mcp.connect(transport);

const { contents } = await mcp.readResource({ uri: "weather://cities" });
console.log(`  cities  ${contents[0].text}`);
const { tools } = await mcp.listTools();
const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });
const functions = tools.map((tool) => ({
  type: "function",
  function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
}));

// The mock provider calls the tools a prompt names, in turn; a real model decides for itself.
const messages = [{ role: "user", content: "Oslo: get_weather, then packing_list" }];
for (let turn = 0; turn < 4; turn++) {
  const completion = await openai.chat.completions.create({ model: "gpt-4o", messages, tools: functions });
  const message = completion.choices[0].message;
  messages.push(message);
  if (!message.tool_calls?.length) {
    console.log(`  answer  ${message.content}`);
    break;
  }
  for (const call of message.tool_calls) {
    const result = await mcp.callTool({ name: call.function.name, arguments: JSON.parse(call.function.arguments) });
    const text = result.content.map((part) => part.text ?? "").join("");
    console.log(`  tool    ${call.function.name}(${call.function.arguments}) → ${JSON.stringify(text)}`);
    messages.push({ role: "tool", tool_call_id: call.id, content: text });
  }
}

await mcp.close(); // the server exits and flushes its spans
const cost = await session.endSession("Success");
const analytics = session.getAnalytics();
console.log(
  `session ${session.id}: ${analytics.llmCalls} LLM calls in this process, ${analytics.toolCalls} tool calls, ${analytics.actions} actions, cost $${cost}`,
);
await backend.close();
