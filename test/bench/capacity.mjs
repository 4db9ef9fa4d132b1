// @ts-check
/**
 * scripts/bench --capacity: what measuring capacity costs. A synthetic EC2 network of S subnets and
 * E network interfaces (test/emulator/synthetic_ec2.py) is served on loopback and the built handler
 * scans it with the EC2 source twice per round, alternating: once with a scope of every subnet that
 * has `capacity: true` (reads interfaces and reservations), once with the same scope without it.
 * The emulator counts the calls of every run.
 *
 * Correctness checks fail the run: every subnet measured, the calls the fewest the API allows with
 * the collector's batching (DescribeNetworkInterfaces pages of 1,000 under filters of at most 200
 * VPC ids, one GetSubnetCidrReservations per subnet), and nothing else added.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { startEmulator } from "./emulator.mjs";
import { buildHandler, cleanEnv, runHandler } from "./measure.mjs";
import { formatNumber, formatSpread, markdownTable, spread } from "./summary.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", "..");
const REGION = "us-east-1";
const SEED = 1;
/** synthetic_ec2.py puts eight /24 subnets in each VPC. */
const SUBNETS_PER_VPC = 8;
/** collect/enis.ts: filter values per DescribeNetworkInterfaces request and interfaces per page. */
const FILTER_VALUES = 200;
const PAGE_SIZE = 1000;

export const CAPACITY_DEFAULTS = { subnets: 2000, interfaces: 50_000, repeat: 3 };
export const CAPACITY_SMOKE = { subnets: 96, interfaces: 2400, repeat: 1 };

const USAGE = `Usage: scripts/bench --capacity [--subnets 2000] [--interfaces 50000] [--repeat 3] [--out FILE]

Measures what capacity: true costs a scan with the EC2 source: API calls and wall time of the built
handler on a synthetic network of SUBNETS /24 subnets and INTERFACES network interfaces, against the
same scan without capacity. Results: docs/bench-capacity.json (or --out FILE).
`;

/**
 * The rules of the benchmark: one scope of every subnet, with or without capacity.
 * @param {boolean} capacity
 */
export function capacityRulesYaml(capacity) {
  return [
    "version: 1",
    "scopes:",
    "  - name: pods",
    "    match: { resourceTypes: [subnet] }",
    ...(capacity
      ? ["    capacity: true", "    thresholds: { minFreePrefixesWarning: 2, minZoneFreeWarning: 1000 }"]
      : ["    thresholds: { minFreeWarning: 10, minZoneFreeWarning: 1000 }"]),
    "",
  ].join("\n");
}

/**
 * The fewest calls the capacity reads can take: interfaces by VPC (every subnet of each VPC is wanted),
 * at most 200 VPC ids a request, 1,000 interfaces a page (at least one page a request); one reservation
 * call per subnet. synthetic_ec2.py deals the interfaces to the subnets in turn.
 * @param {number} subnets
 * @param {number} interfaces
 */
export function expectedCapacityCalls(subnets, interfaces) {
  const perSubnet = (/** @type {number} */ i) => Math.floor(interfaces / subnets) + (i < interfaces % subnets ? 1 : 0);
  const vpcs = Math.ceil(subnets / SUBNETS_PER_VPC);
  let describeNetworkInterfaces = 0;
  for (let first = 0; first < vpcs; first += FILTER_VALUES) {
    let inBatch = 0;
    for (let v = first; v < Math.min(first + FILTER_VALUES, vpcs); v++) {
      for (let s = v * SUBNETS_PER_VPC; s < Math.min((v + 1) * SUBNETS_PER_VPC, subnets); s++) inBatch += perSubnet(s);
    }
    describeNetworkInterfaces += Math.max(1, Math.ceil(inBatch / PAGE_SIZE));
  }
  return { DescribeNetworkInterfaces: describeNetworkInterfaces, GetSubnetCidrReservations: subnets };
}

/**
 * The environment of every scan: a dry run with the EC2 source in the benchmark's Region, and `extra`.
 * @param {Record<string, string>} extra
 */
