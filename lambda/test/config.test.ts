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
      homeRegion: "eu-west-1",
      scopeTypes: ["private", "public"],
      regions: ["eu-west-1"],
      regionConcurrency: 4,
      metricsNamespace: "IPAMMonitor",
      dryRun: false,
      logLevel: "info",
      maxAttempts: 8,
      retryMode: "adaptive",
      connectTimeoutMs: 5000,
      responseTimeoutMs: 30000,
      scanTimeoutSeconds: 480,
      publishTimeoutSeconds: 60,
      plausibility: { maxDropPercent: 50, confirmations: 2 },
      pageCeiling: { min: 1000, factor: 10 },
      unknownHoldHours: 24,
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

  describe("home region (metrics, state table)", () => {
    it("is the function's own region, not the IPAM's", () => {
      expect(readConfig({ AWS_REGION: "eu-west-1", IPAM_REGION: "us-east-1" }).homeRegion).to.equal("eu-west-1");
    });

    it("falls back to AWS_DEFAULT_REGION", () => {
      expect(readConfig({ AWS_DEFAULT_REGION: "ap-south-1", IPAM_REGION: "us-east-1" }).homeRegion).to.equal(
        "ap-south-1",
      );
    });

    it("is the IPAM region when no AWS region is set (a CLI run with --region only)", () => {
      expect(readConfig({}, { IPAM_REGION: "us-east-1" }).homeRegion).to.equal("us-east-1");
    });
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
    ["SCAN_TIMEOUT_SECONDS", "0", /SCAN_TIMEOUT_SECONDS: 0 must be between 1 and 3600/],
    ["PUBLISH_TIMEOUT_SECONDS", "601", /PUBLISH_TIMEOUT_SECONDS: 601 must be between 1 and 600/],
    ["CONNECT_TIMEOUT_MS", "50", /CONNECT_TIMEOUT_MS: 50 must be between 100 and 60000/],
    ["RESPONSE_TIMEOUT_MS", "500", /RESPONSE_TIMEOUT_MS: 500 must be between 1000 and 300000/],
    ["PLAUSIBILITY_MAX_DROP_PERCENT", "0", /PLAUSIBILITY_MAX_DROP_PERCENT: 0 must be between 1 and 100/],
    ["PLAUSIBILITY_CONFIRMATIONS", "0", /PLAUSIBILITY_CONFIRMATIONS: 0 must be between 1 and 10/],
    ["PAGE_CEILING_MIN", "5", /PAGE_CEILING_MIN: 5 must be between 10 and 1000000/],
    ["PAGE_CEILING_FACTOR", "1", /PAGE_CEILING_FACTOR: 1 must be between 2 and 1000/],
    ["UNKNOWN_HOLD_HOURS", "1.5", /UNKNOWN_HOLD_HOURS: "1.5" is not a whole number/],
  ];
  for (const [name, bad, message] of invalid) {
    it(`rejects ${name}=${bad} with a message naming ${name}`, () => {
      const err = errorFor({ [name]: bad });

      expect(err.variable).to.equal(name);
      expect(err.message).to.match(message);
    });
  }
});

describe("readConfig: several accounts", () => {
  const EC2 = { ...BASE, SOURCE: "ec2" };

  it("scans only the scanner's own account when neither ACCOUNTS nor ORGANIZATION is set", () => {
    expect(readConfig(EC2).crossAccount).to.equal(undefined);
  });

  it("reads an account list with the default member role and concurrency", () => {
    const config = readConfig({ ...EC2, ACCOUNTS: "111122223333, 222233334444,111122223333" });

    expect(config.crossAccount).to.deep.equal({
      accounts: ["111122223333", "222233334444"],
      organization: false,
      memberRoleName: "ipam-monitor-member",
      concurrency: 16,
    });
  });

  it("reads an organization limited to OUs, with a role name, an external id and a concurrency", () => {
    const config = readConfig({
      ...EC2,
      ORGANIZATION: "true",
      ORGANIZATIONAL_UNITS: "ou-ab12-cd34ef56,r-ab12",
      MEMBER_ROLE_NAME: "network-reader",
      MEMBER_ROLE_EXTERNAL_ID: "ipam-monitor-7f3a",
      ACCOUNT_REGION_CONCURRENCY: "32",
    });

    expect(config.crossAccount).to.deep.equal({
      organization: true,
      organizationalUnits: ["ou-ab12-cd34ef56", "r-ab12"],
      memberRoleName: "network-reader",
      externalId: "ipam-monitor-7f3a",
      concurrency: 32,
    });
  });

  const invalid: [Record<string, string>, string, RegExp][] = [
    [{ ACCOUNTS: "111122223333,12345" }, "ACCOUNTS", /"12345" is not a 12-digit AWS account id/],
    [{ ACCOUNTS: "111122223333", ORGANIZATION: "true" }, "ACCOUNTS", /set together with ORGANIZATION=true/],
    [{ ORGANIZATIONAL_UNITS: "ou-ab12-cd34ef56" }, "ORGANIZATIONAL_UNITS", /only applies with ORGANIZATION=true/],
    [
      { ORGANIZATION: "true", ORGANIZATIONAL_UNITS: "ou-ab12" },
      "ORGANIZATIONAL_UNITS",
      /"ou-ab12" is not an organizational unit id/,
    ],
    [{ ORGANIZATION: "yes" }, "ORGANIZATION", /"yes" is not true or false/],
    [{ ACCOUNTS: "111122223333", MEMBER_ROLE_NAME: "a/b" }, "MEMBER_ROLE_NAME", /is not an IAM role name/],
    [{ ACCOUNTS: "111122223333", MEMBER_ROLE_EXTERNAL_ID: "x" }, "MEMBER_ROLE_EXTERNAL_ID", /is not an external id/],
    [
      { ACCOUNTS: "111122223333", ACCOUNT_REGION_CONCURRENCY: "100" },
      "ACCOUNT_REGION_CONCURRENCY",
      /100 must be between 1 and 64/,
    ],
    [{ MEMBER_ROLE_NAME: "network-reader" }, "MEMBER_ROLE_NAME", /set ACCOUNTS or ORGANIZATION=true too/],
  ];
  for (const [env, name, message] of invalid) {
    it(`rejects ${JSON.stringify(env)} naming ${name}`, () => {
      const err = errorFor({ SOURCE: "ec2", ...env });

      expect(err.variable).to.equal(name);
      expect(err.message).to.match(message);
    });
  }

  it("refuses ACCOUNTS with the IPAM source, which sees the accounts IPAM monitors", () => {
    const err = errorFor({ ACCOUNTS: "111122223333" });

    expect(err.variable).to.equal("ACCOUNTS");
    expect(err.message).to.match(/applies to the EC2 source \(SOURCE=ec2\)/);
  });
});
