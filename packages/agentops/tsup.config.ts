import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/register.ts"],
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  shims: true,
  // The attribute names are bundled so that hot paths read them as plain constants.
  noExternal: ["@agentops/semconv"],
});
