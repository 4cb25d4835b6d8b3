import { randomUUID } from "node:crypto";
import type { NormalizedSpan, SessionStats, Storage } from "../storage/types";
import { AlertDeliverer, type AlertLog } from "./deliverer";
import { alertProjects, firedSetting, readAlertRules } from "./project-alerts";
import { matchCondition, type AlertRule } from "./rules";
import type { WebhookPolicy } from "./webhook";

/** Options of the alerts (`createServer({ alerts })`); every field optional. */
export interface AlertOptions {
  /** How often running sessions are looked at (duration, timeouts), in ms. Default 30,000. */
  sweepIntervalMs?: number;
  /** Webhook attempts in all. Default 4. */
  maxAttempts?: number;
  /** Wait before the first retry, in ms, doubled each time. Default 1,000. */
  retryBaseMs?: number;
  /** Longest wait between attempts, in ms. Default 30,000. */
  maxRetryDelayMs?: number;
  /** Time one attempt may take, in ms. Default 10,000. */
  webhookTimeoutMs?: number;
}

/** How long a project's rules are kept in memory before they are read again, in ms. */
export const ALERT_RULES_CACHE_MS = 5_000;
/** Sessions waiting for evaluation at most; more are left to the sweep. */
const MAX_PENDING = 10_000;
/** Evaluations running at once. */
const CONCURRENCY = 2;
/** Running sessions a sweep reads per project (pages of 200). */
const SWEEP_PAGES = 5;
const SWEEP_PAGE_SIZE = 200;
/** Sessions remembered as running, to notice when they time out; and fired markers remembered. */
const MAX_WATCHED = 10_000;
const MAX_FIRED_REMEMBERED = 50_000;

type SessionKey = string;
const keyOf = (projectId: string, sessionId: string): SessionKey => `${projectId} ${sessionId}`;

/**
 * Evaluates each project's alert rules against its sessions: after every committed ingest batch
 * for the sessions it touched, and every `sweepIntervalMs` for running sessions (a duration that
 * passes its limit, a session that times out as Indeterminate without new spans). A rule fires
 * once per (rule, session) across replicas: the firing replica is the one whose
 * `setSettingIfAbsent` wrote the marker. Work runs after the ingest answered; every failure is
 * logged and never reaches ingest.
 */
export class AlertEvaluator {
  private readonly rulesCache = new Map<string, { rules: AlertRule[]; until: number }>();
  private readonly pending = new Map<SessionKey, { projectId: string; sessionId: string }>();
  private readonly watched = new Map<SessionKey, { projectId: string; sessionId: string }>();
  private readonly fired = new Set<string>();
  private readonly deliverer: AlertDeliverer;
  private readonly sweepIntervalMs: number;
  private running = 0;
  private readonly idle = new Set<() => void>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private closed = false;
  private overflowLogged = false;

  constructor(
    private readonly storage: Storage,
    private readonly log: AlertLog,
    private readonly now: () => number = Date.now,
    options: AlertOptions = {},
  ) {
    const policy: WebhookPolicy = {
      maxAttempts: options.maxAttempts ?? 4,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
      timeoutMs: options.webhookTimeoutMs ?? 10_000,
    };
    this.sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
    this.deliverer = new AlertDeliverer(storage, policy, log);
  }

  /** Starts the periodic sweep (its timer never keeps the process alive). */
  start(): void {
    if (this.sweepTimer || this.closed) return;
    this.sweepTimer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, this.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /** Stops the sweep and the deliveries; resolves once the work under way is recorded. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.pending.clear();
    await this.sweeping;
    if (this.running > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
    await this.deliverer.close();
  }

  /** Forgets a project's cached rules (after a change through this server). */
  invalidate(projectId: string): void {
    this.rulesCache.delete(projectId);
  }

  /**
   * Called when spans are committed: queues their sessions for evaluation. Synchronous and cheap,
   * so ingest never waits on it; a project known to have no rules costs one map lookup.
   */
  committed(projectId: string, spans: readonly NormalizedSpan[]): void {
    if (this.closed) return;
    const cached = this.rulesCache.get(projectId);
    if (cached && cached.until > this.now() && cached.rules.length === 0) return;
    for (const span of spans) {
      const key = keyOf(projectId, span.sessionId);
      if (this.pending.has(key)) continue;
      if (this.pending.size >= MAX_PENDING) {
        if (!this.overflowLogged) this.log.warn({ project_id: projectId }, "alert evaluation backlog full; the sweep will look at running sessions");
        this.overflowLogged = true;
        break;
      }
      this.pending.set(key, { projectId, sessionId: span.sessionId });
    }
    this.pump();
  }

  /** One sweep over every project with rules; exposed for tests. */
  async sweep(): Promise<void> {
    try {
      for (const projectId of await alertProjects(this.storage)) {
        if (this.closed) return;
        try {
          await this.sweepProject(projectId);
        } catch (error) {
          this.log.error({ err: error, project_id: projectId }, "alert sweep failed");
        }
      }
    } catch (error) {
      this.log.error({ err: error }, "alert sweep failed");
    }
  }

  private async sweepProject(projectId: string): Promise<void> {
    const rules = await this.rulesOf(projectId);
    if (rules.length === 0) return;
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < SWEEP_PAGES && !this.closed; page++) {
      const listed = await this.storage.listSessions(projectId, { limit: SWEEP_PAGE_SIZE, endState: "running", ...(cursor ? { cursor } : {}) }, this.now());
      for (const stats of listed.sessions) {
        seen.add(stats.session_id);
        await this.check(projectId, rules, stats);
      }
      if (!listed.next_cursor) break;
      cursor = listed.next_cursor;
    }
    // Sessions seen running before and not now: ended (or timed out) without a span here.
    for (const [key, watched] of [...this.watched]) {
      if (this.closed) return;
      if (watched.projectId !== projectId || seen.has(watched.sessionId)) continue;
      this.watched.delete(key);
      await this.evaluate(projectId, watched.sessionId);
    }
  }

