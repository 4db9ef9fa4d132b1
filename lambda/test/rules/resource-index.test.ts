import { expect } from "chai";
import { matchesSpec } from "../../src/rules/match";
import { indexResources } from "../../src/rules/resource-index";
import type { MatchSpec, ResourceCidr } from "../../src/types";
import { corpus, CORPUS_SCOPES as scopes, subnet, vpc } from "../fixtures/match-corpus";

describe("rules/resource-index", () => {
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
