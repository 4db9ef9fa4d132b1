import {
  DescribeNetworkInterfacesCommand,
  EC2Client,
  EC2ServiceException,
  GetSubnetCidrReservationsCommand,
  type GetSubnetCidrReservationsCommandInput,
} from "@aws-sdk/client-ec2";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";

import { addCapacity, capacityTargets } from "../../src/capacity/enrich";
import { capacityReaders } from "../../src/capacity/readers";
import { measureFromAvailable, measureUsage } from "../../src/measure";
import type { ResourceCidr, RulesFile, ScopeRule } from "../../src/types";

const ACCOUNT = "111122223333";

function subnet(id: string, cidr: string, available: number, overrides: Partial<ResourceCidr> = {}): ResourceCidr {
  return {
    source: "ec2",
    resourceId: id,
    resourceType: "subnet",
    cidr,
    region: "us-east-1",
    ownerId: ACCOUNT,
    vpcId: "vpc-1",
    tags: {},
    ...measureFromAvailable({ cidr, availableIpAddressCount: available }),
    ...overrides,
  };
}

function scope(name: string, overrides: Partial<ScopeRule> = {}): ScopeRule {
  return {
    name,
    match: { resourceTypes: ["subnet"] },
    thresholds: { minFreePrefixesWarning: 4 },
    resourceMetrics: false,
    ...overrides,
  };
}

function rules(...scopes: ScopeRule[]): RulesFile {
  return { version: 1, file: "rules.yaml", defaults: { thresholds: {} }, scopes };
}

