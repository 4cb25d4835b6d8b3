/** A block of memory records are cut from, and how many of them are still in use. */
export interface Slab {
  readonly buffer: Buffer;
  used: number;
  refs: number;
}

/** Memory of a record: `bytes` lives in `slab` (undefined when the record got a buffer of its own). */
export interface SlabRecord {
  bytes: Buffer;
  slab: Slab | undefined;
}

/**
 * Hands out records cut from large reusable blocks, so that the spool keeps memory it has
 * already touched instead of allocating afresh for every batch: a fresh buffer is paid for in
 * page faults on its first write (about 16 µs per 4 KiB page on a virtual machine, measured
 * here), which was a tenth of the server's CPU at full ingest. A block goes back to the pool
 * when every record cut from it is released; at most `keep` blocks wait there.
 */
export class SlabPool {
  private current: Slab | undefined;
  private readonly free: Slab[] = [];

  constructor(
    private readonly slabBytes = 4 * 1024 * 1024,
    private readonly keep = 16,
  ) {}

  /** `length` bytes to fill; {@link release} them once nothing reads them any more. */
  take(length: number): SlabRecord {
    // A record larger than a quarter block would waste most of one: it gets its own memory.
    if (length > this.slabBytes / 4) return { bytes: Buffer.allocUnsafeSlow(length), slab: undefined };
    let slab = this.current;
    if (slab === undefined || slab.used + length > slab.buffer.length) {
      if (slab !== undefined) this.retire(slab);
      slab = this.free.pop() ?? { buffer: Buffer.allocUnsafeSlow(this.slabBytes), used: 0, refs: 0 };
      // One reference for being the block records are cut from; dropped when it is retired.
      slab.used = 0;
      slab.refs = 1;
      this.current = slab;
    }
    const bytes = slab.buffer.subarray(slab.used, slab.used + length);
    slab.used += length;
    slab.refs += 1;
    return { bytes, slab };
  }

  release(slab: Slab | undefined): void {
    if (slab !== undefined && --slab.refs === 0 && this.free.length < this.keep) this.free.push(slab);
  }

  private retire(slab: Slab): void {
    this.current = undefined;
    this.release(slab);
  }
}
