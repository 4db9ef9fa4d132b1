/**
 * Unit tests of the organization benchmark's pure helpers (scripts/bench --org --smoke runs them).
 *
 *   cd lambda && npx mocha ../test/bench/org.test.mjs
 */
// @ts-check
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { largestWithin, latencyFloorMs, linearFit, minimumCalls } from "./org.mjs";
import { accountRegionNetwork, EC2_BUCKET, RESOURCES_PER_ACCOUNT_REGION } from "./org-emulator.mjs";

// chai lives in lambda/node_modules, beside the rest of the test tooling.
const requireFromLambda = createRequire(fileURLToPath(new URL("../../lambda/package.json", import.meta.url)));
/** @type {typeof import("chai")} */
const { expect } = requireFromLambda("chai");

describe("the organization benchmark", () => {
  it("fits a line through points on it exactly", () => {
    expect(linearFit([50, 500, 2000], [1050, 5550, 20550])).to.deep.equal({ a: 550, b: 10 });
  });

  it("finds the largest size within a limit, and none when even nothing fits", () => {
    expect(largestWithin({ a: 1000, b: 10 }, 2000)).to.equal(100);
    expect(largestWithin({ a: 3000, b: 10 }, 2000)).to.equal(0);
  });

  it("counts the least calls of a scan: one of each describe per account-Region, one role per member, 20 accounts a page", () => {
    expect(minimumCalls(41, 3)).to.deep.equal({
      GetCallerIdentity: 1,
      ListAccounts: 3,
      AssumeRole: 40,
      DescribeVpcs: 123,
      DescribeSubnets: 123,
      DescribeAddresses: 123,
    });
  });

  it("puts the latency floor at the sequential calls plus the pooled ones shared by the concurrency", () => {
    // 1 + 1 sequential; (1 + 3 × 2) / 7 = 1 pooled round: 3 rounds of 100 ms.
    expect(latencyFloorMs(2, 1, 100, 7)).to.equal(300);
  });

  it("serves ten resource CIDRs per account-Region, as the checks count them", () => {
    const network = accountRegionNetwork("200000000001", "eu-west-1", 1, 1);
    const items = (/** @type {string} */ xml) => (xml.match(/<item><(vpcId|subnetId|publicIp)>/g) ?? []).length;

    expect(items(network.vpcs) + items(network.subnets) + items(network.addresses)).to.equal(
      RESOURCES_PER_ACCOUNT_REGION,
    );
  });

  it("throttles EC2 as documented for non-mutating actions", () => {
    expect(EC2_BUCKET).to.deep.equal({ size: 100, refillPerSecond: 20 });
  });
});
