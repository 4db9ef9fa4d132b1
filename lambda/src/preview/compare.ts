/**
 * What a rules change does: two evaluations of the same inventory, one under the rules on the base
 * branch and one under the pull request's, compared scope by scope and resource by resource. Pure.
 *
 * A scope keeps its identity by name; a scope removed and another added with exactly the same match
 * and exclude is a rename (its alarms are destroyed and created under the new name, and its
 * resources are compared across the two names).
 */
import { seriesKey } from "../history/format";
import { STATUS_RANK } from "../status";
import type { Evaluation, MatchSpec, ResourceCidr, ScopeResult, ScopeRule, Status } from "../types";

export const PREVIEW_SCHEMA_VERSION = 1;

/** A status in a scope, or null: the resource is not in the scope under those rules. */
export type PreviewStatus = Status | null;

export interface PreviewScopeJson {
  /** The scope's name under the head rules (under the base rules when removed). */
  name: string;
  /** Its name under the base rules, when renamed. */
  renamedFrom?: string;
  change: "added" | "removed" | "renamed" | "changed" | "unchanged";
  oldStatus: Status | null;
  newStatus: Status | null;
  oldCounts: Record<Status, number> | null;
  newCounts: Record<Status, number> | null;
  oldResourceCount: number | null;
  newResourceCount: number | null;
}

export interface PreviewChangeJson {
  resourceId: string;
  cidr: string;
  resourceType: string;
  name?: string;
  ownerId?: string;
  region?: string;
  /** The head scope (the base scope for a removed one). */
  scope: string;
  from: PreviewStatus;
  to: PreviewStatus;
  /** Why it is at `to` under the head rules (or at `from`, when it leaves the scope). */
  reason?: string;
}

export interface PreviewJson {
  schemaVersion: typeof PREVIEW_SCHEMA_VERSION;
  base: { file: string; scopes: number };
  head: { file: string; scopes: number };
  inventory: {
    /** history: the latest snapshot of the scan history; ipam or ec2: read live. */
    source: "history" | "ipam" | "ec2";
    location?: string;
    scannedAt: string;
    resources: number;
    complete: boolean;
  };
  summary: {
    changes: number;
    newCritical: number;
    newWarning: number;
    improved: number;
    newlyUncovered: number;
    newlyCovered: number;
  };
  scopes: PreviewScopeJson[];
  /** Every resource whose status in a scope changes, worst change first. */
  changes: PreviewChangeJson[];
  coverage: { newlyUncovered: string[]; newlyCovered: string[] };
  scopesAdded: string[];
  scopesRemoved: string[];
  scopesRenamed: { from: string; to: string }[];
  /** Scopes of the head rules that match nothing in the inventory. */
  noMatch: string[];
}

export interface PreviewSide {
  file: string;
  scopes: readonly ScopeRule[];
  evaluation: Evaluation;
}

/** Statuses worst first, with "not in the scope" counted as ok: leaving a scope is no worse than ok. */
function rank(status: PreviewStatus): number {
  return status === null ? STATUS_RANK.ok : STATUS_RANK[status];
}

