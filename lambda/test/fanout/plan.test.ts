import { expect } from "chai";
import type { AccountTarget } from "../../src/collect/accounts";
import { chooseMode, FAN_OUT_FIGURES, planShards } from "../../src/fanout/plan";

function accounts(n: number): AccountTarget[] {
  return Array.from({ length: n }, (_, i) => ({ accountId: String(100000000000 + i), own: i === 0 }));
}

describe("fanout/plan", () => {
  it("packs whole accounts into shards of at most the given account-Regions", () => {
    const shards = planShards(accounts(7), ["us-east-1", "eu-west-1", "ap-southeast-2"], 10);

    expect(shards.map((s) => s.accounts.length)).to.deep.equal([3, 3, 1]);
    expect(shards.map((s) => s.index)).to.deep.equal([0, 1, 2]);
    expect(shards.every((s) => s.accounts.length * s.regions.length <= 10)).to.equal(true);
  });

  it("puts every account in exactly one shard, in order", () => {
    const all = accounts(25);

    const shards = planShards(all, ["us-east-1", "eu-west-1"], 8);

    expect(shards.flatMap((s) => s.accounts)).to.deep.equal(all);
  });

  it("gives an account with more Regions than a shard holds a shard of its own rather than splitting it", () => {
    const regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1"];

    const shards = planShards(accounts(2), regions, 3);

    expect(shards.map((s) => [s.accounts.length, s.regions.length])).to.deep.equal([
      [1, 5],
      [1, 5],
    ]);
  });

  it("lists each Region once", () => {
    expect(planShards(accounts(1), ["us-east-1", "us-east-1"], 10)[0]?.regions).to.deep.equal(["us-east-1"]);
  });

  it("plans no shard for no account", () => {
    expect(planShards([], ["us-east-1"], 10)).to.deep.equal([]);
  });

  it("rejects a shard size below one", () => {
    expect(() => planShards(accounts(1), ["us-east-1"], 0)).to.throw(RangeError, /perShard 0/);
  });

  it("in auto mode scans in one invocation up to the measured size, and in shards above it", () => {
    const max = FAN_OUT_FIGURES.singleInvocationMaxAccountRegions;

    expect(chooseMode("auto", max)).to.equal("single");
    expect(chooseMode("auto", max + 1)).to.equal("sharded");
    expect(chooseMode("step-functions", 1)).to.equal("sharded");
  });
});
