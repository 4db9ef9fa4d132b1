import { expect } from "chai";

import { type InterfaceDetails, MAX_BLOCKERS, rankBlockers } from "../../src/capacity/blockers";

describe("capacity/blockers", () => {
  it("ranks by blocks freed, then blocks blocked, then id", () => {
    const ranked = rankBlockers(
      [
        { networkInterfaceId: "eni-b", blocksFreed: 1, blocksBlocked: 2 },
        { networkInterfaceId: "eni-d", blocksFreed: 2, blocksBlocked: 2 },
        { networkInterfaceId: "eni-a", blocksFreed: 2, blocksBlocked: 3 },
        { networkInterfaceId: "eni-c", blocksFreed: 1, blocksBlocked: 2 },
      ],
      new Map(),
    );

    expect(ranked.map((b) => b.networkInterfaceId)).to.deep.equal(["eni-a", "eni-d", "eni-b", "eni-c"]);
  });

  it("leaves out interfaces that block nothing", () => {
    const ranked = rankBlockers(
      [
        { networkInterfaceId: "eni-a", blocksFreed: 0, blocksBlocked: 0 },
        { networkInterfaceId: "eni-b", blocksFreed: 0, blocksBlocked: 1 },
      ],
      new Map(),
    );

    expect(ranked).to.deep.equal([{ networkInterfaceId: "eni-b", blocksFreed: 0, blocksBlocked: 1 }]);
  });

  it("names each interface with what EC2 says about it, leaving out empty fields", () => {
    const details = new Map<string, InterfaceDetails>([
      [
        "eni-node",
        {
          networkInterfaceId: "eni-node",
          description: "aws-K8S-i-0abc",
          interfaceType: "interface",
          instanceId: "i-0abc",
          requesterId: "",
        },
      ],
    ]);

    const ranked = rankBlockers([{ networkInterfaceId: "eni-node", blocksFreed: 3, blocksBlocked: 4 }], details);

    expect(ranked).to.deep.equal([
      {
        networkInterfaceId: "eni-node",
        description: "aws-K8S-i-0abc",
        interfaceType: "interface",
        instanceId: "i-0abc",
        blocksFreed: 3,
        blocksBlocked: 4,
      },
    ]);
  });

  it(`keeps the first ${MAX_BLOCKERS}`, () => {
    const many = Array.from({ length: 25 }, (_, i) => ({
      networkInterfaceId: `eni-${String(i).padStart(2, "0")}`,
      blocksFreed: i,
      blocksBlocked: i,
    }));

    const ranked = rankBlockers(many, new Map());

    expect(ranked).to.have.length(MAX_BLOCKERS);
    expect(ranked[0]?.networkInterfaceId).to.equal("eni-24");
  });
});
