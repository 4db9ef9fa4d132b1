"""Passing a request on to the layer behind (forward.py), as both proxies do: the request's body and
end-to-end headers go on, hop-by-hop ones stay, and the answer comes back with its length recomputed."""

from __future__ import annotations

import http.client
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from forward import HOP_BY_HOP, exchange, read_body, relay


class Upstream(BaseHTTPRequestHandler):
    """Answers with what it received: the body, and the headers as X-Seen-<name>."""

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (signature from the base class)
        pass

    def do_POST(self) -> None:
        body = read_body(self)
        self.send_response(201)
        for name, value in self.headers.items():
            self.send_header(f"X-Seen-{name}", value)
        self.send_header("Keep-Alive", "timeout=5")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1234")
        self.end_headers()


class Proxy(BaseHTTPRequestHandler):
    upstream = None

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:
        body = read_body(self)
        answer = exchange(self, self.upstream, body)
        relay(self, answer, body=answer.body.upper() if self.path == "/upper" else None)

    do_HEAD = do_POST


def serve(handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


class ForwardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.upstream = serve(Upstream)
        Proxy.upstream = urlsplit(f"http://127.0.0.1:{cls.upstream.server_address[1]}")
        cls.proxy = serve(Proxy)

    @classmethod
    def tearDownClass(cls):
        for server in (cls.proxy, cls.upstream):
            server.shutdown()
            server.server_close()

    def request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]):
        connection = http.client.HTTPConnection("127.0.0.1", self.proxy.server_address[1], timeout=10)
        try:
            connection.request(method, path, body, headers, encode_chunked="Transfer-Encoding" in headers)
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def test_passes_the_body_and_end_to_end_headers_on_and_keeps_hop_by_hop_ones(self):
        response, body = self.request("POST", "/", b"Action=DescribeVpcs", {"X-Amz-Target": "t", "Connection": "keep-alive", "TE": "trailers"})
        self.assertEqual((response.status, body), (201, b"Action=DescribeVpcs"))
        self.assertEqual(response.getheader("X-Seen-X-Amz-Target"), "t")
        self.assertEqual(response.getheader("X-Seen-Content-Length"), "19")
        self.assertIsNone(response.getheader("X-Seen-Connection"))
        self.assertIsNone(response.getheader("X-Seen-TE"))
        self.assertIsNone(response.getheader("Keep-Alive"))

    def test_reads_a_chunked_body_whole(self):
        response, body = self.request("POST", "/", iter([b"Action=", b"DescribeSubnets"]), {"Transfer-Encoding": "chunked"})
        self.assertEqual(body, b"Action=DescribeSubnets")
        self.assertIsNone(response.getheader("X-Seen-Transfer-Encoding"))

    def test_recomputes_the_length_of_a_body_the_layer_changed(self):
        response, body = self.request("POST", "/upper", b"abc", {})
        self.assertEqual(body, b"ABC")
        self.assertEqual(response.getheader("Content-Length"), "3")

    def test_keeps_the_length_a_head_answer_carries_for_the_body_it_leaves_out(self):
        response, _ = self.request("HEAD", "/", None, {})
        self.assertEqual(response.getheader("Content-Length"), "1234")

    def test_treats_the_framing_headers_as_its_own(self):
        self.assertTrue({"content-length", "transfer-encoding", "connection", "expect"} <= HOP_BY_HOP)


if __name__ == "__main__":
    unittest.main()
