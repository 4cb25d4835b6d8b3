// A tool-using agent. Tools and actions are recorded two ways: by wrapping a function
// (agentops.recordTool / recordAction) or by decorating a method (@agentops.recordTool(...)).
// Each call becomes an event of the session: arguments as params, the result as returns, a
// thrown error as an ErrorEvent (rethrown unchanged); LLM calls made inside are its children.
import { createRequire } from "node:module";
import * as agentops from "agentops";
import { localBackend } from "example-shared";
import type { OpenAI as OpenAIClient } from "openai";
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from "openai/resources/chat/completions";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones
const session = agentops.init({ tags: ["tool-agent"] })!;
// Loaded after init(), so its calls are traced.
const { OpenAI } = createRequire(import.meta.url)("openai") as { OpenAI: typeof OpenAIClient };
const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1` });

const TOOLS: ChatCompletionTool[] = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "The forecast for a city",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
];

// A plain function, wrapped.
const toEuros = agentops.recordTool("to_euros", (amount: number, currency: string) => ({
  euros: currency === "NOK" ? amount / 11.6 : amount,
}));

class TravelAgent {
  @agentops.recordTool("get_weather")
  async getWeather({ city }: { city: string }) {
    return { city, forecast: "sunny", celsius: 21 };
  }

  @agentops.recordTool("find_hotels")
  async findHotels(city: string, maxPrice: number) {
    if (maxPrice < 500) throw new Error(`No hotel in ${city} under ${maxPrice} NOK`);
    return [{ name: "Fjord View", city, price: 1250 }];
  }

  /** The model picks a tool, the agent runs it and sends the result back, until the model answers. */
  @agentops.recordAction("plan_trip")
  async plan(city: string): Promise<string> {
    const messages: ChatCompletionMessageParam[] = [{ role: "user", content: city }];
    for (let turn = 0; turn < 4; turn++) {
      const completion = await openai.chat.completions.create({
        model: "gpt-4o",
        messages,
        tools: TOOLS,
        tool_choice: turn === 0 ? "required" : "auto",
      });
      const message = completion.choices[0]!.message;
      if (!message.tool_calls?.length) return message.content ?? "";
      messages.push(message);
      for (const call of message.tool_calls) {
        if (call.type !== "function" || call.function.name !== "get_weather")
          throw new Error(`unknown tool ${call.type}`);
        const result = await this.getWeather(JSON.parse(call.function.arguments));
        console.log(
          `  tool    ${call.function.name}(${call.function.arguments}) → ${JSON.stringify(result)}`,
        );
        messages.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify(result) });
      }
    }
    throw new Error("the model kept asking for tools");
  }
}

const agent = new TravelAgent();
console.log(`  action  plan_trip → ${await agent.plan("Bergen")}`);

try {
  await agent.findHotels("Bergen", 400);
} catch (error) {
  console.log(`  error   ${(error as Error).message} (recorded as an ErrorEvent, handled here)`);
}
const [hotel] = await agent.findHotels("Bergen", 2000);
console.log(
  `  tool    find_hotels → ${hotel!.name}, ${hotel!.price} NOK = ${toEuros(hotel!.price, "NOK").euros.toFixed(2)} EUR`,
);

const cost = await session.endSession("Success");
const { llmCalls, toolCalls, actions, errors } = session.getAnalytics();
console.log(
  `session ${session.id}: ${llmCalls} LLM calls, ${toolCalls} tool calls, ${actions} action, ${errors} error, cost $${cost}`,
);
await backend.close();
