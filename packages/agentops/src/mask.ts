import type { Attributes, AttributeValue } from "@opentelemetry/api";
import type { ReadableSpan, TimedEvent } from "@opentelemetry/sdk-trace-base";
import { isContentAttribute } from "@agentops/span-model";
import { logOnce } from "./logger";

/** The user's `mask`: content value and its key in, what is exported out. */
export type Mask = (value: string, key: string) => string;

/** What is exported when the mask throws: never the value it was given. */
export const MASK_FAILED = "[mask failed]";

function maskString(mask: Mask, value: string, key: string): string {
  try {
    const masked = mask(value, key);
    return typeof masked === "string" ? masked : String(masked);
  } catch (error) {
    logOnce("error", "mask-failed", `The mask function threw; the value of ${key} is exported as "${MASK_FAILED}".`, error);
    return MASK_FAILED;
  }
}

function maskValue(mask: Mask, value: AttributeValue, key: string): AttributeValue {
  if (typeof value === "string") return maskString(mask, value, key);
  if (Array.isArray(value)) return value.map((item) => (typeof item === "string" ? maskString(mask, item, key) : item)) as AttributeValue;
  return value;
}

/** The attributes with content masked; the same object when none holds content. */
function maskAttributes(mask: Mask, attributes: Attributes): Attributes {
  let masked: Attributes | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    if (value === undefined || value === null || !isContentAttribute(key)) continue;
    masked ??= { ...attributes };
    masked[key] = maskValue(mask, value, key);
  }
  return masked ?? attributes;
}

/**
 * The span as it is exported under `mask`: every content attribute value (see
 * `isContentAttribute`), on the span and on its events, goes through the mask. A span without
 * content is returned as it is; otherwise a view of it that differs only in those attributes
 * (the application's other processors still see the span as recorded).
 */
export function maskSpan(span: ReadableSpan, mask: Mask): ReadableSpan {
  const attributes = maskAttributes(mask, span.attributes);
  let events: TimedEvent[] | undefined;
  for (let i = 0; i < span.events.length; i++) {
    const event = span.events[i]!;
    if (event.attributes === undefined) continue;
    const masked = maskAttributes(mask, event.attributes);
    if (masked === event.attributes) continue;
    events ??= [...span.events];
    events[i] = { ...event, attributes: masked };
  }
  if (attributes === span.attributes && events === undefined) return span;
  return Object.create(span, {
    attributes: { value: attributes, enumerable: true },
    events: { value: events ?? span.events, enumerable: true },
  }) as ReadableSpan;
}
