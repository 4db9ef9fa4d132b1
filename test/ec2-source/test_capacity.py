"""`ipam-monitor scan --source ec2` with a scope that measures capacity: the interfaces and CIDR
reservations moto holds, read with the fewest calls, and every capacity figure of the result against
capacity_network.py's independent arithmetic."""

from __future__ import annotations

import json
import unittest
from collections import Counter

import jsonschema

import capacity_network as net
import scenario

RULES = scenario.HERE / "capacity-rules.yaml"
SCHEMA = json.loads((scenario.REPO / "lambda" / "schema" / "result.schema.json").read_text())
_built: dict = {}


def _build() -> dict:
    if "failure" in _built:
        raise RuntimeError(f"the capacity scenario could not be built: {_built['failure']}")
    if "seeded" not in _built:
        try:
            scenario.get()  # the main scenario first: its network and numbers must not see this one
            seeded = net.seed(scenario._gateway.url)  # through the gateway and the proxy, which delegates prefixes
            json_run = scenario.run_cli("--format", "json", "--dry-run", rules=RULES, regions=(net.REGION,))
            if json_run.returncode != 0:
                raise AssertionError(f"the JSON scan exited {json_run.returncode}:\n{json_run.stderr}")
            table_run = scenario.run_cli("--format", "table", "--dry-run", rules=RULES, regions=(net.REGION,))
            _built.update(seeded=seeded, json_run=json_run, result=json.loads(json_run.stdout), table_run=table_run)
        except Exception as error:
            _built["failure"] = error
            raise
    return _built


class CapacityTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls) -> None:
        built = _build()
        cls.seeded, cls.result, cls.json_run, cls.table_run = built["seeded"], built["result"], built["json_run"], built["table_run"]

    def entry(self, scope: str, key: str) -> dict:
        found = [e for e in self.result["resourcesInTrouble"] if e["scope"] == scope and e["resourceId"] == self.seeded.ids[key]]
        self.assertEqual(len(found), 1, f"{key} is listed {len(found)} times in scope {scope}")
        return found[0]

    def expected_fields(self, key: str, with_blockers: bool) -> dict:
        want = self.seeded.expected[key]
        fields = {"freePrefixes": want.free_prefixes, "assignableAddresses": want.assignable}
        if want.largest_free_block is not None:
            fields["largestFreeBlock"] = want.largest_free_block
        if with_blockers:
            fields["blockers"] = want.blockers
        return fields


class TheSeededNetwork(CapacityTest):
    def test_eks_a_is_about_half_used_yet_has_no_free_28(self):
        want = self.seeded.expected["eks-a"]
        self.assertEqual((want.in_use, want.free_prefixes, want.largest_free_block), (119, 0, 29))
        self.assertEqual(self.seeded.available["eks-a"], 251 - 119, "moto's AvailableIpAddressCount of eks-a")

    def test_moto_takes_the_prefix_reservation_from_the_available_count_of_eks_b(self):
        self.assertEqual(self.seeded.available["eks-b"], 251 - 20 - 64)

    def test_the_emulator_delegated_the_lowest_free_28s_and_counts_them_used(self):
        self.assertEqual(self.seeded.prefixes["pd-node-1"], ["10.60.4.16/28", "10.60.4.32/28", "10.60.4.48/28"])
        self.assertEqual(self.seeded.available["eks-d"], 251 - 2 - 4 * 16)


