/**
 * Shell-style globs for resource names and tag values: `*` (any run of
 * characters, also none), `?` (exactly one character), `[abc]`, `[a-z]`,
 * `[!abc]` (also `[^abc]`), and `\` to take the next character literally.
 * Matching is case-sensitive, like AWS tags, and covers the whole text.
 *
 * Matching never backtracks. A glob turned into a RegExp (`*a*a*a*a*b` as
 * `^.*a.*a.*a.*a.*b$`) tries every way to split the text between the stars:
 * against 256 characters that took minutes. Here a glob is the pieces between
 * its stars, each a fixed number of characters: the first must match at the
 * start, the last at the end, and each one between at its leftmost place after
 * the one before — which is always the right place, since a star can take any
 * run of characters. The work is at most (text length + 1) × (glob length + 1)
 * character tests, and usually about the text's length.
 */

/** A glob that cannot be compiled; the message says where and why. */
class GlobSyntaxError extends Error {}

/** One character of a piece: a literal, `?`, or a bracket expression. */
type Atom =
  | { kind: "literal"; codePoint: number; text: string }
  | { kind: "any" }
  | { kind: "class"; negated: boolean; ranges: Array<[number, number]>; source: string };

/** A glob as the pieces between its stars: one piece means no star; an empty first or last piece, a star at that end. */
interface ParsedGlob {
  pieces: Atom[][];
}

/** Characters that mean something in a RegExp outside a class (with the `u` flag, only these may be escaped). */
const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;
/** Characters that mean something inside a RegExp class. */
const CLASS_SYNTAX = /[\\\]^[-]/g;

function codePoint(char: string): number {
  return char.codePointAt(0) ?? 0;
}

/**
 * Reads the bracket expression that opens at `chars[start]` and returns it and
 * the index just past its closing `]`. As in POSIX, a `]` right after `[` or
 * `[!` is a member, not the end.
 */
function readClass(chars: readonly string[], start: number): { atom: Atom; next: number } {
  let i = start + 1;
  const negated = chars[i] === "!" || chars[i] === "^";
  if (negated) i += 1;

  const ranges: Array<[number, number]> = [];
  const source: string[] = [];
  let first = true;
  while (i < chars.length) {
    let char = chars[i] as string;
    if (char === "]" && !first) {
      return {
        atom: { kind: "class", negated, ranges, source: `[${negated ? "^" : ""}${source.join("")}]` },
        next: i + 1,
      };
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
      if (codePoint(char) > codePoint(high)) {
        throw new GlobSyntaxError(`the range "${char}-${high}" at character ${position} goes backwards`);
      }
      ranges.push([codePoint(char), codePoint(high)]);
      source.push(`${char.replace(CLASS_SYNTAX, "\\$&")}-${high.replace(CLASS_SYNTAX, "\\$&")}`);
      i += consumed;
      continue;
    }
    ranges.push([codePoint(char), codePoint(char)]);
    source.push(char.replace(CLASS_SYNTAX, "\\$&"));
    i += 1;
  }
  const hint =
    chars[negated ? start + 2 : start + 1] === "]"
      ? ' (a "]" right after "[" is one of the characters, not the end)'
      : "";
  throw new GlobSyntaxError(`the "[" at character ${start + 1} is never closed with "]"${hint}`);
}

/** The glob's pieces; throws GlobSyntaxError. */
function parse(pattern: string): ParsedGlob {
  // Code points, not UTF-16 units, so "?" stands for one emoji as it does for one letter.
  const chars = Array.from(pattern);
  const pieces: Atom[][] = [[]];
  let i = 0;
  while (i < chars.length) {
    const char = chars[i] as string;
    const piece = pieces[pieces.length - 1] as Atom[];
    if (char === "*") {
      // Runs of "*" mean the same as one.
      while (chars[i + 1] === "*") i += 1;
      pieces.push([]);
      i += 1;
    } else if (char === "?") {
      piece.push({ kind: "any" });
      i += 1;
    } else if (char === "[") {
      const cls = readClass(chars, i);
      piece.push(cls.atom);
      i = cls.next;
    } else if (char === "\\") {
      const escaped = chars[i + 1];
      if (escaped === undefined) {
        throw new GlobSyntaxError(`it ends with a "\\" that escapes nothing (write "\\\\" for a backslash)`);
      }
      piece.push({ kind: "literal", codePoint: codePoint(escaped), text: escaped });
      i += 2;
    } else {
      piece.push({ kind: "literal", codePoint: codePoint(char), text: char });
      i += 1;
    }
  }
  return { pieces };
}

