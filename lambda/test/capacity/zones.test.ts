import { expect } from "chai";

import { poorestZoneFree, summarizeZones } from "../../src/capacity/zones";
import { measureFromAvailable } from "../../src/measure";
import type { ResourceCidr } from "../../src/types";

function subnet(
  id: string,
  zoneId: string,
  available: number | undefined,
  overrides: Partial<ResourceCidr> = {},
): ResourceCidr {
  const cidr = "10.0.0.0/24";
  const measured = measureFromAvailable({ cidr, availableIpAddressCount: available ?? 0 });
  const { used, free, utilization, ...known } = measured;
  return {
    source: "ec2",
    resourceId: id,
    resourceType: "subnet",
    cidr,
    region: "eu-west-1",
    availabilityZoneId: zoneId,
    availabilityZone:
      { euw1a: "eu-west-1a", euw1b: "eu-west-1b", euw1c: "eu-west-1c" }[zoneId.replace("-az", "")] ?? `${zoneId}-name`,
    tags: {},
    ...(available === undefined ? known : measured),
    ...overrides,
  };
}

describe("capacity/zones", () => {
  it("sums the free addresses of the scope's IPv4 subnets per zone, poorest zone first", () => {
    const zones = summarizeZones(
      [subnet("subnet-1", "euw1-az1", 100), subnet("subnet-2", "euw1-az1", 150), subnet("subnet-3", "euw1-az2", 40)],
      {},
      false,
    );

    expect(zones.map((z) => [z.availabilityZoneId, z.resourceCount, z.freeAddresses, z.status])).to.deep.equal([
      ["euw1-az2", 1, 40n, "ok"],
      ["euw1-az1", 2, 250n, "ok"],
    ]);
  });

  it("puts a zone below a minimum at that level and says by how much", () => {
    const zones = summarizeZones(
      [subnet("subnet-1", "euw1-az1", 100), subnet("subnet-2", "euw1-az2", 250), subnet("subnet-3", "euw1-az3", 20)],
      { minZoneFreeWarning: 200, minZoneFreeCritical: 64 },
      false,
    );

    expect(zones.map((z) => [z.availabilityZoneId, z.status, z.reason])).to.deep.equal([
      ["euw1-az3", "critical", "20 free addresses < critical minimum 64"],
      ["euw1-az1", "warning", "100 free addresses < warning minimum 200"],
      ["euw1-az2", "ok", "within thresholds"],
    ]);
  });

  it("calls a zone unknown, not in trouble, when subnets of unknown free count could make up the difference", () => {
    const [zone] = summarizeZones(
      [subnet("subnet-1", "euw1-az1", 100), subnet("subnet-2", "euw1-az1", undefined)],
      { minZoneFreeWarning: 512 },
      false,
    );

    expect(zone).to.include({ status: "unknown", unknownFree: 1, freeAddresses: 100n });
    expect(zone?.reason).to.equal(
      "100 free addresses in the subnets with a known count, 1 more unknown, warning minimum 512",
    );
  });

  it("keeps a zone ok when its known free addresses alone are above the minimums", () => {
    const [zone] = summarizeZones(
      [subnet("subnet-1", "euw1-az1", 250), subnet("subnet-2", "euw1-az1", undefined)],
      { minZoneFreeWarning: 200 },
      false,
    );

    expect(zone).to.include({ status: "ok" });
  });

  it("sums free /28 prefixes only where the scope measures capacity and every subnet of the zone was measured", () => {
    const measured = (id: string, zone: string, prefixes: number) =>
      subnet(id, zone, 200, { capacity: { freePrefixes: prefixes, assignableAddresses: 200, blockers: [] } });
    const resources = [
      measured("subnet-1", "euw1-az1", 3),
      measured("subnet-2", "euw1-az1", 4),
      subnet("subnet-3", "euw1-az2", 200),
    ];

    const withCapacity = summarizeZones(resources, {}, true);
    const without = summarizeZones(resources, {}, false);

    expect(withCapacity.map((z) => [z.availabilityZoneId, z.freePrefixes])).to.deep.equal([
      ["euw1-az2", undefined],
      ["euw1-az1", 7],
    ]);
    expect(without.every((z) => z.freePrefixes === undefined)).to.equal(true);
  });

  it("names a zone only when every subnet of it gives the same name (accounts name zones differently)", () => {
    const zones = summarizeZones(
      [
        subnet("subnet-1", "euw1-az1", 10, { availabilityZone: "eu-west-1a" }),
        subnet("subnet-2", "euw1-az1", 10, { availabilityZone: "eu-west-1b" }),
        subnet("subnet-3", "euw1-az2", 50, { availabilityZone: "eu-west-1b" }),
      ],
      {},
      false,
    );

    expect(zones.map((z) => z.availabilityZone)).to.deep.equal([undefined, "eu-west-1b"]);
  });

  it("leaves out VPCs, IPv6 subnets and subnets without a zone", () => {
    const zones = summarizeZones(
      [
        subnet("vpc-1", "euw1-az1", 10, { resourceType: "vpc" }),
        subnet("subnet-6", "euw1-az1", 10, { addressFamily: "ipv6" }),
        subnet("subnet-0", "euw1-az1", 10, { availabilityZoneId: undefined }),
      ],
      { minZoneFreeWarning: 100 },
      false,
    );

    expect(zones).to.deep.equal([]);
  });

  it("gives the poorest zone's free addresses, and nothing when a zone is incomplete or there is none", () => {
    const complete = summarizeZones(
      [subnet("subnet-1", "euw1-az1", 100), subnet("subnet-2", "euw1-az2", 40)],
      {},
      false,
    );
    const incomplete = summarizeZones(
      [subnet("subnet-1", "euw1-az1", 100), subnet("subnet-2", "euw1-az2", undefined)],
      {},
      false,
    );

    expect(poorestZoneFree(complete)).to.equal(40n);
    expect(poorestZoneFree(incomplete)).to.equal(undefined);
    expect(poorestZoneFree([])).to.equal(undefined);
  });
});
