import {
  DescribeAddressesCommand,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandInput,
  DescribeVpcsCommand,
  type DescribeVpcsCommandInput,
  EC2Client,
  EC2ServiceException,
} from "@aws-sdk/client-ec2";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";

import { collectFromEc2 } from "../../src/collect/ec2";
import type { CollectResult, ResourceCidr } from "../../src/types";
import { smallRegion } from "../fixtures/ec2/small-region";
import * as fx from "../fixtures/ec2/us-east-1";

const REGION = "us-east-1";

function ec2Error(code: string, message: string, httpStatusCode = 403): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: "client",
    $metadata: { httpStatusCode, requestId: "0c1d2e3f-4444-5555-6666-777788889999", attempts: 1, totalRetryDelay: 0 },
    message,
  });
}

/** Answers like the API: the first page without a token, each next page for the token the previous one returned. */
function pageFor<P extends { NextToken?: string }>(pages: readonly P[], token: string | undefined): P {
  const index = token === undefined ? 0 : pages.findIndex((_, i) => pages[i - 1]?.NextToken === token);
  const page = pages[index];
  if (index < 0 || page === undefined) throw new Error(`no fixture page for NextToken ${token}`);
  return page;
}

function serveFixtures(stub: AwsClientStub<EC2Client>): void {
  stub.on(DescribeVpcsCommand).callsFake((input: DescribeVpcsCommandInput) => pageFor(fx.vpcPages, input.NextToken));
  stub
    .on(DescribeSubnetsCommand)
    .callsFake((input: DescribeSubnetsCommandInput) => pageFor(fx.subnetPages, input.NextToken));
  stub.on(DescribeAddressesCommand).resolves(fx.addresses);
}

function find(result: CollectResult, resourceId: string, cidr: string): ResourceCidr {
  const found = result.resources.filter((r) => r.resourceId === resourceId && r.cidr === cidr);
  expect(found, `${resourceId} ${cidr}`).to.have.length(1);
  return found[0] as ResourceCidr;
}

function cidrsOf(result: CollectResult, resourceId: string): string[] {
  return result.resources.filter((r) => r.resourceId === resourceId).map((r) => r.cidr);
}

