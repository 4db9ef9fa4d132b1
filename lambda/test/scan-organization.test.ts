/**
 * A scan of an organization with one account whose member role is denied: the scopes that cannot
 * hold that account's resources are complete and publish everything; the others are partial.
 */
import { type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { PublishCommand } from "@aws-sdk/client-sns";
import Ajv from "ajv";
import { expect } from "chai";
import resultSchema from "../schema/result.schema.json";
import { readConfig } from "../src/config";
import { silentLogger } from "../src/log";
import type { NotifiedState } from "../src/publish/state-diff";
import { MemoryStateStore } from "../src/publish/state-store";
import { parseRules } from "../src/rules/load";
import { runScan } from "../src/scan";
import { type FakeOrganization, fakeOrganization, MANAGEMENT } from "./fixtures/org/organization";

const REGIONS = ["us-east-1", "eu-west-1"];
const PAYMENTS = "222222222222";
const DATA = "333333333333";
const LEGACY = "444444444444";
// Account i of the list uses 10·i of its subnets' 251 addresses: management ok, payments warning, data and legacy critical.
const ACCOUNTS = [
  { id: MANAGEMENT, name: "management" },
  { id: PAYMENTS, name: "payments" },
  { id: DATA, name: "data" },
  { id: LEGACY, name: "legacy", denied: true },
];
const RULES = parseRules(
  `version: 1
defaults:
  thresholds: { warning: 7, critical: 10 }
scopes:
  - name: payments
    match: { accounts: ["${PAYMENTS}"], resourceTypes: [subnet] }
  - name: data-us
    match: { accounts: ["${DATA}"], regions: [us-east-1], resourceTypes: [subnet] }
  - name: legacy
    match: { accounts: ["${LEGACY}"], resourceTypes: [subnet] }
  - name: eu
    match: { regions: [eu-west-1], resourceTypes: [subnet] }
  - name: all-subnets
    match: { resourceTypes: [subnet] }
`,
  "rules.yaml",
);
const TOPIC = `arn:aws:sns:us-east-1:${MANAGEMENT}:ipam-alerts`;
const NOW = new Date("2026-01-01T00:00:00Z");

function describeDatum(d: MetricDatum): string {
  const dimensions = (d.Dimensions ?? []).map((dim) => `${dim.Name}=${dim.Value}`).join(",");
  return `${d.MetricName}${dimensions === "" ? "" : ` ${dimensions}`} = ${d.Value}`;
}

describe("runScan across an organization with a denied account", () => {
  let org: FakeOrganization;

  beforeEach(() => {
    org = fakeOrganization(ACCOUNTS, REGIONS);
    org.mocked.cloudwatch.on(PutMetricDataCommand).resolves({});
    org.mocked.sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  });
  afterEach(() => org.restore());

  function scan(store?: MemoryStateStore) {
    const config = readConfig({
      AWS_REGION: "us-east-1",
      SOURCE: "ec2",
      REGIONS: REGIONS.join(","),
      ORGANIZATION: "true",
      SNS_TOPIC_ARN: TOPIC,
    });
    return runScan(config, RULES, {
      clients: org.clients,
      logger: silentLogger,
      now: () => NOW,
      ...(store !== undefined ? { stateStore: store } : {}),
    });
  }

  function published(): string[] {
    return org.mocked.cloudwatch
      .commandCalls(PutMetricDataCommand)
      .flatMap((c) => (c.args[0].input.MetricData ?? []).map(describeDatum))
      .sort();
  }

  it("publishes every metric of the scopes the denied account cannot hold, and only non-zero alarm counts of the others", async () => {
    const { complete } = await scan();

    expect(complete).to.equal(false);
    expect(published()).to.deep.equal(
      [
        // payments: both Regions read, 20 of 251 used in each
        "ResourceCount Scope=payments = 2",
        "WarningCount Scope=payments = 2",
        "CriticalCount Scope=payments = 0",
        "UnknownCount Scope=payments = 0",
        `MaxUtilization Scope=payments = ${(20 * 100) / 251}`,
        "MinFreeAddresses Scope=payments = 231",
        // data-us: the data account in us-east-1 only, 30 used
        "ResourceCount Scope=data-us = 1",
        "WarningCount Scope=data-us = 0",
        "CriticalCount Scope=data-us = 1",
        "UnknownCount Scope=data-us = 0",
        `MaxUtilization Scope=data-us = ${(30 * 100) / 251}`,
        "MinFreeAddresses Scope=data-us = 221",
        // eu and all-subnets could hold the legacy account's subnets: lower bounds only
        "WarningCount Scope=eu = 1",
        "CriticalCount Scope=eu = 1",
        "WarningCount Scope=all-subnets = 2",
        "CriticalCount Scope=all-subnets = 2",
        // legacy: nothing read, nothing non-zero; and no ScanSuccess
      ].sort(),
    );
  });

  it("marks each scope complete or partial in a result that validates", async () => {
    const { result } = await scan();

    expect(result.scopes.map((s) => [s.name, s.complete])).to.deep.equal([
      ["payments", true],
      ["data-us", true],
      ["legacy", false],
      ["eu", false],
      ["all-subnets", false],
    ]);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(resultSchema);
    expect(validate(result), JSON.stringify(validate.errors)).to.equal(true);
  });

  it("reports what a complete scope no longer finds as recovered, and keeps what the partial ones did not see", async () => {
    const before: NotifiedState = {
      scopes: {
        payments: { status: "critical", resources: { "subnet-0deleted": { status: "critical", utilization: 97 } } },
        legacy: { status: "critical", resources: { "subnet-0unseen": { status: "critical", utilization: 98 } } },
      },
    };
    const store = new MemoryStateStore(before);

    await scan(store);

    const [message] = org.mocked.sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Message ?? "");
    expect(message).to.contain("subnet-0deleted");
    expect(message).to.not.contain("subnet-0unseen");
    expect(message).to.contain(
      "resources not seen keep their last notified status in 3 of 5 scopes (legacy, eu, all-subnets); the others are complete.",
    );
    const saved = (await store.load()).state;
    expect(saved?.scopes.payments?.resources).to.not.have.property("subnet-0deleted");
    expect(saved?.scopes.legacy?.resources).to.have.property("subnet-0unseen");
  });
});
