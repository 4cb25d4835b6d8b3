/** Name and version of this package, as the instrumentation scope of its spans. */
export const PACKAGE_NAME = "@agentops/instrumentation-mcp";
export const PACKAGE_VERSION = "0.1.0";
