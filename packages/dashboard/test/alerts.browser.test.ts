/**
 * The Alerts page in a real browser against a real server (its own process, a SQLite file): a
 * rule is added with the form, a failed session arrives over OTLP, a real webhook receiver on
 * 127.0.0.1 gets the signed alert, and the page shows the delivery; then the rule is removed.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "./utils/browser";
import { ensureDashboardBuilt, PACKAGE_DIR } from "./utils/dashboard-build";
import { sendSpans } from "./utils/otlp";
import { startServer, type RunningServer } from "./utils/server";
import { processResource, SeedSession } from "./utils/sessions";

const ARTIFACTS = path.join(PACKAGE_DIR, "test-artifacts");

jest.setTimeout(120_000);

describe("the Alerts page", () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ headers: IncomingHttpHeaders; raw: string }> = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer(ensureDashboardBuilt());
    receiver = createServer((request, response) => {
      let raw = "";
      request.setEncoding("utf8").on("data", (chunk: string) => (raw += chunk));
      request.on("end", () => {
        received.push({ headers: request.headers, raw });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  it("adds a rule with the form, shows the secret once, and refuses a bad one with the server's reason", async () => {
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel("API key").fill(server.apiKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("sessions-table").or(page.locator(".empty")).first().waitFor();
    await page.getByRole("link", { name: "Alerts" }).click();
    await page.getByTestId("alert-rules-empty").waitFor();
    await page.getByTestId("deliveries-empty").waitFor();

    // A value the server refuses: its message is shown.
    await page.getByTestId("alert-name").fill("too vague");
    await page.getByTestId("alert-condition").selectOption("duration_over");
    await page.getByTestId("alert-value").fill("10");
    await page.getByTestId("alert-webhook").fill(receiverUrl);
    await page.getByTestId("alert-submit").click();
    await page.getByTestId("alert-form-error").filter({ hasText: "duration_over needs a duration with a unit" }).waitFor();

    await page.getByTestId("alert-name").fill("failed runs");
    await page.getByTestId("alert-condition").selectOption("end_state:Failure");
    expect(await page.getByTestId("alert-value").count()).toBe(0);
    await page.getByTestId("alert-submit").click();
    const secret = (await page.getByTestId("alert-secret-value").textContent())!;
    expect(secret).toMatch(/^whsec_/);
    const rows = page.getByTestId("alert-rule-row");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    expect(await rows.first().locator("td").allTextContents()).toEqual(expect.arrayContaining(["failed runs", "end_state:Failure", receiverUrl]));
    // The listing never carries the secret.
    expect(await page.getByTestId("alert-rules").textContent()).not.toContain(secret);

    // A failed session fires the rule; the delivery appears without a reload.
    const session = new SeedSession(Date.now() - 5_000, ["alerting"]);
    session.start();
    session.error("ToolError", "the tool failed", "ToolError: the tool failed", session.startMs + 100);
    session.end("Failure", session.startMs + 1_000, "tool failed");
    await sendSpans(server.baseUrl, server.apiKey, processResource(99), session.spans);
    const delivery = page.locator(`[data-testid="delivery-row"][data-session-id="${session.id}"]`);
    await delivery.getByTestId("delivery-status").filter({ hasText: "delivered" }).waitFor({ timeout: 20_000 });
    expect(await delivery.getByTestId("delivery-attempts").textContent()).toBe("200");
    await page.screenshot({ path: path.join(ARTIFACTS, "alerts.png"), fullPage: true });

    // The webhook got it once, signed with the secret the page showed.
    expect(received).toHaveLength(1);
    const expected = `sha256=${createHmac("sha256", secret).update(received[0]!.raw).digest("hex")}`;
    expect(received[0]!.headers["x-agentops-signature"]).toBe(expected);
    expect(JSON.parse(received[0]!.raw)).toMatchObject({ session_id: session.id, rule: { name: "failed runs" }, link: `/#/sessions/${session.id}` });

    // The delivery links to its session.
    await delivery.getByRole("link", { name: session.id }).click();
    await page.waitForURL(`**/#/sessions/${session.id}`);
    await page.goBack();
    await page.getByTestId("alert-rule-row").first().waitFor();
  });

  it("removes a rule after a second click", async () => {
    await page.getByTestId("alert-remove").click();
    await page.getByTestId("alert-remove-confirm").click();
    await page.getByTestId("alert-rules-empty").waitFor();
    const response = await fetch(`${server.baseUrl}/v2/alerts`, { headers: { "x-agentops-api-key": server.apiKey } });
    expect(await response.json()).toEqual({ rules: [] });
    expect(pageErrors).toEqual([]);
  });
});
