"""Call counting: the action of each AWS protocol, and the metric series of PutMetricData."""

from __future__ import annotations

import gzip
import json
import unittest

from stats import CallStats, action_of, credential_scope, metric_series, query_params

SIGNED_EC2 = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/ec2/aws4_request, SignedHeaders=host, Signature=0"}
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


class ActionTest(unittest.TestCase):
    def test_reads_the_action_of_a_query_body(self):
        params = query_params("/", FORM, b"Action=GetIpamResourceCidrs&Version=2016-11-15")
        self.assertEqual(action_of("POST", "/", FORM, params), "GetIpamResourceCidrs")

    def test_reads_the_action_of_a_query_url(self):
        params = query_params("/?Action=DescribeIpams&Version=2016-11-15", {}, b"")
        self.assertEqual(action_of("GET", "/", {}, params), "DescribeIpams")

    def test_reads_the_action_of_a_json_target(self):
        headers = {"X-Amz-Target": "GraniteServiceVersion20100801.PutMetricData", "Content-Type": "application/x-amz-json-1.0"}
        self.assertEqual(action_of("POST", "/", headers, {}), "PutMetricData")

    def test_names_the_s3_object_calls_of_the_scan_history(self):
        headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/s3/aws4_request, SignedHeaders=host"}
        self.assertEqual(action_of("GET", "/bucket?list-type=2&prefix=days%2F", headers, {}), "ListObjectsV2")
        self.assertEqual(action_of("GET", "/bucket/days/2026-12-01.json.gz?x-id=GetObject", headers, {}), "GetObject")
        self.assertEqual(action_of("PUT", "/bucket/days/2026-12-01.json.gz?x-id=PutObject", headers, {}), "PutObject")

    def test_counts_other_s3_calls_by_method(self):
        headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20261201/us-east-1/s3/aws4_request, SignedHeaders=host"}
        self.assertEqual(action_of("PUT", "/bucket", headers, {}), "s3 PUT")
        self.assertEqual(action_of("POST", "/bucket/key?uploads", headers, {}), "s3 POST")

    def test_reads_the_action_of_an_rpc_v2_cbor_path(self):
        self.assertEqual(action_of("POST", "/service/GraniteServiceVersion20100801/operation/PutMetricData", {}, {}), "PutMetricData")

    def test_names_a_rest_call_by_service_and_method(self):
        headers = {"Authorization": SIGNED_EC2["Authorization"].replace("/ec2/", "/lambda/")}
        self.assertEqual(action_of("GET", "/2015-03-31/functions/f", headers, {}), "lambda GET")

    def test_reads_region_and_service_from_the_signature(self):
        self.assertEqual(credential_scope(SIGNED_EC2), ("eu-west-1", "ec2"))

    def test_an_unsigned_request_has_no_region(self):
        self.assertEqual(credential_scope({}), (None, None))


class MetricSeriesTest(unittest.TestCase):
    JSON_BODY = {
        "Namespace": "IPAMMonitor",
        "MetricData": [
            {"MetricName": "MaxUtilization", "Dimensions": [{"Name": "Scope", "Value": "prod"}], "Value": 91.2},
            {"MetricName": "ScanSuccess", "Value": 1},
        ],
    }

    def test_reads_series_from_a_query_body(self):
        body = b"Action=PutMetricData&Namespace=N&MetricData.member.1.MetricName=M&MetricData.member.1.Dimensions.member.1.Name=Scope&MetricData.member.1.Dimensions.member.1.Value=prod"
        params = query_params("/", FORM, body)
        self.assertEqual(metric_series(FORM, params, body), [("N", "M", (("Scope", "prod"),))])

    def test_reads_series_from_a_json_body(self):
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        series = metric_series(headers, {}, json.dumps(self.JSON_BODY).encode())
        self.assertEqual(series, [("IPAMMonitor", "MaxUtilization", (("Scope", "prod"),)), ("IPAMMonitor", "ScanSuccess", ())])

    def test_reads_series_from_a_gzipped_json_body(self):
        headers = {"Content-Type": "application/x-amz-json-1.0", "Content-Encoding": "gzip"}
        series = metric_series(headers, {}, gzip.compress(json.dumps(self.JSON_BODY).encode()))
        self.assertEqual(len(series), 2)


class CallStatsTest(unittest.TestCase):
    def test_counts_calls_per_action_and_distinct_series(self):
        stats = CallStats()
        stats.record("GetIpamResourceCidrs")
        stats.record("PutMetricData", [("N", "M", ()), ("N", "M", ())])
        snapshot = stats.snapshot()
        self.assertEqual(
            (snapshot["calls"], snapshot["totalCalls"], snapshot["metrics"]),
            ({"GetIpamResourceCidrs": 1, "PutMetricData": 1}, 2, {"datums": 2, "series": 1, "seriesByNamespace": {"N": 1}}),
        )

    def test_reset_clears_everything(self):
        stats = CallStats()
        stats.record("PutMetricData", [("N", "M", ())])
        stats.reset()
        self.assertEqual(stats.snapshot(), {"calls": {}, "totalCalls": 0, "metrics": {"datums": 0, "series": 0, "seriesByNamespace": {}}})


if __name__ == "__main__":
    unittest.main()
