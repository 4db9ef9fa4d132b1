/**
 * The SNS notification: a subject that fits SNS's rules and a plain-text body that reads well in
 * email and chat. What changed comes first, then every scope worst first with the resources in
 * trouble, then scopes without matches and scan failures. Bounded to SNS's 256 KB.
 */
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { ZONE_KEY_PREFIX } from "../capacity/zones";
import { AwsCallError } from "../errors";
import { formatPercent } from "../evaluate";
import type { ResourceForecast } from "../forecast/forecast";
import { describeDays } from "../forecast/levels";
import { truncateUtf8, utf8Bytes } from "../json";
import { capacityFields } from "../result";
import { BEST_STATUS, STATUS_RANK, worseStatus } from "../status";
import { flattenControlCharacters } from "../text";
import {
  type Evaluation,
  type ResourceEvaluation,
  type RoomForSubnets,
  type ScanFailure,
  type ScopeResult,
  type SourceName,
  STATUSES,
  type Status,
  type Thresholds,
  type ZoneSummary,
} from "../types";
import { topicSite } from "./sites";
import type { ResourceChange, ScopeChanges, StateChanges } from "./state-diff";

export interface NotificationOptions {
  scannedAt: Date;
  source: SourceName;
  complete: boolean;
  /** After a partial scan, the scopes that could hold what failed; the others saw everything they cover. */
  incompleteScopes?: ReadonlySet<string>;
  failures: ScanFailure[];
  /** Message limit in UTF-8 bytes. */
  maxBytes?: number;
}

/** " in 2 of 7 scopes (all-subnets, eu-west-1)" when some scopes saw everything they cover; "" when all are partial. */
function partialScopes(evaluation: Evaluation, incomplete: ReadonlySet<string> | undefined): string {
  if (incomplete === undefined || incomplete.size >= evaluation.scopes.length) return "";
  const names = evaluation.scopes.map((s) => s.name).filter((name) => incomplete.has(name));
  return ` in ${names.length} of ${evaluation.scopes.length} scopes (${names.join(", ")}); the others are complete`;
}

export interface Notification {
  subject: string;
  message: string;
}

/** SNS takes 262,144 bytes per publish; the headroom leaves room for the subject and anything else counted with the message. */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 - 8 * 1024;
/** SNS subjects must be shorter than 100 characters. */
const MAX_SUBJECT_LENGTH = 99;
/** One very long description or tag value must not take the room of hundreds of resources. */
const MAX_LINE_LENGTH = 2000;
const SUBJECT_PREFIX = "IPAM monitor: ";

/** Scope names, descriptions and tag values can hold anything; a message line holds no control characters. */
function oneLine(text: string): string {
  const flat = flattenControlCharacters(text);
  return flat.length > MAX_LINE_LENGTH ? `${flat.slice(0, MAX_LINE_LENGTH)}...` : flat;
}

/**
 * SNS rejects subjects with line breaks or control characters, and email clients mangle
 * non-ASCII subjects sent without encoding, so the subject is kept to printable ASCII.
 */
