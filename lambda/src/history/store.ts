/**
 * Where the history lives: a directory (the CLI on a laptop or in CI) or an S3 prefix (the module's
 * bucket). Both hold one object per UTC day, `days/YYYY-MM-DD.json.gz`, written with a condition on
 * the version read so that two scans folding into the same day never lose each other's scan.
 */
import { ConfigError } from "../errors";

export interface StoredObject {
  bytes: Uint8Array;
  /** What a conditional write compares: the ETag in S3, size and modification time in a directory. */
  version: string;
}

export interface HistoryStore {
  /** "s3://bucket/prefix/" or the directory, for messages. */
  readonly location: string;
  /** Where one day's object is, for messages. */
  whereIs(day: string): string;
  /**
   * The days stored from `from` to `to` (YYYY-MM-DD, both included), oldest first. Every call takes
   * the scan's deadline as `signal`: a store that hangs stops the history's part at it, not the run.
   */
  listDays(from: string, to: string, signal?: AbortSignal): Promise<string[]>;
  readDay(day: string, signal?: AbortSignal): Promise<StoredObject | undefined>;
  /**
   * Writes the day when it is still at `expected` (undefined: when it does not exist yet).
   * Resolves false when another writer got there first; the caller reads again and retries.
   */
  writeDay(day: string, bytes: Uint8Array, expected: string | undefined, signal?: AbortSignal): Promise<boolean>;
}

export type HistoryLocation = { kind: "s3"; bucket: string; prefix: string } | { kind: "dir"; path: string };

/** S3's rules for bucket names (3–63 lower-case letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `s3://bucket/prefix` or a directory path. The prefix gets a trailing "/" so that "history" and
 * "history-old" never read each other's days. `variable` names the setting in errors.
 */
export function parseHistoryLocation(text: string, variable: string): HistoryLocation {
  const value = text.trim();
  if (value === "") throw new ConfigError(variable, "is empty; give a directory or s3://bucket/prefix.");
  if (!value.startsWith("s3://")) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
      throw new ConfigError(variable, `"${value}" is neither a directory nor an s3://bucket/prefix location.`);
    }
    return { kind: "dir", path: value };
  }
  const rest = value.slice("s3://".length);
  const slash = rest.indexOf("/");
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!BUCKET.test(bucket)) {
    throw new ConfigError(variable, `"${bucket}" in "${value}" is not an S3 bucket name.`);
  }
  let prefix = slash < 0 ? "" : rest.slice(slash + 1).replace(/^\/+/, "");
  if (prefix !== "" && !prefix.endsWith("/")) prefix += "/";
  return { kind: "s3", bucket, prefix };
}

/** The object key (or relative path) of a day under a prefix. */
export function dayKey(prefix: string, day: string): string {
  return `${prefix}days/${day}.json.gz`;
}

/** "2026-11-26.json.gz" → "2026-11-26"; undefined for anything else found under days/. */
export function dayFromName(name: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})\.json\.gz$/.exec(name);
  return match?.[1];
}
