import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { AwsCallError } from "../../src/errors";
import { evaluate } from "../../src/evaluate";
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  formatNotification,
  formatSubject,
  publishNotification,
  sanitizeSubject,
} from "../../src/publish/notification";
import { diffStates, mergeForSave, stateFromEvaluation } from "../../src/publish/state-diff";
import type {
  Evaluation,
  ResourceCidr,
  RoomForSubnets,
  RulesFile,
  ScanFailure,
  ScopeRule,
  Status,
} from "../../src/types";
import { rulesFile, scopeRule, subnetAt, UTILIZATION_AT } from "../fixtures/resources";

const SCANNED_AT = new Date("2024-05-01T12:00:00.000Z");
/** Critical at 95.5%, so the messages show a decimal. */
const UTILIZATION: Record<Status, number | undefined> = { ...UTILIZATION_AT, critical: 95.5 };

/** A subnet of environment `env` at `status` under warning 80 / critical 90. */
function subnet(id: string, status: Status, env: string, overrides: Partial<ResourceCidr> = {}): ResourceCidr {
  return subnetAt(id, status, { name: `app-${id.slice(-2)}`, tags: { env }, ...overrides }, UTILIZATION);
}

/** A scope over the resources tagged with `env`. */
function scopeFor(name: string, env: string, overrides: Partial<ScopeRule> = {}): ScopeRule {
  return scopeRule(name, { match: { tags: { env } }, ...overrides });
}

function rules(...scopes: ScopeRule[]): RulesFile {
  return rulesFile(scopes);
}

const RULES = rules(
  scopeFor("dev", "dev", { description: "Development subnets" }),
  scopeFor("prod", "prod", { description: "Production subnets", thresholds: { minFreeCritical: 10 } }),
  scopeFor("sandbox", "sandbox"),
  scopeFor("legacy", "legacy"),
);

const RESOURCES = [
  subnet("subnet-0d1", "warning", "dev"),
  subnet("subnet-0p1", "critical", "prod"),
  subnet("subnet-0p2", "ok", "prod"),
  subnet("subnet-0p3", "warning", "prod"),
  subnet("subnet-0s1", "ok", "sandbox"),
];

function firstRun(evaluation: Evaluation) {
  return diffStates(undefined, stateFromEvaluation(evaluation), { complete: true });
}

const OPTIONS = { scannedAt: SCANNED_AT, source: "ipam" as const, complete: true, failures: [] as ScanFailure[] };

