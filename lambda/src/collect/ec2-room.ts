/**
 * How much of a VPC CIDR block its subnets take, and how much room is left
 * for new subnets. A VPC can be 60% allocated and still have no free /24 if
 * its holes are scattered, so the answer to "can I add a subnet here?" is
 * the largest free *aligned* block and how many aligned /24 and /28 blocks
 * remain, not the free address count.
 *
 * Pure and exact: the free space comes from `freeBlocks` in cidr.ts (sort
 * the allocated blocks and sweep once; addresses are never enumerated), so a
 * /8 or an IPv6 /44 costs the same as a /28.
 */

import { cidrSize, countFreeBlocks, freeBlocks, type ParsedCidr, parseCidr } from "../cidr";
import type { RoomForSubnets } from "../types";

export interface BlockAllocation {
  /** Addresses in the parent block. */
  size: bigint;
  /** Addresses of the parent covered by at least one child (overlaps and duplicates count once). */
  allocated: bigint;
  /** size − allocated. */
  unallocated: bigint;
  room: RoomForSubnets;
}

/**
 * The subnet sizes room is counted in: /24, a common IPv4 subnet, and /28,
 * the smallest EC2 accepts (and the prefix EKS delegates to network
 * interfaces); /64, the size of an IPv6 subnet.
 */
const SLASH_24 = 24;
const SLASH_28 = 28;
const SLASH_64 = 64;

function toParsed(cidr: string | ParsedCidr): ParsedCidr {
  return typeof cidr === "string" ? parseCidr(cidr) : cidr;
}

/** A count of blocks as a number; counts past 2^53 cannot occur for VPC blocks (IPv6 /44 holds 2^20 /64s). */
function toCount(count: bigint): number {
  return count > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(count);
}

/**
 * Measures `parent` against the blocks allocated inside it. Children may be
 * unsorted, repeated, overlapping, of the other family or partly or wholly
 * outside the parent: only the part inside the parent counts.
 */
export function allocationWithin(
  parent: string | ParsedCidr,
  children: readonly (string | ParsedCidr)[],
): BlockAllocation {
  const p = toParsed(parent);
  const size = cidrSize(p);
  const free = freeBlocks(p, children.map(toParsed));
  const unallocated = free.reduce((sum, block) => sum + cidrSize(block), 0n);

  // freeBlocks returns the fewest aligned blocks, so the largest aligned free
  // block is the one with the shortest prefix.
  const largestFreePrefix = free.reduce<number | undefined>(
    (best, block) => (best === undefined || block.prefix < best ? block.prefix : best),
    undefined,
  );

  const room: RoomForSubnets =
    p.family === "ipv4"
      ? { freeSlash24: toCount(countFreeBlocks(free, SLASH_24)), freeSlash28: toCount(countFreeBlocks(free, SLASH_28)) }
      : // IPv4 subnet sizes do not apply to an IPv6 block; /64 is the subnet size there.
        { freeSlash24: 0, freeSlash28: 0, freeSlash64: toCount(countFreeBlocks(free, SLASH_64)) };
  // Left out rather than set to undefined when the block is full, as types.ts documents.
  if (largestFreePrefix !== undefined) room.largestFreePrefix = largestFreePrefix;

  return { size, allocated: size - unallocated, unallocated, room };
}
