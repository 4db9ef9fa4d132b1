/**
 * The JSON result of a scan: what the Lambda returns (to Step Functions or another caller) and what
 * the CLI prints with --format json. Described by schema/result.schema.json; bounded to 256 KB, the
 * Step Functions payload limit, by leaving out the least useful entries first and saying how many.
 */
import { compareEvaluations } from "./evaluate";
import type { Trend } from "./forecast/forecast";
import { daysToCritical } from "./forecast/levels";
import type { HistoryJson } from "./history/scan-history";
import { jsonCount, utf8Bytes } from "./json";
import type { StateChanges } from "./publish/state-diff";
import { isScopeComplete } from "./scope-completeness";
import { STATUS_RANK, zeroCounts } from "./status";
import type {
  Blocker,
  Evaluation,
  ResourceCidr,
  ResourceEvaluation,
  RoomForSubnets,
  ScanFailure,
  ScopeResult,
  SourceName,
  Status,
  Thresholds,
  UnitReport,
  ZoneSummary,
} from "./types";

export const RESULT_SCHEMA_VERSION = 1;
/** Step Functions and Lambda-to-Lambda payloads are limited to 256 KB. */
export const DEFAULT_MAX_RESULT_BYTES = 256 * 1024;
/** Uncovered resources are listed only as a sample: they point at a gap in the rules, not at a problem. */
export const UNCOVERED_SAMPLE_SIZE = 20;
/**
 * VPC CIDR blocks listed in roomForSubnets, tightest first. The tail holds the blocks with the most
 * room, which nobody needs to read about; the rest are counted in `truncated`.
 */
export const ROOM_FOR_SUBNETS_LIMIT = 100;
/** Resources listed in fillingUp, soonest full first; the rest are counted in `truncated`. */
export const FILLING_UP_LIMIT = 50;

/** An address count: a number up to 2^53 − 1, a decimal string beyond (IPv6). */
export type JsonCount = number | string;

export interface ScopeJson {
  name: string;
  description?: string;
  status: Status;
  resourceCount: number;
  counts: Record<Status, number>;
  maxUtilization?: number;
  minFreeAddresses?: JsonCount;
  /** Fewest forecast days until a resource of the scope is full (needs a history). */
  minDaysToFull?: number;
  /** Forecast growth of the scope's resources together, addresses per day. */
  growthPerDay?: number;
  thresholds: Thresholds;
  resourceMetrics: boolean;
  /** The scope measures the capacity of its IPv4 subnets. */
  capacity?: boolean;
  /** Fewest free /28 blocks among its IPv4 subnets, when every one was measured. */
  minFreePrefixes?: number;
  /** Fewest automatically assignable addresses among its IPv4 subnets, when every one was measured. */
  minAssignableAddresses?: number;
  /** Its IPv4 subnets per Availability Zone, poorest first. */
  zones?: ZoneJson[];
  /** Free addresses of the poorest zone (scopes that watch zones or measure capacity). */
  minZoneFreeAddresses?: JsonCount;
  /** False when a unit that failed could hold resources of this scope: its counts are then lower bounds. */
  complete: boolean;
}

export interface ZoneJson {
  availabilityZoneId: string;
  availabilityZone?: string;
  resourceCount: number;
  freeAddresses: JsonCount;
  /** Subnets of unknown free count; absent when none. */
  unknownFree?: number;
  freePrefixes?: number;
  status: Status;
  reason: string;
}

/** A resource's forecast, as every listing of resources shows it (needs a history). */
export interface ForecastFieldsJson {
  /** growing, flat, shrinking, full or not-enough-history. */
  trend?: Trend;
  /** Addresses per day, one decimal; negative when shrinking. */
  growthPerDay?: number;
  /** Days until no usable address is left; 0 when full; absent when not filling up within the horizon. */
  daysToFull?: number;
  /** The UTC date daysToFull lands on, YYYY-MM-DD. */
  fullBy?: string;
}

