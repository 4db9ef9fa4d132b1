/**
 * The steps of a scan on Step Functions, each one invocation of the same function:
 *
 *   plan          list the accounts, decide one invocation or shards, write the shards (plan.json)
 *   collect-shard read one shard's accounts in every Region, write what it read (shards/<n>.json.gz)
 *   record-shard-failure
 *                 a shard failed after its retries: write every one of its account-Regions as failed
 *   finish        read every shard (a missing one is a failure of its account-Regions), then
 *                 evaluate, publish and notify once, exactly as a single invocation does
 *
 * Each member role is assumed once per scan: a shard holds whole accounts. A shard that fails makes
 * the scan partial and names its account-Regions; it never hides them.
 */
import type { AwsClients } from "../clients";
import { whoAmI } from "../collect/credentials";
import { type CrossAccountCollectResult, memberRoleSessions, selectAccounts } from "../collect/cross-account";
import { ec2RegionUnit } from "../collect/ec2";
import {
  type AccountRegionResult,
  accountRegionTarget,
  collectAccountRegions,
  mergeAccountRegions,
} from "../collect/organization";
import type { Config, CrossAccountConfig, FanOutConfig } from "../config";
import { ConfigError } from "../errors";
import type { ScanFailure } from "../types";
import { chooseMode, FAN_OUT_FIGURES, planShards, type Shard } from "./plan";
import {
  decodeInventory,
  encodeInventory,
  encodeJson,
  type ObjectStore,
  planKey,
  readPlan,
  type ScanRecord,
  type ShardInventory,
  scanKey,
  shardKey,
} from "./store";

/** What the plan step returns to the state machine: small, whatever the organization's size. */
export interface PlanOutput {
  scanId: string;
  mode: "single" | "sharded";
  bucket: string;
  planKey: string;
  accounts: number;
  accountRegions: number;
  skippedAccounts: number;
  shards: number;
}

export interface ShardOutput {
  scanId: string;
  shard: number;
  accountRegions: number;
  resources: number;
  /** Account-Regions with at least one failure. */
  failedAccountRegions: number;
}

/** The settings every step needs; a deployment without them cannot run on Step Functions. */
export function fanOutSettings(config: Config): { crossAccount: CrossAccountConfig; fanOut: FanOutConfig } {
  if (config.crossAccount === undefined || config.fanOut === undefined) {
    throw new ConfigError(
      "FAN_OUT",
      "the function was sent a Step Functions step but FAN_OUT, SCAN_BUCKET and ACCOUNTS or ORGANIZATION are not all set.",
    );
  }
  return { crossAccount: config.crossAccount, fanOut: config.fanOut };
}

export async function plan(
  config: Config,
  clients: AwsClients,
  store: ObjectStore,
  scanId: string,
  now: () => Date = () => new Date(),
): Promise<PlanOutput> {
  const { crossAccount, fanOut } = fanOutSettings(config);
  const caller = await whoAmI(clients.sts);
  const selection = await selectAccounts(clients, crossAccount, caller);
  const regions = [...new Set(config.regions)];
  const accountRegions = selection.accounts.length * regions.length;
  const mode = chooseMode(fanOut.mode, accountRegions);
  const shards =
    mode === "sharded" ? planShards(selection.accounts, regions, FAN_OUT_FIGURES.accountRegionsPerShard) : [];
  if (mode === "sharded") {
    const record: ScanRecord = {
      version: 1,
      scanId,
      createdAt: now().toISOString(),
      shards: shards.length,
      accounts: selection.accounts.length,
      accountRegions,
      skipped: selection.skipped,
    };
    await store.put(scanKey(scanId), encodeJson(record), "application/json");
    await store.put(planKey(scanId), encodeJson(shards), "application/json");
  }
  return {
    scanId,
    mode,
    bucket: fanOut.bucket,
    planKey: planKey(scanId),
    accounts: selection.accounts.length,
    accountRegions,
    skippedAccounts: selection.skipped.length,
    shards: shards.length,
  };
}

