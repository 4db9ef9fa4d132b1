import { expect } from "chai";
import { ResourceCidrSet } from "../../src/collect/unique";

describe("ResourceCidrSet", () => {
  it("adds a pair once and says so the second time", () => {
    const set = new ResourceCidrSet();

    expect(set.add("subnet-1", "10.0.0.0/24")).to.equal(true);
    expect(set.add("subnet-1", "10.0.0.0/24")).to.equal(false);
    expect(set.size).to.equal(1);
  });

  it("keeps the CIDRs of one resource apart (a VPC with a secondary block)", () => {
    const set = new ResourceCidrSet();

    set.add("vpc-1", "10.0.0.0/16");
    set.add("vpc-1", "100.64.0.0/16");
    set.add("vpc-1", "2600:1f18::/56");

    expect(set.add("vpc-1", "100.64.0.0/16")).to.equal(false);
    expect(set.add("vpc-1", "2600:1f18::/56")).to.equal(false);
    expect(set.size).to.equal(3);
  });

  it("keeps the same CIDR of two resources apart (reused address space)", () => {
    const set = new ResourceCidrSet();

    set.add("vpc-1", "10.0.0.0/16");

    expect(set.add("vpc-2", "10.0.0.0/16")).to.equal(true);
  });
});
