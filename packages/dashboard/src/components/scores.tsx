import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError, isAbort } from "../api/client";
import { useApi } from "../api/context";
import type { SessionScore } from "../api/types";
import { formatDateTime, formatRelative, formatScore } from "../lib/format";

/** The server's limits, checked here too so a person hears of them before sending. */
const MAX_NAME_LENGTH = 200;
const MAX_COMMENT_LENGTH = 2000;

/** A session's latest scores as chips (`quality 0.9`); clicking one filters the list by it. */
export function ScoreChips({ scores, onSelect }: { scores: Record<string, number>; onSelect?: (name: string) => void }) {
  const entries = Object.entries(scores ?? {});
  if (entries.length === 0) return <span class="faint">—</span>;
  return (
    <span>
      {entries.map(([name, value]) => (
        <span
          key={name}
          class="score-chip"
          data-score-name={name}
          title={`${name}: ${value}`}
          role={onSelect ? "button" : undefined}
          onClick={
            onSelect
              ? (event) => {
                  event.stopPropagation();
                  onSelect(name);
                }
              : undefined
          }
        >
          <span class="score-name">{name}</span> <span class="score-value">{formatScore(value)}</span>
        </span>
      ))}
    </span>
  );
}

/**
 * The session page's scores: the latest of each name (from the stats), every score with its
 * comment, and a form to add one by hand (sent with source `dashboard`).
 */
export function ScoresCard({ sessionId, latest, onAdded }: { sessionId: string; latest: Record<string, number>; onAdded: () => void }) {
  const api = useApi();
  const [history, setHistory] = useState<SessionScore[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const loadHistory = useCallback(
    async (signal?: AbortSignal): Promise<void> => {
      try {
        const body = await api.sessionScores(sessionId, signal);
        setHistory(body.scores);
      } catch (caught) {
        if (!isAbort(caught)) setError(caught instanceof Error ? caught.message : String(caught));
      }
    },
    [api, sessionId],
  );
  // The history again whenever the latest scores change (a score from the SDK while the page is open).
  const latestKey = JSON.stringify(latest ?? {});
  useEffect(() => {
    const controller = new AbortController();
    void loadHistory(controller.signal);
    return () => controller.abort();
  }, [loadHistory, latestKey]);

  const added = (): void => {
    void loadHistory();
    onAdded();
  };

  return (
    <section class="card scores-card" data-testid="scores">
      <div class="scores-head">
        <h3>Scores</h3>
        <ScoreChips scores={latest ?? {}} />
      </div>
      {error && (
        <div class="error-banner" role="alert">
          {error}
        </div>
      )}
      {history && history.length > 0 && <ScoreHistory scores={history} />}
      <ScoreForm sessionId={sessionId} onAdded={added} />
    </section>
  );
}

function ScoreHistory({ scores }: { scores: SessionScore[] }) {
  const now = Date.now();
  return (
    <table class="data compact" data-testid="score-history">
      <thead>
        <tr>
          <th>Name</th>
          <th class="num">Value</th>
          <th>Comment</th>
          <th>From</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        {[...scores].reverse().map((score) => (
          <tr key={score.id} data-score-id={score.id}>
            <td class="mono">{score.name}</td>
            <td class="num">{formatScore(score.value)}</td>
            <td class="score-comment">{score.comment ?? <span class="faint">—</span>}</td>
            <td>{score.source}</td>
            <td title={formatDateTime(score.created_at)}>{formatRelative(score.created_at, now)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ScoreForm({ sessionId, onAdded }: { sessionId: string; onAdded: () => void }) {
  const api = useApi();
  const [name, setName] = useState("");
  const [value, setValue] = useState("");
  const [comment, setComment] = useState("");
  const [sending, setSending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  const submit = async (): Promise<void> => {
    const trimmed = name.trim();
    const number = value.trim() === "" ? Number.NaN : Number(value);
    if (trimmed === "") return setProblem("Give the score a name.");
    if (trimmed.length > MAX_NAME_LENGTH) return setProblem(`The name is longer than ${MAX_NAME_LENGTH} characters.`);
    if (!Number.isFinite(number)) return setProblem("The value must be a number.");
    if (comment.length > MAX_COMMENT_LENGTH) return setProblem(`The comment is longer than ${MAX_COMMENT_LENGTH} characters.`);
    setSending(true);
    setProblem(null);
    try {
      await api.addScore(sessionId, { name: trimmed, value: number, comment: comment.trim() || undefined, source: "dashboard" });
      setValue("");
      setComment("");
      onAdded();
    } catch (caught) {
      if (!isAbort(caught)) setProblem(caught instanceof ApiError || caught instanceof Error ? caught.message : String(caught));
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      class="score-form"
      data-testid="score-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <label class="inline">
        Score name
        <input
          class="field"
          name="score-name"
          value={name}
          maxLength={MAX_NAME_LENGTH}
          placeholder="quality"
          onInput={(event) => setName((event.target as HTMLInputElement).value)}
        />
      </label>
      <label class="inline">
        Value
        <input
          class="field narrow"
          name="score-value"
          type="number"
          step="any"
          value={value}
          placeholder="0.9"
          onInput={(event) => setValue((event.target as HTMLInputElement).value)}
        />
      </label>
      <label class="inline grow">
        Comment
        <input
          class="field"
          name="score-comment"
          value={comment}
          maxLength={MAX_COMMENT_LENGTH}
          placeholder="Why (optional)"
          onInput={(event) => setComment((event.target as HTMLInputElement).value)}
        />
      </label>
      <button class="button primary" type="submit" disabled={sending}>
        {sending ? "Saving…" : "Add score"}
      </button>
      {problem && (
        <div class="form-problem" role="alert" data-testid="score-problem">
          {problem}
        </div>
      )}
    </form>
  );
}
