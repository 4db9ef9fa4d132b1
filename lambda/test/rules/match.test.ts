import { expect } from "chai";
import { compileScope, compileSpec, indexResources, matchesScope, matchesSpec } from "../../src/rules/match";
import type { MatchSpec, ResourceCidr, ScopeRule } from "../../src/types";

/** A subnet as the IPAM collector builds it from a GetIpamResourceCidrs entry. */
function subnet(overrides: Partial<ResourceCidr> = {}): ResourceCidr {
  return {
    source: "ipam",
    resourceId: "subnet-0123456789abcdef0",
    resourceType: "subnet",
    name: "prod-app-a",
    cidr: "10.1.2.0/24",
    addressFamily: "ipv4",
    ownerId: "111122223333",
    region: "us-east-1",
    vpcId: "vpc-0abc0abc0abc0abc0",
    availabilityZoneId: "use1-az1",
    tags: { Name: "prod-app-a", env: "prod", team: "payments" },
    size: 256n,
    usable: 251n,
    used: 100n,
    free: 151n,
    utilization: 39.84,
    ipam: { ipamId: "ipam-0123456789abcdef0", ipamScopeId: "ipam-scope-0123456789abcdef0", ipUsage: 0.3984 },
    ...overrides,
  };
}

/** A VPC as GetIpamResourceCidrs reports it: no VpcId of its own. */
function vpc(overrides: Partial<ResourceCidr> = {}): ResourceCidr {
  return subnet({
    resourceId: "vpc-0abc0abc0abc0abc0",
    resourceType: "vpc",
    name: "prod",
    cidr: "10.1.0.0/16",
    vpcId: undefined,
    size: 65536n,
    usable: 65536n,
    ...overrides,
  });
}

function scope(match: MatchSpec, exclude?: MatchSpec): ScopeRule {
  return { name: "s", match, ...(exclude ? { exclude } : {}), thresholds: { warning: 70 }, resourceMetrics: false };
}

/** Checks the reference matcher and the compiled one together: they must agree. */
function specMatches(resource: ResourceCidr, spec: MatchSpec): boolean {
  const reference = matchesSpec(resource, spec);
  expect(compileSpec(spec)(resource), "compileSpec disagrees with matchesSpec").to.equal(reference);
  return reference;
}

