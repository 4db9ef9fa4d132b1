import { expect } from "chai";
import { formatColumns, formatScanReport } from "../../src/report/table";
import type { RoomForSubnetsJson, ScanResultJson, ScopeJson, TroubleJson } from "../../src/result";

function scope(name: string, overrides: Partial<ScopeJson> = {}): ScopeJson {
  return {
    name,
    status: "ok",
    resourceCount: 2,
    counts: { critical: 0, warning: 0, unknown: 0, ok: 2 },
    maxUtilization: 12.5,
    minFreeAddresses: 200,
    thresholds: { warning: 70, critical: 85 },
    resourceMetrics: false,
    complete: true,
    ...overrides,
  };
}

function trouble(resourceId: string, overrides: Partial<TroubleJson> = {}): TroubleJson {
  return {
    scope: "prod-subnets",
    resourceId,
    resourceType: "subnet",
    name: "prod-app-a",
    ownerId: "111122223333",
    region: "us-east-1",
    vpcId: "vpc-0a1b2c3d4e5f60001",
    cidr: "10.0.0.0/24",
    status: "critical",
    utilization: 91.23,
    free: 22,
    size: 256,
    reason: "utilization 91.2% ≥ critical 85%",
    ...overrides,
  };
}

function room(resourceId: string, overrides: Partial<RoomForSubnetsJson> = {}): RoomForSubnetsJson {
  return {
    resourceId,
    name: "holes",
    ownerId: "111122223333",
    region: "us-east-2",
    cidr: "10.4.0.0/22",
    utilization: 45.3125,
    largestFreePrefix: 25,
    freeSlash24: 0,
    freeSlash28: 35,
    ...overrides,
  };
}

function result(overrides: Partial<ScanResultJson> = {}): ScanResultJson {
  return {
    schemaVersion: 1,
    scannedAt: "2024-05-01T12:00:00.000Z",
    source: "ipam",
    complete: true,
    dryRun: false,
    durationMs: 850,
    summary: {
      resources: 5,
      scopes: 2,
      counts: { critical: 1, warning: 1, unknown: 0, ok: 3 },
      resourcesInTrouble: 2,
      scopesWithoutMatches: 0,
      uncovered: 0,
    },
    scopes: [
      scope("prod-subnets", {
        status: "critical",
        resourceCount: 3,
        counts: { critical: 1, warning: 1, unknown: 0, ok: 1 },
        maxUtilization: 91.23,
        minFreeAddresses: 22,
      }),
      scope("vpcs"),
    ],
    resourcesInTrouble: [
      trouble("subnet-0a1b2c3d4e5f60011"),
      trouble("subnet-0a1b2c3d4e5f60012", {
        status: "warning",
        name: "prod-db",
        cidr: "10.0.1.0/28",
        utilization: 72.72,
        free: 3,
        reason: "utilization 72.7% ≥ warning 70%",
      }),
    ],
    roomForSubnets: [],
    scopesWithoutMatches: [],
    uncoveredCount: 0,
    uncoveredSample: [],
    errors: [],
    truncated: {
      units: 0,
      roomForSubnets: 0,
      noLongerMeasured: 0,
      resourcesInTrouble: 0,
      uncoveredSample: 0,
      errors: 0,
      scopesWithoutMatches: 0,
      scopes: 0,
    },
    ...overrides,
  };
}

/** The lines of the section that starts with `title`, up to the next blank line. */
function section(report: string, title: string): string[] {
  const lines = report.split("\n");
  const start = lines.findIndex((line) => line.startsWith(title));
  if (start < 0) return [];
  const end = lines.indexOf("", start);
  return lines.slice(start, end < 0 ? undefined : end);
}

