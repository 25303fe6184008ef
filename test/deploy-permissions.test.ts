/**
 * What the roles of the real stacks can and cannot do, decided by an IAM evaluator (rules/iam/evaluate.ts) over
 * their synthesized policies and permissions boundary. The deploy role must be able to deploy, and must not be
 * able to escalate: every path to more power than the environment's boundary is tried, and must be refused.
 * Then every role of every checked-in stack is tried against the paths no role may take.
 */
import { githubRoleName } from "../constructs/github-oidc";
import { Naming } from "../constructs/naming";
import {
  boundaryStatements,
  identityStatements,
  IDENTITY_POLICIES,
  roleStatements,
} from "../rules/helpers/iam";
import { evaluate, type Request } from "../rules/iam/evaluate";
import { type Statement, statementsOf } from "../rules/iam/policy";
import { type Element, StackView } from "../rules/stack-view";
import { type Environment, stackText } from "./rules/harness";

const ACCOUNT = "111111111111";
const REGION = "us-west-2";
const naming = new Naming("myamazingapp", "production");
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/myamazingapp-production-permissions-boundary`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const ENV_ROLE = role("myamazingapp-production-new-role");
const DEPLOY_ROLE = role(githubRoleName(naming, "deploy"));
const STATE_BUCKET = `myamazingapp-terraform-state-${ACCOUNT}-${REGION}`;
const STATE = `arn:aws:s3:::${STATE_BUCKET}/myamazingapp/myamazingapp-production.tfstate`;

interface Principal {
  readonly identity: Statement[];
  readonly boundary?: Statement[];
}

function principalOf(stack: StackView, element: Element): Principal {
  return { identity: roleStatements(stack, element), boundary: boundaryStatements(stack, element.block) };
}

const decide = (p: Principal, request: Request) => evaluate(request, p.identity, p.boundary);

describe("the production deploy role", () => {
  let stack: StackView;
  let deploy: Principal;
  beforeAll(() => {
    stack = new StackView(JSON.parse(stackText("production")));
    deploy = principalOf(
      stack,
      stack.find("aws_iam_role", (b) => b.name === githubRoleName(naming, "deploy")),
    );
  });

  it("carries the environment's boundary", () => {
    expect(deploy.boundary?.length).toBeGreaterThan(0);
  });

  it.each<[string, Request]>([
    [
      "create a role of the environment with the boundary",
      { action: "iam:CreateRole", resource: ENV_ROLE, context: { "iam:permissionsboundary": BOUNDARY } },
    ],
    [
      "write an inline policy on such a role",
      { action: "iam:PutRolePolicy", resource: ENV_ROLE, context: { "iam:permissionsboundary": BOUNDARY } },
    ],
    [
      "attach the ECS task execution policy to such a role",
      {
        action: "iam:AttachRolePolicy",
        resource: ENV_ROLE,
        context: {
          "iam:permissionsboundary": BOUNDARY,
          "iam:policyarn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        },
      },
    ],
    [
      "pass such a role to ECS tasks",
      {
        action: "iam:PassRole",
        resource: ENV_ROLE,
        context: { "iam:passedtoservice": "ecs-tasks.amazonaws.com" },
      },
    ],
    ["write its state", { action: "s3:PutObject", resource: STATE }],
    [
      "change an environment bucket's policy",
      { action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::myamazingapp-production-uploads" },
    ],
    [
      "update the environment's service",
      {
        action: "ecs:UpdateService",
        resource: `arn:aws:ecs:${REGION}:${ACCOUNT}:service/myamazingapp-production/myamazingapp-production-web`,
      },
    ],
    [
      "create the environment's database",
      {
        action: "rds:CreateDBInstance",
        resource: `arn:aws:rds:${REGION}:${ACCOUNT}:db:myamazingapp-production-db`,
      },
    ],
    [
      "create the log archive's delivery stream",
      {
        action: "firehose:CreateDeliveryStream",
        resource: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/myamazingapp-production-logs`,
      },
    ],
    [
      "subscribe the app's log group to it",
      {
        action: "logs:PutSubscriptionFilter",
        resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/myamazingapp/production/app`,
      },
    ],
    ...["firehose", "logs", "states"].map((service): [string, Request] => [
      `pass such a role to ${service}`,
      {
        action: "iam:PassRole",
        resource: ENV_ROLE,
        context: { "iam:passedtoservice": `${service}.amazonaws.com` },
      },
    ]),
    [
      "create the upload age audit's state machine",
      {
        action: "states:CreateStateMachine",
        resource: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:myamazingapp-production-upload-age-audit`,
      },
    ],
    [
      "put the composite site-down alarm",
      {
        action: "cloudwatch:PutCompositeAlarm",
        resource: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:myamazingapp-production-site-down`,
      },
    ],
    [
      "put the environment's dashboard",
      {
        action: "cloudwatch:PutDashboard",
        resource: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/myamazingapp-production`,
      },
    ],
    [
      "change the monthly budget",
      {
        action: "budgets:ModifyBudget",
        resource: `arn:aws:budgets::${ACCOUNT}:budget/myamazingapp-production-monthly`,
      },
    ],
    [
      "create the account's cost anomaly monitor",
      { action: "ce:CreateAnomalyMonitor", resource: `arn:aws:ce::${ACCOUNT}:anomalymonitor/abc` },
    ],
  ])("may %s", (_what, request) => {
    expect(decide(deploy, request)).toBe("allowed");
  });

  it.each<[string, Request]>([
    ["create a role without the boundary", { action: "iam:CreateRole", resource: ENV_ROLE }],
    [
      "create a role with another boundary",
      {
        action: "iam:CreateRole",
        resource: ENV_ROLE,
        context: { "iam:permissionsboundary": `arn:aws:iam::${ACCOUNT}:policy/lenient` },
      },
    ],
    [
      "create a role of another environment",
      {
        action: "iam:CreateRole",
        resource: role("myamazingapp-staging-x"),
        context: { "iam:permissionsboundary": BOUNDARY },
      },
    ],
    [
      "attach AdministratorAccess to a role of the environment",
      {
        action: "iam:AttachRolePolicy",
        resource: ENV_ROLE,
        context: {
          "iam:permissionsboundary": BOUNDARY,
          "iam:policyarn": "arn:aws:iam::aws:policy/AdministratorAccess",
        },
      },
    ],
    [
      "pass a role of the environment to EC2",
      { action: "iam:PassRole", resource: ENV_ROLE, context: { "iam:passedtoservice": "ec2.amazonaws.com" } },
    ],
    ["assume a role of the environment", { action: "sts:AssumeRole", resource: ENV_ROLE }],
    [
      "create a delivery stream of another environment",
      {
        action: "firehose:CreateDeliveryStream",
        resource: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/myamazingapp-staging-logs`,
      },
    ],
    [
      "replace another environment's dashboard",
      {
        action: "cloudwatch:PutDashboard",
        resource: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/myamazingapp-staging`,
      },
    ],
    [
      "pass a role of the environment to Lambda",
      {
        action: "iam:PassRole",
        resource: ENV_ROLE,
        context: { "iam:passedtoservice": "lambda.amazonaws.com" },
      },
    ],
    ["lift a role's boundary", { action: "iam:DeleteRolePermissionsBoundary", resource: ENV_ROLE }],
    [
      "edit its own policies",
      {
        action: "iam:PutRolePolicy",
        resource: DEPLOY_ROLE,
        context: { "iam:permissionsboundary": BOUNDARY },
      },
    ],
    ["rewrite its own trust policy", { action: "iam:UpdateAssumeRolePolicy", resource: DEPLOY_ROLE }],
    ["rewrite the boundary", { action: "iam:CreatePolicyVersion", resource: BOUNDARY }],
    ["delete the boundary", { action: "iam:DeletePolicy", resource: BOUNDARY }],
    ["create an IAM user", { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/x` }],
    ["create an access key", { action: "iam:CreateAccessKey", resource: `arn:aws:iam::${ACCOUNT}:user/x` }],
    [
      "read an app secret's value",
      {
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:myamazingapp/production/SMTP_PASSWORD-AbCdEf`,
      },
    ],
    [
      "read the database's master secret",
      {
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!db-1234`,
      },
    ],
    [
      "read a parameter outside the app's path",
      { action: "ssm:GetParameter", resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/other/secret` },
    ],
    [
      "read an instance's password",
      { action: "ec2:GetPasswordData", resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-1` },
    ],
    [
      "read an uploaded file",
      { action: "s3:GetObject", resource: "arn:aws:s3:::myamazingapp-production-uploads/f" },
    ],
    [
      "read another environment's state",
      {
        action: "s3:GetObject",
        resource: `arn:aws:s3:::${STATE_BUCKET}/myamazingapp/myamazingapp-staging.tfstate`,
      },
    ],
    [
      "change another environment's bucket",
      { action: "s3:PutBucketPolicy", resource: "arn:aws:s3:::myamazingapp-staging-uploads" },
    ],
  ])("may not %s", (_what, request) => {
    expect(decide(deploy, request)).not.toBe("allowed");
  });
});

describe.each<Environment>(["production", "staging", "local"])(
  "every role of the %s stack",
  (environment) => {
    let roles: Array<[string, Principal]>;
    let prefix: string;
    beforeAll(() => {
      const stack = new StackView(JSON.parse(stackText(environment)));
      roles = stack.resources("aws_iam_role").map((r) => [r.block.name as string, principalOf(stack, r)]);
      prefix = `myamazingapp-${environment}`;
    });

    it("carries the environment's permissions boundary", () => {
      for (const [name, p] of roles)
        expect([name, p.boundary?.length ?? 0]).toEqual([name, expect.any(Number)]);
      expect(roles.filter(([, p]) => !p.boundary || p.boundary.length === 0).map(([n]) => n)).toEqual([]);
    });

    it("can take no path to administrator, to another principal's credentials, or to data outside its grants", () => {
      const attempts: Array<[string, Request]> = [
        ["create an IAM user", { action: "iam:CreateUser", resource: `arn:aws:iam::${ACCOUNT}:user/x` }],
        [
          "create an access key",
          { action: "iam:CreateAccessKey", resource: `arn:aws:iam::${ACCOUNT}:user/x` },
        ],
        [
          "attach AdministratorAccess to a role",
          {
            action: "iam:AttachRolePolicy",
            resource: role(`${prefix}-any`),
            context: {
              "iam:permissionsboundary": BOUNDARY.replace("production", environment),
              "iam:policyarn": "arn:aws:iam::aws:policy/AdministratorAccess",
            },
          },
        ],
        ["lift a boundary", { action: "iam:DeleteRolePermissionsBoundary", resource: role(`${prefix}-any`) }],
        [
          "rewrite the boundary",
          {
            action: "iam:CreatePolicyVersion",
            resource: `arn:aws:iam::${ACCOUNT}:policy/${prefix}-permissions-boundary`,
          },
        ],
        ["assume the deploy role", { action: "sts:AssumeRole", resource: role(`${prefix}-github-deploy`) }],
        ["assume any role", { action: "sts:AssumeRole", resource: role("anything") }],
        [
          "read another application's secret",
          {
            action: "secretsmanager:GetSecretValue",
            resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:other/x`,
          },
        ],
        ["read another bucket", { action: "s3:GetObject", resource: "arn:aws:s3:::someone-elses-bucket/x" }],
        [
          "turn off CloudTrail",
          { action: "cloudtrail:StopLogging", resource: `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/t` },
        ],
      ];
      const allowed = roles.flatMap(([name, p]) =>
        attempts
          .filter(([, request]) => decide(p, request) === "allowed")
          .map(([what]) => `${name} could ${what}`),
      );
      expect(allowed).toEqual([]);
    });
  },
);

