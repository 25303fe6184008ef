#!/usr/bin/env bash
# The release step of the delivery pipeline. CodeBuild runs it with the build step's output (image.json):
#   (0) preflight: every secret the task definition references has a value, or nothing happens;
#   (a) register a new revision of the task definition family, from its newest revision (what Terraform
#       registered last) with only the app image replaced;
#   (b) run the database migration as a one-off task of that revision, in the app's private subnets, and stop
#       if it does not exit 0;
#   (c) move the service to the same revision and wait for this deployment to complete (the circuit breaker
#       rolls a failing one back); the first release also starts the service's MIN_COUNT tasks, since a new
#       environment runs none before it (stacks/app-stack.ts);
#   (d) record the released image in SSM, where Terraform and operators read it;
#   (e) tag it released-<time> in ECR, the mark an environment that promotes this one's images looks for.
# A revision whose migration or deploy failed is withdrawn (deregistered) on the way out: the weekly job runs
# the family's newest revision, and must keep running the image released last.
#
# Why not CodePipeline's ECS deploy action: it clones the service's *current* task definition, which would drop
# every change Terraform registered since the last release, and would deploy another revision than the one the
# migration ran.
#
# Project variables (constructs/delivery/release-step.ts): CLUSTER, SERVICE, TASK_FAMILY, CONTAINER_NAME,
# SUBNET_IDS and SECURITY_GROUP_IDS (comma-separated), IMAGE_PARAMETER, MIN_COUNT.
# An operator's rollback (npm run ops -- rollback) runs this same script with IMAGE_URI (instead of image.json)
# and SKIP_MIGRATIONS=1: the schema already holds what the older image needs.
set -euo pipefail

: "${CLUSTER:?must be the ECS cluster name}"
: "${SERVICE:?must be the ECS service name}"
: "${TASK_FAMILY:?must be the task definition family}"
: "${CONTAINER_NAME:?must be the app container name}"
: "${SUBNET_IDS:?must be the private subnet ids, comma-separated}"
: "${SECURITY_GROUP_IDS:?must be the app security group ids, comma-separated}"
: "${IMAGE_PARAMETER:?must be the SSM parameter that records the released image}"
: "${MIN_COUNT:?must be the fewest tasks the service runs once released}"

# The migration's command, run in the app container of the new revision.
readonly MIGRATE_COMMAND='["bundle", "exec", "rails", "db:migrate"]'
# `startedBy` of the migration task, so it is easy to find among the cluster's tasks.
readonly MIGRATION_STARTED_BY="codepipeline-migrate"
# Each `aws ecs wait` gives up after 10 minutes; this many rounds bound a migration or a rollout.
readonly WAIT_ROUNDS=6

fail() {
  echo "$*" >&2
  exit 1
}

# Runs a waiter until it succeeds or WAIT_ROUNDS rounds have passed; the caller then checks the outcome.
wait_rounds() {
  local what=$1 round
  shift
  for round in $(seq 1 "$WAIT_ROUNDS"); do
    "$@" && return 0
    echo "$what still in progress after $((round * 10)) minutes"
  done
}

if [[ -n "${IMAGE_URI:-}" ]]; then
  image_uri=$IMAGE_URI
else
  image_uri=$(jq -r '.imageUri // empty' image.json)
  [[ -n "$image_uri" ]] || fail "image.json names no image"
fi

task_definition=""
released=0
withdraw_unreleased_revision() {
  if [[ "$released" != 1 && -n "$task_definition" ]]; then
    echo "Release failed: deregistering $task_definition"
    aws ecs deregister-task-definition --task-definition "$task_definition" >/dev/null ||
      echo "Could not deregister $task_definition; deregister it by hand" >&2
  fi
}
trap withdraw_unreleased_revision EXIT

aws ecs describe-task-definition --task-definition "$TASK_FAMILY" --include TAGS --output json >current.json