export interface TroubleJson extends ForecastFieldsJson {
  scope: string;
  resourceId: string;
  resourceType: string;
  name?: string;
  ownerId?: string;
  region?: string;
  vpcId?: string;
  cidr: string;
  status: Exclude<Status, "ok">;
  utilization?: number;
  /** Addresses in use; for a VPC block, addresses allocated to its subnets. */
  used?: JsonCount;
  free?: JsonCount;
  /** Addresses a workload can use: size − 5 for IPv4 subnets, else size. */
  usable?: JsonCount;
  size: JsonCount;
  /** VPC CIDR blocks of the EC2 source: room left for new subnets. */
  room?: RoomForSubnets;
  /** IPv4 subnets of scopes that measure capacity: free aligned /28 blocks. */
  freePrefixes?: number;
  /** Free addresses automatic assignment can take (outside every CIDR reservation). */
  assignableAddresses?: number;
  /** Prefix length of the largest aligned free block. */
  largestFreeBlock?: number;
  /** Below the scope's minFreePrefixes level: the interfaces blocking the most /28 blocks. */
  blockers?: Blocker[];
  /** Days until the scope's critical level (percent used or minimum free) at the forecast growth. */
  daysToCritical?: number;
  reason: string;
  /** When its status is held from its last measurement: since when it has not been measured. */
  heldSince?: string;
}

/** A resource reported once as no longer measured: its level is held from its last measurement. */
export interface NoLongerMeasuredJson {
  scope: string;
  resourceId: string;
  lastStatus: "warning" | "critical";
  lastUtilization?: number;
  lastFree?: JsonCount;
  /** The first scan that did not measure it. */
  since: string;
}

/** A resource that will fill up within the forecast horizon, soonest first. */
export interface FillingUpJson extends ForecastFieldsJson {
  resourceId: string;
  resourceType: string;
  name?: string;
  ownerId?: string;
  region?: string;
  cidr: string;
  /** The scopes it is in. */
  scopes: string[];
  free?: JsonCount;
  usable: JsonCount;
}

/** One VPC CIDR block with the room it has left for new subnets (EC2 source). */
export interface RoomForSubnetsJson {
  /** The VPC id. */
  resourceId: string;
  name?: string;
  ownerId?: string;
  region?: string;
  cidr: string;
  /** Percent of the block allocated to subnets. */
  utilization?: number;
  /** Prefix length of the largest free aligned block; absent when the block is full. */
  largestFreePrefix?: number;
  freeSlash24: number;
  freeSlash28: number;
  /** IPv6 blocks only. */
  freeSlash64?: number;
}

export interface UncoveredJson {
  resourceId: string;
  resourceType: string;
  cidr: string;
  ownerId?: string;
  region?: string;
}

/** What one unit of collection returned. */
export interface UnitJson {
  key: string;
  resources: number;
  pages: number;
  complete: boolean;
}

export interface PublishedJson {
  requests: number;
  datums: number;
}

export interface NotificationJson {
  sent: boolean;
  subject?: string;
  /** Why it was or was not sent, e.g. "nothing changed since the last notification". */
  reason?: string;
  messageId?: string;
}

/** How many entries of each list were left out to stay within the size bound. */
export interface TruncatedJson {
  units: number;
  /** Always set by buildResult; optional for results made elsewhere. */
  fillingUp?: number;
  roomForSubnets: number;
  noLongerMeasured: number;
  resourcesInTrouble: number;
  uncoveredSample: number;
  errors: number;
  scopesWithoutMatches: number;
  scopes: number;
}

