import { expect } from "chai";

import { cidrSize, parseCidr } from "../src/cidr";
import { measureFromAvailable, measureUsage, multiplyRounded, sharedCount, usableAddresses } from "../src/measure";

describe("measure", () => {
  describe("usableAddresses", () => {
    it("subtracts the five AWS-reserved addresses from an IPv4 subnet", () => {
      expect(usableAddresses("subnet", "ipv4", 256n)).to.equal(251n);
    });

    it("leaves a /28 subnet 11 usable addresses", () => {
      expect(usableAddresses("subnet", "ipv4", 16n)).to.equal(11n);
    });

    it("leaves a /29 three and never goes below zero for /30–/32", () => {
      expect([8n, 4n, 2n, 1n].map((size) => usableAddresses("subnet", "ipv4", size))).to.deep.equal([3n, 0n, 0n, 0n]);
    });

    it("reserves nothing in a VPC, an EIP, a pool or an unknown type", () => {
      expect(
        ["vpc", "eip", "public-ipv4-pool", "anycast-ip-list"].map((type) => usableAddresses(type, "ipv4", 256n)),
      ).to.deep.equal([256n, 256n, 256n, 256n]);
    });

    it("reserves nothing in an IPv6 subnet", () => {
      expect(usableAddresses("subnet", "ipv6", 1n << 64n)).to.equal(1n << 64n);
    });
  });

  describe("multiplyRounded", () => {
    it("multiplies exactly past 2^53", () => {
      expect(multiplyRounded(1n << 72n, 0.00390625)).to.equal(1n << 64n);
    });

    it("rounds half up", () => {
      expect(multiplyRounded(3n, 0.5)).to.equal(2n);
      expect(multiplyRounded(7n, 0.5)).to.equal(4n);
    });

    it("rounds down below a half", () => {
      expect(multiplyRounded(11n, 0.04)).to.equal(0n);
    });

    it("returns the value for 1 and zero for 0", () => {
      expect(multiplyRounded(251n, 1)).to.equal(251n);
      expect(multiplyRounded(251n, 0)).to.equal(0n);
    });

    it("rejects NaN and negative fractions", () => {
      expect(() => multiplyRounded(10n, Number.NaN)).to.throw(RangeError, "fraction NaN");
      expect(() => multiplyRounded(10n, -0.1)).to.throw(RangeError, "fraction -0.1");
    });
  });

  describe("measureUsage", () => {
    it("measures a /16 VPC at half used without reserving addresses", () => {
      const m = measureUsage({ resourceType: "vpc", cidr: "10.0.0.0/16", ipUsage: 0.5 });

      expect(m).to.deep.equal({
        addressFamily: "ipv4",
        size: 65_536n,
        usable: 65_536n,
        used: 32_768n,
        free: 32_768n,
        utilization: 50,
      });
    });

    it("reports an empty /28 subnet with 11 free addresses as 0% used", () => {
      const m = measureUsage({ resourceType: "subnet", cidr: "10.0.1.0/28", ipUsage: 0 });

      expect(m).to.deep.equal({ addressFamily: "ipv4", size: 16n, usable: 11n, used: 0n, free: 11n, utilization: 0 });
    });

    it("reports a full /28 subnet as 11 used, 0 free and 100%", () => {
      const m = measureUsage({ resourceType: "subnet", cidr: "10.0.1.0/28", ipUsage: 1 });

      expect(m).to.include({ used: 11n, free: 0n, utilization: 100 });
    });

    it("rounds used addresses to the nearest whole address", () => {
      // 251 usable × 0.7991967871485943 = 200.6 → 201
      const m = measureUsage({ resourceType: "subnet", cidr: "10.0.0.0/24", ipUsage: 0.7991967871485943 });

      expect(m).to.include({ usable: 251n, used: 201n, free: 50n });
    });

    it("keeps utilization at full precision instead of rounding before multiplying", () => {
      const m = measureUsage({ resourceType: "subnet", cidr: "10.0.0.0/24", ipUsage: 0.7991967871485943 });

      expect(m.utilization).to.equal(0.7991967871485943 * 100);
    });

    it("measures a /32 EIP as one address, fully used", () => {
      const m = measureUsage({ resourceType: "eip", cidr: "54.240.1.10/32", ipUsage: 1 });

      expect(m).to.deep.equal({ addressFamily: "ipv4", size: 1n, usable: 1n, used: 1n, free: 0n, utilization: 100 });
    });

    it("measures an IPv6 /56 VPC exactly beyond 2^53", () => {
      const m = measureUsage({ resourceType: "vpc", cidr: "2600:1f18:abc:de00::/56", ipUsage: 0.00390625 });

      expect(m).to.deep.equal({
        addressFamily: "ipv6",
        size: 4_722_366_482_869_645_213_696n,
        usable: 4_722_366_482_869_645_213_696n,
        used: 18_446_744_073_709_551_616n,
        free: 4_703_919_738_795_935_662_080n,
        utilization: 0.390625,
      });
    });

    it("measures an IPv6 pool /52 with usage exactly", () => {
      const m = measureUsage({ resourceType: "ipv6-pool", cidr: "2600:1f18:abc::/52", ipUsage: 0.0625 });

      expect(m).to.include({ size: 1n << 76n, usable: 1n << 76n, used: 1n << 72n, free: (1n << 76n) - (1n << 72n) });
    });

    it("leaves used, free and utilization undefined for an IPv6 /64 subnet IPAM gives no usage for", () => {
      const m = measureUsage({ resourceType: "subnet", cidr: "2600:1f18:abc:de00::/64" });

      expect(m).to.deep.equal({ addressFamily: "ipv6", size: 1n << 64n, usable: 1n << 64n });
    });

    it("treats a null IpUsage like a missing one", () => {
      const m = measureUsage({ resourceType: "subnet", cidr: "10.0.0.0/24", ipUsage: null });

      expect(m).to.not.have.any.keys("used", "free", "utilization");
    });

    it("treats a NaN IpUsage as unknown so utilization is never NaN", () => {
      const m = measureUsage({ resourceType: "subnet", cidr: "10.0.0.0/24", ipUsage: Number.NaN });

      expect(m.utilization).to.equal(undefined);
    });

    it("clamps an IpUsage above 1 so free is never negative", () => {
      const m = measureUsage({ resourceType: "vpc", cidr: "10.0.0.0/24", ipUsage: 1.02 });

      expect(m).to.include({ used: 256n, free: 0n, utilization: 100 });
    });

    it("measures a /30 subnet as having no usable address rather than a negative count", () => {
      const m = measureUsage({ resourceType: "subnet", cidr: "10.0.0.0/30", ipUsage: 0 });

      expect(m).to.include({ size: 4n, usable: 0n, used: 0n, free: 0n });
    });

    it("rejects an invalid CIDR with the CIDR in the message", () => {
      expect(() => measureUsage({ resourceType: "subnet", cidr: "10.0.0.5/24", ipUsage: 0 })).to.throw(
        '"10.0.0.5/24" is not a valid CIDR',
      );
    });

    it("measures a parsed CIDR exactly as its text", () => {
      const fromText = measureUsage({ resourceType: "subnet", cidr: "10.0.0.0/24", ipUsage: 0.7991967871485943 });

      const fromParsed = measureUsage({
        resourceType: "subnet",
        cidr: parseCidr("10.0.0.0/24"),
        ipUsage: 0.7991967871485943,
      });

      expect(fromParsed).to.deep.equal(fromText);
    });

    it("keeps the counts of a subnet and a VPC of the same prefix apart", () => {
      const vpc = measureUsage({ resourceType: "vpc", cidr: "10.9.0.0/22" });

      const subnet = measureUsage({ resourceType: "subnet", cidr: "10.9.4.0/22" });

      expect([vpc.usable, subnet.usable]).to.deep.equal([1024n, 1019n]);
    });

    it("gives every prefix of both families its own size, whatever was measured before", () => {
      const cidrs = [
        ...Array.from({ length: 33 }, (_, prefix) => `0.0.0.0/${prefix}`),
        ...Array.from({ length: 129 }, (_, prefix) => `::/${prefix}`),
      ];
      // Twice over, so the second pass reads what the first one stored.
      for (const cidr of [...cidrs, ...cidrs.reverse()]) {
        for (const resourceType of ["subnet", "vpc", "eip"]) {
          const size = cidrSize(cidr);
          const m = measureUsage({ resourceType, cidr });
          expect([m.size, m.usable], `${resourceType} ${cidr}`).to.deep.equal([
            size,
            usableAddresses(resourceType, m.addressFamily, size),
          ]);
        }
      }
    });
  });

  describe("sharedCount", () => {
    it("returns a count equal to the one given, small or large", () => {
      const counts = [0n, 1n, 251n, 65_535n, 65_536n, 1n << 64n, -1n];

      expect(counts.map(sharedCount)).to.deep.equal(counts);
    });

    it("returns the right count for every small count once it holds them all", () => {
      const counts = Array.from({ length: 70_000 }, (_, n) => BigInt(n));
      counts.forEach(sharedCount);

      const wrong = counts.filter((count) => sharedCount(count) !== count);

      expect(wrong).to.deep.equal([]);
    });
  });

  describe("measureFromAvailable", () => {
    it("reports an empty /28 (11 available) as 0% used", () => {
      const m = measureFromAvailable({ cidr: "10.0.1.0/28", availableIpAddressCount: 11 });

      expect(m).to.deep.equal({ addressFamily: "ipv4", size: 16n, usable: 11n, used: 0n, free: 11n, utilization: 0 });
    });

    it("reports a full /28 (0 available) as 100% used", () => {
      const m = measureFromAvailable({ cidr: "10.0.1.0/28", availableIpAddressCount: 0 });

      expect(m).to.include({ used: 11n, free: 0n, utilization: 100 });
    });

    it("computes utilization as used over usable", () => {
      const m = measureFromAvailable({ cidr: "10.0.0.0/24", availableIpAddressCount: 51 });

      expect(m).to.include({ usable: 251n, used: 200n, free: 51n });
      expect(m.utilization).to.equal((200 / 251) * 100);
    });

    it("caps an available count larger than the usable addresses", () => {
      const m = measureFromAvailable({ cidr: "10.0.1.0/28", availableIpAddressCount: 16 });

      expect(m).to.include({ used: 0n, free: 11n, utilization: 0 });
    });

    it("reports a block with no usable address as full instead of NaN", () => {
      const m = measureFromAvailable({ cidr: "10.0.0.0/32", availableIpAddressCount: 0 });

      expect(m.utilization).to.equal(100);
    });

    it("rejects an IPv6 CIDR, which AvailableIpAddressCount does not describe", () => {
      expect(() => measureFromAvailable({ cidr: "2600:1f18:abc:de00::/64", availableIpAddressCount: 0 })).to.throw(
        "IPv4 subnets only",
      );
    });

    it("rejects a negative or fractional available count naming the CIDR", () => {
      expect(() => measureFromAvailable({ cidr: "10.0.0.0/24", availableIpAddressCount: -1 })).to.throw(
        RangeError,
        '"10.0.0.0/24"',
      );
      expect(() => measureFromAvailable({ cidr: "10.0.0.0/24", availableIpAddressCount: 1.5 })).to.throw(
        RangeError,
        "whole number",
      );
    });
  });
});
