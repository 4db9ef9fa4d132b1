#!/usr/bin/env python3
"""Runs the emulator's own tests with the standard library's unittest (pytest is not
assumed) and ends with one line: "N passed, N failed".

  python3 test/emulator/run_tests.py [-k PATTERN]
"""

from __future__ import annotations

import argparse
import sys
import unittest
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE / "tests")]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", dest="patterns", action="append", help="only tests whose name contains this substring")
    args = parser.parse_args(argv)

    from emulator import missing_dependencies

    missing = missing_dependencies()
    if missing:
        print(f"the emulator tests need {', '.join(missing)}; install them with: pip install -r test/requirements.txt", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [f"*{p}*" for p in args.patterns]
    suite = loader.discover(str(HERE / "tests"), pattern="test_*.py", top_level_dir=str(HERE / "tests"))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
