/**
 * One scan from start to finish: collect → evaluate → publish metrics → notify → result.
 * The Lambda handler and the CLI both call `runScan`; neither holds any logic of its own.
 */
import type { AwsClients } from "./clients";
import { describeAwsError, toScanFailure } from "./collect/aws-error";
import { collectCrossAccount } from "./collect/cross-account";
import { collectFromEc2 } from "./collect/ec2";
import { collectFromIpam } from "./collect/ipam";
import type { Config } from "./config";
import { ScanError } from "./errors";
import { evaluate } from "./evaluate";
import type { Logger } from "./log";
import { buildMetricData, publishMetrics } from "./publish/metrics";
import { formatNotification, publishNotification } from "./publish/notification";
import {
  DynamoDbStateStore,
  diffStates,
  hasChanges,
  mergeForSave,
  type NotifiedState,
  type StateChanges,
  type StateStore,
  stateFromEvaluation,
} from "./publish/state";
import { buildResult, type NotificationJson, type PublishedJson, type ScanResultJson } from "./result";
import type { CollectResult, Evaluation, RulesFile, ScanFailure } from "./types";

export interface ScanDependencies {
  clients: AwsClients;
  logger: Logger;
  now?: () => Date;
  /** Overrides the DynamoDB store built from `config.stateTable` (tests, CLI). */
  stateStore?: StateStore;
  /**
   * The account running the scan, when known (the handler reads it from its function ARN).
   * The EC2 source uses it to tell VPCs shared through RAM and to name Elastic IP owners.
   */
  accountId?: string;
}

export interface ScanOutcome {
  result: ScanResultJson;
  evaluation: Evaluation;
  /** True when every collection call succeeded, so the counts describe the whole network. */
  complete: boolean;
  /** Collection failures, then publishing failures; empty when everything worked. */
  failures: ScanFailure[];
}

/** IAM service prefix of each publishing action, so a denial names the exact permission to grant. */
const SERVICE_OF_ACTION: Readonly<Record<string, string>> = {
  PutMetricData: "cloudwatch",
  Publish: "sns",
  GetItem: "dynamodb",
  PutItem: "dynamodb",
};

async function collect(config: Config, deps: ScanDependencies): Promise<CollectResult> {
  const { clients } = deps;
  if (config.source === "ec2" && config.crossAccount !== undefined) {
    const collected = await collectCrossAccount(clients, config.crossAccount, config.regions);
    deps.logger.debug("accounts", {
      read: collected.selection.accounts.length,
      skipped: collected.selection.skipped,
      assumeRoleCalls: collected.assumeRoleCalls,
    });
    return collected;
  }
  if (config.source === "ec2") {
    return collectFromEc2((region) => clients.ec2ForRegion(region), {
      regions: config.regions,
      concurrency: config.regionConcurrency,
      ...(deps.accountId !== undefined ? { accountId: deps.accountId } : {}),
    });
  }
  return collectFromIpam(clients.ec2ForRegion(config.ipamRegion), {
    scopeTypes: config.scopeTypes,
    ...(config.ipamId !== undefined ? { ipamId: config.ipamId } : {}),
    ...(config.resourceTypes !== undefined ? { resourceTypes: config.resourceTypes } : {}),
  });
}

/**
 * A publishing failure as a ScanFailure. The publishers wrap SDK errors in a ScanError with the
 * SDK error as its cause. A denial or exhausted throttling is described from the cause, so the
 * message names the IAM permission (cloudwatch:PutMetricData, not the EC2 default) or the retry
 * setting; any other failure keeps the publisher's own words, which say what still got through.
 */
