import { expect } from "chai";
import { isRecord, own, switchedOff } from "../../src/rules/data";

describe("rules/data", () => {
  it("takes only plain objects for records", () => {
    expect([{}, { a: 1 }].map(isRecord)).to.deep.equal([true, true]);
    expect([null, [], "a", 1, undefined].map(isRecord)).to.deep.equal([false, false, false, false, false]);
  });

  it("reads a key only when the record has it of its own", () => {
    expect(own({ name: "a" }, "name")).to.equal("a");
    expect(own({ name: "a" }, "constructor")).to.equal(undefined);
    expect(own(undefined, "name")).to.equal(undefined);
  });

  it("lists the thresholds set to null as switched off, and nothing for a value that is not a mapping", () => {
    expect(switchedOff({ warning: null, critical: 90, minFreeWarning: null, other: null })).to.deep.equal([
      "warning",
      "minFreeWarning",
    ]);
    expect(switchedOff([null])).to.deep.equal([]);
  });
});
