/** Resources and rules for the history, forecast and preview tests: IPv4 /24 subnets (251 usable) and friends. */
import { measureUsage } from "../../src/measure";
import type { ResourceCidr, RulesFile, ScopeRule, Thresholds } from "../../src/types";

export const ACCOUNT = "111122223333";

/** A /24 subnet with `used` of its 251 usable addresses in use (undefined: usage unknown). */
export function subnet(
  id: string,
  used: number | undefined,
  overrides: Partial<ResourceCidr> = {},
  cidr = "10.0.1.0/24",
): ResourceCidr {
  const measured = measureUsage({ resourceType: "subnet", cidr, ipUsage: used === undefined ? undefined : used / 251 });
  return {
    source: "ipam",
    resourceId: id,
    resourceType: "subnet",
    name: `app-${id.slice(-2)}`,
    cidr,
    ownerId: ACCOUNT,
    region: "eu-west-1",
    vpcId: "vpc-0123456789abcdef0",
    availabilityZoneId: "euw1-az1",
    tags: { Name: `app-${id.slice(-2)}`, env: "prod" },
    ...measured,
    ...overrides,
  };
}

export function scope(name: string, thresholds: Thresholds, match: ScopeRule["match"] = {}): ScopeRule {
  return { name, match, thresholds, resourceMetrics: false };
}

export function rules(scopes: ScopeRule[], defaults: Thresholds = {}): RulesFile {
  return { version: 1, file: "rules.yaml", defaults: { thresholds: defaults }, scopes };
}
