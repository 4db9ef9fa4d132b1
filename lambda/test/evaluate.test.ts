import { expect } from "chai";
import { compareEvaluations, evaluate, evaluateResource, formatPercent, worseStatus } from "../src/evaluate";
import type { ResourceCidr, RulesFile, ScopeRule, Thresholds } from "../src/types";

/** A subnet as the IPAM collector produces it from a GetIpamResourceCidrs entry (IpUsage 0..1). */
function subnet(id: string, ipUsage: number | undefined, overrides: Partial<ResourceCidr> = {}): ResourceCidr {
  const usable = 251n;
  const used = ipUsage === undefined ? undefined : BigInt(Math.round(Number(usable) * ipUsage));
  return {
    source: "ipam",
    resourceId: id,
    resourceType: "subnet",
    name: `app-${id.slice(-2)}`,
    cidr: "10.0.1.0/24",
    addressFamily: "ipv4",
    ownerId: "111122223333",
    region: "eu-west-1",
    vpcId: "vpc-0123456789abcdef0",
    tags: { Name: `app-${id.slice(-2)}` },
    size: 256n,
    usable,
    ...(used !== undefined ? { used, free: usable - used, utilization: ipUsage! * 100 } : {}),
    ipam: {
      ipamId: "ipam-0123456789abcdef0",
      ipamScopeId: "ipam-scope-0123456789abcdef0",
      ...(ipUsage !== undefined ? { ipUsage } : {}),
      managementState: "unmanaged",
      complianceStatus: "unmanaged",
      overlapStatus: "nonoverlapping",
    },
    ...overrides,
  };
}

/** An IPv6 subnet: IPAM reports no usage for it. */
function ipv6Subnet(id: string): ResourceCidr {
  return {
    source: "ipam",
    resourceId: id,
    resourceType: "subnet",
    cidr: "2600:1f18:abcd:1200::/64",
    addressFamily: "ipv6",
    ownerId: "111122223333",
    region: "eu-west-1",
    vpcId: "vpc-0123456789abcdef0",
    tags: {},
    size: 2n ** 64n,
    usable: 2n ** 64n,
  };
}

const THRESHOLDS: Thresholds = { warning: 70, critical: 85, minFreeWarning: 50, minFreeCritical: 25 };

function scope(name: string, overrides: Partial<ScopeRule> = {}): ScopeRule {
  return { name, match: { resourceTypes: ["subnet"] }, thresholds: {}, resourceMetrics: false, ...overrides };
}

function rules(scopes: ScopeRule[], defaults: Thresholds = THRESHOLDS): RulesFile {
  return { version: 1, file: "rules.yaml", defaults: { thresholds: defaults }, scopes };
}

