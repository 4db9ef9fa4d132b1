/**
 * Capacity of member accounts' subnets in a cross-account EC2 scan: read with the EC2 client (the
 * member role session) each account-Region was collected with, each role assumed once.
 */
import {
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  EC2ServiceException,
  GetSubnetCidrReservationsCommand,
} from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { addCapacity } from "../../src/capacity/enrich";
import { accountReaders, capacityReaders } from "../../src/capacity/readers";
import { collectCrossAccount } from "../../src/collect/cross-account";
import type { CrossAccountConfig } from "../../src/config";
import type { ResourceCidr, RulesFile } from "../../src/types";
import { type MockedClients, mockAwsClients } from "../fixtures/scan/clients";

const SCANNER = "111111111111";
const PAYMENTS = "222222222222";
const DATA = "333333333333";
const REGION = "us-east-1";
const SETTINGS: CrossAccountConfig = {
  accounts: [SCANNER, PAYMENTS, DATA],
  organization: false,
  memberRoleName: "ipam-monitor-member",
  concurrency: 4,
};
const RULES: RulesFile = {
  version: 1,
  file: "rules.yaml",
  defaults: { thresholds: {} },
  scopes: [
    {
      name: "eks",
      match: { resourceTypes: ["subnet"] },
      capacity: true,
      thresholds: { minFreePrefixesWarning: 4 },
      resourceMetrics: false,
    },
  ],
};

const vpcOf = (account: string) => `vpc-${account}`;
const subnetOf = (account: string) => `subnet-${account}`;

/** Account i's VPC 10.i.0.0/16 with one /24 subnet, `used` addresses in use. */
function network(ec2: AwsClientStub<EC2Client>, account: string, index: number, used: number): void {
  ec2.on(DescribeVpcsCommand).resolves({
    Vpcs: [{ VpcId: vpcOf(account), OwnerId: account, CidrBlock: `10.${index}.0.0/16` }],
  });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      {
        SubnetId: subnetOf(account),
        OwnerId: account,
        VpcId: vpcOf(account),
        CidrBlock: `10.${index}.0.0/24`,
        AvailableIpAddressCount: 251 - used,
        AvailabilityZoneId: "use1-az1",
      },
    ],
  });
  ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
}

function denied(action: string): EC2ServiceException {
  return new EC2ServiceException({
    name: "UnauthorizedOperation",
    $fault: "client",
    $metadata: { httpStatusCode: 403, attempts: 1 },
    message: `You are not authorized to perform this operation. User: arn:aws:sts::${DATA}:assumed-role/ipam-monitor-member/scan is not authorized to perform: ec2:${action}`,
  });
}

