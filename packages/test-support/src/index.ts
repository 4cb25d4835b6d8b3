/**
 * What the workspace's tests share, loaded from these sources (jest maps the name here; the
 * package has no build). `setupTracing` and `jsonAttribute` are for tests that read the spans an
 * instrumentation makes in memory; `startTestBackend` for end-to-end tests that send sessions to
 * a real server.
 */
export { jsonAttribute, setupTracing, type TestTracing } from "./tracing";
export { startTestBackend, type TestBackend, type TestBackendOptions } from "./test-backend";