describe("evaluateResource", () => {
  it("reports a subnet below every threshold as ok", () => {
    const result = evaluateResource(subnet("subnet-01", 0.4), THRESHOLDS);

    expect(result.status).to.equal("ok");
    expect(result.breach).to.equal(undefined);
  });

  it("reports a subnet at exactly the warning percent as warning", () => {
    const result = evaluateResource(subnet("subnet-01", 0.7, { free: 200n }), THRESHOLDS);

    expect(result.status).to.equal("warning");
    expect(result.reason).to.equal("utilization 70% ≥ warning 70%");
  });

  it("reports utilization at or above the critical percent as critical, naming actual and limit", () => {
    const result = evaluateResource(subnet("subnet-01", 0.913, { free: 100n }), THRESHOLDS);

    expect(result.status).to.equal("critical");
    expect(result.reason).to.equal("utilization 91.3% ≥ critical 85%");
    expect(result.breach).to.deep.equal({ level: "critical", kind: "utilization", actual: 91.3, limit: 85 });
  });

  it("reports fewer free addresses than the critical minimum as critical", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { utilization: 10, free: 12n }), THRESHOLDS);

    expect(result.status).to.equal("critical");
    expect(result.reason).to.equal("12 free addresses < critical minimum 25");
    expect(result.breach).to.deep.equal({ level: "critical", kind: "minFree", actual: 12n, limit: 25 });
  });

  it("reports exactly the minimum free addresses as not below it", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { utilization: 10, free: 50n }), THRESHOLDS);

    expect(result.status).to.equal("ok");
  });

  it("says 'address' for a single free address", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { utilization: 10, free: 1n }), THRESHOLDS);

    expect(result.reason).to.equal("1 free address < critical minimum 25");
  });

  it("lets a critical minimum-free breach win over a warning utilization", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { utilization: 75, free: 20n }), THRESHOLDS);

    expect(result.status).to.equal("critical");
    expect(result.breach?.kind).to.equal("minFree");
  });

  it("names both thresholds when both are crossed at the same level", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { utilization: 90, free: 3n }), THRESHOLDS);

    expect(result.reason).to.equal("utilization 90% ≥ critical 85%; 3 free addresses < critical minimum 25");
    expect(result.breach?.kind).to.equal("utilization");
  });

  it("reports a warning from free addresses while utilization is low", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { utilization: 20, free: 40n }), THRESHOLDS);

    expect(result.status).to.equal("warning");
    expect(result.reason).to.equal("40 free addresses < warning minimum 50");
  });

  it("reports a CIDR without usage as unknown, never ok", () => {
    const result = evaluateResource(ipv6Subnet("subnet-06"), THRESHOLDS);

    expect(result.status).to.equal("unknown");
    expect(result.reason).to.match(/unknown/);
  });

  it("reports unknown when only a percent threshold is set and utilization is missing", () => {
    const result = evaluateResource(ipv6Subnet("subnet-06"), { warning: 80 });

    expect(result.status).to.equal("unknown");
  });

  it("reports unknown when only a minimum-free threshold is set and free addresses are missing", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { utilization: 10 }), { minFreeCritical: 25 });

    expect(result.status).to.equal("unknown");
  });

  it("lets a known free count reach critical although utilization is unknown", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { free: 5n }), THRESHOLDS);

    expect(result.status).to.equal("critical");
  });

  it("treats a NaN utilization as unknown", () => {
    const result = evaluateResource(subnet("subnet-01", undefined, { utilization: Number.NaN }), { warning: 80 });

    expect(result.status).to.equal("unknown");
    expect(result.reason).to.not.match(/NaN/);
  });

  it("does not let floating-point noise from IpUsage × 100 slip under the limit", () => {
    const result = evaluateResource(subnet("subnet-01", 0.57, { free: 200n }), { warning: 57 });

    expect(0.57 * 100).to.be.lessThan(57);
    expect(result.status).to.equal("warning");
    expect(result.reason).to.equal("utilization 57% ≥ warning 57%");
  });

  it("compares free addresses exactly for IPv6-sized counts", () => {
    const huge = { ...ipv6Subnet("subnet-06"), utilization: 1, free: 2n ** 64n };

    const result = evaluateResource(huge, THRESHOLDS);

    expect(result.status).to.equal("ok");
  });

  it("reports ok when the resource has usage and no threshold applies", () => {
    const result = evaluateResource(subnet("subnet-01", 0.99), {});

    expect(result.status).to.equal("ok");
  });
});

describe("formatPercent", () => {
  it("rounds down so a value under a limit never prints as the limit", () => {
    expect(formatPercent(79.96)).to.equal("79.9%");
  });

  it("prints whole percents without a decimal", () => {
    expect(formatPercent(85)).to.equal("85%");
  });
});

describe("worseStatus", () => {
  it("orders critical over warning over unknown over ok", () => {
    expect(worseStatus("ok", "unknown")).to.equal("unknown");
    expect(worseStatus("warning", "unknown")).to.equal("warning");
    expect(worseStatus("warning", "critical")).to.equal("critical");
  });
});

