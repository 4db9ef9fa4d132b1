// @ts-check
/**
 * Runs the built Lambda handler once in this fresh process, as a cold Lambda
 * container would, and prints what scripts/bench measures as one JSON line on
 * file descriptor 3 (stdout carries the handler's own log lines):
 *
 *   node run-handler.cjs HANDLER_JS scan     import, then one invocation
 *   node run-handler.cjs HANDLER_JS import   import only: the cold-start figure
 *
 * The handler reads its settings from the environment (RULES_FILE, DRY_RUN,
 * AWS_ENDPOINT_URL, …) exactly as in Lambda.
 */
"use strict";

const { writeSync } = require("node:fs");
const { resolve } = require("node:path");

const REPORT_FD = 3;

/** @param {bigint} since */
const elapsedMs = (since) => Number(process.hrtime.bigint() - since) / 1e6;

/** @param {{ scopes?: Array<Record<string, unknown>> }} result */
function capacityOf(result) {
  const scope = (result.scopes ?? []).find((s) => s.capacity === true);
  if (scope === undefined) return undefined;
  const { name, counts, minFreePrefixes, minAssignableAddresses, minZoneFreeAddresses } = scope;
  return { name, counts, minFreePrefixes, minAssignableAddresses, minZoneFreeAddresses };
}

async function main() {
  const [file, mode] = process.argv.slice(2);
  if (file === undefined || (mode !== "scan" && mode !== "import")) {
    throw new Error("usage: node run-handler.cjs HANDLER_JS scan|import");
  }
  const importStarted = process.hrtime.bigint();
  const module = require(resolve(file));
  const importMs = elapsedMs(importStarted);
  if (mode === "import") return { importMs };

  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await module.handler({});
  const handlerMs = elapsedMs(started);
  const used = process.cpuUsage(cpu);
  return {
    importMs,
    handlerMs,
    // CPU of every thread (GC helpers included): what a Lambda's share of a vCPU has to deliver.
    cpuMs: (used.user + used.system) / 1000,
    // ru_maxrss: the peak resident set of this whole process, runtime and SDK included.
    maxRssKb: process.resourceUsage().maxRSS,
    complete: result.complete,
    summary: result.summary,
    scopesWithoutMatches: result.scopesWithoutMatches,
    published: result.published ?? null,
    // The capacity benchmark (capacity.mjs): the figures of the first scope that measures capacity.
    capacity: capacityOf(result),
    resultBytes: Buffer.byteLength(JSON.stringify(result)),
  };
}

main().then(
  (report) => writeSync(REPORT_FD, `${JSON.stringify(report)}\n`),
  (err) => {
    process.stderr.write(`run-handler: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
