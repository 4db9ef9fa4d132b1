import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import { formatScanReport } from "../../src/report/table";
import { buildResult } from "../../src/result";
import { rules, scope, subnet } from "../history/fixtures";

const SCANNED_AT = new Date("2026-12-01T12:00:00Z");

function resultWithForecasts() {
  const filling = subnet("subnet-01", 200);
  filling.forecast = {
    trend: "growing",
    points: 14,
    spanDays: 13,
    growthPerDay: 3,
    daysToFull: 17,
    fullBy: "2026-12-18",
    level: 200,
  };
  const fast = subnet("subnet-02", 100, {}, "10.0.2.0/24");
  fast.forecast = {
    trend: "growing",
    points: 14,
    spanDays: 13,
    growthPerDay: 20.04,
    daysToFull: 7.5,
    fullBy: "2026-12-08",
    level: 100,
  };
  const young = subnet("subnet-03", 250, {}, "10.0.3.0/24");
  young.forecast = { trend: "not-enough-history", points: 2, spanDays: 1 };
  const evaluation = evaluate(
    [filling, fast, young],
    rules([scope("prod", { warning: 80, critical: 99, daysToFullWarning: 30, daysToFullCritical: 7 })]),
  );
  return buildResult({
    evaluation,
    failures: [],
    scannedAt: SCANNED_AT,
    source: "ipam",
    dryRun: true,
    history: {
      location: "s3://ipam-history/",
      daysRead: 13,
      firstDay: "2026-11-18",
      lastDay: "2026-11-30",
      recorded: false,
      notRecorded: "dry run",
    },
  });
}

function section(report: string, title: string): string[] {
  const lines = report.split("\n");
  const start = lines.findIndex((line) => line.startsWith(title));
  const end = lines.indexOf("", start);
  return lines.slice(start, end < 0 ? undefined : end);
}

describe("report of forecasts", () => {
  it("shows growth and time to full of the resources in trouble", () => {
    const lines = section(formatScanReport(resultWithForecasts()), "RESOURCES IN TROUBLE");

    expect(lines).to.deep.equal([
      "RESOURCES IN TROUBLE (3, worst first)",
      "  SCOPE  STATUS    RESOURCE   NAME    ACCOUNT       REGION     CIDR          USED  FREE  GROWTH/DAY                FULL IN  REASON",
      "  prod   CRITICAL  subnet-03  app-03  111122223333  eu-west-1  10.0.3.0/24  99.6%     1     too new                      -  utilization 99.6% ≥ critical 99%",
      "  prod   WARNING   subnet-01  app-01  111122223333  eu-west-1  10.0.1.0/24  79.6%    51          +3   17 days (2026-12-18)  full in about 17 days < warning 30 days",
      "  prod   WARNING   subnet-02  app-02  111122223333  eu-west-1  10.0.2.0/24  39.8%   151         +20  7.5 days (2026-12-08)  full in about 7 days < warning 30 days",
    ]);
  });

  it("lists what fills up soonest, and the scope's soonest", () => {
    const report = formatScanReport(resultWithForecasts());

    expect(section(report, "FILLING UP")).to.deep.equal([
      "FILLING UP (2 resource CIDRs full within the forecast horizon, soonest first)",
      "  RESOURCE   NAME    ACCOUNT       REGION     CIDR         FREE  GROWTH/DAY                FULL IN  SCOPES",
      "  subnet-02  app-02  111122223333  eu-west-1  10.0.2.0/24   151         +20  7.5 days (2026-12-08)  prod",
      "  subnet-01  app-01  111122223333  eu-west-1  10.0.1.0/24    51          +3   17 days (2026-12-18)  prod",
    ]);
    expect(section(report, "SCOPES")[2]).to.match(/^ {2}prod +CRITICAL .* 7\.5 days$/);
  });

  it("says what the history held and whether the scan was recorded", () => {
    expect(
      formatScanReport(resultWithForecasts())
        .split("\n")
        .find((line) => line.startsWith("History")),
    ).to.equal("History s3://ipam-history/: 13 days read (2026-11-18 to 2026-11-30); not recorded: dry run.");
  });

  it("lists only the first N with --top and says how many more", () => {
    const lines = section(formatScanReport(resultWithForecasts(), { top: 1 }), "RESOURCES IN TROUBLE");

    expect(lines[0]).to.equal("RESOURCES IN TROUBLE (first 1 of 3, worst first)");
    expect(lines).to.have.length(4);
    expect(lines[3]).to.equal("  … and 2 more (--top 1)");
  });
});
