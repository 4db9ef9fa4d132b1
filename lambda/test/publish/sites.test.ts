import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { toScanFailure } from "../../src/collect/aws-error";
import { publishMetrics } from "../../src/publish/metrics";
import { publishNotification } from "../../src/publish/notification";
import { type PublishAction, publishSite } from "../../src/publish/sites";
import { DynamoDbStateStore, type StateLease } from "../../src/publish/state-store";

const CONFIG = {
  metricsNamespace: "IPAM/Monitor",
  snsTopicArn: "arn:aws:sns:eu-west-1:111122223333:ipam-alerts",
  stateTable: "ipam-monitor-state",
};

const denied = () => Object.assign(new Error("not authorized"), { name: "AccessDeniedException" });

/** The failure a publisher's own error becomes, reported with a site that is deliberately wrong. */
async function failureOf(call: Promise<unknown>) {
  const err = await call.then(
    () => expect.fail("the call succeeded"),
    (e: unknown) => e,
  );
  return toScanFailure(err, { action: "Wrong", service: "wrong", target: "wrong" });
}

function expected(action: PublishAction) {
  const { target } = publishSite(CONFIG, action);
  return { action, target };
}

describe("publish/sites", () => {
  it("names each action's IAM service and target", () => {
    expect(publishSite(CONFIG, "PutMetricData")).to.deep.equal({
      action: "PutMetricData",
      service: "cloudwatch",
      target: "namespace IPAM/Monitor",
    });
    expect(publishSite(CONFIG, "Publish")).to.deep.equal({
      action: "Publish",
      service: "sns",
      target: `topic ${CONFIG.snsTopicArn}`,
    });
    expect(publishSite(CONFIG, "UpdateItem")).to.deep.equal({
      action: "UpdateItem",
      service: "dynamodb",
      target: "table ipam-monitor-state",
    });
    expect(publishSite({ metricsNamespace: "X" }, "GetItem").target).to.equal("table (state store)");
  });

  describe("the publishers' own errors name the same call", () => {
    // Mocked per test and restored after, as other test files mock the same client classes.
    let cloudwatch: AwsClientStub<CloudWatchClient>;
    let sns: AwsClientStub<SNSClient>;
    let dynamodb: AwsClientStub<DynamoDBClient>;
    beforeEach(() => {
      cloudwatch = mockClient(CloudWatchClient);
      sns = mockClient(SNSClient);
      dynamodb = mockClient(DynamoDBClient);
    });
    afterEach(() => {
      cloudwatch.restore();
      sns.restore();
      dynamodb.restore();
    });

    it("PutMetricData", async () => {
      cloudwatch.on(PutMetricDataCommand).rejects(denied());
      const datums = [{ MetricName: "ScanSuccess", Value: 1 }];

      const failure = await failureOf(
        publishMetrics(new CloudWatchClient({ region: "eu-west-1" }), CONFIG.metricsNamespace, datums),
      );

      expect(failure).to.include(expected("PutMetricData"));
      expect(failure.message).to.include("cloudwatch:PutMetricData");
    });

    it("Publish", async () => {
      sns.on(PublishCommand).rejects(denied());

      const failure = await failureOf(
        publishNotification(new SNSClient({ region: "eu-west-1" }), CONFIG.snsTopicArn, { subject: "s", message: "m" }),
      );

      expect(failure).to.include(expected("Publish"));
      expect(failure.message).to.include("sns:Publish");
    });

    it("GetItem, UpdateItem and PutItem of the state table", async () => {
      dynamodb.on(GetItemCommand).rejects(denied());
      dynamodb.on(UpdateItemCommand).rejects(denied());
      dynamodb.on(PutItemCommand).rejects(denied());
      const store = new DynamoDbStateStore(new DynamoDBClient({ region: "eu-west-1" }), CONFIG.stateTable);
      const lease: StateLease = { owner: "me", version: 1, until: Date.now() + 60_000 };

      expect(await failureOf(store.load())).to.include(expected("GetItem"));
      expect(await failureOf(store.claim({ state: undefined, version: 0 }, 60_000))).to.include(expected("UpdateItem"));
      expect(await failureOf(store.save({ scopes: {} }, lease))).to.include(expected("PutItem"));
    });
  });
});
