import { expect } from "chai";
import { compileScope, compileSpec, matchesScope, matchesSpec } from "../../src/rules/match";
import type { MatchSpec, ResourceCidr } from "../../src/types";
import { corpus, scope, CORPUS_SCOPES as scopes, subnet, vpc } from "../fixtures/match-corpus";

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
  });
});
