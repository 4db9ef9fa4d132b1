#!/usr/bin/env python3
"""The IPAM emulation layer: an HTTP server on a loopback port.

Proxy mode (--upstream URL of a moto server): answers DescribeIpams,
DescribeIpamScopes and GetIpamResourceCidrs itself from moto's live EC2 state
and forwards every other request to moto unchanged.

Synthetic mode (--synthetic N): serves N generated resource CIDRs over the same
protocol without moto, for benchmarks; it also accepts CloudWatch PutMetricData
and SNS Publish (answered, counted, not stored).

Both modes count calls by action: GET /_stats returns them as JSON and
POST /_stats/reset clears them.

A test double: it never ships in the Lambda package.
"""

from __future__ import annotations

import argparse
import gzip
import ipaddress
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

sys.dont_write_bytecode = True

from forward import HOP_BY_HOP, exchange, read_body, relay  # noqa: E402
from ipam_api import IPAM_ACTIONS, IpamApi, new_request_id, render_error  # noqa: E402
from sfn_api import SFN_ACTIONS  # noqa: E402
from stats import CallStats, action_of, credential_scope, is_cbor, metric_series, query_params  # noqa: E402

CLOUDWATCH_XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/"
SNS_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    # Many SDK clients open connections at once during a scan.
    request_queue_size = 128

    def __init__(self, address, api: IpamApi, upstream: str | None, verbose: bool = False, prefixes=None, network=None):
        super().__init__(address, Handler)
        self.api = api
        # Synthetic EC2 network (synthetic_ec2.py) for the capacity benchmark; None otherwise.
        self.network = network
        # IPv4 prefix delegation on moto's interfaces (prefixes.py); None in synthetic mode.
        self.prefixes = prefixes
        self.stats = CallStats()
        # DynamoDB makes every single-item write atomic with its condition; moto checks the condition
        # and then writes, so two conditional writes at once can both pass. One DynamoDB request at a
        # time through this layer gives the scanner's notification lease the guarantee AWS gives.
        self.dynamodb_lock = threading.Lock()
        self.upstream = urlsplit(upstream) if upstream else None
        self.verbose = verbose
        self._sts_guard = None
        from cfn_api import StackSetSettings
        from s3_policy import BucketPolicies

        self.stack_sets = StackSetSettings()
        self.bucket_policies = BucketPolicies()

    def sts_guard(self, upstream: str):
        """Built on first use: it creates boto3 clients, which a run without AssumeRole never needs."""
        if self._sts_guard is None:
            from sts_guard import StsGuard

            self._sts_guard = StsGuard(upstream)
        return self._sts_guard


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDKs expect
    disable_nagle_algorithm = True  # no 40 ms stalls between the header and body writes
    server: EmulatorServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (signature from the base class)
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _handle(self) -> None:
        self.request_id = new_request_id()
        body = read_body(self)
        path = urlsplit(self.path).path
        if path == "/_stats" and self.command == "GET":
            return self._send(200, json.dumps(self.server.stats.snapshot(), indent=2).encode(), "application/json")
        if path == "/_stats/reset" and self.command == "POST":
            self.server.stats.reset()
            return self._send(200, b'{"reset": true}', "application/json")

        params = query_params(self.path, self.headers, body)
        action = action_of(self.command, self.path, self.headers, params)
        series = None
        if action == "PutMetricData":
            try:
                series = metric_series(self.headers, params, body)
            except Exception as error:  # noqa: BLE001 — a body the counter cannot read is still forwarded
                print(f"ipam_proxy: could not read the metric data of a PutMetricData call: {error!r}", file=sys.stderr, flush=True)
        self.server.stats.record(action, series)

        if self.server.upstream and (action in SFN_ACTIONS or action == "AssumeRole"):
            answered = self._answer_org_action(action, params, body)
            if answered:
                return None
        if action in IPAM_ACTIONS or (params.get("Action") and "Ipam" in action):
            region, _ = credential_scope(self.headers)
            status, xml = self.server.api.handle(action, params, region, self.request_id)
            return self._send(status, xml.encode(), "text/xml;charset=UTF-8")
        if self.server.upstream:
            prefixes = self.server.prefixes
            if prefixes is not None and prefixes.intercepts(action, params):
                region, _ = credential_scope(self.headers)
                status, answer = prefixes.answer(action, params, region or "us-east-1", self.request_id, lambda: self._exchange(body))
                return self._send(status, answer, "text/xml;charset=UTF-8")
            forwarded, correct = self._emulate_around_moto(action, params, body)
            if (self.headers.get("X-Amz-Target") or "").startswith("DynamoDB_"):
                with self.server.dynamodb_lock:
                    return self._forward(forwarded, correct, rewritten=forwarded is not body, action=action, params=params)
            return self._forward(forwarded, correct, rewritten=forwarded is not body, action=action, params=params)
        return self._answer_without_upstream(action, params)

    def _emulate_around_moto(self, action: str, params: dict[str, str], body: bytes):
        """What moto keeps wrong about StackSets and bucket policies (cfn_api.py, s3_policy.py):
        the request to forward instead of this one, and how to correct moto's answer."""
        import cfn_api

        region, _ = credential_scope(self.headers)
        stack_sets = self.server.stack_sets
        if action == "DeleteStackInstances":
            body = cfn_api.with_ou_accounts(body, self.headers.get("Authorization") or "", self.headers.get("X-Amz-Security-Token"), self.server.upstream.geturl())
        elif action in ("CreateStackSet", "UpdateStackSet"):
            stack_sets.remember(region or "", params)
        elif action == "DeleteStackSet":
            stack_sets.forget(region or "", params)
        elif action == "DescribeStackSet":
            return body, lambda status, data: stack_sets.describe(region or "", params, data) if status == 200 else data
        bucket = self.server.bucket_policies.bucket_of(self.command, self.path)
        if bucket is not None:
            policies = self.server.bucket_policies
            if self.command == "PUT":
                policies.remember(bucket, body)
                return policies.evaluable(body), None
            if self.command == "DELETE":
                policies.forget(bucket)
            elif self.command == "GET":
                written = policies.written(bucket)
                return body, (lambda status, data: written if status == 200 and written is not None else data)
        return body, None

    def _answer_org_action(self, action: str, params: dict[str, str], body: bytes) -> bool:
        """Step Functions calls moto lacks, and AssumeRole as AWS decides it; False means forward as is."""
        import sfn_api
        from sts_guard import Refusal, render_refusal

        upstream = self.server.upstream.geturl()
        if action in SFN_ACTIONS:
            status, answer = sfn_api.handle(action, body, self.headers, upstream)
            self._send(status, answer, "application/x-amz-json-1.0")
            return True
        try:
            self.server.sts_guard(upstream).check(params, self.headers.get("Authorization") or "", self.headers.get("X-Amz-Security-Token"))
        except Refusal as refusal:
            self._send(403, render_refusal(str(refusal), self.request_id), "text/xml")
            return True
        return False

    def _send(self, status: int, body: bytes, content_type: str, extra: list[tuple[str, str]] = ()) -> None:
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", self.request_id)
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _exchange(self, body: bytes) -> tuple[int, bytes]:
        """Sends the request to moto and returns its status and body (prefixes.py answers from them)."""
        answer = exchange(self, self.server.upstream, body)
        return answer.status, answer.body

    def _forward(self, body: bytes, correct=None, rewritten: bool = False, action: str = "", params: dict[str, str] | None = None) -> None:
        upstream = self.server.upstream
        skip = HOP_BY_HOP
        if rewritten:
            # Digests of the body the client sent would not match the body moto gets.
            skip = skip | {name for name in (n.lower() for n in self.headers.keys()) if name == "content-md5" or name.startswith("x-amz-checksum-")}
        if (self.headers.get("Content-Encoding") or "").lower() == "gzip":
            # moto's server un-gzips a request body twice and fails (CloudWatch SDKs gzip
            # PutMetricData bodies of 10 KB and more), so moto gets the plain body.
            body = gzip.decompress(body)
            skip = HOP_BY_HOP | {"content-encoding"}
        try:
            answer = exchange(self, upstream, body, skip)
        except OSError as error:
            message = f"ipam_proxy: upstream {upstream.geturl()} unreachable: {error}"
            return self._send(502, message.encode(), "text/plain")
        status, data = answer.status, answer.body
        if correct is not None:
            data = correct(status, data)
        prefixes = self.server.prefixes
        if prefixes is not None and self.command != "HEAD":
            status, data = prefixes.rewrite(action, params or {}, self.request_id, status, data)
        return relay(self, answer, status, data)

    def _answer_without_upstream(self, action: str, params: dict[str, str]) -> None:
        """Synthetic mode: the calls a scan makes besides IPAM, answered like the real services."""
        is_json = bool(self.headers.get("X-Amz-Target")) or "json" in (self.headers.get("Content-Type") or "")
        request_id = self.request_id
        network = self.server.network
        if network is not None and not is_json:
            from synthetic_ec2 import ACTIONS as EC2_ACTIONS

            if action in EC2_ACTIONS:
                status, xml = network.handle(action, params, request_id)
                return self._send(status, xml.encode(), "text/xml;charset=UTF-8")
        if action == "PutMetricData":
            if is_cbor(self.headers):
                return self._send(200, b"\xa0", "application/cbor", [("smithy-protocol", "rpc-v2-cbor")])  # an empty CBOR map
            if is_json:
                return self._send(200, b"{}", "application/x-amz-json-1.0")
            xml = f'<PutMetricDataResponse xmlns="{CLOUDWATCH_XMLNS}"><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></PutMetricDataResponse>'
            return self._send(200, xml.encode(), "text/xml")
        if action == "Publish" and not is_json:
            xml = (
                f'<PublishResponse xmlns="{SNS_XMLNS}"><PublishResult><MessageId>{new_request_id()}</MessageId></PublishResult>'
                f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></PublishResponse>"
            )
            return self._send(200, xml.encode(), "text/xml")
        message = f"The synthetic IPAM emulator answers only IPAM actions, PutMetricData and SNS Publish, not {action}."
        if is_json:
            document = {"__type": "UnsupportedOperation", "message": message}
            return self._send(400, json.dumps(document).encode(), "application/x-amz-json-1.0")
        _, service = credential_scope(self.headers)
        if service == "ec2":
            return self._send(400, render_error("UnsupportedOperation", message, request_id).encode(), "text/xml")
        xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>UnsupportedOperation</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        return self._send(400, xml.encode(), "text/xml")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="IPAM emulation layer in front of moto, or a synthetic IPAM for benchmarks.")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--upstream", help="URL of the moto server to answer from and forward to, e.g. http://127.0.0.1:5000")
    mode.add_argument("--synthetic", type=int, metavar="N", help="serve N generated resource CIDRs without moto")
    mode.add_argument("--synthetic-ec2", metavar="SUBNETS:INTERFACES", help="serve a generated EC2 network (capacity benchmark) without moto")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 (default) asks the OS for a free one")
    parser.add_argument("--port-file", help="write the port here once listening")
    parser.add_argument("--regions", default="us-east-1", help="IPAM operating regions, comma-separated (proxy mode; default us-east-1)")
    parser.add_argument("--home-region", help="IPAM home region (default: the first of --regions)")
    parser.add_argument("--scopes", default="private,public", help="synthetic mode: IPAM scope types, comma-separated; repeat a type for more scopes")
    parser.add_argument("--seed", type=int, default=1, help="synthetic mode: generator seed (default 1)")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        parser.error(f"--host {args.host}: the emulator listens on loopback addresses only")
    return args


