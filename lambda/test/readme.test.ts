import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { parseRules } from "../src/rules/load";

const README = join(__dirname, "..", "..", "README.md");

/** The YAML blocks of one README section, as a user would copy them. */
function yamlBlocksOf(section: string): string[] {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf(`\n## ${section}\n`);
  if (start < 0) throw new Error(`README.md has no "## ${section}" section`);
  const end = text.indexOf("\n## ", start + 1);
  const body = text.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

describe("README", () => {
  it("shows a rules file sample that the validator accepts", () => {
    const [sample] = yamlBlocksOf("The rules file");

    const rules = parseRules(sample ?? "", "README.md");

    expect(rules.scopes.map((s) => s.name)).to.deep.equal([
      "prod-subnets",
      "eks-vpcs",
      "public-pools",
      "idle-elastic-ips",
    ]);
  });
});
