// Preloaded with NODE_OPTIONS=--import=<this file>: in every Node process of a matrix run (the
// tests' child processes included), `require` and `import` of a client listed in
// AGENTOPS_TEST_CLIENTS load the version under test.
import { createRequire, register } from "node:module";

const require = createRequire(import.meta.url);
const Module = require("node:module");
const { clients, redirectOf } = require("./clients.cjs");

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, isMain, options) {
  const hit = redirectOf(request);
  if (!hit) return resolveFilename.call(this, request, parent, isMain, options);
  return resolveFilename.call(this, hit.request, parent, isMain, { ...options, paths: [hit.folder] });
};

register("./redirect-hooks.mjs", import.meta.url, { data: clients });