describe("any role the production deploy role could create", () => {
  // It must carry the boundary, and may be given any policy: the boundary alone decides what it can do.
  let created: Principal;
  beforeAll(() => {
    const stack = new StackView(JSON.parse(stackText("production")));
    const boundary = stack.find(
      "aws_iam_policy",
      (b) => b.name === "myamazingapp-production-permissions-boundary",
    );
    created = {
      identity: statementsOf({ Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
      boundary: statementsOf(boundary.block.policy),
    };
  });

  it.each<[string, Request]>([
    ["read another application's object", { action: "s3:GetObject", resource: "arn:aws:s3:::other-app/f" }],
    [
      "read another environment's state",
      {
        action: "s3:GetObject",
        resource: `arn:aws:s3:::${STATE_BUCKET}/myamazingapp/myamazingapp-staging.tfstate`,
      },
    ],
    [
      "read another application's secret",
      {
        action: "secretsmanager:GetSecretValue",
        resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:x/y-AbC`,
      },
    ],
    [
      "read a parameter outside the app's path",
      { action: "ssm:GetParameters", resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/x/y` },
    ],
    ["assume another role", { action: "sts:AssumeRole", resource: role("anything") }],
    ["pass another application's role", { action: "iam:PassRole", resource: role("other-admin") }],
    ["create a role without the boundary", { action: "iam:CreateRole", resource: ENV_ROLE }],
    [
      "change the deploy role",
      {
        action: "iam:PutRolePolicy",
        resource: DEPLOY_ROLE,
        context: { "iam:permissionsboundary": BOUNDARY },
      },
    ],
    ["use a service outside the environment's", { action: "lambda:CreateFunction", resource: "*" }],
  ])("cannot %s, whatever policy it is given", (_what, request) => {
    expect(decide(created, request)).not.toBe("allowed");
  });

  it("can still reach the environment's own data (what a task role needs)", () => {
    expect(
      decide(created, {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::myamazingapp-production-uploads-1/f",
      }),
    ).toBe("allowed");
  });
});

describe.each<Environment>(["production", "staging", "local"])(
  "every IAM policy of the %s stack",
  (environment) => {
    it("allows no wildcard action on every resource", () => {
      const stack = new StackView(JSON.parse(stackText(environment)));
      const wide = Object.keys(IDENTITY_POLICIES)
        .flatMap((type) => stack.resources(type))
        .flatMap((policy) =>
          identityStatements(policy, stack)
            .filter((st) => st.effect === "Allow" && st.resources.includes("*") && !st.notResource)
            .filter((st) => st.notAction || st.actions.some((a) => a === "*" || /^[a-z0-9-]+:\*$/.test(a)))
            .map((st) => `${policy.name}: ${st.sid ?? st.actions.join(",")}`),
        );
      expect(wide).toEqual([]);
    });
  },
);
