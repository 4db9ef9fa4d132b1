#!/usr/bin/env bash
# Stops exactly the processes recorded in STATE_FILE by start.sh, then removes the file.
# Usage: test/emulator/stop.sh STATE_FILE
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -lt 1 ]; then
  echo "usage: $0 STATE_FILE" >&2
  exit 2
fi
exec "${PYTHON:-python3}" "$here/emulator.py" stop --state-file "$1"
