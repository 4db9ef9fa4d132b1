// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings hold HCL templates, not JavaScript ones.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  BEGIN,
  DocsError,
  descriptionText,
  END,
  hclValue,
  main,
  readBlocks,
  typeText,
} from "../../scripts/docs-tables.mjs";

const VARIABLES = `# Inputs
variable "zone" {
  description = "Zone, with a $\${literal} template"
  type        = string
  default     = "a"
}

variable "alpha" {
  description = <<-EOT
    Spread over
    two lines.
  EOT
  type = object({
    # which one
    name = optional(string, "x#y") // the name
  })
  validation {
    condition     = true
    error_message = "Never."
  }
}
`;

const OUTPUTS = `output "id" {
  description = "The id | with a pipe."
  value       = "x"
}
`;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("scripts/docs-tables (lambda/scripts/docs-tables.mjs)", function () {
  // The HCL parser is WebAssembly, compiled on first use.
  this.timeout(60_000);

  describe("readBlocks", () => {
    it("returns the blocks in file order, with their attributes", async () => {
      const blocks = await readBlocks(VARIABLES, "variables.tf", "variable");

      expect(blocks.map((b) => b.name)).to.deep.equal(["zone", "alpha"]);
      expect(blocks[0]?.attributes.default).to.equal("a");
    });

    it("refuses HCL that Terraform refuses, naming the file and line", async () => {
      const error = await rejection(readBlocks('variable "x" {\n  description = "open\n}\n', "bad.tf", "variable"));

      expect(error).to.be.instanceOf(DocsError);
      expect(error.message).to.include("bad.tf:2");
    });
  });

  describe("rendering", () => {
    it("writes default values back in HCL syntax", () => {
      expect(["ipam", 4, 0.5, false, null, [], {}, ["private", "public"]].map(hclValue)).to.deep.equal([
        '"ipam"',
        "4",
        "0.5",
        "false",
        "null",
        "[]",
        "{}",
        '["private", "public"]',
      ]);
      expect(hclValue({ name: "n", "odd key": [1, 2] })).to.equal('{ name = "n", "odd key" = [1, 2] }');
    });

    it("shows a type on one line without its comments, keeping a # inside a string", () => {
      expect(typeText("${list(string)}")).to.equal("list(string)");
      expect(typeText('${object({\n  # which one\n  name = optional(string, "x#y") // the name\n})}')).to.equal(
        'object({ name = optional(string, "x#y") })',
      );
      expect(typeText(undefined)).to.equal("any");
    });

    it("undoes template escapes in a description and refuses one that is an expression", () => {
      expect(descriptionText("Pass $${path.root} or %%{x}", "here")).to.equal("Pass ${path.root} or %{x}");
      expect(() => descriptionText("${var.text}", 'variables.tf: variable "x"')).to.throw(
        DocsError,
        'variables.tf: variable "x": description must be a string literal or a heredoc',
      );
    });
  });

  describe("main", () => {
    let root: string;
    let out: string;
    let err: string;
    const io = () => ({
      root,
      out: {
        write: (text: string) => {
          out += text;
        },
      },
      err: {
        write: (text: string) => {
          err += text;
        },
      },
    });

    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), "ipam-monitor-docs-tables-"));
      writeFileSync(join(root, "variables.tf"), VARIABLES);
      writeFileSync(join(root, "outputs.tf"), OUTPUTS);
      out = "";
      err = "";
    });

    afterEach(() => {
      rmSync(root, { recursive: true, force: true });
    });

    it("prints the tables: file order, descriptions on one line, pipes escaped", async () => {
      expect(await main([], io())).to.equal(0);

      expect(out).to.equal(
        [
          "### Inputs",
          "",
          "| Name | Description | Type | Default | Required |",
          "|------|-------------|------|---------|:--------:|",
          '| `zone` | Zone, with a ${literal} template | `string` | `"a"` | no |',
          '| `alpha` | Spread over two lines. | `object({ name = optional(string, "x#y") })` | n/a | yes |',
          "",
          "### Outputs",
          "",
          "| Name | Description |",
          "|------|-------------|",
          "| `id` | The id \\| with a pipe. |",
          "",
        ].join("\n"),
      );
    });

    it("writes the tables between the markers, and --check then passes", async () => {
      const doc = join(root, "README.md");
      writeFileSync(doc, `# Module\n\n${BEGIN}\nold\n${END}\n\nMore.\n`);

      expect(await main(["--write", doc], io())).to.equal(0);
      expect(await main(["--check", doc], io())).to.equal(0);

      const text = readFileSync(doc, "utf8");
      expect(text.startsWith(`# Module\n\n${BEGIN}\n### Inputs\n`)).to.equal(true);
      expect(text.endsWith(`${END}\n\nMore.\n`)).to.equal(true);
    });

    it("fails --check at the first table line that differs, and says how to fix it", async () => {
      const doc = join(root, "README.md");
      writeFileSync(doc, `${BEGIN}\n### Inputs\n\n| stale |\n${END}\n`);

      expect(await main(["--check", doc], io())).to.equal(1);

      expect(err).to.include("at table line 3").and.to.include(`Run scripts/docs-tables --write ${doc}`);
    });

    it("fails --check when the document has no markers", async () => {
      const doc = join(root, "README.md");
      writeFileSync(doc, "# Module\n");

      expect(await main(["--check", doc], io())).to.equal(1);

      expect(err).to.equal(`docs-tables: ${doc}: needs ${BEGIN} and, after it, ${END} around the tables\n`);
    });

    it("exits 2 with the usage for unknown arguments", async () => {
      expect(await main(["--frobnicate"], io())).to.equal(2);

      expect(err).to.equal("usage: scripts/docs-tables [--module DIR] [--check FILE | --write FILE]\n");
    });

    it("reads the module in the directory --module names, relative to the repository", async () => {
      const module = join(root, "modules", "member");
      mkdirSync(module, { recursive: true });
      writeFileSync(join(module, "variables.tf"), 'variable "role" {\n  description = "Role."\n  type = string\n}\n');
      writeFileSync(join(module, "outputs.tf"), OUTPUTS);

      expect(await main(["--module", "modules/member"], io())).to.equal(0);

      expect(out).to.include("| `role` | Role. | `string` | n/a | yes |");
    });
  });
});
