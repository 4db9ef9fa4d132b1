/**
 * Each resource CIDR once. A page boundary that moves while the inventory changes, or a server
 * that repeats itself, can return the same resource on two pages; counted twice it would inflate
 * a scope's counts and the unit's resource count that the next scan is judged against.
 */
import type { ResourceCidr } from "../types";

/** Remembers (resource id, CIDR) pairs; most resources have one CIDR, so the common case is one Map entry. */
export class ResourceCidrSet {
  private readonly cidrsById = new Map<string, string | string[]>();
  private count = 0;

  /** Adds the pair; false when it was there already. */
  add(resourceId: string, cidr: string): boolean {
    const known = this.cidrsById.get(resourceId);
    if (known === undefined) this.cidrsById.set(resourceId, cidr);
    else if (typeof known === "string") {
      if (known === cidr) return false;
      this.cidrsById.set(resourceId, [known, cidr]);
    } else {
      if (known.includes(cidr)) return false;
      known.push(cidr);
    }
    this.count += 1;
    return true;
  }

  get size(): number {
    return this.count;
  }
}

/** The resources with each (resource id, CIDR) kept once, first occurrence first. */
export function uniqueResources(resources: readonly ResourceCidr[]): ResourceCidr[] {
  const seen = new ResourceCidrSet();
  const kept: ResourceCidr[] = [];
  for (const r of resources) if (seen.add(r.resourceId, r.cidr)) kept.push(r);
  return kept;
}
