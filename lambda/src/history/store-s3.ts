/**
 * History in S3: `s3://bucket/prefix/days/YYYY-MM-DD.json.gz`. Writes are conditional on the ETag
 * read (If-Match, or If-None-Match: * for a new day), so two scans that fold into the same day at
 * once cannot overwrite each other; the loser reads again and folds once more. Encryption is the
 * bucket's default (the module's bucket has it), so no request names a key.
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { awsErrorCode, toScanError } from "../collect/aws-error";
import { ScanTimeoutError } from "../collect/deadline";
import type { ScanError } from "../errors";
import { dayFromName, dayKey, type HistoryStore, type StoredObject } from "./store";

/** A listing of more pages than a window of days can fill means the server is looping: stop. */
const MAX_LIST_PAGES = 100;

function httpStatus(err: unknown): number | undefined {
  const metadata = (err as { $metadata?: { httpStatusCode?: unknown } } | undefined)?.$metadata;
  return typeof metadata?.httpStatusCode === "number" ? metadata.httpStatusCode : undefined;
}

/**
 * The error of a failed call: the deadline's own words when the scan's time ran out while it was under
 * way (whatever error the SDK made of the abort), else the SDK error described with its IAM permission.
 */
function callFailure(action: string, err: unknown, signal: AbortSignal | undefined): ScanError {
  const reason: unknown = signal?.aborted === true ? signal.reason : undefined;
  if (reason instanceof ScanTimeoutError) return new ScanTimeoutError(action, reason.reason, reason.phase);
  return toScanError(action, err, "s3");
}

export class S3HistoryStore implements HistoryStore {
  readonly location: string;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
  ) {
    this.location = `s3://${bucket}/${prefix}`;
  }

  whereIs(day: string): string {
    return `s3://${this.bucket}/${dayKey(this.prefix, day)}`;
  }

  async listDays(from: string, to: string, signal?: AbortSignal): Promise<string[]> {
    const base = `${this.prefix}days/`;
    const days: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      let out: ListObjectsV2CommandOutput;
      try {
        out = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: base,
            // Keys sort by date: start just before the first day wanted.
            StartAfter: `${base}${from}`,
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
          { abortSignal: signal },
        );
      } catch (err) {
        // ListObjectsV2 is authorized by the s3:ListBucket permission.
        throw callFailure("ListBucket", err, signal);
      }
      for (const object of out.Contents ?? []) {
        const day = dayFromName(object.Key?.slice(base.length) ?? "");
        if (day === undefined || day < from) continue;
        if (day > to) return days;
        days.push(day);
      }
      if (out.IsTruncated !== true || out.NextContinuationToken === undefined || out.NextContinuationToken === token) {
        return days;
      }
      token = out.NextContinuationToken;
    }
    return days;
  }

  async readDay(day: string, signal?: AbortSignal): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: dayKey(this.prefix, day) }), {
        abortSignal: signal,
      });
      if (out.Body === undefined) throw new Error(`GetObject returned no body for ${this.whereIs(day)}`);
      return { bytes: await out.Body.transformToByteArray(), version: out.ETag ?? "" };
    } catch (err) {
      if (awsErrorCode(err) === "NoSuchKey" || httpStatus(err) === 404) return undefined;
      throw callFailure("GetObject", err, signal);
    }
  }

  async writeDay(day: string, bytes: Uint8Array, expected: string | undefined, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: dayKey(this.prefix, day),
          Body: bytes,
          ContentType: "application/gzip",
          ...(expected === undefined ? { IfNoneMatch: "*" } : { IfMatch: expected }),
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (err) {
      // 412: the day changed since it was read; 409: another conditional write to it is in flight.
      const status = httpStatus(err);
      const code = awsErrorCode(err);
      if (status === 412 || status === 409 || code === "PreconditionFailed" || code === "ConditionalRequestConflict") {
        return false;
      }
      throw callFailure("PutObject", err, signal);
    }
  }
}
