import { expect } from "chai";
import { ec2RegionUnit } from "../src/collect/ec2";
import { isScopeComplete, scopeCompleteness } from "../src/scope-completeness";
import type { CollectionUnit, MatchSpec, ScanFailure, ScopeRule, UnitReport } from "../src/types";

const PAYMENTS = "222222222222";
const DATA = "333333333333";
const SANDBOX = "444444444444";
const NETWORK = "555555555555";

function scope(name: string, match: MatchSpec, exclude?: MatchSpec): ScopeRule {
  return { name, match, ...(exclude !== undefined ? { exclude } : {}), thresholds: {}, resourceMetrics: false };
}

function report(unit: CollectionUnit, complete: boolean): UnitReport {
  return { unit, resources: complete ? 3 : 0, pages: complete ? 3 : 0, complete };
}

/** Every account in every Region, complete except the listed account-Regions (each with a failure naming it). */
function scanOf(
  accounts: readonly string[],
  regions: readonly string[],
  failed: ReadonlyArray<[string, string]>,
): { units: UnitReport[]; failures: ScanFailure[] } {
  const units: UnitReport[] = [];
  const failures: ScanFailure[] = [];
  for (const account of accounts) {
    for (const region of regions) {
      const unit = ec2RegionUnit(region, account);
      const isFailed = failed.some(([a, r]) => a === account && r === region);
      units.push(report(unit, !isFailed));
      if (isFailed) {
        failures.push({
          target: `account ${account} region ${region}`,
          action: "AssumeRole",
          code: "AccessDenied",
          message: "denied",
          unit: unit.key,
        });
      }
    }
  }
  return { units, failures };
}

function incomplete(scopes: ScopeRule[], scan: { units: UnitReport[]; failures: ScanFailure[] }): string[] {
  return [...scopeCompleteness(scopes, scan.units, scan.failures).incomplete].sort();
}

const REGIONS = ["us-east-1", "eu-west-1"];
const ALL = [PAYMENTS, DATA, SANDBOX, NETWORK];

