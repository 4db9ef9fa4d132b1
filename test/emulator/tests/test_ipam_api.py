"""The IPAM actions on a fixed inventory: validation, paging, filters, and shapes botocore parses."""

from __future__ import annotations

import unittest
from xml.etree import ElementTree

import botocore.parsers
import botocore.session

from ipam_api import ApiError, Ipam, IpamApi, ResourceCidr, Scope, max_results

PRIVATE = Scope("ipam-scope-0aaaaaaaaaaaaaaa1", "private", True)
PUBLIC = Scope("ipam-scope-0aaaaaaaaaaaaaaa2", "public", True)
IPAM = Ipam("ipam-0aaaaaaaaaaaaaaa0", "123456789012", "us-east-1", ("us-east-1", "eu-west-1"), (PRIVATE, PUBLIC))
EC2_MODEL = botocore.session.get_session().get_service_model("ec2")


def subnet(n: int, **overrides) -> ResourceCidr:
    fields = dict(
        ipam_id=IPAM.id,
        scope_id=PRIVATE.id,
        resource_id=f"subnet-{n:017x}",
        resource_type="subnet",
        cidr=f"10.0.{n}.0/24",
        region="us-east-1",
        owner_id="123456789012",
        tags=(("Name", f"subnet-{n}"), ("env", "prod" if n % 2 else "dev")),
        ip_usage=n / 100,
        vpc_id="vpc-0bbbbbbbbbbbbbbb0",
        availability_zone_id="use1-az1",
    )
    fields.update(overrides)
    return ResourceCidr(**fields)


class FixedInventory:
    static = False

    def __init__(self, records: list[ResourceCidr]):
        self.records = records

    def ipam(self) -> Ipam:
        return IPAM

    def resource_cidrs(self, scope: Scope) -> list[ResourceCidr]:
        return [r for r in self.records if r.scope_id == scope.id]


def parse(action: str, status: int, xml: str) -> dict:
    """What boto3 would hand its caller for this HTTP answer."""
    operation = EC2_MODEL.operation_model(action)
    response = {"status_code": status, "headers": {}, "body": xml.encode()}
    return botocore.parsers.create_parser("ec2").parse(response, operation.output_shape)


class MaxResultsTest(unittest.TestCase):
    def test_accepts_the_bounds_of_the_api_model(self):
        self.assertEqual((max_results({"MaxResults": "5"}), max_results({"MaxResults": "1000"})), (5, 1000))

    def test_defaults_to_1000_when_absent(self):
        self.assertEqual(max_results({}), 1000)

    def test_rejects_10000_with_invalid_parameter_value(self):
        with self.assertRaises(ApiError) as raised:
            max_results({"MaxResults": "10000"})
        self.assertEqual((raised.exception.code, raised.exception.status), ("InvalidParameterValue", 400))
        self.assertIn("10000", raised.exception.message)

    def test_rejects_4_with_invalid_parameter_value(self):
        with self.assertRaises(ApiError) as raised:
            max_results({"MaxResults": "4"})
        self.assertEqual(raised.exception.code, "InvalidParameterValue")


