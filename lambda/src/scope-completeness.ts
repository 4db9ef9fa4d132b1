/**
 * Completeness per rules scope. A scan that could not read some collection unit (an account-Region,
 * an EC2 Region, an IPAM scope) is partial, but a rules scope whose `match` keeps it away from every
 * unit that failed saw everything it covers: it is complete and publishes all its metrics. Only the
 * scopes that could contain a failed unit's resources are partial.
 *
 * What a failed account-Region could hold: resources of its Region only, owned by its account or,
 * through a VPC shared with it (AWS RAM), by another account. The owner of a shared VPC lists every
 * subnet of it, so another owner's resources are seen anyway when that owner's account was read
 * completely in the same Region. Hence a scope keeps away from a failed account-Region when
 * - its `match.regions` leaves out the Region, or its `exclude` names only Regions and takes it in; or
 * - its `match.accounts` leaves out the account, and every account it lists (less those its `exclude`
 *   takes out in that Region) was read completely in that Region.
 * An `exclude` of accounts alone never suffices: without an account list the scope could hold the
 * subnets any account outside the scan shares with the failed one. Anything else (a unit of no
 * Region, as an IPAM scope, which holds every account and Region, or a failure that belongs to no
 * unit) could hold resources of any scope: every scope is then partial. Pure: no I/O.
 */
import type { CollectionUnit, MatchSpec, ScanFailure, ScopeRule, UnitReport } from "./types";

/** The scopes a scan could not see completely, by name, and whether that is every scope. */
export interface ScopeCompleteness {
  /** Names of the scopes that could hold resources of a unit that was not read completely. */
  incomplete: ReadonlySet<string>;
  /** True when some failure belongs to no unit, or to one that any scope could hold. */
  everyScope: boolean;
}

/** Tells whether an account was read completely in a Region during this scan. */
export type ReadCompletely = (account: string, region: string) => boolean;

/** The exclude spec when it names only accounts and Regions (conditions this module can reason about). */
function accountRegionExclude(exclude: MatchSpec | undefined): Pick<MatchSpec, "accounts" | "regions"> | undefined {
  if (exclude === undefined) return undefined;
  const conditions = Object.entries(exclude).filter(([, value]) => value !== undefined);
  if (conditions.length === 0 || conditions.some(([key]) => key !== "accounts" && key !== "regions")) return undefined;
  return exclude;
}

function regionKeepsAway(scope: Pick<ScopeRule, "match" | "exclude">, region: string): boolean {
  if (scope.match.regions !== undefined && !scope.match.regions.includes(region)) return true;
  const exclude = accountRegionExclude(scope.exclude);
  return exclude?.accounts === undefined && exclude?.regions !== undefined && exclude.regions.includes(region);
}

function accountsKeepAway(
  scope: Pick<ScopeRule, "match" | "exclude">,
  account: string,
  region: string,
  readCompletely: ReadCompletely,
): boolean {
  const listed = scope.match.accounts;
  if (listed === undefined) return false;
  const exclude = accountRegionExclude(scope.exclude);
  const excludedHere =
    exclude?.accounts !== undefined && (exclude.regions === undefined || exclude.regions.includes(region))
      ? exclude.accounts
      : [];
  return listed
    .filter((owner) => !excludedHere.includes(owner))
    .every((owner) => owner !== account && readCompletely(owner, region));
}

/** True when the scope could hold a resource of the (failed) unit. */
export function scopeCouldHold(
  scope: Pick<ScopeRule, "match" | "exclude">,
  unit: CollectionUnit,
  readCompletely: ReadCompletely,
): boolean {
  if (unit.region === undefined) return true;
  if (regionKeepsAway(scope, unit.region)) return false;
  return unit.account === undefined || !accountsKeepAway(scope, unit.account, unit.region, readCompletely);
}

/**
 * Which scopes a scan's incomplete units leave partial. `units` are the units as the plausibility
 * gate judged them; `failures` are the collection failures, each naming its unit when it has one.
 */
export function scopeCompleteness(
  scopes: readonly ScopeRule[],
  units: readonly UnitReport[],
  failures: readonly ScanFailure[],
): ScopeCompleteness {
  const byKey = new Map(units.map((u) => [u.unit.key, u.unit]));
  const failed = new Map<string, CollectionUnit>();
  for (const report of units) if (!report.complete) failed.set(report.unit.key, report.unit);
  let everyScope = false;
  for (const failure of failures) {
    const unit = failure.unit === undefined ? undefined : byKey.get(failure.unit);
    if (unit === undefined) everyScope = true;
    else failed.set(unit.key, unit);
  }
  // A unit of no Region (an IPAM scope) could hold anything.
  for (const unit of failed.values()) if (unit.region === undefined) everyScope = true;

  const complete = new Set<string>();
  for (const report of units) {
    const { account, region } = report.unit;
    if (account !== undefined && region !== undefined && !failed.has(report.unit.key)) {
      complete.add(`${account}/${region}`);
    }
  }
  const readCompletely: ReadCompletely = (account, region) => complete.has(`${account}/${region}`);

  const incomplete = new Set<string>();
  for (const scope of scopes) {
    if (everyScope || [...failed.values()].some((unit) => scopeCouldHold(scope, unit, readCompletely))) {
      incomplete.add(scope.name);
    }
  }
  return { incomplete, everyScope };
}

/** True when the scope saw everything it covers: the whole scan was complete, or no failed unit could touch it. */
export function isScopeComplete(
  name: string,
  options: { complete: boolean; incompleteScopes?: ReadonlySet<string> | undefined },
): boolean {
  if (options.complete) return true;
  return options.incompleteScopes !== undefined && !options.incompleteScopes.has(name);
}
