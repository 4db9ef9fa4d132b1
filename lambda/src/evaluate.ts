/**
 * Evaluation: which resources of which scope are at warning or critical, and why.
 * Pure: no I/O. Sized for 100,000 resources × 50 scopes, so every scope's matcher and
 * thresholds are compiled once, each scope tests only the resources an index of their exact
 * values allows, and the per-resource path allocates only the result object.
 */

import { isIpv4Subnet } from "./capacity/blocks";
import { poorestZoneFree, ZoneTally } from "./capacity/zones";
import { type DaysResult, daysToFullLevel } from "./forecast/levels";
import { type DaysLevel, seriesKey } from "./history/format";
import { compileScope } from "./rules/match";
import { indexResources, type ResourceIndex } from "./rules/resource-index";
import { bucketCounts, STATUS_RANK, statusBuckets, worseStatus, worstCounted, worstFirst } from "./status";
import {
  type Breach,
  type Evaluation,
  type ResourceCidr,
  type ResourceEvaluation,
  type RulesFile,
  type ScopeResult,
  type ScopeRule,
  type Status,
  type SubnetCapacity,
  THRESHOLD_KEYS,
  type Thresholds,
} from "./types";

export interface ResourceStatus {
  status: Status;
  /** Plain words with the actual value and the limit, e.g. "utilization 91.3% ≥ critical 85%". */
  reason: string;
  /** The threshold that set the status; absent for ok and unknown, and for a days-to-full level held without a forecast. */
  breach?: Breach;
}

/**
 * Utilization is IpUsage × 100, so 0.57 arrives as 56.99999999999999. Comparing with this
 * tolerance keeps a resource at exactly the limit from slipping under it.
 */
const PERCENT_TOLERANCE = 1e-9;

/** Shared results for the common cases, so evaluating a healthy resource allocates nothing. */
const OK: Readonly<ResourceStatus> = Object.freeze({ status: "ok", reason: "within thresholds" });
const UNKNOWN_USAGE: Readonly<ResourceStatus> = Object.freeze({
  status: "unknown",
  reason: "usage unknown: the source reports no utilization for this CIDR",
});
const UNKNOWN_FREE: Readonly<ResourceStatus> = Object.freeze({
  status: "unknown",
  reason: "free addresses unknown: the source reports no usage for this CIDR",
});

/** The thresholds of one level, ready to compare. */
interface CompiledLevel {
  /** Percent used at or above which the level is reached. */
  percent?: number;
  /** Minimum free addresses as BigInt, rounded up: free < 24.5 is the same as free < 25 for whole addresses. */
  minFree?: bigint;
  /** The minimum free addresses as written, for the reason. */
  minFreeLimit?: number;
  /** Percent used below which the level is reached. */
  minUtilization?: number;
  /** Free /28 blocks below which the level is reached (scopes with `capacity: true` only). */
  minFreePrefixes?: number;
  /** Assignable addresses below which the level is reached (scopes with `capacity: true` only). */
  minAssignable?: number;
}

interface CompiledThresholds {
  critical: CompiledLevel;
  warning: CompiledLevel;
  /** Days-to-full thresholds; undefined when the scope has none, so the forecast is not looked at. */
  days?: { warning?: number; critical?: number };
  /** A percent threshold is set, so a missing utilization leaves the status unknown. */
  needsUtilization: boolean;
  /** A minimum-free threshold is set, so missing free addresses leave the status unknown. */
  needsFree: boolean;
  /** A capacity threshold is set, so an IPv4 subnet without measured capacity is unknown. */
  needsCapacity: boolean;
}

