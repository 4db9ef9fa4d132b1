/**
 * The plain-text report `ipam-monitor scan` prints by default (and the demo shows): a header, the
 * scopes, the resources in trouble worst first, the room VPC blocks have left for new subnets (EC2
 * source), scopes that matched nothing, uncovered resources and errors. Aligned columns, no
 * colours: it reads the same in a terminal, a CI log and a file.
 */
import { formatPercent } from "../evaluate";
import type {
  FillingUpJson,
  ForecastFieldsJson,
  JsonCount,
  RoomForSubnetsJson,
  ScanResultJson,
  ScopeJson,
  TroubleJson,
  UncoveredJson,
  ZoneJson,
} from "../result";
import { flattenControlCharacters } from "../text";
import { type Blocker, type ScanFailure, STATUSES, type Status } from "../types";

type Align = "left" | "right";

interface Column<T> {
  header: string;
  align: Align;
  cell(row: T): string;
}

/** Longest cell before it is shortened; the last column (reasons, messages) is never padded or cut. */
const MAX_CELL_WIDTH = 48;
const GAP = "  ";
const NONE = "-";

/** Names, descriptions and tag values can hold line breaks; one would break every column after it. */
const clean = flattenControlCharacters;

/** Width in code points: close enough to columns on a terminal for the ids, names and numbers shown here. */
function width(text: string): number {
  return [...text].length;
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

function pad(text: string, size: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, size - width(text)));
  return align === "left" ? text + fill : fill + text;
}

/** Rows under a header, every column as wide as its widest cell; the last column is left ragged. */
export function formatColumns<T>(columns: Column<T>[], rows: readonly T[], indent = "  "): string[] {
  const last = columns.length - 1;
  const cells = rows.map((row) =>
    columns.map((column, i) => {
      const text = clean(column.cell(row));
      return i === last ? text : shorten(text, MAX_CELL_WIDTH);
    }),
  );
  const widths = columns.map((column, i) => Math.max(width(column.header), ...cells.map((row) => width(row[i]!))));
  const line = (values: string[]): string =>
    (
      indent +
      values
        .map((value, i) =>
          i === last && columns[i]!.align === "left" ? value : pad(value, widths[i]!, columns[i]!.align),
        )
        .join(GAP)
    ).trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)];
}

function percent(value: number | undefined): string {
  return value === undefined ? NONE : formatPercent(value);
}

