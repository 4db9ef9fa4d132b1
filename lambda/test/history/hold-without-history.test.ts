import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import { holdWithoutHistory } from "../../src/history/hold-without-history";
import type { NotifiedState } from "../../src/publish/state-diff";
import { rules, scope, subnet } from "./fixtures";

const WHY = "the history could not be read";

/** The last notification saw subnet-01 at warning in both scopes. */
const PREVIOUS: NotifiedState = {
  scopes: {
    forecast: { status: "warning", resources: { "subnet-01": { status: "warning" } } },
    percent: { status: "warning", resources: { "subnet-01": { status: "warning" } } },
  },
};

function evaluation(used: number) {
  return evaluate(
    [subnet("subnet-01", used), subnet("subnet-02", 20, {}, "10.0.2.0/24")],
    rules([scope("forecast", { warning: 80, daysToFullWarning: 30 }), scope("percent", { warning: 80 })]),
  );
}

describe("holdWithoutHistory", () => {
  it("keeps the level the last notification saw in a scope with days thresholds, with the reason", () => {
    const held = holdWithoutHistory(evaluation(20), PREVIOUS, WHY);

    const forecast = held.scopes[0]!;
    expect(forecast).to.deep.include({ status: "warning", counts: { critical: 0, warning: 1, unknown: 0, ok: 1 } });
    expect(forecast.evaluations.map((e) => [e.resource.resourceId, e.status, e.reason])).to.deep.equal([
      ["subnet-01", "warning", `held at warning: ${WHY}`],
      ["subnet-02", "ok", "within thresholds"],
    ]);
  });

  it("leaves scopes without days thresholds as measured: their levels do not depend on the history", () => {
    const held = holdWithoutHistory(evaluation(20), PREVIOUS, WHY);

    expect(held.scopes[1]).to.deep.include({ status: "ok", counts: { critical: 0, warning: 0, unknown: 0, ok: 2 } });
  });

  it("never lowers a level: a resource worse now keeps its new level", () => {
    const held = holdWithoutHistory(evaluation(240), PREVIOUS, WHY);

    expect(held.scopes[0]!.evaluations[0]).to.deep.include({
      status: "warning",
      reason: "utilization 95.6% ≥ warning 80%",
    });
  });

  it("holds one CIDR of a resource, as the state remembers one level per resource", () => {
    const twoCidrs = evaluate(
      [subnet("subnet-01", 20), subnet("subnet-01", 20, {}, "10.0.9.0/24")],
      rules([scope("forecast", { daysToFullWarning: 30 })]),
    );

    const held = holdWithoutHistory(twoCidrs, PREVIOUS, WHY);

    expect(held.scopes[0]!.counts).to.deep.equal({ critical: 0, warning: 1, unknown: 0, ok: 1 });
  });

  it("changes nothing without a last notified state", () => {
    const measured = evaluation(20);

    expect(holdWithoutHistory(measured, undefined, WHY)).to.equal(measured);
  });
});
