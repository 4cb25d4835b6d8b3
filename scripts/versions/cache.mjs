// Installs what the matrix needs into the git-ignored .cache folder, once: Node.js binaries from
// their npm packages (node-<platform>-<arch>) and each client version in a folder of its own.
// A folder counts as installed when its package.json names the pinned version.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const INSTALL_TIMEOUT_MS = 5 * 60_000;

function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), INSTALL_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: String(error) });
    });
  });
}

function installedVersion(prefix, name) {
  const file = path.join(prefix, "node_modules", name, "package.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")).version;
}

/** `npm install --prefix` of `packages` ([name, version] pairs) into a fresh folder; throws with npm's output when it fails. */
async function npmInstall(prefix, packages) {
  const installed = () => packages.every(([name, version]) => installedVersion(prefix, name) === version);
  if (installed()) return;
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  // its own package.json, so npm neither walks up into the workspace nor saves anywhere else
  writeFileSync(path.join(prefix, "package.json"), `${JSON.stringify({ private: true }, null, 2)}\n`);
  const specs = packages.map(([name, version]) => `${name}@${version}`);
  const args = ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--save-exact", "--ignore-scripts", ...specs];
  const { code, output } = await run("npm", args, { cwd: prefix });
  if (code !== 0 || !installed()) {
    throw new Error(`npm ${args.join(" ")} failed (${code}):\n${output.trim().split("\n").slice(-15).join("\n")}`);
  }
}

/** The node binary of one release; the running node when it is that release. */
export async function nodeBinary(root, version) {
  if (process.version === `v${version}`) return process.execPath;
  const name = `node-${process.platform}-${process.arch}`;
  const prefix = path.join(root, ".cache", "node", version);
  await npmInstall(prefix, [[name, version]]);
  const binary = path.join(prefix, "node_modules", name, "bin", "node");
  const { code, output } = await run(binary, ["--version"], {});
  if (code !== 0 || output.trim() !== `v${version}`) throw new Error(`${binary} --version gave ${output.trim()}`);
  return binary;
}

/** The folder whose node_modules holds exactly this client version. */
export async function clientPrefix(root, client, version) {
  const prefix = path.join(root, ".cache", "versions", `${client.replace("/", "+")}@${version}`);
  await npmInstall(prefix, [[client, version]]);
  return prefix;
}
