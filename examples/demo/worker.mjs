// The demo's worker process. Started with the environment of `session.childEnv()`, so init()
// joins the agent's session instead of starting one; its spans land in the same session.
import { createRequire } from "node:module";
import * as agentops from "agentops";

const session = agentops.init();
const { Anthropic } = createRequire(import.meta.url)("@anthropic-ai/sdk");
const anthropic = new Anthropic({
  apiKey: "mock",
  baseURL: process.env.MOCK_PROVIDER_URL,
  maxRetries: 0,
});

const summary = await anthropic.messages.create({
  model: "claude-haiku-4-5",
  max_tokens: 100,
  messages: [{ role: "user", content: "Summarize the trip plan" }],
});
session.record(
  new agentops.ActionEvent({
    actionType: "summarize",
    params: { pid: process.pid },
    returns: summary.content[0].text,
  }),
);

// A joined session is never ended here; its spans are flushed when this process exits.
console.log(
  JSON.stringify({
    pid: process.pid,
    sessionId: session.id,
    answer: summary.content[0].text,
    analytics: session.getAnalytics(),
  }),
);
