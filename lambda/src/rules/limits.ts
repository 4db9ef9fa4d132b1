/**
 * Bounds on what a rules file may cost before it is parsed. A real rules file is a few kilobytes and
 * nests about six levels (scopes → a scope → match → tags → a key → a list); without bounds, a 50 MB
 * file took 1.85 GB of memory and deep nesting ran the YAML parser out of stack ("Maximum call stack
 * size exceeded"). Both are refused up front with the size or the line where the nesting passes the
 * limit.
 */

/** 1 MB: far above any real rules file (the complete sample in the README is under 2 KB). */
export const MAX_RULES_BYTES = 1024 * 1024;
/** Levels of nesting a rules file may use: five times what one needs. */
export const MAX_NESTING_DEPTH = 32;

/** "1,234,567 bytes" */
function bytes(n: number): string {
  return `${n.toLocaleString("en-US")} bytes`;
}

/** The problem with a rules file of this size, or undefined. */
export function sizeProblem(size: number): string | undefined {
  if (size <= MAX_RULES_BYTES) return undefined;
  return `the rules file is ${bytes(size)}, more than the ${bytes(MAX_RULES_BYTES)} (1 MB) a rules file may have; nothing in it was read`;
}

/** Where nesting first passes the limit (1-based, like every rules problem). */
export interface NestingProblem {
  line: number;
  column: number;
  message: string;
}

const BLOCK_SCALAR = /(?:^|[\s:-])[|>][-+0-9]*\s*(?:#.*)?$/;

/**
 * Finds the first place where the YAML nests deeper than MAX_NESTING_DEPTH, counting block levels
 * (indentation and "- " entries) and flow levels ("[" and "{" outside quotes and comments). Linear
 * in the text; the lines of block scalars ("|" and ">") are text, not structure, and are skipped.
 */
export function nestingProblem(text: string): NestingProblem | undefined {
  const indents: number[] = [];
  let flow = 0;
  let scalarIndent: number | undefined;
  let quote: string | undefined;
  let lineNumber = 0;
  const deeper = (index: number, depth: number): NestingProblem => ({
    line: lineNumber,
    column: index + 1,
    message:
      `the YAML nests ${depth} levels deep here, more than the ${MAX_NESTING_DEPTH} a rules file may use ` +
      "(scopes need about 6); nothing deeper was read",
  });

  for (const line of text.split("\n")) {
    lineNumber += 1;
    const content = line.replace(/\r$/, "");
    const indent = content.length - content.trimStart().length;
    const blank = content.trim() === "" || content.trimStart().startsWith("#");
    if (scalarIndent !== undefined) {
      if (blank || indent > scalarIndent) continue;
      scalarIndent = undefined;
    }
    if (blank) continue;

    let depth = flow;
    if (flow === 0 && quote === undefined) {
      while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
      indents.push(indent);
      depth = indents.length;
    }
    for (let i = indent; i < content.length; i++) {
      const char = content[i] as string;
      if (quote !== undefined) {
        if (char === quote) {
          // '' inside a single-quoted string is an escaped quote, not its end.
          if (quote === "'" && content[i + 1] === "'") i += 1;
          else quote = undefined;
        } else if (char === "\\" && quote === '"') {
          i += 1;
        }
        continue;
      }
      if (char === "#" && (i === 0 || /\s/.test(content[i - 1] as string))) break;
      if (char === '"' || char === "'") quote = char;
      else if (char === "[" || char === "{") {
        flow += 1;
        depth += 1;
      } else if (char === "]" || char === "}") {
        flow = Math.max(0, flow - 1);
        depth -= 1;
      } else if (char === "-" && flow === 0 && (content[i + 1] === " " || i + 1 === content.length)) {
        // A sequence entry in block style is a level of its own ("- - x" is two).
        const before = content.slice(indent, i).trim();
        if (before === "" || /^(- *)+$/.test(before)) depth += 1;
      }
      if (depth > MAX_NESTING_DEPTH) return deeper(i, depth);
    }
    if (depth > MAX_NESTING_DEPTH) return deeper(indent, depth);
    if (flow === 0 && quote === undefined && BLOCK_SCALAR.test(content)) scalarIndent = indent;
  }
  return undefined;
}
