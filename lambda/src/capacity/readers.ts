/**
 * Which EC2 client reads the interfaces and reservations of an opted-in subnet, per source.
 *
 * - EC2 source, one account: the subnet was listed with the client of its region, which reads it
 *   again. A subnet another account shares with this one is not read: a participant sees only its
 *   own interfaces in it.
 * - EC2 source across accounts: the subnet is read in its owner's account with the client (the
 *   member role session) that account-Region was collected with. A subnet whose owner the scan does
 *   not read (seen only as shared with an account it reads) is not read, for the same reason.
 * - IPAM source: IPAM lists subnets of every account it monitors, but its APIs expose neither the
 *   private addresses of interfaces nor their prefixes nor CIDR reservations (README, "Which
 *   source?"), so they are read from EC2 in the subnet's region — which works for subnets of the
 *   account the scan runs in (the account id is known) and for any subnet when the account is not
 *   known, where the interface check in measure.ts and a failed reservation read keep a subnet
 *   of another account from being measured wrongly.
 */

import type { EC2Client } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../clients";
import type { Ec2For } from "../collect/account-clients";
import { laterAccountEc2 } from "../collect/cross-account";
import type { Config } from "../config";
import type { CollectResult, SourceName } from "../types";
import type { CapacityOptions } from "./enrich";

/**
 * The EC2 client of each account-Region for a scan of several accounts, undefined otherwise: the
 * clients the collection used, or, when the account-Regions were read elsewhere (the fan-out's
 * shards), new ones of the accounts the collection read, each assuming its role once.
 */
export function accountReaders(
  config: Pick<Config, "source" | "crossAccount">,
  clients: AwsClients,
  ownAccountId: string | undefined,
  collected: CollectResult & { ec2For?: Ec2For },
): Ec2For | undefined {
  if (config.source !== "ec2" || config.crossAccount === undefined) return undefined;
  if (collected.ec2For !== undefined) return collected.ec2For;
  const accounts = new Set(collected.units.flatMap((u) => (u.unit.account === undefined ? [] : [u.unit.account])));
  const later = laterAccountEc2(clients, config.crossAccount, ownAccountId, accounts);
  return (accountId, region) => later.ec2For(accountId, region);
}

export function capacityReaders(
  source: SourceName,
  ec2ForRegion: (region: string) => EC2Client,
  accountId: string | undefined,
  ec2ForAccount?: Ec2For,
): CapacityOptions["clientFor"] {
  return (resource) => {
    const { region, ownerId } = resource;
    if (region === undefined) return { unreadable: "not measured: the source gives no region for the subnet" };
    if (ec2ForAccount !== undefined) {
      if (ownerId === undefined) return { unreadable: "not measured: the source gives no account for the subnet" };
      const client = ec2ForAccount(ownerId, region);
      if (client === undefined) {
        return {
          unreadable:
            `not measured: the subnet belongs to account ${ownerId}, which the scan does not read (it is shared with ` +
            "an account it reads, where another account's interfaces are not all visible); add the owner to the accounts read",
        };
      }
      return { key: `capacity/${ownerId}/${region}`, region, account: ownerId, client };
    }
    if (accountId !== undefined && ownerId !== undefined && ownerId !== accountId) {
      const how = source === "ipam" ? "IPAM monitors it" : "it is shared with this account";
      return {
        unreadable:
          `not measured: the subnet belongs to account ${ownerId} (${how}); the scan reads interfaces and ` +
          `reservations in its own account ${accountId}, where another account's interfaces are not all visible`,
      };
    }
    return { key: `capacity/${region}`, region, client: ec2ForRegion(region) };
  };
}
