/**
 * Faults around what the operator is told: a resource that stops being measured, two scans at
 * once, a Publish that was delivered but answered 500, a state that cannot be saved or read, and
 * a state of 150,000 resources in trouble.
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import type { NotifiedState } from "../../lambda/src/publish/state-diff";
import type { StateLease } from "../../lambda/src/publish/state-store";
import {
  type CaseResources,
  delivered,
  describeMetrics,
  directStore,
  freshCase,
  idOf,
  injectFaults,
  manifest,
  resetFaults,
  savedState,
  scan,
  tableItemIds,
} from "./harness";

const EXIT = { ok: 0, scan: 3 } as const;
const PRIVATE = manifest.ipam.privateScopeId;
/** IPAM stops reporting IpUsage for prod-pods (96.1% used, critical). */
const PODS_UNMEASURED = {
  action: "GetIpamResourceCidrs",
  fault: "strip",
  element: "ipUsage",
  resourceId: idOf("prod-pods"),
  match: { IpamScopeId: PRIVATE },
};

/** "2 new or worse" → heading "New or worse (2):" with two lines under it. */
function expectSubjectCountsTheBody(subject: string, message: string): void {
  const counted = /\(([^()]*)\)( - partial scan)?$/.exec(subject)?.[1];
  expect(counted, subject).to.be.a("string");
  const lines = message.split("\n");
  for (const part of counted!.split(", ")) {
    const [, n, words] = /^(\d+) (.+)$/.exec(part)!;
    const heading = `${words![0]!.toUpperCase()}${words!.slice(1)} (${n}):`;
    const at = lines.indexOf(heading);
    expect(at, `"${heading}" in the body`).to.be.at.least(0);
    expect(
      lines.slice(at + 1).findIndex((l) => !l.startsWith("  ")),
      heading,
    ).to.equal(Number(n));
  }
}

