#!/usr/bin/env node
import { mkdirSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { alertsCommand } from "./alerts/commands";
import { AlertRuleError } from "./alerts/rules";
import { generateApiKey } from "./auth/keys";
import { redactCommand } from "./redaction/commands";
import { RedactionRuleError } from "./redaction/rules";
import { createServer } from "./server";
import {
  describeStorage,
  openStorage,
  parseStorageUrl,
  StorageUrlError,
  type StorageLocation,
} from "./storage/index";

const USAGE = `Usage:
  agentops-server serve [--port 4318] [--host 127.0.0.1] [--db sqlite:PATH | postgres://... | clickhouse://...]
                        [--dashboard-dir DIR | --no-dashboard] [--log-level info]
                        [--spool-dir DIR]  (ClickHouse: acknowledge batches once on disk there,
                                            insert them in bulk; one server per folder)
  agentops-server projects create NAME [--db ...] [--json]
  agentops-server redact list PROJECT_ID [--db ...] [--json]
  agentops-server redact add PROJECT_ID (--builtin emails|api-keys|cards | --pattern REGEX
                        [--flags imsu] [--replacement TEXT]) [--db ...] [--json]
  agentops-server redact remove PROJECT_ID RULE_ID [--db ...]
  agentops-server alerts list PROJECT_ID [--db ...] [--json]
  agentops-server alerts add PROJECT_ID --name NAME --when CONDITION --webhook URL [--secret S]
                        [--db ...] [--json]
        CONDITION: cost_over:USD | errors_over:N | end_state:Failure | end_state:Indeterminate
                   | duration_over:DURATION (e.g. 90s, 10m, 2h)
  agentops-server alerts remove PROJECT_ID RULE_ID [--db ...]
  agentops-server alerts deliveries PROJECT_ID [--db ...] [--json]

Environment: AGENTOPS_SERVER_PORT, AGENTOPS_SERVER_HOST, AGENTOPS_SERVER_DB,
AGENTOPS_SERVER_LOG_LEVEL, AGENTOPS_SESSION_TIMEOUT_MS, AGENTOPS_SERVER_SPOOL_DIR, AGENTOPS_SERVER_TOKEN_SECRET,
AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS, AGENTOPS_ALERTS_SWEEP_MS, AGENTOPS_ALERTS_WEBHOOK_TIMEOUT_MS.
Default database: sqlite:./.agentops/agentops.db`;

const DEFAULT_DB = "sqlite:./.agentops/agentops.db";
const DEFAULT_PORT = 4318;
const DEFAULT_HOST = "127.0.0.1";
/** After a signal, in-flight requests get this long to finish before the process gives up. */
const SHUTDOWN_TIMEOUT_MS = 15_000;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      json: { type: "boolean" },
      "dashboard-dir": { type: "string" },
      "no-dashboard": { type: "boolean" },
      "log-level": { type: "string" },
      "session-timeout-ms": { type: "string" },
      "spool-dir": { type: "string" },
      builtin: { type: "string" },
      pattern: { type: "string" },
      flags: { type: "string" },
      replacement: { type: "string" },
      name: { type: "string" },
      when: { type: "string" },
      webhook: { type: "string" },
      secret: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || positionals.length === 0) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const { url: db, location } = databaseUrl(
    values.db ?? process.env.AGENTOPS_SERVER_DB ?? DEFAULT_DB,
  );
  const sessionTimeoutMs = optionalInteger(
    values["session-timeout-ms"] ?? process.env.AGENTOPS_SESSION_TIMEOUT_MS,
    "--session-timeout-ms",
  );
  const [command, subcommand, ...rest] = positionals;

  if (command === "serve" && subcommand === undefined) {
    const port =
      optionalInteger(values.port ?? process.env.AGENTOPS_SERVER_PORT, "--port") ?? DEFAULT_PORT;
    if (port < 0 || port > 65535) throw new UsageError("--port must be from 0 to 65535");
    const host = values.host ?? process.env.AGENTOPS_SERVER_HOST ?? DEFAULT_HOST;
    const level = values["log-level"] ?? process.env.AGENTOPS_SERVER_LOG_LEVEL ?? "info";
    const spoolDir = values["spool-dir"] ?? process.env.AGENTOPS_SERVER_SPOOL_DIR;
    if (spoolDir !== undefined && location.kind !== "clickhouse") {
      throw new UsageError("--spool-dir applies to a ClickHouse store (--db clickhouse://…)");
    }
    return serve({
      db,
      spoolDir,
      storage: describeStorage(location),
      port,
      host,
      level,
      sessionTimeoutMs,
      dashboardDir: values["no-dashboard"] ? false : values["dashboard-dir"],
    });
  }
  if (command === "projects" && subcommand === "create" && rest.length === 1) {
    return createProject(db, rest[0]!, values.json === true, sessionTimeoutMs);
  }
  if (command === "redact" && subcommand !== undefined) {
    const storage = await openStorage(db, storageOptions(sessionTimeoutMs));
    try {
      return await redactCommand(
        storage,
        subcommand,
        rest,
        {
          builtin: values.builtin,
          pattern: values.pattern,
          flags: values.flags,
          replacement: values.replacement,
          json: values.json === true,
        },
        (line) => console.log(line),
      );
    } finally {
      await storage.close();
    }
  }
  if (command === "alerts" && subcommand !== undefined) {
    const storage = await openStorage(db, storageOptions(sessionTimeoutMs));
    try {
      return await alertsCommand(
        storage,
        subcommand,
        rest,
        { name: values.name, when: values.when, webhook: values.webhook, secret: values.secret, json: values.json === true },
        (line) => console.log(line),
      );
    } finally {
      await storage.close();
    }
  }
  throw new UsageError(`unknown command: ${positionals.join(" ")}`);
}

