/**
 * Where the notified state lives between runs: the module's DynamoDB table (keyed by `id`), or
 * memory for the CLI and tests. Three properties matter to the people the notifications go to:
 *
 * - It scales: the state is gzip-compressed JSON, inline in one item while it fits, and spread over
 *   shard items when it does not (150,000 resources in trouble take about 2 MB, six shards), so a
 *   large outage never makes every run fail to save and re-send everything.
 * - Saves are conditional on the version read: of two scans that run at once, one notifies a
 *   change and the other learns that it did, instead of both sending it.
 * - Notifying takes a lease first, so two scans never send the same change; a scan that dies
 *   holding it leaves the state as it was, and the next scan after the lease sends what was lost.
 *
 * See docs/notifications.md for the layout and the alternatives.
 */
import { randomBytes } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { awsErrorCode } from "../collect/aws-error";
import type { Baselines, UnitBaseline } from "../collect/plausibility";
import { mapWithConcurrency } from "../concurrency";
import { AwsCallError, ScanError } from "../errors";
import { STATUSES, type Status } from "../types";
import { type TableAction, tableSite } from "./sites";
import type { NotifiedResource, NotifiedScope, NotifiedState } from "./state-diff";

/** The state as read, with the version a save must find unchanged. */
export interface LoadedState {
  /** Undefined when nothing was saved yet (or what was saved is unreadable). */
  state: NotifiedState | undefined;
  /** 0 when nothing was saved. */
  version: number;
  /** Shards the loaded state is kept in, so the save that replaces it can remove them. */
  generation?: string;
  shards?: number;
}

/** The right to notify the changes found against one version of the state. */
export interface StateLease {
  owner: string;
  /** Epoch ms when it lapses. */
  until: number;
  /** The version the lease wrote; the save under it writes the next one. */
  version: number;
  generation?: string;
  shards?: number;
}

/** A claim that did not get the lease: the state moved on since it was read, or another scan holds it. */
export type ClaimRefusal = { refused: "moved" } | { refused: "held"; until: number };

/**
 * Every method takes the signal of the run's deadline: a table that stops answering costs the time
 * left, not the run.
 */
export interface StateStore {
  load(signal?: AbortSignal): Promise<LoadedState>;
  /**
   * Takes the lease to notify changes found against `loaded`, if the state is still that version
   * and nobody else holds a live lease.
   */
  claim(loaded: LoadedState, durationMs: number, signal?: AbortSignal): Promise<StateLease | ClaimRefusal>;
  /**
   * Saves `state` as the next version after `basis`: under a lease (which it releases), or, for a
   * save that notifies nothing (unit counts), when the version read is still current and no lease
   * is live. Throws StateConflictError when that does not hold.
   */
  save(state: NotifiedState, basis: LoadedState | StateLease, signal?: AbortSignal): Promise<void>;
  /** Gives the lease back without saving: after a failed publish, so the next scan sends it. */
  release(lease: StateLease, signal?: AbortSignal): Promise<void>;
}

/** Another scan saved or holds the lease: nothing was written. */
export class StateConflictError extends ScanError {
  constructor(action: string, message: string) {
    super(action, message, { code: "StateConflict" });
  }
}

export function isLease(basis: LoadedState | StateLease): basis is StateLease {
  return "owner" in basis;
}

// ---------------------------------------------------------------------------------------------
// The document

/** Stored resource: [status letter, utilization to one decimal or null, free or null, heldSince?]. */
type StoredResource = [string, number | null, string | null, string?];

interface StoredDocument {
  format: 2;
  scopes: Record<string, { status: Status; resources: Record<string, StoredResource> }>;
  units?: Baselines;
}

const LETTER: Readonly<Record<Exclude<Status, "ok">, string>> = { critical: "c", warning: "w", unknown: "u" };
const FROM_LETTER: Readonly<Record<string, Exclude<Status, "ok">>> = { c: "critical", w: "warning", u: "unknown" };

