/** The spool's record memory: records cut from blocks, a block reused once all its records are released. */
import { SlabPool, type SlabRecord } from "../src/storage/clickhouse/slab-pool";

/** `count` records of 250 bytes (four to a 1,024-byte block). */
const take = (pool: SlabPool, count: number): SlabRecord[] => Array.from({ length: count }, () => pool.take(250));

describe("SlabPool", () => {
  it("cuts records from one block back to back and reuses the block once every record is released", () => {
    const pool = new SlabPool(1024, 4);
    const first = take(pool, 4);
    expect(new Set(first.map((record) => record.slab)).size).toBe(1);
    expect(first.map((record) => record.bytes.byteOffset - first[0]!.bytes.byteOffset)).toEqual([0, 250, 500, 750]);
    first.forEach((record, i) => record.bytes.fill(i));
    expect(first.every((record, i) => record.bytes.every((byte) => byte === i))).toBe(true); // no overlap

    const [second] = take(pool, 1); // no room left: a new block
    expect(second!.slab).not.toBe(first[0]!.slab);
    for (const record of first.slice(0, 3)) pool.release(record.slab);
    expect(take(pool, 3).every((record) => record.slab === second!.slab)).toBe(true);
    pool.release(first[3]!.slab); // the first block is free now
    const [third] = take(pool, 1); // the second block is full: the first one comes back, from its start
    expect(third!.slab).toBe(first[0]!.slab);
    expect(third!.bytes.byteOffset).toBe(first[0]!.bytes.byteOffset);
  });

  it("gives a record larger than a quarter block memory of its own, and releasing it is harmless", () => {
    const pool = new SlabPool(1024, 4);
    const large = pool.take(300);
    expect(large.slab).toBeUndefined();
    expect(large.bytes.length).toBe(300);
    expect(() => pool.release(large.slab)).not.toThrow();
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
});
