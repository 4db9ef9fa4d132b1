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
