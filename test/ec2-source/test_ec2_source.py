"""`ipam-monitor scan --source ec2` against moto: every number of the JSON result, and the table.

Expected values come from network.py (worked out from the seeding plan) and expectations.py
(rules.yaml restated); only ids, the Amazon IPv6 block, public IPs and moto's default VPCs are
taken from moto.
"""

from __future__ import annotations

import json
import re
import unittest
from collections import Counter

import jsonschema

import expectations
import network
import scenario

SCHEMA = json.loads((scenario.REPO / "lambda" / "schema" / "result.schema.json").read_text())


class ScanTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls) -> None:
        cls.scenario = scenario.get()
        cls.result = cls.scenario.result
        cls.resources = cls.scenario.seeded.expected
        cls.expected = expectations.expected_result(cls.resources)

    def resource(self, key: str, family: str = "ipv4", cidr: str | None = None) -> network.Expected:
        found = [r for r in self.resources if r.key == key and r.family == family and (cidr is None or r.cidr == cidr)]
        self.assertEqual(len(found), 1, f"the plan has {len(found)} {family} resources {key} {cidr or ''}")
        return found[0]

    def entry(self, scope: str, resource: network.Expected) -> dict:
        found = [e for e in self.result["resourcesInTrouble"]
                 if e["scope"] == scope and e["resourceId"] == resource.resource_id and e["cidr"] == resource.cidr]
        self.assertEqual(len(found), 1, f"{resource.key} {resource.cidr} is listed {len(found)} times in scope {scope}")
        return found[0]

    def scope(self, name: str) -> dict:
        return next(s for s in self.result["scopes"] if s["name"] == name)


class TheResult(ScanTest):
    def test_is_valid_against_the_result_schema(self):
        jsonschema.Draft7Validator(SCHEMA).validate(self.result)

    def test_is_a_complete_dry_run_of_the_ec2_source_with_nothing_left_out(self):
        self.assertEqual(
            {k: self.result.get(k) for k in ("source", "complete", "dryRun", "errors", "published", "notification", "truncated")},
            {"source": "ec2", "complete": True, "dryRun": True, "errors": [], "published": None, "notification": None,
             "truncated": {"units": 0, "fillingUp": 0, "roomForSubnets": 0, "noLongerMeasured": 0, "resourcesInTrouble": 0, "uncoveredSample": 0, "errors": 0, "scopesWithoutMatches": 0, "scopes": 0}},
        )

    def test_the_scan_takes_well_under_a_minute(self):
        self.assertLess(self.scenario.json_run.seconds, 20, "seconds the JSON scan took")


class ApiCalls(ScanTest):
    def calls(self) -> list:
        return self.scenario.json_run.calls

    def test_each_region_is_read_with_one_call_of_each_describe_action_and_nothing_else(self):
        counted = Counter((c["action"], c["region"]) for c in self.calls())
        expected = Counter({(action, region): 1 for region in network.REGIONS for action in ("DescribeVpcs", "DescribeSubnets", "DescribeAddresses")})
        self.assertEqual(counted, expected)

    def test_vpcs_and_subnets_are_read_1000_per_page_without_any_filter(self):
        paged = [c for c in self.calls() if c["action"] in ("DescribeVpcs", "DescribeSubnets")]
        self.assertEqual(len(paged), 2 * len(network.REGIONS))
        for call in paged:
            with self.subTest(action=call["action"], region=call["region"]):
                self.assertEqual(call["params"].get("MaxResults"), "1000")
                self.assertEqual([p for p in call["params"] if p.startswith("Filter")], [], "a tag filter hides untagged subnets")


class SeededMoto(ScanTest):
    """moto must hold what was seeded before its numbers mean anything; network.seed() already
    refuses to go on otherwise. These pin the few counts the other tests rely on."""

    def test_moto_counts_one_available_address_less_per_private_ip(self):
        self.assertEqual(self.scenario.seeded.available,
                         {p.key: network.usable_addresses("subnet", p.cidr) - p.used for v in network.NETWORK for p in v.subnets if p.cidr})

    def test_the_holes_vpc_has_a_25_as_its_largest_free_block_and_no_free_24(self):
        # Worked out by hand: free are .0.64/26, .0.128/25, .2.0/25, .2.144/28, .2.160/27, .2.192/26, .3.128/25.
        self.assertEqual(self.resource("holes").room, {"largestFreePrefix": 25, "freeSlash24": 0, "freeSlash28": 35})


