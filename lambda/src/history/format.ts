/**
 * The stored form of the scan history: one object per UTC day, gzip-compressed JSON Lines described
 * by schema/history.schema.json. It holds the facts of the day's latest complete scan (enough to
 * evaluate any rules file again without AWS), the day's peak usage of every resource (the point the
 * forecast reads) and the days-to-full levels reached (the memory hysteresis needs).
 *
 * Two lines. The first, the series, is what a forecast reads: the scans, each resource's id, CIDR
 * and peak usage, the levels. The second, the facts, is everything else. A forecast reads 30 days and
 * parses only first lines, a quarter of the text: at 100,000 resources a day is about 12 MB of JSON
 * (1 MB gzipped) and its first line 4 MB. Columnar, with repeated strings in one table.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { jsonCount } from "../json";
import type { ResourceCidr, SourceName } from "../types";

export const HISTORY_FORMAT = "ipam-monitor-history";
export const HISTORY_FORMAT_VERSION = 1;

/** A count as stored: a number up to 2^53 − 1, a decimal string beyond (IPv6). */
export type StoredCount = number | string;

/** Status of a resource in a scan: its worst across the scopes, or uncovered when no scope matches it. */
export type StoredStatus = "critical" | "warning" | "unknown" | "ok" | "uncovered";

export type DaysLevel = "warning" | "critical";

/** One scan folded into the day. */
export interface ScanEntry {
  scannedAt: string;
  /** sha256 of the rules the scan evaluated (see rulesHash). */
  rulesHash: string;
  source: SourceName;
  resources: number;
}

/** Index into `strings`, or -1 for absent. */
type Ref = number;

export interface ResourceColumns {
  resourceId: string[];
  cidr: string[];
  resourceType: Ref[];
  name: Ref[];
  ownerId: Ref[];
  region: Ref[];
  vpcId: Ref[];
  availabilityZoneId: Ref[];
  /** Index into `tagSets`. */
  tags: number[];
  size: StoredCount[];
  usable: StoredCount[];
  used: (StoredCount | null)[];
  utilization: (number | null)[];
  /** Highest `used` of the day's scans that saw the resource. */
  peakUsed: (StoredCount | null)[];
  status: Ref[];
  /** Index into `scopeSets`. */
  scopes: number[];
  /** Other measured facts (room for subnets, …) as JSON, BigInts as {"$bigint": "digits"}; null when none. */
  extra: (Record<string, unknown> | null)[];
}

/** The columns of the first line: what a forecast reads. */
export type SeriesColumns = Pick<ResourceColumns, "resourceId" | "cidr" | "peakUsed">;

/** A day as a forecast reads it: the first line. */
export interface DaySeries {
  format: typeof HISTORY_FORMAT;
  version: typeof HISTORY_FORMAT_VERSION;
  /** UTC date, YYYY-MM-DD. */
  day: string;
  /** Every scan folded into this day, oldest first; the last one's facts are the resources. */
  scans: ScanEntry[];
  resources: SeriesColumns;
  /** Days-to-full levels reached in the latest scan: [resource index, scope name, level]. */
  levels: [number, string, DaysLevel][];
}

/** A whole day: both lines. */
export interface HistoryDay extends DaySeries {
  strings: string[];
  /** Flattened key/value string refs: [key, value, key, value, …]. */
  tagSets: Ref[][];
  /** Scope-name string refs. */
  scopeSets: Ref[][];
  resources: ResourceColumns;
}

const SERIES_COLUMNS = ["resourceId", "cidr", "peakUsed"] as const;

export class HistoryFormatError extends Error {
  constructor(where: string, message: string, options?: { cause?: unknown }) {
    super(`${where}: ${message}`, options);
    this.name = "HistoryFormatError";
  }
}

/** How a resource is told apart across scans: a VPC with a secondary CIDR is two series. */
export function seriesKey(resourceId: string, cidr: string): string {
  return `${resourceId} ${cidr}`;
}

/** The UTC date of a time, YYYY-MM-DD: the day a scan belongs to. */
export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Builds the string table and the tag and scope set tables while columns are filled. */
export class Interner {
  readonly strings: string[] = [];
  readonly tagSets: Ref[][] = [];
  readonly scopeSets: Ref[][] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly tagSetIndex = new Map<Record<string, string> | string, number>();
  private readonly scopeSetIndex = new Map<string, number>();

