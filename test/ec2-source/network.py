"""The network this test seeds into moto, how it is seeded, and what the EC2 source must make of it.

Everything expected is worked out here from the plan with the standard library's `ipaddress`,
never from what moto or the scanner report: sizes, usable (size − 5 for IPv4 subnets), used, free,
utilization, the share of each VPC block allocated to subnets, and the room left for new subnets.
The only facts taken from moto are the ones it makes up itself: ids, the Amazon IPv6 /56, public
IPs of Elastic IPs, the account, and its default VPCs (which the rules leave uncovered).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Optional

import boto3

REGIONS = ("us-east-2", "eu-central-1")
RESERVED_PER_IPV4_SUBNET = 5
# Secondary private IPs given to one ENI at a time; moto does not enforce instance-type limits on
# unattached interfaces.
ADDRESSES_PER_ENI = 250


@dataclass(frozen=True)
class SubnetPlan:
    key: str
    cidr: Optional[str]  # None: IPv6-only
    used: int = 0  # IPv4 addresses held by ENIs
    ipv6_index: Optional[int] = None  # which /64 of the VPC's /56
    az: int = 0
    named: bool = True  # False: created without any tag at all


@dataclass(frozen=True)
class VpcPlan:
    key: str
    region: int  # index into REGIONS
    cidr: str
    tags: dict
    subnets: tuple
    secondary: tuple = ()
    ipv6: bool = False


@dataclass(frozen=True)
class EipPlan:
    key: str
    region: int
    holder: Optional[str]  # associated with an ENI of this subnet, or idle
    named: bool = True


NETWORK = (
    VpcPlan(
        "core", 0, "10.1.0.0/16", {"team": "platform"},
        secondary=("100.64.0.0/20",),
        subnets=(
            SubnetPlan("core-app", "10.1.0.0/20", used=1500, az=0),  # /20: 1,500 of 4,091
            SubnetPlan("core-db", "10.1.16.0/24", used=230, az=1),  # /24: 230 of 251, 91.6%
            SubnetPlan("core-tiny", "10.1.17.0/28", used=11, az=2),  # /28, full: 11 of 11
            SubnetPlan("core-pods", "100.64.0.0/22", used=40, az=0),  # in the secondary block
        ),
    ),
    # A /16 VPC taken entirely by one /16 subnet: 100% allocated, no room left.
    VpcPlan("carved", 0, "10.3.0.0/16", {"team": "platform"}, subnets=(SubnetPlan("carved-all", "10.3.0.0/16", used=300),)),
    # 464 of 1,024 addresses allocated, in four pieces: 560 free, but the largest free block is a /25
    # and not one /24 is left.
    VpcPlan(
        "holes", 0, "10.4.0.0/22", {"team": "data"},
        subnets=(
            SubnetPlan("holes-a", "10.4.0.0/26", used=0, az=0),  # empty
            SubnetPlan("holes-b", "10.4.1.0/24", used=210, az=1),  # 83.7%
            SubnetPlan("holes-untagged", "10.4.2.128/28", used=3, az=2, named=False),
            SubnetPlan("holes-d", "10.4.3.0/25", used=123, az=0),  # full
        ),
    ),
    VpcPlan(
        "dual", 0, "10.5.0.0/24", {"team": "data"}, ipv6=True,
        subnets=(
            SubnetPlan("dual-stack", "10.5.0.0/25", used=20, ipv6_index=0, az=0),
            SubnetPlan("v6-only", None, ipv6_index=1, az=1),
        ),
    ),
    VpcPlan(
        "west", 1, "10.8.0.0/20", {"team": "payments"},
        subnets=(
            SubnetPlan("west-app", "10.8.0.0/24", used=125, az=0),
            SubnetPlan("west-edge", "10.8.1.0/28", used=10, az=1),  # 90.9%
        ),
    ),
)
EIPS = (
    EipPlan("eip-east-web", 0, holder="core-db"),
    EipPlan("eip-east-idle", 0, holder=None),
    EipPlan("eip-west-nat", 1, holder="west-app"),
    EipPlan("eip-west-idle", 1, holder=None, named=False),
)


class SeedMismatch(AssertionError):
    """moto reports something other than what was seeded: its numbers cannot be trusted."""


# ---------------------------------------------------------------- expected resources


@dataclass
class Expected:
    """One resource CIDR as the EC2 source must report it."""

    key: str
    resource_type: str  # vpc | subnet | eip
    resource_id: str
    region: str
    cidr: str
    size: int
    usable: int
    used: Optional[int]  # None: the source knows no usage (IPv6 subnets)
    name: Optional[str]
    tags: dict
    owner_id: Optional[str]
    vpc_id: Optional[str]
    room: Optional[dict] = None  # VPC blocks only
    seeded: bool = True
    zone_id: Optional[str] = None  # subnets only
    zone_name: Optional[str] = None

    @property
    def family(self) -> str:
        return "ipv%d" % ipaddress.ip_network(self.cidr).version

    @property
    def free(self) -> Optional[int]:
        return None if self.used is None else self.usable - self.used

    @property
    def utilization(self) -> Optional[float]:
        # The scanner's double arithmetic: used ÷ usable × 100, in that order.
        if self.used is None:
            return None
        return 100.0 if self.usable == 0 else self.used / self.usable * 100


def usable_addresses(resource_type: str, cidr: str) -> int:
    network = ipaddress.ip_network(cidr)
    if resource_type == "subnet" and network.version == 4:
        return network.num_addresses - RESERVED_PER_IPV4_SUBNET
    return network.num_addresses


def free_space(parent: str, children: list[str]) -> list:
    """The parts of `parent` no child covers, as the fewest aligned blocks."""
    outer = ipaddress.ip_network(parent)
    free = [outer]
    for text in children:
        child = ipaddress.ip_network(text)
        if child.version != outer.version or not child.overlaps(outer):
            continue
        remaining = []
        for block in free:
            if child.subnet_of(block):
                remaining.extend(block.address_exclude(child))
            elif not block.subnet_of(child):
                remaining.append(block)
        free = remaining
    return list(ipaddress.collapse_addresses(free))


def room_for_subnets(parent: str, children: list[str]) -> dict:
    """Largest free aligned block and how many aligned /24, /28 (IPv4) or /64 (IPv6) blocks are free."""
    free = free_space(parent, children)

    def count(prefix: int) -> int:
        return sum(2 ** (prefix - block.prefixlen) for block in free if block.prefixlen <= prefix)

    if ipaddress.ip_network(parent).version == 4:
        room = {"freeSlash24": count(24), "freeSlash28": count(28)}
    else:
        room = {"freeSlash24": 0, "freeSlash28": 0, "freeSlash64": count(64)}
    if free:
        room["largestFreePrefix"] = min(block.prefixlen for block in free)
    return room


def allocated(parent: str, children: list[str]) -> int:
    return ipaddress.ip_network(parent).num_addresses - sum(block.num_addresses for block in free_space(parent, children))


# ---------------------------------------------------------------- seeding


def ec2_client(endpoint: str, region: str):
    return boto3.session.Session().client(
        "ec2", endpoint_url=endpoint, region_name=region, aws_access_key_id="testing", aws_secret_access_key="testing",
    )


def _tags(resource_type: str, tags: dict) -> list:
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}] if tags else []


def _usable_ips(cidr: str):
    """Every address a workload may take: AWS reserves the first four and the last."""
    network = ipaddress.ip_network(cidr)
    first, last = int(network.network_address) + 4, int(network.broadcast_address) - 1
    return (str(ipaddress.IPv4Address(a)) for a in range(first, last + 1))


def fill(ec2, subnet_id: str, cidr: str, used: int) -> list[str]:
    """Puts exactly `used` addresses of an empty subnet in use with ENIs whose private IPs are named
    one by one (asked for a count, moto picks random addresses, reserved ones included).
    Returns the ENI ids."""
    addresses = _usable_ips(cidr)
    enis = []
    left = used
    while left > 0:
        batch = [next(addresses) for _ in range(min(ADDRESSES_PER_ENI, left))]
        eni = ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress=batch[0])["NetworkInterface"]["NetworkInterfaceId"]
        if len(batch) > 1:
            ec2.assign_private_ip_addresses(NetworkInterfaceId=eni, PrivateIpAddresses=batch[1:])
        enis.append(eni)
        left -= len(batch)
    return enis


@dataclass
class Seeded:
    account: str
    ids: dict = field(default_factory=dict)  # plan key → resource id
    expected: list = field(default_factory=list)  # Expected, seeded resources first, then moto's defaults
    available: dict = field(default_factory=dict)  # subnet key → AvailableIpAddressCount moto reported after filling


def seed(endpoint: str) -> Seeded:
    """Creates the plan in moto, checks moto's AvailableIpAddressCount of every IPv4 subnet against
    the plan (raising SeedMismatch otherwise) and returns what the scan must report."""
    clients = {region: ec2_client(endpoint, region) for region in REGIONS}
    sts = boto3.session.Session().client(
        "sts", endpoint_url=endpoint, region_name=REGIONS[0], aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    seeded = Seeded(account=sts.get_caller_identity()["Account"])
    preexisting = {region: _snapshot(ec2) for region, ec2 in clients.items()}
    enis: dict[str, list[str]] = {}

    for vpc in NETWORK:
        region = REGIONS[vpc.region]
        ec2 = clients[region]
        described = ec2.describe_availability_zones()["AvailabilityZones"]
        zones = sorted(z["ZoneName"] for z in described)
        zone_ids = {z["ZoneName"]: z["ZoneId"] for z in described}
        vpc_tags = {"Name": vpc.key, **vpc.tags}
        vpc_id = ec2.create_vpc(CidrBlock=vpc.cidr, AmazonProvidedIpv6CidrBlock=vpc.ipv6, TagSpecifications=_tags("vpc", vpc_tags))["Vpc"]["VpcId"]
        seeded.ids[vpc.key] = vpc_id
        for block in vpc.secondary:
            ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=block)
        ipv6_block = None
        if vpc.ipv6:
            association = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]
            # Kept as moto wrote it (moto zero-pads groups); the scanner reports the block as the API returns it.
            ipv6_block = association["Ipv6CidrBlock"]

        children = []
        for plan in vpc.subnets:
            tags = {"Name": plan.key, **vpc.tags} if plan.named else {}
            arguments = {"VpcId": vpc_id, "AvailabilityZone": zones[plan.az % len(zones)], "TagSpecifications": _tags("subnet", tags)}
            ipv6 = None
            if plan.ipv6_index is not None:
                network = ipaddress.ip_network(ipv6_block)
                ipv6 = str(ipaddress.IPv6Network((int(network.network_address) + (plan.ipv6_index << 64), 64)))
                arguments["Ipv6CidrBlock"] = ipv6
            if plan.cidr is not None:
                arguments["CidrBlock"] = plan.cidr
            else:
                arguments["Ipv6Native"] = True
            subnet_id = ec2.create_subnet(**arguments)["Subnet"]["SubnetId"]
            seeded.ids[plan.key] = subnet_id
            zone = arguments["AvailabilityZone"]
            common = dict(key=plan.key, resource_type="subnet", resource_id=subnet_id, region=region, name=tags.get("Name"),
                          tags=tags, owner_id=seeded.account, vpc_id=vpc_id, zone_id=zone_ids[zone], zone_name=zone)
            if plan.cidr is not None:
                children.append(plan.cidr)
                enis[plan.key] = fill(ec2, subnet_id, plan.cidr, plan.used)
                seeded.expected.append(Expected(cidr=plan.cidr, size=ipaddress.ip_network(plan.cidr).num_addresses,
                                                usable=usable_addresses("subnet", plan.cidr), used=plan.used, **common))
            if ipv6 is not None:
                children.append(ipv6)
                size = ipaddress.ip_network(ipv6).num_addresses
                seeded.expected.append(Expected(cidr=ipv6, size=size, usable=size, used=None, **common))

        for block in (vpc.cidr, *vpc.secondary, *([ipv6_block] if ipv6_block else [])):
            size = ipaddress.ip_network(block).num_addresses
            seeded.expected.append(Expected(
                key=vpc.key, resource_type="vpc", resource_id=vpc_id, region=region, cidr=block, size=size, usable=size,
                used=allocated(block, children), name=vpc.key, tags=vpc_tags, owner_id=seeded.account, vpc_id=vpc_id,
                room=room_for_subnets(block, children),
            ))

    for eip in EIPS:
        region = REGIONS[eip.region]
        ec2 = clients[region]
        tags = {"Name": eip.key} if eip.named else {}
        allocation = ec2.allocate_address(Domain="vpc", TagSpecifications=_tags("elastic-ip", tags))
        seeded.ids[eip.key] = allocation["AllocationId"]
        if eip.holder is not None:
            # An ENI that fill() already counted: associating adds no private address.
            ec2.associate_address(AllocationId=allocation["AllocationId"], NetworkInterfaceId=enis[eip.holder][0])
        # DescribeAddresses names no owner, and the CLI does not know its account: no owner expected.
        seeded.expected.append(Expected(
            key=eip.key, resource_type="eip", resource_id=allocation["AllocationId"], region=region,
            cidr=f"{allocation['PublicIp']}/32", size=1, usable=1, used=1 if eip.holder else 0,
            name=tags.get("Name"), tags=tags, owner_id=None, vpc_id=None,
        ))

    _check_available(clients, seeded)
    for region, ec2 in clients.items():
        seeded.expected.extend(_defaults(region, preexisting[region], seeded.account))
    return seeded


def _check_available(clients: dict, seeded: Seeded) -> None:
    """moto's AvailableIpAddressCount must be usable − used for every IPv4 subnet before its numbers are used."""
    problems = []
    for vpc in NETWORK:
        ec2 = clients[REGIONS[vpc.region]]
        for plan in vpc.subnets:
            if plan.cidr is None:
                continue
            available = ec2.describe_subnets(SubnetIds=[seeded.ids[plan.key]])["Subnets"][0]["AvailableIpAddressCount"]
            seeded.available[plan.key] = available
            want = usable_addresses("subnet", plan.cidr) - plan.used
            if available != want:
                problems.append(f"{plan.key} ({plan.cidr}, {plan.used} used): moto reports {available} available, expected {want}")
    if problems:
        raise SeedMismatch("moto's AvailableIpAddressCount disagrees with the plan:\n  " + "\n  ".join(problems))


