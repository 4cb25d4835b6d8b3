import { useCallback, useEffect, useState } from "preact/hooks";
import { addAlertRule, listAlertRules, listDeliveries, removeAlertRule, type AlertDelivery, type AlertRule } from "../api/alerts";
import { isAbort } from "../api/client";
import { useApi } from "../api/context";
import { formatDateTime, formatRelative } from "../lib/format";
import { href } from "../lib/router";
import { usePolling } from "../lib/use-polling";
import "./alerts-page.css";

/** Deliveries are read again this often while the page is visible. */
const DELIVERIES_REFRESH_MS = 3_000;

const CONDITIONS = [
  { value: "cost_over", label: "Cost over (USD)", placeholder: "0.50" },
  { value: "errors_over", label: "Errors over", placeholder: "3" },
  { value: "end_state:Failure", label: "Ends in Failure", placeholder: "" },
  { value: "end_state:Indeterminate", label: "Ends Indeterminate", placeholder: "" },
  { value: "duration_over", label: "Duration over", placeholder: "10m" },
] as const;

const message = (caught: unknown): string => (caught instanceof Error ? caught.message : String(caught));

/** The project's alert rules (add, remove) and their recent webhook deliveries. */
export function AlertsPage() {
  const api = useApi();
  const [rules, setRules] = useState<AlertRule[] | null>(null);
  const [deliveries, setDeliveries] = useState<AlertDelivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const loadRules = useCallback(
    async (signal?: AbortSignal) => setRules((await listAlertRules(api, signal)).rules),
    [api],
  );
  const loadDeliveries = useCallback(
    async (signal?: AbortSignal) => setDeliveries((await listDeliveries(api, signal)).deliveries),
    [api],
  );

  useEffect(() => {
    const controller = new AbortController();
    Promise.all([loadRules(controller.signal), loadDeliveries(controller.signal)]).catch((caught: unknown) => {
      if (!isAbort(caught)) setError(message(caught));
    });
    return () => controller.abort();
  }, [loadRules, loadDeliveries]);
  usePolling(() => loadDeliveries(), DELIVERIES_REFRESH_MS, true);

  return (
    <main class="page" data-testid="alerts-page">
      <div class="page-header">
        <h1>Alerts</h1>
      </div>
      {error && (
        <div class="error-banner" role="alert">
          {error}
        </div>
      )}
      <div class="alerts-grid">
        <section class="card">
          <div class="card-header">
            <h2>Rules</h2>
          </div>
          <RulesTable rules={rules} onRemove={async (id) => {
            setError(null);
            try {
              await removeAlertRule(api, id);
              await loadRules();
            } catch (caught) {
              setError(message(caught));
            }
          }} />
        </section>
        <section class="card">
          <div class="card-header">
            <h2>Add a rule</h2>
          </div>
          <AddRuleForm onAdded={() => loadRules()} />
        </section>
        <section class="card wide">
          <div class="card-header">
            <h2>Recent deliveries</h2>
          </div>
          <DeliveriesTable deliveries={deliveries} />
        </section>
      </div>
    </main>
  );
}

