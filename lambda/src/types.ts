/**
 * The shapes that flow between the scanner's stages:
 * collect → measure → rules → evaluate → publish/result.
 * Every stage is a pure function of these types except collect and publish.
 */

import type { ForecastSettings, ResourceForecast } from "./forecast/forecast";

export type AddressFamily = "ipv4" | "ipv6";

/** Where the facts came from. */
export type SourceName = "ipam" | "ec2";

/** Worst first: the order used for sorting and for "worst status". */
export const STATUSES = ["critical", "warning", "unknown", "ok"] as const;
export type Status = (typeof STATUSES)[number];

/** IPAM-only facts, kept as the API returned them. */
export interface IpamFacts {
  ipamId?: string;
  ipamScopeId?: string;
  ipamPoolId?: string;
  /** IpUsage as returned (0..1); undefined when IPAM gives none (IPv6 subnets). */
  ipUsage?: number;
  managementState?: string;
  complianceStatus?: string;
  overlapStatus?: string;
}

/** EC2-source facts: how much room a VPC CIDR block still has for new subnets. */
export interface RoomForSubnets {
  /** Prefix length of the largest free aligned block, undefined when the block is full. */
  largestFreePrefix?: number;
  freeSlash24: number;
  freeSlash28: number;
  /** IPv6 blocks only: free aligned /64 blocks, the size of an IPv6 subnet. */
  freeSlash64?: number;
}

/** A network interface whose addresses keep /28 prefixes of a subnet from being delegated. */
export interface Blocker {
  networkInterfaceId: string;
  description?: string;
  /** interface, lambda, nat_gateway, vpc_endpoint, … as EC2 names it. */
  interfaceType?: string;
  /** The service or account that created a requester-managed interface. */
  requesterId?: string;
  /** The instance it is attached to. */
  instanceId?: string;
  /** Aligned /28 blocks that would become free if its addresses were released (it is their only occupant). */
  blocksFreed: number;
  /** Aligned /28 blocks it holds an address or prefix in (those AWS or an explicit reservation keep anyway left out). */
  blocksBlocked: number;
}

/**
 * Allocatable capacity of an IPv4 subnet, measured from its network interfaces and CIDR
 * reservations for scopes with `capacity: true` (capacity/blocks.ts).
 */
export interface SubnetCapacity {
  /** Aligned /28 blocks with no address in use, AWS-reserved or explicitly reserved: what EKS prefix delegation can still take. */
  freePrefixes: number;
  /** Free addresses automatic assignment can take: outside every reservation; never more than `free`. */
  assignableAddresses: number;
  /** Prefix length of the largest aligned free block; undefined when none is free. */
  largestFreeBlock?: number;
  /** Interfaces blocking the most /28 blocks, most blocks freed first (at most capacity/blockers MAX_BLOCKERS). */
  blockers: Blocker[];
}

/** One CIDR of one resource, measured. A VPC with a secondary CIDR is two of these. */
export interface ResourceCidr {
  source: SourceName;
  resourceId: string;
  /** As the API names it: vpc | subnet | eip | public-ipv4-pool | ipv6-pool | anything newer. */
  resourceType: string;
  /** Resource name (IPAM ResourceName, else the Name tag). */
  name?: string;
  cidr: string;
  addressFamily: AddressFamily;
  ownerId?: string;
  region?: string;
  vpcId?: string;
  availabilityZoneId?: string;
  /** Zone name (us-east-1a); names map to zones differently in each account, the id does not. EC2 source only. */
  availabilityZone?: string;
  tags: Record<string, string>;
  /** Addresses in the CIDR (2^(32|128 − prefix)). */
  size: bigint;
  /** Addresses a workload can use: size − 5 for IPv4 subnets (AWS reserves five), else size. */
  usable: bigint;
  /** Addresses in use; undefined when the source reports no usage. */
  used?: bigint;
  /** usable − used; undefined when used is. */
  free?: bigint;
  /** Percent 0..100 (IpUsage × 100); undefined when the source reports no usage. Never NaN. */
  utilization?: number;
  ipam?: IpamFacts;
  room?: RoomForSubnets;
  /** Growth and time to full from the scan history; set only when a history is configured. */
  forecast?: ResourceForecast;
  /** IPv4 subnets of scopes with `capacity: true`, when their interfaces and reservations could be read. */
  capacity?: SubnetCapacity;
  /** Why an IPv4 subnet of a scope with `capacity: true` has no `capacity`: its facts could not be read. */
  capacityUnknown?: string;
}

