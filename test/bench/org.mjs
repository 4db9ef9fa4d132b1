// @ts-check
/**
 * scripts/bench --org: how far one invocation scans an organization with the EC2 source.
 *
 * For each size (accounts × Regions) an organization is emulated on loopback (org-emulator.mjs:
 * 150 ms per call, EC2 throttled per account, Region and action as documented) and the built
 * handler (dist index.js, dry run, ORGANIZATION=true, the default ACCOUNT_REGION_CONCURRENCY) scans
 * it once in a fresh process. Measured: wall time, CPU time, peak RSS, calls by action, throttled
 * calls. Checked: every account-Region read, every resource found, the minimum number of calls.
 *
 * From the figures: a linear fit of wall and CPU time over account-Regions, the projection to
 * 20,000 account-Regions, and the largest size one invocation finishes in 10 minutes, here and in a
 * 512 MB function (a third of a vCPU: the CPU time divided by 0.29 when that is longer).
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { buildHandler, cleanEnv, runHandler } from "./measure.mjs";
import { MANAGEMENT_ACCOUNT, RESOURCES_PER_ACCOUNT_REGION, startOrganization } from "./org-emulator.mjs";
import { benchRulesYaml, SCOPE_COUNT } from "./rules.mjs";
import { markdownTable } from "./summary.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", "..");
const LAMBDA = join(REPO, "lambda");
const ALL_REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];
/** The default ACCOUNT_REGION_CONCURRENCY (lambda/src/config.ts). */
export const DEFAULT_CONCURRENCY = 16;
/** A 512 MB function gets this share of a vCPU (1,769 MB is one vCPU). */
export const LAMBDA_512_VCPU = 512 / 1769;
const TEN_MINUTES_MS = 600_000;

/** accounts × Regions; the management account is one of the accounts. */
const DEFAULT_SIZES = [
  { accounts: 25, regions: 2 },
  { accounts: 125, regions: 4 },
  { accounts: 500, regions: 4 },
];
const PROJECTED = { accounts: 5000, regions: 4 };
const SMOKE = { sizes: [{ accounts: 5, regions: 2 }], latencyMs: 20 };

const USAGE = `Usage: scripts/bench --org [--sizes 25x2,125x4,500x4] [--latency 150] [--out FILE]
       scripts/bench --org --smoke

Scans an emulated organization (accounts x Regions, ${RESOURCES_PER_ACCOUNT_REGION} resource CIDRs per account-Region,
${SCOPE_COUNT} rule scopes) once per size with the built handler in one invocation, and projects to 20,000
account-Regions. Results: docs/bench-org-results.json (with --smoke, a temporary file).
`;

/** @type {{ name: string; ok: boolean; detail: string }[]} */
const checks = [];
/** @param {string} name @param {boolean} ok @param {string} detail */
function check(name, ok, detail) {
  checks.push({ name, ok, detail });
  if (!ok) process.stderr.write(`bench --org: FAILED ${name}: ${detail}\n`);
}

/** Least squares y = a + b·x. @param {number[]} xs @param {number[]} ys */
export function linearFit(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const b = sxx === 0 ? 0 : xs.reduce((s, x, i) => s + (x - mx) * ((ys[i] ?? 0) - my), 0) / sxx;
  return { a: my - b * mx, b };
}

/** The largest whole x with a + b·x ≤ limit. @param {{ a: number; b: number }} fit @param {number} limit */
export function largestWithin(fit, limit) {
  return fit.b <= 0 ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor((limit - fit.a) / fit.b));
}

/** Calls a scan of `accounts` × `regions` needs at the least. @param {number} accounts @param {number} regions */
export function minimumCalls(accounts, regions) {
  const accountRegions = accounts * regions;
  return {
    GetCallerIdentity: 1,
    ListAccounts: Math.ceil(accounts / 20),
    AssumeRole: accounts - 1,
    DescribeVpcs: accountRegions,
    DescribeSubnets: accountRegions,
    DescribeAddresses: accountRegions,
  };
}

/** @param {string} text */
function parseSize(text) {
  const match = /^(\d+)x(\d+)$/.exec(text.trim());
  const accounts = Number(match?.[1]);
  const regions = Number(match?.[2]);
  if (!match || accounts < 1 || regions < 1 || regions > ALL_REGIONS.length) {
    throw new Error(`--sizes: "${text}" is not ACCOUNTSxREGIONS with 1 to ${ALL_REGIONS.length} Regions`);
  }
  return { accounts, regions };
}

/** The helpers' unit tests (org.test.mjs), folded into the smoke run as one check. */
function runUnitTests() {
  const mocha = join(LAMBDA, "node_modules", "mocha", "bin", "mocha.js");
  const run = spawnSync(process.execPath, [mocha, "--reporter", "dot", join(HERE, "org.test.mjs")], {
    cwd: LAMBDA,
    encoding: "utf8",
  });
  const passing = /(\d+) passing/.exec(run.stdout)?.[1] ?? "0";
  check(
    `the organization benchmark's unit tests pass (${passing} passing)`,
    run.status === 0,
    `mocha exited with ${run.status}:\n${run.stdout}${run.stderr}`,
  );
}

