"""The IPAM layer in front of a real moto server holding the seeded network.

One emulator and one seeded network serve the whole module; tests that change
the network put it back as it was.
"""

from __future__ import annotations

import math
import threading
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import emulator as lifecycle
import seed
from support import client, http_json, js_probe

STATE: dict = {}


def setUpModule():
    STATE["emulator"] = lifecycle.start(["us-east-1", "eu-west-1"])
    try:
        STATE["manifest"] = seed.seed(STATE["emulator"].moto.url, ["us-east-1", "eu-west-1"])
    except BaseException:
        lifecycle.stop(STATE["emulator"])
        raise


def tearDownModule():
    lifecycle.stop(STATE["emulator"])


def proxy() -> str:
    return STATE["emulator"].proxy.url


def manifest() -> dict:
    return STATE["manifest"]


def ec2(region: str = "us-east-1"):
    return client("ec2", proxy(), region)


def moto_ec2(region: str = "us-east-1"):
    return client("ec2", STATE["emulator"].moto.url, region)


def all_cidrs(page_size: int = 1000, **params) -> list[dict]:
    found = []
    for scope in (manifest()["ipam"]["privateScopeId"], manifest()["ipam"]["publicScopeId"]):
        pages = ec2().get_paginator("get_ipam_resource_cidrs").paginate(IpamScopeId=scope, PaginationConfig={"PageSize": page_size}, **params)
        found += [r for page in pages for r in page["IpamResourceCidrs"]]
    return found


def reported(key: str, family: str = "ipv4") -> dict:
    resource_id = manifest()["ids"][key]
    matches = [r for r in all_cidrs() if r["ResourceId"] == resource_id and (":" in r["ResourceCidr"]) == (family == "ipv6")]
    assert len(matches) == 1, f"{key}: {matches}"
    return matches[0]


def expected(key: str) -> dict:
    return next(r for r in manifest()["resources"] if r["key"] == key and r["addressFamily"] == "ipv4")


class Boto3Test(unittest.TestCase):
    def test_reports_exactly_the_resource_cidrs_of_the_manifest(self):
        got = sorted((r["ResourceId"], r["ResourceCidr"]) for r in all_cidrs())
        self.assertEqual(got, sorted((r["resourceId"], r["cidr"]) for r in manifest()["resources"]))

    def test_ip_usage_matches_the_seeded_fill_levels(self):
        got = {(r["ResourceId"], r["ResourceCidr"]): r.get("IpUsage") for r in all_cidrs()}
        want = {(r["resourceId"], r["cidr"]): r["ipUsage"] for r in manifest()["resources"]}
        self.assertEqual(got, want)

    def test_names_tags_regions_and_vpcs_come_from_ec2(self):
        got = {(r["ResourceId"], r["ResourceCidr"]): (r.get("ResourceName"), {t["Key"]: t["Value"] for t in r["ResourceTags"]}, r["ResourceRegion"], r.get("VpcId")) for r in all_cidrs()}
        want = {(r["resourceId"], r["cidr"]): (r["name"], r["tags"], r["region"], r["vpcId"]) for r in manifest()["resources"]}
        self.assertEqual(got, want)

    def test_a_28_with_9_addresses_in_use_is_81_8_percent_used(self):
        self.assertEqual(round(reported("prod-tiny-a")["IpUsage"] * 100, 1), 81.8)

    def test_subnets_carry_their_availability_zone_id(self):
        self.assertRegex(reported("prod-tiny-a")["AvailabilityZoneId"], r"^use1-az\d$")

    def test_ipv6_subnet_cidrs_carry_no_ip_usage(self):
        self.assertNotIn("IpUsage", reported("prod-dual", "ipv6"))

    def test_an_ipv6_only_subnet_is_reported_by_its_ipv6_cidr_alone(self):
        resource_id = manifest()["ids"]["prod-v6only"]
        self.assertEqual([":" in r["ResourceCidr"] for r in all_cidrs() if r["ResourceId"] == resource_id], [True])

    def test_a_secondary_vpc_cidr_is_a_resource_cidr_of_its_own(self):
        vpc_id = manifest()["ids"]["prod-core"]
        blocks = {r["ResourceCidr"]: r["IpUsage"] for r in all_cidrs() if r["ResourceId"] == vpc_id}
        self.assertEqual(blocks, {"10.0.0.0/16": 4432 / 65536, "100.64.0.0/16": 1024 / 65536})

    def test_resources_in_the_second_region_are_reported(self):
        self.assertEqual(reported("prod-eu-app")["ResourceRegion"], "eu-west-1")

    def test_elastic_ips_are_in_the_public_scope_as_32s(self):
        public = ec2().get_ipam_resource_cidrs(IpamScopeId=manifest()["ipam"]["publicScopeId"])["IpamResourceCidrs"]
        self.assertEqual({(r["ResourceType"], r["ResourceCidr"].endswith("/32")) for r in public}, {("eip", True)})

    def test_the_resource_type_parameter_selects_one_type(self):
        types = {r["ResourceType"] for r in ec2().get_ipam_resource_cidrs(IpamScopeId=manifest()["ipam"]["privateScopeId"], ResourceType="vpc")["IpamResourceCidrs"]}
        self.assertEqual(types, {"vpc"})

    def test_max_results_10000_is_rejected_like_the_real_api(self):
        with self.assertRaises(ClientError) as raised:
            ec2().get_ipam_resource_cidrs(IpamScopeId=manifest()["ipam"]["privateScopeId"], MaxResults=10000)
        self.assertEqual((raised.exception.response["Error"]["Code"], raised.exception.response["ResponseMetadata"]["HTTPStatusCode"]), ("InvalidParameterValue", 400))

    def test_the_ipam_is_not_found_from_another_region(self):
        self.assertEqual(ec2("eu-west-1").describe_ipams()["Ipams"], [])

    def test_describe_ipams_lists_both_regions_as_operating_regions(self):
        ipam = ec2().describe_ipams()["Ipams"][0]
        self.assertEqual([r["RegionName"] for r in ipam["OperatingRegions"]], ["us-east-1", "eu-west-1"])


