import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { expect } from "chai";
import { type CliIo, EXIT, MAIN_HELP, main, PREVIEW_HELP, SCAN_HELP } from "../../src/cli";
import { DirectoryHistoryStore } from "../../src/history/store-dir";
import type { PreviewJson } from "../../src/preview/compare";
import { PREVIEW_MARKER } from "../../src/preview/markdown";
import type { ScanResultJson } from "../../src/result";
import { type MockedClients, mockAwsClients } from "../fixtures/scan/clients";
import * as net from "../fixtures/scan/network";

const PREVIEW_FIXTURES = join(__dirname, "..", "fixtures", "preview");

interface Run {
  code: number;
  out: string;
  err: string;
}

describe("cli: history, forecasts, filters and preview", () => {
  let mocked: MockedClients;
  let dir: string;
  let rulesFile: string;
  let history: string;

  beforeEach(() => {
    mocked = mockAwsClients();
    net.serveNetwork(mocked.ec2, () => net.networkPages());
    mocked.cloudwatch.on(PutMetricDataCommand).resolves({ $metadata: {} });
    dir = mkdtempSync(join(tmpdir(), "ipam-monitor-cli-history-"));
    rulesFile = join(dir, "rules.yaml");
    writeFileSync(rulesFile, net.RULES_YAML);
    history = join(dir, "history");
  });

  afterEach(() => {
    mocked.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(argv: string[], env: Record<string, string> = {}): Promise<Run> {
    let out = "";
    let err = "";
    const io: CliIo = {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      env: { AWS_REGION: "us-east-1", ...env },
      createClients: () => mocked.clients,
    };
    const code = await main(argv, io);
    return { code, out, err };
  }

  function json(text: string): ScanResultJson {
    return JSON.parse(text) as ScanResultJson;
  }

  describe("help", () => {
    it("lists the preview command", () => {
      expect(MAIN_HELP).to.match(/^ {2}ipam-monitor preview --base OLD --head NEW/m);
    });

    it("documents the new scan options and IPAM_MONITOR_NOW", () => {
      for (const option of ["--history", "--max-bytes", "--top", "--scope", "--status", "--account"]) {
        expect(SCAN_HELP, option).to.match(new RegExp(`^ +${option}\\b`, "m"));
      }
      expect(SCAN_HELP).to.contain("IPAM_MONITOR_NOW");
    });

    it("prints the preview help", async () => {
      const { code, out } = await run(["preview", "--help"]);

      expect(code).to.equal(EXIT.ok);
      expect(out).to.equal(PREVIEW_HELP);
    });
  });

  describe("scan --history and IPAM_MONITOR_NOW", () => {
    it("records the scan in the history under the day IPAM_MONITOR_NOW gives", async () => {
      const { code, out } = await run(["scan", "--rules", rulesFile, "--history", history, "--format", "json"], {
        IPAM_MONITOR_NOW: "2026-11-20T08:30:00Z",
      });

      expect(code).to.equal(EXIT.ok);
      expect(json(out).scannedAt).to.equal("2026-11-20T08:30:00.000Z");
      expect(json(out).history).to.deep.include({ location: history, recorded: true, scansToday: 1 });
      expect(await new DirectoryHistoryStore(history).listDays("2026-01-01", "2026-12-31")).to.deep.equal([
        "2026-11-20",
      ]);
      const timestamps = mocked.cloudwatch
        .commandCalls(PutMetricDataCommand)
        .flatMap((c) => (c.args[0].input.MetricData ?? []).map((d) => d.Timestamp?.toISOString()));
      expect(new Set(timestamps)).to.deep.equal(new Set(["2026-11-20T08:30:00.000Z"]));
    });

    it("takes the history from HISTORY_URI", async () => {
      const { out } = await run(["scan", "--rules", rulesFile, "--dry-run", "--format", "json"], {
        HISTORY_URI: history,
      });

      expect(json(out).history).to.deep.include({ location: history, recorded: false, notRecorded: "dry run" });
    });

    it("refuses an IPAM_MONITOR_NOW that is not an ISO-8601 time, naming the variable", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile], { IPAM_MONITOR_NOW: "yesterday" });

      expect(code).to.equal(EXIT.usage);
      expect(err).to.contain('IPAM_MONITOR_NOW: "yesterday" is not an ISO-8601 time');
    });

    it("refuses a history location that is not a directory or s3://bucket/prefix", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--history", "s3://No_Such/x"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.contain('--history: "No_Such" in "s3://No_Such/x" is not an S3 bucket name.');
    });
  });

  describe("complete output and filters", () => {
    it("lists every resource in trouble in the JSON, beyond the Lambda's 256 KB, unless --max-bytes", async () => {
      const full = await run(["scan", "--rules", rulesFile, "--dry-run", "--format", "json"]);
      const bounded = await run(["scan", "--rules", rulesFile, "--dry-run", "--format", "json", "--max-bytes", "1500"]);

      expect(json(full.out).resourcesInTrouble).to.have.length(3);
      expect(json(full.out).truncated.resourcesInTrouble).to.equal(0);
      expect(Buffer.byteLength(JSON.stringify(json(bounded.out)))).to.be.at.most(1500);
      expect(json(bounded.out).truncated.resourcesInTrouble).to.be.greaterThan(0);
    });

    it("refuses a --max-bytes too small to hold a result", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--max-bytes", "10"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.contain('--max-bytes "10" is not a whole number of at least 1024.');
    });

    it("filters the listings by --scope, --status and --account and says so in the JSON", async () => {
      const { out } = await run([
        "scan",
        "--rules",
        rulesFile,
        "--dry-run",
        "--format",
        "json",
        "--scope",
        "subnets",
        "--status",
        "critical",
        "--account",
        net.ACCOUNT,
      ]);

      const result = json(out);
      expect(result.scopes.map((s) => s.name)).to.deep.equal(["subnets"]);
      expect(result.resourcesInTrouble.map((t) => t.resourceId)).to.deep.equal([net.SUBNET_CRITICAL]);
      expect(result.filter).to.deep.equal({ scopes: ["subnets"], statuses: ["critical"], accounts: [net.ACCOUNT] });
      expect(result.summary.resourcesInTrouble).to.equal(3); // the summary still describes the whole scan
    });

    it("lists nothing of another account", async () => {
      const { out } = await run(["scan", "--rules", rulesFile, "--dry-run", "--account", "999999999999"]);

      expect(out).to.contain("RESOURCES IN TROUBLE: none match the filter, of 3");
    });

    it("shows the first N resources in trouble with --top", async () => {
      const { out } = await run(["scan", "--rules", rulesFile, "--dry-run", "--top", "1"]);

      expect(out).to.contain("RESOURCES IN TROUBLE (first 1 of 3, worst first)");
      expect(out).to.contain("  … and 2 more (--top 1)");
    });

    it("refuses a --scope the rules file does not have", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--dry-run", "--scope", "subnet"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.contain(`--scope: ${rulesFile} has no scope named subnet.`);
    });

    it("refuses a --status that is not a level a resource in trouble can have", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--status", "ok"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.contain('--status "ok" is not critical, warning or unknown.');
    });
  });

  describe("scan --fail-on no-match", () => {
    it("exits 1 naming the scopes that match nothing", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--dry-run", "--fail-on", "no-match"]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.contain("ipam-monitor: 1 scope matches nothing: staging (--fail-on no-match).");
    });

    it("combines with a level", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--dry-run", "--fail-on", "critical,no-match"]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.contain("(--fail-on critical)");
      expect(err).to.contain("(--fail-on no-match)");
    });

    it("counts only the scopes --scope names", async () => {
      const { code } = await run([
        "scan",
        "--rules",
        rulesFile,
        "--dry-run",
        "--fail-on",
        "no-match",
        "--scope",
        "vpcs",
      ]);

      expect(code).to.equal(EXIT.ok);
    });

    it("counts findings only in the scopes --scope names", async () => {
      const { code } = await run([
        "scan",
        "--rules",
        rulesFile,
        "--dry-run",
        "--fail-on",
        "warning",
        "--scope",
        "vpcs",
      ]);

      expect(code).to.equal(EXIT.ok);
    });
  });

  describe("preview", () => {
    let base: string;
    let head: string;

    beforeEach(async () => {
      base = join(dir, "base.yaml");
      head = join(dir, "head.yaml");
      copyFileSync(join(PREVIEW_FIXTURES, "base.yaml"), base);
      copyFileSync(join(PREVIEW_FIXTURES, "head.yaml"), head);
    });

    it("evaluates both files against a live read and prints Markdown for a comment", async () => {
      const { code, out } = await run(["preview", "--base", rulesFile, "--head", head]);

      expect(code).to.equal(EXIT.ok);
      expect(out.split("\n")[0]).to.equal(PREVIEW_MARKER);
      expect(out).to.contain("Both rules files evaluated against a live ipam read");
    });

    it("evaluates the latest snapshot of the history and prints JSON", async () => {
      await run(["scan", "--rules", rulesFile, "--history", history], { IPAM_MONITOR_NOW: "2026-11-20T08:30:00Z" });
      mocked.ec2.resetHistory();

      const { code, out } = await run([
        "preview",
        "--base",
        rulesFile,
        "--head",
        head,
        "--history",
        history,
        "--format",
        "json",
      ]);

      const preview = JSON.parse(out) as PreviewJson;
      expect(code).to.equal(EXIT.ok);
      expect(preview.inventory).to.deep.include({
        source: "history",
        scannedAt: "2026-11-20T08:30:00.000Z",
        resources: 6,
      });
      expect(preview.scopesRemoved).to.deep.equal(["subnets", "vpcs"]);
      expect(preview.scopesAdded).to.deep.equal(["prod-subnets", "development"]);
      expect(mocked.ec2.calls()).to.have.length(0); // no live read
    });

    it("exits 1 and says why for each --fail-on condition met", async () => {
      const { code, err } = await run([
        "preview",
        "--base",
        rulesFile,
        "--head",
        head,
        "--fail-on",
        "new-critical,no-match,uncovered",
      ]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.contain(`2 scopes of ${head} match nothing: development, staging (--fail-on no-match)`);
      expect(err).to.contain("(--fail-on uncovered)");
    });

    it("exits 0 when the change meets none of the --fail-on conditions", async () => {
      const { code } = await run([
        "preview",
        "--base",
        rulesFile,
        "--head",
        rulesFile,
        "--fail-on",
        "new-critical,new-warning,uncovered",
      ]);

      expect(code).to.equal(EXIT.ok);
    });

    it("exits 1 with every problem of both files when they are invalid", async () => {
      writeFileSync(head, "version: 1\nscopes: []\n");

      const { code, err } = await run(["preview", "--base", base, "--head", head]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.contain(`${head}:2:9: scopes is empty; define at least one scope`);
    });

    it("exits 3 when the history holds nothing yet", async () => {
      const { code, err } = await run(["preview", "--base", base, "--head", head, "--history", history]);

      expect(code).to.equal(EXIT.scan);
      expect(err).to.contain(`${history} holds no scan history`);
    });

    it("exits 2 without --head, or with an unknown --fail-on", async () => {
      expect((await run(["preview", "--base", base])).code).to.equal(EXIT.usage);
      const { code, err } = await run(["preview", "--base", base, "--head", head, "--fail-on", "critical"]);
      expect(code).to.equal(EXIT.usage);
      expect(err).to.contain('--fail-on "critical" is not new-critical, new-warning, no-match or uncovered.');
    });
  });
});
