import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeIpamsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  GetIpamResourceCidrsCommand,
  GetSubnetCidrReservationsCommand,
} from "@aws-sdk/client-ec2";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { expect } from "chai";

import { CAPACITY_HELP, type CliIo, EXIT, MAIN_HELP, main, SCAN_HELP, VALIDATE_HELP } from "../src/cli";
import type { Config } from "../src/config";
import type { ScanResultJson } from "../src/result";
import { type MockedClients, mockAwsClients } from "./fixtures/scan/clients";
import * as net from "./fixtures/scan/network";

const RULES_DIR = join(__dirname, "fixtures", "rules");
const VALID = join(RULES_DIR, "valid", "minimal.yaml");
const INVALID = join(RULES_DIR, "invalid", "unknown-keys.yaml");

/** The expected output of an invalid fixture, with file names as the CLI prints them (the path it was given). */
function expectedProblems(yamlPath: string): string {
  const expected = readFileSync(yamlPath.replace(/\.yaml$/, ".expected.txt"), "utf8");
  const name = yamlPath.slice(yamlPath.lastIndexOf("/") + 1);
  return expected
    .trimEnd()
    .split("\n")
    .map((line) => (line.startsWith(`${name}:`) ? yamlPath + line.slice(name.length) : line))
    .join("\n");
}

interface Run {
  code: number;
  out: string;
  err: string;
  /** The configurations the CLI built clients for. */
  configs: Config[];
}

