/**
 * Where the steps of a fanned-out scan leave their work for the next step: one S3 prefix per scan,
 * `scans/<scanId>/`, in the module's bucket.
 *
 *   plan.json              the shards, a JSON array the Distributed Map reads with its ItemReader
 *   scan.json              what the final step needs besides the shards: accounts skipped, totals
 *   shards/<n>.json.gz     what shard n read: each account-Region's resources and failures
 *
 * Resource counts are BigInts; in JSON they are written as {"$n": "<decimal>"} and read back as
 * BigInts. No AWS object has that shape: the only objects with keys of AWS's choosing are tags, and
 * tag keys cannot contain "$".
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { SkippedAccount } from "../collect/accounts";
import { describeAwsError } from "../collect/aws-error";
import type { AccountRegionResult } from "../collect/organization";
import { ScanError } from "../errors";
import type { Shard } from "./plan";

/** What a step reads and writes; S3 in Lambda, memory in tests. */
export interface ObjectStore {
  /** A name for messages: "s3://bucket". */
  readonly where: string;
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** undefined when the object does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
}

export const SCAN_ID = /^[A-Za-z0-9_-]{1,80}$/;

export function planKey(scanId: string): string {
  return `scans/${scanId}/plan.json`;
}

export function scanKey(scanId: string): string {
  return `scans/${scanId}/scan.json`;
}

export function shardKey(scanId: string, index: number): string {
  return `scans/${scanId}/shards/${index}.json.gz`;
}

/** What the plan step records for the final step. */
export interface ScanRecord {
  version: 1;
  scanId: string;
  createdAt: string;
  shards: number;
  accounts: number;
  accountRegions: number;
  skipped: SkippedAccount[];
}

/** What one shard read, or why it read nothing. */
export interface ShardInventory {
  version: 1;
  scanId: string;
  shard: number;
  results: AccountRegionResult[];
  assumeRoleCalls: number;
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? { $n: value.toString() } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const n = (value as { $n?: unknown }).$n;
    if (keys.length === 1 && typeof n === "string" && /^-?\d+$/.test(n)) return BigInt(n);
  }
  return value;
}

export function encodeInventory(inventory: ShardInventory): Uint8Array {
  return gzipSync(JSON.stringify(inventory, replacer));
}

function fail(where: string, message: string): never {
  throw new ScanError("GetObject", `${where}: ${message}`, { code: "MalformedResponse" });
}

export function decodeInventory(body: Uint8Array, where: string): ShardInventory {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(body).toString("utf8"), reviver);
  } catch (err) {
    fail(where, `is not a gzipped JSON shard inventory (${err instanceof Error ? err.message : String(err)})`);
  }
  const inventory = parsed as Partial<ShardInventory>;
  if (inventory?.version !== 1 || !Array.isArray(inventory.results) || typeof inventory.shard !== "number") {
    fail(where, "is not a version 1 shard inventory");
  }
  for (const result of inventory.results) {
    if (
      typeof result?.accountId !== "string" ||
      !Array.isArray(result.resources) ||
      !Array.isArray(result.failures) ||
      !Array.isArray(result.units)
    ) {
      fail(where, "has an account-Region result without accountId, resources, failures and units");
    }
  }
  return inventory as ShardInventory;
}

export function encodeJson(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

export function decodeJson<T>(body: Uint8Array, where: string): T {
  try {
    return JSON.parse(Buffer.from(body).toString("utf8")) as T;
  } catch (err) {
    fail(where, `is not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

export async function readPlan(store: ObjectStore, scanId: string): Promise<{ record: ScanRecord; shards: Shard[] }> {
  const recordBody = await store.get(scanKey(scanId));
  const planBody = await store.get(planKey(scanId));
  if (recordBody === undefined || planBody === undefined) {
    throw new ScanError(
      "GetObject",
      `${store.where}/${scanKey(scanId)} or ${planKey(scanId)} does not exist: the scan ${scanId} was not planned, or its objects expired`,
      { code: "NoSuchKey" },
    );
  }
  return {
    record: decodeJson<ScanRecord>(recordBody, `${store.where}/${scanKey(scanId)}`),
    shards: decodeJson<Shard[]>(planBody, `${store.where}/${planKey(scanId)}`),
  };
}

function isNoSuchKey(err: unknown): boolean {
  const name = (err as { name?: unknown })?.name;
  return name === "NoSuchKey" || name === "NotFound";
}

/** A failed S3 call, naming the object and, for a denial, the s3: permission. */
function storeError(action: string, object: string, err: unknown): ScanError {
  const info = describeAwsError(action, err, "s3");
  return new ScanError(action, `${object}: ${info.message}`, {
    cause: err,
    ...(info.code !== undefined ? { code: info.code } : {}),
  });
}

/** The module's scan bucket. */
export class S3ObjectStore implements ObjectStore {
  readonly where: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {
    this.where = `s3://${bucket}`;
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
      );
    } catch (err) {
      throw storeError("PutObject", `${this.where}/${key}`, err);
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (answer.Body === undefined) return new Uint8Array();
      return await answer.Body.transformToByteArray();
    } catch (err) {
      if (isNoSuchKey(err)) return undefined;
      throw storeError("GetObject", `${this.where}/${key}`, err);
    }
  }
}
