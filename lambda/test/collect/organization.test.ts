import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import type { AccountTarget } from "../../src/collect/accounts";
import { MemberRoleCredentials } from "../../src/collect/credentials";
import { accountRegions, collectFromAccounts, withoutSharedCopies } from "../../src/collect/organization";
import type { ResourceCidr } from "../../src/types";
import { awsError, type FakeCall, fakeEc2, memberNetwork } from "../fixtures/org/network";

const OWN = "111111111111";
const PAYMENTS = "222222222222";
const DATA = "333333333333";
const DENIED = "444444444444";
const REGIONS = ["us-east-1", "eu-west-1"];

function fakeSts(assumed: string[], denied: readonly string[] = []): STSClient {
  return {
    async send(command: AssumeRoleCommand) {
      if (!(command instanceof AssumeRoleCommand)) throw new Error("unexpected command");
      const arn = command.input.RoleArn ?? "";
      assumed.push(arn);
      const account = arn.split(":")[4] ?? "";
      if (denied.includes(account)) {
        throw awsError("AccessDenied", `not authorized to perform: sts:AssumeRole on resource: ${arn}`);
      }
      return { Credentials: { AccessKeyId: `ASIA${account}`, SecretAccessKey: "s", SessionToken: "t" } };
    },
  } as unknown as STSClient;
}

const ACCOUNTS: AccountTarget[] = [
  { accountId: OWN, name: "management", own: true },
  { accountId: PAYMENTS, name: "payments", own: false },
  { accountId: DATA, own: false },
  { accountId: DENIED, name: "legacy", own: false },
];

interface Setup {
  assumed: string[];
  built: string[];
  calls: Record<string, FakeCall[]>;
  clients: Parameters<typeof collectFromAccounts>[0];
  sessions: MemberRoleCredentials;
}

function setUp(
  options: { denied?: string[]; failing?: Record<string, Error>; inFlight?: { now: number; max: number } } = {},
): Setup {
  const assumed: string[] = [];
  const built: string[] = [];
  const calls: Record<string, FakeCall[]> = {};
  const sessions = new MemberRoleCredentials(fakeSts(assumed, options.denied ?? [DENIED]), {
    roleName: "ipam-monitor-member",
    partition: "aws",
  });
  const clientFor = (account: string, region: string, how: string) => {
    const key = `${account}/${region}`;
    built.push(`${how} ${key}`);
    calls[key] = [];
    const index = ACCOUNTS.findIndex((a) => a.accountId === account) + 1;
    const network =
      options.failing?.[key] ?? memberNetwork(account, region, index, REGIONS.indexOf(region), 10 * index);
    const client = fakeEc2(network, calls[key]);
    const counter = options.inFlight;
    if (counter === undefined) return client;
    const send = client.send.bind(client);
    return {
      async send(command: never) {
        counter.now += 1;
        counter.max = Math.max(counter.max, counter.now);
        await new Promise((resolve) => setTimeout(resolve, 2));
        try {
          return await send(command);
        } finally {
          counter.now -= 1;
        }
      },
    } as unknown as typeof client;
  };
  return {
    assumed,
    built,
    calls,
    sessions,
    clients: {
      ownEc2: (region) => clientFor(OWN, region, "own"),
      memberEc2: (account, region) => clientFor(account, region, "member"),
    },
  };
}

function byAccountRegion(resources: readonly ResourceCidr[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of resources) {
    const key = `${r.ownerId}/${r.region}`;
    out[key] = [...(out[key] ?? []), `${r.resourceType} ${r.cidr} used ${r.used}`];
  }
  return out;
}

