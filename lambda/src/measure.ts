/**
 * Turns a CIDR plus what the source reports about it into address counts.
 * Everything is BigInt: an IPv6 /56 holds 2^72 addresses, far past the 2^53
 * a JavaScript number can count exactly.
 */

import { cidrSize, type ParsedCidr, parseCidr } from "./cidr";
import type { AddressFamily, ResourceCidr } from "./types";

export type Measurement = Pick<ResourceCidr, "addressFamily" | "size" | "usable" | "used" | "free" | "utilization">;

/** AWS reserves the first four addresses and the last one of every IPv4 subnet. */
const RESERVED_PER_IPV4_SUBNET = 5n;

/** Addresses a workload can use: size − 5 for IPv4 subnets (never below zero), the whole block otherwise. */
export function usableAddresses(resourceType: string, family: "ipv4" | "ipv6", size: bigint): bigint {
  if (resourceType !== "subnet" || family !== "ipv4") return size;
  // Subnets are /16–/28 in AWS; a smaller block (/30–/32) has no usable address rather than a negative count.
  return size > RESERVED_PER_IPV4_SUBNET ? size - RESERVED_PER_IPV4_SUBNET : 0n;
}

/**
 * Sizes and usable counts by family and prefix, made on first use. A scan of
 * 100,000 CIDRs meets a few dozen distinct prefixes; BigInts are immutable,
 * so every resource of one prefix can share one, instead of allocating two
 * new ones each.
 */
interface BlockCounts {
  size: bigint;
  usable: bigint;
}
const COUNTS: Record<AddressFamily, (BlockCounts | undefined)[]> = { ipv4: [], ipv6: [] };
/** IPv4 subnets only: the one case where usable differs from size (usableAddresses). */
const SUBNET_COUNTS: (BlockCounts | undefined)[] = [];

function blockCounts(resourceType: string, parsed: ParsedCidr): BlockCounts {
  const reserves = resourceType === "subnet" && parsed.family === "ipv4";
  const table = reserves ? SUBNET_COUNTS : COUNTS[parsed.family];
  let counts = table[parsed.prefix];
  if (counts === undefined) {
    const size = cidrSize(parsed);
    counts = { size, usable: usableAddresses(resourceType, parsed.family, size) };
    table[parsed.prefix] = counts;
  }
  return counts;
}

/**
 * Address counts below this are shared BigInts (see sharedCount): it covers the used and free
 * addresses of every IPv4 subnet (/16 at most) and of most VPCs.
 */
const SHARED_COUNT_LIMIT = 65_536;
const SHARED_COUNTS: (bigint | undefined)[] = [];

/**
 * One BigInt per small count, shared by every resource with that count. Used and free addresses
 * are kept for each of 100,000 resources but take a few thousand distinct values; BigInts are
 * immutable, so sharing them changes nothing but the memory they take.
 */
export function sharedCount(count: bigint): bigint {
  if (count < 0n || count >= SHARED_COUNT_LIMIT) return count;
  const index = Number(count);
  const shared = SHARED_COUNTS[index];
  if (shared !== undefined) return shared;
  SHARED_COUNTS[index] = count;
  return count;
}

/**
 * value × fraction rounded half up, exactly. A finite double is m / 2^k for
 * whole numbers m and k, so the product is computed with BigInt and no digit
 * of the fraction is lost, whatever the size of value.
 */
export function multiplyRounded(value: bigint, fraction: number): bigint {
  if (!Number.isFinite(fraction) || fraction < 0) {
    throw new RangeError(`fraction ${fraction} must be a finite number ≥ 0`);
  }
  let mantissa = fraction;
  let shift = 0;
  // Doubling a double is exact, and at most 1074 doublings make any finite one whole.
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    shift += 1;
  }
  const product = value * BigInt(mantissa);
  if (shift === 0) return product;
  const bits = BigInt(shift);
  return (product + (1n << (bits - 1n))) >> bits;
}

/** IpUsage as a usable fraction: undefined when absent or not a number, clamped to 0..1 otherwise. */
function usageFraction(ipUsage: number | null | undefined): number | undefined {
  if (ipUsage === undefined || ipUsage === null || !Number.isFinite(ipUsage)) return undefined;
  return Math.min(Math.max(ipUsage, 0), 1);
}

/**
 * Measures a resource from IPAM's IpUsage (0..1). IPAM reports no usage for
 * IPv6 subnets: then used, free and utilization stay undefined instead of
 * pretending the subnet is empty. A caller that needs the parsed CIDR too
 * passes it parsed, so it is parsed once.
 */
export function measureUsage(input: {
  resourceType: string;
  cidr: string | ParsedCidr;
  ipUsage?: number | null;
}): Measurement {
  const parsed = typeof input.cidr === "string" ? parseCidr(input.cidr) : input.cidr;
  const { size, usable } = blockCounts(input.resourceType, parsed);
  const fraction = usageFraction(input.ipUsage);
  if (fraction === undefined) {
    return { addressFamily: parsed.family, size, usable };
  }
  const used = multiplyRounded(usable, fraction);
  return {
    addressFamily: parsed.family,
    size,
    usable,
    used: sharedCount(used),
    free: sharedCount(usable - used),
    utilization: fraction * 100,
  };
}

/**
 * Measures an IPv4 subnet from EC2's AvailableIpAddressCount, which already
 * leaves out the five reserved addresses: an empty /28 reports 11 available
 * and is 0% used, not 31%.
 */
export function measureFromAvailable(input: { cidr: string; availableIpAddressCount: number }): Measurement {
  const parsed = parseCidr(input.cidr);
  if (parsed.family !== "ipv4") {
    throw new Error(`AvailableIpAddressCount describes IPv4 subnets only; "${input.cidr}" is IPv6`);
  }
  const { availableIpAddressCount: available } = input;
  if (!Number.isSafeInteger(available) || available < 0) {
    throw new RangeError(`AvailableIpAddressCount ${available} for "${input.cidr}" must be a whole number ≥ 0`);
  }
  const { size, usable } = blockCounts("subnet", parsed);
  const free = BigInt(available) > usable ? usable : BigInt(available);
  const used = usable - free;
  // A block with no usable address has no room left: report it full rather than 0/0.
  const utilization = usable === 0n ? 100 : (Number(used) / Number(usable)) * 100;
  return { addressFamily: "ipv4", size, usable, used, free, utilization };
}
