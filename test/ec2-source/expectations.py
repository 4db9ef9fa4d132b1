"""rules.yaml in Python, and the JSON result it must produce for the seeded network.

The scopes' conditions and thresholds are restated here (the test also checks that the result
echoes the same thresholds), and the evaluation follows the documented semantics:
- critical before warning; at a level, utilization ≥ percent, free < minFree and utilization
  < minUtilization each reach it (percent comparisons allow 1e-9 for IpUsage × 100 rounding);
- a single address (usable = 1, an Elastic IP) is never running out: only minUtilization applies;
- a resource with no usage is unknown when a percent threshold (or no minFree) needs it;
- a scope's maxUtilization and minFreeAddresses leave single addresses out;
- resourcesInTrouble lists each (scope, resource) not ok, worst status first, then the fullest
  (utilization descending, unknown last), then the fewest free, then by id and CIDR.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from typing import Callable, Optional

from network import Expected

DEFAULTS = {"warning": 80, "critical": 90}
SEEDED_IPV4 = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("100.64.0.0/10")]
MAX_SAFE_INTEGER = 2**53 - 1
PERCENT_TOLERANCE = 1e-9
STATUS_RANK = {"critical": 0, "warning": 1, "unknown": 2, "ok": 3}
UNKNOWN_USAGE = "usage unknown: the source reports no utilization for this CIDR"
UNKNOWN_FREE = "free addresses unknown: the source reports no usage for this CIDR"


def _within_seeded(resource: Expected) -> bool:
    network = ipaddress.ip_network(resource.cidr)
    return any(network.version == block.version and network.subnet_of(block) for block in SEEDED_IPV4)


@dataclass(frozen=True)
class Scope:
    name: str
    description: str
    matches: Callable[[Expected], bool]
    own: dict  # thresholds the scope sets

    @property
    def thresholds(self) -> dict:
        return {**DEFAULTS, **self.own}


SCOPES = (
    Scope("every-subnet", "Every seeded IPv4 subnet, listed with its numbers.",
          lambda r: r.resource_type == "subnet" and _within_seeded(r), {"minFreeWarning": 1_000_000}),
    Scope("ipv6-subnets", "IPv6 subnet CIDRs, whose usage EC2 does not report.",
          lambda r: r.resource_type == "subnet" and r.family == "ipv6", {}),
    Scope("every-vpc-block", "Every seeded IPv4 VPC block, listed with its numbers.",
          lambda r: r.resource_type == "vpc" and _within_seeded(r), {"minFreeWarning": 1_000_000}),
    Scope("ipv6-vpc-blocks", "Amazon-provided IPv6 VPC blocks, listed with their numbers.",
          lambda r: r.resource_type == "vpc" and r.family == "ipv6", {"minFreeWarning": 10**22}),
    Scope("east-subnets", "IPv4 subnets in us-east-2.",
          lambda r: r.resource_type == "subnet" and r.region == "us-east-2" and _within_seeded(r),
          {"warning": 75, "critical": 95, "minFreeCritical": 5}),
    Scope("payments", "Everything the payments team owns.", lambda r: r.tags.get("team") == "payments", {}),
    Scope("idle-eips", "Elastic IPs that are billed while associated with nothing.",
          lambda r: r.resource_type == "eip", {"minUtilizationWarning": 100}),
    Scope("nobody", "A team that owns nothing.", lambda r: r.tags.get("team") == "nobody", {}),
)


# ---------------------------------------------------------------- numbers as the scanner prints them


def js_number(value) -> str:
    """A number as JavaScript's String(n) writes it, for the magnitudes used here."""
    number = float(value)
    if number.is_integer() and abs(number) < 1e16:
        return str(int(number))
    return repr(number)  # e.g. 1e+22, which both languages write alike


def percent_text(value: float) -> str:
    """The scanner's formatPercent: rounded down to one decimal."""
    floored = math.floor(value * 10 + PERCENT_TOLERANCE * 10) / 10
    return js_number(floored) if float(floored).is_integer() else repr(floored)


def json_count(value: int):
    """Address counts in the JSON result: a number up to 2^53 − 1, a decimal string beyond."""
    return value if value <= MAX_SAFE_INTEGER else str(value)


# ---------------------------------------------------------------- evaluation


def evaluate(resource: Expected, thresholds: dict) -> tuple[str, str]:
    """(status, reason) of one resource under one scope's thresholds."""
    utilization, free = resource.utilization, resource.free
    running_out = resource.usable > 1
    for level in ("critical", "warning"):
        suffix = level.capitalize()
        percent = thresholds.get(level)
        min_free = thresholds.get(f"minFree{suffix}")
        min_utilization = thresholds.get(f"minUtilization{suffix}")
        reasons = []
        if running_out and utilization is not None and percent is not None and utilization + PERCENT_TOLERANCE >= percent:
            reasons.append(f"utilization {percent_text(utilization)}% ≥ {level} {js_number(percent)}%")
        if running_out and free is not None and min_free is not None and free < math.ceil(min_free):
            reasons.append(f"{free} free address{'' if free == 1 else 'es'} < {level} minimum {js_number(min_free)}")
        if utilization is not None and min_utilization is not None and utilization + PERCENT_TOLERANCE < min_utilization:
            reasons.append(f"utilization {percent_text(utilization)}% < {level} minimum {js_number(min_utilization)}%")
        if reasons:
            return level, "; ".join(reasons)
    if not running_out:
        return ("unknown", UNKNOWN_USAGE) if utilization is None else ("ok", "within thresholds")
    any_percent = any(thresholds.get(k) is not None for k in ("warning", "critical", "minUtilizationWarning", "minUtilizationCritical"))
    any_min_free = any(thresholds.get(k) is not None for k in ("minFreeWarning", "minFreeCritical"))
    if (any_percent or not any_min_free) and utilization is None:
        return "unknown", UNKNOWN_USAGE
    if any_min_free and free is None:
        return "unknown", UNKNOWN_FREE
    return "ok", "within thresholds"


