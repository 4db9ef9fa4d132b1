/**
 * A hung endpoint: every run ends, in time to publish what is safe, and says why.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { createAwsClients } from "../../lambda/src/clients";
import { createHandler } from "../../lambda/src/handler";
import {
  type CaseResources,
  calls,
  delivered,
  describeMetrics,
  freshCase,
  idOf,
  injectFaults,
  manifest,
  RULES,
  resetFaults,
  scan,
} from "./harness";

const EXIT = { ok: 0, scan: 3 } as const;
const PRIVATE = manifest.ipam.privateScopeId;
const IN_PRIVATE_SCOPE = { IpamScopeId: PRIVATE };
/**
 * Held for the fault layer's default of 120 s, longer than a case may take: a scan ends only by
 * giving up on the call, which the fault layer logs as `abandoned`.
 */
const HANG = { fault: "hang" };
/** IPAM stops reporting IpUsage for prod-pods: a change to notify. */
const PODS_UNMEASURED = {
  action: "GetIpamResourceCidrs",
  fault: "strip",
  element: "ipUsage",
  resourceId: idOf("prod-pods"),
  match: IN_PRIVATE_SCOPE,
};

function onlyNonZeroCounts(metrics: string[]): boolean {
  return metrics.every((m) => /^(Warning|Critical|Unknown)Count \S+ [1-9]\d*$/.test(m));
}

/**
 * The hung calls, each with whether the scanner gave up on it. The fault layer notices a closed
 * connection within a fraction of a second; a call still held 10 s after the scan ended was not
 * given up ("abandoned=undefined").
 */
async function hungCalls(): Promise<string[]> {
  let hung = (await calls()).filter((c) => c.fault === "hang");
  for (let waited = 0; waited < 10_000 && hung.some((c) => c.abandoned === undefined); waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    hung = (await calls()).filter((c) => c.fault === "hang");
  }
  return hung.map((c) => `${c.action} abandoned=${c.abandoned}`);
}

describe("faults: bounded runs", function () {
  this.timeout(60_000);
  let kase: CaseResources;

  beforeEach(async () => {
    await resetFaults();
    kase = await freshCase();
    expect((await scan(kase)).code).to.equal(EXIT.ok);
  });

  afterEach(resetFaults);

  it("stops collecting at --timeout when a scope never answers, publishes what is safe and exits 3", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", match: IN_PRIVATE_SCOPE, ...HANG }]);

    const { code, result, metrics, err } = await scan(kase, ["--timeout", "2"]);

    expect(await hungCalls()).to.deep.equal(["GetIpamResourceCidrs abandoned=true"]);
    expect(code).to.equal(EXIT.scan);
    expect(result?.complete).to.equal(false);
    expect(result?.errors.map((e) => `${e.code} ${e.unit}`)).to.deep.equal([`ScanTimeout ipam-scope/${PRIVATE}`]);
    expect(err).to.include(
      "the time for collecting ran out (the scan timeout of 2 s (SCAN_TIMEOUT_SECONDS, --timeout))",
    );
    // The public scope was read: its non-zero counts would be published; nothing else is.
    expect(onlyNonZeroCounts(describeMetrics(metrics))).to.equal(true);
    expect(await delivered(kase.topicArn)).to.have.length(1);
  });

  it("gives up on a silent endpoint after the response timeout and the SDK's attempts, with no --timeout", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", match: IN_PRIVATE_SCOPE, ...HANG }]);

    const { code, result } = await scan(kase, [], { RESPONSE_TIMEOUT_MS: "1000", AWS_MAX_ATTEMPTS: "2" });

    expect(code).to.equal(EXIT.scan);
    expect(result?.errors.map((e) => e.code)).to.deep.equal(["TimeoutError"]);
    expect(result?.errors[0]?.message).to.include("got no answer in time after 2 attempts");
    expect(await hungCalls()).to.deep.equal(Array(2).fill("GetIpamResourceCidrs abandoned=true"));
  });

  it("ends a scan whose every endpoint hangs, publishing nothing, within the scan timeout", async () => {
    await injectFaults([{ action: "*", ...HANG }]);

    const { code, err, metrics } = await scan(kase, [], { SCAN_TIMEOUT_SECONDS: "2" });

    expect(code).to.equal(EXIT.scan);
    expect(err).to.include("DescribeIpams was stopped: the time for collecting ran out");
    expect(metrics).to.deep.equal([]);
    // The state read is given up at the deadline; DescribeIpams is then not sent at all.
    expect(await hungCalls()).to.deep.equal(["GetItem abandoned=true"]);
  });

  it("ends publishing to hung CloudWatch, SNS and DynamoDB endpoints at the publishing timeout", async () => {
    await injectFaults([
      PODS_UNMEASURED,
      ...["PutMetricData", "Publish", "UpdateItem", "PutItem"].map((action) => ({ action, ...HANG })),
    ]);

    const { code, result } = await scan(kase, [], { PUBLISH_TIMEOUT_SECONDS: "2" });

    expect(code).to.equal(EXIT.scan);
    expect(result?.complete).to.equal(true);
    // The lease cannot be taken, so the notification is tried anyway (a repeat beats a loss), and stopped too.
    expect(result?.errors.map((e) => `${e.code} ${e.action}`)).to.deep.equal([
      "ScanTimeout PutMetricData",
      "ScanTimeout UpdateItem",
      "ScanTimeout Publish",
    ]);
    expect(result?.errors[0]?.message).to.include("the time for publishing ran out (the publishing timeout of 2 s");
    // PutMetricData is given up at the deadline; the calls after it are then not sent at all.
    expect(await hungCalls()).to.deep.equal(["PutMetricData abandoned=true"]);
  });

  it("stops a Lambda scan in time to publish and log why when the function's time runs short", async () => {
    await injectFaults([{ action: "GetIpamResourceCidrs", match: IN_PRIVATE_SCOPE, ...HANG }]);
    const root = mkdtempSync(join(tmpdir(), "ipam-monitor-faults-"));
    writeFileSync(join(root, "rules.yaml"), readFileSync(RULES));
    const lines: string[] = [];
    const env = {
      AWS_REGION: "us-east-1",
      LAMBDA_TASK_ROOT: root,
      SNS_TOPIC_ARN: kase.topicArn,
      STATE_TABLE: kase.table,
      METRICS_NAMESPACE: kase.namespace,
      AWS_RETRY_MODE: "standard",
    };
    const handler = createHandler({
      env,
      write: (line) => lines.push(line),
      createClients: (config) => createAwsClients(config),
    });
    const started = Date.now();
    const remaining = 6000;

    const error = await handler({}, { getRemainingTimeInMillis: () => remaining - (Date.now() - started) }).then(
      () => undefined,
      (e: unknown) => e,
    );

    rmSync(root, { recursive: true, force: true });
    expect(Date.now() - started).to.be.below(remaining);
    expect(error).to.be.an("error").with.property("code", "ScanTimeout");
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map((l) => `${l.level} ${l.message}`)).to.deep.equal(["error scan incomplete"]);
    expect(JSON.stringify(logged[0]?.errors)).to.include("the function's remaining time");
    expect(await hungCalls()).to.deep.equal(["GetIpamResourceCidrs abandoned=true"]);
    expect((await calls()).some((c) => c.action === "PutMetricData" && c.upstream === 200)).to.equal(true);
  });
});