describe("faults: notifications and state", function () {
  this.timeout(90_000);
  let kase: CaseResources;

  beforeEach(async () => {
    await resetFaults();
    kase = await freshCase();
    expect((await scan(kase)).code).to.equal(EXIT.ok);
  });

  afterEach(resetFaults);

  it("counts the same things in the subject and the body, in the same words", async () => {
    const [first] = await delivered(kase.topicArn);

    expect(first?.subject).to.equal("IPAM monitor: CRITICAL in 2 scopes (6 in trouble)");
    expectSubjectCountsTheBody(first!.subject, first!.message);
  });

  it("keeps a critical subnet that is no longer measured at critical, and says so once", async () => {
    await injectFaults([PODS_UNMEASURED]);

    const { code, result, metrics } = await scan(kase);

    expect(code).to.equal(EXIT.ok);
    expect(result?.complete).to.equal(true);
    expect(describeMetrics(metrics)).to.include.members([
      "CriticalCount prod-subnets 1",
      // The two unknown before, and the held one: the scope's UnknownCount alarm says that measuring stopped.
      "UnknownCount prod-subnets 3",
      "ScanSuccess 1",
    ]);
    const messages = await delivered(kase.topicArn);
    expect(messages).to.have.length(2);
    expect(messages[1]?.subject).to.equal("IPAM monitor: CRITICAL in 2 scopes (1 no longer measured)");
    expect(messages[1]?.message).to.include("no longer measured (last seen critical at 96.1%)");
    expect(messages[1]?.message).to.not.include("Improved");
    expectSubjectCountsTheBody(messages[1]!.subject, messages[1]!.message);
    expect(result?.noLongerMeasured?.map((n) => `${n.scope} ${n.resourceId} ${n.lastStatus}`)).to.deep.equal([
      `prod-subnets ${idOf("prod-pods")} critical`,
    ]);
    const state = await savedState(kase.table);
    expect(state?.scopes["prod-subnets"]?.resources[idOf("prod-pods")]).to.include({ status: "critical" });
    expect(state?.scopes["prod-subnets"]?.resources[idOf("prod-pods")]?.heldSince).to.be.a("string");

    const again = await scan(kase);

    expect(describeMetrics(again.metrics)).to.include("CriticalCount prod-subnets 1");
    expect(await delivered(kase.topicArn)).to.have.length(2);
  });

  for (const runs of [2, 4]) {
    it(`sends one notification for a change that ${runs} scans at once see`, async () => {
      await injectFaults([PODS_UNMEASURED]);

      const scans = await Promise.all(Array.from({ length: runs }, () => scan(kase)));

      expect(scans.map((s) => s.code)).to.deep.equal(Array(runs).fill(EXIT.ok));
      expect(await delivered(kase.topicArn)).to.have.length(2);
      const reasons = scans.map((s) => s.result?.notification?.reason ?? "");
      expect(reasons.filter((r) => r === "1 no longer measured")).to.have.length(1);
      for (const reason of reasons.filter((r) => r !== "1 no longer measured")) {
        expect(reason).to.match(/another scan is notifying|a concurrent scan already notified these changes/);
      }
      expect((await scan(kase)).result?.notification?.reason).to.equal("nothing changed since the last notification");
    });
  }

  it("delivers a Publish answered with a 500 after delivery at most twice, and not again", async () => {
    await injectFaults([PODS_UNMEASURED, { action: "Publish", fault: "deliver-500", times: 1 }]);

    const { code, result } = await scan(kase);

    expect(code).to.equal(EXIT.ok);
    expect(result?.notification?.sent).to.equal(true);
    expect(await delivered(kase.topicArn)).to.have.length(3);
    expect((await scan(kase)).result?.notification?.sent).to.equal(false);
    expect(await delivered(kase.topicArn)).to.have.length(3);
  });

  it("sends a notification whose publish failed with the next scan, and saves nothing before", async () => {
    await injectFaults([PODS_UNMEASURED, { action: "Publish", fault: "status", status: 500 }]);

    const failed = await scan(kase, [], { AWS_MAX_ATTEMPTS: "2" });

    expect(failed.code).to.equal(EXIT.scan);
    expect(failed.result?.notification).to.include({ sent: false, reason: "publishing to the topic failed" });
    expect((await savedState(kase.table))?.scopes["prod-subnets"]?.resources[idOf("prod-pods")]?.heldSince).to.equal(
      undefined,
    );
    await injectFaults([PODS_UNMEASURED]);

    const next = await scan(kase);

    expect(next.result?.notification?.sent).to.equal(true);
    expect(await delivered(kase.topicArn)).to.have.length(2);
  });

  it("repeats a notification whose state could not be saved once, then stays quiet", async () => {
    await injectFaults([PODS_UNMEASURED, { action: "PutItem", fault: "status", status: 500 }]);

    const unsaved = await scan(kase, [], { AWS_MAX_ATTEMPTS: "2" });

    expect(unsaved.code).to.equal(EXIT.scan);
    expect(unsaved.result?.errors.map((e) => e.action)).to.include("PutItem");
    await injectFaults([PODS_UNMEASURED]);
    await scan(kase);
    await scan(kase);

    expect(await delivered(kase.topicArn)).to.have.length(3);
  });

  it("sends nothing and fails when the saved state cannot be read, and publishes the counts", async () => {
    await injectFaults([{ action: "GetItem", fault: "status", status: 500 }]);

    const { code, result, metrics } = await scan(kase, [], { AWS_MAX_ATTEMPTS: "2" });

    expect(code).to.equal(EXIT.scan);
    expect(result?.notification).to.deep.equal({ sent: false, reason: "the last notified state could not be read" });
    expect(describeMetrics(metrics)).to.include("CriticalCount prod-subnets 1");
    expect(await delivered(kase.topicArn)).to.have.length(1);
  });

  /** A notified state of `count` resources in trouble with ids as random as real ones. */
  function troubledState(count: number): NotifiedState {
    const resources: NotifiedState["scopes"][string]["resources"] = {};
    for (let i = 0; i < count; i++) {
      resources[`subnet-${randomBytes(9).toString("hex").slice(0, 17)}`] = {
        status: i % 3 === 0 ? "warning" : "critical",
        utilization: 80 + (i % 200) / 10,
        free: BigInt(i % 40),
      };
    }
    return { scopes: { "prod-subnets": { status: "critical", resources } } };
  }

  it("saves and reads back 150,000 resources in trouble with realistic ids, in DynamoDB items", async () => {
    const store = directStore(kase.table);
    const started = process.cpuUsage();

    const lease = (await store.claim(await store.load(), 60_000)) as StateLease;
    await store.save(troubledState(150_000), lease);
    const loaded = await store.load();

    const cpu = process.cpuUsage(started);
    expect(Object.keys(loaded.state!.scopes["prod-subnets"]!.resources)).to.have.length(150_000);
    const items = await tableItemIds(kase.table);
    expect(items.length).to.be.within(3, 20);
    // For the record (CPU of this process: building, compressing and parsing; shared machine).
    console.log(`      150,000 resources: ${items.length} items, ${Math.round((cpu.user + cpu.system) / 1000)} ms CPU`);
  });

  it("takes over a sharded state and replaces it, shards and all", async () => {
    const store = directStore(kase.table);
    const lease = (await store.claim(await store.load(), 60_000)) as StateLease;
    await store.save(troubledState(30_000), lease);
    expect((await tableItemIds(kase.table)).length).to.be.above(2);

    const { code, result } = await scan(kase);

    expect(code).to.equal(EXIT.ok);
    expect(result?.notification?.sent).to.equal(true);
    expect(await tableItemIds(kase.table)).to.deep.equal(["last-notified"]);
  });
});
