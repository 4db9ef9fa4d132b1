/**
 * The options of `ipam-monitor scan` in one table: the flag, the configuration variable it sets
 * (the same environment variable the Lambda reads, see config.ts), and its line of help. The
 * parser's options, the help text and the messages that name a flag are all derived from it, so
 * a new option is one new row.
 */
import { parseArgs } from "node:util";

interface FlagSpec {
  /** Long name without the dashes. */
  readonly name: string;
  readonly type: "string" | "boolean";
  readonly short?: string;
  /** Placeholder shown after the flag in the help, e.g. FILE. */
  readonly value?: string;
  readonly help: string;
  /** Configuration variable the flag sets; a flag wins over the environment. */
  readonly variable?: string;
  /** Whether the variable may be set in the environment instead (shown as "env NAME" in the help). */
  readonly fromEnv?: boolean;
  /** What applies when neither is given, shown after the variable: "default ipam", "else AWS_REGION". */
  readonly fallback?: string;
}

export const SCAN_FLAGS = [
  { name: "rules", type: "string", value: "FILE", help: "rules file (required)", variable: "RULES_FILE" },
  {
    name: "source",
    type: "string",
    value: "ipam|ec2",
    help: "where to read resource CIDRs",
    variable: "SOURCE",
    fromEnv: true,
    fallback: "default ipam",
  },
  {
    name: "region",
    type: "string",
    value: "R",
    help: "IPAM home region",
    variable: "IPAM_REGION",
    fromEnv: true,
    fallback: "else AWS_REGION",
  },
  {
    name: "regions",
    type: "string",
    value: "R1,R2",
    help: "regions to read with --source ec2",
    variable: "REGIONS",
    fromEnv: true,
    fallback: "default --region",
  },
  {
    name: "accounts",
    type: "string",
    value: "A1,A2",
    help: "with --source ec2, read exactly these accounts through their member role; your own account only when listed, with your credentials",
    variable: "ACCOUNTS",
    fromEnv: true,
  },
  {
    name: "organization",
    type: "boolean",
    help: "with --source ec2, read every ACTIVE account of the organization; run it from the management or a delegated administrator account",
    variable: "ORGANIZATION",
    fromEnv: true,
  },
  {
    name: "organizational-units",
    type: "string",
    value: "OU1,OU2",
    help: "only the accounts in these OUs and the OUs below them",
    variable: "ORGANIZATIONAL_UNITS",
    fromEnv: true,
  },
  {
    name: "member-role",
    type: "string",
    value: "NAME",
    help: "role assumed in each member account",
    variable: "MEMBER_ROLE_NAME",
    fromEnv: true,
    fallback: "default ipam-monitor-member",
  },
  {
    name: "external-id",
    type: "string",
    value: "ID",
    help: "external id the member roles require",
    variable: "MEMBER_ROLE_EXTERNAL_ID",
    fromEnv: true,
  },
  { name: "ipam-id", type: "string", value: "ID", help: "scan only this IPAM", variable: "IPAM_ID", fromEnv: true },
  {
    name: "scope-types",
    type: "string",
    value: "T",
    help: "private, public or private,public",
    variable: "SCOPE_TYPES",
    fromEnv: true,
    fallback: "default both",
  },
  {
    name: "history",
    type: "string",
    value: "LOCATION",
    help: "scan history, a directory or s3://bucket/prefix: forecasts read it, and a complete scan that is not a dry run is recorded in it",
    variable: "HISTORY_URI",
    fromEnv: true,
  },
  {
    name: "format",
    type: "string",
    value: "table|json",
    help: "output format (default table); json is the Lambda's result",
  },
  {
    name: "max-bytes",
    type: "string",
    value: "N",
    help: "bound the JSON result to N bytes as the Lambda does (default: no bound)",
  },
  {
    name: "top",
    type: "string",
    value: "N",
    help: "list only the first N resources in trouble and filling up (default: all)",
  },
  {
    name: "scope",
    type: "string",
    value: "NAMES",
    help: "report only these scopes (comma-separated); --fail-on counts only them",
  },
  {
    name: "status",
    type: "string",
    value: "LEVELS",
    help: "list only resources at these levels: critical, warning, unknown",
  },
  { name: "account", type: "string", value: "IDS", help: "list only resources of these accounts (comma-separated)" },
  {
    name: "dry-run",
    type: "boolean",
    help: "publish no metrics, send no notification, record no history",
    variable: "DRY_RUN",
    fromEnv: true,
  },
  {
    name: "topic",
    type: "string",
    value: "ARN",
    help: "SNS topic for the notification",
    variable: "SNS_TOPIC_ARN",
    fromEnv: true,
  },
  {
    name: "state-table",
    type: "string",
    value: "NAME",
    help: "DynamoDB table with the last notified state",
    variable: "STATE_TABLE",
    fromEnv: true,
  },
  {
    name: "namespace",
    type: "string",
    value: "NS",
    help: "CloudWatch namespace",
    variable: "METRICS_NAMESPACE",
    fromEnv: true,
    fallback: "default IPAMMonitor",
  },
  {
    name: "fail-on",
    type: "string",
    value: "CONDITIONS",
    help: "exit 1 when met, comma-separated: critical or warning (a resource at that level or worse), no-match (a scope matches nothing)",
  },
  {
    name: "timeout",
    type: "string",
    value: "SECONDS",
    help: "stop collecting after SECONDS, publish what is safe and exit 3",
    variable: "SCAN_TIMEOUT_SECONDS",
    fromEnv: true,
    fallback: "default 480",
  },
  {
    name: "max-drop-percent",
    type: "string",
    value: "N",
    help: "a unit (IPAM scope, region) whose resource count falls by more than N% from the last complete scan makes the scan partial; needs --state-table",
    variable: "PLAUSIBILITY_MAX_DROP_PERCENT",
    fromEnv: true,
    fallback: "default 50",
  },
  {
    name: "drop-confirmations",
    type: "string",
    value: "N",
    help: "scans in a row that must see such a drop before it is accepted",
    variable: "PLAUSIBILITY_CONFIRMATIONS",
    fromEnv: true,
    fallback: "default 2",
  },
  {
    name: "unknown-hold-hours",
    type: "string",
    value: "H",
    help: "a resource at warning or critical whose usage stops being reported keeps its level for H hours; needs --state-table",
    variable: "UNKNOWN_HOLD_HOURS",
    fromEnv: true,
    fallback: "default 24",
  },
  { name: "verbose", type: "boolean", help: "write JSON log lines to stderr" },
  { name: "help", type: "boolean", short: "h", help: "this help" },
] as const satisfies readonly FlagSpec[];

