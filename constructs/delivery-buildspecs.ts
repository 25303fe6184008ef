/**
 * The shell steps of the delivery pipeline's two CodeBuild projects, as data. Each buildspec is a plain object
 * rendered to JSON, which CodeBuild reads as YAML. Everything that differs per environment comes in through
 * the project's environment variables, so the text is the same everywhere and holds no Terraform expression
 * (a literal "${" would be one: the scripts write `$VAR`, never the braced form).
 */

/** Command the release step runs, before the deploy, in a one-off task of the new revision. */
export const MIGRATE_COMMAND = ["bundle", "exec", "rails", "db:migrate"] as const;

/** `startedBy` of the migration task, so it is easy to find among the cluster's tasks. */
export const MIGRATION_STARTED_BY = "codepipeline-migrate";

/** Artifact file the build writes (`{"imageUri": ...}`) and the release reads. */
export const IMAGE_FILE = "image.json";

/** Variables the build project must set. */
export const BUILD_VARIABLES = ["REPOSITORY_URI", "REPOSITORY_NAME"] as const;

/** Variables the release project must set; subnet and security group ids are comma-separated. */
export const RELEASE_VARIABLES = [
  "CLUSTER",
  "SERVICE",
  "TASK_FAMILY",
  "CONTAINER_NAME",
  "SUBNET_IDS",
  "SECURITY_GROUP_IDS",
  "IMAGE_PARAMETER",
] as const;

/** Each waiter gives up after 10 minutes; this many rounds bound a migration or a rollout. */
const WAIT_ROUNDS = 6;

interface Phase {
  /** A failing command skips the later phases instead of running them anyway. */
  readonly "on-failure": "ABORT";
  /** Each command must fail on its own: in a multi-line command only the last status counts. */
  readonly commands: string[];
  /** Commands that run after `commands` whether they succeeded or not. */
  readonly finally?: string[];
}

interface BuildSpec {
  readonly version: "0.2";
  readonly env: { readonly shell: "bash" };
  readonly phases: Record<string, Phase>;
  readonly artifacts: { readonly files: string[] };
}

const phase = (...commands: string[]): Phase => ({ "on-failure": "ABORT", commands });
const withFinally = (cleanup: string, ...commands: string[]): Phase => ({
  ...phase(...commands),
  finally: [cleanup],
});

const render = (spec: BuildSpec): string => JSON.stringify(spec, null, 2);

/** Polls an `aws ecs wait` waiter until it succeeds or WAIT_ROUNDS rounds have passed; the caller checks. */
const waitLoop = (waiter: string, what: string): string =>
  [
    `for round in $(seq 1 ${WAIT_ROUNDS}); do`,
    `  ${waiter} && break`,
    `  echo "${what} still in progress after $((round * 10)) minutes"`,
    "done",
  ].join("\n");

/**
 * Builds the app repository's Dockerfile and pushes it tagged with the full commit SHA. Tags are immutable in
 * ECR, so a re-run for a commit already pushed reuses that image instead of failing on the push.
 */
export function buildSpec(): string {
  return render({
    version: "0.2",
    env: { shell: "bash" },
    phases: {
      pre_build: phase(
        `[[ "$CODEBUILD_RESOLVED_SOURCE_VERSION" =~ ^[0-9a-f]{40}$ ]] || { echo "Source revision '$CODEBUILD_RESOLVED_SOURCE_VERSION' is not a commit SHA"; exit 1; }`,
        'IMAGE_TAG="$CODEBUILD_RESOLVED_SOURCE_VERSION"',
        'IMAGE_URI="$REPOSITORY_URI:$IMAGE_TAG"',
        'aws ecr get-login-password | docker login --username AWS --password-stdin "$(echo "$REPOSITORY_URI" | cut -d/ -f1)"',
      ),
      build: phase(
        [
          'if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$IMAGE_TAG" >/dev/null 2>&1; then',
          '  echo "$IMAGE_URI was pushed before; tags are immutable, so the release reuses it"',
          "else",
          '  docker build --pull --tag "$IMAGE_URI" --label "org.opencontainers.image.revision=$IMAGE_TAG" . &&',
          '  docker push "$IMAGE_URI"',
          "fi",
        ].join("\n"),
        `jq -n --arg uri "$IMAGE_URI" '{imageUri: $uri}' > ${IMAGE_FILE}`,
      ),
    },
    artifacts: { files: [IMAGE_FILE] },
  });
}

/**
 * The release: a new revision of the task definition family with only the app image replaced, the database
 * migration as a one-off task of that revision (the release stops if it fails), the service moved to the same
 * revision, and the deployed image recorded.
 *
 * Why CodeBuild and not CodePipeline's ECS deploy action: that action clones the service's *current* task
 * definition, which would drop every change Terraform registered since the last deploy (new settings,
 * secrets, sizes) and would deploy a different revision from the one the migration ran. Starting from the
 * family's newest revision keeps Terraform's changes and runs the migration and the service on one revision.
 */
