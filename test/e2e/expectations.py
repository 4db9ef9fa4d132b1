"""What the monitor must report for the seeded network under examples/demo/ipam-rules.yaml.

Written out by hand, scope by scope, from the rules file: which manifest records each scope matches
and the status each threshold gives them. The manifest (test/emulator/seed.py) holds the expected
IPAM view of the network, so these are independent of the scanner's code. Change this file together
with the rules file.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Callable

Record = dict
Status = str  # critical, warning, unknown or ok

STATUS_RANK = {"critical": 0, "warning": 1, "unknown": 2, "ok": 3}
# CloudWatch stores doubles; the scanner clamps counts to the largest exact one.
MAX_METRIC_COUNT = 2**53 - 1


def _utilization(record: Record) -> float | None:
    return record["utilization"]


def _free(record: Record) -> int | None:
    return None if record["free"] is None else int(record["free"])


def _running_out(record: Record) -> bool:
    """A single address (an Elastic IP) is in use or idle, never running out."""
    return int(record["usable"]) > 1


# Thresholds on running out (percent used, free addresses) leave single addresses ok; the idle
# threshold (percent used below) applies to every resource.
def percent_used(warning: float, critical: float) -> Callable[[Record], Status]:
    def status(record: Record) -> Status:
        used = _utilization(record)
        if used is None:
            return "unknown"
        if not _running_out(record):
            return "ok"
        if used >= critical:
            return "critical"
        if used >= warning:
            return "warning"
        return "ok"

    return status


def free_addresses(warning_below: int, critical_below: int) -> Callable[[Record], Status]:
    def status(record: Record) -> Status:
        free = _free(record)
        if not _running_out(record):
            return "unknown" if _utilization(record) is None else "ok"
        if free is None:
            return "unknown"
        if free < critical_below:
            return "critical"
        if free < warning_below:
            return "warning"
        return "ok"

    return status


def idle_below(warning_below: float) -> Callable[[Record], Status]:
    def status(record: Record) -> Status:
        used = _utilization(record)
        if used is None:
            return "unknown"
        return "warning" if used < warning_below else "ok"

    return status


def _tag(record: Record, key: str) -> str | None:
    return (record.get("tags") or {}).get(key)


def _within(record: Record, block: str) -> bool:
    cidr = ipaddress.ip_network(record["cidr"])
    outer = ipaddress.ip_network(block)
    return cidr.version == outer.version and cidr.subnet_of(outer)


# ---------------------------------------------------------------- allocatable capacity

PREFIX_ADDRESSES = 16  # an IPv4 prefix delegated to an interface is an aligned /28


def capacity(record: Record) -> dict:
    """freePrefixes, assignableAddresses and largestFreeBlock of a seeded IPv4 subnet, worked out
    here from the addresses of the interfaces the seed placed in it (no reservations): a /28 block
    is free when it holds none of the five addresses AWS reserves and no address in use."""
    network = ipaddress.ip_network(record["cidr"])
    base, size = int(network.network_address), network.num_addresses
    taken = {int(ipaddress.IPv4Address(a)) - base for i in record.get("interfaces", []) for a in i["addresses"]}
    taken |= {0, 1, 2, 3, size - 1}

    def free_blocks(length: int) -> int:
        block = 2 ** (32 - length)
        return sum(1 for start in range(0, size, block) if not taken & set(range(start, start + block)))

    largest = next((length for length in range(network.prefixlen, 29) if free_blocks(length) > 0), None)
    return {"freePrefixes": free_blocks(28), "assignableAddresses": size - len(taken), "largestFreeBlock": largest}


def free_prefixes(warning_below: int, critical_below: int) -> Callable[[Record], Status]:
    def status(record: Record) -> Status:
        free = capacity(record)["freePrefixes"]
        if free < critical_below:
            return "critical"
        if free < warning_below:
            return "warning"
        return "ok"

    return status


def zone_sums(records: list[Record]) -> dict[str, int]:
    """Free addresses of a scope's IPv4 subnets summed per Availability Zone id."""
    sums: dict[str, int] = {}
    for r in records:
        if r["resourceType"] == "subnet" and r["addressFamily"] == "ipv4":
            sums[r["availabilityZoneId"]] = sums.get(r["availabilityZoneId"], 0) + int(r["free"])
    return sums