/** Counts character tests, for tests that check how much work a match takes. */
export interface GlobWork {
  steps: number;
}

function atomMatches(atom: Atom, cp: number): boolean {
  if (atom.kind === "any") return true;
  if (atom.kind === "literal") return atom.codePoint === cp;
  let inside = false;
  for (const [low, high] of atom.ranges) {
    if (cp >= low && cp <= high) {
      inside = true;
      break;
    }
  }
  return inside !== atom.negated;
}

/** Where `piece` ends when it matches `text` at UTF-16 index `at`, or -1. */
function matchPieceAt(piece: readonly Atom[], text: string, at: number, work: GlobWork | undefined): number {
  let i = at;
  for (const atom of piece) {
    if (i >= text.length) return -1;
    const cp = text.codePointAt(i) as number;
    if (work !== undefined) work.steps += 1;
    if (!atomMatches(atom, cp)) return -1;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** UTF-16 index `count` code points before `end`, or -1 when the text has fewer. */
function codePointsBefore(text: string, end: number, count: number): number {
  let i = end;
  for (let n = 0; n < count; n++) {
    if (i <= 0) return -1;
    i -= 1;
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const high = text.charCodeAt(i - 1);
      if (high >= 0xd800 && high <= 0xdbff) i -= 1;
    }
  }
  return i;
}

/** Whether `text` matches the parsed glob; see the module comment for why this is the leftmost-match walk. */
export function matchParsed(glob: ParsedGlob, text: string, work?: GlobWork): boolean {
  const { pieces } = glob;
  const first = pieces[0] as Atom[];
  if (pieces.length === 1) return matchPieceAt(first, text, 0, work) === text.length;

  // The first piece at the start, the last at the end (it has a fixed number of characters).
  const start = matchPieceAt(first, text, 0, work);
  if (start < 0) return false;
  const last = pieces[pieces.length - 1] as Atom[];
  const lastAt = codePointsBefore(text, text.length, last.length);
  if (lastAt < start || matchPieceAt(last, text, lastAt, work) !== text.length) return false;

  // Each middle piece at its leftmost place, ending no later than where the last piece begins.
  let at = start;
  for (let p = 1; p < pieces.length - 1; p++) {
    const piece = pieces[p] as Atom[];
    let end = -1;
    while (at <= lastAt) {
      end = matchPieceAt(piece, text, at, work);
      if (end >= 0 && end <= lastAt) break;
      end = -1;
      at += (text.codePointAt(at) ?? 0) > 0xffff ? 2 : 1;
    }
    if (end < 0) return false;
    at = end;
  }
  return true;
}

/** The problem with a glob in plain words, or undefined when it is valid. */
export function validateGlob(pattern: string): string | undefined {
  try {
    parse(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof GlobSyntaxError) return error.message;
    throw error;
  }
}

function parseOrThrow(pattern: string): ParsedGlob {
  try {
    return parse(pattern);
  } catch (error) {
    if (error instanceof GlobSyntaxError) {
      throw new Error(`"${pattern}" is not a valid glob: ${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** The glob parsed once, for matching many texts (and counting the work, in tests). */
export function parseGlob(pattern: string): ParsedGlob {
  return parseOrThrow(pattern);
}

/**
 * The glob as a RegExp anchored at both ends (flags `su`: `*` and `?` cross
 * any character, and count code points), for tools that want one. The scanner
 * itself never matches with it: a RegExp backtracks (see the module comment).
 * Throws an Error naming the pattern when it is malformed.
 */
export function globToRegExp(pattern: string): RegExp {
  const glob = parseOrThrow(pattern);
  const pieceSource = (piece: readonly Atom[]): string =>
    piece
      .map((atom) =>
        atom.kind === "any" ? "." : atom.kind === "literal" ? atom.text.replace(REGEXP_SYNTAX, "\\$&") : atom.source,
      )
      .join("");
  return new RegExp(`^${glob.pieces.map(pieceSource).join(".*")}$`, "su");
}

/** The text a pattern without wildcards matches (after unescaping), or undefined. */
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
 * The most common shapes — "*", plain text, "prod-*" — take a shortcut.
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
  const glob = parseOrThrow(pattern);
  return (text) => matchParsed(glob, text);
}
