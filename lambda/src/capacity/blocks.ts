/**
 * Allocatable capacity of one IPv4 subnet: what EKS prefix delegation and automatic address
 * assignment can still get, which a subnet's free address count does not say.
 *
 * - A /28 prefix is delegated only as an aligned block (network address a multiple of 16) that
 *   holds no address in use, none of the five AWS reserves (the first four and the last of the
 *   subnet) and none of an `explicit` subnet CIDR reservation. A /24 at 55% used can have no
 *   such block left when its used addresses are scattered.
 * - Automatic assignment of single addresses takes neither reserved addresses nor addresses of
 *   any subnet CIDR reservation (`explicit`: EC2 never assigns them itself; `prefix`: kept for
 *   delegated prefixes).
 *
 * Pure and exact: every address of the subnet gets a byte of flags (a /16, the largest subnet
 * AWS allows, is 64 KiB), so overlaps of addresses, prefixes and reservations count once. The
 * blocks are indexed from the subnet's own first address, the first block included and nothing
 * past the last one checked (the off-by-one an earlier exporter shipped).
 */

import { parseCidr } from "../cidr";
import type { ResourceCidr } from "../types";

/** IPv4 prefixes EKS delegates to a network interface. */
export const PREFIX_LENGTH = 28;
export const ADDRESSES_PER_PREFIX = 16;
/** Subnet sizes AWS allows: /16 to /28. */
export const LARGEST_SUBNET_PREFIX = 16;
export const SMALLEST_SUBNET_PREFIX = 28;

/** Is the resource an IPv4 subnet, the only kind capacity is measured for? */
export function isIpv4Subnet(resource: Pick<ResourceCidr, "resourceType" | "addressFamily">): boolean {
  return resource.resourceType === "subnet" && resource.addressFamily === "ipv4";
}

export type ReservationType = "explicit" | "prefix";

export interface CidrReservation {
  cidr: string;
  type: ReservationType;
  /** subnet-cidr-reservation id, for messages and the block map. */
  id?: string;
}

/** The IPv4 addresses and prefixes one network interface holds in the subnet. */
export interface InterfaceAddresses {
  networkInterfaceId: string;
  /** Primary and secondary private IPv4 addresses, dotted. */
  addresses: readonly string[];
  /** Delegated IPv4 prefixes (/28), as CIDRs. */
  prefixes: readonly string[];
}

/** What a /28 block is, worst first: what keeps it from being delegated. */
export type BlockState = "aws-reserved" | "explicit" | "used" | "free";

export interface PrefixBlock {
  /** The block as a CIDR, e.g. "10.0.0.16/28". */
  cidr: string;
  state: BlockState;
  /** Every address of the block lies in a `prefix` reservation: where automatic delegation takes prefixes first. */
  prefixReserved: boolean;
  /** Interfaces with an address or a prefix in the block, in input order. */
  networkInterfaceIds: string[];
}

/** How much one interface keeps prefixes from being delegated. */
export interface InterfaceBlocking {
  networkInterfaceId: string;
  /** Blocks that would become free if this interface released its addresses: it is their only occupant. */
  blocksFreed: number;
  /** Blocks it holds an address or prefix in, leaving out those AWS or an explicit reservation keep anyway. */
  blocksBlocked: number;
}

export interface SubnetLayout {
  cidr: string;
  /** Aligned /28 blocks that can be delegated: not AWS-reserved, not used, not explicitly reserved. */
  freePrefixes: number;
  /** Of the free /28 blocks, those inside a `prefix` reservation. */
  freePrefixesReserved: number;
  /** Addresses automatic assignment can still take: not reserved by AWS, not in use, outside every reservation. */
  assignableAddresses: number;
  /** Prefix length of the largest aligned block with no address used, AWS-reserved or explicitly reserved; undefined when none is free. */
  largestFreeBlock?: number;
  /** Addresses held by the interfaces (their addresses and prefixes), each counted once. */
  inUseAddresses: number;
  /** The subnet's size less the five addresses AWS reserves. */
  usableAddresses: number;
  /** One entry per interface given, in input order. */
  interfaces: InterfaceBlocking[];
}

// Flags of one address.
const AWS = 1;
const USED = 2;
const EXPLICIT = 4;
const PREFIX_RESERVED = 8;
/** What keeps an address out of a delegated prefix. */
const BLOCKING = AWS | USED | EXPLICIT;

