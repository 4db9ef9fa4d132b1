/**
 * Lambda entry point: reads the configuration, loads the bundled rules once per container,
 * runs a scan and returns the JSON result (for Step Functions or another Lambda).
 * Every run logs one summary line. A partial scan or a failed publish is logged as one JSON
 * error line and thrown, so Lambda's error metric, retries and the module's alarm see it.
 */
import { isAbsolute, join } from "node:path";
import { type AwsClients, createAwsClients } from "./clients";
import { type Config, readConfig } from "./config";
import { ConfigError, ScanError } from "./errors";
import { parseFanOutEvent } from "./fanout/events";
import { type FanOutStepOutput, runFanOutStep } from "./fanout/handler-steps";
import { gatherShards } from "./fanout/steps";
import { S3ObjectStore } from "./fanout/store";
import { createJsonLogger, type Logger } from "./log";
import type { ScanResultJson } from "./result";
import { loadRulesFile } from "./rules/load";
import { runScan, type ScanOutcome } from "./scan";
import type { RulesFile, ScanFailure } from "./types";

/** The part of Lambda's context object the handler reads. */
export interface LambdaContext {
  invokedFunctionArn?: string;
  awsRequestId?: string;
  /** Lambda's clock: collection stops in time to publish what it read before the function is stopped. */
  getRemainingTimeInMillis?: () => number;
}

/** The schedule's event (EventBridge), or none: a whole scan. */
export type ScheduledEvent =
  | Record<string, never>
  | { action?: undefined; source?: string; "detail-type"?: string; [key: string]: unknown };

/**
 * A whole scan (and the final step of one on Step Functions) returns the scan result; the other
 * Step Functions steps return their own small output (fanout/events.ts).
 */
export interface Handler {
  (event?: ScheduledEvent, context?: LambdaContext): Promise<ScanResultJson>;
  (event: unknown, context?: LambdaContext): Promise<ScanResultJson | FanOutStepOutput>;
}

export interface HandlerDependencies {
  env?: Record<string, string | undefined>;
  /** Where log lines go; stdout (CloudWatch Logs) by default. */
  write?: (line: string) => void;
  createClients?: (config: Config) => AwsClients;
  now?: () => Date;
}

interface Container {
  config: Config;
  rules: RulesFile;
  clients: AwsClients;
  logger: Logger;
}

/** The account in arn:aws:lambda:eu-west-1:111122223333:function:name. */
function accountOf(functionArn: string | undefined): string | undefined {
  const account = functionArn?.split(":")[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

function fanOutBucket(config: Config): string {
  if (config.fanOut === undefined) {
    throw new ConfigError(
      "FAN_OUT",
      "the function was sent the final step of a Step Functions scan but FAN_OUT and SCAN_BUCKET are not set.",
    );
  }
  return config.fanOut.bucket;
}

/** Failures named in the thrown error; the error log line lists all of them. */
const FAILURES_IN_ERROR = 5;

/** "ipam-scope ipam-scope-0abc: GetIpamResourceCidrs was denied …; namespace IPAMMonitor: … (and 3 more)" */
function describeFailures(failures: readonly ScanFailure[]): string {
  const shown = failures.slice(0, FAILURES_IN_ERROR).map((f) => `${f.target}: ${f.message}`);
  const more = failures.length - shown.length;
  return shown.join("; ") + (more > 0 ? ` (and ${more} more)` : "");
}

/**
 * Builds a handler with its own container cache. The exported `handler` is the one Lambda calls;
 * tests build their own with an environment, a log sink and clients of their choosing.
 */
export function createHandler(deps: HandlerDependencies = {}): Handler {
  const env = deps.env ?? process.env;
  const write = deps.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const createClients = deps.createClients ?? createAwsClients;
  let container: Promise<Container> | undefined;

  async function setUp(): Promise<Container> {
    const config = readConfig(env);
    const logger = createJsonLogger(config.logLevel, write);
    const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
    const rulesPath = isAbsolute(config.rulesFile) ? config.rulesFile : join(root, config.rulesFile);
    const rules = await loadRulesFile(rulesPath);
    return { config, rules, clients: createClients(config), logger };
  }

  async function handler(event?: unknown, context?: LambdaContext): Promise<ScanResultJson | FanOutStepOutput> {
    // Configuration and rules are read once per container. A failure is not cached, so the next
    // invocation reads them again (a fixed environment or rules file takes effect without a cold start).
    const pending = container ?? setUp();
    container = pending;
    let setup: Container;
    try {
      setup = await pending;
    } catch (err) {
      container = undefined;
      createJsonLogger("error", write).error("the monitor cannot start", { error: err });
      throw err;
    }

    const { config, rules, clients, logger } = setup;
    const requestId = context?.awsRequestId !== undefined ? { requestId: context.awsRequestId } : {};
    let step: ReturnType<typeof parseFanOutEvent>;
    try {
      step = parseFanOutEvent(event);
    } catch (err) {
      logger.error("the event is not a step this function knows", { ...requestId, error: err });
      throw err;
    }
    if (step !== undefined && step.action !== "scan" && step.action !== "finish") {
      return runFanOutStep(step, {
        config,
        clients,
        logger,
        requestId,
        ...(deps.now !== undefined ? { now: deps.now } : {}),
      });
    }
    let outcome: ScanOutcome;
    try {
      const accountId = accountOf(context?.invokedFunctionArn);
      const remainingTimeMs = context?.getRemainingTimeInMillis?.();
      const finish = step?.action === "finish" ? step : undefined;
      outcome = await runScan(config, rules, {
        clients,
        logger,
        ...(deps.now !== undefined ? { now: deps.now } : {}),
        ...(accountId !== undefined ? { accountId } : {}),
        ...(remainingTimeMs !== undefined ? { remainingTimeMs } : {}),
        ...(finish !== undefined
          ? { collect: () => gatherShards(new S3ObjectStore(clients.s3, fanOutBucket(config)), finish.scanId) }
          : {}),
      });
    } catch (err) {
      logger.error("scan failed", { ...requestId, error: err });
      throw err;
    }

    const { result } = outcome;
    const fields = {
      ...requestId,
      source: result.source,
      complete: result.complete,
      dryRun: result.dryRun,
      durationMs: result.durationMs,
      summary: result.summary,
      ...(result.published !== undefined ? { published: result.published } : {}),
      ...(result.notification !== undefined ? { notification: result.notification } : {}),
    };
    if (outcome.failures.length === 0) {
      logger.info("scan finished", fields);
      return result;
    }
    logger.error(outcome.complete ? "scan finished, publishing failed" : "scan incomplete", {
      ...fields,
      errors: outcome.failures,
    });
    const first = outcome.failures[0]!;
    throw new ScanError(
      first.action ?? "scan",
      `${outcome.complete ? "publishing failed" : "the scan was incomplete"} (${outcome.failures.length} failure${outcome.failures.length === 1 ? "" : "s"}): ${describeFailures(outcome.failures)}`,
      first.code !== undefined ? { code: first.code } : {},
    );
  }
  // Only a step event (which carries `action`) gets a step's output; the overloads say so to callers.
  return handler as Handler;
}

export const handler: Handler = createHandler();
