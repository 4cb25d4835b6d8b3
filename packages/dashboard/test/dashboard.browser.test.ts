import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./utils/browser";
import { ensureDashboardBuilt, PACKAGE_DIR } from "./utils/dashboard-build";
import { sendSpans, type SpanSpec } from "./utils/otlp";
import { startServer, type RunningServer } from "./utils/server";
import { processResource, SeedSession } from "./utils/sessions";

const ARTIFACTS = path.join(PACKAGE_DIR, "test-artifacts");
const XSS_PROMPT = "Summarize this page: <img src=x onerror=window.__xss=1> and <script>window.__xss=2</script> please";
const BIG_EVENTS = 10_000;
const LIVE_TIMEOUT_MS = 15_000;

jest.setTimeout(180_000);

describe("dashboard in a real browser against a real server", () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requestUrls: string[] = [];
  const workerUrls: string[] = [];
  const pageErrors: string[] = [];
  const now = Date.now();

  // The seeded project.
  const basic = new SeedSession(now - 4 * 3_600_000, ["nightly", "alpha"]);
  const failed = new SeedSession(now - 20 * 60_000, ["security", "<b>not bold</b>"]);
  const undecided = new SeedSession(now - 15 * 60_000, ["nightly"]);
  const big = new SeedSession(now - 10 * 60_000, ["big"]);
  const runningPage = new SeedSession(now - 5 * 60_000, ["live-page"]);
  const runningList = new SeedSession(now - 4 * 60_000, ["live-list"]);
  const bulk: SeedSession[] = [];
  let llmSpan: SpanSpec;
  let xssSpan: SpanSpec;

  const send = (spans: SpanSpec[], pid = 4242, host = "worker-1"): Promise<void> =>
    sendSpans(server.baseUrl, server.apiKey, processResource(pid, host), spans);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const dashboardDir = ensureDashboardBuilt();
    server = await startServer(dashboardDir);

    // A finished session: an action, an LLM call priced by the table (gpt-4o, 1,000 in / 500 out = $0.0075), a tool.
    const t = basic.startMs;
    basic.start();
    const plan = basic.action("plan", { goal: "find flights" }, { steps: 2 }, t + 100, 2_500);
    llmSpan = basic.llm({
      system: "You are a travel agent.",
      prompt: "Find me a flight from Paris to Oslo on Friday.",
      completion: "The cheapest is SK 832 at 09:40 for 1,240 NOK.",
      startMs: t + 200,
      durationMs: 1_200,
      parentSpanId: plan.spanId,
    });
    basic.tool("search_flights", { from: "CDG", to: "OSL" }, [{ flight: "SK 832" }], t + 1_500, 600, plan.spanId);
    basic.end("Success", t + 3_000);
    await send(basic.spans);

    // A failed session whose prompt carries markup, with an error event; explicit cost $0.25.
    const f = failed.startMs;
    failed.start();
    xssSpan = failed.llm({ prompt: XSS_PROMPT, completion: "I will not run <img src=y onerror=window.__xss=3>.", cost: 0.25, startMs: f + 50 });
    failed.tool("fetch_page", { url: "https://example.test/<svg onload=alert(1)>" }, { status: 500 }, f + 900, 300);
    failed.error("FetchError", "the page answered 500", "FetchError: the page answered 500\n    at fetchPage (agent.ts:12:5)", f + 1_250);
    failed.end("Failure", f + 1_500, "tool fetch_page failed");
    await send(failed.spans);

    undecided.start();
    undecided.action("wait", {}, {}, undecided.startMs + 10, 50);
    undecided.end("Indeterminate", undecided.startMs + 500, "shutdown");
    await send(undecided.spans);

    // 10,000 events from two processes: 2,500 groups of an action with an LLM call, a tool and a nested action.
    big.start();
    for (let group = 0; group < BIG_EVENTS / 4; group++) {
      const at = big.startMs + group * 40;
      const parent = big.action(`step ${group}`, { group }, { ok: true }, at, 35);
      big.llm({ prompt: `Question ${group}`, completion: `Answer ${group}`, promptTokens: 100, completionTokens: 50, cost: 0.001, startMs: at + 1, durationMs: 20, parentSpanId: parent.spanId });
      big.tool("lookup", { group }, { hits: group % 7 }, at + 22, 8, parent.spanId);
      big.action("record", { group }, null, at + 31, 3, parent.spanId);
    }
    big.end("Success", big.startMs + (BIG_EVENTS / 4) * 40 + 10);
    const bigEvents = big.spans.filter((span) => span.spanId !== big.rootSpanId);
    await send(bigEvents.slice(0, 5_000), 1001, "worker-1");
    await send([...bigEvents.slice(5_000), big.spans.find((span) => span.spanId === big.rootSpanId)!], 2002, "worker-2");

    // Two running sessions: their start markers and one event each, no root span yet.
    for (const session of [runningPage, runningList]) {
      session.start();
      session.llm({ prompt: "Still thinking?", completion: "Yes.", cost: 0.01, startMs: session.startMs + 10 });
      await send(session.spans);
    }

    // 60 small finished sessions, for paging.
    const bulkSpans: SpanSpec[] = [];
    for (let i = 0; i < 60; i++) {
      const session = new SeedSession(now - 2 * 3_600_000 - i * 60_000, ["bulk"]);
      session.end("Success", session.startMs + 1_000);
      bulk.push(session);
      bulkSpans.push(...session.spans);
    }
    await sendSpans(server.baseUrl, server.apiKey, processResource(7), bulkSpans);

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on("request", (request) => requestUrls.push(request.url()));
    page.on("worker", (worker) => workerUrls.push(worker.url()));
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  const row = (sessionId: string) => page.locator(`tr[data-session-id="${sessionId}"]`);

  it("refuses a wrong key, then signs in with the project's key", async () => {
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel("API key").fill("ak_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwrongwro");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "not valid" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "sign-in.png"), fullPage: false });

    await page.getByLabel("API key").fill(server.apiKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("sessions-table").waitFor();
    expect(await page.evaluate(() => window.localStorage.getItem("agentops.apiKey"))).toBe(server.apiKey);
  });

  it("lists the sessions newest first with their end states, costs and counts", async () => {
    await row(runningList.id).waitFor();
    const ids = await page.locator("tr[data-session-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-session-id")));
    expect(ids.slice(0, 5)).toEqual([runningList.id, runningPage.id, big.id, undecided.id, failed.id]);
    expect(ids).toHaveLength(50);

    expect(await row(basic.id).count()).toBe(0); // four hours old: on the next page, after 60 newer ones
    expect(await row(failed.id).locator('[data-field="cost"]').textContent()).toBe("$0.25");
    expect(await row(failed.id).locator(".badge").getAttribute("data-end-state")).toBe("Failure");
    expect(await row(failed.id).locator('[data-count="error"]').textContent()).toBe("1");
    expect(await row(undecided.id).locator(".badge").textContent()).toBe("Indeterminate");
    expect(await row(runningPage.id).locator(".badge").textContent()).toBe("Running");
    expect(await row(big.id).locator('[data-field="cost"]').textContent()).toBe("$2.50");
    expect(await row(big.id).locator('[data-count="llm"]').textContent()).toBe("2,500");
    // Markup in a tag is text.
    expect(await row(failed.id).locator(".tag").allTextContents()).toEqual(["security", "<b>not bold</b>"]);
    expect(await row(failed.id).locator("b").count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "sessions-list.png"), fullPage: false });
  });

  it("pages through the server's cursor", async () => {
    await page.getByTestId("next-page").click();
    await row(basic.id).waitFor();
    expect(await row(basic.id).locator('[data-field="cost"]').textContent()).toBe("$0.0075");
    const count = await page.locator("tr[data-session-id]").count();
    expect(count).toBe(66 - 50);
    expect(await page.getByTestId("next-page").isDisabled()).toBe(true);
    await page.getByRole("button", { name: "← Newer" }).click();
    await row(runningList.id).waitFor();
  });

  it("narrows the list by tag, end state and time range", async () => {
    // Waits until the table shows exactly these sessions (the old rows stay until the new answer).
    const expectRows = async (expected: SeedSession[]): Promise<void> => {
      const ids = expected.map((session) => session.id).sort();
      await page.waitForFunction(
        (want) => JSON.stringify([...document.querySelectorAll("tr[data-session-id]")].map((r) => r.getAttribute("data-session-id")).sort()) === want,
        JSON.stringify(ids),
      );
    };

    await page.getByRole("textbox", { name: "Tag" }).fill("nightly");
    await page.getByRole("textbox", { name: "Tag" }).press("Enter");
    await expectRows([basic, undecided]);
    expect(page.url()).toContain("tag=nightly");

    await page.getByRole("combobox", { name: "End state" }).selectOption("Indeterminate");
    await expectRows([undecided]);

    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.getByRole("combobox", { name: "End state" }).selectOption("Failure");
    await expectRows([failed]);

    await page.getByRole("combobox", { name: "End state" }).selectOption("");
    await page.getByRole("combobox", { name: "Started" }).selectOption("1h");
    await expectRows([failed, undecided, big, runningPage, runningList]);

    await page.getByRole("combobox", { name: "Started" }).selectOption("all");
    await page.getByRole("combobox", { name: "End state" }).selectOption("running");
    await expectRows([runningPage, runningList]);

    // Clicking a tag chip filters by it.
    await page.getByRole("button", { name: "Clear filters" }).click();
    await row(failed.id).locator(".tag", { hasText: "security" }).click();
    await expectRows([failed]);
    await page.getByRole("button", { name: "Clear filters" }).click();
    await row(runningList.id).waitFor();
  });

  it("turns a running session into Success in the list without a reload", async () => {
    await page.goto(`${server.baseUrl}/#/sessions?tag=live-list`);
    await row(runningList.id).locator('.badge[data-end-state="running"]').waitFor();
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await send([runningList.end("Success", Date.now())]);
    await row(runningList.id).locator('.badge[data-end-state="Success"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
  });

  it("shows a session's waterfall, and an LLM call as a chat", async () => {
    await page.goto(`${server.baseUrl}/#/sessions/${basic.id}`);
    await page.getByTestId("waterfall").waitFor();
    expect(await page.getByTestId("event-count").textContent()).toBe("3 events");
    expect(await page.locator(".wf-row").count()).toBe(3);
    expect(await page.locator(".wf-row").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-kind")))).toEqual(["action", "llm", "tool"]);
    // The LLM call and the tool are nested under the action.
    expect(await page.locator(`.wf-row[data-span-id="${llmSpan.spanId}"]`).getAttribute("aria-level")).toBe("2");

    await page.locator(`.wf-row[data-span-id="${llmSpan.spanId}"]`).click();
    const panel = page.getByTestId("event-panel");
    await panel.getByTestId("chat").waitFor();
    expect(await panel.getByTestId("prompt").innerText()).toContain("Find me a flight from Paris to Oslo on Friday.");
    expect(await panel.getByTestId("prompt").innerText()).toContain("You are a travel agent.");
    expect(await panel.getByTestId("completion").innerText()).toContain("The cheapest is SK 832 at 09:40 for 1,240 NOK.");
    expect(await panel.locator('.message[data-role="system"]').count()).toBe(1);
    expect(await panel.locator('.message[data-role="assistant"]').count()).toBe(1);
    expect(await page.locator('[data-field="cost"] .value').textContent()).toBe("$0.0075");
    expect(await page.getByTestId("cost-by-model").innerText()).toContain("gpt-4o");
    expect(page.url()).toContain(`event=${llmSpan.spanId}`);

    // A tool shows its params and returns.
    await page.locator('.wf-row[data-kind="tool"]').click();
    expect(await panel.getByTestId("params").innerText()).toContain('"to": "OSL"');
    expect(await panel.getByTestId("returns").innerText()).toContain("SK 832");
    await page.getByTestId("host-env").locator("summary").click();
    expect(await page.getByTestId("host-env").innerText()).toContain("worker-1");
    await page.getByTestId("host-env").locator("summary").click();
    await page.locator(`.wf-row[data-span-id="${llmSpan.spanId}"]`).click();
    await page.setViewportSize({ width: 1440, height: 1100 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(ARTIFACTS, "session.png"), fullPage: false });
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it("downloads the export with the key in a header, not in a URL", async () => {
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-export").click()]);
    expect(download.suggestedFilename()).toBe(`session-${basic.id}.json`);
    const body = JSON.parse(readFileSync((await download.path())!, "utf8")) as { session: { id: string }; llms: unknown[]; tools: unknown[] };
    expect(body.session.id).toBe(basic.id);
    expect(body.llms).toHaveLength(1);
    expect(body.tools).toHaveLength(1);
  });

  it("answers an unknown session and a malformed id with a message", async () => {
    await page.goto(`${server.baseUrl}/#/sessions/6f0e2c1a-0000-4000-8000-000000000001`);
    await page.getByRole("alert").filter({ hasText: "does not exist in this project" }).waitFor();
    await page.goto(`${server.baseUrl}/#/sessions/not-a-uuid`);
    await page.getByRole("alert").filter({ hasText: "UUID" }).waitFor();
    expect(await page.evaluate(() => window.localStorage.getItem("agentops.apiKey"))).toBe(server.apiKey);
  });

  it("renders markup in prompts, completions, params and errors as text", async () => {
    await page.goto(`${server.baseUrl}/#/sessions/${failed.id}`);
    await page.locator(`.wf-row[data-span-id="${xssSpan.spanId}"]`).click();
    const panel = page.getByTestId("event-panel");
    await panel.getByTestId("chat").waitFor();
    expect(await panel.getByTestId("prompt").innerText()).toContain(XSS_PROMPT);
    expect(await panel.getByTestId("completion").innerText()).toContain("<img src=y onerror=window.__xss=3>");
    expect(await page.locator("main img, main script, main svg image").count()).toBe(0);

    await page.locator('.wf-row[data-kind="tool"]').click();
    expect(await panel.getByTestId("params").innerText()).toContain("<svg onload=alert(1)>");
    expect(await page.locator("main svg").count()).toBe(0);

    await page.locator('.wf-row[data-kind="error"]').click();
    const error = panel.getByTestId("error-details");
    expect(await error.innerText()).toContain("FetchError");
    expect(await error.innerText()).toContain("the page answered 500");
    expect(await error.innerText()).toContain("at fetchPage (agent.ts:12:5)");
    expect(await page.getByTestId("end-state-reason").textContent()).toBe("tool fetch_page failed");
    expect(await page.locator('.wf-row[data-error="true"]').count()).toBeGreaterThanOrEqual(1);

    await page.waitForTimeout(300); // let an onerror handler, were there one, run
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  });

  it("opens a 10,000-event session and makes it interactive in under 3 s", async () => {
    await page.goto("about:blank");
    const started = Date.now();
    await page.goto(`${server.baseUrl}/#/sessions/${big.id}`);
    // Interactive: an event can be clicked and its details show.
    await page.locator('.wf-row[data-kind="llm"]').first().click();
    await page.getByTestId("event-panel").getByTestId("chat").waitFor();
    const interactiveMs = Date.now() - started;
    // Complete: all 10,000 events are in the waterfall.
    await page.getByTestId("event-count").filter({ hasText: "10,000 events" }).waitFor();
    await page.getByTestId("events-loading").waitFor({ state: "detached" });
    const completeMs = Date.now() - started;
    console.log(`10,000-event session: interactive in ${interactiveMs} ms, all events shown in ${completeMs} ms`);
    expect(interactiveMs).toBeLessThan(3_000);
    expect(completeMs).toBeLessThan(6_000);
    // The spans were read off the main thread, under the server's CSP.
    expect(workerUrls.some((url) => url.includes("spans-worker"))).toBe(true);

    expect(await page.getByTestId("event-panel").getByTestId("prompt").innerText()).toContain("Question 0");
    // Virtualized: only a window of rows exists in the page.
    expect(await page.locator(".wf-row").count()).toBeLessThan(200);
    // Two processes, told apart.
    expect(await page.getByTestId("process-legend").innerText()).toContain("pid 1001");
    expect(await page.getByTestId("process-legend").innerText()).toContain("pid 2002");

    // Scrolling to the end renders the last rows, quickly.
    const scrollStarted = Date.now();
    await page.getByTestId("waterfall").evaluate((element) => (element.scrollTop = element.scrollHeight));
    await page.locator(".wf-row", { hasText: "record" }).last().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll(".wf-name")].some((e) => e.textContent === "step 2499"));
    console.log(`scroll to the last of 10,000 rows rendered in ${Date.now() - scrollStarted} ms`);
    await page.getByTestId("waterfall").evaluate((element) => (element.scrollTop = 0));
    await page.locator('.wf-row[data-kind="action"]').first().click();
    await page.screenshot({ path: path.join(ARTIFACTS, "session-10k.png"), fullPage: false });
  });

  it("turns a running session into Success on its page without a reload", async () => {
    await page.goto(`${server.baseUrl}/#/sessions/${runningPage.id}`);
    await page.locator('.session-title .badge[data-end-state="running"]').waitFor();
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 2));
    await send([runningPage.end("Success", Date.now(), undefined, "https://videos.example.test/run.mp4")]);
    await page.locator('.session-title .badge[data-end-state="Success"]').waitFor({ timeout: LIVE_TIMEOUT_MS });
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(2);
    await page.getByRole("link", { name: "https://videos.example.test/run.mp4" }).waitFor();
  });

  it("shows the overview: sessions per day, cost per day and tokens per model", async () => {
    await page.goto(`${server.baseUrl}/#/overview`);
    await page.getByTestId("chart-sessions").waitFor();
    await page.getByTestId("chart-models").waitFor();
    const totals = await page.getByTestId("overview-totals").innerText();
    expect(totals).toContain("66");
    expect(await page.getByTestId("chart-models").locator("[data-label]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-label")))).toContain("gpt-4o");
    expect(await page.getByTestId("chart-sessions").locator("rect").count()).toBeGreaterThan(30);
    await page.screenshot({ path: path.join(ARTIFACTS, "overview.png"), fullPage: true });
  });

  it("never put the key in a URL and logged no script error", () => {
    expect(requestUrls.length).toBeGreaterThan(10);
    expect(requestUrls.filter((url) => url.includes(server.apiKey))).toEqual([]);
    // The refused sign-in and the unknown session answer 401, 404 and 400 on purpose.
    expect(pageErrors.filter((text) => !/status of (401|404|400)/.test(text))).toEqual([]);
  });

  it("signs out, forgetting the key", async () => {
    await page.getByTestId("sign-out").click();
    await page.getByLabel("API key").waitFor();
    expect(await page.evaluate(() => window.localStorage.getItem("agentops.apiKey"))).toBeNull();
  });
});
