// @ts-check
/**
 * The history benchmark: what keeping a scan history and forecasting from it costs one scan.
 *
 *   scripts/bench --history [--sizes 100000] [--days 30] [--repeat 3] [--out FILE]
 *   scripts/bench --history --smoke      N = 2,000, 10 days, 1 run: checks that it works, in seconds
 *
 * For each N it writes DAYS − 1 days of history of N subnets (a local directory: the cost measured is
 * the scanner's, not the network's), then runs history-probe.js forecast in fresh processes under the
 * V8 heap limits Lambda's Node.js bootstrap derives from a 512 MB function: read the window (every
 * day of it), forecast every subnet, evaluate, fold the scan into today's object. It reports the CPU
 * of those steps (user + system, every thread, GC included: process.cpuUsage) and the process's peak
 * RSS, and checks the targets: under 10 s of CPU and within 512 MB at N = 100,000 over 30 days.
 * Results go to docs/bench-history.json (with --smoke, a temporary file).
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, freemem, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { buildProbe, cleanEnv, LAMBDA_V8_FLAGS, runNode } from "./measure.mjs";
import { spread } from "./summary.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, "..", "..");
const TARGETS = { n: 100_000, days: 30, cpuMs: 10_000, maxRssMb: 512 };
const SMOKE = { sizes: [2000], days: 10, repeat: 1 };

/** @param {string} message */
function usage(message) {
  process.stderr.write(
    `${message ? `bench --history: ${message}\n` : ""}Usage: scripts/bench --history [--sizes N,…] [--days D] [--repeat R] [--out FILE] | --smoke\n`,
  );
  process.exit(2);
}

