import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";

const ROOT = join(__dirname, "..", "..");

/** The rows of the README's "Failure semantics" table, each as its cells. */
function failureRows(): string[][] {
  const text = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = text.indexOf("\n## Failure semantics\n");
  if (start < 0) throw new Error('README.md has no "## Failure semantics" section');
  const end = text.indexOf("\n## ", start + 1);
  const lines = text.slice(start, end < 0 ? undefined : end).split("\n");
  return lines
    .filter((line) => line.startsWith("| ") && !line.startsWith("| fault |"))
    .map((line) => line.slice(2, -2).split(" | "));
}

/** Test files anywhere under test/ and lambda/test/, by name. */
function testFilesByName(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(path);
      } else {
        found.set(entry.name, [...(found.get(entry.name) ?? []), path]);
      }
    }
  };
  walk("test");
  walk("lambda/test");
  return found;
}

/** A file a row names: a path from the repository root, or a bare name in test/faults/ (or unique elsewhere). */
function resolve(name: string, byName: Map<string, string[]>): string | undefined {
  if (name.includes("/")) return existsSync(join(ROOT, name)) ? name : undefined;
  if (existsSync(join(ROOT, "test", "faults", name))) return `test/faults/${name}`;
  const elsewhere = byName.get(name) ?? [];
  return elsewhere.length === 1 ? elsewhere[0] : undefined;
}

describe("README failure semantics table", () => {
  it("names, in every row, a test that exists", () => {
    const rows = failureRows();
    const byName = testFilesByName();
    expect(rows.length).to.be.at.least(10);

    for (const cells of rows) {
      const named = [...(cells.at(-1) ?? "").matchAll(/`([^`]+\.(?:test\.ts|tftest\.hcl|py|sh))`/g)].map((m) => m[1]!);
      expect(named, `the row "${cells[0]}" names no test file`).to.not.be.empty;
      for (const name of named) {
        expect(resolve(name, byName), `the row "${cells[0]}" names ${name}, which does not exist`).to.be.a("string");
      }
    }
  });
});
