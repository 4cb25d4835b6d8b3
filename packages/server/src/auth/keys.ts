import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API keys look like `ak_<lookup>_<secret>`:
 * - `lookup`: 16 hex digits (64 random bits), stored in clear and indexed, so the server finds
 *   the key's row without scanning; it is not a secret.
 * - `secret`: 43 base64url characters (256 random bits), never stored.
 *
 * The stored form is `sha256$<salt>$<digest>` with a 16-byte per-key salt (base64url). A slow
 * password hash (scrypt, argon2) protects low-entropy passwords against guessing; a 256-bit
 * random secret cannot be guessed, so one salted SHA-256 is as strong here and keeps
 * verification in microseconds.
 */
export const API_KEY_PREFIX = "ak_";

const KEY_PATTERN = /^ak_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const HASH_SCHEME = "sha256";

/** A parsed API key. */
export interface ParsedApiKey {
  lookup: string;
  secret: string;
}

/** A new API key and what the store keeps of it. */
export interface GeneratedApiKey {
  /** The key to hand to the user, once. */
  apiKey: string;
  /** The non-secret lookup id. */
  lookup: string;
  /** The salted hash to store. */
  hash: string;
}

/**
 * Generates a new API key from the system's cryptographic random source.
 *
 * @example
 * const { apiKey, lookup, hash } = generateApiKey();
 * await storage.createProject("demo", lookup, hash);
 */
export function generateApiKey(): GeneratedApiKey {
  const lookup = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { apiKey: `${API_KEY_PREFIX}${lookup}_${secret}`, lookup, hash: hashApiKeySecret(secret) };
}

/** Splits a key into lookup and secret; `undefined` when it is not of our form. */
export function parseApiKey(apiKey: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(apiKey);
  return match ? { lookup: match[1]!, secret: match[2]! } : undefined;
}

/** The stored form of a secret, with a fresh random salt. */
export function hashApiKeySecret(secret: string, salt: Buffer = randomBytes(16)): string {
  return `${HASH_SCHEME}$${salt.toString("base64url")}$${digest(salt, secret).toString("base64url")}`;
}

/** Whether `secret` matches a stored hash, compared in constant time. */
export function verifyApiKeySecret(secret: string, storedHash: string): boolean {
  const parts = storedHash.split("$");
  if (parts.length !== 3 || parts[0] !== HASH_SCHEME) return false;
  const expected = Buffer.from(parts[2]!, "base64url");
  const actual = digest(Buffer.from(parts[1]!, "base64url"), secret);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function digest(salt: Buffer, secret: string): Buffer {
  return createHash("sha256").update(salt).update(secret, "utf8").digest();
}

/** Where keys are looked up: the `findKey` method of a store. */
export interface KeyStore {
  findKey(keyLookup: string): Promise<{ projectId: string; keyHash: string } | undefined>;
}

/** Options of {@link ApiKeyVerifier}. */
export interface ApiKeyVerifierOptions {
  /** Verified keys remembered, so the ingest path does not hit the store per request. Default 1,000. */
  cacheSize?: number;
  /** How long a remembered key stays valid without a new store lookup. Default 60,000 ms. */
  cacheTtlMs?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

interface CacheEntry {
  projectId: string;
  expiresAt: number;
}

/**
 * Resolves API keys to project ids: parse, find by lookup id, verify the salted hash. Verified
 * keys stay in a small LRU (keyed by a SHA-256 of the key, so the plain key is not kept) for
 * `cacheTtlMs`; unknown keys are never cached.
 *
 * @example
 * const verifier = new ApiKeyVerifier(storage);
 * const projectId = await verifier.verify(request.headers["x-agentops-api-key"]);
 */
export class ApiKeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheSize: number;
  private readonly cacheTtlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: KeyStore,
    options: ApiKeyVerifierOptions = {},
  ) {
    this.cacheSize = options.cacheSize ?? 1000;
    this.cacheTtlMs = options.cacheTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** The project id of a valid key, else `undefined`. */
  async verify(apiKey: string): Promise<string | undefined> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return undefined;
    const cacheKey = createHash("sha256").update(apiKey).digest("base64");
    const cached = this.cache.get(cacheKey);
    if (cached) {
      this.cache.delete(cacheKey);
      if (cached.expiresAt > this.now()) {
        this.cache.set(cacheKey, cached); // most recently used goes last
        return cached.projectId;
      }
    }
    const row = await this.store.findKey(parsed.lookup);
    if (!row || !verifyApiKeySecret(parsed.secret, row.keyHash)) return undefined;
    this.cache.set(cacheKey, { projectId: row.projectId, expiresAt: this.now() + this.cacheTtlMs });
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    return row.projectId;
  }
}
