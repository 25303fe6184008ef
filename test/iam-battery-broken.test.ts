/**
 * The generated battery can fail, and fails for the right reason: a small, sound access design (hand-written
 * here, independent of the stack under work) passes it with no finding and keeps its positive cases; the same
 * design broken in one place, as the issue found the real one, makes it report exactly that break:
 * `iam:*` on `*` in the boundary's allow-list, and iam:AttachRolePolicy without an iam:PolicyARN condition.
 */
import { StackView, type Block } from "../rules/stack-view";
import { describe as describeCall } from "../rules/iam/authorize";
import {
  batteryActions,
  type BatteryAction,
  type BatteryResult,
  decide,
  runBattery,
  BATTERY_SERVICES,
} from "./iam/battery";
import { attempts } from "./iam/escalations";
import { actionsOf } from "./iam/iam-data";
import { needs } from "./iam/needs";
import { ACTOR_LABELS, World } from "./iam/world";

const A = "111111111111";
const R = "us-west-2";
const PATH = "/myamazingapp/production/";
const ACCESS = `${PATH}access/`;
const BOUNDARY = `arn:aws:iam::${A}:policy${ACCESS}myamazingapp-production-boundary`;
const STATE = `arn:aws:s3:::myamazingapp-terraform-state-${A}-${R}/myamazingapp/myamazingapp-production.tfstate`;
const ENV_ROLES = `arn:aws:iam::${A}:role${PATH}*`;
const ENV_POLICIES = `arn:aws:iam::${A}:policy${PATH}*`;
const TASK_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy";
const ECS = [
  `arn:aws:ecs:${R}:${A}:cluster/myamazingapp-production`,
  `arn:aws:ecs:${R}:${A}:service/myamazingapp-production/*`,
  `arn:aws:ecs:${R}:${A}:task/myamazingapp-production/*`,
  `arn:aws:ecs:${R}:${A}:task-definition/myamazingapp-production-web:*`,
];

type Statement = Record<string, unknown>;
const document = (...Statement: Statement[]) => JSON.stringify({ Version: "2012-10-17", Statement });

