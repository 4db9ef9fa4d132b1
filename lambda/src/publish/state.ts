/**
 * Notification de-duplication: the state last notified, what changed since, and where it is kept.
 * A resource that stays critical is reported once, when it gets there, and again when it improves
 * or recovers — not on every run. See docs/notifications.md for the design and the alternatives.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { type AttributeValue, type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { awsErrorCode } from "../collect/aws-error";
import { ScanError } from "../errors";
import { STATUS_RANK, worseStatus } from "../evaluate";
import { type Evaluation, STATUSES, type Status } from "../types";

/** A resource that is not ok, as last notified. */
export interface NotifiedResource {
  status: Exclude<Status, "ok">;
  utilization?: number;
  free?: bigint;
}

export interface NotifiedScope {
  /** Worst status of the scope. */
  status: Status;
  /** Resources not ok, by resource id (a resource with several CIDRs counts with its worst one). */
  resources: Record<string, NotifiedResource>;
}

export interface NotifiedState {
  version: 1;
  scopes: Record<string, NotifiedScope>;
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
  utilization?: number;
  free?: bigint;
  /** Recovered because a complete scan no longer found it (deleted, or out of the scope's match). */
  noLongerFound?: boolean;
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
      if (e.resource.utilization !== undefined && Number.isFinite(e.resource.utilization))
        entry.utilization = e.resource.utilization;
      if (e.resource.free !== undefined) entry.free = e.resource.free;
      resources[id] = entry;
    }
    scopes[scope.name] = { status: scope.status, resources };
    seen.set(scope.name, ids);
  }
  return { version: 1, scopes, seen };
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
    if (!options.complete && before !== undefined) {
      for (const [id, entry] of Object.entries(before.resources)) {
        if (!wasSeen(current, name, id)) resources[id] = entry;
      }
    }
    scopes[name] = { status: options.complete ? scope.status : worstOf(resources, scope.status), resources };
  }
  if (!options.complete && previous !== undefined) {
    for (const [name, scope] of Object.entries(previous.scopes)) {
      if (scopes[name] === undefined) scopes[name] = scope;
    }
  }
  return { version: 1, scopes };
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
      recoveredEntirely: false,
    };
    if (before !== undefined) changes.from = before.status;

    for (const [id, entry] of Object.entries(now.resources)) {
      const was = beforeResources[id];
      if (was === undefined) changes.newInTrouble.push(change(id, undefined, entry.status, entry));
      else if (STATUS_RANK[entry.status] < STATUS_RANK[was.status])
        changes.worsened.push(change(id, was.status, entry.status, entry));
      else if (STATUS_RANK[entry.status] > STATUS_RANK[was.status])
        changes.improved.push(change(id, was.status, entry.status, entry));
    }
    for (const [id, was] of Object.entries(beforeResources)) {
      if (now.resources[id] !== undefined) continue;
      const recovered = change(id, was.status, "ok", undefined);
      if (!wasSeen(current, name, id)) recovered.noLongerFound = true;
      changes.recovered.push(recovered);
    }
    changes.recoveredEntirely = Object.keys(beforeResources).length > 0 && Object.keys(now.resources).length === 0;

    if (
      changes.newInTrouble.length + changes.worsened.length + changes.improved.length + changes.recovered.length > 0 ||
      changes.recoveredEntirely
    ) {
      scopes.push(changes);
    }
  }
  return { firstRun: previous === undefined, scopes };
}

/** True when there is anything to notify. */
export function hasChanges(changes: StateChanges): boolean {
  return changes.scopes.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Persistence

export interface StateStore {
  /** The last saved state; undefined when nothing was saved yet. */
  load(): Promise<NotifiedState | undefined>;
  save(state: NotifiedState): Promise<void>;
}

/** What the state looks like as JSON: BigInt free counts as decimal strings. */
interface StoredState {
  version: 1;
  scopes: Record<
    string,
    { status: Status; resources: Record<string, { status: Status; utilization?: number; free?: string }> }
  >;
}

/**
 * The state as JSON. Utilization is kept to one decimal: full doubles would compress three times
 * worse and nothing compares them. `detail: false` keeps statuses only, for states too large otherwise.
 */
export function serializeState(state: NotifiedState, options: { detail?: boolean } = {}): string {
  const detail = options.detail ?? true;
  const stored: StoredState = { version: 1, scopes: {} };
  for (const [name, scope] of Object.entries(state.scopes)) {
    const resources: StoredState["scopes"][string]["resources"] = {};
    for (const [id, r] of Object.entries(scope.resources)) {
      const entry: { status: Status; utilization?: number; free?: string } = { status: r.status };
      if (detail && r.utilization !== undefined) entry.utilization = Math.round(r.utilization * 10) / 10;
      if (detail && r.free !== undefined) entry.free = r.free.toString();
      resources[id] = entry;
    }
    stored.scopes[name] = { status: scope.status, resources };
  }
  return JSON.stringify(stored);
}

const STATUS_SET: ReadonlySet<string> = new Set(STATUSES);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Parses a saved state; throws an Error saying what is wrong with it. */
export function parseState(text: string): NotifiedState {
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw) || raw.version !== 1 || !isRecord(raw.scopes)) {
    throw new Error("saved state is not a version 1 state object");
  }
  const scopes: Record<string, NotifiedScope> = {};
  for (const [name, scope] of Object.entries(raw.scopes)) {
    if (
      !isRecord(scope) ||
      typeof scope.status !== "string" ||
      !STATUS_SET.has(scope.status) ||
      !isRecord(scope.resources)
    ) {
      throw new Error(`saved state: scope "${name}" is malformed`);
    }
    const resources: Record<string, NotifiedResource> = {};
    for (const [id, r] of Object.entries(scope.resources)) {
      if (!isRecord(r) || typeof r.status !== "string" || !STATUS_SET.has(r.status) || r.status === "ok") {
        throw new Error(`saved state: resource "${id}" of scope "${name}" is malformed`);
      }
      const entry: NotifiedResource = { status: r.status as NotifiedResource["status"] };
      if (typeof r.utilization === "number") entry.utilization = r.utilization;
      if (typeof r.free === "string" && /^[0-9]+$/.test(r.free)) entry.free = BigInt(r.free);
      resources[id] = entry;
    }
    scopes[name] = { status: scope.status as Status, resources };
  }
  return { version: 1, scopes };
}

