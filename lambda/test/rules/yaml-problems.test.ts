import { expect } from "chai";
import { LineCounter, parseDocument } from "yaml";
import { Locator } from "../../src/rules/locate";
import { duplicateKeys, unresolvedAliases, yamlErrorMessage } from "../../src/rules/yaml-problems";

function parsed(text: string) {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: false });
  return { doc, locator: new Locator(doc, text, lines) };
}

describe("rules/yaml-problems", () => {
  describe("yamlErrorMessage", () => {
    it("asks for a single document when the file has several", () => {
      expect(yamlErrorMessage("MULTIPLE_DOCS", "Source contains multiple documents", "a: 1\n---\n", 5)).to.equal(
        'the rules file must hold a single YAML document; remove this "---" and what follows, or merge it into the first',
      );
    });

    it("passes the parser's words on, with a hint when the error is at an unquoted *", () => {
      expect(yamlErrorMessage("BAD_ALIAS", "Alias name is empty", "names: [*]", 8)).to.equal(
        'YAML syntax error: Alias name is empty; a glob that starts with "*" must be quoted, e.g. "*"',
      );
      expect(yamlErrorMessage("BAD_INDENT", "Bad indentation", "a:\n b", 4)).to.equal(
        "YAML syntax error: Bad indentation",
      );
    });
  });

  describe("unresolvedAliases", () => {
    it("reports an alias whose anchor is not defined, at the alias", () => {
      const text = "scopes:\n  - names: [*prod]\n";
      expect(unresolvedAliases(parsed(text).doc)).to.deep.equal([
        {
          offset: text.indexOf("*prod"),
          message:
            '"*prod" refers to an anchor "&prod" that is not defined above it; a glob that starts with "*" must be ' +
            'quoted, e.g. "*"',
        },
      ]);
    });

    it("finds nothing when every alias has its anchor", () => {
      expect(unresolvedAliases(parsed("a: &x [1]\nb: *x\n").doc)).to.deep.equal([]);
    });
  });

  describe("duplicateKeys", () => {
    it("reports a key given twice in one mapping at the second, with the line of the first", () => {
      const text = "version: 1\nscopes:\n  - name: a\n    name: b\n";
      const { doc, locator } = parsed(text);
      expect(duplicateKeys(doc, locator)).to.deep.equal([
        {
          offset: text.lastIndexOf("name"),
          path: ["scopes", 0, "name"],
          message: 'scopes[0] has the key "name" twice (first on line 3); YAML would keep only the last',
        },
      ]);
    });

    it("names the rules file for a key given twice at the top", () => {
      const { doc, locator } = parsed("version: 1\nversion: 1\n");
      expect(duplicateKeys(doc, locator).map((d) => d.message)).to.deep.equal([
        'the rules file has the key "version" twice (first on line 1); YAML would keep only the last',
      ]);
    });

    it("does not count the same key in different mappings", () => {
      const { doc, locator } = parsed("scopes:\n  - name: a\n  - name: b\n");
      expect(duplicateKeys(doc, locator)).to.deep.equal([]);
    });
  });
});