function count(value: JsonCount | undefined): string {
  return value === undefined ? NONE : String(value);
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function statusCounts(counts: Record<Status, number>): string {
  const parts = STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(", ") : "none evaluated";
}

/** True when a partial scan left some scopes complete: only then are the partial ones marked one by one. */
function someScopesComplete(result: ScanResultJson): boolean {
  return !result.complete && result.scopes.some((s) => s.complete);
}

function headerLines(result: ScanResultJson): string[] {
  const errors = plural(result.errors.length + result.truncated.errors, "error");
  const state = result.complete
    ? "complete"
    : someScopesComplete(result)
      ? `PARTIAL (${errors}; counts of the scopes marked PARTIAL cover only what was read, the others are complete)`
      : `PARTIAL (${errors}; counts cover only what was read)`;
  const lines = [
    `IPAM monitor scan of ${result.scannedAt}, source ${result.source}: ${state}`,
    `${plural(result.summary.resources, "resource CIDR")} in ${plural(result.summary.scopes, "scope")}: ${statusCounts(result.summary.counts)}` +
      (result.summary.uncovered > 0 ? `, ${result.summary.uncovered} uncovered` : ""),
  ];
  if (result.dryRun) lines.push("Dry run: no metrics published, no notification sent.");
  return lines;
}

const SCOPE_COLUMNS: Column<ScopeJson>[] = [
  { header: "SCOPE", align: "left", cell: (s) => s.name },
  { header: "STATUS", align: "left", cell: (s) => (s.resourceCount === 0 ? "NO MATCH" : s.status.toUpperCase()) },
  { header: "RESOURCES", align: "right", cell: (s) => String(s.resourceCount) },
  { header: "CRITICAL", align: "right", cell: (s) => String(s.counts.critical) },
  { header: "WARNING", align: "right", cell: (s) => String(s.counts.warning) },
  { header: "UNKNOWN", align: "right", cell: (s) => String(s.counts.unknown) },
  { header: "MAX USED", align: "right", cell: (s) => percent(s.maxUtilization) },
  { header: "MIN FREE", align: "right", cell: (s) => count(s.minFreeAddresses) },
];

/** Only when a scope measures capacity: the fewest free /28 blocks among its subnets. */
const MIN_PREFIXES_COLUMN: Column<ScopeJson> = {
  header: "MIN /28",
  align: "right",
  cell: (s) => (s.minFreePrefixes === undefined ? NONE : String(s.minFreePrefixes)),
};

/** "25 days", "0.5 days", "now": the days of a forecast, one decimal below ten. */
function days(value: number | undefined): string {
  if (value === undefined) return NONE;
  if (value === 0) return "now";
  return `${value < 10 ? value : Math.floor(value)} day${value === 1 ? "" : "s"}`;
}

/** "+14.2" addresses a day, or the trend when there is no growth to show. */
function growth(f: ForecastFieldsJson): string {
  if (f.growthPerDay === undefined) return f.trend === "not-enough-history" ? "too new" : NONE;
  return `${f.growthPerDay > 0 ? "+" : ""}${f.growthPerDay}`;
}

/** "25 days (2026-12-26)"; for a resource with a forecast but no date, why there is none. */
function fullIn(f: ForecastFieldsJson): string {
  if (f.daysToFull !== undefined) return f.daysToFull === 0 ? "now" : `${days(f.daysToFull)} (${f.fullBy})`;
  if (f.trend === "growing") return "not within horizon";
  return f.trend === undefined || f.trend === "not-enough-history" ? NONE : "never";
}

const DAYS_TO_FULL_COLUMN: Column<ScopeJson> = {
  header: "FULL IN",
  align: "right",
  cell: (s) => days(s.minDaysToFull),
};

function scopeLines(result: ScanResultJson): string[] {
  const lines = ["", `SCOPES (${result.summary.scopes})`];
  const withExtras = [
    ...SCOPE_COLUMNS,
    ...(result.scopes.some((s) => s.capacity === true) ? [MIN_PREFIXES_COLUMN] : []),
    // A forecast column only when a history gave some scope a date.
    ...(result.scopes.some((s) => s.minDaysToFull !== undefined) ? [DAYS_TO_FULL_COLUMN] : []),
  ];
  const columns = someScopesComplete(result)
    ? withExtras.map((c) =>
        c.header === "STATUS"
          ? { ...c, cell: (s: ScopeJson) => (s.complete ? c.cell(s) : `${c.cell(s)}, PARTIAL`) }
          : c,
      )
    : withExtras;
  if (result.scopes.length > 0) lines.push(...formatColumns(columns, result.scopes));
  if (result.truncated.scopes > 0)
    lines.push(`  … and ${result.truncated.scopes} more left out of the result to keep it within its size limit`);
  return lines;
}

const TROUBLE_COLUMNS: Column<TroubleJson>[] = [
  { header: "SCOPE", align: "left", cell: (t) => t.scope },
  { header: "STATUS", align: "left", cell: (t) => t.status.toUpperCase() },
  { header: "RESOURCE", align: "left", cell: (t) => t.resourceId },
  { header: "NAME", align: "left", cell: (t) => t.name ?? NONE },
  { header: "ACCOUNT", align: "left", cell: (t) => t.ownerId ?? NONE },
  { header: "REGION", align: "left", cell: (t) => t.region ?? NONE },
  { header: "CIDR", align: "left", cell: (t) => t.cidr },
  { header: "USED", align: "right", cell: (t) => percent(t.utilization) },
  { header: "FREE", align: "right", cell: (t) => count(t.free) },
  { header: "REASON", align: "left", cell: (t) => t.reason },
];

/** Shown before the reason when a scope measures capacity: what prefix delegation and automatic assignment can still get. */
const CAPACITY_COLUMNS: Column<TroubleJson>[] = [
  { header: "FREE /28", align: "right", cell: (t) => (t.freePrefixes === undefined ? NONE : String(t.freePrefixes)) },
  {
    header: "ASSIGNABLE",
    align: "right",
    cell: (t) => (t.assignableAddresses === undefined ? NONE : String(t.assignableAddresses)),
  },
];

/** Growth and time to full, before the reason, when any row has a forecast. */
const FORECAST_COLUMNS: Column<TroubleJson>[] = [
  { header: "GROWTH/DAY", align: "right", cell: growth },
  { header: "FULL IN", align: "right", cell: fullIn },
];

/** The columns with `extra` inserted before the last one, the reason. */
function beforeReason<T>(columns: Column<T>[], extra: Column<T>[]): Column<T>[] {
  return [...columns.slice(0, -1), ...extra, columns[columns.length - 1]!];
}

export interface ReportOptions {
  /** List at most this many resources in trouble (and filling up); all of them when absent. */
  top?: number;
}

function troubleLines(result: ScanResultJson, options: ReportOptions): string[] {
  const leftOut = result.truncated.resourcesInTrouble;
  // Filtered (--scope, --status, --account): count what the filter lets through, and say of how many.
  const filtered = result.filter !== undefined;
  const total = filtered ? result.resourcesInTrouble.length + leftOut : result.summary.resourcesInTrouble;
  const of = filtered ? ` matching the filter, of ${result.summary.resourcesInTrouble}` : "";
  if (total === 0) return ["", `RESOURCES IN TROUBLE: none${filtered ? `${of.replace(" matching", " match")}` : ""}`];
  const rows = options.top === undefined ? result.resourcesInTrouble : result.resourcesInTrouble.slice(0, options.top);
  let columns = rows.some((t) => t.freePrefixes !== undefined)
    ? beforeReason(TROUBLE_COLUMNS, CAPACITY_COLUMNS)
    : TROUBLE_COLUMNS;
  if (rows.some((t) => t.trend !== undefined)) columns = beforeReason(columns, FORECAST_COLUMNS);
  const shown = rows.length < result.resourcesInTrouble.length ? `first ${rows.length} of ${total}` : `${total}`;
  const lines = ["", `RESOURCES IN TROUBLE (${shown}${of}, worst first)`, ...formatColumns(columns, rows)];
  const notShown = result.resourcesInTrouble.length - rows.length;
  if (notShown > 0) lines.push(`  … and ${notShown} more (--top ${options.top})`);
  if (leftOut > 0) {
    lines.push(`  … and ${leftOut} more left out of the result to keep it within its size limit`);
  }
  return lines;
}

/** Interfaces named per subnet in the table; the JSON result has up to ten. */
export const BLOCKERS_SHOWN = 3;

const BLOCKER_COLUMNS: Column<Blocker>[] = [
  { header: "INTERFACE", align: "left", cell: (b) => b.networkInterfaceId },
  { header: "FREES /28", align: "right", cell: (b) => String(b.blocksFreed) },
  { header: "IN /28", align: "right", cell: (b) => String(b.blocksBlocked) },
  { header: "TYPE", align: "left", cell: (b) => b.interfaceType ?? b.requesterId ?? NONE },
  { header: "INSTANCE", align: "left", cell: (b) => b.instanceId ?? NONE },
  { header: "DESCRIPTION", align: "left", cell: (b) => b.description ?? NONE },
];

/**
 * For each subnet below its scope's free-prefix level, the interfaces that block the most /28
 * blocks: draining one frees the blocks it alone occupies (FREES /28).
 */
function blockerLines(result: ScanResultJson): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const t of result.resourcesInTrouble) {
    if (t.blockers === undefined || seen.has(`${t.resourceId} ${t.cidr}`)) continue;
    seen.add(`${t.resourceId} ${t.cidr}`);
    const name = t.name !== undefined ? ` "${t.name}"` : "";
    const largest = t.largestFreeBlock === undefined ? "nothing free" : `largest free block /${t.largestFreeBlock}`;
    lines.push(`  ${t.resourceId}${name} ${t.cidr}: ${plural(t.freePrefixes ?? 0, "free /28")}, ${largest}`);
    if (t.blockers.length === 0) {
      lines.push("    no interface holds an address in a block that could be delegated");
      continue;
    }
    lines.push(...formatColumns(BLOCKER_COLUMNS, t.blockers.slice(0, BLOCKERS_SHOWN), "    "));
  }
  if (lines.length === 0) return [];
  return [
    "",
    `WHO BLOCKS /28 PREFIXES (top ${BLOCKERS_SHOWN} per subnet; draining an interface frees the blocks only it occupies)`,
    ...lines,
  ];
}

