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
