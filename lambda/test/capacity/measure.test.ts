import { expect } from "chai";

import { measureCapacity } from "../../src/capacity/measure";

describe("capacity/measure", () => {
  it("measures free prefixes, assignable addresses, the largest free block and the blockers", () => {
    const capacity = measureCapacity({
      cidr: "10.0.0.0/24",
      interfaces: [
        {
          networkInterfaceId: "eni-node",
          addresses: ["10.0.0.20"],
          prefixes: ["10.0.0.48/28"],
          description: "aws-K8S-i-0abc",
          interfaceType: "interface",
          instanceId: "i-0abc",
        },
      ],
      reservations: [{ cidr: "10.0.0.64/27", type: "explicit" }],
      free: 234n,
    });

    expect(capacity.capacity).to.deep.equal({
      freePrefixes: 10,
      assignableAddresses: 202,
      largestFreeBlock: 26,
      blockers: [
        {
          networkInterfaceId: "eni-node",
          description: "aws-K8S-i-0abc",
          interfaceType: "interface",
          instanceId: "i-0abc",
          blocksFreed: 2,
          blocksBlocked: 2,
        },
      ],
    });
  });

  it("never reports more assignable addresses than the source reported free", () => {
    const { capacity } = measureCapacity({ cidr: "10.0.0.0/24", interfaces: [], reservations: [], free: 240n });

    expect(capacity?.assignableAddresses).to.equal(240);
  });

  it("leaves out the largest free block when nothing is free", () => {
    const everything = Array.from({ length: 251 }, (_, i) => `10.0.0.${i + 4}`);

    const { capacity } = measureCapacity({
      cidr: "10.0.0.0/24",
      interfaces: [{ networkInterfaceId: "eni-all", addresses: everything, prefixes: [] }],
      reservations: [],
    });

    expect(capacity).to.deep.equal({
      freePrefixes: 0,
      assignableAddresses: 0,
      blockers: [{ networkInterfaceId: "eni-all", blocksFreed: 14, blocksBlocked: 14 }],
    });
  });

  it("measures nothing when the interfaces read leave more than a prefix more assignable than the source reports free", () => {
    const outcome = measureCapacity({
      cidr: "10.0.0.0/24",
      interfaces: [{ networkInterfaceId: "eni-own", addresses: ["10.0.0.20"], prefixes: [] }],
      reservations: [],
      free: 126n,
    });

    expect(outcome).to.deep.equal({
      reason:
        "the network interfaces read hold 1 address, but the source reports 126 free where they leave 250 assignable: interfaces the scan cannot see (another account's in a shared subnet?)",
    });
  });

  it("tolerates one prefix of churn between the subnet read and the interface read", () => {
    const { capacity } = measureCapacity({ cidr: "10.0.0.0/24", interfaces: [], reservations: [], free: 235n });

    expect(capacity?.assignableAddresses).to.equal(235);
  });
});