class PagingTest(unittest.TestCase):
    def test_pages_of_5_return_every_resource_exactly_once_in_the_fewest_calls(self):
        http_json(f"{proxy()}/_stats/reset", "POST")
        found = all_cidrs(page_size=5)
        private = sum(1 for r in manifest()["resources"] if r["scope"] == "private")
        public = len(manifest()["resources"]) - private
        keys = [(r["ResourceId"], r["ResourceCidr"]) for r in found]
        calls = http_json(f"{proxy()}/_stats")["calls"]["GetIpamResourceCidrs"]
        self.assertEqual((len(keys), len(set(keys)), calls), (len(manifest()["resources"]),) * 2 + (math.ceil(private / 5) + math.ceil(public / 5),))


class JavaScriptSdkTest(unittest.TestCase):
    def test_parses_the_ipam_and_its_scopes(self):
        result = js_probe(proxy(), "us-east-1", "ipams")
        self.assertEqual(
            (result["ipams"][0]["IpamId"], [s["IpamScopeType"] for s in result["scopes"]], result["scopes"][0]["IsDefault"]),
            (manifest()["ipam"]["ipamId"], ["private", "public"], True),
        )

    def test_pages_of_5_return_every_private_resource_exactly_once(self):
        result = js_probe(proxy(), "us-east-1", "cidrs", manifest()["ipam"]["privateScopeId"], 5)
        keys = [(r["ResourceId"], r["ResourceCidr"]) for r in result["items"]]
        want = sorted((r["resourceId"], r["cidr"]) for r in manifest()["resources"] if r["scope"] == "private")
        self.assertEqual((sorted(keys), result["pages"]), (want, math.ceil(len(want) / 5)))

    def test_parses_usage_tags_and_numbers_like_boto3(self):
        result = js_probe(proxy(), "us-east-1", "cidrs", manifest()["ipam"]["privateScopeId"], 1000)
        tiny = next(r for r in result["items"] if r["ResourceId"] == manifest()["ids"]["prod-tiny-a"])
        self.assertEqual((tiny["IpUsage"], tiny["ResourceName"], {t["Key"]: t["Value"] for t in tiny["ResourceTags"]}), (9 / 11, "prod-tiny-a", expected("prod-tiny-a")["tags"]))

    def test_leaves_ip_usage_undefined_for_ipv6_subnets(self):
        result = js_probe(proxy(), "us-east-1", "cidrs", manifest()["ipam"]["privateScopeId"], 1000, "subnet")
        self.assertEqual({"IpUsage" in r for r in result["items"] if ":" in r["ResourceCidr"]}, {False})

    def test_sees_max_results_10000_rejected_as_invalid_parameter_value(self):
        result = js_probe(proxy(), "us-east-1", "max-results", manifest()["ipam"]["privateScopeId"], 10000)
        self.assertEqual((result["error"]["name"], result["error"]["status"]), ("InvalidParameterValue", 400))


