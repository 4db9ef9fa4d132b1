import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { addressResource } from "../../src/collect/ec2";
import { AwsCallError } from "../../src/errors";
import { evaluate } from "../../src/evaluate";
import {
  batchMetricData,
  buildMetricData,
  estimateDatumBytes,
  MAX_DATUMS_PER_REQUEST,
  MAX_REQUEST_BYTES,
  publishMetrics,
} from "../../src/publish/metrics";
import type { Evaluation, ResourceCidr, ResourceEvaluation, RulesFile, ScopeResult, Status } from "../../src/types";
import { addresses } from "../fixtures/ec2/us-east-1";
import { SUBNET_USABLE, subnet } from "../fixtures/resources";

const TIMESTAMP = new Date("2024-05-01T12:00:00.000Z");

/** A /24 subnet with the utilization and free addresses given as they are, even when they disagree. */
function resource(
  id: string,
  utilization: number | undefined,
  free: bigint | undefined,
  overrides: Partial<ResourceCidr> = {},
): ResourceCidr {
  return subnet(id, {
    ...(utilization !== undefined ? { utilization } : {}),
    ...(free !== undefined ? { free, used: SUBNET_USABLE - free } : {}),
    ...overrides,
  });
}

function evaluationOf(scope: string, status: Status, r: ResourceCidr): ResourceEvaluation {
  return { scope, resource: r, status, reason: status };
}

function scopeResult(
  name: string,
  evaluations: ResourceEvaluation[],
  overrides: Partial<ScopeResult> = {},
): ScopeResult {
  const counts: Record<Status, number> = { critical: 0, warning: 0, unknown: 0, ok: 0 };
  for (const e of evaluations) counts[e.status]++;
  // Like evaluate: the extremes cover only resources of more than one address.
  const measured = evaluations.filter((e) => e.resource.usable > 1n);
  const utilizations = measured.map((e) => e.resource.utilization).filter((u): u is number => u !== undefined);
  const frees = measured.map((e) => e.resource.free).filter((f): f is bigint => f !== undefined);
  const result: ScopeResult = {
    name,
    thresholds: { warning: 80, critical: 90 },
    resourceMetrics: false,
    resourceCount: evaluations.length,
    counts,
    status: counts.critical ? "critical" : counts.warning ? "warning" : counts.unknown ? "unknown" : "ok",
    evaluations,
    ...overrides,
  };
  if (utilizations.length > 0) result.maxUtilization = Math.max(...utilizations);
  // biome-ignore lint/complexity/useMathMinMax: BigInt counts; Math.min takes numbers only.
  if (frees.length > 0) result.minFree = frees.reduce((a, b) => (b < a ? b : a));
  return result;
}

function evaluation(...scopes: ScopeResult[]): Evaluation {
  return {
    scopes,
    scopesWithoutMatches: scopes.filter((s) => s.resourceCount === 0).map((s) => s.name),
    uncovered: [],
  };
}

const PROD = scopeResult("prod", [
  evaluationOf("prod", "critical", resource("subnet-01", 93.5, 16n)),
  evaluationOf("prod", "warning", resource("subnet-02", 82, 45n)),
  evaluationOf("prod", "ok", resource("subnet-03", 10, 226n)),
]);
const EMPTY = scopeResult("dev", []);

function find(data: MetricDatum[], name: string, scope?: string): MetricDatum[] {
  return data.filter(
    (d) =>
      d.MetricName === name &&
      (scope === undefined || d.Dimensions?.some((x) => x.Name === "Scope" && x.Value === scope)),
  );
}

