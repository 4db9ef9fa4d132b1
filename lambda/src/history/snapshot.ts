/**
 * Snapshots: a complete scan as a day document, the fold of a scan into the day it belongs to
 * (compaction: one document per day however often the monitor runs), and the resources of a day
 * back as the scanner's own ResourceCidr objects, so that a rules file can be evaluated against
 * them without AWS. Pure.
 */
import { createHash } from "node:crypto";
import { parseCidr } from "../cidr";
import { jsonCount } from "../json";
import { STATUS_RANK } from "../status";
import type { Evaluation, ResourceCidr, RulesFile, SourceName, Status } from "../types";
import {
  appendResource,
  countOf,
  type DaySeries,
  type DaysLevel,
  dayOf,
  emptyColumns,
  HISTORY_FORMAT,
  HISTORY_FORMAT_VERSION,
  type HistoryDay,
  HistoryFormatError,
  Interner,
  latestScan,
  type ScanEntry,
  type StoredCount,
  type StoredStatus,
  seriesKey,
} from "./format";

/** A days-to-full level one resource reached in one scope. */
export interface LevelEntry {
  resource: ResourceCidr;
  scope: string;
  level: DaysLevel;
}

export interface SnapshotInput {
  resources: readonly ResourceCidr[];
  evaluation: Evaluation;
  scannedAt: Date;
  rulesHash: string;
  source: SourceName;
  levels?: readonly LevelEntry[];
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

/**
 * "sha256:…" of the rules as evaluated (defaults, scopes, forecast settings), not of the file's
 * text: comments and formatting do not change it, and the same rules from two paths hash the same.
 */
export function rulesHash(rules: RulesFile): string {
  const { file: _file, ...evaluated } = rules;
  return `sha256:${createHash("sha256")
    .update(JSON.stringify(sortedKeys(evaluated)))
    .digest("hex")}`;
}

/** A scan as a day of its own: the document `foldScan` merges into what the day already holds. */
export function snapshotOf(input: SnapshotInput): HistoryDay {
  const { resources, evaluation } = input;
  const scopesOf = new Map<ResourceCidr, string[]>();
  const worst = new Map<ResourceCidr, Status>();
  for (const scope of evaluation.scopes) {
    for (const e of scope.evaluations) {
      const names = scopesOf.get(e.resource);
      if (names === undefined) scopesOf.set(e.resource, [scope.name]);
      else names.push(scope.name);
      const seen = worst.get(e.resource);
      if (seen === undefined || STATUS_RANK[e.status] < STATUS_RANK[seen]) worst.set(e.resource, e.status);
    }
  }

  const intern = new Interner();
  const columns = emptyColumns();
  const indexOf = new Map<ResourceCidr, number>();
  for (const resource of resources) {
    indexOf.set(resource, columns.resourceId.length);
    const status: StoredStatus = worst.get(resource) ?? "uncovered";
    // A scan on its own: its usage is the day's peak until another scan of the day is folded in.
    const peak = resource.used === undefined ? null : jsonCount(resource.used);
    appendResource(columns, intern, resource, status, scopesOf.get(resource) ?? [], peak);
  }
  const levels: HistoryDay["levels"] = [];
  for (const entry of input.levels ?? []) {
    const index = indexOf.get(entry.resource);
    if (index !== undefined) levels.push([index, entry.scope, entry.level]);
  }
  const scan: ScanEntry = {
    scannedAt: input.scannedAt.toISOString(),
    rulesHash: input.rulesHash,
    source: input.source,
    resources: resources.length,
  };
  return {
    format: HISTORY_FORMAT,
    version: HISTORY_FORMAT_VERSION,
    day: dayOf(input.scannedAt),
    scans: [scan],
    strings: intern.strings,
    tagSets: intern.tagSets,
    scopeSets: intern.scopeSets,
    resources: columns,
    levels,
  };
}

function larger(a: StoredCount | null, b: StoredCount | null): StoredCount | null {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === "number" && typeof b === "number") return a >= b ? a : b;
  return BigInt(a) >= BigInt(b) ? a : b;
}

/**
 * Compaction: the day `scan` belongs to with the scan folded in. The facts (and the levels) are
 * those of whichever of the two is later, so scans folded out of order (a backfill) end up the same;
 * each resource's peak usage is the higher of the two; a scan already folded in is not counted twice.
 */