type ScanFlag = (typeof SCAN_FLAGS)[number];

/** What parseArgs returns for the scan flags: a string or a boolean per flag, undefined when not given. */
export type ScanFlagValues = {
  [F in ScanFlag as F["name"]]?: F["type"] extends "boolean" ? boolean : string;
};

const PARSE_OPTIONS = Object.fromEntries(
  SCAN_FLAGS.map((flag: FlagSpec) => [flag.name, flag.short === undefined ? { type: flag.type } : flag]),
);

/** Parses the arguments after `scan`; throws parseArgs' TypeError for an unknown flag or a missing value. */
export function parseScanFlags(args: string[]): { values: ScanFlagValues; positionals: string[] } {
  const { values, positionals } = parseArgs({ args, options: PARSE_OPTIONS, allowPositionals: true, strict: true });
  return { values: values as ScanFlagValues, positionals };
}

/**
 * The configuration variables the given flags set, as readConfig's overrides: a string flag its
 * value, a boolean flag "true". Variables whose flag was not given are undefined.
 */
export function variablesFromFlags(values: ScanFlagValues): Record<string, string | undefined> {
  const variables: Record<string, string | undefined> = {};
  for (const flag of SCAN_FLAGS as readonly FlagSpec[]) {
    if (flag.variable === undefined) continue;
    const value = values[flag.name as keyof ScanFlagValues];
    variables[flag.variable] = value === true ? "true" : typeof value === "string" ? value : undefined;
  }
  return variables;
}

/** The flag that sets a configuration variable ("--region" for IPAM_REGION), or undefined when none does. */
export function flagOfVariable(variable: string): string | undefined {
  const flag = (SCAN_FLAGS as readonly FlagSpec[]).find((f) => f.variable === variable);
  return flag === undefined ? undefined : `--${flag.name}`;
}

/** Width of the flag column, so the help of every flag starts on one column. */
const FLAG_COLUMN = 24;
const INDENT = "  ";
/** Help lines wrap at this width, continuing under the help column. */
const HELP_WIDTH = 100;
/** Joins "env" to the variable it names while the help is wrapped. */
const NO_BREAK = "\u00a0";

/** `text` in lines of at most `width` characters, broken between words. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === "" ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/**
 * The Options section of `scan --help`: each flag with its help, its variable and fallback; a flag
 * too long for its column gets its help on the next line.
 */
export function scanFlagsHelp(): string {
  const helpColumn = " ".repeat(INDENT.length + FLAG_COLUMN);
  return (SCAN_FLAGS as readonly FlagSpec[])
    .map((flag) => {
      const names = `${flag.short !== undefined ? `-${flag.short}, ` : ""}--${flag.name}`;
      const usage = flag.value !== undefined ? `${names} ${flag.value}` : names;
      const env =
        flag.variable !== undefined && flag.fromEnv === true
          ? ` (env${NO_BREAK}${flag.variable}${flag.fallback !== undefined ? `, ${flag.fallback}` : ""})`
          : "";
      const [first = "", ...rest] = wrap(`${flag.help}${env}`, HELP_WIDTH - helpColumn.length);
      const head =
        usage.length < FLAG_COLUMN
          ? [`${INDENT}${usage.padEnd(FLAG_COLUMN)}${first}`]
          : [`${INDENT}${usage}`, `${helpColumn}${first}`];
      return [...head, ...rest.map((line) => `${helpColumn}${line}`)]
        .map((line) => `${line.replaceAll(NO_BREAK, " ")}\n`)
        .join("");
    })
    .join("");
}
