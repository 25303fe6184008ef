#!/usr/bin/env bash
# Checks a maintainer's request to plan a fork's pull request (.github/workflows/plan-fork.yml) before any of the
# fork's code is checked out: the workflow runs from main (the plan role trusts main's workflows, and the report
# must be main's code), the pull request is open, and its head is still the commit the maintainer reviewed.
#
# Environment: REPO (owner/name), REF (the workflow's ref), PULL_REQUEST (number), COMMIT (full SHA), GH_TOKEN
set -euo pipefail

: "${REPO:?}" "${REF:?}" "${PULL_REQUEST:?}" "${COMMIT:?}"

fail() {
  echo "::error::$*" >&2
  exit 1
}

[[ "$REF" == "refs/heads/main" ]] || fail "Run this workflow from main, not $REF: only main's code may report a plan"
[[ "$PULL_REQUEST" =~ ^[1-9][0-9]*$ ]] || fail "pull-request: \"$PULL_REQUEST\" is not a pull request number"
[[ "$COMMIT" =~ ^[0-9a-f]{40}$ ]] || fail "commit: \"$COMMIT\" is not a full commit SHA (40 hex digits)"

pr="$(gh api "repos/$REPO/pulls/$PULL_REQUEST")"
state="$(jq -r .state <<<"$pr")"
head="$(jq -r .head.sha <<<"$pr")"
from="$(jq -r '.head.repo.full_name // "a deleted fork"' <<<"$pr")"
[[ "$state" == "open" ]] || fail "Pull request #$PULL_REQUEST is $state"
[[ "$head" == "$COMMIT" ]] ||
  fail "Pull request #$PULL_REQUEST is at $head, not at the reviewed $COMMIT: review the new commits, then plan that one"
echo "Planning #$PULL_REQUEST from $from at $COMMIT"
