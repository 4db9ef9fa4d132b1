/**
 * "Did you mean …?" for misspelt keys and values in the rules file. A
 * suggestion is only made when it is close, because a far-fetched guess is
 * worse than none.
 */

/** Edit distance (insertions, deletions, substitutions), compared case-insensitively. */
export function levenshtein(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;

  // Two rolling rows of the classic dynamic-programming table.
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  let current = new Array<number>(t.length + 1).fill(0);
  for (let i = 1; i <= s.length; i += 1) {
    current[0] = i;
    for (let j = 1; j <= t.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (s[i - 1] === t[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[t.length] ?? 0;
}

/** The distance up to which a word still counts as a typo of another: about one edit per three characters. */
export function defaultMaxDistance(input: string): number {
  return Math.max(1, Math.floor(input.length / 3));
}

/**
 * The candidate closest to `input`, or undefined when none is within
 * `maxDistance` (or when `input` is itself a candidate). Ties go to the
 * candidate listed first.
 */
export function suggest(
  input: string,
  candidates: readonly string[],
  maxDistance: number = defaultMaxDistance(input),
): string | undefined {
  if (candidates.includes(input)) return undefined;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = levenshtein(input, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= maxDistance ? best : undefined;
}

/** `; did you mean "x"?` to append to a message, or "" when nothing is close. */
export function didYouMean(input: string, candidates: readonly string[], maxDistance?: number): string {
  const suggestion = suggest(input, candidates, maxDistance);
  return suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
}
