import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";
import { readConfig } from "../../src/config";
import { evaluate } from "../../src/evaluate";
import { silentLogger } from "../../src/log";
import { type NotifyInput, notifyAndRemember } from "../../src/publish/notify";
import { diffStates, stateFromEvaluation } from "../../src/publish/state-diff";
import { type LoadedState, MemoryStateStore } from "../../src/publish/state-store";
import type { ResourceCidr, RulesFile } from "../../src/types";
import { type MockedClients, mockAwsClients } from "../fixtures/scan/clients";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:ipam-alerts";
const RULES: RulesFile = {
  version: 1,
  file: "rules.yaml",
  defaults: { thresholds: { warning: 80, critical: 90 } },
  scopes: [{ name: "prod", match: {}, thresholds: {}, resourceMetrics: false }],
};

function subnet(id: string, utilization: number): ResourceCidr {
  const used = BigInt(Math.round((251 * utilization) / 100));
  return {
    source: "ipam",
    resourceId: id,
    resourceType: "subnet",
    cidr: "10.0.0.0/24",
    addressFamily: "ipv4",
    tags: {},
    size: 256n,
    usable: 251n,
    utilization,
    used,
    free: 251n - used,
  };
}

describe("notifyAndRemember", () => {
  let mocked: MockedClients;
  let sns: AwsClientStub<SNSClient>;
  beforeEach(() => {
    mocked = mockAwsClients();
    ({ sns } = mocked);
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  });
  afterEach(() => mocked.restore());

  function input(store: MemoryStateStore, loaded: LoadedState): NotifyInput {
    const evaluation = evaluate([subnet("subnet-01", 95)], RULES);
    const current = stateFromEvaluation(evaluation);
    return {
      config: readConfig({ AWS_REGION: "us-east-1", SNS_TOPIC_ARN: TOPIC, STATE_TABLE: "t-state" }),
      clients: mocked.clients,
      logger: silentLogger,
      evaluation,
      current,
      changes: diffStates(loaded.state, current, { complete: true }),
      complete: true,
      scannedAt: new Date("2024-05-01T12:00:00.000Z"),
      source: "ipam",
      store,
      loaded,
      baselines: {},
      failures: [],
    };
  }

  it("sends a change two scans found at once only once", async () => {
    const store = new MemoryStateStore();
    const first = await store.load();
    const second = await store.load();

    const results = await Promise.all([
      notifyAndRemember(input(store, first)),
      notifyAndRemember(input(store, second)),
    ]);

    expect(sns.commandCalls(PublishCommand)).to.have.length(1);
    expect(results.map((r) => r?.sent)).to.have.members([true, false]);
    expect(results.find((r) => r?.sent === false)?.reason).to.match(
      /another scan is notifying|a concurrent scan already notified these changes/,
    );
  });

  it("compares again with what another scan saved, and sends nothing already sent", async () => {
    const store = new MemoryStateStore();
    const stale = await store.load();
    await notifyAndRemember(input(store, await store.load()));

    const late = await notifyAndRemember(input(store, stale));

    expect(sns.commandCalls(PublishCommand)).to.have.length(1);
    expect(late).to.deep.equal({ sent: false, reason: "a concurrent scan already notified these changes" });
  });

  it("gives the lease back and saves nothing when the publish fails, so the next scan sends it", async () => {
    const store = new MemoryStateStore();
    sns.on(PublishCommand).rejectsOnce(new Error("socket hang up")).resolves({ MessageId: "m-2" });
    const failing = input(store, await store.load());

    const failed = await notifyAndRemember(failing);
    const next = await notifyAndRemember(input(store, await store.load()));

    expect(failed).to.include({ sent: false, reason: "publishing to the topic failed" });
    expect(failing.failures.map((f) => f.action)).to.deep.equal(["Publish"]);
    expect(next).to.include({ sent: true });
    expect((await store.load()).state?.scopes.prod?.resources["subnet-01"]?.status).to.equal("critical");
  });
});
