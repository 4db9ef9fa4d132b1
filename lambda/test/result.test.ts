import Ajv from "ajv";
import { expect } from "chai";
import schema from "../schema/result.schema.json";
import { evaluate } from "../src/evaluate";
import {
  buildResult,
  DEFAULT_MAX_RESULT_BYTES,
  ROOM_FOR_SUBNETS_LIMIT,
  type ScanResultJson,
  UNCOVERED_SAMPLE_SIZE,
} from "../src/result";
import type { Evaluation, ResourceCidr, RoomForSubnets, RulesFile, ScanFailure, Status } from "../src/types";
import { subnet as baseSubnet, subnetAt } from "./fixtures/resources";

const SCANNED_AT = new Date("2024-05-01T12:00:00.000Z");

/** A prod subnet at `status` under warning 80 / critical 90. */
function subnet(id: string, status: Status, overrides: Partial<ResourceCidr> = {}): ResourceCidr {
  return subnetAt(id, status, { name: `app-${id.slice(-2)}`, tags: { env: "prod" }, ...overrides });
}

/** An IPv6 pool as IPAM reports it: a /40 holds 2^88 addresses. */
function ipv6Pool(id: string, utilization: number): ResourceCidr {
  const size = 2n ** 88n;
  const used = (size * BigInt(Math.round(utilization * 100))) / 10000n;
  // A pool belongs to no VPC.
  const { vpcId: _noVpc, ...pool } = baseSubnet(id, {
    resourceType: "ipv6-pool",
    cidr: "2600:1f18:4000::/40",
    addressFamily: "ipv6",
    region: "us-east-1",
    tags: { env: "prod" },
    size,
    usable: size,
    used,
    free: size - used,
    utilization,
  });
  return pool;
}

/**
 * A VPC CIDR block as the EC2 source measures it: used = addresses allocated to subnets, and the
 * room left for new subnets.
 */
function vpcBlock(
  id: string,
  cidr: string,
  used: bigint,
  room: RoomForSubnets,
  overrides: Partial<ResourceCidr> = {},
): ResourceCidr {
  const ipv6 = cidr.includes(":");
  const size = 2n ** BigInt((ipv6 ? 128 : 32) - Number(cidr.split("/")[1]));
  return baseSubnet(id, {
    source: "ec2",
    resourceType: "vpc",
    name: `net-${id.slice(-2)}`,
    cidr,
    addressFamily: ipv6 ? "ipv6" : "ipv4",
    region: "us-east-2",
    vpcId: id,
    tags: { env: "prod" },
    size,
    usable: size,
    used,
    free: size - used,
    utilization: (Number(used) / Number(size)) * 100,
    room,
    ...overrides,
  });
}

/** 10.4.0.0/22 with a /26, a /24, a /28 and a /25 taken: 464 of 1,024 allocated, scattered. */
const HOLES = vpcBlock("vpc-0a1b2c3d4e5f60004", "10.4.0.0/22", 464n, {
  largestFreePrefix: 25,
  freeSlash24: 0,
  freeSlash28: 35,
});
/** 10.3.0.0/16 taken entirely by one /16 subnet. */
const CARVED = vpcBlock("vpc-0a1b2c3d4e5f60003", "10.3.0.0/16", 65536n, { freeSlash24: 0, freeSlash28: 0 });
/** 10.1.0.0/16 with a /20, a /24 and a /28 at its start. */
const CORE = vpcBlock("vpc-0a1b2c3d4e5f60001", "10.1.0.0/16", 4368n, {
  largestFreePrefix: 17,
  freeSlash24: 238,
  freeSlash28: 3823,
});
/** An Amazon /56 with two /64 subnets. */
const DUAL_V6 = vpcBlock("vpc-0a1b2c3d4e5f60005", "2600:1f16:4c1:a100::/56", 2n * 2n ** 64n, {
  largestFreePrefix: 57,
  freeSlash24: 0,
  freeSlash28: 0,
  freeSlash64: 254,
});

const RULES: RulesFile = {
  version: 1,
  file: "rules.yaml",
  defaults: { thresholds: { warning: 80, critical: 90 } },
  scopes: [
    {
      name: "prod",
      description: "Production",
      match: { tags: { env: "prod" } },
      thresholds: { minFreeCritical: 10 },
      resourceMetrics: true,
    },
    {
      name: "subnets",
      match: { resourceTypes: ["subnet"] },
      thresholds: { warning: 95, critical: 99 },
      resourceMetrics: false,
    },
    { name: "pools", match: { resourceTypes: ["ipv4-pool"] }, thresholds: {}, resourceMetrics: false },
  ],
};

