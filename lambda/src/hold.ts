/**
 * Unknown never means better. When the source stops reporting the usage of a resource that was at
 * warning or critical (IPAM drops IpUsage for a subnet, a field goes missing), the resource becomes
 * unknown; reading that as an improvement would move its scope's alarm to OK while the subnet is as
 * full as it was. So such a resource keeps its last known level — in the counts, and so the alarms,
 * and in the saved state — for UNKNOWN_HOLD_HOURS (24 h by default), and is reported once as
 * "no longer measured (last seen critical at 97%)". After that it counts as unknown (its own alarm).
 *
 * Pure: the evaluation and the last notified state come in, an evaluation with the held levels
 * goes out. Needs the saved state, so it works with a state table (Lambda, CLI --state-table).
 */
import { formatPercent } from "./evaluate";
import type { NotifiedState } from "./publish/state-diff";
import { bucketCounts, statusBuckets, worstCounted, worstFirst } from "./status";
import type { Evaluation, HeldLevel, ResourceEvaluation, ScopeResult } from "./types";

export interface HoldOptions {
  now: Date;
  /** How long a level is held; 0 holds nothing. */
  holdHours: number;
}

/** "no longer measured (last seen critical at 96.1%)" */
export function heldReason(held: HeldLevel): string {
  const seen =
    held.utilization !== undefined
      ? ` at ${formatPercent(held.utilization)}`
      : held.free !== undefined
        ? ` with ${held.free} free`
        : "";
  return `no longer measured (last seen ${held.status}${seen})`;
}

/** The status of each resource id among the evaluations: a resource with any CIDR measured is measured. */
function unmeasuredIds(evaluations: readonly ResourceEvaluation[]): Set<string> {
  const unknown = new Set<string>();
  const measured = new Set<string>();
  for (const e of evaluations) {
    if (e.status === "unknown") unknown.add(e.resource.resourceId);
    else measured.add(e.resource.resourceId);
  }
  for (const id of measured) unknown.delete(id);
  return unknown;
}

function holdScope(
  scope: ScopeResult,
  previous: NotifiedState["scopes"][string] | undefined,
  options: HoldOptions,
): ScopeResult {
  if (previous === undefined) return scope;
  const candidates = unmeasuredIds(scope.evaluations);
  if (candidates.size === 0) return scope;
  const limitMs = options.holdHours * 3_600_000;
  const held: Record<"critical" | "warning", ResourceEvaluation[]> = { critical: [], warning: [] };
  const rest: ResourceEvaluation[] = [];
  let moved = false;
  for (const e of scope.evaluations) {
    const last = e.status === "unknown" ? previous.resources[e.resource.resourceId] : undefined;
    const level = last?.status;
    if (last === undefined || (level !== "critical" && level !== "warning") || !candidates.has(e.resource.resourceId)) {
      rest.push(e);
      continue;
    }
    const since = last.heldSince ?? options.now.toISOString();
    if (options.now.getTime() - Date.parse(since) >= limitMs) {
      rest.push(e);
      continue;
    }
    const heldLevel: HeldLevel = { status: level, since };
    if (last.utilization !== undefined) heldLevel.utilization = last.utilization;
    if (last.free !== undefined) heldLevel.free = last.free;
    held[level].push({ ...e, status: level, reason: heldReason(heldLevel), held: heldLevel });
    moved = true;
  }
  if (!moved) return scope;

  // Worst first, as evaluate orders them: a held resource has no measured usage, so it goes after
  // the measured ones of its level, as compareResources puts unknown utilization last.
  const buckets = statusBuckets<ResourceEvaluation>();
  for (const e of rest) buckets[e.status].push(e);
  buckets.critical.push(...held.critical);
  buckets.warning.push(...held.warning);
  const counts = bucketCounts(buckets);
  return { ...scope, counts, status: worstCounted(counts), evaluations: worstFirst(buckets) };
}

/**
 * The evaluation with every resource that was at warning or critical, and is now unmeasured in all
 * its CIDRs, held at its last level until `holdHours` after it was first seen unmeasured.
 */
export function holdUnknownLevels(
  evaluation: Evaluation,
  previous: NotifiedState | undefined,
  options: HoldOptions,
): Evaluation {
  if (previous === undefined || options.holdHours <= 0) return evaluation;
  return { ...evaluation, scopes: evaluation.scopes.map((s) => holdScope(s, previous.scopes[s.name], options)) };
}
