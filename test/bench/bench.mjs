// @ts-check
/**
 * scripts/bench: what a scan costs and how fast it runs at N resource CIDRs,
 * measured against the floor the API itself sets.
 *
 * For each N the synthetic IPAM inventory (test/emulator, 50 benchmark rule
 * scopes from rules.mjs, private and public IPAM scopes) is served on
 * loopback, and:
 *   - the built handler (dist index.js, dry run) scans it in a fresh process,
 *     `repeat` times, interleaved with the pagination floor (probe.ts floor):
 *     the same SDK client paging through the same responses and nothing else;
 *   - the emulator counts the API calls of every run;
 *   - one scan that publishes counts PutMetricData calls and metric series;
 *   - probe.ts evaluate times rules matching + evaluation alone.
 * The bundle's zip size and cold import time are measured once.
 *
 * Correctness checks (call counts, series, resource counts) fail the run;
 * performance targets are reported, met or not.
 */

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, release, tmpdir, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { CAPACITY_SMOKE, capacityMain, runCapacityBench } from "./capacity.mjs";
import { startEmulator } from "./emulator.mjs";
import {
  buildHandler,
  buildProbe,
  cleanEnv,
  failed,
  LAMBDA_MEMORY_MB,
  LAMBDA_V8_FLAGS,
  runHandler,
  runNode,
} from "./measure.mjs";
import { readHotspots, readModuleShares } from "./profile.mjs";
import { benchRulesYaml, SCOPE_COUNT } from "./rules.mjs";
import { formatNumber, formatSpread, markdownTable, spread } from "./summary.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", "..");
const LAMBDA = join(REPO, "lambda");

/** IPAM scopes of the synthetic IPAM: one private, one public (10% of N: Elastic IPs). */
const SCOPE_TYPES = "private,public";
const SEED = 1;
const REGION = "us-east-1";
const NAMESPACE = "IPAMMonitorBench";
/** The API's largest page: GetIpamResourceCidrs MaxResults 5..1000. */
const PAGE_SIZE = 1000;
const RESULTS_SCHEMA_VERSION = 1;

const DEFAULT_SIZES = [1000, 10_000, 100_000];
const DEFAULT_REPEAT = 5;
const COLD_START_RUNS = 9;
/** Smoke: three pages of private resources and one of public ones, in seconds. */
const SMOKE = { sizes: [2500], repeat: 2, coldRuns: 3 };

/** The performance goals, checked at this N (or at the largest N measured, when smaller). */
const TARGET_N = 100_000;
const TARGETS = {
  overheadRatio: 1.2,
  evaluationCpuMs: 1000,
  peakRssMb: 256,
};

const USAGE = `Usage: scripts/bench [--sizes 1000,10000,100000] [--repeat 5] [--out FILE] [--profile] [--keep]
       scripts/bench --smoke
       scripts/bench --capacity [--subnets 2000] [--interfaces 50000] [--repeat 3] [--out FILE]

Measures API calls, scan wall time against the pagination floor, evaluation CPU,
peak RSS, PutMetricData calls and metric series, bundle size and cold start, at
each size N of resource CIDRs with ${SCOPE_COUNT} rule scopes, on a synthetic IPAM served on loopback.

  --sizes N,N,...  resource CIDRs to serve (default ${DEFAULT_SIZES.join(",")})
  --repeat R       runs of each timed figure; the median is reported (default ${DEFAULT_REPEAT})
  --out FILE       results file (default docs/bench-results.json; with --smoke, a temporary file)
  --profile        also profile one scan at the largest N (node --cpu-prof) and list its hotspots
  --keep           keep the working directory (bundles, rules, profiles) and print its path
  --smoke          N=${SMOKE.sizes.join(",")}, ${SMOKE.repeat} runs: checks that the benchmark works, in seconds
                   (and the capacity benchmark at ${CAPACITY_SMOKE.subnets} subnets, ${CAPACITY_SMOKE.interfaces} interfaces)
  --capacity       what capacity: true costs instead (calls, wall time): see scripts/bench --capacity --help

Needs Node.js 20+, Python 3 and lambda/node_modules (npm ci --prefix lambda).
Exit status: 0 when every correctness check passed (targets are reported, not enforced), 1 otherwise, 2 on usage errors.
`;

