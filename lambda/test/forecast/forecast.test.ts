import { expect } from "chai";
import {
  DEFAULT_FORECAST_SETTINGS,
  daysToReach,
  epochDays,
  forecastResource,
  type Series,
} from "../../src/forecast/forecast";

/** A small seeded generator (mulberry32), so every synthetic series is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOW = new Date("2026-12-01T12:00:00Z");
const USABLE = 4091; // a /20 subnet

/** Daily points ending at NOW: values[i] is the usage i days after the first point. */
function series(values: number[]): Series {
  const last = epochDays(NOW);
  const x = values.map((_, i) => last - (values.length - 1 - i));
  return { x, y: values, n: values.length };
}

/** Linear growth of `growth` a day whose day-to-day increments vary by ±noise (0.1 = ±10%). */
function noisyGrowth(seed: number, days: number, start: number, growth: number, noise: number): number[] {
  const next = random(seed);
  const values = [start];
  for (let i = 1; i < days; i++) values.push(values[i - 1]! + growth * (1 + noise * (2 * next() - 1)));
  return values.map(Math.round);
}

function forecastOf(values: number[], settings = DEFAULT_FORECAST_SETTINGS) {
  return forecastResource(series(values), USABLE, values[values.length - 1], NOW, settings);
}

function relativeError(actual: number, truth: number): number {
  return Math.abs(actual - truth) / truth;
}

