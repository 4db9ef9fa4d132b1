import {
  DescribeNetworkInterfacesCommand,
  type DescribeNetworkInterfacesCommandInput,
  type DescribeNetworkInterfacesCommandOutput,
  EC2Client,
  EC2ServiceException,
  GetSubnetCidrReservationsCommand,
  type GetSubnetCidrReservationsCommandInput,
  type NetworkInterface,
} from "@aws-sdk/client-ec2";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";

import {
  FILTER_VALUES_PER_REQUEST,
  interfaceCallEstimate,
  planInterfaceQueries,
  readRegionCapacity,
  readsWholeVpc,
  type SubnetTarget,
} from "../../src/collect/enis";

const REGION = "us-east-1";
const NO_RESERVATIONS = { SubnetIpv4CidrReservations: [], SubnetIpv6CidrReservations: [] };

function denied(action: string): EC2ServiceException {
  return new EC2ServiceException({
    name: "UnauthorizedOperation",
    $fault: "client",
    $metadata: { httpStatusCode: 403, attempts: 1, totalRetryDelay: 0 },
    message: `You are not authorized to perform this operation. (${action})`,
  });
}

function eni(id: string, subnetId: string, addresses: string[], prefixes: string[] = []): NetworkInterface {
  return {
    NetworkInterfaceId: id,
    SubnetId: subnetId,
    VpcId: "vpc-1",
    PrivateIpAddress: addresses[0],
    PrivateIpAddresses: addresses.map((a, i) => ({ PrivateIpAddress: a, Primary: i === 0 })),
    Ipv4Prefixes: prefixes.map((p) => ({ Ipv4Prefix: p })),
    InterfaceType: "interface",
    Description: `node ${id}`,
    Attachment: { InstanceId: `i-${id}` },
  };
}

function target(subnetId: string, vpcId = "vpc-1", scopes = ["eks-pods"]): SubnetTarget {
  return { subnetId, vpcId, scopes };
}