type ZoneRow = ZoneJson & { scope: string };

function inTrouble(status: Status): boolean {
  return status === "critical" || status === "warning";
}

const ZONE_COLUMNS: Column<ZoneRow>[] = [
  { header: "SCOPE", align: "left", cell: (z) => z.scope },
  { header: "ZONE", align: "left", cell: (z) => z.availabilityZoneId },
  { header: "NAME", align: "left", cell: (z) => z.availabilityZone ?? NONE },
  { header: "SUBNETS", align: "right", cell: (z) => String(z.resourceCount) },
  { header: "FREE", align: "right", cell: (z) => `${z.unknownFree !== undefined ? "≥" : ""}${z.freeAddresses}` },
  { header: "FREE /28", align: "right", cell: (z) => (z.freePrefixes === undefined ? NONE : String(z.freePrefixes)) },
  // Upper case marks the zones in trouble; the others are shown for the room they have.
  { header: "STATUS", align: "left", cell: (z) => (inTrouble(z.status) ? z.status.toUpperCase() : z.status) },
  { header: "REASON", align: "left", cell: (z) => (inTrouble(z.status) || z.status === "unknown" ? z.reason : "") },
];

/** Every zone of each scope with a zone in trouble, so the room of the other zones shows beside it. */
function zoneLines(result: ScanResultJson): string[] {
  const rows: ZoneRow[] = [];
  for (const scope of result.scopes) {
    const zones = scope.zones ?? [];
    if (!zones.some((z) => inTrouble(z.status))) continue;
    for (const zone of zones) rows.push({ ...zone, scope: scope.name });
  }
  if (rows.length === 0) return [];
  const troubled = rows.filter((z) => inTrouble(z.status)).length;
  return [
    "",
    `ZONES IN TROUBLE (${plural(troubled, "zone")} below a scope's minZoneFree; every zone of those scopes shown, poorest first)`,
    ...formatColumns(ZONE_COLUMNS, rows),
  ];
}

