/**
 * "Did you mean …?" for misspelt keys and values in the rules file. A
 * suggestion is only made when it is close, because a far-fetched guess is
 * worse than none.
 */

import { distance } from "fastest-levenshtein";

/** Edit distance (insertions, deletions, substitutions), compared case-insensitively. */
export function levenshtein(a: string, b: string): number {
  return distance(a.toLowerCase(), b.toLowerCase());
}

/** The distance up to which a word still counts as a typo of another: about one edit per three characters. */
function defaultMaxDistance(input: string): number {
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
