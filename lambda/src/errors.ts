/** Errors that carry what a user needs to fix the problem. Every one keeps the original error as `cause`. */

export class IpamMonitorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem in a rules file, located at the offending YAML node. */
export interface RulesProblem {
  file: string;
  line: number;
  column: number;
  /** JSON-path-like location, e.g. "scopes[1].thresholds.critical". */
  path: string;
  message: string;
}

export function formatRulesProblem(p: RulesProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

/** A rules file that cannot be used; lists every problem found at once. */
export class RulesError extends IpamMonitorError {
  readonly problems: RulesProblem[];
  constructor(problems: RulesProblem[], options?: { cause?: unknown }) {
    super(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in rules file:\n` +
        problems.map(formatRulesProblem).join("\n"),
      options,
    );
    this.problems = problems;
  }
}

/** Invalid configuration (environment variable or CLI flag), named. */
export class ConfigError extends IpamMonitorError {
  readonly variable: string;
  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super(`${variable}: ${message}`, options);
    this.variable = variable;
  }
}

/** An AWS call that failed; names the action (and so the IAM permission) involved. */
export class ScanError extends IpamMonitorError {
  readonly action: string;
  readonly code: string | undefined;
  constructor(action: string, message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.action = action;
    this.code = options?.code;
  }
}

/**
 * An AWS call that failed, with where it was made and what else the caller knows ("1 of 2 requests
 * failed"). The caller throws it with the SDK error as `cause`; `toScanFailure` in
 * collect/aws-error.ts is the one place that turns it into words a user can act on.
 */
export class AwsCallError extends IpamMonitorError {
  readonly action: string;
  /** IAM service prefix of the action: "cloudwatch", "sns", "dynamodb", "ec2". */
  readonly service: string;
  /** What the call was about: "topic arn:…", "table ipam-monitor-state". */
  readonly target: string;
  /** What the caller adds, e.g. "1 of 2 requests failed, 1000 of 1500 datums published". */
  readonly detail: string | undefined;
  constructor(call: { action: string; service: string; target: string; detail?: string }, cause: unknown) {
    super(`${call.action} on ${call.target} failed${call.detail === undefined ? "" : ` (${call.detail})`}`, { cause });
    this.action = call.action;
    this.service = call.service;
    this.target = call.target;
    this.detail = call.detail;
  }
}