describe("formatSubject", () => {
  it("names the worst status, the scopes at it, and what changed in the body's words", () => {
    const evaluation = evaluate([...RESOURCES, subnet("subnet-0d2", "critical", "dev")], RULES);

    expect(formatSubject(firstRun(evaluation), evaluation, true)).to.equal(
      "IPAM monitor: CRITICAL in 2 scopes (4 in trouble)",
    );
  });

  it("names the scope when one scope is at the worst status", () => {
    const evaluation = evaluate(RESOURCES, RULES);

    expect(formatSubject(firstRun(evaluation), evaluation, true)).to.equal(
      "IPAM monitor: CRITICAL in prod (3 in trouble)",
    );
  });

  it("stays under 100 characters with a very long scope name and keeps the counts", () => {
    const long = rules(scopeFor(`production-${"very-long-scope-name-".repeat(10)}`, "prod"));
    const evaluation = evaluate(RESOURCES, long);

    const subject = formatSubject(firstRun(evaluation), evaluation, true);

    expect(subject.length).to.be.lessThan(100);
    expect(subject).to.match(/^IPAM monitor: CRITICAL in production-very-long.*\.\.\. \(2 in trouble\)$/);
  });

  it("keeps the subject to printable ASCII on one line", () => {
    const odd = rules(scopeFor("prod\nüber-subnets\u0007", "prod"));
    const evaluation = evaluate(RESOURCES, odd);

    const subject = formatSubject(firstRun(evaluation), evaluation, true);

    expect(subject).to.match(/^[\x20-\x7e]+$/);
    expect(subject).to.contain("prod ?ber-subnets");
  });

  it("says all scopes recovered when nothing is in trouble any more", () => {
    const before = evaluate(RESOURCES, RULES);
    const after = evaluate(
      RESOURCES.map((r) => subnet(r.resourceId, "ok", r.tags.env!)),
      RULES,
    );
    const changes = diffStates(
      mergeForSave(undefined, stateFromEvaluation(before), { complete: true }),
      stateFromEvaluation(after),
      { complete: true },
    );

    expect(formatSubject(changes, after, true)).to.equal("IPAM monitor: all scopes recovered");
  });

  it("marks a partial scan when there is room", () => {
    const evaluation = evaluate(RESOURCES, RULES);

    expect(formatSubject(firstRun(evaluation), evaluation, false)).to.equal(
      "IPAM monitor: CRITICAL in prod (3 in trouble) - partial scan",
    );
  });

  it("counts improved and recovered resources alongside new ones", () => {
    const before = evaluate(RESOURCES, RULES);
    const after = evaluate(
      [
        subnet("subnet-0d1", "ok", "dev"),
        subnet("subnet-0p1", "warning", "prod"),
        subnet("subnet-0p3", "critical", "prod"),
        subnet("subnet-0p2", "warning", "prod"),
      ],
      RULES,
    );
    const changes = diffStates(
      mergeForSave(undefined, stateFromEvaluation(before), { complete: true }),
      stateFromEvaluation(after),
      { complete: true },
    );

    expect(formatSubject(changes, after, true)).to.equal(
      "IPAM monitor: CRITICAL in prod (2 new or worse, 1 improved, 1 recovered)",
    );
  });

  it("counts exactly what the body's headings count, in the same words", () => {
    const before = evaluate([...RESOURCES, subnet("subnet-0d2", "critical", "dev")], RULES);
    const after = evaluate(
      [
        subnet("subnet-0d1", "ok", "dev"),
        subnet("subnet-0d2", "warning", "dev"),
        subnet("subnet-0p1", "warning", "prod"),
        subnet("subnet-0p3", "critical", "prod"),
        subnet("subnet-0p4", "critical", "prod"),
        subnet("subnet-0p2", "warning", "prod"),
      ],
      RULES,
    );
    const changes = diffStates(
      mergeForSave(undefined, stateFromEvaluation(before), { complete: true }),
      stateFromEvaluation(after),
      { complete: true },
    );

    const { subject, message } = formatNotification(changes, after, OPTIONS);

    const counted = /\((.*)\)$/.exec(subject)![1]!.split(", ");
    expect(counted).to.have.length.above(2);
    for (const part of counted) {
      const [, n, words] = /^(\d+) (.+)$/.exec(part)!;
      const heading = `${words![0]!.toUpperCase()}${words!.slice(1)} (${n}):`;
      expect(message, part).to.contain(heading);
      const lines = message.split("\n");
      const rows = lines.slice(lines.indexOf(heading) + 1).findIndex((l) => !l.startsWith("  "));
      expect(rows, heading).to.equal(Number(n));
    }
  });
});

describe("sanitizeSubject", () => {
  it("cuts anything longer than 99 characters", () => {
    expect(sanitizeSubject("x".repeat(300))).to.have.length(99);
  });
});

