import { gunzipSync, gzipSync } from "node:zlib";
import Ajv from "ajv";
import { expect } from "chai";
import historySchema from "../../schema/history.schema.json";
import { evaluate } from "../../src/evaluate";
import { decodeDay, decodeSeries, encodeDay, HistoryFormatError, seriesKey } from "../../src/history/format";
import { foldScan, levelsOf, resourcesOf, rulesHash, snapshotOf } from "../../src/history/snapshot";
import type { ResourceCidr } from "../../src/types";
import { rules, scope, subnet } from "./fixtures";

const RULES = rules([scope("prod", { warning: 70, critical: 85 }, { tags: { env: "prod" } })]);
const HASH = rulesHash(RULES);

function snapshotAt(time: string, resources: ResourceCidr[], levels = false) {
  const evaluation = evaluate(resources, RULES);
  return snapshotOf({
    resources,
    evaluation,
    scannedAt: new Date(time),
    rulesHash: HASH,
    source: "ipam",
    ...(levels ? { levels: [{ resource: resources[0]!, scope: "prod", level: "warning" as const }] } : {}),
  });
}

/** What a snapshot keeps of a resource: everything but the forecast and the IPAM bookkeeping. */
function comparable(r: ResourceCidr): ResourceCidr {
  const { forecast: _f, ipam: _i, ...rest } = r;
  return rest;
}

