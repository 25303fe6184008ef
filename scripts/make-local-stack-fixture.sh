#!/usr/bin/env bash
# Regenerates test/fixtures/plans/local-stack.{json,txt}: a real plan of the project's own local stack, taken
# from the emulator after `npm run deploy:local`, with three edits a pull request could make:
#   - the database's db_name changes (Terraform must REPLACE the database: the summary must shout),
#   - the scheduler's dead-letter queue keeps messages longer (an in-place update),
#   - the "task not started" alarm is removed (a destroy of something that holds no data).
# The JSON is cut with the same jq filter the pull-request workflow applies before uploading a plan
# (scripts/plan-summary/artifact.jq).
#
# Needs: a local deployment (npm run deploy:local, same LOCAL_AWS_PORT), terraform, jq, TF_PROVIDER_MIRROR
# if the deploy used one. Usage: scripts/make-local-stack-fixture.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/.local/work/myamazingapp-local"
[[ -f "$src/terraform.tfstate" || -d "$src/.terraform" ]] || { echo "deploy first: npm run deploy:local" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
jq '
  (.resource.aws_db_instance[] .db_name) = "myamazingapp_v2"
  | (.resource.aws_sqs_queue |= with_entries(if (.key | test("dlq")) then .value.message_retention_seconds = 1036800 else . end))
  | (.resource.aws_cloudwatch_metric_alarm |= with_entries(select(.key | test("not-started") | not)))
' "$src/cdk.tf.json" >"$work/cdk.tf.json"
export CHECKPOINT_DISABLE=1 AWS_CA_BUNDLE="$root/.local/emulator/cert.pem"
[[ -f "$root/.local/terraformrc" ]] && export TF_CLI_CONFIG_FILE="$root/.local/terraformrc"
terraform -chdir="$work" plan -input=false -no-color -lock=false -out=plan.out >/dev/null
out="$root/test/fixtures/plans"
cost="$(jq -c '{region, usage: .cost.usage}' "$root/environments/local.json")"
terraform -chdir="$work" show -json plan.out |
  jq -c --slurpfile attributes "$root/cost/plan-attributes.json" --argjson cost "$cost" \
    -f "$root/scripts/plan-summary/artifact.jq" >"$out/local-stack.json"
terraform -chdir="$work" show -no-color plan.out >"$out/local-stack.txt"
grep '^Plan:' "$out/local-stack.txt"
