// Jest resolves a listed client (and its subpaths, through the package's exports) from the
// matrix's folder instead of from the requiring file, so tests import the version under test.
const { redirectOf } = require("./clients.cjs");

module.exports = (request, options) => {
  const hit = redirectOf(request);
  return hit ? options.defaultResolver(hit.request, { ...options, basedir: hit.folder }) : options.defaultResolver(request, options);
};