class Subnets(ScanTest):
    def test_every_ipv4_subnet_is_listed_with_its_size_free_and_utilization(self):
        # size, free = usable − used and utilization = used ÷ usable × 100, all exact: with size
        # given, the two equations pin usable (size − 5) and used.
        for r in self.resources:
            if r.resource_type != "subnet" or r.family != "ipv4" or not r.seeded:
                continue
            with self.subTest(subnet=r.key):
                entry = self.entry("every-subnet", r)
                self.assertEqual((entry["size"], entry["free"], entry["utilization"]), (r.size, r.usable - r.used, r.used / (r.size - 5) * 100))

    def test_an_empty_subnet_is_0_percent_used_although_aws_reserves_5_addresses(self):
        entry = self.entry("every-subnet", self.resource("holes-a"))
        self.assertEqual((entry["size"], entry["free"], entry["utilization"]), (64, 59, 0))

    def test_a_full_28_has_11_usable_addresses_and_none_free(self):
        entry = self.entry("every-subnet", self.resource("core-tiny"))
        self.assertEqual((entry["size"], entry["free"], entry["utilization"], entry["status"]), (16, 0, 100, "critical"))

    def test_a_16_subnet_filling_its_16_vpc_has_65531_usable_addresses(self):
        entry = self.entry("every-subnet", self.resource("carved-all"))
        self.assertEqual((entry["size"], entry["free"], entry["utilization"]), (65536, 65231, 300 / 65531 * 100))

    def test_a_subnet_in_the_secondary_block_belongs_to_its_vpc(self):
        entry = self.entry("every-subnet", self.resource("core-pods"))
        self.assertEqual((entry["cidr"], entry["vpcId"], entry["free"]), ("100.64.0.0/22", self.scenario.seeded.ids["core"], 979))

    def test_a_subnet_without_any_tag_is_reported_without_a_name(self):
        untagged = self.resource("holes-untagged")
        entry = self.entry("every-subnet", untagged)
        self.assertEqual((entry["resourceId"], "name" in entry, entry["free"]), (untagged.resource_id, False, 8))

    def test_a_dual_stack_subnet_is_one_resource_per_cidr(self):
        ids = self.scenario.seeded.ids
        cidrs = sorted(e["cidr"] for e in self.result["resourcesInTrouble"] if e["resourceId"] == ids["dual-stack"] and e["scope"] in ("every-subnet", "ipv6-subnets"))
        self.assertEqual(cidrs, sorted([self.resource("dual-stack").cidr, self.resource("dual-stack", "ipv6").cidr]))

    def test_ipv6_subnets_are_unknown_with_their_size_and_no_usage(self):
        # moto cannot keep IPv6 usage, and EC2 does not report it: unknown, never 0% used.
        for key in ("dual-stack", "v6-only"):
            with self.subTest(subnet=key):
                r = self.resource(key, "ipv6")
                entry = self.entry("ipv6-subnets", r)
                self.assertEqual({k: entry.get(k) for k in ("status", "size", "utilization", "free", "reason")},
                                 {"status": "unknown", "size": str(2**64), "utilization": None, "free": None, "reason": expectations.UNKNOWN_USAGE})

    def test_an_ipv6_only_subnet_is_reported_by_its_64_alone(self):
        ids = self.scenario.seeded.ids
        listed = [e["cidr"] for e in self.result["resourcesInTrouble"] if e["resourceId"] == ids["v6-only"]]
        self.assertEqual(listed, [self.resource("v6-only", "ipv6").cidr])


