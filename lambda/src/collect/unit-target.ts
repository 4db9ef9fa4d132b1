/**
 * How failures name a collection unit. One function for every source and for the plausibility gate,
 * so the operator reads the same words for a unit whichever check left it out.
 */
import type { CollectionUnit } from "../types";

/** "ipam-scope ipam-scope-0abc", "region eu-west-1", "account 111122223333 (payments) region eu-west-1". */
export function unitTarget(
  unit: Pick<CollectionUnit, "key" | "ipamScopeId" | "account" | "region">,
  accountName?: string,
): string {
  if (unit.ipamScopeId !== undefined) return `ipam-scope ${unit.ipamScopeId}`;
  if (unit.region === undefined) return unit.key;
  if (unit.account === undefined) return `region ${unit.region}`;
  const name = accountName === undefined ? "" : ` (${accountName})`;
  return `account ${unit.account}${name} region ${unit.region}`;
}