def build_server(args: argparse.Namespace) -> EmulatorServer:
    log = lambda line: print(f"ipam_proxy: {line}", file=sys.stderr, flush=True)  # noqa: E731
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    if args.synthetic_ec2 is not None:
        from inventory_synthetic import SyntheticInventory
        from synthetic_ec2 import SyntheticNetwork

        subnets, _, interfaces = args.synthetic_ec2.partition(":")
        network = SyntheticNetwork(int(subnets), int(interfaces or 0), args.seed)
        log(f"synthetic EC2 network: {len(network.subnets)} subnets, {network.interface_count} interfaces")
        inventory = SyntheticInventory(0, ["private"], args.seed, args.home_region or "us-east-1")
        return EmulatorServer((args.host, args.port), IpamApi(inventory, log), None, args.verbose, network=network)
    if args.synthetic is not None:
        from inventory_synthetic import SyntheticInventory, parse_scope_types

        inventory = SyntheticInventory(args.synthetic, parse_scope_types(args.scopes), args.seed, args.home_region or "us-east-1")
    else:
        from inventory_live import LiveInventory

        # moto accepts any credentials; a profile from the caller's shell would only fail the lookup.
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
            os.environ.pop(name, None)
        from prefixes import PrefixDelegation

        inventory = LiveInventory(args.upstream, args.home_region or regions[0], regions)
        prefixes = PrefixDelegation(lambda region: inventory._client("ec2", region))
        inventory.prefixes = prefixes
        return EmulatorServer((args.host, args.port), IpamApi(inventory, log), args.upstream, args.verbose, prefixes)
    return EmulatorServer((args.host, args.port), IpamApi(inventory, log), args.upstream, args.verbose)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    server = build_server(args)
    port = server.server_address[1]
    if args.port_file:
        temporary = f"{args.port_file}.tmp"
        with open(temporary, "w") as handle:
            handle.write(f"{port}\n")
        os.replace(temporary, args.port_file)
    print(f"ipam_proxy listening on http://{args.host}:{port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
