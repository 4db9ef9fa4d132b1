/**
 * Settings for one scan, read from environment variables (Lambda) or CLI flags.
 * Every invalid value stops the run at start with a ConfigError naming the variable:
 * a misconfigured monitor must fail loudly, not scan with defaults.
 */
import { ConfigError } from "./errors";
import type { SourceName } from "./types";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type ScopeType = "private" | "public";
export type RetryMode = "standard" | "adaptive";

export interface Config {
  rulesFile: string;
  source: SourceName;
  ipamRegion: string;
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
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const IPAM_ID = /^ipam-[0-9a-f]{8,17}$/;
// Standard topics only: CloudWatch alarms cannot publish to FIFO topics, and the notification sets no message group.
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
// CloudWatch rejects namespaces starting with "AWS/" and characters outside this set.
const NAMESPACE = /^(?!AWS\/)[A-Za-z0-9.\-_/#:]{1,255}$/;

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
  const homeRegion = value(merged, "AWS_REGION") ?? value(merged, "AWS_DEFAULT_REGION");
  const ipamRegionRaw = value(merged, "IPAM_REGION") ?? homeRegion;
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
    scopeTypes: scopeTypes as ScopeType[],
    regions: regionList(merged, "REGIONS", homeRegion ?? ipamRegionRaw),
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
  return config;
}
