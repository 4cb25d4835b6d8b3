/**
 * The server's security properties, each checked against a real server: every route needs a
 * key (401 without one or with a wrong one, including forged and expired tokens); another
 * project's sessions answer exactly like missing ones (404); keys are stored only hashed (the
 * database files and tables never hold a plain key); the per-key rate limit (429 +
 * Retry-After); request size limits (413); SQL-injection-shaped ids, tags, filters and attribute
 * values round-trip as data on every store; the dashboard's Content-Security-Policy and headers
 * on / and its assets; and a `serve` process never logs keys, tokens or prompts.
 * Figures go to test-artifacts/faults.jsonl for `pnpm test:faults`.
 */
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync, readdirSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ATTR_AGENTOPS_SESSION_END_STATE_REASON,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_HOST_NAME,
  ATTR_SERVICE_NAME,
  traceIdToUuid,
} from "@agentops/semconv";
import pg from "pg";
import type { FastifyInstance } from "fastify";
import {
  createServer,
  generateApiKey,
  openStorage,
  parseApiKey,
  type ServerOptions,
  type Storage,
} from "../src/index";
import { RpcStatus } from "../src/otlp/otlp-proto";
import { assertBuilt, runCli, startServe, type ServeProcess } from "./utils/cli-process";
import { appendFaultFigures } from "./utils/fault-figures";
import { gzipBomb } from "./utils/fuzz-inputs";
import {
  contentType,
  gzip,
  hex,
  otlpBody,
  sessionSpans,
  type SpanInput,
} from "./utils/otlp-bodies";
import { PG_URL, pgSchemas } from "./utils/pg-schema";
import { createTestProject, type TestProject } from "./utils/server-harness";

const DASHBOARD_DIST = path.join(__dirname, "..", "..", "dashboard", "dist");

// ---------------------------------------------------------------------------------------------
// Figures: one check per test, one probe per request whose answer is asserted
// ---------------------------------------------------------------------------------------------

const tally = {
  checksRun: 0,
  checksPassed: 0,
  probes: 0,
  routesCovered: 0,
  credentialVariants: 0,
  stores: new Set<string>(),
};

function check(name: string, run: () => Promise<void>, timeoutMs = 60_000): void {
  it(
    name,
    async () => {
      tally.checksRun++;
      await run();
      tally.checksPassed++;
    },
    timeoutMs,
  );
}

afterAll(() => {
  appendFaultFigures("security", { ...tally, stores: [...tally.stores] });
});

// ---------------------------------------------------------------------------------------------
// A server in this process that records its routes
// ---------------------------------------------------------------------------------------------

interface SecurityServer {
  url: string;
  app: FastifyInstance;
  storage: Storage;
  projectA: TestProject;
  projectB: TestProject;
  /** Every route the server registered, as "METHOD /path". */
  routes: string[];
  close(): Promise<void>;
}

