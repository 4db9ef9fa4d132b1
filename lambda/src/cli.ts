/**
 * `ipam-monitor`: the same scanner as the Lambda, for a laptop or a pull-request check.
 *
 *   ipam-monitor validate FILE...
 *   ipam-monitor scan --rules FILE [--source ipam|ec2] [--region R] [--history DIR|s3://…] [--format table|json] [--dry-run] [--fail-on …]
 *   ipam-monitor preview --base OLD.yaml --head NEW.yaml [--history DIR|s3://…] [--format markdown|json] [--fail-on …]
 *   ipam-monitor capacity SUBNET_ID [--region R] [--format table|json]
 *
 * Exit codes: 0 fine, 1 invalid rules or findings at or over --fail-on, 2 usage or configuration error, 3 AWS or scan error.
 */
import { parseArgs } from "node:util";
import { inspectSubnet } from "./capacity/inspect";
import { flagOfVariable, parseScanFlags, scanFlagsHelp, variablesFromFlags } from "./cli/flags";
import { type AwsClients, createAwsClients } from "./clients";
import { type Config, readConfig } from "./config";
import { ConfigError, formatRulesProblem, RulesError } from "./errors";
import { clockFrom } from "./history/clock";
import { historyStore } from "./history/scan-history";
import { stringifyWithBigInt } from "./json";
import { jsonChunks, writeChunks } from "./json-stream";
import { createJsonLogger, silentLogger } from "./log";
import { PREVIEW_FAIL_ON, type PreviewFailOn, previewFailures } from "./preview/compare";
import { formatPreviewMarkdown } from "./preview/markdown";
import { type InventorySource, PreviewInventoryError, runPreview } from "./preview/preview";
import { formatBlockMap } from "./report/blockmap";
import { countFindings, filterResult, type ResultFilter, scopesWithoutMatches } from "./report/filter";
import { formatScanReport } from "./report/table";
import { loadRulesFile, validateRulesFiles } from "./rules/load";
import { collectLive, runScan } from "./scan";
import { atOrWorse } from "./status";
import { STATUSES } from "./types";

export const EXIT = { ok: 0, findings: 1, usage: 2, scan: 3 } as const;

export interface CliIo {
  out(text: string): void;
  /** Writes large output piece by piece, waiting while the reader catches up; without it, `out` gets each piece. */
  outChunks?(chunks: Iterable<string>): Promise<void>;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Builds the AWS clients for a scan; tests pass clients of their own. */
  createClients?: (config: Config) => AwsClients;
}

const defaultIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  outChunks: (chunks) => writeChunks(process.stdout, chunks),
  err: (text) => void process.stderr.write(text),
  env: process.env,
};

export const MAIN_HELP = `ipam-monitor: tells you before an AWS network runs out of IP addresses.

Usage:
  ipam-monitor validate FILE...        check rules files; prints file:line:col: message for every problem
  ipam-monitor scan --rules FILE ...   scan IPAM (or EC2), evaluate the rules, print a report
  ipam-monitor capacity SUBNET_ID      one subnet's /28 block map: what prefix delegation can still take, and who blocks it
  ipam-monitor preview --base OLD --head NEW ...
                                       what a rules change would do: status and alarm changes, coverage
  ipam-monitor COMMAND --help          help for a command

Exit codes: 0 fine, 1 invalid rules or findings at or over --fail-on, 2 usage or configuration error, 3 AWS or scan error.
`;

export const VALIDATE_HELP = `Usage: ipam-monitor validate FILE...

Checks each rules file against the schema (lambda/schema/rules.schema.json) and the rules the schema
cannot express (unique scope names, warning below critical, valid CIDRs, globs and account ids).
Prints every problem as file:line:col: message.

Exit codes: 0 all files are valid, 1 a file is invalid or unreadable, 2 usage error.
`;