/**
 * The state as compact JSON: one array per resource (keys named once per resource would double the
 * size before compression), utilization to one decimal, rounded down (nothing compares it; full
 * doubles compress three times worse), free counts as decimal strings (IPv6 counts pass 2^53).
 */
export function serializeState(state: NotifiedState): string {
  const stored: StoredDocument = { format: 2, scopes: {} };
  for (const [name, scope] of Object.entries(state.scopes)) {
    const resources: Record<string, StoredResource> = {};
    for (const [id, r] of Object.entries(scope.resources)) {
      const entry: StoredResource = [
        LETTER[r.status],
        // Rounded down as messages print it (formatPercent), so a held level reads as it did when measured.
        r.utilization === undefined ? null : Math.floor(r.utilization * 10 + 1e-9) / 10,
        r.free === undefined ? null : r.free.toString(),
      ];
      if (r.heldSince !== undefined) entry.push(r.heldSince);
      resources[id] = entry;
    }
    stored.scopes[name] = { status: scope.status, resources };
  }
  if (state.units !== undefined) stored.units = state.units;
  return JSON.stringify(stored);
}

const STATUS_SET: ReadonlySet<string> = new Set(STATUSES);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function count(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** The per-unit counts; entries that are not well formed are left out (the unit then starts without a baseline). */
function parseUnits(raw: unknown): Baselines | undefined {
  if (!isRecord(raw)) return undefined;
  const units: Baselines = {};
  for (const [key, u] of Object.entries(raw)) {
    if (!isRecord(u) || !count(u.resources) || !count(u.pages)) continue;
    const baseline: UnitBaseline = { resources: u.resources, pages: u.pages };
    if (typeof u.ipamId === "string") baseline.ipamId = u.ipamId;
    if (isRecord(u.drop) && count(u.drop.resources) && count(u.drop.scans)) {
      baseline.drop = { resources: u.drop.resources, scans: u.drop.scans };
    }
    units[key] = baseline;
  }
  return units;
}

/** A format 2 resource entry, or a format 1 object ({ status, utilization, free }). */
function parseResource(raw: unknown, where: string): NotifiedResource {
  let status: string | undefined;
  let utilization: unknown;
  let free: unknown;
  let heldSince: unknown;
  if (Array.isArray(raw)) {
    status = typeof raw[0] === "string" ? FROM_LETTER[raw[0]] : undefined;
    [, utilization, free, heldSince] = raw;
  } else if (isRecord(raw) && typeof raw.status === "string" && raw.status !== "ok" && STATUS_SET.has(raw.status)) {
    ({ status, utilization, free } = raw as { status: string; utilization?: unknown; free?: unknown });
  }
  if (status === undefined) throw new Error(`saved state: ${where} is malformed`);
  const entry: NotifiedResource = { status: status as NotifiedResource["status"] };
  if (typeof utilization === "number") entry.utilization = utilization;
  if (typeof free === "string" && /^[0-9]+$/.test(free)) entry.free = BigInt(free);
  if (typeof heldSince === "string" && !Number.isNaN(Date.parse(heldSince))) entry.heldSince = heldSince;
  return entry;
}

/** Parses a saved state of format 2, or of format 1 (written before it); throws an Error saying what is wrong. */
export function parseState(text: string): NotifiedState {
  const raw: unknown = JSON.parse(text);
  if (!isRecord(raw) || (raw.format !== 2 && raw.version !== 1) || !isRecord(raw.scopes)) {
    throw new Error("saved state is not a state document of format 1 or 2");
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
      resources[id] = parseResource(r, `resource "${id}" of scope "${name}"`);
    }
    scopes[name] = { status: scope.status as Status, resources };
  }
  const state: NotifiedState = { scopes };
  const units = parseUnits(raw.units);
  if (units !== undefined) state.units = units;
  return state;
}

// ---------------------------------------------------------------------------------------------
// Memory

/** Keeps the state in memory, with the same versions and lease: for the CLI without a table, and tests. */
export class MemoryStateStore implements StateStore {
  private stored: string | undefined;
  private version = 0;
  private lease: { owner: string; until: number } | undefined;

