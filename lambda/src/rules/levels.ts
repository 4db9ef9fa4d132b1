/**
 * Which threshold fields pair up as a warning and a critical level, and which
 * way each pair is crossed. The rules schema says it once, in its
 * `x-level-pairs` annotation on `definitions.thresholds`; the validator's
 * order checks come from here, and the Terraform module reads the same
 * annotation for its plan-time checks and alarm descriptions. A new threshold
 * field therefore needs a schema property and a pair, nothing else.
 */

import type { KeywordDefinition } from "ajv";
import rulesSchemaJson from "../../schema/rules.schema.json";
import type { ThresholdKey } from "../types";

export const LEVEL_PAIRS_KEYWORD = "x-level-pairs";

/**
 * The annotation as Ajv sees it: no effect on validation, but its shape is
 * checked when the schema is compiled, so a malformed pair fails every test.
 */
export const LEVEL_PAIRS_DEFINITION: KeywordDefinition = {
  keyword: LEVEL_PAIRS_KEYWORD,
  schemaType: "array",
  metaSchema: {
    type: "array",
    minItems: 1,
    items: {
      type: "object",
      additionalProperties: false,
      required: ["warning", "critical", "direction", "reads"],
      properties: {
        warning: { type: "string", minLength: 1 },
        critical: { type: "string", minLength: 1 },
        direction: { enum: ["rising", "falling"] },
        equalAllowed: { type: "boolean" },
        reads: { type: "string", pattern: "\\{\\}" },
        alarm: {
          type: "object",
          additionalProperties: false,
          required: ["metric", "suffix"],
          properties: {
            metric: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9]*$" },
            suffix: { type: "string", pattern: "^[a-z][a-z0-9-]*$" },
          },
        },
      },
    },
  },
};

/**
 * - `direction`: "rising" when a resource reaches the level as its measure rises to the threshold
 *   (percent used: warning must be below critical), "falling" when it drops below it (free
 *   addresses: warning must be above critical).
 * - `equalAllowed`: warning may equal critical (then the critical level wins).
 * - `reads`: how a level reads in alarm descriptions, "{}" standing for the threshold.
 * - `alarm`: only for a pair that does not take part in a resource's status (so not in
 *   WarningCount/CriticalCount): the per-scope metric that carries the measure, and the alarm name
 *   suffix. The module then alarms on that metric per level, `<name>-<scope>-<suffix>-<level>`.
 */
export interface LevelPair {
  warning: ThresholdKey;
  critical: ThresholdKey;
  direction: "rising" | "falling";
  equalAllowed: boolean;
  reads: string;
  alarm?: { metric: string; suffix: string };
}

interface RawPair {
  warning: string;
  critical: string;
  direction: "rising" | "falling";
  equalAllowed?: boolean;
  reads: string;
  alarm?: { metric: string; suffix: string };
}

const thresholdsSchema = rulesSchemaJson.definitions.thresholds as unknown as Record<string, unknown>;

/** The field names are checked against the schema's properties and THRESHOLD_KEYS by a unit test. */
export const LEVEL_PAIRS: readonly LevelPair[] = (thresholdsSchema[LEVEL_PAIRS_KEYWORD] as RawPair[]).map((pair) => ({
  warning: pair.warning as ThresholdKey,
  critical: pair.critical as ThresholdKey,
  direction: pair.direction,
  equalAllowed: pair.equalAllowed === true,
  reads: pair.reads,
  ...(pair.alarm ? { alarm: pair.alarm } : {}),
}));

/** Whether a warning and a critical level are in the order the pair needs. */
export function levelsInOrder(pair: LevelPair, warning: number, critical: number): boolean {
  if (warning === critical) return pair.equalAllowed;
  return pair.direction === "rising" ? warning < critical : warning > critical;
}

/**
 * How the order reads from each side: `relation` is where warning must be relative to critical
 * ("below"), `inverse` where critical must be relative to warning ("above").
 */
export function orderWords(pair: LevelPair): { relation: string; inverse: string } {
  const warningLower = pair.direction === "rising";
  if (pair.equalAllowed) {
    return warningLower ? { relation: "at most", inverse: "at least" } : { relation: "at least", inverse: "at most" };
  }
  return warningLower ? { relation: "below", inverse: "above" } : { relation: "above", inverse: "below" };
}
