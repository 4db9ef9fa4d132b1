/**
 * Time to full for one resource from its daily usage: growth per day by Theil–Sen, the level it
 * has reached now, and the days until the usable addresses run out. Pure.
 *
 * What it will not say: a date from too little history, a date for usage that is not growing
 * (flat, shrinking, or a slope whose 90% interval includes zero), or a date beyond the horizon
 * ("full in 40,000 days" is noise, not a plan).
 */
import { levelAt, theilSen } from "./theil-sen";

export interface ForecastSettings {
  /** Days of history read, today included. */
  windowDays: number;
  /** Daily points a forecast needs. */
  minPoints: number;
  /** Days the points must span, first to last. */
  minSpanDays: number;
  /** No date is given beyond this many days. */
  horizonDays: number;
}

export const DEFAULT_FORECAST_SETTINGS: Readonly<ForecastSettings> = Object.freeze({
  windowDays: 30,
  minPoints: 7,
  minSpanDays: 6,
  horizonDays: 365,
});

/**
 * growing: a real upward trend (with a date when it fills within the horizon); flat: no trend
 * either way; shrinking: a real downward trend; full: no address left now; not-enough-history:
 * fewer points, or a shorter span, than the settings ask.
 */
export type Trend = "growing" | "flat" | "shrinking" | "full" | "not-enough-history";

export interface ResourceForecast {
  trend: Trend;
  /** Daily points the forecast used, and the days they span. */
  points: number;
  spanDays: number;
  /** Addresses per day (negative when shrinking), unrounded; absent with not enough history. */
  growthPerDay?: number;
  /** Days until no usable address is left: 0 when full now; absent when not growing or beyond the horizon. */
  daysToFull?: number;
  /** The UTC date daysToFull lands on (YYYY-MM-DD). */
  fullBy?: string;
  /** Addresses in use now according to the trend (robust to a burst today); absent with not enough history. */
  level?: number;
}

/** One resource's daily points: x in days since the Unix epoch (fractional), y addresses in use. */
export interface Series {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  n: number;
}

const DAY_MS = 86_400_000;

/** Days since the epoch, fractional: the x of a point taken at `time`. */
export function epochDays(time: Date | number): number {
  return (typeof time === "number" ? time : time.getTime()) / DAY_MS;
}

/** The UTC date `days` days after `from`, as YYYY-MM-DD. */
export function dateAfter(from: Date, days: number): string {
  return new Date(from.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** Rounded for people and JSON: one decimal. Exact values add nothing to a forecast. */
function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The forecast of one resource at `now`. `usable` is what it can hold, `used` what the current scan
 * measured (undefined when unknown); the series holds the daily points, the current one included.
 */
export function forecastResource(
  series: Series,
  usable: number,
  used: number | undefined,
  now: Date,
  settings: ForecastSettings = DEFAULT_FORECAST_SETTINGS,
): ResourceForecast {
  const { x, y, n } = series;
  const spanDays = n > 1 ? round1(x[n - 1]! - x[0]!) : 0;
  const fullNow = used !== undefined && used >= usable;
  const enough = n >= settings.minPoints && spanDays >= settings.minSpanDays;
  const fit = enough ? theilSen(x, y, n) : undefined;

  if (fit === undefined) {
    if (fullNow) return { trend: "full", points: n, spanDays, daysToFull: 0, fullBy: dateAfter(now, 0) };
    return { trend: "not-enough-history", points: n, spanDays };
  }

  const at = epochDays(now);
  const level = levelAt(x, y, n, fit.slope, at);
  const base = { points: n, spanDays, growthPerDay: fit.slope, level };
  if (fullNow) return { trend: "full", ...base, daysToFull: 0, fullBy: dateAfter(now, 0) };
  if (fit.lower <= 0) return { trend: fit.upper < 0 ? "shrinking" : "flat", ...base };

  // The trend's level is robust to a burst today; when a burst has taken it past what is free, the
  // resource is still not full (fullNow is false), so count from what the scan measured instead.
  let days = (usable - level) / fit.slope;
  if (!(days > 0) && used !== undefined) days = (usable - used) / fit.slope;
  days = Math.max(days, 0);
  if (days > settings.horizonDays) return { trend: "growing", ...base };
  return { trend: "growing", ...base, daysToFull: round1(days), fullBy: dateAfter(now, days) };
}

/**
 * Days until a resource growing as forecast has `targetUsed` addresses in use (a critical
 * threshold, say): 0 when it is there already; undefined when it is not growing towards it.
 */
export function daysToReach(forecast: ResourceForecast, targetUsed: number): number | undefined {
  const { level, growthPerDay } = forecast;
  if (level === undefined || growthPerDay === undefined) return undefined;
  if (level >= targetUsed) return 0;
  if (forecast.trend !== "growing" || growthPerDay <= 0) return undefined;
  return round1((targetUsed - level) / growthPerDay);
}
