/**
 * Narrowing a scan's report to what a person or a CI job asked about (`--scope`, `--status`,
 * `--account`): the listings of the result, and the findings `--fail-on` counts. The summary keeps
 * describing the whole scan, and the result says which filter was applied.
 */
import type { ScanResultJson } from "../result";
import type { Evaluation, Status } from "../types";

export interface ResultFilter {
  scopes?: readonly string[];
  statuses?: readonly Status[];
  accounts?: readonly string[];
}

function allows(list: readonly string[] | undefined, value: string | undefined): boolean {
  return list === undefined || (value !== undefined && list.includes(value));
}

export function isEmptyFilter(filter: ResultFilter): boolean {
  return filter.scopes === undefined && filter.statuses === undefined && filter.accounts === undefined;
}

/** The result with its scopes, resources in trouble, resources filling up and scopes without matches filtered. */
export function filterResult(result: ScanResultJson, filter: ResultFilter): ScanResultJson {
  if (isEmptyFilter(filter)) return result;
  const inScope = (name: string) => allows(filter.scopes, name);
  const filtered: ScanResultJson = {
    ...result,
    scopes: result.scopes.filter((s) => inScope(s.name)),
    resourcesInTrouble: result.resourcesInTrouble.filter(
      (t) => inScope(t.scope) && allows(filter.statuses, t.status) && allows(filter.accounts, t.ownerId),
    ),
    scopesWithoutMatches: result.scopesWithoutMatches.filter(inScope),
    filter: {
      ...(filter.scopes !== undefined ? { scopes: [...filter.scopes] } : {}),
      ...(filter.statuses !== undefined ? { statuses: [...filter.statuses] } : {}),
      ...(filter.accounts !== undefined ? { accounts: [...filter.accounts] } : {}),
    },
  };
  if (result.fillingUp !== undefined) {
    filtered.fillingUp = result.fillingUp.filter(
      (f) =>
        (filter.scopes === undefined || f.scopes.some(inScope)) &&
        filter.statuses === undefined &&
        allows(filter.accounts, f.ownerId),
    );
  }
  return filtered;
}

/** Resource CIDRs at one of `levels` in the scopes and accounts the filter allows (each counted once). */
export function countFindings(evaluation: Evaluation, filter: ResultFilter, levels: readonly Status[]): number {
  const found = new Set<unknown>();
  for (const scope of evaluation.scopes) {
    if (!allows(filter.scopes, scope.name)) continue;
    for (const e of scope.evaluations) {
      if (e.status === "ok") break; // worst first
      if (levels.includes(e.status) && allows(filter.statuses, e.status) && allows(filter.accounts, e.resource.ownerId))
        found.add(e.resource);
    }
  }
  return found.size;
}

/** Scopes without a match among the scopes the filter allows. */
export function scopesWithoutMatches(evaluation: Evaluation, filter: ResultFilter): string[] {
  return evaluation.scopesWithoutMatches.filter((name) => allows(filter.scopes, name));
}
