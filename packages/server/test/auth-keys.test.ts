import { ApiKeyVerifier, generateApiKey, hashApiKeySecret, parseApiKey, verifyApiKeySecret } from "../src/index";

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
  function keyStore() {
    const rows = new Map<string, { projectId: string; keyHash: string }>();
    let lookups = 0;
    return {
      rows,
      get lookups() {
        return lookups;
      },
      async findKey(lookup: string) {
        lookups++;
        return rows.get(lookup);
      },
    };
  }

  it("resolves a key to its project, remembers it, and forgets it after the TTL", async () => {
    const store = keyStore();
    const key = generateApiKey();
    store.rows.set(key.lookup, { projectId: "p1", keyHash: key.hash });
    let now = 1000;
    const verifier = new ApiKeyVerifier(store, { cacheTtlMs: 100, now: () => now });
    expect(await verifier.verify(key.apiKey)).toBe("p1");
    expect(await verifier.verify(key.apiKey)).toBe("p1");
    expect(store.lookups).toBe(1);
    now += 101;
    store.rows.delete(key.lookup);
    expect(await verifier.verify(key.apiKey)).toBeUndefined();
    expect(store.lookups).toBe(2);
  });

  it("refuses a key whose secret does not match, and never caches refusals", async () => {
    const store = keyStore();
    const key = generateApiKey();
    store.rows.set(key.lookup, { projectId: "p1", keyHash: key.hash });
    const forged = `ak_${key.lookup}_${"A".repeat(43)}`;
    const verifier = new ApiKeyVerifier(store);
    expect(await verifier.verify(forged)).toBeUndefined();
    expect(await verifier.verify(forged)).toBeUndefined();
    expect(store.lookups).toBe(2);
    expect(await verifier.verify("not-a-key")).toBeUndefined();
    expect(store.lookups).toBe(2);
  });

  it("keeps at most cacheSize keys, evicting the least recently used", async () => {
    const store = keyStore();
    const keys = [generateApiKey(), generateApiKey(), generateApiKey()];
    keys.forEach((key, index) => store.rows.set(key.lookup, { projectId: `p${index}`, keyHash: key.hash }));
    const verifier = new ApiKeyVerifier(store, { cacheSize: 2 });
    await verifier.verify(keys[0]!.apiKey);
    await verifier.verify(keys[1]!.apiKey);
    await verifier.verify(keys[0]!.apiKey); // 0 is now the most recent
    await verifier.verify(keys[2]!.apiKey); // evicts 1
    const before = store.lookups;
    await verifier.verify(keys[0]!.apiKey);
    expect(store.lookups).toBe(before);
    await verifier.verify(keys[1]!.apiKey);
    expect(store.lookups).toBe(before + 1);
  });
});