const RESOURCES = [
  subnet("subnet-01", "ok"),
  subnet("subnet-02", "critical"),
  subnet("subnet-03", "warning"),
  subnet("subnet-04", "unknown"),
  subnet("vpc-0123456789abcdef0", "ok", { resourceType: "vpc", vpcId: undefined, cidr: "10.0.0.0/16", tags: {} }),
];

/** VPC blocks at 40% or more allocated are at warning. */
const VPC_RULES: RulesFile = {
  ...RULES,
  scopes: [
    {
      name: "vpcs",
      match: { resourceTypes: ["vpc"] },
      thresholds: { warning: 40, critical: 99 },
      resourceMetrics: false,
    },
  ],
};

const ajv = new Ajv({ strict: true, allErrors: true });
const validate = ajv.compile<ScanResultJson>(schema);

function expectValid(result: unknown): void {
  const ok = validate(result);
  expect(ok, ajv.errorsText(validate.errors)).to.equal(true);
}

function build(evaluation: Evaluation, extra: Partial<Parameters<typeof buildResult>[0]> = {}): ScanResultJson {
  return buildResult({ evaluation, failures: [], scannedAt: SCANNED_AT, source: "ipam", dryRun: false, ...extra });
}

describe("buildResult", () => {
  const evaluation = evaluate(RESOURCES, RULES);

  it("produces a result that validates against schema/result.schema.json", () => {
    expectValid(
      build(evaluation, {
        durationMs: 1234,
        published: { requests: 1, datums: 40 },
        notification: { sent: true, subject: "IPAM monitor: CRITICAL in prod", reason: "the state changed" },
      }),
    );
  });

  it("round-trips through JSON without BigInt errors", () => {
    const result = build(evaluation);

    expect(JSON.parse(JSON.stringify(result))).to.deep.equal(result);
  });

  it("summarizes resources by their worst status across scopes", () => {
    const { summary } = build(evaluation);

    expect(summary).to.deep.equal({
      resources: 5,
      scopes: 3,
      counts: { critical: 1, warning: 1, unknown: 1, ok: 1 },
      resourcesInTrouble: 5,
      scopesWithoutMatches: 1,
      uncovered: 1,
    });
  });

  it("lists resources in trouble worst first with the facts to act on", () => {
    const result = build(evaluation);

    expect(result.resourcesInTrouble.map((t) => [t.scope, t.resourceId, t.status])).to.deep.equal([
      ["prod", "subnet-02", "critical"],
      ["subnets", "subnet-02", "warning"],
      ["prod", "subnet-03", "warning"],
      ["prod", "subnet-04", "unknown"],
      ["subnets", "subnet-04", "unknown"],
    ]);
    expect(result.resourcesInTrouble[0]).to.deep.equal({
      scope: "prod",
      resourceId: "subnet-02",
      resourceType: "subnet",
      name: "app-02",
      ownerId: "111122223333",
      region: "eu-west-1",
      vpcId: "vpc-0123456789abcdef0",
      cidr: "10.0.1.0/24",
      status: "critical",
      utilization: 95,
      used: 238,
      free: 13,
      usable: 251,
      size: 256,
      reason: "utilization 95% ≥ critical 90%",
    });
  });

  it("describes every scope with its status, counts, extremes and thresholds", () => {
    const result = build(evaluation);

    expect(result.scopes[0]).to.deep.equal({
      name: "prod",
      description: "Production",
      status: "critical",
      resourceCount: 4,
      counts: { critical: 1, warning: 1, unknown: 1, ok: 1 },
      maxUtilization: 95,
      minFreeAddresses: 13,
      thresholds: { warning: 80, critical: 90, minFreeCritical: 10 },
      resourceMetrics: true,
      complete: true,
    });
    expect(result.scopes[2]).to.not.have.property("maxUtilization");
    expect(result.scopesWithoutMatches).to.deep.equal(["pools"]);
  });

  it("reports minimum utilization thresholds and an idle address in a result that validates", () => {
    const idleEip = subnet("eipalloc-0a1b2c3d4e5f60002", "ok", {
      resourceType: "eip",
      name: undefined,
      cidr: "198.51.100.7/32",
      vpcId: undefined,
      size: 1n,
      usable: 1n,
      used: 0n,
      free: 1n,
      utilization: 0,
    });
    const idleRules: RulesFile = {
      ...RULES,
      scopes: [
        {
          name: "eips",
          match: { resourceTypes: ["eip"] },
          thresholds: { minUtilizationWarning: 1, minUtilizationCritical: 0.5 },
          resourceMetrics: false,
        },
      ],
    };

    const result = build(evaluate([idleEip], idleRules));

    expect(result.scopes[0]!.thresholds).to.deep.equal({
      warning: 80,
      critical: 90,
      minUtilizationWarning: 1,
      minUtilizationCritical: 0.5,
    });
    expect(result.resourcesInTrouble[0]).to.include({
      status: "critical",
      reason: "utilization 0% < critical minimum 0.5%",
    });
    expectValid(result);
  });

  it("writes IPv6 counts above 2^53 as decimal strings and still validates", () => {
    const result = build(evaluate([ipv6Pool("ipam-pool-0123456789abcdef0", 92.5)], RULES));

    const [pool] = result.resourcesInTrouble;
    expect(pool!.size).to.equal("309485009821345068724781056");
    expect(pool!.free).to.equal((2n ** 88n - (2n ** 88n * 9250n) / 10000n).toString());
    expect(result.scopes[0]!.minFreeAddresses).to.be.a("string");
    expectValid(result);
  });

  it("keeps counts up to 2^53 − 1 as JSON numbers", () => {
    const result = build(evaluate([subnet("subnet-09", "critical", { size: 2n ** 53n - 1n })], RULES));

    expect(result.resourcesInTrouble[0]!.size).to.equal(Number.MAX_SAFE_INTEGER);
  });

  it("is complete when there are no failures", () => {
    expect(build(evaluation).complete).to.equal(true);
  });

  it("is partial when a collection failed, listing the failure", () => {
    const failures: ScanFailure[] = [
      { target: "region ap-south-1", action: "DescribeSubnets", code: "UnauthorizedOperation", message: "denied" },
    ];

    const result = build(evaluation, { failures });

    expect(result.complete).to.equal(false);
    expect(result.errors).to.deep.equal(failures);
    expectValid(result);
  });

  it("marks each scope complete after a complete scan", () => {
    expect(build(evaluation).scopes.map((s) => s.complete)).to.deep.equal(evaluation.scopes.map(() => true));
  });

  it("marks complete only the scopes out of reach of what a partial scan missed", () => {
    const failures: ScanFailure[] = [
      {
        target: "account 444444444444 region eu-west-1",
        action: "AssumeRole",
        code: "AccessDenied",
        message: "denied",
      },
    ];
    const [first, ...others] = evaluation.scopes.map((s) => s.name);

    const result = build(evaluation, { failures, incompleteScopes: new Set(others) });

    expect(result.scopes.filter((s) => s.complete).map((s) => s.name)).to.deep.equal([first]);
    expectValid(result);
  });

  it("marks every scope partial after a partial scan that did not judge its scopes", () => {
    const failures: ScanFailure[] = [{ target: "region ap-south-1", message: "denied" }];

    expect(build(evaluation, { failures }).scopes.some((s) => s.complete)).to.equal(false);
  });

  it("takes completeness from the caller when the failures include publishing ones", () => {
    const failures: ScanFailure[] = [
      { target: "namespace IPAMMonitor", action: "PutMetricData", message: "throttled" },
    ];

    expect(build(evaluation, { failures, complete: true }).complete).to.equal(true);
  });

  it("lists only a sample of uncovered resources but counts them all", () => {
    const vpcs = Array.from({ length: 50 }, (_, i) => subnet(`vpc-${i}`, "ok", { resourceType: "vpc", tags: {} }));

    const result = build(evaluate(vpcs, RULES));

    expect(result.uncoveredCount).to.equal(50);
    expect(result.uncoveredSample).to.have.length(UNCOVERED_SAMPLE_SIZE);
    expect(result.uncoveredSample[0]).to.deep.equal({
      resourceId: "vpc-0",
      resourceType: "vpc",
      cidr: "10.0.1.0/24",
      ownerId: "111122223333",
      region: "eu-west-1",
    });
  });

  it("reports nothing truncated when the result fits", () => {
    expect(build(evaluation).truncated).to.deep.equal({
      units: 0,
      fillingUp: 0,
      roomForSubnets: 0,
      noLongerMeasured: 0,
      resourcesInTrouble: 0,
      uncoveredSample: 0,
      errors: 0,
      scopesWithoutMatches: 0,
      scopes: 0,
    });
  });
});