describe("collect/ec2", () => {
  describe("one region", () => {
    let client: EC2Client;
    let ec2: AwsClientStub<EC2Client>;

    beforeEach(() => {
      client = new EC2Client({ region: REGION });
      ec2 = mockClient(client);
    });

    afterEach(() => {
      ec2.restore();
    });

    const collect = (options: { accountId?: string; pageSize?: number } = {}) =>
      collectFromEc2(() => client, { regions: [REGION], ...options });

    describe("reading the API", () => {
      it("reads VPCs 1000 at a time and follows NextToken to the last page", async () => {
        serveFixtures(ec2);

        await collect();

        const inputs = ec2.commandCalls(DescribeVpcsCommand).map((call) => call.args[0].input);
        expect(inputs).to.deep.equal([
          { MaxResults: 1000 },
          { MaxResults: 1000, NextToken: fx.vpcPages[0]?.NextToken },
        ]);
      });

      it("reads subnets 1000 at a time and follows NextToken over three pages", async () => {
        serveFixtures(ec2);

        await collect();

        const inputs = ec2.commandCalls(DescribeSubnetsCommand).map((call) => call.args[0].input);
        expect(inputs).to.deep.equal([
          { MaxResults: 1000 },
          { MaxResults: 1000, NextToken: fx.subnetPages[0]?.NextToken },
          { MaxResults: 1000, NextToken: fx.subnetPages[1]?.NextToken },
        ]);
      });

      it("passes pageSize as MaxResults", async () => {
        serveFixtures(ec2);

        await collect({ pageSize: 5 });

        const sizes = [...ec2.commandCalls(DescribeVpcsCommand), ...ec2.commandCalls(DescribeSubnetsCommand)].map(
          (call) => call.args[0].input.MaxResults,
        );
        expect(sizes).to.deep.equal([5, 5, 5, 5, 5]);
      });

      it("calls DescribeAddresses once with no paging or filter, because the API has no pages", async () => {
        serveFixtures(ec2);

        await collect();

        const inputs = ec2.commandCalls(DescribeAddressesCommand).map((call) => call.args[0].input);
        expect(inputs).to.deep.equal([{}]);
      });

      it("never filters a request, so resources without a Name tag are listed", async () => {
        serveFixtures(ec2);

        const result = await collect();

        const filtered = ec2.calls().filter((call) => "Filters" in (call.args[0] as { input: object }).input);
        expect(filtered).to.deep.equal([]);
        expect(find(result, "subnet-0c0ffee0000000102", "10.0.1.0/24").tags).to.deep.equal({});
      });

      it("reports the whole fixture network and nothing else", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(result.failures).to.deep.equal([]);
        // 6 VPC blocks + 14 subnet CIDRs (one shared subnet listed twice counts once) + 2 Elastic IPs.
        expect(result.resources).to.have.length(22);
        expect(result.resources.every((r) => r.source === "ec2" && r.region === REGION)).to.equal(true);
      });

      it("records a failure instead of looping when the API returns the same NextToken twice", async () => {
        serveFixtures(ec2);
        ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [], NextToken: "stuck" });

        const result = await collect();

        expect(result.failures).to.have.length(1);
        expect(result.failures[0]).to.include({ target: `region ${REGION}`, action: "DescribeVpcs" });
        expect(result.failures[0]?.message).to.match(/NextToken .* already returned/);
        expect(result.failures[0]).to.include({ code: "PaginationLoop", unit: `ec2/${REGION}` });
        expect(ec2.commandCalls(DescribeVpcsCommand)).to.have.length(2);
      });

      for (const pageSize of [4, 1001, 10.5]) {
        it(`rejects a pageSize of ${pageSize}, naming the option and the range`, async () => {
          const run = collect({ pageSize });

          await run.then(
            () => expect.fail("expected a rejection"),
            (err: Error) => expect(err.message).to.equal(`pageSize ${pageSize} must be a whole number from 5 to 1000`),
          );
        });
      }
    });

    describe("subnets", () => {
      it("reports an IPv4 subnet with every identity field and its usage from AvailableIpAddressCount", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, "subnet-0c0ffee0000000101", "10.0.0.0/24")).to.deep.equal({
          source: "ec2",
          resourceId: "subnet-0c0ffee0000000101",
          resourceType: "subnet",
          name: "main-app-a",
          cidr: "10.0.0.0/24",
          addressFamily: "ipv4",
          ownerId: fx.ACCOUNT,
          region: REGION,
          vpcId: fx.VPC_MAIN,
          availabilityZoneId: "use1-az1",
          availabilityZone: "us-east-1a",
          tags: { Name: "main-app-a", tier: "app" },
          size: 256n,
          usable: 251n,
          used: 200n,
          free: 51n,
          utilization: (200 / 251) * 100,
        });
      });

      it("reports an empty /28 (11 available) as 0% used, not counting the five reserved addresses", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, "subnet-0c0ffee0000000304", "10.30.1.16/28")).to.include({
          size: 16n,
          usable: 11n,
          used: 0n,
          free: 11n,
          utilization: 0,
        });
      });

      it("reports a full /28 (0 available) as 100% used", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, "subnet-0c0ffee0000000302", "10.30.1.80/28")).to.include({
          used: 11n,
          free: 0n,
          utilization: 100,
        });
      });

      it("measures a /16 subnet with 65,531 usable addresses", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, "subnet-0c0ffee0000000103", "10.1.0.0/16")).to.include({
          size: 65536n,
          usable: 65531n,
          used: 5531n,
          free: 60000n,
          utilization: (5531 / 65531) * 100,
        });
      });

      it("adds each associated IPv6 block of a dual-stack subnet as an ipv6 resource with unknown usage", async () => {
        serveFixtures(ec2);

        const result = await collect();

        const ipv6 = find(result, "subnet-0c0ffee0000000101", "2600:1f18:1234:5600::/64");
        expect(ipv6).to.include({
          addressFamily: "ipv6",
          size: 2n ** 64n,
          usable: 2n ** 64n,
          name: "main-app-a",
          vpcId: fx.VPC_MAIN,
        });
        expect(ipv6).not.to.have.any.keys("used", "free", "utilization");
      });

      it("leaves out IPv6 blocks of a subnet that are not in the associated state", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(cidrsOf(result, "subnet-0c0ffee0000000101")).to.deep.equal(["10.0.0.0/24", "2600:1f18:1234:5600::/64"]);
      });

      it("reports an IPv6-only subnet by its IPv6 block alone, with unknown usage", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(cidrsOf(result, "subnet-0c0ffee0000000104")).to.deep.equal(["2600:1f18:1234:5601::/64"]);
        expect(find(result, "subnet-0c0ffee0000000104", "2600:1f18:1234:5601::/64").utilization).to.equal(undefined);
      });

      it("reports a subnet shared through RAM once, with the account that owns it", async () => {
        serveFixtures(ec2);

        const result = await collect();

        const shared = find(result, "subnet-0c0ffee0000000401", "10.40.1.0/24");
        expect(shared).to.include({ ownerId: fx.SHARING_ACCOUNT, vpcId: fx.VPC_SHARED, used: 51n });
      });
    });

    describe("VPCs", () => {
      it("reports every associated IPv4 block, primary and secondary, and the IPv6 block, each on its own", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(cidrsOf(result, fx.VPC_MAIN)).to.deep.equal(["10.0.0.0/16", "10.1.0.0/16", "2600:1f18:1234:5600::/56"]);
      });

      it("measures the primary block by the subnets inside it, with every identity field", async () => {
        serveFixtures(ec2);

        const result = await collect();

        // 10.0.0.0/24 and 10.0.1.0/24 are inside; 10.1.0.0/16 belongs to the secondary block.
        // Free: 10.0.2.0/23, /22, /21, /20, /19, /18 and 10.0.128.0/17.
        expect(find(result, fx.VPC_MAIN, "10.0.0.0/16")).to.deep.equal({
          source: "ec2",
          resourceId: fx.VPC_MAIN,
          resourceType: "vpc",
          name: "main",
          cidr: "10.0.0.0/16",
          addressFamily: "ipv4",
          ownerId: fx.ACCOUNT,
          region: REGION,
          vpcId: fx.VPC_MAIN,
          tags: { Name: "main", team: "network" },
          size: 65536n,
          usable: 65536n,
          used: 512n,
          free: 65024n,
          utilization: (512 / 65536) * 100,
          room: { largestFreePrefix: 17, freeSlash24: 254, freeSlash28: 4064 },
        });
      });

      it("reports a secondary /16 filled by one /16 subnet as 100% used with no room", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, fx.VPC_MAIN, "10.1.0.0/16")).to.deep.include({
          used: 65536n,
          free: 0n,
          utilization: 100,
          room: { freeSlash24: 0, freeSlash28: 0 },
        });
      });

      it("reports a VPC fully carved into subnets as 100% used with no room", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, fx.VPC_CARVED, "10.20.0.0/24")).to.deep.include({
          used: 256n,
          free: 0n,
          utilization: 100,
          room: { freeSlash24: 0, freeSlash28: 0 },
        });
      });

      it("finds the free /24 and the /28s between the subnets of a VPC with holes", async () => {
        serveFixtures(ec2);

        const result = await collect();

        // 10.30.0.0/22 less 10.30.0.0/24, 10.30.1.16/28, 10.30.1.80/28, 10.30.2.0/24 leaves
        // 10.30.1.0/28, 10.30.1.32/27, 10.30.1.64/28, 10.30.1.96/27, 10.30.1.128/25, 10.30.3.0/24:
        // 480 addresses, one /24, 1 + 2 + 1 + 2 + 8 + 16 = 30 /28s.
        expect(find(result, fx.VPC_HOLES, "10.30.0.0/22")).to.deep.include({
          used: 544n,
          free: 480n,
          utilization: 53.125,
          room: { largestFreePrefix: 24, freeSlash24: 1, freeSlash28: 30 },
        });
      });

      it("measures the IPv6 block by the associated IPv6 blocks of its subnets", async () => {
        serveFixtures(ec2);

        const result = await collect();

        // 5600::/64 and 5601::/64 are allocated; the disassociated 56ff::/64 is not.
        expect(find(result, fx.VPC_MAIN, "2600:1f18:1234:5600::/56")).to.deep.include({
          addressFamily: "ipv6",
          size: 2n ** 72n,
          usable: 2n ** 72n,
          used: 2n ** 65n,
          free: 2n ** 72n - 2n ** 65n,
          utilization: (2 / 256) * 100,
          room: { largestFreePrefix: 57, freeSlash24: 0, freeSlash28: 0, freeSlash64: 254 },
        });
      });

      it("leaves out a VPC block that is being disassociated", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(cidrsOf(result, fx.VPC_MAIN)).not.to.include("10.2.0.0/16");
      });

      it("leaves usage unknown for a VPC another account shares, whose other subnets are out of sight", async () => {
        serveFixtures(ec2);

        const result = await collect({ accountId: fx.ACCOUNT });

        const shared = find(result, fx.VPC_SHARED, "10.40.0.0/16");
        expect(shared).to.include({ ownerId: fx.SHARING_ACCOUNT, size: 65536n });
        expect(shared).not.to.have.any.keys("used", "free", "utilization", "room");
      });

      it("measures a shared VPC by the subnets it can see when the scanning account is not given", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, fx.VPC_SHARED, "10.40.0.0/16")).to.include({ used: 256n });
      });

      it("reports no VPC but still the subnets and addresses when DescribeVpcs is denied", async () => {
        serveFixtures(ec2);
        ec2
          .on(DescribeVpcsCommand)
          .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

        const result = await collect();

        expect(result.resources.filter((r) => r.resourceType === "vpc")).to.deep.equal([]);
        expect(result.resources.filter((r) => r.resourceType === "subnet")).to.have.length(14);
        expect(result.resources.filter((r) => r.resourceType === "eip")).to.have.length(2);
      });

      it("reports no VPC rather than an empty one when DescribeSubnets fails", async () => {
        serveFixtures(ec2);
        ec2
          .on(DescribeSubnetsCommand)
          .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

        const result = await collect();

        expect(result.resources.map((r) => r.resourceType)).to.deep.equal(["eip", "eip"]);
        expect(result.failures.map((f) => f.action)).to.deep.equal(["DescribeSubnets"]);
      });
    });

    describe("Elastic IPs", () => {
      it("reports an associated address as a /32 that is 100% used, named by its Name tag", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, "eipalloc-0a1b2c3d4e5f60001", "203.0.113.10/32")).to.deep.equal({
          source: "ec2",
          resourceId: "eipalloc-0a1b2c3d4e5f60001",
          resourceType: "eip",
          name: "nat-a",
          cidr: "203.0.113.10/32",
          addressFamily: "ipv4",
          region: REGION,
          tags: { Name: "nat-a" },
          size: 1n,
          usable: 1n,
          used: 1n,
          free: 0n,
          utilization: 100,
        });
      });

      it("reports an idle address as 0% used with one free address", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, "eipalloc-0a1b2c3d4e5f60002", "198.51.100.7/32")).to.include({
          used: 0n,
          free: 1n,
          utilization: 0,
        });
      });

      it("leaves the owner unknown when the scanning account is not given", async () => {
        serveFixtures(ec2);

        const result = await collect();

        expect(find(result, "eipalloc-0a1b2c3d4e5f60002", "198.51.100.7/32")).not.to.have.any.keys("ownerId", "name");
      });

      it("names the scanning account as owner when given, since the API lists only the caller's addresses", async () => {
        serveFixtures(ec2);

        const result = await collect({ accountId: fx.ACCOUNT });

        expect(find(result, "eipalloc-0a1b2c3d4e5f60002", "198.51.100.7/32").ownerId).to.equal(fx.ACCOUNT);
      });

      it("still reports VPCs and subnets when DescribeAddresses is denied, naming the missing permission", async () => {
        serveFixtures(ec2);
        ec2
          .on(DescribeAddressesCommand)
          .rejects(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."));

        const result = await collect();

        expect(result.resources).to.have.length(20);
        expect(result.failures).to.have.length(1);
        expect(result.failures[0]).to.include({
          target: `region ${REGION}`,
          action: "DescribeAddresses",
          code: "UnauthorizedOperation",
        });
        expect(result.failures[0]?.message).to.contain("ec2:DescribeAddresses");
      });
    });
  });

  describe("several regions", () => {
    const stubs: AwsClientStub<EC2Client>[] = [];

    afterEach(() => {
      for (const stub of stubs.splice(0)) stub.restore();
    });

    /** One mocked client per region serving `smallRegion`, each call taking `delayMs`; counts calls in flight across regions. */
    function arrangeRegions(regions: readonly string[], delayMs = 0) {
      const clients = new Map<string, EC2Client>();
      const built: string[] = [];
      const flight = { now: 0, max: 0 };
      const slow =
        <T>(value: T) =>
        async (): Promise<T> => {
          flight.now += 1;
          flight.max = Math.max(flight.max, flight.now);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          flight.now -= 1;
          return value;
        };
      regions.forEach((region, i) => {
        const client = new EC2Client({ region });
        const stub = mockClient(client);
        const network = smallRegion(region, i + 1);
        stub.on(DescribeVpcsCommand).callsFake(slow(network.vpcs));
        stub.on(DescribeSubnetsCommand).callsFake(slow(network.subnets));
        stub.on(DescribeAddressesCommand).callsFake(slow(network.addresses));
        stubs.push(stub);
        clients.set(region, client);
      });
      const clientForRegion = (region: string): EC2Client => {
        built.push(region);
        const client = clients.get(region);
        if (client === undefined) throw new Error(`no client for ${region}`);
        return client;
      };
      return {
        clientForRegion,
        built,
        flight,
        stubOf: (region: string) => stubs[regions.indexOf(region)] as AwsClientStub<EC2Client>,
      };
    }

    const sixRegions = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];

    it("reads each region with its own client and labels its resources with it", async () => {
      const { clientForRegion } = arrangeRegions(["us-east-1", "eu-west-1"]);

      const result = await collectFromEc2(clientForRegion, { regions: ["us-east-1", "eu-west-1"] });

      expect(result.resources.map((r) => `${r.region} ${r.resourceType} ${r.cidr}`)).to.deep.equal([
        "us-east-1 vpc 10.1.0.0/16",
        "us-east-1 subnet 10.1.0.0/24",
        "us-east-1 eip 192.0.2.1/32",
        "eu-west-1 vpc 10.2.0.0/16",
        "eu-west-1 subnet 10.2.0.0/24",
        "eu-west-1 eip 192.0.2.2/32",
      ]);
    });

    it("reads no more than `concurrency` regions at once, and does read that many in parallel", async () => {
      const { clientForRegion, flight } = arrangeRegions(sixRegions, 5);

      const result = await collectFromEc2(clientForRegion, { regions: sixRegions, concurrency: 2 });

      expect(flight.max).to.equal(2);
      expect(result.resources).to.have.length(18);
    });

    it("reads four regions at once by default", async () => {
      const eight = [...sixRegions, "sa-east-1", "ca-central-1"];
      const { clientForRegion, flight } = arrangeRegions(eight, 5);

      await collectFromEc2(clientForRegion, { regions: eight });

      expect(flight.max).to.equal(4);
    });

    it("records a failing region with the action and permission and still reports the others", async () => {
      const regions = ["us-east-1", "ap-southeast-2", "eu-west-1"];
      const { clientForRegion, stubOf } = arrangeRegions(regions);
      const denied = ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.");
      stubOf("ap-southeast-2")
        .on(DescribeVpcsCommand)
        .rejects(denied)
        .on(DescribeSubnetsCommand)
        .rejects(denied)
        .on(DescribeAddressesCommand)
        .rejects(denied);

      const result = await collectFromEc2(clientForRegion, { regions });

      expect(result.failures.map((f) => [f.target, f.action, f.code])).to.deep.equal([
        ["region ap-southeast-2", "DescribeVpcs", "UnauthorizedOperation"],
        ["region ap-southeast-2", "DescribeSubnets", "UnauthorizedOperation"],
        ["region ap-southeast-2", "DescribeAddresses", "UnauthorizedOperation"],
      ]);
      expect(result.failures[0]?.message).to.contain("ec2:DescribeVpcs");
      expect([...new Set(result.resources.map((r) => r.region))]).to.deep.equal(["us-east-1", "eu-west-1"]);
    });

    it("records throttling that outlasted the SDK's retries as a failure of that region only", async () => {
      const regions = ["us-east-1", "eu-west-1"];
      const { clientForRegion, stubOf } = arrangeRegions(regions);
      stubOf("eu-west-1")
        .on(DescribeSubnetsCommand)
        .rejects(ec2Error("RequestLimitExceeded", "Request limit exceeded.", 503));

      const result = await collectFromEc2(clientForRegion, { regions });

      expect(result.failures).to.have.length(1);
      expect(result.failures[0]).to.include({
        target: "region eu-west-1",
        action: "DescribeSubnets",
        code: "RequestLimitExceeded",
      });
      expect(result.resources.filter((r) => r.region === "us-east-1")).to.have.length(3);
    });

    it("loses only the region whose client cannot be built", async () => {
      const { clientForRegion } = arrangeRegions(["us-east-1"]);

      const result = await collectFromEc2(clientForRegion, { regions: ["us-east-1", "xx-nowhere-1"] });

      expect(result.failures).to.deep.equal([
        { target: "region xx-nowhere-1", message: "no client for xx-nowhere-1", unit: "ec2/xx-nowhere-1" },
      ]);
      expect(result.resources).to.have.length(3);
    });

    it("reads a region named twice once", async () => {
      const { clientForRegion, built } = arrangeRegions(["us-east-1"]);

      const result = await collectFromEc2(clientForRegion, { regions: ["us-east-1", "us-east-1"] });

      expect(built).to.deep.equal(["us-east-1"]);
      expect(result.resources).to.have.length(3);
    });

    it("returns nothing and calls no API for no regions", async () => {
      const { clientForRegion, built } = arrangeRegions([]);

      const result = await collectFromEc2(clientForRegion, { regions: [] });

      expect(result).to.deep.equal({ resources: [], failures: [], units: [] });
      expect(built).to.deep.equal([]);
    });

    it("rejects a concurrency below 1, naming the option", async () => {
      const { clientForRegion } = arrangeRegions(["us-east-1"]);

      const run = collectFromEc2(clientForRegion, { regions: ["us-east-1"], concurrency: 0 });

      await run.then(
        () => expect.fail("expected a rejection"),
        (err: Error) => expect(err.message).to.match(/^concurrency 0 must be a whole number from 1/),
      );
    });
  });
});
