import { expect } from "chai";
import { atOrWorse, BEST_STATUS, STATUS_RANK, worseStatus, worstCounted, zeroCounts } from "../src/status";
import { STATUSES } from "../src/types";

describe("status order", () => {
  it("ranks the statuses in the order STATUSES lists them, worst first", () => {
    expect(STATUSES).to.deep.equal(["critical", "warning", "unknown", "ok"]);
    expect(STATUS_RANK).to.deep.equal({ critical: 0, warning: 1, unknown: 2, ok: 3 });
    expect(BEST_STATUS).to.equal("ok");
  });

  it("orders critical over warning over unknown over ok", () => {
    expect(worseStatus("ok", "unknown")).to.equal("unknown");
    expect(worseStatus("warning", "unknown")).to.equal("warning");
    expect(worseStatus("warning", "critical")).to.equal("critical");
  });

  it("takes the worst status that has a count, and ok when nothing is counted", () => {
    expect(worstCounted({ critical: 0, warning: 2, unknown: 5, ok: 9 })).to.equal("warning");
    expect(worstCounted({ critical: 0, warning: 0, unknown: 1, ok: 0 })).to.equal("unknown");
    expect(worstCounted(zeroCounts())).to.equal("ok");
  });

  it("lists the statuses at a level or worse, worst first", () => {
    expect(atOrWorse("warning")).to.deep.equal(["critical", "warning"]);
    expect(atOrWorse("critical")).to.deep.equal(["critical"]);
  });

  it("starts every count at zero, in status order", () => {
    expect(Object.entries(zeroCounts())).to.deep.equal([
      ["critical", 0],
      ["warning", 0],
      ["unknown", 0],
      ["ok", 0],
    ]);
  });
});