describe("buildResult room for new subnets", () => {
  it("gives a VPC block in trouble its used, usable and room", () => {
    const result = build(evaluate([HOLES], VPC_RULES), { source: "ec2" });

    expect(result.resourcesInTrouble[0]).to.deep.include({
      resourceId: "vpc-0a1b2c3d4e5f60004",
      used: 464,
      free: 560,
      usable: 1024,
      size: 1024,
      room: { largestFreePrefix: 25, freeSlash24: 0, freeSlash28: 35 },
    });
  });

  it("leaves the largest free block out of the room of a full VPC block", () => {
    const result = build(evaluate([CARVED], VPC_RULES), { source: "ec2" });

    expect(result.resourcesInTrouble[0]!.room).to.deep.equal({ freeSlash24: 0, freeSlash28: 0 });
  });

  it("gives a resource without room no room field", () => {
    const result = build(evaluate(RESOURCES, RULES));

    expect(result.resourcesInTrouble.filter((t) => "room" in t)).to.deep.equal([]);
  });

  it("writes IPv6 VPC block counts above 2^53 as strings and its free /64 blocks as a number", () => {
    const anyUse: RulesFile = { ...VPC_RULES, scopes: [{ ...VPC_RULES.scopes[0]!, thresholds: { warning: 0.5 } }] };

    const result = build(evaluate([DUAL_V6], anyUse), { source: "ec2" });

    expect(result.resourcesInTrouble[0]).to.deep.include({
      used: "36893488147419103232",
      usable: "4722366482869645213696",
      room: { largestFreePrefix: 57, freeSlash24: 0, freeSlash28: 0, freeSlash64: 254 },
    });
    expectValid(result);
  });

  it("lists every VPC block with room, each once, whether or not it is in trouble", () => {
    const result = build(evaluate([CORE, HOLES, CARVED, subnet("subnet-01", "critical")], VPC_RULES), {
      source: "ec2",
    });

    expect(result.roomForSubnets.map((r) => r.cidr).sort()).to.deep.equal([
      "10.1.0.0/16",
      "10.3.0.0/16",
      "10.4.0.0/22",
    ]);
  });

  it("lists VPC blocks that no scope covers", () => {
    const result = build(evaluate([HOLES], { ...RULES, scopes: [] }), { source: "ec2" });

    expect(result.roomForSubnets.map((r) => r.resourceId)).to.deep.equal(["vpc-0a1b2c3d4e5f60004"]);
  });

  it("describes each VPC block with its id, name, owner, region, CIDR, utilization and room", () => {
    const result = build(evaluate([HOLES], VPC_RULES), { source: "ec2" });

    expect(result.roomForSubnets).to.deep.equal([
      {
        resourceId: "vpc-0a1b2c3d4e5f60004",
        name: "net-04",
        ownerId: "111122223333",
        region: "us-east-2",
        cidr: "10.4.0.0/22",
        utilization: 45.3125,
        largestFreePrefix: 25,
        freeSlash24: 0,
        freeSlash28: 35,
      },
    ]);
  });

  it("lists the tightest block first: full, then the smallest largest free block, then IPv6 by the /64 blocks it holds", () => {
    const result = build(evaluate([CORE, DUAL_V6, HOLES, CARVED], VPC_RULES), { source: "ec2" });

    // CARVED is full; HOLES' largest free /25 holds 8 /28s; DUAL_V6's /57 holds 128 /64s; CORE's /17 2,048 /28s.
    expect(result.roomForSubnets.map((r) => r.cidr)).to.deep.equal([
      "10.3.0.0/16",
      "10.4.0.0/22",
      "2600:1f16:4c1:a100::/56",
      "10.1.0.0/16",
    ]);
  });

  it("puts the block with fewer free /24 first when the largest free blocks are alike", () => {
    const roomier = vpcBlock("vpc-0a1b2c3d4e5f60006", "10.6.0.0/16", 32768n, {
      largestFreePrefix: 17,
      freeSlash24: 128,
      freeSlash28: 2048,
    });

    const result = build(evaluate([CORE, roomier], VPC_RULES), { source: "ec2" });

    expect(result.roomForSubnets.map((r) => r.resourceId)).to.deep.equal([
      "vpc-0a1b2c3d4e5f60006",
      "vpc-0a1b2c3d4e5f60001",
    ]);
  });

  it("is empty for the IPAM source, whose resources have no room", () => {
    expect(build(evaluate(RESOURCES, RULES)).roomForSubnets).to.deep.equal([]);
  });

  it("keeps the tightest blocks up to its limit and counts the rest", () => {
    const blocks = Array.from({ length: ROOM_FOR_SUBNETS_LIMIT + 5 }, (_, i) =>
      vpcBlock(`vpc-${i.toString(16).padStart(17, "0")}`, "10.0.0.0/16", 0n, {
        largestFreePrefix: 16,
        freeSlash24: 256,
        freeSlash28: 4096,
      }),
    );

    const result = build(evaluate([...blocks, CARVED], VPC_RULES), { source: "ec2" });

    expect(result.roomForSubnets).to.have.length(ROOM_FOR_SUBNETS_LIMIT);
    expect(result.roomForSubnets[0]!.resourceId).to.equal(CARVED.resourceId);
    expect(result.truncated.roomForSubnets).to.equal(6);
    expectValid(result);
  });

  it("produces a result with room for subnets that validates against schema/result.schema.json", () => {
    expectValid(
      build(
        evaluate([CORE, DUAL_V6, HOLES, CARVED, ...RESOURCES], {
          ...VPC_RULES,
          scopes: [...VPC_RULES.scopes, ...RULES.scopes],
        }),
        { source: "ec2" },
      ),
    );
  });
});