async function startSecurityServer(
  options: Partial<ServerOptions> & { store?: "sqlite" | "postgres"; projectName?: string } = {},
): Promise<SecurityServer> {
  const { store = "sqlite", projectName = "project-a", ...serverOptions } = options;
  tally.stores.add(store);
  const folder = mkdtempSync(path.join(tmpdir(), "agentops-security-"));
  const schemas = store === "postgres" ? pgSchemas(PG_URL!) : undefined;
  const storage = await openStorage(
    schemas ? await schemas.fresh() : `sqlite:${path.join(folder, "agentops.db")}`,
  );
  const projectA = await createTestProject(storage, projectName);
  const projectB = await createTestProject(storage, "project-b");
  const app = createServer({ dashboardDir: false, ...serverOptions, storage });
  const routes: string[] = [];
  // Plugins register their routes when the server starts, after this hook is in place.
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    url,
    app,
    storage,
    projectA,
    projectB,
    routes,
    async close() {
      await app.close();
      await storage.close();
      await schemas?.dropAll();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const body = Buffer.from(await response.arrayBuffer());
  tally.probes++;
  return { status: response.status, headers: response.headers, body, text: body.toString("utf8") };
}

async function ingest(
  server: { url: string },
  apiKey: string,
  spans: SpanInput[],
  resource?: Record<string, unknown>,
): Promise<void> {
  const answer = await request(`${server.url}/v1/traces`, {
    method: "POST",
    headers: { "content-type": "application/x-protobuf", "x-agentops-api-key": apiKey },
    body: otlpBody(spans, "protobuf", resource),
  });
  expect(answer.status).toBe(200);
  expect(answer.body.length).toBe(0); // no partial_success: every span stored
}

const keyHeader = (apiKey: string) => ({ "x-agentops-api-key": apiKey });

const base64UrlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** A JWT with our claims for `projectId`, signed as `algorithm` says (never with the server's secret). */
function forgedToken(projectId: string, algorithm: "none" | "HS256-wrong-key" | "HS512"): string {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: "agentops-server",
    sub: projectId,
    project_id: projectId,
    iat: now,
    exp: now + 3600,
  };
  const header = base64UrlJson({
    alg: algorithm === "none" ? "none" : algorithm === "HS512" ? "HS512" : "HS256",
    typ: "JWT",
  });
  const input = `${header}.${base64UrlJson(claims)}`;
  if (algorithm === "none") return `${input}.`;
  const digest = algorithm === "HS512" ? "sha512" : "sha256";
  return `${input}.${createHmac(digest, randomBytes(32)).update(input).digest("base64url")}`;
}

// ---------------------------------------------------------------------------------------------
// 1. Authentication on every route
// ---------------------------------------------------------------------------------------------

/** Routes any client may call: health, the dashboard link redirect (no data) and the dashboard. */
const PUBLIC_ROUTES = new Set(["GET /healthz", "HEAD /healthz", "GET /sessions", "HEAD /sessions"]);

describe("authentication", () => {
  let server: SecurityServer;
  let clock = Date.now();
  let sessionId: string;
  let expiredToken: string;

  beforeAll(async () => {
    server = await startSecurityServer({ now: () => clock, rateLimit: false });
    const session = sessionSpans();
    sessionId = session.sessionId;
    await ingest(server, server.projectA.apiKey, session.spans);
    const issued = await request(`${server.url}/v3/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: server.projectA.apiKey }),
    });
    expect(issued.status).toBe(200);
    expiredToken = JSON.parse(issued.text).token;
  });
  afterAll(async () => {
    await server.close();
  });

  /** Credentials that must never be accepted, as headers. */
  function badCredentials(): Array<[string, Record<string, string>]> {
    const { lookup } = parseApiKey(server.projectA.apiKey)!;
    const key = server.projectA.apiKey;
    return [
      ["no credential", {}],
      ["an empty key", { "x-agentops-api-key": " " }],
      ["a malformed key", { "x-agentops-api-key": "not-a-key" }],
      ["an unknown well-formed key", keyHeader(generateApiKey().apiKey)],
      [
        "a known lookup id with a wrong secret",
        keyHeader(`ak_${lookup}_${randomBytes(32).toString("base64url")}`),
      ],
      ["the key without its last character", keyHeader(key.slice(0, -1))],
      ["the key with a character more", keyHeader(`${key}A`)],
      ["the key in upper case", keyHeader(key.toUpperCase())],
      ["Bearer with an unknown key", { authorization: `Bearer ${generateApiKey().apiKey}` }],
      [
        "Basic with the right key",
        { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` },
      ],
      [
        "a token signed with alg none",
        { authorization: `Bearer ${forgedToken(server.projectA.id, "none")}` },
      ],
      [
        "a token signed with another key",
        { authorization: `Bearer ${forgedToken(server.projectA.id, "HS256-wrong-key")}` },
      ],
      [
        "a token with alg HS512",
        { authorization: `Bearer ${forgedToken(server.projectA.id, "HS512")}` },
      ],
      ["an expired token", { authorization: `Bearer ${expiredToken}` }],
    ];
  }

  check("the server registers the routes this suite covers (so none goes unchecked)", async () => {
    for (const route of [
      "POST /v1/traces",
      "GET /v2/project",
      "GET /v2/sessions",
      "GET /v2/sessions/:id/stats",
      "GET /v2/sessions/:id/export",
      "GET /v2/sessions/:id/spans",
      "GET /v3/auth/token",
      "POST /v3/auth/token",
    ]) {
      expect(server.routes).toContain(route);
    }
  });

  check(
    "every route but health, the dashboard link and the dashboard answers 401 without a valid credential, the same for an unknown key as for a wrong secret",
    async () => {
      clock = Date.now() + 25 * 3600 * 1000; // the token issued in beforeAll has expired
      const protectedRoutes = server.routes.filter(
        (route) => !PUBLIC_ROUTES.has(route) && route !== "POST /v3/auth/token",
      );
      const variants = badCredentials();
      tally.routesCovered = protectedRoutes.length + 1;
      tally.credentialVariants = variants.length;
      const failures: string[] = [];
      for (const route of protectedRoutes) {
        const [method, pattern] = route.split(" ") as [string, string];
        const url = `${server.url}${pattern.replace(/:[A-Za-z_]+/g, sessionId)}`;
        const bodies = new Map<string, string>();
        for (const [name, headers] of variants) {
          const traceId = hex(16);
          const init: RequestInit = { method, headers: { ...headers } };
          if (method === "POST" && pattern === "/v1/traces") {
            init.headers = { ...headers, "content-type": "application/x-protobuf" };
            init.body = otlpBody(sessionSpans({ traceId }).spans, "protobuf");
          } else if (method !== "GET" && method !== "HEAD") {
            init.headers = { ...headers, "content-type": "application/json" };
            init.body = "{}";
          }
          const answer = await request(url, init);
          if (answer.status !== 401)
            failures.push(`${route} with ${name}: ${answer.status} ${answer.text.slice(0, 120)}`);
          bodies.set(name, answer.text);
          if (pattern === "/v1/traces") {
            // Nothing of a refused request is stored, in either project.
            for (const project of [server.projectA, server.projectB]) {
              if (await server.storage.sessionStats(project.id, traceIdToUuid(traceId)))
                failures.push(`${route} with ${name} stored spans`);
            }
          }
        }
        if (
          bodies.get("an unknown well-formed key") !==
          bodies.get("a known lookup id with a wrong secret")
        ) {
          failures.push(`${route}: an unknown key and a wrong secret get different answers`);
        }
      }
      // The key in the query string is not a credential either.
      const query = await request(
        `${server.url}/v2/project?api_key=${encodeURIComponent(server.projectA.apiKey)}`,
      );
      if (query.status !== 401) failures.push(`GET /v2/project?api_key=…: ${query.status}`);
      expect(failures).toEqual([]);
    },
  );

  check(
    "POST /v3/auth/token hands out no token for a wrong key in its body (401), and none without one (400)",
    async () => {
      const { lookup } = parseApiKey(server.projectA.apiKey)!;
      const post = (body: unknown) =>
        request(`${server.url}/v3/auth/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      for (const apiKey of [
        "not-a-key",
        generateApiKey().apiKey,
        `ak_${lookup}_${randomBytes(32).toString("base64url")}`,
        server.projectA.apiKey.slice(0, -1),
        expiredToken,
      ]) {
        const answer = await post({ api_key: apiKey });
        expect({ apiKey, status: answer.status }).toEqual({ apiKey, status: 401 });
        expect(answer.text).not.toMatch(/token"/);
      }
      for (const body of [{}, { api_key: "" }, { api_key: 42 }, [server.projectA.apiKey]]) {
        const answer = await post(body);
        expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      }
    },
  );

  check(
    "the public routes hold no data: health answers a status, the dashboard link only redirects",
    async () => {
      const health = await request(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.text)).toEqual({ status: "ok" });
      const link = await request(`${server.url}/sessions?trace_id=${sessionId.replace(/-/g, "")}`, {
        redirect: "manual",
      });
      expect(link.status).toBe(302);
      expect(link.headers.get("location")).toBe(`/#/sessions/${sessionId}`);
      expect(link.text).not.toMatch(/llm|tokens|cost/);
    },
  );

  check(
    "no answer invites another origin to read it (no CORS): a page elsewhere cannot use a key it finds",
    async () => {
      const origin = "https://attacker.example";
      const preflight = await request(`${server.url}/v2/project`, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "GET",
          "access-control-request-headers": "x-agentops-api-key",
        },
      });
      expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
      expect(preflight.headers.get("access-control-allow-headers")).toBeNull();
      for (const route of [
        "/v2/project",
        `/v2/sessions/${sessionId}/stats`,
        "/v3/auth/token",
        "/healthz",
      ]) {
        const answer = await request(`${server.url}${route}`, {
          headers: { ...keyHeader(server.projectA.apiKey), origin },
        });
        expect({ route, allowed: answer.headers.get("access-control-allow-origin") }).toEqual({
          route,
          allowed: null,
        });
      }
    },
  );

  check(
    "the key is checked before the body is read: 401, not 413, for a huge unauthenticated body",
    async () => {
      const answer = await request(`${server.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body: Buffer.alloc(9 * 1024 * 1024),
      });
      expect(answer.status).toBe(401);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// 2. Projects are isolated
// ---------------------------------------------------------------------------------------------

describe("project isolation", () => {
  let server: SecurityServer;
  let sessionA: ReturnType<typeof sessionSpans>;
  let tokenB: string;

  beforeAll(async () => {
    server = await startSecurityServer();
    sessionA = sessionSpans({ tags: ["only-in-a"] });
    await ingest(server, server.projectA.apiKey, sessionA.spans);
    await ingest(server, server.projectB.apiKey, sessionSpans({ tags: ["in-b"] }).spans);
    const issued = await request(`${server.url}/v3/auth/token`, {
      headers: keyHeader(server.projectB.apiKey),
    });
    tokenB = JSON.parse(issued.text).token;
  });
  afterAll(async () => {
    await server.close();
  });

  check(
    "another project's session gets the very answer of a session that does not exist, on every session route, with a key or a token",
    async () => {
      const unknownId = traceIdToUuid(hex(16));
      for (const credential of [
        keyHeader(server.projectB.apiKey),
        { authorization: `Bearer ${tokenB}` },
      ]) {
        for (const route of ["stats", "export", "spans"]) {
          const forms = [
            sessionA.sessionId,
            sessionA.sessionId.toUpperCase(),
            sessionA.sessionId.replace(/-/g, ""),
          ];
          const unknown = await request(`${server.url}/v2/sessions/${unknownId}/${route}`, {
            headers: credential,
          });
          expect(unknown.status).toBe(404);
          for (const id of forms) {
            const other = await request(`${server.url}/v2/sessions/${id}/${route}`, {
              headers: credential,
            });
            expect({
              route,
              id,
              status: other.status,
              body: other.text,
              type: other.headers.get("content-type"),
            }).toEqual({
              route,
              id,
              status: 404,
              body: unknown.text,
              type: unknown.headers.get("content-type"),
            });
          }
        }
      }
    },
  );

  check(
    "a project's list, tag filter and project route never show another project's sessions",
    async () => {
      const list = await request(`${server.url}/v2/sessions?limit=200`, {
        headers: keyHeader(server.projectB.apiKey),
      });
      expect(list.status).toBe(200);
      const ids = JSON.parse(list.text).sessions.map(
        (session: { session_id: string }) => session.session_id,
      );
      expect(ids).not.toContain(sessionA.sessionId);
      expect(ids.length).toBeGreaterThan(0);
      const tagged = await request(`${server.url}/v2/sessions?tag=only-in-a`, {
        headers: keyHeader(server.projectB.apiKey),
      });
      expect(JSON.parse(tagged.text).sessions).toEqual([]);
      for (const project of [server.projectA, server.projectB]) {
        const own = await request(`${server.url}/v2/project`, {
          headers: keyHeader(project.apiKey),
        });
        expect(JSON.parse(own.text).project_id).toBe(project.id);
      }
    },
  );

  check(
    "spans another project sends under the same trace id go to its own session, leaving this one unchanged",
    async () => {
      const before = await request(`${server.url}/v2/sessions/${sessionA.sessionId}/stats`, {
        headers: keyHeader(server.projectA.apiKey),
      });
      const spansBefore = await request(`${server.url}/v2/sessions/${sessionA.sessionId}/spans`, {
        headers: keyHeader(server.projectA.apiKey),
      });
      // Same trace id and even the same span ids, from project B.
      await ingest(
        server,
        server.projectB.apiKey,
        sessionSpans({ traceId: sessionA.traceId, tags: ["hijack"], endState: "Failure" }).spans,
      );
      await ingest(
        server,
        server.projectB.apiKey,
        sessionA.spans.map((span) => ({ ...span, name: "overwritten?" })),
      );
      const after = await request(`${server.url}/v2/sessions/${sessionA.sessionId}/stats`, {
        headers: keyHeader(server.projectA.apiKey),
      });
      const spansAfter = await request(`${server.url}/v2/sessions/${sessionA.sessionId}/spans`, {
        headers: keyHeader(server.projectA.apiKey),
      });
      expect(after.text).toBe(before.text);
      expect(spansAfter.text).toBe(spansBefore.text);
      const inB = await request(`${server.url}/v2/sessions/${sessionA.sessionId}/stats`, {
        headers: keyHeader(server.projectB.apiKey),
      });
      expect(inB.status).toBe(200);
      expect(JSON.parse(inB.text).project_id).toBe(server.projectB.id);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// 3. Keys are stored hashed
// ---------------------------------------------------------------------------------------------

/** The forms in which a key could sit in a database: the key, its secret, the secret's bytes. */
function keyForms(apiKey: string): Array<[string, Buffer]> {
  const { secret } = parseApiKey(apiKey)!;
  const raw = Buffer.from(secret, "base64url");
  return [
    ["the key", Buffer.from(apiKey)],
    ["the secret", Buffer.from(secret)],
    ["the secret as UTF-16", Buffer.from(secret, "utf16le")],
    ["the secret's bytes", raw],
    ["the secret's bytes in hex", Buffer.from(raw.toString("hex"))],
    ["the secret's bytes in base64", Buffer.from(raw.toString("base64"))],
  ];
}

describe("keys at rest", () => {
  beforeAll(() => assertBuilt());

  check(
    "SQLite: after projects create and a server that verified the key and issued tokens, no database file holds the key or its secret",
    async () => {
      tally.stores.add("sqlite");
      const folder = mkdtempSync(path.join(tmpdir(), "agentops-keys-"));
      let server: ServeProcess | undefined;
      try {
        const db = `sqlite:${path.join(folder, "agentops.db")}`;
        const created = await runCli(["projects", "create", "hashed", "--db", db, "--json"]);
        const { api_key: apiKey } = JSON.parse(created.stdout) as { api_key: string };
        server = await startServe(["--port", "0", "--db", db, "--no-dashboard"]);
        await ingest(server, apiKey, sessionSpans().spans);
        const token = JSON.parse(
          (await request(`${server.url}/v3/auth/token`, { headers: keyHeader(apiKey) })).text,
        ).token as string;
        expect(
          (
            await request(`${server.url}/v2/project`, {
              headers: { authorization: `Bearer ${token}` },
            })
          ).status,
        ).toBe(200);
        // Read the files while the server runs (the WAL holds the latest writes), then after it stopped.
        const scan = () => {
          const files = readdirSync(folder).map(
            (name) => [name, readFileSync(path.join(folder, name))] as const,
          );
          expect(files.map(([name]) => name)).toContain("agentops.db");
          const found: string[] = [];
          for (const [name, bytes] of files) {
            for (const [form, needle] of [
              ...keyForms(apiKey),
              ["the token", Buffer.from(token)] as [string, Buffer],
            ]) {
              if (bytes.includes(needle)) found.push(`${form} in ${name}`);
            }
          }
          // The lookup id is stored in clear by design: seeing it proves the scan reads the key's row.
          expect(
            files.some(([, bytes]) => bytes.includes(Buffer.from(parseApiKey(apiKey)!.lookup))),
          ).toBe(true);
          tally.probes++;
          return found;
        };
        expect(scan()).toEqual([]);
        expect(await server.stop("SIGTERM")).toBe(0);
        server = undefined;
        expect(scan()).toEqual([]);
        const storage = await openStorage(db);
        try {
          const row = await storage.findKey(parseApiKey(apiKey)!.lookup);
          expect(row!.keyHash).toMatch(/^sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
        } finally {
          await storage.close();
        }
      } finally {
        await server?.stop("SIGKILL");
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );

  (PG_URL ? check : it.skip)(
    "PostgreSQL: no row of any table holds the key or its secret",
    async () => {
      tally.stores.add("postgres");
      const schemas = pgSchemas(PG_URL!);
      const url = await schemas.fresh();
      const client = new pg.Client({ connectionString: url });
      try {
        const created = await runCli(["projects", "create", "hashed", "--db", url, "--json"]);
        const { api_key: apiKey } = JSON.parse(created.stdout) as { api_key: string };
        await client.connect();
        const { rows: tables } = await client.query<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
        );
        expect(tables.map((table) => table.table_name)).toContain("api_keys");
        let dump = "";
        for (const { table_name: table } of tables) {
          const { rows } = await client.query<{ row: string }>(
            `SELECT t::text AS row FROM "${table.replace(/"/g, '""')}" t`,
          );
          dump += rows.map((row) => row.row).join("\n");
        }
        const text = Buffer.from(dump);
        expect(text.includes(Buffer.from(parseApiKey(apiKey)!.lookup))).toBe(true);
        for (const [form, needle] of keyForms(apiKey)) {
          tally.probes++;
          expect({ form, found: text.includes(needle) }).toEqual({ form, found: false });
        }
      } finally {
        await client.end();
        await schemas.dropAll();
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// 4. Rate limit
// ---------------------------------------------------------------------------------------------

describe("rate limit", () => {
  check(
    "past its burst, a key gets 429 with Retry-After in the request's encoding; other projects are unaffected; a token of the same project shares the bucket; the bucket refills",
    async () => {
      let clock = Date.now();
      const server = await startSecurityServer({
        rateLimit: { requestsPerSecond: 1, burst: 3 },
        now: () => clock,
      });
      try {
        const post = (
          headers: Record<string, string>,
          encoding: "json" | "protobuf" = "protobuf",
        ) =>
          request(`${server.url}/v1/traces`, {
            method: "POST",
            headers: { ...headers, "content-type": contentType(encoding) },
            body: otlpBody(sessionSpans().spans, encoding),
          });
        const token = JSON.parse(
          (
            await request(`${server.url}/v3/auth/token`, {
              headers: keyHeader(server.projectA.apiKey),
            })
          ).text,
        ).token as string;
        for (let i = 0; i < 3; i++)
          expect((await post(keyHeader(server.projectA.apiKey))).status).toBe(200);
        for (const encoding of ["protobuf", "json"] as const) {
          const limited = await post(keyHeader(server.projectA.apiKey), encoding);
          expect(limited.status).toBe(429);
          expect(limited.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
          const status =
            encoding === "json"
              ? JSON.parse(limited.text)
              : RpcStatus.toObject(RpcStatus.decode(limited.body), { defaults: true });
          expect(status.code).toBe(8); // RESOURCE_EXHAUSTED
        }
        expect((await post({ authorization: `Bearer ${token}` })).status).toBe(429);
        expect((await post(keyHeader(server.projectB.apiKey))).status).toBe(200);
        clock += 1000;
        expect((await post(keyHeader(server.projectA.apiKey))).status).toBe(200);
        expect((await post(keyHeader(server.projectA.apiKey))).status).toBe(429);
      } finally {
        await server.close();
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// 5. Request size limits
// ---------------------------------------------------------------------------------------------

/** A chunked POST (no Content-Length) of `size` bytes; resolves with the status. */
function postChunked(url: string, headers: Record<string, string>, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/v1/traces`, { method: "POST", headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on("error", reject);
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    let sent = 0;
    const write = () => {
      while (sent < size) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}

/** Sends only the head of a request declaring a large body; resolves with the status line's code. */
function declareOnly(url: string, apiKey: string, contentLength: number): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("no answer to a request that declared a body over the limit"));
    }, 5000);
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (match) {
        clearTimeout(timer);
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on("error", reject);
    socket.write(
      `POST /v1/traces HTTP/1.1\r\nHost: ${hostname}\r\nX-Agentops-Api-Key: ${apiKey}\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${contentLength}\r\n\r\n`,
    );
  });
}

describe("request size limits", () => {
  check(
    "bodies over the limit get 413 however they arrive: declared, chunked, compressed (a gzip bomb), on the token route too; oversized headers get 431",
    async () => {
      const server = await startSecurityServer({ bodyLimitBytes: 64 * 1024, rateLimit: false });
      try {
        const key = server.projectA.apiKey;
        for (const encoding of ["protobuf", "json"] as const) {
          const answer = await request(`${server.url}/v1/traces`, {
            method: "POST",
            headers: { ...keyHeader(key), "content-type": contentType(encoding) },
            body: Buffer.alloc(65 * 1024, 0x20),
          });
          expect(answer.status).toBe(413);
          const status =
            encoding === "json"
              ? JSON.parse(answer.text)
              : RpcStatus.toObject(RpcStatus.decode(answer.body), { defaults: true });
          expect(status.message).toMatch(/exceeds the limit of 65536 bytes/);
        }
        tally.probes += 2;
        expect(await declareOnly(server.url, key, 1024 * 1024 * 1024)).toBe(413);
        expect(
          await postChunked(
            server.url,
            { ...keyHeader(key), "content-type": "application/json" },
            256 * 1024,
          ),
        ).toBe(413);
        const bomb = await request(`${server.url}/v1/traces`, {
          method: "POST",
          headers: {
            ...keyHeader(key),
            "content-type": "application/x-protobuf",
            "content-encoding": "gzip",
          },
          body: gzipBomb(),
        });
        expect(bomb.status).toBe(413);
        const token = await request(`${server.url}/v3/auth/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ api_key: key, padding: "x".repeat(32 * 1024) }),
        });
        expect(token.status).toBe(413);
        const headers = await request(`${server.url}/v2/sessions?tag=${"x".repeat(20 * 1024)}`, {
          headers: keyHeader(key),
        });
        expect(headers.status).toBe(431);
        // The server is still serving.
        await ingest(server, key, sessionSpans().spans);
      } finally {
        await server.close();
      }
    },
  );
});

