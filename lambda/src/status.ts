/**
 * The order of statuses, worst first, as every part uses it: sorting resources and scopes, the
 * worst status of a scope or a run, counts per status, the report's and the notification's lists.
 * STATUSES in types.ts is the one definition; everything here is derived from it.
 */
import { STATUSES, type Status } from "./types";

/** Sort rank, 0 = worst: the position in STATUSES. */
export const STATUS_RANK: Readonly<Record<Status, number>> = Object.freeze(
  Object.fromEntries(STATUSES.map((status, rank) => [status, rank])) as Record<Status, number>,
);

/** The best status, what a scope with no resources is. */
export const BEST_STATUS: Status = STATUSES[STATUSES.length - 1]!;

/** The worse of two statuses (critical > warning > unknown > ok). */
export function worseStatus(a: Status, b: Status): Status {
  return STATUS_RANK[a] <= STATUS_RANK[b] ? a : b;
}

/** The worst status with a count above zero; the best status when every count is zero. */
export function worstCounted(counts: Readonly<Record<Status, number>>): Status {
  return STATUSES.find((status) => counts[status] > 0) ?? BEST_STATUS;
}

/** The statuses at `level` or worse, worst first: ["critical", "warning"] for warning. */
export function atOrWorse(level: Status): readonly Status[] {
  return STATUSES.slice(0, STATUS_RANK[level] + 1);
}

/** A zero count for every status, in STATUSES order. */
export function zeroCounts(): Record<Status, number> {
  return Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<Status, number>;
}

/** An empty list for every status, in STATUSES order: sort items into them, then read them back worst first. */
export function statusBuckets<T>(): Record<Status, T[]> {
  return Object.fromEntries(STATUSES.map((status) => [status, []])) as unknown as Record<Status, T[]>;
}

/** How many items each status's bucket holds. */
export function bucketCounts(buckets: Readonly<Record<Status, readonly unknown[]>>): Record<Status, number> {
  return Object.fromEntries(STATUSES.map((status) => [status, buckets[status].length])) as Record<Status, number>;
}

/** The items of every bucket, worst status first, each bucket in its own order. */
export function worstFirst<T>(buckets: Readonly<Record<Status, readonly T[]>>): T[] {
  return STATUSES.flatMap((status) => buckets[status]);
}
