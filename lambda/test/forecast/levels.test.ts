import { expect } from "chai";
import type { ResourceForecast } from "../../src/forecast/forecast";
import { daysToFullLevel, describeDays } from "../../src/forecast/levels";

const THRESHOLDS = { warning: 30, critical: 7 };

function growing(days: number): ResourceForecast {
  return { trend: "growing", points: 14, spanDays: 13, growthPerDay: 5, daysToFull: days, level: 100 };
}

describe("days-to-full levels", () => {
  it("is warning below the warning threshold and critical below the critical one", () => {
    expect(daysToFullLevel(growing(29.9), THRESHOLDS, undefined)).to.deep.equal({
      level: "warning",
      limit: 30,
      days: 29.9,
      reason: "full in about 29 days < warning 30 days",
    });
    expect(daysToFullLevel(growing(6), THRESHOLDS, undefined)?.level).to.equal("critical");
    expect(daysToFullLevel(growing(30), THRESHOLDS, undefined)).to.equal(undefined);
  });

  it("is critical for a full resource", () => {
    const full: ResourceForecast = { trend: "full", points: 1, spanDays: 0, daysToFull: 0, fullBy: "2026-12-01" };

    expect(daysToFullLevel(full, THRESHOLDS, undefined)).to.deep.include({
      level: "critical",
      reason: "full now < critical 7 days",
    });
  });

  describe("hysteresis", () => {
    it("keeps a warning while the forecast is within 20% above the threshold", () => {
      const held = daysToFullLevel(growing(35.9), THRESHOLDS, "warning");

      expect(held).to.deep.include({ level: "warning", days: 35.9 });
      expect(held!.reason).to.equal(
        "full in about 35 days: still warning until the forecast reaches 36 days (warning below 30 days)",
      );
    });

    it("clears a warning once the forecast reaches 20% above the threshold", () => {
      expect(daysToFullLevel(growing(36), THRESHOLDS, "warning")).to.equal(undefined);
    });

    it("does not enter a level through the margin: only a resource that was there stays", () => {
      expect(daysToFullLevel(growing(33), THRESHOLDS, undefined)).to.equal(undefined);
    });

    it("steps a critical resource down to warning, not to ok, once it clears critical's margin", () => {
      expect(daysToFullLevel(growing(8), THRESHOLDS, "critical")?.level).to.equal("critical"); // < 8.4
      expect(daysToFullLevel(growing(8.4), THRESHOLDS, "critical")?.level).to.equal("warning");
      expect(daysToFullLevel(growing(33), THRESHOLDS, "critical")?.level).to.equal("warning"); // warning's margin
      expect(daysToFullLevel(growing(36), THRESHOLDS, "critical")).to.equal(undefined);
    });

    it("does not flap when the estimate wobbles around the threshold from day to day", () => {
      const estimates = [31, 29.5, 30.4, 29.8, 31.2, 30.1, 29.9, 32, 30.5];
      let level: "warning" | "critical" | undefined;
      const seen: (string | undefined)[] = [];
      for (const days of estimates) {
        level = daysToFullLevel(growing(days), THRESHOLDS, level)?.level;
        seen.push(level);
      }

      expect(seen).to.deep.equal([
        undefined,
        "warning",
        "warning",
        "warning",
        "warning",
        "warning",
        "warning",
        "warning",
        "warning",
      ]);
    });

    it("clears at once when usage stops growing", () => {
      const flat: ResourceForecast = { trend: "flat", points: 14, spanDays: 13, growthPerDay: 0, level: 100 };

      expect(daysToFullLevel(flat, THRESHOLDS, "critical")).to.equal(undefined);
    });
  });

  describe("missing data never lowers a level", () => {
    it("holds the previous level when there is not enough history", () => {
      const thin: ResourceForecast = { trend: "not-enough-history", points: 3, spanDays: 2 };

      expect(daysToFullLevel(thin, THRESHOLDS, "critical")).to.deep.equal({
        level: "critical",
        limit: 7,
        reason: "held at critical: not enough history to forecast (3 daily points over 2 days)",
      });
    });

    it("holds the previous level when the usage is not measured now", () => {
      expect(daysToFullLevel(undefined, THRESHOLDS, "warning")?.reason).to.equal(
        "held at warning: usage not measured now",
      );
    });

    it("has no level without a forecast and without a previous level", () => {
      expect(daysToFullLevel(undefined, THRESHOLDS, undefined)).to.equal(undefined);
    });

    it("drops a held level whose threshold the rules no longer have", () => {
      expect(daysToFullLevel(undefined, { warning: 30 }, "critical")).to.equal(undefined);
    });
  });

  it("words days for people", () => {
    expect([0, 0.4, 1, 14.6].map(describeDays)).to.deep.equal([
      "full now",
      "full within a day",
      "full in about 1 day",
      "full in about 14 days",
    ]);
  });
});
