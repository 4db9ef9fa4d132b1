/**
 * Reading the data a rules file parsed to, before it is known to be valid: every value may be of any
 * type, so fields are read only from plain objects and only when they are the object's own.
 */
import { THRESHOLD_KEYS, type ThresholdKey } from "../types";

export type Data = Record<string, unknown>;

export function isRecord(value: unknown): value is Data {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `record[key]` when the record has that key of its own; a key such as "constructor" is not inherited. */
export function own(record: Data | undefined, key: string): unknown {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The threshold fields a scope sets to null: switched off rather than inherited from defaults. */
export function switchedOff(value: unknown): ThresholdKey[] {
  if (!isRecord(value)) return [];
  return THRESHOLD_KEYS.filter((key) => Object.hasOwn(value, key) && value[key] === null);
}