class LiveStateTest(unittest.TestCase):
    def test_filling_a_subnet_shows_at_the_next_call(self):
        subnet = manifest()["ids"]["prod-tiny-a"]
        try:
            seed.fill_subnet(moto_ec2(), subnet)
            self.assertEqual(reported("prod-tiny-a")["IpUsage"], 1.0)
        finally:
            seed.set_subnet_used(moto_ec2(), subnet, 9)

    def test_emptying_a_subnet_shows_at_the_next_call(self):
        subnet = manifest()["ids"]["prod-tiny-a"]
        try:
            seed.empty_subnet(moto_ec2(), subnet)
            self.assertEqual(reported("prod-tiny-a")["IpUsage"], 0.0)
        finally:
            seed.set_subnet_used(moto_ec2(), subnet, 9)

    def test_set_used_reaches_any_level_of_a_20(self):
        subnet = manifest()["ids"]["prod-app-a"]
        try:
            seed.set_subnet_used(moto_ec2(), subnet, 3700)
            self.assertEqual(reported("prod-app-a")["IpUsage"], 3700 / 4091)
        finally:
            seed.set_subnet_used(moto_ec2(), subnet, 2046)

    def test_set_used_refuses_to_go_below_addresses_other_enis_hold(self):
        with self.assertRaisesRegex(seed.SeedError, "from 2"):
            seed.set_subnet_used(moto_ec2(), manifest()["ids"]["prod-edge-a"], 1)

    def test_disassociating_an_elastic_ip_makes_it_unused(self):
        allocation = manifest()["ids"]["eip-web-1"]
        try:
            seed.set_eip_associated(moto_ec2(), allocation, False)
            self.assertEqual(reported("eip-web-1")["IpUsage"], 0.0)
        finally:
            seed.set_eip_associated(moto_ec2(), allocation, True, manifest()["ids"]["prod-edge-a"])

    def test_associating_an_elastic_ip_makes_it_used(self):
        allocation = manifest()["ids"]["eip-spare"]
        try:
            seed.set_eip_associated(moto_ec2(), allocation, True, manifest()["ids"]["prod-edge-a"])
            self.assertEqual(reported("eip-spare")["IpUsage"], 1.0)
        finally:
            seed.set_eip_associated(moto_ec2(), allocation, False)

    def test_the_manifest_update_matches_what_the_layer_reports_after_a_fill(self):
        record = dict(manifest(), resources=[dict(r) for r in manifest()["resources"]])
        subnet = manifest()["ids"]["prod-db-a"]
        try:
            used = seed.fill_subnet(moto_ec2(), subnet)
            updated = seed.record_usage(record, subnet, "subnet", used)
            self.assertEqual((updated["used"], updated["free"], reported("prod-db-a")["IpUsage"]), ("251", "0", updated["ipUsage"]))
        finally:
            seed.set_subnet_used(moto_ec2(), subnet, 215)


