/**
 * IPAM_MONITOR_NOW: the time a CLI run takes as its scan time (the result, the metrics' timestamps,
 * the day its snapshot is recorded in), for reproducible runs, backfills and tests.
 */
import { ConfigError } from "../errors";

/** A date and a time with a zone (Z or ±hh:mm), seconds and fractions optional; or a date alone (midnight UTC). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** The clock of a run: the fixed time of IPAM_MONITOR_NOW when set, the real clock otherwise. */
export function clockFrom(env: Record<string, string | undefined>): (() => Date) | undefined {
  const raw = env.IPAM_MONITOR_NOW?.trim();
  if (raw === undefined || raw === "") return undefined;
  const time = ISO_8601.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ConfigError(
      "IPAM_MONITOR_NOW",
      `"${raw}" is not an ISO-8601 time such as 2026-11-26T09:00:00Z (a zone, Z or +01:00, is required with a time).`,
    );
  }
  return () => new Date(time);
}
