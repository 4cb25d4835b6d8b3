import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ApiKeyVerifier,
  generateApiKey,
  hashApiKeySecret,
  openStorage,
  parseApiKey,
  verifyApiKeySecret,
  type Storage,
} from "../src/index";

describe("API keys", () => {
  it("generates ak_<lookup>_<secret> keys that parse and verify against their stored hash", () => {
    const key = generateApiKey();
    expect(key.apiKey).toMatch(/^ak_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key.apiKey)!;
    expect(parsed.lookup).toBe(key.lookup);
    expect(key.hash).not.toContain(parsed.secret);
    expect(verifyApiKeySecret(parsed.secret, key.hash)).toBe(true);
    expect(verifyApiKeySecret(parsed.secret.slice(0, -1) + (parsed.secret.endsWith("A") ? "B" : "A"), key.hash)).toBe(false);
  });

  it("salts each hash", () => {
    expect(hashApiKeySecret("same")).not.toBe(hashApiKeySecret("same"));
    expect(verifyApiKeySecret("same", hashApiKeySecret("same"))).toBe(true);
  });

  it("generates distinct keys", () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateApiKey().apiKey));
    expect(keys.size).toBe(100);
  });

  it.each(["", "ak_", "ak_123_abc", "bk_0123456789abcdef_" + "a".repeat(43), "ak_0123456789ABCDEF_" + "a".repeat(43)])(
    "refuses the malformed key %j",
    (value) => {
      expect(parseApiKey(value)).toBeUndefined();
    },
  );

  it("refuses malformed stored hashes", () => {
    expect(verifyApiKeySecret("x", "")).toBe(false);
    expect(verifyApiKeySecret("x", "md5$a$b")).toBe(false);
    expect(verifyApiKeySecret("x", "sha256$$")).toBe(false);
  });
});

describe("ApiKeyVerifier", () => {
  let folder: string;
  let storage: Storage;
  let findKey: jest.SpyInstance;
  beforeEach(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "agentops-keys-"));
    storage = await openStorage(`sqlite:${path.join(folder, "keys.db")}`);
    findKey = jest.spyOn(storage, "findKey");
  });
  afterEach(async () => {
    await storage.close();
    rmSync(folder, { recursive: true, force: true });
  });

  async function project(name: string): Promise<{ id: string; apiKey: string }> {
    const key = generateApiKey();
    const created = await storage.createProject(name, key.lookup, key.hash);
    return { id: created.id, apiKey: key.apiKey };
  }

  it("resolves a key to its project and remembers it for the TTL", async () => {
    const { id, apiKey } = await project("p1");
    let now = 1000;
    const verifier = new ApiKeyVerifier(storage, { cacheTtlMs: 100, now: () => now });
    expect(await verifier.verify(apiKey)).toBe(id);
    expect(await verifier.verify(apiKey)).toBe(id);
    expect(findKey).toHaveBeenCalledTimes(1);
    now += 101;
    expect(await verifier.verify(apiKey)).toBe(id);
    expect(findKey).toHaveBeenCalledTimes(2);
  });

  it("refuses a key whose secret does not match, and never caches refusals", async () => {
    const { apiKey } = await project("p1");
    const lookup = parseApiKey(apiKey)!.lookup;
    const forged = `ak_${lookup}_${"A".repeat(43)}`;
    const verifier = new ApiKeyVerifier(storage);
    expect(await verifier.verify(forged)).toBeUndefined();
    expect(await verifier.verify(forged)).toBeUndefined();
    expect(findKey).toHaveBeenCalledTimes(2);
    expect(await verifier.verify("not-a-key")).toBeUndefined();
    expect(findKey).toHaveBeenCalledTimes(2);
  });

  it("keeps at most cacheSize keys, evicting the least recently used", async () => {
    const keys = [await project("p0"), await project("p1"), await project("p2")];
    const verifier = new ApiKeyVerifier(storage, { cacheSize: 2 });
    await verifier.verify(keys[0]!.apiKey);
    await verifier.verify(keys[1]!.apiKey);
    await verifier.verify(keys[0]!.apiKey); // 0 is now the most recent
    await verifier.verify(keys[2]!.apiKey); // evicts 1
    const before = findKey.mock.calls.length;
    expect(await verifier.verify(keys[0]!.apiKey)).toBe(keys[0]!.id);
    expect(findKey).toHaveBeenCalledTimes(before);
    expect(await verifier.verify(keys[1]!.apiKey)).toBe(keys[1]!.id);
    expect(findKey).toHaveBeenCalledTimes(before + 1);
  });
});