class TheResult(CapacityTest):
    def test_is_complete_and_valid(self):
        self.assertEqual((self.result["complete"], self.result["errors"]), (True, []))
        jsonschema.Draft7Validator(SCHEMA).validate(self.result)

    def test_lists_every_figure_of_every_opted_in_subnet_with_the_interfaces_blocking_it(self):
        for key in net.OPTED_IN:
            with self.subTest(subnet=key):
                entry = self.entry("eks-listing", key)
                self.assertEqual({k: entry.get(k) for k in self.expected_fields(key, True)}, self.expected_fields(key, True))
                self.assertEqual(entry["status"], "warning")
                want = self.seeded.expected[key]
                self.assertEqual(entry["reason"], f"{want.free_prefixes} free /28 prefix{'' if want.free_prefixes == 1 else 'es'} < warning minimum 100000")

    def test_gives_exact_numbers_for_eks_a_b_and_c(self):
        got = {key: (self.entry("eks-listing", key)["freePrefixes"], self.entry("eks-listing", key)["assignableAddresses"],
                     self.entry("eks-listing", key).get("largestFreeBlock")) for key in net.OPTED_IN}
        self.assertEqual(got, {"eks-a": (0, 132, 29), "eks-b": (8, 103, 26), "eks-c": (2, 59, 28), "eks-d": (9, 185, 27)})

    def test_counts_the_delegated_prefixes_of_eks_d_as_blocks_in_use(self):
        blockers = self.entry("eks-listing", "eks-d")["blockers"]
        self.assertEqual([(b["networkInterfaceId"], b["blocksFreed"], b["blocksBlocked"]) for b in blockers],
                         [(self.seeded.ids["pd-node-1"], 3, 3), (self.seeded.ids["pd-node-2"], 2, 2)])

    def test_names_the_nodes_of_eks_a_as_its_blockers_each_freeing_two_blocks(self):
        blockers = self.entry("eks-listing", "eks-a")["blockers"]
        node_ids = sorted(self.seeded.ids[f"node-{k}"] for k in range(1, 7))
        self.assertEqual([b["networkInterfaceId"] for b in blockers],
                         node_ids + [self.seeded.ids["node-0"], self.seeded.ids["lb"]])
        self.assertEqual([(b["blocksFreed"], b["blocksBlocked"]) for b in blockers], [(2, 2)] * 6 + [(1, 2), (0, 1)])
        self.assertEqual(blockers[-1]["description"], "ELB app/web")

    def test_puts_the_subnet_without_a_free_28_at_critical_and_the_small_one_at_warning(self):
        self.assertEqual(
            {(e["resourceId"], e["status"], e["reason"]) for e in self.result["resourcesInTrouble"] if e["scope"] == "eks-pods"},
            {(self.seeded.ids["eks-a"], "critical", "0 free /28 prefixes < critical minimum 1"),
             (self.seeded.ids["eks-c"], "warning", "2 free /28 prefixes < warning minimum 4; 59 assignable addresses < warning minimum 64")},
        )
        self.assertEqual(self.entry("eks-pods", "eks-a")["blockers"], self.seeded.expected["eks-a"].blockers)
        self.assertEqual(self.entry("eks-pods", "eks-c")["blockers"], [])

    def test_gives_each_scope_that_measures_capacity_its_minimums(self):
        scopes = {s["name"]: s for s in self.result["scopes"]}
        self.assertEqual({k: scopes["eks-pods"].get(k) for k in ("capacity", "minFreePrefixes", "minAssignableAddresses", "counts")},
                         {"capacity": True, "minFreePrefixes": 0, "minAssignableAddresses": 59,
                          "counts": {"critical": 1, "warning": 1, "unknown": 0, "ok": 2}})
        self.assertNotIn("capacity", scopes["k8s-team"])

    def test_sums_free_addresses_and_free_28s_per_zone_and_puts_the_poorest_zone_in_trouble(self):
        scope = next(s for s in self.result["scopes"] if s["name"] == "eks-pods")
        by_zone: dict = {}
        for key in net.OPTED_IN:
            zone_id, zone_name = self.seeded.zones[key]
            zone = by_zone.setdefault(zone_id, {"availabilityZoneId": zone_id, "availabilityZone": zone_name, "resourceCount": 0,
                                                "freeAddresses": 0, "freePrefixes": 0})
            zone["resourceCount"] += 1
            zone["freeAddresses"] += self.seeded.available[key]
            zone["freePrefixes"] += self.seeded.expected[key].free_prefixes
        want = []
        for zone in by_zone.values():
            free = zone["freeAddresses"]
            status, reason = ("warning", f"{free} free addresses < warning minimum 100") if free < 100 else ("ok", "within thresholds")
            want.append({**zone, "status": status, "reason": reason})
        want.sort(key=lambda z: (z["freeAddresses"], z["availabilityZoneId"]))
        self.assertEqual(scope["zones"], want)
        self.assertEqual((scope["zones"][0]["freeAddresses"], scope["zones"][0]["status"]), (59, "warning"))
        self.assertEqual(scope["minZoneFreeAddresses"], 59)

    def test_shows_no_capacity_figure_in_a_scope_that_does_not_measure_it(self):
        for key in (*net.OPTED_IN, "batch"):
            with self.subTest(subnet=key):
                entry = self.entry("k8s-team", key)
                self.assertFalse({"freePrefixes", "assignableAddresses", "largestFreeBlock", "blockers"} & entry.keys())