describe("buildMetricData", () => {
  it("publishes the six per-scope metrics with the Scope dimension after a complete scan", () => {
    const data = buildMetricData(evaluation(PROD), { complete: true, timestamp: TIMESTAMP });

    const perScope = data.filter((d) => d.Dimensions?.length === 1);
    expect(perScope).to.deep.equal([
      {
        MetricName: "ResourceCount",
        Value: 3,
        Unit: "Count",
        Timestamp: TIMESTAMP,
        Dimensions: [{ Name: "Scope", Value: "prod" }],
      },
      {
        MetricName: "WarningCount",
        Value: 1,
        Unit: "Count",
        Timestamp: TIMESTAMP,
        Dimensions: [{ Name: "Scope", Value: "prod" }],
      },
      {
        MetricName: "CriticalCount",
        Value: 1,
        Unit: "Count",
        Timestamp: TIMESTAMP,
        Dimensions: [{ Name: "Scope", Value: "prod" }],
      },
      {
        MetricName: "UnknownCount",
        Value: 0,
        Unit: "Count",
        Timestamp: TIMESTAMP,
        Dimensions: [{ Name: "Scope", Value: "prod" }],
      },
      {
        MetricName: "MaxUtilization",
        Value: 93.5,
        Unit: "Percent",
        Timestamp: TIMESTAMP,
        Dimensions: [{ Name: "Scope", Value: "prod" }],
      },
      {
        MetricName: "MinFreeAddresses",
        Value: 16,
        Unit: "Count",
        Timestamp: TIMESTAMP,
        Dimensions: [{ Name: "Scope", Value: "prod" }],
      },
    ]);
  });

  it("publishes zero counts for a scope with nothing in trouble, so alarms never see missing data", () => {
    const data = buildMetricData(evaluation(EMPTY), { complete: true, timestamp: TIMESTAMP });

    expect(find(data, "ResourceCount", "dev")[0]?.Value).to.equal(0);
    expect(find(data, "WarningCount", "dev")[0]?.Value).to.equal(0);
    expect(find(data, "CriticalCount", "dev")[0]?.Value).to.equal(0);
    expect(find(data, "UnknownCount", "dev")[0]?.Value).to.equal(0);
  });

  it("counts a resource held at its last level both at that level and in UnknownCount, complete or partial", () => {
    const held = {
      ...evaluationOf("prod", "critical", resource("subnet-07", undefined, undefined)),
      held: { status: "critical" as const, since: "2024-05-01T11:00:00.000Z", utilization: 97 },
    };
    const scope = scopeResult("prod", [
      held,
      evaluationOf("prod", "unknown", resource("subnet-06", undefined, undefined)),
      evaluationOf("prod", "ok", resource("subnet-03", 10, 226n)),
    ]);

    for (const complete of [true, false]) {
      const data = buildMetricData(evaluation(scope), { complete, timestamp: TIMESTAMP });

      expect(find(data, "CriticalCount", "prod")[0]?.Value).to.equal(1);
      expect(find(data, "UnknownCount", "prod")[0]?.Value).to.equal(2);
    }
  });

  it("omits MaxUtilization and MinFreeAddresses when no resource has a known value", () => {
    const ipv6 = scopeResult("v6", [evaluationOf("v6", "unknown", resource("subnet-06", undefined, undefined))]);

    const data = buildMetricData(evaluation(ipv6), { complete: true, timestamp: TIMESTAMP });

    expect(find(data, "MaxUtilization")).to.deep.equal([]);
    expect(find(data, "MinFreeAddresses")).to.deep.equal([]);
    expect(find(data, "UnknownCount", "v6")[0]?.Value).to.equal(1);
  });

  describe("for scopes with Elastic IPs, evaluated", () => {
    /** An associated Elastic IP as the EC2 collector maps it from DescribeAddresses: 100% used, 0 free. */
    function associatedEip(): ResourceCidr {
      const mapped = addressResource(addresses.Addresses[0]!, "us-east-1", "111111111111");
      if (mapped === undefined) throw new Error("address fixture 0 did not map");
      return mapped;
    }
    const rulesFor = (resourceTypes: string[]): RulesFile => ({
      version: 1,
      file: "rules.yaml",
      defaults: { thresholds: { warning: 70, critical: 85 } },
      scopes: [{ name: "edge", match: { resourceTypes }, thresholds: {}, resourceMetrics: false }],
    });

    it("publishes a mixed scope's MaxUtilization and MinFreeAddresses from its subnets, not its associated Elastic IP", () => {
      const scanned = evaluate([resource("subnet-01", 40, 151n), associatedEip()], rulesFor(["subnet", "eip"]));

      const data = buildMetricData(scanned, { complete: true, timestamp: TIMESTAMP });

      expect(find(data, "MaxUtilization", "edge").map((d) => d.Value)).to.deep.equal([40]);
      expect(find(data, "MinFreeAddresses", "edge").map((d) => d.Value)).to.deep.equal([151]);
    });

    it("publishes the counts but no MaxUtilization or MinFreeAddresses for a scope of only Elastic IPs", () => {
      const scanned = evaluate([associatedEip()], rulesFor(["eip"]));

      const data = buildMetricData(scanned, { complete: true, timestamp: TIMESTAMP });

      expect(find(data, "ResourceCount", "edge")[0]?.Value).to.equal(1);
      expect(find(data, "MaxUtilization")).to.deep.equal([]);
      expect(find(data, "MinFreeAddresses")).to.deep.equal([]);
    });
  });

  it("clamps IPv6 free-address counts to Number.MAX_SAFE_INTEGER", () => {
    const pool = scopeResult(
      "v6-pools",
      [
        evaluationOf(
          "v6-pools",
          "ok",
          resource("ipam-pool-0123", 1, 2n ** 64n, { resourceType: "ipv6-pool", addressFamily: "ipv6" }),
        ),
      ],
      { resourceMetrics: true },
    );

    const data = buildMetricData(evaluation(pool), { complete: true, timestamp: TIMESTAMP });

    expect(find(data, "MinFreeAddresses")[0]?.Value).to.equal(Number.MAX_SAFE_INTEGER);
    expect(find(data, "FreeAddresses")[0]?.Value).to.equal(Number.MAX_SAFE_INTEGER);
  });

  it("publishes per-resource metrics with Scope, ResourceId and ResourceType only for scopes that ask", () => {
    const withResources = { ...PROD, name: "prod-detailed", resourceMetrics: true };

    const data = buildMetricData(evaluation(PROD, withResources), { complete: true, timestamp: TIMESTAMP });

    expect(find(data, "Utilization").map((d) => d.Dimensions)).to.deep.equal(
      ["subnet-01", "subnet-02", "subnet-03"].map((id) => [
        { Name: "Scope", Value: "prod-detailed" },
        { Name: "ResourceId", Value: id },
        { Name: "ResourceType", Value: "subnet" },
      ]),
    );
    expect(find(data, "FreeAddresses").map((d) => [d.Value, d.Unit])).to.deep.equal([
      [16, "Count"],
      [45, "Count"],
      [226, "Count"],
    ]);
  });

  it("skips per-resource datums whose value is unknown", () => {
    const v6 = scopeResult("v6", [evaluationOf("v6", "unknown", resource("subnet-06", undefined, undefined))], {
      resourceMetrics: true,
    });

    const data = buildMetricData(evaluation(v6), { complete: true, timestamp: TIMESTAMP });

    expect(find(data, "Utilization")).to.deep.equal([]);
    expect(find(data, "FreeAddresses")).to.deep.equal([]);
  });

  it("publishes ScanSuccess = 1 without dimensions after a complete scan", () => {
    const data = buildMetricData(evaluation(PROD), { complete: true, timestamp: TIMESTAMP });

    expect(find(data, "ScanSuccess")).to.deep.equal([
      { MetricName: "ScanSuccess", Value: 1, Unit: "Count", Timestamp: TIMESTAMP },
    ]);
  });

  it("publishes only the non-zero alarm counts after a partial scan", () => {
    const data = buildMetricData(evaluation(PROD, EMPTY), { complete: false, timestamp: TIMESTAMP });

    expect(data.map((d) => [d.MetricName, d.Dimensions?.[0]?.Value, d.Value])).to.deep.equal([
      ["WarningCount", "prod", 1],
      ["CriticalCount", "prod", 1],
    ]);
  });

  it("publishes every metric of a scope out of reach of what failed, and only non-zero alarm counts of the others", () => {
    const data = buildMetricData(evaluation(PROD, EMPTY), {
      complete: false,
      incompleteScopes: new Set(["prod"]),
      timestamp: TIMESTAMP,
    });

    expect(data.map((d) => [d.MetricName, d.Dimensions?.[0]?.Value, d.Value])).to.deep.equal([
      ["WarningCount", "prod", 1],
      ["CriticalCount", "prod", 1],
      ["ResourceCount", "dev", 0],
      ["WarningCount", "dev", 0],
      ["CriticalCount", "dev", 0],
      ["UnknownCount", "dev", 0],
    ]);
  });

  it("publishes no ScanSuccess after a partial scan even when every scope was out of reach of what failed", () => {
    const data = buildMetricData(evaluation(PROD), {
      complete: false,
      incompleteScopes: new Set(),
      timestamp: TIMESTAMP,
    });

    expect(find(data, "ResourceCount", "prod")).to.have.length(1);
    expect(find(data, "ScanSuccess")).to.deep.equal([]);
  });

  it("publishes no ScanSuccess after a partial scan", () => {
    const data = buildMetricData(evaluation(PROD), { complete: false, timestamp: TIMESTAMP });

    expect(find(data, "ScanSuccess")).to.deep.equal([]);
  });

  it("publishes MinFreePrefixes and MinAssignableAddresses for a scope that measures capacity", () => {
    const eks = scopeResult("eks", PROD.evaluations, { capacity: true, minFreePrefixes: 0, minAssignable: 37 });

    const data = buildMetricData(evaluation(eks), { complete: true, timestamp: TIMESTAMP });

    expect(find(data, "MinFreePrefixes", "eks")).to.deep.equal([
      {
        MetricName: "MinFreePrefixes",
        Value: 0,
        Unit: "Count",
        Timestamp: TIMESTAMP,
        Dimensions: [{ Name: "Scope", Value: "eks" }],
      },
    ]);
    expect(find(data, "MinAssignableAddresses", "eks").map((d) => d.Value)).to.deep.equal([37]);
  });

  it("publishes no capacity minimum when the scope has none (a subnet was not measured) or the scan is partial", () => {
    const unmeasured = scopeResult("eks", PROD.evaluations, { capacity: true });
    const measured = scopeResult("eks", PROD.evaluations, { capacity: true, minFreePrefixes: 0, minAssignable: 37 });

    const complete = buildMetricData(evaluation(unmeasured), { complete: true, timestamp: TIMESTAMP });
    const partial = buildMetricData(evaluation(measured), { complete: false, timestamp: TIMESTAMP });

    for (const data of [complete, partial]) {
      expect(find(data, "MinFreePrefixes")).to.deep.equal([]);
      expect(find(data, "MinAssignableAddresses")).to.deep.equal([]);
    }
  });

  it("publishes MinZoneFreeAddresses for a scope with the poorest zone's sum, complete scans only", () => {
    const pods = scopeResult("pods", PROD.evaluations, { minZoneFree: 120n });

    const complete = buildMetricData(evaluation(pods), { complete: true, timestamp: TIMESTAMP });
    const partial = buildMetricData(evaluation(pods), { complete: false, timestamp: TIMESTAMP });

    expect(find(complete, "MinZoneFreeAddresses", "pods").map((d) => [d.Value, d.Unit])).to.deep.equal([
      [120, "Count"],
    ]);
    expect(find(partial, "MinZoneFreeAddresses")).to.deep.equal([]);
    expect(
      find(buildMetricData(evaluation(PROD), { complete: true, timestamp: TIMESTAMP }), "MinZoneFreeAddresses"),
    ).to.deep.equal([]);
  });

  it("never publishes NaN or an infinite value", () => {
    const broken = scopeResult(
      "broken",
      [
        evaluationOf("broken", "unknown", resource("subnet-0a", Number.NaN, undefined)),
        evaluationOf("broken", "unknown", resource("subnet-0b", Number.POSITIVE_INFINITY, undefined)),
        evaluationOf("broken", "ok", resource("subnet-0c", 5, 2n ** 100n)),
      ],
      { resourceMetrics: true, maxUtilization: Number.NaN },
    );

    const data = buildMetricData(evaluation(broken, EMPTY, PROD), { complete: true, timestamp: TIMESTAMP });

    expect(data.length).to.be.greaterThan(10);
    for (const d of data) expect(Number.isFinite(d.Value), `${d.MetricName} = ${d.Value}`).to.equal(true);
  });
});