export const SCAN_HELP = `Usage: ipam-monitor scan --rules FILE [options]

Reads every resource CIDR from Amazon VPC IPAM (or EC2), evaluates it against the rules, publishes
the CloudWatch metrics and the SNS notification like the Lambda does (unless --dry-run), and prints
a report.

Options:
${scanFlagsHelp()}
Credentials, region and endpoints come from the usual AWS settings (AWS_PROFILE, AWS_REGION,
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, ...), so the scan can run against a local emulator.
IPAM_MONITOR_NOW (an ISO-8601 time such as 2026-11-26T09:00:00Z) replaces the scan time: in the
result, the metrics' timestamps and the day the scan is recorded in, for reproducible runs and backfills.

Exit codes: 0 fine, 1 invalid rules or findings at or over --fail-on, 2 usage or configuration error,
3 AWS or scan error (including a partial scan and a failed publish).
`;

export const PREVIEW_HELP = `Usage: ipam-monitor preview --base OLD.yaml --head NEW.yaml [options]

Evaluates both rules files against the same inventory and prints what the change would do, for a
pull-request comment: each scope's status and counts before and after, the scopes (and so the alarms)
added, removed or renamed, every resource whose status changes (worst first), resources the change
leaves covered by no scope or newly covers, and head scopes that match nothing. Reads only.

Options:
  --base FILE             the rules file as it is (required), e.g. from the pull request's base branch
  --head FILE             the rules file as the change makes it (required)
  --history LOCATION      evaluate the latest snapshot of this scan history, a directory or
                          s3://bucket/prefix (env HISTORY_URI); forecasts come from it too.
                          Without it the network is read live, like scan (--source, --region, ...)
  --format markdown|json  output format (default markdown, for a comment); json lists every change
  --fail-on CONDITIONS    exit 1 when met, comma-separated: new-critical (a resource becomes critical),
                          new-warning (a resource becomes warning or worse), no-match (a scope of the
                          head file matches nothing), uncovered (the change leaves resources in no scope)
  --source ipam|ec2, --region R, --regions R1,R2, --ipam-id ID, --scope-types T
                          the live read, as for scan
  --verbose               write JSON log lines to stderr
  -h, --help              this help

Exit codes: 0 nothing --fail-on asked about, 1 a --fail-on condition is met or a rules file is
invalid, 2 usage or configuration error, 3 AWS or history error (including an incomplete live read).
`;

export const CAPACITY_HELP = `Usage: ipam-monitor capacity SUBNET_ID [options]

Reads one subnet, its network interfaces and its CIDR reservations from EC2 and prints its block
map: one mark per aligned /28 (free, free in a prefix reservation, used, explicitly reserved,
AWS-reserved), the free /28 prefixes EKS prefix delegation can still take, the addresses automatic
assignment can take, the largest free block, and the interfaces whose addresses block the most
/28s. Reads only: DescribeSubnets, DescribeNetworkInterfaces, GetSubnetCidrReservations.

Options:
  --region R              the subnet's region (env AWS_REGION)
  --format table|json     output format (default table); json lists every block with its state
                          and the interfaces in it
  -h, --help              this help

Exit codes: 0 printed, 2 usage error, 3 AWS error (the subnet not found, a denied read).
`;

class UsageError extends Error {}

/** A comma-separated flag value, each item one of `allowed`; `what` words the error. */
function listFlag<T extends string>(
  flag: string,
  raw: string | undefined,
  allowed: readonly T[] | undefined,
  what: string,
): T[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw.split(",").map((item) => item.trim());
  for (const item of items) {
    if (item === "") throw new UsageError(`${flag} "${raw}" has an empty item; use a comma-separated list.`);
    if (allowed !== undefined && !allowed.includes(item as T))
      throw new UsageError(`${flag} "${item}" is not ${what}.`);
  }
  return [...new Set(items)] as T[];
}

/** A whole number flag of at least `min`. */
function countFlag(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < min)
    throw new UsageError(`${flag} "${raw}" is not a whole number of at least ${min}.`);
  return Number(raw);
}

