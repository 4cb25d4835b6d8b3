import { Configuration, VERSION } from "agentops";
import { readFileSync } from "node:fs";
import * as path from "node:path";

describe("Configuration: option, then environment, then default", () => {
  it("has the documented defaults", () => {
    const config = new Configuration({}, {});
    expect(config).toMatchObject({
      apiKey: undefined,
      endpoint: "http://localhost:4318",
      defaultTags: [],
      tags: [],
      autoStartSession: true,
      inheritedSessionId: undefined,
      instrumentLlmCalls: true,
      captureContent: true,
      skipAutoEndSession: false,
      envDataOptOut: false,
      maxWaitTime: 5000,
      maxQueueSize: 512,
      maxBufferSize: 131072,
      logLevel: "warn",
    });
  });

  it("reads every variable of the contract", () => {
    const config = new Configuration(
      {},
      {
        AGENTOPS_API_KEY: "ak_env",
        AGENTOPS_API_ENDPOINT: "http://127.0.0.1:9999/",
        AGENTOPS_DEFAULT_TAGS: "a, b,,c",
        AGENTOPS_AUTO_START_SESSION: "false",
        AGENTOPS_INHERITED_SESSION_ID: "0af76519-16cd-43dd-8448-eb211c80319c",
        AGENTOPS_INSTRUMENT_LLM_CALLS: "0",
        AGENTOPS_CAPTURE_CONTENT: "no",
        AGENTOPS_SKIP_AUTO_END_SESSION: "true",
        AGENTOPS_ENV_DATA_OPT_OUT: "1",
        AGENTOPS_MAX_WAIT_TIME: "250",
        AGENTOPS_MAX_QUEUE_SIZE: "64",
        AGENTOPS_MAX_BUFFER_SIZE: "1000",
        AGENTOPS_LOG_LEVEL: "DEBUG",
        TRACEPARENT: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        OTEL_SERVICE_NAME: "my-agent",
        OTEL_EXPORTER_OTLP_HEADERS: "x-team=blue,x-note=a%20b",
      },
    );
    expect(config).toMatchObject({
      apiKey: "ak_env",
      endpoint: "http://127.0.0.1:9999",
      defaultTags: ["a", "b", "c"],
      autoStartSession: false,
      inheritedSessionId: "0af76519-16cd-43dd-8448-eb211c80319c",
      instrumentLlmCalls: false,
      captureContent: false,
      skipAutoEndSession: true,
      envDataOptOut: true,
      maxWaitTime: 250,
      maxQueueSize: 64,
      maxBufferSize: 1000,
      logLevel: "debug",
      serviceName: "my-agent",
      traceParent: { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: 1 },
      headers: { "x-team": "blue", "x-note": "a b" },
    });
  });

  it("lets explicit options win over the environment", () => {
    const config = new Configuration({ apiKey: "ak_opt", maxWaitTime: 10, captureContent: true }, { AGENTOPS_API_KEY: "ak_env", AGENTOPS_MAX_WAIT_TIME: "99", AGENTOPS_CAPTURE_CONTENT: "false" });
    expect(config.apiKey).toBe("ak_opt");
    expect(config.maxWaitTime).toBe(10);
    expect(config.captureContent).toBe(true);
  });

  it("corrects bad values with the defaults instead of throwing", () => {
    const config = new Configuration(
      { maxQueueSize: -5, maxWaitTime: Number.NaN, logLevel: "loud" as any, endpoint: "not a url", autoStartSession: "yes" as any },
      { AGENTOPS_MAX_BUFFER_SIZE: "lots", AGENTOPS_CAPTURE_CONTENT: "maybe", TRACEPARENT: "00-00000000000000000000000000000000-b7ad6b7169203331-01" },
    );
    expect(config.maxQueueSize).toBe(512);
    expect(config.maxWaitTime).toBe(5000);
    expect(config.maxBufferSize).toBe(131072);
    expect(config.logLevel).toBe("warn");
    expect(config.endpoint).toBe("http://localhost:4318");
    expect(config.autoStartSession).toBe(true);
    expect(config.captureContent).toBe(true);
    expect(config.traceParent).toBeUndefined();
  });

  it("accepts an endpoint given with the OTLP path and keeps the buffer at least one batch", () => {
    const config = new Configuration({ endpoint: "http://h:1/v1/traces", maxQueueSize: 100, maxBufferSize: 10 }, {});
    expect(config.endpoint).toBe("http://h:1");
    expect(config.maxBufferSize).toBe(100);
  });

  it("with() derives a configuration for one session", () => {
    const base = new Configuration({ apiKey: "k", defaultTags: ["d"] }, {});
    const derived = base.with({ captureContent: false });
    expect(derived.apiKey).toBe("k");
    expect(derived.defaultTags).toEqual(["d"]);
    expect(derived.captureContent).toBe(false);
  });

  it("VERSION matches package.json", () => {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "package.json"), "utf8"));
    expect(VERSION).toBe(manifest.version);
  });
});
