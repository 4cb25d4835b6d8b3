// Installs what the matrix needs into the git-ignored .cache folder, once: Node.js binaries from
// their npm packages (node-<platform>-<arch>), each client version and each framework version in a
// folder of its own, and native modules built from source for each Node.js (node-gyp with the
// headers the node-<platform>-<arch> package ships: nothing but the npm registry is needed).
// A folder counts as installed when its package.json names the pinned version.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const INSTALL_TIMEOUT_MS = 5 * 60_000;
const BUILD_TIMEOUT_MS = 10 * 60_000;
/** node-gyp for the native builds; 11 runs on every Node.js of the matrix. */
const NODE_GYP = ["node-gyp", "11.4.2"];

function run(command, args, options, timeout = INSTALL_TIMEOUT_MS) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
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

/**
 * Installs under way in this process, by folder. Two native builds (one per Node.js) run at once
 * and share node-gyp's folder: the second must wait for the first's install, not wipe it midway.
 */
const installing = new Map();

/** `npm install --prefix` of `packages` ([name, version] pairs) into a fresh folder; throws with npm's output when it fails. */
function npmInstall(prefix, packages) {
  const key = path.resolve(prefix);
  let pending = installing.get(key);
  if (pending === undefined) {
    pending = installOnce(prefix, packages).finally(() => installing.delete(key));
    installing.set(key, pending);
  }
  return pending;
}

async function installOnce(prefix, packages) {
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

/** The folder whose node_modules holds the packages ([name, version] pairs) of one framework cell. */
export async function packagesPrefix(root, id, packages) {
  const prefix = path.join(root, ".cache", "versions", id.replace(/[^\w.@+-]+/g, "+"));
  await npmInstall(prefix, packages);
  return prefix;
}

/**
 * The folder to resolve a native module from on one Node.js: the package installed without its
 * install script (which would try to download a prebuilt binary), then built from its sources
 * against the headers of the node-<platform>-<arch> package, by that Node.js. Two builds may run
 * at once on two cores, so each compiles with one job. `check` is code that loads the binary.
 */
export async function nativePrefix(root, { name, version, check }, nodeVersion, node) {
  const prefix = path.join(root, ".cache", "native", `${name}@${version}`, `node-${nodeVersion}`);
  const marker = path.join(prefix, "built.json");
  const stamp = JSON.stringify({ name, version, node: nodeVersion });
  if (existsSync(marker) && readFileSync(marker, "utf8") === stamp) return prefix;
  await npmInstall(prefix, [[name, version]]);
  const gyp = path.join(root, ".cache", "tools", `${NODE_GYP[0]}@${NODE_GYP[1]}`);
  await npmInstall(gyp, [NODE_GYP]);
  const headers = path.join(path.dirname(node), "..");
  if (!existsSync(path.join(headers, "include", "node", "node.h"))) throw new Error(`no Node.js headers in ${headers}`);
  // Without the npm_config_* a package manager exports (pnpm passes npm's `nodedir`, `/usr` on
  // Debian, which node-gyp prefers to --nodedir: the build would use the machine's Node.js headers).
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_/i.test(key)));
  const env = { ...inherited, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ""}`, JOBS: "1" };
  const args = [path.join(gyp, "node_modules", "node-gyp", "bin", "node-gyp.js"), "rebuild", "--release", `--nodedir=${headers}`];
  const built = await run(node, args, { cwd: path.join(prefix, "node_modules", name), env }, BUILD_TIMEOUT_MS);
  if (built.code !== 0) throw new Error(`node-gyp rebuild of ${name}@${version} for Node.js ${nodeVersion} failed (${built.code}):\n${built.output.trim().split("\n").slice(-15).join("\n")}`);
  const loaded = await run(node, ["-e", check], { cwd: prefix, env });
  if (loaded.code !== 0) throw new Error(`${name} built for Node.js ${nodeVersion} does not load:\n${loaded.output.trim()}`);
  writeFileSync(marker, stamp);
  return prefix;
}
