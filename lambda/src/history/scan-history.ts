/**
 * The history's part in a scan: before evaluation, read the window and forecast every resource;
 * after publishing, fold the scan into its day. Failures come back as ScanFailures for the scan to
 * record, never as exceptions: a history that cannot be read must not stop the scan, and a
 * forecast that cannot be made must not lower an alarm (see scan.ts for how the failure counts).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { awsErrorCode } from "../collect/aws-error";
import { ScanError } from "../errors";
import { effectiveThresholds } from "../evaluate";
import { DEFAULT_FORECAST_SETTINGS } from "../forecast/forecast";
import type { Evaluation, ResourceCidr, RulesFile, ScanFailure, SourceName } from "../types";
import { type DaysLevel, dayOf } from "./format";
import { type Recorded, recordScan } from "./record";
import { type LevelEntry, rulesHash, snapshotOf } from "./snapshot";
import { type HistoryStore, parseHistoryLocation } from "./store";
import { DirectoryHistoryStore } from "./store-dir";
import { S3HistoryStore } from "./store-s3";
import { forecastFromHistory, type HistoryRead } from "./window";

/** The store for a history location: `variable` names the setting it came from in errors. */
export function historyStore(location: string, variable: string, s3: () => S3Client): HistoryStore {
  const parsed = parseHistoryLocation(location, variable);
  return parsed.kind === "dir"
    ? new DirectoryHistoryStore(parsed.path)
    : new S3HistoryStore(s3(), parsed.bucket, parsed.prefix);
}

/** The scopes with a days-to-full threshold: a forecast decides their alarms. */
export function scopesUsingForecasts(rules: RulesFile): string[] {
  return rules.scopes
    .filter((scope) => {
      const t = effectiveThresholds(scope, rules.defaults.thresholds);
      return t.daysToFullWarning !== undefined || t.daysToFullCritical !== undefined;
    })
    .map((scope) => scope.name);
}

/** True when a scope of the rules has a days-to-full threshold. */
export function rulesUseForecasts(rules: RulesFile): boolean {
  return scopesUsingForecasts(rules).length > 0;
}

/** The history part of the JSON result. */
export interface HistoryJson {
  location: string;
  /** Stored days the forecast read. */
  daysRead: number;
  firstDay?: string;
  lastDay?: string;
  /** Scan time of the latest stored scan before this one. */
  latestScanAt?: string;
  /** True when this scan was folded into its day. */
  recorded: boolean;
  /** Why it was not, when it was not. */
  notRecorded?: string;
  /** Scans the day holds now, when recorded. */
  scansToday?: number;
}

/** `ScanFailure.unit` of a history that could not be read: what the scan's forecasts depend on. */
export const HISTORY_UNIT = "history";

/**
 * A history failure as the scan records it, naming the S3 action (and so the IAM permission) or the
 * file. `unit` is set on a failed read (the forecasts are missing), not on a failed write (publishing).
 */
export function historyFailure(store: HistoryStore, err: unknown, unit?: string): ScanFailure {
  const target = `history ${store.location}`;
  let failure: ScanFailure;
  if (err instanceof ScanError) {
    failure = { target, action: err.action, message: err.message };
    const code = err.code ?? awsErrorCode(err.cause);
    if (code !== undefined) failure.code = code;
  } else {
    failure = { target, message: err instanceof Error ? err.message : String(err) };
  }
  if (unit !== undefined) failure.unit = unit;
  return failure;
}

export interface ReadOutcome {
  read?: HistoryRead;
  failure?: ScanFailure;
}

/**
 * Reads the window and sets `forecast` on the resources; a failure leaves them without one. `signal`
 * is the collection's deadline: reading the history is part of collecting.
 */
export async function readForScan(
  store: HistoryStore,
  resources: readonly ResourceCidr[],
  now: Date,
  rules: RulesFile,
  signal?: AbortSignal,
): Promise<ReadOutcome> {
  try {
    return {
      read: await forecastFromHistory(store, resources, now, rules.forecast ?? DEFAULT_FORECAST_SETTINGS, signal),
    };
  } catch (err) {
    for (const resource of resources) delete resource.forecast;
    return { failure: historyFailure(store, err, HISTORY_UNIT) };
  }
}

/** The days-to-full levels the evaluation reached, for the next scan's hysteresis. */
export function levelsReached(evaluation: Evaluation): LevelEntry[] {
  const levels: LevelEntry[] = [];
  for (const scope of evaluation.scopes) {
    for (const e of scope.evaluations) {
      const level: DaysLevel | undefined = e.forecastLevel;
      if (level !== undefined) levels.push({ resource: e.resource, scope: scope.name, level });
    }
  }
  return levels;
}

export interface WriteInput {
  resources: readonly ResourceCidr[];
  evaluation: Evaluation;
  rules: RulesFile;
  scannedAt: Date;
  source: SourceName;
}

/** Folds the scan into its day; `signal` is the publishing deadline. */
export async function writeForScan(
  store: HistoryStore,
  input: WriteInput,
  signal?: AbortSignal,
): Promise<{ recorded?: Recorded; failure?: ScanFailure }> {
  try {
    const snapshot = snapshotOf({
      resources: input.resources,
      evaluation: input.evaluation,
      scannedAt: input.scannedAt,
      rulesHash: rulesHash(input.rules),
      source: input.source,
      levels: levelsReached(input.evaluation),
    });
    return { recorded: await recordScan(store, snapshot, signal) };
  } catch (err) {
    return { failure: historyFailure(store, err) };
  }
}

/** The history part of the result, from what the scan did with it. */
export function historyJson(
  store: HistoryStore,
  read: HistoryRead | undefined,
  write: { recorded?: Recorded; skipped?: string },
  scannedAt: Date,
): HistoryJson {
  const json: HistoryJson = {
    location: store.location,
    daysRead: read?.days.length ?? 0,
    recorded: write.recorded !== undefined,
  };
  if (read !== undefined && read.days.length > 0) {
    json.firstDay = read.days[0]!;
    json.lastDay = read.days[read.days.length - 1]!;
  }
  if (read?.latestScanAt !== undefined) json.latestScanAt = read.latestScanAt;
  if (write.recorded !== undefined) json.scansToday = write.recorded.scans;
  else json.notRecorded = write.skipped ?? `not recorded into ${store.whereIs(dayOf(scannedAt))}`;
  return json;
}
