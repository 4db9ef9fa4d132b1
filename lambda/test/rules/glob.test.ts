import { expect } from "chai";
import { compileGlob, type GlobWork, globToRegExp, matchParsed, parseGlob, validateGlob } from "../../src/rules/glob";

/** Matches through both the RegExp and the compiled predicate, which must agree. */
function matches(pattern: string, text: string): boolean {
  const viaRegExp = globToRegExp(pattern).test(text);
  const viaPredicate = compileGlob(pattern)(text);
  expect(viaPredicate, `compileGlob and globToRegExp disagree on ${pattern} vs ${text}`).to.equal(viaRegExp);
  return viaRegExp;
}

describe("rules/glob", () => {
  describe("matching", () => {
    it("matches plain text only exactly", () => {
      expect(matches("prod", "prod")).to.equal(true);
      expect(matches("prod", "prod-1")).to.equal(false);
      expect(matches("prod", "my-prod")).to.equal(false);
    });

    it("is case-sensitive", () => {
      expect(matches("prod-*", "Prod-app")).to.equal(false);
    });

    it("lets * stand for any run of characters, including none", () => {
      expect(matches("prod-*", "prod-")).to.equal(true);
      expect(matches("prod-*", "prod-app-1")).to.equal(true);
      expect(matches("*-db", "orders-db")).to.equal(true);
      expect(matches("a*b*c", "a-x-b-y-c")).to.equal(true);
      expect(matches("a*b*c", "a-x-c")).to.equal(false);
    });

    it("lets a lone * match everything, even the empty string", () => {
      expect(matches("*", "")).to.equal(true);
      expect(matches("**", "anything at all")).to.equal(true);
    });

    it("lets ? stand for exactly one character", () => {
      expect(matches("web-?", "web-1")).to.equal(true);
      expect(matches("web-?", "web-")).to.equal(false);
      expect(matches("web-?", "web-12")).to.equal(false);
    });

    it("counts a character outside the Basic Multilingual Plane as one for ?", () => {
      expect(matches("team-?", "team-🚀")).to.equal(true);
    });

    it("lets * and ? cross line breaks", () => {
      expect(matches("a*b", "a\nb")).to.equal(true);
      expect(matches("a?b", "a\nb")).to.equal(true);
    });

    it("matches one character of a class", () => {
      expect(matches("az-[abc]", "az-b")).to.equal(true);
      expect(matches("az-[abc]", "az-d")).to.equal(false);
    });

    it("matches ranges inside a class", () => {
      expect(matches("app-[0-9][0-9]", "app-42")).to.equal(true);
      expect(matches("app-[0-9][0-9]", "app-4x")).to.equal(false);
    });

    it("negates a class that starts with ! or ^", () => {
      expect(matches("db-[!x]", "db-y")).to.equal(true);
      expect(matches("db-[!x]", "db-x")).to.equal(false);
      expect(matches("db-[^x]", "db-x")).to.equal(false);
    });

    it("takes a ] right after [ as a member of the class", () => {
      expect(matches("[]]x", "]x")).to.equal(true);
      expect(matches("[!]]x", "ax")).to.equal(true);
      expect(matches("[!]]x", "]x")).to.equal(false);
    });

    it("takes a - at either end of a class literally", () => {
      expect(matches("[a-]", "-")).to.equal(true);
      expect(matches("[-a]", "-")).to.equal(true);
      expect(matches("[a-]", "b")).to.equal(false);
    });

    it("takes characters after a backslash literally", () => {
      expect(matches("literal-\\*", "literal-*")).to.equal(true);
      expect(matches("literal-\\*", "literal-x")).to.equal(false);
      expect(matches("\\[x\\]", "[x]")).to.equal(true);
      expect(matches("a\\\\b", "a\\b")).to.equal(true);
    });

    it("takes RegExp syntax in the pattern literally", () => {
      expect(matches("a.b", "a.b")).to.equal(true);
      expect(matches("a.b", "axb")).to.equal(false);
      expect(matches("(x)+|y$", "(x)+|y$")).to.equal(true);
      expect(matches("a/b{2}", "a/b{2}")).to.equal(true);
      expect(matches("a.*", "a.anything")).to.equal(true);
      expect(matches("a.*", "ab")).to.equal(false);
    });

    it("escapes RegExp syntax inside a class", () => {
      expect(matches("[\\^]", "^")).to.equal(true);
      expect(matches("[.]", ".")).to.equal(true);
      expect(matches("[.]", "x")).to.equal(false);
    });

    it("treats a trailing star after an escaped star as a wildcard", () => {
      expect(matches("a\\**", "a*xyz")).to.equal(true);
      expect(matches("a\\**", "ab")).to.equal(false);
      expect(matches("a\\*b*", "a*bcd")).to.equal(true);
      expect(matches("a\\*b*", "axbcd")).to.equal(false);
    });

    it("anchors the RegExp at both ends", () => {
      const regexp = globToRegExp("prod-?");
      expect(regexp.source.startsWith("^")).to.equal(true);
      expect(regexp.source.endsWith("$")).to.equal(true);
    });
  });

  describe("validateGlob", () => {
    it("accepts well-formed globs", () => {
      for (const pattern of ["*", "prod-*", "web-?", "[a-z]*", "[!x]", "[]]", "\\*", ""]) {
        expect(validateGlob(pattern), pattern).to.equal(undefined);
      }
    });

    it("rejects a class that is never closed and says where it opens", () => {
      expect(validateGlob("prod-[ab")).to.equal('the "[" at character 6 is never closed with "]"');
    });

    it("explains that a ] right after [ does not close the class", () => {
      expect(validateGlob("[]")).to.match(/a "\]" right after "\[" is one of the characters/);
    });

    it("rejects a range that goes backwards", () => {
      expect(validateGlob("[z-a]")).to.equal('the range "z-a" at character 2 goes backwards');
    });

    it("rejects a trailing backslash", () => {
      expect(validateGlob("tail\\")).to.match(/ends with a "\\" that escapes nothing/);
    });

    it("counts characters, not UTF-16 units, in positions", () => {
      expect(validateGlob("🚀[a")).to.equal('the "[" at character 2 is never closed with "]"');
    });
  });

  describe("globToRegExp", () => {
    it("throws an error naming the malformed pattern", () => {
      expect(() => globToRegExp("prod-[ab")).to.throw('"prod-[ab" is not a valid glob: the "[" at character 6');
    });
  });

  describe("compileGlob", () => {
    it("throws on a malformed pattern like globToRegExp", () => {
      expect(() => compileGlob("[z-a]")).to.throw(/is not a valid glob/);
    });

    it("treats an escaped wildcard as plain text", () => {
      const matchesStar = compileGlob("a\\*");
      expect(matchesStar("a*")).to.equal(true);
      expect(matchesStar("ab")).to.equal(false);
    });
  });

  describe("the work a match takes", () => {
    function work(pattern: string, text: string): { matched: boolean; steps: number } {
      const counted: GlobWork = { steps: 0 };
      const matched = matchParsed(parseGlob(pattern), text, counted);
      return { matched, steps: counted.steps };
    }

    it("tests *a*a*a*a*b against 256 characters in about as many steps as the text is long", () => {
      // The backtracking RegExp of this glob took 116 s on 256 characters.
      const { matched, steps } = work("*a*a*a*a*b", "a".repeat(256));

      expect(matched).to.equal(false);
      expect(steps).to.be.at.most(256);
    });

    it("stays within (text length + 1) × (glob length + 1) character tests on adversarial input", () => {
      const cases: Array<[string, string]> = [
        ["*a*a*a*a*a*a*a*a*a*a*ab", `${"a".repeat(255)}c`],
        ["*aaaaaaaaaaaaaaab*", "a".repeat(256)],
        ["a*?*?*?*?*?*?*?*b", "a".repeat(256)],
        ["*[ab][ab][ab][ab][ab]c*d", `${"ab".repeat(128)}c`],
        ["*a?b?c?d*e", "a-b-c-d-".repeat(32)],
      ];
      for (const [pattern, text] of cases) {
        const { steps } = work(pattern, text);
        expect(steps, pattern).to.be.at.most((text.length + 1) * (pattern.length + 1));
      }
    });

    it("agrees with the RegExp translation on every glob and text over a small alphabet", () => {
      // Deterministic pseudo-random cases: a linear congruential generator.
      let seed = 20_240_501;
      const random = (n: number): number => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed % n;
      };
      const atoms = ["a", "b", "*", "?", "[ab]", "[!a]", "\\*", "🚀"];
      const letters = ["a", "b", "*", "🚀"];
      for (let n = 0; n < 3000; n++) {
        const pattern = Array.from({ length: random(7) }, () => atoms[random(atoms.length)]).join("");
        const text = Array.from({ length: random(9) }, () => letters[random(letters.length)]).join("");
        expect(matchParsed(parseGlob(pattern), text), `${pattern} vs ${text}`).to.equal(
          globToRegExp(pattern).test(text),
        );
      }
    });
  });
});
