import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { expect } from "chai";
import { formatRulesProblem, RulesError } from "../../src/errors";
import { loadRulesFile, loadRulesFileSync, parseRules, validateRulesFiles } from "../../src/rules/load";
import type { RulesFile } from "../../src/types";

const FIXTURES = join(__dirname, "../fixtures/rules");
const VALID_DIR = join(FIXTURES, "valid");
const INVALID_DIR = join(FIXTURES, "invalid");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .sort();
}

/** The RulesError parseRules throws for the text; fails the test when it does not throw one. */
function problemsOf(text: string, file = "rules.yaml"): RulesError {
  try {
    parseRules(text, file);
  } catch (error) {
    if (error instanceof RulesError) return error;
    throw error;
  }
  expect.fail("expected a RulesError");
}

function linesOf(text: string): string[] {
  return problemsOf(text).problems.map(formatRulesProblem);
}

const MINIMAL = "version: 1\nscopes:\n  - name: all\n    thresholds: { warning: 70 }\n";

describe("rules/load", () => {
  describe("the fixture corpus", () => {
    it("has at least 8 valid and 15 invalid files", () => {
      expect(yamlFiles(VALID_DIR).length).to.be.at.least(8);
      expect(yamlFiles(INVALID_DIR).length).to.be.at.least(15);
    });

    it("pairs every invalid file with an .expected.txt and every .expected.txt with a file", () => {
      const yaml = yamlFiles(INVALID_DIR)
        .map((file) => basename(file, ".yaml"))
        .sort();
      const expected = readdirSync(INVALID_DIR)
        .filter((file) => file.endsWith(".expected.txt"))
        .map((file) => basename(file, ".expected.txt"))
        .sort();
      expect(expected).to.deep.equal(yaml);
    });

    for (const file of yamlFiles(VALID_DIR)) {
      it(`accepts valid/${file}`, () => {
        const rules = parseRules(readFileSync(join(VALID_DIR, file), "utf8"), file);
        expect(rules.scopes.length).to.be.at.least(1);
      });
    }

    for (const file of yamlFiles(INVALID_DIR)) {
      it(`reports exactly the expected lines for invalid/${file}`, () => {
        const text = readFileSync(join(INVALID_DIR, file), "utf8");
        const expected = readFileSync(join(INVALID_DIR, file.replace(/\.yaml$/, ".expected.txt")), "utf8")
          .trimEnd()
          .split("\n");
        const error = problemsOf(text, file);
        expect(error.problems.map(formatRulesProblem)).to.deep.equal(expected);
      });
    }
  });

  describe("parseRules", () => {
    it("returns the full sample with its thresholds merged over the defaults", () => {
      const text = readFileSync(join(VALID_DIR, "full-sample.yaml"), "utf8");
      const expected: RulesFile = {
        version: 1,
        file: "rules.yaml",
        defaults: { thresholds: { warning: 70, critical: 85 } },
        scopes: [
          {
            name: "prod-subnets",
            description: "Production application subnets",
            match: {
              resourceTypes: ["subnet"],
              accounts: ["111122223333"],
              regions: ["us-east-1"],
              vpcIds: ["vpc-0abc"],
              resourceIds: ["subnet-0def"],
              cidrWithin: ["10.0.0.0/8"],
              names: ["prod-*"],
              tags: { env: "prod", team: "*" },
              addressFamily: "ipv4",
            },
            exclude: { tags: { monitoring: "off" } },
            thresholds: { warning: 60, critical: 80, minFreeWarning: 100, minFreeCritical: 25 },
            resourceMetrics: false,
          },
        ],
      };
      expect(parseRules(text, "rules.yaml")).to.deep.equal(expected);
    });

    it("resolves anchors, aliases and merge keys", () => {
      const rules = parseRules(readFileSync(join(VALID_DIR, "anchors.yaml"), "utf8"), "rules.yaml");
      expect(rules.scopes[1]!.match.regions).to.deep.equal(["us-west-2"]);
      expect(rules.scopes[1]!.match.accounts).to.deep.equal(["111122223333", "444455556666"]);
      expect(rules.scopes[2]!.thresholds).to.deep.equal({ warning: 60, critical: 90 });
    });

    it("keeps an account id with a leading zero when it is quoted", () => {
      const rules = parseRules(readFileSync(join(VALID_DIR, "multi-account.yaml"), "utf8"), "rules.yaml");
      expect(rules.scopes[0]!.match.accounts).to.deep.equal(["012345678901"]);
    });

    it("throws a RulesError whose message lists every problem", () => {
      const error = problemsOf("version: 2\nscopes: []\n");
      expect(error.message).to.equal(
        "2 problems in rules file:\nrules.yaml:1:10: version must be 1, not 2\nrules.yaml:2:9: scopes is empty; define at least one scope",
      );
    });

    it("gives each problem its file, 1-based position and path", () => {
      const [problem] = problemsOf(
        "version: 1\nscopes:\n  - name: a\n    thresholds: { warning: 120 }\n",
        "r.yaml",
      ).problems;
      expect(problem).to.deep.equal({
        file: "r.yaml",
        line: 4,
        column: 28,
        path: "scopes[0].thresholds.warning",
        message: "scopes[0].thresholds.warning (120) must be between 0 and 100",
      });
    });

    it("sorts problems by line, then column, whatever check found them", () => {
      const error = problemsOf(
        "version: 1\nscopes:\n  - name: a\n    thresholds: { warning: 90, critical: 80, minFreeWarning: -1 }\n  - name: a\n    foo: 1\n",
      );
      const positions = error.problems.map((p) => [p.line, p.column]);
      expect(positions).to.deep.equal([
        [4, 28],
        [4, 62],
        [5, 5],
        [5, 11],
        [6, 5],
      ]);
    });

    it("counts columns after a byte-order mark as editors do", () => {
      expect(linesOf("\uFEFFversion: 2\nscopes:\n  - name: a\n    thresholds: { warning: 70 }\n")).to.deep.equal([
        "rules.yaml:1:10: version must be 1, not 2",
      ]);
    });

    it("reports only syntax errors when the YAML does not parse", () => {
      const lines = linesOf("version: 3\nscopes:\n  - name: [unclosed\n");
      expect(lines).to.have.length(1);
      expect(lines[0]).to.match(/^rules\.yaml:\d+:\d+: YAML syntax error: /);
    });

    it("accepts newer resource types it has no special handling for", () => {
      const rules = parseRules(readFileSync(join(VALID_DIR, "newer-resource-types.yaml"), "utf8"), "rules.yaml");
      expect(rules.scopes.flatMap((s) => s.match.resourceTypes)).to.include.members(["eni", "anycast-ip-list"]);
    });
  });

  describe("loadRulesFile", () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "rules-load-"));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("reads and parses the file, naming it by the path given", async () => {
      const path = join(dir, "rules.yaml");
      writeFileSync(path, MINIMAL);
      const rules = await loadRulesFile(path);
      expect(rules.file).to.equal(path);
      expect(rules.scopes.map((s) => s.name)).to.deep.equal(["all"]);
    });

    it("reports problems with the path as the file name", async () => {
      const path = join(dir, "rules.yaml");
      writeFileSync(path, "version: 2\nscopes: [{ name: a, thresholds: { warning: 1 } }]\n");
      const error = await loadRulesFile(path).then(
        () => expect.fail("expected a RulesError"),
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(RulesError);
      expect((error as RulesError).problems.map(formatRulesProblem)).to.deep.equal([
        `${path}:1:10: version must be 1, not 2`,
      ]);
    });

    it("turns a missing file into one problem at 1:1 naming the OS error", async () => {
      const path = join(dir, "missing.yaml");
      const error = (await loadRulesFile(path).catch((e: unknown) => e)) as RulesError;
      expect(error).to.be.instanceOf(RulesError);
      expect(error.problems).to.have.length(1);
      expect(error.problems[0]).to.include({ file: path, line: 1, column: 1 });
      expect(error.problems[0]!.message).to.match(/^cannot read the rules file: ENOENT/);
      expect((error.cause as NodeJS.ErrnoException).code).to.equal("ENOENT");
    });

    it("turns a directory into one problem at 1:1 naming the OS error", async () => {
      const error = (await loadRulesFile(dir).catch((e: unknown) => e)) as RulesError;
      expect(error).to.be.instanceOf(RulesError);
      expect(error.problems[0]!.message).to.match(/^cannot read the rules file: EISDIR/);
    });

    it("has a synchronous twin that behaves the same", () => {
      const path = join(dir, "rules.yaml");
      writeFileSync(path, MINIMAL);
      expect(loadRulesFileSync(path).scopes.map((s) => s.name)).to.deep.equal(["all"]);
      expect(() => loadRulesFileSync(join(dir, "missing.yaml")))
        .to.throw(RulesError)
        .with.property("problems")
        .that.has.length(1);
    });
  });

  describe("validateRulesFiles", () => {
    it("reports each file in the order given, with no problems for a valid one", async () => {
      const valid = join(VALID_DIR, "minimal.yaml");
      const invalid = join(INVALID_DIR, "empty-scopes.yaml");
      const reports = await validateRulesFiles([valid, invalid]);
      expect(reports.map((r) => r.file)).to.deep.equal([valid, invalid]);
      expect(reports[0]!.problems).to.deep.equal([]);
      expect(reports[1]!.problems.map((p) => p.message)).to.deep.equal(["scopes is empty; define at least one scope"]);
    });

    it("reports a missing file instead of throwing", async () => {
      const [report] = await validateRulesFiles(["/nonexistent/rules.yaml"]);
      expect(report!.problems[0]!.message).to.match(/ENOENT/);
    });
  });
});
