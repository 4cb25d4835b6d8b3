// Takes the README's screenshot: runs the demo (built packages, --serve), opens its session in
// headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH) signed in with the demo's key,
// selects the first LLM call, and saves the page as docs/dashboard.png (or the path given).
//
//   node examples/demo/screenshot.mjs [OUT.png]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, "..", "..", "docs", "dashboard.png"));
const dataDir = mkdtempSync(join(tmpdir(), "agentops-screenshot-"));

const demo = spawn(
  process.execPath,
  [join(here, "run.mjs"), "--serve", "--skip-build", "--port", "0", "--data-dir", dataDir],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const demoExited = new Promise((resolveExit) => demo.on("exit", resolveExit));
const { url, apiKey } = await new Promise((resolveDemo, reject) => {
  let dashboard;
  createInterface({ input: demo.stdout }).on("line", (line) => {
    dashboard ??= /^\s+(http:\/\/\S+\/#\/sessions\/\S+)$/.exec(line)?.[1];
    const key = /API key: (ak_\S+)/.exec(line)?.[1];
    if (dashboard && key) resolveDemo({ url: dashboard, apiKey: key });
  });
  void demoExited.then((code) => reject(new Error(`the demo exited (${code}) before serving`)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
  ],
});
try {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 1000 },
    deviceScaleFactor: 1,
  });
  await context.addInitScript(
    ([key]) => {
      window.localStorage.setItem("agentops.apiKey", key);
      window.localStorage.setItem("agentops.projectName", "demo");
    },
    [apiKey],
  );
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId("waterfall").waitFor();
  await page.locator('.wf-row[data-kind="llm"]').first().click();
  await page.getByTestId("event-panel").getByTestId("chat").waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`saved ${out} (${url})`);
} finally {
  await browser.close();
  demo.kill("SIGTERM");
  await demoExited;
  rmSync(dataDir, { recursive: true, force: true });
}
