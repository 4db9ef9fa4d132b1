"""How the inventories derive IPAM's numbers: live arithmetic helpers and the synthetic generator."""

from __future__ import annotations

import unittest

from inventory_live import _mark_overlaps, block_allocation, ipv4_subnet_usage
from inventory_synthetic import SyntheticInventory, parse_scope_types
from ipam_api import ResourceCidr


def vpc_record(resource_id: str, cidr: str) -> ResourceCidr:
    return ResourceCidr("ipam-0", "scope-0", resource_id, "vpc", cidr, "us-east-1", "123456789012")


class LiveArithmeticTest(unittest.TestCase):
    def test_a_28_with_2_available_is_9_of_11_used(self):
        self.assertEqual(ipv4_subnet_usage("10.0.0.0/28", 2), 9 / 11)

    def test_an_empty_28_is_0_used_not_31_percent(self):
        self.assertEqual(ipv4_subnet_usage("10.0.0.0/28", 11), 0.0)

    def test_more_in_use_than_usable_is_clamped_to_full(self):
        # moto lets a count go below zero when its random addresses collide.
        self.assertEqual(ipv4_subnet_usage("10.0.0.0/28", -1), 1.0)

    def test_vpc_usage_is_the_share_allocated_to_subnets_of_that_block(self):
        self.assertEqual(block_allocation("10.0.0.0/24", ["10.0.0.0/25", "10.0.0.128/26", "10.1.0.0/24"]), 0.75)

    def test_ipv6_vpc_usage_counts_ipv6_subnets_only(self):
        self.assertEqual(block_allocation("2600:1f18::/56", ["2600:1f18::/64", "10.0.0.0/24"]), 1 / 256)

    def test_overlapping_vpc_blocks_are_flagged(self):
        records = [vpc_record("vpc-a", "172.31.0.0/16"), vpc_record("vpc-b", "172.31.0.0/16"), vpc_record("vpc-c", "10.0.0.0/16")]
        _mark_overlaps(records)
        self.assertEqual([r.overlap_status for r in records], ["overlapping", "overlapping", "nonoverlapping"])

    def test_two_blocks_of_one_vpc_do_not_overlap_each_other(self):
        records = [vpc_record("vpc-a", "10.0.0.0/16"), vpc_record("vpc-a", "10.0.0.0/16")]
        _mark_overlaps(records)
        self.assertEqual({r.overlap_status for r in records}, {"nonoverlapping"})


class SyntheticInventoryTest(unittest.TestCase):
    def records(self, count: int, scopes: str = "private,public", seed: int = 1) -> list[ResourceCidr]:
        inventory = SyntheticInventory(count, parse_scope_types(scopes), seed)
        return [r for scope in inventory.ipam().scopes for r in inventory.resource_cidrs(scope)]

    def test_serves_exactly_n_resource_cidrs(self):
        self.assertEqual(len(self.records(12345)), 12345)

    def test_the_same_seed_gives_the_same_inventory(self):
        self.assertEqual([r.xml() for r in self.records(500)], [r.xml() for r in self.records(500)])

    def test_another_seed_gives_another_inventory(self):
        self.assertNotEqual([r.xml() for r in self.records(500, seed=1)], [r.xml() for r in self.records(500, seed=2)])

    def test_mixes_vpcs_subnets_and_eips(self):
        kinds = {r.resource_type for r in self.records(1000)}
        self.assertEqual(kinds, {"vpc", "subnet", "eip"})

    def test_puts_eips_in_public_scopes_only(self):
        inventory = SyntheticInventory(1000, ["private", "public"])
        private, public = inventory.ipam().scopes
        self.assertEqual(({r.resource_type for r in inventory.resource_cidrs(public)}, "eip" in {r.resource_type for r in inventory.resource_cidrs(private)}), ({"eip"}, False))

    def test_a_private_only_inventory_has_no_eips(self):
        self.assertNotIn("eip", {r.resource_type for r in self.records(1000, "private")})

    def test_a_repeated_scope_type_adds_a_non_default_scope(self):
        scopes = SyntheticInventory(10, ["private", "private", "public"]).ipam().scopes
        self.assertEqual([(s.type, s.is_default) for s in scopes], [("private", True), ("private", False), ("public", True)])

    def test_ipv6_subnets_carry_no_usage_and_others_do(self):
        records = self.records(5000)
        self.assertEqual(
            ({r.ip_usage for r in records if ":" in r.cidr}, all(r.ip_usage is not None for r in records if ":" not in r.cidr)),
            ({None}, True),
        )

    def test_tags_cover_fifty_cost_centers(self):
        centers = {dict(r.tags)["cost-center"] for r in self.records(5000)}
        self.assertEqual(len(centers), 50)

    def test_rejects_an_unknown_scope_type(self):
        with self.assertRaisesRegex(ValueError, "'private' and 'public'"):
            parse_scope_types("private,secret")


if __name__ == "__main__":
    unittest.main()