/** Thresholds in effect for a scope after defaults are merged in field by field. */
export interface Thresholds {
  /** Percent used at or above which a resource is at warning. */
  warning?: number;
  /** Percent used at or above which a resource is critical. */
  critical?: number;
  /** Fewer free addresses than this is a warning. */
  minFreeWarning?: number;
  /** Fewer free addresses than this is critical. */
  minFreeCritical?: number;
  /** Percent used below which a resource is at warning: an idle address, an oversized VPC. */
  minUtilizationWarning?: number;
  /** Percent used below which a resource is critical. */
  minUtilizationCritical?: number;
  /** Forecast days until full below which a resource is at warning (needs a scan history). */
  daysToFullWarning?: number;
  /** Forecast days until full below which a resource is critical (needs a scan history). */
  daysToFullCritical?: number;
  /** Fewer free aligned /28 blocks than this is a warning (IPv4 subnets of scopes with `capacity: true`). */
  minFreePrefixesWarning?: number;
  /** Fewer free aligned /28 blocks than this is critical. */
  minFreePrefixesCritical?: number;
  /** Fewer addresses automatic assignment can take than this is a warning (scopes with `capacity: true`). */
  minAssignableWarning?: number;
  /** Fewer assignable addresses than this is critical. */
  minAssignableCritical?: number;
  /** A zone whose IPv4 subnets of the scope have fewer free addresses in all than this is at warning. */
  minZoneFreeWarning?: number;
  /** A zone with fewer free addresses in all than this is critical. */
  minZoneFreeCritical?: number;
}

/** Every threshold field; `satisfies` makes the compiler flag a field added to Thresholds but not here. */
const THRESHOLD_FIELDS = {
  warning: true,
  critical: true,
  minFreeWarning: true,
  minFreeCritical: true,
  minUtilizationWarning: true,
  minUtilizationCritical: true,
  daysToFullWarning: true,
  daysToFullCritical: true,
  minFreePrefixesWarning: true,
  minFreePrefixesCritical: true,
  minAssignableWarning: true,
  minAssignableCritical: true,
  minZoneFreeWarning: true,
  minZoneFreeCritical: true,
} as const satisfies Record<keyof Thresholds, true>;

export type ThresholdKey = keyof typeof THRESHOLD_FIELDS;
export const THRESHOLD_KEYS: readonly ThresholdKey[] = Object.keys(THRESHOLD_FIELDS) as ThresholdKey[];

/** Match conditions: every given condition must hold; items in a list are alternatives. */
export interface MatchSpec {
  resourceTypes?: string[];
  accounts?: string[];
  regions?: string[];
  vpcIds?: string[];
  resourceIds?: string[];
  cidrWithin?: string[];
  names?: string[];
  /** Tag key → value glob, or a list of alternative globs. */
  tags?: Record<string, string | string[]>;
  addressFamily?: AddressFamily;
}

export interface ScopeRule {
  name: string;
  description?: string;
  match: MatchSpec;
  exclude?: MatchSpec;
  thresholds: Thresholds;
  /** Threshold fields the scope switched off (`warning: null`): not inherited from defaults. */
  thresholdsOff?: ThresholdKey[];
  resourceMetrics: boolean;
  /** Measure the allocatable capacity of the scope's IPv4 subnets (reads their interfaces and reservations). */
  capacity?: boolean;
}

export interface RulesFile {
  version: 1;
  /** Path the rules were read from, for messages. */
  file: string;
  defaults: { thresholds: Thresholds };
  scopes: ScopeRule[];
  /** How much history a forecast needs and how far it looks; defaults when absent. */
  forecast?: ForecastSettings;
}

/** Which threshold put a resource at its status. */
export interface Breach {
  level: "warning" | "critical";
  kind: "utilization" | "minFree" | "minUtilization" | "daysToFull" | "minFreePrefixes" | "minAssignable";
  /**
   * Actual value: percent for utilization and minUtilization, addresses for minFree and minAssignable,
   * days for daysToFull, /28 blocks for minFreePrefixes.
   */
  actual: number | bigint;
  /** The limit it reached: percent, or the minimum free addresses. */
  limit: number;
}

/**
 * A level kept from a resource's last measurement because its usage is no longer reported: unknown
 * never counts as better (hold.ts).
 */
export interface HeldLevel {
  status: "warning" | "critical";
  /** ISO time of the first scan that no longer measured it. */
  since: string;
  /** What it was last measured at. */
  utilization?: number;
  free?: bigint;
}

export interface ResourceEvaluation {
  scope: string;
  resource: ResourceCidr;
  status: Status;
  /** Plain-words reason, e.g. "utilization 91.2% ≥ critical 85%". */
  reason: string;
  breach?: Breach;
  /** The days-to-full level the resource is at in this scope (remembered for hysteresis), if any. */
  forecastLevel?: "warning" | "critical";
  /** Present when `status` is held from the last measurement. */
  held?: HeldLevel;
}

