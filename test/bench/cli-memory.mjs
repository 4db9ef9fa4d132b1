// @ts-check
/**
 * scripts/bench --cli-memory: the peak memory of the ipam-monitor command scanning a large IPAM,
 * against the pagination floor over the same endpoint.
 *
 * The synthetic IPAM (test/emulator, N resource CIDRs: 80% subnets, 10% VPCs, 10% Elastic IPs) is
 * served on loopback, and, `repeat` times, interleaved:
 *   - scripts/ipam-monitor runs `scan --rules RULES --dry-run --format json` (the 50 benchmark rule
 *     scopes) as a user runs it: the launcher, its Node.js flags and the bundle it execs (built first,
 *     as `npm run build` does); its JSON result is read and checked;
 *   - the same bundle under plain `node`, without the launcher's flags;
 *   - the pagination floor (probe.ts floor): the same SDK build paging through every scope, keeping
 *     nothing, under the command's Node.js flags and under plain `node`.
 * Peak RSS is each process's ru_maxrss. Correctness checks (every CIDR scanned, a complete scan) fail
 * the run; the targets (at most 256 MB and 1.3 × the floor) are reported, met or not. The ratio that
 * counts is against the floor under the same flags as the command: flags that make the heap cheaper
 * help the floor too, so comparing a tuned command with an untuned floor would flatter it.
 */

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { startEmulator } from "./emulator.mjs";
import { buildProbe, cleanEnv } from "./measure.mjs";
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

/** Preloaded (NODE_OPTIONS) into the command's and the floor's process: writes ru_maxrss and CPU time on fd 3 as it exits. */
const RSS_REPORTER = `process.on("exit", () => {
  const usage = process.resourceUsage();
  const report = { maxRssKb: usage.maxRSS, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000 };
  require("node:fs").writeSync(3, JSON.stringify(report) + "\\n");
});
`;

/**
 * @param {string} file
 * @param {string[]} args
 * @param {Record<string, string>} env
 * @returns {Promise<{ code: number | null; stdout: string; stderr: string; report: { maxRssKb: number; cpuMs: number } }>}
 */
function run(file, args, env) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
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
    child.on("close", (code) => {
      // The last line is the measured process's (a build the launcher ran first would write one before it).
      const last = report.trim().split("\n").at(-1);
      resolvePromise({
        code,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr,
        report: last ? JSON.parse(last) : { maxRssKb: Number.NaN, cpuMs: Number.NaN },
      });
    });
  });
}

/**
 * The Node.js flags scripts/ipam-monitor runs the command with: its `node_flags=(...)` line.
 * @param {string} launcher
 * @returns {string[]}
 */
export function launcherNodeFlags(launcher) {
  const line = /^node_flags=\(([^)]*)\)$/m.exec(launcher);
  if (line?.[1] === undefined)
    throw new Error("scripts/ipam-monitor has no node_flags=(...) line: the benchmark cannot tell its flags");
  return line[1]
    .trim()
    .split(/\s+/)
    .filter((flag) => flag !== "");
}

/**
 * The command's bundle where scripts/ipam-monitor runs it from (so the launcher finds it fresh and
 * builds nothing while it is measured) and the floor probe (with the handler's esbuild settings,
 * like scripts/bench's).
 * @param {string} work
 */
