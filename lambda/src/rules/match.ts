/**
 * Which resources a scope covers. `matchesSpec`/`matchesScope` read the rule
 * directly and are the reference; `compileSpec`/`compileScope` turn a rule
 * into a predicate once (sets, compiled globs, parsed CIDRs) for evaluating
 * every resource against every scope (resource-index.ts narrows the
 * resources each scope's predicate has to be run on). Pure: no I/O.
 *
 * Semantics: every condition given must hold; the items of a list are
 * alternatives; a condition on a field the resource lacks (no name, no
 * owner, no Region) does not hold.
 */

import {
  blockContains,
  type CidrBlock,
  cidrContains,
  type ParsedCidr,
  parseCidr,
  parseCidrBlock,
  toCidrBlock,
} from "../cidr";
import type { MatchSpec, ResourceCidr, ScopeRule } from "../types";
import { compileGlob } from "./glob";

export type ResourcePredicate = (resource: ResourceCidr) => boolean;

/** The VPC a resource belongs to; a VPC belongs to itself, so `vpcIds` selects the VPC and its subnets. */
export function vpcOf(resource: ResourceCidr): string | undefined {
  return resource.vpcId ?? (resource.resourceType === "vpc" ? resource.resourceId : undefined);
}

/**
 * Resource CIDRs parsed once even when 50 scopes ask, keyed by text (a
 * WeakMap keyed by resource costs more to fill than the parsing it saves;
 * the IPAM collector keeps one string per distinct CIDR, so the lookups hash
 * a few thousand texts, not one per resource).
 * `null` marks text that does not parse: such a resource is never within
 * any block. Cleared when large so a long-lived container cannot grow it
 * without bound.
 */
const blockCache = new Map<string, CidrBlock | null>();
const BLOCK_CACHE_LIMIT = 250_000;

export function cachedBlock(text: string): CidrBlock | null {
  let block = blockCache.get(text);
  if (block === undefined) {
    if (blockCache.size >= BLOCK_CACHE_LIMIT) blockCache.clear();
    block = toCidrBlock(text) ?? null;
    blockCache.set(text, block);
  }
  return block;
}

/** Own tags only: a tag key such as "constructor" must not find Object.prototype's. */
export function tagValue(resource: ResourceCidr, key: string): string | undefined {
  return Object.hasOwn(resource.tags, key) ? resource.tags[key] : undefined;
}

/** A tag condition's globs: one, or a list of alternatives (`env: [prod, production]`). */
export function tagGlobs(value: string | readonly string[]): readonly string[] {
  return typeof value === "string" ? [value] : value;
}

function inList(list: readonly string[] | undefined, value: string | undefined): boolean {
  return list === undefined || (value !== undefined && list.includes(value));
}

/** True when the resource meets every condition of the spec (an empty spec matches everything). */
export function matchesSpec(resource: ResourceCidr, spec: MatchSpec): boolean {
  if (!inList(spec.resourceTypes, resource.resourceType)) return false;
  if (!inList(spec.accounts, resource.ownerId)) return false;
  if (!inList(spec.regions, resource.region)) return false;
  if (!inList(spec.vpcIds, vpcOf(resource))) return false;
  if (!inList(spec.resourceIds, resource.resourceId)) return false;
  if (spec.addressFamily !== undefined && resource.addressFamily !== spec.addressFamily) return false;
  if (spec.cidrWithin !== undefined) {
    // The reference path uses cidr.ts alone, so the compiled path's number arithmetic is checked against it.
    let cidr: ParsedCidr;
    try {
      cidr = parseCidr(resource.cidr);
    } catch {
      return false;
    }
    if (!spec.cidrWithin.some((outer) => cidrContains(outer, cidr))) return false;
  }
  if (spec.names !== undefined) {
    const name = resource.name;
    if (name === undefined || !spec.names.some((glob) => compileGlob(glob)(name))) return false;
  }
  if (spec.tags !== undefined) {
    for (const [key, globs] of Object.entries(spec.tags)) {
      const value = tagValue(resource, key);
      if (value === undefined || !tagGlobs(globs).some((glob) => compileGlob(glob)(value))) return false;
    }
  }
  return true;
}

/** True when the resource matches the scope's `match` and not its `exclude`. */
export function matchesScope(resource: ResourceCidr, scope: ScopeRule): boolean {
  return matchesSpec(resource, scope.match) && !(scope.exclude !== undefined && matchesSpec(resource, scope.exclude));
}

function setCondition(
  values: readonly string[] | undefined,
  read: (r: ResourceCidr) => string | undefined,
): ResourcePredicate | undefined {
  if (values === undefined) return undefined;
  const set = new Set(values);
  return (resource) => {
    const value = read(resource);
    return value !== undefined && set.has(value);
  };
}

function anyGlob(globs: readonly string[]): (text: string) => boolean {
  const predicates = globs.map(compileGlob);
  if (predicates.length === 1) return predicates[0] as (text: string) => boolean;
  return (text) => predicates.some((matches) => matches(text));
}

/**
 * The spec as one predicate, with its globs compiled, lists turned into
 * sets and CIDRs parsed. Agrees with `matchesSpec` on every resource.
 * Throws on a malformed glob or CIDR, which `parseRules` has already rejected.
 */
export function compileSpec(spec: MatchSpec): ResourcePredicate {
  const conditions: ResourcePredicate[] = [];
  const add = (condition: ResourcePredicate | undefined): void => {
    if (condition !== undefined) conditions.push(condition);
  };

  // Cheapest and most selective first: most resources fail on type or account.
  add(setCondition(spec.resourceTypes, (r) => r.resourceType));
  if (spec.addressFamily !== undefined) {
    const family = spec.addressFamily;
    add((r) => r.addressFamily === family);
  }
  add(setCondition(spec.accounts, (r) => r.ownerId));
  add(setCondition(spec.regions, (r) => r.region));
  add(setCondition(spec.vpcIds, vpcOf));
  add(setCondition(spec.resourceIds, (r) => r.resourceId));
  if (spec.names !== undefined) {
    const matchesName = anyGlob(spec.names);
    add((r) => r.name !== undefined && matchesName(r.name));
  }
  if (spec.tags !== undefined) {
    const compiled = Object.entries(spec.tags).map(([key, globs]) => [key, anyGlob(tagGlobs(globs))] as const);
    add((r) =>
      compiled.every(([key, matches]) => {
        const value = tagValue(r, key);
        return value !== undefined && matches(value);
      }),
    );
  }
  if (spec.cidrWithin !== undefined) {
    const blocks = spec.cidrWithin.map(parseCidrBlock);
    add((r) => {
      const cidr = cachedBlock(r.cidr);
      return cidr !== null && blocks.some((outer) => blockContains(outer, cidr));
    });
  }

  if (conditions.length === 0) return () => true;
  if (conditions.length === 1) return conditions[0] as ResourcePredicate;
  return (resource) => {
    for (const condition of conditions) if (!condition(resource)) return false;
    return true;
  };
}

/** The scope as one predicate: matches `match` and not `exclude`. Agrees with `matchesScope`. */
export function compileScope(scope: ScopeRule): ResourcePredicate {
  const included = compileSpec(scope.match);
  if (scope.exclude === undefined) return included;
  const excluded = compileSpec(scope.exclude);
  return (resource) => included(resource) && !excluded(resource);
}
