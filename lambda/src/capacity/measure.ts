/**
 * A subnet's capacity as the rest of the scanner sees it: the layout of its /28 blocks
 * (blocks.ts), the interfaces that block them most (blockers.ts), and the assignable addresses
 * checked against the free count the source reported.
 */

import type { SubnetCapacity } from "../types";
import { type InterfaceDetails, rankBlockers } from "./blockers";
import { type CidrReservation, type InterfaceAddresses, subnetLayout } from "./blocks";

export type NetworkInterfaceFacts = InterfaceAddresses & InterfaceDetails;

export interface CapacityInput {
  cidr: string;
  interfaces: readonly NetworkInterfaceFacts[];
  reservations: readonly CidrReservation[];
  /**
   * Free addresses the source reported (EC2's AvailableIpAddressCount, or IPAM's usage). The
   * interfaces are read a moment later and may miss some the account cannot see; the assignable
   * count never exceeds this, so what the scan missed can only make the room look smaller.
   */
  free?: bigint;
}

export function measureCapacity(input: CapacityInput): SubnetCapacity {
  const layout = subnetLayout(input.cidr, input.interfaces, input.reservations);
  const details = new Map(input.interfaces.map((eni) => [eni.networkInterfaceId, eni]));
  let assignable = layout.assignableAddresses;
  if (input.free !== undefined && input.free < BigInt(assignable))
    assignable = Number(input.free < 0n ? 0n : input.free);
  const capacity: SubnetCapacity = {
    freePrefixes: layout.freePrefixes,
    assignableAddresses: assignable,
    blockers: rankBlockers(layout.interfaces, details),
  };
  if (layout.largestFreeBlock !== undefined) capacity.largestFreeBlock = layout.largestFreeBlock;
  return capacity;
}