describe("evaluate", () => {
  const resources = [
    subnet("subnet-01", 0.4),
    subnet("subnet-02", 0.9),
    subnet("subnet-03", 0.75),
    subnet("subnet-04", 0.95),
    ipv6Subnet("subnet-06"),
    subnet("subnet-05", 0.72),
  ];

  it("counts each resource once, at its worst status", () => {
    const [s] = evaluate(resources, rules([scope("all-subnets")])).scopes;

    expect(s!.counts).to.deep.equal({ critical: 2, warning: 2, unknown: 1, ok: 1 });
    expect(s!.resourceCount).to.equal(6);
  });

  it("gives the scope the worst status of its resources", () => {
    const [s] = evaluate(resources, rules([scope("all-subnets")])).scopes;

    expect(s!.status).to.equal("critical");
  });

  it("sorts evaluations worst first, then by utilization descending", () => {
    const [s] = evaluate(resources, rules([scope("all-subnets")])).scopes;

    expect(s!.evaluations.map((e) => e.resource.resourceId)).to.deep.equal([
      "subnet-04",
      "subnet-02",
      "subnet-03",
      "subnet-05",
      "subnet-06",
      "subnet-01",
    ]);
  });

  it("reports the highest utilization and the fewest free addresses as BigInt", () => {
    const [s] = evaluate(resources, rules([scope("all-subnets")])).scopes;

    expect(s!.maxUtilization).to.equal(95);
    expect(s!.minFree).to.equal(251n - 238n);
  });

  it("evaluates a resource in every scope that matches it, with each scope's thresholds", () => {
    const evaluation = evaluate(
      [subnet("subnet-03", 0.75)],
      rules([scope("strict", { thresholds: { warning: 50, critical: 70 } }), scope("lenient", { thresholds: { warning: 80, critical: 90 } })]),
    );

    expect(evaluation.scopes.map((s) => [s.name, s.status])).to.deep.equal([
      ["strict", "critical"],
      ["lenient", "ok"],
    ]);
  });

  it("merges scope thresholds over the defaults field by field", () => {
    const [s] = evaluate([subnet("subnet-01", 0.4, { free: 30n })], rules([scope("custom", { thresholds: { warning: 30 } })])).scopes;

    expect(s!.thresholds).to.deep.equal({ warning: 30, critical: 85, minFreeWarning: 50, minFreeCritical: 25 });
    expect(s!.evaluations[0]!.reason).to.equal("utilization 40% ≥ warning 30%; 30 free addresses < warning minimum 50");
  });

  it("lists scopes that matched nothing, reported ok with no extremes", () => {
    const evaluation = evaluate(resources, rules([scope("all-subnets"), scope("pools", { match: { resourceTypes: ["ipv6-pool"] } })]));

    expect(evaluation.scopesWithoutMatches).to.deep.equal(["pools"]);
    const pools = evaluation.scopes[1]!;
    expect(pools.status).to.equal("ok");
    expect(pools.maxUtilization).to.equal(undefined);
    expect(pools.minFree).to.equal(undefined);
  });

  it("reports resources no scope matches as uncovered", () => {
    const vpc = subnet("vpc-0123456789abcdef0", 0.5, { resourceType: "vpc", vpcId: undefined, cidr: "10.0.0.0/16" });

    const evaluation = evaluate([...resources, vpc], rules([scope("all-subnets")]));

    expect(evaluation.uncovered).to.deep.equal([vpc]);
  });

  it("leaves a resource out of a scope whose exclude matches it", () => {
    const [s] = evaluate(resources, rules([scope("ipv4", { exclude: { addressFamily: "ipv6" } })])).scopes;

    expect(s!.evaluations.map((e) => e.resource.resourceId)).to.not.include("subnet-06");
  });

  it("keeps an unknown-only scope at unknown and without MaxUtilization", () => {
    const [s] = evaluate([ipv6Subnet("subnet-06")], rules([scope("v6")])).scopes;

    expect(s!.status).to.equal("unknown");
    expect(s!.maxUtilization).to.equal(undefined);
  });

  it("orders equal utilization by fewest free addresses, then by id", () => {
    const a = { scope: "s", resource: subnet("subnet-0b", 0.9, { free: 10n }), status: "critical" as const, reason: "" };
    const b = { scope: "s", resource: subnet("subnet-0a", 0.9, { free: 20n }), status: "critical" as const, reason: "" };
    const c = { scope: "s", resource: subnet("subnet-0c", 0.9, { free: 20n }), status: "critical" as const, reason: "" };

    expect([c, b, a].sort(compareEvaluations).map((e) => e.resource.resourceId)).to.deep.equal(["subnet-0b", "subnet-0a", "subnet-0c"]);
  });

  it("evaluates 100,000 resources against 50 scopes in well under a second of CPU", function () {
    this.timeout(20000);
    const regions = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-1"];
    const accounts = Array.from({ length: 10 }, (_, i) => String(111122223330 + i));
    const many: ResourceCidr[] = [];
    for (let i = 0; i < 100_000; i++) {
      const id = `subnet-${i.toString(16).padStart(17, "0")}`;
      many.push(
        subnet(id, (i % 1000) / 1000, {
          region: regions[i % regions.length],
          ownerId: accounts[i % accounts.length],
          tags: { Name: `app-${i % 97}`, env: i % 3 === 0 ? "prod" : "dev" },
        }),
      );
    }
    // 50 scopes: per account and region (each resource in one), plus a catch-all.
    const scopes: ScopeRule[] = [];
    for (const account of accounts) for (const region of regions.slice(0, 4)) scopes.push(scope(`${account}-${region}`, { match: { accounts: [account], regions: [region] } }));
    for (let i = scopes.length; i < 49; i++) scopes.push(scope(`prod-${i}`, { match: { tags: { env: "prod", Name: `app-${i}` } } }));
    scopes.push(scope("everything", { match: {} }));

    evaluate(many.slice(0, 1000), rules(scopes)); // warm up the JIT
    const started = process.cpuUsage();
    const evaluation = evaluate(many, rules(scopes));
    const used = process.cpuUsage(started);

    expect(evaluation.scopes).to.have.length(50);
    expect(evaluation.scopes.at(-1)!.resourceCount).to.equal(100_000);
    expect((used.user + used.system) / 1000).to.be.lessThan(1000);
  });
});
