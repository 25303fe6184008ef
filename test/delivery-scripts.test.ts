/**
 * The delivery pipeline's shell steps, executed: bash runs constructs/delivery/build.sh and release.sh with
 * stub `aws` and `docker` commands that answer as AWS and Docker would and record every call. What a step does
 * is asserted on those calls and on the files it leaves, never on its text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { requiredVariables, type Rule, runScript, SCRIPTS, type ScriptRun } from "./delivery-script-runner";

const SHA = "3f2a1b0c4d5e6f708192a3b4c5d6e7f809112233";
const REPOSITORY = "111111111111.dkr.ecr.us-west-2.amazonaws.com/myamazingapp-test-web";
const IMAGE = `${REPOSITORY}:${SHA}`;
const FAMILY_ARN = "arn:aws:ecs:us-west-2:111111111111:task-definition/myamazingapp-test-web";
const NEW_REVISION = `${FAMILY_ARN}:8`;
const MIGRATION_TASK = "arn:aws:ecs:us-west-2:111111111111:task/myamazingapp-test/0a1b2c";
const DEPLOYMENT = "ecs-svc/1234567890";

describe("build.sh", () => {
  const env = { REPOSITORY_URI: REPOSITORY, REPOSITORY_NAME: "myamazingapp-test-web" };
  const scenario = (imageExists: boolean, pushExit = 0): Record<string, Rule[]> => ({
    aws: [
      { match: "ecr get-login-password", stdout: "registry-token" },
      { match: "ecr describe-images", exit: imageExists ? 0 : 254, stdout: imageExists ? "{}" : "" },
    ],
    docker: [
      { match: "login", stdout: "Login Succeeded\n" },
      { match: "build", stdout: "built\n" },
      { match: "push", exit: pushExit },
    ],
  });
  const build = (rules: Record<string, Rule[]>, extra: Record<string, string> = {}) =>
    runScript("build.sh", {
      env: { ...env, CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, ...extra },
      scenario: rules,
    });

  it("builds the Dockerfile, tags it with the commit SHA, pushes it and records it in image.json", () => {
    const run = build(scenario(false));
    expect(run.code).toBe(0);
    expect(run.callsTo("docker", "login")).toEqual([
      expect.objectContaining({
        args: ["login", "--username", "AWS", "--password-stdin", REPOSITORY.split("/")[0]],
        stdin: "registry-token",
      }),
    ]);
    const [dockerBuild] = run.callsTo("docker", "build");
    expect(dockerBuild.args).toEqual(expect.arrayContaining(["--pull", "--tag", IMAGE, "."]));
    expect(run.callsTo("docker", "push").map((c) => c.args)).toEqual([["push", IMAGE]]);
    expect(run.output("image.json")).toEqual({ imageUri: IMAGE });
  });

  it("reuses an image already pushed for the commit (tags are immutable) instead of building again", () => {
    const run = build(scenario(true));
    expect(run.code).toBe(0);
    expect(run.callsTo("aws", "ecr describe-images")[0].args).toEqual(
      expect.arrayContaining([
        "--repository-name",
        "myamazingapp-test-web",
        "--image-ids",
        `imageTag=${SHA}`,
      ]),
    );
    expect(run.callsTo("docker", "build")).toEqual([]);
    expect(run.callsTo("docker", "push")).toEqual([]);
    expect(run.output("image.json")).toEqual({ imageUri: IMAGE });
  });

  it.each(["main", "", "3f2a1b0", SHA.toUpperCase()])(
    "refuses a source revision that is not a full commit SHA (%p) before calling anything",
    (revision) => {
      const run = build(scenario(false), { CODEBUILD_RESOLVED_SOURCE_VERSION: revision });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/is not a commit SHA/);
      expect(run.calls).toEqual([]);
    },
  );

  it("fails, and records no image, when the push fails", () => {
    const run = build(scenario(false, 1));
    expect(run.code).not.toBe(0);
    expect(run.output("image.json")).toBeUndefined();
  });
});

describe("release.sh", () => {
  const env = {
    CLUSTER: "myamazingapp-test",
    SERVICE: "myamazingapp-test-web",
    TASK_FAMILY: "myamazingapp-test-web",
    CONTAINER_NAME: "web",
    SUBNET_IDS: "subnet-a,subnet-b",
    SECURITY_GROUP_IDS: "sg-app",
    IMAGE_PARAMETER: "/myamazingapp/test/image",
  };
  const currentTaskDefinition = {
    taskDefinition: {
      taskDefinitionArn: `${FAMILY_ARN}:7`,
      family: "myamazingapp-test-web",
      revision: 7,
      status: "ACTIVE",
      cpu: "512",
      memory: "1024",
      containerDefinitions: [
        { name: "web", image: `${REPOSITORY}:bootstrap`, environment: [{ name: "PORT", value: "3000" }] },
        { name: "log-router", image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable" },
      ],
      requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
      compatibilities: ["EC2", "FARGATE"],
      registeredAt: "2026-11-01T00:00:00Z",
      registeredBy: "arn:aws:sts::111111111111:assumed-role/x",
    },
    tags: [{ key: "application", value: "myamazingapp" }],
  };
  const migration = (container: Record<string, unknown>, stoppedReason = "Essential container exited") => ({
    tasks: [{ taskArn: MIGRATION_TASK, lastStatus: "STOPPED", stoppedReason, containers: [container] }],
  });

  /** What AWS answers in a release that goes well; a test replaces the answers it is about. */
  function scenario(overrides: Record<string, Rule> = {}): Record<string, Rule[]> {
    const rules: Rule[] = [
      { match: "ecs describe-task-definition", stdout: currentTaskDefinition },
      {
        match: "ecs register-task-definition",
        stdout: { taskDefinition: { taskDefinitionArn: NEW_REVISION } },
      },
      { match: "ecs run-task", stdout: { tasks: [{ taskArn: MIGRATION_TASK }], failures: [] } },
      { match: "ecs wait tasks-stopped" },
      { match: "ecs describe-tasks", stdout: migration({ name: "web", exitCode: 0 }) },
      {
        match: "ecs update-service",
        stdout: {
          service: {
            deployments: [
              { id: DEPLOYMENT, status: "PRIMARY" },
              { id: "ecs-svc/previous", status: "ACTIVE" },
            ],
          },
        },
      },
      { match: "ecs wait services-stable" },
      {
        match: "ecs describe-services",
        stdout: {
          services: [{ deployments: [{ id: DEPLOYMENT, status: "PRIMARY", rolloutState: "COMPLETED" }] }],
        },
      },
      { match: "ssm put-parameter", stdout: { Version: 2 } },
      { match: "ecs deregister-task-definition", stdout: {} },
    ];
    return { aws: rules.map((r) => overrides[r.match] ?? r) };
  }
  const release = (rules: Record<string, Rule[]>, extra: Partial<typeof env> = {}, imageFile?: string) =>
    runScript("release.sh", {
      env: { ...env, ...extra },
      scenario: rules,
      files: { "image.json": imageFile ?? JSON.stringify({ imageUri: IMAGE }) },
    });
  const withdrew = (run: ScriptRun) =>
    run
      .callsTo("aws", "ecs deregister-task-definition")
      .map((c) => c.args[c.args.indexOf("--task-definition") + 1]);

  describe("when the migration exits 0", () => {
    let run: ScriptRun;
    beforeAll(() => {
      run = release(scenario());
    });

    it("succeeds", () => {
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    });

    it("registers a revision from the family's newest one with only the app container's image replaced", () => {
      const [register] = run.callsTo("aws", "ecs register-task-definition");
      const next = JSON.parse(Object.values(register.files)[0]);
      const current = currentTaskDefinition.taskDefinition;
      expect(next.containerDefinitions).toEqual([
        { ...current.containerDefinitions[0], image: IMAGE },
        current.containerDefinitions[1],
      ]);
      expect(next).toMatchObject({
        family: current.family,
        cpu: "512",
        memory: "1024",
        tags: currentTaskDefinition.tags,
      });
      for (const field of [
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
      ]) {
        expect(next).not.toHaveProperty(field);
      }
    });

    it("runs bundle exec rails db:migrate from that revision, in the private subnets, without a public IP", () => {
      const [runTask] = run.callsTo("aws", "ecs run-task");
      const arg = (name: string) => runTask.args[runTask.args.indexOf(name) + 1];
      expect(arg("--task-definition")).toBe(NEW_REVISION);
      expect(arg("--cluster")).toBe("myamazingapp-test");
      expect(arg("--launch-type")).toBe("FARGATE");
      expect(arg("--network-configuration")).toBe(
        "awsvpcConfiguration={subnets=[subnet-a,subnet-b],securityGroups=[sg-app],assignPublicIp=DISABLED}",
      );
      expect(JSON.parse(arg("--overrides"))).toEqual({
        containerOverrides: [{ name: "web", command: ["bundle", "exec", "rails", "db:migrate"] }],
      });
    });

    it("deploys that same revision to the service after the migration, and waits for it", () => {
      const order = run.calls.map((c) => c.args.slice(0, 3).join(" "));
      const [update] = run.callsTo("aws", "ecs update-service");
      expect(update.args[update.args.indexOf("--task-definition") + 1]).toBe(NEW_REVISION);
      expect(order.indexOf("ecs update-service --cluster")).toBeGreaterThan(
        order.indexOf("ecs describe-tasks --cluster"),
      );
      expect(run.callsTo("aws", "ecs wait services-stable")).toHaveLength(1);
    });

    it("records the released image in the SSM parameter, keeps the revision, and writes its artifacts", () => {
      const [put] = run.callsTo("aws", "ssm put-parameter");
      expect(put.args).toEqual(
        expect.arrayContaining(["--name", "/myamazingapp/test/image", "--value", IMAGE, "--overwrite"]),
      );
      expect(withdrew(run)).toEqual([]);
      expect(run.output("imagedefinitions.json")).toEqual([{ name: "web", imageUri: IMAGE }]);
      expect(run.output("release.json")).toEqual({
        image: IMAGE,
        taskDefinition: NEW_REVISION,
        deployment: DEPLOYMENT,
        migrationTask: MIGRATION_TASK,
      });
    });
  });

  it("when the migration exits 1: fails, never deploys, and withdraws the new revision", () => {
    const run = release(
      scenario({
        "ecs describe-tasks": {
          match: "ecs describe-tasks",
          stdout: migration({ name: "web", exitCode: 1 }),
        },
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Migration failed: task STOPPED, exit code 1/);
    expect(run.callsTo("aws", "ecs update-service")).toEqual([]);
    expect(run.callsTo("aws", "ssm put-parameter")).toEqual([]);
    expect(withdrew(run)).toEqual([NEW_REVISION]);
  });

  it("when the migration has no exit code (it never ran): fails, never deploys, withdraws the revision", () => {
    const run = release(
      scenario({
        "ecs describe-tasks": {
          match: "ecs describe-tasks",
          stdout: migration(
            { name: "web", lastStatus: "STOPPED" },
            "CannotPullContainerError: image not found",
          ),
        },
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/exit code missing, reason: CannotPullContainerError/);
    expect(run.callsTo("aws", "ecs update-service")).toEqual([]);
    expect(withdrew(run)).toEqual([NEW_REVISION]);
  });

  it("when the migration task cannot start: says why, and withdraws the revision", () => {
    const run = release(
      scenario({
        "ecs run-task": {
          match: "ecs run-task",
          stdout: { tasks: [], failures: [{ reason: "RESOURCE:ENI", arn: "subnet-a" }] },
        },
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/The migration task did not start/);
    expect(run.stderr).toMatch(/RESOURCE:ENI/);
    expect(run.callsTo("aws", "ecs wait tasks-stopped")).toEqual([]);
    expect(withdrew(run)).toEqual([NEW_REVISION]);
  });

  it("when the deploy is rolled back by the circuit breaker: fails, records nothing, withdraws the revision", () => {
    const run = release(
      scenario({
        "ecs describe-services": {
          match: "ecs describe-services",
          stdout: {
            services: [{ deployments: [{ id: DEPLOYMENT, status: "PRIMARY", rolloutState: "FAILED" }] }],
          },
        },
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(`Deployment ${DEPLOYMENT} did not complete (rollout: FAILED)`);
    expect(run.callsTo("aws", "ssm put-parameter")).toEqual([]);
    expect(withdrew(run)).toEqual([NEW_REVISION]);
  });

  it("keeps waiting while a waiter gives up, then judges the outcome", () => {
    const run = release(
      scenario({
        "ecs wait tasks-stopped": {
          match: "ecs wait tasks-stopped",
          responses: [
            { exit: 255, stderr: "Waiter TasksStopped failed: Max attempts exceeded" },
            { exit: 255 },
            {},
          ],
        },
      }),
    );
    expect(run.code).toBe(0);
    expect(run.callsTo("aws", "ecs wait tasks-stopped")).toHaveLength(3);
    expect(run.stdout).toMatch(
      /Migration still in progress after 10 minutes\nMigration still in progress after 20 minutes/,
    );
  });

  it("fails when the deploy never settles, without recording the image", () => {
    const run = release(
      scenario({
        "ecs wait services-stable": { match: "ecs wait services-stable", exit: 255 },
        "ecs describe-services": {
          match: "ecs describe-services",
          stdout: {
            services: [{ deployments: [{ id: DEPLOYMENT, status: "PRIMARY", rolloutState: "IN_PROGRESS" }] }],
          },
        },
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.callsTo("aws", "ecs wait services-stable")).toHaveLength(6);
    expect(run.callsTo("aws", "ssm put-parameter")).toEqual([]);
    expect(withdrew(run)).toEqual([NEW_REVISION]);
  });

  it("refuses to start without the image record, calling nothing", () => {
    const run = release(scenario(), {}, JSON.stringify({}));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/image.json names no image/);
    expect(run.calls).toEqual([]);
  });

  it.each(requiredVariables(readFileSync(join(SCRIPTS, "release.sh"), "utf8")))(
    "refuses to start without %s, naming it and calling nothing",
    (name) => {
      const run = release(scenario(), { [name]: "" });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(name);
      expect(run.calls).toEqual([]);
    },
  );
});
