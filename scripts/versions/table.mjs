// The matrix as a table: one row per package and client version, one column per Node.js release.

const cellText = (result) => {
  if (result === undefined) return "";
  if (typeof result === "string") return result;
  const text = `${result.passed} passed, ${result.failed} failed`;
  return result.skipped ? `${text}, ${result.skipped} skipped` : text;
};

/** rows: [{package, client, cells: {nodeVersion: result | note}}] */
export function renderTable(rows, nodeVersions) {
  const header = ["package", "client", ...nodeVersions.map((v) => `Node ${v}`)];
  const lines = rows.map((row) => [row.package, row.client, ...nodeVersions.map((v) => cellText(row.cells[v]))]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const format = (line) => line.map((text, i) => text.padEnd(widths[i])).join("  ").trimEnd();
  return [format(header), format(widths.map((w) => "-".repeat(w))), ...lines.map(format)].join("\n");
}