class UsageError extends Error {}

/**
 * @param {string[]} argv
 */
function parseOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        sizes: { type: "string" },
        repeat: { type: "string" },
        out: { type: "string" },
        smoke: { type: "boolean", default: false },
        profile: { type: "boolean", default: false },
        keep: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (err) {
    throw new UsageError(/** @type {Error} */ (err).message);
  }
  const { values } = parsed;
  if (values.smoke && (values.sizes !== undefined || values.repeat !== undefined)) {
    throw new UsageError("--smoke sets its own sizes and repeat; leave out --sizes and --repeat");
  }
  const sizes = values.smoke
    ? SMOKE.sizes
    : values.sizes === undefined
      ? DEFAULT_SIZES
      : values.sizes.split(",").map((text) => {
          const n = Number(text.trim().replace(/_/g, ""));
          if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
            throw new UsageError(`--sizes: "${text}" is not a whole number from 1 to 1000000`);
          return n;
        });
  const repeat = values.smoke ? SMOKE.repeat : values.repeat === undefined ? DEFAULT_REPEAT : Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 100)
    throw new UsageError(`--repeat "${values.repeat}" is not a whole number from 1 to 100`);
  return {
    help: values.help === true,
    smoke: values.smoke === true,
    profile: values.profile === true,
    keep: values.keep === true,
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    repeat,
    coldRuns: values.smoke ? SMOKE.coldRuns : COLD_START_RUNS,
    out: values.out === undefined ? undefined : resolve(values.out),
  };
}

// ---------------------------------------------------------------------------
// Checks: correctness of what was measured. Any failure fails the run.

/** @type {{ name: string; ok: boolean; detail: string }[]} */
const checks = [];

/**
 * @param {string} name
 * @param {boolean} ok
 * @param {string} detail what was expected and what was seen
 */
function check(name, ok, detail) {
  checks.push({ name, ok, detail });
  if (!ok) process.stderr.write(`bench: FAILED ${name}: ${detail}\n`);
}

// ---------------------------------------------------------------------------
// Child processes

/**
 * The environment of every measured process: the benchmark's Region and IPAM scope types, and `extra`.
 * @param {Record<string, string>} extra
 */
function childEnv(extra) {
  return cleanEnv({ AWS_REGION: REGION, SCOPE_TYPES, ...extra });
}

// ---------------------------------------------------------------------------
// Build

/** The helpers' unit tests (bench.test.mjs), folded into the smoke run as one check. */
function runUnitTests() {
  const mocha = join(LAMBDA, "node_modules", "mocha", "bin", "mocha.js");
  const run = spawnSync(process.execPath, [mocha, "--reporter", "dot", join(HERE, "bench.test.mjs")], {
    cwd: LAMBDA,
    encoding: "utf8",
  });
  const passing = /(\d+) passing/.exec(run.stdout)?.[1] ?? "0";
  check(
    `the benchmark's unit tests pass (${passing} passing)`,
    run.status === 0,
    `mocha exited with ${run.status}:\n${run.stdout}${run.stderr}`,
  );
}

/**
 * Bundles the handler and the command (lambda/build.mjs, which also validates
 * the rules and writes the deployment zip) and the probe, with the handler's
 * esbuild settings so the probe runs the very same SDK build.
 * @param {string} work
 * @param {string} rulesFile
 */
async function build(work, rulesFile) {
  const zip = join(work, "ipam-monitor.zip");
  const handler = buildHandler(work, rulesFile, zip);

  const probe = await buildProbe(join(HERE, "probe.ts"), join(work, "probe", "probe.js"));
  return { handler, probe, zip, zipBytes: statSync(zip).size, handlerBytes: statSync(handler).size };
}

// ---------------------------------------------------------------------------
// Measurements

/**
 * @param {string} handler
 * @param {number} runs
 */
