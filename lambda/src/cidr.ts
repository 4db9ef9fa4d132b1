/**
 * CIDR arithmetic for IPv4 and IPv6 with BigInt, so /0 of IPv6 (2^128
 * addresses) is as exact as a /32 EIP. Pure functions, no I/O.
 */

import type { AddressFamily } from "./types";

export interface ParsedCidr {
  family: AddressFamily;
  bits: 32 | 128;
  prefix: number;
  /** The network address (host bits zero). */
  network: bigint;
  /** Canonical text: dotted IPv4, RFC 5952 IPv6, "/prefix". */
  text: string;
}

const IPV4_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX = /^(0|[1-9][0-9]{0,2})$/;

/** Thrown text is always `"<input>" is not a valid CIDR: <why>` so callers can show it as is. */
function invalid(text: string, why: string): Error {
  return new Error(`"${text}" is not a valid CIDR: ${why}`);
}

/** Parses dotted-quad IPv4; returns a reason string instead of throwing so the caller can name the whole CIDR. */
function parseIpv4(address: string): bigint | string {
  const parts = address.split(".");
  if (parts.length !== 4) return `IPv4 address "${address}" must have four dot-separated numbers`;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are rejected: some tools read them as octal, so "010" is ambiguous.
    if (!IPV4_OCTET.test(part) || Number(part) > 255) {
      return `"${part}" in "${address}" is not a number from 0 to 255 (without leading zeros)`;
    }
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** Parses IPv6 text with "::" compression and an optional embedded IPv4 tail, case-insensitively. */
function parseIpv6(address: string): bigint | string {
  const halves = address.split("::");
  if (halves.length > 2) return `IPv6 address "${address}" has more than one "::"`;

  const groupsOf = (part: string): string[] | string => {
    if (part === "") return [];
    const groups = part.split(":");
    const last = groups[groups.length - 1] ?? "";
    // An embedded IPv4 tail (::ffff:10.0.0.1) stands for the last two groups.
    if (last.includes(".")) {
      const v4 = parseIpv4(last);
      if (typeof v4 === "string") return v4;
      groups.splice(groups.length - 1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
    }
    for (const group of groups) {
      if (!IPV6_GROUP.test(group)) return `"${group}" in "${address}" is not a group of 1 to 4 hex digits`;
    }
    return groups;
  };

  const head = groupsOf(halves[0] ?? "");
  if (typeof head === "string") return head;
  const compressed = halves.length === 2;
  const tail = compressed ? groupsOf(halves[1] ?? "") : [];
  if (typeof tail === "string") return tail;

  const present = head.length + tail.length;
  if (compressed ? present > 7 : present !== 8) {
    return `IPv6 address "${address}" must have eight groups of hex digits (or fewer with "::")`;
  }
  const groups = [...head, ...Array<string>(8 - present).fill("0"), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n);
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join(".");
}

/** RFC 5952: lower case, no leading zeros, the longest run (leftmost on ties) of two or more zero groups as "::". */
function formatIpv6(value: bigint): string {
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** Formats an address as canonical text (dotted IPv4, RFC 5952 IPv6). */
export function formatAddress(family: AddressFamily, value: bigint): string {
  const bits = family === "ipv4" ? 32n : 128n;
  if (value < 0n || value >> bits !== 0n) {
    throw new RangeError(`${value} is outside the ${family} address range`);
  }
  return family === "ipv4" ? formatIpv4(value) : formatIpv6(value);
}

function hostMask(bits: number, prefix: number): bigint {
  return (1n << BigInt(bits - prefix)) - 1n;
}

/**
 * "a.b.c.d/n" read by character codes, with plain numbers: most CIDRs a scan
 * meets are IPv4, 100,000 of them at a time. Accepts exactly what the general
 * path accepts (numbers without leading zeros, octets to 255, a prefix to 32,
 * host bits zero), and then the text is already canonical. Anything else,
 * every invalid text included, gives undefined and takes the general path,
 * which says what is wrong.
 */
function parseIpv4Fast(text: string): ParsedCidr | undefined {
  const length = text.length;
  let network = 0;
  let octets = 0;
  let value = 0;
  let digits = 0;
  let i = 0;
  for (; i < length; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      if (digits === 1 && value === 0) return undefined;
      value = value * 10 + (code - 48);
      digits += 1;
      if (digits > 3) return undefined;
    } else if ((code === 46 || code === 47) && digits > 0 && value <= 255 && octets < 4) {
      network = network * 256 + value;
      octets += 1;
      digits = 0;
      value = 0;
      if (code === 47) break;
    } else {
      return undefined;
    }
  }
  if (octets !== 4 || i >= length) return undefined;
  let prefix = 0;
  const prefixDigits = length - i - 1;
  if (prefixDigits < 1 || prefixDigits > 2 || (prefixDigits === 2 && text.charCodeAt(i + 1) === 48)) return undefined;
  for (let k = i + 1; k < length; k += 1) {
    const code = text.charCodeAt(k);
    if (code < 48 || code > 57) return undefined;
    prefix = prefix * 10 + (code - 48);
  }
  if (prefix > 32 || network % 2 ** (32 - prefix) !== 0) return undefined;
  return { family: "ipv4", bits: 32, prefix, network: BigInt(network), text };
}

/**
 * Parses "a.b.c.d/n" or "x:x::x/n". Host bits must be zero: "10.0.0.1/24" is
 * rejected with the network it probably meant, because a rule written that
 * way almost always hides a typo.
 */
export function parseCidr(text: string): ParsedCidr {
  if (typeof text !== "string") throw invalid(String(text), "expected a string");
  const fast = parseIpv4Fast(text);
  if (fast !== undefined) return fast;
  const slash = text.indexOf("/");
  if (slash < 0) throw invalid(text, 'missing "/prefix" (for example 10.0.0.0/16)');
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);

  const family: AddressFamily = address.includes(":") ? "ipv6" : "ipv4";
  const bits = family === "ipv4" ? 32 : 128;
  const parsed = family === "ipv4" ? parseIpv4(address) : parseIpv6(address);
  if (typeof parsed === "string") throw invalid(text, parsed);

  if (!PREFIX.test(prefixText) || Number(prefixText) > bits) {
    throw invalid(text, `prefix "${prefixText}" must be a whole number from 0 to ${bits} for ${family}`);
  }
  const prefix = Number(prefixText);

  const mask = hostMask(bits, prefix);
  if ((parsed & mask) !== 0n) {
    const expected = `${formatAddress(family, parsed & ~mask)}/${prefix}`;
    throw invalid(text, `host bits are set; the network is ${expected}`);
  }
  return { family, bits, prefix, network: parsed, text: `${formatAddress(family, parsed)}/${prefix}` };
}

export function isValidCidr(text: string): boolean {
  try {
    parseCidr(text);
    return true;
  } catch {
    return false;
  }
}

function toParsed(cidr: string | ParsedCidr): ParsedCidr {
  return typeof cidr === "string" ? parseCidr(cidr) : cidr;
}

/** Number of addresses in the block: 2^(bits − prefix), exact for IPv6. */
export function cidrSize(cidr: string | ParsedCidr): bigint {
  const parsed = toParsed(cidr);
  return 2n ** BigInt(parsed.bits - parsed.prefix);
}

/** Last address of the block. */
export function cidrLast(cidr: string | ParsedCidr): bigint {
  const parsed = toParsed(cidr);
  return parsed.network | hostMask(parsed.bits, parsed.prefix);
}

/** True when inner lies entirely within outer (equal blocks count); different families never contain each other. */
export function cidrContains(outer: string | ParsedCidr, inner: string | ParsedCidr): boolean {
  const o = toParsed(outer);
  const i = toParsed(inner);
  if (o.family !== i.family || i.prefix < o.prefix) return false;
  const outerMask = ~hostMask(o.bits, o.prefix);
  return (i.network & outerMask) === o.network;
}

/** True when the two blocks share at least one address. */
export function cidrOverlaps(a: string | ParsedCidr, b: string | ParsedCidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** Splits the inclusive range [first, last] into the fewest aligned blocks, in address order. */
function rangeToBlocks(family: AddressFamily, bits: 32 | 128, first: bigint, last: bigint): ParsedCidr[] {
  const blocks: ParsedCidr[] = [];
  let start = first;
  while (start <= last) {
    // Grow the block while it stays aligned on `start` and ends within the range.
    let hostBits = 0;
    while (hostBits < bits) {
      const next = BigInt(hostBits + 1);
      const aligned = (start & ((1n << next) - 1n)) === 0n;
      if (!aligned || start + (1n << next) - 1n > last) break;
      hostBits += 1;
    }
    const prefix = bits - hostBits;
    blocks.push({ family, bits, prefix, network: start, text: `${formatAddress(family, start)}/${prefix}` });
    start += 1n << BigInt(hostBits);
  }
  return blocks;
}

/**
 * The parts of `parent` not covered by any of `allocated`, as the fewest
 * aligned blocks in address order. Allocated blocks of the other family or
 * outside the parent are ignored; overlapping ones are merged.
 */
export function freeBlocks(parent: string | ParsedCidr, allocated: readonly (string | ParsedCidr)[]): ParsedCidr[] {
  const p = toParsed(parent);
  const parentLast = cidrLast(p);
  const used = allocated
    .map(toParsed)
    .filter((a) => a.family === p.family && cidrOverlaps(p, a))
    .map((a) => ({
      // biome-ignore lint/complexity/useMathMinMax: BigInt bounds; Math.max takes numbers only.
      first: a.network < p.network ? p.network : a.network,
      // biome-ignore lint/complexity/useMathMinMax: BigInt bounds; Math.min takes numbers only.
      last: cidrLast(a) > parentLast ? parentLast : cidrLast(a),
    }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));

  const free: ParsedCidr[] = [];
  let cursor = p.network;
  let exhausted = false;
  for (const range of used) {
    if (range.first > cursor) free.push(...rangeToBlocks(p.family, p.bits, cursor, range.first - 1n));
    if (range.last >= parentLast) {
      exhausted = true;
      break;
    }
    if (range.last + 1n > cursor) cursor = range.last + 1n;
  }
  if (!exhausted) free.push(...rangeToBlocks(p.family, p.bits, cursor, parentLast));
  return free;
}

/** How many aligned blocks of length `prefix` fit in the free blocks (a /24 holds sixteen /28s). */
export function countFreeBlocks(free: readonly ParsedCidr[], prefix: number): bigint {
  return free.reduce(
    (count, block) => (block.prefix <= prefix ? count + (1n << BigInt(prefix - block.prefix)) : count),
    0n,
  );
}