export interface ScanResultJson {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
  scannedAt: string;
  source: SourceName;
  /** True when every collection call succeeded, so the counts describe the whole network. */
  complete: boolean;
  dryRun: boolean;
  durationMs?: number;
  summary: {
    /** Resource CIDRs collected. */
    resources: number;
    scopes: number;
    /** Resource CIDRs by their worst status across the scopes that match them. */
    counts: Record<Status, number>;
    /** Entries in resourcesInTrouble before any truncation (one per scope a resource is in trouble in). */
    resourcesInTrouble: number;
    scopesWithoutMatches: number;
    uncovered: number;
  };
  scopes: ScopeJson[];
  /** Worst first. */
  resourcesInTrouble: TroubleJson[];
  /** VPC CIDR blocks with the room they have left for new subnets, tightest first; empty for IPAM. */
  roomForSubnets: RoomForSubnetsJson[];
  /** Resources the forecast says fill up within its horizon, soonest first; empty without a history (always set by buildResult). */
  fillingUp?: FillingUpJson[];
  /** What the scan read from and wrote to the scan history; absent when none is configured. */
  history?: HistoryJson;
  /** The CLI's --scope, --status and --account, when given: the listings show only what they allow. */
  filter?: { scopes?: string[]; statuses?: Status[]; accounts?: string[] };
  scopesWithoutMatches: string[];
  uncoveredCount: number;
  uncoveredSample: UncoveredJson[];
  errors: ScanFailure[];
  units?: UnitJson[];
  /** Resources that stopped being measured since the last notification, each reported once. */
  noLongerMeasured?: NoLongerMeasuredJson[];
  published?: PublishedJson;
  notification?: NotificationJson;
  truncated: TruncatedJson;
}

export interface BuildResultInput {
  evaluation: Evaluation;
  failures: ScanFailure[];
  scannedAt: Date;
  source: SourceName;
  /** Defaults to "no failures". Pass it when `failures` also holds publishing failures. */
  complete?: boolean;
  /** After a partial scan, the scopes that could hold what failed; the others are complete. Absent: all partial. */
  incompleteScopes?: ReadonlySet<string>;
  durationMs?: number;
  dryRun: boolean;
  /** What each unit of collection returned. */
  units?: readonly UnitReport[];
  /** What changed since the last notification; `noLongerMeasured` comes from it. */
  changes?: StateChanges;
  published?: PublishedJson;
  notification?: NotificationJson;
  history?: HistoryJson;
  maxBytes?: number;
  /** Entries of fillingUp (default FILLING_UP_LIMIT). */
  fillingUpLimit?: number;
}

/**
 * `value` without its undefined fields, the others in the same order. A copy rather than `delete` on
 * `value`: deleting a field makes V8 turn the object into a hash table several times its size, and a
 * command-line result at 150,000 resource CIDRs holds tens of thousands of these entries.
 */
function defined<T extends object>(value: T): T {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) copy[key] = field;
  }
  return copy as T;
}

function finiteUtilization(r: ResourceCidr): number | undefined {
  return r.utilization !== undefined && Number.isFinite(r.utilization) ? r.utilization : undefined;
}

function roomEntry(room: RoomForSubnets): RoomForSubnets {
  return defined<RoomForSubnets>({
    largestFreePrefix: room.largestFreePrefix,
    freeSlash24: room.freeSlash24,
    freeSlash28: room.freeSlash28,
    freeSlash64: room.freeSlash64,
  });
}

/** One decimal: a forecast is an estimate, and more digits would claim otherwise. */
function round1(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value * 10) / 10;
}

function forecastFields(r: ResourceCidr): ForecastFieldsJson {
  const f = r.forecast;
  if (f === undefined) return {};
  return defined<ForecastFieldsJson>({
    trend: f.trend,
    growthPerDay: round1(f.growthPerDay),
    daysToFull: f.daysToFull,
    fullBy: f.fullBy,
  });
}

/**
 * The capacity fields of a resource entry: only in scopes that measure capacity, only for subnets
 * that were measured, and the blockers only below the scope's free-prefix level, where someone has
 * to decide what to drain.
 */
