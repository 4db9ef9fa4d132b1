import { expect } from "chai";
import { evaluate } from "../src/evaluate";
import { heldReason, holdUnknownLevels } from "../src/hold";
import { diffStates, mergeForSave, type NotifiedState, stateFromEvaluation } from "../src/publish/state-diff";
import type { ResourceCidr, RulesFile } from "../src/types";

const RULES: RulesFile = {
  version: 1,
  file: "rules.yaml",
  defaults: { thresholds: { warning: 80, critical: 90 } },
  scopes: [{ name: "prod", match: {}, thresholds: {}, resourceMetrics: false }],
};

const T0 = new Date("2024-05-01T12:00:00.000Z");
const hoursLater = (h: number): Date => new Date(T0.getTime() + h * 3_600_000);

function subnet(id: string, cidr: string, utilization: number | undefined): ResourceCidr {
  const used = utilization === undefined ? undefined : BigInt(Math.round((251 * utilization) / 100));
  return {
    source: "ipam",
    resourceId: id,
    resourceType: "subnet",
    cidr,
    addressFamily: cidr.includes(":") ? "ipv6" : "ipv4",
    tags: {},
    size: 256n,
    usable: 251n,
    ...(used !== undefined ? { utilization, used, free: 251n - used } : {}),
  };
}

/** What the last run saved after seeing subnet-full at 97% (critical). */
function savedAfterFullScan(): NotifiedState {
  const evaluation = evaluate(
    [subnet("subnet-full", "10.0.0.0/24", 97), subnet("subnet-ok", "10.0.1.0/24", 10)],
    RULES,
  );
  return mergeForSave(undefined, stateFromEvaluation(evaluation), { complete: true });
}

/** This run: subnet-full reports no usage any more. */
function unmeasured(): ReturnType<typeof evaluate> {
  return evaluate([subnet("subnet-full", "10.0.0.0/24", undefined), subnet("subnet-ok", "10.0.1.0/24", 10)], RULES);
}

describe("holdUnknownLevels", () => {
  it("keeps a critical resource that is no longer measured at critical, in the counts and the status", () => {
    const held = holdUnknownLevels(unmeasured(), savedAfterFullScan(), { now: T0, holdHours: 24 });

    const scope = held.scopes[0]!;
    expect(scope.counts).to.deep.equal({ critical: 1, warning: 0, unknown: 0, ok: 1 });
    expect(scope.status).to.equal("critical");
    expect(scope.evaluations[0]).to.include({
      status: "critical",
      reason: "no longer measured (last seen critical at 97%)",
    });
    expect(scope.evaluations[0]!.held).to.deep.equal({
      status: "critical",
      since: T0.toISOString(),
      utilization: 97,
      free: 8n,
    });
  });

  it("keeps holding from the time it was first no longer measured", () => {
    const first = holdUnknownLevels(unmeasured(), savedAfterFullScan(), { now: T0, holdHours: 24 });
    const saved = mergeForSave(savedAfterFullScan(), stateFromEvaluation(first), { complete: true });

    const later = holdUnknownLevels(unmeasured(), saved, { now: hoursLater(23), holdHours: 24 });

    expect(later.scopes[0]!.evaluations[0]!.held?.since).to.equal(T0.toISOString());
    expect(later.scopes[0]!.counts.critical).to.equal(1);
  });

  it("lets it count as unknown once the hold has run out", () => {
    const first = holdUnknownLevels(unmeasured(), savedAfterFullScan(), { now: T0, holdHours: 24 });
    const saved = mergeForSave(savedAfterFullScan(), stateFromEvaluation(first), { complete: true });

    const expired = holdUnknownLevels(unmeasured(), saved, { now: hoursLater(24), holdHours: 24 });

    expect(expired.scopes[0]!.counts).to.deep.equal({ critical: 0, warning: 0, unknown: 1, ok: 1 });
  });

  it("holds nothing with a hold of 0 hours", () => {
    const held = holdUnknownLevels(unmeasured(), savedAfterFullScan(), { now: T0, holdHours: 0 });

    expect(held.scopes[0]!.counts.unknown).to.equal(1);
  });

  it("holds nothing without a saved state", () => {
    expect(holdUnknownLevels(unmeasured(), undefined, { now: T0, holdHours: 24 }).scopes[0]!.counts.unknown).to.equal(
      1,
    );
  });

  it("does not hold a resource that was unknown before", () => {
    const before = evaluate([subnet("subnet-full", "10.0.0.0/24", undefined)], RULES);
    const saved = mergeForSave(undefined, stateFromEvaluation(before), { complete: true });

    expect(holdUnknownLevels(unmeasured(), saved, { now: T0, holdHours: 24 }).scopes[0]!.counts.unknown).to.equal(1);
  });

  it("does not hold the unmeasured CIDR of a resource whose other CIDR is measured", () => {
    // A dual-stack subnet: IPAM never measures its IPv6 CIDR; its IPv4 CIDR recovered.
    const before = evaluate(
      [subnet("subnet-dual", "10.0.0.0/24", 97), subnet("subnet-dual", "2600::/64", undefined)],
      RULES,
    );
    const saved = mergeForSave(undefined, stateFromEvaluation(before), { complete: true });
    const now = evaluate(
      [subnet("subnet-dual", "10.0.0.0/24", 10), subnet("subnet-dual", "2600::/64", undefined)],
      RULES,
    );

    const held = holdUnknownLevels(now, saved, { now: T0, holdHours: 24 });

    expect(held.scopes[0]!.counts).to.deep.equal({ critical: 0, warning: 0, unknown: 1, ok: 1 });
  });
});

describe("the changes a hold makes", () => {
  it("reports a resource once when it stops being measured, not as improved", () => {
    const previous = savedAfterFullScan();
    const first = stateFromEvaluation(holdUnknownLevels(unmeasured(), previous, { now: T0, holdHours: 24 }));

    const changes = diffStates(previous, first, { complete: true });

    expect(changes.scopes[0]!.noLongerMeasured).to.deep.equal([
      {
        resourceId: "subnet-full",
        from: "critical",
        to: "critical",
        utilization: 97,
        free: 8n,
        heldSince: T0.toISOString(),
      },
    ]);
    expect(changes.scopes[0]!.improved).to.deep.equal([]);
    const saved = mergeForSave(previous, first, { complete: true });
    const second = stateFromEvaluation(holdUnknownLevels(unmeasured(), saved, { now: hoursLater(1), holdHours: 24 }));
    expect(diffStates(saved, second, { complete: true }).scopes).to.deep.equal([]);
  });

  it("reports once that the hold ran out, with the last measurement", () => {
    const previous = savedAfterFullScan();
    const held = mergeForSave(
      previous,
      stateFromEvaluation(holdUnknownLevels(unmeasured(), previous, { now: T0, holdHours: 24 })),
      { complete: true },
    );
    const expired = stateFromEvaluation(holdUnknownLevels(unmeasured(), held, { now: hoursLater(25), holdHours: 24 }));

    const changes = diffStates(held, expired, { complete: true });

    expect(changes.scopes[0]!.holdExpired).to.deep.equal([
      {
        resourceId: "subnet-full",
        from: "critical",
        to: "unknown",
        utilization: 97,
        free: 8n,
        heldSince: T0.toISOString(),
      },
    ]);
  });

  it("says what the resource was last seen at", () => {
    expect(heldReason({ status: "warning", since: "x", free: 3n })).to.equal(
      "no longer measured (last seen warning with 3 free)",
    );
  });
});
