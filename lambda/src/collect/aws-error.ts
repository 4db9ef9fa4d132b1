/**
 * Turns an AWS SDK error into words a user can act on: which IAM permission
 * is missing, or that throttling outlasted the SDK's retries. Retrying is the
 * SDK client's job (AWS_MAX_ATTEMPTS / AWS_RETRY_MODE), not this module's.
 */

import { AwsCallError, ScanError } from "../errors";
import type { ScanFailure } from "../types";
import { ScanTimeoutError } from "./deadline";

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
  const tries = attempts(err);
  const after = tries !== undefined && tries > 1 ? ` after ${tries} attempts` : "";
  if (field(err, "name") === "TimeoutError" || code === "ETIMEDOUT") {
    return {
      action,
      code: "TimeoutError",
      message:
        `${action} got no answer in time${after} (CONNECT_TIMEOUT_MS, RESPONSE_TIMEOUT_MS, AWS_MAX_ATTEMPTS); ` +
        `the endpoint is unreachable or hung. ${detail}`,
    };
  }
  const message = `${action} failed${code === undefined ? "" : ` (${code})`}${after}: ${detail}`;
  return code === undefined ? { action, message } : { action, code, message };
}

/** Where a failed call was made, for the failure that names it. */
export interface FailureSite {
  /** What the call was about: "ipam-scope ipam-scope-0abc", "region eu-west-1", "topic arn:…". */
  target: string;
  /** The API action, when the error does not say it. */
  action: string;
  /** IAM service prefix of the action; default "ec2". */
  service?: string;
  /** Key of the collection unit the failure leaves out. */
  unit?: string;
}

/**
 * The one path from any error of a call to a ScanFailure. An AwsCallError brings its own site and
 * detail; a ScanError (the scanner's own: a malformed answer, a pagination loop, the deadline) is
 * already in words; anything else is an SDK error, described by describeAwsError so that a denial
 * names the IAM permission and exhausted throttling the retry setting.
 */
export function toScanFailure(err: unknown, site: FailureSite): ScanFailure {
  let { target, action, service = "ec2" } = site;
  let detail: string | undefined;
  let cause = err;
  if (err instanceof AwsCallError) {
    ({ target, action, service, detail } = err);
    cause = err.cause;
  }
  // A call a deadline aborted: the SDK's AbortError carries the deadline's own error as its cause.
  const aborted = field(cause, "name") === "AbortError" ? field(cause, "cause") : undefined;
  if (aborted instanceof ScanTimeoutError) cause = new ScanTimeoutError(action, aborted.reason, aborted.phase);
  let failure: ScanFailure;
  if (cause instanceof ScanError) {
    // The SDK records its attempts on any error that leaves its retry loop, the scanner's own included.
    const tries = attempts(cause);
    const after = tries !== undefined && tries > 1 ? ` (${tries} attempts)` : "";
    failure = { target, action: cause.action, message: `${cause.message}${after}` };
    if (cause.code !== undefined) failure.code = cause.code;
  } else {
    failure = { target, ...describeAwsError(action, cause, service) };
  }
  if (detail !== undefined) failure.message = `${failure.message} (${detail})`;
  if (site.unit !== undefined) failure.unit = site.unit;
  return failure;
}

/** A ScanError for a failure that stops the whole collection; the original error is its cause. */
export function toScanError(action: string, err: unknown, service = "ec2"): ScanError {
  if (err instanceof ScanError) return err;
  const info = describeAwsError(action, err, service);
  return new ScanError(action, info.message, { cause: err, code: info.code });
}
