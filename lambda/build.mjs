// @ts-check
/**
 * Builds the Lambda and the ipam-monitor command, and optionally the
 * deployment zip.
 *
 *   node build.mjs [--outdir DIR]                          bundles into DIR (default: dist/)
 *   node build.mjs --rules FILE --zip ZIP [--outdir DIR]   also validates FILE and writes ZIP
 *   node build.mjs --cli-only [--outdir DIR]               bundles the command alone (scripts/ipam-monitor)
 *
 * scripts/build and scripts/package run the second form with a fresh outdir
 * per run, so parallel builds never share files.
 */

import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { bundleCli, bundleHandler, CLI_ENTRY, CLI_OUTPUT, HANDLER_ENTRY, LAMBDA_DIR } from "./scripts/bundle.mjs";
import { makeZip } from "./scripts/zip.mjs";

/** Name of the rules file inside the zip: RULES_FILE's default in the Lambda environment. */
const ZIPPED_RULES_NAME = "rules.yaml";
const ZIPPED_HANDLER_NAME = "index.js";

class BuildError extends Error {}

/**
 * Runs the bundled command's `validate` on the rules file. Its output is shown
 * only when it fails, so a good build prints one line.
 * @param {string} cliFile
 * @param {string} rulesFile as the user gave it, so messages name their path
 */
function validateRules(cliFile, rulesFile) {
  const run = spawnSync(process.execPath, [cliFile, "validate", rulesFile], { encoding: "utf8" });
  if (run.error) throw new BuildError(`could not run the rules validator: ${run.error.message}`);
  if (run.status !== 0) {
    process.stderr.write(run.stdout);
    process.stderr.write(run.stderr);
    const how = run.status === null ? `was stopped by ${run.signal}` : `exited with status ${run.status}`;
    throw new BuildError(`${rulesFile} is not a valid rules file (the validator ${how}); no zip was written`);
  }
}

/**
 * Bundles the command into outdir/cli/ipam-monitor.js, replacing it in one rename: two commands
 * started at once from a fresh checkout may both build it, and neither may run half a file.
 * @param {string} outdir
 */
async function buildCli(outdir) {
  if (!existsSync(join(LAMBDA_DIR, CLI_ENTRY))) throw new BuildError(`${join(LAMBDA_DIR, CLI_ENTRY)} does not exist`);
  const target = join(outdir, CLI_OUTPUT);
  mkdirSync(dirname(target), { recursive: true });
  const work = mkdtempSync(join(dirname(target), ".build-"));
  try {
    renameSync(await bundleCli(work), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * @param {{ outdir: string; rules?: string; zip?: string; cliOnly: boolean }} options
 */
async function build({ outdir, rules, zip, cliOnly }) {
  if (cliOnly) {
    await buildCli(outdir);
    return;
  }
  for (const entry of [HANDLER_ENTRY, CLI_ENTRY]) {
    if (!existsSync(join(LAMBDA_DIR, entry))) throw new BuildError(`${join(LAMBDA_DIR, entry)} does not exist`);
  }
  if (rules !== undefined && !(existsSync(rules) && statSync(rules).isFile())) {
    throw new BuildError(`rules file ${rules} does not exist or is not a file`);
  }

  // The handler bundles while the command validates the rules.
  const [handlerFile] = await Promise.all([
    bundleHandler(outdir),
    bundleCli(outdir).then((cliFile) => {
      if (rules !== undefined) validateRules(cliFile, rules);
    }),
  ]);

  if (zip === undefined) return;
  const bytes = await makeZip(
    [
      { name: ZIPPED_HANDLER_NAME, data: readFileSync(handlerFile) },
      // Byte for byte: line endings and comments stay as the user wrote them.
      { name: ZIPPED_RULES_NAME, data: readFileSync(/** @type {string} */ (rules)) },
    ],
    zip,
  );
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  process.stdout.write(`wrote ${zip} (${bytes.length} bytes, sha256 ${sha256})\n`);
}

/** @param {string[]} argv */
function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      outdir: { type: "string" },
      rules: { type: "string" },
      zip: { type: "string" },
      "cli-only": { type: "boolean" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.zip !== undefined && values.rules === undefined) throw new BuildError("--zip needs --rules FILE");
  if (values.zip === undefined && values.rules !== undefined) throw new BuildError("--rules needs --zip ZIP");
  const cliOnly = values["cli-only"] === true;
  if (cliOnly && values.zip !== undefined)
    throw new BuildError("--cli-only builds no zip; leave out --rules and --zip");
  // Relative paths are the caller's, not lambda/'s: esbuild alone works from LAMBDA_DIR.
  return { outdir: resolve(values.outdir ?? join(LAMBDA_DIR, "dist")), rules: values.rules, zip: values.zip, cliOnly };
}

try {
  await build(parseOptions(process.argv.slice(2)));
} catch (error) {
  // esbuild has already printed its own located errors; say which step failed.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`build: ${message.split("\n")[0]}\n`);
  process.exitCode = 1;
}
