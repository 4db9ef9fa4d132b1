/**
 * One subnet's block map, for `ipam-monitor capacity SUBNET_ID`: every aligned /28 with its state
 * and the interfaces in it, the subnet's capacity figures and the interfaces that block it most.
 * Reads DescribeSubnets for the subnet, then its interfaces and reservations as a scan does.
 */

import { DescribeSubnetsCommand, type EC2Client, type Subnet } from "@aws-sdk/client-ec2";
import { toScanError } from "../collect/aws-error";
import { readRegionCapacity } from "../collect/enis";
import { ScanError } from "../errors";
import type { Blocker } from "../types";
import { rankBlockers } from "./blockers";
import { type CidrReservation, type PrefixBlock, prefixBlocks, subnetLayout } from "./blocks";

export interface BlockMapReport {
  subnetId: string;
  name?: string;
  cidr: string;
  region: string;
  vpcId?: string;
  ownerId?: string;
  availabilityZone?: string;
  availabilityZoneId?: string;
  /** EC2's AvailableIpAddressCount, as the subnet read reports it. */
  availableIpAddressCount?: number;
  usableAddresses: number;
  inUseAddresses: number;
  freePrefixes: number;
  /** Of the free /28s, those inside a prefix reservation. */
  freePrefixesReserved: number;
  assignableAddresses: number;
  largestFreeBlock?: number;
  interfaces: number;
  reservations: CidrReservation[];
  blocks: PrefixBlock[];
  blockers: Blocker[];
}

/** Reads the subnet and builds its block map. Throws a ScanError naming the call and subnet when a read fails. */
export async function inspectSubnet(client: EC2Client, region: string, subnetId: string): Promise<BlockMapReport> {
  let subnet: Subnet | undefined;
  try {
    const out = await client.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    if (out.Subnets === undefined) {
      throw new ScanError("DescribeSubnets", `DescribeSubnets answered without its result set for ${subnetId}`, {
        code: "MalformedResponse",
      });
    }
    subnet = out.Subnets.find((s) => s.SubnetId === subnetId);
  } catch (err) {
    if (err instanceof ScanError) throw err;
    throw toScanError("DescribeSubnets", err);
  }
  if (subnet === undefined) {
    throw new ScanError("DescribeSubnets", `subnet ${subnetId} was not found in ${region}`, { code: "NotFound" });
  }
  const cidr = subnet.CidrBlock;
  if (cidr === undefined || cidr === "") {
    throw new ScanError("DescribeSubnets", `subnet ${subnetId} has no IPv4 CIDR (IPv6-only): it has no /28 blocks`, {
      code: "NoIpv4Cidr",
    });
  }

  const facts = await readRegionCapacity(client, {
    region,
    subnets: [{ subnetId, ...(subnet.VpcId !== undefined ? { vpcId: subnet.VpcId } : {}), scopes: [] }],
    vpcs: new Map(),
  });
  const failure = facts.failures[0];
  if (failure !== undefined) {
    throw new ScanError(failure.action ?? "DescribeNetworkInterfaces", `${failure.target}: ${failure.message}`, {
      ...(failure.code !== undefined ? { code: failure.code } : {}),
    });
  }
  const interfaces = facts.interfaces.get(subnetId) ?? [];
  const reservations = facts.reservations.get(subnetId) ?? [];
  const layout = subnetLayout(cidr, interfaces, reservations);

  const report: BlockMapReport = {
    subnetId,
    cidr,
    region,
    usableAddresses: layout.usableAddresses,
    inUseAddresses: layout.inUseAddresses,
    freePrefixes: layout.freePrefixes,
    freePrefixesReserved: layout.freePrefixesReserved,
    assignableAddresses: layout.assignableAddresses,
    interfaces: interfaces.length,
    reservations,
    blocks: prefixBlocks(cidr, interfaces, reservations),
    blockers: rankBlockers(layout.interfaces, new Map(interfaces.map((e) => [e.networkInterfaceId, e]))),
  };
  const name = subnet.Tags?.find((t) => t.Key === "Name")?.Value;
  if (name !== undefined && name !== "") report.name = name;
  if (subnet.VpcId !== undefined) report.vpcId = subnet.VpcId;
  if (subnet.OwnerId !== undefined) report.ownerId = subnet.OwnerId;
  if (subnet.AvailabilityZone !== undefined) report.availabilityZone = subnet.AvailabilityZone;
  if (subnet.AvailabilityZoneId !== undefined) report.availabilityZoneId = subnet.AvailabilityZoneId;
  if (subnet.AvailableIpAddressCount !== undefined) report.availableIpAddressCount = subnet.AvailableIpAddressCount;
  if (layout.largestFreeBlock !== undefined) report.largestFreeBlock = layout.largestFreeBlock;
  return report;
}
