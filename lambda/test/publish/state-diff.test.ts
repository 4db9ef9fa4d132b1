import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import {
  diffStates,
  hasChanges,
  mergeForSave,
  type NotifiedState,
  stateFromEvaluation,
} from "../../src/publish/state-diff";
import type { Status } from "../../src/types";
import { rulesFile, scopeRule, subnetAt } from "../fixtures/resources";

const RULES = rulesFile([
  scopeRule("prod", { match: { tags: { env: "prod" } } }),
  scopeRule("dev", { match: { tags: { env: "dev" } } }),
]);

/** The observed state of a scan in which each resource has the given status. */
function observe(statuses: Record<string, Status>, env = "prod") {
  const resources = Object.entries(statuses).map(([id, status]) => subnetAt(id, status, { tags: { env } }));
  return stateFromEvaluation(evaluate(resources, RULES));
}

/** A saved state as the previous run would have left it. */
function saved(statuses: Record<string, Status>, env = "prod"): NotifiedState {
  return mergeForSave(undefined, observe(statuses, env), { complete: true });
}

const COMPLETE = { complete: true };
const PARTIAL = { complete: false };

describe("stateFromEvaluation", () => {
  it("keeps only the resources that are not ok, with status, utilization and free addresses", () => {
    const state = observe({ "subnet-01": "critical", "subnet-02": "ok", "subnet-03": "unknown" });

    expect(state.scopes.prod).to.deep.equal({
      status: "critical",
      resources: {
        "subnet-01": { status: "critical", utilization: 95, free: 13n },
        "subnet-03": { status: "unknown" },
      },
    });
  });

  it("keeps a resource with two CIDRs once, at its worst status", () => {
    const primary = subnetAt("vpc-0aa", "warning", { resourceType: "vpc", cidr: "10.0.0.0/16", tags: { env: "prod" } });
    const secondary = subnetAt("vpc-0aa", "critical", {
      resourceType: "vpc",
      cidr: "10.1.0.0/16",
      tags: { env: "prod" },
    });

    const state = stateFromEvaluation(evaluate([primary, secondary], RULES));

    expect(state.scopes.prod!.resources["vpc-0aa"]?.status).to.equal("critical");
  });

  it("records an ok scope with no resources", () => {
    const state = observe({ "subnet-01": "ok" });

    expect(state.scopes.prod).to.deep.equal({ status: "ok", resources: {} });
  });
});

