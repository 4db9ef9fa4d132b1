import { expect } from "chai";
import { readConfig } from "../src/config";
import { ConfigError } from "../src/errors";

const BASE = { AWS_REGION: "eu-west-1" };

function errorFor(env: Record<string, string>): ConfigError {
  try {
    readConfig({ ...BASE, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("readConfig", () => {
  it("uses documented defaults when only the Lambda's region is set", () => {
    const config = readConfig(BASE);

    expect(config).to.deep.equal({
      rulesFile: "rules.yaml",
      source: "ipam",
      ipamRegion: "eu-west-1",
      scopeTypes: ["private", "public"],
      regions: ["eu-west-1"],
      regionConcurrency: 4,
      metricsNamespace: "IPAMMonitor",
      dryRun: false,
      logLevel: "info",
      maxAttempts: 8,
      retryMode: "adaptive",
    });
  });

  it("reads every variable the Terraform module sets", () => {
    const config = readConfig({
      ...BASE,
      RULES_FILE: "custom.yaml",
      SOURCE: "ec2",
      IPAM_REGION: "us-east-1",
      IPAM_ID: "ipam-0123456789abcdef0",
      SCOPE_TYPES: "private",
      RESOURCE_TYPES: "subnet,vpc",
      REGIONS: "eu-west-1, eu-central-1",
      REGION_CONCURRENCY: "2",
      METRICS_NAMESPACE: "Platform/IPAM",
      SNS_TOPIC_ARN: "arn:aws:sns:eu-west-1:111122223333:ipam-alerts",
      STATE_TABLE: "ipam-monitor-state",
      DRY_RUN: "true",
      LOG_LEVEL: "debug",
      AWS_MAX_ATTEMPTS: "3",
      AWS_RETRY_MODE: "standard",
    });

    expect(config).to.deep.include({
      rulesFile: "custom.yaml",
      source: "ec2",
      ipamRegion: "us-east-1",
      ipamId: "ipam-0123456789abcdef0",
      scopeTypes: ["private"],
      resourceTypes: ["subnet", "vpc"],
      regions: ["eu-west-1", "eu-central-1"],
      regionConcurrency: 2,
      metricsNamespace: "Platform/IPAM",
      snsTopicArn: "arn:aws:sns:eu-west-1:111122223333:ipam-alerts",
      stateTable: "ipam-monitor-state",
      dryRun: true,
      logLevel: "debug",
      maxAttempts: 3,
      retryMode: "standard",
    });
  });

  it("lets CLI overrides win over the environment", () => {
    const config = readConfig({ ...BASE, IPAM_REGION: "us-east-1" }, { IPAM_REGION: "ap-south-1", DRY_RUN: undefined });

    expect(config.ipamRegion).to.equal("ap-south-1");
  });

  it("fails naming IPAM_REGION when no region is set anywhere", () => {
    expect(() => readConfig({})).to.throw(ConfigError, /IPAM_REGION: no region is set/);
  });

  const invalid: [string, string, RegExp][] = [
    ["SOURCE", "cloud", /SOURCE: "cloud" is not one of ipam, ec2/],
    ["SCOPE_TYPES", "private,secret", /SCOPE_TYPES: "secret" is not a scope type/],
    ["SCOPE_TYPES", "private,,public", /SCOPE_TYPES: .* has an empty item/],
    ["REGIONS", "eu-west-1,mars", /REGIONS: "mars" is not an AWS region/],
    ["IPAM_REGION", "Europe", /IPAM_REGION: "Europe" is not an AWS region/],
    ["REGION_CONCURRENCY", "0", /REGION_CONCURRENCY: 0 must be between 1 and 32/],
    ["REGION_CONCURRENCY", "two", /REGION_CONCURRENCY: "two" is not a whole number/],
    ["METRICS_NAMESPACE", "AWS/IPAM", /METRICS_NAMESPACE: "AWS\/IPAM" is not a CloudWatch namespace/],
    ["SNS_TOPIC_ARN", "ipam-alerts", /SNS_TOPIC_ARN: "ipam-alerts" is not a standard SNS topic ARN/],
    [
      "SNS_TOPIC_ARN",
      "arn:aws:sns:eu-west-1:111122223333:alerts.fifo",
      /SNS_TOPIC_ARN: .* is not a standard SNS topic ARN/,
    ],
    ["STATE_TABLE", "x", /STATE_TABLE: "x" is not a DynamoDB table name/],
    ["DRY_RUN", "yes", /DRY_RUN: "yes" is not true or false/],
    ["LOG_LEVEL", "verbose", /LOG_LEVEL: "verbose" is not one of debug, info, warn, error/],
    ["AWS_MAX_ATTEMPTS", "50", /AWS_MAX_ATTEMPTS: 50 must be between 1 and 20/],
    ["IPAM_ID", "my-ipam", /IPAM_ID: "my-ipam" is not an IPAM id/],
    ["RESOURCE_TYPES", "Subnet!", /RESOURCE_TYPES: "Subnet!" is not a resource type/],
  ];
  for (const [name, bad, message] of invalid) {
    it(`rejects ${name}=${bad} with a message naming ${name}`, () => {
      const err = errorFor({ [name]: bad });

      expect(err.variable).to.equal(name);
      expect(err.message).to.match(message);
    });
  }
});
