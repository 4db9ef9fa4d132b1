/**
 * Notification de-duplication: the state last notified and what changed since. A resource that
 * stays critical is reported once, when it gets there, and again when it improves, recovers or
 * stops being measured — not on every run. Pure; state-store.ts keeps the state between runs.
 * See docs/notifications.md for the design and the alternatives.
 */
import { zoneKey } from "../capacity/zones";
import type { Baselines } from "../collect/plausibility";
import { isScopeComplete } from "../scope-completeness";
import { STATUS_RANK, worseStatus } from "../status";
import type { Evaluation, Status } from "../types";

/** A resource that is not ok, as last notified. */
export interface NotifiedResource {
  status: Exclude<Status, "ok">;
  /** The last measured utilization and free addresses (of its worst CIDR). */
  utilization?: number;
  free?: bigint;
  /** ISO time since when its level is held from its last measurement (see hold.ts). */
  heldSince?: string;
}

export interface NotifiedScope {
  /** Worst status of the scope. */
  status: Status;
  /** Resources not ok, by resource id (a resource with several CIDRs counts with its worst one). */
  resources: Record<string, NotifiedResource>;
}

export interface NotifiedState {
  scopes: Record<string, NotifiedScope>;
  /** Resource counts and pages per collection unit of the last complete scan (collect/plausibility.ts). */
  units?: Baselines;
}

/**
 * The state of the current scan, with the ids it actually saw per scope. `seen` tells "seen and ok"
 * from "not seen" on a partial scan; it is never saved.
 */