describe("capacity across accounts", () => {
  let mocked: MockedClients;
  let own: AwsClientStub<EC2Client>;
  const members = new Map<string, AwsClientStub<EC2Client>>();
  const memberClients = new Map<string, EC2Client>();
  const created: string[] = [];

  beforeEach(() => {
    mocked = mockAwsClients();
    created.length = 0;
    mocked.sts.on(GetCallerIdentityCommand).resolves({
      Account: SCANNER,
      Arn: `arn:aws:sts::${SCANNER}:assumed-role/ipam-monitor/scan`,
    });
    mocked.sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
      Credentials: { AccessKeyId: `ASIA${input.RoleArn.split(":")[4]}`, SecretAccessKey: "s", SessionToken: "t" },
    }));
    // The scanner's own account: 10.1.0.0/24 with nothing in use, no interfaces, no reservations.
    own = mocked.ec2;
    network(own, SCANNER, 1, 0);
    own.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    own.on(GetSubnetCidrReservationsCommand).resolves({ SubnetIpv4CidrReservations: [] });

    // payments: 10.2.0.0/24 with 10.2.0.10 and the prefix 10.2.0.32/28 in use (17 addresses) and an
    // explicit reservation 10.2.0.128/26.
    memberClients.set(PAYMENTS, new EC2Client({ region: REGION }));
    memberClients.set(DATA, new EC2Client({ region: REGION }));
    const payments = mockClient(memberClients.get(PAYMENTS) as EC2Client);
    network(payments, PAYMENTS, 2, 17);
    payments.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: "eni-payments",
          SubnetId: subnetOf(PAYMENTS),
          VpcId: vpcOf(PAYMENTS),
          PrivateIpAddresses: [{ PrivateIpAddress: "10.2.0.10", Primary: true }],
          Ipv4Prefixes: [{ Ipv4Prefix: "10.2.0.32/28" }],
        },
      ],
    });
    payments.on(GetSubnetCidrReservationsCommand).resolves({
      SubnetIpv4CidrReservations: [{ Cidr: "10.2.0.128/26", ReservationType: "explicit" }],
    });
    // data: its member role grants the EC2 source's describe calls but not the capacity reads.
    const data = mockClient(memberClients.get(DATA) as EC2Client);
    network(data, DATA, 3, 30);
    data.on(DescribeNetworkInterfacesCommand).rejects(denied("DescribeNetworkInterfaces"));
    data.on(GetSubnetCidrReservationsCommand).rejects(denied("GetSubnetCidrReservations"));
    members.set(PAYMENTS, payments);
    members.set(DATA, data);

    mocked.clients.ec2ForAccount = (account) => {
      created.push(account);
      const client = memberClients.get(account);
      if (client === undefined) throw new Error(`no EC2 client for ${account}`);
      return client;
    };
  });

  afterEach(() => {
    mocked.restore();
    for (const stub of members.values()) stub.restore();
    members.clear();
  });

  async function scan(): Promise<{ resources: ResourceCidr[]; report: Awaited<ReturnType<typeof addCapacity>> }> {
    const collected = await collectCrossAccount(mocked.clients, SETTINGS, [REGION]);
    const ec2For = accountReaders({ source: "ec2", crossAccount: SETTINGS }, mocked.clients, SCANNER, collected);
    const report = await addCapacity(collected.resources, RULES, {
      clientFor: capacityReaders("ec2", (region) => mocked.clients.ec2ForRegion(region), SCANNER, ec2For),
      concurrency: 4,
    });
    return { resources: collected.resources, report };
  }

  const subnetIn = (resources: ResourceCidr[], account: string) =>
    resources.find((r) => r.resourceId === subnetOf(account)) as ResourceCidr;

  it("measures a member account's subnet with the client its account-Region was collected with", async () => {
    const { resources, report } = await scan();

    // 16 /28 blocks: the first and last hold AWS-reserved addresses, one holds 10.2.0.10, one the
    // prefix, four the reservation: 9 free. 234 free less the 64 reserved are assignable.
    expect(subnetIn(resources, PAYMENTS).capacity).to.include({
      freePrefixes: 9,
      assignableAddresses: 170,
      largestFreeBlock: 26,
    });
    expect(subnetIn(resources, SCANNER).capacity).to.include({
      freePrefixes: 14,
      assignableAddresses: 251,
      // 10.1.0.0/25 holds the reserved first four, 10.1.0.128/25 the last: a /26 is the largest.
      largestFreeBlock: 26,
    });
    expect(report.units.map((u) => [u.unit.key, u.unit.account, u.complete]).sort()).to.deep.equal([
      [`capacity/${SCANNER}/${REGION}`, SCANNER, true],
      [`capacity/${PAYMENTS}/${REGION}`, PAYMENTS, true],
      [`capacity/${DATA}/${REGION}`, DATA, false],
    ]);
    // Each member role assumed once, each member client created once: the capacity reads reuse them.
    expect(mocked.sts.commandCalls(AssumeRoleCommand)).to.have.length(2);
    expect(created.sort()).to.deep.equal([PAYMENTS, DATA]);
    expect(members.get(PAYMENTS)?.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input).to.deep.equal({
      Filters: [{ Name: "vpc-id", Values: [vpcOf(PAYMENTS)] }],
      MaxResults: 1000,
    });
    expect(own.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input.Filters).to.deep.equal([
      { Name: "vpc-id", Values: [vpcOf(SCANNER)] },
    ]);
  });

  it("leaves a denied member account's subnet unknown, with failures naming the account, Region, VPC and subnet", async () => {
    const { resources, report } = await scan();

    const subnet = subnetIn(resources, DATA);
    expect(subnet.capacity).to.equal(undefined);
    expect(subnet.capacityUnknown).to.equal(
      `not measured: DescribeNetworkInterfaces failed for network interfaces of ${vpcOf(DATA)} in account ${DATA} region ${REGION}: UnauthorizedOperation`,
    );
    expect(report).to.include({ measured: 2, unmeasured: 1 });
    expect(report.failures.map((f) => [f.target, f.action, f.code, f.unit])).to.deep.equal([
      [
        `network interfaces of ${vpcOf(DATA)} in account ${DATA} region ${REGION}`,
        "DescribeNetworkInterfaces",
        "UnauthorizedOperation",
        `capacity/${DATA}/${REGION}`,
      ],
      [
        `CIDR reservations of ${subnetOf(DATA)} in account ${DATA} region ${REGION}`,
        "GetSubnetCidrReservations",
        "UnauthorizedOperation",
        `capacity/${DATA}/${REGION}`,
      ],
    ]);
    expect(report.failures[0]?.message).to.match(
      /^DescribeNetworkInterfaces was denied \(UnauthorizedOperation\): grant the IAM permission ec2:DescribeNetworkInterfaces .*; capacity of subnet-333333333333 not measured \(scope eks\)$/,
    );
  });

  it("after a collection made by the fan-out's shards, assumes each member role once for the capacity reads", async () => {
    const sessions: Array<() => Promise<unknown>> = [];
    mocked.clients.ec2ForAccount = (account, _region, credentials) => {
      created.push(account);
      sessions.push(credentials);
      return memberClients.get(account) as EC2Client;
    };
    const unit = (account: string, region: string) => ({
      unit: { key: `ec2/${account}/${region}`, source: "ec2" as const, account, region },
      resources: 1,
      pages: 3,
      complete: true,
    });
    const ec2For = accountReaders({ source: "ec2", crossAccount: SETTINGS }, mocked.clients, SCANNER, {
      resources: [],
      failures: [],
      units: [unit(SCANNER, REGION), unit(PAYMENTS, REGION), unit(PAYMENTS, "eu-west-1")],
    });

    expect(ec2For?.(DATA, REGION)).to.equal(undefined);
    expect(ec2For?.(SCANNER, REGION)).to.equal(mocked.clients.ec2ForRegion(REGION));
    expect(ec2For?.(PAYMENTS, REGION)).to.equal(ec2For?.(PAYMENTS, REGION));
    ec2For?.(PAYMENTS, "eu-west-1");
    expect(created).to.deep.equal([PAYMENTS, PAYMENTS]);
    const signed = await Promise.all(sessions.map((session) => session()));

    expect(signed).to.deep.equal([
      { accessKeyId: `ASIA${PAYMENTS}`, secretAccessKey: "s", sessionToken: "t" },
      { accessKeyId: `ASIA${PAYMENTS}`, secretAccessKey: "s", sessionToken: "t" },
    ]);
    expect(mocked.sts.commandCalls(GetCallerIdentityCommand)).to.have.length(1);
    expect(mocked.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).to.deep.equal([
      `arn:aws:iam::${PAYMENTS}:role/ipam-monitor-member`,
    ]);
  });

  it("does not read a subnet whose owner the scan does not read, and says why", () => {
    const clientFor = capacityReaders(
      "ec2",
      () => {
        throw new Error("no own client");
      },
      SCANNER,
      (account) => (account === PAYMENTS ? new EC2Client({ region: REGION }) : undefined),
    );
    const shared = { resourceId: "subnet-x", resourceType: "subnet", region: REGION, ownerId: "999999999999" };

    expect(clientFor(shared as ResourceCidr)).to.deep.equal({
      unreadable:
        "not measured: the subnet belongs to account 999999999999, which the scan does not read (it is shared with an account it reads, where another account's interfaces are not all visible); add the owner to the accounts read",
    });
    expect(clientFor({ ...shared, ownerId: PAYMENTS } as ResourceCidr)).to.include({
      key: `capacity/${PAYMENTS}/${REGION}`,
      account: PAYMENTS,
      region: REGION,
    });
  });
});
