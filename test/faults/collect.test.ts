/**
 * Faults between the scanner and the collecting APIs: answers that are not data, endless
 * paginations, a hung endpoint, throttling, repeats and implausible drops. Each case runs a
 * complete scan first, so that a false recovery would show as a notification, then the fault.
 */
import { expect } from "chai";
import {
  type CaseResources,
  calls,
  delivered,
  describeMetrics,
  freshCase,
  idOf,
  injectFaults,
  manifest,
  resetFaults,
  savedState,
  scan,
} from "./harness";

const EXIT = { ok: 0, scan: 3 } as const;
const PRIVATE = manifest.ipam.privateScopeId;
const PRIVATE_UNIT = `ipam-scope/${PRIVATE}`;
const IN_PRIVATE_SCOPE = { IpamScopeId: PRIVATE };

/** What a complete scan of the seeded network publishes for the scopes the alarms watch. */
const COMPLETE_COUNTS = [
  "WarningCount prod-subnets 2",
  "CriticalCount prod-subnets 1",
  "UnknownCount prod-subnets 2",
  "WarningCount vpcs 0",
  "CriticalCount vpcs 1",
  "UnknownCount vpcs 0",
];

/** The counts a partial scan that still read everything else publishes: non-zero ones only. */
function onlyNonZeroCounts(metrics: string[]): boolean {
  return metrics.every((m) => /^(Warning|Critical|Unknown)Count \S+ [1-9]\d*$/.test(m));
}

