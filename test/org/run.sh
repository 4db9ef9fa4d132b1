#!/usr/bin/env bash
# The end-to-end test across an organization: applies examples/organization to an emulated
# organization and runs the deployed state machine with the deployed package.
# Ends with "N passed, N failed"; exits 1 on any failure. Usage: test/org/run.sh [--keep-work-dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
export PYTHONDONTWRITEBYTECODE=1

if ! "$python" -B "$here/../emulator/emulator.py" check >/dev/null; then
  echo "0 passed, 1 failed"
  exit 1
fi
if [ ! -x "$here/../../lambda/node_modules/.bin/tsx" ]; then
  echo "org e2e: run npm ci --prefix lambda first (the state machine runner needs tsx)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
exec "$python" -B -u "$here/org_e2e.py" "$@"
