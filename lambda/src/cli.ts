/**
 * `ipam-monitor`: the same scanner as the Lambda, for a laptop or a pull-request check.
 *
 *   ipam-monitor validate FILE...
 *   ipam-monitor scan --rules FILE [--source ipam|ec2] [--region R] [--format table|json] [--dry-run] [--fail-on warning|critical]
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
import { stringifyWithBigInt } from "./json";
import { createJsonLogger, silentLogger } from "./log";
import { formatBlockMap } from "./report/blockmap";
import { formatScanReport } from "./report/table";
import { loadRulesFile, validateRulesFiles } from "./rules/load";
import { runScan } from "./scan";
import { atOrWorse } from "./status";

export const EXIT = { ok: 0, findings: 1, usage: 2, scan: 3 } as const;

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** Builds the AWS clients for a scan; tests pass clients of their own. */
  createClients?: (config: Config) => AwsClients;
}

const defaultIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
};

export const MAIN_HELP = `ipam-monitor: tells you before an AWS network runs out of IP addresses.

Usage:
  ipam-monitor validate FILE...        check rules files; prints file:line:col: message for every problem
  ipam-monitor scan --rules FILE ...   scan IPAM (or EC2), evaluate the rules, print a report
  ipam-monitor capacity SUBNET_ID      one subnet's /28 block map: what prefix delegation can still take, and who blocks it
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

Exit codes: 0 fine, 1 invalid rules or findings at or over --fail-on, 2 usage or configuration error,
3 AWS or scan error (including a partial scan and a failed publish).
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
  const failOn = values["fail-on"];
  if (failOn !== undefined && failOn !== "warning" && failOn !== "critical")
    throw new UsageError(`--fail-on "${failOn}" is not warning or critical.`);

  const overrides = variablesFromFlags(values);
  // With --source ec2, --region alone means "scan this region" unless REGIONS says otherwise.
  if (overrides.REGIONS === undefined && values.region !== undefined && io.env.REGIONS === undefined)
    overrides.REGIONS = values.region;
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
  const logger = values.verbose === true ? createJsonLogger("debug", (line) => io.err(`${line}\n`)) : silentLogger;
  const clients = (io.createClients ?? createAwsClients)(config);
  const outcome = await runScan(config, rules, { clients, logger });

  io.out(format === "json" ? `${stringifyWithBigInt(outcome.result, 2)}\n` : formatScanReport(outcome.result));
  if (outcome.failures.length > 0) {
    const what = outcome.complete ? "publishing failed" : "the scan was incomplete";
    if (format === "json") for (const f of outcome.failures) io.err(`error: ${f.target}: ${f.message}\n`);
    io.err(`ipam-monitor: ${what} (${outcome.failures.length} error${outcome.failures.length === 1 ? "" : "s"}).\n`);
    return EXIT.scan;
  }
  if (failOn !== undefined) {
    const levels = atOrWorse(failOn);
    const hits = levels.reduce((n, status) => n + outcome.result.summary.counts[status], 0);
    if (hits > 0) {
      io.err(
        `ipam-monitor: ${hits} resource CIDR${hits === 1 ? " is" : "s are"} at ${failOn} or worse (--fail-on ${failOn}).\n`,
      );
      return EXIT.findings;
    }
  }
  return EXIT.ok;
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
      case "help":
      case "--help":
      case "-h":
        io.out(MAIN_HELP);
        return EXIT.ok;
      case undefined:
        io.err(MAIN_HELP);
        return EXIT.usage;
      default:
        throw new UsageError(`unknown command "${command}"; use validate, scan or capacity.`);
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