function finite(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function compileLevel(
  percent: number | undefined,
  minFree: number | undefined,
  minUtilization: number | undefined,
): CompiledLevel {
  const minFreeLimit = finite(minFree);
  return {
    percent: finite(percent),
    minFree: minFreeLimit === undefined ? undefined : BigInt(Math.ceil(minFreeLimit)),
    minFreeLimit,
    minUtilization: finite(minUtilization),
  };
}

/**
 * Capacity thresholds count only in scopes that measure capacity: a scope that inherits them from
 * the defaults without `capacity: true` has nothing to compare them with.
 */
function withCapacity(
  level: CompiledLevel,
  minFreePrefixes: number | undefined,
  minAssignable: number | undefined,
): void {
  const prefixes = finite(minFreePrefixes);
  const assignable = finite(minAssignable);
  if (prefixes !== undefined) level.minFreePrefixes = prefixes;
  if (assignable !== undefined) level.minAssignable = assignable;
}

function compileThresholds(t: Thresholds, capacity = false): CompiledThresholds {
  const critical = compileLevel(t.critical, t.minFreeCritical, t.minUtilizationCritical);
  const warning = compileLevel(t.warning, t.minFreeWarning, t.minUtilizationWarning);
  if (capacity) {
    withCapacity(critical, t.minFreePrefixesCritical, t.minAssignableCritical);
    withCapacity(warning, t.minFreePrefixesWarning, t.minAssignableWarning);
  }
  const needsCapacity = [critical, warning].some(
    (l) => l.minFreePrefixes !== undefined || l.minAssignable !== undefined,
  );
  const anyPercent = [critical.percent, warning.percent, critical.minUtilization, warning.minUtilization].some(
    (v) => v !== undefined,
  );
  const anyMinFree = critical.minFree !== undefined || warning.minFree !== undefined;
  const daysWarning = finite(t.daysToFullWarning);
  const daysCritical = finite(t.daysToFullCritical);
  const days =
    daysWarning === undefined && daysCritical === undefined
      ? undefined
      : {
          ...(daysWarning !== undefined ? { warning: daysWarning } : {}),
          ...(daysCritical !== undefined ? { critical: daysCritical } : {}),
        };
  return {
    critical,
    warning,
    ...(days !== undefined ? { days } : {}),
    // With no threshold at all there is nothing to reach, but a resource without any usage
    // facts is still not known to be fine.
    needsUtilization: anyPercent || !(anyMinFree || needsCapacity),
    needsFree: anyMinFree,
    needsCapacity,
  };
}

/**
 * Percent for messages, rounded down to one decimal: rounding 79.96 up would print
 * "80.0%" for a resource that is below a warning at 80%.
 */
export function formatPercent(value: number): string {
  const floored = Math.floor(value * 10 + PERCENT_TOLERANCE * 10) / 10;
  return `${floored}%`;
}

function utilizationReason(level: Breach["level"], actual: number, limit: number): string {
  return `utilization ${formatPercent(actual)} ≥ ${level} ${limit}%`;
}

function freeReason(level: Breach["level"], actual: bigint, limit: number): string {
  return `${actual} free address${actual === 1n ? "" : "es"} < ${level} minimum ${limit}`;
}

function minUtilizationReason(level: Breach["level"], actual: number, limit: number): string {
  return `utilization ${formatPercent(actual)} < ${level} minimum ${limit}%`;
}

function prefixesReason(level: Breach["level"], actual: number, limit: number): string {
  return `${actual} free /28 prefix${actual === 1 ? "" : "es"} < ${level} minimum ${limit}`;
}

function assignableReason(level: Breach["level"], actual: number, limit: number): string {
  return `${actual} assignable address${actual === 1 ? "" : "es"} < ${level} minimum ${limit}`;
}

/**
 * Status of one resource against one set of thresholds; worst level reached wins. `previousLevel`
 * is the days-to-full level the resource had at the last scan (for hysteresis); `capacity` says
 * whether the scope measures capacity, without which its capacity thresholds do not apply.
 */
export function evaluateResource(
  resource: ResourceCidr,
  thresholds: Thresholds,
  previousLevel?: DaysLevel,
  capacity = false,
): ResourceStatus & { forecastLevel?: DaysLevel } {
  return { ...evaluateCompiled(resource, compileThresholds(thresholds, capacity), previousLevel) };
}

function evaluateCompiled(
  resource: ResourceCidr,
  t: CompiledThresholds,
  previousLevel?: DaysLevel,
): Readonly<ResourceStatus & { forecastLevel?: DaysLevel }> {
  const utilization = finite(resource.utilization);
  const free = resource.free;
  // A single address (an Elastic IP, any /32 or /128) is 100% used with 0 free when associated
  // and 0% used when idle: it is in use or idle, never running out. Applying the running-out
  // thresholds to it would make every associated address critical under the usual defaults, so
  // only the minimum-utilization thresholds (which flag the idle, billed ones) apply to it.
  const runningOut = resource.usable > 1n;
  const days =
    t.days !== undefined && runningOut ? daysToFullLevel(resource.forecast, t.days, previousLevel) : undefined;

  // Capacity thresholds apply to IPv4 subnets only: the other resources of the scope are not measured.
  const capacity = t.needsCapacity && isIpv4Subnet(resource) ? resource.capacity : undefined;

  const critical = breachesAt("critical", t.critical, utilization, free, runningOut, days, capacity);
  if (critical) return days === undefined ? critical : { ...critical, forecastLevel: days.level };
  const warning = breachesAt("warning", t.warning, utilization, free, runningOut, days, capacity);
  if (warning) return days === undefined ? warning : { ...warning, forecastLevel: days.level };

  if (!runningOut) return utilization === undefined ? UNKNOWN_USAGE : OK;
  if (t.needsCapacity && capacity === undefined && isIpv4Subnet(resource)) return unknownCapacity(resource);
  if (t.needsUtilization && utilization === undefined) return UNKNOWN_USAGE;
  if (t.needsFree && free === undefined) return UNKNOWN_FREE;
  return OK;
}

function unknownCapacity(resource: ResourceCidr): ResourceStatus {
  return {
    status: "unknown",
    reason: `capacity unknown: ${resource.capacityUnknown ?? "not measured"}`,
  };
}

function breachesAt(
  level: Breach["level"],
  limits: CompiledLevel,
  utilization: number | undefined,
  free: bigint | undefined,
  runningOut: boolean,
  days?: DaysResult,
  capacity?: SubnetCapacity,
): ResourceStatus | undefined {
  const { percent, minFree, minFreeLimit, minUtilization } = limits;
  const byUtilization =
    runningOut && utilization !== undefined && percent !== undefined && utilization + PERCENT_TOLERANCE >= percent;
  const byFree =
    runningOut && free !== undefined && minFree !== undefined && minFreeLimit !== undefined && free < minFree;
  const byMinUtilization =
    utilization !== undefined && minUtilization !== undefined && utilization + PERCENT_TOLERANCE < minUtilization;
  const byDays = days?.level === level;
  const byPrefixes =
    capacity !== undefined && limits.minFreePrefixes !== undefined && capacity.freePrefixes < limits.minFreePrefixes;
  const byAssignable =
    capacity !== undefined && limits.minAssignable !== undefined && capacity.assignableAddresses < limits.minAssignable;
  if (!byUtilization && !byFree && !byMinUtilization && !byDays && !byPrefixes && !byAssignable) return undefined;

  // Several thresholds can be crossed at once; the reason names each, the breach the first.
  const reasons: string[] = [];
  let breach: Breach | undefined;
  if (byUtilization) {
    reasons.push(utilizationReason(level, utilization, percent));
    breach = { level, kind: "utilization", actual: utilization, limit: percent };
  }
  if (byFree) {
    reasons.push(freeReason(level, free, minFreeLimit));
    breach ??= { level, kind: "minFree", actual: free, limit: minFreeLimit };
  }
  if (byMinUtilization) {
    reasons.push(minUtilizationReason(level, utilization, minUtilization));
    breach ??= { level, kind: "minUtilization", actual: utilization, limit: minUtilization };
  }
  if (byDays) {
    reasons.push(days.reason);
    // A level held for want of a forecast has no days to show: its reason says why it is held.
    if (days.days !== undefined) breach ??= { level, kind: "daysToFull", actual: days.days, limit: days.limit };
  }
  if (byPrefixes && capacity !== undefined && limits.minFreePrefixes !== undefined) {
    reasons.push(prefixesReason(level, capacity.freePrefixes, limits.minFreePrefixes));
    breach ??= { level, kind: "minFreePrefixes", actual: capacity.freePrefixes, limit: limits.minFreePrefixes };
  }
  if (byAssignable && capacity !== undefined && limits.minAssignable !== undefined) {
    reasons.push(assignableReason(level, capacity.assignableAddresses, limits.minAssignable));
    breach ??= { level, kind: "minAssignable", actual: capacity.assignableAddresses, limit: limits.minAssignable };
  }
  return { status: level, reason: reasons.join("; "), breach };
}

/**
 * Fullest first: utilization descending (unknown last), then the fewest free addresses, then by id
 * and CIDR so the order is stable across runs. The order within one status.
 */
export function compareResources(a: ResourceCidr, b: ResourceCidr): number {
  const ua = finite(a.utilization);
  const ub = finite(b.utilization);
  if (ua !== ub) {
    if (ua === undefined) return 1;
    if (ub === undefined) return -1;
    return ua > ub ? -1 : 1;
  }
  const fa = a.free;
  const fb = b.free;
  if (fa !== fb) {
    if (fa === undefined) return 1;
    if (fb === undefined) return -1;
    return fa < fb ? -1 : 1;
  }
  if (a.resourceId !== b.resourceId) return a.resourceId < b.resourceId ? -1 : 1;
  if (a.cidr !== b.cidr) return a.cidr < b.cidr ? -1 : 1;
  return 0;
}

/** Worst status first, then fullest first (see compareResources). */
export function compareEvaluations(a: ResourceEvaluation, b: ResourceEvaluation): number {
  const byStatus = STATUS_RANK[a.status] - STATUS_RANK[b.status];
  return byStatus !== 0 ? byStatus : compareResources(a.resource, b.resource);
}

/**
 * Scope thresholds over the file defaults, field by field (a no-op when the loader already merged
 * them); a field the scope switched off (`warning: null`) is not inherited.
 */
export function effectiveThresholds(scope: ScopeRule, defaults: Thresholds): Thresholds {
  const merged: Thresholds = { ...defaults };
  for (const key of THRESHOLD_KEYS) {
    const value = scope.thresholds[key];
    if (value !== undefined) merged[key] = value;
  }
  for (const key of scope.thresholdsOff ?? []) delete merged[key];
  return merged;
}

/** The global order of the resources, shared by every scope of one evaluation. */
interface Ordering {
  /** order[rank] = index of the resource at that rank in compareResources order. */
  order: number[];
  /** rankOf[index] = rank of that resource. */
  rankOf: Uint32Array;
  /** Scratch space for one scope's matched ranks, reused across scopes. */
  scratch: Uint32Array;
}

/**
 * compareResources' first two keys as numbers, one entry per resource, in an order where smaller
 * sorts first: `utilization` is the negated utilization (+Infinity when unknown, so unknown comes
 * last), `free` the free addresses as a double (+Infinity when unknown). Converting a BigInt to a
 * double rounds but never reverses two values, so a difference in these keys always agrees with
 * compareResources; only equal keys need the exact comparison.
 */
export interface SortKeys {
  utilization: Float64Array;
  free: Float64Array;
}

export function sortKeys(resources: readonly ResourceCidr[]): SortKeys {
  const utilization = new Float64Array(resources.length);
  const free = new Float64Array(resources.length);
  for (let i = 0; i < resources.length; i++) {
    const resource = resources[i]!;
    const u = finite(resource.utilization);
    utilization[i] = u === undefined ? Infinity : -u;
    free[i] = resource.free === undefined ? Infinity : Number(resource.free);
  }
  return { utilization, free };
}

/**
 * The indices of `resources` in compareResources order, without calling a comparator for most of
 * them: 100,000 resources share a few thousand utilization values. The indices are first placed
 * by the rank of their utilization key among the distinct keys (a counting sort: linear, stable);
 * only each run of equal utilization is then sorted with a comparator, on free addresses and,
 * for ties there too, compareResources itself.
 */
export function orderResources(resources: readonly ResourceCidr[]): number[] {
  const n = resources.length;
  const { utilization, free } = sortKeys(resources);

  const distinct = Float64Array.from(new Set(utilization)).sort();
  const rankOfKey = new Map<number, number>();
  for (let rank = 0; rank < distinct.length; rank++) rankOfKey.set(distinct[rank]!, rank);
  const rank = new Uint32Array(n);
  const starts = new Uint32Array(distinct.length + 1);
  for (let i = 0; i < n; i++) {
    rank[i] = rankOfKey.get(utilization[i]!)!;
    starts[rank[i]! + 1]! += 1;
  }
  for (let r = 1; r <= distinct.length; r++) starts[r]! += starts[r - 1]!;

  const order = new Array<number>(n);
  const next = starts.slice(0, distinct.length);
  for (let i = 0; i < n; i++) order[next[rank[i]!]!++] = i;

  const byFreeThenResource = (a: number, b: number): number => {
    const fa = free[a]!;
    const fb = free[b]!;
    if (fa !== fb) return fa < fb ? -1 : 1;
    return compareResources(resources[a]!, resources[b]!);
  };
  for (let r = 0; r < distinct.length; r++) {
    const from = starts[r]!;
    const to = starts[r + 1]!;
    if (to - from < 2) continue;
    const run = order.slice(from, to).sort(byFreeThenResource);
    for (let k = 0; k < run.length; k++) order[from + k] = run[k]!;
  }
  return order;
}

function ordering(resources: ResourceCidr[]): Ordering {
  const order = orderResources(resources);
  const rankOf = new Uint32Array(resources.length);
  for (let rank = 0; rank < order.length; rank++) rankOf[order[rank]!] = rank;
  return { order, rankOf, scratch: new Uint32Array(resources.length) };
}

/**
 * One scope over the resources. Matching walks its candidates in the resources' own order (cache-friendly);
 * the matches' ranks are then sorted as plain integers, and appending each evaluation to its
 * status's bucket in rank order yields the evaluations sorted worst first without a comparator.
 */
function evaluateScope(
  scope: ScopeRule,
  defaults: Thresholds,
  resources: ResourceCidr[],
  sorting: Ordering,
  index: ResourceIndex,
  covered: Uint8Array,
  previousLevels: ReadonlyMap<ResourceCidr, ReadonlyMap<string, DaysLevel>> | undefined,
): ScopeResult {
  const matches = compileScope(scope);
  const thresholds = effectiveThresholds(scope, defaults);
  const measuresCapacity = scope.capacity === true;
  const compiled = compileThresholds(thresholds, measuresCapacity);
  const buckets = statusBuckets<ResourceEvaluation>();
  let maxUtilization: number | undefined;
  let minFree: bigint | undefined;
  let minDaysToFull: number | undefined;
  let growthPerDay: number | undefined;
  const remembers = compiled.days !== undefined && previousLevels !== undefined;
  const capacityMinima: CapacityMinima = { unmeasured: 0 };
  const zoneTally = new ZoneTally();

  const { order, rankOf, scratch } = sorting;
  let matched = 0;
  // Only the resources one of the scope's conditions allows can match; the predicate decides.
  const candidates = index.candidates(scope.match);
  const count = candidates === undefined ? resources.length : candidates.length;
  for (let k = 0; k < count; k++) {
    const i = candidates === undefined ? k : candidates[k]!;
    if (!matches(resources[i]!)) continue;
    covered[i] = 1;
    scratch[matched++] = rankOf[i]!;
  }
  const ranks = scratch.subarray(0, matched).sort();

  for (let k = 0; k < ranks.length; k++) {
    const resource = resources[order[ranks[k]!]!]!;
    const previous = remembers ? previousLevels.get(resource)?.get(scope.name) : undefined;
    const { status, reason, breach, forecastLevel } = evaluateCompiled(resource, compiled, previous);
    const evaluation: ResourceEvaluation =
      breach === undefined
        ? { scope: scope.name, resource, status, reason }
        : { scope: scope.name, resource, status, reason, breach };
    if (forecastLevel !== undefined) evaluation.forecastLevel = forecastLevel;
    buckets[status].push(evaluation);
    if (measuresCapacity) addToCapacityMinima(capacityMinima, resource);
    zoneTally.add(resource);
    // The aggregates say how close the scope is to running out, which a single address never is:
    // an associated Elastic IP (100% used, 0 free) would otherwise pin them there for good.
    if (resource.usable <= 1n) continue;
    const forecast = resource.forecast;
    if (forecast !== undefined) {
      if (forecast.daysToFull !== undefined && (minDaysToFull === undefined || forecast.daysToFull < minDaysToFull))
        minDaysToFull = forecast.daysToFull;
      if (forecast.growthPerDay !== undefined) growthPerDay = (growthPerDay ?? 0) + forecast.growthPerDay;
    }
    const utilization = finite(resource.utilization);
    if (utilization !== undefined && (maxUtilization === undefined || utilization > maxUtilization)) {
      maxUtilization = utilization;
    }
    if (resource.free !== undefined && (minFree === undefined || resource.free < minFree)) minFree = resource.free;
  }

  const counts = bucketCounts(buckets);
  const evaluations = worstFirst(buckets);
  const zones = zoneTally.summarize(thresholds, measuresCapacity);
  let status = worstCounted(counts);
  // A zone in trouble puts the scope at its level, though no single resource is: the zone alarm's case.
  for (const zone of zones) status = worseStatus(status, zone.status);
  const result: ScopeResult = {
    name: scope.name,
    thresholds,
    resourceMetrics: scope.resourceMetrics,
    resourceCount: evaluations.length,
    counts,
    status,
    evaluations,
  };
  if (scope.description !== undefined) result.description = scope.description;
  if (maxUtilization !== undefined) result.maxUtilization = maxUtilization;
  if (minFree !== undefined) result.minFree = minFree;
  if (minDaysToFull !== undefined) result.minDaysToFull = minDaysToFull;
  if (growthPerDay !== undefined) result.growthPerDay = growthPerDay;
  if (zones.length > 0) {
    result.zones = zones;
    const watchesZones =
      measuresCapacity || thresholds.minZoneFreeWarning !== undefined || thresholds.minZoneFreeCritical !== undefined;
    const poorest = watchesZones ? poorestZoneFree(zones) : undefined;
    if (poorest !== undefined) result.minZoneFree = poorest;
  }
  if (measuresCapacity) {
    result.capacity = true;
    // A minimum over only the subnets that could be measured could look better than the truth.
    if (capacityMinima.unmeasured === 0) {
      if (capacityMinima.freePrefixes !== undefined) result.minFreePrefixes = capacityMinima.freePrefixes;
      if (capacityMinima.assignable !== undefined) result.minAssignable = capacityMinima.assignable;
    }
  }
  return result;
}

interface CapacityMinima {
  freePrefixes?: number;
  assignable?: number;
  /** IPv4 subnets of the scope without measured capacity. */
  unmeasured: number;
}

function addToCapacityMinima(minima: CapacityMinima, resource: ResourceCidr): void {
  if (!isIpv4Subnet(resource)) return;
  const capacity = resource.capacity;
  if (capacity === undefined) {
    minima.unmeasured += 1;
    return;
  }
  if (minima.freePrefixes === undefined || capacity.freePrefixes < minima.freePrefixes) {
    minima.freePrefixes = capacity.freePrefixes;
  }
  if (minima.assignable === undefined || capacity.assignableAddresses < minima.assignable) {
    minima.assignable = capacity.assignableAddresses;
  }
}

export interface EvaluateOptions {
  /**
   * Days-to-full levels each resource had at the last scan, by series key (resource id and CIDR)
   * and scope name: the memory the days-to-full hysteresis needs (see forecast/levels.ts).
   */
  previousLevels?: ReadonlyMap<string, ReadonlyMap<string, DaysLevel>>;
}

/** The previous levels by resource object, looked up once instead of once per scope. */
function levelsByResource(
  resources: readonly ResourceCidr[],
  levels: ReadonlyMap<string, ReadonlyMap<string, DaysLevel>> | undefined,
): Map<ResourceCidr, ReadonlyMap<string, DaysLevel>> | undefined {
  if (levels === undefined || levels.size === 0) return undefined;
  const byResource = new Map<ResourceCidr, ReadonlyMap<string, DaysLevel>>();
  for (const resource of resources) {
    const found = levels.get(seriesKey(resource.resourceId, resource.cidr));
    if (found !== undefined) byResource.set(resource, found);
  }
  return byResource;
}

/**
 * Every scope against every resource. A resource may belong to several scopes and is evaluated
 * in each with that scope's thresholds; resources no scope matches are reported as uncovered.
 */
export function evaluate(resources: ResourceCidr[], rules: RulesFile, options: EvaluateOptions = {}): Evaluation {
  // One sort for all scopes: the order within a status does not depend on the scope.
  const sorting = ordering(resources);
  const index = indexResources(resources);
  const covered = new Uint8Array(resources.length);
  const previous = levelsByResource(resources, options.previousLevels);
  const scopes = rules.scopes.map((scope) =>
    evaluateScope(scope, rules.defaults.thresholds, resources, sorting, index, covered, previous),
  );
  const uncovered: ResourceCidr[] = [];
  for (let i = 0; i < resources.length; i++) if (covered[i] === 0) uncovered.push(resources[i]!);
  return {
    scopes,
    scopesWithoutMatches: scopes.filter((s) => s.resourceCount === 0).map((s) => s.name),
    uncovered,
  };
}