// ---------------------------------------------------------------------------------------------
// 6. SQL only with parameters
// ---------------------------------------------------------------------------------------------

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE spans; --",
  '"; DROP TABLE sessions; --',
  "x') OR 1=1 --",
  "1; DELETE FROM api_keys",
  "%' OR tags LIKE '%",
  "$1",
  "?",
  "\\'; SELECT pg_sleep(5); --",
  "' UNION SELECT key_hash FROM api_keys --",
  "Robert'); DROP TABLE projects;--",
  "tag\\",
  "*/ OR /*",
  "json_each(sessions.tags)",
];

const STORES: Array<["sqlite" | "postgres", boolean]> = [
  ["sqlite", true],
  ["postgres", Boolean(PG_URL)],
];

describe("SQL-injection-shaped input", () => {
  for (const [store, available] of STORES) {
    (available ? check : it.skip)(
      `${store}: ids, tags, filters, names and attribute values shaped like SQL round-trip as data`,
      async () => {
        const server = await startSecurityServer({
          store,
          projectName: INJECTIONS[10],
          rateLimit: false,
        });
        try {
          const key = server.projectA.apiKey;
          const get = async (route: string) => {
            const answer = await request(`${server.url}${route}`, { headers: keyHeader(key) });
            return {
              status: answer.status,
              json: answer.text ? JSON.parse(answer.text) : undefined,
            };
          };
          const control = sessionSpans({ tags: ["control"] });
          await ingest(server, key, control.spans);
          const controlStats = await get(`/v2/sessions/${control.sessionId}/stats`);

          const session = sessionSpans({ tags: INJECTIONS });
          const [root, llm] = session.spans;
          root!.name = INJECTIONS[1]!;
          root!.attributes![ATTR_AGENTOPS_SESSION_END_STATE_REASON] = INJECTIONS[3];
          llm!.attributes![ATTR_GEN_AI_REQUEST_MODEL] = INJECTIONS[0];
          llm!.attributes![ATTR_GEN_AI_PROVIDER_NAME] = INJECTIONS[4];
          for (const [i, injection] of INJECTIONS.entries())
            llm!.attributes![injection] = INJECTIONS[(i + 1) % INJECTIONS.length];
          await ingest(server, key, session.spans, {
            [ATTR_SERVICE_NAME]: INJECTIONS[2],
            [ATTR_HOST_NAME]: INJECTIONS[9],
          });

          const stats = await get(`/v2/sessions/${session.sessionId}/stats`);
          expect(stats.status).toBe(200);
          expect(stats.json.tags).toEqual(INJECTIONS);
          expect(stats.json.end_state_reason).toBe(INJECTIONS[3]);
          const spans = await get(`/v2/sessions/${session.sessionId}/spans`);
          const byId = new Map<string, any>(
            spans.json.spans.map((span: { span_id: string }) => [span.span_id, span]),
          );
          expect(byId.get(root!.spanId!).name).toBe(INJECTIONS[1]);
          const storedLlm = byId.get(llm!.spanId!);
          // Provider names are compared in lower case (a normalisation, not an injection).
          expect(storedLlm).toMatchObject({
            model: INJECTIONS[0],
            provider: INJECTIONS[4]!.toLowerCase(),
          });
          for (const [i, injection] of INJECTIONS.entries())
            expect(storedLlm.attributes[injection]).toBe(INJECTIONS[(i + 1) % INJECTIONS.length]);
          const exported = await get(`/v2/sessions/${session.sessionId}/export`);
          expect(exported.json.session.host_env).toMatchObject({
            [ATTR_SERVICE_NAME]: INJECTIONS[2],
            [ATTR_HOST_NAME]: INJECTIONS[9],
          });
          expect(exported.json.llms[0].model).toBe(INJECTIONS[0]);

          // Each tag finds exactly its session; a tag shaped like a condition finds nothing.
          for (const tag of INJECTIONS) {
            const list = await get(`/v2/sessions?tag=${encodeURIComponent(tag)}`);
            expect({
              tag,
              ids: list.json.sessions.map((item: { session_id: string }) => item.session_id),
            }).toEqual({ tag, ids: [session.sessionId] });
          }
          for (const tag of ["control' OR '1'='1", "%", "_", "' OR 1=1 --", 'control" OR "1"="1']) {
            const list = await get(`/v2/sessions?tag=${encodeURIComponent(tag)}`);
            expect({ tag, sessions: list.json.sessions }).toEqual({ tag, sessions: [] });
          }
          // Ids and filters shaped like SQL are refused as malformed.
          const cursor = Buffer.from(JSON.stringify([1, "' OR 1=1 --"])).toString("base64url");
          for (const route of [
            `/v2/sessions/${encodeURIComponent(INJECTIONS[0]!)}/stats`,
            `/v2/sessions/${encodeURIComponent(`${session.sessionId}' OR '1'='1`)}/spans`,
            `/v2/sessions?end_state=${encodeURIComponent("Success' OR '1'='1")}`,
            `/v2/sessions?from=${encodeURIComponent("2020-01-01' OR 1=1 --")}`,
            `/v2/sessions?to=${encodeURIComponent("1; DROP TABLE sessions")}`,
            `/v2/sessions?limit=${encodeURIComponent("1; DROP TABLE spans")}`,
            `/v2/sessions?cursor=${encodeURIComponent(INJECTIONS[1]!)}`,
            `/v2/sessions?cursor=${cursor}`,
          ]) {
            const answer = await get(route);
            expect({ route, status: answer.status }).toEqual({ route, status: 400 });
          }
          // The project's name, and everything stored before, are intact.
          expect((await get("/v2/project")).json.name).toBe(INJECTIONS[10]);
          expect(await get(`/v2/sessions/${control.sessionId}/stats`)).toEqual(controlStats);
          const all = await get("/v2/sessions?limit=200");
          expect(
            all.json.sessions.map((item: { session_id: string }) => item.session_id).sort(),
          ).toEqual([control.sessionId, session.sessionId].sort());
          expect(
            await server.storage.recomputeStats(server.projectA.id, session.sessionId),
          ).toEqual(await server.storage.sessionStats(server.projectA.id, session.sessionId));
        } finally {
          await server.close();
        }
      },
    );
  }
});

