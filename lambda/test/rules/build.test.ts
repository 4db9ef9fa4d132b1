import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parse } from "yaml";
import { buildRules } from "../../src/rules/build";
import type { Data } from "../../src/rules/data";

const VALID_DIR = join(__dirname, "../fixtures/rules/valid");
const MINIMAL = "version: 1\nscopes:\n  - name: all\n    thresholds: { warning: 70 }\n";

/** The rules a valid rules text describes; `file` is recorded as given. */
function built(text: string, file: string) {
  return buildRules(parse(text, { merge: true }) as Data, file);
}

describe("rules/build", () => {
  it("merges defaults into scope thresholds field by field", () => {
    const rules = built(
      "version: 1\ndefaults:\n  thresholds: { warning: 70, critical: 85, minFreeCritical: 10 }\n" +
        "scopes:\n  - name: a\n    thresholds: { critical: 95, minFreeWarning: 50 }\n",
      "rules.yaml",
    );
    expect(rules.scopes[0]!.thresholds).to.deep.equal({
      warning: 70,
      critical: 95,
      minFreeWarning: 50,
      minFreeCritical: 10,
    });
  });

  it("gives a scope without thresholds the defaults", () => {
    const rules = built("version: 1\ndefaults:\n  thresholds: { warning: 70 }\nscopes:\n  - name: a\n", "rules.yaml");
    expect(rules.scopes[0]!.thresholds).to.deep.equal({ warning: 70 });
  });

  it("defaults resourceMetrics to false and keeps true when set", () => {
    const rules = built(
      `${MINIMAL}  - name: b\n    thresholds: { warning: 70 }\n    resourceMetrics: true\n`,
      "rules.yaml",
    );
    expect(rules.scopes.map((s) => s.resourceMetrics)).to.deep.equal([false, true]);
  });

  it("sets capacity only on scopes that opt in, and lets them take the capacity thresholds of the defaults", () => {
    const rules = built(readFileSync(join(VALID_DIR, "capacity.yaml"), "utf8"), "rules.yaml");

    expect(rules.scopes.map((s) => [s.name, s.capacity])).to.deep.equal([
      ["eks-pods", true],
      ["app-subnets", undefined],
    ]);
    expect(rules.scopes[0]!.thresholds).to.deep.equal({
      minFreePrefixesWarning: 8,
      minFreePrefixesCritical: 2,
      minAssignableWarning: 64,
      minAssignableCritical: 16,
      minZoneFreeWarning: 1024,
      minZoneFreeCritical: 256,
    });
  });

  it("turns an omitted or empty match into an empty spec and leaves exclude out", () => {
    const rules = built(readFileSync(join(VALID_DIR, "empty-match.yaml"), "utf8"), "rules.yaml");
    expect(rules.scopes.map((s) => s.match)).to.deep.equal([{}, {}, {}]);
    expect(rules.scopes.every((s) => !("exclude" in s))).to.equal(true);
  });

  it("returns empty default thresholds when defaults are omitted", () => {
    expect(built(MINIMAL, "rules.yaml").defaults).to.deep.equal({ thresholds: {} });
  });

  it("records the file name it was given", () => {
    expect(built(MINIMAL, "conf/rules.yaml").file).to.equal("conf/rules.yaml");
  });

  it("returns minimum utilization thresholds merged over the defaults", () => {
    const rules = built(readFileSync(join(VALID_DIR, "idle-addresses.yaml"), "utf8"), "rules.yaml");
    expect(rules.scopes.map((s) => [s.name, s.thresholds])).to.deep.equal([
      ["subnets", { warning: 70, critical: 85 }],
      ["elastic-ips", { warning: 70, critical: 85, minUtilizationWarning: 1 }],
      ["oversized-vpcs", { warning: 70, critical: 85, minUtilizationWarning: 5, minUtilizationCritical: 1 }],
    ]);
  });

  it("counts a minimum utilization as a threshold, so a scope with only that one can alarm", () => {
    const rules = built(
      "version: 1\nscopes:\n  - name: idle\n    thresholds: { minUtilizationCritical: 1 }\n",
      "rules.yaml",
    );
    expect(rules.scopes[0]!.thresholds).to.deep.equal({ minUtilizationCritical: 1 });
  });

  it("switches off an inherited threshold with null instead of inheriting it", () => {
    const rules = built(readFileSync(join(VALID_DIR, "switched-off.yaml"), "utf8"), "rules.yaml");

    expect(rules.scopes[0]).to.deep.include({
      thresholds: { minFreeWarning: 256, minFreeCritical: 64 },
      thresholdsOff: ["warning", "critical"],
    });
    expect(rules.scopes[1]!.thresholds).to.deep.equal({ warning: 70, critical: 85 });
    expect(rules.scopes[1]).to.not.have.property("thresholdsOff");
  });

  it("reads the days-to-full thresholds and the forecast settings, defaults filled in", () => {
    const text =
      "version: 1\nforecast: { minPoints: 10 }\n" +
      "scopes:\n  - name: a\n    thresholds: { daysToFullWarning: 30, daysToFullCritical: 7 }\n";

    const rules = built(text, "rules.yaml");

    expect(rules.scopes[0]!.thresholds).to.deep.equal({ daysToFullWarning: 30, daysToFullCritical: 7 });
    expect(rules.forecast).to.deep.equal({ windowDays: 30, minPoints: 10, minSpanDays: 6, horizonDays: 365 });
  });

  it("leaves the forecast settings out when the file has none", () => {
    expect(built(MINIMAL, "rules.yaml")).to.not.have.property("forecast");
  });

  it("reads a list of tag values as alternatives", () => {
    const text =
      "version: 1\nscopes:\n  - name: a\n    match: { tags: { env: [prod, production], team: web } }\n    thresholds: { warning: 70 }\n";

    expect(built(text, "rules.yaml").scopes[0]!.match.tags).to.deep.equal({
      env: ["prod", "production"],
      team: "web",
    });
  });
});