describe("faults: collecting", function () {
  this.timeout(60_000);
  let kase: CaseResources;

  beforeEach(async () => {
    await resetFaults();
    kase = await freshCase();
    const first = await scan(kase);
    expect(first.code, first.err).to.equal(EXIT.ok);
    expect(first.result?.complete).to.equal(true);
    expect(describeMetrics(first.metrics)).to.include.members([...COMPLETE_COUNTS, "ScanSuccess 1"]);
    expect(await delivered(kase.topicArn)).to.have.length(1);
  });

  afterEach(resetFaults);

  for (const [fault, what] of [
    ["empty", "an empty body"],
    ["html", "an HTML page"],
    ["no-result-set", "XML without ipamResourceCidrSet"],
  ] as const) {
    it(`fails a scope whose every answer is a 200 with ${what}: partial, no zeros, nothing recovered`, async () => {
      await injectFaults([{ action: "GetIpamResourceCidrs", fault, match: IN_PRIVATE_SCOPE }]);

      const { code, result, metrics } = await scan(kase, [], { AWS_MAX_ATTEMPTS: "3" });

      expect(code).to.equal(EXIT.scan);
      expect(result?.complete).to.equal(false);
      expect(result?.errors.map((e) => `${e.code} ${e.action} ${e.unit}`)).to.deep.equal([
        `MalformedResponse GetIpamResourceCidrs ${PRIVATE_UNIT}`,
      ]);
      expect(result?.errors[0]?.message).to.include("(3 attempts)");
      expect((await calls()).filter((c) => c.fault === fault)).to.have.length(3);
      const published = describeMetrics(metrics);
      expect(published).to.not.include("ScanSuccess 1");
      expect(onlyNonZeroCounts(published), published.join("; ")).to.equal(true);
      expect(await delivered(kase.topicArn)).to.have.length(1);
      const state = await savedState(kase.table);
      expect(Object.keys(state?.scopes["prod-subnets"]?.resources ?? {})).to.include(idOf("prod-pods"));
    });
  }

  it("takes the answer of a retry after one empty 200: complete", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", fault: "empty", match: IN_PRIVATE_SCOPE, times: 1 }]);

    const { code, result, metrics } = await scan(kase);

    expect(code).to.equal(EXIT.ok);
    expect(result?.complete).to.equal(true);
    expect(describeMetrics(metrics)).to.include.members([...COMPLETE_COUNTS, "ScanSuccess 1"]);
  });

  it("fails a region whose DescribeSubnets answers an empty 200 (EC2 source)", async () => {
    const ec2 = await freshCase();
    const env = { SOURCE: "ec2", REGIONS: "us-east-1,eu-west-1", AWS_MAX_ATTEMPTS: "2" };
    expect((await scan(ec2, [], env)).code).to.equal(EXIT.ok);
    await injectFaults([{ action: "DescribeSubnets", fault: "empty", match: {} }]);

    const { code, result, metrics } = await scan(ec2, [], env);

    expect(code).to.equal(EXIT.scan);
    expect(result?.errors.map((e) => `${e.code} ${e.action} ${e.unit}`)).to.have.members([
      "MalformedResponse DescribeSubnets ec2/us-east-1",
      "MalformedResponse DescribeSubnets ec2/eu-west-1",
    ]);
    expect(onlyNonZeroCounts(describeMetrics(metrics))).to.equal(true);
    expect(await delivered(ec2.topicArn)).to.have.length(1);
  });

  it("stops a pagination whose every NextToken is new at the page ceiling", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", fault: "token-fresh", match: IN_PRIVATE_SCOPE }]);

    const { code, result, metrics } = await scan(kase, [], { PAGE_CEILING_MIN: "10" });

    expect(code).to.equal(EXIT.scan);
    expect(result?.errors.map((e) => `${e.code} ${e.unit}`)).to.deep.equal([`PageCeiling ${PRIVATE_UNIT}`]);
    expect((await calls()).filter((c) => c.fault === "token-fresh")).to.have.length(10);
    expect(onlyNonZeroCounts(describeMetrics(metrics))).to.equal(true);
    expect(await delivered(kase.topicArn)).to.have.length(1);
  });

  it("stops a token cycle A → B → A at the first token seen before (EC2 source)", async () => {
    const ec2 = await freshCase();
    const env = { SOURCE: "ec2", REGIONS: "us-east-1" };
    expect((await scan(ec2, [], env)).code).to.equal(EXIT.ok);
    await injectFaults([{ action: "DescribeSubnets", fault: "token-cycle", tokens: ["A", "B"] }]);

    const { code, result } = await scan(ec2, [], env);

    expect(code).to.equal(EXIT.scan);
    expect(result?.errors.map((e) => `${e.code} ${e.action}`)).to.deep.equal(["PaginationLoop DescribeSubnets"]);
    const cycled = (await calls()).filter((c) => c.fault === "token-cycle");
    expect(cycled.map((c) => c.params.NextToken ?? "(first page)")).to.deep.equal(["(first page)", "A", "B"]);
  });

  it("stops a token cycle in DescribeIpamScopes: the scan cannot start and publishes nothing", async () => {
    await injectFaults([{ action: "DescribeIpamScopes", fault: "token-cycle", tokens: ["A", "B"] }]);

    const { code, err, metrics } = await scan(kase);

    expect(code).to.equal(EXIT.scan);
    expect(err).to.include("DescribeIpamScopes returned a NextToken on page 3 that it had already returned");
    expect(metrics).to.deep.equal([]);
    expect(await delivered(kase.topicArn)).to.have.length(1);
  });

  it("counts each resource once when a scope returns every resource on two pages", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", fault: "repeat-page", match: IN_PRIVATE_SCOPE }]);

    const { code, result, metrics } = await scan(kase);

    expect(code).to.equal(EXIT.ok);
    expect(describeMetrics(metrics)).to.include.members(COMPLETE_COUNTS);
    const unit = result?.units?.find((u) => u.key === PRIVATE_UNIT);
    expect(unit?.pages).to.equal(2);
    expect(unit?.resources).to.equal(manifest.resources.filter((r) => r.scope === "private").length);
  });

  it("retries throttling and completes", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", fault: "throttle", match: IN_PRIVATE_SCOPE, times: 2 }]);

    const { code, result } = await scan(kase);

    expect(code).to.equal(EXIT.ok);
    expect(result?.complete).to.equal(true);
  });

  it("names throttling that outlasts the retries, and publishes no zero", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", fault: "throttle", match: IN_PRIVATE_SCOPE }]);

    const { code, result, metrics } = await scan(kase, [], { AWS_MAX_ATTEMPTS: "2" });

    expect(code).to.equal(EXIT.scan);
    expect(result?.errors[0]?.message).to.include("was throttled (RequestLimitExceeded) and retries were exhausted");
    expect(onlyNonZeroCounts(describeMetrics(metrics))).to.equal(true);
  });

  it("keeps a scope that answers 500 out of the counts and out of the recoveries", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", fault: "status", status: 500, match: IN_PRIVATE_SCOPE }]);

    const { code, result } = await scan(kase, [], { AWS_MAX_ATTEMPTS: "2" });

    expect(code).to.equal(EXIT.scan);
    expect(result?.errors.map((e) => `${e.code} ${e.unit}`)).to.deep.equal([`InternalError ${PRIVATE_UNIT}`]);
    expect(await delivered(kase.topicArn)).to.have.length(1);
  });

  it("fails a resource whose CIDR field is stripped, naming it, instead of dropping it", async () => {
    await injectFaults([
      {
        action: "GetIpamResourceCidrs",
        fault: "strip",
        element: "resourceCidr",
        resourceId: idOf("prod-pods"),
        match: IN_PRIVATE_SCOPE,
      },
    ]);

    const { code, result } = await scan(kase);

    expect(code).to.equal(EXIT.scan);
    expect(result?.errors.map((e) => `${e.code} ${e.unit}`)).to.deep.equal([`MissingResourceCidr ${PRIVATE_UNIT}`]);
    expect(result?.errors[0]?.target).to.include(idOf("prod-pods"));
    expect(await delivered(kase.topicArn)).to.have.length(1);
  });

  it("holds back a scope that suddenly returns two resources, then accepts the drop the next scan confirms", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", fault: "keep-first", count: 2, match: IN_PRIVATE_SCOPE }]);

    const held = await scan(kase);

    expect(held.code).to.equal(EXIT.scan);
    expect(held.result?.errors.map((e) => `${e.code} ${e.unit}`)).to.deep.equal([`ImplausibleDrop ${PRIVATE_UNIT}`]);
    expect(held.result?.errors[0]?.message).to.match(/returned 2 resource CIDRs where the last complete scan had \d+/);
    expect(held.metrics.map((m) => m.MetricName)).to.not.include("ScanSuccess");
    expect(await delivered(kase.topicArn)).to.have.length(1);

    const confirmed = await scan(kase);

    expect(confirmed.code).to.equal(EXIT.ok);
    expect(confirmed.result?.complete).to.equal(true);
    const messages = await delivered(kase.topicArn);
    expect(messages).to.have.length(2);
    expect(messages[1]?.message).to.include("no longer found");
  });
});
