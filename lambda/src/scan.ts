/**
 * One scan from start to finish: collect → evaluate → publish metrics → notify → result.
 * The Lambda handler and the CLI both call `runScan`; neither holds any logic of its own.
 */
import { addCapacity, type CapacityReport } from "./capacity/enrich";
import { accountReaders, capacityReaders } from "./capacity/readers";
import type { AwsClients } from "./clients";
import type { Ec2For } from "./collect/account-clients";
import { toScanFailure } from "./collect/aws-error";
import { collectCrossAccount } from "./collect/cross-account";
import { type Deadline, deadlineAt } from "./collect/deadline";
import { collectFromEc2 } from "./collect/ec2";
import { collectFromIpam, type ScopeTarget } from "./collect/ipam";
import { pageCeiling } from "./collect/paginate";
import { type Baselines, judgeUnits } from "./collect/plausibility";
import type { Config } from "./config";
import { evaluate } from "./evaluate";
import { holdWithoutHistory } from "./history/hold-without-history";
import {
  type HistoryJson,
  historyJson,
  historyStore,
  type ReadOutcome,
  readForScan,
  rulesUseForecasts,
  scopesUsingForecasts,
  writeForScan,
} from "./history/scan-history";
import type { HistoryStore } from "./history/store";
import { holdUnknownLevels } from "./hold";
import type { Logger } from "./log";
import { buildMetricData, publishMetrics } from "./publish/metrics";
import { notifyAndRemember } from "./publish/notify";
import { publishSite } from "./publish/sites";
import { diffStates, type NotifiedState, type StateChanges, stateFromEvaluation } from "./publish/state-diff";
import { DynamoDbStateStore, type LoadedState, type StateStore } from "./publish/state-store";
import { buildResult, type NotificationJson, type PublishedJson, type ScanResultJson } from "./result";
import { scopeCompleteness } from "./scope-completeness";
import type { CollectResult, Evaluation, RulesFile, ScanFailure, UnitReport } from "./types";

export interface ScanDependencies {
  clients: AwsClients;
  logger: Logger;
  now?: () => Date;
  /** Overrides the DynamoDB store built from `config.stateTable` (tests, CLI). */
  stateStore?: StateStore;
  /** Overrides the history store built from `config.historyUri` (tests). */
  historyStore?: HistoryStore;
  /**
   * The account running the scan, when known (the handler reads it from its function ARN).
   * The EC2 source uses it to tell VPCs shared through RAM and to name Elastic IP owners.
   */
  accountId?: string;
  /**
   * Milliseconds the run has left when it starts (the Lambda's getRemainingTimeInMillis()):
   * collection then stops in time to publish what it read.
   */
  remainingTimeMs?: number;
  /** Collects in place of the configured source: the final step of a scan on Step Functions reads the shards. */
  collect?: () => Promise<CollectResult>;
  /** Bound of the JSON result in bytes (default 256 KiB, the Lambda's limit); the CLI passes Infinity. */
  maxResultBytes?: number;
  /** Entries of the result's fillingUp list (default 50). */
  fillingUpLimit?: number;
}

export interface ScanOutcome {
  result: ScanResultJson;
  evaluation: Evaluation;
  /** True when every collection unit was read completely and found plausible. */
  complete: boolean;
  /** Collection failures, then publishing failures; empty when everything worked. */
  failures: ScanFailure[];
  /** What each collection unit returned. */
  units: UnitReport[];
}

/** "42 s", or "0.4 s" below ten seconds. */
function seconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 1000)} s`;
}

/** Time kept for publishing after collection stops, at most: metrics, the notification, the state. */
export const PUBLISH_RESERVE_MS = 30_000;

/**
 * When collecting must stop: SCAN_TIMEOUT_SECONDS (--timeout) after the start, or earlier when the
 * function's remaining time, less what publishing needs, ends first. Without the second, a slow scan
 * is killed by Lambda at its timeout with nothing published and nothing logged.
 */
export function collectionDeadline(
  config: Pick<Config, "scanTimeoutSeconds">,
  startedAt: number,
  remainingMs?: number,
) {
  let at = startedAt + config.scanTimeoutSeconds * 1000;
  let reason = `the scan timeout of ${config.scanTimeoutSeconds} s (SCAN_TIMEOUT_SECONDS, --timeout)`;
  if (remainingMs !== undefined) {
    const reserve = Math.min(PUBLISH_RESERVE_MS, remainingMs / 4);
    const byFunction = startedAt + remainingMs - reserve;
    if (byFunction < at) {
      at = byFunction;
      reason = `the function's remaining time of ${seconds(remainingMs)}, less ${seconds(reserve)} kept for publishing`;
    }
  }
  return { at, reason };
}

