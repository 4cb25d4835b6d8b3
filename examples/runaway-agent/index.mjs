// A runaway agent: its loop asks the model for "one more refinement" and never decides to stop.
// The session's budget stops it: the call that reaches $0.05 is the last one sent, the next is
// refused with a BudgetExceededError, and session.signal is aborted for anything else in flight.
import { createRequire } from "node:module";
import * as agentops from "agentops";
import { localBackend } from "example-shared";

const backend = await localBackend(); // the server and mock LLM provider of the environment, or local ones
const session = agentops.init({
  tags: ["runaway"],
  maxCostUsd: 0.05,
  enforceBudget: true,
  onBudgetExceeded: ({ limit, costUsd, llmCalls }) =>
    console.log(`budget reached (${limit}): $${costUsd.toFixed(6)} after ${llmCalls} calls`),
});
const require = createRequire(import.meta.url); // clients loaded after init() are traced
const { OpenAI } = require("openai");
const openai = new OpenAI({ apiKey: "mock", baseURL: `${process.env.MOCK_PROVIDER_URL}/v1`, maxRetries: 0 });

let draft = "A plan for the weekend";
let steps = 0;
try {
  // Bounded only as a safety net for this example: the budget is what stops it.
  for (; steps < 1000; steps++) {
    const reply = await openai.chat.completions.create(
      { model: "gpt-4o", messages: [{ role: "user", content: `Refine this once more, in more detail: ${draft}` }] },
      { signal: session.signal },
    );
    draft = reply.choices[0].message.content;
  }
} catch (error) {
  if (!(error instanceof agentops.BudgetExceededError)) throw error;
  console.log(`stopped: ${error.message}`);
}
const cost = await session.endSession("Indeterminate", "stopped by its budget");
console.log(`session ${session.id}: ${steps} calls sent, cost $${cost}`);
await backend.close();
