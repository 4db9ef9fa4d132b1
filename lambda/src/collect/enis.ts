/**
 * What the capacity of a subnet is measured from: its network interfaces (every private IPv4
 * address and delegated IPv4 prefix) and its subnet CIDR reservations, read from EC2 for the
 * subnets of scopes with `capacity: true` only, since every call costs.
 *
 * - Interfaces: DescribeNetworkInterfaces, 1,000 a page, filtered per VPC by `vpc-id` or by the
 *   `subnet-id`s of its wanted subnets, whichever is estimated to take fewer calls (see
 *   planInterfaceQueries). Filter values go 200 to a request.
 * - Reservations: GetSubnetCidrReservations, one call per subnet (the API takes one subnet id).
 *
 * Calls go through collect/call.ts (the deadline, and an answer without its result set is a failed
 * call, retried) and paginations through collect/paginate.ts (a repeated token or a page past the
 * ceiling stops them). A call that fails leaves the subnets it covers unread and becomes a
 * ScanFailure naming them and their scopes; it never reads as "no interfaces", which would be a
 * subnet with plenty of room.
 */

import {
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  GetSubnetCidrReservationsCommand,
  type NetworkInterface,
  type SubnetCidrReservation,
} from "@aws-sdk/client-ec2";
import type { CidrReservation } from "../capacity/blocks";
import type { NetworkInterfaceFacts } from "../capacity/measure";
import { mapWithConcurrency } from "../concurrency";
import type { ScanFailure } from "../types";
import { awsErrorCode, toScanFailure } from "./aws-error";
import { sendCollecting } from "./call";
import { type Deadline, NO_DEADLINE } from "./deadline";
import { DEFAULT_PAGE_CEILING_MIN, paginate } from "./paginate";

export const INTERFACE_PAGE_SIZE = 1000;
export const RESERVATION_PAGE_SIZE = 1000;
/**
 * Filter values in one DescribeNetworkInterfaces request. EC2 refuses more with FilterLimitExceeded
 * ("The maximum number of filter values specified on a single call is 200"), a limit of the call,
 * not of each filter; every request here has one filter.
 */
export const FILTER_VALUES_PER_REQUEST = 200;
/** Calls in flight at once within one region. */
export const CAPACITY_CALL_CONCURRENCY = 4;

/** A subnet whose capacity is wanted. */
export interface SubnetTarget {
  subnetId: string;
  vpcId?: string;
  /** The scopes with `capacity: true` that match the subnet, for failure messages. */
  scopes: readonly string[];
  /** Addresses in use in the subnet as the source reports them, when known (see VpcExtent). */
  addressesInUse?: number;
}

/** What is known of a VPC before its interfaces are read: enough to choose the cheaper filter. */
export interface VpcExtent {
  /** Its subnets in the inventory (any address family). */
  subnets: number;
  /**
   * Addresses in use over all of them, as the source reports them; undefined when a subnet's usage
   * is unknown. Every interface holds at least one address of its subnet (a primary IPv4 address,
   * or an IPv6 address in an IPv6-only subnet), so the VPC has at most this many interfaces.
   */
  addressesInUse?: number;
}

export interface RegionCapacityRequest {
  region: string;
  /** The account the subnets belong to, when the scan reads several (named on failures). */
  account?: string;
  subnets: readonly SubnetTarget[];
  /** The VPCs of the whole inventory, for the choice of filter (planInterfaceQueries). */
  vpcs: ReadonlyMap<string, VpcExtent>;
  /** The collection unit these reads are (capacity/<region>), named on failures. */
  unit?: string;
  deadline?: Deadline;
  /** Most pages one pagination may read. */
  pageCeiling?: number;
}

export interface CapacityFacts {
  interfaces: Map<string, NetworkInterfaceFacts[]>;
  reservations: Map<string, CidrReservation[]>;
  /** Subnets whose interfaces or reservations could not be read, with why. */
  unread: Map<string, string>;
  failures: ScanFailure[];
  /** Interfaces read (each once). */
  interfacesRead: number;
  /** Pages read over every pagination. */
  pages: number;
}

/**
 * The subnet does not exist for this account: another account's subnet that IPAM monitors (the
 * scan cannot see its interfaces), or one deleted since it was listed. Its capacity is unknown; it
 * is not a failed read that should make the scan partial on every run.
 */
const NOT_VISIBLE = "InvalidSubnetID.NotFound";

