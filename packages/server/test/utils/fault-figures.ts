import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** test-artifacts/ at the repository root, read by scripts/faults-report.mjs (`pnpm test:faults`). */
export const ARTIFACTS_DIR = path.join(__dirname, "..", "..", "..", "..", "test-artifacts");

/** Appends one line of figures for a reliability suite to test-artifacts/faults.jsonl. */
export function appendFaultFigures(suite: string, figures: Record<string, unknown>): void {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  appendFileSync(
    path.join(ARTIFACTS_DIR, "faults.jsonl"),
    JSON.stringify({ suite, ...figures }) + "\n",
  );
}

/** Resident memory of another process in bytes (Linux `/proc`), or `undefined` where unreadable. */
export function processRss(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a memory reading every `intervalMs` and keeps the first and largest values. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  baseline = 0;
  max = 0;
  samples = 0;

  constructor(
    private readonly read: () => number | undefined,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.baseline = this.read() ?? 0;
    this.max = this.baseline;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Takes a reading now (also called by the timer). */
  sample(): void {
    const value = this.read();
    if (value === undefined) return;
    this.samples++;
    if (value > this.max) this.max = value;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  /** Largest growth over the baseline, in MiB. */
  get growthMb(): number {
    return Math.round((this.max - this.baseline) / 1024 / 1024);
  }
}
