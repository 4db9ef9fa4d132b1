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

/**
 * The tolerance of the check below: interfaces come and go between the subnet read and the
 * interface read (EKS assigns a /28 at a time), so a difference of one prefix, or of 5% of the
 * usable addresses in a large subnet, is churn rather than interfaces the scan cannot see.
 */
export function unexplainedTolerance(usable: number): number {
  return Math.max(16, Math.floor(usable / 20));
}

export interface CapacityOutcome {
  capacity?: SubnetCapacity;
  /** Why there is no capacity, when there is none. */
  reason?: string;
}

/**
 * Measures the subnet. When the interfaces and reservations read leave clearly more addresses
 * assignable than the source reports free, the scan does not see every interface of the subnet
 * (a participant of a shared VPC sees only its own): the blocks cannot be told, so there is no
 * capacity rather than a map with room that is not there.
 */
export function measureCapacity(input: CapacityInput): CapacityOutcome {
  const layout = subnetLayout(input.cidr, input.interfaces, input.reservations);
  let assignable = layout.assignableAddresses;
  if (input.free !== undefined) {
    const free = input.free < 0n ? 0 : Number(input.free);
    if (assignable > free + unexplainedTolerance(layout.usableAddresses)) {
      return {
        reason:
          `the network interfaces read hold ${layout.inUseAddresses} address${layout.inUseAddresses === 1 ? "" : "es"}, but the source reports ` +
          `${free} free where they leave ${assignable} assignable: interfaces the scan cannot see (another account's in a shared subnet?)`,
      };
    }
    assignable = Math.min(assignable, free);
  }
  const details = new Map(input.interfaces.map((eni) => [eni.networkInterfaceId, eni]));
  const capacity: SubnetCapacity = {
    freePrefixes: layout.freePrefixes,
    assignableAddresses: assignable,
    blockers: rankBlockers(layout.interfaces, details),
  };
  if (layout.largestFreeBlock !== undefined) capacity.largestFreeBlock = layout.largestFreeBlock;
  return { capacity };
}
