import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import { comparePreview, type PreviewJson, previewFailures } from "../../src/preview/compare";
import { parseRules } from "../../src/rules/load";
import type { RulesFile } from "../../src/types";
import { IDS, inventory } from "./inventory";

const FIXTURES = join(__dirname, "..", "fixtures", "preview");
const BASE = parseRules(readFileSync(join(FIXTURES, "base.yaml"), "utf8"), "base.yaml");
const HEAD = parseRules(readFileSync(join(FIXTURES, "head.yaml"), "utf8"), "head.yaml");
const INVENTORY: PreviewJson["inventory"] = {
  source: "history",
  location: "s3://ipam-history/",
  scannedAt: "2026-12-01T12:00:00.000Z",
  resources: 6,
  complete: true,
};

function preview(base: RulesFile = BASE, head: RulesFile = HEAD): PreviewJson {
  const resources = inventory();
  return comparePreview(
    { file: base.file, scopes: base.scopes, evaluation: evaluate(resources, base) },
    { file: head.file, scopes: head.scopes, evaluation: evaluate(resources, head) },
    INVENTORY,
  );
}

describe("preview/compare", () => {
  it("lists every resource whose status changes, worst change first", () => {
    const changes = preview().changes.map((c) => [c.resourceId, c.scope, c.from, c.to]);

    expect(changes).to.deep.equal([
      [IDS.newlyCovered, "prod-subnets", null, "critical"],
      [IDS.warningToCritical, "prod-subnets", "warning", "critical"],
      [IDS.okToWarning, "prod-subnets", "ok", "warning"],
      [IDS.newlyUncovered, "legacy", "critical", null],
    ]);
  });

  it("says why each resource is at its new level", () => {
    const [first] = preview().changes;

    expect(first).to.deep.equal({
      resourceId: IDS.newlyCovered,
      cidr: "10.0.3.0/24",
      resourceType: "subnet",
      name: "app-3",
      ownerId: "111122223333",
      region: "eu-west-1",
      scope: "prod-subnets",
      from: null,
      to: "critical",
      reason: "utilization 90% ≥ critical 75%",
    });
  });

  it("names the scopes added, removed and renamed: the alarms created and destroyed", () => {
    const result = preview();

    expect(result.scopesAdded).to.deep.equal(["staging"]);
    expect(result.scopesRemoved).to.deep.equal(["legacy"]);
    expect(result.scopesRenamed).to.deep.equal([{ from: "dev", to: "development" }]);
  });

  it("gives each scope its old and new status and counts", () => {
    const byName = Object.fromEntries(preview().scopes.map((s) => [s.name, s]));

    expect(byName["prod-subnets"]).to.deep.equal({
      name: "prod-subnets",
      change: "changed",
      oldStatus: "critical",
      newStatus: "critical",
      oldCounts: { critical: 1, warning: 1, unknown: 0, ok: 1 },
      newCounts: { critical: 3, warning: 1, unknown: 0, ok: 0 },
      oldResourceCount: 3,
      newResourceCount: 4,
    });
    expect(byName.development).to.deep.include({
      change: "renamed",
      renamedFrom: "dev",
      oldStatus: "ok",
      newStatus: "ok",
    });
    expect(byName.staging).to.deep.include({ change: "added", oldStatus: null, newStatus: "ok", newResourceCount: 0 });
    expect(byName.legacy).to.deep.include({
      change: "removed",
      oldStatus: "critical",
      newStatus: null,
      newCounts: null,
    });
  });

  it("reports coverage changes and the head scopes that match nothing", () => {
    const result = preview();

    expect(result.coverage).to.deep.equal({ newlyUncovered: [IDS.newlyUncovered], newlyCovered: [IDS.newlyCovered] });
    expect(result.noMatch).to.deep.equal(["staging"]);
    expect(result.summary).to.deep.equal({
      changes: 4,
      newCritical: 2,
      newWarning: 1,
      improved: 1,
      newlyUncovered: 1,
      newlyCovered: 1,
    });
  });

  it("finds nothing to report when the rules do not change", () => {
    const result = preview(BASE, BASE);

    expect(result.changes).to.deep.equal([]);
    expect(result.scopes.every((s) => s.change === "unchanged")).to.equal(true);
    expect(result.coverage).to.deep.equal({ newlyUncovered: [], newlyCovered: [] });
  });

  describe("--fail-on", () => {
    it("names each condition the change meets", () => {
      expect(previewFailures(preview(), ["new-critical", "new-warning", "no-match", "uncovered"])).to.deep.equal([
        "2 resources newly critical (--fail-on new-critical)",
        "3 resources newly at warning or worse (--fail-on new-warning)",
        "1 scope of head.yaml matches nothing: staging (--fail-on no-match)",
        "1 resource left covered by no scope (--fail-on uncovered)",
      ]);
    });

    it("meets none of them when the rules do not change", () => {
      expect(previewFailures(preview(BASE, BASE), ["new-critical", "new-warning", "uncovered"])).to.deep.equal([]);
    });
  });
});
