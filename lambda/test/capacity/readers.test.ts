import { EC2Client } from "@aws-sdk/client-ec2";
import { expect } from "chai";

import { capacityReaders } from "../../src/capacity/readers";
import type { ResourceCidr } from "../../src/types";

const subnet = (ownerId: string | undefined, region: string | undefined = "eu-west-1"): ResourceCidr =>
  ({ resourceId: "subnet-1", resourceType: "subnet", addressFamily: "ipv4", ownerId, region }) as ResourceCidr;

describe("capacity/readers", () => {
  const clients: string[] = [];
  const ec2ForRegion = (region: string): EC2Client => {
    clients.push(region);
    return new EC2Client({ region });
  };

  it("reads a subnet of the scan's own account with the client of its region, either source", () => {
    for (const source of ["ec2", "ipam"] as const) {
      const where = capacityReaders(source, ec2ForRegion, "111122223333")(subnet("111122223333"));

      expect(where).to.include({ key: "capacity/eu-west-1", region: "eu-west-1" });
    }
  });

  it("does not read a subnet of another account IPAM monitors, and says why", () => {
    const where = capacityReaders("ipam", ec2ForRegion, "111122223333")(subnet("444455556666"));

    expect(where).to.deep.equal({
      unreadable:
        "not measured: the subnet belongs to account 444455556666 (IPAM monitors it); the scan reads interfaces and reservations in its own account 111122223333, where another account's interfaces are not all visible",
    });
  });

  it("tries every subnet when the scan does not know its account (the CLI)", () => {
    const where = capacityReaders("ipam", ec2ForRegion, undefined)(subnet("444455556666"));

    expect(where).to.include({ key: "capacity/eu-west-1" });
  });

  it("cannot read a subnet without a region", () => {
    const { region: _, ...withoutRegion } = subnet("111122223333");

    const where = capacityReaders("ipam", ec2ForRegion, undefined)(withoutRegion as ResourceCidr);

    expect(where).to.deep.equal({ unreadable: "not measured: the source gives no region for the subnet" });
  });
});