function RulesTable({ rules, onRemove }: { rules: AlertRule[] | null; onRemove: (id: string) => Promise<void> }) {
  const [confirming, setConfirming] = useState<string | null>(null);
  if (!rules) return <div class="spinner-line">Reading rules…</div>;
  if (rules.length === 0) return <div class="empty" data-testid="alert-rules-empty">No alert rules yet.</div>;
  return (
    <table class="data" data-testid="alert-rules">
      <thead>
        <tr>
          <th>Name</th>
          <th>When</th>
          <th>Webhook</th>
          <th>Added</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rules.map((rule) => (
          <tr key={rule.id} data-testid="alert-rule-row" data-rule-id={rule.id}>
            <td>{rule.name}</td>
            <td class="mono">{rule.when}</td>
            <td class="mono alert-url">{rule.webhook_url}</td>
            <td title={formatDateTime(rule.created_at)}>{formatRelative(rule.created_at)}</td>
            <td class="num">
              {confirming === rule.id ? (
                <button class="button small danger" type="button" data-testid="alert-remove-confirm" onClick={() => void onRemove(rule.id)}>
                  Remove for good
                </button>
              ) : (
                <button class="button small" type="button" data-testid="alert-remove" onClick={() => setConfirming(rule.id)}>
                  Remove
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AddRuleForm({ onAdded }: { onAdded: () => Promise<void> }) {
  const api = useApi();
  const [name, setName] = useState("");
  const [condition, setCondition] = useState<string>(CONDITIONS[0].value);
  const [value, setValue] = useState("");
  const [webhook, setWebhook] = useState("");
  const [secret, setSecret] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shownSecret, setShownSecret] = useState<string | null>(null);
  const chosen = CONDITIONS.find((item) => item.value === condition) ?? CONDITIONS[0];
  const needsValue = !condition.startsWith("end_state:");

  const submit = async (event: Event): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setShownSecret(null);
    try {
      const added = await addAlertRule(api, {
        name,
        when: needsValue ? `${condition}:${value.trim()}` : condition,
        webhook_url: webhook.trim(),
        ...(secret ? { secret } : {}),
      });
      setShownSecret(added.secret);
      setName("");
      setValue("");
      setSecret("");
      await onAdded();
    } catch (caught) {
      setError(message(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card-body alert-form" data-testid="alert-form" onSubmit={(event) => void submit(event)}>
      {error && (
        <div class="error-banner" role="alert" data-testid="alert-form-error">
          {error}
        </div>
      )}
      {shownSecret && (
        <div class="alert-secret" data-testid="alert-secret">
          <span>
            Webhook secret, shown once — store it now to check the <code>X-Agentops-Signature</code> header:
          </span>
          <code data-testid="alert-secret-value">{shownSecret}</code>
        </div>
      )}
      <label class="inline">
        Name
        <input class="field" data-testid="alert-name" value={name} required maxLength={200} onInput={(event) => setName((event.target as HTMLInputElement).value)} />
      </label>
      <div class="alert-condition">
        <label class="inline">
          Condition
          <select class="field" data-testid="alert-condition" value={condition} onChange={(event) => setCondition((event.target as HTMLSelectElement).value)}>
            {CONDITIONS.map((item) => (
              <option key={item.value} value={item.value}>
                {item.label}
              </option>
            ))}
          </select>
        </label>
        {needsValue && (
          <label class="inline">
            Value
            <input class="field" data-testid="alert-value" value={value} required placeholder={chosen.placeholder} onInput={(event) => setValue((event.target as HTMLInputElement).value)} />
          </label>
        )}
      </div>
      <label class="inline">
        Webhook URL (http or https)
        <input class="field" data-testid="alert-webhook" type="url" value={webhook} required placeholder="https://hooks.example.com/agentops" onInput={(event) => setWebhook((event.target as HTMLInputElement).value)} />
      </label>
      <label class="inline">
        Secret (optional; made for you when empty)
        <input class="field" data-testid="alert-secret-input" type="password" autoComplete="off" value={secret} onInput={(event) => setSecret((event.target as HTMLInputElement).value)} />
      </label>
      <div>
        <button class="button primary" type="submit" disabled={busy} data-testid="alert-submit">
          {busy ? "Adding…" : "Add rule"}
        </button>
      </div>
    </form>
  );
}

function attemptText(attempt: AlertDelivery["attempts"][number]): string {
  return attempt.status !== null ? String(attempt.status) : (attempt.error ?? "no answer");
}

function DeliveriesTable({ deliveries }: { deliveries: AlertDelivery[] | null }) {
  if (!deliveries) return <div class="spinner-line">Reading deliveries…</div>;
  if (deliveries.length === 0) return <div class="empty" data-testid="deliveries-empty">No alert has fired yet.</div>;
  return (
    <table class="data" data-testid="alert-deliveries">
      <thead>
        <tr>
          <th>Fired</th>
          <th>Rule</th>
          <th>Session</th>
          <th>Status</th>
          <th>Attempts</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((delivery) => (
          <tr key={delivery.id} data-testid="delivery-row" data-session-id={delivery.session_id}>
            <td title={formatDateTime(delivery.fired_at)}>{formatRelative(delivery.fired_at)}</td>
            <td>
              {delivery.rule_name} <span class="mono muted">{delivery.when}</span>
            </td>
            <td>
              <a class="mono" href={href("sessions", delivery.session_id)}>
                {delivery.session_id}
              </a>
            </td>
            <td>
              <span class={`delivery-status ${delivery.status}`} data-testid="delivery-status">
                {delivery.status}
              </span>
            </td>
            <td class="mono" data-testid="delivery-attempts">
              {delivery.attempts.map((attempt) => (
                <span key={attempt.attempt} class="delivery-attempt" title={`${formatDateTime(attempt.at)} · ${attempt.duration_ms} ms${attempt.error ? ` · ${attempt.error}` : ""}`}>
                  {attemptText(attempt)}
                </span>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