export function foldScan(existing: HistoryDay | undefined, scan: HistoryDay): HistoryDay {
  if (existing === undefined) return scan;
  if (existing.day !== scan.day) {
    throw new HistoryFormatError(`day ${existing.day}`, `cannot fold in a scan of ${scan.day}`);
  }
  const seen = new Set(existing.scans.map((s) => s.scannedAt));
  const added = scan.scans.filter((s) => !seen.has(s.scannedAt));
  if (added.length === 0) return existing;

  const scans = [...existing.scans, ...added].sort((a, b) => Date.parse(a.scannedAt) - Date.parse(b.scannedAt));
  const scanIsLater = Date.parse(latestScan(scan).scannedAt) >= Date.parse(latestScan(existing).scannedAt);
  const [newer, older] = scanIsLater ? [scan, existing] : [existing, scan];

  const olderPeak = new Map<string, StoredCount | null>();
  const { resourceId, cidr, peakUsed } = older.resources;
  for (let i = 0; i < resourceId.length; i++) olderPeak.set(seriesKey(resourceId[i]!, cidr[i]!), peakUsed[i]!);

  const peaks = newer.resources.peakUsed.map((peak, i) => {
    const before = olderPeak.get(seriesKey(newer.resources.resourceId[i]!, newer.resources.cidr[i]!));
    return before === undefined ? peak : larger(peak, before);
  });
  return { ...newer, scans, resources: { ...newer.resources, peakUsed: peaks } };
}

/** The levels of the day's latest scan: series key → scope → level. */
export function levelsOf(day: DaySeries): Map<string, Map<string, DaysLevel>> {
  const levels = new Map<string, Map<string, DaysLevel>>();
  const { resourceId, cidr } = day.resources;
  for (const [index, scope, level] of day.levels) {
    const key = seriesKey(resourceId[index]!, cidr[index]!);
    let byScope = levels.get(key);
    if (byScope === undefined) {
      byScope = new Map();
      levels.set(key, byScope);
    }
    byScope.set(scope, level);
  }
  return levels;
}

function reviveBigints(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveBigints);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (typeof record.$bigint === "string" && Object.keys(record).length === 1) return BigInt(record.$bigint);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) out[key] = reviveBigints(v);
  return out;
}

/**
 * The resources of the day's latest scan, as the collector produced them: the same fields, counts
 * and utilization, so evaluating rules against them gives what a live scan would have given then.
 */
export function resourcesOf(day: HistoryDay, where: string): ResourceCidr[] {
  const { strings, tagSets } = day;
  const source = latestScan(day).source;
  const c = day.resources;
  const text = (ref: number): string | undefined => (ref < 0 ? undefined : strings[ref]);
  const tagObjects = tagSets.map((flat) => {
    const tags: Record<string, string> = {};
    for (let k = 0; k < flat.length; k += 2) tags[strings[flat[k]!]!] = strings[flat[k + 1]!]!;
    return tags;
  });
  const resources: ResourceCidr[] = [];
  for (let i = 0; i < c.resourceId.length; i++) {
    const at = `${where}: resource ${c.resourceId[i]} ${c.cidr[i]}`;
    const resourceType = strings[c.resourceType[i]!]!;
    let family: ResourceCidr["addressFamily"];
    try {
      family = parseCidr(c.cidr[i]!).family;
    } catch (err) {
      throw new HistoryFormatError(at, `has an invalid CIDR (${(err as Error).message})`, { cause: err });
    }
    const resource: ResourceCidr = {
      source,
      resourceId: c.resourceId[i]!,
      resourceType,
      cidr: c.cidr[i]!,
      addressFamily: family,
      tags: tagObjects[c.tags[i]!]!,
      size: countOf(c.size[i]!, at),
      usable: countOf(c.usable[i]!, at),
    };
    const optional = {
      name: text(c.name[i]!),
      ownerId: text(c.ownerId[i]!),
      region: text(c.region[i]!),
      vpcId: text(c.vpcId[i]!),
      availabilityZoneId: text(c.availabilityZoneId[i]!),
    };
    for (const [key, value] of Object.entries(optional)) {
      if (value !== undefined) (resource as unknown as Record<string, unknown>)[key] = value;
    }
    const used = c.used[i];
    if (used !== null && used !== undefined) {
      resource.used = countOf(used, at);
      resource.free = resource.usable > resource.used ? resource.usable - resource.used : 0n;
    }
    const utilization = c.utilization[i];
    if (typeof utilization === "number") resource.utilization = utilization;
    const extra = c.extra[i];
    if (extra !== null && extra !== undefined) Object.assign(resource, reviveBigints(extra));
    resources.push(resource);
  }
  return resources;
}