  private pump(): void {
    while (this.running < CONCURRENCY && this.pending.size > 0 && !this.closed) {
      const [key, next] = this.pending.entries().next().value!;
      this.pending.delete(key);
      this.running++;
      void this.evaluate(next.projectId, next.sessionId).finally(() => {
        this.running--;
        if (this.pending.size === 0) this.overflowLogged = false;
        if (this.running === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
        this.pump();
      });
    }
  }

  /** Reads the session's stats and checks them against the project's rules. Never throws. */
  private async evaluate(projectId: string, sessionId: string): Promise<void> {
    try {
      const rules = await this.rulesOf(projectId);
      if (rules.length === 0) return;
      const stats = await this.storage.sessionStats(projectId, sessionId, this.now());
      if (stats) await this.check(projectId, rules, stats);
    } catch (error) {
      this.log.error({ err: error, project_id: projectId, session_id: sessionId }, "alert evaluation failed");
    }
  }

  private async check(projectId: string, rules: readonly AlertRule[], stats: SessionStats): Promise<void> {
    const key = keyOf(projectId, stats.session_id);
    if (stats.end_state === null) {
      this.watched.delete(key);
      this.watched.set(key, { projectId, sessionId: stats.session_id });
      if (this.watched.size > MAX_WATCHED) this.watched.delete(this.watched.keys().next().value!);
    } else {
      this.watched.delete(key);
    }
    const now = this.now();
    for (const rule of rules) {
      try {
        const observed = matchCondition(rule.condition, stats, now);
        if (observed !== undefined) await this.fire(projectId, rule, stats, observed, now);
      } catch (error) {
        this.log.error({ err: error, project_id: projectId, rule_id: rule.id, session_id: stats.session_id }, "alert rule failed");
      }
    }
  }

  private async fire(projectId: string, rule: AlertRule, stats: SessionStats, observed: number | string, now: number): Promise<void> {
    const marker = firedSetting(rule.id, stats.session_id);
    if (this.fired.has(marker) || this.closed) return;
    const deliveryId = randomUUID();
    const mine = JSON.stringify({ delivery_id: deliveryId, fired_at: new Date(now).toISOString() });
    const stored = await this.storage.setSettingIfAbsent(marker, mine);
    this.fired.add(marker);
    if (this.fired.size > MAX_FIRED_REMEMBERED) this.fired.delete(this.fired.values().next().value!);
    // Another replica (or an earlier run) fired it already.
    if (stored !== mine) return;
    this.log.info({ project_id: projectId, rule_id: rule.id, session_id: stats.session_id, delivery_id: deliveryId, when: rule.when }, "alert fired");
    this.deliverer.enqueue({ deliveryId, projectId, rule, stats, observed, firedAtMs: now });
  }

  private async rulesOf(projectId: string): Promise<AlertRule[]> {
    const cached = this.rulesCache.get(projectId);
    const now = this.now();
    if (cached !== undefined && cached.until > now) return cached.rules;
    const rules = await readAlertRules(this.storage, projectId);
    this.rulesCache.set(projectId, { rules, until: now + ALERT_RULES_CACHE_MS });
    return rules;
  }
}

/**
 * The store's `ingest` that tells the alerts which sessions a committed batch touched. The
 * evaluation starts after the batch is durable and the caller has its answer.
 */
export class AlertingIngest implements Pick<Storage, "ingest"> {
  constructor(
    private readonly inner: Pick<Storage, "ingest">,
    private readonly alerts: AlertEvaluator,
  ) {}

  async ingest(projectId: string, spans: NormalizedSpan[]): ReturnType<Storage["ingest"]> {
    const result = await this.inner.ingest(projectId, spans);
    setImmediate(() => {
      try {
        this.alerts.committed(projectId, spans);
      } catch {
        // Never reaches ingest; committed() itself does not throw.
      }
    });
    return result;
  }
}