def _snapshot(ec2) -> dict:
    return {"vpcs": ec2.describe_vpcs()["Vpcs"], "subnets": ec2.describe_subnets()["Subnets"]}


def _defaults(region: str, snapshot: dict, account: str) -> list:
    """moto's default VPC of the region and its subnets, as they were before seeding (empty)."""
    expected = []
    for vpc in snapshot["vpcs"]:
        own = [s["CidrBlock"] for s in snapshot["subnets"] if s["VpcId"] == vpc["VpcId"]]
        for association in vpc["CidrBlockAssociationSet"]:
            block = association["CidrBlock"]
            size = ipaddress.ip_network(block).num_addresses
            expected.append(Expected(key=f"default-vpc-{region}", resource_type="vpc", resource_id=vpc["VpcId"], region=region, cidr=block,
                                     size=size, usable=size, used=allocated(block, own), name=None, tags={}, owner_id=account,
                                     vpc_id=vpc["VpcId"], room=room_for_subnets(block, own), seeded=False))
    for subnet in snapshot["subnets"]:
        cidr = subnet["CidrBlock"]
        expected.append(Expected(key=f"default-subnet-{subnet['SubnetId']}", resource_type="subnet", resource_id=subnet["SubnetId"],
                                 region=region, cidr=cidr, size=ipaddress.ip_network(cidr).num_addresses,
                                 usable=usable_addresses("subnet", cidr), used=0, name=None, tags={}, owner_id=account,
                                 vpc_id=subnet["VpcId"], seeded=False,
                                 zone_id=subnet.get("AvailabilityZoneId"), zone_name=subnet.get("AvailabilityZone")))
    return expected
