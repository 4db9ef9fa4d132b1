"""The end-to-end test's own helpers, without the emulator: that each check can fail.

Run by e2e.py before the deployment (its counts join the closing line), or alone:
  python3 -B test/e2e/test_helpers.py
"""

from __future__ import annotations

import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
sys.path.insert(0, str(Path(__file__).resolve().parent))

import e2e  # noqa: E402
import expectations as expect  # noqa: E402
import harness  # noqa: E402


def record(key: str, resource_type: str, cidr: str, usable: int, used: int | None, **tags: str) -> dict:
    """A manifest record as test/emulator/seed.py writes it."""
    return {
        "key": key,
        "resourceId": f"{'eipalloc' if resource_type == 'eip' else resource_type}-{abs(hash(key)) % 16**8:08x}",
        "resourceType": resource_type,
        "cidr": cidr,
        "addressFamily": "ipv6" if ":" in cidr else "ipv4",
        "usable": str(usable),
        "used": None if used is None else str(used),
        "free": None if used is None else str(usable - used),
        "utilization": None if used is None else used / usable * 100,
        "tags": tags,
    }


MESSAGE = """IPAM monitor: CRITICAL in prod-subnets, 1 resource (1 new, 1 recovered)
Scan of 2026-01-01T00:00:00.000Z, source ipam, complete.

WHAT CHANGED
New or worse (1):
  CRITICAL [prod-subnets] subnet-0aaa "prod-edge-a", account 123456789012, us-east-1, 10.0.17.0/26: 100% used, 0 free - utilization 100% ≥ critical 90% (new)
Recovered (1):
  OK       [prod-subnets] subnet-0bbb "prod-tiny-a", account 123456789012, us-east-1, 10.0.17.64/28: 0% used, 11 free - now ok (was warning)

SCOPES, WORST FIRST

[CRITICAL] prod-subnets - 1 critical of 2 resources
  - CRITICAL subnet-0aaa "prod-edge-a", account 123456789012, us-east-1, 10.0.17.0/26: 100% used, 0 free - utilization 100% ≥ critical 90%
"""


class WhatChangedTest(unittest.TestCase):
    def test_reads_each_section_with_scope_resource_and_status(self):
        sections = e2e.what_changed(MESSAGE)

        self.assertEqual(
            {name: {key: status for key, (status, _line) in entries.items()} for name, entries in sections.items()},
            {"New or worse": {("prod-subnets", "subnet-0aaa"): "critical"}, "Recovered": {("prod-subnets", "subnet-0bbb"): "ok"}},
        )

    def test_ignores_the_scope_listing_after_what_changed(self):
        sections = e2e.what_changed(MESSAGE.replace("Recovered (1):\n  OK       [prod-subnets] subnet-0bbb", "Recovered (0):\n  x"))

        self.assertNotIn(("prod-subnets", "subnet-0bbb"), sections.get("Recovered", {}))

    def test_finds_nothing_in_a_message_without_the_section(self):
        self.assertEqual(e2e.what_changed("IPAM monitor: all scopes recovered\n"), {})

    def test_keys_a_zone_in_trouble_by_its_zone_id(self):
        message = MESSAGE.replace(
            "Recovered (1):",
            "  WARNING  [eks-nodes] zone use1-az6: 1 subnet, 131 free, 0 free /28s - 131 free addresses < warning minimum 150\nRecovered (1):",
        )

        self.assertEqual(e2e.what_changed(message)["New or worse"][("eks-nodes", "zone use1-az6")][0], "warning")


