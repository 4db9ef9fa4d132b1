/**
 * Writes a complete scan into the history: folds its snapshot into the day it belongs to and writes
 * the day back on the condition that nobody changed it in between, reading and folding again when
 * somebody did. One read and one write per scan; one object per day.
 */
import { decodeDay, encodeDay, type HistoryDay } from "./format";
import { foldScan } from "./snapshot";
import type { HistoryStore } from "./store";

/** Attempts before giving up on a day that keeps changing under us (several scans a second). */
const WRITE_ATTEMPTS = 5;

export interface Recorded {
  /** Where the day is. */
  where: string;
  /** Scans the day holds now. */
  scans: number;
  /** Compressed size of the day. */
  bytes: number;
}

export async function recordScan(store: HistoryStore, snapshot: HistoryDay, signal?: AbortSignal): Promise<Recorded> {
  const where = store.whereIs(snapshot.day);
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    const existing = await store.readDay(snapshot.day, signal);
    const folded = foldScan(existing === undefined ? undefined : decodeDay(existing.bytes, where), snapshot);
    const bytes = encodeDay(folded);
    if (await store.writeDay(snapshot.day, bytes, existing?.version, signal)) {
      return { where, scans: folded.scans.length, bytes: bytes.byteLength };
    }
  }
  throw new Error(`${where} changed under ${WRITE_ATTEMPTS} writes in a row; another scan keeps writing it`);
}
