/**
 * Room per Availability Zone: Karpenter and the cluster autoscaler place nodes zone by zone, and one
 * zone can run out while the scope as a whole has plenty. Pure: sums over the IPv4 subnets of one
 * scope, grouped by zone id (names map to different zones in each account; ids do not).
 */

import type { ResourceCidr, Status, Thresholds, ZoneSummary } from "../types";
import { isIpv4Subnet } from "./blocks";

/**
 * How a zone in trouble is kept in the notified state beside the resources of its scope, so that a
 * zone going into trouble or recovering is notified like a resource; no resource id looks like it.
 */
export const ZONE_KEY_PREFIX = "zone:";

export function zoneKey(availabilityZoneId: string): string {
  return `${ZONE_KEY_PREFIX}${availabilityZoneId}`;
}

interface ZoneLimits {
  warning?: bigint;
  critical?: bigint;
  warningText?: number;
  criticalText?: number;
}

function limits(t: Thresholds): ZoneLimits {
  const z: ZoneLimits = {};
  if (t.minZoneFreeWarning !== undefined && Number.isFinite(t.minZoneFreeWarning)) {
    z.warning = BigInt(Math.ceil(t.minZoneFreeWarning));
    z.warningText = t.minZoneFreeWarning;
  }
  if (t.minZoneFreeCritical !== undefined && Number.isFinite(t.minZoneFreeCritical)) {
    z.critical = BigInt(Math.ceil(t.minZoneFreeCritical));
    z.criticalText = t.minZoneFreeCritical;
  }
  return z;
}

function addresses(n: bigint): string {
  return `${n} free address${n === 1n ? "" : "es"}`;
}

/**
 * The zone's status: below a minimum it is at that level; with subnets of unknown free count and a
 * known sum already below a minimum, it is unknown (the rest could make up the difference or not).
 */
function zoneStatus(zone: Omit<ZoneSummary, "status" | "reason">, z: ZoneLimits): { status: Status; reason: string } {
  const levels: Array<["critical" | "warning", bigint | undefined, number | undefined]> = [
    ["critical", z.critical, z.criticalText],
    ["warning", z.warning, z.warningText],
  ];
  for (const [level, limit, text] of levels) {
    if (limit === undefined || zone.freeAddresses >= limit) continue;
    if (zone.unknownFree > 0) {
      return {
        status: "unknown",
        reason: `${addresses(zone.freeAddresses)} in the subnets with a known count, ${zone.unknownFree} more unknown, ${level} minimum ${text}`,
      };
    }
    return { status: level, reason: `${addresses(zone.freeAddresses)} < ${level} minimum ${text}` };
  }
  return { status: "ok", reason: "within thresholds" };
}

interface ZoneCounts {
  name: string | undefined;
  mixed: boolean;
  count: number;
  free: bigint;
  unknown: number;
  prefixes: number;
  unmeasured: number;
}

/**
 * Sums one scope's IPv4 subnets per zone as evaluation walks them: plain fields and no per-subnet
 * allocation, since this runs for every resource of every scope of every scan.
 */
export class ZoneTally {
  private readonly byZone = new Map<string, ZoneCounts>();

  add(r: ResourceCidr): void {
    if (r.availabilityZoneId === undefined || !isIpv4Subnet(r)) return;
    let zone = this.byZone.get(r.availabilityZoneId);
    if (zone === undefined) {
      zone = { name: r.availabilityZone, mixed: false, count: 0, free: 0n, unknown: 0, prefixes: 0, unmeasured: 0 };
      this.byZone.set(r.availabilityZoneId, zone);
    } else if (zone.name !== r.availabilityZone) {
      zone.mixed = true;
    }
    zone.count += 1;
    if (r.free === undefined) zone.unknown += 1;
    else zone.free += r.free;
    if (r.capacity === undefined) zone.unmeasured += 1;
    else zone.prefixes += r.capacity.freePrefixes;
  }

  /**
   * The zones, poorest first (fewest free addresses, then by zone id). `capacity` adds free /28
   * prefixes where every subnet of the zone was measured.
   */
  summarize(thresholds: Thresholds, capacity: boolean): ZoneSummary[] {
    const z = limits(thresholds);
    const zones: ZoneSummary[] = [];
    for (const [id, zone] of this.byZone) {
      const base: Omit<ZoneSummary, "status" | "reason"> = {
        availabilityZoneId: id,
        resourceCount: zone.count,
        freeAddresses: zone.free,
        unknownFree: zone.unknown,
      };
      // Accounts name zones differently: a name is given only when every subnet of the zone agrees.
      if (!zone.mixed && zone.name !== undefined) base.availabilityZone = zone.name;
      if (capacity && zone.unmeasured === 0) base.freePrefixes = zone.prefixes;
      zones.push({ ...base, ...zoneStatus(base, z) });
    }
    return zones.sort((a, b) =>
      a.freeAddresses !== b.freeAddresses
        ? a.freeAddresses < b.freeAddresses
          ? -1
          : 1
        : a.availabilityZoneId < b.availabilityZoneId
          ? -1
          : 1,
    );
  }
}

/**
 * The IPv4 subnets of `resources` (one scope's) per zone, poorest first. Subnets without a zone id
 * are left out.
 */
export function summarizeZones(
  resources: Iterable<ResourceCidr>,
  thresholds: Thresholds,
  capacity: boolean,
): ZoneSummary[] {
  const tally = new ZoneTally();
  for (const r of resources) tally.add(r);
  return tally.summarize(thresholds, capacity);
}

/**
 * Free addresses of the poorest zone: what MinZoneFreeAddresses publishes. Undefined without
 * zones or when any zone's sum is incomplete, so an unknown subnet never makes it look better.
 */
export function poorestZoneFree(zones: readonly ZoneSummary[]): bigint | undefined {
  if (zones.length === 0 || zones.some((zone) => zone.unknownFree > 0)) return undefined;
  let min: bigint | undefined;
  for (const zone of zones) if (min === undefined || zone.freeAddresses < min) min = zone.freeAddresses;
  return min;
}