async function measureColdStart(handler, runs) {
  /** @type {number[]} */
  const times = [];
  for (let i = 0; i < runs; i++) {
    const run = await runHandler(handler, "import", childEnv({}), { what: "the cold-start import" });
    times.push(run.importMs);
  }
  return spread(times);
}

/**
 * @typedef {{
 *   importMs: number; handlerMs: number; cpuMs: number; maxRssKb: number; complete: boolean;
 *   summary: { resources: number; scopes: number; scopesWithoutMatches: number };
 *   scopesWithoutMatches: string[];
 *   published: { requests: number; datums: number } | null;
 *   resultBytes: number;
 * }} ScanReport
 */

/**
 * One scan by the built handler in a fresh process.
 * @param {string} handler
 * @param {Record<string, string>} env
 * @param {string[]} [nodeFlags]
 * @returns {Promise<ScanReport & { processMs: number }>}
 */
async function scanOnce(handler, env, nodeFlags = []) {
  return runHandler(handler, "scan", env, { what: "the handler scan", nodeFlags });
}

/**
 * @typedef {{ wallMs: number; cpuMs: number; maxRssKb: number; scopes: { scopeId: string; scopeType: string; resources: number; pages: number }[] }} FloorReport
 */

/**
 * @param {string} probe
 * @param {Record<string, string>} env
 * @returns {Promise<FloorReport>}
 */
async function floorOnce(probe, env) {
  const run = await runNode([probe, "floor"], env);
  if (run.code !== 0) throw failed("the pagination floor", run);
  return JSON.parse(run.stdout);
}

/**
 * @typedef {{
 *   resources: number; scopes: number; evaluations: number; resourceMetricResources: number;
 *   scopesWithoutMatches: number; collectedHeapMb: number; cpuMs: number[]; wallMs: number[]; metrics: { datums: number; series: number };
 * }} EvaluateReport
 */

/**
 * @param {string} probe
 * @param {string} rulesFile
 * @param {number} repeat
 * @param {Record<string, string>} env
 * @returns {Promise<EvaluateReport>}
 */
async function evaluateOnce(probe, rulesFile, repeat, env) {
  const run = await runNode(["--expose-gc", probe, "evaluate", rulesFile, String(repeat)], env);
  if (run.code !== 0) throw failed("the evaluation probe", run);
  return JSON.parse(run.stdout);
}

/**
 * Calls other than the expected ones, as "Action ×n".
 * @param {Record<string, number>} calls
 * @param {string[]} expected
 */
function unexpectedCalls(calls, expected) {
  return Object.entries(calls)
    .filter(([action]) => !expected.includes(action))
    .map(([action, n]) => `${action} ×${n}`);
}

/**
 * Everything measured at one N.
 * @param {{ n: number; repeat: number; work: string; built: Awaited<ReturnType<typeof build>>; rulesFile: string; profile: boolean; smoke: boolean }} options
 */
