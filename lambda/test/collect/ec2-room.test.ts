import { expect } from "chai";
import { parseCidr } from "../../src/cidr";
import { allocationWithin } from "../../src/collect/ec2-room";

/** Deterministic pseudo-random numbers (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/**
 * The slow, obviously right answer for a small IPv4 parent: mark every
 * allocated address, then test every aligned block address by address.
 */
function bruteForceRoom(parent: string, children: readonly string[]) {
  const p = parseCidr(parent);
  const size = 1 << (32 - p.prefix);
  const base = Number(p.network);
  const taken = new Array<boolean>(size).fill(false);
  for (const child of children) {
    const c = parseCidr(child);
    const first = Number(c.network);
    const count = 2 ** (32 - c.prefix);
    for (let a = first; a < first + count; a += 1) {
      if (a >= base && a < base + size) taken[a - base] = true;
    }
  }
  const freeAligned = (prefix: number): number => {
    if (prefix < p.prefix) return 0;
    const block = 2 ** (32 - prefix);
    let count = 0;
    for (let start = 0; start < size; start += block) {
      if (taken.slice(start, start + block).every((t) => !t)) count += 1;
    }
    return count;
  };
  let largestFreePrefix: number | undefined;
  for (let prefix = 32; prefix >= p.prefix; prefix -= 1) {
    if (freeAligned(prefix) > 0) largestFreePrefix = prefix;
  }
  return {
    allocated: BigInt(taken.filter((t) => t).length),
    room: { largestFreePrefix, freeSlash24: freeAligned(24), freeSlash28: freeAligned(28) },
  };
}

