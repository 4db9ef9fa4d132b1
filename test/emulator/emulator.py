#!/usr/bin/env python3
"""Starts and stops the local AWS emulator: a moto server and the IPAM layer in front of it.

  emulator.py start --state-file F [--regions us-east-1,eu-west-1] [--log-dir D]
      starts both on free loopback ports, waits until they answer, writes F
      (JSON: ports, URLs, PIDs) and prints it. On any failure it stops what it
      started and exits non-zero.
  emulator.py stop --state-file F
      stops exactly the processes recorded in F and removes F.
  emulator.py run [--regions …] -- COMMAND …
      start, run COMMAND with the endpoints in its environment, always stop;
      exits with COMMAND's status.
  emulator.py check
      says what is missing (moto's server, Flask, boto3) and exits non-zero if anything is.

Python callers can use `with running_emulator() as emulator:` instead.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

sys.dont_write_bytecode = True

HERE = Path(__file__).resolve().parent
INSTALL_HINT = "pip install -r test/requirements.txt"
READY_TIMEOUT_S = 60
# The seeder puts most of its network in the first region and one VPC in the second.
DEFAULT_REGIONS = "us-east-1,eu-west-1"


class EmulatorError(Exception):
    pass


@dataclass
class Process:
    pid: int
    port: int
    url: str
    marker: str  # a string the process's command line must contain, checked before signalling it
    log: str


@dataclass
class Emulator:
    moto: Process
    proxy: Process
    regions: list[str]
    log_dir: str
    owns_log_dir: bool = False  # a temporary directory start() made: stop() removes it

    def env(self) -> dict[str, str]:
        """Environment for a process that talks to the emulator through the IPAM layer."""
        return {
            "EMULATOR_MOTO_ENDPOINT": self.moto.url,
            "EMULATOR_IPAM_ENDPOINT": self.proxy.url,
            "AWS_ENDPOINT_URL": self.proxy.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": self.regions[0],
            "AWS_DEFAULT_REGION": self.regions[0],
        }

    def to_json(self) -> dict:
        return {"moto": asdict(self.moto), "proxy": asdict(self.proxy), "regions": self.regions, "logDir": self.log_dir, "ownsLogDir": self.owns_log_dir}

    @staticmethod
    def from_json(data: dict) -> "Emulator":
        return Emulator(Process(**data["moto"]), Process(**data["proxy"]), data["regions"], data["logDir"], data.get("ownsLogDir", False))


REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"


def pinned_requirements() -> dict[str, str]:
    """The packages test/requirements.txt pins, by distribution name: {"moto": "5.2.1", ...}."""
    pins: dict[str, str] = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, version = line.partition("==")
        pins[name.split("[", 1)[0].strip()] = version.strip()
    return pins


def missing_dependencies() -> list[str]:
    """Each pinned package that is not installed at its pinned version, as "moto 5.2.1 (found 5.1.0)"."""
    missing = []
    for name, version in pinned_requirements().items():
        try:
            found = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(f"{name} {version}")
            continue
        if found != version:
            missing.append(f"{name} {version} (found {found})")
    return missing


def require_dependencies() -> None:
    missing = missing_dependencies()
    if missing:
        raise EmulatorError(f"the AWS emulator needs {', '.join(missing)}; install them with: {INSTALL_HINT}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # The emulator accepts any credentials; a profile or real keys from the caller's shell are never needed.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    return env


def _spawn(command: list[str], log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as log:
        # A session of its own: Ctrl-C in the caller's terminal does not reach it; stop() does.
        return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=_child_env(), start_new_session=True)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer means it is serving
    except (urllib.error.URLError, OSError):
        return False


def _wait_ready(process: subprocess.Popen, url: str, log_path: Path, what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmulatorError(f"{what} exited with status {process.returncode} before answering; log {log_path}:\n{_tail(log_path)}")
        if _answers(url):
            return
        time.sleep(0.1)
    raise EmulatorError(f"{what} did not answer {url} within {READY_TIMEOUT_S} s; log {log_path}:\n{_tail(log_path)}")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _start_moto(log_dir: Path) -> Process:
    log_path = log_dir / "moto.log"
    last_error: EmulatorError | None = None
    # The port is free when asked for but another process may take it before moto binds: retry.
    for _ in range(5):
        port = free_port()
        process = _spawn([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log_path)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(process, f"{url}/moto-api/", log_path, "moto")
            return Process(process.pid, port, url, "moto.server", str(log_path))
        except EmulatorError as error:
            last_error = error
            _terminate(process.pid, "moto.server")
        except BaseException:
            _terminate(process.pid, "moto.server")
            raise
    raise last_error or EmulatorError("moto did not start")


def _start_proxy(log_dir: Path, upstream: str, regions: list[str]) -> Process:
    log_path = log_dir / "ipam_proxy.log"
    port_file = log_dir / "ipam_proxy.port"
    port_file.unlink(missing_ok=True)
    command = [sys.executable, str(HERE / "ipam_proxy.py"), "--upstream", upstream, "--regions", ",".join(regions), "--port", "0", "--port-file", str(port_file)]
    process = _spawn(command, log_path)
    process_info = Process(process.pid, 0, "", "ipam_proxy.py", str(log_path))
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise EmulatorError(f"the IPAM layer did not start; log {log_path}:\n{_tail(log_path)}")
            time.sleep(0.05)
        port = int(port_file.read_text().strip())
        url = f"http://127.0.0.1:{port}"
        _wait_ready(process, f"{url}/_stats", log_path, "the IPAM layer")
        return Process(process.pid, port, url, "ipam_proxy.py", str(log_path))
    except BaseException:
        _terminate(process_info.pid, process_info.marker)
        raise


def start(regions: list[str], log_dir: str | None = None) -> Emulator:
    """Starts moto and the IPAM layer; on failure nothing is left running."""
    require_dependencies()
    directory = Path(log_dir or tempfile.mkdtemp(prefix="ipam-emulator-"))
    directory.mkdir(parents=True, exist_ok=True)
    moto = _start_moto(directory)
    try:
        proxy = _start_proxy(directory, moto.url, regions)
    except BaseException:
        _terminate(moto.pid, moto.marker)
        raise
    return Emulator(moto, proxy, regions, str(directory), owns_log_dir=log_dir is None)


def _command_line(pid: int) -> str | None:
    """The process's command line, or None when no such process runs (gone, or a zombie)."""
    try:
        # A zombie's cmdline is empty: it has exited and only waits to be reaped by its parent.
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace") or None
    except FileNotFoundError:
        pass
    except OSError:
        return None
    if Path("/proc/self").exists():
        return None  # Linux, and the process is gone
    result = subprocess.run(["ps", "-p", str(pid), "-o", "command="], capture_output=True, text=True)
    return result.stdout.strip() or None


