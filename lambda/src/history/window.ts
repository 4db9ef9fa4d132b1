/**
 * Reads the days of history a forecast needs and turns them into one daily series per resource of
 * the current scan. Days are read four at a time and decoded one at a time, each reduced to a column
 * of numbers before the next is parsed, so memory holds one day's document, not thirty.
 */
import { mapWithConcurrency } from "../concurrency";
import { DEFAULT_FORECAST_SETTINGS, epochDays, type ForecastSettings, forecastResource } from "../forecast/forecast";
import type { ResourceCidr } from "../types";
import { countAsNumber, type DaySeries, type DaysLevel, dayOf, decodeSeries, latestScan, seriesKey } from "./format";
import { levelsOf } from "./snapshot";
import type { HistoryStore, StoredObject } from "./store";

const READ_CONCURRENCY = 4;
const DAY_MS = 86_400_000;

/** What reading the history found, for the result and the log. */
export interface HistoryRead {
  location: string;
  /** Stored days read (today's included when it exists), oldest first. */
  days: string[];
  /** Scan time of the latest stored scan, when any. */
  latestScanAt?: string;
  /** Days-to-full levels of the latest stored scan: series key → scope → level. */
  previousLevels: Map<string, Map<string, DaysLevel>>;
}

/** The first and last day of the window that ends on the day of `now`. */
export function windowDays(now: Date, days: number): { from: string; to: string } {
  return { from: dayOf(new Date(now.getTime() - (days - 1) * DAY_MS)), to: dayOf(now) };
}

/** Reads the stored days of the window, returning them decoded one at a time to `visit`, oldest first. */
async function readDays(
  store: HistoryStore,
  days: string[],
  visit: (day: DaySeries) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const objects = await mapWithConcurrency(days, READ_CONCURRENCY, (day) => store.readDay(day, signal));
  for (let d = 0; d < days.length; d++) {
    const object: StoredObject | undefined = objects[d];
    // Listed but gone by now: lifecycle expiry between the listing and the read.
    if (object === undefined) continue;
    visit(decodeSeries(object.bytes, store.whereIs(days[d]!)));
    objects[d] = undefined;
  }
}

/** The points of one row that have a value, copied into outX/outY; returns how many. */
function pointsOf(
  x: Float64Array,
  used: Float64Array,
  row: number,
  width: number,
  outX: Float64Array,
  outY: Float64Array,
): number {
  let n = 0;
  for (let d = 0; d < width; d++) {
    const y = used[row * width + d]!;
    if (Number.isNaN(y)) continue;
    outX[n] = x[d]!;
    outY[n] = y;
    n++;
  }
  return n;
}

/**
 * Forecasts every resource of the current scan from the stored days of the window and the scan itself
 * (today's point is the higher of today's stored peak and what the scan measured), and sets
 * `resource.forecast`. Single addresses get none: they are in use or idle, never filling up.
 * Throws what the store throws (a ScanError naming the S3 action) or a HistoryFormatError.
 */
export async function forecastFromHistory(
  store: HistoryStore,
  resources: readonly ResourceCidr[],
  now: Date,
  settings: ForecastSettings = DEFAULT_FORECAST_SETTINGS,
  signal?: AbortSignal,
): Promise<HistoryRead> {
  const { from, to } = windowDays(now, settings.windowDays);
  const stored = await store.listDays(from, to, signal);
  const today = dayOf(now);
  // One column per stored day before today, and today's last: the scan belongs to it.
  const earlier = stored.filter((day) => day < today);
  const width = earlier.length + 1;
  const x = new Float64Array(width);
  const used = new Float64Array(resources.length * width).fill(Number.NaN);

  const rowOf = new Map<string, number>();
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    if (r.usable > 1n) rowOf.set(seriesKey(r.resourceId, r.cidr), i);
  }
  /**
   * The row of the current scan that entry k of a stored day describes. Scans list resources in
   * the same order from one day to the next, so the entry after the last one found is tried first:
   * two string comparisons instead of building a key and hashing it, 30 times 100,000 times. A
   * resource added or removed in between costs one lookup, after which the order is followed again.
   */
  let next = 0;
  const rowFor = (id: string, cidr: string): number | undefined => {
    const expected = resources[next];
    let row: number | undefined;
    if (expected !== undefined && expected.resourceId === id && expected.cidr === cidr) {
      row = expected.usable > 1n ? next : undefined;
      next++;
      return row;
    }
    row = rowOf.get(seriesKey(id, cidr));
    if (row !== undefined) next = row + 1;
    return row;
  };

  const read: HistoryRead = { location: store.location, days: [], previousLevels: new Map() };
  let latest: DaySeries | undefined;
  await readDays(
    store,
    stored,
    (day) => {
      const column = day.day === today ? width - 1 : earlier.indexOf(day.day);
      if (column < 0) return;
      read.days.push(day.day);
      latest = day;
      x[column] = epochDays(Date.parse(latestScan(day).scannedAt));
      const { resourceId, cidr, peakUsed } = day.resources;
      next = 0;
      for (let k = 0; k < resourceId.length; k++) {
        const row = rowFor(resourceId[k]!, cidr[k]!);
        const peak = peakUsed[k];
        if (row === undefined || peak === null || peak === undefined) continue;
        used[row * width + column] = countAsNumber(peak);
      }
    },
    signal,
  );
  if (latest !== undefined) {
    read.latestScanAt = latestScan(latest).scannedAt;
    read.previousLevels = levelsOf(latest);
  }

  // Today's point: the scan itself, or today's stored peak when that is higher.
  const todayColumn = width - 1;
  x[todayColumn] = Math.max(x[todayColumn]!, epochDays(now));
  const outX = new Float64Array(width);
  const outY = new Float64Array(width);
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i]!;
    if (r.usable <= 1n) continue;
    const current = r.used === undefined ? undefined : Number(r.used);
    const cell = i * width + todayColumn;
    if (current !== undefined && !(used[cell]! >= current)) used[cell] = current;
    const n = pointsOf(x, used, i, width, outX, outY);
    // Usage unknown now and never measured (an IPv6 subnet): nothing to forecast from.
    if (n === 0) continue;
    r.forecast = forecastResource({ x: outX, y: outY, n }, Number(r.usable), current, now, settings);
  }
  return read;
}
