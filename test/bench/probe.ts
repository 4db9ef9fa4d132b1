/**
 * The benchmark's measuring programs, bundled by scripts/bench with the
 * handler's esbuild settings so that they use the very same SDK build:
 *
 *   node probe.js floor                      the pagination floor
 *   node --expose-gc probe.js evaluate RULES REPEAT   evaluation CPU
 *
 * Both read the same environment as the Lambda (AWS_REGION, SCOPE_TYPES,
 * AWS_ENDPOINT_URL, …) and print one JSON object on stdout.
 */
import { DescribeIpamScopesCommand, DescribeIpamsCommand, GetIpamResourceCidrsCommand } from "@aws-sdk/client-ec2";
import { createAwsClients } from "../../lambda/src/clients";
import { collectFromIpam } from "../../lambda/src/collect/ipam";
import { readConfig } from "../../lambda/src/config";
import { evaluate } from "../../lambda/src/evaluate";
import { buildMetricData } from "../../lambda/src/publish/metrics";
import { loadRulesFileSync } from "../../lambda/src/rules/load";

/** What the floor read from one IPAM scope. */
export interface FloorScope {
  scopeId: string;
  scopeType: string;
  resources: number;
  pages: number;
}

export interface FloorReport {
  wallMs: number;
  /** CPU of every thread (GC included), in ms. */
  cpuMs: number;
  scopes: FloorScope[];
  maxRssKb: number;
}

export interface EvaluateReport {
  resources: number;
  scopes: number;
  /** Resource × scope pairs the rules matched. */
  evaluations: number;
  /** Resources of scopes with resourceMetrics: true. */
  resourceMetricResources: number;
  scopesWithoutMatches: number;
  /** CPU (user + system, every thread: GC included) of each evaluate() call, in ms. */
  cpuMs: number[];
  wallMs: number[];
  /** Heap still in use once the collected resources are all that is left (after a full GC), in MB. */
  collectedHeapMb: number;
  /** What a complete, published scan of these resources sends. */
  metrics: { datums: number; series: number };
}

function elapsedMs(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

/**
 * The least a scan can do: the same client, the same discovery calls and every
 * page of GetIpamResourceCidrs for every scope, the scopes at once as the
 * collector reads them; nothing is kept but counts.
 */
async function floor(): Promise<FloorReport> {
  const config = readConfig(process.env);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const client = createAwsClients(config).ec2ForRegion(config.ipamRegion);
  const ipams = await client.send(new DescribeIpamsCommand({ MaxResults: 1000 }));
  const ipamIds = (ipams.Ipams ?? []).map((ipam) => ipam.IpamId ?? "");
  const listed = await client.send(
    new DescribeIpamScopesCommand({ Filters: [{ Name: "ipam-id", Values: ipamIds }], MaxResults: 1000 }),
  );
  const wanted = (listed.IpamScopes ?? []).filter((scope) =>
    (config.scopeTypes as string[]).includes(scope.IpamScopeType ?? ""),
  );
  const scopes = await Promise.all(
    wanted.map(async (scope): Promise<FloorScope> => {
      const scopeId = scope.IpamScopeId ?? "";
      let resources = 0;
      let pages = 0;
      let NextToken: string | undefined;
      do {
        const page = await client.send(
          new GetIpamResourceCidrsCommand({ IpamScopeId: scopeId, MaxResults: 1000, NextToken }),
        );
        resources += page.IpamResourceCidrs?.length ?? 0;
        pages += 1;
        NextToken = page.NextToken;
      } while (NextToken !== undefined && NextToken !== "");
      return { scopeId, scopeType: scope.IpamScopeType ?? "", resources, pages };
    }),
  );
  const wallMs = elapsedMs(started);
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, scopes, maxRssKb: process.resourceUsage().maxRSS };
}

/** Collects once, then times `evaluate` alone, `repeat` times, each after a full GC. */
async function evaluateOnly(rulesFile: string, repeat: number): Promise<EvaluateReport> {
  const config = readConfig(process.env);
  const rules = loadRulesFileSync(rulesFile);
  const collected = await collectFromIpam(createAwsClients(config).ec2ForRegion(config.ipamRegion), {
    scopeTypes: config.scopeTypes,
  });
  if (collected.failures.length > 0) throw new Error(`collection failed: ${JSON.stringify(collected.failures[0])}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const collectedHeapMb = process.memoryUsage().heapUsed / 2 ** 20;

  const cpuMs: number[] = [];
  const wallMs: number[] = [];
  let evaluation = evaluate([], rules);
  for (let run = 0; run < repeat; run++) {
    evaluation = evaluate([], rules); // drop the previous result before collecting garbage
    gc?.();
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    evaluation = evaluate(collected.resources, rules);
    wallMs.push(elapsedMs(started));
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
  }

  const datums = buildMetricData(evaluation, { complete: true, timestamp: new Date() });
  const series = new Set(
    datums.map((d) => JSON.stringify([d.MetricName, [...(d.Dimensions ?? [])].map((x) => [x.Name, x.Value]).sort()])),
  );
  return {
    resources: collected.resources.length,
    scopes: evaluation.scopes.length,
    evaluations: evaluation.scopes.reduce((n, s) => n + s.resourceCount, 0),
    resourceMetricResources: evaluation.scopes
      .filter((s) => s.resourceMetrics)
      .reduce((n, s) => n + s.resourceCount, 0),
    scopesWithoutMatches: evaluation.scopesWithoutMatches.length,
    collectedHeapMb,
    cpuMs,
    wallMs,
    metrics: { datums: datums.length, series: series.size },
  };
}

async function main(argv: string[]): Promise<unknown> {
  const [command, ...args] = argv;
  if (command === "floor") return floor();
  if (command === "evaluate") {
    const [rulesFile, repeat] = args;
    const runs = Number(repeat);
    if (rulesFile === undefined || !Number.isInteger(runs) || runs < 1)
      throw new Error("usage: probe.js evaluate RULES_FILE REPEAT");
    return evaluateOnly(rulesFile, runs);
  }
  throw new Error(`probe.js: unknown command "${command ?? ""}"; use floor or evaluate`);
}

main(process.argv.slice(2)).then(
  (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
  (err: unknown) => {
    process.stderr.write(`probe: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
