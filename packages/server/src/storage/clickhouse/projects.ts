import { randomUUID } from "node:crypto";
import type { Project } from "../types";
import type { ClickHouseConnection } from "./connection";
import { table } from "./schema";
import { sql, type Sql } from "./sql";

/**
 * Projects and API keys on ClickHouse. ClickHouse has no unique constraints, so a key lookup
 * already taken is refused by reading first. Lookups are random ids made by `projects create`,
 * so two creations racing for one lookup do not happen in practice. Settings: settings.ts.
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
}
