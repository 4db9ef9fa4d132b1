/**
 * The time a scan may spend collecting. Every collecting call is sent with the deadline's signal,
 * so a call still waiting when the time is up is aborted, and no new page is asked for after it:
 * the scan then publishes what is safe from what it read (a partial scan) instead of being killed
 * with nothing published (a Lambda at its timeout) or waiting forever (a hung endpoint).
 */
import { ScanError } from "../errors";

export interface Deadline {
  /** Aborted when the time is up. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds after which nothing new starts; Infinity without a limit. */
  readonly at: number;
  /** What set the limit, for messages: "the scan timeout of 480 s (SCAN_TIMEOUT_SECONDS)". */
  readonly reason: string;
  expired(): boolean;
  /** Stops the timer; the signal stays as it is. */
  dispose(): void;
}

/** A deadline that never comes: dry library calls and tests that need none. */
export const NO_DEADLINE: Deadline = Object.freeze({
  signal: new AbortController().signal,
  at: Number.POSITIVE_INFINITY,
  reason: "no time limit",
  expired: () => false,
  dispose: () => undefined,
});

/** What a deadline bounds: collecting (then what was read is published) or publishing (then the run ends). */
export type Phase = "collecting" | "publishing";

/**
 * A deadline at `at` (epoch ms). The timer is unref'd, so an unused deadline never keeps a CLI
 * process alive; `dispose` clears it when the scan ends first.
 */
export function deadlineAt(
  at: number,
  reason: string,
  now: () => number = Date.now,
  phase: Phase = "collecting",
): Deadline {
  const controller = new AbortController();
  const abort = (): void => controller.abort(new ScanTimeoutError(phase, reason, phase));
  const delay = at - now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (delay <= 0) abort();
  else {
    timer = setTimeout(abort, Math.min(delay, 2 ** 31 - 1));
    timer.unref?.();
  }
  return {
    signal: controller.signal,
    at,
    reason,
    expired: () => controller.signal.aborted || now() >= at,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** The scan ran out of time while `action` was under way, or before it started. */
export class ScanTimeoutError extends ScanError {
  readonly phase: Phase;
  readonly reason: string;
  constructor(action: string, reason: string, phase: Phase = "collecting") {
    super(action, `${action} was stopped: the time for ${phase} ran out (${reason})`, { code: "ScanTimeout" });
    this.phase = phase;
    this.reason = reason;
  }
}

/** Throws ScanTimeoutError when the deadline has passed: checked before every call and page. */
export function checkDeadline(deadline: Deadline, action: string): void {
  if (deadline.expired()) throw new ScanTimeoutError(action, deadline.reason);
}
