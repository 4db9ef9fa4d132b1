import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CloudWatchClient, CloudWatchServiceException, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeIpamsCommand, type EC2Client, GetIpamResourceCidrsCommand } from "@aws-sdk/client-ec2";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";

import { ConfigError, RulesError, ScanError } from "../src/errors";
import { createHandler, type HandlerDependencies } from "../src/handler";
import { type MockedClients, mockAwsClients } from "./fixtures/scan/clients";
import * as net from "./fixtures/scan/network";

const NOW = new Date("2024-05-01T12:00:00.000Z");
const CONTEXT = {
  invokedFunctionArn: "arn:aws:lambda:us-east-1:111122223333:function:ipam-monitor",
  awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("the handler resolved"),
    (err: unknown) => err,
  );
}

describe("handler", () => {
  let mocked: MockedClients;
  let ec2: AwsClientStub<EC2Client>;
  let cloudwatch: AwsClientStub<CloudWatchClient>;
  let taskRoot: string;
  let lines: string[];

  beforeEach(() => {
    mocked = mockAwsClients();
    ({ ec2, cloudwatch } = mocked);
    net.serveNetwork(ec2, () => net.networkPages());
    cloudwatch.on(PutMetricDataCommand).resolves({ $metadata: {} });
    taskRoot = mkdtempSync(join(tmpdir(), "ipam-monitor-handler-"));
    writeFileSync(join(taskRoot, "rules.yaml"), net.RULES_YAML);
    lines = [];
  });

  afterEach(() => {
    mocked.restore();
    rmSync(taskRoot, { recursive: true, force: true });
  });

  /** A handler as Lambda would load it, in its own container, writing its log lines to `lines`. */
  function handlerWith(env: Record<string, string> = {}, deps: HandlerDependencies = {}) {
    return createHandler({
      env: { AWS_REGION: "us-east-1", LAMBDA_TASK_ROOT: taskRoot, ...env },
      write: (line) => lines.push(line),
      now: () => NOW,
      createClients: () => mocked.clients,
      ...deps,
    });
  }

  function logged(): Array<Record<string, unknown>> {
    return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  describe("a complete scan", () => {
    it("returns the JSON result", async () => {
      const result = await handlerWith()({}, CONTEXT);

      expect(result).to.include({ schemaVersion: 1, source: "ipam", complete: true, scannedAt: NOW.toISOString() });
      expect(result.summary.counts).to.deep.equal({ critical: 1, warning: 1, unknown: 1, ok: 2 });
    });

    it("returns a result that survives JSON serialization unchanged", async () => {
      const result = await handlerWith()({}, CONTEXT);

      expect(JSON.parse(JSON.stringify(result))).to.deep.equal(result);
    });

    it("logs one info line with the summary and the request id", async () => {
      await handlerWith()({}, CONTEXT);

      expect(logged()).to.have.length(1);
      expect(logged()[0]).to.include({
        level: "info",
        message: "scan finished",
        requestId: CONTEXT.awsRequestId,
        complete: true,
      });
      expect(logged()[0]?.summary).to.include({ resources: 6, scopes: 3 });
    });

    it("publishes the metrics", async () => {
      await handlerWith()({}, CONTEXT);

      expect(cloudwatch.commandCalls(PutMetricDataCommand)).to.have.length(1);
    });

    it("reads the rules file named by RULES_FILE under LAMBDA_TASK_ROOT", async () => {
      writeFileSync(join(taskRoot, "custom.yaml"), net.RULES_YAML.replace("name: staging", "name: preprod"));

      const result = await handlerWith({ RULES_FILE: "custom.yaml" })({}, CONTEXT);

      expect(result.scopesWithoutMatches).to.deep.equal(["preprod"]);
    });
  });

  describe("a partial scan", () => {
    beforeEach(() => {
      net.serveNetwork(ec2, () => net.networkPages(), {
        [net.PUBLIC_SCOPE]: net.ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
      });
    });

    it("throws a ScanError naming the failed action", async () => {
      const error = await rejection(handlerWith()({}, CONTEXT));

      expect(error).to.be.instanceOf(ScanError);
      expect(error).to.include({ action: "GetIpamResourceCidrs", code: "UnauthorizedOperation" });
      expect((error as Error).message)
        .to.include("the scan was incomplete")
        .and.to.include("ec2:GetIpamResourceCidrs");
    });

    it("logs exactly one structured error line with the summary and every error", async () => {
      await rejection(handlerWith()({}, CONTEXT));

      expect(logged()).to.have.length(1);
      const entry = logged()[0]!;
      expect(entry).to.include({ level: "error", message: "scan incomplete", complete: false });
      expect(entry.summary).to.include({ resources: 5 });
      expect(entry.errors).to.have.length(1);
    });

    it("still publishes the counts it can", async () => {
      await rejection(handlerWith()({}, CONTEXT));

      expect(cloudwatch.commandCalls(PutMetricDataCommand)).to.have.length(1);
    });
  });

  describe("a scan that runs out of time", () => {
    it("stops collecting before the function's time is up, publishes what it read and logs why", async () => {
      ec2
        .on(GetIpamResourceCidrsCommand, { IpamScopeId: net.PUBLIC_SCOPE })
        .callsFake(() => new Promise(() => undefined));
      const context = { ...CONTEXT, getRemainingTimeInMillis: () => 400 };

      const error = await rejection(handlerWith()({}, context));

      expect(error).to.be.instanceOf(ScanError).and.include({ action: "GetIpamResourceCidrs", code: "ScanTimeout" });
      expect(cloudwatch.commandCalls(PutMetricDataCommand)).to.have.length(1);
      const entry = logged()[0]!;
      expect(logged()).to.have.length(1);
      expect(entry).to.include({ level: "error", message: "scan incomplete", complete: false });
      expect(JSON.stringify(entry.errors)).to.include(
        "the function's remaining time of 0.4 s, less 0.1 s kept for publishing",
      );
    });
  });

  describe("a failed publish", () => {
    it("throws after a complete scan when PutMetricData is denied, naming the permission", async () => {
      cloudwatch.on(PutMetricDataCommand).rejects(
        new CloudWatchServiceException({
          name: "AccessDenied",
          $fault: "client",
          $metadata: { httpStatusCode: 403 },
          message: "not authorized",
        }),
      );

      const error = await rejection(handlerWith()({}, CONTEXT));

      expect(error).to.be.instanceOf(ScanError).with.property("action", "PutMetricData");
      expect((error as Error).message)
        .to.include("publishing failed")
        .and.to.include("cloudwatch:PutMetricData");
      expect(logged().map((e) => `${e.level} ${e.message}`)).to.deep.equal(["error scan finished, publishing failed"]);
    });
  });

  describe("a scan that cannot start", () => {
    it("logs the error once and rethrows it", async () => {
      ec2
        .on(DescribeIpamsCommand)
        .rejects(net.ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

      const error = await rejection(handlerWith()({}, CONTEXT));

      expect(error).to.be.instanceOf(ScanError).with.property("action", "DescribeIpams");
      expect(logged()).to.have.length(1);
      expect(logged()[0]).to.include({ level: "error", message: "scan failed" });
      expect(logged()[0]?.error).to.include({ name: "ScanError", action: "DescribeIpams" });
    });
  });

  describe("configuration", () => {
    it("throws a ConfigError naming the invalid variable", async () => {
      const error = await rejection(handlerWith({ SOURCE: "s3" })({}, CONTEXT));

      expect(error).to.be.instanceOf(ConfigError).with.property("variable", "SOURCE");
      expect((error as Error).message).to.match(/^SOURCE: /);
    });

    it("logs a configuration error as one JSON line naming the variable", async () => {
      await rejection(handlerWith({ METRICS_NAMESPACE: "AWS/EC2" })({}, CONTEXT));

      expect(logged()).to.have.length(1);
      expect(logged()[0]).to.include({ level: "error", message: "the monitor cannot start" });
      expect(logged()[0]?.error).to.include({ name: "ConfigError", variable: "METRICS_NAMESPACE" });
    });

    it("throws a RulesError with every problem when the bundled rules are invalid", async () => {
      writeFileSync(join(taskRoot, "rules.yaml"), "version: 2\nscopes: []\n");

      const error = await rejection(handlerWith()({}, CONTEXT));

      expect(error).to.be.instanceOf(RulesError);
      expect((error as RulesError).problems[0]?.file).to.equal(join(taskRoot, "rules.yaml"));
    });

    it("loads the rules once per container", async () => {
      const handler = handlerWith();
      await handler({}, CONTEXT);
      unlinkSync(join(taskRoot, "rules.yaml"));

      const second = await handler({}, CONTEXT);

      expect(second.complete).to.equal(true);
    });

    it("reads the configuration once per container", async () => {
      const env: Record<string, string> = { AWS_REGION: "us-east-1", LAMBDA_TASK_ROOT: taskRoot };
      const handler = createHandler({ env, write: (line) => lines.push(line), createClients: () => mocked.clients });
      await handler({}, CONTEXT);
      env.SOURCE = "s3";

      const second = await handler({}, CONTEXT);

      expect(second.source).to.equal("ipam");
    });

    it("tries the set-up again on the next invocation after it failed", async () => {
      unlinkSync(join(taskRoot, "rules.yaml"));
      const handler = handlerWith();
      await rejection(handler({}, CONTEXT));
      writeFileSync(join(taskRoot, "rules.yaml"), net.RULES_YAML);

      const result = await handler({}, CONTEXT);

      expect(result.complete).to.equal(true);
    });

    it("builds the clients once per container, with the function's region as home region", async () => {
      const homeRegions: string[] = [];
      const handler = handlerWith(
        { AWS_REGION: "eu-west-1", IPAM_REGION: "us-east-1" },
        {
          createClients: (config) => {
            homeRegions.push(config.homeRegion);
            return mocked.clients;
          },
        },
      );

      await handler({}, CONTEXT);
      await handler({}, CONTEXT);

      expect(homeRegions).to.deep.equal(["eu-west-1"]);
    });
  });
});
