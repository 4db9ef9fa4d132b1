/**
 * How a scan of many account-Regions is split for the Step Functions fan-out: shards of whole
 * accounts (every Region of an account in one shard, so each member role is assumed once per scan),
 * at most `accountRegionsPerShard` account-Regions each, and whether one invocation can do it all.
 *
 * The figures come from figures.json beside this file, which the Terraform module reads too, and
 * from the measurement in docs/organization.md (scripts/bench --org): one invocation up to what a
 * 512 MB function scans in half the default 300 s timeout (about 2,980 account-Regions, rounded down
 * to 2,500); a shard is what it scans in 25 s (about 520, rounded down to 500), so a shard retried
 * with backoff still ends long before the next scheduled scan; 20 shards at once read 20,000
 * account-Regions in two waves.
 */

import type { AccountTarget } from "../collect/accounts";
import figures from "./figures.json";

export const FAN_OUT_FIGURES: Readonly<typeof figures> = figures;

/** One shard: the accounts one child invocation reads, in every Region of the scan. */
export interface Shard {
  index: number;
  accounts: AccountTarget[];
  regions: string[];
}

/**
 * Packs accounts in order into shards of at most `perShard` account-Regions. An account with more
 * Regions than that still gets one shard of its own: splitting it would assume its role twice.
 */
export function planShards(accounts: readonly AccountTarget[], regions: readonly string[], perShard: number): Shard[] {
  if (!Number.isSafeInteger(perShard) || perShard < 1)
    throw new RangeError(`perShard ${perShard} must be a whole number ≥ 1`);
  const unique = [...new Set(regions)];
  const accountsPerShard = Math.max(1, Math.floor(perShard / Math.max(1, unique.length)));
  const shards: Shard[] = [];
  for (let start = 0; start < accounts.length; start += accountsPerShard) {
    shards.push({ index: shards.length, accounts: accounts.slice(start, start + accountsPerShard), regions: unique });
  }
  return shards;
}

export type FanOutMode = "auto" | "step-functions";

/** "single" when one invocation reads everything reliably (auto only), else "sharded". */
export function chooseMode(
  mode: FanOutMode,
  accountRegions: number,
  singleMax = figures.singleInvocationMaxAccountRegions,
): "single" | "sharded" {
  return mode === "auto" && accountRegions <= singleMax ? "single" : "sharded";
}