describe("formatNotification", () => {
  const evaluation = evaluate(RESOURCES, RULES);
  const { message } = formatNotification(firstRun(evaluation), evaluation, OPTIONS);

  it("says when and from where the scan ran", () => {
    expect(message.split("\n")[1]).to.equal("Scan of 2024-05-01T12:00:00.000Z, source ipam, complete.");
  });

  it("puts what changed before the scope details", () => {
    expect(message.indexOf("WHAT CHANGED")).to.be.lessThan(message.indexOf("SCOPES, WORST FIRST"));
    expect(message.indexOf("In trouble (3):")).to.be.greaterThan(message.indexOf("WHAT CHANGED"));
  });

  it("lists the scopes worst first", () => {
    expect(message.indexOf("[CRITICAL] prod")).to.be.lessThan(message.indexOf("[WARNING] dev"));
  });

  it("describes each resource in trouble with id, name, account, region, CIDR, usage and the threshold crossed", () => {
    expect(message).to.contain(
      '  - CRITICAL subnet-0p1 "app-p1", account 111122223333, eu-west-1, 10.0.1.0/24: 95.5% used, 11 free - utilization 95.5% ≥ critical 90%',
    );
  });

  it("gives each scope in trouble its description, counts and thresholds", () => {
    expect(message).to.contain(
      "[CRITICAL] prod - 1 critical, 1 warning, 1 ok of 3 resources\n  Production subnets\n  Thresholds: warning at 80% used, critical at 90% used, critical below 10 free",
    );
  });

  it("gives an idle-address scope its minimum utilization thresholds and the idle address's reason", () => {
    const idle = subnet("eipalloc-0a1b2c3d4e5f60002", "ok", "edge", {
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
    const edge = rules(
      scopeFor("edge", "edge", { thresholds: { minUtilizationWarning: 1, minUtilizationCritical: 0.5 } }),
    );
    const idleEvaluation = evaluate([idle], edge);

    const text = formatNotification(firstRun(idleEvaluation), idleEvaluation, OPTIONS).message;

    expect(text).to.contain(
      "Thresholds: warning at 80% used, critical at 90% used, warning below 1% used, critical below 0.5% used",
    );
    expect(text).to.contain(
      "  - CRITICAL eipalloc-0a1b2c3d4e5f60002, account 111122223333, eu-west-1, 198.51.100.7/32: 0% used, 1 free - utilization 0% < critical minimum 0.5%",
    );
  });

  it("sums up healthy scopes on one line and lists scopes without matches", () => {
    expect(message).to.contain("[OK] sandbox (1 resource)");
    expect(message).to.contain("SCOPES WITHOUT MATCHES (1): legacy");
  });

  it("lists scan failures with target, action and code", () => {
    const failures: ScanFailure[] = [
      {
        target: "region ap-south-1",
        action: "DescribeSubnets",
        code: "UnauthorizedOperation",
        message: "You are not authorized to perform this operation.",
      },
    ];

    const partial = formatNotification(firstRun(evaluation), evaluation, { ...OPTIONS, complete: false, failures });

    expect(partial.message).to.contain("PARTIAL: 1 failure; resources not seen keep their last notified status.");
    expect(partial.message).to.contain(
      "SCAN FAILURES (1):\n  - region ap-south-1 (DescribeSubnets UnauthorizedOperation): You are not authorized to perform this operation.",
    );
  });

  it("names the scopes a partial scan could not see completely when the others were out of its reach", () => {
    const failures: ScanFailure[] = [
      {
        target: "account 444444444444 (sandbox) region eu-west-1",
        action: "AssumeRole",
        code: "AccessDenied",
        message: "denied",
      },
    ];

    const partial = formatNotification(firstRun(evaluation), evaluation, {
      ...OPTIONS,
      complete: false,
      incompleteScopes: new Set(["sandbox", "dev"]),
      failures,
    });

    expect(partial.message).to.contain(
      "PARTIAL: 1 failure; resources not seen keep their last notified status in 2 of 4 scopes (dev, sandbox); the others are complete.",
    );
  });

  it("lists worse, improved and recovered resources with their previous status", () => {
    const after = evaluate(
      [
        subnet("subnet-0d1", "critical", "dev"),
        subnet("subnet-0p1", "warning", "prod"),
        subnet("subnet-0p2", "ok", "prod"),
      ],
      RULES,
    );
    const changes = diffStates(
      mergeForSave(undefined, stateFromEvaluation(evaluation), { complete: true }),
      stateFromEvaluation(after),
      {
        complete: true,
      },
    );

    const text = formatNotification(changes, after, OPTIONS).message;

    expect(text).to.contain("New or worse (1):\n  CRITICAL [dev] subnet-0d1");
    expect(text).to.match(/Improved \(1\):\n {2}WARNING {2}\[prod\] subnet-0p1 .* \(was critical\)/);
    expect(text).to.contain("Recovered (1):\n  OK       [prod] subnet-0p3 - no longer found (was warning)");
  });

  it("announces scopes that recovered entirely", () => {
    const after = evaluate(
      RESOURCES.map((r) => subnet(r.resourceId, "ok", r.tags.env!)),
      RULES,
    );
    const changes = diffStates(
      mergeForSave(undefined, stateFromEvaluation(evaluation), { complete: true }),
      stateFromEvaluation(after),
      {
        complete: true,
      },
    );

    const text = formatNotification(changes, after, OPTIONS).message;

    expect(text).to.contain("Scopes recovered entirely (2): dev (was warning), prod (was critical)");
    expect(text).to.contain("OK       [prod] subnet-0p1");
  });

  describe("a VPC block with room for new subnets", () => {
    /** A VPC CIDR block as the EC2 source measures it: used = addresses allocated to subnets. */
    function vpcBlock(cidr: string, used: bigint, room: RoomForSubnets): ResourceCidr {
      const ipv6 = cidr.includes(":");
      const size = 2n ** BigInt((ipv6 ? 128 : 32) - Number(cidr.split("/")[1]));
      return subnet("vpc-0a1b2c3d4e5f60004", "ok", "prod", {
        source: "ec2",
        resourceType: "vpc",
        name: "holes",
        cidr,
        addressFamily: ipv6 ? "ipv6" : "ipv4",
        region: "us-east-2",
        size,
        usable: size,
        used,
        free: size - used,
        utilization: (Number(used) / Number(size)) * 100,
        room,
      });
    }
    const vpcs = rules(scopeFor("vpcs", "prod", { thresholds: { warning: 40, critical: 99 } }));

    function messageFor(block: ResourceCidr): string {
      const evaluation = evaluate([block], vpcs);
      return formatNotification(firstRun(evaluation), evaluation, OPTIONS).message;
    }

    it("appends the largest free block and the free /24 and /28 to its line", () => {
      const text = messageFor(
        vpcBlock("10.4.0.0/22", 464n, { largestFreePrefix: 25, freeSlash24: 0, freeSlash28: 35 }),
      );

      expect(text).to.contain(
        '  - WARNING  vpc-0a1b2c3d4e5f60004 "holes", account 111122223333, us-east-2, 10.4.0.0/22: 45.3% used, 560 free, largest free block /25 (0 free /24, 35 free /28) - utilization 45.3% ≥ warning 40%',
      );
    });

    it("says a full block has no room for a new subnet", () => {
      const text = messageFor(vpcBlock("10.3.0.0/16", 65536n, { freeSlash24: 0, freeSlash28: 0 }));

      expect(text).to.contain(
        "10.3.0.0/16: 100% used, 0 free, no room for a new subnet - utilization 100% ≥ critical 99%",
      );
    });

    it("counts free /64 blocks for an IPv6 block", () => {
      const text = messageFor(
        vpcBlock("2600:1f16:4c1:a100::/56", 128n * 2n ** 64n, {
          largestFreePrefix: 57,
          freeSlash24: 0,
          freeSlash28: 0,
          freeSlash64: 128,
        }),
      );

      expect(text).to.contain(
        "2600:1f16:4c1:a100::/56: 50% used, 2361183241434822606848 free, largest free block /57 (128 free /64) - ",
      );
    });

    it("says nothing of room for a resource without it", () => {
      expect(message).to.not.contain("free block");
    });
  });

  describe("a subnet of a scope that measures capacity", () => {
    const eksRules = rules(
      scopeFor("eks-pods", "prod", {
        capacity: true,
        thresholds: { minFreePrefixesWarning: 4, minFreePrefixesCritical: 1 },
      }),
    );
    const halfUsed = subnet("subnet-0e1", "ok", "prod", {
      name: "eks-pods-a",
      utilization: 52.19,
      used: 131n,
      free: 120n,
      capacity: {
        freePrefixes: 0,
        assignableAddresses: 120,
        largestFreeBlock: 29,
        blockers: [
          {
            networkInterfaceId: "eni-0n1",
            interfaceType: "interface",
            instanceId: "i-0abc",
            description: "aws-K8S-i-0abc",
            blocksFreed: 3,
            blocksBlocked: 4,
          },
          { networkInterfaceId: "eni-0n2", requesterId: "amazon-elb", blocksFreed: 1, blocksBlocked: 2 },
          { networkInterfaceId: "eni-0n3", blocksFreed: 1, blocksBlocked: 1 },
          { networkInterfaceId: "eni-0n4", blocksFreed: 0, blocksBlocked: 1 },
        ],
      },
    });

    function messageFor(resource: ResourceCidr): string {
      const evaluation = evaluate([resource], eksRules);
      return formatNotification(firstRun(evaluation), evaluation, OPTIONS).message;
    }

    it("gives its free /28 prefixes and assignable addresses, then the three interfaces blocking them most", () => {
      const lines = messageFor(halfUsed).split("\n");
      const at = lines.findIndex((l) => l.startsWith("  - CRITICAL"));

      expect(lines.slice(at, at + 5)).to.deep.equal([
        '  - CRITICAL subnet-0e1 "eks-pods-a", account 111122223333, eu-west-1, 10.0.1.0/24: 52.1% used, 120 free, 0 free /28 prefixes (largest free block /29), 120 assignable - 0 free /28 prefixes < critical minimum 1',
        "      Blocking /28 prefixes most (draining one frees the blocks only it holds):",
        "        eni-0n1 (interface, i-0abc, aws-K8S-i-0abc): frees 3 /28s, in 4 /28s",
        "        eni-0n2 (amazon-elb): frees 1 /28, in 2 /28s",
        "        eni-0n3: frees 1 /28, in 1 /28",
      ]);
    });

    it("states the capacity thresholds and the scope's fewest free /28 prefixes", () => {
      const text = messageFor(halfUsed);

      expect(text).to.contain("critical at 90% used, warning below 4 free /28, critical below 1 free /28");
      expect(text).to.contain("fewest free /28 prefixes 0");
    });

    it("names no interface when the subnet is above the free-prefix level", () => {
      const roomy = { ...halfUsed, capacity: { ...halfUsed.capacity!, freePrefixes: 4, assignableAddresses: 12 } };
      const text = messageFor({ ...roomy, utilization: 95.5, used: 240n, free: 11n });

      expect(text).not.to.contain("Blocking /28 prefixes");
    });
  });

  it("keeps one line per entry when names hold line breaks", () => {
    const odd = evaluate([subnet("subnet-0p1", "critical", "prod", { name: "evil\nname" })], RULES);

    const text = formatNotification(firstRun(odd), odd, OPTIONS).message;

    expect(text).to.contain('subnet-0p1 "evil name"');
  });
});

describe("formatNotification size bound", () => {
  function crowded(count: number, name = "app"): Evaluation {
    const resources = Array.from({ length: count }, (_, i) =>
      subnet(`subnet-${i.toString(16).padStart(17, "0")}`, "critical", "prod", { name: `${name}-${i}` }),
    );
    return evaluate(resources, RULES);
  }

  it("stays within the byte limit and says how many resource lines were left out", () => {
    const evaluation = crowded(500);

    const { message } = formatNotification(firstRun(evaluation), evaluation, { ...OPTIONS, maxBytes: 8192 });

    expect(Buffer.byteLength(message, "utf8")).to.be.at.most(8192);
    const shown = message.split("\n").filter((l) => /subnet-0{6}/.test(l)).length;
    const leftOut = Number(/(\d+) resource lines left out/.exec(message)?.[1]);
    expect(shown + leftOut).to.equal(1000); // each resource is listed under "In trouble" and under its scope
  });

  it("marks where resources were left out with how many more", () => {
    const evaluation = crowded(500);

    const { message } = formatNotification(firstRun(evaluation), evaluation, { ...OPTIONS, maxBytes: 8192 });

    expect(message).to.match(/ {4}\.\.\. and \d+ more/);
  });

  it("leaves out resource lines before scope headers and scan failures", () => {
    const evaluation = crowded(500);
    const failures: ScanFailure[] = [
      { target: "region ap-south-1", action: "DescribeSubnets", code: "UnauthorizedOperation", message: "denied" },
    ];

    const { message } = formatNotification(firstRun(evaluation), evaluation, {
      ...OPTIONS,
      complete: false,
      failures,
      maxBytes: 8192,
    });

    expect(message).to.contain("[CRITICAL] prod - 500 critical of 500 resources");
    expect(message).to.contain("SCAN FAILURES (1):");
  });

  it("counts the limit in UTF-8 bytes, not characters", () => {
    const evaluation = crowded(500, "日本語のサブネット");

    const { message } = formatNotification(firstRun(evaluation), evaluation, { ...OPTIONS, maxBytes: 8192 });

    expect(Buffer.byteLength(message, "utf8")).to.be.at.most(8192);
    expect(message.length).to.be.lessThan(8192);
  });

  it("stays under SNS's 256 KB by default with 20,000 resources in trouble", () => {
    const evaluation = crowded(20_000);

    const { message } = formatNotification(firstRun(evaluation), evaluation, OPTIONS);

    expect(Buffer.byteLength(message, "utf8")).to.be.at.most(DEFAULT_MAX_MESSAGE_BYTES);
    expect(DEFAULT_MAX_MESSAGE_BYTES).to.be.lessThan(262_144);
  });

  it("leaves a message that fits untouched", () => {
    const evaluation = evaluate(RESOURCES, RULES);

    const { message } = formatNotification(firstRun(evaluation), evaluation, OPTIONS);

    expect(message).to.not.contain("left out");
  });
});

describe("publishNotification", () => {
  // Mocked per test and restored after: a mock made once at load time is undone when another
  // test file restores its own mock of the same client class.
  let sns: AwsClientStub<SNSClient>;
  beforeEach(() => {
    sns = mockClient(SNSClient);
  });
  afterEach(() => sns.restore());
  const topicArn = "arn:aws:sns:eu-west-1:111122223333:ipam-monitor";

  it("publishes subject and message to the topic", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "5b2c7f0e-1111-2222-3333-444455556666" });

    const result = await publishNotification(new SNSClient({ region: "eu-west-1" }), topicArn, {
      subject: "IPAM monitor: CRITICAL in prod",
      message: "body",
    });

    expect(result).to.deep.equal({ messageId: "5b2c7f0e-1111-2222-3333-444455556666" });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).to.deep.equal({
      TopicArn: topicArn,
      Subject: "IPAM monitor: CRITICAL in prod",
      Message: "body",
    });
  });

  it("always sets a subject, even when given an empty one", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "id" });

    await publishNotification(new SNSClient({ region: "eu-west-1" }), topicArn, { subject: "", message: "body" });

    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Subject).to.equal("IPAM monitor");
  });

  it("throws an AwsCallError naming the topic, with the SDK error as cause, when Publish fails", async () => {
    const denied = Object.assign(new Error("User is not authorized to perform: SNS:Publish"), {
      name: "AuthorizationError",
    });
    sns.on(PublishCommand).rejects(denied);

    const error = await publishNotification(new SNSClient({ region: "eu-west-1" }), topicArn, {
      subject: "s",
      message: "m",
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).to.be.instanceOf(AwsCallError);
    expect(error).to.include({ action: "Publish", service: "sns", target: `topic ${topicArn}`, cause: denied });
  });
});

