import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeScoresSuite } from "./utils/storage-scores-suite";
import { describeStorageSuite } from "./utils/storage-suite";

const directory = mkdtempSync(join(tmpdir(), "agentops-storage-"));
let count = 0;

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describeStorageSuite("SQLite", () => ({
  freshUrl: async () => `sqlite:${join(directory, `db-${++count}`, "agentops.db")}`,
}));

describeScoresSuite("SQLite", () => ({
  freshUrl: async () => `sqlite:${join(directory, `db-${++count}`, "agentops.db")}`,
}));
