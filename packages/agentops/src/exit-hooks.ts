import { inspect } from "node:util";
import type { EndState } from "./types";
import { logger } from "./logger";

/** What the exit hooks ask of the client. */
export interface ExitHost {
  /** Ends this process's own open sessions (not joined ones, not those that opted out), then flushes every queue; bounded. */
  endOwnedSessions(state: EndState, reason: string, error?: unknown): Promise<void>;
  /** The same, synchronously, for an explicit `process.exit()`. */
  endOwnedSessionsSync(state: EndState, reason: string): void;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;
type HandledSignal = (typeof SIGNALS)[number];

/**
 * Ends open sessions when the process ends without ending them, then lets the process end as
 * it would have:
 * - natural exit (`beforeExit`): `Indeterminate`, flushed; the exit code is untouched;
 * - `process.exit()`: `Indeterminate`, sent synchronously (bounded by maxWaitTime) in `exit`;
 * - SIGINT / SIGTERM: `Indeterminate` with the signal as reason, flushed, then the signal is
 *   raised again so the process dies of it (130 / 143) — unless the app listens for it itself,
 *   in which case its handler decides;
 * - uncaught exception / unhandled rejection: `Failure` with the error as reason, flushed, then
 *   the error is printed and the process exits 1 — unless the app has its own handler.
 *
 * Listeners are installed only while this process owns open sessions, so an app without open
 * sessions keeps Node's default behaviour exactly.
 */
export class ExitHooks {
  private installed = false;
  private endingForSignal = false;
  private crashing = false;
  private exiting = false;
  private readonly signalListeners = new Map<HandledSignal, () => void>();

  constructor(private readonly host: ExitHost) {
    for (const signal of SIGNALS) this.signalListeners.set(signal, () => this.onSignal(signal));
  }

  install(): void {
    if (this.installed) return;
    this.installed = true;
    process.on("beforeExit", this.onBeforeExit);
    process.on("exit", this.onExit);
    process.on("uncaughtException", this.onUncaught);
    for (const [signal, listener] of this.signalListeners) process.on(signal, listener);
  }

  uninstall(): void {
    if (!this.installed || this.endingForSignal || this.crashing || this.exiting) return;
    this.remove();
  }

  private remove(): void {
    this.installed = false;
    process.removeListener("beforeExit", this.onBeforeExit);
    process.removeListener("exit", this.onExit);
    process.removeListener("uncaughtException", this.onUncaught);
    for (const [signal, listener] of this.signalListeners) process.removeListener(signal, listener);
  }

  private readonly onBeforeExit = (): void => {
    if (this.exiting) return;
    this.exiting = true;
    this.host
      .endOwnedSessions("Indeterminate", "process exited without ending the session")
      .catch((error) => logger.debug("ending sessions at exit failed", error))
      .finally(() => {
        this.exiting = false;
        this.remove();
      });
  };

  /** An explicit `process.exit()` (or anything else that skipped beforeExit): end and send synchronously. */
  private readonly onExit = (code: number): void => {
    // After a crash or a signal the asynchronous flush already had its maxWaitTime.
    if (this.crashing || this.endingForSignal) return;
    try {
      this.host.endOwnedSessionsSync("Indeterminate", `process.exit(${code})`);
    } catch (error) {
      logger.debug("ending sessions at process.exit failed", error);
    }
  };

  private onSignal(signal: HandledSignal): void {
    if (this.endingForSignal) {
      // A second signal while flushing: stop waiting and die now.
      this.remove();
      process.kill(process.pid, signal);
      return;
    }
    this.endingForSignal = true;
    const appListens = process.listenerCount(signal) > 1;
    this.host
      .endOwnedSessions("Indeterminate", signal)
      .catch((error) => logger.debug(`ending sessions on ${signal} failed`, error))
      .finally(() => {
        this.endingForSignal = false;
        if (appListens) return;
        this.remove();
        process.kill(process.pid, signal);
      });
  }

  private readonly onUncaught = (error: unknown, origin: string): void => {
    if (process.listenerCount("uncaughtException") > 1) return; // the app handles it
    const print = () => {
      try {
        process.stderr.write(`${inspect(error)}\n\nNode.js ${process.version}\n`);
      } catch {
        // nothing left to report to
      }
    };
    if (this.crashing) {
      print();
      process.exit(1);
    }
    this.crashing = true;
    print();
    const reason = origin === "unhandledRejection" ? `Unhandled rejection: ${describe(error)}` : describe(error);
    this.host
      .endOwnedSessions("Failure", reason, error)
      .catch(() => undefined)
      .finally(() => process.exit(1));
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return typeof error === "string" ? error : inspect(error, { depth: 2, breakLength: Infinity });
  } catch {
    return "unknown error";
  }
}
