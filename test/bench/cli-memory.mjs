// @ts-check
/**
 * scripts/bench --cli-memory: the peak memory of the ipam-monitor command scanning a large IPAM,
 * against the pagination floor over the same endpoint.
 *
 * The synthetic IPAM (test/emulator, N resource CIDRs: 80% subnets, 10% VPCs, 10% Elastic IPs) is
 * served on loopback, and, `repeat` times, interleaved:
 *   - the command bundle runs `scan --rules RULES --dry-run --format json` (what scripts/ipam-monitor
 *     execs; the 50 benchmark rule scopes), its JSON result read and checked;
 *   - the pagination floor (probe.ts floor): the same SDK build paging through every scope, keeping
 *     nothing.
 * Peak RSS is each process's ru_maxrss. Correctness checks (every CIDR scanned, a complete scan) fail
 * the run; the targets (at most 256 MB and 1.3 × the floor) are reported, met or not.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { startEmulator } from "./emulator.mjs";
import { benchRulesYaml } from "./rules.mjs";
import { formatNumber, markdownTable, spread } from "./summary.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", "..");
const LAMBDA = join(REPO, "lambda");
const REGION = "us-east-1";
const SCOPE_TYPES = "private,public";
const SEED = 1;

export const CLI_MEMORY_DEFAULTS = { cidrs: 152_000, repeat: 3 };
export const CLI_MEMORY_TARGETS = { peakRssMb: 256, floorRatio: 1.3 };

/** Preloaded into the command's process: writes its ru_maxrss on fd 3 as it exits. */
const RSS_REPORTER = `process.on("exit", () => {
  require("node:fs").writeSync(3, JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }) + "\\n");
});
`;

/**
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @returns {Promise<{ code: number | null; stdout: string; stderr: string; report: string }>}
 */
function runNode(args, env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--no-warnings", ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    /** @type {Buffer[]} */
    const stdout = [];
    let stderr = "";
    let report = "";
    child.stdout?.on("data", (chunk) => stdout.push(chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    /** @type {import("node:stream").Readable} */ (child.stdio[3]).on("data", (chunk) => (report += chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolvePromise({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr, report }),
    );
  });
}

/** @param {Record<string, string>} extra */
function childEnv(extra) {
  /** @type {Record<string, string>} */
  const env = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: "AKIDBENCHMARK",
    AWS_SECRET_ACCESS_KEY: "benchmark",
    AWS_REGION: REGION,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    SCOPE_TYPES,
    ...extra,
  };
}

/**
 * The command bundle (as scripts/ipam-monitor builds it) and the floor probe (with the handler's
 * esbuild settings, like scripts/bench's).
 * @param {string} work
 */
async function build(work) {
  const { bundleCli, handlerOptions } = await import(join(LAMBDA, "scripts", "bundle.mjs"));
  const esbuild = createRequire(join(LAMBDA, "package.json"))("esbuild");
  const cli = await bundleCli(join(work, "cli"));
  const probe = join(work, "probe", "probe.js");
  await esbuild.build({
    ...handlerOptions(join(work, "probe")),
    entryPoints: [join(HERE, "probe.ts")],
    outfile: probe,
    nodePaths: [join(LAMBDA, "node_modules")],
    logLevel: "error",
  });
  const reporter = join(work, "report-rss.cjs");
  writeFileSync(reporter, RSS_REPORTER);
  return { cli, probe, reporter };
}

/**
 * Measures the command against the floor. Returns the figures and the failed checks.
 * @param {{ cidrs: number; repeat: number; log: (line: string) => void }} options
 */
