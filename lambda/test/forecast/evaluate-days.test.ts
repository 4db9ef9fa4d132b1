import { expect } from "chai";
import { evaluate, evaluateResource } from "../../src/evaluate";
import type { ResourceForecast } from "../../src/forecast/forecast";
import { seriesKey } from "../../src/history/format";
import type { ResourceCidr } from "../../src/types";
import { rules, scope, subnet } from "../history/fixtures";

function growing(daysToFull: number, growthPerDay = 5): ResourceForecast {
  return { trend: "growing", points: 14, spanDays: 13, growthPerDay, daysToFull, fullBy: "2026-12-20", level: 100 };
}

function withForecast(id: string, forecast: ResourceForecast | undefined, used = 100): ResourceCidr {
  const r = subnet(id, used);
  if (forecast !== undefined) r.forecast = forecast;
  return r;
}

const DAYS = { daysToFullWarning: 30, daysToFullCritical: 7 };

describe("evaluate with forecasts", () => {
  it("puts a resource that fills within the warning threshold at warning, naming the forecast", () => {
    const status = evaluateResource(withForecast("subnet-01", growing(12.5)), DAYS);

    expect(status).to.deep.equal({
      status: "warning",
      reason: "full in about 12 days < warning 30 days",
      breach: { level: "warning", kind: "daysToFull", actual: 12.5, limit: 30 },
      forecastLevel: "warning",
    });
  });

  it("names every threshold crossed, the forecast last", () => {
    const status = evaluateResource(withForecast("subnet-01", growing(3), 240), { critical: 90, ...DAYS });

    expect(status.status).to.equal("critical");
    expect(status.reason).to.equal("utilization 95.6% ≥ critical 90%; full in about 3 days < critical 7 days");
  });

  it("keeps the days level for the memory even when another threshold set a worse status", () => {
    const status = evaluateResource(withForecast("subnet-01", growing(20), 240), { critical: 90, ...DAYS });

    expect(status).to.include({ status: "critical", forecastLevel: "warning" });
  });

  it("gives a single address no days level: it never fills up", () => {
    const eip = { ...withForecast("eipalloc-01", growing(1)), usable: 1n, size: 1n };

    expect(evaluateResource(eip, DAYS).status).to.equal("ok");
  });

  it("holds last scan's level through the hysteresis margin, by resource, CIDR and scope", () => {
    const resources = [withForecast("subnet-01", growing(33)), withForecast("subnet-02", growing(33))];
    const previousLevels = new Map([[seriesKey("subnet-01", "10.0.1.0/24"), new Map([["prod", "warning" as const]])]]);

    const evaluation = evaluate(resources, rules([scope("prod", DAYS), scope("other", DAYS)]), { previousLevels });

    const prod = evaluation.scopes[0]!.evaluations;
    expect(prod.map((e) => [e.resource.resourceId, e.status])).to.deep.equal([
      ["subnet-01", "warning"],
      ["subnet-02", "ok"],
    ]);
    expect(prod[0]!.forecastLevel).to.equal("warning");
    // The memory is per scope: the same resource in another scope was not at warning there.
    expect(evaluation.scopes[1]!.counts.warning).to.equal(0);
  });

  it("holds last scan's level when there is not enough history now", () => {
    const thin: ResourceForecast = { trend: "not-enough-history", points: 2, spanDays: 1 };
    const previousLevels = new Map([[seriesKey("subnet-01", "10.0.1.0/24"), new Map([["prod", "critical" as const]])]]);

    const evaluation = evaluate([withForecast("subnet-01", thin)], rules([scope("prod", DAYS)]), { previousLevels });

    expect(evaluation.scopes[0]!.counts.critical).to.equal(1);
    expect(evaluation.scopes[0]!.evaluations[0]!.reason).to.equal(
      "held at critical: not enough history to forecast (2 daily points over 1 day)",
    );
  });

  it("reports the scope's fewest days to full and its total growth", () => {
    const flat: ResourceForecast = { trend: "flat", points: 14, spanDays: 13, growthPerDay: -1, level: 100 };
    const resources = [
      withForecast("subnet-01", growing(40, 3)),
      withForecast("subnet-02", growing(12, 4)),
      withForecast("subnet-03", flat),
      withForecast("subnet-04", undefined),
    ];

    const [prod] = evaluate(resources, rules([scope("prod", { warning: 80 })])).scopes;

    expect(prod).to.include({ minDaysToFull: 12, growthPerDay: 6 });
  });

  it("leaves the scope's forecast fields out when no resource has a forecast", () => {
    const [prod] = evaluate([subnet("subnet-01", 10)], rules([scope("prod", { warning: 80 })])).scopes;

    expect(prod).to.not.have.any.keys("minDaysToFull", "growthPerDay");
  });

  it("does not inherit a threshold the scope switched off", () => {
    const off = { ...scope("eks", { minFreeCritical: 10 }), thresholdsOff: ["critical" as const] };

    const [eks] = evaluate([subnet("subnet-01", 240)], rules([off], { critical: 90 })).scopes;

    expect(eks!.thresholds).to.deep.equal({ minFreeCritical: 10 });
    expect(eks!.status).to.equal("ok"); // 95.6% used, 11 free
  });
});