def _terminate(pid: int, marker: str, timeout_s: float = 10) -> None:
    """Stops one process we started, after checking that the PID is still ours (PIDs get reused)."""
    command = _command_line(pid)
    if command is None or marker not in command:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it when it is our child
        if _command_line(pid) is None:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def stop(emulator: Emulator) -> None:
    _terminate(emulator.proxy.pid, emulator.proxy.marker)
    _terminate(emulator.moto.pid, emulator.moto.marker)
    if emulator.owns_log_dir:
        shutil.rmtree(emulator.log_dir, ignore_errors=True)


@contextlib.contextmanager
def running_emulator(regions: list[str] | None = None, log_dir: str | None = None):
    emulator = start(regions or DEFAULT_REGIONS.split(","), log_dir)
    try:
        yield emulator
    finally:
        stop(emulator)


def _write_state(path: Path, emulator: Emulator) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(emulator.to_json(), indent=2) + "\n")
    os.replace(temporary, path)


def _run(regions: list[str], log_dir: str | None, command: list[str]) -> int:
    if not command:
        raise EmulatorError("run needs a command after --")
    emulator = start(regions, log_dir)
    child = None
    try:
        env = {**os.environ, **emulator.env()}
        child = subprocess.Popen(command, env=env)
        return child.wait()
    except KeyboardInterrupt:
        if child and child.poll() is None:
            child.terminate()
            child.wait()
        return 130
    finally:
        stop(emulator)


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    # SIGTERM and SIGHUP unwind like Ctrl-C, so the cleanup in start() and run's finally still happens.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    parser = argparse.ArgumentParser(description="Start and stop the local AWS emulator (moto + IPAM layer).")
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("start", "run"):
        sub = commands.add_parser(name)
        sub.add_argument("--regions", default=DEFAULT_REGIONS, help=f"IPAM operating regions, comma-separated; the first is the home region (default {DEFAULT_REGIONS})")
        sub.add_argument("--log-dir", help="where moto.log and ipam_proxy.log go (default: a new temporary directory)")
        if name == "start":
            sub.add_argument("--state-file", required=True, help="JSON file to record ports and PIDs in")
        else:
            sub.add_argument("rest", nargs=argparse.REMAINDER, help="-- COMMAND …")
    stop_parser = commands.add_parser("stop")
    stop_parser.add_argument("--state-file", required=True)
    commands.add_parser("check")
    args = parser.parse_args(argv)

    try:
        if args.command == "check":
            require_dependencies()
            print("the AWS emulator's dependencies are installed")
            return 0
        if args.command == "stop":
            path = Path(args.state_file)
            if not path.exists():
                print(f"emulator: no state file {path}; nothing to stop", file=sys.stderr)
                return 0
            stop(Emulator.from_json(json.loads(path.read_text())))
            path.unlink()
            return 0
        regions = [r.strip() for r in args.regions.split(",") if r.strip()]
        if args.command == "start":
            emulator = start(regions, args.log_dir)
            try:
                _write_state(Path(args.state_file), emulator)
            except BaseException:
                stop(emulator)
                raise
            print(json.dumps(emulator.to_json(), indent=2))
            return 0
        command = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
        return _run(regions, args.log_dir, command)
    except EmulatorError as error:
        print(f"emulator: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("emulator: interrupted; stopped what was started", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