  ref(value: string | undefined): Ref {
    if (value === undefined) return -1;
    let index = this.stringIndex.get(value);
    if (index === undefined) {
      index = this.strings.length;
      this.strings.push(value);
      this.stringIndex.set(value, index);
    }
    return index;
  }

  /** Tag objects are often shared by the collector; a new object with the same tags still finds its set. */
  tagSet(tags: Record<string, string>): number {
    const same = this.tagSetIndex.get(tags);
    if (same !== undefined) return same;
    const flat: Ref[] = [];
    for (const key of Object.keys(tags).sort()) flat.push(this.ref(key), this.ref(tags[key]));
    const text = flat.join(",");
    let index = this.tagSetIndex.get(text);
    if (index === undefined) {
      index = this.tagSets.length;
      this.tagSets.push(flat);
      this.tagSetIndex.set(text, index);
    }
    this.tagSetIndex.set(tags, index);
    return index;
  }

  scopeSet(names: readonly string[]): number {
    const key = names.join("\u0000");
    let index = this.scopeSetIndex.get(key);
    if (index === undefined) {
      index = this.scopeSets.length;
      this.scopeSets.push(names.map((name) => this.ref(name)));
      this.scopeSetIndex.set(key, index);
    }
    return index;
  }
}

/** Fields of ResourceCidr with a column of their own, or not kept (forecast is derived, ipam facts are not evaluated). */
const COLUMN_FIELDS: ReadonlySet<string> = new Set([
  "source",
  "resourceId",
  "resourceType",
  "name",
  "cidr",
  "addressFamily",
  "ownerId",
  "region",
  "vpcId",
  "availabilityZoneId",
  "tags",
  "size",
  "usable",
  "used",
  "free",
  "utilization",
  "ipam",
  "forecast",
]);

function bigintReplacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? { $bigint: value.toString() } : value;
}

/** The facts of a resource that have no column, as JSON; null when there are none. */
export function extraFacts(resource: ResourceCidr): Record<string, unknown> | null {
  let extra: Record<string, unknown> | null = null;
  for (const key of Object.keys(resource)) {
    if (COLUMN_FIELDS.has(key)) continue;
    const value = (resource as unknown as Record<string, unknown>)[key];
    if (value === undefined) continue;
    extra ??= {};
    extra[key] = JSON.parse(JSON.stringify(value, bigintReplacer));
  }
  return extra;
}

export function emptyColumns(): ResourceColumns {
  return {
    resourceId: [],
    cidr: [],
    resourceType: [],
    name: [],
    ownerId: [],
    region: [],
    vpcId: [],
    availabilityZoneId: [],
    tags: [],
    size: [],
    usable: [],
    used: [],
    utilization: [],
    peakUsed: [],
    status: [],
    scopes: [],
    extra: [],
  };
}

/** Appends one resource's facts to the columns. */
export function appendResource(
  columns: ResourceColumns,
  intern: Interner,
  resource: ResourceCidr,
  status: StoredStatus,
  scopes: readonly string[],
  peakUsed: StoredCount | null,
): void {
  columns.resourceId.push(resource.resourceId);
  columns.cidr.push(resource.cidr);
  columns.resourceType.push(intern.ref(resource.resourceType));
  columns.name.push(intern.ref(resource.name));
  columns.ownerId.push(intern.ref(resource.ownerId));
  columns.region.push(intern.ref(resource.region));
  columns.vpcId.push(intern.ref(resource.vpcId));
  columns.availabilityZoneId.push(intern.ref(resource.availabilityZoneId));
  columns.tags.push(intern.tagSet(resource.tags));
  columns.size.push(jsonCount(resource.size));
  columns.usable.push(jsonCount(resource.usable));
  columns.used.push(resource.used === undefined ? null : jsonCount(resource.used));
  columns.utilization.push(
    resource.utilization !== undefined && Number.isFinite(resource.utilization) ? resource.utilization : null,
  );
  columns.peakUsed.push(peakUsed);
  columns.status.push(intern.ref(status));
  columns.scopes.push(intern.scopeSet(scopes));
  columns.extra.push(extraFacts(resource));
}

