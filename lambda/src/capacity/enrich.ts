/**
 * Adds capacity to the IPv4 subnets of scopes with `capacity: true`, after the base collection:
 * which subnets those are is only known once the scopes are matched, and reading interfaces and
 * reservations for any other subnet would cost calls nobody asked for.
 *
 * A subnet whose facts could not be read, or do not account for the addresses the source reports
 * in use, gets no `capacity` but a `capacityUnknown` reason: evaluation then calls it unknown for
 * the capacity thresholds, and the minimums of its scopes are not published.
 */

import type { EC2Client } from "@aws-sdk/client-ec2";
import type { Deadline } from "../collect/deadline";
import { type RegionCapacityRequest, readRegionCapacity, type SubnetTarget, type VpcExtent } from "../collect/enis";
import { mapWithConcurrency } from "../concurrency";
import { compileScope } from "../rules/match";
import type { ResourceCidr, RulesFile, ScanFailure, SourceName, UnitReport } from "../types";
import { isIpv4Subnet } from "./blocks";
import { measureCapacity } from "./measure";

/** What one region's reads need to know, and the resources they measure. */
export interface RegionWork {
  /** Where the reads go: a region, or an account and region. */
  key: string;
  region: string;
  account?: string;
  request: RegionCapacityRequest;
  resources: Map<string, ResourceCidr[]>;
}

export interface CapacityReport {
  /** Subnets that got capacity figures. */
  measured: number;
  /** Opted-in subnets without figures (unread, unreadable, or unaccounted interfaces). */
  unmeasured: number;
  interfacesRead: number;
  failures: ScanFailure[];
  /**
   * One collection unit per Region read (`capacity/<region>`, or `capacity/<account>/<region>` in a
   * scan of several accounts): resources = interfaces read, so the plausibility gate holds back a
   * Region whose interfaces suddenly vanish.
   */
  units: UnitReport[];
}

export interface CapacityOptions {
  /**
   * The client that reads `resource`'s subnet (in a scan of several accounts, the owner's), or a
   * reason it cannot be read (another account the scan has no access to). Called once per opted-in
   * subnet.
   */
  clientFor(
    resource: ResourceCidr,
  ): { key: string; region: string; account?: string; client: EC2Client } | { unreadable: string };
  /** Regions (or account-regions) read at once. */
  concurrency: number;
  /** The source, for the collection units. Default "ec2". */
  source?: SourceName;
  deadline?: Deadline;
  /** Most pages a pagination of the unit may read (its key: capacity/<region>). */
  pageCeiling?: (unitKey: string) => number;
}

/** For each IPv4 subnet matched by a scope with `capacity: true`, the names of those scopes. */
export function capacityTargets(resources: readonly ResourceCidr[], rules: RulesFile): Map<ResourceCidr, string[]> {
  const targets = new Map<ResourceCidr, string[]>();
  const scopes = rules.scopes
    .filter((s) => s.capacity === true)
    .map((s) => ({ name: s.name, matches: compileScope(s) }));
  if (scopes.length === 0) return targets;
  for (const resource of resources) {
    if (!isIpv4Subnet(resource)) continue;
    const names = scopes.filter((s) => s.matches(resource)).map((s) => s.name);
    if (names.length > 0) targets.set(resource, names);
  }
  return targets;
}

/**
 * Addresses in use in a subnet, for the choice of filter: its IPv4 CIDR's (every interface of a
 * subnet with one holds a primary IPv4 address), else its IPv6 CIDR's; undefined when not known.
 */
function addressesInUse(cidrs: readonly ResourceCidr[]): number | undefined {
  const ipv4 = cidrs.find((r) => r.addressFamily === "ipv4");
  const used = (ipv4 ?? cidrs[0])?.used;
  return used === undefined ? undefined : Number(used);
}

/** The VPCs of the inventory with their subnets and the addresses in use in them (see VpcExtent). */
function vpcExtents(resources: readonly ResourceCidr[]): Map<string, VpcExtent> {
  const subnets = new Map<string, Map<string, ResourceCidr[]>>();
  for (const r of resources) {
    if (r.resourceType !== "subnet" || r.vpcId === undefined) continue;
    const ofVpc = subnets.get(r.vpcId) ?? new Map<string, ResourceCidr[]>();
    subnets.set(r.vpcId, ofVpc);
    ofVpc.set(r.resourceId, [...(ofVpc.get(r.resourceId) ?? []), r]);
  }
  const extents = new Map<string, VpcExtent>();
  for (const [vpcId, ofVpc] of subnets) {
    let inUse: number | undefined = 0;
    for (const cidrs of ofVpc.values()) {
      const used = addressesInUse(cidrs);
      inUse = used === undefined || inUse === undefined ? undefined : inUse + used;
    }
    extents.set(vpcId, { subnets: ofVpc.size, ...(inUse !== undefined ? { addressesInUse: inUse } : {}) });
  }
  return extents;
}