describe("cli", () => {
  let mocked: MockedClients;
  let ec2: AwsClientStub<EC2Client>;
  let cloudwatch: AwsClientStub<CloudWatchClient>;
  let sns: AwsClientStub<SNSClient>;
  let dir: string;
  let rulesFile: string;

  beforeEach(() => {
    mocked = mockAwsClients();
    ({ ec2, cloudwatch, sns } = mocked);
    net.serveNetwork(ec2, () => net.networkPages());
    cloudwatch.on(PutMetricDataCommand).resolves({ $metadata: {} });
    sns.on(PublishCommand).resolves({ $metadata: {}, MessageId: "5c1a3b7e-0d2f-5e6a-9b8c-7d6e5f4a3b2c" });
    dir = mkdtempSync(join(tmpdir(), "ipam-monitor-cli-"));
    rulesFile = join(dir, "rules.yaml");
    writeFileSync(rulesFile, net.RULES_YAML);
  });

  afterEach(() => {
    mocked.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(argv: string[], env: Record<string, string> = { AWS_REGION: "us-east-1" }): Promise<Run> {
    let out = "";
    let err = "";
    const configs: Config[] = [];
    const io: CliIo = {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      env,
      createClients: (config) => {
        configs.push(config);
        return mocked.clients;
      },
    };
    const code = await main(argv, io);
    return { code, out, err, configs };
  }

  describe("help", () => {
    for (const flag of ["--help", "-h", "help"]) {
      it(`prints the commands for ${flag} and exits 0`, async () => {
        const { code, out } = await run([flag]);

        expect(code).to.equal(EXIT.ok);
        expect(out).to.equal(MAIN_HELP);
      });
    }

    it("lists both commands and the exit codes", () => {
      expect(MAIN_HELP)
        .to.include("ipam-monitor validate FILE...")
        .and.to.include("ipam-monitor scan --rules FILE")
        .and.to.include("3 AWS or scan error");
    });

    it("prints the help on stderr and exits 2 without a command", async () => {
      const { code, out, err } = await run([]);

      expect(code).to.equal(EXIT.usage);
      expect(out).to.equal("");
      expect(err).to.equal(MAIN_HELP);
    });

    it("prints the validate help for validate --help", async () => {
      const { code, out } = await run(["validate", "--help"]);

      expect(code).to.equal(EXIT.ok);
      expect(out).to.equal(VALIDATE_HELP);
    });

    it("prints the scan help for scan --help, even without --rules", async () => {
      const { code, out } = await run(["scan", "--help"]);

      expect(code).to.equal(EXIT.ok);
      expect(out).to.equal(SCAN_HELP);
    });

    it("documents every scan option in the scan help", () => {
      const options = [
        "--rules",
        "--source",
        "--region",
        "--regions",
        "--accounts",
        "--organization",
        "--organizational-units",
        "--member-role",
        "--external-id",
        "--ipam-id",
        "--scope-types",
        "--format",
        "--dry-run",
        "--topic",
        "--state-table",
        "--namespace",
        "--fail-on",
        "--timeout",
        "--max-drop-percent",
        "--drop-confirmations",
        "--unknown-hold-hours",
        "--verbose",
        "--help",
      ];

      for (const option of options) expect(SCAN_HELP, option).to.match(new RegExp(`^ +(-h, )?${option}\\b`, "m"));
    });

    it("rejects an unknown command with exit 2", async () => {
      const { code, err } = await run(["sacn"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.include('unknown command "sacn"');
    });
  });

  describe("validate", () => {
    it("reports a valid file and exits 0", async () => {
      const { code, out, err } = await run(["validate", VALID]);

      expect(code).to.equal(EXIT.ok);
      expect(out).to.equal(`${VALID}: valid\n`);
      expect(err).to.equal("");
    });

    it("prints every problem of an invalid file as file:line:col: message and exits 1", async () => {
      const { code, err } = await run(["validate", INVALID]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.equal(`${expectedProblems(INVALID)}\n8 problems in 1 of 1 file\n`);
    });

    it("checks every file given and exits 1 when one is invalid", async () => {
      const { code, out, err } = await run(["validate", VALID, INVALID]);

      expect(code).to.equal(EXIT.findings);
      expect(out).to.equal(`${VALID}: valid\n`);
      expect(err).to.include(`${INVALID}:3:3:`).and.to.include("in 1 of 2 files");
    });

    it("refuses a file over 1 MB, deep nesting and scope names that collide, each with file:line:col", async () => {
      const huge = join(dir, "huge.yaml");
      writeFileSync(huge, `version: 1\n${"# padding\n".repeat(110_000)}`);
      const files = ["deep-nesting", "scope-names-case", "duplicate-scope-name"].map((name) =>
        join(RULES_DIR, "invalid", `${name}.yaml`),
      );

      const { code, err } = await run(["validate", huge, ...files]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.include(
        `${huge}:1:1: the rules file is 1,100,011 bytes, more than the 1,048,576 bytes (1 MB) a rules file may have`,
      );
      for (const file of files) expect(err).to.include(expectedProblems(file));
      expect(err).to.include('scopes[1].name "Prod-Subnets" differs from the name "prod-subnets"');
      expect(err).to.include('scopes[2].name "prod" is already the name of scopes[0]');
      expect(err).to.not.include("Maximum call stack");
    });

    it("reports a missing file as a problem and exits 1", async () => {
      const missing = join(dir, "missing.yaml");

      const { code, err } = await run(["validate", missing]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.match(new RegExp(`^${missing}:1:1: cannot read the rules file`));
    });

    it("exits 2 without a file", async () => {
      const { code, err } = await run(["validate"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.include("validate needs at least one rules file");
    });

    it("exits 2 for an unknown option", async () => {
      const { code, err } = await run(["validate", "--strict", VALID]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.include("--strict");
    });
  });

  describe("scan: usage and configuration", () => {
    it("exits 2 without --rules", async () => {
      const { code, err } = await run(["scan"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.include("scan needs --rules FILE");
    });

    it("exits 2 for a format other than table or json", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--format", "yaml"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.include('--format "yaml" is not table or json');
    });

    for (const level of ["unknown", "constructor"]) {
      it(`exits 2 for --fail-on ${level}`, async () => {
        const { code, err } = await run(["scan", "--rules", rulesFile, "--fail-on", level]);

        expect(code).to.equal(EXIT.usage);
        expect(err).to.include(`--fail-on "${level}" is not warning, critical or no-match`);
      });
    }

    it("exits 2 for a positional argument", async () => {
      const { code, err } = await run(["scan", rulesFile]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.include("pass the rules file with --rules");
    });

    it("exits 2 and names the flag for an invalid flag value", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--source", "s3"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.equal('ipam-monitor: --source: "s3" is not one of ipam, ec2.\n');
    });

    it("exits 2 and names the variable for an invalid environment value", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile], { AWS_REGION: "us-east-1", SOURCE: "s3" });

      expect(code).to.equal(EXIT.usage);
      expect(err).to.equal('ipam-monitor: SOURCE: "s3" is not one of ipam, ec2.\n');
    });

    it("exits 2 and suggests --region when no region is set", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile], {});

      expect(code).to.equal(EXIT.usage);
      expect(err).to.include("IPAM_REGION").and.to.include("Or pass --region.");
    });

    it("exits 1 with every problem when the rules file is invalid", async () => {
      const { code, err } = await run(["scan", "--rules", INVALID, "--dry-run"]);

      expect(code).to.equal(EXIT.findings);
      expect(err.trimEnd()).to.equal(expectedProblems(INVALID));
      expect(ec2.calls()).to.have.length(0);
    });
  });

  describe("scan", () => {
    it("prints the JSON result with --format json", async () => {
      const { code, out } = await run(["scan", "--rules", rulesFile, "--dry-run", "--format", "json"]);

      const result = JSON.parse(out) as ScanResultJson;
      expect(code).to.equal(EXIT.ok);
      expect(result).to.include({ schemaVersion: 1, dryRun: true, complete: true, source: "ipam" });
      expect(result.summary.counts).to.deep.equal({ critical: 1, warning: 1, unknown: 1, ok: 2 });
    });

    it("writes the JSON result in chunks through outChunks, byte for byte the JSON.stringify text", async () => {
      const chunks: string[] = [];
      const io: CliIo = {
        out: () => expect.fail("the JSON result goes through outChunks when the output has it"),
        outChunks: async (pieces) => {
          for (const piece of pieces) chunks.push(piece);
        },
        err: () => {},
        env: { AWS_REGION: "us-east-1" },
        createClients: () => mocked.clients,
      };

      const code = await main(["scan", "--rules", rulesFile, "--dry-run", "--format", "json"], io);

      const out = chunks.join("");
      expect(code).to.equal(EXIT.ok);
      expect(out).to.equal(`${JSON.stringify(JSON.parse(out), null, 2)}\n`);
      expect((JSON.parse(out) as ScanResultJson).resourcesInTrouble).to.have.length(3);
    });

    it("publishes nothing with --dry-run", async () => {
      await run(["scan", "--rules", rulesFile, "--dry-run", "--topic", "arn:aws:sns:us-east-1:111122223333:alerts"]);

      expect(cloudwatch.calls()).to.have.length(0);
      expect(sns.calls()).to.have.length(0);
    });

    it("publishes the metrics and the notification without --dry-run", async () => {
      const { code } = await run([
        "scan",
        "--rules",
        rulesFile,
        "--topic",
        "arn:aws:sns:us-east-1:111122223333:alerts",
      ]);

      expect(code).to.equal(EXIT.ok);
      expect(cloudwatch.commandCalls(PutMetricDataCommand)).to.have.length(1);
      expect(sns.commandCalls(PublishCommand)).to.have.length(1);
    });

    it("prints the table report by default", async () => {
      const { out } = await run(["scan", "--rules", rulesFile, "--dry-run"]);

      expect(out).to.match(/^IPAM monitor scan of .*, source ipam: complete\n/);
      expect(out).to.include("RESOURCES IN TROUBLE (3, worst first)");
    });

    it("scans the IPAM in the region given with --region", async () => {
      const { configs } = await run(["scan", "--rules", rulesFile, "--dry-run", "--region", "eu-central-1"]);

      expect(configs.map((c) => c.ipamRegion)).to.deep.equal(["eu-central-1"]);
    });

    it("reads the regions given with --regions for the EC2 source", async () => {
      const { configs } = await run([
        "scan",
        "--rules",
        rulesFile,
        "--dry-run",
        "--source",
        "ec2",
        "--regions",
        "us-east-1,eu-west-1",
      ]);

      expect(configs[0]).to.include({ source: "ec2" });
      expect(configs[0]?.regions).to.deep.equal(["us-east-1", "eu-west-1"]);
    });

    it("writes JSON log lines to stderr with --verbose", async () => {
      const { err } = await run(["scan", "--rules", rulesFile, "--dry-run", "--verbose"]);

      const entries = err
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as { message: string });
      expect(entries.map((e) => e.message)).to.include("evaluated");
    });

    it("writes nothing to stderr without --verbose", async () => {
      const { err } = await run(["scan", "--rules", rulesFile, "--dry-run"]);

      expect(err).to.equal("");
    });
  });

  describe("scan: exit codes", () => {
    it("exits 3 on a partial scan, after printing what it found", async () => {
      net.serveNetwork(ec2, () => net.networkPages(), {
        [net.PUBLIC_SCOPE]: net.ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
      });

      const { code, out, err } = await run(["scan", "--rules", rulesFile, "--dry-run", "--format", "json"]);

      expect(code).to.equal(EXIT.scan);
      expect((JSON.parse(out) as ScanResultJson).complete).to.equal(false);
      expect(err)
        .to.include(`error: ipam-scope ${net.PUBLIC_SCOPE}: `)
        .and.to.include("the scan was incomplete (1 error)");
    });

    it("exits 3 when the scan cannot start, naming the IAM permission", async () => {
      ec2
        .on(DescribeIpamsCommand)
        .rejects(net.ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

      const { code, out, err } = await run(["scan", "--rules", rulesFile, "--dry-run"]);

      expect(code).to.equal(EXIT.scan);
      expect(out).to.equal("");
      expect(err).to.include("ec2:DescribeIpams");
    });

    it("exits 3 within --timeout when a scope never answers, after publishing what is safe", async function () {
      this.timeout(10_000);
      ec2
        .on(GetIpamResourceCidrsCommand, { IpamScopeId: net.PUBLIC_SCOPE })
        .callsFake(() => new Promise(() => undefined));
      const { code, out, err } = await run(["scan", "--rules", rulesFile, "--format", "json", "--timeout", "1"]);

      expect(code).to.equal(EXIT.scan);
      const result = JSON.parse(out) as ScanResultJson;
      expect(result.complete).to.equal(false);
      expect(result.errors.map((e) => `${e.code} ${e.unit}`)).to.deep.equal([
        `ScanTimeout ipam-scope/${net.PUBLIC_SCOPE}`,
      ]);
      expect(err).to.include("the scan timeout of 1 s (SCAN_TIMEOUT_SECONDS, --timeout)");
      // Only the non-zero counts of the scopes that were read: they can hold an alarm, never clear one.
      const datums = cloudwatch.commandCalls(PutMetricDataCommand).flatMap((c) => c.args[0].input.MetricData ?? []);
      expect(datums.map((d) => `${d.MetricName} ${d.Value}`)).to.have.members([
        "WarningCount 1",
        "CriticalCount 1",
        "UnknownCount 1",
      ]);
    });

    it("exits 2 naming --timeout for a timeout that is not a whole number of seconds", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--timeout", "ten"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.equal('ipam-monitor: --timeout: "ten" is not a whole number.\n');
    });

    it("exits 3 when publishing fails", async () => {
      cloudwatch.on(PutMetricDataCommand).rejects(new Error("connect ECONNREFUSED 127.0.0.1:4566"));

      const { code, err } = await run(["scan", "--rules", rulesFile]);

      expect(code).to.equal(EXIT.scan);
      expect(err).to.include("publishing failed (1 error)");
    });

    it("exits 0 with findings when --fail-on is not given", async () => {
      const { code } = await run(["scan", "--rules", rulesFile, "--dry-run"]);

      expect(code).to.equal(EXIT.ok);
    });

    it("exits 1 with --fail-on critical when a resource is critical", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--dry-run", "--fail-on", "critical"]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.equal("ipam-monitor: 1 resource CIDR is at critical or worse (--fail-on critical).\n");
    });

    it("exits 0 with --fail-on critical when the worst is a warning", async () => {
      net.serveNetwork(ec2, () => net.networkPages({ critical: 0.8 }));

      const { code } = await run(["scan", "--rules", rulesFile, "--dry-run", "--fail-on", "critical"]);

      expect(code).to.equal(EXIT.ok);
    });

    it("exits 1 with --fail-on warning when a resource is at warning", async () => {
      net.serveNetwork(ec2, () => net.networkPages({ critical: 0.8 }));

      const { code, err } = await run(["scan", "--rules", rulesFile, "--dry-run", "--fail-on", "warning"]);

      expect(code).to.equal(EXIT.findings);
      expect(err).to.include("2 resource CIDRs are at warning or worse");
    });

    it("exits 0 with --fail-on warning when everything is ok or unknown", async () => {
      net.serveNetwork(ec2, () => net.networkPages({ critical: 0.2, warning: 0.2 }));

      const { code } = await run(["scan", "--rules", rulesFile, "--dry-run", "--fail-on", "warning"]);

      expect(code).to.equal(EXIT.ok);
    });
  });
  describe("scan: several accounts", () => {
    it("reads the accounts, OUs, member role and external id from their flags", async () => {
      const { configs } = await run([
        "scan",
        "--rules",
        rulesFile,
        "--dry-run",
        "--source",
        "ec2",
        "--organization",
        "--organizational-units",
        "ou-ab12-cd34ef56",
        "--member-role",
        "network-reader",
        "--external-id",
        "ipam-monitor-7f3a",
      ]);

      expect(configs[0]?.crossAccount).to.deep.equal({
        organization: true,
        organizationalUnits: ["ou-ab12-cd34ef56"],
        memberRoleName: "network-reader",
        externalId: "ipam-monitor-7f3a",
        concurrency: 16,
      });
    });

    it("reads exactly the accounts given with --accounts", async () => {
      const { configs } = await run([
        "scan",
        "--rules",
        rulesFile,
        "--dry-run",
        "--source",
        "ec2",
        "--accounts",
        "111122223333,444455556666",
      ]);

      expect(configs[0]?.crossAccount?.accounts).to.deep.equal(["111122223333", "444455556666"]);
    });

    it("exits 2 naming --accounts when it is given with the IPAM source", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--accounts", "111122223333"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.match(/^ipam-monitor: --accounts: applies to the EC2 source/);
    });

    it("exits 2 naming --accounts for an account id that is not one", async () => {
      const { code, err } = await run(["scan", "--rules", rulesFile, "--source", "ec2", "--accounts", "1111-2222"]);

      expect(code).to.equal(EXIT.usage);
      expect(err).to.equal('ipam-monitor: --accounts: "1111-2222" is not a 12-digit AWS account id.\n');
    });
  });

  describe("capacity", () => {
    const SUBNET = "subnet-0a1b2c3d4e5f60021";

    function serveSubnet(): void {
      ec2.on(DescribeSubnetsCommand).resolves({
        Subnets: [
          {
            SubnetId: SUBNET,
            CidrBlock: "10.60.0.0/24",
            VpcId: "vpc-0a1b2c3d4e5f60001",
            AvailabilityZone: "us-east-1a",
            AvailabilityZoneId: "use1-az1",
            AvailableIpAddressCount: 218,
            Tags: [{ Key: "Name", Value: "eks-pods-a" }],
          },
        ],
      });
      ec2.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: [
          {
            NetworkInterfaceId: "eni-0node",
            SubnetId: SUBNET,
            PrivateIpAddresses: [{ PrivateIpAddress: "10.60.0.20" }],
            Ipv4Prefixes: [{ Ipv4Prefix: "10.60.0.48/28" }],
            InterfaceType: "interface",
            Description: "aws-K8S-i-0abc",
            Attachment: { InstanceId: "i-0abc" },
          },
        ],
      });
      ec2.on(GetSubnetCidrReservationsCommand).resolves({
        SubnetIpv4CidrReservations: [
          { Cidr: "10.60.0.64/28", ReservationType: "explicit", SubnetCidrReservationId: "scr-0e1" },
          { Cidr: "10.60.0.128/27", ReservationType: "prefix", SubnetCidrReservationId: "scr-0p1" },
        ],
        SubnetIpv6CidrReservations: [],
      });
    }

    it("prints the subnet's figures, its block map with a legend, its reservations and its blockers", async () => {
      serveSubnet();

      const { code, out } = await run(["capacity", SUBNET, "--region", "us-east-1"]);

      expect(code).to.equal(EXIT.ok);
      expect(out.split("\n").slice(0, 7)).to.deep.equal([
        'subnet-0a1b2c3d4e5f60021 "eks-pods-a" 10.60.0.0/24 in us-east-1 (us-east-1a, use1-az1)',
        "  17 of 251 usable addresses held by 1 interface; EC2 reports 218 available",
        "  11 free /28s (2 in prefix reservations) of 16, 186 assignable, largest free block /26",
        "",
        "BLOCK MAP (one mark per /28, 32 a row)",
        "  10.60.0.0  A#.#x... pp.....A",
        "",
      ]);
      expect(out).to.contain("  p free, in a prefix reservation (automatic delegation takes these first)");
      expect(out).to.contain("  10.60.0.128/27  prefix  scr-0p1");
      expect(out.trimEnd().split("\n").slice(-3)).to.deep.equal([
        "INTERFACES BLOCKING /28s (most freed first; draining one frees the blocks only it holds)",
        "  INTERFACE  FREES /28  IN /28  TYPE       INSTANCE  DESCRIPTION",
        "  eni-0node          2       2  interface  i-0abc    aws-K8S-i-0abc",
      ]);
    });

    it("prints every block with its state and interfaces as JSON with --format json", async () => {
      serveSubnet();

      const { code, out } = await run(["capacity", SUBNET, "--format", "json"]);

      const report = JSON.parse(out);
      expect(code).to.equal(EXIT.ok);
      expect(report).to.include({ subnetId: SUBNET, cidr: "10.60.0.0/24", freePrefixes: 11, assignableAddresses: 186 });
      expect(report.blocks).to.have.length(16);
      expect(report.blocks[3]).to.deep.equal({
        cidr: "10.60.0.48/28",
        state: "used",
        prefixReserved: false,
        networkInterfaceIds: ["eni-0node"],
      });
      expect(ec2.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).to.deep.equal({ SubnetIds: [SUBNET] });
    });

    it("exits 3 naming the subnet when it does not exist", async () => {
      ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });

      const { code, err } = await run(["capacity", SUBNET]);

      expect(code).to.equal(EXIT.scan);
      expect(err).to.contain(`subnet ${SUBNET} was not found in us-east-1`);
    });

    it("exits 2 without a subnet id or with something else", async () => {
      expect((await run(["capacity"])).code).to.equal(EXIT.usage);
      const { code, err } = await run(["capacity", "vpc-0a1b2c3d"]);
      expect(code).to.equal(EXIT.usage);
      expect(err).to.contain('"vpc-0a1b2c3d" is not a subnet id');
    });

    it("prints its help", async () => {
      const { code, out } = await run(["capacity", "--help"]);

      expect(code).to.equal(EXIT.ok);
      expect(out).to.equal(CAPACITY_HELP);
      expect(MAIN_HELP).to.contain("ipam-monitor capacity SUBNET_ID");
    });
  });
});
