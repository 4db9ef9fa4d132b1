/**
 * Who keeps /28 prefixes from being delegated: the network interfaces whose addresses sit in the
 * most blocks, and how many blocks draining each one would free. An interface that is the only
 * occupant of five blocks frees five; two interfaces sharing a block free it only together, so
 * neither is credited with it.
 */

import type { Blocker } from "../types";
import type { InterfaceBlocking } from "./blocks";

/** Blockers kept per subnet: the result and the notification show the first few of these. */
export const MAX_BLOCKERS = 10;

/** What the EC2 API says about an interface, for naming it to a person. */
export interface InterfaceDetails {
  networkInterfaceId: string;
  description?: string;
  interfaceType?: string;
  /** The service that created a requester-managed interface (e.g. an AWS account or "amazon-elb"). */
  requesterId?: string;
  instanceId?: string;
}

/**
 * Most blocks freed first, then most blocks blocked, then by id so the order is stable across runs.
 * Interfaces that block nothing (their addresses are all in blocks AWS or an explicit reservation
 * keep anyway) are left out.
 */
export function rankBlockers(
  blocking: readonly InterfaceBlocking[],
  details: ReadonlyMap<string, InterfaceDetails>,
  limit = MAX_BLOCKERS,
): Blocker[] {
  return blocking
    .filter((b) => b.blocksBlocked > 0)
    .sort(
      (a, b) =>
        b.blocksFreed - a.blocksFreed ||
        b.blocksBlocked - a.blocksBlocked ||
        (a.networkInterfaceId < b.networkInterfaceId ? -1 : a.networkInterfaceId > b.networkInterfaceId ? 1 : 0),
    )
    .slice(0, limit)
    .map((b) => {
      const d = details.get(b.networkInterfaceId);
      const blocker: Blocker = {
        networkInterfaceId: b.networkInterfaceId,
        blocksFreed: b.blocksFreed,
        blocksBlocked: b.blocksBlocked,
      };
      if (d?.description !== undefined && d.description !== "") blocker.description = d.description;
      if (d?.interfaceType !== undefined && d.interfaceType !== "") blocker.interfaceType = d.interfaceType;
      if (d?.requesterId !== undefined && d.requesterId !== "") blocker.requesterId = d.requesterId;
      if (d?.instanceId !== undefined && d.instanceId !== "") blocker.instanceId = d.instanceId;
      return blocker;
    });
}