export function capacityFields(
  r: ResourceCidr,
  scope: Pick<ScopeResult, "capacity" | "thresholds"> | undefined,
): Pick<TroubleJson, "freePrefixes" | "assignableAddresses" | "largestFreeBlock" | "blockers"> {
  const c = r.capacity;
  if (scope?.capacity !== true || c === undefined) return {};
  const fields: Pick<TroubleJson, "freePrefixes" | "assignableAddresses" | "largestFreeBlock" | "blockers"> = {
    freePrefixes: c.freePrefixes,
    assignableAddresses: c.assignableAddresses,
  };
  if (c.largestFreeBlock !== undefined) fields.largestFreeBlock = c.largestFreeBlock;
  const level = scope.thresholds.minFreePrefixesWarning ?? scope.thresholds.minFreePrefixesCritical;
  if (level !== undefined && c.freePrefixes < level) fields.blockers = c.blockers.map((b) => ({ ...b }));
  return fields;
}

function zoneEntry(z: ZoneSummary): ZoneJson {
  return defined<ZoneJson>({
    availabilityZoneId: z.availabilityZoneId,
    availabilityZone: z.availabilityZone,
    resourceCount: z.resourceCount,
    freeAddresses: jsonCount(z.freeAddresses),
    unknownFree: z.unknownFree > 0 ? z.unknownFree : undefined,
    freePrefixes: z.freePrefixes,
    status: z.status,
    reason: z.reason,
  });
}

function troubleEntry(e: ResourceEvaluation, scope?: ScopeResult): TroubleJson {
  const r = e.resource;
  return defined<TroubleJson>({
    scope: e.scope,
    resourceId: r.resourceId,
    resourceType: r.resourceType,
    name: r.name,
    ownerId: r.ownerId,
    region: r.region,
    vpcId: r.vpcId,
    cidr: r.cidr,
    status: e.status as TroubleJson["status"],
    utilization: finiteUtilization(r),
    used: r.used !== undefined ? jsonCount(r.used) : undefined,
    free: r.free !== undefined ? jsonCount(r.free) : undefined,
    usable: jsonCount(r.usable),
    size: jsonCount(r.size),
    room: r.room !== undefined ? roomEntry(r.room) : undefined,
    ...capacityFields(r, scope),
    ...forecastFields(r),
    daysToCritical: daysToCritical(r, scope?.thresholds ?? {}),
    reason: e.reason,
    heldSince: e.held?.since,
  });
}

function noLongerMeasured(changes: StateChanges | undefined): NoLongerMeasuredJson[] | undefined {
  if (changes === undefined) return undefined;
  const entries: NoLongerMeasuredJson[] = [];
  for (const scope of changes.scopes) {
    for (const c of scope.noLongerMeasured) {
      entries.push(
        defined<NoLongerMeasuredJson>({
          scope: scope.scope,
          resourceId: c.resourceId,
          lastStatus: c.to as NoLongerMeasuredJson["lastStatus"],
          lastUtilization: c.utilization,
          lastFree: c.free !== undefined ? jsonCount(c.free) : undefined,
          since: c.heldSince ?? "",
        }),
      );
    }
  }
  return entries;
}

/** Resources with a forecast date, soonest first (then by id and CIDR), with the scopes each is in. */
function fillingUp(evaluation: Evaluation): { resource: ResourceCidr; scopes: string[] }[] {
  const scopesOf = new Map<ResourceCidr, string[]>();
  for (const scope of evaluation.scopes) {
    for (const e of scope.evaluations) {
      if (e.resource.forecast?.daysToFull === undefined) continue;
      const names = scopesOf.get(e.resource);
      if (names === undefined) scopesOf.set(e.resource, [scope.name]);
      else names.push(scope.name);
    }
  }
  for (const r of evaluation.uncovered) if (r.forecast?.daysToFull !== undefined) scopesOf.set(r, []);
  return [...scopesOf]
    .map(([resource, scopes]) => ({ resource, scopes }))
    .sort(
      (a, b) =>
        a.resource.forecast!.daysToFull! - b.resource.forecast!.daysToFull! ||
        (a.resource.resourceId < b.resource.resourceId ? -1 : a.resource.resourceId > b.resource.resourceId ? 1 : 0) ||
        (a.resource.cidr < b.resource.cidr ? -1 : a.resource.cidr > b.resource.cidr ? 1 : 0),
    );
}

