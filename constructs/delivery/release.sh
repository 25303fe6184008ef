#!/usr/bin/env bash
# The release step of the delivery pipeline. CodeBuild runs it with the build step's output (image.json):
#   (0) lock: one release or rollback of the environment at a time (an SSM parameter both take, below);
#       settle: an earlier release that ended before its deployment did is recorded as what the service runs;
#       preflight: every secret the task definition references has a value, or nothing happens;
#   (a) register a new revision of the task definition family, from its newest revision (what Terraform
#       registered last) with only the app image replaced;
#   (b) run the database migration as a one-off task of that revision, in the app's private subnets, and stop
#       if it does not exit 0;
#   (c) move the service to the same revision and wait for this deployment to complete (the circuit breaker
#       rolls a failing one back); the first release also starts the service's MIN_COUNT tasks, since a new
#       environment runs none before it (stacks/app-stack.ts);
#   (d) record the released image in SSM, where Terraform and operators read it;
#   (e) tag it released-<time> in ECR, the mark an environment that promotes this one's images looks for.
# On the way out, a revision that did not take is withdrawn (deregistered): the weekly job runs the family's
# newest revision, and must keep running what the service runs. Once the service was moved to it, the service
# decides: a deployment that completed is recorded, one ECS rolled back is withdrawn, and one still rolling out
# (the wait gave up, or the step was interrupted) is left to ECS, never deregistered under it; the next release
# or rollback settles it.
#
# The lock: the parameter RELEASE_LOCK_PARAMETER exists while a release or rollback runs (created without
# --overwrite, which fails when it exists), holding who runs and until when. A pipeline release and an
# operator's rollback both take it, so neither moves the service under the other; the second is refused, naming
# the first. A lock past its time (a step killed before it could remove it) is taken over.
#
# Why not CodePipeline's ECS deploy action: it clones the service's *current* task definition, which would drop
# every change Terraform registered since the last release, and would deploy another revision than the one the
# migration ran.
#
# Project variables (constructs/delivery/release-step.ts): CLUSTER, SERVICE, TASK_FAMILY, CONTAINER_NAME,
# SUBNET_IDS and SECURITY_GROUP_IDS (comma-separated), IMAGE_PARAMETER, RELEASE_LOCK_PARAMETER, MIN_COUNT.
# An operator's rollback (npm run ops -- rollback) runs this same script with IMAGE_URI (instead of image.json),
# SKIP_MIGRATIONS=1 (the schema already holds what the older image needs) and RELEASED_BY (who, for the lock).
set -euo pipefail

: "${CLUSTER:?must be the ECS cluster name}"
: "${SERVICE:?must be the ECS service name}"
: "${TASK_FAMILY:?must be the task definition family}"
: "${CONTAINER_NAME:?must be the app container name}"
: "${SUBNET_IDS:?must be the private subnet ids, comma-separated}"
: "${SECURITY_GROUP_IDS:?must be the app security group ids, comma-separated}"
: "${IMAGE_PARAMETER:?must be the SSM parameter that records the released image}"
: "${RELEASE_LOCK_PARAMETER:?must be the SSM parameter a release or rollback holds while it runs}"
: "${MIN_COUNT:?must be the fewest tasks the service runs once released}"

# The migration's command, run in the app container of the new revision.
readonly MIGRATE_COMMAND='["bundle", "exec", "rails", "db:migrate"]'
# `startedBy` of the migration task, so it is easy to find among the cluster's tasks.
readonly MIGRATION_STARTED_BY="codepipeline-migrate"
# Each `aws ecs wait` gives up after 10 minutes; this many rounds bound a migration or a rollout.
readonly WAIT_ROUNDS=6
# How long the lock is held at most: longer than the step may run (CodeBuild stops it after 150 minutes).
readonly LOCK_MINUTES=160

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
deployment=""
released=0
locked=0

# The image of the app container in a task definition (JSON of describe-task-definition on stdin).
app_image() {
  jq -r --arg name "$CONTAINER_NAME" 'first(.taskDefinition.containerDefinitions[] | select(.name == $name) | .image) // empty'
}

record_image() {
  aws ssm put-parameter --name "$IMAGE_PARAMETER" --type String --value "$1" --overwrite >/dev/null
}

# On the way out of a release that did not complete: withdraw its revision unless the service runs it.
settle_unreleased_revision() {
  [[ "$released" != 1 && -n "$task_definition" ]] || return 0
  if [[ -n "$deployment" ]] &&
    aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --output json >exit-services.json; then
    local rollout service_revision
    rollout=$(jq -r --arg id "$deployment" \
      'first(.services[0].deployments[]? | select(.id == $id) | .rolloutState) // "gone"' exit-services.json)
    service_revision=$(jq -r '.services[0].taskDefinition // empty' exit-services.json)
    if [[ "$rollout" == "COMPLETED" ]]; then
      record_image "$image_uri" && echo "Deployment $deployment completed after all: recorded $image_uri"
      return 0
    fi
    if [[ "$service_revision" == "$task_definition" ]]; then
      echo "Deployment $deployment is still rolling out $task_definition ($rollout); it stays registered," \
        "since ECS is deploying it. ECS completes it or its circuit breaker rolls it back; the next release" \
        "or rollback records what the service then runs (npm run ops -- status shows it)."
      return 0
    fi
  fi
  echo "Release failed: deregistering $task_definition"
  aws ecs deregister-task-definition --task-definition "$task_definition" >/dev/null ||
    echo "Could not deregister $task_definition; deregister it by hand" >&2
}

