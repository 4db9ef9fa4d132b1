// @ts-check
/**
 * esbuild settings for the two programs built from src/: the Lambda handler
 * and the ipam-monitor command. docs/bundle.md explains each choice with the
 * measurements behind it.
 */

import { chmodSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

/** The lambda/ package directory: every path in the bundles is relative to it, whatever the caller's cwd. */
export const LAMBDA_DIR = fileURLToPath(new URL("..", import.meta.url));

export const HANDLER_ENTRY = "src/handler.ts";
/** Runs cli.ts's `main(argv)` and sets the exit code; cli.ts itself has no side effects. */
export const CLI_ENTRY = "src/bin/ipam-monitor.ts";
/** The file Lambda loads; `Handler = index.handler` names it. */
export const HANDLER_OUTPUT = "lambda/index.js";
export const CLI_OUTPUT = "cli/ipam-monitor.js";

/** @type {import("esbuild").BuildOptions} */
const COMMON = {
  absWorkingDir: LAMBDA_DIR,
  bundle: true,
  platform: "node",
  format: "cjs",
  // The AWS SDK publishes ES modules next to CommonJS; only the ES modules let
  // esbuild drop the hundreds of EC2 commands we never send. That halves the
  // bundle and the cold import time (docs/bundle.md).
  mainFields: ["module", "main"],
  // Kept readable: stack traces in CloudWatch Logs name real functions without
  // source maps, and minifying saved no measurable import time.
  minify: false,
  sourcemap: false,
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
  // No write-time metadata reaches the output, so equal sources give equal bytes.
  write: true,
};

/**
 * esbuild options for the Lambda handler.
 * @param {string} outdir absolute directory the bundle goes to
 * @returns {import("esbuild").BuildOptions}
 */
export function handlerOptions(outdir) {
  return {
    ...COMMON,
    entryPoints: [HANDLER_ENTRY],
    outfile: join(outdir, HANDLER_OUTPUT),
    // The nodejs22.x runtime; its own AWS SDK is not used (docs/bundle.md).
    target: "node22",
  };
}

/**
 * esbuild options for the ipam-monitor command.
 * @param {string} outdir absolute directory the bundle goes to
 * @returns {import("esbuild").BuildOptions}
 */
export function cliOptions(outdir) {
  return {
    ...COMMON,
    entryPoints: [CLI_ENTRY],
    outfile: join(outdir, CLI_OUTPUT),
    // The oldest Node the package supports (package.json engines), not Lambda's.
    target: "node20",
    banner: { js: "#!/usr/bin/env node" },
  };
}

/**
 * Bundles the handler into outdir/lambda/index.js.
 * @param {string} outdir
 * @returns {Promise<string>} the path written
 */
export async function bundleHandler(outdir) {
  const options = handlerOptions(outdir);
  await esbuild.build(options);
  return /** @type {string} */ (options.outfile);
}

/**
 * Bundles the command into outdir/cli/ipam-monitor.js, executable.
 * @param {string} outdir
 * @returns {Promise<string>} the path written
 */
export async function bundleCli(outdir) {
  const options = cliOptions(outdir);
  await esbuild.build(options);
  const file = /** @type {string} */ (options.outfile);
  chmodSync(file, 0o755);
  return file;
}
