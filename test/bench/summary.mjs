// @ts-check
/** Medians, ranges and the printed table of scripts/bench. Pure functions. */

/**
 * @typedef {{ median: number; min: number; max: number; runs: number[] }} Spread
 */

/**
 * Median (mean of the middle two for an even count), min and max of the runs, as measured.
 * @param {number[]} runs
 * @returns {Spread}
 */
export function spread(runs) {
  if (runs.length === 0) throw new RangeError("spread() needs at least one run");
  const sorted = [...runs].sort((a, b) => a - b);
  /** @param {number} i */
  const at = (i) => /** @type {number} */ (sorted[i]);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? at(middle) : (at(middle - 1) + at(middle)) / 2;
  return { median, min: at(0), max: at(sorted.length - 1), runs };
}

/**
 * A number with a sensible number of digits for a table.
 * @param {number} value
 * @param {number} [digits] decimals; by default 0 at 100 and above, 1 at 10 and above, else 2
 */
export function formatNumber(value, digits) {
  const decimals = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/**
 * "median (min–max)", or just the value when every run agrees.
 * @param {Spread} s
 * @param {number} [digits]
 */
export function formatSpread(s, digits) {
  const median = formatNumber(s.median, digits);
  if (s.runs.length < 2 || s.min === s.max) return median;
  return `${median} (${formatNumber(s.min, digits)}–${formatNumber(s.max, digits)})`;
}

/**
 * A Markdown table: the same text reads in a terminal and pastes into docs/performance.md.
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {("l" | "r")[]} [align] per column; numbers read best right-aligned
 */
export function markdownTable(header, rows, align = header.map((_, i) => (i === 0 ? "l" : "r"))) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  /** @param {number} i */
  const width = (i) => widths[i] ?? 0;
  /** @param {string[]} cells */
  const line = (cells) =>
    `| ${cells.map((c, i) => (align[i] === "r" ? c.padStart(width(i)) : c.padEnd(width(i)))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (align[i] === "r" ? `${"-".repeat(w + 1)}:` : `${"-".repeat(w + 2)}`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
