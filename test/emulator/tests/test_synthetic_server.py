"""Synthetic mode over HTTP: the protocol, the call counters the benchmark reads, and the other calls of a scan."""

from __future__ import annotations

import unittest
import urllib.request
from xml.etree import ElementTree

from botocore.exceptions import ClientError

from support import client, http_json, js_probe, synthetic_server

SERVER: dict = {}
COUNT = 2500  # 2250 in the private scope, 250 Elastic IPs in the public one


def setUpModule():
    SERVER["context"] = synthetic_server(COUNT, "private,public")
    SERVER["url"] = SERVER["context"].__enter__()


def tearDownModule():
    SERVER["context"].__exit__(None, None, None)


def url() -> str:
    return SERVER["url"]


def scopes() -> dict[str, str]:
    return {s["IpamScopeType"]: s["IpamScopeId"] for s in client("ec2", url()).describe_ipam_scopes()["IpamScopes"]}


def page_through(scope_id: str, page_size: int = 1000) -> list[dict]:
    pages = client("ec2", url()).get_paginator("get_ipam_resource_cidrs").paginate(IpamScopeId=scope_id, PaginationConfig={"PageSize": page_size})
    return [r for page in pages for r in page["IpamResourceCidrs"]]


class SyntheticServerTest(unittest.TestCase):
    def setUp(self):
        http_json(f"{url()}/_stats/reset", "POST")

    def test_serves_n_resource_cidrs_across_its_scopes_each_once(self):
        found = [r for scope in scopes().values() for r in page_through(scope)]
        self.assertEqual((len(found), len({(r["ResourceId"], r["ResourceCidr"]) for r in found})), (COUNT, COUNT))

    def test_counts_one_call_per_1000_resources_per_scope(self):
        ids = scopes()
        http_json(f"{url()}/_stats/reset", "POST")
        for scope in ids.values():
            page_through(scope)
        self.assertEqual(http_json(f"{url()}/_stats")["calls"], {"GetIpamResourceCidrs": 3 + 1})

    def test_counts_the_describe_calls_too(self):
        client("ec2", url()).describe_ipams()
        scopes()
        self.assertEqual(http_json(f"{url()}/_stats")["calls"], {"DescribeIpamScopes": 1, "DescribeIpams": 1})

    def test_reset_clears_the_counters(self):
        scopes()
        http_json(f"{url()}/_stats/reset", "POST")
        self.assertEqual(http_json(f"{url()}/_stats")["totalCalls"], 0)

    def test_the_javascript_sdk_pages_through_in_ceil_n_over_1000_calls(self):
        result = js_probe(url(), "us-east-1", "cidrs", scopes()["private"], 1000)
        stats = http_json(f"{url()}/_stats")
        self.assertEqual((len(result["items"]), result["pages"], stats["calls"]["GetIpamResourceCidrs"]), (2250, 3, 3))

    def test_rejects_max_results_10000(self):
        with self.assertRaises(ClientError) as raised:
            client("ec2", url()).get_ipam_resource_cidrs(IpamScopeId=scopes()["private"], MaxResults=10000)
        self.assertEqual(raised.exception.response["Error"]["Code"], "InvalidParameterValue")

    def test_answers_and_counts_put_metric_data_from_the_javascript_sdk(self):
        js_probe(url(), "us-east-1", "put-metrics", "Bench", 1500)
        stats = http_json(f"{url()}/_stats")
        self.assertEqual((stats["calls"], stats["metrics"]["datums"], stats["metrics"]["series"]), ({"PutMetricData": 2}, 1500, 1500))

    def test_answers_and_counts_query_protocol_put_metric_data(self):
        body = "Action=PutMetricData&Version=2010-08-01&Namespace=Bench&MetricData.member.1.MetricName=ScanSuccess&MetricData.member.1.Value=1"
        request = urllib.request.Request(url(), data=body.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = ElementTree.fromstring(response.read())
        stats = http_json(f"{url()}/_stats")
        self.assertEqual((answer.tag, stats["calls"], stats["metrics"]["series"]), ("{http://monitoring.amazonaws.com/doc/2010-08-01/}PutMetricDataResponse", {"PutMetricData": 1}, 1))

    def test_answers_and_counts_cbor_put_metric_data_from_boto3(self):
        client("cloudwatch", url()).put_metric_data(Namespace="Bench", MetricData=[{"MetricName": "ScanSuccess", "Value": 1}] * 2)
        stats = http_json(f"{url()}/_stats")
        self.assertEqual((stats["calls"], stats["metrics"]["datums"], stats["metrics"]["series"]), ({"PutMetricData": 1}, 2, 1))

    def test_answers_sns_publish(self):
        message_id = client("sns", url()).publish(TopicArn="arn:aws:sns:us-east-1:100000000000:bench", Message="m")["MessageId"]
        self.assertEqual((bool(message_id), http_json(f"{url()}/_stats")["calls"]), (True, {"Publish": 1}))

    def test_refuses_other_calls_with_an_error_the_sdk_understands(self):
        with self.assertRaises(ClientError) as raised:
            client("ec2", url()).describe_vpcs()
        self.assertEqual(raised.exception.response["Error"]["Code"], "UnsupportedOperation")


if __name__ == "__main__":
    unittest.main()
