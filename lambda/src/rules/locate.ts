/**
 * Maps paths in the data a rules file parsed to back to the YAML nodes they came from, so that every
 * problem can be reported as `file:line:col` at the text that causes it, through aliases and `<<` merges.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Pair } from "yaml";
import type { PathSegment } from "./schema";

/** The merge key `<<` is parsed as a Scalar whose value is a symbol. */
function isMergePair(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === "symbol";
}

/** The text of a mapping key; undefined for a merge key or a key that is not a scalar. */
export function keyText(pair: Pair): string | undefined {
  if (isScalar(pair.key) && typeof pair.key.value !== "symbol") return String(pair.key.value);
  return undefined;
}

export function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as { range?: readonly number[] | null }).range;
    return range?.[0];
  }
  return undefined;
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}

/** Maps paths in the parsed data back to the YAML nodes they came from. */
export class Locator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly text: string,
    private readonly lines: LineCounter,
  ) {}

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }

  /** The pair for `key` in a mapping: the last one (it wins, as in the data), else one from a `<<` merge. */
  private pairOf(map: unknown, key: string, depth = 0): Pair | undefined {
    const resolved = this.resolve(map);
    if (!isMap(resolved) || depth > 10) return undefined;
    let found: Pair | undefined;
    for (const pair of resolved.items) if (keyText(pair) === key) found = pair;
    if (found) return found;
    for (const pair of resolved.items) {
      if (!isMergePair(pair)) continue;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) {
        const merged = this.pairOf(source, key, depth + 1);
        if (merged) return merged;
      }
    }
    return undefined;
  }

  /** Offset where the node at `path` starts, or its closest existing ancestor when the path goes further than the file. */
  locate(path: readonly PathSegment[], at: "key" | "value"): number {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i += 1) {
      const segment = path[i] as PathSegment;
      const container = this.resolve(node);
      if (typeof segment === "number" && isSeq(container)) {
        node = container.items[segment];
        const start = rangeStart(node);
        if (start === undefined) break;
        offset = start;
        continue;
      }
      const pair = this.pairOf(container, String(segment));
      if (!pair) break;
      const keyStart = rangeStart(pair.key);
      const last = i === path.length - 1;
      // An empty value ("match:") has no text of its own: point at its key instead.
      const valueStart = isEmptyScalar(pair.value) ? undefined : rangeStart(pair.value);
      if ((last && at === "key") || valueStart === undefined) {
        offset = keyStart ?? offset;
        if (valueStart === undefined) break;
      } else {
        offset = valueStart;
      }
      node = pair.value;
    }
    return offset;
  }

  /** The text a scalar was written as, e.g. "012345678901" for the number 12345678901. */
  sourceOf(path: readonly PathSegment[]): string | undefined {
    let node: unknown = this.doc.contents;
    for (const segment of path) {
      const container = this.resolve(node);
      if (typeof segment === "number" && isSeq(container)) node = container.items[segment];
      else node = this.pairOf(container, String(segment))?.value;
    }
    const scalar = this.resolve(node);
    if (!isScalar(scalar) || !scalar.range) return undefined;
    return this.text.slice(scalar.range[0], scalar.range[1]);
  }

  lineOf(path: readonly PathSegment[]): number {
    return this.position(this.locate(path, "value")).line;
  }

  position(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}
