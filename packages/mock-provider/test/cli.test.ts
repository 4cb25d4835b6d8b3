import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import path from "node:path";

const CLI = path.join(__dirname, "..", "dist", "cli.js");

describe("agentops-mock-provider", () => {
  it("prints its URL, serves the OpenAI routes, and exits on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "--port", "0", "--host", "127.0.0.1"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const lines = createInterface({ input: child.stdout! });
      const [url] = (await once(lines, "line")) as [string];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "ping" }] }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe(
        'Mock answer to "ping".',
      );
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      expect(code).toBe(143);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });

  it("rejects unknown options with exit code 2", async () => {
    const child = spawn(process.execPath, [CLI, "--bogus"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, "exit")) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain("unknown option --bogus");
  });
});