# (0) Preflight: a task whose secret has no value cannot start, and ECS would only say so task by task. The
# secret's metadata says whether it has a current value; the value itself is never read.
missing=()
while IFS=$'\t' read -r variable secret_arn; do
  [[ -n "$secret_arn" ]] || continue
  aws secretsmanager describe-secret --secret-id "$secret_arn" --output json >secret.json
  if ! jq -e '[.VersionIdsToStages // {} | .[] | .[]] | index("AWSCURRENT") != null' secret.json >/dev/null; then
    # The value goes in from a file, never on a command line (where ps and the shell's history keep it).
    name=$(jq -r '.Name' secret.json)
    environment=$(cut -d/ -f2 <<<"$name")
    missing+=("$variable: secret $name has no value; set it with: npm run ops -- secrets $environment set $variable < file-with-the-value")
  fi
done < <(jq -r '.taskDefinition.containerDefinitions[].secrets[]?
  | select(.valueFrom | startswith("arn:aws:secretsmanager:"))
  | [.name, (.valueFrom | split(":")[0:7] | join(":"))] | @tsv' current.json)
if [[ "${#missing[@]}" -gt 0 ]]; then
  printf '%s\n' "Release stopped before it changed anything: ${#missing[@]} secret(s) without a value" "${missing[@]}" >&2
  exit 1
fi

# (a) The newest revision of the family, with the new image.
jq --arg image "$image_uri" --arg name "$CONTAINER_NAME" '
  (.taskDefinition
    | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
          .registeredAt, .registeredBy, .deregisteredAt)
    | .containerDefinitions |= map(if .name == $name then .image = $image else . end))
  + (if (.tags | length) > 0 then {tags: .tags} else {} end)' current.json >next.json
jq -e --arg name "$CONTAINER_NAME" 'any(.containerDefinitions[]; .name == $name)' next.json >/dev/null ||
  fail "$TASK_FAMILY has no container $CONTAINER_NAME"
task_definition=$(aws ecs register-task-definition --cli-input-json file://next.json --output json |
  jq -r '.taskDefinition.taskDefinitionArn // empty')
[[ -n "$task_definition" ]] || fail "Registering a revision of $TASK_FAMILY returned no ARN"
echo "Registered $task_definition with $image_uri"

# (b) The migration, from that same revision, in the app's private subnets.
if [[ "${SKIP_MIGRATIONS:-0}" == 1 ]]; then
  echo "Rollback: the migrations are not run again"
  migration_task=""
else
  echo "Running $MIGRATE_COMMAND in a one-off task of $task_definition"
  overrides=$(jq -cn --arg name "$CONTAINER_NAME" --argjson command "$MIGRATE_COMMAND" \
    '{containerOverrides: [{name: $name, command: $command}]}')
  aws ecs run-task --cluster "$CLUSTER" --task-definition "$task_definition" \
    --launch-type FARGATE --platform-version LATEST \
    --started-by "$MIGRATION_STARTED_BY" --propagate-tags TASK_DEFINITION \
    --network-configuration "awsvpcConfiguration={subnets=[$SUBNET_IDS],securityGroups=[$SECURITY_GROUP_IDS],assignPublicIp=DISABLED}" \
    --overrides "$overrides" --output json >run-task.json
  migration_task=$(jq -r '.tasks[0].taskArn // empty' run-task.json)
  if [[ -z "$migration_task" ]]; then
    echo "The migration task did not start:" >&2
    jq '.failures' run-task.json >&2
    exit 1
  fi
  wait_rounds "Migration" aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$migration_task"
  aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$migration_task" --output json >migration.json
  migration_status=$(jq -r '.tasks[0].lastStatus // "unknown"' migration.json)
  migration_exit_code=$(jq -r --arg name "$CONTAINER_NAME" \
    'first(.tasks[0].containers[]? | select(.name == $name) | .exitCode // empty) // "missing"' migration.json)
  if [[ "$migration_status" != "STOPPED" || "$migration_exit_code" != "0" ]]; then
    echo "Migration failed: task $migration_status, exit code $migration_exit_code," \
      "reason: $(jq -r '.tasks[0].stoppedReason // "none given"' migration.json)" >&2
    fail "Its output is in the app log group under the task id; the service still runs the previous release."
  fi
