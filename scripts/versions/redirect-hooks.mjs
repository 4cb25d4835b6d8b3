// ES module resolve hook of redirect.mjs: a listed client is resolved as if imported from the
// matrix's folder, so its package exports pick the right file of the version under test.
import path from "node:path";
import { pathToFileURL } from "node:url";

let clients = [];

export function initialize(data) {
  clients = data ?? [];
}

export function resolve(specifier, context, nextResolve) {
  const hit = clients.find(([name]) => specifier === name || specifier.startsWith(`${name}/`));
  if (!hit) return nextResolve(specifier, context);
  const [name, { folder, as }] = hit;
  const parentURL = pathToFileURL(path.join(folder, "index.mjs")).href;
  return nextResolve(as + specifier.slice(name.length), { ...context, parentURL });
}
