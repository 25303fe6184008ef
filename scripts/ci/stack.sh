#!/usr/bin/env bash
# Terraform on one synthesized stack, in the CI jobs that hold AWS credentials: `plan` for pull requests, a
# maintainer's plan of a fork and the drift check; `apply` for deploys. Those jobs install no npm package: a job
# without credentials synthesized the stack (cdktf.out/stacks/<stack>/cdk.tf.json) from code that may be a pull
# request's. So before Terraform runs, the stack must name nothing but the AWS provider: another provider (the
# `external` data source, say), a module or custom endpoints would let that code run or send requests elsewhere
# with the credentials.
#
#   stack.sh plan <stack dir> <out dir> [<environment file>]
#                                         writes <out dir>/<stack>.json, the plan's JSON cut to the fields the plan
#                                         summary reads (with the environment's region and usage assumptions, which
#                                         the summary prices both sides with, when its file is named);
#                                         <stack>.txt, the text plan; <stack>.exitcode, 0 when the plan has no
#                                         changes and 2 when it has (terraform plan -detailed-exitcode)
#   stack.sh apply <stack dir>
#
# Exits 0 when Terraform did its part (a plan with changes included), 1 when it failed or the stack is refused.
set -euo pipefail

usage() {
  echo "usage: stack.sh plan <stack dir> <out dir> [<environment file>] | stack.sh apply <stack dir>" >&2
  exit 2
}

fail() {
  echo "::error::$*" >&2
  exit 1
}

# A plan's JSON holds every attribute value, sensitive ones unredacted, and CI keeps it as an artifact that anyone
# who can read the repository can download: scripts/plan-summary/artifact.jq keeps only what the plan summary
# reads, and of the values before and after, the attributes the cost estimate reads (cost/plan-attributes.json),
# never one marked sensitive. The text plan redacts sensitive values.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# What the stack may hold: the AWS provider (from the registry's hashicorp/aws) on real AWS endpoints, its
# resources and data sources, state in S3. Prints one line per thing outside that. Neither the provider nor the
# backend may set where requests go or whose credentials sign them: custom endpoints, a proxy, a CA bundle, keys,
# a profile or config files (which can hold an endpoint_url). CI's own credentials and AWS's endpoints it is.
REDIRECTS='["endpoints", "access_key", "secret_key", "token", "profile", "shared_config_files", "shared_credentials_files", "http_proxy", "https_proxy", "no_proxy", "custom_ca_bundle", "insecure"]'

# shellcheck disable=SC2016 # $redirects is jq's variable (--argjson), not the shell's.
STACK_PROBLEMS='
  [
    (.provider // {} | keys | select(. != ["aws"]) | "providers \(join(", ")) (only aws may be configured)"),
    (.provider.aws // [] | select(length == 0) | "no aws provider"),
    (.provider.aws // [] | .[] | to_entries[] | select(.key | IN($redirects[])) | "the aws provider sets \(.key) (requests or credentials would go elsewhere: a stack for the emulator?)"),
    (.terraform.backend.s3 // {} | to_entries[] | select(.key | IN($redirects[], "endpoint")) | "the s3 backend sets \(.key) (state requests or credentials would go elsewhere: a stack for the emulator?)"),
    (.terraform.required_providers // {} | to_entries[]
      | select(.key != "aws" or ((.value.source // "") | IN("aws", "hashicorp/aws", "registry.terraform.io/hashicorp/aws") | not))
      | "required provider \(.key) from \(.value.source // "an unnamed source")"),
    (.module // {} | keys[] | "module \(.)"),
    ((.resource // {}), (.data // {}) | keys[] | select(startswith("aws_") | not) | "\(.) (not an AWS provider type)"),
    (.terraform.backend // {} | keys | select(. != ["s3"]) | "backend \(join(", ")) (only s3)")
  ] | .[]'

check_stack() {
  local dir="$1" json="$1/cdk.tf.json" problems
  [[ -f "$json" ]] || fail "$json does not exist: synthesize first (npm run synth)"
  problems="$(jq -r --argjson redirects "$REDIRECTS" "$STACK_PROBLEMS" "$json")" || fail "$json is not Terraform JSON"
  if [[ -n "$problems" ]]; then
    echo "::error::$(basename "$dir") is not a stack CI runs Terraform on with credentials:" >&2
    while IFS= read -r problem; do echo "  - $problem" >&2; done <<<"$problems"
    exit 1
  fi
}

plan() {
  local dir="$1" out="$2" environment="${3:-}" stack code=0 cost=null
  stack="$(basename "$dir")"
  check_stack "$dir"
  if [[ -n "$environment" ]]; then
    cost="$(jq -c '{region, usage: .cost.usage}' "$environment")" || fail "$environment is not an environment file"
  fi
  mkdir -p "$out"
  terraform -chdir="$dir" init -input=false -no-color
  # -lock=false: a plan never holds the state lock a deploy waits for. -detailed-exitcode: 2 means changes.
  terraform -chdir="$dir" plan -input=false -no-color -lock=false -detailed-exitcode -out=plan.out || code=$?
  if [[ "$code" -ne 0 && "$code" -ne 2 ]]; then
    fail "terraform plan of $stack failed (exit $code)"
  fi
  terraform -chdir="$dir" show -json plan.out |
    jq -c --slurpfile attributes "$ROOT/cost/plan-attributes.json" --argjson cost "$cost" \
      -f "$ROOT/scripts/plan-summary/artifact.jq" >"$out/$stack.json"
  terraform -chdir="$dir" show -no-color plan.out >"$out/$stack.txt"
  # Written last: its presence says the plan files are complete.
  echo "$code" >"$out/$stack.exitcode"
  echo "$stack: $([[ "$code" -eq 0 ]] && echo "no changes" || echo "changes"); plan in $out"
}

apply() {
  local dir="$1"
  check_stack "$dir"
  terraform -chdir="$dir" init -input=false -no-color
  terraform -chdir="$dir" apply -input=false -no-color -auto-approve
}

case "${1:-}" in
  plan)
    [[ $# -eq 3 || $# -eq 4 ]] || usage
    plan "$2" "$3" "${4:-}"
    ;;
  apply)
    [[ $# -eq 2 ]] || usage
    apply "$2"
    ;;
  *) usage ;;
esac
