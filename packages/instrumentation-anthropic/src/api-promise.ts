import { summarizeMessage } from "./attributes";
import { isStreamLike, observeStream } from "./stream";
import type { TracedCall } from "./traced-call";

/**
 * The parts of the client's `APIPromise` this module relies on. Both are instance properties in
 * every supported version: `responsePromise` settles with the HTTP response (or the call's
 * error), `parseResponse` turns it into the Message or the Stream.
 */
interface ApiPromiseLike {
  responsePromise: Promise<unknown>;
  parseResponse: (...args: unknown[]) => unknown;
  parsedPromise?: unknown;
  asResponse?: (...args: unknown[]) => unknown;
}

function isApiPromiseLike(value: unknown): value is ApiPromiseLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ApiPromiseLike).parseResponse === "function" &&
    typeof (value as { responsePromise?: { then?: unknown } }).responsePromise?.then === "function"
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function"
  );
}

function ignore(): void {}

/** Records the parsed body: a Stream is observed as it is read, a Message ends the call at once. */
function onParsed(call: TracedCall, data: unknown, abortIsError: boolean): void {
  if (call.isEnded) return;
  if (isStreamLike(data)) {
    observeStream(data, call, abortIsError);
    return;
  }
  const summary = summarizeMessage(data, call.config.captureContent);
  call.succeed(summary, () => data as Record<string, unknown>, false);
}

/**
 * Observes what `messages.create()` returned without replacing it, so the caller keeps the
 * client's own `APIPromise` (`withResponse()`, `asResponse()`, `_thenUnwrap()` all still work):
 * - the instance's `parseResponse` is wrapped, which every way of reading the body goes through,
 *   `withResponse()` and promises derived by `_thenUnwrap()` included;
 * - a rejection handler on `responsePromise` sees the errors raised before a body is read (HTTP error
 *   statuses, connection failures, timeouts, aborts);
 * - the instance's `asResponse` is wrapped, so a call whose body is never parsed still ends.
 * Nothing here adds a rejection that the caller could leave unhandled.
 */
export function observeResult(result: unknown, call: TracedCall, abortIsError: boolean): void {
  if (!isApiPromiseLike(result)) {
    if (isThenable(result)) {
      result.then(
        (data) => onParsed(call, data, abortIsError),
        (error: unknown) => call.fail(error),
      );
    } else {
      onParsed(call, result, abortIsError);
    }
    return;
  }

  let parsing = false;
  const parseResponse = result.parseResponse;
  result.parseResponse = function parseResponseObserved(this: unknown, ...args: unknown[]) {
    parsing = true;
    let parsed: unknown;
    try {
      parsed = parseResponse.apply(this, args);
    } catch (error) {
      call.fail(error);
      throw error;
    }
    return Promise.resolve(parsed).then(
      (data) => {
        onParsed(call, data, abortIsError);
        return data;
      },
      (error: unknown) => {
        call.fail(error);
        throw error;
      },
    );
  };

  result.responsePromise.then(undefined, (error: unknown) => call.fail(error));

  const asResponse = result.asResponse;
  if (typeof asResponse === "function") {
    result.asResponse = function asResponseObserved(this: ApiPromiseLike, ...args: unknown[]) {
      const response = asResponse.apply(this, args);
      if (isThenable(response)) {
        response.then(() => {
          // `withResponse()` parses as well; only a bare `asResponse()` leaves the body unread.
          if (!parsing && this.parsedPromise === undefined)
            call.succeed(undefined, undefined, false);
        }, ignore);
      }
      return response;
    };
  }
}
