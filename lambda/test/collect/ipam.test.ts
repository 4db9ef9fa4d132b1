import {
  DescribeIpamScopesCommand,
  type DescribeIpamScopesCommandInput,
  DescribeIpamsCommand,
  EC2Client,
  EC2ServiceException,
  GetIpamResourceCidrsCommand,
  type GetIpamResourceCidrsCommandInput,
  type GetIpamResourceCidrsCommandOutput,
} from "@aws-sdk/client-ec2";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";

import { collectFromIpam, createValuePool, toResourceCidr } from "../../src/collect/ipam";
import { ScanError } from "../../src/errors";
import type { ResourceCidr } from "../../src/types";
import * as fx from "../fixtures/ipam/responses";

type PageBook = Record<string, Record<string, GetIpamResourceCidrsCommandOutput>>;

function ec2Error(code: string, message: string): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: "client",
    $metadata: {
      httpStatusCode: 403,
      requestId: "7d8e9f00-1111-2222-3333-444455556666",
      attempts: 1,
      totalRetryDelay: 0,
    },
    message,
  });
}

describe("collect/ipam", () => {
  let client: EC2Client;
  let ec2: AwsClientStub<EC2Client>;

  beforeEach(() => {
    client = new EC2Client({ region: "us-east-1" });
    ec2 = mockClient(client);
  });

  afterEach(() => {
    ec2.restore();
  });

  /** Answers GetIpamResourceCidrs like the API: by scope and NextToken, filtered by ResourceType when one is given. */
  function serveResourcePages(pages: PageBook = fx.resourcePages): void {
    ec2.on(GetIpamResourceCidrsCommand).callsFake((input: GetIpamResourceCidrsCommandInput) => {
      const page = pages[input.IpamScopeId ?? ""]?.[input.NextToken ?? ""];
      if (page === undefined) throw new Error(`no fixture page for ${input.IpamScopeId} at token ${input.NextToken}`);
      if (input.ResourceType === undefined) return page;
      return {
        ...page,
        IpamResourceCidrs: (page.IpamResourceCidrs ?? []).filter((r) => r.ResourceType === input.ResourceType),
      };
    });
  }

  /** IPAM A alone, its scopes listed on two pages. */
  function arrangeIpamA(pages?: PageBook): void {
    ec2.on(DescribeIpamsCommand).resolves(fx.describeIpamsOutput);
    ec2
      .on(DescribeIpamScopesCommand)
      .callsFake((input: DescribeIpamScopesCommandInput) =>
        input.NextToken === fx.describeScopesPage1.NextToken ? fx.describeScopesPage2 : fx.describeScopesPage1,
      );
    serveResourcePages(pages);
  }

  function resourceCalls(): GetIpamResourceCidrsCommandInput[] {
    return ec2.commandCalls(GetIpamResourceCidrsCommand).map((call) => call.args[0].input);
  }

  describe("pagination", () => {
    it("collects every resource across several pages of several scopes", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["private", "public"] });

      expect(result.failures).to.deep.equal([]);
      expect(result.resources.map((r) => `${r.resourceId} ${r.cidr}`)).to.have.members([
        "vpc-0a1b2c3d4e5f60001 10.0.0.0/16",
        "subnet-0a1b2c3d4e5f60011 10.0.0.0/24",
        "subnet-0a1b2c3d4e5f60012 10.0.1.0/28",
        "vpc-0a1b2c3d4e5f60001 100.64.0.0/22",
        "subnet-0a1b2c3d4e5f60013 2600:1f18:abc:de00::/64",
        "vpc-0a1b2c3d4e5f60001 2600:1f18:abc:de00::/56",
        "eipalloc-0c9decaa541d89aa9 54.240.1.10/32",
        "ipv4pool-ec2-0123456789abcdef0 3.5.0.0/24",
        "eni-0123456789abcdef0 18.206.10.20/32",
        "aip-list-0123456789abcdef0 203.0.113.0/24",
        "subnet-0a1b2c3d4e5f60021 192.168.0.0/24",
      ]);
    });

    it("asks for pages of 1000, the API's maximum", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private", "public"] });

      expect(resourceCalls().map((input) => input.MaxResults)).to.deep.equal(Array(6).fill(1000));
    });

    it("passes each NextToken to the next request for the same scope and stops when none is returned", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private"] });

      const privateCalls = resourceCalls().filter((input) => input.IpamScopeId === fx.SCOPE_A_PRIVATE);
      expect(privateCalls.map((input) => input.NextToken)).to.deep.equal([
        undefined,
        "AAEAAZr1dC0tb2tlbi0x",
        "AAEAAZr1dC0tb2tlbi0y",
      ]);
    });

    it("uses a configured page size as MaxResults", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private"], pageSize: 5 });

      expect(new Set(resourceCalls().map((input) => input.MaxResults))).to.deep.equal(new Set([5]));
    });

    it("rejects a page size outside the API's 5..1000", async () => {
      for (const pageSize of [4, 1001, 10_000, 2.5]) {
        await collectFromIpam(client, { scopeTypes: ["private"], pageSize }).then(
          () => expect.fail(`pageSize ${pageSize} was accepted`),
          (err: unknown) =>
            expect(err).to.be.instanceOf(RangeError).with.property("message").that.includes(`pageSize ${pageSize}`),
        );
      }
    });

    it("follows NextToken through DescribeIpamScopes", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private"] });

      const tokens = ec2.commandCalls(DescribeIpamScopesCommand).map((call) => call.args[0].input.NextToken);
      expect(tokens).to.deep.equal([undefined, fx.describeScopesPage1.NextToken]);
    });

    it("reports a NextToken returned twice as a failure instead of looping forever", async () => {
      const looping: PageBook = {
        ...fx.resourcePages,
        [fx.SCOPE_A_PRIVATE_CUSTOM]: {
          "": { $metadata: {}, IpamResourceCidrs: [fx.subnetAcquired], NextToken: "again" },
          again: { $metadata: {}, IpamResourceCidrs: [], NextToken: "again" },
        },
      };
      arrangeIpamA(looping);

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(result.failures).to.have.length(1);
      expect(result.failures[0]).to.include({
        target: `ipam-scope ${fx.SCOPE_A_PRIVATE_CUSTOM}`,
        action: "GetIpamResourceCidrs",
      });
      expect(result.failures[0]?.message).to.include("that it had already returned");
      expect(result.failures[0]).to.include({ code: "PaginationLoop" });
    });
  });

  describe("IPAMs and scopes", () => {
    it("keeps every scope of a configured type, not only the last one", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(new Set(resourceCalls().map((input) => input.IpamScopeId))).to.deep.equal(
        new Set([fx.SCOPE_A_PRIVATE, fx.SCOPE_A_PRIVATE_CUSTOM]),
      );
    });

    it("scans only public scopes when only public is configured", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["public"] });

      expect(new Set(resourceCalls().map((input) => input.IpamScopeId))).to.deep.equal(new Set([fx.SCOPE_A_PUBLIC]));
      expect(result.resources.map((r) => r.resourceType)).to.have.members([
        "eip",
        "public-ipv4-pool",
        "eni",
        "anycast-ip-list",
      ]);
    });

    it("asks DescribeIpamScopes for the scopes of every IPAM found", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(ec2.commandCalls(DescribeIpamScopesCommand)[0]?.args[0].input.Filters).to.deep.equal([
        { Name: "ipam-id", Values: [fx.IPAM_A] },
      ]);
    });

    it("scans the scopes of several IPAMs", async () => {
      ec2.on(DescribeIpamsCommand).resolves(fx.describeTwoIpamsOutput);
      ec2.on(DescribeIpamScopesCommand).resolves({
        $metadata: {},
        IpamScopes: [...(fx.describeScopesPage1.IpamScopes ?? []), ...(fx.describeScopesOfIpamB.IpamScopes ?? [])],
      });
      serveResourcePages();

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(ec2.commandCalls(DescribeIpamScopesCommand)[0]?.args[0].input.Filters).to.deep.equal([
        { Name: "ipam-id", Values: [fx.IPAM_A, fx.IPAM_B] },
      ]);
      expect(result.resources.filter((r) => r.ipam?.ipamId === fx.IPAM_B).map((r) => r.resourceId)).to.deep.equal([
        "subnet-0b1b2c3d4e5f60031",
      ]);
      expect(result.resources.filter((r) => r.ipam?.ipamId === fx.IPAM_A)).to.have.length(6);
    });

    it("counts once a resource that two IPAMs monitoring the same Region both return", async () => {
      ec2.on(DescribeIpamsCommand).resolves(fx.describeTwoIpamsOutput);
      ec2.on(DescribeIpamScopesCommand).resolves({
        $metadata: {},
        IpamScopes: [...(fx.describeScopesPage1.IpamScopes ?? []), ...(fx.describeScopesOfIpamB.IpamScopes ?? [])],
      });
      ec2.on(GetIpamResourceCidrsCommand).callsFake((input: { IpamScopeId?: string }) => ({
        $metadata: {},
        IpamResourceCidrs: [{ ...fx.subnetApp, IpamScopeId: input.IpamScopeId }],
      }));

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(result.resources.map((r) => r.resourceId)).to.deep.equal([fx.subnetApp.ResourceId]);
      expect(result.units.map((u) => u.resources)).to.deep.equal(result.units.map(() => 1));
    });

    it("asks only for the configured IPAM when ipamId is set", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private"], ipamId: fx.IPAM_A });

      expect(ec2.commandCalls(DescribeIpamsCommand)[0]?.args[0].input.IpamIds).to.deep.equal([fx.IPAM_A]);
    });

    it("skips a scope of another IPAM even if the endpoint ignores the ipam-id filter", async () => {
      ec2.on(DescribeIpamsCommand).resolves(fx.describeIpamsOutput);
      ec2.on(DescribeIpamScopesCommand).resolves({
        $metadata: {},
        IpamScopes: [...(fx.describeScopesPage2.IpamScopes ?? []), ...(fx.describeScopesOfIpamB.IpamScopes ?? [])],
      });
      serveResourcePages();

      await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(resourceCalls().map((input) => input.IpamScopeId)).to.deep.equal([fx.SCOPE_A_PRIVATE_CUSTOM]);
    });

    it("skips a scope that is being deleted", async () => {
      ec2.on(DescribeIpamsCommand).resolves(fx.describeIpamsOutput);
      const [privateScope, publicScope] = fx.describeScopesPage1.IpamScopes ?? [];
      ec2.on(DescribeIpamScopesCommand).resolves({
        $metadata: {},
        IpamScopes: [{ ...privateScope, State: "delete-in-progress" }, { ...publicScope }],
      });
      serveResourcePages();

      await collectFromIpam(client, { scopeTypes: ["private", "public"] });

      expect(resourceCalls().map((input) => input.IpamScopeId)).to.not.include(fx.SCOPE_A_PRIVATE);
    });

    it("throws a ScanError saying no IPAM exists in the region and what to do", async () => {
      ec2.on(DescribeIpamsCommand).resolves(fx.describeNoIpamsOutput);

      const err = await collectFromIpam(client, { scopeTypes: ["private"] }).catch((e: unknown) => e);

      expect(err).to.be.instanceOf(ScanError).and.include({ action: "DescribeIpams", code: "NoIpam" });
      expect((err as Error).message)
        .to.include("No IPAM exists in us-east-1")
        .and.include("IPAM_REGION")
        .and.include("SOURCE=ec2");
    });

    it("throws a ScanError naming IPAM_ID when the configured IPAM does not exist", async () => {
      ec2
        .on(DescribeIpamsCommand)
        .rejects(ec2Error("InvalidIpamId.NotFound", "The ipam ID 'ipam-0123456789abcdef0' does not exist"));

      const err = await collectFromIpam(client, { scopeTypes: ["private"], ipamId: "ipam-0123456789abcdef0" }).catch(
        (e: unknown) => e,
      );

      expect(err).to.be.instanceOf(ScanError).and.include({ code: "InvalidIpamId.NotFound" });
      expect((err as Error).message)
        .to.include("IPAM ipam-0123456789abcdef0 was not found in us-east-1")
        .and.include("IPAM_ID");
    });

    it("throws a ScanError naming ec2:DescribeIpams when it is denied", async () => {
      ec2
        .on(DescribeIpamsCommand)
        .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

      const err = await collectFromIpam(client, { scopeTypes: ["private"] }).catch((e: unknown) => e);

      expect(err).to.be.instanceOf(ScanError).and.include({ action: "DescribeIpams", code: "UnauthorizedOperation" });
      expect((err as Error).message).to.include("ec2:DescribeIpams");
    });

    it("throws a ScanError naming ec2:DescribeIpamScopes when it is denied", async () => {
      ec2.on(DescribeIpamsCommand).resolves(fx.describeIpamsOutput);
      ec2
        .on(DescribeIpamScopesCommand)
        .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

      const err = await collectFromIpam(client, { scopeTypes: ["private"] }).catch((e: unknown) => e);

      expect(err).to.be.instanceOf(ScanError).and.include({ action: "DescribeIpamScopes" });
      expect((err as Error).message).to.include("ec2:DescribeIpamScopes");
    });

    it("rejects an empty or unknown scope type", async () => {
      await collectFromIpam(client, { scopeTypes: [] }).then(
        () => expect.fail("empty scopeTypes accepted"),
        (err: unknown) => expect(err).to.be.instanceOf(RangeError).with.property("message").that.includes("scopeTypes"),
      );
      await collectFromIpam(client, { scopeTypes: ["shared" as "private"] }).then(
        () => expect.fail("unknown scope type accepted"),
        (err: unknown) => expect(err).to.be.instanceOf(RangeError).with.property("message").that.includes('"shared"'),
      );
    });
  });

  describe("resource type filter", () => {
    it("makes one pagination per scope without a ResourceType when no type is configured", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private", "public"] });

      const firstPages = resourceCalls().filter((input) => input.NextToken === undefined);
      expect(firstPages.map((input) => input.IpamScopeId)).to.have.members([
        fx.SCOPE_A_PRIVATE,
        fx.SCOPE_A_PUBLIC,
        fx.SCOPE_A_PRIVATE_CUSTOM,
      ]);
      expect(resourceCalls().every((input) => input.ResourceType === undefined)).to.equal(true);
    });

    it("makes one pagination per scope and configured type, passing ResourceType", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private"], resourceTypes: ["subnet", "vpc"] });

      const firstPages = resourceCalls()
        .filter((input) => input.NextToken === undefined)
        .map((input) => `${input.IpamScopeId} ${input.ResourceType}`);
      expect(firstPages).to.have.members([
        `${fx.SCOPE_A_PRIVATE} subnet`,
        `${fx.SCOPE_A_PRIVATE} vpc`,
        `${fx.SCOPE_A_PRIVATE_CUSTOM} subnet`,
        `${fx.SCOPE_A_PRIVATE_CUSTOM} vpc`,
      ]);
    });

    it("follows NextToken within each typed pagination", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["private"], resourceTypes: ["subnet"] });

      const privateCalls = resourceCalls().filter((input) => input.IpamScopeId === fx.SCOPE_A_PRIVATE);
      expect(privateCalls.map((input) => [input.ResourceType, input.NextToken])).to.deep.equal([
        ["subnet", undefined],
        ["subnet", "AAEAAZr1dC0tb2tlbi0x"],
        ["subnet", "AAEAAZr1dC0tb2tlbi0y"],
      ]);
    });

    it("passes an unknown resource type through to the API", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["public"], resourceTypes: ["anycast-ip-list"] });

      expect(resourceCalls()[0]?.ResourceType).to.equal("anycast-ip-list");
      expect(result.resources.map((r) => r.resourceId)).to.deep.equal(["aip-list-0123456789abcdef0"]);
    });

    it("asks once per type when a type is listed twice", async () => {
      arrangeIpamA();

      await collectFromIpam(client, { scopeTypes: ["public"], resourceTypes: ["eip", "eip"] });

      expect(resourceCalls().filter((input) => input.NextToken === undefined)).to.have.length(1);
    });
  });

  describe("mapping", () => {
    it("keeps every field of a subnet", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(result.resources.find((r) => r.resourceId === "subnet-0a1b2c3d4e5f60011")).to.deep.equal({
        source: "ipam",
        resourceId: "subnet-0a1b2c3d4e5f60011",
        resourceType: "subnet",
        name: "prod-app-a",
        cidr: "10.0.0.0/24",
        addressFamily: "ipv4",
        ownerId: fx.ACCOUNT,
        region: "us-east-1",
        vpcId: "vpc-0a1b2c3d4e5f60001",
        availabilityZoneId: "use1-az1",
        tags: { Name: "prod-app-a", tier: "app" },
        size: 256n,
        usable: 251n,
        used: 201n,
        free: 50n,
        utilization: 0.7991967871485943 * 100,
        ipam: {
          ipamId: fx.IPAM_A,
          ipamScopeId: fx.SCOPE_A_PRIVATE,
          ipUsage: 0.7991967871485943,
          managementState: "unmanaged",
          complianceStatus: "unmanaged",
          overlapStatus: "nonoverlapping",
        },
      });
    });

    it("keeps the pool ID of a managed VPC CIDR", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      const vpc = result.resources.find((r) => r.cidr === "10.0.0.0/16");
      expect(vpc?.ipam).to.include({
        ipamPoolId: "ipam-pool-0123456789abcdef0",
        managementState: "managed",
        complianceStatus: "compliant",
      });
    });

    it("reports an empty /28 subnet with 11 free addresses as 0% used", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(result.resources.find((r) => r.cidr === "10.0.1.0/28")).to.include({
        usable: 11n,
        used: 0n,
        free: 11n,
        utilization: 0,
      });
    });

    it("uses the Name tag when IPAM gives no ResourceName", () => {
      const mapped = toResourceCidr(fx.subnetEmptyTiny, { scopeId: fx.SCOPE_A_PRIVATE, ipamId: fx.IPAM_A });

      expect(mapped).to.include({ name: "prod-endpoints-a" });
    });

    it("leaves the name out when there is neither ResourceName nor Name tag", () => {
      const mapped = toResourceCidr(fx.eip, { scopeId: fx.SCOPE_A_PUBLIC, ipamId: fx.IPAM_A });

      expect(mapped).to.not.have.property("name");
    });

    it("passes unknown resource types through as strings", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["public"] });

      expect(result.resources.find((r) => r.resourceId === "eni-0123456789abcdef0")).to.include({
        resourceType: "eni",
        size: 1n,
        usable: 1n,
      });
      expect(result.resources.find((r) => r.resourceId === "aip-list-0123456789abcdef0")).to.include({
        resourceType: "anycast-ip-list",
        used: 128n,
      });
    });

    it("measures a type newer than the SDK without crashing", () => {
      const future = { ...fx.publicPool, ResourceType: "ipv4-prefix-list" } as unknown as typeof fx.publicPool;

      const mapped = toResourceCidr(future, { scopeId: fx.SCOPE_A_PUBLIC });

      expect(mapped).to.include({ resourceType: "ipv4-prefix-list", usable: 256n, used: 64n });
    });

    it("leaves utilization, used and free undefined for an IPv6 subnet without IpUsage", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      const ipv6 = result.resources.find((r) => r.resourceId === "subnet-0a1b2c3d4e5f60013");
      expect(ipv6).to.include({ addressFamily: "ipv6", size: 1n << 64n, usable: 1n << 64n });
      expect(ipv6).to.not.have.any.keys("utilization", "used", "free");
      expect(ipv6?.ipam).to.not.have.property("ipUsage");
    });

    it("measures an IPv6 /56 VPC exactly", async () => {
      arrangeIpamA();

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(result.resources.find((r) => r.cidr === "2600:1f18:abc:de00::/56")).to.include({
        size: 1n << 72n,
        used: 1n << 64n,
      });
    });

    it("fills IPAM and scope IDs from the scope when the resource omits them", () => {
      const bare = { ...fx.subnetAcquired, IpamId: undefined, IpamScopeId: undefined };

      const mapped = toResourceCidr(bare, { scopeId: fx.SCOPE_A_PRIVATE_CUSTOM, ipamId: fx.IPAM_A });

      expect(mapped).to.have.nested.property("ipam.ipamScopeId", fx.SCOPE_A_PRIVATE_CUSTOM);
      expect(mapped).to.have.nested.property("ipam.ipamId", fx.IPAM_A);
    });

    it("reports a resource without a CIDR as a failure naming it, and keeps the others", async () => {
      const pages: PageBook = {
        ...fx.resourcePages,
        [fx.SCOPE_A_PRIVATE_CUSTOM]: {
          "": { $metadata: {}, IpamResourceCidrs: [{ ...fx.subnetAcquired, ResourceCidr: undefined }] },
        },
      };
      arrangeIpamA(pages);

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(result.failures).to.have.length(1);
      expect(result.failures[0]?.target).to.equal(
        `resource subnet-0a1b2c3d4e5f60021 in ipam-scope ${fx.SCOPE_A_PRIVATE_CUSTOM}`,
      );
      expect(result.failures[0]?.message).to.include("without a ResourceCidr");
      expect(result.resources).to.have.length(6);
    });

    it("reports a resource with an unparseable CIDR as a failure quoting it", () => {
      const mapped = toResourceCidr({ ...fx.eip, ResourceCidr: "54.240.1.10" }, { scopeId: fx.SCOPE_A_PUBLIC });

      expect(mapped).to.include({
        target: `resource eipalloc-0c9decaa541d89aa9 in ipam-scope ${fx.SCOPE_A_PUBLIC}`,
        code: "InvalidResourceCidr",
      });
      expect(mapped).to.have.property("message").that.includes('"54.240.1.10" is not a valid CIDR');
    });

    it("reports a resource without ResourceId as a failure", () => {
      const mapped = toResourceCidr({ ...fx.eip, ResourceId: undefined }, { scopeId: fx.SCOPE_A_PUBLIC });

      expect(mapped).to.include({ code: "MissingResourceId" });
    });

    it("makes plain objects with their fields in the order of ResourceCidr", () => {
      const mapped = toResourceCidr(fx.subnetApp, { scopeId: fx.SCOPE_A_PRIVATE, ipamId: fx.IPAM_A }) as ResourceCidr;

      expect(Object.getPrototypeOf(mapped)).to.equal(Object.prototype);
      expect(Object.keys(mapped)).to.deep.equal([
        "source",
        "resourceId",
        "resourceType",
        "name",
        "cidr",
        "ownerId",
        "region",
        "vpcId",
        "availabilityZoneId",
        "tags",
        "addressFamily",
        "size",
        "usable",
        "used",
        "free",
        "utilization",
        "ipam",
      ]);
    });

    it("uses ResourceName rather than the Name tag when they differ", () => {
      const renamed = { ...fx.subnetApp, ResourceName: "prod-app-a-renamed" };

      const mapped = toResourceCidr(renamed, { scopeId: fx.SCOPE_A_PRIVATE }) as ResourceCidr;

      expect(mapped.name).to.equal("prod-app-a-renamed");
      expect(mapped.tags.Name).to.equal("prod-app-a");
    });

    it("gives resources with equal IPAM facts one shared, frozen facts object", () => {
      const pool = createValuePool();
      const twin = { ...fx.subnetApp, ResourceId: "subnet-0a1b2c3d4e5f60099", ResourceCidr: "10.0.9.0/24" };

      const a = toResourceCidr(fx.subnetApp, { scopeId: fx.SCOPE_A_PRIVATE }, pool) as ResourceCidr;
      const b = toResourceCidr(twin, { scopeId: fx.SCOPE_A_PRIVATE }, pool) as ResourceCidr;

      expect(b.ipam).to.equal(a.ipam);
      expect(Object.isFrozen(a.ipam)).to.equal(true);
    });

    it("gives resources whose IPAM facts differ in any way their own facts", () => {
      const pool = createValuePool();
      const scope = { scopeId: fx.SCOPE_A_PRIVATE };
      const variants = [
        fx.subnetApp,
        { ...fx.subnetApp, IpUsage: 0.5 },
        { ...fx.subnetApp, OverlapStatus: "overlapping" },
        { ...fx.subnetApp, IpamPoolId: "ipam-pool-0123456789abcdef0" },
        { ...fx.subnetApp, IpUsage: undefined },
      ] as const;

      const facts = variants.map((v) => (toResourceCidr(v, scope, pool) as ResourceCidr).ipam);

      expect(new Set(facts).size).to.equal(variants.length);
      expect(facts[4]).to.not.have.property("ipUsage");
    });

    it("keeps resource IDs and names out of the pool, so it holds only repeated values", () => {
      const pool = createValuePool();
      const scope = { scopeId: fx.SCOPE_A_PRIVATE };
      toResourceCidr(fx.subnetApp, scope, pool);
      const held = pool.strings;

      for (let i = 0; i < 10; i++) {
        const tags = [
          { Key: "Name", Value: `app-${i}` },
          { Key: "tier", Value: "app" },
        ];
        toResourceCidr(
          { ...fx.subnetApp, ResourceId: `subnet-0a1b2c3d4e5f6${i}`, ResourceName: `app-${i}`, ResourceTags: tags },
          scope,
          pool,
        );
      }

      expect(pool.strings).to.equal(held);
    });
  });

  describe("createValuePool", () => {
    it("returns a string equal to the one given, and holds each distinct string once", () => {
      const pool = createValuePool();

      const out = ["us-east-1", "eu-west-1", ["us", "east", "1"].join("-")].map(pool.intern);

      expect(out).to.deep.equal(["us-east-1", "eu-west-1", "us-east-1"]);
      expect(pool.strings).to.equal(2);
    });

    it("builds one object per list of values and hands the same one out for an equal list", () => {
      const pool = createValuePool();
      let made = 0;
      const make = (): { n: number } => ({ n: ++made });

      const first = pool.share([0.5, "a", undefined], make);
      const again = pool.share([0.5, "a", undefined], make);

      expect(again).to.equal(first);
      expect(made).to.equal(1);
      expect(pool.objects).to.equal(1);
    });

    it("tells apart lists that differ in any value, length, or the sign of zero", () => {
      const pool = createValuePool();
      const lists: unknown[][] = [
        [0.5, "a"],
        [0.5, "b"],
        [0.25, "a"],
        [0.5, "a", undefined],
        [0, "a"],
        [-0, "a"],
        [undefined, "a"],
      ];

      const objects = lists.map((values) => pool.share(values, () => ({})));

      expect(new Set(objects).size).to.equal(lists.length);
    });

    it("takes NaN for NaN, as Object.is does", () => {
      const pool = createValuePool();

      expect(pool.share([Number.NaN], () => ({}))).to.equal(pool.share([Number.NaN], () => ({})));
    });

    it("freezes what it shares", () => {
      const pool = createValuePool();

      expect(Object.isFrozen(pool.share(["x"], () => ({ x: 1 })))).to.equal(true);
    });
  });

  describe("failures", () => {
    it("records a failing scope and still collects the others", async () => {
      arrangeIpamA();
      ec2
        .on(GetIpamResourceCidrsCommand, { IpamScopeId: fx.SCOPE_A_PUBLIC })
        .rejects(ec2Error("InternalError", "An internal error has occurred"));

      const result = await collectFromIpam(client, { scopeTypes: ["private", "public"] });

      expect(result.failures).to.deep.equal([
        {
          target: `ipam-scope ${fx.SCOPE_A_PUBLIC}`,
          action: "GetIpamResourceCidrs",
          code: "InternalError",
          message: "GetIpamResourceCidrs failed (InternalError): An internal error has occurred",
          unit: `ipam-scope/${fx.SCOPE_A_PUBLIC}`,
        },
      ]);
      expect(result.resources.map((r) => r.ipam?.ipamScopeId)).to.not.include(fx.SCOPE_A_PUBLIC);
      expect(result.resources).to.have.length(7);
    });

    it("names the IAM permission ec2:GetIpamResourceCidrs when a scope is denied", async () => {
      arrangeIpamA();
      ec2
        .on(GetIpamResourceCidrsCommand, { IpamScopeId: fx.SCOPE_A_PUBLIC })
        .rejects(ec2Error("AccessDenied", "User is not authorized to perform: ec2:GetIpamResourceCidrs"));

      const result = await collectFromIpam(client, { scopeTypes: ["public"] });

      expect(result.failures[0]?.code).to.equal("AccessDenied");
      expect(result.failures[0]?.message).to.include("grant the IAM permission ec2:GetIpamResourceCidrs");
    });

    it("says retries were exhausted when a scope stays throttled", async () => {
      arrangeIpamA();
      ec2
        .on(GetIpamResourceCidrsCommand, { IpamScopeId: fx.SCOPE_A_PUBLIC })
        .rejects(ec2Error("RequestLimitExceeded", "Request limit exceeded."));

      const result = await collectFromIpam(client, { scopeTypes: ["public"] });

      expect(result.failures[0]?.message).to.include("retries were exhausted");
    });

    it("keeps the resources of earlier pages when a later page fails", async () => {
      arrangeIpamA();
      ec2
        .on(GetIpamResourceCidrsCommand, { IpamScopeId: fx.SCOPE_A_PRIVATE, NextToken: "AAEAAZr1dC0tb2tlbi0y" })
        .rejects(ec2Error("InternalError", "An internal error has occurred"));

      const result = await collectFromIpam(client, { scopeTypes: ["private"] });

      expect(result.failures.map((f) => f.target)).to.deep.equal([`ipam-scope ${fx.SCOPE_A_PRIVATE}`]);
      expect(result.resources.map((r) => r.cidr))
        .to.include.members(["10.0.0.0/16", "2600:1f18:abc:de00::/64"])
        .and.not.include("2600:1f18:abc:de00::/56");
    });

    it("records a failing resource type and still collects the other types of the scope", async () => {
      arrangeIpamA();
      ec2
        .on(GetIpamResourceCidrsCommand, { IpamScopeId: fx.SCOPE_A_PUBLIC, ResourceType: "eni" })
        .rejects(ec2Error("InvalidParameterValue", "Value (eni) for parameter resourceType is invalid."));

      const result = await collectFromIpam(client, { scopeTypes: ["public"], resourceTypes: ["eni", "eip"] });

      expect(result.failures).to.have.length(1);
      expect(result.failures[0]?.message).to.match(
        /^resource type eni: GetIpamResourceCidrs failed \(InvalidParameterValue\)/,
      );
      expect(result.resources.map((r) => r.resourceType)).to.deep.equal(["eip"]);
    });
  });
});
