/**
 * Structured outputs: a request that asks for a JSON schema (chat's `response_format`, the
 * Responses API's `text.format`) gets an answer of that shape, as clients that parse it need
 * (the Vercel AI SDK's `generateObject`).
 */
import OpenAI from "openai";
import { startMockProvider, type MockProvider } from "@agentops/mock-provider";

let provider: MockProvider;
let client: OpenAI;

const SCHEMA = {
  type: "object",
  properties: { city: { type: "string" }, temperature: { type: "number" }, sunny: { type: "boolean" } },
  required: ["city", "temperature", "sunny"],
  additionalProperties: false,
};

beforeAll(async () => {
  provider = await startMockProvider();
  client = new OpenAI({ apiKey: "test-key", baseURL: provider.openaiBaseURL, maxRetries: 0 });
});

afterAll(async () => {
  await provider.close();
});

it("answers chat's response_format json_schema with an object of the schema", async () => {
  const completion = await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [{ role: "user", content: "Weather in Paris" }],
    response_format: { type: "json_schema", json_schema: { name: "weather", schema: SCHEMA, strict: true } },
  });
  const content = completion.choices[0]!.message.content!;
  expect(JSON.parse(content)).toEqual({ city: "Weather in Paris", temperature: 1, sunny: true });
  expect(completion.usage!.completion_tokens).toBe(Math.ceil(content.length / 4));
});

it("answers the Responses API's text.format json_schema the same way, and plain text without one", async () => {
  const structured = await client.responses.create({
    model: "gpt-4o-mini",
    input: "Weather in Paris",
    text: { format: { type: "json_schema", name: "weather", schema: SCHEMA, strict: true } },
  });
  expect(JSON.parse(structured.output_text)).toEqual({ city: "Weather in Paris", temperature: 1, sunny: true });
  const plain = await client.responses.create({ model: "gpt-4o-mini", input: "Weather in Paris", text: { format: { type: "text" } } });
  expect(plain.output_text).toBe('Mock answer to "Weather in Paris".');
});