/** The day as its two lines, gzip-compressed. JSON.stringify writes no line break of its own. */
export function encodeDay(day: HistoryDay): Buffer {
  const { strings, tagSets, scopeSets, resources, ...head } = day;
  const series: Record<string, unknown> = {};
  const facts: Record<string, unknown> = {};
  for (const [name, column] of Object.entries(resources)) {
    ((SERIES_COLUMNS as readonly string[]).includes(name) ? series : facts)[name] = column;
  }
  const first = JSON.stringify({ ...head, resources: series });
  const second = JSON.stringify({ strings, tagSets, scopeSets, resources: facts });
  return gzipSync(`${first}\n${second}\n`);
}

// ---------------------------------------------------------------------------------------------
// Reading

const COLUMN_NAMES = Object.keys(emptyColumns()) as (keyof ResourceColumns)[];
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkRefs(where: string, name: string, refs: unknown[], limit: number, optional: boolean): void {
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i];
    if (typeof ref !== "number" || !Number.isInteger(ref) || ref >= limit || ref < (optional ? -1 : 0)) {
      throw new HistoryFormatError(
        where,
        `resources.${name}[${i}] is ${JSON.stringify(ref)}, not an index below ${limit}`,
      );
    }
  }
}

/** The two lines of a stored day, parsed; `facts` only when asked for. */
function parseLines(bytes: Uint8Array, where: string, facts: boolean): { head: unknown; rest?: unknown } {
  let text: Buffer;
  try {
    text = gunzipSync(bytes);
  } catch (err) {
    throw new HistoryFormatError(where, `is not gzip-compressed (${(err as Error).message})`, { cause: err });
  }
  const end = text.indexOf(0x0a);
  try {
    const head: unknown = JSON.parse(text.toString("utf8", 0, end < 0 ? text.length : end));
    if (!facts) return { head };
    if (end < 0) throw new Error("the second line, the facts, is missing");
    return { head, rest: JSON.parse(text.toString("utf8", end + 1)) };
  } catch (err) {
    throw new HistoryFormatError(where, `is not two lines of JSON (${(err as Error).message})`, { cause: err });
  }
}

/** Checks the first line; returns it typed. */
function checkHead(raw: unknown, where: string): DaySeries {
  if (!isRecord(raw) || raw.format !== HISTORY_FORMAT) {
    throw new HistoryFormatError(where, `is not an ipam-monitor history document (format "${HISTORY_FORMAT}")`);
  }
  if (raw.version !== HISTORY_FORMAT_VERSION) {
    const newer = typeof raw.version === "number" && raw.version > HISTORY_FORMAT_VERSION;
    throw new HistoryFormatError(
      where,
      `has format version ${JSON.stringify(raw.version)}; this ipam-monitor reads version ${HISTORY_FORMAT_VERSION}` +
        (newer ? ": upgrade it to read history written by a newer one" : ""),
    );
  }
  if (typeof raw.day !== "string" || !DAY.test(raw.day)) throw new HistoryFormatError(where, "day is not YYYY-MM-DD");
  const { scans, resources, levels } = raw;
  if (!Array.isArray(scans) || scans.length === 0 || !scans.every(isScanEntry)) {
    throw new HistoryFormatError(
      where,
      "scans must list at least one scan with scannedAt, rulesHash, source, resources",
    );
  }
  if (!Array.isArray(levels) || !isRecord(resources)) {
    throw new HistoryFormatError(where, "levels and resources are required");
  }
  const count = Array.isArray(resources.resourceId) ? resources.resourceId.length : -1;
  for (const name of SERIES_COLUMNS) {
    const column = resources[name];
    if (!Array.isArray(column) || column.length !== count) {
      throw new HistoryFormatError(
        where,
        `resources.${name} must be an array as long as resources.resourceId (${count})`,
      );
    }
  }
  const { resourceId, cidr, peakUsed } = resources as unknown as SeriesColumns;
  for (let i = 0; i < count; i++) {
    const peak = peakUsed[i];
    if (
      typeof resourceId[i] !== "string" ||
      typeof cidr[i] !== "string" ||
      !(peak === null || typeof peak === "number" || typeof peak === "string")
    ) {
      throw new HistoryFormatError(where, `resource ${i} has no resourceId and cidr strings or a peakUsed count`);
    }
  }
  for (const level of levels) {
    if (
      !Array.isArray(level) ||
      !Number.isInteger(level[0]) ||
      level[0] < 0 ||
      level[0] >= count ||
      typeof level[1] !== "string" ||
      (level[2] !== "warning" && level[2] !== "critical")
    ) {
      throw new HistoryFormatError(where, `levels entry ${JSON.stringify(level)} is not [resource, scope, level]`);
    }
  }
  return raw as unknown as DaySeries;
}