  constructor(
    initial?: NotifiedState,
    private readonly now: () => number = Date.now,
  ) {
    if (initial !== undefined) {
      this.stored = serializeState(initial);
      this.version = 1;
    }
  }

  async load(): Promise<LoadedState> {
    // A copy through the saved form, so callers never share objects with the store.
    return { state: this.stored === undefined ? undefined : parseState(this.stored), version: this.version };
  }

  async claim(loaded: LoadedState, durationMs: number): Promise<StateLease | ClaimRefusal> {
    const now = this.now();
    if (this.lease !== undefined && this.lease.until > now) return { refused: "held", until: this.lease.until };
    if (loaded.version !== this.version) return { refused: "moved" };
    this.version += 1;
    this.lease = { owner: randomBytes(8).toString("hex"), until: now + durationMs };
    return { ...this.lease, version: this.version };
  }

  async save(state: NotifiedState, basis: LoadedState | StateLease): Promise<void> {
    if (isLease(basis)) {
      if (this.lease?.owner !== basis.owner) throw new StateConflictError("PutItem", "the notification lease was lost");
    } else if (basis.version !== this.version || (this.lease !== undefined && this.lease.until > this.now())) {
      throw new StateConflictError("PutItem", "another scan saved the state or is notifying");
    }
    this.stored = serializeState(state);
    this.version += 1;
    this.lease = undefined;
  }

  async release(lease: StateLease): Promise<void> {
    if (this.lease?.owner === lease.owner) this.lease = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// DynamoDB

export const STATE_ITEM_ID = "last-notified";
/**
 * Compressed bytes kept in one item, inline or per shard. DynamoDB items hold 400 KB (409,600
 * bytes) with attribute names; this leaves room for them and the other attributes.
 */
export const MAX_CHUNK_BYTES = 350_000;
/** Shards one state may take: 35 MB compressed, about 2.5 million resources in trouble. */
export const MAX_SHARDS = 100;
/** Shard items read or written at once. */
const SHARD_CONCURRENCY = 4;
/** Times a load starts again when a concurrent save removed the shards it was reading. */
const LOAD_ATTEMPTS = 3;

export interface DynamoDbStateStoreOptions {
  /** Told when the saved item cannot be read; the store then behaves as if nothing was saved. */
  onUnreadable?: (error: Error) => void;
  /** Clock for `updatedAt` and the lease. */
  now?: () => Date;
  /** Most shard items one state may take; MAX_SHARDS by default. */
  maxShards?: number;
}

function shardId(generation: string, index: number): string {
  return `${STATE_ITEM_ID}#${generation}#${index}`;
}

function isConditionFailure(err: unknown): boolean {
  return awsErrorCode(err) === "ConditionalCheckFailedException";
}

/**
 * The state in the module's table (`id` is the key):
 *
 * - `last-notified`: `format` (N) 2, `version` (N), `updatedAt` (S), and either `state` (B, the
 *   gzip-compressed document when it fits in one item) or `generation` (S) and `shards` (N);
 *   while a scan notifies, `leaseOwner` (S) and `leaseUntil` (N, epoch ms).
 * - `last-notified#<generation>#<n>`: `state` (B), the n-th slice of the compressed document.
 *
 * A sharded save writes its shards under a new generation first, then the head item that points
 * at them (conditionally), then removes the previous generation's shards: a reader never sees a
 * half-written state. Reading is one GetItem, plus one per shard; writing the same in PutItems.
 */
export class DynamoDbStateStore implements StateStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly options: DynamoDbStateStoreOptions = {},
  ) {}

  private now(): number {
    return (this.options.now?.() ?? new Date()).getTime();
  }