export interface ObservedState extends NotifiedState {
  seen: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface ResourceChange {
  resourceId: string;
  /** Status last notified; undefined for a resource that is new in trouble. */
  from?: Status;
  to: Status;
  /** The measurement it was notified with now: for a held resource, the last one it had. */
  utilization?: number;
  free?: bigint;
  /** Recovered because a complete scan no longer found it (deleted, or out of the scope's match). */
  noLongerFound?: boolean;
  /** Since when its level is held (no longer measured), or was held (hold expired). */
  heldSince?: string;
}

export interface ScopeChanges {
  scope: string;
  /** Scope status last notified; undefined when the scope was not in the saved state. */
  from?: Status;
  to: Status;
  /** Not in trouble before, in trouble now. */
  newInTrouble: ResourceChange[];
  /** In trouble before and worse now (warning → critical, unknown → warning, …). */
  worsened: ResourceChange[];
  /** Still in trouble, but less (critical → warning, …). */
  improved: ResourceChange[];
  /** In trouble before; now ok, or gone after a complete scan. */
  recovered: ResourceChange[];
  /** Measured at warning or critical before, not measured now: its level is held. */
  noLongerMeasured: ResourceChange[];
  /** Held before and still not measured when the hold ran out: now unknown. */
  holdExpired: ResourceChange[];
  /** Had resources in trouble before and has none now. */
  recoveredEntirely: boolean;
}

export interface StateChanges {
  /** True when nothing was saved before, so everything in trouble is new. */
  firstRun: boolean;
  /** Only scopes with at least one change, in the order of the rules file. */
  scopes: ScopeChanges[];
}

export interface DiffOptions {
  /** False after a partial scan: resources that were not seen keep their last notified status. */
  complete: boolean;
  /** After a partial scan, the scopes that could hold what failed; the others are judged as complete. Absent: all. */
  incompleteScopes?: ReadonlySet<string> | undefined;
}

/** The state to compare and (after merging) to save, from one evaluation. */
export function stateFromEvaluation(evaluation: Evaluation): ObservedState {
  const scopes: Record<string, NotifiedScope> = {};
  const seen = new Map<string, Set<string>>();
  for (const scope of evaluation.scopes) {
    const resources: Record<string, NotifiedResource> = {};
    const ids = new Set<string>();
    for (const e of scope.evaluations) {
      const id = e.resource.resourceId;
      ids.add(id);
      if (e.status === "ok") continue;
      const previous = resources[id];
      // Evaluations are sorted worst first, so the first CIDR of a resource is its worst.
      if (previous !== undefined && STATUS_RANK[previous.status] <= STATUS_RANK[e.status]) continue;
      const entry: NotifiedResource = { status: e.status };
      // A held resource is remembered with the measurement it was last seen with, and since when.
      const utilization = e.held !== undefined ? e.held.utilization : e.resource.utilization;
      const free = e.held !== undefined ? e.held.free : e.resource.free;
      if (utilization !== undefined && Number.isFinite(utilization)) entry.utilization = utilization;
      if (free !== undefined) entry.free = free;
      if (e.held !== undefined) entry.heldSince = e.held.since;
      resources[id] = entry;
    }
    // Zones in trouble are notified like resources: new, worse, better, recovered.
    for (const zone of scope.zones ?? []) {
      const id = zoneKey(zone.availabilityZoneId);
      ids.add(id);
      if (zone.status !== "ok") resources[id] = { status: zone.status, free: zone.freeAddresses };
    }
    scopes[scope.name] = { status: scope.status, resources };
    seen.set(scope.name, ids);
  }
  return { scopes, seen };
}

function isObserved(state: NotifiedState): state is ObservedState {
  return (state as Partial<ObservedState>).seen instanceof Map;
}

function wasSeen(current: NotifiedState, scope: string, resourceId: string): boolean {
  if (current.scopes[scope]?.resources[resourceId] !== undefined) return true;
  return isObserved(current) ? (current.seen.get(scope)?.has(resourceId) ?? false) : false;
}

function worstOf(resources: Record<string, NotifiedResource>, base: Status): Status {
  let worst = base;
  for (const r of Object.values(resources)) worst = worseStatus(worst, r.status);
  return worst;
}

/**
 * What to save after this scan. After a complete scan, the current state. After a partial one,
 * resources the scan did not see keep their last notified entry (they are not known to have
 * recovered), and scopes missing from the rules are kept until a complete scan drops them.
 * The unit counts are the caller's to add.
 */
export function mergeForSave(
  previous: NotifiedState | undefined,
  current: NotifiedState,
  options: DiffOptions,
): NotifiedState {
  const scopes: Record<string, NotifiedScope> = {};
  for (const [name, scope] of Object.entries(current.scopes)) {
    const resources: Record<string, NotifiedResource> = { ...scope.resources };
    const before = previous?.scopes[name];
    const scopeComplete = isScopeComplete(name, options);
    if (!scopeComplete && before !== undefined) {
      for (const [id, entry] of Object.entries(before.resources)) {
        if (!wasSeen(current, name, id)) resources[id] = entry;
      }
    }
    scopes[name] = { status: scopeComplete ? scope.status : worstOf(resources, scope.status), resources };
  }
  if (!options.complete && previous !== undefined) {
    for (const [name, scope] of Object.entries(previous.scopes)) {
      if (scopes[name] === undefined) scopes[name] = scope;
    }
  }
  return { scopes };
}

function change(
  resourceId: string,
  from: Status | undefined,
  to: Status,
  entry: NotifiedResource | undefined,
): ResourceChange {
  const c: ResourceChange = { resourceId, to };
  if (from !== undefined) c.from = from;
  if (entry?.utilization !== undefined) c.utilization = entry.utilization;
  if (entry?.free !== undefined) c.free = entry.free;
  return c;
}

function countOf(changes: ScopeChanges): number {
  return (
    changes.newInTrouble.length +
    changes.worsened.length +
    changes.improved.length +
    changes.recovered.length +
    changes.noLongerMeasured.length +
    changes.holdExpired.length
  );
}

/**
 * What changed since the last notification, per scope of the current rules. Scopes that left the
 * rules file are not reported: they did not recover, they are no longer watched.
 */
export function diffStates(
  previous: NotifiedState | undefined,
  current: NotifiedState,
  options: DiffOptions,
): StateChanges {
  const effective = mergeForSave(previous, current, options);
  const scopes: ScopeChanges[] = [];

  for (const name of Object.keys(current.scopes)) {
    const now = effective.scopes[name]!;
    const before = previous?.scopes[name];
    const beforeResources = before?.resources ?? {};
    const changes: ScopeChanges = {
      scope: name,
      to: now.status,
      newInTrouble: [],
      worsened: [],
      improved: [],
      recovered: [],
      noLongerMeasured: [],
      holdExpired: [],
      recoveredEntirely: false,
    };
    if (before !== undefined) changes.from = before.status;

    for (const [id, entry] of Object.entries(now.resources)) {
      const was = beforeResources[id];
      if (was === undefined) {
        changes.newInTrouble.push(change(id, undefined, entry.status, entry));
      } else if (entry.heldSince !== undefined && was.heldSince === undefined) {
        // Reported once, when it happens; a held level that later changes is reported as any change.
        const c = change(id, was.status, entry.status, entry);
        c.heldSince = entry.heldSince;
        changes.noLongerMeasured.push(c);
      } else if (was.heldSince !== undefined && entry.heldSince === undefined && entry.status === "unknown") {
        const c = change(id, was.status, entry.status, was);
        c.heldSince = was.heldSince;
        changes.holdExpired.push(c);
      } else if (STATUS_RANK[entry.status] < STATUS_RANK[was.status]) {
        changes.worsened.push(change(id, was.status, entry.status, entry));
      } else if (STATUS_RANK[entry.status] > STATUS_RANK[was.status]) {
        changes.improved.push(change(id, was.status, entry.status, entry));
      }
    }
    for (const [id, was] of Object.entries(beforeResources)) {
      if (now.resources[id] !== undefined) continue;
      const recovered = change(id, was.status, "ok", undefined);
      if (!wasSeen(current, name, id)) recovered.noLongerFound = true;
      changes.recovered.push(recovered);
    }
    changes.recoveredEntirely = Object.keys(beforeResources).length > 0 && Object.keys(now.resources).length === 0;

    if (countOf(changes) > 0 || changes.recoveredEntirely) scopes.push(changes);
  }
  return { firstRun: previous === undefined, scopes };
}

/** True when there is anything to notify. */
export function hasChanges(changes: StateChanges): boolean {
  return changes.scopes.length > 0;
}
