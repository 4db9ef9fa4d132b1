/**
 * The plausibility gate: an answer can be well formed and still wrong. A unit (an IPAM scope, an
 * EC2 region) that suddenly returns far fewer resources than its last complete scan — a filter
 * gone wrong on the server, a half-synchronised IPAM, a role that sees less than it did — would
 * otherwise turn every missing finding into "recovered (no longer found)" and move alarms to OK.
 * So a drop of more than `maxDropPercent`, or to zero, makes the unit partial; a real mass deletion
 * is accepted once `confirmations` consecutive scans have seen it. It then costs one delayed
 * recovery message, never a false one.
 *
 * Pure: the counts of the last complete scan come in, the counts to keep go out; the caller
 * keeps them with the notified state, so the Lambda and the CLI with --state-table share them.
 */
import type { ScanFailure, UnitReport } from "../types";
import { unitTarget } from "./unit-target";

export interface PlausibilityOptions {
  /** A count falling by more than this percent of the baseline is implausible (1–100). */
  maxDropPercent: number;
  /** Consecutive scans that must see the drop before it is accepted; 1 accepts it at once. */
  confirmations: number;
}

export const DEFAULT_PLAUSIBILITY: Readonly<PlausibilityOptions> = Object.freeze({
  maxDropPercent: 50,
  confirmations: 2,
});

/** What the last complete scan of a unit returned, kept between scans. */
export interface UnitBaseline {
  /** Distinct resource CIDRs. */
  resources: number;
  /** Pages read: the next scan's page ceiling is a multiple of it. */
  pages: number;
  /** IPAM of an IPAM scope: a scope of an IPAM read now but not listed any more is judged as empty. */
  ipamId?: string;
  /** A drop seen by the last scans and not yet accepted. */
  drop?: {
    /** The count the last scan saw. */
    resources: number;
    /** Consecutive scans that saw a drop, that one included. */
    scans: number;
  };
}

export type Baselines = Record<string, UnitBaseline>;

export interface GateOutcome {
  /** The reports with `complete` false for every unit the gate held back. */
  units: UnitReport[];
  /** One ImplausibleDrop failure per unit held back. */
  failures: ScanFailure[];
  /** What to keep for the next scan. */
  baselines: Baselines;
  /** Drops accepted by this scan, for the log: "ipam-scope/…: 41 → 3 after 2 scans". */
  accepted: string[];
}

function isDrop(before: number, now: number, maxDropPercent: number): boolean {
  if (before <= 0) return false;
  if (now === 0) return true;
  return now < before * (1 - maxDropPercent / 100);
}

function percentDrop(before: number, now: number): number {
  return Math.round(((before - now) / before) * 100);
}

function baselineOf(report: UnitReport): UnitBaseline {
  const baseline: UnitBaseline = { resources: report.resources, pages: report.pages };
  if (report.unit.ipamId !== undefined) baseline.ipamId = report.unit.ipamId;
  return baseline;
}

/**
 * Judges each complete unit against its baseline. A unit that was not complete keeps its baseline
 * (and any pending drop) untouched: what a failed read returned says nothing about the network.
 * Units with a baseline that this scan did not report at all (a Region no longer configured) are
 * forgotten; the collectors report the ones whose absence is itself suspicious (see ipam.ts).
 */
export function judgeUnits(
  reports: readonly UnitReport[],
  previous: Baselines | undefined,
  options: PlausibilityOptions = DEFAULT_PLAUSIBILITY,
): GateOutcome {
  const units: UnitReport[] = [];
  const failures: ScanFailure[] = [];
  const baselines: Baselines = {};
  const accepted: string[] = [];

  for (const report of reports) {
    const key = report.unit.key;
    const before = previous?.[key];
    if (!report.complete) {
      units.push(report);
      if (before !== undefined) baselines[key] = before;
      continue;
    }
    if (before === undefined || !isDrop(before.resources, report.resources, options.maxDropPercent)) {
      units.push(report);
      baselines[key] = baselineOf(report);
      continue;
    }
    const scans = (before.drop?.scans ?? 0) + 1;
    if (scans >= options.confirmations) {
      units.push(report);
      baselines[key] = baselineOf(report);
      accepted.push(`${key}: ${before.resources} → ${report.resources} after ${scans} scans`);
      continue;
    }
    units.push({ ...report, complete: false });
    baselines[key] = { ...before, drop: { resources: report.resources, scans } };
    const left = options.confirmations - scans;
    failures.push({
      target: unitTarget(report.unit),
      code: "ImplausibleDrop",
      unit: key,
      message:
        `returned ${report.resources} resource CIDRs where the last complete scan had ${before.resources} ` +
        `(${report.resources === 0 ? "none left" : `${percentDrop(before.resources, report.resources)}% fewer`}); ` +
        `counted as partial until ${left} more scan${left === 1 ? "" : "s"} in a row see${left === 1 ? "s" : ""} the drop ` +
        "(PLAUSIBILITY_MAX_DROP_PERCENT, PLAUSIBILITY_CONFIRMATIONS)",
    });
  }
  return { units, failures, baselines, accepted };
}
