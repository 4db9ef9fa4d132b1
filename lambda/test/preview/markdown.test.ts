import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import { comparePreview, type PreviewChangeJson, type PreviewJson, previewFailures } from "../../src/preview/compare";
import { formatPreviewMarkdown, MARKDOWN_CHANGES_LIMIT, PREVIEW_MARKER } from "../../src/preview/markdown";
import { parseRules } from "../../src/rules/load";
import { inventory } from "./inventory";

const FIXTURES = join(__dirname, "..", "fixtures", "preview");

function fixturePreview(): PreviewJson {
  const base = parseRules(readFileSync(join(FIXTURES, "base.yaml"), "utf8"), "base.yaml");
  const head = parseRules(readFileSync(join(FIXTURES, "head.yaml"), "utf8"), "head.yaml");
  const resources = inventory();
  return comparePreview(
    { file: base.file, scopes: base.scopes, evaluation: evaluate(resources, base) },
    { file: head.file, scopes: head.scopes, evaluation: evaluate(resources, head) },
    {
      source: "history",
      location: "s3://ipam-history/",
      scannedAt: "2026-12-01T12:00:00.000Z",
      resources: 6,
      complete: true,
    },
  );
}

describe("preview/markdown", () => {
  it("writes the comment a reviewer reads (fixtures/preview/expected.md)", () => {
    const preview = fixturePreview();

    const markdown = formatPreviewMarkdown(preview, previewFailures(preview, ["new-critical"]));

    expect(markdown).to.equal(readFileSync(join(FIXTURES, "expected.md"), "utf8"));
  });

  it("starts with the marker a workflow finds its own comment by", () => {
    expect(formatPreviewMarkdown(fixturePreview()).split("\n")[0]).to.equal(PREVIEW_MARKER);
  });

  it("lists the first 50 changes and says how many more the JSON has", () => {
    const preview = fixturePreview();
    const one = preview.changes[0]!;
    const many: PreviewChangeJson[] = Array.from({ length: 120 }, (_, i) => ({ ...one, resourceId: `subnet-${i}` }));

    const markdown = formatPreviewMarkdown({ ...preview, changes: many });

    expect(markdown.split("\n").filter((line) => line.startsWith("| `subnet-"))).to.have.length(MARKDOWN_CHANGES_LIMIT);
    expect(markdown).to.contain("… and 70 more changes: `ipam-monitor preview --format json` lists all.");
  });

  it("keeps names with pipes and angle brackets from breaking the table", () => {
    const preview = fixturePreview();
    const change = { ...preview.changes[0]!, name: "a|b <script>" };

    expect(formatPreviewMarkdown({ ...preview, changes: [change] })).to.contain("a\\|b &lt;script&gt;");
  });

  it("says so when nothing changes", () => {
    const preview = fixturePreview();
    const quiet: PreviewJson = {
      ...preview,
      changes: [],
      scopes: preview.scopes.map((s) => ({ ...s, change: "unchanged" as const })),
      scopesAdded: [],
      scopesRemoved: [],
      scopesRenamed: [],
      noMatch: [],
      coverage: { newlyUncovered: [], newlyCovered: [] },
      summary: { changes: 0, newCritical: 0, newWarning: 0, improved: 0, newlyUncovered: 0, newlyCovered: 0 },
    };

    const markdown = formatPreviewMarkdown(quiet);

    expect(markdown).to.contain("No change to any alarm, status or coverage.");
    expect(markdown).to.contain("No scope changes status, counts or alarms.");
    expect(markdown).to.contain("No resource changes status in any scope.");
  });
});
