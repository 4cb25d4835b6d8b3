import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { open, unlink, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { SpoolHealth } from "../types";
import { RowBinaryWriter } from "./row-binary";
import { SlabPool, type Slab } from "./slab-pool";

/** Options of {@link InsertSpool}. */
export interface InsertSpoolOptions {
  /** Spans gathered before they go to ClickHouse as one insert. Default 65,536. */
  maxSpans?: number;
  /**
   * Spans that start an insert at once when fewer than `concurrency` of this spool's inserts
   * are under way (no need then to wait for more). Default `maxSpans`: under load, inserts of
   * 65,536 spans cost ClickHouse 18.16 6–7 µs of CPU per span, of 32,768 7–9 and of 16,384
   * 8–10 (measured here), so waiting for a full insert is worth more than starting one early; a
   * lower value makes spans readable on other servers sooner.
   */
  minSpans?: number;
  /**
   * Milliseconds the first span of an insert waits for others at most. Default 1,000: at the
   * rates where the spool matters an insert then gathers tens of thousands of spans (at 200 ms
   * about 10,000, which cost ClickHouse twice the CPU per span).
   */
  maxDelayMs?: number;
  /** Spans written to the spool and not yet inserted above which appends are refused. Default 1,048,576. */
  maxPendingSpans?: number;
  /** Inserts under way at once (each of a different file). Default 2. */
  concurrency?: number;
  /**
   * Called with each failed insert attempt and how many have failed in a row (1 for the first of
   * a run; 0 for a failure around an insert, such as deleting its file): the insert is retried
   * until it succeeds or the spool closes.
   */
  onError?: (error: unknown, failedAttempts: number) => void;
  /** Called when an insert succeeds after failed attempts, with how many failed and for how long. */
  onRecovered?: (failedAttempts: number, failedForMs: number) => void;
  /** The clock (ms since the epoch). Default `Date.now`. */
  now?: () => number;
}

interface Segment {
  file: string;
  /** When its first record was written (ms since the epoch): the age of its oldest span. */
  createdMs: number;
  handle: FileHandle | undefined;
  bodies: Buffer[];
  /** Where the bodies' memory comes from (a slab per piece), released once they are inserted. */
  slabs: Slab[];
  spans: number;
  /** Writes + fdatasyncs in progress on the file, and who waits for them to end. */
  writes: number;
  onIdle: (() => void)[];
  /** Its insert has started (and is under way until the segment leaves `full`). */
  inserting: boolean;
  /** Its insert failed while the spool was closing: the file stays for the next process. */
  abandoned: boolean;
}

/** Folders this process holds, so that it never opens one twice. */
const heldFolders = new Set<string>();

const SUFFIX = ".spool";
const LOCK = "lock";
const RETRY_MS = [100, 250, 500, 1000, 2000, 5000];

/** The spool holds too much that ClickHouse has not taken yet; the batch is refused, to be retried. */
export class SpoolFullError extends Error {
  override readonly name = "SpoolFullError";
}

/**
 * A write-ahead spool in front of ClickHouse inserts. ClickHouse spends a fixed cost on each insert
 * (a part of every column written, then merged), about 60 ms of CPU on 18.16 whatever its size,
 * so inserts of 512 spans, as exporters send them, cost it 120 µs of CPU per span and inserts of
 * 32,768 spans 9 µs (measured here). The spool lets a server acknowledge a batch once it is
 * on disk (written and fdatasync'ed, together with whatever batches arrived meanwhile) and
 * insert many batches at once: when `maxSpans` have gathered, when `minSpans` have and an
 * insert can start at once, or `maxDelayMs` after the first.
 *
 * Each insert's batches are one file (`<time>-<n>.spool`: records of a 4-byte length and a
 * RowBinary body), deleted once ClickHouse has taken it; files left by a process that died are
 * inserted when the next one opens the folder. A batch inserted twice (a crash after the insert,
 * before the delete) is a redelivery, which the spans table collapses. One process owns a folder
 * at a time (a lock file holding its pid).
 *
 * Reads on the same server call {@link drain} first, so a server always reads its own writes;
 * other servers see them within `maxDelayMs` plus an insert.
 */
export class InsertSpool {
  private readonly maxSpans: number;
  private readonly minSpans: number;
  private readonly maxDelayMs: number;
  private readonly maxPendingSpans: number;
  private current: Segment | undefined;
  private timer: NodeJS.Timeout | undefined;
  /**
   * Records waiting for the next write + fdatasync (their pieces, the first starting with the
   * length; the body's pieces; the pieces' slabs), and who waits for it.
   */
  private queued: { record: Buffer[]; body: Buffer[]; slabs: Slab[]; spans: number; done: (error?: unknown) => void }[] = [];
  /**
   * The records' memory, reused from one insert to the next: the blocks kept are enough for the
   * segment being filled and the two being inserted (up to 65,536 spans of about 400 bytes,
   * some 25 MiB, each).
   */
  private readonly memory = new SlabPool(4 * 1024 * 1024, 24);
  /** Writes bodies in place into {@link memory} (see {@link appendEncoded}). */
  private readonly writer = new RowBinaryWriter(1024);
  /** Writes bodies larger than a block of {@link memory}; its memory grows once and is kept. */
  private readonly largeWriter = new RowBinaryWriter(1024 * 1024);
  private writing = false;
  /** Closed segments waiting for their insert, oldest first. */
  private readonly full: Segment[] = [];
  private readonly concurrency: number;
  /** Who waits for the next insert to end. */
  private readonly insertEnded: (() => void)[] = [];
  private pendingSpans = 0;
  private sequence = 0;
  private closing = false;
  private closed = false;
  private readonly now: () => number;
  private failingSinceMs: number | null = null;
  private failedAttempts = 0;

  private constructor(
    private readonly dir: string,
    private readonly insert: (bodies: readonly Buffer[]) => Promise<void>,
    private readonly options: InsertSpoolOptions,
  ) {
    this.maxSpans = options.maxSpans ?? 65_536;
    this.minSpans = Math.min(options.minSpans ?? this.maxSpans, this.maxSpans);
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.maxDelayMs = options.maxDelayMs ?? 1000;
    this.maxPendingSpans = options.maxPendingSpans ?? 1_048_576;
    this.now = options.now ?? Date.now;
  }

  /**
   * Takes the folder (created if missing; refused while another live process holds it) and
   * inserts what a previous process left in it before returning.
   */
  static async open(dir: string, insert: (bodies: readonly Buffer[]) => Promise<void>, options: InsertSpoolOptions = {}): Promise<InsertSpool> {
    mkdirSync(dir, { recursive: true });
    lockFolder(dir);
    const spool = new InsertSpool(dir, insert, options);
    for (const name of readdirSync(dir).filter((file) => file.endsWith(SUFFIX)).sort()) {
      const file = path.join(dir, name);
      const bodies = readRecords(readFileSync(file));
      const segment = newSegment(file, undefined, bodies, createdMsOf(name) ?? spool.now());
      spool.full.push(segment);
    }
    // In the background: a ClickHouse that is down must not keep the server from starting.
    spool.flush();
    return spool;
  }

  /**
   * Resolves once the body is on disk; rejects with {@link SpoolFullError} when too much waits.
   * The body is copied before this returns: the caller may reuse its memory at once.
   */
  append(body: Buffer, spans: number): Promise<void> {
    const refused = this.refusal(spans);
    if (refused !== undefined) return refused;
    return this.copied(body, spans);
  }

  /**
   * As {@link append}, for a body `encode` writes straight into the spool's memory (no copy
   * afterwards); `expectedBytes`, its likely size, picks memory with room for it. A body that
   * outgrows that room is copied as `append` copies. A throw from `encode` rejects, with
   * nothing appended.
   */
  appendEncoded(encode: (writer: RowBinaryWriter) => void, spans: number, expectedBytes: number): Promise<void> {
    const refused = this.refusal(spans);
    if (refused !== undefined) return refused;
    // A body expected to be larger than a block is encoded in memory of a writer's own, kept
    // from one batch to the next, then copied in pieces; any other in place in a block.
    const room = 4 + expectedBytes > this.memory.blockBytes ? undefined : this.memory.room(4 + expectedBytes);
    const writer = room === undefined ? this.largeWriter : this.writer;
    if (room === undefined) writer.reset();
    else writer.writeAt(room.slab.buffer, room.start + 4);
    try {
      encode(writer);
    } catch (error) {
      return Promise.reject(error);
    }
    const body = writer.bytes();
    if (room === undefined || !writer.fitted) return this.copied(body, spans);
    const { slab, start } = room;
    slab.buffer.writeUInt32LE(body.length, start);
    this.memory.claim(slab, start + 4 + body.length);
    return this.queue([slab.buffer.subarray(start, start + 4 + body.length)], [body], [slab], spans);
  }

  /** A rejection when the spool takes no more (closed, or `spans` more would pass its limit). */
  private refusal(spans: number): Promise<void> | undefined {
    if (this.closed) return Promise.reject(new Error("the spool is closed"));
    if (this.pendingSpans + spans > this.maxPendingSpans) {
      return Promise.reject(new SpoolFullError(`${this.pendingSpans} spans wait for ClickHouse; retry later`));
    }
    return undefined;
  }

  /** Appends a copy of `body`, cut from the spool's memory. */
  private copied(body: Buffer, spans: number): Promise<void> {
    const pieces = this.memory.take(4 + body.length);
    const record = pieces.map((piece) => piece.bytes);
    record[0]!.writeUInt32LE(body.length, 0);
    const bodyPieces = [record[0]!.subarray(4), ...record.slice(1)];
    let copied = 0;
    for (const piece of bodyPieces) copied += body.copy(piece, 0, copied);
    return this.queue(record, bodyPieces, pieces.map((piece) => piece.slab), spans);
  }

  /** Queues a record (its length and body) for the next write + fdatasync; resolves after it. */
  private queue(record: Buffer[], body: Buffer[], slabs: Slab[], spans: number): Promise<void> {
    this.pendingSpans += spans;
    return new Promise((resolve, reject) => {
      this.queued.push({ record, body, slabs, spans, done: (error) => (error === undefined ? resolve() : reject(error)) });
      void this.write();
    });
  }

  /** What the spool holds and whether its inserts succeed (cheap: no I/O). */
  health(): SpoolHealth {
    let oldest = this.current?.createdMs ?? Number.POSITIVE_INFINITY;
    for (const segment of this.full) oldest = Math.min(oldest, segment.createdMs);
    return {
      pendingSpans: this.pendingSpans,
      files: this.full.length + (this.current === undefined ? 0 : 1),
      oldestPendingMs: oldest === Number.POSITIVE_INFINITY ? 0 : Math.max(0, this.now() - oldest),
      failingSinceMs: this.failingSinceMs,
      failedAttempts: this.failedAttempts,
    };
  }

  /** Sends everything appended so far to ClickHouse and resolves once it is inserted. */
  async drain(): Promise<void> {
    while (this.writing || this.queued.length > 0) await this.idleWriter();
    this.rotate();
    while (this.full.some((segment) => !segment.abandoned)) {
      this.flush();
      await new Promise<void>((resolve) => this.insertEnded.push(resolve));
    }
  }

  /**
   * Inserts what it holds (one attempt each: what ClickHouse refuses stays on disk for the next
   * process), then releases the folder.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    await this.drain();
    this.closed = true;
    clearTimeout(this.timer);
    heldFolders.delete(path.resolve(this.dir));
    try {
      unlinkSync(path.join(this.dir, LOCK));
    } catch {
      // already gone: nothing to release
    }
  }

  /** One write + fdatasync at a time, for every record queued meanwhile (a group commit). */
  private async write(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queued.length > 0) {
        const group = this.queued.splice(0);
        let segment: Segment | undefined;
        try {
          segment = await this.segment();
          segment.writes += 1;
          await segment.handle!.writev(group.flatMap((item) => item.record));
          await segment.handle!.datasync();
          for (const item of group) {
            segment.bodies.push(...item.body);
            segment.slabs.push(...item.slabs);
            segment.spans += item.spans;
          }
          for (const item of group) item.done();
          if (segment === this.current && this.ready(segment)) this.rotate();
        } catch (error) {
          for (const item of group) {
            this.pendingSpans -= item.spans;
            for (const slab of item.slabs) this.memory.release(slab);
            item.done(error);
          }
          // The failed write may have left part of a record in the file; a record written after
          // it would be read, after a crash, from the wrong offset. The next group starts a new file.
          if (segment !== undefined && segment === this.current) this.rotate();
        } finally {
          if (segment !== undefined && --segment.writes === 0) for (const wake of segment.onIdle.splice(0)) wake();
        }
      }
    } finally {
      this.writing = false;
      for (const wake of this.writerIdle.splice(0)) wake();
    }
  }

  private readonly writerIdle: (() => void)[] = [];

  private idleWriter(): Promise<void> {
    return new Promise((resolve) => {
      this.writerIdle.push(resolve);
      if (!this.writing) void this.write();
    });
  }

  private async segment(): Promise<Segment> {
    if (this.current !== undefined) return this.current;
    const createdMs = this.now();
    const name = `${String(createdMs).padStart(15, "0")}-${String(this.sequence++).padStart(9, "0")}${SUFFIX}`;
    const file = path.join(this.dir, name);
    const segment = newSegment(file, await open(file, "wx"), [], createdMs);
    this.current = segment;
    this.timer = setTimeout(() => this.rotate(), this.maxDelayMs);
    this.timer.unref();
    return segment;
  }

  /**
   * Whether a segment should go to ClickHouse now: it is full, or large enough and its insert
   * would start at once (fewer than `concurrency` under way or waiting). So inserts follow one
   * another without a pause while batches keep coming, each as large as what arrived during the
   * last ones (up to `maxSpans`), and a slow ClickHouse gets fewer, larger inserts. Otherwise
   * the segment waits, at most `maxDelayMs`.
   */
  private ready(segment: Segment): boolean {
    return segment.spans >= this.maxSpans || (segment.spans >= this.minSpans && this.full.length < this.concurrency);
  }

  /** Closes the current segment (if it holds anything) and queues it for its insert. */
  private rotate(): void {
    const segment = this.current;
    if (segment === undefined) return;
    clearTimeout(this.timer);
    this.current = undefined;
    this.full.push(segment);
    this.flush();
  }

  /** Starts the inserts of closed segments, oldest first, up to `concurrency` at once. */
  private flush(): void {
    let inserting = this.full.filter((segment) => segment.inserting).length;
    for (const segment of this.full) {
      if (inserting >= this.concurrency) return;
      if (segment.inserting || segment.abandoned) continue;
      segment.inserting = true;
      inserting += 1;
      void this.insertSegment(segment)
        .catch((error: unknown) => this.options.onError?.(error, 0))
        .finally(() => {
          segment.inserting = false;
          for (const wake of this.insertEnded.splice(0)) wake();
          if (this.closing) return; // drain starts what remains
          // The next closed segment, or what gathered meanwhile if it is enough.
          this.flush();
          if (this.current !== undefined && this.ready(this.current)) this.rotate();
        });
    }
  }

  /** Inserts one segment, retrying until it succeeds (once only while closing), then deletes its file. */
  private async insertSegment(segment: Segment): Promise<void> {
    // A group still being written into the segment belongs to it: wait for its fdatasync.
    if (segment.writes > 0) await new Promise<void>((resolve) => segment.onIdle.push(resolve));
    await segment.handle?.close();
    segment.handle = undefined;
    let recovered: { attempts: number; failedForMs: number } | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        if (segment.bodies.length > 0) await this.insert(segment.bodies);
        if (this.failingSinceMs !== null) {
          recovered = { attempts: this.failedAttempts, failedForMs: this.now() - this.failingSinceMs };
          this.failingSinceMs = null;
          this.failedAttempts = 0;
        }
        break;
      } catch (error) {
        this.failingSinceMs ??= this.now();
        this.failedAttempts += 1;
        this.options.onError?.(error, this.failedAttempts);
        if (this.closing) {
          segment.abandoned = true; // the file stays, for the next process to insert
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
      }
    }
    // Freeing a file of tens of megabytes takes a while: not on the event loop.
    await unlink(segment.file);
    this.full.splice(this.full.indexOf(segment), 1);
    for (const slab of segment.slabs) this.memory.release(slab);
    this.pendingSpans = Math.max(0, this.pendingSpans - segment.spans);
    // Told once the segment is gone, so what the spool reports then no longer counts it.
    if (recovered !== undefined) this.options.onRecovered?.(recovered.attempts, recovered.failedForMs);
  }
}

