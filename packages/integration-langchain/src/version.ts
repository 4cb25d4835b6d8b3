/** The instrumentation scope of every span this package emits. */
export const INTEGRATION_NAME = "@agentops/langchain";
export const INTEGRATION_VERSION = "0.1.0";
