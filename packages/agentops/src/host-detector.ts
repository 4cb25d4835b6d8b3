import * as os from "node:os";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { AttributeValue } from "@opentelemetry/api";
import type { DetectedResource, ResourceDetector } from "@opentelemetry/resources";
import {
  ATTR_AGENTOPS_HOST_CPU_COUNT,
  ATTR_AGENTOPS_HOST_CPU_MODEL,
  ATTR_AGENTOPS_HOST_DEPENDENCIES,
  ATTR_AGENTOPS_HOST_DISK_FREE,
  ATTR_AGENTOPS_HOST_DISK_TOTAL,
  ATTR_AGENTOPS_HOST_MEMORY_FREE,
  ATTR_AGENTOPS_HOST_MEMORY_TOTAL,
  ATTR_AGENTOPS_SDK_VERSION,
  ATTR_HOST_ARCH,
  ATTR_HOST_NAME,
  ATTR_OS_DESCRIPTION,
  ATTR_OS_TYPE,
  ATTR_OS_VERSION,
  ATTR_PROCESS_COMMAND_LINE,
  ATTR_PROCESS_PID,
  ATTR_PROCESS_RUNTIME_NAME,
  ATTR_PROCESS_RUNTIME_VERSION,
  ATTR_PROCESS_WORKING_DIRECTORY,
} from "@agentops/semconv";
import { logger } from "./logger";
import { VERSION } from "./version";

/** Nearest package.json at or above `dir`, or undefined. */
async function findPackageJson(dir: string): Promise<any | undefined> {
  let current = dir;
  for (let depth = 0; depth < 20; depth++) {
    try {
      const text = await fs.readFile(path.join(current, "package.json"), "utf8");
      return JSON.parse(text);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return undefined;
      current = parent;
    }
  }
  return undefined;
}

/** The app's direct dependencies as `name@version` (installed version when found, else the range). */
async function directDependencies(cwd: string): Promise<string[]> {
  const manifest = await findPackageJson(cwd);
  if (!manifest) return [];
  const names = Object.keys({ ...(manifest.dependencies ?? {}), ...(manifest.devDependencies ?? {}) }).slice(0, 200);
  const ranges: Record<string, string> = { ...(manifest.devDependencies ?? {}), ...(manifest.dependencies ?? {}) };
  return Promise.all(
    names.map(async (name) => {
      try {
        const installed = JSON.parse(await fs.readFile(path.join(cwd, "node_modules", name, "package.json"), "utf8"));
        return `${name}@${installed.version}`;
      } catch {
        return `${name}@${ranges[name]}`;
      }
    }),
  );
}

async function disk(cwd: string): Promise<{ total: number; free: number } | undefined> {
  const statfs = (fs as any).statfs as ((p: string) => Promise<{ bsize: number; blocks: number; bavail: number }>) | undefined;
  if (!statfs) return undefined;
  const stats = await statfs(cwd);
  return { total: stats.blocks * stats.bsize, free: stats.bavail * stats.bsize };
}

function guarded<T>(promise: Promise<T>, what: string): Promise<T | undefined> {
  return promise.catch((error) => {
    logger.debug(`host environment: could not read ${what}`, error);
    return undefined;
  });
}

/**
 * Detects the host environment: OS, release, arch, hostname, CPUs, memory, disk of the working
 * directory, Node version, SDK version, pid, cwd, command line and the application's direct
 * dependencies. What needs I/O (disk, dependencies) arrives as pending attributes, so `init`
 * never waits for it; exports wait for it.
 */
export class HostResourceDetector implements ResourceDetector {
  detect(): DetectedResource {
    const cwd = process.cwd();
    const cpus = os.cpus();
    const diskInfo = guarded(disk(cwd), "disk usage");
    const attributes: Record<string, AttributeValue | Promise<AttributeValue | undefined> | undefined> = {
      [ATTR_OS_TYPE]: os.platform(),
      [ATTR_OS_DESCRIPTION]: `${os.type()} ${os.release()}`,
      [ATTR_OS_VERSION]: os.release(),
      [ATTR_HOST_NAME]: os.hostname(),
      [ATTR_HOST_ARCH]: os.arch(),
      [ATTR_AGENTOPS_HOST_CPU_COUNT]: cpus.length,
      [ATTR_AGENTOPS_HOST_CPU_MODEL]: cpus[0]?.model?.trim() ?? "unknown",
      [ATTR_AGENTOPS_HOST_MEMORY_TOTAL]: os.totalmem(),
      [ATTR_AGENTOPS_HOST_MEMORY_FREE]: os.freemem(),
      [ATTR_AGENTOPS_HOST_DISK_TOTAL]: diskInfo.then((d) => d?.total),
      [ATTR_AGENTOPS_HOST_DISK_FREE]: diskInfo.then((d) => d?.free),
      [ATTR_PROCESS_RUNTIME_NAME]: "nodejs",
      [ATTR_PROCESS_RUNTIME_VERSION]: process.versions.node,
      [ATTR_AGENTOPS_SDK_VERSION]: VERSION,
      [ATTR_PROCESS_PID]: process.pid,
      [ATTR_PROCESS_WORKING_DIRECTORY]: cwd,
      [ATTR_PROCESS_COMMAND_LINE]: [process.argv0, ...process.execArgv, ...process.argv.slice(1)].join(" "),
      [ATTR_AGENTOPS_HOST_DEPENDENCIES]: guarded(directDependencies(cwd), "dependencies"),
    };
    return { attributes };
  }
}

/** The app's package name from the nearest package.json, for a default `service.name`. */
export async function applicationName(): Promise<string | undefined> {
  const manifest = await guarded(findPackageJson(process.cwd()), "package name");
  return typeof manifest?.name === "string" ? manifest.name : undefined;
}
