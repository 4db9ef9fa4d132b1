#!/usr/bin/env bash
# Lint and format checks, run by scripts/test: Biome for TypeScript and JavaScript (biome.jsonc),
# knip for dead code in lambda/, and shellcheck for every bash script; terraform fmt runs with the Terraform checks (test/terraform.sh).
# A Biome warning fails the check too: warnings nobody has to fix only pile up.
# Fix what Biome reports with: lambda/node_modules/.bin/biome check --write .
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo" || exit 1
failed=0

echo "--> biome ci (format and lint)"
if lambda/node_modules/.bin/biome ci --colors=off --error-on-warnings .; then
  echo "biome: 1 passed, 0 failed"
else
  echo "biome: 0 passed, 1 failed"
  failed=1
fi

# Files, exports and dependencies of the TypeScript package that nothing uses (lambda/knip.jsonc).
echo "--> knip (unused files, exports and dependencies)"
if (cd lambda && node_modules/.bin/knip --no-progress); then
  echo "knip: 1 passed, 0 failed"
else
  echo "knip: 0 passed, 1 failed"
  failed=1
fi

# Every tracked shell script: *.sh, and files whose first line runs bash or sh.
shell_scripts=()
while IFS= read -r file; do
  case "$file" in
    *.sh) shell_scripts+=("$file") ;;
    *) if [ -f "$file" ] && head -n 1 "$file" | grep -qE '^#!.*[/ ](ba)?sh( |$)'; then shell_scripts+=("$file"); fi ;;
  esac
done < <(git ls-files --cached --others --exclude-standard)

echo "--> shellcheck (${#shell_scripts[@]} scripts)"
if shellcheck -x -P SCRIPTDIR "${shell_scripts[@]}"; then
  echo "shellcheck: 1 passed, 0 failed"
else
  echo "shellcheck: 0 passed, 1 failed"
  failed=1
fi
exit "$failed"