export function sanitizeSubject(text: string): string {
  const ascii = text
    .replace(/[\r\n\t]+/g, " ")
    .replace(/[^\x20-\x7e]/g, "?")
    .replace(/ {2,}/g, " ")
    .trim();
  return ascii.length > MAX_SUBJECT_LENGTH ? ascii.slice(0, MAX_SUBJECT_LENGTH) : ascii;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function worstStatus(evaluation: Evaluation): Status {
  return evaluation.scopes.reduce((worst: Status, s) => worseStatus(worst, s.status), BEST_STATUS);
}

/** One list of the "WHAT CHANGED" part: its title and the changes it holds, one row per scope and resource. */
interface ChangeSection {
  title: string;
  rows: Array<{ scope: string; change: ResourceChange }>;
}

/**
 * The changes as the message lists them. The subject, the body's headings and the result's reason
 * all count these rows with these titles, so they always say the same thing in the same words.
 */
export function changeSections(changes: StateChanges): ChangeSection[] {
  const section = (title: string, pick: (s: ScopeChanges) => ResourceChange[]): ChangeSection => {
    const rows: ChangeSection["rows"] = [];
    for (const s of changes.scopes) for (const change of pick(s)) rows.push({ scope: s.scope, change });
    return { title, rows };
  };
  return [
    section(changes.firstRun ? "In trouble" : "New or worse", (s) => [...s.newInTrouble, ...s.worsened]),
    section("No longer measured", (s) => s.noLongerMeasured),
    section("Improved", (s) => s.improved),
    section("Recovered", (s) => s.recovered),
    section("Still not measured", (s) => s.holdExpired),
  ].filter((s) => s.rows.length > 0);
}

/** "2 new or worse, 1 recovered": the sections' counts, in the body's words. */
export function describeChanges(changes: StateChanges): string {
  const parts = changeSections(changes).map((s) => `${s.rows.length} ${s.title.toLowerCase()}`);
  const recoveredScopes = changes.scopes.filter((s) => s.recoveredEntirely).length;
  if (parts.length === 0 && recoveredScopes > 0) parts.push(`${plural(recoveredScopes, "scope")} recovered`);
  return parts.join(", ");
}

/**
 * E.g. "IPAM monitor: CRITICAL in 2 scopes (3 new or worse, 1 recovered)" — the worst status, the
 * scope at it (or how many), and what changed, counted and worded as the body's sections are.
 */
export function formatSubject(changes: StateChanges, evaluation: Evaluation, complete: boolean): string {
  const worst = worstStatus(evaluation);
  const counts = describeChanges(changes);
  const partial = complete ? "" : " - partial scan";

  if (worst === "ok") {
    const text = complete ? `${SUBJECT_PREFIX}all scopes recovered` : `${SUBJECT_PREFIX}${counts}${partial}`;
    return sanitizeSubject(text);
  }

  const atWorst = evaluation.scopes.filter((s) => s.status === worst);
  const tail = counts !== "" ? ` (${counts})` : "";
  const head = `${SUBJECT_PREFIX}${worst.toUpperCase()} in `;

  let subject: string;
  const only = atWorst.length === 1 ? atWorst[0] : undefined;
  if (only !== undefined) {
    // Name the scope, shortened to what the limit leaves once the counts are in.
    const name = sanitizeSubject(only.name);
    const room = MAX_SUBJECT_LENGTH - head.length - tail.length;
    const shown = name.length <= room ? name : room >= 8 ? `${name.slice(0, room - 3)}...` : undefined;
    subject = shown !== undefined ? `${head}${shown}${tail}` : `${head}1 scope${tail}`;
  } else {
    subject = `${head}${plural(atWorst.length, "scope")}${tail}`;
  }
  if (subject.length + partial.length <= MAX_SUBJECT_LENGTH) subject += partial;
  return sanitizeSubject(subject);
}

// ---------------------------------------------------------------------------------------------
// Body

interface Line {
  text: string;
  /** Lines of a group (one resource each) may be left out, tail first, when the message is too long. */
  group?: number;
}

/** Upper case and padded to the longest ("CRITICAL") so the lines of a list align. */
function label(status: Status): string {
  return status.toUpperCase().padEnd(8);
}

function describeThresholds(t: Thresholds): string {
  const parts: string[] = [];
  if (t.warning !== undefined) parts.push(`warning at ${t.warning}% used`);
  if (t.critical !== undefined) parts.push(`critical at ${t.critical}% used`);
  if (t.minFreeWarning !== undefined) parts.push(`warning below ${t.minFreeWarning} free`);
  if (t.minFreeCritical !== undefined) parts.push(`critical below ${t.minFreeCritical} free`);
  if (t.minUtilizationWarning !== undefined) parts.push(`warning below ${t.minUtilizationWarning}% used`);
  if (t.minUtilizationCritical !== undefined) parts.push(`critical below ${t.minUtilizationCritical}% used`);
  if (t.minFreePrefixesWarning !== undefined) parts.push(`warning below ${t.minFreePrefixesWarning} free /28`);
  if (t.minFreePrefixesCritical !== undefined) parts.push(`critical below ${t.minFreePrefixesCritical} free /28`);
  if (t.minAssignableWarning !== undefined) parts.push(`warning below ${t.minAssignableWarning} assignable`);
  if (t.minAssignableCritical !== undefined) parts.push(`critical below ${t.minAssignableCritical} assignable`);
  if (t.minZoneFreeWarning !== undefined) parts.push(`a zone at warning below ${t.minZoneFreeWarning} free`);
  if (t.minZoneFreeCritical !== undefined) parts.push(`a zone critical below ${t.minZoneFreeCritical} free`);
  if (t.daysToFullWarning !== undefined) parts.push(`warning when full within ${t.daysToFullWarning} days`);
  if (t.daysToFullCritical !== undefined) parts.push(`critical when full within ${t.daysToFullCritical} days`);
  return parts.length > 0 ? parts.join(", ") : "none";
}

function describeCounts(scope: ScopeResult): string {
  const parts = STATUSES.filter((s) => scope.counts[s] > 0).map((s) => `${scope.counts[s]} ${s}`);
  return `${parts.length > 0 ? `${parts.join(", ")} of ` : ""}${plural(scope.resourceCount, "resource")}`;
}

/**
 * "largest free block /25 (0 free /24, 35 free /28)": whether a new subnet still fits in a VPC
 * block, which its free address count does not say when the free space is scattered.
 */
function describeRoom(room: RoomForSubnets): string {
  const counts =
    room.freeSlash64 !== undefined
      ? `${room.freeSlash64} free /64`
      : `${room.freeSlash24} free /24, ${room.freeSlash28} free /28`;
  return room.largestFreePrefix === undefined
    ? "no room for a new subnet"
    : `largest free block /${room.largestFreePrefix} (${counts})`;
}

/** "0 free /28 prefixes (largest free block /29), 120 assignable" for a subnet of a scope that measures capacity. */
function describeCapacity(e: ResourceEvaluation, scope: ScopeResult | undefined): string | undefined {
  const c = capacityFields(e.resource, scope);
  if (c.freePrefixes === undefined) return undefined;
  const largest = c.largestFreeBlock === undefined ? "" : ` (largest free block /${c.largestFreeBlock})`;
  return `${plural(c.freePrefixes, "free /28 prefix", "free /28 prefixes")}${largest}, ${c.assignableAddresses} assignable`;
}

/** The lines under a subnet below its free-prefix level: the interfaces to drain first. */
function blockerLines(e: ResourceEvaluation, scope: ScopeResult | undefined, indent: string): string[] {
  const blockers = capacityFields(e.resource, scope).blockers;
  if (blockers === undefined || blockers.length === 0) return [];
  return [
    `${indent}Blocking /28 prefixes most (draining one frees the blocks only it holds):`,
    ...blockers.slice(0, BLOCKERS_NOTIFIED).map((b) => {
      const what = [b.interfaceType ?? b.requesterId, b.instanceId, b.description].filter(
        (p): p is string => p !== undefined && p !== "",
      );
      return oneLine(
        `${indent}  ${b.networkInterfaceId}${what.length > 0 ? ` (${what.join(", ")})` : ""}: frees ${plural(b.blocksFreed, "/28")}, in ${plural(b.blocksBlocked, "/28")}`,
      );
    }),
  ];
}

/** Interfaces named under each subnet below its free-prefix level. */
const BLOCKERS_NOTIFIED = 3;

/** "+14 a day": growth in whole addresses, or one decimal below ten a day. */
function describeGrowth(perDay: number): string {
  const rounded = Math.abs(perDay) >= 10 ? Math.round(perDay) : Math.round(perDay * 10) / 10;
  return `${rounded >= 0 ? "+" : ""}${rounded} a day`;
}

/**
 * "+14 a day: full in about 15 days, by 2026-12-14" for a resource filling up; nothing for one
 * without a forecast or not growing (its usage already says what matters).
 */
export function describeForecast(f: ResourceForecast | undefined): string | undefined {
  if (f === undefined || f.daysToFull === undefined || f.growthPerDay === undefined) return undefined;
  if (f.daysToFull === 0) return "full now";
  return `${describeGrowth(f.growthPerDay)}: ${describeDays(f.daysToFull)}, by ${f.fullBy}`;
}

/**
 * "subnet-0abc "app-a", account 111122223333, eu-west-1, 10.0.1.0/24: 91.3% used, 22 free", for
 * a VPC block of the EC2 source ", largest free block /25 (0 free /24, 35 free /28)", and with a
 * history ", +14 a day: full in about 15 days, by 2026-12-14".
 */
function describeResource(e: ResourceEvaluation, scope?: ScopeResult): string {
  const r = e.resource;
  const where = [
    r.name !== undefined && r.name !== "" ? `${r.resourceId} "${r.name}"` : r.resourceId,
    r.ownerId !== undefined ? `account ${r.ownerId}` : undefined,
    r.region,
    r.cidr,
  ].filter((p): p is string => p !== undefined && p !== "");
  const usage = [
    r.utilization !== undefined && Number.isFinite(r.utilization) ? `${formatPercent(r.utilization)} used` : undefined,
    r.free !== undefined ? `${r.free} free` : undefined,
    r.room !== undefined ? describeRoom(r.room) : undefined,
    describeCapacity(e, scope),
    describeForecast(r.forecast),
  ].filter((p): p is string => p !== undefined);
  // Without any usage the reason says so ("usage unknown: …"); no need to say it twice.
  return usage.length > 0 ? `${where.join(", ")}: ${usage.join(", ")}` : where.join(", ");
}

function zoneName(zone: ZoneSummary): string {
  return zone.availabilityZone !== undefined
    ? `${zone.availabilityZoneId} (${zone.availabilityZone})`
    : zone.availabilityZoneId;
}

function zoneRoom(zone: ZoneSummary): string {
  const free = `${zone.unknownFree > 0 ? "at least " : ""}${zone.freeAddresses} free`;
  return zone.freePrefixes === undefined ? free : `${free}, ${plural(zone.freePrefixes, "free /28", "free /28s")}`;
}

/**
 * "zone euw1-az1 (eu-west-1a): 2 subnets, 13 free - 13 free addresses < warning minimum 100; the other
 * zones: euw1-az2 (eu-west-1b) 400 free": where room is left when one zone runs out.
 */
function describeZone(scope: ScopeResult | undefined, key: string): string | undefined {
  const id = key.slice(ZONE_KEY_PREFIX.length);
  const zones = scope?.zones ?? [];
  const zone = zones.find((z) => z.availabilityZoneId === id);
  if (zone === undefined) return undefined;
  const others = zones.filter((z) => z !== zone).map((z) => `${zoneName(z)} ${zoneRoom(z)}`);
  const rest = others.length > 0 ? `; the other zones: ${others.join(", ")}` : "; the scope has no other zone";
  const head = `zone ${zoneName(zone)}: ${plural(zone.resourceCount, "subnet")}, ${zoneRoom(zone)}`;
  return zone.status === "ok" ? `${head}${rest}` : `${head} - ${zone.reason}${rest}`;
}

function byScopeAndId(
  evaluation: Evaluation,
  scopes: ReadonlySet<string>,
): Map<string, Map<string, ResourceEvaluation>> {
  const index = new Map<string, Map<string, ResourceEvaluation>>();
  for (const scope of evaluation.scopes) {
    if (!scopes.has(scope.name)) continue;
    const byId = new Map<string, ResourceEvaluation>();
    // Evaluations are worst first: the first CIDR of a resource is the one that set its status.
    for (const e of scope.evaluations) if (!byId.has(e.resource.resourceId)) byId.set(e.resource.resourceId, e);
    index.set(scope.name, byId);
  }
  return index;
}

function compareChanges(a: { change: ResourceChange }, b: { change: ResourceChange }): number {
  const byStatus = STATUS_RANK[a.change.to] - STATUS_RANK[b.change.to];
  if (byStatus !== 0) return byStatus;
  return (b.change.utilization ?? -1) - (a.change.utilization ?? -1);
}

/** "last seen critical at 96.1%" */
function lastSeen(c: ResourceChange): string {
  const at =
    c.utilization !== undefined
      ? ` at ${formatPercent(c.utilization)}`
      : c.free !== undefined
        ? ` with ${c.free} free`
        : "";
  return `last seen ${c.from ?? c.to}${at}`;
}

function changeLines(changes: StateChanges, evaluation: Evaluation, nextGroup: () => number): Line[] {
  const lines: Line[] = [];
  const index = byScopeAndId(evaluation, new Set(changes.scopes.map((s) => s.scope)));
  const scopes = new Map(evaluation.scopes.map((s) => [s.name, s]));
  const described = (
    c: ResourceChange,
    e: ResourceEvaluation | undefined,
    withReason: boolean,
    scope: ScopeResult | undefined,
  ): string => {
    if (e === undefined) return c.resourceId;
    return withReason ? `${describeResource(e, scope)} - ${e.reason}` : describeResource(e, scope);
  };

  type Describe = (c: ResourceChange, e: ResourceEvaluation | undefined, scope: ScopeResult | undefined) => string;
  const describe: Record<string, Describe> = {
    "In trouble": (c, e, scope) => described(c, e, true, scope),
    "New or worse": (c, e, scope) =>
      `${described(c, e, true, scope)}${c.from === undefined ? " (new)" : ` (was ${c.from})`}`,
    "No longer measured": (c, e, scope) =>
      `${described(c, e, false, scope)} - no longer measured (${lastSeen(c)}); kept at ${c.to} since ${c.heldSince ?? "now"}`,
    Improved: (c, e, scope) => `${described(c, e, true, scope)} (was ${c.from ?? "unknown"})`,
    Recovered: (c, e, scope) =>
      `${described(c, e, false, scope)} - ${c.noLongerFound === true ? "no longer found" : "now ok"} (was ${c.from ?? "unknown"})`,
    "Still not measured": (c, e, scope) =>
      `${described(c, e, false, scope)} - not measured since ${c.heldSince ?? "the hold began"}; now counted as unknown (${lastSeen(c)})`,
  };

  for (const { title, rows } of changeSections(changes)) {
    rows.sort(compareChanges);
    lines.push({ text: `${title} (${rows.length}):` });
    const group = nextGroup();
    for (const { scope, change } of rows) {
      const e = index.get(scope)?.get(change.resourceId);
      const zone = change.resourceId.startsWith(ZONE_KEY_PREFIX)
        ? (describeZone(scopes.get(scope), change.resourceId) ??
          `zone ${change.resourceId.slice(ZONE_KEY_PREFIX.length)}: no longer has subnets in the scope`)
        : undefined;
      // A zone is described as it is now; whether it is new or what it was is added.
      const what =
        zone === undefined
          ? describe[title]!(change, e, scopes.get(scope))
          : `${zone}${change.from === undefined ? (title === "In trouble" ? "" : " (new)") : ` (was ${change.from})`}`;
      lines.push({ text: oneLine(`  ${label(change.to)} [${scope}] ${what}`), group });
    }
  }

  const recoveredScopes = changes.scopes.filter((s) => s.recoveredEntirely);
  if (recoveredScopes.length > 0) {
    lines.push({
      text: oneLine(
        `Scopes recovered entirely (${recoveredScopes.length}): ${recoveredScopes.map((s) => `${s.scope} (was ${s.from ?? "unknown"})`).join(", ")}`,
      ),
    });
  }
  return lines;
}

function scopeLines(evaluation: Evaluation, nextGroup: () => number): Line[] {
  const lines: Line[] = [];
  const scopes = [...evaluation.scopes].sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status]);
  const healthy = scopes.filter((s) => s.status === "ok" && s.resourceCount > 0);
  for (const scope of scopes) {
    if (scope.status === "ok") continue;
    lines.push({ text: "" });
    lines.push({ text: oneLine(`[${scope.status.toUpperCase()}] ${scope.name} - ${describeCounts(scope)}`) });
    if (scope.description !== undefined && scope.description !== "")
      lines.push({ text: oneLine(`  ${scope.description}`) });
    lines.push({ text: `  Thresholds: ${describeThresholds(scope.thresholds)}` });
    const extremes = [
      scope.maxUtilization !== undefined ? `highest utilization ${formatPercent(scope.maxUtilization)}` : undefined,
      scope.minFree !== undefined ? `fewest free addresses ${scope.minFree}` : undefined,
      scope.minFreePrefixes !== undefined ? `fewest free /28 prefixes ${scope.minFreePrefixes}` : undefined,
      scope.minDaysToFull !== undefined ? `soonest ${describeDays(scope.minDaysToFull)}` : undefined,
    ].filter((p): p is string => p !== undefined);
    if (extremes.length > 0) lines.push({ text: `  In this scope: ${extremes.join(", ")}` });
    for (const zone of scope.zones ?? []) {
      if (zone.status !== "critical" && zone.status !== "warning") continue;
      const text = describeZone(scope, `${ZONE_KEY_PREFIX}${zone.availabilityZoneId}`);
      if (text !== undefined) lines.push({ text: oneLine(`  - ${label(zone.status)} ${text}`) });
    }
    const group = nextGroup();
    for (const e of scope.evaluations) {
      if (e.status === "ok") break; // worst first: the rest are ok
      lines.push({ text: oneLine(`  - ${label(e.status)} ${describeResource(e, scope)} - ${e.reason}`), group });
      for (const text of blockerLines(e, scope, "      ")) lines.push({ text, group });
    }
  }
  if (healthy.length > 0) {
    lines.push({ text: "" });
    lines.push({
      text: oneLine(`[OK] ${healthy.map((s) => `${s.name} (${plural(s.resourceCount, "resource")})`).join(", ")}`),
    });
  }
  return lines;
}