function fillingUpEntry({ resource: r, scopes }: { resource: ResourceCidr; scopes: string[] }): FillingUpJson {
  return defined<FillingUpJson>({
    resourceId: r.resourceId,
    resourceType: r.resourceType,
    name: r.name,
    ownerId: r.ownerId,
    region: r.region,
    cidr: r.cidr,
    scopes,
    free: r.free !== undefined ? jsonCount(r.free) : undefined,
    usable: jsonCount(r.usable),
    ...forecastFields(r),
  });
}

/** A VPC CIDR block of the EC2 source, measured with the room it has left. */
type BlockWithRoom = ResourceCidr & { room: RoomForSubnets };

/** The smallest subnet of each family: room is measured in how many of them the largest free block holds. */
const SMALLEST_SUBNET_PREFIX = { ipv4: 28, ipv6: 64 } as const;

/**
 * Log2 of how many smallest subnets the largest free block holds: 0 for a free /28 (IPv4) or /64
 * (IPv6), 4 for a free /24 or /60. Comparable across families, unlike the prefix length itself.
 * A full block holds none.
 */
function headroom(r: BlockWithRoom): number {
  const prefix = r.room.largestFreePrefix;
  return prefix === undefined ? -Infinity : SMALLEST_SUBNET_PREFIX[r.addressFamily] - prefix;
}

function ascending(a: number | undefined, b: number | undefined): number {
  return (a ?? 0) - (b ?? 0);
}

/**
 * Tightest first: full blocks, then the smallest largest-free-block, then (IPv4 before IPv6 at the
 * same headroom) the fewest free /24, /28 and /64, then the most used, then by id and CIDR so the
 * order is stable across runs.
 */
function compareRoom(a: BlockWithRoom, b: BlockWithRoom): number {
  const ha = headroom(a);
  const hb = headroom(b);
  if (ha !== hb) return ha < hb ? -1 : 1;
  if (a.addressFamily !== b.addressFamily) return a.addressFamily === "ipv4" ? -1 : 1;
  const byCounts =
    ascending(a.room.freeSlash24, b.room.freeSlash24) ||
    ascending(a.room.freeSlash28, b.room.freeSlash28) ||
    ascending(a.room.freeSlash64, b.room.freeSlash64);
  if (byCounts !== 0) return byCounts;
  const ua = finiteUtilization(a) ?? -1;
  const ub = finiteUtilization(b) ?? -1;
  if (ua !== ub) return ua > ub ? -1 : 1;
  if (a.resourceId !== b.resourceId) return a.resourceId < b.resourceId ? -1 : 1;
  if (a.cidr !== b.cidr) return a.cidr < b.cidr ? -1 : 1;
  return 0;
}

/** Every collected resource once: those the scopes matched and those no scope covers. */
function allResources(evaluation: Evaluation): Set<ResourceCidr> {
  const all = new Set<ResourceCidr>();
  for (const scope of evaluation.scopes) for (const e of scope.evaluations) all.add(e.resource);
  for (const r of evaluation.uncovered) all.add(r);
  return all;
}

/** Every resource with room for subnets (the EC2 source's VPC blocks), covered by a scope or not, tightest first. */
function blocksWithRoom(evaluation: Evaluation): BlockWithRoom[] {
  const blocks: BlockWithRoom[] = [];
  for (const r of allResources(evaluation)) if (r.room !== undefined) blocks.push(r as BlockWithRoom);
  return blocks.sort(compareRoom);
}

function roomForSubnetsEntry(r: BlockWithRoom): RoomForSubnetsJson {
  return defined<RoomForSubnetsJson>({
    resourceId: r.resourceId,
    name: r.name,
    ownerId: r.ownerId,
    region: r.region,
    cidr: r.cidr,
    utilization: finiteUtilization(r),
    ...roomEntry(r.room),
  });
}

