import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The dashboard bundles the shared attribute names from their sources, so its build never
// depends on another package having been built first.
const semconvSource = fileURLToPath(new URL("../semconv/src/index.ts", import.meta.url));

export default defineConfig({
  base: "./",
  resolve: { alias: { "@agentops/semconv": semconvSource } },
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
  server: { host: "127.0.0.1" },
});
