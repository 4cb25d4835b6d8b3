// AGENTOPS_TEST_CLIENTS: JSON {"<package>": "<folder to resolve it from>" | {"folder", "as"}}: the
// client or framework under test (a folder of the matrix's cache) and packages that must stay single
// copies. A bare request for a listed package or one of its subpaths ("openai", "openai/streaming")
// is resolved from its folder; with `as`, under that name: tests that import one major under an
// alias ("ai-v5") get the package the cache installed under its own name ("ai").
const clients = Object.entries(JSON.parse(process.env.AGENTOPS_TEST_CLIENTS || "{}")).map(([name, target]) =>
  typeof target === "string" ? [name, { folder: target, as: name }] : [name, { folder: target.folder, as: target.as ?? name }],
);

/** {folder, request} to resolve instead of `request`, or undefined when it is not a listed client. */
function redirectOf(request) {
  if (typeof request !== "string") return undefined;
  const hit = clients.find(([name]) => request === name || request.startsWith(`${name}/`));
  if (!hit) return undefined;
  const [name, { folder, as }] = hit;
  return { folder, request: as + request.slice(name.length) };
}

module.exports = { clients, redirectOf };