/**
 * The first line of a stored day: what a forecast reads. `where` names the object in errors
 * ("s3://bucket/days/2026-11-26.json.gz"). The checks are structural (every column as long as the
 * others, every value of the right kind); schema/history.schema.json describes the rest.
 */
export function decodeSeries(bytes: Uint8Array, where: string): DaySeries {
  return checkHead(parseLines(bytes, where, false).head, where);
}

/** Both lines of a stored day, checked like decodeSeries and every index in range. */
export function decodeDay(bytes: Uint8Array, where: string): HistoryDay {
  const { head, rest } = parseLines(bytes, where, true);
  const series = checkHead(head, where);
  if (!isRecord(rest)) throw new HistoryFormatError(where, "the second line, the facts, is not an object");
  const { strings, tagSets, scopeSets, resources } = rest;
  if (!Array.isArray(strings) || !strings.every((s) => typeof s === "string")) {
    throw new HistoryFormatError(where, "strings must be an array of strings");
  }
  if (!Array.isArray(tagSets) || !Array.isArray(scopeSets) || !isRecord(resources)) {
    throw new HistoryFormatError(where, "tagSets, scopeSets and resources are required");
  }
  const count = series.resources.resourceId.length;
  const columns = { ...resources, ...series.resources } as unknown as ResourceColumns;
  for (const name of COLUMN_NAMES) {
    const column = columns[name];
    if (!Array.isArray(column) || column.length !== count) {
      throw new HistoryFormatError(
        where,
        `resources.${name} must be an array as long as resources.resourceId (${count})`,
      );
    }
  }
  for (const name of ["resourceType", "name", "ownerId", "region", "vpcId", "availabilityZoneId", "status"] as const) {
    checkRefs(where, name, columns[name], strings.length, name !== "resourceType" && name !== "status");
  }
  checkRefs(where, "tags", columns.tags, tagSets.length, false);
  checkRefs(where, "scopes", columns.scopes, scopeSets.length, false);
  for (const set of [...tagSets, ...scopeSets]) {
    if (!Array.isArray(set) || !set.every((r) => Number.isInteger(r) && r >= 0 && r < strings.length)) {
      throw new HistoryFormatError(where, "tagSets and scopeSets must hold indexes into strings");
    }
  }
  return {
    ...series,
    strings: strings as string[],
    tagSets: tagSets as Ref[][],
    scopeSets: scopeSets as Ref[][],
    resources: columns,
  };
}

function isScanEntry(value: unknown): value is ScanEntry {
  return (
    isRecord(value) &&
    typeof value.scannedAt === "string" &&
    !Number.isNaN(Date.parse(value.scannedAt)) &&
    typeof value.rulesHash === "string" &&
    (value.source === "ipam" || value.source === "ec2") &&
    typeof value.resources === "number"
  );
}

/** A stored count back as a BigInt; throws naming the place when it is not a whole number. */
export function countOf(value: StoredCount, where: string): bigint {
  if (typeof value === "number" ? Number.isSafeInteger(value) && value >= 0 : /^\d+$/.test(value)) return BigInt(value);
  throw new HistoryFormatError(where, `${JSON.stringify(value)} is not an address count`);
}

/** A stored count as a double, for arithmetic on trends (IPv6 counts lose digits no forecast needs). */
export function countAsNumber(value: StoredCount): number {
  return typeof value === "number" ? value : Number(value);
}

/** The latest scan folded into the day: whose facts the resources are. */
export function latestScan(day: DaySeries): ScanEntry {
  return day.scans[day.scans.length - 1]!;
}
