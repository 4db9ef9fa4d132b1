# shellcheck shell=bash
# Shared by scripts/build and scripts/package: check Node, install lambda/
# dependencies when needed, and run lambda/build.mjs in a directory of its own.
# Callers set `set -euo pipefail` and call build_main.

# The script's name in messages; build_main sets it.
build_prog="build"

build_die() {
  echo "$build_prog: $*" >&2
  exit 1
}

build_usage() {
  cat <<USAGE
Usage: scripts/$build_prog --rules FILE --out ZIP

Bundles the Lambda, checks FILE with 'ipam-monitor validate', and writes the
deployment zip (index.js and FILE as rules.yaml) to ZIP. The same sources and
rules always give the same bytes.
USAGE
}

build_usage_error() {
  echo "$build_prog: $*" >&2
  build_usage >&2
  exit 2
}

# Node.js 20 or newer, or a message that says what to install and the way around it.
build_require_node() {
  local hint="install Node.js 20 or newer (https://nodejs.org, or your package manager's nodejs package), or build the zip on a machine that has it with scripts/package and set the module's lambda_package variable"
  command -v node >/dev/null 2>&1 || build_die "Node.js is not installed (no 'node' on PATH): $hint."
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')" || build_die "'node' on PATH does not run: $hint."
  [ "$major" -ge 20 ] || build_die "Node.js $(node -v) is too old: $hint."
}

# True when lambda/node_modules was installed from the current package-lock.json.
# npm ci writes node_modules/.package-lock.json last, so its age is the install's.
build_dependencies_current() {
  local lambda_dir="$1"
  [ -f "$lambda_dir/node_modules/.package-lock.json" ] &&
    ! [ "$lambda_dir/package-lock.json" -nt "$lambda_dir/node_modules/.package-lock.json" ]
}

build_lock_dir=""

# mkdir is atomic everywhere (flock is not on macOS): the directory is the lock,
# and the pid inside lets a later run clear a lock whose holder died.
build_acquire_lock() {
  local lock="$1" waited=0 holder
  until mkdir "$lock" 2>/dev/null; do
    holder="$(cat "$lock/pid" 2>/dev/null || true)"
    if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then
      rm -rf "$lock"
      continue
    fi
    if [ "$waited" -ge "${BUILD_LOCK_TIMEOUT:-600}" ]; then
      build_die "waited ${waited}s for another install to finish; if none is running, remove $lock"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "$$" >"$lock/pid"
  build_lock_dir="$lock"
}

build_release_lock() {
  if [ -n "$build_lock_dir" ]; then
    rm -rf "$build_lock_dir"
    build_lock_dir=""
  fi
}

# npm ci when node_modules is missing or older than package-lock.json. Quiet
# when it works; npm's own output when it fails. Parallel builds install once:
# the others wait for the lock and then find the dependencies current.
build_ensure_dependencies() {
  local lambda_dir="$1"
  build_dependencies_current "$lambda_dir" && return 0
  command -v npm >/dev/null 2>&1 || build_die "npm is not installed; it comes with Node.js (https://nodejs.org)."
  build_acquire_lock "$lambda_dir/.npm-ci.lock"
  if ! build_dependencies_current "$lambda_dir"; then
    echo "$build_prog: installing lambda/ dependencies (npm ci)" >&2
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/ipam-monitor-npm-ci.XXXXXX")"
    if ! (cd "$lambda_dir" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      build_release_lock
      build_die "npm ci failed in $lambda_dir (its output is above)"
    fi
    rm -f "$log"
  fi
  build_release_lock
}

build_work_dir=""

build_cleanup() {
  build_release_lock
  if [ -n "$build_work_dir" ]; then rm -rf "$build_work_dir"; fi
}

# build_main PROG REPO ARGS...: parses --rules/--out and writes the zip.
build_main() {
  build_prog="$1"
  local repo="$2"
  shift 2
  local rules="" out=""
  while [ "$#" -gt 0 ]; do
    case "$1" in
      --rules) [ "$#" -ge 2 ] || build_usage_error "--rules needs a FILE"; rules="$2"; shift 2 ;;
      --rules=*) rules="${1#--rules=}"; shift ;;
      --out) [ "$#" -ge 2 ] || build_usage_error "--out needs a ZIP path"; out="$2"; shift 2 ;;
      --out=*) out="${1#--out=}"; shift ;;
      -h | --help) build_usage; exit 0 ;;
      *) build_usage_error "unknown argument '$1'" ;;
    esac
  done
  if [ -z "$rules" ] || [ -z "$out" ]; then build_usage_error "--rules FILE and --out ZIP are both required"; fi
  [ -f "$rules" ] || build_die "rules file '$rules' does not exist or is not a file"
  case "$out" in
    */) build_die "--out '$out' must name the zip file, not a directory" ;;
  esac
  if [ -d "$out" ]; then build_die "--out '$out' is a directory; name the zip file, e.g. $out/ipam-monitor.zip"; fi

  build_require_node
  trap build_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  build_ensure_dependencies "$repo/lambda"

  # Bundles go to a directory of this run, so parallel builds never share files.
  build_work_dir="$(mktemp -d "${TMPDIR:-/tmp}/ipam-monitor-build.XXXXXX")"
  node "$repo/lambda/build.mjs" --outdir "$build_work_dir" --rules "$rules" --zip "$out"
}
