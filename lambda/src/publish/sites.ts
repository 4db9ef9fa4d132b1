/**
 * Where each publishing call is made, so a failure names the exact IAM permission and its target
 * even when the error itself does not carry them (the publishers' AwsCallErrors do).
 */
import type { FailureSite } from "../collect/aws-error";
import type { Config } from "../config";

export type PublishAction = "PutMetricData" | "Publish" | "GetItem" | "PutItem" | "UpdateItem";

export function publishSite(
  config: Pick<Config, "metricsNamespace" | "snsTopicArn" | "stateTable">,
  action: PublishAction,
): FailureSite {
  switch (action) {
    case "PutMetricData":
      return { action, service: "cloudwatch", target: `namespace ${config.metricsNamespace}` };
    case "Publish":
      return { action, service: "sns", target: `topic ${config.snsTopicArn ?? "(none)"}` };
    default:
      return { action, service: "dynamodb", target: `table ${config.stateTable ?? "(state store)"}` };
  }
}
