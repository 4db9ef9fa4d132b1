import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { RulesError } from "../../src/errors";
import { MAX_NESTING_DEPTH, MAX_RULES_BYTES, nestingProblem } from "../../src/rules/limits";
import { loadRulesFile, loadRulesFileSync, parseRules } from "../../src/rules/load";

const VALID_DIR = join(__dirname, "..", "fixtures", "rules", "valid");

async function problems(load: () => unknown): Promise<string[]> {
  try {
    await load();
  } catch (error) {
    if (error instanceof RulesError) return error.problems.map((p) => `${p.line}:${p.column}: ${p.message}`);
    throw error;
  }
  return [];
}

describe("rules file limits", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ipam-monitor-limits-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("size", () => {
    const message = (size: number): string =>
      `1:1: the rules file is ${size.toLocaleString("en-US")} bytes, more than the 1,048,576 bytes (1 MB) a rules file may have; nothing in it was read`;

    it("refuses a file over 1 MB before reading it, naming its size", async () => {
      const file = join(dir, "huge.yaml");
      writeFileSync(file, `version: 1\n${"# padding\n".repeat(MAX_RULES_BYTES / 10)}`);
      const size = readFileSync(file).byteLength;

      expect(await problems(() => loadRulesFile(file))).to.deep.equal([message(size)]);
      expect(await problems(() => loadRulesFileSync(file))).to.deep.equal([message(size)]);
    });

    it("refuses text over 1 MB handed to the parser, counting UTF-8 bytes", async () => {
      const text = `version: 1\n# ${"é".repeat(MAX_RULES_BYTES / 2)}\n`;

      expect(await problems(() => parseRules(text, "r.yaml"))).to.deep.equal([message(Buffer.byteLength(text))]);
    });

    it("accepts a file of exactly 1 MB as far as size goes", async () => {
      const head = "version: 1\nscopes:\n  - name: all\n    thresholds: { critical: 90 }\n";
      const text = `${head}${"#".repeat(MAX_RULES_BYTES - head.length - 1)}\n`;

      expect(Buffer.byteLength(text)).to.equal(MAX_RULES_BYTES);
      expect(await problems(() => parseRules(text, "r.yaml"))).to.deep.equal([]);
    });
  });

  describe("nesting", () => {
    it("says how deep flow nesting goes and where it passes the limit, not that a stack overflowed", async () => {
      const text = `version: 1\nscopes: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;

      expect(await problems(() => parseRules(text, "r.yaml"))).to.deep.equal([
        `2:${"scopes: ".length + MAX_NESTING_DEPTH}: the YAML nests 33 levels deep here, more than the 32 a rules file may use (scopes need about 6); nothing deeper was read`,
      ]);
    });

    it("counts block nesting by indentation", () => {
      const text = [
        "version: 1",
        "scopes:",
        ...Array.from({ length: 40 }, (_, i) => `${"  ".repeat(i + 1)}k${i}:`),
      ].join("\n");

      expect(nestingProblem(text)?.line).to.equal(34);
    });

    it("counts each '- ' of a sequence entry", () => {
      const text = `version: 1\nscopes:\n  ${"- ".repeat(40)}x\n`;

      expect(nestingProblem(text)?.line).to.equal(3);
    });

    it("does not count brackets in quotes, comments or block scalars", () => {
      const text = [
        "version: 1",
        `# ${"[".repeat(100)}`,
        "scopes:",
        `  - name: "${"[".repeat(100)}"`,
        `    description: '${"{".repeat(100)}'`,
        "    note: |",
        ...Array.from({ length: 50 }, (_, i) => `      ${"  ".repeat(i)}${"[".repeat(10)}`),
        "    match: {}",
      ].join("\n");

      expect(nestingProblem(text)).to.equal(undefined);
    });

    it("finds nothing to refuse in any valid fixture", () => {
      for (const file of readdirSync(VALID_DIR)) {
        expect(nestingProblem(readFileSync(join(VALID_DIR, file), "utf8")), file).to.equal(undefined);
      }
    });
  });
});
