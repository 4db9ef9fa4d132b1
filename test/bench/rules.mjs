// @ts-check
/**
 * The benchmark's rules file: 50 scopes over the synthetic IPAM inventory
 * (test/emulator/inventory_synthetic.py), generated the same way every time.
 *
 * The scopes use every kind of match condition a platform team writes —
 * resource types, accounts, regions, tags with globs, cidrWithin, name globs,
 * address family, excludes — so evaluation cost is measured on realistic
 * predicates, not on 50 copies of the cheapest one. Three small scopes ask for
 * per-resource metrics, as a team would for a handful of critical subnets:
 * they stay small at every N, so the series count shows the per-resource cost
 * without dwarfing the per-scope series.
 *
 * Names and ids below follow the synthetic inventory's scheme: VPC v is
 * vpc-<v as 17 hex digits> named vpc-<v> with 10.<v % 256>.0.0/16, its
 * subnets are named subnet-<v>-<k>, Elastic IP i is eipalloc-<i as 17 hex
 * digits>, and every resource carries the tags cost-center (cc-00 … cc-49),
 * env, team and sometimes monitoring=off.
 */

export const SCOPE_COUNT = 50;

const ACCOUNTS = Array.from({ length: 10 }, (_, n) => `1000000000${String(n).padStart(2, "0")}`);
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];
const ENVS = ["prod", "dev", "staging"];
const TEAM_GLOBS = ["pay*", "net*", "data", "w?b", "[mn]*"];

/** @param {number} n */
const hex17 = (n) => n.toString(16).padStart(17, "0");
/** @param {number} n */
const two = (n) => String(n).padStart(2, "0");

/**
 * @typedef {{
 *   name: string;
 *   description: string;
 *   match: Record<string, unknown>;
 *   exclude?: Record<string, unknown>;
 *   thresholds?: Record<string, number>;
 *   resourceMetrics?: boolean;
 * }} BenchScope
 */

/**
 * The scopes that ask for per-resource metrics, with the resources each
 * matches at any N of 200 or more: the 8 subnets of VPC 7, VPC 11 with its 8
 * subnets, and 5 Elastic IPs.
 * @type {BenchScope[]}
 */
const RESOURCE_METRIC_SCOPES = [
  {
    name: "critical-vpc-7-subnets",
    description: "Subnets of VPC 7 by name, watched one by one",
    match: { resourceTypes: ["subnet"], names: ["subnet-7-*"] },
    resourceMetrics: true,
  },
  {
    name: "critical-vpc-11",
    description: "VPC 11 and its subnets, watched one by one",
    match: { vpcIds: [`vpc-${hex17(11)}`] },
    thresholds: { minFreeWarning: 200, minFreeCritical: 50 },
    resourceMetrics: true,
  },
  {
    name: "nat-elastic-ips",
    description: "Five Elastic IPs used for NAT, watched one by one",
    match: { resourceIds: [0, 1, 2, 3, 4].map((i) => `eipalloc-${hex17(i)}`) },
    resourceMetrics: true,
  },
];

/**
 * One of eight kinds of scope, chosen by index, so consecutive scopes differ.
 * @param {number} i
 * @returns {BenchScope}
 */
