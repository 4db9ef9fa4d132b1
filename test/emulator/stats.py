"""Counts the AWS calls that pass through the emulator, by action, and the
CloudWatch metric series they write.

The action is read the way the AWS protocols carry it: Action= in a Query
body or URL (EC2, SNS, CloudWatch in older SDKs), the X-Amz-Target header (JSON
protocols: CloudWatch in the JavaScript SDK v3, DynamoDB), or the
/service/<name>/operation/<Action> path of Smithy RPC v2 CBOR (CloudWatch in botocore). The S3 object
calls the scan history makes are named from their method and path (ListObjectsV2, GetObject,
PutObject). Anything else (REST protocols) is counted as "<service> <METHOD>".
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from urllib.parse import parse_qsl, urlsplit

_CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_RPC_V2_PATH = re.compile(r"^/service/[^/]+/operation/([^/?]+)")


def body_bytes(headers, body: bytes) -> bytes:
    # The CloudWatch SDK gzips PutMetricData bodies of 10 KB and more (requestCompression trait).
    if (headers.get("Content-Encoding") or "").lower() == "gzip":
        return gzip.decompress(body)
    return body


def credential_scope(headers) -> tuple[str | None, str | None]:
    """(region, service) from the SigV4 Authorization header, or (None, None) when unsigned."""
    match = _CREDENTIAL.search(headers.get("Authorization") or "")
    return (match.group(1), match.group(2)) if match else (None, None)


def query_params(path: str, headers, body: bytes) -> dict[str, str]:
    """Form parameters of a Query-protocol request: URL query string plus a form-encoded body."""
    params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    content_type = (headers.get("Content-Type") or "").lower()
    if body and "application/x-www-form-urlencoded" in content_type:
        params.update(parse_qsl(body_bytes(headers, body).decode("utf-8"), keep_blank_values=True))
    return params


def action_of(method: str, path: str, headers, params: dict[str, str]) -> str:
    if params.get("Action"):
        return params["Action"]
    target = headers.get("X-Amz-Target")
    if target:
        return target.rsplit(".", 1)[-1]
    rpc = _RPC_V2_PATH.match(urlsplit(path).path)
    if rpc:
        return rpc.group(1)
    _, service = credential_scope(headers)
    if service == "s3":
        named = _s3_action(method, path)
        if named:
            return named
    return f"{service or 'unsigned'} {method}"


def _s3_action(method: str, path: str) -> str | None:
    """The S3 operation of a path-style request, for the calls the scan history makes; None for others."""
    parts = urlsplit(path)
    key = parts.path.lstrip("/").partition("/")[2]
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    if not key:
        return "ListObjectsV2" if method == "GET" and query.get("list-type") == "2" else None
    if any(name in query for name in ("uploadId", "uploads", "tagging", "acl", "partNumber")):
        return None
    return {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject", "DELETE": "DeleteObject"}.get(method)


def metric_series(headers, params: dict[str, str], body: bytes) -> list[tuple]:
    """The (namespace, metric name, dimensions) of each datum in a PutMetricData request."""
    if params.get("Action") == "PutMetricData":
        namespace = params.get("Namespace", "")
        series = []
        n = 1
        while f"MetricData.member.{n}.MetricName" in params:
            prefix = f"MetricData.member.{n}"
            dims = []
            m = 1
            while f"{prefix}.Dimensions.member.{m}.Name" in params:
                dims.append((params[f"{prefix}.Dimensions.member.{m}.Name"], params.get(f"{prefix}.Dimensions.member.{m}.Value", "")))
                m += 1
            series.append((namespace, params[f"{prefix}.MetricName"], tuple(sorted(dims))))
            n += 1
        return series
    if is_cbor(headers):
        document = decode_cbor(body_bytes(headers, body))
    elif "json" in (headers.get("Content-Type") or "").lower():
        document = json.loads(body_bytes(headers, body) or b"{}")
    else:
        return []
    namespace = document.get("Namespace", "")
    return [
        (namespace, datum.get("MetricName", ""), tuple(sorted((d["Name"], d.get("Value", "")) for d in datum.get("Dimensions") or [])))
        for datum in document.get("MetricData") or []
    ]


def is_cbor(headers) -> bool:
    """Smithy RPC v2 CBOR, which botocore uses for CloudWatch."""
    return (headers.get("smithy-protocol") or "").lower() == "rpc-v2-cbor" or "cbor" in (headers.get("Content-Type") or "").lower()


def decode_cbor(body: bytes) -> dict:
    if not body:
        return {}
    # botocore (installed with boto3) carries a CBOR reader; the standard library has none.
    from botocore.parsers import RpcV2CBORParser

    parser = RpcV2CBORParser()
    return parser.parse_data_item(parser.get_peekable_stream_from_bytes(body))


class CallStats:
    """Thread-safe counters served at GET /_stats and cleared by POST /_stats/reset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.calls: dict[str, int] = {}
        self.datums = 0
        self.series: set[tuple] = set()

    def reset(self) -> None:
        with self._lock:
            self._clear()

    def record(self, action: str, series: list[tuple] | None = None) -> None:
        with self._lock:
            self.calls[action] = self.calls.get(action, 0) + 1
            if series:
                self.datums += len(series)
                self.series.update(series)

    def snapshot(self) -> dict:
        with self._lock:
            namespaces: dict[str, int] = {}
            for namespace, _, _ in self.series:
                namespaces[namespace] = namespaces.get(namespace, 0) + 1
            return {
                "calls": dict(sorted(self.calls.items())),
                "totalCalls": sum(self.calls.values()),
                "metrics": {"datums": self.datums, "series": len(self.series), "seriesByNamespace": namespaces},
            }
