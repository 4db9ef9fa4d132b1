#!/usr/bin/env python3
"""The EC2 source against moto: seeds a network in two regions, runs the real
`ipam-monitor scan --source ec2` against it and checks every number of the result.

  python3 test/ec2-source/run_tests.py [-k PATTERN]

Starts moto (test/emulator) and a recording gateway on free loopback ports and always stops them,
also on failure, Ctrl-C or SIGTERM. Ends with one line: "N passed, N failed"; exits 1 when any
test failed or none ran.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "emulator")]

INSTALL_HINT = "pip install -r test/requirements.txt"


def _interrupt(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="patterns", action="append", help="only tests whose name contains this substring")
    args = parser.parse_args(argv)

    import emulator

    missing = emulator.missing_dependencies()
    try:
        import jsonschema  # noqa: F401 (moto[server] brings it)
    except ImportError:
        missing.append("jsonschema")
    if missing:
        print(f"the EC2 source tests need {', '.join(missing)}; install them with: {INSTALL_HINT} jsonschema", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    # SIGTERM and SIGHUP unwind like Ctrl-C, so the with-blocks below stop what they started.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)

    import network
    import scenario
    from moto_gateway import Gateway

    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [f"*{p}*" for p in args.patterns]
    suite = loader.discover(str(HERE), pattern="test_*.py", top_level_dir=str(HERE))
    started = time.monotonic()
    try:
        # The gateway forwards through the emulator's proxy, which adds IPv4 prefix delegation to moto.
        with emulator.running_emulator(list(network.REGIONS)) as running, Gateway(running.proxy.url) as gateway:
            scenario.configure(running.moto.url, gateway)
            result = unittest.TextTestRunner(verbosity=2).run(suite)
    except emulator.EmulatorError as error:
        print(f"ec2-source: {error}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    except KeyboardInterrupt:
        print("ec2-source: interrupted; stopped what was started", file=sys.stderr)
        print("0 passed, 1 failed")
        return 130

    # Counted per test, not per failing subtest; an error in setUpClass counts once for its class.
    owners = [getattr(test, "test_case", test) for test, _ in result.failures + result.errors]  # a subtest counts for its test
    broken = {test.id() for test in owners}
    broken_tests = {test.id() for test in owners if isinstance(test, unittest.TestCase)}
    failed = len(broken) + len(result.unexpectedSuccesses)
    passed = result.testsRun - len(broken_tests) - len(result.skipped) - len(result.expectedFailures) - len(result.unexpectedSuccesses)
    for test, _ in result.expectedFailures:
        print(f"known gap (expected failure): {test.id()}: {(test.shortDescription() or '').strip()}")
    print(f"took {time.monotonic() - started:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
