/**
 * Finding the policies AWS would use for a call, by ARN, in a synthesized stack and in an applied state
 * (rules/helpers/iam.ts): a role's identity policies, boundary and trust policy; a bucket's, key's, secret's,
 * topic's, queue's, repository's policy; the account's log resource policies. The recorded calls of the
 * end-to-end test and the generated battery are judged through these.
 */
import { stackPolicies, statePolicies } from "../rules/helpers/iam";
import { type Block, StackView } from "../rules/stack-view";

const ACCOUNT = "111111111111";
const REGION = "us-west-2";
const json = (o: object) => JSON.stringify(o);
const policy = (...Statement: object[]) => json({ Version: "2012-10-17", Statement });

/** A small synthesized stack: what cdktf writes, with references between resources. */
const SYNTHESIZED: Block = {
  provider: { aws: [{ allowed_account_ids: [ACCOUNT], region: REGION }] },
  resource: {
    aws_iam_policy: {
      boundary: {
        name: "app-boundary",
        path: "/app/prod/",
        policy: policy({ Sid: "Cap", Effect: "Allow", Action: ["s3:*", "kms:*"], Resource: "*" }),
      },
      deploy_1: {
        name: "app-deploy-1",
        path: "/app/prod/",
        policy: policy({
          Sid: "Files",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: "${aws_s3_bucket.files.arn}/*",
        }),
      },
    },
    aws_iam_role: {
      deploy: {
        name: "app-deploy",
        path: "/app/prod/",
        permissions_boundary: "${aws_iam_policy.boundary.arn}",
        assume_role_policy: policy({
          Effect: "Allow",
          Principal: { Service: "codebuild.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
      },
    },
    aws_iam_role_policy: {
      inline: {
        role: "${aws_iam_role.deploy.id}",
        name: "keys",
        policy: policy({
          Sid: "UseKey",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: "${aws_kms_key.data.arn}",
        }),
      },
    },
    aws_iam_role_policy_attachment: {
      one: { role: "${aws_iam_role.deploy.name}", policy_arn: "${aws_iam_policy.deploy_1.arn}" },
      ecs: {
        role: "${aws_iam_role.deploy.name}",
        policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
      },
    },
    aws_s3_bucket: { files: { bucket: "app-prod-files" } },
    aws_s3_bucket_policy: {
      files: {
        bucket: "${aws_s3_bucket.files.id}",
        policy: policy({
          Sid: "TlsOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["${aws_s3_bucket.files.arn}", "${aws_s3_bucket.files.arn}/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      },
    },
    aws_kms_key: {
      data: {
        description: "data",
        policy: policy({
          Sid: "EnableIam",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        }),
      },
    },
    aws_kms_alias: { data: { name: "alias/app-prod-data", target_key_id: "${aws_kms_key.data.key_id}" } },
    aws_secretsmanager_secret: {
      key_base: { name: "app/prod/KEY_BASE", kms_key_id: "${aws_kms_key.data.arn}" },
    },
    aws_secretsmanager_secret_policy: {
      key_base: {
        secret_arn: "${aws_secretsmanager_secret.key_base.arn}",
        policy: policy({
          Sid: "OnlyExecution",
          Effect: "Deny",
          Principal: "*",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { ArnNotEquals: { "aws:PrincipalArn": "${aws_iam_role.deploy.arn}" } },
        }),
      },
    },
    aws_sns_topic: { alarms: { name: "app-prod-alarms" } },
    aws_sns_topic_policy: {
      alarms: {
        arn: "${aws_sns_topic.alarms.arn}",
        policy: policy({
          Sid: "Alarms",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: "${aws_sns_topic.alarms.arn}",
        }),
      },
    },
    aws_sqs_queue: { beat: { name: "app-prod-beat" } },
    aws_sqs_queue_policy: {
      beat: {
        queue_url: "${aws_sqs_queue.beat.url}",
        policy: policy({
          Sid: "Events",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "${aws_sqs_queue.beat.arn}",
        }),
      },
    },
    aws_ecr_repository: { web: { name: "app-prod-web" } },
    aws_ecr_repository_policy: {
      web: {
        repository: "${aws_ecr_repository.web.name}",
        policy: policy({
          Sid: "Pull",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: "ecr:BatchGetImage",
        }),
      },
    },
    aws_cloudwatch_log_group: { runs: { name: "/app/prod/runs" } },
    aws_cloudwatch_log_resource_policy: {
      runs: {
        policy_name: "runs",
        policy_document: policy({
          Sid: "EventsWrite",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "logs:PutLogEvents",
          Resource: "${aws_cloudwatch_log_group.runs.arn}:*",
        }),
      },
    },
  },
};

describe("stackPolicies (a synthesized stack)", () => {
  const policies = stackPolicies(new StackView(SYNTHESIZED));
  const deployArn = `arn:aws:iam::${ACCOUNT}:role/app/prod/app-deploy`;

  it("finds a role by ARN with its path, by session ARN or by name, with its identity policies, boundary and trust", () => {
    const role = policies.role(deployArn)!;
    expect(role).toBe(policies.role("app-deploy"));
    expect(role).toBe(policies.role(`arn:aws:sts::${ACCOUNT}:assumed-role/app-deploy/ci`));
    expect(role.boundaryArn).toBe(`arn:aws:iam::${ACCOUNT}:policy/app/prod/app-boundary`);
    expect(role.boundary?.map((s) => s.sid)).toEqual(["Cap"]);
    expect(role.identity.map((s) => s.sid)).toEqual(expect.arrayContaining(["UseKey", "Files"]));
    expect(role.identity.some((s) => s.actions.includes("ecr:BatchGetImage"))).toBe(true);
    expect(role.trust[0].principals).toEqual({ Service: ["codebuild.amazonaws.com"] });
    expect(role.unknownPolicies).toEqual([]);
  });

  it("resolves references in policies to the ARNs AWS would give (made-up ids stay stable)", () => {
    const files = policies.role(deployArn)!.identity.find((s) => s.sid === "Files")!;
    expect(files.resources).toEqual(["arn:aws:s3:::app-prod-files/*"]);
    const useKey = policies.role(deployArn)!.identity.find((s) => s.sid === "UseKey")!;
    expect(useKey.resources[0]).toMatch(new RegExp(`^arn:aws:kms:${REGION}:${ACCOUNT}:key/[0-9a-f-]{36}$`));
    expect(
      stackPolicies(new StackView(SYNTHESIZED))
        .role(deployArn)!
        .identity.find((s) => s.sid === "UseKey")!.resources,
    ).toEqual(useKey.resources);
  });

  it("finds each resource's own policy by the resource's ARN", () => {
    const kinds = Object.fromEntries(
      policies.resourcePolicies.map((p) => [
        p.arn.replace(/key\/.*/, "key/*").replace(/-[0-9a-f]{6}$/, "-*"),
        p.kind,
      ]),
    );
    expect(kinds).toEqual({
      "arn:aws:s3:::app-prod-files": "resource",
      [`arn:aws:kms:${REGION}:${ACCOUNT}:key/*`]: "key",
      [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:app/prod/KEY_BASE-*`]: "resource",
      [`arn:aws:sns:${REGION}:${ACCOUNT}:app-prod-alarms`]: "resource",
      [`arn:aws:sqs:${REGION}:${ACCOUNT}:app-prod-beat`]: "resource",
      [`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app-prod-web`]: "resource",
    });
    expect(policies.logPolicies.map((s) => s.resources)).toEqual([
      [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/prod/runs:*`],
    ]);
  });

  it("picks the policy a call meets: bucket for an object, key by alias, trust for AssumeRole, logs for a log group", () => {
    const key = policies.resourcePolicies.find((p) => p.kind === "key")!.arn;
    expect(
      policies.target({ action: "s3:GetObject", resource: "arn:aws:s3:::app-prod-files/a/b" }).policy?.[0]
        .sid,
    ).toBe("TlsOnly");
    expect(
      policies.target({ action: "s3:GetObject", resource: "arn:aws:s3:::app-prod-files/a/b" }).account,
    ).toBe(ACCOUNT);
    expect(
      policies.target({
        action: "kms:Decrypt",
        resource: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app-prod-data`,
      }),
    ).toEqual({
      kind: "key",
      policy: policies.target({ action: "kms:Decrypt", resource: key }).policy,
    });
    expect(policies.target({ action: "sts:AssumeRole", resource: deployArn }).kind).toBe("trust");
    expect(
      policies.target({
        action: "logs:PutLogEvents",
        resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/prod/runs:log-stream:x`,
      }).policy?.[0].sid,
    ).toBe("EventsWrite");
  });

  it("gives each resource's own policy by its ARN alone: trust, key by alias, bucket by object, secret by name", () => {
    const alias = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app-prod-data`;
    const secret = policies.resourcePolicies.find((p) => p.arn.includes(":secret:"))!.arn;
    expect(policies.policyOf(deployArn)).toMatchObject({ kind: "trust" });
    expect(policies.policyOf(alias)?.statements.map((s) => s.sid)).toEqual(["EnableIam"]);
    expect(policies.policyOf("arn:aws:s3:::app-prod-files/a/b")?.statements.map((s) => s.sid)).toEqual([
      "TlsOnly",
    ]);
    expect(policies.policyOf(secret.replace(/-[0-9a-f]{6}$/, ""))?.statements.map((s) => s.sid)).toEqual([
      "OnlyExecution",
    ]);
    expect(
      policies.policyOf(`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/app-prod-web`)?.statements[0].sid,
    ).toBe("Pull");
    expect(
      policies.policyOf(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/app/prod/runs`)?.statements[0].sid,
    ).toBe("EventsWrite");
    expect(policies.policyOf("arn:aws:s3:::someone-elses-bucket")).toBeUndefined();
  });

  it("judges a call by ARN against all of them", () => {
    const secret = policies.resourcePolicies.find((p) => p.arn.includes(":secret:"))!.arn;
    const key = policies.resourcePolicies.find((p) => p.kind === "key")!.arn;
    expect(
      policies.authorize(deployArn, { action: "s3:GetObject", resource: "arn:aws:s3:::app-prod-files/a" })
        .decision,
    ).toBe("allowed");
    expect(
      policies.authorize(deployArn, {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::app-prod-files/a",
        context: { "aws:securetransport": "false" },
      }).decision,
    ).toBe("denied");
    expect(policies.authorize(deployArn, { action: "kms:Decrypt", resource: key }).decision).toBe("allowed");
    expect(
      policies.authorize(`arn:aws:iam::${ACCOUNT}:root`, {
        action: "secretsmanager:GetSecretValue",
        resource: secret,
      }).decision,
    ).toBe("denied");
    expect(
      policies.authorize("codebuild.amazonaws.com", { action: "sts:AssumeRole", resource: deployArn })
        .decision,
    ).toBe("allowed");
    expect(
      policies.authorize(`arn:aws:iam::${ACCOUNT}:role/unknown`, {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::app-prod-files/a",
      }).decision,
    ).toBe("not allowed");
  });
});

describe("statePolicies (terraform show -json)", () => {
  const deployArn = `arn:aws:iam::${ACCOUNT}:role/app/prod/app-deploy`;
  const boundaryArn = `arn:aws:iam::${ACCOUNT}:policy/app/prod/app-boundary`;
  const resource = (type: string, name: string, values: object, mode = "managed") => ({
    address: `${type}.${name}`,
    mode,
    type,
    name,
    values,
  });
  const SHOW = {
    format_version: "1.0",
    values: {
      root_module: {
        resources: [
          resource("aws_iam_policy", "boundary", {
            arn: boundaryArn,
            name: "app-boundary",
            policy: policy({ Sid: "Cap", Effect: "Allow", Action: ["s3:*", "kms:*"], Resource: "*" }),
          }),
          resource("aws_iam_role", "deploy", {
            arn: deployArn,
            name: "app-deploy",
            path: "/app/prod/",
            permissions_boundary: boundaryArn,
            assume_role_policy: policy({
              Effect: "Allow",
              Principal: { Service: "codebuild.amazonaws.com" },
              Action: "sts:AssumeRole",
            }),
            // A refreshed role lists its inline policy too: read once.
            inline_policy: [
              {
                name: "files",
                policy: policy({
                  Sid: "Files",
                  Effect: "Allow",
                  Action: "s3:GetObject",
                  Resource: "arn:aws:s3:::app-prod-files/*",
                }),
              },
            ],
            managed_policy_arns: [],
          }),
          resource("aws_iam_role_policy", "files", {
            role: "app-deploy",
            name: "files",
            policy: policy({
              Sid: "Files",
              Effect: "Allow",
              Action: "s3:GetObject",
              Resource: "arn:aws:s3:::app-prod-files/*",
            }),
          }),
          resource("aws_kms_key", "data", {
            arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/abcd`,
            key_id: "abcd",
            policy: policy({
              Sid: "OnlyDeploy",
              Effect: "Allow",
              Principal: { AWS: deployArn },
              Action: "kms:*",
              Resource: "*",
            }),
          }),
          resource("aws_kms_alias", "data", {
            arn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app-prod-data`,
            target_key_arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/abcd`,
          }),
          resource("aws_s3_bucket", "files", {
            arn: "arn:aws:s3:::app-prod-files",
            bucket: "app-prod-files",
          }),
        ],
        child_modules: [
          {
            resources: [
              resource("aws_sqs_queue_policy", "beat", {
                queue_url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/app-prod-beat`,
                policy: policy({
                  Sid: "Events",
                  Effect: "Allow",
                  Principal: { Service: "events.amazonaws.com" },
                  Action: "sqs:SendMessage",
                  Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:app-prod-beat`,
                }),
              }),
            ],
          },
        ],
      },
    },
  };
  const policies = statePolicies(SHOW);

  it("reads the account and region from the state's ARNs", () => {
    expect(policies.where).toEqual({ account: ACCOUNT, region: REGION });
  });

  it("reads a role's policies once each, its boundary and its trust policy", () => {
    const role = policies.role(deployArn)!;
    expect(role.identity.map((s) => s.sid)).toEqual(["Files"]);
    expect(role.boundary?.map((s) => s.sid)).toEqual(["Cap"]);
    expect(role.trust).toHaveLength(1);
  });

  it("reads resource policies of every module, and decides calls with them", () => {
    expect(
      policies.target({
        action: "sqs:SendMessage",
        resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:app-prod-beat`,
      }).policy?.[0].sid,
    ).toBe("Events");
    const alias = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app-prod-data`;
    expect(policies.authorize(deployArn, { action: "kms:Decrypt", resource: alias }).decision).toBe(
      "allowed",
    );
    expect(
      policies.authorize(`arn:aws:iam::${ACCOUNT}:root`, { action: "kms:Decrypt", resource: alias }).decision,
    ).toBe("not allowed");
    expect(
      policies.authorize(`arn:aws:sts::${ACCOUNT}:assumed-role/app-deploy/gh`, {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::app-prod-files/x",
      }).decision,
    ).toBe("allowed");
  });
});
