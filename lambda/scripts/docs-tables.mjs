// @ts-check
/**
 * The Markdown input and output tables of the module, generated from variables.tf and outputs.tf
 * (scripts/docs-tables is the command). The HCL is read by @cdktf/hcl2json, HashiCorp's HCL parser
 * compiled to WebAssembly, so anything Terraform accepts is read as Terraform reads it, and
 * anything it refuses is refused with Terraform's own message and position.
 *
 * The tables sit in a document between the markers <!-- BEGIN_TF_DOCS --> and <!-- END_TF_DOCS -->.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "@cdktf/hcl2json";

export const BEGIN = "<!-- BEGIN_TF_DOCS -->";
export const END = "<!-- END_TF_DOCS -->";

/** A problem with the inputs (HCL, markers, a missing file) that the command reports in one line. */
export class DocsError extends Error {}

/**
 * @typedef {{ name: string; attributes: Record<string, unknown> }} Block
 * @typedef {{ write(text: string): void }} Sink
 */

/**
 * Every top-level block of `type` (variable, output) in file order. The parser hands blocks back
 * keyed by name in sorted order, so the order is taken from the block headers in the text.
 * @param {string} text
 * @param {string} file
 * @param {string} type
 * @returns {Promise<Block[]>}
 */
export async function readBlocks(text, file, type) {
  /** @type {Record<string, unknown>} */
  let parsed;
  try {
    parsed = await parse(file, text);
  } catch (error) {
    throw new DocsError(error instanceof Error ? error.message : String(error));
  }
  const byName = /** @type {Record<string, Record<string, unknown>[]>} */ (parsed[type] ?? {});
  const headers = new RegExp(`^[ \\t]*${type}[ \\t]+"([^"\\\\]+)"`, "gm");
  const order = [...text.matchAll(headers)].map((match) => /** @type {string} */ (match[1]));
  const names = Object.keys(byName);
  if (order.length !== names.length || !names.every((name) => order.includes(name))) {
    throw new DocsError(
      `${file}: the ${type} blocks could not be put in file order; write each header as ${type} "name" {`,
    );
  }
  return order.map((name) => {
    const blocks = /** @type {Record<string, unknown>[]} */ (byName[name]);
    if (blocks.length > 1) throw new DocsError(`${file}: ${type} "${name}" is declared ${blocks.length} times`);
    return { name, attributes: /** @type {Record<string, unknown>} */ (blocks[0]) };
  });
}

/**
 * The parser writes an expression as "${…}" and keeps a literal "${" escaped as "$${".
 * @param {string} text
 */
function isExpression(text) {
  return /(^|[^$])\$\{|(^|[^%])%\{/.test(text);
}

/**
 * A description's text: a string literal or a heredoc, with template escapes undone.
 * @param {unknown} value
 * @param {string} where
 */
export function descriptionText(value, where) {
  if (value === undefined) return "";
  if (typeof value !== "string" || isExpression(value)) {
    throw new DocsError(`${where}: description must be a string literal or a heredoc`);
  }
  return value.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/**
 * An expression's source text without its comments, on one line.
 * @param {string} text
 */
function withoutComments(text) {
  // Strings first, so that "#" or "//" inside one is not taken for a comment.
  return text
    .replace(/"(?:[^"\\]|\\.)*"|#[^\n]*|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (token) => (token.startsWith('"') ? token : " "))
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * A type constraint as written ("${list(string)}" from the parser), on one line.
 * @param {unknown} value
 */
export function typeText(value) {
  if (typeof value !== "string") return "any";
  const match = /^\$\{([\s\S]*)\}$/.exec(value);
  return withoutComments(match ? /** @type {string} */ (match[1]) : value);
}

/**
 * A default value in HCL syntax. The parser evaluates literals, so the value is written back:
 * strings quoted, lists as [a, b], objects as { key = value } (keys in the parser's order).
 * @param {unknown} value
 * @returns {string}
 */
export function hclValue(value) {
  if (value === null) return "null";
  if (typeof value === "string") {
    const expression = /^\$\{([\s\S]*)\}$/.exec(value);
    if (expression && !isExpression(/** @type {string} */ (expression[1])))
      return withoutComments(/** @type {string} */ (expression[1]));
    return JSON.stringify(value);
  }
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map(hclValue).join(", ")}]`;
  const entries = Object.entries(/** @type {Record<string, unknown>} */ (value));
  if (entries.length === 0) return "{}";
  const key = (/** @type {string} */ name) => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? name : JSON.stringify(name));
  return `{ ${entries.map(([name, item]) => `${key(name)} = ${hclValue(item)}`).join(", ")} }`;
}

/**
 * A Markdown table cell: one line, pipes escaped.
 * @param {string} text
 */
function cell(text) {
  return text
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|")
    .trim();
}

/**
 * Inline code that survives backticks inside the value.
 * @param {string} text
 */
function code(text) {
  const fence = text.includes("`") ? "``" : "`";
  const pad = fence.length > 1 ? " " : "";
  return cell(`${fence}${pad}${text}${pad}${fence}`);
}

/**
 * @param {Block[]} variables
 * @returns {string[]}
 */
function inputsTable(variables) {
  const rows = variables.map(({ name, attributes }) => {
    const description = descriptionText(attributes.description, `variables.tf: variable "${name}"`);
    const required = !Object.hasOwn(attributes, "default");
    const def = required ? "n/a" : code(hclValue(attributes.default));
    return `| \`${name}\` | ${cell(description)} | ${code(typeText(attributes.type))} | ${def} | ${required ? "yes" : "no"} |`;
  });
  return [
    "| Name | Description | Type | Default | Required |",
    "|------|-------------|------|---------|:--------:|",
    ...rows,
  ];
}

