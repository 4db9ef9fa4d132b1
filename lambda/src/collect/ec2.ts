/**
 * The EC2 source, for accounts without IPAM: VPC CIDR blocks, subnets and
 * Elastic IPs read with DescribeVpcs, DescribeSubnets and DescribeAddresses,
 * turned into the same ResourceCidr objects the IPAM source produces so one
 * rules file works with either source.
 *
 * Nothing is filtered by tag: a filter on tag:Name hides every untagged
 * subnet. Each region is read on its own and a failing region becomes a
 * ScanFailure while the others still report.
 *
 * Each Elastic IP is a /32 of one address: 100% used with 0 free when
 * associated, 0% used with 1 free when idle. A single address never runs out,
 * so the running-out thresholds (`warning`, `critical`, `minFree*`) leave it
 * ok; what costs money is an idle one, billed every hour. A scope alerts on
 * those with a minimum-utilization threshold, e.g.
 * `match: { resourceTypes: [eip] }` with `minUtilizationWarning: 1`.
 */

import {
  type Address,
  DescribeAddressesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Subnet,
  type Tag,
  type Vpc,
} from "@aws-sdk/client-ec2";
import { parseCidr } from "../cidr";
import { mapWithConcurrency } from "../concurrency";
import { type Measurement, measureFromAvailable, measureUsage } from "../measure";
import type { CollectionUnit, CollectResult, ResourceCidr, ScanFailure } from "../types";
import { toScanFailure } from "./aws-error";
import { sendCollecting } from "./call";
import { type Deadline, NO_DEADLINE } from "./deadline";
import { allocationWithin } from "./ec2-room";
import { DEFAULT_PAGE_CEILING_MIN, paginate } from "./paginate";
import { uniqueResources } from "./unique";
import { unitTarget } from "./unit-target";

export interface Ec2CollectOptions {
  /** Regions to scan; repeated names are scanned once. */
  regions: readonly string[];
  /** Regions read at once. Default 4. */
  concurrency?: number;
  /** MaxResults for DescribeVpcs and DescribeSubnets (the API accepts 5–1000). Default 1000. */
  pageSize?: number;
  /**
   * The account that runs the scan, when known (the Lambda handler has it in
   * its function ARN). It lets the collector tell VPCs shared with this
   * account through RAM, whose subnets it can only partly see, and name the
   * owner of Elastic IPs, which DescribeAddresses only returns for the caller.
   */
  accountId?: string;
  /** When to stop collecting; none by default. */
  deadline?: Deadline;
  /** Most pages a unit's pagination may read (see paginate.ts); DEFAULT_PAGE_CEILING_MIN by default. */
  pageCeiling?: (unitKey: string) => number;
  /** Reports each Region as the account-Region unit of this account (a cross-account scan). */
  unitAccount?: string;
}

/**
 * The collection unit of a Region: of the account that runs the scan ("ec2/eu-west-1"), or of a
 * member account read through its role ("ec2/111122223333/eu-west-1").
 */
export function ec2RegionUnit(region: string, account?: string): CollectionUnit {
  if (account === undefined) return { key: `ec2/${region}`, source: "ec2", region };
  return { key: `ec2/${account}/${region}`, source: "ec2", account, region };
}

const DEFAULT_REGION_CONCURRENCY = 4;
const DEFAULT_EC2_PAGE_SIZE = 1000;
const MIN_PAGE_SIZE = 5;
const MAX_PAGE_SIZE = 1000;

const ASSOCIATED = "associated";

function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? "";
  }
  return record;
}

/** The fields every resource shares, without keys whose value is unknown. */
function identity(fields: {
  resourceId: string;
  resourceType: "vpc" | "subnet" | "eip";
  tags: Readonly<Record<string, string>>;
  region: string;
  ownerId?: string | undefined;
  vpcId?: string | undefined;
  availabilityZoneId?: string | undefined;
  availabilityZone?: string | undefined;
}): Omit<ResourceCidr, keyof Measurement | "cidr"> {
  const base: Omit<ResourceCidr, keyof Measurement | "cidr"> = {
    source: "ec2",
    resourceId: fields.resourceId,
    resourceType: fields.resourceType,
    tags: { ...fields.tags },
    region: fields.region,
  };
  const name = fields.tags.Name;
  if (name !== undefined && name !== "") base.name = name;
  if (fields.ownerId !== undefined) base.ownerId = fields.ownerId;
  if (fields.vpcId !== undefined) base.vpcId = fields.vpcId;
  if (fields.availabilityZoneId !== undefined) base.availabilityZoneId = fields.availabilityZoneId;
  if (fields.availabilityZone !== undefined) base.availabilityZone = fields.availabilityZone;
  return base;
}