class VpcBlocks(ScanTest):
    def test_every_ipv4_vpc_block_is_as_used_as_the_share_its_subnets_take(self):
        for r in self.resources:
            if r.resource_type != "vpc" or r.family != "ipv4" or not r.seeded:
                continue
            with self.subTest(vpc=r.key, cidr=r.cidr):
                entry = self.entry("every-vpc-block", r)
                self.assertEqual((entry["size"], entry["free"], entry["utilization"]), (r.size, r.size - r.used, r.used / r.size * 100))

    def test_primary_and_secondary_blocks_are_measured_each_on_its_own(self):
        core = {cidr: self.entry("every-vpc-block", self.resource("core", cidr=cidr)) for cidr in ("10.1.0.0/16", "100.64.0.0/20")}
        self.assertEqual({cidr: (e["free"], e["utilization"]) for cidr, e in core.items()},
                         {"10.1.0.0/16": (65536 - 4368, 4368 / 65536 * 100), "100.64.0.0/20": (3072, 25.0)})

    def test_a_vpc_carved_into_one_subnet_is_fully_allocated(self):
        entry = self.entry("every-vpc-block", self.resource("carved"))
        self.assertEqual((entry["free"], entry["utilization"], entry["status"]), (0, 100, "critical"))

    def test_a_vpc_with_holes_counts_only_what_its_subnets_take(self):
        entry = self.entry("every-vpc-block", self.resource("holes"))
        self.assertEqual((entry["size"], entry["free"], entry["utilization"]), (1024, 560, 464 / 1024 * 100))

    def test_the_amazon_ipv6_block_counts_two_64s_of_its_56_as_allocated(self):
        r = self.resource("dual", "ipv6")
        entry = self.entry("ipv6-vpc-blocks", r)
        self.assertEqual((entry["size"], entry["free"], entry["utilization"]), (str(2**72), str(2**72 - 2 * 2**64), 2 * 2**64 / 2**72 * 100))

    def test_vpc_blocks_report_the_room_left_for_new_subnets(self):
        # `room` of each VPC block entry: the largest free block (absent when full) and the free /24
        # and /28 blocks, or /64 blocks for an IPv6 block, as network.room_for_subnets works them out.
        for r in self.resources:
            if r.resource_type != "vpc" or not r.seeded:
                continue
            with self.subTest(vpc=r.key, cidr=r.cidr):
                scope = "ipv6-vpc-blocks" if r.family == "ipv6" else "every-vpc-block"
                self.assertEqual(self.entry(scope, r).get("room"), r.room)


class ElasticIps(ScanTest):
    def test_an_idle_elastic_ip_is_listed_as_one_address_with_nothing_used(self):
        for key in ("eip-east-idle", "eip-west-idle"):
            with self.subTest(eip=key):
                entry = self.entry("idle-eips", self.resource(key))
                self.assertEqual({k: entry.get(k) for k in ("size", "free", "utilization", "status")}, {"size": 1, "free": 1, "utilization": 0, "status": "warning"})

    def test_an_associated_elastic_ip_is_in_use_and_not_in_trouble(self):
        scope = self.scope("idle-eips")
        associated = {self.scenario.seeded.ids[k] for k in ("eip-east-web", "eip-west-nat")}
        listed = {e["resourceId"] for e in self.result["resourcesInTrouble"] if e["scope"] == "idle-eips"}
        self.assertEqual((scope["counts"]["ok"], listed & associated), (2, set()))

    def test_elastic_ips_leave_the_scope_maximum_and_minimum_unset(self):
        scope = self.scope("idle-eips")
        self.assertEqual(("maxUtilization" in scope, "minFreeAddresses" in scope), (False, False))


