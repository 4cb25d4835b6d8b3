import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { SessionScoresResponse } from "@agentops/span-model";
import { launchBrowser } from "./utils/browser";
import { ensureDashboardBuilt, PACKAGE_DIR } from "./utils/dashboard-build";
import { sendSpans } from "./utils/otlp";
import { startServer, type RunningServer } from "./utils/server";
import { processResource, SeedSession } from "./utils/sessions";

const ARTIFACTS = path.join(PACKAGE_DIR, "test-artifacts");
const XSS_COMMENT = "Looks right <img src=x onerror=window.__xss=1> but <script>window.__xss=2</script> slow";

jest.setTimeout(120_000);

/** Scores in the dashboard, in a real browser against a real server: the list, its score filter and order, the session page and its form. */
describe("scores in the dashboard", () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const requestUrls: string[] = [];
  const posts: string[] = [];
  const pageErrors: string[] = [];
  const now = Date.now();
  // Four finished sessions a minute apart, newest last; `quality` on three of them.
  const sessions = [0, 1, 2, 3].map((i) => new SeedSession(now - (10 - i) * 60_000, ["scored"]));
  const [low, unscored, high, middle] = sessions as [SeedSession, SeedSession, SeedSession, SeedSession];

  async function postScore(sessionId: string, body: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${server.baseUrl}/v2/sessions/${sessionId}/scores`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-agentops-api-key": server.apiKey },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
  }

  async function serverScores(sessionId: string): Promise<SessionScoresResponse> {
    const response = await fetch(`${server.baseUrl}/v2/sessions/${sessionId}/scores`, { headers: { "x-agentops-api-key": server.apiKey } });
    return (await response.json()) as SessionScoresResponse;
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer(ensureDashboardBuilt());
    for (const session of sessions) {
      session.start();
      session.action("plan", { step: 1 }, { ok: true }, session.startMs + 10, 100);
      session.end("Success", session.startMs + 1_000);
      await sendSpans(server.baseUrl, server.apiKey, processResource(31), session.spans);
    }
    await postScore(low.id, { name: "quality", value: 0.9, source: "sdk" });
    await postScore(low.id, { name: "quality", value: 0.2, source: "sdk", comment: XSS_COMMENT });
    await postScore(high.id, { name: "quality", value: 0.95, source: "sdk" });
    await postScore(high.id, { name: "resolved", value: true, source: "sdk" });
    await postScore(middle.id, { name: "quality", value: 0.6, source: "api", comment: "second line\nof a comment" });

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    page.on("request", (request) => {
      requestUrls.push(request.url());
      if (request.method() === "POST") posts.push(request.url());
    });
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

  const row = (session: SeedSession) => page.locator(`tr[data-session-id="${session.id}"]`);
  const chips = async (session: SeedSession): Promise<string[]> =>
    row(session).locator('[data-field="scores"] .score-chip').evaluateAll((nodes) => nodes.map((node) => node.textContent ?? ""));
  const expectRows = async (expected: SeedSession[]): Promise<void> => {
    await page.waitForFunction(
      (want) => JSON.stringify([...document.querySelectorAll("tr[data-session-id]")].map((r) => r.getAttribute("data-session-id"))) === want,
      JSON.stringify(expected.map((session) => session.id)),
    );
  };

  it("shows each session's latest scores in the list", async () => {
    await row(middle).waitFor();
    expect(await chips(low)).toEqual(["quality 0.2"]);
    expect(await chips(high)).toEqual(["quality 0.95", "resolved 1"]);
    expect(await chips(middle)).toEqual(["quality 0.6"]);
    expect(await chips(unscored)).toEqual([]);
    expect(await row(unscored).locator('[data-field="scores"]').textContent()).toBe("—");
  });

  it("filters by a score and its lowest value, and orders by it", async () => {
    await page.getByRole("textbox", { name: "Score" }).fill("quality");
    await page.getByRole("textbox", { name: "Score" }).press("Enter");
    await expectRows([middle, high, low]);
    expect(page.url()).toContain("score=quality");

    await page.getByRole("combobox", { name: "Order" }).selectOption("score_desc");
    await expectRows([high, middle, low]);
    await page.getByRole("combobox", { name: "Order" }).selectOption("score_asc");
    await expectRows([low, middle, high]);

    await page.getByRole("spinbutton", { name: "At least" }).fill("0.5");
    await page.getByRole("spinbutton", { name: "At least" }).press("Enter");
    await expectRows([middle, high]);
    expect(page.url()).toContain("min_score=0.5");
    await page.screenshot({ path: path.join(ARTIFACTS, "sessions-by-score.png"), fullPage: false });

    await page.getByRole("button", { name: "Clear filters" }).click();
    await expectRows([middle, high, unscored, low]);
    // A chip filters by its score, highest first.
    await row(high).locator(".score-chip", { hasText: "resolved" }).click();
    await expectRows([high]);
    expect(page.url()).toContain("sort=score_desc");
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expectRows([middle, high, unscored, low]);
  });

  it("shows a session's scores with their comments as text", async () => {
    await page.goto(`${server.baseUrl}/#/sessions/${low.id}`);
    const card = page.getByTestId("scores");
    await card.getByTestId("score-history").waitFor();
    expect(await card.locator(".scores-head .score-chip").allTextContents()).toEqual(["quality 0.2"]);
    const history = await card.locator("tbody tr").evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll("td")].slice(0, 4).map((td) => td.textContent)),
    );
    // Newest first.
    expect(history).toEqual([
      ["quality", "0.2", XSS_COMMENT, "sdk"],
      ["quality", "0.9", "—", "sdk"],
    ]);
    expect(await card.locator("img, script").count()).toBe(0);
    await page.waitForTimeout(200); // an onerror handler, were there one, would have run
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
  });

  it("adds a score by hand, sent with the key in a header and source dashboard", async () => {
    const card = page.getByTestId("scores");
    const form = card.getByTestId("score-form");
    // A value that is not a number never leaves the page.
    expect(posts).toEqual([]);
    await form.getByRole("textbox", { name: "Score name" }).fill("quality");
    await form.getByRole("button", { name: "Add score" }).click();
    await card.getByTestId("score-problem").filter({ hasText: "The value must be a number." }).waitFor();
    expect(posts).toEqual([]);

    await form.getByRole("spinbutton", { name: "Value" }).fill("0.75");
    await form.getByRole("textbox", { name: "Comment" }).fill("Checked by hand: <b>fine</b>");
    await form.getByRole("button", { name: "Add score" }).click();
    await card.locator(".scores-head .score-chip", { hasText: "quality 0.75" }).waitFor();
    await card.locator("tbody tr").first().filter({ hasText: "Checked by hand: <b>fine</b>" }).waitFor();
    expect(await card.locator("tbody tr").first().locator("td").nth(3).textContent()).toBe("dashboard");
    expect(await card.getByTestId("score-problem").count()).toBe(0);
    expect(await card.locator("b").count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "session-scores.png"), fullPage: false });

    const stored = await serverScores(low.id);
    expect(stored.scores.map((score) => [score.name, score.value, score.comment, score.source])).toEqual([
      ["quality", 0.9, null, "sdk"],
      ["quality", 0.2, XSS_COMMENT, "sdk"],
      ["quality", 0.75, "Checked by hand: <b>fine</b>", "dashboard"],
    ]);
    expect(posts).toEqual([`${server.baseUrl}/v2/sessions/${low.id}/scores`]);
    expect(await form.getByRole("spinbutton", { name: "Value" }).inputValue()).toBe("");

    // The list shows the new latest value.
    await page.goto(`${server.baseUrl}/#/sessions`);
    await row(low).waitFor();
    expect(await chips(low)).toEqual(["quality 0.75"]);
  });

  it("never put the key in a URL and logged no script error", () => {
    expect(requestUrls.filter((url) => url.includes(server.apiKey))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