  async load(signal?: AbortSignal): Promise<LoadedState> {
    for (let attempt = 1; ; attempt++) {
      const head = await this.get(STATE_ITEM_ID, "reading the last notified state", signal);
      if (head === undefined) return { state: undefined, version: 0 };
      const version = Number(head.version?.N ?? "0");
      const loaded: LoadedState = { state: undefined, version };
      let blob: Uint8Array | undefined = head.state?.B;
      const generation = head.generation?.S;
      const shards = Number(head.shards?.N ?? "0");
      if (blob === undefined && generation !== undefined && shards > 0) {
        loaded.generation = generation;
        loaded.shards = shards;
        const parts = await mapWithConcurrency(
          Array.from({ length: shards }, (_, i) => i),
          SHARD_CONCURRENCY,
          async (i) => (await this.get(shardId(generation, i), "reading the last notified state", signal))?.state?.B,
        );
        // A save that finished since the head was read removes these shards: read again.
        if (parts.some((p) => p === undefined)) {
          if (attempt < LOAD_ATTEMPTS) continue;
          return this.unreadable(loaded, new Error(`shards of generation ${generation} are missing`));
        }
        blob = Buffer.concat(parts as Uint8Array[]);
      }
      if (blob === undefined) return loaded;
      try {
        loaded.state = parseState(gunzipSync(blob).toString("utf8"));
      } catch (err) {
        return this.unreadable(loaded, err as Error);
      }
      return loaded;
    }
  }

  /**
   * An unreadable state must not stop notifications for good: behave as on a first run (everything
   * in trouble is notified once more) and let the next save, at the version read, replace it.
   */
  private unreadable(loaded: LoadedState, err: Error): LoadedState {
    this.options.onUnreadable?.(
      new Error(`table ${this.tableName}: item "${STATE_ITEM_ID}" is unreadable and is ignored: ${err.message}`, {
        cause: err,
      }),
    );
    return loaded;
  }