// ---------------------------------------------------------------------------------------------
// 7. The dashboard's headers
// ---------------------------------------------------------------------------------------------

function parseCsp(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

function expectStrictCsp(header: string | null, where: string): void {
  const csp = parseCsp(header);
  tally.probes++;
  expect({ where, defaultSrc: csp.get("default-src") }).toEqual({ where, defaultSrc: ["'self'"] });
  for (const directive of ["script-src", "style-src", "default-src", "connect-src", "worker-src"]) {
    for (const value of csp.get(directive) ?? []) {
      expect({
        where,
        directive,
        value,
        unsafe: /unsafe-|\*|^data:|^blob:|^http:/.test(value) && directive !== "img-src",
      }).toEqual({ where, directive, value, unsafe: false });
    }
  }
  expect(csp.get("object-src")).toEqual(["'none'"]);
  expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  expect(csp.get("base-uri")).toEqual(["'self'"]);
}

describe("dashboard headers", () => {
  let server: ServeProcess;
  let folder: string;
  let apiKey: string;

  beforeAll(async () => {
    assertBuilt();
    folder = mkdtempSync(path.join(tmpdir(), "agentops-dashboard-security-"));
    const db = `sqlite:${path.join(folder, "agentops.db")}`;
    apiKey = JSON.parse(
      (await runCli(["projects", "create", "dashboard", "--db", db, "--json"])).stdout,
    ).api_key;
    server = await startServe(["--port", "0", "--db", db]);
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    rmSync(folder, { recursive: true, force: true });
  });

  check(
    "/, index.html and client-side routes are HTML under a strict CSP, with nosniff and no framing, and the page has no inline script or handler",
    async () => {
      for (const route of [
        "/",
        "/index.html",
        `/sessions/${traceIdToUuid(hex(16))}`,
        "/sessions",
      ]) {
        for (const method of ["GET", "HEAD"]) {
          const answer = await request(`${server.url}${route}`, { method, redirect: "manual" });
          if (route === "/sessions") {
            expect(answer.status).toBe(302); // the dashboard link route
            continue;
          }
          expect({ route, method, status: answer.status }).toEqual({ route, method, status: 200 });
          expect(answer.headers.get("content-type")).toBe("text/html; charset=utf-8");
          expectStrictCsp(answer.headers.get("content-security-policy"), `${method} ${route}`);
          expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
          expect(answer.headers.get("x-frame-options")).toBe("DENY");
          if (method === "GET") {
            expect(answer.text).toMatch(/<script [^>]*src="/);
            expect(answer.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
            expect(answer.text).not.toMatch(/\son[a-z]+\s*=/i);
            expect(answer.text).not.toMatch(/\sstyle\s*=/i);
          }
        }
      }
    },
  );

  check(
    "every asset is served with its own type, nosniff, and the CSP (a worker script runs under the policy of its own response)",
    async () => {
      const assets = readdirSync(path.join(DASHBOARD_DIST, "assets")).filter(
        (name) => !name.endsWith(".map"),
      );
      expect(assets.some((name) => name.endsWith(".js"))).toBe(true);
      for (const name of assets) {
        const answer = await request(`${server.url}/assets/${name}`);
        expect({ name, status: answer.status }).toEqual({ name, status: 200 });
        expect(answer.headers.get("content-type")).toBe(
          name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
        );
        expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
        expectStrictCsp(answer.headers.get("content-security-policy"), `/assets/${name}`);
      }
      const missing = await request(`${server.url}/assets/missing.js`);
      expect(missing.status).toBe(404);
    },
  );

  check(
    "paths that climb out of the dashboard folder never serve a file from outside it",
    async () => {
      const outside = readFileSync(path.join(DASHBOARD_DIST, "..", "package.json"), "utf8");
      for (const route of [
        "/../package.json",
        "/%2e%2e/package.json",
        "/assets/%2e%2e/%2e%2e/package.json",
        "/..%2fpackage.json",
        "/assets/..%2f..%2fpackage.json",
        "/%2e%2e%2f%2e%2e%2fserver%2fpackage.json",
        "/assets/%00.js",
        "/....//package.json",
      ]) {
        const answer = await request(`${server.url}${route}`);
        expect({
          route,
          leaked:
            answer.text.includes(outside.slice(0, 40)) ||
            answer.text.includes('"name": "@agentops/'),
        }).toEqual({ route, leaked: false });
        expect([200, 400, 404]).toContain(answer.status);
      }
    },
  );

  check("API answers are JSON with nosniff, also when they echo what the client sent", async () => {
    for (const route of [
      "/v2/<script>alert(1)</script>",
      `/v2/sessions/${encodeURIComponent("<img src=x onerror=alert(1)>")}/stats`,
      "/v2/project",
    ]) {
      const answer = await request(`${server.url}${route}`, { headers: keyHeader(apiKey) });
      expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Logs
// ---------------------------------------------------------------------------------------------

describe("logs", () => {
  check(
    "a serve process at its most verbose level logs its requests but never a key, a token or a prompt",
    async () => {
      assertBuilt();
      tally.stores.add("sqlite");
      const folder = mkdtempSync(path.join(tmpdir(), "agentops-logs-"));
      let server: ServeProcess | undefined;
      try {
        const db = `sqlite:${path.join(folder, "agentops.db")}`;
        const { api_key: apiKey } = JSON.parse(
          (await runCli(["projects", "create", "logs", "--db", db, "--json"])).stdout,
        ) as { api_key: string };
        server = await startServe([
          "--port",
          "0",
          "--db",
          db,
          "--no-dashboard",
          "--log-level",
          "trace",
        ]);
        const prompt = `PROMPT-${randomBytes(8).toString("hex")}`;
        const completion = `COMPLETION-${randomBytes(8).toString("hex")}`;
        const session = sessionSpans();
        const llm = session.spans[1]!;
        llm.name = `chat ${prompt}`;
        llm.attributes![ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify([
          { role: "user", parts: [{ type: "text", content: prompt }] },
        ]);
        llm.attributes![ATTR_GEN_AI_OUTPUT_MESSAGES] = JSON.stringify([
          { role: "assistant", parts: [{ type: "text", content: completion }] },
        ]);
        llm.attributes!["gen_ai.prompt"] = prompt;
        session.spans[4]!.events![0]!.attributes!["exception.message"] = prompt;
        const url = server.url;
        const post = (
          headers: Record<string, string>,
          body: Buffer | string,
          type = "application/x-protobuf",
        ) =>
          request(`${url}/v1/traces`, {
            method: "POST",
            headers: { ...headers, "content-type": type },
            body,
          });

        expect(
          (
            await post(
              keyHeader(apiKey),
              otlpBody(session.spans, "protobuf", { [ATTR_HOST_NAME]: prompt }),
            )
          ).status,
        ).toBe(200);
        expect(
          (
            await post(
              { authorization: `Bearer ${apiKey}` },
              otlpBody(session.spans, "json"),
              "application/json",
            )
          ).status,
        ).toBe(200);
        expect(
          (
            await request(`${url}/v1/traces`, {
              method: "POST",
              headers: {
                ...keyHeader(apiKey),
                "content-type": "application/json",
                "content-encoding": "gzip",
              },
              body: gzip(otlpBody(session.spans, "json")),
            })
          ).status,
        ).toBe(200);
        // Refused requests that carry the key or the prompt.
        expect(
          (await post(keyHeader(apiKey), `{"resourceSpans": "${prompt}`, "application/json"))
            .status,
        ).toBe(400);
        expect((await post(keyHeader(apiKey), prompt, "text/plain")).status).toBe(415);
        expect(
          (await post(keyHeader(`${apiKey.slice(0, -4)}AAAA`), otlpBody(session.spans, "protobuf")))
            .status,
        ).toBe(401);
        expect(
          (await post(keyHeader(apiKey), Buffer.concat([Buffer.from(prompt), randomBytes(64)])))
            .status,
        ).toBe(400);
        // The REST API, the token exchange and the token.
        for (const route of ["stats", "export", "spans"]) {
          expect(
            (
              await request(`${url}/v2/sessions/${session.sessionId}/${route}`, {
                headers: keyHeader(apiKey),
              })
            ).text,
          ).toContain(route === "stats" ? "llm_calls" : "");
        }
        expect(
          (await request(`${url}/v2/sessions?tag=${prompt}`, { headers: keyHeader(apiKey) }))
            .status,
        ).toBe(200);
        expect((await request(`${url}/v2/project?api_key=${apiKey}`)).status).toBe(401);
        const issued = await request(`${url}/v3/auth/token`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ api_key: apiKey }),
        });
        const token = JSON.parse(issued.text).token as string;
        expect(
          (await request(`${url}/v3/auth/token`, { headers: { authorization: `Bearer ${token}` } }))
            .status,
        ).toBe(200);
        expect(
          (await request(`${url}/v2/project`, { headers: { authorization: `Bearer ${token}` } }))
            .status,
        ).toBe(200);
        expect(
          (
            await request(`${url}/v3/auth/token`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: `{"api_key": "${apiKey}"`,
            })
          ).status,
        ).toBe(400);
        expect(await server.stop("SIGTERM")).toBe(0);

        const output = server.output();
        const { secret } = parseApiKey(apiKey)!;
        const leaks = [
          ["the API key", apiKey],
          ["the key's secret", secret],
          ["the token", token],
          ["the token's signature", token.split(".")[2]!],
          ["the prompt", prompt],
          ["the completion", completion],
        ].filter(([, needle]) => output.includes(needle!));
        expect(leaks).toEqual([]);
        // The log is there: one line per request, with status and route.
        const requestLines = server.logs.filter((entry) => entry.msg === "request");
        expect(requestLines.length).toBeGreaterThanOrEqual(14);
        expect(requestLines.map((entry) => entry.status)).toEqual(
          expect.arrayContaining([200, 400, 401, 415]),
        );
        tally.probes++;
        server = undefined;
      } finally {
        await server?.stop("SIGKILL");
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );
});
