/**
 * The EC2 source across accounts: every configured Region of every account, read as one pool of
 * account-Regions with at most `concurrency` in flight. Each account-Region is read exactly as the
 * single-account EC2 source reads a Region (collect/ec2.ts), with the member role's session of that
 * account, or with the scanner's own credentials for its own account.
 *
 * An account-Region that cannot be read (role missing or denied, Region not enabled, throttled past
 * the retries) is a failure named with its account and Region; the others still report.
 *
 * A VPC shared through AWS RAM shows up in its owner's account and in every participant's: the
 * participant sees the subnets shared with it, the owner sees them all. Each resource CIDR is kept
 * once, from its owner's account when that account was read, so nothing is counted twice and VPC
 * usage is measured from every subnet.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { mapWithConcurrency } from "../concurrency";
import { ScanError } from "../errors";
import type { CollectResult, ResourceCidr, ScanFailure } from "../types";
import type { AccountTarget } from "./accounts";
import { toScanFailure } from "./aws-error";
import type { MemberRoleCredentials, SessionCredentials } from "./credentials";
import type { Deadline } from "./deadline";
import { collectFromEc2, ec2RegionUnit } from "./ec2";
import { unitTarget } from "./unit-target";

export interface CrossAccountClients {
  /** EC2 client of the scanner's own account in a Region. */
  ownEc2(region: string): EC2Client;
  /** EC2 client of a member account in a Region; `credentials` gives the account's member role session. */
  memberEc2(accountId: string, region: string, credentials: () => Promise<SessionCredentials>): EC2Client;
}

export interface CrossAccountOptions {
  accounts: readonly AccountTarget[];
  regions: readonly string[];
  /** Account-Regions read at once. */
  concurrency: number;
  /** MaxResults of the EC2 describe calls; the EC2 source's default when absent. */
  pageSize?: number;
  /** When to stop collecting; none by default. */
  deadline?: Deadline;
  /** Most pages an account-Region's paginations may read, by unit key (see paginate.ts). */
  pageCeiling?: (unitKey: string) => number;
}

/** One account-Region, the unit a cross-account scan reads and reports on. */
export interface AccountRegion {
  account: AccountTarget;
  region: string;
}

/** "account 111122223333 (payments-prod) region eu-west-1": how failures and logs name an account-Region. */
export function accountRegionTarget(account: Pick<AccountTarget, "accountId" | "name">, region: string): string {
  return unitTarget(ec2RegionUnit(region, account.accountId), account.name);
}

/** Every account-Region, account by account, so that one account's Regions share its session while it is fresh. */
export function accountRegions(accounts: readonly AccountTarget[], regions: readonly string[]): AccountRegion[] {
  const unique = [...new Set(regions)];
  return accounts.flatMap((account) => unique.map((region) => ({ account, region })));
}

/** Error codes with which EC2 refuses credentials in a Region the account has not enabled. */
const REGION_NOT_ENABLED_CODES = new Set(["AuthFailure", "OptInRequired", "UnrecognizedClientException"]);

/** A failure without an API call behind it (a client that cannot be built): the error's own words. */
function failureOf(target: string, err: unknown): ScanFailure {
  if (err instanceof ScanError) {
    const failure: ScanFailure = { target, action: err.action, message: err.message };
    if (err.code !== undefined) failure.code = err.code;
    return failure;
  }
  return { target, message: err instanceof Error ? err.message : String(err) };
}

/** The EC2 source's failure of "region R", renamed to its account-Region and with a hint for disabled Regions. */
function renamed(failure: ScanFailure, target: string, region: string): ScanFailure {
  const out: ScanFailure = { ...failure, target };
  if (failure.code !== undefined && REGION_NOT_ENABLED_CODES.has(failure.code)) {
    out.message = `${failure.message} (is ${region} enabled in this account? Opt-in Regions must be enabled per account.)`;
  }
  return out;
}

