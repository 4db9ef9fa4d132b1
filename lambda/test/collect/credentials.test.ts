import { AssumeRoleCommand, GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { MemberRoleCredentials, memberRoleArn, whoAmI } from "../../src/collect/credentials";
import { ScanError } from "../../src/errors";
import { awsError } from "../fixtures/org/network";

interface Call {
  command: string;
  input: Record<string, unknown>;
}

const HOUR = 3600 * 1000;

/** STS that hands out a session per role ARN, refusing the roles in `denied`. */
function fakeSts(options: { calls: Call[]; denied?: Record<string, Error>; now?: () => number }): STSClient {
  return {
    async send(command: { input: Record<string, unknown> }) {
      options.calls.push({ command: command.constructor.name, input: command.input });
      if (command instanceof GetCallerIdentityCommand) {
        return {
          Account: "111111111111",
          Arn: "arn:aws-cn:sts::111111111111:assumed-role/ipam-monitor/ipam-monitor",
          UserId: "AROAEXAMPLE:ipam-monitor",
        };
      }
      if (command instanceof AssumeRoleCommand) {
        const arn = command.input.RoleArn as string;
        const refusal = options.denied?.[arn];
        if (refusal !== undefined) throw refusal;
        const account = arn.split(":")[4];
        return {
          Credentials: {
            AccessKeyId: `ASIA${account}`,
            SecretAccessKey: "secret",
            SessionToken: `token-${options.calls.length}`,
            Expiration: new Date((options.now ?? Date.now)() + HOUR),
          },
        };
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  } as unknown as STSClient;
}

describe("collect/credentials", () => {
  it("builds the member role ARN in the scanner's partition", () => {
    expect(memberRoleArn("aws-us-gov", "222222222222", "ipam-monitor-member")).to.equal(
      "arn:aws-us-gov:iam::222222222222:role/ipam-monitor-member",
    );
  });

  it("tells the scanner's account and partition from GetCallerIdentity", async () => {
    const calls: Call[] = [];

    expect(await whoAmI(fakeSts({ calls }))).to.deep.equal({ accountId: "111111111111", partition: "aws-cn" });
  });

  it("assumes each account's role once, however many Regions ask for it at once", async () => {
    const calls: Call[] = [];
    const sessions = new MemberRoleCredentials(fakeSts({ calls }), {
      roleName: "ipam-monitor-member",
      partition: "aws",
    });

    const answers = await Promise.all([
      sessions.forAccount("222222222222"),
      sessions.forAccount("222222222222"),
      sessions.forAccount("333333333333"),
      sessions.forAccount("222222222222"),
    ]);

    expect(sessions.assumeRoleCalls).to.equal(2);
    expect(answers[0]).to.equal(answers[1]);
    expect(answers[0]?.accessKeyId).to.equal("ASIA222222222222");
    expect(calls.map((c) => c.input.RoleArn)).to.deep.equal([
      "arn:aws:iam::222222222222:role/ipam-monitor-member",
      "arn:aws:iam::333333333333:role/ipam-monitor-member",
    ]);
  });

  it("passes the external id, a session name and an hour's duration", async () => {
    const calls: Call[] = [];
    const sessions = new MemberRoleCredentials(fakeSts({ calls }), {
      roleName: "network-reader",
      partition: "aws",
      externalId: "ipam-monitor-7f3a",
    });

    await sessions.forAccount("222222222222");

    expect(calls[0]?.input).to.deep.equal({
      RoleArn: "arn:aws:iam::222222222222:role/network-reader",
      RoleSessionName: "ipam-monitor-scan",
      DurationSeconds: 3600,
      ExternalId: "ipam-monitor-7f3a",
    });
  });

  it("remembers a refusal: a missing role costs one call, not one per Region", async () => {
    const calls: Call[] = [];
    const arn = "arn:aws:iam::444444444444:role/ipam-monitor-member";
    const denied = awsError(
      "AccessDenied",
      `User: arn:aws:sts::111111111111:assumed-role/ipam-monitor/x is not authorized to perform: sts:AssumeRole on resource: ${arn}`,
    );
    const sessions = new MemberRoleCredentials(fakeSts({ calls, denied: { [arn]: denied } }), {
      roleName: "ipam-monitor-member",
      partition: "aws",
    });

    const errors = await Promise.all([1, 2, 3].map(() => sessions.forAccount("444444444444").catch((e: unknown) => e)));

    expect(sessions.assumeRoleCalls).to.equal(1);
    for (const err of errors) {
      expect(err).to.be.instanceOf(ScanError);
      expect((err as ScanError).code).to.equal("AccessDenied");
      expect((err as ScanError).message).to.match(
        /^AssumeRole of arn:aws:iam::444444444444:role\/ipam-monitor-member was denied \(AccessDenied\): deploy the member role in account 444444444444/,
      );
    }
  });

  it("renews a session that ends within five minutes, and only then", async () => {
    const calls: Call[] = [];
    let now = Date.parse("2026-01-01T00:00:00Z");
    const clock = () => now;
    const sessions = new MemberRoleCredentials(fakeSts({ calls, now: clock }), {
      roleName: "ipam-monitor-member",
      partition: "aws",
      now: clock,
    });

    const first = await sessions.forAccount("222222222222");
    now += 50 * 60 * 1000;
    const fresh = await sessions.forAccount("222222222222");
    now += 6 * 60 * 1000;
    const renewed = await sessions.forAccount("222222222222");

    expect(fresh).to.equal(first);
    expect(renewed).not.to.equal(first);
    expect(sessions.assumeRoleCalls).to.equal(2);
  });

  it("reports throttling that outlasted the retries with the role it was for", async () => {
    const calls: Call[] = [];
    const arn = "arn:aws:iam::555555555555:role/ipam-monitor-member";
    const sessions = new MemberRoleCredentials(
      fakeSts({ calls, denied: { [arn]: awsError("Throttling", "Rate exceeded", 400) } }),
      { roleName: "ipam-monitor-member", partition: "aws" },
    );

    const err = (await sessions.forAccount("555555555555").catch((e: unknown) => e)) as ScanError;

    expect(err.code).to.equal("Throttling");
    expect(err.message).to.match(/^AssumeRole of arn:aws:iam::555555555555:role\/ipam-monitor-member was throttled/);
  });
});
