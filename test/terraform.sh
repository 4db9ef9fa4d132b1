#!/usr/bin/env bash
# Terraform checks of the module, from a fresh clone: no state, no build, no AWS credentials.
#   1. terraform fmt -check -recursive
#   2. terraform init + validate for the root module and every example
#   3. the README input/output tables match variables.tf and outputs.tf (needs Node.js)
#   4. terraform test (test/*.tftest.hcl, mocked AWS provider, plan only)
# Prints Terraform's own test summary and one line "terraform checks: N passed, N failed";
# exits non-zero when anything fails.
#
# A filesystem mirror of the providers is used when there is one: TF_PLUGIN_DIR, default
# /opt/tf-plugins. Elsewhere init downloads from the registry as usual.
# Terraform's working data goes to a temporary directory (TF_DATA_DIR), so the run leaves no
# .terraform/ behind and does not disturb a working directory someone else is using; only the
# git-ignored .terraform.lock.hcl files are written.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo" || exit 2

if ! command -v terraform >/dev/null 2>&1; then
  echo "terraform.sh: terraform is not installed (https://developer.hashicorp.com/terraform/install)." >&2
  exit 2
fi

plugin_dir="${TF_PLUGIN_DIR:-/opt/tf-plugins}"
init_args=(-input=false -no-color)
if [ -d "$plugin_dir" ]; then
  init_args+=("-plugin-dir=$plugin_dir")
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/ipam-monitor-terraform.XXXXXX")"
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
failures=()

# check NAME COMMAND...: runs one check, shows its output only when it fails.
check() {
  local name="$1"
  shift
  local log="$work/check.log"
  if "$@" >"$log" 2>&1; then
    echo "ok      $name"
    passed=$((passed + 1))
  else
    echo "FAILED  $name"
    sed 's/^/        /' "$log"
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

# in_dir DIR COMMAND...: runs COMMAND in DIR with a data directory of its own.
in_dir() {
  local dir="$1"
  shift
  (cd "$repo/$dir" && TF_DATA_DIR="$work/data/${dir//\//_}" "$@")
}

# The prebuilt-package test reads test/fixtures/package/prebuilt.zip, an empty zip archive (its
# end-of-central-directory record only). It is tracked in git: .gitignore ignores *.zip except there.

# A rules file just over the 1 MiB limit, for the test that plan refuses it without decoding it:
# valid YAML (one scope, then comment lines), too big to keep in git. The directory is git-ignored.
big_rules="$repo/test/fixtures/rules/generated/too-big.yaml"
if [ ! -f "$big_rules" ] || [ "$(wc -c <"$big_rules")" -ne 1048577 ]; then
  mkdir -p "$(dirname "$big_rules")"
  {
    printf 'version: 1\nscopes:\n  - name: big\n    thresholds: { critical: 90 }\n'
    yes '# padding to pass the size limit of rules files' | head -c 1048600
  } | head -c 1048576 >"$big_rules"
  printf '\n' >>"$big_rules"
fi

echo "==> terraform fmt and validate"
check "terraform fmt -check -recursive" terraform fmt -check -recursive -diff -no-color .

for dir in . examples/*/ modules/*/; do
  dir="${dir%/}"
  label="$dir"
  [ "$dir" = "." ] && label="root module"
  extra=()
  # The root's init also reads the test files, which may name providers of their own.
  [ "$dir" = "." ] && extra=(-test-directory=test)
  if in_dir "$dir" terraform init -backend=false "${init_args[@]}" ${extra[@]+"${extra[@]}"} >"$work/init.log" 2>&1; then
    check "terraform validate ($label)" in_dir "$dir" terraform validate -no-color
  else
    echo "FAILED  terraform init ($label)"
    sed 's/^/        /' "$work/init.log"
    failed=$((failed + 1))
    failures+=("terraform init ($label)")
  fi
done

echo
echo "==> the rules corpus"
# Plan and the validator must judge the same files: every rules fixture the validator's tests use
# is planned by test/rules-corpus.tftest.hcl.
corpus_missing() {
  local file missing=0
  for file in lambda/test/fixtures/rules/valid/*.yaml lambda/test/fixtures/rules/invalid/*.yaml; do
    if ! grep -qF "rules_file = \"$file\"" test/rules-corpus.tftest.hcl; then
      echo "$file has no run in test/rules-corpus.tftest.hcl"
      missing=1
    fi
  done
  return "$missing"
}
check "every rules fixture of the validator is planned by test/rules-corpus.tftest.hcl" corpus_missing

echo
echo "==> input and output tables"
check "tables in README.md match variables.tf and outputs.tf" scripts/docs-tables --check README.md
# Sub-modules meant for users document their inputs and outputs; internal ones have no tables.
for dir in modules/*/; do
  dir="${dir%/}"
  grep -qs "BEGIN_TF_DOCS" "$dir/README.md" || continue
  check "tables in $dir/README.md match its variables.tf and outputs.tf" scripts/docs-tables --module "$dir" --check "$dir/README.md"
done

echo
echo "==> terraform test"
# The tests let mocked values into the plan (override_during), which Terraform 1.11 introduced;
# the module itself needs only 1.7.
version="$(terraform version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\).*/\1/p')"
major="${version%%.*}"
minor="${version#*.}"
minor="${minor%%.*}"
test_rc=0
can_test=true
if [ -z "$version" ] || [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 11 ]; }; then
  echo "terraform test needs Terraform 1.11 or later; this is ${version:-an unknown version}."
  test_rc=1
  can_test=false
else
  # terraform test prints its own "Success! N passed, 0 failed." or "Failure! ..." line.
  TF_DATA_DIR="$work/data/." terraform test -test-directory=test -no-color || test_rc=$?
fi
if [ "$test_rc" -ne 0 ]; then
  failures+=("terraform test")
fi
# Sub-modules keep their tests beside them (modules/NAME/tests).
if [ "$can_test" = true ]; then
  for dir in modules/*/; do
    dir="${dir%/}"
    [ -d "$dir/tests" ] || continue
    echo
    echo "==> terraform test ($dir)"
    if ! in_dir "$dir" terraform test -no-color; then
      test_rc=1
      failures+=("terraform test ($dir)")
    fi
  done
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "failed: ${failures[*]}"
fi
echo "terraform checks: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$test_rc" -eq 0 ]