async function measureSize({ n, repeat, work, built, rulesFile, profile, smoke }) {
  process.stderr.write(`bench: N = ${n.toLocaleString("en-US")}: starting the synthetic IPAM\n`);
  const emulator = await startEmulator({
    repo: REPO,
    workDir: work,
    resources: n,
    scopeTypes: SCOPE_TYPES,
    seed: SEED,
  });
  try {
    const base = { AWS_ENDPOINT_URL: emulator.endpoint };
    const scanEnv = childEnv({ ...base, RULES_FILE: rulesFile, DRY_RUN: "true" });
    const floorEnv = childEnv(base);

    // Warm-up: the emulator renders each record's XML once and serves it from memory afterwards.
    const warm = await floorOnce(built.probe, floorEnv);
    const expectedPages = warm.scopes.reduce((sum, s) => sum + Math.max(1, Math.ceil(s.resources / PAGE_SIZE)), 0);
    const ipamScopes = warm.scopes.map((s) => ({
      type: s.scopeType,
      resources: s.resources,
      calls: Math.max(1, Math.ceil(s.resources / PAGE_SIZE)),
    }));
    check(
      `N=${n}: the inventory serves N resource CIDRs`,
      warm.scopes.reduce((sum, s) => sum + s.resources, 0) === n,
      `served ${JSON.stringify(ipamScopes)}`,
    );

    /** @type {{ scan: ScanReport & { processMs: number }; calls: Record<string, number>; floor: FloorReport }[]} */
    const runs = [];
    for (let r = 0; r < repeat; r++) {
      process.stderr.write(`bench: N = ${n.toLocaleString("en-US")}: run ${r + 1} of ${repeat}\n`);
      // Alternating the order keeps a slow moment of the machine from favouring either side.
      const scanFirst = r % 2 === 0;
      const scanned = async () => {
        await emulator.reset();
        const scan = await scanOnce(built.handler, scanEnv);
        return { scan, calls: (await emulator.stats()).calls };
      };
      const floored = async () => {
        await emulator.reset();
        const floor = await floorOnce(built.probe, floorEnv);
        const calls = (await emulator.stats()).calls;
        const pages = floor.scopes.reduce((sum, s) => sum + s.pages, 0);
        check(
          `N=${n}: floor run ${r + 1} pages through every resource in the fewest calls`,
          pages === expectedPages && calls.GetIpamResourceCidrs === expectedPages,
          `expected ${expectedPages} pages; the floor read ${pages}, the server counted ${calls.GetIpamResourceCidrs}`,
        );
        return floor;
      };
      if (scanFirst) {
        const scanRun = await scanned();
        runs.push({ ...scanRun, floor: await floored() });
      } else {
        const floor = await floored();
        runs.push({ ...(await scanned()), floor });
      }
    }

    for (const [i, { scan, calls }] of runs.entries()) {
      check(
        `N=${n}: dry-run scan ${i + 1} is complete and sees all N resources`,
        scan.complete && scan.summary.resources === n,
        `complete ${scan.complete}, resources ${scan.summary.resources}`,
      );
      check(
        `N=${n}: dry-run scan ${i + 1} makes ceil(N/1000) GetIpamResourceCidrs calls per IPAM scope and nothing else`,
        calls.GetIpamResourceCidrs === expectedPages &&
          calls.DescribeIpams === 1 &&
          calls.DescribeIpamScopes === 1 &&
          unexpectedCalls(calls, ["DescribeIpams", "DescribeIpamScopes", "GetIpamResourceCidrs"]).length === 0,
        `expected 1 DescribeIpams, 1 DescribeIpamScopes, ${expectedPages} GetIpamResourceCidrs; counted ${JSON.stringify(calls)}`,
      );
    }
    const [first] = runs;
    if (first === undefined) throw new Error("no run was measured");
    if (smoke) {
      check(
        `N=${n}: every benchmark rule scope matches some resource`,
        first.scan.scopesWithoutMatches.length === 0,
        `without matches: ${first.scan.scopesWithoutMatches.join(", ")}`,
      );
    }

    // One scan that publishes: what a run costs in CloudWatch.
    process.stderr.write(`bench: N = ${n.toLocaleString("en-US")}: a scan that publishes metrics\n`);
    await emulator.reset();
    const published = await scanOnce(
      built.handler,
      childEnv({ ...base, RULES_FILE: rulesFile, DRY_RUN: "false", METRICS_NAMESPACE: NAMESPACE }),
    );
    const publishStats = await emulator.stats();

    process.stderr.write(
      `bench: N = ${n.toLocaleString("en-US")}: a dry-run scan with the V8 limits of a ${LAMBDA_MEMORY_MB} MB Lambda\n`,
    );
    const inLambdaLimits = await scanOnce(built.handler, scanEnv, LAMBDA_V8_FLAGS);

    process.stderr.write(`bench: N = ${n.toLocaleString("en-US")}: evaluation alone\n`);
    const evaluation = await evaluateOnce(built.probe, rulesFile, repeat, floorEnv);
    check(
      `N=${n}: the evaluation probe collects all N resources`,
      evaluation.resources === n,
      `collected ${evaluation.resources}`,
    );

    const series = publishStats.metrics.seriesByNamespace[NAMESPACE] ?? 0;
    const putCalls = publishStats.calls.PutMetricData ?? 0;
    const formulaSeries = 6 * evaluation.scopes + 2 * evaluation.resourceMetricResources;
    check(
      `N=${n}: the published scan sends its datums in the fewest PutMetricData calls`,
      published.published !== null &&
        putCalls === published.published.requests &&
        putCalls === Math.ceil(evaluation.metrics.datums / 1000) &&
        publishStats.metrics.datums === evaluation.metrics.datums,
      `expected ${Math.ceil(evaluation.metrics.datums / 1000)} calls with ${evaluation.metrics.datums} datums; the server counted ${putCalls} calls with ${publishStats.metrics.datums} datums, the handler reported ${JSON.stringify(published.published)}`,
    );
    check(
      `N=${n}: metric series = the evaluation's series, at most 6 × scopes + 2 × per-resource-metric resources + ScanSuccess`,
      series === evaluation.metrics.series && series <= formulaSeries + 1,
      `server counted ${series}; the evaluation gives ${evaluation.metrics.series}; the formula bound is ${formulaSeries} + 1`,
    );
    check(
      `N=${n}: the published scan makes no calls besides IPAM and PutMetricData`,
      unexpectedCalls(publishStats.calls, [
        "DescribeIpams",
        "DescribeIpamScopes",
        "GetIpamResourceCidrs",
        "PutMetricData",
      ]).length === 0,
      `counted ${JSON.stringify(publishStats.calls)}`,
    );

    let hotspots;
    let modules;
    let floorModules;
    if (profile) {
      process.stderr.write(`bench: N = ${n.toLocaleString("en-US")}: profiling one scan\n`);
      const dir = join(work, "profiles", String(n));
      mkdirSync(dir, { recursive: true });
      await scanOnce(built.handler, scanEnv, ["--cpu-prof", "--cpu-prof-dir", dir]);
      const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
      if (file !== undefined) {
        hotspots = readHotspots(join(dir, file), 15);
        modules = readModuleShares(join(dir, file), built.handler).slice(0, 15);
      }
      // The floor's profile beside it: the SDK's share is the same work in both; the rest is the scanner's.
      const floorDir = join(dir, "floor");
      mkdirSync(floorDir, { recursive: true });
      const run = await runNode(["--cpu-prof", "--cpu-prof-dir", floorDir, built.probe, "floor"], floorEnv);
      if (run.code !== 0) throw failed("the profiled pagination floor", run);
      const floorFile = readdirSync(floorDir).find((f) => f.endsWith(".cpuprofile"));
      if (floorFile !== undefined) floorModules = readModuleShares(join(floorDir, floorFile), built.probe).slice(0, 15);
    }

    const scans = runs.map((run) => run.scan);
    const floors = runs.map((run) => run.floor);
    return {
      n,
      ipamScopes,
      apiCallsPerScan: {
        expectedGetIpamResourceCidrs: expectedPages,
        counted: first.calls,
      },
      scanMs: spread(scans.map((s) => s.handlerMs)),
      scanProcessMs: spread(scans.map((s) => s.processMs)),
      floorMs: spread(floors.map((f) => f.wallMs)),
      overheadRatio: spread(runs.map(({ scan, floor }) => scan.handlerMs / floor.wallMs)),
      scanCpuMs: spread(scans.map((s) => s.cpuMs)),
      floorCpuMs: spread(floors.map((f) => f.cpuMs)),
      cpuOverheadRatio: spread(runs.map(({ scan, floor }) => scan.cpuMs / floor.cpuMs)),
      peakRssMb: spread(scans.map((s) => s.maxRssKb / 1024)),
      floorPeakRssMb: spread(floors.map((f) => f.maxRssKb / 1024)),
      lambdaLimits: {
        memoryMb: LAMBDA_MEMORY_MB,
        nodeFlags: LAMBDA_V8_FLAGS,
        scanMs: inLambdaLimits.handlerMs,
        peakRssMb: inLambdaLimits.maxRssKb / 1024,
      },
      resultBytes: first.scan.resultBytes,
      evaluation: {
        cpuMs: spread(evaluation.cpuMs),
        wallMs: spread(evaluation.wallMs),
        scopes: evaluation.scopes,
        evaluations: evaluation.evaluations,
        scopesWithoutMatches: evaluation.scopesWithoutMatches,
      },
      collectedHeapMb: evaluation.collectedHeapMb,
      metrics: {
        putMetricDataCalls: putCalls,
        datums: publishStats.metrics.datums,
        series,
        seriesFormula: formulaSeries,
        resourceMetricResources: evaluation.resourceMetricResources,
        publishedScanMs: published.handlerMs,
        calls: publishStats.calls,
      },
      ...(hotspots === undefined ? {} : { hotspots }),
      ...(modules === undefined ? {} : { modules }),
      ...(floorModules === undefined ? {} : { floorModules }),
    };
  } finally {
    await emulator.stop();
  }
}

