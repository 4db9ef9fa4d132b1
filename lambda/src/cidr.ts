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

/**
 * A CIDR as plain numbers, the form the hot paths compare: IPv4 as one 32-bit value, IPv6 as
 * eight 16-bit groups. Matching 100,000 resources against 50 scopes is many times faster on
 * these than on BigInt.
 */
export type CidrBlock =
  | { family: "ipv4"; prefix: number; network: number }
  | { family: "ipv6"; prefix: number; groups: number[] };

const DOT = 46;
const COLON = 58;
const ZERO = 48;
const NINE = 57;

/** Thrown text is always `"<input>" is not a valid CIDR: <why>` so callers can show it as is. */
function invalid(text: string, why: string): Error {
  return new Error(`"${text}" is not a valid CIDR: ${why}`);
}

/**
 * The dotted-quad IPv4 address in text[start, end), or why it is not one. Each number is 0 to 255
 * without leading zeros: some tools read "010" as octal, so it is ambiguous.
 */
function readIpv4(text: string, start: number, end: number): number | string {
  let value = 0;
  let parts = 0;
  let badPart = -1;
  let partStart = start;
  let octet = 0;
  let digits = 0;
  for (let i = start; i <= end; i += 1) {
    const code = i === end ? DOT : text.charCodeAt(i);
    if (code >= ZERO && code <= NINE) {
      // A leading zero ("010") or a fourth digit makes the part invalid; it is still read to its end.
      if (digits === 1 && octet === 0) digits = 4;
      octet = octet * 10 + (code - ZERO);
      digits += 1;
    } else if (code === DOT) {
      parts += 1;
      if (badPart < 0) {
        if (digits >= 1 && digits <= 3 && octet <= 255) value = value * 256 + octet;
        else badPart = partStart;
      }
      partStart = i + 1;
      octet = 0;
      digits = 0;
    } else {
      digits = 4;
    }
  }
  return parts === 4 && badPart < 0 ? value : ipv4Problem(text, start, end, parts, badPart);
}

/** Why readIpv4 refused text[start, end): the number of parts, or the first part that is not 0 to 255. */
function ipv4Problem(text: string, start: number, end: number, parts: number, badPart: number): string {
  const address = text.slice(start, end);
  if (parts !== 4) return `IPv4 address "${address}" must have four dot-separated numbers`;
  const dot = text.indexOf(".", badPart);
  const part = text.slice(badPart, dot < 0 || dot > end ? end : dot);
  return `"${part}" in "${address}" is not a number from 0 to 255 (without leading zeros)`;
}

