// @ts-check
/**
 * Unit tests of the benchmark's pure helpers. The benchmark as a whole is
 * tested by `scripts/bench --smoke`.
 *
 *   cd lambda && npx mocha ../test/bench/bench.test.mjs
 */

import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

import { hotspots, moduleShares } from "./profile.mjs";
import { benchRulesYaml, benchScopes, SCOPE_COUNT } from "./rules.mjs";
import { formatSpread, markdownTable, spread } from "./summary.mjs";

// chai lives in lambda/node_modules, beside the rest of the test tooling.
const requireFromLambda = createRequire(fileURLToPath(new URL("../../lambda/package.json", import.meta.url)));
/** @type {typeof import("chai")} */
const { expect } = requireFromLambda("chai");
/** @type {typeof import("../../lambda/src/rules/load.js")} (tsx, which mocha loads, compiles it) */
const { parseRules } = requireFromLambda("./src/rules/load");

describe("spread", () => {
  it("takes the middle run as the median of an odd number of runs", () => {
    const result = spread([30, 10, 20]);

    expect(result).to.deep.equal({ median: 20, min: 10, max: 30, runs: [30, 10, 20] });
  });

  it("takes the mean of the middle two runs as the median of an even number of runs", () => {
    const result = spread([4, 1, 3, 2]);

    expect(result.median).to.equal(2.5);
  });

  it("refuses an empty list instead of reporting NaN", () => {
    expect(() => spread([])).to.throw(RangeError);
  });
});

describe("formatSpread", () => {
  it("shows the median with the range of the runs", () => {
    expect(formatSpread(spread([1200, 1000, 1100]), 0)).to.equal("1,100 (1,000–1,200)");
  });

  it("shows a single run without a range", () => {
    expect(formatSpread(spread([1.5]), 2)).to.equal("1.50");
  });
});

describe("markdownTable", () => {
  it("aligns the first column left and the others right", () => {
    const table = markdownTable(["figure", "N = 1"], [["calls", "2"]]);

    expect(table.split("\n")).to.deep.equal(["| figure | N = 1 |", "|--------|------:|", "| calls  |     2 |"]);
  });
});

describe("benchRulesYaml", () => {
  it("generates the same text every time", () => {
    expect(benchRulesYaml()).to.equal(benchRulesYaml());
  });

  it("is a valid rules file with 50 uniquely named scopes", () => {
    const rules = parseRules(benchRulesYaml(), "bench-rules.yaml");

    expect(rules.scopes).to.have.length(SCOPE_COUNT);
    expect(new Set(rules.scopes.map((s) => s.name)).size).to.equal(SCOPE_COUNT);
  });

  it("asks for per-resource metrics only in its three small scopes", () => {
    const withResourceMetrics = benchScopes()
      .filter((s) => s.resourceMetrics === true)
      .map((s) => s.name);

    expect(withResourceMetrics).to.deep.equal(["critical-vpc-7-subnets", "critical-vpc-11", "nat-elastic-ips"]);
  });
});

/** A profile of two functions: `parse` in the SDK's part of the bundle and `evaluate` in ours. */
function sampleProfile() {
  return {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [2, 3, 4] },
      { id: 2, callFrame: { functionName: "parse", url: "file:///tmp/build/lambda/index.js", lineNumber: 2 } },
      { id: 3, callFrame: { functionName: "evaluate", url: "file:///tmp/build/lambda/index.js", lineNumber: 5 } },
      { id: 4, callFrame: { functionName: "(garbage collector)", url: "", lineNumber: -1 } },
    ],
    samples: [2, 2, 3, 4],
    timeDeltas: [3000, 3000, 2500, 1500],
  };
}

const SAMPLE_BUNDLE = [
  "// node_modules/@aws-sdk/xml-builder/dist-es/xml-parser.js",
  "function parse() {",
  "  return 1;",
  "}",
  "// src/evaluate.ts",
  "function evaluate() {}",
].join("\n");

describe("hotspots", () => {
  it("ranks functions by their own time with their share of the samples", () => {
    const list = hotspots(sampleProfile(), 2);

    expect(list).to.deep.equal([
      { name: "parse", where: "lambda/index.js:3", selfMs: 6, share: 0.6 },
      { name: "evaluate", where: "lambda/index.js:6", selfMs: 2.5, share: 0.25 },
    ]);
  });
});

describe("moduleShares", () => {
  it("charges each sample to the bundled module its line belongs to", () => {
    const shares = moduleShares(sampleProfile(), "/tmp/build/lambda/index.js", SAMPLE_BUNDLE);

    expect(shares.map((s) => [s.module, s.selfMs])).to.deep.equal([
      ["@aws-sdk/xml-builder", 6],
      ["src/evaluate.ts", 2.5],
      ["(garbage collector)", 1.5],
    ]);
  });
});

describe("capacity benchmark", () => {
  it("expects one reservation call per subnet and interface pages per batch of 200 VPCs", async () => {
    const { expectedCapacityCalls } = await import("./capacity.mjs");

    // 2,000 subnets = 250 VPCs: batches of 200 and 50 VPCs holding 40,000 and 10,000 interfaces.
    expect(expectedCapacityCalls(2000, 50_000)).to.deep.equal({
      DescribeNetworkInterfaces: 50,
      GetSubnetCidrReservations: 2000,
    });
    // A batch without interfaces still takes one call.
    expect(expectedCapacityCalls(8, 0)).to.deep.equal({ DescribeNetworkInterfaces: 1, GetSubnetCidrReservations: 8 });
  });

  it("writes valid rules with and without capacity", async () => {
    const { capacityRulesYaml } = await import("./capacity.mjs");

    expect(parseRules(capacityRulesYaml(true), "capacity.yaml").scopes[0]?.capacity).to.equal(true);
    expect(parseRules(capacityRulesYaml(false), "plain.yaml").scopes[0]?.capacity).to.equal(undefined);
  });
});
