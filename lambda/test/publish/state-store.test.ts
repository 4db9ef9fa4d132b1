import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { AwsCallError, ScanError } from "../../src/errors";
import type { NotifiedState } from "../../src/publish/state-diff";
import {
  DynamoDbStateStore,
  type LoadedState,
  MAX_CHUNK_BYTES,
  MemoryStateStore,
  parseState,
  StateConflictError,
  type StateLease,
  serializeState,
} from "../../src/publish/state-store";
import { type FakeTable, fakeTable, ITEM_LIMIT_BYTES } from "../fixtures/dynamodb-table";

const TABLE = "ipam-monitor-state";
const NOW = new Date("2024-05-01T12:00:00.000Z");

function state(resources: NotifiedState["scopes"][string]["resources"] = { "subnet-01": { status: "critical" } }) {
  const s: NotifiedState = { scopes: { prod: { status: "critical", resources } } };
  return s;
}

/** A state with `count` critical subnets whose ids are as random as real ones (17 hex digits). */
function largeState(count: number): NotifiedState {
  const resources: NotifiedState["scopes"][string]["resources"] = {};
  for (let i = 0; i < count; i++) {
    const id = `subnet-${randomBytes(9).toString("hex").slice(0, 17)}`;
    resources[id] = { status: "critical", utilization: 90 + (i % 100) / 10, free: BigInt(i % 25) };
  }
  return state(resources);
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("it resolved"),
    (e: unknown) => e,
  );
}

describe("serializeState and parseState", () => {
  it("round-trips free counts above 2^53, the hold time and the unit counts exactly", () => {
    const saved: NotifiedState = {
      scopes: {
        v6: {
          status: "warning",
          resources: {
            "ipam-pool-01": { status: "warning", utilization: 81.2, free: 2n ** 64n + 1n },
            "subnet-02": { status: "critical", utilization: 97, heldSince: "2024-05-01T12:00:00.000Z" },
          },
        },
      },
      units: { "ipam-scope/ipam-scope-01": { resources: 41, pages: 1, drop: { resources: 3, scans: 1 } } },
    };

    expect(parseState(serializeState(saved))).to.deep.equal(saved);
  });

  it("stores one array per resource with utilization rounded down to one decimal, as messages print it", () => {
    const text = serializeState(state({ "subnet-01": { status: "critical", utilization: 96.17271835, free: 22n } }));

    expect(JSON.parse(text).scopes.prod.resources["subnet-01"]).to.deep.equal(["c", 96.1, "22"]);
  });

  it("reads a state written before format 2", () => {
    const text = JSON.stringify({
      version: 1,
      scopes: {
        prod: { status: "critical", resources: { "subnet-01": { status: "critical", utilization: 95, free: "12" } } },
      },
    });

    expect(parseState(text)).to.deep.equal(state({ "subnet-01": { status: "critical", utilization: 95, free: 12n } }));
  });

  it("rejects a state with an unknown status, naming the resource", () => {
    const text = JSON.stringify({
      format: 2,
      scopes: { prod: { status: "critical", resources: { "subnet-01": ["x"] } } },
    });

    expect(() => parseState(text)).to.throw(/subnet-01.*prod/);
  });

  it("rejects a document of another format", () => {
    expect(() => parseState(JSON.stringify({ format: 3, scopes: {} }))).to.throw(/format 1 or 2/);
  });
});

describe("MemoryStateStore", () => {
  it("loads nothing, at version 0, before the first save", async () => {
    expect(await new MemoryStateStore().load()).to.deep.equal({ state: undefined, version: 0 });
  });

  it("loads what was saved, as a copy", async () => {
    const store = new MemoryStateStore();
    const saved = state();
    await store.save(saved, await store.load());

    const loaded = await store.load();
    saved.scopes.prod!.resources = {};

    expect(loaded.state?.scopes.prod?.resources["subnet-01"]?.status).to.equal("critical");
  });

  it("gives the lease to one scan at a time and refuses a save at a version that moved on", async () => {
    const store = new MemoryStateStore();
    const first = await store.load();
    const second = await store.load();

    const lease = (await store.claim(first, 60_000)) as StateLease;

    expect(await store.claim(second, 60_000)).to.include({ refused: "held" });
    await store.save(state(), lease);
    expect(await store.claim(second, 60_000)).to.deep.equal({ refused: "moved" });
    expect(await failure(store.save(state(), second))).to.be.instanceOf(StateConflictError);
  });
});

