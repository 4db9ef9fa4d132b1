"""Starting and stopping the emulator: free ports, state files, nothing left behind."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

import emulator as lifecycle
from support import EMULATOR_DIR


def alive(pid: int) -> bool:
    return lifecycle._command_line(pid) is not None


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class LifecycleTest(unittest.TestCase):
    def setUp(self):
        self.scratch = Path(tempfile.mkdtemp(prefix="ipam-emulator-test-"))
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)

    def test_start_then_stop_leaves_no_process(self):
        started = lifecycle.start(["us-east-1"], str(self.scratch))
        running = (alive(started.moto.pid), alive(started.proxy.pid), answers(f"{started.proxy.url}/_stats"))
        lifecycle.stop(started)
        self.assertEqual((running, alive(started.moto.pid), alive(started.proxy.pid)), ((True, True, True), False, False))

    def test_stop_removes_the_log_directory_start_created(self):
        started = lifecycle.start(["us-east-1"])
        created = Path(started.log_dir).is_dir()
        lifecycle.stop(started)
        self.assertEqual((created, Path(started.log_dir).exists()), (True, False))

    def test_stop_keeps_a_log_directory_it_was_given(self):
        started = lifecycle.start(["us-east-1"], str(self.scratch))
        lifecycle.stop(started)
        self.assertTrue((self.scratch / "moto.log").exists())

    def test_the_scripts_write_the_state_file_and_stop_removes_it(self):
        state = self.scratch / "state.json"
        subprocess.run(["bash", str(EMULATOR_DIR / "start.sh"), str(state), "us-east-1"], check=True, capture_output=True, timeout=120)
        recorded = json.loads(state.read_text())
        try:
            self.assertTrue(answers(f"{recorded['proxy']['url']}/_stats"))
        finally:
            subprocess.run(["bash", str(EMULATOR_DIR / "stop.sh"), str(state)], check=True, capture_output=True, timeout=60)
        self.assertEqual((state.exists(), alive(recorded["moto"]["pid"]), alive(recorded["proxy"]["pid"])), (False, False, False))

    def test_run_passes_the_endpoints_returns_the_status_and_stops(self):
        seen = self.scratch / "env.json"
        script = f"import json, os, sys; json.dump(dict(os.environ), open({str(seen)!r}, 'w')); sys.exit(3)"
        result = subprocess.run([sys.executable, str(EMULATOR_DIR / "emulator.py"), "run", "--regions", "us-east-1", "--", sys.executable, "-c", script], capture_output=True, timeout=120)
        env = json.loads(seen.read_text())
        self.assertEqual(
            (result.returncode, env["AWS_ENDPOINT_URL"] == env["EMULATOR_IPAM_ENDPOINT"], answers(env["EMULATOR_MOTO_ENDPOINT"]), answers(env["EMULATOR_IPAM_ENDPOINT"])),
            (3, True, False, False),
        )

    def test_a_failed_start_stops_the_moto_it_started(self):
        started: list[lifecycle.Process] = []
        real_start_moto = lifecycle._start_moto

        def start_moto(log_dir):
            started.append(real_start_moto(log_dir))
            return started[-1]

        with mock.patch.object(lifecycle, "_start_moto", start_moto), mock.patch.object(lifecycle, "_start_proxy", side_effect=lifecycle.EmulatorError("proxy failed")):
            with self.assertRaisesRegex(lifecycle.EmulatorError, "proxy failed"):
                lifecycle.start(["us-east-1"], str(self.scratch))
        self.assertEqual((len(started), alive(started[0].pid)), (1, False))

    def test_stop_leaves_alone_a_process_that_reused_a_recorded_pid(self):
        stranger = subprocess.Popen(["sleep", "30"])
        try:
            lifecycle._terminate(stranger.pid, "moto.server")
            self.assertIsNone(stranger.poll())
        finally:
            stranger.kill()
            stranger.wait()

    def test_stop_without_a_state_file_does_nothing_and_succeeds(self):
        missing = self.scratch / "none.json"
        self.assertEqual(lifecycle.main(["stop", "--state-file", str(missing)]), 0)

    def test_missing_moto_names_the_pinned_version_and_the_install_command(self):
        installed = importlib.metadata.version

        def version(name: str) -> str:
            if name == "moto":
                raise importlib.metadata.PackageNotFoundError(name)
            return installed(name)

        with mock.patch("importlib.metadata.version", side_effect=version):
            with self.assertRaisesRegex(lifecycle.EmulatorError, r"moto 5\.\d+\.\d+; .*pip install -r test/requirements\.txt"):
                lifecycle.require_dependencies()

    def test_another_version_of_a_pinned_package_is_named_with_both_versions(self):
        pinned = lifecycle.pinned_requirements()["boto3"]
        installed = importlib.metadata.version

        def version(name: str) -> str:
            return "0.0.1" if name == "boto3" else installed(name)

        with mock.patch("importlib.metadata.version", side_effect=version):
            self.assertIn(f"boto3 {pinned} (found 0.0.1)", lifecycle.missing_dependencies())

    def test_pins_moto_boto3_and_flask(self):
        self.assertLessEqual({"moto", "boto3", "Flask"}, set(lifecycle.pinned_requirements()))

    def test_free_port_is_a_loopback_port_nobody_listens_on(self):
        port = lifecycle.free_port()
        self.assertFalse(answers(f"http://127.0.0.1:{port}/"))


if __name__ == "__main__":
    unittest.main()
