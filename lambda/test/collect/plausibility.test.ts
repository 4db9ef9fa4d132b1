import { expect } from "chai";
import { type Baselines, judgeUnits } from "../../src/collect/plausibility";
import type { UnitReport } from "../../src/types";

const SCOPE = "ipam-scope/ipam-scope-0aa11112222333344";

function report(resources: number, complete = true, pages = 1): UnitReport {
  return {
    unit: { key: SCOPE, source: "ipam", ipamScopeId: "ipam-scope-0aa11112222333344", ipamId: "ipam-0a1b2c3d4e5f60718" },
    resources,
    pages,
    complete,
  };
}

const LAST: Baselines = { [SCOPE]: { resources: 41, pages: 1, ipamId: "ipam-0a1b2c3d4e5f60718" } };

describe("judgeUnits", () => {
  it("accepts a unit without a baseline and keeps its counts", () => {
    const outcome = judgeUnits([report(41)], undefined);

    expect(outcome.failures).to.deep.equal([]);
    expect(outcome.units[0]?.complete).to.equal(true);
    expect(outcome.baselines).to.deep.equal(LAST);
  });

  it("accepts a drop of exactly half", () => {
    const outcome = judgeUnits([report(20)], { [SCOPE]: { resources: 40, pages: 1 } });

    expect(outcome.failures).to.deep.equal([]);
    expect(outcome.baselines[SCOPE]?.resources).to.equal(20);
  });

  it("holds back a drop of more than half, naming the unit, the counts and what confirms it", () => {
    const outcome = judgeUnits([report(20)], LAST);

    expect(outcome.units[0]?.complete).to.equal(false);
    expect(outcome.failures).to.deep.equal([
      {
        target: "ipam-scope ipam-scope-0aa11112222333344",
        code: "ImplausibleDrop",
        unit: SCOPE,
        message:
          "returned 20 resource CIDRs where the last complete scan had 41 (51% fewer); counted as partial until 1 more " +
          "scan in a row sees the drop (PLAUSIBILITY_MAX_DROP_PERCENT, PLAUSIBILITY_CONFIRMATIONS)",
      },
    ]);
    expect(outcome.baselines[SCOPE]).to.deep.equal({ ...LAST[SCOPE], drop: { resources: 20, scans: 1 } });
  });

  it("holds back a drop to zero whatever the percentage allows", () => {
    const outcome = judgeUnits(
      [report(0)],
      { [SCOPE]: { resources: 1, pages: 1 } },
      {
        maxDropPercent: 100,
        confirmations: 2,
      },
    );

    expect(outcome.failures.map((f) => f.message)).to.have.length(1);
    expect(outcome.failures[0]?.message).to.include("(none left)");
  });

  it("accepts the drop when the next scan sees it too, and keeps the new count", () => {
    const first = judgeUnits([report(3)], LAST);

    const second = judgeUnits([report(3)], first.baselines);

    expect(second.failures).to.deep.equal([]);
    expect(second.units[0]?.complete).to.equal(true);
    expect(second.baselines[SCOPE]).to.deep.equal({ resources: 3, pages: 1, ipamId: "ipam-0a1b2c3d4e5f60718" });
    expect(second.accepted).to.deep.equal([`${SCOPE}: 41 → 3 after 2 scans`]);
  });

  it("needs as many scans in a row as configured", () => {
    const options = { maxDropPercent: 50, confirmations: 3 };
    const first = judgeUnits([report(3)], LAST, options);
    const second = judgeUnits([report(3)], first.baselines, options);
    const third = judgeUnits([report(3)], second.baselines, options);

    expect([first, second, third].map((o) => o.failures.length)).to.deep.equal([1, 1, 0]);
    expect(first.failures[0]?.message).to.include("until 2 more scans in a row see the drop");
  });

  it("accepts at once with one confirmation (the gate off)", () => {
    expect(judgeUnits([report(0)], LAST, { maxDropPercent: 50, confirmations: 1 }).failures).to.deep.equal([]);
  });

  it("forgets a pending drop when the count comes back", () => {
    const dropped = judgeUnits([report(3)], LAST);

    const back = judgeUnits([report(40)], dropped.baselines);

    expect(back.failures).to.deep.equal([]);
    expect(back.baselines[SCOPE]).to.not.have.property("drop");
    expect(judgeUnits([report(3)], back.baselines).failures).to.have.length(1);
  });

  it("leaves the baseline of a unit that was not read completely as it was", () => {
    const dropped = judgeUnits([report(3)], LAST);

    const failed = judgeUnits([report(0, false)], dropped.baselines);

    expect(failed.failures).to.deep.equal([]);
    expect(failed.baselines).to.deep.equal(dropped.baselines);
  });

  it("forgets units this scan did not report at all", () => {
    const outcome = judgeUnits([], LAST);

    expect(outcome.baselines).to.deep.equal({});
  });

  it("names an EC2 region by its region", () => {
    const region: UnitReport = {
      unit: { key: "ec2/eu-west-1", source: "ec2", region: "eu-west-1" },
      resources: 0,
      pages: 3,
      complete: true,
    };

    const outcome = judgeUnits([region], { "ec2/eu-west-1": { resources: 12, pages: 3 } });

    expect(outcome.failures[0]).to.include({ target: "region eu-west-1", unit: "ec2/eu-west-1" });
  });
});
