/**
 * JSON helpers for address counts. Counts are BigInt because an IPv6 CIDR holds up to 2^128 addresses,
 * and JSON.stringify throws on BigInt. Consumers (Step Functions, jq, dashboards) read numbers
 * easily, so counts that a double holds exactly stay numbers and only larger ones become strings.
 */

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A count as JSON: a number when it is exact as a double (≤ 2^53 − 1), else its decimal string. */
export function jsonCount(n: bigint): number | string {
  return n <= MAX_SAFE && n >= -MAX_SAFE ? Number(n) : n.toString();
}

/** Size of a string once encoded as UTF-8, which is how SNS, DynamoDB and Step Functions count. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** JSON.stringify that writes any BigInt it meets as a decimal string instead of throwing. */
export function stringifyWithBigInt(value: unknown, space?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), space);
}

/** The longest prefix of `text` that fits in `maxBytes` UTF-8 bytes, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}
