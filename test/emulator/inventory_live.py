"""IPAM's view of the network that moto holds right now.

Every call reads moto's EC2 state afresh (DescribeVpcs, DescribeSubnets,
DescribeAddresses in each operating region), so a subnet filled between two
scans shows the new usage on the next one. Usage follows IPAM's definitions:
a VPC CIDR block's IpUsage is the share of the block allocated to subnets; an
IPv4 subnet's is the share of its usable addresses (size − 5) in use; IPv6
subnet CIDRs carry no IpUsage; an Elastic IP is 1 when associated, else 0.
"""

from __future__ import annotations

import ipaddress
import threading
from typing import Iterable

import boto3
from botocore.config import Config

from ipam_api import Ipam, ResourceCidr, Scope

# Fixed identifiers, so tests and the demo can name them without asking.
IPAM_ID = "ipam-0e1a2b3c4d5e6f708"
PRIVATE_SCOPE_ID = "ipam-scope-0e1a2b3c4d5e6f701"
PUBLIC_SCOPE_ID = "ipam-scope-0e1a2b3c4d5e6f702"
RESERVED_PER_IPV4_SUBNET = 5


def ipv4_subnet_usage(cidr: str, available: int) -> float:
    """(usable − available) ÷ usable, clamped to 0..1; usable = size − 5 (AWS reserves five)."""
    usable = ipaddress.ip_network(cidr).num_addresses - RESERVED_PER_IPV4_SUBNET
    if usable <= 0:
        return 1.0
    used = min(max(usable - available, 0), usable)
    return used / usable


def block_allocation(block: str, subnet_cidrs: Iterable[str]) -> float:
    """Share of a VPC CIDR block covered by the subnets inside it."""
    network = ipaddress.ip_network(block)
    allocated = sum(
        ipaddress.ip_network(s).num_addresses
        for s in subnet_cidrs
        if ipaddress.ip_network(s).version == network.version and ipaddress.ip_network(s).subnet_of(network)
    )
    return allocated / network.num_addresses


def _tags(resource: dict) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((t["Key"], t["Value"]) for t in resource.get("Tags") or []))


def _associated(state: dict | str | None) -> bool:
    # moto renders subnet IPv6 association states as a stringified dict; both forms say "associated".
    text = state.get("State", "") if isinstance(state, dict) else str(state or "")
    return "associated" in text and "disassociated" not in text