describe("rules/match", () => {
  describe("matchesSpec", () => {
    it("matches every resource when the spec is empty", () => {
      expect(specMatches(subnet(), {})).to.equal(true);
    });

    it("matches a resource type in the list", () => {
      expect(specMatches(subnet(), { resourceTypes: ["vpc", "subnet"] })).to.equal(true);
    });

    it("rejects a resource type not in the list", () => {
      expect(specMatches(subnet(), { resourceTypes: ["vpc"] })).to.equal(false);
    });

    it("passes types it has no special handling for through by name", () => {
      expect(specMatches(subnet({ resourceType: "anycast-ip-list" }), { resourceTypes: ["anycast-ip-list"] })).to.equal(
        true,
      );
    });

    it("requires every given condition to hold", () => {
      expect(specMatches(subnet(), { resourceTypes: ["subnet"], regions: ["eu-west-1"] })).to.equal(false);
    });

    it("matches the owning account", () => {
      expect(specMatches(subnet(), { accounts: ["444455556666", "111122223333"] })).to.equal(true);
      expect(specMatches(subnet(), { accounts: ["444455556666"] })).to.equal(false);
    });

    it("does not match an account condition when the owner is unknown", () => {
      expect(specMatches(subnet({ ownerId: undefined }), { accounts: ["111122223333"] })).to.equal(false);
    });

    it("matches the Region", () => {
      expect(specMatches(subnet(), { regions: ["us-east-1"] })).to.equal(true);
      expect(specMatches(subnet({ region: undefined }), { regions: ["us-east-1"] })).to.equal(false);
    });

    it("matches a subnet by the VPC it belongs to", () => {
      expect(specMatches(subnet(), { vpcIds: ["vpc-0abc0abc0abc0abc0"] })).to.equal(true);
      expect(specMatches(subnet(), { vpcIds: ["vpc-0fff0fff0fff0fff0"] })).to.equal(false);
    });

    it("matches a VPC by its own id under vpcIds", () => {
      expect(specMatches(vpc(), { vpcIds: ["vpc-0abc0abc0abc0abc0"] })).to.equal(true);
    });

    it("does not match a vpcIds condition for a resource outside any VPC", () => {
      const pool = subnet({ resourceType: "public-ipv4-pool", resourceId: "ipv4pool-ec2-0abc", vpcId: undefined });
      expect(specMatches(pool, { vpcIds: ["vpc-0abc0abc0abc0abc0"] })).to.equal(false);
    });

    it("matches exact resource ids", () => {
      expect(specMatches(subnet(), { resourceIds: ["subnet-0123456789abcdef0"] })).to.equal(true);
      expect(specMatches(subnet(), { resourceIds: ["subnet-0123456789abcdef1"] })).to.equal(false);
    });

    it("matches the address family", () => {
      expect(specMatches(subnet(), { addressFamily: "ipv4" })).to.equal(true);
      expect(specMatches(subnet(), { addressFamily: "ipv6" })).to.equal(false);
    });

    describe("cidrWithin", () => {
      it("matches a CIDR inside one of the blocks", () => {
        expect(specMatches(subnet(), { cidrWithin: ["192.168.0.0/16", "10.0.0.0/8"] })).to.equal(true);
      });

      it("matches a CIDR equal to the block", () => {
        expect(specMatches(subnet(), { cidrWithin: ["10.1.2.0/24"] })).to.equal(true);
      });

      it("rejects a CIDR larger than the block", () => {
        expect(specMatches(subnet(), { cidrWithin: ["10.1.2.0/25"] })).to.equal(false);
      });

      it("rejects a CIDR outside every block", () => {
        expect(specMatches(subnet(), { cidrWithin: ["172.16.0.0/12"] })).to.equal(false);
      });

      it("matches IPv6 CIDRs inside IPv6 blocks", () => {
        const ipv6 = subnet({ cidr: "2600:1f18:abcd:1200::/64", addressFamily: "ipv6" });
        expect(specMatches(ipv6, { cidrWithin: ["2600:1f18::/32"] })).to.equal(true);
      });

      it("never matches a block of the other family", () => {
        const ipv6 = subnet({ cidr: "::/64", addressFamily: "ipv6" });
        expect(specMatches(ipv6, { cidrWithin: ["0.0.0.0/0"] })).to.equal(false);
        expect(specMatches(subnet(), { cidrWithin: ["::/0"] })).to.equal(false);
      });

      it("agrees with cidr.ts on unusual CIDR texts in resources and rules", () => {
        const texts = [
          "10.0.0.0/8",
          "10.1.2.0/24",
          "010.0.0.0/8",
          "10.0.0.1/8",
          "10.0.0.0/08",
          "10.0.0.0/33",
          "10.0.0/24",
          "10.0.0.0.0/24",
          "10.0.0.0/",
          "10.0.0.0",
          "1.2.3.4/32",
          "0.0.0.0/0",
          "255.255.255.255/32",
          "256.0.0.0/8",
          "::/0",
          "::/128",
          "::1/128",
          "2600:1F18::/32",
          "2600:1f18::/31",
          "2600:1f19::/31",
          "2600:1f18:abcd:1200::/56",
          "2600:1f18:abcd:1200::/64",
          "2600:1f19::/32",
          "2600:1f1a::/32",
          "10.128.0.0/9",
          "11.0.0.0/8",
          "1:2:3:4:5:6:7:8/128",
          "1:2:3:4:5:6:7::/112",
          "1:2:3:4:5:6:7:8:9/128",
          "::ffff:10.0.0.0/104",
          "::ffff:0:0/96",
          "1::2::3/64",
          "1:::/64",
          ":1::/64",
          "1:/64",
          "12345::/16",
          "::/129",
          "",
        ];
        for (const outer of texts.filter((t) => {
          try {
            return compileSpec({ cidrWithin: [t] }) !== undefined;
          } catch {
            return false;
          }
        })) {
          for (const inner of texts) {
            const resource = subnet({ cidr: inner, addressFamily: inner.includes(":") ? "ipv6" : "ipv4" });
            const reference = matchesSpec(resource, { cidrWithin: [outer] });
            expect(compileSpec({ cidrWithin: [outer] })(resource), `${inner} within ${outer}`).to.equal(reference);
          }
        }
      });

      it("throws when compiling a malformed block, which parseRules rejects before this point", () => {
        expect(() => compileSpec({ cidrWithin: ["10.0.0.1/8"] })).to.throw(/not a valid CIDR/);
      });

      it("does not match a resource whose CIDR text does not parse", () => {
        expect(specMatches(subnet({ cidr: "not-a-cidr" }), { cidrWithin: ["0.0.0.0/0"] })).to.equal(false);
      });
    });

    describe("names", () => {
      it("matches the resource name against the globs", () => {
        expect(specMatches(subnet(), { names: ["dev-*", "prod-*"] })).to.equal(true);
        expect(specMatches(subnet(), { names: ["dev-*"] })).to.equal(false);
      });

      it("does not match a resource without a name", () => {
        expect(specMatches(subnet({ name: undefined }), { names: ["*"] })).to.equal(false);
      });
    });

    describe("tags", () => {
      it("matches when every key is present and its value matches the glob", () => {
        expect(specMatches(subnet(), { tags: { env: "prod", team: "pay*" } })).to.equal(true);
      });

      it("rejects a value that does not match", () => {
        expect(specMatches(subnet(), { tags: { env: "dev" } })).to.equal(false);
      });

      it("rejects a resource that lacks one of the keys, even for the glob *", () => {
        expect(specMatches(subnet(), { tags: { env: "prod", owner: "*" } })).to.equal(false);
      });

      it("compares tag keys case-sensitively", () => {
        expect(specMatches(subnet(), { tags: { Env: "prod" } })).to.equal(false);
      });

      it("matches an empty tag value with an empty glob", () => {
        expect(specMatches(subnet({ tags: { monitoring: "" } }), { tags: { monitoring: "" } })).to.equal(true);
      });

      it("does not mistake Object.prototype members for tags", () => {
        expect(specMatches(subnet(), { tags: { constructor: "*" } })).to.equal(false);
        expect(specMatches(subnet(), { tags: { toString: "*" } })).to.equal(false);
      });

      it("matches a value against a list of alternatives", () => {
        const production = subnet({ tags: { env: "production" } });

        expect(specMatches(production, { tags: { env: ["prod", "production"] } })).to.equal(true);
        expect(specMatches(subnet(), { tags: { env: ["prod", "production"] } })).to.equal(true);
        expect(specMatches(subnet({ tags: { env: "dev" } }), { tags: { env: ["prod", "production"] } })).to.equal(
          false,
        );
      });

      it("matches globs among the alternatives", () => {
        expect(specMatches(subnet(), { tags: { team: ["web", "pay*"] } })).to.equal(true);
      });
    });
  });

  describe("matchesScope", () => {
    it("matches a resource that matches match and has no exclude", () => {
      expect(matchesScope(subnet(), scope({ resourceTypes: ["subnet"] }))).to.equal(true);
    });

    it("drops a resource that also matches exclude", () => {
      const rule = scope({ resourceTypes: ["subnet"] }, { tags: { env: "prod" } });
      expect(matchesScope(subnet(), rule)).to.equal(false);
    });

    it("keeps a resource that does not match exclude", () => {
      const rule = scope({ resourceTypes: ["subnet"] }, { tags: { monitoring: "off" } });
      expect(matchesScope(subnet(), rule)).to.equal(true);
    });

    it("drops a resource that does not match match, whatever exclude says", () => {
      const rule = scope({ resourceTypes: ["vpc"] }, { tags: { monitoring: "off" } });
      expect(matchesScope(subnet(), rule)).to.equal(false);
    });
  });

  describe("compileScope", () => {
    /** A deterministic variety of resources: every field on and off, both families, odd names and tags. */
    function corpus(): ResourceCidr[] {
      const resources: ResourceCidr[] = [];
      const types = ["vpc", "subnet", "eip", "public-ipv4-pool", "ipv6-pool", "eni"];
      const names = [undefined, "prod-app-a", "prod-db-1", "dev-web-2", "Prod-x", "web-9", "[weird]*name"];
      const tagSets: Record<string, string>[] = [
        {},
        { env: "prod" },
        { env: "dev", team: "payments" },
        { env: "prod", monitoring: "off" },
        { team: "" },
      ];
      const cidrs: [string, "ipv4" | "ipv6"][] = [
        ["10.1.2.0/24", "ipv4"],
        ["10.200.0.0/16", "ipv4"],
        ["172.16.5.0/28", "ipv4"],
        ["3.5.140.2/32", "ipv4"],
        ["2600:1f18:abcd:1200::/64", "ipv6"],
        ["2a05:d018::/56", "ipv6"],
      ];
      let i = 0;
      for (const type of types) {
        for (const name of names) {
          for (const tags of tagSets) {
            const [cidr, addressFamily] = cidrs[i % cidrs.length]!;
            resources.push(
              subnet({
                resourceType: type,
                resourceId: `${type}-${i.toString(16).padStart(8, "0")}`,
                name,
                tags,
                cidr,
                addressFamily,
                ownerId: i % 5 === 0 ? undefined : i % 2 === 0 ? "111122223333" : "444455556666",
                region: i % 3 === 0 ? "eu-west-1" : "us-east-1",
                vpcId:
                  type === "subnet" || type === "eni"
                    ? i % 2 === 0
                      ? "vpc-0abc0abc0abc0abc0"
                      : "vpc-0def0def0def0def0"
                    : undefined,
              }),
            );
            i += 1;
          }
        }
      }
      return resources;
    }

    const scopes: ScopeRule[] = [
      scope({}),
      scope({ resourceTypes: ["subnet", "eni"] }),
      scope({ accounts: ["111122223333"], regions: ["us-east-1"] }),
      scope({ vpcIds: ["vpc-0abc0abc0abc0abc0"] }),
      scope({ resourceIds: ["subnet-00000001", "vpc-00000000"] }),
      scope({ cidrWithin: ["10.0.0.0/8", "2600:1f18::/32"] }),
      scope({ names: ["prod-*", "web-?"] }),
      scope({ names: ["\\[weird\\]\\*name"] }),
      scope({ tags: { env: "prod" } }, { tags: { monitoring: "off" } }),
      scope({ tags: { team: "*" } }),
      scope({ addressFamily: "ipv6" }, { resourceTypes: ["ipv6-pool"] }),
      scope(
        {
          resourceTypes: ["subnet"],
          addressFamily: "ipv4",
          cidrWithin: ["10.0.0.0/8"],
          names: ["prod-*"],
          tags: { env: "pr[o]d" },
        },
        { regions: ["eu-west-1"] },
      ),
    ];

    it("agrees with matchesScope on every resource of a varied corpus", () => {
      const resources = corpus();
      let matched = 0;
      for (const rule of scopes) {
        const compiled = compileScope(rule);
        for (const resource of resources) {
          const expected = matchesScope(resource, rule);
          expect(compiled(resource), `${JSON.stringify(rule.match)} on ${resource.resourceId}`).to.equal(expected);
          if (expected) matched += 1;
        }
      }
      // Guards the corpus itself: a corpus nothing matches (or everything does) would prove little.
      expect(matched).to.be.greaterThan(scopes.length * 5);
      expect(matched).to.be.lessThan(scopes.length * resources.length);
    });

    it("throws on a malformed glob, which parseRules rejects before this point", () => {
      expect(() => compileScope(scope({ names: ["prod-[a"] }))).to.throw(/not a valid glob/);
    });

    describe("indexResources", () => {
      /** The positions of the resources a spec matches, by the reference matcher. */
      function matchedBy(resources: ResourceCidr[], spec: MatchSpec): number[] {
        return [...resources.keys()].filter((i) => matchesSpec(resources[i]!, spec));
      }

      const specs: MatchSpec[] = [
        ...scopes.map((rule) => rule.match),
        { resourceTypes: ["subnet", "subnet", "eni", "nat"] },
        { accounts: ["444455556666"] },
        { tags: { env: "prod", team: "payments" } },
        { tags: { env: ["prod", "dev"] } },
        { tags: { team: ["payments", "pay*"] } },
        { tags: { team: "" } },
        { tags: { constructor: "x" } },
        { tags: { env: "prod" }, regions: ["eu-west-1"], addressFamily: "ipv4" },
        { cidrWithin: ["10.0.0.0/8", "10.1.0.0/16", "172.16.0.0/12"] },
        {
          cidrWithin: ["10.1.2.0/24"],
          resourceTypes: ["subnet", "vpc", "eip", "public-ipv4-pool", "ipv6-pool", "eni"],
        },
        { cidrWithin: ["10.0.0.0/8", "2600:1f18::/32"], resourceTypes: ["eni"] },
        { vpcIds: ["vpc-0abc0abc0abc0abc0", "vpc-0def0def0def0def0"], names: ["prod-*"] },
        { resourceIds: ["subnet-00000001"] },
        { regions: [] },
      ];

      it("offers every resource a spec matches among its candidates, in ascending position", () => {
        const resources = corpus();
        const index = indexResources(resources);
        let narrowed = 0;
        for (const spec of specs) {
          const candidates = index.candidates(spec);
          const matched = matchedBy(resources, spec);
          if (candidates === undefined) continue;
          narrowed += 1;
          const offered = new Set(candidates);
          expect(
            matched.filter((i) => !offered.has(i)),
            `${JSON.stringify(spec)} left out`,
          ).to.deep.equal([]);
          expect([...candidates], JSON.stringify(spec)).to.deep.equal([...offered].sort((a, b) => a - b));
        }
        // Guards the specs: most of them must be narrowed, or this proves little.
        expect(narrowed).to.be.greaterThan(specs.length / 2);
      });

      it("offers exactly the resources of the listed types when the type is the narrowest condition", () => {
        const resources = corpus();

        const candidates = indexResources(resources).candidates({ resourceTypes: ["eni", "vpc"] });

        expect([...candidates!]).to.deep.equal(
          [...resources.keys()].filter((i) => ["eni", "vpc"].includes(resources[i]!.resourceType)),
        );
      });

      it("offers the smallest set any one condition allows", () => {
        const resources = corpus();
        const index = indexResources(resources);

        const both = index.candidates({ resourceTypes: ["subnet", "vpc", "eni"], accounts: ["444455556666"] })!;
        const types = index.candidates({ resourceTypes: ["subnet", "vpc", "eni"] })!;
        const accounts = index.candidates({ accounts: ["444455556666"] })!;

        expect(both.length).to.equal(Math.min(types.length, accounts.length));
      });

      it("does not narrow by names, glob tags, resource IDs or an IPv6 block", () => {
        const index = indexResources(corpus());

        const offered = [
          { names: ["prod-*"] },
          { tags: { team: "pay*" } },
          { resourceIds: ["eni-00000001"] },
          { cidrWithin: ["2600:1f18::/32"] },
        ].map((spec) => index.candidates(spec));

        expect(offered).to.deep.equal([undefined, undefined, undefined, undefined]);
      });

      it("offers a resource within overlapping IPv4 blocks once", () => {
        const resources = [
          subnet({ cidr: "10.1.2.0/24" }),
          subnet({ cidr: "192.168.0.0/24" }),
          subnet({ cidr: "10.1.0.0/16" }),
        ];

        const candidates = indexResources(resources).candidates({ cidrWithin: ["10.0.0.0/8", "10.1.0.0/16"] });

        expect([...candidates!]).to.deep.equal([0, 2]);
      });

      it("offers a VPC under its own ID for vpcIds, with its subnets", () => {
        const resources = [
          vpc(),
          subnet(),
          subnet({ vpcId: "vpc-0def0def0def0def0" }),
          vpc({ resourceId: "vpc-0def0def0def0def0" }),
        ];

        const candidates = indexResources(resources).candidates({ vpcIds: ["vpc-0abc0abc0abc0abc0"] });

        expect([...candidates!]).to.deep.equal([0, 1]);
      });

      it("offers no resource for a value no resource has", () => {
        const candidates = indexResources(corpus()).candidates({ regions: ["ap-south-2"] });

        expect([...candidates!]).to.deep.equal([]);
      });

      it("throws on a malformed cidrWithin block, which parseRules rejects before this point", () => {
        expect(() => indexResources(corpus()).candidates({ cidrWithin: ["10.0.0.1/8"] })).to.throw(/not a valid CIDR/);
      });
    });
  });
});