/**
 * The IPv4 subnets of one scope in one Availability Zone: autoscalers fill zones unevenly, so a
 * scope-wide minimum hides the zone that runs out first.
 */
export interface ZoneSummary {
  availabilityZoneId: string;
  /** When every subnet of the zone names it the same (the EC2 source). */
  availabilityZone?: string;
  /** IPv4 subnets of the scope in the zone. */
  resourceCount: number;
  /** Free addresses summed over those subnets whose free count is known. */
  freeAddresses: bigint;
  /** Subnets whose free count is unknown: the sum is then a lower bound. */
  unknownFree: number;
  /** Free /28 blocks summed, for scopes that measure capacity when every subnet of the zone was measured. */
  freePrefixes?: number;
  /** From minZoneFreeWarning/minZoneFreeCritical: warning or critical is a zone in trouble. */
  status: Status;
  /** Plain words, e.g. "120 free addresses < warning minimum 512". */
  reason: string;
}

export interface ScopeResult {
  name: string;
  description?: string;
  thresholds: Thresholds;
  resourceMetrics: boolean;
  resourceCount: number;
  counts: Record<Status, number>;
  /**
   * Highest utilization among resources of more than one address with a known one; undefined when
   * none. Single addresses (usable = 1, e.g. Elastic IPs) are left out: they never run out.
   */
  maxUtilization?: number;
  /** Lowest free addresses among resources of more than one address with a known count; undefined when none. */
  minFree?: bigint;
  /** Fewest forecast days until a resource of the scope is full; undefined when no resource has a date. */
  minDaysToFull?: number;
  /** Sum of the forecast growth of the scope's resources, addresses per day; undefined without forecasts. */
  growthPerDay?: number;
  /** The scope measures the capacity of its IPv4 subnets (`capacity: true`). */
  capacity?: boolean;
  /** Fewest free /28 blocks among its IPv4 subnets; undefined unless every one was measured. */
  minFreePrefixes?: number;
  /** Fewest assignable addresses among its IPv4 subnets; undefined unless every one was measured. */
  minAssignable?: number;
  /** Its IPv4 subnets per Availability Zone, poorest first; absent when it has none with a zone. */
  zones?: ZoneSummary[];
  /**
   * Free addresses of the poorest zone, for scopes that set minZoneFree* or measure capacity;
   * undefined when a zone's sum is incomplete.
   */
  minZoneFree?: bigint;
  /** Worst status in the scope (ok when empty). */
  status: Status;
  /** Every resource the scope matched, worst first. */
  evaluations: ResourceEvaluation[];
}

/** A failure in one part of a scan that did not stop the rest. */
export interface ScanFailure {
  /** What failed: "ipam-scope ipam-scope-0abc", "region eu-west-1", … */
  target: string;
  /** API action that failed, e.g. "GetIpamResourceCidrs". */
  action?: string;
  /**
   * Error code from the API, e.g. "AccessDenied", "RequestLimitExceeded", or the scanner's own:
   * "MalformedResponse", "PaginationLoop", "PageCeiling", "ImplausibleDrop", "ScanTimeout".
   */
  code?: string;
  message: string;
  /** Key of the collection unit whose resources the failure leaves out; absent when it is not one unit's (publishing). */
  unit?: string;
}

/**
 * A part of the inventory that one source reads as a whole: an IPAM scope, an EC2 region (and, for
 * several accounts, an account-region). Completeness, the plausibility of its resource count and the
 * page ceiling of its paginations are judged per unit.
 */
export interface CollectionUnit {
  /**
   * Stable key, kept with the saved state between scans: "ipam-scope/ipam-scope-0abc",
   * "ec2/eu-west-1", "ec2/111122223333/eu-west-1".
   */
  key: string;
  source: SourceName;
  /** What the unit can hold, so a failure can be matched against the scopes it could affect. */
  ipamId?: string;
  ipamScopeId?: string;
  account?: string;
  region?: string;
}

/** What one unit returned in one scan. */
export interface UnitReport {
  unit: CollectionUnit;
  /** Distinct resource CIDRs (resource id and CIDR) the unit returned; a repeat on a later page counts once. */
  resources: number;
  /** Pages read over all of the unit's paginations. */
  pages: number;
  /** Every call of the unit succeeded and every pagination reached its last page. */
  complete: boolean;
}

export interface CollectResult {
  resources: ResourceCidr[];
  /** Failures that left the collection partial. Empty means complete. */
  failures: ScanFailure[];
  /** One report per unit the collection read or tried to read. */
  units: UnitReport[];
}

export interface Evaluation {
  scopes: ScopeResult[];
  /** Names of scopes that matched no resource. */
  scopesWithoutMatches: string[];
  /** Resources no scope covers. */
  uncovered: ResourceCidr[];
}
