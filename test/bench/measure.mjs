// @ts-check
/**
 * How the benchmarks measure: each measurement runs in a fresh Node.js process (nothing warm from
 * the one before), with a clean environment, and reads back the JSON line the measured process
 * writes on file descriptor 3 — run-handler.cjs reports import and handler time, the CPU time of
 * every thread and the peak RSS (ru_maxrss) of the whole process.
 */

import { spawn, spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const LAMBDA = resolve(HERE, "..", "..", "lambda");

/**
 * The V8 limits Lambda's Node.js bootstrap derives from a 512 MB function's memory
 * (new space = memory / 10, half of it per semi space; old space = memory − new space):
 * a measurement under them shows the work fits the function it will run in.
 */
export const LAMBDA_MEMORY_MB = 512;
export const LAMBDA_V8_FLAGS = [
  `--max-semi-space-size=${Math.floor(LAMBDA_MEMORY_MB / 20)}`,
  `--max-old-space-size=${LAMBDA_MEMORY_MB - Math.floor(LAMBDA_MEMORY_MB / 10)}`,
];

/**
 * @typedef {{ code: number | null; stdout: string; stderr: string; report: string; wallMs: number }} NodeRun
 */

/**
 * Runs node with `args` and collects its output; `report` is what it wrote on fd 3.
 * @param {string[]} args node arguments
 * @param {Record<string, string>} env
 * @returns {Promise<NodeRun>}
 */
export function runNode(args, env) {
  return new Promise((resolvePromise, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ["--no-warnings", ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let report = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    /** @type {import("node:stream").Readable} */ (child.stdio[3]).on("data", (chunk) => (report += chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolvePromise({ code, stdout, stderr, report, wallMs: Number(process.hrtime.bigint() - started) / 1e6 }),
    );
  });
}

/**
 * The error for a measured process that did not exit cleanly: its stderr and the end of its stdout.
 * @param {string} what
 * @param {{ code: number | null; stdout: string; stderr: string }} run
 */
export function failed(what, run) {
  return new Error(`${what} exited with status ${run.code}\n${run.stderr}${run.stdout.slice(-4000)}`);
}

/**
 * A clean environment: no credentials, profile or NODE_OPTIONS of the caller's shell, only the
 * benchmark's fake credentials and `extra`.
 * @param {Record<string, string>} extra
 * @returns {Record<string, string>}
 */
export function cleanEnv(extra) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG", "SYSTEMROOT"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: "AKIDBENCHMARK",
    AWS_SECRET_ACCESS_KEY: "benchmark",
    AWS_EC2_METADATA_DISABLED: "true",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

/**
 * The built handler, once, in a fresh process (run-handler.cjs): "import" only, or "scan" (import
 * and one invocation). Returns what the process measured, and `processMs`, the wall time of the
 * whole process; throws, naming `what`, when it fails.
 * @param {string} handler the built index.js
 * @param {"scan" | "import"} mode
 * @param {Record<string, string>} env
 * @param {{ what: string; nodeFlags?: string[] }} options
 * @returns {Promise<any>}
 */
export async function runHandler(handler, mode, env, { what, nodeFlags = [] }) {
  const run = await runNode([...nodeFlags, join(HERE, "run-handler.cjs"), handler, mode], env);
  if (run.code !== 0) throw failed(what, run);
  return { ...JSON.parse(run.report), processMs: run.wallMs };
}

/**
 * Builds the handler and the command with lambda/build.mjs (which also validates the rules and
 * writes the deployment zip) into `work`; returns the handler's index.js.
 * @param {string} work
 * @param {string} rulesFile
 * @param {string} [zip]
 */
export function buildHandler(work, rulesFile, zip = join(work, "ipam-monitor.zip")) {
  const outdir = join(work, "build");
  const run = spawnSync(
    process.execPath,
    [join(LAMBDA, "build.mjs"), "--outdir", outdir, "--rules", rulesFile, "--zip", zip],
    { encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(`lambda/build.mjs failed:\n${run.stdout}${run.stderr}`);
  const handler = join(outdir, "lambda", "index.js");
  statSync(handler);
  return handler;
}

/**
 * Bundles a probe under test/bench with the handler's esbuild settings, so what it measures is
 * built the way the function is.
 * @param {string} entry the probe's source, e.g. join(HERE, "probe.ts")
 * @param {string} outfile
 * @returns {Promise<string>} outfile
 */
export async function buildProbe(entry, outfile) {
  const { handlerOptions } = await import(join(LAMBDA, "scripts", "bundle.mjs"));
  const esbuild = createRequire(join(LAMBDA, "package.json"))("esbuild");
  await esbuild.build({
    ...handlerOptions(dirname(outfile)),
    entryPoints: [entry],
    outfile,
    // The probes live outside lambda/; their SDK imports resolve from lambda/node_modules like the handler's.
    nodePaths: [join(LAMBDA, "node_modules")],
    logLevel: "error",
  });
  return outfile;
}
