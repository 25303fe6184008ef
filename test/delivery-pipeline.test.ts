import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodestarconnectionsConnection } from "@cdktf/provider-aws/lib/codestarconnections-connection";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { Construct } from "constructs";
import { ContainerRepository } from "../constructs/container-repository";
import { DeliveryPipeline, type DeliveryPipelineProps } from "../constructs/delivery/delivery-pipeline";
import type { DeliveryStep } from "../constructs/delivery/delivery-step";
import { promoteRoleName } from "../constructs/delivery/promote-step";
import type { PolicyStatement } from "../constructs/iam";
import { Naming } from "../constructs/naming";
import { statementsOf } from "../rules/iam/policy";
import { grantedOnEverything } from "../rules/iam/sensitive";
import { PrivateBucket } from "../constructs/private-bucket";
import { requiredVariables, scriptOf, SCRIPTS } from "./delivery-script-runner";
import { appTask, type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";

const ACCOUNT = "222222222222";
const CLUSTER_ARN = `arn:aws:ecs:us-west-2:${ACCOUNT}:cluster/myamazingapp-test`;
const ALARMS = `arn:aws:sns:us-west-2:${ACCOUNT}:myamazingapp-test-alarms`;
const LOGS_KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/logs`;

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : ([] as string[]).concat(v);

/**
 * Statements that break least privilege, by the policy rules' action table: an action wildcard, or `*` resources
 * for an action that can be limited to ARNs (the rules' iam-no-wildcard-actions and iam-no-unscoped-write).
 */
function leastPrivilegeViolations(statements: PolicyStatement[]): string[] {
  const normalized = statementsOf({ Statement: statements });
  const wildcards = normalized
    .filter((s) => s.effect === "Allow")
    .flatMap((s) => s.actions)
    .filter((a) => a === "*" || a.endsWith(":*"));
  return [...wildcards, ...grantedOnEverything(normalized, (a) => a.restrictable && a.level !== "L")];
}

function build(scope: Construct, env: string, extra: Partial<DeliveryPipelineProps>) {
  const naming = new Naming("myamazingapp", env);
  const task = appTask(scope, `${env}-task`, naming, { account: ACCOUNT });
  const artifactKey = testKey(scope, `${env}-data`, naming);
  const repository = new ContainerRepository(scope, `${env}-repo`, {
    naming,
    forceDelete: false,
    encryptionKeyArn: artifactKey.key.arn,
  });
  const accessLogBucket = new PrivateBucket(scope, `${env}-access-logs`, {
    bucketName: `${env}-access-logs`,
    forceDestroy: false,
  });
  const imageParameter = new SsmParameter(scope, `${env}-image`, {
    name: naming.path("image"),
    type: "String",
    insecureValue: "bootstrap",
  });
  const pipeline = new DeliveryPipeline(scope, `${env}-delivery`, {
    naming,
    account: ACCOUNT,
    region: "us-west-2",
    appRepository: "cdlib/myamazingapp",
    ecrRepository: repository.repository,
    clusterArn: CLUSTER_ARN,
    clusterName: "myamazingapp-test",
    serviceName: "myamazingapp-test-web",
    task,
    subnetIds: ["subnet-aaa", "subnet-bbb"],
    securityGroupIds: ["sg-app"],
    alarmTopicArn: ALARMS,
    imageParameter,
    releaseLockParameter: {
      name: naming.path("release-lock"),
      arn: `arn:aws:ssm:us-west-2:${ACCOUNT}:parameter/myamazingapp/${env}/release-lock`,
    },
    minCount: 3,
    branch: "main",
    requireApproval: false,
    logRetentionDays: 30,
    forceDestroy: false,
    artifactKey,
    logEncryptionKeyArn: LOGS_KEY,
    accessLogBucket,
    ...extra,
  });
  return { pipeline, task, repository, imageParameter, artifactKey, accessLogBucket };
}

describe("DeliveryPipeline", () => {
  let synth: Synthesized;
  let prod: ReturnType<typeof build>;
  let staging: ReturnType<typeof build>;
  let pipeline: Block;
  let buildSpec: Block;
  let releaseSpec: Block;
  const policiesOf = (role: IamRole) =>
    synth
      .resources("aws_iam_role_policy")
      .filter((p) => p.role === ref(role, "id"))
      .flatMap((p) => JSON.parse(p.policy).Statement as PolicyStatement[]);
  const roles = () => [prod.pipeline.pipelineRole, prod.pipeline.build.role, prod.pipeline.release.role];
  const spec = (step: DeliveryStep) => JSON.parse(synth.of(step.project).source.buildspec) as Block;

  beforeAll(() => {
    synth = synthConstruct((scope) => {
      prod = build(scope, "production", { requireApproval: true, branch: "release", logRetentionDays: 90 });
      staging = build(scope, "staging", {});
    });
    pipeline = synth.of(prod.pipeline.pipeline);
    buildSpec = spec(prod.pipeline.build);
    releaseSpec = spec(prod.pipeline.release);
  });

  describe("pipeline", () => {
    it("is a V2 pipeline that queues executions", () => {
      expect(pipeline.pipeline_type).toBe("V2");
      expect(pipeline.execution_mode).toBe("QUEUED");
      expect(pipeline.artifact_store).toEqual([
        {
          type: "S3",
          location: ref(prod.pipeline.artifacts.bucket, "bucket"),
          encryption_key: { id: ref(prod.artifactKey.key, "arn"), type: "KMS" },
        },
      ]);
    });

    it("runs Source, Build, Approval, Release when requireApproval is set", () => {
      expect(pipeline.stage.map((s: Block) => s.name)).toEqual(["Source", "Build", "Approval", "Release"]);
      expect(pipeline.stage[2].action[0]).toMatchObject({ category: "Approval", provider: "Manual" });
    });

    it("has no approval stage by default", () => {
      const stages = synth.of(staging.pipeline.pipeline).stage.map((s: Block) => s.name);
      expect(stages).toEqual(["Source", "Build", "Release"]);
    });

    it("takes the source from the GitHub connection as a code zip of the release branch", () => {
      expect(pipeline.stage[0].action[0]).toMatchObject({
        provider: "CodeStarSourceConnection",
        output_artifacts: ["source"],
        configuration: {
          ConnectionArn: ref(prod.pipeline.connection, "arn"),
          FullRepositoryId: "cdlib/myamazingapp",
          BranchName: "release",
          OutputArtifactFormat: "CODE_ZIP",
        },
      });
      expect(synth.json).toHaveResourceWithProperties(CodestarconnectionsConnection, {
        name: "myamazingapp-production-github",
        provider_type: "GitHub",
      });
    });

    it("is triggered by a push to the release branch (main by default)", () => {
      expect(pipeline.trigger).toEqual([
        {
          provider_type: "CodeStarSourceConnection",
          git_configuration: {
            source_action_name: "Source",
            push: [{ branches: { includes: ["release"] } }],
          },
        },
      ]);
      const [trigger] = synth.of(staging.pipeline.pipeline).trigger;
      expect(trigger.git_configuration.push[0].branches.includes).toEqual(["main"]);
    });

    it("hands the build's image record to the release", () => {
      const [, buildStage, , releaseStage] = pipeline.stage;
      expect(buildStage.action[0].configuration.ProjectName).toBe(ref(prod.pipeline.build.project, "name"));
      expect(releaseStage.action[0].configuration.ProjectName).toBe(
        ref(prod.pipeline.release.project, "name"),
      );
      expect(releaseStage.action[0].input_artifacts).toEqual(buildStage.action[0].output_artifacts);
    });

    it("tells the alarm topic about every failed execution", () => {
      expect(synth.of(prod.pipeline.failureNotification)).toMatchObject({
        resource: ref(prod.pipeline.pipeline, "arn"),
        event_type_ids: ["codepipeline-pipeline-pipeline-execution-failed"],
        target: [{ type: "SNS", address: ALARMS }],
      });
    });
  });

  describe("steps", () => {
    const steps = () => [
      { step: prod.pipeline.build, spec: buildSpec, file: "build.sh", outputs: ["image.json"] },
      {
        step: prod.pipeline.release,
        spec: releaseSpec,
        file: "release.sh",
        outputs: ["imagedefinitions.json", "release.json"],
      },
    ];

    it("each runs exactly its checked-in script with bash, stopping at the first failure", () => {
      for (const { spec, file } of steps()) {
        expect(spec.env).toEqual({ shell: "bash" });
        expect(Object.keys(spec.phases)).toEqual(["build"]);
        expect(spec.phases.build["on-failure"]).toBe("ABORT");
        expect(scriptOf(spec)).toBe(readFileSync(join(SCRIPTS, file), "utf8"));
      }
    });

    it("each gets exactly the variables its script requires, and collects the files its script writes", () => {
      for (const { step, spec, file, outputs } of steps()) {
        const names = synth.of(step.project).environment.environment_variable.map((v: Block) => v.name);
        expect(names.sort()).toEqual(requiredVariables(readFileSync(join(SCRIPTS, file), "utf8")).sort());
        expect(spec.artifacts.files).toEqual(outputs);
      }
    });

    it("hands the build's image record to the release, which reads it", () => {
      expect(buildSpec.artifacts.files).toEqual(["image.json"]);
      expect(readFileSync(join(SCRIPTS, "release.sh"), "utf8")).toContain("image.json");
    });

    it("passes the repository, the cluster, the service, the private subnets and the parameter by reference", () => {
      const variables = (step: DeliveryStep) =>
        Object.fromEntries(
          synth.of(step.project).environment.environment_variable.map((v: Block) => [v.name, v.value]),
        );
      expect(variables(prod.pipeline.build)).toEqual({
        REPOSITORY_URI: ref(prod.repository.repository, "repository_url"),
        REPOSITORY_NAME: ref(prod.repository.repository, "name"),
      });
      expect(variables(prod.pipeline.release)).toEqual({
        CLUSTER: "myamazingapp-test",
        SERVICE: "myamazingapp-test-web",
        TASK_FAMILY: ref(prod.task.taskDefinition, "family"),
        CONTAINER_NAME: "web",
        SUBNET_IDS: '${join(",", ["subnet-aaa", "subnet-bbb"])}',
        SECURITY_GROUP_IDS: '${join(",", ["sg-app"])}',
        IMAGE_PARAMETER: ref(prod.imageParameter, "name"),
        RELEASE_LOCK_PARAMETER: "/myamazingapp/production/release-lock",
        MIN_COUNT: "3",
      });
    });

    it("runs Docker only in the build step, on a host big enough for an asset build", () => {
      expect(synth.of(prod.pipeline.build.project).environment).toMatchObject({
        privileged_mode: true,
        compute_type: "BUILD_GENERAL1_MEDIUM",
      });
      expect(synth.of(prod.pipeline.release.project).environment.privileged_mode).toBe(false);
    });

    it("lets one release run at a time, for long enough to migrate and roll out", () => {
      expect(synth.of(prod.pipeline.release.project)).toMatchObject({
        concurrent_build_limit: 1,
        build_timeout: 150,
      });
    });

    it("escapes the scripts' ${ and %{ so Terraform passes them to CodeBuild unchanged", () => {
      for (const step of [prod.pipeline.build, prod.pipeline.release]) {
        expect(synth.of(step.project).source.buildspec).not.toMatch(/(^|[^$])\$\{|(^|[^%])%\{/);
      }
      expect(scriptOf(releaseSpec)).toContain('"${CLUSTER:?');
    });
  });

  describe("permissions", () => {
    it("grants no action wildcard and `*` resources only to actions without resource-level permissions", () => {
      for (const role of roles()) {
        const statements = policiesOf(role);
        expect(statements.length).toBeGreaterThan(0);
        expect(leastPrivilegeViolations(statements)).toEqual([]);
      }
    });

    it("passes only the two task roles, and only to ECS tasks", () => {
      const passRole = roles()
        .flatMap(policiesOf)
        .filter((s) => asList(s.Action).includes("iam:PassRole"));
      expect(passRole).toEqual([
        expect.objectContaining({
          Resource: [ref(prod.task.executionRole, "arn"), ref(prod.task.taskRole, "arn")],
          Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
        }),
      ]);
    });

    it("runs tasks only of the app family, only in the app cluster", () => {
      const runTask = policiesOf(prod.pipeline.release.role).find((s) => s.Action === "ecs:RunTask");
      expect(runTask).toMatchObject({
        Resource: `${ref(prod.task.taskDefinition, "arn_without_revision")}:*`,
        Condition: { ArnEquals: { "ecs:cluster": CLUSTER_ARN } },
      });
    });

    it("deploys only the app service and writes only the image parameter and its own lock", () => {
      const statements = policiesOf(prod.pipeline.release.role);
      expect(statements.find((s) => asList(s.Action).includes("ecs:UpdateService"))?.Resource).toBe(
        `arn:aws:ecs:us-west-2:${ACCOUNT}:service/myamazingapp-test/myamazingapp-test-web`,
      );
      const writing = (action: string) =>
        statements.filter((s) => asList(s.Action).includes(action)).flatMap((s) => asList(s.Resource));
      expect(writing("ssm:PutParameter").sort()).toEqual(
        [
          ref(prod.imageParameter, "arn"),
          `arn:aws:ssm:us-west-2:${ACCOUNT}:parameter/myamazingapp/production/release-lock`,
        ].sort(),
      );
      expect(writing("ssm:DeleteParameter")).toEqual([
        `arn:aws:ssm:us-west-2:${ACCOUNT}:parameter/myamazingapp/production/release-lock`,
      ]);
    });

    it("uses only its own GitHub connection", () => {
      const use = policiesOf(prod.pipeline.pipelineRole).find((s) =>
        asList(s.Action).includes("codestar-connections:UseConnection"),
      );
      expect(use?.Resource).toBe(ref(prod.pipeline.connection, "arn"));
    });

    it("lets only CodeBuild and CodePipeline of this account assume the roles", () => {
      const trust = (role: IamRole) => JSON.parse(synth.of(role).assume_role_policy).Statement[0];
      expect(trust(prod.pipeline.pipelineRole)).toMatchObject({
        Principal: { Service: "codepipeline.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
      });
      expect(trust(prod.pipeline.release.role).Principal).toEqual({ Service: "codebuild.amazonaws.com" });
    });
  });

  describe("artifacts and logs", () => {
    it("keeps artifacts in a private, TLS-only bucket encrypted with the customer key", () => {
      const bucketId = ref(prod.pipeline.artifacts.bucket, "id");
      const [sse] = synth
        .resources("aws_s3_bucket_server_side_encryption_configuration")
        .filter((r) => r.bucket === bucketId);
      expect(sse.rule[0].apply_server_side_encryption_by_default).toEqual({
        sse_algorithm: "aws:kms",
        kms_master_key_id: ref(prod.artifactKey.key, "arn"),
      });
      expect(synth.json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
        bucket: bucketId,
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
      const [policy] = synth.resources("aws_s3_bucket_policy").filter((r) => r.bucket === bucketId);
      expect(JSON.parse(policy.policy).Statement).toContainEqual(
        expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      );
    });

    it("versions the artifact bucket and sends its access logs to the log bucket", () => {
      const bucketId = ref(prod.pipeline.artifacts.bucket, "id");
      const [versioning] = synth.resources("aws_s3_bucket_versioning").filter((r) => r.bucket === bucketId);
      expect(versioning.versioning_configuration).toEqual({ status: "Enabled" });
      const [logging] = synth.resources("aws_s3_bucket_logging").filter((r) => r.bucket === bucketId);
      expect(logging).toMatchObject({
        target_bucket: ref(prod.accessLogBucket.bucket, "id"),
        target_prefix: `s3/${ref(prod.pipeline.artifacts.bucket, "bucket")}/`,
      });
    });

    it("encrypts what the steps write with the artifact key, and lets the roles use that key", () => {
      for (const step of [prod.pipeline.build, prod.pipeline.release]) {
        expect(synth.of(step.project).encryption_key).toBe(ref(prod.artifactKey.key, "arn"));
      }
      for (const role of roles()) {
        expect(policiesOf(role)).toContainEqual(
          expect.objectContaining({
            Effect: "Allow",
            Action: expect.arrayContaining(["kms:Decrypt", "kms:GenerateDataKey*"]),
            Resource: ref(prod.artifactKey.key, "arn"),
          }),
        );
      }
    });

    it("expires artifacts after 30 days and aborts unfinished uploads", () => {
      const [lifecycle] = synth
        .resources("aws_s3_bucket_lifecycle_configuration")
        .filter((r) => r.bucket === ref(prod.pipeline.artifacts.bucket, "id"));
      expect(lifecycle.rule).toEqual([
        expect.objectContaining({
          status: "Enabled",
          expiration: [{ days: 30 }],
          abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
        }),
      ]);
    });

    it("sends build and release logs to log groups with retention, encrypted with the logs key", () => {
      for (const step of [prod.pipeline.build, prod.pipeline.release]) {
        expect(synth.of(step.project).logs_config.cloudwatch_logs).toEqual({
          status: "ENABLED",
          group_name: ref(step.logGroup, "name"),
        });
      }
      expect(synth.json).toHaveResourceWithProperties(CloudwatchLogGroup, {
        name: "/myamazingapp/production/delivery-release",
        retention_in_days: 90,
        kms_key_id: LOGS_KEY,
      });
      expect(synth.of(staging.pipeline.build.logGroup).retention_in_days).toBe(30);
    });
  });

  describe("refuses", () => {
    const attempt = (extra: Partial<DeliveryPipelineProps>) => () => build(newStack(), "bad", extra);

    it.each(["myamazingapp", "cdlib/", "cdlib/app/extra", "cd lib/app"])(
      "appRepository %p",
      (appRepository) => {
        expect(attempt({ appRepository })).toThrow(
          /DeliveryPipeline: appRepository: .* is malformed; expected a GitHub repository "owner\/name"/,
        );
      },
    );

    it.each(["", "feature/*", "-main", "a..b"])("branch %p", (branch) => {
      expect(attempt({ branch })).toThrow(
        /DeliveryPipeline: branch: .* is malformed; expected a plain branch name/,
      );
    });

    it("a migration task without subnets", () => {
      expect(attempt({ subnetIds: [] })).toThrow(
        /ReleaseStep: subnetIds: the migration task needs private subnets/,
      );
    });

    it("artifacts kept for less than a day", () => {
      expect(attempt({ artifactRetentionDays: 0 })).toThrow(
        /DeliveryPipeline: artifactRetentionDays: 0 is out of range; allowed: 1 to 365/,
      );
    });
  });
});

describe("DeliveryPipeline that promotes another environment's releases", () => {
  const SOURCE = {
    account: "222222222222",
    repositoryUri: "222222222222.dkr.ecr.us-west-2.amazonaws.com/myamazingapp-staging-web",
    repositoryArn: "arn:aws:ecr:us-west-2:222222222222:repository/myamazingapp-staging-web",
  };
  let synth: Synthesized;
  let prod: ReturnType<typeof build>;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      prod = build(scope, "production", { requireApproval: true, promoteFrom: SOURCE });
    });
  });

  it("approves first, then promotes, then releases: nothing is built", () => {
    const stages = synth.of(prod.pipeline.pipeline).stage.map((s: Block) => s.name);
    expect(stages).toEqual(["Source", "Approval", "Promote", "Release"]);
    expect(
      synth
        .resources("aws_codebuild_project")
        .map((p) => p.name)
        .sort(),
    ).toEqual(["myamazingapp-production-promote", "myamazingapp-production-release"]);
    // The role the source repository's policy names (constructs/container-repository.ts).
    expect(synth.of(prod.pipeline.build.role).name).toBe(
      promoteRoleName(new Naming("myamazingapp", "production")),
    );
  });

  it("runs promote.sh with the source repository, and its role may pull from there and push here, nothing more", () => {
    const spec = JSON.parse(synth.of(prod.pipeline.build.project).source.buildspec);
    expect(scriptOf(spec)).toBe(readFileSync(join(SCRIPTS, "promote.sh"), "utf8"));
    const variables = Object.fromEntries(
      synth
        .of(prod.pipeline.build.project)
        .environment.environment_variable.map((v: Block) => [v.name, v.value]),
    );
    expect(variables).toMatchObject({
      SOURCE_REPOSITORY_URI: SOURCE.repositoryUri,
      SOURCE_REGISTRY_ID: "222222222222",
    });
    const statements = synth
      .resources("aws_iam_role_policy")
      .filter((p) => p.role === ref(prod.pipeline.build.role, "id"))
      .flatMap((p) => JSON.parse(p.policy).Statement as PolicyStatement[]);
    const onSource = statements.filter((s) => JSON.stringify(s.Resource).includes("222222222222"));
    expect(onSource).toHaveLength(1);
    expect([onSource[0].Action].flat().sort()).toEqual(
      [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:GetDownloadUrlForLayer",
      ].sort(),
    );
  });
});
