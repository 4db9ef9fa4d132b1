"""The capacity scenario: subnets with network interfaces and CIDR reservations, seeded into moto in
a region of their own (so the main scenario's numbers do not move), and the capacity the EC2 source
must report for them, worked out here with `ipaddress` from the plan, independently of the scanner.

- eks-a: a /24 about half used (119 of 251) with no free /28: seven "nodes" hold eight addresses
  in each of two blocks, a load balancer interface holds addresses in the AWS-reserved first block
  and one address in a block of the first node.
- eks-b: a /24 with an explicit and a prefix reservation and one interface of 20 addresses.
- eks-c: an empty /26.
- eks-d: a /24 of EKS nodes with prefix delegation: one node with three /28 prefixes the emulator
  picks (moto ignores prefixes; test/emulator/prefixes.py delegates them), one with a named /28.
- batch: a /24 of the same VPC no capacity scope matches: nothing is read for it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Optional

import network

REGION = "ap-southeast-2"
VPC_CIDR = "10.60.0.0/16"
RESERVED_AT_START = 4
PREFIX_LENGTH = 28


@dataclass(frozen=True)
class InterfacePlan:
    key: str
    description: str
    addresses: tuple  # dotted IPv4 addresses, the first one primary
    prefixes: tuple = ()  # /28 prefixes named on assignment
    prefix_count: int = 0  # /28 prefixes EC2 (the emulator) picks


@dataclass(frozen=True)
class ReservationPlan:
    cidr: str
    type: str  # explicit | prefix


@dataclass(frozen=True)
class CapacitySubnetPlan:
    key: str
    cidr: str
    az: int
    interfaces: tuple = ()
    reservations: tuple = ()


def _range(first: str, count: int) -> tuple:
    start = int(ipaddress.IPv4Address(first))
    return tuple(str(ipaddress.IPv4Address(start + i)) for i in range(count))


def _node(k: int) -> InterfacePlan:
    # Node k holds the first eight addresses of blocks 2k+1 and 2k+2 of 10.60.0.0/24.
    return InterfacePlan(f"node-{k}", f"aws-K8S-node-{k}", _range(f"10.60.0.{32 * k + 16}", 8) + _range(f"10.60.0.{32 * k + 32}", 8))


SUBNETS = (
    CapacitySubnetPlan(
        "eks-a", "10.60.0.0/24", az=0,
        interfaces=tuple(_node(k) for k in range(7)) + (InterfacePlan("lb", "ELB app/web", _range("10.60.0.4", 6) + ("10.60.0.40",)),),
    ),
    CapacitySubnetPlan(
        "eks-b", "10.60.1.0/24", az=1,
        interfaces=(InterfacePlan("web", "web server", _range("10.60.1.16", 20)),),
        reservations=(ReservationPlan("10.60.1.64/26", "explicit"), ReservationPlan("10.60.1.128/26", "prefix")),
    ),
    CapacitySubnetPlan("eks-c", "10.60.2.0/26", az=2),
    CapacitySubnetPlan(
        "eks-d", "10.60.4.0/24", az=0,
        interfaces=(
            InterfacePlan("pd-node-1", "aws-K8S-pd-1", ("10.60.4.10",), prefix_count=3),
            InterfacePlan("pd-node-2", "aws-K8S-pd-2", ("10.60.4.70",), prefixes=("10.60.4.128/28",)),
        ),
    ),
    CapacitySubnetPlan("batch", "10.60.3.0/24", az=0, interfaces=(InterfacePlan("batch-worker", "batch", _range("10.60.3.4", 10)),)),
)
OPTED_IN = ("eks-a", "eks-b", "eks-c", "eks-d")


def expected_blocks(plan: CapacitySubnetPlan, interface_ids: dict, prefixes: dict) -> list:
    """Every /28 of the subnet as `ipam-monitor capacity --format json` lists it."""
    subnet = ipaddress.ip_network(plan.cidr)
    addresses = list(subnet)
    reserved = set(addresses[:RESERVED_AT_START] + addresses[-1:])
    explicit = {a for r in plan.reservations if r.type == "explicit" for a in ipaddress.ip_network(r.cidr)}
    prefix = {a for r in plan.reservations if r.type == "prefix" for a in ipaddress.ip_network(r.cidr)}
    blocks = []
    for block in subnet.subnets(new_prefix=PREFIX_LENGTH):
        inside = set(block)
        holders = [interface_ids[e.key] for e in plan.interfaces if inside & held_addresses(e, prefixes)]
        state = ("aws-reserved" if inside & reserved else "explicit" if inside & explicit else "used" if holders else "free")
        blocks.append({"cidr": str(block), "state": state, "prefixReserved": inside <= prefix, "networkInterfaceIds": holders})
    return blocks


@dataclass
class ExpectedCapacity:
    free_prefixes: int
    assignable: int
    largest_free_block: Optional[int]
    blockers: list  # dicts as the JSON result writes them, best first
    in_use: int


@dataclass
class SeededCapacity:
    ids: dict = field(default_factory=dict)  # plan key → id (subnets, interfaces, the VPC)
    prefixes: dict = field(default_factory=dict)  # interface key → /28 prefixes it was given
    available: dict = field(default_factory=dict)  # subnet key → AvailableIpAddressCount after seeding
    zones: dict = field(default_factory=dict)  # subnet key → (zone id, zone name)
    expected: dict = field(default_factory=dict)  # subnet key → ExpectedCapacity


def held_addresses(eni: InterfacePlan, prefixes: dict) -> set:
    """Every address an interface holds: its own and those of its prefixes."""
    held = {ipaddress.IPv4Address(a) for a in eni.addresses}
    for prefix in prefixes.get(eni.key, ()):
        held.update(ipaddress.ip_network(prefix))
    return held


def expected_capacity(plan: CapacitySubnetPlan, interface_ids: dict, available: int, prefixes: dict) -> ExpectedCapacity:
    """Free /28s, assignable addresses, the largest free block and the blockers, address by address."""
    subnet = ipaddress.ip_network(plan.cidr)
    addresses = list(subnet)
    reserved = set(addresses[:RESERVED_AT_START] + addresses[-1:])
    used_by: dict = {}
    for eni in plan.interfaces:
        for address in held_addresses(eni, prefixes):
            used_by.setdefault(address, set()).add(eni.key)
    explicit = {a for r in plan.reservations if r.type == "explicit" for a in ipaddress.ip_network(r.cidr)}
    any_reservation = {a for r in plan.reservations for a in ipaddress.ip_network(r.cidr)}

    def blocking(address) -> bool:
        return address in reserved or address in used_by or address in explicit

    blocks = list(subnet.subnets(new_prefix=PREFIX_LENGTH))
    free_prefixes = sum(1 for block in blocks if not any(blocking(a) for a in block))
    assignable = sum(1 for a in addresses if a not in reserved and a not in used_by and a not in any_reservation)
    free = [ipaddress.ip_network(f"{a}/32") for a in addresses if not blocking(a)]
    collapsed = list(ipaddress.collapse_addresses(free))
    largest = min((n.prefixlen for n in collapsed), default=None)

    blockers = []
    for eni in plan.interfaces:
        mine = [b for b in blocks if any(eni.key in used_by.get(a, ()) for a in b)]
        counted = [b for b in mine if not any(a in reserved or a in explicit for a in b)]
        alone = [b for b in counted if all(used_by.get(a, {eni.key}) <= {eni.key} for a in b)]
        if counted:
            blockers.append({
                "networkInterfaceId": interface_ids[eni.key], "description": eni.description, "interfaceType": "interface",
                "blocksFreed": len(alone), "blocksBlocked": len(counted),
            })
    blockers.sort(key=lambda b: (-b["blocksFreed"], -b["blocksBlocked"], b["networkInterfaceId"]))
    return ExpectedCapacity(free_prefixes, min(assignable, available), largest, blockers[:10], len(used_by))


def seed(endpoint: str) -> SeededCapacity:
    """Seeds through `endpoint`, which must reach the emulator's proxy (prefixes are delegated there)."""
    ec2 = network.ec2_client(endpoint, REGION)
    described = ec2.describe_availability_zones()["AvailabilityZones"]
    zones = sorted(z["ZoneName"] for z in described)
    zone_ids = {z["ZoneName"]: z["ZoneId"] for z in described}
    seeded = SeededCapacity()
    vpc_id = ec2.create_vpc(CidrBlock=VPC_CIDR, TagSpecifications=network._tags("vpc", {"Name": "pods", "team": "k8s"}))["Vpc"]["VpcId"]
    seeded.ids["pods"] = vpc_id
    for plan in SUBNETS:
        tags = {"Name": plan.key, "team": "k8s"}
        subnet_id = ec2.create_subnet(VpcId=vpc_id, CidrBlock=plan.cidr, AvailabilityZone=zones[plan.az % len(zones)],
                                      TagSpecifications=network._tags("subnet", tags))["Subnet"]["SubnetId"]
        seeded.ids[plan.key] = subnet_id
        seeded.zones[plan.key] = (zone_ids[zones[plan.az % len(zones)]], zones[plan.az % len(zones)])
        for reservation in plan.reservations:
            ec2.create_subnet_cidr_reservation(SubnetId=subnet_id, Cidr=reservation.cidr, ReservationType=reservation.type)
        for eni in plan.interfaces:
            eni_id = ec2.create_network_interface(SubnetId=subnet_id, PrivateIpAddress=eni.addresses[0],
                                                  Description=eni.description)["NetworkInterface"]["NetworkInterfaceId"]
            if len(eni.addresses) > 1:
                ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, PrivateIpAddresses=list(eni.addresses[1:]))
            given = []
            if eni.prefixes:
                answer = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4Prefixes=list(eni.prefixes))
                given += [p["Ipv4Prefix"] for p in answer["AssignedIpv4Prefixes"]]
            if eni.prefix_count:
                answer = ec2.assign_private_ip_addresses(NetworkInterfaceId=eni_id, Ipv4PrefixCount=eni.prefix_count)
                given += [p["Ipv4Prefix"] for p in answer["AssignedIpv4Prefixes"]]
            seeded.prefixes[eni.key] = given
            seeded.ids[eni.key] = eni_id
        seeded.available[plan.key] = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["AvailableIpAddressCount"]
        seeded.expected[plan.key] = expected_capacity(plan, seeded.ids, seeded.available[plan.key], seeded.prefixes)
    return seeded
