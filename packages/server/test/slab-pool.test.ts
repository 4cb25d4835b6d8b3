/** The spool's record memory: records cut from blocks, a block reused once all its records are released. */
import { SlabPool, type SlabPiece } from "../src/storage/clickhouse/slab-pool";

/** `count` records of `bytes` each that fit in one piece. */
const take = (pool: SlabPool, count: number, bytes = 250): SlabPiece[] =>
  Array.from({ length: count }, () => {
    const pieces = pool.take(bytes);
    expect(pieces).toHaveLength(1);
    return pieces[0]!;
  });

describe("SlabPool", () => {
  it("cuts records from one block back to back and reuses the block once every record is released", () => {
    const pool = new SlabPool(1024, 4);
    const first = take(pool, 4);
    expect(new Set(first.map((record) => record.slab)).size).toBe(1);
    expect(first.map((record) => record.bytes.byteOffset - first[0]!.bytes.byteOffset)).toEqual([0, 250, 500, 750]);
    first.forEach((record, i) => record.bytes.fill(i));
    expect(first.every((record, i) => record.bytes.every((byte) => byte === i))).toBe(true); // no overlap

    const [second] = take(pool, 1); // too little room left for a first piece: a new block
    expect(second!.slab).not.toBe(first[0]!.slab);
    for (const record of first.slice(0, 3)) pool.release(record.slab);
    expect(take(pool, 3).every((record) => record.slab === second!.slab)).toBe(true);
    pool.release(first[3]!.slab); // the first block is free now
    const [third] = take(pool, 1); // the second block is full: the first one comes back, from its start
    expect(third!.slab).toBe(first[0]!.slab);
    expect(third!.bytes.byteOffset).toBe(first[0]!.bytes.byteOffset);
  });

  it("cuts a record larger than what a block has left into pieces over the next blocks", () => {
    const pool = new SlabPool(8192, 4);
    const [small] = take(pool, 1, 1000);
    small!.bytes.fill(0xaa);
    const pieces = pool.take(20_000);
    // The rest of the first block, a whole block, and what remains in a third.
    expect(pieces.map((piece) => piece.bytes.length)).toEqual([7192, 8192, 4616]);
    expect(pieces[0]!.slab).toBe(small!.slab);
    expect(new Set(pieces.map((piece) => piece.slab)).size).toBe(3);
    pieces.forEach((piece, i) => piece.bytes.fill(i + 1));
    expect(small!.bytes.every((byte) => byte === 0xaa)).toBe(true);
    expect(pieces.every((piece, i) => piece.bytes.every((byte) => byte === i + 1))).toBe(true);

    // A block's short tail is not a record's first piece: the record starts in a fresh block.
    expect(pool.take(8192 - 4616 - 100)).toHaveLength(1);
    const next = pool.take(5000);
    expect(next).toHaveLength(1);
    expect(next[0]!.slab).not.toBe(pieces[2]!.slab);
    expect(next[0]!.bytes.byteOffset).toBe(0);
  });

  it("keeps at most `keep` free blocks", () => {
    const pool = new SlabPool(1024, 1);
    const records = take(pool, 8); // two full blocks
    const [a, b] = [records[0]!.slab, records[4]!.slab];
    take(pool, 1); // a third block: both full ones are retired
    for (const record of records) pool.release(record.slab);
    // Only the first block freed was kept: after the third block come the first and then a new one.
    take(pool, 3);
    const next = take(pool, 5).map((record) => record.slab);
    expect(next[0]).toBe(a);
    expect(next[4]).not.toBe(b);
    expect(next[4]).not.toBe(a);
  });

  it("lends a block's free space for a record written in place, taken only when claimed", () => {
    const pool = new SlabPool(1024, 4);
    const [first] = take(pool, 1, 300);
    const room = pool.room(500);
    expect(room.slab).toBe(first!.slab);
    expect(room.start).toBe(300);
    expect(pool.room(500)).toEqual(room); // nothing taken yet
    room.slab.buffer.fill(7, room.start, room.start + 400);
    pool.claim(room.slab, room.start + 400);
    const [after] = take(pool, 1, 100); // cut after the claimed record
    expect(after!.slab).toBe(first!.slab);
    expect(after!.bytes.byteOffset - first!.bytes.byteOffset).toBe(700);

    // Too little room left: a fresh block, and the old one is reused once its records are released.
    const fresh = pool.room(500);
    expect(fresh.slab).not.toBe(first!.slab);
    expect(fresh.start).toBe(0);
    pool.claim(fresh.slab, 500);
    for (let i = 0; i < 3; i++) pool.release(first!.slab); // the three records of the first block
    expect(pool.room(1000).slab).toBe(first!.slab); // the second block retired, the first back from the pool
  });
});
