import { resolveCaptureContent } from "@agentops/instrumentation-core";
import type { AnthropicInstrumentationConfig } from "./types";

/** The configuration with every default settled: explicit option, then environment, then default. */
export type ResolvedConfig = AnthropicInstrumentationConfig & {
  captureContent: boolean;
  suppressClientSpans: boolean;
};

/**
 * Settles the options once, so that calls read plain booleans.
 * `captureContent`: the option when it is a boolean, else `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`
 * is `"true"`; `suppressClientSpans`: the option when it is a boolean, else `true`.
 */
export function resolveConfig(
  config: AnthropicInstrumentationConfig = {},
  env: Record<string, string | undefined> = process.env,
): ResolvedConfig {
  return {
    ...config,
    captureContent: resolveCaptureContent(config.captureContent, env),
    suppressClientSpans:
      typeof config.suppressClientSpans === "boolean" ? config.suppressClientSpans : true,
  };
}
