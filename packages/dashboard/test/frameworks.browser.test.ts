import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./utils/browser";
import { ensureDashboardBuilt, PACKAGE_DIR } from "./utils/dashboard-build";
import { sendSpans } from "./utils/otlp";
import { startServer, type RunningServer } from "./utils/server";
import { processResource, SeedSession } from "./utils/sessions";

const ARTIFACTS = path.join(PACKAGE_DIR, "test-artifacts");

jest.setTimeout(120_000);

/**
 * A framework's run on the session page, in a real browser against a real server: an OpenAI Agents
 * SDK run as `@agentops/openai-agents` writes it (two agents, a handoff between them, a guardrail
 * that tripped, an MCP tool listing) and a standard GenAI `invoke_agent` span with its
 * conversation id. The waterfall names the roles, the event panel the framework, the agent and
 * the handoff's edge, and the session header the framework and the conversation.
 */
describe("framework events in the dashboard", () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const run = new SeedSession(Date.now() - 60_000, ["agents"]);
  const t = run.startMs;
  const agents = (type: string, extra: Record<string, unknown>) => ({ "openai_agents.span_type": type, ...extra });
  let handoffId = "";
  let triageId = "";

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer(ensureDashboardBuilt());
    run.start();
    const triage = run.span("Triage", agents("agent", { "gen_ai.agent.name": "Triage", "gen_ai.operation.name": "invoke_agent", "gen_ai.conversation.id": "conv_42" }), t + 10, 900);
    triageId = triage.spanId;
    run.span("guardrail no_pii", agents("guardrail", { "openai_agents.guardrail.name": "no_pii", "openai_agents.guardrail.triggered": true }), t + 20, 30, triage.spanId);
    run.span("mcp list_tools files", agents("mcp_tools", { "openai_agents.mcp.server": "files", "openai_agents.mcp.tools": ["read_file"] }), t + 60, 20, triage.spanId);
    run.llm({ prompt: "Refund my order", completion: "Handing you to billing.", startMs: t + 100, durationMs: 300, parentSpanId: triage.spanId });
    handoffId = run.span(
      "handoff Triage -> Billing",
      agents("handoff", { "openai_agents.handoff.from_agent": "Triage", "openai_agents.handoff.to_agent": "Billing" }),
      t + 420,
      5,
      triage.spanId,
    ).spanId;
    const billing = run.span("Billing", agents("agent", { "gen_ai.agent.name": "Billing", "gen_ai.conversation.id": "conv_42" }), t + 430, 400);
    run.tool("refund", { order: 7 }, { ok: true }, t + 450, 50, billing.spanId);
    run.end("Success", t + 1_000);
    await sendSpans(server.baseUrl, server.apiKey, processResource(51), run.spans);

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel("API key").fill(server.apiKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("sessions-table").waitFor();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it("names the agents, the handoff, the guardrail and the MCP listing, and the framework and conversation", async () => {
    await page.goto(`${server.baseUrl}/#/sessions/${run.id}`);
    await page.getByTestId("waterfall").waitFor();
    const rows = page.locator(".wf-row");
    await rows.nth(6).waitFor();
    expect(await rows.evaluateAll((list) => list.map((row) => row.getAttribute("data-kind")))).toEqual([
      "agent",
      "action",
      "action",
      "llm",
      "action",
      "agent",
      "tool",
    ]);
    expect(await page.locator(".wf-role").evaluateAll((list) => list.map((chip) => chip.textContent))).toEqual([
      "Guardrail tripped",
      "MCP",
      "Handoff",
    ]);
    // The header: two agent runs count among the actions, with the handoff, the guardrail and the listing.
    expect(await page.getByTestId("session-stats").innerText()).toMatch(/Actions\s+5/i);
    expect(await page.getByTestId("session-frameworks").innerText()).toContain("OpenAI Agents SDK");
    expect(await page.getByTestId("conversation-ids").innerText()).toContain("conv_42");

    await page.locator(`.wf-row[data-span-id="${handoffId}"]`).click();
    const panel = page.getByTestId("event-panel");
    await page.waitForFunction((id) => document.querySelector(`[data-testid="event-panel"]`)?.getAttribute("data-span-id") === id, handoffId);
    expect(await panel.innerText()).toMatch(/Framework\s+OpenAI Agents SDK/i);
    expect(await panel.innerText()).toMatch(/Handoff\s+Triage → Billing/);

    await page.locator(`.wf-row[data-span-id="${triageId}"]`).click();
    await page.waitForFunction((id) => document.querySelector(`[data-testid="event-panel"]`)?.getAttribute("data-span-id") === id, triageId);
    expect(await panel.innerText()).toMatch(/Agent\s+Triage/);
    expect(await panel.innerText()).toMatch(/Conversation\s+conv_42/);
    await page.screenshot({ path: path.join(ARTIFACTS, "frameworks.png"), fullPage: false });
    expect(pageErrors).toEqual([]);
  });
});
