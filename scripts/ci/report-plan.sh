#!/usr/bin/env bash
# Reports a pull request's Terraform plans: the one plan comment (created, then updated in place) and the `plan`
# commit status that branch protection requires (config/github.json). It runs in workflows that use the base
# branch's code only (.github/workflows/plan-report.yml after each run of the pull-request workflow, and
# plan-fork.yml after a maintainer's plan of a fork), so a pull request can neither word its own comment, hide a
# database replacement from the warning at its top, nor pass the check without a plan:
#   - `success` only when every environment the base branch plans (ENVIRONMENTS) has a plan;
#   - `failure` naming the environments without one (a failed plan job, a cancelled one, a broken check job);
#   - `pending` for a pull request from a fork: it gets no AWS credentials, and its own run's files are never
#     read. The check stays pending until a maintainer has reviewed the change and planned it (plan-fork.yml).
# A run cancelled by a newer push reports nothing: the newer run reports for the newer commit.
#
# Environment:
#   REPO          owner/name of this repository
#   HEAD_SHA      the commit that was planned: the pull request's head
#   ENVIRONMENTS  JSON from scripts/ci/environments.ts on the base branch: [{ "name", "stack", ... }]
#   PLANS_DIR     <stack>.json and <stack>.txt of each plan (scripts/ci/stack.sh plan)
#   RUN_URL       the workflow run that planned
#   SOURCE        `pull_request`: a run of the pull-request workflow, with HEAD_REPOSITORY (owner/name of the
#                 pull request's head), HEAD_BRANCH and CONCLUSION (the run's conclusion);
#                 `maintainer`: plan-fork.yml, with PULL_REQUEST (its number)
#   GH_TOKEN      for gh: pull-requests: write, statuses: write
set -euo pipefail

: "${REPO:?}" "${HEAD_SHA:?}" "${ENVIRONMENTS:?}" "${PLANS_DIR:?}" "${RUN_URL:?}" "${SOURCE:?}"

# The status context branch protection requires, and the marker the comment is found by again (COMMENT_MARKER
# in scripts/plan-summary/render.ts).
readonly CONTEXT="plan"
readonly MARKER="<!-- myamazingapp-plan-summary -->"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly ROOT

fail() {
  echo "::error::$*" >&2
  exit 1
}