interface ServeOptions {
  db: string;
  /** The store, for the log, without credentials. */
  storage: string;
  port: number;
  host: string;
  level: string;
  sessionTimeoutMs: number | undefined;
  spoolDir: string | undefined;
  dashboardDir: string | false | undefined;
}

async function serve(options: ServeOptions): Promise<number> {
  // Opening migrates the schema (safe when several replicas start at once).
  const storage = await openStorage(options.db, { ...storageOptions(options.sessionTimeoutMs), spoolDir: options.spoolDir });
  let app: ReturnType<typeof createServer>;
  try {
    app = createServer({
      storage,
      logger: true,
      dashboardDir: options.dashboardDir,
      alerts: alertOptionsFromEnv(),
    });
  } catch (error) {
    // A bad configuration (e.g. a weak token secret): close the database before exiting, or a
    // PostgreSQL pool would hold the process until its idle timeout.
    await storage.close();
    throw error;
  }
  app.log.level = options.level;

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing in-flight requests");
    const timer = setTimeout(() => {
      app.log.error("in-flight requests did not finish in time; exiting");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app
      .close()
      .then(() => storage.close())
      .then(
        () => {
          app.log.info("stopped");
          process.exit(0);
        },
        (error: unknown) => {
          app.log.error({ err: error }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);

  try {
    const address = await app.listen({ port: options.port, host: options.host });
    app.log.info({ storage: options.storage }, `storage: ${options.storage}`);
    app.log.info({ address, storage: options.storage }, "listening");
  } catch (error) {
    app.log.error({ err: error }, "could not listen");
    await storage.close();
    return 1;
  }
  // Keep running until a signal arrives.
  return new Promise<number>(() => {});
}

async function createProject(
  db: string,
  name: string,
  json: boolean,
  sessionTimeoutMs: number | undefined,
): Promise<number> {
  if (name.trim() === "") throw new UsageError("the project name must not be empty");
  const storage = await openStorage(db, storageOptions(sessionTimeoutMs));
  try {
    const key = generateApiKey();
    const project = await storage.createProject(name, key.lookup, key.hash);
    if (json) {
      console.log(JSON.stringify({ project_id: project.id, api_key: key.apiKey }));
    } else {
      console.log(`Created project "${project.name}" (${project.id}).`);
      console.log(`API key (shown once, store it now): ${key.apiKey}`);
    }
    return 0;
  } finally {
    await storage.close();
  }
}

/** Alert timings from the environment (for operators who need a faster sweep or a longer timeout). */
function alertOptionsFromEnv(): { sweepIntervalMs?: number; webhookTimeoutMs?: number } {
  const sweepIntervalMs = optionalInteger(process.env.AGENTOPS_ALERTS_SWEEP_MS, "AGENTOPS_ALERTS_SWEEP_MS");
  const webhookTimeoutMs = optionalInteger(process.env.AGENTOPS_ALERTS_WEBHOOK_TIMEOUT_MS, "AGENTOPS_ALERTS_WEBHOOK_TIMEOUT_MS");
  if (sweepIntervalMs !== undefined && sweepIntervalMs < 100) throw new UsageError("AGENTOPS_ALERTS_SWEEP_MS must be at least 100");
  if (webhookTimeoutMs !== undefined && webhookTimeoutMs < 100) throw new UsageError("AGENTOPS_ALERTS_WEBHOOK_TIMEOUT_MS must be at least 100");
  return {
    ...(sweepIntervalMs !== undefined ? { sweepIntervalMs } : {}),
    ...(webhookTimeoutMs !== undefined ? { webhookTimeoutMs } : {}),
  };
}

function storageOptions(sessionTimeoutMs: number | undefined): { sessionTimeoutMs?: number } {
  return sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs };
}

/**
 * The store `--db` names, as a URL `openStorage` takes (a SQLite file's folder is created). An
 * unknown scheme throws a {@link StorageUrlError} before anything is created.
 */
function databaseUrl(value: string): { url: string; location: StorageLocation } {
  const location = parseStorageUrl(value);
  if (location.kind !== "sqlite") return { url: location.url, location };
  if (location.path !== ":memory:") mkdirSync(path.dirname(location.path), { recursive: true });
  return { url: `sqlite:${location.path}`, location };
}

function optionalInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a non-negative integer`);
  return Number(value);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof StorageUrlError || error instanceof RedactionRuleError || error instanceof AlertRuleError) {
      // One line: the URL names no store this server has, or the rule cannot be used.
      console.error(`agentops-server: ${error.message}`);
      process.exitCode = 2;
    } else if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(`agentops-server: ${(error as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else {
      console.error(`agentops-server: ${(error as Error).message ?? String(error)}`);
      process.exitCode = 1;
    }
  },
);
