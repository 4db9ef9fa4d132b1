#!/usr/bin/env bash
# The fault-injection suite: starts the AWS emulator (moto and the IPAM layer), seeds the network,
# puts the fault layer (fault_proxy.py) in front of it, and runs the cases (*.test.ts) against it
# with mocha. Ends with mocha's "N passing" / "N failing"; exits non-zero on any failure.
# Everything it starts is stopped on exit, by PID.
# Usage: test/faults/run.sh [mocha options, e.g. --grep hang]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
export PYTHONDONTWRITEBYTECODE=1

if ! "$python" -B "$repo/test/emulator/emulator.py" check >/dev/null; then
  echo "0 passed, 1 failed"
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ipam-monitor-faults.XXXXXX")"
fault_pid=""
cleanup() {
  if [ -n "$fault_pid" ]; then
    kill "$fault_pid" 2>/dev/null || true
    wait "$fault_pid" 2>/dev/null || true
  fi
  if [ -f "$work/emulator.json" ]; then
    "$python" -B "$repo/test/emulator/emulator.py" stop --state-file "$work/emulator.json" >/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

field() { "$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]]["url"])' "$work/emulator.json" "$1"; }

echo "--> typecheck"
(cd "$repo/lambda" && node_modules/.bin/tsc -p ../test/faults/tsconfig.json)

echo "--> emulator and seeded network"
"$python" -B "$repo/test/emulator/emulator.py" start --state-file "$work/emulator.json" --log-dir "$work/logs" >/dev/null
moto_url="$(field moto)"
proxy_url="$(field proxy)"
"$python" -B "$repo/test/emulator/seed.py" seed --endpoint "$moto_url" --manifest "$work/manifest.json" >/dev/null

"$python" -B "$here/fault_proxy.py" --upstream "$proxy_url" --port-file "$work/fault.port" 2>"$work/logs/fault_proxy.log" &
fault_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/fault.port" ] && break
  sleep 0.1
done
if [ ! -s "$work/fault.port" ]; then
  echo "the fault layer did not start:" >&2
  cat "$work/logs/fault_proxy.log" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

echo "--> cases"
cd "$repo/lambda"
FAULT_PROXY_URL="http://127.0.0.1:$(cat "$work/fault.port")" \
  EMULATOR_MOTO_ENDPOINT="$moto_url" \
  FAULTS_MANIFEST="$work/manifest.json" \
  NODE_PATH="$repo/lambda/node_modules" \
  node_modules/.bin/mocha --timeout 60000 "$@" "../test/faults/*.test.ts"
