/**
 * Reads a rules file and reports every problem in it at once, each at the
 * YAML node that causes it as `file:line:col: message`: the YAML itself
 * (yaml-problems.ts: syntax, dangling aliases, duplicate keys), the JSON
 * Schema (schema.ts), and what a schema cannot say (semantic.ts). locate.ts
 * finds the node of each problem; build.ts turns a valid file into rules.
 */

import { readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { RulesError, type RulesProblem } from "../errors";
import type { RulesFile } from "../types";
import { buildRules } from "./build";
import { type Data, isRecord } from "./data";
import { nestingProblem, sizeProblem } from "./limits";
import { Locator } from "./locate";
import { formatPath, type SchemaIssue, validateRulesSchema } from "./schema";
import { semanticIssues } from "./semantic";
import { duplicateKeys, unresolvedAliases, yamlErrorMessage } from "./yaml-problems";

function problemAt(
  file: string,
  locator: Locator | undefined,
  offset: number,
  path: string,
  message: string,
): RulesProblem {
  const { line, column } = locator ? locator.position(offset) : { line: 1, column: 1 };
  return { file, line, column, path, message };
}

function sortProblems(problems: RulesProblem[]): RulesProblem[] {
  // Array.prototype.sort is stable: problems at the same spot keep the order they were found in.
  return [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Parses and validates rules text. `file` is only used in messages. Returns
 * the rules with each scope's thresholds merged over the defaults and
 * `resourceMetrics` defaulted to false; throws `RulesError` listing every
 * problem, sorted by line and column.
 */
export function parseRules(rawText: string, file: string): RulesFile {
  const tooLarge = sizeProblem(Buffer.byteLength(rawText, "utf8"));
  if (tooLarge !== undefined) throw new RulesError([problemAt(file, undefined, 0, "", tooLarge)]);
  // Editors do not count a byte-order mark as a column; neither should the positions.
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  const deep = nestingProblem(text);
  if (deep !== undefined)
    throw new RulesError([{ file, line: deep.line, column: deep.column, path: "", message: deep.message }]);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, merge: true });
  const locator = new Locator(doc, text, lines);

  // A document with syntax errors is only partly understood; checking its shape would add noise.
  const syntax = doc.errors.map((error) => ({
    offset: error.pos[0],
    message: yamlErrorMessage(error.code, error.message, text, error.pos[0]),
  }));
  // The parser already reports an empty alias ("*" alone); look for dangling ones only in clean documents.
  if (syntax.length === 0) syntax.push(...unresolvedAliases(doc));
  if (syntax.length > 0) {
    throw new RulesError(sortProblems(syntax.map((s) => problemAt(file, locator, s.offset, "", s.message))));
  }
  if (doc.contents === null) {
    throw new RulesError([
      problemAt(file, undefined, 0, "", 'the rules file is empty; it needs at least "version: 1" and "scopes"'),
    ]);
  }

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    throw new RulesError([problemAt(file, undefined, 0, "", `cannot read the YAML: ${(error as Error).message}`)], {
      cause: error,
    });
  }

  const issues: SchemaIssue[] = validateRulesSchema(data, (path) => locator.sourceOf(path));
  if (isRecord(data)) issues.push(...semanticIssues(data, locator));
  const problems = [
    ...duplicateKeys(doc, locator).map((d) => problemAt(file, locator, d.offset, formatPath(d.path), d.message)),
    ...issues.map((issue) =>
      problemAt(file, locator, locator.locate(issue.path, issue.at), formatPath(issue.path), issue.message),
    ),
  ];
  if (problems.length > 0) throw new RulesError(sortProblems(problems));
  return buildRules(data as Data, file);
}

function unreadable(path: string, error: unknown): RulesError {
  const reason = error instanceof Error ? error.message : String(error);
  return new RulesError(
    [{ file: path, line: 1, column: 1, path: "", message: `cannot read the rules file: ${reason}` }],
    { cause: error },
  );
}

/** A file too large to be a rules file is refused before it is read into memory. */
function refuseLarge(path: string, size: number): void {
  const tooLarge = sizeProblem(size);
  if (tooLarge !== undefined) throw new RulesError([{ file: path, line: 1, column: 1, path: "", message: tooLarge }]);
}

/** Reads and parses a rules file; a missing or unreadable file is a `RulesError` at 1:1 naming the OS error. */
export async function loadRulesFile(path: string): Promise<RulesFile> {
  let text: string;
  try {
    refuseLarge(path, (await stat(path)).size);
    text = await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof RulesError) throw error;
    throw unreadable(path, error);
  }
  return parseRules(text, path);
}

/** Like `loadRulesFile`, for callers that cannot await (build scripts). */
export function loadRulesFileSync(path: string): RulesFile {
  let text: string;
  try {
    refuseLarge(path, statSync(path).size);
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof RulesError) throw error;
    throw unreadable(path, error);
  }
  return parseRules(text, path);
}

export interface RulesFileReport {
  file: string;
  /** Empty when the file is valid. */
  problems: RulesProblem[];
}

/** Validates several rules files for the CLI's `validate` command; reports come back in the order given. */
export async function validateRulesFiles(paths: readonly string[]): Promise<RulesFileReport[]> {
  return Promise.all(
    paths.map(async (file) => {
      try {
        await loadRulesFile(file);
        return { file, problems: [] };
      } catch (error) {
        if (error instanceof RulesError) return { file, problems: error.problems };
        throw error;
      }
    }),
  );
}
