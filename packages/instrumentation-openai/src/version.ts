/** The instrumentation scope of every span this package emits. */
export const INSTRUMENTATION_NAME = "@agentops/instrumentation-openai";
export const INSTRUMENTATION_VERSION = "0.1.0";