class CapacityExpectationTest(unittest.TestCase):
    """The capacity arithmetic the e2e expects, worked out from the interfaces the seed placed."""

    def subnet(self, cidr: str, addresses: list[str], zone: str = "use1-az1") -> dict:
        size = 2 ** (32 - int(cidr.split("/")[1]))
        r = record(cidr, "subnet", cidr, size - 5, len(addresses), cluster="prod-eks")
        return {**r, "availabilityZoneId": zone, "interfaces": [{"description": "node", "addresses": addresses}] if addresses else []}

    def test_an_empty_24_has_fourteen_free_prefixes_and_a_free_26(self):
        # Blocks 0 and 15 hold the reserved addresses; the largest aligned free block is a /26 (.64-.127).
        self.assertEqual(expect.capacity(self.subnet("10.0.0.0/24", [])), {"freePrefixes": 14, "assignableAddresses": 251, "largestFreeBlock": 26})

    def test_one_address_in_a_block_takes_the_whole_block(self):
        self.assertEqual(expect.capacity(self.subnet("10.0.0.0/24", ["10.0.0.16", "10.0.0.47"]))["freePrefixes"], 12)

    def test_a_28_subnet_has_no_free_prefix(self):
        self.assertEqual(expect.capacity(self.subnet("10.0.0.0/28", [])), {"freePrefixes": 0, "assignableAddresses": 11, "largestFreeBlock": None})

    def test_prefix_thresholds_compare_below_the_limit(self):
        addresses = [f"10.0.0.{16 * b}" for b in range(1, 15)]  # one address in each of blocks 1-14
        statuses = [expect.free_prefixes(4, 1)(self.subnet("10.0.0.0/24", addresses[:n])) for n in (10, 11, 13, 14)]
        self.assertEqual(statuses, ["ok", "warning", "warning", "critical"])

    def test_zones_are_summed_and_the_poorest_is_the_metric(self):
        records = [self.subnet("10.0.0.0/24", ["10.0.0.16"]), self.subnet("10.0.1.0/24", [], "use1-az2"), self.subnet("10.0.2.0/28", [], "use1-az2")]

        self.assertEqual(expect.zone_sums(records), {"use1-az1": 250, "use1-az2": 262})
        self.assertEqual(expect.capacity_metrics(records), {"MinFreePrefixes": 0, "MinAssignableAddresses": 11, "MinZoneFreeAddresses": 250})


class ChangesTest(unittest.TestCase):
    def report(self, trouble: dict[str, str]) -> dict[str, expect.ScopeReport]:
        return {"prod-subnets": expect.ScopeReport("prod-subnets", {}, trouble, [])}

    def test_a_resource_newly_in_trouble_is_new_or_worse(self):
        self.assertEqual(
            e2e.changes(self.report({}), self.report({"subnet-1": "critical"})), {"New or worse": {("prod-subnets", "subnet-1"): "critical"}}
        )

    def test_warning_to_critical_is_worse_and_critical_to_warning_improved(self):
        self.assertEqual(
            e2e.changes(self.report({"subnet-1": "warning", "subnet-2": "critical"}), self.report({"subnet-1": "critical", "subnet-2": "warning"})),
            {"New or worse": {("prod-subnets", "subnet-1"): "critical"}, "Improved": {("prod-subnets", "subnet-2"): "warning"}},
        )

    def test_a_resource_out_of_trouble_is_recovered(self):
        self.assertEqual(e2e.changes(self.report({"subnet-1": "warning"}), self.report({})), {"Recovered": {("prod-subnets", "subnet-1"): "ok"}})

    def test_the_same_trouble_is_no_change(self):
        self.assertEqual(e2e.changes(self.report({"subnet-1": "warning"}), self.report({"subnet-1": "warning"})), {})


class ExpectedScopeTest(unittest.TestCase):
    def manifest(self) -> dict:
        return {
            "ids": {},
            "resources": [
                record("full", "subnet", "10.0.0.0/28", 11, 11, environment="prod"),
                record("busy", "subnet", "10.0.1.0/24", 251, 210, environment="prod"),
                record("quiet", "subnet", "10.0.2.0/24", 251, 10, environment="prod"),
                record("v6", "subnet", "2600:1f18::/64", 2**64, None, environment="prod"),
                record("dev", "subnet", "10.0.3.0/24", 251, 250, environment="dev"),
                record("eip", "eip", "198.51.100.7/32", 1, 1, environment="prod"),
            ],
        }

    def test_counts_statuses_and_aggregates_of_the_matching_cidrs(self):
        scope = expect.ScopeExpectation("prod", lambda r: r["resourceType"] == "subnet" and r["tags"].get("environment") == "prod", expect.percent_used(80, 90), (), ())

        report = expect.expected_scope(scope, self.manifest())

        self.assertEqual(
            report.metrics,
            {"ResourceCount": 4, "WarningCount": 1, "CriticalCount": 1, "UnknownCount": 1, "MaxUtilization": 100.0, "MinFreeAddresses": 0},
        )

    def test_single_addresses_stay_out_of_the_aggregates_and_never_run_out(self):
        scope = expect.ScopeExpectation("eips", lambda r: r["resourceType"] == "eip", expect.percent_used(80, 90), (), ())

        report = expect.expected_scope(scope, self.manifest())

        self.assertEqual((report.metrics["CriticalCount"], report.metrics["MaxUtilization"], report.metrics["MinFreeAddresses"]), (0, None, None))

    def test_idle_threshold_applies_to_single_addresses(self):
        idle = record("spare", "eip", "198.51.100.8/32", 1, 0)

        self.assertEqual(expect.idle_below(1)(idle), "warning")

    def test_free_address_thresholds_compare_below_the_limit(self):
        self.assertEqual([expect.free_addresses(100, 50)(record("pods", "subnet", "100.64.0.0/22", 1019, used)) for used in (919, 920, 969, 970)], ["ok", "warning", "warning", "critical"])