describe("history snapshot", () => {
  const vpc: ResourceCidr = {
    ...subnet("vpc-0000000000000aa01", undefined, { resourceType: "vpc", tags: {} }, "10.1.0.0/16"),
    vpcId: undefined,
    name: undefined,
    availabilityZoneId: undefined,
    room: { largestFreePrefix: 20, freeSlash24: 16, freeSlash28: 256 },
  };
  delete vpc.vpcId;
  delete vpc.name;
  delete vpc.availabilityZoneId;
  const ipv6 = subnet("subnet-0000000000000ff01", undefined, { tags: { env: "prod" } }, "2600:1f18:abcd:1200::/64");
  const resources = [
    subnet("subnet-0000000000000aa01", 220),
    subnet("subnet-0000000000000aa02", 10, { tags: { env: "dev", "cost center": "ünïcode" } }, "10.0.2.0/24"),
    vpc,
    ipv6,
  ];

  it("gives back exactly the resources it was made from, through encoding and decoding", () => {
    const day = decodeDay(encodeDay(snapshotAt("2026-11-26T10:00:00Z", resources)), "day");

    expect(resourcesOf(day, "day")).to.deep.equal(resources.map(comparable));
  });

  it("keeps each resource's worst status, its scopes and its usage as the day's peak", () => {
    const day = snapshotAt("2026-11-26T10:00:00Z", resources);
    const c = day.resources;

    expect(c.status.map((ref) => day.strings[ref])).to.deep.equal(["critical", "uncovered", "uncovered", "unknown"]);
    expect(c.scopes.map((set) => day.scopeSets[set]!.map((ref) => day.strings[ref]))).to.deep.equal([
      ["prod"],
      [],
      [],
      ["prod"],
    ]);
    expect(c.peakUsed).to.deep.equal([220, 10, null, null]);
    expect(day.scans).to.deep.equal([
      { scannedAt: "2026-11-26T10:00:00.000Z", rulesHash: HASH, source: "ipam", resources: 4 },
    ]);
  });

  it("writes two lines that the JSON Schema accepts, the series first", () => {
    const ajv = new Ajv({ allErrors: true, strict: true, validateFormats: false });
    const validate = ajv.compile(historySchema);
    const day = foldScan(
      snapshotAt("2026-11-26T10:00:00Z", resources, true),
      snapshotAt("2026-11-26T11:00:00Z", resources, true),
    );

    const lines = gunzipSync(encodeDay(day)).toString("utf8").split("\n");

    expect(lines).to.have.length(3); // two lines, each ending with a line break
    expect(lines[2]).to.equal("");
    for (const line of lines.slice(0, 2)) {
      const valid = validate(JSON.parse(line));
      expect(validate.errors ?? []).to.deep.equal([]);
      expect(valid).to.equal(true);
    }
    expect(Object.keys(JSON.parse(lines[0]!).resources)).to.deep.equal(["resourceId", "cidr", "peakUsed"]);
  });

  it("gives a forecast the first line alone, with the levels by scope name", () => {
    const series = decodeSeries(encodeDay(snapshotAt("2026-11-26T10:00:00Z", resources, true)), "day");

    expect(series.resources.peakUsed).to.deep.equal([220, 10, null, null]);
    expect(series.levels).to.deep.equal([[0, "prod", "warning"]]);
    expect(series).to.not.have.property("strings");
  });

  it("stores each repeated string once", () => {
    const many = Array.from({ length: 100 }, (_, i) =>
      subnet(`subnet-${String(i).padStart(17, "0")}`, i, {}, `10.0.${i}.0/24`),
    );

    const day = snapshotAt("2026-11-26T10:00:00Z", many);

    expect(day.strings.filter((s) => s === "eu-west-1")).to.have.length(1);
    expect(day.tagSets.length).to.equal(100); // each subnet has its own Name tag
  });

  describe("foldScan", () => {
    const morning = snapshotAt("2026-11-26T08:00:00Z", [subnet("subnet-0000000000000aa01", 200)]);
    const noon = snapshotAt("2026-11-26T12:00:00Z", [subnet("subnet-0000000000000aa01", 240)]);
    const evening = snapshotAt("2026-11-26T20:00:00Z", [
      subnet("subnet-0000000000000aa01", 150),
      subnet("subnet-0000000000000aa02", 5, {}, "10.0.2.0/24"),
    ]);

    it("keeps the latest facts and each resource's peak of the day", () => {
      const day = foldScan(foldScan(morning, noon), evening);

      expect(day.resources.used).to.deep.equal([150, 5]);
      expect(day.resources.peakUsed).to.deep.equal([240, 5]);
      expect(day.scans.map((s) => s.scannedAt)).to.deep.equal([
        "2026-11-26T08:00:00.000Z",
        "2026-11-26T12:00:00.000Z",
        "2026-11-26T20:00:00.000Z",
      ]);
    });

    it("ends the same whatever order the scans come in (a backfill)", () => {
      const inOrder = foldScan(foldScan(morning, noon), evening);
      const reversed = foldScan(foldScan(evening, noon), morning);

      expect(reversed).to.deep.equal(inOrder);
    });

    it("does not count a scan twice when it is folded in again", () => {
      const once = foldScan(morning, noon);

      expect(foldScan(once, noon)).to.equal(once);
    });

    it("refuses a scan of another day", () => {
      const tomorrow = snapshotAt("2026-11-27T01:00:00Z", [subnet("subnet-0000000000000aa01", 1)]);

      expect(() => foldScan(morning, tomorrow)).to.throw(HistoryFormatError, "cannot fold in a scan of 2026-11-27");
    });

    it("compares peaks beyond 2^53 exactly", () => {
      const big = (used: string) => {
        const day = snapshotAt("2026-11-26T08:00:00Z", [subnet("subnet-0000000000000aa01", 1)]);
        day.resources.peakUsed = [used];
        return day;
      };
      const later = big("18446744073709551615");
      later.scans = [{ ...later.scans[0]!, scannedAt: "2026-11-26T09:00:00.000Z" }];

      expect(foldScan(big("18446744073709551616"), later).resources.peakUsed).to.deep.equal(["18446744073709551616"]);
    });
  });

  it("remembers the days-to-full levels of the latest scan by resource, CIDR and scope", () => {
    const day = decodeDay(encodeDay(snapshotAt("2026-11-26T10:00:00Z", resources, true)), "day");

    const levels = levelsOf(day);

    expect([...levels.keys()]).to.deep.equal([seriesKey("subnet-0000000000000aa01", "10.0.1.0/24")]);
    expect(Object.fromEntries(levels.get(seriesKey("subnet-0000000000000aa01", "10.0.1.0/24"))!)).to.deep.equal({
      prod: "warning",
    });
  });

  describe("rulesHash", () => {
    it("is the same for the same rules read from another path", () => {
      expect(rulesHash({ ...RULES, file: "elsewhere/rules.yaml" })).to.equal(HASH);
    });

    it("changes when a threshold changes", () => {
      const changed = rules([scope("prod", { warning: 71, critical: 85 }, { tags: { env: "prod" } })]);

      expect(rulesHash(changed)).to.not.equal(HASH);
      expect(HASH).to.match(/^sha256:[0-9a-f]{64}$/);
    });
  });

  describe("decodeDay", () => {
    const good = snapshotAt("2026-11-26T10:00:00Z", resources);
    const [first, second] = gunzipSync(encodeDay(good)).toString("utf8").split("\n") as [string, string];
    const lines = (head: unknown, facts: unknown = JSON.parse(second)) =>
      gzipSync(`${JSON.stringify(head)}\n${JSON.stringify(facts)}\n`);
    const head = JSON.parse(first);

    it("names the object when it is not gzip-compressed", () => {
      expect(() => decodeDay(Buffer.from("{}"), "s3://b/days/2026-11-26.json.gz")).to.throw(
        HistoryFormatError,
        "s3://b/days/2026-11-26.json.gz: is not gzip-compressed",
      );
    });

    it("names the object when a line is not JSON", () => {
      expect(() => decodeDay(gzipSync(`${first}\n{not json\n`), "x")).to.throw("x: is not two lines of JSON");
    });

    it("refuses a document of another kind", () => {
      expect(() => decodeDay(lines({ hello: 1 }), "x")).to.throw("x: is not an ipam-monitor history document");
    });

    it("asks for an upgrade when the format version is newer than it knows", () => {
      expect(() => decodeSeries(lines({ ...head, version: 2 }), "x")).to.throw(
        "x: has format version 2; this ipam-monitor reads version 1: upgrade it to read history written by a newer one",
      );
    });

    it("refuses columns of different lengths", () => {
      const broken = { ...head, resources: { ...head.resources, cidr: head.resources.cidr.slice(1) } };

      expect(() => decodeSeries(lines(broken), "x")).to.throw(
        "x: resources.cidr must be an array as long as resources.resourceId (4)",
      );
    });

    it("refuses facts of another length than the series", () => {
      const facts = JSON.parse(second);
      facts.resources.region = facts.resources.region.slice(1);

      expect(() => decodeDay(lines(head, facts), "x")).to.throw(
        "x: resources.region must be an array as long as resources.resourceId (4)",
      );
    });

    it("refuses an index outside the string table", () => {
      const facts = JSON.parse(second);
      facts.resources.region = [0, 0, 999, 0];

      expect(() => decodeDay(lines(head, facts), "x")).to.throw("x: resources.region[2] is 999, not an index below");
    });

    it("refuses a levels entry that is not [resource, scope, level]", () => {
      expect(() => decodeSeries(lines({ ...head, levels: [[0, "prod", "bad"]] }), "x")).to.throw(
        'x: levels entry [0,"prod","bad"] is not [resource, scope, level]',
      );
    });

    it("refuses a day without its second line, the facts", () => {
      expect(() => decodeDay(gzipSync(`${first}\n`), "x")).to.throw("x: is not two lines of JSON");
    });
  });
});
