/**
 * Turns an AWS SDK error into words a user can act on: which IAM permission
 * is missing, or that throttling outlasted the SDK's retries. Retrying is the
 * SDK client's job (AWS_MAX_ATTEMPTS / AWS_RETRY_MODE), not this module's.
 */

import { ScanError } from "../errors";
import type { ScanFailure } from "../types";

export type AwsErrorInfo = Required<Pick<ScanFailure, "action" | "message">> & Pick<ScanFailure, "code">;

const ACCESS_DENIED_CODES = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedAccess",
  "AuthorizationError",
]);

const THROTTLING_CODES = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
]);

/** EC2's UnauthorizedOperation carries a long encoded diagnostic; keep messages readable. */
const MAX_AWS_MESSAGE = 300;

function field(err: unknown, key: string): unknown {
  return typeof err === "object" && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

/** The API error code: the SDK puts it in `name`; plain errors may carry `Code` or `code`. */
export function awsErrorCode(err: unknown): string | undefined {
  for (const key of ["Code", "code", "name"]) {
    const value = field(err, key);
    // "Error" is the name of every plain Error and says nothing about the cause.
    if (typeof value === "string" && value !== "" && value !== "Error") return value;
  }
  return undefined;
}

function awsMessage(err: unknown): string {
  const message = field(err, "message");
  const text = typeof message === "string" && message !== "" ? message : String(err);
  return text.length > MAX_AWS_MESSAGE ? `${text.slice(0, MAX_AWS_MESSAGE)}…` : text;
}

function attempts(err: unknown): number | undefined {
  const value = field(field(err, "$metadata"), "attempts");
  return typeof value === "number" ? value : undefined;
}

function isThrottling(err: unknown, code: string | undefined): boolean {
  if (code !== undefined && THROTTLING_CODES.has(code)) return true;
  return field(field(err, "$retryable"), "throttling") === true;
}

/**
 * Describes a failed call. `action` is the API action ("GetIpamResourceCidrs");
 * `service` is the IAM prefix of its permission.
 */
export function describeAwsError(action: string, err: unknown, service = "ec2"): AwsErrorInfo {
  const code = awsErrorCode(err);
  const detail = awsMessage(err);
  if (code !== undefined && ACCESS_DENIED_CODES.has(code)) {
    return {
      action,
      code,
      message: `${action} was denied (${code}): grant the IAM permission ${service}:${action} to the role that runs the monitor. AWS said: ${detail}`,
    };
  }
  if (isThrottling(err, code)) {
    const tries = attempts(err);
    return {
      action,
      code: code ?? "Throttling",
      message:
        `${action} was throttled (${code ?? "Throttling"}) and retries were exhausted` +
        `${tries === undefined ? "" : ` after ${tries} attempts`}; raise AWS_MAX_ATTEMPTS or scan less often. AWS said: ${detail}`,
    };
  }
  const message = `${action} failed${code === undefined ? "" : ` (${code})`}: ${detail}`;
  return code === undefined ? { action, message } : { action, code, message };
}

/** A ScanFailure for one target whose collection failed while the rest went on. */
export function toScanFailure(target: string, action: string, err: unknown, service = "ec2"): ScanFailure {
  return { target, ...describeAwsError(action, err, service) };
}

/** A ScanError for a failure that stops the whole collection; the original error is its cause. */
export function toScanError(action: string, err: unknown, service = "ec2"): ScanError {
  const info = describeAwsError(action, err, service);
  return new ScanError(action, info.message, { cause: err, code: info.code });
}
