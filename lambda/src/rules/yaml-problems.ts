/**
 * Problems of the YAML itself, found before its data is looked at: syntax errors in plain words,
 * aliases to anchors that do not exist, and keys given twice in one mapping.
 */
import { type Document, isMap, isSeq, type Pair, visit } from "yaml";
import { keyText, type Locator, rangeStart } from "./locate";
import { formatPath, type PathSegment } from "./schema";

/** Plain words for the YAML parser's errors, with a hint for the most common cause. */
export function yamlErrorMessage(code: string, message: string, text: string, offset: number): string {
  if (code === "MULTIPLE_DOCS") {
    return 'the rules file must hold a single YAML document; remove this "---" and what follows, or merge it into the first';
  }
  const hint = text[offset] === "*" ? '; a glob that starts with "*" must be quoted, e.g. "*"' : "";
  return `YAML syntax error: ${message}${hint}`;
}

/** Aliases whose anchor does not exist; `toJS` would throw on them without saying where. */
export function unresolvedAliases(doc: Document.Parsed): { offset: number; message: string }[] {
  const found: { offset: number; message: string }[] = [];
  visit(doc, {
    Alias(_, alias) {
      if (alias.resolve(doc) === undefined) {
        found.push({
          offset: alias.range?.[0] ?? 0,
          message:
            `"*${alias.source}" refers to an anchor "&${alias.source}" that is not defined above it; ` +
            'a glob that starts with "*" must be quoted, e.g. "*"',
        });
      }
    },
  });
  return found;
}

/** A key given twice in one mapping: YAML keeps only the last, which hides the first silently. */
export function duplicateKeys(
  doc: Document.Parsed,
  locator: Locator,
): { offset: number; path: PathSegment[]; message: string }[] {
  const found: { offset: number; path: PathSegment[]; message: string }[] = [];
  const walk = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      const seen = new Map<string, Pair>();
      for (const pair of node.items) {
        const key = keyText(pair);
        if (key === undefined) continue;
        const first = seen.get(key);
        if (first) {
          const firstLine = locator.position(rangeStart(first.key) ?? 0).line;
          found.push({
            offset: rangeStart(pair.key) ?? 0,
            path: [...path, key],
            message: `${formatPath(path) || "the rules file"} has the key "${key}" twice (first on line ${firstLine}); YAML would keep only the last`,
          });
        } else {
          seen.set(key, pair);
        }
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) walk(item, [...path, index]);
    }
  };
  walk(doc.contents, []);
  return found;
}
