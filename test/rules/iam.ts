import type { Case, EditableStack, FamilyRuleId } from "./harness";

/** Adds a statement to the inline policy at a path. */
const grant = (s: EditableStack, path: string, statement: Record<string, unknown>) =>
  s.editPolicy(path, (statements) => [...statements, { Effect: "Allow", ...statement }]);

export const iamCases: Record<FamilyRuleId<"iam">, Case> = {
  "iam-no-admin": {
    breaks: [
      {
        what: "AdministratorAccess is attached to the task role",
        at: "task/admin",
        apply: (s) =>
          s.add("aws_iam_role_policy_attachment", "task/admin", {
            role: s.ref(s.at("task/task-role"), "name"),
            policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess",
          }),
      },
      {
        what: "an inline policy allows * on *",
        at: "uploads/read-write-task-role",
        apply: (s) => grant(s, "uploads/read-write-task-role", { Action: "*", Resource: "*" }),
      },
      {
        what: "an inline policy allows NotAction on *",
        at: "stats/scheduler-policy",
        apply: (s) => grant(s, "stats/scheduler-policy", { NotAction: "iam:*", Resource: "*" }),
      },
    ],
  },
  "iam-no-wildcard-actions": {
    breaks: [
      {
        what: "the uploads grant becomes s3:* on the bucket",
        at: "uploads/read-write-task-role",
        apply: (s) =>
          s.editPolicy("uploads/read-write-task-role", (st) => st.map((x) => ({ ...x, Action: "s3:*" }))),
      },
    ],
  },
  "iam-no-privilege-escalation": {
    breaks: [
      {
        what: "the task role may pass any role",
        at: "task/ecs-exec",
        apply: (s) => grant(s, "task/ecs-exec", { Action: "iam:PassRole", Resource: "*" }),
      },
      {
        what: "the release role may attach any policy to any role",
        at: "delivery/release/policy",
        apply: (s) => grant(s, "delivery/release/policy", { Action: "iam:Attach*", Resource: "*" }),
      },
    ],
  },
  "iam-escalation-contained": {
    breaks: [
      {
        what: "the deploy role may create roles without the boundary, and carries none itself",
        at: "github-oidc/deploy-role",
        apply: (s) => {
          delete s.block("github-oidc/deploy-role").permissions_boundary;
          s.editStatement("EnvironmentRolesOnlyWithTheBoundary", (x) => ({ ...x, Condition: undefined }));
        },
      },
      {
        what: "the deploy role may pass the environment's roles to any service, EC2 included",
        at: "github-oidc/deploy-role",
        apply: (s) => {
          s.editStatement("PassEnvironmentRolesToTheServicesThatRunThem", (x) => ({
            ...x,
            Condition: undefined,
          }));
          s.editPolicy("permissions-boundary/policy", (st) => st.filter((x) => x.Sid !== "PassToServices"));
        },
      },
      {
        what: "the boundary no longer forbids lifting it, and the deploy role may",
        at: "github-oidc/deploy-role",
        apply: (s) => {
          s.editPolicy("permissions-boundary/policy", (st) => st.filter((x) => x.Sid !== "NoLifting"));
          grant(s, "github-oidc/deploy-policy", {
            Action: "iam:DeleteRolePermissionsBoundary",
            Resource: "arn:aws:iam::*:role/myamazingapp/production/*",
          });
        },
      },
    ],
  },
  "iam-no-credentials-exposure": {
    breaks: [
      {
        what: "the scheduler role may assume any role",
        at: "stats/scheduler-policy",
        apply: (s) => grant(s, "stats/scheduler-policy", { Action: "sts:AssumeRole", Resource: "*" }),
      },
      {
        what: "the task role may read any instance's password",
        at: "task/ecs-exec",
        apply: (s) => grant(s, "task/ecs-exec", { Action: "ec2:GetPasswordData", Resource: "*" }),
      },
    ],
  },
  "iam-no-data-exfiltration": {
    breaks: [
      {
        what: "the task role may read every object in the account",
        at: "uploads/read-write-task-role",
        apply: (s) => grant(s, "uploads/read-write-task-role", { Action: "s3:GetObject", Resource: "*" }),
      },
      {
        what: "the execution role may read every secret",
        at: "secrets/read-execution-role",
        apply: (s) =>
          grant(s, "secrets/read-execution-role", { Action: "secretsmanager:Get*", Resource: "*" }),
      },
    ],
  },
  "iam-no-unscoped-permissions-management": {
    breaks: [
      {
        what: "the release role may rewrite any bucket's policy",
        at: "delivery/release/policy",
        apply: (s) => grant(s, "delivery/release/policy", { Action: "s3:PutBucketPolicy", Resource: "*" }),
      },
    ],
  },
  "iam-no-unscoped-write": {
    breaks: [
      {
        what: "the release role may update any ECS service",
        at: "delivery/release/policy",
        apply: (s) => grant(s, "delivery/release/policy", { Action: "ecs:UpdateService", Resource: "*" }),
      },
    ],
  },
  "iam-trust-scoped": {
    breaks: [
      {
        what: "the deploy role trusts every repository of the organization (StringLike on sub)",
        at: "github-oidc/deploy-role",
        apply: (s) =>
          s.editPolicy(
            "github-oidc/deploy-role",
            (st) =>
              st.map((x) => ({
                ...x,
                Condition: {
                  StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                  StringLike: { "token.actions.githubusercontent.com:sub": "repo:cdlib/*" },
                },
              })),
            "assume_role_policy",
          ),
      },
      {
        what: "the task role trusts anyone",
        at: "task/task-role",
        apply: (s) =>
          s.editPolicy(
            "task/task-role",
            (st) => st.map((x) => ({ ...x, Principal: "*" })),
            "assume_role_policy",
          ),
      },
    ],
  },
  "iam-roles-bounded": {
    breaks: [
      {
        what: "the task role loses the permissions boundary",
        at: "task/task-role",
        apply: (s) => delete s.block("task/task-role").permissions_boundary,
      },
    ],
  },
  "iam-policy-size": {
    breaks: [
      {
        what: "the deploy role's permissions go back into one inline policy, over IAM's 10240 characters",
        at: "github-oidc/deploy-role",
        apply: (s) => {
          const managed = s
            .resources("aws_iam_policy")
            .filter((p) => /github-deploy-\d+$/.test(p.block.name))
            .flatMap((p) => JSON.parse(p.block.policy).Statement);
          grant(s, "github-oidc/deploy-policy", { Action: "s3:ListBucket", Resource: "arn:aws:s3:::x" });
          s.editPolicy("github-oidc/deploy-policy", (st) => [...st, ...managed]);
        },
      },
      {
        what: "a managed policy grows past IAM's 6144 characters",
        at: "github-oidc/deploy-permissions-1",
        apply: (s) =>
          s.editPolicy("github-oidc/deploy-permissions-1", (st) => [
            ...st,
            ...Array.from({ length: 60 }, (_, i) => ({
              Sid: `Padding${i}`,
              Effect: "Allow",
              Action: "s3:GetObject",
              Resource: `arn:aws:s3:::myamazingapp-production-bucket-${i}/*`,
            })),
          ]),
      },
    ],
  },
};