describe("DynamoDbStateStore", () => {
  let table: FakeTable;
  let store: DynamoDbStateStore;
  beforeEach(() => {
    table = fakeTable();
    store = new DynamoDbStateStore(table.client, TABLE, { now: () => NOW });
  });
  afterEach(() => table.restore());

  it("reads the item 'last-notified' with a strongly consistent GetItem", async () => {
    await store.load();

    expect(table.stub.commandCalls(GetItemCommand)[0]!.args[0].input).to.deep.equal({
      TableName: TABLE,
      Key: { id: { S: "last-notified" } },
      ConsistentRead: true,
    });
  });

  it("loads nothing, at version 0, when the table has no item yet", async () => {
    expect(await store.load()).to.deep.equal({ state: undefined, version: 0 });
  });

  it("keeps a small state in one item, with its format, version and update time", async () => {
    await store.save(state(), await store.load());

    const head = table.items.get("last-notified")!;
    expect(head.format).to.deep.equal({ N: "2" });
    expect(head.version).to.deep.equal({ N: "1" });
    expect(head.updatedAt).to.deep.equal({ S: NOW.toISOString() });
    expect(table.items.size).to.equal(1);
    expect(await store.load()).to.deep.equal({ state: state(), version: 1 });
  });

  it("reads an item written before versions and replaces it", async () => {
    const old = JSON.stringify({
      version: 1,
      scopes: { prod: { status: "critical", resources: { "subnet-01": { status: "critical" } } } },
    });
    table.items.set("last-notified", { id: { S: "last-notified" }, state: { B: gzipSync(old) } });

    const loaded = await store.load();
    await store.save(state({}), loaded);

    expect(loaded).to.deep.equal({ state: state(), version: 0 });
    expect((await store.load()).version).to.equal(1);
  });

  it("saves 150,000 resources in trouble with realistic ids in shards under DynamoDB's item limit, and reads them back", async function () {
    this.timeout(60_000);
    const large = largeState(150_000);

    await store.save(large, await store.load());

    const head = table.items.get("last-notified")!;
    const shards = Number(head.shards!.N);
    expect(shards).to.be.within(2, 20);
    expect(table.items.size).to.equal(1 + shards);
    expect(table.largestItemBytes).to.be.below(ITEM_LIMIT_BYTES);
    const loaded = await store.load();
    expect(Object.keys(loaded.state!.scopes.prod!.resources)).to.have.length(150_000);
    expect(loaded.state).to.deep.equal(parseState(serializeState(large)));
  });

  it("removes the shards of the state it replaces", async function () {
    this.timeout(60_000);
    await store.save(largeState(60_000), await store.load());

    await store.save(state(), await store.load());

    expect([...table.items.keys()]).to.deep.equal(["last-notified"]);
  });

  it("refuses a state larger than the shards it may take, naming the table, and writes nothing", async () => {
    const small = new DynamoDbStateStore(table.client, TABLE, { maxShards: 1 });
    const large = largeState(40_000);
    expect(gzipSync(serializeState(large)).byteLength).to.be.above(MAX_CHUNK_BYTES);

    const error = await failure(small.save(large, await small.load()));

    expect(error).to.be.instanceOf(ScanError);
    expect((error as Error).message)
      .to.contain(TABLE)
      .and.contain("40000 resources in trouble");
    expect(table.items.size).to.equal(0);
  });

  describe("two scans at once", () => {
    let first: LoadedState;
    let second: LoadedState;
    beforeEach(async () => {
      await store.save(state(), await store.load());
      first = await store.load();
      second = await store.load();
    });

    it("lets only the first save at a version through", async () => {
      await store.save(state({}), first);

      expect(await failure(store.save(state({}), second))).to.be.instanceOf(StateConflictError);
      expect((await store.load()).state).to.deep.equal(state({}));
    });

    it("gives the lease to one of them; the other is told it is held, then that the state moved on", async () => {
      const lease = (await store.claim(first, 60_000)) as StateLease;

      expect(await store.claim(second, 60_000)).to.deep.equal({ refused: "held", until: NOW.getTime() + 60_000 });
      expect(await failure(store.save(state({}), second))).to.be.instanceOf(StateConflictError);
      await store.save(state({}), lease);
      expect(table.items.get("last-notified")!.leaseOwner).to.equal(undefined);
      expect(await store.claim(second, 60_000)).to.deep.equal({ refused: "moved" });
    });

    it("takes back a lease that lapsed", async () => {
      await store.claim(first, 60_000);
      const later = new DynamoDbStateStore(table.client, TABLE, { now: () => new Date(NOW.getTime() + 61_000) });

      const lease = await later.claim(await later.load(), 60_000);

      expect(lease).to.have.property("owner");
    });

    it("gives a lease back without saving after a failed publish", async () => {
      const lease = (await store.claim(first, 60_000)) as StateLease;

      await store.release(lease);

      const loaded = await store.load();
      expect(loaded.state).to.deep.equal(state());
      expect(await store.claim(loaded, 60_000)).to.have.property("owner");
    });

    it("refuses a save under a lease that another scan took over", async () => {
      const lease = (await store.claim(first, 60_000)) as StateLease;
      await store.release(lease);
      await store.claim(await store.load(), 60_000);

      expect(await failure(store.save(state({}), lease))).to.be.instanceOf(StateConflictError);
    });
  });

  it("treats an unreadable item as nothing saved, says so, and lets a save replace it", async () => {
    table.items.set("last-notified", {
      id: { S: "last-notified" },
      version: { N: "7" },
      state: { B: Buffer.from("not gzip") },
    });
    const told: Error[] = [];
    const reading = new DynamoDbStateStore(table.client, TABLE, { onUnreadable: (e) => told.push(e) });

    const loaded = await reading.load();
    await reading.save(state(), loaded);

    expect(loaded).to.deep.equal({ state: undefined, version: 7 });
    expect(told[0]?.message).to.contain(TABLE);
    expect((await reading.load()).state).to.deep.equal(state());
  });

  it("throws an AwsCallError naming the table, with the SDK error as cause, when GetItem fails", async () => {
    const missing = Object.assign(new Error("Requested resource not found"), { name: "ResourceNotFoundException" });
    table.stub.on(GetItemCommand).rejects(missing);

    const error = await failure(store.load());

    expect(error).to.be.instanceOf(AwsCallError);
    expect(error).to.include({ action: "GetItem", service: "dynamodb", target: `table ${TABLE}`, cause: missing });
  });
});