interface Parsed {
  /** First address of the subnet. */
  base: number;
  size: number;
  prefix: number;
  flags: Uint8Array;
  /** For each interface, the blocks it touches (ascending, each once). */
  blocksOf: number[][];
}

function ipv4Number(text: string, what: string): number {
  let parsed: ReturnType<typeof parseCidr>;
  try {
    parsed = parseCidr(text.includes("/") ? text : `${text}/32`);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}`);
  }
  if (parsed.family !== "ipv4") throw new Error(`${what}: "${text}" is not an IPv4 address`);
  return Number(parsed.network);
}

function parseSubnet(cidr: string): { base: number; size: number; prefix: number } {
  const parsed = parseCidr(cidr);
  if (parsed.family !== "ipv4") throw new Error(`subnet ${cidr}: capacity is measured for IPv4 subnets only`);
  if (parsed.prefix < LARGEST_SUBNET_PREFIX || parsed.prefix > SMALLEST_SUBNET_PREFIX) {
    throw new RangeError(
      `subnet ${cidr}: a subnet is /${LARGEST_SUBNET_PREFIX} to /${SMALLEST_SUBNET_PREFIX} in AWS, not /${parsed.prefix}`,
    );
  }
  return { base: Number(parsed.network), size: 2 ** (32 - parsed.prefix), prefix: parsed.prefix };
}

/** Marks [first, last] (clipped to the subnet) with `flag`. */
function markRange(p: Parsed, first: number, last: number, flag: number): void {
  const from = Math.max(first, p.base) - p.base;
  const to = Math.min(last, p.base + p.size - 1) - p.base;
  for (let i = from; i <= to; i++) p.flags[i] = (p.flags[i] as number) | flag;
}

function parse(
  subnetCidr: string,
  interfaces: readonly InterfaceAddresses[],
  reservations: readonly CidrReservation[],
): Parsed {
  const { base, size, prefix } = parseSubnet(subnetCidr);
  const p: Parsed = { base, size, prefix, flags: new Uint8Array(size), blocksOf: [] };

  // AWS reserves the network address, the next three (router, DNS, future use) and the last one.
  markRange(p, base, base + 3, AWS);
  markRange(p, base + size - 1, base + size - 1, AWS);

  for (const reservation of reservations) {
    const r = parseCidr(reservation.cidr);
    // IPv6 reservations of a dual-stack subnet take nothing from its IPv4 space.
    if (r.family !== "ipv4") continue;
    const first = Number(r.network);
    markRange(p, first, first + 2 ** (32 - r.prefix) - 1, reservation.type === "explicit" ? EXPLICIT : PREFIX_RESERVED);
  }

  for (const eni of interfaces) {
    const blocks = new Set<number>();
    const take = (first: number, last: number): void => {
      // An address outside the subnet (another CIDR of the interface) takes nothing here.
      if (last < base || first > base + size - 1) return;
      markRange(p, first, last, USED);
      const from = Math.max(first, base) - base;
      const to = Math.min(last, base + size - 1) - base;
      for (let b = Math.floor(from / ADDRESSES_PER_PREFIX); b <= Math.floor(to / ADDRESSES_PER_PREFIX); b++) {
        blocks.add(b);
      }
    };
    for (const address of eni.addresses) {
      const a = ipv4Number(address, `network interface ${eni.networkInterfaceId}`);
      take(a, a);
    }
    for (const cidr of eni.prefixes) {
      const parsed = parseCidr(cidr);
      if (parsed.family !== "ipv4") continue;
      const first = Number(parsed.network);
      take(first, first + 2 ** (32 - parsed.prefix) - 1);
    }
    p.blocksOf.push([...blocks].sort((a, b) => a - b));
  }
  return p;
}

/** The flags every address of block `b` has (and) and any address has (or). */
function blockFlags(p: Parsed, b: number): { any: number; all: number } {
  let any = 0;
  let all = 0xff;
  const start = b * ADDRESSES_PER_PREFIX;
  for (let i = start; i < start + ADDRESSES_PER_PREFIX; i++) {
    const f = p.flags[i] as number;
    any |= f;
    all &= f;
  }
  return { any, all };
}

function stateOf(any: number): BlockState {
  if (any & AWS) return "aws-reserved";
  if (any & EXPLICIT) return "explicit";
  if (any & USED) return "used";
  return "free";
}

/** Number of /28 blocks: the subnet's own size over 16, counted from its first address. */
function blockCount(p: Parsed): number {
  return p.size / ADDRESSES_PER_PREFIX;
}

/**
 * Prefix length of the largest aligned block of addresses free for delegation, bottom up: a block
 * of 2^(k+1) addresses is free when both its halves are. Undefined when no address is free.
 */
function largestFreeBlock(p: Parsed): number | undefined {
  let level = new Uint8Array(p.size);
  let any = false;
  for (let i = 0; i < p.size; i++) {
    const free = ((p.flags[i] as number) & BLOCKING) === 0;
    level[i] = free ? 1 : 0;
    any ||= free;
  }
  if (!any) return undefined;
  let hostBits = 0;
  while (level.length > 1) {
    const next = new Uint8Array(level.length / 2);
    let found = false;
    for (let i = 0; i < next.length; i++) {
      const free = level[2 * i] === 1 && level[2 * i + 1] === 1;
      next[i] = free ? 1 : 0;
      found ||= free;
    }
    if (!found) break;
    hostBits += 1;
    level = next;
  }
  return 32 - hostBits;
}

/**
 * The capacity of `subnetCidr` given the interfaces in it and its CIDR reservations. Throws an
 * Error naming the subnet or the interface when an input is not an address of the subnet's family.
 */
export function subnetLayout(
  subnetCidr: string,
  interfaces: readonly InterfaceAddresses[],
  reservations: readonly CidrReservation[] = [],
): SubnetLayout {
  const p = parse(subnetCidr, interfaces, reservations);
  const blocks = blockCount(p);

  let freePrefixes = 0;
  let freePrefixesReserved = 0;
  // For each block: the one interface in it, -1 when none, -2 when several.
  const occupant = new Int32Array(blocks).fill(-1);
  const structural = new Uint8Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const { any, all } = blockFlags(p, b);
    if ((any & BLOCKING) === 0) {
      freePrefixes += 1;
      if (all & PREFIX_RESERVED) freePrefixesReserved += 1;
    }
    if (any & (AWS | EXPLICIT)) structural[b] = 1;
  }
  p.blocksOf.forEach((owned, e) => {
    for (const b of owned) occupant[b] = occupant[b] === -1 ? e : -2;
  });

  let assignable = 0;
  let inUse = 0;
  for (let i = 0; i < p.size; i++) {
    const f = p.flags[i] as number;
    if (f === 0) assignable += 1;
    if (f & USED) inUse += 1;
  }

  const layout: SubnetLayout = {
    cidr: subnetCidr,
    freePrefixes,
    freePrefixesReserved,
    assignableAddresses: assignable,
    inUseAddresses: inUse,
    usableAddresses: p.size - 5,
    interfaces: interfaces.map((eni, e) => {
      let freed = 0;
      let blocked = 0;
      for (const b of p.blocksOf[e] as number[]) {
        if (structural[b] === 1) continue;
        blocked += 1;
        if (occupant[b] === e) freed += 1;
      }
      return { networkInterfaceId: eni.networkInterfaceId, blocksFreed: freed, blocksBlocked: blocked };
    }),
  };
  const largest = largestFreeBlock(p);
  if (largest !== undefined) layout.largestFreeBlock = largest;
  return layout;
}

function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join(".");
}

/** Every /28 block of the subnet in address order, with its state and the interfaces in it: the block map. */
export function prefixBlocks(
  subnetCidr: string,
  interfaces: readonly InterfaceAddresses[],
  reservations: readonly CidrReservation[] = [],
): PrefixBlock[] {
  const p = parse(subnetCidr, interfaces, reservations);
  const inBlock: string[][] = Array.from({ length: blockCount(p) }, () => []);
  p.blocksOf.forEach((owned, e) => {
    for (const b of owned) (inBlock[b] as string[]).push((interfaces[e] as InterfaceAddresses).networkInterfaceId);
  });
  return inBlock.map((ids, b) => {
    const { any, all } = blockFlags(p, b);
    return {
      cidr: `${formatIpv4(p.base + b * ADDRESSES_PER_PREFIX)}/${PREFIX_LENGTH}`,
      state: stateOf(any),
      prefixReserved: (all & PREFIX_RESERVED) !== 0,
      networkInterfaceIds: ids,
    };
  });
}
