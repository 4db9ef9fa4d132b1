#!/usr/bin/env python3
"""Seeds a small, realistic network into moto and writes a manifest of what IPAM
should report for it, with the numbers worked out from the plan below rather
than read back from moto.

  seed.py seed --endpoint URL --manifest F [--regions us-east-1,eu-west-1]
  seed.py set-used --endpoint URL --manifest F --subnet KEY|ID --used N
  seed.py fill  --endpoint URL --manifest F --subnet KEY|ID      (every usable address)
  seed.py empty --endpoint URL --manifest F --subnet KEY|ID      (only what the seed did not add)
  seed.py eip --endpoint URL --manifest F --eip KEY|ID --associate|--disassociate

--endpoint defaults to $EMULATOR_MOTO_ENDPOINT. Subnets are filled with ENIs
carrying explicit secondary private IPs: moto lowers AvailableIpAddressCount by
one per private IP, but picks random (even reserved or duplicate) addresses
when asked for a count, so the seeder chooses each address itself.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.dont_write_bytecode = True

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

from inventory_live import IPAM_ID, PRIVATE_SCOPE_ID, PUBLIC_SCOPE_ID  # noqa: E402

RESERVED_PER_IPV4_SUBNET = 5
ADDRESSES_PER_ENI = 250
FILL_TAG = ("ipam-emulator", "fill")
HOLDER_DESCRIPTION = "IPAM emulator Elastic IP holder"
MANIFEST_VERSION = 1


@dataclass(frozen=True)
class PlacedInterface:
    """An ENI on addresses the plan names, for subnets whose layout matters (EKS prefix delegation)."""

    description: str
    addresses: tuple[str, ...]  # the first is primary


@dataclass
class SubnetPlan:
    key: str
    cidr: str | None  # None: IPv6-only
    used: int = 0  # IPv4 addresses in use, ENIs for Elastic IPs and placed interfaces included
    ipv6_index: int | None = None  # which /64 of the VPC's /56
    az: int = 0  # index into the region's zones
    tags: dict[str, str] = field(default_factory=dict)
    placed: tuple[PlacedInterface, ...] = ()


def _run(first: str, count: int) -> tuple[str, ...]:
    start = int(ipaddress.IPv4Address(first))
    return tuple(str(ipaddress.IPv4Address(start + i)) for i in range(count))


def _eks_nodes_a() -> tuple[PlacedInterface, ...]:
    """10.70.0.0/24 about half used (120 of 251) with no free aligned /28: five nodes hold nine
    addresses in each of two blocks (blocks 1-10), and a load balancer's interface six addresses in
    each of blocks 11-15; blocks 0 and 15 hold the addresses AWS reserves. Releasing the load
    balancer's addresses would free four /28s (block 15 stays reserved), any node's two."""
    nodes = tuple(
        PlacedInterface(f"aws-K8S-i-0eks{k}", _run(f"10.70.0.{32 * k + 16}", 9) + _run(f"10.70.0.{32 * k + 32}", 9)) for k in range(5)
    )
    balancer = PlacedInterface("ELB app/prod-web/50dc6c495c0c9188", tuple(a for b in range(11, 16) for a in _run(f"10.70.0.{16 * b}", 6)))
    return (*nodes, balancer)


EKS_NODES_A = _eks_nodes_a()


@dataclass
class VpcPlan:
    key: str
    cidr: str
    tags: dict[str, str]
    subnets: list[SubnetPlan]
    secondary: list[str] = field(default_factory=list)
    ipv6: bool = False
    region_index: int = 0  # 0: first region; 1: second region when one is given


@dataclass
class EipPlan:
    key: str
    subnet: str | None  # associated with an ENI in this subnet, or unassociated
    tags: dict[str, str]


PROD = {"environment": "prod"}
NETWORK = [
    VpcPlan(
        "prod-core",
        "10.0.0.0/16",
        {**PROD, "team": "network"},
        secondary=["100.64.0.0/16"],  # pod addresses for EKS custom networking
        subnets=[
            SubnetPlan("prod-app-a", "10.0.0.0/20", used=2046, az=0),  # 2046/4091 = 50.0%
            SubnetPlan("prod-db-a", "10.0.16.0/24", used=215, az=1),  # 215/251 = 85.7%
            SubnetPlan("prod-edge-a", "10.0.17.0/26", used=10, az=2),  # 10/59 = 16.9%, two ENIs hold Elastic IPs
            SubnetPlan("prod-tiny-a", "10.0.17.64/28", used=9, az=0),  # 9/11 = 81.8%
            SubnetPlan("prod-pods", "100.64.0.0/22", used=980, az=1),  # secondary CIDR; 980/1019 = 96.2%, 39 free
        ],
    ),
    VpcPlan(
        "dev-sandbox",
        "10.20.0.0/20",
        {"environment": "dev", "team": "platform"},
        subnets=[
            SubnetPlan("dev-a", "10.20.0.0/24", used=30, az=0),  # 30/251 = 12.0%
            SubnetPlan("dev-scratch", "10.20.1.0/27", used=26, az=1, tags={"monitoring": "off"}),  # 26/27 = 96.3%, excluded
        ],
    ),
    VpcPlan(
        "prod-ipv6",
        "10.30.0.0/24",
        {**PROD, "team": "data"},
        ipv6=True,
        subnets=[
            SubnetPlan("prod-dual", "10.30.0.0/25", used=20, ipv6_index=0, az=0),  # 20/123 = 16.3%; its /64 has no usage
            SubnetPlan("prod-v6only", None, ipv6_index=1, az=1),  # IPv6-only: no IPv4 CIDR at all
        ],
    ),
    VpcPlan(
        "shared-services",
        "10.40.0.0/24",
        {**PROD, "team": "network"},
        subnets=[  # 128+64+32+16 = 240 of 256 allocated: the VPC is 93.75% used
            SubnetPlan("shared-a", "10.40.0.0/25", used=60, az=0),
            SubnetPlan("shared-b", "10.40.0.128/26", used=5, az=1),
            SubnetPlan("shared-c", "10.40.0.192/27", az=2),
            SubnetPlan("shared-d", "10.40.0.224/28", az=0),
        ],
    ),
    VpcPlan(
        "eks-prod",
        "10.70.0.0/16",
        {"cluster": "prod-eks", "team": "platform"},
        subnets=[
            # The demo's headline: about half used, yet EKS prefix delegation has no /28 left in it.
            SubnetPlan("eks-nodes-a", "10.70.0.0/24", used=120, az=0, placed=EKS_NODES_A),  # 120/251 = 47.8%, 0 free /28
            SubnetPlan("eks-nodes-b", "10.70.1.0/24", used=20, az=1, placed=(PlacedInterface("aws-K8S-i-0eksb", _run("10.70.1.16", 20)),)),
        ],
    ),
    VpcPlan(
        "prod-eu",
        "10.50.0.0/16",
        {**PROD, "team": "payments"},
        region_index=1,
        subnets=[SubnetPlan("prod-eu-app", "10.50.0.0/24", used=100, az=0)],  # 100/251 = 39.8%
    ),
]
EIPS = [
    EipPlan("eip-web-1", "prod-edge-a", {**PROD, "team": "web"}),
    EipPlan("eip-web-2", "prod-edge-a", {**PROD, "team": "web"}),
    EipPlan("eip-spare", None, {**PROD, "team": "web"}),
]


class SeedError(Exception):
    pass


def ec2_client(endpoint: str, region: str):
    return boto3.session.Session().client(
        "ec2",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
    )


def _tag_spec(resource_type: str, tags: dict[str, str]) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": [{"Key": k, "Value": v} for k, v in sorted(tags.items())]}]


# ---------------------------------------------------------------- expected numbers


def expected_record(**fields) -> dict:
    """A manifest record; counts as decimal strings because IPv6 sizes pass 2^53."""
    cidr = ipaddress.ip_network(fields["cidr"])
    size = cidr.num_addresses
    kind = fields["resourceType"]
    usable = size - RESERVED_PER_IPV4_SUBNET if kind == "subnet" and cidr.version == 4 else size
    used = fields.pop("used")
    record = {
        **fields,
        "addressFamily": f"ipv{cidr.version}",
        "size": str(size),
        "usable": str(usable),
        "used": None if used is None else str(used),
        "free": None if used is None else str(usable - used),
        "ipUsage": None if used is None else used / usable,
    }
    # The scanner reports utilization as IpUsage × 100 (percent), the same double arithmetic.
    record["utilization"] = None if used is None else record["ipUsage"] * 100
    return record


def vpc_allocated(block: str, subnet_cidrs: list[str]) -> int:
    network = ipaddress.ip_network(block)
    return sum(
        ipaddress.ip_network(c).num_addresses
        for c in subnet_cidrs
        if ipaddress.ip_network(c).version == network.version and ipaddress.ip_network(c).subnet_of(network)
    )


# ---------------------------------------------------------------- filling subnets


def _usable_addresses(cidr: str):
    network = ipaddress.ip_network(cidr)
    first = int(network.network_address) + 4  # AWS reserves the first four and the last address
    last = int(network.broadcast_address) - 1
    return (str(ipaddress.IPv4Address(a)) for a in range(first, last + 1))


def _subnet_enis(ec2, subnet_id: str) -> list[dict]:
    pages = ec2.get_paginator("describe_network_interfaces").paginate(Filters=[{"Name": "subnet-id", "Values": [subnet_id]}])
    return [eni for page in pages for eni in page["NetworkInterfaces"]]


def _is_fill(eni: dict) -> bool:
    return any(t["Key"] == FILL_TAG[0] and t["Value"] == FILL_TAG[1] for t in eni.get("TagSet") or [])


def _ips(eni: dict) -> list[str]:
    return [p["PrivateIpAddress"] for p in eni.get("PrivateIpAddresses") or []]


def _describe_subnet(ec2, subnet_id: str) -> dict:
    return ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]


def set_subnet_used(ec2, subnet_id: str, used: int) -> int:
    """Makes exactly `used` IPv4 addresses of the subnet in use, by adding or removing
    fill ENIs and their secondary IPs. Addresses held by other ENIs stay. Returns used."""
    subnet = _describe_subnet(ec2, subnet_id)
    if not subnet.get("CidrBlock"):
        raise SeedError(f"subnet {subnet_id} has no IPv4 CIDR; IPv6 usage is not modelled")
    usable = ipaddress.ip_network(subnet["CidrBlock"]).num_addresses - RESERVED_PER_IPV4_SUBNET
    enis = _subnet_enis(ec2, subnet_id)
    fill = [e for e in enis if _is_fill(e)]
    fixed = sum(len(_ips(e)) for e in enis if not _is_fill(e))
    if not fixed <= used <= usable:
        raise SeedError(f"subnet {subnet_id} ({subnet['CidrBlock']}): used must be from {fixed} (held by other ENIs) to {usable}, not {used}")
    change = (used - fixed) - sum(len(_ips(e)) for e in fill)
    if change > 0:
        taken = {ip for e in enis for ip in _ips(e)}
        free = (a for a in _usable_addresses(subnet["CidrBlock"]) if a not in taken)
        for eni in fill:  # top up existing fill ENIs first
            room = min(ADDRESSES_PER_ENI - len(_ips(eni)), change)
            if room > 0:
                ec2.assign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddresses=[next(free) for _ in range(room)])
                change -= room
        while change > 0:
            count = min(ADDRESSES_PER_ENI, change)
            addresses = [next(free) for _ in range(count)]
            eni = ec2.create_network_interface(
                SubnetId=subnet_id,
                PrivateIpAddress=addresses[0],
                Description="IPAM emulator fill",
                TagSpecifications=_tag_spec("network-interface", dict([FILL_TAG])),
            )["NetworkInterface"]
            if count > 1:
                ec2.assign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddresses=addresses[1:])
            change -= count
    for eni in reversed(fill):  # remove from the last fill ENI backwards
        if change >= 0:
            break
        ips = _ips(eni)
        if -change >= len(ips):
            ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
            change += len(ips)
        else:
            secondary = [p["PrivateIpAddress"] for p in eni["PrivateIpAddresses"] if not p.get("Primary")]
            ec2.unassign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddresses=secondary[change:])
            change = 0
    available = _describe_subnet(ec2, subnet_id)["AvailableIpAddressCount"]
    if available != usable - used:
        raise SeedError(f"subnet {subnet_id}: moto reports {available} available after filling, expected {usable - used}")
    return used


def empty_subnet(ec2, subnet_id: str) -> int:
    """Removes every address the seeder added; what other ENIs hold stays. Returns used."""
    enis = _subnet_enis(ec2, subnet_id)
    return set_subnet_used(ec2, subnet_id, sum(len(_ips(e)) for e in enis if not _is_fill(e)))


def fill_subnet(ec2, subnet_id: str) -> int:
    """Puts every usable address of the subnet in use. Returns used."""
    subnet = _describe_subnet(ec2, subnet_id)
    return set_subnet_used(ec2, subnet_id, ipaddress.ip_network(subnet["CidrBlock"]).num_addresses - RESERVED_PER_IPV4_SUBNET)


def set_eip_associated(ec2, allocation_id: str, associated: bool, subnet_id: str | None = None) -> tuple[str | None, int]:
    """Associates an Elastic IP with a new ENI in subnet_id, or disassociates it and deletes
    the ENI that held it. Returns (subnet whose use changed, change in its used addresses)."""
    address = ec2.describe_addresses(AllocationIds=[allocation_id])["Addresses"][0]
    if associated and not address.get("AssociationId"):
        if not subnet_id:
            raise SeedError(f"associating {allocation_id} needs a subnet for its network interface")
        eni = _new_eni(ec2, subnet_id, HOLDER_DESCRIPTION)
        ec2.associate_address(AllocationId=allocation_id, NetworkInterfaceId=eni)
        return subnet_id, 1
    if not associated and address.get("AssociationId"):
        ec2.disassociate_address(AssociationId=address["AssociationId"])
        eni = ec2.describe_network_interfaces(NetworkInterfaceIds=[address["NetworkInterfaceId"]])["NetworkInterfaces"][0]
        if eni.get("Description") == HOLDER_DESCRIPTION:
            ec2.delete_network_interface(NetworkInterfaceId=eni["NetworkInterfaceId"])
            return eni["SubnetId"], -1
    return None, 0


def _place(ec2, subnet_id: str, interface: PlacedInterface) -> str:
    primary, *secondary = interface.addresses
    eni = ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress=primary, Description=interface.description)["NetworkInterface"]
    if secondary:
        ec2.assign_private_ip_addresses(NetworkInterfaceId=eni["NetworkInterfaceId"], PrivateIpAddresses=secondary)
    return eni["NetworkInterfaceId"]


def _new_eni(ec2, subnet_id: str, description: str) -> str:
    """An ENI on the lowest free usable address of the subnet."""
    subnet = _describe_subnet(ec2, subnet_id)
    taken = {ip for e in _subnet_enis(ec2, subnet_id) for ip in _ips(e)}
    address = next(a for a in _usable_addresses(subnet["CidrBlock"]) if a not in taken)
    return ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress=address, Description=description)["NetworkInterface"]["NetworkInterfaceId"]


# ---------------------------------------------------------------- seeding


def _zones(ec2) -> list[str]:
    return sorted(z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"])


def seed(endpoint: str, regions: list[str]) -> dict:
    """Creates the network; returns the manifest."""
    clients = {region: ec2_client(endpoint, region) for region in regions}
    ids: dict[str, str] = {}
    seeded: list[dict] = []  # plan facts to turn into expectations once ids are known
    for plan in NETWORK:
        if plan.region_index >= len(regions):
            continue
        region = regions[plan.region_index]
        ec2 = clients[region]
        zones = _zones(ec2)
        vpc_tags = {"Name": plan.key, **plan.tags}
        vpc = ec2.create_vpc(CidrBlock=plan.cidr, AmazonProvidedIpv6CidrBlock=plan.ipv6, TagSpecifications=_tag_spec("vpc", vpc_tags))["Vpc"]
        vpc_id = ids[plan.key] = vpc["VpcId"]
        for block in plan.secondary:
            ec2.associate_vpc_cidr_block(VpcId=vpc_id, CidrBlock=block)
        ipv6_block = None
        if plan.ipv6:
            described = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]
            ipv6_block = ipaddress.ip_network(described["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"])
        subnet_cidrs = []
        for subnet in plan.subnets:
            tags = {"Name": subnet.key, **plan.tags, **subnet.tags}
            arguments = dict(VpcId=vpc_id, AvailabilityZone=zones[subnet.az % len(zones)], TagSpecifications=_tag_spec("subnet", tags))
            ipv6 = None
            if subnet.ipv6_index is not None:
                ipv6 = str(ipaddress.IPv6Network((int(ipv6_block.network_address) + (subnet.ipv6_index << 64), 64)))
                arguments["Ipv6CidrBlock"] = ipv6
            if subnet.cidr:
                arguments["CidrBlock"] = subnet.cidr
            else:
                arguments["Ipv6Native"] = True
            created = ec2.create_subnet(**arguments)["Subnet"]
            ids[subnet.key] = created["SubnetId"]
            common = dict(key=subnet.key, resourceType="subnet", resourceId=created["SubnetId"], region=region, vpcId=vpc_id,
                          availabilityZoneId=created.get("AvailabilityZoneId"), name=subnet.key, tags=tags)
            if subnet.cidr:
                subnet_cidrs.append(subnet.cidr)
                placed = [dict(description=p.description, addresses=list(p.addresses)) for p in subnet.placed]
                seeded.append(dict(common, cidr=subnet.cidr, used=subnet.used, **({"interfaces": placed} if placed else {})))
                for interface in subnet.placed:
                    _place(ec2, created["SubnetId"], interface)
            if ipv6:
                subnet_cidrs.append(ipv6)
                seeded.append(dict(common, cidr=ipv6, used=None))
        for block in [plan.cidr, *plan.secondary, *([str(ipv6_block)] if ipv6_block else [])]:
            seeded.append(dict(key=plan.key, resourceType="vpc", resourceId=vpc_id, region=region, vpcId=vpc_id, availabilityZoneId=None,
                               name=plan.key, tags=vpc_tags, cidr=block, used=vpc_allocated(block, subnet_cidrs)))

    home = clients[regions[0]]
    for eip in EIPS:
        tags = {"Name": eip.key, **eip.tags}
        allocation = home.allocate_address(Domain="vpc", TagSpecifications=_tag_spec("elastic-ip", tags))
        ids[eip.key] = allocation["AllocationId"]
        if eip.subnet:
            set_eip_associated(home, allocation["AllocationId"], True, ids[eip.subnet])
        seeded.append(dict(key=eip.key, resourceType="eip", resourceId=allocation["AllocationId"], region=regions[0], vpcId=None,
                           availabilityZoneId=None, name=eip.key, tags=tags, cidr=f"{allocation['PublicIp']}/32", used=1 if eip.subnet else 0))

    # Fill after the Elastic IP holders exist: their ENIs count towards the planned use.
    for plan in NETWORK:
        if plan.region_index >= len(regions):
            continue
        for subnet in plan.subnets:
            if subnet.cidr and subnet.used:
                set_subnet_used(clients[regions[plan.region_index]], ids[subnet.key], subnet.used)

    account = boto3.session.Session().client("sts", endpoint_url=endpoint, region_name=regions[0], aws_access_key_id="testing",
                                             aws_secret_access_key="testing").get_caller_identity()["Account"]
    records = [expected_record(seeded=True, scope="public" if r["resourceType"] == "eip" else "private", ownerId=account, **r) for r in seeded]
    records += _preexisting(clients, {r["resourceId"] for r in records}, account)
    return {
        "version": MANIFEST_VERSION,
        "accountId": account,
        "regions": regions,
        "homeRegion": regions[0],
        "ipam": {"ipamId": IPAM_ID, "privateScopeId": PRIVATE_SCOPE_ID, "publicScopeId": PUBLIC_SCOPE_ID},
        "ids": ids,
        "resources": sorted(records, key=lambda r: (r["region"], r["resourceType"], r["resourceId"], r["cidr"])),
    }


def _preexisting(clients: dict, known: set[str], account: str) -> list[dict]:
    """Resources the seed did not create (moto's default VPC in each region): empty, as created."""
    records = []
    for region, ec2 in clients.items():
        subnets = [s for s in ec2.describe_subnets()["Subnets"] if s["SubnetId"] not in known]
        for vpc in ec2.describe_vpcs()["Vpcs"]:
            if vpc["VpcId"] in known:
                continue
            tags = {t["Key"]: t["Value"] for t in vpc.get("Tags") or []}
            mine = [s["CidrBlock"] for s in subnets if s["VpcId"] == vpc["VpcId"] and s.get("CidrBlock")]
            for association in vpc.get("CidrBlockAssociationSet") or []:
                block = association["CidrBlock"]
                records.append(expected_record(key=None, seeded=False, scope="private", resourceType="vpc", resourceId=vpc["VpcId"], region=region,
                                               ownerId=account, vpcId=vpc["VpcId"], availabilityZoneId=None, name=tags.get("Name"), tags=tags,
                                               cidr=block, used=vpc_allocated(block, mine)))
        for subnet in subnets:
            tags = {t["Key"]: t["Value"] for t in subnet.get("Tags") or []}
            records.append(expected_record(key=None, seeded=False, scope="private", resourceType="subnet", resourceId=subnet["SubnetId"], region=region,
                                           ownerId=account, vpcId=subnet["VpcId"], availabilityZoneId=subnet.get("AvailabilityZoneId"),
                                           name=tags.get("Name"), tags=tags, cidr=subnet["CidrBlock"], used=0))
    return records


# ---------------------------------------------------------------- manifest updates


def load_manifest(path: str) -> dict:
    return json.loads(Path(path).read_text())


def write_manifest(path: str, manifest: dict) -> None:
    temporary = Path(f"{path}.tmp")
    temporary.write_text(json.dumps(manifest, indent=2) + "\n")
    os.replace(temporary, path)


def resolve(manifest: dict, key_or_id: str) -> str:
    return manifest["ids"].get(key_or_id, key_or_id)


def record_usage(manifest: dict, resource_id: str, resource_type: str, used: int) -> dict:
    """Updates the IPv4 record of a subnet (or an EIP) to `used` and returns it."""
    for index, record in enumerate(manifest["resources"]):
        if record["resourceId"] == resource_id and record["addressFamily"] == "ipv4" and record["resourceType"] == resource_type:
            fields = {k: v for k, v in record.items() if k not in ("addressFamily", "size", "usable", "used", "free", "ipUsage", "utilization")}
            manifest["resources"][index] = expected_record(**fields, used=used)
            return manifest["resources"][index]
    raise SeedError(f"{resource_id} is not an IPv4 {resource_type} of the manifest")


def region_of(manifest: dict, resource_id: str) -> str:
    return next((r["region"] for r in manifest["resources"] if r["resourceId"] == resource_id), manifest["homeRegion"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Seed moto with a known network and keep a manifest of the expected IPAM view.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("seed", "set-used", "fill", "empty", "eip"):
        sub = commands.add_parser(name)
        sub.add_argument("--endpoint", default=os.environ.get("EMULATOR_MOTO_ENDPOINT"), help="moto URL (default $EMULATOR_MOTO_ENDPOINT)")
        sub.add_argument("--manifest", required=True, help="manifest JSON to write (seed) or update")
        if name == "seed":
            sub.add_argument("--regions", default="us-east-1,eu-west-1", help="first region gets most of the network; the second, one VPC")
        if name in ("set-used", "fill", "empty"):
            sub.add_argument("--subnet", required=True, help="subnet key from the manifest (e.g. prod-tiny-a) or subnet ID")
        if name == "set-used":
            sub.add_argument("--used", type=int, required=True, help="IPv4 addresses in use afterwards")
        if name == "eip":
            sub.add_argument("--eip", required=True, help="Elastic IP key (e.g. eip-spare) or allocation ID")
            group = sub.add_mutually_exclusive_group(required=True)
            group.add_argument("--associate", metavar="SUBNET", help="associate with a new ENI in this subnet (key or ID)")
            group.add_argument("--disassociate", action="store_true")
    args = parser.parse_args(argv)
    if not args.endpoint:
        parser.error("--endpoint is required (or set EMULATOR_MOTO_ENDPOINT)")

    try:
        if args.command == "seed":
            regions = [r.strip() for r in args.regions.split(",") if r.strip()]
            manifest = seed(args.endpoint, regions)
            write_manifest(args.manifest, manifest)
            print(json.dumps({"manifest": args.manifest, "resources": len(manifest["resources"]), "ids": manifest["ids"]}, indent=2))
            return 0
        manifest = load_manifest(args.manifest)
        if args.command == "eip":
            allocation = resolve(manifest, args.eip)
            ec2 = ec2_client(args.endpoint, region_of(manifest, allocation))
            subnet = resolve(manifest, args.associate) if args.associate else None
            changed_subnet, delta = set_eip_associated(ec2, allocation, bool(args.associate), subnet)
            if changed_subnet:
                previous = next(r for r in manifest["resources"] if r["resourceId"] == changed_subnet and r["addressFamily"] == "ipv4")
                record_usage(manifest, changed_subnet, "subnet", int(previous["used"]) + delta)
            record = record_usage(manifest, allocation, "eip", 1 if args.associate else 0)
        else:
            subnet_id = resolve(manifest, args.subnet)
            ec2 = ec2_client(args.endpoint, region_of(manifest, subnet_id))
            if args.command == "fill":
                used = fill_subnet(ec2, subnet_id)
            elif args.command == "empty":
                used = empty_subnet(ec2, subnet_id)
            else:
                used = set_subnet_used(ec2, subnet_id, args.used)
            record = record_usage(manifest, subnet_id, "subnet", used)
        write_manifest(args.manifest, manifest)
        print(json.dumps(record, indent=2))
        return 0
    except SeedError as error:
        print(f"seed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
