#!/usr/bin/env python3
"""A fault layer in front of the emulator: forwards every request to the upstream (the IPAM layer,
which forwards what it does not answer to moto) unless a rule says otherwise, and logs every call.

Rules are set over HTTP by the test that runs the scanner:

  PUT  /_faults          JSON list of rules (replaces the current ones)
  GET  /_faults/log      every call since the last reset: action, params, what was done, upstream status
  POST /_faults/reset    no rules, empty log

A rule: {"action": "GetIpamResourceCidrs", "fault": KIND, ...options}
  match     {param: value}: only calls whose request parameters (Query form) have these values
  skip      let this many matching calls through first (default 0)
  times     apply to this many matching calls, then stop (default: every one)

Kinds (what the scanner sees; "forwarded" means moto saw the call too):
  status        answer `status` (default 500) with an error document of the service's protocol, code `code`
  throttle      answer 400 RequestLimitExceeded (EC2) / Throttling (others)
  empty         answer 200 with an empty body
  html          answer 200 with an HTML page
  no-result-set answer 200 with the action's XML response, forwarded, minus its result set element
  strip         forwarded; remove every element named `element` (e.g. ipUsage) from the answer,
                only inside items whose resourceId is `resourceId` when that is given
  keep-first    forwarded; keep only the first `count` items of the result set
  hang          read the request and never answer, until the client closes the connection (logged as
                `abandoned`: true) or `seconds` pass (default 120; `abandoned`: false)
  token-fresh   forwarded without its NextToken; the answer's nextToken is replaced by a new token each time
  token-cycle   forwarded without its NextToken; answers carry the tokens of `tokens` (default A, B) in a cycle
  repeat-page   forwarded; the answer gets the NextToken "repeat-page", and the call that sends it is
                forwarded without it: every item comes back on a second page
  deliver-500   forwarded (so delivered); the scanner gets a 500 anyway

A test double for the fault-injection suite; it never ships.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import signal
import socket
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "emulator"))

from forward import HOP_BY_HOP, Answer, exchange, read_body, relay  # noqa: E402
from stats import action_of, body_bytes, credential_scope, query_params  # noqa: E402

# The body goes on un-gzipped (body_bytes), so its Content-Encoding stays behind too.
SKIP_HEADERS = HOP_BY_HOP | {"content-encoding"}
# The result-set element of each EC2 action the scanner calls, as the wire names it.
RESULT_SETS = {
    "DescribeIpams": "ipamSet",
    "DescribeIpamScopes": "ipamScopeSet",
    "GetIpamResourceCidrs": "ipamResourceCidrSet",
    "DescribeVpcs": "vpcSet",
    "DescribeSubnets": "subnetSet",
    "DescribeAddresses": "addressesSet",
}
HANG_LIMIT_S = 120


class Rules:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rules: list[dict] = []
        self.log: list[dict] = []

    def set(self, rules: list[dict]) -> None:
        with self.lock:
            self.rules = [dict(rule, seen=0, applied=0) for rule in rules]

    def reset(self) -> None:
        with self.lock:
            self.rules, self.log = [], []

    def pick(self, action: str, params: dict[str, str]) -> dict | None:
        """The first rule that applies to this call, counted as applied."""
        with self.lock:
            for rule in self.rules:
                if rule.get("action") not in (action, "*"):
                    continue
                if any(params.get(k) != v for k, v in (rule.get("match") or {}).items()):
                    continue
                rule["seen"] += 1
                if rule["seen"] <= rule.get("skip", 0):
                    continue
                if "times" in rule and rule["applied"] >= rule["times"]:
                    continue
                rule["applied"] += 1
                return rule
        return None

    def record(self, entry: dict) -> None:
        with self.lock:
            self.log.append(entry)


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, upstream: str):
        super().__init__(address, Handler)
        self.upstream = urlsplit(upstream)
        self.rules = Rules()


def _error_document(service: str | None, is_json: bool, code: str, message: str) -> tuple[bytes, str]:
    if is_json:
        return json.dumps({"__type": code, "message": message}).encode(), "application/x-amz-json-1.0"
    if service == "ec2":
        xml = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>{uuid.uuid4()}</RequestID></Response>"
        return xml.encode(), "text/xml;charset=UTF-8"
    xml = f"<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{uuid.uuid4()}</RequestId></ErrorResponse>"
    return xml.encode(), "text/xml"


def _items(xml: str, set_name: str) -> tuple[int, int, list[tuple[int, int]]] | None:
    """Where the result set's direct <item> children are: (set content start, set content end, item spans)."""
    open_tag = re.search(rf"<{set_name}>", xml)
    if open_tag is None:
        return None
    start = open_tag.end()
    spans, depth, item_start = [], 0, None
    for tag in re.finditer(rf"<(/?)(item|{set_name})>", xml[start:]):
        closing, name = tag.group(1) == "/", tag.group(2)
        absolute = start + tag.start()
        if name == set_name and closing and depth == 0:
            return start, absolute, spans
        if name != "item":
            continue
        if not closing:
            if depth == 0:
                item_start = absolute
            depth += 1
        else:
            depth -= 1
            if depth == 0 and item_start is not None:
                spans.append((item_start, start + tag.end()))
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultServer

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def _send(self, status: int, body: bytes, content_type: str, headers: list[tuple[str, str]] = ()) -> None:
        self.send_response_only(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _hold(self, seconds: float) -> bool:
        """Answers nothing until the client closes the connection (True) or `seconds` pass (False)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.2))
            if not readable:
                continue
            try:
                if self.connection.recv(1, socket.MSG_PEEK) == b"":
                    return True
            except OSError:
                return True
            time.sleep(0.2)  # more bytes from the client (not expected): keep holding
        return False

    def _handle(self) -> None:
        body = read_body(self)
        path = urlsplit(self.path).path
        rules = self.server.rules
        if path == "/_faults" and self.command == "PUT":
            rules.set(json.loads(body or b"[]"))
            return self._send(200, b'{"ok": true}', "application/json")
        if path == "/_faults/log" and self.command == "GET":
            with rules.lock:
                data = json.dumps(rules.log).encode()
            return self._send(200, data, "application/json")
        if path == "/_faults/reset" and self.command == "POST":
            rules.reset()
            return self._send(200, b'{"ok": true}', "application/json")

        params = query_params(self.path, self.headers, body)
        action = action_of(self.command, self.path, self.headers, params)
        _, service = credential_scope(self.headers)
        is_json = bool(self.headers.get("X-Amz-Target")) or "json" in (self.headers.get("Content-Type") or "")
        picked = rules.pick(action, params)
        entry = {"action": action, "params": {k: v for k, v in params.items() if k in ("NextToken", "IpamScopeId", "Subject", "Message", "TopicArn", "MaxResults")}, "fault": None, "upstream": None, "at": time.time()}
        if action == "Publish":
            entry["params"].update({k: params.get(k) for k in ("Subject", "Message") if k in params})
        rules.record(entry)
        if picked is None:
            entry["upstream"] = self._forward(body)
            return
        rule = picked
        kind = rule["fault"]
        entry["fault"] = kind
        if kind == "status":
            status = int(rule.get("status", 500))
            document, content_type = _error_document(service, is_json, rule.get("code", "InternalError"), "injected fault")
            return self._send(status, document, content_type)
        if kind == "throttle":
            code = "RequestLimitExceeded" if service == "ec2" else "Throttling"
            document, content_type = _error_document(service, is_json, code, "Request limit exceeded.")
            return self._send(400 if service != "ec2" else 503, document, content_type)
        if kind == "empty":
            return self._send(200, b"", "text/xml;charset=UTF-8")
        if kind == "html":
            return self._send(200, b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>", "text/html")
        if kind == "hang":
            # Whether the client gave up (closed the connection) before the hang ended: what proves that
            # the scanner's own bound ended the call, on a machine of any speed.
            entry["abandoned"] = self._hold(float(rule.get("seconds", HANG_LIMIT_S)))
            self.close_connection = True
            return
        repeating = kind == "repeat-page" and params.get("NextToken") == "repeat-page"
        if kind in ("token-fresh", "token-cycle") or repeating:
            body = self._without_token(body)
        answer = self._call_upstream(body)
        entry["upstream"] = answer.status
        if kind == "deliver-500":
            document, content_type = _error_document(service, is_json, "InternalFailure", "injected fault after delivery")
            return self._send(500, document, content_type)
        text = answer.body.decode("utf-8", errors="replace")
        set_name = RESULT_SETS.get(action)
        if kind == "no-result-set" and set_name:
            text = re.sub(rf"<{set_name}>.*?</{set_name}>|<{set_name}/>", "", text, flags=re.S)
        elif kind == "strip":
            text = self._strip(text, set_name, rule)
        elif kind == "keep-first" and set_name:
            text = self._keep_first(text, set_name, int(rule.get("count", 0)))
        elif kind == "repeat-page" and not repeating:
            text = self._set_token(text, "repeat-page")
        elif kind == "token-fresh":
            text = self._set_token(text, f"fresh-{uuid.uuid4().hex}")
        elif kind == "token-cycle":
            tokens = rule.get("tokens", ["A", "B"])
            text = self._set_token(text, tokens[(rule["applied"] - 1) % len(tokens)])
        relay(self, answer, body=text.encode("utf-8"), skip=SKIP_HEADERS)

    # -------------------------------------------------------------- rewriting

    def _without_token(self, body: bytes) -> bytes:
        pairs = [(k, v) for k, v in parse_qsl(body_bytes(self.headers, body).decode("utf-8"), keep_blank_values=True) if k != "NextToken"]
        return urlencode(pairs).encode()

    @staticmethod
    def _set_token(text: str, token: str) -> str:
        text = re.sub(r"<nextToken>.*?</nextToken>|<nextToken/>", "", text, flags=re.S)
        return re.sub(r"(<requestId>.*?</requestId>)", rf"\1<nextToken>{token}</nextToken>", text, count=1, flags=re.S)

    @staticmethod
    def _strip(text: str, set_name: str | None, rule: dict) -> str:
        element = rule["element"]
        pattern = re.compile(rf"<{element}>.*?</{element}>|<{element}/>", flags=re.S)
        resource = rule.get("resourceId")
        if resource is None or set_name is None:
            return pattern.sub("", text)
        found = _items(text, set_name)
        if found is None:
            return text
        _, _, spans = found
        for start, end in reversed(spans):
            item = text[start:end]
            if f"<resourceId>{resource}</resourceId>" in item or f"<subnetId>{resource}</subnetId>" in item:
                text = text[:start] + pattern.sub("", item) + text[end:]
        return text

    @staticmethod
    def _keep_first(text: str, set_name: str, count: int) -> str:
        found = _items(text, set_name)
        if found is None:
            return text
        start, end, spans = found
        kept = "".join(text[s:e] for s, e in spans[:count])
        return text[:start] + kept + text[end:]

    # -------------------------------------------------------------- upstream

    def _call_upstream(self, body: bytes) -> Answer:
        return exchange(self, self.server.upstream, body_bytes(self.headers, body), SKIP_HEADERS)

    def _forward(self, body: bytes) -> int:
        try:
            answer = self._call_upstream(body)
        except OSError as error:
            self._send(502, f"fault_proxy: upstream unreachable: {error}".encode(), "text/plain")
            return 502
        relay(self, answer, skip=SKIP_HEADERS)
        return answer.status


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Fault layer in front of the AWS emulator.")
    parser.add_argument("--upstream", required=True, help="URL to forward to (the IPAM layer)")
    parser.add_argument("--port-file", required=True, help="write the port here once listening")
    args = parser.parse_args(argv)
    server = FaultServer(("127.0.0.1", 0), args.upstream)
    temporary = f"{args.port_file}.tmp"
    with open(temporary, "w") as handle:
        handle.write(f"{server.server_address[1]}\n")
    os.replace(temporary, args.port_file)
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