async function main() {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string" },
      days: { type: "string" },
      repeat: { type: "string" },
      out: { type: "string" },
      smoke: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) usage("");
  if (values.smoke && (values.sizes || values.days || values.repeat))
    usage("--smoke sets its own sizes, days and repeat");
  const sizes = values.smoke ? SMOKE.sizes : (values.sizes ?? String(TARGETS.n)).split(",").map(Number);
  const days = values.smoke ? SMOKE.days : Number(values.days ?? TARGETS.days);
  const repeat = values.smoke ? SMOKE.repeat : Number(values.repeat ?? 3);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(days) || days < 8 || !(repeat >= 1)) {
    usage("--sizes must be whole numbers, --days at least 8, --repeat at least 1");
  }

  const work = mkdtempSync(join(tmpdir(), "ipam-monitor-bench-history-"));
  const checks = { passed: 0, failed: 0 };
  /** @type {(name: string, ok: boolean, detail?: string) => void} */
  const check = (name, ok, detail = "") => {
    if (ok) checks.passed++;
    else checks.failed++;
    process.stdout.write(`${ok ? "ok    " : "FAIL  "}${name}${ok || detail === "" ? "" : `\n      ${detail}`}\n`);
  };
  const results = [];
  try {
    process.stderr.write("bench --history: building the probe\n");
    const probe = await buildProbe(join(HERE, "history-probe.ts"), join(work, "probe", "history-probe.js"));
    // The probes read a local directory: a clean environment, like every measured process of the benchmarks.
    const probeEnv = cleanEnv({});
    for (const n of sizes) {
      const dir = join(work, `history-${n}`);
      mkdirSync(dir);
      process.stderr.write(`bench --history: N = ${n.toLocaleString("en-US")}: writing ${days - 1} days of history\n`);
      const prepared = await runNode([probe, "prepare", dir, String(n), String(days)], probeEnv);
      if (prepared.code !== 0) throw new Error(`preparing the history failed:\n${prepared.stderr}`);
      const history = JSON.parse(prepared.stdout);
      const runs = [];
      for (let r = 0; r < repeat; r++) {
        process.stderr.write(`bench --history: N = ${n.toLocaleString("en-US")}: run ${r + 1} of ${repeat}\n`);
        // Each run folds the scan into today's object: start every run from the prepared days alone.
        rmSync(join(dir, "days", "2026-12-01.json.gz"), { force: true });
        const run = await runNode([...LAMBDA_V8_FLAGS, probe, "forecast", dir, String(n), String(days)], probeEnv);
        if (run.code !== 0) throw new Error(`the forecast run failed:\n${run.stderr}`);
        runs.push(JSON.parse(run.stdout));
      }
      const first = runs[0];
      check(
        `N=${n}: every run read the ${days - 1} stored days`,
        runs.every((x) => x.daysRead === days - 1),
      );
      check(
        `N=${n}: every subnet got a forecast`,
        runs.every((x) => x.resources === n && !("none" in x.trends)),
        JSON.stringify(first.trends),
      );
      check(
        `N=${n}: growing subnets got dates`,
        first.dated > 0 && (first.trends.growing ?? 0) > 0,
        JSON.stringify(first.trends),
      );
      check(
        `N=${n}: the scan was folded into today`,
        runs.every((x) => x.recorded?.scans === 1),
      );
      const result = {
        n,
        days,
        bytesPerDay: history.bytesPerDay,
        cpuMs: {
          read: spread(runs.map((x) => x.cpuMs.read)).median,
          evaluate: spread(runs.map((x) => x.cpuMs.evaluate)).median,
          write: spread(runs.map((x) => x.cpuMs.write)).median,
          total: spread(runs.map((x) => x.cpuMs.total)).median,
          totalRange: [Math.min(...runs.map((x) => x.cpuMs.total)), Math.max(...runs.map((x) => x.cpuMs.total))],
        },
        wallMs: spread(runs.map((x) => x.wallMs)).median,
        maxRssMb: Math.max(...runs.map((x) => x.maxRssMb)),
        rssBeforeMb: spread(runs.map((x) => x.rssBeforeMb)).median,
        trends: first.trends,
        dated: first.dated,
        runs,
      };
      results.push(result);
      if (n >= TARGETS.n && days >= TARGETS.days) {
        check(
          `N=${n}, ${days} days: forecasting takes under 10 s of CPU (median ${Math.round(result.cpuMs.total)} ms)`,
          result.cpuMs.total < TARGETS.cpuMs,
        );
        check(
          `N=${n}, ${days} days: the process stays within 512 MB (peak ${result.maxRssMb} MB)`,
          result.maxRssMb < TARGETS.maxRssMb,
        );
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const report = {
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      freeMemoryGb: Math.round((freemem() / 2 ** 30) * 10) / 10,
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      node: process.version,
    },
    nodeFlags: LAMBDA_V8_FLAGS,
    results,
  };
  const out = values.smoke
    ? join(tmpdir(), `ipam-monitor-bench-history-${process.pid}.json`)
    : (values.out ?? join(REPO, "docs", "bench-history.json"));
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(
    "\n| N | days | CPU: read + forecast | evaluate | fold today | total | wall | peak RSS |\n|--:|--:|--:|--:|--:|--:|--:|--:|\n",
  );
  for (const r of results) {
    process.stdout.write(
      `| ${r.n.toLocaleString("en-US")} | ${r.days} | ${Math.round(r.cpuMs.read)} ms | ${Math.round(r.cpuMs.evaluate)} ms | ${Math.round(r.cpuMs.write)} ms | ${Math.round(r.cpuMs.total)} ms | ${Math.round(r.wallMs)} ms | ${r.maxRssMb} MB |\n`,
    );
  }
  process.stdout.write(
    `\nresults: ${out}${values.smoke ? " (smoke run)" : ""}\nhistory bench checks: ${checks.passed} passed, ${checks.failed} failed\n`,
  );
  if (values.smoke) rmSync(out, { force: true });
  process.exitCode = checks.failed === 0 ? 0 : 1;
}

main().catch((err) => {
  process.stderr.write(`bench --history: ${err instanceof Error ? err.message : String(err)}\n`);
  process.stdout.write("history bench checks: 0 passed, 1 failed\n");
  process.exitCode = 1;
});
