/**
 * Settings for one scan, read from environment variables (Lambda) or CLI flags.
 * Every invalid value stops the run at start with a ConfigError naming the variable:
 * a misconfigured monitor must fail loudly, not scan with defaults.
 */
import { ConfigError } from "./errors";
import { parseHistoryLocation } from "./history/store";
import type { SourceName } from "./types";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type ScopeType = "private" | "public";
export type RetryMode = "standard" | "adaptive";

/** The EC2 source across accounts: which accounts, and how to get into them. */
export interface CrossAccountConfig {
  /** Exactly these accounts (ACCOUNTS); undefined with `organization`. */
  accounts?: string[];
  /** Every ACTIVE account of the organization (ORGANIZATION=true). */
  organization: boolean;
  /** Only the accounts in these OUs and the OUs below them (ORGANIZATIONAL_UNITS). */
  organizationalUnits?: string[];
  /** The role assumed in each member account (MEMBER_ROLE_NAME). */
  memberRoleName: string;
  /** Passed to AssumeRole when the member roles require one (MEMBER_ROLE_EXTERNAL_ID). */
  externalId?: string;
  /** Account-Regions read at once (ACCOUNT_REGION_CONCURRENCY). */
  concurrency: number;
}

export interface Config {
  rulesFile: string;
  source: SourceName;
  /** Region of the IPAM to scan (IPAM source): IPAM_REGION, else the home region. */
  ipamRegion: string;
  /**
   * Region where the metrics and the state table live, and the topic unless its ARN names another:
   * the function's own region (AWS_REGION, else AWS_DEFAULT_REGION), else the IPAM region for a CLI
   * run with no region configured.
   */
  homeRegion: string;
  ipamId?: string;
  scopeTypes: ScopeType[];
  resourceTypes?: string[];
  regions: string[];
  regionConcurrency: number;
  metricsNamespace: string;
  snsTopicArn?: string;
  stateTable?: string;
  dryRun: boolean;
  logLevel: LogLevel;
  maxAttempts: number;
  retryMode: RetryMode;
  /** Set when the EC2 source reads other accounts than the scanner's own. */
  crossAccount?: CrossAccountConfig;
  /** Connect timeout of every SDK client, ms. */
  connectTimeoutMs: number;
  /** Response timeout of every SDK client, ms: an attempt with no complete answer by then is retried. */
  responseTimeoutMs: number;
  /** Wall clock for collecting, seconds; then what is safe is published and the scan ends as partial. */
  scanTimeoutSeconds: number;
  /** Wall clock for publishing after collecting, seconds: metrics, the notification, the state. */
  publishTimeoutSeconds: number;
  /** The plausibility gate (collect/plausibility.ts). */
  plausibility: { maxDropPercent: number; confirmations: number };
  /** Page ceiling per unit: max(min, factor × pages of the unit's last complete scan). */
  pageCeiling: { min: number; factor: number };
  /** Hours a resource that was warning or critical and is now unknown keeps its last level; 0 = never. */
  unknownHoldHours: number;
  /** Scan history: a directory or s3://bucket/prefix/ (HISTORY_URI); forecasts need it. */
  historyUri?: string;
  /** Set when the scan runs on Step Functions (FAN_OUT): how to choose, and where the steps meet. */
  fanOut?: FanOutConfig;
}

export interface FanOutConfig {
  /** "auto": one invocation up to the measured size, shards above it; "step-functions": always shards. */
  mode: "auto" | "step-functions";
  /** The S3 bucket where the steps leave shard plans and inventories (SCAN_BUCKET). */
  bucket: string;
}

/** Defaults of the failure-handling settings; README "Failure semantics" states them. */
export const FAILURE_DEFAULTS = {
  connectTimeoutMs: 5000,
  responseTimeoutMs: 30_000,
  scanTimeoutSeconds: 480,
  publishTimeoutSeconds: 60,
  maxDropPercent: 50,
  confirmations: 2,
  pageCeilingMin: 1000,
  pageCeilingFactor: 10,
  unknownHoldHours: 24,
} as const;