function summary(scanId: string, shard: Shard, results: readonly AccountRegionResult[]): ShardOutput {
  return {
    scanId,
    shard: shard.index,
    accountRegions: results.length,
    resources: results.reduce((n, r) => n + r.resources.length, 0),
    failedAccountRegions: results.filter((r) => r.failures.length > 0).length,
  };
}

export async function collectShard(
  config: Config,
  clients: AwsClients,
  store: ObjectStore,
  scanId: string,
  shard: Shard,
): Promise<ShardOutput> {
  const { crossAccount } = fanOutSettings(config);
  const caller = await whoAmI(clients.sts);
  const sessions = memberRoleSessions(clients, crossAccount, caller);
  // The plan marked the scanner's own account; a shard run elsewhere must not read another account as its own.
  const accounts = shard.accounts.map((a) => ({ ...a, own: a.accountId === caller.accountId }));
  const results = await collectAccountRegions(
    {
      ownEc2: (region) => clients.ec2ForRegion(region),
      memberEc2: (accountId, region, credentials) => clients.ec2ForAccount(accountId, region, credentials),
    },
    sessions,
    { accounts, regions: shard.regions, concurrency: crossAccount.concurrency },
  );
  const inventory: ShardInventory = {
    version: 1,
    scanId,
    shard: shard.index,
    results,
    assumeRoleCalls: sessions.assumeRoleCalls,
  };
  await store.put(shardKey(scanId, shard.index), encodeInventory(inventory), "application/gzip");
  return summary(scanId, shard, results);
}

/** Every account-Region of a shard as failed, with one reason: each an incomplete unit. */
function failedShard(shard: Shard, failure: (target: string) => ScanFailure): AccountRegionResult[] {
  return shard.accounts.flatMap((account) =>
    shard.regions.map((region) => {
      const unit = ec2RegionUnit(region, account.accountId);
      return {
        accountId: account.accountId,
        region,
        resources: [],
        failures: [{ ...failure(accountRegionTarget(account, region)), unit: unit.key }],
        units: [{ unit, resources: 0, pages: 0, complete: false }],
      };
    }),
  );
}

const MAX_CAUSE = 300;

export async function recordShardFailure(
  store: ObjectStore,
  scanId: string,
  shard: Shard,
  error: { error: string; cause: string },
): Promise<ShardOutput> {
  const cause = error.cause.length > MAX_CAUSE ? `${error.cause.slice(0, MAX_CAUSE)}…` : error.cause;
  const results = failedShard(shard, (target) => ({
    target,
    code: error.error,
    message: `shard ${shard.index} failed after its retries (${error.error}${cause === "" ? "" : `: ${cause}`}); its account-Regions were not read`,
  }));
  const inventory: ShardInventory = { version: 1, scanId, shard: shard.index, results, assumeRoleCalls: 0 };
  await store.put(shardKey(scanId, shard.index), encodeInventory(inventory), "application/gzip");
  return summary(scanId, shard, results);
}

/**
 * Everything the shards read, as one collection, for the final step. A shard without an inventory
 * (its invocations and the recording of their failure all failed) is a failure of each of its
 * account-Regions.
 */
export async function gatherShards(store: ObjectStore, scanId: string): Promise<CrossAccountCollectResult> {
  const { record, shards } = await readPlan(store, scanId);
  const results: AccountRegionResult[] = [];
  let assumeRoleCalls = 0;
  let accounts = 0;
  for (const shard of shards) {
    accounts += shard.accounts.length;
    const key = shardKey(scanId, shard.index);
    const body = await store.get(key);
    if (body === undefined) {
      results.push(
        ...failedShard(shard, (target) => ({
          target,
          code: "ShardMissing",
          message: `shard ${shard.index} left no inventory at ${store.where}/${key}: its invocations failed and so did recording why; see the Map Run of execution ${scanId}`,
        })),
      );
      continue;
    }
    const inventory = decodeInventory(body, `${store.where}/${key}`);
    assumeRoleCalls += inventory.assumeRoleCalls;
    results.push(...inventory.results);
  }
  return { ...mergeAccountRegions(results), accounts, skipped: record.skipped, assumeRoleCalls };
}
