import type { OpenAICall } from "./call";

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
export function observeResult(result: any, call: OpenAICall): any {
  if (result === null || (typeof result !== "object" && typeof result !== "function")) {
    call.onData(result);
    return result;
  }
  if (typeof result._thenUnwrap === "function") {
    // The raw response promise (a private field of every APIPromise so far) rejects on every API
    // and connection error without reading the body; asResponse() is the public way to it.
    const responsePromise = result.responsePromise;
    if (responsePromise && typeof responsePromise.then === "function") responsePromise.then(noop, call.onError);
    else if (typeof result.asResponse === "function") result.asResponse().then(noop, call.onError);
    const wrapped = result._thenUnwrap(call.onData);
    watchConsumption(wrapped, call);
    return wrapped;
  }
  if (typeof result.then === "function") {
    // some other thenable: observe it, hand back the original
    result.then(call.onData, call.onError);
    return result;
  }
  call.onData(result);
  return result;
}

/**
 * Observes how the caller consumes the returned `APIPromise`: parse failures (a body that is not
 * the expected JSON) end the span with the error; `asResponse()` without any parsing ends it when
 * the response arrives, since the body will never be seen.
 */
function watchConsumption(wrapped: any, call: OpenAICall): void {
  const parse = wrapped?.parse;
  const asResponse = wrapped?.asResponse;
  if (typeof parse !== "function" || typeof asResponse !== "function") return;
  let parsing = false;
  // plain own properties shadowing the prototype's methods: cheaper than defineProperty
  wrapped.parse = function parseObserved(this: unknown) {
    const promise = parse.call(this);
    if (!parsing) {
      parsing = true;
      promise.then(noop, call.onError);
    }
    return promise;
  };
  wrapped.asResponse = function asResponseObserved(this: unknown) {
    const promise = asResponse.call(this);
    if (!parsing) promise.then(call.onRawResponse, noop);
    return promise;
  };
}