class ForwardingTest(unittest.TestCase):
    def test_forwards_other_ec2_calls_to_moto(self):
        self.assertEqual(
            sorted(v["VpcId"] for v in ec2().describe_vpcs()["Vpcs"]),
            sorted(v["VpcId"] for v in moto_ec2().describe_vpcs()["Vpcs"]),
        )

    def test_forwards_moto_errors_unchanged(self):
        with self.assertRaises(ClientError) as raised:
            ec2().describe_vpcs(VpcIds=["vpc-0000000000000dead"])
        self.assertEqual(raised.exception.response["Error"]["Code"], "InvalidVpcID.NotFound")

    def test_forwards_json_protocol_calls(self):
        dynamodb = client("dynamodb", proxy())
        dynamodb.create_table(
            TableName="emulator-forwarding",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self.assertIn("emulator-forwarding", client("dynamodb", STATE["emulator"].moto.url).list_tables()["TableNames"])

    def test_forwards_query_protocol_calls_of_other_services(self):
        topic = client("sns", proxy()).create_topic(Name="emulator-forwarding")["TopicArn"]
        self.assertIn(topic, [t["TopicArn"] for t in client("sns", STATE["emulator"].moto.url).list_topics()["Topics"]])

    def test_gzipped_put_metric_data_from_the_javascript_sdk_reaches_moto(self):
        http_json(f"{proxy()}/_stats/reset", "POST")
        js_probe(proxy(), "us-east-1", "put-metrics", "EmulatorForwarding", 1100)
        listed = client("cloudwatch", STATE["emulator"].moto.url).get_paginator("list_metrics").paginate(Namespace="EmulatorForwarding")
        stats = http_json(f"{proxy()}/_stats")
        self.assertEqual(
            (sum(len(p["Metrics"]) for p in listed), stats["calls"], stats["metrics"]["series"]),
            (1100, {"PutMetricData": 2}, 1100),
        )


class StatsTest(unittest.TestCase):
    def test_counts_ipam_calls_by_action_and_resets(self):
        http_json(f"{proxy()}/_stats/reset", "POST")
        ec2().describe_ipams()
        ec2().describe_ipam_scopes()
        ec2().describe_ipam_scopes()
        self.assertEqual(http_json(f"{proxy()}/_stats")["calls"], {"DescribeIpamScopes": 2, "DescribeIpams": 1})


if __name__ == "__main__":
    unittest.main()


class DynamoDbConditionalWriteTest(unittest.TestCase):
    """The notification lease rests on DynamoDB writing an item only when its condition holds at that
    moment. moto checks and writes in two steps, so the layer passes one DynamoDB request at a time."""

    def test_of_concurrent_conditional_updates_exactly_one_wins(self):
        ddb = client("dynamodb", proxy())
        ddb.create_table(
            TableName="lease-race",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        try:
            # A client per contender: one botocore client is not shared across threads here.
            contenders = [boto3_client_for(proxy()) for _ in range(6)]
            winners_per_trial = []
            for trial in range(60):
                ddb.put_item(TableName="lease-race", Item={"id": {"S": "lease"}, "version": {"N": "1"}})
                winners: list[int] = []
                start = threading.Barrier(6)

                def claim(contender: int) -> None:
                    own = contenders[contender]
                    start.wait()
                    try:
                        own.update_item(
                            TableName="lease-race",
                            Key={"id": {"S": "lease"}},
                            UpdateExpression="SET leaseOwner = :owner, version = :next",
                            ConditionExpression="version = :version AND attribute_not_exists(leaseOwner)",
                            ExpressionAttributeValues={":owner": {"S": str(contender)}, ":next": {"N": "2"}, ":version": {"N": "1"}},
                        )
                        winners.append(contender)
                    except ClientError as error:
                        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                            raise

                threads = [threading.Thread(target=claim, args=(i,)) for i in range(6)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                winners_per_trial.append(len(winners))
                owner = ddb.get_item(TableName="lease-race", Key={"id": {"S": "lease"}}, ConsistentRead=True)["Item"]["leaseOwner"]["S"]
                self.assertEqual([owner], [str(w) for w in winners], f"trial {trial}")
            self.assertEqual(winners_per_trial, [1] * 60)
        finally:
            ddb.delete_table(TableName="lease-race")


def boto3_client_for(endpoint: str):
    """A DynamoDB client of its own (support.client shares one per endpoint)."""
    return boto3.session.Session().client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )
