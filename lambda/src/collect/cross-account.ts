/**
 * The cross-account EC2 scan from its configuration: who the scanner is, which accounts to read
 * (a list or the organization), the member role sessions, then every account-Region.
 */
import type { AwsClients } from "../clients";
import type { CrossAccountConfig } from "../config";
import type { CollectResult } from "../types";
import { type AccountSelection, accountsFromList, accountsFromOrganization, type SkippedAccount } from "./accounts";
import { type Caller, MemberRoleCredentials, whoAmI } from "./credentials";
import { type CrossAccountOptions, collectFromAccounts } from "./organization";

export interface CrossAccountCollectResult extends CollectResult {
  /** Accounts read (or attempted). */
  accounts: number;
  /** Accounts of the organization not read because they are not ACTIVE. */
  skipped: SkippedAccount[];
  /** AssumeRole calls made: one per member account read. */
  assumeRoleCalls: number;
}

/** The accounts to read: exactly the list, or every ACTIVE account of the organization (or of its OUs). */
export async function selectAccounts(
  clients: Pick<AwsClients, "organizations">,
  settings: CrossAccountConfig,
  caller: Caller,
): Promise<AccountSelection> {
  if (settings.accounts !== undefined) return accountsFromList(settings.accounts, caller.accountId);
  return accountsFromOrganization(clients.organizations, {
    ownAccountId: caller.accountId,
    ...(settings.organizationalUnits !== undefined ? { organizationalUnits: settings.organizationalUnits } : {}),
  });
}

/** A fresh set of member role sessions: one per scan, so each role is assumed once per scan. */
export function memberRoleSessions(
  clients: Pick<AwsClients, "sts">,
  settings: CrossAccountConfig,
  caller: Caller,
): MemberRoleCredentials {
  return new MemberRoleCredentials(clients.sts, {
    roleName: settings.memberRoleName,
    partition: caller.partition,
    ...(settings.externalId !== undefined ? { externalId: settings.externalId } : {}),
  });
}

/**
 * Reads every configured Region of every selected account. Failing to tell who the scanner is or to
 * list the organization throws a ScanError (nothing can be read); anything else is a failure of the
 * account-Regions it touches.
 */
export async function collectCrossAccount(
  clients: AwsClients,
  settings: CrossAccountConfig,
  regions: readonly string[],
  bounds: Pick<CrossAccountOptions, "deadline" | "pageCeiling"> = {},
): Promise<CrossAccountCollectResult> {
  const caller = await whoAmI(clients.sts);
  const selection = await selectAccounts(clients, settings, caller);
  const sessions = memberRoleSessions(clients, settings, caller);
  const collected = await collectFromAccounts(
    {
      ownEc2: (region) => clients.ec2ForRegion(region),
      memberEc2: (accountId, region, credentials) => clients.ec2ForAccount(accountId, region, credentials),
    },
    sessions,
    { accounts: selection.accounts, regions, concurrency: settings.concurrency, ...bounds },
  );
  return {
    ...collected,
    accounts: selection.accounts.length,
    skipped: selection.skipped,
    assumeRoleCalls: sessions.assumeRoleCalls,
  };
}
