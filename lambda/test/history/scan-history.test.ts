import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { PublishCommand } from "@aws-sdk/client-sns";
import Ajv from "ajv";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";
import resultSchema from "../../schema/result.schema.json";
import { type Config, readConfig } from "../../src/config";
import { ScanError } from "../../src/errors";
import { decodeDay } from "../../src/history/format";
import type { HistoryStore } from "../../src/history/store";
import { DirectoryHistoryStore } from "../../src/history/store-dir";
import { silentLogger } from "../../src/log";
import { MemoryStateStore } from "../../src/publish/state-store";
import { parseRules } from "../../src/rules/load";
import { runScan, type ScanDependencies } from "../../src/scan";
import { type MockedClients, mockAwsClients } from "../fixtures/scan/clients";
import * as net from "../fixtures/scan/network";

const DAY_MS = 86_400_000;
const NOW = new Date("2026-12-01T12:00:00.000Z");
const TOPIC = "arn:aws:sns:us-east-1:111122223333:ipam-alerts";

/** Only the forecast can put a subnet in trouble here: the percent levels are out of reach. */
const RULES_TEXT = `version: 1
defaults:
  thresholds: { warning: 99, critical: 99.9, daysToFullWarning: 30, daysToFullCritical: 7 }
scopes:
  - name: subnets
    match: { resourceTypes: [subnet] }
`;
const RULES = parseRules(RULES_TEXT, "rules.yaml");
const PLAIN_RULES = parseRules(net.RULES_YAML, "rules.yaml");

function daysBefore(days: number): Date {
  return new Date(NOW.getTime() - days * DAY_MS);
}

function datums(cloudwatch: AwsClientStub<CloudWatchClient>): string[] {
  return cloudwatch.commandCalls(PutMetricDataCommand).flatMap((call) =>
    (call.args[0].input.MetricData ?? []).map((d: MetricDatum) => {
      const scope = d.Dimensions?.find((dim) => dim.Name === "Scope")?.Value;
      return `${d.MetricName}${scope === undefined ? "" : ` ${scope}`} = ${d.Value}`;
    }),
  );
}