export async function measureCliMemory({ cidrs, repeat, log }) {
  const work = mkdtempSync(join(tmpdir(), "ipam-monitor-cli-memory-"));
  /** @type {string[]} */
  const failures = [];
  const check = (/** @type {string} */ what, /** @type {boolean} */ ok, /** @type {string} */ detail = "") => {
    log(`  ${ok ? "ok  " : "FAIL"}  ${what}${ok || detail === "" ? "" : `: ${detail}`}`);
    if (!ok) failures.push(what);
  };
  try {
    log("cli-memory: building the command bundle and the floor probe");
    const built = await build(work);
    const rules = join(work, "rules.yaml");
    writeFileSync(rules, benchRulesYaml());
    log(`cli-memory: serving ${formatNumber(cidrs, 0)} synthetic resource CIDRs`);
    const emulator = await startEmulator({
      repo: REPO,
      workDir: work,
      resources: cidrs,
      scopeTypes: SCOPE_TYPES,
      seed: SEED,
    });
    /** @type {number[]} */
    const cliRss = [];
    /** @type {number[]} */
    const floorRss = [];
    try {
      const env = childEnv({ AWS_ENDPOINT_URL: emulator.endpoint });
      for (let run = 0; run < repeat; run++) {
        const scan = await runNode(
          ["--require", built.reporter, built.cli, "scan", "--rules", rules, "--dry-run", "--format", "json"],
          env,
        );
        const result = scan.code === 0 ? JSON.parse(scan.stdout) : undefined;
        check(
          `run ${run + 1}: the command scanned all ${cidrs} resource CIDRs, completely`,
          result?.complete === true && result?.summary?.resources === cidrs,
          `exit ${scan.code}, ${result === undefined ? scan.stderr.slice(-2000) : `complete ${result.complete}, ${result.summary?.resources} resources`}`,
        );
        cliRss.push(JSON.parse(scan.report).maxRssKb / 1024);

        const floor = await runNode([built.probe, "floor"], env);
        const floorReport = floor.code === 0 ? JSON.parse(floor.stdout) : undefined;
        const paged = floorReport?.scopes?.reduce(
          (/** @type {number} */ n, /** @type {{ resources: number }} */ s) => n + s.resources,
          0,
        );
        check(
          `run ${run + 1}: the floor paged through all ${cidrs} resource CIDRs`,
          paged === cidrs,
          `exit ${floor.code}, ${paged} read`,
        );
        floorRss.push((floorReport?.maxRssKb ?? Number.NaN) / 1024);
        log(
          `cli-memory: run ${run + 1}/${repeat}: command ${cliRss.at(-1)?.toFixed(0)} MB, floor ${floorRss.at(-1)?.toFixed(0)} MB`,
        );
      }
    } finally {
      await emulator.stop();
    }
    const cli = spread(cliRss);
    const floor = spread(floorRss);
    const ratio = cli.median / floor.median;
    return {
      cidrs,
      repeat,
      machine: { cpus: cpus().length, loadAverage: loadavg().map((l) => Number(l.toFixed(2))) },
      peakRssMb: { cli, floor },
      ratio,
      targets: CLI_MEMORY_TARGETS,
      met: { peakRss: cli.median <= CLI_MEMORY_TARGETS.peakRssMb, floorRatio: ratio <= CLI_MEMORY_TARGETS.floorRatio },
      failures,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The figures as a Markdown table.
 * @param {Awaited<ReturnType<typeof measureCliMemory>>} report
 */
export function cliMemoryTable(report) {
  const mb = (/** @type {{ median: number; min: number; max: number }} */ s) =>
    `${formatNumber(s.median, 0)} (${formatNumber(s.min, 0)}–${formatNumber(s.max, 0)})`;
  return markdownTable(
    ["figure", `N = ${formatNumber(report.cidrs, 0)}`],
    [
      ["peak RSS of `ipam-monitor scan --dry-run --format json`, MB", mb(report.peakRssMb.cli)],
      ["peak RSS of the pagination floor, MB", mb(report.peakRssMb.floor)],
      ["command ÷ floor", formatNumber(report.ratio, 2)],
    ],
  );
}

const USAGE = `Usage: scripts/bench --cli-memory [--cidrs ${CLI_MEMORY_DEFAULTS.cidrs}] [--repeat ${CLI_MEMORY_DEFAULTS.repeat}] [--out FILE]

Peak RSS of \`ipam-monitor scan --dry-run --format json\` over N synthetic resource CIDRs (80% subnets),
against the pagination floor over the same endpoint, \`repeat\` times each, interleaved.
  --out FILE   also write the figures as JSON (docs/bench-cli-memory.json is where docs/performance.md reads them)
Exit status: 0 when every correctness check passed (targets are reported, not enforced), 1 otherwise.
`;

/** @param {string[]} argv */
async function main(argv) {
  const { parseArgs } = await import("node:util");
  const { values } = parseArgs({
    args: argv,
    options: {
      cidrs: { type: "string" },
      repeat: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  const cidrs = Number(values.cidrs ?? CLI_MEMORY_DEFAULTS.cidrs);
  const repeat = Number(values.repeat ?? CLI_MEMORY_DEFAULTS.repeat);
  if (!Number.isInteger(cidrs) || cidrs < 1 || cidrs > 1_000_000 || !Number.isInteger(repeat) || repeat < 1) {
    process.stderr.write(`bench: --cidrs must be 1 to 1000000 and --repeat at least 1\n\n${USAGE}`);
    return 2;
  }
  const report = await measureCliMemory({ cidrs, repeat, log: (line) => process.stderr.write(`${line}\n`) });
  process.stdout.write(`\n${cliMemoryTable(report)}\n\n`);
  process.stdout.write(
    `targets: peak RSS ≤ ${report.targets.peakRssMb} MB ${report.met.peakRss ? "met" : "NOT met"}; ` +
      `≤ ${report.targets.floorRatio} × the floor ${report.met.floorRatio ? "met" : "NOT met"}\n`,
  );
  if (values.out !== undefined)
    writeFileSync(
      resolve(values.out),
      `${JSON.stringify({ measured: new Date().toISOString(), ...report }, null, 2)}\n`,
    );
  const checks = 2 * repeat;
  process.stdout.write(
    `cli-memory checks: ${checks - report.failures.length} passed, ${report.failures.length} failed\n`,
  );
  return report.failures.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
