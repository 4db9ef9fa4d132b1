import type { IpamResourceCidr } from "@aws-sdk/client-ec2";
import { expect } from "chai";
import { addressResource } from "../src/collect/ec2";
import { toResourceCidr } from "../src/collect/ipam";
import {
  compareEvaluations,
  compareResources,
  evaluate,
  evaluateResource,
  formatPercent,
  orderResources,
  sortKeys,
} from "../src/evaluate";
import type { ResourceCidr, RulesFile, ScopeRule, Thresholds } from "../src/types";
import { addresses } from "./fixtures/ec2/us-east-1";
import { eip, IPAM_A, SCOPE_A_PRIVATE, SCOPE_A_PUBLIC, subnetIpv6, vpcProd } from "./fixtures/ipam/responses";
import { subnet as baseSubnet, ipv6Subnet, rulesFile, SUBNET_USABLE, scopeRule } from "./fixtures/resources";

/** A subnet as the IPAM collector produces it from a GetIpamResourceCidrs entry (IpUsage 0..1). */
function subnet(id: string, ipUsage: number | undefined, overrides: Partial<ResourceCidr> = {}): ResourceCidr {
  const usable = SUBNET_USABLE;
  const used = ipUsage === undefined ? undefined : BigInt(Math.round(Number(usable) * ipUsage));
  return baseSubnet(id, {
    name: `app-${id.slice(-2)}`,
    tags: { Name: `app-${id.slice(-2)}` },
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
  });
}

const THRESHOLDS: Thresholds = { warning: 70, critical: 85, minFreeWarning: 50, minFreeCritical: 25 };

/** A GetIpamResourceCidrs entry as the IPAM collector maps it. */
function fromIpam(entry: IpamResourceCidr, scopeId: string): ResourceCidr {
  const mapped = toResourceCidr(entry, { scopeId, ipamId: IPAM_A });
  if (!("resourceId" in mapped)) throw new Error(`fixture ${entry.ResourceId} did not map: ${mapped.message}`);
  return mapped;
}

/** A DescribeAddresses entry as the EC2 collector maps it. */
function fromEc2(index: 0 | 1): ResourceCidr {
  const mapped = addressResource(addresses.Addresses[index]!, "us-east-1", "111111111111");
  if (mapped === undefined) throw new Error(`address fixture ${index} did not map`);
  return mapped;
}

/** An Elastic IP with an association (EC2 source): a /32, 100% used, 0 free. */
const associatedEc2Eip = (): ResourceCidr => fromEc2(0);
/** An Elastic IP without an association (EC2 source): a /32, 0% used, 1 free. */
const idleEc2Eip = (): ResourceCidr => fromEc2(1);
const associatedIpamEip = (): ResourceCidr => fromIpam(eip, SCOPE_A_PUBLIC);
const idleIpamEip = (): ResourceCidr => fromIpam({ ...eip, IpUsage: 0 }, SCOPE_A_PUBLIC);
const vpcAt = (ipUsage: number): ResourceCidr => fromIpam({ ...vpcProd, IpUsage: ipUsage }, SCOPE_A_PRIVATE);

const DEFAULTS: Thresholds = { warning: 70, critical: 85 };
const IDLE_WARNING: Thresholds = { ...DEFAULTS, minUtilizationWarning: 1 };

function scope(name: string, overrides: Partial<ScopeRule> = {}): ScopeRule {
  return scopeRule(name, { match: { resourceTypes: ["subnet"] }, ...overrides });
}

