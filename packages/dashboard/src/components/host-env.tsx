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
  ATTR_SERVICE_NAME,
} from "@agentops/semconv";
import { formatBytes } from "../lib/format";
import { KeyValues } from "./key-values";

const LABELS: Array<[string, string, ((value: unknown) => unknown)?]> = [
  [ATTR_SERVICE_NAME, "Service"],
  [ATTR_HOST_NAME, "Host"],
  [ATTR_OS_TYPE, "OS"],
  [ATTR_OS_DESCRIPTION, "OS description"],
  [ATTR_OS_VERSION, "OS version"],
  [ATTR_HOST_ARCH, "Architecture"],
  [ATTR_AGENTOPS_HOST_CPU_MODEL, "CPU"],
  [ATTR_AGENTOPS_HOST_CPU_COUNT, "CPU count"],
  [ATTR_AGENTOPS_HOST_MEMORY_TOTAL, "Memory total", formatBytes],
  [ATTR_AGENTOPS_HOST_MEMORY_FREE, "Memory free", formatBytes],
  [ATTR_AGENTOPS_HOST_DISK_TOTAL, "Disk total", formatBytes],
  [ATTR_AGENTOPS_HOST_DISK_FREE, "Disk free", formatBytes],
  [ATTR_PROCESS_RUNTIME_NAME, "Runtime"],
  [ATTR_PROCESS_RUNTIME_VERSION, "Runtime version"],
  [ATTR_PROCESS_PID, "PID"],
  [ATTR_PROCESS_COMMAND_LINE, "Command"],
  [ATTR_PROCESS_WORKING_DIRECTORY, "Working directory"],
  [ATTR_AGENTOPS_SDK_VERSION, "SDK version"],
];

/**
 * The host environment (resource attributes), collapsed by default. `undefined` while the spans
 * load; `null` when the session has none (its process opted out).
 */
export function HostEnv({ env }: { env: Record<string, unknown> | null | undefined }) {
  if (env === undefined) {
    return (
      <details class="env" data-testid="host-env">
        <summary>Host environment</summary>
        <p class="faint">Loading…</p>
      </details>
    );
  }
  if (env === null || Object.keys(env).length === 0) {
    return (
      <details class="env" data-testid="host-env">
        <summary>Host environment</summary>
        <p class="faint">Not recorded for this session.</p>
      </details>
    );
  }
  const known = new Set(LABELS.map(([name]) => name));
  const entries: Array<[string, unknown]> = [];
  for (const [name, label, format] of LABELS) {
    if (env[name] !== undefined) entries.push([label, format ? format(env[name]) : env[name]]);
  }
  const dependencies = env[ATTR_AGENTOPS_HOST_DEPENDENCIES];
  known.add(ATTR_AGENTOPS_HOST_DEPENDENCIES);
  for (const [name, value] of Object.entries(env).sort(([a], [b]) => a.localeCompare(b))) {
    if (!known.has(name)) entries.push([name, value]);
  }
  if (Array.isArray(dependencies)) entries.push(["Dependencies", dependencies.join("\n")]);
  return (
    <details class="env" data-testid="host-env">
      <summary>Host environment</summary>
      <KeyValues entries={entries} />
    </details>
  );
}
