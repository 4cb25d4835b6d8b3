import { Fragment } from "preact";
import { prettyValue } from "../lib/genai";

/** A definition list of name → value, values as text (objects as JSON). */
export function KeyValues({ entries }: { entries: ReadonlyArray<[string, unknown]> }) {
  return (
    <dl class="kv">
      {entries.map(([name, value]) => (
        <Fragment key={name}>
          <dt>{name}</dt>
          <dd>{prettyValue(value)}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