function rules(scopes: ScopeRule[], defaults: Thresholds = THRESHOLDS): RulesFile {
  return rulesFile(scopes, defaults);
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

describe("evaluateResource for single addresses and minimum utilization", () => {
  it("reports an idle Elastic IP from EC2 below a 1% minimum as warning", () => {
    const result = evaluateResource(idleEc2Eip(), IDLE_WARNING);

    expect(result.status).to.equal("warning");
    expect(result.reason).to.equal("utilization 0% < warning minimum 1%");
    expect(result.breach).to.deep.equal({ level: "warning", kind: "minUtilization", actual: 0, limit: 1 });
  });

  it("reports an idle Elastic IP from IPAM below a 1% minimum as warning", () => {
    const result = evaluateResource(idleIpamEip(), IDLE_WARNING);

    expect(result.status).to.equal("warning");
    expect(result.reason).to.equal("utilization 0% < warning minimum 1%");
  });

  it("reports an idle Elastic IP below a critical minimum as critical", () => {
    const result = evaluateResource(idleEc2Eip(), { ...IDLE_WARNING, minUtilizationCritical: 1 });

    expect(result.status).to.equal("critical");
    expect(result.breach).to.deep.equal({ level: "critical", kind: "minUtilization", actual: 0, limit: 1 });
  });

  it("reports an associated Elastic IP from EC2 as ok under warning 70 and critical 85", () => {
    const result = evaluateResource(associatedEc2Eip(), DEFAULTS);

    expect(associatedEc2Eip().utilization).to.equal(100);
    expect(result).to.deep.equal({ status: "ok", reason: "within thresholds" });
  });

  it("reports an associated Elastic IP from IPAM as ok under warning 70 and critical 85", () => {
    const result = evaluateResource(associatedIpamEip(), DEFAULTS);

    expect(associatedIpamEip().utilization).to.equal(100);
    expect(result.status).to.equal("ok");
  });

  it("never applies minimum free addresses to a single address, which has 0 free when in use", () => {
    const result = evaluateResource(associatedEc2Eip(), { minFreeWarning: 50, minFreeCritical: 25 });

    expect(associatedEc2Eip().free).to.equal(0n);
    expect(result.status).to.equal("ok");
  });

  it("reports an associated Elastic IP as ok when a minimum utilization is set", () => {
    const result = evaluateResource(associatedEc2Eip(), { ...IDLE_WARNING, minUtilizationCritical: 1 });

    expect(result.status).to.equal("ok");
  });

  it("reports an idle Elastic IP as ok when no minimum utilization is set", () => {
    const result = evaluateResource(idleEc2Eip(), THRESHOLDS);

    expect(result.status).to.equal("ok");
  });

  it("keeps a /32 whose source reports no usage unknown", () => {
    const result = evaluateResource(fromIpam({ ...eip, IpUsage: undefined }, SCOPE_A_PUBLIC), DEFAULTS);

    expect(result.status).to.equal("unknown");
    expect(result.reason).to.equal("usage unknown: the source reports no utilization for this CIDR");
  });

  it("keeps a /32 whose source reports no usage unknown when a minimum utilization is set", () => {
    const result = evaluateResource(fromIpam({ ...eip, IpUsage: undefined }, SCOPE_A_PUBLIC), IDLE_WARNING);

    expect(result.status).to.equal("unknown");
  });

  it("says usage is unknown, not free addresses, for a /32 under minimum-free thresholds only", () => {
    const result = evaluateResource(fromIpam({ ...eip, IpUsage: undefined }, SCOPE_A_PUBLIC), { minFreeCritical: 25 });

    expect(result.status).to.equal("unknown");
    expect(result.reason).to.equal("usage unknown: the source reports no utilization for this CIDR");
  });

  it("treats an IPv6 /128 in use as a single address, not as running out", () => {
    const resource = fromIpam(
      {
        ...subnetIpv6,
        ResourceId: "eni-0123456789abcdef0",
        ResourceType: "eni",
        ResourceCidr: "2600:1f18:abc:de01::10/128",
        IpUsage: 1,
      },
      SCOPE_A_PRIVATE,
    );

    const result = evaluateResource(resource, THRESHOLDS);

    expect(resource.usable).to.equal(1n);
    expect(result.status).to.equal("ok");
  });

  it("keeps applying percent thresholds to a /31 of two usable addresses", () => {
    const pair = fromIpam(
      {
        ...eip,
        ResourceType: "public-ipv4-pool",
        ResourceId: "ipv4pool-ec2-0123456789abcdef0",
        ResourceCidr: "54.240.1.10/31",
      },
      SCOPE_A_PUBLIC,
    );

    const result = evaluateResource(pair, DEFAULTS);

    expect(pair.usable).to.equal(2n);
    expect(result.status).to.equal("critical");
  });

  it("reports a VPC at 2% used below a 5% minimum as warning", () => {
    const result = evaluateResource(vpcAt(0.02), { ...DEFAULTS, minUtilizationWarning: 5 });

    expect(result.status).to.equal("warning");
    expect(result.reason).to.equal("utilization 2% < warning minimum 5%");
    expect(result.breach).to.deep.equal({ level: "warning", kind: "minUtilization", actual: 2, limit: 5 });
  });

  it("reports a VPC below a critical minimum as critical rather than warning", () => {
    const result = evaluateResource(vpcAt(0.02), { minUtilizationWarning: 5, minUtilizationCritical: 3 });

    expect(result.status).to.equal("critical");
    expect(result.reason).to.equal("utilization 2% < critical minimum 3%");
  });

  it("reports a VPC at 50% used as ok with minimum utilization thresholds", () => {
    const result = evaluateResource(vpcAt(0.5), { ...DEFAULTS, minUtilizationWarning: 5, minUtilizationCritical: 1 });

    expect(result.status).to.equal("ok");
  });

  it("does not let floating-point noise put a resource at exactly the minimum below it", () => {
    const result = evaluateResource(vpcAt(0.57), { minUtilizationWarning: 57 });

    expect(0.57 * 100).to.be.lessThan(57);
    expect(result.status).to.equal("ok");
  });

  it("still reports a subnet at 90% used as critical when minimum utilization thresholds are present", () => {
    const result = evaluateResource(subnet("subnet-01", 0.9), {
      ...DEFAULTS,
      minUtilizationWarning: 5,
      minUtilizationCritical: 1,
    });

    expect(result.status).to.equal("critical");
    expect(result.reason).to.equal("utilization 90% ≥ critical 85%");
    expect(result.breach?.kind).to.equal("utilization");
  });

  it("lets an idle critical win over a running-out warning", () => {
    const result = evaluateResource(subnet("subnet-01", 0.75), { warning: 70, minUtilizationCritical: 80 });

    expect(result.status).to.equal("critical");
    expect(result.breach?.kind).to.equal("minUtilization");
  });

  it("names both thresholds when a percent and a minimum are crossed at the same level", () => {
    const result = evaluateResource(subnet("subnet-01", 0.3), { warning: 20, minUtilizationWarning: 50 });

    expect(result.reason).to.equal("utilization 30% ≥ warning 20%; utilization 30% < warning minimum 50%");
    expect(result.breach?.kind).to.equal("utilization");
  });

  it("reports unknown when only a minimum utilization is set and utilization is missing", () => {
    const result = evaluateResource(ipv6Subnet("subnet-06"), { minUtilizationWarning: 5 });

    expect(result.status).to.equal("unknown");
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

describe("sortKeys", () => {
  it("keys utilization descending and free addresses ascending, unknown values last", () => {
    const resources = [
      subnet("subnet-01", 0.9),
      subnet("subnet-02", 0.1),
      ipv6Subnet("subnet-03"),
      subnet("subnet-04", 0.5, { utilization: Number.NaN }),
    ];

    const { utilization, free } = sortKeys(resources);

    expect([...utilization]).to.deep.equal([-90, -10, Infinity, Infinity]);
    expect([...free]).to.deep.equal([25, 226, Infinity, 125]);
  });
});

describe("orderResources", () => {
  /** Resources that tie in every way compareResources can tie, and some that differ past 2^53. */
  function tangle(): ResourceCidr[] {
    const resources: ResourceCidr[] = [];
    const usages = [0, 0.25, 0.5, 0.5, 0.9, 1, undefined];
    const huge = 1n << 70n;
    for (let i = 0; i < 400; i++) {
      const ipUsage = usages[(i * 7) % usages.length];
      const id = `subnet-${((i * 37) % 101).toString(16).padStart(4, "0")}`;
      const overrides: Partial<ResourceCidr> = { cidr: `10.${i % 3}.0.0/24` };
      // Free counts that differ by one past 2^53 become the same double: only the BigInt tells them apart.
      if (i % 5 === 0 && ipUsage !== undefined) overrides.free = huge + BigInt(i % 4);
      if (i % 11 === 0) overrides.utilization = Number.NaN;
      if (i % 13 === 0) delete overrides.free;
      resources.push(subnet(id, ipUsage, overrides));
    }
    return resources;
  }

  it("puts resources in compareResources order", () => {
    const resources = tangle();

    const order = orderResources(resources);

    const expected = [...resources.keys()].sort((a, b) => compareResources(resources[a]!, resources[b]!));
    expect(order.map((i) => resources[i])).to.deep.equal(expected.map((i) => resources[i]));
  });

  it("returns every position once", () => {
    const resources = tangle();

    const order = orderResources(resources);

    expect([...order].sort((a, b) => a - b)).to.deep.equal([...resources.keys()]);
  });

  it("orders nothing when there is nothing", () => {
    expect(orderResources([])).to.deep.equal([]);
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

  it("leaves an associated Elastic IP out of a mixed scope's highest utilization and fewest free addresses", () => {
    const mixed = scope("mixed", { match: { resourceTypes: ["subnet", "eip"] } });

    const [s] = evaluate([subnet("subnet-01", 0.4), associatedEc2Eip(), associatedIpamEip()], rules([mixed])).scopes;

    expect(s!.maxUtilization).to.equal(40);
    expect(s!.minFree).to.equal(251n - 100n);
  });

  it("still counts an associated Elastic IP in a mixed scope's resources and statuses", () => {
    const mixed = scope("mixed", { match: { resourceTypes: ["subnet", "eip"] } });

    const [s] = evaluate([subnet("subnet-01", 0.4), associatedEc2Eip()], rules([mixed])).scopes;

    expect(s!.resourceCount).to.equal(2);
    expect(s!.counts).to.deep.equal({ critical: 0, warning: 0, unknown: 0, ok: 2 });
  });

  it("gives a scope of single addresses no highest utilization and no fewest free addresses", () => {
    const eips = scope("elastic-ips", { match: { resourceTypes: ["eip"] }, thresholds: { minUtilizationWarning: 1 } });

    const [s] = evaluate(
      [associatedEc2Eip(), idleEc2Eip(), associatedIpamEip(), idleIpamEip()],
      rules([eips], DEFAULTS),
    ).scopes;

    expect(s!.resourceCount).to.equal(4);
    expect(s!.maxUtilization).to.equal(undefined);
    expect(s!.minFree).to.equal(undefined);
  });

  it("evaluates a resource in every scope that matches it, with each scope's thresholds", () => {
    const evaluation = evaluate(
      [subnet("subnet-03", 0.75)],
      rules([
        scope("strict", { thresholds: { warning: 50, critical: 70 } }),
        scope("lenient", { thresholds: { warning: 80, critical: 90 } }),
      ]),
    );

    expect(evaluation.scopes.map((s) => [s.name, s.status])).to.deep.equal([
      ["strict", "critical"],
      ["lenient", "ok"],
    ]);
  });

  it("merges scope thresholds over the defaults field by field", () => {
    const [s] = evaluate(
      [subnet("subnet-01", 0.4, { free: 30n })],
      rules([scope("custom", { thresholds: { warning: 30 } })]),
    ).scopes;

    expect(s!.thresholds).to.deep.equal({ warning: 30, critical: 85, minFreeWarning: 50, minFreeCritical: 25 });
    expect(s!.evaluations[0]!.reason).to.equal("utilization 40% ≥ warning 30%; 30 free addresses < warning minimum 50");
  });

  it("flags the idle Elastic IPs of a scope and leaves the associated ones ok", () => {
    const eips = [associatedEc2Eip(), idleEc2Eip(), associatedIpamEip(), idleIpamEip()];
    const idle = scope("elastic-ips", { match: { resourceTypes: ["eip"] }, thresholds: { minUtilizationWarning: 1 } });

    const [s] = evaluate(eips, rules([idle], DEFAULTS)).scopes;

    expect(s!.counts).to.deep.equal({ critical: 0, warning: 2, unknown: 0, ok: 2 });
    expect(s!.status).to.equal("warning");
    expect(s!.evaluations.filter((e) => e.status === "warning").map((e) => e.resource.resourceId)).to.have.members([
      "eipalloc-0a1b2c3d4e5f60002",
      "eipalloc-0c9decaa541d89aa9",
    ]);
  });

  it("merges minimum utilization thresholds over the defaults field by field", () => {
    const custom = scope("custom", { thresholds: { minUtilizationCritical: 2 } });

    const [s] = evaluate([subnet("subnet-01", 0.4)], rules([custom], { ...DEFAULTS, minUtilizationWarning: 5 })).scopes;

    expect(s!.thresholds).to.deep.equal({
      warning: 70,
      critical: 85,
      minUtilizationWarning: 5,
      minUtilizationCritical: 2,
    });
  });

  it("lists scopes that matched nothing, reported ok with no extremes", () => {
    const evaluation = evaluate(
      resources,
      rules([scope("all-subnets"), scope("pools", { match: { resourceTypes: ["ipv6-pool"] } })]),
    );

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
    const a = {
      scope: "s",
      resource: subnet("subnet-0b", 0.9, { free: 10n }),
      status: "critical" as const,
      reason: "",
    };
    const b = {
      scope: "s",
      resource: subnet("subnet-0a", 0.9, { free: 20n }),
      status: "critical" as const,
      reason: "",
    };
    const c = {
      scope: "s",
      resource: subnet("subnet-0c", 0.9, { free: 20n }),
      status: "critical" as const,
      reason: "",
    };

    expect([c, b, a].sort(compareEvaluations).map((e) => e.resource.resourceId)).to.deep.equal([
      "subnet-0b",
      "subnet-0a",
      "subnet-0c",
    ]);
  });

  // How fast is measured by scripts/bench (evaluation CPU at 100,000 CIDRs x 50 scopes), not here.
  it("evaluates 100,000 resources against 50 scopes, each resource in its account-Region scope and the catch-all", function () {
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
    for (const account of accounts)
      for (const region of regions.slice(0, 4))
        scopes.push(scope(`${account}-${region}`, { match: { accounts: [account], regions: [region] } }));
    for (let i = scopes.length; i < 49; i++)
      scopes.push(scope(`prod-${i}`, { match: { tags: { env: "prod", Name: `app-${i}` } } }));
    scopes.push(scope("everything", { match: {} }));

    const evaluation = evaluate(many, rules(scopes));

    expect(evaluation.scopes).to.have.length(50);
    expect(evaluation.scopes.at(-1)!.resourceCount).to.equal(100_000);
    // Regions 0-3 of 5, every account: four fifths of the resources fall in one account-Region scope.
    const perAccountRegion = evaluation.scopes.slice(0, 40).reduce((n, s) => n + s.resourceCount, 0);
    expect(perAccountRegion).to.equal(80_000);
  });
});

describe("evaluate: capacity", () => {
  const capacity = (freePrefixes: number, assignableAddresses: number) => ({
    capacity: { freePrefixes, assignableAddresses, largestFreeBlock: 28, blockers: [] },
  });
  const CAPACITY: Thresholds = {
    minFreePrefixesWarning: 8,
    minFreePrefixesCritical: 2,
    minAssignableWarning: 64,
    minAssignableCritical: 16,
  };

  it("puts a subnet with fewer free /28 prefixes than the critical minimum at critical, though it is half empty", () => {
    const status = evaluateResource(
      subnet("subnet-00000000000000a1", 0.5, capacity(0, 126)),
      CAPACITY,
      undefined,
      true,
    );

    expect(status).to.deep.equal({
      status: "critical",
      reason: "0 free /28 prefixes < critical minimum 2",
      breach: { level: "critical", kind: "minFreePrefixes", actual: 0, limit: 2 },
    });
  });

  it("names every capacity threshold a subnet crosses at its level", () => {
    const status = evaluateResource(subnet("subnet-00000000000000a1", 0.5, capacity(5, 40)), CAPACITY, undefined, true);

    expect(status.status).to.equal("warning");
    expect(status.reason).to.equal(
      "5 free /28 prefixes < warning minimum 8; 40 assignable addresses < warning minimum 64",
    );
  });

  it("puts a subnet with few assignable addresses at its level even when /28s are free", () => {
    const status = evaluateResource(
      subnet("subnet-00000000000000a1", 0.2, capacity(10, 12)),
      CAPACITY,
      undefined,
      true,
    );

    expect(status).to.deep.include({ status: "critical", reason: "12 assignable addresses < critical minimum 16" });
  });

  it("ignores the capacity thresholds of a scope that does not measure capacity", () => {
    const status = evaluateResource(subnet("subnet-00000000000000a1", 0.5, capacity(0, 0)), CAPACITY, undefined, false);

    expect(status.status).to.equal("ok");
  });

  it("calls an IPv4 subnet without measured capacity unknown, with the reason it has none", () => {
    const status = evaluateResource(
      subnet("subnet-00000000000000a1", 0.5, { capacityUnknown: "not measured: DescribeNetworkInterfaces failed" }),
      CAPACITY,
      undefined,
      true,
    );

    expect(status).to.deep.equal({
      status: "unknown",
      reason: "capacity unknown: not measured: DescribeNetworkInterfaces failed",
    });
  });

  it("does not hold the capacity thresholds against IPv6 subnets and VPCs, which are not measured", () => {
    const vpc = subnet("vpc-0000000000000001", 0.5, { resourceType: "vpc", cidr: "10.0.0.0/16" });

    expect(evaluateResource(ipv6Subnet("subnet-00000000000000a6"), CAPACITY, undefined, true).status).to.equal("ok");
    expect(evaluateResource(vpc, CAPACITY, undefined, true).status).to.equal("ok");
  });

  it("lets a worse level from another threshold win over unknown capacity", () => {
    const status = evaluateResource(
      subnet("subnet-00000000000000a1", 0.95),
      { ...CAPACITY, critical: 90 },
      undefined,
      true,
    );

    expect(status.status).to.equal("critical");
  });

  it("publishes the scope's fewest free prefixes and assignable addresses when every IPv4 subnet was measured", () => {
    const evaluation = evaluate(
      [
        subnet("subnet-00000000000000a1", 0.5, capacity(3, 100)),
        subnet("subnet-00000000000000a2", 0.5, capacity(9, 40)),
        ipv6Subnet("subnet-00000000000000a6"),
      ],
      rules([scope("eks", { capacity: true, thresholds: CAPACITY })], {}),
    );

    expect(evaluation.scopes[0]).to.include({ capacity: true, minFreePrefixes: 3, minAssignable: 40 });
    expect(evaluation.scopes[0]!.counts).to.deep.equal({ critical: 0, warning: 2, unknown: 0, ok: 1 });
  });

  it("leaves the minimums out when a subnet could not be measured, so they never look better than the truth", () => {
    const evaluation = evaluate(
      [subnet("subnet-00000000000000a1", 0.5, capacity(3, 100)), subnet("subnet-00000000000000a2", 0.5)],
      rules([scope("eks", { capacity: true, thresholds: CAPACITY })], {}),
    );

    expect(evaluation.scopes[0]).to.include({ capacity: true });
    expect(evaluation.scopes[0]).not.to.have.any.keys("minFreePrefixes", "minAssignable");
    expect(evaluation.scopes[0]!.counts.unknown).to.equal(1);
  });

  it("says nothing of capacity for a scope that does not measure it", () => {
    const evaluation = evaluate([subnet("subnet-00000000000000a1", 0.5, capacity(3, 100))], rules([scope("plain")]));

    expect(evaluation.scopes[0]).not.to.have.any.keys("capacity", "minFreePrefixes", "minAssignable");
  });
});

describe("evaluate: zones", () => {
  const inZone = (id: string, ipUsage: number, zone: string) => subnet(id, ipUsage, { availabilityZoneId: zone });

  it("gives a scope of subnets its zones, and puts the scope at the level of a zone in trouble though no subnet is", () => {
    const evaluation = evaluate(
      [
        inZone("subnet-00000000000000a1", 0.8, "euw1-az1"),
        inZone("subnet-00000000000000a2", 0.8, "euw1-az1"),
        inZone("subnet-00000000000000a3", 0.1, "euw1-az2"),
      ],
      rules([scope("pods", { thresholds: { minZoneFreeWarning: 120, minFreeCritical: 5 } })], {}),
    );

    const result = evaluation.scopes[0]!;
    expect(result.zones?.map((z) => [z.availabilityZoneId, z.freeAddresses, z.status])).to.deep.equal([
      ["euw1-az1", 100n, "warning"],
      ["euw1-az2", 226n, "ok"],
    ]);
    expect(result.status).to.equal("warning");
    expect(result.counts).to.deep.equal({ critical: 0, warning: 0, unknown: 0, ok: 3 });
    expect(result.minZoneFree).to.equal(100n);
  });

  it("gives the poorest zone's free addresses only to scopes that watch zones or measure capacity", () => {
    const evaluation = evaluate(
      [inZone("subnet-00000000000000a1", 0.8, "euw1-az1")],
      rules(
        [
          scope("plain", { thresholds: { warning: 90 } }),
          scope("eks", { capacity: true, thresholds: { warning: 90 } }),
        ],
        {},
      ),
    );

    expect(evaluation.scopes[0]).not.to.have.property("minZoneFree");
    expect(evaluation.scopes[0]!.zones).to.have.length(1);
    expect(evaluation.scopes[1]!.minZoneFree).to.equal(50n);
  });

  it("gives a scope without subnets in a zone no zones", () => {
    const evaluation = evaluate(
      [inZone("subnet-00000000000000a1", 0.8, "euw1-az1")],
      rules([scope("vpcs", { match: { resourceTypes: ["vpc"] } })]),
    );

    expect(evaluation.scopes[0]).not.to.have.property("zones");
  });
});
