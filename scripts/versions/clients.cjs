// AGENTOPS_TEST_CLIENTS: JSON {"<package>": "<folder to resolve it from>"}: the client under test
// (a folder of the matrix's cache) and packages that must stay single copies. A bare request for a
// listed package or one of its subpaths ("openai", "openai/streaming") is resolved from its folder.
const clients = Object.entries(JSON.parse(process.env.AGENTOPS_TEST_CLIENTS || "{}"));

/** The folder to resolve `request` from, or undefined when it is not a listed client. */
function redirectOf(request) {
  if (typeof request !== "string") return undefined;
  const hit = clients.find(([name]) => request === name || request.startsWith(`${name}/`));
  return hit?.[1];
}

module.exports = { clients, redirectOf };