function newSegment(file: string, handle: FileHandle | undefined, bodies: Buffer[], createdMs: number): Segment {
  return { file, createdMs, handle, bodies, slabs: [], spans: 0, writes: 0, onIdle: [], inserting: false, abandoned: false };
}

/** The creation time a spool file's name starts with, or undefined for a name not made here. */
function createdMsOf(name: string): number | undefined {
  const match = /^(\d{15})-/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** The bodies of a spool file; a record cut off by a crash (never acknowledged) is left out. */
function readRecords(file: Buffer): Buffer[] {
  const bodies: Buffer[] = [];
  let offset = 0;
  while (offset + 4 <= file.length) {
    const length = file.readUInt32LE(offset);
    if (offset + 4 + length > file.length) break;
    bodies.push(file.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return bodies;
}

/** Takes the folder's lock file, or throws when a live process holds it. */
function lockFolder(dir: string): void {
  const absolute = path.resolve(dir);
  if (heldFolders.has(absolute)) throw new Error(`the spool folder ${dir} is already open in this process`);
  const lock = path.join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldFolders.add(absolute);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number(readFileSync(lock, "utf8"));
      // Our own pid in it is a file left by an earlier process that had it (pids are reused).
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(`the spool folder ${dir} is in use by process ${holder}`);
      }
      unlinkSync(lock); // left by a process that is gone
    }
  }
  throw new Error(`could not lock the spool folder ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