export const DEFAULT_MEMBER_ROLE_NAME = "ipam-monitor-member";
export const DEFAULT_ACCOUNT_REGION_CONCURRENCY = 16;

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const IPAM_ID = /^ipam-[0-9a-f]{8,17}$/;
// Standard topics only: CloudWatch alarms cannot publish to FIFO topics, and the notification sets no message group.
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
// CloudWatch rejects namespaces starting with "AWS/" and characters outside this set.
const NAMESPACE = /^(?!AWS\/)[A-Za-z0-9.\-_/#:]{1,255}$/;
const ACCOUNT_ID = /^\d{12}$/;
const PARENT_ID = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;
const ROLE_NAME = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
const EXTERNAL_ID = /^[A-Za-z0-9+=,.@:/_-]{2,1224}$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

type Env = Record<string, string | undefined>;

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === "" ? undefined : trimmed;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(name, `"${raw}" is not one of ${allowed.join(", ")}.`);
}

function matching(env: Env, name: string, pattern: RegExp, what: string): string | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  if (!pattern.test(raw)) throw new ConfigError(name, `"${raw}" is not ${what}.`);
  return raw;
}

function list(env: Env, name: string): string[] | undefined {
  const raw = value(env, name);
  if (raw === undefined) return undefined;
  const items = raw.split(",").map((item) => item.trim());
  if (items.some((item) => item === ""))
    throw new ConfigError(name, `"${raw}" has an empty item; use a comma-separated list.`);
  return [...new Set(items)];
}

function integer(env: Env, name: string, min: number, max: number, fallback: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `"${raw}" is not a whole number.`);
  const parsed = Number(raw);
  if (parsed < min || parsed > max) throw new ConfigError(name, `${parsed} must be between ${min} and ${max}.`);
  return parsed;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  throw new ConfigError(name, `"${raw}" is not true or false.`);
}

function regionList(env: Env, name: string, fallback: string): string[] {
  const regions = list(env, name) ?? [fallback];
  for (const region of regions) {
    if (!REGION.test(region)) throw new ConfigError(name, `"${region}" is not an AWS region name such as us-east-1.`);
  }
  return regions;
}

/**
 * Reads the configuration from environment variables; `overrides` (CLI flags) win over them.
 * The names are the contract with the Terraform module (docs/architecture.md).
 */