/**
 * @param {{ accounts: number; regions: number }} size
 * @param {{ handler: string; rulesFile: string; latencyMs: number }} options
 */
async function measure(size, { handler, rulesFile, latencyMs }) {
  const regions = ALL_REGIONS.slice(0, size.regions);
  const accountRegions = size.accounts * size.regions;
  process.stderr.write(
    `bench --org: ${size.accounts} accounts × ${size.regions} Regions = ${accountRegions} account-Regions\n`,
  );
  const org = await startOrganization({ accounts: size.accounts - 1, regions, latencyMs });
  try {
    const env = cleanEnv({
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: org.url,
      RULES_FILE: rulesFile,
      SOURCE: "ec2",
      REGIONS: regions.join(","),
      ORGANIZATION: "true",
      DRY_RUN: "true",
    });
    const report = await runHandler(handler, "scan", env, { what: "the handler scan" });
    const stats = org.stats();
    const label = `${size.accounts}×${size.regions}`;
    check(`${label}: the scan is complete`, report.complete === true, `complete = ${report.complete}`);
    check(
      `${label}: every resource CIDR of every account-Region is found`,
      report.summary.resources === accountRegions * RESOURCES_PER_ACCOUNT_REGION,
      `${report.summary.resources} of ${accountRegions * RESOURCES_PER_ACCOUNT_REGION}`,
    );
    const expected = minimumCalls(size.accounts, size.regions);
    check(
      `${label}: the calls are the minimum (one of each describe per account-Region, one AssumeRole per member account, 20 accounts a ListAccounts page)`,
      JSON.stringify(Object.fromEntries(Object.entries(stats.calls).sort())) ===
        JSON.stringify(Object.fromEntries(Object.entries(expected).sort())),
      `expected ${JSON.stringify(expected)}, saw ${JSON.stringify(stats.calls)}`,
    );
    return {
      accounts: size.accounts,
      regions: size.regions,
      accountRegions,
      handlerMs: Math.round(report.handlerMs),
      cpuMs: Math.round(report.cpuMs),
      maxRssMb: Math.round(report.maxRssKb / 1024),
      resources: report.summary.resources,
      calls: stats.calls,
      totalCalls: Object.values(stats.calls).reduce((s, n) => s + n, 0),
      throttled: stats.throttled,
      emulatorCpuMs: Math.round(stats.cpuMs),
    };
  } finally {
    await org.close();
  }
}

/**
 * The least time the emulated latency allows a scan of `accounts` × `regions` at `concurrency`:
 * GetCallerIdentity, then ListAccounts page by page, then every AssumeRole and the three describe
 * calls of each account-Region, one after the other within an account-Region, `concurrency` at once.
 * @param {number} accounts @param {number} regions @param {number} latencyMs @param {number} concurrency
 */
export function latencyFloorMs(accounts, regions, latencyMs, concurrency) {
  const calls = minimumCalls(accounts, regions);
  const sequential = calls.GetCallerIdentity + calls.ListAccounts;
  const pooled = calls.AssumeRole + calls.DescribeVpcs + calls.DescribeSubnets + calls.DescribeAddresses;
  return (sequential + pooled / concurrency) * latencyMs;
}

/**
 * Fits and projections. Wall time on this machine moves with its load; in Lambda a scan takes at
 * least the latency floor and at least its CPU time divided by the function's share of a vCPU.
 * @param {Awaited<ReturnType<typeof measure>>[]} results @param {number} latencyMs
 */