class LiveInventory:
    static = False

    def __init__(self, endpoint: str, home_region: str, regions: list[str]):
        self.endpoint = endpoint
        self.home_region = home_region
        self.regions = regions
        self._clients: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()
        self._account: str | None = None
        # The proxy's prefix delegation (prefixes.py): delegated /28s are in use, though moto does not know them.
        self.prefixes = None
        self.scopes = (
            Scope(PRIVATE_SCOPE_ID, "private", True, "Default private scope"),
            Scope(PUBLIC_SCOPE_ID, "public", True, "Default public scope"),
        )

    def _client(self, service: str, region: str):
        with self._lock:
            key = (service, region)
            if key not in self._clients:
                self._clients[key] = boto3.session.Session().client(
                    service,
                    endpoint_url=self.endpoint,
                    region_name=region,
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",
                    config=Config(retries={"max_attempts": 2, "mode": "standard"}),
                )
            return self._clients[key]

    def account_id(self) -> str:
        if self._account is None:
            self._account = self._client("sts", self.home_region).get_caller_identity()["Account"]
        return self._account

    def ipam(self) -> Ipam:
        return Ipam(IPAM_ID, self.account_id(), self.home_region, tuple(self.regions), self.scopes, description="Emulated IPAM")

    def resource_cidrs(self, scope: Scope) -> list[ResourceCidr]:
        records: list[ResourceCidr] = []
        for region in self.regions:
            ec2 = self._client("ec2", region)
            if scope.type == "private":
                vpcs = [v for p in ec2.get_paginator("describe_vpcs").paginate() for v in p["Vpcs"]]
                subnets = [s for p in ec2.get_paginator("describe_subnets").paginate() for s in p["Subnets"]]
                records += self._vpc_records(scope, region, vpcs, subnets)
                records += self._subnet_records(scope, region, subnets)
            else:
                records += self._eip_records(scope, region, ec2.describe_addresses()["Addresses"])
        if scope.type == "private":
            _mark_overlaps([r for r in records if r.resource_type == "vpc"])
        records.sort(key=lambda r: (r.region, r.resource_type, r.resource_id, r.cidr))
        return records

    def _record(self, scope: Scope, region: str, **fields) -> ResourceCidr:
        # moto keeps the leading zeros of the IPv6 blocks it draws ("2400:6500:0cbc::/56"); IPAM answers in
        # the canonical compressed form, as the seeder's manifest does.
        fields["cidr"] = str(ipaddress.ip_network(fields["cidr"]))
        return ResourceCidr(ipam_id=IPAM_ID, scope_id=scope.id, region=region, **fields)

    def _vpc_records(self, scope: Scope, region: str, vpcs: list[dict], subnets: list[dict]) -> list[ResourceCidr]:
        records = []
        for vpc in vpcs:
            mine = [s for s in subnets if s["VpcId"] == vpc["VpcId"]]
            subnet_cidrs = [s["CidrBlock"] for s in mine if s.get("CidrBlock")]
            subnet_cidrs += [a["Ipv6CidrBlock"] for s in mine for a in s.get("Ipv6CidrBlockAssociationSet") or []]
            blocks = [a["CidrBlock"] for a in vpc.get("CidrBlockAssociationSet") or [] if _associated(a.get("CidrBlockState"))]
            blocks += [a["Ipv6CidrBlock"] for a in vpc.get("Ipv6CidrBlockAssociationSet") or [] if _associated(a.get("Ipv6CidrBlockState"))]
            for block in blocks:
                records.append(
                    self._record(
                        scope,
                        region,
                        resource_id=vpc["VpcId"],
                        resource_type="vpc",
                        cidr=block,
                        owner_id=vpc.get("OwnerId") or self.account_id(),
                        tags=_tags(vpc),
                        ip_usage=block_allocation(block, subnet_cidrs),
                        vpc_id=vpc["VpcId"],
                    )
                )
        return records

    def _subnet_records(self, scope: Scope, region: str, subnets: list[dict]) -> list[ResourceCidr]:
        records = []
        for subnet in subnets:
            common = dict(
                resource_id=subnet["SubnetId"],
                resource_type="subnet",
                owner_id=subnet.get("OwnerId") or self.account_id(),
                tags=_tags(subnet),
                vpc_id=subnet["VpcId"],
                availability_zone_id=subnet.get("AvailabilityZoneId"),
            )
            if subnet.get("CidrBlock"):
                delegated = 16 * self.prefixes.prefix_count(subnet["SubnetId"]) if self.prefixes is not None else 0
                usage = ipv4_subnet_usage(subnet["CidrBlock"], subnet["AvailableIpAddressCount"] - delegated)
                records.append(self._record(scope, region, cidr=subnet["CidrBlock"], ip_usage=usage, **common))
            for association in subnet.get("Ipv6CidrBlockAssociationSet") or []:
                # IPAM does not compute usage of IPv6 space: no IpUsage at all, not 0.
                records.append(self._record(scope, region, cidr=association["Ipv6CidrBlock"], **common))
        return records

    def _eip_records(self, scope: Scope, region: str, addresses: list[dict]) -> list[ResourceCidr]:
        return [
            self._record(
                scope,
                region,
                resource_id=address.get("AllocationId") or address["PublicIp"],
                resource_type="eip",
                cidr=f"{address['PublicIp']}/32",
                owner_id=self.account_id(),
                tags=_tags(address),
                ip_usage=1.0 if address.get("AssociationId") else 0.0,
            )
            for address in addresses
        ]


def _mark_overlaps(records: list[ResourceCidr]) -> None:
    """IPAM flags CIDRs that overlap another resource's CIDR in the same scope, across regions."""
    networks = [(r, ipaddress.ip_network(r.cidr)) for r in records]
    for record, network in networks:
        if any(
            other is not record and other.resource_id != record.resource_id and net.version == network.version and net.overlaps(network)
            for other, net in networks
        ):
            record.overlap_status = "overlapping"