describe("scopeCompleteness", () => {
  it("leaves complete the scopes whose match.accounts leaves out the denied account", () => {
    const scan = scanOf(ALL, REGIONS, [
      [SANDBOX, "us-east-1"],
      [SANDBOX, "eu-west-1"],
    ]);
    const scopes = [
      scope("payments", { accounts: [PAYMENTS] }),
      scope("data-and-payments", { accounts: [DATA, PAYMENTS] }),
      scope("sandbox", { accounts: [SANDBOX] }),
      scope("everything", {}),
    ];

    expect(incomplete(scopes, scan)).to.deep.equal(["everything", "sandbox"]);
  });

  it("leaves complete the scopes whose match.regions leaves out the failed Region", () => {
    const scan = scanOf(ALL, REGIONS, [[DATA, "eu-west-1"]]);
    const scopes = [
      scope("us", { regions: ["us-east-1"] }),
      scope("eu", { regions: ["eu-west-1"] }),
      scope("data-us", { accounts: [DATA], regions: ["us-east-1"] }),
      scope("data", { accounts: [DATA] }),
    ];

    expect(incomplete(scopes, scan)).to.deep.equal(["data", "eu"]);
  });

  it("leaves complete a scope whose exclude names only the failed Region", () => {
    const scan = scanOf(ALL, REGIONS, [[DATA, "eu-west-1"]]);
    const scopes = [
      scope("not-eu", {}, { regions: ["eu-west-1"] }),
      scope("not-eu-vpcs", { resourceTypes: ["vpc"] }, { regions: ["eu-west-1"] }),
      scope("not-eu-prod", {}, { regions: ["eu-west-1"], tags: { env: "prod" } }),
    ];

    expect(incomplete(scopes, scan)).to.deep.equal(["not-eu-prod"]);
  });

  it("keeps partial a scope that excludes the failed account but lists no accounts: a VPC shared with it may belong to an account outside the scan", () => {
    const scan = scanOf(ALL, REGIONS, [[SANDBOX, "us-east-1"]]);

    expect(incomplete([scope("all-but-sandbox", {}, { accounts: [SANDBOX] })], scan)).to.deep.equal([
      "all-but-sandbox",
    ]);
  });

  it("leaves complete a scope whose listed accounts, less its excluded ones, leave out the failed account", () => {
    const scan = scanOf(ALL, REGIONS, [[SANDBOX, "us-east-1"]]);
    const scopes = [
      scope("listed-less-sandbox", { accounts: [PAYMENTS, SANDBOX] }, { accounts: [SANDBOX] }),
      scope(
        "sandbox-only-excluded-in-eu",
        { accounts: [PAYMENTS, SANDBOX] },
        { accounts: [SANDBOX], regions: ["eu-west-1"] },
      ),
    ];

    expect(incomplete(scopes, scan)).to.deep.equal(["sandbox-only-excluded-in-eu"]);
  });

  it("keeps partial a scope of an account that was not read in the failed Region: its shared subnets may show only there", () => {
    // NETWORK shares a VPC with SANDBOX, but the scan read only PAYMENTS and SANDBOX.
    const scan = scanOf([PAYMENTS, SANDBOX], REGIONS, [[SANDBOX, "us-east-1"]]);
    const scopes = [scope("network", { accounts: [NETWORK] }), scope("payments", { accounts: [PAYMENTS] })];

    expect(incomplete(scopes, scan)).to.deep.equal(["network"]);
  });

  it("keeps partial a scope of an account whose own read failed in another unit of the Region", () => {
    const scan = scanOf(ALL, REGIONS, [
      [SANDBOX, "us-east-1"],
      [NETWORK, "us-east-1"],
    ]);

    expect(incomplete([scope("network", { accounts: [NETWORK] })], scan)).to.deep.equal(["network"]);
  });

  it("judges a unit the plausibility gate held back like a failed one", () => {
    const scan = scanOf(ALL, REGIONS, []);
    const held = scan.units.find((u) => u.unit.key === `ec2/${DATA}/us-east-1`);
    if (held === undefined) throw new Error("fixture: no unit for DATA in us-east-1");
    held.complete = false;

    expect(
      incomplete([scope("data", { accounts: [DATA] }), scope("payments", { accounts: [PAYMENTS] })], scan),
    ).to.deep.equal(["data"]);
  });

  it("makes every scope partial when a failure names no unit", () => {
    const scan = scanOf(ALL, REGIONS, []);
    const failures: ScanFailure[] = [
      { target: "organization", action: "ListAccounts", code: "Throttling", message: "slow down" },
    ];

    const result = scopeCompleteness(
      [scope("payments", { accounts: [PAYMENTS], regions: ["us-east-1"] })],
      scan.units,
      failures,
    );

    expect(result).to.deep.equal({ incomplete: new Set(["payments"]), everyScope: true });
  });

  it("makes every scope partial when a failure names a unit the scan did not report", () => {
    const scan = scanOf(ALL, REGIONS, []);
    const failures: ScanFailure[] = [
      {
        target: "x",
        action: "DescribeSubnets",
        code: "Throttling",
        message: "slow down",
        unit: "ec2/999999999999/us-east-1",
      },
    ];

    expect(scopeCompleteness([scope("payments", { accounts: [PAYMENTS] })], scan.units, failures).everyScope).to.equal(
      true,
    );
  });

  it("makes every scope partial when an IPAM scope, which holds every account and Region, failed", () => {
    const unit: CollectionUnit = { key: "ipam-scope/ipam-scope-0a", source: "ipam", ipamScopeId: "ipam-scope-0a" };

    const result = scopeCompleteness(
      [scope("payments", { accounts: [PAYMENTS], regions: ["us-east-1"] })],
      [report(unit, false)],
      [],
    );

    expect(result.incomplete).to.deep.equal(new Set(["payments"]));
    expect(result.everyScope).to.equal(true);
  });

  it("judges a Region of the scanner's own account, which names no account, by its Region alone", () => {
    const units = [report(ec2RegionUnit("us-east-1"), true), report(ec2RegionUnit("eu-west-1"), false)];
    const scopes = [
      scope("us", { regions: ["us-east-1"] }),
      scope("payments-eu", { accounts: [PAYMENTS], regions: ["eu-west-1"] }),
    ];

    expect([...scopeCompleteness(scopes, units, []).incomplete]).to.deep.equal(["payments-eu"]);
  });

  it("leaves every scope complete when nothing failed", () => {
    const scan = scanOf(ALL, REGIONS, []);

    expect(incomplete([scope("everything", {})], scan)).to.deep.equal([]);
  });
});

describe("isScopeComplete", () => {
  it("is true for every scope of a complete scan", () => {
    expect(isScopeComplete("payments", { complete: true, incompleteScopes: new Set(["payments"]) })).to.equal(true);
  });

  it("is true after a partial scan only for scopes known to be out of reach of what failed", () => {
    const options = { complete: false, incompleteScopes: new Set(["sandbox"]) };

    expect(isScopeComplete("payments", options)).to.equal(true);
    expect(isScopeComplete("sandbox", options)).to.equal(false);
  });

  it("is false after a partial scan that did not judge its scopes", () => {
    expect(isScopeComplete("payments", { complete: false })).to.equal(false);
  });
});
