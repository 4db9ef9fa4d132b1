/**
 * The events the Step Functions state machine sends the function, one per step. An event without
 * `action` (the EventBridge schedule's, an empty test event) is a whole scan, as ever. A malformed
 * step event is refused with an error naming the field, so a broken definition fails loudly.
 */
import type { AccountTarget } from "../collect/accounts";
import { IpamMonitorError } from "../errors";
import type { Shard } from "./plan";
import { SCAN_ID } from "./store";

export type FanOutEvent =
  | { action: "scan" }
  | { action: "plan"; scanId: string }
  | { action: "collect-shard"; scanId: string; shard: Shard }
  | { action: "record-shard-failure"; scanId: string; shard: Shard; error: { error: string; cause: string } }
  | { action: "finish"; scanId: string };

export const FAN_OUT_ACTIONS = ["scan", "plan", "collect-shard", "record-shard-failure", "finish"] as const;

/** A step event the function cannot act on. */
export class EventError extends IpamMonitorError {}

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function scanIdOf(event: Record<string, unknown>): string {
  const scanId = event.scanId;
  if (typeof scanId !== "string" || !SCAN_ID.test(scanId)) {
    throw new EventError(
      `event.scanId must be 1-80 letters, digits, - or _ (the execution name), not ${JSON.stringify(scanId)}`,
    );
  }
  return scanId;
}

function accountOf(value: unknown, where: string): AccountTarget {
  if (!isObject(value) || typeof value.accountId !== "string" || !ACCOUNT_ID.test(value.accountId)) {
    throw new EventError(`${where}.accountId must be a 12-digit account id`);
  }
  if (typeof value.own !== "boolean") throw new EventError(`${where}.own must be true or false`);
  const account: AccountTarget = { accountId: value.accountId, own: value.own };
  if (typeof value.name === "string" && value.name !== "") account.name = value.name;
  return account;
}

function shardOf(value: unknown): Shard {
  if (!isObject(value)) throw new EventError("event.shard must be an object (an item of the plan)");
  const { index, accounts, regions } = value;
  if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0) {
    throw new EventError("event.shard.index must be a whole number ≥ 0");
  }
  if (!Array.isArray(accounts) || accounts.length === 0)
    throw new EventError("event.shard.accounts must be a non-empty list");
  if (
    !Array.isArray(regions) ||
    regions.length === 0 ||
    !regions.every((r) => typeof r === "string" && REGION.test(r))
  ) {
    throw new EventError("event.shard.regions must be a non-empty list of Region names");
  }
  return {
    index,
    accounts: accounts.map((a, i) => accountOf(a, `event.shard.accounts[${i}]`)),
    regions: regions as string[],
  };
}

/** Step Functions' Catch output: { Error, Cause }, the Cause of a Lambda error being its JSON. */
function errorOf(value: unknown): { error: string; cause: string } {
  if (!isObject(value)) return { error: "Unknown", cause: "the state machine passed no error" };
  const error = typeof value.Error === "string" ? value.Error : "Unknown";
  let cause = typeof value.Cause === "string" ? value.Cause : "";
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === "string") cause = parsed.errorMessage;
  } catch {
    // A Cause that is not JSON (a timeout, a States.* error) is kept as it is.
  }
  return { error, cause };
}

/** The step an event asks for, or undefined for a whole scan. */
export function parseFanOutEvent(event: unknown): FanOutEvent | undefined {
  if (!isObject(event) || event.action === undefined) return undefined;
  switch (event.action) {
    case "scan":
      return { action: "scan" };
    case "plan":
      return { action: "plan", scanId: scanIdOf(event) };
    case "collect-shard":
      return { action: "collect-shard", scanId: scanIdOf(event), shard: shardOf(event.shard) };
    case "record-shard-failure":
      return {
        action: "record-shard-failure",
        scanId: scanIdOf(event),
        shard: shardOf(event.shard),
        error: errorOf(event.error),
      };
    case "finish":
      return { action: "finish", scanId: scanIdOf(event) };
    default:
      throw new EventError(`event.action ${JSON.stringify(event.action)} is not one of ${FAN_OUT_ACTIONS.join(", ")}`);
  }
}