/** parseArgs throws a TypeError for an unknown option or a missing value: that is a usage error. */
function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function validate(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({ args, options: { help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true }),
  );
  if (values.help === true) {
    io.out(VALIDATE_HELP);
    return EXIT.ok;
  }
  if (positionals.length === 0) throw new UsageError("validate needs at least one rules file.");
  const reports = await validateRulesFiles(positionals);
  let invalid = 0;
  let problems = 0;
  for (const report of reports) {
    if (report.problems.length === 0) {
      io.out(`${report.file}: valid\n`);
    } else {
      invalid += 1;
      problems += report.problems.length;
      for (const problem of report.problems) io.err(`${formatRulesProblem(problem)}\n`);
    }
  }
  if (invalid > 0) {
    io.err(
      `${problems} problem${problems === 1 ? "" : "s"} in ${invalid} of ${reports.length} file${reports.length === 1 ? "" : "s"}\n`,
    );
  }
  return invalid === 0 ? EXIT.ok : EXIT.findings;
}

const SCAN_FAIL_ON = ["warning", "critical", "no-match"] as const;

/** A configuration error in the words of the command line: the flag when one was given, else the variable. */
function describeConfigError(
  err: ConfigError,
  overrides: Record<string, string | undefined>,
  env: CliIo["env"],
): string {
  const flag = flagOfVariable(err.variable);
  const prefix = `${err.variable}: `;
  const detail = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  if (flag === undefined) return err.message;
  if (overrides[err.variable] !== undefined) return `${flag}: ${detail}`;
  if ((env[err.variable] ?? "").trim() === "") return `${err.message} Or pass ${flag}.`;
  return err.message;
}

/** The JSON text of `value` (two-space indented, BigInts as strings) and a final newline, in chunks. */
function* jsonLines(value: unknown): Generator<string> {
  yield* jsonChunks(value, 2);
  yield "\n";
}

async function writeOut(io: CliIo, chunks: Iterable<string>): Promise<void> {
  if (io.outChunks !== undefined) await io.outChunks(chunks);
  else for (const chunk of chunks) io.out(chunk);
}