describe("collect/enis", () => {
  describe("planInterfaceQueries", () => {
    it("reads a VPC whole when every subnet of it is wanted, by subnet when the rest of the VPC is of unknown size", () => {
      const queries = planInterfaceQueries(
        [target("subnet-a", "vpc-1"), target("subnet-b", "vpc-1"), target("subnet-c", "vpc-2")],
        new Map([
          ["vpc-1", { subnets: 2 }],
          ["vpc-2", { subnets: 5 }],
        ]),
      );

      expect(queries).to.deep.equal([
        { filter: "vpc-id", values: ["vpc-1"], subnets: ["subnet-a", "subnet-b"] },
        { filter: "subnet-id", values: ["subnet-c"], subnets: ["subnet-c"] },
      ]);
    });

    it(`puts at most ${FILTER_VALUES_PER_REQUEST} values in one filter`, () => {
      const many = Array.from({ length: 450 }, (_, i) => target(`subnet-${String(i).padStart(3, "0")}`, "vpc-big"));

      const queries = planInterfaceQueries(many, new Map([["vpc-big", { subnets: 1000 }]]));

      expect(queries.map((q) => [q.filter, q.values.length])).to.deep.equal([
        ["subnet-id", 200],
        ["subnet-id", 200],
        ["subnet-id", 50],
      ]);
    });
  });

  describe("readsWholeVpc: the filter estimated to take fewer calls", () => {
    const inUse = (id: string, addressesInUse: number | undefined, vpcId = "vpc-1"): SubnetTarget => ({
      ...target(id, vpcId),
      ...(addressesInUse !== undefined ? { addressesInUse } : {}),
    });

    it("estimates a share of calls: 200 filter values or 1,000 interfaces make one", () => {
      expect(interfaceCallEstimate(1, 400)).to.equal(0.405);
      expect(interfaceCallEstimate(399, 399)).to.be.closeTo(2.394, 1e-9);
    });

    it("reads by VPC when the subnets left out hold few addresses, by subnet when they hold many", () => {
      const wanted = [inUse("subnet-a", 100), inUse("subnet-b", 100)];

      // By subnet 2/200 + 200/1000 = 0.21; by VPC 1/200 + 300/1000 = 0.305, 1/200 + 204/1000 = 0.209.
      expect(readsWholeVpc(wanted, { subnets: 3, addressesInUse: 300 })).to.equal(false);
      expect(readsWholeVpc(wanted, { subnets: 3, addressesInUse: 204 })).to.equal(true);
      expect(readsWholeVpc(wanted, { subnets: 3, addressesInUse: 206 })).to.equal(false);
    });

    it("reads by subnet when the usage of the VPC or of a wanted subnet is unknown, unless every subnet is wanted", () => {
      expect(readsWholeVpc([inUse("subnet-a", 1)], { subnets: 2 })).to.equal(false);
      expect(readsWholeVpc([inUse("subnet-a", undefined)], { subnets: 2, addressesInUse: 1 })).to.equal(false);
      expect(readsWholeVpc([inUse("subnet-a", undefined)], { subnets: 1 })).to.equal(true);
      expect(readsWholeVpc([inUse("subnet-a", 1)], undefined)).to.equal(false);
    });
  });

  describe("the filter choice, in calls made", () => {
    it("keeps to the subnet filter when reading the VPC saves no whole call", () => {
      const wanted = [
        { ...target("subnet-a"), addressesInUse: 1 },
        { ...target("subnet-b"), addressesInUse: 1 },
      ];

      // readsWholeVpc estimates the VPC cheaper (0.008 against 0.012), but both are one call.
      expect(readsWholeVpc(wanted, { subnets: 3, addressesInUse: 3 })).to.equal(true);
      expect(planInterfaceQueries(wanted, new Map([["vpc-1", { subnets: 3, addressesInUse: 3 }]]))).to.deep.equal([
        { filter: "subnet-id", values: ["subnet-a", "subnet-b"], subnets: ["subnet-a", "subnet-b"] },
      ]);
    });

    let client: EC2Client;
    let ec2: AwsClientStub<EC2Client>;

    beforeEach(() => {
      client = new EC2Client({ region: REGION });
      ec2 = mockClient(client);
      ec2.on(GetSubnetCidrReservationsCommand).resolves({ SubnetIpv4CidrReservations: [] });
    });

    afterEach(() => ec2.restore());

    /** A VPC whose subnet i holds interfacesIn(i) interfaces of one address each, served 1,000 a page. */
    function serveVpc(subnets: number, interfacesIn: (i: number) => number): void {
      const all: NetworkInterface[] = [];
      for (let i = 0; i < subnets; i++) {
        for (let n = 0; n < interfacesIn(i); n++) {
          all.push(eni(`eni-${i}-${n}`, `subnet-${i}`, [`10.${i >> 8}.${i & 255}.${n + 4}`]));
        }
      }
      ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: DescribeNetworkInterfacesCommandInput) => {
        const [filter] = input.Filters ?? [];
        const values = new Set(filter?.Values);
        const matching = all.filter((e) =>
          filter?.Name === "vpc-id" ? values.has(e.VpcId ?? "") : values.has(e.SubnetId ?? ""),
        );
        const from = Number(input.NextToken ?? 0);
        const next = from + (input.MaxResults ?? 1000);
        return {
          NetworkInterfaces: matching.slice(from, next),
          ...(next < matching.length ? { NextToken: String(next) } : {}),
        };
      });
    }

    const describeCalls = () =>
      ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => {
        const [filter] = c.args[0].input.Filters ?? [];
        return [filter?.Name, filter?.Values?.length];
      });

    it("reads a VPC with 399 of its 400 subnets opted in by VPC: 1 call instead of 2 by subnet (200 + 199 values)", async () => {
      serveVpc(400, () => 1);
      const wanted = Array.from({ length: 399 }, (_, i) => ({ ...target(`subnet-${i}`), addressesInUse: 1 }));

      const facts = await readRegionCapacity(client, {
        region: REGION,
        subnets: wanted,
        vpcs: new Map([["vpc-1", { subnets: 400, addressesInUse: 400 }]]),
      });

      expect(describeCalls()).to.deep.equal([["vpc-id", 1]]);
      expect(facts.interfacesRead).to.equal(399);
      // Without the usage figures the subnets would be read by subnet: two requests.
      expect(
        planInterfaceQueries(wanted, new Map([["vpc-1", { subnets: 400 }]])).map((q) => q.values.length),
      ).to.deep.equal([200, 199]);
      expect(facts.failures).to.deep.equal([]);
    });

    it("reads one small opted-in subnet of a big VPC by subnet: 1 call instead of 50 pages of the VPC", async () => {
      // subnet-0 holds 10 interfaces; the 49 others 1,000 each: 49,010 in the VPC.
      serveVpc(50, (i) => (i === 0 ? 10 : 1000));

      const facts = await readRegionCapacity(client, {
        region: REGION,
        subnets: [{ ...target("subnet-0"), addressesInUse: 10 }],
        vpcs: new Map([["vpc-1", { subnets: 50, addressesInUse: 49_010 }]]),
      });

      expect(describeCalls()).to.deep.equal([["subnet-id", 1]]);
      expect(facts.interfaces.get("subnet-0")).to.have.length(10);
    });
  });

  describe("readRegionCapacity", () => {
    let client: EC2Client;
    let ec2: AwsClientStub<EC2Client>;

    beforeEach(() => {
      client = new EC2Client({ region: REGION });
      ec2 = mockClient(client);
    });

    afterEach(() => {
      ec2.restore();
    });

    /** Every subnet answers that it has no CIDR reservations. */
    function withoutReservations(): void {
      ec2.on(GetSubnetCidrReservationsCommand).resolves(NO_RESERVATIONS);
    }

    /** Reads the capacity of `subnets` (subnet-a alone by default), vpc-1 holding `inVpc` subnets in all. */
    function read(subnets: SubnetTarget[] = [target("subnet-a")], inVpc = subnets.length) {
      return readRegionCapacity(client, { region: REGION, subnets, vpcs: new Map([["vpc-1", { subnets: inVpc }]]) });
    }

    it("pages through the interfaces 1,000 at a time and groups them by subnet", async () => {
      const pages: DescribeNetworkInterfacesCommandOutput[] = [
        { NetworkInterfaces: [eni("eni-1", "subnet-a", ["10.0.0.10"])], NextToken: "t1", $metadata: {} },
        {
          NetworkInterfaces: [eni("eni-2", "subnet-a", ["10.0.0.20", "10.0.0.21"], ["10.0.0.48/28"])],
          $metadata: {},
        },
      ];
      ec2
        .on(DescribeNetworkInterfacesCommand)
        .callsFake((input: DescribeNetworkInterfacesCommandInput) => (input.NextToken === "t1" ? pages[1] : pages[0]));
      withoutReservations();

      const facts = await read();

      const calls = ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input);
      expect(calls).to.deep.equal([
        { Filters: [{ Name: "vpc-id", Values: ["vpc-1"] }], MaxResults: 1000 },
        { Filters: [{ Name: "vpc-id", Values: ["vpc-1"] }], MaxResults: 1000, NextToken: "t1" },
      ]);
      expect(facts.interfaces.get("subnet-a")).to.deep.equal([
        {
          networkInterfaceId: "eni-1",
          addresses: ["10.0.0.10"],
          prefixes: [],
          description: "node eni-1",
          interfaceType: "interface",
          instanceId: "i-eni-1",
        },
        {
          networkInterfaceId: "eni-2",
          addresses: ["10.0.0.20", "10.0.0.21"],
          prefixes: ["10.0.0.48/28"],
          description: "node eni-2",
          interfaceType: "interface",
          instanceId: "i-eni-2",
        },
      ]);
      expect(facts.interfacesRead).to.equal(2);
      expect(facts.failures).to.deep.equal([]);
    });

    it("reads the reservations of each subnet with one call, IPv4 and IPv6", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
      ec2.on(GetSubnetCidrReservationsCommand).callsFake((input: GetSubnetCidrReservationsCommandInput) => ({
        SubnetIpv4CidrReservations:
          input.SubnetId === "subnet-a"
            ? [
                { SubnetCidrReservationId: "scr-1", Cidr: "10.0.0.64/27", ReservationType: "explicit" },
                { SubnetCidrReservationId: "scr-2", Cidr: "10.0.0.128/26", ReservationType: "prefix" },
              ]
            : [],
        SubnetIpv6CidrReservations: [],
      }));

      const facts = await read([target("subnet-a"), target("subnet-b")]);

      expect(ec2.commandCalls(GetSubnetCidrReservationsCommand).map((c) => c.args[0].input)).to.deep.equal([
        { SubnetId: "subnet-a", MaxResults: 1000 },
        { SubnetId: "subnet-b", MaxResults: 1000 },
      ]);
      expect(Object.fromEntries(facts.reservations)).to.deep.equal({
        "subnet-a": [
          { cidr: "10.0.0.64/27", type: "explicit", id: "scr-1" },
          { cidr: "10.0.0.128/26", type: "prefix", id: "scr-2" },
        ],
        "subnet-b": [],
      });
    });

    it("leaves the subnets of a denied interface read unread and names them, the scopes and the permission", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).rejects(denied("DescribeNetworkInterfaces"));
      withoutReservations();

      const facts = await read([target("subnet-a", "vpc-1", ["eks-pods", "prod"])], 3);

      expect(facts.interfaces.has("subnet-a")).to.equal(false);
      expect(facts.unread.get("subnet-a")).to.equal(
        "DescribeNetworkInterfaces failed for network interfaces of subnet-a in us-east-1: UnauthorizedOperation",
      );
      expect(facts.failures).to.have.length(1);
      expect(facts.failures[0]).to.include({
        target: "network interfaces of subnet-a in us-east-1",
        action: "DescribeNetworkInterfaces",
        code: "UnauthorizedOperation",
      });
      expect(facts.failures[0]?.message).to.match(/ec2:DescribeNetworkInterfaces/);
      expect(facts.failures[0]?.message).to.match(/capacity of subnet-a not measured \(scopes eks-pods, prod\)$/);
    });

    it("treats an interface answer without its result set as a failure, never as an empty subnet", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({});
      withoutReservations();

      const facts = await read();

      expect(facts.interfaces.has("subnet-a")).to.equal(false);
      expect(facts.failures[0]).to.include({ action: "DescribeNetworkInterfaces", code: "MalformedResponse" });
    });

    it("treats a reservation answer without either set as a failure of that subnet only", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
      ec2
        .on(GetSubnetCidrReservationsCommand)
        .callsFake((input: GetSubnetCidrReservationsCommandInput) =>
          input.SubnetId === "subnet-a" ? {} : NO_RESERVATIONS,
        );

      const facts = await read([target("subnet-a"), target("subnet-b")]);

      expect([...facts.unread.keys()]).to.deep.equal(["subnet-a"]);
      expect([...facts.interfaces.keys()]).to.deep.equal(["subnet-b"]);
      expect(facts.failures.map((f) => [f.target, f.code])).to.deep.equal([
        ["CIDR reservations of subnet-a in us-east-1", "MalformedResponse"],
      ]);
    });

    it("stops a pagination that returns a token it returned before", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).callsFake((input: DescribeNetworkInterfacesCommandInput) => ({
        NetworkInterfaces: [],
        NextToken: input.NextToken === "a" ? "b" : "a",
      }));
      withoutReservations();

      const facts = await read();

      expect(ec2.commandCalls(DescribeNetworkInterfacesCommand)).to.have.length(3);
      expect(facts.failures[0]).to.include({ code: "PaginationLoop" });
      expect(facts.failures[0]?.message).to.match(/returned a NextToken on page 3 that it had already returned/);
      expect(facts.unread.has("subnet-a")).to.equal(true);
    });

    it("names the requester of a requester-managed interface only", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: [
          { ...eni("eni-lb", "subnet-a", ["10.0.0.10"]), RequesterManaged: true, RequesterId: "amazon-elb" },
          { ...eni("eni-own", "subnet-a", ["10.0.0.11"]), RequesterManaged: false, RequesterId: "AIDAEXAMPLE" },
        ],
      });
      withoutReservations();

      const facts = await read();

      expect(facts.interfaces.get("subnet-a")?.map((e) => e.requesterId)).to.deep.equal(["amazon-elb", undefined]);
    });

    it("leaves a subnet this account cannot see unread without a failure", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
      ec2.on(GetSubnetCidrReservationsCommand).rejects(
        new EC2ServiceException({
          name: "InvalidSubnetID.NotFound",
          $fault: "client",
          $metadata: { httpStatusCode: 400 },
          message: "The subnet ID 'subnet-a' does not exist",
        }),
      );

      const facts = await read();

      expect(facts.failures).to.deep.equal([]);
      expect(facts.unread.get("subnet-a")).to.equal(
        "the subnet is not visible to this account in us-east-1 (another account's subnet, or deleted since it was listed)",
      );
    });

    it("keeps only the interfaces of wanted subnets, each once", async () => {
      ec2.on(DescribeNetworkInterfacesCommand).resolves({
        NetworkInterfaces: [
          eni("eni-1", "subnet-a", ["10.0.0.10"]),
          eni("eni-1", "subnet-a", ["10.0.0.10"]),
          eni("eni-9", "subnet-other", ["10.0.9.10"]),
        ],
      });
      withoutReservations();

      const facts = await read();

      expect(facts.interfaces.get("subnet-a")?.map((e) => e.networkInterfaceId)).to.deep.equal(["eni-1"]);
      expect(facts.interfacesRead).to.equal(1);
    });
  });
});
