"""A generated IPAM inventory for benchmarks: N resource CIDRs, no moto.

Deterministic for a given (N, scopes, seed). The mix per private scope is about
one VPC to eight subnets (2% of subnets IPv6 without IpUsage, like IPAM reports
them); public scopes hold Elastic IPs. Every resource carries the tags env
(prod/dev/staging), team (five teams), cost-center (cc-00 … cc-49: one value
per benchmark rule scope) and Name; 5% carry monitoring=off. Owners are ten
accounts and resources spread over four regions.
"""

from __future__ import annotations

import ipaddress
import random

from ipam_api import Ipam, ResourceCidr, Scope

ACCOUNTS = tuple(f"1000000000{n:02d}" for n in range(10))
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2")
AZ_ID_PREFIX = {"us-east-1": "use1", "eu-west-1": "euw1", "ap-southeast-2": "apse2", "us-west-2": "usw2"}
ENVS = ("prod", "dev", "staging")
TEAMS = ("network", "payments", "data", "web", "ml")
COST_CENTERS = tuple(f"cc-{n:02d}" for n in range(50))
SUBNET_PREFIXES = (20, 22, 24, 24, 24, 26, 27, 28)
SYNTHETIC_IPAM_ID = "ipam-05e0000000000000a"
PUBLIC_SHARE = 0.1  # of N, when a public scope is served


def parse_scope_types(text: str) -> list[str]:
    """"private,public" → ["private", "public"]; a type may repeat to add non-default scopes."""
    types = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in types if t not in ("private", "public")]
    if not types or bad:
        raise ValueError(f"--scopes {text!r}: expected a comma list of 'private' and 'public'")
    return types


def _dotted(address: int) -> str:
    # ipaddress is exact but slow; 100,000 CIDRs are generated at start-up.
    return f"{address >> 24 & 255}.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"


def _usage(rng: random.Random, usable: int) -> float:
    # Mostly healthy, some warm, a few near full: every status appears at any N.
    roll = rng.random()
    if roll < 0.80:
        fraction = rng.uniform(0.0, 0.7)
    elif roll < 0.95:
        fraction = rng.uniform(0.7, 0.9)
    else:
        fraction = rng.uniform(0.9, 1.0)
    used = round(fraction * usable)
    return used / usable if usable else 1.0


class SyntheticInventory:
    static = True

    def __init__(self, count: int, scope_types: list[str], seed: int = 1, home_region: str = REGIONS[0]):
        if count < 0:
            raise ValueError(f"--synthetic {count}: the number of resource CIDRs must be ≥ 0")
        self.count = count
        self.rng = random.Random(seed)
        seen: dict[str, int] = {}
        scopes = []
        for index, scope_type in enumerate(scope_types):
            seen[scope_type] = seen.get(scope_type, 0) + 1
            scopes.append(Scope(f"ipam-scope-05e{index:014x}", scope_type, seen[scope_type] == 1, f"Synthetic {scope_type} scope {seen[scope_type]}"))
        self._ipam = Ipam(SYNTHETIC_IPAM_ID, ACCOUNTS[0], home_region, REGIONS, tuple(scopes), description="Synthetic IPAM")
        self._records: dict[str, list[ResourceCidr]] = {s.id: [] for s in scopes}
        self._generate(scopes)
        # Render every item now, so the first benchmark run costs the server what the later ones do.
        for records in self._records.values():
            for record in records:
                record.xml()

    def ipam(self) -> Ipam:
        return self._ipam

    def resource_cidrs(self, scope: Scope) -> list[ResourceCidr]:
        return self._records[scope.id]

    def _tags(self, name: str) -> tuple[tuple[str, str], ...]:
        rng = self.rng
        tags = [
            ("Name", name),
            ("cost-center", rng.choice(COST_CENTERS)),
            ("env", rng.choice(ENVS)),
            ("team", rng.choice(TEAMS)),
        ]
        if rng.random() < 0.05:
            tags.append(("monitoring", "off"))
        return tuple(sorted(tags))

    def _generate(self, scopes: list[Scope]) -> None:
        private = [s for s in scopes if s.type == "private"]
        public = [s for s in scopes if s.type == "public"]
        public_count = round(self.count * PUBLIC_SHARE) if public and private else (self.count if public else 0)
        private_count = self.count - public_count
        for i in range(public_count):
            self._records[public[i % len(public)].id].append(self._eip(public[i % len(public)], i))
        vpc_index = 0
        produced = 0
        while produced < private_count:
            scope = private[vpc_index % len(private)]
            batch = self._vpc_with_subnets(scope, vpc_index, private_count - produced)
            self._records[scope.id].extend(batch)
            produced += len(batch)
            vpc_index += 1

    def _eip(self, scope: Scope, i: int) -> ResourceCidr:
        rng = self.rng
        address = ipaddress.IPv4Address("52.0.0.0") + i
        return ResourceCidr(
            ipam_id=SYNTHETIC_IPAM_ID,
            scope_id=scope.id,
            resource_id=f"eipalloc-{i:017x}",
            resource_type="eip",
            cidr=f"{address}/32",
            region=rng.choice(REGIONS),
            owner_id=rng.choice(ACCOUNTS),
            tags=self._tags(f"eip-{i}"),
            ip_usage=1.0 if rng.random() < 0.8 else 0.0,
        )

    def _vpc_with_subnets(self, scope: Scope, v: int, room: int) -> list[ResourceCidr]:
        rng = self.rng
        vpc_id = f"vpc-{v:017x}"
        region = rng.choice(REGIONS)
        owner = rng.choice(ACCOUNTS)
        # 10.x.0.0/16 per VPC; accounts reuse the same space, as real organizations do.
        block = ipaddress.ip_network(f"10.{v % 256}.0.0/16")
        ipv6_block = ipaddress.ip_network(f"2600:1f18:{v % 65536:x}:{(v // 65536) % 256:x}00::/56")
        subnets: list[ResourceCidr] = []
        cursor = int(block.network_address)
        allocated = 0
        for k, prefix in enumerate(SUBNET_PREFIXES[: max(room - 1, 0)]):
            subnet_id = f"subnet-{v:011x}{k:06x}"
            common = dict(
                ipam_id=SYNTHETIC_IPAM_ID,
                scope_id=scope.id,
                resource_id=subnet_id,
                resource_type="subnet",
                region=region,
                owner_id=owner,
                tags=self._tags(f"subnet-{v}-{k}"),
                vpc_id=vpc_id,
                availability_zone_id=f"{AZ_ID_PREFIX[region]}-az{k % 3 + 1}",
            )
            if rng.random() < 0.02:
                ipv6 = ipaddress.IPv6Network((int(ipv6_block.network_address) + (k << 64), 64))
                subnets.append(ResourceCidr(cidr=str(ipv6), **common))
                continue
            size = 1 << (32 - prefix)
            cursor = (cursor + size - 1) // size * size  # align
            cidr = f"{_dotted(cursor)}/{prefix}"
            cursor += size
            allocated += size
            subnets.append(ResourceCidr(cidr=cidr, ip_usage=_usage(rng, size - 5), **common))
        vpc = ResourceCidr(
            ipam_id=SYNTHETIC_IPAM_ID,
            scope_id=scope.id,
            resource_id=vpc_id,
            resource_type="vpc",
            cidr=str(block),
            region=region,
            owner_id=owner,
            tags=self._tags(f"vpc-{v}"),
            ip_usage=allocated / block.num_addresses,
            vpc_id=vpc_id,
        )
        return [vpc] + subnets
