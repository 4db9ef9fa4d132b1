/**
 * A history that cannot be read leaves the days-to-full levels unknown: no forecast is made, and the
 * level each resource reached at the last scan (the hysteresis memory) is in the history too. Read
 * as they come out, a subnet at warning only through its forecast would then be reported recovered.
 * So, in every scope with a days-to-full threshold, a resource the last notification saw at warning
 * or critical keeps that level while its status now reads better: in the counts, the saved state and
 * the notification, until a scan reads the history again. The scan is partial meanwhile (scan.ts),
 * so what it publishes can hold or raise an alarm, never clear one.
 *
 * Pure: the evaluation and the last notified state come in, an evaluation with the held levels goes out.
 */
import { compareEvaluations } from "../evaluate";
import type { NotifiedState } from "../publish/state-diff";
import { STATUS_RANK, worseStatus, zeroCounts } from "../status";
import type { Evaluation, ResourceEvaluation, ScopeResult, Status } from "../types";

function holdScope(
  scope: ScopeResult,
  previous: NotifiedState["scopes"][string] | undefined,
  why: string,
): ScopeResult {
  if (previous === undefined) return scope;
  if (scope.thresholds.daysToFullWarning === undefined && scope.thresholds.daysToFullCritical === undefined)
    return scope;
  const seen = new Set<string>();
  let status: Status = scope.status;
  let moved = false;
  const evaluations = scope.evaluations.map((e): ResourceEvaluation => {
    const id = e.resource.resourceId;
    // Evaluations are worst first and the state keeps a resource's worst CIDR: hold only that one,
    // so a resource of several CIDRs counts once, as it did.
    if (seen.has(id)) return e;
    seen.add(id);
    const last = previous.resources[id]?.status;
    if ((last !== "warning" && last !== "critical") || STATUS_RANK[e.status] <= STATUS_RANK[last]) return e;
    moved = true;
    status = worseStatus(status, last);
    return { ...e, status: last, reason: `held at ${last}: ${why}` };
  });
  if (!moved) return scope;
  evaluations.sort(compareEvaluations);
  const counts = zeroCounts();
  for (const e of evaluations) counts[e.status]++;
  return { ...scope, evaluations, counts, status };
}

/** The evaluation with the levels the last notification saw kept in scopes with days-to-full thresholds. */
export function holdWithoutHistory(
  evaluation: Evaluation,
  previous: NotifiedState | undefined,
  why: string,
): Evaluation {
  if (previous === undefined) return evaluation;
  return { ...evaluation, scopes: evaluation.scopes.map((s) => holdScope(s, previous.scopes[s.name], why)) };
}