describe("buildResult size bound", () => {
  const many = Array.from({ length: 1000 }, (_, i) =>
    subnet(`subnet-${i.toString(16).padStart(17, "0")}`, i % 2 ? "critical" : "warning"),
  );
  const evaluation = evaluate(many, RULES);

  it("drops resources in trouble from the tail to fit and counts them", () => {
    const result = build(evaluation, { maxBytes: 20_000 });

    expect(Buffer.byteLength(JSON.stringify(result), "utf8")).to.be.at.most(20_000);
    expect(result.resourcesInTrouble.length).to.be.greaterThan(0);
    expect(result.resourcesInTrouble.length + result.truncated.resourcesInTrouble).to.equal(
      result.summary.resourcesInTrouble,
    );
  });

  it("keeps the worst entries when it drops some", () => {
    const result = build(evaluation, { maxBytes: 20_000 });

    expect(result.resourcesInTrouble.every((t) => t.status === "critical")).to.equal(true);
  });

  it("produces a truncated result that still validates", () => {
    expectValid(build(evaluation, { maxBytes: 20_000 }));
  });

  it("stays within 256 KB by default with 100,000 resources in trouble", function () {
    this.timeout(20000);
    const huge = Array.from({ length: 100_000 }, (_, i) =>
      subnet(`subnet-${i.toString(16).padStart(17, "0")}`, "critical"),
    );

    const result = build(evaluate(huge, RULES));

    expect(Buffer.byteLength(JSON.stringify(result), "utf8")).to.be.at.most(DEFAULT_MAX_RESULT_BYTES);
    expect(result.truncated.resourcesInTrouble).to.be.greaterThan(190_000);
  });

  it("drops room for subnets before any resource in trouble, tightest blocks kept longest", () => {
    const blocks = Array.from({ length: 60 }, (_, i) =>
      vpcBlock(`vpc-${i.toString(16).padStart(17, "0")}`, "10.0.0.0/16", 0n, {
        largestFreePrefix: 16,
        freeSlash24: 256,
        freeSlash28: 4096 + i,
      }),
    );
    const withRoom = evaluate([...many.slice(0, 20), ...blocks], RULES);
    const unbounded = build(withRoom);
    const maxBytes = Buffer.byteLength(JSON.stringify(unbounded), "utf8") - 1000;

    const result = build(withRoom, { maxBytes });

    expect(Buffer.byteLength(JSON.stringify(result), "utf8")).to.be.at.most(maxBytes);
    expect(result.truncated.resourcesInTrouble).to.equal(0);
    expect(result.roomForSubnets.length + result.truncated.roomForSubnets).to.equal(60);
    expect(result.roomForSubnets).to.deep.equal(unbounded.roomForSubnets.slice(0, result.roomForSubnets.length));
    expectValid(result);
  });

  it("drops errors too when they alone are too large", () => {
    const failures: ScanFailure[] = Array.from({ length: 500 }, (_, i) => ({
      target: `region r-${i}`,
      action: "DescribeSubnets",
      message: "x".repeat(200),
    }));

    const result = build(evaluation, { failures, maxBytes: 20_000 });

    expect(Buffer.byteLength(JSON.stringify(result), "utf8")).to.be.at.most(20_000);
    expect(result.resourcesInTrouble).to.deep.equal([]);
    expect(result.truncated.errors).to.be.greaterThan(0);
    expectValid(result);
  });
});

