import { useState } from "preact/hooks";
import { ApiClient, ApiError } from "../api/client";
import type { StoredAuth } from "../lib/auth";

/**
 * Sign-in by API key. The key is checked against `GET /v2/project` before it is kept; it is
 * typed into a password field and never appears in a URL.
 */
export function SignInPage({ notice, onSignedIn }: { notice: string | null; onSignedIn: (auth: StoredAuth) => void }) {
  const [apiKey, setApiKey] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    const key = apiKey.trim();
    if (!key) {
      setError("Enter the API key of your project.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const project = await verifyKey(key);
      onSignedIn({ apiKey: key, projectName: project });
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? "This API key is not valid."
          : caught instanceof Error
            ? caught.message
            : "Sign-in failed.",
      );
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="card" onSubmit={(event) => void submit(event)} data-testid="sign-in-form">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true" />
          AgentOps
        </div>
        <h1>Sign in</h1>
        <p>Paste the API key of your project. It stays in this browser and is sent only to this server.</p>
        {notice && <div class="error-banner">{notice}</div>}
        {error && (
          <div class="error-banner" role="alert">
            {error}
          </div>
        )}
        <input
          class="field"
          type="password"
          name="api-key"
          autoComplete="off"
          spellcheck={false}
          placeholder="API key"
          aria-label="API key"
          value={apiKey}
          onInput={(event) => setApiKey((event.target as HTMLInputElement).value)}
          autoFocus
        />
        <button class="button primary" type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

/** Resolves the project's name (or null) when the key is accepted; throws ApiError otherwise. */
async function verifyKey(apiKey: string): Promise<string | null> {
  const api = new ApiClient(apiKey);
  try {
    const project = await api.project();
    if (typeof project.name === "string" && project.name) return project.name;
    return typeof project.project_id === "string" ? `Project ${project.project_id.slice(0, 8)}` : null;
  } catch (error) {
    // A server without the project route still tells a good key from a bad one.
    if (error instanceof ApiError && error.status === 404) {
      await api.listSessions({ limit: 1 });
      return null;
    }
    throw error;
  }
}