/**
 * When publishing must end: PUBLISH_TIMEOUT_SECONDS after collecting stopped, or one second before
 * the function's time is up. A CloudWatch, SNS or DynamoDB endpoint that hangs then costs that
 * much, not the run; with the defaults a CLI scan ends within 480 + 60 s whatever hangs.
 */
export function publishingDeadline(
  config: Pick<Config, "publishTimeoutSeconds">,
  startedAt: number,
  remainingMs: number | undefined,
  now: number,
): { at: number; reason: string } {
  let at = now + config.publishTimeoutSeconds * 1000;
  let reason = `the publishing timeout of ${config.publishTimeoutSeconds} s (PUBLISH_TIMEOUT_SECONDS)`;
  if (remainingMs !== undefined && startedAt + remainingMs - 1000 < at) {
    at = startedAt + remainingMs - 1000;
    reason = `the function's remaining time of ${seconds(remainingMs)} at the start`;
  }
  return { at, reason };
}

/**
 * Reads the resource CIDRs from the configured source, stopping at `deadline`; `baselines` (the units'
 * last complete counts) set the page ceilings. The scan and `ipam-monitor preview` share it.
 */
export async function collect(
  config: Config,
  deps: Pick<ScanDependencies, "clients" | "accountId" | "logger" | "collect">,
  deadline: Deadline,
  baselines: Baselines | undefined,
): Promise<CollectResult & { ec2For?: Ec2For }> {
  if (deps.collect !== undefined) return deps.collect();
  const { clients } = deps;
  const ceilingOf = (key: string): number => pageCeiling(baselines?.[key]?.pages, config.pageCeiling);
  if (config.source === "ec2" && config.crossAccount !== undefined) {
    const collected = await collectCrossAccount(clients, config.crossAccount, config.regions, {
      deadline,
      pageCeiling: ceilingOf,
    });
    deps.logger.debug("accounts", {
      read: collected.accounts,
      skipped: collected.skipped,
      assumeRoleCalls: collected.assumeRoleCalls,
    });
    return collected;
  }
  if (config.source === "ec2") {
    return collectFromEc2((region) => clients.ec2ForRegion(region), {
      regions: config.regions,
      concurrency: config.regionConcurrency,
      deadline,
      pageCeiling: ceilingOf,
      ...(deps.accountId !== undefined ? { accountId: deps.accountId } : {}),
    });
  }
  const knownScopes: ScopeTarget[] = [];
  for (const [key, baseline] of Object.entries(baselines ?? {})) {
    if (!key.startsWith("ipam-scope/") || baseline.ipamId === undefined) continue;
    knownScopes.push({ scopeId: key.slice("ipam-scope/".length), ipamId: baseline.ipamId });
  }
  return collectFromIpam(clients.ec2ForRegion(config.ipamRegion), {
    scopeTypes: config.scopeTypes,
    deadline,
    pageCeiling: ceilingOf,
    knownScopes,
    ...(config.ipamId !== undefined ? { ipamId: config.ipamId } : {}),
    ...(config.resourceTypes !== undefined ? { resourceTypes: config.resourceTypes } : {}),
  });
}

/**
 * A read of the source on its own, as `ipam-monitor preview` makes it: bounded by the scan timeout,
 * with no saved counts (so the default page ceiling and no plausibility gate).
 */
export async function collectLive(
  config: Config,
  deps: Pick<ScanDependencies, "clients" | "accountId" | "logger">,
): Promise<CollectResult> {
  const limit = collectionDeadline(config, Date.now());
  const deadline = deadlineAt(limit.at, limit.reason);
  try {
    return await collect(config, deps, deadline, undefined);
  } finally {
    deadline.dispose();
  }
}

/**
 * Runs one scan.
 *
 * Collection that cannot start at all (no IPAM, DescribeIpams denied) throws a ScanError: nothing is
 * published, so the missing ScanSuccess lets the "monitor stopped" alarm fire.
 *
 * Any other collection failure leaves the scan partial: what was read is still evaluated, reported
 * and notified, and the metrics module publishes only counts that can hold or raise an alarm.
 * That includes a single resource IPAM returned without a usable CIDR: the scan is partial rather
 * than complete-minus-one, because the resource that could not be measured may be the one that is
 * full, and a "complete" scan would publish zeros that move its scope's alarms to OK. The failure
 * names the resource, so the cause is one look away.
 *
 * Publishing failures (metrics, notification, state) never stop the other steps; each is recorded
 * in `failures` naming the API action and so the IAM permission. A dry run publishes, reads and
 * saves nothing.
 */