class ApiCalls(CapacityTest):
    def calls(self) -> list:
        return self.json_run.calls

    def test_reads_the_interfaces_of_the_opted_in_subnets_in_one_call_filtered_by_subnet(self):
        calls = [c for c in self.calls() if c["action"] == "DescribeNetworkInterfaces"]
        self.assertEqual(len(calls), 1)
        params = calls[0]["params"]
        self.assertEqual((params.get("MaxResults"), params.get("Filter.1.Name")), ("1000", "subnet-id"))
        values = sorted(v for k, v in params.items() if k.startswith("Filter.1.Value."))
        self.assertEqual(values, sorted(self.seeded.ids[k] for k in net.OPTED_IN), "batch is not opted in and must not be read")

    def test_reads_the_reservations_of_each_opted_in_subnet_once(self):
        counted = Counter(c["params"]["SubnetId"] for c in self.calls() if c["action"] == "GetSubnetCidrReservations")
        self.assertEqual(counted, Counter({self.seeded.ids[k]: 1 for k in net.OPTED_IN}))

    def test_makes_no_other_call_than_the_three_describes(self):
        counted = Counter(c["action"] for c in self.calls())
        self.assertEqual(counted, Counter({"DescribeVpcs": 1, "DescribeSubnets": 1, "DescribeAddresses": 1,
                                           "DescribeNetworkInterfaces": 1, "GetSubnetCidrReservations": 4}))


class TheTable(CapacityTest):
    def test_lists_the_zones_of_the_scope_with_a_zone_in_trouble(self):
        zone_id, _ = self.seeded.zones["eks-c"]
        self.assertRegex(self.table_run.stdout, rf"ZONES IN TROUBLE \(1 zone below a scope's minZoneFree.*\n.*\n  eks-pods\s+{zone_id}\s+\S+\s+1\s+59\s+2\s+WARNING\s+59 free addresses < warning minimum 100")

    def test_exits_0_and_shows_free_28_and_assignable_columns(self):
        self.assertEqual(self.table_run.returncode, 0, self.table_run.stderr)
        self.assertRegex(self.table_run.stdout, r"FREE /28  ASSIGNABLE  REASON")

    def test_names_the_top_three_blockers_of_eks_a(self):
        lines = self.table_run.stdout.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("WHO BLOCKS /28 PREFIXES"))
        header = next(i for i in range(start, len(lines)) if self.seeded.ids["eks-a"] in lines[i])
        shown = [line.split()[0] for line in lines[header + 2: header + 5]]
        self.assertEqual(shown, [b["networkInterfaceId"] for b in self.seeded.expected["eks-a"].blockers[:3]])


class TheCapacityCommand(CapacityTest):
    def run_capacity(self, key: str, *options: str) -> "scenario.Run":
        return scenario.run_command("capacity", self.seeded.ids[key], "--region", net.REGION, *options)

    def test_lists_every_block_of_eks_b_with_its_state_and_interfaces(self):
        plan = next(p for p in net.SUBNETS if p.key == "eks-b")
        run = self.run_capacity("eks-b", "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        report = json.loads(run.stdout)
        self.assertEqual(report["blocks"], net.expected_blocks(plan, self.seeded.ids, self.seeded.prefixes))
        self.assertEqual({k: report[k] for k in ("freePrefixes", "freePrefixesReserved", "assignableAddresses", "largestFreeBlock", "inUseAddresses")},
                         {"freePrefixes": 8, "freePrefixesReserved": 4, "assignableAddresses": 103, "largestFreeBlock": 26, "inUseAddresses": 20})
        self.assertEqual(Counter(c["action"] for c in run.calls),
                         Counter({"DescribeSubnets": 1, "DescribeNetworkInterfaces": 1, "GetSubnetCidrReservations": 1}))

    def test_draws_the_block_map_of_eks_a_with_no_free_28(self):
        run = self.run_capacity("eks-a")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("  10.60.0.0  A####### #######A", run.stdout)
        self.assertIn("  119 of 251 usable addresses held by 8 interfaces; EC2 reports 132 available", run.stdout)
        self.assertIn("  0 free /28s of 16, 132 assignable, largest free block /29", run.stdout)