class GetIpamResourceCidrsTest(unittest.TestCase):
    def setUp(self):
        self.logged: list[str] = []
        self.records = [subnet(n) for n in range(23)]
        self.api = IpamApi(FixedInventory(self.records), self.logged.append)

    def call(self, **params) -> tuple[int, dict]:
        status, xml = self.api.handle("GetIpamResourceCidrs", {"Action": "GetIpamResourceCidrs", **params}, "us-east-1")
        return status, parse("GetIpamResourceCidrs", status, xml)

    def all_pages(self, **params) -> tuple[list[str], int]:
        ids, token, pages = [], None, 0
        while True:
            status, parsed = self.call(IpamScopeId=PRIVATE.id, MaxResults="5", **({"NextToken": token} if token else {}), **params)
            self.assertEqual(status, 200, parsed)
            pages += 1
            ids += [r["ResourceId"] for r in parsed["IpamResourceCidrs"]]
            token = parsed.get("NextToken")
            if not token:
                return ids, pages

    def test_pages_of_5_return_every_resource_exactly_once(self):
        ids, pages = self.all_pages()
        self.assertEqual((sorted(ids), pages), (sorted(r.resource_id for r in self.records), 5))

    def test_the_last_page_has_no_next_token(self):
        _, parsed = self.call(IpamScopeId=PRIVATE.id, MaxResults="1000")
        self.assertEqual((len(parsed["IpamResourceCidrs"]), parsed.get("NextToken")), (23, None))

    def test_a_token_from_another_request_is_rejected(self):
        _, first = self.call(IpamScopeId=PRIVATE.id, MaxResults="5")
        status, parsed = self.call(IpamScopeId=PRIVATE.id, MaxResults="5", ResourceType="vpc", NextToken=first["NextToken"])
        self.assertEqual((status, parsed["Error"]["Code"]), (400, "InvalidPaginationToken"))

    def test_max_results_10000_is_an_ec2_error_document(self):
        status, parsed = self.call(IpamScopeId=PRIVATE.id, MaxResults="10000")
        self.assertEqual((status, parsed["Error"]["Code"]), (400, "InvalidParameterValue"))

    def test_a_missing_scope_id_is_a_missing_parameter(self):
        status, parsed = self.call()
        self.assertEqual((status, parsed["Error"]["Code"]), (400, "MissingParameter"))

    def test_an_unknown_scope_is_not_found(self):
        status, parsed = self.call(IpamScopeId="ipam-scope-0fffffffffffffff0")
        self.assertEqual((status, parsed["Error"]["Code"]), (400, "InvalidIpamScopeId.NotFound"))

    def test_the_scope_does_not_exist_outside_the_home_region(self):
        status, xml = self.api.handle("GetIpamResourceCidrs", {"IpamScopeId": PRIVATE.id}, "eu-west-1")
        self.assertEqual(parse("GetIpamResourceCidrs", status, xml)["Error"]["Code"], "InvalidIpamScopeId.NotFound")

    def test_resource_type_selects_one_type(self):
        self.records.append(subnet(99, resource_type="vpc", resource_id="vpc-0ccccccccccccccc0"))
        _, parsed = self.call(IpamScopeId=PRIVATE.id, ResourceType="vpc")
        self.assertEqual([r["ResourceId"] for r in parsed["IpamResourceCidrs"]], ["vpc-0ccccccccccccccc0"])

    def test_an_unknown_resource_type_is_an_invalid_parameter_value(self):
        status, parsed = self.call(IpamScopeId=PRIVATE.id, ResourceType="volcano")
        self.assertEqual((status, parsed["Error"]["Code"]), (400, "InvalidParameterValue"))

    def test_a_tag_filter_keeps_matching_resources(self):
        _, parsed = self.call(IpamScopeId=PRIVATE.id, **{"Filter.1.Name": "tag:env", "Filter.1.Value.1": "prod"})
        self.assertEqual(len(parsed["IpamResourceCidrs"]), 11)

    def test_filter_values_are_alternatives(self):
        params = {"Filter.1.Name": "resource-id", "Filter.1.Value.1": self.records[0].resource_id, "Filter.1.Value.2": self.records[1].resource_id}
        _, parsed = self.call(IpamScopeId=PRIVATE.id, **params)
        self.assertEqual(len(parsed["IpamResourceCidrs"]), 2)

    def test_an_unknown_filter_is_ignored_and_logged(self):
        _, parsed = self.call(IpamScopeId=PRIVATE.id, **{"Filter.1.Name": "flavour", "Filter.1.Value.1": "x"})
        self.assertEqual((len(parsed["IpamResourceCidrs"]), self.logged), (23, ["ignoring unknown filter 'flavour'"]))

    def test_dry_run_answers_dry_run_operation(self):
        status, parsed = self.call(IpamScopeId=PRIVATE.id, DryRun="true")
        self.assertEqual((status, parsed["Error"]["Code"]), (412, "DryRunOperation"))

    def test_every_member_parses_into_the_sdk_shape(self):
        _, parsed = self.call(IpamScopeId=PRIVATE.id, ResourceId=self.records[7].resource_id)
        self.assertEqual(
            parsed["IpamResourceCidrs"],
            [
                {
                    "IpamId": IPAM.id,
                    "IpamScopeId": PRIVATE.id,
                    "ResourceRegion": "us-east-1",
                    "ResourceOwnerId": "123456789012",
                    "ResourceId": self.records[7].resource_id,
                    "ResourceName": "subnet-7",
                    "ResourceCidr": "10.0.7.0/24",
                    "ResourceType": "subnet",
                    "ResourceTags": [{"Key": "Name", "Value": "subnet-7"}, {"Key": "env", "Value": "prod"}],
                    "IpUsage": 0.07,
                    "ComplianceStatus": "unmanaged",
                    "ManagementState": "unmanaged",
                    "OverlapStatus": "nonoverlapping",
                    "VpcId": "vpc-0bbbbbbbbbbbbbbb0",
                    "AvailabilityZoneId": "use1-az1",
                }
            ],
        )

    def test_an_ipv6_subnet_has_no_ip_usage_element(self):
        self.records[:] = [subnet(1, cidr="2600:1f18:0:100::/64", ip_usage=None)]
        _, xml = self.api.handle("GetIpamResourceCidrs", {"IpamScopeId": PRIVATE.id}, "us-east-1")
        self.assertIsNone(ElementTree.fromstring(xml).find(".//{*}ipUsage"))

    def test_tag_values_are_escaped(self):
        self.records[:] = [subnet(1, tags=(("Name", "a&b <c>"),))]
        _, parsed = self.call(IpamScopeId=PRIVATE.id)
        self.assertEqual(parsed["IpamResourceCidrs"][0]["ResourceName"], "a&b <c>")

    def test_the_response_carries_the_request_id(self):
        _, xml = self.api.handle("GetIpamResourceCidrs", {"IpamScopeId": PRIVATE.id}, "us-east-1", "req-1")
        self.assertEqual(ElementTree.fromstring(xml).find("{*}requestId").text, "req-1")


