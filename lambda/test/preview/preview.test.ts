import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { evaluate } from "../../src/evaluate";
import { recordScan } from "../../src/history/record";
import { rulesHash, snapshotOf } from "../../src/history/snapshot";
import { DirectoryHistoryStore } from "../../src/history/store-dir";
import { PreviewInventoryError, runPreview } from "../../src/preview/preview";
import { parseRules } from "../../src/rules/load";
import type { ResourceCidr } from "../../src/types";
import { IDS, inventory } from "./inventory";

const FIXTURES = join(__dirname, "..", "fixtures", "preview");
const BASE = parseRules(readFileSync(join(FIXTURES, "base.yaml"), "utf8"), "base.yaml");
const HEAD = parseRules(readFileSync(join(FIXTURES, "head.yaml"), "utf8"), "head.yaml");
const NOW = new Date("2026-12-02T09:00:00Z");

describe("preview/preview", () => {
  let dir: string;
  let store: DirectoryHistoryStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ipam-preview-"));
    store = new DirectoryHistoryStore(dir);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function record(at: string, resources: ResourceCidr[]): Promise<void> {
    await recordScan(
      store,
      snapshotOf({
        resources,
        evaluation: evaluate(resources, BASE),
        scannedAt: new Date(at),
        rulesHash: rulesHash(BASE),
        source: "ipam",
      }),
    );
  }

  it("evaluates both files against the latest snapshot of the history", async () => {
    const older = inventory().map((r) => ({ ...r, tags: { env: "dev" } })); // nothing in trouble then
    await record("2026-11-30T12:00:00Z", older);
    await record("2026-12-01T12:00:00Z", inventory());

    const { preview, failures } = await runPreview(BASE, HEAD, { kind: "history", store, now: NOW });

    expect(failures).to.deep.equal([]);
    expect(preview.inventory).to.deep.equal({
      source: "history",
      location: dir,
      scannedAt: "2026-12-01T12:00:00.000Z",
      resources: 6,
      complete: true,
    });
    expect(preview.changes.map((c) => c.resourceId)).to.deep.equal([
      IDS.newlyCovered,
      IDS.warningToCritical,
      IDS.okToWarning,
      IDS.newlyUncovered,
    ]);
  });

  it("ignores history recorded after the time it runs at", async () => {
    await record("2026-12-01T12:00:00Z", inventory());
    await record("2026-12-05T12:00:00Z", []);

    const { preview } = await runPreview(BASE, HEAD, { kind: "history", store, now: NOW });

    expect(preview.inventory.resources).to.equal(6);
  });

  it("forecasts from the history, so days-to-full thresholds of the head file count", async () => {
    const growing = (day: number) =>
      inventory().map((r) =>
        r.resourceId === IDS.renamedScope
          ? {
              ...r,
              used: BigInt(40 + 10 * day),
              free: BigInt(211 - 10 * day),
              utilization: ((40 + 10 * day) / 251) * 100,
            }
          : r,
      );
    for (let day = 0; day < 10; day++)
      await record(`2026-11-${String(21 + day).padStart(2, "0")}T12:00:00Z`, growing(day));
    const head = parseRules(
      readFileSync(join(FIXTURES, "head.yaml"), "utf8").replace(
        "  - name: development\n    match: { tags: { env: dev } }",
        "  - name: development\n    match: { tags: { env: dev } }\n    thresholds: { daysToFullWarning: 30 }",
      ),
      "head.yaml",
    );

    const { preview } = await runPreview(BASE, head, { kind: "history", store, now: NOW });

    // 130 used (52%, below warning 70), 121 free, +10 a day: about 12 days.
    expect(preview.changes.find((c) => c.resourceId === IDS.renamedScope)).to.deep.include({
      scope: "development",
      from: "ok",
      to: "warning",
      reason: "full in about 12 days < warning 30 days",
    });
  });

  it("says the history is empty rather than comparing nothing", async () => {
    const error = await runPreview(BASE, HEAD, { kind: "history", store, now: NOW }).catch((e: unknown) => e);

    expect(error).to.be.instanceOf(PreviewInventoryError);
    expect((error as Error).message).to.contain(`${dir} holds no scan history from the last 400 days`);
  });

  it("evaluates a live read, and passes its failures on", async () => {
    const failure = {
      target: "ipam-scope ipam-scope-0bb55556666777788",
      action: "GetIpamResourceCidrs",
      message: "denied",
    };

    const { preview, failures } = await runPreview(BASE, HEAD, {
      kind: "live",
      source: "ipam",
      now: NOW,
      collect: async () => ({ resources: inventory(), failures: [failure], units: [] }),
    });

    expect(preview.inventory).to.deep.equal({
      source: "ipam",
      scannedAt: "2026-12-02T09:00:00.000Z",
      resources: 6,
      complete: false,
    });
    expect(failures).to.deep.equal([failure]);
    expect(preview.summary.changes).to.equal(4);
  });
});