describe("capacity/enrich", () => {
  let client: EC2Client;
  let ec2: AwsClientStub<EC2Client>;

  beforeEach(() => {
    client = new EC2Client({ region: "us-east-1" });
    ec2 = mockClient(client);
    ec2.on(GetSubnetCidrReservationsCommand).callsFake((input: GetSubnetCidrReservationsCommandInput) => ({
      SubnetIpv4CidrReservations:
        input.SubnetId === "subnet-a" ? [{ Cidr: "10.0.0.128/26", ReservationType: "explicit" }] : [],
      SubnetIpv6CidrReservations: [],
    }));
  });

  afterEach(() => {
    ec2.restore();
  });

  const readers = (accountId?: string) => capacityReaders("ec2", () => client, accountId);

  it("targets the IPv4 subnets of scopes with capacity: true, naming every such scope", () => {
    const a = subnet("subnet-a", "10.0.0.0/24", 251);
    const v6 = {
      ...subnet("subnet-a", "10.0.0.0/24", 251),
      ...measureUsage({ resourceType: "subnet", cidr: "2600:1f18::/64" }),
      cidr: "2600:1f18::/64",
    };
    const vpc: ResourceCidr = { ...subnet("vpc-1", "10.0.0.0/16", 0), resourceType: "vpc" };

    const targets = capacityTargets(
      [a, v6, vpc],
      rules(scope("eks", { capacity: true }), scope("plain"), scope("all", { capacity: true, match: {} })),
    );

    expect([...targets]).to.deep.equal([[a, ["eks", "all"]]]);
  });

  it("measures each opted-in subnet from its interfaces and reservations and leaves the others alone", async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: "eni-1",
          SubnetId: "subnet-a",
          PrivateIpAddresses: [{ PrivateIpAddress: "10.0.0.20" }],
          Ipv4Prefixes: [{ Ipv4Prefix: "10.0.0.48/28" }],
        },
      ],
    });
    const a = subnet("subnet-a", "10.0.0.0/24", 234);
    const other = subnet("subnet-b", "10.1.0.0/24", 251, { vpcId: "vpc-2" });

    const report = await addCapacity(
      [a, other],
      rules(scope("eks", { capacity: true, match: { resourceIds: ["subnet-a"] } }), scope("rest")),
      { clientFor: readers(ACCOUNT), concurrency: 2 },
    );

    expect(report).to.deep.equal({
      measured: 1,
      unmeasured: 0,
      interfacesRead: 1,
      failures: [],
      // One page of interfaces and one of reservations.
      units: [
        {
          unit: { key: "capacity/us-east-1", source: "ec2", region: "us-east-1" },
          resources: 1,
          pages: 2,
          complete: true,
        },
      ],
    });
    expect(a.capacity).to.deep.equal({
      freePrefixes: 8,
      assignableAddresses: 170,
      largestFreeBlock: 26,
      blockers: [{ networkInterfaceId: "eni-1", blocksFreed: 2, blocksBlocked: 2 }],
    });
    expect(other.capacity).to.equal(undefined);
    expect(other.capacityUnknown).to.equal(undefined);
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input.Filters)).to.deep.equal([
      [{ Name: "vpc-id", Values: ["vpc-1"] }],
    ]);
  });

  it("chooses the filter from the addresses in use the source reports for every subnet of the VPC", async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const filtersFor = async (opted: number, leftOutAvailable: number) => {
      ec2.resetHistory();
      // `opted` subnets opted in with 1 address in use each; one more subnet of the VPC is not.
      const wanted = Array.from({ length: opted }, (_, i) => subnet(`subnet-${i}`, `10.0.${i}.0/24`, 250));
      const leftOut = subnet("subnet-left-out", "10.1.0.0/24", leftOutAvailable);
      await addCapacity(
        [...wanted, leftOut],
        rules(scope("eks", { capacity: true, match: { resourceIds: wanted.map((w) => w.resourceId) } })),
        { clientFor: readers(ACCOUNT), concurrency: 1 },
      );
      return ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input.Filters?.[0]?.Name);
    };

    // 201 opted in: by subnet 2 requests (200 + 1 values); by VPC 1, with 202 or 451 addresses in use.
    expect(await filtersFor(201, 250)).to.deep.equal(["vpc-id"]);
    expect(await filtersFor(201, 1)).to.deep.equal(["vpc-id"]);
    // 2 opted in: one call either way, so the subnet filter, which reads no interface of the left-out subnet.
    expect(await filtersFor(2, 250)).to.deep.equal(["subnet-id"]);
  });

  it("makes no call when no scope measures capacity", async () => {
    const report = await addCapacity([subnet("subnet-a", "10.0.0.0/24", 251)], rules(scope("plain")), {
      clientFor: readers(ACCOUNT),
      concurrency: 2,
    });

    expect(report).to.deep.equal({ measured: 0, unmeasured: 0, interfacesRead: 0, failures: [], units: [] });
    expect(ec2.calls()).to.have.length(0);
  });

  it("does not read a subnet another account shares, and says why", async () => {
    const shared = subnet("subnet-s", "10.0.0.0/24", 100, { ownerId: "444455556666" });

    const report = await addCapacity([shared], rules(scope("eks", { capacity: true })), {
      clientFor: readers(ACCOUNT),
      concurrency: 2,
    });

    expect(report.unmeasured).to.equal(1);
    expect(shared.capacity).to.equal(undefined);
    expect(shared.capacityUnknown).to.equal(
      "not measured: the subnet belongs to account 444455556666 (it is shared with this account); the scan reads interfaces and reservations in its own account 111122223333, where another account's interfaces are not all visible",
    );
    expect(ec2.calls()).to.have.length(0);
  });

  it("leaves a subnet whose interfaces could not be read without figures, with the failure", async () => {
    ec2.on(DescribeNetworkInterfacesCommand).rejects(
      new EC2ServiceException({
        name: "RequestLimitExceeded",
        $fault: "client",
        $metadata: { httpStatusCode: 503, attempts: 8 },
        message: "Request limit exceeded.",
      }),
    );
    const a = subnet("subnet-a", "10.0.0.0/24", 251);

    const report = await addCapacity([a], rules(scope("eks", { capacity: true })), {
      clientFor: readers(ACCOUNT),
      concurrency: 2,
    });

    expect(a.capacity).to.equal(undefined);
    expect(a.capacityUnknown).to.equal(
      "not measured: DescribeNetworkInterfaces failed for network interfaces of vpc-1 in us-east-1: RequestLimitExceeded",
    );
    expect(report.failures.map((f) => f.target)).to.deep.equal(["network interfaces of vpc-1 in us-east-1"]);
  });

  it("gives no figures, and no failure, when the interfaces read cannot account for the addresses in use", async () => {
    ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    const busy = subnet("subnet-b", "10.0.0.0/24", 120);

    const report = await addCapacity([busy], rules(scope("eks", { capacity: true })), {
      clientFor: readers(undefined),
      concurrency: 2,
    });

    expect(report).to.include({ measured: 0, unmeasured: 1 });
    expect(report.failures).to.deep.equal([]);
    expect(busy.capacityUnknown).to.match(
      /^not measured: the network interfaces read hold 0 addresses, but the source reports 120 free/,
    );
  });
});