describe("allocationWithin", () => {
  describe("an IPv4 parent", () => {
    it("offers the whole of an empty /16: one /16, 256 /24s and 4096 /28s", () => {
      const result = allocationWithin("10.0.0.0/16", []);

      expect(result).to.deep.equal({
        size: 65536n,
        allocated: 0n,
        unallocated: 65536n,
        room: { largestFreePrefix: 16, freeSlash24: 256, freeSlash28: 4096 },
      });
    });

    it("offers an empty /28 as one /28 and no /24", () => {
      const { room } = allocationWithin("10.0.0.0/28", []);

      expect(room).to.deep.equal({ largestFreePrefix: 28, freeSlash24: 0, freeSlash28: 1 });
    });

    it("counts exactly four /28s in an empty /26, none past its end", () => {
      const { room } = allocationWithin("10.0.0.0/26", []);

      expect(room.freeSlash28).to.equal(4);
    });

    it("reports no room and no largest block when one child covers the parent", () => {
      const result = allocationWithin("10.0.0.0/24", ["10.0.0.0/24"]);

      expect(result).to.deep.equal({
        size: 256n,
        allocated: 256n,
        unallocated: 0n,
        room: { freeSlash24: 0, freeSlash28: 0 },
      });
    });

    it("reports no room when unsorted and repeated children cover the parent", () => {
      const children = ["10.0.0.128/26", "10.0.0.0/26", "10.0.0.192/26", "10.0.0.64/26", "10.0.0.0/26"];

      const result = allocationWithin("10.0.0.0/24", children);

      expect(result.allocated).to.equal(256n);
      expect(result.room).to.deep.equal({ freeSlash24: 0, freeSlash28: 0 });
    });

    it("finds a /23 and three /24s after a child at the start of a /22", () => {
      const { room } = allocationWithin("10.0.0.0/22", ["10.0.0.0/24"]);

      expect(room).to.deep.equal({ largestFreePrefix: 23, freeSlash24: 3, freeSlash28: 48 });
    });

    it("finds a /23 and three /24s before a child at the end of a /22", () => {
      const { room } = allocationWithin("10.0.0.0/22", ["10.0.3.0/24"]);

      expect(room).to.deep.equal({ largestFreePrefix: 23, freeSlash24: 3, freeSlash28: 48 });
    });

    it("counts a free first /28 when the rest of a /26 is taken", () => {
      const { room } = allocationWithin("10.0.0.0/26", ["10.0.0.16/28", "10.0.0.32/28", "10.0.0.48/28"]);

      expect(room).to.deep.equal({ largestFreePrefix: 28, freeSlash24: 0, freeSlash28: 1 });
    });

    it("counts a free last /28 when the rest of a /26 is taken", () => {
      const { room } = allocationWithin("10.0.0.0/26", ["10.0.0.0/28", "10.0.0.16/28", "10.0.0.32/28"]);

      expect(room).to.deep.equal({ largestFreePrefix: 28, freeSlash24: 0, freeSlash28: 1 });
    });

    it("finds one /27 and three /28s in a hole of three /28s starting at .16", () => {
      // Free .16–.63: .16/28 cannot grow (not /27-aligned), .32/27 can.
      const children = ["10.0.0.0/28", "10.0.0.64/26", "10.0.0.128/25"];

      const result = allocationWithin("10.0.0.0/24", children);

      expect(result.allocated).to.equal(208n);
      expect(result.room).to.deep.equal({ largestFreePrefix: 27, freeSlash24: 0, freeSlash28: 3 });
    });

    it("finds one /27 and three /28s in a hole of three /28s starting at .48", () => {
      // Free .48–.95: .48/28, then .64/27.
      const children = ["10.0.0.0/27", "10.0.0.32/28", "10.0.0.96/27", "10.0.0.128/25"];

      const { room } = allocationWithin("10.0.0.0/24", children);

      expect(room).to.deep.equal({ largestFreePrefix: 27, freeSlash24: 0, freeSlash28: 3 });
    });

    it("finds no /27 in an unaligned hole of 32 addresses", () => {
      // Free .16–.47 is as large as a /27 but crosses the .32 boundary.
      const children = ["10.0.0.0/28", "10.0.0.48/28", "10.0.0.64/26", "10.0.0.128/25"];

      const { room } = allocationWithin("10.0.0.0/24", children);

      expect(room).to.deep.equal({ largestFreePrefix: 28, freeSlash24: 0, freeSlash28: 2 });
    });

    it("finds a /25 but no /24 when the free half of a /23 straddles the /24 boundary", () => {
      // Free 10.0.0.128–10.0.1.127: 256 addresses, no aligned /24.
      const children = ["10.0.0.0/25", "10.0.1.128/25"];

      const { room } = allocationWithin("10.0.0.0/23", children);

      expect(room).to.deep.equal({ largestFreePrefix: 25, freeSlash24: 0, freeSlash28: 16 });
    });

    it("counts only the part inside the parent of a child that is larger than it", () => {
      const result = allocationWithin("10.0.1.0/24", ["10.0.0.0/23"]);

      expect(result.allocated).to.equal(256n);
      expect(result.room).to.deep.equal({ freeSlash24: 0, freeSlash28: 0 });
    });

    it("ignores children outside the parent", () => {
      const result = allocationWithin("10.0.0.0/24", ["10.9.0.0/16", "10.0.1.0/28"]);

      expect(result.allocated).to.equal(0n);
      expect(result.room.largestFreePrefix).to.equal(24);
    });

    it("ignores children of the other address family", () => {
      const result = allocationWithin("10.0.0.0/24", ["::/0"]);

      expect(result.allocated).to.equal(0n);
    });

    it("counts overlapping children once", () => {
      const result = allocationWithin("10.0.0.0/24", ["10.0.0.0/25", "10.0.0.0/26"]);

      expect(result.allocated).to.equal(128n);
      expect(result.room).to.deep.equal({ largestFreePrefix: 25, freeSlash24: 0, freeSlash28: 8 });
    });

    it("measures a /8 with 65,535 of its /24s taken in shuffled order without enumerating addresses", function () {
      this.timeout(3000);
      const children: string[] = [];
      for (let i = 0; i < 65536; i += 1) {
        if (i !== 40000) children.push(`10.${i >> 8}.${i & 255}.0/24`);
      }

      const result = allocationWithin("10.0.0.0/8", shuffled(children, random(7)));

      expect(result.unallocated).to.equal(256n);
      expect(result.room).to.deep.equal({ largestFreePrefix: 24, freeSlash24: 1, freeSlash28: 16 });
    });

    it("agrees with an address-by-address count on 500 random /24 layouts", () => {
      const next = random(2024);
      for (let round = 0; round < 500; round += 1) {
        const children = Array.from({ length: Math.floor(next() * 8) }, () => {
          const prefix = 23 + Math.floor(next() * 8); // /23–/30, some wider than the parent
          const start = Math.floor(next() * 512) & ~((1 << (32 - prefix)) - 1);
          return `10.0.${start >> 8}.${start & 255}/${prefix}`;
        });

        const { allocated, room } = allocationWithin("10.0.0.0/24", children);

        const expected = bruteForceRoom("10.0.0.0/24", children);
        const label = children.join(", ") || "(none)";
        expect(allocated, label).to.equal(expected.allocated);
        expect(room.largestFreePrefix, label).to.equal(expected.room.largestFreePrefix);
        expect(room.freeSlash24, label).to.equal(expected.room.freeSlash24);
        expect(room.freeSlash28, label).to.equal(expected.room.freeSlash28);
      }
    });
  });

  describe("an IPv6 parent", () => {
    const parent = "2600:1f18:1234:5600::/56";

    it("counts 254 free /64s and a free /57 in a /56 whose first two /64s are taken", () => {
      const result = allocationWithin(parent, ["2600:1f18:1234:5601::/64", "2600:1f18:1234:5600::/64"]);

      expect(result.allocated).to.equal(2n * 2n ** 64n);
      expect(result.room).to.deep.equal({ largestFreePrefix: 57, freeSlash24: 0, freeSlash28: 0, freeSlash64: 254 });
    });

    it("finds a /58 as the largest block when the first and last /64 of a /56 are taken", () => {
      // Free /64 indexes 0x01–0xfe split into aligned blocks; the widest are 0x40/58 and 0x80/58.
      const { room } = allocationWithin(parent, ["2600:1f18:1234:56ff::/64", "2600:1f18:1234:5600::/64"]);

      expect(room).to.deep.equal({ largestFreePrefix: 58, freeSlash24: 0, freeSlash28: 0, freeSlash64: 254 });
    });

    it("reports no room in a /56 carved into all 256 /64s", () => {
      const children = Array.from(
        { length: 256 },
        (_, i) => `2600:1f18:1234:56${i.toString(16).padStart(2, "0")}::/64`,
      );

      const result = allocationWithin(parent, shuffled(children, random(3)));

      expect(result.unallocated).to.equal(0n);
      expect(result.room).to.deep.equal({ freeSlash24: 0, freeSlash28: 0, freeSlash64: 0 });
    });

    it("stays exact past 2^53 addresses: ::/0 less one /64", () => {
      const result = allocationWithin("::/0", ["2600::/64"]);

      expect(result.size).to.equal(2n ** 128n);
      expect(result.unallocated).to.equal(2n ** 128n - 2n ** 64n);
      expect(result.room.largestFreePrefix).to.equal(1);
    });
  });

  it("throws an error naming a parent that is not a CIDR", () => {
    expect(() => allocationWithin("10.0.0.0/33", [])).to.throw(/"10\.0\.0\.0\/33"/);
  });
});
