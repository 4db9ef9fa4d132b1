/**
 * The inventory the preview tests evaluate base.yaml and head.yaml against (fixtures/preview):
 *   subnet-…a1 env=prod        80% used  warning → critical (critical lowered to 75)
 *   subnet-…a2 env=prod        65% used  ok → warning (warning lowered to 60)
 *   subnet-…a3 env=production  90% used  uncovered → critical (the tag list now covers it)
 *   subnet-…a4 env=dev         10% used  ok in dev → ok in development (renamed)
 *   subnet-…a5 team=legacy     95% used  critical in legacy → covered by no scope (legacy removed)
 *   subnet-…a6 env=prod        90% used  critical before and after
 */
import type { ResourceCidr } from "../../src/types";
import { subnet } from "../history/fixtures";

export const IDS = {
  warningToCritical: "subnet-00000000000000a1",
  okToWarning: "subnet-00000000000000a2",
  newlyCovered: "subnet-00000000000000a3",
  renamedScope: "subnet-00000000000000a4",
  newlyUncovered: "subnet-00000000000000a5",
  staysCritical: "subnet-00000000000000a6",
} as const;

function at(id: string, percent: number, tags: Record<string, string>, third: number): ResourceCidr {
  return subnet(id, Math.round((251 * percent) / 100), { tags, name: `app-${third}` }, `10.0.${third}.0/24`);
}

export function inventory(): ResourceCidr[] {
  return [
    at(IDS.warningToCritical, 80, { env: "prod" }, 1),
    at(IDS.okToWarning, 65, { env: "prod" }, 2),
    at(IDS.newlyCovered, 90, { env: "production" }, 3),
    at(IDS.renamedScope, 10, { env: "dev" }, 4),
    at(IDS.newlyUncovered, 95, { team: "legacy" }, 5),
    at(IDS.staysCritical, 90, { env: "prod" }, 6),
  ];
}
