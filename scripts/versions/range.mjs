// Just enough of semver ranges for peer ranges such as ">=4 <8" or "^1.2.0 || >=3": comparator
// sets joined by "||", comparators >=, >, <=, <, = and ^ on full or partial versions.

function parse(text) {
  const parts = text.split(".").map((part) => Number(part));
  if (parts.length > 3 || parts.some((part) => !Number.isInteger(part) || part < 0)) {
    throw new Error(`cannot read version "${text}"`);
  }
  while (parts.length < 3) parts.push(0);
  return parts;
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/** A comparator set as its bounds: lower inclusive, upper exclusive (undefined: unbounded). */
function bounds(set) {
  let low = [0, 0, 0];
  let high;
  const raise = (v) => (low = compare(v, low) > 0 ? v : low);
  const lower = (v) => (high = high === undefined || compare(v, high) < 0 ? v : high);
  for (const token of set.trim().split(/\s+/)) {
    const match = /^(>=|<=|>|<|=|\^)?v?([\d.]+)$/.exec(token);
    if (!match) throw new Error(`cannot read range part "${token}"`);
    const [, op = "=", text] = match;
    const v = parse(text);
    const next = [v[0], v[1], v[2] + 1];
    if (op === ">=") raise(v);
    else if (op === ">") raise(next);
    else if (op === "<") lower(v);
    else if (op === "<=") lower(next);
    else if (op === "=") {
      raise(v);
      lower(next);
    } else {
      raise(v);
      lower(v[0] > 0 ? [v[0] + 1, 0, 0] : v[1] > 0 ? [0, v[1] + 1, 0] : next);
    }
  }
  return { low, high };
}

const setsOf = (range) => range.split("||").map(bounds);

export function satisfies(version, range) {
  const v = parse(version);
  return setsOf(range).some(({ low, high }) => compare(v, low) >= 0 && (high === undefined || compare(v, high) < 0));
}

/** The majors a range admits some release of; an unbounded range stops at the lower bound's major + 20. */
export function majorsOf(range) {
  const majors = new Set();
  for (const { low, high } of setsOf(range)) {
    const last = high === undefined ? low[0] + 20 : high[1] === 0 && high[2] === 0 ? high[0] - 1 : high[0];
    for (let major = low[0]; major <= last; major++) majors.add(major);
  }
  return [...majors].sort((a, b) => a - b);
}
