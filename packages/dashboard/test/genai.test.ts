import { readConversation } from "../src/lib/genai";

describe("readConversation", () => {
  it("reads system instructions, input and output messages with tool calls and responses", () => {
    const conversation = readConversation({
      "gen_ai.system_instructions": JSON.stringify([{ type: "text", content: "Be brief." }]),
      "gen_ai.input.messages": JSON.stringify([
        { role: "user", parts: [{ type: "text", content: "Weather in Oslo?" }] },
        { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Oslo" } }] },
        { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: { celsius: 4 } }] },
      ]),
      "gen_ai.output.messages": JSON.stringify([{ role: "assistant", parts: [{ type: "text", content: "4 °C." }], finish_reason: "stop" }]),
    });
    expect(conversation.input.map((m) => m.role)).toEqual(["system", "user", "assistant", "tool"]);
    expect(conversation.input[2]!.parts[0]).toEqual({ type: "tool_call", id: "c1", name: "weather", arguments: { city: "Oslo" } });
    expect(conversation.input[3]!.parts[0]).toEqual({ type: "tool_call_response", id: "c1", response: { celsius: 4 } });
    expect(conversation.output).toEqual([{ role: "assistant", parts: [{ type: "text", content: "4 °C." }], finishReason: "stop" }]);
  });

  it("falls back to legacy prompt and completion: JSON chat messages, plain text, indexed attributes", () => {
    expect(
      readConversation({ "gen_ai.prompt": JSON.stringify([{ role: "user", content: "Hi" }]), "gen_ai.completion": "Hello" }),
    ).toEqual({
      input: [{ role: "user", parts: [{ type: "text", content: "Hi" }] }],
      output: [{ role: "assistant", parts: [{ type: "text", content: "Hello" }] }],
    });
    const indexed = readConversation({
      "gen_ai.prompt.0.role": "system",
      "gen_ai.prompt.0.content": "Rules",
      "gen_ai.prompt.1.role": "user",
      "gen_ai.prompt.1.content": "Go",
      "gen_ai.completion.0.role": "assistant",
      "gen_ai.completion.0.content": "Done",
    });
    expect(indexed.input.map((m) => m.role)).toEqual(["system", "user"]);
    expect(indexed.output[0]!.parts).toEqual([{ type: "text", content: "Done" }]);
  });

  it("reads chat-completions tool calls and keeps unknown parts as data", () => {
    const conversation = readConversation({
      "gen_ai.output.messages": [
        { role: "assistant", content: null, tool_calls: [{ id: "t", function: { name: "search", arguments: '{"q":"x"}' } }] },
        { role: "assistant", parts: [{ type: "image", uri: "https://x" }] },
      ],
    });
    expect(conversation.output[0]!.parts).toEqual([{ type: "tool_call", id: "t", name: "search", arguments: { q: "x" } }]);
    expect(conversation.output[1]!.parts[0]!.type).toBe("other");
  });

  it("keeps markup as plain text and survives broken JSON", () => {
    const prompt = "<img src=x onerror=alert(1)>";
    expect(readConversation({ "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: [{ type: "text", content: prompt }] }]) }).input[0]!.parts).toEqual([
      { type: "text", content: prompt },
    ]);
    expect(readConversation({ "gen_ai.input.messages": "[not json" }).input[0]!.parts).toEqual([{ type: "text", content: "[not json" }]);
    expect(readConversation({})).toEqual({ input: [], output: [] });
  });
});
