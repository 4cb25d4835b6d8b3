export { MCPInstrumentation } from "./instrumentation";
export type { MCPInstrumentationConfig } from "./types";
