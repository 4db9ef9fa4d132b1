/**
 * What a JSON Schema cannot say about a rules file: duplicate scope names (also in case only),
 * thresholds in the wrong order after a scope's are merged over the defaults, scopes that could
 * never alarm, capacity thresholds on scopes that do not measure capacity, malformed CIDRs and globs,
 * misspelt resource types, and forecast settings the window cannot hold.
 */
import { parseCidr } from "../cidr";
import { DEFAULT_FORECAST_SETTINGS } from "../forecast/forecast";
import { THRESHOLD_KEYS, type ThresholdKey } from "../types";
import { type Data, isRecord, own, switchedOff } from "./data";
import { validateGlob } from "./glob";
import { LEVEL_PAIRS, levelsInOrder, orderWords } from "./levels";
import type { Locator } from "./locate";
import { formatPath, type PathSegment, type SchemaIssue, suggestResourceType } from "./schema";

/** Thresholds that count addresses or blocks (whole numbers); the others are percentages. */
const COUNT_KEYS: ReadonlySet<ThresholdKey> = new Set<ThresholdKey>([
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
const CAPACITY_KEYS: readonly ThresholdKey[] = [
  "minFreePrefixesWarning",
  "minFreePrefixesCritical",
  "minAssignableWarning",
  "minAssignableCritical",
];

function isValidLevel(key: ThresholdKey, value: unknown): value is number {
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

type Levels = Partial<Record<ThresholdKey, Level>>;

function levelsOf(thresholds: unknown, path: PathSegment[], fromDefaults: boolean): Levels {
  const levels: Levels = {};
  if (!isRecord(thresholds)) return levels;
  for (const key of THRESHOLD_KEYS) {
    const value = own(thresholds, key);
    // null switches a level off (see switchedOff); it is not a level of its own.
    if (value === undefined || value === null) continue;
    levels[key] = { value: isValidLevel(key, value) ? value : "invalid", path: [...path, key], fromDefaults };
  }
  return levels;
}

class SemanticChecker {
  readonly issues: SchemaIssue[] = [];

  constructor(private readonly locator: Pick<Locator, "lineOf">) {}

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

/** Every problem of the data beyond its schema, each at the path whose node causes it. */
export function semanticIssues(data: Data, locator: Pick<Locator, "lineOf">): SchemaIssue[] {
  const checker = new SemanticChecker(locator);
  checker.checkScopes(data, checker.checkDefaults(data));
  checker.checkForecast(data);
  return checker.issues;
}
