import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The dashboard bundles the shared attribute names and the span model's message reader (the
// part without Node.js dependencies) from their sources, so its build never depends on another
// package having been built first.
const semconvSource = fileURLToPath(new URL("../semconv/src/index.ts", import.meta.url));
const spanModelMessagesSource = fileURLToPath(new URL("../span-model/src/messages.ts", import.meta.url));

export default defineConfig({
  base: "./",
  resolve: { alias: { "@agentops/semconv": semconvSource, "@agentops/span-model/messages": spanModelMessagesSource } },
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    // One small bundle: the app is a few tens of kB and a single script keeps the CSP simple.
    modulePreload: false,
    assetsInlineLimit: 0,
  },
  // `pnpm dev`: the API requests go to a running server (AGENTOPS_API_ENDPOINT, default :4318).
  server: {
    host: "127.0.0.1",
    proxy: Object.fromEntries(
      ["/v1", "/v2", "/healthz"].map((prefix) => [prefix, process.env.AGENTOPS_API_ENDPOINT ?? "http://127.0.0.1:4318"]),
    ),
  },
});