/** IPv6 blocks in the associated state; blocks being added or removed are not allocated yet or any more. */
function associatedIpv6Blocks(
  associations:
    | readonly { Ipv6CidrBlock?: string | undefined; Ipv6CidrBlockState?: { State?: string | undefined } | undefined }[]
    | undefined,
): string[] {
  return (associations ?? []).flatMap((a) =>
    a.Ipv6CidrBlock !== undefined && a.Ipv6CidrBlockState?.State === ASSOCIATED ? [a.Ipv6CidrBlock] : [],
  );
}

/** The primary and every secondary IPv4 block of a VPC that is in the associated state. */
function associatedIpv4Blocks(vpc: Vpc): string[] {
  if (vpc.CidrBlockAssociationSet === undefined) return vpc.CidrBlock === undefined ? [] : [vpc.CidrBlock];
  return vpc.CidrBlockAssociationSet.flatMap((a) =>
    a.CidrBlock !== undefined && a.CidrBlockState?.State === ASSOCIATED ? [a.CidrBlock] : [],
  );
}

/**
 * One resource for the subnet's IPv4 CIDR, measured from AvailableIpAddressCount,
 * plus one per associated IPv6 CIDR with unknown usage: EC2 does not say how
 * many IPv6 addresses are in use. IPv6-only subnets have no CidrBlock and
 * yield their IPv6 resources alone.
 */
function subnetResources(subnet: Subnet, region: string): ResourceCidr[] {
  if (subnet.SubnetId === undefined) return [];
  const base = identity({
    resourceId: subnet.SubnetId,
    resourceType: "subnet",
    tags: tagRecord(subnet.Tags),
    region,
    ownerId: subnet.OwnerId,
    vpcId: subnet.VpcId,
    availabilityZoneId: subnet.AvailabilityZoneId,
    availabilityZone: subnet.AvailabilityZone,
  });
  const resources: ResourceCidr[] = [];
  if (subnet.CidrBlock !== undefined && subnet.CidrBlock !== "") {
    const cidr = subnet.CidrBlock;
    const measurement =
      subnet.AvailableIpAddressCount === undefined
        ? measureUsage({ resourceType: "subnet", cidr })
        : measureFromAvailable({ cidr, availableIpAddressCount: subnet.AvailableIpAddressCount });
    resources.push({ ...base, tags: { ...base.tags }, cidr, ...measurement });
  }
  for (const cidr of associatedIpv6Blocks(subnet.Ipv6CidrBlockAssociationSet)) {
    resources.push({ ...base, tags: { ...base.tags }, cidr, ...measureUsage({ resourceType: "subnet", cidr }) });
  }
  return resources;
}

/**
 * One resource per associated CIDR block of the VPC (primary and secondary,
 * IPv4 and IPv6). Used = addresses of the block allocated to subnets, as
 * IPAM counts a VPC, plus the room left for new subnets. `subnets` must be
 * every subnet of the region the scan could see; `usageKnown` false (a VPC
 * shared with this account, of which only some subnets are visible) leaves
 * usage unknown rather than under-reported.
 */