// ---------------------------------------------------------------------------
// Report

/**
 * @typedef {Awaited<ReturnType<typeof measureSize>>} SizeResult
 */

/**
 * @param {SizeResult[]} results
 */
function targetsOf(results) {
  const at = results.find((r) => r.n === TARGET_N) ?? results[results.length - 1];
  if (at === undefined) return [];
  const n = at.n;
  return [
    {
      figure: "GetIpamResourceCidrs calls per scan",
      target: "ceil(N/1000) per IPAM scope",
      n,
      value: at.apiCallsPerScan.counted.GetIpamResourceCidrs ?? 0,
      met: results.every(
        (r) => r.apiCallsPerScan.counted.GetIpamResourceCidrs === r.apiCallsPerScan.expectedGetIpamResourceCidrs,
      ),
    },
    {
      figure: "overhead ratio (median)",
      target: `≤ ${TARGETS.overheadRatio}`,
      n,
      value: round(at.overheadRatio.median, 3),
      met: at.overheadRatio.median <= TARGETS.overheadRatio,
    },
    {
      figure: "evaluation CPU, ms (median)",
      target: `< ${TARGETS.evaluationCpuMs}`,
      n,
      value: round(at.evaluation.cpuMs.median, 1),
      met: at.evaluation.cpuMs.median < TARGETS.evaluationCpuMs,
    },
    {
      figure: "peak RSS, MB (max)",
      target: `< ${TARGETS.peakRssMb}`,
      n,
      value: round(at.peakRssMb.max, 1),
      met: at.peakRssMb.max < TARGETS.peakRssMb,
    },
    {
      figure: "custom metric series per run",
      target: "6 × scopes + 2 × per-resource-metric resources (+1 ScanSuccess)",
      n,
      value: at.metrics.series,
      met: results.every((r) => r.metrics.series <= r.metrics.seriesFormula + 1),
    },
  ];
}

