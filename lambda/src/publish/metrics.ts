/**
 * CloudWatch metrics: the contract with the module's alarms (docs/architecture.md).
 * Per scope every complete run, zeros included, so alarms always have data and dashboards show a
 * trend; per resource only where a scope asks for it; ScanSuccess for the "monitor stopped" alarm.
 */
import {
  type CloudWatchClient,
  type Dimension,
  type MetricDatum,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { mapWithConcurrency } from "../concurrency";
import { AwsCallError } from "../errors";
import { isScopeComplete } from "../scope-completeness";
import type { Evaluation, ScopeResult } from "../types";
import { metricsSite } from "./sites";

export interface MetricOptions {
  /** False when any part of the collection failed: then only alarm-raising counts are sent. */
  complete: boolean;
  /**
   * With a partial scan, the scopes that could hold resources of what failed (scope-completeness.ts);
   * the others saw everything they cover and publish all their metrics. Absent: every scope is partial.
   */
  incompleteScopes?: ReadonlySet<string>;
  timestamp: Date;
}

/** PutMetricData takes at most 1,000 datums per request. */
export const MAX_DATUMS_PER_REQUEST = 1000;
/**
 * PutMetricData takes at most 1 MB per request. Measured against 1,000,000 bytes (not 1 MiB) and
 * estimated on the worst-case JSON encoding, with room left for the namespace and the envelope.
 */
export const MAX_REQUEST_BYTES = 1_000_000;
const REQUEST_ENVELOPE_BYTES = 4096;
/** Requests in flight at once: fast for 200 requests, gentle on PutMetricData's rate limit. */
const PUBLISH_CONCURRENCY = 4;

/**
 * IPv6 free-address counts reach 2^64 and beyond. CloudWatch stores doubles, and a count past
 * 2^53 is no longer exact, so counts are clamped to Number.MAX_SAFE_INTEGER: still far above
 * any minimum-free threshold an alarm can hold, and never a rounded, misleading value.
 */
const MAX_METRIC_COUNT = Number.MAX_SAFE_INTEGER;
const MAX_COUNT_BIGINT = BigInt(MAX_METRIC_COUNT);

function countToMetricValue(n: bigint): number {
  if (n > MAX_COUNT_BIGINT) return MAX_METRIC_COUNT;
  if (n < 0n) return 0;
  return Number(n);
}

/**
 * Resources whose usage is not reported now: the unknown ones, and those held at their last
 * warning/critical level (hold.ts). A held one counts at its level too, so the level's alarm stays in
 * ALARM while the scope's UnknownCount alarm says that measuring stopped.
 */
function unmeasuredCount(scope: ScopeResult): number {
  let held = 0;
  for (const e of scope.evaluations) if (e.held !== undefined) held += 1;
  return scope.counts.unknown + held;
}

const ALARM_COUNTS: ReadonlyArray<{ name: string; count: (scope: ScopeResult) => number }> = [
  { name: "WarningCount", count: (scope) => scope.counts.warning },
  { name: "CriticalCount", count: (scope) => scope.counts.critical },
  { name: "UnknownCount", count: unmeasuredCount },
];

function datum(
  name: string,
  value: number,
  unit: MetricDatum["Unit"],
  dimensions: Dimension[] | undefined,
  timestamp: Date,
): MetricDatum {
  const d: MetricDatum = { MetricName: name, Value: value, Unit: unit, Timestamp: timestamp };
  if (dimensions !== undefined) d.Dimensions = dimensions;
  return d;
}

/**
 * The datums for one scan.
 *
 * Complete scan: per scope (dimension Scope) ResourceCount, WarningCount, CriticalCount, UnknownCount,
 * MaxUtilization and MinFreeAddresses, MinDaysToFull (days) when a resource has a forecast date,
 * MinFreePrefixes and MinAssignableAddresses for scopes that measure capacity, MinZoneFreeAddresses for
 * scopes that watch their zones; per resource of scopes with `resourceMetrics` Utilization and
 * FreeAddresses; and ScanSuccess = 1.
 *
 * Partial scan: in each scope that could hold what failed, only the non-zero WarningCount/CriticalCount/UnknownCount;
 * a scope that could not (its match keeps it to accounts and Regions that were read) publishes as above; no ScanSuccess. A count from a partial
 * scan is a lower bound, so a non-zero one can hold or raise an alarm truthfully, while a zero (or a
 * ResourceCount, a utilization, …) could move an alarm back to OK for resources that were never seen.
 */
export function buildMetricData(evaluation: Evaluation, options: MetricOptions): MetricDatum[] {
  const { complete, timestamp } = options;
  const data: MetricDatum[] = [];

  for (const scope of evaluation.scopes) {
    const scopeDimension: Dimension[] = [{ Name: "Scope", Value: scope.name }];

    if (!isScopeComplete(scope.name, options)) {
      for (const { name, count } of ALARM_COUNTS) {
        const value = count(scope);
        if (value > 0) data.push(datum(name, value, "Count", scopeDimension, timestamp));
      }
      continue;
    }

    data.push(datum("ResourceCount", scope.resourceCount, "Count", scopeDimension, timestamp));
    for (const { name, count } of ALARM_COUNTS)
      data.push(datum(name, count(scope), "Count", scopeDimension, timestamp));
    // No known value (nothing measured, or only single addresses, which evaluate leaves out) means no
    // datum, never 0 or NaN: a 0% MaxUtilization would look healthy and keep an alarm OK while nothing
    // is actually measured (CloudWatch also rejects NaN).
    if (scope.maxUtilization !== undefined && Number.isFinite(scope.maxUtilization)) {
      data.push(datum("MaxUtilization", scope.maxUtilization, "Percent", scopeDimension, timestamp));
    }
    if (scope.minFree !== undefined) {
      data.push(datum("MinFreeAddresses", countToMetricValue(scope.minFree), "Count", scopeDimension, timestamp));
    }
    // Only where a resource has a date: a scope with nothing filling up has no "days to full", and a
    // large stand-in value would read as a forecast.
    if (scope.minDaysToFull !== undefined && Number.isFinite(scope.minDaysToFull)) {
      data.push(datum("MinDaysToFull", scope.minDaysToFull, "None", scopeDimension, timestamp));
    }
    // Scopes with `capacity: true`, and only when every IPv4 subnet of the scope was measured (evaluate.ts).
    if (scope.minFreePrefixes !== undefined) {
      data.push(datum("MinFreePrefixes", scope.minFreePrefixes, "Count", scopeDimension, timestamp));
    }
    if (scope.minAssignable !== undefined) {
      data.push(datum("MinAssignableAddresses", scope.minAssignable, "Count", scopeDimension, timestamp));
    }
    // Scopes that set minZoneFree* or measure capacity, when every zone's sum is known (evaluate.ts).
    if (scope.minZoneFree !== undefined) {
      data.push(
        datum("MinZoneFreeAddresses", countToMetricValue(scope.minZoneFree), "Count", scopeDimension, timestamp),
      );
    }

    if (!scope.resourceMetrics) continue;
    // A VPC with a secondary CIDR sends one value per CIDR to the same series; CloudWatch keeps
    // both, so Maximum(Utilization) and Minimum(FreeAddresses) show its tightest CIDR.
    for (const { resource } of scope.evaluations) {
      const dimensions: Dimension[] = [
        { Name: "Scope", Value: scope.name },
        { Name: "ResourceId", Value: resource.resourceId },
      ];
      if (resource.resourceType !== "") dimensions.push({ Name: "ResourceType", Value: resource.resourceType });
      if (resource.utilization !== undefined && Number.isFinite(resource.utilization)) {
        data.push(datum("Utilization", resource.utilization, "Percent", dimensions, timestamp));
      }
      if (resource.free !== undefined) {
        data.push(datum("FreeAddresses", countToMetricValue(resource.free), "Count", dimensions, timestamp));
      }
    }
  }

  if (complete) data.push(datum("ScanSuccess", 1, "Count", undefined, timestamp));
  return data;
}

/**
 * Upper bound of a datum's share of a request body. The SDK sends JSON; every non-ASCII UTF-16 unit
 * is counted as a six-byte \uXXXX escape, which is more than its UTF-8 bytes, and the timestamp as
 * an ISO string, which is longer than the epoch number actually sent.
 */
export function estimateDatumBytes(d: MetricDatum): number {
  const json = JSON.stringify(d);
  let extra = 0;
  for (let i = 0; i < json.length; i++) if (json.charCodeAt(i) > 0x7f) extra += 5;
  return json.length + extra + 1; // + the comma between datums
}

/** Splits datums into requests of at most 1,000 datums and about 1 MB each, keeping their order. */
export function batchMetricData(datums: MetricDatum[], namespace = ""): MetricDatum[][] {
  const budget = MAX_REQUEST_BYTES - REQUEST_ENVELOPE_BYTES - 6 * namespace.length;
  const batches: MetricDatum[][] = [];
  let current: MetricDatum[] = [];
  let bytes = 0;
  for (const d of datums) {
    const size = estimateDatumBytes(d);
    if (current.length > 0 && (current.length >= MAX_DATUMS_PER_REQUEST || bytes + size > budget)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(d);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends the datums in as few requests as the limits allow. Every batch is attempted even when one
 * fails, so one rejected request does not leave the alarms without the rest; the first failure is
 * then thrown as an AwsCallError saying how much got through.
 */
export async function publishMetrics(
  client: CloudWatchClient,
  namespace: string,
  datums: MetricDatum[],
  signal?: AbortSignal,
): Promise<{ requests: number; datums: number }> {
  const batches = batchMetricData(datums, namespace);
  const outcomes = await mapWithConcurrency(batches, PUBLISH_CONCURRENCY, async (batch) => {
    try {
      await client.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: batch }), { abortSignal: signal });
      return undefined;
    } catch (err) {
      return err;
    }
  });

  const failed = outcomes.filter((e) => e !== undefined).length;
  if (failed > 0) {
    const first: unknown = outcomes.find((e) => e !== undefined);
    const sent = batches.reduce((n, batch, i) => n + (outcomes[i] === undefined ? batch.length : 0), 0);
    throw new AwsCallError(
      {
        ...metricsSite(namespace),
        detail: `${failed} of ${batches.length} requests failed, ${sent} of ${datums.length} datums published`,
      },
      first,
    );
  }
  return { requests: batches.length, datums: datums.length };
}