async function collectAccountRegion(
  clients: CrossAccountClients,
  credentials: MemberRoleCredentials,
  { account, region }: AccountRegion,
  options: CrossAccountOptions,
): Promise<CollectResult> {
  const target = accountRegionTarget(account, region);
  const unit = ec2RegionUnit(region, account.accountId);
  let client: EC2Client;
  if (account.own) {
    client = clients.ownEc2(region);
  } else {
    try {
      // Assumed once per account; an account whose role is missing fails here in every Region at the cost of one call.
      await credentials.forAccount(account.accountId);
    } catch (err) {
      return {
        resources: [],
        // The session's ScanError names the role and what to deploy or grant; the shared path keeps its code.
        failures: [toScanFailure(err, { target, action: "AssumeRole", service: "sts", unit: unit.key })],
        units: [{ unit, resources: 0, pages: 0, complete: false }],
      };
    }
    client = clients.memberEc2(account.accountId, region, () => credentials.forAccount(account.accountId));
  }
  const read = await collectFromEc2(() => client, {
    regions: [region],
    concurrency: 1,
    accountId: account.accountId,
    unitAccount: account.accountId,
    ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
    ...(options.pageCeiling !== undefined ? { pageCeiling: options.pageCeiling } : {}),
  });
  return {
    resources: read.resources,
    failures: read.failures.map((f) => renamed(f, target, region)),
    units: read.units,
  };
}

/** Keeps one copy of each resource CIDR: its owner's when the owner's account was read, else the first. */
export function withoutSharedCopies(
  perAccountRegion: ReadonlyArray<{ accountId: string; resources: readonly ResourceCidr[] }>,
): ResourceCidr[] {
  const kept = new Map<string, { resource: ResourceCidr; fromOwner: boolean }>();
  for (const { accountId, resources } of perAccountRegion) {
    for (const resource of resources) {
      const key = `${resource.region ?? ""}|${resource.resourceType}|${resource.resourceId}|${resource.cidr}`;
      const fromOwner = resource.ownerId === accountId;
      const existing = kept.get(key);
      if (existing === undefined || (!existing.fromOwner && fromOwner)) kept.set(key, { resource, fromOwner });
    }
  }
  return [...kept.values()].map((k) => k.resource);
}

/** What one account-Region returned. */
export interface AccountRegionResult extends CollectResult {
  accountId: string;
  region: string;
}

/**
 * Reads every Region of every account and returns each account-Region's answer on its own, shared
 * copies included (a fan-out shard stores them so that the final step can merge across shards).
 * Invalid options throw; everything the accounts answer, a failure included, is returned.
 */
export async function collectAccountRegions(
  clients: CrossAccountClients,
  credentials: MemberRoleCredentials,
  options: CrossAccountOptions,
): Promise<AccountRegionResult[]> {
  if (!Number.isSafeInteger(options.concurrency) || options.concurrency < 1) {
    throw new RangeError(`concurrency ${options.concurrency} must be a whole number ≥ 1`);
  }
  const units = accountRegions(options.accounts, options.regions);
  return mapWithConcurrency(units, options.concurrency, async (unit): Promise<AccountRegionResult> => {
    const where = { accountId: unit.account.accountId, region: unit.region };
    try {
      return { ...where, ...(await collectAccountRegion(clients, credentials, unit, options)) };
    } catch (err) {
      // Anything unexpected (a client that cannot be built) loses this account-Region only.
      const failed = ec2RegionUnit(unit.region, unit.account.accountId);
      return {
        ...where,
        resources: [],
        failures: [{ ...failureOf(accountRegionTarget(unit.account, unit.region), err), unit: failed.key }],
        units: [{ unit: failed, resources: 0, pages: 0, complete: false }],
      };
    }
  });
}

/** The account-Regions' answers as one collection: each resource CIDR once, failures and units in order. */
export function mergeAccountRegions(results: readonly AccountRegionResult[]): CollectResult {
  return {
    resources: withoutSharedCopies(results),
    failures: results.flatMap((r) => r.failures),
    units: results.flatMap((r) => r.units),
  };
}

/** Reads every Region of every account as one collection (see collectAccountRegions). */
export async function collectFromAccounts(
  clients: CrossAccountClients,
  credentials: MemberRoleCredentials,
  options: CrossAccountOptions,
): Promise<CollectResult> {
  return mergeAccountRegions(await collectAccountRegions(clients, credentials, options));
}
