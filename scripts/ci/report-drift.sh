#!/usr/bin/env bash
# Reports what the scheduled plan of main found (.github/workflows/drift.yml), in one GitHub issue per
# environment labelled `drift`: a plan with changes (terraform plan -detailed-exitcode exited 2) opens the
# environment's issue, or updates the open one, with the plan summary; a plan without changes closes it. An
# environment whose plan failed keeps its issue as it is, and makes this script fail, so the run shows red.
#
# Environment:
#   REPO          owner/name of this repository
#   COMMIT        the commit of main that was planned
#   RUN_URL       the workflow run
#   ENVIRONMENTS  JSON from scripts/ci/environments.ts: [{ "name", "stack", ... }]
#   PLANS_DIR     <stack>.exitcode, <stack>.json and <stack>.txt of each plan (scripts/ci/stack.sh plan)
#   GH_TOKEN      for gh: issues: write
set -euo pipefail

: "${REPO:?}" "${COMMIT:?}" "${RUN_URL:?}" "${ENVIRONMENTS:?}" "${PLANS_DIR:?}"

readonly LABEL="drift"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly ROOT

fail() {
  echo "::error::$*" >&2
  exit 1
}

[[ "$REPO" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "REPO=$REPO is not owner/name"
[[ "$COMMIT" =~ ^[0-9a-f]{40}$ ]] || fail "COMMIT=$COMMIT is not a full commit SHA"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The line an environment's issue is found by again; only issues this workflow opened count.
marker() { echo "<!-- myamazingapp-drift: $1 -->"; }

open_issue_of() {
  gh api --paginate "repos/$REPO/issues?state=open&labels=$LABEL&per_page=100" |
    jq -rs --arg marker "$(marker "$1")" '[add // [] | .[]
      | select(.pull_request == null and .user.login == "github-actions[bot]" and ((.body // "") | startswith($marker)))
      | .number][0] // empty'
}

ensure_label() {
  if ! gh api "repos/$REPO/labels/$LABEL" >/dev/null 2>&1; then
    gh api --method POST "repos/$REPO/labels" -f name="$LABEL" -f color="d93f0b" \
      -f description="The deployed infrastructure differs from main (scheduled plan)" >/dev/null
  fi
}

report_drift() {
  local name="$1" stack="$2" issue="$3"
  local body="$work/$name.md"
  {
    marker "$name"
    cat <<EOF
The scheduled \`terraform plan\` of \`main\` at \`${COMMIT:0:12}\` against **$name** found changes: the
infrastructure differs from the code. Either it was changed outside Terraform (console, CLI, another tool), or
main holds a change that was never applied (a failed or pending deploy). Bring the change into the code, or run
the deploy of main to put the infrastructure back. This issue is updated by each check
([latest run]($RUN_URL)) and closed by the first one that finds no changes.

EOF
    "$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/plan-summary.ts" --commit="$COMMIT" --run-url="$RUN_URL" \
      "$stack=$PLANS_DIR/$stack.json:$PLANS_DIR/$stack.txt"
  } >"$body"
  if [[ -n "$issue" ]]; then
    gh api --method PATCH "repos/$REPO/issues/$issue" -F "body=@$body" >/dev/null
    echo "$name: drift; updated #$issue"
  else
    ensure_label
    gh api --method POST "repos/$REPO/issues" -f title="Drift: $name differs from main" \
      -F "body=@$body" -f "labels[]=$LABEL" >/dev/null
    echo "$name: drift; opened an issue"
  fi
}

close_issue() {
  local name="$1" issue="$2"
  gh api --method POST "repos/$REPO/issues/$issue/comments" \
    -f body="No drift in $name any more: the [plan of \`${COMMIT:0:12}\`]($RUN_URL) has no changes." >/dev/null
  gh api --method PATCH "repos/$REPO/issues/$issue" -f state=closed -f state_reason=completed >/dev/null
  echo "$name: no drift; closed #$issue"
}

failed=()
while IFS=$'\t' read -r name stack; do
  [[ "$stack" =~ ^[a-z0-9-]+$ ]] || fail "ENVIRONMENTS names a stack \"$stack\""
  if [[ ! -f "$PLANS_DIR/$stack.exitcode" ]]; then
    echo "::error::No plan of $name: its plan job failed; its drift issue is left as it is"
    failed+=("$name")
    continue
  fi
  issue="$(open_issue_of "$name")"
  case "$(<"$PLANS_DIR/$stack.exitcode")" in
    0) if [[ -n "$issue" ]]; then close_issue "$name" "$issue"; else echo "$name: no drift"; fi ;;
    2) report_drift "$name" "$stack" "$issue" ;;
    *) fail "$PLANS_DIR/$stack.exitcode holds $(<"$PLANS_DIR/$stack.exitcode"); expected 0 or 2" ;;
  esac
done < <(jq -r '.[] | [.name, .stack] | @tsv' <<<"$ENVIRONMENTS")

[[ "${#failed[@]}" -eq 0 ]] || fail "No plan of ${failed[*]}: see the failed drift jobs"
