import { useCallback, useMemo, useState } from "preact/hooks";
import { ApiClient } from "./api/client";
import { ApiContext } from "./api/context";
import { clearAuth, loadAuth, saveAuth, type StoredAuth } from "./lib/auth";
import { href, useRoute } from "./lib/router";
import { AlertsPage } from "./pages/alerts-page";
import { OverviewPage } from "./pages/overview-page";
import { SessionPage } from "./pages/session-page";
import { SessionsPage } from "./pages/sessions-page";
import { SignInPage } from "./pages/sign-in-page";

/** The dashboard: a sign-in gate, then the sessions list, a session, the overview and the alerts. */
export function App() {
  const [auth, setAuth] = useState<StoredAuth | null>(() => loadAuth());
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((message?: string) => {
    clearAuth();
    setAuth(null);
    setNotice(message ?? null);
  }, []);

  const api = useMemo(
    () =>
      auth
        ? new ApiClient(auth.apiKey, {
            onUnauthorized: () => signOut("The API key was refused. Sign in again."),
          })
        : null,
    [auth, signOut],
  );

  if (!auth || !api) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(next) => {
          saveAuth(next);
          setNotice(null);
          setAuth(next);
        }}
      />
    );
  }
  return (
    <ApiContext.Provider value={api}>
      <Shell projectName={auth.projectName} onSignOut={() => signOut()} />
    </ApiContext.Provider>
  );
}

function Shell({ projectName, onSignOut }: { projectName: string | null; onSignOut: () => void }) {
  const route = useRoute();
  const section = route.page === "overview" || route.page === "alerts" ? route.page : "sessions";
  return (
    <>
      <header class="topbar">
        <a class="brand" href={href("sessions")}>
          <span class="brand-mark" aria-hidden="true" />
          AgentOps
        </a>
        <nav class="nav">
          <a href={href("sessions")} class={section === "sessions" ? "active" : ""}>
            Sessions
          </a>
          <a href={href("overview")} class={section === "overview" ? "active" : ""}>
            Overview
          </a>
          <a href={href("alerts")} class={section === "alerts" ? "active" : ""}>
            Alerts
          </a>
        </nav>
        <span class="spacer" />
        {projectName && (
          <span class="project-name" data-testid="project-name">
            {projectName}
          </span>
        )}
        <button class="button small" type="button" onClick={onSignOut} data-testid="sign-out">
          Sign out
        </button>
      </header>
      {route.page === "sessions" && <SessionsPage query={route.query} />}
      {route.page === "session" && <SessionPage sessionId={route.sessionId} query={route.query} />}
      {route.page === "overview" && <OverviewPage query={route.query} />}
      {route.page === "alerts" && <AlertsPage />}
      {route.page === "not-found" && (
        <main class="page">
          <div class="empty">
            This page does not exist. <a href={href("sessions")}>Back to the sessions</a>
          </div>
        </main>
      )}
    </>
  );
}
