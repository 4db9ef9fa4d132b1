import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import { decodeDay } from "../../src/history/format";
import { recordScan } from "../../src/history/record";
import { rulesHash, snapshotOf } from "../../src/history/snapshot";
import type { HistoryStore } from "../../src/history/store";
import { DirectoryHistoryStore } from "../../src/history/store-dir";
import { forecastFromHistory, windowDays } from "../../src/history/window";
import type { ResourceCidr } from "../../src/types";
import { rules, scope, subnet } from "./fixtures";

const RULES = rules([scope("all", { warning: 70, critical: 85 })]);
const DAY_MS = 86_400_000;
const NOW = new Date("2026-12-01T12:00:00Z");
const GROWING = "subnet-0000000000000aa01";
const FLAT = "subnet-0000000000000aa02";

function daysBefore(days: number, at = NOW): Date {
  return new Date(at.getTime() - days * DAY_MS);
}

function inventory(growingUsed: number): ResourceCidr[] {
  return [
    subnet(GROWING, growingUsed),
    subnet(FLAT, 100, {}, "10.0.2.0/24"),
    subnet("subnet-0000000000000ff01", undefined, {}, "2600:1f18:abcd:1200::/64"),
    { ...subnet("eipalloc-0000000000000e01", 1, { resourceType: "eip" }, "198.51.100.7/32") },
  ];
}

async function record(store: HistoryStore, at: Date, resources: ResourceCidr[]) {
  const evaluation = evaluate(resources, RULES);
  return recordScan(
    store,
    snapshotOf({ resources, evaluation, scannedAt: at, rulesHash: rulesHash(RULES), source: "ipam" }),
  );
}

describe("history window", () => {
  let dir: string;
  let store: DirectoryHistoryStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ipam-history-"));
    store = new DirectoryHistoryStore(dir);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("recordScan", () => {
    it("folds every scan of a day into one object", async () => {
      await record(store, new Date("2026-11-26T08:00:00Z"), inventory(100));
      await record(store, new Date("2026-11-26T09:00:00Z"), inventory(140));
      const last = await record(store, new Date("2026-11-26T10:00:00Z"), inventory(120));

      const day = decodeDay((await store.readDay("2026-11-26"))!.bytes, "day");

      expect(await store.listDays("2026-01-01", "2026-12-31")).to.deep.equal(["2026-11-26"]);
      expect(last.scans).to.equal(3);
      expect(day.resources.used[0]).to.equal(120);
      expect(day.resources.peakUsed[0]).to.equal(140);
    });

    it("reads and folds again when another writer changed the day in between", async () => {
      await record(store, new Date("2026-11-26T08:00:00Z"), inventory(100));
      let conflicts = 1;
      const racing: HistoryStore = {
        location: store.location,
        whereIs: (day) => store.whereIs(day),
        listDays: (from, to) => store.listDays(from, to),
        readDay: (day) => store.readDay(day),
        writeDay: async (day, bytes, expected) => {
          if (conflicts-- > 0) await record(store, new Date("2026-11-26T08:30:00Z"), inventory(200));
          return store.writeDay(day, bytes, expected);
        },
      };

      const recorded = await record(racing, new Date("2026-11-26T09:00:00Z"), inventory(110));

      const day = decodeDay((await store.readDay("2026-11-26"))!.bytes, "day");
      expect(recorded.scans).to.equal(3);
      expect(day.scans.map((s) => s.scannedAt.slice(11, 16))).to.deep.equal(["08:00", "08:30", "09:00"]);
      expect(day.resources.peakUsed[0]).to.equal(200);
    });
  });

  describe("forecastFromHistory", () => {
    async function backfill(days: number, used: (day: number) => number): Promise<void> {
      for (let d = days; d >= 1; d--) await record(store, daysBefore(d), inventory(used(d)));
    }

    it("forecasts from the stored days and the scan itself", async () => {
      await backfill(13, (d) => 200 - 3 * d); // 161 … 197
      const current = inventory(200);

      const read = await forecastFromHistory(store, current, NOW);

      expect(read.days).to.have.length(13);
      expect(current[0]!.forecast).to.deep.include({ trend: "growing", points: 14, spanDays: 13, daysToFull: 17 });
      expect(current[0]!.forecast!.fullBy).to.equal("2026-12-18");
      expect(current[1]!.forecast).to.deep.include({ trend: "flat", growthPerDay: 0 });
    });

    it("gives single addresses no forecast and resources never measured none either", async () => {
      await backfill(13, () => 100);
      const current = inventory(100);

      await forecastFromHistory(store, current, NOW);

      expect(current[2]!.forecast).to.equal(undefined); // IPv6 subnet: IPAM never measured it
      expect(current[3]!.forecast).to.equal(undefined); // an Elastic IP is in use or idle
    });

    it("says not enough history for the first days", async () => {
      await backfill(3, (d) => 200 - 3 * d);
      const current = inventory(200);

      await forecastFromHistory(store, current, NOW);

      expect(current[0]!.forecast).to.deep.equal({ trend: "not-enough-history", points: 4, spanDays: 3 });
    });

    it("reads only the days of the window", async () => {
      await backfill(40, (d) => 250 - d);
      const current = inventory(250);

      const read = await forecastFromHistory(store, current, NOW, {
        windowDays: 10,
        minPoints: 7,
        minSpanDays: 6,
        horizonDays: 365,
      });

      expect(read.days).to.deep.equal(
        Array.from({ length: 9 }, (_, i) =>
          daysBefore(9 - i)
            .toISOString()
            .slice(0, 10),
        ),
      );
      expect(current[0]!.forecast!.points).to.equal(10);
      expect(windowDays(NOW, 10)).to.deep.equal({ from: "2026-11-22", to: "2026-12-01" });
    });

    it("takes today's stored peak when it is higher than what the scan measures now", async () => {
      await backfill(13, (d) => 200 - 3 * d);
      await record(store, new Date("2026-12-01T06:00:00Z"), inventory(230)); // a burst this morning
      const current = inventory(200);

      await forecastFromHistory(store, current, NOW);

      // The burst is one point of 14: the median of the last three ignores it.
      expect(current[0]!.forecast).to.deep.include({ points: 14, daysToFull: 17 });
    });

    it("hands back the days-to-full levels of the latest stored scan", async () => {
      const resources = inventory(200);
      const evaluation = evaluate(resources, RULES);
      await recordScan(
        store,
        snapshotOf({
          resources,
          evaluation,
          scannedAt: daysBefore(1),
          rulesHash: "sha256:x",
          source: "ipam",
          levels: [{ resource: resources[0]!, scope: "all", level: "critical" }],
        }),
      );

      const read = await forecastFromHistory(store, inventory(200), NOW);

      expect(read.latestScanAt).to.equal("2026-11-30T12:00:00.000Z");
      expect(read.previousLevels.get(`${GROWING} 10.0.1.0/24`)?.get("all")).to.equal("critical");
    });

    it("fails naming the object when a stored day is unreadable", async () => {
      await store.writeDay("2026-11-30", Buffer.from("not gzip"), undefined);

      const error = await forecastFromHistory(store, inventory(1), NOW).catch((e: unknown) => e);

      expect((error as Error).message).to.contain(join(dir, "days", "2026-11-30.json.gz"));
    });
  });
});
