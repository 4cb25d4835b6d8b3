import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createServer,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  openStorage,
  resolveTokenOptions,
  signJwt,
  TOKEN_SECRET_SETTING,
  verifyJwt,
  type TokenResponse,
} from "../src/index";
import { captureLogger } from "./utils/capture-logger";
import { contentType, otlpBody, sessionSpans } from "./utils/otlp-bodies";
import { createTestProject, startTestServer, type TestServer } from "./utils/server-harness";

const SECRET = "a-test-signing-secret-of-more-than-32-bytes";
const START = Date.parse("2026-03-01T12:00:00Z");

/** base64url JSON, as a JWT part. */
const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const hs256 = (input: string, secret: string): string =>
  createHmac("sha256", secret).update(input).digest("base64url");
/** A JWT with any header and claims, signed with `secret` (or carrying `signature` as given). */
function forge(header: unknown, claims: unknown, secret = SECRET, signature?: string): string {
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${signature ?? hs256(input, secret)}`;
}
/** Real HTTP (fastify's inject does not load under jest): listens on a free loopback port. */
async function listen(app: ReturnType<typeof createServer>): Promise<string> {
  return app.listen({ port: 0, host: "127.0.0.1" });
}
async function exchangeAt(url: string, apiKey: string): Promise<TokenResponse> {
  const response = await fetch(`${url}/v3/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ api_key: apiKey }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenResponse;
}
const projectAt = (url: string, token: string): Promise<Response> =>
  fetch(`${url}/v2/project`, { headers: { authorization: `Bearer ${token}` } });
