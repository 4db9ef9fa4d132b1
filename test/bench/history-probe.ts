/**
 * The history benchmark's measuring program, bundled by test/bench/history.mjs with the handler's
 * esbuild settings:
 *
 *   node history-probe.js prepare DIR N DAYS     write DAYS days of history of N subnets into DIR
 *   node history-probe.js forecast DIR N DAYS    one scan's history work: read the window, forecast
 *                                                every resource, evaluate, fold the scan into today
 *
 * Each prints one JSON object on stdout. The network is synthetic and deterministic: /24 subnets in
 * ten accounts and four Regions, each growing, flat, shrinking or bursting, some full.
 */
import { evaluate } from "../../lambda/src/evaluate";
import { dayOf, encodeDay } from "../../lambda/src/history/format";
import { readForScan, writeForScan } from "../../lambda/src/history/scan-history";
import { rulesHash, snapshotOf } from "../../lambda/src/history/snapshot";
import { DirectoryHistoryStore } from "../../lambda/src/history/store-dir";
import { measureUsage } from "../../lambda/src/measure";
import type { ResourceCidr, RulesFile } from "../../lambda/src/types";

const DAY_MS = 86_400_000;
/** The scan the forecast runs for: the last of the prepared days. */
const NOW = new Date("2026-12-01T12:00:00Z");
const ACCOUNTS = Array.from({ length: 10 }, (_, i) => String(111122220000 + i));
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
const ENVIRONMENTS = ["prod", "staging", "dev", "test", "shared"];

export const RULES: RulesFile = {
  version: 1,
  file: "bench-rules.yaml",
  defaults: { thresholds: { warning: 80, critical: 90, daysToFullWarning: 30, daysToFullCritical: 7 } },
  scopes: [
    ...ENVIRONMENTS.map((env) => ({
      name: `${env}-subnets`,
      match: { resourceTypes: ["subnet"], tags: { env } },
      thresholds: { warning: 80, critical: 90, daysToFullWarning: 30, daysToFullCritical: 7 },
      resourceMetrics: false,
    })),
    ...REGIONS.map((region) => ({
      name: `all-${region}`,
      match: { regions: [region] },
      thresholds: { warning: 85, critical: 95, daysToFullWarning: 60, daysToFullCritical: 14 },
      resourceMetrics: false,
    })),
  ],
};

/** A small seeded generator (mulberry32): the same network on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How subnet i uses its 251 addresses on day d (0 = the first prepared day). */
function usedOn(i: number, day: number): number {
  const next = random(i + 1);
  const start = Math.floor(next() * 200);
  const kind = i % 5; // growing, flat, shrinking, bursting, growing fast
  const growth = kind === 0 ? 1 + next() * 3 : kind === 2 ? -(next() * 2) : kind === 4 ? 4 + next() * 6 : 0;
  const noise = random(i * 7919 + day)() * 4 - 2;
  const burst = kind === 3 && day % 9 === 4 ? 40 : 0;
  return Math.max(0, Math.min(251, Math.round(start + growth * day + noise + burst)));
}

function inventory(n: number, day: number): ResourceCidr[] {
  const resources: ResourceCidr[] = [];
  const tagSets = ENVIRONMENTS.map((env) => ({ env, team: `team-${env}` }));
  for (let i = 0; i < n; i++) {
    // A distinct /24 for every subnet: 10.0.0.0/24, 10.0.1.0/24, … 11.134.159.0/24.
    const cidr = `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;
    const used = usedOn(i, day);
    resources.push({
      source: "ipam",
      resourceId: `subnet-${(0x1000000000000 + i).toString(16).padStart(17, "0")}`,
      resourceType: "subnet",
      name: `app-${i % 5000}`,
      cidr,
      ownerId: ACCOUNTS[i % ACCOUNTS.length]!,
      region: REGIONS[i % REGIONS.length]!,
      vpcId: `vpc-${(0x100000000 + (i >> 3)).toString(16).padStart(17, "0")}`,
      availabilityZoneId: `az-${i % 12}`,
      tags: tagSets[i % tagSets.length]!,
      ...measureUsage({ resourceType: "subnet", cidr, ipUsage: used / 251 }),
    });
  }
  return resources;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function prepare(dir: string, n: number, days: number): Promise<unknown> {
  const store = new DirectoryHistoryStore(dir);
  const hash = rulesHash(RULES);
  let bytes = 0;
  for (let d = 0; d < days - 1; d++) {
    const scannedAt = new Date(NOW.getTime() - (days - 1 - d) * DAY_MS);
    const resources = inventory(n, d);
    const snapshot = snapshotOf({
      resources,
      evaluation: evaluate(resources, RULES),
      scannedAt,
      rulesHash: hash,
      source: "ipam",
    });
    const encoded = encodeDay(snapshot);
    bytes += encoded.byteLength;
    await store.writeDay(dayOf(scannedAt), encoded, undefined);
  }
  return { days: days - 1, resources: n, bytesPerDay: Math.round(bytes / (days - 1)) };
}

async function forecast(dir: string, n: number, days: number): Promise<unknown> {
  const store = new DirectoryHistoryStore(dir);
  const resources = inventory(n, days - 1);
  const before = process.memoryUsage().rss;

  const started = process.cpuUsage();
  const wall = Date.now();
  const read = await readForScan(store, resources, NOW, RULES);
  const readCpuMs = cpuMs(started);
  const evaluated = process.cpuUsage();
  const evaluation = evaluate(
    resources,
    RULES,
    read.read !== undefined ? { previousLevels: read.read.previousLevels } : {},
  );
  const evaluateCpuMs = cpuMs(evaluated);
  const writing = process.cpuUsage();
  const written = await writeForScan(store, { resources, evaluation, rules: RULES, scannedAt: NOW, source: "ipam" });
  const writeCpuMs = cpuMs(writing);
  const totalCpuMs = cpuMs(started);
  const wallMs = Date.now() - wall;

  if (read.failure !== undefined) throw new Error(`reading the history failed: ${read.failure.message}`);
  if (written.failure !== undefined) throw new Error(`writing the history failed: ${written.failure.message}`);
  const trends: Record<string, number> = {};
  let dated = 0;
  for (const r of resources) {
    const trend = r.forecast?.trend ?? "none";
    trends[trend] = (trends[trend] ?? 0) + 1;
    if (r.forecast?.daysToFull !== undefined) dated++;
  }
  return {
    resources: n,
    daysRead: read.read?.days.length ?? 0,
    trends,
    dated,
    inTrouble: evaluation.scopes.reduce((sum, s) => sum + s.counts.warning + s.counts.critical, 0),
    minDaysToFull: Object.fromEntries(evaluation.scopes.map((s) => [s.name, s.minDaysToFull ?? null])),
    recorded: written.recorded ?? null,
    cpuMs: { read: readCpuMs, evaluate: evaluateCpuMs, write: writeCpuMs, total: totalCpuMs },
    wallMs,
    rssBeforeMb: Math.round(before / 1e6),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function main(argv: string[]): Promise<void> {
  const [command, dir, n, days] = argv;
  if ((command !== "prepare" && command !== "forecast") || dir === undefined || n === undefined || days === undefined) {
    throw new Error("usage: history-probe.js prepare|forecast DIR N DAYS");
  }
  const report =
    command === "prepare" ? await prepare(dir, Number(n), Number(days)) : await forecast(dir, Number(n), Number(days));
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