function uncoveredEntry(r: ResourceCidr): UncoveredJson {
  return defined<UncoveredJson>({
    resourceId: r.resourceId,
    resourceType: r.resourceType,
    cidr: r.cidr,
    ownerId: r.ownerId,
    region: r.region,
  });
}

function worstCounts(evaluation: Evaluation): { resources: number; counts: Record<Status, number> } {
  const worst = new Map<ResourceCidr, Status>();
  for (const scope of evaluation.scopes) {
    for (const e of scope.evaluations) {
      const seen = worst.get(e.resource);
      if (seen === undefined || STATUS_RANK[e.status] < STATUS_RANK[seen]) worst.set(e.resource, e.status);
    }
  }
  const counts = zeroCounts();
  for (const status of worst.values()) counts[status]++;
  // Uncovered resources are not evaluated by any scope: they are not counted as ok.
  return { resources: worst.size + evaluation.uncovered.length, counts };
}

/** Fewer bytes than the smallest possible resourcesInTrouble entry with its required fields. */
const MIN_ENTRY_BYTES = 64;

type ListKey = keyof TruncatedJson;
/**
 * Left out first to last when the result is too large: least useful first. The complete units go first
 * (they only confirm what `complete` says; the incomplete ones sort first and go last). Filling-up resources
 * in trouble are also in resourcesInTrouble with their forecast, and the rest are for planning. Resources no longer
 * measured are also in resourcesInTrouble, at their held level, so their own list goes before it. Room for subnets goes
 * before the resources in trouble: it is for planning, the resources in trouble are what the alarms
 * are about, and a VPC block in trouble carries its own `room` there.
 */
const DROP_ORDER: ListKey[] = [
  "units",
  "fillingUp",
  "roomForSubnets",
  "noLongerMeasured",
  "resourcesInTrouble",
  "uncoveredSample",
  "errors",
  "scopesWithoutMatches",
  "scopes",
];

/** Drops tail entries of the lists, in DROP_ORDER, until the serialized result fits in maxBytes. */
function bound(result: ScanResultJson, maxBytes: number): ScanResultJson {
  // Without a bound (the command line) nothing is left out: measuring the text would only cost memory.
  if (maxBytes === Number.POSITIVE_INFINITY) return result;
  let size = utf8Bytes(JSON.stringify(result));
  for (const key of DROP_ORDER) {
    const list = result[key] as unknown[] | undefined;
    if (list === undefined) continue;
    while (size > maxBytes && list.length > 0) {
      // Remove enough tail entries to cover the excess in one step; a little extra covers the
      // digits the truncated counter gains.
      let need = size - maxBytes + 16;
      let removed = 0;
      while (need > 0 && removed < list.length) {
        need -= utf8Bytes(JSON.stringify(list[list.length - 1 - removed])) + 1;
        removed++;
      }
      list.length -= removed;
      result.truncated[key] = (result.truncated[key] ?? 0) + removed;
      size = utf8Bytes(JSON.stringify(result));
    }
  }
  return result;
}

