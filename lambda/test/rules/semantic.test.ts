import { expect } from "chai";
import { LineCounter, parseDocument } from "yaml";
import { Locator } from "../../src/rules/locate";
import { formatPath } from "../../src/rules/schema";
import { semanticIssues } from "../../src/rules/semantic";

/** The problems beyond the schema in a rules text, as "path: message". */
function issuesOf(text: string): string[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: false });
  return semanticIssues(doc.toJS(), new Locator(doc, text, lines)).map(
    (issue) => `${formatPath(issue.path)}: ${issue.message}`,
  );
}

const SCOPE = "  - name: a\n    thresholds: { warning: 70 }\n";

describe("rules/semantic", () => {
  it("finds nothing wrong in a file whose thresholds are in order", () => {
    expect(issuesOf(`version: 1\nscopes:\n${SCOPE}`)).to.deep.equal([]);
  });

  it("leaves a scope with malformed thresholds to the schema rather than calling it unable to alarm", () => {
    expect(issuesOf("version: 1\nscopes:\n  - name: a\n    thresholds: [70]\n")).to.deep.equal([]);
  });

  it("reports a scope with no thresholds here or in the defaults", () => {
    expect(issuesOf("version: 1\nscopes:\n  - name: a\n")).to.deep.equal([
      'scopes[0]: scopes[0] "a" has no thresholds here or in defaults.thresholds, so it could never alarm',
    ]);
  });

  it("reports a threshold conflict in the defaults once, not again for each scope", () => {
    const text =
      "version: 1\ndefaults:\n  thresholds: { warning: 90, critical: 80 }\nscopes:\n  - name: a\n  - name: b\n";
    expect(issuesOf(text)).to.deep.equal([
      "defaults.thresholds.warning: defaults.thresholds.warning (90) must be below critical (80)",
    ]);
  });

  it("reports a conflict with an inherited level at the scope's own level, naming where the default is set", () => {
    const text =
      "version: 1\ndefaults:\n  thresholds: { warning: 70, critical: 85 }\nscopes:\n  - name: a\n    thresholds: { warning: 90 }\n";
    expect(issuesOf(text)).to.deep.equal([
      "scopes[0].thresholds.warning: scopes[0].thresholds.warning (90) must be below critical " +
        "(85 from defaults.thresholds.critical on line 3)",
    ]);
  });

  it("does not compare a threshold that is itself out of range", () => {
    expect(
      issuesOf("version: 1\nscopes:\n  - name: a\n    thresholds: { warning: 150, critical: 80 }\n"),
    ).to.deep.equal([]);
  });

  it("accepts a minimum utilization critical equal to the warning, which makes idle resources critical", () => {
    const text =
      "version: 1\nscopes:\n  - name: idle\n    thresholds: { minUtilizationWarning: 1, minUtilizationCritical: 1 }\n";
    expect(issuesOf(text)).to.deep.equal([]);
  });

  it("reports a minimum utilization conflict in the defaults once, not again for each scope", () => {
    const text =
      "version: 1\ndefaults:\n  thresholds: { minUtilizationWarning: 1, minUtilizationCritical: 5 }\nscopes:\n  - name: a\n  - name: b\n";
    expect(issuesOf(text)).to.deep.equal([
      "defaults.thresholds.minUtilizationWarning: defaults.thresholds.minUtilizationWarning (1) must be at least " +
        "minUtilizationCritical (5)",
    ]);
  });

  it("checks the order of the levels that remain after switching some off", () => {
    const text =
      "version: 1\ndefaults: { thresholds: { warning: 70, critical: 85 } }\n" +
      "scopes:\n  - name: a\n    thresholds: { critical: null, warning: 90 }\n";
    expect(issuesOf(text)).to.deep.equal([]);
  });

  it("reports a scope name used twice, and names that differ only in case, with the line of the first", () => {
    const text = `version: 1\nscopes:\n${SCOPE}${SCOPE}  - name: A\n    thresholds: { warning: 70 }\n`;
    expect(issuesOf(text)).to.deep.equal([
      'scopes[1].name: scopes[1].name "a" is already the name of scopes[0] (line 3); scope names must be unique',
      'scopes[2].name: scopes[2].name "A" differs from the name "a" of scopes[0] (line 3) only in case; scope names ' +
        "must differ in more than case, since many tools compare alarm names without it",
    ]);
  });

  it("reports capacity thresholds on a scope that does not measure capacity", () => {
    const text = "version: 1\nscopes:\n  - name: a\n    thresholds: { warning: 70, minAssignableWarning: 16 }\n";
    expect(issuesOf(text)).to.deep.equal([
      "scopes[0].thresholds.minAssignableWarning: scopes[0].thresholds.minAssignableWarning needs capacity: true on " +
        "the scope: free prefixes and assignable addresses are measured only for scopes that opt in (reading " +
        "interfaces and reservations costs API calls)",
    ]);
  });

  it("reports a malformed CIDR and a misspelt resource type in match and exclude", () => {
    const text =
      "version: 1\nscopes:\n  - name: a\n    match: { cidrWithin: [10.0.0.0/33] }\n" +
      "    exclude: { resourceTypes: [subnets] }\n    thresholds: { warning: 70 }\n";
    const issues = issuesOf(text);
    expect(issues).to.have.length(2);
    expect(issues[0]).to.match(/^scopes\[0\]\.match\.cidrWithin\[0\]: scopes\[0\]\.match\.cidrWithin\[0\]: /);
    expect(issues[1]).to.match(
      /^scopes\[0\]\.exclude\.resourceTypes\[0\]: scopes\[0\]\.exclude\.resourceTypes\[0\] \("subnets"\) is not a resource type/,
    );
  });

  it("checks every glob of a list of tag values", () => {
    const text =
      'version: 1\nscopes:\n  - name: a\n    match: { tags: { env: [prod, "[x"] } }\n    thresholds: { warning: 70 }\n';
    expect(issuesOf(text)).to.deep.equal([
      'scopes[0].match.tags.env[1]: scopes[0].match.tags.env[1] ("[x") is not a valid glob: the "[" at character 1 ' +
        'is never closed with "]"',
    ]);
  });

  it("reports a forecast minimum the window cannot hold", () => {
    const text = `version: 1\nforecast: { windowDays: 10, minPoints: 11, minSpanDays: 9 }\nscopes:\n${SCOPE}`;
    expect(issuesOf(text)).to.deep.equal([
      "forecast.minPoints: forecast.minPoints (11) must be at most 10: forecast.windowDays (10) holds no more, so no " +
        "resource would ever get a forecast",
    ]);
  });
});