async function scan(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(() => parseScanFlags(args));
  if (values.help === true) {
    io.out(SCAN_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(
      `scan takes no positional arguments (got "${positionals[0]}"); pass the rules file with --rules.`,
    );
  if (values.rules === undefined) throw new UsageError("scan needs --rules FILE.");
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError(`--format "${format}" is not table or json.`);
  const failOn = listFlag("--fail-on", values["fail-on"], SCAN_FAIL_ON, "warning, critical or no-match");
  const maxBytes = countFlag("--max-bytes", values["max-bytes"], 1024);
  const top = countFlag("--top", values.top, 1);
  const filter: ResultFilter = {};
  const scopes = listFlag("--scope", values.scope, undefined, "");
  const statuses = listFlag(
    "--status",
    values.status,
    STATUSES.filter((s) => s !== "ok"),
    "critical, warning or unknown",
  );
  const accounts = listFlag("--account", values.account, undefined, "");
  for (const account of accounts ?? []) {
    if (!/^\d{12}$/.test(account)) throw new UsageError(`--account "${account}" is not a 12-digit account id.`);
  }
  if (scopes !== undefined) filter.scopes = scopes;
  if (statuses !== undefined) filter.statuses = statuses;
  if (accounts !== undefined) filter.accounts = accounts;

  const overrides = variablesFromFlags(values);
  // With --source ec2, --region alone means "scan this region" unless REGIONS says otherwise.
  if (overrides.REGIONS === undefined && values.region !== undefined && io.env.REGIONS === undefined)
    overrides.REGIONS = values.region;
  const now = clockFrom(io.env);
  let config: Config;
  try {
    config = readConfig(io.env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`ipam-monitor: ${describeConfigError(err, overrides, io.env)}\n`);
      return EXIT.usage;
    }
    throw err;
  }

  const rules = await loadRulesFile(config.rulesFile);
  const unknownScopes = (filter.scopes ?? []).filter((name) => !rules.scopes.some((scope) => scope.name === name));
  if (unknownScopes.length > 0) {
    throw new UsageError(`--scope: ${config.rulesFile} has no scope named ${unknownScopes.join(", ")}.`);
  }
  const logger = values.verbose === true ? createJsonLogger("debug", (line) => io.err(`${line}\n`)) : silentLogger;
  const clients = (io.createClients ?? createAwsClients)(config);
  // A person or a CI job gets the whole result: the 256 KB bound is the Lambda's, not theirs.
  const outcome = await runScan(config, rules, {
    clients,
    logger,
    ...(now !== undefined ? { now } : {}),
    maxResultBytes: maxBytes ?? Number.POSITIVE_INFINITY,
    ...(maxBytes === undefined ? { fillingUpLimit: Number.POSITIVE_INFINITY } : {}),
  });
  const shown = filterResult(outcome.result, filter);

  if (format === "json") await writeOut(io, jsonLines(shown));
  else io.out(formatScanReport(shown, top !== undefined ? { top } : {}));
  if (outcome.failures.length > 0) {
    const what = outcome.complete ? "publishing failed" : "the scan was incomplete";
    if (format === "json") for (const f of outcome.failures) io.err(`error: ${f.target}: ${f.message}\n`);
    io.err(`ipam-monitor: ${what} (${outcome.failures.length} error${outcome.failures.length === 1 ? "" : "s"}).\n`);
    return EXIT.scan;
  }
  let failed = false;
  for (const condition of failOn ?? []) {
    if (condition === "no-match") {
      const none = scopesWithoutMatches(outcome.evaluation, filter);
      if (none.length === 0) continue;
      io.err(
        `ipam-monitor: ${none.length} scope${none.length === 1 ? " matches" : "s match"} nothing: ${none.join(", ")} (--fail-on no-match).\n`,
      );
      failed = true;
      continue;
    }
    const hits = countFindings(outcome.evaluation, filter, atOrWorse(condition));
    if (hits > 0) {
      io.err(
        `ipam-monitor: ${hits} resource CIDR${hits === 1 ? " is" : "s are"} at ${condition} or worse (--fail-on ${condition}).\n`,
      );
      failed = true;
    }
  }
  return failed ? EXIT.findings : EXIT.ok;
}

const PREVIEW_OPTIONS = {
  base: { type: "string" },
  head: { type: "string" },
  history: { type: "string" },
  format: { type: "string" },
  "fail-on": { type: "string" },
  source: { type: "string" },
  region: { type: "string" },
  regions: { type: "string" },
  "ipam-id": { type: "string" },
  "scope-types": { type: "string" },
  verbose: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Loads both rules files, reporting every problem of both before giving up. */
async function loadBoth(
  base: string,
  head: string,
): Promise<[Awaited<ReturnType<typeof loadRulesFile>>, Awaited<ReturnType<typeof loadRulesFile>>]> {
  const reports = await validateRulesFiles([base, head]);
  const problems = reports.flatMap((r) => r.problems);
  if (problems.length > 0) throw new RulesError(problems);
  return [await loadRulesFile(base), await loadRulesFile(head)];
}

async function preview(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({ args, options: PREVIEW_OPTIONS, allowPositionals: true, strict: true }),
  );
  if (values.help === true) {
    io.out(PREVIEW_HELP);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw new UsageError(`preview takes no positional arguments (got "${positionals[0]}"); use --base and --head.`);
  if (values.base === undefined || values.head === undefined)
    throw new UsageError("preview needs --base FILE and --head FILE.");
  const format = values.format ?? "markdown";
  if (format !== "markdown" && format !== "json") throw new UsageError(`--format "${format}" is not markdown or json.`);
  const failOn: PreviewFailOn[] =
    listFlag(
      "--fail-on",
      values["fail-on"],
      PREVIEW_FAIL_ON,
      PREVIEW_FAIL_ON.join(", ").replace(/, (?=[^,]*$)/, " or "),
    ) ?? [];
  const now = (clockFrom(io.env) ?? (() => new Date()))();

  const [base, head] = await loadBoth(values.base, values.head);
  const history = values.history ?? io.env.HISTORY_URI;
  const overrides: Record<string, string | undefined> = {
    SOURCE: values.source,
    IPAM_REGION: values.region,
    REGIONS:
      values.regions ?? (values.region !== undefined && io.env.REGIONS === undefined ? values.region : undefined),
    IPAM_ID: values["ipam-id"],
    SCOPE_TYPES: values["scope-types"],
    HISTORY_URI: values.history,
  };
  // Reading a history needs no IPAM Region; S3 follows the bucket to its own Region.
  const env =
    history !== undefined && (io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION) === undefined
      ? { ...io.env, AWS_REGION: "us-east-1" }
      : io.env;
  let config: Config;
  try {
    config = readConfig(env, overrides);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`ipam-monitor: ${describeConfigError(err, overrides, io.env)}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  const logger = values.verbose === true ? createJsonLogger("debug", (line) => io.err(`${line}\n`)) : silentLogger;
  const clients = (io.createClients ?? createAwsClients)(config);
  const source: InventorySource =
    history !== undefined
      ? {
          kind: "history",
          now,
          store: historyStore(history, values.history !== undefined ? "--history" : "HISTORY_URI", () => clients.s3),
        }
      : { kind: "live", source: config.source, now, collect: () => collectLive(config, { clients, logger }) };
  logger.debug("preview", { base: base.file, head: head.file, inventory: source.kind });

  let outcome: Awaited<ReturnType<typeof runPreview>>;
  try {
    outcome = await runPreview(base, head, source);
  } catch (err) {
    if (err instanceof PreviewInventoryError) {
      io.err(`ipam-monitor: ${err.message}.\n`);
      return EXIT.scan;
    }
    throw err;
  }
  const failures = previewFailures(outcome.preview, failOn);
  io.out(
    format === "json"
      ? `${JSON.stringify(outcome.preview, null, 2)}\n`
      : formatPreviewMarkdown(outcome.preview, failures),
  );
  if (outcome.failures.length > 0) {
    for (const f of outcome.failures) io.err(`error: ${f.target}: ${f.message}\n`);
    io.err(
      `ipam-monitor: the inventory read was incomplete (${outcome.failures.length} error${outcome.failures.length === 1 ? "" : "s"}).\n`,
    );
    return EXIT.scan;
  }
  for (const failure of failures) io.err(`ipam-monitor: ${failure}.\n`);
  return failures.length > 0 ? EXIT.findings : EXIT.ok;
}

const CAPACITY_OPTIONS = {
  region: { type: "string" },
  format: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;

async function capacity(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({ args, options: CAPACITY_OPTIONS, allowPositionals: true, strict: true }),
  );
  if (values.help === true) {
    io.out(CAPACITY_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new UsageError("capacity needs exactly one subnet id, e.g. subnet-0123456789abcdef0.");
  const subnetId = positionals[0] as string;
  if (!SUBNET_ID.test(subnetId))
    throw new UsageError(`"${subnetId}" is not a subnet id such as subnet-0123456789abcdef0.`);
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") throw new UsageError(`--format "${format}" is not table or json.`);
  const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (region === undefined || region.trim() === "") {
    throw new UsageError("capacity needs the subnet's region: pass --region or set AWS_REGION.");
  }
  const config = readConfig(io.env, { IPAM_REGION: region, REGIONS: region, SOURCE: "ec2", DRY_RUN: "true" });
  const clients = (io.createClients ?? createAwsClients)(config);
  const report = await inspectSubnet(clients.ec2ForRegion(region), region, subnetId);
  io.out(format === "json" ? `${stringifyWithBigInt(report, 2)}\n` : formatBlockMap(report));
  return EXIT.ok;
}

/** Runs the command line; resolves to the exit code and never throws. */
export async function main(argv: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "validate":
        return await validate(rest, io);
      case "scan":
        return await scan(rest, io);
      case "capacity":
        return await capacity(rest, io);
      case "preview":
        return await preview(rest, io);
      case "help":
      case "--help":
      case "-h":
        io.out(MAIN_HELP);
        return EXIT.ok;
      case undefined:
        io.err(MAIN_HELP);
        return EXIT.usage;
      default:
        throw new UsageError(`unknown command "${command}"; use validate, scan, preview or capacity.`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`ipam-monitor: ${err.message}\nRun "ipam-monitor --help" for usage.\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      io.err(`ipam-monitor: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof RulesError) {
      for (const problem of err.problems) io.err(`${formatRulesProblem(problem)}\n`);
      return EXIT.findings;
    }
    io.err(`ipam-monitor: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.scan;
  }
}
