import { expect } from "chai";
import { levelAt, theilSen } from "../../src/forecast/theil-sen";

describe("theil-sen", () => {
  it("finds the exact slope of a straight line, with an interval of that slope alone", () => {
    const x = [0, 1, 2, 3, 4, 5, 6];
    const y = x.map((v) => 5 + 3 * v);

    expect(theilSen(x, y, 7)).to.deep.equal({ slope: 3, lower: 3, upper: 3 });
  });

  it("ignores one wild point where least squares would not", () => {
    const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const y = x.map((v) => 100 + 2 * v);
    y[4] = 10_000;

    expect(theilSen(x, y, 10)!.slope).to.equal(2);
  });

  it("takes the mean of the two middle slopes when their number is even", () => {
    // Six slopes, sorted: 1, 2, 2, 2, 2.5, 3; the middle two are 2 and 2.
    const fit = theilSen([0, 1, 2, 3], [0, 1, 4, 6], 4)!;

    expect(fit.slope).to.equal(2);
  });

  it("fits only the first n points", () => {
    const fit = theilSen([0, 1, 2, 3], [0, 1, 2, 1000], 3)!;

    expect(fit.slope).to.equal(1);
  });

  it("has an interval that includes zero for noise around a constant", () => {
    const y = [10, 12, 9, 11, 10, 12, 9, 10, 11, 10];
    const fit = theilSen(
      y.map((_, i) => i),
      y,
      y.length,
    )!;

    expect(fit.lower).to.be.at.most(0);
    expect(fit.upper).to.be.at.least(0);
  });

  it("returns undefined for fewer than two points", () => {
    expect(theilSen([1], [1], 1)).to.equal(undefined);
  });

  it("puts the level at the median of the last three points carried forward", () => {
    const x = [0, 1, 2, 3, 4];
    const y = [0, 10, 20, 500, 40]; // day 3 is a burst

    expect(levelAt(x, y, 5, 10, 5)).to.equal(50);
  });
});
