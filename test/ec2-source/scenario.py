"""The one scenario every test reads: the network seeded into moto, then the real CLI run against it
(once with --format json, once with --format table), built on first use and shared.

run_tests.py starts the emulator and the gateway and calls configure(); the tests call get().
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import network

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CLI = REPO / "scripts" / "ipam-monitor"
RULES = HERE / "rules.yaml"
CLI_TIMEOUT_S = 60


@dataclass
class Run:
    command: list
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    calls: list  # the AWS calls the gateway saw during this run


@dataclass
class Scenario:
    seeded: network.Seeded
    json_run: Run
    result: dict
    table_run: Run


_moto_url: Optional[str] = None
_gateway = None
_scenario: Optional[Scenario] = None
_failure: Optional[BaseException] = None


def configure(moto_url: str, gateway) -> None:
    global _moto_url, _gateway, _scenario, _failure
    _moto_url, _gateway, _scenario, _failure = moto_url, gateway, None, None


def _cli_env(endpoint: str) -> dict:
    """Only what the CLI needs: nothing from the caller's AWS settings reaches it."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "TMPDIR", "LANG") if name in os.environ}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION=network.REGIONS[0],
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def run_cli(*options: str, rules: Path = RULES, regions: tuple = network.REGIONS) -> Run:
    return run_command("scan", "--rules", str(rules), "--source", "ec2", "--regions", ",".join(regions), *options)


def run_command(*arguments: str) -> Run:
    """Any ipam-monitor command against the gateway, recording the calls it made."""
    command = [str(CLI), *arguments]
    _gateway.reset()
    started = time.monotonic()
    completed = subprocess.run(command, env=_cli_env(_gateway.url), capture_output=True, text=True, timeout=CLI_TIMEOUT_S, cwd=REPO)
    return Run(command, completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started, _gateway.calls())


def get() -> Scenario:
    global _scenario, _failure
    if _moto_url is None:
        raise RuntimeError("the emulator is not running: run these tests with python3 test/ec2-source/run_tests.py")
    if _failure is not None:
        # Seeding again into the same moto would test a different network: report the first failure again.
        raise RuntimeError(f"the scenario could not be built: {_failure}") from _failure
    if _scenario is None:
        try:
            _scenario = _build()
        except Exception as error:
            _failure = error
            raise
    return _scenario


def _build() -> Scenario:
    seeded = network.seed(_moto_url)
    json_run = run_cli("--format", "json", "--dry-run")
    if json_run.returncode != 0:
        raise AssertionError(f"the JSON scan exited {json_run.returncode}:\n{json_run.stderr}")
    try:
        result = json.loads(json_run.stdout)
    except ValueError as error:
        raise AssertionError(f"the JSON scan printed no JSON ({error}):\n{json_run.stdout[:2000]}") from error
    table_run = run_cli("--format", "table", "--dry-run", "--fail-on", "critical")
    return Scenario(seeded, json_run, result, table_run)