class Ec2ViewTest(unittest.TestCase):
    """The EC2 source's view worked out from a manifest shaped like seed.py's."""

    def manifest(self) -> dict:
        def placed(rec: dict, region: str, vpc: str, resource_id: str, size: int) -> dict:
            return {**rec, "region": region, "vpcId": vpc, "resourceId": resource_id, "size": str(size)}

        return {
            "ids": {"dual": "subnet-1", "v6": "subnet-2"},
            "resources": [
                placed(record("vpc-a", "vpc", "10.0.0.0/24", 256, 192), "us-east-1", "vpc-1", "vpc-1", 256),
                placed(record("vpc-a6", "vpc", "2600:1f18:0:100::/56", 2**72, 2**65), "us-east-1", "vpc-1", "vpc-1", 2**72),
                placed(record("dual", "subnet", "10.0.0.0/25", 123, 20), "us-east-1", "vpc-1", "subnet-1", 128),
                placed(record("dual", "subnet", "2600:1f18:0:100::/64", 2**64, None), "us-east-1", "vpc-1", "subnet-1", 2**64),
                placed(record("v6", "subnet", "2600:1f18:0:101::/64", 2**64, None), "us-east-1", "vpc-1", "subnet-2", 2**64),
                placed(record("b", "subnet", "10.0.0.128/26", 59, 59), "us-east-1", "vpc-1", "subnet-3", 64),
                placed(record("eu", "subnet", "10.9.0.0/24", 251, 1), "eu-west-1", "vpc-9", "subnet-9", 256),
                placed(record("eip", "eip", "198.51.100.7/32", 1, 0), "us-east-1", None, "eipalloc-1", 1),
            ],
        }

    ASSOCIATED = {("subnet-1", "2600:1f18:0:100::/64"): "associated", ("subnet-2", "2600:1f18:0:101::/64"): "associated"}

    def by_cidr(self, view: dict) -> dict:
        return {r["cidr"]: (r["used"], r["usable"]) for r in view["resources"]}

    def test_reads_only_the_regions_it_is_given(self):
        view = expect.ec2_view(self.manifest(), ["us-east-1"], self.ASSOCIATED)

        self.assertNotIn("10.9.0.0/24", self.by_cidr(view))

    def test_ipv4_subnets_keep_their_usage_of_size_minus_five(self):
        view = expect.ec2_view(self.manifest(), ["us-east-1"], self.ASSOCIATED)

        self.assertEqual(self.by_cidr(view)["10.0.0.0/25"], ("20", "123"))

    def test_associated_subnet_ipv6_cidrs_are_there_with_unknown_usage(self):
        view = expect.ec2_view(self.manifest(), ["us-east-1"], self.ASSOCIATED)

        self.assertEqual(self.by_cidr(view)["2600:1f18:0:101::/64"], (None, str(2**64)))

    def test_subnet_ipv6_cidrs_in_another_state_are_left_out(self):
        states = {key: "{'State': 'associated'}" for key in self.ASSOCIATED}

        view = expect.ec2_view(self.manifest(), ["us-east-1"], states)

        self.assertEqual([c for c in self.by_cidr(view) if ":" in c and not c.endswith("/56")], [])

    def test_a_vpc_block_counts_the_subnets_of_the_view_inside_it(self):
        cidrs = self.by_cidr(expect.ec2_view(self.manifest(), ["us-east-1"], self.ASSOCIATED))
        hidden = self.by_cidr(expect.ec2_view(self.manifest(), ["us-east-1"], {}))

        self.assertEqual((cidrs["10.0.0.0/24"], cidrs["2600:1f18:0:100::/56"], hidden["2600:1f18:0:100::/56"]), (("192", "256"), (str(2**65), str(2**72)), ("0", str(2**72))))

    def test_an_idle_elastic_ip_is_one_free_address(self):
        view = expect.ec2_view(self.manifest(), ["us-east-1"], self.ASSOCIATED)

        self.assertEqual(self.by_cidr(view)["198.51.100.7/32"], ("0", "1"))

    def test_metric_differences_name_each_differing_metric_with_both_values(self):
        ipam = {"s": expect.ScopeReport("s", {"ResourceCount": 3, "UnknownCount": 1}, {}, []), "t": expect.ScopeReport("t", {"ResourceCount": 1}, {}, [])}
        ec2 = {"s": expect.ScopeReport("s", {"ResourceCount": 2, "UnknownCount": 1}, {}, []), "t": expect.ScopeReport("t", {"ResourceCount": 1}, {}, [])}

        self.assertEqual(expect.metric_differences(ipam, ec2), {"s": {"ResourceCount": (3, 2)}})


