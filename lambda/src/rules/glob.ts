/**
 * Shell-style globs for resource names and tag values: `*` (any run of
 * characters, also none), `?` (exactly one character), `[abc]`, `[a-z]`,
 * `[!abc]` (also `[^abc]`), and `\` to take the next character literally.
 * Matching is case-sensitive, like AWS tags, and covers the whole text.
 */

/** Characters that mean something in a RegExp outside a class (with the `u` flag, only these may be escaped). */
const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
/** Characters that mean something inside a RegExp class. */
const CLASS_SYNTAX = /[\\\]^[-]/g;

/** A glob that cannot be compiled; the message says where and why. */
class GlobSyntaxError extends Error {}

function escapeLiteral(char: string): string {
  return char.replace(REGEXP_SYNTAX, "\\$&");
}

function escapeInClass(char: string): string {
  return char.replace(CLASS_SYNTAX, "\\$&");
}

/**
 * Reads the bracket expression that opens at `chars[start]` and returns its
 * RegExp class and the index just past its closing `]`. As in POSIX, a `]`
 * right after `[` or `[!` is a member, not the end.
 */
function readClass(chars: readonly string[], start: number): { source: string; next: number } {
  let i = start + 1;
  const negated = chars[i] === "!" || chars[i] === "^";
  if (negated) i += 1;

  const members: string[] = [];
  let first = true;
  while (i < chars.length) {
    let char = chars[i] as string;
    if (char === "]" && !first) {
      return { source: `[${negated ? "^" : ""}${members.join("")}]`, next: i + 1 };
    }
    first = false;
    const position = i + 1;
    if (char === "\\") {
      i += 1;
      if (i >= chars.length) break;
      char = chars[i] as string;
    }
    // "a-z" is a range unless the "-" is the last member ("[a-]" holds "a" and "-").
    if (chars[i + 1] === "-" && chars[i + 2] !== undefined && chars[i + 2] !== "]") {
      let high = chars[i + 2] as string;
      let consumed = 3;
      if (high === "\\") {
        if (chars[i + 3] === undefined) break;
        high = chars[i + 3] as string;
        consumed = 4;
      }
      if ((char.codePointAt(0) ?? 0) > (high.codePointAt(0) ?? 0)) {
        throw new GlobSyntaxError(`the range "${char}-${high}" at character ${position} goes backwards`);
      }
      members.push(`${escapeInClass(char)}-${escapeInClass(high)}`);
      i += consumed;
      continue;
    }
    members.push(escapeInClass(char));
    i += 1;
  }
  const hint =
    chars[negated ? start + 2 : start + 1] === "]"
      ? ' (a "]" right after "[" is one of the characters, not the end)'
      : "";
  throw new GlobSyntaxError(`the "[" at character ${start + 1} is never closed with "]"${hint}`);
}

/** RegExp source for the pattern (without anchors); throws GlobSyntaxError. */
function translate(pattern: string): string {
  // Code points, not UTF-16 units, so "?" stands for one emoji as it does for one letter.
  const chars = Array.from(pattern);
  let source = "";
  let i = 0;
  while (i < chars.length) {
    const char = chars[i] as string;
    if (char === "*") {
      // Runs of "*" mean the same as one and would only make the RegExp backtrack more.
      while (chars[i + 1] === "*") i += 1;
      source += ".*";
      i += 1;
    } else if (char === "?") {
      source += ".";
      i += 1;
    } else if (char === "[") {
      const cls = readClass(chars, i);
      source += cls.source;
      i = cls.next;
    } else if (char === "\\") {
      const escaped = chars[i + 1];
      if (escaped === undefined) {
        throw new GlobSyntaxError(`it ends with a "\\" that escapes nothing (write "\\\\" for a backslash)`);
      }
      source += escapeLiteral(escaped);
      i += 2;
    } else {
      source += escapeLiteral(char);
      i += 1;
    }
  }
  return source;
}

/** The problem with a glob in plain words, or undefined when it is valid. */
export function validateGlob(pattern: string): string | undefined {
  try {
    translate(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof GlobSyntaxError) return error.message;
    throw error;
  }
}

/**
 * The glob as a RegExp anchored at both ends (flags `su`: `*` and `?` cross
 * any character, and count code points). Throws an Error naming the pattern
 * when it is malformed.
 */
export function globToRegExp(pattern: string): RegExp {
  try {
    return new RegExp(`^${translate(pattern)}$`, "su");
  } catch (error) {
    if (error instanceof GlobSyntaxError) {
      throw new Error(`"${pattern}" is not a valid glob: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** True when the pattern has no wildcard and so only matches itself (after unescaping). */
function literalOf(pattern: string): string | undefined {
  let text = "";
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i += 1) {
    const char = chars[i] as string;
    if (char === "*" || char === "?" || char === "[") return undefined;
    if (char === "\\") {
      i += 1;
      if (i >= chars.length) return undefined;
      text += chars[i];
    } else {
      text += char;
    }
  }
  return text;
}

/**
 * A predicate for the glob, for matching many names against one pattern.
 * The most common shapes — "*", plain text, "prod-*" — skip the RegExp.
 * Throws like globToRegExp.
 */
export function compileGlob(pattern: string): (text: string) => boolean {
  if (/^\*+$/.test(pattern)) return () => true;
  const literal = literalOf(pattern);
  if (literal !== undefined) return (text) => text === literal;
  // "prefix*": the prefix may hold escapes but no wildcard, and cannot end in a backslash (that would escape the star).
  const star = /^(.*[^*\\])\*+$/s.exec(pattern);
  const prefix = star?.[1] === undefined ? undefined : literalOf(star[1]);
  if (prefix !== undefined) return (text) => text.startsWith(prefix);
  const regexp = globToRegExp(pattern);
  return (text) => regexp.test(text);
}