def capacity_metrics(records: list[Record]) -> dict[str, float | None]:
    figures = [capacity(r) for r in records if r["resourceType"] == "subnet" and r["addressFamily"] == "ipv4"]
    zones = zone_sums(records)
    return {
        "MinFreePrefixes": min(f["freePrefixes"] for f in figures) if figures else None,
        "MinAssignableAddresses": min(f["assignableAddresses"] for f in figures) if figures else None,
        "MinZoneFreeAddresses": min(zones.values()) if zones else None,
    }


def zone_status(warning_below: int, critical_below: int) -> Callable[[int], Status]:
    def status(free: int) -> Status:
        return "critical" if free < critical_below else "warning" if free < warning_below else "ok"

    return status


ZONE_KEY = "zone "  # how a zone in trouble is keyed beside resources: "zone use1-az1", as the notification names it


@dataclass(frozen=True)
class ScopeExpectation:
    name: str
    matches: Callable[[Record], bool]
    status: Callable[[Record], Status]
    # In the alarm descriptions the module writes, e.g. "utilization >= 90%".
    critical_terms: tuple[str, ...]
    warning_terms: tuple[str, ...]
    # Scopes with capacity: true or minZoneFree*: their extra metrics, and each zone's status.
    extra_metrics: Callable[[list[Record]], dict[str, float | None]] | None = None
    zone: Callable[[int], Status] | None = None
    # Alarms on MinZoneFreeAddresses: kind -> threshold.
    zone_alarms: tuple[tuple[str, float], ...] = ()
    # The module alarms on UnknownCount for scopes that hold only IPv4 resources.
    unknown_alarm: bool = False


SCOPES: list[ScopeExpectation] = [
    ScopeExpectation(
        "prod-subnets",
        lambda r: r["resourceType"] == "subnet" and _tag(r, "environment") == "prod",
        percent_used(80, 90),
        ("utilization >= 90%",),
        ("utilization >= 80%",),
    ),
    ScopeExpectation(
        "dev-subnets",
        lambda r: r["resourceType"] == "subnet" and (_tag(r, "environment") or "").startswith("dev") and _tag(r, "monitoring") != "off",
        percent_used(85, 95),
        ("utilization >= 95%",),
        ("utilization >= 85%",),
    ),
    ScopeExpectation(
        "eks-pods",
        lambda r: r["resourceType"] == "subnet" and _within(r, "100.64.0.0/10"),
        free_addresses(100, 50),
        ("free addresses < 50",),
        ("free addresses < 100",),
        unknown_alarm=True,
    ),
    ScopeExpectation(
        "vpc-allocation",
        lambda r: r["resourceType"] == "vpc" and r["addressFamily"] == "ipv4",
        percent_used(85, 95),
        ("utilization >= 95%",),
        ("utilization >= 85%",),
        unknown_alarm=True,
    ),
    ScopeExpectation(
        "eks-nodes",
        lambda r: r["resourceType"] == "subnet" and _tag(r, "cluster") == "prod-eks",
        free_prefixes(4, 1),
        ("free /28 prefixes < 1",),
        ("free /28 prefixes < 4",),
        extra_metrics=capacity_metrics,
        zone=zone_status(150, 50),
        zone_alarms=(("zone-free-warning", 150.0), ("zone-free-critical", 50.0)),
    ),
    ScopeExpectation(
        "idle-elastic-ips",
        lambda r: r["resourceType"] == "eip",
        idle_below(1),
        ("the scope has no critical threshold",),
        ("utilization < 1%",),
        unknown_alarm=True,
    ),
]

SCOPE_NAMES = [scope.name for scope in SCOPES]

# The picture right after seeding, by manifest key: a guard that the seeded network and the
# expectations above still tell the story the test and the demo are about.
INITIAL_TROUBLE: dict[str, dict[str, Status]] = {
    "prod-subnets": {"prod-pods": "critical", "prod-db-a": "warning", "prod-tiny-a": "warning", "prod-dual": "unknown", "prod-v6only": "unknown"},
    "dev-subnets": {},
    "eks-pods": {"prod-pods": "critical"},
    "vpc-allocation": {"shared-services": "warning"},
    # About half used, no free /28 left; its zone has fewer free addresses than the scope's minimum.
    "eks-nodes": {"eks-nodes-a": "critical", "zone of eks-nodes-a": "warning"},
    "idle-elastic-ips": {"eip-spare": "warning"},
}


