import { formatCount } from "../lib/format";

/** LLM / tool / error counts with the waterfall's kind colors. */
export function EventCounts({ llm, tool, errors }: { llm: number; tool: number; errors: number }) {
  return (
    <span class="counts">
      <Count value={llm} kind="llm" title="LLM calls" />
      <Count value={tool} kind="tool" title="Tool calls" />
      <Count value={errors} kind="error" title="Errors" />
    </span>
  );
}

function Count({ value, kind, title }: { value: number; kind: string; title: string }) {
  return (
    <span class={`count${value === 0 ? " zero" : ""}`} title={title} data-count={kind}>
      <span class={`dot kind-${kind}`} />
      {formatCount(value)}
    </span>
  );
}
