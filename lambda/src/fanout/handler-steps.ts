/**
 * The function's side of the Step Functions steps other than the final one: run the step, log one
 * line, return its small output. A failure is logged and thrown, so the state machine retries it.
 */
import type { AwsClients } from "../clients";
import type { Config } from "../config";
import type { Logger } from "../log";
import type { FanOutEvent } from "./events";
import { collectShard, fanOutSettings, type PlanOutput, plan, recordShardFailure, type ShardOutput } from "./steps";
import { S3ObjectStore } from "./store";

export type FanOutStepOutput = PlanOutput | ShardOutput;

export interface StepContext {
  config: Config;
  clients: AwsClients;
  logger: Logger;
  requestId: { requestId?: string };
  now?: () => Date;
}

export async function runFanOutStep(
  step: Exclude<FanOutEvent, { action: "scan" } | { action: "finish" }>,
  { config, clients, logger, requestId, now }: StepContext,
): Promise<FanOutStepOutput> {
  const fields = { ...requestId, action: step.action, scanId: step.scanId };
  try {
    const store = new S3ObjectStore(clients.s3, fanOutSettings(config).fanOut.bucket);
    let output: FanOutStepOutput;
    switch (step.action) {
      case "plan":
        output = await plan(config, clients, store, step.scanId, now);
        break;
      case "collect-shard":
        output = await collectShard(config, clients, store, step.scanId, step.shard);
        break;
      case "record-shard-failure":
        output = await recordShardFailure(store, step.scanId, step.shard, step.error);
        logger.error("shard failed after its retries", { ...fields, shard: step.shard.index, error: step.error });
        break;
    }
    logger.info("step finished", { ...fields, ...output });
    return output;
  } catch (err) {
    logger.error("step failed", { ...fields, error: err });
    throw err;
  }
}