/** One DescribeNetworkInterfaces query: a filter and the subnets it covers. */
export interface InterfaceQuery {
  filter: "vpc-id" | "subnet-id";
  values: string[];
  subnets: string[];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Estimated DescribeNetworkInterfaces calls a share of a reading takes: `values` filter values
 * (200 make a request) and at most `interfaces` interfaces (1,000 make a page). Fractional, because
 * the VPCs and subnets of a region share requests: each adds its share of the values and pages.
 */
export function interfaceCallEstimate(values: number, interfaces: number): number {
  return values / FILTER_VALUES_PER_REQUEST + interfaces / INTERFACE_PAGE_SIZE;
}

/**
 * Whether the wanted subnets of a VPC are read by `vpc-id` rather than by `subnet-id`: whichever is
 * estimated to take fewer calls. The number of interfaces is unknown before reading, so the estimate
 * takes its upper bound, the addresses in use the source reports (VpcExtent): reading by VPC costs one
 * filter value and the interfaces of every subnet of the VPC, reading by subnet one value per wanted
 * subnet and only their interfaces. When every subnet of the VPC is wanted both read the same
 * interfaces, so the VPC filter (one value) wins; when the usage of a subnet is unknown, reading the
 * whole VPC has no bound, so the wanted subnets are read by subnet.
 */
export function readsWholeVpc(wanted: readonly SubnetTarget[], vpc: VpcExtent | undefined): boolean {
  if (vpc === undefined) return false;
  if (vpc.subnets <= wanted.length) return true;
  if (vpc.addressesInUse === undefined) return false;
  let wantedInUse = 0;
  for (const s of wanted) {
    if (s.addressesInUse === undefined) return false;
    wantedInUse += s.addressesInUse;
  }
  return interfaceCallEstimate(1, vpc.addressesInUse) <= interfaceCallEstimate(wanted.length, wantedInUse);
}

/** The queries of a plan: the VPCs `whole` says to read whole by `vpc-id`, the other subnets by `subnet-id`. */
function queriesOf(
  byVpc: ReadonlyMap<string, SubnetTarget[]>,
  loose: readonly string[],
  whole: (vpcId: string, wanted: readonly SubnetTarget[]) => boolean,
): InterfaceQuery[] {
  const wholeVpcs: string[] = [];
  const bySubnet = [...loose];
  for (const [vpcId, wanted] of byVpc) {
    if (whole(vpcId, wanted)) wholeVpcs.push(vpcId);
    else bySubnet.push(...wanted.map((s) => s.subnetId));
  }
  const queries: InterfaceQuery[] = [];
  for (const values of chunks(wholeVpcs.sort(), FILTER_VALUES_PER_REQUEST)) {
    queries.push({
      filter: "vpc-id",
      values,
      subnets: values.flatMap((v) => (byVpc.get(v) ?? []).map((s) => s.subnetId)),
    });
  }
  for (const values of chunks(bySubnet.sort(), FILTER_VALUES_PER_REQUEST)) {
    queries.push({ filter: "subnet-id", values, subnets: values });
  }
  return queries;
}

/**
 * Whole calls a plan is estimated to take: per query at least one, and a page per 1,000 addresses in
 * use in what it reads (usage not known counts as none: both plans compared read those subnets).
 */
function estimatedCalls(
  queries: readonly InterfaceQuery[],
  targets: ReadonlyMap<string, SubnetTarget>,
  vpcs: ReadonlyMap<string, VpcExtent>,
): number {
  let calls = 0;
  for (const q of queries) {
    let inUse = 0;
    if (q.filter === "vpc-id") {
      for (const v of q.values) inUse += vpcs.get(v)?.addressesInUse ?? 0;
    } else {
      for (const id of q.values) inUse += targets.get(id)?.addressesInUse ?? 0;
    }
    calls += Math.max(1, Math.ceil(inUse / INTERFACE_PAGE_SIZE));
  }
  return calls;
}

/**
 * The queries that read the interfaces of `subnets`: per VPC by `vpc-id` or by `subnet-id`,
 * whichever readsWholeVpc estimates cheaper; subnets without a known VPC by subnet. That plan is
 * kept only when it is estimated to take fewer whole calls than reading by `vpc-id` just the VPCs
 * whose every subnet is wanted, which reads no interface of a subnet nobody asked about; on a tie
 * (one VPC with a few subnets left out: one call either way) the plan that reads less is kept.
 */
export function planInterfaceQueries(
  subnets: readonly SubnetTarget[],
  vpcs: ReadonlyMap<string, VpcExtent>,
): InterfaceQuery[] {
  const byVpc = new Map<string, SubnetTarget[]>();
  const loose: string[] = [];
  for (const s of subnets) {
    if (s.vpcId === undefined) loose.push(s.subnetId);
    else byVpc.set(s.vpcId, [...(byVpc.get(s.vpcId) ?? []), s]);
  }
  const estimated = queriesOf(byVpc, loose, (vpcId, wanted) => readsWholeVpc(wanted, vpcs.get(vpcId)));
  const exact = queriesOf(
    byVpc,
    loose,
    (vpcId, wanted) => (vpcs.get(vpcId)?.subnets ?? Number.POSITIVE_INFINITY) <= wanted.length,
  );
  const targets = new Map(subnets.map((s) => [s.subnetId, s]));
  return estimatedCalls(estimated, targets, vpcs) < estimatedCalls(exact, targets, vpcs) ? estimated : exact;
}

/** Every item of a pagination, through paginate(): bounded, and a repeated token is an error. */
async function readPages<Page extends { NextToken?: string | undefined }, Item>(
  action: string,
  request: RegionCapacityRequest,
  counter: { pages: number },
  fetch: (nextToken: string | undefined, signal: AbortSignal) => Promise<Page>,
  itemsOf: (page: Page) => readonly Item[] | undefined,
): Promise<Item[]> {
  const items: Item[] = [];
  const deadline = request.deadline ?? NO_DEADLINE;
  await paginate<Page>({
    action,
    fetchPage: (nextToken) => sendCollecting(action, deadline, (signal) => fetch(nextToken, signal)),
    tokenOf: (page) => page.NextToken,
    onPage: (page) => items.push(...(itemsOf(page) ?? [])),
    ceiling: request.pageCeiling ?? DEFAULT_PAGE_CEILING_MIN,
    deadline,
    counter,
  });
  return items;
}

function interfaceFacts(eni: NetworkInterface): NetworkInterfaceFacts | undefined {
  if (eni.NetworkInterfaceId === undefined) return undefined;
  const addresses = (eni.PrivateIpAddresses ?? []).flatMap((a) =>
    a.PrivateIpAddress !== undefined && a.PrivateIpAddress !== "" ? [a.PrivateIpAddress] : [],
  );
  if (addresses.length === 0 && eni.PrivateIpAddress !== undefined && eni.PrivateIpAddress !== "") {
    addresses.push(eni.PrivateIpAddress);
  }
  const prefixes = (eni.Ipv4Prefixes ?? []).flatMap((p) =>
    p.Ipv4Prefix !== undefined && p.Ipv4Prefix !== "" ? [p.Ipv4Prefix] : [],
  );
  const facts: NetworkInterfaceFacts = { networkInterfaceId: eni.NetworkInterfaceId, addresses, prefixes };
  if (eni.Description !== undefined) facts.description = eni.Description;
  if (eni.InterfaceType !== undefined) facts.interfaceType = eni.InterfaceType;
  // The requester names the service behind a requester-managed interface (a load balancer, a NAT gateway, …).
  if (eni.RequesterManaged === true && eni.RequesterId !== undefined) facts.requesterId = eni.RequesterId;
  if (eni.Attachment?.InstanceId !== undefined) facts.instanceId = eni.Attachment.InstanceId;
  return facts;
}

function reservationOf(r: SubnetCidrReservation): CidrReservation | undefined {
  if (r.Cidr === undefined || (r.ReservationType !== "explicit" && r.ReservationType !== "prefix")) return undefined;
  const reservation: CidrReservation = { cidr: r.Cidr, type: r.ReservationType };
  if (r.SubnetCidrReservationId !== undefined) reservation.id = r.SubnetCidrReservationId;
  return reservation;
}

function scopesOf(subnetIds: readonly string[], targets: ReadonlyMap<string, SubnetTarget>): string[] {
  const scopes = new Set<string>();
  for (const id of subnetIds) for (const scope of targets.get(id)?.scopes ?? []) scopes.add(scope);
  return [...scopes].sort();
}

/** The subnets a failure leaves unmeasured, in words: "subnet-0abc" or "12 subnets". */
function subnetWords(ids: readonly string[]): string {
  return ids.length === 1 ? (ids[0] as string) : `${ids.length} subnets`;
}

/**
 * Reads the interfaces and reservations of the wanted subnets of one region. Never throws for a
 * failed call: the failure is returned and the subnets it covers are listed in `unread`.
 */
export async function readRegionCapacity(client: EC2Client, request: RegionCapacityRequest): Promise<CapacityFacts> {
  // "eu-west-1", or "account 111122223333 region eu-west-1" in a scan of several accounts.
  const region = request.account === undefined ? request.region : `account ${request.account} region ${request.region}`;
  const targets = new Map(request.subnets.map((s) => [s.subnetId, s]));
  const facts: CapacityFacts = {
    interfaces: new Map(request.subnets.map((s) => [s.subnetId, []])),
    reservations: new Map(),
    unread: new Map(),
    failures: [],
    interfacesRead: 0,
    pages: 0,
  };
  const counter = { pages: 0 };

  const fail = (target: string, action: string, subnets: readonly string[], err: unknown): void => {
    const failure = toScanFailure(err, {
      target,
      action,
      ...(request.unit !== undefined ? { unit: request.unit } : {}),
    });
    const scopes = scopesOf(subnets, targets);
    failure.message += `; capacity of ${subnetWords(subnets)} not measured (scope${scopes.length === 1 ? "" : "s"} ${scopes.join(", ")})`;
    facts.failures.push(failure);
    for (const id of subnets) {
      if (!facts.unread.has(id)) facts.unread.set(id, `${action} failed for ${target}: ${failure.code ?? "error"}`);
    }
  };

  const seen = new Set<string>();
  const queries = planInterfaceQueries(request.subnets, request.vpcs);
  await mapWithConcurrency(queries, CAPACITY_CALL_CONCURRENCY, async (query) => {
    try {
      const enis = await readPages(
        "DescribeNetworkInterfaces",
        request,
        counter,
        (NextToken, abortSignal) =>
          client.send(
            new DescribeNetworkInterfacesCommand({
              Filters: [{ Name: query.filter, Values: query.values }],
              MaxResults: INTERFACE_PAGE_SIZE,
              ...(NextToken !== undefined ? { NextToken } : {}),
            }),
            { abortSignal },
          ),
        (page) => page.NetworkInterfaces,
      );
      for (const eni of enis) {
        const subnet = eni.SubnetId;
        const list = subnet === undefined ? undefined : facts.interfaces.get(subnet);
        const item = interfaceFacts(eni);
        // Interfaces of subnets nobody asked about (other subnets of a VPC) are not kept.
        if (list === undefined || item === undefined || seen.has(item.networkInterfaceId)) continue;
        seen.add(item.networkInterfaceId);
        list.push(item);
      }
    } catch (err) {
      const what =
        query.filter === "vpc-id" ? subnetWords(query.values).replace("subnets", "VPCs") : subnetWords(query.values);
      fail(`network interfaces of ${what} in ${region}`, "DescribeNetworkInterfaces", query.subnets, err);
    }
  });
  facts.interfacesRead = seen.size;

  await mapWithConcurrency(request.subnets, CAPACITY_CALL_CONCURRENCY, async ({ subnetId }) => {
    try {
      const found = await readPages(
        "GetSubnetCidrReservations",
        request,
        counter,
        (NextToken, abortSignal) =>
          client.send(
            new GetSubnetCidrReservationsCommand({
              SubnetId: subnetId,
              MaxResults: RESERVATION_PAGE_SIZE,
              ...(NextToken !== undefined ? { NextToken } : {}),
            }),
            { abortSignal },
          ),
        (page) => [...(page.SubnetIpv4CidrReservations ?? []), ...(page.SubnetIpv6CidrReservations ?? [])],
      );
      facts.reservations.set(
        subnetId,
        found.flatMap((r) => {
          const reservation = reservationOf(r);
          return reservation === undefined ? [] : [reservation];
        }),
      );
    } catch (err) {
      if (awsErrorCode(err) === NOT_VISIBLE) {
        facts.unread.set(
          subnetId,
          `the subnet is not visible to this account in ${region} (another account's subnet, or deleted since it was listed)`,
        );
        return;
      }
      fail(`CIDR reservations of ${subnetId} in ${region}`, "GetSubnetCidrReservations", [subnetId], err);
    }
  });

  for (const id of facts.unread.keys()) {
    facts.interfaces.delete(id);
    facts.reservations.delete(id);
  }
  facts.pages = counter.pages;
  return facts;
}