function vpcResources(vpc: Vpc, subnets: readonly Subnet[], region: string, usageKnown = true): ResourceCidr[] {
  if (vpc.VpcId === undefined) return [];
  const vpcId = vpc.VpcId;
  const base = identity({
    resourceId: vpcId,
    resourceType: "vpc",
    tags: tagRecord(vpc.Tags),
    region,
    ownerId: vpc.OwnerId,
    vpcId,
  });
  const own = subnets.filter((s) => s.VpcId === vpcId);
  const ipv4Children = own.flatMap((s) => (s.CidrBlock === undefined || s.CidrBlock === "" ? [] : [s.CidrBlock]));
  const ipv6Children = own.flatMap((s) => associatedIpv6Blocks(s.Ipv6CidrBlockAssociationSet));

  const measureBlock = (cidr: string, children: readonly string[]): ResourceCidr => {
    if (!usageKnown) return { ...base, tags: { ...base.tags }, cidr, ...measureUsage({ resourceType: "vpc", cidr }) };
    const { family: addressFamily } = parseCidr(cidr);
    const { size, allocated, unallocated, room } = allocationWithin(cidr, children);
    // Number() loses nothing here: sizes are powers of two and allocations are
    // sums of a few subnet sizes, all well within a double's 53-bit mantissa.
    const utilization = (Number(allocated) / Number(size)) * 100;
    return {
      ...base,
      tags: { ...base.tags },
      cidr,
      addressFamily,
      size,
      usable: size,
      used: allocated,
      free: unallocated,
      utilization,
      room,
    };
  };

  return [
    ...associatedIpv4Blocks(vpc).map((cidr) => measureBlock(cidr, ipv4Children)),
    ...associatedIpv6Blocks(vpc.Ipv6CidrBlockAssociationSet).map((cidr) => measureBlock(cidr, ipv6Children)),
  ];
}

/**
 * An Elastic IP as a /32 of one address, used when associated (with an
 * instance, a network interface, a NAT gateway, …) and free when idle.
 * DescribeAddresses does not name the owning account; `ownerId` is the
 * caller's account when known, since the API lists only the caller's addresses.
 */
export function addressResource(address: Address, region: string, ownerId?: string): ResourceCidr | undefined {
  // A Wavelength Zone address may carry only a carrier IP.
  const ip = address.PublicIp ?? address.CarrierIp;
  if (ip === undefined || ip === "") return undefined;
  const cidr = `${ip}/32`;
  const associated = address.AssociationId !== undefined && address.AssociationId !== "";
  return {
    ...identity({
      resourceId: address.AllocationId ?? ip,
      resourceType: "eip",
      tags: tagRecord(address.Tags),
      region,
      ownerId,
    }),
    cidr,
    ...measureUsage({ resourceType: "eip", cidr, ipUsage: associated ? 1 : 0 }),
  };
}

/** Every item of a pagination, bounded by paginate(); `counter` counts the unit's pages. */
async function readAllPages<Page extends { NextToken?: string | undefined }, Item>(
  action: string,
  scan: RegionScan,
  fetchPage: (nextToken: string | undefined, abortSignal: AbortSignal) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  await paginate({
    action,
    fetchPage: (nextToken) => sendCollecting(action, scan.deadline, (abortSignal) => fetchPage(nextToken, abortSignal)),
    tokenOf: (page) => page.NextToken,
    onPage: (page) => {
      for (const item of itemsOf(page) ?? []) items.push(item);
    },
    ceiling: scan.ceiling,
    deadline: scan.deadline,
    counter: scan.counter,
  });
  return items;
}

/** MaxResults and, after the first page, NextToken; never a Filters entry, so untagged resources are listed too. */
function pageRequest(pageSize: number, nextToken: string | undefined): { MaxResults: number; NextToken?: string } {
  return nextToken === undefined ? { MaxResults: pageSize } : { MaxResults: pageSize, NextToken: nextToken };
}

/** Keeps the first item of each id: a shared subnet must count once. */
function uniqueBy<T>(items: readonly T[], id: (item: T) => string | undefined): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = id(item);
    if (key === undefined) return true;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface RegionScan {
  client: EC2Client;
  region: string;
  pageSize: number;
  accountId: string | undefined;
  deadline: Deadline;
  ceiling: number;
  /** Pages read in this region, over its three reads. */
  counter: { pages: number };
  unit: CollectionUnit;
}

/**
 * Reads one region. The three reads are independent: a role denied
 * DescribeAddresses still reports its VPCs and subnets. VPC blocks are
 * measured from the subnets, so without them no VPC is reported.
 */
