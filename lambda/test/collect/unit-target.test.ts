import { expect } from "chai";
import { ec2RegionUnit } from "../../src/collect/ec2";
import { ipamScopeUnit } from "../../src/collect/ipam";
import { accountRegionTarget } from "../../src/collect/organization";
import { judgeUnits } from "../../src/collect/plausibility";
import { unitTarget } from "../../src/collect/unit-target";

describe("collect/unit-target", () => {
  it("names an IPAM scope, a Region of the own account and a member account's Region", () => {
    expect(unitTarget(ipamScopeUnit({ scopeId: "ipam-scope-0abc", ipamId: "ipam-0def" }))).to.equal(
      "ipam-scope ipam-scope-0abc",
    );
    expect(unitTarget(ec2RegionUnit("eu-west-1"))).to.equal("region eu-west-1");
    expect(unitTarget(ec2RegionUnit("eu-west-1", "111122223333"))).to.equal("account 111122223333 region eu-west-1");
    expect(unitTarget(ec2RegionUnit("eu-west-1", "111122223333"), "payments")).to.equal(
      "account 111122223333 (payments) region eu-west-1",
    );
  });

  it("names an account-Region the same way for the cross-account read and the plausibility gate", () => {
    const unit = ec2RegionUnit("eu-west-1", "111122223333");
    const judged = judgeUnits([{ unit, resources: 0, pages: 1, complete: true }], {
      [unit.key]: { resources: 40, pages: 1 },
    });

    expect(judged.failures.map((f) => f.target)).to.deep.equal([
      accountRegionTarget({ accountId: "111122223333" }, "eu-west-1"),
    ]);
  });
});