describe("schema/result.schema.json", () => {
  it("allows as many room-for-subnets entries as buildResult keeps", () => {
    expect(schema.properties.roomForSubnets.maxItems).to.equal(ROOM_FOR_SUBNETS_LIMIT);
  });

  it("validates a result written before room for subnets was added", () => {
    const result = build(evaluate(RESOURCES, RULES)) as unknown as Record<string, unknown> & {
      truncated: Record<string, unknown>;
    };
    delete result.roomForSubnets;
    delete result.truncated.roomForSubnets;

    expect(validate(result)).to.equal(true);
  });

  it("rejects a room without its free /24 count", () => {
    const result = build(evaluate([HOLES], VPC_RULES), { source: "ec2" }) as unknown as {
      roomForSubnets: Array<Record<string, unknown>>;
    };
    delete result.roomForSubnets[0]!.freeSlash24;

    expect(validate(result)).to.equal(false);
  });

  it("rejects a largest free block that is not a prefix length", () => {
    const result = build(evaluate([HOLES], VPC_RULES), { source: "ec2" }) as unknown as {
      resourcesInTrouble: Array<{ room?: Record<string, unknown> }>;
    };
    result.resourcesInTrouble[0]!.room!.largestFreePrefix = 129;

    expect(validate(result)).to.equal(false);
  });

  it("rejects an address count that is neither a safe integer nor a decimal string", () => {
    const result = build(evaluate(RESOURCES, RULES)) as unknown as {
      resourcesInTrouble: Array<Record<string, unknown>>;
    };
    result.resourcesInTrouble[0]!.free = "12 addresses";

    expect(validate(result)).to.equal(false);
  });

  it("rejects a count above 2^53 − 1 written as a number", () => {
    const result = build(evaluate(RESOURCES, RULES)) as unknown as {
      resourcesInTrouble: Array<Record<string, unknown>>;
    };
    result.resourcesInTrouble[0]!.size = 2 ** 64;

    expect(validate(result)).to.equal(false);
  });
});

