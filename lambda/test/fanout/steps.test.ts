import { expect } from "chai";
import { readConfig } from "../../src/config";
import { collectShard, gatherShards, plan, recordShardFailure } from "../../src/fanout/steps";
import { decodeInventory, planKey, readPlan, S3ObjectStore, scanKey, shardKey } from "../../src/fanout/store";
import { type FakeOrganization, fakeOrganization, MANAGEMENT } from "../fixtures/org/organization";

const REGIONS = ["us-east-1", "eu-west-1"];
const ACCOUNTS = [
  { id: MANAGEMENT, name: "management" },
  { id: "222222222222", name: "payments" },
  { id: "333333333333", name: "data" },
  { id: "444444444444", name: "legacy", denied: true },
  { id: "555555555555", name: "old", state: "SUSPENDED" },
];
const NOW = () => new Date("2026-01-01T00:00:00Z");

function config(mode: "auto" | "step-functions" = "step-functions") {
  return readConfig({
    AWS_REGION: "us-east-1",
    SOURCE: "ec2",
    REGIONS: REGIONS.join(","),
    ORGANIZATION: "true",
    FAN_OUT: mode,
    SCAN_BUCKET: "ipam-monitor-scans",
  });
}

describe("fanout/steps", () => {
  let org: FakeOrganization;
  let store: S3ObjectStore;

  beforeEach(() => {
    org = fakeOrganization(ACCOUNTS, REGIONS);
    store = new S3ObjectStore(org.clients.s3, "ipam-monitor-scans");
  });
  afterEach(() => org.restore());

  it("plans shards of whole accounts in step-functions mode and records the skipped accounts", async () => {
    const output = await plan(config(), org.clients, store, "exec-1", NOW);

    expect(output).to.deep.equal({
      scanId: "exec-1",
      mode: "sharded",
      bucket: "ipam-monitor-scans",
      planKey: "scans/exec-1/plan.json",
      accounts: 4,
      accountRegions: 8,
      skippedAccounts: 1,
      shards: 1,
    });
    const { record, shards } = await readPlan(store, "exec-1");
    expect(record.skipped).to.deep.equal([{ accountId: "555555555555", name: "old", state: "SUSPENDED" }]);
    expect(shards[0]?.accounts.map((a) => [a.accountId, a.own])).to.deep.equal([
      [MANAGEMENT, true],
      ["222222222222", false],
      ["333333333333", false],
      ["444444444444", false],
    ]);
  });

  it("in auto mode plans one invocation for an organization this small, and writes nothing", async () => {
    const output = await plan(config("auto"), org.clients, store, "exec-2", NOW);

    expect(output.mode).to.equal("single");
    expect(org.objects.size).to.equal(0);
  });

  it("collects a shard into its inventory, a denied account's Regions as failures", async () => {
    await plan(config(), org.clients, store, "exec-3", NOW);
    const { shards } = await readPlan(store, "exec-3");

    const output = await collectShard(config(), org.clients, store, "exec-3", shards[0]!);

    expect(output).to.deep.equal({
      scanId: "exec-3",
      shard: 0,
      accountRegions: 8,
      resources: 18,
      failedAccountRegions: 2,
    });
    const inventory = decodeInventory(org.objects.get(shardKey("exec-3", 0))!, "test");
    expect(
      inventory.results.map((r) => `${r.accountId}/${r.region} ${r.resources.length} ${r.failures.length}`),
    ).to.deep.equal([
      `${MANAGEMENT}/us-east-1 3 0`,
      `${MANAGEMENT}/eu-west-1 3 0`,
      "222222222222/us-east-1 3 0",
      "222222222222/eu-west-1 3 0",
      "333333333333/us-east-1 3 0",
      "333333333333/eu-west-1 3 0",
      "444444444444/us-east-1 0 1",
      "444444444444/eu-west-1 0 1",
    ]);
    expect(inventory.assumeRoleCalls).to.equal(3);
  });

  it("records a shard that failed after its retries as a failure of each of its account-Regions", async () => {
    const shard = {
      index: 4,
      accounts: [{ accountId: "222222222222", name: "payments", own: false }],
      regions: REGIONS,
    };

    await recordShardFailure(store, "exec-4", shard, { error: "States.Timeout", cause: "" });

    const inventory = decodeInventory(org.objects.get(shardKey("exec-4", 4))!, "test");
    expect(inventory.results.flatMap((r) => r.failures)).to.deep.equal(
      REGIONS.map((region) => ({
        target: `account 222222222222 (payments) region ${region}`,
        code: "States.Timeout",
        message: "shard 4 failed after its retries (States.Timeout); its account-Regions were not read",
        unit: `ec2/222222222222/${region}`,
      })),
    );
  });

  it("gathers every shard, and names the account-Regions of a shard that left nothing", async () => {
    await plan(config(), org.clients, store, "exec-5", NOW);
    org.objects.set(
      planKey("exec-5"),
      Buffer.from(
        JSON.stringify([
          { index: 0, accounts: [{ accountId: MANAGEMENT, own: true }], regions: REGIONS },
          { index: 1, accounts: [{ accountId: "222222222222", name: "payments", own: false }], regions: REGIONS },
        ]),
      ),
    );
    const { shards } = await readPlan(store, "exec-5");
    await collectShard(config(), org.clients, store, "exec-5", shards[0]!);

    const gathered = await gatherShards(store, "exec-5");

    expect(gathered.resources).to.have.length(6);
    expect(gathered.failures.map((f) => [f.target, f.code])).to.deep.equal([
      ["account 222222222222 (payments) region us-east-1", "ShardMissing"],
      ["account 222222222222 (payments) region eu-west-1", "ShardMissing"],
    ]);
    expect(gathered.skipped).to.have.length(1);
    expect(org.objects.has(scanKey("exec-5"))).to.equal(true);
  });

  it("refuses a step in a deployment without FAN_OUT, naming it", async () => {
    const single = readConfig({ AWS_REGION: "us-east-1", SOURCE: "ec2", ORGANIZATION: "true" });

    const err = await plan(single, org.clients, store, "exec-6", NOW).catch((e: unknown) => e);

    expect(String(err)).to.match(/FAN_OUT: the function was sent a Step Functions step/);
  });
});