function failureLine(f: ScanFailure): string {
  const what = [f.action, f.code].filter((p): p is string => p !== undefined && p !== "").join(" ");
  return oneLine(`  - ${f.target}${what !== "" ? ` (${what})` : ""}: ${f.message}`);
}

/** Joins lines within `maxBytes`, leaving out resource lines from the tail first and saying how many. */
function fitLines(lines: Line[], maxBytes: number): string {
  const sizes = lines.map((l) => utf8Bytes(l.text) + 1);
  let total = sizes.reduce((a, b) => a + b, 0);
  if (total <= maxBytes + 1) return lines.map((l) => l.text).join("\n");

  const FOOTER_RESERVE = 200;
  const MARKER_BYTES = 40;
  const budget = maxBytes - FOOTER_RESERVE;
  const dropped = new Uint8Array(lines.length);
  const droppedInGroup = new Map<number, number>();
  let droppedResources = 0;
  for (let i = lines.length - 1; i >= 0 && total + MARKER_BYTES * droppedInGroup.size > budget; i--) {
    const group = lines[i]!.group;
    if (group === undefined) continue;
    dropped[i] = 1;
    total -= sizes[i]!;
    droppedInGroup.set(group, (droppedInGroup.get(group) ?? 0) + 1);
    droppedResources++;
  }

  const kept: string[] = [];
  const marked = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (dropped[i] === 0) {
      kept.push(line.text);
    } else if (line.group !== undefined && !marked.has(line.group)) {
      marked.add(line.group);
      kept.push(`    ... and ${droppedInGroup.get(line.group)} more`);
    }
  }

  // Only when the lines that are not resources alone are too long (thousands of scan failures).
  let used = 0;
  let cut = 0;
  const out: string[] = [];
  for (const text of kept) {
    const size = utf8Bytes(text) + 1;
    if (cut > 0 || used + size > budget) {
      cut++;
      continue;
    }
    out.push(text);
    used += size;
  }
  const leftOut = [
    droppedResources > 0 ? plural(droppedResources, "resource line") : undefined,
    cut > 0 ? plural(cut, "other line") : undefined,
  ].filter((p): p is string => p !== undefined);
  out.push("", `[Message shortened to ${maxBytes} bytes: ${leftOut.join(" and ")} left out.]`);
  return truncateUtf8(out.join("\n"), maxBytes);
}

