import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import { describeForecast, formatNotification } from "../../src/publish/notification";
import { diffStates, stateFromEvaluation } from "../../src/publish/state-diff";
import { rules, scope, subnet } from "../history/fixtures";

const SCANNED_AT = new Date("2026-11-29T12:00:00Z");

function notificationFor(used: number, growthPerDay: number, daysToFull: number, fullBy: string): string {
  const filling = subnet("subnet-0abc", used, { name: "app" });
  filling.forecast = { trend: "growing", points: 14, spanDays: 13, growthPerDay, daysToFull, fullBy, level: used };
  const evaluation = evaluate(
    [filling],
    rules([scope("prod-subnets", { warning: 95, daysToFullWarning: 30, daysToFullCritical: 7 })]),
  );
  const changes = diffStates(undefined, stateFromEvaluation(evaluation), { complete: true });
  return formatNotification(changes, evaluation, {
    scannedAt: SCANNED_AT,
    source: "ipam",
    complete: true,
    failures: [],
  }).message;
}

describe("notification of a resource filling up", () => {
  it("says how fast it grows, when it is full and by which date", () => {
    const message = notificationFor(39, 14, 15.1, "2026-12-14");

    expect(message).to.contain(
      '  - WARNING  subnet-0abc "app", account 111122223333, eu-west-1, 10.0.1.0/24: 15.5% used, 212 free, ' +
        "+14 a day: full in about 15 days, by 2026-12-14 - full in about 15 days < warning 30 days",
    );
  });

  it("names the days thresholds and the soonest full resource of the scope", () => {
    const message = notificationFor(39, 14, 15.1, "2026-12-14");

    expect(message).to.contain(
      "  Thresholds: warning at 95% used, warning when full within 30 days, critical when full within 7 days",
    );
    expect(message).to.contain(
      "  In this scope: highest utilization 15.5%, fewest free addresses 212, soonest full in about 15 days",
    );
  });

  it("words slow growth with one decimal and a full resource as full", () => {
    expect(
      describeForecast({
        trend: "growing",
        points: 9,
        spanDays: 8,
        growthPerDay: 0.44,
        daysToFull: 80,
        fullBy: "2027-02-17",
      }),
    ).to.equal("+0.4 a day: full in about 80 days, by 2027-02-17");
    expect(
      describeForecast({ trend: "full", points: 9, spanDays: 8, growthPerDay: 3, daysToFull: 0, fullBy: "2026-11-29" }),
    ).to.equal("full now");
  });

  it("adds nothing for a resource that is not filling up", () => {
    expect(describeForecast({ trend: "flat", points: 9, spanDays: 8, growthPerDay: 0 })).to.equal(undefined);
    expect(describeForecast(undefined)).to.equal(undefined);
  });
});