def trouble_entry(scope: Scope, resource: Expected, status: str, reason: str) -> dict:
    entry = {
        "scope": scope.name,
        "resourceId": resource.resource_id,
        "resourceType": resource.resource_type,
        "name": resource.name,
        "ownerId": resource.owner_id,
        "region": resource.region,
        "vpcId": resource.vpc_id,
        "cidr": resource.cidr,
        "status": status,
        "utilization": resource.utilization,
        "used": None if resource.used is None else json_count(resource.used),
        "free": None if resource.free is None else json_count(resource.free),
        "usable": json_count(resource.usable),
        "size": json_count(resource.size),
        "room": resource.room,
        "reason": reason,
    }
    return {k: v for k, v in entry.items() if v is not None}


def _order(entry_and_resource) -> tuple:
    entry, resource = entry_and_resource
    utilization, free = resource.utilization, resource.free
    return (
        STATUS_RANK[entry["status"]],
        utilization is None, -(utilization or 0.0),
        free is None, free or 0,
        resource.resource_id, resource.cidr,
    )


@dataclass
class ExpectedResult:
    scopes: list  # the JSON result's scopes[]
    trouble: list  # resourcesInTrouble, in order
    statuses: dict  # (scope, resource id, cidr) → status, ok included
    summary: dict
    scopes_without_matches: list
    uncovered: list  # Expected


def expected_zones(matched: list) -> list:
    """The scope's IPv4 subnets summed per Availability Zone, poorest first. No scope of rules.yaml sets
    minZoneFree thresholds, so every zone is ok."""
    by_zone: dict = {}
    for r in matched:
        if r.resource_type != "subnet" or r.family != "ipv4" or r.zone_id is None:
            continue
        zone = by_zone.setdefault(r.zone_id, {"availabilityZoneId": r.zone_id, "names": set(), "resourceCount": 0, "freeAddresses": 0})
        zone["names"].add(r.zone_name)
        zone["resourceCount"] += 1
        zone["freeAddresses"] += r.free
    zones = []
    for zone in by_zone.values():
        names = zone.pop("names")
        entry = {"availabilityZoneId": zone["availabilityZoneId"]}
        if len(names) == 1 and None not in names:
            entry["availabilityZone"] = next(iter(names))
        entry.update(resourceCount=zone["resourceCount"], freeAddresses=zone["freeAddresses"], status="ok", reason="within thresholds")
        zones.append(entry)
    return sorted(zones, key=lambda z: (z["freeAddresses"], z["availabilityZoneId"]))


def expected_result(resources: list) -> ExpectedResult:
    scopes, statuses, worst, trouble = [], {}, {}, []
    for scope in SCOPES:
        counts = {"critical": 0, "warning": 0, "unknown": 0, "ok": 0}
        max_utilization, min_free, matched = None, None, 0
        for resource in resources:
            if not scope.matches(resource):
                continue
            matched += 1
            status, reason = evaluate(resource, scope.thresholds)
            counts[status] += 1
            statuses[(scope.name, resource.resource_id, resource.cidr)] = status
            seen = worst.get(id(resource))
            if seen is None or STATUS_RANK[status] < STATUS_RANK[seen]:
                worst[id(resource)] = status
            if status != "ok":
                trouble.append((trouble_entry(scope, resource, status, reason), resource))
            if resource.usable > 1:
                if resource.utilization is not None:
                    max_utilization = resource.utilization if max_utilization is None else max(max_utilization, resource.utilization)
                if resource.free is not None:
                    min_free = resource.free if min_free is None else min(min_free, resource.free)
        scope_json = {
            "name": scope.name,
            "description": scope.description,
            "status": next((s for s in STATUS_RANK if counts[s] > 0), "ok"),
            "resourceCount": matched,
            "counts": counts,
            "thresholds": scope.thresholds,
            "resourceMetrics": False,
            "complete": True,  # the scenario's scans read every Region
        }
        if max_utilization is not None:
            scope_json["maxUtilization"] = max_utilization
        if min_free is not None:
            scope_json["minFreeAddresses"] = json_count(min_free)
        zones = expected_zones([r for r in resources if scope.matches(r)])
        if zones:
            scope_json["zones"] = zones
        scopes.append(scope_json)

    trouble.sort(key=_order)  # stable: ties keep the order of the scopes
    uncovered = [r for r in resources if id(r) not in worst]
    summary_counts = {"critical": 0, "warning": 0, "unknown": 0, "ok": 0}
    for status in worst.values():
        summary_counts[status] += 1
    without = [s["name"] for s in scopes if s["resourceCount"] == 0]
    return ExpectedResult(
        scopes=scopes,
        trouble=[entry for entry, _ in trouble],
        statuses=statuses,
        summary={
            "resources": len(resources),
            "scopes": len(SCOPES),
            "counts": summary_counts,
            "resourcesInTrouble": len(trouble),
            "scopesWithoutMatches": len(without),
            "uncovered": len(uncovered),
        },
        scopes_without_matches=without,
        uncovered=uncovered,
    )
