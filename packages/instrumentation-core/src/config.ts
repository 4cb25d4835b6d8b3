import { ENV_CAPTURE_MESSAGE_CONTENT } from "@agentops/semconv";

/**
 * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` (case-insensitive, surrounding spaces ignored)
 * turns content capture on; anything else leaves it off.
 *
 * @example
 * captureContentFromEnvironment({ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: "TRUE" }); // true
 */
export function captureContentFromEnvironment(
  env: Record<string, string | undefined> = process.env,
): boolean {
  const value = env[ENV_CAPTURE_MESSAGE_CONTENT];
  return typeof value === "string" && value.trim().toLowerCase() === "true";
}

/**
 * The `captureContent` setting: the option when it is a boolean, else the environment
 * (see {@link captureContentFromEnvironment}).
 *
 * @example
 * resolveCaptureContent(undefined, {}); // false
 */
export function resolveCaptureContent(
  option: unknown,
  env: Record<string, string | undefined> = process.env,
): boolean {
  return typeof option === "boolean" ? option : captureContentFromEnvironment(env);
}