async function build(work) {
  // The launcher's own build (written under a temporary name and renamed), as npm run build makes it.
  execFileSync(process.execPath, [join(LAMBDA, "build.mjs"), "--cli-only"], { stdio: ["ignore", "ignore", "inherit"] });
  const cli = join(REPO, "scripts", "ipam-monitor");
  const probe = await buildProbe(join(HERE, "probe.ts"), join(work, "probe", "probe.js"));
  const reporter = join(work, "report-rss.cjs");
  writeFileSync(reporter, RSS_REPORTER);
  const bundle = join(LAMBDA, "dist", "cli", "ipam-monitor.js");
  return { cli, bundle, probe, reporter, nodeFlags: launcherNodeFlags(readFileSync(cli, "utf8")) };
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
    /** @type {number[]} */
    const flaggedFloorRss = [];
    /** @type {number[]} */
    const cliCpu = [];
    /** @type {number[]} */
    const plainRss = [];
    /** @type {number[]} */
    const plainCpu = [];
    /** @type {number[]} */
    const floorCpu = [];
    /** @type {number[]} */
    const flaggedFloorCpu = [];
    try {
      const env = cleanEnv({
        AWS_REGION: REGION,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        SCOPE_TYPES,
        AWS_ENDPOINT_URL: emulator.endpoint,
      });
      for (let round = 1; round <= repeat; round++) {
        const scan = await run(built.cli, ["scan", "--rules", rules, "--dry-run", "--format", "json"], {
          ...env,
          NODE_OPTIONS: `--require ${built.reporter}`,
        });
        const result = scan.code === 0 ? JSON.parse(scan.stdout) : undefined;
        check(
          `run ${round}: the command scanned all ${cidrs} resource CIDRs, completely`,
          result?.complete === true && result?.summary?.resources === cidrs,
          `exit ${scan.code}, ${result === undefined ? scan.stderr.slice(-2000) : `complete ${result.complete}, ${result.summary?.resources} resources`}`,
        );
        cliRss.push(scan.report.maxRssKb / 1024);
        cliCpu.push(scan.report.cpuMs);

        // The same bundle under plain `node`, without the launcher's flags: what they change.
        const plain = await run(
          process.execPath,
          ["--no-warnings", built.bundle, "scan", "--rules", rules, "--dry-run", "--format", "json"],
          { ...env, NODE_OPTIONS: `--require ${built.reporter}` },
        );
        const plainResult = plain.code === 0 ? JSON.parse(plain.stdout) : undefined;
        check(
          `run ${round}: the bundle under plain node scanned all ${cidrs} resource CIDRs, completely`,
          plainResult?.complete === true && plainResult?.summary?.resources === cidrs,
          `exit ${plain.code}`,
        );
        plainRss.push(plain.report.maxRssKb / 1024);
        plainCpu.push(plain.report.cpuMs);

        // The floor as plain `node` runs it, then with the flags the launcher gives the command.
        for (const [flags, rss, cpu] of /** @type {const} */ ([
          [[], floorRss, floorCpu],
          [built.nodeFlags, flaggedFloorRss, flaggedFloorCpu],
        ])) {
          const floor = await run(process.execPath, ["--no-warnings", ...flags, built.probe, "floor"], {
            ...env,
            NODE_OPTIONS: `--require ${built.reporter}`,
          });
          const floorReport = floor.code === 0 ? JSON.parse(floor.stdout) : undefined;
          const paged = floorReport?.scopes?.reduce(
            (/** @type {number} */ n, /** @type {{ resources: number }} */ s) => n + s.resources,
            0,
          );
          check(
            `run ${round}: the floor${flags.length > 0 ? ` (${flags.join(" ")})` : ""} paged through all ${cidrs} resource CIDRs`,
            paged === cidrs,
            `exit ${floor.code}, ${paged} read`,
          );
          rss.push(floor.report.maxRssKb / 1024);
          cpu.push(floor.report.cpuMs);
        }
        log(
          `cli-memory: run ${round}/${repeat}: command ${cliRss.at(-1)?.toFixed(0)} MB, ` +
            `floor ${floorRss.at(-1)?.toFixed(0)} MB, floor with the command's flags ${flaggedFloorRss.at(-1)?.toFixed(0)} MB`,
        );
      }
    } finally {
      await emulator.stop();
    }
    const cli = spread(cliRss);
    const floor = spread(floorRss);
    const flaggedFloor = spread(flaggedFloorRss);
    // Against the floor run with the command's own flags: the like-for-like comparison.
    const ratio = cli.median / flaggedFloor.median;
    return {
      cidrs,
      repeat,
      machine: { cpus: cpus().length, loadAverage: loadavg().map((l) => Number(l.toFixed(2))) },
      nodeFlags: built.nodeFlags,
      peakRssMb: { cli, plain: spread(plainRss), floor, flaggedFloor },
      cpuMs: {
        cli: spread(cliCpu),
        plain: spread(plainCpu),
        floor: spread(floorCpu),
        flaggedFloor: spread(flaggedFloorCpu),
      },
      ratio,
      plainFloorRatio: cli.median / floor.median,
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
  const ms = (/** @type {{ median: number }} */ s) => formatNumber(s.median, 0);
  return markdownTable(
    ["figure", `N = ${formatNumber(report.cidrs, 0)}`],
    [
      ["peak RSS of `scripts/ipam-monitor scan --dry-run --format json`, MB", mb(report.peakRssMb.cli)],
      ["peak RSS of the same bundle under plain `node` (no flags), MB", mb(report.peakRssMb.plain)],
      ["peak RSS of the pagination floor (plain `node`), MB", mb(report.peakRssMb.floor)],
      [
        `peak RSS of the floor with the command's flags (${report.nodeFlags.join(" ")}), MB`,
        mb(report.peakRssMb.flaggedFloor),
      ],
      ["**command ÷ floor with the command's flags** (the target's ratio)", formatNumber(report.ratio, 2)],
      ["command ÷ floor under plain `node`", formatNumber(report.plainFloorRatio, 2)],
      [
        "CPU time (user + system), ms: command / plain `node` / floor / floor with the flags",
        [report.cpuMs.cli, report.cpuMs.plain, report.cpuMs.floor, report.cpuMs.flaggedFloor].map(ms).join(" / "),
      ],
    ],
  );
}

const USAGE = `Usage: scripts/bench --cli-memory [--cidrs ${CLI_MEMORY_DEFAULTS.cidrs}] [--repeat ${CLI_MEMORY_DEFAULTS.repeat}] [--out FILE]

Peak RSS of \`ipam-monitor scan --dry-run --format json\` over N synthetic resource CIDRs (80% subnets),
against the pagination floor over the same endpoint under the command's Node.js flags (the ratio that
counts) and under plain \`node\`, \`repeat\` times each, interleaved.
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
      `≤ ${report.targets.floorRatio} × the floor under the same flags ${report.met.floorRatio ? "met" : "NOT met"}\n`,
  );
  if (values.out !== undefined)
    writeFileSync(
      resolve(values.out),
      `${JSON.stringify({ measured: new Date().toISOString(), ...report }, null, 2)}\n`,
    );
  const checks = 4 * repeat;
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
