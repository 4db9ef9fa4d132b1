/**
 * One evaluation's resources indexed by the fields rules compare exactly, so that each scope's
 * compiled predicate (match.ts) runs only on the resources one of its conditions allows. Pure: no
 * I/O.
 */

import { ipv4Last, parseCidrBlock } from "../cidr";
import type { MatchSpec, ResourceCidr } from "../types";
import { cachedBlock, tagGlobs, tagValue, vpcOf } from "./match";

/**
 * The positions of the resources that have each value of one field: `groupOf` numbers the
 * values, and each group is a chain through `next` from `first`, in ascending position.
 */
interface FieldIndex {
  groupOf: Map<string, number>;
  first: number[];
  size: number[];
  /** next[position] = the following position with the same value, or -1. */
  next: Int32Array;
}

function buildFieldIndex(
  resources: readonly ResourceCidr[],
  read: (r: ResourceCidr) => string | undefined,
): FieldIndex {
  const groupOf = new Map<string, number>();
  const first: number[] = [];
  const size: number[] = [];
  const next = new Int32Array(resources.length);
  // Walking backwards links each chain in ascending position.
  for (let i = resources.length - 1; i >= 0; i--) {
    const value = read(resources[i]!);
    next[i] = -1;
    if (value === undefined) continue;
    let group = groupOf.get(value);
    if (group === undefined) {
      group = first.length;
      groupOf.set(value, group);
      first.push(-1);
      size.push(0);
    }
    next[i] = first[group]!;
    first[group] = i;
    size[group]! += 1;
  }
  return { groupOf, first, size, next };
}

/** A set of candidate positions, sized before it is built: only the smallest of a scope's is built. */
interface Option {
  size: number;
  positions(): Uint32Array;
}

/** IPv4 resource CIDRs by network address, for cidrWithin: positions sorted by their network. */
interface Ipv4Index {
  networks: Float64Array;
  positions: Uint32Array;
}

function buildIpv4Index(resources: readonly ResourceCidr[]): Ipv4Index {
  const found: number[] = [];
  const networkAt = new Float64Array(resources.length);
  for (let i = 0; i < resources.length; i++) {
    // Parsed once per resource and evaluation, however many scopes ask.
    const block = cachedBlock(resources[i]!.cidr);
    if (block === null || block.family !== "ipv4") continue;
    networkAt[i] = block.network;
    found.push(i);
  }
  const positions = Uint32Array.from(found).sort((a, b) => networkAt[a]! - networkAt[b]! || a - b);
  const networks = new Float64Array(positions.length);
  for (let k = 0; k < positions.length; k++) networks[k] = networkAt[positions[k]!]!;
  return { networks, positions };
}

