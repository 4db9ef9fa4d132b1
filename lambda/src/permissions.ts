/**
 * The IAM actions the code calls, per feature. `iam-actions.json` is the single list:
 * the Terraform module builds the function's policy from it, and a unit test checks
 * that every SDK command in src/ appears here and nothing else does.
 */
import actions from "../iam-actions.json";

export type Feature = keyof typeof actions;

export const IAM_ACTIONS_BY_FEATURE: Readonly<Record<Feature, readonly string[]>> = actions;

/** The actions a deployment needs for the given source, and with `capacity` when a scope has `capacity: true`. */
export function requiredActions(source: "ipam" | "ec2", options: { capacity?: boolean } = {}): string[] {
  return [
    ...actions[source],
    ...(options.capacity === true ? actions.capacity : []),
    ...actions.metrics,
    ...actions.notification,
    ...actions.state,
  ];
}