const claimsOf = (token: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8"));

describe("/v3/auth/token", () => {
  let server: TestServer;
  let clock = START;

  beforeAll(async () => {
    server = await startTestServer({ now: () => clock, tokens: { secret: SECRET } });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    clock = START;
  });

  async function exchange(apiKey: string): Promise<TokenResponse> {
    const response = await fetch(`${server.url}/v3/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: apiKey }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as TokenResponse;
  }

  function post(body: string | Buffer, type = "application/json"): Promise<Response> {
    return fetch(`${server.url}/v3/auth/token`, { method: "POST", headers: { "content-type": type }, body });
  }

  function project(token: string): Promise<Response> {
    return fetch(`${server.url}/v2/project`, { headers: { authorization: `Bearer ${token}` } });
  }

  async function sendSpans(token: string, encoding: "json" | "protobuf", traceId?: string): Promise<Response> {
    return fetch(`${server.url}/v1/traces`, {
      method: "POST",
      headers: { "content-type": contentType(encoding), authorization: `Bearer ${token}` },
      body: otlpBody(sessionSpans({ traceId }).spans, encoding),
    });
  }

  describe("exchange", () => {
    it("answers a token, the project id and a premium status for a valid key (POST, JSON body)", async () => {
      const body = await exchange(server.projectA.apiKey);
      expect(body).toEqual({
        token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        project_id: server.projectA.id,
        project_prem_status: "pro",
        expires_at: new Date(START + DEFAULT_TOKEN_LIFETIME_SECONDS * 1000).toISOString(),
      });
      const header = JSON.parse(Buffer.from(body.token.split(".")[0]!, "base64url").toString("utf8"));
      expect(header).toEqual({ alg: "HS256", typ: "JWT" });
      expect(claimsOf(body.token)).toMatchObject({
        sub: server.projectA.id,
        project_id: server.projectA.id,
        iat: START / 1000,
        exp: START / 1000 + 86_400,
      });
    });

    it("issues a different token on each exchange", async () => {
      const first = await exchange(server.projectA.apiKey);
      const second = await exchange(server.projectA.apiKey);
      expect(first.token).not.toBe(second.token);
    });

    it("answers a token on GET with the key in X-Agentops-Api-Key (or as a Bearer credential)", async () => {
      const variants: Array<Record<string, string>> = [
        { "x-agentops-api-key": server.projectB.apiKey },
        { authorization: `Bearer ${server.projectB.apiKey}` },
      ];
      for (const headers of variants) {
        const response = await fetch(`${server.url}/v3/auth/token`, { headers });
        expect(response.status).toBe(200);
        const body = (await response.json()) as TokenResponse;
        expect(body.project_id).toBe(server.projectB.id);
        expect((await project(body.token)).status).toBe(200);
      }
    });

    it("describes a valid token on GET with Authorization: Bearer <token>", async () => {
      const { token } = await exchange(server.projectA.apiKey);
      const response = await fetch(`${server.url}/v3/auth/token`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        message: "the token is valid",
        project_id: server.projectA.id,
        expires_at: new Date(START + 86_400_000).toISOString(),
        payload: claimsOf(token),
      });
    });

    it.each([
      ["an unknown key of our form", `ak_${"0".repeat(16)}_${"A".repeat(43)}`],
      ["a key of another form", "0b7a2d5e-1c7f-4a8e-9f3d-2b1c0e9d8a7f"],
    ])("answers 401 with a JSON error for %s", async (_name, apiKey) => {
      const response = await post(JSON.stringify({ api_key: apiKey }));
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await response.json()).toEqual({ error: "unauthorized", message: "unknown API key" });
    });

    it("answers 401 on GET without a key, or with an unknown one", async () => {
      expect((await fetch(`${server.url}/v3/auth/token`)).status).toBe(401);
      const response = await fetch(`${server.url}/v3/auth/token`, {
        headers: { authorization: "Bearer not.a.token" },
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: "unauthorized" });
    });

    it.each([
      ["invalid JSON", "{ api_key: "],
      ["a JSON array", JSON.stringify([{ api_key: "x" }])],
      ["a JSON string", JSON.stringify("ak_x")],
      ["no api_key", JSON.stringify({ key: "x" })],
      ["an api_key that is not a string", JSON.stringify({ api_key: 42 })],
      ["an empty api_key", JSON.stringify({ api_key: "  " })],
      ["an empty body", ""],
    ])("answers 400 for %s", async (_name, body) => {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: "bad_request" });
    });

    it("answers 415 for a body that is not JSON, and 413 for one over 16 KiB", async () => {
      const form = await post("api_key=x", "application/x-www-form-urlencoded");
      expect(form.status).toBe(415);
      expect(await form.json()).toMatchObject({ error: "unsupported_media_type" });
      const large = await post(JSON.stringify({ api_key: "x".repeat(20_000) }));
      expect(large.status).toBe(413);
      expect(await large.json()).toMatchObject({ error: "payload_too_large" });
    });

    it("logs the project of an exchange but never the key or the token", async () => {
      const lines: unknown[] = [];
      const folder = mkdtempSync(path.join(tmpdir(), "agentops-token-log-"));
      const storage = await openStorage(`sqlite:${path.join(folder, "db.sqlite")}`);
      const app = createServer({ storage, dashboardDir: false, logger: captureLogger(lines) });
      try {
        const projectKey = await createTestProject(storage, "logged");
        const { token } = await exchangeAt(await listen(app), projectKey.apiKey);
        const log = JSON.stringify(lines);
        expect(log).toContain(`"project_id":"${projectKey.id}"`);
        expect(log).not.toContain(projectKey.apiKey);
        expect(log).not.toContain(token.split(".")[2]);
      } finally {
        await app.close();
        await storage.close();
        rmSync(folder, { recursive: true, force: true });
      }
    });
  });

  describe("as Authorization: Bearer", () => {
    it.each(["json", "protobuf"] as const)("is accepted by POST /v1/traces (%s) and files the spans under its project", async (encoding) => {
      const { token } = await exchange(server.projectA.apiKey);
      const session = sessionSpans();
      const response = await fetch(`${server.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": contentType(encoding), authorization: `Bearer ${token}` },
        body: otlpBody(session.spans, encoding),
      });
      expect(response.status).toBe(200);
      const stats = await fetch(`${server.url}/v2/sessions/${session.sessionId}/stats`, {
        headers: { "x-agentops-api-key": server.projectA.apiKey },
      });
      expect(stats.status).toBe(200);
      expect(await stats.json()).toMatchObject({ project_id: server.projectA.id, llm_calls: 1 });
    });

    it("is accepted by the REST API for its own project's sessions", async () => {
      const { token } = await exchange(server.projectA.apiKey);
      const session = sessionSpans();
      expect((await sendSpans(token, "json", session.traceId)).status).toBe(200);
      expect(await (await project(token)).json()).toMatchObject({ project_id: server.projectA.id });
      for (const route of ["stats", "export", "spans"]) {
        const response = await fetch(`${server.url}/v2/sessions/${session.sessionId}/${route}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.status).toBe(200);
      }
    });

    it("cannot read or write another project: a token of A gets 404 for B's session, and its spans land in A", async () => {
      const tokenA = (await exchange(server.projectA.apiKey)).token;
      const tokenB = (await exchange(server.projectB.apiKey)).token;
      const ofB = sessionSpans();
      expect((await sendSpans(tokenB, "json", ofB.traceId)).status).toBe(200);
      const read = await fetch(`${server.url}/v2/sessions/${ofB.sessionId}/stats`, {
        headers: { authorization: `Bearer ${tokenA}` },
      });
      expect(read.status).toBe(404);
      const list = (await (
        await fetch(`${server.url}/v2/sessions?limit=200`, { headers: { authorization: `Bearer ${tokenA}` } })
      ).json()) as { sessions: Array<{ session_id: string }> };
      expect(list.sessions.map((session) => session.session_id)).not.toContain(ofB.sessionId);

      // Writing with A's token into the trace id of B's session creates a session of A's, and
      // leaves B's untouched.
      expect((await sendSpans(tokenA, "json", ofB.traceId)).status).toBe(200);
      const statsB = await server.storage.sessionStats(server.projectB.id, ofB.sessionId);
      const statsA = await server.storage.sessionStats(server.projectA.id, ofB.sessionId);
      expect(statsB).toMatchObject({ project_id: server.projectB.id, llm_calls: 1 });
      expect(statsA).toMatchObject({ project_id: server.projectA.id, llm_calls: 1 });
    });

    it("is refused with 401 once expired, on OTLP and REST alike", async () => {
      const { token } = await exchange(server.projectA.apiKey);
      clock = START + DEFAULT_TOKEN_LIFETIME_SECONDS * 1000 - 1000;
      expect((await project(token)).status).toBe(200);
      clock = START + DEFAULT_TOKEN_LIFETIME_SECONDS * 1000;
      expect((await project(token)).status).toBe(401);
      const response = await sendSpans(token, "json");
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ code: 16 }); // UNAUTHENTICATED, in OTLP's Status
    });

    it("refuses a correctly signed token whose exp has passed, or whose iat is in the future", async () => {
      const now = START / 1000;
      const expired = forge({ alg: "HS256", typ: "JWT" }, {
        iss: "agentops-server", sub: server.projectA.id, project_id: server.projectA.id, iat: now - 7200, exp: now - 3600,
      });
      const future = forge({ alg: "HS256", typ: "JWT" }, {
        iss: "agentops-server", sub: server.projectA.id, project_id: server.projectA.id, iat: now + 3600, exp: now + 7200,
      });
      const valid = forge({ alg: "HS256", typ: "JWT" }, {
        iss: "agentops-server", sub: server.projectA.id, project_id: server.projectA.id, iat: now, exp: now + 60,
      });
      expect((await project(expired)).status).toBe(401);
      expect((await project(future)).status).toBe(401);
      expect((await project(valid)).status).toBe(200);
    });

    describe("tampered tokens get 401", () => {
      let token: string;
      let header: string;
      let payload: string;
      let signature: string;
      beforeAll(async () => {
        token = (await exchange(server.projectA.apiKey)).token;
        [header, payload, signature] = token.split(".") as [string, string, string];
      });

      it("the project id swapped for another project's, the signature kept", async () => {
        const claims = claimsOf(token);
        const swapped = `${header}.${part({ ...claims, sub: server.projectB.id, project_id: server.projectB.id })}.${signature}`;
        expect((await project(swapped)).status).toBe(401);
      });

      it("one character of the signature changed (any position, last included)", async () => {
        for (const index of [0, Math.floor(signature.length / 2), signature.length - 1]) {
          const original = signature[index]!;
          // Two other characters (a replacement equal to the original would change nothing).
          for (const replacement of ["A", "B", "Q"].filter((character) => character !== original).slice(0, 2)) {
            const changed = signature.slice(0, index) + replacement + signature.slice(index + 1);
            expect((await project(`${header}.${payload}.${changed}`)).status).toBe(401);
          }
        }
      });

      it("the signature dropped or truncated", async () => {
        expect((await project(`${header}.${payload}.`)).status).toBe(401);
        expect((await project(`${header}.${payload}`)).status).toBe(401);
        expect((await project(`${header}.${payload}.${signature.slice(0, -2)}`)).status).toBe(401);
      });

      it.each([
        ["alg none without a signature", { alg: "none", typ: "JWT" }, ""],
        ["alg none with the original signature", { alg: "none", typ: "JWT" }, "keep"],
        ["alg NONE", { alg: "NONE" }, ""],
        ["alg HS512", { alg: "HS512", typ: "JWT" }, "resign"],
        ["alg RS256", { alg: "RS256", typ: "JWT" }, "resign"],
        ["alg missing", { typ: "JWT" }, "resign"],
        ["a crit extension", { alg: "HS256", typ: "JWT", crit: ["exp"] }, "resign"],
      ])("%s", async (_name, forgedHeader, signatureMode) => {
        const claims = claimsOf(token);
        const resigned = forge(forgedHeader, claims);
        const forged =
          signatureMode === "resign" ? resigned : `${part(forgedHeader)}.${payload}.${signatureMode === "keep" ? signature : ""}`;
        expect((await project(forged)).status).toBe(401);
        expect((await sendSpans(forged, "json")).status).toBe(401);
      });

      it("signed with another secret, or with the right secret but another issuer or a mismatched subject", async () => {
        const claims = claimsOf(token);
        const otherSecret = forge({ alg: "HS256", typ: "JWT" }, claims, "another-secret-of-more-than-32-bytes-long");
        const otherIssuer = forge({ alg: "HS256", typ: "JWT" }, { ...claims, iss: "someone-else" });
        const otherSubject = forge({ alg: "HS256", typ: "JWT" }, { ...claims, sub: server.projectB.id });
        const noProject = forge({ alg: "HS256", typ: "JWT" }, { ...claims, project_id: undefined });
        for (const forged of [otherSecret, otherIssuer, otherSubject, noProject]) {
          expect((await project(forged)).status).toBe(401);
        }
        // The same claims, re-signed with the server's secret, pass: the checks above are the reason.
        expect((await project(forge({ alg: "HS256", typ: "JWT" }, claims))).status).toBe(200);
      });

      it.each(["", "a.b", "a.b.c.d", "ey.ey.ey", "é.é.é", "x".repeat(5000)])("garbage %#", async (garbage) => {
        expect((await project(garbage)).status).toBe(401);
      });
    });
  });
});

describe("the signing secret", () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "agentops-token-secret-"));
  });
  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it("is generated once and kept in the database: a second server on the store accepts the first's tokens", async () => {
    const url = `sqlite:${path.join(folder, "db.sqlite")}`;
    const storage = await openStorage(url);
    const key = await createTestProject(storage, "p");
    const first = createServer({ storage, dashboardDir: false });
    const firstUrl = await listen(first);
    const stored = await storage.getSetting(TOKEN_SECRET_SETTING);
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    const { token } = await exchangeAt(firstUrl, key.apiKey);
    await first.close();
    await storage.close();

    const reopened = await openStorage(url);
    const second = createServer({ storage: reopened, dashboardDir: false });
    try {
      const response = await projectAt(await listen(second), token);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ project_id: key.id });
      expect(await reopened.getSetting(TOKEN_SECRET_SETTING)).toBe(stored);
    } finally {
      await second.close();
      await reopened.close();
    }
  });

  it("differs between databases, so one server's tokens mean nothing to another's", async () => {
    const storageA = await openStorage(`sqlite:${path.join(folder, "a.sqlite")}`);
    const storageB = await openStorage(`sqlite:${path.join(folder, "b.sqlite")}`);
    const key = await createTestProject(storageA, "p");
    const serverA = createServer({ storage: storageA, dashboardDir: false });
    const serverB = createServer({ storage: storageB, dashboardDir: false });
    try {
      const { token } = await exchangeAt(await listen(serverA), key.apiKey);
      const response = await projectAt(await listen(serverB), token);
      expect(response.status).toBe(401);
      expect(await storageA.getSetting(TOKEN_SECRET_SETTING)).not.toBe(await storageB.getSetting(TOKEN_SECRET_SETTING));
    } finally {
      await Promise.all([serverA.close(), serverB.close()]);
      await Promise.all([storageA.close(), storageB.close()]);
    }
  });

  it("given explicitly, is used instead of the database's (and not stored)", async () => {
    const storage = await openStorage(`sqlite:${path.join(folder, "db.sqlite")}`);
    const key = await createTestProject(storage, "p");
    const app = createServer({ storage, dashboardDir: false, tokens: { secret: SECRET, lifetimeSeconds: 90 } });
    try {
      const { token, expires_at } = await exchangeAt(await listen(app), key.apiKey);
      const claims = claimsOf(token);
      expect(claims.exp).toBe((claims.iat as number) + 90);
      expect(Date.parse(expires_at)).toBe((claims.exp as number) * 1000);
      expect("claims" in verifyJwt(token, Buffer.from(SECRET), claims.iat as number)).toBe(true);
      expect(await storage.getSetting(TOKEN_SECRET_SETTING)).toBeUndefined();
    } finally {
      await app.close();
      await storage.close();
    }
  });

  it("shorter than 32 bytes, or a bad lifetime, stops the server from being created", async () => {
    const storage = await openStorage(`sqlite:${path.join(folder, "db.sqlite")}`);
    try {
      expect(() => createServer({ storage, tokens: { secret: "too-short" } })).toThrow(/at least 32 bytes/);
      expect(() => createServer({ storage, tokens: { lifetimeSeconds: 0 } })).toThrow(/lifetime/);
      expect(() => createServer({ storage, tokens: { lifetimeSeconds: 1.5 } })).toThrow(/lifetime/);
    } finally {
      await storage.close();
    }
  });
});

describe("resolveTokenOptions", () => {
  it("takes the option, then the environment, then the default", () => {
    expect(resolveTokenOptions({}, {})).toEqual({ secret: undefined, lifetimeSeconds: 86_400 });
    const env = { AGENTOPS_SERVER_TOKEN_SECRET: "s".repeat(32), AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS: " 600 " };
    expect(resolveTokenOptions({}, env)).toEqual({ secret: "s".repeat(32), lifetimeSeconds: 600 });
    expect(resolveTokenOptions({ secret: "o".repeat(40), lifetimeSeconds: 60 }, env)).toEqual({
      secret: "o".repeat(40),
      lifetimeSeconds: 60,
    });
    expect(resolveTokenOptions({}, { AGENTOPS_SERVER_TOKEN_SECRET: "", AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS: "" })).toEqual({
      secret: undefined,
      lifetimeSeconds: 86_400,
    });
  });

  it.each([
    [{ AGENTOPS_SERVER_TOKEN_SECRET: "short" }, /32 bytes/],
    [{ AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS: "1h" }, /whole number/],
    [{ AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS: "-5" }, /whole number/],
    [{ AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS: "0" }, /from 1/],
    [{ AGENTOPS_SERVER_TOKEN_LIFETIME_SECONDS: String(400 * 86_400) }, /from 1/],
  ])("refuses %j", (env, message) => {
    expect(() => resolveTokenOptions({}, env)).toThrow(message);
  });
});

describe("signJwt / verifyJwt", () => {
  const key = Buffer.from(SECRET);
  it("round-trips claims and says why a token is refused", () => {
    const token = signJwt({ sub: "p", iat: 1000, exp: 2000 }, key);
    expect(verifyJwt(token, key, 1500)).toEqual({ claims: { sub: "p", iat: 1000, exp: 2000 } });
    expect(verifyJwt(token, key, 2000)).toEqual({ rejected: "expired" });
    expect(verifyJwt(token, key, 600)).toEqual({ rejected: "not_yet_valid" });
    expect(verifyJwt(token, key, 700)).toEqual({ claims: expect.anything() }); // 300 s of leeway
    expect(verifyJwt(token, Buffer.from("another key of a sufficient length!!"), 1500)).toEqual({ rejected: "signature" });
    expect(verifyJwt(forge({ alg: "none" }, { iat: 1000, exp: 2000 }), key, 1500)).toEqual({ rejected: "algorithm" });
    expect(verifyJwt(forge({ alg: "HS256" }, { iat: "1000", exp: 2000 }), key, 1500)).toEqual({ rejected: "malformed" });
    expect(verifyJwt(forge({ alg: "HS256" }, [1, 2]), key, 1500)).toEqual({ rejected: "malformed" });
  });
});