function childEnv(extra) {
  return cleanEnv({ AWS_REGION: REGION, SOURCE: "ec2", REGIONS: REGION, DRY_RUN: "true", ...extra });
}

/**
 * `handler`: an index.js already built (the main benchmark's; it reads RULES_FILE at run time), else one is built.
 * @param {{ subnets: number; interfaces: number; repeat: number; smoke: boolean; handler?: string }} options
 * @returns {Promise<{ document: Record<string, unknown>; checks: { name: string; ok: boolean; detail: string }[] }>}
 */
export async function runCapacityBench({ subnets, interfaces, repeat, smoke, handler: built }) {
  /** @type {{ name: string; ok: boolean; detail: string }[]} */
  const checks = [];
  /** @type {(name: string, ok: boolean, detail: string) => void} */
  const check = (name, ok, detail) => {
    checks.push({ name, ok, detail });
    if (!ok) process.stderr.write(`bench: FAILED ${name}: ${detail}\n`);
  };
  const work = mkdtempSync(join(tmpdir(), "ipam-monitor-bench-capacity-"));
  const started = Date.now();
  try {
    const withCapacity = join(work, "capacity.yaml");
    const without = join(work, "plain.yaml");
    writeFileSync(withCapacity, capacityRulesYaml(true));
    writeFileSync(without, capacityRulesYaml(false));
    if (built === undefined) process.stderr.write("bench: building the handler for the capacity benchmark\n");
    const handler = built ?? buildHandler(work, withCapacity);
    process.stderr.write(
      `bench: capacity at ${subnets} subnets, ${interfaces} interfaces: starting the synthetic EC2 network\n`,
    );
    const emulator = await startEmulator({
      repo: REPO,
      workDir: work,
      resources: 0,
      scopeTypes: "private",
      seed: SEED,
      network: { subnets, interfaces },
    });
    try {
      /** @type {Record<"capacity" | "plain", { wallMs: number[]; cpuMs: number[]; maxRssKb: number[]; calls: Record<string, number>[]; results: any[] }>} */
      const runs = {
        capacity: { wallMs: [], cpuMs: [], maxRssKb: [], calls: [], results: [] },
        plain: { wallMs: [], cpuMs: [], maxRssKb: [], calls: [], results: [] },
      };
      for (let round = 0; round < repeat; round++) {
        for (const [kind, rules] of /** @type {const} */ ([
          ["capacity", withCapacity],
          ["plain", without],
        ])) {
          await emulator.reset();
          const report = await runHandler(
            handler,
            "scan",
            childEnv({ AWS_ENDPOINT_URL: emulator.endpoint, RULES_FILE: rules }),
            { what: `the ${kind} scan` },
          );
          const stats = await emulator.stats();
          runs[kind].wallMs.push(report.handlerMs);
          runs[kind].cpuMs.push(report.cpuMs);
          runs[kind].maxRssKb.push(report.maxRssKb);
          runs[kind].calls.push(stats.calls);
          runs[kind].results.push(report);
        }
      }

      const expected = expectedCapacityCalls(subnets, interfaces);
      const first = runs.capacity.calls[0] ?? {};
      const plain = runs.plain.calls[0] ?? {};
      for (const [action, count] of Object.entries(expected)) {
        check(
          `capacity reads take the fewest ${action} calls (${count})`,
          runs.capacity.calls.every((c) => c[action] === count),
          `expected ${count} in every run, saw ${runs.capacity.calls.map((c) => c[action]).join(", ")}`,
        );
      }
      const added = Object.fromEntries(
        Object.keys({ ...first, ...plain })
          .map((action) => [action, (first[action] ?? 0) - (plain[action] ?? 0)])
          .filter(([, n]) => n !== 0),
      );
      check(
        "capacity adds no call but the interface and reservation reads",
        JSON.stringify(added) ===
          JSON.stringify({
            DescribeNetworkInterfaces: expected.DescribeNetworkInterfaces,
            GetSubnetCidrReservations: subnets,
          }),
        `added ${JSON.stringify(added)}`,
      );
      for (const report of runs.capacity.results) {
        check(
          "every capacity scan is complete with every subnet measured (no unknown, a minimum of free /28s)",
          report.complete === true &&
            report.summary.counts.unknown === 0 &&
            report.capacity?.minFreePrefixes !== undefined,
          JSON.stringify({ complete: report.complete, counts: report.summary.counts, capacity: report.capacity }),
        );
      }

      const figure = (/** @type {number[]} */ values) => spread(values);
      const results = {
        subnets,
        interfaces,
        calls: { capacity: first, plain },
        expectedCapacityCalls: expected,
        handlerMs: { capacity: figure(runs.capacity.wallMs), plain: figure(runs.plain.wallMs) },
        cpuMs: { capacity: figure(runs.capacity.cpuMs), plain: figure(runs.plain.cpuMs) },
        peakRssMb: {
          capacity: figure(runs.capacity.maxRssKb.map((kb) => kb / 1024)),
          plain: figure(runs.plain.maxRssKb.map((kb) => kb / 1024)),
        },
        capacity: runs.capacity.results[0]?.capacity,
      };
      const total = (/** @type {Record<string, number>} */ c) => Object.values(c).reduce((a, b) => a + b, 0);
      process.stdout.write(
        `\nCapacity at ${formatNumber(subnets, 0)} subnets and ${formatNumber(interfaces, 0)} interfaces (median of ${repeat}; ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(1)})\n\n${markdownTable(
          ["figure", "capacity: true", "without"],
          [
            ["API calls per scan", formatNumber(total(first), 0), formatNumber(total(plain), 0)],
            [
              "DescribeNetworkInterfaces",
              String(first.DescribeNetworkInterfaces ?? 0),
              String(plain.DescribeNetworkInterfaces ?? 0),
            ],
            [
              "GetSubnetCidrReservations",
              String(first.GetSubnetCidrReservations ?? 0),
              String(plain.GetSubnetCidrReservations ?? 0),
            ],
            [
              "handler wall time, ms",
              formatSpread(results.handlerMs.capacity, 0),
              formatSpread(results.handlerMs.plain, 0),
            ],
            ["handler CPU, ms", formatSpread(results.cpuMs.capacity, 0), formatSpread(results.cpuMs.plain, 0)],
            ["peak RSS, MB", formatSpread(results.peakRssMb.capacity, 0), formatSpread(results.peakRssMb.plain, 0)],
          ],
        )}\n`,
      );
      const document = {
        date: new Date().toISOString(),
        command: `scripts/bench --capacity --subnets ${subnets} --interfaces ${interfaces} --repeat ${repeat}`,
        smoke,
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverage: loadavg(), node: process.version },
        results,
        checks,
        durationSeconds: Math.round((Date.now() - started) / 100) / 10,
      };
      return { document, checks };
    } finally {
      await emulator.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * scripts/bench --capacity [options]
 * @param {string[]} argv
 */
export async function capacityMain(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      subnets: { type: "string" },
      interfaces: { type: "string" },
      repeat: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  /** @param {string | undefined} text @param {number} fallback @param {string} flag @param {number} max */
  const whole = (text, fallback, flag, max) => {
    if (text === undefined) return fallback;
    const n = Number(text.replace(/_/g, ""));
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new Error(`--${flag} "${text}" is not a whole number from 1 to ${max}`);
    return n;
  };
  const subnets = whole(values.subnets, CAPACITY_DEFAULTS.subnets, "subnets", 65_536);
  const interfaces = whole(values.interfaces, CAPACITY_DEFAULTS.interfaces, "interfaces", 5_000_000);
  const repeat = whole(values.repeat, CAPACITY_DEFAULTS.repeat, "repeat", 50);
  const { document, checks } = await runCapacityBench({ subnets, interfaces, repeat, smoke: false });
  const out = values.out === undefined ? join(REPO, "docs", "bench-capacity.json") : resolve(values.out);
  writeFileSync(out, `${JSON.stringify(document, null, 2)}\n`);
  const failures = checks.filter((c) => !c.ok).length;
  process.stdout.write(
    `\nresults written to ${out}\nbench checks: ${checks.length - failures} passed, ${failures} failed\n`,
  );
  return failures === 0 ? 0 : 1;
}
