"""A recording gateway between the scanner and moto, on a free loopback port.

It forwards every request unchanged and
- records each call (action, region from the SigV4 credential scope, Query parameters), so the test
  can check which EC2 actions the EC2 source calls, with which MaxResults and filters, per region;
- corrects one moto rendering defect, so the scanner reads what EC2 would return: moto 5.x writes a
  subnet's IPv6 association state as `<state>{'State': 'associated'}</state>` instead of
  `<state>associated</state>` (it nests the state dict in another one). An EC2 client that checks
  the state, as the EC2 source does, would otherwise never see a subnet's IPv6 CIDR.
"""

from __future__ import annotations

import http.client
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization", "proxy-authenticate", "host", "content-length"}
CREDENTIAL = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
MOTO_NESTED_STATE = re.compile(rb"<state>\{'State': '([a-z-]+)'\}</state>")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (signature from the base class)
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
        if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        match = CREDENTIAL.search(self.headers.get("Authorization") or "")
        action = params.get("Action") or (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1] or f"{self.command} {urlsplit(self.path).path}"
        self.server.record({"action": action, "region": match.group(1) if match else None, "service": match.group(2) if match else None, "params": params})

        upstream = http.client.HTTPConnection(self.server.upstream_host, self.server.upstream_port, timeout=60)
        try:
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    upstream.putheader(name, value)
            upstream.putheader("Host", f"{self.server.upstream_host}:{self.server.upstream_port}")
            upstream.putheader("Content-Length", str(len(body)))
            upstream.endheaders(body)
            response = upstream.getresponse()
            data = response.read()
            headers = response.getheaders()
            status, reason = response.status, response.reason
        finally:
            upstream.close()
        if action == "DescribeSubnets":
            data = MOTO_NESTED_STATE.sub(rb"<state>\1</state>", data)
        self.send_response_only(status, reason)
        for name, value in headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    do_GET = do_POST


class Gateway:
    """`with Gateway("http://127.0.0.1:PORT") as gateway:` serves on gateway.url until the block ends."""

    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.upstream_host, self._server.upstream_port = target.hostname, target.port
        self._lock = threading.Lock()
        self._calls: list[dict] = []
        self._server.record = self._record
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto-gateway", daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _record(self, call: dict) -> None:
        with self._lock:
            self._calls.append(call)

    def calls(self) -> list[dict]:
        with self._lock:
            return list(self._calls)

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()

    def __enter__(self) -> "Gateway":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
