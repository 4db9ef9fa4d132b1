"""Passing one request on to the layer behind, as both proxies do it: the emulator's IPAM layer
(ipam_proxy.py, in front of moto) and the fault layer (test/faults/fault_proxy.py, in front of it).

One connection per request: moto closes its connections after every response anyway, and a
connection of its own keeps one request's failure from reaching another's.
"""

from __future__ import annotations

import http.client
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import SplitResult

# Hop-by-hop headers (RFC 9110 §7.6.1), the framing headers the proxy recomputes, and Expect
# (the proxy has already read the whole body, and answered 100 Continue itself).
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "content-length", "expect"})


@dataclass
class Answer:
    """What the layer behind answered."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The whole request body, whether sent with a Content-Length or in chunks."""
    if "chunked" in (handler.headers.get("Transfer-Encoding") or "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def exchange(handler: BaseHTTPRequestHandler, upstream: SplitResult, body: bytes, skip: frozenset[str] = HOP_BY_HOP) -> Answer:
    """Sends the handler's request, with `body` and without the headers in `skip`, to `upstream` and
    returns the whole answer. Raises OSError when the layer behind cannot be reached."""
    connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=300)
    try:
        connection.putrequest(handler.command, handler.path, skip_host=True, skip_accept_encoding=True)
        for name, value in handler.headers.items():
            if name.lower() not in skip:
                connection.putheader(name, value)
        if body or handler.command in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return Answer(response.status, response.reason, response.getheaders(), response.read())
    finally:
        connection.close()


def relay(handler: BaseHTTPRequestHandler, answer: Answer, status: int | None = None, body: bytes | None = None, skip: frozenset[str] = HOP_BY_HOP) -> None:
    """Sends an answer from the layer behind on to the client: its status (or `status`), its headers
    less those in `skip`, and its body (or `body`), with the length recomputed."""
    status = answer.status if status is None else status
    data = answer.body if body is None else body
    handler.send_response_only(status, answer.reason if status == answer.status else None)
    for name, value in answer.headers:
        if name.lower() not in skip:
            handler.send_header(name, value)
    # HEAD answers carry the length of the body they leave out.
    length = answer.header("Content-Length") if handler.command == "HEAD" else str(len(data))
    if length is not None:
        handler.send_header("Content-Length", length)
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)