/**
 * @param {Block[]} outputs
 * @returns {string[]}
 */
function outputsTable(outputs) {
  const rows = outputs.map(({ name, attributes }) => {
    const description = descriptionText(attributes.description, `outputs.tf: output "${name}"`);
    return `| \`${name}\` | ${cell(description)} |`;
  });
  return ["| Name | Description |", "|------|-------------|", ...rows];
}

/**
 * The tables of the module in `root`, as Markdown.
 * @param {string} root
 */
export async function generate(root) {
  const read = (/** @type {string} */ file, /** @type {string} */ type) =>
    readBlocks(readFileSync(join(root, file), "utf8"), file, type);
  const [variables, outputs] = await Promise.all([read("variables.tf", "variable"), read("outputs.tf", "output")]);
  return ["### Inputs", "", ...inputsTable(variables), "", "### Outputs", "", ...outputsTable(outputs)].join("\n");
}

/**
 * Splits a document at the markers: { before, inside, after }.
 * @param {string} text
 * @param {string} file
 */
export function splitAtMarkers(text, file) {
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin === -1 || end === -1 || end < begin) {
    throw new DocsError(`${file}: needs ${BEGIN} and, after it, ${END} around the tables`);
  }
  return {
    before: text.slice(0, begin + BEGIN.length),
    inside: text.slice(begin + BEGIN.length, end),
    after: text.slice(end),
  };
}

/**
 * 0 when the tables in `file` are the generated ones, else 1 with the first difference on `err`.
 * @param {string} root
 * @param {string} file
 * @param {{ out: Sink; err: Sink }} io
 */
async function check(root, file, io) {
  const { inside } = splitAtMarkers(readFileSync(file, "utf8"), file);
  const expected = (await generate(root)).split("\n");
  const actual = inside.replace(/\r\n/g, "\n").trim().split("\n");
  const length = Math.max(expected.length, actual.length);
  for (let i = 0; i < length; i++) {
    if ((actual[i] ?? "").trimEnd() !== (expected[i] ?? "").trimEnd()) {
      io.err.write(
        `${file}: the tables differ from variables.tf and outputs.tf at table line ${i + 1}:\n` +
          `  in ${file}:  ${actual[i] ?? "(missing)"}\n` +
          `  generated:   ${expected[i] ?? "(nothing)"}\n` +
          `Run scripts/docs-tables --write ${file} to update them.\n`,
      );
      return 1;
    }
  }
  io.out.write(`${file}: tables match variables.tf and outputs.tf\n`);
  return 0;
}

/**
 * @param {string} root
 * @param {string} file
 * @param {{ out: Sink }} io
 */
async function write(root, file, io) {
  const parts = splitAtMarkers(readFileSync(file, "utf8"), file);
  writeFileSync(file, `${parts.before}\n${await generate(root)}\n${parts.after}`);
  io.out.write(`${file}: tables written\n`);
  return 0;
}

/**
 * @param {unknown} error
 * @returns {error is Error}
 */
function isInputProblem(error) {
  return error instanceof DocsError || (error instanceof Error && "code" in error && error.code === "ENOENT");
}

/**
 * Runs the command; resolves to its exit code.
 *   (no arguments)   print the tables
 *   --check FILE     exit 1 when the tables between the markers in FILE differ (or FILE has no markers)
 *   --write FILE     replace the tables between the markers in FILE
 *   --module DIR …   the same for the module in DIR, relative to the repository (e.g. modules/member-role)
 * @param {string[]} args
 * @param {{ root: string; out: Sink; err: Sink }} repository
 */
export async function main(args, repository) {
  const usage = "usage: scripts/docs-tables [--module DIR] [--check FILE | --write FILE]\n";
  let argv = args;
  let io = repository;
  if (argv[0] === "--module" && argv.length >= 2) {
    io = { ...repository, root: resolve(repository.root, /** @type {string} */ (argv[1])) };
    argv = argv.slice(2);
  }
  try {
    if (argv.length === 0) {
      io.out.write(`${await generate(io.root)}\n`);
      return 0;
    }
    if (argv[0] === "-h" || argv[0] === "--help") {
      io.out.write(usage);
      return 0;
    }
    const file = /** @type {string} */ (argv[1]);
    if (argv.length === 2 && argv[0] === "--check") {
      // Any reason the tables cannot be confirmed (no markers, no file) fails the check the same way.
      try {
        return await check(io.root, file, io);
      } catch (error) {
        if (!isInputProblem(error)) throw error;
        io.err.write(`docs-tables: ${error.message}\n`);
        return 1;
      }
    }
    if (argv.length === 2 && argv[0] === "--write") return await write(io.root, file, io);
    io.err.write(usage);
    return 2;
  } catch (error) {
    if (!isInputProblem(error)) throw error;
    io.err.write(`docs-tables: ${error.message}\n`);
    return 2;
  }
}

// Run as a command (scripts/docs-tables), the module's root is two directories up.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
  main(process.argv.slice(2), { root, out: process.stdout, err: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}
