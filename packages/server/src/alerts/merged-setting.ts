import type { Storage } from "../storage/types";

type SettingStore = Pick<Storage, "getSetting" | "putSetting">;

/** How a list kept in one setting takes a change, and how to tell the change is in it. */
export interface ListMerge<T> {
  /** The list with the change applied (called again on a fresh read when another writer got in between). */
  apply(current: T[]): T[];
  /** Whether the stored list holds the change. */
  holds(stored: T[]): boolean;
}

/** Rounds of write-and-check before giving up on a change. */
const MAX_ROUNDS = 4;
/** Pause before reading back a write, in ms: longer than another writer's read-to-write. */
const CHECK_DELAY_MS = [20, 60] as const;
/** The longest pause, however slow the store's writes are. */
const MAX_CHECK_DELAY_MS = 5_000;

/**
 * The pause before reading a write back: 20–60 ms (random, so racing writers interleave), or,
 * when the store is slow (a loaded ClickHouse takes hundreds of ms per insert), three times as
 * long as our own write took, since another writer's read-to-write is a read and a write at
 * that speed.
 */
function checkDelayMs(ownWriteMs: number): number {
  const [low, high] = CHECK_DELAY_MS;
  return Math.min(MAX_CHECK_DELAY_MS, Math.max(low + Math.random() * (high - low), 3 * ownWriteMs));
}

interface Change {
  merge: ListMerge<unknown>;
  rounds: number;
  resolve: (stored: boolean) => void;
}

interface Writer {
  queued: Change[];
  running: boolean;
}

/** Per store and setting: the changes waiting for the next write, and whether a writer runs. */
const writersByStore = new WeakMap<SettingStore, Map<string, Writer>>();

/** A list setting as stored; anything unreadable counts as empty, never as a crash. */
export async function readListSetting<T>(storage: Pick<Storage, "getSetting">, name: string): Promise<T[]> {
  const raw = await storage.getSetting(name);
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? (parsed as T[]) : [];
  } catch {
    return [];
  }
}

/**
 * Applies a change to a JSON list kept in one setting, for stores that only offer get and put.
 * Within a process one writer per setting applies every change queued since its last write in
 * one read-modify-write. Across processes (replicas on one database) each write is read back
 * after a short pause and the changes it no longer holds (another replica's write replaced it)
 * are applied again to the fresh list; so a change is lost only when another replica takes longer
 * than that pause (at least three times our own write's time) between its read and its write. Resolves with whether the change was seen
 * stored (false as well when the store failed); never rejects.
 */
export function updateListSetting<T>(storage: SettingStore, name: string, merge: ListMerge<T>): Promise<boolean> {
  return new Promise((resolve) => {
    let writers = writersByStore.get(storage);
    if (!writers) {
      writers = new Map();
      writersByStore.set(storage, writers);
    }
    let writer = writers.get(name);
    if (!writer) {
      writer = { queued: [], running: false };
      writers.set(name, writer);
    }
    writer.queued.push({ merge: merge as ListMerge<unknown>, rounds: 0, resolve });
    if (!writer.running) {
      writer.running = true;
      void runWriter(storage, name, writer, writers);
    }
  });
}

async function runWriter(storage: SettingStore, name: string, writer: Writer, writers: Map<string, Writer>): Promise<void> {
  while (writer.queued.length > 0) {
    const changes = writer.queued.splice(0);
    let left = changes;
    try {
      const current = await readListSetting<unknown>(storage, name);
      // A retried change another write already carries needs no new write.
      left = settle(left, current, (change) => change.rounds > 0);
      if (left.length > 0) {
        let next = current;
        for (const change of left) next = change.merge.apply(next);
        const writeStarted = Date.now();
        await storage.putSetting(name, JSON.stringify(next));
        await new Promise((resolve) => setTimeout(resolve, checkDelayMs(Date.now() - writeStarted)));
        left = settle(left, await readListSetting<unknown>(storage, name), () => true);
      }
    } catch {
      // The store failed: the changes count as not stored (the caller logs it).
      for (const change of left) change.resolve(false);
      left = [];
    }
    for (const change of left) {
      change.rounds++;
      if (change.rounds >= MAX_ROUNDS) change.resolve(false);
      else writer.queued.push(change);
    }
  }
  writer.running = false;
  if (writers.get(name) === writer) writers.delete(name);
}

/** Resolves the changes the stored list holds; returns the others. */
function settle(changes: Change[], stored: unknown[], eligible: (change: Change) => boolean): Change[] {
  const left: Change[] = [];
  for (const change of changes) {
    if (eligible(change) && change.merge.holds(stored)) change.resolve(true);
    else left.push(change);
  }
  return left;
}