function scopeAt(i) {
  const cc = `cc-${two(i)}`;
  const account = ACCOUNTS[i % ACCOUNTS.length];
  // i >> 3 counts the scopes of one kind, so scopes of the same kind get different regions.
  const region = REGIONS[(i >> 3) % REGIONS.length];
  switch (i % 8) {
    case 0:
      return {
        name: `${cc}-subnets`,
        description: `Subnets of cost center ${cc}`,
        match: { resourceTypes: ["subnet"], tags: { "cost-center": cc } },
      };
    case 1:
      return {
        name: `vpcs-of-three-accounts-${two(i)}`,
        description: `VPCs owned by ${account} and two neighbouring accounts`,
        match: { resourceTypes: ["vpc"], accounts: [0, 1, 2].map((k) => ACCOUNTS[(i + k) % ACCOUNTS.length]) },
        thresholds: { warning: 60, critical: 80 },
      };
    case 2:
      return {
        name: `${cc}-${region}`,
        description: `Everything of ${cc} in ${region}, unless monitoring is off`,
        match: { tags: { "cost-center": cc }, regions: [region] },
        exclude: { tags: { monitoring: "off" } },
      };
    case 3:
      return {
        name: `blocks-10-${i % 20}-and-10-${(i % 20) + 100}-${two(i)}`,
        description: `Subnets inside 10.${i % 20}.0.0/16 and 10.${(i % 20) + 100}.0.0/16`,
        match: { resourceTypes: ["subnet"], cidrWithin: [`10.${i % 20}.0.0/16`, `10.${(i % 20) + 100}.0.0/16`] },
        thresholds: { minFreeWarning: 100, minFreeCritical: 20 },
      };
    case 4:
      return {
        name: `named-subnets-${two(i)}`,
        description: `Some subnets of the VPCs whose number starts with ${i % 20}`,
        match: { names: [`subnet-${i % 20}*-${i % 16 === 4 ? "[0-3]" : "[!0-3]"}`] },
        thresholds: { warning: 75, critical: 90 },
      };
    case 5:
      return {
        name: `${ENVS[i % ENVS.length]}-team-${two(i)}`,
        description: `IPv4 ${ENVS[i % ENVS.length]} resources of teams ${TEAM_GLOBS[i % TEAM_GLOBS.length]} in four accounts`,
        match: {
          tags: { env: ENVS[i % ENVS.length], team: TEAM_GLOBS[i % TEAM_GLOBS.length] },
          accounts: [0, 3, 5, 7].map((k) => ACCOUNTS[(i + k) % ACCOUNTS.length]),
          addressFamily: "ipv4",
        },
      };
    case 6:
      return {
        name: `eips-${region}-${two(i)}`,
        description: `Elastic IPs in ${region}`,
        match: { resourceTypes: ["eip"], regions: [region] },
        thresholds: { warning: 90, critical: 98 },
      };
    default:
      return {
        name: `ipv6-cost-centers-${i % 5}x-${two(i)}`,
        description: `IPv6 CIDRs of cost centers cc-${i % 5}0 to cc-${i % 5}9`,
        match: { addressFamily: "ipv6", tags: { "cost-center": `cc-${i % 5}*` } },
      };
  }
}

/** @returns {BenchScope[]} the 50 scopes, the per-resource ones last */
export function benchScopes() {
  const general = Array.from({ length: SCOPE_COUNT - RESOURCE_METRIC_SCOPES.length }, (_, i) => scopeAt(i));
  return [...general, ...RESOURCE_METRIC_SCOPES];
}

/**
 * YAML for a value made of plain objects, arrays, strings, numbers and
 * booleans. Strings are always double-quoted (JSON strings are valid YAML),
 * so account ids stay strings and globs starting with * stay globs.
 * @param {unknown} value
 * @param {number} indent
 * @returns {string}
 */
function yamlValue(value, indent) {
  const pad = " ".repeat(indent);
  if (Array.isArray(value)) return `[${value.map((v) => yamlValue(v, 0)).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    return Object.entries(value)
      .map(([k, v]) => {
        const key = /^[A-Za-z][A-Za-z0-9]*$/.test(k) ? k : JSON.stringify(k);
        return v !== null && typeof v === "object" && !Array.isArray(v)
          ? `\n${pad}${key}:${yamlValue(v, indent + 2)}`
          : `\n${pad}${key}: ${yamlValue(v, indent + 2)}`;
      })
      .join("");
  }
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** @returns {string} the rules file text */
export function benchRulesYaml() {
  const lines = [
    "# Generated by test/bench/rules.mjs for scripts/bench: 50 scopes over the synthetic IPAM inventory.",
    "version: 1",
    "defaults:",
    "  thresholds: { warning: 70, critical: 85 }",
    "scopes:",
  ];
  for (const scope of benchScopes()) {
    const { name, ...rest } = scope;
    lines.push(`  - name: ${JSON.stringify(name)}${yamlValue(rest, 4)}`);
  }
  return `${lines.join("\n")}\n`;
}