describe("diffStates", () => {
  it("reports everything in trouble as new on the first run", () => {
    const changes = diffStates(
      undefined,
      observe({ "subnet-01": "critical", "subnet-02": "warning", "subnet-03": "ok" }),
      COMPLETE,
    );

    expect(changes.firstRun).to.equal(true);
    expect(changes.scopes[0]!.newInTrouble.map((c) => [c.resourceId, c.to])).to.deep.equal([
      ["subnet-01", "critical"],
      ["subnet-02", "warning"],
    ]);
  });

  it("reports nothing when the same resources stay at the same status", () => {
    const previous = saved({ "subnet-01": "critical", "subnet-02": "warning" });

    const changes = diffStates(previous, observe({ "subnet-01": "critical", "subnet-02": "warning" }), COMPLETE);

    expect(hasChanges(changes)).to.equal(false);
  });

  it("reports nothing when utilization moves within the same status", () => {
    const previous = saved({ "subnet-01": "critical" });
    const current = stateFromEvaluation(
      evaluate([subnetAt("subnet-01", "critical", { utilization: 99, tags: { env: "prod" } })], RULES),
    );

    expect(hasChanges(diffStates(previous, current, COMPLETE))).to.equal(false);
  });

  it("reports an ok resource going to warning as new", () => {
    const previous = saved({ "subnet-01": "ok" });

    const changes = diffStates(previous, observe({ "subnet-01": "warning" }), COMPLETE);

    expect(changes.firstRun).to.equal(false);
    expect(changes.scopes[0]!.newInTrouble).to.deep.equal([
      { resourceId: "subnet-01", to: "warning", utilization: 85, free: 38n },
    ]);
  });

  it("reports warning to critical as worsened", () => {
    const changes = diffStates(saved({ "subnet-01": "warning" }), observe({ "subnet-01": "critical" }), COMPLETE);

    expect(changes.scopes[0]!.worsened.map((c) => [c.resourceId, c.from, c.to])).to.deep.equal([
      ["subnet-01", "warning", "critical"],
    ]);
  });

  it("reports unknown to warning as worsened", () => {
    const changes = diffStates(saved({ "subnet-01": "unknown" }), observe({ "subnet-01": "warning" }), COMPLETE);

    expect(changes.scopes[0]!.worsened.map((c) => [c.from, c.to])).to.deep.equal([["unknown", "warning"]]);
  });

  it("reports critical to warning as improved", () => {
    const changes = diffStates(saved({ "subnet-01": "critical" }), observe({ "subnet-01": "warning" }), COMPLETE);

    expect(changes.scopes[0]!.improved.map((c) => [c.from, c.to])).to.deep.equal([["critical", "warning"]]);
    expect(changes.scopes[0]!.recovered).to.deep.equal([]);
  });

  it("reports a resource back to ok as recovered", () => {
    const changes = diffStates(
      saved({ "subnet-01": "critical", "subnet-02": "warning" }),
      observe({ "subnet-01": "ok", "subnet-02": "warning" }),
      COMPLETE,
    );

    expect(changes.scopes[0]!.recovered).to.deep.equal([{ resourceId: "subnet-01", from: "critical", to: "ok" }]);
  });

  it("reports a resource a complete scan no longer finds as recovered and no longer found", () => {
    const changes = diffStates(
      saved({ "subnet-01": "critical", "subnet-02": "warning" }),
      observe({ "subnet-02": "warning" }),
      COMPLETE,
    );

    expect(changes.scopes[0]!.recovered).to.deep.equal([
      { resourceId: "subnet-01", from: "critical", to: "ok", noLongerFound: true },
    ]);
  });

  it("does not report a resource a partial scan did not see as recovered", () => {
    const changes = diffStates(
      saved({ "subnet-01": "critical", "subnet-02": "warning" }),
      observe({ "subnet-02": "warning" }),
      PARTIAL,
    );

    expect(hasChanges(changes)).to.equal(false);
  });

  it("reports a resource a partial scan saw as ok as recovered", () => {
    const changes = diffStates(saved({ "subnet-01": "critical" }), observe({ "subnet-01": "ok" }), PARTIAL);

    expect(changes.scopes[0]!.recovered.map((c) => c.resourceId)).to.deep.equal(["subnet-01"]);
  });

  it("reports a scope whose resources all recovered as recovered entirely", () => {
    const changes = diffStates(saved({ "subnet-01": "critical" }), observe({ "subnet-01": "ok" }), COMPLETE);

    expect(changes.scopes[0]).to.include({ scope: "prod", from: "critical", to: "ok", recoveredEntirely: true });
  });

  it("does not report a scope as recovered entirely while a partial scan left one of its resources unseen", () => {
    const changes = diffStates(
      saved({ "subnet-01": "critical", "subnet-02": "warning" }),
      observe({ "subnet-01": "ok" }),
      PARTIAL,
    );

    expect(changes.scopes[0]!.recoveredEntirely).to.equal(false);
    expect(changes.scopes[0]!.to).to.equal("warning");
  });

  it("reports a resource no longer found as recovered in a scope out of reach of what a partial scan missed", () => {
    const options = { complete: false, incompleteScopes: new Set(["dev"]) };

    const changes = diffStates(saved({ "subnet-01": "critical" }), observe({}), options);

    expect(changes.scopes[0]!.recovered).to.deep.equal([
      { resourceId: "subnet-01", from: "critical", to: "ok", noLongerFound: true },
    ]);
  });

  it("does not report a resource no longer found as recovered in a scope a partial scan could not see completely", () => {
    const options = { complete: false, incompleteScopes: new Set(["prod"]) };

    expect(hasChanges(diffStates(saved({ "subnet-01": "critical" }), observe({}), options))).to.equal(false);
  });

  it("does not report a scope that left the rules file", () => {
    const previous: NotifiedState = {
      scopes: { retired: { status: "critical", resources: { "subnet-09": { status: "critical" } } } },
    };

    const changes = diffStates(previous, observe({ "subnet-01": "ok" }), COMPLETE);

    expect(hasChanges(changes)).to.equal(false);
  });

  it("keeps scopes in the order of the rules file and only those with changes", () => {
    const current = stateFromEvaluation(
      evaluate(
        [
          subnetAt("subnet-0d", "warning", { tags: { env: "dev" } }),
          subnetAt("subnet-0p", "critical", { tags: { env: "prod" } }),
        ],
        RULES,
      ),
    );

    const changes = diffStates(undefined, current, COMPLETE);

    expect(changes.scopes.map((s) => s.scope)).to.deep.equal(["prod", "dev"]);
  });
});

describe("mergeForSave", () => {
  it("saves the current state after a complete scan, without the seen ids", () => {
    const merged = mergeForSave(saved({ "subnet-01": "critical" }), observe({ "subnet-02": "warning" }), COMPLETE);

    expect(merged).to.deep.equal({
      scopes: {
        prod: { status: "warning", resources: { "subnet-02": { status: "warning", utilization: 85, free: 38n } } },
        dev: { status: "ok", resources: {} },
      },
    });
  });

  it("keeps resources a partial scan did not see, with their last notified status", () => {
    const merged = mergeForSave(saved({ "subnet-01": "critical" }), observe({ "subnet-02": "warning" }), PARTIAL);

    expect(Object.keys(merged.scopes.prod!.resources)).to.deep.equal(["subnet-02", "subnet-01"]);
    expect(merged.scopes.prod!.status).to.equal("critical");
  });

  it("saves a scope out of reach of what a partial scan missed as observed, and keeps unseen resources of the others", () => {
    const previous: NotifiedState = {
      scopes: {
        prod: { status: "critical", resources: { "subnet-01": { status: "critical" } } },
        dev: { status: "warning", resources: { "subnet-09": { status: "warning" } } },
      },
    };

    const merged = mergeForSave(previous, observe({}), { complete: false, incompleteScopes: new Set(["dev"]) });

    expect(merged.scopes.prod).to.deep.equal({ status: "ok", resources: {} });
    expect(merged.scopes.dev).to.deep.equal({ status: "warning", resources: { "subnet-09": { status: "warning" } } });
  });

  it("drops resources a partial scan saw as ok", () => {
    const merged = mergeForSave(saved({ "subnet-01": "critical" }), observe({ "subnet-01": "ok" }), PARTIAL);

    expect(merged.scopes.prod!.resources).to.deep.equal({});
  });

  it("keeps a scope that left the rules file only until a complete scan", () => {
    const previous: NotifiedState = {
      scopes: { retired: { status: "warning", resources: { "subnet-09": { status: "warning" } } } },
    };

    expect(mergeForSave(previous, observe({}), PARTIAL).scopes.retired).to.not.equal(undefined);
    expect(mergeForSave(previous, observe({}), COMPLETE).scopes.retired).to.equal(undefined);
  });
});