class PolicyTest(unittest.TestCase):
    DOCUMENTS = {
        "monitor": {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Read", "Effect": "Allow", "Action": ["ec2:DescribeVpcs", "ec2:DescribeSubnets"], "Resource": "*"},
                {"Sid": "Notify", "Effect": "Allow", "Action": "sns:Publish", "Resource": "arn:aws:sns:us-east-1:123456789012:t"},
                {"Sid": "Keys", "Effect": "Allow", "Action": ["kms:GenerateDataKey*"], "Resource": "*"},
                {"Sid": "Never", "Effect": "Deny", "Action": ["ec2:GetIpamResourceCidrs"], "Resource": "*"},
            ],
        }
    }

    def test_collects_the_actions_of_allow_statements_as_lists_or_strings(self):
        self.assertEqual(e2e.policy_actions(self.DOCUMENTS), {"ec2:DescribeVpcs", "ec2:DescribeSubnets", "sns:Publish", "kms:GenerateDataKey*"})

    def test_a_call_no_action_grants_is_named(self):
        calls = {"DescribeVpcs": 2, "DescribeAddresses": 2, "Publish": 1, "GenerateDataKeyWithoutPlaintext": 1}

        self.assertEqual(e2e.ungranted_calls(calls, e2e.policy_actions(self.DOCUMENTS)), ["DescribeAddresses"])


class VarArgsTest(unittest.TestCase):
    def test_passes_the_name_then_lists_in_terraform_syntax(self):
        deployment = harness.Deployment("monitor", variables={"scan_source": "ec2", "regions": ["us-east-1", "eu-west-1"]})

        self.assertEqual(deployment._var_args(), ["-var=name=monitor", "-var=scan_source=ec2", '-var=regions=["us-east-1", "eu-west-1"]'])


class JudgeAlarmTest(unittest.TestCase):
    def alarm(self, **fields) -> dict:
        return {"AlarmName": "a", "MetricName": "CriticalCount", "Statistic": "Maximum", "ComparisonOperator": "GreaterThanThreshold", "Threshold": 0.0, **fields}

    def test_a_value_over_the_threshold_fires(self):
        self.assertEqual(harness.judge_alarm(self.alarm(), 1.0).state, "ALARM")

    def test_a_value_at_the_threshold_does_not_fire_a_greater_than_alarm(self):
        self.assertEqual(harness.judge_alarm(self.alarm(), 0.0).state, "OK")

    def test_missing_data_follows_treat_missing_data(self):
        states = [harness.judge_alarm(self.alarm(TreatMissingData=rule), None).state for rule in ("breaching", "notBreaching", "ignore")]

        self.assertEqual(states, ["ALARM", "OK", "INSUFFICIENT_DATA"])

    def test_a_less_than_alarm_fires_below_its_threshold(self):
        heartbeat = self.alarm(MetricName="ScanSuccess", Statistic="Sum", ComparisonOperator="LessThanThreshold", Threshold=1.0)

        self.assertEqual([harness.judge_alarm(heartbeat, value).state for value in (0.0, 1.0)], ["ALARM", "OK"])


class FindPackageTest(unittest.TestCase):
    def test_finds_the_zip_whose_code_sha256_matches(self):
        with tempfile.TemporaryDirectory() as directory:
            wanted = Path(directory) / "b.zip"
            (Path(directory) / "a.zip").write_bytes(b"other")
            wanted.write_bytes(b"deployed")

            self.assertEqual(harness.find_package(harness.code_sha256(wanted), Path(directory)), wanted)

    def test_prefers_the_zip_built_for_the_named_deployment_among_identical_ones(self):
        with tempfile.TemporaryDirectory() as directory:
            for name in ("a-1.zip", "b-1.zip", "c-1.zip"):
                (Path(directory) / name).write_bytes(b"deployed")

            self.assertEqual(harness.find_package(harness.code_sha256(Path(directory) / "b-1.zip"), Path(directory), name="b").name, "b-1.zip")

    def test_fails_naming_every_candidate_when_none_matches(self):
        with tempfile.TemporaryDirectory() as directory:
            (Path(directory) / "a.zip").write_bytes(b"other")

            with self.assertRaisesRegex(harness.HarnessError, r"(?s)no package .* a\.zip"):
                harness.find_package("AAAA", Path(directory))

    def test_code_sha256_is_the_base64_of_the_digest_as_lambda_reports_it(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "empty.zip"
            path.write_bytes(b"")

            self.assertEqual(harness.code_sha256(path), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")


def run() -> tuple[int, int]:
    """Runs these tests; returns (passed, failed)."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(verbosity=1, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    return result.testsRun - failed, failed


if __name__ == "__main__":
    passed, failed = run()
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)