describe("buildResult: capacity", () => {
  const BLOCKER = {
    networkInterfaceId: "eni-0a1b2c3d4e5f60001",
    description: "aws-K8S-i-0abc",
    interfaceType: "interface",
    instanceId: "i-0abc",
    blocksFreed: 3,
    blocksBlocked: 4,
  };
  const eksSubnet = (id: string, freePrefixes: number, assignableAddresses: number): ResourceCidr =>
    subnet(id, "ok", { capacity: { freePrefixes, assignableAddresses, largestFreeBlock: 29, blockers: [BLOCKER] } });
  const CAPACITY_RULES: RulesFile = {
    ...RULES,
    defaults: { thresholds: {} },
    scopes: [
      {
        name: "eks",
        match: { resourceTypes: ["subnet"] },
        capacity: true,
        thresholds: { minFreePrefixesWarning: 4, minFreePrefixesCritical: 1, minAssignableWarning: 50 },
        resourceMetrics: false,
      },
      {
        name: "plain",
        match: { resourceTypes: ["subnet"] },
        thresholds: { warning: 80 },
        resourceMetrics: false,
      },
    ],
  };

  it("gives a measured subnet below the prefix level its figures and the interfaces that block it", () => {
    const result = build(evaluate([eksSubnet("subnet-01", 0, 120)], CAPACITY_RULES));

    expect(result.resourcesInTrouble).to.have.length(1);
    expect(result.resourcesInTrouble[0]).to.deep.include({
      scope: "eks",
      status: "critical",
      freePrefixes: 0,
      assignableAddresses: 120,
      largestFreeBlock: 29,
      blockers: [BLOCKER],
      reason: "0 free /28 prefixes < critical minimum 1",
    });
    expectValid(result);
  });

  it("leaves the blockers out where the free prefixes are not below the scope's level", () => {
    const result = build(evaluate([eksSubnet("subnet-01", 6, 30)], CAPACITY_RULES));

    expect(result.resourcesInTrouble[0]).to.include({ freePrefixes: 6, assignableAddresses: 30 });
    expect(result.resourcesInTrouble[0]).not.to.have.property("blockers");
  });

  it("shows no capacity figure in a scope that does not measure capacity, even for a measured subnet", () => {
    const measured = { ...eksSubnet("subnet-02", 0, 10), utilization: 90, used: 226n, free: 25n };

    const result = build(evaluate([measured], CAPACITY_RULES));

    const plain = result.resourcesInTrouble.find((t) => t.scope === "plain");
    expect(plain).not.to.have.any.keys("freePrefixes", "assignableAddresses", "largestFreeBlock", "blockers");
  });

  it("describes the scope's capacity and its minimums", () => {
    const result = build(evaluate([eksSubnet("subnet-01", 2, 120), eksSubnet("subnet-03", 9, 60)], CAPACITY_RULES));

    expect(result.scopes[0]).to.include({
      name: "eks",
      capacity: true,
      minFreePrefixes: 2,
      minAssignableAddresses: 60,
    });
    expect(result.scopes[1]).not.to.have.any.keys("capacity", "minFreePrefixes", "minAssignableAddresses");
    expectValid(result);
  });

  it("names the reason a subnet has no capacity figures, and gives it none", () => {
    const unmeasured = subnet("subnet-04", "ok", { capacityUnknown: "not measured: DescribeNetworkInterfaces failed" });

    const result = build(evaluate([unmeasured], CAPACITY_RULES));

    expect(result.resourcesInTrouble[0]).to.include({
      status: "unknown",
      reason: "capacity unknown: not measured: DescribeNetworkInterfaces failed",
    });
    expect(result.resourcesInTrouble[0]).not.to.have.any.keys(
      "freePrefixes",
      "assignableAddresses",
      "largestFreeBlock",
    );
    expect(result.scopes[0]).not.to.have.any.keys("minFreePrefixes", "minAssignableAddresses");
  });
});