export async function runScan(config: Config, rules: RulesFile, deps: ScanDependencies): Promise<ScanOutcome> {
  const now = deps.now ?? (() => new Date());
  const { logger } = deps;
  const scannedAt = now();
  const started = Date.now();
  const store = config.dryRun ? undefined : stateStoreFor(config, deps);

  const limit = collectionDeadline(config, started, deps.remainingTimeMs);
  const deadline = deadlineAt(limit.at, limit.reason);

  // The saved state comes first: its per-unit counts set the page ceilings and the plausibility gate.
  const stateFailures: ScanFailure[] = [];
  let loaded: LoadedState | undefined;
  if (store !== undefined) {
    try {
      loaded = await store.load(deadline.signal);
    } catch (err) {
      // Without the previous state every finding would look new and go out again on every run;
      // the scope alarms still fire, and the recorded failure makes the run fail loudly.
      stateFailures.push(toScanFailure(err, publishSite(config, "GetItem")));
    }
  }
  const previous = loaded?.state;

  // The history gives every resource its forecast and the days-to-full levels of the last scan.
  // Reading it is part of collecting, within the same deadline.
  const scanHistory = historyStoreOf(config, deps);
  let collected: CollectResult & { ec2For?: Ec2For };
  let capacity: CapacityReport;
  let history: ReadOutcome | undefined;
  try {
    collected = await collect(config, deps, deadline, previous?.units);
    // Capacity is read only for the subnets of scopes that opt in, so only once the scopes are known.
    capacity = await addCapacity(collected.resources, rules, {
      clientFor: capacityReaders(
        config.source,
        (region) => deps.clients.ec2ForRegion(region),
        deps.accountId,
        accountReaders(config, deps.clients, deps.accountId, collected),
      ),
      concurrency: config.crossAccount?.concurrency ?? config.regionConcurrency,
      source: config.source,
      deadline,
      pageCeiling: (key) => pageCeiling(previous?.units?.[key]?.pages, config.pageCeiling),
    });
    if (scanHistory !== undefined) {
      history = await readForScan(scanHistory, collected.resources, scannedAt, rules, deadline.signal);
    }
  } finally {
    deadline.dispose();
  }
  const gate = judgeUnits([...collected.units, ...capacity.units], previous?.units, config.plausibility);
  for (const drop of gate.accepted) logger.info("accepted a drop that consecutive scans confirmed", { unit: drop });
  const failures: ScanFailure[] = [...collected.failures, ...capacity.failures, ...gate.failures, ...stateFailures];
  logger.debug("collected", {
    source: config.source,
    resources: collected.resources.length,
    failures: collected.failures.length,
    units: gate.units.length,
    capacity: { measured: capacity.measured, unmeasured: capacity.unmeasured, interfaces: capacity.interfacesRead },
  });

  // When the rules alarm on forecasts, a history that cannot be read leaves those levels unknown:
  // the scan is then partial, so its counts can hold or raise an alarm but never clear one, and no
  // resource of a scope with days thresholds is reported better than the last notification saw it.
  if (history?.failure !== undefined) failures.push(history.failure);
  const forecastsMissing = history?.failure !== undefined && rulesUseForecasts(rules);
  const complete =
    collected.failures.length === 0 &&
    capacity.failures.length === 0 &&
    gate.units.every((u) => u.complete) &&
    !forecastsMissing;
  // Scopes whose match keeps them away from every unit that failed saw everything they cover; a scope
  // with days-to-full thresholds did not when the history could not be read.
  const incompleteScopes = complete
    ? undefined
    : new Set([
        ...scopeCompleteness(rules.scopes, gate.units, [...collected.failures, ...capacity.failures, ...gate.failures])
          .incomplete,
        ...(forecastsMissing ? scopesUsingForecasts(rules) : []),
      ]);

  // Unknown never means better: resources no longer measured keep their last level for a while.
  let evaluation = holdUnknownLevels(
    evaluate(
      collected.resources,
      rules,
      history?.read !== undefined ? { previousLevels: history.read.previousLevels } : {},
    ),
    previous,
    { now: scannedAt, holdHours: config.unknownHoldHours },
  );
  if (forecastsMissing) evaluation = holdWithoutHistory(evaluation, previous, "the history could not be read");
  logger.debug("evaluated", {
    scopes: evaluation.scopes.length,
    scopesWithoutMatches: evaluation.scopesWithoutMatches,
    uncovered: evaluation.uncovered.length,
    complete,
  });
  const current = stateFromEvaluation(evaluation);
  const changes = diffStates(previous, current, { complete, incompleteScopes });

  let published: PublishedJson | undefined;
  let notification: NotificationJson | undefined;
  // Only a complete scan becomes history: a partial one would read as usage dropping to nothing.
  const notRecorded = config.dryRun
    ? "dry run"
    : !complete
      ? "the scan was partial"
      : history?.failure !== undefined
        ? "the history could not be read"
        : undefined;
  let written: Awaited<ReturnType<typeof writeForScan>> = {};

  if (config.dryRun) {
    if (config.snsTopicArn !== undefined) notification = { sent: false, reason: "dry run" };
  } else {
    const bound = publishingDeadline(config, started, deps.remainingTimeMs, Date.now());
    const publishing = deadlineAt(bound.at, bound.reason, Date.now, "publishing");
    try {
      ({ published, notification } = await publish(config, deps, publishing.signal, {
        evaluation,
        current,
        changes,
        complete,
        incompleteScopes,
        scannedAt,
        store,
        loaded,
        baselines: gate.baselines,
        failures,
      }));
      // Writing the history is publishing: it shares the publishing deadline.
      if (scanHistory !== undefined && notRecorded === undefined) {
        written = await writeForScan(
          scanHistory,
          { resources: collected.resources, evaluation, rules, scannedAt, source: config.source },
          publishing.signal,
        );
        if (written.failure !== undefined) failures.push(written.failure);
        else logger.debug("history recorded", { ...written.recorded });
      }
    } finally {
      publishing.dispose();
    }
  }

  let historyResult: HistoryJson | undefined;
  if (scanHistory !== undefined) {
    historyResult = historyJson(
      scanHistory,
      history?.read,
      written.recorded !== undefined
        ? { recorded: written.recorded }
        : { skipped: notRecorded ?? "writing the history failed" },
      scannedAt,
    );
  }

  const result = buildResult({
    evaluation,
    failures,
    scannedAt,
    source: config.source,
    complete,
    ...(incompleteScopes !== undefined ? { incompleteScopes } : {}),
    durationMs: Date.now() - started,
    dryRun: config.dryRun,
    units: gate.units,
    changes,
    ...(published !== undefined ? { published } : {}),
    ...(notification !== undefined ? { notification } : {}),
    ...(historyResult !== undefined ? { history: historyResult } : {}),
    ...(deps.maxResultBytes !== undefined ? { maxBytes: deps.maxResultBytes } : {}),
    ...(deps.fillingUpLimit !== undefined ? { fillingUpLimit: deps.fillingUpLimit } : {}),
  });
  return { result, evaluation, complete, failures, units: gate.units };
}

