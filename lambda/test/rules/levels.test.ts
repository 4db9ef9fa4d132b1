import Ajv from "ajv";
import { expect } from "chai";
import {
  LEVEL_PAIRS,
  LEVEL_PAIRS_DEFINITION,
  LEVEL_PAIRS_KEYWORD,
  type LevelPair,
  levelsInOrder,
  orderWords,
} from "../../src/rules/levels";
import { RULES_SCHEMA } from "../../src/rules/schema";
import { THRESHOLD_KEYS } from "../../src/types";

const thresholdsSchema = (RULES_SCHEMA.definitions as Record<string, Record<string, unknown>>).thresholds!;
const thresholdFields = Object.keys(thresholdsSchema.properties as Record<string, unknown>);

function pair(direction: "rising" | "falling", equalAllowed = false): LevelPair {
  return { warning: "warning", critical: "critical", direction, equalAllowed, reads: "x {}" };
}

describe("rules/levels", () => {
  describe("the schema's level pairs", () => {
    it("pair every threshold field of the schema exactly once", () => {
      const paired = LEVEL_PAIRS.flatMap((p) => [p.warning, p.critical]);
      expect([...paired].sort()).to.deep.equal([...thresholdFields].sort());
    });

    it("name the same fields as the Thresholds type", () => {
      expect([...THRESHOLD_KEYS].sort()).to.deep.equal([...thresholdFields].sort());
    });

    it("read each level as the alarm descriptions show it", () => {
      expect(LEVEL_PAIRS.map((p) => [p.warning, p.direction, p.equalAllowed, p.reads])).to.deep.equal([
        ["warning", "rising", false, "utilization >= {}%"],
        ["minFreeWarning", "falling", false, "free addresses < {}"],
        ["minUtilizationWarning", "falling", true, "utilization < {}%"],
        ["daysToFullWarning", "falling", false, "full within {} days"],
        ["minFreePrefixesWarning", "falling", false, "free /28 prefixes < {}"],
        ["minAssignableWarning", "falling", false, "assignable addresses < {}"],
        ["minZoneFreeWarning", "falling", false, "free addresses in a zone < {}"],
      ]);
    });

    it("alarm on the poorest zone's free addresses of their own, not through the resource counts", () => {
      expect(LEVEL_PAIRS.filter((p) => p.alarm !== undefined).map((p) => [p.warning, p.alarm])).to.deep.equal([
        ["minZoneFreeWarning", { metric: "MinZoneFreeAddresses", suffix: "zone-free" }],
      ]);
    });

    it("are checked for shape when a schema using them is compiled", () => {
      const ajv = new Ajv({ strict: true });
      ajv.addKeyword(LEVEL_PAIRS_DEFINITION);
      const schema = { type: "object", [LEVEL_PAIRS_KEYWORD]: [{ warning: "a", critical: "b", direction: "up" }] };
      expect(() => ajv.compile(schema)).to.throw(/x-level-pairs/);
    });
  });

  describe("levelsInOrder", () => {
    it("wants warning below critical when the level is reached by rising", () => {
      expect(levelsInOrder(pair("rising"), 70, 85)).to.equal(true);
      expect(levelsInOrder(pair("rising"), 85, 85)).to.equal(false);
      expect(levelsInOrder(pair("rising"), 90, 85)).to.equal(false);
    });

    it("wants warning above critical when the level is reached by falling", () => {
      expect(levelsInOrder(pair("falling"), 100, 25)).to.equal(true);
      expect(levelsInOrder(pair("falling"), 25, 25)).to.equal(false);
    });

    it("accepts equal levels only where the pair allows them", () => {
      expect(levelsInOrder(pair("falling", true), 5, 5)).to.equal(true);
      expect(levelsInOrder(pair("falling", true), 1, 5)).to.equal(false);
    });
  });

  describe("orderWords", () => {
    it("words each order from the warning's side and from the critical's side", () => {
      expect(orderWords(pair("rising"))).to.deep.equal({ relation: "below", inverse: "above" });
      expect(orderWords(pair("falling"))).to.deep.equal({ relation: "above", inverse: "below" });
      expect(orderWords(pair("falling", true))).to.deep.equal({ relation: "at least", inverse: "at most" });
      expect(orderWords(pair("rising", true))).to.deep.equal({ relation: "at most", inverse: "at least" });
    });
  });
});
