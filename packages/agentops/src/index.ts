/**
 * agentops: session tracing for AI agents on OpenTelemetry.
 *
 * @example
 * import * as agentops from "agentops";
 * const session = agentops.init({ apiKey: process.env.AGENTOPS_API_KEY });
 * session?.record(new agentops.ActionEvent({ actionType: "search", params: { q } }));
 * const cost = await session?.endSession("Success");
 */
import { AgentOpsSpanProcessor, type AgentOpsSpanProcessorOptions } from "./agentops-span-processor";
import { Client, type StartSessionOptions } from "./client";
import { Configuration } from "./config";
import { ActionEvent, ErrorEvent, Event, LLMEvent, ToolEvent } from "./events";
import { logger } from "./logger";
import { Session } from "./session";
import type { AgentOpsOptions, EndState, SessionAnalytics } from "./types";
import { recordAction, recordTool, setSessionResolver } from "./wrappers";
import { VERSION } from "./version";
import { BudgetExceededError } from "./budget";

const CLIENT_KEY = Symbol.for("agentops.client");
type Holder = { [CLIENT_KEY]?: Client };
const holder = globalThis as Holder;

setSessionResolver(() => holder[CLIENT_KEY]?.currentSession());

/** The process's client, once `init` has run (shared by the ESM and CommonJS copies of the SDK). */
export function getClient(): Client | undefined {
  return holder[CLIENT_KEY];
}

/**
 * Sets up the SDK and, unless `autoStartSession` is false, starts a session (or joins the one
 * named by `inheritedSessionId` / `TRACEPARENT`) and returns it. Synchronous; never throws.
 * A second call returns the single active session and changes nothing.
 *
 * @example
 * const session = agentops.init({ apiKey: "ak_…", tags: ["nightly"] });
 */
export function init(options: AgentOpsOptions = {}): Session | undefined {
  try {
    const existing = holder[CLIENT_KEY];
    if (existing !== undefined) {
      logger.warn("agentops.init() was already called; use agentops.startSession() to start another session.");
      const sessions = existing.getActiveSessions();
      return sessions.length === 1 ? sessions[0] : undefined;
    }
    const client = new Client(options);
    const config = client.config;
    holder[CLIENT_KEY] = client;
    if (!config.autoStartSession) return undefined;
    const inherited = config.inheritedSessionId ?? (config.traceParent ? config.traceParent.traceId : undefined);
    return client.startSession({ tags: config.tags, inheritedSessionId: inherited });
  } catch (error) {
    logger.error("agentops.init() failed; the application continues without tracing.", error);
    return undefined;
  }
}

/**
 * Starts a session (or joins `inheritedSessionId`) and makes it current for the rest of the
 * calling async task. Calls `init()` with the environment's settings first if needed.
 *
 * @example
 * const session = agentops.startSession({ tags: ["batch-7"] });
 */
export function startSession(options: StartSessionOptions = {}): Session {
  let client = holder[CLIENT_KEY];
  if (client === undefined) {
    init({ autoStartSession: false });
    client = holder[CLIENT_KEY]!;
  }
  return client.startSession(options);
}

/** The active session with this id, if any. */
export function getSession(id: string): Session | undefined {
  return holder[CLIENT_KEY]?.getSession(id);
}

/** The sessions currently open in this process (started or joined). */
export function getActiveSessions(): Session[] {
  return holder[CLIENT_KEY]?.getActiveSessions() ?? [];
}

function soleSession(method: string, example: string): Session | undefined {
  const sessions = getActiveSessions();
  if (sessions.length === 1) return sessions[0];
  if (sessions.length === 0) {
    logger.warn(`agentops.${method}(): no active session. Call agentops.init() or agentops.startSession() first.`);
  } else {
    logger.warn(
      `agentops.${method}(): ${sessions.length} sessions are active, so it is ambiguous which one is meant; nothing was done. Call ${example} on the session object instead.`,
    );
  }
  return undefined;
}

/** Ends the single active session (see `Session.endSession`). With several active, logs and does nothing. */
export function endSession(endState: EndState | "Fail", endStateReason?: string): Promise<string | undefined> {
  const session = soleSession("endSession", "session.endSession(...)");
  return session ? session.endSession(endState, endStateReason) : Promise.resolve(undefined);
}

/** Records an event in the single active session. With several active, logs and does nothing. */
export function record(event: Event): void {
  soleSession("record", "session.record(...)")?.record(event);
}

/** Adds tags to the single active session. */
export function addTags(tags: string[]): void {
  soleSession("addTags", "session.addTags(...)")?.addTags(tags);
}

/** Replaces the tags of the single active session. */
export function setTags(tags: string[]): void {
  soleSession("setTags", "session.setTags(...)")?.setTags(tags);
}

/** Analytics of the single active session. */
export function getAnalytics(): SessionAnalytics | undefined {
  return soleSession("getAnalytics", "session.getAnalytics()")?.getAnalytics();
}

/**
 * Flushes what is queued for export and waits for the scores being sent; resolves true when all
 * of it was delivered (and every score settled) within `maxWaitTime`.
 */
export function flush(): Promise<boolean> {
  return holder[CLIENT_KEY]?.flush() ?? Promise.resolve(true);
}

/**
 * Ends the sessions this process started (not joined ones) as `Indeterminate` with reason
 * "shutdown", flushes, and stops exporting. `init` may be called again afterwards.
 */
export async function shutdown(): Promise<void> {
  const client = holder[CLIENT_KEY];
  if (client === undefined) return;
  try {
    await client.shutdown();
  } catch (error) {
    logger.error("agentops.shutdown() failed", error);
  } finally {
    if (holder[CLIENT_KEY] === client) delete holder[CLIENT_KEY];
  }
}

export { AgentOpsSpanProcessor, Client, Configuration, Session, Event, ActionEvent, LLMEvent, ToolEvent, ErrorEvent, recordAction, recordTool, VERSION };
export type { AgentOpsSpanProcessorOptions, StartSessionOptions };
export type { AgentOpsOptions, EndState, ExportStats, HostEnv, LogLevel, SessionAnalytics, TimestampInput } from "./types";
export { BudgetExceededError };
export type { BudgetExceeded, BudgetLimit } from "./budget";
export type { ScoreOptions, ScoreValue } from "./scores";
export type { ActionEventOptions, ErrorEventOptions, EventOptions, EventType, LLMEventOptions, ToolEventOptions } from "./events";

const agentops = {
  init,
  startSession,
  getClient,
  AgentOpsSpanProcessor,
  getSession,
  getActiveSessions,
  endSession,
  record,
  addTags,
  setTags,
  getAnalytics,
  flush,
  shutdown,
  recordAction,
  recordTool,
  Configuration,
  Session,
  ActionEvent,
  LLMEvent,
  ToolEvent,
  ErrorEvent,
  BudgetExceededError,
  VERSION,
};

/** `import agentops from "agentops"` works too. */
export default agentops;