interface PublishInput {
  evaluation: Evaluation;
  current: NotifiedState;
  changes: StateChanges;
  complete: boolean;
  incompleteScopes: ReadonlySet<string> | undefined;
  scannedAt: Date;
  store: StateStore | undefined;
  loaded: LoadedState | undefined;
  baselines: Baselines;
  failures: ScanFailure[];
}

/**
 * Metrics, then the notification and the state. Every call carries the publishing deadline's
 * signal; what it stops is recorded as a failure like any other.
 */
async function publish(
  config: Config,
  deps: ScanDependencies,
  signal: AbortSignal,
  input: PublishInput,
): Promise<{ published?: PublishedJson; notification?: NotificationJson }> {
  const { logger } = deps;
  const out: { published?: PublishedJson; notification?: NotificationJson } = {};
  const datums = buildMetricData(input.evaluation, {
    complete: input.complete,
    timestamp: input.scannedAt,
    ...(input.incompleteScopes !== undefined ? { incompleteScopes: input.incompleteScopes } : {}),
  });
  try {
    out.published = await publishMetrics(deps.clients.cloudwatch, config.metricsNamespace, datums, signal);
    logger.debug("metrics published", { namespace: config.metricsNamespace, ...out.published });
  } catch (err) {
    input.failures.push(toScanFailure(err, publishSite(config, "PutMetricData")));
  }

  if (input.store !== undefined && input.loaded === undefined) {
    if (config.snsTopicArn !== undefined) {
      out.notification = { sent: false, reason: "the last notified state could not be read" };
    }
    return out;
  }
  const notification = await notifyAndRemember({
    config,
    clients: deps.clients,
    logger,
    evaluation: input.evaluation,
    current: input.current,
    changes: input.changes,
    complete: input.complete,
    incompleteScopes: input.incompleteScopes,
    scannedAt: input.scannedAt,
    source: config.source,
    store: input.store,
    loaded: input.loaded,
    baselines: input.baselines,
    failures: input.failures,
    signal,
  });
  if (notification !== undefined) out.notification = notification;
  return out;
}

function historyStoreOf(config: Config, deps: ScanDependencies): HistoryStore | undefined {
  if (deps.historyStore !== undefined) return deps.historyStore;
  if (config.historyUri === undefined) return undefined;
  return historyStore(config.historyUri, "HISTORY_URI", () => deps.clients.s3);
}

function stateStoreFor(config: Config, deps: ScanDependencies): StateStore | undefined {
  if (deps.stateStore !== undefined) return deps.stateStore;
  if (config.stateTable === undefined) return undefined;
  return new DynamoDbStateStore(deps.clients.dynamodb, config.stateTable, {
    onUnreadable: (error) =>
      deps.logger.warn("the last notified state is unreadable; notifying as on a first run", { error }),
    ...(deps.now !== undefined ? { now: deps.now } : {}),
  });
}
