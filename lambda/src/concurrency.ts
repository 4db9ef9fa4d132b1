/**
 * Bounded parallelism: run an async function over a list with at most
 * `limit` calls in flight. Scanning every region at once would multiply the
 * request rate against EC2's per-account throttling bucket; one at a time
 * would make a scan of many regions as slow as their sum.
 */

/**
 * Maps `items` through `fn` with at most `limit` calls pending at once and
 * returns the results in the order of `items`. The first rejection rejects
 * the whole map and no further item is started; callers that want every
 * item to report catch inside `fn`.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`concurrency limit ${limit} must be a whole number ≥ 1`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;

  // Each worker takes the next unstarted index until none is left; JavaScript
  // runs one worker at a time between awaits, so `next += 1` needs no lock.
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };

  const workers = Array.from({ length: Math.min(limit, items.length) }, worker);
  await Promise.all(workers);
  return results;
}