class FailingInventory(FixedInventory):
    def resource_cidrs(self, scope: Scope) -> list[ResourceCidr]:
        raise ConnectionError("moto is gone")


class InventoryFailureTest(unittest.TestCase):
    def test_a_failing_inventory_answers_an_internal_error_the_sdk_parses(self):
        logged: list[str] = []
        status, xml = IpamApi(FailingInventory([]), logged.append).handle("GetIpamResourceCidrs", {"IpamScopeId": PRIVATE.id}, "us-east-1")
        self.assertEqual((status, parse("GetIpamResourceCidrs", status, xml)["Error"]["Code"], len(logged)), (500, "InternalError", 1))


class DescribeTest(unittest.TestCase):
    def setUp(self):
        self.api = IpamApi(FixedInventory([]))

    def describe(self, action: str, region: str = "us-east-1", **params) -> tuple[int, dict]:
        status, xml = self.api.handle(action, params, region)
        return status, parse(action, status, xml)

    def test_describe_ipams_names_the_default_scopes_and_regions(self):
        _, parsed = self.describe("DescribeIpams")
        ipam = parsed["Ipams"][0]
        self.assertEqual(
            (ipam["IpamId"], ipam["IpamRegion"], ipam["PrivateDefaultScopeId"], ipam["PublicDefaultScopeId"], ipam["ScopeCount"], ipam["OperatingRegions"]),
            (IPAM.id, "us-east-1", PRIVATE.id, PUBLIC.id, 2, [{"RegionName": "us-east-1"}, {"RegionName": "eu-west-1"}]),
        )

    def test_describe_ipams_from_another_region_finds_none(self):
        _, parsed = self.describe("DescribeIpams", "eu-west-1")
        self.assertEqual(parsed["Ipams"], [])

    def test_describe_ipams_with_an_unknown_id_is_not_found(self):
        status, parsed = self.describe("DescribeIpams", **{"IpamId.1": "ipam-0fffffffffffffff0"})
        self.assertEqual((status, parsed["Error"]["Code"]), (400, "InvalidIpamId.NotFound"))

    def test_describe_ipam_scopes_lists_private_and_public(self):
        _, parsed = self.describe("DescribeIpamScopes")
        self.assertEqual([(s["IpamScopeId"], s["IpamScopeType"], s["IsDefault"]) for s in parsed["IpamScopes"]], [(PRIVATE.id, "private", True), (PUBLIC.id, "public", True)])

    def test_describe_ipam_scopes_filters_by_type(self):
        _, parsed = self.describe("DescribeIpamScopes", **{"Filter.1.Name": "ipam-scope-type", "Filter.1.Value.1": "public"})
        self.assertEqual([s["IpamScopeId"] for s in parsed["IpamScopes"]], [PUBLIC.id])

    def test_describe_ipam_scopes_selects_by_id(self):
        _, parsed = self.describe("DescribeIpamScopes", **{"IpamScopeId.1": PUBLIC.id})
        self.assertEqual([s["IpamScopeId"] for s in parsed["IpamScopes"]], [PUBLIC.id])

    def test_describe_ipam_scopes_rejects_max_results_10000(self):
        status, parsed = self.describe("DescribeIpamScopes", MaxResults="10000")
        self.assertEqual((status, parsed["Error"]["Code"]), (400, "InvalidParameterValue"))

    def test_an_ipam_action_it_does_not_emulate_is_unsupported(self):
        status, parsed = self.describe("DescribeIpamPools")
        self.assertEqual((status, parsed["Error"]["Code"]), (400, "UnsupportedOperation"))


if __name__ == "__main__":
    unittest.main()
