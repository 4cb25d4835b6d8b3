import { useEffect, useState } from "preact/hooks";

/**
 * Hash routing: `#/sessions`, `#/sessions/<id>`, `#/overview`, `#/alerts`, each with an optional query
 * (`#/sessions?tag=nightly`). The hash never reaches the server, so the static server needs no
 * route table, and filters survive a reload.
 */
export type Route =
  | { page: "sessions"; query: URLSearchParams }
  | { page: "session"; sessionId: string; query: URLSearchParams }
  | { page: "overview"; query: URLSearchParams }
  | { page: "alerts"; query: URLSearchParams }
  | { page: "not-found"; query: URLSearchParams };

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, "");
  const [path = "", search = ""] = splitOnce(text, "?");
  const query = new URLSearchParams(search);
  const segments = path.split("/").filter(Boolean).map(safeDecode);
  if (segments.length === 0 || (segments.length === 1 && segments[0] === "sessions")) return { page: "sessions", query };
  if (segments.length === 2 && segments[0] === "sessions") return { page: "session", sessionId: segments[1]!, query };
  if (segments.length === 1 && segments[0] === "overview") return { page: "overview", query };
  if (segments.length === 1 && segments[0] === "alerts") return { page: "alerts", query };
  return { page: "not-found", query };
}

/** Builds a hash link: `href("sessions", id)` → `#/sessions/<id>`. */
export function href(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join("/")}`;
}

/** The same hash with a new query; empty values are dropped. */
export function withQuery(path: string, values: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

/** Replaces the hash without adding a history entry (filters, selection). */
export function replaceHash(hash: string): void {
  if (window.location.hash === hash) return;
  window.history.replaceState(window.history.state, "", hash);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseHash(window.location.hash));
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
