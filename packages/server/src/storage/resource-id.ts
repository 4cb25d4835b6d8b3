import { createHash } from "node:crypto";

/** A resource as stored: its JSON text and a content id (spans of one process share one row). */
export interface StoredResource {
  id: string;
  json: string;
}

/**
 * Content-addresses resources so that the host environment is stored once per process rather
 * than once per span. Decoders hand all spans of one OTLP `ResourceSpans` the same object, so a
 * batch serialises and hashes each resource once.
 */
export class ResourceIds {
  private readonly byObject = new Map<Record<string, unknown>, StoredResource>();
  /** The last object asked for: a batch's spans come in runs of one resource. */
  private last: Record<string, unknown> | undefined;
  private lastStored: StoredResource | undefined;

  /** The stored form of `resource`, computed once per object for the life of this instance. */
  get(resource: Record<string, unknown>): StoredResource {
    if (resource === this.last) return this.lastStored!;
    let stored = this.byObject.get(resource);
    if (stored === undefined) {
      const json = JSON.stringify(resource);
      stored = { id: createHash("sha256").update(json).digest("hex").slice(0, 32), json };
      this.byObject.set(resource, stored);
    }
    this.last = resource;
    this.lastStored = stored;
    return stored;
  }

  /** The distinct resources met so far. */
  values(): IterableIterator<StoredResource> {
    return this.byObject.values();
  }
}

/**
 * Remembers which resources a store has already written, so that a steady stream of batches
 * from one process skips the resource insert. Bounded: cleared when full (a miss only costs an
 * `ON CONFLICT DO NOTHING` insert).
 */
export class KnownResources {
  private readonly known = new Set<string>();
  constructor(private readonly capacity = 10_000) {}

  has(projectKey: number | string, id: string): boolean {
    return this.known.has(projectKey + ":" + id);
  }

  add(projectKey: number | string, id: string): void {
    if (this.known.size >= this.capacity) this.known.clear();
    this.known.add(projectKey + ":" + id);
  }
}
