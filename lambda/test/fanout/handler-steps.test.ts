/**
 * The function as the state machine drives it: plan, every shard, finish, in that order, against
 * one organization, compared with one invocation scanning the same organization.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { expect } from "chai";
import { ScanError } from "../../src/errors";
import { EventError } from "../../src/fanout/events";
import type { PlanOutput, ShardOutput } from "../../src/fanout/steps";
import { readPlan, S3ObjectStore, shardKey } from "../../src/fanout/store";
import { createHandler } from "../../src/handler";
import type { ScanResultJson } from "../../src/result";
import { type FakeOrganization, fakeOrganization, MANAGEMENT } from "../fixtures/org/organization";

const REGIONS = ["us-east-1", "eu-west-1"];
const ACCOUNTS = [
  { id: MANAGEMENT, name: "management" },
  { id: "222222222222", name: "payments" },
  { id: "333333333333", name: "data" },
  { id: "444444444444", name: "legacy", denied: true },
];
const RULES = `version: 1
defaults:
  thresholds: { warning: 7, critical: 10 }
scopes:
  - name: payments
    match: { accounts: ["222222222222"], resourceTypes: [subnet] }
  - name: data
    match: { accounts: ["333333333333"], resourceTypes: [subnet] }
  - name: all-subnets
    match: { resourceTypes: [subnet] }
`;
const CONTEXT = {
  invokedFunctionArn: `arn:aws:lambda:us-east-1:${MANAGEMENT}:function:ipam-monitor`,
  awsRequestId: "r-1",
};

describe("fanout: the handler driven in the state machine's order", () => {
  let org: FakeOrganization;
  let taskRoot: string;
  let lines: string[];

  beforeEach(() => {
    org = fakeOrganization(ACCOUNTS, REGIONS);
    org.mocked.cloudwatch.on(PutMetricDataCommand).resolves({});
    taskRoot = mkdtempSync(join(tmpdir(), "ipam-monitor-fanout-"));
    writeFileSync(join(taskRoot, "rules.yaml"), RULES);
    lines = [];
  });
  afterEach(() => {
    org.restore();
    rmSync(taskRoot, { recursive: true, force: true });
  });

  function handler(fanOut: Record<string, string>) {
    return createHandler({
      env: {
        AWS_REGION: "us-east-1",
        LAMBDA_TASK_ROOT: taskRoot,
        SOURCE: "ec2",
        REGIONS: REGIONS.join(","),
        ORGANIZATION: "true",
        ...fanOut,
      },
      write: (line) => lines.push(line),
      createClients: () => org.clients,
      now: () => new Date("2026-01-01T00:00:00Z"),
    });
  }

  function published(): MetricDatum[] {
    return org.mocked.cloudwatch
      .commandCalls(PutMetricDataCommand)
      .flatMap((c) => c.args[0].input.MetricData ?? [])
      .map(({ Timestamp: _t, ...rest }) => rest);
  }

  async function sharded(): Promise<{ plan: PlanOutput; shards: ShardOutput[]; error: unknown }> {
    const run = handler({ FAN_OUT: "step-functions", SCAN_BUCKET: "ipam-monitor-scans" });
    const plan = (await run({ action: "plan", scanId: "exec-1" }, CONTEXT)) as PlanOutput;
    const { shards } = await readPlan(new S3ObjectStore(org.clients.s3, plan.bucket), "exec-1");
    const outputs: ShardOutput[] = [];
    for (const shard of shards)
      outputs.push((await run({ action: "collect-shard", scanId: "exec-1", shard }, CONTEXT)) as ShardOutput);
    const error = await run({ action: "finish", scanId: "exec-1" }, CONTEXT).catch((e: unknown) => e);
    return { plan, shards: outputs, error };
  }

  it("publishes the same metrics and fails with the same account-Regions as one invocation", async () => {
    const single = await handler({})({}, CONTEXT).catch((e: unknown) => e);
    const singleMetrics = published();
    org.mocked.cloudwatch.resetHistory();

    const { plan, error } = await sharded();

    expect(plan).to.include({ mode: "sharded", accounts: 4, accountRegions: 8, shards: 1 });
    expect(published()).to.deep.equal(singleMetrics);
    expect(error).to.be.instanceOf(ScanError);
    expect((error as Error).message).to.equal((single as Error).message);
    expect((error as Error).message).to.match(/account 444444444444 \(legacy\) region us-east-1: AssumeRole/);
  });

  it("assumes each member role once per scan in either mode", async () => {
    await handler({})({}, CONTEXT).catch(() => undefined);
    const single = org.assumed.splice(0);

    await sharded();

    expect(single.sort()).to.deep.equal(org.assumed.sort());
    expect(new Set(org.assumed).size).to.equal(org.assumed.length);
  });

  it("logs one line per step", async () => {
    await sharded();

    const messages = lines.map((l) => JSON.parse(l) as { message: string; action?: string });
    expect(messages.map((m) => [m.message, m.action])).to.deep.equal([
      ["step finished", "plan"],
      ["step finished", "collect-shard"],
      ["scan incomplete", undefined],
    ]);
  });

  it("finishes a scan whose shard failed after its retries as partial, naming its account-Regions", async () => {
    const run = handler({ FAN_OUT: "step-functions", SCAN_BUCKET: "ipam-monitor-scans" });
    await run({ action: "plan", scanId: "exec-2" }, CONTEXT);
    const { shards } = await readPlan(new S3ObjectStore(org.clients.s3, "ipam-monitor-scans"), "exec-2");
    await run(
      {
        action: "record-shard-failure",
        scanId: "exec-2",
        shard: shards[0],
        error: { Error: "Lambda.Unknown", Cause: "out of memory" },
      },
      CONTEXT,
    );

    const error = (await run({ action: "finish", scanId: "exec-2" }, CONTEXT).catch((e: unknown) => e)) as Error;

    expect(org.objects.has(shardKey("exec-2", 0))).to.equal(true);
    expect(error.message).to.match(/the scan was incomplete \(8 failures\)/);
    expect(error.message).to.match(/shard 0 failed after its retries \(Lambda.Unknown: out of memory\)/);
    expect(published().map((d) => d.MetricName)).not.to.include("ScanSuccess");
  });

  it("finishes a complete sharded scan with ScanSuccess and returns the scan result", async () => {
    org.restore();
    org = fakeOrganization(ACCOUNTS.slice(0, 3), REGIONS);
    org.mocked.cloudwatch.on(PutMetricDataCommand).resolves({});
    const run = handler({ FAN_OUT: "step-functions", SCAN_BUCKET: "ipam-monitor-scans" });
    await run({ action: "plan", scanId: "exec-3" }, CONTEXT);
    const { shards } = await readPlan(new S3ObjectStore(org.clients.s3, "ipam-monitor-scans"), "exec-3");
    for (const shard of shards) await run({ action: "collect-shard", scanId: "exec-3", shard }, CONTEXT);

    const result = (await run({ action: "finish", scanId: "exec-3" }, CONTEXT)) as ScanResultJson;

    expect(result.complete).to.equal(true);
    expect(result.summary.counts).to.deep.include({ critical: 2, warning: 2 });
    expect(published().map((d) => d.MetricName)).to.include("ScanSuccess");
  });

  it("refuses a malformed step event with an error naming the field", async () => {
    const run = handler({ FAN_OUT: "step-functions", SCAN_BUCKET: "ipam-monitor-scans" });

    const err = await run({ action: "collect-shard", scanId: "exec-4", shard: { index: 0 } }, CONTEXT).catch(
      (e: unknown) => e,
    );

    expect(err).to.be.instanceOf(EventError);
    expect(String(err)).to.match(/event.shard.accounts must be a non-empty list/);
  });
});
