/**
 * The API key lives in this browser's localStorage only: it is sent in the
 * `X-Agentops-Api-Key` header and never placed in a URL, a cookie or the page.
 */

const KEY_STORAGE = "agentops.apiKey";
const PROJECT_STORAGE = "agentops.projectName";

export interface StoredAuth {
  apiKey: string;
  projectName: string | null;
}

export function loadAuth(): StoredAuth | null {
  try {
    const apiKey = window.localStorage.getItem(KEY_STORAGE);
    if (!apiKey) return null;
    return { apiKey, projectName: window.localStorage.getItem(PROJECT_STORAGE) };
  } catch {
    return null;
  }
}

export function saveAuth(auth: StoredAuth): void {
  try {
    window.localStorage.setItem(KEY_STORAGE, auth.apiKey);
    if (auth.projectName) window.localStorage.setItem(PROJECT_STORAGE, auth.projectName);
    else window.localStorage.removeItem(PROJECT_STORAGE);
  } catch {
    // Storage disabled (private mode): the key lasts for this page only.
  }
}

export function clearAuth(): void {
  try {
    window.localStorage.removeItem(KEY_STORAGE);
    window.localStorage.removeItem(PROJECT_STORAGE);
  } catch {
    // Nothing stored.
  }
}
