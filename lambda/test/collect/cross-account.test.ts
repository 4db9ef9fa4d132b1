import { DescribeAddressesCommand, DescribeSubnetsCommand, DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { ListAccountsCommand } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { collectCrossAccount, selectAccounts } from "../../src/collect/cross-account";
import type { CrossAccountConfig } from "../../src/config";
import { ScanError } from "../../src/errors";
import { awsError, memberNetwork } from "../fixtures/org/network";
import { type MockedClients, mockAwsClients } from "../fixtures/scan/clients";

const CALLER = { Account: "111111111111", Arn: "arn:aws:sts::111111111111:assumed-role/ipam-monitor/scan" };
const ORGANIZATION: CrossAccountConfig = { organization: true, memberRoleName: "ipam-monitor-member", concurrency: 4 };

describe("collect/cross-account", () => {
  let mocked: MockedClients;

  beforeEach(() => {
    mocked = mockAwsClients();
    mocked.sts.on(GetCallerIdentityCommand).resolves(CALLER);
    mocked.sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
      Credentials: { AccessKeyId: `ASIA${input.RoleArn.split(":")[4]}`, SecretAccessKey: "s", SessionToken: "t" },
    }));
    const network = memberNetwork("111111111111", "us-east-1", 1, 0, 5);
    mocked.ec2.on(DescribeVpcsCommand).resolves({ Vpcs: network.vpcs });
    mocked.ec2.on(DescribeSubnetsCommand).resolves({ Subnets: network.subnets });
    mocked.ec2.on(DescribeAddressesCommand).resolves({ Addresses: network.addresses });
    mocked.organizations.on(ListAccountsCommand).resolves({
      Accounts: [
        { Id: "111111111111", Name: "management", Status: "ACTIVE", State: "ACTIVE" },
        { Id: "222222222222", Name: "payments", Status: "ACTIVE", State: "ACTIVE" },
        { Id: "333333333333", Name: "old", Status: "SUSPENDED", State: "SUSPENDED" },
      ],
    });
  });

  afterEach(() => mocked.restore());

  it("selects exactly the listed accounts without asking Organizations", async () => {
    const selection = await selectAccounts(
      mocked.clients,
      { ...ORGANIZATION, organization: false, accounts: ["222222222222"] },
      { accountId: "111111111111", partition: "aws" },
    );

    expect(selection.accounts).to.deep.equal([{ accountId: "222222222222", own: false }]);
    expect(mocked.organizations.calls()).to.have.length(0);
  });

  it("reads the organization's active accounts in every Region, the scanner's own without a role", async () => {
    const result = await collectCrossAccount(mocked.clients, ORGANIZATION, ["us-east-1", "eu-west-1"]);

    expect(result.skipped).to.deep.equal([{ accountId: "333333333333", name: "old", state: "SUSPENDED" }]);
    expect(mocked.sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).to.deep.equal([
      "arn:aws:iam::222222222222:role/ipam-monitor-member",
    ]);
    expect(result.assumeRoleCalls).to.equal(1);
    expect(mocked.regions).to.deep.equal(["us-east-1", "eu-west-1"]);
    expect(mocked.accountRegions).to.deep.equal(["222222222222/us-east-1", "222222222222/eu-west-1"]);
    expect(result.failures).to.deep.equal([]);
  });

  it("stops with a ScanError when the organization cannot be listed", async () => {
    mocked.organizations
      .on(ListAccountsCommand)
      .rejects(awsError("AWSOrganizationsNotInUseException", "not in an organization", 400));

    const err = await collectCrossAccount(mocked.clients, ORGANIZATION, ["us-east-1"]).catch((e: unknown) => e);

    expect(err).to.be.instanceOf(ScanError);
    expect((err as ScanError).message).to.match(/ListAccounts failed \(AWSOrganizationsNotInUseException\)/);
  });

  it("stops with a ScanError when it cannot tell which account it runs in", async () => {
    mocked.sts
      .on(GetCallerIdentityCommand)
      .rejects(awsError("ExpiredToken", "The security token included in the request is expired", 400));

    const err = await collectCrossAccount(mocked.clients, ORGANIZATION, ["us-east-1"]).catch((e: unknown) => e);

    expect(err).to.be.instanceOf(ScanError);
    expect((err as ScanError).message).to.match(/cannot tell which account it runs in/);
  });
});