/** The JSON result of one scan, bounded to `maxBytes` (default 256 KiB) when serialized. */
export function buildResult(input: BuildResultInput): ScanResultJson {
  const { evaluation } = input;
  const maxBytes = input.maxBytes ?? DEFAULT_MAX_RESULT_BYTES;
  const trouble: ResourceEvaluation[] = [];
  for (const scope of evaluation.scopes) {
    for (const e of scope.evaluations) {
      if (e.status === "ok") break; // evaluations are worst first
      trouble.push(e);
    }
  }
  const filling = fillingUp(evaluation);
  const fillingLimit = input.fillingUpLimit ?? FILLING_UP_LIMIT;
  // Stable sort: ties keep the order of the scopes in the rules file.
  trouble.sort(compareEvaluations);
  const { resources, counts } = worstCounts(evaluation);
  const scopesByName = new Map(evaluation.scopes.map((s) => [s.name, s]));
  const room = blocksWithRoom(evaluation);
  const complete = input.complete ?? input.failures.length === 0;

  const result: ScanResultJson = defined<ScanResultJson>({
    schemaVersion: RESULT_SCHEMA_VERSION,
    scannedAt: input.scannedAt.toISOString(),
    source: input.source,
    complete,
    dryRun: input.dryRun,
    durationMs: input.durationMs,
    summary: {
      resources,
      scopes: evaluation.scopes.length,
      counts,
      resourcesInTrouble: trouble.length,
      scopesWithoutMatches: evaluation.scopesWithoutMatches.length,
      uncovered: evaluation.uncovered.length,
    },
    scopes: evaluation.scopes.map((s) =>
      defined<ScopeJson>({
        name: s.name,
        description: s.description,
        status: s.status,
        resourceCount: s.resourceCount,
        counts: { ...s.counts },
        maxUtilization: s.maxUtilization,
        minFreeAddresses: s.minFree !== undefined ? jsonCount(s.minFree) : undefined,
        minDaysToFull: s.minDaysToFull,
        growthPerDay: round1(s.growthPerDay),
        thresholds: defined({ ...s.thresholds }),
        resourceMetrics: s.resourceMetrics,
        capacity: s.capacity === true ? true : undefined,
        minFreePrefixes: s.minFreePrefixes,
        minAssignableAddresses: s.minAssignable,
        zones: s.zones?.map(zoneEntry),
        minZoneFreeAddresses: s.minZoneFree !== undefined ? jsonCount(s.minZoneFree) : undefined,
        complete: isScopeComplete(s.name, { complete, incompleteScopes: input.incompleteScopes }),
      }),
    ),
    // No entry serializes to fewer than MIN_ENTRY_BYTES, so entries past maxBytes / MIN_ENTRY_BYTES can
    // never fit: leave them out before building them (100,000 resources in trouble stay cheap).
    resourcesInTrouble: trouble
      .slice(0, Math.floor(maxBytes / MIN_ENTRY_BYTES))
      .map((e) => troubleEntry(e, scopesByName.get(e.scope))),
    roomForSubnets: room.slice(0, ROOM_FOR_SUBNETS_LIMIT).map(roomForSubnetsEntry),
    fillingUp: filling.slice(0, Math.min(fillingLimit, Math.floor(maxBytes / MIN_ENTRY_BYTES))).map(fillingUpEntry),
    history: input.history !== undefined ? defined({ ...input.history }) : undefined,
    scopesWithoutMatches: [...evaluation.scopesWithoutMatches],
    uncoveredCount: evaluation.uncovered.length,
    uncoveredSample: evaluation.uncovered.slice(0, UNCOVERED_SAMPLE_SIZE).map(uncoveredEntry),
    errors: input.failures.map((f) => defined({ ...f })),
    // Incomplete units first: with thousands of account-regions, the ones that failed are what the list is for.
    noLongerMeasured: noLongerMeasured(input.changes),
    units: input.units
      ?.map((u) => ({ key: u.unit.key, resources: u.resources, pages: u.pages, complete: u.complete }))
      .sort((a, b) => Number(a.complete) - Number(b.complete) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
    published: input.published !== undefined ? { ...input.published } : undefined,
    notification: input.notification !== undefined ? defined({ ...input.notification }) : undefined,
    truncated: {
      units: 0,
      fillingUp: 0,
      roomForSubnets: 0,
      noLongerMeasured: 0,
      resourcesInTrouble: 0,
      uncoveredSample: 0,
      errors: 0,
      scopesWithoutMatches: 0,
      scopes: 0,
    },
  });
  result.truncated.resourcesInTrouble = trouble.length - result.resourcesInTrouble.length;
  result.truncated.roomForSubnets = room.length - result.roomForSubnets.length;
  result.truncated.fillingUp = filling.length - (result.fillingUp?.length ?? 0);
  return bound(result, maxBytes);
}
