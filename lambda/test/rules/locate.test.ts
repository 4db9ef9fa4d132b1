import { expect } from "chai";
import { LineCounter, parseDocument } from "yaml";
import { Locator } from "../../src/rules/locate";
import type { PathSegment } from "../../src/rules/schema";

function locatorOf(text: string): Locator {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, uniqueKeys: false });
  return new Locator(doc, text, lines);
}

/** "line:column" of the node at `path`, 1-based. */
function at(text: string, path: readonly PathSegment[], where: "key" | "value" = "value"): string {
  const locator = locatorOf(text);
  const { line, column } = locator.position(locator.locate(path, where));
  return `${line}:${column}`;
}

const TEXT = "version: 1\nscopes:\n  - name: a\n    thresholds: { warning: 120 }\n";

describe("rules/locate", () => {
  it("finds a value, or its key, by its path in the data", () => {
    expect(at(TEXT, ["scopes", 0, "thresholds", "warning"])).to.equal("4:28");
    expect(at(TEXT, ["scopes", 0, "thresholds", "warning"], "key")).to.equal("4:19");
    expect(at(TEXT, ["scopes", 0])).to.equal("3:5");
  });

  it("points at a mapping key written with no value rather than past it", () => {
    expect(at(`${TEXT}    exclude:\n`, ["scopes", 0, "exclude"])).to.equal("5:5");
  });

  it("falls back to the closest node there is when the path goes further than the file", () => {
    expect(at(TEXT, ["scopes", 0, "match", "regions"])).to.equal("3:5");
    expect(at(TEXT, ["scopes", 3, "name"])).to.equal("3:3");
  });

  it("finds a node inside an anchored block where the anchor is defined, also through an alias", () => {
    const text =
      "version: 1\nscopes:\n  - name: a\n    match: &m { regoins: [us-east-1] }\n" + "  - name: b\n    match: *m\n";
    expect(at(text, ["scopes", 0, "match", "regoins"], "key")).to.equal("4:17");
    expect(at(text, ["scopes", 1, "match", "regoins"], "key")).to.equal("4:17");
  });

  it("finds a key that a mapping takes from a << merge, and prefers the mapping's own", () => {
    const text = "base: &base { warning: 70, critical: 85 }\n" + "scope:\n  <<: *base\n  critical: 90\n";
    expect(at(text, ["scope", "warning"])).to.equal("1:24");
    expect(at(text, ["scope", "critical"])).to.equal("4:13");
  });

  it("counts lines in a file with Windows line endings", () => {
    expect(at(TEXT.replaceAll("\n", "\r\n"), ["scopes", 0, "thresholds", "warning"])).to.equal("4:28");
  });

  it("gives the line of a value for messages that name another place", () => {
    expect(locatorOf(TEXT).lineOf(["scopes", 0, "thresholds"])).to.equal(4);
  });

  it("gives a scalar's text as written, where the data has lost it", () => {
    const text = "scopes:\n  - match: { accounts: [012345678901] }\n";
    expect(locatorOf(text).sourceOf(["scopes", 0, "match", "accounts", 0])).to.equal("012345678901");
    expect(locatorOf(text).sourceOf(["scopes", 0, "match"])).to.equal(undefined);
  });
});