/**
 * @param {number} value
 * @param {number} digits
 */
function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * @param {SizeResult[]} results
 * @param {{ zipBytes: number; handlerBytes: number; coldImportMs: import("./summary.mjs").Spread }} bundle
 */
function printReport(results, bundle) {
  const header = ["figure", ...results.map((r) => `N = ${r.n.toLocaleString("en-US")}`)];
  /** @param {string} name @param {(r: SizeResult) => string} cell */
  const row = (name, cell) => [name, ...results.map(cell)];
  const rows = [
    row("IPAM scopes (resources)", (r) =>
      r.ipamScopes.map((s) => `${s.type} ${s.resources.toLocaleString("en-US")}`).join(", "),
    ),
    row(
      "GetIpamResourceCidrs calls / scan (minimum)",
      (r) => `${r.apiCallsPerScan.counted.GetIpamResourceCidrs} (${r.apiCallsPerScan.expectedGetIpamResourceCidrs})`,
    ),
    row(
      "DescribeIpams + DescribeIpamScopes / scan",
      (r) => `${r.apiCallsPerScan.counted.DescribeIpams ?? 0} + ${r.apiCallsPerScan.counted.DescribeIpamScopes ?? 0}`,
    ),
    row("scan wall time, ms (dry run)", (r) => formatSpread(r.scanMs, 0)),
    row("pagination floor, ms", (r) => formatSpread(r.floorMs, 0)),
    row("overhead ratio (scan ÷ floor)", (r) => formatSpread(r.overheadRatio, 2)),
    row("scan CPU, ms", (r) => formatSpread(r.scanCpuMs, 0)),
    row("floor CPU, ms", (r) => formatSpread(r.floorCpuMs, 0)),
    row("CPU overhead ratio (scan ÷ floor)", (r) => formatSpread(r.cpuOverheadRatio, 2)),
    row(`evaluation CPU, ms (N × ${SCOPE_COUNT} scopes)`, (r) => formatSpread(r.evaluation.cpuMs, 0)),
    row("resource × scope matches", (r) => r.evaluation.evaluations.toLocaleString("en-US")),
    row("peak RSS of the scan process, MB", (r) => formatSpread(r.peakRssMb, 0)),
    row("peak RSS of the floor process, MB", (r) => formatSpread(r.floorPeakRssMb, 0)),
    row("heap holding the collected resources, MB", (r) => formatNumber(r.collectedHeapMb, 0)),
    row(
      `scan in ${LAMBDA_MEMORY_MB} MB Lambda V8 limits: ms, peak MB`,
      (r) => `${formatNumber(r.lambdaLimits.scanMs, 0)}, ${formatNumber(r.lambdaLimits.peakRssMb, 0)}`,
    ),
    row("PutMetricData calls / run", (r) => String(r.metrics.putMetricDataCalls)),
    row("metric datums / run", (r) => r.metrics.datums.toLocaleString("en-US")),
    row("custom metric series / run", (r) => String(r.metrics.series)),
    row("6 × scopes + 2 × per-resource (+1 ScanSuccess)", (r) => `${r.metrics.seriesFormula} + 1`),
    row("JSON result, KiB", (r) => formatNumber(r.resultBytes / 1024, 0)),
  ];
  process.stdout.write(`\n${markdownTable(header, rows)}\n\n`);
  process.stdout.write(
    `${markdownTable(
      ["bundle", "value"],
      [
        ["deployment zip", `${formatNumber(bundle.zipBytes / 1024, 0)} KiB`],
        ["index.js", `${formatNumber(bundle.handlerBytes / 1024, 0)} KiB`],
        ["cold import of index.js, ms", formatSpread(bundle.coldImportMs, 0)],
      ],
    )}\n\n`,
  );
  for (const target of targetsOf(results)) {
    process.stdout.write(
      `target ${target.met ? "met   " : "MISSED"}  ${target.figure} at N=${target.n.toLocaleString("en-US")}: ${target.value} (target ${target.target})\n`,
    );
  }
  for (const r of results) {
    if (r.modules !== undefined) {
      process.stdout.write(
        `\nself time by module of one scan at N = ${r.n.toLocaleString("en-US")} (the whole process):\n`,
      );
      process.stdout.write(
        `${markdownTable(
          ["module", "self ms", "share"],
          r.modules.map((m) => [m.module, formatNumber(m.selfMs, 0), `${formatNumber(m.share * 100, 1)}%`]),
        )}\n`,
      );
    }
    if (r.floorModules !== undefined) {
      process.stdout.write(`\nself time by module of one pagination floor at N = ${r.n.toLocaleString("en-US")}:\n`);
      process.stdout.write(
        `${markdownTable(
          ["module", "self ms", "share"],
          r.floorModules.map((m) => [m.module, formatNumber(m.selfMs, 0), `${formatNumber(m.share * 100, 1)}%`]),
        )}\n`,
      );
    }
    if (r.hotspots === undefined) continue;
    process.stdout.write(`\nhotspots of one scan at N = ${r.n.toLocaleString("en-US")} (self time):\n`);
    process.stdout.write(
      `${markdownTable(
        ["function", "where", "self ms", "share"],
        r.hotspots.map((h) => [h.name, h.where, formatNumber(h.selfMs, 0), `${formatNumber(h.share * 100, 1)}%`]),
        ["l", "l", "r", "r"],
      )}\n`,
    );
  }
}

