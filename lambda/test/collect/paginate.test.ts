import { expect } from "chai";
import { deadlineAt, NO_DEADLINE, ScanTimeoutError } from "../../src/collect/deadline";
import { PaginationError, pageCeiling, paginate } from "../../src/collect/paginate";

interface Page {
  items: number[];
  NextToken?: string;
}

/** Serves `tokens[i]` as the NextToken of page i; items are the page numbers. */
function pagesWithTokens(tokens: (string | undefined)[]) {
  const asked: (string | undefined)[] = [];
  let page = 0;
  return {
    asked,
    fetchPage: async (token: string | undefined): Promise<Page> => {
      asked.push(token);
      const next = tokens[page];
      const out: Page = { items: [page] };
      if (next !== undefined) out.NextToken = next;
      page += 1;
      return out;
    },
  };
}

async function run(tokens: (string | undefined)[], ceiling = 1000) {
  const served = pagesWithTokens(tokens);
  const items: number[] = [];
  const counter = { pages: 0 };
  const error = await paginate<Page>({
    action: "DescribeSubnets",
    fetchPage: served.fetchPage,
    tokenOf: (p) => p.NextToken,
    onPage: (p) => items.push(...p.items),
    ceiling,
    deadline: NO_DEADLINE,
    counter,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, items, counter, asked: served.asked };
}

describe("paginate", () => {
  it("follows NextToken to the page without one, handing over every page", async () => {
    const { error, items, counter, asked } = await run(["a", "b", undefined]);

    expect(error).to.equal(undefined);
    expect(items).to.deep.equal([0, 1, 2]);
    expect(asked).to.deep.equal([undefined, "a", "b"]);
    expect(counter.pages).to.equal(3);
  });

  it("ends at an empty NextToken", async () => {
    const { error, items } = await run(["a", ""]);

    expect(error).to.equal(undefined);
    expect(items).to.deep.equal([0, 1]);
  });

  it("stops a cycle A → B → A, keeping the pages read", async () => {
    const { error, items } = await run(["A", "B", "A", "B"]);

    expect(error).to.be.instanceOf(PaginationError).and.include({ code: "PaginationLoop", action: "DescribeSubnets" });
    expect((error as Error).message).to.equal(
      "DescribeSubnets returned a NextToken on page 3 that it had already returned; stopped instead of looping",
    );
    expect(items).to.deep.equal([0, 1, 2]);
  });

  it("stops a token repeated on the next page", async () => {
    const { error, asked } = await run(["same", "same"]);

    expect(error).to.include({ code: "PaginationLoop" });
    expect(asked).to.deep.equal([undefined, "same"]);
  });

  it("stops at the ceiling when every token is new, after exactly that many pages", async () => {
    const fresh = Array.from({ length: 10_000 }, (_, i) => `token-${i}`);

    const { error, asked } = await run(fresh, 25);

    expect(error).to.be.instanceOf(PaginationError).and.include({ code: "PageCeiling" });
    expect((error as Error).message).to.include("still had more after 25 pages");
    expect(asked).to.have.length(25);
  });

  it("reads exactly `ceiling` pages when the last of them ends the pagination", async () => {
    const { error, counter } = await run(["a", "b", undefined], 3);

    expect(error).to.equal(undefined);
    expect(counter.pages).to.equal(3);
  });

  it("asks for no page once the deadline has passed", async () => {
    const served = pagesWithTokens(["a", undefined]);

    const error = await paginate<Page>({
      action: "DescribeVpcs",
      fetchPage: served.fetchPage,
      tokenOf: (p) => p.NextToken,
      onPage: () => undefined,
      ceiling: 10,
      deadline: deadlineAt(0, "the scan timeout of 1 s"),
      counter: { pages: 0 },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).to.be.instanceOf(ScanTimeoutError).and.include({ code: "ScanTimeout", action: "DescribeVpcs" });
    expect(served.asked).to.deep.equal([]);
  });
});

describe("pageCeiling", () => {
  const options = { min: 1000, factor: 10 };

  it("is the floor for a unit without history", () => {
    expect(pageCeiling(undefined, options)).to.equal(1000);
  });

  it("is the floor while ten times the last scan's pages is below it", () => {
    expect(pageCeiling(12, options)).to.equal(1000);
  });

  it("is ten times the last scan's pages above the floor", () => {
    expect(pageCeiling(250, options)).to.equal(2500);
  });
});
