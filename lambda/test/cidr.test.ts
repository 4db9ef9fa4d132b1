import { expect } from "chai";

import {
  blockContains,
  cidrContains,
  cidrLast,
  cidrOverlaps,
  cidrSize,
  countFreeBlocks,
  formatAddress,
  freeBlocks,
  ipv4Last,
  isValidCidr,
  parseCidr,
  parseCidrBlock,
  toCidrBlock,
} from "../src/cidr";

describe("cidr", () => {
  describe("parseCidr", () => {
    it("parses an IPv4 CIDR into family, prefix and network", () => {
      const parsed = parseCidr("10.1.0.0/16");

      expect(parsed).to.deep.equal({ family: "ipv4", bits: 32, prefix: 16, network: 0x0a010000n, text: "10.1.0.0/16" });
    });

    it("parses 0.0.0.0/0 and a /32 host route", () => {
      expect(parseCidr("0.0.0.0/0").network).to.equal(0n);
      expect(parseCidr("255.255.255.255/32").network).to.equal(0xffffffffn);
    });

    it("parses compressed IPv6 case-insensitively and returns RFC 5952 text", () => {
      const parsed = parseCidr("2600:1F18:0ABC:DE00::/56");

      expect(parsed.family).to.equal("ipv6");
      expect(parsed.bits).to.equal(128);
      expect(parsed.network).to.equal(0x26001f180abcde000000000000000000n);
      expect(parsed.text).to.equal("2600:1f18:abc:de00::/56");
    });

    it("parses IPv6 written with all eight groups and compresses the longest zero run", () => {
      expect(parseCidr("2001:0db8:0000:0000:0001:0000:0000:0000/128").text).to.equal("2001:db8:0:0:1::/128");
    });

    it("compresses the leftmost zero run when two runs are equally long", () => {
      expect(parseCidr("2001:db8:0:0:1:0:0:1/128").text).to.equal("2001:db8::1:0:0:1/128");
    });

    it("does not compress a single zero group", () => {
      expect(parseCidr("2001:db8:0:1:1:1:1:1/128").text).to.equal("2001:db8:0:1:1:1:1:1/128");
    });

    it("parses ::/0 and ::1/128", () => {
      expect(parseCidr("::/0")).to.include({ network: 0n, prefix: 0, text: "::/0" });
      expect(parseCidr("::1/128")).to.include({ network: 1n, text: "::1/128" });
    });

    it("parses an IPv6 address with an embedded IPv4 tail", () => {
      expect(parseCidr("::ffff:10.0.0.0/104").network).to.equal(0xffff0a000000n);
    });

    it("rejects host bits and names the network that was probably meant", () => {
      expect(() => parseCidr("10.0.0.1/24")).to.throw(
        '"10.0.0.1/24" is not a valid CIDR: host bits are set; the network is 10.0.0.0/24',
      );
    });

    it("rejects IPv6 host bits and names the network", () => {
      expect(() => parseCidr("2600:1f18:abc:de01::/56")).to.throw("the network is 2600:1f18:abc:de00::/56");
    });

    it("rejects a CIDR without a prefix length", () => {
      expect(() => parseCidr("10.0.0.0")).to.throw('"10.0.0.0" is not a valid CIDR: missing "/prefix"');
    });

    const invalid: Array<[string, string]> = [
      ["10.0.0.0/33", 'prefix "33" must be a whole number from 0 to 32'],
      ["::/129", 'prefix "129" must be a whole number from 0 to 128'],
      ["10.0.0.0/", 'prefix "" must be'],
      ["10.0.0.0/08", 'prefix "08" must be'],
      ["10.0.0.0/-1", 'prefix "-1" must be'],
      ["10.0.0.0/16/16", 'prefix "16/16" must be'],
      ["10.0.0/16", "must have four dot-separated numbers"],
      ["10.0.0.256/32", '"256" in "10.0.0.256" is not a number from 0 to 255'],
      ["010.0.0.0/8", '"010" in "010.0.0.0"'],
      ["10.0.0.a/32", '"a" in "10.0.0.a"'],
      ["2001:db8::1::/64", 'has more than one "::"'],
      ["1:2:3:4:5:6:7:8:9/128", "must have eight groups"],
      ["1:2:3:4:5:6:7/112", "must have eight groups"],
      ["1:2:3:4:5:6:7:8::/128", "must have eight groups"],
      ["2001:db8:12345::/48", '"12345" in "2001:db8:12345::"'],
      ["2001:db8:g::/48", '"g" in "2001:db8:g::"'],
      ["", 'missing "/prefix"'],
      [" 10.0.0.0/8", '" 10" in " 10.0.0.0"'],
    ];
    for (const [text, why] of invalid) {
      it(`rejects "${text}" saying ${why}`, () => {
        expect(() => parseCidr(text))
          .to.throw(`"${text}" is not a valid CIDR: `)
          .with.property("message")
          .that.includes(why);
      });
    }
  });

  describe("parseCidr on IPv4 text, the common case of a scan", () => {
    /** An independent reading of dotted-quad CIDRs: a regular expression and arithmetic on numbers. */
    function reference(text: string): { network: bigint; prefix: number } | undefined {
      const match = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\/(0|[1-9]\d?)$/.exec(text);
      if (match === null) return undefined;
      const octets = match.slice(1, 5).map(Number);
      const prefix = Number(match[5]);
      if (octets.some((o) => o > 255) || prefix > 32) return undefined;
      const network = octets.reduce((value, o) => value * 256 + o, 0);
      if (network % 2 ** (32 - prefix) !== 0) return undefined;
      return { network: BigInt(network), prefix };
    }

    /** Deterministic pseudo-random numbers, so a failure can be replayed. */
    function* numbers(seed: number): Generator<number> {
      let state = seed;
      for (;;) {
        state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
        yield state;
      }
    }

    it("agrees with a reference reading on thousands of valid and invalid texts", () => {
      const random = numbers(7);
      const next = (bound: number): number => (random.next().value as number) % bound;
      const texts: string[] = [];
      for (let i = 0; i < 5000; i++) {
        const prefix = next(34);
        const octets = [next(260), next(260), next(260), next(260)];
        if (i % 2 === 0) {
          // Half aligned on their prefix, so most of them are valid.
          const span = 2 ** (32 - Math.min(prefix, 32));
          const value = Math.floor(octets.reduce((v, o) => v * 256 + (o % 256), 0) / span) * span;
          octets.splice(0, 4, value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
        }
        texts.push(`${octets.join(".")}/${prefix}`);
      }
      let valid = 0;
      for (const text of texts) {
        const expected = reference(text);
        if (expected === undefined) {
          expect(() => parseCidr(text), text).to.throw(`"${text}" is not a valid CIDR: `);
          continue;
        }
        valid += 1;
        expect(parseCidr(text), text).to.deep.equal({
          family: "ipv4",
          bits: 32,
          prefix: expected.prefix,
          network: expected.network,
          text,
        });
      }
      // Guards the corpus: both kinds must be well represented.
      expect(valid)
        .to.be.greaterThan(1000)
        .and.lessThan(texts.length - 1000);
    });

    const odd: Array<[string, string]> = [
      ["10.0.0.0/032", 'prefix "032" must be'],
      ["10.0.0.0/3a", 'prefix "3a" must be'],
      ["10.0.0.0/+8", 'prefix "+8" must be'],
      ["10.0.0.0.0/8", "must have four dot-separated numbers"],
      ["10..0.0/8", '"" in "10..0.0"'],
      [".10.0.0/8", '"" in ".10.0.0"'],
      ["10.0.0.0 /8", '"0 " in "10.0.0.0 "'],
      ["10.0.0.0/ 8", 'prefix " 8" must be'],
      ["10.0.0.00/32", '"00" in "10.0.0.00"'],
      ["10.0.0.1000/32", '"1000" in "10.0.0.1000"'],
      ["10.0.0.1/31", "host bits are set; the network is 10.0.0.0/31"],
    ];
    for (const [text, why] of odd) {
      it(`rejects "${text}" saying ${why}`, () => {
        expect(() => parseCidr(text))
          .to.throw(`"${text}" is not a valid CIDR: `)
          .with.property("message")
          .that.includes(why);
      });
    }

    it("keeps accepted IPv4 text as it is, since it is already canonical", () => {
      expect(
        ["0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8", "100.64.0.0/10"].map((text) => parseCidr(text).text),
      ).to.deep.equal(["0.0.0.0/0", "255.255.255.255/32", "10.0.0.0/8", "100.64.0.0/10"]);
    });
  });

  describe("isValidCidr", () => {
    it("is true for a valid CIDR", () => {
      expect(isValidCidr("172.16.0.0/12")).to.equal(true);
    });

    it("is false for host bits, bad prefixes and plain addresses", () => {
      expect(["172.16.0.1/12", "172.16.0.0/40", "172.16.0.0"].map(isValidCidr)).to.deep.equal([false, false, false]);
    });
  });

  describe("cidrSize", () => {
    const sizes: Array<[string, bigint]> = [
      ["10.0.0.0/16", 65_536n],
      ["10.0.0.0/28", 16n],
      ["54.240.1.10/32", 1n],
      ["0.0.0.0/0", 4_294_967_296n],
      ["2600:1f18:abc:de00::/56", 4_722_366_482_869_645_213_696n],
      ["2600:1f18:abc:de00::/64", 18_446_744_073_709_551_616n],
      ["2600:1f18:abc::/52", 75_557_863_725_914_323_419_136n],
      ["::/0", 340_282_366_920_938_463_463_374_607_431_768_211_456n],
    ];
    for (const [cidr, size] of sizes) {
      it(`counts ${size} addresses in ${cidr}`, () => {
        expect(cidrSize(cidr)).to.equal(size);
      });
    }

    it("uses 128 bits for IPv6, not 32", () => {
      expect(cidrSize("2001:db8::/120")).to.equal(256n);
    });

    it("accepts an already parsed CIDR", () => {
      expect(cidrSize(parseCidr("10.0.0.0/24"))).to.equal(256n);
    });
  });

  describe("cidrLast", () => {
    it("returns the broadcast-position address of an IPv4 block", () => {
      expect(formatAddress("ipv4", cidrLast("10.0.1.0/28"))).to.equal("10.0.1.15");
    });
  });

  describe("cidrContains", () => {
    it("is true for a subnet inside its VPC", () => {
      expect(cidrContains("10.0.0.0/16", "10.0.42.0/24")).to.equal(true);
    });

    it("is true for equal blocks", () => {
      expect(cidrContains("10.0.0.0/16", "10.0.0.0/16")).to.equal(true);
    });

    it("is false when the inner block is larger", () => {
      expect(cidrContains("10.0.0.0/24", "10.0.0.0/16")).to.equal(false);
    });

    it("is false for a neighbouring block", () => {
      expect(cidrContains("10.0.0.0/16", "10.1.0.0/24")).to.equal(false);
    });

    it("is false across address families", () => {
      expect(cidrContains("::/0", "10.0.0.0/8")).to.equal(false);
    });

    it("works for IPv6", () => {
      expect(cidrContains("2600:1f18:abc:de00::/56", "2600:1f18:abc:de42::/64")).to.equal(true);
      expect(cidrContains("2600:1f18:abc:de00::/56", "2600:1f18:abc:df00::/64")).to.equal(false);
    });

    it("treats 0.0.0.0/0 as containing every IPv4 block", () => {
      expect(cidrContains("0.0.0.0/0", "203.0.113.7/32")).to.equal(true);
    });
  });

  describe("cidrOverlaps", () => {
    it("is true when one block contains the other, false for disjoint blocks", () => {
      expect(cidrOverlaps("10.0.0.0/24", "10.0.0.0/16")).to.equal(true);
      expect(cidrOverlaps("10.0.0.0/24", "10.0.1.0/24")).to.equal(false);
    });
  });

  describe("formatAddress", () => {
    it("formats IPv4 dotted and IPv6 compressed", () => {
      expect(formatAddress("ipv4", 0xc0a80001n)).to.equal("192.168.0.1");
      expect(formatAddress("ipv6", 0x20010db8000000000000000000000001n)).to.equal("2001:db8::1");
    });

    it("rejects a value outside the family's range", () => {
      expect(() => formatAddress("ipv4", 1n << 32n)).to.throw(RangeError, "outside the ipv4 address range");
    });
  });

  describe("freeBlocks", () => {
    it("returns the whole parent when nothing is allocated", () => {
      expect(freeBlocks("10.0.0.0/16", []).map((b) => b.text)).to.deep.equal(["10.0.0.0/16"]);
    });

    it("returns nothing when the parent is fully allocated", () => {
      expect(freeBlocks("10.0.0.0/24", ["10.0.0.0/25", "10.0.0.128/25"])).to.deep.equal([]);
    });

    it("returns the fewest aligned blocks around allocations, in address order", () => {
      const free = freeBlocks("10.0.0.0/16", ["10.0.0.0/24", "10.0.2.0/23", "10.0.128.0/17"]);

      expect(free.map((b) => b.text)).to.deep.equal([
        "10.0.1.0/24",
        "10.0.4.0/22",
        "10.0.8.0/21",
        "10.0.16.0/20",
        "10.0.32.0/19",
        "10.0.64.0/18",
      ]);
    });

    it("keeps the first block free when the allocation starts later (no off-by-one at the start)", () => {
      expect(freeBlocks("10.0.0.0/24", ["10.0.0.16/28"]).map((b) => b.text)).to.deep.equal([
        "10.0.0.0/28",
        "10.0.0.32/27",
        "10.0.0.64/26",
        "10.0.0.128/25",
      ]);
    });

    it("keeps the last block free and goes no further than the parent", () => {
      expect(
        freeBlocks("10.0.0.0/24", ["10.0.0.0/25", "10.0.0.128/26", "10.0.0.192/27", "10.0.0.224/28"]).map(
          (b) => b.text,
        ),
      ).to.deep.equal(["10.0.0.240/28"]);
    });

    it("ignores allocations of the other family or outside the parent, and merges overlaps", () => {
      const free = freeBlocks("10.0.0.0/24", ["2001:db8::/64", "10.1.0.0/24", "10.0.0.0/26", "10.0.0.0/25"]);

      expect(free.map((b) => b.text)).to.deep.equal(["10.0.0.128/25"]);
    });

    it("clips an allocation larger than the parent", () => {
      expect(freeBlocks("10.0.1.0/24", ["10.0.0.0/16"])).to.deep.equal([]);
    });

    it("works for IPv6", () => {
      const free = freeBlocks("2600:1f18:abc:de00::/56", ["2600:1f18:abc:de00::/57"]);

      expect(free.map((b) => b.text)).to.deep.equal(["2600:1f18:abc:de80::/57"]);
    });
  });

  describe("countFreeBlocks", () => {
    it("counts the /28s that fit in the free space", () => {
      const free = freeBlocks("10.0.0.0/24", ["10.0.0.16/28"]);

      expect(countFreeBlocks(free, 28)).to.equal(15n);
    });

    it("counts no /24 when only smaller blocks are free", () => {
      const free = freeBlocks("10.0.0.0/24", ["10.0.0.16/28"]);

      expect(countFreeBlocks(free, 24)).to.equal(0n);
    });

    it("counts /64s in an IPv6 /56 exactly", () => {
      expect(countFreeBlocks(freeBlocks("2600:1f18:abc:de00::/56", []), 64)).to.equal(256n);
    });
  });

  describe("CIDR blocks (plain numbers)", () => {
    it("reads IPv4 as one number and IPv6 as eight groups", () => {
      expect(toCidrBlock("10.1.0.0/16")).to.deep.equal({ family: "ipv4", prefix: 16, network: 0x0a010000 });
      expect(toCidrBlock("2600:1f18::ffff:10.0.0.0/120")).to.deep.equal({
        family: "ipv6",
        prefix: 120,
        groups: [0x2600, 0x1f18, 0, 0, 0, 0xffff, 0x0a00, 0],
      });
    });

    it("gives undefined for text that is not a CIDR, and parseCidrBlock the reason parseCidr gives", () => {
      expect(toCidrBlock("10.0.0.1/24")).to.equal(undefined);
      expect(() => parseCidrBlock("10.0.0.1/24")).to.throw(
        '"10.0.0.1/24" is not a valid CIDR: host bits are set; the network is 10.0.0.0/24',
      );
    });

    it("holds the same network as parseCidr for every family and prefix", () => {
      const texts = ["0.0.0.0/0", "255.255.255.255/32", "10.128.0.0/9", "::/0", "2600:1f18:abc:de00::/56", "::1/128"];
      for (const text of texts) {
        const block = toCidrBlock(text)!;
        const parsed = parseCidr(text);
        const network =
          block.family === "ipv4"
            ? BigInt(block.network)
            : block.groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
        expect({ family: block.family, prefix: block.prefix, network }, text).to.deep.equal({
          family: parsed.family,
          prefix: parsed.prefix,
          network: parsed.network,
        });
      }
    });

    it("agrees with cidrContains on containment, both families and every prefix boundary", () => {
      const texts = [
        "10.0.0.0/8",
        "10.1.0.0/16",
        "10.1.2.0/24",
        "10.1.2.128/25",
        "11.0.0.0/8",
        "0.0.0.0/0",
        "2600:1f18::/32",
        "2600:1f18:abcd::/48",
        "2600:1f18:abcd:1200::/56",
        "2600:1f18:abcd:1280::/57",
        "2600:1f19::/32",
        "::/0",
      ];
      for (const outer of texts) {
        for (const inner of texts) {
          expect(blockContains(toCidrBlock(outer)!, toCidrBlock(inner)!), `${outer} ⊇ ${inner}`).to.equal(
            cidrContains(outer, inner),
          );
        }
      }
    });

    it("gives the last address of an IPv4 block", () => {
      expect(ipv4Last({ network: 0x0a000000, prefix: 8 })).to.equal(0x0affffff);
      expect(ipv4Last({ network: 0, prefix: 0 })).to.equal(0xffffffff);
    });
  });
});
