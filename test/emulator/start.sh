#!/usr/bin/env bash
# Starts moto and the IPAM layer on free loopback ports and writes their ports, URLs
# and PIDs to STATE_FILE (JSON, also printed). Nothing is left running when it fails.
# Usage: test/emulator/start.sh STATE_FILE [REGIONS]   (REGIONS default: us-east-1,eu-west-1)
# Stop with test/emulator/stop.sh STATE_FILE; callers should trap it:
#   trap 'test/emulator/stop.sh "$state"' EXIT
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
if [ "$#" -lt 1 ]; then
  echo "usage: $0 STATE_FILE [REGIONS]" >&2
  exit 2
fi
if ! command -v "$python" >/dev/null 2>&1; then
  echo "start.sh: $python not found; install Python 3.9 or newer, then: pip install -r test/requirements.txt" >&2
  exit 1
fi
exec "$python" "$here/emulator.py" start --state-file "$1" --regions "${2:-us-east-1,eu-west-1}"