release_lock() {
  [[ "$locked" == 1 ]] || return 0
  # Only our own lock: after a takeover (ours had run out) it is someone else's.
  if [[ "$(aws ssm get-parameter --name "$RELEASE_LOCK_PARAMETER" --query Parameter.Value --output text 2>/dev/null)" == "$lock_value" ]]; then
    aws ssm delete-parameter --name "$RELEASE_LOCK_PARAMETER" >/dev/null ||
      echo "Could not remove the release lock; remove it: aws ssm delete-parameter --name $RELEASE_LOCK_PARAMETER" >&2
  fi
}

on_exit() {
  local code=$?
  trap - INT TERM
  settle_unreleased_revision || true
  release_lock || true
  exit "$code"
}
trap on_exit EXIT
# An interrupt (Ctrl-C reaches the whole process group) or a stop ends the script through on_exit, once the
# command running then has ended; without these, bash would go on with the next round of a wait.
trap 'echo "Interrupted" >&2; exit 130' INT
trap 'echo "Stopped" >&2; exit 143' TERM

# (0) The lock.
lock_holder="${RELEASED_BY:-${CODEBUILD_BUILD_ID:+the pipeline release step (build $CODEBUILD_BUILD_ID)}}"
lock_value=$(jq -cn --arg holder "${lock_holder:-$(id -un)@$(hostname) (pid $$)}" --arg image "$image_uri" \
  --arg since "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --argjson until "$(($(date +%s) + LOCK_MINUTES * 60))" \
  '{holder: $holder, image: $image, since: $since, until: $until}')
take_lock() {
  if aws ssm put-parameter --name "$RELEASE_LOCK_PARAMETER" --type String --value "$lock_value" \
    >/dev/null 2>lock-error.txt; then
    locked=1
    return 0
  fi
  grep -q ParameterAlreadyExists lock-error.txt || {
    cat lock-error.txt >&2
    fail "Could not take the release lock $RELEASE_LOCK_PARAMETER"
  }
  return 1
}
if ! take_lock; then
  aws ssm get-parameter --name "$RELEASE_LOCK_PARAMETER" --output json >lock.json
  held=$(jq -r '.Parameter.Value | fromjson? // {} | "\(.holder // "someone"), releasing \(.image // "an image") since \(.since // "an unknown time")"' lock.json)
  held_until=$(jq -r '.Parameter.Value | fromjson? // {} | .until // 0' lock.json)
  if ((held_until > $(date +%s))); then
    fail "Another release or rollback of this environment is running: $held. Nothing was changed." \
      "Wait for it to end, then run again. If it is not running any more (it was killed), remove its lock:" \
      "aws ssm delete-parameter --name $RELEASE_LOCK_PARAMETER"
  fi
  echo "Taking over the release lock of $held: it ran out at $(date -u -d "@$held_until" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "$held_until")"
  aws ssm delete-parameter --name "$RELEASE_LOCK_PARAMETER" >/dev/null
  take_lock || fail "Another release took the lock first; nothing was changed"
fi

# (0) Settle: when the service has settled on a revision (one deployment, completed), the record follows the
# image it runs (an earlier release may have ended before its deployment did), and a newer revision with
# another image (a release whose deployment ECS rolled back meanwhile) is withdrawn, so that the weekly job,
# which runs the newest revision, runs what the service runs.
aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --output json >before.json
if jq -e '.services[0] | .taskDefinition != null and (.deployments // [] | length == 1
    and .[0].rolloutState == "COMPLETED")' before.json >/dev/null; then
  running=$(jq -r '.services[0].taskDefinition' before.json)
  running_image=$(aws ecs describe-task-definition --task-definition "$running" --output json | app_image)
  recorded=$(aws ssm get-parameter --name "$IMAGE_PARAMETER" --query Parameter.Value --output text)
  [[ -n "$running_image" ]] || fail "$running has no container $CONTAINER_NAME"
  if [[ "$running_image" != "$recorded" ]]; then
    echo "The service runs $running_image, an earlier release's deployment that completed after its step ended; recording it"
    record_image "$running_image"
  fi
  while read -r newer; do
    aws ecs describe-task-definition --task-definition "$newer" --output json >newer.json
    if jq -e '.taskDefinition.status == "ACTIVE"' newer.json >/dev/null &&
      [[ "$(app_image <newer.json)" != "$running_image" ]]; then
      echo "Withdrawing $newer ($(app_image <newer.json)): newer than what the service runs, and another image"
      aws ecs deregister-task-definition --task-definition "$newer" >/dev/null
    fi
  done < <(aws ecs list-task-definitions --family-prefix "$TASK_FAMILY" --status ACTIVE --output json |
    jq -r --arg family "$TASK_FAMILY" --arg running "$running" '
      ($running | split(":") | last | tonumber) as $revision
      | .taskDefinitionArns[] | select(split("/") | last | split(":") | .[0] == $family)
      | select(split(":") | last | tonumber > $revision)')
fi

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
# autoscaling floor first, so that target tracking cannot scale the new tasks back in. (The count is the one read
# before the release began: only a new environment's zero matters here.)
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
echo "Deploying $task_definition: deployment $deployment"
wait_rounds "Deployment" aws ecs wait services-stable --cluster "$CLUSTER" --services "$SERVICE"
aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --output json >services.json
rollout=$(jq -r --arg id "$deployment" \
  'first(.services[0].deployments[] | select(.id == $id) | .rolloutState) // "gone"' services.json)
[[ "$rollout" == "COMPLETED" ]] ||
  fail "Deployment $deployment did not complete (rollout: $rollout); the circuit breaker keeps or restores the previous release"
released=1

# (d) What runs now, for operators and for Terraform's next task definition revision.
record_image "$image_uri"

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
