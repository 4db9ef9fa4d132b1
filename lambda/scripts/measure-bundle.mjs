// @ts-check
/**
 * Measures the handler bundle in the variants docs/bundle.md compares: size,
 * deflated size, and cold import time (median of fresh `node` processes that
 * each require index.js once, which is what a Lambda cold start does).
 *
 *   node scripts/measure-bundle.mjs [--runs N]
 *
 * The "SDK external" variant resolves @aws-sdk/* from lambda/node_modules,
 * standing in for the copy the nodejs22.x runtime ships.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deflateRawSync } from "node:zlib";
import * as esbuild from "esbuild";
import { handlerOptions, LAMBDA_DIR } from "./bundle.mjs";
import { DEFLATE_LEVEL } from "./zip.mjs";

/** @type {[string, import("esbuild").BuildOptions][]} */
const VARIANTS = [
  ["SDK bundled, ES modules (chosen)", {}],
  ["SDK bundled, ES modules, minified", { minify: true }],
  ["SDK bundled, CommonJS builds", { mainFields: ["main", "module"] }],
  ["SDK bundled, CommonJS builds, minified", { mainFields: ["main", "module"], minify: true }],
  ["SDK external (runtime's copy)", { external: ["@aws-sdk/*"] }],
  ["SDK external, minified", { external: ["@aws-sdk/*"], minify: true }],
];

const { values } = parseArgs({ options: { runs: { type: "string", default: "9" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs "${values.runs}" is not a positive whole number`);

/** @param {number[]} list */
const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? /** @type {number} */ (sorted[middle])
    : /** @type {number} */ (sorted[middle - 1] + /** @type {number} */ (sorted[middle])) / 2;
};

const work = mkdtempSync(join(tmpdir(), "ipam-monitor-measure-"));
try {
  /** @type {{ name: string; file: string; times: number[] }[]} */
  const built = [];
  for (const [index, [name, overrides]] of VARIANTS.entries()) {
    const options = {
      ...handlerOptions(join(work, String(index))),
      ...overrides,
      logLevel: /** @type {const} */ ("error"),
    };
    await esbuild.build(options);
    built.push({ name, file: /** @type {string} */ (options.outfile), times: [] });
  }
  // Rounds interleave the variants so a busy moment on the machine hits them all alike.
  for (let round = 0; round < runs; round++) {
    for (const variant of built) {
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(variant.file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      const out = execFileSync(process.execPath, ["--no-warnings", "-e", script], {
        env: { ...process.env, NODE_PATH: join(LAMBDA_DIR, "node_modules") },
      });
      variant.times.push(Number(out.toString()));
    }
  }
  console.log(`node ${process.version}, ${runs} cold imports each`);
  console.log("| variant | index.js | deflated | median cold import |");
  console.log("|---|---:|---:|---:|");
  for (const { name, file, times } of built) {
    const size = statSync(file).size;
    const deflated = deflateRawSync(readFileSync(file), { level: DEFLATE_LEVEL }).length;
    const kib = (/** @type {number} */ bytes) => `${Math.round(bytes / 1024)} KiB`;
    console.log(`| ${name} | ${kib(size)} | ${kib(deflated)} | ${Math.round(median(times))} ms |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
