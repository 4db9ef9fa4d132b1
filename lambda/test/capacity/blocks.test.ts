import { expect } from "chai";

import { type InterfaceAddresses, prefixBlocks, subnetLayout } from "../../src/capacity/blocks";

/** An interface with only private addresses. */
function eni(id: string, ...addresses: string[]): InterfaceAddresses {
  return { networkInterfaceId: id, addresses, prefixes: [] };
}

/** One address in each listed /28 block of 10.0.0.0/24 (block b starts at 10.0.0.(16 × b)), at offset `at`. */
function oneAddressIn(blocks: readonly number[], at = 4): InterfaceAddresses[] {
  return blocks.map((b) => eni(`eni-b${b}`, `10.0.0.${16 * b + at}`));
}

const ALL_INNER_BLOCKS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

describe("capacity/blocks", () => {
  describe("an empty subnet", () => {
    it("has 14 free /28 blocks in a /24: the first and the last hold AWS-reserved addresses", () => {
      const layout = subnetLayout("10.0.0.0/24", []);

      expect(layout).to.include({
        freePrefixes: 14,
        assignableAddresses: 251,
        inUseAddresses: 0,
        largestFreeBlock: 26,
      });
    });

    it("maps the /24 as 16 blocks from its own first address, the reserved ones at both ends", () => {
      const blocks = prefixBlocks("10.0.0.0/24", []);

      expect(blocks).to.have.length(16);
      expect(blocks[0]).to.deep.equal({
        cidr: "10.0.0.0/28",
        state: "aws-reserved",
        prefixReserved: false,
        networkInterfaceIds: [],
      });
      expect(blocks.slice(1, 15).map((b) => b.state)).to.deep.equal(Array(14).fill("free"));
      expect(blocks[15]).to.include({ cidr: "10.0.0.240/28", state: "aws-reserved" });
    });

    it("has no free /28 in a /28 subnet: its only block holds all five reserved addresses", () => {
      const layout = subnetLayout("10.0.17.64/28", []);

      expect(layout).to.include({ freePrefixes: 0, assignableAddresses: 11, largestFreeBlock: 30 });
      expect(prefixBlocks("10.0.17.64/28", [])).to.deep.equal([
        { cidr: "10.0.17.64/28", state: "aws-reserved", prefixReserved: false, networkInterfaceIds: [] },
      ]);
    });

    it("aligns the blocks of a /26 that does not start on a /24 boundary to the subnet itself", () => {
      const blocks = prefixBlocks("10.0.16.128/26", []);

      expect(blocks.map((b) => `${b.cidr} ${b.state}`)).to.deep.equal([
        "10.0.16.128/28 aws-reserved",
        "10.0.16.144/28 free",
        "10.0.16.160/28 free",
        "10.0.16.176/28 aws-reserved",
      ]);
      expect(subnetLayout("10.0.16.128/26", [])).to.include({
        freePrefixes: 2,
        assignableAddresses: 59,
        largestFreeBlock: 28,
      });
    });

    it("has 4,094 free /28 blocks and 65,531 assignable addresses in a /16, the largest free block a /18", () => {
      const layout = subnetLayout("10.1.0.0/16", []);

      expect(layout).to.include({ freePrefixes: 4094, assignableAddresses: 65531, largestFreeBlock: 18 });
      expect(prefixBlocks("10.1.0.0/16", [])).to.have.length(4096);
    });
  });

  describe("addresses in use", () => {
    it("counts the first block after the reserved one when it is the only free block", () => {
      const layout = subnetLayout("10.0.0.0/24", oneAddressIn([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));

      expect(layout.freePrefixes).to.equal(1);
      expect(prefixBlocks("10.0.0.0/24", oneAddressIn([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]))[1]).to.include({
        cidr: "10.0.0.16/28",
        state: "free",
      });
    });

    it("counts the last block before the reserved one when it is the only free block, and nothing past the end", () => {
      const used = oneAddressIn([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);

      const layout = subnetLayout("10.0.0.0/24", used);

      expect(layout.freePrefixes).to.equal(1);
      expect(prefixBlocks("10.0.0.0/24", used).filter((b) => b.state === "free")).to.deep.equal([
        { cidr: "10.0.0.224/28", state: "free", prefixReserved: false, networkInterfaceIds: [] },
      ]);
    });

    it("leaves no free /28 in a /24 about half used when every block holds eight used addresses", () => {
      const halfOfEveryBlock = ALL_INNER_BLOCKS.map((b) =>
        eni(`eni-b${b}`, ...Array.from({ length: 8 }, (_, i) => `10.0.0.${16 * b + i}`)),
      );

      const layout = subnetLayout("10.0.0.0/24", halfOfEveryBlock);

      expect(layout).to.include({
        freePrefixes: 0,
        assignableAddresses: 139,
        inUseAddresses: 112,
        largestFreeBlock: 29,
      });
    });

    it("takes the whole /28 of a delegated prefix, and counts its addresses once with an address inside it", () => {
      const withPrefix: InterfaceAddresses = {
        networkInterfaceId: "eni-node",
        addresses: ["10.0.0.20", "10.0.0.50"],
        prefixes: ["10.0.0.48/28"],
      };

      const layout = subnetLayout("10.0.0.0/24", [withPrefix]);

      expect(layout).to.include({ freePrefixes: 12, assignableAddresses: 234, inUseAddresses: 17 });
      expect(prefixBlocks("10.0.0.0/24", [withPrefix])[3]).to.deep.equal({
        cidr: "10.0.0.48/28",
        state: "used",
        prefixReserved: false,
        networkInterfaceIds: ["eni-node"],
      });
    });

    it("counts an address held by two interfaces once", () => {
      const layout = subnetLayout("10.0.0.0/24", [eni("eni-a", "10.0.0.20"), eni("eni-b", "10.0.0.20")]);

      expect(layout).to.include({ assignableAddresses: 250, inUseAddresses: 1, freePrefixes: 13 });
    });

    it("ignores addresses and prefixes of an interface outside the subnet, and IPv6 prefixes", () => {
      const layout = subnetLayout("10.0.0.0/24", [
        { networkInterfaceId: "eni-x", addresses: ["10.0.1.20"], prefixes: ["10.0.1.0/28", "2600:1f18::/80"] },
      ]);

      expect(layout).to.include({ freePrefixes: 14, assignableAddresses: 251, inUseAddresses: 0 });
    });
  });

  describe("subnet CIDR reservations", () => {
    it("makes a block with an explicitly reserved address unavailable, and its addresses unassignable", () => {
      const layout = subnetLayout("10.0.0.0/24", [], [{ cidr: "10.0.0.40/29", type: "explicit" }]);

      expect(layout).to.include({ freePrefixes: 13, assignableAddresses: 243, largestFreeBlock: 26 });
      expect(prefixBlocks("10.0.0.0/24", [], [{ cidr: "10.0.0.40/29", type: "explicit" }])[2]).to.include({
        cidr: "10.0.0.32/28",
        state: "explicit",
      });
    });

    it("takes every block an explicit /27 overlaps", () => {
      const blocks = prefixBlocks("10.0.0.0/24", [], [{ cidr: "10.0.0.64/27", type: "explicit" }]);

      expect(blocks.filter((b) => b.state === "explicit").map((b) => b.cidr)).to.deep.equal([
        "10.0.0.64/28",
        "10.0.0.80/28",
      ]);
    });

    it("keeps the blocks of a prefix reservation free for delegation but takes their addresses from automatic assignment", () => {
      const reservations = [{ cidr: "10.0.0.128/26", type: "prefix" as const }];

      const layout = subnetLayout("10.0.0.0/24", [], reservations);

      expect(layout).to.include({ freePrefixes: 14, freePrefixesReserved: 4, assignableAddresses: 187 });
      expect(
        prefixBlocks("10.0.0.0/24", [], reservations)
          .filter((b) => b.prefixReserved)
          .map((b) => `${b.cidr} ${b.state}`),
      ).to.deep.equal(["10.0.0.128/28 free", "10.0.0.144/28 free", "10.0.0.160/28 free", "10.0.0.176/28 free"]);
    });

    it("counts an address in use inside a reservation once", () => {
      const layout = subnetLayout(
        "10.0.0.0/24",
        [eni("eni-a", "10.0.0.42")],
        [{ cidr: "10.0.0.40/29", type: "explicit" }],
      );

      expect(layout).to.include({ assignableAddresses: 243, inUseAddresses: 1, freePrefixes: 13 });
    });

    it("shows a block both explicitly reserved and used as explicit: releasing the address would not free it", () => {
      const blocks = prefixBlocks(
        "10.0.0.0/24",
        [eni("eni-a", "10.0.0.42")],
        [{ cidr: "10.0.0.40/29", type: "explicit" }],
      );

      expect(blocks[2]).to.deep.equal({
        cidr: "10.0.0.32/28",
        state: "explicit",
        prefixReserved: false,
        networkInterfaceIds: ["eni-a"],
      });
    });

    it("ignores the IPv6 reservations of a dual-stack subnet", () => {
      const layout = subnetLayout("10.0.0.0/24", [], [{ cidr: "2600:1f18:1:2::/80", type: "prefix" }]);

      expect(layout).to.include({ freePrefixes: 14, assignableAddresses: 251 });
    });
  });

  describe("who blocks the blocks", () => {
    it("credits an interface with the blocks it alone occupies, and counts the shared ones as blocked only", () => {
      const interfaces = [
        eni("eni-a", "10.0.0.17", "10.0.0.33", "10.0.0.49"),
        eni("eni-b", "10.0.0.50", "10.0.0.65"),
        { networkInterfaceId: "eni-d", addresses: ["10.0.0.112"], prefixes: ["10.0.0.96/28"] },
      ];

      const layout = subnetLayout("10.0.0.0/24", interfaces);

      expect(layout.interfaces).to.deep.equal([
        { networkInterfaceId: "eni-a", blocksFreed: 2, blocksBlocked: 3 },
        { networkInterfaceId: "eni-b", blocksFreed: 1, blocksBlocked: 2 },
        { networkInterfaceId: "eni-d", blocksFreed: 2, blocksBlocked: 2 },
      ]);
      expect(layout.freePrefixes).to.equal(14 - 6);
    });

    it("does not count blocks that AWS or an explicit reservation keep anyway", () => {
      const layout = subnetLayout(
        "10.0.0.0/24",
        [eni("eni-c", "10.0.0.5", "10.0.0.241", "10.0.0.42")],
        [{ cidr: "10.0.0.40/29", type: "explicit" }],
      );

      expect(layout.interfaces).to.deep.equal([{ networkInterfaceId: "eni-c", blocksFreed: 0, blocksBlocked: 0 }]);
    });

    it("lists the interfaces of each block in the map", () => {
      const blocks = prefixBlocks("10.0.0.0/24", [eni("eni-a", "10.0.0.49"), eni("eni-b", "10.0.0.50")]);

      expect(blocks[3]?.networkInterfaceIds).to.deep.equal(["eni-a", "eni-b"]);
    });
  });

  describe("bad input", () => {
    it("names the interface with an address that is not IPv4", () => {
      expect(() => subnetLayout("10.0.0.0/24", [eni("eni-bad", "10.0.0.300")])).to.throw(
        /network interface eni-bad: "10\.0\.0\.300\/32" is not a valid CIDR/,
      );
    });

    it("refuses an IPv6 subnet", () => {
      expect(() => subnetLayout("2600:1f18::/64", [])).to.throw(
        "subnet 2600:1f18::/64: capacity is measured for IPv4 subnets only",
      );
    });

    it("refuses blocks no AWS subnet can be", () => {
      expect(() => subnetLayout("10.0.0.0/15", [])).to.throw(
        "subnet 10.0.0.0/15: a subnet is /16 to /28 in AWS, not /15",
      );
      expect(() => subnetLayout("10.0.0.0/29", [])).to.throw(
        "subnet 10.0.0.0/29: a subnet is /16 to /28 in AWS, not /29",
      );
    });
  });
});