function hexValue(code: number): number {
  if (code >= ZERO && code <= NINE) return code - ZERO;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/**
 * Appends the groups of one side of "::" (text[start, end), colon-separated) to `groups`, or
 * returns why they are not groups. The last group may be an IPv4 tail (::ffff:10.0.0.1), which
 * stands for two groups.
 */
function readGroups(
  text: string,
  start: number,
  end: number,
  address: () => string,
  groups: number[],
): string | undefined {
  if (start === end) return undefined;
  let lastStart = start;
  for (let i = end - 1; i >= start; i -= 1) {
    if (text.charCodeAt(i) === COLON) {
      lastStart = i + 1;
      break;
    }
  }
  const dot = text.indexOf(".", lastStart);
  let tail: number | undefined;
  if (dot >= 0 && dot < end) {
    const v4 = readIpv4(text, lastStart, end);
    if (typeof v4 === "string") return v4;
    tail = v4;
  }
  const groupsEnd = tail === undefined ? end : lastStart - 1;
  let groupStart = start;
  for (let i = start; i <= groupsEnd; i += 1) {
    if (i < groupsEnd && text.charCodeAt(i) !== COLON) continue;
    const length = i - groupStart;
    let value = 0;
    let ok = length >= 1 && length <= 4;
    for (let k = groupStart; ok && k < i; k += 1) {
      const digit = hexValue(text.charCodeAt(k));
      ok = digit >= 0;
      value = value * 16 + digit;
    }
    if (!ok) return `"${text.slice(groupStart, i)}" in "${address()}" is not a group of 1 to 4 hex digits`;
    groups.push(value);
    groupStart = i + 1;
  }
  if (tail !== undefined) groups.push(Math.floor(tail / 65536), tail % 65536);
  return undefined;
}

/** The IPv6 address in text[start, end) as eight groups, with "::" compression, or why it is not one. */
function readIpv6(text: string, start: number, end: number): number[] | string {
  const address = (): string => text.slice(start, end);
  // Where "::" occurs, read left to right without overlap (":::" is "::" then ":").
  let compression = -1;
  for (let i = start; i + 1 < end; i += 1) {
    if (text.charCodeAt(i) !== COLON || text.charCodeAt(i + 1) !== COLON) continue;
    if (compression >= 0) return `IPv6 address "${address()}" has more than one "::"`;
    compression = i;
    i += 1;
  }
  const head: number[] = [];
  const headProblem = readGroups(text, start, compression < 0 ? end : compression, address, head);
  if (headProblem !== undefined) return headProblem;
  if (compression < 0) {
    if (head.length !== 8)
      return `IPv6 address "${address()}" must have eight groups of hex digits (or fewer with "::")`;
    return head;
  }
  const tail: number[] = [];
  const tailProblem = readGroups(text, compression + 2, end, address, tail);
  if (tailProblem !== undefined) return tailProblem;
  const present = head.length + tail.length;
  if (present > 7) return `IPv6 address "${address()}" must have eight groups of hex digits (or fewer with "::")`;
  for (let i = present; i < 8; i += 1) head.push(0);
  for (let i = 0; i < tail.length; i += 1) head[8 - tail.length + i] = tail[i]!;
  return head;
}

/** The prefix length in text[start, end): digits without a leading zero, at most `bits`; -1 otherwise. */
function readPrefix(text: string, start: number, end: number, bits: number): number {
  const length = end - start;
  if (length < 1 || length > 3 || (length > 1 && text.charCodeAt(start) === ZERO)) return -1;
  let value = 0;
  for (let i = start; i < end; i += 1) {
    const code = text.charCodeAt(i);
    if (code < ZERO || code > NINE) return -1;
    value = value * 10 + (code - ZERO);
  }
  return value <= bits ? value : -1;
}

function groupsToBigInt(groups: readonly number[]): bigint {
  let value = 0n;
  for (let i = 0; i < 8; i += 2) value = (value << 32n) | BigInt(groups[i]! * 65536 + groups[i + 1]!);
  return value;
}

/** True when no IPv6 group has a bit set past the prefix. */
function ipv6HostBitsClear(groups: readonly number[], prefix: number): boolean {
  for (let g = 0; g < 8; g += 1) {
    const hostBits = Math.min(16, Math.max(0, (g + 1) * 16 - prefix));
    if (groups[g]! % 2 ** hostBits !== 0) return false;
  }
  return true;
}

/**
 * What readCidr read, valid only after it returned undefined. Its callers build either a block
 * or a ParsedCidr from these: returning a block for parseCidr to copy would allocate two objects
 * per CIDR on the path that reads 100,000 of them.
 */
const read = { family: "ipv4" as AddressFamily, prefix: 0, ipv4: 0, groups: [] as number[] };

/**
 * Reads "a.b.c.d/n" or "x:x::x/n" by character codes, the one parser of CIDR text: every CIDR a
 * scan meets goes through it, 100,000 at a time. Hand-written because that is the hot path: it reads
 * 150,000 CIDR texts in about 70 ms of CPU where ipaddr.js's parseCIDR takes 1.25 s, and it is
 * stricter (no leading zeros, no host bits). Returns undefined and leaves the result in
 * `read`, or returns why the text is not a CIDR in the words parseCidr throws.
 */
function readCidr(text: string): string | undefined {
  const slash = text.indexOf("/");
  if (slash < 0) return 'missing "/prefix" (for example 10.0.0.0/16)';
  const colon = text.indexOf(":");
  if (colon < 0 || colon > slash) {
    const network = readIpv4(text, 0, slash);
    if (typeof network === "string") return network;
    const prefix = readPrefix(text, slash + 1, text.length, 32);
    if (prefix < 0) return prefixProblem(text, slash, "ipv4");
    if (network % 2 ** (32 - prefix) !== 0) return hostBitsProblem("ipv4", BigInt(network), prefix);
    read.family = "ipv4";
    read.prefix = prefix;
    read.ipv4 = network;
    return undefined;
  }
  const groups = readIpv6(text, 0, slash);
  if (typeof groups === "string") return groups;
  const prefix = readPrefix(text, slash + 1, text.length, 128);
  if (prefix < 0) return prefixProblem(text, slash, "ipv6");
  if (!ipv6HostBitsClear(groups, prefix)) return hostBitsProblem("ipv6", groupsToBigInt(groups), prefix);
  read.family = "ipv6";
  read.prefix = prefix;
  read.groups = groups;
  return undefined;
}

function prefixProblem(text: string, slash: number, family: AddressFamily): string {
  const bits = family === "ipv4" ? 32 : 128;
  return `prefix "${text.slice(slash + 1)}" must be a whole number from 0 to ${bits} for ${family}`;
}

function hostBitsProblem(family: AddressFamily, address: bigint, prefix: number): string {
  const network = address & ~hostMask(family === "ipv4" ? 32 : 128, prefix);
  return `host bits are set; the network is ${formatAddress(family, network)}/${prefix}`;
}

function blockFromRead(): CidrBlock {
  return read.family === "ipv4"
    ? { family: "ipv4", prefix: read.prefix, network: read.ipv4 }
    : { family: "ipv6", prefix: read.prefix, groups: read.groups };
}

/** The block of a CIDR text, or undefined when the text is not a valid CIDR (parseCidr says why). */
export function toCidrBlock(text: string): CidrBlock | undefined {
  return readCidr(text) === undefined ? blockFromRead() : undefined;
}

/** The block of a CIDR text; throws what parseCidr throws when the text is not a valid CIDR. */
export function parseCidrBlock(text: string): CidrBlock {
  const problem = readCidr(text);
  if (problem !== undefined) throw invalid(text, problem);
  return blockFromRead();
}

/** The last address of an IPv4 block, as a number. */
export function ipv4Last(block: { network: number; prefix: number }): number {
  return block.network + 2 ** (32 - block.prefix) - 1;
}

/** cidrContains on blocks: inner lies entirely within outer; different families never contain each other. */
export function blockContains(outer: CidrBlock, inner: CidrBlock): boolean {
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
  return Math.floor(innerGroups[whole]! / span) === outer.groups[whole]! / span;
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
 * Parses "a.b.c.d/n" or "x:x::x/n" (IPv6 case-insensitively, with "::" and an optional IPv4
 * tail). Host bits must be zero: "10.0.0.1/24" is rejected with the network it probably meant,
 * because a rule written that way almost always hides a typo. The text is returned canonical:
 * IPv4 as given (numbers without leading zeros are canonical already), IPv6 per RFC 5952.
 */
export function parseCidr(text: string): ParsedCidr {
  if (typeof text !== "string") throw invalid(String(text), "expected a string");
  const problem = readCidr(text);
  if (problem !== undefined) throw invalid(text, problem);
  const { prefix } = read;
  if (read.family === "ipv4") return { family: "ipv4", bits: 32, prefix, network: BigInt(read.ipv4), text };
  const network = groupsToBigInt(read.groups);
  return { family: "ipv6", bits: 128, prefix, network, text: `${formatIpv6(network)}/${prefix}` };
}

export function isValidCidr(text: string): boolean {
  return typeof text === "string" && toCidrBlock(text) !== undefined;
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