describe("report/table", () => {
  describe("formatScanReport", () => {
    it("starts with the scan time, the source and whether the scan was complete", () => {
      const report = formatScanReport(result());

      expect(report.split("\n")[0]).to.equal("IPAM monitor scan of 2024-05-01T12:00:00.000Z, source ipam: complete");
    });

    it("summarizes the resources by status on the second line", () => {
      const report = formatScanReport(result());

      expect(report.split("\n")[1]).to.equal("5 resource CIDRs in 2 scopes: 1 critical, 1 warning, 3 ok");
    });

    it("says PARTIAL with the error count when the scan was incomplete", () => {
      const errors = [
        { target: "region eu-west-1", action: "DescribeSubnets", code: "RequestLimitExceeded", message: "throttled" },
      ];

      const scopes = result().scopes.map((s) => ({ ...s, complete: false }));

      const report = formatScanReport(result({ complete: false, errors, scopes }));

      expect(report.split("\n")[0]).to.equal(
        "IPAM monitor scan of 2024-05-01T12:00:00.000Z, source ipam: PARTIAL (1 error; counts cover only what was read)",
      );
      expect(section(report, "SCOPES")[2]).to.equal(
        "  prod-subnets  CRITICAL          3         1        1        0     91.2%        22",
      );
    });

    it("marks the scopes a partial scan could not see completely when the others were out of its reach", () => {
      const errors = [{ target: "account 444444444444 region eu-west-1", action: "AssumeRole", message: "denied" }];
      const scopes = result().scopes.map((s) => ({ ...s, complete: s.name !== "prod-subnets" }));

      const report = formatScanReport(result({ complete: false, errors, scopes }));

      expect(report.split("\n")[0]).to.equal(
        "IPAM monitor scan of 2024-05-01T12:00:00.000Z, source ipam: PARTIAL (1 error; counts of the scopes marked PARTIAL cover only what was read, the others are complete)",
      );
      expect(section(report, "SCOPES")).to.deep.equal([
        "SCOPES (2)",
        "  SCOPE         STATUS             RESOURCES  CRITICAL  WARNING  UNKNOWN  MAX USED  MIN FREE",
        "  prod-subnets  CRITICAL, PARTIAL          3         1        1        0     91.2%        22",
        "  vpcs          OK                         2         0        0        0     12.5%       200",
      ]);
    });

    it("prints the scopes as aligned columns with the worst utilization and the fewest free addresses", () => {
      const report = formatScanReport(result());

      expect(section(report, "SCOPES")).to.deep.equal([
        "SCOPES (2)",
        "  SCOPE         STATUS    RESOURCES  CRITICAL  WARNING  UNKNOWN  MAX USED  MIN FREE",
        "  prod-subnets  CRITICAL          3         1        1        0     91.2%        22",
        "  vpcs          OK                2         0        0        0     12.5%       200",
      ]);
    });

    it("shows a scope that matched nothing as NO MATCH with dashes for the unknown extremes", () => {
      const empty = scope("staging", { resourceCount: 0, counts: { critical: 0, warning: 0, unknown: 0, ok: 0 } });
      delete empty.maxUtilization;
      delete empty.minFreeAddresses;

      const report = formatScanReport(result({ scopes: [empty] }));

      expect(section(report, "SCOPES")[2]).to.equal(
        "  staging  NO MATCH          0         0        0        0         -         -",
      );
    });

    it("lists the resources in trouble in the order of the result, with every column", () => {
      const report = formatScanReport(result());

      expect(section(report, "RESOURCES IN TROUBLE")).to.deep.equal([
        "RESOURCES IN TROUBLE (2, worst first)",
        "  SCOPE         STATUS    RESOURCE                  NAME        ACCOUNT       REGION     CIDR          USED  FREE  REASON",
        "  prod-subnets  CRITICAL  subnet-0a1b2c3d4e5f60011  prod-app-a  111122223333  us-east-1  10.0.0.0/24  91.2%    22  utilization 91.2% ≥ critical 85%",
        "  prod-subnets  WARNING   subnet-0a1b2c3d4e5f60012  prod-db     111122223333  us-east-1  10.0.1.0/28  72.7%     3  utilization 72.7% ≥ warning 70%",
      ]);
    });

    it("prints a dash for a resource without name, account, utilization or free count", () => {
      const bare = trouble("subnet-0a1b2c3d4e5f60013", {
        status: "unknown",
        cidr: "2600:1f18:abc:de00::/64",
        reason: "usage unknown",
      });
      delete bare.name;
      delete bare.ownerId;
      delete bare.utilization;
      delete bare.free;

      const report = formatScanReport(result({ resourcesInTrouble: [bare] }));

      expect(section(report, "RESOURCES IN TROUBLE")[2]).to.equal(
        "  prod-subnets  UNKNOWN  subnet-0a1b2c3d4e5f60013  -     -        us-east-1  2600:1f18:abc:de00::/64     -     -  usage unknown",
      );
    });

    it("prints address counts beyond 2^53 exactly", () => {
      const pool = trouble("ipv6pool-ec2-0123456789abcdef0", {
        cidr: "2600:1f18::/40",
        free: "1208925819614629174706176",
        utilization: 99,
      });

      const report = formatScanReport(result({ resourcesInTrouble: [pool] }));

      expect(report).to.include(" 1208925819614629174706176 ");
    });

    it("says so when no resource is in trouble", () => {
      const report = formatScanReport(
        result({ resourcesInTrouble: [], summary: { ...result().summary, resourcesInTrouble: 0 } }),
      );

      expect(report).to.include("\nRESOURCES IN TROUBLE: none\n");
    });

    it("counts the resources in trouble that the result left out", () => {
      const report = formatScanReport(result({ truncated: { ...result().truncated, resourcesInTrouble: 1234 } }));

      expect(section(report, "RESOURCES IN TROUBLE").at(-1)).to.equal(
        "  … and 1234 more left out of the result to keep it within its size limit",
      );
    });

    it("shows no room-for-subnets section when the result lists no VPC block", () => {
      const report = formatScanReport(result());

      expect(report).to.not.include("ROOM FOR NEW SUBNETS");
    });

    it("lists the room VPC blocks have left for new subnets in the order of the result, with every column", () => {
      const full = room("vpc-0a1b2c3d4e5f60003", {
        name: "carved",
        cidr: "10.3.0.0/16",
        utilization: 100,
        freeSlash28: 0,
      });
      delete full.largestFreePrefix;

      const report = formatScanReport(result({ source: "ec2", roomForSubnets: [full, room("vpc-0a1b2c3d4e5f60004")] }));

      expect(section(report, "ROOM FOR NEW SUBNETS")).to.deep.equal([
        "ROOM FOR NEW SUBNETS (2 VPC CIDR blocks, tightest first)",
        "  VPC                    NAME    REGION     CIDR          USED  LARGEST FREE  FREE /24  FREE /28",
        "  vpc-0a1b2c3d4e5f60003  carved  us-east-2  10.3.0.0/16   100%          full         0         0",
        "  vpc-0a1b2c3d4e5f60004  holes   us-east-2  10.4.0.0/22  45.3%           /25         0        35",
      ]);
    });

    it("adds a free /64 column for an IPv6 block and shows dashes for its IPv4 counts", () => {
      const v6 = room("vpc-0a1b2c3d4e5f60005", {
        name: "dual",
        cidr: "2600:1f16:4c1:a100::/56",
        utilization: 0.78125,
        largestFreePrefix: 57,
        freeSlash28: 0,
        freeSlash64: 254,
      });

      const report = formatScanReport(result({ source: "ec2", roomForSubnets: [room("vpc-0a1b2c3d4e5f60004"), v6] }));

      expect(section(report, "ROOM FOR NEW SUBNETS").slice(1)).to.deep.equal([
        "  VPC                    NAME   REGION     CIDR                      USED  LARGEST FREE  FREE /24  FREE /28  FREE /64",
        "  vpc-0a1b2c3d4e5f60004  holes  us-east-2  10.4.0.0/22              45.3%           /25         0        35         -",
        "  vpc-0a1b2c3d4e5f60005  dual   us-east-2  2600:1f16:4c1:a100::/56   0.7%           /57         -         -       254",
      ]);
    });

    it("counts the VPC blocks the result left out of room for subnets", () => {
      const report = formatScanReport(
        result({
          roomForSubnets: [room("vpc-0a1b2c3d4e5f60004")],
          truncated: { ...result().truncated, roomForSubnets: 150 },
        }),
      );

      const lines = section(report, "ROOM FOR NEW SUBNETS");
      expect(lines[0]).to.equal("ROOM FOR NEW SUBNETS (151 VPC CIDR blocks, tightest first)");
      expect(lines.at(-1)).to.equal("  … and 150 more left out of the result to keep it within its size limit");
    });

    it("puts room for new subnets after the resources in trouble", () => {
      const report = formatScanReport(result({ roomForSubnets: [room("vpc-0a1b2c3d4e5f60004")] }));

      expect(report.indexOf("ROOM FOR NEW SUBNETS")).to.be.greaterThan(report.indexOf("RESOURCES IN TROUBLE"));
    });

    it("lists the scopes without matches with the hint that they are usually a typo", () => {
      const report = formatScanReport(
        result({ scopesWithoutMatches: ["stagign"], summary: { ...result().summary, scopesWithoutMatches: 1 } }),
      );

      expect(section(report, "SCOPES WITHOUT MATCHES")).to.deep.equal([
        "SCOPES WITHOUT MATCHES (1): usually a typo; this part of the network is unmonitored",
        "  stagign",
      ]);
    });

    it("counts the uncovered resources and shows the sample", () => {
      const report = formatScanReport(
        result({
          uncoveredCount: 3,
          uncoveredSample: [
            {
              resourceId: "eipalloc-0c9decaa541d89aa9",
              resourceType: "eip",
              cidr: "54.240.1.10/32",
              ownerId: "111122223333",
              region: "us-east-1",
            },
          ],
        }),
      );

      expect(section(report, "UNCOVERED")).to.deep.equal([
        "UNCOVERED: 3 resource CIDRs match no scope and are not monitored (first 1 shown)",
        "  RESOURCE                    TYPE  ACCOUNT       REGION     CIDR",
        "  eipalloc-0c9decaa541d89aa9  eip   111122223333  us-east-1  54.240.1.10/32",
      ]);
    });

    it("lists every error with its target, action and code", () => {
      const report = formatScanReport(
        result({
          complete: false,
          errors: [
            {
              target: "ipam-scope ipam-scope-0bb55556666777788",
              action: "GetIpamResourceCidrs",
              code: "UnauthorizedOperation",
              message: "denied",
            },
            { target: "namespace IPAMMonitor", message: "socket hang up" },
          ],
        }),
      );

      expect(section(report, "ERRORS")).to.deep.equal([
        "ERRORS (2)",
        "  ipam-scope ipam-scope-0bb55556666777788 (GetIpamResourceCidrs UnauthorizedOperation): denied",
        "  namespace IPAMMonitor: socket hang up",
      ]);
    });

    it("says that a dry run published nothing", () => {
      const report = formatScanReport(result({ dryRun: true }));

      expect(report.split("\n")[2]).to.equal("Dry run: no metrics published, no notification sent.");
    });

    it("says what was published and whether the notification went out", () => {
      const report = formatScanReport(
        result({
          published: { requests: 1, datums: 19 },
          notification: { sent: false, reason: "nothing changed since the last notification" },
        }),
      );

      expect(report.trimEnd().split("\n").slice(-2)).to.deep.equal([
        "Metrics: 19 datums published in 1 request.",
        "Notification not sent: nothing changed since the last notification.",
      ]);
    });

    it("keeps every row on one line when a name holds a line break", () => {
      const report = formatScanReport(
        result({ resourcesInTrouble: [trouble("subnet-0a1b2c3d4e5f60011", { name: "evil\nname\tx" })] }),
      );

      expect(section(report, "RESOURCES IN TROUBLE")).to.have.length(3);
      expect(report).to.include("evil name x");
    });

    it("ends with a newline", () => {
      expect(formatScanReport(result())).to.match(/[^\n]\n$/);
    });
  });

  describe("capacity", () => {
    const BLOCKERS = [
      {
        networkInterfaceId: "eni-0a1b2c3d4e5f60001",
        interfaceType: "interface",
        instanceId: "i-0abc",
        description: "aws-K8S-i-0abc",
        blocksFreed: 3,
        blocksBlocked: 4,
      },
      {
        networkInterfaceId: "eni-0a1b2c3d4e5f60002",
        requesterId: "amazon-elb",
        description: "ELB app/web",
        blocksFreed: 1,
        blocksBlocked: 2,
      },
      { networkInterfaceId: "eni-0a1b2c3d4e5f60003", blocksFreed: 0, blocksBlocked: 2 },
      { networkInterfaceId: "eni-0a1b2c3d4e5f60004", blocksFreed: 0, blocksBlocked: 1 },
    ];
    const eks = (): ScanResultJson =>
      result({
        scopes: [
          scope("eks-pods", {
            status: "critical",
            resourceCount: 1,
            counts: { critical: 1, warning: 0, unknown: 0, ok: 0 },
            capacity: true,
            minFreePrefixes: 0,
            minAssignableAddresses: 120,
          }),
          scope("vpcs"),
        ],
        resourcesInTrouble: [
          trouble("subnet-0a1b2c3d4e5f60021", {
            scope: "eks-pods",
            name: "eks-pods-a",
            utilization: 52.19,
            free: 120,
            freePrefixes: 0,
            assignableAddresses: 120,
            largestFreeBlock: 29,
            blockers: BLOCKERS,
            reason: "0 free /28 prefixes < critical minimum 2",
          }),
        ],
      });

    it("adds the fewest free /28 of each scope when a scope measures capacity", () => {
      expect(section(formatScanReport(eks()), "SCOPES")).to.deep.equal([
        "SCOPES (2)",
        "  SCOPE     STATUS    RESOURCES  CRITICAL  WARNING  UNKNOWN  MAX USED  MIN FREE  MIN /28",
        "  eks-pods  CRITICAL          1         1        0        0     12.5%       200        0",
        "  vpcs      OK                2         0        0        0     12.5%       200        -",
      ]);
    });

    it("shows free /28 and assignable addresses before the reason", () => {
      expect(section(formatScanReport(eks()), "RESOURCES IN TROUBLE")[1]).to.match(
        /USED {2}FREE {2}FREE \/28 {2}ASSIGNABLE {2}REASON$/,
      );
      expect(section(formatScanReport(eks()), "RESOURCES IN TROUBLE")[2]).to.match(
        / 52\.1% {3}120 {9}0 {9}120 {2}0 free \/28 prefixes < critical minimum 2$/,
      );
    });

    it("names the top three interfaces that block the /28s of a subnet below its level", () => {
      expect(section(formatScanReport(eks()), "WHO BLOCKS /28 PREFIXES")).to.deep.equal([
        "WHO BLOCKS /28 PREFIXES (top 3 per subnet; draining an interface frees the blocks only it occupies)",
        '  subnet-0a1b2c3d4e5f60021 "eks-pods-a" 10.0.0.0/24: 0 free /28s, largest free block /29',
        "    INTERFACE              FREES /28  IN /28  TYPE        INSTANCE  DESCRIPTION",
        "    eni-0a1b2c3d4e5f60001          3       4  interface   i-0abc    aws-K8S-i-0abc",
        "    eni-0a1b2c3d4e5f60002          1       2  amazon-elb  -         ELB app/web",
        "    eni-0a1b2c3d4e5f60003          0       2  -           -         -",
      ]);
    });

    it("prints no capacity column or blocker section when no scope measures capacity", () => {
      const report = formatScanReport(result());

      expect(report).not.to.match(/MIN \/28|FREE \/28|ASSIGNABLE|WHO BLOCKS/);
    });
  });

  describe("zones", () => {
    const withZones = (zones: ScopeJson["zones"]): ScanResultJson =>
      result({ scopes: [scope("pods", { status: "warning", zones }), scope("vpcs")] });

    it("lists every zone of a scope with a zone in trouble, marking the zones in trouble", () => {
      const report = formatScanReport(
        withZones([
          {
            availabilityZoneId: "euw1-az1",
            availabilityZone: "eu-west-1a",
            resourceCount: 2,
            freeAddresses: 13,
            freePrefixes: 0,
            status: "warning",
            reason: "13 free addresses < warning minimum 100",
          },
          {
            availabilityZoneId: "euw1-az2",
            availabilityZone: "eu-west-1b",
            resourceCount: 2,
            freeAddresses: 400,
            unknownFree: 1,
            freePrefixes: 20,
            status: "ok",
            reason: "within thresholds",
          },
        ]),
      );

      expect(section(report, "ZONES IN TROUBLE")).to.deep.equal([
        "ZONES IN TROUBLE (1 zone below a scope's minZoneFree; every zone of those scopes shown, poorest first)",
        "  SCOPE  ZONE      NAME        SUBNETS  FREE  FREE /28  STATUS   REASON",
        "  pods   euw1-az1  eu-west-1a        2    13         0  WARNING  13 free addresses < warning minimum 100",
        "  pods   euw1-az2  eu-west-1b        2  ≥400        20  ok",
      ]);
    });

    it("prints no zone section when no zone is in trouble", () => {
      const report = formatScanReport(
        withZones([
          {
            availabilityZoneId: "euw1-az1",
            resourceCount: 2,
            freeAddresses: 13,
            status: "ok",
            reason: "within thresholds",
          },
        ]),
      );

      expect(report).not.to.contain("ZONES IN TROUBLE");
    });
  });

  describe("formatColumns", () => {
    const columns = [
      { header: "ID", align: "left" as const, cell: (r: { id: string; n: number }) => r.id },
      { header: "N", align: "right" as const, cell: (r: { id: string; n: number }) => String(r.n) },
    ];

    it("right-aligns numbers under their header", () => {
      expect(
        formatColumns(
          columns,
          [
            { id: "a", n: 5 },
            { id: "bbb", n: 1234 },
          ],
          "",
        ),
      ).to.deep.equal(["ID      N", "a       5", "bbb  1234"]);
    });

    it("shortens a cell longer than 48 characters with an ellipsis, except in the last column", () => {
      const lines = formatColumns(columns, [{ id: "x".repeat(60), n: 1 }], "");

      expect(lines[1]).to.equal(`${"x".repeat(47)}…  1`);
    });
  });
});