/** Keeps the state in memory: for the CLI, tests, and runs without a state table. */
export class MemoryStateStore implements StateStore {
  private stored: string | undefined;

  constructor(initial?: NotifiedState) {
    if (initial !== undefined) this.stored = serializeState(initial);
  }

  async load(): Promise<NotifiedState | undefined> {
    // A copy through the saved form, so callers never share objects with the store.
    return this.stored === undefined ? undefined : parseState(this.stored);
  }

  async save(state: NotifiedState): Promise<void> {
    this.stored = serializeState(state);
  }
}

export const STATE_ITEM_ID = "last-notified";
/** DynamoDB items hold at most 400 KB, attribute names included; keep clear of it. */
export const MAX_STATE_BYTES = 390 * 1024;

export interface DynamoDbStateStoreOptions {
  /** Told when the saved item cannot be read; the store then behaves as if nothing was saved. */
  onUnreadable?: (error: Error) => void;
  /** Clock for `updatedAt`. */
  now?: () => Date;
}

/**
 * The state in one DynamoDB item: `id` (S) = "last-notified", `state` (B) = gzip-compressed JSON,
 * `updatedAt` (S). One GetItem and at most one PutItem per run.
 */
export class DynamoDbStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoDbStateStoreOptions = {},
  ) {}

  async load(): Promise<NotifiedState | undefined> {
    let item: Record<string, AttributeValue> | undefined;
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { id: { S: STATE_ITEM_ID } }, ConsistentRead: true }),
      );
      item = out.Item;
    } catch (err) {
      throw this.failure("GetItem", "reading the last notified state", err);
    }
    const blob = item?.state?.B;
    if (blob === undefined) return undefined;
    try {
      return parseState(gunzipSync(blob).toString("utf8"));
    } catch (err) {
      // An unreadable item must not stop notifications for good: behave as on a first run (everything
      // in trouble is notified once more) and let the next save replace the item.
      const error = new Error(
        `table ${this.tableName}: item "${STATE_ITEM_ID}" is unreadable and is ignored: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
      this.options.onUnreadable?.(error);
      return undefined;
    }
  }

  async save(state: NotifiedState): Promise<void> {
    let compressed = gzipSync(serializeState(state));
    // Statuses are all the comparison needs; the details go first when the item would be too large.
    if (compressed.byteLength > MAX_STATE_BYTES) compressed = gzipSync(serializeState(state, { detail: false }));
    if (compressed.byteLength > MAX_STATE_BYTES) {
      const troubled = Object.values(state.scopes).reduce((n, s) => n + Object.keys(s.resources).length, 0);
      throw new ScanError(
        "PutItem",
        `table ${this.tableName}: the notified state of ${troubled} resources in trouble compresses to ` +
          `${compressed.byteLength} bytes, more than the ${MAX_STATE_BYTES} bytes one DynamoDB item can hold; ` +
          `narrow the scopes or raise their thresholds`,
      );
    }
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            id: { S: STATE_ITEM_ID },
            state: { B: compressed },
            updatedAt: { S: (this.options.now?.() ?? new Date()).toISOString() },
          },
        }),
      );
    } catch (err) {
      throw this.failure("PutItem", "saving the notified state", err);
    }
  }

  private failure(action: string, doing: string, err: unknown): ScanError {
    const code = awsErrorCode(err);
    const detail = err instanceof Error ? err.message : String(err);
    return new ScanError(
      action,
      `${action} on table ${this.tableName} failed while ${doing}${code === undefined ? "" : ` (${code})`}: ${detail}`,
      code === undefined ? { cause: err } : { cause: err, code },
    );
  }
}
