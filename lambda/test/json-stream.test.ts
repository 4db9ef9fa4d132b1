import { EventEmitter } from "node:events";
import { expect } from "chai";
import { evaluate } from "../src/evaluate";
import { stringifyWithBigInt } from "../src/json";
import { JSON_CHUNK_CHARS, jsonChunks, writeChunks } from "../src/json-stream";
import { buildResult } from "../src/result";
import { ipv6Subnet, rulesFile, scopeRule, subnet, subnetAt } from "./fixtures/resources";

const joined = (value: unknown, space = 2): string => [...jsonChunks(value, space)].join("");

describe("jsonChunks", () => {
  const cases: [string, unknown][] = [
    ["a number", 42],
    ["a string with escapes, a line break and characters beyond ASCII", 'a "b"\n\tc ü 😀 \u2028'],
    ["null", null],
    ["a BigInt", 2n ** 70n],
    ["an empty object and an empty array", { a: {}, b: [], c: [{}, []] }],
    [
      "fields that JSON leaves out, and array items it writes as null",
      { a: undefined, b: () => 1, c: Symbol("s"), d: [undefined, () => 1, Symbol("s"), 1], e: 1 },
    ],
    ["an object whose every field is left out", { a: undefined, list: [{ b: undefined }] }],
    ["numbers JSON cannot write, and negative zero", { nan: Number.NaN, inf: -Infinity, zero: -0, list: [Number.NaN] }],
    ["a Date, through toJSON, at every depth", { at: new Date(0), list: [new Date(1), { at: new Date(2) }] }],
    ["BigInts at every depth", { n: 1n, list: [2n, { n: 3n, deeper: { n: [4n, { n: 5n }] } }] }],
    [
      "nesting deeper than one entry of a list",
      { a: [{ b: [{ c: [{ d: { e: [1, [2, [3, {}]]] } }] }] }], keys: { 'needs "quotes"\n': 1 } },
    ],
    [
      "resources as the collectors measure them",
      [subnet("subnet-1"), ipv6Subnet("subnet-2"), subnetAt("s3", "critical")],
    ],
  ];
  for (const [what, value] of cases) {
    it(`writes ${what} exactly as JSON.stringify does`, () => {
      expect(joined(value)).to.equal(stringifyWithBigInt(value, 2));
      expect(joined(value, 4)).to.equal(stringifyWithBigInt(value, 4));
    });
  }

  it("writes nothing for a value JSON.stringify has no text for", () => {
    expect([...jsonChunks(undefined, 2)]).to.deep.equal([]);
  });

  it("writes compact JSON as JSON.stringify does when there is no indentation", () => {
    const value = { a: [1, { b: 2n }], c: "d" };
    expect(joined(value, 0)).to.equal(stringifyWithBigInt(value));
  });

  it("writes a scan result byte for byte as JSON.stringify does", () => {
    const resources = [
      subnetAt("subnet-critical", "critical", { tags: { team: "pay" } }),
      subnetAt("subnet-warning", "warning"),
      subnetAt("subnet-ok", "ok"),
      subnet("subnet-unknown"),
      ipv6Subnet("subnet-v6"),
      subnetAt("subnet-elsewhere", "critical", { region: "us-east-1" }),
    ];
    const rules = rulesFile([scopeRule("eu", { match: { regions: ["eu-west-1"] } }), scopeRule("all")]);
    const result = buildResult({
      evaluation: evaluate(resources, rules),
      failures: [{ target: "ipam-scope/s-1", action: "GetIpamResourceCidrs", code: "Throttling", message: "slow" }],
      scannedAt: new Date("2026-01-02T03:04:05Z"),
      source: "ipam",
      dryRun: true,
      units: [{ unit: { key: "ipam-scope/s-1" } as never, resources: 6, pages: 1, complete: false }],
      maxBytes: Number.POSITIVE_INFINITY,
      fillingUpLimit: Number.POSITIVE_INFINITY,
    });

    expect(result.resourcesInTrouble.length).to.be.greaterThan(1);
    expect(joined(result)).to.equal(stringifyWithBigInt(result, 2));
  });

  it("hands on chunks of about JSON_CHUNK_CHARS, however long the list", () => {
    const list = Array.from({ length: 5_000 }, (_, i) => ({
      resourceId: `subnet-${i}`,
      free: BigInt(i),
      tags: { n: i },
    }));
    const chunks = [...jsonChunks({ list }, 2)];
    const entry = stringifyWithBigInt(list[0], 2).length * 2;

    expect(chunks.length).to.be.greaterThan(3);
    for (const chunk of chunks) expect(chunk.length).to.be.at.most(JSON_CHUNK_CHARS + entry);
    expect(chunks.join("")).to.equal(stringifyWithBigInt({ list }, 2));
  });
});

describe("writeChunks", () => {
  /** A stream that takes `room` writes, then asks to wait until it emits "drain". */
  function slowStream(room: number) {
    const stream = new EventEmitter() as EventEmitter & { write(chunk: string): boolean };
    const written: string[] = [];
    let waiting = 0;
    stream.write = (chunk: string) => {
      written.push(chunk);
      if (written.length % room !== 0) return true;
      waiting += 1;
      setImmediate(() => {
        waiting -= 1;
        stream.emit("drain");
      });
      return false;
    };
    return { stream, written, waiting: () => waiting };
  }

  it("writes every chunk in order, and waits for drain before the next one when asked to", async () => {
    const { stream, written, waiting } = slowStream(2);
    const seenWaiting: number[] = [];
    function* chunks() {
      for (const chunk of ["a", "b", "c", "d", "e"]) {
        seenWaiting.push(waiting());
        yield chunk;
      }
    }

    await writeChunks(stream as unknown as NodeJS.WritableStream, chunks());

    expect(written.join("")).to.equal("abcde");
    // Had it not waited, the third and fifth chunks would have been made while a drain was pending.
    expect(seenWaiting).to.deep.equal([0, 0, 0, 0, 0]);
  });
});