describe("forecast", () => {
  describe("accuracy on linear growth", () => {
    it("gives days-to-full within ±15% of the truth after 14 daily points with ±10% day-to-day noise (500 series)", () => {
      let worst = 0;
      for (let seed = 1; seed <= 500; seed++) {
        const values = noisyGrowth(seed, 14, 2000, 14, 0.1);
        const truth = (USABLE - values[13]!) / 14;

        const forecast = forecastOf(values);

        expect(forecast.trend, `seed ${seed}`).to.equal("growing");
        worst = Math.max(worst, relativeError(forecast.daysToFull!, truth));
      }
      expect(worst).to.be.below(0.15);
    });

    it("reports the growth per day and the date the resource fills up", () => {
      const values = Array.from({ length: 14 }, (_, i) => 3000 + 10 * i); // 3,130 used today, 961 free

      const forecast = forecastOf(values);

      expect(forecast.growthPerDay).to.equal(10);
      expect(forecast.daysToFull).to.equal(96.1);
      expect(forecast.fullBy).to.equal("2027-03-07"); // 2026-12-01T12:00Z + 96.1 days
    });
  });

  describe("outliers", () => {
    for (const [what, change] of [
      ["a one-day burst of a quarter of the subnet", (v: number) => Math.min(USABLE - 1, v + 1000)],
      ["a one-day cleanup of a third of the addresses", (v: number) => Math.round(v * (2 / 3))],
    ] as const) {
      it(`moves the estimate by less than 10% for ${what} on any day`, () => {
        for (let seed = 1; seed <= 100; seed++) {
          const values = noisyGrowth(seed, 14, 2000, 14, 0.1);
          const clean = forecastOf(values).daysToFull!;
          for (let day = 0; day < 14; day++) {
            const disturbed = [...values];
            disturbed[day] = change(disturbed[day]!);
            // The disturbed day may be today, so the forecast is told today's value too.
            const forecast = forecastResource(series(disturbed), USABLE, disturbed[13], NOW);

            expect(relativeError(forecast.daysToFull!, clean), `seed ${seed}, day ${day}`).to.be.below(0.1);
          }
        }
      });
    }

    it("says full today, not a date, when a burst today takes the last address", () => {
      const values = noisyGrowth(7, 14, 2000, 14, 0.1);
      values[13] = USABLE;

      const forecast = forecastOf(values);

      expect(forecast.trend).to.equal("full");
      expect(forecast.daysToFull).to.equal(0);
      expect(forecast.fullBy).to.equal("2026-12-01");
    });
  });

  describe("steps", () => {
    it("gives no date for flat usage with one lasting step up four days ago: one step is not a trend", () => {
      const values = [...Array(10).fill(1000), ...Array(4).fill(1100)];

      const forecast = forecastOf(values);

      expect(forecast.trend).to.equal("flat");
      expect(forecast.daysToFull).to.equal(undefined);
    });

    it("counts from the new level, with the same growth, after a lasting step in growing usage", () => {
      const values = Array.from({ length: 14 }, (_, i) => 2000 + 10 * i + (i >= 10 ? 300 : 0));
      const truth = (USABLE - values[13]!) / 10;

      const forecast = forecastOf(values);

      expect(forecast.growthPerDay).to.equal(10);
      expect(relativeError(forecast.daysToFull!, truth)).to.be.below(0.01);
    });

    it("follows a lasting cleanup within two days instead of forecasting from the old level", () => {
      const values = Array.from({ length: 14 }, (_, i) => 3000 + 10 * i - (i >= 12 ? 1000 : 0));
      const truth = (USABLE - values[13]!) / 10;

      const forecast = forecastOf(values);

      expect(relativeError(forecast.daysToFull!, truth)).to.be.below(0.01);
    });
  });

  describe("flat and shrinking usage", () => {
    it("gives no date for flat usage with day-to-day jitter, never thousands of days", () => {
      for (let seed = 1; seed <= 200; seed++) {
        const next = random(seed);
        const values = Array.from({ length: 30 }, () => 1500 + Math.round(40 * (next() - 0.5)));

        const forecast = forecastOf(values);

        expect(forecast.trend, `seed ${seed}`).to.be.oneOf(["flat", "shrinking", "growing"]);
        expect(forecast.daysToFull, `seed ${seed}`).to.equal(undefined);
      }
    });

    it("calls constant usage flat with zero growth", () => {
      const forecast = forecastOf(Array(14).fill(1234));

      expect(forecast).to.include({ trend: "flat", growthPerDay: 0 });
      expect(forecast.daysToFull).to.equal(undefined);
    });

    it("calls shrinking usage shrinking, with negative growth and no date", () => {
      const values = noisyGrowth(3, 14, 3000, -20, 0.1);

      const forecast = forecastOf(values);

      expect(forecast.trend).to.equal("shrinking");
      expect(forecast.growthPerDay).to.be.closeTo(-20, 2);
      expect(forecast.daysToFull).to.equal(undefined);
    });

    it("gives no date when steady growth would take longer than the horizon", () => {
      const values = Array.from({ length: 14 }, (_, i) => 100 + 2 * i); // 3,965 free at 2 a day: 5 years

      const forecast = forecastOf(values);

      expect(forecast.trend).to.equal("growing");
      expect(forecast.daysToFull).to.equal(undefined);
    });
  });

  describe("enough history", () => {
    it("asks for 7 daily points by default", () => {
      const forecast = forecastOf([1000, 1010, 1020, 1030, 1040, 1050]);

      expect(forecast).to.deep.equal({ trend: "not-enough-history", points: 6, spanDays: 5 });
    });

    it("asks for points spanning 6 days by default", () => {
      const last = epochDays(NOW);
      const x = [0, 1, 2, 3, 4, 5, 5.5].map((d) => last - 5.5 + d);
      const y = [1000, 1010, 1020, 1030, 1040, 1050, 1055];

      const forecast = forecastResource({ x, y, n: 7 }, USABLE, 1055, NOW);

      expect(forecast.trend).to.equal("not-enough-history");
    });

    it("forecasts from 7 points over 6 days", () => {
      const forecast = forecastOf([1000, 1010, 1020, 1030, 1040, 1050, 1060]);

      expect(forecast).to.include({ trend: "growing", points: 7, spanDays: 6, daysToFull: 303.1 });
    });

    it("takes other minimums when configured", () => {
      const settings = { ...DEFAULT_FORECAST_SETTINGS, minPoints: 3, minSpanDays: 2 };

      const forecast = forecastOf([1000, 1010, 1020], settings);

      expect(forecast.trend).to.equal("growing");
    });

    it("reports a full resource as full with daysToFull 0 even without history", () => {
      const forecast = forecastResource(series([USABLE]), USABLE, USABLE, NOW);

      expect(forecast).to.deep.equal({ trend: "full", points: 1, spanDays: 0, daysToFull: 0, fullBy: "2026-12-01" });
    });
  });

  describe("daysToReach", () => {
    it("counts the days until a level such as a critical threshold", () => {
      const forecast = forecastOf(Array.from({ length: 14 }, (_, i) => 3000 + 10 * i));

      expect(daysToReach(forecast, 3477)).to.equal(34.7); // 3,130 + 10 × 34.7
    });

    it("is 0 when the level is reached already and undefined when usage is not growing", () => {
      const growing = forecastOf(Array.from({ length: 14 }, (_, i) => 3000 + 10 * i));
      const flat = forecastOf(Array(14).fill(3000));

      expect(daysToReach(growing, 2000)).to.equal(0);
      expect(daysToReach(flat, 3500)).to.equal(undefined);
    });
  });
});
