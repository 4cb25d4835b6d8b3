import { createHash, randomInt } from "node:crypto";
import { CH_TABLE_ALREADY_EXISTS, CH_UNKNOWN_TABLE, ClickHouseError, type ClickHouseConnection } from "./connection";
import { table } from "./schema";
import { identifier, raw, sql, type Sql } from "./sql";

/**
 * The token signing secret: the one setting written with a true compare-and-set (see
 * {@link ClickHouseSettings}). Equal to `TOKEN_SECRET_SETTING` of the auth module (a test checks).
 */
export const ATOMIC_SETTING = "auth.token_signing_secret";

/**
 * How long a writer of an "if absent" setting waits before reading back which write won: a
 * competing write stamped earlier than ours but slower to arrive is seen if it arrives within it.
 */
export const CLAIM_SETTLE_MS = 250;
/** The longest a claim waits, however slow its own insert was. */
const CLAIM_SETTLE_MAX_MS = 5_000;

/** How long a reader waits for the atomic setting's table another server is filling. */
const ATOMIC_FILL_WAIT_MS = 5_000;

// Versions: every `putSetting` outranks every claim; later puts outrank earlier ones; earlier
// claims outrank later ones. All below 2^63, built as bigints (they pass 2^53).
const NONCE_BITS = 20n;
const PUT_BASE = 1n << 62n;
/** Above any epoch-ms time this code will see (the year 2109). */
const CLAIM_MS_BASE = 1n << 42n;

/**
 * Settings on ClickHouse, which has no unique constraints and no transactions. Every setting is
 * rows of one `settings` table (ReplacingMergeTree by name); a read takes the row of greatest
 * `version`, and merges keep that same row, so reads agree before and after merges.
 *
 * - `putSetting` writes a row versioned by this process's clock (ms, then a counter): the later
 *   put wins, across replicas as far as their clocks agree.
 * - `setSettingIfAbsent` returns the stored value when there is one; otherwise it writes a claim
 *   stamped (time, random nonce), where the EARLIEST claim ranks highest, waits
 *   {@link CLAIM_SETTLE_MS} or three times its own insert's duration when that is longer (at most
 *   5 s), and returns whatever value then reads as the setting. Writers racing
 *   for one name agree on the earliest claim, except in one case: a claim stamped earlier than
 *   ours (by its server's clock) that reaches ClickHouse more than the settle time after ours was
 *   stamped. Then we return our value and that writer returns its own. Clock skew between
 *   servers widens that window by the skew. For alert markers the cost is a second webhook for
 *   one alert; a put racing a claim also wins over it while the claimer returns its own value.
 * - The token signing secret ({@link ATOMIC_SETTING}), whose disagreement would make tokens of one
 *   replica invalid at another, keeps the one atomic compare-and-set ClickHouse 18.16 has:
 *   `CREATE TABLE` of a name that exists fails. It is a one-row table created with its value.
 */
export class ClickHouseSettings {
  private readonly settings: Sql;
  private lastPut = 0n;

  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly db: Sql,
  ) {
    this.settings = table(db, "settings");
  }

  async get(name: string): Promise<string | undefined> {
    if (name === ATOMIC_SETTING) return this.getAtomic();
    const rows = await this.connection.rows<{ value: string }>(
      sql`SELECT argMax(value, version) AS value FROM ${this.settings} WHERE name = ${name} GROUP BY name`,
    );
    return rows[0]?.value;
  }

  async put(name: string, value: string): Promise<void> {
    if (name === ATOMIC_SETTING) throw new Error(`${name} is set once, with setSettingIfAbsent`);
    // Strictly increasing within this process, so two puts in one millisecond keep their order.
    const stamp = BigInt(Date.now()) << NONCE_BITS;
    this.lastPut = stamp > this.lastPut ? stamp : this.lastPut + 1n;
    await this.connection.insert(this.settings, [{ name, value, version: String(PUT_BASE + this.lastPut) }]);
  }

  async setIfAbsent(name: string, value: string): Promise<string> {
    if (name === ATOMIC_SETTING) return this.setAtomic(value);
    const stored = await this.get(name);
    if (stored !== undefined) return stored;
    const claim = ((CLAIM_MS_BASE - BigInt(Date.now())) << NONCE_BITS) | BigInt(randomInt(1 << Number(NONCE_BITS)));
    const started = Date.now();
    await this.connection.insert(this.settings, [{ name, value, version: String(claim) }]);
    // A rival's claim takes about as long as ours to land: on a loaded ClickHouse inserts take
    // hundreds of ms, so wait for a few of our own insert's time, not only the fixed minimum.
    const settle = Math.min(CLAIM_SETTLE_MAX_MS, Math.max(CLAIM_SETTLE_MS, 3 * (Date.now() - started)));
    await new Promise((resolve) => setTimeout(resolve, settle));
    const winner = await this.get(name);
    if (winner === undefined) throw new Error(`setting ${JSON.stringify(name)} was written but reads as absent`);
    return winner;
  }

  private async getAtomic(): Promise<string | undefined> {
    try {
      const rows = await this.connection.rows<{ value: string }>(sql`SELECT value FROM ${this.atomicTable()} LIMIT 1`);
      return rows[0]?.value;
    } catch (error) {
      if (error instanceof ClickHouseError && error.code === CH_UNKNOWN_TABLE) return undefined;
      throw error;
    }
  }

  private async setAtomic(value: string): Promise<string> {
    try {
      await this.connection.command(
        sql`CREATE TABLE ${this.atomicTable()} ENGINE = MergeTree ORDER BY tuple() AS SELECT ${value} AS value`,
      );
      return value;
    } catch (error) {
      if (!(error instanceof ClickHouseError && error.code === CH_TABLE_ALREADY_EXISTS)) throw error;
    }
    // Another server created it; its CREATE … AS SELECT may still be writing the row.
    const deadline = Date.now() + ATOMIC_FILL_WAIT_MS;
    for (;;) {
      const stored = await this.getAtomic();
      if (stored !== undefined) return stored;
      if (Date.now() > deadline) throw new Error(`setting ${JSON.stringify(ATOMIC_SETTING)} exists but has no value`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** The table earlier versions of this store kept the secret in: named by a hash of the name. */
  private atomicTable(): Sql {
    const hash = createHash("sha256").update(ATOMIC_SETTING).digest("hex").slice(0, 32);
    return raw(`${this.db.text}.${identifier(`setting_${hash}`).text}`);
  }
}