function datumsOf(count: number, dimensionValue = "prod"): MetricDatum[] {
  return Array.from({ length: count }, (_, i) => ({
    MetricName: "Utilization",
    Value: i % 100,
    Unit: "Percent",
    Timestamp: TIMESTAMP,
    Dimensions: [
      { Name: "Scope", Value: dimensionValue },
      { Name: "ResourceId", Value: `${dimensionValue}-${i}` },
      { Name: "ResourceType", Value: dimensionValue },
    ],
  }));
}

/** The request body as the SDK's JSON protocol sends it (timestamps as epoch seconds). */
function requestBytes(namespace: string, batch: MetricDatum[]): number {
  const body = {
    Namespace: namespace,
    MetricData: batch.map((d) => ({ ...d, Timestamp: d.Timestamp!.getTime() / 1000 })),
  };
  return Buffer.byteLength(JSON.stringify(body), "utf8");
}

describe("batchMetricData", () => {
  it("splits 2,345 datums into requests of at most 1,000", () => {
    const batches = batchMetricData(datumsOf(2345));

    expect(batches.map((b) => b.length)).to.deep.equal([1000, 1000, 345]);
  });

  it("keeps the datums in order across requests", () => {
    const datums = datumsOf(2345);

    expect(batchMetricData(datums).flat()).to.deep.equal(datums);
  });

  it("returns no request for no datums", () => {
    expect(batchMetricData([])).to.deep.equal([]);
  });

  it("keeps every request under 1 MB when dimension values are long", () => {
    const long = "x".repeat(1000);
    const datums = datumsOf(900, long);

    const batches = batchMetricData(datums, "IPAMMonitor");

    expect(batches.length).to.be.greaterThan(1);
    for (const batch of batches) {
      expect(batch.length).to.be.at.most(MAX_DATUMS_PER_REQUEST);
      expect(requestBytes("IPAMMonitor", batch)).to.be.lessThan(MAX_REQUEST_BYTES);
    }
  });

  it("counts non-ASCII dimension values at their largest escaped size", () => {
    const ascii = estimateDatumBytes(datumsOf(1, "a".repeat(100))[0]!);
    const accented = estimateDatumBytes(datumsOf(1, "é".repeat(100))[0]!);

    // Three dimensions carry the 100 characters; each is counted as a 6-byte \uXXXX instead of 1 byte.
    expect(accented - ascii).to.equal(3 * 100 * 5);
  });

  it("keeps requests with multi-byte dimension values under 1 MB", () => {
    const datums = datumsOf(900, "日本".repeat(500));

    for (const batch of batchMetricData(datums, "IPAMMonitor")) {
      expect(requestBytes("IPAMMonitor", batch)).to.be.lessThan(MAX_REQUEST_BYTES);
    }
  });
});

