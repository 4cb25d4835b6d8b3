import { createHash, randomUUID } from "node:crypto";
import type { Project } from "../types";
import { CH_TABLE_ALREADY_EXISTS, CH_UNKNOWN_TABLE, ClickHouseError, type ClickHouseConnection } from "./connection";
import { table } from "./schema";
import { identifier, raw, sql, type Sql } from "./sql";

/** How long a reader waits for a setting whose table another server is filling. */
const SETTING_FILL_WAIT_MS = 5_000;

/**
 * Projects, API keys and settings on ClickHouse. ClickHouse has no unique constraints and no
 * transactions, so:
 * - a key lookup already taken is refused by reading first. Lookups are random ids made by
 *   `projects create`, so two creations racing for one lookup do not happen in practice;
 * - a setting is written "if absent" with the one atomic compare-and-set ClickHouse 18.16 has:
 *   `CREATE TABLE` of a name that exists fails. Each setting is a one-row table created together
 *   with its value (`CREATE TABLE … AS SELECT`); the server whose CREATE succeeds has set it, and
 *   every other server reads that value, so replicas starting at once agree on one secret.
 */
export class ClickHouseProjects {
  constructor(
    private readonly connection: ClickHouseConnection,
    private readonly db: Sql,
  ) {}

  async create(name: string, keyLookup: string, keyHash: string): Promise<Project> {
    if ((await this.findKey(keyLookup)) !== undefined) {
      throw new Error(`duplicate key lookup ${JSON.stringify(keyLookup)}: an API key with this id exists`);
    }
    const project: Project = { id: randomUUID(), name, createdAt: new Date().toISOString() };
    await this.connection.insert(table(this.db, "projects"), [
      { id: project.id, name: project.name, created_at: project.createdAt },
    ]);
    await this.connection.insert(table(this.db, "api_keys"), [
      { lookup: keyLookup, project_id: project.id, key_hash: keyHash, created_at: project.createdAt },
    ]);
    return project;
  }

  async findKey(keyLookup: string): Promise<{ projectId: string; keyHash: string } | undefined> {
    const rows = await this.connection.rows<{ project_id: string; key_hash: string }>(
      sql`SELECT project_id, key_hash FROM ${table(this.db, "api_keys")} FINAL WHERE lookup = ${keyLookup} LIMIT 1`,
    );
    return rows[0] && { projectId: rows[0].project_id, keyHash: rows[0].key_hash };
  }

  async get(projectId: string): Promise<Project | undefined> {
    const rows = await this.connection.rows<{ id: string; name: string; created_at: string }>(
      sql`SELECT id, name, created_at FROM ${table(this.db, "projects")} FINAL WHERE id = ${projectId} LIMIT 1`,
    );
    const row = rows[0];
    return row && { id: row.id, name: row.name, createdAt: row.created_at };
  }

  async getSetting(name: string): Promise<string | undefined> {
    try {
      const rows = await this.connection.rows<{ value: string }>(sql`SELECT value FROM ${this.settingTable(name)} LIMIT 1`);
      return rows[0]?.value;
    } catch (error) {
      if (error instanceof ClickHouseError && error.code === CH_UNKNOWN_TABLE) return undefined;
      throw error;
    }
  }

  async setSettingIfAbsent(name: string, value: string): Promise<string> {
    try {
      await this.connection.command(
        sql`CREATE TABLE ${this.settingTable(name)} ENGINE = MergeTree ORDER BY tuple() AS SELECT ${value} AS value`,
      );
      return value;
    } catch (error) {
      if (!(error instanceof ClickHouseError && error.code === CH_TABLE_ALREADY_EXISTS)) throw error;
    }
    // Another server created it; its CREATE … AS SELECT may still be writing the row.
    const deadline = Date.now() + SETTING_FILL_WAIT_MS;
    for (;;) {
      const stored = await this.getSetting(name);
      if (stored !== undefined) return stored;
      if (Date.now() > deadline) throw new Error(`setting ${JSON.stringify(name)} exists but has no value`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** One table per setting, named by a hash of the setting's name (any name, a plain identifier). */
  private settingTable(name: string): Sql {
    const hash = createHash("sha256").update(name).digest("hex").slice(0, 32);
    return raw(`${this.db.text}.${identifier(`setting_${hash}`).text}`);
  }
}