export function publishFailure(target: string, action: string, err: unknown): ScanFailure {
  const service = SERVICE_OF_ACTION[action] ?? "ec2";
  if (!(err instanceof ScanError)) return toScanFailure(target, action, err, service);
  let message = err.message;
  let code = err.code;
  if (err.cause !== undefined) {
    const described = describeAwsError(err.action, err.cause, SERVICE_OF_ACTION[err.action] ?? service);
    // describeAwsError words everything but a denial or throttling as "<action> failed …".
    if (!described.message.startsWith(`${err.action} failed`)) message = described.message;
    code ??= described.code;
  }
  const failure: ScanFailure = { target, action: err.action, message };
  if (code !== undefined) failure.code = code;
  return failure;
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

  const collected = await collect(config, deps);
  const failures: ScanFailure[] = [...collected.failures];
  const complete = collected.failures.length === 0;
  logger.debug("collected", {
    source: config.source,
    resources: collected.resources.length,
    failures: collected.failures.length,
  });

  const evaluation = evaluate(collected.resources, rules);
  logger.debug("evaluated", {
    scopes: evaluation.scopes.length,
    scopesWithoutMatches: evaluation.scopesWithoutMatches,
    uncovered: evaluation.uncovered.length,
    complete,
  });

  let published: PublishedJson | undefined;
  let notification: NotificationJson | undefined;

  if (config.dryRun) {
    if (config.snsTopicArn !== undefined) notification = { sent: false, reason: "dry run" };
  } else {
    const datums = buildMetricData(evaluation, { complete, timestamp: scannedAt });
    try {
      published = await publishMetrics(deps.clients.cloudwatch, config.metricsNamespace, datums);
      logger.debug("metrics published", { namespace: config.metricsNamespace, ...published });
    } catch (err) {
      failures.push(publishFailure(`namespace ${config.metricsNamespace}`, "PutMetricData", err));
    }

    if (config.snsTopicArn !== undefined) {
      notification = await notify(config, config.snsTopicArn, evaluation, { complete, scannedAt, failures, deps });
    }
  }

  const result = buildResult({
    evaluation,
    failures,
    scannedAt,
    source: config.source,
    complete,
    durationMs: Date.now() - started,
    dryRun: config.dryRun,
    ...(published !== undefined ? { published } : {}),
    ...(notification !== undefined ? { notification } : {}),
  });
  return { result, evaluation, complete, failures };
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

/** "2 new in trouble, 1 recovered": why a notification went out. */
function describeChanges(changes: StateChanges): string {
  const count = (pick: (s: StateChanges["scopes"][number]) => unknown[]): number =>
    changes.scopes.reduce((n, s) => n + pick(s).length, 0);
  const parts: Array<[number, string]> = [
    [count((s) => s.newInTrouble), "new in trouble"],
    [count((s) => s.worsened), "worse"],
    [count((s) => s.improved), "improved"],
    [count((s) => s.recovered), "recovered"],
  ];
  const text = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  const recoveredScopes = changes.scopes.filter((s) => s.recoveredEntirely).length;
  if (text.length === 0 && recoveredScopes > 0)
    text.push(`${recoveredScopes} scope${recoveredScopes === 1 ? "" : "s"} recovered`);
  return text.join(", ");
}

/**
 * Sends the notification when something changed since the last one. The state is saved only after
 * a successful publish: a failed publish is retried by the next run instead of being forgotten.
 */
async function notify(
  config: Config,
  topicArn: string,
  evaluation: Evaluation,
  context: { complete: boolean; scannedAt: Date; failures: ScanFailure[]; deps: ScanDependencies },
): Promise<NotificationJson> {
  const { deps, complete, failures } = context;
  const store = stateStoreFor(config, deps);
  const table = `table ${config.stateTable ?? "(state store)"}`;

  let previous: NotifiedState | undefined;
  try {
    previous = store === undefined ? undefined : await store.load();
  } catch (err) {
    // Without the previous state every finding would look new and go out again on every run;
    // the scope alarms still fire, and the recorded failure makes the run fail loudly.
    failures.push(publishFailure(table, "GetItem", err));
    return { sent: false, reason: "the last notified state could not be read" };
  }

  const current = stateFromEvaluation(evaluation);
  const changes = diffStates(previous, current, { complete });
  if (!hasChanges(changes)) {
    const reason = store === undefined ? "no resource is in trouble" : "nothing changed since the last notification";
    deps.logger.debug("no notification", { reason });
    return { sent: false, reason };
  }

  const message = formatNotification(changes, evaluation, {
    scannedAt: context.scannedAt,
    source: config.source,
    complete,
    failures,
  });
  let messageId: string | undefined;
  try {
    ({ messageId } = await publishNotification(deps.clients.sns, topicArn, message));
  } catch (err) {
    failures.push(publishFailure(`topic ${topicArn}`, "Publish", err));
    return { sent: false, subject: message.subject, reason: "publishing to the topic failed" };
  }
  deps.logger.debug("notification sent", { subject: message.subject, messageId });

  if (store !== undefined) {
    try {
      await store.save(mergeForSave(previous, current, { complete }));
    } catch (err) {
      // The message went out; the next run may repeat it, which beats losing track of it.
      failures.push(publishFailure(table, "PutItem", err));
    }
  }
  const sent: NotificationJson = { sent: true, subject: message.subject, reason: describeChanges(changes) };
  if (messageId !== undefined) sent.messageId = messageId;
  return sent;
}
