import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import { buildMetricData } from "../../src/publish/metrics";
import { rules, scope, subnet } from "../history/fixtures";

const SCANNED_AT = new Date("2026-12-01T12:00:00Z");

function scanWithForecasts() {
  const filling = subnet("subnet-01", 200);
  filling.forecast = { trend: "growing", points: 14, spanDays: 13, growthPerDay: 3, daysToFull: 17, level: 200 };
  const fuller = subnet("subnet-02", 100, {}, "10.0.2.0/24");
  fuller.forecast = { trend: "growing", points: 14, spanDays: 13, growthPerDay: 20, daysToFull: 7.5, level: 100 };
  const flat = subnet("subnet-03", 50, {}, "10.0.3.0/24");
  flat.forecast = { trend: "flat", points: 14, spanDays: 13, growthPerDay: 0, level: 50 };
  return evaluate(
    [filling, fuller, flat],
    rules([
      scope("prod", { warning: 90 }, { resourceIds: ["subnet-01", "subnet-02"] }),
      scope("quiet", { warning: 90 }, { resourceIds: ["subnet-03"] }),
    ]),
  );
}

describe("MinDaysToFull metric", () => {
  it("publishes the scope's fewest days to full, timestamped with the scan time", () => {
    const data = buildMetricData(scanWithForecasts(), { complete: true, timestamp: SCANNED_AT });

    const minDays = data.filter((d) => d.MetricName === "MinDaysToFull");
    expect(minDays).to.deep.equal([
      {
        MetricName: "MinDaysToFull",
        Value: 7.5,
        Unit: "None",
        Timestamp: SCANNED_AT,
        Dimensions: [{ Name: "Scope", Value: "prod" }],
      },
    ]);
  });

  it("publishes none for a scope where nothing has a date, rather than a stand-in value", () => {
    const data = buildMetricData(scanWithForecasts(), { complete: true, timestamp: SCANNED_AT });

    expect(data.filter((d) => d.MetricName === "MinDaysToFull" && d.Dimensions?.[0]?.Value === "quiet")).to.be.empty;
  });

  it("publishes none after a partial scan, which sends only the counts that can raise an alarm", () => {
    const data = buildMetricData(scanWithForecasts(), { complete: false, timestamp: SCANNED_AT });

    expect(data.map((d) => d.MetricName)).to.not.include("MinDaysToFull");
  });
});
