import { expect } from "chai";
import { mapWithConcurrency } from "../src/concurrency";

/** A promise settled from outside, to control when each call finishes. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("mapWithConcurrency", () => {
  it("returns results in the order of the items even when later ones finish first", async () => {
    const delays = [30, 1, 15, 5];

    const results = await mapWithConcurrency(delays, 4, async (ms, i) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return `item ${i}`;
    });

    expect(results).to.deep.equal(["item 0", "item 1", "item 2", "item 3"]);
  });

  it("keeps at most `limit` calls in flight and reaches that limit", async () => {
    let inFlight = 0;
    let maxInFlight = 0;

    await mapWithConcurrency([...Array(10).keys()], 3, async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
    });

    expect(maxInFlight).to.equal(3);
  });

  it("starts the next item as soon as one call finishes", async () => {
    const gates = [deferred<void>(), deferred<void>(), deferred<void>()];
    const started: number[] = [];
    const run = mapWithConcurrency([0, 1, 2], 2, async (i) => {
      started.push(i);
      await gates[i]?.promise;
    });
    await tick();
    expect(started).to.deep.equal([0, 1]);

    gates[1]?.resolve();
    await tick();

    expect(started).to.deep.equal([0, 1, 2]);
    gates[0]?.resolve();
    gates[2]?.resolve();
    await run;
  });

  it("calls the function once per item", async () => {
    const seen: number[] = [];

    await mapWithConcurrency([5, 6, 7, 8, 9], 2, async (item) => {
      seen.push(item);
    });

    expect(seen.sort()).to.deep.equal([5, 6, 7, 8, 9]);
  });

  it("returns an empty list without calling the function for no items", async () => {
    let calls = 0;

    const results = await mapWithConcurrency([], 4, async () => {
      calls += 1;
    });

    expect(results).to.deep.equal([]);
    expect(calls).to.equal(0);
  });

  it("rejects with the first error and starts no further item", async () => {
    const started: number[] = [];
    const slow = deferred<void>();

    const run = mapWithConcurrency([0, 1, 2, 3], 2, async (i) => {
      started.push(i);
      if (i === 0) throw new Error("item 0 failed");
      await slow.promise;
    });

    await run.then(
      () => expect.fail("expected a rejection"),
      (err: Error) => expect(err.message).to.equal("item 0 failed"),
    );
    // Item 1 was already running; when it ends, its worker must not pick up item 2.
    slow.resolve();
    await tick();
    expect(started).to.deep.equal([0, 1]);
  });

  for (const limit of [0, -1, 1.5, Number.NaN]) {
    it(`rejects a limit of ${limit}, naming it`, async () => {
      const run = mapWithConcurrency([1], limit, async (x) => x);

      await run.then(
        () => expect.fail("expected a rejection"),
        (err: Error) => expect(err.message).to.equal(`concurrency limit ${limit} must be a whole number ≥ 1`),
      );
    });
  }
});