export function releaseSpec(): string {
  const overrides = JSON.stringify({ command: MIGRATE_COMMAND });
  return render({
    version: "0.2",
    env: { shell: "bash" },
    phases: {
      pre_build: phase(
        `IMAGE_URI=$(jq -r '.imageUri // empty' ${IMAGE_FILE})`,
        `[[ -n "$IMAGE_URI" ]] || { echo "${IMAGE_FILE} names no image"; exit 1; }`,
      ),
      build: withFinally(
        // A revision that failed to migrate or deploy must not stay the family's newest: the weekly job runs
        // the newest revision, and should keep running the image that was released last.
        [
          'if [[ "$RELEASED" != 1 && -n "$TASK_DEFINITION" ]]; then',
          '  echo "Release failed: deregistering $TASK_DEFINITION"',
          '  aws ecs deregister-task-definition --task-definition "$TASK_DEFINITION" >/dev/null',
          "fi",
        ].join("\n"),
        // (a) The newest revision of the family (what Terraform registered last), with the new image.
        'aws ecs describe-task-definition --task-definition "$TASK_FAMILY" --include TAGS --output json > current.json',
        [
          `jq --arg image "$IMAGE_URI" --arg name "$CONTAINER_NAME" '`,
          "  (.taskDefinition",
          "    | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,",
          "          .registeredAt, .registeredBy, .deregisteredAt)",
          "    | .containerDefinitions |= map(if .name == $name then .image = $image else . end))",
          "  + (if (.tags | length) > 0 then {tags: .tags} else {} end)' current.json > next.json",
        ].join("\n"),
        `jq -e --arg name "$CONTAINER_NAME" 'any(.containerDefinitions[]; .name == $name)' next.json >/dev/null || { echo "$TASK_FAMILY has no container $CONTAINER_NAME"; exit 1; }`,
        "TASK_DEFINITION=$(aws ecs register-task-definition --cli-input-json file://next.json --query taskDefinition.taskDefinitionArn --output text)",
        'echo "Registered $TASK_DEFINITION with $IMAGE_URI"',

        // (b) The migration, from that same revision, in the app's private subnets.
        `echo "Running ${MIGRATE_COMMAND.join(" ")} in a one-off task of $TASK_DEFINITION"`,
        [
          'aws ecs run-task --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION"',
          `  --launch-type FARGATE --platform-version LATEST --started-by ${MIGRATION_STARTED_BY} --propagate-tags TASK_DEFINITION`,
          '  --network-configuration "awsvpcConfiguration={subnets=[$SUBNET_IDS],securityGroups=[$SECURITY_GROUP_IDS],assignPublicIp=DISABLED}"',
          `  --overrides "$(jq -cn --arg name "$CONTAINER_NAME" --argjson override '${overrides}' '{containerOverrides: [{name: $name} + $override]}')"`,
          "  --output json > run-task.json",
        ].join(" \\\n"),
        "MIGRATION_TASK=$(jq -r '.tasks[0].taskArn // empty' run-task.json)",
        `[[ -n "$MIGRATION_TASK" ]] || { echo "The migration task did not start:"; jq '.failures' run-task.json; exit 1; }`,
        waitLoop('aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$MIGRATION_TASK"', "Migration"),
        'aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$MIGRATION_TASK" --output json > migration.json',
        `MIGRATION_STATUS=$(jq -r '.tasks[0].lastStatus' migration.json)`,
        `MIGRATION_EXIT_CODE=$(jq -r --arg name "$CONTAINER_NAME" '[.tasks[0].containers[] | select(.name == $name) | .exitCode // empty][0] // "missing"' migration.json)`,
        [
          'if [[ "$MIGRATION_STATUS" != "STOPPED" || "$MIGRATION_EXIT_CODE" != "0" ]]; then',
          `  echo "Migration failed: task $MIGRATION_STATUS, exit code $MIGRATION_EXIT_CODE, reason: $(jq -r '.tasks[0].stoppedReason // "none given"' migration.json)"`,
          '  echo "Its output is in the app log group under the task id; the service still runs the previous release."',
          "  exit 1",
          "fi",
        ].join("\n"),

        // (c) The deploy. The service's circuit breaker rolls a failing deployment back, after which the
        // service is stable again on the old revision: only this deployment's own rollout state says success.
        `DEPLOYMENT=$(aws ecs update-service --cluster "$CLUSTER" --service "$SERVICE" --task-definition "$TASK_DEFINITION" --query 'service.deployments[?status==\`PRIMARY\`].id | [0]' --output text)`,
        waitLoop('aws ecs wait services-stable --cluster "$CLUSTER" --services "$SERVICE"', "Deployment"),
        `ROLLOUT=$(aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query "services[0].deployments[?id=='$DEPLOYMENT'].rolloutState | [0]" --output text)`,
        `[[ "$ROLLOUT" == "COMPLETED" ]] || { echo "Deployment $DEPLOYMENT did not complete (rollout: $ROLLOUT); the circuit breaker keeps or restores the previous release"; exit 1; }`,
        "RELEASED=1",

        // (d) What runs now, for operators and for Terraform's next task definition revision.
        'aws ssm put-parameter --name "$IMAGE_PARAMETER" --type String --value "$IMAGE_URI" --overwrite >/dev/null',
        `jq -n --arg name "$CONTAINER_NAME" --arg uri "$IMAGE_URI" '[{name: $name, imageUri: $uri}]' > imagedefinitions.json`,
        `jq -n --arg image "$IMAGE_URI" --arg taskDefinition "$TASK_DEFINITION" --arg deployment "$DEPLOYMENT" --arg migrationTask "$MIGRATION_TASK" '{image: $image, taskDefinition: $taskDefinition, deployment: $deployment, migrationTask: $migrationTask}' > release.json`,
      ),
    },
    artifacts: { files: ["imagedefinitions.json", "release.json"] },
  });
}
