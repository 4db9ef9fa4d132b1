#!/usr/bin/env bash
# The end-to-end test: deploys examples/demo into the local AWS emulator and checks what the deployed
# function publishes, notifies and alarms on. Ends with "N passed, N failed"; exits 1 on any failure.
# Usage: test/e2e/run.sh [--keep-work-dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
# Nothing this test runs may write bytecode into the checkout.
export PYTHONDONTWRITEBYTECODE=1

if ! command -v "$python" >/dev/null 2>&1; then
  echo "e2e: Python 3.9 or newer is needed ($python not found), with: pip install -r test/requirements.txt" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# Names what to install when a package of test/requirements.txt is missing or at another version.
if ! "$python" -B "$here/../emulator/emulator.py" check >/dev/null; then
  echo "0 passed, 1 failed"
  exit 1
fi
exec "$python" -B -u "$here/e2e.py" "$@"
