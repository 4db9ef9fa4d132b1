import { readdirSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { validateRulesFiles } from "../src/rules/load";

const EXAMPLES = join(__dirname, "..", "..", "examples");

/** Every rules file that ships with an example, as users will copy it. */
function exampleRulesFiles(): string[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(EXAMPLES, dir.name))
        .filter((file) => /\.ya?ml$/.test(file))
        .map((file) => join(EXAMPLES, dir.name, file)),
    );
}

describe("example rules files", () => {
  const files = exampleRulesFiles();

  it("include the basic and complete examples' rules", () => {
    expect(files.map((f) => f.slice(EXAMPLES.length + 1))).to.include.members([
      "basic/ipam-rules.yaml",
      "complete/ipam-rules.yaml",
    ]);
  });

  for (const file of files) {
    it(`accepts ${file.slice(EXAMPLES.length + 1)}`, async () => {
      const [report] = await validateRulesFiles([file]);

      expect(report?.problems).to.deep.equal([]);
    });
  }
});
