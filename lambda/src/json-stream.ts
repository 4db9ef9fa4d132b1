/**
 * JSON written in pieces. `ipam-monitor scan --format json` lists every resource in trouble: at
 * 150,000 resource CIDRs that is megabytes of text, which JSON.stringify builds whole (and, with a
 * replacer, through several intermediate copies) while the scan's resources and evaluation are still
 * alive: it was the largest single step of the command's peak memory. Here the text is made one
 * list entry at a time and written as it is made, so at most one chunk of it exists at once.
 */
import { once } from "node:events";
import { stringifyWithBigInt } from "./json";

/** Pieces are gathered into chunks of about this many characters before they are handed on. */
export const JSON_CHUNK_CHARS = 64 * 1024;

/**
 * Containers nested this deep or deeper are written with one stringifyWithBigInt call each: the
 * result's lists are at depth 1, their entries at depth 2, and an entry is small.
 */
const STREAMED_DEPTH = 2;

/** What JSON.stringify does with a value before it writes it: toJSON, then the BigInt replacer. */
function prepared(value: unknown, key: string): unknown {
  let v = value;
  if (v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function") {
    v = (v as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  return typeof v === "bigint" ? v.toString() : v;
}

/** True for what JSON.stringify leaves out of an object, and writes as null in an array. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

function* pieces(value: unknown, key: string, indent: string, unit: string, depth: number): Generator<string> {
  const v = prepared(value, key);
  if (v === null || typeof v !== "object" || depth >= STREAMED_DEPTH) {
    // `value`, not `v`: stringifyWithBigInt applies toJSON and the replacer itself, exactly as it would nested.
    const text = stringifyWithBigInt(value, unit.length) ?? "null";
    // JSON strings never hold a raw line break, so every "\n" is one the indentation starts after.
    yield indent === "" ? text : text.replaceAll("\n", `\n${indent}`);
    return;
  }
  const inner = indent + unit;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      yield "[]";
      return;
    }
    yield "[";
    for (let i = 0; i < v.length; i++) {
      yield i === 0 ? `\n${inner}` : `,\n${inner}`;
      const item: unknown = v[i];
      if (omitted(prepared(item, String(i)))) yield "null";
      else yield* pieces(item, String(i), inner, unit, depth + 1);
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const name of Object.keys(v)) {
    const item: unknown = (v as Record<string, unknown>)[name];
    if (omitted(prepared(item, name))) continue;
    yield `${first ? "{" : ","}\n${inner}${JSON.stringify(name)}: `;
    first = false;
    yield* pieces(item, name, inner, unit, depth + 1);
  }
  yield first ? "{}" : `\n${indent}}`;
}

/**
 * The text of stringifyWithBigInt(value, space), character for character, in chunks of about
 * JSON_CHUNK_CHARS. `space` is the number of spaces per level (JSON.stringify's numeric form).
 */
export function* jsonChunks(value: unknown, space: number): Generator<string> {
  const unit = " ".repeat(Math.max(0, Math.min(10, Math.floor(space))));
  if (unit === "") {
    // Without indentation there is nothing to split on cheaply; no caller writes large compact JSON.
    const text = stringifyWithBigInt(value);
    if (text !== undefined) yield text;
    return;
  }
  if (omitted(prepared(value, ""))) return;
  let parts: string[] = [];
  let size = 0;
  for (const piece of pieces(value, "", "", unit, 0)) {
    parts.push(piece);
    size += piece.length;
    if (size >= JSON_CHUNK_CHARS) {
      yield parts.join("");
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) yield parts.join("");
}

/** Writes the chunks one by one, waiting for the stream to drain whenever it asks to. */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) await once(stream, "drain");
  }
}