function machine() {
  const list = cpus();
  const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
  const sdk = JSON.parse(
    readFileSync(join(LAMBDA, "node_modules", "@aws-sdk", "client-ec2", "package.json"), "utf8"),
  ).version;
  return {
    cpus: list.length,
    // Other work on the machine slows both sides of the ratio; the load says how busy it was.
    loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
    cpuModel: list[0]?.model ?? "unknown",
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    python: (python.stdout || python.stderr || "").trim().replace(/^Python /, ""),
    awsSdkClientEc2: sdk,
  };
}

// ---------------------------------------------------------------------------

/** @param {string[]} argv */
async function main(argv) {
  if (argv[0] === "--capacity") return capacityMain(argv.slice(1));
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const work = mkdtempSync(join(tmpdir(), "ipam-monitor-bench-"));
  const started = Date.now();
  const loadAverageAtStart = loadavg().map((l) => round(l, 2));
  try {
    const rulesFile = join(work, "rules.yaml");
    const rules = benchRulesYaml();
    writeFileSync(rulesFile, rules);
    check(
      "the benchmark rules file is generated the same way every time",
      benchRulesYaml() === rules,
      "two generations differ",
    );

    if (options.smoke) runUnitTests();

    process.stderr.write("bench: building the handler bundle and the deployment zip\n");
    const built = await build(work, rulesFile);
    process.stderr.write(`bench: measuring the cold import of index.js (${options.coldRuns} fresh processes)\n`);
    const coldImportMs = await measureColdStart(built.handler, options.coldRuns);
    const bundle = { zipBytes: built.zipBytes, handlerBytes: built.handlerBytes, coldImportMs };

    /** @type {SizeResult[]} */
    const results = [];
    for (const n of options.sizes) {
      results.push(
        await measureSize({
          n,
          repeat: options.repeat,
          work,
          built,
          rulesFile,
          profile: options.profile && n === options.sizes[options.sizes.length - 1],
          smoke: options.smoke,
        }),
      );
    }

    if (options.smoke) {
      const capacity = await runCapacityBench({ ...CAPACITY_SMOKE, smoke: true, handler: built.handler });
      checks.push(...capacity.checks);
    }

    printReport(results, bundle);
    const document = {
      schemaVersion: RESULTS_SCHEMA_VERSION,
      date: new Date().toISOString(),
      command: `scripts/bench ${argv.join(" ")}`.trim(),
      machine: { ...machine(), loadAverageAtStart },
      settings: {
        sizes: options.sizes,
        repeat: options.repeat,
        ruleScopes: SCOPE_COUNT,
        ipamScopeTypes: SCOPE_TYPES.split(","),
        seed: SEED,
        pageSize: PAGE_SIZE,
        smoke: options.smoke,
      },
      bundle,
      results,
      targets: targetsOf(results),
      checks,
      durationSeconds: round((Date.now() - started) / 1000, 1),
    };
    const m = document.machine;
    process.stdout.write(
      `\nmachine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.os}, node ${m.node}, Python ${m.python}; ` +
        `load average (1, 5, 15 min) ${m.loadAverageAtStart.join(", ")} at the start, ${m.loadAverageAtEnd.join(", ")} at the end\n`,
    );
    const out =
      options.out ?? (options.smoke ? join(work, "bench-results.json") : join(REPO, "docs", "bench-results.json"));
    writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
    const kept = options.out !== undefined || !options.smoke || options.keep;
    process.stdout.write(
      kept
        ? `\nresults written to ${relative(process.cwd(), out) || out} (${document.durationSeconds} s)\n`
        : `\nsmoke run finished in ${document.durationSeconds} s; --out FILE keeps its results\n`,
    );
  } finally {
    if (options.keep) process.stderr.write(`bench: working directory kept at ${work}\n`);
    else rmSync(work, { recursive: true, force: true });
  }
  const failures = checks.filter((c) => !c.ok).length;
  process.stdout.write(`bench checks: ${checks.length - failures} passed, ${failures} failed\n`);
  return failures === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    const failures = checks.filter((c) => !c.ok).length;
    process.stdout.write(`bench checks: ${checks.length - failures} passed, ${failures + 1} failed\n`);
    process.exitCode = 1;
  },
);
