/**
 * Notify once per change, and remember it. The order is what keeps a notification from being lost
 * or sent twice: take the lease on the state version the changes were found against, publish, then
 * save the new state (which gives the lease back). A scan that finds the lease held leaves the
 * changes to the scan that holds it; one that finds the state moved on compares again with what
 * the other scan saved. A failed publish gives the lease back and saves nothing, so the next scan
 * sends it; a failed save after a publish costs at most one repeated message.
 */

import type { AwsClients } from "../clients";
import { toScanFailure } from "../collect/aws-error";
import type { Baselines } from "../collect/plausibility";
import type { Config } from "../config";
import type { Logger } from "../log";
import type { NotificationJson } from "../result";
import type { Evaluation, ScanFailure, SourceName } from "../types";
import { describeChanges, formatNotification, publishNotification } from "./notification";
import { publishSite } from "./sites";
import { diffStates, hasChanges, mergeForSave, type NotifiedState, type StateChanges } from "./state-diff";
import { type LoadedState, StateConflictError, type StateLease, type StateStore } from "./state-store";

/** How long a scan may take to publish and save once it holds the lease; it lapses after that. */
export const LEASE_MS = 5 * 60_000;

export const NOTHING_CHANGED = "nothing changed since the last notification";
export const PUBLISH_FAILED = "publishing to the topic failed";

export interface NotifyInput {
  config: Config;
  clients: AwsClients;
  logger: Logger;
  evaluation: Evaluation;
  /** This scan's state (stateFromEvaluation) and changes against `loaded`. */
  current: NotifiedState;
  changes: StateChanges;
  complete: boolean;
  /** After a partial scan, the scopes that could hold what failed (scope-completeness.ts). */
  incompleteScopes?: ReadonlySet<string> | undefined;
  scannedAt: Date;
  source: SourceName;
  /** Where the state is kept, and what was read from it; both undefined without a state table. */
  store: StateStore | undefined;
  loaded: LoadedState | undefined;
  /** Unit counts to keep with the state. */
  baselines: Baselines;
  /** Collection failures so far; publishing failures are added. */
  failures: ScanFailure[];
  /** The publishing deadline's: every call stops when it aborts. */
  signal?: AbortSignal;
}

/** Same unit counts, whatever the order of their keys. */
function sameBaselines(a: Baselines | undefined, b: Baselines): boolean {
  const keys = Object.keys(b).sort();
  if (a === undefined) return keys.length === 0;
  if (Object.keys(a).length !== keys.length) return false;
  return keys.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}

/**
 * Saves the unit counts (and, on a first run, the empty notified state) when nothing is notified.
 * Another scan saving at the same time wins: its counts are as new as these.
 */
async function saveCounts(input: NotifyInput, store: StateStore, loaded: LoadedState): Promise<void> {
  const previous = loaded.state;
  if (previous !== undefined && sameBaselines(previous.units, input.baselines)) return;
  const base =
    previous ??
    mergeForSave(undefined, input.current, {
      complete: input.complete,
      incompleteScopes: input.incompleteScopes,
    });
  try {
    await store.save({ ...base, units: input.baselines }, loaded, input.signal);
  } catch (err) {
    if (err instanceof StateConflictError) {
      input.logger.debug("unit counts not saved: another scan saved first", { error: err });
      return;
    }
    input.failures.push(toScanFailure(err, publishSite(input.config, "PutItem")));
  }
}

/** Takes the lease; when the state moved on, compares again with what the other scan saved. */
async function takeLease(
  input: NotifyInput,
  store: StateStore,
  loaded: LoadedState,
): Promise<
  | { lease: StateLease; loaded: LoadedState; changes: StateChanges }
  | { reason: string }
  | { failed: true; changes: StateChanges }