export function project(results, latencyMs) {
  const xs = results.map((r) => r.accountRegions);
  const wall = linearFit(
    xs,
    results.map((r) => r.handlerMs),
  );
  const cpu = linearFit(
    xs,
    results.map((r) => r.cpuMs),
  );
  const rss = linearFit(
    xs,
    results.map((r) => r.maxRssMb),
  );
  const regions = PROJECTED.regions;
  /** A 512 MB function's time for n account-Regions (accounts of `regions` Regions). @param {number} n */
  const lambdaMs = (n) =>
    Math.max(
      latencyFloorMs(n / regions, regions, latencyMs, DEFAULT_CONCURRENCY),
      (cpu.a + cpu.b * n) / LAMBDA_512_VCPU,
    );
  /** The largest n (a multiple of `regions`) with lambdaMs(n) ≤ limit. @param {number} limit */
  const largestLambda = (limit) => {
    let n = 0;
    while (lambdaMs(n + regions) <= limit && n < 1_000_000) n += regions;
    return n;
  };
  const n = PROJECTED.accounts * PROJECTED.regions;
  return {
    latencyMs,
    concurrency: DEFAULT_CONCURRENCY,
    fit: {
      wallMsPerAccountRegion: round(wall.b, 2),
      wallMsFixed: Math.round(wall.a),
      cpuMsPerAccountRegion: round(cpu.b, 2),
      cpuMsFixed: Math.round(cpu.a),
      rssMbPerThousandAccountRegions: round(rss.b * 1000, 1),
      rssMbFixed: Math.round(rss.a),
    },
    at20000: {
      accounts: PROJECTED.accounts,
      regions,
      calls: Object.values(minimumCalls(PROJECTED.accounts, regions)).reduce((s, v) => s + v, 0),
      wallHereMs: Math.round(wall.a + wall.b * n),
      latencyFloorMs: Math.round(latencyFloorMs(PROJECTED.accounts, regions, latencyMs, DEFAULT_CONCURRENCY)),
      cpuMs: Math.round(cpu.a + cpu.b * n),
      lambda512Ms: Math.round(lambdaMs(n)),
      maxRssMb: Math.round(rss.a + rss.b * n),
    },
    largestIn10Minutes: { here: largestWithin(wall, TEN_MINUTES_MS), lambda512: largestLambda(TEN_MINUTES_MS) },
    /** Where the module switches to shards: what a 512 MB function scans in half the default 300 s timeout. */
    largestIn150sLambda512: largestLambda(150_000),
    /** What a 512 MB function scans in 25 s, a tenth of the default timeout: a shard, with room for its retries. */
    largestIn25sLambda512: largestLambda(25_000),
    /** Where the peak RSS reaches 512 MB. */
    largestIn512Mb: largestWithin(rss, 512),
  };
}

/** @param {number} x @param {number} digits */
function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** @param {string[]} argv */
async function main(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: "string" },
      latency: { type: "string" },
      out: { type: "string" },
      smoke: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const sizes = values.smoke
    ? SMOKE.sizes
    : values.sizes === undefined
      ? DEFAULT_SIZES
      : values.sizes.split(",").map(parseSize);
  const latencyMs = values.smoke ? SMOKE.latencyMs : values.latency === undefined ? 150 : Number(values.latency);
  const work = mkdtempSync(join(tmpdir(), "ipam-monitor-bench-org-"));
  const started = Date.now();
  const loadAtStart = loadavg().map((l) => round(l, 2));
  try {
    if (values.smoke) runUnitTests();
    const rulesFile = join(work, "rules.yaml");
    writeFileSync(rulesFile, benchRulesYaml());
    process.stderr.write("bench --org: building the handler bundle\n");
    const handler = buildHandler(work, rulesFile, join(work, "p.zip"));
    const results = [];
    for (const size of sizes) results.push(await measure(size, { handler, rulesFile, latencyMs }));
    check(
      "no call was throttled: each account-Region has its own EC2 bucket",
      results.every((r) => r.throttled === 0),
      results.map((r) => r.throttled).join(", "),
    );
    const projection = results.length >= 2 ? project(results, latencyMs) : null;
    process.stdout.write(
      `\n${markdownTable(
        ["account-Regions", "accounts × Regions", "wall, s", "CPU, s", "peak RSS, MB", "calls", "throttled"],
        results.map((r) => [
          r.accountRegions.toLocaleString("en-US"),
          `${r.accounts} × ${r.regions}`,
          (r.handlerMs / 1000).toFixed(1),
          (r.cpuMs / 1000).toFixed(1),
          String(r.maxRssMb),
          r.totalCalls.toLocaleString("en-US"),
          String(r.throttled),
        ]),
      )}\n`,
    );
    if (projection) process.stdout.write(`\nprojection: ${JSON.stringify(projection, null, 2)}\n`);
    const document = {
      date: new Date().toISOString(),
      command: `scripts/bench --org ${argv.join(" ")}`.trim(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "",
        node: process.version,
        loadAverageAtStart: loadAtStart,
        loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
      },
      settings: {
        latencyMs,
        concurrency: DEFAULT_CONCURRENCY,
        ruleScopes: SCOPE_COUNT,
        resourcesPerAccountRegion: RESOURCES_PER_ACCOUNT_REGION,
        managementAccount: MANAGEMENT_ACCOUNT,
        ec2Bucket: "100 tokens, 20 a second, per account, Region and action",
      },
      results,
      projection,
      checks,
      durationSeconds: round((Date.now() - started) / 1000, 1),
    };
    const out =
      values.out !== undefined
        ? resolve(values.out)
        : values.smoke
          ? join(work, "bench-org.json")
          : join(REPO, "docs", "bench-org-results.json");
    writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
    if (!values.smoke || values.out !== undefined)
      process.stdout.write(`\nresults written to ${relative(process.cwd(), out)} (${document.durationSeconds} s)\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const failures = checks.filter((c) => !c.ok).length;
  process.stdout.write(`bench checks: ${checks.length - failures} passed, ${failures} failed\n`);
  return failures === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench --org: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.stdout.write(
        `bench checks: ${checks.length - checks.filter((c) => !c.ok).length} passed, ${checks.filter((c) => !c.ok).length + 1} failed\n`,
      );
      process.exitCode = 1;
    },
  );
}
