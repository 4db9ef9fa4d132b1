/**
 * History in a local directory: `DIR/days/YYYY-MM-DD.json.gz`. A write goes to a temporary file
 * renamed into place (a reader never sees half a day) under a lock file, and only when the day is
 * still at the version read, like the conditional write in S3.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dayFromName, type HistoryStore, type StoredObject } from "./store";

/** A lock older than this was left by a process that died: taken over rather than waited on forever. */
const STALE_LOCK_MS = 60_000;
const LOCK_WAIT_MS = 10_000;

function versionOf(info: { size: number; mtimeMs: number; ino: number }): string {
  return `${info.ino}-${info.size}-${info.mtimeMs}`;
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === "ENOENT";
}

export class DirectoryHistoryStore implements HistoryStore {
  readonly location: string;
  private readonly days: string;

  constructor(directory: string) {
    this.location = directory;
    this.days = join(directory, "days");
  }

  whereIs(day: string): string {
    return join(this.days, `${day}.json.gz`);
  }

  async listDays(from: string, to: string, signal?: AbortSignal): Promise<string[]> {
    signal?.throwIfAborted();
    let names: string[];
    try {
      names = await readdir(this.days);
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    return names
      .map(dayFromName)
      .filter((day): day is string => day !== undefined && day >= from && day <= to)
      .sort();
  }

  async readDay(day: string, signal?: AbortSignal): Promise<StoredObject | undefined> {
    signal?.throwIfAborted();
    const path = this.whereIs(day);
    try {
      // Stat after reading: a rename in between gives a version that no longer matches, so the
      // conditional write fails and the caller reads again, never the other way round.
      const bytes = await readFile(path);
      return { bytes, version: versionOf(await stat(path)) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async writeDay(day: string, bytes: Uint8Array, expected: string | undefined, signal?: AbortSignal): Promise<boolean> {
    signal?.throwIfAborted();
    await mkdir(this.days, { recursive: true });
    const path = this.whereIs(day);
    const lock = `${path}.lock`;
    await this.acquire(lock);
    try {
      let current: string | undefined;
      try {
        current = versionOf(await stat(path));
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
      if (current !== expected) return false;
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, bytes);
      await rename(temporary, path);
      return true;
    } finally {
      await rm(lock, { force: true });
    }
  }

  private async acquire(lock: string): Promise<void> {
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lock, "wx");
        await handle.close();
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const held = await stat(lock).catch(() => undefined);
      if (held !== undefined && Date.now() - held.mtimeMs > STALE_LOCK_MS) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`${lock} is held by another ipam-monitor process; remove it if none is running`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