/**
 * Reads and measures the capacity of every opted-in subnet, setting `capacity` (or
 * `capacityUnknown`) on the resources. Failed reads are returned as failures; nothing throws for them.
 */
export async function addCapacity(
  resources: readonly ResourceCidr[],
  rules: RulesFile,
  options: CapacityOptions,
): Promise<CapacityReport> {
  const report: CapacityReport = { measured: 0, unmeasured: 0, interfacesRead: 0, failures: [], units: [] };
  const targets = capacityTargets(resources, rules);
  if (targets.size === 0) return report;

  const vpcs = vpcExtents(resources);
  const work = new Map<string, RegionWork & { client: EC2Client; subnets: SubnetTarget[] }>();
  for (const [resource, scopes] of targets) {
    const where = options.clientFor(resource);
    if ("unreadable" in where) {
      resource.capacityUnknown = where.unreadable;
      report.unmeasured += 1;
      continue;
    }
    let unit = work.get(where.key);
    if (unit === undefined) {
      const subnets: SubnetTarget[] = [];
      unit = {
        key: where.key,
        region: where.region,
        ...(where.account !== undefined ? { account: where.account } : {}),
        client: where.client,
        subnets,
        request: {
          region: where.region,
          ...(where.account !== undefined ? { account: where.account } : {}),
          subnets,
          vpcs,
          unit: where.key,
          ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
          ...(options.pageCeiling !== undefined ? { pageCeiling: options.pageCeiling(where.key) } : {}),
        },
        resources: new Map(),
      };
      work.set(where.key, unit);
    }
    const known = unit.resources.get(resource.resourceId);
    if (known === undefined) {
      unit.resources.set(resource.resourceId, [resource]);
      const target: SubnetTarget = { subnetId: resource.resourceId, scopes };
      if (resource.vpcId !== undefined) target.vpcId = resource.vpcId;
      if (resource.used !== undefined) target.addressesInUse = Number(resource.used);
      unit.subnets.push(target);
    } else {
      known.push(resource);
    }
  }

  await mapWithConcurrency([...work.values()], options.concurrency, async (unit) => {
    const facts = await readRegionCapacity(unit.client, unit.request);
    report.failures.push(...facts.failures);
    report.interfacesRead += facts.interfacesRead;
    report.units.push({
      unit: {
        key: unit.key,
        source: options.source ?? "ec2",
        ...(unit.account !== undefined ? { account: unit.account } : {}),
        region: unit.region,
      },
      resources: facts.interfacesRead,
      pages: facts.pages,
      complete: facts.failures.length === 0,
    });
    for (const [subnetId, subnetResources] of unit.resources) {
      const unread = facts.unread.get(subnetId);
      for (const resource of subnetResources) {
        if (unread !== undefined) {
          resource.capacityUnknown = `not measured: ${unread}`;
          report.unmeasured += 1;
          continue;
        }
        try {
          const outcome = measureCapacity({
            cidr: resource.cidr,
            interfaces: facts.interfaces.get(subnetId) ?? [],
            reservations: facts.reservations.get(subnetId) ?? [],
            ...(resource.free !== undefined ? { free: resource.free } : {}),
          });
          if (outcome.capacity !== undefined) {
            resource.capacity = outcome.capacity;
            report.measured += 1;
          } else {
            resource.capacityUnknown = `not measured: ${outcome.reason ?? "no figures"}`;
            report.unmeasured += 1;
          }
        } catch (err) {
          // An answer that cannot be measured (an address outside IPv4) is a failed read of this subnet.
          const message = err instanceof Error ? err.message : String(err);
          resource.capacityUnknown = `not measured: ${message}`;
          report.unmeasured += 1;
          report.failures.push({
            target: `capacity of ${subnetId} in ${unit.account === undefined ? "" : `account ${unit.account} region `}${unit.region}`,
            message: `${message}; capacity not measured (scopes ${(targets.get(resource) ?? []).join(", ")})`,
            unit: unit.key,
          });
        }
      }
    }
  });
  return report;
}
