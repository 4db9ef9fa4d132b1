/**
 * The cross-account EC2 scan from its configuration: who the scanner is, which accounts to read
 * (a list or the organization), the member role sessions, then every account-Region.
 */
import type { AwsClients } from "../clients";
import type { CrossAccountConfig } from "../config";
import type { CollectResult } from "../types";
import { AccountEc2Clients, type Ec2For } from "./account-clients";
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
  /**
   * The EC2 client each account-Region was read with, for reads after the collection (capacity);
   * absent when the account-Regions were read elsewhere (fan-out shards).
   */
  ec2For?: Ec2For;
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
 * Member role sessions and EC2 clients for reads after a collection made elsewhere (the fan-out's
 * shards): the scanner is asked who it is only when a member account's client first signs a call,
 * and each role is assumed once. `accounts` are the accounts the collection read.
 */
export function laterAccountEc2(
  clients: AwsClients,
  settings: CrossAccountConfig,
  ownAccountId: string | undefined,
  accounts: ReadonlySet<string>,
): AccountEc2Clients {
  let sessions: Promise<MemberRoleCredentials> | undefined;
  const session = (accountId: string) => {
    sessions ??= whoAmI(clients.sts).then((caller) => memberRoleSessions(clients, settings, caller));
    return sessions.then((s) => s.forAccount(accountId));
  };
  return new AccountEc2Clients(clients, session, ownAccountId, accounts);
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
  const ec2 = new AccountEc2Clients(
    clients,
    (accountId) => sessions.forAccount(accountId),
    caller.accountId,
    new Set(selection.accounts.map((a) => a.accountId)),
  );
  const collected = await collectFromAccounts(ec2, sessions, {
    accounts: selection.accounts,
    regions,
    concurrency: settings.concurrency,
    ...bounds,
  });
  return {
    ...collected,
    accounts: selection.accounts.length,
    skipped: selection.skipped,
    assumeRoleCalls: sessions.assumeRoleCalls,
    ec2For: (accountId, region) => ec2.ec2For(accountId, region),
  };
}