/** The boundary of the sound design: the environment's names only; its access layer, STS and foreign policies never. */
function boundary(): Statement[] {
  return [
    {
      Sid: "Objects",
      Effect: "Allow",
      Action: "s3:*",
      Resource: [STATE, "arn:aws:s3:::myamazingapp-production-uploads-*/*"],
    },
    { Sid: "Service", Effect: "Allow", Action: "ecs:*", Resource: ECS },
    {
      Sid: "EnvironmentIam",
      Effect: "Allow",
      Action: ["iam:*Role*", "iam:*Policy*", "iam:PassRole"],
      Resource: [ENV_ROLES, ENV_POLICIES],
    },
    {
      Sid: "NoAccessLayer",
      Effect: "Deny",
      NotAction: ["iam:Get*", "iam:List*", "iam:PassRole"],
      Resource: [`arn:aws:iam::${A}:role${ACCESS}*`, `arn:aws:iam::${A}:policy${ACCESS}*`],
    },
    {
      Sid: "NoRoleWithoutThisBoundary",
      Effect: "Deny",
      Action: [
        "iam:CreateRole",
        "iam:PutRolePermissionsBoundary",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
      ],
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PermissionsBoundary": BOUNDARY } },
    },
    { Sid: "NoLiftingIt", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
    {
      Sid: "OnlyOwnPolicies",
      Effect: "Deny",
      Action: "iam:AttachRolePolicy",
      Resource: "*",
      Condition: { ArnNotLike: { "iam:PolicyARN": [ENV_POLICIES, TASK_EXECUTION_POLICY] } },
    },
    {
      Sid: "PassOnlyToEcs",
      Effect: "Deny",
      Action: "iam:PassRole",
      Resource: "*",
      Condition: { StringNotEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    { Sid: "NoCredentials", Effect: "Deny", Action: "sts:*", Resource: "*" },
  ];
}

/** The deploy role's policy of the sound design. */
function deploy(): Statement[] {
  return [
    {
      Sid: "EnvironmentRoles",
      Effect: "Allow",
      Action: [
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:DeleteRole",
        "iam:TagRole",
      ],
      Resource: ENV_ROLES,
      Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY } },
    },
    {
      Sid: "AttachOwnPolicies",
      Effect: "Allow",
      Action: ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
      Resource: ENV_ROLES,
      Condition: {
        StringEquals: { "iam:PermissionsBoundary": BOUNDARY },
        ArnLike: { "iam:PolicyARN": [ENV_POLICIES, TASK_EXECUTION_POLICY] },
      },
    },
    {
      Sid: "PassEnvironmentRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: ENV_ROLES,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    { Sid: "Service", Effect: "Allow", Action: ["ecs:UpdateService", "ecs:DescribeServices"], Resource: ECS },
    { Sid: "State", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: STATE },
  ];
}

const trust = (Principal: object) => document({ Effect: "Allow", Principal, Action: "sts:AssumeRole" });
const oidc = `arn:aws:iam::${A}:oidc-provider/token.actions.githubusercontent.com`;

/** A synthesized stack holding the design: its roles, policies, service, bucket and state backend. */
function stack(
  edit: { boundary?: (s: Statement[]) => Statement[]; deploy?: (s: Statement[]) => Statement[] } = {},
): StackView {
  const role = (name: string, path: string, assume: string): Block => ({
    name: `myamazingapp-production-${name}`,
    path,
    assume_role_policy: assume,
    permissions_boundary: "${aws_iam_policy.boundary.arn}",
  });
  return new StackView({
    terraform: {
      backend: {
        s3: {
          bucket: `myamazingapp-terraform-state-${A}-${R}`,
          key: "myamazingapp/myamazingapp-production.tfstate",
        },
      },
    },
    provider: {
      aws: [
        {
          allowed_account_ids: [A],
          region: R,
          default_tags: [{ tags: { application: "myamazingapp", environment: "production" } }],
        },
      ],
    },
    resource: {
      aws_iam_policy: {
        boundary: {
          name: "myamazingapp-production-boundary",
          path: ACCESS,
          policy: document(...(edit.boundary ?? ((s) => s))(boundary())),
        },
        deploy: {
          name: "myamazingapp-production-github-deploy-1",
          path: ACCESS,
          policy: document(...(edit.deploy ?? ((s) => s))(deploy())),
        },
      },
      aws_iam_role: {
        deploy: role(
          "github-deploy",
          ACCESS,
          document({
            Effect: "Allow",
            Principal: { Federated: oidc },
            Action: "sts:AssumeRoleWithWebIdentity",
          }),
        ),
        plan: role(
          "github-plan",
          ACCESS,
          document({
            Effect: "Allow",
            Principal: { Federated: oidc },
            Action: "sts:AssumeRoleWithWebIdentity",
          }),
        ),
        task: role("task", PATH, trust({ Service: "ecs-tasks.amazonaws.com" })),
      },
      aws_iam_role_policy_attachment: {
        deploy: { role: "${aws_iam_role.deploy.name}", policy_arn: "${aws_iam_policy.deploy.arn}" },
        execution: { role: "${aws_iam_role.task.name}", policy_arn: TASK_EXECUTION_POLICY },
      },
      aws_iam_role_policy: {
        plan: {
          role: "${aws_iam_role.plan.id}",
          name: "plan",
          policy: document({ Sid: "ReadState", Effect: "Allow", Action: "s3:GetObject", Resource: STATE }),
        },
      },
      aws_ecs_cluster: { web: { name: "myamazingapp-production" } },
      aws_ecs_service: {
        web: { name: "myamazingapp-production-web", cluster: "${aws_ecs_cluster.web.arn}" },
      },
      aws_s3_bucket: { uploads: { bucket: `myamazingapp-production-uploads-${A}` } },
    },
  });
}

describe("the generated battery on a sound design and on the same design broken", () => {
  let actions: BatteryAction[];
  const run = (view: StackView) => {
    const world = new World(view, "myamazingapp", "production");
    const result: BatteryResult = runBattery(world, actions);
    const escalations = world.actors().flatMap((a) => attempts(world, a).attempts.filter((x) => x.succeeded));
    return { world, result, escalations };
  };
  beforeAll(async () => {
    actions = batteryActions(await actionsOf(BATTERY_SERVICES));
  });

  it("finds nothing in the sound design, which still deploys", () => {
    const { world, result, escalations } = run(stack());
    expect(
      result.findings.map(
        (f) => `${f.actor.label}: ${describeCall(f.actor.principal.arn, f.request, f.result)}`,
      ),
    ).toEqual([]);
    expect(escalations.map((e) => `${e.method.name} / ${e.victim.label}`)).toEqual([]);
    const refused = needs(world).filter((n) => {
      const actor = world.actors().find((a) => a.label === n.actor)!;
      return decide(world, actor, n.request, n.target).decision !== "allowed";
    });
    expect(refused.map((n) => n.what)).toEqual([]);
    expect(result.allowedInside).toBeGreaterThan(0);
  });

  it("reports iam:* on * in the boundary: a created role rewrites the administrator role's trust and takes it over", () => {
    const { result, escalations } = run(
      stack({ boundary: (s) => [...s, { Sid: "Broken", Effect: "Allow", Action: "iam:*", Resource: "*" }] }),
    );
    const created = result.findings.filter((f) => f.actor.label === ACTOR_LABELS[1]);
    expect(created.length).toBeGreaterThan(0);
    expect(result.findings.filter((f) => f.actor.label !== ACTOR_LABELS[1])).toEqual([]);
    const takeover = created.find(
      (f) =>
        f.action === "iam:UpdateAssumeRolePolicy" &&
        f.target.arn === `arn:aws:iam::${A}:role/OrganizationAccountAccessRole`,
    );
    expect(takeover?.category).toBe("outside");
    expect(takeover?.result.by.map((b) => `${b.policy}:${b.statement.sid}`)).toEqual([
      "identity:AnyPolicyItCouldWrite",
      "boundary:Broken",
    ]);
    expect(escalations.map((e) => `${e.actor.label} / ${e.method.name} / ${e.victim.label}`)).toContain(
      `${ACTOR_LABELS[1]} / 14 UpdateRolePolicyToAssumeIt (UpdateAssumeRolePolicy + AssumeRole) / role OrganizationAccountAccessRole`,
    );
  });

  it("reports iam:AttachRolePolicy without an iam:PolicyARN condition: any policy on the environment's roles", () => {
    const { result } = run(
      stack({
        boundary: (s) => s.filter((st) => st.Sid !== "OnlyOwnPolicies"),
        deploy: (s) => [
          ...s.filter((st) => st.Sid !== "AttachOwnPolicies"),
          {
            Sid: "AttachWithoutCondition",
            Effect: "Allow",
            Action: "iam:AttachRolePolicy",
            Resource: ENV_ROLES,
            Condition: { StringEquals: { "iam:PermissionsBoundary": BOUNDARY } },
          },
        ],
      }),
    );
    const attach = result.findings.filter(
      (f) => f.category === "attach policy" && f.actor.label === ACTOR_LABELS[0],
    );
    expect(new Set(attach.map((f) => f.request.context?.["iam:policyarn"]))).toEqual(
      new Set([
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        `arn:aws:iam::${A}:policy/otherapp/production/otherapp-production-deploy`,
      ]),
    );
    expect(attach.every((f) => f.result.by.some((b) => b.statement.sid === "AttachWithoutCondition"))).toBe(
      true,
    );
  });
});