@dataclass
class ScopeReport:
    """The metrics one scope must publish after a complete scan, and its resources in trouble."""

    name: str
    metrics: dict[str, float | None]  # None: no datum at all
    trouble: dict[str, Status]  # resource id -> worst status over its CIDRs, ok left out
    records: list[Record]


def expected_scope(scope: ScopeExpectation, manifest: dict) -> ScopeReport:
    records = [r for r in manifest["resources"] if scope.matches(r)]
    counts = {"critical": 0, "warning": 0, "unknown": 0, "ok": 0}
    trouble: dict[str, Status] = {}
    for record in records:
        status = scope.status(record)
        counts[status] += 1
        if status != "ok":
            previous = trouble.get(record["resourceId"])
            if previous is None or STATUS_RANK[status] < STATUS_RANK[previous]:
                trouble[record["resourceId"]] = status
    # Over resources of more than one address only (docs/architecture.md, metric contract).
    measured = [r for r in records if _running_out(r)]
    utilizations = [r["utilization"] for r in measured if r["utilization"] is not None]
    frees = [int(r["free"]) for r in measured if r["free"] is not None]
    metrics: dict[str, float | None] = {
        "ResourceCount": len(records),
        "WarningCount": counts["warning"],
        "CriticalCount": counts["critical"],
        "UnknownCount": counts["unknown"],
        "MaxUtilization": max(utilizations) if utilizations else None,
        "MinFreeAddresses": min(min(frees), MAX_METRIC_COUNT) if frees else None,
    }
    if scope.extra_metrics is not None:
        metrics.update(scope.extra_metrics(records))
    if scope.zone is not None:
        for zone_id, free in sorted(zone_sums(records).items()):
            if scope.zone(free) != "ok":
                trouble[f"{ZONE_KEY}{zone_id}"] = scope.zone(free)
    return ScopeReport(scope.name, metrics, trouble, records)


def expected_report(manifest: dict) -> dict[str, ScopeReport]:
    return {scope.name: expected_scope(scope, manifest) for scope in SCOPES}


def trouble_by_key(report: dict[str, ScopeReport], manifest: dict) -> dict[str, dict[str, Status]]:
    """The resources in trouble named by their manifest keys, for comparison with INITIAL_TROUBLE."""
    keys = {resource_id: key for key, resource_id in manifest["ids"].items()}

    def named(scope: ScopeReport, rid: str) -> str:
        if rid.startswith(ZONE_KEY):  # a zone: by the first subnet of the scope in it
            zone_id = rid[len(ZONE_KEY) :]
            return "zone of " + min(keys.get(r["resourceId"], r["resourceId"]) for r in scope.records if r.get("availabilityZoneId") == zone_id)
        return keys.get(rid, rid)

    return {name: {named(scope, rid): status for rid, status in scope.trouble.items()} for name, scope in report.items()}


# ---------------------------------------------------------------- the EC2 source's view

# AWS reserves the first four addresses and the last of every IPv4 subnet.
RESERVED_PER_IPV4_SUBNET = 5
ASSOCIATED = "associated"


def _measured(record: Record, used: int | None, usable: int) -> Record:
    """The record with usage `used` of `usable` addresses, as the scanner computes it (doubles)."""
    return {
        **record,
        "usable": str(usable),
        "used": None if used is None else str(used),
        "free": None if used is None else str(usable - used),
        "utilization": None if used is None else used / usable * 100,
    }


