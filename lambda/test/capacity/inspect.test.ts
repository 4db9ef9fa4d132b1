import {
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  EC2ServiceException,
  GetSubnetCidrReservationsCommand,
} from "@aws-sdk/client-ec2";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";

import { inspectSubnet } from "../../src/capacity/inspect";
import { ScanError } from "../../src/errors";

const SUBNET = "subnet-0a1b2c3d4e5f60021";

async function rejection(promise: Promise<unknown>): Promise<ScanError> {
  try {
    await promise;
  } catch (err) {
    expect(err).to.be.instanceOf(ScanError);
    return err as ScanError;
  }
  return expect.fail("expected a ScanError");
}

describe("capacity/inspect", () => {
  let client: EC2Client;
  let ec2: AwsClientStub<EC2Client>;

  beforeEach(() => {
    client = new EC2Client({ region: "eu-west-1" });
    ec2 = mockClient(client);
    ec2
      .on(GetSubnetCidrReservationsCommand)
      .resolves({ SubnetIpv4CidrReservations: [], SubnetIpv6CidrReservations: [] });
  });

  afterEach(() => {
    ec2.restore();
  });

  it("reads the subnet's interfaces by subnet id and counts what they hold", async () => {
    ec2
      .on(DescribeSubnetsCommand)
      .resolves({ Subnets: [{ SubnetId: SUBNET, CidrBlock: "10.0.0.0/26", VpcId: "vpc-1" }] });
    ec2.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        { NetworkInterfaceId: "eni-1", SubnetId: SUBNET, PrivateIpAddresses: [{ PrivateIpAddress: "10.0.0.20" }] },
      ],
    });

    const report = await inspectSubnet(client, "eu-west-1", SUBNET);

    expect(report).to.deep.include({
      inUseAddresses: 1,
      freePrefixes: 1,
      assignableAddresses: 58,
      interfaces: 1,
      vpcId: "vpc-1",
    });
    expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)[0]?.args[0].input.Filters).to.deep.equal([
      { Name: "subnet-id", Values: [SUBNET] },
    ]);
  });

  it("refuses an IPv6-only subnet, which has no /28 blocks", async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET, Ipv6Native: true }] });

    const err = await rejection(inspectSubnet(client, "eu-west-1", SUBNET));

    expect(err.message).to.equal(`subnet ${SUBNET} has no IPv4 CIDR (IPv6-only): it has no /28 blocks`);
  });

  it("names the call and the permission when the interfaces cannot be read", async () => {
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: SUBNET, CidrBlock: "10.0.0.0/26" }] });
    ec2.on(DescribeNetworkInterfacesCommand).rejects(
      new EC2ServiceException({
        name: "UnauthorizedOperation",
        $fault: "client",
        $metadata: {},
        message: "not authorized",
      }),
    );

    const err = await rejection(inspectSubnet(client, "eu-west-1", SUBNET));

    expect(err).to.include({ action: "DescribeNetworkInterfaces", code: "UnauthorizedOperation" });
    expect(err.message).to.contain("ec2:DescribeNetworkInterfaces");
  });

  it("treats a subnet answer without its result set as a failure", async () => {
    ec2.on(DescribeSubnetsCommand).resolves({});

    const err = await rejection(inspectSubnet(client, "eu-west-1", SUBNET));

    expect(err).to.include({ action: "DescribeSubnets", code: "MalformedResponse" });
  });
});
