/** A block of memory records are cut from, and how many of them are still in use. */
export interface Slab {
  readonly buffer: Buffer;
  used: number;
  refs: number;
}

/** A piece of a record: `bytes` lives in `slab`. */
export interface SlabPiece {
  bytes: Buffer;
  slab: Slab;
}

/** A block's tail shorter than this is left unused rather than cut into a record's first piece. */
const MIN_PIECE_BYTES = 4096;

/**
 * Hands out records cut from large reusable blocks, so that the spool keeps memory it has
 * already touched instead of allocating afresh for every batch: a fresh buffer is paid for in
 * page faults on its first write (about 16 µs per 4 KiB page on a virtual machine, measured
 * here), which was a tenth of the server's CPU at full ingest. A record that does not fit in
 * what is left of the current block goes on in the next one (it comes back in pieces, so a
 * large record never needs memory of its own). A block goes back to the pool when every piece
 * cut from it is released; at most `keep` blocks wait there.
 */
export class SlabPool {
  private current: Slab | undefined;
  private readonly free: Slab[] = [];

  constructor(
    private readonly slabBytes = 4 * 1024 * 1024,
    private readonly keep = 16,
  ) {}

  /** The size of a block. */
  get blockBytes(): number {
    return this.slabBytes;
  }

  /**
   * `length` bytes to fill, as pieces in order (the first at least 4 KiB, or the whole record
   * when shorter); {@link release} each piece's slab once nothing reads it any more.
   */
  take(length: number): SlabPiece[] {
    const pieces: SlabPiece[] = [];
    let rest = length;
    do {
      let slab = this.current;
      const room = slab === undefined ? 0 : slab.buffer.length - slab.used;
      if (slab === undefined || room === 0 || (pieces.length === 0 && room < Math.min(rest, MIN_PIECE_BYTES))) {
        if (slab !== undefined) this.retire(slab);
        slab = this.fresh();
      }
      const size = Math.min(rest, slab.buffer.length - slab.used);
      pieces.push({ bytes: slab.buffer.subarray(slab.used, slab.used + size), slab });
      slab.used += size;
      slab.refs += 1;
      rest -= size;
    } while (rest > 0);
    return pieces;
  }

  /**
   * The current block, when at least `bytes` of it are free, else a fresh one (the current is
   * retired), and where its free space starts: for a record written in place, then taken with
   * {@link claim}. Nothing is taken until then.
   */
  room(bytes: number): { slab: Slab; start: number } {
    let slab = this.current;
    if (slab === undefined || slab.buffer.length - slab.used < bytes) {
      if (slab !== undefined) this.retire(slab);
      slab = this.fresh();
    }
    return { slab, start: slab.used };
  }

  /** Takes what was written in place in `slab`, up to `end`, as one record of it. */
  claim(slab: Slab, end: number): void {
    slab.used = end;
    slab.refs += 1;
  }

  release(slab: Slab): void {
    if (--slab.refs === 0 && this.free.length < this.keep) this.free.push(slab);
  }

  /** A block from the pool (or newly allocated), made the one records are cut from. */
  private fresh(): Slab {
    const slab = this.free.pop() ?? { buffer: Buffer.allocUnsafeSlow(this.slabBytes), used: 0, refs: 0 };
    // One reference for being the block records are cut from; dropped when it is retired.
    slab.used = 0;
    slab.refs = 1;
    this.current = slab;
    return slab;
  }

  private retire(slab: Slab): void {
    this.current = undefined;
    this.release(slab);
  }
}