/** Subject and body for a set of changes. Whether to send at all is the caller's decision (see hasChanges). */
export function formatNotification(
  changes: StateChanges,
  evaluation: Evaluation,
  options: NotificationOptions,
): Notification {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  let groups = 0;
  const nextGroup = (): number => groups++;
  const subject = formatSubject(changes, evaluation, options.complete);

  const lines: Line[] = [
    { text: subject },
    {
      text:
        `Scan of ${options.scannedAt.toISOString()}, source ${options.source}, ` +
        (options.complete
          ? "complete."
          : `PARTIAL: ${plural(options.failures.length, "failure")}; resources not seen keep their last notified status${partialScopes(evaluation, options.incompleteScopes)}.`),
    },
    { text: "" },
    { text: "WHAT CHANGED" },
    ...changeLines(changes, evaluation, nextGroup),
    { text: "" },
    { text: "SCOPES, WORST FIRST" },
    ...scopeLines(evaluation, nextGroup),
  ];

  if (evaluation.scopesWithoutMatches.length > 0) {
    lines.push({ text: "" });
    lines.push({
      text: oneLine(
        `SCOPES WITHOUT MATCHES (${evaluation.scopesWithoutMatches.length}): ${evaluation.scopesWithoutMatches.join(", ")}`,
      ),
    });
  }
  if (options.failures.length > 0) {
    lines.push({ text: "" });
    lines.push({ text: `SCAN FAILURES (${options.failures.length}):` });
    for (const f of options.failures) lines.push({ text: failureLine(f) });
  }

  return { subject, message: fitLines(lines, maxBytes) };
}

/**
 * Publishes to the topic. The subject is always set (falling back to a fixed one): a publish that
 * depends on an optional subject is how other monitors ended up sending nothing.
 */
export async function publishNotification(
  client: SNSClient,
  topicArn: string,
  notification: Notification,
  signal?: AbortSignal,
): Promise<{ messageId?: string }> {
  const subject = sanitizeSubject(notification.subject) || "IPAM monitor";
  const message = notification.message !== "" ? notification.message : subject;
  try {
    const out = await client.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }), {
      abortSignal: signal,
    });
    return out.MessageId !== undefined ? { messageId: out.MessageId } : {};
  } catch (err) {
    throw new AwsCallError(topicSite(topicArn), err);
  }
}
