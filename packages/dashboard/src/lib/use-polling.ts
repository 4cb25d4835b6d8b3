import { useEffect, useRef, useState } from "preact/hooks";

/** Whether the page is visible (a background tab is not polled). */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState !== "hidden");
  useEffect(() => {
    const onChange = (): void => setVisible(document.visibilityState !== "hidden");
    document.addEventListener("visibilitychange", onChange);
    return () => document.removeEventListener("visibilitychange", onChange);
  }, []);
  return visible;
}

/**
 * Calls `tick` every `intervalMs` while `enabled` and the page is visible. The next tick is
 * scheduled only after the previous one settled, so a slow server never sees requests pile up.
 */
export function usePolling(tick: () => Promise<void>, intervalMs: number, enabled: boolean): void {
  const visible = usePageVisible();
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!enabled || !visible) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = (): void => {
      timer = setTimeout(() => {
        latest
          .current()
          .catch(() => undefined)
          .finally(() => {
            if (!stopped) schedule();
          });
      }, intervalMs);
    };
    schedule();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [enabled, visible, intervalMs]);
}