class Evaluation(ScanTest):
    def test_every_resource_in_trouble_is_listed_with_exactly_its_expected_fields(self):
        key = lambda e: (e["scope"], e["resourceId"], e["cidr"])  # noqa: E731
        actual = {key(e): e for e in self.result["resourcesInTrouble"]}
        expected = {key(e): e for e in self.expected.trouble}
        self.assertEqual(sorted(actual), sorted(expected), "which (scope, resource, CIDR) are in trouble")
        for k, entry in expected.items():
            with self.subTest(scope=k[0], resource=k[1], cidr=k[2]):
                self.assertEqual(actual[k], entry)

    def test_resources_in_trouble_are_listed_worst_first_then_fullest_first(self):
        order = lambda entries: [(e["scope"], e["resourceId"], e["cidr"]) for e in entries]  # noqa: E731
        self.assertEqual(order(self.result["resourcesInTrouble"]), order(self.expected.trouble))

    def test_a_realistic_scope_holds_ok_warning_and_critical_resources(self):
        # east-subnets: warning 75%, critical 95%, critical below 5 free.
        listed = {e["resourceId"]: e["status"] for e in self.result["resourcesInTrouble"] if e["scope"] == "east-subnets"}
        ids = self.scenario.seeded.ids
        keys = ("core-app", "core-db", "core-tiny", "holes-b", "holes-untagged", "holes-d")
        self.assertEqual(
            ({key: listed.get(ids[key], "ok") for key in keys}, self.scope("east-subnets")["counts"]),
            ({"core-app": "ok", "core-db": "warning", "core-tiny": "critical", "holes-b": "warning", "holes-untagged": "ok", "holes-d": "critical"},
             {"critical": 2, "warning": 2, "unknown": 0, "ok": 6}),
        )

    def test_each_scope_reports_its_counts_status_maximum_minimum_and_thresholds(self):
        actual = {s["name"]: s for s in self.result["scopes"]}
        self.assertEqual(list(actual), [s.name for s in expectations.SCOPES])
        for scope in self.expected.scopes:
            with self.subTest(scope=scope["name"]):
                self.assertEqual(actual[scope["name"]], scope)

    def test_the_summary_counts_each_resource_cidr_once_at_its_worst_status(self):
        self.assertEqual(self.result["summary"], self.expected.summary)

    def test_a_scope_that_matches_nothing_is_named(self):
        self.assertEqual(self.result["scopesWithoutMatches"], ["nobody"])

    def test_moto_default_vpcs_of_both_regions_are_collected_but_uncovered(self):
        uncovered = sorted((r.region, r.resource_type, r.resource_id, r.cidr, r.owner_id) for r in self.expected.uncovered)
        self.assertEqual(
            (self.result["uncoveredCount"], sorted((u["region"], u["resourceType"], u["resourceId"], u["cidr"], u.get("ownerId")) for u in self.result["uncoveredSample"])),
            (len(uncovered), uncovered),
        )
        self.assertEqual({r.region for r in self.expected.uncovered}, set(network.REGIONS))

    def test_resources_of_both_regions_are_reported(self):
        regions = {e["region"] for e in self.result["resourcesInTrouble"]}
        self.assertEqual(regions, set(network.REGIONS))


class TableReport(ScanTest):
    def lines(self) -> list:
        return self.scenario.table_run.stdout.splitlines()

    def test_names_every_resource_in_trouble_with_its_scope_and_status(self):
        section = self.lines()
        start = next(i for i, line in enumerate(section) if line.startswith("RESOURCES IN TROUBLE"))
        self.assertEqual(section[start], f"RESOURCES IN TROUBLE ({len(self.expected.trouble)}, worst first)")
        rows = section[start + 2 : start + 2 + len(self.expected.trouble)]
        for row, entry in zip(rows, self.expected.trouble):
            with self.subTest(scope=entry["scope"], resource=entry["resourceId"], cidr=entry["cidr"]):
                cells = re.split(r"\s{2,}", row.strip())
                self.assertEqual(cells[:3], [entry["scope"], entry["status"].upper(), entry["resourceId"]])
                self.assertIn(entry["cidr"], cells)
                self.assertIn(entry.get("name", "-"), cells)

    def test_fail_on_critical_exits_1_and_counts_the_critical_resource_cidrs(self):
        run = self.scenario.table_run
        critical = self.expected.summary["counts"]["critical"]
        self.assertEqual((run.returncode, run.stderr.strip().splitlines()[-1]),
                         (1, f"ipam-monitor: {critical} resource CIDRs are at critical or worse (--fail-on critical)."))


if __name__ == "__main__":
    unittest.main()
