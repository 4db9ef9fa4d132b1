/**
 * Which EC2 client reads the interfaces and reservations of an opted-in subnet, per source.
 *
 * - EC2 source: the subnet was listed with the client of its region, which reads it again. A
 *   subnet another account shares with this one is not read: a participant sees only its own
 *   interfaces in it.
 * - IPAM source: IPAM lists subnets of every account it monitors, but its APIs expose neither the
 *   private addresses of interfaces nor their prefixes nor CIDR reservations (README, "Which
 *   source?"), so they are read from EC2 in the subnet's region — which works for subnets of the
 *   account the scan runs in (the account id is known) and for any subnet when the account is not
 *   known, where the interface check in measure.ts and a failed reservation read keep a subnet
 *   of another account from being measured wrongly.
 */

import type { EC2Client } from "@aws-sdk/client-ec2";
import type { SourceName } from "../types";
import type { CapacityOptions } from "./enrich";

export function capacityReaders(
  source: SourceName,
  ec2ForRegion: (region: string) => EC2Client,
  accountId: string | undefined,
): CapacityOptions["clientFor"] {
  return (resource) => {
    if (resource.region === undefined) return { unreadable: "not measured: the source gives no region for the subnet" };
    if (accountId !== undefined && resource.ownerId !== undefined && resource.ownerId !== accountId) {
      const how = source === "ipam" ? "IPAM monitors it" : "it is shared with this account";
      return {
        unreadable:
          `not measured: the subnet belongs to account ${resource.ownerId} (${how}); the scan reads interfaces and ` +
          `reservations in its own account ${accountId}, where another account's interfaces are not all visible`,
      };
    }
    return { key: `capacity/${resource.region}`, region: resource.region, client: ec2ForRegion(resource.region) };
  };
}
