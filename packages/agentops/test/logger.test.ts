/**
 * The SDK's log never reaches stdout, at any level: stdout is the application's (a CLI's JSON, an
 * MCP stdio server's protocol channel). A real child process, with the built package.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";

const FIXTURES = path.join(__dirname, "fixtures");

it("writes every log level to stderr and nothing to stdout", async () => {
  const script = [
    'const agentops = require("agentops");',
    // No key: the SDK says so; debug level: everything it has to say.
    "const session = agentops.init({ logLevel: 'debug' });",
    "session.record(new agentops.ActionEvent({ actionType: 'noop' }));",
    "agentops.shutdown().then(() => process.stdout.write('app output\\n'));",
  ].join("\n");
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      ["-e", script],
      { cwd: FIXTURES, timeout: 30_000, env: { ...process.env, AGENTOPS_API_KEY: "", AGENTOPS_LOG_LEVEL: "" } },
      (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve({ stdout: out, stderr: err })),
    );
  });
  expect(stdout).toBe("app output\n");
  expect(stderr).toMatch(/API key/i);
  // Debug lines too, not only the warning.
  expect(stderr.split("\n").filter((line) => line.trim() !== "").length).toBeGreaterThan(1);
});
