// The workspace's jest configuration, with a resolver that sends the client packages named in
// AGENTOPS_TEST_CLIENTS to the copy the version matrix installed.
const path = require("node:path");
const base = require("../../jest.config.js");

module.exports = {
  ...base,
  rootDir: path.join(__dirname, "..", ".."),
  resolver: path.join(__dirname, "jest-resolver.cjs"),
};