describe("collect/organization", () => {
  it("reads every Region of every account, each resource under its own account", async () => {
    const { clients, sessions } = setUp({ denied: [] });

    const result = await collectFromAccounts(clients, sessions, {
      accounts: ACCOUNTS.slice(0, 3),
      regions: REGIONS,
      concurrency: 4,
    });

    expect(result.failures).to.deep.equal([]);
    expect(byAccountRegion(result.resources)).to.deep.equal({
      [`${OWN}/us-east-1`]: ["vpc 10.1.0.0/16 used 256", "subnet 10.1.0.0/24 used 10", "eip 198.51.1.1/32 used 0"],
      [`${OWN}/eu-west-1`]: ["vpc 10.1.0.0/16 used 256", "subnet 10.1.1.0/24 used 10", "eip 198.51.1.2/32 used 0"],
      [`${PAYMENTS}/us-east-1`]: ["vpc 10.2.0.0/16 used 256", "subnet 10.2.0.0/24 used 20", "eip 198.51.2.1/32 used 0"],
      [`${PAYMENTS}/eu-west-1`]: ["vpc 10.2.0.0/16 used 256", "subnet 10.2.1.0/24 used 20", "eip 198.51.2.2/32 used 0"],
      [`${DATA}/us-east-1`]: ["vpc 10.3.0.0/16 used 256", "subnet 10.3.0.0/24 used 30", "eip 198.51.3.1/32 used 0"],
      [`${DATA}/eu-west-1`]: ["vpc 10.3.0.0/16 used 256", "subnet 10.3.1.0/24 used 30", "eip 198.51.3.2/32 used 0"],
    });
  });

  it("reads the scanner's own account with its own credentials and assumes each member role once", async () => {
    const { clients, sessions, assumed, built } = setUp({ denied: [] });

    await collectFromAccounts(clients, sessions, { accounts: ACCOUNTS.slice(0, 3), regions: REGIONS, concurrency: 4 });

    expect(assumed.sort()).to.deep.equal([
      `arn:aws:iam::${PAYMENTS}:role/ipam-monitor-member`,
      `arn:aws:iam::${DATA}:role/ipam-monitor-member`,
    ]);
    expect(built.filter((b) => b.startsWith("own"))).to.deep.equal([`own ${OWN}/us-east-1`, `own ${OWN}/eu-west-1`]);
    expect(built.filter((b) => b.startsWith("member"))).to.have.length(4);
  });

  it("names every account-Region of an account whose role is denied, reads nothing there, and reads the others", async () => {
    const { clients, sessions, assumed, built } = setUp();

    const result = await collectFromAccounts(clients, sessions, {
      accounts: ACCOUNTS,
      regions: REGIONS,
      concurrency: 3,
    });

    expect(result.failures.map((f) => [f.target, f.action, f.code])).to.deep.equal([
      [`account ${DENIED} (legacy) region us-east-1`, "AssumeRole", "AccessDenied"],
      [`account ${DENIED} (legacy) region eu-west-1`, "AssumeRole", "AccessDenied"],
    ]);
    expect(result.failures[0]?.message).to.match(/deploy the member role in account 444444444444/);
    expect(assumed.filter((a) => a.includes(DENIED))).to.have.length(1);
    expect(built.filter((b) => b.includes(DENIED))).to.deep.equal([]);
    expect(Object.keys(byAccountRegion(result.resources))).to.have.length(6);
  });

  it("names an account-Region that refuses the credentials and hints at a Region not enabled", async () => {
    const refused = awsError("AuthFailure", "AWS was not able to validate the provided access credentials", 401);
    const { clients, sessions } = setUp({ denied: [], failing: { [`${DATA}/eu-west-1`]: refused } });

    const result = await collectFromAccounts(clients, sessions, {
      accounts: ACCOUNTS.slice(0, 3),
      regions: REGIONS,
      concurrency: 2,
    });

    expect(result.failures.map((f) => [f.target, f.action, f.code])).to.deep.equal([
      [`account ${DATA} region eu-west-1`, "DescribeVpcs", "AuthFailure"],
      [`account ${DATA} region eu-west-1`, "DescribeSubnets", "AuthFailure"],
      [`account ${DATA} region eu-west-1`, "DescribeAddresses", "AuthFailure"],
    ]);
    expect(result.failures[0]?.message).to.match(/is eu-west-1 enabled in this account\?/);
    expect(byAccountRegion(result.resources)[`${DATA}/us-east-1`]).to.have.length(3);
  });

  it("gives every resource its account as ownerId, Elastic IPs included", async () => {
    const { clients, sessions } = setUp({ denied: [] });

    const result = await collectFromAccounts(clients, sessions, {
      accounts: ACCOUNTS.slice(1, 2),
      regions: REGIONS,
      concurrency: 1,
    });

    expect(result.resources.map((r) => r.ownerId)).to.deep.equal(Array(6).fill(PAYMENTS));
  });

  it("keeps at most `concurrency` account-Regions in flight", async () => {
    const inFlight = { now: 0, max: 0 };
    const { clients, sessions } = setUp({ denied: [], inFlight });

    await collectFromAccounts(clients, sessions, { accounts: ACCOUNTS.slice(0, 3), regions: REGIONS, concurrency: 2 });

    expect(inFlight.max).to.equal(2);
  });

  it("lists account-Regions account by account", () => {
    const units = accountRegions(ACCOUNTS.slice(0, 2), ["us-east-1", "eu-west-1", "us-east-1"]);

    expect(units.map((u) => `${u.account.accountId}/${u.region}`)).to.deep.equal([
      `${OWN}/us-east-1`,
      `${OWN}/eu-west-1`,
      `${PAYMENTS}/us-east-1`,
      `${PAYMENTS}/eu-west-1`,
    ]);
  });

  describe("a VPC shared through RAM", () => {
    const owner = memberNetwork(PAYMENTS, "us-east-1", 2, 0, 40);
    const subnet = owner.subnets[0];
    const vpc = owner.vpcs[0];
    // The participant sees the shared VPC and subnet, both owned by PAYMENTS, beside its own.
    const asSeenByParticipant: ResourceCidr[] = [
      {
        source: "ec2",
        resourceId: vpc?.VpcId ?? "",
        resourceType: "vpc",
        cidr: "10.2.0.0/16",
        addressFamily: "ipv4",
        ownerId: PAYMENTS,
        region: "us-east-1",
        tags: {},
        size: 65536n,
        usable: 65536n,
      },
      {
        source: "ec2",
        resourceId: subnet?.SubnetId ?? "",
        resourceType: "subnet",
        cidr: "10.2.0.0/24",
        addressFamily: "ipv4",
        ownerId: PAYMENTS,
        region: "us-east-1",
        tags: {},
        size: 256n,
        usable: 251n,
        used: 40n,
        free: 211n,
        utilization: 15.9,
      },
    ];
    const asSeenByOwner: ResourceCidr[] = asSeenByParticipant.map((r) => ({
      ...r,
      used: r.resourceType === "vpc" ? 256n : 40n,
      free: r.resourceType === "vpc" ? 65280n : 211n,
    }));

    it("is kept once, from its owner's account, whichever account was read first", () => {
      const kept = withoutSharedCopies([
        { accountId: DATA, resources: asSeenByParticipant },
        { accountId: PAYMENTS, resources: asSeenByOwner },
      ]);

      expect(kept).to.have.length(2);
      expect(kept.map((r) => r.used)).to.deep.equal([256n, 40n]);
    });

    it("is kept from a participant when its owner's account is not read", () => {
      const kept = withoutSharedCopies([{ accountId: DATA, resources: asSeenByParticipant }]);

      expect(kept).to.deep.equal(asSeenByParticipant);
    });
  });
});
