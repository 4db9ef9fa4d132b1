import {
  type CloudWatchClient,
  CloudWatchServiceException,
  type MetricDatum,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  type AttributeValue,
  type DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeAddressesCommand,
  DescribeIpamScopesCommand,
  DescribeIpamsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  GetSubnetCidrReservationsCommand,
} from "@aws-sdk/client-ec2";
import { PublishCommand, type SNSClient, SNSServiceException } from "@aws-sdk/client-sns";
import Ajv from "ajv";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";

import resultSchema from "../schema/result.schema.json";
import type { AwsClients } from "../src/clients";
import { type Config, readConfig } from "../src/config";
import { ScanError } from "../src/errors";
import { silentLogger } from "../src/log";
import { MemoryStateStore } from "../src/publish/state-store";
import { parseRules } from "../src/rules/load";
import { runScan, type ScanDependencies } from "../src/scan";
import { type MockedClients, mockAwsClients } from "./fixtures/scan/clients";
import * as net from "./fixtures/scan/network";

const NOW = new Date("2024-05-01T12:00:00.000Z");
const TOPIC = "arn:aws:sns:us-east-1:111122223333:ipam-alerts";
const TABLE = "ipam-monitor-state";
const RULES = parseRules(net.RULES_YAML, "rules.yaml");

function configWith(env: Record<string, string> = {}): Config {
  return readConfig({ AWS_REGION: "us-east-1", ...env });
}

/** "CriticalCount Scope=subnets = 1": one line per datum, easy to compare as a set. */
function describeDatum(d: MetricDatum): string {
  const dimensions = (d.Dimensions ?? []).map((dim) => `${dim.Name}=${dim.Value}`).join(",");
  return `${d.MetricName}${dimensions === "" ? "" : ` ${dimensions}`} = ${d.Value}`;
}

