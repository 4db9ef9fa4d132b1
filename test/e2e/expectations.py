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


@dataclass(frozen=True)
class ScopeExpectation:
    name: str
    matches: Callable[[Record], bool]
    status: Callable[[Record], Status]
    # In the alarm descriptions the module writes, e.g. "utilization >= 90%".
    critical_terms: tuple[str, ...]
    warning_terms: tuple[str, ...]


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
    ),
    ScopeExpectation(
        "vpc-allocation",
        lambda r: r["resourceType"] == "vpc" and r["addressFamily"] == "ipv4",
        percent_used(85, 95),
        ("utilization >= 95%",),
        ("utilization >= 85%",),
    ),
    ScopeExpectation(
        "idle-elastic-ips",
        lambda r: r["resourceType"] == "eip",
        idle_below(1),
        ("the scope has no critical threshold",),
        ("utilization < 1%",),
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
    return ScopeReport(scope.name, metrics, trouble, records)


def expected_report(manifest: dict) -> dict[str, ScopeReport]:
    return {scope.name: expected_scope(scope, manifest) for scope in SCOPES}


def trouble_by_key(report: dict[str, ScopeReport], manifest: dict) -> dict[str, dict[str, Status]]:
    """The resources in trouble named by their manifest keys, for comparison with INITIAL_TROUBLE."""
    keys = {resource_id: key for key, resource_id in manifest["ids"].items()}
    return {name: {keys.get(rid, rid): status for rid, status in scope.trouble.items()} for name, scope in report.items()}
