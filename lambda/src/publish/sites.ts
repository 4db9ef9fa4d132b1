/**
 * Where each publishing call is made: the action, its IAM service and its target. The publishers'
 * errors and the scan's failures are built from these, so a failure names the exact permission to
 * grant and the same target whichever path reported it.
 */
import type { Config } from "../config";

/** A call as a failure names it (a FailureSite, and what an AwsCallError carries). */
export interface CallSite {
  action: string;
  service: string;
  target: string;
}

export type TableAction = "GetItem" | "PutItem" | "UpdateItem" | "DeleteItem";
export type PublishAction = "PutMetricData" | "Publish" | TableAction;

export function metricsSite(namespace: string): CallSite {
  return { action: "PutMetricData", service: "cloudwatch", target: `namespace ${namespace}` };
}

export function topicSite(topicArn: string | undefined): CallSite {
  return { action: "Publish", service: "sns", target: `topic ${topicArn ?? "(none)"}` };
}

/** `table` is undefined for a state store that is not a table (the CLI's in-memory one). */
export function tableSite(table: string | undefined, action: TableAction): CallSite {
  return { action, service: "dynamodb", target: `table ${table ?? "(state store)"}` };
}

export function publishSite(
  config: Pick<Config, "metricsNamespace" | "snsTopicArn" | "stateTable">,
  action: PublishAction,
): CallSite {
  switch (action) {
    case "PutMetricData":
      return metricsSite(config.metricsNamespace);
    case "Publish":
      return topicSite(config.snsTopicArn);
    default:
      return tableSite(config.stateTable, action);
  }
}
