import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DEFAULT_DATABASE_URL, openStorage, SqliteStorage } from "../src/storage";
import { pendingMigrations } from "../src/storage/migration";

const directory = mkdtempSync(join(tmpdir(), "agentops-open-"));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe("openStorage", () => {
  let forms = 0;

  test.each([
    ["sqlite:PATH", (path: string) => `sqlite:${path}`],
    ["sqlite://PATH", (path: string) => `sqlite://${path}`],
    ["a bare path", (path: string) => path],
  ])("opens SQLite from %s, creating its directories", async (_label, toUrl) => {
    const path = join(directory, `form-${++forms}`, "nested", "agentops.db");
    const storage = await openStorage(toUrl(path));
    try {
      expect(storage).toBeInstanceOf(SqliteStorage);
      expect(existsSync(path)).toBe(true);
      const project = await storage.createProject("p", "lookup", "hash");
      expect(await storage.findKey("lookup")).toEqual({ projectId: project.id, keyHash: "hash" });
    } finally {
      await storage.close();
    }
  });

  test("the default database lives in ./.agentops", () => {
    expect(DEFAULT_DATABASE_URL).toBe("sqlite:./.agentops/agentops.db");
  });

  test("an in-memory SQLite database works", async () => {
    const storage = await openStorage("sqlite::memory:");
    try {
      expect(await storage.setSettingIfAbsent("a", "1")).toBe("1");
    } finally {
      await storage.close();
    }
  });

  test("records each migration once and refuses a database newer than the code", async () => {
    const path = join(directory, "versions", "agentops.db");
    await (await openStorage(path)).close();
    await (await openStorage(path)).close();
    const db = new Database(path);
    expect(db.prepare("SELECT version FROM schema_migrations ORDER BY version").all()).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '')",
    ).run();
    db.close();
    await expect(openStorage(path)).rejects.toThrow(/schema version 999 is newer/);
  });
});

describe("upgrading a database made before scores", () => {
  test("adds the score tables and keeps what was stored", async () => {
    const path = join(directory, "before-scores", "agentops.db");
    const made = await openStorage(path);
    const project = await made.createProject("old", "old-lookup", "hash");
    await made.close();
    // Back to the first schema, as a server of that time left it.
    const db = new Database(path);
    db.exec("DROP TABLE latest_scores; DROP TABLE scores; DELETE FROM schema_migrations WHERE version > 1");
    db.close();

    const upgraded = await openStorage(path);
    try {
      expect(await upgraded.findKey("old-lookup")).toEqual({ projectId: project.id, keyHash: "hash" });
      const sessionId = "6f0e2c1a-0000-4000-8000-000000000042";
      const score = { id: "6f0e2c1a-0000-4000-8000-0000000000aa", name: "q", value: 1, comment: null, source: "api" as const, createdMs: 1 };
      expect((await upgraded.addScore(project.id, sessionId, score)).created).toBe(true);
      expect(await upgraded.sessionScores(project.id, sessionId)).toHaveLength(1);
    } finally {
      await upgraded.close();
    }
  });
});

describe("pendingMigrations", () => {
  const migrations = [
    { version: 2, name: "two", sql: "" },
    { version: 1, name: "one", sql: "" },
    { version: 3, name: "three", sql: "" },
  ];

  test("returns the unapplied migrations in version order", () => {
    expect(pendingMigrations(migrations, new Set()).map((m) => m.version)).toEqual([1, 2, 3]);
    expect(pendingMigrations(migrations, new Set([1])).map((m) => m.version)).toEqual([2, 3]);
    expect(pendingMigrations(migrations, new Set([1, 2, 3]))).toEqual([]);
  });

  test("refuses a database newer than the code", () => {
    expect(() => pendingMigrations(migrations, new Set([4]))).toThrow(/newer/);
  });
});
