/**
 * Faults of the capacity reads (scopes with `capacity: true`): the interfaces or the CIDR
 * reservations of the opted-in subnets cannot be read. The subnets then have no capacity figures:
 * the scan is partial, `MinFreePrefixes` is not published (an unread subnet must never make the
 * minimum look better), and nothing is reported as recovered.
 */
import { join } from "node:path";
import { expect } from "chai";
import {
  type CaseResources,
  delivered,
  describeMetrics,
  freshCase,
  idOf,
  injectFaults,
  resetFaults,
  savedState,
  scan,
} from "./harness";

const EXIT = { ok: 0, scan: 3 } as const;
const RULES = join(__dirname, "capacity-rules.yaml");

describe("faults: capacity reads", function () {
  this.timeout(60_000);
  let kase: CaseResources;

  beforeEach(async () => {
    await resetFaults();
    kase = await freshCase();
    const first = await scan(kase, [], {}, RULES);
    expect(first.code, first.err).to.equal(EXIT.ok);
    expect(first.result?.complete).to.equal(true);
    expect(describeMetrics(first.metrics)).to.include.members([
      "CriticalCount eks-nodes 1",
      "MinFreePrefixes eks-nodes 0",
      "ScanSuccess 1",
    ]);
    expect(await delivered(kase.topicArn)).to.have.length(1);
  });

  afterEach(resetFaults);

  for (const [action, fault, code] of [
    [
      "DescribeNetworkInterfaces",
      { fault: "status", status: 403, code: "UnauthorizedOperation" },
      "UnauthorizedOperation",
    ],
    ["GetSubnetCidrReservations", { fault: "throttle" }, "RequestLimitExceeded"],
  ] as const) {
    it(`${action} answered ${code}: partial, no MinFreePrefixes, the critical subnet not recovered`, async () => {
      await injectFaults([{ action, ...fault }]);

      const { code: exit, result, metrics } = await scan(kase, [], { AWS_MAX_ATTEMPTS: "2" }, RULES);

      expect(exit).to.equal(EXIT.scan);
      expect(result?.complete).to.equal(false);
      expect(result?.errors.map((e) => `${e.code} ${e.action}`)).to.include(`${code} ${action}`);
      const published = describeMetrics(metrics);
      expect(
        published.filter((m) => m.startsWith("MinFreePrefixes ")),
        published.join("; "),
      ).to.deep.equal([]);
      // The critical subnet keeps its level (held, not lowered); both unread subnets count as unknown.
      expect(published).to.include.members(["CriticalCount eks-nodes 1", "UnknownCount eks-nodes 2"]);
      expect(published).to.not.include("ScanSuccess 1");
      expect(
        published.filter((m) => / 0$/.test(m) && /Count /.test(m)),
        published.join("; "),
      ).to.deep.equal([]);
      const messages = await delivered(kase.topicArn);
      expect(messages.map((m) => m.message).join("\n")).to.not.match(/recover/i);
      expect(messages.at(-1)?.subject).to.match(/1 no longer measured\) - partial scan$/);
      const state = await savedState(kase.table);
      expect(Object.keys(state?.scopes["eks-nodes"]?.resources ?? {})).to.include(idOf("eks-nodes-a"));
    });
  }
});
