# shellcheck shell=bash
# Shared checks for the scripts: what must be installed, said plainly, never silently skipped.

# The filesystem mirror of the hashicorp/aws provider, when this machine has one (no registry access).
tf_plugin_dir() {
  local dir="${TF_PLUGIN_DIR:-/opt/tf-plugins}"
  if [ -d "$dir/registry.terraform.io/hashicorp/aws" ]; then echo "$dir"; fi
}

# terraform init, from the mirror when there is one.
tf_init() {
  local dir
  dir="$(tf_plugin_dir)"
  if [ -n "$dir" ]; then
    terraform init -input=false -backend=false -plugin-dir="$dir" "$@"
  else
    terraform init -input=false -backend=false "$@"
  fi
}

require_prerequisites() {
  local missing=()
  command -v node >/dev/null 2>&1 || missing+=("Node.js 20 or newer (node, npm)")
  command -v npm >/dev/null 2>&1 || missing+=("npm (comes with Node.js)")
  command -v terraform >/dev/null 2>&1 || missing+=("Terraform 1.7 or newer (terraform)")
  command -v python3 >/dev/null 2>&1 || missing+=("Python 3.9 or newer (python3)")
  if command -v python3 >/dev/null 2>&1; then
    # The emulator checks moto, boto3 and Flask against the versions test/requirements.txt pins.
    local python_packages
    python_packages="$(python3 -B "$repo/test/emulator/emulator.py" check 2>&1)" || missing+=("$(tail -n 1 <<<"$python_packages")")
  fi
  if command -v node >/dev/null 2>&1; then
    local major
    major="$(node -p 'process.versions.node.split(".")[0]')"
    [ "$major" -ge 20 ] || missing+=("Node.js 20 or newer (found $(node -v))")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "The tests need these, which are missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    return 1
  fi
}

# The bash scripts are linted with shellcheck, a Debian package, not an npm one: install it when this
# machine can (root with apt-get, as on CI), otherwise say how.
ensure_shellcheck() {
  command -v shellcheck >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing shellcheck (Debian package)..."
    if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck; } >/dev/null 2>&1; then
      command -v shellcheck >/dev/null 2>&1 && return 0
    fi
  fi
  echo "The tests need shellcheck, which is missing and could not be installed: apt-get install shellcheck" >&2
  return 1
}

# Installs lambda/ dependencies when they are missing or older than the lockfile,
# with the same locked installer the build uses (parallel runs install once).
ensure_lambda_dependencies() {
  # shellcheck source=build.sh
  source "$repo/scripts/lib/build.sh"
  build_prog="test"
  ( build_ensure_dependencies "$repo/lambda" )
}
