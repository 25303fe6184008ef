/**
 * The delivery pipeline's shell steps, executed: bash runs constructs/delivery/build.sh and release.sh with
 * stub `aws` and `docker` commands that answer as AWS and Docker would and record every call. What a step does
 * is asserted on those calls and on the files it leaves, never on its text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { StackView } from "../rules/stack-view";
import {
  type Answer,
  requiredVariables,
  type Rule,
  runScript,
  SCRIPTS,
  type ScriptRun,
  startScript,
} from "./delivery-script-runner";
import { synthCheckedIn } from "./environment-stacks";

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
    RELEASE_LOCK_PARAMETER: "/myamazingapp/test/release-lock",
    MIN_COUNT: "2",
  };
  /** The image released before: the service's revision runs it, and SSM holds it when a release starts. */
  const PREVIOUS = `${REPOSITORY}:bootstrap`;
  const RUNNING = `${FAMILY_ARN}:7`;
  const LOCK = env.RELEASE_LOCK_PARAMETER;
  const SMTP_SECRET =
    "arn:aws:secretsmanager:us-west-2:111111111111:secret:myamazingapp/test/SMTP_PASSWORD-AbCdEf";
  const DB_SECRET = "arn:aws:secretsmanager:us-west-2:111111111111:secret:rds!db-1234-XyZ";
  const secretAnswer = (name: string, stages: Record<string, string[]>) => ({
    stdout: { Name: name, VersionIdsToStages: stages },
  });
  const currentTaskDefinition = {
    taskDefinition: {
      taskDefinitionArn: `${FAMILY_ARN}:7`,
      family: "myamazingapp-test-web",
      revision: 7,
      status: "ACTIVE",
      cpu: "512",
      memory: "1024",
      containerDefinitions: [
        {
          name: "web",
          image: `${REPOSITORY}:bootstrap`,
          environment: [{ name: "PORT", value: "3000" }],
          secrets: [
            { name: "DATABASE_PASSWORD", valueFrom: `${DB_SECRET}:password::` },
            { name: "SMTP_PASSWORD", valueFrom: SMTP_SECRET },
          ],
        },
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
      { match: "secretsmanager describe-secret", ...secretAnswer("a-secret", { v1: ["AWSCURRENT"] }) },
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
          services: [
            {
              desiredCount: 2,
              taskDefinition: RUNNING,
              deployments: [{ id: DEPLOYMENT, status: "PRIMARY", rolloutState: "COMPLETED" }],
            },
          ],
        },
      },
      {
        match: "ecs list-task-definitions",
        stdout: { taskDefinitionArns: [`${FAMILY_ARN}:6`, RUNNING] },
      },
      {
        match: "application-autoscaling describe-scalable-targets",
        stdout: { ScalableTargets: [{ MinCapacity: 0, MaxCapacity: 4 }] },
      },
      { match: "application-autoscaling register-scalable-target", stdout: {} },
      {
        match: "ecr batch-get-image",
        stdout: { images: [{ imageManifest: '{"schemaVersion":2}', imageId: { imageTag: SHA } }] },
      },
      { match: "ecr put-image", stdout: { image: {} } },
      { match: "ecs deregister-task-definition", stdout: {} },
    ];
    return { aws: rules.map((r) => overrides[r.match] ?? r) };
  }
  const release = (
    rules: Record<string, Rule[]>,
    extra: Partial<typeof env> = {},
    imageFile?: string,
    ssm: Record<string, string> = { [env.IMAGE_PARAMETER]: PREVIOUS },
  ) =>
    runScript("release.sh", {
      env: { ...env, ...extra },
      scenario: rules,
      files: { "image.json": imageFile ?? JSON.stringify({ imageUri: IMAGE }) },
      ssm,
    });
  /** The values the release wrote to the image parameter, in order. */
  const recorded = (run: ScriptRun) =>
    run
      .callsTo("aws", `ssm put-parameter --name ${env.IMAGE_PARAMETER}`)
      .map((c) => c.args[c.args.indexOf("--value") + 1]);
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
      expect(recorded(run)).toEqual([IMAGE]);
      expect(run.ssm[env.IMAGE_PARAMETER]).toBe(IMAGE);
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
    expect(recorded(run)).toEqual([]);
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
    expect(recorded(run)).toEqual([]);
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

  /** The service before the release (settled on RUNNING), then while ECS rolls the new revision out. */
  const rollingOut: Rule = {
    match: "ecs describe-services",
    responses: [
      {
        stdout: {
          services: [
            {
              desiredCount: 2,
              taskDefinition: RUNNING,
              deployments: [{ id: "ecs-svc/previous", status: "PRIMARY", rolloutState: "COMPLETED" }],
            },
          ],
        },
      },
      {
        stdout: {
          services: [
            {
              desiredCount: 2,
              taskDefinition: NEW_REVISION,
              deployments: [
                { id: DEPLOYMENT, status: "PRIMARY", rolloutState: "IN_PROGRESS" },
                { id: "ecs-svc/previous", status: "ACTIVE", rolloutState: "COMPLETED" },
              ],
            },
          ],
        },
      },
    ],
  };

  it("when the deploy wait gives up while ECS still rolls the revision out: fails, records nothing, leaves the revision to ECS", () => {
    const run = release(
      scenario({
        "ecs wait services-stable": { match: "ecs wait services-stable", exit: 255 },
        "ecs describe-services": rollingOut,
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.callsTo("aws", "ecs wait services-stable")).toHaveLength(6);
    expect(recorded(run)).toEqual([]);
    // Deregistering it would leave the service deploying an inactive revision.
    expect(withdrew(run)).toEqual([]);
    expect(run.stdout).toContain(
      `Deployment ${DEPLOYMENT} is still rolling out ${NEW_REVISION} (IN_PROGRESS)`,
    );
    expect(run.ssm[LOCK]).toBeUndefined();
  });

  it("when interrupted (Ctrl-C) during the deploy wait: stops, leaves the revision ECS rolls out, releases the lock", async () => {
    const { pid, calls, done } = startScript("release.sh", {
      env,
      scenario: scenario({
        "ecs wait services-stable": { match: "ecs wait services-stable", delayMs: 30_000 },
        "ecs describe-services": rollingOut,
      }),
      files: { "image.json": JSON.stringify({ imageUri: IMAGE }) },
      ssm: { [env.IMAGE_PARAMETER]: PREVIOUS },
    });
    // Once the wait has begun, the terminal's Ctrl-C reaches the whole process group: bash and the waiting CLI.
    const waiting = () => calls().some((c) => c.args.join(" ").startsWith("ecs wait services-stable"));
    for (let i = 0; i < 300 && !waiting(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(waiting()).toBe(true);
    process.kill(-pid, "SIGINT");
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("Interrupted");
    expect(withdrew(run)).toEqual([]);
    expect(recorded(run)).toEqual([]);
    expect(run.stdout).toContain(`Deployment ${DEPLOYMENT} is still rolling out ${NEW_REVISION}`);
    expect(run.ssm[LOCK]).toBeUndefined();
    expect(run.ssm[env.IMAGE_PARAMETER]).toBe(PREVIOUS);
  }, 60_000);

  describe("one release or rollback at a time (the lock)", () => {
    it("holds the lock from before it reads anything until it ends, naming who holds it", () => {
      const run = release(scenario());
      expect(run.code).toBe(0);
      const lockCall = run.calls.findIndex((c) =>
        c.args.join(" ").startsWith(`ssm put-parameter --name ${LOCK}`),
      );
      const firstEcs = run.calls.findIndex((c) => c.args[0] === "ecs");
      expect(lockCall).toBeGreaterThanOrEqual(0);
      expect(lockCall).toBeLessThan(firstEcs);
      const taken = run.calls[lockCall].args;
      expect(taken).not.toContain("--overwrite"); // fails when another holds it
      expect(JSON.parse(taken[taken.indexOf("--value") + 1])).toMatchObject({ image: IMAGE });
      expect(run.ssm[LOCK]).toBeUndefined(); // removed at the end
    });

    it("refuses while another holds it, changing nothing, and says what to remove if that one is dead", () => {
      const held = JSON.stringify({
        holder: "rollback by ops@laptop",
        image: `${REPOSITORY}:0ld`,
        since: "2026-11-27T07:00:00Z",
        until: Math.floor(Date.now() / 1000) + 3600,
      });
      const run = release(scenario(), {}, undefined, { [env.IMAGE_PARAMETER]: PREVIOUS, [LOCK]: held });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(
        `Another release or rollback of this environment is running: rollback by ops@laptop, releasing ${REPOSITORY}:0ld since 2026-11-27T07:00:00Z. Nothing was changed.`,
      );
      expect(run.stderr).toContain(`aws ssm delete-parameter --name ${LOCK}`);
      expect(run.calls.filter((c) => c.args[0] === "ecs")).toEqual([]);
      expect(run.ssm[LOCK]).toBe(held); // still the other's
    });

    it("takes over a lock past its time (its holder was killed), and removes it at the end", () => {
      const stale = JSON.stringify({ holder: "the pipeline release step (build x)", until: 1 });
      const run = release(scenario(), {}, undefined, { [env.IMAGE_PARAMETER]: PREVIOUS, [LOCK]: stale });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Taking over the release lock of the pipeline release step (build x)");
      expect(recorded(run)).toEqual([IMAGE]);
      expect(run.ssm[LOCK]).toBeUndefined();
    });
  });

  describe("settling what an earlier release left (the service, the record and the weekly job agree)", () => {
    /** AWS's answers once the service has settled on RUNNING, with `newer` revisions of the family. */
    const settled = (newer: string[] = []) =>
      scenario({
        "ecs describe-task-definition": {
          match: "ecs describe-task-definition",
          stdout: currentTaskDefinition,
        },
        "ecs list-task-definitions": {
          match: "ecs list-task-definitions",
          stdout: {
            taskDefinitionArns: [
              RUNNING,
              ...newer,
              `${FAMILY_ARN}-worker:12`, // another family that shares the prefix
            ],
          },
        },
      })["aws"];
    const describing = (arn: string, image: string, status = "ACTIVE"): Rule => ({
      match: `ecs describe-task-definition --task-definition ${arn}`,
      stdout: {
        taskDefinition: {
          ...currentTaskDefinition.taskDefinition,
          taskDefinitionArn: arn,
          status,
          containerDefinitions: [{ ...currentTaskDefinition.taskDefinition.containerDefinitions[0], image }],
        },
      },
    });

    it("records the image the service runs when an earlier release ended before its deployment completed", () => {
      const finished = `${REPOSITORY}:finished-late`;
      const run = release({ aws: [describing(RUNNING, finished), ...settled()] });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`The service runs ${finished}`);
      expect(recorded(run)).toEqual([finished, IMAGE]);
    });

    it("withdraws a newer revision of another image (a deployment ECS rolled back), and keeps Terraform's newer one", () => {
      const rolledBack = `${FAMILY_ARN}:9`;
      const terraforms = `${FAMILY_ARN}:10`;
      const run = release({
        aws: [
          describing(RUNNING, PREVIOUS),
          describing(rolledBack, `${REPOSITORY}:rolled-back`),
          describing(terraforms, PREVIOUS),
          ...settled([rolledBack, terraforms]),
        ],
      });
      expect(run.code).toBe(0);
      expect(withdrew(run)).toEqual([rolledBack]);
      expect(recorded(run)).toEqual([IMAGE]);
      expect(
        run.callsTo("aws", `ecs describe-task-definition --task-definition ${FAMILY_ARN}-worker:12`),
      ).toEqual([]);
    });

    it("stops, changing nothing, when the revision the service runs has no app container to compare", () => {
      const withoutApp: Rule = {
        match: `ecs describe-task-definition --task-definition ${RUNNING}`,
        stdout: { taskDefinition: { ...currentTaskDefinition.taskDefinition, containerDefinitions: [] } },
      };
      const run = release({ aws: [withoutApp, ...settled()] });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`${RUNNING} has no container web`);
      expect(withdrew(run)).toEqual([]);
      expect(run.callsTo("aws", "ecs register-task-definition")).toEqual([]);
      expect(run.ssm[LOCK]).toBeUndefined();
    });

    it("leaves everything while a deployment is still in progress", () => {
      const run = release(
        scenario({
          "ecs describe-services": {
            match: "ecs describe-services",
            responses: [
              rollingOut.responses[1],
              scenario()["aws"].find((r) => r.match === "ecs describe-services") as Answer,
            ],
          },
        }),
      );
      expect(run.code).toBe(0);
      expect(run.callsTo("aws", "ecs list-task-definitions")).toEqual([]);
      expect(recorded(run)).toEqual([IMAGE]);
    });
  });

  it("marks the released image in ECR with a released-<time> tag on the same manifest", () => {
    const run = release(scenario());
    const [get] = run.callsTo("aws", "ecr batch-get-image");
    expect(get.args).toEqual(
      expect.arrayContaining([
        "--repository-name",
        "myamazingapp-test-web",
        "--image-ids",
        `imageTag=${SHA}`,
      ]),
    );
    const [put] = run.callsTo("aws", "ecr put-image");
    expect(put.args[put.args.indexOf("--image-tag") + 1]).toMatch(/^released-\d{8}T\d{6}Z$/);
    expect(put.args[put.args.indexOf("--image-manifest") + 1]).toBe('{"schemaVersion":2}');
  });

  it("marks an image released by digest (a promoted one) by its digest", () => {
    const digest = "sha256:" + "a".repeat(64);
    const run = release(scenario(), {}, JSON.stringify({ imageUri: `${REPOSITORY}@${digest}` }));
    expect(run.code).toBe(0);
    expect(run.callsTo("aws", "ecr batch-get-image")[0].args).toContain(`imageDigest=${digest}`);
  });

  it("checks every secret of the task definition (the secret, not its JSON key) and never reads a value", () => {
    const run = release(scenario());
    const checked = run
      .callsTo("aws", "secretsmanager describe-secret")
      .map((c) => c.args[c.args.indexOf("--secret-id") + 1]);
    expect(checked).toEqual([DB_SECRET, SMTP_SECRET]);
    expect(run.calls.some((c) => c.args.includes("get-secret-value"))).toBe(false);
  });

  it("stops before it changes anything when a secret has no value, naming it and the command that sets it", () => {
    const run = release(
      scenario({
        "secretsmanager describe-secret": {
          match: "secretsmanager describe-secret",
          responses: [
            secretAnswer("rds!db-1234", { v1: ["AWSCURRENT"] }),
            secretAnswer("myamazingapp/test/SMTP_PASSWORD", {}),
          ],
        },
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("1 secret(s) without a value");
    // The command it gives reads the value from a file: a value on a command line shows in ps and the history.
    expect(run.stderr).toContain(
      "SMTP_PASSWORD: secret myamazingapp/test/SMTP_PASSWORD has no value; set it with: npm run ops -- secrets test set SMTP_PASSWORD < file-with-the-value",
    );
    expect(run.stderr).not.toContain("--secret-string");
    expect(run.callsTo("aws", "ecs register-task-definition")).toEqual([]);
    expect(run.callsTo("aws", "ecs update-service")).toEqual([]);
  });

  it.each(["local", "localwest", "staging", "production"])(
    "%s: the release stops until RAILS_MASTER_KEY has a value, and names it",
    (name) => {
      // The environment's own task definition, as synthesized, its secrets' ARNs resolved as AWS names them.
      const { env, text } = synthCheckedIn(name);
      const stack = new StackView(JSON.parse(text));
      const arnOf = (valueFrom: string) => {
        const secret = stack.tryDeref(valueFrom);
        if (secret?.type === "aws_secretsmanager_secret") {
          return `arn:aws:secretsmanager:${env.region}:${env.account}:secret:${secret.block.name}-AbCdEf`;
        }
        return valueFrom.replace(/^\$\{[^}]+\}/, DB_SECRET); // the RDS-managed one, `<arn>:<key>::`
      };
      const [container] = JSON.parse(stack.only("aws_ecs_task_definition").block.container_definitions);
      const secrets = container.secrets.map((s: { name: string; valueFrom: string }) => ({
        ...s,
        valueFrom: arnOf(s.valueFrom),
      }));
      const masterKey = secrets.find((s: { name: string }) => s.name === "RAILS_MASTER_KEY")?.valueFrom;
      expect(masterKey).toMatch(new RegExp(`:secret:myamazingapp/${name}/RAILS_MASTER_KEY-AbCdEf$`));
      const definition = {
        taskDefinition: {
          ...currentTaskDefinition.taskDefinition,
          containerDefinitions: [{ ...container, secrets }],
        },
      };
      // The release's own steps before the preflight (the lock, what the service runs) as in every release.
      const rules = scenario({
        "ecs describe-task-definition": { match: "ecs describe-task-definition", stdout: definition },
      });
      rules.aws.unshift({
        match: `secretsmanager describe-secret --secret-id ${masterKey}`,
        ...secretAnswer(`myamazingapp/${name}/RAILS_MASTER_KEY`, {}),
      });
      const run = release(rules);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain("1 secret(s) without a value");
      expect(run.stderr).toContain(
        `RAILS_MASTER_KEY: secret myamazingapp/${name}/RAILS_MASTER_KEY has no value; set it with:`,
      );
      expect(run.callsTo("aws", "ecs register-task-definition")).toEqual([]);
    },
  );

  it("on the first release starts MIN_COUNT tasks, raising the autoscaling floor before the service", () => {
    const stable = scenario()["aws"].find((r) => r.match === "ecs describe-services")!;
    const run = release(
      scenario({
        "ecs describe-services": {
          match: "ecs describe-services",
          responses: [{ stdout: { services: [{ desiredCount: 0, deployments: [] }] } }, stable as any],
        },
      }),
    );
    expect(run.code).toBe(0);
    const [floor] = run.callsTo("aws", "application-autoscaling register-scalable-target");
    expect(floor.args).toEqual(
      expect.arrayContaining([
        "--resource-id",
        "service/myamazingapp-test/myamazingapp-test-web",
        "--min-capacity",
        "2",
      ]),
    );
    const [update] = run.callsTo("aws", "ecs update-service");
    expect(update.args).toEqual(expect.arrayContaining(["--desired-count", "2"]));
    const order = run.calls.map((c) => c.args.slice(0, 2).join(" "));
    expect(order.indexOf("application-autoscaling register-scalable-target")).toBeLessThan(
      order.indexOf("ecs update-service"),
    );
  });

  it("on later releases leaves the task count to autoscaling", () => {
    const run = release(scenario());
    expect(run.callsTo("aws", "ecs update-service")[0].args).not.toContain("--desired-count");
    expect(run.callsTo("aws", "application-autoscaling register-scalable-target")).toEqual([]);
  });

  it("rolls back to a given image without running the migrations again", () => {
    const older = `${REPOSITORY}:0ld`;
    const run = release(scenario(), { IMAGE_URI: older, SKIP_MIGRATIONS: "1" } as any, JSON.stringify({}));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Rollback: the migrations are not run again");
    expect(run.callsTo("aws", "ecs run-task")).toEqual([]);
    expect(recorded(run)).toEqual([older]);
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

describe("promote.sh", () => {
  const SOURCE = "222222222222.dkr.ecr.us-west-2.amazonaws.com/myamazingapp-staging-web";
  const TARGET = "111111111111.dkr.ecr.us-west-2.amazonaws.com/myamazingapp-production-web";
  const DIGEST = "sha256:" + "b".repeat(64);
  const env = {
    SOURCE_REPOSITORY_URI: SOURCE,
    SOURCE_REGISTRY_ID: "222222222222",
    REPOSITORY_URI: TARGET,
    REPOSITORY_NAME: "myamazingapp-production-web",
    CODEBUILD_RESOLVED_SOURCE_VERSION: SHA,
  };
  const details = (digest: string, tags: string[]) => ({
    imageDetails: [{ imageDigest: digest, imageTags: tags }],
  });
  const released = details(DIGEST, [SHA, "released-20261127T101500Z"]);
  const scenario = (over: { source?: Rule; target?: Rule[] } = {}): Record<string, Rule[]> => ({
    aws: [
      over.source ?? { match: "ecr describe-images --registry-id 222222222222", stdout: released },
      ...(over.target ?? [
        {
          match: "ecr describe-images --repository-name myamazingapp-production-web",
          responses: [{ exit: 254, stderr: "ImageNotFoundException" }, { stdout: details(DIGEST, [SHA]) }],
        },
      ]),
      { match: "ecr get-login-password", stdout: "token" },
    ],
    docker: [{ match: "login" }, { match: "pull" }, { match: "tag" }, { match: "push" }],
  });
  const promote = (rules: Record<string, Rule[]>, extra: Record<string, string> = {}) =>
    runScript("promote.sh", { env: { ...env, ...extra }, scenario: rules });

  it("copies the commit's released image by digest, and hands the release the copy by digest", () => {
    const run = promote(scenario());
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.callsTo("docker", "pull")[0].args).toEqual(["pull", `${SOURCE}@${DIGEST}`]);
    expect(run.callsTo("docker", "push")[0].args).toEqual(["push", `${TARGET}:${SHA}`]);
    expect(run.output("image.json")).toEqual({
      imageUri: `${TARGET}@${DIGEST}`,
      sourceImage: `${SOURCE}@${DIGEST}`,
      digest: DIGEST,
    });
  });

  it("refuses an image the source environment built but never released, copying nothing", () => {
    const run = promote(
      scenario({ source: { match: "ecr describe-images --registry-id", stdout: details(DIGEST, [SHA]) } }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("was built but never released there");
    expect(run.callsTo("docker", "pull")).toEqual([]);
    expect(run.output("image.json")).toBeUndefined();
  });

  it("refuses a commit the source environment has no image for, saying to release it there first", () => {
    const run = promote(
      scenario({
        source: { match: "ecr describe-images --registry-id", exit: 254, stderr: "ImageNotFoundException" },
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`${SOURCE} has no image for commit ${SHA}: release it there first`);
  });

  it("reuses a copy made before, and refuses a tag that names other bytes", () => {
    const again = promote(
      scenario({
        target: [{ match: "ecr describe-images --repository-name", stdout: details(DIGEST, [SHA]) }],
      }),
    );
    expect(again.code).toBe(0);
    expect(again.callsTo("docker", "push")).toEqual([]);
    const other = promote(
      scenario({
        target: [
          {
            match: "ecr describe-images --repository-name",
            stdout: details("sha256:" + "c".repeat(64), [SHA]),
          },
        ],
      }),
    );
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain("tags are immutable, refusing to promote");
  });

  it("refuses a copy whose digest differs from the source's", () => {
    const run = promote(
      scenario({
        target: [
          {
            match: "ecr describe-images --repository-name",
            responses: [{ exit: 254 }, { stdout: details("sha256:" + "d".repeat(64), [SHA]) }],
          },
        ],
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("differs from the source's");
    expect(run.output("image.json")).toBeUndefined();
  });

  it.each(requiredVariables(readFileSync(join(SCRIPTS, "promote.sh"), "utf8")))(
    "refuses to start without %s, naming it and calling nothing",
    (name) => {
      const run = promote(scenario(), { [name]: "" });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(name);
      expect(run.calls).toEqual([]);
    },
  );
});