describe("publishMetrics", () => {
  // Mocked per test and restored after: a mock made once at load time is undone when another
  // test file restores its own mock of the same client class.
  let cloudwatch: AwsClientStub<CloudWatchClient>;
  beforeEach(() => {
    cloudwatch = mockClient(CloudWatchClient);
  });
  afterEach(() => cloudwatch.restore());

  it("sends every datum to the namespace and reports requests and datums", async () => {
    cloudwatch.on(PutMetricDataCommand).resolves({});
    const datums = datumsOf(2345);

    const result = await publishMetrics(new CloudWatchClient({ region: "eu-west-1" }), "IPAMMonitor", datums);

    expect(result).to.deep.equal({ requests: 3, datums: 2345 });
    const calls = cloudwatch.commandCalls(PutMetricDataCommand);
    expect(calls.map((c) => c.args[0].input.Namespace)).to.deep.equal(["IPAMMonitor", "IPAMMonitor", "IPAMMonitor"]);
    expect(calls.flatMap((c) => c.args[0].input.MetricData ?? [])).to.have.length(2345);
  });

  it("sends nothing when there is nothing to publish", async () => {
    const result = await publishMetrics(new CloudWatchClient({ region: "eu-west-1" }), "IPAMMonitor", []);

    expect(result).to.deep.equal({ requests: 0, datums: 0 });
    expect(cloudwatch.commandCalls(PutMetricDataCommand)).to.have.length(0);
  });

  it("tries every request when one fails, then throws an AwsCallError saying how much got through", async () => {
    const denied = Object.assign(new Error("User is not authorized to perform cloudwatch:PutMetricData"), {
      name: "AccessDenied",
    });
    cloudwatch.on(PutMetricDataCommand).resolvesOnce({}).rejectsOnce(denied).resolves({});

    const error = await publishMetrics(
      new CloudWatchClient({ region: "eu-west-1" }),
      "IPAMMonitor",
      datumsOf(2345),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(cloudwatch.commandCalls(PutMetricDataCommand)).to.have.length(3);
    expect(error).to.be.instanceOf(AwsCallError);
    expect(error).to.include({ action: "PutMetricData", service: "cloudwatch", target: "namespace IPAMMonitor" });
    expect((error as AwsCallError).detail).to.equal("1 of 3 requests failed, 1345 of 2345 datums published");
    expect((error as AwsCallError).cause).to.equal(denied);
  });
});
