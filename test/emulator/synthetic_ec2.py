"""A generated EC2 network for the capacity benchmark: S subnets holding E network interfaces, no moto.

Deterministic for a given (S, E, seed). Subnets are /24s, eight to a VPC (a /21), spread over three
zones of one region; each holds about E / S interfaces (a primary address, up to three secondary
ones, and a delegated /28 prefix on every fourth one, as EKS nodes with prefix delegation have), and
every tenth subnet has an explicit /28 CIDR reservation. AvailableIpAddressCount is usable − used.

Answered over the EC2 Query protocol like the real endpoint, paged like it (MaxResults, opaque
NextToken bound to the request): DescribeVpcs, DescribeSubnets, DescribeAddresses (none),
DescribeNetworkInterfaces (filters subnet-id and vpc-id), GetSubnetCidrReservations. moto would
take minutes to create 50,000 interfaces and scans them all on every filtered call; this serves
pre-rendered items.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from dataclasses import dataclass, field

from ipam_api import EC2_XMLNS, ApiError, _el

ACCOUNT = "100000000042"
ZONES = (("us-east-1a", "use1-az1"), ("us-east-1b", "use1-az2"), ("us-east-1c", "use1-az4"))
SUBNETS_PER_VPC = 8
RESERVED_PER_SUBNET = 5
ACTIONS = ("DescribeVpcs", "DescribeSubnets", "DescribeAddresses", "DescribeNetworkInterfaces", "GetSubnetCidrReservations")
MIN_RESULTS, MAX_RESULTS = 5, 1000


def _dotted(address: int) -> str:
    return f"{address >> 24 & 255}.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"


@dataclass
class _Subnet:
    subnet_id: str
    vpc_id: str
    base: int  # first address of the /24
    zone: tuple[str, str]
    interfaces: list[str] = field(default_factory=list)  # rendered items
    used: int = 0
    reservations: list[str] = field(default_factory=list)  # rendered items


class SyntheticNetwork:
    def __init__(self, subnets: int, interfaces: int, seed: int = 1, region: str = "us-east-1"):
        if subnets < 1 or interfaces < 0 or subnets > 65536:
            raise ValueError(f"--synthetic-ec2 {subnets}:{interfaces}: 1 to 65536 subnets and 0 or more interfaces")
        self.region = region
        rng = random.Random(seed)
        self.subnets: list[_Subnet] = []
        self.vpcs: list[tuple[str, str]] = []  # (vpc id, CIDR)
        for i in range(subnets):
            base = (10 << 24) + (i << 8)
            vpc_index = i // SUBNETS_PER_VPC
            vpc_id = f"vpc-{vpc_index:017x}"
            if i % SUBNETS_PER_VPC == 0:
                self.vpcs.append((vpc_id, f"{_dotted(base)}/21"))
            self.subnets.append(_Subnet(f"subnet-{i:017x}", vpc_id, base, ZONES[i % len(ZONES)]))
        self.by_id = {s.subnet_id: s for s in self.subnets}

        # Interfaces are dealt to the subnets in turn; each takes addresses from the bottom of its
        # subnet, and every fourth one a whole /28 prefix above them.
        next_free = {s.subnet_id: s.base + 4 for s in self.subnets}
        next_block = {s.subnet_id: s.base + 128 for s in self.subnets}
        for n in range(interfaces):
            subnet = self.subnets[n % subnets]
            count = 1 + rng.randrange(4)
            if next_free[subnet.subnet_id] + count > subnet.base + 127:
                continue  # the lower half is full; the upper half is kept for prefixes
            addresses = [_dotted(next_free[subnet.subnet_id] + k) for k in range(count)]
            next_free[subnet.subnet_id] += count
            prefixes = []
            if n % 4 == 0 and next_block[subnet.subnet_id] + 16 <= subnet.base + 240:
                prefixes.append(f"{_dotted(next_block[subnet.subnet_id])}/28")
                next_block[subnet.subnet_id] += 16
            subnet.used += count + 16 * len(prefixes)
            subnet.interfaces.append(self._render_interface(f"eni-{n:017x}", subnet, addresses, prefixes))
        for i, subnet in enumerate(self.subnets):
            if i % 10 == 0:
                cidr = f"{_dotted(subnet.base + 240)}/28"
                subnet.reservations.append(
                    "<item>" + _el("subnetCidrReservationId", f"scr-{i:017x}") + _el("subnetId", subnet.subnet_id)
                    + _el("cidr", cidr) + _el("reservationType", "explicit") + _el("ownerId", ACCOUNT) + "<tagSet/></item>"
                )
        self.interface_count = sum(len(s.interfaces) for s in self.subnets)

    def _render_interface(self, eni_id: str, subnet: _Subnet, addresses: list[str], prefixes: list[str]) -> str:
        private = "".join(
            f"<item>{_el('primary', 'true' if k == 0 else 'false')}{_el('privateIpAddress', a)}</item>" for k, a in enumerate(addresses)
        )
        prefix_set = "".join(f"<item>{_el('ipv4Prefix', p)}</item>" for p in prefixes)
        return (
            "<item>"
            + _el("availabilityZone", subnet.zone[0])
            + _el("description", f"aws-K8S-{eni_id[-6:]}")
            + _el("interfaceType", "interface")
            + _el("networkInterfaceId", eni_id)
            + _el("ownerId", ACCOUNT)
            + _el("privateIpAddress", addresses[0])
            + f"<privateIpAddressesSet>{private}</privateIpAddressesSet>"
            + (f"<ipv4PrefixSet>{prefix_set}</ipv4PrefixSet>" if prefix_set else "")
            + _el("requesterManaged", "false")
            + _el("status", "in-use")
            + _el("subnetId", subnet.subnet_id)
            + _el("vpcId", subnet.vpc_id)
            + "<tagSet/></item>"
        )

    # ---------------------------------------------------------------- answers

    def _page(self, action: str, params: dict[str, str], items: list[str]) -> tuple[list[str], str | None]:
        size = int(params.get("MaxResults") or MAX_RESULTS)
        if not MIN_RESULTS <= size <= MAX_RESULTS:
            raise ApiError("InvalidParameterValue", f"MaxResults {size} must be from {MIN_RESULTS} to {MAX_RESULTS}")
        request = json.dumps({k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}, sort_keys=True)
        digest = hashlib.sha256(request.encode()).hexdigest()[:16]
        offset = 0
        token = params.get("NextToken")
        if token:
            try:
                seen, at = base64.urlsafe_b64decode(token.encode()).decode().split(":")
                if seen != digest:
                    raise ValueError(token)
                offset = int(at)
            except ValueError as error:
                raise ApiError("InvalidPaginationToken", f"The pagination token {token!r} is not valid for this {action} request") from error
        end = offset + size
        following = base64.urlsafe_b64encode(f"{digest}:{end}".encode()).decode() if end < len(items) else None
        return items[offset:end], following

    def _filter_values(self, params: dict[str, str], name: str) -> set[str] | None:
        for key, value in params.items():
            if key.startswith("Filter.") and key.endswith(".Name") and value == name:
                prefix = key[: -len(".Name")] + ".Value."
                return {v for k, v in params.items() if k.startswith(prefix)}
        return None

    def handle(self, action: str, params: dict[str, str], request_id: str) -> tuple[int, str]:
        try:
            body = self._answer(action, params)
        except ApiError as error:
            from ipam_api import render_error

            return error.status, render_error(error.code, error.message, request_id)
        return 200, (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<{action}Response xmlns="{EC2_XMLNS}"><requestId>{request_id}</requestId>{body}</{action}Response>'
        )

    def _answer(self, action: str, params: dict[str, str]) -> str:
        if action == "DescribeAddresses":
            return "<addressesSet/>"
        if action == "DescribeVpcs":
            items = [
                "<item>" + _el("vpcId", vid) + _el("ownerId", ACCOUNT) + _el("cidrBlock", cidr) + _el("state", "available")
                + f"<cidrBlockAssociationSet><item>{_el('cidrBlock', cidr)}<cidrBlockState>{_el('state', 'associated')}</cidrBlockState></item></cidrBlockAssociationSet>"
                + "<tagSet/></item>"
                for vid, cidr in self.vpcs
            ]
            page, token = self._page(action, params, items)
            return f"<vpcSet>{''.join(page)}</vpcSet>{_el('nextToken', token)}"
        if action == "DescribeSubnets":
            items = [
                "<item>" + _el("subnetId", s.subnet_id) + _el("vpcId", s.vpc_id) + _el("ownerId", ACCOUNT)
                + _el("cidrBlock", f"{_dotted(s.base)}/24") + _el("availabilityZone", s.zone[0]) + _el("availabilityZoneId", s.zone[1])
                + _el("availableIpAddressCount", 256 - RESERVED_PER_SUBNET - s.used) + _el("state", "available")
                + f"<tagSet><item>{_el('key', 'Name')}{_el('value', f'pods-{s.subnet_id[-5:]}')}</item></tagSet></item>"
                for s in self.subnets
            ]
            page, token = self._page(action, params, items)
            return f"<subnetSet>{''.join(page)}</subnetSet>{_el('nextToken', token)}"
        if action == "DescribeNetworkInterfaces":
            by_subnet = self._filter_values(params, "subnet-id")
            by_vpc = self._filter_values(params, "vpc-id")
            items = [
                item
                for s in self.subnets
                if (by_subnet is None or s.subnet_id in by_subnet) and (by_vpc is None or s.vpc_id in by_vpc)
                for item in s.interfaces
            ]
            page, token = self._page(action, params, items)
            return f"<networkInterfaceSet>{''.join(page)}</networkInterfaceSet>{_el('nextToken', token)}"
        if action == "GetSubnetCidrReservations":
            subnet = self.by_id.get(params.get("SubnetId", ""))
            if subnet is None:
                raise ApiError("InvalidSubnetID.NotFound", f"The subnet ID '{params.get('SubnetId')}' does not exist")
            items = "".join(subnet.reservations)
            return f"<subnetIpv4CidrReservationSet>{items}</subnetIpv4CidrReservationSet><subnetIpv6CidrReservationSet/>"
        raise ApiError("UnsupportedOperation", f"the synthetic EC2 network does not answer {action}")
