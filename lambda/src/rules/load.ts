/**
 * Reads a rules file and reports every problem in it at once, each at the
 * YAML node that causes it as `file:line:col: message`: YAML syntax, the
 * JSON Schema (schema.ts), and what a schema cannot say — duplicate keys and
 * scope names, thresholds in the wrong order after defaults are merged,
 * scopes that could never alarm, malformed CIDRs and globs, misspelt
 * resource types.
 */

import { readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Pair, parseDocument, visit } from "yaml";
import { parseCidr } from "../cidr";
import { RulesError, type RulesProblem } from "../errors";
import { DEFAULT_FORECAST_SETTINGS, type ForecastSettings } from "../forecast/forecast";
import {
  type MatchSpec,
  type RulesFile,
  type ScopeRule,
  THRESHOLD_KEYS,
  type ThresholdKey,
  type Thresholds,
} from "../types";
import { validateGlob } from "./glob";
import { LEVEL_PAIRS, levelsInOrder, orderWords } from "./levels";
import { nestingProblem, sizeProblem } from "./limits";
import { formatPath, type PathSegment, type SchemaIssue, suggestResourceType, validateRulesSchema } from "./schema";

type Data = Record<string, unknown>;

function isRecord(value: unknown): value is Data {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function own(record: Data | undefined, key: string): unknown {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The merge key `<<` is parsed as a Scalar whose value is a symbol. */
function isMergePair(pair: Pair): boolean {
  return isScalar(pair.key) && typeof pair.key.value === "symbol";
}

function keyText(pair: Pair): string | undefined {
  if (isScalar(pair.key) && typeof pair.key.value !== "symbol") return String(pair.key.value);
  return undefined;
}

/** Maps paths in the parsed data back to the YAML nodes they came from. */
class Locator {
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

function rangeStart(node: unknown): number | undefined {
  if (node !== null && typeof node === "object" && "range" in node) {
    const range = (node as { range?: readonly number[] | null }).range;
    return range?.[0];
  }
  return undefined;
}

function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.range != null && node.range[0] === node.range[1];
}

function problemAt(
  file: string,
  locator: Locator | undefined,
  offset: number,
  path: string,
  message: string,
): RulesProblem {
  const { line, column } = locator ? locator.position(offset) : { line: 1, column: 1 };
  return { file, line, column, path, message };
}

function sortProblems(problems: RulesProblem[]): RulesProblem[] {
  // Array.prototype.sort is stable: problems at the same spot keep the order they were found in.
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

// ---------------------------------------------------------------------------
// YAML level: syntax, aliases, duplicate keys

/** Plain words for the YAML parser's errors, with a hint for the most common cause. */
function yamlErrorMessage(code: string, message: string, text: string, offset: number): string {
  if (code === "MULTIPLE_DOCS") {
    return 'the rules file must hold a single YAML document; remove this "---" and what follows, or merge it into the first';
  }
  const hint = text[offset] === "*" ? '; a glob that starts with "*" must be quoted, e.g. "*"' : "";
  return `YAML syntax error: ${message}${hint}`;
}

/** Aliases whose anchor does not exist; `toJS` would throw on them without saying where. */
function unresolvedAliases(doc: Document.Parsed): { offset: number; message: string }[] {
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
function duplicateKeys(
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

// ---------------------------------------------------------------------------
// What the schema cannot say

type LevelKey = ThresholdKey;
const LEVEL_KEYS = THRESHOLD_KEYS;
/** Thresholds that count addresses or blocks (whole numbers); the others are percentages. */
const COUNT_KEYS: ReadonlySet<LevelKey> = new Set<LevelKey>([
  "minFreeWarning",
  "minFreeCritical",
  "minFreePrefixesWarning",
  "minFreePrefixesCritical",
  "minAssignableWarning",
  "minAssignableCritical",
  "minZoneFreeWarning",
  "minZoneFreeCritical",
]);
/** Thresholds on capacity figures, which only scopes with `capacity: true` measure. */
const CAPACITY_KEYS: readonly LevelKey[] = [
  "minFreePrefixesWarning",
  "minFreePrefixesCritical",
  "minAssignableWarning",
  "minAssignableCritical",
];

function isValidLevel(key: LevelKey, value: unknown): value is number {
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (key === "daysToFullWarning" || key === "daysToFullCritical") return value >= 1 && value <= 3650;
  if (COUNT_KEYS.has(key)) return Number.isInteger(value) && value >= 0;
  return value >= 0 && value <= 100;
}

/** A level in effect for a scope and where it was set. `invalid` levels are already reported by the schema. */
interface Level {
  value: number | "invalid";
  path: PathSegment[];
  fromDefaults: boolean;
}

/**
 * Warning must trip before critical: below it in percent used, above it in free addresses. The
 * pairs and their direction come from the schema's level pairs (levels.ts). For minimum
 * utilization, equal levels are allowed: a resource below them is critical, which lets a scope
 * make idle addresses critical over a default that makes them a warning.
 */
const ORDERS = LEVEL_PAIRS.map((pair) => ({
  warning: pair.warning,
  critical: pair.critical,
  ...orderWords(pair),
  holds: (warning: number, critical: number) => levelsInOrder(pair, warning, critical),
}));

type Levels = Partial<Record<LevelKey, Level>>;

function levelsOf(thresholds: unknown, path: PathSegment[], fromDefaults: boolean): Levels {
  const levels: Levels = {};
  if (!isRecord(thresholds)) return levels;
  for (const key of LEVEL_KEYS) {
    const value = own(thresholds, key);
    // null switches a level off (see switchedOff); it is not a level of its own.
    if (value === undefined || value === null) continue;
    levels[key] = { value: isValidLevel(key, value) ? value : "invalid", path: [...path, key], fromDefaults };
  }
  return levels;
}

class SemanticChecker {
  readonly issues: SchemaIssue[] = [];

  constructor(private readonly locator: Locator) {}

  private add(path: PathSegment[], message: string, at: "key" | "value" = "value"): void {
    this.issues.push({ path, at, message });
  }

  private origin(level: Level): string {
    return level.fromDefaults ? ` from ${formatPath(level.path)} on line ${this.locator.lineOf(level.path)}` : "";
  }

  /**
   * Checks warning against critical in the merged levels, once, at the node
   * that causes the conflict: the scope's own warning when it sets one, else
   * its own critical. A conflict entirely within defaults is reported once, at
   * defaults, not again for every scope that inherits it.
   */
  private checkOrder(levels: Levels, scope: "defaults" | "scope"): void {
    for (const order of ORDERS) {
      const warning = levels[order.warning];
      const critical = levels[order.critical];
      if (!warning || !critical || warning.value === "invalid" || critical.value === "invalid") continue;
      if (scope === "scope" && warning.fromDefaults && critical.fromDefaults) continue;
      if (order.holds(warning.value, critical.value)) continue;
      if (!warning.fromDefaults) {
        this.add(
          warning.path,
          `${formatPath(warning.path)} (${warning.value}) must be ${order.relation} ${order.critical} (${critical.value}${this.origin(critical)})`,
        );
      } else {
        this.add(
          critical.path,
          `${formatPath(critical.path)} (${critical.value}) must be ${order.inverse} ${order.warning} (${warning.value}${this.origin(warning)})`,
        );
      }
    }
  }

  /** The default levels, or undefined when defaults are malformed (already reported) and so unknown. */
  checkDefaults(data: Data): Levels | undefined {
    const defaults = own(data, "defaults");
    if (defaults === undefined) return {};
    const thresholds = isRecord(defaults) ? own(defaults, "thresholds") : undefined;
    if (!isRecord(defaults) || (thresholds !== undefined && !isRecord(thresholds))) return undefined;
    const path = ["defaults", "thresholds"];
    // Within defaults they are the file's own values; seen from a scope they are inherited.
    this.checkOrder(levelsOf(thresholds, path, false), "defaults");
    return levelsOf(thresholds, path, true);
  }

  checkScopes(data: Data, defaults: Levels | undefined): void {
    const scopes = own(data, "scopes");
    if (!Array.isArray(scopes)) return;
    const firstByName = new Map<string, number>();
    // Names that differ only in case collide in alarm and dashboard names of tools that ignore case.
    const firstByFoldedName = new Map<string, { index: number; name: string }>();
    scopes.forEach((scope: unknown, index) => {
      if (!isRecord(scope)) return;
      const path: PathSegment[] = ["scopes", index];
      const name = own(scope, "name");
      if (typeof name === "string") {
        const first = firstByName.get(name);
        const folded = firstByFoldedName.get(name.toLowerCase());
        if (first !== undefined) {
          const firstPath = ["scopes", first, "name"];
          this.add(
            [...path, "name"],
            `${formatPath([...path, "name"])} ${JSON.stringify(name)} is already the name of scopes[${first}] ` +
              `(line ${this.locator.lineOf(firstPath)}); scope names must be unique`,
          );
        } else if (folded !== undefined) {
          const firstPath = ["scopes", folded.index, "name"];
          this.add(
            [...path, "name"],
            `${formatPath([...path, "name"])} ${JSON.stringify(name)} differs from the name ${JSON.stringify(folded.name)} of ` +
              `scopes[${folded.index}] (line ${this.locator.lineOf(firstPath)}) only in case; scope names must differ in more ` +
              "than case, since many tools compare alarm names without it",
          );
        } else {
          firstByName.set(name, index);
          firstByFoldedName.set(name.toLowerCase(), { index, name });
        }
      }
      this.checkConditions(own(scope, "match"), [...path, "match"]);
      this.checkConditions(own(scope, "exclude"), [...path, "exclude"]);

      const thresholds = own(scope, "thresholds");
      const levels: Levels = { ...defaults, ...levelsOf(thresholds, [...path, "thresholds"], false) };
      for (const key of switchedOff(thresholds)) delete levels[key];
      // With malformed defaults or thresholds (reported by the schema) there is no telling what was meant.
      const known = defaults !== undefined && (thresholds === undefined || isRecord(thresholds));
      if (known && Object.keys(levels).length === 0) {
        const named = typeof name === "string" ? ` ${JSON.stringify(name)}` : "";
        this.add(
          path,
          `${formatPath(path)}${named} has no thresholds here or in defaults.thresholds, so it could never alarm`,
        );
      }
      this.checkOrder(levels, "scope");
      this.checkCapacity(scope, path);
    });
  }

  /** Capacity thresholds a scope sets itself are measured only when it opts in; from defaults they apply to those that do. */
  private checkCapacity(scope: Data, path: PathSegment[]): void {
    const thresholds = own(scope, "thresholds");
    if (!isRecord(thresholds) || own(scope, "capacity") === true) return;
    for (const key of CAPACITY_KEYS) {
      const value = own(thresholds, key);
      if (value === undefined || value === null) continue;
      const at = [...path, "thresholds", key];
      this.add(
        at,
        `${formatPath(at)} needs capacity: true on the scope: free prefixes and assignable addresses are measured only ` +
          "for scopes that opt in (reading interfaces and reservations costs API calls)",
      );
    }
  }

  private checkConditions(spec: unknown, path: PathSegment[]): void {
    if (!isRecord(spec)) return;
    const strings = (key: string): [string, PathSegment[]][] => {
      const list = own(spec, key);
      if (!Array.isArray(list)) return [];
      return list.flatMap((item: unknown, i) =>
        typeof item === "string" ? [[item, [...path, key, i]] as [string, PathSegment[]]] : [],
      );
    };

    for (const [type, itemPath] of strings("resourceTypes")) {
      // Values that fail the schema's pattern are reported (with the same hint) by the schema.
      if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(type)) continue;
      const hint = suggestResourceType(type);
      if (hint) this.add(itemPath, `${formatPath(itemPath)} (${JSON.stringify(type)}) is not a resource type${hint}`);
    }
    for (const [cidr, itemPath] of strings("cidrWithin")) {
      try {
        parseCidr(cidr);
      } catch (error) {
        this.add(itemPath, `${formatPath(itemPath)}: ${(error as Error).message}`);
      }
    }
    for (const [glob, itemPath] of strings("names")) this.checkGlob(glob, itemPath);
    const tags = own(spec, "tags");
    if (isRecord(tags)) {
      for (const [key, value] of Object.entries(tags)) {
        if (typeof value === "string") this.checkGlob(value, [...path, "tags", key]);
        else if (Array.isArray(value))
          value.forEach((glob: unknown, i) => {
            if (typeof glob === "string") this.checkGlob(glob, [...path, "tags", key, i]);
          });
      }
    }
  }

  /** A minimum of points the window cannot hold would leave every resource without a forecast. */
  checkForecast(data: Data): void {
    const forecast = own(data, "forecast");
    if (!isRecord(forecast)) return;
    const window = own(forecast, "windowDays") ?? DEFAULT_FORECAST_SETTINGS.windowDays;
    if (typeof window !== "number") return;
    for (const key of ["minPoints", "minSpanDays"] as const) {
      const value = own(forecast, key);
      if (typeof value !== "number" || value <= (key === "minPoints" ? window : window - 1)) continue;
      const path = ["forecast", key];
      const bound = key === "minPoints" ? window : window - 1;
      this.add(
        path,
        `${formatPath(path)} (${value}) must be at most ${bound}: forecast.windowDays (${window}) holds no more, ` +
          "so no resource would ever get a forecast",
      );
    }
  }

  private checkGlob(glob: string, path: PathSegment[]): void {
    if (glob === "") return;
    const problem = validateGlob(glob);
    if (problem) this.add(path, `${formatPath(path)} (${JSON.stringify(glob)}) is not a valid glob: ${problem}`);
  }
}

// ---------------------------------------------------------------------------
// Building the result from data known to be valid

/** The threshold fields a scope sets to null: switched off rather than inherited from defaults. */
function switchedOff(value: unknown): ThresholdKey[] {
  if (!isRecord(value)) return [];
  return LEVEL_KEYS.filter((key) => Object.hasOwn(value, key) && value[key] === null);
}

function thresholdsOf(value: unknown): Thresholds {
  const thresholds: Thresholds = {};
  if (!isRecord(value)) return thresholds;
  for (const key of LEVEL_KEYS) {
    const level = own(value, key);
    if (typeof level === "number") thresholds[key] = level;
  }
  return thresholds;
}

const LIST_CONDITIONS = [
  "resourceTypes",
  "accounts",
  "regions",
  "vpcIds",
  "resourceIds",
  "cidrWithin",
  "names",
] as const;

function matchSpecOf(value: unknown): MatchSpec {
  const spec: MatchSpec = {};
  if (!isRecord(value)) return spec;
  for (const key of LIST_CONDITIONS) {
    const list = own(value, key);
    if (Array.isArray(list)) spec[key] = list.map(String);
  }
  const tags = own(value, "tags");
  if (isRecord(tags)) {
    spec.tags = Object.fromEntries(
      Object.entries(tags).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
    );
  }
  const family = own(value, "addressFamily");
  if (family === "ipv4" || family === "ipv6") spec.addressFamily = family;
  return spec;
}

function buildRules(data: Data, file: string): RulesFile {
  const defaults = thresholdsOf(own(own(data, "defaults") as Data | undefined, "thresholds"));
  const scopes = (own(data, "scopes") as Data[]).map((scope): ScopeRule => {
    const description = own(scope, "description");
    const exclude = own(scope, "exclude");
    const off = switchedOff(own(scope, "thresholds"));
    const thresholds: Thresholds = { ...defaults, ...thresholdsOf(own(scope, "thresholds")) };
    for (const key of off) delete thresholds[key];
    return {
      name: String(own(scope, "name")),
      ...(typeof description === "string" ? { description } : {}),
      match: matchSpecOf(own(scope, "match")),
      ...(isRecord(exclude) ? { exclude: matchSpecOf(exclude) } : {}),
      thresholds,
      ...(off.length > 0 ? { thresholdsOff: off } : {}),
      resourceMetrics: own(scope, "resourceMetrics") === true,
      ...(own(scope, "capacity") === true ? { capacity: true } : {}),
    };
  });
  const rules: RulesFile = { version: 1, file, defaults: { thresholds: defaults }, scopes };
  const forecast = own(data, "forecast");
  if (isRecord(forecast)) {
    const settings: ForecastSettings = { ...DEFAULT_FORECAST_SETTINGS };
    for (const key of Object.keys(settings) as (keyof ForecastSettings)[]) {
      const value = own(forecast, key);
      if (typeof value === "number") settings[key] = value;
    }
    rules.forecast = settings;
  }
  return rules;
}

// ---------------------------------------------------------------------------
// Entry points

/**
 * Parses and validates rules text. `file` is only used in messages. Returns
 * the rules with each scope's thresholds merged over the defaults and
 * `resourceMetrics` defaulted to false; throws `RulesError` listing every
 * problem, sorted by line and column.
 */
export function parseRules(rawText: string, file: string): RulesFile {
  const tooLarge = sizeProblem(Buffer.byteLength(rawText, "utf8"));
  if (tooLarge !== undefined) throw new RulesError([problemAt(file, undefined, 0, "", tooLarge)]);
  // Editors do not count a byte-order mark as a column; neither should the positions.
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const deep = nestingProblem(text);
  if (deep !== undefined)
    throw new RulesError([{ file, line: deep.line, column: deep.column, path: "", message: deep.message }]);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, merge: true });
  const locator = new Locator(doc, text, lines);

  // A document with syntax errors is only partly understood; checking its shape would add noise.
  const syntax = doc.errors.map((error) => ({
    offset: error.pos[0],
    message: yamlErrorMessage(error.code, error.message, text, error.pos[0]),
  }));
  // The parser already reports an empty alias ("*" alone); look for dangling ones only in clean documents.
  if (syntax.length === 0) syntax.push(...unresolvedAliases(doc));
  if (syntax.length > 0) {
    throw new RulesError(sortProblems(syntax.map((s) => problemAt(file, locator, s.offset, "", s.message))));
  }
  if (doc.contents === null) {
    throw new RulesError([
      problemAt(file, undefined, 0, "", 'the rules file is empty; it needs at least "version: 1" and "scopes"'),
    ]);
  }

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    throw new RulesError([problemAt(file, undefined, 0, "", `cannot read the YAML: ${(error as Error).message}`)], {
      cause: error,
    });
  }

  const issues: SchemaIssue[] = validateRulesSchema(data, (path) => locator.sourceOf(path));
  if (isRecord(data)) {
    const checker = new SemanticChecker(locator);
    checker.checkScopes(data, checker.checkDefaults(data));
    checker.checkForecast(data);
    issues.push(...checker.issues);
  }
  const problems = [
    ...duplicateKeys(doc, locator).map((d) => problemAt(file, locator, d.offset, formatPath(d.path), d.message)),
    ...issues.map((issue) =>
      problemAt(file, locator, locator.locate(issue.path, issue.at), formatPath(issue.path), issue.message),
    ),
  ];
  if (problems.length > 0) throw new RulesError(sortProblems(problems));
  return buildRules(data as Data, file);
}

function unreadable(path: string, error: unknown): RulesError {
  const reason = error instanceof Error ? error.message : String(error);
  return new RulesError(
    [{ file: path, line: 1, column: 1, path: "", message: `cannot read the rules file: ${reason}` }],
    { cause: error },
  );
}

/** A file too large to be a rules file is refused before it is read into memory. */
function refuseLarge(path: string, size: number): void {
  const tooLarge = sizeProblem(size);
  if (tooLarge !== undefined) throw new RulesError([{ file: path, line: 1, column: 1, path: "", message: tooLarge }]);
}

/** Reads and parses a rules file; a missing or unreadable file is a `RulesError` at 1:1 naming the OS error. */
export async function loadRulesFile(path: string): Promise<RulesFile> {
  let text: string;
  try {
    refuseLarge(path, (await stat(path)).size);
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof RulesError) throw error;
    throw unreadable(path, error);
  }
  return parseRules(text, path);
}

/** Like `loadRulesFile`, for callers that cannot await (build scripts). */
export function loadRulesFileSync(path: string): RulesFile {
  let text: string;
  try {
    refuseLarge(path, statSync(path).size);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof RulesError) throw error;
    throw unreadable(path, error);
  }
  return parseRules(text, path);
}

export interface RulesFileReport {
  file: string;
  /** Empty when the file is valid. */
  problems: RulesProblem[];
}

/** Validates several rules files for the CLI's `validate` command; reports come back in the order given. */
export async function validateRulesFiles(paths: readonly string[]): Promise<RulesFileReport[]> {
  return Promise.all(
    paths.map(async (file) => {
      try {
        await loadRulesFile(file);
        return { file, problems: [] };
      } catch (error) {
        if (error instanceof RulesError) return { file, problems: error.problems };
        throw error;
      }
    }),
  );
}