/** A change makes things worse when the new status ranks worse than the old one. */
export function isWorse(change: Pick<PreviewChangeJson, "from" | "to">): boolean {
  return rank(change.to) < rank(change.from);
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return [...value].map(sortedKeys).sort((a, b) => (String(a) < String(b) ? -1 : 1));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** match and exclude as one comparable text: the order of list items and keys does not matter. */
function matchIdentity(scope: ScopeRule): string {
  const spec = (s: MatchSpec | undefined) => sortedKeys(s ?? {});
  return JSON.stringify([spec(scope.match), spec(scope.exclude)]);
}

/** Base scope name → head scope name, for every base scope that lives on (by name or renamed). */
function pairScopes(base: readonly ScopeRule[], head: readonly ScopeRule[]) {
  const headNames = new Set(head.map((s) => s.name));
  const baseNames = new Set(base.map((s) => s.name));
  const added = head.filter((s) => !baseNames.has(s.name));
  const removed = base.filter((s) => !headNames.has(s.name));
  const renamed: { from: string; to: string }[] = [];
  const unclaimed = new Map<string, ScopeRule[]>();
  for (const scope of added) {
    const key = matchIdentity(scope);
    unclaimed.set(key, [...(unclaimed.get(key) ?? []), scope]);
  }
  for (const scope of removed) {
    const candidates = unclaimed.get(matchIdentity(scope));
    const target = candidates?.shift();
    if (target !== undefined) renamed.push({ from: scope.name, to: target.name });
  }
  const renamedFrom = new Set(renamed.map((r) => r.from));
  const renamedTo = new Set(renamed.map((r) => r.to));
  return {
    renamed,
    added: added.filter((s) => !renamedTo.has(s.name)).map((s) => s.name),
    removed: removed.filter((s) => !renamedFrom.has(s.name)).map((s) => s.name),
  };
}

interface Entry {
  resource: ResourceCidr;
  status: Status;
  reason: string;
}

function entries(scope: ScopeResult | undefined): Map<string, Entry> {
  const byKey = new Map<string, Entry>();
  for (const e of scope?.evaluations ?? []) {
    byKey.set(seriesKey(e.resource.resourceId, e.resource.cidr), {
      resource: e.resource,
      status: e.status,
      reason: e.reason,
    });
  }
  return byKey;
}

function changeEntry(
  scope: string,
  resource: ResourceCidr,
  from: PreviewStatus,
  to: PreviewStatus,
  reason: string | undefined,
): PreviewChangeJson {
  const change: PreviewChangeJson = {
    resourceId: resource.resourceId,
    cidr: resource.cidr,
    resourceType: resource.resourceType,
    scope,
    from,
    to,
  };
  if (resource.name !== undefined) change.name = resource.name;
  if (resource.ownerId !== undefined) change.ownerId = resource.ownerId;
  if (resource.region !== undefined) change.region = resource.region;
  if (reason !== undefined) change.reason = reason;
  return change;
}

/**
 * Worst first: changes for the worse before the others; among them the worse new status first,
 * then the bigger step (ok → critical before warning → critical); then by scope, resource and CIDR.
 */
export function compareChanges(a: PreviewChangeJson, b: PreviewChangeJson): number {
  const worse = Number(isWorse(b)) - Number(isWorse(a));
  if (worse !== 0) return worse;
  const to = rank(a.to) - rank(b.to);
  if (to !== 0) return to;
  const from = rank(b.from) - rank(a.from);
  if (from !== 0) return from;
  if (a.scope !== b.scope) return a.scope < b.scope ? -1 : 1;
  if (a.resourceId !== b.resourceId) return a.resourceId < b.resourceId ? -1 : 1;
  return a.cidr < b.cidr ? -1 : a.cidr > b.cidr ? 1 : 0;
}

/** Resource ids of the given CIDRs, each once, sorted. */
function ids(resources: Iterable<ResourceCidr>): string[] {
  return [...new Set([...resources].map((r) => r.resourceId))].sort();
}

function scopeCounts(scope: ScopeResult): Record<Status, number> {
  return { ...scope.counts };
}

export function comparePreview(base: PreviewSide, head: PreviewSide, inventory: PreviewJson["inventory"]): PreviewJson {
  const { renamed, added, removed } = pairScopes(base.scopes, head.scopes);
  const baseByName = new Map(base.evaluation.scopes.map((s) => [s.name, s]));
  const oldNameOf = new Map(renamed.map((r) => [r.to, r.from]));

  const scopes: PreviewScopeJson[] = [];
  const changes: PreviewChangeJson[] = [];

  const compare = (name: string, before: ScopeResult | undefined, after: ScopeResult | undefined): void => {
    const old = entries(before);
    const now = entries(after);
    for (const [key, entry] of now) {
      const from = old.get(key)?.status ?? null;
      const to = entry.status;
      // Entering a scope at ok changes no alarm: the scope's counts say it, coverage says the rest.
      if (from === to || (from === null && to === "ok")) continue;
      changes.push(changeEntry(name, entry.resource, from, to, entry.reason));
    }
    for (const [key, entry] of old) {
      if (now.has(key) || entry.status === "ok") continue;
      changes.push(changeEntry(name, entry.resource, entry.status, null, entry.reason));
    }
  };

  for (const after of head.evaluation.scopes) {
    const oldName = oldNameOf.get(after.name) ?? after.name;
    const before = baseByName.get(oldName);
    compare(after.name, before, after);
    const renamedScope = oldNameOf.has(after.name);
    const same =
      before !== undefined &&
      before.status === after.status &&
      before.resourceCount === after.resourceCount &&
      JSON.stringify(before.counts) === JSON.stringify(after.counts);
    const entry: PreviewScopeJson = {
      name: after.name,
      change: before === undefined ? "added" : renamedScope ? "renamed" : same ? "unchanged" : "changed",
      oldStatus: before?.status ?? null,
      newStatus: after.status,
      oldCounts: before !== undefined ? scopeCounts(before) : null,
      newCounts: scopeCounts(after),
      oldResourceCount: before?.resourceCount ?? null,
      newResourceCount: after.resourceCount,
    };
    if (renamedScope) entry.renamedFrom = oldName;
    scopes.push(entry);
  }
  for (const name of removed) {
    const before = baseByName.get(name)!;
    compare(name, before, undefined);
    scopes.push({
      name,
      change: "removed",
      oldStatus: before.status,
      newStatus: null,
      oldCounts: scopeCounts(before),
      newCounts: null,
      oldResourceCount: before.resourceCount,
      newResourceCount: null,
    });
  }
  changes.sort(compareChanges);

  const baseUncovered = new Set(base.evaluation.uncovered.map((r) => seriesKey(r.resourceId, r.cidr)));
  const headUncovered = new Set(head.evaluation.uncovered.map((r) => seriesKey(r.resourceId, r.cidr)));
  const newlyUncovered = ids(
    head.evaluation.uncovered.filter((r) => !baseUncovered.has(seriesKey(r.resourceId, r.cidr))),
  );
  const newlyCovered = ids(
    base.evaluation.uncovered.filter((r) => !headUncovered.has(seriesKey(r.resourceId, r.cidr))),
  );

  const newCritical = changes.filter((c) => c.to === "critical" && c.from !== "critical").length;
  const newWarning = changes.filter((c) => c.to === "warning" && isWorse(c)).length;
  return {
    schemaVersion: PREVIEW_SCHEMA_VERSION,
    base: { file: base.file, scopes: base.scopes.length },
    head: { file: head.file, scopes: head.scopes.length },
    inventory,
    summary: {
      changes: changes.length,
      newCritical,
      newWarning,
      improved: changes.filter((c) => !isWorse(c)).length,
      newlyUncovered: newlyUncovered.length,
      newlyCovered: newlyCovered.length,
    },
    scopes,
    changes,
    coverage: { newlyUncovered, newlyCovered },
    scopesAdded: added,
    scopesRemoved: removed,
    scopesRenamed: renamed,
    noMatch: [...head.evaluation.scopesWithoutMatches],
  };
}

/** What `--fail-on` can ask for. */
export const PREVIEW_FAIL_ON = ["new-critical", "new-warning", "no-match", "uncovered"] as const;
export type PreviewFailOn = (typeof PREVIEW_FAIL_ON)[number];

/** The --fail-on conditions the preview meets, each with the sentence that explains it. */
export function previewFailures(preview: PreviewJson, failOn: readonly PreviewFailOn[]): string[] {
  const reasons: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  for (const condition of failOn) {
    if (condition === "new-critical" && preview.summary.newCritical > 0) {
      reasons.push(`${plural(preview.summary.newCritical, "resource")} newly critical (--fail-on new-critical)`);
    }
    if (condition === "new-warning") {
      const worse = preview.changes.filter((c) => (c.to === "warning" || c.to === "critical") && isWorse(c)).length;
      if (worse > 0) reasons.push(`${plural(worse, "resource")} newly at warning or worse (--fail-on new-warning)`);
    }
    if (condition === "no-match" && preview.noMatch.length > 0) {
      const n = preview.noMatch.length;
      reasons.push(
        `${plural(n, "scope")} of ${preview.head.file} ${n === 1 ? "matches" : "match"} nothing: ` +
          `${preview.noMatch.join(", ")} (--fail-on no-match)`,
      );
    }
    if (condition === "uncovered" && preview.coverage.newlyUncovered.length > 0) {
      reasons.push(
        `${plural(preview.coverage.newlyUncovered.length, "resource")} left covered by no scope (--fail-on uncovered)`,
      );
    }
  }
  return reasons;
}