const FILLING_UP_COLUMNS: Column<FillingUpJson>[] = [
  { header: "RESOURCE", align: "left", cell: (f) => f.resourceId },
  { header: "NAME", align: "left", cell: (f) => f.name ?? NONE },
  { header: "ACCOUNT", align: "left", cell: (f) => f.ownerId ?? NONE },
  { header: "REGION", align: "left", cell: (f) => f.region ?? NONE },
  { header: "CIDR", align: "left", cell: (f) => f.cidr },
  { header: "FREE", align: "right", cell: (f) => count(f.free) },
  { header: "GROWTH/DAY", align: "right", cell: growth },
  { header: "FULL IN", align: "right", cell: fullIn },
  { header: "SCOPES", align: "left", cell: (f) => (f.scopes.length > 0 ? f.scopes.join(", ") : "(uncovered)") },
];

function fillingUpLines(result: ScanResultJson, options: ReportOptions): string[] {
  const all = result.fillingUp ?? [];
  const leftOut = result.truncated.fillingUp ?? 0;
  if (all.length === 0 && leftOut === 0) return [];
  const rows = options.top === undefined ? all : all.slice(0, options.top);
  const total = all.length + leftOut;
  const lines = [
    "",
    `FILLING UP (${plural(total, "resource CIDR")} full within the forecast horizon, soonest first)`,
    ...formatColumns(FILLING_UP_COLUMNS, rows),
  ];
  const more = total - rows.length;
  if (more > 0) lines.push(`  … and ${more} more`);
  return lines;
}

function historyLines(result: ScanResultJson): string[] {
  const h = result.history;
  if (h === undefined) return [];
  const read =
    h.daysRead === 0 ? "no stored days yet" : `${plural(h.daysRead, "day")} read (${h.firstDay} to ${h.lastDay})`;
  const written = h.recorded
    ? `scan recorded (${plural(h.scansToday ?? 1, "scan")} today)`
    : `not recorded: ${h.notRecorded}`;
  return [`History ${h.location}: ${read}; ${written}.`];
}

/** The IPv4 counts mean nothing for an IPv6 block (always 0), so it shows a dash there. */
function ipv4Count(r: RoomForSubnetsJson, value: number): string {
  return r.freeSlash64 !== undefined ? NONE : String(value);
}

const ROOM_COLUMNS: Column<RoomForSubnetsJson>[] = [
  { header: "VPC", align: "left", cell: (r) => r.resourceId },
  { header: "NAME", align: "left", cell: (r) => r.name ?? NONE },
  { header: "REGION", align: "left", cell: (r) => r.region ?? NONE },
  { header: "CIDR", align: "left", cell: (r) => r.cidr },
  { header: "USED", align: "right", cell: (r) => percent(r.utilization) },
  {
    header: "LARGEST FREE",
    align: "right",
    cell: (r) => (r.largestFreePrefix === undefined ? "full" : `/${r.largestFreePrefix}`),
  },
  { header: "FREE /24", align: "right", cell: (r) => ipv4Count(r, r.freeSlash24) },
  { header: "FREE /28", align: "right", cell: (r) => ipv4Count(r, r.freeSlash28) },
];

