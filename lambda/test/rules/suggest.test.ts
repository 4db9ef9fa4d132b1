import { expect } from "chai";
import { didYouMean, levenshtein, suggest } from "../../src/rules/suggest";

describe("rules/suggest", () => {
  describe("levenshtein", () => {
    it("is zero for equal words", () => {
      expect(levenshtein("regions", "regions")).to.equal(0);
    });

    it("counts one insertion, deletion or substitution as one edit", () => {
      expect(levenshtein("region", "regions")).to.equal(1);
      expect(levenshtein("regions", "region")).to.equal(1);
      expect(levenshtein("critcal", "critical")).to.equal(1);
      expect(levenshtein("ipv4", "ipv6")).to.equal(1);
    });

    it("ignores case", () => {
      expect(levenshtein("ResourceTypes", "resourcetypes")).to.equal(0);
    });

    it("counts every character against an empty word", () => {
      expect(levenshtein("", "vpc")).to.equal(3);
      expect(levenshtein("vpc", "")).to.equal(3);
    });

    it("counts a transposition as two edits", () => {
      expect(levenshtein("tags", "tgas")).to.equal(2);
    });
  });

  describe("suggest", () => {
    const keys = ["resourceTypes", "accounts", "regions", "vpcIds", "names", "tags"];

    it("suggests the closest candidate for a typo", () => {
      expect(suggest("resourceType", keys)).to.equal("resourceTypes");
    });

    it("suggests nothing when the input is itself a candidate", () => {
      expect(suggest("tags", keys)).to.equal(undefined);
    });

    it("suggests nothing when every candidate is far away", () => {
      expect(suggest("foo", keys)).to.equal(undefined);
    });

    it("allows about one edit per three characters by default", () => {
      expect(suggest("minFreeWarn", ["minFreeWarning"])).to.equal("minFreeWarning");
      expect(suggest("vpx", ["vpc"])).to.equal("vpc");
      expect(suggest("vxx", ["vpc"])).to.equal(undefined);
    });

    it("honours a tighter maximum distance", () => {
      expect(suggest("ipam-pool", ["ipv6-pool"], 1)).to.equal(undefined);
    });

    it("prefers the candidate listed first on a tie", () => {
      expect(suggest("ipv5", ["ipv4", "ipv6"])).to.equal("ipv4");
    });
  });

  describe("didYouMean", () => {
    it("formats the suggestion as a clause to append", () => {
      expect(didYouMean("regoins", ["regions"])).to.equal('; did you mean "regions"?');
    });

    it("returns an empty string when nothing is close", () => {
      expect(didYouMean("zzz", ["regions"])).to.equal("");
    });
  });
});
