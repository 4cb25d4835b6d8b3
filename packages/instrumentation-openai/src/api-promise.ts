import type { OpenAICall } from "./call";
import { isThenable, member } from "./values";

function noop(): void {}

/**
 * Hooks the span's end onto what `create()` returned, and returns what the caller gets.
 *
 * The client's `APIPromise` parses lazily and offers `withResponse()`, `asResponse()` and
 * `_thenUnwrap()`; a plain promise in its place would break them. So the result is chained with
 * `_thenUnwrap` (same class, same methods, same underlying request), errors are observed on the
 * raw response promise (which never reads the body), and a caller who only takes the raw
 * `Response` still ends the span.
 */
export function observeResult(result: unknown, call: OpenAICall): unknown {
  if (result === null || (typeof result !== "object" && typeof result !== "function")) {
    call.onData(result);
    return result;
  }
  const thenUnwrap = member(result, "_thenUnwrap");
  if (typeof thenUnwrap === "function") {
    // The raw response promise (a private field of every APIPromise so far) rejects on every API
    // and connection error without reading the body; asResponse() is the public way to it.
    const responsePromise = member(result, "responsePromise");
    const asResponse = member(result, "asResponse");
    if (isThenable(responsePromise)) responsePromise.then(noop, call.onError);
    else if (typeof asResponse === "function") {
      const response: unknown = asResponse.call(result);
      if (isThenable(response)) response.then(noop, call.onError);
    }
    const wrapped: unknown = thenUnwrap.call(result, call.onData);
    watchConsumption(wrapped, call);
    return wrapped;
  }
  if (isThenable(result)) {
    // some other thenable: observe it, hand back the original
    result.then(call.onData, call.onError);
    return result;
  }
  call.onData(result);
  return result;
}

/**
 * Observes how the caller consumes the returned `APIPromise`: parse failures (a body that is not
 * the expected JSON) end the span with the error; `asResponse()` without parsing ends it when
 * the response arrives, since the body will never be seen.
 */
function watchConsumption(wrapped: unknown, call: OpenAICall): void {
  const parse = member(wrapped, "parse");
  const asResponse = member(wrapped, "asResponse");
  if (typeof parse !== "function" || typeof asResponse !== "function") return;
  const target = wrapped as { parse: unknown; asResponse: unknown };
  let parsing = false;
  // plain own properties shadowing the prototype's methods: cheaper than defineProperty
  target.parse = function parseObserved(this: unknown) {
    const promise: unknown = parse.call(this);
    if (!parsing) {
      parsing = true;
      if (isThenable(promise)) promise.then(noop, call.onError);
    }
    return promise;
  };
  target.asResponse = function asResponseObserved(this: unknown) {
    const promise: unknown = asResponse.call(this);
    if (!parsing && isThenable(promise)) promise.then(call.onRawResponse, noop);
    return promise;
  };
}