fi

# (c) The deploy. The circuit breaker rolls a failing deployment back, after which the service is stable again
# on the old revision: only this deployment's own rollout state says whether the release succeeded.
# A new environment runs no task until its first release: this release starts MIN_COUNT, and raises the
# autoscaling floor first, so that target tracking cannot scale the new tasks back in.
aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --output json >before.json
desired=$(jq -r '.services[0].desiredCount // 0' before.json)
scale=()
if ((desired < MIN_COUNT)); then
  echo "First release: the service runs $desired task(s); starting $MIN_COUNT"
  resource="service/$CLUSTER/$SERVICE"
  aws application-autoscaling describe-scalable-targets --service-namespace ecs --resource-ids "$resource" \
    --output json >targets.json
  if jq -e '.ScalableTargets | length > 0' targets.json >/dev/null; then
    aws application-autoscaling register-scalable-target --service-namespace ecs --resource-id "$resource" \
      --scalable-dimension ecs:service:DesiredCount --min-capacity "$MIN_COUNT" >/dev/null
  fi
  scale=(--desired-count "$MIN_COUNT")
fi
aws ecs update-service --cluster "$CLUSTER" --service "$SERVICE" --task-definition "$task_definition" \
  "${scale[@]}" --output json >update-service.json
deployment=$(jq -r 'first(.service.deployments[] | select(.status == "PRIMARY") | .id) // empty' update-service.json)
[[ -n "$deployment" ]] || fail "update-service started no deployment"
wait_rounds "Deployment" aws ecs wait services-stable --cluster "$CLUSTER" --services "$SERVICE"
aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --output json >services.json
rollout=$(jq -r --arg id "$deployment" \
  'first(.services[0].deployments[] | select(.id == $id) | .rolloutState) // "gone"' services.json)
[[ "$rollout" == "COMPLETED" ]] ||
  fail "Deployment $deployment did not complete (rollout: $rollout); the circuit breaker keeps or restores the previous release"
released=1

# (d) What runs now, for operators and for Terraform's next task definition revision.
aws ssm put-parameter --name "$IMAGE_PARAMETER" --type String --value "$image_uri" --overwrite >/dev/null

# (e) Mark the image released in ECR (an extra immutable tag): an environment that promotes this one's images
# (delivery.promoteFrom) takes only images marked so. Not fatal: without the mark, promotion refuses the image.
repository_uri="${image_uri%@*}"
[[ "$image_uri" == *@* ]] || repository_uri="${repository_uri%:*}"
if [[ "$image_uri" == *@* ]]; then image_id="imageDigest=${image_uri#*@}"; else image_id="imageTag=${image_uri##*:}"; fi
released_tag="released-$(date -u +%Y%m%dT%H%M%SZ)"
if aws ecr batch-get-image --repository-name "${repository_uri#*/}" --image-ids "$image_id" \
  --output json >released-image.json 2>/dev/null &&
  manifest=$(jq -er '.images[0].imageManifest' released-image.json) &&
  aws ecr put-image --repository-name "${repository_uri#*/}" --image-tag "$released_tag" \
    --image-manifest "$manifest" >/dev/null; then
  echo "Marked $image_uri as $released_tag"
else
  echo "Could not mark $image_uri as released in ECR; environments that promote from this one will refuse it"
fi
jq -n --arg name "$CONTAINER_NAME" --arg uri "$image_uri" '[{name: $name, imageUri: $uri}]' >imagedefinitions.json
jq -n --arg image "$image_uri" --arg taskDefinition "$task_definition" --arg deployment "$deployment" \
  --arg migrationTask "$migration_task" \
  '{image: $image, taskDefinition: $taskDefinition, deployment: $deployment, migrationTask: $migrationTask}' \
  >release.json
echo "Released $image_uri as $task_definition"
