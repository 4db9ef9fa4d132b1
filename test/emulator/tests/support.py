"""Helpers shared by the emulator's tests: SDK clients, the JavaScript SDK probe, a synthetic server."""

from __future__ import annotations

import contextlib
import functools
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import boto3
from botocore.config import Config

EMULATOR_DIR = Path(__file__).resolve().parent.parent
REPO = EMULATOR_DIR.parent.parent
PROBE = Path(__file__).resolve().parent / "js_sdk_probe.mjs"
SDK = REPO / "lambda" / "node_modules" / "@aws-sdk" / "client-ec2"


@functools.lru_cache(maxsize=None)
def client(service: str, endpoint: str, region: str = "us-east-1"):
    """One client per service, endpoint and region: building an EC2 client takes a good fraction of a second."""
    return boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def js_probe(endpoint: str, region: str, *args: object) -> dict:
    """Runs tests/js_sdk_probe.mjs with the scanner's SDK and returns what it printed."""
    if not SDK.exists():
        raise AssertionError(f"the JavaScript SDK is missing at {SDK}; run: npm ci --prefix {REPO / 'lambda'}")
    result = subprocess.run(
        ["node", "--no-warnings", str(PROBE), endpoint, region, *map(str, args)], capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise AssertionError(f"js_sdk_probe {args} failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def http_json(url: str, method: str = "GET") -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, method=method, data=b"" if method == "POST" else None), timeout=10) as response:
        return json.loads(response.read())


@contextlib.contextmanager
def synthetic_server(count: int, scopes: str = "private,public", seed: int = 1):
    """An ipam_proxy.py --synthetic process on a free port; yields its URL, always stops it."""
    with tempfile.TemporaryDirectory() as directory:
        port_file = Path(directory) / "port"
        process = subprocess.Popen(
            [sys.executable, "-B", str(EMULATOR_DIR / "ipam_proxy.py"), "--synthetic", str(count), "--scopes", scopes, "--seed", str(seed), "--port-file", str(port_file)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while not port_file.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"synthetic server did not start: {process.stderr.read().decode() if process.poll() is not None else 'timeout'}")
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port_file.read_text().strip()}"
        finally:
            process.terminate()
            process.wait(timeout=10)
            process.stderr.close()
