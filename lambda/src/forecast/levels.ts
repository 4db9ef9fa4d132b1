/**
 * The days-to-full thresholds of a scope, with hysteresis. A resource enters a level when its
 * forecast days-to-full is below the threshold, and leaves it only when the forecast is at least
 * HYSTERESIS_MARGIN above it (or says it is not filling up at all). Without the margin a subnet whose
 * estimate wobbles around 30 days would alarm and recover every other hour.
 *
 * The memory is the level the resource had in the scope at the previous scan (kept in the history).
 * A forecast that cannot be made now (too little history, usage not reported) holds that level:
 * missing data never lowers an alarm.
 */
import type { DaysLevel } from "../history/format";
import { STATUS_RANK } from "../status";
import type { ResourceCidr, Thresholds } from "../types";
import { daysToReach, type ResourceForecast } from "./forecast";

/** A level is left only once the forecast is 20% above its threshold (30 days: at 36). */
export const HYSTERESIS_MARGIN = 0.2;

export interface DaysThresholds {
  warning?: number;
  critical?: number;
}

export interface DaysResult {
  level: DaysLevel;
  /** Plain words, e.g. "full in about 12 days < critical 14 days". */
  reason: string;
  /** The forecast days-to-full that set the level; absent when the level is held for want of a forecast. */
  days?: number;
  /** The threshold of the level. */
  limit: number;
}

/**
 * "full in about 14 days": whole days, rounded down, so that the words never promise a day more than
 * the forecast gives (14.6 days is full during the fifteenth day).
 */
export function describeDays(days: number): string {
  if (days === 0) return "full now";
  if (days < 1) return "full within a day";
  const whole = Math.floor(days);
  return `full in about ${whole} day${whole === 1 ? "" : "s"}`;
}

function clearsAt(limit: number): number {
  return Math.round(limit * (1 + HYSTERESIS_MARGIN) * 10) / 10;
}

function whyNoForecast(forecast: ResourceForecast | undefined): string {
  if (forecast === undefined) return "usage not measured now";
  const { points, spanDays } = forecast;
  return `not enough history to forecast (${points} daily point${points === 1 ? "" : "s"} over ${spanDays} day${spanDays === 1 ? "" : "s"})`;
}

/**
 * The days-to-full level of one resource in one scope, or undefined when it has none.
 * `previous` is the level it had in this scope at the last scan.
 */
export function daysToFullLevel(
  forecast: ResourceForecast | undefined,
  thresholds: DaysThresholds,
  previous: DaysLevel | undefined,
): DaysResult | undefined {
  const levels: [DaysLevel, number | undefined][] = [
    ["critical", thresholds.critical],
    ["warning", thresholds.warning],
  ];
  const days = forecast?.daysToFull;
  const canForecast = forecast !== undefined && forecast.trend !== "not-enough-history";

  if (!canForecast) {
    if (previous === undefined) return undefined;
    const limit = previous === "critical" ? thresholds.critical : thresholds.warning;
    // A threshold removed from the rules takes its held level with it.
    if (limit === undefined) return undefined;
    return { level: previous, limit, reason: `held at ${previous}: ${whyNoForecast(forecast)}` };
  }
  if (days === undefined) return undefined; // flat, shrinking, or not full within the horizon

  for (const [level, limit] of levels) {
    if (limit === undefined) continue;
    if (days < limit) return { level, limit, days, reason: `${describeDays(days)} < ${level} ${limit} days` };
    const wasThere = previous !== undefined && STATUS_RANK[previous] <= STATUS_RANK[level];
    if (wasThere && days < clearsAt(limit)) {
      return {
        level,
        limit,
        days,
        reason: `${describeDays(days)}: still ${level} until the forecast reaches ${clearsAt(limit)} days (${level} below ${limit} days)`,
      };
    }
  }
  return undefined;
}

/**
 * Days until a growing resource reaches the scope's critical level (percent used or minimum free,
 * whichever comes first): 0 when it is there; undefined without a forecast, without a critical
 * level, or when it is not growing towards it.
 */
export function daysToCritical(resource: ResourceCidr, thresholds: Thresholds): number | undefined {
  const forecast = resource.forecast;
  if (forecast === undefined || resource.usable <= 1n) return undefined;
  const usable = Number(resource.usable);
  const targets: number[] = [];
  if (thresholds.critical !== undefined) targets.push(Math.ceil((thresholds.critical / 100) * usable));
  // free < minimum, for whole addresses: used ≥ usable − minimum + 1.
  if (thresholds.minFreeCritical !== undefined) targets.push(usable - Math.ceil(thresholds.minFreeCritical) + 1);
  if (targets.length === 0) return undefined;
  return daysToReach(forecast, Math.min(...targets));
}
