import { expect } from "chai";
import { EventError, parseFanOutEvent } from "../../src/fanout/events";

const SHARD = {
  index: 2,
  accounts: [{ accountId: "222222222222", name: "payments", own: false }],
  regions: ["us-east-1"],
};

describe("fanout/events", () => {
  it("treats an event without action as a whole scan, as the schedule sends it", () => {
    expect(parseFanOutEvent({ source: "aws.events", "detail-type": "Scheduled Event" })).to.equal(undefined);
    expect(parseFanOutEvent({})).to.equal(undefined);
    expect(parseFanOutEvent(undefined)).to.equal(undefined);
  });

  it("reads each step with its scan id and shard", () => {
    expect(parseFanOutEvent({ action: "plan", scanId: "exec-1" })).to.deep.equal({ action: "plan", scanId: "exec-1" });
    expect(parseFanOutEvent({ action: "collect-shard", scanId: "exec-1", shard: SHARD })).to.deep.equal({
      action: "collect-shard",
      scanId: "exec-1",
      shard: SHARD,
    });
    expect(parseFanOutEvent({ action: "finish", scanId: "exec-1" })).to.deep.equal({
      action: "finish",
      scanId: "exec-1",
    });
    expect(parseFanOutEvent({ action: "scan" })).to.deep.equal({ action: "scan" });
  });

  it("reads the error a Catch passes, and the message inside a Lambda error's Cause", () => {
    const step = parseFanOutEvent({
      action: "record-shard-failure",
      scanId: "exec-1",
      shard: SHARD,
      error: {
        Error: "States.Timeout",
        Cause: JSON.stringify({ errorMessage: "Task timed out after 300.00 seconds" }),
      },
    });

    expect(step).to.deep.include({ error: { error: "States.Timeout", cause: "Task timed out after 300.00 seconds" } });
  });

  const malformed: [unknown, RegExp][] = [
    [{ action: "plan" }, /event.scanId must be/],
    [{ action: "plan", scanId: "../../etc" }, /event.scanId must be/],
    [
      { action: "collect-shard", scanId: "x", shard: { ...SHARD, index: -1 } },
      /event.shard.index must be a whole number/,
    ],
    [
      { action: "collect-shard", scanId: "x", shard: { ...SHARD, accounts: [] } },
      /event.shard.accounts must be a non-empty list/,
    ],
    [
      { action: "collect-shard", scanId: "x", shard: { ...SHARD, accounts: [{ accountId: "1234", own: false }] } },
      /event.shard.accounts\[0\].accountId must be a 12-digit account id/,
    ],
    [{ action: "collect-shard", scanId: "x", shard: { ...SHARD, regions: ["mars"] } }, /event.shard.regions must be/],
    [
      { action: "explode" },
      /event.action "explode" is not one of scan, plan, collect-shard, record-shard-failure, finish/,
    ],
  ];
  for (const [event, message] of malformed) {
    it(`refuses ${JSON.stringify(event)} naming the field`, () => {
      expect(() => parseFanOutEvent(event)).to.throw(EventError, message);
    });
  }
});