describe("runScan with a scan history", () => {
  let mocked: MockedClients;
  let dir: string;
  let store: DirectoryHistoryStore;
  let pages: net.PageBook;
  const config: Config = readConfig({ AWS_REGION: "us-east-1" });

  beforeEach(() => {
    mocked = mockAwsClients();
    pages = net.networkPages();
    net.serveNetwork(mocked.ec2, () => pages);
    mocked.cloudwatch.on(PutMetricDataCommand).resolves({ $metadata: {} });
    dir = mkdtempSync(join(tmpdir(), "ipam-history-scan-"));
    store = new DirectoryHistoryStore(dir);
  });

  afterEach(() => {
    mocked.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  function deps(now: Date, overrides: Partial<ScanDependencies> = {}): ScanDependencies {
    return { clients: mocked.clients, logger: silentLogger, now: () => now, historyStore: store, ...overrides };
  }

  /** 13 days of a subnet growing by 5 addresses a day, scanned once a day. */
  async function backfill(): Promise<void> {
    for (let d = 13; d >= 1; d--) {
      pages = net.networkPages({ critical: (126 - 5 * d) / 251 });
      await runScan({ ...config, dryRun: false }, RULES, deps(daysBefore(d)));
    }
    pages = net.networkPages({ critical: 126 / 251 }); // 126 used, 125 free: 25 days at 5 a day
    mocked.cloudwatch.resetHistory();
  }

  it("records a complete scan into the day it belongs to, one object per day", async () => {
    const first = await runScan(config, PLAIN_RULES, deps(new Date("2026-12-01T08:00:00Z")));
    const second = await runScan(config, PLAIN_RULES, deps(new Date("2026-12-01T09:00:00Z")));

    expect(first.result.history).to.deep.include({ location: dir, recorded: true, scansToday: 1, daysRead: 0 });
    expect(second.result.history).to.deep.include({ recorded: true, scansToday: 2, daysRead: 1 });
    expect(await store.listDays("2026-01-01", "2026-12-31")).to.deep.equal(["2026-12-01"]);
    const day = decodeDay((await store.readDay("2026-12-01"))!.bytes, "day");
    expect(day.resources.resourceId).to.have.length(6);
  });

  it("forecasts from the history and counts a forecast below a days threshold like any other threshold", async () => {
    await backfill();

    const outcome = await runScan(config, RULES, deps(NOW));

    const trouble = outcome.result.resourcesInTrouble.find((t) => t.resourceId === net.SUBNET_CRITICAL);
    expect(trouble).to.deep.include({
      status: "warning",
      trend: "growing",
      growthPerDay: 5,
      daysToFull: 25,
      fullBy: "2026-12-26",
      reason: "full in about 25 days < warning 30 days",
    });
    expect(datums(mocked.cloudwatch)).to.include.members(["WarningCount subnets = 1", "MinDaysToFull subnets = 25"]);
    expect(outcome.result.scopes[0]).to.deep.include({ minDaysToFull: 25, growthPerDay: 5 });
    expect(outcome.result.fillingUp!.map((f) => f.resourceId)).to.deep.equal([net.SUBNET_CRITICAL]);
    expect(outcome.result.history).to.deep.include({ daysRead: 13, firstDay: "2026-11-18", lastDay: "2026-11-30" });
  });

  it("gives a result the result schema accepts", async () => {
    await backfill();

    const outcome = await runScan(config, RULES, deps(NOW));

    const validate = new Ajv({ allErrors: true, strict: false }).compile(resultSchema);
    expect(validate(JSON.parse(JSON.stringify(outcome.result))), JSON.stringify(validate.errors)).to.equal(true);
  });

  it("keeps a level through the hysteresis margin on the next scan, from what the last scan wrote", async () => {
    await backfill();
    await runScan(config, RULES, deps(NOW)); // 25 days < 30: warning, remembered in the history
    const tighter = (warning: number) =>
      parseRules(RULES_TEXT.replace("daysToFullWarning: 30", `daysToFullWarning: ${warning}`), "rules.yaml");
    const anHourLater = new Date(NOW.getTime() + 3_600_000);

    const held = await runScan(config, tighter(24), deps(anHourLater)); // 25 is within 20% above 24
    const cleared = await runScan(config, tighter(20), deps(new Date(anHourLater.getTime() + 3_600_000))); // not above 20 × 1.2

    const statusOf = (outcome: typeof held) =>
      outcome.result.resourcesInTrouble.find((t) => t.resourceId === net.SUBNET_CRITICAL);
    expect(statusOf(held)).to.deep.include({
      status: "warning",
      reason: "full in about 25 days: still warning until the forecast reaches 28.8 days (warning below 24 days)",
    });
    expect(statusOf(cleared)).to.equal(undefined);
  });

  it("reads the history in a dry run but writes nothing", async () => {
    await backfill();

    const outcome = await runScan({ ...config, dryRun: true }, RULES, deps(NOW));

    expect(outcome.result.history).to.deep.include({ recorded: false, notRecorded: "dry run", daysRead: 13 });
    expect(await store.readDay("2026-12-01")).to.equal(undefined);
  });

  it("writes nothing after a partial scan", async () => {
    net.serveNetwork(mocked.ec2, () => pages, { [net.PUBLIC_SCOPE]: net.ec2Error("AccessDenied", "denied") });

    const outcome = await runScan(config, PLAIN_RULES, deps(NOW));

    expect(outcome.complete).to.equal(false);
    expect(outcome.result.history).to.deep.include({ recorded: false, notRecorded: "the scan was partial" });
    expect(await store.listDays("2026-01-01", "2026-12-31")).to.deep.equal([]);
  });

  describe("when the history cannot be read", () => {
    const failing = (action: string): HistoryStore => ({
      location: "s3://ipam-history/prod/",
      whereIs: (day) => `s3://ipam-history/prod/days/${day}.json.gz`,
      listDays: async () => {
        throw new ScanError(action, `${action} was denied (AccessDenied): grant the IAM permission s3:${action}`, {
          code: "AccessDenied",
        });
      },
      readDay: async () => undefined,
      writeDay: async () => true,
    });

    it("makes the scan partial when the rules alarm on forecasts: no level is lowered for want of data", async () => {
      const outcome = await runScan(config, RULES, deps(NOW, { historyStore: failing("ListBucket") }));

      expect(outcome.complete).to.equal(false);
      expect(outcome.failures).to.deep.include({
        target: "history s3://ipam-history/prod/",
        action: "ListBucket",
        code: "AccessDenied",
        message: "ListBucket was denied (AccessDenied): grant the IAM permission s3:ListBucket",
        unit: "history",
      });
      expect(datums(mocked.cloudwatch)).to.not.include("ScanSuccess = 1");
      expect(datums(mocked.cloudwatch).filter((d) => d.endsWith("= 0"))).to.deep.equal([]);
      expect(outcome.result.history).to.deep.include({ recorded: false, notRecorded: "the scan was partial" });
    });

    it("records the failure but keeps the scan complete when no threshold depends on a forecast", async () => {
      const outcome = await runScan(config, PLAIN_RULES, deps(NOW, { historyStore: failing("ListBucket") }));

      expect(outcome.complete).to.equal(true);
      expect(outcome.failures.map((f) => f.target)).to.deep.equal(["history s3://ipam-history/prod/"]);
      expect(datums(mocked.cloudwatch)).to.include("ScanSuccess = 1");
      expect(outcome.result.history).to.deep.include({ notRecorded: "the history could not be read" });
    });

    it("reports no resource of a forecast scope recovered while the history cannot be read", async () => {
      await backfill();
      const state = new MemoryStateStore();
      const notifying: Config = { ...config, snsTopicArn: TOPIC };
      mocked.sns.on(PublishCommand).resolves({ $metadata: {}, MessageId: "message-1" });
      await runScan(notifying, RULES, deps(NOW, { stateStore: state })); // warning through its forecast, notified
      mocked.cloudwatch.resetHistory();

      const later = new Date(NOW.getTime() + 3_600_000);
      const outcome = await runScan(
        notifying,
        RULES,
        deps(later, { stateStore: state, historyStore: failing("ListBucket") }),
      );

      expect(outcome.complete).to.equal(false);
      expect(outcome.result.resourcesInTrouble.find((t) => t.resourceId === net.SUBNET_CRITICAL)).to.deep.include({
        status: "warning",
        reason: "held at warning: the history could not be read",
      });
      expect(datums(mocked.cloudwatch)).to.include("WarningCount subnets = 1");
      expect(mocked.sns.commandCalls(PublishCommand)).to.have.length(1); // the first scan's, no "Recovered"
    });

    it("makes the scan partial when a stored day is not valid history, naming the day", async () => {
      mkdirSync(join(dir, "days"), { recursive: true });
      writeFileSync(join(dir, "days", "2026-11-30.json.gz"), "not gzip");

      const outcome = await runScan(config, RULES, deps(NOW));

      expect(outcome.complete).to.equal(false);
      expect(outcome.failures).to.have.length(1);
      expect(outcome.failures[0]).to.deep.include({ target: `history ${dir}`, unit: "history" });
      expect(outcome.failures[0]!.message).to.contain(join(dir, "days", "2026-11-30.json.gz"));
      expect(outcome.result.history).to.deep.include({ recorded: false, notRecorded: "the scan was partial" });
    });

    it("stops reading a history that does not answer at the scan's deadline", async () => {
      const hanging: HistoryStore = {
        ...failing("ListBucket"),
        listDays: (_from, _to, signal) =>
          new Promise((_resolve, reject) => signal?.addEventListener("abort", () => reject(signal.reason))),
      };

      const outcome = await runScan({ ...config, scanTimeoutSeconds: 1 }, RULES, deps(NOW, { historyStore: hanging }));

      expect(outcome.complete).to.equal(false);
      expect(outcome.failures).to.have.length(1);
      expect(outcome.failures[0]).to.deep.include({
        target: "history s3://ipam-history/prod/",
        code: "ScanTimeout",
        unit: "history",
      });
    });
  });

  it("records a failed write and keeps the scan complete", async () => {
    const readOnly: HistoryStore = {
      location: store.location,
      whereIs: (day) => store.whereIs(day),
      listDays: (from, to) => store.listDays(from, to),
      readDay: (day) => store.readDay(day),
      writeDay: async () => {
        throw new ScanError("PutObject", "PutObject was denied (AccessDenied): grant the IAM permission s3:PutObject", {
          code: "AccessDenied",
        });
      },
    };

    const outcome = await runScan(config, PLAIN_RULES, deps(NOW, { historyStore: readOnly }));

    expect(outcome.complete).to.equal(true);
    expect(outcome.failures.map((f) => f.action)).to.deep.equal(["PutObject"]);
    expect(outcome.result.history).to.deep.include({ recorded: false, notRecorded: "writing the history failed" });
  });

  it("builds the store from HISTORY_URI", async () => {
    const fromEnv = readConfig({ AWS_REGION: "us-east-1", HISTORY_URI: dir });

    const outcome = await runScan(fromEnv, PLAIN_RULES, {
      clients: mocked.clients,
      logger: silentLogger,
      now: () => NOW,
    });

    expect(outcome.result.history).to.deep.include({ location: dir, recorded: true });
  });
});