async function collectRegion(scan: RegionScan): Promise<CollectResult> {
  const { client, region, pageSize, accountId, unit } = scan;
  const target = unitTarget(unit);
  const failures: ScanFailure[] = [];
  const attempt = async <T>(action: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (err) {
      failures.push(toScanFailure(err, { target, action, unit: unit.key }));
      return undefined;
    }
  };

  const vpcs = await attempt("DescribeVpcs", () =>
    readAllPages(
      "DescribeVpcs",
      scan,
      (nextToken, abortSignal) =>
        client.send(new DescribeVpcsCommand(pageRequest(pageSize, nextToken)), { abortSignal }),
      (page) => page.Vpcs,
    ),
  );
  const subnets = await attempt("DescribeSubnets", () =>
    readAllPages(
      "DescribeSubnets",
      scan,
      (nextToken, abortSignal) =>
        client.send(new DescribeSubnetsCommand(pageRequest(pageSize, nextToken)), { abortSignal }),
      (page) => page.Subnets,
    ),
  );
  // DescribeAddresses has no NextToken: one call returns every address.
  const addresses = await attempt("DescribeAddresses", async () => {
    const out = await sendCollecting("DescribeAddresses", scan.deadline, (abortSignal) =>
      client.send(new DescribeAddressesCommand({}), { abortSignal }),
    );
    scan.counter.pages += 1;
    return out.Addresses ?? [];
  });

  const uniqueSubnets = uniqueBy(subnets ?? [], (s) => s.SubnetId);
  const resources: ResourceCidr[] = [];
  if (subnets !== undefined) {
    for (const vpc of uniqueBy(vpcs ?? [], (v) => v.VpcId)) {
      const sharedWithUs = accountId !== undefined && vpc.OwnerId !== undefined && vpc.OwnerId !== accountId;
      resources.push(...vpcResources(vpc, uniqueSubnets, region, !sharedWithUs));
    }
  }
  for (const subnet of uniqueSubnets) resources.push(...subnetResources(subnet, region));
  for (const address of addresses ?? []) {
    const resource = addressResource(address, region, accountId);
    if (resource !== undefined) resources.push(resource);
  }
  // An address listed twice, or a VPC block repeated in its association set, counts once.
  const unique = uniqueResources(resources);
  return {
    resources: unique,
    failures,
    units: [{ unit, resources: unique.length, pages: scan.counter.pages, complete: failures.length === 0 }],
  };
}

function checkWholeNumber(name: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} ${value} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/**
 * Collects every VPC CIDR block, subnet CIDR and Elastic IP of the given
 * regions, `concurrency` regions at a time. Failures of a region are
 * returned beside the resources of the others; only invalid options throw.
 */
export async function collectFromEc2(
  clientForRegion: (region: string) => EC2Client,
  options: Ec2CollectOptions,
): Promise<CollectResult> {
  const concurrency = checkWholeNumber(
    "concurrency",
    options.concurrency ?? DEFAULT_REGION_CONCURRENCY,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const pageSize = checkWholeNumber(
    "pageSize",
    options.pageSize ?? DEFAULT_EC2_PAGE_SIZE,
    MIN_PAGE_SIZE,
    MAX_PAGE_SIZE,
  );
  const regions = [...new Set(options.regions)];

  const deadline = options.deadline ?? NO_DEADLINE;
  const ceilingOf = options.pageCeiling ?? (() => DEFAULT_PAGE_CEILING_MIN);

  const perRegion = await mapWithConcurrency(regions, concurrency, async (region): Promise<CollectResult> => {
    const unit = ec2RegionUnit(region, options.unitAccount);
    const counter = { pages: 0 };
    try {
      return await collectRegion({
        client: clientForRegion(region),
        region,
        pageSize,
        accountId: options.accountId,
        deadline,
        ceiling: ceilingOf(unit.key),
        counter,
        unit,
      });
    } catch (err) {
      // Anything the reads did not catch (a client that cannot be built, a
      // response that cannot be measured) loses this region only.
      const message = err instanceof Error ? err.message : String(err);
      return {
        resources: [],
        failures: [{ target: unitTarget(unit), message, unit: unit.key }],
        units: [{ unit, resources: 0, pages: counter.pages, complete: false }],
      };
    }
  });

  return {
    resources: perRegion.flatMap((r) => r.resources),
    failures: perRegion.flatMap((r) => r.failures),
    units: perRegion.flatMap((r) => r.units),
  };
}