/** The first k with networks[k] ≥ value. */
function lowerBound(networks: Float64Array, value: number): number {
  let low = 0;
  let high = networks.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (networks[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A glob without `*`, `?`, `[` or `\` matches exactly its own text (see glob.ts), so it can be looked up. */
function isLiteralGlob(pattern: string): boolean {
  return !/[*?[\\]/.test(pattern);
}

/**
 * One evaluation's resources, indexed on first use by the fields rules compare exactly: resource
 * type, account, Region, VPC, address family, tag values, and IPv4 CIDRs by address. Not resource
 * IDs: nearly every one is distinct, so their index (a Map of every resource) costs more to build
 * than testing every resource in the rare scope that lists some.
 */
export interface ResourceIndex {
  /**
   * Positions of the resources that can match `spec`, ascending: every resource it matches is
   * among them, and the spec's predicate decides. The smallest set any one condition allows;
   * undefined when no condition narrows the resources (test them all).
   */
  candidates(spec: MatchSpec): Uint32Array | undefined;
}

/**
 * Indexes the resources so that each scope tests only the resources one of its conditions allows
 * (a few hundred Elastic IPs of a Region, the subnets of one cost center) instead of every
 * resource: 50 scopes × 100,000 resources is 5 million predicate calls otherwise. The candidates
 * only narrow what the compiled predicate is run on; the predicate alone decides a match.
 */
export function indexResources(resources: readonly ResourceCidr[]): ResourceIndex {
  const fields = new Map<string, FieldIndex>();
  let ipv4: Ipv4Index | undefined;

  const fieldIndex = (name: string, read: (r: ResourceCidr) => string | undefined): FieldIndex => {
    let index = fields.get(name);
    if (index === undefined) {
      index = buildFieldIndex(resources, read);
      fields.set(name, index);
    }
    return index;
  };

  /** How many resources have one of the values, and their positions when asked. */
  const lookup = (index: FieldIndex, values: Iterable<string>): Option => {
    const groups = [...new Set(values)]
      .map((value) => index.groupOf.get(value))
      .filter((g): g is number => g !== undefined);
    const size = groups.reduce((n, g) => n + index.size[g]!, 0);
    return {
      size,
      positions: () => {
        // Chains of different values never share a position.
        const found = new Uint32Array(size);
        let k = 0;
        for (const group of groups) for (let i = index.first[group]!; i >= 0; i = index.next[i]!) found[k++] = i;
        return groups.length > 1 ? found.sort() : found;
      },
    };
  };

  /** The resources whose IPv4 network lies in one of the blocks; undefined if any block is IPv6 (not indexed). */
  const withinIpv4 = (texts: readonly string[]): Uint32Array | undefined => {
    const blocks = texts.map(parseCidrBlock);
    if (blocks.some((block) => block.family !== "ipv4")) return undefined;
    ipv4 ??= buildIpv4Index(resources);
    const { networks, positions } = ipv4;
    const found: number[] = [];
    for (const block of blocks as { network: number; prefix: number }[]) {
      const last = ipv4Last(block);
      for (let k = lowerBound(networks, block.network); k < networks.length && networks[k]! <= last; k++)
        found.push(positions[k]!);
    }
    // Overlapping blocks can find a resource twice.
    const sorted = Uint32Array.from(found).sort();
    return sorted.filter((position, k) => k === 0 || sorted[k - 1] !== position);
  };

  return {
    candidates(spec) {
      const options: Option[] = [];
      const add = (option: Option | Uint32Array | undefined): void => {
        if (option instanceof Uint32Array) options.push({ size: option.length, positions: () => option });
        else if (option !== undefined) options.push(option);
      };
      if (spec.resourceTypes !== undefined)
        add(
          lookup(
            fieldIndex("resourceType", (r) => r.resourceType),
            spec.resourceTypes,
          ),
        );
      if (spec.accounts !== undefined)
        add(
          lookup(
            fieldIndex("ownerId", (r) => r.ownerId),
            spec.accounts,
          ),
        );
      if (spec.regions !== undefined)
        add(
          lookup(
            fieldIndex("region", (r) => r.region),
            spec.regions,
          ),
        );
      if (spec.vpcIds !== undefined) add(lookup(fieldIndex("vpc", vpcOf), spec.vpcIds));
      if (spec.addressFamily !== undefined)
        add(
          lookup(
            fieldIndex("addressFamily", (r) => r.addressFamily),
            [spec.addressFamily],
          ),
        );
      for (const [key, value] of Object.entries(spec.tags ?? {})) {
        // Keys are prefixed so that no tag key can collide with the fields above. A list of
        // alternatives narrows only when every one of them is literal.
        const globs = tagGlobs(value);
        if (globs.every(isLiteralGlob))
          add(
            lookup(
              fieldIndex(`tag:${key}`, (r) => tagValue(r, key)),
              globs,
            ),
          );
      }
      if (spec.cidrWithin !== undefined) add(withinIpv4(spec.cidrWithin));
      if (options.length === 0) return undefined;
      return options.reduce((smallest, option) => (option.size < smallest.size ? option : smallest)).positions();
    },
  };
}
