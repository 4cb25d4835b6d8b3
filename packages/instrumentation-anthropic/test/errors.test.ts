import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  OverloadedError,
  RateLimitError,
} from "@anthropic-ai/sdk";
import { ATTR_ERROR_TYPE, ATTR_GEN_AI_REQUEST_MODEL } from "@agentops/semconv";
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { MODEL, QUESTION, startHarness, type Harness } from "./utils/harness";

let harness: Harness;
// 0.x clients have no OverloadedError: a 529 is their InternalServerError.
const Overloaded: typeof InternalServerError = OverloadedError ?? InternalServerError;

beforeAll(async () => {
  harness = await startHarness();
});

afterEach(() => {
  harness.exporter.reset();
  harness.mock.reset();
});

afterAll(async () => {
  await harness.close();
});

async function rejection(promise: Promise<unknown>): Promise<any> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

function expectFailedSpan(span: ReadableSpan, error: Error, type: string): void {
  expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: error.message });
  expect(span.attributes[ATTR_ERROR_TYPE]).toBe(type);
  expect(span.attributes[ATTR_GEN_AI_REQUEST_MODEL]).toBe(MODEL);
  const exception = span.events.find((event) => event.name === "exception");
  expect(exception?.attributes).toMatchObject({
    "exception.type": error.constructor.name,
    "exception.message": error.message,
  });
}

describe("API errors", () => {
  it.each([
    [400, BadRequestError, "BadRequestError", "invalid_request_error"],
    [401, AuthenticationError, "AuthenticationError", "authentication_error"],
    [429, RateLimitError, "RateLimitError", "rate_limit_error"],
    [500, InternalServerError, "InternalServerError", "api_error"],
    [529, Overloaded, Overloaded.name, "overloaded_error"],
  ])(
    "a %i ends the span with status ERROR and the client's error class, and the caller gets the client's error",
    async (status, ErrorClass, type, bodyType) => {
      harness.mock.script({
        status,
        message: `scripted ${status}`,
        headers: { "retry-after": "3" },
      });
      const error = await rejection(harness.client.messages.create(QUESTION));
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error.status).toBe(status);
      expect(error.error).toEqual({
        type: "error",
        error: { type: bodyType, message: `scripted ${status}` },
        request_id: error.requestID,
      });
      expect(error.headers.get("retry-after")).toBe("3");
      expectFailedSpan(harness.onlySpan(), error, type);
    },
  );

  it("fails the span of a streamed call that is refused before streaming", async () => {
    harness.mock.script({ status: 429 });
    const error = await rejection(harness.client.messages.create({ ...QUESTION, stream: true }));
    expect(error).toBeInstanceOf(RateLimitError);
    expectFailedSpan(harness.onlySpan(), error, "RateLimitError");
  });

  it("records a retried call once, with the final outcome", async () => {
    const retrying = new Anthropic({
      apiKey: "test-key",
      baseURL: harness.mock.anthropicBaseURL,
      maxRetries: 1,
    });
    harness.mock.script({ status: 529, headers: { "retry-after-ms": "1" } });
    const message = await retrying.messages.create(QUESTION);
    expect(harness.mock.requests).toHaveLength(2);
    const span = harness.onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes["gen_ai.response.id"]).toBe(message.id);
  });
});

describe("transport errors", () => {
  it("a dropped connection ends the span with APIConnectionError", async () => {
    harness.mock.script({ destroy: true });
    const error = await rejection(harness.client.messages.create(QUESTION));
    expect(error).toBeInstanceOf(APIConnectionError);
    expectFailedSpan(harness.onlySpan(), error, "APIConnectionError");
  });

  it("a timeout ends the span with the client's timeout error", async () => {
    harness.mock.script({ latencyMs: 1000 });
    const error = await rejection(harness.client.messages.create(QUESTION, { timeout: 50 }));
    // Older 0.x clients (0.72 among them) report a timeout as a plain APIConnectionError.
    expect(error).toBeInstanceOf(APIConnectionError);
    const name = error instanceof APIConnectionTimeoutError ? "APIConnectionTimeoutError" : "APIConnectionError";
    expectFailedSpan(harness.onlySpan(), error, name);
  });

  it("an abort ends the span with APIUserAbortError", async () => {
    const controller = new AbortController();
    const promise = harness.client.messages.create(QUESTION, { signal: controller.signal });
    controller.abort();
    const error = await rejection(promise);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(error).toBeInstanceOf(APIError);
    expectFailedSpan(harness.onlySpan(), error, "APIUserAbortError");
  });

  it("a call the client refuses synchronously fails its span and throws the same error", async () => {
    const refusing = new Anthropic({
      apiKey: "test-key",
      baseURL: harness.mock.anthropicBaseURL,
      maxRetries: 0,
    });
    const poisoned = {
      ...QUESTION,
      get messages(): never {
        throw new RangeError("messages unavailable");
      },
    };
    let caught: unknown;
    try {
      await refusing.messages.create(
        poisoned as unknown as Anthropic.MessageCreateParamsNonStreaming,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RangeError);
    expect(harness.mock.requests).toHaveLength(0);
    expectFailedSpan(harness.onlySpan(), caught as Error, "RangeError");
  });
});