> {
  let basis = loaded;
  let changes = input.changes;
  for (let attempt = 1; attempt <= 2; attempt++) {
    let claim: Awaited<ReturnType<StateStore["claim"]>>;
    try {
      claim = await store.claim(basis, LEASE_MS, input.signal);
    } catch (err) {
      input.failures.push(toScanFailure(err, publishSite(input.config, "UpdateItem")));
      return { failed: true, changes };
    }
    if ("owner" in claim) return { lease: claim, loaded: basis, changes };
    if (claim.refused === "held") {
      return { reason: `another scan is notifying; its lease ends at ${new Date(claim.until).toISOString()}` };
    }
    try {
      basis = await store.load(input.signal);
    } catch (err) {
      input.failures.push(toScanFailure(err, publishSite(input.config, "GetItem")));
      return { failed: true, changes };
    }
    changes = diffStates(basis.state, input.current, {
      complete: input.complete,
      incompleteScopes: input.incompleteScopes,
    });
    if (!hasChanges(changes)) return { reason: "a concurrent scan already notified these changes" };
  }
  return { reason: "the notified state kept changing under concurrent scans; the next scan notifies" };
}

async function publish(input: NotifyInput, topicArn: string, changes: StateChanges): Promise<NotificationJson> {
  const message = formatNotification(changes, input.evaluation, {
    scannedAt: input.scannedAt,
    source: input.source,
    complete: input.complete,
    ...(input.incompleteScopes !== undefined ? { incompleteScopes: input.incompleteScopes } : {}),
    failures: input.failures,
  });
  try {
    const { messageId } = await publishNotification(input.clients.sns, topicArn, message, input.signal);
    input.logger.debug("notification sent", { subject: message.subject, messageId });
    const sent: NotificationJson = { sent: true, subject: message.subject, reason: describeChanges(changes) };
    if (messageId !== undefined) sent.messageId = messageId;
    return sent;
  } catch (err) {
    input.failures.push(toScanFailure(err, publishSite(input.config, "Publish")));
    return { sent: false, subject: message.subject, reason: PUBLISH_FAILED };
  }
}

/**
 * Sends the notification when something changed since the last one and remembers what was sent;
 * without a topic, only remembers the unit counts. Resolves to what the result says about it
 * (undefined without a topic).
 */
export async function notifyAndRemember(input: NotifyInput): Promise<NotificationJson | undefined> {
  const { config, store, loaded } = input;
  const topicArn = config.snsTopicArn;
  if (!hasChanges(input.changes) || topicArn === undefined) {
    if (store !== undefined && loaded !== undefined) await saveCounts(input, store, loaded);
    if (topicArn === undefined) return undefined;
    return { sent: false, reason: store !== undefined ? NOTHING_CHANGED : "no resource is in trouble" };
  }
  // Without a state table nothing is remembered: every run with findings notifies.
  if (store === undefined || loaded === undefined) return publish(input, topicArn, input.changes);

  const taken = await takeLease(input, store, loaded);
  if ("reason" in taken) {
    input.logger.info("no notification", { reason: taken.reason });
    return { sent: false, reason: taken.reason };
  }
  // The lease could not be taken for a fault of the table: notify anyway (a repeat beats a loss), save nothing.
  if ("failed" in taken) return publish(input, topicArn, taken.changes);

  const sent = await publish(input, topicArn, taken.changes);
  if (!sent.sent) {
    try {
      await store.release(taken.lease, input.signal);
    } catch (err) {
      input.failures.push(toScanFailure(err, publishSite(config, "UpdateItem")));
    }
    return sent;
  }
  const next = mergeForSave(taken.loaded.state, input.current, {
    complete: input.complete,
    incompleteScopes: input.incompleteScopes,
  });
  try {
    await store.save({ ...next, units: input.baselines }, taken.lease, input.signal);
  } catch (err) {
    // The message went out; the next scan repeats it once, which beats losing track of it. It
    // gets the lease back at once rather than when it lapses.
    input.failures.push(toScanFailure(err, publishSite(config, "PutItem")));
    await store.release(taken.lease, input.signal).catch(() => undefined);
  }
  return sent;
}