export function readConfig(env: Env, overrides: Env = {}): Config {
  const merged: Env = { ...env, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  const awsRegion = value(merged, "AWS_REGION") ?? value(merged, "AWS_DEFAULT_REGION");
  const ipamRegionRaw = value(merged, "IPAM_REGION") ?? awsRegion;
  if (ipamRegionRaw === undefined) {
    throw new ConfigError("IPAM_REGION", "no region is set; set IPAM_REGION or AWS_REGION (for example us-east-1).");
  }
  if (!REGION.test(ipamRegionRaw)) {
    const name = value(merged, "IPAM_REGION") !== undefined ? "IPAM_REGION" : "AWS_REGION";
    throw new ConfigError(name, `"${ipamRegionRaw}" is not an AWS region name such as us-east-1.`);
  }

  const scopeTypes = list(merged, "SCOPE_TYPES") ?? ["private", "public"];
  for (const type of scopeTypes) {
    if (type !== "private" && type !== "public") {
      throw new ConfigError("SCOPE_TYPES", `"${type}" is not a scope type; use private, public or both.`);
    }
  }

  const resourceTypes = list(merged, "RESOURCE_TYPES");
  for (const type of resourceTypes ?? []) {
    if (!/^[a-z0-9-]{2,40}$/.test(type))
      throw new ConfigError("RESOURCE_TYPES", `"${type}" is not a resource type such as subnet or vpc.`);
  }

  const config: Config = {
    rulesFile: value(merged, "RULES_FILE") ?? "rules.yaml",
    source: oneOf(merged, "SOURCE", ["ipam", "ec2"] as const, "ipam"),
    ipamRegion: ipamRegionRaw,
    homeRegion: awsRegion ?? ipamRegionRaw,
    scopeTypes: scopeTypes as ScopeType[],
    regions: regionList(merged, "REGIONS", awsRegion ?? ipamRegionRaw),
    regionConcurrency: integer(merged, "REGION_CONCURRENCY", 1, 32, 4),
    metricsNamespace:
      matching(
        merged,
        "METRICS_NAMESPACE",
        NAMESPACE,
        "a CloudWatch namespace (letters, digits, . - _ / # :, not starting with AWS/)",
      ) ?? "IPAMMonitor",
    dryRun: boolean(merged, "DRY_RUN", false),
    logLevel: oneOf(merged, "LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    maxAttempts: integer(merged, "AWS_MAX_ATTEMPTS", 1, 20, 8),
    retryMode: oneOf(merged, "AWS_RETRY_MODE", ["standard", "adaptive"] as const, "adaptive"),
    connectTimeoutMs: integer(merged, "CONNECT_TIMEOUT_MS", 100, 60_000, FAILURE_DEFAULTS.connectTimeoutMs),
    responseTimeoutMs: integer(merged, "RESPONSE_TIMEOUT_MS", 1000, 300_000, FAILURE_DEFAULTS.responseTimeoutMs),
    scanTimeoutSeconds: integer(merged, "SCAN_TIMEOUT_SECONDS", 1, 3600, FAILURE_DEFAULTS.scanTimeoutSeconds),
    publishTimeoutSeconds: integer(merged, "PUBLISH_TIMEOUT_SECONDS", 1, 600, FAILURE_DEFAULTS.publishTimeoutSeconds),
    plausibility: {
      maxDropPercent: integer(merged, "PLAUSIBILITY_MAX_DROP_PERCENT", 1, 100, FAILURE_DEFAULTS.maxDropPercent),
      confirmations: integer(merged, "PLAUSIBILITY_CONFIRMATIONS", 1, 10, FAILURE_DEFAULTS.confirmations),
    },
    pageCeiling: {
      min: integer(merged, "PAGE_CEILING_MIN", 10, 1_000_000, FAILURE_DEFAULTS.pageCeilingMin),
      factor: integer(merged, "PAGE_CEILING_FACTOR", 2, 1000, FAILURE_DEFAULTS.pageCeilingFactor),
    },
    unknownHoldHours: integer(merged, "UNKNOWN_HOLD_HOURS", 0, 720, FAILURE_DEFAULTS.unknownHoldHours),
  };
  const ipamId = matching(merged, "IPAM_ID", IPAM_ID, "an IPAM id such as ipam-0123456789abcdef0");
  if (ipamId !== undefined) config.ipamId = ipamId;
  if (resourceTypes !== undefined) config.resourceTypes = resourceTypes;
  const topic = matching(
    merged,
    "SNS_TOPIC_ARN",
    SNS_TOPIC_ARN,
    "a standard SNS topic ARN such as arn:aws:sns:us-east-1:111122223333:ipam-alerts",
  );
  if (topic !== undefined) config.snsTopicArn = topic;
  const table = matching(merged, "STATE_TABLE", TABLE_NAME, "a DynamoDB table name (3-255 letters, digits, _ . -)");
  if (table !== undefined) config.stateTable = table;
  const crossAccount = readCrossAccount(merged, config.source);
  if (crossAccount !== undefined) config.crossAccount = crossAccount;
  const fanOut = readFanOut(merged, crossAccount);
  if (fanOut !== undefined) config.fanOut = fanOut;
  const history = value(merged, "HISTORY_URI");
  if (history !== undefined) {
    parseHistoryLocation(history, "HISTORY_URI"); // refuses a malformed location at start, naming the variable
    config.historyUri = history;
  }
  return config;
}

/** FAN_OUT and SCAN_BUCKET, set by the module for a scan that runs on Step Functions. */
function readFanOut(env: Env, crossAccount: CrossAccountConfig | undefined): FanOutConfig | undefined {
  const raw = value(env, "FAN_OUT");
  if (raw === undefined || raw === "single") {
    if (value(env, "SCAN_BUCKET") !== undefined && raw === undefined) {
      throw new ConfigError("SCAN_BUCKET", "is only used with FAN_OUT=auto or step-functions; set FAN_OUT too.");
    }
    return undefined;
  }
  const mode = oneOf(env, "FAN_OUT", ["single", "auto", "step-functions"] as const, "single");
  if (mode === "single") return undefined;
  if (crossAccount === undefined) {
    throw new ConfigError(
      "FAN_OUT",
      `${mode} spreads a scan of several accounts over shards; set ACCOUNTS or ORGANIZATION=true too.`,
    );
  }
  const bucket = matching(env, "SCAN_BUCKET", BUCKET, "an S3 bucket name");
  if (bucket === undefined)
    throw new ConfigError(
      "SCAN_BUCKET",
      `is needed with FAN_OUT=${mode}: the bucket where the steps leave their work.`,
    );
  return { mode, bucket };
}

/** ACCOUNTS or ORGANIZATION (with their settings), or undefined for a scan of the scanner's own account. */
function readCrossAccount(env: Env, source: SourceName): CrossAccountConfig | undefined {
  const accounts = list(env, "ACCOUNTS");
  const organization = boolean(env, "ORGANIZATION", false);
  const organizationalUnits = list(env, "ORGANIZATIONAL_UNITS");
  if (organizationalUnits !== undefined && !organization) {
    throw new ConfigError(
      "ORGANIZATIONAL_UNITS",
      "only applies with ORGANIZATION=true, which it limits to some OUs; set both.",
    );
  }
  if (accounts === undefined && !organization) {
    for (const name of ["MEMBER_ROLE_NAME", "MEMBER_ROLE_EXTERNAL_ID", "ACCOUNT_REGION_CONCURRENCY"]) {
      if (value(env, name) !== undefined) {
        throw new ConfigError(name, "applies to a scan of several accounts; set ACCOUNTS or ORGANIZATION=true too.");
      }
    }
    return undefined;
  }
  const setting = accounts !== undefined ? "ACCOUNTS" : "ORGANIZATION";
  if (accounts !== undefined && organization) {
    throw new ConfigError(
      "ACCOUNTS",
      "is set together with ORGANIZATION=true; use ACCOUNTS for exactly those accounts or ORGANIZATION for every active account.",
    );
  }
  if (source !== "ec2") {
    throw new ConfigError(
      setting,
      "applies to the EC2 source (SOURCE=ec2); the IPAM source already sees every account IPAM monitors.",
    );
  }
  for (const account of accounts ?? []) {
    if (!ACCOUNT_ID.test(account)) throw new ConfigError("ACCOUNTS", `"${account}" is not a 12-digit AWS account id.`);
  }
  for (const parent of organizationalUnits ?? []) {
    if (!PARENT_ID.test(parent)) {
      throw new ConfigError(
        "ORGANIZATIONAL_UNITS",
        `"${parent}" is not an organizational unit id such as ou-ab12-cd34ef56 (or the root id r-ab12).`,
      );
    }
  }
  const crossAccount: CrossAccountConfig = {
    organization,
    memberRoleName:
      matching(
        env,
        "MEMBER_ROLE_NAME",
        ROLE_NAME,
        "an IAM role name (1-64 letters, digits and + = , . @ _ -, no path)",
      ) ?? DEFAULT_MEMBER_ROLE_NAME,
    concurrency: integer(env, "ACCOUNT_REGION_CONCURRENCY", 1, 64, DEFAULT_ACCOUNT_REGION_CONCURRENCY),
  };
  if (accounts !== undefined) crossAccount.accounts = accounts;
  if (organizationalUnits !== undefined) crossAccount.organizationalUnits = organizationalUnits;
  const externalId = matching(
    env,
    "MEMBER_ROLE_EXTERNAL_ID",
    EXTERNAL_ID,
    "an external id (2-1224 letters, digits and + = , . @ : / _ -)",
  );
  if (externalId !== undefined) crossAccount.externalId = externalId;
  return crossAccount;
}