describe("formatNotification: zones", () => {
  const zoneRules = rules(scopeFor("pods", "prod", { thresholds: { minZoneFreeWarning: 100 } }));
  const inZone = (id: string, status: Status, zone: string, name: string) =>
    subnet(id, status, "prod", { availabilityZoneId: zone, availabilityZone: name });
  const resources = [
    inZone("subnet-0z1", "ok", "euw1-az1", "eu-west-1a"),
    { ...inZone("subnet-0z2", "ok", "euw1-az2", "eu-west-1b"), utilization: 70, used: 176n, free: 75n },
    inZone("subnet-0z3", "ok", "euw1-az3", "eu-west-1c"),
  ];

  it("names the zone in trouble and how much room the other zones have", () => {
    const evaluation = evaluate(resources, zoneRules);

    const { subject, message } = formatNotification(firstRun(evaluation), evaluation, OPTIONS);

    expect(subject).to.equal("IPAM monitor: WARNING in pods (1 in trouble)");
    expect(message).to.contain(
      "  - WARNING  zone euw1-az2 (eu-west-1b): 1 subnet, 75 free - 75 free addresses < warning minimum 100; the other zones: euw1-az1 (eu-west-1a) 226 free, euw1-az3 (eu-west-1c) 226 free",
    );
    expect(message).to.contain("  WARNING  [pods] zone euw1-az2 (eu-west-1b): 1 subnet, 75 free - 75 free addresses");
  });

  it("notifies when the zone recovers, and not again while nothing changes", () => {
    const before = stateFromEvaluation(evaluate(resources, zoneRules));
    const same = diffStates(
      mergeForSave(undefined, before, { complete: true }),
      stateFromEvaluation(evaluate(resources, zoneRules)),
      {
        complete: true,
      },
    );
    const recovered = evaluate(
      resources.slice(0, 1).concat(resources.slice(2), [inZone("subnet-0z2", "ok", "euw1-az2", "eu-west-1b")]),
      zoneRules,
    );
    const changes = diffStates(before, stateFromEvaluation(recovered), { complete: true });

    expect(same.scopes).to.deep.equal([]);
    expect(changes.scopes[0]?.recovered.map((c) => c.resourceId)).to.deep.equal(["zone:euw1-az2"]);
    expect(formatNotification(changes, recovered, OPTIONS).message).to.contain(
      "  OK       [pods] zone euw1-az2 (eu-west-1b): 1 subnet, 226 free; the other zones: euw1-az1 (eu-west-1a) 226 free, euw1-az3 (eu-west-1c) 226 free (was warning)",
    );
  });
});
