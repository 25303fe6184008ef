#!/usr/bin/env bash
# Part of `npm run lint`: shellcheck every shell script of the project (the delivery steps, CI, the fixture
# makers), tracked or new.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v shellcheck >/dev/null; then
  echo "shellcheck is required by npm run lint: install it (Debian/Ubuntu: apt-get install shellcheck; macOS: brew install shellcheck)" >&2
  exit 1
fi
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- '*.sh' .ci/run)
shellcheck "${files[@]}"
echo "shellcheck: ${#files[@]} scripts clean"
