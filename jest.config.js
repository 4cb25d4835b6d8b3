/**
 * One jest run for the whole workspace. Tests import packages by name; the names map to
 * their TypeScript sources so a test never runs stale build output. Tests that start child
 * processes run the built packages (`pnpm build` runs first in `pnpm test`).
 */
const swc = [
  "@swc/jest",
  {
    jsc: {
      parser: { syntax: "typescript", decorators: true },
      transform: { decoratorVersion: "2022-03" },
      target: "es2022",
    },
    module: { type: "commonjs" },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/packages", "<rootDir>/examples"],
  testMatch: ["**/test/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  transform: { "^.+\\.(t|j)sx?$": swc },
  moduleNameMapper: {
    "^agentops$": "<rootDir>/packages/agentops/src/index.ts",
    "^@agentops/span-model/messages$": "<rootDir>/packages/span-model/src/messages.ts",
    "^@agentops/openai-agents$": "<rootDir>/packages/integration-openai-agents/src/index.ts",
    "^@agentops/langchain$": "<rootDir>/packages/integration-langchain/src/index.ts",
    "^@agentops/test-support$": "<rootDir>/packages/test-support/src/index.ts",
    "^@agentops/(semconv|span-model|instrumentation-core|pricing|mock-provider|instrumentation-openai|instrumentation-anthropic|instrumentation-mcp|server)$":
      "<rootDir>/packages/$1/src/index.ts",
  },
  testTimeout: 60_000,
  maxWorkers: 2,
};