const FREE_SLASH_64_COLUMN: Column<RoomForSubnetsJson> = {
  header: "FREE /64",
  align: "right",
  cell: (r) => (r.freeSlash64 === undefined ? NONE : String(r.freeSlash64)),
};

function roomLines(result: ScanResultJson): string[] {
  const rows = result.roomForSubnets;
  const leftOut = result.truncated.roomForSubnets;
  if (rows.length === 0 && leftOut === 0) return [];
  // A /64 column only when an IPv6 block is listed: most networks have none.
  const columns = rows.some((r) => r.freeSlash64 !== undefined)
    ? [...ROOM_COLUMNS, FREE_SLASH_64_COLUMN]
    : ROOM_COLUMNS;
  const lines = ["", `ROOM FOR NEW SUBNETS (${plural(rows.length + leftOut, "VPC CIDR block")}, tightest first)`];
  if (rows.length > 0) lines.push(...formatColumns(columns, rows));
  if (leftOut > 0) lines.push(`  … and ${leftOut} more left out of the result to keep it within its size limit`);
  return lines;
}

function withoutMatchLines(result: ScanResultJson): string[] {
  const total = result.summary.scopesWithoutMatches;
  if (total === 0) return [];
  const lines = [
    "",
    `SCOPES WITHOUT MATCHES (${total}): usually a typo; this part of the network is unmonitored`,
    ...result.scopesWithoutMatches.map((name) => `  ${clean(name)}`),
  ];
  if (result.truncated.scopesWithoutMatches > 0) lines.push(`  … and ${result.truncated.scopesWithoutMatches} more`);
  return lines;
}

const UNCOVERED_COLUMNS: Column<UncoveredJson>[] = [
  { header: "RESOURCE", align: "left", cell: (u) => u.resourceId },
  { header: "TYPE", align: "left", cell: (u) => u.resourceType },
  { header: "ACCOUNT", align: "left", cell: (u) => u.ownerId ?? NONE },
  { header: "REGION", align: "left", cell: (u) => u.region ?? NONE },
  { header: "CIDR", align: "left", cell: (u) => u.cidr },
];

function uncoveredLines(result: ScanResultJson): string[] {
  const total = result.uncoveredCount;
  if (total === 0) return [];
  const shown = result.uncoveredSample.length;
  const lines = [
    "",
    `UNCOVERED: ${plural(total, "resource CIDR")} ${total === 1 ? "matches" : "match"} no scope and ${total === 1 ? "is" : "are"} not monitored` +
      (shown > 0 && shown < total ? ` (first ${shown} shown)` : ""),
  ];
  if (shown > 0) lines.push(...formatColumns(UNCOVERED_COLUMNS, result.uncoveredSample));
  return lines;
}

function errorLine(f: ScanFailure): string {
  const what = [f.action, f.code].filter((p): p is string => p !== undefined && p !== "").join(" ");
  return `  ${clean(f.target)}${what !== "" ? ` (${what})` : ""}: ${clean(f.message)}`;
}

function errorLines(result: ScanResultJson): string[] {
  const total = result.errors.length + result.truncated.errors;
  if (total === 0) return [];
  const lines = ["", `ERRORS (${total})`, ...result.errors.map(errorLine)];
  if (result.truncated.errors > 0) lines.push(`  … and ${result.truncated.errors} more`);
  return lines;
}

function publishedLines(result: ScanResultJson): string[] {
  const lines: string[] = [];
  if (result.published !== undefined) {
    lines.push(
      `Metrics: ${plural(result.published.datums, "datum")} published in ${plural(result.published.requests, "request")}.`,
    );
  }
  const n = result.notification;
  if (n !== undefined) {
    const subject = n.subject !== undefined && n.subject !== "" ? ` "${clean(n.subject)}"` : "";
    const reason = n.reason !== undefined && n.reason !== "" ? `: ${clean(n.reason)}` : "";
    lines.push(n.sent ? `Notification sent${subject}${reason}.` : `Notification not sent${reason}.`);
  }
  return lines.length > 0 ? ["", ...lines] : [];
}

/** The whole report, ending with a newline. */
export function formatScanReport(result: ScanResultJson, options: ReportOptions = {}): string {
  const lines = [
    ...headerLines(result),
    ...historyLines(result),
    ...scopeLines(result),
    ...troubleLines(result, options),
    ...fillingUpLines(result, options),
    ...zoneLines(result),
    ...blockerLines(result),
    ...roomLines(result),
    ...withoutMatchLines(result),
    ...uncoveredLines(result),
    ...errorLines(result),
    ...publishedLines(result),
  ];
  return `${lines.join("\n")}\n`;
}
