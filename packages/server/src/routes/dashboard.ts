import { createReadStream, existsSync, statSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";

/**
 * The dashboard's Content-Security-Policy: everything from this origin only, no inline or
 * evaluated scripts, no framing, no plugins.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // A session's video may live elsewhere (AgentOps records a URL); play it inline.
  "media-src 'self' https:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".wasm": "application/wasm",
};

/**
 * The built dashboard's folder: `dist` of the `@agentops/dashboard` package, resolved from the
 * running program and from the working directory; `undefined` when it is not installed or built.
 */
export function findDashboardDir(): string | undefined {
  // This module first (the dashboard is a dependency of the server), then the running program and
  // the working directory (an app that installed both side by side).
  const bases = [__filename, process.argv[1], path.join(process.cwd(), "index.js")].filter(
    (base): base is string => typeof base === "string" && base !== "",
  );
  for (const base of bases) {
    try {
      const packageJson = createRequire(path.resolve(base)).resolve("@agentops/dashboard/package.json");
      const dist = path.join(path.dirname(packageJson), "dist");
      if (existsSync(path.join(dist, "index.html")) && statSync(dist).isDirectory()) return dist;
    } catch {
      // not resolvable from here
    }
  }
  return undefined;
}

/**
 * Serves a static single-page app from `root`: files as they are, and `index.html` for any
 * other path without a file extension (client-side routes). Every file gets the strict CSP.
 */
export function createDashboardHandler(root: string): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  let realRoot: Promise<string> | undefined;
  return async (request, reply) => {
    realRoot ??= realpath(root);
    const base = await realRoot;
    const file = await resolveFile(base, request.url);
    if (!file) return reply.code(404).send({ error: "not_found", message: "not found" });
    const extension = path.extname(file).toLowerCase();
    const contentType = CONTENT_TYPES[extension] ?? "application/octet-stream";
    void reply.header("content-type", contentType);
    void reply.header("x-content-type-options", "nosniff");
    // On every file, not only HTML: a worker runs under the policy of its own script's response.
    void reply.header("content-security-policy", DASHBOARD_CSP);
    if (extension === ".html") {
      void reply.header("cache-control", "no-cache");
      void reply.header("x-frame-options", "DENY");
      void reply.header("referrer-policy", "no-referrer");
    } else if (file.startsWith(path.join(base, "assets") + path.sep)) {
      // Bundlers put content-hashed file names under assets/.
      void reply.header("cache-control", "public, max-age=31536000, immutable");
    } else {
      void reply.header("cache-control", "no-cache");
    }
    const { size } = await stat(file);
    void reply.header("content-length", String(size));
    if (request.method === "HEAD") return reply.send();
    return reply.send(createReadStream(file));
  };
}

async function resolveFile(root: string, url: string): Promise<string | undefined> {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url, "http://localhost").pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes("\0")) return undefined;
  const candidate = path.join(root, path.normalize(pathname));
  const found = await regularFileWithin(root, candidate);
  if (found) return found;
  const index = await regularFileWithin(root, path.join(candidate, "index.html"));
  if (index) return index;
  // A missing asset is a 404; any other path is a client-side route of the app.
  if (path.extname(pathname) !== "") return undefined;
  return regularFileWithin(root, path.join(root, "index.html"));
}

async function regularFileWithin(root: string, candidate: string): Promise<string | undefined> {
  try {
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + path.sep)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}