[[ "$REPO" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || fail "REPO=$REPO is not owner/name"
[[ "$HEAD_SHA" =~ ^[0-9a-f]{40}$ ]] || fail "HEAD_SHA=$HEAD_SHA is not a full commit SHA"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# set_status <state> <description>: the required check, on the planned commit.
set_status() {
  gh api --method POST "repos/$REPO/statuses/$HEAD_SHA" \
    -f state="$1" -f context="$CONTEXT" -f description="${2:0:140}" -f target_url="$RUN_URL" >/dev/null
  echo "status $CONTEXT: $1 ($2)"
}

# The open pull request whose head is HEAD_SHA, or nothing (closed since, or moved on to a newer commit).
pull_request_of_run() {
  local head
  head="$(jq -rn --arg head "${HEAD_REPOSITORY%%/*}:$HEAD_BRANCH" '$head | @uri')"
  gh api "repos/$REPO/pulls?state=open&head=$head&per_page=100" |
    jq -r --arg sha "$HEAD_SHA" '[.[] | select(.head.sha == $sha) | .number][0] // empty'
}

# upsert_comment <pull request> <file>: updates the plan comment of the pull request, or creates it.
upsert_comment() {
  local number="$1" file="$2" existing
  existing="$(gh api --paginate "repos/$REPO/issues/$number/comments?per_page=100" |
    jq -rs --arg marker "$MARKER" \
      '[add // [] | .[] | select(.user.login == "github-actions[bot]" and (.body | startswith($marker)))][0].id // empty')"
  if [[ -n "$existing" ]]; then
    gh api --method PATCH "repos/$REPO/issues/comments/$existing" -F "body=@$file" >/dev/null
    echo "updated the plan comment of #$number"
  else
    gh api --method POST "repos/$REPO/issues/$number/comments" -F "body=@$file" >/dev/null
    echo "created the plan comment of #$number"
  fi
}

case "$SOURCE" in
  pull_request)
    : "${HEAD_REPOSITORY:?}" "${HEAD_BRANCH:?}" "${CONCLUSION:?}"
    if [[ "$CONCLUSION" == "cancelled" ]]; then
      echo "The run was cancelled (a newer push starts its own): nothing to report for $HEAD_SHA"
      exit 0
    fi
    number="$(pull_request_of_run)"
    ;;
  maintainer)
    : "${PULL_REQUEST:?}"
    [[ "$PULL_REQUEST" =~ ^[0-9]+$ ]] || fail "PULL_REQUEST=$PULL_REQUEST is not a number"
    pr="$(gh api "repos/$REPO/pulls/$PULL_REQUEST")"
    [[ "$(jq -r .state <<<"$pr")" == "open" ]] || fail "pull request #$PULL_REQUEST is not open"
    head="$(jq -r .head.sha <<<"$pr")"
    # A push after the review would be planned unread; the maintainer reviews the new commit first.
    [[ "$head" == "$HEAD_SHA" ]] ||
      fail "pull request #$PULL_REQUEST is at $head now, not at the reviewed $HEAD_SHA: review the new commits, then plan again"
    number="$PULL_REQUEST"
    ;;
  *) fail "SOURCE=$SOURCE: expected pull_request or maintainer" ;;
esac

if [[ "$SOURCE" == "pull_request" && "$HEAD_REPOSITORY" != "$REPO" ]]; then
  # A maintainer's plan of this commit may already have reported; a later run of the fork's workflow must not
  # turn its verdict back to pending.
  latest="$(gh api "repos/$REPO/commits/$HEAD_SHA/statuses?per_page=100" |
    jq -r --arg context "$CONTEXT" '[.[] | select(.context == $context)][0].state // empty')"
  if [[ "$latest" == "success" || "$latest" == "failure" ]]; then
    echo "A maintainer's plan already reported $latest for $HEAD_SHA; leaving it"
    exit 0
  fi
  if [[ -n "$number" ]]; then
    cat >"$work/comment.md" <<EOF
$MARKER
> [!WARNING]
> **Not planned yet: this pull request comes from a fork.** A fork's workflows get no AWS credentials, so the
> required \`$CONTEXT\` check waits for a maintainer. Maintainers: read the change (the plan runs Terraform on the
> stack it synthesizes), then run **Plan a pull request from a fork** from the Actions tab with pull request
> **#$number** and commit \`$HEAD_SHA\`.
EOF
    upsert_comment "$number" "$work/comment.md"
  fi
  set_status pending "From a fork: waits for a maintainer to review and run 'Plan a pull request from a fork'"
  exit 0
fi

# One argument per environment the base branch plans: its plan files, or --failed when they are missing.
stacks=()
missing=()
while IFS= read -r stack; do
  [[ "$stack" =~ ^[a-z0-9-]+$ ]] || fail "ENVIRONMENTS names a stack \"$stack\""
  if [[ -f "$PLANS_DIR/$stack.json" && -f "$PLANS_DIR/$stack.txt" ]]; then
    stacks+=("$stack=$PLANS_DIR/$stack.json:$PLANS_DIR/$stack.txt")
  else
    echo "::warning::No plan for $stack: its plan job failed or did not run"
    stacks+=("--failed=$stack")
    missing+=("$stack")
  fi
done < <(jq -r '.[].stack' <<<"$ENVIRONMENTS")
[[ "${#stacks[@]}" -gt 0 ]] || fail "ENVIRONMENTS lists no environment"
# An environment the pull request adds is planned by its run but unknown to the base branch: shown as well.
for file in "$PLANS_DIR"/*.json; do
  [[ -f "$file" ]] || continue
  stack="$(basename "$file" .json)"
  [[ "$stack" =~ ^[a-z0-9-]+$ && -f "$PLANS_DIR/$stack.txt" ]] || continue
  if ! jq -e --arg stack "$stack" 'any(.[]; .stack == $stack)' <<<"$ENVIRONMENTS" >/dev/null; then
    stacks+=("$stack=$file:$PLANS_DIR/$stack.txt")
  fi
done

summarized=true
"$ROOT/node_modules/.bin/tsx" "$ROOT/scripts/plan-summary.ts" --commit="$HEAD_SHA" --run-url="$RUN_URL" \
  "${stacks[@]}" >"$work/comment.md" || summarized=false
if [[ "$summarized" == false ]]; then
  cat >"$work/comment.md" <<EOF
$MARKER
> [!WARNING]
> The Terraform plan of \`${HEAD_SHA:0:12}\` could not be summarized, so what it changes is not shown here. Any
> earlier plan in this comment is out of date. See the [workflow run]($RUN_URL).
EOF
fi
if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then cat "$work/comment.md" >>"$GITHUB_STEP_SUMMARY"; fi

if [[ -n "$number" ]]; then
  upsert_comment "$number" "$work/comment.md"
else
  echo "No open pull request has $HEAD_SHA as its head any more: no comment"
fi

if [[ "$summarized" == false ]]; then
  set_status failure "The plan could not be summarized; see the run"
  exit 1
elif [[ "${#missing[@]}" -gt 0 ]]; then
  set_status failure "No plan for ${missing[*]}"
else
  set_status success "Planned: $(jq -r '[.[].name] | join(", ")' <<<"$ENVIRONMENTS")"
fi