describe("buildResult: zones", () => {
  const ZONE_RULES: RulesFile = {
    ...RULES,
    defaults: { thresholds: {} },
    scopes: [
      {
        name: "pods",
        match: { resourceTypes: ["subnet"] },
        thresholds: { minZoneFreeWarning: 100 },
        resourceMetrics: false,
      },
    ],
  };

  it("lists each zone of a scope with its id, name, subnets, free addresses and status, poorest first", () => {
    const result = build(
      evaluate(
        [
          subnet("subnet-01", "critical", { availabilityZoneId: "euw1-az1", availabilityZone: "eu-west-1a" }),
          subnet("subnet-02", "ok", { availabilityZoneId: "euw1-az2", availabilityZone: "eu-west-1b" }),
          subnet("subnet-03", "unknown", { availabilityZoneId: "euw1-az2", availabilityZone: "eu-west-1b" }),
        ],
        ZONE_RULES,
      ),
    );

    expect(result.scopes[0]).to.deep.include({
      status: "warning",
      zones: [
        {
          availabilityZoneId: "euw1-az1",
          availabilityZone: "eu-west-1a",
          resourceCount: 1,
          freeAddresses: 13,
          status: "warning",
          reason: "13 free addresses < warning minimum 100",
        },
        {
          availabilityZoneId: "euw1-az2",
          availabilityZone: "eu-west-1b",
          resourceCount: 2,
          freeAddresses: 226,
          unknownFree: 1,
          status: "ok",
          reason: "within thresholds",
        },
      ],
    });
    expect(result.scopes[0]).not.to.have.property("minZoneFreeAddresses");
    expectValid(result);
  });

  it("gives the poorest zone's free addresses when every zone is known", () => {
    const result = build(evaluate([subnet("subnet-01", "ok", { availabilityZoneId: "euw1-az1" })], ZONE_RULES));

    expect(result.scopes[0]).to.include({ minZoneFreeAddresses: 226 });
    expectValid(result);
  });
});