describe("runScan", () => {
  let ec2: AwsClientStub<EC2Client>;
  let cloudwatch: AwsClientStub<CloudWatchClient>;
  let sns: AwsClientStub<SNSClient>;
  let dynamodb: AwsClientStub<DynamoDBClient>;
  let mocked: MockedClients;
  let clients: AwsClients;
  let pages: net.PageBook;
  /** The state item as the mocked table holds it. */
  let storedItem: Record<string, AttributeValue> | undefined;

  beforeEach(() => {
    mocked = mockAwsClients();
    ({ ec2, cloudwatch, sns, dynamodb, clients } = mocked);
    pages = net.networkPages();
    storedItem = undefined;
    net.serveNetwork(ec2, () => pages);
    cloudwatch.on(PutMetricDataCommand).resolves({ $metadata: {} });
    sns.on(PublishCommand).resolves({ $metadata: {}, MessageId: "5c1a3b7e-0d2f-5e6a-9b8c-7d6e5f4a3b2c" });
    dynamodb
      .on(GetItemCommand)
      .callsFake(() => ({ $metadata: {}, ...(storedItem !== undefined ? { Item: storedItem } : {}) }));
    dynamodb.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
      storedItem = input.Item;
      return { $metadata: {} };
    });
  });

  afterEach(() => {
    mocked.restore();
  });

  function deps(overrides: Partial<ScanDependencies> = {}): ScanDependencies {
    return { clients, logger: silentLogger, now: () => NOW, ...overrides };
  }

  function publishedDatums(): string[] {
    return cloudwatch
      .commandCalls(PutMetricDataCommand)
      .flatMap((call) => (call.args[0].input.MetricData ?? []).map(describeDatum));
  }

  function publishedMessages(): string[] {
    return sns.commandCalls(PublishCommand).map((call) => call.args[0].input.Message ?? "");
  }

  describe("collection and metrics", () => {
    it("reads every page of every IPAM scope", async () => {
      const outcome = await runScan(configWith(), RULES, deps());

      expect(outcome.result.summary.resources).to.equal(6);
      expect(outcome.evaluation.scopes.find((s) => s.name === "subnets")?.resourceCount).to.equal(4);
    });

    it("reads IPAM in its home region", async () => {
      await runScan(configWith({ IPAM_REGION: "eu-central-1" }), RULES, deps());

      expect(new Set(mocked.regions)).to.deep.equal(new Set(["eu-central-1"]));
    });

    it("publishes the exact per-scope, per-resource and health metrics of a complete scan", async () => {
      await runScan(configWith(), RULES, deps());

      expect(publishedDatums()).to.have.members([
        "ResourceCount Scope=subnets = 4",
        "WarningCount Scope=subnets = 1",
        "CriticalCount Scope=subnets = 1",
        "UnknownCount Scope=subnets = 1",
        "MaxUtilization Scope=subnets = 90",
        "MinFreeAddresses Scope=subnets = 25",
        "ResourceCount Scope=vpcs = 1",
        "WarningCount Scope=vpcs = 0",
        "CriticalCount Scope=vpcs = 0",
        "UnknownCount Scope=vpcs = 0",
        "MaxUtilization Scope=vpcs = 50",
        "MinFreeAddresses Scope=vpcs = 32768",
        `Utilization Scope=vpcs,ResourceId=${net.VPC_ID},ResourceType=vpc = 50`,
        `FreeAddresses Scope=vpcs,ResourceId=${net.VPC_ID},ResourceType=vpc = 32768`,
        "ResourceCount Scope=staging = 0",
        "WarningCount Scope=staging = 0",
        "CriticalCount Scope=staging = 0",
        "UnknownCount Scope=staging = 0",
        "ScanSuccess = 1",
      ]);
    });

    it("publishes to the configured namespace with the scan time as timestamp", async () => {
      await runScan(configWith({ METRICS_NAMESPACE: "Network/IPAM" }), RULES, deps());

      const input = cloudwatch.commandCalls(PutMetricDataCommand)[0]?.args[0].input;
      expect(input?.Namespace).to.equal("Network/IPAM");
      expect(input?.MetricData?.[0]?.Timestamp).to.deep.equal(NOW);
    });

    it("returns a complete result with the scopes without matches and the uncovered count", async () => {
      const { result, complete, failures } = await runScan(configWith(), RULES, deps());

      expect(complete).to.equal(true);
      expect(failures).to.deep.equal([]);
      expect(result).to.include({
        complete: true,
        dryRun: false,
        source: "ipam",
        scannedAt: NOW.toISOString(),
        uncoveredCount: 1,
      });
      expect(result.scopesWithoutMatches).to.deep.equal(["staging"]);
      expect(result.resourcesInTrouble.map((t) => `${t.status} ${t.resourceId}`)).to.deep.equal([
        `critical ${net.SUBNET_CRITICAL}`,
        `warning ${net.SUBNET_WARNING}`,
        `unknown ${net.SUBNET_IPV6}`,
      ]);
      expect(result.published).to.deep.equal({ requests: 1, datums: 19 });
    });
  });

  describe("a partial collection", () => {
    it("still evaluates and reports the scopes that were read", async () => {
      net.serveNetwork(ec2, () => pages, {
        [net.PUBLIC_SCOPE]: net.ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
      });

      const { result, complete } = await runScan(configWith(), RULES, deps());

      expect(complete).to.equal(false);
      expect(result.complete).to.equal(false);
      expect(result.summary.resources).to.equal(5);
      expect(result.resourcesInTrouble).to.have.length(3);
    });

    it("records the failing scope with the IAM action it needs", async () => {
      net.serveNetwork(ec2, () => pages, {
        [net.PUBLIC_SCOPE]: net.ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
      });

      const { failures, result } = await runScan(configWith(), RULES, deps());

      expect(failures).to.have.length(1);
      expect(failures[0]).to.include({
        target: `ipam-scope ${net.PUBLIC_SCOPE}`,
        action: "GetIpamResourceCidrs",
        code: "UnauthorizedOperation",
      });
      expect(failures[0]?.message).to.include("ec2:GetIpamResourceCidrs");
      expect(result.errors).to.deep.equal(failures);
    });

    it("publishes only non-zero alarm counts and no ScanSuccess", async () => {
      net.serveNetwork(ec2, () => pages, {
        [net.PUBLIC_SCOPE]: net.ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
      });

      await runScan(configWith(), RULES, deps());

      expect(publishedDatums()).to.have.members([
        "WarningCount Scope=subnets = 1",
        "CriticalCount Scope=subnets = 1",
        "UnknownCount Scope=subnets = 1",
      ]);
    });

    it("treats a resource IPAM returned without a CIDR as a partial scan, not as a complete one", async () => {
      const privatePages = pages[net.PRIVATE_SCOPE]!;
      const first = privatePages[""]!;
      const broken = {
        ...first.IpamResourceCidrs![0]!,
        ResourceId: "subnet-0fffffffffffffff0",
        ResourceCidr: undefined,
      };
      privatePages[""] = { ...first, IpamResourceCidrs: [...first.IpamResourceCidrs!, broken] };

      const { complete, failures } = await runScan(configWith(), RULES, deps());

      expect(complete).to.equal(false);
      expect(failures.map((f) => f.code)).to.deep.equal(["MissingResourceCidr"]);
      expect(publishedDatums()).not.to.include("ScanSuccess = 1");
    });

    it("rejects with a ScanError and publishes nothing when no IPAM can be listed", async () => {
      ec2
        .on(DescribeIpamsCommand)
        .rejects(net.ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

      const error = await runScan(configWith(), RULES, deps()).then(
        () => expect.fail("the scan resolved"),
        (err: unknown) => err,
      );

      expect(error).to.be.instanceOf(ScanError).with.property("action", "DescribeIpams");
      expect(cloudwatch.commandCalls(PutMetricDataCommand)).to.have.length(0);
    });
  });

  describe("answers that are not data", () => {
    const notifying = { SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE };

    it("treats a page without its result set as a failure of that scope, never as an empty scope", async () => {
      await runScan(configWith(notifying), RULES, deps());
      cloudwatch.resetHistory();
      pages[net.PRIVATE_SCOPE]![""] = { $metadata: {} };

      const { complete, failures, result } = await runScan(configWith(notifying), RULES, deps());

      expect(complete).to.equal(false);
      expect(failures.map((f) => [f.code, f.unit])).to.deep.equal([
        ["MalformedResponse", `ipam-scope/${net.PRIVATE_SCOPE}`],
      ]);
      expect(failures[0]?.message).to.include("GetIpamResourceCidrs answered HTTP 200 without ipamResourceCidrSet");
      expect(result.units?.find((u) => u.key === `ipam-scope/${net.PRIVATE_SCOPE}`)).to.include({ complete: false });
      // No zero, no ScanSuccess, nothing recovered: the first scan's notification is the only one.
      expect(publishedDatums()).to.deep.equal([]);
      expect(publishedMessages()).to.have.length(1);
    });

    it("counts a resource returned on two pages once", async () => {
      const privatePages = pages[net.PRIVATE_SCOPE]!;
      const second = Object.values(privatePages)[1]!;
      const repeated = privatePages[""]!.IpamResourceCidrs![0]!;
      second.IpamResourceCidrs = [...second.IpamResourceCidrs!, repeated];

      const { result } = await runScan(configWith(), RULES, deps());

      expect(result.scopes.find((s) => s.name === "subnets")?.counts.critical).to.equal(1);
      expect(result.summary.resources).to.equal(6);
      expect(result.units?.find((u) => u.key === `ipam-scope/${net.PRIVATE_SCOPE}`)).to.deep.equal({
        key: `ipam-scope/${net.PRIVATE_SCOPE}`,
        resources: 5,
        pages: 2,
        complete: true,
      });
    });
  });

  describe("the plausibility gate", () => {
    const notifying = { SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE };
    /** The private scope answers with its first page only, and no NextToken: 2 of its 5 resources. */
    function shrinkPrivateScope(): void {
      const first = pages[net.PRIVATE_SCOPE]![""]!;
      pages[net.PRIVATE_SCOPE] = { "": { ...first, NextToken: undefined, IpamResourceCidrs: [] } };
    }

    it("keeps the resource count of each unit with the notified state", async () => {
      const store = new MemoryStateStore();

      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));

      expect((await store.load()).state?.units).to.deep.equal({
        [`ipam-scope/${net.PRIVATE_SCOPE}`]: { resources: 5, pages: 2, ipamId: net.IPAM_ID },
        [`ipam-scope/${net.PUBLIC_SCOPE}`]: { resources: 1, pages: 1, ipamId: net.IPAM_ID },
      });
    });

    it("makes a scan partial when a scope suddenly returns nothing, and reports nothing recovered", async () => {
      const store = new MemoryStateStore();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));
      cloudwatch.resetHistory();
      shrinkPrivateScope();

      const { complete, failures, result } = await runScan(configWith(notifying), RULES, deps({ stateStore: store }));

      expect(complete).to.equal(false);
      expect(failures.map((f) => f.code)).to.deep.equal(["ImplausibleDrop"]);
      expect(failures[0]?.message).to.include("returned 0 resource CIDRs where the last complete scan had 5");
      expect(publishedDatums()).to.deep.equal([]);
      expect(publishedMessages()).to.have.length(1);
      expect(result.notification).to.deep.equal({ sent: false, reason: "nothing changed since the last notification" });
    });

    it("accepts the drop when the next scan confirms it, and only then reports the recovery", async () => {
      const store = new MemoryStateStore();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));
      shrinkPrivateScope();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));

      const third = await runScan(configWith(notifying), RULES, deps({ stateStore: store }));

      expect(third.complete).to.equal(true);
      expect(publishedMessages()).to.have.length(2);
      expect(publishedMessages()[1]).to.include("Recovered (3):").and.include("no longer found");
      expect((await store.load()).state?.units?.[`ipam-scope/${net.PRIVATE_SCOPE}`]).to.deep.equal({
        resources: 0,
        pages: 1,
        ipamId: net.IPAM_ID,
      });
    });

    it("judges a scope that DescribeIpamScopes stops listing as a scope that returned nothing", async () => {
      const store = new MemoryStateStore();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));
      ec2.on(DescribeIpamScopesCommand).resolves({
        ...net.describeScopesOutput,
        IpamScopes: net.describeScopesOutput.IpamScopes!.filter((s) => s.IpamScopeId !== net.PRIVATE_SCOPE),
      });

      const { complete, failures } = await runScan(configWith(notifying), RULES, deps({ stateStore: store }));

      expect(complete).to.equal(false);
      expect(failures.map((f) => [f.code, f.unit])).to.deep.equal([
        ["ImplausibleDrop", `ipam-scope/${net.PRIVATE_SCOPE}`],
      ]);
      expect(publishedMessages()).to.have.length(1);
    });

    it("has no baseline in a dry run, which reads no state", async () => {
      const store = new MemoryStateStore();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));
      shrinkPrivateScope();

      const { complete } = await runScan(
        configWith({ ...notifying, DRY_RUN: "true" }),
        RULES,
        deps({ stateStore: store }),
      );

      expect(complete).to.equal(true);
    });
  });

  describe("a resource that is no longer measured", () => {
    const notifying = { SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE };
    /** IPAM stops reporting IpUsage for the critical subnet. */
    function stopMeasuringCritical(): void {
      const first = pages[net.PRIVATE_SCOPE]![""]!;
      first.IpamResourceCidrs = first.IpamResourceCidrs!.map((r) =>
        r.ResourceId === net.SUBNET_CRITICAL ? { ...r, IpUsage: undefined } : r,
      );
    }
    const later = (hours: number) => () => new Date(NOW.getTime() + hours * 3_600_000);

    it("keeps its last level in the counts, counts it as not measured, and reports it once as no longer measured, not as improved", async () => {
      const store = new MemoryStateStore();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));
      cloudwatch.resetHistory();
      stopMeasuringCritical();

      const { result } = await runScan(configWith(notifying), RULES, deps({ stateStore: store, now: later(1) }));

      expect(publishedDatums()).to.include("CriticalCount Scope=subnets = 1");
      // The one unknown before, and the held one: the scope's UnknownCount alarm says that measuring stopped.
      expect(publishedDatums()).to.include("UnknownCount Scope=subnets = 2");
      const message = publishedMessages()[1]!;
      expect(message).to.include("No longer measured (1):");
      expect(message).to.include(`[subnets] ${net.SUBNET_CRITICAL} "prod-app-a"`);
      expect(message).to.include("no longer measured (last seen critical at 90%)");
      expect(message).to.not.include("Improved");
      expect(publishedMessages()).to.have.length(2);
      expect(result.noLongerMeasured).to.deep.equal([
        {
          scope: "subnets",
          resourceId: net.SUBNET_CRITICAL,
          lastStatus: "critical",
          lastUtilization: 90,
          lastFree: 25,
          since: later(1)().toISOString(),
        },
      ]);
      expect(result.resourcesInTrouble.find((t) => t.resourceId === net.SUBNET_CRITICAL)).to.include({
        status: "critical",
        heldSince: later(1)().toISOString(),
        reason: "no longer measured (last seen critical at 90%)",
      });
      expect(result.notification).to.include({ sent: true, reason: "1 no longer measured" });
    });

    it("says nothing more while it stays unmeasured within the hold", async () => {
      const store = new MemoryStateStore();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));
      stopMeasuringCritical();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store, now: later(1) }));

      const third = await runScan(configWith(notifying), RULES, deps({ stateStore: store, now: later(12) }));

      expect(publishedMessages()).to.have.length(2);
      expect(third.result.noLongerMeasured).to.deep.equal([]);
      expect(third.result.scopes.find((s) => s.name === "subnets")?.counts.critical).to.equal(1);
    });

    it("counts it as unknown once the hold has run out, and says so once", async () => {
      const store = new MemoryStateStore();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));
      stopMeasuringCritical();
      await runScan(configWith(notifying), RULES, deps({ stateStore: store, now: later(1) }));
      cloudwatch.resetHistory();

      await runScan(configWith(notifying), RULES, deps({ stateStore: store, now: later(25) }));

      expect(publishedDatums()).to.include("CriticalCount Scope=subnets = 0");
      expect(publishedDatums()).to.include("UnknownCount Scope=subnets = 2");
      expect(publishedMessages()[2]).to.include("Still not measured (1):").and.include("now counted as unknown");
    });

    it("holds for the hours UNKNOWN_HOLD_HOURS sets", async () => {
      const store = new MemoryStateStore();
      const config = configWith({ ...notifying, UNKNOWN_HOLD_HOURS: "2" });
      await runScan(config, RULES, deps({ stateStore: store }));
      stopMeasuringCritical();
      await runScan(config, RULES, deps({ stateStore: store, now: later(1) }));

      const { result } = await runScan(config, RULES, deps({ stateStore: store, now: later(3) }));

      expect(result.scopes.find((s) => s.name === "subnets")?.counts.critical).to.equal(0);
    });
  });

  describe("bounded runs", () => {
    it("stops collecting when the function's time runs out and publishes only alarm-raising counts", async () => {
      ec2.on(DescribeVpcsCommand).resolves({ $metadata: {}, Vpcs: [] });
      ec2.on(DescribeSubnetsCommand).resolves({ $metadata: {}, Subnets: [] });
      ec2.on(DescribeAddressesCommand).resolves({ $metadata: {}, Addresses: [] });

      const { complete, failures } = await runScan(
        configWith({ SOURCE: "ec2", REGIONS: "us-east-1" }),
        RULES,
        deps({ remainingTimeMs: 0 }),
      );

      expect(complete).to.equal(false);
      expect(failures.map((f) => `${f.code} ${f.action} ${f.unit}`)).to.deep.equal([
        "ScanTimeout DescribeVpcs ec2/us-east-1",
        "ScanTimeout DescribeSubnets ec2/us-east-1",
        "ScanTimeout DescribeAddresses ec2/us-east-1",
      ]);
      expect(failures[0]?.message).to.include("the function's remaining time of 0 s");
      expect(publishedDatums()).to.deep.equal([]);
      expect(ec2.calls()).to.have.length(0);
    });

    it("rejects with a ScanTimeout ScanError when the time runs out before the IPAMs are listed", async () => {
      const error = await runScan(configWith(), RULES, deps({ remainingTimeMs: 0 })).then(
        () => expect.fail("the scan resolved"),
        (err: unknown) => err,
      );

      expect(error).to.be.instanceOf(ScanError).and.include({ action: "DescribeIpams", code: "ScanTimeout" });
    });
  });

  describe("capacity", () => {
    const CAPACITY_RULES = parseRules(
      `${net.RULES_YAML}  - name: eks-pods\n    match: { resourceIds: [${net.SUBNET_OK}] }\n    capacity: true\n    thresholds: { minFreePrefixesWarning: 4 }\n`,
      "rules.yaml",
    );

    it("reads no interface or reservation when no scope measures capacity", async () => {
      await runScan(configWith(), RULES, deps());

      expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)).to.have.length(0);
      expect(ec2.commandCalls(GetSubnetCidrReservationsCommand)).to.have.length(0);
    });

    it("reads the interfaces and reservations of the opted-in subnet only, in its region", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
      ec2
        .on(GetSubnetCidrReservationsCommand)
        .resolves({ SubnetIpv4CidrReservations: [], SubnetIpv6CidrReservations: [] });

      const { complete } = await runScan(configWith(), CAPACITY_RULES, deps());

      expect(complete).to.equal(true);
      expect(ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input.Filters)).to.deep.equal([
        [{ Name: "subnet-id", Values: [net.SUBNET_OK] }],
      ]);
      expect(ec2.commandCalls(GetSubnetCidrReservationsCommand).map((c) => c.args[0].input.SubnetId)).to.deep.equal([
        net.SUBNET_OK,
      ]);
    });

    it("reports the capacity reads of a Region as a collection unit, counting the interfaces read", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
      ec2
        .on(GetSubnetCidrReservationsCommand)
        .resolves({ SubnetIpv4CidrReservations: [], SubnetIpv6CidrReservations: [] });

      const { result } = await runScan(configWith(), CAPACITY_RULES, deps());

      expect(result.units?.find((u) => u.key === "capacity/us-east-1")).to.deep.equal({
        key: "capacity/us-east-1",
        resources: 0,
        pages: 2,
        complete: true,
      });
    });

    it("makes the scan partial when the interfaces cannot be read, naming the subnet and the scope", async () => {
      ec2
        .on(DescribeNetworkInterfacesCommand)
        .rejects(net.ec2Error("UnauthorizedOperation", "You are not authorized."));
      ec2
        .on(GetSubnetCidrReservationsCommand)
        .resolves({ SubnetIpv4CidrReservations: [], SubnetIpv6CidrReservations: [] });

      const { complete, failures } = await runScan(configWith(), CAPACITY_RULES, deps());

      expect(complete).to.equal(false);
      expect(failures.map((f) => [f.target, f.action, f.code])).to.deep.equal([
        [`network interfaces of ${net.SUBNET_OK} in us-east-1`, "DescribeNetworkInterfaces", "UnauthorizedOperation"],
      ]);
      expect(failures[0]?.message).to.match(/capacity of subnet-\w+ not measured \(scope eks-pods\)$/);
      expect(publishedDatums()).not.to.include("ScanSuccess = 1");
    });
  });

  describe("publishing failures", () => {
    it("records a denied PutMetricData naming cloudwatch:PutMetricData", async () => {
      cloudwatch.on(PutMetricDataCommand).rejects(
        new CloudWatchServiceException({
          name: "AccessDenied",
          $fault: "client",
          $metadata: { httpStatusCode: 403 },
          message:
            "User: arn:aws:sts::111122223333:assumed-role/ipam-monitor/fn is not authorized to perform: cloudwatch:PutMetricData",
        }),
      );

      const { failures, complete } = await runScan(configWith(), RULES, deps());

      expect(complete).to.equal(true);
      expect(failures).to.have.length(1);
      expect(failures[0]).to.include({
        target: "namespace IPAMMonitor",
        action: "PutMetricData",
        code: "AccessDenied",
      });
      expect(failures[0]?.message).to.include("grant the IAM permission cloudwatch:PutMetricData");
    });

    it("still sends the notification when the metrics fail", async () => {
      cloudwatch.on(PutMetricDataCommand).rejects(new Error("socket hang up"));

      const { result } = await runScan(configWith({ SNS_TOPIC_ARN: TOPIC }), RULES, deps());

      expect(sns.commandCalls(PublishCommand)).to.have.length(1);
      expect(result.published).to.equal(undefined);
      expect(result.errors.map((e) => e.action)).to.deep.equal(["PutMetricData"]);
    });

    it("records a denied Publish naming sns:Publish and saves no state", async () => {
      sns.on(PublishCommand).rejects(
        new SNSServiceException({
          name: "AuthorizationError",
          $fault: "client",
          $metadata: { httpStatusCode: 403 },
          message: "not authorized to perform: SNS:Publish",
        }),
      );

      const { failures, result } = await runScan(
        configWith({ SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE }),
        RULES,
        deps(),
      );

      expect(failures).to.have.length(1);
      expect(failures[0]).to.include({ target: `topic ${TOPIC}`, action: "Publish", code: "AuthorizationError" });
      expect(failures[0]?.message).to.include("sns:Publish");
      expect(dynamodb.commandCalls(PutItemCommand)).to.have.length(0);
      expect(result.notification).to.include({ sent: false });
    });

    it("sends nothing and records the failure when the last notified state cannot be read", async () => {
      dynamodb.on(GetItemCommand).rejects(
        new DynamoDBServiceException({
          name: "AccessDeniedException",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
          message: "not authorized",
        }),
      );

      const { failures } = await runScan(configWith({ SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE }), RULES, deps());

      expect(sns.commandCalls(PublishCommand)).to.have.length(0);
      expect(failures[0]).to.include({ target: `table ${TABLE}`, action: "GetItem", code: "AccessDeniedException" });
      expect(failures[0]?.message).to.include("dynamodb:GetItem");
    });

    it("records a failed state save after the message went out", async () => {
      dynamodb.on(PutItemCommand).rejects(new Error("connection reset"));

      const { failures, result } = await runScan(
        configWith({ SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE }),
        RULES,
        deps(),
      );

      expect(sns.commandCalls(PublishCommand)).to.have.length(1);
      expect(result.notification).to.include({ sent: true });
      expect(failures.map((f) => f.action)).to.deep.equal(["PutItem"]);
    });
  });

  describe("notifications", () => {
    const notifying = { SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE };

    it("sends one notification naming the resources in trouble", async () => {
      const { result } = await runScan(configWith(notifying), RULES, deps());

      const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
      expect(sns.commandCalls(PublishCommand)).to.have.length(1);
      expect(input?.TopicArn).to.equal(TOPIC);
      expect(input?.Subject).to.match(/^IPAM monitor: CRITICAL in subnets/);
      expect(input?.Message).to.include(net.SUBNET_CRITICAL).and.to.include(net.SUBNET_WARNING);
      expect(result.notification).to.include({ sent: true, messageId: "5c1a3b7e-0d2f-5e6a-9b8c-7d6e5f4a3b2c" });
    });

    it("saves the notified state in the table after publishing", async () => {
      await runScan(configWith(notifying), RULES, deps());

      const put = dynamodb.commandCalls(PutItemCommand)[0]?.args[0].input;
      expect(put?.TableName).to.equal(TABLE);
      expect(put?.Item?.id).to.deep.equal({ S: "last-notified" });
    });

    it("does not send the same notification again when nothing changed", async () => {
      await runScan(configWith(notifying), RULES, deps());

      const second = await runScan(configWith(notifying), RULES, deps());

      expect(sns.commandCalls(PublishCommand)).to.have.length(1);
      expect(second.result.notification).to.deep.equal({
        sent: false,
        reason: "nothing changed since the last notification",
      });
    });

    it("says when the resources in trouble recover", async () => {
      await runScan(configWith(notifying), RULES, deps());
      await runScan(configWith(notifying), RULES, deps());
      pages = net.networkPages({ critical: 0.2, warning: 0.2 });

      const third = await runScan(configWith(notifying), RULES, deps());

      const messages = publishedMessages();
      expect(messages).to.have.length(2);
      expect(messages[1]).to.include("Recovered (2):");
      expect(messages[1]).to.include(net.SUBNET_CRITICAL).and.to.include(net.SUBNET_WARNING);
      expect(third.result.notification).to.include({ sent: true, reason: "2 recovered" });
    });

    it("notifies on every run with findings when there is no state table", async () => {
      await runScan(configWith({ SNS_TOPIC_ARN: TOPIC }), RULES, deps());
      await runScan(configWith({ SNS_TOPIC_ARN: TOPIC }), RULES, deps());

      expect(sns.commandCalls(PublishCommand)).to.have.length(2);
      expect(dynamodb.calls()).to.have.length(0);
    });

    it("uses an injected state store instead of the table", async () => {
      const store = new MemoryStateStore();

      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));
      await runScan(configWith(notifying), RULES, deps({ stateStore: store }));

      expect(sns.commandCalls(PublishCommand)).to.have.length(1);
      expect(dynamodb.calls()).to.have.length(0);
    });

    it("sends nothing without a topic, and still keeps the unit counts in the table", async () => {
      const { result } = await runScan(configWith({ STATE_TABLE: TABLE }), RULES, deps());

      expect(sns.calls()).to.have.length(0);
      expect(dynamodb.commandCalls(GetItemCommand)).to.have.length(1);
      expect(dynamodb.commandCalls(PutItemCommand)).to.have.length(1);
      expect(result.notification).to.equal(undefined);
    });
  });

  describe("the result", () => {
    const validate = new Ajv({ allErrors: true }).compile(resultSchema);

    function expectValid(value: unknown): void {
      expect(validate(value), JSON.stringify(validate.errors)).to.equal(true);
    }

    it("validates against schema/result.schema.json after a complete scan that notified", async () => {
      const { result } = await runScan(configWith({ SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE }), RULES, deps());

      expectValid(JSON.parse(JSON.stringify(result)));
    });

    it("validates against schema/result.schema.json after a partial scan whose publishing failed", async () => {
      net.serveNetwork(ec2, () => pages, { [net.PUBLIC_SCOPE]: net.ec2Error("UnauthorizedOperation", "denied") });
      cloudwatch.on(PutMetricDataCommand).rejects(new Error("socket hang up"));
      sns.on(PublishCommand).rejects(new Error("socket hang up"));

      const { result } = await runScan(configWith({ SNS_TOPIC_ARN: TOPIC }), RULES, deps());

      expectValid(JSON.parse(JSON.stringify(result)));
    });

    it("validates against schema/result.schema.json after a dry run", async () => {
      const { result } = await runScan(configWith({ DRY_RUN: "true", SNS_TOPIC_ARN: TOPIC }), RULES, deps());

      expectValid(JSON.parse(JSON.stringify(result)));
    });
  });

  describe("a dry run", () => {
    it("publishes no metric, sends no notification and reads or saves no state", async () => {
      const { result } = await runScan(
        configWith({ DRY_RUN: "true", SNS_TOPIC_ARN: TOPIC, STATE_TABLE: TABLE }),
        RULES,
        deps(),
      );

      expect(cloudwatch.calls()).to.have.length(0);
      expect(sns.calls()).to.have.length(0);
      expect(dynamodb.calls()).to.have.length(0);
      expect(result).to.include({ dryRun: true, complete: true });
      expect(result.notification).to.deep.equal({ sent: false, reason: "dry run" });
    });

    it("still evaluates everything", async () => {
      const { result } = await runScan(configWith({ DRY_RUN: "true" }), RULES, deps());

      expect(result.summary.counts).to.deep.equal({ critical: 1, warning: 1, unknown: 1, ok: 2 });
    });
  });

  describe("the EC2 source", () => {
    it("reads every configured region with its own client", async () => {
      ec2.on(DescribeVpcsCommand).resolves({ $metadata: {}, Vpcs: [] });
      ec2.on(DescribeSubnetsCommand).resolves({ $metadata: {}, Subnets: [] });
      ec2.on(DescribeAddressesCommand).resolves({ $metadata: {}, Addresses: [] });

      const { complete } = await runScan(configWith({ SOURCE: "ec2", REGIONS: "us-east-1,eu-west-1" }), RULES, deps());

      expect(complete).to.equal(true);
      expect(mocked.regions).to.have.members(["us-east-1", "eu-west-1"]);
      expect(ec2.commandCalls(DescribeIpamsCommand)).to.have.length(0);
    });
  });
});