def ec2_view(manifest: dict, regions: list[str], subnet_ipv6_states: dict[tuple[str, str], str]) -> dict:
    """What the EC2 source reports for the seeded network, as a manifest of its own, worked out from
    the IPAM view in the manifest by the EC2 source's rules:

    - only the Regions it is asked to read (the IPAM view has every Region the IPAM manages);
    - an IPv4 subnet: usable = size - 5 and used = usable - AvailableIpAddressCount, where
      AvailableIpAddressCount = usable - (addresses in use); the seeder checks moto's count after
      every change, so these are the IPAM layer's numbers;
    - a subnet's IPv6 CIDR: usage unknown (EC2 does not count IPv6 addresses), and reported only
      while its association state is "associated". `subnet_ipv6_states` holds the state EC2 returns
      for each (subnet id, IPv6 CIDR);
    - a VPC CIDR block: used = the addresses of the subnet CIDRs of this VPC that the EC2 view has
      inside the block (the allocation), of its whole size;
    - an Elastic IP: 1 address, used while associated;
    - moto's default VPC and its subnets in each Region are there, as in the IPAM view.
    """
    scanned = [r for r in manifest["resources"] if r["region"] in regions]
    resources: list[Record] = []
    for record in scanned:
        if record["resourceType"] != "subnet":
            continue
        size = int(record["size"])
        if record["addressFamily"] == "ipv4":
            usable = size - RESERVED_PER_IPV4_SUBNET
            available = usable - int(record["used"])
            resources.append(_measured(record, usable - available, usable))
        elif subnet_ipv6_states.get((record["resourceId"], record["cidr"])) == ASSOCIATED:
            resources.append(_measured(record, None, size))
    for record in scanned:
        if record["resourceType"] == "vpc":
            block = ipaddress.ip_network(record["cidr"])
            children = [ipaddress.ip_network(r["cidr"]) for r in resources if r["resourceType"] == "subnet" and r["vpcId"] == record["resourceId"]]
            allocated = sum(child.num_addresses for child in children if child.version == block.version and child.subnet_of(block))
            resources.append(_measured(record, allocated, block.num_addresses))
        elif record["resourceType"] == "eip":
            resources.append(_measured(record, int(record["used"]), 1))
    return {"ids": manifest["ids"], "resources": resources}


def subnet_ipv6_cidrs(manifest: dict) -> list[tuple[str, str]]:
    """(subnet id, IPv6 CIDR) of every subnet IPv6 CIDR in the manifest."""
    return [(r["resourceId"], r["cidr"]) for r in manifest["resources"] if r["resourceType"] == "subnet" and r["addressFamily"] == "ipv6"]


# The EC2 view right after seeding, when EC2 reports the subnets' IPv6 CIDRs as associated: the IPAM
# view's picture. Every number in the demo's scopes is the same in both views.
EC2_INITIAL_TROUBLE = INITIAL_TROUBLE
EC2_DIFFERENCES: dict[str, dict[str, tuple]] = {}

# The same when EC2 returns another association state for them. moto 5 writes the state of a
# subnet's IPv6 association as "{'State': 'associated'}" (a dict printed into the XML), so the EC2
# source, which reports a CIDR only in the associated state, does not see them: the dual-stack
# subnet keeps only its IPv4 CIDR and the IPv6-only subnet is missing, and with them the two
# resources of unknown usage in prod-subnets. (IPv6 VPC blocks then count no allocation; no scope
# of the demo reads them.)
EC2_INITIAL_TROUBLE_WITHOUT_SUBNET_IPV6: dict[str, dict[str, Status]] = {
    **INITIAL_TROUBLE,
    "prod-subnets": {key: status for key, status in INITIAL_TROUBLE["prod-subnets"].items() if key not in ("prod-dual", "prod-v6only")},
}
# scope -> metric -> (IPAM view, EC2 view)
EC2_DIFFERENCES_WITHOUT_SUBNET_IPV6: dict[str, dict[str, tuple]] = {"prod-subnets": {"ResourceCount": (13, 11), "UnknownCount": (2, 0)}}


def metric_differences(ipam: dict[str, ScopeReport], ec2: dict[str, ScopeReport]) -> dict[str, dict[str, tuple]]:
    """scope -> metric -> (IPAM value, EC2 value), for the metrics that differ."""
    differences = {}
    for name, scope in ipam.items():
        changed = {metric: (value, ec2[name].metrics[metric]) for metric, value in scope.metrics.items() if ec2[name].metrics[metric] != value}
        if changed:
            differences[name] = changed
    return differences
