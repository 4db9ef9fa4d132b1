/**
 * Which resources a scope covers. `matchesSpec`/`matchesScope` read the rule
 * directly and are the reference; `compileSpec`/`compileScope` turn a rule
 * into a predicate once (sets, compiled globs, parsed CIDRs) for evaluating
 * every resource against every scope; `indexResources` narrows the resources
 * each scope's predicate has to be run on. Pure: no I/O.
 *
 * Semantics: every condition given must hold; the items of a list are
 * alternatives; a condition on a field the resource lacks (no name, no
 * owner, no Region) does not hold.
 */

import { cidrContains, type ParsedCidr, parseCidr } from "../cidr";
import type { MatchSpec, ResourceCidr, ScopeRule } from "../types";
import { compileGlob } from "./glob";

export type ResourcePredicate = (resource: ResourceCidr) => boolean;

/** The VPC a resource belongs to; a VPC belongs to itself, so `vpcIds` selects the VPC and its subnets. */
function vpcOf(resource: ResourceCidr): string | undefined {
  return resource.vpcId ?? (resource.resourceType === "vpc" ? resource.resourceId : undefined);
}

/**
 * A CIDR in the form containment checks want: plain numbers instead of
 * BigInt (IPv4 as one 32-bit value, IPv6 as eight 16-bit groups), which is
 * many times faster on the hot path of 100,000 resources × 50 scopes.
 */
type Block = { family: "ipv4"; network: number; prefix: number } | { family: "ipv6"; groups: number[]; prefix: number };

/** Reads the prefix after "/" like parseCidr: digits without a leading zero, at most `bits`; -1 otherwise. */
function readPrefix(text: string, start: number, bits: number): number {
  const length = text.length - start;
  if (length < 1 || length > 3 || (length > 1 && text.charCodeAt(start) === 48)) return -1;
  let value = 0;
  for (let i = start; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return -1;
    value = value * 10 + (code - 48);
  }
  return value <= bits ? value : -1;
}

/** "a.b.c.d/n" by character codes: numbers without leading zeros, octets to 255, host bits zero; else null. */
function fastIpv4(text: string, slash: number): Block | null {
  const prefix = readPrefix(text, slash + 1, 32);
  if (prefix < 0) return null;
  let network = 0;
  let octets = 0;
  let digits = 0;
  let value = 0;
  for (let i = 0; i <= slash; i += 1) {
    const code = i === slash ? 46 : text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      if (digits === 1 && value === 0) return null;
      value = value * 10 + (code - 48);
      digits += 1;
      if (digits > 3) return null;
    } else if (code === 46 && digits > 0 && value <= 255 && octets < 4) {
      network = network * 256 + value;
      octets += 1;
      digits = 0;
      value = 0;
    } else {
      return null;
    }
  }
  if (octets !== 4 || network % 2 ** (32 - prefix) !== 0) return null;
  return { family: "ipv4", network, prefix };
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * Plain hex groups with at most one "::", host bits zero; else null. Forms
 * it does not handle (an embedded IPv4 tail) also give null and go to
 * parseCidr, so this only has to be right about what it accepts.
 */
function fastIpv6(text: string, slash: number): Block | null {
  const prefix = readPrefix(text, slash + 1, 128);
  if (prefix < 0) return null;
  const head: number[] = [];
  let tail: number[] | undefined;
  let i = 0;
  if (text.startsWith("::")) {
    tail = [];
    i = 2;
  }
  while (i < slash) {
    let value = 0;
    let digits = 0;
    for (let d = hexDigit(text.charCodeAt(i)); d >= 0 && i < slash; d = hexDigit(text.charCodeAt(i))) {
      value = value * 16 + d;
      digits += 1;
      i += 1;
      if (digits > 4) return null;
    }
    if (digits === 0) return null;
    (tail ?? head).push(value);
    if (i === slash) break;
    if (text.charCodeAt(i) !== 58) return null;
    i += 1;
    if (text.charCodeAt(i) === 58) {
      if (tail) return null;
      tail = [];
      i += 1;
    } else if (i === slash) {
      return null;
    }
  }
  const present = head.length + (tail?.length ?? 0);
  if (tail ? present > 7 : present !== 8) return null;
  const groups = tail ? [...head, ...new Array<number>(8 - present).fill(0), ...tail] : head;
  for (let g = 0; g < 8; g += 1) {
    const hostBits = Math.min(16, Math.max(0, (g + 1) * 16 - prefix));
    if ((groups[g] as number) % 2 ** hostBits !== 0) return null;
  }
  return { family: "ipv6", groups, prefix };
}

function fromParsed(parsed: ParsedCidr): Block {
  if (parsed.family === "ipv4") return { family: "ipv4", network: Number(parsed.network), prefix: parsed.prefix };
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((parsed.network >> shift) & 0xffffn));
  return { family: "ipv6", groups, prefix: parsed.prefix };
}

/** The block for a CIDR text, accepting exactly what parseCidr accepts; null when it does not parse. */
function toBlock(text: string): Block | null {
  const slash = text.indexOf("/");
  const fast = slash < 0 ? null : text.includes(":") ? fastIpv6(text, slash) : fastIpv4(text, slash);
  if (fast) return fast;
  try {
    return fromParsed(parseCidr(text));
  } catch {
    return null;
  }
}

/** The last address of an IPv4 block, as a number. */
function ipv4Last(block: { network: number; prefix: number }): number {
  return block.network + 2 ** (32 - block.prefix) - 1;
}

function blockContains(outer: Block, inner: Block): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) return false;
  if (outer.family === "ipv4") {
    // Aligned blocks nest or do not meet, so a longer prefix whose network lies inside is inside.
    const network = (inner as { network: number }).network;
    return network >= outer.network && network <= ipv4Last(outer);
  }
  const innerGroups = (inner as { groups: number[] }).groups;
  const whole = outer.prefix >>> 4;
  for (let g = 0; g < whole; g += 1) if (outer.groups[g] !== innerGroups[g]) return false;
  const partial = outer.prefix & 15;
  if (partial === 0) return true;
  const span = 2 ** (16 - partial);
  return Math.floor((innerGroups[whole] as number) / span) === (outer.groups[whole] as number) / span;
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
const blockCache = new Map<string, Block | null>();
const BLOCK_CACHE_LIMIT = 250_000;

function cachedBlock(text: string): Block | null {
  let block = blockCache.get(text);
  if (block === undefined) {
    if (blockCache.size >= BLOCK_CACHE_LIMIT) blockCache.clear();
    block = toBlock(text);
    blockCache.set(text, block);
  }
  return block;
}

/** Own tags only: a tag key such as "constructor" must not find Object.prototype's. */
function tagValue(resource: ResourceCidr, key: string): string | undefined {
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
    // toBlock gives null for a malformed block; parseCidr then throws with the reason.
    const blocks = spec.cidrWithin.map((text) => toBlock(text) ?? fromParsed(parseCidr(text)));
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
    const blocks = texts.map((text) => toBlock(text) ?? fromParsed(parseCidr(text)));
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