  async claim(loaded: LoadedState, durationMs: number, signal?: AbortSignal): Promise<StateLease | ClaimRefusal> {
    const now = this.now();
    const owner = randomBytes(8).toString("hex");
    const until = now + durationMs;
    const version = loaded.version + 1;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { id: { S: STATE_ITEM_ID } },
          UpdateExpression: "SET leaseOwner = :owner, leaseUntil = :until, #version = :next",
          ConditionExpression: `(${versionCondition(loaded.version)}) AND ${NO_LIVE_LEASE}`,
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: {
            ":owner": { S: owner },
            ":until": { N: String(until) },
            ":next": { N: String(version) },
            ":now": { N: String(now) },
            ...(loaded.version > 0 ? { ":version": { N: String(loaded.version) } } : {}),
          },
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw this.failure("UpdateItem", "taking the notification lease", err);
      const head = await this.get(STATE_ITEM_ID, "reading who holds the notification lease", signal);
      const held = Number(head?.leaseUntil?.N ?? "0");
      return held > now ? { refused: "held", until: held } : { refused: "moved" };
    }
    const lease: StateLease = { owner, until, version };
    if (loaded.generation !== undefined) lease.generation = loaded.generation;
    if (loaded.shards !== undefined) lease.shards = loaded.shards;
    return lease;
  }

  async save(state: NotifiedState, basis: LoadedState | StateLease, signal?: AbortSignal): Promise<void> {
    const compressed = gzipSync(serializeState(state));
    const chunks = Math.ceil(compressed.byteLength / MAX_CHUNK_BYTES);
    const maxShards = this.options.maxShards ?? MAX_SHARDS;
    if (chunks > maxShards) {
      const troubled = Object.values(state.scopes).reduce((n, s) => n + Object.keys(s.resources).length, 0);
      throw new ScanError(
        "PutItem",
        `table ${this.tableName}: the notified state of ${troubled} resources in trouble compresses to ` +
          `${compressed.byteLength} bytes, more than the ${maxShards} items of ${MAX_CHUNK_BYTES} bytes it may take; ` +
          "narrow the scopes or raise their thresholds",
      );
    }
    const head: Record<string, AttributeValue> = {
      id: { S: STATE_ITEM_ID },
      format: { N: "2" },
      version: { N: String(basis.version + 1) },
      updatedAt: { S: new Date(this.now()).toISOString() },
    };
    let generation: string | undefined;
    if (chunks <= 1) {
      head.state = { B: compressed };
    } else {
      generation = randomBytes(6).toString("hex");
      head.generation = { S: generation };
      head.shards = { N: String(chunks) };
      const slices = Array.from({ length: chunks }, (_, i) =>
        compressed.subarray(i * MAX_CHUNK_BYTES, (i + 1) * MAX_CHUNK_BYTES),
      );
      await mapWithConcurrency(slices, SHARD_CONCURRENCY, async (slice, i) => {
        await this.put(
          { id: { S: shardId(generation!, i) }, state: { B: slice } },
          undefined,
          "saving the notified state",
          signal,
        );
      });
    }

    const values: Record<string, AttributeValue> = {};
    let expression: string;
    if (isLease(basis)) {
      expression = "leaseOwner = :owner";
      values[":owner"] = { S: basis.owner };
    } else {
      expression = `(${versionCondition(basis.version)}) AND ${NO_LIVE_LEASE}`;
      values[":now"] = { N: String(this.now()) };
      if (basis.version > 0) values[":version"] = { N: String(basis.version) };
    }
    const condition = { expression, values };
    try {
      await this.put(head, condition, "saving the notified state", signal);
    } catch (err) {
      if (generation !== undefined) await this.removeShards(generation, chunks, signal);
      throw err;
    }
    // The state just saved no longer needs the shards of the one it replaced.
    if (basis.generation !== undefined && basis.shards !== undefined) {
      await this.removeShards(basis.generation, basis.shards, signal);
    }
  }

  async release(lease: StateLease, signal?: AbortSignal): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { id: { S: STATE_ITEM_ID } },
          UpdateExpression: "REMOVE leaseOwner, leaseUntil",
          ConditionExpression: "leaseOwner = :owner",
          ExpressionAttributeValues: { ":owner": { S: lease.owner } },
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      // Already lost or released: nothing to give back. Anything else: the lease lapses by itself.
      if (!isConditionFailure(err)) throw this.failure("UpdateItem", "releasing the notification lease", err);
    }
  }

  private async get(
    id: string,
    doing: string,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, AttributeValue> | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { id: { S: id } }, ConsistentRead: true }),
        { abortSignal: signal },
      );
      return out.Item;
    } catch (err) {
      throw this.failure("GetItem", doing, err);
    }
  }

  private async put(
    item: Record<string, AttributeValue>,
    condition: { expression: string; values: Record<string, AttributeValue> } | undefined,
    doing: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...(condition === undefined
            ? {}
            : {
                ConditionExpression: condition.expression,
                ExpressionAttributeValues: condition.values,
                ...(condition.expression.includes("#version")
                  ? { ExpressionAttributeNames: { "#version": "version" } }
                  : {}),
              }),
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (condition !== undefined && isConditionFailure(err)) {
        throw new StateConflictError(
          "PutItem",
          `table ${this.tableName}: another scan saved the notified state or holds the notification lease; nothing was written`,
        );
      }
      throw this.failure("PutItem", doing, err);
    }
  }

  /** Best effort: a shard left behind is never read again (no head points at it) and costs only storage. */
  private async removeShards(generation: string, shards: number, signal: AbortSignal | undefined): Promise<void> {
    await mapWithConcurrency(
      Array.from({ length: shards }, (_, i) => i),
      SHARD_CONCURRENCY,
      async (i) => {
        try {
          await this.client.send(
            new DeleteItemCommand({ TableName: this.tableName, Key: { id: { S: shardId(generation, i) } } }),
            { abortSignal: signal },
          );
        } catch {
          // Left for a later save; see above.
        }
      },
    );
  }

  private failure(action: TableAction, doing: string, err: unknown): AwsCallError {
    return new AwsCallError({ ...tableSite(this.tableName, action), detail: doing }, err);
  }
}

/** The head item is at `version`: 0 means none was saved, or one written before versions existed. */
function versionCondition(version: number): string {
  return version === 0 ? "attribute_not_exists(id) OR attribute_not_exists(#version)" : "#version = :version";
}

const NO_LIVE_LEASE = "(attribute_not_exists(leaseUntil) OR leaseUntil < :now)";
