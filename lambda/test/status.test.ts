import { expect } from "chai";
import {
  atOrWorse,
  BEST_STATUS,
  bucketCounts,
  STATUS_RANK,
  statusBuckets,
  worseStatus,
  worstCounted,
  worstFirst,
  zeroCounts,
} from "../src/status";
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

  it("reads items sorted into status buckets back worst first, each bucket in its own order", () => {
    const buckets = statusBuckets<string>();
    for (const [status, item] of [
      ["ok", "a"],
      ["critical", "b"],
      ["unknown", "c"],
      ["critical", "d"],
      ["warning", "e"],
    ] as const)
      buckets[status].push(item);
    expect(worstFirst(buckets)).to.deep.equal(["b", "d", "e", "c", "a"]);
    expect(bucketCounts(buckets)).to.deep.equal({ critical: 2, warning: 1, unknown: 1, ok: 1 });
  });

  it("gives every status its own empty bucket", () => {
    const buckets = statusBuckets<number>();
    buckets.ok.push(1);
    expect(Object.entries(buckets)).to.deep.equal([
      ["critical", []],
      ["warning", []],
      ["unknown", []],
      ["ok", [1]],
    ]);
  });
});
